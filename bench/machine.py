"""The machine, library versions and code version every benchmark prints with its numbers."""

import os
import platform
import subprocess

import numpy as np


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def code_version():
    """The repository's commit, ``+dirty`` if tracked files in rnn_zoo/ have changes."""
    here = os.path.dirname(os.path.abspath(__file__))

    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=here).stdout

    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "../rnn_zoo")
    return commit + ("+dirty" if dirty else "")


BACKENDS = ("tensorflow", "jax", "torch")


def backend_from_argv(argv):
    """Set ``KERAS_BACKEND`` from a ``--backend NAME`` (or ``--backend=NAME``) in ``argv``, for
    a benchmark that must choose Keras's backend before it imports Keras; ``all`` and a missing
    option leave it alone (argparse reports a bad name later)."""
    for i, arg in enumerate(argv):
        value = (argv[i + 1] if arg == "--backend" and i + 1 < len(argv)
                 else arg.partition("=")[2] if arg.startswith("--backend=") else None)
        if value in BACKENDS:
            os.environ["KERAS_BACKEND"] = value


def describe():
    """``Machine: <CPU>, <n> cores | Python .., NumPy .., TensorFlow .., Keras .. | rnn_zoo at <commit>``
    (TensorFlow and Keras only where the benchmark imported them)."""
    import sys

    versions = [f"Python {platform.python_version()}", f"NumPy {np.__version__}"]
    for name, label in (("tensorflow", "TensorFlow"), ("keras", "Keras"), ("nltk", "nltk")):
        if name in sys.modules:
            versions.append(f"{label} {sys.modules[name].__version__}")
    return (f"Machine: {cpu_model()}, {os.cpu_count()} cores | {', '.join(versions)} | "
            f"rnn_zoo at {code_version()}")


def time_limit(seconds):
    """A Keras callback that stops ``fit`` after the first batch that ends past ``seconds`` of
    training (benchmarks that compare models at equal training time). The clock starts when
    the first batch ends, so graph tracing and filling a shuffle buffer are not counted;
    ``.seconds`` is the training time counted."""
    import time

    import keras

    class TimeLimit(keras.callbacks.Callback):
        start, seconds_counted = None, 0.0

        def on_train_batch_end(self, batch, logs=None):
            if self.start is None:
                self.start = time.perf_counter()
            self.seconds_counted = time.perf_counter() - self.start
            if self.seconds_counted > seconds:
                self.model.stop_training = True

    return TimeLimit()
