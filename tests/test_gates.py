"""rnn_zoo.studies.gates: recorded gates against the slide equations in NumPy, seeded random weights."""

import io

import keras
import matplotlib
import numpy as np
import pytest

from conftest import needs_tensorflow, numpy, randomize
from rnn_zoo import GRU, LSTM, SimpleRNN, SimplifiedGRU
from rnn_zoo.proof import numpy_steps
from rnn_zoo.studies import gates
from rnn_zoo.tasks.tagging import Tagger

matplotlib.use("Agg")

LAYERS = {
    "SimplifiedGRU": lambda **kw: SimplifiedGRU(4, **kw),
    "GRU": lambda **kw: GRU(4, **kw),
    "GRU(reset_after)": lambda **kw: GRU(4, reset_after=True, **kw),
    "LSTM": lambda **kw: LSTM(4, **kw),
}
STEPS, FEATURES = 7, 3


def built(name, rng, **kwargs):
    layer = LAYERS[name](return_sequences=True, **kwargs)
    layer.build((None, STEPS, FEATURES))
    return randomize(layer, rng)


def numpy_gates(cell, xs):
    """The slides' equations in float64 NumPy from ``slide_weights()``: every gate, ``c~`` and
    the states at each step (the states from ``numpy_steps``'s own step functions)."""
    w = {name: value.astype(np.float64) for name, value in cell.slide_weights().items()}
    lstm = cell.gates == ("u", "f", "c", "o")
    states = [np.zeros(cell.units)] * (2 if lstm else 1)
    rows = {}
    for x in xs:
        prev = states[0]                                         # c<t-1> (GRU), a<t-1> (LSTM)

        def gate(g):
            return numpy_steps.sigmoid(w[f"W_{g}"] @ np.concatenate([prev, x]) + w[f"b_{g}"])

        step = {f"Γ_{g}": gate(g) for g in cell.gates if g != "c"}
        if "b_c_recurrent" in w:                                 # Keras's reset_after variant
            step["c~"] = np.tanh(w["W_cx"] @ x + w["b_c"]
                                 + step["Γ_r"] * (w["W_ca"] @ prev + w["b_c_recurrent"]))
        else:                                          # c~ = tanh(W_c [Γ_r * c<t-1>, x] + b_c)
            seen = step.get("Γ_r", 1.0) * prev                   # Γ_r = 1: simplified GRU, LSTM
            step["c~"] = np.tanh(w["W_c"] @ np.concatenate([seen, x]) + w["b_c"])
        states = numpy_steps.step_for(cell)(w, states, x)
        step["c"] = states[-1]
        if lstm:
            step["a"] = states[0]
        for name, value in step.items():
            rows.setdefault(name, []).append(value)
    return {name: np.array(values) for name, values in rows.items()}


@pytest.mark.parametrize("name", list(LAYERS))
def test_recorded_gates_equal_the_numpy_reference(rng, name):
    layer = built(name, rng)
    xs = rng.normal(size=(STEPS, FEATURES)).astype("float32")
    recorded = gates.record_gates(layer, xs)
    expected = numpy_gates(layer.cell, xs)
    assert set(recorded) == set(expected)
    for key, value in expected.items():
        assert recorded[key].shape == (STEPS, 4), key
        np.testing.assert_allclose(recorded[key], value, atol=1e-5, rtol=1e-5, err_msg=key)
    # the gates really vary (a swapped or constant gate would not pass the comparison above)
    assert all(recorded[k].std() > 0.05 for k in recorded if k.startswith("Γ"))


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("name", list(LAYERS))
def test_states_rebuilt_from_the_gates_equal_the_layer_outputs(rng, name, go_backwards):
    layer = built(name, rng, go_backwards=go_backwards)
    xs = rng.normal(size=(STEPS, FEATURES)).astype("float32")
    g = gates.record_gates(layer, xs)
    order = range(STEPS - 1, -1, -1) if go_backwards else range(STEPS)
    c_prev, outputs = np.zeros(4), []
    for t in order:                                       # the slides' state equations
        if "Γ_f" in g:
            c = g["Γ_u"][t] * g["c~"][t] + g["Γ_f"][t] * c_prev
            outputs.append(g["Γ_o"][t] * np.tanh(c))          # a<t> = Γ_o * tanh(c<t>)
        else:
            c = g["Γ_u"][t] * g["c~"][t] + (1 - g["Γ_u"][t]) * c_prev
            outputs.append(c)                                 # a<t> = c<t>
        c_prev = c
    # the layer returns its outputs in the order it ran the steps (reversed for go_backwards)
    np.testing.assert_allclose(np.array(outputs), numpy(layer(xs[None]))[0], atol=1e-5,
                               rtol=1e-5)


def test_step_takes_its_gates_from_gate_activations(rng, monkeypatch):
    """So the recorded gates cannot drift from what the cell computes: ``step`` uses them."""
    layer = built("LSTM", rng)
    cell = layer.cell
    xs = rng.normal(size=(1, FEATURES)).astype("float32")
    states = cell.get_initial_state(batch_size=1)
    before = numpy(cell.step(cell.input_terms(xs), states)[0])
    original = cell.gate_activations

    def closed_output_gate(*args, **kwargs):
        return original(*args, **kwargs)._replace(output_gate=keras.ops.zeros((1, 4), "float32"))

    monkeypatch.setattr(cell, "gate_activations", closed_output_gate)
    after = numpy(cell.step(cell.input_terms(xs), states)[0])
    assert np.abs(before).max() > 1e-3 and np.abs(after).max() == 0.0   # a<t> = 0 * tanh(c<t>)


@needs_tensorflow
def test_model_gates_follow_both_directions_of_a_trained_tagger(rng):
    sentences = [["harry", "potter", "and", "hermione", "granger", "invented", "a", "spell"]]
    tagger = Tagger("gru", units=3, embedding_dim=4, bidirectional=True).adapt(sentences)
    randomize(tagger.network, rng)
    ids = tagger.encode(sentences).to_tensor()
    wrapper = tagger.network.get_layer("bidirectional_0")
    both = numpy(keras.Model(tagger.network.inputs[0], wrapper.output)(ids))[0]
    forward = gates.model_gates(tagger.network, wrapper.forward_layer, ids)
    backward = gates.model_gates(tagger.network, wrapper.backward_layer, ids)
    # Bidirectional concatenates [→a<t>, ←a<t>] per token; row t of each record is token t
    np.testing.assert_allclose(forward["c"], both[:, :3], atol=1e-6)
    np.testing.assert_allclose(backward["c"], both[:, 3:], atol=1e-6)

    single = Tagger("lstm", units=3, embedding_dim=4, bidirectional=False).adapt(sentences)
    recorded = gates.model_gates(single.network, "lstm_0", ids)     # a layer by its name
    assert set(recorded) == {"Γ_u", "Γ_f", "c~", "Γ_o", "c", "a"}
    np.testing.assert_allclose(
        recorded["a"], numpy(single.network.get_layer("lstm_0")(
            single.network.get_layer("embedding")(ids)))[0], atol=1e-6)


@pytest.mark.parametrize("name,count", [("SimplifiedGRU", 1), ("GRU", 2), ("LSTM", 3)])
def test_plot_gates_draws_one_heatmap_per_gate(rng, name, count):
    layer = built(name, rng)
    tokens = ["teddy", "roosevelt", "was", "a", "great", "president", "!"]
    recorded = gates.record_gates(layer, rng.normal(size=(STEPS, FEATURES)))
    figure = gates.plot_gates(recorded, tokens, title=name)
    heatmaps = [ax for ax in figure.axes if ax.images]
    assert len(heatmaps) == count
    assert [ax.get_title(loc="left").split()[0] for ax in heatmaps] == \
        [k for k in recorded if k.startswith("Γ")]
    assert [t.get_text() for t in heatmaps[-1].get_xticklabels()] == tokens
    np.testing.assert_array_equal(heatmaps[0].images[0].get_array(), recorded["Γ_u"].T)
    figure.savefig(io.BytesIO(), format="png")                 # it renders (Agg)
    only_c = gates.plot_gates(recorded, names=["c", "c~"])
    assert len([ax for ax in only_c.axes if ax.images]) == 2


def test_bad_input_raises(rng):
    layer = built("GRU", rng)
    xs = rng.normal(size=(STEPS, FEATURES))
    with pytest.raises(TypeError, match="`layer` must be a zoo GRU.*received SimpleRNN"):
        gates.record_gates(SimpleRNN(2), xs)
    with pytest.raises(ValueError, match="no weights yet"):
        gates.record_gates(GRU(2), xs)
    for shape in [(1, STEPS, FEATURES), (STEPS, FEATURES + 1), (0, FEATURES)]:
        with pytest.raises(ValueError, match=rf"`sequence` must have shape \(time, 3\).*"
                                             rf"received shape \({shape[0]}"):
            gates.record_gates(layer, np.zeros(shape))
    recorded = gates.record_gates(layer, xs)
    with pytest.raises(ValueError, match=r"`tokens` must hold one label per step \(7\); "
                                         r"received 2"):
        gates.plot_gates(recorded, ["a", "b"])
    with pytest.raises(ValueError, match=r"`names` must be some of.*received names=\['Γ_f'\]"):
        gates.plot_gates(recorded, names=["Γ_f"])
    with pytest.raises(TypeError, match="`recorded` must be the dict"):
        gates.plot_gates(recorded["Γ_u"])


@needs_tensorflow
def test_model_gates_bad_input_raises(rng):
    layer = built("GRU", rng)
    tagger = Tagger("gru", units=2, embedding_dim=2, bidirectional=False).adapt([["a", "b"]])
    with pytest.raises(ValueError, match=r"`inputs` must hold one example.*\(2, 2\)"):
        gates.model_gates(tagger.network, "gru_0", np.ones((2, 2), "int32"))
    with pytest.raises(ValueError, match="does not hold"):
        gates.model_gates(tagger.network, layer, np.ones((1, 2), "int32"))
