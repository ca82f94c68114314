"""The encoder-decoder and its date data (slide section 9, many-to-many with different lengths):
the data generator's formats, seeding and date-disjoint splits; teacher-forced scores equal to
step-by-step decoding from the encoder's state; padding; greedy and beam search; bad inputs;
and a tiny model that learns to copy. Small models, so the file runs in seconds."""

import datetime
import itertools

import keras
import numpy as np
import pytest

from conftest import randomize
from rnn_zoo.lm.interface import LanguageModel
from rnn_zoo.tasks.seq2seq import (DATE_FORMATS, EncoderDecoder, date_examples, exact_match,
                             format_date, ordinal)

# The module docstring's table: template -> (2021-03-03, 2005-11-24).
EXAMPLES = {
    "{d} {Month} {yyyy}": ("3 March 2021", "24 November 2005"),
    "{dd} {Mon} {yyyy}": ("03 Mar 2021", "24 Nov 2005"),
    "{Mon} {d}, {yy}": ("Mar 3, 21", "Nov 24, 05"),
    "{Month} {d}, {yyyy}": ("March 3, 2021", "November 24, 2005"),
    "{Weekday}, {Month} {dth} {yyyy}": ("Wednesday, March 3rd 2021",
                                        "Thursday, November 24th 2005"),
    "{Wkd} {d} {Mon} {yyyy}": ("Wed 3 Mar 2021", "Thu 24 Nov 2005"),
    "{dth} of {Month} {yyyy}": ("3rd of March 2021", "24th of November 2005"),
    "{month} {d} {yyyy}": ("march 3 2021", "november 24 2005"),
    "{dd}/{mm}/{yyyy}": ("03/03/2021", "24/11/2005"),
    "{d}/{m}/{yy}": ("3/3/21", "24/11/05"),
    "{dd}.{mm}.{yyyy}": ("03.03.2021", "24.11.2005"),
    "{yyyy}-{mm}-{dd}": ("2021-03-03", "2005-11-24"),
    "{yyyy}{mm}{dd}": ("20210303", "20051124"),
}
SOURCES = ["3/3/21", "Wednesday, March 3rd 2021", "20051124", "Nov 24, 05"]
TARGETS = ["2021-03-03", "2021-03-03", "2005-11-24", ""]


# ------------------------------------------------------------------------------- the data
def test_every_format_writes_the_documented_examples():
    assert set(EXAMPLES) == set(DATE_FORMATS)
    for template, expected in EXAMPLES.items():
        written = tuple(format_date(datetime.date.fromisoformat(day), template)
                        for day in ("2021-03-03", "2005-11-24"))
        assert written == expected
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 30, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "30th",
        "31st"]
    assert format_date(datetime.date(1950, 1, 1), "{Mon} {d}, {yy}") == "Jan 1, 50"
    with pytest.raises(ValueError, match="`template`"):
        format_date(datetime.date(2021, 3, 3), "{d}-{m}")


def test_date_examples_are_seeded_correct_and_disjoint_by_date():
    data = date_examples(n_train=3000, n_valid=400, n_test=400, seed=0)
    assert data == date_examples(n_train=3000, n_valid=400, n_test=400, seed=0)
    assert data["test"] == date_examples(n_train=50, n_valid=5, n_test=400, seed=0)["test"]
    assert data["test"] != date_examples(n_train=50, n_valid=5, n_test=400, seed=1)["test"]
    days = {}
    for split, examples in data.items():
        assert len(examples.sources) == len(examples.targets) == len(examples.formats)
        days[split] = set(examples.targets)
        assert len(days[split]) == len(examples.targets)          # one example per day
        for source, target, template in zip(*examples):
            day = datetime.date.fromisoformat(target)
            assert datetime.date(1950, 1, 1) <= day <= datetime.date(2049, 12, 31)
            assert source == format_date(day, template)
    assert not days["train"] & days["valid"] and not days["train"] & days["test"]
    assert not days["valid"] & days["test"]
    assert set(data["train"].formats) == set(DATE_FORMATS)
    with pytest.raises(ValueError, match="`n_train` must be at most 29221"):
        date_examples(n_train=29222)
    with pytest.raises(ValueError, match="n_test=0"):
        date_examples(n_test=0)


def test_exact_match_compares_whole_strings():
    assert exact_match(["2021-03-03", "2021-03-0"], ["2021-03-03", "2021-03-03"]) == 0.5
    with pytest.raises(ValueError, match="same, non-zero length"):
        exact_match(["a"], ["a", "b"])


# ------------------------------------------------------------------------------ the model
@pytest.fixture(scope="module", params=[("gru", 1, 0.0), ("lstm", 2, 0.3)],
            ids=["gru", "lstm-2-layers-dropout"])
def random_model(request):
    """A small encoder-decoder with seeded random weights (biases too), peaked enough that
    decoding ends well before its length limit."""
    cell, layers, dropout = request.param
    keras.utils.set_random_seed(0)
    model = EncoderDecoder("".join(SOURCES), "0123456789-", cell=cell, units=8, layers=layers,
                           embedding_dim=5, dropout=dropout)
    randomize(model.network, np.random.default_rng(0), scale=1.0)
    return model


def test_teacher_forced_log_probs_equal_step_by_step_decoding(random_model):
    rows = random_model.log_probs(SOURCES, TARGETS)            # one batch, padded
    for source, target, row in zip(SOURCES, TARGETS, rows):
        view = random_model.conditioned_on(source)
        state = view.start()
        assert row.shape == (len(target) + 1, len(view.vocabulary))
        for t, char in enumerate(target + "\n"):
            np.testing.assert_allclose(view.state_log_probs(state), row[t], atol=1e-5)
            if t < len(target):
                state = view.advance(state, char)
    targets = [random_model.decoder.ids(list(target) + ["\n"]) for target in TARGETS]
    np.testing.assert_allclose(random_model.token_log_probs(SOURCES, TARGETS), np.concatenate(
        [row[np.arange(len(ids)), ids] for row, ids in zip(rows, targets)]))
    view, sentences = random_model.conditioned_on(SOURCES[1]), [list("2021-03"), list("1"), []]
    np.testing.assert_allclose(view.token_log_probs(sentences),
                               LanguageModel.token_log_probs(view, sentences), atol=1e-5)


def test_padding_does_not_change_the_encoders_state(random_model):
    alone = random_model.initial_states(SOURCES[:1])
    padded = random_model.initial_states(SOURCES)          # beside a source 4x longer
    for layer_alone, layer_padded in zip(alone, padded):
        for state_alone, state_padded in zip(layer_alone, layer_padded):
            np.testing.assert_allclose(state_alone[0], state_padded[0], atol=1e-6)
    assert not np.allclose(padded[0][0][0], padded[0][0][1])   # and sources do differ


def test_beam_width_1_is_greedy_and_beams_are_ranked_by_their_true_log_probs(random_model):
    greedy = random_model.greedy(SOURCES, max_length=12)
    widths_1 = random_model.beam_search(SOURCES, beam_width=1, max_length=12)
    assert ["".join(best.tokens) for best, in widths_1] == greedy
    for source, hypotheses in zip(SOURCES, random_model.beam_search(SOURCES, 4, 12)):
        assert len(hypotheses) == 4
        scores = [h.log_prob for h in hypotheses]
        assert scores == sorted(scores, reverse=True)
        view = random_model.conditioned_on(source)
        for h in hypotheses:             # the beam's sums = the teacher-forced network's
            expected = view.token_log_probs([h.tokens])
            expected = expected.sum() if h.finished else expected[:-1].sum()
            assert h.log_prob == pytest.approx(expected, abs=1e-4)
        assert hypotheses[0].log_prob >= widths_1[SOURCES.index(source)][0].log_prob - 1e-6


@pytest.fixture(scope="module")
def untrained():
    return EncoderDecoder("".join(SOURCES), "0123456789-", units=4, embedding_dim=3)


@pytest.mark.parametrize("call, error, match", [
    (lambda m: m.greedy(["3/3/21", "3 Mai 2021"]), ValueError,
     r"`sources\[1\]` holds characters outside the source vocabulary: \['i'\]"),
    (lambda m: m.greedy(["3/3/21", ""]), ValueError, r"`sources\[1\]` must hold at least one"),
    (lambda m: m.greedy(["3/3/21" * 7]), ValueError, r"max_source_length=40 .* 42 characters"),
    (lambda m: m.greedy("3/3/21"), TypeError, "not a single string"),
    (lambda m: m.greedy([20210303]), TypeError, r"`sources` must hold only str"),
    (lambda m: m.beam_search(["3/3/21"], beam_width=0), ValueError, "beam_width=0"),
    (lambda m: m.greedy(["3/3/21"], max_length=0), ValueError, "max_length=0"),
    (lambda m: m.conditioned_on("3/3/21!"), ValueError, r"`condition` holds .*\['!'\]"),
    (lambda m: m.fit(["3/3/21"], ["2021-03-03", "2021"]), ValueError, "1 conditions and 2"),
    (lambda m: m.fit(["3/3/21"], ["21/3/3"]), ValueError, r"`targets\[0\]` holds .*\['/'\]"),
    (lambda m: EncoderDecoder("", "0"), ValueError, "`source_characters`"),
    (lambda m: EncoderDecoder("a", ["0"]), TypeError, "`target_characters`"),
    (lambda m: EncoderDecoder("a", "0", cell="rnn"), ValueError, "`cell` must be one of"),
])
def test_bad_inputs_raise_naming_the_argument(untrained, call, error, match):
    with pytest.raises(error, match=match):
        call(untrained)


def test_a_tiny_model_learns_to_copy():
    sources = ["".join(chars) for n in (1, 2, 3) for chars in itertools.product("abc", repeat=n)]
    keras.utils.set_random_seed(0)
    model = EncoderDecoder("abc", "abc", units=32, embedding_dim=8)
    assert exact_match(model.greedy(sources, max_length=5), sources) < 0.2
    history = model.fit(sources * 8, sources * 8, epochs=8, batch_size=26, learning_rate=0.02,
                        verbose=0)
    assert history.history["loss"][-1] < 0.05
    assert model.greedy(sources, max_length=5) == sources
    assert ["".join(best.tokens) for best, *_ in model.beam_search(sources, 2, 5)] == sources
