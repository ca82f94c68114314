"""What every tutorial notebook (``notebooks/*.py``) starts with, in one place, so that a
notebook's first cell holds only what is its own: :func:`setup` (TensorFlow's log level, the
seed, NumPy's print options, the versions line), Markdown tables (:func:`table`), a function's
source (:func:`show_source`), a figure made without pyplot (:func:`show_figure`), a character
as a label (:func:`char_label`), and :func:`check`, which asserts that two computations agree and
records by how much in :data:`RESULTS`.

``import rnn_zoo`` does not import this module, and this module imports neither TensorFlow,
Keras, IPython nor matplotlib until a function needs it: a notebook imports it first, and
:func:`setup` sets the log level before TensorFlow loads.
"""

import inspect
import io
import os
import re
import textwrap
import time

import numpy as np

RESULTS = {}
"""Every :func:`check` since :func:`setup`: its name -> the largest |difference| it found."""


def small_mode():
    """Whether ``RNN_ZOO_SMALL=1`` is set: the test suite's fast mode (less data, smaller networks,
    shorter trainings), set by ``notebooks/run.py --small``."""
    return os.environ.get("RNN_ZOO_SMALL") == "1"


def setup(seed=0, precision=4, note=None):
    """The start of a notebook; returns ``(start, small)``: ``time.perf_counter()`` before
    TensorFlow loads (the last cell prints the run time from it) and :func:`small_mode`.

    Sets ``TF_CPP_MIN_LOG_LEVEL=2`` unless it is set (before TensorFlow is imported, which this
    does), empties :data:`RESULTS`, seeds Python, NumPy and the backend with ``seed``
    (``keras.utils.set_random_seed``), has NumPy print ``precision`` decimals without scientific
    notation in 110 columns, and prints one line::

        TensorFlow 2.21.0, Keras 3.15.1, small mode: False

    followed by ``, {note}`` when ``note`` is given (notebook 01 adds ``T = 40``).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported
    start = time.perf_counter()
    import keras
    import tensorflow as tf

    small = small_mode()
    RESULTS.clear()
    keras.utils.set_random_seed(seed)
    np.set_printoptions(precision=precision, suppress=True, linewidth=110)
    line = f"TensorFlow {tf.__version__}, Keras {keras.__version__}, small mode: {small}"
    print(line if note is None else f"{line}, {note}")
    return start, small


_CODE_SPAN = re.compile(r"(`[^`]*`)")


def markdown_cell(value):
    """``str(value)`` as the text of one Markdown table cell: ``|`` escaped, and ``<`` and ``>``
    outside code spans (text between backticks, which shows them as written already), so that
    tokens such as ``<unk>`` show as written."""
    parts = _CODE_SPAN.split(str(value))  # odd indices: the code spans
    text = "".join(part if i % 2 else part.replace("<", "&lt;").replace(">", "&gt;")
                   for i, part in enumerate(parts))
    return text.replace("|", "\\|")


def markdown_table(header, rows):
    """The Markdown of a table with the titles ``header`` and ``rows`` (each a sequence of cells,
    any values, written by :func:`markdown_cell`)."""
    lines = ["| " + " | ".join(map(markdown_cell, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(markdown_cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def table(header, rows):
    """Display :func:`markdown_table` ``(header, rows)`` in the notebook."""
    from IPython.display import Markdown, display

    display(Markdown(markdown_table(header, rows)))


def show_source(*functions):
    """Display the source of ``functions`` (or classes) as one highlighted Python code block."""
    from IPython.display import Markdown, display

    source = "\n".join(textwrap.dedent(inspect.getsource(f)) for f in functions)
    display(Markdown(f"```python\n{source}```"))


def show_figure(figure, dpi=100):
    """Display a matplotlib ``Figure`` made without pyplot (as
    :func:`rnn_zoo.studies.gates.plot_gates` returns it) as a PNG of ``dpi`` dots per inch."""
    from IPython.display import Image, display

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    display(Image(buffer.getvalue()))


def char_label(char):
    """A character as a label: the end character ``"\\n"`` as ⏎, a space as ␣, any other as
    itself."""
    return {"\n": "⏎", " ": "␣"}.get(char, char)


def check(name, actual, expected, atol=1e-5, rtol=1e-5):
    """Assert that ``actual`` and ``expected`` agree: two arrays, or two lists (tuples) of arrays
    compared pair by pair, of the same shapes and equal to ``atol + rtol * |expected|``
    (``numpy.testing.assert_allclose``; the default is float32's round-off over a few steps).
    Prints the largest |difference| and records it as ``RESULTS[name]``."""
    if isinstance(actual, (list, tuple)):
        assert len(actual) == len(expected), (name, len(actual), len(expected))
        pairs = list(zip(actual, expected))
    else:
        pairs = [(actual, expected)]
    diff = 0.0
    for a, e in pairs:
        a, e = np.asarray(a), np.asarray(e)
        assert a.shape == e.shape, (name, a.shape, e.shape)
        np.testing.assert_allclose(a, e, atol=atol, rtol=rtol, err_msg=name)
        diff = max(diff, float(np.max(np.abs(a - e))))
    RESULTS[name] = diff
    print(f"{name:<58} max |diff| = {diff:.2e}")
