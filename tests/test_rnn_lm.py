"""The RNN language model (slide section 10): the LanguageModel contract (distributions, fast
scoring = the slow definition, incremental = full context), learning, stateful training,
save/load and bad inputs. Tiny models on tiny corpora, so the whole file runs in seconds."""

import keras
import numpy as np
import pytest

from rnn_zoo.data import text
from rnn_zoo.lm.rnn import RNNLanguageModel
from conftest import stream_perplexity_by_hand

SENTENCES = [["the", "cat", "sat"], ["the", "dog", "ran"], ["a", "cat", "ran"]] * 8
HELD_OUT = [["the", "cat", "ran"], ["a", "zebra"], []]


@pytest.fixture(params=["simple_rnn", "gru", "lstm"])
def word_model(request):
    keras.utils.set_random_seed(0)
    lookup = text.word_vocabulary(SENTENCES)
    model = RNNLanguageModel(lookup, cell=request.param, units=8, layers=2, embedding_dim=6)
    for variable in model.network.trainable_weights:   # random biases too, not just zeros
        variable.assign(np.random.default_rng(0).normal(0, 0.5, variable.shape))
    return model


def test_next_log_probs_is_a_distribution(word_model):
    for context in ([], ["the"], ["the", "zebra", "sat"]):
        log_probs = word_model.next_log_probs(context)
        assert log_probs.shape == (len(word_model.vocabulary),)
        assert np.exp(log_probs).sum() == pytest.approx(1.0, abs=1e-5)


def test_token_log_probs_equals_the_slow_definition(word_model):
    fast = word_model.token_log_probs(SENTENCES[:3] + HELD_OUT)
    slow = super(RNNLanguageModel, word_model).token_log_probs(SENTENCES[:3] + HELD_OUT)
    assert fast.shape == (4 + 4 + 4 + 4 + 3 + 1,)
    np.testing.assert_allclose(fast, slow, atol=1e-5)


def test_incremental_state_equals_the_full_context(word_model):
    context = ["a", "cat", "zebra", "ran"]
    state = word_model.start(context[:1])
    for t in range(1, len(context) + 1):
        np.testing.assert_allclose(word_model.state_log_probs(state),
                                   word_model.next_log_probs(context[:t]), atol=1e-5)
        if t < len(context):
            state = word_model.advance(state, context[t])
    np.testing.assert_allclose(word_model.state_log_probs(word_model.start()),
                               word_model.next_log_probs([]), atol=1e-5)


def test_stream_perplexity_carries_the_state_across_sentences_and_chunks(word_model):
    sentences = SENTENCES[:3] + HELD_OUT
    by_hand = stream_perplexity_by_hand(word_model, sentences)
    for seq_length in (1, 3, 100):
        assert word_model.stream_perplexity(sentences, seq_length) == pytest.approx(by_hand, rel=1e-5)
    assert abs(word_model.perplexity(sentences) - by_hand) > 1e-3   # the restarts do matter


def test_fit_drops_perplexity_far_below_uniform_and_save_load_round_trip(tmp_path):
    keras.utils.set_random_seed(0)
    lookup = text.word_vocabulary(SENTENCES)
    model = RNNLanguageModel(lookup, cell="gru", units=16, dropout=0.1)
    uniform = len(model.vocabulary)
    assert model.perplexity(SENTENCES) > 0.8 * uniform
    history = model.fit(text.sentence_batches(lookup, SENTENCES, 8, shuffle=True, seed=0),
                        epochs=15, learning_rate=0.03, verbose=0,
                        checkpoints=tmp_path / "checkpoint")
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    assert model.perplexity(SENTENCES) < 0.3 * uniform
    model.save(tmp_path / "saved")
    for directory in ("saved", "checkpoint"):      # the checkpoint holds the last epoch
        loaded = RNNLanguageModel.load(tmp_path / directory)
        assert loaded.get_config() == model.get_config()
        np.testing.assert_array_equal(loaded.token_log_probs(SENTENCES[:3] + HELD_OUT),
                                      model.token_log_probs(SENTENCES[:3] + HELD_OUT))


def test_character_model_learns_a_deterministic_sequence_statefully():
    keras.utils.set_random_seed(0)
    stream = "abcd" * 300
    lookup = text.char_vocabulary(stream)
    model = RNNLanguageModel(lookup, cell="lstm", units=16, unk_token=None, eos_token="\n")
    data = text.stateful_windows(text.encode_text(lookup, stream), seq_length=10, batch_size=8)
    model.fit(data, epochs=6, learning_rate=0.05, stateful=True, validation_data=data,
              verbose=0)
    state = model.start(list("abcdab"))
    for expected in "cdabcdabcd":
        log_probs = model.state_log_probs(state)
        assert model.vocabulary[int(np.argmax(log_probs))] == expected
        assert np.exp(log_probs.max()) > 0.95
        state = model.advance(state, expected)
    with pytest.raises(ValueError, match="'z' is not in the vocabulary"):
        model.next_log_probs(list("abz"))
    with pytest.raises(ValueError, match="stateful training needs batches of one fixed size"):
        model.fit(text.sentence_batches(lookup, [list("ab")], 2, eos_token="\n"), stateful=True)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(cell="transformer"), ValueError, "`cell` must be one of"),
    (dict(units=0), ValueError, "units=0"),
    (dict(units=2.5), TypeError, "units=2.5"),
    (dict(layers=-1), ValueError, "layers=-1"),
    (dict(dropout=1.0), ValueError, "dropout"),
    (dict(eos_token="<EOS>"), ValueError, "eos_token='<EOS>'"),
    (dict(vocabulary="abc"), TypeError, "vocabulary"),
])
def test_bad_arguments(kwargs, error, match):
    kwargs = {"vocabulary": ["<UNK>", "</s>", "a"], **kwargs}
    with pytest.raises(error, match=match):
        RNNLanguageModel(**kwargs)


def test_bad_sentences():
    model = RNNLanguageModel(["<UNK>", "</s>", "a"], units=4)
    with pytest.raises(ValueError, match="at least one sentence"):
        model.perplexity([])
    with pytest.raises(TypeError, match="list of string tokens"):
        model.token_log_probs(["a sentence as a string"])
