"""Backpropagation through time by hand (rnn_zoo.studies.bptt) against finite differences, against
autodiff through the zoo's SimpleRNN, and against itself broken on purpose."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnn_zoo
from conftest import ZOO_CELLS
from rnn_zoo.proof import numpy_steps
from rnn_zoo.studies import bptt
from rnn_zoo.studies.bptt import RNN, numerical_gradient, relative_error

T, N_X, N_A, N_Y = 6, 3, 4, 5
SETTINGS = [  # (reduction, which outputs count)
    ("mean", [1, 1, 1, 1, 1, 1]),
    ("sum", [1, 1, 1, 1, 1, 1]),
    ("mean", [0, 1, 0, 1, 1, 0]),  # some outputs ignored: they carry no gradient
    ("sum", [0, 0, 0, 0, 0, 1]),  # many-to-one: only the last output counts
]


@pytest.fixture
def problem():
    rng = np.random.default_rng(3)
    rnn = RNN(N_X, N_A, N_Y, seed=4, scale=0.6)
    xs = rng.normal(size=(T, N_X))
    targets = rng.integers(0, N_Y, size=T)
    h0 = rng.normal(scale=0.5, size=N_A)
    return rnn, xs, targets, h0


def finite_difference_grads(rnn, xs, targets, h0, counted, reduction):
    def loss():
        return rnn.loss(rnn.forward(xs, h0), targets, counted, reduction)

    grads = {name: numerical_gradient(loss, value) for name, value in rnn.params.items()}
    grads["xs"] = numerical_gradient(loss, xs)
    grads["h0"] = numerical_gradient(loss, h0)
    return grads


@pytest.mark.parametrize("reduction, counted", SETTINGS)
def test_bptt_equals_finite_differences(problem, reduction, counted):
    rnn, xs, targets, h0 = problem
    counted = np.array(counted, bool)
    numeric = finite_difference_grads(rnn, xs, targets, h0, counted, reduction)
    cache = rnn.forward(xs, h0)
    for backward in (rnn.backward, rnn.backward_recursive):
        grads = backward(cache, targets, counted, reduction)
        for name, expected in numeric.items():
            assert relative_error(grads[name], expected) < 1e-6, (backward.__name__, name)


def test_ignored_outputs_get_no_gradient(problem):
    rnn, xs, targets, h0 = problem
    cache = rnn.forward(xs, h0)
    only_first = rnn.backward(cache, targets, np.eye(T, dtype=bool)[0], "sum")
    assert not only_first["xs"][1:].any()  # a later input cannot change the first output
    other_targets = targets.copy()
    other_targets[1:] = (targets[1:] + 1) % N_Y  # change every ignored target
    same = rnn.backward(cache, other_targets, np.eye(T, dtype=bool)[0], "sum")
    for name in only_first:
        np.testing.assert_array_equal(only_first[name], same[name])


@pytest.mark.parametrize("broken", ["one term of the sum dropped", "one output left out",
                                    "Jacobian product left out"])
def test_the_gradient_check_catches_a_broken_bptt(problem, broken):
    rnn, xs, targets, h0 = problem
    counted = np.ones(T, bool)
    numeric = finite_difference_grads(rnn, xs, targets, h0, counted, "sum")
    cache = rnn.forward(xs, h0)
    if broken == "one term of the sum dropped":  # only (t = T-1, k = 0) is missing
        grads = rnn.backward(cache, targets, counted, "sum", truncate=T - 1)
    elif broken == "one output left out":
        grads = rnn.backward(cache, targets, np.arange(T) != 2, "sum")
    else:  # every product of Jacobians replaced by the identity
        grads = rnn.backward(cache, targets, counted, "sum", truncate=1)
    errors = {name: relative_error(grads[name], numeric[name]) for name in numeric}
    assert max(errors.values()) > 1e-4, errors
    assert relative_error(rnn.backward(cache, targets, counted, "sum")["W_ax"], numeric["W_ax"]) < 1e-6


@pytest.mark.parametrize("reduction, counted", SETTINGS)
def test_bptt_equals_autodiff_through_the_zoo_simple_rnn(problem, reduction, counted):
    rnn, xs, targets, h0 = problem
    counted = np.array(counted, bool)
    layer = rnn_zoo.SimpleRNN(N_A, return_sequences=True)
    dense = keras.layers.Dense(N_Y)
    layer.build((1, T, N_X))
    dense.build((None, N_A))
    layer.set_weights([rnn.W_ax.T, rnn.W_aa.T, rnn.b_a])  # kernel = W_ax^T, recurrent = W_aa^T
    dense.set_weights([rnn.W_ya.T, rnn.b_y])

    x = tf.constant(xs[None], tf.float32)
    state = tf.constant(h0[None], tf.float32)
    with tf.GradientTape() as tape:
        tape.watch([x, state])
        logits = dense(layer(x, initial_state=[state]))[0]
        losses = keras.losses.sparse_categorical_crossentropy(targets, logits, from_logits=True)
        losses = tf.boolean_mask(losses, counted)
        loss = tf.reduce_mean(losses) if reduction == "mean" else tf.reduce_sum(losses)
    variables = [x, state, layer.cell.kernel, layer.cell.recurrent_kernel, layer.cell.bias,
                 dense.kernel, dense.bias]
    tape_grads = [np.asarray(g) for g in tape.gradient(loss, variables)]

    grads = rnn.backward(rnn.forward(xs, h0), targets, counted, reduction)
    mine = [grads["xs"], grads["h0"], grads["W_ax"].T, grads["W_aa"].T, grads["b_a"],
            grads["W_ya"].T, grads["b_y"]]
    np.testing.assert_allclose(float(loss), rnn.loss(rnn.forward(xs, h0), targets, counted, reduction), rtol=1e-5)
    for expected, actual in zip(tape_grads, mine):
        np.testing.assert_allclose(actual, expected.reshape(actual.shape), rtol=1e-4, atol=1e-5)


def test_step_api_of_the_slide(problem):
    rnn, xs, _, _ = problem
    cache = rnn.forward(xs)
    for t, x in enumerate(xs):
        logits = rnn.step(x)  # y = rnn.step(x), updating rnn.h
        np.testing.assert_allclose(rnn.h, cache["h"][t + 1], atol=1e-12)
    np.testing.assert_allclose(bptt.softmax(logits), cache["y_hat"][-1], atol=1e-12)


@pytest.mark.parametrize("name", ZOO_CELLS)
def test_numpy_forward_equals_the_zoo_cell(name):
    rng = np.random.default_rng(8)
    cell = ZOO_CELLS[name]()
    cell.build((None, 3))
    for variable in cell.trainable_weights:
        variable.assign(rng.normal(0, 0.5, variable.shape).astype("float32"))
    xs = rng.normal(size=(2, 7, 3)).astype("float32")
    outputs, *states = keras.layers.RNN(cell, return_sequences=True, return_state=True)(xs)
    for b in range(2):
        np_outputs, np_states = numpy_steps.forward(cell, xs[b])
        np.testing.assert_allclose(outputs[b], np_outputs, atol=1e-5)
        for state, np_state in zip(states, np_states):
            np.testing.assert_allclose(state[b], np_state, atol=1e-5)


def test_bad_arguments_are_refused(problem):
    rnn, xs, targets, _ = problem
    cache = rnn.forward(xs)
    with pytest.raises(ValueError, match="xs"):
        rnn.forward(xs[:, :2])
    with pytest.raises(ValueError, match="targets"):
        rnn.loss(cache, targets[:-1])
    with pytest.raises(ValueError, match="targets"):
        rnn.loss(cache, np.full(T, N_Y))
    with pytest.raises(ValueError, match="counted"):
        rnn.backward(cache, targets, counted=[True])
    with pytest.raises(ValueError, match="reduction"):
        rnn.loss(cache, targets, reduction="max")
    with pytest.raises(ValueError, match="W_aa"):
        RNN(2, 3, 4, W_aa=np.zeros((2, 2)))
    with pytest.raises(TypeError, match="W_hh"):
        RNN(2, 3, 4, W_hh=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="n_a"):
        RNN(2, 0, 4)


@pytest.mark.parametrize("step,gates", [(numpy_steps.simple_rnn_step, "a"), (numpy_steps.gru_step, "urc"),
                                        (numpy_steps.lstm_step, "ufco")])
def test_step_functions_refuse_a_column_batch(step, gates):
    """(n, m) columns with m == n_a would broadcast into wrong numbers: refused, named."""
    n_a, n_x = 3, 2
    rng = np.random.default_rng(0)
    w = {f"{k}_{g}": rng.normal(size=(n_a, n_a + n_x) if k == "W" else n_a) for g in gates for k in "Wb"}
    states = [np.zeros((n_a, n_a))] * (2 if gates == "ufco" else 1)
    with pytest.raises(ValueError, match=r"`x` must be a vector of shape \(2,\)"):
        step(w, states, np.zeros((n_x, n_a)))
    with pytest.raises(ValueError, match=r"`states\[0\]` must be a vector"):
        step(w, states, np.zeros(n_x))
