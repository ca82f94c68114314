"""Property tests (hypothesis): for random cells, sizes, weights, masks, initial states and
directions, a zoo layer converted from a Keras built-in gives the built-in's outputs and final
states, and its gradients with respect to the inputs. The examples are few (each builds two
layers), but every run draws new ones within the same bounds; a failure prints the example."""

import keras
import numpy as np
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rnn_zoo
from conftest import randomize

BUILTINS = {
    "SimpleRNN": lambda units, **kw: keras.layers.SimpleRNN(units, **kw),
    "GRU": lambda units, **kw: keras.layers.GRU(units, reset_after=False, **kw),
    "GRU(reset_after)": lambda units, **kw: keras.layers.GRU(units, reset_after=True, **kw),
    "LSTM": lambda units, **kw: keras.layers.LSTM(units, **kw),
}

examples = st.fixed_dictionaries({
    "family": st.sampled_from(sorted(BUILTINS)),
    "batch": st.integers(1, 3),
    "time": st.integers(1, 6),
    "features": st.integers(1, 4),
    "units": st.integers(1, 5),
    "go_backwards": st.booleans(),
    "return_sequences": st.booleans(),
    "masked": st.booleans(),
    "initial_state": st.booleans(),
    "seed": st.integers(0, 2**16),
})


@settings(max_examples=24, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.too_slow])
@given(examples)
def test_a_zoo_layer_equals_its_builtin_on_random_examples(example):
    rng = np.random.default_rng(example["seed"])
    builtin = BUILTINS[example["family"]](
        example["units"], return_sequences=example["return_sequences"], return_state=True,
        go_backwards=example["go_backwards"])
    shape = (example["batch"], example["time"], example["features"])
    builtin.build(shape)
    randomize(builtin, rng)
    zoo = rnn_zoo.from_keras(builtin)
    x = tf.constant(rng.normal(size=shape).astype("float32"))
    kwargs = {}
    if example["masked"]:              # every row keeps at least its first step
        lengths = rng.integers(1, example["time"] + 1, size=example["batch"])
        kwargs["mask"] = tf.constant(np.arange(example["time"])[None] < lengths[:, None])
    if example["initial_state"]:
        n_states = 2 if example["family"] == "LSTM" else 1
        kwargs["initial_state"] = [
            tf.constant(rng.normal(size=(example["batch"], example["units"])).astype("float32"))
            for _ in range(n_states)]
    results = []
    for layer in (builtin, zoo):
        with tf.GradientTape() as tape:
            tape.watch(x)
            outputs = layer(x, **kwargs)
            loss = sum(tf.reduce_sum(tf.sin(o)) for o in outputs)
        results.append((outputs, tape.gradient(loss, x)))
    (expected, expected_grad), (received, received_grad) = results
    assert len(received) == len(expected)
    for e, r in zip(expected, received):
        np.testing.assert_allclose(r, e, atol=1e-5, err_msg=str(example))
    np.testing.assert_allclose(received_grad, expected_grad, atol=1e-5, err_msg=str(example))
