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

``--results`` runs instead the strong baselines and pretrained embeddings (issue 12), every
choice made on the validation split alone, the test split read once per final model:

* bag-of-words logistic regression with scikit-learn's ``C`` chosen from ``--c-grid`` by
  validation accuracy; NB-LR (``BagOfWords(naive_bayes=True)``, Wang & Manning 2012) the same;
* the zoo BiLSTM with ``TUNED`` settings but GloVe 6B 50-d embeddings
  (``embeddings="glove-6b-50d"``, ``embedding_dim=50``), frozen and fine-tuned (``--rnns``;
  ``tuned`` adds the random-init ``TUNED`` BiLSTM), over ``--seeds``, with the fraction of the
  vocabulary GloVe covers; ``glove_pretrained`` first trains that BiLSTM's embedding and two
  directions as forward and backward language models of the training snippets
  (``SentimentClassifier.pretrain``, ``--pretrain-epochs``, early stopping on the validation
  snippets' perplexity), then fine-tunes it as the others;
* ``Ensemble`` of the RNN with the best mean validation accuracy and the chosen NB-LR, the RNN's
  weight chosen per seed on validation from ``--ensemble-grid`` (a tie goes to the weight
  nearest 0.5).

RNN and ensemble rows give the mean over seeds and the spread as (min–max); the baselines are
deterministic given their seed and are run with seed 0.

    python bench/sentiment.py --results  # the GloVe rows need pyarrow; 15 min on 2 CPU cores
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from machine import describe  # noqa: E402
from rnn_zoo.data import datasets  # noqa: E402
from rnn_zoo.tasks.sentiment import (TUNED, TUNED_FIT, TUNED_GLOVE, TUNED_HYBRID,  # noqa: E402
                                     BagOfWords, Ensemble, Majority, SentimentClassifier,
                                     accuracy)

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
    results_options = parser.add_argument_group("--results (baselines, GloVe, ensembles)")
    results_options.add_argument("--results", action="store_true",
                                 help="run the issue-12 table instead of the default one")
    results_options.add_argument("--seeds", default="0,1,2", help="RNN and ensemble seeds")
    results_options.add_argument("--c-grid", default="0.1,1,10,100,1000",
                                 help="scikit-learn C values tried for LR and NB-LR")
    results_options.add_argument("--ensemble-grid", default="0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9",
                                 help="RNN weights tried for the RNN + NB-LR ensemble")
    results_options.add_argument("--rnns", default="glove_frozen,glove_tuned",
                                 help=f"of {','.join(RESULT_RNNS)}")
    results_options.add_argument("--rnn-epochs", type=int, default=TUNED_TRAINING["epochs"])
    results_options.add_argument("--bow-epochs", type=int, default=30)
    results_options.add_argument("--pretrain-epochs", type=int, default=3,
                                 help="language-model epochs of glove_pretrained")
    results_options.add_argument("--train-limit", type=int, default=0,
                                 help="train on the first N snippets only (a smoke run; 0: all)")
    args = parser.parse_args(argv)
    if args.results:
        return results(args, argv)
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


# --- --results ----------------------------------------------------------------------------------

RESULT_RNNS = {
    "glove_frozen": ("zoo BiLSTM, GloVe 6B 50d frozen", dict(TUNED_GLOVE, freeze_embeddings=True)),
    "glove_tuned": ("zoo BiLSTM, GloVe 6B 50d fine-tuned", TUNED_GLOVE),
    "glove_pretrained": ("zoo BiLSTM, GloVe 6B 50d, LM-pretrained on the training snippets, "
                         "fine-tuned", TUNED_GLOVE),
    "tuned": ("zoo BiLSTM, tuned, random embeddings", TUNED),
}
"""The RNNs of ``--results``: ``TUNED`` with GloVe (frozen or fine-tuned; with
``glove_pretrained`` its embedding and BiLSTM first trained as forward and backward language
models, ``SentimentClassifier.pretrain``), or as it is."""


def floats(text, name):
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise SystemExit(f"--{name} must be numbers separated by commas; received {text!r}")


def spread(values):
    """``mean (min–max)`` of ``values``, or the value alone for one."""
    values = np.asarray(values)
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{values.mean():.3f} ({values.min():.3f}–{values.max():.3f})"


def choose_c(naive_bayes, grid, train, valid, epochs):
    """The ``BagOfWords`` with the best validation accuracy over ``C`` in ``grid`` (the first
    in the grid on a tie) and each C's validation accuracy."""
    best, scores = None, {}
    for c in grid:
        model = BagOfWords(C=c, naive_bayes=naive_bayes, seed=0)
        model.fit(*train, valid, epochs=epochs, verbose=0)
        scores[c] = accuracy(model.predict(valid[0]), valid[1])
        print(f"  {model!r}: validation accuracy {scores[c]:.4f} "
              f"({len(model.history.history['loss'])} epochs, {model.train_seconds:.0f} s)",
              flush=True)
        if best is None or scores[c] > scores[best.C]:
            best = model
    return best, scores


def results(args, argv):
    """The ``--results`` table (see the module docstring)."""
    start_all = time.perf_counter()
    seeds = [int(s) for s in floats(args.seeds, "seeds")]
    c_grid, weight_grid = floats(args.c_grid, "c-grid"), floats(args.ensemble_grid,
                                                                "ensemble-grid")
    rnn_keys = args.rnns.split(",")
    unknown = [key for key in rnn_keys if key not in RESULT_RNNS]
    if unknown:
        raise SystemExit(f"--rnns must name some of {','.join(RESULT_RNNS)}; received "
                         f"{unknown[0]!r}")
    data = datasets.rotten_tomatoes(seed=0)
    train, valid, (test_x, test_y) = data["train"], data["valid"], data["test"]
    if args.train_limit:
        train = (train[0][:args.train_limit], train[1][:args.train_limit])
    rows = []        # (model, choice on validation, validation accuracy, test accuracy)

    baselines = {}
    for naive_bayes, name in ((False, "bag-of-words LR (binary 1-2-grams)"),
                              (True, "NB-LR (binary 1-2-grams, log-count ratio)")):
        print(f"\n=== {name}: C from {c_grid}", flush=True)
        model, scores = choose_c(naive_bayes, c_grid, train, valid, args.bow_epochs)
        baselines[naive_bayes] = model
        rows.append((name, f"C={model.C:g} (validation: "
                     + ", ".join(f"{c:g}: {a:.3f}" for c, a in scores.items()) + ")",
                     f"{scores[model.C]:.3f}", f"{accuracy(model.predict(test_x), test_y):.3f}"))
    nb_lr = baselines[True]
    nb_valid = nb_lr.predict(valid[0])

    fitted = {}      # key -> one (classifier, validation accuracy, test accuracy) per seed
    for key in rnn_keys:
        name, options = RESULT_RNNS[key]
        fitted[key] = []
        for seed in seeds:
            print(f"\n=== {name}, seed {seed}", flush=True)
            clf = SentimentClassifier(**dict(options, seed=seed))
            if key == "glove_pretrained":
                lm = clf.pretrain(train[0], validation_texts=valid[0],
                                  epochs=args.pretrain_epochs, verbose=2)
                print(f"language models: validation perplexity {lm.perplexity:.1f} per word "
                      f"(both directions)", flush=True)
            clf.fit(*train, valid, batch_size=32, verbose=2,
                    **dict(TUNED_FIT, epochs=args.rnn_epochs))
            fitted[key].append((clf, clf.evaluate(*valid), clf.evaluate(test_x, test_y)))
        runs = fitted[key]
        coverage = runs[0][0].embedding_coverage
        rows.append((name, (f"GloVe covers {coverage:.1%} of the vocabulary"
                            if coverage is not None else "-"),
                     spread([v for _, v, _ in runs]), spread([t for _, _, t in runs])))

    best = max(rnn_keys, key=lambda k: np.mean([v for _, v, _ in fitted[k]]))
    ensembles, weights = [], []
    for clf, _, _ in fitted[best]:
        rnn_valid = clf.predict(valid[0])
        scores = {w: accuracy(w * rnn_valid + (1 - w) * nb_valid, valid[1])
                  for w in weight_grid}
        w = max(weight_grid, key=lambda x: (scores[x], -abs(x - 0.5)))
        ensemble = Ensemble([clf, nb_lr], [w, 1 - w])
        ensembles.append((scores[w], ensemble.evaluate(test_x, test_y)))
        weights.append(w)
        print(f"ensemble, RNN seed {clf.seed}: {ensemble!r}; validation accuracy by RNN weight: "
              + ", ".join(f"{x:g}: {a:.3f}" for x, a in scores.items()), flush=True)
    rows.append((f"ensemble: {RESULT_RNNS[best][0]} + NB-LR",
                 f"RNN (best by validation) weight per seed: {', '.join(f'{w:g}' for w in weights)}",
                 spread([v for v, _ in ensembles]), spread([t for _, t in ensembles])))

    wall = time.perf_counter() - start_all
    print("\n## Sentiment, Rotten Tomatoes: strong baselines, GloVe, ensembles\n")
    print(f"{describe()}.  ")
    print(f"Command: `python bench/sentiment.py {' '.join(argv or sys.argv[1:])}`".rstrip()
          + f" — total wall time {wall / 60:.1f} min.  ")
    print(f"Data: `datasets.rotten_tomatoes(seed=0)`, {len(train[0]):,} train / "
          f"{len(valid[0]):,} validation / {len(test_x):,} test snippets; every choice (C, the "
          "best RNN, the ensemble weight) by validation accuracy, the test split read once per "
          "final model.  ")
    print(f"LR and NB-LR: `BagOfWords(C=..., naive_bayes=...)`, Adam 1e-2, batch 32, at most "
          f"{args.bow_epochs} epochs, early stopping on val_loss (patience 2), seed 0.  ")
    print(f"RNNs: `SentimentClassifier(**options, seed=seed)`, fit with {TUNED_FIT}, at most "
          f"{args.rnn_epochs} epochs, batch 32, seeds {seeds}; options: "
          + "; ".join(f"{RESULT_RNNS[key][0]}: {RESULT_RNNS[key][1]}" for key in rnn_keys)
          + ".  ")
    if "glove_pretrained" in rnn_keys:
        print(f"LM pretraining: `clf.pretrain(train texts, validation_texts=validation texts, "
              f"epochs={args.pretrain_epochs})` (forward and backward language models, Adam "
              f"{TUNED_GLOVE['learning_rate']:g}, batch 32), then the same `fit`.  ")
    print("RNN and ensemble rows: mean over the seeds (min–max).\n")
    print("| model | chosen on validation | validation accuracy | test accuracy |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    main()
