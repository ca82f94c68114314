r"""n-gram language models from counts (slide section 10), with add-k and Kneser-Ney smoothing.

The slides' n-gram model predicts a word from the ``n - 1`` words before it, by counting::

    P(w2 | w1) = count(w1, w2) / count(w1)
    P(w4 | w1 w2 w3) = count(w1 w2 w3 w4) / count(w1 w2 w3)

    "students opened their" seen 1000 times, "students opened their books" 400 times
        -> P(books | students opened their) = 400 / 1000 = 0.4   ("... exams" 100 -> 0.1)

and names its two problems: *sparsity* (an n-gram never seen gets probability 0; a context
never seen gives no distribution at all) and *storage* (the number of n-grams to keep grows
with n). :func:`sparsity_and_storage` measures both on a corpus; smoothing answers the first:

add-k (``smoothing="add-k"``; Laplace when ``k=1``, the slides' unsmoothed counts when ``k=0``)::

    P(w | h) = (c(h w) + k) / (c(h) + k V)        c(h) = Σ_w c(h w),  V = len(vocabulary)

interpolated Kneser-Ney (``smoothing="kneser-ney"``, discount ``0 < D < 1``; Chen & Goodman
1998; Jurafsky & Martin, *Speech and Language Processing*, 3rd ed., ch. 3)::

    P_m(w | h) = max(a(h w) - D, 0) / a(h •)  +  D N(h •) / a(h •) · P_m-1(w | h')

    m = n:      a(h w) = c(h w), the count
    m < n:      a(h w) = N1+(• h w) = |{v : c(v h w) > 0}|, the number of distinct words seen
                before h w (a "continuation" count: how many contexts a word completes)
    a(h •) = Σ_w a(h w),  N(h •) = |{w : a(h w) > 0}|,  h' = h without its first word,
    P_0(w) = 1 / V (the recursion ends in the uniform distribution).

The second term's weight is the mass the discount took from h's n-grams, handed down to the
shorter context. Modified Kneser-Ney (``smoothing="modified-kneser-ney"``; Chen & Goodman 1998,
the default of the SRILM and KenLM toolkits) discounts ``D_1``, ``D_2`` or ``D_3+`` by
whether ``a(h w)`` is 1, 2 or more, each order estimating its own from its counts of counts
``n_k = |{h w : a(h w) = k}|``::

    Y = n_1 / (n_1 + 2 n_2),  D_1 = 1 - 2Y n_2/n_1,  D_2 = 2 - 3Y n_3/n_2,  D_3+ = 3 - 4Y n_4/n_3
    P_m(w | h) = (a(h w) - D(a(h w))) / a(h •)  +  Σ_w' D(a(h w')) / a(h •) · P_m-1(w | h')

(``D(0) = 0``; a corpus too small to give ``0 <= D_k <= k`` at every order raises
``ValueError``). :attr:`NGramLM.discounts` holds the discounts used.

All of them are one interpolation ``P_m(w | h) = α_m(h w) + γ_m(h) P_m-1(w | h')``: add-k has
the single level ``m = n`` with ``α = c(h w) / (c(h) + kV)``, ``γ = kV / (c(h) + kV)`` above
``P_0 = 1/V``; Kneser-Ney has the levels ``m = 1..n``. A context never seen (``a(h •) = 0``)
passes all its mass down (``α = 0, γ = 1``); with ``k = 0`` it has no distribution, and every
word gets probability 0 after it (``ln P = -inf``; a perplexity over it is ``inf``, and
``generate`` refuses to continue it).

**Sentence boundaries** (``convention="standard"``, the default): a sentence ``y<1..T>`` is read
as ``<s> × (n-1), y<1>, ..., y<T>, </s>``. Each token and the one ``</s>`` is predicted from the
``n - 1`` tokens before it; ``<s>`` is context only: never predicted, not in the vocabulary, given
no probability. The vocabulary is the kept words plus ``<UNK>`` and ``</s>``; a sentence of ``T``
tokens adds ``T + 1`` predictions to a perplexity (:mod:`rnn_zoo.lm.interface`'s convention).

``convention="nltk"`` does what ``nltk.lm`` does with ``padded_everygram_pipeline(n, text)``,
``Vocabulary(unk_cutoff=min_count)`` and ``lm.perplexity(ngrams(pad_both_ends(s, n), n))``:
``n - 1`` ``</s>`` at the end too, each predicted (``T + n - 1`` predictions a sentence); every
m-gram of the padded sentence counted (those ending in ``<s>`` too); ``<s>`` and ``</s>`` in
the vocabulary, so ``V`` is one larger and ``<s>`` gets probability mass. For ``n = 1`` there is
no padding at all and no ``</s>``. With it, add-k (nltk's ``MLE``, ``Laplace``, ``Lidstone``)
gives nltk's numbers. nltk's ``KneserNeyInterpolated`` differs from the textbook formula above in
two known ways, which it keeps (``tests/test_ngram.py`` checks everything else against nltk's own
``alpha_gamma``):

1. nltk's recursion ends in the continuation unigram ``N1+(• w) / N1+(• •)`` itself, without a
   discount or the uniform ``P_0``: a word never seen after another (``<UNK>`` when training had
   none; ``<s>`` for ``n = 2``) gets probability 0, and a test set holding one perplexity ∞.
2. nltk's γ at the levels ``m < n`` counts ``N(h •)`` over raw counts, ``|{w : c(h w) > 0}|``,
   not over continuation counts. The two differ only for the all-``<s>`` context of level
   ``n - 1`` (``<s> <s>`` is followed by ``<s>`` once but never preceded), which scores each
   sentence's first word; there nltk's probabilities sum to more than 1.

nltk's default discount is 0.1; 0.75 is the usual choice and the default here.

**How it is stored.** Tokens are integers (``vocabulary`` order; the standard convention's
``<s>`` is one more). Every m-gram is a key ``(id of its first m-1 words) · B + (last word)``
(``B`` ids in all); each order keeps the sorted array of its keys, so a lookup is one
``np.searchsorted`` for a whole corpus, and the m-grams that follow a context are one
contiguous slice. ``α`` is kept per m-gram and ``γ`` per context, each with one extra last
entry (``α = 0``; ``γ`` of an unseen context) that the row ``-1`` of a missing n-gram selects.
"""

import math
from collections import Counter
from itertools import chain, repeat
from typing import NamedTuple

import numpy as np

from rnn_zoo import checks
from rnn_zoo.checks import check_sentences, check_tokens
from rnn_zoo.lm.interface import LanguageModel

SMOOTHINGS = ("add-k", "kneser-ney", "modified-kneser-ney")
CONVENTIONS = ("standard", "nltk")


def _extend(previous, tokens, offset, m, base):
    """For every position: the id of the (m-1)-gram ending just before it (its context), the
    key ``context · base + token`` of the m-gram ending at it, and whether that m-gram lies
    inside its padded sentence (``previous`` holds the (m-1)-gram ids, -1 for none)."""
    context = np.concatenate(([-1], previous[:-1])) if m > 1 else previous
    inside = (offset >= m - 1) & (context >= 0)
    return context, context * base + tokens, inside


class _GramTables:
    """Every m-gram (m = 1..n) of a padded training corpus.

    ``keys[m]`` is the sorted array of the m-gram keys (``keys[0] = [0]``: the empty context);
    ``counts[m]`` counts each m-gram where it ends at an offset ``>= count_from`` (the standard
    convention counts only at the predicted tokens, nltk's everywhere);
    ``continuations[m]`` (m < n) is ``N1+(• g)``: how many distinct (m+1)-grams with a positive
    count end in the m-gram ``g``.
    """

    def __init__(self, tokens, offset, n, base, count_from):
        self.base = base
        self.keys, self.counts = [np.zeros(1, np.int64)], [None]
        ids, suffixes = [np.zeros(len(tokens), np.int64)], [None, None]
        for m in range(1, n + 1):
            _, key, inside = _extend(ids[-1], tokens, offset, m, base)
            table, row = np.unique(key[inside], return_inverse=True)
            gram = np.full(len(tokens), -1, np.int64)
            gram[inside] = row
            self.keys.append(table)
            self.counts.append(np.bincount(gram[offset >= max(m - 1, count_from)],
                                           minlength=len(table)))
            if m > 1:   # the (m-1)-gram each m-gram ends with
                suffixes.append(np.empty(len(table), np.int64))
                suffixes[m][row] = ids[-1][inside]
            ids.append(gram)
        self.continuations = [None] + [
            np.bincount(suffixes[m + 1][self.counts[m + 1] > 0], minlength=len(self.keys[m]))
            for m in range(1, n)
        ]

    def lookup(self, tokens, offset):
        """``[(context, gram) for m = 1..n]``: for every position, the row in ``keys[m-1]`` of
        the (m-1)-gram before it and the row in ``keys[m]`` of the m-gram ending at it; -1 where
        the training corpus has no such gram."""
        rows, gram = [], np.zeros(len(tokens), np.int64)
        for m, table in enumerate(self.keys[1:], start=1):
            context, key, inside = _extend(gram, tokens, offset, m, self.base)
            row = np.minimum(np.searchsorted(table, key), len(table) - 1)
            gram = np.where(inside & (table[row] == key), row, -1)
            rows.append((context, gram))
        return rows

    def context_totals(self, m, values):
        """``Σ_w values(h w)`` for every (m-1)-gram ``h``, plus a last entry 0 (unseen ``h``)."""
        context = self.keys[m] // self.base
        return np.append(np.bincount(context, weights=values, minlength=len(self.keys[m - 1])), 0.0)


def _modified_discounts(m, counts):
    """Chen & Goodman's ``[0, D_1, D_2, D_3+]`` from the counts of counts of order ``m``."""
    n1, n2, n3, n4 = (int(np.count_nonzero(counts == c)) for c in (1, 2, 3, 4))
    with np.errstate(divide="ignore", invalid="ignore"):
        Y = np.float64(n1) / (n1 + 2 * n2)
        discounts = np.array([0.0, 1 - 2 * Y * n2 / n1, 2 - 3 * Y * n3 / n2, 3 - 4 * Y * n4 / n3])
    if not all(0 <= d <= k for k, d in enumerate(discounts)):
        raise ValueError(
            f"smoothing='modified-kneser-ney' cannot estimate its discounts at order {m}: the "
            f"counts of counts n1..n4 = {[n1, n2, n3, n4]} give D_1, D_2, D_3+ = "
            f"{discounts[1:].round(3).tolist()}, expected 0 <= D_k <= k; the corpus is too small "
            f"(use smoothing='kneser-ney')")
    return discounts


class NGramLM(LanguageModel):
    r"""An n-gram language model fit from counts, smoothed with add-k or (modified) Kneser-Ney.

    ``NGramLM(sentences, n=3)`` counts every m-gram (m <= n) of ``sentences`` (a list of
    tokenized sentences, each a list of string tokens); see the module docstring for the formulas
    and the sentence-boundary conventions. It is a :class:`rnn_zoo.lm.interface.LanguageModel`:
    ``next_log_probs``, ``log_prob``, ``sentence_log_prob``, ``perplexity``; ``token_log_probs``
    scores a whole corpus at once from the count tables.

    Args:
        sentences: the training corpus: a non-empty list of lists of string tokens.
        n: the order (1 = unigrams, 2 = bigrams, ...): each token is predicted from ``n - 1``.
        smoothing: ``"add-k"`` (uses ``k``), ``"kneser-ney"`` (interpolated; uses ``discount``)
            or ``"modified-kneser-ney"`` (interpolated; estimates its own discounts).
        k: add-k's pseudo-count, ``k >= 0``: ``1`` is Laplace, ``0`` the unsmoothed counts.
        discount: ``smoothing="kneser-ney"``'s ``D``, in ``(0, 1)``.
        vocabulary: the words to keep; by default every word seen at least ``min_count`` times.
            Other words are read as ``unk_token``; the special tokens are added.
        min_count: the cut-off when the vocabulary is built from ``sentences``.
        unk_token, bos_token, eos_token: ``<UNK>``, the start padding ``<s>``, the end ``</s>``.
        convention: ``"standard"`` or ``"nltk"`` (how sentences are padded and what the
            vocabulary holds; see the module docstring).

    Attributes:
        discounts: ``{m: [0, D_1, D_2, D_3+]}``, the discount of an m-gram (level ``m``) seen 0,
            1, 2, 3 or more times (Kneser-Ney smoothings; empty for add-k).
    """

    def __init__(self, sentences, n=3, smoothing="kneser-ney", k=1.0, discount=0.75,
                 vocabulary=None, min_count=1, unk_token="<UNK>", bos_token="<s>",
                 eos_token="</s>", convention="standard"):
        self.n = checks.positive_int("n", n)
        self.smoothing = checks.choice("smoothing", smoothing, SMOOTHINGS)
        self.k = checks.number("k", k, "a finite number >= 0", lambda v: 0 <= v < math.inf)
        self.discount = checks.number("discount", discount, "a number in (0, 1)",
                                      lambda v: 0 < v < 1)
        self.convention = checks.choice("convention", convention, CONVENTIONS)
        min_count = checks.positive_int("min_count", min_count)
        specials = {"unk_token": unk_token, "bos_token": bos_token, "eos_token": eos_token}
        for name, token in specials.items():
            if not isinstance(token, str):
                raise TypeError(f"`{name}` must be a string; received {name}={token!r}")
        if len(set(specials.values())) < 3:
            raise ValueError(f"the special tokens must differ; received {specials}")
        self.unk_token, self.bos_token, self.eos_token = unk_token, bos_token, eos_token
        sentences = check_sentences("sentences", sentences)

        self._vocabulary = self._build_vocabulary(sentences, vocabulary, min_count)
        V = len(self._vocabulary)
        nltk = self.convention == "nltk"
        self._end_pads = self.n - 1 if nltk else 1
        self._bos = self.token_index[bos_token] if nltk and self.n > 1 else V
        # Ids 0..V-1 are the vocabulary, V the standard convention's <s>. P_0 is uniform over
        # the vocabulary (and 0 for that <s>).
        self._base = np.zeros(V + (self._bos == V))
        self._base[:V] = 1.0 / V
        tokens, offset = self._layout(sentences)
        if not len(tokens):
            raise ValueError("`sentences` hold no token to count (every sentence is empty and "
                             "convention='nltk' with n=1 pads nothing)")
        self._tables = _GramTables(tokens, offset, self.n, len(self._base),
                                   count_from=0 if nltk else self.n - 1)
        self._levels = [self.n] if self.smoothing == "add-k" else range(1, self.n + 1)
        self.discounts = {}
        self._alpha, self._gamma = {}, {}
        for m in self._levels:
            self._alpha[m], self._gamma[m] = self._interpolation_weights(m)

    def _build_vocabulary(self, sentences, vocabulary, min_count):
        if vocabulary is None:
            counts = Counter(chain.from_iterable(sentences))
            words = [word for word, count in counts.most_common() if count >= min_count]
            name = "sentences"
        elif min_count != 1:
            raise ValueError(
                f"give either `vocabulary` or `min_count`, not both; received "
                f"min_count={min_count} with a vocabulary of {len(vocabulary)} tokens")
        else:
            words, name = list(vocabulary), "vocabulary"
        bad = next((word for word in words if not isinstance(word, str)), None)
        if bad is not None:
            raise TypeError(f"the tokens of `{name}` must be strings; received {bad!r}")
        if self.convention == "standard":
            specials = [self.unk_token, self.eos_token]
        else:
            specials = [self.unk_token] + [self.bos_token, self.eos_token] * (self.n > 1)
        return list(dict.fromkeys(specials + words))

    def _layout(self, sentences):
        """The ids of the padded sentences laid end to end (``n - 1`` ``<s>``, the tokens, the
        end padding) and each position's offset inside its padded sentence."""
        index = self.token_index
        lengths = np.fromiter(map(len, sentences), np.int64, len(sentences))
        words = np.fromiter(map(index.get, chain.from_iterable(sentences),
                                repeat(index[self.unk_token])), np.int64, lengths.sum())
        padded = lengths + self.n - 1 + self._end_pads
        offset = np.arange(padded.sum()) - np.repeat(np.cumsum(padded) - padded, padded)
        end = np.repeat(lengths + self.n - 1, padded)
        tokens = np.full(len(offset), self._bos, np.int64)
        tokens[(offset >= self.n - 1) & (offset < end)] = words
        if self._end_pads:      # none only for n = 1 with convention="nltk"
            tokens[offset >= end] = index[self.eos_token]
        return tokens, offset

    def _interpolation_weights(self, m):
        """``α_m`` per m-gram and ``γ_m`` per context, each with its extra last entry."""
        tables = self._tables
        context = tables.keys[m] // tables.base
        counts = tables.counts[m] if m == self.n else tables.continuations[m]
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.smoothing == "add-k":
                kV = self.k * len(self._vocabulary)
                denominator = tables.context_totals(m, counts) + kV
                alpha = np.where(counts > 0, counts / denominator[context], 0.0)
                # An unseen context with k = 0 has no distribution: probability 0 (not 0/0).
                gamma = np.where(denominator > 0, kV / denominator, 0.0)
            else:
                if self.smoothing == "kneser-ney":
                    self.discounts[m] = np.array([0.0] + [self.discount] * 3)
                else:
                    self.discounts[m] = _modified_discounts(m, counts)
                kept = counts - self.discounts[m][np.minimum(counts, 3)]
                total = tables.context_totals(m, counts)
                alpha = np.where(counts > 0, kept / total[context], 0.0)
                gamma = np.where(total > 0, tables.context_totals(m, counts - kept) / total, 1.0)
        return np.append(alpha, 0.0), gamma

    @property
    def vocabulary(self):
        return self._vocabulary

    def targets(self, sentence):
        """The sentence's tokens (``<UNK>`` for unknown ones), then one ``</s>`` (``n - 1`` with
        ``convention="nltk"``)."""
        return super().targets(sentence)[:-1] + [self.eos_token] * self._end_pads

    def next_log_probs(self, context=()):
        context = check_tokens("context", context)
        index, unk = self.token_index, self.token_index[self.unk_token]
        history = [index.get(token, unk) for token in context[max(len(context) - self.n + 1, 0):]]
        tokens = np.array([self._bos] * (self.n - 1 - len(history)) + history, np.int64)
        rows = self._tables.lookup(tokens, np.arange(len(tokens)))
        keys, base = self._tables.keys, self._tables.base
        probs = self._base.copy()
        for m in self._levels:
            h = rows[m - 2][1][-1] if m > 1 else 0       # the (m-1)-gram that ends the context
            probs *= self._gamma[m][h]
            if h >= 0:
                first, last = np.searchsorted(keys[m], [h * base, (h + 1) * base])
                probs[keys[m][first:last] % base] += self._alpha[m][first:last]
        with np.errstate(divide="ignore"):
            return np.log(probs[: len(self._vocabulary)])

    def token_log_probs(self, sentences):
        tokens, offset = self._layout(check_sentences("sentences", sentences))
        rows = self._tables.lookup(tokens, offset)
        target = offset >= self.n - 1
        probs = self._base[tokens[target]]
        for m in self._levels:
            context, gram = rows[m - 1]
            probs = self._alpha[m][gram[target]] + self._gamma[m][context[target]] * probs
        with np.errstate(divide="ignore"):
            return np.log(probs)

    def __repr__(self):
        weight = {"add-k": f", k={self.k:g}", "kneser-ney": f", discount={self.discount:g}"}
        return (f"NGramLM(n={self.n}, smoothing={self.smoothing!r}"
                f"{weight.get(self.smoothing, '')}, V={len(self._vocabulary)}, "
                f"convention={self.convention!r})")


class NGramStats(NamedTuple):
    """The slides' two n-gram problems, measured for one order ``n``."""

    n: int
    unseen_ngrams: float      # share of the test n-grams never seen in training (P = 0 unsmoothed)
    unseen_contexts: float    # share whose (n-1)-word context was never seen (no distribution)
    stored_ngrams: int        # distinct n-grams in the training corpus (the storage)


def sparsity_and_storage(train_sentences, test_sentences, max_n=5):
    """For ``n = 1..max_n``: how many test n-grams the training corpus never saw (sparsity) and
    how many distinct n-grams it holds (storage), as a list of :class:`NGramStats`.

    The n-grams are those the standard convention predicts (each token and one ``</s>``, with
    ``n - 1`` ``<s>`` before the first word), over every training word; a test word never seen
    in training is ``<UNK>`` and so makes every n-gram holding it unseen.
    """
    model = NGramLM(train_sentences, n=checks.positive_int("max_n", max_n), smoothing="add-k")
    tables = model._tables
    tokens, offset = model._layout(check_sentences("test_sentences", test_sentences))
    target = offset >= model.n - 1
    stats = []
    for m, (context, gram) in enumerate(tables.lookup(tokens, offset), start=1):
        seen_contexts = tables.context_totals(m, tables.counts[m]) > 0
        stats.append(NGramStats(
            n=m,
            unseen_ngrams=float(np.mean(gram[target] < 0)),
            unseen_contexts=float(np.mean(~seen_contexts[context[target]])),
            stored_ngrams=int(np.count_nonzero(tables.counts[m])),
        ))
    return stats
