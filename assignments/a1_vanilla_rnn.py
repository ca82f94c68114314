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
# name: a1_vanilla_rnn
# init_cell: true
# check_all_cell: false
# export_cell: false
# run_tests: true
# generate: true
# tests:
#   files: false
#   ok_format: false

# %% [markdown]
# # Assignment 1 · The vanilla RNN, forward
#
# You will write the forward pass of the recurrent network of the lecture, in NumPy, twice:
# first in the course's notation (column batches, a parameter dictionary), then as the slides'
# two-step RNN (row batches, `X Wx`). The equations are those of the slides, sections 2 and 3
# (`SLIDES.md` in the course folder):
#
# $$a^{\langle t \rangle} = \tanh(W_{aa}\, a^{\langle t-1 \rangle} + W_{ax}\, x^{\langle t \rangle} + b_a)
# \qquad \hat y^{\langle t \rangle} = \mathrm{softmax}(W_{ya}\, a^{\langle t \rangle} + b_y)$$
#
# | question | what you write | points |
# |---|---|---|
# | 1 | `softmax(z)`, over the classes of a column batch | 1 |
# | 2 | `rnn_cell_forward(xt, a_prev, parameters)`, one time step | 2 |
# | 3 | `rnn_forward(x, a0, parameters)`, the whole sequence | 2 |
# | 4 | `two_step_forward(X0, X1, Wx, Wh, b)`, the slide's manual two-step RNN | 2 |
#
# **Shapes (the course's convention).** Examples are *columns*: one time step of a batch of `m`
# examples is `xt` of shape `(n_x, m)`, a whole batch of sequences is `x` of shape
# `(n_x, m, T_x)`, and the hidden states are `a` of shape `(n_a, m, T_x)`. Biases are columns
# `(n, 1)`, which NumPy broadcasts over the `m` examples.
#
# **How it is graded.** Each function is replaced by a stub that raises `NotImplementedError`;
# write your code in its place. Run `grader.check("q1")` (the cell after each question) to see
# whether your function is right; when it is not, the message names the equation that differs
# and, when it recognises it, the mistake (for example `missing_bias`). The grader runs your
# function on random inputs of several sizes, so make it work for any `n_x`, `n_a`, `n_y`, `m`.
# The autograder also runs hidden tests with other random inputs. Each question is all or
# nothing. This notebook needs only NumPy.

# %%
import numpy as np

np.set_printoptions(precision=4, suppress=True)

# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: 1
# all_or_nothing: true

# %% [markdown]
# ## Question 1 · `softmax`
#
# The output layer turns scores `z` of shape `(n_y, m)` into probabilities: for every example
# (every **column**), $\mathrm{softmax}(z)_j = e^{z_j} / \sum_k e^{z_k}$, the sum running over the
# `n_y` classes. Subtract each column's maximum before `np.exp` so that large scores do not
# overflow (it does not change the result).

# %% [raw]
# # BEGIN SOLUTION

# %%
def softmax(z):
    """Softmax of the scores ``z`` (n_y, m), over the classes: every column sums to 1."""
    # BEGIN SOLUTION NO PROMPT
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)
    # END SOLUTION
    raise NotImplementedError("softmax: write the softmax over the classes (axis 0)")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_softmax(softmax):
    from rnn_zoo.grading import check_function
    check_function(softmax, "softmax").assert_passed()


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_softmax_hidden(softmax):
    import numpy as np
    from rnn_zoo import functional
    z = np.random.default_rng(101).normal(0.0, 30.0, (7, 3))  # large scores: needs the max
    problem = "" if np.allclose(softmax(z), functional.softmax(z)) else (
        "softmax is wrong on scores of size 30 to 100: subtract each column's maximum first")
    assert not problem, problem


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
z = np.array([[1.0, 2.0], [2.0, 2.0], [3.0, 1000.0]])
print(softmax(z))
print("column sums:", softmax(z).sum(axis=0))

# %% [markdown]
# **Expected output:**
# ```
# [[0.09   0.    ]
#  [0.2447 0.    ]
#  [0.6652 1.    ]]
# column sums: [1. 1.]
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: 2
# all_or_nothing: true

# %% [markdown]
# ## Question 2 · One time step: `rnn_cell_forward`
#
# $$a^{\langle t \rangle} = \tanh(W_{aa}\, a^{\langle t-1 \rangle} + W_{ax}\, x^{\langle t \rangle} + b_a)
# \qquad \hat y^{\langle t \rangle} = \mathrm{softmax}(W_{ya}\, a^{\langle t \rangle} + b_y)$$
#
# | argument | shape |
# |---|---|
# | `xt` | `(n_x, m)` |
# | `a_prev` | `(n_a, m)` |
# | `parameters["Wax"]`, `["Waa"]`, `["Wya"]` | `(n_a, n_x)`, `(n_a, n_a)`, `(n_y, n_a)` |
# | `parameters["ba"]`, `["by"]` | `(n_a, 1)`, `(n_y, 1)` |
#
# Return `a_next` `(n_a, m)`, `yt_pred` `(n_y, m)` and `cache = (a_next, a_prev, xt, parameters)`
# (the backward pass of assignment 3 reads it). Use your `softmax`.

# %% [raw]
# # BEGIN SOLUTION

# %%
def rnn_cell_forward(xt, a_prev, parameters):
    """One step of the vanilla RNN: returns ``a_next, yt_pred, cache``."""
    # BEGIN SOLUTION NO PROMPT
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    ba, by = parameters["ba"], parameters["by"]
    a_next = np.tanh(Waa @ a_prev + Wax @ xt + ba)
    yt_pred = softmax(Wya @ a_next + by)
    cache = (a_next, a_prev, xt, parameters)
    return a_next, yt_pred, cache
    # END SOLUTION
    raise NotImplementedError("rnn_cell_forward: write the two equations above")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_rnn_cell_forward(rnn_cell_forward):
    from rnn_zoo import functional
    from rnn_zoo.grading import check_function
    # graded with the reference softmax, so that a mistake in question 1 costs only question 1
    namespace = getattr(rnn_cell_forward, "__globals__", {})
    saved = namespace.get("softmax")
    namespace["softmax"] = functional.softmax
    try:
        report = check_function(rnn_cell_forward, "rnn_cell_forward")
    finally:
        namespace["softmax"] = saved
    report.assert_passed()


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_rnn_cell_forward_hidden(rnn_cell_forward):
    from rnn_zoo import functional
    from rnn_zoo.grading import check_function
    # graded with the reference softmax, so that a mistake in question 1 costs only question 1
    namespace = getattr(rnn_cell_forward, "__globals__", {})
    saved = namespace.get("softmax")
    namespace["softmax"] = functional.softmax
    try:
        report = check_function(rnn_cell_forward, "rnn_cell_forward", seed=2024)
    finally:
        namespace["softmax"] = saved
    report.assert_passed()


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
rng = np.random.default_rng(1)
n_x, n_a, n_y, m = 3, 5, 2, 10
parameters = {"Wax": rng.normal(size=(n_a, n_x)), "Waa": rng.normal(size=(n_a, n_a)),
              "Wya": rng.normal(size=(n_y, n_a)), "ba": rng.normal(size=(n_a, 1)),
              "by": rng.normal(size=(n_y, 1))}
xt, a_prev = rng.normal(size=(n_x, m)), rng.normal(size=(n_a, m))
a_next, yt_pred, cache = rnn_cell_forward(xt, a_prev, parameters)
print("a_next[4] =", a_next[4])
print("a_next.shape =", a_next.shape)
print("yt_pred[1] =", yt_pred[1])
print("yt_pred.shape =", yt_pred.shape)

# %% [markdown]
# **Expected output:**
# ```
# a_next[4] = [ 0.9995 -0.006   0.9306  0.9875 -0.0748  0.983   0.347   0.5979 -0.8404
#   0.9824]
# a_next.shape = (5, 10)
# yt_pred[1] = [0.9584 0.6814 0.9925 0.9976 0.7335 0.839  0.5769 0.9898 0.678  0.824 ]
# yt_pred.shape = (2, 10)
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q3
# points: 2
# all_or_nothing: true

# %% [markdown]
# ## Question 3 · The whole sequence: `rnn_forward`
#
# Unroll the cell over the `T_x` time steps: start from `a0`, and at every step `t` feed
# `x[:, :, t]` and the previous state to `rnn_cell_forward`. This is the slides' `scan`
# (section 4): the state produced at step `t` is the state read at step `t + 1`.
#
# Return `a` `(n_a, m, T_x)` (every state, `a0` excluded), `y_pred` `(n_y, m, T_x)` and
# `caches = (list of the T_x step caches, x)`.

# %% [raw]
# # BEGIN SOLUTION

# %%
def rnn_forward(x, a0, parameters):
    """The vanilla RNN over a whole sequence: returns ``a, y_pred, caches``."""
    # BEGIN SOLUTION NO PROMPT
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    caches = []
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    return a, y_pred, (caches, x)
    # END SOLUTION
    raise NotImplementedError("rnn_forward: loop rnn_cell_forward over the time steps")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_rnn_forward(rnn_forward):
    from rnn_zoo.grading import check_function
    check_function(rnn_forward, "rnn_forward").assert_passed()


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_rnn_forward_hidden(rnn_forward):
    from rnn_zoo.grading import check_function
    check_function(rnn_forward, "rnn_forward", seed=2024).assert_passed()


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
rng = np.random.default_rng(2)
n_x, n_a, n_y, m, T_x = 3, 5, 2, 10, 4
parameters = {"Wax": rng.normal(size=(n_a, n_x)), "Waa": rng.normal(size=(n_a, n_a)),
              "Wya": rng.normal(size=(n_y, n_a)), "ba": rng.normal(size=(n_a, 1)),
              "by": rng.normal(size=(n_y, 1))}
x, a0 = rng.normal(size=(n_x, m, T_x)), rng.normal(size=(n_a, m))
a, y_pred, caches = rnn_forward(x, a0, parameters)
print("a[4][1] =", a[4][1])
print("a.shape =", a.shape)
print("y_pred[1][3] =", y_pred[1][3])
print("y_pred.shape =", y_pred.shape)
print("len(caches[0]) =", len(caches[0]))

# %% [markdown]
# **Expected output:**
# ```
# a[4][1] = [ 0.7752 -0.9885 -0.8936 -0.835 ]
# a.shape = (5, 10, 4)
# y_pred[1][3] = [0.7697 0.4288 0.992  0.2466]
# y_pred.shape = (2, 10, 4)
# len(caches[0]) = 4
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q4
# points: 2
# all_or_nothing: true

# %% [markdown]
# ## Question 4 · The slide's two-step RNN: `two_step_forward`
#
# The TensorFlow listing of slide section 3 builds an RNN of `n_neurons = 5` tanh units by hand
# and unrolls it over two time steps. It writes examples as **rows**: a batch is `(m, n_inputs)`,
# and a weight multiplies from the right:
#
# $$h_0 = \tanh(X_0 W_x + b) \qquad h_1 = \tanh(h_0 W_h + X_1 W_x + b)$$
#
# with `Wx` `(n_inputs, n_neurons)`, `Wh` `(n_neurons, n_neurons)` and `b` `(1, n_neurons)`.
# It is the same cell as in question 2 written the other way round: `Wx` is `W_axᵀ`, `Wh` is
# `W_aaᵀ`, and a row of `h1` is a column of `a<2>`. Return `(h0, h1)`, each `(m, n_neurons)`.
#
# Below it runs on the slide's own batches: four instances of three inputs at `t = 0` and `t = 1`.

# %% [raw]
# # BEGIN SOLUTION

# %%
def two_step_forward(X0, X1, Wx, Wh, b):
    """The slide's RNN unrolled by hand over two steps (row batches): returns ``(h0, h1)``."""
    # BEGIN SOLUTION NO PROMPT
    h0 = np.tanh(X0 @ Wx + b)
    h1 = np.tanh(h0 @ Wh + X1 @ Wx + b)
    return h0, h1
    # END SOLUTION
    raise NotImplementedError("two_step_forward: write h0 and h1 as on the slide")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_two_step_forward(two_step_forward):
    from rnn_zoo.grading import check_function
    check_function(two_step_forward, "two_step_forward").assert_passed()


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_two_step_forward_hidden(two_step_forward):
    from rnn_zoo.grading import check_function
    check_function(two_step_forward, "two_step_forward", seed=2024).assert_passed()


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
# The slide's batches (slide section 3): 4 instances, 3 inputs, at t = 0 and at t = 1.
X0_BATCH = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 0, 1]], dtype=float)
X1_BATCH = np.array([[9, 8, 7], [0, 0, 0], [6, 5, 4], [3, 2, 1]], dtype=float)
rng = np.random.default_rng(3)
Wx = rng.normal(size=(3, 5))  # random normal, as on the slide
Wh = rng.normal(size=(5, 5))
b = np.zeros((1, 5))          # zeros, as on the slide
h0, h1 = two_step_forward(X0_BATCH, X1_BATCH, Wx, Wh, b)
print("h0 =\n", h0)
print("h1 =\n", h1)

# %% [markdown]
# **Expected output:**
# ```
# h0 =
#  [[ 0.2317 -0.9914 -0.661  -0.9758  0.8375]
#  [ 1.     -1.     -0.7932 -1.      1.    ]
#  [ 1.     -1.     -0.8776 -1.      1.    ]
#  [ 1.     -1.      0.9981 -1.     -0.9999]]
# h1 =
#  [[ 1.     -1.     -0.4502 -1.      1.    ]
#  [ 0.6124 -0.9999 -0.4062  0.1156 -0.9884]
#  [ 1.     -1.     -0.1824 -1.      1.    ]
#  [ 1.     -1.     -0.9851 -0.9867  1.    ]]
# ```

# %% [markdown]
# ## Reflection (not graded)
#
# 1. The second instance reads `[0, 0, 0]` at `t = 1`, yet its row of `h1` is not zero. Which
#    term of the equation for `h1` makes it non-zero, and what does that say about what an RNN
#    "remembers"?
# 2. Most entries of `h0` and `h1` above are close to ±1. Why, with these inputs and weights, and
#    why is that bad news for learning (think of the derivative of tanh, which assignment 3 needs)?
# 3. Question 4 computes the cell of question 2 in the other convention. Write `Wx`, `Wh`, `b`
#    in terms of `Wax`, `Waa`, `ba`, and say how `h1` relates to `a<2>`.
#
# *Your answers here.*
