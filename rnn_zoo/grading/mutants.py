r"""Every catalogued mistake as a :class:`Mistake`: a key, the words for the student, and the
:class:`~rnn_zoo.grading.variants.Knobs` that plant it in the reference."""

import dataclasses
import itertools

from rnn_zoo.grading.catalogue import GATE_NAMES, equation
from rnn_zoo.grading.variants import GATES, Knobs


@dataclasses.dataclass(frozen=True)
class Mistake:
    keys: tuple      # catalogue keys (one, or two for a pair of mistakes)
    detail: str      # what the student did, in words, with the slide equation
    knobs: Knobs

    def __add__(self, other):
        knobs = self.knobs.merge(other.knobs)
        if knobs is None or set(self.keys) & set(other.keys):
            return None
        return Mistake(self.keys + other.keys, f"{self.detail}\n  and {other.detail}", knobs)


def _name(gate):
    return GATE_NAMES[gate]


def single_mistakes(family, reset_after=False):
    """One :class:`Mistake` per way of making each catalogued mistake in ``family``'s cell."""
    gates = GATES[family]
    eq_family = "gru_reset_after" if (family == "gru" and reset_after) else family

    def eq(q):
        return equation(eq_family, q)

    found = []

    def add(key, detail, **knobs):
        found.append(Mistake((key,), detail, Knobs(**knobs)))

    for g in gates:
        add("missing_bias", f"b_{g} is missing from {_name(g)}: {eq(g)}", no_bias=frozenset({g}))
    if len(gates) > 1:
        add("missing_bias", "every bias b_? is missing", no_bias=frozenset(gates))
    if family in ("simplified_gru", "gru"):
        add("update_gate_inverted",
            f"Γ_u and 1 - Γ_u are exchanged in the new state: the slides have {eq('state')} "
            "(Keras's built-in GRU writes z = 1 - Γ_u)", update_inverted=True)
    if family == "gru":
        for placement, words in (
            ("after", "Γ_r multiplies W_ca c<t-1> after the matmul (Keras's reset_after=True)"),
            ("before", "Γ_r multiplies c<t-1> before the matmul (the slides' GRU), but this cell "
                       "is reset_after=True"),
            ("preactivation", "Γ_r multiplies the whole pre-activation W_c [c<t-1>, x<t>] + b_c"),
            ("candidate", "Γ_r multiplies the whole candidate tanh(W_c [c<t-1>, x<t>] + b_c)"),
        ):
            if placement != ("after" if reset_after else "before"):
                add("relevance_gate_misplaced", f"{words}; the slides have {eq('c')}",
                    relevance=placement)
    for first, second in itertools.combinations(gates, 2):
        add("gates_swapped",
            f"{_name(first)} and {_name(second)} exchange their weights: {_name(first)} is "
            f"computed with W_{second}, b_{second} and {_name(second)} with W_{first}, b_{first}",
            swapped=(first, second))
    add("concat_order", "the concatenation is [x<t>, a<t-1>]; the slides' W_? act on "
        "[a<t-1>, x<t>] (the first n_a columns of W_? multiply a<t-1>)", concat_xa=True)
    for key, knob, term in (("recurrent_term_missing", "no_recurrent", "W_{g}a a<t-1>"),
                            ("input_term_missing", "no_input", "W_{g}x x<t>")):
        for g in gates:
            add(key, f"{term.format(g=g)} is missing from {_name(g)}: {eq(g)}",
                **{knob: frozenset({g})})
        if len(gates) > 1:
            add(key, f"every {term.format(g='?')} term is missing", **{knob: frozenset(gates)})
    for g in gates:
        add("transposed_weights", f"W_{g}a is used transposed in {_name(g)} "
            f"(W_{g}a of shape (n_a, n_a) acts as W_{g}a @ a<t-1>): {eq(g)}",
            transposed=frozenset({g}))
    if len(gates) > 1:
        add("transposed_weights", "every W_?a is used transposed", transposed=frozenset(gates))
    for g in gates:
        wrong, right = ("σ", "tanh") if g in ("a", "c") else ("tanh", "σ")
        add("wrong_activation", f"{_name(g)} uses {wrong} where the slides have {right}: {eq(g)}",
            flipped=frozenset({g}))
    if len(gates) > 1:
        add("wrong_activation", "σ and tanh are exchanged everywhere", flipped=frozenset(gates))
    if family == "lstm":
        add("wrong_activation", f"σ(c<t>) is used where the slides have tanh(c<t>): {eq('a')}",
            flipped=frozenset({"cell"}))
        add("missing_cell_tanh", f"a<t> = Γ_o * c<t>: the tanh is missing; {eq('a')}",
            no_cell_tanh=True)
        add("forget_gate_coupled", f"Γ_f is computed as 1 - Γ_u; the slides have its own gate "
            f"{eq('f')}", forget_coupled=True)
    add("state_not_updated", "the state passed on to the next step is the previous one, so "
        "every step starts again from the initial state", frozen_state=True)
    add("state_not_updated", "the output is the previous state a<t-1> instead of the new one",
        frozen_output=True)
    return found


def mistakes(family, reset_after=False, output_layer=False):
    """The single mistakes, then every compatible pair of them (most likely first)."""
    singles = single_mistakes(family, reset_after)
    if output_layer:
        singles.append(Mistake(("missing_bias",), f"b_y is missing from {_name('y')}: "
                               f"{equation(family, 'y')}", Knobs(no_bias=frozenset({"y"}))))
        singles.append(Mistake(("softmax_axis",), "the softmax normalises over the batch (axis "
                               "1) instead of over the classes (axis 0): every column of ŷ<t> "
                               "must sum to 1", Knobs(softmax_axis=True)))
    pairs = [m for a, b in itertools.combinations(singles, 2) if (m := a + b) is not None]
    return singles + pairs
