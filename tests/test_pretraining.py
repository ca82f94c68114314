"""rnn_zoo.tasks.pretraining: a classifier's layers trained as a language model first, on the
tiny synthetic texts of test_sentiment (never the real corpus)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from rnn_zoo.tasks.pretraining import _next_word_data
from rnn_zoo.tasks.sentiment import SentimentClassifier
from test_sentiment import toy_corpus

TEXTS, LABELS = toy_corpus(60, seed=3)


def classifier(**options):
    settings = dict(cell="lstm", units=5, embedding_dim=4, learning_rate=1e-2, seed=2)
    settings.update(options)
    return SentimentClassifier(**settings)


def test_next_word_data_shifts_each_text_and_its_reverse():
    clf = classifier(bidirectional=True).adapt(["a b c d", "e f"])
    ids = {w: clf.vectorizer.get_vocabulary().index(w) for w in "abcdef"}
    texts = ["a b c d", "e", "f e", "zzz a"]          # "e" alone has nothing to predict: skipped
    inputs, targets, weights = next(iter(_next_word_data(
        clf, texts, ("forward", "backward"), batch_size=8)))
    a, b, c, d, e, f, unk = (*(ids[w] for w in "abcdef"), 1)
    np.testing.assert_array_equal(inputs["forward"], [[a, b, c], [f, 0, 0], [unk, 0, 0]])
    np.testing.assert_array_equal(targets["forward"], [[b, c, d], [e, 0, 0], [a, 0, 0]])
    np.testing.assert_array_equal(inputs["backward"], [[d, c, b], [e, 0, 0], [a, 0, 0]])
    np.testing.assert_array_equal(targets["backward"], [[c, b, a], [f, 0, 0], [unk, 0, 0]])
    np.testing.assert_array_equal(weights["forward"], [[1, 1, 1], [1, 0, 0], [1, 0, 0]])


@pytest.mark.parametrize("bidirectional,layers", [(True, 1), (False, 2)])
def test_classifier_layers_become_the_language_models_layers(bidirectional, layers):
    """After pretraining, the classifier's forward direction run over a text ends where the
    forward LM's layers end after the same text, and its backward direction (go_backwards)
    ends where the backward LM ends after the reversed text: the weights went to the right
    direction and layer."""
    clf = classifier(bidirectional=bidirectional, layers=layers, pooling="last")
    history = clf.pretrain(TEXTS, epochs=2, verbose=0)
    lm = history.model
    texts = ["the movie was good", "this is a really dull and boring story of actors"]
    rows = clf.encode(texts).to_list()
    lengths = [len(r) for r in rows]
    features = keras.Model(clf.network.input, clf.network.get_layer("dropout").input)
    got = features(tf.ragged.constant(rows).to_tensor(0)).numpy()
    embedding = clf.network.get_layer("embedding")
    assert embedding is lm.get_layer("embedding")                  # trained in place, shared
    expected = []
    for direction in ("forward", "backward") if bidirectional else ("forward",):
        ordered = rows if direction == "forward" else [r[::-1] for r in rows]
        padded = tf.ragged.constant(ordered).to_tensor(0)
        x = embedding(padded)
        mask = padded != 0
        for i in range(layers):
            x = lm.get_layer(f"{direction}_lstm_{i}")(x, mask=mask)
        expected.append(x.numpy()[np.arange(len(rows)), np.asarray(lengths) - 1])
    np.testing.assert_allclose(got, np.concatenate(expected, axis=1), atol=1e-5)


CYCLE = ["the", "plot", "of", "this", "film", "was", "really", "dull"]
PATTERNED = [" ".join(CYCLE[(start + k) % len(CYCLE)] for k in range(length))
             for start in range(len(CYCLE)) for length in (3, 5, 8)]
"""Texts cut from a cycle of words: each word is followed (and preceded) by one word only."""


def test_pretraining_learns_the_texts_and_reports_their_perplexity():
    """Each next (and previous) word of the patterned texts is certain: the language models
    must get near perplexity 1 (the uniform guess is the vocabulary's size), and the reported
    perplexity must be exp of the mean loss per real token, recomputed here from the LMs' own
    logits in other batches."""
    clf = classifier(bidirectional=True, learning_rate=3e-2)
    history = clf.pretrain(PATTERNED, validation_texts=PATTERNED[:10], epochs=30,
                           batch_size=4, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] / 4
    assert history.perplexity < 1.5 < clf.vectorizer.vocabulary_size()
    lm = history.model
    total, count = 0.0, 0.0
    for inputs, targets, weights in _next_word_data(clf, PATTERNED[:10], ("forward", "backward"),
                                                    batch_size=3):
        logits = lm(inputs)
        for d in ("forward", "backward"):
            log_p = tf.nn.log_softmax(logits[d]).numpy()
            nll = -np.take_along_axis(log_p, targets[d].numpy()[..., None], -1)[..., 0]
            total += float((nll * weights[d].numpy()).sum())
            count += float(weights[d].numpy().sum())
    assert history.perplexity == pytest.approx(np.exp(total / count), rel=1e-4)


def test_fit_starts_from_the_pretrained_layers():
    clf = classifier()
    clf.pretrain(TEXTS, epochs=1, verbose=0)
    network = clf.network
    pretrained = [w.copy() for w in network.get_layer("lstm_0").get_weights()]
    clf.learning_rate = 1e-9                      # fit barely moves: it must start from them
    clf.fit(TEXTS, LABELS, epochs=1, verbose=0)
    assert clf.network is network
    for before, after in zip(pretrained, network.get_layer("lstm_0").get_weights()):
        np.testing.assert_allclose(after, before, atol=1e-6)
    fresh = classifier().adapt(TEXTS)
    assert not np.allclose(fresh.network.get_layer("lstm_0").get_weights()[0], pretrained[0])


def test_pretraining_bad_arguments_raise():
    with pytest.raises(ValueError, match="one recurrent layer only.*layers=2"):
        classifier(bidirectional=True, layers=2).pretrain(TEXTS, verbose=0)
    with pytest.raises(ValueError, match="`validation_texts` must hold a text of at least two"):
        classifier().pretrain(["good", "bad movie"], validation_texts=["dull"], verbose=0)
    with pytest.raises(ValueError, match="`texts` must hold a text of at least two tokens"):
        classifier().pretrain(["good", "bad", "dull"], verbose=0)
    with pytest.raises(ValueError, match="epochs"):
        classifier().pretrain(TEXTS, epochs=0, verbose=0)
    with pytest.raises(TypeError, match="validation_texts"):
        classifier().pretrain(TEXTS, validation_texts="a single string", verbose=0)
