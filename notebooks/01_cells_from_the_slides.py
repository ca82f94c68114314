# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Recurrent cells from the slides
#
# The lecture writes every recurrent cell as a handful of equations. `rnn_zoo` writes each cell
# as code that reads like those equations, and this notebook checks, number by number, that the
# code computes what the slides say and what Keras's built-in layers compute.
#
# 1. **The manual two-step RNN** of the TensorFlow slide, then the same numbers from a zoo
#    `SimpleRNN` and from `keras.layers.SimpleRNN`.
# 2. **The cells, equation by equation**: vanilla RNN, simplified GRU, full GRU, LSTM. For each,
#    the slide's equations, the cell's `step`, its weights in slide notation, and one step
#    recomputed in NumPy straight from the equations.
# 3. **Unrolling three ways**: the slide's Python `scan`, `tf.scan`, and `keras.layers.RNN`.
# 4. **The live check against Keras's built-ins**: outputs, states and gradients; why Keras's
#    GRU gate `z` is $1 - \Gamma_u$; what `reset_after` changes.
# 5. **Stacked and bidirectional** RNNs.
#
# **Running it.** The full run takes about 10 s on an idle 2-core CPU with no GPU (4 s of it
# importing TensorFlow; up to 20 s on a busy machine), plus a second or two to start the kernel;
# the last cell prints the time it took and how many checks passed. The test suite runs it with
# `RNN_ZOO_SMALL=1`, which only shortens the sequences of sections 3–5 (6 steps instead of 40).
# The `.py` file beside this notebook is the source; `python notebooks/run.py --write`
# re-executes it and stores this `.ipynb` with its outputs.
#
# **Notation** (as on the slides): $a^{\langle t \rangle}$ is the hidden state at step $t$,
# $x^{\langle t \rangle}$ the input, $[a, x]$ a concatenation, $\odot$ an element-wise product
# (`*` on most slides and in the code) and $\sigma$ the logistic sigmoid. The slides use column
# vectors ($W_{ax} x^{\langle t \rangle}$); Keras stores a batch as rows, so its `kernel` is
# $W_{ax}^\top$.

# %%
import time

from rnn_zoo.notebook import RESULTS, check, setup, show_source, small_mode

# check(name, actual, expected) asserts that two results agree to 1e-5 and records their largest
# |difference| in RESULTS (name -> difference), which the last cell sums up.

T = 6 if small_mode() else 40  # time steps in sections 3-5
START, SMALL = setup(note=f"T = {T}")  # TF log level, seed 0, print options; prints versions, T

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import rnn_zoo
from rnn_zoo.proof import numpy_steps
from rnn_zoo.proof.convert import flip_update_gate
from rnn_zoo.cells.two_step import X0_BATCH, X1_BATCH


def random_normal(seed, stddev=0.5):
    return keras.initializers.RandomNormal(stddev=stddev, seed=seed)


# %% [markdown]
# ## 1. The manual two-step RNN (slide section 3)
#
# The TensorFlow slide builds a layer of 5 tanh neurons over 3 inputs and unrolls it by hand over
# two time steps, on a batch of 4 instances:
#
# ```python
# X0_batch = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 0, 1]])  # t = 0
# X1_batch = np.array([[9, 8, 7], [0, 0, 0], [6, 5, 4], [3, 2, 1]])  # t = 1
# Wx = tf.Variable(tf.random_normal(shape=[n_inputs, n_neurons], dtype=tf.float32))
# Wh = tf.Variable(tf.random_normal(shape=[n_neurons, n_neurons], dtype=tf.float32))
# b = tf.Variable(tf.zeros([1, n_neurons], dtype=tf.float32))
# h0 = tf.tanh(tf.matmul(X0, Wx) + b)
# h1 = tf.tanh(tf.matmul(h0, Wh) + tf.matmul(X1, Wx) + b)
# ```
#
# $$h_0 = \tanh(X_0 W_x + b), \qquad h_1 = \tanh(h_0 W_h + X_1 W_x + b)$$
#
# `rnn_zoo.TwoStepRNN` is exactly this, as a Keras layer (weights drawn from a standard normal,
# seeded here so the numbers below are reproducible). The inputs are large (up to 9) and the
# weights have standard deviation 1, so many neurons saturate at $\pm 1$.

# %%
X0 = np.array(X0_BATCH, dtype="float32")  # (4 instances, 3 inputs), t = 0
X1 = np.array(X1_BATCH, dtype="float32")  # t = 1

two_step = rnn_zoo.TwoStepRNN(n_neurons=5, seed=42)
h0, h1 = two_step([X0, X1])
print("Wx", tuple(two_step.Wx.shape), " Wh", tuple(two_step.Wh.shape), " b", tuple(two_step.b.shape))
print("h0 =\n", h0.numpy())
print("h1 =\n", h1.numpy())

# %% [markdown]
# The slide's next listing runs the same computation with a cell unrolled over `n_steps = 2`
# (`BasicRNNCell` + `dynamic_rnn` in TensorFlow 1). In Keras that is a `SimpleRNN` layer over
# `X_batch` of shape `[4 instances, 2 steps, 3 inputs]`. A `SimpleRNN` computes
# $h_t = \tanh(x_t K + h_{t-1} R + b)$ with $K$ = `kernel`, $R$ = `recurrent_kernel` and
# $b$ = `bias`, so the slide's weights map one to one: `Wx → kernel`, `Wh → recurrent_kernel`,
# `b[0] → bias`. We copy them into a zoo `SimpleRNN` and into the built-in one.

# %%
X_batch = np.stack([X0, X1], axis=1)  # [4 instances, 2 steps, 3 inputs]
slide_weights = [two_step.Wx.numpy(), two_step.Wh.numpy(), two_step.b.numpy()[0]]

zoo_rnn = rnn_zoo.SimpleRNN(5, return_sequences=True)
builtin_rnn = keras.layers.SimpleRNN(5, return_sequences=True)
for layer in (zoo_rnn, builtin_rnn):
    layer.build(X_batch.shape)
    layer.set_weights(slide_weights)  # kernel, recurrent_kernel, bias

outputs_zoo = zoo_rnn(X_batch).numpy()        # (4, 2, 5): outputs at t = 0 and t = 1
outputs_builtin = builtin_rnn(X_batch).numpy()
print("X_batch", X_batch.shape, "-> outputs", outputs_zoo.shape)
print("zoo SimpleRNN, t = 1 =\n", outputs_zoo[:, 1])
check("two-step: zoo SimpleRNN vs [h0, h1]", outputs_zoo, np.stack([h0, h1], axis=1))
check("two-step: keras.layers.SimpleRNN vs [h0, h1]", outputs_builtin, np.stack([h0, h1], axis=1))

# %% [markdown]
# ## 2. The cells, equation by equation
#
# Every zoo cell follows the Keras cell contract, `call(inputs, states) -> (output, new_states)`,
# and stores its weights the way the fast built-ins do: one `kernel` (the $W_{?x}$ blocks,
# transposed) and one `recurrent_kernel` (the $W_{?a}$ blocks, transposed) with the gates side
# by side, and a `bias`. `cell.slide_weights()` gives them back in the slides' notation: for each
# gate subscript $g$ in `cell.gates`, $W_g = [W_{ga} \mid W_{gx}]$ of shape
# `(units, units + input_dim)` and $b_g$.
#
# Every zoo cell's `call` (the Keras cell contract) computes the input terms
# $W_{?x} x^{\langle t \rangle} + b_?$ of all gates with one matmul and hands them to `step`, which
# holds the slide's equations. For each cell we print its `step`, its weights in slide notation,
# and then recompute one step
# in NumPy directly from the slide's equations (column vectors, $W_g [a, x] + b_g$) and compare.
# Small shapes throughout: 3 units, 2 inputs, a batch of 4. The biases are drawn at random too,
# since zero or constant weights cannot tell one gate from another.

# %%
UNITS, INPUT_DIM, BATCH = 3, 2, 4
rng = np.random.default_rng(0)


sigma = numpy_steps.sigmoid


def make_cell(cell_class, **kwargs):
    cell = cell_class(UNITS, kernel_initializer=random_normal(1), recurrent_initializer=random_normal(2),
                      **kwargs)
    cell.build((None, INPUT_DIM))
    cell.bias.assign(rng.normal(scale=0.5, size=cell.bias.shape))  # a different random b_g per gate
    return cell


def print_slide_weights(cell):
    """Each W_g = [W_ga | W_gx] row by row, with b_g beside it."""
    weights = cell.slide_weights()
    for g in cell.gates:
        W_ga, W_gx, b_g = weights[f"W_{g}a"], weights[f"W_{g}x"], weights[f"b_{g}"]
        print(f"W_{g} = [W_{g}a | W_{g}x]  {weights[f'W_{g}'].shape} = {W_ga.shape} | {W_gx.shape}"
              f"      b_{g} {b_g.shape}")
        for i in range(cell.units):
            print("   ", np.array2string(W_ga[i]), "|", np.array2string(W_gx[i]), "    ", f"{b_g[i]: .4f}")


def check_one_step(cell):
    """One step of ``cell.call`` (rows = batch) against the slide equations in NumPy
    (``rnn_zoo.proof.numpy_steps``, column vectors, one example at a time), shown first."""
    slide_step = numpy_steps.step_for(cell)
    show_source(slide_step)
    x = rng.normal(size=(BATCH, INPUT_DIM)).astype("float32")
    states = [rng.normal(size=(BATCH, n)).astype("float32") for n in np.atleast_1d(cell.state_size)]
    _, new_states = cell.call(x, states)
    weights = {k: v.astype(np.float64) for k, v in cell.slide_weights().items()}
    expected = [slide_step(weights, [s[b] for s in states], x[b]) for b in range(BATCH)]
    check(f"one step: {type(cell).__name__}.call vs slide equations", [s.numpy() for s in new_states],
          [np.stack([e[i] for e in expected]) for i in range(len(states))])


# %% [markdown]
# ### 2.1 The vanilla RNN cell (slide section 2)
#
# $$a^{\langle t \rangle} = g(W_{aa}\, a^{\langle t-1 \rangle} + W_{ax}\, x^{\langle t \rangle} + b_a)
#   = g(W_a [a^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_a),
#   \qquad W_a = [W_{aa} \mid W_{ax}]$$
#
# with $g = \tanh$ (or ReLU). The output $\hat y^{\langle t \rangle} = g(W_{ya} a^{\langle t \rangle} + b_y)$
# is a `Dense` layer on top of the cell. Keras: `kernel` $= W_{ax}^\top$,
# `recurrent_kernel` $= W_{aa}^\top$, `bias` $= b_a$.

# %%
show_source(rnn_zoo.SimpleRNNCell.step)

# %%
cell = make_cell(rnn_zoo.SimpleRNNCell)
print_slide_weights(cell)
check_one_step(cell)

# %% [markdown]
# ### 2.2 The simplified GRU (slide section 6)
#
# The memory cell $c$ is the hidden state ($a^{\langle t \rangle} = c^{\langle t \rangle}$), and one
# *update gate* $\Gamma_u$ decides how much of it to overwrite:
#
# $$\tilde c^{\langle t \rangle} = \tanh(W_c [c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_c)$$
# $$\Gamma_u = \sigma(W_u [c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_u)$$
# $$c^{\langle t \rangle} = \Gamma_u \odot \tilde c^{\langle t \rangle} + (1 - \Gamma_u) \odot c^{\langle t-1 \rangle}$$
#
# Why it helps: through the direct path, $\partial c^{\langle t \rangle} / \partial c^{\langle t-1 \rangle} = 1 - \Gamma_u$,
# so where $\Gamma_u \approx 0$ the memory, and its gradient, pass through unchanged.
# Gate blocks are stored in the order `(u, c)`. Keras has no simplified GRU; `to_keras` writes it as
# a full GRU whose relevance gate is exactly 1 (section 4).

# %%
show_source(rnn_zoo.SimplifiedGRUCell.gate_activations, rnn_zoo.SimplifiedGRUCell.step)

# %%
cell = make_cell(rnn_zoo.SimplifiedGRUCell)
print_slide_weights(cell)
check_one_step(cell)

# %% [markdown]
# ### 2.3 The full GRU (slide section 6)
#
# The full GRU adds a *relevance gate* $\Gamma_r$ that decides how much of $c^{\langle t-1 \rangle}$
# the candidate sees:
#
# $$\tilde c^{\langle t \rangle} = \tanh(W_c [\Gamma_r \odot c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_c)$$
# $$\Gamma_u = \sigma(W_u [c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_u), \qquad
#   \Gamma_r = \sigma(W_r [c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_r)$$
# $$c^{\langle t \rangle} = \Gamma_u \odot \tilde c^{\langle t \rangle} + (1 - \Gamma_u) \odot c^{\langle t-1 \rangle}$$
#
# Gate blocks are stored in the order `(u, r, c)`. `GRUCell(reset_after=False)`, the default, is
# the slides' GRU; `reset_after=True` is the variant Keras uses by default (section 4.2).

# %%
show_source(rnn_zoo.GRUCell.gate_activations, rnn_zoo.GRUCell.step)

# %%
cell = make_cell(rnn_zoo.GRUCell)
print_slide_weights(cell)
check_one_step(cell)

# %% [markdown]
# ### 2.4 The LSTM (slide section 7)
#
# Andrew Ng's form: the state is split in two, the hidden state $a$ (short-term) and the memory
# cell $c$ (long-term), with separate update (input), forget and output gates:
#
# $$\tilde c^{\langle t \rangle} = \tanh(W_c [a^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_c)$$
# $$\Gamma_u = \sigma(W_u [a^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_u), \quad
#   \Gamma_f = \sigma(W_f [a^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_f), \quad
#   \Gamma_o = \sigma(W_o [a^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_o)$$
# $$c^{\langle t \rangle} = \Gamma_u \odot \tilde c^{\langle t \rangle} + \Gamma_f \odot c^{\langle t-1 \rangle}, \qquad
#   a^{\langle t \rangle} = \Gamma_o \odot \tanh(c^{\langle t \rangle})$$
#
# The states are `[a, c]` (Keras: `[h, c]`). Gate blocks are stored in the order `(u, f, c, o)`,
# which is Keras's `(i, f, c, o)`, so the weights convert to and from `keras.layers.LSTM`
# unchanged. As in Keras, `unit_forget_bias=True` starts $b_f$ at 1 so that the cell remembers by
# default (here the biases are overwritten with random values, as for the other cells).

# %%
show_source(rnn_zoo.LSTMCell.gate_activations, rnn_zoo.LSTMCell.step)

# %%
cell = make_cell(rnn_zoo.LSTMCell)
print_slide_weights(cell)
check_one_step(cell)

# %% [markdown]
# ## 3. Unrolling three ways (slide section 4)
#
# A cell computes one step; an RNN layer *unrolls* it over the sequence. The slides write the
# loop as a plain Python `scan`, which `rnn_zoo.cells.scan.scan` keeps verbatim:

# %%
from rnn_zoo.cells.scan import scan

show_source(scan)

# %% [markdown]
# `tf.scan` does the same inside a TensorFlow graph, which is what frameworks need to run the loop
# efficiently (and on GPUs); `rnn_zoo.scan_rnn(cell, inputs)` drives any cell with it. Keras's own
# `keras.layers.RNN(cell)` is the third way. Each of the four cells (default initial weights, random
# biases) runs all three ways over a batch of 4 sequences of `T` steps. The slide's `scan` walks the
# sequence one step at a time, so it gets the inputs time-major, `(T, batch, features)`; the other
# two take Keras's batch-major `(batch, T, features)`.

# %%
CELLS = [rnn_zoo.SimpleRNNCell, rnn_zoo.SimplifiedGRUCell, rnn_zoo.GRUCell, rnn_zoo.LSTMCell]
B, D, U = 4, 3, 5
# Inputs: slow sine waves of random phase (one frequency per feature), plus a little noise.
phase = rng.uniform(0, 2 * np.pi, size=(B, 1, D))
X = np.sin(0.25 * np.arange(T)[None, :, None] * np.arange(1, D + 1) + phase)
X = (X + 0.1 * rng.normal(size=X.shape)).astype("float32")  # (batch, T, features)
unrolled = {}
for cell_class in CELLS:
    cell = cell_class(U, bias_initializer=random_normal(3))
    cell.build((None, D))

    # 1. the slide's Python scan over cell.call, time-major
    ys, last_states = scan(lambda x, states: cell.call(x, states), np.swapaxes(X, 0, 1),
                           initializer=cell.get_initial_state(batch_size=B))
    outputs_scan = np.stack([y.numpy() for y in ys], axis=1)

    # 2. tf.scan
    outputs_tf_scan, states_tf_scan = rnn_zoo.scan_rnn(cell, X)

    # 3. keras.layers.RNN
    outputs_rnn, *states_rnn = keras.layers.RNN(cell, return_sequences=True, return_state=True)(X)

    name = cell_class.__name__
    check(f"unroll {name}: tf.scan vs Python scan", outputs_tf_scan, outputs_scan)
    check(f"unroll {name}: keras.layers.RNN vs Python scan", outputs_rnn, outputs_scan)
    check(f"unroll {name}: final states, RNN vs tf.scan", states_rnn, states_tf_scan)
    check(f"unroll {name}: final states, RNN vs Python scan", states_rnn, last_states)
    unrolled[name] = (outputs_scan, outputs_tf_scan.numpy(), outputs_rnn.numpy())

# %%
fig, axes = plt.subplots(1, len(CELLS), figsize=(15, 3), sharey=True)
steps = np.arange(T)
for ax, (name, (by_scan, by_tf_scan, by_rnn)) in zip(axes, unrolled.items()):
    for unit, color in zip(range(3), ["C0", "C1", "C2"]):
        ax.plot(steps, by_scan[0, :, unit], "-", color=color, lw=2.5, alpha=0.4,
                label="Python scan" if unit == 0 else None)
        ax.plot(steps, by_tf_scan[0, :, unit], "o", color=color, ms=4, mfc="none",
                label="tf.scan" if unit == 0 else None)
        ax.plot(steps, by_rnn[0, :, unit], "x", color=color, ms=4,
                label="keras.layers.RNN" if unit == 0 else None)
    ax.set_title(name)
    ax.set_xlabel("t")
axes[0].set_ylabel("$a^{<t>}$, units 0-2 of sequence 0")
fig.legend(*axes[0].get_legend_handles_labels(), loc="upper right", ncol=3, fontsize=8)
fig.suptitle("The same cell unrolled three ways: the curves coincide")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 4. The live check against Keras's built-ins
#
# We now start from Keras's built-in layers, give them seeded random weights (biases included),
# convert each with `rnn_zoo.from_keras`, and compare on the same inputs: every output step, the
# final states, and the gradients of a loss with respect to the inputs and to every weight. Then
# `rnn_zoo.to_keras` converts the zoo layer back, and we check that it gives back the very same
# weights and configuration.
#
# For the GRU, the zoo's update-gate weights are the *negated* Keras `z` weights (section 4.1),
# so the zoo's gradient for that block is the negated Keras gradient too;
# `rnn_zoo.proof.convert.flip_update_gate` negates that block, and serves both directions.

# %%
def builtin_layer(layer_class, **kwargs):
    layer = layer_class(U, return_sequences=True, return_state=True, kernel_initializer=random_normal(1),
                        recurrent_initializer=random_normal(2), bias_initializer=random_normal(3), **kwargs)
    layer.build((None, T, D))
    return layer


def run_with_gradients(layer, inputs, targets):
    """Outputs, final states and d(loss)/d(inputs, weights) for a fixed random linear loss."""
    inputs = tf.constant(inputs)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs, *states = layer(inputs)
        loss = sum(tf.reduce_sum(value * target) for value, target in zip([outputs, *states], targets))
    gradients = tape.gradient(loss, [inputs, *layer.trainable_weights])
    return outputs.numpy(), [s.numpy() for s in states], [g.numpy() for g in gradients]


BUILTINS = [
    ("SimpleRNN", keras.layers.SimpleRNN, {}),
    ("GRU(reset_after=True)", keras.layers.GRU, {"reset_after": True}),
    ("GRU(reset_after=False)", keras.layers.GRU, {"reset_after": False}),
    ("LSTM", keras.layers.LSTM, {}),
]
for name, layer_class, kwargs in BUILTINS:
    builtin = builtin_layer(layer_class, **kwargs)
    zoo = rnn_zoo.from_keras(builtin)
    print(f"{name}: from_keras -> rnn_zoo.{type(zoo).__name__}"
          + (f"(reset_after={zoo.reset_after})" if layer_class is keras.layers.GRU else ""))

    n_states = 2 if layer_class is keras.layers.LSTM else 1
    targets = [rng.normal(size=(B, T, U))] + [rng.normal(size=(B, U)) for _ in range(n_states)]
    targets = [t.astype("float32") for t in targets]
    out_k, states_k, grads_k = run_with_gradients(builtin, X, targets)
    out_z, states_z, grads_z = run_with_gradients(zoo, X, targets)
    if layer_class is keras.layers.GRU:  # d/du = -d/dz on the update-gate block
        grads_k = [grads_k[0]] + [flip_update_gate(g, U) for g in grads_k[1:]]

    check(f"{name}: outputs", out_z, out_k)
    check(f"{name}: final states", states_z, states_k)
    check(f"{name}: gradients wrt inputs, weights", grads_z, grads_k)

    back = rnn_zoo.to_keras(zoo)
    assert type(back) is layer_class and back.get_config() == builtin.get_config()
    check(f"{name}: to_keras round trip, weights", back.get_weights(), builtin.get_weights(),
          atol=0, rtol=0)

# %% [markdown]
# ### 4.1 Why Keras's $z$ is $1 - \Gamma_u$
#
# The slides and Keras write the GRU's last line with the gate on opposite terms:
#
# $$\text{slides:}\quad c^{\langle t \rangle} = \Gamma_u \odot \tilde c^{\langle t \rangle} + (1 - \Gamma_u) \odot c^{\langle t-1 \rangle}
#   \qquad\qquad
#   \text{Keras:}\quad h_t = z \odot h_{t-1} + (1 - z) \odot \tilde h_t$$
#
# so the same layer has $z = 1 - \Gamma_u$. Both gates are sigmoids of an affine function of
# $[c^{\langle t-1 \rangle}, x^{\langle t \rangle}]$, and since $\sigma(-v) = 1 - \sigma(v)$,
#
# $$1 - \Gamma_u = 1 - \sigma(W_u [c, x] + b_u) = \sigma(-W_u [c, x] - b_u),$$
#
# which is a `z` gate with weights $-W_u$ and bias $-b_u$. The converter therefore negates the
# update-gate block of the kernel, the recurrent kernel and the bias, and nothing else. This only
# works because $\sigma(-v) = 1 - \sigma(v)$ holds for the sigmoid (and `hard_sigmoid`); a GRU with
# another `recurrent_activation` cannot be converted, and `from_keras` says so.

# %%
v = np.linspace(-6, 6, 13)
check("sigmoid(-v) = 1 - sigmoid(v)", sigma(-v), 1 - sigma(v))

builtin = builtin_layer(keras.layers.GRU, reset_after=False)
zoo = rnn_zoo.from_keras(builtin)
z_block = builtin.cell.kernel.numpy()[:, :U]       # Keras blocks (z, r, h)
u_block = zoo.cell.kernel.numpy()[:, :U]           # zoo blocks (u, r, c)
print("Keras kernel, z block, row 0:", z_block[0])
print("zoo kernel,   u block, row 0:", u_block[0])
check("zoo u block = -(Keras z block), kernel", u_block, -z_block, atol=0, rtol=0)
check("zoo r, c blocks = Keras r, h blocks, kernel", zoo.cell.kernel.numpy()[:, U:],
      builtin.cell.kernel.numpy()[:, U:], atol=0, rtol=0)

# The gates themselves, at the first step (c<0> = 0): Γ_u from the zoo's weights, 1 - z from Keras's.
x0, c0 = X[:, 0], np.zeros((B, U), "float32")
W = zoo.cell.slide_weights()
update_gate = sigma(W["W_u"] @ np.vstack([c0.T, x0.T]) + W["b_u"][:, None]).T
keras_z = sigma(x0 @ builtin.cell.kernel.numpy()[:, :U] + builtin.cell.bias.numpy()[:U])
check("Γ_u (zoo) = 1 - z (Keras) at t = 0", update_gate, 1 - keras_z)

# %% [markdown]
# ### 4.2 What `reset_after` changes
#
# The slides apply the relevance (reset) gate to the previous state *before* the recurrent matmul.
# Keras's default, `reset_after=True` (also cuDNN's and PyTorch's GRU), applies it *after* the
# matmul, and keeps a second bias row $b'_c$ for the recurrent part so that the gate multiplies it
# too:
#
# `reset_after=False` (the slides):
# $$\tilde c^{\langle t \rangle} = \tanh\big(W_{cx} x^{\langle t \rangle} + W_{ca} (\Gamma_r \odot c^{\langle t-1 \rangle}) + b_c\big)$$
# `reset_after=True` (Keras's default):
# $$\tilde c^{\langle t \rangle} = \tanh\big(W_{cx} x^{\langle t \rangle} + b_c + \Gamma_r \odot (W_{ca}\, c^{\langle t-1 \rangle} + b'_c)\big)$$
#
# With `reset_after=True` the bias has shape `(2, 3 * units)`: an input row and a recurrent row.
# $b_u$ and $b_r$ appear only as the sum of their two rows (that is what `slide_weights()` returns),
# $b_c$ and $b'_c$ stay separate.
#
# These are two different functions. Below, two zoo GRUs share the same `kernel`,
# `recurrent_kernel` and bias (the second row, $b'_c$ included, set to zero): the outputs differ,
# and each one matches its own built-in (`to_keras`) to float32 rounding. They agree only at the first step, where
# $c^{\langle 0 \rangle} = 0$ makes both recurrent terms vanish.
# `rnn_zoo.GRU` defaults to the slides' `reset_after=False`; `keras.layers.GRU` defaults to `True`,
# and `from_keras` keeps whichever the layer has.

# %%
kernel = rng.normal(scale=0.5, size=(D, 3 * U)).astype("float32")
recurrent_kernel = rng.normal(scale=0.5, size=(U, 3 * U)).astype("float32")
bias = rng.normal(scale=0.5, size=(3 * U,)).astype("float32")

reset_before = rnn_zoo.GRU(U, return_sequences=True, reset_after=False)
reset_after = rnn_zoo.GRU(U, return_sequences=True, reset_after=True)
reset_before.build(X.shape)
reset_after.build(X.shape)
reset_before.set_weights([kernel, recurrent_kernel, bias])
reset_after.set_weights([kernel, recurrent_kernel, np.stack([bias, np.zeros_like(bias)])])
print("bias shapes:", reset_before.cell.bias.shape, "(reset_after=False),",
      reset_after.cell.bias.shape, "(reset_after=True)")

out_before, out_after = reset_before(X).numpy(), reset_after(X).numpy()
builtin_before, builtin_after = rnn_zoo.to_keras(reset_before), rnn_zoo.to_keras(reset_after)
out_builtin_before, out_builtin_after = builtin_before(X).numpy(), builtin_after(X).numpy()
gap = np.abs(out_before - out_after).max(axis=(0, 2))  # per time step
print(f"reset_after=True vs False, same weights: max |diff| = {gap.max():.3f} "
      f"(step 0: {gap[0]:.1e}, from step 1 on: {gap[1:].min():.3f} to {gap[1:].max():.3f})")
assert gap[0] == 0 and gap[1:].min() > 1e-3

assert (builtin_before.reset_after, builtin_after.reset_after) == (False, True)
check("zoo GRU(reset_after=False) vs keras.layers.GRU(False)", out_before, out_builtin_before)
check("zoo GRU(reset_after=True) vs keras.layers.GRU(True)", out_after, out_builtin_after)

# The simplified GRU becomes a built-in GRU whose relevance gate is exactly 1.
simplified = rnn_zoo.SimplifiedGRU(U, return_sequences=True, bias_initializer=random_normal(3))
out_simplified = simplified(X).numpy()
as_builtin = rnn_zoo.to_keras(simplified)
print("to_keras(SimplifiedGRU):", type(as_builtin).__name__, f"reset_after={as_builtin.reset_after},",
      "relevance bias =", as_builtin.cell.bias.numpy()[U:U + 3], "...")
check("zoo SimplifiedGRU vs keras.layers.GRU with Γ_r = 1", out_simplified, as_builtin(X).numpy())

# %%
fig, (ax, ax_gap) = plt.subplots(1, 2, figsize=(13, 3.5))
for unit, color in zip(range(2), ["C0", "C3"]):
    ax.plot(steps, out_before[0, :, unit], "-", color=color, label=f"reset_after=False, unit {unit}")
    ax.plot(steps, out_after[0, :, unit], "--", color=color, label=f"reset_after=True, unit {unit}")
    ax.plot(steps, out_builtin_before[0, :, unit], "o", color=color, ms=3, mfc="none")
    ax.plot(steps, out_builtin_after[0, :, unit], "x", color=color, ms=3)
ax.set_xlabel("t")
ax.set_ylabel("$c^{<t>}$ of sequence 0")
ax.set_title("Same weights, two GRUs (markers: Keras built-ins)")
ax.legend(fontsize=7, ncol=2)
ax_gap.plot(steps, gap, "k.-")
ax_gap.set_ylim(bottom=0)
ax_gap.set_xlabel("t")
ax_gap.set_ylabel("max |difference| over the batch")
ax_gap.set_title("reset_after=True vs reset_after=False, per step")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 5. Stacked and bidirectional RNNs (slide section 8)
#
# A deep RNN feeds the output sequence of one layer to the next,
#
# $$h^{[l]\langle t \rangle} = f^{[l]}\big(W_h^{[l]} [h^{[l]\langle t-1 \rangle}, a^{[l-1]\langle t \rangle}] + b_h^{[l]}\big),$$
#
# and a bidirectional RNN runs one RNN forward and one backward over the sequence and predicts from
# both, $\hat y^{\langle t \rangle} = g(W_y [\overrightarrow{h}^{\langle t \rangle}, \overleftarrow{h}^{\langle t \rangle}] + b_y)$,
# so that whether "Teddy" is a name can depend on the words after it.
#
# Because the zoo cells and layers follow the Keras contracts, Keras's own wrappers drive them:
# `keras.layers.Bidirectional(rnn_zoo.LSTM(...))` and `keras.layers.StackedRNNCells([...])`.
#
# **Bidirectional.** The forward half of the output is the forward LSTM; the backward half is the
# backward LSTM run from the last step to the first, then put back in time order.

# %%
bidirectional = keras.layers.Bidirectional(rnn_zoo.LSTM(U, return_sequences=True))
out_bi = bidirectional(X).numpy()
print("Bidirectional(rnn_zoo.LSTM(5)) on", X.shape, "->", out_bi.shape, "= [forward a<t>, backward a<t>]")
forward_cell = bidirectional.forward_layer.cell
backward_cell = bidirectional.backward_layer.cell
forward, _ = rnn_zoo.scan_rnn(forward_cell, X)
backward, _ = rnn_zoo.scan_rnn(backward_cell, X, go_backwards=True)  # steps T-1, ..., 0
check("bidirectional, forward half vs tf.scan", out_bi[..., :U], forward)
check("bidirectional, backward half vs tf.scan backwards", out_bi[..., U:], backward.numpy()[:, ::-1])
as_builtin = rnn_zoo.to_keras(bidirectional)
assert type(as_builtin.forward_layer) is type(as_builtin.backward_layer) is keras.layers.LSTM
print("to_keras: keras.layers.Bidirectional of keras.layers.LSTM")
check("bidirectional, zoo vs to_keras built-in", out_bi, as_builtin(X).numpy())

# %% [markdown]
# **Stacked.** The slide's multi-layer RNN is a `MultiRNNCell` of ReLU cells over `X_batch`, with the
# final states of every layer concatenated and fed to a dense layer of logits. With zoo cells that is
# `keras.layers.StackedRNNCells`; layer by layer with `tf.scan` gives the same numbers. Zoo cells of
# different kinds stack as well (here a GRU under an LSTM), and convert to built-in stacks.

# %%
n_layers, n_neurons, n_outputs = 3, 5, 2
layers = [rnn_zoo.SimpleRNNCell(n_neurons, activation="relu") for _ in range(n_layers)]
multi_layer = keras.layers.RNN(keras.layers.StackedRNNCells(layers), return_state=True)
last_output, *states = multi_layer(X_batch)  # one list of states per layer
states_concat = tf.concat([s[0] for s in states], axis=1)
logits = keras.layers.Dense(n_outputs)(states_concat)
print("X_batch", X_batch.shape, "-> states of", n_layers, "layers", [tuple(s[0].shape) for s in states],
      "-> states_concat", tuple(states_concat.shape), "-> logits", tuple(logits.shape))

sequence = X_batch
for depth, layer_cell in enumerate(layers):  # one layer at a time: its output sequence feeds the next
    sequence, (state,) = rnn_zoo.scan_rnn(layer_cell, sequence)
    check(f"stacked ReLU RNN, layer {depth} state vs tf.scan layer by layer", states[depth][0], state)

stack = keras.layers.RNN(keras.layers.StackedRNNCells([rnn_zoo.GRUCell(8), rnn_zoo.LSTMCell(U)]),
                         return_sequences=True)
out_stack = stack(X).numpy()
as_builtin = rnn_zoo.to_keras(stack)
print("to_keras:", [f"keras.layers.{type(c).__name__}" for c in as_builtin.cell.cells])
check("stacked GRU -> LSTM, zoo vs to_keras built-in", out_stack, as_builtin(X).numpy())

# %% [markdown]
# ## All the checks at a glance
#
# Every comparison above, with the largest absolute difference it found. The same operations in the
# same order give exactly 0: the three ways of unrolling, SimpleRNN against its built-in, the
# bidirectional LSTM's halves and the stacked ReLU RNN. The NumPy recomputations, the LSTM (the zoo
# adds the bias before the recurrent term, Keras after it) and the GRU conversions (which compute
# $\sigma(-v)$ where Keras computes $1 - \sigma(v)$) agree to float32 rounding: about
# $10^{-7}$ for values and $10^{-6}$ for gradients summed over 40 steps, inside the
# `atol = rtol = 1e-5` every check asserts.

# %%
width = max(map(len, RESULTS))
for name, diff in RESULTS.items():
    print(f"{name:<{width}}  {diff:.1e}")
print(f"\n{len(RESULTS)} checks passed, largest difference {max(RESULTS.values()):.1e}; "
      f"T = {T}, small mode: {SMALL}; run time {time.perf_counter() - START:.1f} s")

# %% [markdown]
# ## Summary
#
# * **The manual two-step RNN** of the TensorFlow slide (slide section 3) is `rnn_zoo.TwoStepRNN`.
#   Copied into a zoo `SimpleRNN` and into `keras.layers.SimpleRNN`, the slide's `Wx`, `Wh` and `b`
#   give the very same $h_0$ and $h_1$ (difference 0).
# * **Each cell's `step` is its slide's equations** (sections 2, 6 and 7): the vanilla RNN, the
#   simplified GRU, the full GRU and the LSTM, each recomputed for one step in NumPy with column
#   vectors and $W_g [a, x] + b_g$, agree to float32 rounding (at most $1.8 \times 10^{-7}$). Every
#   weight and bias is random, because constant ones cannot tell one gate from another.
# * **Unrolling** with the slide's Python `scan`, with `tf.scan` and with `keras.layers.RNN`
#   (section 4) gives identical outputs and final states.
# * **Against Keras's built-ins**, every zoo layer's outputs, final states and gradients agree
#   within `atol = rtol = 1e-5`. The largest difference is $8.6 \times 10^{-6}$, for the LSTM's
#   gradients summed over 40 steps. `to_keras` gives back the very same weights.
# * **Keras's GRU gate is $z = 1 - \Gamma_u$.** Since $\sigma(-v) = 1 - \sigma(v)$, the converter
#   negates the update-gate block and nothing else. `reset_after=True` (Keras's default) is a
#   different function: with the same weights the two GRUs agree only at the first step, then
#   differ by up to 0.235.
# * **Stacked and bidirectional** RNNs (section 8) are Keras's own wrappers around zoo cells, and
#   each half of a bidirectional LSTM equals a `tf.scan` run forwards or backwards.
# * All 52 checks of the full run passed.

# %% [markdown]
# ## Exercises
#
# 1. **Predict, then run.** Give a `GRUCell` constant weights (every entry of `kernel`,
#    `recurrent_kernel` and `bias` 0.1, say), and a second one with the $\Gamma_u$ and $\Gamma_r$
#    blocks exchanged. Before you run them: do the two give the same outputs? Why do this notebook
#    and `rnn_zoo.grading` draw every weight *and every bias* at random?
# 2. **Change a bias, watch the first step.** In section 4.2 the second bias row $b'_c$ of the
#    `reset_after=True` GRU is zero, and the two GRUs agree at step 0. Predict what happens at
#    step 0 when you fill $b'_c$ with random values instead, then try it. (Hint: write
#    $\tilde c^{\langle 1 \rangle}$ for both variants with $c^{\langle 0 \rangle} = 0$.)
# 3. **The carry path, on paper.** For the GRU,
#    $\partial c^{\langle t \rangle} / \partial c^{\langle t-1 \rangle} = 1 - \Gamma_u$ through
#    the direct path. Which gate plays that role in the LSTM? Which bias would you raise so that an
#    LSTM remembers by default, and to what does `unit_forget_bias=True` start it?
# 4. **Fix the planted mistake.** The first cell below defines `MySimplifiedGRUCell`, a student's
#    simplified GRU in slide notation: weights `W_u`, `W_c` of shape `(units, units + input_dim)`
#    and biases `b_u`, `b_c` of shape `(units,)`. One line of its `call` is wrong. Read the
#    grader's message, fix the line, and run the cell again until
#    `check_cell(MySimplifiedGRUCell, "simplified_gru")` says *correct*.
# 5. **The full GRU and the LSTM as Keras cells.** Add a relevance gate (`W_r`, `b_r`) to your
#    fixed cell to get the slides' full GRU, and check it with `check_cell(MyGRUCell, "gru")`.
#    Then write the LSTM (`W_u`, `W_f`, `W_c`, `W_o` and their biases;
#    `state_size = [units, units]`, states `[a, c]`) and check it with
#    `check_cell(MyLSTMCell, "lstm")`. The grader also accepts Keras's layout (`kernel`,
#    `recurrent_kernel`, `bias`, with the gate blocks in the zoo's order).
# 6. **The slides in NumPy.** Write `two_step_forward(X0, X1, Wx, Wh, b)`, the TensorFlow slide's
#    two steps with one row per instance, returning `(h0, h1)`, and check it with
#    `check_function(two_step_forward, "two_step_forward")`. Then write
#    `lstm_cell_forward(xt, a_prev, c_prev, parameters)` in the course's conventions: column
#    batches, `Wf, bf, Wi, bi, Wc, bc, Wo, bo, Wy, by` with each $W$ acting on
#    $[a^{\langle t-1 \rangle}; x^{\langle t \rangle}]$, biases of shape `(n_a, 1)`, returning
#    `a_next, c_next, yt_pred, cache`. Check it with
#    `check_function(lstm_cell_forward, "lstm_cell_forward")`.
#
# **Checking an answer.** `from rnn_zoo.grading import check_cell, check_function` grades a
# Keras cell or a NumPy function against the slides' equations with random weights and biases.
# `print(report)` says which equation differs, `report.passed` is True or False, and
# `report.mistakes` lists the known mistakes that fit (their keys are in
# `rnn_zoo.grading.CATALOGUE`). Below, the grader on the zoo's own simplified GRU and on the
# student's cell of exercise 4; then on the reference `rnn_zoo.functional.two_step_forward` and on
# a student's version with a mistake.

# %%
import keras
from keras import ops

import rnn_zoo
from rnn_zoo.grading import check_cell


class MySimplifiedGRUCell(keras.layers.Layer):
    """A student's simplified GRU in slide notation, with one mistake planted in `call`."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        shape = (self.units, self.units + input_shape[-1])   # W_g = [W_gc | W_gx]
        self.W_u = self.add_weight(name="W_u", shape=shape)
        self.b_u = self.add_weight(name="b_u", shape=(self.units,), initializer="zeros")
        self.W_c = self.add_weight(name="W_c", shape=shape)
        self.b_c = self.add_weight(name="b_c", shape=(self.units,), initializer="zeros")

    def call(self, x, states):
        c_prev = states[0]
        concat = ops.concatenate([c_prev, x], axis=-1)      # [c<t-1>, x<t>], one row per example
        candidate = ops.tanh(ops.matmul(concat, ops.transpose(self.W_c)) + self.b_c)
        update_gate = ops.sigmoid(ops.matmul(concat, ops.transpose(self.W_u)) + self.b_u)
        c = (1 - update_gate) * candidate + update_gate * c_prev   # the planted mistake
        return c, [c]


print(check_cell(rnn_zoo.SimplifiedGRUCell, "simplified_gru"), end="\n\n")
report = check_cell(MySimplifiedGRUCell, "simplified_gru")
print(report)
print("\nreport.passed =", report.passed, "  report.mistakes =", report.mistakes)

# %%
import numpy as np

import rnn_zoo.functional
from rnn_zoo.grading import check_function


def two_step_forward(X0, X1, Wx, Wh, b):
    """The TensorFlow slide's two steps, one row per instance, with a planted mistake."""
    h0 = np.tanh(X0 @ Wx + b)
    h1 = np.tanh(X1 @ Wx + b)        # the mistake: step 1 never sees h0
    return h0, h1


print(check_function(rnn_zoo.functional.two_step_forward, "two_step_forward"), end="\n\n")
print(check_function(two_step_forward, "two_step_forward"))
