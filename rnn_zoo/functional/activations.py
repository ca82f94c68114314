r"""The two activations the course's cells use: σ for the gates, softmax for the outputs."""

import numpy as np

from rnn_zoo.functional import shapes


def sigmoid(z):
    r"""The logistic sigmoid, element-wise:

    .. math:: \sigma(z) = \frac{1}{1 + e^{-z}}

    Written so that ``exp`` never overflows: for ``z < 0`` it is ``e^z / (1 + e^z)``."""
    z = shapes.array("z", z)
    e = np.exp(-np.abs(z))                              # e^{-|z|} <= 1
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softmax(z):
    r"""Softmax over axis 0, the classes (column ``j`` of ``z`` holds example ``j``'s scores):

    .. math:: \mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_k e^{z_k}}

    The column's maximum is subtracted first (the result is the same, ``exp`` cannot
    overflow)."""
    z = shapes.array("z", z)
    if z.ndim == 0 or z.shape[0] == 0:
        raise ValueError(
            f"z must have at least one class on axis 0 (shape (n_y, ...)); received shape {z.shape}"
        )
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
