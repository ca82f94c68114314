r"""Gradient clipping and character sampling, as in the course's "Dinosaurus Island"."""

import numpy as np

from rnn_zoo.functional import shapes
from rnn_zoo.functional.activations import softmax


def clip(gradients, max_value):
    r"""Every gradient clipped element-wise to ``[-max_value, max_value]``:

    .. math:: g \leftarrow \min(\max(g, -\text{max\_value}), \text{max\_value})

    against exploding gradients (slide section 5).  Returns a new dict; ``gradients`` and its
    arrays are left unchanged.
    """
    gradients = shapes.mapping("gradients", gradients)
    max_value = shapes.positive_number("max_value", max_value)
    clipped = {}
    for key, gradient in gradients.items():
        shapes.array(f"gradients[{key!r}]", gradient)
        clipped[key] = np.clip(gradient, -max_value, max_value)
    return clipped


def sample(parameters, char_to_ix, seed=0, max_length=50):
    r"""Sample a sequence of characters from a character-level RNN language model.

    ``parameters`` holds ``Wax`` (n_a, vocab_size), ``Waa``, ``Wya`` (vocab_size, n_a), ``ba``,
    ``by``.  Starting from ``x<1> = 0`` (no character yet) and ``a<0> = 0``, each step is

    .. math::

        a^{<t>} = \tanh(W_{ax} x^{<t>} + W_{aa} a^{<t-1>} + b_a)

        \hat y^{<t>} = \mathrm{softmax}(W_{ya} a^{<t>} + b_y)

    then an index is drawn with probabilities ``ŷ<t>`` and its one-hot vector becomes
    ``x<t+1>`` (slide section 10: feed the sample back in).  Sampling stops once the newline
    ``char_to_ix["\n"]`` is drawn or after ``max_length`` characters; in the second case the
    newline index is appended, as the course does, so the list always ends with it (and holds
    at most ``max_length + 1`` indices; the course appends it even when the ``max_length``-th
    draw was itself a newline, this function does not).  The draws come from one
    ``np.random.default_rng(seed)`` for the whole call.

    Returns the list of sampled indices (Python ints).
    """
    sizes = {}
    Wax, Waa, ba, Wya, by = shapes.sampler_parameters("parameters", parameters, sizes)
    vocab_size = sizes["vocab_size"]
    char_to_ix = shapes.char_to_ix("char_to_ix", char_to_ix, vocab_size)
    seed = shapes.seed("seed", seed)
    max_length = shapes.positive_int("max_length", max_length)
    rng = np.random.default_rng(seed)

    newline = char_to_ix["\n"]
    x = np.zeros((vocab_size, 1))                            # x<1> = 0
    a_prev = np.zeros((sizes["n_a"], 1))                     # a<0> = 0
    indices = []
    idx = -1
    while idx != newline and len(indices) < max_length:
        a = np.tanh(Wax @ x + Waa @ a_prev + ba)             # a<t>
        y = softmax((Wya @ a + by).astype(np.float64))       # ŷ<t>
        idx = int(rng.choice(vocab_size, p=y.ravel()))       # draw a character
        indices.append(idx)
        x = np.zeros((vocab_size, 1))                        # x<t+1> = one-hot(idx)
        x[idx] = 1
        a_prev = a

    if idx != newline:                                       # stopped by max_length
        indices.append(newline)
    return indices
