r"""The LSTM of slide section 7, forward and backward, in the course's names.

Column batches as in :mod:`rnn_zoo.functional.rnn`; every gate's ``W`` acts on the
concatenation ``[a_prev; xt]`` (shape ``(n_a, n_a + n_x)``), biases are columns ``(n_a, 1)``::

    Wf, bf   forget gate        Γ_f on the slides
    Wi, bi   update gate        Γ_u on the slides (the course's "input" gate, i)
    Wc, bc   candidate          c~<t>
    Wo, bo   output gate        Γ_o
    Wy, by   the softmax output layer, (n_y, n_a) and (n_y, 1)

Code names: ``ft = Γ_f``, ``it = Γ_u``, ``cct = c~<t>``, ``ot = Γ_o``.
"""

import numpy as np

from rnn_zoo.functional import shapes
from rnn_zoo.functional.activations import sigmoid, softmax


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    r"""One step of the LSTM:

    .. math::

        \Gamma_f = \sigma(W_f [a^{<t-1>}; x^{<t>}] + b_f)

        \Gamma_u = \sigma(W_i [a^{<t-1>}; x^{<t>}] + b_i)

        \tilde c^{<t>} = \tanh(W_c [a^{<t-1>}; x^{<t>}] + b_c)

        c^{<t>} = \Gamma_f * c^{<t-1>} + \Gamma_u * \tilde c^{<t>}

        \Gamma_o = \sigma(W_o [a^{<t-1>}; x^{<t>}] + b_o)

        a^{<t>} = \Gamma_o * \tanh(c^{<t>})

        \hat y^{<t>} = \mathrm{softmax}(W_y a^{<t>} + b_y)

    Returns ``(a_next, c_next, yt_pred, cache)`` with
    ``cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)``.
    """
    sizes = {}
    xt = shapes.shaped("xt", xt, ("n_x", "m"), sizes)
    a_prev = shapes.shaped("a_prev", a_prev, ("n_a", "m"), sizes)
    c_prev = shapes.shaped("c_prev", c_prev, ("n_a", "m"), sizes)
    Wf, bf, Wi, bi, Wc, bc, Wo, bo, Wy, by = shapes.parameters(
        "parameters", parameters, "lstm", sizes)

    concat = np.concatenate([a_prev, xt], axis=0)       # [a<t-1>; x<t>]

    ft = sigmoid(Wf @ concat + bf)                      # Γ_f
    it = sigmoid(Wi @ concat + bi)                      # Γ_u
    cct = np.tanh(Wc @ concat + bc)                     # c~<t>
    c_next = ft * c_prev + it * cct                     # c<t>
    ot = sigmoid(Wo @ concat + bo)                      # Γ_o
    a_next = ot * np.tanh(c_next)                       # a<t>

    yt_pred = softmax(Wy @ a_next + by)                 # ŷ<t>

    cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)
    return a_next, c_next, yt_pred, cache


def lstm_forward(x, a0, parameters):
    r"""The LSTM over a whole sequence from ``a<0> = a0`` and ``c<0> = 0``:
    :func:`lstm_cell_forward` at ``t = 1 .. T_x``.

    Returns ``(a, y, c, caches)``: ``a`` and ``c`` are ``(n_a, m, T_x)``, ``y`` is
    ``(n_y, m, T_x)``, ``caches = (list of the cells' caches, x)``.
    """
    sizes = {}
    x = shapes.shaped("x", x, ("n_x", "m", "T_x"), sizes)
    a0 = shapes.shaped("a0", a0, ("n_a", "m"), sizes)
    shapes.parameters("parameters", parameters, "lstm", sizes)
    n_a, n_y, m, T_x = sizes["n_a"], sizes["n_y"], sizes["m"], sizes["T_x"]

    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    caches = []
    a_next = a0
    c_next = np.zeros((n_a, m))                         # c<0> = 0
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        y[:, :, t] = yt
        caches.append(cache)

    return a, y, c, (caches, x)


def lstm_cell_backward(da_next, dc_next, cache):
    r"""The gradients of one step, given ``da_next = ∂L/∂a<t>`` and ``dc_next = ∂L/∂c<t>``
    (the output layer is not included).  ``c<t>`` is reached directly and through
    ``a<t> = Γ_o * tanh(c<t>)``:

    .. math::

        dc^{<t>}_{total} = dc^{<t>} + da^{<t>} * \Gamma_o * (1 - \tanh^2(c^{<t>}))

        d\Gamma_o = da^{<t>} * \tanh(c^{<t>})

        d\Gamma_u = dc^{<t>}_{total} * \tilde c^{<t>} \qquad
        d\tilde c^{<t>} = dc^{<t>}_{total} * \Gamma_u \qquad
        d\Gamma_f = dc^{<t>}_{total} * c^{<t-1>}

        dc^{<t-1>} = dc^{<t>}_{total} * \Gamma_f

    then through each activation (``σ' = σ(1 - σ)``, ``tanh' = 1 - tanh²``) to the gate's
    pre-activation ``dz``: ``dW = dz [a<t-1>; x<t>]^T``, ``db = Σ_batch dz``, and
    ``[da<t-1>; dx<t>] = Σ_gates W^T dz``.

    ``cache`` is the one :func:`lstm_cell_forward` returned.  Returns a dict with ``dxt``,
    ``da_prev``, ``dc_prev``, ``dWf``, ``dbf``, ``dWi``, ``dbi``, ``dWc``, ``dbc``, ``dWo``,
    ``dbo``.
    """
    sizes = {}
    (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, (Wf, bf, Wi, bi, Wc, bc, Wo, bo)) = (
        shapes.cell_cache("cache", cache, "lstm_cell_forward", sizes))
    da_next = shapes.shaped("da_next", da_next, ("n_a", "m"), sizes)
    dc_next = shapes.shaped("dc_next", dc_next, ("n_a", "m"), sizes)
    n_a = sizes["n_a"]

    dc = dc_next + da_next * ot * (1 - np.tanh(c_next) ** 2)   # all of ∂L/∂c<t>

    dot = da_next * np.tanh(c_next) * ot * (1 - ot)      # through σ to Γ_o's pre-activation
    dcct = dc * it * (1 - cct ** 2)                     # through tanh to c~<t>'s
    dit = dc * cct * it * (1 - it)                      # Γ_u's
    dft = dc * c_prev * ft * (1 - ft)                   # Γ_f's

    concat = np.concatenate([a_prev, xt], axis=0)       # [a<t-1>; x<t>]
    dWf = dft @ concat.T
    dWi = dit @ concat.T
    dWc = dcct @ concat.T
    dWo = dot @ concat.T
    dbf = np.sum(dft, axis=1, keepdims=True)
    dbi = np.sum(dit, axis=1, keepdims=True)
    dbc = np.sum(dcct, axis=1, keepdims=True)
    dbo = np.sum(dot, axis=1, keepdims=True)

    dconcat = Wf.T @ dft + Wi.T @ dit + Wc.T @ dcct + Wo.T @ dot   # [da<t-1>; dx<t>]
    da_prev = dconcat[:n_a]
    dxt = dconcat[n_a:]
    dc_prev = dc * ft

    return {"dxt": dxt, "da_prev": da_prev, "dc_prev": dc_prev,
            "dWf": dWf, "dbf": dbf, "dWi": dWi, "dbi": dbi,
            "dWc": dWc, "dbc": dbc, "dWo": dWo, "dbo": dbo}


def lstm_backward(da, caches):
    r"""Backpropagation through time for the LSTM.

    ``da`` is ``(n_a, m, T_x)``, the upstream gradient on every ``a<t>``.  Going back from
    ``t = T_x`` with ``dc = 0`` after the last step, step ``t`` receives ``da[:, :, t]`` plus
    the ``da_prev`` of step ``t + 1``, and that step's ``dc_prev``; the weights' gradients are
    summed over the steps.  ``caches`` is the one :func:`lstm_forward` returned.  Returns a dict
    with ``dx`` ``(n_x, m, T_x)``, ``da0``, ``dWf``, ``dbf``, ``dWi``, ``dbi``, ``dWc``,
    ``dbc``, ``dWo``, ``dbo``.
    """
    sizes = {}
    steps, x = shapes.sequence_caches("caches", caches, "lstm_cell_forward", sizes)
    da = shapes.shaped("da", da, ("n_a", "m", "T_x"), sizes)
    n_x, n_a, m, T_x = sizes["n_x"], sizes["n_a"], sizes["m"], sizes["T_x"]

    dx = np.zeros((n_x, m, T_x))
    sums = {key: np.zeros((n_a, 1) if key.startswith("db") else (n_a, n_a + n_x))
            for key in ("dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo")}
    da_prevt = np.zeros((n_a, m))
    dc_prevt = np.zeros((n_a, m))                       # nothing after the last step
    for t in reversed(range(T_x)):
        gradients = lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, steps[t])
        dx[:, :, t] = gradients["dxt"]
        da_prevt = gradients["da_prev"]
        dc_prevt = gradients["dc_prev"]
        for key in sums:
            sums[key] += gradients[key]
    da0 = da_prevt

    return {"dx": dx, "da0": da0, **sums}
