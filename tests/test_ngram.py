"""The n-gram language model (slide section 10) and the shared LanguageModel interface: the
slide's numbers, hand-computed add-1 and Kneser-Ney values, nltk.lm's numbers, bad inputs."""

import math

import numpy as np
import pytest
from nltk.lm import MLE, KneserNeyInterpolated, Laplace, Lidstone
from nltk.lm.preprocessing import pad_both_ends, padded_everygram_pipeline
from nltk.util import ngrams

from rnn_zoo.lm.interface import LanguageModel
from rnn_zoo.lm.ngram import NGramLM, NGramStats, sparsity_and_storage
from rnn_zoo.lm.sampling import generate

# Jurafsky & Martin's "Sam I am" corpus.
SAM = [["I", "am", "Sam"], ["Sam", "I", "am"],
       ["I", "do", "not", "like", "green", "eggs", "and", "ham"]]
SMOOTHINGS = [dict(smoothing="add-k", k=1.0), dict(smoothing="add-k", k=0.3),
              dict(smoothing="kneser-ney", discount=0.75),
              dict(smoothing="kneser-ney", discount=0.2)]


def zipf_corpus(rng, sentences, words=30):
    """Sentences of 0-7 tokens drawn from a Zipf distribution over ``w0 .. w{words-1}``."""
    p = 1.0 / np.arange(1, words + 1)
    vocabulary = [f"w{i}" for i in range(words)]
    return [list(rng.choice(vocabulary, size=rng.integers(0, 8), p=p / p.sum()))
            for _ in range(sentences)]


@pytest.fixture(scope="module")
def corpus():
    rng = np.random.default_rng(0)
    train, test = zipf_corpus(rng, 200), zipf_corpus(rng, 40)
    return train, test + [["an", "unseen", "w1"]]


@pytest.fixture(scope="module")
def large_corpus():
    """A corpus on which modified Kneser-Ney can estimate its discounts at every order (on many
    small synthetic corpora some D_k falls outside [0, k] and it refuses; this seed's does not)."""
    rng = np.random.default_rng(2)
    return zipf_corpus(rng, 1500, words=500), zipf_corpus(rng, 100, words=600)


def nltk_model(cls, n, train, **kwargs):
    lm = cls(order=n, **kwargs)
    lm.fit(*padded_everygram_pipeline(n, train))
    return lm


def nltk_ngrams(lm, sentence, n):
    return list(ngrams(pad_both_ends([lm.vocab.lookup(t) for t in sentence], n=n), n))


# --- the shared interface --------------------------------------------------------------------

class UniformCharacters(LanguageModel):
    """The smallest LanguageModel: uniform over three tokens, no unknown token."""

    unk_token = None
    vocabulary = ["a", "b", "</s>"]

    def next_log_probs(self, context=()):
        return np.full(3, -math.log(3))


def test_language_model_interface_on_its_own():
    model = UniformCharacters()
    assert model.targets(["a", "b"]) == ["a", "b", "</s>"]
    assert model.log_prob("b", ["a"]) == pytest.approx(-math.log(3))
    assert model.sentence_log_prob(["a", "b"]) == pytest.approx(3 * -math.log(3))
    assert model.perplexity([["a"], ["b", "b", "a"], []]) == pytest.approx(3.0)
    with pytest.raises(ValueError, match=r"token 'z' is not in the vocabulary and the model has "
                                         r"no unknown token \(unk_token=None\)"):
        model.perplexity([["a", "z"]])


# --- probabilities ---------------------------------------------------------------------------

@pytest.mark.parametrize("convention", ["standard", "nltk"])
@pytest.mark.parametrize("smoothing", SMOOTHINGS, ids=lambda s: "-".join(map(str, s.values())))
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_next_token_probabilities_sum_to_one(corpus, n, smoothing, convention):
    train, test = corpus
    model = NGramLM(train, n=n, convention=convention, **smoothing)
    contexts = [(), ("w0",), ("w1", "w0"), ("never", "seen", "words"), ("w3", "w2", "w1", "w0")]
    contexts += [sentence[:t] for sentence in train[:20] + test for t in range(len(sentence) + 1)]
    for context in contexts:
        log_probs = model.next_log_probs(context)
        assert log_probs.shape == (len(model.vocabulary),)
        np.testing.assert_allclose(np.exp(log_probs).sum(), 1.0, rtol=1e-12, err_msg=str(context))


@pytest.mark.parametrize("convention", ["standard", "nltk"])
@pytest.mark.parametrize("smoothing", SMOOTHINGS[::2], ids=["add-1", "kneser-ney"])
@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_fast_corpus_scoring_equals_the_shared_definition(corpus, n, smoothing, convention):
    train, test = corpus
    model = NGramLM(train, n=n, convention=convention, **smoothing)
    fast = model.token_log_probs(test)
    np.testing.assert_allclose(fast, LanguageModel.token_log_probs(model, test), rtol=1e-12)
    targets = sum(len(model.targets(sentence)) for sentence in test)
    assert len(fast) == targets == sum(len(s) for s in test) + len(test) * (
        1 if convention == "standard" else n - 1)
    total = sum(model.sentence_log_prob(sentence) for sentence in test)
    assert model.perplexity(test) == pytest.approx(math.exp(-total / targets), rel=1e-12)


def test_slide_four_gram_example_unsmoothed():
    """'students opened their' seen 1000 times: '... books' 400 -> 0.4, '... exams' 100 -> 0.1."""
    corpus = [["students", "opened", "their", ending]
              for ending, count in [("books", 400), ("exams", 100), ("minds", 500)]
              for _ in range(count)]
    model = NGramLM(corpus, n=4, smoothing="add-k", k=0)
    context = ["students", "opened", "their"]
    assert math.exp(model.log_prob("books", context)) == pytest.approx(0.4, rel=1e-15)
    assert math.exp(model.log_prob("exams", context)) == pytest.approx(0.1, rel=1e-15)
    # Sparsity: an unseen 4-gram gets probability 0; an unseen context has no distribution, so
    # every word gets probability 0 after it (never NaN), and generating from it is refused.
    assert model.log_prob("laptops", context) == model.log_prob("students", context) == -math.inf
    assert np.isneginf(model.next_log_probs(["students", "closed", "their"])).all()
    assert model.perplexity([["students", "closed", "their", "books"]]) == math.inf
    with pytest.raises(ValueError, match="probability 0 to every token"):
        generate(model, ["students", "closed", "their"], seed=0)
    # The whole sentence: P(students | <s><s><s>) = 1, ..., P(books | ...) = 0.4, P(</s> | ...) = 1.
    assert model.sentence_log_prob(context + ["books"]) == pytest.approx(math.log(0.4), rel=1e-15)


def test_add_one_bigram_by_hand():
    """P(w | h) = (c(h w) + 1) / (c(h) + V), V = 10 words + <UNK> + </s> = 12."""
    model = NGramLM(SAM, n=2, smoothing="add-k", k=1)
    V = 12
    assert len(model.vocabulary) == V and "<s>" not in model.vocabulary
    # c(I am) = 2, c(I •) = 3 (I am, I am, I do)
    assert math.exp(model.log_prob("am", ["I"])) == pytest.approx((2 + 1) / (3 + V))
    # c(<s> Sam) = 1, c(<s> •) = 3 sentences
    assert math.exp(model.log_prob("Sam", [])) == pytest.approx((1 + 1) / (3 + V))
    # unseen bigram, and an unknown word read as <UNK>
    assert math.exp(model.log_prob("ham", ["I"])) == pytest.approx(1 / (3 + V))
    assert model.log_prob("Zebra", ["I"]) == model.log_prob("<UNK>", ["I"])
    # P(I am Sam) = P(I|<s>) P(am|I) P(Sam|am) P(</s>|Sam); c(am •) = 2 (am Sam, am </s>),
    # c(Sam •) = 2 (Sam </s>, Sam I)
    expected = (2 + 1) / (3 + V) * (2 + 1) / (3 + V) * (1 + 1) / (2 + V) * (1 + 1) / (2 + V)
    assert model.sentence_log_prob(["I", "am", "Sam"]) == pytest.approx(math.log(expected))


def test_kneser_ney_bigram_by_hand():
    """P(w | h) = max(c(h w) - D, 0) / c(h •) + D N1+(h •) / c(h •) · P_KN(w)
    P_KN(w)    = max(N1+(• w) - D, 0) / N1+(• •) + D T / N1+(• •) / V,
    T = |{w : N1+(• w) > 0}|"""
    D, V = 0.75, 12
    model = NGramLM(SAM, n=2, smoothing="kneser-ney", discount=D)

    def p(word, context):
        return pytest.approx(math.exp(model.log_prob(word, context)), rel=1e-12)

    # 15 distinct bigrams; N1+(• am) = 1 (I am), N1+(• I) = 2 (<s> I, Sam I),
    # N1+(• </s>) = 3 (Sam, am, ham); 11 tokens have N1+(• w) > 0 (all but <UNK>).
    def unigram(continuations):
        return max(continuations - D, 0) / 15 + D * 11 / 15 / V

    # h = I: c(I am) = 2, c(I •) = 3, N1+(I •) = 2 (am, do)
    assert p("am", ["I"]) == (2 - D) / 3 + D * 2 / 3 * unigram(1)
    assert p("Sam", ["I"]) == D * 2 / 3 * unigram(2)
    assert p("Zebra", ["I"]) == D * 2 / 3 * unigram(0)
    # h = Sam: c(Sam </s>) = 1, c(Sam I) = 1, c(Sam •) = 2, N1+(Sam •) = 2
    assert p("</s>", ["I", "am", "Sam"]) == (1 - D) / 2 + D * 2 / 2 * unigram(3)
    # h = like: c(like green) = 1 = c(like •), N1+(like •) = 1
    assert p("I", ["like"]) == D * 1 / 1 * unigram(2)
    # an unseen context (Zebra is <UNK>, never seen) passes all its mass down: P(w | h) = P_KN(w)
    assert p("I", ["Zebra"]) == unigram(2)


@pytest.mark.parametrize("convention", ["standard", "nltk"])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_modified_kneser_ney_sums_to_one_and_scores_fast(large_corpus, n, convention):
    train, test = large_corpus
    model = NGramLM(train, n=n, smoothing="modified-kneser-ney", convention=convention)
    assert sorted(model.discounts) == list(range(1, n + 1))
    contexts = [sentence[:t] for sentence in test[:10] for t in range(len(sentence) + 1)]
    for context in contexts:
        np.testing.assert_allclose(np.exp(model.next_log_probs(context)).sum(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(model.token_log_probs(test[:20]),
                               LanguageModel.token_log_probs(model, test[:20]), rtol=1e-12)


def test_modified_kneser_ney_unigram_by_hand():
    """Counts a 1, b 1, c 2, d 3, e 4, </s> 1 (N = 12, V = 7): n1..n4 = 3, 1, 1, 1,
    Y = 3 / (3 + 2) = 0.6, D_1 = 1 - 2Y/3 = 0.6, D_2 = 2 - 3Y = 0.2, D_3+ = 3 - 4Y = 0.6;
    P(w) = (c(w) - D(c(w))) / N + γ / V with γ = (3 D_1 + D_2 + 2 D_3+) / N."""
    model = NGramLM([["a", "b", "c", "c", "d", "d", "d", "e", "e", "e", "e"]], n=1,
                    smoothing="modified-kneser-ney")
    np.testing.assert_allclose(model.discounts[1], [0, 0.6, 0.2, 0.6], rtol=1e-12)
    gamma = (3 * 0.6 + 0.2 + 2 * 0.6) / 12
    expected = {"a": (1 - 0.6) / 12, "c": (2 - 0.2) / 12, "d": (3 - 0.6) / 12,
                "e": (4 - 0.6) / 12, "</s>": (1 - 0.6) / 12, "<UNK>": 0.0}
    for word, p in expected.items():
        assert math.exp(model.log_prob(word)) == pytest.approx(p + gamma / 7, rel=1e-12)


def test_modified_kneser_ney_refuses_a_corpus_too_small_for_its_discounts():
    with pytest.raises(ValueError, match=r"cannot estimate its discounts at order 1: the counts "
                                         r"of counts n1..n4 = \[4, 0, 0, 0\]"):
        NGramLM([["a", "b", "c"]], n=1, smoothing="modified-kneser-ney")


# --- against nltk.lm -------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("nltk_class, kwargs, smoothing", [
    (Laplace, {}, dict(smoothing="add-k", k=1)),
    (Lidstone, {"gamma": 0.3}, dict(smoothing="add-k", k=0.3)),
], ids=["laplace", "lidstone"])
def test_add_k_perplexity_equals_nltk(corpus, n, nltk_class, kwargs, smoothing):
    train, test = corpus
    lm = nltk_model(nltk_class, n, train, **kwargs)
    model = NGramLM(train, n=n, convention="nltk", **smoothing)
    assert len(model.vocabulary) == len(lm.vocab)
    reference = lm.perplexity([g for sentence in test for g in nltk_ngrams(lm, sentence, n)])
    assert model.perplexity(test) == pytest.approx(reference, rel=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_unsmoothed_perplexity_equals_nltk_mle_on_seen_text(corpus, n):
    train, _ = corpus
    lm = nltk_model(MLE, n, train)
    model = NGramLM(train, n=n, convention="nltk", smoothing="add-k", k=0)
    reference = lm.perplexity([g for sentence in train for g in nltk_ngrams(lm, sentence, n)])
    assert model.perplexity(train) == pytest.approx(reference, rel=1e-12)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_kneser_ney_equals_nltk_except_its_two_known_differences(corpus, n):
    """nltk's P = α_n + γ_n (α_n-1 + γ_n-1 (... + γ_2 P_1)), with α, γ from nltk's own
    ``alpha_gamma``, equals ours once nltk's unigram P_1 = N1+(• w) / N1+(• •) is replaced by
    the textbook one (difference 1 of the module docstring), for every n-gram but each
    sentence's first (difference 2: nltk's γ for the all-<s> context of level n - 1)."""
    train, test = corpus
    D = 0.75
    lm = nltk_model(KneserNeyInterpolated, n, train, discount=D)
    model = NGramLM(train, n=n, convention="nltk", smoothing="kneser-ney", discount=D)
    V = len(lm.vocab)
    bigrams = lm.counts[2]
    continuations = {}     # N1+(• w), by hand from nltk's bigram counts
    for h in bigrams.conditions():
        for w in bigrams[h]:
            continuations[w] = continuations.get(w, 0) + 1
    total = sum(continuations.values())

    def textbook_unigram(w):
        assert lm.estimator.unigram_score(w) == continuations.get(w, 0) / total   # nltk's P_1
        return (max(continuations.get(w, 0) - D, 0) + D * len(continuations) / V) / total

    def nltk_recursion(w, context):         # nltk's InterpolatedLanguageModel.unmasked_score
        if not context:
            return textbook_unigram(w)
        if not lm.counts[context]:
            return nltk_recursion(w, context[1:])
        alpha, gamma = lm.estimator.alpha_gamma(w, context)
        return alpha + gamma * nltk_recursion(w, context[1:])

    first = ("<s>",) * (n - 1)
    compared = 0
    for sentence in test:
        ours = np.exp(model.token_log_probs([sentence]))
        for p, gram in zip(ours, nltk_ngrams(lm, sentence, n)):
            if gram[:-1] != first or n == 2:
                assert p == pytest.approx(nltk_recursion(gram[-1], gram[:-1]), rel=1e-12)
                compared += 1
    assert compared > 150
    # Difference 1: nltk gives the never-seen <UNK> probability 0, we do not.
    assert lm.score("<UNK>", ["w0"]) == 0.0 < math.exp(model.log_prob("<UNK>", ["w0"]))
    # Difference 2: nltk's distribution after the all-<s> context sums to more than 1.
    if n > 2:
        assert sum(lm.score(w, first) for w in lm.vocab) > 1 + 1e-3
        assert np.exp(model.next_log_probs([])).sum() == pytest.approx(1.0, rel=1e-12)


# --- vocabulary and conventions --------------------------------------------------------------

def test_out_of_vocabulary_words_are_unk_with_a_min_count_cut_off():
    sentences = [["a", "b", "a"], ["a", "c"], ["b", "a"]]
    model = NGramLM(sentences, n=2, smoothing="add-k", min_count=2, unk_token="<unk>")
    assert model.vocabulary == ["<unk>", "</s>", "a", "b"]      # c seen once
    unk = model.log_prob("<unk>", ["a"])
    assert model.log_prob("c", ["a"]) == unk == model.log_prob("z", ["a"])
    # The cut-off word is counted as <unk> in training: c(a <unk>) = 1 of c(a •) = 4.
    assert math.exp(model.log_prob("<unk>", ["a"])) == pytest.approx((1 + 1) / (4 + 4))
    assert model.targets(["c", "a"]) == ["<unk>", "a", "</s>"]
    given = NGramLM(sentences, n=2, smoothing="add-k", vocabulary=["a"])
    assert given.vocabulary == ["<UNK>", "</s>", "a"]


def test_nltk_convention_pads_like_nltk():
    model = NGramLM(SAM, n=3, convention="nltk", smoothing="add-k")
    assert {"<s>", "</s>", "<UNK>"} <= set(model.vocabulary) and len(model.vocabulary) == 13
    assert model.targets(["I", "am"]) == ["I", "am", "</s>", "</s>"]
    assert np.exp(model.log_prob("<s>", ["I"])) > 0      # nltk gives <s> probability mass
    unigram = NGramLM(SAM, n=1, convention="nltk", smoothing="add-k")
    assert unigram.targets(["I", "am"]) == ["I", "am"]    # n = 1: no padding at all
    assert "</s>" not in unigram.vocabulary


def test_sparsity_and_storage_by_hand():
    stats = sparsity_and_storage([["a", "b"], ["b", "a", "b"]], [["a", "c"], ["b", "a"]], max_n=3)
    # targets: a, c(<UNK>), </s>, b, a, </s>
    # unigrams: c unseen; stored a, b, </s>
    assert stats[0] == NGramStats(n=1, unseen_ngrams=1 / 6, unseen_contexts=0.0, stored_ngrams=3)
    # bigrams: (<s> a) (a c) (c </s>) (<s> b) (b a) (a </s>): a c, c </s>, a </s> unseen;
    # the context c is unseen; stored (<s> a) (a b) (b </s>) (<s> b) (b a) = 5
    assert stats[1] == NGramStats(n=2, unseen_ngrams=3 / 6, unseen_contexts=1 / 6, stored_ngrams=5)
    # trigrams: (<s> <s> a), (<s> <s> b), (<s> b a) seen, the other 3 not; of their contexts
    # (<s> <s>) x2, (<s> a), (a c), (<s> b), (b a), only (a c) is unseen; stored 6
    assert stats[2] == NGramStats(n=3, unseen_ngrams=3 / 6, unseen_contexts=1 / 6, stored_ngrams=6)


def test_sparsity_grows_and_storage_grows_with_n(corpus):
    train, test = corpus
    stats = sparsity_and_storage(train, test, max_n=5)
    assert [s.n for s in stats] == [1, 2, 3, 4, 5]
    for lower, higher in zip(stats, stats[1:]):
        assert lower.unseen_ngrams <= higher.unseen_ngrams
        assert lower.unseen_contexts <= higher.unseen_contexts
        assert lower.stored_ngrams < higher.stored_ngrams


# --- bad inputs ------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n=0), ValueError, r"`n` must be a positive integer; received n=0"),
    (dict(n=-2), ValueError, r"received n=-2"),
    (dict(n=2.5), TypeError, r"`n` must be a positive integer; received n=2.5"),
    (dict(smoothing="laplace"), ValueError, r"`smoothing` must be one of .*'add-k'.*laplace"),
    (dict(k=-1), ValueError, r"`k` must be a finite number >= 0; received k=-1"),
    (dict(k="1"), TypeError, r"received k='1'"),
    (dict(k=math.inf), ValueError, r"received k=inf"),
    (dict(discount=0), ValueError, r"`discount` must be a number in \(0, 1\); received discount=0"),
    (dict(discount=1.0), ValueError, r"received discount=1.0"),
    (dict(discount=1.5), ValueError, r"received discount=1.5"),
    (dict(convention="kenlm"), ValueError, r"`convention` must be one of"),
    (dict(min_count=0), ValueError, r"`min_count` must be a positive integer"),
    (dict(min_count=2, vocabulary=["a"]), ValueError, r"either `vocabulary` or `min_count`"),
    (dict(vocabulary=["a", 3]), TypeError, r"tokens of `vocabulary` must be strings; received 3"),
    (dict(unk_token="</s>"), ValueError, r"special tokens must differ"),
    (dict(bos_token=None), TypeError, r"`bos_token` must be a string; received bos_token=None"),
])
def test_bad_arguments_raise_naming_them(kwargs, error, match):
    with pytest.raises(error, match=match):
        NGramLM(SAM, **kwargs)


@pytest.mark.parametrize("sentences, error, match", [
    ([], ValueError, r"`sentences` must hold at least one sentence"),
    ("I am Sam", TypeError, r"`sentences` must be a list of sentences"),
    (["I am Sam"], TypeError, r"`sentences\[0\]` must be a list of string tokens"),
    ([["I", 3]], TypeError, r"tokens of `sentences` must be strings; received 3"),
])
def test_bad_corpora_raise(sentences, error, match):
    with pytest.raises(error, match=match):
        NGramLM(sentences)


def test_degenerate_corpora():
    only_empty = NGramLM([[], []], n=3)         # only </s> to learn
    assert only_empty.vocabulary == ["<UNK>", "</s>"]
    assert only_empty.log_prob("</s>") > math.log(0.8) > only_empty.log_prob("<UNK>")
    with pytest.raises(ValueError, match=r"hold no token to count"):
        NGramLM([[], []], n=1, convention="nltk")


def test_bad_scoring_inputs_raise():
    model = NGramLM(SAM, n=2)
    with pytest.raises(TypeError, match=r"`context` must be a list of string tokens"):
        model.next_log_probs("I am")
    with pytest.raises(ValueError, match=r"`sentences` must hold at least one sentence"):
        model.perplexity([])
    with pytest.raises(TypeError, match=r"`sentences\[1\]` must be a list of string tokens"):
        model.perplexity([["I"], "am"])
