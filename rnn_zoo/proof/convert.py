r"""Exact conversion between rnn_zoo and Keras's built-in recurrent layers and cells.

``from_keras(layer)`` and ``to_keras(layer)`` accept a cell (``SimpleRNNCell``, ``GRUCell``,
``LSTMCell``), a layer (``SimpleRNN``, ``GRU``, ``LSTM``), ``keras.layers.RNN`` over such a cell or
over ``StackedRNNCells`` of them, and ``keras.layers.Bidirectional`` of any of those.  The result
has the same configuration and the same weights (built, with every array's shape asserted),
stateful layers keep their current states, and the dropout seed generators their positions.  What changes between the two, all of it here:

=================  =========================  ===================================================
zoo                built-in                   arrays
=================  =========================  ===================================================
SimpleRNNCell      SimpleRNNCell              copied unchanged
LSTMCell           LSTMCell                   copied unchanged (blocks u,f,c,o = i,f,c,o)
GRUCell            GRUCell                    u block = -(z block): Γ_u = 1 - z  (below)
SimplifiedGRUCell  GRUCell(reset_after=False) r block added: weights 0, bias +100, so Γ_r = 1
=================  =========================  ===================================================

Γ_u = 1 - z: Keras's GRU writes ``h = z * h_prev + (1 - z) * h~``, the slides
``c = Γ_u * c~ + (1 - Γ_u) * c_prev``.  For a recurrent activation with ``σ(-v) = 1 - σ(v)``
(``sigmoid``, ``hard_sigmoid``) negating the z block's kernel, recurrent kernel and bias gives
exactly ``Γ_u = 1 - z``; any other recurrent activation cannot be converted and raises.
A Keras ``GRU`` always converts to the full zoo ``GRU`` (never to a simplified one).

Settings that cannot be represented exactly raise ``ValueError`` naming the setting, never an
approximately-equal layer: a subclass of a built-in (its ``call`` may differ), a GRU's
non-symmetric ``recurrent_activation``, a simplified GRU with ``use_bias=False``, and ``recurrent_dropout > 0`` on a GRU or LSTM (Keras
then draws one mask per gate; the zoo draws one per sequence).
"""

import keras
import numpy as np

from rnn_zoo.cells.gru import GRU, GRUCell, SimplifiedGRU, SimplifiedGRUCell
from rnn_zoo.cells.lstm import LSTM, LSTMCell
from rnn_zoo.cells.simple_rnn import SimpleRNN, SimpleRNNCell

# (built-in, zoo) pairs; from_keras reads it left to right, to_keras right to left.
PAIRS = (
    (keras.layers.SimpleRNNCell, SimpleRNNCell),
    (keras.layers.GRUCell, GRUCell),
    (keras.layers.LSTMCell, LSTMCell),
    (keras.layers.SimpleRNN, SimpleRNN),
    (keras.layers.GRU, GRU),
    (keras.layers.LSTM, LSTM),
)
TO_KERAS = {zoo: builtin for builtin, zoo in PAIRS}
TO_KERAS.update({SimplifiedGRUCell: keras.layers.GRUCell, SimplifiedGRU: keras.layers.GRU})
FROM_KERAS = {builtin: zoo for builtin, zoo in PAIRS}

SYMMETRIC_ACTIVATIONS = ("sigmoid", "hard_sigmoid")  # σ(-v) = 1 - σ(v)
SATURATED_BIAS = 100.0  # σ(100) and hard_sigmoid(100) are exactly 1.0 in float16/32/64


def from_keras(layer):
    """A zoo copy of a built-in recurrent layer or cell: same configuration, same weights."""
    return _convert(layer, FROM_KERAS, "from_keras")


def to_keras(layer):
    """A built-in copy of a zoo recurrent layer or cell: same configuration, same weights."""
    return _convert(layer, TO_KERAS, "to_keras")


def builtin_network(network):
    """A clone of the Keras model ``network`` with every recurrent layer (``keras.layers.RNN``
    or ``Bidirectional``) replaced by :func:`to_keras` of it, a built-in with the same weights;
    the other layers are shared, not copied."""

    def builtin(layer):
        recurrent = isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))
        return to_keras(layer) if recurrent else layer

    return keras.models.clone_model(network, clone_function=builtin)


def flip_update_gate(array, units):
    """Negate the first gate block (last axis): Keras's z block <-> the zoo's Γ_u block.

    An involution, so one function serves both directions (and maps gradients too)."""
    array = np.array(array, copy=True)
    array[..., :units] = -array[..., :units]
    return array


def _convert(obj, table, verb):
    if isinstance(obj, keras.layers.Bidirectional):
        if not obj.built:
            raise _unbuilt(obj, verb)
        forward = _new_like(obj.forward_layer, table, verb)
        backward = _new_like(obj.backward_layer, table, verb)
        new = keras.layers.Bidirectional(
            forward, backward_layer=backward, merge_mode=obj.merge_mode, name=obj.name
        )
        new.build(_sequences_shape(obj.forward_layer))
        _copy(obj.forward_layer, new.forward_layer, verb)
        _copy(obj.backward_layer, new.backward_layer, verb)
        return new
    new = _new_like(obj, table, verb)
    _copy(obj, new, verb)
    return new


def _new_like(obj, table, verb):
    """An unbuilt object of the target class with ``obj``'s configuration."""
    if type(obj) is keras.layers.RNN:
        config = obj.get_config()
        del config["cell"]
        return keras.layers.RNN(_new_like(obj.cell, table, verb), **config)
    if type(obj) is keras.layers.StackedRNNCells:
        return keras.layers.StackedRNNCells([_new_like(c, table, verb) for c in obj.cells])
    target = table.get(type(obj))
    if target is None:
        known = sorted({c.__name__ for c in table})
        raise ValueError(
            f"{verb}() cannot convert `layer` of type {type(obj).__module__}."
            f"{type(obj).__name__}; expected one of {known}, keras.layers.RNN over them, "
            "or keras.layers.Bidirectional of those"
        )
    _check_representable(obj, verb)
    config = obj.get_config()
    config.pop("use_cudnn", None)
    if hasattr(obj, "cell"):  # keras.layers.SimpleRNN.get_config() leaves its seed out
        config["seed"] = obj.cell.seed
    if target in (keras.layers.GRU, keras.layers.GRUCell):
        config.setdefault("reset_after", False)  # a simplified GRU has none
    return target.from_config(config)


def _check_representable(obj, verb):
    cell = getattr(obj, "cell", obj)
    if isinstance(cell, SimplifiedGRUCell) and not cell.use_bias:
        raise ValueError(
            f"{verb}() cannot convert a SimplifiedGRU with use_bias=False: a built-in GRU holds "
            "its relevance gate at exactly 1 only through its bias (use_bias=True)"
        )
    if isinstance(cell, (keras.layers.GRUCell, GRUCell, SimplifiedGRUCell)):
        name = keras.activations.serialize(cell.recurrent_activation)
        if name not in SYMMETRIC_ACTIVATIONS:
            raise ValueError(
                f"{verb}() cannot convert a GRU with recurrent_activation={name!r}: the zoo's "
                f"update gate is Γ_u = 1 - z, which needs σ(-v) = 1 - σ(v), true only for "
                f"{list(SYMMETRIC_ACTIVATIONS)}"
            )
    if not isinstance(cell, (keras.layers.SimpleRNNCell, SimpleRNNCell)):
        if cell.recurrent_dropout > 0:
            raise ValueError(
                f"{verb}() cannot convert recurrent_dropout={cell.recurrent_dropout} on a "
                f"{type(cell).__name__}: Keras draws one recurrent mask per gate, the zoo one "
                "per sequence; set recurrent_dropout=0 first (inference is unaffected)"
            )


def _unbuilt(obj, verb):
    return ValueError(
        f"{verb}() needs a built `layer` to copy its weights; {obj.name!r} is not built yet "
        "(call it on data or call .build(input_shape) first)"
    )


def _cells(obj):
    """The cells inside a layer, cell or stack, in weight order."""
    cell = getattr(obj, "cell", obj)
    if isinstance(cell, keras.layers.StackedRNNCells):
        return list(cell.cells)
    return [cell]


def _sequences_shape(layer):
    batch = None
    if getattr(layer, "stateful", False) and layer.states is not None:
        batch = keras.ops.shape(layer.states[0])[0]
    return (batch, None, _cells(layer)[0].kernel.shape[0])


def cell_pairs(src, dst):
    """``(src_cell, dst_cell)`` for every cell in two layers of the same structure."""
    if isinstance(src, keras.layers.Bidirectional):
        return cell_pairs(src.forward_layer, dst.forward_layer) + cell_pairs(
            src.backward_layer, dst.backward_layer
        )
    return list(zip(_cells(src), _cells(dst)))


def _copy(src, dst, verb):
    """Build ``dst`` like ``src`` and copy every weight (and any RNN state) across."""
    if not src.built:
        raise _unbuilt(src, verb)
    if not dst.built:
        if isinstance(dst, keras.layers.RNN):
            dst.build(_sequences_shape(src))
        else:
            dst.build((None, src.kernel.shape[0]))
    for src_cell, dst_cell in cell_pairs(src, dst):
        arrays = map_arrays(src_cell, [v.numpy() for v in src_cell.weights])
        assert len(arrays) == len(dst_cell.weights), (src_cell, dst_cell)
        for variable, array in zip(dst_cell.weights, arrays):
            assert tuple(variable.shape) == array.shape, (variable.path, variable.shape, array.shape)
            variable.assign(array)
        # Copies, not the arrays themselves: JAX's fit donates (frees) a variable's old array.
        dst_cell.seed_generator.state.assign(src_cell.seed_generator.state.numpy())  # same dropout draws
    if getattr(src, "stateful", False) and src.states is not None:
        for dst_state, src_state in zip(dst.states, src.states):
            dst_state.assign(src_state.numpy())


def map_arrays(src_cell, arrays, gradients=False):
    """``[kernel, recurrent_kernel, (bias)]`` of ``src_cell`` in its twin's layout.

    Every mapping is linear in the arrays except the constant relevance bias that a simplified
    GRU gains; with ``gradients=True`` that block is 0 (the gradient of a constant), so the same
    function maps the gradients of the weights as well."""
    if isinstance(src_cell, SimplifiedGRUCell):
        return _simplified_to_full(src_cell.units, arrays, 0.0 if gradients else SATURATED_BIAS)
    if isinstance(src_cell, (GRUCell, keras.layers.GRUCell)):
        return [flip_update_gate(a, src_cell.units) for a in arrays]
    return [np.asarray(a) for a in arrays]  # SimpleRNN and LSTM share the built-ins' layout


def _simplified_to_full(units, arrays, relevance_bias):
    """Zoo ``(u, c)`` blocks -> Keras ``(z, r, h)`` blocks, r weights 0 and r bias given."""
    full = []
    for i, array in enumerate(arrays):
        u, c = array[..., :units], array[..., units:]
        r = np.full_like(u, relevance_bias if i == 2 else 0.0)  # i == 2: the bias
        full.append(flip_update_gate(np.concatenate([u, r, c], axis=-1), units))
    return full
