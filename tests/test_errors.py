"""Bad input gets a ValueError/TypeError naming the argument, never a wrong answer."""

import keras
import numpy as np
import pytest

import rnn_zoo

ALL_LAYERS = [rnn_zoo.SimpleRNN, rnn_zoo.SimplifiedGRU, rnn_zoo.GRU, rnn_zoo.LSTM]
ALL_CELLS = [rnn_zoo.SimpleRNNCell, rnn_zoo.SimplifiedGRUCell, rnn_zoo.GRUCell, rnn_zoo.LSTMCell]


@pytest.mark.parametrize("make", ALL_LAYERS + ALL_CELLS)
@pytest.mark.parametrize("units, error", [(0, ValueError), (-3, ValueError), (2.5, TypeError),
                                           ("8", TypeError), (True, TypeError)])
def test_units_must_be_a_positive_integer(make, units, error):
    with pytest.raises(error, match="units"):
        make(units)


@pytest.mark.parametrize("argument", ["dropout", "recurrent_dropout"])
@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5])
def test_dropout_rates_must_be_in_0_1(argument, value):
    with pytest.raises(ValueError, match=argument):
        rnn_zoo.LSTM(4, **{argument: value})


def test_flags_must_be_booleans():
    with pytest.raises(TypeError, match="return_sequences"):
        rnn_zoo.GRU(4, return_sequences="yes")
    with pytest.raises(TypeError, match="reset_after"):
        rnn_zoo.GRUCell(4, reset_after=1)


@pytest.fixture
def built_gru():
    layer = rnn_zoo.GRU(4)
    layer.build((None, None, 3))
    return layer


def test_inputs_of_the_wrong_rank_feature_size_or_dtype(built_gru):
    with pytest.raises(ValueError, match="inputs"):
        built_gru(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="3 features"):
        built_gru(np.ones((2, 5, 7), "float32"))
    with pytest.raises(TypeError, match="floating"):
        built_gru(np.ones((2, 5, 3), "int32"))


def test_an_unbuilt_layer_refuses_inputs_of_the_wrong_rank():
    with pytest.raises(ValueError, match="inputs.*batch, time, features"):
        rnn_zoo.LSTM(4)(np.ones((2, 3), "float32"))


def test_initial_state_of_the_wrong_count_or_shape():
    lstm = rnn_zoo.LSTM(4)
    x = np.ones((2, 5, 3), "float32")
    with pytest.raises(ValueError, match="initial_state.*2 tensor"):
        lstm(x, initial_state=[np.zeros((2, 4), "float32")])
    with pytest.raises(ValueError, match=r"initial_state\[1\]"):
        lstm(x, initial_state=[np.zeros((2, 4), "float32"), np.zeros((2, 5), "float32")])
    with pytest.raises(ValueError, match=r"initial_state\[0\]"):
        lstm(x, initial_state=[np.zeros((3, 4), "float32"), np.zeros((3, 4), "float32")])


def test_mask_of_the_wrong_shape(built_gru):
    with pytest.raises(ValueError, match="mask"):
        built_gru(np.ones((2, 5, 3), "float32"), mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match="mask"):
        built_gru(np.ones((2, 5, 3), "float32"), mask=np.ones((2, 5, 1), bool))


def test_cell_called_directly_checks_its_input_size():
    cell = rnn_zoo.LSTMCell(4)
    cell.build((None, 3))
    with pytest.raises(ValueError, match="3"):
        cell(np.ones((2, 5), "float32"), [np.zeros((2, 4), "float32")] * 2)


def built(layer, shape=(None, None, 3)):
    layer.build(shape)
    return layer


@pytest.mark.parametrize("make, setting", [
    (lambda: keras.layers.GRU(4, recurrent_activation="relu"), "recurrent_activation"),
    (lambda: rnn_zoo.GRU(4, recurrent_activation="tanh"), "recurrent_activation"),
    (lambda: keras.layers.LSTM(4, recurrent_dropout=0.2), "recurrent_dropout"),
    (lambda: rnn_zoo.SimplifiedGRU(4, use_bias=False), "use_bias"),
    (lambda: keras.layers.Dense(4), "Dense"),
    (lambda: keras.layers.ConvLSTM1D(4, 3), "ConvLSTM1D"),
])
def test_unrepresentable_layers_are_refused_naming_the_setting(make, setting):
    layer = make()
    convert = rnn_zoo.to_keras if type(layer).__module__.startswith("rnn_zoo") else rnn_zoo.from_keras
    with pytest.raises(ValueError, match=setting):
        convert(layer)


def test_subclasses_of_builtins_are_refused():
    class MyLSTM(keras.layers.LSTM):
        pass

    with pytest.raises(ValueError, match="MyLSTM"):
        rnn_zoo.from_keras(built(MyLSTM(3)))


def test_unbuilt_layers_are_refused():
    with pytest.raises(ValueError, match="built"):
        rnn_zoo.from_keras(keras.layers.LSTM(3))
    with pytest.raises(ValueError, match="built"):
        rnn_zoo.to_keras(keras.layers.Bidirectional(rnn_zoo.GRU(3)))


def test_slide_weights_need_a_built_cell():
    with pytest.raises(ValueError, match="build"):
        rnn_zoo.GRUCell(3).slide_weights()


def test_a_failed_conversion_leaves_the_original_untouched():
    layer = built(keras.layers.GRU(4, recurrent_activation="relu"))
    before = [w.copy() for w in layer.get_weights()]
    with pytest.raises(ValueError):
        rnn_zoo.from_keras(layer)
    for old, new in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(old, new)
