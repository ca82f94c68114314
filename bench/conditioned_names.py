r"""First names generated from a class, female or male (a report, not a test), as Markdown.

One-to-many: ``rnn_zoo.lm.conditioned.ClassConditionedLM`` -- a character LSTM (128 units,
dropout 0.2) whose initial state ``[a<0>, c<0>]`` is a learned vector per class -- trained on
the train splits of ``first_names("female")`` and ``first_names("male")``
(``split_items(..., seed=0)``: 80 %, early stopping on the 10 % valid splits, at most a fixed
time budget). Then ``N_SAMPLES`` samples per class from ``generate(model.conditioned_on(label))``
(temperature 1, one ``default_rng(0)`` stream), each checked against the name lists: a copy of
a training name of its class, a name of its class the model never saw (valid / test), a name
found only in the *other* class's list (the class not honoured), or novel; and the share
ending in "a", a crude marker of English female names, against the same share in each list.

    python bench/conditioned_names.py            # ~3 minutes on 2 CPU cores
"""

import os
import shlex
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from machine import describe, time_limit  # noqa: E402
from rnn_zoo.data import datasets, text  # noqa: E402
from rnn_zoo.lm.conditioned import ClassConditionedLM  # noqa: E402
from rnn_zoo.lm.sampling import generate  # noqa: E402

CLASSES = ("female", "male")
TRAIN_SECONDS = 90
N_SAMPLES = 500
DROPOUT = 0.2


def ending_in_a(names):
    return np.mean([name.endswith("a") for name in names]) if names else float("nan")


def main():
    start = time.perf_counter()
    lists = {label: datasets.first_names(label) for label in CLASSES}
    splits = {label: datasets.split_items(names) for label, names in lists.items()}
    train = {label: split["train"] for label, split in splits.items()}
    labels = [label for label in CLASSES for _ in train[label]]
    names = [list(name) for label in CLASSES for name in train[label]]
    valid_labels = [label for label in CLASSES for _ in splits[label]["valid"]]
    valid_names = [list(name) for label in CLASSES for name in splits[label]["valid"]]

    keras.utils.set_random_seed(0)
    lookup = text.char_vocabulary("".join(lists["female"] + lists["male"]), eos_token="\n")
    model = ClassConditionedLM(lookup, list(CLASSES), cell="lstm", units=128, dropout=DROPOUT)
    t0 = time.perf_counter()
    history = model.fit(labels, names, validation_data=(valid_labels, valid_names),
                        epochs=1000, batch_size=64, patience=5, learning_rate=3e-3,
                        callbacks=[time_limit(TRAIN_SECONDS)], verbose=0)
    train_s = time.perf_counter() - t0
    loss, val_loss = history.history["loss"], history.history["val_loss"]

    rng = np.random.default_rng(0)
    samples, sample_s = {}, {}
    for label in CLASSES:
        view = model.conditioned_on(label)
        t0 = time.perf_counter()
        samples[label] = ["".join(generate(view, max_tokens=30, seed=rng))
                          for _ in range(N_SAMPLES)]
        sample_s[label] = time.perf_counter() - t0

    print("# First names from a class: one-to-many\n")
    print(f"{describe()}\n")
    print(f"Command: `{shlex.join(['python', *sys.argv])}`\n")
    print(f"`first_names(\"female\")` ({len(lists['female']):,} names) and "
          f"`first_names(\"male\")` ({len(lists['male']):,}), each split with `split_items` "
          f"(seed 0): {len(train['female']):,} + {len(train['male']):,} training names, "
          f"{len(valid_names):,} validation; {len(set(lists['female']) & set(lists['male']))} "
          f"names are on both lists. `ClassConditionedLM`: LSTM 128 units, dropout {DROPOUT}, "
          f"a learned `[a<0>, c<0>]` per class, {model.count_params():,} parameters; Adam 3e-3, "
          f"batch 64, {len(loss)} epochs in {train_s:.0f} s (stops at {TRAIN_SECONDS} s or 5 "
          f"epochs without a better validation loss; the best epoch's weights are kept); loss "
          f"{loss[0]:.3f} -> {loss[-1]:.3f} nats/char, best validation {min(val_loss):.3f}.\n")
    print(f"{N_SAMPLES} samples per class (`generate`, temperature 1, max 30 characters):\n")
    print("| | female samples | male samples |")
    print("|---|---:|---:|")
    rows = {"copies of a training name of the class": [],
            "names of the class not trained on (valid / test)": [],
            "names only on the other class's list (class not honoured)": [],
            "novel (on neither list)": [], "distinct samples": [],
            "ending in \"a\"": [], "sampling time (s)": []}
    for label, other in zip(CLASSES, reversed(CLASSES)):
        own, theirs, seen = set(lists[label]), set(lists[other]), set(train[label])
        drawn = samples[label]
        rows["copies of a training name of the class"].append(sum(s in seen for s in drawn))
        rows["names of the class not trained on (valid / test)"].append(
            sum(s in own and s not in seen for s in drawn))
        rows["names only on the other class's list (class not honoured)"].append(
            sum(s in theirs and s not in own for s in drawn))
        rows["novel (on neither list)"].append(sum(s not in own | theirs for s in drawn))
        rows["distinct samples"].append(len(set(drawn)))
        rows["ending in \"a\""].append(f"{ending_in_a(drawn):.0%}")
        rows["sampling time (s)"].append(f"{sample_s[label]:.0f}")
    for name, (female, male) in rows.items():
        print(f"| {name} | {female} | {male} |")
    print(f"\nFor reference, names ending in \"a\": {ending_in_a(lists['female']):.0%} of the "
          f"female list, {ending_in_a(lists['male']):.0%} of the male list.\n")
    for label in CLASSES:
        seen = set(train[label])
        print(f"First 15 {label} samples (* = copy of a training name): "
              + ", ".join(f"{s}{'*' if s in seen else ''}" for s in samples[label][:15]))
        print()
    print(f"Wall time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
