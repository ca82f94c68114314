r"""From the course's parameter dicts to the zoo's Keras cells, and back.

=============  ==================================  ===========================================
family         parameters (course layout)          zoo cell (slide gates, storage order)
=============  ==================================  ===========================================
"simple_rnn"   Wax, Waa, ba                        rnn_zoo.SimpleRNNCell      a
"lstm"         Wf, bf, Wi, bi, Wc, bc, Wo, bo      rnn_zoo.LSTMCell           u (= i), f, c, o
"gru"          Wu, bu, Wr, br, Wc, bc              rnn_zoo.GRUCell(reset_after=False)  u, r, c
=============  ==================================  ===========================================

The course's ``W? = [W?a | W?x]`` (acting on ``[a_prev; xt]``) is the slides' ``W_?`` of
:meth:`rnn_zoo.cells.base.ZooCell.slide_weights`, and its bias column is the slides' ``b_?``; the
cell stores the same numbers as ``kernel = [W_?x^T ...]``, ``recurrent_kernel = [W_?a^T ...]``
and ``bias = [b_? ...]``, gate blocks side by side.  The output layer (``Wya``/``Wy``, ``by``)
is not part of a cell: :func:`to_cell` ignores it and :func:`from_cell` does not return it.

Keras is imported by these two functions only, when they are called.
"""

import numpy as np

from rnn_zoo.functional import shapes

# family -> (the parameter table in shapes, the zoo cell class, slide gate -> course letter)
FAMILIES = {
    "simple_rnn": ("rnn", "SimpleRNNCell", {"a": "a"}),
    "lstm": ("lstm", "LSTMCell", {"u": "i", "f": "f", "c": "c", "o": "o"}),
    "gru": ("gru", "GRUCell", {"u": "u", "r": "r", "c": "c"}),
}


def to_cell(parameters, family, dtype=None):
    """A built zoo cell (``family``: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``) holding the
    weights in ``parameters``; ``units = n_a`` and the input size ``n_x`` are read off their
    shapes.  ``dtype`` is the cell's (Keras's default, float32, when None).

    ``from_cell(to_cell(p, family))`` gives back ``p``'s cell weights (exactly with
    ``dtype="float64"``).  An LSTM's ``unit_forget_bias`` does not matter: ``bf`` is assigned.
    """
    import rnn_zoo

    family = shapes.choice("family", family, FAMILIES)
    table, class_name, letters = FAMILIES[family]
    sizes = {}
    weights = shapes.parameters("parameters", parameters, table, sizes, output=False)
    n_a = sizes["n_a"]
    named = dict(zip(shapes.CELL_PARAMETERS[table], weights))

    cell_class = getattr(rnn_zoo, class_name)
    options = {"reset_after": False} if family == "gru" else {}   # the slides' GRU
    cell = cell_class(n_a, dtype=dtype, **options)
    cell.build((None, sizes["n_x"]))

    blocks = [_course_blocks(named, letters[g], n_a) for g in cell.gates]   # (W_ga, W_gx, b_g)
    kernel = np.concatenate([W_gx.T for _, W_gx, _ in blocks], axis=1)
    recurrent_kernel = np.concatenate([W_ga.T for W_ga, _, _ in blocks], axis=1)
    bias = np.concatenate([b_g[:, 0] for _, _, b_g in blocks])
    for variable, value in ((cell.kernel, kernel), (cell.recurrent_kernel, recurrent_kernel),
                            (cell.bias, bias)):
        variable.assign(value.astype(variable.dtype))
    return cell


def from_cell(cell):
    """The course's parameter dict (float64, biases ``(n_a, 1)``) of a built zoo cell:
    ``rnn_zoo.SimpleRNNCell`` -> Wax, Waa, ba; ``rnn_zoo.LSTMCell`` -> Wf, bf, Wi (the slides'
    W_u), bi, Wc, bc, Wo, bo; ``rnn_zoo.GRUCell(reset_after=False)`` -> Wu, bu, Wr, br, Wc, bc.

    Refused (``ValueError`` saying why): other cells, a zoo ``SimplifiedGRUCell`` or
    ``GRUCell(reset_after=True)``, and activations other than the course's tanh and σ.
    """
    family = _family_of(cell)
    letters = FAMILIES[family][2]
    w = {name: np.asarray(value, np.float64) for name, value in cell.slide_weights().items()}
    if family == "simple_rnn":
        return {"Wax": w["W_ax"], "Waa": w["W_aa"], "ba": w["b_a"].reshape(-1, 1)}
    parameters = {}
    for g in cell.gates:
        parameters[f"W{letters[g]}"] = w[f"W_{g}"]
        parameters[f"b{letters[g]}"] = w[f"b_{g}"].reshape(-1, 1)
    return {key: parameters[key] for key in shapes.CELL_PARAMETERS[FAMILIES[family][0]]}


def _course_blocks(named, letter, n_a):
    """``(W_?a, W_?x, b_?)`` of one gate from the course's dict."""
    if letter == "a":                                   # the vanilla RNN keeps them apart
        return named["Waa"], named["Wax"], named["ba"]
    W = named[f"W{letter}"]
    return W[:, :n_a], W[:, n_a:], named[f"b{letter}"]


def _family_of(cell):
    """The family of a zoo cell that the functional code computes exactly, or ValueError."""
    import keras
    import rnn_zoo

    received = f"{type(cell).__module__}.{type(cell).__name__}"
    if isinstance(cell, rnn_zoo.SimplifiedGRUCell):
        raise ValueError(
            "from_cell() cannot convert `cell`, a SimplifiedGRUCell: the functional GRU "
            "(gru_cell_forward) has a relevance gate Γ_r; use rnn_zoo.GRUCell(units, "
            "reset_after=False) instead"
        )
    if isinstance(cell, rnn_zoo.GRUCell) and cell.reset_after:
        raise ValueError(
            "from_cell() cannot convert `cell`, a GRUCell with reset_after=True: it applies Γ_r "
            "after the recurrent matmul and has a second bias, which gru_cell_forward (the "
            "slides' GRU) does not; use rnn_zoo.GRUCell(units, reset_after=False)"
        )
    families = {rnn_zoo.SimpleRNNCell: "simple_rnn", rnn_zoo.LSTMCell: "lstm",
                rnn_zoo.GRUCell: "gru"}
    family = next((f for c, f in families.items() if isinstance(cell, c)), None)
    if family is None:
        hint = ""
        builtins = (keras.layers.SimpleRNNCell, keras.layers.LSTMCell, keras.layers.GRUCell)
        if isinstance(cell, builtins):
            hint = "; convert a Keras built-in with rnn_zoo.from_keras(cell) first"
        elif hasattr(cell, "cell"):
            hint = "; for a layer pass its `.cell`"
        raise ValueError(
            f"from_cell() reads rnn_zoo cells (SimpleRNNCell, LSTMCell, "
            f"GRUCell(reset_after=False)); received `cell` of type {received}{hint}"
        )
    if not cell.built:
        raise ValueError(
            f"from_cell() needs a built `cell` to read its weights; {cell.name!r} is not built "
            "(call cell.build((None, input_dim)) or run it first)"
        )
    activations = {"activation": "tanh"}
    if family != "simple_rnn":
        activations["recurrent_activation"] = "sigmoid"
    for attribute, expected in activations.items():
        name = keras.activations.serialize(getattr(cell, attribute))
        if name != expected:
            raise ValueError(
                f"from_cell() cannot convert `cell` with {attribute}={name!r}: the functional "
                f"code uses {expected!r} (as the course does)"
            )
    return family
