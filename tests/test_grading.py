"""The grader: every catalogued mistake, planted in a student's cell or function, is named first;
correct work passes; nothing a student's code does crashes the grader."""

import subprocess
import sys

import keras
import numpy as np
import pytest

import rnn_zoo
import rnn_zoo.functional as F
from rnn_zoo.grading import CATALOGUE, FUNCTIONS, check_cell, check_function
from student_cells import StudentCell

# ------------------------------------------------------------------------------ cells
CELL_MISTAKES = [
    ("simple_rnn", "missing_bias"), ("gru", "missing_bias"), ("lstm", "missing_bias"),
    ("gru", "update_gate_inverted"), ("simplified_gru", "update_gate_inverted"),
    ("gru", "relevance_gate_misplaced"),
    ("gru", "gates_swapped"), ("lstm", "gates_swapped"),
    ("simple_rnn", "concat_order"), ("lstm", "concat_order"),
    ("gru", "recurrent_term_missing"), ("lstm", "recurrent_term_missing"),
    ("gru", "input_term_missing"), ("simple_rnn", "input_term_missing"),
    ("simple_rnn", "transposed_weights"), ("lstm", "transposed_weights"),
    ("simple_rnn", "wrong_activation"), ("gru", "wrong_activation"),
    ("lstm", "missing_cell_tanh"), ("lstm", "forget_gate_coupled"),
    ("simple_rnn", "state_not_updated"), ("lstm", "state_not_updated"),
]


@pytest.mark.parametrize("family,bug", CELL_MISTAKES, ids=lambda v: str(v))
def test_a_planted_cell_mistake_is_named_first(family, bug):
    report = check_cell(lambda units: StudentCell(units, family, bug), family)
    assert not report.passed
    assert report.mistakes[0] == bug, str(report)
    assert bug in str(report)


@pytest.mark.parametrize("family", ["simple_rnn", "simplified_gru", "gru", "lstm"])
def test_a_correct_student_cell_passes(family):
    report = check_cell(lambda units: StudentCell(units, family), family)
    assert report.passed, str(report)
    assert report.mistakes == []
    assert "gradients" in str(report)


@pytest.mark.parametrize("family,make", [
    ("simple_rnn", rnn_zoo.SimpleRNNCell), ("simplified_gru", rnn_zoo.SimplifiedGRUCell),
    ("gru", rnn_zoo.GRUCell), ("lstm", rnn_zoo.LSTMCell),
    ("simple_rnn", keras.layers.SimpleRNNCell), ("lstm", keras.layers.LSTMCell),
])
def test_zoo_and_builtin_cells_in_keras_layout_pass(family, make):
    assert check_cell(make, family).passed


def test_reset_after_is_graded_against_its_own_equation():
    assert check_cell(lambda n: rnn_zoo.GRUCell(n, reset_after=True), "gru", reset_after=True).passed
    # Keras's own GRU writes z = 1 - Γ_u: the grader names exactly that
    report = check_cell(keras.layers.GRUCell, "gru", reset_after=True)
    assert report.mistakes == ["update_gate_inverted"], str(report)


def test_a_missing_bias_is_caught_although_keras_initialises_biases_to_zero():
    report = check_cell(lambda n: StudentCell(n, "gru", "missing_bias"), "gru")
    assert report.mistakes[0] == "missing_bias"
    assert "b_c" in str(report) and "no b_c weight" in str(report)


def test_a_mistake_outside_the_catalogue_fails_and_names_the_equation():
    report = check_cell(lambda n: StudentCell(n, "gru", "outside_catalogue"), "gru")
    assert not report.passed and report.mistakes == []
    assert "c<t> = Γ_u * c~<t> + (1 - Γ_u) * c<t-1>" in str(report)


def test_a_cell_whose_gradients_are_cut_fails_on_gradients():
    report = check_cell(lambda n: StudentCell(n, "lstm", "stop_gradient"), "lstm")
    assert not report.passed
    assert "gradient with respect to" in str(report)


class NoWeights(keras.layers.Layer):
    def __init__(self, units):
        super().__init__()
        self.units, self.state_size = units, units

    def call(self, x, states):
        return states[0], states


class WrongShapeW(StudentCell):
    def build(self, input_shape):
        self.W_a = self.add_weight(name="W_a", shape=(self.units + input_shape[-1], self.units))
        self.b_a = self.add_weight(name="b_a", shape=(self.units,))


class Extra(StudentCell):
    def build(self, input_shape):
        super().build(input_shape)
        self.gain = self.add_weight(name="gain", shape=(self.units,))


@pytest.mark.parametrize("cell,family,words", [
    (lambda n: StudentCell(n, "gru", "raises"), "gru", "not written yet"),
    (NoWeights, "simple_rnn", "no weights"),
    (lambda n: WrongShapeW(n, "simple_rnn"), "simple_rnn", "transposed"),
    (lambda n: Extra(n, "gru"), "gru", "['gain']"),
    (lambda n: StudentCell(n, "gru"), "lstm", "state"),      # a GRU handed in as an LSTM
    (lambda n: StudentCell(n, "simple_rnn"), "gru", "no weight W_u"),
    (42, "gru", "received int"),
], ids=["raises", "no-weights", "transposed-shape", "unknown-weight", "wrong-family",
        "missing-weight", "not-a-cell"])
def test_the_grader_never_crashes_on_a_students_cell(cell, family, words):
    report = check_cell(cell, family)
    assert not report.passed
    assert words in str(report), str(report)
    assert "Traceback" not in str(report)


def test_check_cell_refuses_an_unknown_family():
    with pytest.raises(ValueError, match="family"):
        check_cell(rnn_zoo.GRUCell, "transformer")
    with pytest.raises(ValueError, match="reset_after"):
        check_cell(rnn_zoo.LSTMCell, "lstm", reset_after=True)


def test_every_catalogue_key_is_planted_somewhere_in_these_tests():
    planted = {bug for _, bug in CELL_MISTAKES} | {key for _, _, key in FUNCTION_MISTAKES}
    assert planted == set(CATALOGUE)


# --------------------------------------------------------------------------- functions
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_the_reference_functions_pass(name):
    report = check_function(getattr(F, name), name)
    assert report.passed, str(report)


def _rnn_cell_forward_no_bias(xt, a_prev, parameters):
    p = dict(parameters, ba=np.zeros_like(parameters["ba"]))
    return F.rnn_cell_forward(xt, a_prev, p)


def _rnn_cell_forward_softmax_axis(xt, a_prev, parameters):
    a_next, _, cache = F.rnn_cell_forward(xt, a_prev, parameters)
    z = parameters["Wya"] @ a_next + parameters["by"]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return a_next, e / e.sum(axis=1, keepdims=True), cache


def _lstm_cell_forward_coupled(xt, a_prev, c_prev, parameters):
    concat = np.concatenate([a_prev, xt])
    p = parameters
    it = F.sigmoid(p["Wi"] @ concat + p["bi"])
    ft = 1 - it
    cct = np.tanh(p["Wc"] @ concat + p["bc"])
    c_next = ft * c_prev + it * cct
    ot = F.sigmoid(p["Wo"] @ concat + p["bo"])
    a_next = ot * np.tanh(c_next)
    y = F.softmax(p["Wy"] @ a_next + p["by"])
    return a_next, c_next, y, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def _gru_cell_forward_inverted(xt, a_prev, parameters):
    a_next, y, cache = F.gru_cell_forward(xt, a_prev, parameters)
    _, _, ut, rt, cct, _, _ = cache
    a_next = (1 - ut) * cct + ut * a_prev
    y = F.softmax(parameters["Wy"] @ a_next + parameters["by"])
    return a_next, y, (a_next, a_prev, ut, rt, cct, xt, parameters)


def _rnn_forward_frozen(x, a0, parameters):
    n_a, (_, m, T) = a0.shape[0], x.shape
    a = np.zeros((n_a, m, T))
    y = np.zeros((parameters["Wya"].shape[0], m, T))
    caches = []
    for t in range(T):
        a[:, :, t], y[:, :, t], cache = rnn_cell_forward(x[:, :, t], a0, parameters)  # a0 each step
        caches.append(cache)
    return a, y, (caches, x)


def _rnn_backward_no_carry(da, caches):
    cell_caches, x = caches
    grads = {"dx": np.zeros_like(x)}
    for t in reversed(range(da.shape[2])):
        step = rnn_cell_backward(da[:, :, t], cell_caches[t])  # da_prevt never added
        grads["dx"][:, :, t] = step["dxt"]
        for k in ("dWax", "dWaa", "dba"):
            grads[k] = grads.get(k, 0) + step[k]
        grads["da0"] = step["da_prev"]
    return grads


def _lstm_cell_backward_no_dc(da_next, dc_next, cache):
    return F.lstm_cell_backward(da_next, np.zeros_like(dc_next), cache)


def _two_step_no_recurrent(X0, X1, Wx, Wh, b):
    h0 = np.tanh(X0 @ Wx + b)
    return h0, np.tanh(X1 @ Wx + b)


def _softmax_axis_1(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# the student's own (wrong) helpers, looked up by the functions above: the grader swaps in the
# reference ones only for the duration of a check of the function that calls them
rnn_cell_forward = F.rnn_cell_forward
rnn_cell_backward = F.rnn_cell_backward

FUNCTION_MISTAKES = [
    (_rnn_cell_forward_no_bias, "rnn_cell_forward", "missing_bias"),
    (_rnn_cell_forward_softmax_axis, "rnn_cell_forward", "softmax_axis"),
    (_softmax_axis_1, "softmax", "softmax_axis"),
    (_lstm_cell_forward_coupled, "lstm_cell_forward", "forget_gate_coupled"),
    (_gru_cell_forward_inverted, "gru_cell_forward", "update_gate_inverted"),
    (_rnn_forward_frozen, "rnn_forward", "state_not_updated"),
    (_rnn_backward_no_carry, "rnn_backward", "bptt_term_missing"),
    (_lstm_cell_backward_no_dc, "lstm_cell_backward", "bptt_term_missing"),
    (_two_step_no_recurrent, "two_step_forward", "recurrent_term_missing"),
]


@pytest.mark.parametrize("fn,name,key", FUNCTION_MISTAKES, ids=lambda v: getattr(v, "__name__", v))
def test_a_planted_function_mistake_is_named_first(fn, name, key):
    report = check_function(fn, name)
    assert not report.passed
    assert report.mistakes[0] == key, str(report)


def test_a_whole_sequence_function_is_graded_with_the_reference_cell():
    """A wrong rnn_cell_forward costs points in its own question only, not in rnn_forward's."""
    global rnn_cell_forward
    saved = rnn_cell_forward
    rnn_cell_forward = _rnn_cell_forward_no_bias  # the student's wrong cell, a right loop
    try:
        assert check_function(_loop, "rnn_forward").passed
        assert not check_function(rnn_cell_forward, "rnn_cell_forward").passed
        assert rnn_cell_forward is _rnn_cell_forward_no_bias  # the namespace is restored
    finally:
        rnn_cell_forward = saved


def _loop(x, a0, parameters):
    n_a, (_, m, T) = a0.shape[0], x.shape
    a, a_next = np.zeros((n_a, m, T)), a0
    y = np.zeros((parameters["Wya"].shape[0], m, T))
    caches = []
    for t in range(T):
        a_next, y[:, :, t], cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        caches.append(cache)
    return a, y, (caches, x)


def _stub(*args):
    raise NotImplementedError("rnn_cell_forward: your code here")


@pytest.mark.parametrize("fn,words", [
    (_stub, "not written yet"),
    (lambda xt, a_prev, parameters: (a_prev, a_prev), "must return 3 values"),
    (lambda xt, a_prev, parameters: (a_prev[:, :1], *F.rnn_cell_forward(xt, a_prev, parameters)[1:]),
     "a_next has shape"),
    (lambda xt, a_prev, parameters: 1 / 0, "ZeroDivisionError"),
    ("not a function", "Expected the function"),
], ids=["stub", "too-few", "shape", "raises", "not-callable"])
def test_the_grader_never_crashes_on_a_students_function(fn, words):
    report = check_function(fn, "rnn_cell_forward")
    assert not report.passed
    assert words in str(report), str(report)


def test_a_column_bias_broadcast_along_the_batch_is_caught():
    def flat_bias(xt, a_prev, parameters):  # b_a read as (n_a,): broadcasts along the batch
        a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"].ravel())
        y = F.softmax(parameters["Wya"] @ a_next + parameters["by"])
        return a_next, y, (a_next, a_prev, xt, parameters)
    report = check_function(flat_bias, "rnn_cell_forward")
    assert not report.passed  # fails at the m == n_a size too, never passes by accident


def test_a_sampler_with_another_random_generator_passes_and_argmax_fails():
    def course_sample(parameters, char_to_ix, seed=0, max_length=50):
        np.random.seed(seed)  # the course's own style
        p = parameters
        vocab_size = p["by"].shape[0]
        x, a_prev, indices, idx = np.zeros((vocab_size, 1)), np.zeros((p["Waa"].shape[0], 1)), [], -1
        while idx != char_to_ix["\n"] and len(indices) < max_length:
            a = np.tanh(p["Wax"] @ x + p["Waa"] @ a_prev + p["ba"])
            y = F.softmax(p["Wya"] @ a + p["by"])
            idx = int(np.random.choice(vocab_size, p=y.ravel()))
            indices.append(idx)
            x = np.zeros((vocab_size, 1))
            x[idx] = 1
            a_prev = a
        if len(indices) == max_length:
            indices.append(char_to_ix["\n"])
        return indices

    assert check_function(course_sample, "sample").passed

    def greedy(parameters, char_to_ix, seed=0, max_length=50):
        return [int(np.argmax(parameters["by"]))] * 3 + [char_to_ix["\n"]]

    report = check_function(greedy, "sample")
    assert not report.passed and "softmax" in str(report)


def test_check_function_refuses_an_unknown_name():
    with pytest.raises(ValueError, match="name"):
        check_function(F.clip, "clip_everything")


def test_grading_functions_import_without_keras():
    code = ("import sys, rnn_zoo.grading, rnn_zoo.functional as F; "
            "from rnn_zoo.grading import check_function; "
            "assert check_function(F.lstm_cell_forward, 'lstm_cell_forward').passed; "
            "assert not [m for m in sys.modules if m.split('.')[0] in ('keras', 'tensorflow')]")
    subprocess.run([sys.executable, "-c", code], check=True, cwd="/")
