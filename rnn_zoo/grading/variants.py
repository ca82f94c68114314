r"""The slides' cells in NumPy, with knobs that plant each catalogued mistake.

``run(family, w, xs, states, knobs)`` is the reference when ``knobs`` is ``Knobs()`` and a
*mutant* (a cell with one or two known mistakes) otherwise.  The grader runs a student's cell
and every mutant on the same seeded inputs: the mutants that the student's outputs equal name
the mistake.  Column layout, as in the course: ``x<t>`` is ``(n_x, m)``, states ``(n_a, m)``.

Weights ``w`` are in slide notation (see :meth:`rnn_zoo.cells.base.ZooCell.slide_weights`):
``W_g = [W_ga | W_gx]`` of shape ``(n_a, n_a + n_x)`` and ``b_g`` of shape ``(n_a, 1)`` for each
gate subscript ``g``; a GRU with ``reset_after=True`` also has ``b_c_recurrent``.
"""

import dataclasses

import numpy as np

from rnn_zoo.functional.activations import sigmoid

GATES = {
    "simple_rnn": ("a",),
    "simplified_gru": ("u", "c"),
    "gru": ("u", "r", "c"),
    "lstm": ("u", "f", "c", "o"),
}
# Gates squashed by tanh; every other gate by σ.
TANH_GATES = ("a", "c")


@dataclasses.dataclass(frozen=True)
class Knobs:
    """Which mistakes to plant (all off: the slides' equations)."""

    no_bias: frozenset = frozenset()        # gates whose b_g is left out ("y": the output's b_y)
    no_recurrent: frozenset = frozenset()   # gates without W_ga a<t-1>
    no_input: frozenset = frozenset()       # gates without W_gx x<t>
    transposed: frozenset = frozenset()     # gates that use W_gaᵀ for W_ga
    flipped: frozenset = frozenset()        # gates whose σ/tanh is exchanged ("cell": LSTM's tanh(c))
    swapped: tuple = ()                     # two gates whose weights exchange roles
    concat_xa: bool = False                 # W_g [x<t>, a<t-1>] instead of W_g [a<t-1>, x<t>]
    update_inverted: bool = False           # c<t> = (1 - Γ_u) c~ + Γ_u c<t-1>
    relevance: str = ""                     # where Γ_r acts: "" (the family's own place), "before",
                                            # "after", "preactivation", "candidate"
    no_cell_tanh: bool = False              # LSTM a<t> = Γ_o * c<t>
    forget_coupled: bool = False            # LSTM Γ_f = 1 - Γ_u
    frozen_state: bool = False              # the state carried to the next step is the old one
    frozen_output: bool = False             # the output is the old state
    softmax_axis: bool = False              # softmax over the batch (axis 1)

    def merge(self, other):
        """Both sets of mistakes at once, or ``None`` where they cannot coexist."""
        merged = {}
        for field in dataclasses.fields(self):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if isinstance(mine, frozenset):
                merged[field.name] = mine | theirs
            elif isinstance(mine, bool):
                merged[field.name] = mine or theirs
            elif mine and theirs and mine != theirs:
                return None
            else:
                merged[field.name] = mine or theirs
        return Knobs(**merged)


def _squash(gate, v, knobs):
    tanh = (gate in TANH_GATES) != (gate in knobs.flipped)
    return np.tanh(v) if tanh else sigmoid(v)


def _role(gate, knobs):
    """The weights the student used for ``gate`` (another gate's, where two are swapped)."""
    if gate in knobs.swapped:
        first, second = knobs.swapped
        return second if gate == first else first
    return gate


def _blocks(w, gate, n_a, n_x, knobs):
    """``(W_ga, W_gx, b_g)`` as the student used them."""
    source = _role(gate, knobs)
    W = w[f"W_{source}"]
    if knobs.concat_xa:
        W_x, W_a = W[:, :n_x], W[:, n_x:]
    else:
        W_a, W_x = W[:, :n_a], W[:, n_a:]
    if gate in knobs.transposed:
        W_a = W_a.T
    return W_a, W_x, w[f"b_{source}"]


def preactivation(w, gate, a_in, x, knobs, *, recurrent=True, inputs=True, bias=True):
    """``W_ga a_in + W_gx x + b_g``, less the terms the knobs leave out."""
    n_a, n_x = a_in.shape[0], x.shape[0]
    W_a, W_x, b = _blocks(w, gate, n_a, n_x, knobs)
    z = np.zeros((n_a, x.shape[1]))
    if recurrent and gate not in knobs.no_recurrent:
        z = z + W_a @ a_in
    if inputs and gate not in knobs.no_input:
        z = z + W_x @ x
    if bias and gate not in knobs.no_bias:
        z = z + b
    return z


def gate(w, g, a_prev, x, knobs):
    return _squash(g, preactivation(w, g, a_prev, x, knobs), knobs)


def _gru_candidate(w, relevance_gate, c_prev, x, knobs, placement):
    if placement == "before":    # the slides: W_c [Γ_r * c<t-1>, x<t>] + b_c
        z = preactivation(w, "c", relevance_gate * c_prev, x, knobs)
        if "b_c_recurrent" in w and "c" not in knobs.no_bias:
            z = z + w["b_c_recurrent"]
        return _squash("c", z, knobs)
    if placement == "after":     # Keras's reset_after: W_cx x + b_c + Γ_r * (W_ca c + b'_c)
        recurrent = preactivation(w, "c", c_prev, x, knobs, inputs=False, bias=False)
        if "b_c_recurrent" in w and "c" not in knobs.no_bias:
            recurrent = recurrent + w["b_c_recurrent"]
        z = preactivation(w, "c", c_prev, x, knobs, recurrent=False) + relevance_gate * recurrent
        return _squash("c", z, knobs)
    z = preactivation(w, "c", c_prev, x, knobs)
    if "b_c_recurrent" in w and "c" not in knobs.no_bias:
        z = z + w["b_c_recurrent"]
    if placement == "preactivation":  # tanh(Γ_r * (W_c [c, x] + b_c))
        return _squash("c", relevance_gate * z, knobs)
    return relevance_gate * _squash("c", z, knobs)  # "candidate": Γ_r * tanh(...)


def step(family, w, states, x, knobs, reset_after=False):
    """One step: ``(output, new_states, quantities)``, ``quantities`` naming every value computed
    (``"u"``, ``"r"``, ``"f"``, ``"o"``, ``"c"`` for c~, ``"state"`` for c<t>, ``"a"``)."""
    a_prev = states[0]
    n_a = a_prev.shape[0]
    if x.shape[0] == 0 or w[f"W_{GATES[family][0]}"].shape[1] != n_a + x.shape[0]:
        raise ValueError("weights and inputs disagree")
    q = {}
    if family == "simple_rnn":
        q["a"] = gate(w, "a", a_prev, x, knobs)
        new = [q["a"]]
    elif family == "lstm":
        c_prev = states[1]
        q["c"] = gate(w, "c", a_prev, x, knobs)
        q["u"] = gate(w, "u", a_prev, x, knobs)
        q["f"] = 1.0 - q["u"] if knobs.forget_coupled else gate(w, "f", a_prev, x, knobs)
        q["o"] = gate(w, "o", a_prev, x, knobs)
        q["state"] = q["u"] * q["c"] + q["f"] * c_prev
        if knobs.no_cell_tanh:
            squashed = q["state"]
        elif "cell" in knobs.flipped:
            squashed = sigmoid(q["state"])
        else:
            squashed = np.tanh(q["state"])
        q["a"] = q["o"] * squashed
        new = [q["a"], q["state"]]
    else:
        q["u"] = gate(w, "u", a_prev, x, knobs)
        if family == "gru":
            q["r"] = gate(w, "r", a_prev, x, knobs)
            placement = knobs.relevance or ("after" if reset_after else "before")
            q["c"] = _gru_candidate(w, q["r"], a_prev, x, knobs, placement)
        else:
            q["c"] = gate(w, "c", a_prev, x, knobs)
        if knobs.update_inverted:
            q["state"] = (1.0 - q["u"]) * q["c"] + q["u"] * a_prev
        else:
            q["state"] = q["u"] * q["c"] + (1.0 - q["u"]) * a_prev
        q["a"] = q["state"]
        new = [q["state"]]
    output = a_prev if knobs.frozen_output else new[0]
    return output, (list(states) if knobs.frozen_state else new), q


def run(family, w, xs, states, knobs=Knobs(), reset_after=False):
    """Unroll over ``xs`` (T, n_x, m): ``(outputs (T, n_a, m), final_states, quantities per step)``."""
    outputs, steps = [], []
    for x in xs:
        output, states, q = step(family, w, states, x, knobs, reset_after)
        outputs.append(output)
        steps.append(q)
    return np.array(outputs), states, steps


def softmax(z, knobs=Knobs()):
    axis = 1 if knobs.softmax_axis else 0
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def output_layer(W_y, b_y, a, knobs=Knobs()):
    """``ŷ<t> = softmax(W_y a<t> + b_y)``."""
    z = W_y @ a if "y" in knobs.no_bias else W_y @ a + b_y
    return softmax(z, knobs)
