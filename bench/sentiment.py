r"""Sentiment on Rotten Tomatoes snippets (a benchmark, not a test): majority class, bag-of-words
logistic regression, zoo SimpleRNN / GRU / LSTM, zoo BiLSTM and Keras's built-in BiLSTM with the
same settings, all on the same fixed split (``rnn_zoo.datasets.rotten_tomatoes(seed=0)``:
10,248 / 1,280 / 1,280 snippets).

Every RNN: ``TextVectorization`` (vocabulary ``--max-tokens``) -> Embedding(``--embedding``,
mask_zero) -> RNN(``--units``, input dropout ``--dropout``) -> Dropout -> Dense(1, sigmoid), Adam
1e-3, batch ``--batch-size``, at most ``--epochs`` epochs, early stopping on the validation loss
(patience 1, best epoch restored). Training time is Keras ``fit`` wall time (all epochs run,
vocabulary excluded). Also printed: per-epoch train / validation accuracy (overfitting) and test
accuracy by snippet length for the bag of words and the best RNN.

    python bench/sentiment.py            # ~10-12 minutes on 2 CPU cores
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from machine import describe  # noqa: E402
from rnn_zoo import datasets  # noqa: E402
from rnn_zoo.sentiment import BagOfWords, Majority, SentimentClassifier, accuracy  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--embedding", type=int, default=128)
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-tokens", type=int, default=20000)
    parser.add_argument("--models", default="simple_rnn,gru,lstm,bilstm,keras_bilstm")
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

    specs = {"simple_rnn": ("zoo SimpleRNN", "simple_rnn", False, False),
             "gru": ("zoo GRU", "gru", False, False),
             "lstm": ("zoo LSTM", "lstm", False, False),
             "bilstm": ("zoo BiLSTM", "lstm", True, False),
             "keras_bilstm": ("Keras built-in BiLSTM", "lstm", True, True)}
    for key in args.models.split(","):
        name, cell, bidirectional, builtin = specs[key]
        print(f"\n=== {name}", flush=True)
        clf = SentimentClassifier(cell, units=args.units, embedding_dim=args.embedding,
                                  bidirectional=bidirectional, dropout=args.dropout,
                                  max_tokens=args.max_tokens, builtin=builtin, seed=0)
        history = clf.fit(train_x, train_y, valid, epochs=args.epochs,
                          batch_size=args.batch_size, patience=1, verbose=2)
        predictions[name] = clf.predict(test_x)
        rows.append((name, accuracy(predictions[name], test_y), clf.train_seconds,
                     clf.count_params(), len(history.history["loss"])))
        curves[name] = history.history

    wall = time.perf_counter() - start_all
    print("\n## Sentiment, Rotten Tomatoes (test split: 1,280 snippets)\n")
    print(f"{describe()}; no GPU.  ")
    print(f"Settings: Embedding {args.embedding} (mask_zero), {args.units} units per direction, "
          f"dropout {args.dropout}, vocabulary {args.max_tokens}, batch {args.batch_size}, "
          f"Adam 1e-3, at most {args.epochs} epochs, early stopping on val_loss (patience 1, "
          "best epoch restored); bag of words: Adam 1e-2, batch 32, patience 2.  ")
    print(f"Command: `python bench/sentiment.py {' '.join(argv or sys.argv[1:])}`".rstrip()
          + f" — total wall time {wall / 60:.1f} min.\n")
    print("| model | test accuracy | training time (s) | parameters | epochs run |")
    print("|---|---|---|---|---|")
    for name, acc, seconds, params, epochs in rows:
        print(f"| {name} | {acc:.3f} | {seconds:.0f} | {params:,} | {epochs} |")

    print("\nPer epoch, train accuracy / validation accuracy (train accuracy with dropout on):\n")
    for name, h in curves.items():
        pairs = ", ".join(f"{a:.3f}/{v:.3f}" for a, v in zip(h["accuracy"], h["val_accuracy"]))
        print(f"- {name}: {pairs}")

    rnn_names = [r[0] for r in rows[2:]]
    if rnn_names:
        best = max(rnn_names, key=lambda n: accuracy(predictions[n], test_y))
        print(f"\nTest accuracy by snippet length (whitespace words), bag of words vs {best}:\n")
        print(f"| words | snippets | bag of words | {best} |")
        print("|---|---|---|---|")
        for lo, hi in [(0, 10), (10, 20), (20, 30), (30, 1000)]:
            sel = (lengths >= lo) & (lengths < hi)
            if sel.any():
                print(f"| {lo}-{hi - 1 if hi < 1000 else ''} | {sel.sum()} | "
                      f"{accuracy(predictions['bag of words'][sel], test_y[sel]):.3f} | "
                      f"{accuracy(predictions[best][sel], test_y[sel]):.3f} |")


if __name__ == "__main__":
    main()
