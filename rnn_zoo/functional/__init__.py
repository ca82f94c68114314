r"""The NumPy functions of the course's "Building your RNN step by step", plus the slides' GRU.

Plain NumPy, written like the equations on the slides with the course's names; importing this
package loads neither Keras nor TensorFlow (only :func:`to_cell` and :func:`from_cell` do, when
called).  The course's conventions:

* column batches: ``xt`` is ``(n_x, m)``, ``x`` is ``(n_x, m, T_x)``, ``a_prev`` is
  ``(n_a, m)``, ``a`` is ``(n_a, m, T_x)``;
* weights in a ``parameters`` dict; an LSTM's or GRU's ``W?`` acts on ``[a_prev; xt]``
  (shape ``(n_a, n_a + n_x)``); biases are columns ``(n, 1)``;
* the output layer is ``softmax(Wya a + by)`` (RNN) or ``softmax(Wy a + by)`` (LSTM, GRU),
  softmax over axis 0 (the classes);
* forward functions return caches that the backward functions take back.

Every function checks its arguments and raises ``ValueError`` or ``TypeError`` naming the
argument, what it received and what it expected (:mod:`rnn_zoo.functional.shapes`).

===================  ==========================================================================
module               functions
===================  ==========================================================================
activations          sigmoid, softmax
rnn                  rnn_cell_forward, rnn_forward, rnn_cell_backward, rnn_backward
lstm                 lstm_cell_forward, lstm_forward, lstm_cell_backward, lstm_backward
gru                  gru_cell_forward, gru_forward, gru_cell_backward, gru_backward
sampling             clip, sample
two_step             two_step_forward (the slide's row-vector convention)
convert              to_cell, from_cell (parameter dicts <-> rnn_zoo cells; imports Keras)
===================  ==========================================================================
"""

from rnn_zoo.functional.activations import sigmoid, softmax
from rnn_zoo.functional.convert import from_cell, to_cell
from rnn_zoo.functional.gru import gru_backward, gru_cell_backward, gru_cell_forward, gru_forward
from rnn_zoo.functional.lstm import (
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
)
from rnn_zoo.functional.rnn import rnn_backward, rnn_cell_backward, rnn_cell_forward, rnn_forward
from rnn_zoo.functional.sampling import clip, sample
from rnn_zoo.functional.two_step import two_step_forward

__all__ = [
    "sigmoid",
    "softmax",
    "rnn_cell_forward",
    "rnn_forward",
    "rnn_cell_backward",
    "rnn_backward",
    "lstm_cell_forward",
    "lstm_forward",
    "lstm_cell_backward",
    "lstm_backward",
    "gru_cell_forward",
    "gru_forward",
    "gru_cell_backward",
    "gru_backward",
    "clip",
    "sample",
    "two_step_forward",
    "to_cell",
    "from_cell",
]
