r"""How the gradient flows back through time (slide sections 5-7), measured with autodiff.

Backpropagation through time multiplies one Jacobian per step (slide section 5)::

    ∂L/∂a<k> = (∂a<k+1>/∂a<k>)^T ... (∂a<T>/∂a<T-1>)^T ∂L/∂a<T>,
    vanilla RNN:  ∂a<j>/∂a<j-1> = diag(1 - a<j>²) W_aa          (g = tanh)

so its size shrinks (vanishing) or grows (exploding) geometrically with the distance ``T - k``
from the loss.  This module measures it on the zoo's own cells, with ``tf.GradientTape``:

* :func:`gradient_norms` -- ``||∂L/∂a<k>||`` for every step ``k``, indexed by distance from the
  loss (and ``||∂L/∂c<k>||`` for the LSTM's memory cell);
* :func:`update_gate_path` -- the GRU's Jacobian ``∂c<t>/∂c<t-1>`` and its direct-path factor
  ``1 - Γ_u`` (slide section 6: with ``Γ_u ≈ 0`` the gradient passes unchanged);
* :func:`exploding_gradients`, :func:`clip_gradients` and :func:`clipping_effects` -- what the
  Keras optimizers' ``clipnorm``, ``clipvalue`` and ``global_clipnorm`` do to an exploding
  gradient: clipping by value bends its direction, clipping by norm only shortens it.
"""

from typing import NamedTuple

import keras
import numpy as np
from keras import ops

from rnn_zoo import checks
from rnn_zoo.backends import LazyTensorFlow
from rnn_zoo.cells.base import ZooCell
from rnn_zoo.cells.gru import GRUCell, SimplifiedGRUCell
from rnn_zoo.cells.scan import cell_inputs, scan_rnn
from rnn_zoo.cells.simple_rnn import SimpleRNNCell

tf = LazyTensorFlow("rnn_zoo.studies.gradient_flow (tf.GradientTape.batch_jacobian)", backend=True)


def _zoo_cell(cell_or_layer, kinds=(ZooCell,)):
    """The zoo cell itself, or the one inside a zoo layer."""
    cell = getattr(cell_or_layer, "cell", cell_or_layer)
    if not isinstance(cell, kinds):
        expected = " or ".join(kind.__name__ for kind in kinds)
        raise TypeError(
            f"`cell_or_layer` must be a zoo {expected} or a zoo layer holding one; "
            f"received {cell_or_layer!r}"
        )
    return cell


def _sequences(cell, inputs):
    """``inputs`` checked against the cell (built if need be), in the cell's dtype."""
    return ops.cast(cell_inputs(cell, inputs), cell.compute_dtype)


class GradientNorms(NamedTuple):
    """``a[d] = mean over the batch of ||∂L/∂a<loss_at - d>||``, ``d = 0 .. loss_at``.

    ``c`` is the same for the LSTM's memory cell ``c<k>`` (``None`` for the other cells, whose
    only state is ``a<k>``, which the GRU calls ``c<k>``).  Both are BPTT's total derivatives
    (``da<k>``, ``dc<k>``): ``dc<k>`` also counts the path through ``a<k> = Γ_o * tanh(c<k>)``."""

    a: np.ndarray
    c: np.ndarray | None


def gradient_norms(cell_or_layer, inputs, loss_at=-1, loss=None):
    r"""How ``∂L/∂a<k>`` decays (or grows) with the distance from the loss, by autodiff.

    The cell runs over ``inputs`` (batch, time, features) step by step from a zero state under a
    ``tf.GradientTape``; the loss depends on the output at step ``loss_at`` only (a time index,
    negative counts from the end; default the last step)::

        L = Σ_batch loss(a<loss_at>),     loss(y) = Σ_i y_i   by default

    (``loss`` maps the (batch, units) output to per-example losses or a scalar).  The gradient
    is then taken with respect to every step's state: the total derivative BPTT propagates
    backwards, through every later step.  Each example's gradient is its own (examples do not
    interact), so the norms are per example, then averaged over the batch.

    Args:
        cell_or_layer: a zoo cell (``SimpleRNNCell``, ``SimplifiedGRUCell``, ``GRUCell``,
            ``LSTMCell``) or a zoo layer; its current weights are used (built if need be).
        inputs: (batch, time, features) floats.
        loss_at: the step whose output the loss reads.
        loss: ``loss(output) -> per-example losses``; default the sum of the output units.

    Returns:
        :class:`GradientNorms` ``(a, c)``: NumPy arrays of length ``loss_at + 1`` indexed by the
        distance ``d`` from the loss, ``a[0]`` at step ``loss_at`` itself.
    """
    cell = _zoo_cell(cell_or_layer)
    inputs = _sequences(cell, inputs)
    steps = inputs.shape[1]
    if isinstance(loss_at, bool) or not hasattr(loss_at, "__index__"):
        raise TypeError(f"`loss_at` must be an integer time index; received loss_at={loss_at!r}")
    if not -steps <= loss_at < steps:
        raise ValueError(
            f"`loss_at` must be a time index in [-{steps}, {steps}) for inputs with {steps} "
            f"steps; received loss_at={loss_at!r}"
        )
    loss_at = int(loss_at) % steps
    if loss is None:
        loss = lambda output: ops.sum(output, axis=-1)  # noqa: E731

    states = cell.get_initial_state(batch_size=inputs.shape[0])
    history = []  # the states after each step: [a<k>] or, for the LSTM, [a<k>, c<k>]
    with tf.GradientTape() as tape:
        for t in range(loss_at + 1):
            output, states = cell(inputs[:, t], states)
            history.append(states)
        total = ops.sum(loss(output))  # a zoo cell's output is its state a<t>, the same tensor
    gradients = tape.gradient(total, history)

    def by_distance(state):
        norms = [np.linalg.norm(ops.convert_to_numpy(g[state]), axis=-1).mean() for g in gradients]
        return np.array(norms[::-1])

    return GradientNorms(a=by_distance(0), c=by_distance(1) if len(history[0]) > 1 else None)


class UpdateGatePath(NamedTuple):
    """The GRU's one-step Jacobian and its direct-path factor, at every step.

    ``jacobian[b, t, i, j] = ∂c_i<t>/∂c_j<t-1>`` and ``direct[b, t, i] = 1 - Γ_u,i<t>``: the
    Jacobian is ``diag(1 - Γ_u)`` (the direct path ``(1 - Γ_u) * c<t-1>``) plus :attr:`indirect`,
    the paths through ``Γ_u``, ``Γ_r`` and ``c~<t>``, which all go through ``W_?a``."""

    direct: np.ndarray
    jacobian: np.ndarray

    @property
    def indirect(self):
        """``jacobian - diag(direct)``."""
        return self.jacobian - self.direct[..., None] * np.eye(self.direct.shape[-1])


def update_gate(cell, x, c_prev):
    r"""``Γ_u = σ(W_u [c<t-1>, x<t>] + b_u)`` of a GRU cell, from its weights.

    ``x`` (batch, features) and ``c_prev`` (batch, units); the update gate is the first block
    of the cell's weights (``gates == ("u", ...)``).  With ``reset_after=True`` ``b_u`` is kept
    in two rows (input and recurrent), and both are added."""
    units = cell.units
    z_u = cell.input_terms(x)[:, :units]                                  # W_ux x<t> + b_u
    z_u = z_u + ops.matmul(c_prev, cell.recurrent_kernel[:, :units])      # + W_ua c<t-1>
    if getattr(cell, "reset_after", False) and cell.bias is not None:
        z_u = z_u + cell.bias[1, :units]
    return cell.recurrent_activation(z_u)


def update_gate_path(cell_or_layer, inputs):
    r"""The GRU's ``∂c<t>/∂c<t-1>`` (autodiff) and its direct path ``1 - Γ_u`` at every step.

    The slides' argument (section 6): ``c<t> = Γ_u * c~<t> + (1 - Γ_u) * c<t-1>``, so through
    the direct path ``∂c<t>/∂c<t-1> = 1 - Γ_u`` and with ``Γ_u ≈ 0`` the gradient passes
    unchanged, ``dc<t-1> ≈ dc<t>``.  Here the cell runs over ``inputs`` (batch, time, features)
    from a zero state (:func:`rnn_zoo.scan_rnn`); then, for every step at once, the cell's own
    step is differentiated with respect to ``c<t-1>`` (``tf.GradientTape.batch_jacobian``) and
    ``Γ_u`` is evaluated from the cell's weights (:func:`update_gate`).

    The Jacobian is ``diag(1 - Γ_u)`` plus the indirect terms (:attr:`UpdateGatePath.indirect`);
    with the recurrent weights ``W_?a`` zero it is exactly ``diag(1 - Γ_u)``.

    Args:
        cell_or_layer: a zoo ``GRUCell`` (either ``reset_after``) or ``SimplifiedGRUCell``, or a
            zoo layer holding one.
        inputs: (batch, time, features) floats.

    Returns:
        :class:`UpdateGatePath` ``(direct, jacobian)``: NumPy arrays of shapes
        (batch, time, units) and (batch, time, units, units).
    """
    cell = _zoo_cell(cell_or_layer, (GRUCell, SimplifiedGRUCell))
    inputs = _sequences(cell, inputs)
    batch, steps, features = inputs.shape
    outputs, _ = scan_rnn(cell, inputs)                                    # c<1> .. c<T>
    c_prev = ops.concatenate([ops.zeros_like(outputs[:, :1]), outputs[:, :-1]], axis=1)

    x = ops.reshape(inputs, (batch * steps, features))                    # every step at once
    c_prev = ops.reshape(c_prev, (batch * steps, cell.units))
    with tf.GradientTape() as tape:
        tape.watch(c_prev)
        c, _ = cell(x, [c_prev])
    jacobian = tape.batch_jacobian(c, c_prev)                              # ∂c_i<t>/∂c_j<t-1>
    direct = 1 - update_gate(cell, x, c_prev)                              # 1 - Γ_u

    return UpdateGatePath(
        direct=ops.convert_to_numpy(direct).reshape(batch, steps, cell.units),
        jacobian=ops.convert_to_numpy(jacobian).reshape(batch, steps, cell.units, cell.units),
    )


def exploding_gradients(steps=50, units=16, features=4, batch=8, recurrent_scale=3.0, seed=0):
    r"""The gradient of a vanilla RNN whose recurrent weights are too large: an exploding setup.

    A :class:`rnn_zoo.SimpleRNNCell` (tanh) with ``W_aa = recurrent_scale * Q``, ``Q`` a random
    orthogonal matrix, runs over standard-normal inputs; ``L`` is the sum of ``a<T>`` averaged
    over the batch.  Returns ``(cell, gradients)``: the gradients of ``L`` with respect to
    ``[kernel, recurrent_kernel, bias]`` (NumPy arrays, the cell's storage layout).
    """
    steps, features, batch = (checks.positive_int(name, value) for name, value in
                              (("steps", steps), ("features", features), ("batch", batch)))
    cell = SimpleRNNCell(
        units,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        recurrent_initializer=keras.initializers.Orthogonal(gain=recurrent_scale, seed=seed),
    )
    rng = np.random.default_rng(seed)
    inputs = rng.standard_normal((batch, steps, features)).astype("float32")
    cell.build((None, features))
    with tf.GradientTape() as tape:
        _, (a,) = scan_rnn(cell, inputs)
        loss = ops.mean(ops.sum(a, axis=-1))
    gradients = tape.gradient(loss, cell.trainable_variables)
    return cell, [ops.convert_to_numpy(g) for g in gradients]


def clip_gradients(gradients, clipnorm=None, clipvalue=None, global_clipnorm=None):
    """The gradients as a Keras optimizer created with these clipping options applies them.

    Keras's own clipping, read back from one step of ``keras.optimizers.SGD(learning_rate=1)``
    from zero: each variable moves to exactly ``-clipped gradient``.  The options are those of
    every Keras optimizer: ``clipnorm`` rescales each gradient tensor whose norm exceeds it,
    ``global_clipnorm`` rescales all of them together when their joint norm exceeds it,
    ``clipvalue`` clips every element to ``[-clipvalue, clipvalue]``.
    """
    optimizer = keras.optimizers.SGD(
        learning_rate=1.0, clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm
    )
    moved = [keras.Variable(ops.zeros_like(g)) for g in gradients]
    optimizer.apply([ops.convert_to_tensor(g) for g in gradients], moved)
    return [-ops.convert_to_numpy(v) for v in moved]


class ClipEffect(NamedTuple):
    """What clipping left of a gradient: sizes, and the direction relative to the raw one.

    ``norm`` is the joint norm of all the tensors, ``norms`` each tensor's; ``cosine`` is the
    cosine between the clipped and the raw gradient taken as one vector (1: same direction),
    ``cosines`` the same per tensor."""

    norm: float
    norms: list
    cosine: float
    cosines: list


def _cosine(u, v):
    return float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))


def _effect(raw, clipped):
    flat = lambda tensors: np.concatenate([np.ravel(t) for t in tensors])  # noqa: E731
    return ClipEffect(
        norm=float(np.linalg.norm(flat(clipped))),
        norms=[float(np.linalg.norm(c)) for c in clipped],
        cosine=_cosine(flat(raw), flat(clipped)),
        cosines=[_cosine(np.ravel(r), np.ravel(c)) for r, c in zip(raw, clipped)],
    )


def clipping_effects(gradients, clipnorm=1.0, clipvalue=0.1, global_clipnorm=1.0):
    """Each Keras clipping option applied to ``gradients`` (a list of arrays), side by side.

    Returns ``{"raw": ..., "clipnorm=1.0": ..., "clipvalue=0.1": ..., "global_clipnorm=1.0":
    ...}``, each a :class:`ClipEffect`.  What it shows: ``clipvalue`` changes the direction of
    each tensor (cosines < 1) once any element exceeds it; ``clipnorm`` keeps each tensor's
    direction but, shortening the tensors by different factors, turns the joint gradient;
    ``global_clipnorm`` keeps the direction of everything (all cosines 1) and caps the norm.
    """
    raw = [np.asarray(g) for g in gradients]
    effects = {"raw": _effect(raw, raw)}
    for option, value in (
        ("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)
    ):
        effects[f"{option}={value}"] = _effect(raw, clip_gradients(raw, **{option: value}))
    return effects
