"""The ``rnn-zoo`` command: ``rnn-zoo verify`` (the proof table), ``rnn-zoo demo``, the
language-model commands ``train lm``, ``sample`` and ``eval`` (:mod:`rnn_zoo.cli.lm`) and the
sentiment commands ``train sentiment`` and ``classify`` (:mod:`rnn_zoo.cli.sentiment`).

TensorFlow's start-up and log lines are kept off stderr (:func:`quiet_tensorflow`) unless
``rnn-zoo --verbose COMMAND`` asks for them."""

import argparse
import contextlib
import importlib.util
import os
import sys
import tempfile
import warnings

from rnn_zoo.cli import lm as cli_lm, sentiment as cli_sentiment
from rnn_zoo.cli.common import UsageError
from rnn_zoo.training.checkpoints import CheckpointWarning
from rnn_zoo.training.errors import TrainingDiverged, TrainingInterrupted


def _verify(args):
    from rnn_zoo.proof import verify

    cases = [c for c in (verify.COVERING_CASES if args.quick else verify.CASES)
             if args.family in (None, c.family)]
    return 1 if verify.main(cases) else 0


def _demo(args):
    import numpy as np

    import rnn_zoo
    from rnn_zoo.cells import two_step
    from rnn_zoo.proof import verify

    print("== The slide's two-step RNN (section 3) on its own batches ==")
    layer = rnn_zoo.TwoStepRNN(5, seed=42)
    h0, h1 = layer([np.array(two_step.X0_BATCH, "float32"), np.array(two_step.X1_BATCH, "float32")])
    print("h1 =\n", np.round(np.asarray(h1), 4))

    print("\n== A GRU cell in slide notation (section 6) ==")
    cell = rnn_zoo.GRUCell(3)
    cell.build((None, 2))
    for name, value in cell.slide_weights().items():
        if name.startswith("W_") and len(name) == 3 or name.startswith("b_"):
            print(f"{name} {value.shape}:\n{np.round(value, 3)}")

    print("\n== Every zoo cell against Keras's built-ins ==")
    if verify.main():
        return 1

    print("\n== A character LSTM on a million characters of Shakespeare (about a minute), "
          "then samples ==")
    with tempfile.TemporaryDirectory(prefix="rnn_zoo_demo_") as out:   # removed afterwards
        status = main(["train", "lm", "--data", "shakespeare", "--max-chars", "1000000",
                       "--cell", "lstm", "--units", "256", "--embedding-dim", "64", "--epochs",
                       "1", "--seq-len", "100", "--batch-size", "64", "--learning-rate", "2e-3",
                       "--seed", "0", "--out", out, "--verbose", "2"])
        for temperature in ("0.5", "1.0"):
            print(f"\n-- sampled at temperature {temperature}:")
            status = status or main(["sample", out, "--prompt", "ROMEO:", "--temperature",
                                     temperature, "--seed", "0", "--max-tokens", "300",
                                     "--no-stop-at-eos"])
    return status or _demo_sentiment()


DEMO_SENTIMENT = "runs/demo_sentiment"
"""Where ``rnn-zoo demo`` saves its sentiment classifier (relative to the working directory;
each demo replaces the sentiment checkpoints the previous one wrote there, and touches nothing
else)."""
DEMO_TEXTS = ("There is nothing to like in this movie",
              "A moving, funny and beautifully acted film")


def _demo_sentiment():
    import pathlib
    import shutil

    from rnn_zoo.training.checkpoints import CheckpointDirectory

    print(f"\n== A zoo BiLSTM sentiment classifier (rnn_zoo.tasks.sentiment.TUNED) on Rotten Tomatoes "
          f"snippets (about a minute), saved in {DEMO_SENTIMENT}, then two texts ==")
    out = pathlib.Path(DEMO_SENTIMENT)
    marker = CheckpointDirectory(out).marker() if out.is_dir() else None
    if marker is not None and marker.get("kind") == "SentimentClassifier":
        shutil.rmtree(out)                     # the previous demo's checkpoints, nothing else
    status = main(["train", "sentiment", "--data", "rotten_tomatoes", "--recipe", "tuned",
                   "--epochs", "3", "--out", str(out), "--verbose", "2"])
    status = status or main(["classify", str(out), *DEMO_TEXTS])
    if not status:
        program = sys.argv[0] if os.path.basename(sys.argv[0]) == "rnn-zoo" else "rnn-zoo"
        print(f"\nTry your own: {program} classify {DEMO_SENTIMENT} \"An utterly boring film\"")
    return status


DESCRIPTION = ("Recurrent cells that read like the lecture slides, proven equal to Keras's "
               "built-ins. verify runs the proof, demo a short tour; train lm, sample and eval "
               "make, sample and score language models; train sentiment and classify a "
               "sentiment classifier. TensorFlow's log lines are hidden unless --verbose comes "
               "before the command.")
EPILOG = "rnn-zoo COMMAND --help lists a command's options."


def _formatter(prog):
    # room for each command's one-line help beside it in 80 columns
    return argparse.HelpFormatter(prog, max_help_position=18)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="rnn-zoo", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=_formatter)
    parser.add_argument("-v", "--verbose", dest="tensorflow_log", action="store_true",
                        help="keep TensorFlow's start-up and log lines on stderr (before the "
                             "command: rnn-zoo --verbose verify)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    verify = commands.add_parser(
        "verify", help="check every zoo cell against Keras's built-ins",
        description="Check every zoo cell against Keras's built-in SimpleRNN, GRU and LSTM "
                    "(outputs, states and gradients) and print the table; exit status 1 if any "
                    "case fails.")
    verify.add_argument("--family", choices=["SimpleRNN", "SimplifiedGRU", "GRU",
                                             "GRU(reset_after)", "LSTM"],
                        help="only this family (default: all)")
    verify.add_argument("--quick", action="store_true",
                        help="every family both ways and every setting once (36 of the cases)")
    verify.set_defaults(run=_verify)
    demo = commands.add_parser(
        "demo", help="a short tour: the slides' RNNs, the proof, two trained models",
        description="A short tour: the two-step RNN, a GRU cell in slide notation, the proof, "
                    "a character LM trained and sampled, a sentiment classifier trained (saved "
                    f"in {DEMO_SENTIMENT}) and tried on two texts.")
    demo.set_defaults(run=_demo)
    train = commands.add_parser("train", help="train a model: train lm, train sentiment")
    what = train.add_subparsers(dest="what", required=True)
    cli_lm.add_commands(commands, what)
    cli_sentiment.add_commands(commands, what)
    args = parser.parse_args(argv)
    if not args.tensorflow_log:
        quiet_tensorflow()
    from rnn_zoo.backends import MissingBackend

    with warnings.catch_warnings():
        warnings.simplefilter("always", CheckpointWarning)
        warnings.showwarning = _show_warning
        try:
            return args.run(args)
        except UsageError as error:
            getattr(args, "parser", parser).error(str(error))
        except (TrainingDiverged, MissingBackend) as error:
            print(f"rnn-zoo: error: {error}", file=sys.stderr)
            return 1
        except TrainingInterrupted as interrupt:
            print(f"rnn-zoo: {interrupt.message}", file=sys.stderr)
            return 130
        except KeyboardInterrupt:
            print("rnn-zoo: interrupted", file=sys.stderr)
            return 130


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"rnn-zoo: warning: {message}", file=sys.stderr)


def quiet_tensorflow():
    """Keep TensorFlow's log lines off stderr, for a command about to use Keras.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` (fatal errors only) unless it is set already, and, if
    TensorFlow is installed, imports it now while file descriptor 2 is redirected: the absl lines
    it writes on import (``WARNING: All log messages before absl::InitializeLog() ...``, oneDNN,
    CPU features, CUDA) ignore that variable. It is imported whatever the Keras backend, since
    Keras imports an installed TensorFlow on the JAX and PyTorch backends too (in
    ``keras.utils.set_random_seed``, and for ``tf.data`` and ``StringLookup``). What the import
    wrote is shown if it fails. Nothing is done once TensorFlow is imported (``rnn-zoo demo``
    calls ``main`` again)."""
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if importlib.util.find_spec("tensorflow") is None:
        return
    with stderr_caught():
        importlib.import_module("tensorflow")


@contextlib.contextmanager
def stderr_caught():
    """File descriptor 2 (C/C++ libraries' stderr, and Python's) goes into a temporary file
    while the block runs; what it caught is dropped, or written to stderr if the block
    raises."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:            # no stderr to redirect
        yield
        return
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        failed = True
        try:
            yield
            failed = False
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if failed:
                caught.seek(0)
                sys.stderr.write(caught.read().decode(errors="replace"))
                sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main())
