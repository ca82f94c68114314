r"""Shakespeare character-level language models at equal training time (a report, not a test).

The corpus is ``datasets.shakespeare()`` (38 plays, cleaned, 80 distinct characters); the last
10 % of its characters are the validation text (``datasets.split_text``), as in TARGETS.md.

* n-gram models (:mod:`rnn_zoo.lm.ngram`) over characters, one line a sentence and ``"\n"`` its
  end, so every character of the validation text and every line end is predicted.
* Zoo SimpleRNN, GRU and LSTM language models (:class:`rnn_zoo.lm.rnn.RNNLanguageModel`) and
  Keras's built-in ``keras.layers.LSTM`` in the same network (its ``rnn_zoo.proof.convert.to_keras``
  twin, so it starts from the zoo LSTM's very weights), all with the same settings: embeddings
  of 64, one layer of ``--units`` (default 512), windows of 100 characters, batch 64, Adam 2e-3,
  gradient norm clipped at 5, each trained for the same ``--minutes`` of wall-clock time.
  Validation loss is Keras's ``evaluate`` over the validation text cut into 100-character
  windows, each read from the zero state (the reference's protocol).

Also ``P(sentence)`` for the slides' pear/pair pair under each character model: a character
model has no ``<UNK>``, so both spellings are scored on equal terms.

    python bench/shakespeare_char.py                 # 4 x 5 min of training + about 3 min
    python bench/shakespeare_char.py --cells lstm --minutes 15   # the 15-minute goal
"""

import argparse
import math
import os
import shlex
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from machine import describe, time_limit  # noqa: E402
from rnn_zoo.data import datasets, text  # noqa: E402
from rnn_zoo.proof import convert
from rnn_zoo.lm.ngram import NGramLM  # noqa: E402
from rnn_zoo.lm.rnn import RNNLanguageModel  # noqa: E402

SEQ_LENGTH, BATCH, EMBEDDING, LEARNING_RATE, CLIPNORM = 100, 64, 64, 2e-3, 5.0
PAIR = ("the apple and pair salad", "the apple and pear salad")
NGRAMS = [(5, "add-k", {"k": 0.01}), (5, "kneser-ney", {}),
          (7, "kneser-ney", {}), (9, "kneser-ney", {})]


def train(network, data, valid, seconds):
    """Adam + the masked per-step cross entropy, ``seconds`` of training (from the end of the
    first batch), then the validation loss; returns ``(valid nats/char, seconds trained,
    characters seen)``."""
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=text.PAD)
    network.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE, clipnorm=CLIPNORM), loss=loss)
    steps = []
    count = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: steps.append(1))
    limit = time_limit(seconds)
    network.fit(data, epochs=1, callbacks=[limit, count], verbose=0)
    chars = len(steps) * BATCH * SEQ_LENGTH
    return network.evaluate(valid, verbose=0), limit.seconds_counted, chars


def log10_prob(model, sentence):
    """``log10 P(sentence + "\n")`` under a character model."""
    return model.sentence_log_prob(list(sentence)) / math.log(10)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", nargs="+", default=["simple_rnn", "gru", "lstm", "builtin"],
                        choices=["simple_rnn", "gru", "lstm", "builtin"])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--units", type=int, default=512)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-ngrams", action="store_true")
    args = parser.parse_args(argv)
    print(f"{describe()}\n\n    python bench/shakespeare_char.py {shlex.join(sys.argv[1:])}\n")

    corpus = datasets.shakespeare()
    split = datasets.split_text(corpus)
    lookup = text.char_vocabulary(corpus, eos_token="\n")
    vocabulary = lookup.get_vocabulary()
    print(f"{len(split['train']):,} training and {len(split['valid']):,} validation characters, "
          f"{len(vocabulary)} distinct\n")
    rows = []

    if not args.skip_ngrams:
        lines = {name: [list(line) for line in part.split("\n")] for name, part in split.items()}
        for n, smoothing, options in NGRAMS:
            t0 = time.perf_counter()
            model = NGramLM(lines["train"], n=n, smoothing=smoothing, eos_token="\n",
                            vocabulary=vocabulary, **options)
            nats = math.log(model.perplexity(lines["valid"]))
            label = f"{n}-gram, {smoothing}" + "".join(f", {k} = {v}" for k, v in options.items())
            rows.append((label, nats, time.perf_counter() - t0, "-", "-",
                         [log10_prob(model, s) for s in PAIR]))
            print(f"  {label}: {nats:.3f} nats/char", flush=True)

    ids = {name: text.encode_text(lookup, part) for name, part in split.items() if part}
    data = text.windows(ids["train"], SEQ_LENGTH, BATCH, seed=args.seed).repeat()
    data = data.prefetch(2)
    valid = text.windows(ids["valid"], SEQ_LENGTH, BATCH, shuffle=False)
    initial = {}     # each cell's initial weights: the built-in LSTM starts where the zoo's did
    for cell in args.cells:
        keras.utils.set_random_seed(args.seed)
        kind = "lstm" if cell == "builtin" else cell
        model = RNNLanguageModel(vocabulary, cell=kind, units=args.units,
                                 embedding_dim=EMBEDDING, unk_token=None, eos_token="\n")
        model.network.set_weights(initial.setdefault(kind, model.network.get_weights()))
        if cell == "builtin":
            network = convert.builtin_network(model.network)
            label = f"Keras built-in LSTM {args.units}"
        else:
            network, label = model.network, f"zoo {cell} {args.units}"
        nats, trained, chars = train(network, data, valid, args.minutes * 60)
        if cell == "builtin":   # score the pair with the built-in's trained weights
            for zoo, builtin in zip(model.network.layers, network.layers):
                if zoo.name.startswith("rnn_"):
                    zoo.set_weights(convert.from_keras(builtin).get_weights())
        rows.append((label, nats, trained, chars, network.count_params(),
                     [log10_prob(model, s) for s in PAIR]))
        print(f"  {label}: {nats:.3f} nats/char after {trained / 60:.1f} min, {chars:,} "
              f"characters ({chars / trained:,.0f}/s)", flush=True)

    print("\n| model | valid nats/char | bits/char | training time (s) | characters seen "
          "| parameters | log10 P(pair) | log10 P(pear) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, nats, seconds, chars, params, pair in rows:
        print(f"| {label} | {nats:.3f} | {nats / math.log(2):.3f} | {seconds:.0f} | "
              + (f"{chars:,}" if isinstance(chars, int) else chars) + " | "
              + (f"{params:,}" if isinstance(params, int) else params) + " | "
              + " | ".join(f"{p:.2f}" for p in pair) + " |")
    print(f"\nP(sentence) is for \"{PAIR[0]}\" and \"{PAIR[1]}\", each followed by its line "
          f"end; reference (TARGETS.md, raw Markdown, 84 characters): Keras LSTM-512, 8 min, "
          f"1.612 nats/char; character 5-gram add-k 1.663.")


if __name__ == "__main__":
    main()
