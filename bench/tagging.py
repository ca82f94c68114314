r"""Restoring capital letters in Shakespeare (a benchmark, not a test): a unidirectional and a
bidirectional zoo tagger, same cell, same data, same training budget, and the context-free
baseline (each word's most frequent tag), on the fixed split by play of
``rnn_zoo.tasks.tagging.shakespeare_capitals()`` (test: Coriolanus, Richard III, The Two Gentlemen of
Verona; 9,681 lines).

Every tagger: StringLookup (vocabulary ``--max-tokens``, rest ``<UNK>``) -> Embedding
(``--embedding``, mask_zero) -> zoo ``--cell`` (``--units`` per direction, return_sequences) ->
Dense(1, sigmoid) per token; Adam ``--learning-rate``, batch ``--batch-size``, at most
``--epochs`` epochs over ``--train-lines`` training lines (every k-th line of the 32 training
plays), early stopping on the loss over all validation lines (patience 1, best epoch
restored). The baseline counts the same training lines. Training time is Keras ``fit`` wall
time (all epochs, validation included).

Scores are on the non-initial words of the test lines (``rnn_zoo.tasks.tagging.non_initial_words``:
words other than a line's first, where verse capitalises anything): precision, recall and F1
of "capitalised", and accuracy; then F1 again for three groups of them: words of mixed case
(capitalised in 10-90 % of their non-initial training occurrences: lord / Lord, king / King,
will / Will -- the words whose case the context decides, the slides' Teddy case), the other
words the taggers know, and words outside their vocabulary (``<UNK>``, mostly names of the
held-out plays' characters).

    python bench/tagging.py            # ~2 minutes on 2 CPU cores
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from machine import describe  # noqa: E402
from rnn_zoo.tasks.tagging import (UNK_ID, MostFrequentTag, Tagger, non_initial_words,  # noqa: E402
                             shakespeare_capitals, tag_scores)


def recapitalise(tokens, tags):
    """The tokens joined by spaces, the tagged ones with a capital first letter."""
    return " ".join(t.capitalize() if tag else t for t, tag in zip(tokens, tags))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cell", default="gru")
    parser.add_argument("--units", type=int, default=32)
    parser.add_argument("--embedding", type=int, default=32)
    parser.add_argument("--train-lines", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--max-tokens", type=int, default=10000)
    args = parser.parse_args(argv)
    start_all = time.perf_counter()

    data = shakespeare_capitals(seed=0)
    stride = max(1, len(data["train"][0]) // args.train_lines)
    train_x, train_y = (part[::stride][:args.train_lines] for part in data["train"])
    valid, (test_x, test_y) = data["valid"], data["test"]
    scored = non_initial_words(test_x)

    baseline = MostFrequentTag().fit(train_x, train_y, non_initial_words(train_x))
    rows = [("most frequent tag of the word (no context)", baseline.predict(test_x), 0.0,
             baseline.count_params(), "-")]
    taggers, curves = {}, {}
    for bidirectional in (False, True):
        name = f"zoo {'bidirectional ' if bidirectional else ''}{args.cell}"
        print(f"\n=== {name}", flush=True)
        tagger = Tagger(args.cell, units=args.units, embedding_dim=args.embedding,
                        bidirectional=bidirectional, max_tokens=args.max_tokens,
                        learning_rate=args.learning_rate, seed=0)
        history = tagger.fit(train_x, train_y, valid, epochs=args.epochs,
                             batch_size=args.batch_size, patience=1, verbose=2)
        taggers[name], curves[name] = tagger, history.history
        rows.append((name, tagger.predict(test_x), tagger.train_seconds,
                     tagger.count_params(), len(history.history["loss"])))

    ids = next(iter(taggers.values())).encode(test_x)          # both share the vocabulary
    unknown = [row.numpy() == UNK_ID for row in ids]
    mixed = [np.array([0.1 <= baseline.rates.get(t, 0.0) <= 0.9 for t in tokens], bool)
             for tokens in test_x]
    groups = {"all": scored,
              "mixed": [w & m & ~u for w, m, u in zip(scored, mixed, unknown)],
              "known": [w & ~m & ~u for w, m, u in zip(scored, mixed, unknown)],
              "unknown": [w & u for w, u in zip(scored, unknown)]}
    results = {name: {group: tag_scores(p, test_y, where) for group, where in groups.items()}
               for name, p, *_ in rows}

    wall = time.perf_counter() - start_all
    n_train = sum(map(len, train_x))
    counts = {k: v["tokens"] for k, v in next(iter(results.values())).items()}
    print("\n## Capital letters in Shakespeare: unidirectional vs bidirectional tagger\n")
    print(f"{describe()}; no GPU.  ")
    print(f"Data: `shakespeare_capitals()`, {len(train_x):,} training lines (1 line in "
          f"{stride}; {n_train:,} tokens, {len(baseline.rates):,} distinct words); all "
          f"{len(valid[0]):,} validation lines; test: {len(test_x):,} lines, "
          f"{counts['all']:,} non-initial words scored: {counts['mixed']:,} of mixed case, "
          f"{counts['known']:,} other known, {counts['unknown']:,} `<UNK>` to the taggers.  ")
    print(f"Settings: zoo {args.cell}, {args.units} units per direction, Embedding "
          f"{args.embedding} (mask_zero), vocabulary {args.max_tokens:,}, Adam "
          f"{args.learning_rate:g}, batch {args.batch_size}, at most {args.epochs} epochs, "
          "early stopping on val_loss (patience 1, best epoch restored).  ")
    command = " ".join(["python bench/tagging.py", *(argv or sys.argv[1:])])
    print(f"Command: `{command}` — total wall time {wall / 60:.1f} min.\n")
    print("| model | F1 (non-initial words) | precision | recall | accuracy | F1 mixed-case "
          "words | F1 other known words | F1 `<UNK>` words | training time (s) | parameters | "
          "epochs run |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, _, seconds, params, epochs in rows:
        r = results[name]
        print(f"| {name} | {r['all']['f1']:.3f} | {r['all']['precision']:.3f} | "
              f"{r['all']['recall']:.3f} | {r['all']['accuracy']:.4f} | "
              f"{r['mixed']['f1']:.3f} | {r['known']['f1']:.3f} | {r['unknown']['f1']:.3f} | "
              f"{seconds:.0f} | {params:,} | {epochs} |")

    print("\nPer epoch, training loss / validation loss:\n")
    for name, h in curves.items():
        print(f"- {name}: " + ", ".join(f"{a:.4f}/{v:.4f}"
                                         for a, v in zip(h["loss"], h["val_loss"])))

    (uni, p_uni, *_), (bi, p_bi, *_) = rows[1], rows[2]
    differ = [i for i, (a, b, w) in enumerate(zip(p_uni, p_bi, scored))
              if np.any(((a > 0.5) != (b > 0.5)) & w) and len(test_x[i]) <= 12]
    print(f"\nTest lines where the two disagree on a scored word (first 6 of {len(differ)} "
          "short ones); the original, then each tagger's capitals:\n")
    for i in differ[:6]:
        print(f"- original: {recapitalise(test_x[i], test_y[i])}  \n"
              f"  {uni}: {recapitalise(test_x[i], p_uni[i] > 0.5)}  \n"
              f"  {bi}: {recapitalise(test_x[i], p_bi[i] > 0.5)}")


if __name__ == "__main__":
    main()
