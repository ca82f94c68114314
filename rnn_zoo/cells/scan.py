r"""Unrolling a cell with ``scan`` (slide section 4, seed 002).

:func:`scan` is the slide's plain-Python listing; ``keras.ops.scan`` does the same inside the
backend's graph (``tf.scan``/``jax.lax.scan``-like: time-major, one step per element), and
:func:`scan_rnn` drives any Keras-contract cell with it, returning what
``keras.layers.RNN(cell, return_sequences=True, return_state=True)`` returns, on every backend.
"""

import inspect

from keras import ops, tree
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

from rnn_zoo import checks


def scan(fn, elems, initializer=None):
    """The slide's ``scan``, verbatim: ``y, cur_value = fn(x, cur_value)`` for each element."""
    cur_value = initializer
    ys = []
    for x in elems:
        y, cur_value = fn(x, cur_value)
        ys.append(y)
    return ys, cur_value


def cell_inputs(cell, inputs):
    """``inputs`` as a (batch, time, features) tensor checked against ``cell``, which is built
    for them if it is not built yet."""
    inputs = ops.convert_to_tensor(inputs)
    if len(inputs.shape) != 3:
        raise ValueError(
            f"`inputs` must have shape (batch, time, features); received shape {inputs.shape}"
        )
    if not cell.built:
        cell.build((inputs.shape[0], inputs.shape[-1]))
    if hasattr(cell, "kernel"):
        checks.sequences(inputs, cell.kernel.shape[0])
    return inputs


def _plain(structure):
    """``structure`` with plain lists for its lists and tuples (Keras's tracked lists are not
    JAX types)."""
    if isinstance(structure, (list, tuple)):
        return [_plain(s) for s in structure]
    return structure


def scan_rnn(cell, inputs, initial_state=None, mask=None, go_backwards=False, training=False):
    """Run ``cell`` over ``inputs`` (batch, time, features) with ``keras.ops.scan``.

    Returns ``(outputs, final_states)``: ``outputs`` is (batch, time, output_size) in the order
    the steps ran (reversed when ``go_backwards``, as Keras does), ``final_states`` a list.
    Where ``mask`` (batch, time) is False the step is skipped: the states carry over and the
    output repeats the previous one (zeros before the first step), as in ``keras.layers.RNN``.
    """
    if not callable(getattr(cell, "call", None)) or not hasattr(cell, "state_size"):
        raise TypeError(
            f"`cell` must follow the Keras cell contract (call, state_size); received {cell!r}"
        )
    inputs = cell_inputs(cell, inputs)
    batch = ops.shape(inputs)[0]
    state_size = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    if initial_state is None:
        initial_state = cell.get_initial_state(batch_size=batch)
    states = _plain(tree.map_structure(
        lambda s: ops.convert_to_tensor(s, dtype=inputs.dtype),
        checks.initial_state(initial_state, state_size, inputs),
    ))

    xs = ops.transpose(inputs, [1, 0, 2])                      # time-major, as scan wants
    if mask is None:
        steps = ops.ones(ops.shape(xs)[:2] + (1,), dtype="bool")
    else:
        checks.mask(mask, inputs)
        steps = ops.transpose(ops.cast(mask, "bool"))[:, :, None]
    if go_backwards:
        xs, steps = ops.flip(xs, 0), ops.flip(steps, 0)

    kwargs = {"training": training} if "training" in inspect.signature(cell.call).parameters else {}
    if training and isinstance(cell, DropoutRNNCell):  # one mask per sequence, as Keras does
        cell.get_dropout_mask(inputs[:, 0])
        cell.get_recurrent_dropout_mask(tree.flatten(states)[0])

    def step(carry, elems):
        prev_output, prev_states = carry
        x, keep = elems
        output, new_states = cell(x, prev_states, **kwargs)
        new_states = _plain(tree.pack_sequence_as(prev_states, tree.flatten(new_states)))
        new_states = tree.map_structure(lambda n, p: ops.where(keep, n, p), new_states, prev_states)
        carry = (ops.where(keep, output, prev_output), new_states)
        return carry, carry  # every step's carry is kept (TensorFlow's ops.scan stacks the carry)

    output_size = getattr(cell, "output_size", None) or tree.flatten(state_size)[0]
    no_output = ops.zeros((batch, output_size), dtype=inputs.dtype)
    (_, final_states), (outputs, _) = ops.scan(step, (no_output, states), (xs, steps))

    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    return ops.transpose(outputs, [1, 0, 2]), final_states
