r"""The vanilla RNN cell of slide section 2, and its layer."""

import keras
from keras import ops

from rnn_zoo.cells.base import PACKAGE, ZooCell, ZooRNN


@keras.saving.register_keras_serializable(package=PACKAGE)
class SimpleRNNCell(ZooCell):
    r"""The vanilla RNN cell (slide section 2; seeds 003, 002, 004, 001).

    .. math::

        a^{<t>} = g(W_{aa} a^{<t-1>} + W_{ax} x^{<t>} + b_a)
                = g(W_a [a^{<t-1>}, x^{<t>}] + b_a),   W_a = [W_{aa} | W_{ax}]

    ``g`` is ``activation`` (tanh by default, or ReLU).  The output is the new state,
    ``a<t>``; the slide's ``ŷ<t> = g(W_ya a<t> + b_y)`` is a ``Dense`` layer on top.

    Weights (see :meth:`slide_weights` for the slide view)::

        kernel            (input_dim, units)  = W_ax^T   (built-in: kernel, same layout)
        recurrent_kernel  (units, units)      = W_aa^T   (built-in: recurrent_kernel)
        bias              (units,)            = b_a      (built-in: bias)

    Arguments are those of ``keras.layers.SimpleRNNCell``; ``dropout`` masks ``x<t>`` and
    ``recurrent_dropout`` masks ``a<t-1>``, one mask per sequence, exactly as the built-in does.
    """

    gates = ("a",)

    def step(self, input_terms, states, training=False):
        a_prev = states[0] if isinstance(states, (list, tuple)) else states
        a_in = self.recurrent_input(a_prev, training)

        z = input_terms + ops.matmul(a_in, self.recurrent_kernel)  # W_ax x<t> + b_a + W_aa a<t-1>
        a = self.activation(z)                                      # a<t> = g(...)

        return a, [a] if isinstance(states, (list, tuple)) else a


@keras.saving.register_keras_serializable(package=PACKAGE)
class SimpleRNN(ZooRNN):
    """Drop-in for ``keras.layers.SimpleRNN`` built on the zoo's :class:`SimpleRNNCell`.

    ``SimpleRNN(units, activation="tanh", use_bias=True, ..., dropout=0., recurrent_dropout=0.,
    return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False)``
    """

    cell_class = SimpleRNNCell
