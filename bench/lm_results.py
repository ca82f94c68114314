r"""Two language-model results for the slides (a report, not a test), printed as Markdown.

1. P(sentence) for the slides' pairs under word models: modified-Kneser-Ney 5-grams fitted on
   the Penn Treebank train split (the PTB's own ``<unk>``) and on Shakespeare's words (every
   word kept, so "pear" and "pair" are both known), and with ``--ptb-lstm DIR`` the LSTM that
   ``python bench/ptb_word.py --save DIR`` trained.
2. A character-level LSTM names generator trained on the train split of
   ``first_names("all")`` (at most a fixed time budget, early stopping on the valid split); 1,000 samples (seed 0, temperature 1)
   checked for novelty against the training names.

    python bench/lm_results.py [--ptb-lstm DIR]
"""

import argparse
import math
import os
import re
import shlex
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from machine import describe, time_limit  # noqa: E402
from rnn_zoo.data import datasets, text  # noqa: E402
from rnn_zoo.lm.ngram import NGramLM  # noqa: E402
from rnn_zoo.lm.rnn import RNNLanguageModel  # noqa: E402
from rnn_zoo.lm.sampling import generate  # noqa: E402

PAIRS = [("the apple and pair salad", "the apple and pear salad"),
         ("i saw the soccer game", "saw i the game of soccer")]
TRAIN_SECONDS = 90
N_SAMPLES = 1000
DROPOUT = 0.2


def word_models(ptb_lstm=None):
    """``{name: (model, unk_token)}``: 5-grams on the PTB and on Shakespeare's words, and the
    PTB LSTM that ``bench/ptb_word.py --save DIR`` wrote, if given."""
    ptb = [line.split() for line in datasets.penn_treebank()["train"]]
    plays = [re.findall(r"[a-z']+", line.lower()) for line in datasets.shakespeare().split("\n")]
    models = {
        "modified-KN 5-gram, PTB train (10,000 words)":
            (NGramLM(ptb, n=5, smoothing="modified-kneser-ney", unk_token="<unk>"), "<unk>"),
        "modified-KN 5-gram, Shakespeare's words (every word kept)":
            (NGramLM([w for w in plays if w], n=5, smoothing="modified-kneser-ney"), "<UNK>"),
    }
    if ptb_lstm:
        models["Zaremba small LSTM, PTB (bench/ptb_word.py)"] = (
            RNNLanguageModel.load(ptb_lstm), "<unk>")
    return models


def sentence_probabilities(ptb_lstm=None):
    print("## 1. P(sentence) under word models\n")
    print("Probabilities include the end token `</s>`. A word outside a model's vocabulary is "
          "scored as its unknown token, which stands for every rare word at once and is "
          "frequent, so its probability is high: a pair is compared fairly only if both "
          "sentences have the same words unknown. The PTB lacks \"pear\" (and \"soccer\"); Shakespeare has \"pear\" "
          "(5 times) and \"pair\" (43).\n")
    print("| model | sentence | log10 P | unknown words |")
    print("|---|---|---:|---|")
    verdicts = []
    for name, (model, unk) in word_models(ptb_lstm).items():
        vocabulary = set(model.vocabulary)
        for pair in PAIRS:
            scores = [model.sentence_log_prob(s.split()) / math.log(10) for s in pair]
            unknown = [[w for w in s.split() if w not in vocabulary] for s in pair]
            for sentence, log10, unk_words in zip(pair, scores, unknown):
                print(f"| {name} | {sentence} | {log10:.3f} | {', '.join(unk_words) or '-'} |")
            (more, best), (less, worst) = sorted(zip(pair, scores), key=lambda p: -p[1])
            fair = ("fair: the same words unknown in both" if sorted(unknown[0]) == sorted(unknown[1])
                    else f"unfair: {unk} stands in for a word of only one sentence")
            verdicts.append(f"- {name}: \"{more}\" is {10 ** (best - worst):.3g}x more probable "
                            f"than \"{less}\" ({fair})")
    print()
    print("\n".join(verdicts))
    print()


def names_generator():
    keras.utils.set_random_seed(0)
    names = datasets.first_names("all")
    split = datasets.split_items(names)
    train, valid = split["train"], split["valid"]
    lookup = text.char_vocabulary("".join(names), eos_token="\n")
    model = RNNLanguageModel(lookup, cell="lstm", units=128, dropout=DROPOUT, unk_token=None,
                             eos_token="\n")
    data = text.sentence_batches(lookup, [list(n) for n in train], 64, eos_token="\n",
                                 shuffle=True, seed=0)
    valid_data = text.sentence_batches(lookup, [list(n) for n in valid], 64, eos_token="\n")
    limit = time_limit(TRAIN_SECONDS)
    stop = keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)
    t0 = time.perf_counter()
    history = model.fit(data, epochs=1000, learning_rate=3e-3, validation_data=valid_data,
                        callbacks=[limit, stop], verbose=0)
    train_s = time.perf_counter() - t0
    loss, val_loss = history.history["loss"], history.history["val_loss"]
    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    samples = ["".join(generate(model, max_tokens=30, temperature=1.0, seed=rng))
               for _ in range(N_SAMPLES)]
    sample_s = time.perf_counter() - t0
    train_set = set(train)
    copies = [s for s in samples if s in train_set]
    novel = [s for s in samples if s not in train_set]
    duplicates = len(samples) - len(set(samples))
    print("## 2. Character-level LSTM names generator\n")
    print(f"`first_names(\"all\")` split with `split_items` (seed 0): {len(train):,} train / "
          f"{len(valid):,} valid names, {len(lookup.get_vocabulary())} characters incl. `\\n`. "
          f"LSTM 128 units, dropout {DROPOUT}, Adam lr 3e-3, batch 64, {len(loss)} epochs in "
          f"{train_s:.0f} s (stops at {TRAIN_SECONDS} s or 5 epochs without a better valid "
          f"loss; the best epoch's weights are kept); loss {loss[0]:.3f} -> {loss[-1]:.3f} "
          f"nats/char, valid {val_loss[0]:.3f} -> {val_loss[-1]:.3f}, best valid "
          f"{min(val_loss):.3f} at epoch {int(np.argmin(val_loss)) + 1}.\n")
    print(f"{N_SAMPLES:,} samples (`generate`, temperature 1, one `default_rng(0)` stream, "
          f"max 30 chars) in {sample_s:.0f} s:\n")
    print("| | count |")
    print("|---|---:|")
    print(f"| novel (not a training name) | {len(novel)} |")
    print(f"| copies of a training name | {len(copies)} |")
    print(f"| of those novel, a valid/test name | "
          f"{sum(s in set(names) for s in novel)} |")
    print(f"| empty samples | {samples.count('')} |")
    print(f"| duplicates among the samples (samples - distinct) | {duplicates} |")
    print(f"| distinct samples | {len(set(samples))} |")
    print()
    print("First 20 samples (* = copy of a training name): "
          + ", ".join(f"{s}{'*' if s in train_set else ''}" for s in samples[:20]))
    print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ptb-lstm", help="a directory that bench/ptb_word.py --save wrote")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    print("# Language-model results\n")
    print(f"{describe()}\n")
    print(f"Command: `{shlex.join(['python', *sys.argv])}`\n")
    sentence_probabilities(args.ptb_lstm)
    names_generator()
    print(f"Wall time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
