"""The long-gap agreement task (slide section 5): the data obey the agreement rule, the models
share one parameter budget, and a short gap is learnt."""

import numpy as np
import pytest

from rnn_zoo.studies import agreement
from rnn_zoo.studies.agreement import (
    FILLERS,
    PLURAL,
    QUERY,
    SINGULAR,
    VERBS,
    VOCABULARY,
    AgreementStudy,
    agreement_data,
    agreement_model,
    decode,
    run_agreement_study,
    train_agreement,
    units_for_budget,
)


# ----------------------------------------------------------------------------------- data
@pytest.mark.parametrize("gap", [1, 7, 40])
def test_every_sample_obeys_the_agreement_rule(gap):
    tokens, labels = agreement_data(500, gap, seed=3)
    assert tokens.shape == (500, gap + 2) and labels.shape == (500,)
    assert tokens.dtype == labels.dtype == np.int32
    for sequence, label in zip(tokens, labels):
        subject, *middle, query = decode(sequence).split(" ")
        assert query == QUERY
        assert all(word in FILLERS + SINGULAR + PLURAL for word in middle)
        assert subject in (SINGULAR if VERBS[label] == "was" else PLURAL)


def test_labels_are_balanced_and_attractors_carry_no_information():
    tokens, labels = agreement_data(20000, 10, seed=0, attractor_rate=0.2)
    assert abs(labels.mean() - 0.5) < 0.02
    gap = np.vectorize(VOCABULARY.__getitem__)(tokens[:, 1:-1])
    attractor = np.isin(gap, SINGULAR + PLURAL)
    assert abs(attractor.mean() - 0.2) < 0.01
    plural = np.isin(gap, PLURAL)
    for label in (0, 1):  # the attractors' number is independent of the subject's
        rows = labels == label
        assert abs(plural[rows].sum() / attractor[rows].sum() - 0.5) < 0.02


def test_without_attractors_the_gap_holds_only_fillers():
    tokens, _ = agreement_data(200, 12, seed=1, attractor_rate=0.0)
    assert set(decode(tokens[:, 1:-1].ravel()).split(" ")) <= set(FILLERS)


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    a, b, c = (agreement_data(50, 9, seed=s) for s in (4, 4, 5))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


# --------------------------------------------------------------------------------- models
def expected_params(cell, units, embedding=16):
    """Counted by hand from the slide equations: n_gates * (W_?a, W_?x, b_?), plus the
    embedding table and the Dense(2) read-out."""
    gates = {"simple_rnn": 1, "gru": 3, "lstm": 4}[cell]
    return len(VOCABULARY) * embedding + gates * units * (units + embedding + 1) + 2 * units + 2


@pytest.mark.parametrize("cell", ["simple_rnn", "gru", "lstm"])
def test_units_for_budget_meets_the_budget_as_closely_as_units_allow(cell):
    units = units_for_budget(cell, 7000)
    assert agreement_model(cell).count_params() == expected_params(cell, units)
    off = [abs(expected_params(cell, u) - 7000) for u in (units - 1, units, units + 1)]
    assert off[1] == min(off) and off[1] / 7000 < 0.02


def test_the_three_cells_share_one_parameter_budget():
    counts = [agreement_model(cell).count_params() for cell in ("simple_rnn", "gru", "lstm")]
    assert max(counts) / min(counts) < 1.02
    rnn_counts = [agreement_model(cell).layers[1].count_params()
                  for cell in ("simple_rnn", "gru", "lstm")]
    assert max(rnn_counts) / min(rnn_counts) < 1.02


def test_carry_bias_opens_the_gru_update_path_and_the_lstm_forget_gate():
    gru = agreement_model("gru", units=5).layers[1].cell.slide_weights()
    lstm = agreement_model("lstm", units=5).layers[1].cell.slide_weights()
    np.testing.assert_array_equal(gru["b_u"], -3.0)  # Γ_u = σ(-3) ≈ 0.05: c<t-1> carried
    np.testing.assert_array_equal(gru["b_r"], 0.0)
    np.testing.assert_array_equal(lstm["b_f"], 3.0)
    np.testing.assert_array_equal(lstm["b_u"], 0.0)
    keras_gru = agreement_model("gru", units=5, carry_bias=None).layers[1].cell.slide_weights()
    keras_lstm = agreement_model("lstm", units=5, carry_bias=None).layers[1].cell.slide_weights()
    np.testing.assert_array_equal(keras_gru["b_u"], 0.0)
    np.testing.assert_array_equal(keras_lstm["b_f"], 1.0)  # Keras's unit_forget_bias


def test_the_same_seed_gives_the_same_model_whether_or_not_the_units_were_counted_before():
    units_for_budget.cache_clear()  # the first model counts its units by building others
    first, second = (agreement_model("lstm", seed=7) for _ in range(2))
    for a, b in zip(first.weights, second.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(agreement_model("lstm", seed=8).weights[0].numpy(),
                              first.weights[0].numpy())


def test_the_model_answers_with_two_logits_after_any_length():
    model = agreement_model("lstm", units=4)
    for gap in (1, 13):
        assert model(agreement_data(3, gap)[0]).shape == (3, 2)


# ------------------------------------------------------------------------------- training
@pytest.mark.parametrize("cell", ["simple_rnn", "gru", "lstm"])
def test_a_short_gap_is_learnt_in_a_few_seconds(cell):
    run = train_agreement(cell, gap=4, seed=0, steps=60, test_size=400)
    assert run["accuracy"] >= 0.95
    assert run["params"] == expected_params(cell, run["units"])


def test_the_study_collects_accuracy_per_cell_gap_and_seed():
    study = run_agreement_study(cells=["gru"], gaps=[2], seeds=[0, 1], steps=3, test_size=64)
    assert study.accuracy["gru", 2].shape == (2,)
    assert study.units == {"gru": units_for_budget("gru")}
    assert study.settings["carry_bias"] == agreement.CARRY_BIAS and study.seconds > 0


def test_the_markdown_table_shows_mean_and_per_seed_accuracy():
    study = AgreementStudy(
        gaps=(5, 80), cells=("simple_rnn", "gru"), seeds=(0, 1), steps=10, settings={},
        units={"simple_rnn": 71, "gru": 38}, params={"simple_rnn": 7048, "gru": 7004},
        accuracy={("simple_rnn", 5): np.array([1.0, 0.98]),
                  ("simple_rnn", 80): np.array([0.5, 0.6]),
                  ("gru", 5): np.array([1.0, 1.0]),
                  ("gru", 80): np.array([0.99, 0.97])},
    )
    assert study.mean("simple_rnn", 80) == pytest.approx(0.55)
    assert study.markdown().splitlines() == [
        "| cell | units | params | gap 5 | gap 80 |",
        "| --- | --- | --- | --- | --- |",
        "| SimpleRNN | 71 | 7,048 | **0.99** (1.00, 0.98) | **0.55** (0.50, 0.60) |",
        "| GRU | 38 | 7,004 | **1.00** (1.00, 1.00) | **0.98** (0.99, 0.97) |",
    ]


# --------------------------------------------------------------------------------- errors
def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="gap.*positive.*gap=0"):
        agreement_data(10, 0)
    with pytest.raises(TypeError, match="size"):
        agreement_data("10", 5)
    with pytest.raises(ValueError, match="attractor_rate"):
        agreement_data(10, 5, attractor_rate=1.5)
    with pytest.raises(ValueError, match=r"cell.*\('simple_rnn', 'gru', 'lstm'\).*cell='rnn'"):
        agreement_model("rnn")
    with pytest.raises(ValueError, match="units"):
        agreement_model("gru", units=0)
    with pytest.raises(ValueError, match="budget"):
        units_for_budget("gru", -5)
    with pytest.raises(ValueError, match="cell"):
        run_agreement_study(cells=["transformer"])
    with pytest.raises(ValueError, match="gaps"):
        run_agreement_study(gaps=[])
    with pytest.raises(ValueError, match="steps"):
        run_agreement_study(steps=0)
