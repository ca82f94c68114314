r"""The slides' manual two-step RNN (section 3), in NumPy and the slide's own convention.

Unlike the rest of :mod:`rnn_zoo.functional` this is the slide's *row-vector* convention, batch
first, as in its TensorFlow listing: one instance per row, ``X @ Wx``.
"""

import numpy as np

from rnn_zoo.functional import shapes


def two_step_forward(X0, X1, Wx, Wh, b):
    r"""An RNN of ``n_neurons`` tanh units unrolled by hand over two time steps:

    .. math::

        h_0 = \tanh(X_0 W_x + b)

        h_1 = \tanh(h_0 W_h + X_1 W_x + b)

    ``X0``, ``X1`` are ``(batch, n_inputs)`` (the inputs at t = 0 and t = 1), ``Wx`` is
    ``(n_inputs, n_neurons)``, ``Wh`` is ``(n_neurons, n_neurons)`` and ``b`` is
    ``(1, n_neurons)``.  Returns ``(h0, h1)``, each ``(batch, n_neurons)``; the same as
    ``rnn_zoo.TwoStepRNN`` with the same weights.
    """
    sizes = {}
    X0 = shapes.shaped("X0", X0, ("batch", "n_inputs"), sizes)
    X1 = shapes.shaped("X1", X1, ("batch", "n_inputs"), sizes)
    Wx = shapes.shaped("Wx", Wx, ("n_inputs", "n_neurons"), sizes)
    Wh = shapes.shaped("Wh", Wh, ("n_neurons", "n_neurons"), sizes)
    b = shapes.shaped("b", b, (1, "n_neurons"), sizes, ", a row")

    h0 = np.tanh(X0 @ Wx + b)
    h1 = np.tanh(h0 @ Wh + X1 @ Wx + b)
    return h0, h1
