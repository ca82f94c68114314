r"""Grading a student's Keras cell against the slides: :func:`check_cell`.

The student-cell contract: any Keras layer that ``keras.layers.RNN`` can drive (``state_size``
and ``call(inputs, states) -> (output, new_states)``), whose weights are named, by the last part
of each weight's name, in one of two ways:

* slide notation: ``W_<g>`` of shape ``(units, units + input_dim)`` = ``[W_<g>a | W_<g>x]`` and
  ``b_<g>`` of shape ``(units,)``, for the gates ``a`` (SimpleRNN), ``u, c`` (simplified GRU),
  ``u, r, c`` (GRU; ``b_c_recurrent`` too with ``reset_after=True``), ``u, f, c, o`` (LSTM);
* Keras's layout: ``kernel`` ``(input_dim, G * units)``, ``recurrent_kernel`` ``(units, G * units)``
  and ``bias`` ``(G * units,)`` (``(2, 3 * units)`` for a GRU with ``reset_after=True``), gate blocks
  in the zoo's order (the gates above; Γ_u, not Keras's z = 1 - Γ_u).

The grader sets seeded random weights and biases (never zeros), runs the cell with
``keras.layers.RNN`` on several batch, time and unit sizes from random initial states, and
compares outputs, final states and gradients with the slides' equations.
"""

import numpy as np

from rnn_zoo.grading import diagnose, mutants, variants
from rnn_zoo.grading.report import Report, describe_exception, failed

# (units, input_dim, batch, time): units != input_dim, so a transposed block cannot hide
CASES = ((3, 2, 4, 5), (4, 3, 2, 3), (2, 5, 3, 4))
FAMILIES = tuple(variants.GATES)


class StudentError(Exception):
    """The student's cell cannot be graded as it is; the message says why."""

    def __init__(self, line, mistakes=()):
        super().__init__(line)
        self.mistakes = list(mistakes)


def random_slide_weights(family, units, input_dim, rng, reset_after=False, scale=0.7):
    w = {}
    for g in variants.GATES[family]:
        w[f"W_{g}"] = rng.normal(0.0, scale, (units, units + input_dim))
        w[f"b_{g}"] = rng.normal(0.0, scale, (units, 1))
    if family == "gru" and reset_after:
        w["b_c_recurrent"] = rng.normal(0.0, scale, (units, 1))
    return w


# ------------------------------------------------------------------------- the weight layouts
def _short_name(variable):
    return variable.name.split("/")[-1].split(":")[0]


def _layout(names):
    if any(name.startswith(("W_", "b_")) for name in names):
        return "slide"
    if names & {"kernel", "recurrent_kernel", "bias"}:
        return "keras"
    return None


def _slide_values(variables, w, units, input_dim):
    values = {}
    for name, variable in variables.items():
        if name.startswith("W_"):
            expected = (units, units + input_dim)
            if tuple(variable.shape) == expected[::-1]:
                raise StudentError(
                    f"Your weight {name} has shape {tuple(variable.shape)}; the slides' {name} is "
                    f"(units, units + input_dim) = {expected}, acting on the column "
                    "[a<t-1>; x<t>]: it is transposed.", ["transposed_weights"])
            values[name] = (w[name], expected)
        else:
            values[name] = (w[name][:, 0], (units,))
    return values


def _keras_values(variables, w, gates, units, reset_after, rng):
    kernel = np.concatenate([w[f"W_{g}"][:, units:].T for g in gates], axis=1)
    recurrent = np.concatenate([w[f"W_{g}"][:, :units].T for g in gates], axis=1)
    bias = np.concatenate([w[f"b_{g}"][:, 0] for g in gates])
    if reset_after:  # two rows: Γ_u's and Γ_r's biases are split at random between them
        split = np.concatenate([rng.normal(0.0, 0.5, 2 * units), w["b_c_recurrent"][:, 0]])
        bias = np.stack([bias - np.concatenate([split[: 2 * units], np.zeros(units)]), split])
    values = {"kernel": (kernel, kernel.shape), "recurrent_kernel": (recurrent, recurrent.shape),
              "bias": (bias, bias.shape)}
    return {name: values[name] for name in variables}


def load_weights(cell, family, w, units, input_dim, reset_after, rng):
    """Write slide weights ``w`` into the student's built cell (in its own layout)."""
    gates = variants.GATES[family]
    variables = {}
    for variable in cell.weights:
        name = _short_name(variable)
        if name in variables:
            raise StudentError(f"Your cell has two weights named {name!r}; give each its own name.")
        variables[name] = variable
    layout = _layout(set(variables))
    expected = list(w) if layout != "keras" else ["kernel", "recurrent_kernel", "bias"]
    if layout is None:
        raise StudentError(
            f"The grader cannot find your weights: it found {sorted(variables) or 'none'}. Name "
            f"them {', '.join(expected)} (slide notation, add_weight(name=...)) or kernel, "
            "recurrent_kernel, bias (Keras's layout).")
    problems = []
    needed = [k for k in expected if k.startswith(("W_", "kernel", "recurrent"))]
    missing = [k for k in needed if k not in variables]
    if missing:
        problems.append(f"Your cell has no weight {', '.join(missing)}; the slides' {family} "
                        f"needs {', '.join(expected)}.")
    unknown = sorted(set(variables) - set(expected))
    if unknown:
        problems.append(f"Your cell has weights the slides' {family} does not: {unknown}.")
    if problems:
        raise StudentError(" ".join(problems))
    if layout == "slide":
        values = _slide_values(variables, w, units, input_dim)
    else:
        values = _keras_values(variables, w, gates, units, family == "gru" and reset_after, rng)
    for name, (value, shape) in values.items():
        variable = variables[name]
        if tuple(variable.shape) != tuple(shape):
            raise StudentError(f"Your weight {name} has shape {tuple(variable.shape)}; expected "
                               f"{tuple(shape)} for units={units}, input_dim={input_dim}.")
        variable.assign(np.asarray(value, dtype=variable.dtype))
    absent = [k for k in expected if k not in variables]
    return layout, absent


# ----------------------------------------------------------------------------- running cells
def _factory(cell):
    import keras

    if isinstance(cell, keras.layers.Layer):
        units = getattr(cell, "units", None)
        return (lambda n: cell), [c for c in CASES if c[0] == units] or [(units, *CASES[0][1:])]
    if callable(cell):
        return cell, list(CASES)
    raise TypeError(f"`cell` must be a Keras cell, a cell class or a function units -> cell; "
                    f"received {type(cell).__name__}")


class Run:
    """One case: the student's cell built inside ``keras.layers.RNN`` on seeded inputs."""

    def __init__(self, make, family, case, reset_after, rng):
        import keras

        self.family, self.reset_after = family, reset_after
        self.units, self.input_dim, batch, time = case
        self.w = random_slide_weights(family, self.units, self.input_dim, rng, reset_after)
        self.x = rng.normal(0.0, 1.0, (batch, time, self.input_dim)).astype("float32")
        n_states = 2 if family == "lstm" else 1
        self.states = [rng.normal(0.0, 0.7, (batch, self.units)).astype("float32")
                       for _ in range(n_states)]
        self.rng = rng
        try:
            self.cell = make(self.units)
            self._check_state_size(n_states)
            self.layer = keras.layers.RNN(self.cell, return_sequences=True, return_state=True)
            self.layer(self.x, initial_state=self.states)  # builds the cell
        except StudentError:
            raise
        except Exception as error:  # noqa: BLE001 - the student's code
            if getattr(self.cell, "weights", None):  # a badly shaped weight explains it better
                load_weights(self.cell, family, self.w, self.units, self.input_dim, reset_after, rng)
            raise StudentError(f"Running your cell in keras.layers.RNN on inputs of shape "
                               f"{self.x.shape}: {describe_exception(error)}") from error
        if not self.cell.weights:
            raise StudentError("Your cell has no weights: create them in build() with "
                               "self.add_weight(name=...).")

    def _check_state_size(self, n_states):
        size = getattr(self.cell, "state_size", None)
        sizes = list(size) if isinstance(size, (list, tuple)) else [size]
        if sizes != [self.units] * n_states:
            keeps = "two states [a, c]: state_size = [units, units]" if n_states == 2 else \
                "one state a: state_size = units"
            raise StudentError(f"Your cell has state_size={size!r} for units={self.units}; the "
                               f"slides' {self.family} keeps {keeps}.")

    def student(self, w):
        """The student's outputs (T, n_a, m) and final states, column layout, on weights ``w``."""
        from keras import ops

        self.layout, self.absent = load_weights(self.cell, self.family, w, self.units,
                                                self.input_dim, self.reset_after, self.rng)
        try:
            result = self.layer(self.x, initial_state=self.states)
        except Exception as error:  # noqa: BLE001 - the student's code
            raise StudentError(f"Running your cell: {describe_exception(error)}") from error
        values = [np.asarray(ops.convert_to_numpy(v), np.float64) for v in result]
        batch, time = self.x.shape[:2]
        shapes = [(batch, time, self.units)] + [(batch, self.units)] * len(self.states)
        if len(values) != len(shapes):
            raise StudentError(f"Your cell keeps {len(values) - 1} state(s); the slides' "
                               f"{self.family} keeps {len(self.states)} "
                               f"({'[a, c]' if self.family == 'lstm' else '[a]'}).")
        for value, shape, what in zip(values, shapes, ("outputs", "state a", "state c")):
            if value.shape != shape:
                raise StudentError(f"keras.layers.RNN(your cell) returned {what} of shape "
                                   f"{value.shape}; expected {shape} (units={self.units}).")
        return [values[0].transpose(1, 2, 0)] + [s.T for s in values[1:]]

    def reference(self, w, knobs=variants.Knobs()):
        xs = self.x.transpose(1, 2, 0).astype(np.float64)
        states = [s.T.astype(np.float64) for s in self.states]
        outputs, final, _ = variants.run(self.family, w, xs, states, knobs, self.reset_after)
        return [outputs] + list(final)


def _first_difference(run, got, expected):
    """The first time step and quantity where the student's cell departs from the slides."""
    outputs, reference = got[0], expected[0]
    for t in range(outputs.shape[0]):
        line = diagnose.compare(f"the output a<{t + 1}>", outputs[t], reference[t])
        if line:
            return f"First difference at time step {t + 1} of {outputs.shape[0]}: {line}."
    for i, (g, e) in enumerate(zip(got[1:], expected[1:])):
        line = diagnose.compare(f"the final state {'ac'[i]}", g, e)
        if line:
            return f"The outputs are right but {line}."
    return ""


# ------------------------------------------------------------------------------- gradients
def _gradient_lines(run, rng):
    """Check the student's gradients (through the backend's autodiff) against finite
    differences of the slides' equations: directional derivatives along random directions, for
    the inputs, each initial state and each weight."""
    from keras import ops

    from rnn_zoo import backends

    batch, time = run.x.shape[:2]
    R = rng.normal(0.0, 1.0, (batch, time, run.units))
    S = [rng.normal(0.0, 1.0, s.shape) for s in run.states]
    weights = list(run.cell.trainable_weights)

    def loss(x, *states):
        result = run.layer(x, initial_state=list(states))
        # in the layer's own dtype (JAX has no float64 by default): the loss is linear in them
        total = ops.sum(result[0] * ops.cast(R, result[0].dtype))
        for value, s in zip(result[1:], S):
            total = total + ops.sum(value * ops.cast(s, value.dtype))
        return total, ()

    try:
        _, input_grads, weight_grads = backends.gradients(loss, [run.x, *run.states], weights)
    except Exception as error:  # e.g. a NumPy call on a traced tensor (JAX)
        return [f"its gradients cannot be computed on the {backends.name()} backend "
                f"({type(error).__name__}: {str(error).splitlines()[0][:200]})"]
    grads = input_grads + weight_grads

    weight_names = [_short_name(v) for v in weights]
    fixed = {_short_name(v): np.asarray(v.numpy(), np.float64) for v in run.cell.weights}

    n_states = len(run.states)

    def reference_loss(values):  # values: [x, *initial states, *trainable weights], float64
        x_value, state_values, weight_values = values[0], values[1:1 + n_states], values[1 + n_states:]
        w = slide_weights_of(run, {**fixed, **dict(zip(weight_names, weight_values))})
        outputs, final, _ = variants.run(run.family, w, x_value.transpose(1, 2, 0),
                                         [s.T for s in state_values], reset_after=run.reset_after)
        total = np.sum(outputs.transpose(2, 0, 1) * R)
        return total + sum(np.sum(f.T * s) for f, s in zip(final, S))

    base = [np.asarray(v, np.float64) for v in (run.x, *run.states)] + \
        [np.asarray(v.numpy(), np.float64) for v in weights]
    names = ["x", *("a<0>", "c<0>")[:n_states], *weight_names]
    eps = 1e-3
    lines = []
    for i, (name, grad) in enumerate(zip(names, grads)):
        direction = rng.normal(0.0, 1.0, base[i].shape)

        def shifted(sign):
            values = list(base)
            values[i] = base[i] + sign * eps * direction
            return reference_loss(values)

        numeric = (shifted(1) - shifted(-1)) / (2 * eps)
        analytic = float(np.sum(np.asarray(grad, np.float64) * direction))
        if abs(analytic - numeric) > 2e-3 * max(1.0, abs(numeric)):
            lines.append(f"the gradient with respect to {name} is wrong (directional derivative "
                         f"{analytic:.5g}; the slides' equations give {numeric:.5g})")
    return lines


def slide_weights_of(run, values):
    """The slide weights that the student's weight values (name -> array) stand for (float64)."""
    gates = variants.GATES[run.family]
    units = run.units
    w = {}
    if run.layout == "slide":
        for g in gates:
            w[f"W_{g}"] = values[f"W_{g}"]
            w[f"b_{g}"] = values.get(f"b_{g}", np.zeros(units)).reshape(units, 1)
        if run.family == "gru" and run.reset_after:
            w["b_c_recurrent"] = values.get("b_c_recurrent", np.zeros(units)).reshape(units, 1)
        return w
    bias = values.get("bias")
    for i, g in enumerate(gates):
        block = slice(i * units, (i + 1) * units)
        w[f"W_{g}"] = np.concatenate([values["recurrent_kernel"][:, block].T,
                                      values["kernel"][:, block].T], axis=1)
        if bias is None:
            w[f"b_{g}"] = np.zeros((units, 1))
        elif bias.ndim == 2:  # reset_after: the recurrent row of b_c stays apart
            w[f"b_{g}"] = (bias[0, block] + (bias[1, block] if g != "c" else 0)).reshape(units, 1)
        else:
            w[f"b_{g}"] = bias[block].reshape(units, 1)
    if run.family == "gru" and run.reset_after:
        w["b_c_recurrent"] = (bias[1, 2 * units:] if bias is not None and bias.ndim == 2
                              else np.zeros(units)).reshape(units, 1)
    return w


# ----------------------------------------------------------------------------------- grading
def check_cell(cell, family, *, reset_after=False, seed=0):
    """Grade a student's Keras cell against the slides' ``family`` cell.

    ``cell`` is the student's cell class (or any function ``units -> cell``), called at several
    unit sizes; a cell instance is graded at its own ``units``.  ``family`` is one of
    ``"simple_rnn"``, ``"simplified_gru"``, ``"gru"`` (``reset_after=True`` for Keras's variant)
    and ``"lstm"``.  Returns a :class:`~rnn_zoo.grading.Report`; never raises for anything the
    student's code does.
    """
    if family not in FAMILIES:
        raise ValueError(f"`family` must be one of {list(FAMILIES)}; received family={family!r}")
    if not isinstance(reset_after, bool):
        raise TypeError(f"`reset_after` must be True or False; received {reset_after!r}")
    if reset_after and family != "gru":
        raise ValueError(f"`reset_after=True` is a GRU variant; received family={family!r}")
    subject = f"Your {family}{' (reset_after=True)' if reset_after else ''} cell"
    try:
        make, cases = _factory(cell)
    except TypeError as error:
        return failed(subject, str(error))
    rng = np.random.default_rng(seed)
    candidates = mutants.mistakes(family, reset_after)
    try:
        for case in cases:
            run = Run(make, family, case, reset_after, rng)
            got = run.student(run.w)
            expected = run.reference(run.w)
            if not all(diagnose.close(g, e) for g, e in zip(got, expected)):
                return _explain(subject, run, got, candidates)
        gradient_lines = _gradient_lines(run, rng)
    except StudentError as error:
        return failed(subject, str(error), mistakes=error.mistakes)
    if gradient_lines:
        return failed(subject, "Its outputs and states are right, but " +
                      "; ".join(gradient_lines) + ". Is there a stop_gradient, a NumPy call "
                      "or a non-differentiable operation inside call()?")
    sizes = ", ".join(str(case) for case in cases)
    lines = [f"Outputs, states and gradients equal the slides' equations, on random weights and "
             f"biases at (units, input_dim, batch, T) = {sizes}."]
    return Report(subject, True, [], lines)


def _explain(subject, run, got, candidates):
    expected = run.reference(run.w)
    lines = [_first_difference(run, got, expected)]
    if run.absent:
        lines.append(f"Your cell has no {', '.join(run.absent)} weight: the grader reads it as 0.")
    fits = diagnose.matching_mistakes(got, lambda knobs: run.reference(run.w, knobs), candidates)
    if fits:
        lines.append("Your cell computes exactly what these known mistakes compute:")
        lines.extend(f"- {m.detail}" for m in fits)
        keys = [k for m in fits for k in m.keys]
        return failed(subject, *lines, mistakes=keys)
    lines.append("It matches no mistake in the catalogue.")
    try:
        lines.extend(diagnose.probe_lines(
            "gru_reset_after" if run.reset_after else run.family, run.w, run.units,
            run.student, run.reference))
    except StudentError as error:
        lines.append(str(error))
    return failed(subject, *lines)

