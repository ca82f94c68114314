r"""The long-gap agreement task of slide section 5, and a study of it across cells and gaps.

"The cat, which already ate ..., was full" vs "The cats, which already ate ..., were full": the
verb agrees with a subject many words back, so the RNN must carry one bit -- singular or
plural -- across the gap.  The task here is that bit and nothing else, synthetic but honest::

    [subject]  [gap × distractor]  [query]   ->   "was" (0) if the subject is singular,
     "cats"    "which the mice ..."  "<verb>"      "were" (1) if plural

* the subject is a noun drawn uniformly from :data:`SINGULAR` + :data:`PLURAL` (so the labels are
  balanced);
* each of the ``gap`` distractors is a filler word (:data:`FILLERS`), or, with probability
  ``attractor_rate``, a noun of either number drawn independently of the subject (an
  "attractor", as in "the cat that chased the *mice* was ...").  Attractors make "remember the
  last noun" wrong half the time, and since their number is independent of the label, nothing
  in the gap tells the answer: only the first token does;
* the last token is :data:`QUERY`, where the model answers (many-to-one, slide section 9).

:func:`agreement_model` is ``Embedding -> zoo RNN -> Dense(2)`` (the logits of "was"/"were"),
with the number of units chosen per cell so that every cell has the same parameter budget;
:func:`run_agreement_study` trains each (cell, gap, seed) for the same number of steps and
measures the accuracy on a held-out set.  ``bench/agreement_study.py`` runs it from the shell.
"""

import functools
import time
from dataclasses import dataclass, field

import keras
import numpy as np
from keras import ops

from rnn_zoo import checks
from rnn_zoo.cells.registry import layer_class

SINGULAR = ("cat", "dog", "child", "mouse", "woman", "man", "bird", "student")
PLURAL = ("cats", "dogs", "children", "mice", "women", "men", "birds", "students")
FILLERS = (
    "which", "that", "the", "a", "already", "ate", "saw", "chased", "very", "quite", "big",
    "small", "slowly", "quickly", "after", "before", "and", "in", "on", "with", "yesterday",
    "near", "old", "happy",
)
QUERY = "<verb>"
VOCABULARY = SINGULAR + PLURAL + FILLERS + (QUERY,)  # token id = index in this tuple
VERBS = ("was", "were")  # label 0: singular subject, label 1: plural subject

NOUN_IDS = np.arange(len(SINGULAR) + len(PLURAL))  # singular first, then plural
FILLER_IDS = len(NOUN_IDS) + np.arange(len(FILLERS))
QUERY_ID = len(VOCABULARY) - 1

CELLS = ("simple_rnn", "gru", "lstm")  # the study's cells (names of rnn_zoo.cells.registry)
EMBEDDING_DIM = 16
BUDGET = 7000  # trainable parameters: about an LSTM with 32 units on 16-dim embeddings
CARRY_BIAS = 3.0
CARRY_GATES = {"gru": ("u", -1.0), "lstm": ("f", 1.0)}  # the gate that keeps c<t-1>, and how
TEST_SEED = 2**31 - 1  # the held-out set's seed; the training seeds are small integers


def agreement_data(size, gap, seed=0, attractor_rate=0.1):
    """``size`` sequences of the agreement task with ``gap`` distractors each, and their labels.

    Returns ``(tokens, labels)``: int32 arrays of shapes ``(size, gap + 2)`` and ``(size,)``;
    ``labels`` is 0 ("was") for a singular subject ``tokens[:, 0]``, 1 ("were") for a plural
    one.  The same ``seed`` gives the same arrays.  See the module docstring for the layout.
    """
    size = checks.positive_int("size", size)
    gap = checks.positive_int("gap", gap)
    attractor_rate = checks.rate("attractor_rate", attractor_rate)
    rng = np.random.default_rng(seed)

    labels = rng.integers(0, 2, size)                                     # 0 singular, 1 plural
    subjects = labels * len(SINGULAR) + rng.integers(0, len(SINGULAR), size)
    distractors = rng.choice(FILLER_IDS, (size, gap))
    attractors = rng.random((size, gap)) < attractor_rate
    distractors[attractors] = rng.choice(NOUN_IDS, attractors.sum())      # either number
    tokens = np.concatenate(
        [subjects[:, None], distractors, np.full((size, 1), QUERY_ID)], axis=1
    )
    return tokens.astype("int32"), labels.astype("int32")


def decode(tokens):
    """One sequence of token ids as words: ``"cats which the mice ... <verb>"``."""
    return " ".join(VOCABULARY[t] for t in np.asarray(tokens))


def _cell_name(cell):
    return checks.choice("cell", cell, CELLS)


def agreement_model(cell="gru", units=None, budget=BUDGET, carry_bias=CARRY_BIAS,
                    embedding_dim=EMBEDDING_DIM, seed=None):
    r"""``Embedding -> zoo RNN -> Dense(2)``: the logits of "was" and "were" after the query.

    Args:
        cell: ``"simple_rnn"``, ``"gru"`` (the slides' GRU, ``reset_after=False``) or ``"lstm"``.
        units: the RNN's units; by default :func:`units_for_budget` picks them so the whole
            model has about ``budget`` trainable parameters.
        carry_bias: the gate bias that opens the carry path at initialisation: the GRU's
            update gate starts at ``b_u = -carry_bias`` (with the default 3, ``Γ_u = σ(-3) ≈
            0.05``, so the direct path ``1 - Γ_u ≈ 0.95`` carries ``c<t-1>``; slide section 6)
            and the LSTM's forget gate at ``b_f = +carry_bias`` (``Γ_f ≈ 0.95``).  ``None``
            keeps Keras's initialisation (``b_u = 0``: ``Γ_u = 1/2``, so the direct path halves
            the gradient at every step; ``b_f = 1``: ``Γ_f ≈ 0.73``).  No effect on the vanilla
            RNN, which has no gate.
        embedding_dim: the size of the word vectors.
        seed: if given, ``keras.utils.set_random_seed(seed)`` right before the weights are
            drawn (from Keras's global random state), so the same seed gives the same model.
    """
    cell = _cell_name(cell)
    if units is None:
        units = units_for_budget(cell, budget, embedding_dim)
    units = checks.positive_int("units", units)
    if seed is not None:  # after units_for_budget, which draws weights for models of its own
        keras.utils.set_random_seed(seed)
    rnn = layer_class(cell)(units)
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(len(VOCABULARY), embedding_dim),
            rnn,
            keras.layers.Dense(len(VERBS)),                               # ŷ = W_ya a<T> + b_y
        ],
        name=f"agreement_{cell}",
    )
    if carry_bias is not None and cell in CARRY_GATES:
        gate, sign = CARRY_GATES[cell]
        block = rnn.cell.gates.index(gate)
        bias = ops.convert_to_numpy(rnn.cell.bias)
        bias[block * units : (block + 1) * units] = sign * carry_bias
        rnn.cell.bias.assign(bias)
    return model


@functools.cache
def units_for_budget(cell, budget=BUDGET, embedding_dim=EMBEDDING_DIM):
    """The units that bring :func:`agreement_model` closest to ``budget`` trainable parameters.

    Counted on built models (``count_params``), by bisection: the count grows with the units."""
    cell = _cell_name(cell)
    budget = checks.positive_int("budget", budget)

    def count(units):
        model = agreement_model(cell, units, carry_bias=None, embedding_dim=embedding_dim)
        return model.count_params()

    low, high = 1, 2
    while count(high) < budget:
        low, high = high, 2 * high
    while high - low > 1:  # count(low) < budget <= count(high)
        middle = (low + high) // 2
        low, high = (middle, high) if count(middle) < budget else (low, middle)
    return min((low, high), key=lambda units: abs(count(units) - budget))


def train_agreement(cell, gap, seed, steps, batch_size=64, learning_rate=3e-3,
                    attractor_rate=0.1, test_size=1000, budget=BUDGET, carry_bias=CARRY_BIAS):
    """Train one :func:`agreement_model` on fresh sequences and test it on a held-out set.

    ``steps`` Adam updates (``global_clipnorm=1``) on ``steps * batch_size`` sequences drawn with
    ``seed`` (the model's weights too); the held-out set is ``test_size`` sequences drawn with
    :data:`TEST_SEED`, the same for every cell and seed.  Returns a dict: ``accuracy`` on the
    held-out set, ``units``, ``params`` (trainable parameters), ``seconds`` (wall time) and the
    trained ``model``.
    """
    start = time.perf_counter()
    steps = checks.positive_int("steps", steps)
    batch_size = checks.positive_int("batch_size", batch_size)
    model = agreement_model(cell, budget=budget, carry_bias=carry_bias, seed=seed)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    x, y = agreement_data(steps * batch_size, gap, seed=seed, attractor_rate=attractor_rate)
    model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    x_test, y_test = agreement_data(test_size, gap, seed=TEST_SEED, attractor_rate=attractor_rate)
    _, accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    return {
        "accuracy": float(accuracy),
        "units": model.layers[1].units,
        "params": model.count_params(),
        "seconds": time.perf_counter() - start,
        "model": model,
    }


FULL = {"gaps": (5, 10, 20, 40, 80), "cells": CELLS, "seeds": (0, 1, 2), "steps": 1000}
SMALL = {"gaps": (2, 20), "cells": CELLS, "seeds": (0,), "steps": 150}


@dataclass
class AgreementStudy:
    """The results of :func:`run_agreement_study`.

    ``accuracy[cell, gap]`` is the held-out accuracy of each seed (in ``seeds`` order);
    ``units[cell]`` and ``params[cell]`` the size of that cell's model; ``settings`` the
    arguments the runs shared; ``seconds`` the wall time of the whole study."""

    gaps: tuple
    cells: tuple
    seeds: tuple
    steps: int
    settings: dict
    units: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    accuracy: dict = field(default_factory=dict)
    seconds: float = 0.0

    def mean(self, cell, gap):
        """The accuracy of ``cell`` at ``gap``, averaged over the seeds."""
        return float(np.mean(self.accuracy[cell, gap]))

    def markdown(self):
        """A Markdown table: one row per cell, one column per gap, "mean (seed, seed, ...)"."""
        head = ["cell", "units", "params"] + [f"gap {gap}" for gap in self.gaps]
        rows = [head, ["---"] * len(head)]
        for cell in self.cells:
            row = [layer_class(cell).__name__, str(self.units[cell]), f"{self.params[cell]:,}"]
            for gap in self.gaps:
                per_seed = ", ".join(f"{a:.2f}" for a in self.accuracy[cell, gap])
                row.append(f"**{self.mean(cell, gap):.2f}** ({per_seed})")
            rows.append(row)
        return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def run_agreement_study(gaps=None, cells=None, seeds=None, steps=None, small=False,
                        verbose=False, batch_size=64, learning_rate=3e-3, attractor_rate=0.1,
                        test_size=1000, budget=BUDGET, carry_bias=CARRY_BIAS):
    """Held-out accuracy against gap length for each cell, each trained the same way.

    Every (cell, gap, seed) gets a fresh model of the same parameter budget
    (:func:`agreement_model`), the same number of training ``steps`` and, per gap, the same
    held-out set (:func:`train_agreement`, whose arguments ``batch_size``, ``learning_rate``,
    ``attractor_rate``, ``test_size``, ``budget`` and ``carry_bias`` this passes on).
    Arguments left ``None`` come from :data:`FULL` -- gaps 5 to 80, three cells, three seeds,
    1000 steps: 45 runs, 8 minutes on 2 CPU cores -- or, with ``small=True``, from
    :data:`SMALL` (6 runs, about 20 seconds).  ``verbose`` prints one line per run.

    Returns an :class:`AgreementStudy`.
    """
    defaults = SMALL if small else FULL
    cells = tuple(_cell_name(c) for c in (defaults["cells"] if cells is None else cells))
    gaps = defaults["gaps"] if gaps is None else gaps
    gaps = tuple(checks.positive_int("gaps", gap) for gap in gaps)
    seeds = tuple(defaults["seeds"] if seeds is None else seeds)
    steps = checks.positive_int("steps", defaults["steps"] if steps is None else steps)
    if not (cells and gaps and seeds):
        raise ValueError(
            f"`cells`, `gaps` and `seeds` must each name at least one; received cells={cells}, "
            f"gaps={gaps}, seeds={seeds}"
        )

    settings = {
        "batch_size": batch_size, "learning_rate": learning_rate, "attractor_rate": attractor_rate,
        "test_size": test_size, "budget": budget, "carry_bias": carry_bias,
    }
    study = AgreementStudy(gaps, cells, seeds, steps, settings)
    start = time.perf_counter()
    for cell in cells:
        for gap in gaps:
            accuracies = []
            for seed in seeds:
                run = train_agreement(cell, gap, seed, steps, **settings)
                accuracies.append(run["accuracy"])
                study.units[cell], study.params[cell] = run["units"], run["params"]
                if verbose:
                    print(f"{cell:>10}  gap {gap:>4}  seed {seed}  accuracy {run['accuracy']:.3f}"
                          f"  ({run['seconds']:.1f} s)", flush=True)
            study.accuracy[cell, gap] = np.array(accuracies)
    study.seconds = time.perf_counter() - start
    return study
