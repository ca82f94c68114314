"""What differs between Keras's backends (TensorFlow, JAX, PyTorch), in one place.

* :func:`gradients`: a loss and its gradients through the running backend's own autodiff
  (``tf.GradientTape``, ``jax.value_and_grad``, ``torch.autograd``), with respect to input
  tensors and Keras variables alike. Keras 3 has no backend-neutral gradient call.
* :func:`function`: a Python function of Keras layers compiled by the running backend
  (``tf.function``, ``jax.jit`` over the layers' variables, plain eager PyTorch), which reads the
  variables' current values at every call.
* :func:`stateful_predict`: a stateful model's batches, its states carried between calls.
* :func:`stateless_uniform`: counter-based random numbers from a seed and a step, inside a
  compiled loop.
* :func:`tensorflow`: the zoo's TensorFlow-only parts (``tf.data`` pipelines,
  ``StringLookup``/``TextVectorization``, which Keras runs on TensorFlow whatever the backend,
  and ``tf.function`` graphs) import TensorFlow through it, so that a missing TensorFlow or
  another backend is one :class:`MissingBackend` (a ``RuntimeError``) that names the backend
  and the way out, never a ``ModuleNotFoundError`` from deep inside.
"""

import importlib.util

import keras
import numpy as np

INSTALL = {"tensorflow": "rnn_zoo[tensorflow]", "jax": "rnn_zoo[jax]", "torch": "rnn_zoo[torch]"}


class MissingBackend(RuntimeError):
    """What a TensorFlow-only part raises where TensorFlow is missing or not the backend."""


def name():
    """The running Keras backend: ``"tensorflow"``, ``"jax"`` or ``"torch"``."""
    return keras.backend.backend()


def tensorflow(what, backend=False):
    """The ``tensorflow`` module, for ``what``; a :class:`MissingBackend` (a ``RuntimeError``)
    that says why not and what to do instead if ``what`` cannot run here.

    ``what`` needs TensorFlow installed (it may run beside another Keras backend, as
    ``StringLookup`` and ``tf.data`` do); with ``backend=True`` it needs TensorFlow to be the
    Keras backend itself (it traces Keras layers into a ``tf.function``)."""
    running = name()
    if backend and running != "tensorflow":
        raise MissingBackend(
            f"{what} runs on the TensorFlow backend only; Keras is running on {running!r}. "
            f"Set KERAS_BACKEND=tensorflow (with {INSTALL['tensorflow']} installed) to use it.")
    if importlib.util.find_spec("tensorflow") is None:
        raise MissingBackend(
            f"{what} needs TensorFlow, which is not installed (Keras is running on {running!r}). "
            f"Install it with: pip install \"{INSTALL['tensorflow']}\"")
    import tensorflow as tf

    return tf


def function(fn, variables=(), static=(), jit=False):
    """``fn`` (Keras layers and ``keras.ops`` on tensors), compiled by the running backend.

    ``variables``: the Keras variables that ``fn`` reads (e.g. a model's ``weights``): JAX
    traces ``fn`` once, so they are passed in as arguments at each call, never frozen into the
    compiled function. ``static``: names of keyword arguments that are Python values fixing
    shapes (JAX compiles once per value). ``jit``: also compile TensorFlow's graph with XLA.
    Assignments to variables inside ``fn`` are not kept on JAX."""
    running = name()
    if running == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, reduce_retracing=True, jit_compile=jit)
    if running == "jax":
        import jax

        variables = list(variables)

        def pure(values, *args, **kwargs):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                return fn(*args, **kwargs)

        compiled = jax.jit(pure, static_argnames=tuple(static))
        return lambda *args, **kwargs: compiled([v.value for v in variables], *args, **kwargs)

    def eager(*args, **kwargs):
        import torch

        with torch.no_grad():
            return fn(*args, **kwargs)

    return eager


def stateful_predict(model):
    """``model``'s predict-on-a-batch (NumPy out) for a model with stateful layers, whose states
    carry from one call to the next: Keras's compiled ``predict_on_batch``, but on JAX the eager
    call, because Keras 3.15's JAX ``predict_on_batch`` starts every call from the states
    before the previous one (its built-in stateful LSTM too)."""
    if name() == "jax":
        return lambda x: keras.ops.convert_to_numpy(model(x, training=False))
    return model.predict_on_batch


def stateless_uniform(shape, seed, step, minval=0.0):
    """Uniform float32 numbers in ``[minval, 1)`` of ``shape``, a function of ``seed`` (two
    integers, as a tensor) and the loop counter ``step`` alone: the same pair gives the same
    numbers, inside a compiled loop or out of it."""
    running = name()
    if running == "tensorflow":
        import tensorflow as tf

        seed = tf.random.experimental.stateless_fold_in(tf.cast(seed, tf.int64), step)
        return tf.random.stateless_uniform(shape, seed, minval=minval)
    if running == "jax":
        import jax

        key = jax.random.fold_in(jax.random.fold_in(jax.random.key(seed[0]), seed[1]), step)
        return jax.random.uniform(key, shape, minval=minval)
    import torch

    generator = torch.Generator().manual_seed(hash((int(seed[0]), int(seed[1]), int(step))))
    return torch.rand(shape, generator=generator) * (1.0 - minval) + minval


class LazyTensorFlow:
    """``tf`` for a module's TensorFlow-only parts: ``tf = LazyTensorFlow(what)`` at module level,
    then ``tf.data...`` as usual; TensorFlow is imported (through :func:`tensorflow`, so a missing
    TensorFlow is a :class:`MissingBackend` about ``what``) on the first use, not on ``import``,
    and looked up once."""

    def __init__(self, what, backend=False):
        self._what, self._backend, self._module = what, backend, None

    def require(self):
        """Import TensorFlow now: before making a Keras layer that runs on it whatever the
        backend (``StringLookup``, ``TextVectorization``), whose own error would be an
        ``ImportError`` from deep inside Keras."""
        if self._module is None:
            self._module = tensorflow(self._what, self._backend)
        return self._module

    def __getattr__(self, attribute):
        return getattr(self.require(), attribute)


def gradients(fn, inputs, variables=()):
    """``fn(*inputs)`` returns ``(loss, aux)``, a scalar and any structure of tensors.

    Returns ``(aux, input_gradients, variable_gradients)`` as NumPy arrays: the gradients of
    ``loss`` with respect to each of ``inputs`` (arrays, converted to tensors here) and each
    Keras variable in ``variables``, through the running backend's autodiff. ``fn`` runs in a
    ``keras.StatelessScope`` on every backend: what it assigns to variables (a stateful layer's
    states, say) is not kept."""
    inputs = [np.asarray(x) for x in inputs]
    variables = list(variables)
    aux, grads = _GRADIENTS[name()](fn, inputs, variables)
    grads = [keras.ops.convert_to_numpy(g) for g in grads]
    aux = keras.tree.map_structure(keras.ops.convert_to_numpy, aux)
    return aux, grads[: len(inputs)], grads[len(inputs):]


def _tensorflow(fn, inputs, variables):
    import tensorflow as tf

    tensors = [tf.constant(x) for x in inputs]
    with tf.GradientTape() as tape, keras.StatelessScope():
        tape.watch(tensors)
        loss, aux = fn(*tensors)
    grads = tape.gradient(loss, tensors + [v.value for v in variables],
                          unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return aux, grads


def _jax(fn, inputs, variables):
    import jax

    def loss(tensors, values):
        # Reads of ``variables`` inside the scope see ``values``: the gradient flows to them.
        with keras.StatelessScope(state_mapping=list(zip(variables, values))):
            return fn(*tensors)

    # One compiled graph: faster than op by op, where every RNN layer compiles its own scan.
    (_, aux), (dinputs, dvalues) = jax.jit(jax.value_and_grad(loss, argnums=(0, 1), has_aux=True))(
        [jax.numpy.asarray(x) for x in inputs], [v.value for v in variables])
    return aux, list(dinputs) + list(dvalues)


def _torch(fn, inputs, variables):
    import torch

    tensors = [keras.ops.convert_to_tensor(x).requires_grad_(True) for x in inputs]
    with torch.enable_grad(), keras.StatelessScope():
        loss, aux = fn(*tensors)
    wrt = tensors + [v.value for v in variables]
    # A loss cut from every input (a stop_gradient, say) has zero gradients, as on the others.
    grads = (torch.autograd.grad(loss, wrt, allow_unused=True) if loss.requires_grad
             else [None] * len(wrt))
    aux = keras.tree.map_structure(lambda t: t.detach() if hasattr(t, "detach") else t, aux)
    return aux, [torch.zeros_like(w) if g is None else g for w, g in zip(wrt, grads)]


_GRADIENTS = {"tensorflow": _tensorflow, "jax": _jax, "torch": _torch}
