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
# name: a3_bptt
# init_cell: true
# check_all_cell: false
# export_cell: false
# run_tests: true
# generate: true
# tests:
#   files: false
#   ok_format: false

# %% [markdown]
# # Assignment 3 · Backpropagation through time, the gradient check, and clipping
#
# You will write the backward pass of the vanilla RNN of assignment 1 by hand, check it against
# finite differences, and clip gradients against the explosion the lecture warns about. The
# slides' section 5 (`SLIDES.md` in the course folder): the loss is summed over the time steps,
# and so is the gradient of every weight,
#
# $$\frac{\partial E}{\partial w} = \sum_t \frac{\partial J^{(t)}}{\partial w}, \qquad
# \frac{\partial J^{(t)}}{\partial w} = \sum_{k=1}^{t} \frac{\partial J^{(t)}}{\partial h^{(t)}}
# \Big(\prod_{j=k+1}^{t} \frac{\partial h^{(j)}}{\partial h^{(j-1)}}\Big)
# \frac{\partial h^{(k)}}{\partial w}$$
#
# | question | what you write | points |
# |---|---|---|
# | 1 | `rnn_cell_backward(da_next, cache)`, one time step | 2 |
# | 2 | `rnn_backward(da, caches)`, through the whole sequence | 2 |
# | 3 | `numerical_gradient(f, x, eps)`, centred finite differences | 2 |
# | 4 | `clip(gradients, max_value)` | 1 |
#
# The forward pass (assignment 1) is given: `rnn_forward` and `rnn_cell_forward` from
# `rnn_zoo.functional`, with the course's shapes and caches (`cache = (a_next, a_prev, xt,
# parameters)`, `caches = (list of the step caches, x)`).
#
# **How it is graded.** Each function raises `NotImplementedError` until you write it;
# `grader.check("q1")` checks it on random inputs of several sizes and, when it is wrong, names
# what differs and, when it recognises it, the mistake (for example `bptt_term_missing`). Each
# question is all or nothing; hidden tests repeat the checks with other random inputs. NumPy only.

# %%
import numpy as np

from rnn_zoo.functional import rnn_cell_forward, rnn_forward

np.set_printoptions(precision=4, suppress=True)


def random_rnn(n_x, n_a, n_y, seed):
    """Seeded random parameters of a vanilla RNN (the course's dict)."""
    rng = np.random.default_rng(seed)
    return {"Wax": rng.normal(size=(n_a, n_x)), "Waa": rng.normal(size=(n_a, n_a)),
            "Wya": rng.normal(size=(n_y, n_a)), "ba": rng.normal(size=(n_a, 1)),
            "by": rng.normal(size=(n_y, 1))}


# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: 2
# all_or_nothing: true

# %% [markdown]
# ## Question 1 · One step back: `rnn_cell_backward`
#
# The cell computed $a^{\langle t \rangle} = \tanh(s)$ with
# $s = W_{ax} x^{\langle t \rangle} + W_{aa} a^{\langle t-1 \rangle} + b_a$. Given `da_next`
# $= \partial L / \partial a^{\langle t \rangle}$, first go back through the tanh,
# $ds = (1 - (a^{\langle t \rangle})^2) * da_{next}$ (since $\tanh' = 1 - \tanh^2$), then through
# each term of $s$:
#
# $$dx^{\langle t \rangle} = W_{ax}^T ds \qquad da^{\langle t-1 \rangle} = W_{aa}^T ds \qquad
# dW_{ax} = ds\, x^{\langle t \rangle T} \qquad dW_{aa} = ds\, a^{\langle t-1 \rangle T} \qquad
# db_a = \textstyle\sum_{\text{batch}} ds$$
#
# (the bias is broadcast over the `m` examples, so its gradient sums over them: `axis=1,
# keepdims=True`). Return the dict `{"dxt", "da_prev", "dWax", "dWaa", "dba"}`. The output layer
# is not part of it, as in the course.

# %% [raw]
# # BEGIN SOLUTION

# %%
def rnn_cell_backward(da_next, cache):
    """Gradients of one RNN step: a dict with ``dxt, da_prev, dWax, dWaa, dba``."""
    a_next, a_prev, xt, parameters = cache
    Wax, Waa = parameters["Wax"], parameters["Waa"]
    # BEGIN SOLUTION NO PROMPT
    ds = (1 - a_next ** 2) * da_next
    dxt = Wax.T @ ds
    da_prev = Waa.T @ ds
    dWax = ds @ xt.T
    dWaa = ds @ a_prev.T
    dba = np.sum(ds, axis=1, keepdims=True)
    return {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}
    # END SOLUTION
    raise NotImplementedError("rnn_cell_backward: go back through the tanh, then through each term")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_rnn_cell_backward(rnn_cell_backward):
    from rnn_zoo.grading import check_function
    check_function(rnn_cell_backward, "rnn_cell_backward").assert_passed()


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_rnn_cell_backward_hidden(rnn_cell_backward):
    from rnn_zoo.grading import check_function
    check_function(rnn_cell_backward, "rnn_cell_backward", seed=2024).assert_passed()


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
parameters = random_rnn(n_x=3, n_a=5, n_y=2, seed=1)
rng = np.random.default_rng(2)
xt, a_prev, da_next = rng.normal(size=(3, 10)), rng.normal(size=(5, 10)), rng.normal(size=(5, 10))
_, _, cache = rnn_cell_forward(xt, a_prev, parameters)
gradients = rnn_cell_backward(da_next, cache)
for key, index in (("dxt", (1, 2)), ("da_prev", (2, 3)), ("dWax", (3, 1)), ("dWaa", (1, 2)), ("dba", (4, 0))):
    print(f"{key}{list(index)} = {gradients[key][index]:.4f}   {key}.shape = {gradients[key].shape}")

# %% [markdown]
# **Expected output:**
# ```
# dxt[1, 2] = 0.4266   dxt.shape = (3, 10)
# da_prev[2, 3] = -0.3888   da_prev.shape = (5, 10)
# dWax[3, 1] = 0.4511   dWax.shape = (5, 3)
# dWaa[1, 2] = 0.1360   dWaa.shape = (5, 5)
# dba[4, 0] = -0.1350   dba.shape = (5, 1)
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: 2
# all_or_nothing: true

# %% [markdown]
# ## Question 2 · Through time: `rnn_backward`
#
# `da` `(n_a, m, T_x)` holds the gradient that arrives at every state $a^{\langle t \rangle}$
# from outside the recurrence (from the outputs). But $a^{\langle t \rangle}$ also fed
# $a^{\langle t+1 \rangle}$, so going back from $t = T_x$ the gradient at step $t$ is
# `da[:, :, t]` **plus** the `da_prev` that step $t+1$ sent back: this is the product of the
# Jacobians in the slide's formula, taken one factor at a time. The weights are shared by every
# step, so their gradients are **summed** over the steps. At the end, the `da_prev` of the first
# step is `da0`.
#
# Use your `rnn_cell_backward`. Return `{"dx", "da0", "dWax", "dWaa", "dba"}` with `dx` of
# shape `(n_x, m, T_x)`.

# %% [raw]
# # BEGIN SOLUTION

# %%
def rnn_backward(da, caches):
    """Backpropagation through time: a dict with ``dx, da0, dWax, dWaa, dba``."""
    step_caches, x = caches
    n_a, m, T_x = da.shape
    n_x = x.shape[0]
    # BEGIN SOLUTION NO PROMPT
    dx = np.zeros((n_x, m, T_x))
    dWax, dWaa, dba = np.zeros((n_a, n_x)), np.zeros((n_a, n_a)), np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, step_caches[t])
        dx[:, :, t] = gradients["dxt"]
        da_prevt = gradients["da_prev"]
        dWax += gradients["dWax"]
        dWaa += gradients["dWaa"]
        dba += gradients["dba"]
    return {"dx": dx, "da0": da_prevt, "dWax": dWax, "dWaa": dWaa, "dba": dba}
    # END SOLUTION
    raise NotImplementedError("rnn_backward: loop rnn_cell_backward backwards over the time steps")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_rnn_backward(rnn_backward):
    from rnn_zoo.grading import check_function
    check_function(rnn_backward, "rnn_backward").assert_passed()


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_rnn_backward_hidden(rnn_backward):
    from rnn_zoo.grading import check_function
    check_function(rnn_backward, "rnn_backward", seed=2024).assert_passed()


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
parameters = random_rnn(n_x=3, n_a=5, n_y=2, seed=3)
rng = np.random.default_rng(4)
x, a0, da = rng.normal(size=(3, 10, 4)), rng.normal(size=(5, 10)), rng.normal(size=(5, 10, 4))
a, y_pred, caches = rnn_forward(x, a0, parameters)
gradients = rnn_backward(da, caches)
print(f"dx[1][2] = {gradients['dx'][1][2]}   dx.shape = {gradients['dx'].shape}")
for key, index in (("da0", (2, 3)), ("dWax", (3, 1)), ("dWaa", (1, 2)), ("dba", (4, 0))):
    print(f"{key}{list(index)} = {gradients[key][index]:.4f}   {key}.shape = {gradients[key].shape}")

# %% [markdown]
# **Expected output:**
# ```
# dx[1][2] = [-1.7984 -2.7053 -0.3256  0.0453]   dx.shape = (3, 10, 4)
# da0[2, 3] = -1.4621   da0.shape = (5, 10)
# dWax[3, 1] = -1.7234   dWax.shape = (5, 3)
# dWaa[1, 2] = 5.0112   dWaa.shape = (5, 5)
# dba[4, 0] = -1.2989   dba.shape = (5, 1)
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q3
# points: 2
# all_or_nothing: true

# %% [markdown]
# ## Question 3 · The gradient check: `numerical_gradient`
#
# A backward pass written by hand is easy to get subtly wrong, so we check it against the
# definition of the derivative. For a function `f` that maps an array `x` to a number, the
# **centred** difference
#
# $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2 \varepsilon}$$
#
# has an error of order $\varepsilon^2$ (the one-sided $(f(x + \varepsilon e_i) - f(x)) / \varepsilon$
# only $\varepsilon$). Write `numerical_gradient(f, x, eps=1e-5)`: return an array of `x`'s shape
# holding that estimate for every entry $x_i$. Change `x` **in place** (one entry at a time) and
# put every entry back as it was: `f` may read `x` through a closure, as in the check below, and
# `x` must be unchanged when you return.

# %% [raw]
# # BEGIN SOLUTION

# %%
def numerical_gradient(f, x, eps=1e-5):
    """Centred finite differences of the scalar ``f()`` with respect to every entry of ``x``."""
    # BEGIN SOLUTION NO PROMPT
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + eps
        plus = f(x)
        x[i] = saved - eps
        minus = f(x)
        x[i] = saved
        grad[i] = (plus - minus) / (2 * eps)
    return grad
    # END SOLUTION
    raise NotImplementedError("numerical_gradient: centred differences, one entry at a time")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_numerical_gradient(numerical_gradient):
    import numpy as np

    def problem():
        x = np.array([[1.0, 2.0, -1.0], [0.5, -2.0, 3.0]])
        before = x.copy()
        grad = numerical_gradient(lambda v: float(np.sum(v ** 3)), x)
        if not (isinstance(grad, np.ndarray) and grad.shape == x.shape):
            return (f"numerical_gradient must return an array of x's shape {x.shape}; it returned "
                    f"{type(grad).__name__} {getattr(grad, 'shape', '')}")
        if not np.array_equal(x, before):
            return "numerical_gradient changed x: put every entry back as it was"
        expected = 3 * x ** 2  # d/dx sum(x^3)
        one_sided = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            shifted = x.copy()
            shifted[i] += 1e-5
            one_sided[i] = (np.sum(shifted ** 3) - np.sum(x ** 3)) / 1e-5
        if np.allclose(grad, one_sided, rtol=1e-9, atol=1e-9):
            return ("numerical_gradient takes a one-sided difference (f(x + eps) - f(x)) / eps; use "
                    "the centred one, (f(x + eps) - f(x - eps)) / (2 eps)")
        if not np.allclose(grad, expected, rtol=1e-7, atol=1e-8):
            return (f"for f(x) = sum(x**3) at x = {x.tolist()} the gradient is 3 x**2 = "
                    f"{expected.tolist()}; numerical_gradient gave {np.round(grad, 6).tolist()}")
        return ""

    message = problem()
    assert not message, message


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_numerical_gradient_against_rnn_backward(numerical_gradient):
    import numpy as np
    from rnn_zoo import functional
    rng = np.random.default_rng(2024)
    n_x, n_a, m, T = 2, 3, 2, 3
    p = {"Wax": rng.normal(size=(n_a, n_x)), "Waa": rng.normal(size=(n_a, n_a)),
         "Wya": rng.normal(size=(2, n_a)), "ba": rng.normal(size=(n_a, 1)), "by": rng.normal(size=(2, 1))}
    x, a0, da = rng.normal(size=(n_x, m, T)), rng.normal(size=(n_a, m)), rng.normal(size=(n_a, m, T))
    analytic = functional.rnn_backward(da, functional.rnn_forward(x, a0, p)[2])
    errors = {}
    for key in ("Waa", "Wax", "ba"):
        numeric = numerical_gradient(lambda _: float(np.sum(da * functional.rnn_forward(x, a0, p)[0])), p[key])
        errors[key] = np.linalg.norm(numeric - analytic["d" + key]) / np.linalg.norm(numeric + analytic["d" + key])
    off = {k: f"{e:.2g}" for k, e in errors.items() if not e < 1e-7}
    problem = "" if not off else (
        f"numerical_gradient of sum(da * a) disagrees with rnn_backward (relative errors {off})")
    assert not problem, problem


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# Now check your `rnn_backward` of question 2 the way one checks any backward pass: a scalar
# loss $L = \sum_t \sum da^{\langle t \rangle} * a^{\langle t \rangle}$ (whose gradient with
# respect to each $a^{\langle t \rangle}$ is exactly `da`), its gradient with respect to each
# weight by finite differences, and the relative error
# $\lVert g_{num} - g \rVert / \lVert g_{num} + g \rVert$. Below about `1e-7` the two agree; a
# wrong term typically gives `1e-2` or more.

# %%
parameters = random_rnn(n_x=3, n_a=4, n_y=2, seed=5)
rng = np.random.default_rng(6)
x, a0, da = rng.normal(size=(3, 2, 5)), rng.normal(size=(4, 2)), rng.normal(size=(4, 2, 5))
gradients = rnn_backward(da, rnn_forward(x, a0, parameters)[2])


def loss(_):
    return float(np.sum(da * rnn_forward(x, a0, parameters)[0]))


for key in ("Wax", "Waa", "ba"):
    numeric = numerical_gradient(loss, parameters[key])
    error = np.linalg.norm(numeric - gradients["d" + key]) / np.linalg.norm(numeric + gradients["d" + key])
    print(f"d{key}: relative error {'below' if error < 1e-7 else 'ABOVE'} 1e-7:",
          "agree" if error < 1e-7 else "DIFFER")

# %% [markdown]
# **Expected output** (print `error` itself to see it: about `1e-10`, rounding):
# ```
# dWax: relative error below 1e-7: agree
# dWaa: relative error below 1e-7: agree
# dba: relative error below 1e-7: agree
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q4
# points: 1
# all_or_nothing: true

# %% [markdown]
# ## Question 4 · Clipping: `clip`
#
# When the recurrent Jacobians are large the product in the slide's formula grows exponentially
# with the distance $t - k$: the gradients *explode* (see the cell after this question). The
# simplest cure bounds every entry: write `clip(gradients, max_value)`, returning a **new** dict
# with the same keys in which every array is clipped element-wise to `[-max_value, max_value]`
# (`np.clip`). Leave the arrays you were given unchanged.

# %% [raw]
# # BEGIN SOLUTION

# %%
def clip(gradients, max_value):
    """Every gradient clipped element-wise to ``[-max_value, max_value]`` (a new dict)."""
    # BEGIN SOLUTION NO PROMPT
    return {key: np.clip(value, -max_value, max_value) for key, value in gradients.items()}
    # END SOLUTION
    raise NotImplementedError("clip: np.clip every gradient")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_clip(clip):
    from rnn_zoo.grading import check_function
    check_function(clip, "clip").assert_passed()


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_clip_leaves_its_input(clip):
    import numpy as np
    gradients = {"dWaa": np.array([[20.0, -0.5], [-7.0, 3.0]]), "db": np.array([[11.0], [-11.0]])}
    before = {k: v.copy() for k, v in gradients.items()}
    clipped = clip(gradients, 5.0)
    problem = ""
    if not all(np.array_equal(gradients[k], before[k]) for k in before):
        problem = "clip changed the arrays it was given: return clipped copies (np.clip without out=)"
    elif not (isinstance(clipped, dict) and np.array_equal(clipped.get("dWaa"), [[5.0, -0.5], [-5.0, 3.0]])
              and np.array_equal(clipped.get("db"), [[5.0], [-5.0]])):
        problem = "clip(gradients, 5.0) must return {'dWaa': [[5, -0.5], [-5, 3]], 'db': [[5], [-5]]}"
    assert not problem, problem


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
gradients = {"dWaa": np.array([[20.0, -0.5], [-7.0, 3.0]]), "dba": np.array([[11.0], [-11.0]])}
print(clip(gradients, 5.0))

# %% [markdown]
# **Expected output:**
# ```
# {'dWaa': array([[ 5. , -0.5],
#        [-5. ,  3. ]]), 'dba': array([[ 5.],
#        [-5.]])}
# ```

# %% [markdown]
# ## Exploding and vanishing gradients
#
# How much of the gradient at the last step reaches the first? Below, `da` is zero except at the
# last step, and we print the norm of `da0` for longer and longer sequences, with the recurrent
# weights `W_aa` scaled small and large (and no inputs, so that only the recurrence matters).

# %%
rng = np.random.default_rng(7)
n_a = 8
for scale in (0.5, 3.0):
    parameters = {"Wax": np.zeros((n_a, 1)), "Waa": scale * rng.normal(size=(n_a, n_a)) / np.sqrt(n_a),
                  "Wya": np.zeros((1, n_a)), "ba": np.zeros((n_a, 1)), "by": np.zeros((1, 1))}
    norms = []
    for T in (1, 5, 10, 20, 40):
        a0 = rng.normal(size=(n_a, 1))
        _, _, caches = rnn_forward(np.zeros((1, 1, T)), a0, parameters)
        da = np.zeros((n_a, 1, T))
        da[:, :, -1] = 1.0
        norms.append(np.linalg.norm(rnn_backward(da, caches)["da0"]))
    print(f"W_aa scale {scale}: |da0| for T = 1, 5, 10, 20, 40:", np.array(norms))

# %% [markdown]
# ## Reflection (not graded)
#
# 1. With the small `W_aa` the gradient vanishes. With the large one it does not explode here:
#    why not? (Look at what `1 - a**2` does when the states saturate near ±1.) When *does* a
#    vanilla RNN's gradient explode?
# 2. Clipping bounds each entry; another common cure rescales the whole gradient when its norm
#    exceeds a threshold (Keras's `clipnorm`). Which keeps the gradient's direction?
# 3. The slides' "The cat, which already ate, ..., was full": which of the two problems stops a
#    vanilla RNN from learning that agreement, and what in the GRU (assignment 2) fixes it?
#
# *Your answers here.*
