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

**Every backend** (``--backend all``, or one of ``tensorflow``, ``jax``, ``torch``): each
backend in its own process (Keras picks its backend once per process), the zoo layer and its
twin each wrapped in a one-layer Keras model, timed the way Keras runs them on that backend:
``predict_on_batch`` (forward) and ``train_on_batch`` (a train step: forward, MSE, gradients,
one SGD update) -- ``tf.function`` without XLA on TensorFlow, ``jax.jit`` on JAX, eager on
PyTorch -- round-robin as above, one table. Goal: zoo train step ≤ 1.00× the same backend's
built-in.

Run ``python bench/bench_layers.py --help`` for the options; ``--quick`` is a smoke run.
"""

import argparse
import importlib.util
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

from machine import BACKENDS, backend_from_argv, describe

backend_from_argv(sys.argv[1:])
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import rnn_zoo  # noqa: E402

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
    parser.add_argument(
        "--backend", choices=[*BACKENDS, "all"],
        help="time Keras's predict_on_batch/train_on_batch on this backend, or on every one "
             "in one table (default: the tf.function table above, TensorFlow only)",
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # --backend X's rows
    args = parser.parse_args(argv)
    args.layers = [name.strip() for name in args.layers.split(",") if name.strip()]
    unknown = sorted(set(args.layers) - set(LAYERS))
    if unknown:
        parser.error(f"unknown layer(s) {unknown}; choose from {list(LAYERS)}")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    args.size_name = args.sizes
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
    import tensorflow as tf

    return tf.function(lambda x: layer(x), jit_compile=jit)


def train_step_fn(layer, jit):
    """One SGD step on the MSE between ``layer(x)`` and ``y``; returns the loss."""
    import tensorflow as tf

    optimizer = keras.optimizers.SGD(learning_rate=1e-4)
    optimizer.build(layer.trainable_variables)

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(layer(x, training=True) - y))
        gradients = tape.gradient(loss, layer.trainable_variables)
        optimizer.apply(gradients, layer.trainable_variables)
        return loss

    return tf.function(step, jit_compile=jit)


def keras_fns(layer, size):
    """``(forward, train step)`` of a one-layer Keras model around ``layer``, as Keras runs
    them on the running backend (``jit_compile=False`` on TensorFlow: its default tf.function)."""
    batch, steps, features, _ = size
    model = keras.Sequential([keras.Input(batch_shape=(batch, steps, features)), layer])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-4), loss="mse",
                  jit_compile=False if keras.backend.backend() == "tensorflow" else "auto")
    return model.predict_on_batch, model.train_on_batch


def time_round_robin(functions, args, repeats):
    """Median seconds per call of each function, timed in turn ``repeats`` times.

    Each round starts one function later than the previous one, so that no function always
    runs right after the same other one."""
    for fn in functions:
        for _ in range(WARMUP_CALLS):
            keras.ops.convert_to_numpy(fn(*args))
    times = [[] for _ in functions]
    for round_ in range(repeats):
        for k in range(len(functions)):
            i = (round_ + k) % len(functions)
            start = time.perf_counter()
            keras.ops.convert_to_numpy(functions[i](*args))
            times[i].append(time.perf_counter() - start)
    return [statistics.median(samples) for samples in times]


def bench_pair(factory, size, repeats, rng):
    """``{phase: [ms for each of VARIANTS]}``, medians, for one zoo layer and its twin."""
    zoo, builtin, x, y = checked_pair(factory, size, rng)

    layers = {"zoo": zoo, "keras": builtin}
    phases = {"forward": (forward_fn, (x,)), "train": (train_step_fn, (x, y))}
    results = {}
    for phase in PHASES:
        make_fn, args = phases[phase]
        functions = [make_fn(layers[who], jit) for who, jit in VARIANTS]
        results[phase] = [1000 * s for s in time_round_robin(functions, args, repeats)]
    return results


def checked_pair(factory, size, rng):
    """A zoo layer, its built-in twin, an input and a target; their outputs checked equal."""
    batch, steps, features, units = size
    zoo, builtin = make_pair(factory, size, rng)
    x = rng.standard_normal((batch, steps, features)).astype("float32")
    y = rng.standard_normal((batch, units)).astype("float32")
    diff = np.max(np.abs(keras.ops.convert_to_numpy(zoo(x)) - keras.ops.convert_to_numpy(builtin(x))))
    assert diff < TOLERANCE, f"{zoo.name} and its built-in twin differ by {diff}"
    return zoo, builtin, x, y


def bench_backend(factory, size, repeats, rng):
    """``{phase: [zoo ms, built-in ms]}``, medians, through Keras on the running backend."""
    zoo, builtin, x, y = checked_pair(factory, size, rng)
    (zoo_forward, zoo_train), (keras_forward, keras_train) = (
        keras_fns(zoo, size), keras_fns(builtin, size))
    return {
        "forward": [1000 * s for s in time_round_robin([zoo_forward, keras_forward], (x,), repeats)],
        "train": [1000 * s for s in time_round_robin([zoo_train, keras_train], (x, y), repeats)],
    }


def backend_table(args):
    """Every backend's rows, each measured in its own process, as one table."""
    print(markdown_row(["backend", "layer", "size (B,T,D,U)", "fwd zoo", "fwd keras", "zoo/keras",
                        "train zoo", "train keras", f"**zoo/keras** (goal ≤{TRAIN_GOAL:.2f})"]))
    print(markdown_row(["---"] * 9), flush=True)
    backends = BACKENDS if args.backend == "all" else [args.backend]
    for backend in backends:
        command = [sys.executable, __file__, "--backend", backend, "--json",
                   "--repeats", str(args.repeats), "--layers", ",".join(args.layers)]
        command += ["--quick"] if args.quick else ["--sizes", args.size_name]
        env = {**os.environ, "KERAS_BACKEND": backend}
        out = subprocess.run(command, env=env, capture_output=True, text=True)
        if out.returncode:
            print(f"| {backend} | failed: {out.stderr.strip().splitlines()[-1:]} |", flush=True)
            continue
        for row in map(json.loads, out.stdout.splitlines()):
            (fz, fk), (tz, tk) = row["forward"], row["train"]
            print(markdown_row([backend, row["label"], ",".join(map(str, row["size"])),
                                f"{fz:.1f}", f"{fk:.1f}", ratio(fz, fk), f"{tz:.1f}", f"{tk:.1f}",
                                ratio(tz, tk, TRAIN_GOAL)]), flush=True)


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
    if args.json:  # one backend's rows, for backend_table
        for size in args.sizes:
            for name in args.layers:
                label, factory = LAYERS[name]
                print(json.dumps({"label": label, "size": size,
                                  **bench_backend(factory, size, args.repeats, rng)}), flush=True)
        return
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    if args.backend:
        from importlib import metadata

        others = "".join(f", {label} {metadata.version(package)}"
                         for package, label in (("jax", "JAX"), ("torch", "PyTorch"))
                         if importlib.util.find_spec(package))   # versions, without importing
        print(f"{describe()}{others} | command: "
              f"`{command}`\n\nMedian ms of {args.repeats} round-robin calls each; keras = the "
              f"built-in twin (rnn_zoo.to_keras), both through Keras's predict_on_batch and "
              f"train_on_batch on the backend.\n")
        return backend_table(args)
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
