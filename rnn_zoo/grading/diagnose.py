r"""Naming what differs: the comparison, the mutant search and the term-isolating probes that
:func:`~rnn_zoo.grading.check_cell` and :func:`~rnn_zoo.grading.check_function` share."""

import numpy as np

from rnn_zoo.grading.catalogue import GATE_NAMES, equation

RTOL, ATOL = 1e-4, 1e-5  # float32 students against the float64 reference


def close(got, expected, rtol=RTOL, atol=ATOL):
    got, expected = np.asarray(got), np.asarray(expected)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol))


def compare(name, got, expected, shape_words=""):
    """``None`` when ``got`` equals ``expected``; else one line saying how it differs."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{name} is not an array of numbers (received {type(got).__name__})"
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return (f"{name} has shape {got.shape}; expected {shape_words + ' = ' if shape_words else ''}"
                f"{expected.shape}")
    if not np.all(np.isfinite(got)):
        return f"{name} contains NaN or inf"
    if close(got, expected):
        return None
    diff = np.abs(got - expected)
    where = np.unravel_index(np.argmax(diff), diff.shape)
    return (f"{name} differs from the slides' value by up to {diff.max():.3g} "
            f"(at index {tuple(int(i) for i in where)}: yours {got[where]:.6g}, expected "
            f"{expected[where]:.6g})")


def matching_mistakes(student, mutant_values, candidates):
    """The :class:`~rnn_zoo.grading.mutants.Mistake` s whose outputs equal ``student``.

    ``student`` is a list of arrays; ``mutant_values(knobs)`` gives the mutant's list.  Single
    mistakes are tried first; pairs only when no single mistake fits."""
    found = []
    for size in (1, 2):
        for mistake in candidates:
            if len(mistake.keys) != size:
                continue
            try:
                values = mutant_values(mistake.knobs)
            except (ValueError, IndexError, KeyError):
                continue  # this mistake cannot happen with these shapes
            if len(values) == len(student) and all(close(s, v) for s, v in zip(student, values)):
                found.append(mistake)
        if found:
            return found
    return []


def blocks(w, n_a):
    """``(label, key, columns)`` for every weight block of slide weights ``w``."""
    for key in sorted(k for k in w if k.startswith("W_")):
        g = key[2:]
        yield f"W_{g}a", key, slice(0, n_a)
        yield f"W_{g}x", key, slice(n_a, None)
    for key in sorted(k for k in w if k.startswith("b_")):
        yield key, key, slice(None)


def probe_lines(family, w, n_a, student_values, reference_values):
    """Term by term, as the course's own tests do: every weight zero but one block.

    ``student_values(w)`` and ``reference_values(w)`` run the student's code and the slides'
    on weights ``w`` (lists of arrays).  Returns lines naming the blocks whose term differs."""
    zero = {k: np.zeros_like(v) for k, v in w.items()}

    def differs(weights):
        try:
            got = student_values(weights)
        except Exception:  # noqa: BLE001 - the student's code; any failure is a difference
            return True
        expected = reference_values(weights)
        return len(got) != len(expected) or not all(close(g, e) for g, e in zip(got, expected))

    if differs(zero):
        return [f"With every weight zero your result already differs: look at how the gates "
                f"combine into the new state, {equation(family, 'state') or equation(family, 'a')}."]
    wrong = []
    for label, key, columns in blocks(w, n_a):
        weights = dict(zero)
        block = np.zeros_like(w[key])
        block[:, columns] = w[key][:, columns]
        weights[key] = block
        if differs(weights):
            wrong.append(label)
    if not wrong:
        return ["Each weight block alone gives the right result, so the mistake is in how the "
                "terms combine (a product or sum of two terms)."]
    gates = dict.fromkeys(label[2] for label in wrong)
    lines = [f"Term by term (every weight zero but one block), these blocks give a different "
             f"result: {', '.join(wrong)}."]
    for g in gates:
        text = equation(family, g)
        if text:
            lines.append(f"  Look at {GATE_NAMES.get(g, g)}: {text}")
    return lines
