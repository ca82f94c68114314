"""rnn_zoo.tasks.sentiment on tiny synthetic texts made here (never the real corpus)."""

import keras
import numpy as np
import pytest

from conftest import randomize
from rnn_zoo.tasks.sentiment import (BagOfNgrams, BagOfWords, Majority, MaskedGlobalMaxPooling1D,
                               SentimentClassifier, tokenize)

GOOD = ["good", "great", "superb", "lovely"]
BAD = ["bad", "awful", "dull", "boring"]
FILLER = ["the", "movie", "film", "was", "a", "plot", "and", "story", "actors", "really",
          "quite", "this", "is", "with", "of"]


def toy_corpus(n, seed):
    """Texts of 3-9 filler words with one sentiment word somewhere; label 1 for a GOOD word."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        words = list(rng.choice(FILLER, rng.integers(3, 10)))
        label = int(rng.integers(2))
        words.insert(int(rng.integers(len(words) + 1)), str(rng.choice(GOOD if label else BAD)))
        texts.append(" ".join(words) + ".")
        labels.append(label)
    return texts, np.array(labels)


def small(cell="gru", rng=None, **kwargs):
    texts, labels = toy_corpus(40, seed=0)
    options = dict(units=4, embedding_dim=3, seed=1)
    options.update(kwargs)
    clf = SentimentClassifier(cell, **options).adapt(texts, labels)
    if rng is not None:
        randomize(clf.network, rng)
    return clf


@pytest.mark.parametrize("cell,bidirectional,layers,options", [
    ("simple_rnn", False, 1, {}), ("lstm", True, 1, {}), ("simplified_gru", False, 2, {}),
    ("gru", True, 1, {"pooling": "max", "bag_of_words": True})])
def test_padding_does_not_change_the_prediction(rng, cell, bidirectional, layers, options):
    clf = small(cell, rng, bidirectional=bidirectional, layers=layers, **options)
    ids = clf.encode(["the movie was good and the plot was dull"])[0].numpy()
    batch = [ids, np.r_[[0] * 7, ids], np.r_[[0] * 2, ids, [0] * 9]]
    width = max(len(row) for row in batch)
    outputs = [clf.network(np.r_[row, [0] * (width - len(row))][None].astype("int32")).numpy()
               for row in batch]
    padded = np.stack([np.r_[[0] * (width - len(row)), row] for row in batch]).astype("int32")
    outputs.append(clf.network(padded).numpy())                # pre-padded together, as a batch
    for out in outputs[1:]:
        np.testing.assert_allclose(out.ravel(), np.repeat(outputs[0].ravel(), len(out)),
                                   atol=1e-6)
    # through predict: alone, or batched beside a much longer text (post-padded to it)
    alone = clf.predict(["the movie was good"])
    together = clf.predict(["the movie was good", " ".join(FILLER * 3)])
    np.testing.assert_allclose(alone[0], together[0], atol=1e-6)


@pytest.mark.parametrize("cell,options", [
    ("simple_rnn", {}), ("gru", {}), ("lstm", {}), ("simplified_gru", {}),
    ("lstm", {"pooling": "max", "bag_of_words": True, "embedding_dropout": 0.5})])
def test_bidirectional_zoo_model_equals_its_builtin_twin(rng, cell, options):
    clf = small(cell, rng, bidirectional=True, layers=2, **options)
    twin = clf.builtin_twin()
    recurrent = [l for l in twin.layers
                 if isinstance(l, (keras.layers.RNN, keras.layers.Bidirectional))]
    assert len(recurrent) == 2 and all(type(l).__module__.startswith("keras") for l in recurrent)
    inner = [l.forward_layer for l in twin.layers if isinstance(l, keras.layers.Bidirectional)]
    assert {type(l) for l in inner} <= {keras.layers.SimpleRNN, keras.layers.GRU,
                                        keras.layers.LSTM}
    texts, _ = toy_corpus(16, seed=3)
    ids = clf.encode(texts).to_tensor(0)
    np.testing.assert_allclose(clf.network(ids).numpy(), twin(ids).numpy(), atol=1e-5, rtol=1e-5)


def test_toy_corpus_is_learned_by_rnn_and_bag_of_words():
    texts, labels = toy_corpus(160, seed=0)
    test_texts, test_labels = toy_corpus(100, seed=1)
    clf = SentimentClassifier("gru", units=8, embedding_dim=8, learning_rate=3e-2, seed=0)
    history = clf.fit(texts[:128], labels[:128], validation_data=(texts[128:], labels[128:]),
                      epochs=12, batch_size=16, patience=3, verbose=0)
    assert len(history.history["val_loss"]) <= 12
    assert clf.evaluate(test_texts, test_labels) >= 0.95
    bow = BagOfWords(learning_rate=1e-1).fit(texts[:128], labels[:128],
                                             (texts[128:], labels[128:]), epochs=20, patience=5,
                                             batch_size=16, verbose=0)
    # 128 examples leave the logistic regression some weight on spurious filler n-grams
    assert np.mean((bow.predict(test_texts) > 0.5) == test_labels) >= 0.9
    majority = Majority().fit(texts, labels)
    np.testing.assert_allclose(majority.predict(test_texts), np.mean(labels))


def test_texts_with_no_known_word_get_the_prior():
    texts, labels = toy_corpus(40, seed=0)
    clf = SentimentClassifier("lstm", units=4, embedding_dim=3).adapt(texts, labels)
    out = clf.predict(["", "   ", "?!", "zzz qqqq xyzzy", "the movie was good"])
    np.testing.assert_allclose(out[:4], np.mean(labels))
    assert 0.0 < out[4] < 1.0
    assert list(clf.known_words(["", "zzz good"])) == [0, 1]
    strict = SentimentClassifier("lstm", units=4, embedding_dim=3, no_known_words="raise")
    strict.adapt(texts, labels)
    with pytest.raises(ValueError, match=r"texts\[1\]='zzz qqqq'"):
        strict.predict(["the movie was good", "zzz qqqq"])


def test_texts_longer_than_any_training_text_are_read_in_full(rng):
    clf = small("gru", rng)
    long = " ".join(FILLER * 10 + ["good"])           # 151 tokens; training texts have <= 10
    ids = clf.encode([long])
    assert ids.shape[1] is None and len(ids[0]) == 151
    out = clf.predict([long])
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, clf.network(ids.to_tensor(0)).numpy()[:, 0], atol=1e-6)
    # the last word matters: it is read, not cut off
    assert abs(clf.predict([" ".join(FILLER * 10 + ["bad"])])[0] - out[0]) > 0


def test_bad_arguments_raise():
    texts, labels = toy_corpus(8, seed=0)
    clf = SentimentClassifier("gru", units=2, embedding_dim=2)
    for bad in ([0, 1, 2, 0, 1, 0, 1, 0], [0, 1, -1, 0, 1, 0, 1, 0], [0.5] * 8):
        with pytest.raises(ValueError, match=r"`labels` must be 0 or 1.*received labels\[\d\]"):
            clf.fit(texts, bad, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="`labels` must be 0 or 1"):
        clf.fit(texts, ["pos"] * 8, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="one label per text"):
        clf.fit(texts, labels[:5], epochs=1, verbose=0)
    with pytest.raises(ValueError, match="validation labels"):
        clf.fit(texts, labels, validation_data=(texts, [3] * 8), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="`labels` must be 0 or 1"):
        BagOfWords().fit(texts, [2] * 8)
    with pytest.raises(ValueError, match="`labels`"):
        Majority().fit(texts, [1, 0])
    with pytest.raises(ValueError, match="call `fit"):
        clf.predict(["good"])
    clf.adapt(texts, labels)
    with pytest.raises(TypeError, match="not a single string"):
        clf.predict("a good movie")
    with pytest.raises(TypeError, match=r"texts\[1\]=3"):
        clf.predict(["good", 3])
    with pytest.raises(ValueError, match="cell"):
        SentimentClassifier("transformer")
    with pytest.raises(ValueError, match="cell"):
        SentimentClassifier("simplified_gru", builtin=True)
    with pytest.raises(ValueError, match="dropout"):
        SentimentClassifier("gru", dropout=1.5)
    with pytest.raises(ValueError, match="no_known_words"):
        SentimentClassifier("gru", no_known_words="ignore")
    with pytest.raises(ValueError, match=r"`pooling` must be one of \('last', 'max'\); "
                                         r"received pooling='mean'"):
        SentimentClassifier("gru", pooling="mean")
    with pytest.raises(ValueError, match="min_count=0"):
        SentimentClassifier("gru", min_count=0)
    with pytest.raises(ValueError, match="embedding_dropout=1"):
        SentimentClassifier("gru", embedding_dropout=1)
    with pytest.raises(TypeError, match="bag_of_words='yes'"):
        SentimentClassifier("gru", bag_of_words="yes")
    with pytest.raises(ValueError, match="received monitor='val_loss'"):
        clf.fit(texts, labels, monitor="val_loss", verbose=0)


def test_save_and_load_give_the_same_classifier(rng, tmp_path):
    clf = small("lstm", rng, bidirectional=True)
    clf.save(tmp_path / "ck")
    loaded = SentimentClassifier.load(tmp_path / "ck")
    assert loaded.get_config() == clf.get_config() and loaded.prior == clf.prior
    assert loaded.vectorizer.get_vocabulary() == clf.vectorizer.get_vocabulary()
    texts = ["the movie was good", "a dull plot zzz", ""]
    np.testing.assert_array_equal(loaded.predict(texts), clf.predict(texts))
    with pytest.raises(ValueError, match="not a checkpoint directory of rnn_zoo"):
        SentimentClassifier.load(tmp_path / "nothing")


def test_fit_checkpoint_directory_holds_the_best_epoch(tmp_path):
    texts, labels = toy_corpus(64, seed=0)
    clf = SentimentClassifier("gru", units=4, embedding_dim=4, learning_rate=3e-2, seed=0)
    clf.fit(texts[:48], labels[:48], validation_data=(texts[48:], labels[48:]), epochs=4,
            patience=1, verbose=0, checkpoints=tmp_path / "ck")
    # early stopping restored the best epoch's weights; the checkpoint saved the same epoch
    np.testing.assert_array_equal(SentimentClassifier.load(tmp_path / "ck").predict(texts),
                                  clf.predict(texts))


def test_unknown_words_are_the_tokens_read_as_unk():
    clf = small("gru")
    texts = ["The movie was GOOD, zzz!", "", "qq-rr good ... xyzzy's"]
    assert clf.unknown_words(texts) == [["zzz"], [], ["qqrr", "xyzzys"]]
    ids = clf.encode(texts)
    assert [len(row) for row in tokenize(texts)] == [len(row) for row in ids.to_list()]
    assert [sum(i == 1 for i in row) for row in ids.to_list()] == [1, 0, 2]


def test_tokenize_matches_text_vectorization():
    texts = ["Hello, World! It's a [test] \\ back-slash_x \"q\" ~ok~ café", "x  y\tz\n"]
    vectorizer = keras.layers.TextVectorization()
    vectorizer.adapt(texts)
    tokens = {token for row in tokenize(texts) for token in row}
    assert sorted(vectorizer.get_vocabulary()[2:]) == sorted(tokens)


def test_min_count_and_max_tokens_cut_the_vocabulary():
    texts = ["a a a b b c", "a b d"]                          # a: 4, b: 3, c: 1, d: 1
    def vocabulary(**options):
        clf = SentimentClassifier("gru", units=2, embedding_dim=2, **options).adapt(texts)
        return clf.vectorizer.get_vocabulary()
    assert vocabulary()[:4] == ["", "[UNK]", "a", "b"] and len(vocabulary()) == 6
    assert vocabulary(min_count=2) == ["", "[UNK]", "a", "b"]
    assert vocabulary(min_count=4) == ["", "[UNK]", "a"]
    assert vocabulary(min_count=2, max_tokens=3) == ["", "[UNK]", "a"]


def test_masked_max_pooling_skips_padding():
    x = np.array([[[1.0, -5.0], [9.0, -7.0], [3.0, -6.0]],
                  [[-2.0, -3.0], [-1.0, -4.0], [0.0, 0.0]]], "float32")
    mask = np.array([[True, False, True], [False, False, False]])
    pooled = MaskedGlobalMaxPooling1D()(x, mask=mask)
    np.testing.assert_array_equal(pooled, [[3.0, -5.0], [0.0, 0.0]])   # no step: zeros
    np.testing.assert_array_equal(MaskedGlobalMaxPooling1D()(x), [[9.0, -5.0], [0.0, 0.0]])


def test_bag_of_ngrams_marks_words_and_hashed_bigrams():
    bag = BagOfNgrams(5, buckets=7)                   # columns: ids 1..4, then 7 buckets
    ids = np.array([[2, 3, 4, 0, 0], [0, 0, 2, 3, 4], [1, 1, 0, 1, 0]])
    out = np.asarray(bag(ids))
    assert out.shape == (3, 4 + 7)
    expected = np.zeros(11)
    expected[[1, 2, 3]] = 1                           # words 2, 3, 4
    expected[4 + (2 * 5 + 3) % 7] = expected[4 + (3 * 5 + 4) % 7] = 1     # (2,3), (3,4)
    np.testing.assert_array_equal(out[0], expected)
    np.testing.assert_array_equal(out[1], expected)   # pre- or post-padded alike
    np.testing.assert_array_equal(np.flatnonzero(out[2]), [0, 4 + 6])     # [UNK], (1,1)
