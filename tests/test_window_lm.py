"""The fixed-window neural LM (slide section 10): distributions, fast scoring = the slow
definition, the window, learning, save/load and bad inputs."""

import keras
import numpy as np
import pytest

from rnn_zoo.data import text
from rnn_zoo.lm.window import WindowLanguageModel

SENTENCES = [["the", "cat", "sat"], ["the", "dog", "ran"], ["a", "cat", "ran"]] * 8


@pytest.fixture
def model():
    keras.utils.set_random_seed(0)
    return WindowLanguageModel(text.word_vocabulary(SENTENCES), window=2, embedding_dim=4,
                               hidden_units=8)


def test_examples_pad_the_window_with_the_end_token(model):
    contexts, targets = model.examples([["the", "cat"]])
    eos, the, cat = model.ids(["</s>", "the", "cat"])
    np.testing.assert_array_equal(contexts, [[eos, eos], [eos, the], [the, cat]])
    np.testing.assert_array_equal(targets, [the, cat, eos])


def test_distribution_scoring_and_the_fixed_window(model):
    assert np.exp(model.next_log_probs(["a", "zebra"])).sum() == pytest.approx(1.0, abs=1e-5)
    sentences = SENTENCES[:3] + [["a", "zebra", "the", "cat"], []]
    np.testing.assert_allclose(
        model.token_log_probs(sentences),
        super(WindowLanguageModel, model).token_log_probs(sentences), atol=1e-5)
    np.testing.assert_allclose(model.next_log_probs(["dog", "the", "cat"]),
                               model.next_log_probs(["a", "the", "cat"]), atol=1e-6)
    assert not np.allclose(model.next_log_probs(["the", "cat"]), model.next_log_probs(["cat"]))


def test_fit_learns_and_save_load_round_trip(model, tmp_path):
    uniform = len(model.vocabulary)
    model.fit(SENTENCES, epochs=20, batch_size=8, learning_rate=0.03,
              validation_sentences=SENTENCES[:3], verbose=0)
    assert model.perplexity(SENTENCES) < 0.3 * uniform
    model.save(tmp_path)
    loaded = WindowLanguageModel.load(tmp_path)
    np.testing.assert_array_equal(loaded.token_log_probs(SENTENCES),
                                  model.token_log_probs(SENTENCES))


@pytest.mark.parametrize("kwargs, error", [
    (dict(window=0), ValueError), (dict(hidden_units=-2), ValueError),
    (dict(embedding_dim="8"), TypeError), (dict(unk_token="<unk>"), ValueError),
])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        WindowLanguageModel(["<UNK>", "</s>", "a"], **kwargs)


def test_unknown_characters_and_empty_corpus():
    model = WindowLanguageModel(list("ab\n"), window=3, unk_token=None, eos_token="\n")
    with pytest.raises(ValueError, match="'c' is not in the vocabulary"):
        model.next_log_probs(list("abc"))
    with pytest.raises(ValueError, match="at least one sentence"):
        model.fit([])


def test_scoring_in_batches_equals_scoring_at_once(model):
    at_once = model.token_log_probs(SENTENCES, batch_size=10_000)
    np.testing.assert_allclose(model.token_log_probs(SENTENCES, batch_size=5), at_once, rtol=1e-6)
    assert at_once.shape == (sum(len(s) + 1 for s in SENTENCES),)
    with pytest.raises(ValueError, match="batch_size"):
        model.token_log_probs(SENTENCES, batch_size=0)
