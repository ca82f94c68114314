"""Training a zoo layer equals training its built-in twin: the same losses and the same weights
after a few optimizer steps, through the running backend's own ``fit`` (the training smoke test
that ``tests/test_backends.py`` also runs on JAX and PyTorch)."""

import keras
import numpy as np
import pytest

import rnn_zoo
from conftest import randomize

FAMILIES = {
    "SimpleRNN": (rnn_zoo.SimpleRNN, {}),
    "GRU": (rnn_zoo.GRU, {"reset_after": False}),
    "GRU(reset_after)": (rnn_zoo.GRU, {"reset_after": True}),
    "LSTM": (rnn_zoo.LSTM, {}),
}


def _model(recurrent):
    return keras.Sequential([keras.Input((5, 3)), recurrent, keras.layers.Dense(2)])


@pytest.mark.parametrize("family", FAMILIES)
def test_three_sgd_steps_of_the_zoo_layer_equal_the_builtins(family, rng):
    zoo_class, extra = FAMILIES[family]
    zoo = randomize(_model(zoo_class(4, **extra)), rng)
    builtin = _model(rnn_zoo.to_keras(zoo.layers[0]))
    builtin.layers[1].set_weights(zoo.layers[1].get_weights())
    x = rng.normal(size=(8, 5, 3)).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")

    losses = {}
    for name, model in (("zoo", zoo), ("builtin", builtin)):
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        losses[name] = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses["zoo"], losses["builtin"], rtol=1e-5)
    assert losses["zoo"][-1] < losses["zoo"][0]  # it learned
    trained = rnn_zoo.from_keras(builtin.layers[0])
    for mine, theirs in zip(zoo.layers[0].get_weights(), trained.get_weights()):
        np.testing.assert_allclose(mine, theirs, atol=1e-5)
