"""One forward step of each zoo cell in plain NumPy, from its slide weights: the proof's
second reference, beside Keras's built-ins.

:func:`simple_rnn_step`, :func:`gru_step` and :func:`lstm_step` take the vectors of one sequence
step and the weights of :meth:`rnn_zoo.cells.base.ZooCell.slide_weights` (column-vector
convention, ``W_g [a<t-1>, x<t>] + b_g``); :func:`forward` runs a cell's twin over a sequence.
"""

import numpy as np

from rnn_zoo.functional.activations import sigmoid

def _check_step(w, states, x, gate):
    """The step functions take one sequence's vectors: refuse a column batch, which NumPy would
    broadcast into a wrong answer (``rnn_zoo.functional`` takes the course's column batches)."""
    units, width = np.shape(w[f"W_{gate}"])
    for name, value, size in [("x", x, width - units)] + [(f"states[{i}]", s, units) for i, s in enumerate(states)]:
        if np.ndim(value) != 1 or np.shape(value)[0] != size:
            raise ValueError(
                f"`{name}` must be a vector of shape ({size},); received shape {np.shape(value)} "
                "(for column batches (n, m) use rnn_zoo.functional)")


def _gate(w, g, a_prev, x):
    """``σ(W_g [a<t-1>, x<t>] + b_g)``."""
    return sigmoid(w[f"W_{g}"] @ np.concatenate([a_prev, x]) + w[f"b_{g}"])


def simple_rnn_step(w, states, x):
    """``a<t> = tanh(W_a [a<t-1>, x<t>] + b_a)``; ``states = [a<t-1>]``."""
    _check_step(w, states, x, "a")
    (a_prev,) = states
    a = np.tanh(w["W_a"] @ np.concatenate([a_prev, x]) + w["b_a"])
    return [a]


def gru_step(w, states, x):
    """The GRU of slide section 6; simplified (no ``W_r``), full, or Keras's ``reset_after``
    variant (``b_c_recurrent`` present); ``states = [c<t-1>]``."""
    _check_step(w, states, x, "u")
    (c_prev,) = states
    update_gate = _gate(w, "u", c_prev, x)                                     # Γ_u
    if "W_r" not in w:                                                         # simplified
        candidate = np.tanh(w["W_c"] @ np.concatenate([c_prev, x]) + w["b_c"])
    elif "b_c_recurrent" not in w:                                             # the slides' GRU
        relevance_gate = _gate(w, "r", c_prev, x)                              # Γ_r
        candidate = np.tanh(w["W_c"] @ np.concatenate([relevance_gate * c_prev, x]) + w["b_c"])
    else:                                                                      # reset_after
        relevance_gate = _gate(w, "r", c_prev, x)
        candidate = np.tanh(w["W_cx"] @ x + w["b_c"]
                            + relevance_gate * (w["W_ca"] @ c_prev + w["b_c_recurrent"]))
    return [update_gate * candidate + (1 - update_gate) * c_prev]             # c<t>


def lstm_step(w, states, x):
    """The LSTM of slide section 7; ``states = [a<t-1>, c<t-1>]``."""
    _check_step(w, states, x, "u")
    a_prev, c_prev = states
    candidate = np.tanh(w["W_c"] @ np.concatenate([a_prev, x]) + w["b_c"])    # c~<t>
    update_gate = _gate(w, "u", a_prev, x)                                     # Γ_u
    forget_gate = _gate(w, "f", a_prev, x)                                     # Γ_f
    output_gate = _gate(w, "o", a_prev, x)                                     # Γ_o
    c = update_gate * candidate + forget_gate * c_prev                         # c<t>
    return [output_gate * np.tanh(c), c]                                       # a<t>, c<t>


def step_for(cell):
    """The NumPy step function for a zoo cell (by its gates)."""
    gates = tuple(cell.gates)
    if gates == ("a",):
        return simple_rnn_step
    if gates == ("u", "f", "c", "o"):
        return lstm_step
    if gates in (("u", "c"), ("u", "r", "c")):
        return gru_step
    raise ValueError(f"no NumPy step for a cell with gates {gates}")


def forward(cell, xs, states=None):
    """Run a zoo cell's NumPy twin over one sequence ``xs`` (T, n_x), in float64.

    Returns the outputs (T, units) and the final states."""
    w = {name: value.astype(np.float64) for name, value in cell.slide_weights().items()}
    step = step_for(cell)
    sizes = cell.state_size if isinstance(cell.state_size, list) else [cell.state_size]
    states = [np.zeros(s) for s in sizes] if states is None else [np.asarray(s, np.float64) for s in states]
    outputs = []
    for x in np.asarray(xs, np.float64):
        states = step(w, states, x)
        outputs.append(states[0])
    return np.array(outputs), states
