"""Linear interpolation of language models (rnn_zoo.lm.mixture): every path of a mixture (fast
scoring, next_log_probs, start/advance) against ln(λ1 p1 + λ2 p2) computed by hand from each
model; EM against a brute-force search over the weights; sampling and beam search through the
shared interface; bad arguments. Tiny n-gram models and one tiny untrained RNN LM."""

import keras
import numpy as np
import pytest

from rnn_zoo.lm.interface import LanguageModel
from rnn_zoo.lm.interface import logsumexp
from rnn_zoo.lm.mixture import EMStep, Mixture
from rnn_zoo.lm.ngram import NGramLM
from rnn_zoo.lm.rnn import RNNLanguageModel, RNNState
from rnn_zoo.lm.sampling import beam_search, generate, never_emitted

SUBJECTS = ["the cat", "the dog", "a bird", "my cat", "a dog", "the fox", "a cow"]
VERBS = ["sat", "ran", "saw", "ate", "slept", "chased", "liked"]
OBJECTS = ["", "the fish", "a mouse", "the ball", "on the mat", "the cow", "a bird"]


def grammar_sentences(rng, count):
    return [f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}".split()
            for _ in range(count)]


_rng = np.random.default_rng(0)
TRAIN = grammar_sentences(_rng, 12)
VALID = grammar_sentences(_rng, 12)
HELD_OUT = [["the", "zebra", "sat"], [], ["a", "cow", "ate", "the", "fish"]]  # an unknown word


class UniformLM(LanguageModel):
    """``P(w | h) = 1 / V`` over a given vocabulary, with settable special tokens."""

    def __init__(self, vocabulary, unk_token="<UNK>", eos_token="</s>"):
        self._vocabulary = list(vocabulary)
        self.unk_token, self.eos_token = unk_token, eos_token

    @property
    def vocabulary(self):
        return self._vocabulary

    def next_log_probs(self, context=()):
        return np.full(len(self._vocabulary), -np.log(len(self._vocabulary)))


@pytest.fixture(scope="module")
def kn():
    return NGramLM(TRAIN, n=3, smoothing="kneser-ney", discount=0.75)


@pytest.fixture(scope="module")
def laplace(kn):
    """An add-one bigram model over the Kneser-Ney model's vocabulary, in its order."""
    model = NGramLM(TRAIN, n=2, smoothing="add-k", k=1, vocabulary=kn.vocabulary[2:])
    assert model.vocabulary == kn.vocabulary
    return model


@pytest.fixture(scope="module")
def rnn(kn):
    """A tiny untrained GRU LM built from the n-gram model's vocabulary list, random weights."""
    keras.utils.set_random_seed(0)
    model = RNNLanguageModel(kn.vocabulary, cell="gru", units=4, embedding_dim=3)
    rng = np.random.default_rng(0)
    for variable in model.network.trainable_weights:
        variable.assign(rng.normal(0, 0.8, variable.shape))
    return model


def by_hand(weights, *scores):
    """ln Σ_i λ_i p_i, in plain probabilities."""
    with np.errstate(divide="ignore"):
        return np.log(sum(w * np.exp(s) for w, s in zip(weights, scores)))


def step_by_step(model, sentences):
    """Each target's log-probability twice: from next_log_probs of its context, and from the
    start/advance/state_log_probs path."""
    from_context, from_state = [], []
    for sentence in sentences:
        targets, state = model.targets(sentence), model.start()
        for t, token in enumerate(targets):
            j = model.index(token)
            from_context.append(model.next_log_probs(targets[:t])[j])
            from_state.append(model.state_log_probs(state)[j])
            state = model.advance(state, token)
    return np.array(from_context), np.array(from_state)


# ------------------------------------------------------------------------------- the formula
@pytest.mark.parametrize("weights", [None, (0.3, 0.7), (1.0, 0.0), (0.0, 1.0)])
def test_a_model_mixed_with_itself_is_that_model(kn, weights):
    mixture = Mixture([kn, kn], weights)
    sentences = VALID + HELD_OUT
    np.testing.assert_allclose(mixture.token_log_probs(sentences), kn.token_log_probs(sentences),
                               rtol=0, atol=1e-12)
    for context in ([], ["the"], ["a", "zebra", "ate"]):
        np.testing.assert_allclose(mixture.next_log_probs(context), kn.next_log_probs(context),
                                   rtol=0, atol=1e-12)
    three = Mixture([kn, kn, kn], [0.2, 0.5, 0.3])
    np.testing.assert_allclose(three.token_log_probs(sentences), kn.token_log_probs(sentences),
                               rtol=0, atol=1e-12)
    assert mixture.perplexity(sentences) == pytest.approx(kn.perplexity(sentences), rel=1e-12)


def test_two_ngram_models_mix_as_the_formula_on_every_path(kn, laplace):
    weights = (0.3, 0.7)
    mixture = Mixture([kn, laplace], weights)
    sentences = VALID[:4] + HELD_OUT
    expected = by_hand(weights, kn.token_log_probs(sentences), laplace.token_log_probs(sentences))
    fast = mixture.token_log_probs(sentences)
    assert fast.shape == (sum(len(s) + 1 for s in sentences),)
    np.testing.assert_allclose(fast, expected, rtol=0, atol=1e-12)
    from_context, from_state = step_by_step(mixture, sentences)
    np.testing.assert_allclose(from_context, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(from_state, expected, rtol=0, atol=1e-12)
    # Each mixed model is a different distribution: the mixture is neither of them.
    assert np.abs(fast - kn.token_log_probs(sentences)).max() > 0.1
    for context in ([], ["the", "cat"], ["zebra"]):
        assert np.exp(mixture.next_log_probs(context)).sum() == pytest.approx(1.0, abs=1e-12)
    first = sum(len(s) + 1 for s in VALID[:4])      # HELD_OUT[0]'s 4 targets start there
    assert mixture.sentence_log_prob(HELD_OUT[0]) == pytest.approx(
        expected[first:first + 4].sum(), abs=1e-12)


def test_a_model_of_weight_zero_gives_no_nan_even_where_it_gives_probability_zero(kn):
    unsmoothed = NGramLM(TRAIN, n=2, smoothing="add-k", k=0, vocabulary=kn.vocabulary[2:])
    sentences = VALID + HELD_OUT
    raw = unsmoothed.token_log_probs(sentences)
    assert np.isneginf(raw).any()                 # unseen bigrams: ln 0
    mixture = Mixture([kn, unsmoothed], [1.0, 0.0])
    np.testing.assert_array_equal(mixture.token_log_probs(sentences), kn.token_log_probs(sentences))
    np.testing.assert_array_equal(mixture.next_log_probs(["zebra"]), kn.next_log_probs(["zebra"]))
    half = Mixture([kn, unsmoothed], [0.5, 0.5]).token_log_probs(sentences)
    assert np.isfinite(half).all()
    # -inf + -inf stays -inf, never NaN.
    alone = Mixture([unsmoothed, unsmoothed], [0.0, 1.0]).token_log_probs(sentences)
    np.testing.assert_array_equal(alone, raw)
    after_unseen = Mixture([unsmoothed, unsmoothed]).next_log_probs(["zebra"])
    assert np.isneginf(after_unseen).all()
    assert logsumexp(np.array([[-np.inf, 0.0], [-np.inf, -1000.0]])).tolist() == [
        -np.inf, pytest.approx(np.log1p(np.exp(-1000.0)))]
    assert logsumexp(np.array([-1000.0, -1000.0])) == pytest.approx(-1000.0 + np.log(2.0))


def test_an_rnn_lm_and_an_ngram_model_mix_on_every_path(kn, rnn):
    assert (rnn.vocabulary, rnn.unk_token, rnn.eos_token) == (
        kn.vocabulary, kn.unk_token, kn.eos_token)
    weights = (0.4, 0.6)
    mixture = Mixture([kn, rnn], weights)
    sentences = VALID[:3] + HELD_OUT
    expected = by_hand(weights, kn.token_log_probs(sentences), rnn.token_log_probs(sentences))
    np.testing.assert_allclose(mixture.token_log_probs(sentences), expected, rtol=0, atol=1e-12)
    from_context, from_state = step_by_step(mixture, sentences)
    # the RNN's one-step function and its whole-sentence scoring agree to float32 rounding
    np.testing.assert_allclose(from_context, expected, rtol=0, atol=1e-5)
    np.testing.assert_allclose(from_state, expected, rtol=0, atol=1e-5)
    state = mixture.advance(mixture.start(["the"]), "cat")
    assert isinstance(state, tuple) and isinstance(state[1], RNNState)  # the recurrent state
    assert state[0] == ("the", "cat")
    np.testing.assert_allclose(mixture.state_log_probs(state),
                               mixture.next_log_probs(["the", "cat"]), atol=1e-5)


def stream_scores_by_hand(model, sentences):
    """Every target's log-probability from the one-token steps, the state never reset."""
    state, scores = model.start(), []
    for sentence in sentences:
        for token in model.targets(sentence):
            scores.append(model.state_log_probs(state)[model.index(token)])
            state = model.advance(state, token)
    return np.array(scores)


def test_a_stream_mixture_carries_the_rnn_state_and_restarts_the_ngram(kn, rnn):
    """Mikolov et al.'s protocol: the RNN reads the sentences as one stream, the n-gram model
    scores each sentence on its own (its default stream_token_log_probs)."""
    sentences = VALID[:4] + HELD_OUT
    np.testing.assert_array_equal(kn.stream_token_log_probs(sentences),
                                  kn.token_log_probs(sentences))
    carried = rnn.stream_token_log_probs(sentences, seq_length=3)
    np.testing.assert_allclose(carried, stream_scores_by_hand(rnn, sentences), atol=1e-5)
    assert not np.allclose(carried, rnn.token_log_probs(sentences), atol=1e-3)  # state matters
    weights = (0.3, 0.7)
    mixture = Mixture([kn, rnn], weights)
    expected = by_hand(weights, kn.token_log_probs(sentences), carried)
    np.testing.assert_allclose(mixture.stream_token_log_probs(sentences), expected, atol=1e-6)
    assert mixture.stream_perplexity(sentences) == pytest.approx(
        np.exp(-expected.mean()), rel=1e-6)
    # Fitting on the stream scores: the same EM on the carried scores, found by brute force.
    fitted = Mixture([kn, rnn]).fit_weights(sentences, tolerance=1e-12, iterations=1000,
                                            stream=True)
    grid = np.linspace(0.0, 1.0, 1001)
    best = max(by_hand((w, 1 - w), kn.token_log_probs(sentences), carried).mean()
               for w in grid)
    assert np.log(1 / fitted.validation_perplexity) >= best - 1e-6
    assert fitted.validation_perplexity == pytest.approx(fitted.stream_perplexity(sentences),
                                                         rel=1e-6)
    with pytest.raises(TypeError, match="stream"):
        Mixture([kn, rnn]).fit_weights(sentences, stream="yes")


# ------------------------------------------------------------------------------------ EM
def test_em_fits_the_weights_that_maximise_the_held_out_likelihood(kn, laplace):
    mixture = Mixture([kn, laplace]).fit_weights(VALID, iterations=500, tolerance=1e-10)
    a, b = kn.token_log_probs(VALID), laplace.token_log_probs(VALID)
    history = mixture.em_history
    assert isinstance(history[0], EMStep) and history[0].weights == (0.5, 0.5)
    assert history[-1].weights == mixture.weights
    assert sum(mixture.weights) == pytest.approx(1.0, abs=1e-12)
    assert 1 < len(history) <= 501
    # Each step's log-likelihood, recomputed by hand from its weights: EM never lowers it.
    recomputed = [by_hand(step.weights, a, b).mean() for step in history]
    np.testing.assert_allclose([step.log_likelihood for step in history], recomputed,
                               rtol=0, atol=1e-12)
    assert np.all(np.diff(recomputed) >= 0)
    assert recomputed[-1] - recomputed[0] > 0.01
    # The perplexity it reached is the fitted mixture's, and it beats every single model and
    # the uniform mixture (the data are chosen so that the optimum is inside the simplex).
    assert mixture.validation_perplexity == pytest.approx(mixture.perplexity(VALID), rel=1e-12)
    singles = [kn.perplexity(VALID), laplace.perplexity(VALID)]
    uniform = Mixture([kn, laplace]).perplexity(VALID)
    assert mixture.validation_perplexity < min(singles + [uniform]) - 0.05
    assert 0.1 < mixture.weights[0] < 0.9
    # A brute-force search over λ finds nothing better.
    grid = np.linspace(0.0, 1.0, 1001)
    best = max(by_hand((w, 1 - w), a, b).mean() for w in grid)
    assert recomputed[-1] >= best - 1e-9
    # The weights are a real input: a refit from the same data gives the same weights.
    again = Mixture([kn, laplace]).fit_weights(VALID, iterations=500, tolerance=1e-10)
    assert again.weights == mixture.weights


def test_em_puts_most_weight_on_the_good_model(kn):
    """A Kneser-Ney model that has seen plenty of the grammar against a uniform model."""
    good = NGramLM(grammar_sentences(np.random.default_rng(1), 300), n=3,
                   vocabulary=kn.vocabulary[2:])
    bad = UniformLM(kn.vocabulary)
    assert bad.perplexity(VALID) == pytest.approx(len(kn.vocabulary))
    mixture = Mixture([bad, good]).fit_weights(VALID)
    assert mixture.weights[1] > 0.95
    assert mixture.validation_perplexity <= Mixture([bad, good]).perplexity(VALID)


def test_em_stops_when_the_improvement_falls_below_the_tolerance(kn, laplace):
    loose = Mixture([kn, laplace]).fit_weights(VALID, tolerance=1e-2)
    gains = np.diff([step.log_likelihood for step in loose.em_history])
    assert gains[-1] < 1e-2 and np.all(gains[:-1] >= 1e-2)
    capped = Mixture([kn, laplace]).fit_weights(VALID, iterations=2, tolerance=0)
    assert len(capped.em_history) == 3


# ---------------------------------------------------------------------- sampling, search
def test_generate_and_beam_search_run_on_a_mixture(kn, laplace, rnn):
    mixture = Mixture([kn, laplace], [0.6, 0.4])
    sampled = generate(mixture, max_tokens=12, seed=0)
    assert sampled == generate(mixture, max_tokens=12, seed=0)
    assert set(sampled) <= set(kn.vocabulary) - {kn.unk_token, kn.eos_token}
    # top_k=1: the argmax path computed by hand from next_log_probs (<UNK> never emitted)
    path, tokens = [], []
    while len(tokens) < 12:
        log_probs = mixture.next_log_probs(tokens)
        log_probs[mixture.index(mixture.unk_token)] = -np.inf
        first, second = np.sort(log_probs)[::-1][:2]
        assert first > second + 1e-9          # no tie, so greedy decoding is unique
        token = mixture.vocabulary[int(np.argmax(log_probs))]
        if token == mixture.eos_token:
            break
        tokens.append(token)
        path = tokens
    assert path and generate(mixture, max_tokens=12, top_k=1, seed=3) == path
    hypotheses = beam_search(mixture, beam_width=3, max_tokens=8)
    assert 1 <= len(hypotheses) <= 3
    for hypothesis in hypotheses:
        assert set(hypothesis.tokens) <= set(kn.vocabulary) - {kn.unk_token, kn.eos_token}
        if hypothesis.finished:
            assert hypothesis.log_prob == pytest.approx(
                mixture.sentence_log_prob(hypothesis.tokens), abs=1e-9)
    assert [h.log_prob for h in hypotheses] == sorted((h.log_prob for h in hypotheses),
                                                      reverse=True)
    with_rnn = Mixture([kn, rnn], [0.5, 0.5])       # step by step, the RNN's state carried
    assert set(generate(with_rnn, max_tokens=4, seed=0, stop_at_eos=False)) <= set(kn.vocabulary)
    assert beam_search(with_rnn, beam_width=2, max_tokens=3)
    with pytest.raises(ValueError, match="in_graph"):
        generate(with_rnn, max_tokens=2, in_graph=True)
    # nltk-convention models hold their start padding <s> in the vocabulary: never emitted.
    nltk_pair = Mixture([NGramLM(TRAIN, n=2, convention="nltk"),
                         NGramLM(TRAIN, n=2, smoothing="add-k", convention="nltk")])
    assert nltk_pair.bos_token == "<s>"
    banned = never_emitted(nltk_pair)
    assert [nltk_pair.vocabulary[j] for j in np.flatnonzero(banned)] == ["<UNK>", "<s>"]
    assert "<s>" not in generate(nltk_pair, max_tokens=30, seed=0, stop_at_eos=False)


def test_a_mixture_says_it_is_one(kn, laplace):
    mixture = Mixture([kn, laplace], [0.625, 0.375])
    text = repr(mixture)
    assert text.startswith("Mixture(") and "0.625 × NGramLM(n=3" in text and "0.375 × " in text
    assert repr(laplace) in text
    fitted = Mixture([kn, laplace]).fit_weights(VALID)
    assert all(f"{w:.3g}" in repr(fitted) for w in fitted.weights)


# ---------------------------------------------------------------------------- bad arguments
def test_bad_models_are_named(kn, laplace):
    with pytest.raises(ValueError, match=r"`models` must hold at least two.*received 1"):
        Mixture([kn])
    with pytest.raises(TypeError, match=r"`models` must be a list"):
        Mixture(kn)
    with pytest.raises(TypeError, match=r"`models\[1\]` must be a rnn_zoo.lm.interface"):
        Mixture([kn, "laplace"])
    other_corpus = NGramLM([["x", "y"]], n=2)
    with pytest.raises(ValueError, match=r"`models\[1\]` .* different vocabulary .* holds 4 "
                                         r"tokens, models\[0\] 18"):
        Mixture([kn, other_corpus])
    shuffled = UniformLM(kn.vocabulary[:2] + kn.vocabulary[:1:-1])
    with pytest.raises(ValueError, match=rf"`models\[2\]`.*position 2 holds "
                                         rf"'{kn.vocabulary[-1]}' where models\[0\] holds "
                                         rf"'{kn.vocabulary[2]}'.*another order"):
        Mixture([kn, laplace, shuffled])
    with pytest.raises(ValueError, match=r"`models\[1\]`.*eos_token='the' where models\[0\].*"
                                         r"eos_token='</s>'"):
        Mixture([kn, UniformLM(kn.vocabulary, eos_token="the")])
    with pytest.raises(ValueError, match=r"unk_token=None where models\[0\]"):
        Mixture([kn, UniformLM(kn.vocabulary, unk_token=None)])
    bigram = NGramLM(TRAIN, n=2, convention="nltk")
    trigram = NGramLM(TRAIN, n=3, convention="nltk")
    assert bigram.vocabulary == trigram.vocabulary
    with pytest.raises(ValueError, match=r"`models\[1\]`.*predicts \['</s>', '</s>'\].*end "
                                         r"sentences differently"):
        Mixture([bigram, trigram])


@pytest.mark.parametrize("weights, error, message", [
    ([1.0], ValueError, r"`weights` must hold one number per model \(2\); received 1"),
    ([0.2, 0.3, 0.5], ValueError, r"one number per model \(2\); received 3"),
    ([1.5, -0.5], ValueError, r"`weights\[1\]` must be a finite number >= 0; received "
                              r"weights\[1\]=-0.5"),
    ([float("nan"), 1.0], ValueError, r"`weights\[0\]` must be a finite .*nan"),
    ([float("inf"), 0.0], ValueError, r"`weights\[0\]` must be a finite .*inf"),
    ([0.5, 0.6], ValueError, r"`weights` must sum to 1 \(within 1e-06\); received "
                             r"weights=\[0.5, 0.6\], which sum to 1.1"),
    (["0.5", 0.5], TypeError, r"`weights\[0\]` must be a finite number >= 0; received "
                              r"weights\[0\]='0.5'"),
    ([True, False], TypeError, r"`weights\[0\]`.*received weights\[0\]=True"),
    ("0.5,0.5", TypeError, r"`weights` must be None or a sequence of 2 numbers"),
    (0.5, TypeError, r"`weights` must be None or a sequence"),
])
def test_bad_weights_are_named(kn, laplace, weights, error, message):
    with pytest.raises(error, match=message):
        Mixture([kn, laplace], weights)


def test_weights_within_the_tolerance_are_rescaled(kn, laplace):
    mixture = Mixture([kn, laplace], np.array([0.25, 0.75 + 5e-7]))
    assert sum(mixture.weights) == pytest.approx(1.0, abs=1e-15)
    assert mixture.weights[0] == pytest.approx(0.25, abs=1e-6)


def test_bad_fitting_arguments_are_named(kn, laplace):
    mixture = Mixture([kn, laplace])
    with pytest.raises(TypeError, match=r"`iterations` must be a positive integer"):
        mixture.fit_weights(VALID, iterations=2.5)
    with pytest.raises(ValueError, match=r"`iterations` must be a positive integer"):
        mixture.fit_weights(VALID, iterations=0)
    with pytest.raises(ValueError, match=r"`tolerance` must be a finite number >= 0; received "
                                         r"tolerance=-1"):
        mixture.fit_weights(VALID, tolerance=-1)
    with pytest.raises(TypeError, match=r"`sentences` must be a list of sentences"):
        mixture.fit_weights("the cat sat")
    unsmoothed = NGramLM(TRAIN, n=2, smoothing="add-k", k=0, vocabulary=kn.vocabulary[2:])
    with pytest.raises(ValueError, match=r"every model gives probability 0.*-inf"):
        Mixture([unsmoothed, unsmoothed]).fit_weights(HELD_OUT)
    assert mixture.weights == (0.5, 0.5) and mixture.validation_perplexity is None
