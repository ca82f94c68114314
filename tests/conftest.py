import importlib.util
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rnn_zoo  # noqa: E402

# For tests (or parts split into their own test) that need TensorFlow itself, which the JAX and
# PyTorch runs (``-p without_tensorflow``) hide, as an install of ``rnn_zoo[jax]`` would lack it.
needs_tensorflow = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                                      reason="StringLookup and tf.data need TensorFlow")

# Every zoo cell, 4 units: name -> factory.
ZOO_CELLS = {
    "SimpleRNNCell": lambda: rnn_zoo.SimpleRNNCell(4),
    "SimplifiedGRUCell": lambda: rnn_zoo.SimplifiedGRUCell(4),
    "GRUCell": lambda: rnn_zoo.GRUCell(4),
    "GRUCell(reset_after)": lambda: rnn_zoo.GRUCell(4, reset_after=True),
    "LSTMCell": lambda: rnn_zoo.LSTMCell(4),
}


@pytest.fixture
def rng():
    keras.utils.set_random_seed(1234)
    return np.random.default_rng(1234)


def numpy(x):
    """``x`` (a tensor of any backend, or a structure of them) as NumPy arrays: compare or feed
    to NumPy through this, since a PyTorch output that requires grad refuses ``np.asarray``."""
    return keras.tree.map_structure(keras.ops.convert_to_numpy, x)


def randomize(layer, rng, scale=0.5):
    """Seeded random values for every trainable weight (biases too)."""
    for variable in layer.trainable_weights:
        variable.assign(rng.normal(0.0, scale, variable.shape).astype(variable.dtype))
    return layer


def write_imdb(root, splits):
    """An IMDB-layout directory ``root/{split}/{pos,neg}/{i}_{label}.txt`` of ``splits``
    (``{"train": (texts, labels), ...}``), as ``rnn_zoo.data.datasets.imdb_directory`` reads."""
    for split, (texts, labels) in splits.items():
        for i, (text, label) in enumerate(zip(texts, labels)):
            folder = root / split / ("pos" if label else "neg")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{i}_{label}.txt").write_text(text, encoding="utf-8")
    return root


def stream_perplexity_by_hand(model, sentences):
    """An RNN LM's stream perplexity from its one-token steps: from the start state, every
    target of every sentence (end tokens too) read in turn, the state never reset."""
    state, total, count = model.start(), 0.0, 0
    for sentence in sentences:
        for token in model.targets(sentence):
            total += model.state_log_probs(state)[model.index(token)]
            count += 1
            state = model.advance(state, token)
    return float(np.exp(-total / count))
