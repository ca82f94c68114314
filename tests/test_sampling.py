"""Sampling novel sequences and beam search (slide section 10): on a hand-built model whose
distributions are known, on an n-gram model, and on small RNN LMs, whose one-graph sampler must
give the step-by-step sampler's distributions."""

from collections import Counter

import keras
import numpy as np
import pytest

from rnn_zoo.lm import sampling
from rnn_zoo.lm.interface import LanguageModel
from rnn_zoo.lm.ngram import NGramLM
from rnn_zoo.lm.rnn import RNNLanguageModel
from rnn_zoo.lm.sampling import beam_search, generate

CHI_SQUARE_999 = {2: 13.82, 3: 16.27, 4: 18.47}
"""The 99.9% quantiles of the chi-square distribution by degrees of freedom."""


class TinyLM(LanguageModel):
    """Fixed probabilities. First token: <UNK> is the most likely, then a, b; after "a" the end
    is likely but "a" leaves the rest spread out, after "b" the end is almost sure; after two
    tokens, always the end. Greedy picks "a" then </s> (0.3 * 0.4 = 0.12); the most likely
    sentence is ["b"] (0.2 * 0.9 = 0.18)."""

    vocabulary = ["<UNK>", "</s>", "a", "b", "c"]
    probs = {(): [0.40, 0.06, 0.30, 0.20, 0.04],
             ("a",): [0.0, 0.40, 0.30, 0.20, 0.10],
             ("b",): [0.0, 0.90, 0.05, 0.05, 0.0]}

    def next_log_probs(self, context=()):
        probs = self.probs.get(tuple(context), [0.0, 1.0, 0.0, 0.0, 0.0])
        with np.errstate(divide="ignore"):
            return np.log(probs)


SENTENCES = [["the", "cat", "sat"], ["the", "dog", "ran"], ["a", "cat", "ran"]] * 8


def first_token_counts(model, n, **kwargs):
    """How often each first token comes out of ``n`` one-token samples from one seeded stream."""
    rng = np.random.default_rng(0)
    return Counter(generate(model, max_tokens=1, stop_at_eos=False, seed=rng, **kwargs)[0]
                   for _ in range(n))


def assert_frequencies_match(counts, vocabulary, probs):
    """Pearson's chi-square test at the 0.1% level (seeded, so deterministic)."""
    n = sum(counts.values())
    assert set(counts) <= {token for token, p in zip(vocabulary, probs) if p > 0}
    observed = np.array([counts[token] for token, p in zip(vocabulary, probs) if p > 0])
    expected = n * np.array([p for p in probs if p > 0])
    assert ((observed - expected) ** 2 / expected).sum() < CHI_SQUARE_999[len(observed) - 1]


def greedy(model, prompt=(), max_tokens=20):
    """Argmax decoding written out on the one-token-at-a-time API, <UNK> excluded."""
    state, tokens = model.start(prompt), []
    while len(tokens) < max_tokens:
        log_probs = np.where(sampling.never_emitted(model), -np.inf,
                             model.state_log_probs(state))
        token = model.vocabulary[int(np.argmax(log_probs))]
        if token == model.eos_token:
            break
        tokens.append(token)
        state = model.advance(state, token)
    return tokens


@pytest.fixture(scope="module")
def ngram():
    return NGramLM(SENTENCES, n=3, convention="nltk")      # <s> is in its vocabulary


@pytest.fixture(scope="module", params=["word", "char"])
def rnn(request):
    """A small random LSTM LM: a word model (with <UNK>) or a character model (without)."""
    keras.utils.set_random_seed(0)
    if request.param == "word":
        model = RNNLanguageModel(["<UNK>", "</s>", "the", "cat", "sat", "dog", "ran", "a"],
                                 units=8, embedding_dim=6)
    else:
        model = RNNLanguageModel(list("\nabcdefgh "), units=8, embedding_dim=6,
                                 unk_token=None, eos_token="\n")
    rng = np.random.default_rng(0)
    for variable in model.network.trainable_weights:   # large enough for peaked distributions
        variable.assign(rng.normal(0, 1.5, variable.shape))
    return model


# ------------------------------------------------------------------------------ the basics
def test_same_seed_same_output_and_seeds_differ(ngram, rnn):
    for model in (ngram, rnn):
        outputs = [generate(model, max_tokens=15, seed=seed, temperature=2.0)
                   for seed in (1, 1, 2, 3, 4)]
        assert outputs[0] == outputs[1]
        assert len({tuple(output) for output in outputs}) > 2


def test_ngram_samples_are_made_of_its_words_and_never_the_padding(ngram):
    seen = Counter()
    for seed in range(60):
        tokens = generate(ngram, seed=seed)
        assert 1 <= len(tokens) <= 100
        seen.update(tokens)
    assert set(seen) == {"the", "cat", "sat", "dog", "ran", "a"}     # no <s>, <UNK>, </s>


def test_stops_at_the_end_token_or_the_length_limit():
    model = TinyLM()
    for seed in range(20):
        assert len(generate(model, max_tokens=10, seed=seed)) <= 2
    tokens = generate(model, max_tokens=5, seed=0, stop_at_eos=False)
    assert len(tokens) == 5 and "</s>" in tokens
    assert generate(model, max_tokens=1, top_k=1) == ["a"]


# ------------------------------------------------------------------- the sampling distribution
def test_unk_is_never_emitted_even_when_most_likely():
    model = TinyLM()
    assert "<UNK>" not in first_token_counts(model, 300)
    assert generate(model, max_tokens=1, top_k=1) == ["a"]


@pytest.mark.parametrize("temperature", [1.0, 2.0])
def test_frequencies_match_the_renormalised_tempered_distribution(temperature):
    model = TinyLM()
    probs = np.array(TinyLM.probs[()]) ** (1 / temperature)
    probs[0] = 0.0                                            # <UNK> removed, then renormalised
    counts = first_token_counts(model, 1200, temperature=temperature)
    assert_frequencies_match(counts, model.vocabulary, probs / probs.sum())


def test_temperature_near_zero_and_top_k_1_are_greedy(ngram, rnn):
    tiny = TinyLM()
    assert greedy(tiny) == ["a"]
    for model, prompt in ((tiny, ()), (ngram, ["the"]), (rnn, ()), (rnn, ["a"])):
        expected = greedy(model, prompt, max_tokens=15)
        assert generate(model, prompt, max_tokens=15, top_k=1, seed=0) == expected
        assert generate(model, prompt, max_tokens=15, temperature=1e-3, seed=0) == expected


def test_top_p_keeps_the_smallest_set_whose_mass_reaches_p():
    # After removing <UNK>: </s> 0.1, a 0.5, b 1/3, c 1/15.
    log_probs, banned = TinyLM().next_log_probs(), sampling.never_emitted(TinyLM())
    for top_p, kept in [(0.4, {"a"}), (0.5, {"a"}), (0.8, {"a", "b"}),
                        (0.9, {"a", "b", "</s>"}), (1.0, {"a", "b", "</s>", "c"})]:
        logits = sampling.sampling_logits(log_probs, banned, top_p=top_p).numpy()
        assert {TinyLM.vocabulary[j] for j in np.flatnonzero(np.isfinite(logits))} == kept
    assert set(first_token_counts(TinyLM(), 200, top_p=0.8)) == {"a", "b"}


def test_top_k_keeps_the_k_most_likely():
    counts = first_token_counts(TinyLM(), 200, top_k=2)
    assert set(counts) == {"a", "b"}


def test_prompt_primes_the_distribution():
    model = TinyLM()
    assert_frequencies_match(first_token_counts(model, 400, prompt=["b"]), model.vocabulary,
                             TinyLM.probs[("b",)])
    assert generate(model, ["b"], max_tokens=1, top_k=1, stop_at_eos=False) == ["</s>"]


def test_prompt_tokens_outside_the_vocabulary(ngram, rnn):
    assert generate(ngram, ["zebra"], max_tokens=5, seed=0) is not None   # read as <UNK>
    if rnn.unk_token is None:
        with pytest.raises(ValueError, match="'zebra'"):
            generate(rnn, ["a", "zebra"])
    else:
        assert generate(rnn, ["zebra"], top_k=1) == generate(rnn, ["<UNK>"], top_k=1)


# ------------------------------------------------------------------------- the one-graph path
def test_fast_rnn_path_equals_the_slow_path_under_greedy_decoding(rnn):
    for prompt in ((), ["a"], ["a", "a", "a"]):
        for stop_at_eos in (True, False):
            slow = generate(rnn, prompt, max_tokens=15, top_k=1, stop_at_eos=stop_at_eos,
                            in_graph=False)
            assert generate(rnn, prompt, max_tokens=15, top_k=1,
                            stop_at_eos=stop_at_eos) == slow
            assert generate(rnn, prompt, max_tokens=15, temperature=1e-3, seed=0,
                            stop_at_eos=stop_at_eos) == slow


def test_fast_rnn_path_samples_the_tempered_top_k_distribution(rnn):
    log_probs = rnn.next_log_probs(["a"])
    logits = sampling.sampling_logits(log_probs, sampling.never_emitted(rnn), temperature=2.0,
                                      top_k=3).numpy()
    probs = np.exp(logits - logits.max())
    counts = first_token_counts(rnn, 400, prompt=["a"], temperature=2.0, top_k=3)
    assert_frequencies_match(counts, rnn.vocabulary, probs / probs.sum())


# ----------------------------------------------------------------------------- beam search
def test_beam_search_finds_the_most_likely_sentence_where_greedy_is_myopic():
    model = TinyLM()
    best, second = beam_search(model, beam_width=2, max_tokens=5)
    assert best.tokens == ["b"] and best.finished
    assert best.log_prob == pytest.approx(np.log(0.2 * 0.9))
    assert second.tokens == ["a"] == greedy(model)
    assert second.log_prob == pytest.approx(np.log(0.3 * 0.4))
    assert beam_search(model, beam_width=1)[0].tokens == ["a"]       # width 1 is greedy


def test_beam_search_scores_and_length_limit(ngram):
    hypotheses = beam_search(ngram, beam_width=3, max_tokens=10)
    assert len(hypotheses) == 3
    assert [h.log_prob for h in hypotheses] == sorted((h.log_prob for h in hypotheses),
                                                      reverse=True)
    for hypothesis in hypotheses:     # scored with one end token (nltk's convention pads two)
        assert hypothesis.finished and "<s>" not in hypothesis.tokens
        targets = hypothesis.tokens + ["</s>"]
        assert hypothesis.log_prob == pytest.approx(
            sum(ngram.log_prob(token, targets[:t]) for t, token in enumerate(targets)))
    cut = beam_search(ngram, beam_width=2, max_tokens=1)
    assert all(not h.finished and len(h.tokens) == 1 for h in cut)
    assert cut[0].log_prob == pytest.approx(ngram.log_prob(cut[0].tokens[0]))


# ----------------------------------------------------------------------------- bad arguments
@pytest.mark.parametrize("kwargs, name", [
    ({"temperature": 0}, "temperature"), ({"temperature": -1.0}, "temperature"),
    ({"top_k": 0}, "top_k"), ({"top_p": 0.0}, "top_p"), ({"top_p": 1.5}, "top_p"),
    ({"max_tokens": 0}, "max_tokens"), ({"in_graph": True}, "in_graph"),
])
def test_bad_arguments_raise_value_error_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        generate(TinyLM(), **kwargs)


@pytest.mark.parametrize("kwargs, name", [
    ({"temperature": "hot"}, "temperature"), ({"top_k": 1.5}, "top_k"),
    ({"prompt": "a b"}, "prompt"), ({"stop_at_eos": 1}, "stop_at_eos"),
])
def test_bad_argument_types_raise_type_error_naming_them(kwargs, name):
    with pytest.raises(TypeError, match=f"`{name}`"):
        generate(TinyLM(), **kwargs)


@pytest.mark.parametrize("kwargs, name", [({"beam_width": 0}, "beam_width"),
                                          ({"max_tokens": -2}, "max_tokens")])
def test_beam_search_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        beam_search(TinyLM(), **kwargs)
