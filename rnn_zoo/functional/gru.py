r"""The slides' full GRU (section 6), forward and backward, in the style of the course.

The course has no GRU; this is the slides' one written like the course's LSTM.  The state is
called ``a`` (on the slides ``a<t> = c<t>``).  Every gate's ``W`` acts on a concatenation
``[?; xt]`` (shape ``(n_a, n_a + n_x)``), biases are columns ``(n_a, 1)``::

    Wu, bu   update gate        Γ_u
    Wr, br   relevance gate     Γ_r
    Wc, bc   candidate          c~<t>, on [Γ_r * a_prev; xt]
    Wy, by   the softmax output layer, (n_y, n_a) and (n_y, 1)

Code names: ``ut = Γ_u``, ``rt = Γ_r``, ``cct = c~<t>``.  This is ``rnn_zoo.GRUCell`` with
``reset_after=False``; Keras's default GRU (``reset_after=True``) is a different cell.
"""

import numpy as np

from rnn_zoo.functional import shapes
from rnn_zoo.functional.activations import sigmoid, softmax


def gru_cell_forward(xt, a_prev, parameters):
    r"""One step of the GRU:

    .. math::

        \Gamma_u = \sigma(W_u [a^{<t-1>}; x^{<t>}] + b_u)

        \Gamma_r = \sigma(W_r [a^{<t-1>}; x^{<t>}] + b_r)

        \tilde c^{<t>} = \tanh(W_c [\Gamma_r * a^{<t-1>}; x^{<t>}] + b_c)

        a^{<t>} = \Gamma_u * \tilde c^{<t>} + (1 - \Gamma_u) * a^{<t-1>}

        \hat y^{<t>} = \mathrm{softmax}(W_y a^{<t>} + b_y)

    Returns ``(a_next, yt_pred, cache)`` with ``cache = (a_next, a_prev, ut, rt, cct, xt,
    parameters)``.
    """
    sizes = {}
    xt = shapes.shaped("xt", xt, ("n_x", "m"), sizes)
    a_prev = shapes.shaped("a_prev", a_prev, ("n_a", "m"), sizes)
    Wu, bu, Wr, br, Wc, bc, Wy, by = shapes.parameters("parameters", parameters, "gru", sizes)

    concat = np.concatenate([a_prev, xt], axis=0)             # [a<t-1>; x<t>]

    ut = sigmoid(Wu @ concat + bu)                            # Γ_u
    rt = sigmoid(Wr @ concat + br)                            # Γ_r
    concat_r = np.concatenate([rt * a_prev, xt], axis=0)      # [Γ_r * a<t-1>; x<t>]
    cct = np.tanh(Wc @ concat_r + bc)                         # c~<t>
    a_next = ut * cct + (1 - ut) * a_prev                     # a<t> = c<t>

    yt_pred = softmax(Wy @ a_next + by)                       # ŷ<t>

    cache = (a_next, a_prev, ut, rt, cct, xt, parameters)
    return a_next, yt_pred, cache


def gru_forward(x, a0, parameters):
    r"""The GRU over a whole sequence from ``a<0> = a0``: :func:`gru_cell_forward` at
    ``t = 1 .. T_x``.

    Returns ``(a, y, caches)``: ``a`` is ``(n_a, m, T_x)``, ``y`` is ``(n_y, m, T_x)``,
    ``caches = (list of the cells' caches, x)``.
    """
    sizes = {}
    x = shapes.shaped("x", x, ("n_x", "m", "T_x"), sizes)
    a0 = shapes.shaped("a0", a0, ("n_a", "m"), sizes)
    shapes.parameters("parameters", parameters, "gru", sizes)
    n_a, n_y, m, T_x = sizes["n_a"], sizes["n_y"], sizes["m"], sizes["T_x"]

    a = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    caches = []
    a_next = a0
    for t in range(T_x):
        a_next, yt, cache = gru_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y[:, :, t] = yt
        caches.append(cache)

    return a, y, (caches, x)


def gru_cell_backward(da_next, cache):
    r"""The gradients of one step, given ``da_next = ∂L/∂a<t>`` (the output layer is not
    included).  From ``a<t> = Γ_u * c~<t> + (1 - Γ_u) * a<t-1>``:

    .. math::

        d\tilde c^{<t>} = da^{<t>} * \Gamma_u \qquad
        d\Gamma_u = da^{<t>} * (\tilde c^{<t>} - a^{<t-1>}) \qquad
        da^{<t-1>} \mathrel{+}= da^{<t>} * (1 - \Gamma_u)

    through tanh to the candidate's pre-activation ``dz_c``, whose ``W_c^T dz_c`` splits into
    ``d(Γ_r * a<t-1>)`` and a part of ``dx<t>``; then

    .. math::

        d\Gamma_r = d(\Gamma_r * a^{<t-1>}) * a^{<t-1>} \qquad
        da^{<t-1>} \mathrel{+}= d(\Gamma_r * a^{<t-1>}) * \Gamma_r

    and through σ to ``dz_u``, ``dz_r``: ``[da<t-1>; dx<t>] += W_u^T dz_u + W_r^T dz_r``.
    Each ``dW = dz [its concatenation]^T``, ``db = Σ_batch dz``.

    ``cache`` is the one :func:`gru_cell_forward` returned.  Returns a dict with ``dxt``,
    ``da_prev``, ``dWu``, ``dbu``, ``dWr``, ``dbr``, ``dWc``, ``dbc``.
    """
    sizes = {}
    (a_next, a_prev, ut, rt, cct, xt,
     (Wu, bu, Wr, br, Wc, bc)) = shapes.cell_cache("cache", cache, "gru_cell_forward", sizes)
    da_next = shapes.shaped("da_next", da_next, ("n_a", "m"), sizes)
    n_a = sizes["n_a"]

    dcct = da_next * ut * (1 - cct ** 2)                      # through tanh to c~<t>'s pre-act.
    dut = da_next * (cct - a_prev) * ut * (1 - ut)            # through σ to Γ_u's

    concat_r = np.concatenate([rt * a_prev, xt], axis=0)      # [Γ_r * a<t-1>; x<t>]
    dWc = dcct @ concat_r.T
    dbc = np.sum(dcct, axis=1, keepdims=True)
    dconcat_r = Wc.T @ dcct                                   # [d(Γ_r * a<t-1>); dx<t> via c~<t>]
    d_rt_a_prev = dconcat_r[:n_a]                             # d(Γ_r * a<t-1>)

    drt = d_rt_a_prev * a_prev * rt * (1 - rt)                # through σ to Γ_r's pre-activation

    concat = np.concatenate([a_prev, xt], axis=0)             # [a<t-1>; x<t>]
    dWu = dut @ concat.T
    dbu = np.sum(dut, axis=1, keepdims=True)
    dWr = drt @ concat.T
    dbr = np.sum(drt, axis=1, keepdims=True)
    dconcat = Wu.T @ dut + Wr.T @ drt                         # [da<t-1>; dx<t>] via the gates

    # a<t-1> reaches a<t> directly, through Γ_r * a<t-1> and through the gates; x<t> the last two
    da_prev = da_next * (1 - ut) + d_rt_a_prev * rt + dconcat[:n_a]
    dxt = dconcat_r[n_a:] + dconcat[n_a:]

    return {"dxt": dxt, "da_prev": da_prev, "dWu": dWu, "dbu": dbu,
            "dWr": dWr, "dbr": dbr, "dWc": dWc, "dbc": dbc}


def gru_backward(da, caches):
    r"""Backpropagation through time for the GRU.

    ``da`` is ``(n_a, m, T_x)``, the upstream gradient on every ``a<t>``.  Going back from
    ``t = T_x``, step ``t`` receives ``da[:, :, t]`` plus the ``da_prev`` of step ``t + 1``;
    the weights' gradients are summed over the steps.  ``caches`` is the one
    :func:`gru_forward` returned.  Returns a dict with ``dx`` ``(n_x, m, T_x)``, ``da0``,
    ``dWu``, ``dbu``, ``dWr``, ``dbr``, ``dWc``, ``dbc``.
    """
    sizes = {}
    steps, x = shapes.sequence_caches("caches", caches, "gru_cell_forward", sizes)
    da = shapes.shaped("da", da, ("n_a", "m", "T_x"), sizes)
    n_x, n_a, m, T_x = sizes["n_x"], sizes["n_a"], sizes["m"], sizes["T_x"]

    dx = np.zeros((n_x, m, T_x))
    sums = {key: np.zeros((n_a, 1) if key.startswith("db") else (n_a, n_a + n_x))
            for key in ("dWu", "dbu", "dWr", "dbr", "dWc", "dbc")}
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = gru_cell_backward(da[:, :, t] + da_prevt, steps[t])
        dx[:, :, t] = gradients["dxt"]
        da_prevt = gradients["da_prev"]
        for key in sums:
            sums[key] += gradients[key]
    da0 = da_prevt

    return {"dx": dx, "da0": da0, **sums}
