"""rnn_zoo: recurrent cells that read like the lecture slides, proven equal to Keras's built-ins.

The names below load on first use, so ``import rnn_zoo`` (and the NumPy-only
``rnn_zoo.functional`` and ``rnn_zoo.grading.check_function``) import neither Keras nor a
backend until a Keras object is asked for.
"""

import importlib
import importlib.abc
import importlib.util
import sys

# public name -> the module that defines it
_EXPORTS = {
    "from_keras": "rnn_zoo.proof.convert",
    "to_keras": "rnn_zoo.proof.convert",
    "GRU": "rnn_zoo.cells.gru",
    "GRUCell": "rnn_zoo.cells.gru",
    "SimplifiedGRU": "rnn_zoo.cells.gru",
    "SimplifiedGRUCell": "rnn_zoo.cells.gru",
    "LSTM": "rnn_zoo.cells.lstm",
    "LSTMCell": "rnn_zoo.cells.lstm",
    "scan_rnn": "rnn_zoo.cells.scan",
    "SimpleRNN": "rnn_zoo.cells.simple_rnn",
    "SimpleRNNCell": "rnn_zoo.cells.simple_rnn",
    "TwoStepRNN": "rnn_zoo.cells.two_step",
}

__all__ = list(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rnn_zoo' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))


# Modules whose layers are registered with Keras (``keras.saving.register_keras_serializable``),
# so that ``keras.models.load_model`` finds them in a saved ``.keras`` file.
_SERIALIZABLE = ("rnn_zoo.cells.simple_rnn", "rnn_zoo.cells.gru", "rnn_zoo.cells.lstm", "rnn_zoo.cells.two_step")


def _register_layers():
    for module in _SERIALIZABLE:
        importlib.import_module(module)


class _RegisterWhenKerasLoads(importlib.abc.MetaPathFinder):
    """Registers the zoo's layers right after Keras is first imported, and only then."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "keras":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("keras")
        if spec is not None and spec.loader is not None:
            exec_module = spec.loader.exec_module

            def exec_then_register(module):
                exec_module(module)
                _register_layers()

            spec.loader.exec_module = exec_then_register
        return spec


if "keras" in sys.modules:
    _register_layers()
elif not any(isinstance(f, _RegisterWhenKerasLoads) for f in sys.meta_path):
    sys.meta_path.insert(0, _RegisterWhenKerasLoads())
