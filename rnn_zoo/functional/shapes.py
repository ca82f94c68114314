r"""The argument checks of :mod:`rnn_zoo.functional`, all in one place.

Every check raises ``ValueError`` (wrong rank, wrong shape, sizes that disagree, a bad value) or
``TypeError`` (not a NumPy array, not real numbers, not a dict, a missing parameter) with a
message that names the argument, says what was received and what was expected, e.g.::

    parameters['ba'] must have shape (n_a, 1) = (5, 1), a column; received shape (1, 5)

Sizes (``n_x``, ``n_a``, ``n_y``, ``m``, ``T_x``) are read off the arguments as they are checked:
each function keeps a ``sizes`` dict, the first array that has a size fixes it, and every later
shape is checked against it.  A shape is written with those names, e.g. ``("n_a", "m")``, a
fixed number (``("n_a", 1)`` for a bias column) or a sum (``("n_a", "n_a + n_x")`` for a gate's
``W`` acting on ``[a_prev; xt]``).

A bias of shape ``(n,)`` is refused, not reshaped: NumPy broadcasts it along the *last* axis,
the batch, so with ``m == n_a`` it would silently add ``b[j]`` to example ``j``.
"""

from collections.abc import Mapping
import math
import numbers

import numpy as np

# The weights of each cell in the course's layout (``W`` of a gate acts on [a_prev; xt]).
GATE_WEIGHT = ("n_a", "n_a + n_x")
BIAS = ("n_a", 1)
CELL_PARAMETERS = {
    "rnn": {"Wax": ("n_a", "n_x"), "Waa": ("n_a", "n_a"), "ba": BIAS},
    "lstm": {"Wf": GATE_WEIGHT, "bf": BIAS, "Wi": GATE_WEIGHT, "bi": BIAS,
             "Wc": GATE_WEIGHT, "bc": BIAS, "Wo": GATE_WEIGHT, "bo": BIAS},
    "gru": {"Wu": GATE_WEIGHT, "bu": BIAS, "Wr": GATE_WEIGHT, "br": BIAS,
            "Wc": GATE_WEIGHT, "bc": BIAS},
}
# The softmax output layer on top of a<t>: Wya/by for the RNN (as in the course), Wy/by otherwise.
OUTPUT_PARAMETERS = {
    "rnn": {"Wya": ("n_y", "n_a"), "by": ("n_y", 1)},
    "lstm": {"Wy": ("n_y", "n_a"), "by": ("n_y", 1)},
    "gru": {"Wy": ("n_y", "n_a"), "by": ("n_y", 1)},
}
# A character-level RNN language model: one input and one output per character.
SAMPLER_PARAMETERS = {"Wax": ("n_a", "vocab_size"), "Waa": ("n_a", "n_a"), "ba": BIAS,
                      "Wya": ("vocab_size", "n_a"), "by": ("vocab_size", 1)}

# What each cell's forward function puts in its cache, in order.
CELL_CACHES = {
    "rnn_cell_forward": ("a_next", "a_prev", "xt", "parameters"),
    "lstm_cell_forward": ("a_next", "c_next", "a_prev", "c_prev", "ft", "it", "cct", "ot", "xt",
                          "parameters"),
    "gru_cell_forward": ("a_next", "a_prev", "ut", "rt", "cct", "xt", "parameters"),
}
FAMILY_OF = {"rnn_cell_forward": "rnn", "lstm_cell_forward": "lstm", "gru_cell_forward": "gru"}


# ------------------------------------------------------------------------------------ arrays
def array(name, value):
    """``value`` is a NumPy array of real numbers; integer arrays come back as float64."""
    if not isinstance(value, np.ndarray):
        hint = "; convert it with np.array(...)" if isinstance(value, (list, tuple)) else ""
        raise TypeError(f"{name} must be a NumPy array; received {_describe(value)}{hint}")
    if np.issubdtype(value.dtype, np.integer):
        return value.astype(np.float64)
    if not np.issubdtype(value.dtype, np.floating):
        raise TypeError(
            f"{name} must hold real numbers (a float or int array); received an array of "
            f"dtype {value.dtype}"
        )
    return value


def shaped(name, value, dims, sizes, note=""):
    """``value`` is an array of shape ``dims``; sizes not yet in ``sizes`` are read off it.

    ``dims`` names each axis: a size (``"n_a"``), a sum of sizes (``"n_a + n_x"``) or a number.
    ``note`` is appended to the expected shape (``", a column"``)."""
    value = array(name, value)
    if value.ndim != len(dims):
        hint = "; reshape it with .reshape(-1, 1)" if dims[-1] == 1 and value.ndim == 1 else ""
        raise ValueError(
            f"{name} must be a {len(dims)}-D array of shape {expected_shape(dims, sizes)}{note}; "
            f"received a {value.ndim}-D array of shape {value.shape}{hint}"
        )
    for dim, n in zip(dims, value.shape):
        want = resolve(dim, sizes)
        if want is None:
            _learn(name, value, dims, dim, n, sizes)
        elif n != want:
            raise ValueError(
                f"{name} must have shape {expected_shape(dims, sizes)}{note}; "
                f"received shape {value.shape}"
            )
    return value


def expected_shape(dims, sizes):
    """``(n_a, m) = (5, 4)``, or just ``(n_a, m)`` while a size is unknown."""
    names = "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"
    values = [resolve(d, sizes) for d in dims]
    if all(isinstance(d, int) for d in dims) or None in values:
        return names
    return f"{names} = {tuple(values)}"


def resolve(dim, sizes):
    """The number ``dim`` stands for, or None while one of its sizes is unknown."""
    if isinstance(dim, int):
        return dim
    terms = [sizes.get(term.strip()) for term in dim.split("+")]
    return None if None in terms else sum(terms)


def _learn(name, value, dims, dim, n, sizes):
    """Read the one unknown size in ``dim`` off ``n`` (an axis of ``value``)."""
    terms = [term.strip() for term in dim.split("+")]
    unknown = [term for term in terms if term not in sizes]
    n_unknown = n - sum(sizes[term] for term in terms if term in sizes)
    if len(unknown) != 1 or n_unknown < 1:
        raise ValueError(
            f"{name} must have shape {expected_shape(dims, sizes)} with every size at least 1; "
            f"received shape {value.shape}"
        )
    sizes[unknown[0]] = n_unknown


# -------------------------------------------------------------------------------- parameters
def mapping(name, value):
    """``value`` is a dict (any mapping)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict; received {_describe(value)}")
    return value


def parameter(name, parameters, key, dims, sizes):
    """``parameters[key]`` is there and has shape ``dims``."""
    if key not in parameters:
        raise TypeError(
            f"{name} has no key {key!r}: it must hold an array {key!r} of shape "
            f"{expected_shape(dims, sizes)}; received keys {sorted(map(str, parameters))}"
        )
    note = ", a column" if dims[-1] == 1 else ""
    if dims == GATE_WEIGHT:
        note = ", acting on [a_prev; xt]"
    return shaped(f"{name}[{key!r}]", parameters[key], dims, sizes, note)


def parameters(name, value, family, sizes, output=True):
    """The weights of ``family`` ("rnn", "lstm", "gru"), checked, in the table's order (then the
    output layer's, when ``output``)."""
    table = dict(CELL_PARAMETERS[family])
    if output:
        table.update(OUTPUT_PARAMETERS[family])
    return _table(name, value, table, sizes)


def sampler_parameters(name, value, sizes):
    """The weights of a character-level RNN language model (Wax, Waa, ba, Wya, by), checked."""
    return _table(name, value, SAMPLER_PARAMETERS, sizes)


def _table(name, value, table, sizes):
    value = mapping(name, value)
    return tuple(parameter(name, value, key, dims, sizes) for key, dims in table.items())


# ------------------------------------------------------------------------------------ caches
def cell_cache(name, value, producer, sizes):
    """The tuple ``producer`` (``"rnn_cell_forward"``, ...) returned, every item checked.

    Returns the checked items in the cache's order, the parameters as a tuple of the cell's
    weights (no output layer: the backward passes do not need it)."""
    layout = CELL_CACHES[producer]
    family = FAMILY_OF[producer]
    expected = f"the {len(layout)}-tuple ({', '.join(layout)}) returned by {producer}"
    if not isinstance(value, tuple):
        raise TypeError(f"{name} must be {expected}; received {_describe(value)}")
    if len(value) != len(layout):
        raise ValueError(
            f"{name} must be {expected}; received a tuple of {len(value)} items"
            f"{_looks_like(len(value))}"
        )
    items = []
    for i, (item, what) in enumerate(zip(value, layout)):
        if what == "parameters":
            items.append(parameters(f"{name}[{i}] ({what})", item, family, sizes, output=False))
        elif what == "xt":
            items.append(shaped(f"{name}[{i}] ({what})", item, ("n_x", "m"), sizes))
        else:
            items.append(shaped(f"{name}[{i}] ({what})", item, ("n_a", "m"), sizes))
    return tuple(items)


def sequence_caches(name, value, producer, sizes):
    """The ``(caches, x)`` pair a sequence's forward function returned; each of ``caches`` is
    checked as a ``producer`` cache, ``x`` is ``(n_x, m, T_x)`` with one cache per step."""
    sequence = producer.replace("_cell", "")
    expected = f"the pair (caches, x) returned by {sequence}"
    if not isinstance(value, tuple):
        raise TypeError(f"{name} must be {expected}; received {_describe(value)}")
    if len(value) != 2:
        raise ValueError(
            f"{name} must be {expected}; received a tuple of {len(value)} items"
            f"{_looks_like(len(value))}"
        )
    steps, x = value
    if not isinstance(steps, (list, tuple)):
        raise TypeError(
            f"{name}[0] must be the list of {producer} caches, one per step; "
            f"received {_describe(steps)}"
        )
    x = shaped(f"{name}[1] (x)", x, ("n_x", "m", "T_x"), sizes)
    if len(steps) != sizes["T_x"]:
        raise ValueError(
            f"{name}[0] must hold one {producer} cache per time step, T_x = {sizes['T_x']} "
            f"(from {name}[1], x of shape {x.shape}); received {len(steps)}"
        )
    for t, cache in enumerate(steps):
        cell_cache(f"{name}[0][{t}]", cache, producer, sizes)
    return list(steps), x


def _looks_like(length):
    matches = [producer for producer, layout in CELL_CACHES.items() if len(layout) == length]
    if length == 2:
        matches = ["rnn_forward, lstm_forward or gru_forward (a whole sequence's caches)"]
    return f" (the length of a cache from {matches[0]})" if matches else ""


# ------------------------------------------------------------------------------------ scalars
def positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer; received {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer; received {name}={value!r}")
    return int(value)


def positive_number(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number; received {_describe(value)}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number; received {name}={value!r}")
    return float(value)


def seed(name, value):
    """A seed for ``np.random.default_rng``: None or a non-negative integer."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be None or a non-negative integer; received {_describe(value)}")
    if value < 0:
        raise ValueError(
            f"{name} must be None or a non-negative integer; received {name}={value!r}")
    return int(value)


def char_to_ix(name, value, vocab_size):
    """A dict from characters to the indices 0..vocab_size-1, one each, with ``"\\n"``."""
    value = mapping(name, value)
    if "\n" not in value:
        raise ValueError(
            f"{name} must contain the newline character '\\n' (it ends a sample); "
            f"received keys {sorted(map(str, value))[:20]}"
        )
    indices = list(value.values())
    odd = {k: i for k, i in value.items()
           if isinstance(i, bool) or not isinstance(i, numbers.Integral)}
    if odd:
        raise TypeError(f"{name} must map characters to integer indices; received {odd}")
    if sorted(indices) != list(range(vocab_size)):
        raise ValueError(
            f"{name} must map vocab_size = {vocab_size} characters (the columns of "
            f"parameters['Wax']) one-to-one onto the indices 0..{vocab_size - 1}; received "
            f"{len(value)} characters with indices {sorted(indices)[:20]}"
        )
    return value


def choice(name, value, choices):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {list(choices)}; received {_describe(value)}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; received {name}={value!r}")
    return value


def _describe(value):
    """``a list of 4 items``, ``str 'W'``: what was received, in one line."""
    if isinstance(value, (list, tuple, dict)):
        return f"a {type(value).__name__} of {len(value)} items"
    text = " ".join(repr(value).split())
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{type(value).__name__} {text}"
