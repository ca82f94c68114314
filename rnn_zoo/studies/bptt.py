r"""The vanilla RNN in plain NumPy, with backpropagation through time written by hand.

Column vectors and the slides' names throughout (slide sections 2 and 5), one sequence at a
time: ``xs`` has shape ``(T, n_x)``, step ``t`` reads ``xs[t]``.

* :class:`RNN` — the vanilla RNN with the API of slide 003 (``y = rnn.step(x)`` updates
  ``rnn.h``), a whole-sequence :meth:`RNN.forward`, the cross-entropy loss of slide section 5
  and two hand-written backward passes: :meth:`RNN.backward`, BPTT exactly as the slides derive
  it (a sum over the output steps ``t`` and, inside it, over the earlier steps ``k``, with the
  product of Jacobians ``Π ∂h(j)/∂h(j-1)`` built in the code), and :meth:`RNN.backward_recursive`,
  the usual O(T) recursion that computes the same sums.
* :func:`numerical_gradient` and :func:`relative_error` — the gradient check.

Slide 001's names for the vanilla RNN are ``u = W_ax``, ``w = W_aa``, ``v = W_ya``::

    s(t) = W_ax x(t) + W_aa h(t-1) + b_a          (pre-activation)
    h(t) = tanh(s(t))                              (a<t> on the other slides)
    z(t) = W_ya h(t) + b_y,   ŷ(t) = softmax(z(t))
"""

import numpy as np

from rnn_zoo import checks

WEIGHTS = ("W_ax", "W_aa", "W_ya", "b_a", "b_y")


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class RNN:
    """A vanilla RNN of ``n_a`` tanh units with a softmax output over ``n_y`` classes.

    ``RNN(n_x, n_a, n_y, seed=0)`` draws every weight (biases too) from N(0, scale²); or pass
    the weights by name (``W_ax=...``).  ``rnn.h`` is the state that :meth:`step` updates.
    """

    def __init__(self, n_x, n_a, n_y, seed=0, scale=0.5, dtype=np.float64, **weights):
        n_x, n_a, n_y = (checks.positive_int(k, v) for k, v in (("n_x", n_x), ("n_a", n_a), ("n_y", n_y)))
        shapes = {"W_ax": (n_a, n_x), "W_aa": (n_a, n_a), "W_ya": (n_y, n_a), "b_a": (n_a,), "b_y": (n_y,)}
        unknown = sorted(set(weights) - set(shapes))
        if unknown:
            raise TypeError(f"unknown weight(s) {unknown}; expected some of {list(shapes)}")
        rng = np.random.default_rng(seed)
        for name, shape in shapes.items():
            value = weights.get(name)
            value = rng.normal(0.0, scale, shape) if value is None else np.asarray(value)
            if value.shape != shape:
                raise ValueError(f"`{name}` must have shape {shape}; received shape {value.shape}")
            setattr(self, name, value.astype(dtype))
        self.h = np.zeros(n_a, dtype)

    @property
    def params(self):
        return {name: getattr(self, name) for name in WEIGHTS}

    # ----------------------------------------------------------------------------- forward
    def step(self, x):
        """Slide 003: advance ``self.h`` by one input and return this step's logits ``z``."""
        self.h = np.tanh(self.W_aa @ self.h + self.W_ax @ x + self.b_a)
        return self.W_ya @ self.h + self.b_y

    def forward(self, xs, h0=None):
        """Run a whole sequence from ``h0`` (zeros by default); ``self.h`` is left untouched.

        Returns the cache ``{"xs", "h" (T+1, n_a) with h[0] = h0, "y_hat" (T, n_y)}``."""
        xs = self._sequence(xs)
        h = np.zeros((len(xs) + 1, self.W_aa.shape[0]))
        if h0 is not None:
            h[0] = h0
        for t, x in enumerate(xs):
            h[t + 1] = np.tanh(self.W_aa @ h[t] + self.W_ax @ x + self.b_a)
        return {"xs": xs, "h": h, "y_hat": softmax(h[1:] @ self.W_ya.T + self.b_y)}

    def loss(self, cache, targets, counted=None, reduction="mean"):
        """Cross entropy ``-Σ_t log ŷ_{y<t>}<t>`` over the counted steps (slide section 5).

        ``reduction="mean"`` averages over the counted steps (``J = -(1/T) Σ_t ...``), ``"sum"``
        sums them (``L = Σ_t L<t>``); steps where ``counted`` is False are left out."""
        targets, counted, scale = self._targets(cache, targets, counted, reduction)
        picked = cache["y_hat"][np.arange(len(targets)), targets]
        return -scale * np.sum(np.log(picked[counted]))

    # ---------------------------------------------------------------------------- backward
    def backward(self, cache, targets, counted=None, reduction="mean", truncate=None):
        r"""BPTT as the slides derive it: ``∂E/∂w = Σ_t ∂J(t)/∂w`` with

        .. math:: ∂J(t)/∂w = Σ_{k ≤ t} ∂J(t)/∂h(t) \, (Π_{j=k+1..t} ∂h(j)/∂h(j-1)) \, ∂h(k)/∂s(k) \, ∂s(k)/∂w

        and ``∂h(j)/∂h(j-1) = diag(1 - h(j)²) W_aa``.  O(T²) on purpose: each term is visible.
        ``truncate=n`` keeps only ``k > t - n`` (truncated BPTT, n steps back).  Returns the
        gradients of :meth:`loss` for every weight, the inputs (``"xs"``) and ``"h0"``.
        """
        targets, counted, scale = self._targets(cache, targets, counted, reduction)
        xs, h = cache["xs"], cache["h"]
        grads = {name: np.zeros_like(value) for name, value in self.params.items()}
        grads["xs"], grads["h0"] = np.zeros_like(xs), np.zeros_like(h[0])
        n_a = len(h[0])
        for t in np.flatnonzero(counted):                    # outputs that count
            dJ_dz = scale * (cache["y_hat"][t] - np.eye(len(self.b_y))[targets[t]])
            grads["W_ya"] += np.outer(dJ_dz, h[t + 1])       # v only touches step t
            grads["b_y"] += dJ_dz
            dJ_dh_t = self.W_ya.T @ dJ_dz                    # ∂J(t)/∂h(t)
            dh_t_dh_k = np.eye(n_a)                          # Π_{j=k+1..t} ∂h(j)/∂h(j-1), empty at k = t
            first = 0 if truncate is None else max(0, t - truncate + 1)
            for k in range(t, first - 1, -1):
                dJ_ds_k = (1 - h[k + 1] ** 2) * (dh_t_dh_k.T @ dJ_dh_t)   # ∂h(k)/∂s(k)
                grads["W_ax"] += np.outer(dJ_ds_k, xs[k])    # ∂s(k)/∂u
                grads["W_aa"] += np.outer(dJ_ds_k, h[k])     # ∂s(k)/∂w
                grads["b_a"] += dJ_ds_k
                grads["xs"][k] += self.W_ax.T @ dJ_ds_k
                if k == 0:
                    grads["h0"] += self.W_aa.T @ dJ_ds_k
                dh_t_dh_k = dh_t_dh_k @ ((1 - h[k + 1] ** 2)[:, None] * self.W_aa)  # one more factor
        return grads

    def backward_recursive(self, cache, targets, counted=None, reduction="mean"):
        """The same gradients in O(T): one backward sweep carrying ``∂E/∂h(k)`` (all t ≥ k)."""
        targets, counted, scale = self._targets(cache, targets, counted, reduction)
        xs, h = cache["xs"], cache["h"]
        dJ_dz = scale * (cache["y_hat"] - np.eye(len(self.b_y))[targets]) * counted[:, None]
        grads = {"W_ya": dJ_dz.T @ h[1:], "b_y": dJ_dz.sum(0), "W_ax": 0, "W_aa": 0, "b_a": 0}
        grads["xs"] = np.zeros_like(xs)
        dE_dh = np.zeros_like(h[0])                          # from the steps after k
        for k in reversed(range(len(xs))):
            dE_dh = dE_dh + self.W_ya.T @ dJ_dz[k]           # + this step's own output
            dE_ds = (1 - h[k + 1] ** 2) * dE_dh
            grads["W_ax"] = grads["W_ax"] + np.outer(dE_ds, xs[k])
            grads["W_aa"] = grads["W_aa"] + np.outer(dE_ds, h[k])
            grads["b_a"] = grads["b_a"] + dE_ds
            grads["xs"][k] = self.W_ax.T @ dE_ds
            dE_dh = self.W_aa.T @ dE_ds                      # back to h(k-1)
        grads["h0"] = dE_dh
        return grads

    # ------------------------------------------------------------------------------ checks
    def _sequence(self, xs):
        xs = np.asarray(xs, dtype=float)
        if xs.ndim != 2 or xs.shape[1] != self.W_ax.shape[1] or not len(xs):
            raise ValueError(
                f"`xs` must have shape (T, n_x) = (T, {self.W_ax.shape[1]}) with T >= 1; "
                f"received shape {xs.shape}"
            )
        return xs

    def _targets(self, cache, targets, counted, reduction):
        T, n_y = cache["y_hat"].shape
        targets = np.asarray(targets)
        if targets.shape != (T,) or not np.issubdtype(targets.dtype, np.integer):
            raise ValueError(f"`targets` must be {T} integer class ids; received {targets!r}")
        if targets.min() < 0 or targets.max() >= n_y:
            raise ValueError(f"`targets` must lie in [0, {n_y}); received {targets.tolist()}")
        counted = np.ones(T, bool) if counted is None else np.asarray(counted, bool)
        if counted.shape != (T,):
            raise ValueError(f"`counted` must have shape ({T},); received shape {counted.shape}")
        if reduction not in ("mean", "sum"):
            raise ValueError(f"`reduction` must be 'mean' or 'sum'; received {reduction!r}")
        scale = 1.0 / max(counted.sum(), 1) if reduction == "mean" else 1.0
        return targets, counted, scale


# ---------------------------------------------------------------------------- gradient check
def numerical_gradient(f, array, eps=1e-6):
    """Centred finite differences ``(f(w + ε) - f(w - ε)) / 2ε`` of ``f()`` for every entry of
    ``array``, which ``f`` reads (it is changed in place and restored)."""
    grad = np.zeros_like(array, dtype=np.float64)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + eps
        plus = f()
        array[index] = old - eps
        minus = f()
        array[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """``|a - b| / max(|a|, |b|)`` over whole arrays (0 when both are 0)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
