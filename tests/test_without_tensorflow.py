"""With TensorFlow not installed (the JAX and PyTorch runs of ``tests/test_backends.py``): the
zoo's core runs without importing it, and its TensorFlow-only parts say so in one
``RuntimeError`` that names the backend and the way out."""

import importlib.util
import sys

import keras
import numpy as np
import pytest

import rnn_zoo
from rnn_zoo import backends
from conftest import stream_perplexity_by_hand

pytestmark = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is not None,
                                reason="runs where TensorFlow is not installed")


def test_the_core_runs_without_importing_tensorflow():
    from rnn_zoo.proof import verify
    from rnn_zoo.studies import gates

    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    layer = rnn_zoo.LSTM(4, return_sequences=True)
    outputs, _ = rnn_zoo.scan_rnn(layer.cell, x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(outputs),
                               keras.ops.convert_to_numpy(layer(x)), atol=1e-6)
    assert verify.main(verify.COVERING_CASES[:2], out=lambda line: None) == 0
    assert set(gates.record_gates(layer, x[0])) >= {"Γ_u", "Γ_f", "Γ_o", "c~"}
    assert "tensorflow" not in sys.modules


def test_an_rnn_lm_scores_and_samples_on_this_backend():
    from rnn_zoo.lm import sampling
    from rnn_zoo.lm.rnn import RNNLanguageModel

    keras.utils.set_random_seed(0)
    model = RNNLanguageModel(list("abcd\n"), cell="gru", units=8, unk_token=None, eos_token="\n")
    sentence = list("abca")
    state, by_step = model.start(), []
    for token in [*sentence, "\n"]:
        by_step.append(model.state_log_probs(state)[model.token_index[token]])
        state = model.advance(state, token) if token != "\n" else state
    np.testing.assert_allclose(model.token_log_probs([sentence]), by_step, atol=1e-5)
    for seq_length in (2, 100):   # the state carried across chunks (JAX: not by predict_on_batch)
        assert model.stream_perplexity([sentence, list("dcb")], seq_length) == pytest.approx(
            stream_perplexity_by_hand(model, [sentence, list("dcb")]), rel=1e-5)
    in_graph = sampling.generate(model, ["a"], max_tokens=12, top_k=1, stop_at_eos=False)
    step_by_step = sampling.generate(model, ["a"], max_tokens=12, top_k=1, stop_at_eos=False,
                                     in_graph=False)
    assert in_graph == step_by_step and len(in_graph) == 12
    assert "tensorflow" not in sys.modules


@pytest.mark.parametrize("call", [
    lambda: __import__("rnn_zoo.data.text", fromlist=["x"]).char_vocabulary("abc"),
    lambda: __import__("rnn_zoo.tasks.sentiment", fromlist=["x"]).BagOfWords().fit(["good"], [1]),
])
def test_tensorflow_only_parts_say_what_to_install(call):
    with pytest.raises(RuntimeError, match=f"not installed.*{backends.name()}.*pip install"):
        call()


def test_the_gradient_flow_study_names_the_backend_it_needs():
    from rnn_zoo.studies import gradient_flow

    cell = rnn_zoo.SimpleRNNCell(3)
    with pytest.raises(RuntimeError, match=f"TensorFlow backend only.*{backends.name()}"):
        gradient_flow.gradient_norms(cell, np.ones((1, 4, 2), "float32"))
