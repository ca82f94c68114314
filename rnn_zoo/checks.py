"""Argument checks shared by the zoo: each raises ``ValueError``/``TypeError`` naming the
argument, the value received and what was expected."""

import numbers
import re

import numpy as np
from keras import backend, ops, tree


def positive_int(name, value):
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"`{name}` must be a positive integer; received {name}={value!r}")
    if value <= 0:
        raise ValueError(f"`{name}` must be a positive integer; received {name}={value!r}")
    return int(value)


def boolean(name, value):
    if not isinstance(value, bool):
        raise TypeError(f"`{name}` must be True or False; received {name}={value!r}")
    return value


def rate(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"`{name}` must be a float in [0, 1); received {name}={value!r}")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"`{name}` must be in [0, 1); received {name}={value!r}")
    return float(value)


def number(name, value, expected, is_valid):
    """``value`` as a float: a real number (not a bool) for which ``is_valid(value)`` holds;
    ``expected`` says what that is in the error (e.g. ``"a finite number >= 0"``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be {expected}; received {name}={value!r}")
    if not is_valid(value):
        raise ValueError(f"`{name}` must be {expected}; received {name}={value!r}")
    return float(value)


def snake_case(name):
    """``SimpleRNNCell`` -> ``simple_rnn_cell``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _shape(x):
    return tuple(getattr(x, "shape", ()))


def _same(a, b):
    """Static dimensions agree (an unknown one agrees with anything)."""
    return a is None or b is None or a == b


def sequences(x, input_dim):
    """``x`` is a float tensor of shape ``(batch, time, input_dim)``."""
    shape = _shape(x)
    if len(shape) != 3:
        raise ValueError(
            f"`inputs` must have shape (batch, time, features); received shape {shape}"
        )
    if shape[1] == 0:
        raise ValueError(f"`inputs` must have at least one time step (a recurrent layer has no "
                         f"output for an empty sequence); received shape {shape}")
    if not _same(shape[-1], input_dim):
        raise ValueError(
            f"`inputs` must have {input_dim} features (the layer was built for that); "
            f"received shape {shape}"
        )
    dtype = backend.standardize_dtype(x.dtype)
    if not backend.is_float_dtype(dtype):
        raise TypeError(f"`inputs` must be a floating-point tensor; received dtype {dtype}")


def initial_state(states, state_size, x):
    """``states`` holds one ``(batch, size)`` tensor per size in ``state_size`` (which may be
    nested, as for stacked cells); returns them as a list shaped like ``state_size``."""
    sizes = tree.flatten(list(state_size))
    flat = tree.flatten(states)
    if len(flat) != len(sizes):
        raise ValueError(
            f"`initial_state` must hold {len(sizes)} tensor(s), one per state of sizes "
            f"{list(state_size)}; received {len(flat)}"
        )
    batch = _shape(x)[0]
    for i, (state, size) in enumerate(zip(flat, sizes)):
        shape = _shape(ops.convert_to_tensor(state))
        if len(shape) != 2 or not _same(shape[0], batch) or not _same(shape[1], size):
            raise ValueError(
                f"`initial_state[{i}]` must have shape ({batch}, {size}); received shape {shape}"
            )
    return tree.pack_sequence_as(list(state_size), flat)


def mask(m, x):
    """``m`` has shape ``(batch, time)`` like the first two axes of ``x``."""
    shape = _shape(m)
    expected = _shape(x)[:2]
    if len(shape) != 2 or not all(_same(a, b) for a, b in zip(shape, expected)):
        raise ValueError(
            f"`mask` must have shape (batch, time) = {expected}; received shape {shape}"
        )


def choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {choices}; received {name}={value!r}")
    return value


def texts(name, texts):
    """``texts`` as a list of str; a bare string, or anything not a str inside, raises."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"`{name}` must be a list of strings, not a single string; received "
                        f"{name}={texts!r:.80} (wrap it: [{name}])")
    if isinstance(texts, np.ndarray) and texts.ndim != 1:
        raise ValueError(f"`{name}` must be 1-D; received an array of shape {texts.shape}")
    try:
        texts = list(texts)
    except TypeError:
        raise TypeError(f"`{name}` must be a list of strings; received "
                        f"{type(texts).__name__}") from None
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"`{name}` must hold only str; received {name}[{i}]={text!r:.80} "
                            f"of type {type(text).__name__}")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:       # lone surrogates: bytes that were not UTF-8
            raise ValueError(f"`{name}[{i}]` is not valid Unicode text (it holds "
                             f"{text[error.start:error.end]!r}, an undecodable byte); received "
                             f"{name}[{i}]={text!r:.80}") from None
    if not texts:
        raise ValueError(f"`{name}` must hold at least one text; received an empty {name}")
    return texts


def check_tokens(name, tokens):
    """``tokens`` is a list or tuple of tokens (a tokenized sentence), not a bare string (which
    would be read as characters); returns it as a list."""
    if not isinstance(tokens, (list, tuple)):
        raise TypeError(
            f"`{name}` must be a list of string tokens (a tokenized sentence); "
            f"received {name}={tokens!r:.80}"
        )
    return list(tokens)


def check_sentences(name, sentences):
    """``sentences`` is a non-empty sequence of tokenized sentences; returns it as a list."""
    if isinstance(sentences, str) or not hasattr(sentences, "__iter__"):
        raise TypeError(
            f"`{name}` must be a list of sentences, each a list of string tokens; "
            f"received {name}={sentences!r:.80}"
        )
    sentences = [check_tokens(f"{name}[{i}]", sentence) for i, sentence in enumerate(sentences)]
    if not sentences:
        raise ValueError(f"`{name}` must hold at least one sentence; received {name}=[]")
    return sentences
