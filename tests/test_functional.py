"""rnn_zoo.functional: the course's NumPy RNN/LSTM and the slides' GRU, checked three ways.

Backward passes against centred finite differences (float64), forward passes and gradients
against the zoo's Keras cells (float32, through ``to_cell``), and every argument check.
"""

import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnn_zoo
from conftest import randomize
from rnn_zoo import functional as F
from rnn_zoo.functional import shapes
from rnn_zoo.studies.bptt import numerical_gradient, relative_error
from rnn_zoo.cells.two_step import X0_BATCH, X1_BATCH

SIZES = {"n_x": 3, "n_a": 5, "n_y": 2, "m": 4, "T_x": 6}
SQUARE = {**SIZES, "m": 5}  # m == n_a: a (n_a,) bias would broadcast along the batch unnoticed
ALL_SIZES = pytest.mark.parametrize("sizes", [SIZES, SQUARE], ids=["m=4", "m=n_a"])
FAMILIES = ("rnn", "lstm", "gru")
ALL_FAMILIES = pytest.mark.parametrize("family", FAMILIES)
ZOO_FAMILY = {"rnn": "simple_rnn", "lstm": "lstm", "gru": "gru"}


# ------------------------------------------------------------------------------ shared data
def make_parameters(family, sizes, rng, scale=0.5):
    """Random non-zero weights and biases for ``family``, output layer included."""
    table = {**shapes.CELL_PARAMETERS[family], **shapes.OUTPUT_PARAMETERS[family]}
    return {key: rng.normal(0.0, scale, tuple(shapes.resolve(d, sizes) for d in dims))
            for key, dims in table.items()}


def make_inputs(sizes, rng):
    """``x`` (n_x, m, T_x), ``a0`` and ``c0`` (n_a, m)."""
    n_x, n_a, m, T_x = sizes["n_x"], sizes["n_a"], sizes["m"], sizes["T_x"]
    return rng.normal(size=(n_x, m, T_x)), rng.normal(size=(n_a, m)), rng.normal(size=(n_a, m))


def cell_forward(family, xt, a_prev, c_prev, parameters):
    """``(a_next, c_next or None, cache)`` of one step of ``family``."""
    if family == "lstm":
        a_next, c_next, _, cache = F.lstm_cell_forward(xt, a_prev, c_prev, parameters)
        return a_next, c_next, cache
    a_next, _, cache = getattr(F, f"{family}_cell_forward")(xt, a_prev, parameters)
    return a_next, None, cache


def cell_backward(family, da_next, dc_next, cache):
    if family == "lstm":
        return F.lstm_cell_backward(da_next, dc_next, cache)
    return getattr(F, f"{family}_cell_backward")(da_next, cache)


def forward(family, x, a0, parameters):
    """``(a, y, c or None, caches)`` over a sequence."""
    if family == "lstm":
        return F.lstm_forward(x, a0, parameters)
    a, y, caches = getattr(F, f"{family}_forward")(x, a0, parameters)
    return a, y, None, caches


def cell_keys(family):
    return list(shapes.CELL_PARAMETERS[family])


def assert_gradients(loss, analytic, variables):
    """Each ``analytic[name]`` equals the centred finite differences of ``loss()`` with
    respect to ``variables[name]`` (an array that ``loss`` reads)."""
    assert set(analytic) == set(variables)
    for name, array in variables.items():
        assert analytic[name].shape == array.shape, name
        numeric = numerical_gradient(loss, array, eps=1e-5)
        assert relative_error(analytic[name], numeric) < 1e-6, name


def softmax_columns(z):
    e = np.exp(z)
    return e / e.sum(axis=0)


# ------------------------------------------------------------- 1. backward = finite differences
@ALL_SIZES
@ALL_FAMILIES
def test_cell_backward_equals_finite_differences(family, sizes):
    rng = np.random.default_rng(1)
    parameters = make_parameters(family, sizes, rng)
    x, a_prev, c_prev = make_inputs(sizes, rng)
    xt = x[:, :, 0].copy()
    Ga, Gc = rng.normal(size=a_prev.shape), rng.normal(size=a_prev.shape)  # L = Σ Ga*a + Σ Gc*c

    def loss():
        a_next, c_next, _ = cell_forward(family, xt, a_prev, c_prev, parameters)
        return np.sum(Ga * a_next) + (0.0 if c_next is None else np.sum(Gc * c_next))

    _, _, cache = cell_forward(family, xt, a_prev, c_prev, parameters)
    gradients = cell_backward(family, Ga, Gc, cache)
    variables = {"dxt": xt, "da_prev": a_prev, **{f"d{k}": parameters[k] for k in cell_keys(family)}}
    if family == "lstm":
        variables["dc_prev"] = c_prev
    assert_gradients(loss, gradients, variables)


@ALL_SIZES
@ALL_FAMILIES
def test_backward_through_time_equals_finite_differences(family, sizes):
    rng = np.random.default_rng(2)
    parameters = make_parameters(family, sizes, rng)
    x, a0, _ = make_inputs(sizes, rng)
    G = rng.normal(size=(sizes["n_a"], sizes["m"], sizes["T_x"]))  # L = Σ G * a, all steps

    def loss():
        return np.sum(G * forward(family, x, a0, parameters)[0])

    caches = forward(family, x, a0, parameters)[3]
    gradients = getattr(F, f"{family}_backward")(G, caches)
    variables = {"dx": x, "da0": a0, **{f"d{k}": parameters[k] for k in cell_keys(family)}}
    assert_gradients(loss, gradients, variables)


@ALL_FAMILIES
def test_forward_outputs_and_caches(family):
    rng = np.random.default_rng(3)
    parameters = make_parameters(family, SIZES, rng)
    x, a0, _ = make_inputs(SIZES, rng)
    a, y, c, (steps, x_cached) = forward(family, x, a0, parameters)
    n_a, n_y, m, T_x = SIZES["n_a"], SIZES["n_y"], SIZES["m"], SIZES["T_x"]
    assert a.shape == (n_a, m, T_x) and y.shape == (n_y, m, T_x)
    Wy = parameters["Wya" if family == "rnn" else "Wy"]
    for t in range(T_x):
        np.testing.assert_allclose(y[:, :, t], softmax_columns(Wy @ a[:, :, t] + parameters["by"]))
    np.testing.assert_allclose(y.sum(axis=0), 1.0)
    assert len(steps) == T_x and x_cached is x
    assert len(steps[0]) == {"rnn": 4, "lstm": 10, "gru": 7}[family]
    assert steps[0][-1] is parameters and steps[0][0] is not None
    np.testing.assert_array_equal(steps[-1][0], a[:, :, -1])  # a_next is the cache's first item
    if family == "lstm":
        assert c.shape == (n_a, m, T_x)
        np.testing.assert_array_equal(steps[0][3], np.zeros((n_a, m)))  # c<0> = 0


def test_integer_arrays_count_as_float():
    rng = np.random.default_rng(4)
    parameters = make_parameters("rnn", SIZES, rng)
    x = rng.integers(-2, 3, size=(3, 4, 6))
    a0 = np.zeros((5, 4), dtype=np.int64)
    np.testing.assert_array_equal(F.rnn_forward(x, a0, parameters)[0],
                                  F.rnn_forward(x.astype(float), a0.astype(float), parameters)[0])


def test_activations():
    z = np.array([[-1000.0, 0.0, 1000.0], [2.0, 0.0, -3.0]])
    with np.errstate(over="raise"):
        s, p = F.sigmoid(z), F.softmax(z)
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-np.clip(z, -700, 700))), atol=1e-300)
    np.testing.assert_allclose(p.sum(axis=0), 1.0)  # over axis 0, the classes
    np.testing.assert_allclose(p[:, 1], [0.5, 0.5])
    np.testing.assert_allclose(F.softmax(np.array([[1.0], [2.0]])), softmax_columns(np.array([[1.0], [2.0]])))


# ------------------------------------------------------------------ 2. forward = the zoo cells
def zoo_layer(family, parameters):
    cell = F.to_cell(parameters, ZOO_FAMILY[family])
    return cell, keras.layers.RNN(cell, return_sequences=True, return_state=True)


def zoo_initial_state(family, a0):
    a0 = tf.constant(a0.T, tf.float32)
    return [a0, tf.zeros_like(a0)] if family == "lstm" else [a0]


def batch_major(x):
    """(n_x, m, T_x) -> (m, T_x, n_x), float32."""
    return tf.constant(x.transpose(1, 2, 0), tf.float32)


@ALL_SIZES
@ALL_FAMILIES
def test_forward_equals_the_zoo_cell(family, sizes):
    rng = np.random.default_rng(5)
    parameters = make_parameters(family, sizes, rng)
    x, a0, _ = make_inputs(sizes, rng)
    a, _, c, _ = forward(family, x, a0, parameters)

    _, layer = zoo_layer(family, parameters)
    sequence, *states = layer(batch_major(x), initial_state=zoo_initial_state(family, a0))
    np.testing.assert_allclose(np.asarray(sequence).transpose(2, 0, 1), a, atol=1e-5)
    np.testing.assert_allclose(np.asarray(states[0]).T, a[:, :, -1], atol=1e-5)
    if family == "lstm":
        np.testing.assert_allclose(np.asarray(states[1]).T, c[:, :, -1], atol=1e-5)


@ALL_FAMILIES
def test_from_cell_of_a_random_zoo_cell_computes_the_same(family):
    cell = {"rnn": rnn_zoo.SimpleRNNCell, "lstm": rnn_zoo.LSTMCell, "gru": rnn_zoo.GRUCell}[family](5)
    cell.build((None, 3))
    randomize(cell, np.random.default_rng(6))
    rng = np.random.default_rng(7)
    parameters = {**make_parameters(family, SIZES, rng), **F.from_cell(cell)}  # output layer + cell
    x, a0, _ = make_inputs(SIZES, rng)
    layer = keras.layers.RNN(cell, return_sequences=True)
    a_zoo = np.asarray(layer(batch_major(x), initial_state=zoo_initial_state(family, a0)))
    np.testing.assert_allclose(a_zoo.transpose(2, 0, 1), forward(family, x, a0, parameters)[0], atol=1e-5)


# ------------------------------------------------------------ 3. backward = tf.GradientTape
@ALL_SIZES
@ALL_FAMILIES
def test_backward_equals_gradient_tape_through_the_zoo_cell(family, sizes):
    rng = np.random.default_rng(8)
    parameters = make_parameters(family, sizes, rng)
    x, a0, _ = make_inputs(sizes, rng)
    da = rng.normal(size=(sizes["n_a"], sizes["m"], sizes["T_x"]))
    ours = getattr(F, f"{family}_backward")(da, forward(family, x, a0, parameters)[3])

    cell = F.to_cell(parameters, ZOO_FAMILY[family])
    layer = keras.layers.RNN(cell, return_sequences=True)
    x_tf, state = batch_major(x), zoo_initial_state(family, a0)
    weights = [cell.kernel, cell.recurrent_kernel, cell.bias]
    with tf.GradientTape() as tape:
        tape.watch([x_tf, state[0]])
        a = layer(x_tf, initial_state=state)
        loss = tf.reduce_sum(batch_major(da) * a)                  # Σ_t da<t> · a<t>
    dx, da0, *d_weights = tape.gradient(loss, [x_tf, state[0], *weights])

    # The weight gradients have the weights' layout: hold them in a cell and read it the same way.
    holder = F.to_cell(parameters, ZOO_FAMILY[family], dtype="float64")
    for variable, gradient in zip([holder.kernel, holder.recurrent_kernel, holder.bias], d_weights):
        variable.assign(np.asarray(gradient, np.float64))
    theirs = {"dx": np.asarray(dx).transpose(2, 0, 1), "da0": np.asarray(da0).T,
              **{f"d{k}": v for k, v in F.from_cell(holder).items()}}
    assert set(theirs) == set(ours)
    for key in ours:
        assert relative_error(ours[key], theirs[key]) < 1e-4, key


# ---------------------------------------------------------------------------- 4. converters
@ALL_FAMILIES
def test_to_cell_from_cell_round_trip(family):
    parameters = make_parameters(family, SIZES, np.random.default_rng(9))
    exact = F.from_cell(F.to_cell(parameters, ZOO_FAMILY[family], dtype="float64"))
    assert list(exact) == cell_keys(family)
    for key, value in exact.items():
        assert value.dtype == np.float64
        np.testing.assert_array_equal(value, parameters[key])
    cell = F.to_cell(parameters, ZOO_FAMILY[family])  # float32 by default
    assert cell.units == SIZES["n_a"] and cell.kernel.shape[0] == SIZES["n_x"]
    for key, value in F.from_cell(cell).items():
        np.testing.assert_allclose(value, parameters[key], rtol=1e-6)


def test_to_cell_lstm_bias_overrides_unit_forget_bias():
    parameters = make_parameters("lstm", SIZES, np.random.default_rng(10))
    cell = F.to_cell(parameters, "lstm", dtype="float64")
    assert cell.unit_forget_bias
    np.testing.assert_array_equal(cell.slide_weights()["b_f"], parameters["bf"][:, 0])
    np.testing.assert_array_equal(cell.slide_weights()["W_u"], parameters["Wi"])  # Γ_u = the course's i


def built(cell, input_dim=3):
    cell.build((None, input_dim))
    return cell


@pytest.mark.parametrize("make, words", [
    (lambda: built(rnn_zoo.SimplifiedGRUCell(4)), "SimplifiedGRUCell"),
    (lambda: built(rnn_zoo.GRUCell(4, reset_after=True)), "reset_after=True"),
    (lambda: built(keras.layers.LSTMCell(4)), "from_keras"),
    (lambda: rnn_zoo.LSTM(4), "`.cell`"),
    (lambda: rnn_zoo.LSTMCell(4), "not built"),
    (lambda: built(rnn_zoo.SimpleRNNCell(4, activation="relu")), "activation='relu'"),
    (lambda: built(rnn_zoo.GRUCell(4, recurrent_activation="hard_sigmoid")), "recurrent_activation"),
    (lambda: "a cell", "str"),
], ids=["simplified", "reset_after", "builtin", "layer", "unbuilt", "relu", "hard_sigmoid", "str"])
def test_from_cell_refuses_what_it_cannot_compute(make, words):
    with pytest.raises(ValueError, match="from_cell") as error:
        F.from_cell(make())
    assert words in str(error.value)


# ------------------------------------------------------------------------ 5. clip and sample
def test_clip():
    gradients = {"dWax": np.array([[-20.0, 3.0], [11.0, -0.5]]), "dba": np.array([[7.0], [-9.0]])}
    before = {k: v.copy() for k, v in gradients.items()}
    clipped = F.clip(gradients, 5)
    np.testing.assert_array_equal(clipped["dWax"], [[-5.0, 3.0], [5.0, -0.5]])
    np.testing.assert_array_equal(clipped["dba"], [[5.0], [-5.0]])
    assert clipped is not gradients and set(clipped) == set(gradients)
    for key in gradients:
        np.testing.assert_array_equal(gradients[key], before[key])  # the input is untouched
        assert not np.shares_memory(clipped[key], gradients[key])


@pytest.mark.parametrize("max_value, error", [
    (0, ValueError), (-1.0, ValueError), (float("inf"), ValueError), (float("nan"), ValueError),
    ("5", TypeError), (True, TypeError), (None, TypeError),
])
def test_clip_refuses_a_bad_max_value(max_value, error):
    with pytest.raises(error, match="max_value"):
        F.clip({"dWax": np.ones((2, 2))}, max_value)


CHARS = "\nabcdefghijklmnopqrstuvwxyz"
CHAR_TO_IX = {ch: i for i, ch in enumerate(CHARS)}


def language_model(rng, vocab_size=len(CHARS), n_a=8):
    sizes = {"n_x": vocab_size, "n_a": n_a, "n_y": vocab_size}
    return make_parameters("rnn", sizes, rng, scale=1.0)


def test_sample_is_reproducible_and_ends_with_a_newline():
    parameters = language_model(np.random.default_rng(11))
    runs = [F.sample(parameters, CHAR_TO_IX, seed=seed) for seed in (0, 0, 1, 2, 3)]
    assert runs[0] == runs[1]
    assert any(run != runs[0] for run in runs[2:])
    for run in runs:
        assert run[-1] == CHAR_TO_IX["\n"] and "\n" not in [CHARS[i] for i in run[:-1]]
        assert all(isinstance(i, int) and 0 <= i < len(CHARS) for i in run)
        assert len(run) <= 51


def test_sample_with_all_mass_on_one_character():
    parameters = language_model(np.random.default_rng(12))
    parameters["Wya"] = np.zeros_like(parameters["Wya"])
    parameters["by"] = np.full_like(parameters["by"], -50.0)
    parameters["by"][CHAR_TO_IX["q"]] = 50.0
    assert F.sample(parameters, CHAR_TO_IX, max_length=7) == [CHAR_TO_IX["q"]] * 7 + [0]
    assert len(F.sample(parameters, CHAR_TO_IX)) == 51  # the course's limit, 50, then "\n"
    parameters["by"][:] = -50.0
    parameters["by"][CHAR_TO_IX["\n"]] = 50.0
    assert F.sample(parameters, CHAR_TO_IX, max_length=7) == [0]  # a newline ends it at once


def test_sample_draws_from_the_softmax():
    # With Wya = 0 every step draws from softmax(by) = (0.1, 0.6, 0.3); "\n" (0) ends a sample.
    parameters = language_model(np.random.default_rng(13), vocab_size=3)
    parameters["Wya"] = np.zeros_like(parameters["Wya"])
    parameters["by"] = np.log(np.array([[0.1], [0.6], [0.3]]))
    runs = [F.sample(parameters, {"\n": 0, "a": 1, "b": 2}, seed=s, max_length=1000) for s in range(200)]
    counts = np.bincount(np.concatenate(runs), minlength=3)
    assert counts[0] == 200                                   # one newline each
    assert 1.7 < counts[1] / counts[2] < 2.3                  # 0.6 / 0.3
    assert 8 < np.mean([len(run) for run in runs]) < 12       # geometric, mean 1 / 0.1


@pytest.mark.parametrize("char_to_ix, error", [
    ({ch: i for i, ch in enumerate("abcdefghijklmnopqrstuvwxyz.")}, ValueError),  # no "\n"
    ({ch: i for i, ch in enumerate(CHARS[:-1])}, ValueError),                   # too few
    ({**CHAR_TO_IX, "z": 0}, ValueError),                                        # two at 0
    ({**CHAR_TO_IX, "z": 26.0}, TypeError),                                      # not an int
    (list(CHARS), TypeError),
], ids=["no-newline", "too-few", "duplicate", "float-index", "list"])
def test_sample_refuses_a_bad_char_to_ix(char_to_ix, error):
    with pytest.raises(error, match="char_to_ix"):
        F.sample(language_model(np.random.default_rng(14)), char_to_ix)


# ------------------------------------------------------------------------------- 6. two_step
def test_two_step_forward_equals_the_two_step_layer():
    X0, X1 = np.array(X0_BATCH, "float32"), np.array(X1_BATCH, "float32")
    layer = rnn_zoo.TwoStepRNN(5, seed=42)
    layer.build([X0.shape, X1.shape])
    layer.b.assign(np.random.default_rng(15).normal(size=(1, 5)))  # a non-zero bias too
    h0, h1 = (np.asarray(h) for h in layer([X0, X1]))
    Wx, Wh, b = (np.asarray(w, np.float64) for w in (layer.Wx, layer.Wh, layer.b))
    ours = F.two_step_forward(np.array(X0_BATCH), np.array(X1_BATCH), Wx, Wh, b)  # ints are fine
    np.testing.assert_allclose(ours[0], h0, atol=1e-5)
    np.testing.assert_allclose(ours[1], h1, atol=1e-5)
    assert ours[0].shape == ours[1].shape == (4, 5)


# ------------------------------------------------------------------------------ 7. bad input
def _valid_calls():
    """Keyword arguments of one valid call of each function, with m == n_a."""
    rng = np.random.default_rng(16)
    sizes = SQUARE
    n_a, m = sizes["n_a"], sizes["m"]
    p = {family: make_parameters(family, sizes, rng) for family in FAMILIES}
    x, a0, c0 = make_inputs(sizes, rng)
    xt = x[:, :, 0]
    caches = {family: forward(family, x, a0, p[family])[3] for family in FAMILIES}
    da, da_next = rng.normal(size=(n_a, m, sizes["T_x"])), rng.normal(size=(n_a, m))
    calls = {
        "sigmoid": {"z": xt}, "softmax": {"z": xt},
        "rnn_cell_forward": {"xt": xt, "a_prev": a0, "parameters": p["rnn"]},
        "rnn_forward": {"x": x, "a0": a0, "parameters": p["rnn"]},
        "rnn_cell_backward": {"da_next": da_next, "cache": caches["rnn"][0][0]},
        "rnn_backward": {"da": da, "caches": caches["rnn"]},
        "lstm_cell_forward": {"xt": xt, "a_prev": a0, "c_prev": c0, "parameters": p["lstm"]},
        "lstm_forward": {"x": x, "a0": a0, "parameters": p["lstm"]},
        "lstm_cell_backward": {"da_next": da_next, "dc_next": da_next, "cache": caches["lstm"][0][0]},
        "lstm_backward": {"da": da, "caches": caches["lstm"]},
        "gru_cell_forward": {"xt": xt, "a_prev": a0, "parameters": p["gru"]},
        "gru_forward": {"x": x, "a0": a0, "parameters": p["gru"]},
        "gru_cell_backward": {"da_next": da_next, "cache": caches["gru"][0][0]},
        "gru_backward": {"da": da, "caches": caches["gru"]},
        "clip": {"gradients": {"dWax": p["rnn"]["Wax"], "dba": p["rnn"]["ba"]}, "max_value": 5.0},
        "sample": {"parameters": language_model(rng), "char_to_ix": CHAR_TO_IX, "seed": 0,
                   "max_length": 50},
        "two_step_forward": {"X0": np.ones((4, 3)), "X1": np.ones((4, 3)), "Wx": np.ones((3, 5)),
                             "Wh": np.ones((5, 5)), "b": np.ones((1, 5))},
        "to_cell": {"parameters": p["gru"], "family": "gru"},
    }
    return calls, caches


VALID, CACHES = _valid_calls()


def test_the_valid_calls_are_valid():
    for name, kwargs in VALID.items():
        if name != "to_cell":  # imports Keras; covered by the converter tests
            getattr(F, name)(**kwargs)


def changed(name, argument, value):
    """The valid call of ``name`` with ``argument`` replaced by ``value(old)``."""
    return name, {**VALID[name], argument: value(VALID[name][argument])}


def param(name, key, value):
    """The valid call of ``name`` with ``parameters[key]`` replaced (deleted when value is None)."""
    parameters = dict(VALID[name]["parameters"])
    if value is None:
        del parameters[key]
    else:
        parameters[key] = value(parameters[key])
    return name, {**VALID[name], "parameters": parameters}


def swap_cache_item(name, t, index, value):
    """The valid call of the sequence backward ``name`` with item ``index`` of step ``t``'s cache
    replaced by ``value(old)``."""
    steps, x = VALID[name]["caches"]
    step = list(steps[t])
    step[index] = value(step[index])
    steps = [*steps[:t], tuple(step), *steps[t + 1:]]
    return name, {**VALID[name], "caches": (steps, x)}


column = lambda b: b[:, 0]  # noqa: E731  -- a (n,) bias: broadcasts along m when m == n_a
BAD_CALLS = {
    # id: ((function, kwargs), error, what the message must name)
    "xt-3d": (changed("rnn_cell_forward", "xt", lambda v: v[:, :, None]), ValueError, "xt"),
    "xt-list": (changed("rnn_cell_forward", "xt", lambda v: v.tolist()), TypeError, "xt"),
    "xt-string": (changed("rnn_cell_forward", "xt", lambda v: v.astype(str)), TypeError, "xt"),
    "a_prev-bool": (changed("rnn_cell_forward", "a_prev", lambda v: v > 0), TypeError, "a_prev"),
    "a_prev-m": (changed("rnn_cell_forward", "a_prev", lambda v: v[:, :3]), ValueError, "a_prev"),
    "ba-vector": (param("rnn_cell_forward", "ba", column), ValueError, "parameters['ba']"),
    "ba-row": (param("rnn_cell_forward", "ba", lambda v: v.T), ValueError, "parameters['ba']"),
    "Waa-missing": (param("rnn_cell_forward", "Waa", None), TypeError, "'Waa'"),
    "Wax-n_x": (param("rnn_cell_forward", "Wax", lambda v: np.ones((5, 4))), ValueError, "parameters['Wax']"),
    "parameters-list": (changed("rnn_cell_forward", "parameters", list), TypeError, "parameters"),
    "x-2d": (changed("rnn_forward", "x", lambda v: v[:, :, 0]), ValueError, "x"),
    "a0-m": (changed("rnn_forward", "a0", lambda v: v[:, :4]), ValueError, "a0"),
    "by-vector": (param("rnn_forward", "by", column), ValueError, "parameters['by']"),
    "Wya-n_a": (param("rnn_forward", "Wya", lambda v: v[:, :4]), ValueError, "parameters['Wya']"),
    "rnn-cache-from-lstm": (changed("rnn_cell_backward", "cache", lambda v: CACHES["lstm"][0][0]),
                            ValueError, "cache"),
    "rnn-cache-list": (changed("rnn_cell_backward", "cache", list), TypeError, "cache"),
    "da_next-shape": (changed("rnn_cell_backward", "da_next", lambda v: v[:4]), ValueError, "da_next"),
    "da-T_x": (changed("rnn_backward", "da", lambda v: v[:, :, :-1]), ValueError, "da"),
    "caches-from-lstm": (changed("rnn_backward", "caches", lambda v: CACHES["lstm"]), ValueError,
                         "caches[0][0]"),
    "caches-one-cell": (changed("rnn_backward", "caches", lambda v: v[0][0]), ValueError, "caches"),
    "caches-short": (changed("rnn_backward", "caches", lambda v: (v[0][:-1], v[1])), ValueError,
                     "caches[0]"),
    "c_prev-shape": (changed("lstm_cell_forward", "c_prev", lambda v: v[:, :, None]), ValueError, "c_prev"),
    "Wf-without-x": (param("lstm_cell_forward", "Wf", lambda v: v[:, :5]), ValueError, "parameters['Wf']"),
    "bf-vector": (param("lstm_cell_forward", "bf", column), ValueError, "parameters['bf']"),
    "Wy-missing": (param("lstm_cell_forward", "Wy", None), TypeError, "'Wy'"),
    "lstm-given-rnn-weights": (changed("lstm_cell_forward", "parameters", lambda v: VALID["rnn_forward"]["parameters"]),
                               TypeError, "'Wf'"),
    "x-object": (changed("lstm_forward", "x", lambda v: v.astype(object)), TypeError, "x"),
    "dc_next-shape": (changed("lstm_cell_backward", "dc_next", lambda v: v.T[:3]), ValueError, "dc_next"),
    "lstm-cache-from-rnn": (changed("lstm_cell_backward", "cache", lambda v: CACHES["rnn"][0][0]),
                            ValueError, "cache"),
    "lstm-da-2d": (changed("lstm_backward", "da", lambda v: v[:, :, 0]), ValueError, "da"),
    "lstm-cached-ft": (swap_cache_item("lstm_backward", 2, 4, lambda v: v[:3]), ValueError, "caches[0][2][4] (ft)"),
    "Wc-shape": (param("gru_cell_forward", "Wc", lambda v: v.T), ValueError, "parameters['Wc']"),
    "br-vector": (param("gru_cell_forward", "br", column), ValueError, "parameters['br']"),
    "gru-a0-3d": (changed("gru_forward", "a0", lambda v: v[:, :, None]), ValueError, "a0"),
    "gru-cache-from-rnn": (changed("gru_cell_backward", "cache", lambda v: CACHES["rnn"][0][0]),
                           ValueError, "cache"),
    "gru-cached-a_prev": (swap_cache_item("gru_backward", 0, 1, lambda v: v[:, :2]), ValueError,
                          "caches[0][0][1] (a_prev)"),
    "gru-cached-Wu": (swap_cache_item("gru_backward", 1, 6, lambda v: {**v, "Wu": "W"}), TypeError,
                      "caches[0][1][6] (parameters)['Wu']"),
    "gru-da-n_a": (changed("gru_backward", "da", lambda v: v[:4]), ValueError, "da"),
    "sigmoid-string": (changed("sigmoid", "z", lambda v: v.astype(str)), TypeError, "z"),
    "softmax-list": (changed("softmax", "z", lambda v: v.tolist()), TypeError, "z"),
    "clip-list": (changed("clip", "gradients", lambda v: {**v, "dWax": [1.0]}), TypeError, "gradients['dWax']"),
    "clip-not-dict": (changed("clip", "gradients", lambda v: list(v.values())), TypeError, "gradients"),
    "sample-max_length": (changed("sample", "max_length", lambda v: 0), ValueError, "max_length"),
    "sample-max_length-float": (changed("sample", "max_length", lambda v: 2.5), TypeError, "max_length"),
    "sample-seed": (changed("sample", "seed", lambda v: "zero"), TypeError, "seed"),
    "sample-Wya-rows": (param("sample", "Wya", lambda v: v[:-1]), ValueError, "parameters['Wya']"),
    "b-vector": (changed("two_step_forward", "b", lambda v: v[0]), ValueError, "b"),
    "X1-n_inputs": (changed("two_step_forward", "X1", lambda v: v[:, :2]), ValueError, "X1"),
    "Wh-not-square": (changed("two_step_forward", "Wh", lambda v: v[:, :4]), ValueError, "Wh"),
    "to_cell-family": (changed("to_cell", "family", lambda v: "rnn"), ValueError, "family"),
    "to_cell-family-type": (changed("to_cell", "family", lambda v: 3), TypeError, "family"),
    "to_cell-missing": (param("to_cell", "Wr", None), TypeError, "'Wr'"),
}


@pytest.mark.parametrize("call, error, names", BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_bad_input_is_refused_with_a_message_naming_it(call, error, names):
    name, kwargs = call
    with pytest.raises(error) as raised:
        getattr(F, name)(**kwargs)
    message = str(raised.value)
    assert message.startswith(names) or f" {names}" in message, message
    assert "received" in message, message


def test_a_vector_bias_message_reads_like_the_slides():
    _, kwargs = param("rnn_cell_forward", "ba", column)
    with pytest.raises(ValueError) as raised:
        F.rnn_cell_forward(**kwargs)
    assert str(raised.value) == (
        "parameters['ba'] must be a 2-D array of shape (n_a, 1) = (5, 1), a column; "
        "received a 1-D array of shape (5,); reshape it with .reshape(-1, 1)"
    )


def test_a_mismatched_cache_says_where_it_comes_from():
    with pytest.raises(ValueError) as raised:
        F.gru_cell_backward(VALID["gru_cell_backward"]["da_next"], CACHES["lstm"][0][0])
    assert "gru_cell_forward" in str(raised.value) and "lstm_cell_forward" in str(raised.value)


# --------------------------------------------------------------------- 8. no Keras on import
def test_import_loads_neither_keras_nor_tensorflow():
    code = ("import sys, rnn_zoo.functional; "
            "assert not any(m == 'keras' or m.startswith(('keras.', 'tensorflow')) "
            "for m in sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], cwd="/tmp", check=True, timeout=60)


def test_public_api():
    functions = {name for name in dir(F) if callable(getattr(F, name)) and not name.startswith("_")}
    assert sorted(F.__all__) == sorted(functions) and len(F.__all__) == 19
