"""The slide's manual two-step RNN (section 3) on the slide's own batches."""

import math

import keras
import numpy as np
import pytest

import rnn_zoo
from conftest import numpy
from rnn_zoo.cells.two_step import X0_BATCH, X1_BATCH

X0 = np.array(X0_BATCH, "float32")
X1 = np.array(X1_BATCH, "float32")


def two_step(n_neurons=5, Wx=None, Wh=None, seed=42):
    layer = rnn_zoo.TwoStepRNN(n_neurons, seed=seed)
    layer.build([X0.shape, X1.shape])
    if Wx is not None:
        layer.Wx.assign(Wx)
        layer.Wh.assign(Wh)
    return layer


def test_golden_values_checked_by_hand():
    # Wx = 0.1 everywhere, Wh = 0.5 I, b = 0: h0 = tanh(0.1 * sum(x0)), h1 = tanh(0.5 h0 + 0.1 * sum(x1))
    layer = two_step(Wx=np.full((3, 5), 0.1, "float32"), Wh=0.5 * np.eye(5, dtype="float32"))
    h0, h1 = numpy(layer([X0, X1]))
    np.testing.assert_allclose(h0[:, 0], [math.tanh(0.3), math.tanh(1.2), math.tanh(2.1), math.tanh(1.0)], rtol=1e-6)
    np.testing.assert_allclose(h0[0, 0], 0.29131261, rtol=1e-6)  # tanh(0.3)
    np.testing.assert_allclose(h1[1, 0], 0.39425424, rtol=1e-6)  # tanh(0.5 tanh(1.2) + 0), x1 = [0, 0, 0]
    np.testing.assert_allclose(h1[0, 0], math.tanh(0.5 * math.tanh(0.3) + 2.4), rtol=1e-6)
    assert np.all(h0 == h0[:, :1]) and np.all(h1 == h1[:, :1])  # identical columns of Wx


def test_equals_a_zoo_and_a_builtin_simple_rnn_unrolled_over_two_steps():
    layer = two_step()
    h0, h1 = numpy(layer([X0, X1]))
    X_batch = np.stack([X0, X1], axis=1)  # [4 instances, 2 steps, 3 inputs]
    zoo = rnn_zoo.SimpleRNN(5, return_sequences=True)
    zoo.build(X_batch.shape)
    zoo.set_weights([layer.Wx.numpy(), layer.Wh.numpy(), layer.b.numpy()[0]])
    builtin = rnn_zoo.to_keras(zoo)
    for rnn in (zoo, builtin):
        outputs = numpy(rnn(X_batch))
        np.testing.assert_allclose(outputs[:, 0], h0, atol=1e-6)
        np.testing.assert_allclose(outputs[:, 1], h1, atol=1e-6)
    assert isinstance(builtin, keras.layers.SimpleRNN)


def test_weights_follow_the_slide_and_bad_inputs_are_refused():
    layer = two_step(n_neurons=5)
    assert (layer.Wx.shape, layer.Wh.shape, layer.b.shape) == ((3, 5), (5, 5), (1, 5))
    assert not layer.b.numpy().any()
    with pytest.raises(ValueError, match="inputs"):
        rnn_zoo.TwoStepRNN(5)([X0])
    with pytest.raises(ValueError, match="inputs"):
        rnn_zoo.TwoStepRNN(5)([X0, np.ones((4, 2), "float32")])
    with pytest.raises(ValueError, match="n_neurons"):
        rnn_zoo.TwoStepRNN(0)
