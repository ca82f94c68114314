r"""Grading the course's NumPy functions against :mod:`rnn_zoo.functional`: :func:`check_function`.

Each function is called on seeded random inputs of several sizes (one with ``m == n_a``, where a
``(n,)`` bias would broadcast along the batch), with random weights *and* biases, and compared
with the reference.  When the results differ, the grader runs every catalogued mistake of the
slides' equations (:mod:`rnn_zoo.grading.mutants`) on the same inputs and names those that give
exactly the student's numbers; when none does, it names the first quantity that differs (from
the course's cache) and the weight blocks whose terms differ.

A whole-sequence function (``rnn_forward``, ``lstm_backward``, ...) is graded with the reference
cell function (``rnn_cell_forward``, ``lstm_cell_backward``, ...) put in place of the student's
for the duration of the check, so that a mistake costs points only in its own question.

NumPy only: neither Keras nor a backend is imported.
"""

import contextlib
import copy

import numpy as np

from rnn_zoo.grading import diagnose, mutants, variants
from rnn_zoo.grading.catalogue import GATE_NAMES, equation
from rnn_zoo.grading.report import Report, describe_exception, failed

# (n_x, n_a, n_y, m, T_x); the second has m == n_a
SIZES = ((3, 5, 2, 4, 6), (4, 3, 3, 3, 4), (2, 4, 4, 1, 3))

# name -> (family, kind)
FUNCTIONS = {
    "rnn_cell_forward": ("simple_rnn", "cell_forward"),
    "rnn_forward": ("simple_rnn", "forward"),
    "rnn_cell_backward": ("simple_rnn", "cell_backward"),
    "rnn_backward": ("simple_rnn", "backward"),
    "lstm_cell_forward": ("lstm", "cell_forward"),
    "lstm_forward": ("lstm", "forward"),
    "lstm_cell_backward": ("lstm", "cell_backward"),
    "lstm_backward": ("lstm", "backward"),
    "gru_cell_forward": ("gru", "cell_forward"),
    "gru_forward": ("gru", "forward"),
    "gru_cell_backward": ("gru", "cell_backward"),
    "gru_backward": ("gru", "backward"),
    "two_step_forward": ("simple_rnn", "two_step"),
    "softmax": (None, "softmax"),
    "clip": (None, "clip"),
    "sample": ("simple_rnn", "sample"),
}
PREFIX = {"simple_rnn": "rnn", "lstm": "lstm", "gru": "gru"}
# slide gate subscript -> the course's letter
COURSE_GATES = {"simple_rnn": {}, "lstm": {"u": "i", "f": "f", "c": "c", "o": "o"},
                "gru": {"u": "u", "r": "r", "c": "c"}}
# the course's caches, entry by entry, and the slide quantity each entry holds
CACHES = {
    "simple_rnn": ("a_next", "a_prev", "xt", "parameters"),
    "lstm": ("a_next", "c_next", "a_prev", "c_prev", "ft", "it", "cct", "ot", "xt", "parameters"),
    "gru": ("a_next", "a_prev", "ut", "rt", "cct", "xt", "parameters"),
}
QUANTITY = {"ft": "f", "it": "u", "cct": "c", "ot": "o", "ut": "u", "rt": "r", "c_next": "state",
            "a_next": "a"}
ORDER = {"simple_rnn": ("a_next",), "lstm": ("ft", "it", "cct", "c_next", "ot", "a_next"),
         "gru": ("ut", "rt", "cct", "a_next")}


def _reference():
    import rnn_zoo.functional as reference

    return reference


# ----------------------------------------------------------------------------- parameters
def random_parameters(family, n_x, n_a, n_y, rng, scale=0.7):
    """The course's parameter dict for ``family``, every weight and bias random."""
    if family == "simple_rnn":
        p = {"Wax": (n_a, n_x), "Waa": (n_a, n_a), "Wya": (n_y, n_a), "ba": (n_a, 1), "by": (n_y, 1)}
    else:
        p = {}
        for letter in COURSE_GATES[family].values():
            p[f"W{letter}"], p[f"b{letter}"] = (n_a, n_a + n_x), (n_a, 1)
        p["Wy"], p["by"] = (n_y, n_a), (n_y, 1)
    return {k: rng.normal(0.0, scale, shape) for k, shape in p.items()}


def slide_weights(family, p):
    """The course's parameters in slide notation (``W_g = [W_ga | W_gx]``, ``b_g``)."""
    if family == "simple_rnn":
        return {"W_a": np.concatenate([p["Waa"], p["Wax"]], axis=1), "b_a": p["ba"]}
    return {f"{k}_{g}": p[f"{k}{c}"] for g, c in COURSE_GATES[family].items() for k in ("W", "b")}


def course_parameters(family, w, p):
    """Slide weights ``w`` back in the course's dict (the output layer taken from ``p``)."""
    q = dict(p)
    if family == "simple_rnn":
        n_a = p["Waa"].shape[0]
        q.update(Waa=w["W_a"][:, :n_a], Wax=w["W_a"][:, n_a:], ba=w["b_a"])
    else:
        q.update({f"{k}{c}": w[f"{k}_{g}"] for g, c in COURSE_GATES[family].items() for k in "Wb"})
    return q


def _output(family, p):
    return (p["Wya"], p["by"]) if family == "simple_rnn" else (p["Wy"], p["by"])


# ------------------------------------------------------------------------------- calling
class StudentError(Exception):
    def __init__(self, line, mistakes=()):
        super().__init__(line)
        self.mistakes = list(mistakes)


@contextlib.contextmanager
def reference_helpers(fn, names):
    """Put the reference functions ``names`` in place of the student's, in ``fn``'s globals."""
    namespace = getattr(fn, "__globals__", {})
    saved = {name: namespace[name] for name in names if name in namespace}
    reference = _reference()
    try:
        for name in saved:
            namespace[name] = getattr(reference, name)
        yield
    finally:
        namespace.update(saved)


def call(fn, name, *args):
    """The student's result; a :class:`StudentError` for anything that goes wrong."""
    shapes = ", ".join(str(np.shape(a)) for a in args if isinstance(a, np.ndarray))
    try:
        return fn(*copy.deepcopy(args))
    except Exception as error:  # noqa: BLE001 - the student's code
        raise StudentError(f"Called with arrays of shapes {shapes}, {name} failed: "
                           f"{describe_exception(error)}") from error


def unpack(result, names, name):
    """The named parts of a returned tuple, checked for number."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = f"a {type(result).__name__}" + (f" of {len(result)}" if isinstance(result, (tuple, list)) else "")
        raise StudentError(f"{name} must return {len(names)} values ({', '.join(names)}); it "
                           f"returned {got}.")
    return dict(zip(names, result))


def _compare_all(pairs):
    """The first differing pair's line, or ``None``."""
    for label, got, expected in pairs:
        line = diagnose.compare(label, got, expected)
        if line:
            return line
    return None


# ------------------------------------------------------------------------------ the kinds
def _cell_forward(fn, name, family, rng):
    F = _reference()
    candidates = mutants.mistakes(family, output_layer=True)
    returns = ("a_next", "c_next", "yt_pred", "cache") if family == "lstm" else ("a_next", "yt_pred", "cache")
    for n_x, n_a, n_y, m, _ in SIZES:
        p = random_parameters(family, n_x, n_a, n_y, rng)
        xt, a_prev = rng.normal(size=(n_x, m)), rng.normal(size=(n_a, m))
        states = [a_prev] + ([rng.normal(size=(n_a, m))] if family == "lstm" else [])
        args = (xt, *states, p)
        expected = unpack(getattr(F, name)(*args), returns, name)
        got = unpack(call(fn, name, *args), returns, name)
        keys = [k for k in returns if k != "cache"]
        line = _compare_all((k, got[k], expected[k]) for k in keys)
        if line is None:
            line = _check_cache(family, got["cache"], expected["cache"], name)
            if line:
                return failed(name, line)
            continue
        w, (W_y, b_y) = slide_weights(family, p), _output(family, p)

        def mutant(knobs, w=w, states=states, xt=xt):
            output, new, _ = variants.step(family, w, states, xt, knobs)
            values = [output] + ([new[1]] if family == "lstm" else [])
            return values + [variants.output_layer(W_y, b_y, output, knobs)]

        student = [got[k] for k in keys]
        lines = [f"With n_x={n_x}, n_a={n_a}, n_y={n_y}, m={m}: {line}."]
        fits = diagnose.matching_mistakes(student, mutant, candidates)
        if fits:
            return _fits(name, lines, fits)
        lines += _first_in_cache(family, got["cache"], variants.step(family, w, states, xt, variants.Knobs())[2])

        def student_values(weights, p=p, xt=xt, states=states):
            result = fn(*copy.deepcopy((xt, *states, course_parameters(family, weights, p))))
            return list(result[: len(keys)])

        lines += diagnose.probe_lines(family, w, n_a, student_values, lambda weights: mutant(variants.Knobs(), weights))
        return failed(name, *lines)
    return _passed(name, "a_next" + (", c_next" if family == "lstm" else "") + ", yt_pred and the cache")


def _check_cache(family, got, expected, name):
    names = CACHES[family]
    if not isinstance(got, (tuple, list)) or len(got) != len(names):
        return (f"The cache must be the course's tuple ({', '.join(names)}); {name} returned "
                f"{type(got).__name__}" + (f" of {len(got)}" if isinstance(got, (tuple, list)) else "") + ".")
    for entry, g, e in zip(names, got, expected):
        if entry == "parameters":
            continue
        line = diagnose.compare(f"cache entry {entry}", g, e)
        if line:
            return f"The returned values are right, but {line}."
    return None


def _first_in_cache(family, cache, quantities):
    """Name the first equation (in the order it is computed) whose value in the cache differs."""
    names = CACHES[family]
    if not isinstance(cache, (tuple, list)) or len(cache) != len(names):
        return []
    values = dict(zip(names, cache))
    for entry in ORDER[family]:
        quantity = QUANTITY[entry]
        reference = quantities["state" if (family == "gru" and entry == "a_next") else quantity]
        if diagnose.compare(entry, values[entry], reference):
            words = GATE_NAMES.get(quantity, "the new cell state c<t>" if quantity == "state" else quantity)
            return [f"The first value that differs is {words} ({entry} in the cache): "
                    f"{equation(family, quantity if family != 'gru' or entry != 'a_next' else 'state')}"]
    return []


def _forward(fn, name, family, rng):
    F = _reference()
    cell = f"{PREFIX[family]}_cell_forward"
    candidates = mutants.mistakes(family, output_layer=True)
    returns = {"simple_rnn": ("a", "y_pred", "caches"), "lstm": ("a", "y", "c", "caches"),
               "gru": ("a", "y", "caches")}[family]
    keys = [k for k in returns if k != "caches"]
    for n_x, n_a, n_y, m, T in SIZES:
        p = random_parameters(family, n_x, n_a, n_y, rng)
        x, a0 = rng.normal(size=(n_x, m, T)), rng.normal(size=(n_a, m))
        expected = unpack(getattr(F, name)(x, a0, p), returns, name)
        with reference_helpers(fn, [cell]):
            got = unpack(call(fn, name, x, a0, p), returns, name)
        line = _compare_all((k, got[k], expected[k]) for k in keys)
        if line is None:
            caches = got["caches"]
            if not (isinstance(caches, (tuple, list)) and len(caches) == 2 and len(caches[0]) == T):
                return failed(name, f"caches must be the course's pair (list of the {T} cell caches, x).")
            continue
        w, (W_y, b_y) = slide_weights(family, p), _output(family, p)

        def mutant(knobs, w=w, x=x, a0=a0):
            states = [a0] + ([np.zeros_like(a0)] if family == "lstm" else [])
            outputs, _, steps = variants.run(family, w, x.transpose(2, 0, 1), states, knobs)
            values = {"a": outputs.transpose(1, 2, 0),
                      "c": np.stack([q.get("state", q["a"]) for q in steps], axis=-1),
                      "y": np.stack([variants.output_layer(W_y, b_y, o, knobs) for o in outputs], -1)}
            values["y_pred"] = values["y"]
            return [values[k] for k in keys]

        lines = [f"With n_x={n_x}, n_a={n_a}, n_y={n_y}, m={m}, T_x={T}: {line}."]
        fits = diagnose.matching_mistakes([got[k] for k in keys], mutant, candidates)
        if fits:
            return _fits(name, lines, fits)
        a = np.asarray(got["a"]) if np.shape(got["a"]) == expected["a"].shape else None
        if a is not None:
            t = next((t for t in range(T) if not diagnose.close(a[:, :, t], expected["a"][:, :, t])), None)
            if t is not None:
                lines.append(f"a first differs at time step t = {t} (of 0..{T - 1}): check how a<t> "
                             "is passed on to the next step and stored in a[:, :, t].")
        lines.append(f"(Graded with the reference {cell}, so this is a mistake in {name} itself.)")
        return failed(name, *lines)
    return _passed(name, ", ".join(keys) + " at every time step")


def _cell_backward(fn, name, family, rng):
    F = _reference()
    forward = getattr(F, f"{PREFIX[family]}_cell_forward")
    for n_x, n_a, n_y, m, _ in SIZES:
        p = random_parameters(family, n_x, n_a, n_y, rng)
        xt, a_prev = rng.normal(size=(n_x, m)), rng.normal(size=(n_a, m))
        states = [a_prev] + ([rng.normal(size=(n_a, m))] if family == "lstm" else [])
        cache = forward(xt, *states, p)[-1]
        upstream = [rng.normal(size=(n_a, m)) for _ in states]
        reference = getattr(F, name)
        expected = reference(*upstream, cache)
        got = call(fn, name, *upstream, cache)
        line = _compare_dicts(got, expected, name)
        if line is None:
            continue
        lines = [f"With n_x={n_x}, n_a={n_a}, m={m}: {line}."]
        fits = [(detail, _dict_close(got, value)) for detail, value in
                _cell_backward_mutants(family, reference, upstream, cache, expected)]
        fits = [detail for detail, fit in fits if fit]
        if fits:
            return failed(name, *lines, *(f"- {d}" for d in fits), mistakes=["bptt_term_missing"])
        return failed(name, *lines)
    return _passed(name, "every gradient in the returned dict")


def _cell_backward_mutants(family, reference, upstream, cache, expected):
    """``(detail, result)`` for each way of dropping a term from the cell's backward pass."""
    if family == "lstm":
        da_next, dc_next = upstream
        yield ("dc_next, the gradient arriving through the cell state c<t>, is left out",
               reference(da_next, np.zeros_like(dc_next), cache))
        ft = cache[4]
        yield ("the direct path dc_prev += dc_next * Γ_f is left out (dc<t-1> gets only the "
               "path through a<t>)", {**expected, "dc_prev": expected["dc_prev"] - dc_next * ft})
    if family == "gru":
        (da_next,), ut = upstream, cache[2]
        yield ("the direct path da_prev += da_next * (1 - Γ_u) is left out (the slides: "
               "∂c<t>/∂c<t-1> = 1 - Γ_u through the direct path)",
               {**expected, "da_prev": expected["da_prev"] - da_next * (1 - ut)})


def _backward(fn, name, family, rng):
    F = _reference()
    prefix = PREFIX[family]
    cell_backward = getattr(F, f"{prefix}_cell_backward")
    for n_x, n_a, n_y, m, T in SIZES:
        p = random_parameters(family, n_x, n_a, n_y, rng)
        x, a0 = rng.normal(size=(n_x, m, T)), rng.normal(size=(n_a, m))
        caches = getattr(F, f"{prefix}_forward")(x, a0, p)[-1]
        da = rng.normal(size=(n_a, m, T))
        expected = getattr(F, name)(da, caches)
        with reference_helpers(fn, [f"{prefix}_cell_backward"]):
            got = call(fn, name, da, caches)
        line = _compare_dicts(got, expected, name)
        if line is None:
            continue
        lines = [f"With n_x={n_x}, n_a={n_a}, m={m}, T_x={T}: {line}."]
        fits = [detail for detail, flags in BPTT_MUTANTS if family == "lstm" or "carry_c" not in flags
                if _dict_close(got, bptt(family, cell_backward, da, caches, **flags))]
        if fits:
            return failed(name, *lines, *(f"- {d}" for d in fits), mistakes=["bptt_term_missing"])
        lines.append(f"(Graded with the reference {prefix}_cell_backward, so this is a mistake in "
                     f"{name} itself.)")
        return failed(name, *lines)
    return _passed(name, "every gradient in the returned dict")


BPTT_MUTANTS = (
    ("the gradient carried back from step t+1 (da_prevt) is not added to da[:, :, t]: each step "
     "sees only its own output's gradient", {"carry": False}),
    ("da[:, :, t], the gradient of the loss at step t itself, is left out (only the carried "
     "gradient is used)", {"upstream": False}),
    ("the weight gradients are not summed over time steps (= instead of +=)", {"accumulate": False}),
    ("dc is not carried back from step t+1 (it restarts at zero each step)", {"carry_c": False}),
)


def bptt(family, cell_backward, da, caches, carry=True, upstream=True, accumulate=True, carry_c=True):
    """Backpropagation through time from a cell's backward pass, with terms that can be dropped."""
    cell_caches, x = caches
    T = da.shape[2]
    da_prev = np.zeros_like(da[:, :, 0])
    dc_prev = np.zeros_like(da_prev)
    dx, total = np.zeros_like(x), {}
    for t in reversed(range(T)):
        incoming = (da[:, :, t] if upstream or t == T - 1 else 0) + (da_prev if carry else 0)
        if family == "lstm":
            grads = cell_backward(incoming, dc_prev if carry_c else np.zeros_like(dc_prev), cell_caches[t])
            dc_prev = grads["dc_prev"]
        else:
            grads = cell_backward(incoming, cell_caches[t])
        da_prev, dx[:, :, t] = grads["da_prev"], grads["dxt"]
        for key, value in grads.items():
            if key not in ("dxt", "da_prev", "dc_prev"):
                total[key] = total.get(key, 0) + value if accumulate else value
    return {"dx": dx, "da0": da_prev, **total}


def _compare_dicts(got, expected, name):
    if not isinstance(got, dict):
        return f"{name} must return a dict with keys {list(expected)}; it returned {type(got).__name__}"
    missing = [k for k in expected if k not in got]
    if missing:
        return f"the returned dict has no {', '.join(missing)} (expected keys {list(expected)})"
    return _compare_all((k, got[k], expected[k]) for k in expected)


def _dict_close(got, expected):
    return all(k in got and diagnose.close(got[k], expected[k]) for k in expected)


def _two_step(fn, name, family, rng):
    F = _reference()
    candidates = mutants.mistakes("simple_rnn")
    for n_x, n_a, _, m, _ in SIZES:
        X0, X1 = rng.normal(size=(m, n_x)), rng.normal(size=(m, n_x))
        Wx, Wh, b = rng.normal(size=(n_x, n_a)), rng.normal(size=(n_a, n_a)), rng.normal(size=(1, n_a))
        args = (X0, X1, Wx, Wh, b)
        expected = unpack(F.two_step_forward(*args), ("h0", "h1"), name)
        got = unpack(call(fn, name, *args), ("h0", "h1"), name)
        line = _compare_all((k, got[k], expected[k]) for k in ("h0", "h1"))
        if line is None:
            continue
        w = {"W_a": np.concatenate([Wh.T, Wx.T], axis=1), "b_a": b.T}

        def mutant(knobs, w=w, X0=X0, X1=X1):
            outputs, _, _ = variants.run("simple_rnn", w, np.stack([X0.T, X1.T]), [np.zeros((n_a, m))], knobs)
            return [outputs[0].T, outputs[1].T]

        lines = [f"With {m} instances, n_inputs={n_x}, n_neurons={n_a}: {line}."]
        fits = diagnose.matching_mistakes([got["h0"], got["h1"]], mutant, candidates)
        if fits:
            return _fits(name, lines, fits)
        lines.append("The slide: h0 = tanh(X0 Wx + b), h1 = tanh(h0 Wh + X1 Wx + b).")
        return failed(name, *lines)
    return _passed(name, "h0 and h1 against the slide's two steps, with random Wx, Wh and b", sized=False)


def _softmax(fn, name, family, rng):
    F = _reference()
    for z in (rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), 50.0 * rng.normal(size=(5, 2)) + 800.0):
        expected = F.softmax(z)
        got = call(fn, name, z)
        line = diagnose.compare("softmax(z)", got, expected)
        if line is None:
            continue
        lines = [f"With z of shape {z.shape} (classes on axis 0): {line}."]
        if diagnose.close(got, variants.softmax(z, variants.Knobs(softmax_axis=True))):
            return failed(name, *lines, "- it normalises over axis 1 (the batch); each column must "
                          "sum to 1", mistakes=["softmax_axis"])
        if z.max() > 700:
            lines.append("np.exp overflows for large z: subtract z.max(axis=0) first (it does not "
                         "change the result).")
        return failed(name, *lines)
    return _passed(name, "that the softmax is over the classes (axis 0) and stable for large values", sized=False)


def _clip(fn, name, family, rng):
    F = _reference()
    shapes = {"dWaa": (5, 5), "dWax": (5, 3), "dWya": (2, 5), "db": (5, 1), "dby": (2, 1)}
    for max_value in (10.0, 0.5):
        gradients = {k: 20.0 * rng.normal(size=s) for k, s in shapes.items()}
        expected = F.clip(gradients, max_value)
        got = call(fn, name, gradients, max_value)
        line = _compare_dicts(got, expected, name)
        if line:
            return failed(name, f"With max_value={max_value}: {line}.",
                          "Every entry must end up in [-max_value, max_value] (np.clip).")
    return _passed(name, "that every gradient is clipped to [-max_value, max_value]", sized=False)


def _sample(fn, name, family, rng):
    """The sampler is checked by its properties (any random generator may be used): a model
    sure of its next character must be followed exactly; a random model's first characters
    must follow its softmax; every sample ends with the newline's index."""
    vocab = list("\nabcdefg")
    char_to_ix = {c: i for i, c in enumerate(vocab)}
    n_x, n_a = len(vocab), 6
    p = random_parameters("simple_rnn", n_x, n_a, n_x, rng, scale=0.3)
    p["ba"] = np.zeros((n_a, 1))
    # a sure model: whatever the state, the next character is 'c' (index 3) ... for ever
    sure = {**p, "Wya": np.zeros((n_x, n_a)), "by": np.full((n_x, 1), -50.0)}
    sure["by"][3] = 50.0
    indices = _indices(call(fn, name, sure, char_to_ix, 0), name)
    if indices[:50] != [3] * 50 or indices[-1] != 0:
        return failed(name, "With a model whose softmax puts all its mass on index 3, the "
                      f"sample must be 50 times index 3, then the newline's index 0 (the "
                      f"course stops at 50 characters); it returned {indices[:12]}"
                      f"{'...' if len(indices) > 12 else ''}.")
    W_ya = rng.normal(0.0, 1.0, (n_x, n_a))
    model = {**p, "Wya": W_ya}
    first = np.exp(model["by"][:, 0] - model["by"][:, 0].max())
    first /= first.sum()  # the first step sees x = 0 and a = 0: ŷ<1> = softmax(b_y)
    counts = np.zeros(n_x)
    draws = 400
    for seed in range(draws):
        indices = _indices(call(fn, name, model, char_to_ix, seed), name)
        if indices[-1] != char_to_ix["\n"] or len(indices) > 51:
            return failed(name, f"A sample must end with the newline's index and hold at most 50 "
                          f"characters before it; seed {seed} gave {indices}.")
        counts[indices[0]] += 1
    expected = draws * first
    chi2 = float(np.sum((counts - expected) ** 2 / np.maximum(expected, 1e-9)))
    if chi2 > 40.0:  # 7 degrees of freedom: p < 1e-5 for a correct sampler
        return failed(name, f"Over {draws} seeds the first characters do not follow ŷ<1> = "
                      f"softmax(W_ya a<1> + b_y) (chi-square {chi2:.0f}): draw each index with "
                      "probability y.ravel() (np.random.choice(vocab_size, p=...)).",
                      mistakes=["softmax_axis"] if chi2 > 1e6 else [])
    return _passed(name, "that the samples follow the model's softmax and stop at the newline", sized=False)


def _indices(result, name):
    if not isinstance(result, (list, tuple, np.ndarray)) or not len(result):
        raise StudentError(f"{name} must return a list of character indices; it returned "
                           f"{type(result).__name__}.")
    return [int(i) for i in result]


KINDS = {"cell_forward": _cell_forward, "forward": _forward, "cell_backward": _cell_backward,
         "backward": _backward, "two_step": _two_step, "softmax": _softmax, "clip": _clip,
         "sample": _sample}


def _fits(name, lines, fits):
    lines = lines + ["Your result is exactly what these known mistakes give:"]
    lines += [f"- {m.detail}" for m in fits]
    return failed(name, *lines, mistakes=[k for m in fits for k in m.keys])


def _passed(name, what, sized=True):
    """A passing report: ``what`` was checked (on the :data:`SIZES` where ``sized``)."""
    sizes = "; ".join(f"n_x={a}, n_a={b}, n_y={c}, m={d}, T_x={e}" for a, b, c, d, e in SIZES)
    where = f", on random weights and biases ({sizes})" if sized else ""
    return Report(name, True, [], [f"Checked {what}{where}."])


def check_function(fn, name, *, seed=0):
    """Grade the student's ``fn`` as the course function ``name`` (a key of :data:`FUNCTIONS`).

    Returns a :class:`~rnn_zoo.grading.Report`; never raises for anything the student's code
    does (an exception, wrong types or shapes, a stub raising ``NotImplementedError``)."""
    if name not in FUNCTIONS:
        raise ValueError(f"`name` must be one of {sorted(FUNCTIONS)}; received name={name!r}")
    if not callable(fn):
        return failed(name, f"Expected the function {name}; received {type(fn).__name__}.")
    family, kind = FUNCTIONS[name]
    rng = np.random.default_rng(seed)
    try:
        return KINDS[kind](fn, name, family, rng)
    except StudentError as error:
        return failed(name, str(error), mistakes=error.mistakes)
