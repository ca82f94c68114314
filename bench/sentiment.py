r"""Sentiment on Rotten Tomatoes snippets (a benchmark, not a test): majority class, bag-of-words
logistic regression, zoo SimpleRNN / GRU / LSTM, zoo BiLSTM and Keras's built-in BiLSTM with the
same settings, then the tuned zoo BiLSTM, the tuned hybrid (zoo BiLSTM + bag of n-grams) and the
built-in twin of the hybrid trained with the same settings, all on the same fixed split
(``rnn_zoo.data.datasets.rotten_tomatoes(seed=0)``: 10,248 / 1,280 / 1,280 snippets).

The first RNNs: ``TextVectorization`` (vocabulary ``--max-tokens``) -> Embedding(``--embedding``,
mask_zero) -> RNN(``--units``, input dropout ``--dropout``) -> Dropout -> Dense(1, sigmoid), Adam
1e-3, batch ``--batch-size``, at most ``--epochs`` epochs, early stopping on the validation loss
(patience 1, best epoch restored). The tuned ones use ``rnn_zoo.tasks.sentiment.TUNED`` and
``TUNED_HYBRID``, chosen by validation accuracy alone (trials below; the test split is read once
per final configuration, here).
Training time is Keras ``fit`` wall time (all epochs run, vocabulary excluded). Also printed:
per-epoch train / validation accuracy (overfitting), each zoo model against its
``builtin_twin()``, and test accuracy by snippet length.

    python bench/sentiment.py            # ~15-20 minutes on 2 CPU cores
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from machine import describe  # noqa: E402
from rnn_zoo.data import datasets  # noqa: E402
from rnn_zoo.tasks.sentiment import (TUNED, TUNED_FIT, TUNED_HYBRID, BagOfWords,  # noqa: E402
                               Majority, SentimentClassifier, accuracy)

# Validation accuracy (1,280 snippets) of the trials that chose TUNED and TUNED_HYBRID (in
# rnn_zoo.tasks.sentiment); "BiLSTM 32/64" is 32 units per direction and Embedding 64; every trial
# has dropout 0.5, batch 32, at most 8 epochs (the first: 4). The test split was not looked at.
#   BiLSTM 64/128, vocabulary 20k, Adam 1e-3, stop on val_loss (the untuned rows)   0.767
#   BiLSTM 32/64, min_count 2, embedding dropout 0.3, stop on val_loss              0.755
#     the same, max pooling / mean pooling                                          0.766 / 0.758
#     the same (last output), stop on val_accuracy (patience 2)                     0.774
#   BiLSTM 32/32, the same                                                          0.780
#     + max pooling                                                                 0.780
#     + max pooling, Adam 3e-3 (TUNED)                                              0.785
#   BiGRU 32/64, max pooling; BiGRU 64/64, embedding dropout 0.5, max pooling       0.778 / 0.777
#   BiGRU 32/32, max pooling, batch 64                                              0.774
#   BiLSTM 32/64, max pooling, Adam 3e-3; last output                               0.781 / 0.775
#   bag of words (BagOfWords)                                                       0.775
#   hybrid (bag_of_words=True) BiLSTM 32/64, max pooling, Adam 1e-3; BiGRU the same 0.783 / 0.783
#     BiLSTM, Adam 3e-3                                                             0.791
#       seed 1                                                                      0.794
#       min_count 1; embedding dropout 0; Embedding 32                  0.783 / 0.782 / 0.788
#       the Dropout on the bag of words too, Adam 3e-3 / 6e-3                       0.781 / 0.791
#       last output instead of max pooling (TUNED_HYBRID)                           0.800
# On the test split (read once, by this script) neither choice beat the untuned BiLSTM's 0.765:
# the tuned BiLSTM scored 0.766 (8x fewer parameters) and the hybrid 0.763. Differences of a
# point or two between these trials are within the noise of 1,280 validation snippets (one
# standard error is 1.2 points), and the best of ~24 trials is picked for its luck as much as
# for its settings.
TUNED_TRAINING = dict(TUNED_FIT, epochs=8)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--embedding", type=int, default=128)
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-tokens", type=int, default=20000)
    parser.add_argument("--models", default="simple_rnn,gru,lstm,bilstm,keras_bilstm,tuned,"
                                            "hybrid,keras_hybrid")
    args = parser.parse_args(argv)
    start_all = time.perf_counter()

    data = datasets.rotten_tomatoes(seed=0)
    (train_x, train_y), valid, (test_x, test_y) = data["train"], data["valid"], data["test"]
    lengths = np.array([len(t.split()) for t in test_x])
    rows, curves, predictions = [], {}, {}

    majority = Majority().fit(train_x, train_y)
    rows.append(("majority class", accuracy(majority.predict(test_x), test_y), 0.0, 0, "-"))

    bow = BagOfWords(seed=0).fit(train_x, train_y, valid, verbose=2)
    predictions["bag of words"] = bow.predict(test_x)
    rows.append(("bag-of-words LR (binary 1-2-grams)", accuracy(predictions["bag of words"],
                                                                  test_y),
                 bow.train_seconds, bow.count_params(), len(bow.history.history["loss"])))
    curves["bag of words"] = bow.history.history

    common = dict(units=args.units, embedding_dim=args.embedding, dropout=args.dropout,
                  max_tokens=args.max_tokens, seed=0)
    untuned = dict(epochs=args.epochs, patience=1)
    specs = {
        "simple_rnn": ("zoo SimpleRNN", dict(common, cell="simple_rnn"), untuned),
        "gru": ("zoo GRU", dict(common, cell="gru"), untuned),
        "lstm": ("zoo LSTM", dict(common, cell="lstm"), untuned),
        "bilstm": ("zoo BiLSTM", dict(common, cell="lstm", bidirectional=True), untuned),
        "keras_bilstm": ("Keras built-in BiLSTM", dict(common, cell="lstm", bidirectional=True,
                                                         builtin=True), untuned),
        "tuned": ("zoo BiLSTM, tuned", dict(TUNED, seed=0), TUNED_TRAINING),
        "hybrid": ("hybrid: zoo BiLSTM + bag of n-grams, tuned", dict(TUNED_HYBRID, seed=0),
                   TUNED_TRAINING),
        "keras_hybrid": ("hybrid: Keras built-in BiLSTM + bag of n-grams, same settings",
                         dict(TUNED_HYBRID, seed=0, builtin=True), TUNED_TRAINING),
    }
    twins = {}
    for key in args.models.split(","):
        name, options, fit = specs[key]
        print(f"\n=== {name}", flush=True)
        clf = SentimentClassifier(**options)
        history = clf.fit(train_x, train_y, valid, batch_size=args.batch_size, verbose=2, **fit)
        predictions[name] = clf.predict(test_x)
        rows.append((name, accuracy(predictions[name], test_y), clf.train_seconds,
                     clf.count_params(), len(history.history["loss"])))
        curves[name] = history.history
        if not options.get("builtin"):
            ids = clf.encode(test_x).to_tensor(0)
            twins[name] = float(np.max(np.abs(clf.network(ids) - clf.builtin_twin()(ids))))

    wall = time.perf_counter() - start_all
    print("\n## Sentiment, Rotten Tomatoes (test split: 1,280 snippets)\n")
    print(f"{describe()}; no GPU.  ")
    print(f"Settings: Embedding {args.embedding} (mask_zero), {args.units} units per direction, "
          f"dropout {args.dropout}, vocabulary {args.max_tokens}, batch {args.batch_size}, "
          f"Adam 1e-3, at most {args.epochs} epochs, early stopping on val_loss (patience 1, "
          "best epoch restored); bag of words: Adam 1e-2, batch 32, patience 2.  ")
    print(f"Command: `python bench/sentiment.py {' '.join(argv or sys.argv[1:])}`".rstrip()
          + f" — total wall time {wall / 60:.1f} min.\n")
    print(f"Tuned: {TUNED}; hybrid: {TUNED_HYBRID}; both fit with {TUNED_TRAINING}.  ")
    print("Each zoo model against its `builtin_twin()` (built-in layers, same weights), max "
          "|difference| of P(positive) on the test ids: "
          + ", ".join(f"{name} {diff:.1e}" for name, diff in twins.items()) + "\n")
    print("| model | test accuracy | training time (s) | parameters | epochs run |")
    print("|---|---|---|---|---|")
    for name, acc, seconds, params, epochs in rows:
        print(f"| {name} | {acc:.3f} | {seconds:.0f} | {params:,} | {epochs} |")

    print("\nPer epoch, train accuracy / validation accuracy (train accuracy with dropout on):\n")
    for name, h in curves.items():
        pairs = ", ".join(f"{a:.3f}/{v:.3f}" for a, v in zip(h["accuracy"], h["val_accuracy"]))
        print(f"- {name}: {pairs}")

    names = list(predictions)                   # every model but the majority class
    print("\nTest accuracy by snippet length (whitespace words):\n")
    print(f"| words | snippets | {' | '.join(names)} |")
    print("|---|---|" + "---|" * len(names))
    for lo, hi in [(0, 10), (10, 20), (20, 30), (30, 1000)]:
        sel = (lengths >= lo) & (lengths < hi)
        if sel.any():
            cells = " | ".join(f"{accuracy(predictions[n][sel], test_y[sel]):.3f}" for n in names)
            print(f"| {lo}-{hi - 1 if hi < 1000 else ''} | {sel.sum()} | {cells} |")

if __name__ == "__main__":
    main()
