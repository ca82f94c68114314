r"""The vanilla RNN cell of slide section 2, forward and backward, as the course writes it.

Column batches: ``xt`` is ``(n_x, m)``, ``a_prev`` is ``(n_a, m)``, one example per column;
a sequence ``x`` is ``(n_x, m, T_x)``.  Parameters::

    Wax (n_a, n_x)   Waa (n_a, n_a)   ba (n_a, 1)      the cell
    Wya (n_y, n_a)   by (n_y, 1)                       the softmax output layer
"""

import numpy as np

from rnn_zoo.functional import shapes
from rnn_zoo.functional.activations import softmax


def rnn_cell_forward(xt, a_prev, parameters):
    r"""One step of the RNN:

    .. math::

        a^{<t>} = \tanh(W_{aa} a^{<t-1>} + W_{ax} x^{<t>} + b_a)

        \hat y^{<t>} = \mathrm{softmax}(W_{ya} a^{<t>} + b_y)

    Returns ``(a_next, yt_pred, cache)`` with ``cache = (a_next, a_prev, xt, parameters)``.
    """
    sizes = {}
    xt = shapes.shaped("xt", xt, ("n_x", "m"), sizes)
    a_prev = shapes.shaped("a_prev", a_prev, ("n_a", "m"), sizes)
    Wax, Waa, ba, Wya, by = shapes.parameters("parameters", parameters, "rnn", sizes)

    a_next = np.tanh(Waa @ a_prev + Wax @ xt + ba)         # a<t>
    yt_pred = softmax(Wya @ a_next + by)                   # ŷ<t>

    cache = (a_next, a_prev, xt, parameters)
    return a_next, yt_pred, cache


def rnn_forward(x, a0, parameters):
    r"""The RNN over a whole sequence, from ``a<0> = a0``: :func:`rnn_cell_forward` at
    ``t = 1 .. T_x``.

    Returns ``(a, y_pred, caches)``: ``a`` is ``(n_a, m, T_x)``, ``y_pred`` is
    ``(n_y, m, T_x)`` and ``caches = (list of the cells' caches, x)``.
    """
    sizes = {}
    x = shapes.shaped("x", x, ("n_x", "m", "T_x"), sizes)
    a0 = shapes.shaped("a0", a0, ("n_a", "m"), sizes)
    shapes.parameters("parameters", parameters, "rnn", sizes)
    n_a, n_y, m, T_x = sizes["n_a"], sizes["n_y"], sizes["m"], sizes["T_x"]

    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    caches = []
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)

    return a, y_pred, (caches, x)


def rnn_cell_backward(da_next, cache):
    r"""The gradients of one step, given ``da_next = ∂L/∂a<t>`` (the output layer is not
    included, as in the course).  With :math:`dz = (1 - (a^{<t>})^2) * da^{<t>}` (tanh' at
    the pre-activation):

    .. math::

        dx^{<t>} = W_{ax}^T dz \qquad da^{<t-1>} = W_{aa}^T dz

        dW_{ax} = dz \, x^{<t>T} \qquad dW_{aa} = dz \, a^{<t-1>T}
        \qquad db_a = \textstyle\sum_{batch} dz

    ``cache`` is the one :func:`rnn_cell_forward` returned.  Returns a dict with ``dxt``,
    ``da_prev``, ``dWax``, ``dWaa``, ``dba``.
    """
    sizes = {}
    a_next, a_prev, xt, (Wax, Waa, ba) = shapes.cell_cache(
        "cache", cache, "rnn_cell_forward", sizes)
    da_next = shapes.shaped("da_next", da_next, ("n_a", "m"), sizes)

    dtanh = (1 - a_next ** 2) * da_next                    # ∂L/∂(W_aa a<t-1> + W_ax x<t> + b_a)

    dxt = Wax.T @ dtanh
    dWax = dtanh @ xt.T
    da_prev = Waa.T @ dtanh
    dWaa = dtanh @ a_prev.T
    dba = np.sum(dtanh, axis=1, keepdims=True)

    return {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward(da, caches):
    r"""Backpropagation through time over a whole sequence.

    ``da`` is ``(n_a, m, T_x)``, the upstream gradient on every ``a<t>`` (from the outputs, or
    whatever comes after the RNN).  Going back from ``t = T_x``, step ``t`` receives
    ``da[:, :, t]`` plus the gradient that flowed back from step ``t + 1``:

    .. math::

        \frac{\partial L}{\partial a^{<t>}} = da^{<t>}
            + \frac{\partial L}{\partial a^{<t+1>}} \frac{\partial a^{<t+1>}}{\partial a^{<t>}}

    and the weights' gradients are summed over the steps.  ``caches`` is the one
    :func:`rnn_forward` returned.  Returns a dict with ``dx`` ``(n_x, m, T_x)``, ``da0``,
    ``dWax``, ``dWaa``, ``dba``.
    """
    sizes = {}
    steps, x = shapes.sequence_caches("caches", caches, "rnn_cell_forward", sizes)
    da = shapes.shaped("da", da, ("n_a", "m", "T_x"), sizes)
    n_x, n_a, m, T_x = sizes["n_x"], sizes["n_a"], sizes["m"], sizes["T_x"]

    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, steps[t])
        dx[:, :, t] = gradients["dxt"]
        da_prevt = gradients["da_prev"]
        dWax += gradients["dWax"]
        dWaa += gradients["dWaa"]
        dba += gradients["dba"]
    da0 = da_prevt

    return {"dx": dx, "da0": da0, "dWax": dWax, "dWaa": dWaa, "dba": dba}
