r"""The long short-term memory cell of slide section 7, and its layer."""

from typing import Any, NamedTuple

import keras
from keras import ops

from rnn_zoo.cells.base import PACKAGE, GatedCell, ZooRNN
from rnn_zoo import checks


class LSTMGates(NamedTuple):
    """One step's gate activations of an :class:`LSTMCell`, each (batch, units)."""

    update_gate: Any   # Γ_u
    forget_gate: Any   # Γ_f
    candidate: Any     # c~<t>
    output_gate: Any   # Γ_o


@keras.saving.register_keras_serializable(package=PACKAGE)
class LSTMCell(GatedCell):
    r"""The LSTM of slide section 7 in Andrew Ng's form (seeds 000, 003, 004, 001).

    .. math::

        \tilde c^{<t>} = \tanh(W_c [a^{<t-1>}, x^{<t>}] + b_c)

        \Gamma_u = \sigma(W_u [a^{<t-1>}, x^{<t>}] + b_u)     (update / input gate)

        \Gamma_f = \sigma(W_f [a^{<t-1>}, x^{<t>}] + b_f)     (forget gate)

        \Gamma_o = \sigma(W_o [a^{<t-1>}, x^{<t>}] + b_o)     (output gate)

        c^{<t>} = \Gamma_u * \tilde c^{<t>} + \Gamma_f * c^{<t-1>}

        a^{<t>} = \Gamma_o * \tanh(c^{<t>})

    States are ``[a, c]`` (Keras: ``[h, c]``); the output is ``a<t>``.

    Weights, gate blocks in the order ``(u, f, c, o)`` -- the built-in's ``(i, f, c, o)``, so the
    conversion to and from ``keras.layers.LSTMCell`` copies every array unchanged (see
    :meth:`slide_weights`)::

        kernel            (input_dim, 4 * units)  = [W_ux^T | W_fx^T | W_cx^T | W_ox^T]
        recurrent_kernel  (units, 4 * units)      = [W_ua^T | W_fa^T | W_ca^T | W_oa^T]
        bias              (4 * units,)            = [b_u | b_f | b_c | b_o]

    ``unit_forget_bias=True`` (default, as in Keras) starts ``b_f`` at 1 (Jozefowicz et al. 2015).
    ``dropout`` masks ``x<t>`` and ``recurrent_dropout`` masks ``a<t-1>``, one mask per sequence
    shared by the gates; ``c<t-1>`` is never dropped.  (Keras draws one mask per gate when
    ``recurrent_dropout > 0``.)
    """

    gates = ("u", "f", "c", "o")

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = checks.boolean("unit_forget_bias", unit_forget_bias)
        self.state_size = [self.units, self.units]

    def bias_initial_value(self, shape, dtype=None):
        if not self.unit_forget_bias:
            return super().bias_initial_value(shape, dtype)
        units = self.units
        return ops.concatenate([
            self.bias_initializer((units,), dtype=dtype),          # b_u
            ops.ones((units,), dtype=dtype),                       # b_f = 1
            self.bias_initializer((2 * units,), dtype=dtype),      # b_c, b_o
        ])

    def gate_activations(self, input_terms, a_prev, training=False):
        """The first four equations: ``Γ_u``, ``Γ_f``, ``c~<t>`` and ``Γ_o`` from
        ``W_?x x<t> + b_?`` and ``a<t-1>`` (:meth:`step` uses them; so does
        :func:`rnn_zoo.studies.gates.record_gates`)."""
        a_in = self.recurrent_input(a_prev, training)

        z = input_terms + ops.matmul(a_in, self.recurrent_kernel)   # W_? [a<t-1>, x<t>] + b_?
        z_u, z_f, z_c, z_o = ops.split(z, 4, axis=-1)

        update_gate = self.recurrent_activation(z_u)             # Γ_u
        forget_gate = self.recurrent_activation(z_f)             # Γ_f
        candidate = self.activation(z_c)                         # c~<t>
        output_gate = self.recurrent_activation(z_o)             # Γ_o
        return LSTMGates(update_gate, forget_gate, candidate, output_gate)

    def step(self, input_terms, states, training=False):
        a_prev, c_prev = states
        update_gate, forget_gate, candidate, output_gate = self.gate_activations(
            input_terms, a_prev, training)                       # Γ_u, Γ_f, c~<t>, Γ_o

        c = update_gate * candidate + forget_gate * c_prev       # c<t>
        a = output_gate * self.activation(c)                     # a<t>
        return a, [a, c]

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


@keras.saving.register_keras_serializable(package=PACKAGE)
class LSTM(ZooRNN):
    """Drop-in for ``keras.layers.LSTM`` built on the zoo's :class:`LSTMCell`."""

    cell_class = LSTMCell
