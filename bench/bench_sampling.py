r"""Speed of sampling characters from a character LSTM LM (slide section 10's "sampling novel
sequences"), three ways (a benchmark, not a test).

Method
------
The model is ``RNNLanguageModel`` with an ``Embedding(84, 64)`` -> zoo ``LSTM(256)`` ->
``Dense(84)`` network, as in ``shared/TARGETS.md``: 83 printable characters (space, ``-`` to ``~``) and the end
character ``"\n"``, **random weights** (Keras's initialisers, seeded; speed does not depend on
training). Each way samples ``--chars`` characters (1,000) at temperature 1 without stopping at
``"\n"``, so every run produces exactly that many.

* (a) keras-io's loop (the "Character-level text generation with LSTM" example): for every new
  character, ``model.predict`` on the last 40 characters, then keras-io's ``sample`` (``ln p /
  T``, renormalise, ``np.random.multinomial``). Timed on the first ``--keras-io-chars`` (30)
  characters and **extrapolated** per character: at ~70 ms a call, 1,000 would take over a
  minute.
* (b) :func:`rnn_zoo.lm.sampling.generate` with ``in_graph=False``: the stateful one-step
  ``tf.function`` (``RNNLanguageModel.advance``) and one sampling step, in a Python loop.
* (c) :func:`rnn_zoo.lm.sampling.generate` (``in_graph=True``, its default for an RNN LM): the whole
  loop as one compiled function (``keras.ops.while_loop``: ``tf.function`` with XLA on
  TensorFlow, ``jax.jit`` on JAX, eager on PyTorch); compiled once before timing.

``--backend jax`` (or ``torch``) runs it on that Keras backend; ``--backend all`` runs each
backend in its own process and ends with one table of (b) and (c) per backend.

(b) and (c) are the median of ``--repeats`` runs taken round-robin (b, c, b, c, ...), so both
see the same drift of a shared machine. Reference (TARGETS.md): (a) 13.4 chars/s, (b) 1,483,
(c) 7,611. Goals: (c) >= 7,600 chars/s and >= 20x faster than (a).

Run ``python bench/bench_sampling.py --help`` for the options.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from machine import BACKENDS, backend_from_argv, describe

backend_from_argv(sys.argv[1:])
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from rnn_zoo.lm.rnn import RNNLanguageModel  # noqa: E402
from rnn_zoo.lm.sampling import generate  # noqa: E402

CHARACTERS = ["\n", " "] + [chr(code) for code in range(45, 127)]     # 84 characters
WINDOW = 40                                                     # keras-io's maxlen


def char_model(seed=0):
    """The benchmark's Embedding(84, 64) + LSTM(256) + Dense(84) character LM, random weights."""
    keras.utils.set_random_seed(seed)
    return RNNLanguageModel(CHARACTERS, cell="lstm", units=256, embedding_dim=64,
                            unk_token=None, eos_token="\n")


def keras_io_sample(preds, temperature=1.0):
    """keras-io's ``sample``: an index drawn from ``preds`` sharpened by ``temperature``."""
    preds = np.log(np.asarray(preds).astype("float64")) / temperature
    preds = np.exp(preds) / np.sum(np.exp(preds))
    return np.argmax(np.random.multinomial(1, preds, 1))


def keras_io_loop(model, chars):
    """keras-io's generation loop: ``predict`` on the last 40-character window for every new
    character. Returns the seconds per character."""
    ids = list(model.ids(list("sampling novel sequences as slide ten shows")[-WINDOW:]))
    start = time.perf_counter()
    for _ in range(chars):
        logits = model.network.predict(np.array([ids[-WINDOW:]], np.int32), verbose=0)[0, -1]
        ids.append(keras_io_sample(keras.ops.convert_to_numpy(keras.ops.softmax(logits))))
    return (time.perf_counter() - start) / chars


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=1000, help="characters to sample")
    parser.add_argument("--keras-io-chars", type=int, default=30,
                        help="characters keras-io's loop is timed on (then extrapolated)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of (b) and (c)")
    parser.add_argument("--backend", choices=[*BACKENDS, "all"],
                        help="the Keras backend (default: KERAS_BACKEND, else tensorflow), or "
                             "each in turn")
    args = parser.parse_args(argv)
    if args.backend == "all":
        return every_backend(argv if argv is not None else sys.argv[1:])
    print(f"# bench_sampling: {' '.join(sys.argv)}")
    print(f"{describe()}; Keras backend {keras.backend.backend()}")
    model = char_model()
    print(f"model: {model!r} (random weights), {model.network.count_params():,} parameters; "
          f"{args.chars} characters at temperature 1, not stopping at the end character\n")

    def stepwise():
        generate(model, max_tokens=args.chars, stop_at_eos=False, seed=0, in_graph=False)

    def one_graph():
        generate(model, max_tokens=args.chars, stop_at_eos=False, seed=0, in_graph=True)

    sample = generate(model, max_tokens=60, stop_at_eos=False, seed=0)     # traces the graph
    print(f"a sample (random weights, so noise): {''.join(sample)!r}")
    stepwise()                                                              # warm-up
    keras_io = keras_io_loop(model, args.keras_io_chars)
    times = {"b": [], "c": []}
    for _ in range(args.repeats):
        times["b"].append(timed(stepwise))
        times["c"].append(timed(one_graph))
    rates = {"a": 1.0 / keras_io,
             **{way: args.chars / statistics.median(seconds) for way, seconds in times.items()}}
    print(f"\n{'way':<58} {'chars/s':>9} {'vs (a)':>8} {'reference':>10}")
    rows = [("a", "keras-io: predict on a 40-char window per character *", 13.4),
            ("b", "stateful one-step compiled function, Python loop", 1483),
            ("c", "whole loop in one compiled function (while_loop)", 7611)]
    for way, name, reference in rows:
        print(f"({way}) {name:<54} {rates[way]:9,.1f} {rates[way] / rates['a']:7.1f}x "
              f"{reference:10,}")
    print(f"* timed on {args.keras_io_chars} characters ({keras_io * 1e3:.1f} ms each) and "
          f"extrapolated per character to {args.chars}: {args.chars * keras_io:.1f} s")
    print(f"(b), (c): median of {args.repeats} interleaved runs of {args.chars} characters; "
          f"(c) is {rates['c'] / rates['b']:.1f}x (b)")
    goals = rates["c"] >= 7600 and rates["c"] >= 20 * rates["a"]
    print(f"goal (c) >= 7,600 chars/s and >= 20x (a): {'met' if goals else 'NOT met'}")
    print("RATES " + json.dumps(rates), flush=True)


def every_backend(argv):
    """This benchmark on each backend in its own process; their outputs, then one table."""
    argv = [a for i, a in enumerate(argv) if a != "--backend" and argv[i - 1:i] != ["--backend"]
            and not a.startswith("--backend=")]
    rates = {}
    for backend in BACKENDS:
        out = subprocess.run([sys.executable, __file__, "--backend", backend, *argv],
                             capture_output=True, text=True)
        if out.returncode:
            print(f"{backend}: failed: {out.stderr.strip().splitlines()[-1:]}", flush=True)
        for line in out.stdout.splitlines():
            if line.startswith("RATES "):
                rates[backend] = json.loads(line[len("RATES "):])
            else:
                print(line, flush=True)
    print("\n| backend | (a) keras-io chars/s | (b) step by step | (c) one compiled loop |")
    print("| --- | ---: | ---: | ---: |")
    for backend, r in rates.items():
        print(f"| {backend} | {r['a']:,.1f} | {r['b']:,.0f} | {r['c']:,.0f} |")


if __name__ == "__main__":
    main()
