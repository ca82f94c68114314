"""One-to-many generation from a class (slide section 9): the class's learned vectors are the
decoder's initial state; each class's view is a LanguageModel that the shared sampler and beam
search serve; teacher-forced scores equal step-by-step ones; a tiny model honours the class."""

import keras
import numpy as np
import pytest

from conftest import randomize
from rnn_zoo.data import text
from rnn_zoo.lm.conditioned import ClassConditionedLM
from rnn_zoo.lm.interface import LanguageModel
from rnn_zoo.lm.sampling import beam_search, generate

FEMALE, MALE = ["anna", "emma", "ella"], ["bob", "tom", "ted"]
CLASSES = ["female", "male"]
SENTENCES = [list("anna"), list("tom"), [], list("zzz")]       # "z" is in the vocabulary


@pytest.fixture(scope="module", params=[("lstm", 2), ("gru", 1)], ids=["lstm-2-layers", "gru"])
def random_model(request):
    """Seeded random weights (biases and class vectors too), peaked enough for short samples."""
    cell, layers = request.param
    keras.utils.set_random_seed(0)
    model = ClassConditionedLM(text.char_vocabulary("".join(FEMALE + MALE) + "z"), CLASSES,
                               cell=cell, units=8, layers=layers, embedding_dim=5, dropout=0.2)
    randomize(model.network, np.random.default_rng(0), scale=1.0)
    return model


def test_each_class_starts_from_its_own_vectors(random_model):
    decoder = random_model.decoder
    names = ("a", "c") if decoder.cell == "lstm" else ("a",)
    female, male = (random_model.conditioned_on(label) for label in CLASSES)
    for layer in range(decoder.layers):
        for k, name in enumerate(names):           # a<0> = S[class], row by row
            table = random_model.state_network.get_layer(f"{name}0_{layer}").embeddings.numpy()
            np.testing.assert_array_equal(female.initial_states[layer][k].numpy(), table[:1])
            np.testing.assert_array_equal(male.initial_states[layer][k].numpy(), table[1:])
    # the views' first step is the decoder's start from that state, not from zeros
    np.testing.assert_allclose(female.state_log_probs(female.start()),
                               decoder.state_log_probs(decoder.start(
                                   initial_states=female.initial_states)))
    first = [view.next_log_probs() for view in (female, male, decoder)]
    assert not np.allclose(first[0], first[1]) and not np.allclose(first[0], first[2])


def test_token_log_probs_equal_step_by_step_scoring(random_model):
    for label in CLASSES:
        view = random_model.conditioned_on(label)
        fast = view.token_log_probs(SENTENCES)           # the teacher-forced network
        slow = LanguageModel.token_log_probs(view, SENTENCES)   # start, then advance
        assert fast.shape == (5 + 4 + 1 + 4,)
        np.testing.assert_allclose(fast, slow, atol=1e-5)
        np.testing.assert_allclose(random_model.token_log_probs([label] * 4, SENTENCES), fast)
    assert not np.allclose(random_model.token_log_probs(["female"], SENTENCES[:1]),
                           random_model.token_log_probs(["male"], SENTENCES[:1]))


def test_the_shared_sampler_and_beam_search_serve_each_class(random_model):
    view = random_model.conditioned_on("male")
    samples = [generate(view, max_tokens=12, seed=seed, temperature=1.5)
               for seed in (3, 3, 4, 5, 6)]
    assert samples[0] == samples[1]
    assert len({tuple(sample) for sample in samples}) > 2
    hypotheses = beam_search(view, beam_width=3, max_tokens=12)
    assert [h.log_prob for h in hypotheses] == sorted((h.log_prob for h in hypotheses),
                                                      reverse=True)
    for h in hypotheses:
        if h.finished:
            assert h.log_prob == pytest.approx(view.sentence_log_prob(h.tokens), abs=1e-4)


def test_a_tiny_model_honours_the_class():
    keras.utils.set_random_seed(0)
    model = ClassConditionedLM(text.char_vocabulary("".join(FEMALE + MALE)), CLASSES,
                               cell="gru", units=16)
    labels = ["female"] * 3 + ["male"] * 3
    history = model.fit(labels * 4, [list(name) for name in FEMALE + MALE] * 4, epochs=15,
                        batch_size=8, learning_rate=0.03, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    for label, names in zip(CLASSES, (FEMALE, MALE)):
        view = model.conditioned_on(label)
        samples = ["".join(generate(view, max_tokens=8, seed=seed)) for seed in range(20)]
        assert sum(sample in names for sample in samples) >= 18
        assert {"".join(h.tokens) for h in beam_search(view, beam_width=3)} == set(names)


@pytest.mark.parametrize("call, error, match", [
    (lambda m: m.conditioned_on("other"), ValueError, r"`condition` must be one of the classes"),
    (lambda m: m.conditioned_on(0), TypeError, r"`condition` must be a str"),
    (lambda m: m.fit(["female", "girl"], [list("anna")] * 2), ValueError,
     r"`labels\[1\]` must be one of the classes \['female', 'male'\]; received "
     r"labels\[1\]='girl'"),
    (lambda m: m.fit("female", [list("anna")]), TypeError, r"`labels` must be a list"),
    (lambda m: m.fit(["female"], [list("anna")] * 2), ValueError, "1 conditions and 2"),
    (lambda m: m.fit(["female"], ["anna"]), TypeError, "list of string tokens"),
    (lambda m: m.fit(["female"], [list("anna!")]), ValueError,
     r"`sentences\[0\]` holds tokens outside .*\['!'\]"),
    (lambda m: ClassConditionedLM(["\n", "a"], "female"), TypeError, "`classes`"),
    (lambda m: ClassConditionedLM(["\n", "a"], ["f", "f"]), ValueError, "distinct"),
    (lambda m: ClassConditionedLM(["\n", "a"], ["f"], units=0), ValueError, "units=0"),
])
def test_bad_arguments_raise_naming_them(untrained, call, error, match):
    with pytest.raises(error, match=match):
        call(untrained)


@pytest.fixture(scope="module")
def untrained():
    return ClassConditionedLM(text.char_vocabulary("".join(FEMALE + MALE)), CLASSES, units=4)
