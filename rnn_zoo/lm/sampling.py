r"""Sampling novel sequences and beam search, for every rnn_zoo language model (slide section 10).

The slides' recipe: sample ``ŷ<1>`` from the model's first distribution, feed the sampled token
back in as the next input ``x<2> = ŷ<1>``, sample ``ŷ<2>``, ... until ``<EOS>`` or a length
limit. :func:`generate` is the one sampler (as makemore's ``generate()`` serves every model): it
reads a model only through the one-token-at-a-time API of :class:`rnn_zoo.lm.interface.LanguageModel`
(``start(prompt)``, ``advance(state, token)``, ``state_log_probs(state)``), so the n-gram model,
the fixed-window model and every RNN LM share it, and an RNN LM carries its recurrent state
``a<t>`` (and ``c<t>``) from token to token: O(1) a token, O(n) a sequence.

Each step turns ``ln P(w | tokens so far)`` into the logits it samples from
(:func:`sampling_logits`), all on log-probabilities:

1. tokens the model must never emit -- ``<UNK>`` (``unk_token``) and a start-only padding token
   (the n-gram model's ``<s>``, ``bos_token``, when it is in the vocabulary) -- get ``-inf``;
   sampling from the rest renormalises without them;
2. ``temperature`` ``T``: ``ln p / T``, i.e. ``p^(1/T)`` renormalised (``T < 1`` sharper,
   ``T > 1`` flatter, ``T -> 0`` the argmax);
3. ``top_k``: only the ``k`` most likely tokens are kept (tokens tied with the ``k``-th too);
4. ``top_p`` (nucleus sampling, Holtzman et al. 2020): only the smallest set of the most likely
   tokens whose probability (after 1-3) sums to at least ``p`` is kept (to within ``1e-6``, so
   that float rounding never adds a token; tokens tied with the last one kept too).

The token is then drawn with the Gumbel-max trick, ``argmax_w (logit_w + g_w)`` with
``g_w = -ln(-ln u_w)``, ``u_w ~ U(0, 1)``: an exact sample of ``softmax(logits)``.

**One graph for an RNN LM.** A Python loop pays the backend's call overhead at every token. For
an :class:`~rnn_zoo.lm.rnn.RNNLanguageModel`, :func:`generate` runs the whole loop as one
compiled function (:func:`rnn_zoo.backends.function`: ``tf.function`` with XLA on TensorFlow,
``jax.jit`` on JAX, eager on PyTorch) -- a ``keras.ops.while_loop`` over the model's own
one-step computation and the same :func:`sampling_logits`, with counter-based Gumbel noise
(:func:`rnn_zoo.backends.stateless_uniform`); compiled once per ``max_tokens`` and per
combination of cuts -- so the two paths sample
from the same distribution at every step; with one seed they draw different random numbers, so
only their greedy (``top_k=1``) outputs are equal token for token.

:func:`beam_search` keeps the ``beam_width`` most likely partial sequences instead of sampling.
"""

import functools
import weakref
from typing import NamedTuple

import keras
import numpy as np
from keras import ops

from rnn_zoo import backends, checks
from rnn_zoo.checks import check_tokens
from rnn_zoo.lm.rnn import RNNLanguageModel

MAX_TOKENS = 2**31 - 1
NUCLEUS_TOLERANCE = 1e-6
"""How far below ``top_p`` the kept probability mass may fall to float rounding."""


# ----------------------------------------------------------------------------- argument checks
def _positive_number(name, value, upper=None):
    """``value`` is a real number ``> 0`` (and ``<= upper`` when given); returns it as float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"`{name}` must be a number; received {name}={value!r}")
    if not value > 0 or (upper is not None and value > upper):
        expected = "> 0" if upper is None else f"in (0, {upper}]"
        raise ValueError(f"`{name}` must be {expected}; received {name}={value!r}")
    return float(value)


def _check_prompt(model, prompt):
    """``prompt`` as a list of tokens. Tokens outside the vocabulary are left for the model to
    read as its ``unk_token``; a model without one (a character model) raises ``ValueError``."""
    prompt = check_tokens("prompt", prompt)
    unknown = [token for token in prompt if token not in model.token_index]
    if unknown and model.unk_token is None:
        raise ValueError(f"`prompt` holds tokens outside the vocabulary and the model has no "
                         f"unknown token: {sorted(set(unknown))!r:.200}")
    return prompt


def never_emitted(model):
    """A boolean array over ``model.vocabulary``: True for ``<UNK>`` and for a start-only padding
    token (``bos_token``, such as the n-gram model's ``<s>``), which sampling never emits."""
    banned = np.zeros(len(model.vocabulary), bool)
    for token in (model.unk_token, getattr(model, "bos_token", None)):
        if token in model.token_index:
            banned[model.token_index[token]] = True
    return banned


# ------------------------------------------------------------------ the sampling distribution
def sampling_logits(log_probs, banned, temperature=1.0, top_k=None, top_p=None):
    """The logits that one sampling step draws from (see the module docstring): ``log_probs``
    (``ln P(w | ...)`` over the vocabulary, last axis) with the ``banned`` tokens (a boolean
    mask) removed, divided by ``temperature``, cut to the ``top_k`` most likely tokens and then
    to the ``top_p`` nucleus; removed tokens get ``-inf``. ``softmax`` of the result is the
    sampling distribution. ``top_k`` / ``top_p`` of ``None`` switch that cut off.

    One ``keras.ops`` definition serves both the step-by-step sampler and the one-graph loop,
    on every backend.
    """
    log_probs = ops.convert_to_tensor(log_probs)
    minus_inf = ops.full_like(log_probs, -np.inf)
    # The most likely allowed token is shifted to 0 before dividing by T (softmax does not
    # change), so that no T > 0 -- 1e-45 or infinity -- can make a NaN: T -> 0 is the argmax,
    # T = inf the uniform distribution over the allowed tokens.
    allowed = ops.logical_not(banned) & (log_probs > minus_inf)
    best = ops.max(ops.where(allowed, log_probs, minus_inf), axis=-1, keepdims=True)
    shifted = ops.where(allowed, log_probs - best, minus_inf)
    # A subnormal T is flushed to 0 on some devices (XLA): the smallest normal one is as greedy.
    smallest_normal = float(np.finfo(keras.backend.standardize_dtype(log_probs.dtype)).tiny)
    temperature = ops.maximum(ops.cast(temperature, log_probs.dtype), smallest_normal)
    logits = ops.where(allowed, shifted / temperature, minus_inf)
    if top_k is not None:
        k = ops.minimum(ops.cast(top_k, "int32"), ops.shape(logits)[-1])
        descending = ops.flip(ops.sort(logits, axis=-1), axis=-1)
        kth_largest = ops.take_along_axis(descending, ops.zeros_like(descending[..., :1], "int32")
                                          + (k - 1), axis=-1)
        logits = ops.where(logits >= kth_largest, logits, minus_inf)
    if top_p is not None:
        probs = ops.flip(ops.sort(ops.softmax(logits, axis=-1), axis=-1), axis=-1)
        mass_before = ops.cumsum(probs, axis=-1) - probs
        # The nucleus: every token whose more likely tokens hold less than p; it holds >= p,
        # and always the most likely token (however small p is).
        in_nucleus = (mass_before < ops.cast(top_p, probs.dtype) - NUCLEUS_TOLERANCE) | (
            ops.arange(ops.shape(probs)[-1]) == 0)
        smallest_kept = ops.min(ops.where(in_nucleus, probs, ops.ones_like(probs)), axis=-1,
                                keepdims=True)
        logits = ops.where(ops.softmax(logits, axis=-1) >= smallest_kept, logits, minus_inf)
    return logits


@functools.cache
def _step_logits():
    """:func:`sampling_logits` compiled by the running backend (once per process: Keras's
    backend is fixed when it is first imported)."""
    return backends.function(sampling_logits)


# -------------------------------------------------------------------------------- generate
def generate(model, prompt=(), max_tokens=100, temperature=1.0, top_k=None, top_p=None,
             seed=None, stop_at_eos=True, in_graph=None):
    """Sample a continuation of ``prompt`` from ``model``, token by token (slide section 10).

    Args:
        model: any :class:`rnn_zoo.lm.interface.LanguageModel` (n-gram, fixed-window, RNN LM).
        prompt: tokens that prime the model's state before sampling (for a character model,
            ``list("some text")``). A token outside the vocabulary is read as ``<UNK>`` by a
            model that has one; for a model without one (a character model) it is a
            ``ValueError`` naming the tokens.
        max_tokens: the length limit: at most this many tokens are sampled.
        temperature, top_k, top_p: see :func:`sampling_logits`; ``temperature > 0``,
            ``top_k >= 1`` (``top_k=1`` is greedy decoding), ``0 < top_p <= 1``.
        seed: ``None``, an int or a ``numpy.random.Generator``: the same int gives the same
            output. A Generator is drawn from (and so advanced), so that many calls give
            independent samples from one seeded stream.
        stop_at_eos: stop when the end token ``eos_token`` is sampled; it is not part of the
            output. With ``False`` the end token is an ordinary token: it is emitted and fed
            back in (a character model's newline between lines), and exactly ``max_tokens``
            tokens come out.
        in_graph: run the whole loop as one compiled function (only an
            :class:`~rnn_zoo.lm.rnn.RNNLanguageModel` can); ``None`` does so whenever the model
            can, ``False`` always samples step by step in Python.

    Returns:
        The sampled tokens (not the prompt, not the end token), as a list of str.
    """
    prompt = _check_prompt(model, prompt)
    max_tokens = checks.positive_int("max_tokens", max_tokens)
    if max_tokens > MAX_TOKENS:
        raise ValueError(f"`max_tokens` must be at most {MAX_TOKENS:,} (2**31 - 1, the longest "
                         f"sample a compiled loop can hold); received max_tokens={max_tokens}")
    temperature = _positive_number("temperature", temperature)
    top_k = None if top_k is None else checks.positive_int("top_k", top_k)
    top_p = None if top_p is None else _positive_number("top_p", top_p, upper=1.0)
    checks.boolean("stop_at_eos", stop_at_eos)
    can_run_in_graph = isinstance(model, RNNLanguageModel)
    if in_graph is None:
        in_graph = can_run_in_graph
    elif checks.boolean("in_graph", in_graph) and not can_run_in_graph:
        raise ValueError(f"`in_graph` must be None or False for a {type(model).__name__} "
                         f"(only an RNNLanguageModel samples in one graph); received "
                         f"in_graph=True")
    rng = np.random.default_rng(seed)
    banned = ops.convert_to_tensor(never_emitted(model))
    cuts = _as_tensors(temperature=temperature, top_k=top_k, top_p=top_p)
    state = model.start(prompt)
    if in_graph:
        ids, length = _graph_sampler(model)(
            ops.convert_to_tensor(model.state_log_probs(state), "float32"), state.states, banned,
            ops.convert_to_tensor(rng.integers(2**31, size=2), "int32"),
            ops.convert_to_tensor(stop_at_eos), max_tokens=max_tokens, **cuts)
        ids = ops.convert_to_numpy(ids)[:int(length)]
        tokens = [model.vocabulary[i] for i in ids]
        return tokens[:-1] if stop_at_eos and tokens[-1] == model.eos_token else tokens
    tokens = []
    while len(tokens) < max_tokens:
        logits = ops.convert_to_numpy(_step_logits()(model.state_log_probs(state), banned, **cuts))
        if np.isneginf(logits).all():
            raise ValueError(f"the model gives probability 0 to every token it may emit after "
                             f"prompt={prompt!r:.80} and {tokens!r:.80}")
        token = model.vocabulary[int(np.argmax(logits + rng.gumbel(size=logits.shape)))]
        if stop_at_eos and token == model.eos_token:
            break
        tokens.append(token)
        state = model.advance(state, token)
    return tokens


class Hypothesis(NamedTuple):
    """One result of :func:`beam_search`."""

    tokens: list
    """The continuation of the prompt, without the end token."""
    log_prob: float
    """``ln P(tokens, then the end token | prompt)`` if ``finished``; else ``ln P(tokens |
    prompt)``, the probability of the prefix the length limit cut."""
    finished: bool
    """Whether the model chose the end token (False: cut by ``max_tokens``)."""


def beam_search(model, prompt=(), beam_width=3, max_tokens=20):
    """The ``beam_width`` most likely continuations of ``prompt`` that beam search finds.

    Each step extends every live sequence by each of its ``beam_width`` most likely next tokens
    (never ``<UNK>`` or a start-only padding token, see :func:`never_emitted`) and keeps the
    ``beam_width`` most likely of all these extensions; one that ends with the end token is
    finished and leaves the beam. The search stops when no sequence is live or after
    ``max_tokens`` tokens; sequences still live then are returned too, ``finished=False``.

    Length handling: sequences are ranked by their total log-probability (one end token's
    included, whatever the model's scoring convention), without length normalisation, so shorter sequences are favoured; divide
    ``log_prob`` by ``len(tokens) + 1`` to rank per token instead. ``prompt`` is read as in
    :func:`generate`. Returns at most ``beam_width`` :class:`Hypothesis`, most likely first.
    """
    prompt = _check_prompt(model, prompt)
    beam_width = checks.positive_int("beam_width", beam_width)
    max_tokens = checks.positive_int("max_tokens", max_tokens)
    banned, vocabulary = never_emitted(model), model.vocabulary
    eos_id = model.token_index[model.eos_token]
    beams, done = [(0.0, [], model.start(prompt))], []
    for _ in range(max_tokens):
        extensions = []
        for log_prob, tokens, state in beams:
            log_probs = np.where(banned, -np.inf, model.state_log_probs(state))
            extensions += [(log_prob + log_probs[j], tokens, state, j)
                           for j in np.argsort(-log_probs, kind="stable")[:beam_width]
                           if np.isfinite(log_probs[j])]
        extensions.sort(key=lambda extension: -extension[0])
        beams = []
        for log_prob, tokens, state, j in extensions[:beam_width]:
            if j == eos_id:
                done.append(Hypothesis(tokens, float(log_prob), True))
            else:
                beams.append((log_prob, [*tokens, vocabulary[j]],
                              model.advance(state, vocabulary[j])))
        if not beams:
            break
    cut = [Hypothesis(tokens, float(log_prob), False) for log_prob, tokens, _ in beams]
    return sorted(done + cut, key=lambda hypothesis: -hypothesis.log_prob)[:beam_width]


def _as_tensors(**cuts):
    """The sampling cuts as tensors (``None``, a cut switched off, stays ``None``), so that a
    compiled function is traced once per combination of cuts, not once per value."""
    return {name: None if value is None else ops.convert_to_tensor(value)
            for name, value in cuts.items()}


_GRAPH_SAMPLERS = weakref.WeakKeyDictionary()


def _graph_sampler(model):
    """``model``'s one-graph sampling loop (built once per model, traced once per combination
    of switched-on cuts)."""
    if model not in _GRAPH_SAMPLERS:
        _GRAPH_SAMPLERS[model] = _GraphSampler(model)
    return _GRAPH_SAMPLERS[model]


class _GraphSampler:
    """The whole loop of :func:`generate` as one compiled function for an RNN LM: a
    ``keras.ops.while_loop`` whose body is the LM's one-step computation (embedding -> zoo
    cells -> ``ln ŷ<t>``, the very function its ``advance`` runs) and one
    :func:`sampling_logits` step; step ``t``'s Gumbel noise is
    :func:`rnn_zoo.backends.stateless_uniform` of the seed and ``t``. On TensorFlow, XLA
    (``jit_compile=True``) fuses the loop: on 2 CPU cores it samples ~5x faster than the same
    ``tf.function`` without it (``bench/bench_sampling.py``). The ids' buffer size,
    ``max_tokens``, is fixed at compile time."""

    def __init__(self, model):
        self.step = model.step          # the function that RNNLanguageModel.advance compiles
        self.eos_id = model.eos_id
        self.loop = backends.function(self._loop, model.network.weights, static=("max_tokens",),
                                      jit=True)

    def __call__(self, *args, **kwargs):
        return self.loop(*args, **kwargs)

    def _loop(self, log_probs, states, banned, seed, stop_at_eos, max_tokens, temperature,
              top_k, top_p):
        """``(ids, length)``: the first ``length`` of ``ids`` are the sampled ids (the end
        token last if it stopped the loop), from the state after the prompt: ``ln P(next |
        prompt)`` and the recurrent ``states``."""
        def not_done(t, log_probs, states, ids, at_eos):
            return (t < max_tokens) & ~(stop_at_eos & at_eos)

        def body(t, log_probs, states, ids, at_eos):
            logits = sampling_logits(log_probs, banned, temperature, top_k, top_p)
            u = backends.stateless_uniform(ops.shape(logits), seed, t,
                                           minval=float(np.finfo(np.float32).tiny))
            token = ops.cast(ops.argmax(logits - ops.log(-ops.log(u))), "int32")
            log_probs, states = self.step(token[None], states)   # x<t+1> = ŷ<t>
            ids = ops.slice_update(ids, [t], token[None])
            return t + 1, log_probs, states, ids, token == self.eos_id

        loop_vars = (ops.convert_to_tensor(0, "int32"), log_probs, states,
                     ops.zeros((max_tokens,), "int32"), ops.convert_to_tensor(False))
        length, _, _, ids, _ = ops.while_loop(not_done, body, loop_vars)
        return ids, length
