# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [raw]
# # ASSIGNMENT CONFIG
# name: a2_gated_cells
# init_cell: true
# check_all_cell: false
# export_cell: false
# run_tests: true
# generate: true
# tests:
#   files: false
#   ok_format: false

# %% [markdown]
# # Assignment 2 · The GRU and the LSTM as Keras cells
#
# You will write the two gated cells of the lecture as Keras cells, equation by equation, so that
# Keras's own `keras.layers.RNN` can unroll them; then you will load your GRU's weights into
# Keras's built-in `keras.layers.GRU` and see that both compute the same thing. The equations
# are those of the slides, sections 6 (GRU) and 7 (LSTM), in `SLIDES.md` in the course folder.
#
# | question | what you write | points |
# |---|---|---|
# | 1 | `GRUCell.call`: the full GRU, with the relevance gate Γ_r | 3 |
# | 2 | `LSTMCell.call`: the LSTM | 3 |
# | 3 | `to_keras_gru_weights`: your GRU's weights in the layout of `keras.layers.GRU` | 2 |
#
# **Shapes.** Keras is *batch first*: `call` receives `inputs` `x<t>` of shape `(batch, input_dim)`
# and the previous states, each `(batch, units)`. The slides write one example as a column and a
# weight `W_g` of shape `(units, units + input_dim)` acting on the column `[a<t-1>; x<t>]`; for a
# batch of rows that product is `concat([a_prev, x], axis=-1) @ W_g^T`, of shape `(batch, units)`.
# The cells' `build` methods are written for you: they create the weights in **slide notation**
# (`W_u`, `b_u`, ... with `b_g` of shape `(units,)`), the names the grader looks for.
#
# **How it is graded.** `call` raises `NotImplementedError` until you write it. The grader
# (`grader.check("q1")`) builds your cell at several sizes inside `keras.layers.RNN`, gives it
# random weights *and biases*, and compares outputs, states and gradients with the slides'
# equations. When they differ it names the equation and, when it recognises it, the mistake: for
# example `update_gate_inverted` when your GRU uses Keras's `z` convention. Use `keras.ops`
# (`ops.sigmoid`, `ops.tanh`, `ops.concatenate`, `ops.matmul`, `ops.transpose`), never NumPy,
# inside `call`: the gradients must flow. Each question is all or nothing; hidden tests repeat
# the checks with other random weights.

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before Keras loads TensorFlow
import keras
import numpy as np
from keras import ops

np.set_printoptions(precision=4, suppress=True)


def set_slide_weights(cell, weights):
    """Assign NumPy arrays to a cell's weights by slide name: {"W_u": ..., "b_u": ..., ...}."""
    for variable in cell.weights:
        variable.assign(weights[variable.name])


def random_slide_weights(gates, units, input_dim, seed):
    """Seeded random slide-notation weights for the gates named in ``gates`` (e.g. "urc")."""
    rng = np.random.default_rng(seed)
    weights = {}
    for g in gates:
        weights[f"W_{g}"] = rng.normal(0.0, 0.5, (units, units + input_dim)).astype("float32")
        weights[f"b_{g}"] = rng.normal(0.0, 0.5, (units,)).astype("float32")
    return weights


# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: 3
# all_or_nothing: true

# %% [markdown]
# ## Question 1 · The GRU
#
# The full GRU of slide section 6 (the memory cell `c` is also the output `a`):
#
# $$\Gamma_u = \sigma(W_u [c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_u) \qquad
# \Gamma_r = \sigma(W_r [c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_r)$$
#
# $$\tilde c^{\langle t \rangle} = \tanh(W_c [\Gamma_r * c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_c)
# \qquad c^{\langle t \rangle} = \Gamma_u * \tilde c^{\langle t \rangle} + (1 - \Gamma_u) * c^{\langle t-1 \rangle}$$
#
# Write `call(self, inputs, states)`: `states` is a list holding one tensor, `c<t-1>`; return
# the output and the list of new states, `c<t>, [c<t>]`. Keep the slides' order `[c<t-1>, x<t>]`
# in the concatenations, and note where Γ_r goes: it multiplies `c<t-1>` *before* `W_c`.

# %% [raw]
# # BEGIN SOLUTION

# %%
class GRUCell(keras.layers.Layer):
    """The slides' GRU (section 6) as a Keras cell; weights in slide notation."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        for g in "urc":  # update gate Γ_u, relevance gate Γ_r, candidate c~
            setattr(self, f"W_{g}", self.add_weight(name=f"W_{g}", shape=(self.units, self.units + input_dim)))
            setattr(self, f"b_{g}", self.add_weight(name=f"b_{g}", shape=(self.units,), initializer="zeros"))

    def call(self, inputs, states):
        c_prev = states[0]
        x = inputs
        # BEGIN SOLUTION NO PROMPT
        c_prev_x = ops.concatenate([c_prev, x], axis=-1)                       # [c<t-1>, x<t>]
        update_gate = ops.sigmoid(ops.matmul(c_prev_x, ops.transpose(self.W_u)) + self.b_u)
        relevance_gate = ops.sigmoid(ops.matmul(c_prev_x, ops.transpose(self.W_r)) + self.b_r)
        relevant_c_prev_x = ops.concatenate([relevance_gate * c_prev, x], axis=-1)
        candidate = ops.tanh(ops.matmul(relevant_c_prev_x, ops.transpose(self.W_c)) + self.b_c)
        c = update_gate * candidate + (1 - update_gate) * c_prev
        return c, [c]
        # END SOLUTION
        raise NotImplementedError("GRUCell.call: write the four GRU equations above")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_gru_cell(GRUCell):
    from rnn_zoo.grading import check_cell
    check_cell(GRUCell, "gru").assert_passed()


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_gru_cell_hidden(GRUCell):
    from rnn_zoo.grading import check_cell
    check_cell(GRUCell, "gru", seed=2024).assert_passed()


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
gru_weights = random_slide_weights("urc", units=4, input_dim=3, seed=1)
gru = keras.layers.RNN(GRUCell(4), return_sequences=True)
x = np.random.default_rng(2).normal(size=(2, 5, 3)).astype("float32")  # (batch, time, input_dim)
gru.build(x.shape)
set_slide_weights(gru.cell, gru_weights)
print("c<t> of the first sequence, t = 1..5:\n", ops.convert_to_numpy(gru(x))[0])

# %% [markdown]
# **Expected output:**
# ```
# c<t> of the first sequence, t = 1..5:
#  [[-0.2622  0.2011  0.3444 -0.3105]
#  [ 0.1805 -0.0511  0.8842 -0.6508]
#  [ 0.3676 -0.2518  0.5977 -0.6657]
#  [ 0.3601 -0.2394  0.3908 -0.6667]
#  [ 0.3711 -0.3275  0.795  -0.8114]]
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: 3
# all_or_nothing: true

# %% [markdown]
# ## Question 2 · The LSTM
#
# Andrew Ng's LSTM of slide section 7, with two states, the hidden state `a` and the memory
# cell `c`:
#
# $$\tilde c^{\langle t \rangle} = \tanh(W_c [a^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_c) \qquad
# \Gamma_u = \sigma(W_u [a^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_u)$$
#
# $$\Gamma_f = \sigma(W_f [a^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_f) \qquad
# \Gamma_o = \sigma(W_o [a^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_o)$$
#
# $$c^{\langle t \rangle} = \Gamma_u * \tilde c^{\langle t \rangle} + \Gamma_f * c^{\langle t-1 \rangle}
# \qquad a^{\langle t \rangle} = \Gamma_o * \tanh(c^{\langle t \rangle})$$
#
# `states` is `[a<t-1>, c<t-1>]` (Keras's order `[h, c]`); return `a<t>, [a<t>, c<t>]`.

# %% [raw]
# # BEGIN SOLUTION

# %%
class LSTMCell(keras.layers.Layer):
    """The slides' LSTM (section 7) as a Keras cell; weights in slide notation."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = [units, units]  # [a, c]
        self.output_size = units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        for g in "ufco":  # update Γ_u, forget Γ_f, candidate c~, output Γ_o
            setattr(self, f"W_{g}", self.add_weight(name=f"W_{g}", shape=(self.units, self.units + input_dim)))
            setattr(self, f"b_{g}", self.add_weight(name=f"b_{g}", shape=(self.units,), initializer="zeros"))

    def call(self, inputs, states):
        a_prev, c_prev = states
        x = inputs
        # BEGIN SOLUTION NO PROMPT
        a_prev_x = ops.concatenate([a_prev, x], axis=-1)                       # [a<t-1>, x<t>]
        candidate = ops.tanh(ops.matmul(a_prev_x, ops.transpose(self.W_c)) + self.b_c)
        update_gate = ops.sigmoid(ops.matmul(a_prev_x, ops.transpose(self.W_u)) + self.b_u)
        forget_gate = ops.sigmoid(ops.matmul(a_prev_x, ops.transpose(self.W_f)) + self.b_f)
        output_gate = ops.sigmoid(ops.matmul(a_prev_x, ops.transpose(self.W_o)) + self.b_o)
        c = update_gate * candidate + forget_gate * c_prev
        a = output_gate * ops.tanh(c)
        return a, [a, c]
        # END SOLUTION
        raise NotImplementedError("LSTMCell.call: write the six LSTM equations above")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_lstm_cell(LSTMCell):
    from rnn_zoo.grading import check_cell
    check_cell(LSTMCell, "lstm").assert_passed()


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_lstm_cell_hidden(LSTMCell):
    from rnn_zoo.grading import check_cell
    check_cell(LSTMCell, "lstm", seed=2024).assert_passed()


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
lstm_weights = random_slide_weights("ufco", units=4, input_dim=3, seed=3)
lstm = keras.layers.RNN(LSTMCell(4), return_sequences=True, return_state=True)
lstm.build(x.shape)
set_slide_weights(lstm.cell, lstm_weights)
outputs, a_last, c_last = (ops.convert_to_numpy(v) for v in lstm(x))
print("a<t> of the first sequence, t = 1..5:\n", outputs[0])
print("c<5> of the first sequence:", c_last[0])

# %% [markdown]
# **Expected output:**
# ```
# a<t> of the first sequence, t = 1..5:
#  [[-0.0122 -0.0396 -0.197  -0.1093]
#  [ 0.2125  0.2708 -0.097  -0.0714]
#  [ 0.0793  0.312  -0.1562 -0.3596]
#  [ 0.0249  0.2425 -0.2174 -0.5202]
#  [ 0.0613  0.2733 -0.2438 -0.4979]]
# c<5> of the first sequence: [ 0.0861  0.5364 -0.4611 -0.8768]
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q3
# points: 2
# all_or_nothing: true

# %% [markdown]
# ## Question 3 · Your GRU inside Keras's built-in `GRU`
#
# `keras.layers.GRU(units, reset_after=False)` computes the same cell as the slides, stored
# differently:
#
# * `kernel` `(input_dim, 3 * units)` multiplies `x<t>` and `recurrent_kernel` `(units, 3 * units)`
#   multiplies the state (from the right: `x @ kernel`), and `bias` is `(3 * units,)`; each holds
#   three blocks side by side, in Keras's gate order `z, r, h` (update, reset = relevance,
#   candidate);
# * Keras writes `h = z * h_prev + (1 - z) * h~`: its `z` is `1 - Γ_u`. Since
#   `σ(-v) = 1 - σ(v)`, the block that makes `z` is the **negated** Γ_u block.
#
# Write `to_keras_gru_weights(weights)`: from a dict of slide weights (`W_u`, `b_u`, `W_r`, `b_r`,
# `W_c`, `b_c`, NumPy arrays, `W_g = [W_ga | W_gx]` of shape `(units, units + input_dim)`, `b_g` of
# shape `(units,)`) return the list `[kernel, recurrent_kernel, bias]` that
# `keras.layers.GRU(units, reset_after=False).set_weights(...)` accepts.

# %% [raw]
# # BEGIN SOLUTION

# %%
def to_keras_gru_weights(weights):
    """Slide-notation GRU weights -> ``[kernel, recurrent_kernel, bias]`` of a built-in GRU."""
    # BEGIN SOLUTION NO PROMPT
    units = weights["W_u"].shape[0]
    sign = {"u": -1.0, "r": 1.0, "c": 1.0}  # Keras's z = 1 - Γ_u: σ(-v) = 1 - σ(v)
    kernel = np.concatenate([sign[g] * weights[f"W_{g}"][:, units:].T for g in "urc"], axis=1)
    recurrent_kernel = np.concatenate([sign[g] * weights[f"W_{g}"][:, :units].T for g in "urc"], axis=1)
    bias = np.concatenate([sign[g] * weights[f"b_{g}"] for g in "urc"])
    return [kernel, recurrent_kernel, bias]
    # END SOLUTION
    raise NotImplementedError("to_keras_gru_weights: split, transpose and order the blocks")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_to_keras_gru_weights(to_keras_gru_weights):
    import numpy as np

    def problem():
        units, input_dim = 3, 2
        rng = np.random.default_rng(7)
        w = {}
        for g in "urc":
            w[f"W_{g}"] = rng.normal(size=(units, units + input_dim))
            w[f"b_{g}"] = rng.normal(size=units)
        sign = {"u": -1.0, "r": 1.0, "c": 1.0}
        expected = {
            "kernel": [sign[g] * w[f"W_{g}"][:, units:].T for g in "urc"],
            "recurrent_kernel": [sign[g] * w[f"W_{g}"][:, :units].T for g in "urc"],
            "bias": [sign[g] * w[f"b_{g}"] for g in "urc"],
        }
        got = to_keras_gru_weights({k: v.copy() for k, v in w.items()})
        if not (isinstance(got, (list, tuple)) and len(got) == 3):
            return "to_keras_gru_weights must return a list of three arrays [kernel, recurrent_kernel, bias]"
        keras_gate = {"u": "z (update)", "r": "r (reset = relevance)", "c": "h (candidate)"}
        slide_block = {"kernel": "W_?xᵀ", "recurrent_kernel": "W_?aᵀ", "bias": "b_?"}
        for (name, blocks), array in zip(expected.items(), got):
            array = np.asarray(array)
            shape = np.concatenate(blocks, axis=-1).shape
            if array.shape != shape:
                return (f"{name} has shape {array.shape}; keras.layers.GRU({units}, reset_after=False) "
                        f"on {input_dim} inputs expects {shape}.")
            for i, g in enumerate("urc"):
                block = array[..., i * units:(i + 1) * units]
                if np.allclose(block, blocks[i]):
                    continue
                if np.allclose(block, -blocks[i]):
                    why = ("it has the wrong sign: Keras's z is 1 - Γ_u, so its block is the negated "
                           "Γ_u block (σ(-v) = 1 - σ(v)); the r and h blocks keep their sign")
                elif any(np.allclose(np.abs(block), np.abs(other)) for other in blocks):
                    why = "it holds another gate's block: Keras's gate order is z, r, h"
                else:
                    why = (f"it should be the gate's {slide_block[name]} (kernel multiplies x<t> and "
                           "recurrent_kernel the state, from the right: x @ kernel)")
                return f"The {keras_gate[g]} block of {name} is wrong: {why}."
        return ""

    message = problem()
    assert not message, message


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_to_keras_gru_weights_hidden(to_keras_gru_weights):
    import keras
    import numpy as np
    import rnn_zoo
    units, input_dim = 4, 3
    rng = np.random.default_rng(2024)
    w = {}
    for g in "urc":
        w[f"W_{g}"] = rng.normal(0.0, 0.5, (units, units + input_dim)).astype("float32")
        w[f"b_{g}"] = rng.normal(0.0, 0.5, units).astype("float32")
    x = rng.normal(size=(2, 6, input_dim)).astype("float32")
    zoo = keras.layers.RNN(rnn_zoo.GRUCell(units), return_sequences=True)
    zoo.build(x.shape)
    zoo.set_weights([np.concatenate([w[f"W_{g}"][:, units:].T for g in "urc"], axis=1),
                     np.concatenate([w[f"W_{g}"][:, :units].T for g in "urc"], axis=1),
                     np.concatenate([w[f"b_{g}"] for g in "urc"])])
    builtin = keras.layers.GRU(units, reset_after=False, return_sequences=True)
    builtin.build(x.shape)
    builtin.set_weights([np.asarray(a, "float32") for a in to_keras_gru_weights(dict(w))])
    difference = np.max(np.abs(np.asarray(builtin(x)) - np.asarray(zoo(x))))
    problem = "" if difference < 1e-5 else (
        f"keras.layers.GRU with your weights differs from the slides' GRU by up to {difference:.3g}")
    assert not problem, problem


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
builtin = keras.layers.GRU(4, reset_after=False, return_sequences=True)
builtin.build(x.shape)
builtin.set_weights(to_keras_gru_weights(gru_weights))
difference = np.max(np.abs(ops.convert_to_numpy(builtin(x)) - ops.convert_to_numpy(gru(x))))
print("your GRU and keras.layers.GRU(reset_after=False) agree to 1e-5:", difference < 1e-5)

# %% [markdown]
# **Expected output** (`difference` itself is float32 rounding, about `1e-7`):
# ```
# your GRU and keras.layers.GRU(reset_after=False) agree to 1e-5: True
# ```

# %% [markdown]
# ## Reflection (not graded)
#
# 1. Run the grader on Keras's own GRU cell, as if a student had handed it in:
#    `from rnn_zoo.grading import check_cell; print(check_cell(lambda units: keras.layers.GRUCell(units, reset_after=False), "gru"))`.
#    Which mistake does it name, and why is it not a mistake in Keras?
# 2. In your LSTM, what do `Γ_f ≈ 1` and `Γ_u ≈ 0` do to `c<t>`? Compare with the GRU's
#    `Γ_u ≈ 0`. Why does this help gradients flow over long sequences (slide section 6)?
# 3. Count the parameters of your GRU and your LSTM for `units = 128`, `input_dim = 64`, and
#    check against `keras.layers.GRU(128, reset_after=False)` and `keras.layers.LSTM(128)` built
#    on 64 inputs (`count_params()`).
#
# *Your answers here.*
