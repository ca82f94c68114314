r"""Dates to ISO with an encoder-decoder (a report, not a test), printed as Markdown.

``rnn_zoo.tasks.seq2seq.date_examples(20000, 1000, 1000, seed=0)``: 20,000 training, 1,000
validation and 1,000 test dates, no date in two splits, each written in one of 13 formats
("3 March 2021", "Mar 3, 21", "03/03/2021", "Wednesday, March 3rd 2021", ...). A zoo GRU
encoder (128 units) hands its final state to a zoo GRU decoder (128 units); character
embeddings of 32; teacher forcing, Adam 3e-3, batch 64, early stopping on the validation loss
(patience 2, best epoch restored) or a fixed time budget, whichever comes first. Test
exact-match accuracy (the whole output string equal to the ISO date) for greedy decoding and
beam search, overall and per format, against the baseline that copies the source unchanged.

    python bench/seq2seq.py            # ~5 minutes on 2 CPU cores
"""

import os
import shlex
import sys
import time
from collections import defaultdict

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from machine import describe, time_limit  # noqa: E402
from rnn_zoo.tasks.seq2seq import DATE_FORMATS, EncoderDecoder, date_examples, exact_match  # noqa: E402

TRAIN_SECONDS = 150
BEAM_WIDTH = 3
SETTINGS = dict(cell="gru", units=128, embedding_dim=32)


def main():
    start = time.perf_counter()
    data = date_examples(n_train=20000, n_valid=1000, n_test=1000, seed=0)
    train, valid, test = data["train"], data["valid"], data["test"]
    keras.utils.set_random_seed(0)
    model = EncoderDecoder("".join(train.sources), "".join(train.targets), **SETTINGS)
    t0 = time.perf_counter()
    history = model.fit(train.sources, train.targets, epochs=100, batch_size=64, patience=2,
                        learning_rate=3e-3, validation_data=(valid.sources, valid.targets),
                        callbacks=[time_limit(TRAIN_SECONDS)], verbose=0)
    train_s = time.perf_counter() - t0
    loss, val_loss = history.history["loss"], history.history["val_loss"]

    t0 = time.perf_counter()
    greedy = model.greedy(test.sources, max_length=12)
    greedy_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    beams = model.beam_search(test.sources, beam_width=BEAM_WIDTH, max_length=12)
    beam_s = time.perf_counter() - t0
    beam = ["".join(hypotheses[0].tokens) for hypotheses in beams]

    print("# Dates to ISO: encoder-decoder\n")
    print(f"{describe()}\n")
    print(f"Command: `{shlex.join(['python', *sys.argv])}`\n")
    print(f"Data: `date_examples(n_train=20000, n_valid=1000, n_test=1000, seed=0)`, splits "
          f"disjoint by date (1950-2049), 13 formats. Model: zoo GRU encoder -> zoo GRU "
          f"decoder, 128 units, embeddings 32, {model.count_params():,} parameters; "
          f"source vocabulary {model.source_lookup.vocabulary_size()} ids (with padding), "
          f"target {len(model.decoder.vocabulary)} characters (with the end token). Adam 3e-3, "
          f"batch 64: {len(loss)} epochs in {train_s:.0f} s (stops after {TRAIN_SECONDS} s, "
          f"mid-epoch, or after 2 epochs without a better validation loss; the best epoch's "
          f"weights are kept); loss "
          f"{loss[0]:.3f} -> {loss[-1]:.4f} nats/char, best validation {min(val_loss):.4f}.\n")
    print("| decoding | test exact match (1,000 dates) | decoding time (s) |")
    print("|---|---:|---:|")
    print(f"| copy the source (baseline) | {exact_match(test.sources, test.targets):.3f} | - |")
    print(f"| greedy | {exact_match(greedy, test.targets):.3f} | {greedy_s:.0f} |")
    print(f"| beam search, width {BEAM_WIDTH} | {exact_match(beam, test.targets):.3f} | "
          f"{beam_s:.0f} |")
    print(f"\nBeam search and greedy decoding differ on {sum(g != b for g, b in zip(greedy, beam))}"
          " of the 1,000 test dates.\n")

    by_format = defaultdict(list)
    for i, template in enumerate(test.formats):
        by_format[template].append(i)
    print("| format | test dates | greedy | beam |")
    print("|---|---:|---:|---:|")
    for template in DATE_FORMATS:
        rows = by_format[template]
        targets = [test.targets[i] for i in rows]
        print(f"| `{template}` | {len(rows)} | "
              f"{exact_match([greedy[i] for i in rows], targets):.3f} | "
              f"{exact_match([beam[i] for i in rows], targets):.3f} |")
    errors = [(s, g, t) for s, g, t in zip(test.sources, greedy, test.targets) if g != t]
    print("\nFirst greedy errors (source -> output, expected): "
          + "; ".join(f"\"{s}\" -> {g} ({t})" for s, g, t in errors[:8]))
    print(f"\nWall time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
