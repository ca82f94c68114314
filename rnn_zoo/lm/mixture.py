r"""Linear interpolation of language models: Mikolov et al. (2011) mixed RNN LMs with a
Kneser-Ney 5-gram this way, each model good where the others are weak::

    P(w | h) = Σ_i λ_i P_i(w | h),        λ_i >= 0,  Σ_i λ_i = 1

:class:`Mixture` is itself a :class:`~rnn_zoo.lm.interface.LanguageModel` over any models of
that interface (n-gram, fixed-window, RNN LMs, other mixtures) that share one vocabulary, in one
order, and the same ``unk_token`` and ``eos_token``. Everything is computed on
log-probabilities, ``ln P(w | h) = logsumexp_i(ln λ_i + ln P_i(w | h))``, so that tiny
probabilities do not underflow; a model of weight 0 contributes ``ln 0 = -inf``, i.e. nothing.

* :meth:`Mixture.token_log_probs` combines each model's own (fast) ``token_log_probs``, and
  :meth:`Mixture.stream_token_log_probs` each model's ``stream_token_log_probs`` (an RNN LM
  carries its state across sentences, an n-gram model restarts at each: Mikolov et al.'s
  protocol on the Penn Treebank);
* a state of :meth:`Mixture.start` / :meth:`~Mixture.advance` is the tuple of every model's
  own state, so an RNN LM inside carries its recurrent state (O(1) a token) and
  :func:`rnn_zoo.lm.sampling.generate` and :func:`~rnn_zoo.lm.sampling.beam_search` work on a
  mixture unchanged (step by step: only a lone RNN LM samples in one graph).

**Fitting the weights** (:meth:`Mixture.fit_weights`) on held-out sentences is EM on the
fixed per-token probabilities ``p_i(t) = P_i(y<t> | y<1..t-1>)`` (each model scores the
sentences once), from uniform weights::

    r_i(t) = λ_i p_i(t) / Σ_j λ_j p_j(t)          E step: how much model i explains token t
    λ_i   <- (1/N) Σ_t r_i(t)                       M step

Each step never lowers the held-out log-likelihood ``(1/N) Σ_t ln Σ_i λ_i p_i(t)`` (a concave
function of λ, so EM climbs to its maximum over the simplex); the loop stops when it improves
by less than ``tolerance`` nats per token.
"""

import math
import numbers
from typing import NamedTuple

import numpy as np

from rnn_zoo import checks
from rnn_zoo.checks import check_sentences
from rnn_zoo.lm.interface import LanguageModel, logsumexp

WEIGHT_SUM_TOLERANCE = 1e-6
"""How far from 1 the given weights may sum (they are then rescaled to sum to 1)."""


class EMStep(NamedTuple):
    """One point of :meth:`Mixture.fit_weights`'s climb: the weights and the mean held-out
    log-likelihood per token they give."""

    weights: tuple
    log_likelihood: float


def _check_models(models):
    if isinstance(models, LanguageModel) or not isinstance(models, (list, tuple)):
        raise TypeError(f"`models` must be a list of LanguageModel (at least two); received "
                        f"models={models!r:.200}")
    for i, model in enumerate(models):
        if not isinstance(model, LanguageModel):
            raise TypeError(f"`models[{i}]` must be a rnn_zoo.lm.interface.LanguageModel; "
                            f"received {type(model).__name__}: {model!r:.80}")
    if len(models) < 2:
        raise ValueError(f"`models` must hold at least two language models to mix; received "
                         f"{len(models)}: {list(models)!r:.200}")
    first = models[0]
    vocabulary = list(first.vocabulary)
    for i, model in enumerate(models[1:], start=1):
        other = list(model.vocabulary)
        if other != vocabulary:
            if len(other) != len(vocabulary):
                detail = f"it holds {len(other)} tokens, models[0] {len(vocabulary)}"
            else:
                j = next(j for j, (a, b) in enumerate(zip(other, vocabulary)) if a != b)
                detail = (f"position {j} holds {other[j]!r} where models[0] holds "
                          f"{vocabulary[j]!r}")
                if set(other) == set(vocabulary):
                    detail += " (the same tokens in another order)"
            missing = sorted(set(vocabulary) - set(other))[:5]
            extra = sorted(set(other) - set(vocabulary))[:5]
            if missing or extra:
                detail += f"; it lacks {missing!r} and adds {extra!r}"
            raise ValueError(
                f"`models[{i}]` ({model!r:.80}) has a different vocabulary from models[0] "
                f"({first!r:.80}): {detail}; every model must have the same vocabulary, the "
                f"same tokens in the same order")
        for name in ("eos_token", "unk_token"):
            if getattr(model, name) != getattr(first, name):
                raise ValueError(
                    f"`models[{i}]` ({model!r:.80}) has {name}={getattr(model, name)!r} where "
                    f"models[0] ({first!r:.80}) has {name}={getattr(first, name)!r}; every "
                    f"model must have the same {name}")
        if model.targets([]) != first.targets([]):
            raise ValueError(
                f"`models[{i}]` ({model!r:.80}) predicts {model.targets([])!r} for an empty "
                f"sentence where models[0] ({first!r:.80}) predicts {first.targets([])!r}: "
                f"they end sentences differently (e.g. NGramLM convention='nltk' with another "
                f"n), so their per-token probabilities cannot be mixed")
    return tuple(models)


def _check_weights(weights, count):
    if weights is None:
        return (1.0 / count,) * count
    if isinstance(weights, (str, bytes, dict)) or not hasattr(weights, "__len__"):
        raise TypeError(f"`weights` must be None or a sequence of {count} numbers, one per "
                        f"model; received weights={weights!r:.80}")
    weights = list(weights)
    if len(weights) != count:
        raise ValueError(f"`weights` must hold one number per model ({count}); received "
                         f"{len(weights)}: weights={weights!r:.80}")
    for i, weight in enumerate(weights):
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
            raise TypeError(f"`weights[{i}]` must be a finite number >= 0; received "
                            f"weights[{i}]={weight!r}")
        if not 0 <= weight < math.inf:    # NaN fails this too
            raise ValueError(f"`weights[{i}]` must be a finite number >= 0; received "
                             f"weights[{i}]={weight!r}")
    total = math.fsum(weights)
    if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        raise ValueError(f"`weights` must sum to 1 (within {WEIGHT_SUM_TOLERANCE:g}); received "
                         f"weights={weights!r:.120}, which sum to {total!r}")
    return tuple(float(weight) / total for weight in weights)


def _log(weights):
    with np.errstate(divide="ignore"):
        return np.log(np.asarray(weights, dtype=np.float64))


class Mixture(LanguageModel):
    r"""``P(w | h) = Σ_i λ_i P_i(w | h)``: the linear interpolation of ``models``.

    Args:
        models: at least two :class:`~rnn_zoo.lm.interface.LanguageModel` with the same
            ``vocabulary`` (the same tokens in the same order), ``eos_token`` and ``unk_token``
            (an n-gram model and an RNN LM built from its vocabulary list, e.g.
            ``RNNLanguageModel(ngram.vocabulary, ...)``, qualify).
        weights: ``λ``, one finite number ``>= 0`` per model, summing to 1 (within ``1e-6``;
            rescaled to sum to 1 exactly); ``None`` (default) is uniform. :meth:`fit_weights`
            fits them on held-out sentences.

    Attributes:
        models: the models, as a tuple.
        weights: ``λ``, as a tuple of floats.
        validation_perplexity: the held-out perplexity :meth:`fit_weights` reached (``None``
            before it runs).
        em_history: :meth:`fit_weights`'s climb, a list of :class:`EMStep` (weights,
            mean log-likelihood per token), the uniform start first, the final weights last.
    """

    def __init__(self, models, weights=None):
        self.models = _check_models(models)
        self.weights = _check_weights(weights, len(self.models))
        first = self.models[0]
        self.unk_token, self.eos_token = first.unk_token, first.eos_token
        # A start-only padding token (the nltk-convention n-gram's <s>) is never sampled.
        self.bos_token = next((m.bos_token for m in self.models
                               if getattr(m, "bos_token", None) in first.token_index), None)
        self.validation_perplexity = None
        self.em_history = []

    @property
    def vocabulary(self):
        return self.models[0].vocabulary

    def targets(self, sentence):
        return self.models[0].targets(sentence)

    def combine(self, log_probs):
        """``logsumexp_i(ln λ_i + log_probs[i])``: the mixture of per-model log-probabilities
        (``log_probs``: one array per model, all of one shape)."""
        log_probs = np.stack([np.asarray(lp, dtype=np.float64) for lp in log_probs])
        log_weights = _log(self.weights).reshape((-1,) + (1,) * (log_probs.ndim - 1))
        return logsumexp(log_weights + log_probs, axis=0)

    def next_log_probs(self, context=()):
        return self.combine([model.next_log_probs(context) for model in self.models])

    def _per_model_token_log_probs(self, sentences, stream=False):
        """Each model's ``token_log_probs(sentences)`` (``stream_token_log_probs`` if
        ``stream``), as a ``(models, targets)`` array."""
        scores = [np.asarray(model.stream_token_log_probs(sentences) if stream
                             else model.token_log_probs(sentences), dtype=np.float64)
                  for model in self.models]
        lengths = [len(score) for score in scores]
        if len(set(lengths)) > 1:
            raise ValueError(
                f"the models score different numbers of targets for the same sentences "
                f"({', '.join(f'models[{i}]: {n}' for i, n in enumerate(lengths))}); their "
                f"per-token probabilities cannot be mixed")
        return np.stack(scores)

    def token_log_probs(self, sentences):
        """Each model's own ``token_log_probs``, mixed token by token."""
        return self.combine(self._per_model_token_log_probs(
            check_sentences("sentences", sentences)))

    def stream_token_log_probs(self, sentences):
        """Each model's own ``stream_token_log_probs`` (an RNN LM carries its state across the
        sentences, an n-gram model restarts at each), mixed token by token."""
        return self.combine(self._per_model_token_log_probs(
            check_sentences("sentences", sentences), stream=True))

    # ---------------------------------------------------------------- one token at a time
    def start(self, prompt=()):
        """The tuple of every model's own state after ``prompt``."""
        return tuple(model.start(prompt) for model in self.models)

    def advance(self, state, token):
        return tuple(model.advance(s, token) for model, s in zip(self.models, state))

    def state_log_probs(self, state):
        return self.combine([model.state_log_probs(s) for model, s in zip(self.models, state)])

    # ------------------------------------------------------------------------ fitting λ
    def fit_weights(self, sentences, iterations=100, tolerance=1e-6, stream=False):
        """Fit :attr:`weights` by EM on held-out ``sentences`` (see the module docstring),
        starting from uniform weights, for at most ``iterations`` updates, stopping when the
        mean log-likelihood per token improves by less than ``tolerance`` (nats).

        Each model scores ``sentences`` once: with ``token_log_probs``, or with
        ``stream_token_log_probs`` if ``stream`` (the weights for :meth:`stream_perplexity`).
        Sets :attr:`weights`, :attr:`validation_perplexity` (that of the final weights) and
        :attr:`em_history`, and returns ``self``. A target that every model gives probability
        0 makes the log-likelihood ``-inf`` whatever the weights: ``ValueError``.
        """
        iterations = checks.positive_int("iterations", iterations)
        if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real):
            raise TypeError(f"`tolerance` must be a finite number >= 0; received "
                            f"tolerance={tolerance!r}")
        if not 0 <= tolerance < math.inf:
            raise ValueError(f"`tolerance` must be a finite number >= 0; received "
                             f"tolerance={tolerance!r}")
        checks.boolean("stream", stream)
        scores = self._per_model_token_log_probs(check_sentences("sentences", sentences), stream)
        if scores.shape[1] == 0:
            raise ValueError("`sentences` hold no token to predict; the weights cannot be fit")
        impossible = np.flatnonzero(np.all(np.isneginf(scores), axis=0))
        if impossible.size:
            raise ValueError(
                f"`sentences` hold {impossible.size} target(s) (the first at position "
                f"{impossible[0]} of the targets) that every model gives probability 0; the "
                f"held-out log-likelihood is -inf whatever the weights")
        if np.isnan(scores).any():
            model = int(np.flatnonzero(np.isnan(scores).any(axis=1))[0])
            raise ValueError(f"`models[{model}]` ({self.models[model]!r:.80}) gives NaN "
                             f"log-probabilities on `sentences`")
        weights = np.full(len(self.models), 1.0 / len(self.models))
        history = []
        for step in range(iterations + 1):
            joint = _log(weights)[:, None] + scores          # ln λ_i p_i(t)
            mixed = logsumexp(joint, axis=0)                 # ln Σ_j λ_j p_j(t), finite
            history.append(EMStep(tuple(float(w) for w in weights), float(mixed.mean())))
            if step == iterations or (
                    step > 0 and history[-1].log_likelihood - history[-2].log_likelihood
                    < tolerance):
                break
            weights = np.exp(joint - mixed).mean(axis=1)     # mean_t r_i(t)
            weights /= weights.sum()
        self.weights = history[-1].weights
        self.em_history = history
        self.validation_perplexity = float(np.exp(-history[-1].log_likelihood))
        return self

    def __repr__(self):
        parts = ", ".join(f"{weight:.3g} × {model!r}"
                          for weight, model in zip(self.weights, self.models))
        return f"Mixture({parts})"
