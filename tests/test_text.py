"""Text to ids and the tf.data pipelines (slide section 10): round trips, <UNK>, cut-offs, the
teacher-forcing shift, padding, and the stateful batch-major stream layout."""

import numpy as np
import pytest

from rnn_zoo.data import text

CORPUS = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat"], ["the", "end"]]


def test_word_vocabulary_orders_by_count_and_maps_rare_words_to_unk():
    lookup = text.word_vocabulary(CORPUS, min_count=2)
    assert lookup.get_vocabulary() == ["<UNK>", "</s>", "the", "cat", "sat"]
    ids = text.encode_sentences(lookup, [["the", "dog", "cat"], ["zebra"]])
    assert text.decode(lookup, ids) == ["the", "<UNK>", "cat", "</s>", "<UNK>", "</s>"]


def test_word_vocabulary_max_tokens_counts_the_special_tokens():
    lookup = text.word_vocabulary(CORPUS, max_tokens=4)
    assert lookup.get_vocabulary() == ["<UNK>", "</s>", "the", "cat"]
    assert text.word_vocabulary(CORPUS).vocabulary_size() == 2 + 6


def test_char_vocabulary_round_trip_and_unknown_characters():
    lookup = text.char_vocabulary("hello world")
    assert lookup.get_vocabulary() == sorted(set("hello world\n"))
    ids = text.encode_text(lookup, "low\nhello")
    assert "".join(text.decode(lookup, ids)) == "low\nhello"
    with pytest.raises(ValueError, match="outside the vocabulary.*'z'"):
        text.encode_text(lookup, "hez")


@pytest.mark.parametrize("call, error", [
    (lambda: text.word_vocabulary([]), ValueError),
    (lambda: text.word_vocabulary("a b"), TypeError),
    (lambda: text.word_vocabulary(CORPUS, min_count=0), ValueError),
    (lambda: text.word_vocabulary(CORPUS, max_tokens=2), ValueError),
    (lambda: text.char_vocabulary(""), ValueError),
    (lambda: text.windows(np.arange(3), seq_length=3, batch_size=1), ValueError),
    (lambda: text.windows(np.arange(30), seq_length=0, batch_size=1), ValueError),
    (lambda: text.stateful_windows(np.arange(7), seq_length=4, batch_size=2), ValueError),
])
def test_bad_inputs(call, error):
    with pytest.raises(error):
        call()


def test_sentence_batches_shift_by_one_and_pad():
    lookup = text.word_vocabulary(CORPUS)
    (x, y), = list(text.sentence_batches(lookup, [["the", "cat", "sat"], ["a"]], batch_size=2))
    eos, the, cat, sat, a = lookup(["</s>", "the", "cat", "sat", "a"]).numpy()
    np.testing.assert_array_equal(x, [[eos, the, cat, sat], [eos, a, eos, eos]])
    np.testing.assert_array_equal(y, [[the, cat, sat, eos], [a, eos, text.PAD, text.PAD]])


def test_windows_are_shifted_by_one():
    ids = np.arange(100)
    batches = list(text.windows(ids, seq_length=7, batch_size=4, seed=0))
    assert len(batches) == 100 // 8 // 4
    starts = []
    for x, y in batches:
        assert x.shape == y.shape == (4, 7)
        np.testing.assert_array_equal(y.numpy(), x.numpy() + 1)   # x<t> = y<t-1>
        np.testing.assert_array_equal(np.diff(x.numpy(), axis=1), 1)
        starts += list(x.numpy()[:, 0])
    assert all(start % 8 == 0 for start in starts) and len(set(starts)) == len(starts)


def test_stateful_windows_continue_each_row():
    ids = np.arange(1000) * 3              # any stream: the value says where it came from
    batches = [(x.numpy(), y.numpy())
               for x, y in text.stateful_windows(ids, seq_length=5, batch_size=4)]
    n = (len(ids) - 1) // 4
    assert len(batches) == n // 5
    for (x, y), (x_next, _) in zip(batches, batches[1:]):
        assert x.shape == y.shape == (4, 5)
        np.testing.assert_array_equal(y[:, :-1], x[:, 1:])
        np.testing.assert_array_equal(x_next[:, 0], x[:, -1] + 3)    # row i goes on
        np.testing.assert_array_equal(x_next[:, 0], y[:, -1])
    np.testing.assert_array_equal(batches[0][0][:, 0], ids[::n][:4])  # row i starts at i * n
