"""Gradient flow through time (slide sections 5-7): the measurements against hand-made references.

* :func:`gradient_norms` against BPTT written out in NumPy for a vanilla RNN
  (``δ<k-1> = W_aa^T ((1 - a<k>²) * δ<k>)``), and for every cell against the gradient with
  respect to the initial state of the rest of the sequence (``scan_rnn``, a different code path);
* :func:`update_gate_path` against ``1 - Γ_u`` evaluated in NumPy from ``slide_weights()``;
* clipping against ``tf.clip_by_norm`` / ``tf.clip_by_global_norm`` / ``np.clip``.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnn_zoo
from conftest import randomize
from rnn_zoo.studies.gradient_flow import (
    clip_gradients,
    clipping_effects,
    exploding_gradients,
    gradient_norms,
    update_gate_path,
)

GRU_CELLS = {
    "SimplifiedGRUCell": lambda: rnn_zoo.SimplifiedGRUCell(4),
    "GRUCell": lambda: rnn_zoo.GRUCell(4),
    "GRUCell(reset_after)": lambda: rnn_zoo.GRUCell(4, reset_after=True),
}
CELLS = {"SimpleRNNCell": lambda: rnn_zoo.SimpleRNNCell(4), **GRU_CELLS,
         "LSTMCell": lambda: rnn_zoo.LSTMCell(4)}


def built(make, rng, input_dim=3, scale=0.5):
    cell = make()
    cell.build((None, input_dim))
    return randomize(cell, rng, scale)


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def set_update_bias(cell, value):
    """Every ``b_u`` entry set to ``value`` (the update gate is the first weight block)."""
    bias = cell.bias.numpy()
    bias[..., : cell.units] = 0.0
    bias.reshape(-1, bias.shape[-1])[0, : cell.units] = value
    cell.bias.assign(bias)


# ------------------------------------------------------------------------- gradient_norms
@pytest.mark.parametrize("loss_at", [-1, 4, -3])
def test_simple_rnn_norms_are_the_product_of_jacobians(loss_at, rng):
    cell = built(CELLS["SimpleRNNCell"], rng, scale=0.8)
    x = rng.normal(size=(3, 8, 3))
    w = {k: v.astype("float64") for k, v in cell.slide_weights().items()}

    a, states = np.zeros((3, 4)), []          # forward: a<t> = tanh(W_aa a<t-1> + W_ax x<t> + b_a)
    for t in range(8):
        a = np.tanh(a @ w["W_aa"].T + x[:, t] @ w["W_ax"].T + w["b_a"])
        states.append(a)
    T = loss_at % 8
    delta, expected = np.ones((3, 4)), []                 # backward from L = Σ a<T>
    for k in range(T, -1, -1):
        expected.append(np.linalg.norm(delta, axis=-1).mean())
        delta = ((1 - states[k] ** 2) * delta) @ w["W_aa"]   # (diag(1 - a<k>²) W_aa)^T δ

    norms = gradient_norms(cell, x.astype("float32"), loss_at=loss_at)
    assert norms.c is None and norms.a.shape == (T + 1,)
    np.testing.assert_allclose(norms.a, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", CELLS)
def test_norms_equal_the_gradient_wrt_the_state_the_rest_of_the_sequence_starts_from(name, rng):
    """A different code path: the state after step k is made the initial state (a leaf) of a
    ``scan_rnn`` over steps k+1 .. T, and differentiated there."""
    cell = built(CELLS[name], rng)
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    loss = lambda y: 0.5 * keras.ops.sum(y**2, axis=-1)  # noqa: E731

    norms = gradient_norms(cell, x, loss=loss)
    for k in range(5):
        _, start = rnn_zoo.scan_rnn(cell, x[:, : k + 1])
        start = [tf.constant(s) for s in start]
        with tf.GradientTape() as tape:
            tape.watch(start)
            outputs, _ = rnn_zoo.scan_rnn(cell, x[:, k + 1 :], initial_state=start)
            total = keras.ops.sum(loss(outputs[:, -1]))
        grads = [g.numpy() for g in tape.gradient(total, start)]
        np.testing.assert_allclose(norms.a[5 - k], np.linalg.norm(grads[0], axis=-1).mean(),
                                   rtol=1e-5)
        if name == "LSTMCell":  # BPTT's dc<k> also flows through a<k> = Γ_o * tanh(c<k>)
            w = cell.slide_weights()
            a_prev = np.zeros((2, 4)) if k == 0 else rnn_zoo.scan_rnn(cell, x[:, :k])[1][0]
            gamma_o = sigmoid(a_prev @ w["W_oa"].T + x[:, k] @ w["W_ox"].T + w["b_o"])
            dc = grads[1] + gamma_o * (1 - np.tanh(start[1].numpy()) ** 2) * grads[0]
            np.testing.assert_allclose(norms.c[5 - k], np.linalg.norm(dc, axis=-1).mean(),
                                       rtol=1e-5)
    if name != "LSTMCell":
        assert norms.c is None


def test_a_zoo_layer_is_measured_through_its_cell(rng):
    layer = rnn_zoo.LSTM(4)
    layer.build((None, None, 3))
    randomize(layer, rng)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    from_layer, from_cell = gradient_norms(layer, x), gradient_norms(layer.cell, x)
    np.testing.assert_array_equal(from_layer.a, from_cell.a)
    np.testing.assert_array_equal(from_layer.c, from_cell.c)


@pytest.mark.parametrize("name", GRU_CELLS)
def test_with_the_update_gate_shut_the_gradient_passes_unchanged(name, rng):
    """Slide section 6: Γ_u ≈ 0 gives dc<t-1> ≈ dc<t>; with Γ_u = 1/2 it halves every step."""
    cell = built(GRU_CELLS[name], rng)
    x = rng.normal(size=(2, 30, 3)).astype("float32")
    set_update_bias(cell, -12.0)  # Γ_u ≈ 6e-6 whatever W_u [c, x] adds (|W_u [c, x]| < 3 here)
    np.testing.assert_allclose(gradient_norms(cell, x).a, 2.0, rtol=1e-3)  # ||ones(4)|| = 2
    cell.recurrent_kernel.assign(np.zeros(cell.recurrent_kernel.shape))
    cell.kernel.assign(np.zeros(cell.kernel.shape))
    set_update_bias(cell, 0.0)  # Γ_u = σ(0) = 1/2 and nothing else depends on c<t-1>
    np.testing.assert_allclose(gradient_norms(cell, x).a, 2.0 * 0.5 ** np.arange(30), rtol=1e-6)


def test_exploding_setup_explodes_with_distance():
    cell, _ = exploding_gradients(steps=40)
    x = np.random.default_rng(0).normal(size=(4, 40, 4)).astype("float32")
    norms = gradient_norms(cell, x).a
    assert norms[-1] > 1e3 * norms[0]
    calm, _ = exploding_gradients(steps=40, recurrent_scale=0.5)
    assert gradient_norms(calm, x).a[-1] < 1e-4 * norms[0]


# ------------------------------------------------------------------------ update_gate_path
@pytest.mark.parametrize("name", GRU_CELLS)
def test_direct_path_is_one_minus_the_update_gate_from_the_slide_weights(name, rng):
    cell = built(GRU_CELLS[name], rng)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    c = keras.layers.RNN(cell, return_sequences=True)(x).numpy()
    c_prev = np.concatenate([np.zeros((2, 1, 4)), c[:, :-1]], axis=1)
    w = cell.slide_weights()
    gamma_u = sigmoid(c_prev @ w["W_ua"].T + x @ w["W_ux"].T + w["b_u"])  # σ(W_u [c, x] + b_u)

    path = update_gate_path(cell, x)
    assert path.direct.shape == (2, 5, 4) and path.jacobian.shape == (2, 5, 4, 4)
    np.testing.assert_allclose(path.direct, 1 - gamma_u, atol=1e-6)
    assert np.abs(path.indirect).max() > 1e-2  # with W_?a != 0 the other paths are there too


@pytest.mark.parametrize("name", GRU_CELLS)
def test_without_recurrent_weights_the_jacobian_is_exactly_diag_one_minus_update_gate(name, rng):
    cell = built(GRU_CELLS[name], rng)
    cell.recurrent_kernel.assign(np.zeros(cell.recurrent_kernel.shape))
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    path = update_gate_path(cell, x)
    np.testing.assert_allclose(path.jacobian, path.direct[..., None] * np.eye(4), atol=1e-7)
    assert path.direct.min() < 0.9  # not trivially the identity


@pytest.mark.parametrize("name", GRU_CELLS)
def test_the_step_jacobians_multiply_into_the_gradient_norms(name, rng):
    """BPTT: ∂L/∂c<k-1> = J<k>^T ∂L/∂c<k>, with J<k> from update_gate_path."""
    cell = built(GRU_CELLS[name], rng)
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    jacobians = update_gate_path(cell, x).jacobian
    delta, expected = np.ones((2, 4)), []
    for k in range(5, -1, -1):
        expected.append(np.linalg.norm(delta, axis=-1).mean())
        delta = np.einsum("bi,bij->bj", delta, jacobians[:, k])
    np.testing.assert_allclose(gradient_norms(cell, x).a, expected, rtol=1e-5)


def test_update_gate_near_zero_makes_the_jacobian_the_identity(rng):
    cell = built(GRU_CELLS["GRUCell"], rng)
    set_update_bias(cell, -12.0)
    path = update_gate_path(cell, rng.normal(size=(2, 5, 3)).astype("float32"))
    np.testing.assert_allclose(path.jacobian, np.broadcast_to(np.eye(4), path.jacobian.shape),
                               atol=1e-4)


# -------------------------------------------------------------------------------- clipping
@pytest.fixture(scope="module")
def exploding():
    return exploding_gradients(steps=30)[1]


def test_the_setup_explodes_and_a_small_recurrent_scale_does_not(exploding):
    assert np.sqrt(sum(np.sum(g**2) for g in exploding)) > 1e3
    calm = exploding_gradients(steps=30, recurrent_scale=0.5)[1]
    assert np.sqrt(sum(np.sum(g**2) for g in calm)) < 10


def test_clipnorm_caps_each_tensor_and_keeps_its_direction(exploding):
    clipped = clip_gradients(exploding, clipnorm=1.0)
    for raw, new in zip(exploding, clipped):
        np.testing.assert_allclose(new, tf.clip_by_norm(raw, 1.0), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(np.linalg.norm(new), 1.0, rtol=1e-6)
        np.testing.assert_allclose(new / np.linalg.norm(new), raw / np.linalg.norm(raw), atol=1e-6)


def test_global_clipnorm_scales_everything_by_one_factor(exploding):
    clipped = clip_gradients(exploding, global_clipnorm=1.0)
    expected, _ = tf.clip_by_global_norm(exploding, 1.0)
    for new, ref in zip(clipped, expected):
        np.testing.assert_allclose(new, ref, rtol=1e-5, atol=1e-9)
    effect = clipping_effects(exploding)["global_clipnorm=1.0"]
    np.testing.assert_allclose(effect.norm, 1.0, rtol=1e-6)
    np.testing.assert_allclose([effect.cosine, *effect.cosines], 1.0, rtol=1e-6)


def test_clipvalue_clips_elements_and_turns_the_gradient(exploding):
    clipped = clip_gradients(exploding, clipvalue=0.1)
    for raw, new in zip(exploding, clipped):
        np.testing.assert_array_equal(new, np.clip(raw, -0.1, 0.1))
    effects = clipping_effects(exploding, clipvalue=0.1)
    assert max(effects["clipvalue=0.1"].cosines) < 0.99
    np.testing.assert_allclose(effects["clipnorm=1.0"].cosines, 1.0, rtol=1e-6)
    raw = effects["raw"]
    np.testing.assert_allclose(raw.norms, [np.linalg.norm(g) for g in exploding], rtol=1e-6)
    assert raw.cosine == pytest.approx(1.0)


def test_gradients_under_the_thresholds_are_left_alone():
    small = [np.array([0.03, -0.04], "float32"), np.array([[0.01]], "float32")]
    for option in ({"clipnorm": 1.0}, {"clipvalue": 0.1}, {"global_clipnorm": 1.0}):
        for new, raw in zip(clip_gradients(small, **option), small):
            np.testing.assert_array_equal(new, raw)


# ---------------------------------------------------------------------------------- errors
def test_bad_arguments_raise_clear_errors():
    x = np.ones((2, 5, 3), "float32")
    with pytest.raises(TypeError, match="cell_or_layer.*GRUCell"):
        update_gate_path(rnn_zoo.LSTMCell(4), x)
    with pytest.raises(TypeError, match="cell_or_layer"):
        gradient_norms(keras.layers.SimpleRNNCell(4), x)
    with pytest.raises(ValueError, match=r"loss_at.*\[-5, 5\).*loss_at=5"):
        gradient_norms(rnn_zoo.SimpleRNNCell(4), x, loss_at=5)
    with pytest.raises(TypeError, match="loss_at.*integer.*1.5"):
        gradient_norms(rnn_zoo.SimpleRNNCell(4), x, loss_at=1.5)
    with pytest.raises(ValueError, match="steps"):
        exploding_gradients(steps=0)
    with pytest.raises(ValueError, match="inputs.*batch, time, features"):
        gradient_norms(rnn_zoo.SimpleRNNCell(4), np.ones((2, 3), "float32"))
    cell = rnn_zoo.GRUCell(4)
    cell.build((None, 3))
    with pytest.raises(ValueError, match="3 features"):
        update_gate_path(cell, np.ones((2, 5, 7), "float32"))
