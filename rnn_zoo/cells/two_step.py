r"""The manual two-step RNN of slide section 3 (seed 001), as a Keras layer."""

import keras
from keras import ops

from rnn_zoo import checks
from rnn_zoo.cells.base import PACKAGE

# The slide's own batches: 4 instances, 3 inputs, at t = 0 and t = 1.
X0_BATCH = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 0, 1]]
X1_BATCH = [[9, 8, 7], [0, 0, 0], [6, 5, 4], [3, 2, 1]]


@keras.saving.register_keras_serializable(package=PACKAGE)
class TwoStepRNN(keras.layers.Layer):
    r"""The slide's RNN of ``n_neurons`` tanh units unrolled by hand over two time steps.

    .. math::

        h_0 = \tanh(X_0 W_x + b)

        h_1 = \tanh(h_0 W_h + X_1 W_x + b)

    Weights (as on the slide; row-vector convention, batch first)::

        Wx  (n_inputs, n_neurons)    random normal, stddev 1, as on the slide
        Wh  (n_neurons, n_neurons)   random normal, stddev 1
        b   (1, n_neurons)           zeros

    ``Wx``/``Wh``/``b[0]`` are exactly a ``SimpleRNN``'s ``kernel``/``recurrent_kernel``/``bias``.
    Call it on ``[X0, X1]`` (two (batch, n_inputs) tensors); it returns ``[h0, h1]``.
    """

    def __init__(self, n_neurons, kernel_initializer=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.n_neurons = checks.positive_int("n_neurons", n_neurons)
        self.seed = seed
        self.kernel_initializer = keras.initializers.get(
            kernel_initializer or keras.initializers.RandomNormal(stddev=1.0, seed=seed)
        )

    def build(self, input_shape):
        shapes = list(input_shape) if isinstance(input_shape, (list, tuple)) else []
        if len(shapes) != 2 or any(len(s) != 2 for s in shapes) or shapes[0][-1] != shapes[1][-1]:
            raise ValueError(
                "`inputs` must be [X0, X1], two (batch, n_inputs) tensors with the same n_inputs;"
                f" received shapes {input_shape}"
            )
        n_inputs = shapes[0][-1]
        self.Wx = self.add_weight(shape=(n_inputs, self.n_neurons), name="Wx",
                                  initializer=self.kernel_initializer)
        self.Wh = self.add_weight(shape=(self.n_neurons, self.n_neurons), name="Wh",
                                  initializer=self.kernel_initializer)
        self.b = self.add_weight(shape=(1, self.n_neurons), name="b", initializer="zeros")

    def call(self, inputs):
        X0, X1 = inputs
        h0 = ops.tanh(ops.matmul(X0, self.Wx) + self.b)
        h1 = ops.tanh(ops.matmul(h0, self.Wh) + ops.matmul(X1, self.Wx) + self.b)
        return [h0, h1]

    def get_config(self):
        return {**super().get_config(), "n_neurons": self.n_neurons, "seed": self.seed,
                "kernel_initializer": keras.saving.serialize_keras_object(self.kernel_initializer)}
