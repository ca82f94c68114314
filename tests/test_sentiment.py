"""rnn_zoo.tasks.sentiment on tiny synthetic texts made here (never the real corpus)."""

import keras
import numpy as np
import pytest

from conftest import randomize
from rnn_zoo.data import datasets
from rnn_zoo.tasks.sentiment import (BagOfNgrams, BagOfWords, Ensemble, Majority,
                                     MaskedGlobalMaxPooling1D, SentimentClassifier,
                                     embedding_matrix, log_count_ratio, tokenize)

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


# --- pretrained embeddings (a fake, tiny GloVe: nothing is downloaded) ----------------------

GLOVE_WORDS = ["good", "movie", "bad", "zebra", "plot"]


@pytest.fixture
def fake_glove(monkeypatch):
    """``datasets.glove_6b_50d`` replaced by 5 words with seeded 50-d vectors."""
    vectors = np.random.default_rng(7).normal(0.0, 0.4, (len(GLOVE_WORDS), 50)).astype("float32")
    calls = []

    def glove_6b_50d(cache_dir=None):
        calls.append(cache_dir)
        return list(GLOVE_WORDS), vectors

    monkeypatch.setattr(datasets, "glove_6b_50d", glove_6b_50d)
    return vectors, calls


def test_glove_embeddings_start_the_embedding(fake_glove):
    vectors, calls = fake_glove
    texts, labels = toy_corpus(40, seed=0)
    clf = SentimentClassifier("gru", units=4, embeddings="glove-6b-50d", seed=3)
    assert clf.embedding_dim == 50 and clf.embedding_coverage is None
    clf.adapt(texts, labels)
    vocabulary = clf.vectorizer.get_vocabulary()
    matrix = clf.network.get_layer("embedding").embeddings.numpy()
    assert matrix.shape == (len(vocabulary), 50) and len(calls) == 1
    np.testing.assert_array_equal(matrix[0], 0.0)                   # padding
    for word in ("good", "movie", "bad", "plot"):                   # in the corpus and in GloVe
        np.testing.assert_array_equal(matrix[vocabulary.index(word)],
                                      vectors[GLOVE_WORDS.index(word)])
    assert "zebra" not in vocabulary
    assert clf.embedding_coverage == pytest.approx(4 / (len(vocabulary) - 2))
    others = [i for i, w in enumerate(vocabulary) if i > 0 and w not in GLOVE_WORDS]
    assert np.all(np.abs(matrix[others]).sum(axis=1) > 0)           # random, not zeros
    again = SentimentClassifier("gru", units=4, embeddings="glove-6b-50d", seed=3)
    np.testing.assert_array_equal(
        again.adapt(texts, labels).network.get_layer("embedding").embeddings.numpy(), matrix)


def test_embedding_matrix_by_hand():
    words = ["a", "b", "a", "c"]                                    # "a" twice: first kept
    vectors = np.arange(12, dtype="float32").reshape(4, 3)
    vocabulary = ["", "[UNK]", "b", "zz", "a"]
    matrix, coverage = embedding_matrix(vocabulary, words, vectors, seed=1)
    assert matrix.dtype == np.float32 and matrix.shape == (5, 3)
    np.testing.assert_array_equal(matrix[0], 0.0)
    np.testing.assert_array_equal(matrix[2], vectors[1])
    np.testing.assert_array_equal(matrix[4], vectors[0])
    assert coverage == pytest.approx(2 / 3)
    assert np.all(matrix[[1, 3]] != 0)                              # [UNK] and "zz": random
    np.testing.assert_array_equal(embedding_matrix(vocabulary, words, vectors, seed=1)[0], matrix)
    assert not np.array_equal(embedding_matrix(vocabulary, words, vectors, seed=2)[0][1],
                              matrix[1])
    with pytest.raises(ValueError, match=r"`vocabulary` must start with the padding"):
        embedding_matrix(["b", "a"], words, vectors)
    with pytest.raises(ValueError, match=r"`vectors` must have shape \(len\(words\), dim\) = "
                                         r"\(4, dim\); received shape \(3, 3\)"):
        embedding_matrix(vocabulary, words, vectors[:3])


def test_frozen_embeddings_stay_and_fine_tuned_ones_change(fake_glove, tmp_path, monkeypatch):
    texts, labels = toy_corpus(32, seed=0)
    trained = {}
    for freeze in (True, False):
        clf = SentimentClassifier("gru", units=4, embeddings="glove-6b-50d",
                                  freeze_embeddings=freeze, learning_rate=3e-2, seed=0)
        clf.adapt(texts, labels)
        embedding = clf.network.get_layer("embedding")
        before = embedding.embeddings.numpy().copy()
        output = clf.network.get_layer("output").kernel.numpy().copy()
        clf.fit(texts, labels, epochs=1, batch_size=8, verbose=0)
        assert not np.array_equal(clf.network.get_layer("output").kernel.numpy(), output)
        assert embedding.trainable is not freeze
        changed = np.abs(embedding.embeddings.numpy() - before).max()
        assert (changed == 0) if freeze else (changed > 0)
        trained[freeze] = clf
    frozen = trained[True]
    frozen.save(tmp_path / "ck")
    monkeypatch.setattr(datasets, "glove_6b_50d", None)             # loading reads no GloVe
    loaded = SentimentClassifier.load(tmp_path / "ck")
    assert loaded.get_config() == frozen.get_config()
    assert loaded.get_config()["embeddings"] == "glove-6b-50d"
    assert loaded.network.get_layer("embedding").trainable is False
    assert loaded.embedding_coverage == frozen.embedding_coverage
    np.testing.assert_array_equal(loaded.predict(texts), frozen.predict(texts))


def test_embedding_arguments_raise():
    assert SentimentClassifier("gru").embedding_dim == 128
    assert SentimentClassifier("gru", embeddings="glove-6b-50d", embedding_dim=50).embedding_dim \
        == 50
    with pytest.raises(ValueError, match=r"`embeddings` must be one of \(None, 'glove-6b-50d'\); "
                                         r"received embeddings='word2vec'"):
        SentimentClassifier("gru", embeddings="word2vec")
    with pytest.raises(ValueError, match=r"`embedding_dim` must be 50 \(the size of the "
                                         r"glove-6b-50d vectors\).*received embedding_dim=32"):
        SentimentClassifier("gru", embeddings="glove-6b-50d", embedding_dim=32)
    with pytest.raises(TypeError, match=r"embedding_dim='50'"):
        SentimentClassifier("gru", embeddings="glove-6b-50d", embedding_dim="50")
    with pytest.raises(ValueError, match=r"`freeze_embeddings=True` needs pretrained "
                                         r"`embeddings`.*received embeddings=None"):
        SentimentClassifier("gru", freeze_embeddings=True)
    with pytest.raises(TypeError, match=r"freeze_embeddings='yes'"):
        SentimentClassifier("gru", embeddings="glove-6b-50d", freeze_embeddings="yes")


# --- strong baselines: C, NB-LR, ensembles ------------------------------------------------------

def test_nb_lr_scales_features_by_the_log_count_ratio():
    texts = ["good movie", "good good plot", "a good cast", "bad movie", "bad plot, dull"]
    labels = np.array([1, 1, 1, 0, 0])
    bow = BagOfWords(naive_bayes=True, C=10.0).fit(texts, labels, epochs=2, batch_size=2,
                                                   verbose=0)
    x = bow.vectorizer(texts).numpy()
    assert set(np.unique(x)) == {0.0, 1.0}                          # binary features
    p = 1.0 + x[labels == 1].sum(axis=0)                            # alpha = 1
    q = 1.0 + x[labels == 0].sum(axis=0)
    r = np.log(p / p.sum()) - np.log(q / q.sum())
    layer = bow.model.get_layer("log_count_ratio")
    np.testing.assert_allclose(layer.scale.numpy(), r, rtol=1e-6)   # unchanged by training
    np.testing.assert_allclose(bow.log_count_ratio_, r, rtol=1e-6)
    np.testing.assert_allclose(log_count_ratio(p - 1, q - 1), r, rtol=1e-6)
    assert layer.trainable_weights == [] and not layer.scale.trainable
    vocabulary = bow.vectorizer.get_vocabulary()
    assert r[vocabulary.index("good")] > 0 > r[vocabulary.index("bad")]
    kernel, bias = bow.model.get_layer("output").get_weights()
    by_hand = 1.0 / (1.0 + np.exp(-((x * r) @ kernel[:, 0] + bias[0])))
    np.testing.assert_allclose(bow.predict(texts), by_hand, rtol=1e-5)
    assert BagOfWords().fit(texts, labels, epochs=1, verbose=0).log_count_ratio_ is None


def test_c_is_l2_per_training_example():
    assert BagOfWords(C=2.0).l2_for(100) == pytest.approx(1 / 400)
    assert BagOfWords(C=1.0).l2_for(10248) == pytest.approx(5e-5, rel=0.03)   # the docstring
    assert BagOfWords(l2=5e-5).l2_for(7) == 5e-5 and BagOfWords().l2_for(7) == 0.0
    texts, labels = toy_corpus(24, seed=0)
    by_c = BagOfWords(C=0.5, seed=0).fit(texts, labels, epochs=2, batch_size=8, verbose=0)
    by_l2 = BagOfWords(l2=1 / 24, seed=0).fit(texts, labels, epochs=2, batch_size=8, verbose=0)
    assert by_c.penalty == pytest.approx(1 / 24)
    assert by_c.model.get_layer("output").kernel_regularizer.l2 == pytest.approx(1 / 24)
    np.testing.assert_allclose(by_c.predict(texts), by_l2.predict(texts), atol=1e-6)
    assert repr(BagOfWords(C=0.5, naive_bayes=True)) == "BagOfWords(C=0.5, naive_bayes=True)"


def test_bag_of_words_bad_arguments_raise():
    with pytest.raises(ValueError, match=r"`l2` or `C`.*not both; received l2=0.0001, C=1"):
        BagOfWords(l2=1e-4, C=1)
    with pytest.raises(ValueError, match=r"`C` must be a finite number > 0; received C=0"):
        BagOfWords(C=0)
    with pytest.raises(ValueError, match=r"`C` must be a finite number > 0; received C=inf"):
        BagOfWords(C=float("inf"))
    with pytest.raises(TypeError, match=r"`C` must be a finite number > 0; received C='1'"):
        BagOfWords(C="1")
    with pytest.raises(ValueError, match=r"`l2` must be a finite number >= 0; received l2=-1"):
        BagOfWords(l2=-1)
    with pytest.raises(TypeError, match=r"naive_bayes=1"):
        BagOfWords(naive_bayes=1)


class Fixed:
    """A stand-in model whose ``predict`` returns the same probabilities for any texts."""

    def __init__(self, probabilities):
        self.probabilities = np.asarray(probabilities, "float32")

    def predict(self, texts):
        return self.probabilities


def test_ensemble_averages_the_models():
    texts, labels = ["a", "b", "c"], np.array([1, 0, 1])
    a, b = Fixed([0.9, 0.2, 0.4]), Fixed([0.3, 0.4, 0.8])
    ensemble = Ensemble([a, b], weights=[0.25, 0.75])
    np.testing.assert_allclose(ensemble.predict(texts), 0.25 * a.probabilities
                               + 0.75 * b.probabilities, rtol=1e-6)
    assert ensemble.predict(texts).dtype == np.float32
    np.testing.assert_allclose(Ensemble([a, b]).predict(texts), [0.6, 0.3, 0.6], rtol=1e-6)
    assert ensemble.evaluate(texts, labels) == pytest.approx(2 / 3)   # 0.45, 0.35, 0.7
    assert repr(ensemble) == "Ensemble(0.25 × Fixed, 0.75 × Fixed)"
    assert repr(Ensemble([BagOfWords(naive_bayes=True), a], [0.7, 0.3])) \
        == "Ensemble(0.7 × BagOfWords(naive_bayes=True), 0.3 × Fixed)"
    assert repr(Ensemble([SentimentClassifier("gru", units=8)])) \
        == "Ensemble(1 × SentimentClassifier(cell='gru', units=8, embedding_dim=128))"


def test_ensemble_bad_arguments_raise():
    a, b = Fixed([0.9, 0.2]), Fixed([0.3, 0.4])
    with pytest.raises(ValueError, match=r"`weights` must sum to 1; received weights=\[0\.5, "
                                         r"0\.4\] \(sum 0\.9\)"):
        Ensemble([a, b], [0.5, 0.4])
    with pytest.raises(ValueError, match=r"`weights\[0\]` must be a finite number >= 0; "
                                         r"received weights\[0\]=-0\.5"):
        Ensemble([a, b], [-0.5, 1.5])
    with pytest.raises(ValueError, match=r"one weight per model \(2\); received 1"):
        Ensemble([a, b], [1.0])
    with pytest.raises(ValueError, match=r"at least one model"):
        Ensemble([])
    with pytest.raises(TypeError, match=r"`models\[1\]` must have a predict\(texts\) method"):
        Ensemble([a, "bow"])
    with pytest.raises(ValueError, match=r"`models\[0\]`\.predict must give one probability per "
                                         r"text \(3\); received shape \(2,\)"):
        Ensemble([a]).predict(["x", "y", "z"])
