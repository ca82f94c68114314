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
# # 02 · Backpropagation through time, by hand
#
# The slides derive the gradient of a recurrent network over twenty slides (seed 001). This
# notebook writes that derivation as NumPy code, checks it three ways (finite differences,
# TensorFlow's autodiff through the zoo's `SimpleRNN`, and a deliberately broken copy that the
# check must catch), and then measures what the slides only argue: how the gradient fades with the
# distance from the loss, why the GRU's direct path helps, what clipping does, and how far a
# vanilla RNN, a GRU and an LSTM can carry "cat … was" / "cats … were" agreement.
#
# 1. **The vanilla RNN in NumPy** with the slide's `rnn.step(x)` API and the loss of section 5.
# 2. **BPTT by hand**: the slide's double sum with its product of Jacobians, and the O(T) recursion.
# 3. **The gradient check**: finite differences, autodiff, and a broken BPTT caught.
#
# **Running it.** Sections 1–3 take a few seconds. The test suite runs the notebook with
# `RNN_ZOO_SMALL=1` (shorter sequences, fewer training steps).

# %%
import inspect
import os
import textwrap
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported
START = time.perf_counter()

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from IPython.display import Markdown, display

import rnn_zoo
from rnn_zoo import numpy_rnn
from rnn_zoo.numpy_rnn import RNN, numerical_gradient, relative_error

SMALL = os.environ.get("RNN_ZOO_SMALL") == "1"  # set by the test suite
keras.utils.set_random_seed(0)
np.set_printoptions(precision=4, suppress=True, linewidth=110)
print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, small mode: {SMALL}")


def show_source(function):
    """Display a function's source as a highlighted code block."""
    source = textwrap.dedent(inspect.getsource(function))
    display(Markdown(f"```python\n{source}```"))


# %% [markdown]
# ## 1. The vanilla RNN in NumPy (slide sections 2 and 5)
#
# Slide 003 gives the API: `rnn = RNN(); y = rnn.step(x)`, where `step` updates the hidden state
# `rnn.h`. In slide 001's names, with $s(t)$ the pre-activation and $z(t)$ the logits:
#
# $$s(t) = u\,x(t) + w\,h(t-1) + b_a, \qquad h(t) = \tanh(s(t)), \qquad
#   z(t) = v\,h(t) + b_y, \qquad \hat y(t) = \mathrm{softmax}(z(t))$$
#
# where $u = W_{ax}$, $w = W_{aa}$, $v = W_{ya}$. The loss is the cross entropy of the outputs
# that count, averaged over them ($J = -\frac{1}{T}\sum_t \sum_j y_j^{\langle t \rangle}
# \log \hat y_j^{\langle t \rangle}$) or summed ($L = \sum_t L^{\langle t \rangle}$).

# %%
show_source(RNN.step)

T, N_X, N_A, N_Y = (5 if SMALL else 8), 3, 4, 5
rng = np.random.default_rng(0)
rnn = RNN(n_x=N_X, n_a=N_A, n_y=N_Y, seed=1, scale=0.6)
xs = rng.normal(size=(T, N_X))            # one sequence, x(0) ... x(T-1)
targets = rng.integers(0, N_Y, size=T)    # the class expected at every step
counted = np.ones(T, bool)
counted[1] = False                        # an output the cost ignores: it gets no gradient

for x in xs:
    logits = rnn.step(x)                  # the slide's y = rnn.step(x)
cache = rnn.forward(xs)                   # the same sequence at once, keeping every h(t)
print("h(T-1) after step():", rnn.h)
print("h(T-1) from forward():", cache["h"][-1])
print(f"loss J (mean over {counted.sum()} counted steps) = {rnn.loss(cache, targets, counted):.6f}")

# %% [markdown]
# ## 2. BPTT by hand (slide section 5)
#
# The slides' result: the gradient of every weight is a sum over the output steps $t$, and each
# term reaches back to every earlier step $k$ through a product of Jacobians,
#
# $$\frac{\partial E}{\partial w} = \sum_t \frac{\partial J(t)}{\partial w}, \qquad
#   \frac{\partial J(t)}{\partial w} = \sum_{k=1}^{t}
#   \frac{\partial J(t)}{\partial \hat y(t)} \frac{\partial \hat y(t)}{\partial z(t)}
#   \frac{\partial z(t)}{\partial h(t)}
#   \Big(\prod_{j=k+1}^{t} \frac{\partial h(j)}{\partial s(j)} \frac{\partial s(j)}{\partial h(j-1)}\Big)
#   \frac{\partial h(k)}{\partial s(k)} \frac{\partial s(k)}{\partial w}$$
#
# with $\frac{\partial h(j)}{\partial s(j)} \frac{\partial s(j)}{\partial h(j-1)} =
# \mathrm{diag}(1 - h(j)^2)\, w$. For softmax and cross entropy,
# $\frac{\partial J(t)}{\partial z(t)} = \hat y(t) - y(t)$; $v$ only touches step $t$'s own output.
# `RNN.backward` is that formula, term by term — O(T²) on purpose, so every term is visible, and
# `truncate=n` keeps only the $n$ most recent $k$ (truncated BPTT):

# %%
show_source(RNN.backward)

# %% [markdown]
# Nobody computes it that way in practice: carrying $\partial E / \partial h(k)$ backwards once, and
# adding each step's own output on the way, gives the same sums in O(T). That is
# `RNN.backward_recursive`, and what autodiff does through a recurrent layer:

# %%
show_source(RNN.backward_recursive)

slide = rnn.backward(cache, targets, counted)
recursive = rnn.backward_recursive(cache, targets, counted)
for name in ("W_ax", "W_aa", "W_ya", "b_a", "b_y", "xs"):
    print(f"{name:5} slide form vs recursion: relative error {relative_error(slide[name], recursive[name]):.1e}")
other_targets = np.where(np.arange(T) == 1, (targets + 1) % N_Y, targets)  # change the ignored one
unchanged = rnn.backward(cache, other_targets, counted)
print("changing the ignored step's target changes no gradient:",
      all(np.array_equal(slide[n], unchanged[n]) for n in slide))

# %% [markdown]
# ## 3. The gradient check
#
# **(a) Centred finite differences** in float64: $\frac{J(w + \varepsilon) - J(w - \varepsilon)}{2\varepsilon}$
# for every entry of every weight, with $\varepsilon = 10^{-6}$. The relative error must be
# below $10^{-6}$, for the loss averaged and summed over time.

# %%
def finite_differences(rnn, reduction):
    loss = lambda: rnn.loss(rnn.forward(xs), targets, counted, reduction)  # noqa: E731
    return {name: numerical_gradient(loss, value) for name, value in rnn.params.items()}


for reduction in ("mean", "sum"):
    numeric = finite_differences(rnn, reduction)
    by_hand = rnn.backward(rnn.forward(xs), targets, counted, reduction)
    errors = {name: relative_error(by_hand[name], numeric[name]) for name in numeric}
    print(f"{reduction:4}: " + ", ".join(f"{n} {e:.1e}" for n, e in errors.items()))
    assert max(errors.values()) < 1e-6

# %% [markdown]
# **(b) Autodiff through the zoo's `SimpleRNN`** with the same weights (`kernel` $= u^\top$,
# `recurrent_kernel` $= w^\top$; a `Dense` layer holds $v$), in float32, the ignored step
# masked out of the loss.

# %%
layer = rnn_zoo.SimpleRNN(N_A, return_sequences=True)
dense = keras.layers.Dense(N_Y)
layer.build((1, T, N_X))
dense.build((None, N_A))
layer.set_weights([rnn.W_ax.T, rnn.W_aa.T, rnn.b_a])
dense.set_weights([rnn.W_ya.T, rnn.b_y])
with tf.GradientTape() as tape:
    logits = dense(layer(xs[None].astype("float32")))[0]
    losses = keras.losses.sparse_categorical_crossentropy(targets, logits, from_logits=True)
    loss = tf.reduce_mean(tf.boolean_mask(losses, counted))
tape_grads = tape.gradient(loss, [layer.cell.kernel, layer.cell.recurrent_kernel, layer.cell.bias,
                                  dense.kernel, dense.bias])
by_hand = rnn.backward(rnn.forward(xs), targets, counted)
for name, tape_grad, transpose in zip(("W_ax", "W_aa", "b_a", "W_ya", "b_y"), tape_grads,
                                      (True, True, False, True, False)):
    mine = by_hand[name].T if transpose else by_hand[name]
    error = relative_error(mine, tape_grad.numpy())
    print(f"{name:5} BPTT by hand vs tf.GradientTape: relative error {error:.1e}")
    assert error < 1e-5

# %% [markdown]
# **(c) A check that can fail.** Drop one single term of the double sum — the one that links the
# last output to the first step, $(t = T-1, k = 0)$, via `truncate=T-1` — or forget one output, and
# the finite-difference check must notice.

# %%
numeric = finite_differences(rnn, "mean")
for label, grads in [
    ("complete BPTT", rnn.backward(cache, targets, counted)),
    ("one term (t = T-1, k = 0) dropped", rnn.backward(cache, targets, counted, truncate=T - 1)),
    ("one counted output left out", rnn.backward(cache, targets, counted & (np.arange(T) != 3))),
]:
    worst = max(relative_error(grads[n], numeric[n]) for n in numeric)
    print(f"{label:36} worst relative error {worst:.1e} -> {'passes' if worst < 1e-6 else 'CAUGHT'}")
