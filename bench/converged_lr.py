r"""Bag-of-words logistic regression solved to convergence, beside ``BagOfWords`` (issue 12):
is our baseline weak because Adam stops early, before the penalty binds?

On the Rotten Tomatoes split (``datasets.rotten_tomatoes(seed=0)``) and ``BagOfWords``'s own
features (``TextVectorization(output_mode="multi_hot", ngrams=2)`` adapted on the training
snippets, binary unigrams and bigrams), this minimizes scikit-learn's objective

    Σ_i [log(1 + e^{z_i}) - y_i z_i] + ||w||² / (2C),    z = X w + b  (b not penalized)

with SciPy's L-BFGS-B on the sparse feature matrix until the gradient's largest entry is below
``--gtol`` (the objective's own relative-reduction test set near machine precision, so that
it is the gradient that ends the run), for each C of ``--c-grid``, as plain LR and as NB-LR
(``X`` scaled column by column by the log-count ratio,
``rnn_zoo.tasks.sentiment.log_count_ratio``). C is chosen by validation
accuracy; the test split is read once per chosen model. Then ``BagOfWords`` itself (Adam 1e-2,
early stopping on validation loss, patience 2) at the chosen C, for comparison.

If scikit-learn is importable (it is not a dependency: ``pip install scikit-learn`` in a
scratch environment), its ``LogisticRegression`` (lbfgs) on ``CountVectorizer`` 1-2-gram counts
and binary indicators, the usual reference set-up, is run on the same split the same way.

    python bench/converged_lr.py        # ~3 min on 2 CPU cores
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402
import scipy.sparse  # noqa: E402
import tensorflow as tf  # noqa: E402

from machine import describe  # noqa: E402
from rnn_zoo.data import datasets  # noqa: E402
from rnn_zoo.tasks.sentiment import BagOfWords, accuracy, log_count_ratio  # noqa: E402


def sparse_features(vectorizer, texts, batch=512):
    """The multi-hot rows of ``texts`` as a CSR matrix, made batch by batch."""
    return scipy.sparse.vstack([scipy.sparse.csr_matrix(vectorizer(tf.constant(
        texts[i:i + batch])).numpy()) for i in range(0, len(texts), batch)]).tocsr()


def probabilities(X, w, b):
    """``P(label 1)`` of each row of ``X`` under the logistic regression ``(w, b)``."""
    return 1.0 / (1.0 + np.exp(-(X @ w + b)))


def solve(X, y, C, gtol):
    """``(w, b)`` minimizing scikit-learn's penalized log-loss; the solver's result too."""
    def objective(wb):
        w, b = wb[:-1], wb[-1]
        z = X @ w + b
        error = probabilities(X, w, b) - y
        loss = np.sum(np.logaddexp(0.0, z) - y * z) + w @ w / (2.0 * C)
        return loss, np.append(X.T @ error + w / C, error.sum())

    result = scipy.optimize.minimize(objective, np.zeros(X.shape[1] + 1), jac=True,
                                     method="L-BFGS-B",
                                     options={"maxiter": 20000, "gtol": gtol, "ftol": 1e-15})
    return result.x[:-1], result.x[-1], result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--c-grid", default="0.1,1,10,100,1000")
    parser.add_argument("--gtol", type=float, default=1e-5)
    args = parser.parse_args(argv)
    c_grid = [float(c) for c in args.c_grid.split(",")]
    start = time.perf_counter()
    data = datasets.rotten_tomatoes(seed=0)
    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = (
        data["train"], data["valid"], data["test"])
    vectorizer = keras.layers.TextVectorization(output_mode="multi_hot", ngrams=2)
    vectorizer.adapt(tf.constant(train_x))
    X = {name: sparse_features(vectorizer, texts)
         for name, texts in (("train", train_x), ("valid", valid_x), ("test", test_x))}
    y = train_y.astype("float64")
    ratio = log_count_ratio(np.asarray(X["train"][train_y == 1].sum(0)).ravel(),
                            np.asarray(X["train"][train_y == 0].sum(0)).ravel())
    rows = []
    for name, scale in (("LR", None), ("NB-LR", ratio)):
        feats = {k: v if scale is None else v.multiply(scale).tocsr() for k, v in X.items()}
        fits = {}
        for C in c_grid:
            w, b, result = solve(feats["train"], y, C, args.gtol)
            fits[C] = (w, b, accuracy(probabilities(feats["valid"], w, b), valid_y))
            print(f"{name} C={C:g}: {result.nit} iterations, largest gradient entry "
                  f"{np.abs(result.jac).max():.1e} ({result.message}), validation accuracy "
                  f"{fits[C][2]:.3f}", flush=True)
        best = max(c_grid, key=lambda c: fits[c][2])
        w, b, valid_acc = fits[best]
        test_acc = accuracy(probabilities(feats["test"], w, b), test_y)
        rows.append((f"{name}, L-BFGS to convergence", f"C={best:g}", valid_acc, test_acc))
        adam = BagOfWords(C=best, naive_bayes=scale is not None).fit(
            train_x, train_y, validation_data=(valid_x, valid_y), verbose=0)
        rows.append((f"{name}, `BagOfWords` (Adam, early stopping, "
                     f"{len(adam.history.history['loss'])} epochs)", f"C={best:g}",
                     accuracy(adam.predict(valid_x), valid_y),
                     accuracy(adam.predict(test_x), test_y)))
    try:
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        print("scikit-learn is not installed: its rows are skipped", flush=True)
    else:
        for binary in (False, True):
            counts = CountVectorizer(ngram_range=(1, 2), binary=binary)
            features = [counts.fit_transform(train_x), counts.transform(valid_x),
                        counts.transform(test_x)]
            models = {C: LogisticRegression(C=C, max_iter=5000).fit(features[0], train_y)
                      for C in c_grid}
            best = max(c_grid, key=lambda c: models[c].score(features[1], valid_y))
            rows.append((f"scikit-learn LogisticRegression, CountVectorizer 1-2-grams, "
                         f"{'binary' if binary else 'counts'}", f"C={best:g}",
                         models[best].score(features[1], valid_y),
                         models[best].score(features[2], test_y)))
    print(f"\n## Bag-of-words LR solved to convergence\n\n{describe()}.  ")
    command = " ".join(["python bench/converged_lr.py", *(argv or sys.argv[1:])])
    print(f"Command: `{command}` — {(time.perf_counter() - start) / 60:.1f} min; "
          f"{X['train'].shape[1]:,} features; C from {c_grid} by validation accuracy.\n")
    print("| model | chosen on validation | validation accuracy | test accuracy |")
    print("|---|---|---:|---:|")
    for name, choice, valid_acc, test_acc in rows:
        print(f"| {name} | {choice} | {valid_acc:.3f} | {test_acc:.3f} |")


if __name__ == "__main__":
    main()
