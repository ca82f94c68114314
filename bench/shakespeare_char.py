r"""Shakespeare character-level language models at equal training time (a report, not a test).

The corpus is ``datasets.shakespeare()`` (38 plays, cleaned, 80 distinct characters), cut in
order (``datasets.split_text(corpus, valid=0.05, test=0.05)``): the first 90 % for training,
then 5 % for validation (every choice below was made on it) and the last 5 % held out for the
test (read once per final model). Before issue 12 the whole last 10 % was the validation text;
the n-gram rows print that number too (``last 10 %``), for comparison with older tables.

* n-gram models (:mod:`rnn_zoo.lm.ngram`) over characters, one line a sentence and ``"\n"`` its
  end, so every character and every line end is predicted (each line from its start: an n-gram
  model never sees the line before).
* Zoo SimpleRNN, GRU and LSTM language models (:class:`rnn_zoo.lm.rnn.RNNLanguageModel`), and
  Keras's built-in ``keras.layers.LSTM`` in the same network (its
  ``rnn_zoo.proof.convert.to_keras`` twin: the zoo LSTM's very initial weights), each trained
  for the same ``--minutes`` of wall-clock time (timed from the end of the first batch): Adam
  with gradient norm clipped at 5, embeddings of 64, one layer of ``--units``.
  - The **old recipe** (the defaults): shuffled windows of 100 characters, each read from the
    zero state, batch 64, a constant rate 2e-3.
  - The **small-budget recipe** (``--recipe budget``, chosen on validation: trials below):
    stateful truncated BPTT (``--batch-size`` contiguous streams of the text, the state carried
    from one window to the next), and Adam's rate falling linearly to 0 over the time budget.
* Every RNN is scored two ways: ``zero state`` is Keras's ``evaluate`` over 100-character
  windows, each read from the zero state (the old protocol); ``stream`` reads the whole text
  with the state carried across windows and lines
  (:meth:`~rnn_zoo.lm.rnn.RNNLanguageModel.stream_perplexity`, as on the Penn Treebank).
* ``--mix``: each RNN + the Kneser-Ney 7-gram (:class:`rnn_zoo.lm.mixture.Mixture`), the weight
  fitted by EM on the validation text (stream scores), then scored on the test text.

Also ``P(sentence)`` for the slides' pear/pair pair under each character model: a character
model has no ``<UNK>``, so both spellings are scored on equal terms.

    python bench/shakespeare_char.py                 # 4 x 5 min of training + about 5 min
    python bench/shakespeare_char.py --backend jax --recipe budget --cells lstm --minutes 15 --mix

Trials for the small-budget recipe (validation, stream nats/char; JAX, LSTM, 5 minutes each,
the machine otherwise quiet) are listed in the README next to the results.
"""

import argparse
import math
import os
import shlex
import sys
import time

from machine import BACKENDS, backend_from_argv, describe, time_limit

backend_from_argv(sys.argv[1:])
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from rnn_zoo.data import datasets, text  # noqa: E402
from rnn_zoo.lm.mixture import Mixture  # noqa: E402
from rnn_zoo.lm.ngram import NGramLM  # noqa: E402
from rnn_zoo.lm.rnn import RNNLanguageModel  # noqa: E402
from rnn_zoo.proof import convert  # noqa: E402

EMBEDDING, CLIPNORM, EVAL_LENGTH, EVAL_BATCH = 64, 5.0, 100, 64
UNK = "<UNK>"
RECIPES = {"old": {"stateful": False, "decay": False, "batch_size": 64, "seq_length": 100,
                   "learning_rate": 2e-3},
           "budget": {"stateful": True, "decay": True, "batch_size": 64, "seq_length": 100,
                      "learning_rate": 4e-3}}
PAIR = ("the apple and pair salad", "the apple and pear salad")
NGRAMS = [(5, "add-k", {"k": 0.01}), (5, "kneser-ney", {}),
          (7, "kneser-ney", {}), (9, "kneser-ney", {})]
MIX_WITH = "7-gram, kneser-ney"


class LinearDecay(keras.callbacks.Callback):
    """Adam's rate falling linearly from ``rate`` to 0 over ``limit``'s time budget (read from
    the :func:`machine.time_limit` callback, so both clocks agree)."""

    def __init__(self, rate, limit, seconds):
        super().__init__()
        self.rate, self.limit, self.seconds = rate, limit, seconds

    def on_train_batch_begin(self, batch, logs=None):
        left = max(0.0, 1.0 - self.limit.seconds_counted / self.seconds)
        self.model.optimizer.learning_rate = self.rate * left


def train(model, network, ids, settings, seconds, seed):
    """``seconds`` of training (from the end of the first batch) of ``network`` (the model's
    own, or its built-in twin); returns ``(seconds trained, characters seen)``."""
    batch, length = settings["batch_size"], settings["seq_length"]
    if settings["stateful"]:
        data = text.stateful_windows(ids, length, batch).repeat()
    else:
        data = text.windows(ids, length, batch, seed=seed).repeat()
    steps = []
    limit = time_limit(seconds)
    callbacks = [limit, keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: steps.append(1))]
    if settings["decay"]:
        callbacks.append(LinearDecay(settings["learning_rate"], limit, seconds))
    optimizer = keras.optimizers.Adam(settings["learning_rate"], clipnorm=CLIPNORM)
    if network is model.network:
        model.fit(data.prefetch(2), epochs=1, optimizer=optimizer, callbacks=callbacks,
                  stateful=settings["stateful"], verbose=0)
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=text.PAD)
        network.compile(optimizer=optimizer, loss=loss)
        network.fit(data.prefetch(2), epochs=1, callbacks=callbacks, verbose=0)
    return limit.seconds_counted, len(steps) * batch * length


def zero_state_nats(model, ids):
    """Keras's ``evaluate`` over ``EVAL_LENGTH``-character windows, each from the zero state."""
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=text.PAD)
    model.network.compile(loss=loss)
    windows = text.windows(ids, EVAL_LENGTH, EVAL_BATCH, shuffle=False)
    return model.network.evaluate(windows, verbose=0)


def log10_prob(model, sentence):
    """``log10 P(sentence + "\n")`` under a character model."""
    return model.sentence_log_prob(list(sentence)) / math.log(10)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", nargs="+", default=["simple_rnn", "gru", "lstm", "builtin"],
                        choices=["simple_rnn", "gru", "lstm", "builtin"])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--units", type=int, default=512)
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="old")
    parser.add_argument("--batch-size", type=int, help="instead of the recipe's")
    parser.add_argument("--seq-length", type=int, help="instead of the recipe's")
    parser.add_argument("--learning-rate", type=float, help="instead of the recipe's")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-ngrams", action="store_true")
    parser.add_argument("--skip-test", action="store_true",
                        help="trials: score the validation text only")
    parser.add_argument("--mix", action="store_true",
                        help=f"each RNN + the {MIX_WITH} (weights fitted on validation)")
    parser.add_argument("--backend", choices=BACKENDS, default=os.environ["KERAS_BACKEND"])
    args = parser.parse_args(argv)
    settings = dict(RECIPES[args.recipe])
    for name in ("batch_size", "seq_length", "learning_rate"):
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    if "builtin" in args.cells and settings["stateful"]:
        parser.error("the built-in twin is trained with the old recipe only")
    print(f"{describe()} | Keras backend {keras.backend.backend()}\n\n"
          f"    python bench/shakespeare_char.py {shlex.join(sys.argv[1:])}\n\n"
          f"recipe {args.recipe}: {settings}\n")

    corpus = datasets.shakespeare()
    split = datasets.split_text(corpus, valid=0.05, test=0.05)
    parts = ["valid"] + ([] if args.skip_test else ["test"])
    # One vocabulary for every model, in the n-gram model's order (so that they can be mixed):
    # <UNK> (never in the text: no character is unknown), the line end, then the characters.
    characters = sorted(set(corpus) - {"\n"})
    vocabulary = [UNK, "\n", *characters]
    index = {token: j for j, token in enumerate(vocabulary)}
    lines = {name: [list(line) for line in part.split("\n")] for name, part in split.items()}
    ids = {name: np.fromiter(map(index.__getitem__, part), np.int32, len(part))
           for name, part in split.items()}
    print(f"{len(split['train']):,} training, {len(split['valid']):,} validation and "
          f"{len(split['test']):,} test characters, {len(vocabulary)} distinct\n", flush=True)
    rows, mixable = [], None

    if not args.skip_ngrams or args.mix:
        last_10 = [list(line) for line in (split["valid"] + split["test"]).split("\n")]
        for n, smoothing, options in NGRAMS:
            label = f"{n}-gram, {smoothing}" + "".join(f", {k} = {v}" for k, v in options.items())
            if args.skip_ngrams and label != MIX_WITH:
                continue
            t0 = time.perf_counter()
            model = NGramLM(lines["train"], n=n, smoothing=smoothing, eos_token="\n",
                            unk_token=UNK, vocabulary=characters, **options)
            assert model.vocabulary == vocabulary
            nats = {part: math.log(model.perplexity(lines[part])) for part in parts}
            nats["last 10 %"] = math.log(model.perplexity(last_10))
            mixable = model if label == MIX_WITH else mixable
            rows.append((label, nats, time.perf_counter() - t0, "-", "-",
                         [log10_prob(model, s) for s in PAIR]))
            print(f"  {label}: " + ", ".join(f"{k} {v:.3f}" for k, v in nats.items())
                  + " nats/char", flush=True)

    initial = {}     # each cell's initial weights: the built-in LSTM starts where the zoo's did
    for cell in args.cells:
        keras.utils.set_random_seed(args.seed)
        kind = "lstm" if cell == "builtin" else cell
        model = RNNLanguageModel(vocabulary, cell=kind, units=args.units,
                                 embedding_dim=EMBEDDING, unk_token=UNK, eos_token="\n")
        model.network.set_weights(initial.setdefault(kind, model.network.get_weights()))
        if cell == "builtin":
            network = convert.builtin_network(model.network)
            label = f"Keras built-in LSTM {args.units}"
        else:
            network, label = model.network, f"zoo {cell} {args.units}, {args.recipe} recipe"
        trained, chars = train(model, network, ids["train"], settings, args.minutes * 60,
                               args.seed)
        if cell == "builtin":   # score with the built-in's trained weights
            for zoo, builtin in zip(model.network.layers, network.layers):
                if zoo.name.startswith("rnn_"):
                    zoo.set_weights(convert.from_keras(builtin).get_weights())
        nats = {}
        for part in parts:
            nats[f"{part}, zero state"] = zero_state_nats(model, ids[part])
            nats[f"{part}, stream"] = math.log(model.stream_perplexity(lines[part]))
        rows.append((label, nats, trained, chars, model.network.count_params(),
                     [log10_prob(model, s) for s in PAIR]))
        print(f"  {label}: " + ", ".join(f"{k} {v:.3f}" for k, v in nats.items())
              + f" nats/char after {trained / 60:.1f} min, {chars:,} characters "
              f"({chars / trained:,.0f}/s)", flush=True)
        if args.mix:
            mixture = Mixture([mixable, model]).fit_weights(lines["valid"], stream=True)
            nats = {"valid, stream": math.log(mixture.validation_perplexity)}
            if not args.skip_test:
                nats["test, stream"] = math.log(mixture.stream_perplexity(lines["test"]))
            rows.append((f"mixture: {mixture!r}", nats, "-", "-", "-", ["-", "-"]))
            print(f"  {mixture!r}: " + ", ".join(f"{k} {v:.3f}" for k, v in nats.items())
                  + " nats/char", flush=True)

    columns = list(dict.fromkeys(key for row in rows for key in row[1]))
    print(f"\n| model | {' | '.join(columns)} | training time (s) | characters seen "
          "| parameters | log10 P(pair) | log10 P(pear) |")
    print("|---|" + "---:|" * (len(columns) + 5))
    for label, nats, seconds, chars, params, pair in rows:
        cells = [f"{nats[c]:.3f}" if c in nats else "-" for c in columns]
        cells += [f"{seconds:.0f}" if isinstance(seconds, float) else seconds,
                  f"{chars:,}" if isinstance(chars, int) else chars,
                  f"{params:,}" if isinstance(params, int) else params]
        cells += [f"{p:.2f}" if isinstance(p, float) else p for p in pair]
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("\nnats/char: divide by ln 2 = 0.693 for bits/char. P(sentence) is for "
          f"\"{PAIR[0]}\" and \"{PAIR[1]}\", each followed by its line end.")


if __name__ == "__main__":
    main()
