r"""The interface every rnn_zoo language model shares (slide section 10), so that one evaluation,
and one sampler built on :meth:`~LanguageModel.next_log_probs`, serve the n-gram model and every
RNN LM.

A language model gives ``p(x(t+1) = w_j | x(t), ..., x(1))`` for every token ``w_j`` of its
vocabulary, and so the probability of a whole sentence::

    P(sentence) = P(y<1>) P(y<2> | y<1>) ... P(y<T> | y<1>, ..., y<T-1>) P(</s> | y<1>, ..., y<T>)

Conventions, the same for every model:

* A sentence is a list of string tokens without start or end markers, e.g.
  ``["I", "saw", "the", "soccer", "game"]``.
* The model predicts each token from the tokens before it, then the end token ``eos_token``
  (the slides' ``<EOS>``). Any start marker a model uses (the n-gram model's ``<s>`` padding,
  an RNN's zero input ``x<1>``) is context only: it is never predicted and never counted.
* A token outside :attr:`~LanguageModel.vocabulary` is read as ``unk_token`` (the slides map
  rare words to ``<UNK>``); a model without one (``unk_token = None``, e.g. a character model)
  raises ``ValueError`` instead.
* Logarithms are natural. Perplexity is
  ``exp(-(1/N) Σ_sentences Σ_t ln P(y<t> | y<1>, ..., y<t-1>))`` where ``N`` counts every
  predicted token: each sentence's tokens plus its one end token, so a sentence of ``T`` tokens
  adds ``T + 1`` (:meth:`~LanguageModel.targets` lists them; only ``rnn_zoo.lm.ngram``'s
  ``convention="nltk"``, which copies nltk, predicts ``n - 1`` end tokens). The start is never
  counted.

A model implements :attr:`~LanguageModel.vocabulary` and :meth:`~LanguageModel.next_log_probs`;
everything else is built on those two.  Generation reads a model one token at a time through
:meth:`~LanguageModel.start`, :meth:`~LanguageModel.advance` and
:meth:`~LanguageModel.state_log_probs`: by default the "state" is the context itself, so each
step re-reads it; an RNN LM overrides the three to carry its recurrent state instead (O(1) a step). :meth:`~LanguageModel.token_log_probs` is the one method
worth overriding for speed (the n-gram model scores a corpus from its count tables; an RNN LM
carries its state along the sentence instead of re-reading the context).
"""

import abc
from functools import cached_property

import numpy as np

from rnn_zoo.checks import check_sentences, check_tokens


def logsumexp(x, axis=0):
    """``ln Σ exp(x)`` along ``axis``, safe when every entry is ``-inf`` (gives ``-inf``, not
    NaN) and when they are all far below 0 (no underflow)."""
    x = np.asarray(x, dtype=np.float64)
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(x - top), axis=axis))


class LanguageModel(abc.ABC):
    """A model of ``P(next token | tokens so far)`` over a fixed vocabulary.

    Subclasses implement :attr:`vocabulary` and :meth:`next_log_probs`, and set ``unk_token``
    and ``eos_token`` if theirs differ from the defaults below.
    """

    unk_token = "<UNK>"
    eos_token = "</s>"

    @property
    @abc.abstractmethod
    def vocabulary(self):
        """The tokens the model predicts, special tokens (``unk_token``, ``eos_token``) included,
        as a list: position ``j`` of :meth:`next_log_probs` is ``vocabulary[j]``."""

    @abc.abstractmethod
    def next_log_probs(self, context=()):
        """``ln P(w | context)`` for every ``w`` in :attr:`vocabulary`, as a float array of shape
        ``(len(vocabulary),)`` whose exponentials sum to 1.

        ``context`` is the sentence so far: a list of tokens, without any start marker (the model
        supplies its own); ``()`` asks for the first token.
        """

    @cached_property
    def token_index(self):
        """``{token: position in vocabulary}``."""
        return {token: j for j, token in enumerate(self.vocabulary)}

    def index(self, token):
        """The position of ``token`` in :attr:`vocabulary`, or that of ``unk_token``."""
        j = self.token_index.get(token, self.token_index.get(self.unk_token))
        if j is None:
            raise ValueError(
                f"token {token!r} is not in the vocabulary and the model has no unknown token "
                f"(unk_token={self.unk_token!r})"
            )
        return j

    def targets(self, sentence):
        """The tokens the model predicts for ``sentence``: its tokens, those outside the
        vocabulary as ``unk_token``, then ``eos_token``."""
        vocabulary = self.vocabulary
        return [vocabulary[self.index(token)] for token in sentence] + [self.eos_token]

    def log_prob(self, token, context=()):
        """``ln P(token | context)``; a token outside the vocabulary is scored as ``unk_token``."""
        return float(self.next_log_probs(context)[self.index(token)])

    def token_log_probs(self, sentences):
        """``ln P(y<t> | y<1>, ..., y<t-1>)`` for every target (see :meth:`targets`) of every
        sentence, one after the other, as a float array.

        This version calls :meth:`next_log_probs` once per target; models override it with a
        faster one that returns the same numbers.
        """
        scores = []
        for sentence in check_sentences("sentences", sentences):
            targets = self.targets(sentence)
            scores += [self.log_prob(token, targets[:t]) for t, token in enumerate(targets)]
        return np.asarray(scores, dtype=np.float64)

    # ---------------------------------------------------------------- one token at a time
    def start(self, prompt=()):
        """The state after reading ``prompt`` (tokens; ``()`` for a new sentence)."""
        return tuple(check_tokens("prompt", prompt))

    def advance(self, state, token):
        """The state after reading one more ``token`` (a string of the vocabulary)."""
        return state + (token,)

    def state_log_probs(self, state):
        """``ln P(w | everything read so far)`` for every ``w`` in :attr:`vocabulary`."""
        return self.next_log_probs(list(state))

    def sentence_log_prob(self, sentence):
        """``ln P(sentence) = ln P(y<1>) + ln P(y<2> | y<1>) + ... + ln P(</s> | y<1..T>)``."""
        return float(self.token_log_probs([sentence]).sum())

    def perplexity(self, sentences):
        """``exp`` of the mean negative log-probability of every target of ``sentences`` (each
        token and one end token per sentence; see the module docstring)."""
        return perplexity_of(self.token_log_probs(sentences))

    def stream_token_log_probs(self, sentences):
        """:meth:`token_log_probs` with ``sentences`` read as one stream, each sentence in the
        context of those before it. A model whose context ends at the sentence (an n-gram
        model, a fixed window) scores each sentence on its own, so this default returns
        :meth:`token_log_probs`; an RNN LM overrides it to carry its state across sentences."""
        return self.token_log_probs(sentences)

    def stream_perplexity(self, sentences):
        """Perplexity of :meth:`stream_token_log_probs`: ``sentences`` as one stream."""
        return perplexity_of(self.stream_token_log_probs(sentences))


def perplexity_of(scores):
    """``exp(-mean(scores))`` of per-target log-probabilities; none at all is an error."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        raise ValueError("`sentences` hold no token to predict; perplexity is undefined")
    return float(np.exp(-scores.mean()))
