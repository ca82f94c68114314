r"""Speed of the zoo layers against their Keras built-in twins (a benchmark, not a test).

Method
------
For every layer and size, the zoo layer is built with seeded random weights and its built-in
twin is made with :func:`rnn_zoo.to_keras` (same weights); their outputs are checked to agree
(max abs diff < 1e-4) before anything is timed.  Both layers use their defaults otherwise
(``return_sequences=False``), so the built-in runs the way a user runs it.

Two phases are timed per pair, each with four ``tf.function`` s: zoo and built-in, each without
and with ``jit_compile=True``:

* forward: ``layer(x)`` (inference);
* train step: forward with ``training=True``, MSE loss against a fixed random target,
  gradient with respect to every trainable weight, and one SGD update (learning rate 1e-4, so
  that the weights hardly move while being timed).

Every function is called twice first (tracing and XLA compilation are not timed).  Then the
four functions of a phase are timed round-robin, ``zoo, built-in, zoo jit, built-in jit,
zoo, built-in, ...``, ``--repeats`` times each (each round starting one function later, so none
always follows the same one): on a shared machine the speed drifts by tens of percent over
seconds, and interleaving lets every function see the same drift.  Each column is the median
wall time of one call (``perf_counter`` around the call and the fetch of its result); ratios
are ratios of those medians.

The project's goals, marked ✓/✗ in the table: every zoo layer's train step ≤ 1.00× the
built-in's, and the zoo's forward pass with ``jit_compile=True`` ≤ 0.80× the built-in's forward
pass as a user runs it by default (without jit).  The zoo-jit / built-in-jit ratio is printed
too, so the gain of XLA is not credited to the zoo.

Run ``python bench/bench_layers.py --help`` for the options; ``--quick`` is a smoke run.
"""

import argparse
import os
import shlex
import statistics
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import rnn_zoo  # noqa: E402
from machine import describe  # noqa: E402

# Many tf.functions are made on purpose (four per phase); each traces once, so TF's
# "frequent retracing" warning is noise here.
tf.get_logger().setLevel("ERROR")

# name -> (label in the table, zoo layer factory); the built-in twin is to_keras(zoo layer).
LAYERS = {
    "simple_rnn": ("SimpleRNN", lambda units: rnn_zoo.SimpleRNN(units)),
    "gru": ("GRU reset_after=True", lambda units: rnn_zoo.GRU(units, reset_after=True)),
    "gru_reset_before": (
        "GRU reset_after=False",
        lambda units: rnn_zoo.GRU(units, reset_after=False),
    ),
    "lstm": ("LSTM", lambda units: rnn_zoo.LSTM(units)),
}
# (batch, time, input features, units)
SIZES = {
    "small": [(64, 100, 64, 128)],
    "large": [(32, 200, 128, 256)],
    "all": [(64, 100, 64, 128), (32, 200, 128, 256)],
}
QUICK_SIZE = (8, 20, 8, 16)
QUICK_REPEATS = 3
WARMUP_CALLS = 2
SEED = 1234
TOLERANCE = 1e-4
FORWARD_GOAL = 0.80  # zoo forward with jit / built-in forward without jit
TRAIN_GOAL = 1.00  # zoo train step / built-in train step (both without jit)

PHASES = ("forward", "train")
# The four functions of a phase, in the order they are timed: (layer, jit_compile).
VARIANTS = (("zoo", False), ("keras", False), ("zoo", True), ("keras", True))
COLUMNS = (
    "layer", "size (B,T,D,U)",
    "fwd zoo", "fwd keras", "zoo/keras",
    "fwd zoo jit", "fwd keras jit", "zoo jit/keras jit",
    f"**zoo jit/keras** (goal ≤{FORWARD_GOAL:.2f})",
    "train zoo", "train keras", f"**zoo/keras** (goal ≤{TRAIN_GOAL:.2f})",
    "train zoo jit", "train keras jit", "zoo jit/keras jit",
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats", type=int, default=20, help="timed calls per function (default 20)"
    )
    parser.add_argument("--sizes", choices=sorted(SIZES), default="all")
    parser.add_argument(
        "--layers",
        default=",".join(LAYERS),
        help=f"comma-separated subset of {','.join(LAYERS)} (default: all)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: size {QUICK_SIZE}, {QUICK_REPEATS} repeats (overrides --sizes/--repeats)",
    )
    args = parser.parse_args(argv)
    args.layers = [name.strip() for name in args.layers.split(",") if name.strip()]
    unknown = sorted(set(args.layers) - set(LAYERS))
    if unknown:
        parser.error(f"unknown layer(s) {unknown}; choose from {list(LAYERS)}")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.quick:
        args.sizes, args.repeats = [QUICK_SIZE], QUICK_REPEATS
    else:
        args.sizes = SIZES[args.sizes]
    return args


def make_pair(factory, size, rng):
    """A zoo layer with random weights uniform in ±1/sqrt(units), and its built-in twin."""
    batch, steps, features, units = size
    zoo = factory(units)
    zoo.build((batch, steps, features))
    bound = 1.0 / np.sqrt(units)
    for variable in zoo.weights:
        variable.assign(rng.uniform(-bound, bound, variable.shape).astype(variable.dtype))
    return zoo, rnn_zoo.to_keras(zoo)


def forward_fn(layer, jit):
    return tf.function(lambda x: layer(x), jit_compile=jit)


def train_step_fn(layer, jit):
    """One SGD step on the MSE between ``layer(x)`` and ``y``; returns the loss."""
    optimizer = keras.optimizers.SGD(learning_rate=1e-4)
    optimizer.build(layer.trainable_variables)

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(layer(x, training=True) - y))
        gradients = tape.gradient(loss, layer.trainable_variables)
        optimizer.apply(gradients, layer.trainable_variables)
        return loss

    return tf.function(step, jit_compile=jit)


def time_round_robin(functions, args, repeats):
    """Median seconds per call of each function, timed in turn ``repeats`` times.

    Each round starts one function later than the previous one, so that no function always
    runs right after the same other one."""
    for fn in functions:
        for _ in range(WARMUP_CALLS):
            fn(*args).numpy()
    times = [[] for _ in functions]
    for round_ in range(repeats):
        for k in range(len(functions)):
            i = (round_ + k) % len(functions)
            start = time.perf_counter()
            functions[i](*args).numpy()
            times[i].append(time.perf_counter() - start)
    return [statistics.median(samples) for samples in times]


def bench_pair(factory, size, repeats, rng):
    """``{phase: [ms for each of VARIANTS]}``, medians, for one zoo layer and its twin."""
    batch, steps, features, units = size
    zoo, builtin = make_pair(factory, size, rng)
    x = tf.constant(rng.standard_normal((batch, steps, features)), tf.float32)
    y = tf.constant(rng.standard_normal((batch, units)), tf.float32)

    diff = np.max(np.abs(zoo(x).numpy() - builtin(x).numpy()))
    assert diff < TOLERANCE, f"{zoo.name} and its built-in twin differ by {diff}"

    layers = {"zoo": zoo, "keras": builtin}
    phases = {"forward": (forward_fn, (x,)), "train": (train_step_fn, (x, y))}
    results = {}
    for phase in PHASES:
        make_fn, args = phases[phase]
        functions = [make_fn(layers[who], jit) for who, jit in VARIANTS]
        results[phase] = [1000 * s for s in time_round_robin(functions, args, repeats)]
    return results


def ratio(numerator, denominator, goal=None):
    """``numerator / denominator`` to 2 decimals, marked against ``goal`` as printed."""
    value = round(numerator / denominator, 2)
    if goal is None:
        return f"{value:.2f}"
    return f"{value:.2f} {'✓' if value <= goal else '✗'}"


def table_row(label, size, results):
    """The cells of one table row (see COLUMNS)."""
    cells = [label, ",".join(map(str, size))]
    for phase in PHASES:
        zoo, keras_, zoo_jit, keras_jit = results[phase]
        cells += [
            f"{zoo:.1f}", f"{keras_:.1f}",
            ratio(zoo, keras_, TRAIN_GOAL if phase == "train" else None),
            f"{zoo_jit:.1f}", f"{keras_jit:.1f}", ratio(zoo_jit, keras_jit),
        ]
        if phase == "forward":
            cells.append(ratio(zoo_jit, keras_, FORWARD_GOAL))
    return cells


def markdown_row(cells):
    return "| " + " | ".join(cells) + " |"


def main(argv=None):
    args = parse_args(argv)
    rng = np.random.default_rng(SEED)
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    print(
        f"{describe()} | command: `{command}`\n\n"
        f"Median ms of {args.repeats} round-robin calls each; keras = the built-in twin "
        f"(rnn_zoo.to_keras), jit = tf.function(jit_compile=True).\n"
    )
    print(markdown_row(COLUMNS))
    print(markdown_row(["---"] * len(COLUMNS)), flush=True)
    for size in args.sizes:
        for name in args.layers:
            label, factory = LAYERS[name]
            results = bench_pair(factory, size, args.repeats, rng)
            print(markdown_row(table_row(label, size, results)), flush=True)


if __name__ == "__main__":
    main()
