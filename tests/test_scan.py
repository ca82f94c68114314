"""Three ways to unroll one cell agree: ``scan_rnn`` (tf.scan), ``keras.layers.RNN`` and the
slide's Python ``scan`` over ``cell.call`` (slide section 4)."""

import keras
import numpy as np
import pytest

import rnn_zoo
from conftest import ZOO_CELLS, numpy, randomize
from rnn_zoo.cells.scan import scan

CELLS = {
    **ZOO_CELLS,
    "StackedRNNCells": lambda: keras.layers.StackedRNNCells(
        [rnn_zoo.LSTMCell(5), rnn_zoo.GRUCell(4)]
    ),
}


def built_cell(name, rng, input_dim=3):
    cell = CELLS[name]()
    cell.build((None, input_dim))
    return randomize(cell, rng)


def flat(states):
    return [numpy(s) for s in keras.tree.flatten(states)]


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("name", CELLS)
def test_scan_equals_keras_rnn_and_python_loop(name, go_backwards, rng):
    cell = built_cell(name, rng)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    initial = [rng.normal(size=(2, 4)).astype("float32") for _ in flat(cell.get_initial_state(2))]
    if name == "StackedRNNCells":
        initial = [[rng.normal(size=(2, 5)).astype("float32")] * 2, [initial[0]]]
    initial = keras.tree.pack_sequence_as(cell.get_initial_state(2), keras.tree.flatten(initial))

    outputs, states = rnn_zoo.scan_rnn(cell, x, initial_state=initial, go_backwards=go_backwards)

    layer = keras.layers.RNN(cell, return_sequences=True, return_state=True, go_backwards=go_backwards)
    keras_outputs, *keras_states = layer(x, initial_state=initial)
    np.testing.assert_allclose(numpy(outputs), numpy(keras_outputs), atol=1e-6)
    np.testing.assert_allclose(np.concatenate(flat(states), -1),
                               np.concatenate(flat(keras_states), -1), atol=1e-6)

    # backend tensors, as keras.layers.RNN hands its cell (NumPy * a torch tensor would fail)
    steps = keras.ops.convert_to_tensor(np.swapaxes(x, 0, 1)[::-1 if go_backwards else 1].copy())
    tensors = keras.tree.map_structure(keras.ops.convert_to_tensor, initial)
    ys, final = scan(lambda x_t, s: cell.call(x_t, s), steps, initializer=tensors)
    np.testing.assert_allclose(numpy(outputs), np.stack(numpy(ys), axis=1), atol=1e-6)
    np.testing.assert_allclose(np.concatenate(flat(states), -1), np.concatenate(flat(final), -1), atol=1e-6)


@pytest.mark.parametrize("name", ["GRUCell", "LSTMCell"])
def test_scan_honours_a_mask_like_keras(name, rng):
    cell = built_cell(name, rng)
    x = rng.normal(size=(3, 6, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [0, 1, 0, 1, 1, 0]], bool)
    outputs, states = rnn_zoo.scan_rnn(cell, x, mask=mask)
    keras_outputs, *keras_states = keras.layers.RNN(
        cell, return_sequences=True, return_state=True)(x, mask=mask)
    np.testing.assert_allclose(numpy(outputs), numpy(keras_outputs), atol=1e-6)
    np.testing.assert_allclose(np.concatenate(flat(states), -1),
                               np.concatenate(flat(keras_states), -1), atol=1e-6)
    # a padded step changes nothing: row 1 ends as it was after its third step
    short, _ = rnn_zoo.scan_rnn(cell, x[1:2, :3])
    np.testing.assert_allclose(numpy(outputs)[1, -1], numpy(short)[0, -1], atol=1e-6)


def test_scan_builds_an_unbuilt_cell_and_checks_its_arguments(rng):
    cell = rnn_zoo.SimpleRNNCell(2)
    outputs, states = rnn_zoo.scan_rnn(cell, np.ones((1, 3, 4), "float32"))
    assert outputs.shape == (1, 3, 2) and cell.kernel.shape == (4, 2)
    with pytest.raises(ValueError, match="inputs"):
        rnn_zoo.scan_rnn(cell, np.ones((3, 4), "float32"))
    with pytest.raises(ValueError, match="inputs.*4 features"):
        rnn_zoo.scan_rnn(cell, np.ones((1, 3, 5), "float32"))
    with pytest.raises(ValueError, match="initial_state"):
        rnn_zoo.scan_rnn(cell, np.ones((1, 3, 4), "float32"), initial_state=[np.ones((1, 3))])
    with pytest.raises(ValueError, match="mask"):
        rnn_zoo.scan_rnn(cell, np.ones((1, 3, 4), "float32"), mask=np.ones((1, 4), bool))
    with pytest.raises(TypeError, match="cell"):
        rnn_zoo.scan_rnn("not a cell", np.ones((1, 3, 4), "float32"))
