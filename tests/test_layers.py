"""Zoo layers as a Keras user uses them: models, masks, saving, dropout, the slide view."""

import keras
import numpy as np
import pytest

import rnn_zoo
from rnn_zoo.proof import numpy_steps
from conftest import numpy, randomize

LAYERS = {
    "SimpleRNN": (rnn_zoo.SimpleRNN, keras.layers.SimpleRNN, {}),
    "SimplifiedGRU": (rnn_zoo.SimplifiedGRU, None, {}),
    "GRU": (rnn_zoo.GRU, keras.layers.GRU, {"reset_after": False}),
    "GRU(reset_after)": (rnn_zoo.GRU, keras.layers.GRU, {"reset_after": True}),
    "LSTM": (rnn_zoo.LSTM, keras.layers.LSTM, {}),
}


@pytest.mark.parametrize("family", LAYERS)
def test_slide_weights_reproduce_the_cell_with_the_slide_equations(family, rng):
    zoo_class, _, extra = LAYERS[family]
    layer = zoo_class(4, return_sequences=True, return_state=True, **extra)
    layer.build((2, 3, 5))
    randomize(layer, rng)
    x = rng.normal(size=(2, 3, 5)).astype("float32")
    outputs, *_ = numpy(layer(x))
    w = layer.cell.slide_weights()
    for g in layer.cell.gates:  # W_g = [W_ga | W_gx]
        assert w[f"W_{g}"].shape == (4, 4 + 5)
        np.testing.assert_array_equal(w[f"W_{g}"], np.hstack([w[f"W_{g}a"], w[f"W_{g}x"]]))
    for b in range(2):  # the slide equations in NumPy, column vectors, from slide_weights()
        np.testing.assert_allclose(outputs[b], numpy_steps.forward(layer.cell, x[b])[0], atol=1e-5)


def test_gru_update_gate_is_one_minus_keras_z(rng):
    builtin = keras.layers.GRU(3, reset_after=False)
    builtin.build((None, None, 2))
    randomize(builtin, rng)
    zoo = rnn_zoo.from_keras(builtin)
    x = rng.normal(size=(1, 2)).astype("float32")
    h = np.zeros((1, 3), "float32")
    kernel, recurrent, bias = builtin.get_weights()
    z = numpy_steps.sigmoid(x @ kernel[:, :3] + h @ recurrent[:, :3] + bias[:3])
    w = zoo.cell.slide_weights()
    update_gate = numpy_steps.sigmoid(w["W_u"] @ np.concatenate([h[0], x[0]]) + w["b_u"])
    np.testing.assert_allclose(update_gate, 1 - z[0], atol=1e-6)


def text_model(family, rng, *head):
    """Embedding with mask_zero -> bidirectional zoo layer -> zoo layer -> head, random weights."""
    zoo_class, _, extra = LAYERS[family]
    model = keras.Sequential([
        keras.Input((None,), dtype="int32"),
        keras.layers.Embedding(20, 6, mask_zero=True),
        keras.layers.Bidirectional(zoo_class(5, return_sequences=True, **extra)),
        zoo_class(4, dropout=0.1, **extra),
        *head,
    ])
    return randomize(model, rng)


@pytest.mark.parametrize("family", LAYERS)
def test_save_and_load_give_identical_predictions(family, rng, tmp_path):
    zoo_class = LAYERS[family][0]
    model = text_model(family, rng, keras.layers.Dense(2))
    tokens = np.array([[3, 4, 5, 0, 0], [7, 1, 2, 9, 11]])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.layers[1].forward_layer) is zoo_class
    np.testing.assert_array_equal(model.predict(tokens, verbose=0), loaded.predict(tokens, verbose=0))
    assert loaded.layers[2].get_config() == model.layers[2].get_config()


@pytest.mark.parametrize("family", LAYERS)
@pytest.mark.parametrize("padding", ["pre", "post"])
def test_padding_does_not_change_a_prediction(family, padding, rng):
    model = text_model(family, rng)
    sentence = [3, 4, 5]
    pad = [0, 0, 0, 0]
    padded = pad + sentence if padding == "pre" else sentence + pad
    np.testing.assert_allclose(model.predict(np.array([sentence]), verbose=0),
                               model.predict(np.array([padded]), verbose=0), atol=1e-6)


def test_masking_layer_matches_the_builtin(rng):
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    x[0, 3:] = 0.0
    builtin = keras.Sequential([keras.Input((5, 3)), keras.layers.Masking(0.0),
                                keras.layers.LSTM(4, return_sequences=True)])
    randomize(builtin, rng)
    zoo = keras.Sequential([keras.Input((5, 3)), keras.layers.Masking(0.0),
                            rnn_zoo.from_keras(builtin.layers[-1])])
    np.testing.assert_allclose(numpy(builtin(x)), numpy(zoo(x)), atol=1e-6)


@pytest.mark.parametrize("family", ["SimpleRNN", "GRU", "GRU(reset_after)", "LSTM"])
def test_seeded_input_dropout_in_training_equals_the_builtin(family, rng):
    """Same seed, same dropout mask: the zoo draws its masks as Keras does."""
    zoo_class, builtin_class, extra = LAYERS[family]
    rates = {"dropout": 0.3, "recurrent_dropout": 0.4 if family == "SimpleRNN" else 0.0}
    builtin = builtin_class(4, return_sequences=True, seed=5, **rates, **extra)
    builtin.build((2, 6, 3))
    randomize(builtin, rng)
    zoo = rnn_zoo.from_keras(builtin)
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    train_builtin, train_zoo = numpy(builtin(x, training=True)), numpy(zoo(x, training=True))
    np.testing.assert_allclose(train_zoo, train_builtin, atol=1e-6)
    assert np.abs(train_zoo - numpy(zoo(x))).max() > 1e-3  # dropout did act


def test_recurrent_dropout_is_one_mask_per_sequence(rng):
    cell = rnn_zoo.LSTMCell(8, recurrent_dropout=0.5, seed=3)
    layer = keras.layers.RNN(cell, return_sequences=True)
    x = np.zeros((1, 4, 2), "float32")
    layer.build(x.shape)
    cell.kernel.assign(np.zeros(cell.kernel.shape, "float32"))
    cell.recurrent_kernel.assign(np.eye(8, 32, dtype="float32"))
    cell.bias.assign(np.ones(32, "float32"))
    out_train, out_test = numpy(layer(x, training=True)), numpy(layer(x, training=False))
    assert not np.allclose(out_train, out_test)


def test_stacked_and_bidirectional_layers_match_their_builtin_twins(rng):
    zoo = keras.Sequential([
        keras.Input((7, 3)),
        keras.layers.Bidirectional(rnn_zoo.GRU(4, return_sequences=True, reset_after=True)),
        rnn_zoo.LSTM(5, return_sequences=True),
        keras.layers.RNN([rnn_zoo.SimpleRNNCell(3), rnn_zoo.GRUCell(2)]),
    ])
    randomize(zoo, rng)
    builtin = keras.Sequential([keras.Input((7, 3))] + [rnn_zoo.to_keras(layer) for layer in zoo.layers])
    x = rng.normal(size=(2, 7, 3)).astype("float32")
    np.testing.assert_allclose(numpy(zoo(x)), numpy(builtin(x)), atol=1e-5)
    assert isinstance(builtin.layers[0].forward_layer, keras.layers.GRU)


def test_stateful_layers_carry_and_convert_their_state(rng):
    zoo = rnn_zoo.LSTM(3, stateful=True)
    x = rng.normal(size=(2, 4, 2)).astype("float32")
    zoo.build(x.shape)
    first = numpy(zoo(x))
    builtin = rnn_zoo.to_keras(zoo)  # carries the current state over
    np.testing.assert_allclose(numpy(zoo(x)), numpy(builtin(x)), atol=1e-6)
    assert not np.allclose(first, numpy(zoo(x)))
    zoo.reset_state()
    np.testing.assert_allclose(numpy(zoo(x)), first, atol=1e-6)


@pytest.mark.parametrize("family", LAYERS)
def test_config_round_trip_and_layer_attributes(family):
    zoo_class, _, extra = LAYERS[family]
    layer = zoo_class(6, activation="relu", dropout=0.25, go_backwards=True, name="mine", **extra)
    clone = zoo_class.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert (clone.units, clone.dropout, clone.go_backwards, clone.name) == (6, 0.25, True, "mine")
    assert clone.activation is keras.activations.relu
    if "reset_after" in extra:
        assert clone.reset_after == extra["reset_after"]


def test_cell_works_inside_keras_rnn_like_the_issue_shows(rng):
    layer = keras.layers.RNN(rnn_zoo.GRUCell(32), return_sequences=True)
    assert layer(rng.normal(size=(2, 5, 3)).astype("float32")).shape == (2, 5, 32)
