r"""Speed of :class:`rnn_zoo.lm.ngram.NGramLM` against ``nltk.lm``, and its perplexity on the Penn
Treebank (a benchmark, not a test).

Method
------
**Against nltk.lm**, on a synthetic corpus made here (seeded): sentences of 1-40 tokens drawn
from a Zipf distribution (exponent 1.1) over 10,000 word types, ``--tokens`` tokens for
training (100,000 by default) and a tenth of that for testing. Both sides fit a trigram model
on the training sentences and score every test n-gram, with the same conventions
(``NGramLM(..., convention="nltk")``: nltk's padding and vocabulary), once with add-1
(nltk's ``Laplace``) and once with interpolated Kneser-Ney (``KneserNeyInterpolated``, the same
discount 0.75 on both sides).

* nltk: ``fit(*padded_everygram_pipeline(3, train))`` is timed in full. Scoring is timed on the
  first test n-grams only (``--nltk-tokens``: 2,000 for Laplace, 20 for Kneser-Ney, whose
  every ``logscore`` walks all the stored contexts to recount continuations) and extrapolated
  per token to the whole test set; the output says so.
* rnn_zoo: ``NGramLM(train, ...)`` then ``perplexity(test)`` over the whole test set, the
  median of ``--repeats`` runs taken round-robin around nltk's (rnn_zoo, nltk, rnn_zoo, ...),
  so that both see the same drift of this shared machine.
* ratio = (nltk fit + nltk score, extrapolated) / (rnn_zoo fit + score); the goal is >= 20x.
* check: on the n-grams nltk scored, the Laplace log-probabilities agree to 1e-9 (Kneser-Ney
  differs by design: see ``rnn_zoo/ngram.py`` on nltk's two departures from the textbook).

**Penn Treebank** (Mikolov's split, ``rnn_zoo.data.datasets.penn_treebank()``; skipped with
``--no-ptb`` or when it cannot be loaded): the slides' sparsity and storage, measured by
:func:`rnn_zoo.lm.ngram.sparsity_and_storage` (train vs test, n = 1..5); then validation and test
perplexity for n = 3, 4, 5 with interpolated Kneser-Ney (its discount picked on the validation
set from ``--discounts``) and modified Kneser-Ney, standard convention (each word and one
``</s>`` a sentence predicted: 82,430 test tokens, the usual count), with the PTB's own
``<unk>`` as the unknown token. Fit + score wall time is ``NGramLM(train)`` plus
``perplexity(test)``. Reference: Mikolov et al. 2011, KN5 test perplexity 141.2; goals: test
perplexity <= 141.2 and fit + score <= 10 s.

Run ``python bench/bench_ngram.py --help`` for the options.
"""

import argparse
import math
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import nltk  # noqa: E402
import numpy as np  # noqa: E402
from nltk.lm import KneserNeyInterpolated, Laplace  # noqa: E402
from nltk.lm.preprocessing import pad_both_ends, padded_everygram_pipeline  # noqa: E402
from nltk.util import ngrams  # noqa: E402

from machine import describe  # noqa: E402
from rnn_zoo.lm.ngram import NGramLM, sparsity_and_storage  # noqa: E402

MIKOLOV_KN5 = 141.2


def zipf_corpus(rng, tokens, types=10_000, exponent=1.1):
    """Sentences of 1-40 tokens, about ``tokens`` in all, drawn from Zipf(``exponent``)."""
    p = 1.0 / np.arange(1, types + 1) ** exponent
    words = np.array([f"w{i}" for i in range(types)])
    lengths = rng.integers(1, 41, max(tokens // 20, 1))
    drawn = words[rng.choice(types, size=lengths.sum(), p=p / p.sum())].tolist()
    ends = np.cumsum(lengths)
    return [drawn[end - length:end] for end, length in zip(ends, lengths)]


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def against_nltk(args):
    rng = np.random.default_rng(args.seed)
    train, test = zipf_corpus(rng, args.tokens), zipf_corpus(rng, args.tokens // 10)
    n = 3
    print(f"## Against nltk.lm {nltk.__version__}: trigram, synthetic Zipf corpus "
          f"(seed {args.seed})")
    print(f"train {sum(map(len, train)):,} tokens in {len(train):,} sentences, "
          f"{len({w for s in train for w in s}):,} types; test {sum(map(len, test)):,} tokens\n")
    print("| smoothing | nltk fit s | nltk score s/token (tokens timed) | nltk score s, whole test "
          "(extrapolated) | rnn_zoo fit s | rnn_zoo score s | rnn_zoo fit+score s | **ratio** "
          "(≥ 20) | perplexity rnn_zoo | agree |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    cases = [("add-1 (Laplace)", Laplace, {}, dict(smoothing="add-k", k=1.0), args.nltk_tokens[0]),
             ("Kneser-Ney D=0.75", KneserNeyInterpolated, {"discount": 0.75},
              dict(smoothing="kneser-ney", discount=0.75), args.nltk_tokens[1])]
    for name, nltk_class, nltk_kwargs, ours_kwargs, timed_tokens in cases:
        def ours():
            fit, model = timed(lambda: NGramLM(train, n=n, convention="nltk", **ours_kwargs))
            score, perplexity = timed(lambda: model.perplexity(test))
            return fit, score, model, perplexity

        runs = [ours()]
        lm = nltk_class(order=n, **nltk_kwargs)
        nltk_fit, _ = timed(lambda: lm.fit(*padded_everygram_pipeline(n, train)))
        runs.append(ours())
        grams = [g for s in test for g in ngrams(pad_both_ends(lm.vocab.lookup(s), n=n), n)]
        subset = grams[:timed_tokens]
        nltk_score, nltk_log2 = timed(lambda: [lm.logscore(g[-1], g[:-1]) for g in subset])
        runs += [ours() for _ in range(max(args.repeats - 2, 0))]
        fit = statistics.median(r[0] for r in runs)
        score = statistics.median(r[1] for r in runs)
        model, perplexity = runs[-1][2], runs[-1][3]
        per_token = nltk_score / len(subset)
        nltk_total = nltk_fit + per_token * len(grams)
        ratio = nltk_total / (fit + score)
        ours_log = model.token_log_probs(test)[:len(subset)]
        agree = np.allclose(ours_log, np.array(nltk_log2) * math.log(2), rtol=0, atol=1e-9)
        agree_text = ("yes (1e-9)" if agree else "NO") if nltk_class is Laplace else "by design, no"
        print(f"| {name} | {nltk_fit:.2f} | {per_token:.2e} ({len(subset):,}) | "
              f"{per_token * len(grams):.1f} ({len(grams):,} tokens) | {fit:.3f} | {score:.3f} | "
              f"{fit + score:.3f} | **{ratio:,.0f}×** {'✓' if ratio >= 20 else '✗'} | "
              f"{perplexity:.1f} | {agree_text} |")
    print("\nnltk's scoring is timed on the first test n-grams only and extrapolated per token "
          "to the whole test set; rnn_zoo's times are medians of "
          f"{max(args.repeats, 2)} runs taken round-robin with nltk's.\n")


def load_ptb():
    """``({"train", "valid", "test"} as token lists, None)`` or ``(None, why not)``."""
    try:
        from rnn_zoo.data.datasets import penn_treebank
        return {split: [line.split() for line in lines]
                for split, lines in penn_treebank().items()}, None
    except Exception as error:   # missing module, no network, checksum: report, do not fail
        return None, f"{type(error).__name__}: {str(error).splitlines()[0]}"


def penn_treebank(args):
    ptb, why_not = load_ptb()
    if ptb is None:
        print(f"## Penn Treebank: pending ({why_not})")
        return
    train, valid, test = ptb["train"], ptb["valid"], ptb["test"]
    print(f"## Penn Treebank (Mikolov's split): train {sum(map(len, train)):,} words, "
          f"test {sum(map(len, test)):,} words + {len(test):,} </s>\n")
    print("The slides' two problems, measured (standard padding; test n-grams vs training):\n")
    print("| n | test n-grams unseen in training | test contexts unseen | "
          "distinct n-grams stored |")
    print("| --- | --- | --- | --- |")
    for s in sparsity_and_storage(train, test, max_n=5):
        print(f"| {s.n} | {s.unseen_ngrams:.1%} | {s.unseen_contexts:.1%} | {s.stored_ngrams:,} |")

    print("\n| smoothing | n | discounts | valid ppl | test ppl | fit s | score (test) s | "
          "fit + score s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    best = {}
    for n in (3, 4, 5):
        for smoothing in ("kneser-ney", "modified-kneser-ney"):
            if smoothing == "kneser-ney":   # the discount with the best validation perplexity
                candidates = {d: NGramLM(train, n=n, discount=d, unk_token="<unk>")
                              for d in args.discounts}
                d = min(candidates, key=lambda d: candidates[d].perplexity(valid))
                fit, model = timed(lambda: NGramLM(train, n=n, discount=d, unk_token="<unk>"))
                discounts = f"D = {d:g} (best on valid of {args.discounts})"
            else:
                fit, model = timed(lambda: NGramLM(train, n=n, smoothing=smoothing,
                                                   unk_token="<unk>"))
                discounts = "; ".join(f"{m}: " + ", ".join(f"{d:.2f}" for d in values[1:])
                                      for m, values in sorted(model.discounts.items()))
            score, test_ppl = timed(lambda: model.perplexity(test))
            print(f"| {smoothing} | {n} | {discounts} | {model.perplexity(valid):.1f} | "
                  f"{test_ppl:.2f} | {fit:.2f} | {score:.2f} | {fit + score:.2f} |")
            best[smoothing, n] = test_ppl, fit + score
    for smoothing in ("kneser-ney", "modified-kneser-ney"):
        ppl, seconds = best[smoothing, 5]
        print(f"\n{smoothing} 5-gram: test perplexity {ppl:.2f} vs Mikolov et al. 2011's KN5 "
              f"{MIKOLOV_KN5} (goal ≤ {MIKOLOV_KN5}: {'✓' if ppl <= MIKOLOV_KN5 else '✗'}); "
              f"fit + score {seconds:.2f} s (goal ≤ 10 s: {'✓' if seconds <= 10 else '✗'})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=100_000,
                        help="training tokens of the synthetic corpus (test: a tenth)")
    parser.add_argument("--nltk-tokens", type=int, nargs=2, default=[2000, 20],
                        metavar=("LAPLACE", "KN"), help="test n-grams nltk scores (timed)")
    parser.add_argument("--repeats", type=int, default=5, help="rnn_zoo runs per case (>= 2)")
    parser.add_argument("--discounts", type=float, nargs="+", default=[0.7, 0.8, 0.9, 0.95],
                        help="Kneser-Ney discounts tried on the PTB validation set")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-ptb", action="store_true", help="skip the Penn Treebank part")
    args = parser.parse_args(argv)
    print(f"# bench_ngram: {' '.join(sys.argv)}")
    print(f"{describe()}\n")
    against_nltk(args)
    if not args.no_ptb:
        penn_treebank(args)


if __name__ == "__main__":
    main()
