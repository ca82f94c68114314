"""The proof harness: every zoo cell and layer against Keras's built-in twin, with random weights.

Each :class:`Case` builds one layer with seeded random weights (biases too; constant
initialisers cannot tell a swapped gate from the right one), converts it with
:func:`rnn_zoo.from_keras` or :func:`rnn_zoo.to_keras`, runs both on the same random inputs and
compares, in float32:

* the outputs and the final states,
* the gradients of a random linear function of all of them with respect to the inputs, the
  initial states and every weight (the zoo's weight gradients mapped into the built-in's layout
  by the converter's own :func:`rnn_zoo.proof.convert.map_arrays`).

The test suite runs every case of :data:`CASES`; ``rnn-zoo verify`` prints them as a table.
"""

import dataclasses

import keras
import numpy as np

import rnn_zoo
from rnn_zoo import backends
from rnn_zoo.proof.convert import cell_pairs, map_arrays

ATOL = RTOL = 1e-5
BATCH, TIME = 3, 6

# family -> (zoo layer, built-in layer, extra arguments)
FAMILIES = {
    "SimpleRNN": (rnn_zoo.SimpleRNN, keras.layers.SimpleRNN, {}),
    "SimplifiedGRU": (rnn_zoo.SimplifiedGRU, keras.layers.GRU, {}),
    "GRU": (rnn_zoo.GRU, keras.layers.GRU, {"reset_after": False}),
    "GRU(reset_after)": (rnn_zoo.GRU, keras.layers.GRU, {"reset_after": True}),
    "LSTM": (rnn_zoo.LSTM, keras.layers.LSTM, {}),
}
# Which positions are padding (False) in each mask pattern, for a (BATCH, TIME) batch.
MASKS = {
    "post": np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0], [1, 0, 0, 0, 0, 0]], bool),
    "pre": np.array([[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 0, 1]], bool),
    "holes": np.array([[1, 0, 1, 1, 0, 1], [0, 1, 1, 0, 1, 1], [1, 1, 0, 0, 0, 0]], bool),
}


@dataclasses.dataclass(frozen=True)
class Case:
    """One configuration to check; ``direction`` says which side is built first."""

    family: str
    direction: str = "from_keras"  # or "to_keras"
    units: int = 4
    input_dim: int = 3
    return_sequences: bool = True
    go_backwards: bool = False
    use_bias: bool = True
    unroll: bool = False
    initial_state: bool = False
    mask: str = None  # a key of MASKS
    stateful: bool = False
    wrapper: str = None  # "bidirectional" or "stacked"

    @property
    def name(self):
        defaults = Case(self.family)
        changed = [
            f"{f.name}={getattr(self, f.name)}"
            for f in dataclasses.fields(self)
            if f.name not in ("family", "direction") and getattr(self, f.name) != getattr(defaults, f.name)
        ]
        return f"{self.family} {self.direction} " + (" ".join(changed) or "default")


def _variants():
    yield {}
    yield {"units": 7, "input_dim": 1, "return_sequences": False}
    yield {"go_backwards": True}
    yield {"use_bias": False}
    yield {"unroll": True}
    yield {"initial_state": True}
    yield {"initial_state": True, "go_backwards": True, "mask": "post"}
    for mask in MASKS:
        yield {"mask": mask}
    yield {"stateful": True}
    yield {"wrapper": "bidirectional"}
    yield {"wrapper": "bidirectional", "mask": "post", "initial_state": True}
    yield {"wrapper": "stacked", "mask": "holes"}


CASES = [
    Case(family, direction, **variant)
    for family in FAMILIES
    for direction in ("from_keras", "to_keras")
    if not (family == "SimplifiedGRU" and direction == "from_keras")  # no built-in to start from
    for variant in _variants()
    if not (family == "SimplifiedGRU" and variant.get("use_bias") is False)  # not representable
]


def _covering():
    """A subset of :data:`CASES` that still has every family in both directions and every
    setting: per (family, direction), the default case, the case that combines initial states,
    ``go_backwards`` and a mask, and two more settings in turn (for the other backends' runs in
    the test suite, where each case costs more)."""
    combined = {"initial_state": True, "go_backwards": True, "mask": "post"}
    pairs = list(dict.fromkeys((c.family, c.direction) for c in CASES))
    extras = [v for v in _variants() if v and v != combined]
    chosen = []
    for i, (family, direction) in enumerate(pairs):
        for variant in ({}, combined, *(extras[j % len(extras)] for j in (2 * i, 2 * i + 1))):
            case = Case(family, direction, **variant)
            if case in CASES and case not in chosen:
                chosen.append(case)
    return chosen


COVERING_CASES = _covering()


def _layer(case, zoo):
    """The case's layer, zoo or built-in, unbuilt; it always returns its final states."""
    zoo_class, builtin_class, extra = FAMILIES[case.family]
    rnn_kwargs = dict(
        return_sequences=case.return_sequences, return_state=True,
        go_backwards=case.go_backwards, unroll=case.unroll, stateful=case.stateful,
    )
    make = zoo_class if zoo else builtin_class
    if case.wrapper == "stacked":
        cells = [make(case.units, use_bias=case.use_bias, **extra).cell for _ in range(2)]
        return keras.layers.RNN(cells, **rnn_kwargs)
    layer = make(case.units, use_bias=case.use_bias, **extra, **rnn_kwargs)
    if case.wrapper == "bidirectional":
        layer = keras.layers.Bidirectional(layer)
    return layer


def _state_sizes(layer):
    if isinstance(layer, keras.layers.Bidirectional):
        return _state_sizes(layer.forward_layer) * 2
    sizes = layer.cell.state_size
    return [s for size in (sizes if isinstance(sizes, list) else [sizes])
            for s in (size if isinstance(size, list) else [size])]


def _randomize(layer, rng):
    for variable in layer.trainable_weights:
        variable.assign(rng.normal(0.0, 0.5, variable.shape).astype("float32"))


def _run(layer, x, states, mask, seed):
    """Outputs, final states, and the gradients of ``sum(P * result)`` over all results,
    with random projections ``P`` drawn from ``seed`` (the same for both layers), through the
    running backend's autodiff."""
    weights = layer.trainable_weights

    def loss(x, *states):
        kwargs = {"mask": keras.ops.convert_to_tensor(mask)} if mask is not None else {}
        if states:
            kwargs["initial_state"] = list(states)
        results = keras.tree.flatten(layer(x, **kwargs))
        rng = np.random.default_rng(seed)
        projections = [keras.ops.convert_to_tensor(rng.normal(size=tuple(r.shape)).astype("float32"))
                       for r in results]
        return sum(keras.ops.sum(r * p) for r, p in zip(results, projections)), results

    results, dinputs, dweights = backends.gradients(loss, [x, *states], weights)
    return results, dinputs, {id(v): g for v, g in zip(weights, dweights)}


def _max_error(actual, expected):
    """The largest |a - e| and whether every pair is within atol + rtol * |e|."""
    worst, ok = 0.0, True
    for a, e in zip(actual, expected):
        a, e = np.asarray(a, np.float64), np.asarray(e, np.float64)
        assert a.shape == e.shape, (a.shape, e.shape)
        if a.size:
            worst = max(worst, float(np.max(np.abs(a - e))))
            ok = ok and bool(np.allclose(a, e, atol=ATOL, rtol=RTOL))
    return worst, ok


def run_case(case, seed=0):
    """``{"outputs": (max abs diff, ok), "states": ..., "gradients": ...}`` for one case."""
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    first = _layer(case, zoo=case.direction == "to_keras")
    first.build((BATCH, TIME, case.input_dim))
    _randomize(first, rng)
    second = rnn_zoo.to_keras(first) if case.direction == "to_keras" else rnn_zoo.from_keras(first)
    zoo, builtin = (first, second) if case.direction == "to_keras" else (second, first)

    x = rng.normal(size=(BATCH, TIME, case.input_dim)).astype("float32")
    sizes = _state_sizes(zoo)
    states = [rng.normal(size=(BATCH, s)).astype("float32") for s in sizes] if case.initial_state else []
    mask = MASKS[case.mask] if case.mask else None
    if case.stateful:  # the first batch only moves the states on; compare on the second
        builtin(x), zoo(x)
        x = rng.normal(size=x.shape).astype("float32")

    zoo_out, zoo_dinputs, zoo_dweights = _run(zoo, x, states, mask, seed)
    ref_out, ref_dinputs, ref_dweights = _run(builtin, x, states, mask, seed)

    mapped, reference = [], []
    for zoo_cell, builtin_cell in cell_pairs(zoo, builtin):
        zoo_grads = [zoo_dweights[id(v)] for v in zoo_cell.trainable_weights]
        mapped += map_arrays(zoo_cell, zoo_grads, gradients=True)
        reference += [ref_dweights[id(v)] for v in builtin_cell.trainable_weights]
    return {
        "outputs": _max_error(zoo_out[:1], ref_out[:1]),
        "states": _max_error(zoo_out[1:], ref_out[1:]),
        "gradients": _max_error(zoo_dinputs + mapped, ref_dinputs + reference),
    }


def main(cases=CASES, out=print):
    """Print the table; return the number of cases outside tolerance."""
    out(f"rnn_zoo vs Keras {keras.__version__} built-ins, float32, random weights; "
        f"pass = every value within atol={ATOL} + rtol={RTOL} * |reference|")
    header = f"{'case':<72} {'outputs':>9} {'states':>9} {'grads':>9}  result"
    out(header)
    out("-" * len(header))
    failures = 0
    for case in cases:
        result = run_case(case)
        ok = all(passed for _, passed in result.values())
        failures += not ok
        diffs = " ".join(f"{worst:9.1e}" for worst, _ in result.values())
        out(f"{case.name:<72} {diffs}  {'pass' if ok else 'FAIL'}")
    out(f"{len(cases) - failures} passed, {failures} failed")
    return failures
