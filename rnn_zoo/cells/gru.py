r"""The gated recurrent unit of slide section 6: simplified (Γ_u only) and full (Γ_u and Γ_r)."""

from typing import Any, NamedTuple

import keras
from keras import ops

from rnn_zoo.cells.base import PACKAGE, GatedCell, ZooRNN
from rnn_zoo import checks


class SimplifiedGRUGates(NamedTuple):
    """One step's gate activations of a :class:`SimplifiedGRUCell`, each (batch, units)."""

    update_gate: Any   # Γ_u
    candidate: Any     # c~<t>


class GRUGates(NamedTuple):
    """One step's gate activations of a :class:`GRUCell`, each (batch, units)."""

    update_gate: Any      # Γ_u
    relevance_gate: Any   # Γ_r
    candidate: Any        # c~<t>


@keras.saving.register_keras_serializable(package=PACKAGE)
class SimplifiedGRUCell(GatedCell):
    r"""The simplified GRU of slide section 6 (seeds 000, 003): no relevance gate.

    .. math::

        \tilde c^{<t>} = \tanh(W_c [c^{<t-1>}, x^{<t>}] + b_c)

        \Gamma_u = \sigma(W_u [c^{<t-1>}, x^{<t>}] + b_u)

        c^{<t>} = \Gamma_u * \tilde c^{<t>} + (1 - \Gamma_u) * c^{<t-1>},   a^{<t>} = c^{<t>}

    Weights, gate blocks in the order ``(u, c)`` (see :meth:`slide_weights`)::

        kernel            (input_dim, 2 * units)  = [W_ux^T | W_cx^T]
        recurrent_kernel  (units, 2 * units)      = [W_ua^T | W_ca^T]
        bias              (2 * units,)            = [b_u | b_c]

    Keras has no built-in simplified GRU: it is the full GRU with ``Γ_r ≡ 1``, and
    :func:`rnn_zoo.to_keras` writes it as one (relevance weights 0, relevance bias large enough
    that σ rounds to exactly 1).
    """

    gates = ("u", "c")

    def gate_activations(self, input_terms, c_prev, training=False):
        """The first two equations: ``Γ_u`` and ``c~<t>`` from ``W_?x x<t> + b_?`` and
        ``c<t-1>`` (:meth:`step` uses them; so does :func:`rnn_zoo.studies.gates.record_gates`)."""
        c_in = self.recurrent_input(c_prev, training)

        x_u, x_c = ops.split(input_terms, 2, axis=-1)                  # W_?x x<t> + b_?
        a_u, a_c = ops.split(ops.matmul(c_in, self.recurrent_kernel), 2, axis=-1)  # W_?a c<t-1>

        candidate = self.activation(x_c + a_c)                       # c~<t>
        update_gate = self.recurrent_activation(x_u + a_u)           # Γ_u
        return SimplifiedGRUGates(update_gate, candidate)

    def step(self, input_terms, states, training=False):
        c_prev = states[0] if isinstance(states, (list, tuple)) else states
        update_gate, candidate = self.gate_activations(input_terms, c_prev, training)  # Γ_u, c~<t>

        c = update_gate * candidate + (1 - update_gate) * c_prev     # c<t>
        return c, [c] if isinstance(states, (list, tuple)) else c


@keras.saving.register_keras_serializable(package=PACKAGE)
class GRUCell(GatedCell):
    r"""The full GRU of slide section 6 (seeds 000, 003, 002), with update and relevance gates.

    .. math::

        \tilde c^{<t>} = \tanh(W_c [\Gamma_r * c^{<t-1>}, x^{<t>}] + b_c)

        \Gamma_u = \sigma(W_u [c^{<t-1>}, x^{<t>}] + b_u)

        \Gamma_r = \sigma(W_r [c^{<t-1>}, x^{<t>}] + b_r)

        c^{<t>} = \Gamma_u * \tilde c^{<t>} + (1 - \Gamma_u) * c^{<t-1>},   a^{<t>} = c^{<t>}

    ``reset_after=False`` (default) is the slides' form above: Γ_r multiplies ``c<t-1>``
    *before* the matmul.  ``reset_after=True`` is the variant Keras (and cuDNN, and PyTorch)
    use by default: it applies Γ_r *after* the recurrent matmul and keeps a second bias row,

    .. math::

        \tilde c^{<t>} = \tanh(W_{cx} x^{<t>} + b_c + \Gamma_r * (W_{ca} c^{<t-1>} + b'_c)).

    Weights, gate blocks in the order ``(u, r, c)`` (see :meth:`slide_weights`)::

        kernel            (input_dim, 3 * units)  = [W_ux^T | W_rx^T | W_cx^T]
        recurrent_kernel  (units, 3 * units)      = [W_ua^T | W_ra^T | W_ca^T]
        bias              (3 * units,)            = [b_u | b_r | b_c]            reset_after=False
                          (2, 3 * units)          = input row, recurrent row     reset_after=True

    Mapping to ``keras.layers.GRUCell`` (blocks ``(z, r, h)``): Keras writes
    ``h = z * h_prev + (1 - z) * h~``, so its ``z = 1 - Γ_u``; since ``σ(-v) = 1 - σ(v)`` the
    zoo's ``u`` block is the negated ``z`` block.  :func:`rnn_zoo.to_keras` and
    :func:`rnn_zoo.from_keras` do that negation (and nothing else).

    ``dropout`` masks ``x<t>`` and ``recurrent_dropout`` masks ``c<t-1>`` where it enters the
    matmuls (one mask per sequence, shared by the gates); the direct path ``(1 - Γ_u) * c<t-1>``
    is never dropped.  (Keras draws one mask per gate when ``recurrent_dropout > 0``.)
    """

    gates = ("u", "r", "c")

    def __init__(self, units, reset_after=False, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = checks.boolean("reset_after", reset_after)

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def slide_biases(self):
        if not (self.reset_after and self.use_bias):
            return super().slide_biases()
        rows = ops.convert_to_numpy(self.bias).reshape(2, 3, self.units)
        return {  # b_u and b_r only ever appear summed; b_c and b'_c do not
            "b_u": rows[0, 0] + rows[1, 0],
            "b_r": rows[0, 1] + rows[1, 1],
            "b_c": rows[0, 2],
            "b_c_recurrent": rows[1, 2],
        }

    def input_bias(self):
        if self.reset_after and self.bias is not None:
            return self.bias[0]  # the input row; gate_activations adds the recurrent row
        return self.bias

    def gate_activations(self, input_terms, c_prev, training=False):
        """The first three equations: ``Γ_u``, ``Γ_r`` and ``c~<t>`` from ``W_?x x<t> + b_?``
        and ``c<t-1>`` (:meth:`step` uses them; so does :func:`rnn_zoo.studies.gates.record_gates`)."""
        c_in = self.recurrent_input(c_prev, training)
        x_u, x_r, x_c = ops.split(input_terms, 3, axis=-1)           # W_?x x<t> + b_?
        W_ua_ra, W_ca = self.recurrent_kernel[:, : 2 * self.units], self.recurrent_kernel[:, 2 * self.units :]

        if not self.reset_after:  # the slides' GRU
            a_u, a_r = ops.split(ops.matmul(c_in, W_ua_ra), 2, axis=-1)  # W_?a c<t-1>
            update_gate = self.recurrent_activation(x_u + a_u)        # Γ_u
            relevance_gate = self.recurrent_activation(x_r + a_r)     # Γ_r
            candidate = self.activation(x_c + ops.matmul(relevance_gate * c_in, W_ca))  # c~<t>
        else:  # Keras's default: Γ_r applied after the recurrent matmul
            a = ops.matmul(c_in, self.recurrent_kernel)
            if self.bias is not None:
                a = ops.add(a, self.bias[1])
            a_u, a_r, a_c = ops.split(a, 3, axis=-1)
            update_gate = self.recurrent_activation(x_u + a_u)        # Γ_u
            relevance_gate = self.recurrent_activation(x_r + a_r)     # Γ_r
            candidate = self.activation(x_c + relevance_gate * a_c)   # c~<t>
        return GRUGates(update_gate, relevance_gate, candidate)

    def step(self, input_terms, states, training=False):
        c_prev = states[0] if isinstance(states, (list, tuple)) else states
        update_gate, relevance_gate, candidate = self.gate_activations(  # Γ_u, Γ_r, c~<t>
            input_terms, c_prev, training)
        c = update_gate * candidate + (1 - update_gate) * c_prev      # c<t>
        return c, [c] if isinstance(states, (list, tuple)) else c

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


@keras.saving.register_keras_serializable(package=PACKAGE)
class SimplifiedGRU(ZooRNN):
    """A recurrent layer over :class:`SimplifiedGRUCell` (built like ``keras.layers.GRU``)."""

    cell_class = SimplifiedGRUCell


@keras.saving.register_keras_serializable(package=PACKAGE)
class GRU(ZooRNN):
    """Drop-in for ``keras.layers.GRU`` built on the zoo's :class:`GRUCell`.

    Note the default ``reset_after=False`` (the slides' GRU); pass ``reset_after=True`` for the
    built-in's default variant.
    """

    cell_class = GRUCell
