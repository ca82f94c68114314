r"""The mistake catalogue: the mistakes students make in the slides' equations, by fixed key.

:func:`rnn_zoo.grading.check_cell` and :func:`rnn_zoo.grading.check_function` name a student's
mistake by one of these keys (``report.mistakes``) and explain it in words that point at the
equation on the slides.  The keys are fixed: instructors and tests may rely on them.
"""

# key -> what the mistake is, in one line (the README's table is this dictionary)
CATALOGUE = {
    "missing_bias": "a bias b_? left out of a gate, the candidate or the output",
    "update_gate_inverted": "c<t> = (1 - Γ_u) * c~<t> + Γ_u * c<t-1>: Keras's z convention, not the slides'",
    "relevance_gate_misplaced": "Γ_r applied after the recurrent matmul, or to the whole candidate",
    "gates_swapped": "two gates' weights exchange roles (e.g. Γ_u computed with W_f and Γ_f with W_u)",
    "concat_order": "[x<t>, a<t-1>] used where the slides have [a<t-1>, x<t>]",
    "recurrent_term_missing": "no W_?a a<t-1> term: the gate never sees the previous state",
    "input_term_missing": "no W_?x x<t> term: the gate never sees the input",
    "transposed_weights": "Wᵀ used for W (the recurrent block W_?a transposed)",
    "wrong_activation": "σ and tanh exchanged on a gate or the candidate",
    "missing_cell_tanh": "LSTM a<t> = Γ_o * c<t> instead of Γ_o * tanh(c<t>)",
    "forget_gate_coupled": "LSTM uses 1 - Γ_u instead of Γ_f",
    "state_not_updated": "the previous state returned (or carried) instead of the new one",
    "softmax_axis": "softmax taken over the batch instead of over the classes",
    "bptt_term_missing": "a backward pass that drops a term of the chain rule",
}

# The slide subscript of each weight block, in words; the course's name (Coursera) after it.
GATE_NAMES = {
    "a": "the state a<t>",
    "u": "the update gate Γ_u",
    "r": "the relevance gate Γ_r",
    "f": "the forget gate Γ_f",
    "o": "the output gate Γ_o",
    "c": "the candidate c~<t>",
    "y": "the output ŷ<t>",
}

# The slides' equations, per family and quantity (slide sections 2, 6, 7).
EQUATIONS = {
    "simple_rnn": {
        "a": "a<t> = tanh(W_a [a<t-1>, x<t>] + b_a)   (W_a [a, x] = W_aa a<t-1> + W_ax x<t>)",
        "y": "ŷ<t> = softmax(W_ya a<t> + b_y)",
    },
    "simplified_gru": {
        "c": "c~<t> = tanh(W_c [c<t-1>, x<t>] + b_c)",
        "u": "Γ_u = σ(W_u [c<t-1>, x<t>] + b_u)",
        "state": "c<t> = Γ_u * c~<t> + (1 - Γ_u) * c<t-1>",
    },
    "gru": {
        "c": "c~<t> = tanh(W_c [Γ_r * c<t-1>, x<t>] + b_c)",
        "u": "Γ_u = σ(W_u [c<t-1>, x<t>] + b_u)",
        "r": "Γ_r = σ(W_r [c<t-1>, x<t>] + b_r)",
        "state": "c<t> = Γ_u * c~<t> + (1 - Γ_u) * c<t-1>",
        "y": "ŷ<t> = softmax(W_y c<t> + b_y)",
    },
    "gru_reset_after": {
        "c": "c~<t> = tanh(W_cx x<t> + b_c + Γ_r * (W_ca c<t-1> + b'_c))   (reset_after=True)",
        "u": "Γ_u = σ(W_u [c<t-1>, x<t>] + b_u)",
        "r": "Γ_r = σ(W_r [c<t-1>, x<t>] + b_r)",
        "state": "c<t> = Γ_u * c~<t> + (1 - Γ_u) * c<t-1>",
    },
    "lstm": {
        "c": "c~<t> = tanh(W_c [a<t-1>, x<t>] + b_c)",
        "u": "Γ_u = σ(W_u [a<t-1>, x<t>] + b_u)   (the course's i<t>, Wi)",
        "f": "Γ_f = σ(W_f [a<t-1>, x<t>] + b_f)",
        "o": "Γ_o = σ(W_o [a<t-1>, x<t>] + b_o)",
        "state": "c<t> = Γ_u * c~<t> + Γ_f * c<t-1>",
        "a": "a<t> = Γ_o * tanh(c<t>)",
        "y": "ŷ<t> = softmax(W_y a<t> + b_y)",
    },
}


def equation(family, quantity):
    """The slide equation of ``quantity`` (a gate subscript, "state", "a" or "y") in ``family``."""
    table = EQUATIONS[family]
    return table.get(quantity) or EQUATIONS["gru" if "gru" in family else family].get(quantity, "")
