r"""What every rnn_zoo cell and layer shares: arguments, weights, the slide view, input checks.

A zoo cell keeps its weights the way the fast built-ins do, one matrix per source with the
gates side by side::

    kernel            (input_dim, n_gates * units)   the W_?x blocks, transposed
    recurrent_kernel  (units,     n_gates * units)   the W_?a blocks, transposed
    bias              (n_gates * units,)             the b_? vectors

so that one step costs ``x<t> @ kernel + a<t-1> @ recurrent_kernel + bias`` (two matmuls) instead
of a concatenation and a third copy.  The slides write the same thing with column vectors and the
concatenation ``W_? [a<t-1>, x<t>]``; :meth:`ZooCell.slide_weights` returns every weight in that
notation, ``W_? = [W_?a | W_?x]`` of shape ``(units, units + input_dim)``.
"""

import keras
import numpy as np
from keras import ops
# keras.layers.RNN makes the per-sequence dropout masks before its loop only for cells that
# inherit this mixin; it has no public name in Keras 3, so it is imported from its module.
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

from rnn_zoo import checks

PACKAGE = "rnn_zoo"


class ZooCell(DropoutRNNCell, keras.layers.Layer):
    """Base class of the zoo cells (the Keras cell contract plus the slide view of the weights).

    Subclasses set ``gates`` (the slide subscripts of the weight blocks, in storage order) and
    write ``call`` with the slide's names.  Arguments are those of the Keras built-in cells.
    """

    gates = ()

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = checks.positive_int("units", units)
        self.activation = keras.activations.get(activation)
        self.use_bias = checks.boolean("use_bias", use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = keras.regularizers.get(recurrent_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.recurrent_constraint = keras.constraints.get(recurrent_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)
        self.dropout = checks.rate("dropout", dropout)
        self.recurrent_dropout = checks.rate("recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.state_size = self.units
        self.output_size = self.units

    # ----------------------------------------------------------------------------- weights
    def bias_shape(self):
        return (len(self.gates) * self.units,)

    def bias_initial_value(self, shape, dtype=None):
        return self.bias_initializer(shape, dtype=dtype)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} expects inputs of shape (batch, features) with a known "
                f"number of features; received input_shape={tuple(input_shape)}"
            )
        width = len(self.gates) * self.units
        self.kernel = self.add_weight(
            shape=(input_shape[-1], width),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self.bias_shape(),
                name="bias",
                initializer=self.bias_initial_value,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.input_spec = keras.layers.InputSpec(ndim=2, axes={-1: input_shape[-1]})

    def slide_weights(self):
        r"""Every weight in the slides' notation, as NumPy arrays.

        For each gate subscript ``g`` (``self.gates``): ``W_g = [W_ga | W_gx]`` of shape
        ``(units, units + input_dim)``, its two halves ``W_ga`` (``units x units``, acting on
        ``a<t-1>``) and ``W_gx`` (``units x input_dim``, acting on ``x<t>``), and ``b_g``.
        """
        if not self.built:
            raise ValueError(f"{type(self).__name__} has no weights yet: build or call it first")
        kernel = ops.convert_to_numpy(self.kernel)
        recurrent = ops.convert_to_numpy(self.recurrent_kernel)
        biases = self.slide_biases()
        weights = {}
        for i, g in enumerate(self.gates):
            block = slice(i * self.units, (i + 1) * self.units)
            weights[f"W_{g}a"] = recurrent[:, block].T
            weights[f"W_{g}x"] = kernel[:, block].T
            weights[f"W_{g}"] = ops.convert_to_numpy(
                ops.concatenate([weights[f"W_{g}a"], weights[f"W_{g}x"]], axis=1)
            )
            weights.update({k: v for k, v in biases.items() if k.startswith(f"b_{g}")})
        return weights

    def slide_biases(self):
        """``{"b_g": vector}`` for each gate; zeros where ``use_bias=False``."""
        units = self.units
        if self.bias is None:
            return {f"b_{g}": np.zeros(units, self.dtype) for g in self.gates}
        bias = ops.convert_to_numpy(self.bias)
        return {f"b_{g}": bias[i * units : (i + 1) * units] for i, g in enumerate(self.gates)}

    # ------------------------------------------------------------------------------- steps
    def call(self, inputs, states, training=False):
        """The Keras cell contract: ``step`` on this step's input terms."""
        if training and self.dropout > 0:
            inputs = inputs * self.get_dropout_mask(inputs)
        return self.step(self.input_terms(inputs), states, training=training)

    def step(self, input_terms, states, training=False):
        """One time step from ``input_terms = W_?x x<t> + b_?``: the slide's equations."""
        raise NotImplementedError

    def input_terms(self, x):
        """``W_?x x<t> + b_?`` for every gate at once: one matmul.

        (Computing it for the whole sequence before the loop, as cuDNN does, was measured
        slower here on CPU, with and without XLA: ``bench/bench_layers.py``.)"""
        z = ops.matmul(x, self.kernel)
        bias = self.input_bias()
        return z if bias is None else ops.add(z, bias)  # a fused bias-add, as the built-ins

    def input_bias(self):
        return self.bias

    def recurrent_input(self, a_prev, training):
        """``a<t-1>`` as it enters the matmuls: with its dropout mask when training."""
        if training and self.recurrent_dropout > 0:
            return a_prev * self.get_recurrent_dropout_mask(a_prev)
        return a_prev

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [ops.zeros((batch_size, size), dtype=self.compute_dtype) for size in sizes]

    def get_config(self):
        ser = keras.saving.serialize_keras_object
        config = {
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": ser(self.kernel_initializer),
            "recurrent_initializer": ser(self.recurrent_initializer),
            "bias_initializer": ser(self.bias_initializer),
            "kernel_regularizer": ser(self.kernel_regularizer),
            "recurrent_regularizer": ser(self.recurrent_regularizer),
            "bias_regularizer": ser(self.bias_regularizer),
            "kernel_constraint": ser(self.kernel_constraint),
            "recurrent_constraint": ser(self.recurrent_constraint),
            "bias_constraint": ser(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}


class GatedCell(ZooCell):
    """A zoo cell with gates: adds ``recurrent_activation`` (σ on the slides)."""

    def __init__(self, units, recurrent_activation="sigmoid", **kwargs):
        super().__init__(units, **kwargs)
        self.recurrent_activation = keras.activations.get(recurrent_activation)

    def get_config(self):
        recurrent_activation = keras.activations.serialize(self.recurrent_activation)
        return {**super().get_config(), "recurrent_activation": recurrent_activation}


# Hyper-parameters of the wrapped cell that a zoo layer shows as its own read-only attributes,
# as the built-in layers do (``layer.units``, ``layer.dropout``, ...).
CELL_ATTRIBUTES = (
    "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
    "recurrent_initializer", "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
    "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
    "dropout", "recurrent_dropout", "seed", "reset_after", "unit_forget_bias",
)
# Keyword arguments that belong to the layer, not to its cell.
LAYER_ARGUMENTS = ("name", "trainable", "activity_regularizer", "input_shape", "batch_size")


class ZooRNN(keras.layers.RNN):
    """Base of the zoo layers: a ``keras.layers.RNN`` over a zoo cell, built like the built-ins.

    ``ZooRNN(units, return_sequences=..., ..., **cell_arguments)`` creates ``cell_class(units,
    **cell_arguments)``; ``get_config`` is the cell's configuration and the RNN's in one flat
    dictionary, so ``from_config(get_config())`` and ``keras.layers.Bidirectional`` work.
    """

    cell_class = None

    def __init__(
        self,
        units,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        layer_kwargs = {k: kwargs.pop(k) for k in LAYER_ARGUMENTS if k in kwargs}
        dtype = kwargs.pop("dtype", None)
        cell_name = checks.snake_case(self.cell_class.__name__)
        cell = self.cell_class(
            units,
            dtype=dtype,
            trainable=layer_kwargs.get("trainable", True),
            name=cell_name,
            **kwargs,
        )
        super().__init__(
            cell,
            return_sequences=checks.boolean("return_sequences", return_sequences),
            return_state=checks.boolean("return_state", return_state),
            go_backwards=checks.boolean("go_backwards", go_backwards),
            stateful=checks.boolean("stateful", stateful),
            unroll=checks.boolean("unroll", unroll),
            zero_output_for_mask=zero_output_for_mask,
            dtype=dtype,
            **layer_kwargs,
        )

    def build(self, sequences_shape, initial_state_shape=None):
        if len(sequences_shape) != 3:
            raise ValueError(
                "`inputs` must have shape (batch, time, features); "
                f"received shape {tuple(sequences_shape)}"
            )
        super().build(sequences_shape, initial_state_shape)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        checks.sequences(sequences, self.cell.kernel.shape[0])
        if initial_state is not None:
            initial_state = checks.initial_state(initial_state, self.state_size, sequences)
        if mask is not None:
            checks.mask(mask, sequences)
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)

    def get_config(self):
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        base_config = super().get_config()
        del base_config["cell"]
        return {**base_config, **cell_config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _cell_attribute(name):
    def get(self):
        return getattr(self.cell, name)

    return property(get, doc=f"The wrapped cell's ``{name}``.")


for _name in CELL_ATTRIBUTES:
    setattr(ZooRNN, _name, _cell_attribute(_name))
