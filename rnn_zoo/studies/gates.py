r"""What the gates do over a real sentence: record a zoo GRU's or LSTM's gate activations step
by step, and draw them (slides sections 6 and 7).

    GRU   Γ_u = σ(W_u [c<t-1>, x<t>] + b_u)      1: take the candidate c~<t>; 0: keep c<t-1>
          Γ_r = σ(W_r [c<t-1>, x<t>] + b_r)      how much of c<t-1> the candidate sees
          c<t> = Γ_u * c~<t> + (1 - Γ_u) * c<t-1>
    LSTM  Γ_u, Γ_f, Γ_o                           update (input), forget and output gates
          c<t> = Γ_u * c~<t> + Γ_f * c<t-1>,   a<t> = Γ_o * tanh(c<t>)

:func:`record_gates` runs the cell's own code: at every step it calls
``cell.gate_activations`` -- the method the cell's ``step`` itself calls for the gate equations --
and then ``cell.step``, so what is recorded and drawn is exactly what the layer computes.
:func:`model_gates` does the same for a zoo layer inside a trained model (for example the
:class:`rnn_zoo.tasks.tagging.Tagger`'s network), and :func:`plot_gates` draws one heatmap per gate,
units down, tokens across::

    ids = tagger.encode([tokens]).to_tensor()
    layer = tagger.network.get_layer("bidirectional_0").forward_layer
    figure = plot_gates(model_gates(tagger.network, layer, ids), tokens)
"""

import keras
import numpy as np
from keras import ops, tree

from rnn_zoo.cells.gru import GRUCell, SimplifiedGRUCell
from rnn_zoo.cells.lstm import LSTMCell

GATED_CELLS = (SimplifiedGRUCell, GRUCell, LSTMCell)
SLIDE_NAMES = {"update_gate": "Γ_u", "relevance_gate": "Γ_r", "forget_gate": "Γ_f",
               "output_gate": "Γ_o", "candidate": "c~"}
"""The slide's symbol for each field of a cell's ``gate_activations`` (``GRUGates``, ...)."""
MEANINGS = {"Γ_u": "update gate", "Γ_r": "relevance gate", "Γ_f": "forget gate",
            "Γ_o": "output gate", "c~": "candidate c~<t>", "c": "memory cell c<t>",
            "a": "output a<t>"}


def gated_cell(layer):
    """The built zoo ``SimplifiedGRUCell``, ``GRUCell`` or ``LSTMCell`` that is ``layer`` or
    that ``layer`` (a zoo layer) holds."""
    cell = getattr(layer, "cell", layer)
    if not isinstance(cell, GATED_CELLS):
        raise TypeError(f"`layer` must be a zoo GRU, SimplifiedGRU or LSTM layer (or its cell); "
                        f"received {type(layer).__name__}"
                        + (f" holding a {type(cell).__name__}" if cell is not layer else ""))
    if not cell.built:
        raise ValueError(f"`layer` has no weights yet ({type(cell).__name__} is not built): "
                         "call it, or the model holding it, first")
    return cell


def record_gates(layer, sequence):
    """Every gate activation of ``layer`` over one input ``sequence``, step by step.

    Args:
        layer: a built zoo ``GRU``, ``SimplifiedGRU`` or ``LSTM`` layer, or its cell.
        sequence: the layer's input for one example, (time, features), at least one step.

    Returns:
        ``{slide name: array (time, units)}``, float32: the gates (GRU ``Γ_u``, ``Γ_r``;
        simplified GRU ``Γ_u``; LSTM ``Γ_u``, ``Γ_f``, ``Γ_o``), the candidate ``c~``, and the
        states after each step: ``c`` (for the GRU also its output, ``a<t> = c<t>``) and, for
        the LSTM, ``a``. Runs from a zero state, without dropout. Row ``t`` belongs to
        ``sequence[t]`` also for a layer that reads backwards (``go_backwards=True``, the
        backward half of a ``Bidirectional``): its steps run from the last row to the first.
    """
    cell = gated_cell(layer)
    x = ops.convert_to_tensor(sequence, dtype=cell.compute_dtype)
    features = cell.kernel.shape[0]
    if len(x.shape) != 2 or x.shape[1] != features or x.shape[0] == 0:
        raise ValueError(f"`sequence` must have shape (time, {features}) with time >= 1 (one "
                         f"example, no batch axis); received shape {tuple(x.shape)}")
    steps = x.shape[0]
    order = range(steps - 1, -1, -1) if getattr(layer, "go_backwards", False) else range(steps)
    recorded = {}

    def keep(name, t, value):
        recorded.setdefault(name, [None] * steps)[t] = ops.convert_to_numpy(value[0])

    states = cell.get_initial_state(batch_size=1)
    for t in order:
        input_terms = cell.input_terms(x[t:t + 1])                    # W_?x x<t> + b_?
        for field, value in cell.gate_activations(input_terms, states[0])._asdict().items():
            keep(SLIDE_NAMES[field], t, value)
        output, states = cell.step(input_terms, states)
        keep("c", t, states[-1])                                      # GRU [c], LSTM [a, c]
        if isinstance(cell, LSTMCell):
            keep("a", t, output)
    return {name: np.stack(rows) for name, rows in recorded.items()}


def model_gates(model, layer, inputs):
    """:func:`record_gates` for a zoo layer inside a (trained) Keras model, on one example.

    Args:
        model: a built Keras model (``Sequential`` or functional) with ``layer`` among its
            layers, or holding it as the ``forward_layer`` / ``backward_layer`` of one of its
            ``keras.layers.Bidirectional`` layers.
        layer: the zoo ``GRU``, ``SimplifiedGRU`` or ``LSTM`` layer, or its name in ``model``.
        inputs: the model's input for one example, with a batch axis of 1 and no padding
            (every step is recorded), e.g. ``tagger.encode([tokens]).to_tensor()``.

    Returns:
        What :func:`record_gates` returns, row ``t`` for input position ``t`` (for a backward
        layer too).
    """
    if isinstance(layer, str):
        layer = model.get_layer(layer)
    gated_cell(layer)
    wrapper = next((w for w in model.layers if isinstance(w, keras.layers.Bidirectional)
                    and layer in (w.forward_layer, w.backward_layer)), layer)
    if not any(wrapper is m for m in model.layers):
        raise ValueError(f"`layer` must be one of the model's layers or a direction of one of "
                         f"its Bidirectional layers; received {layer.name!r}, which "
                         f"{model.name!r} does not hold")
    shapes = [tuple(np.shape(x)) for x in tree.flatten(inputs)]
    if any(shape[:1] != (1,) for shape in shapes):
        raise ValueError(f"`inputs` must hold one example (batch axis of 1); received "
                         f"shape(s) {shapes}")
    model_inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    feed = keras.Model(model_inputs, tree.flatten(wrapper.input)[0])   # the layer's input
    return record_gates(layer, feed(inputs)[0])


def plot_gates(recorded, tokens=None, names=None, title=None):
    """One heatmap per gate: units down, steps (``tokens``) across; returns the matplotlib
    ``Figure`` (not shown, so it works with any backend, Agg included).

    Args:
        recorded: what :func:`record_gates` or :func:`model_gates` returns.
        tokens: the label of each step (the sentence's tokens); default the step numbers.
        names: which entries of ``recorded`` to draw, top to bottom; default the gates (the
            names that start with ``Γ``) in their recorded order. Gates are drawn on the
            scale 0 to 1, ``c~`` and ``a`` on -1 to 1, ``c`` on its own symmetric range.
        title: the figure's title.
    """
    from matplotlib.figure import Figure      # only needed here: matplotlib is optional

    if not isinstance(recorded, dict):
        raise TypeError(f"`recorded` must be the dict that record_gates returns; received "
                        f"{type(recorded).__name__}")
    names = [n for n in recorded if n.startswith("Γ")] if names is None else list(names)
    unknown = [n for n in names if n not in recorded]
    if unknown or not names:
        raise ValueError(f"`names` must be some of {list(recorded)}; received names={names!r}")
    steps = np.shape(recorded[names[0]])[0]
    tokens = [str(t) for t in range(steps)] if tokens is None else [str(t) for t in tokens]
    if len(tokens) != steps:
        raise ValueError(f"`tokens` must hold one label per step ({steps}); received "
                         f"{len(tokens)}")

    figure = Figure(figsize=(max(6.0, 0.45 * steps + 2), 2.2 * len(names)),
                    constrained_layout=True)
    axes = figure.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
    for ax, name in zip(axes, names):
        values = np.asarray(recorded[name])
        if values.ndim != 2 or values.shape[0] != steps:
            raise ValueError(f"`recorded[{name!r}]` must have shape ({steps}, units); received "
                             f"shape {values.shape}")
        if name.startswith("Γ"):
            low, high, colours = 0.0, 1.0, "viridis"
        else:
            high = 1.0 if name in ("c~", "a") else max(float(np.abs(values).max()), 1e-6)
            low, colours = -high, "RdBu_r"
        image = ax.imshow(values.T, aspect="auto", cmap=colours, vmin=low, vmax=high,
                          interpolation="nearest")
        ax.set_title(f"{name}  {MEANINGS.get(name, '')}", loc="left", fontsize="medium")
        ax.set_ylabel("unit")
        figure.colorbar(image, ax=ax)
    axes[-1].set_xticks(range(steps), tokens, rotation=90)
    if title:
        figure.suptitle(title)
    return figure
