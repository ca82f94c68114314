"""The ``rnn-zoo`` command: ``rnn-zoo verify`` (the proof table), ``rnn-zoo demo``, the
language-model commands ``train lm``, ``sample`` and ``eval`` (:mod:`rnn_zoo.cli.lm`) and the
sentiment commands ``train sentiment`` and ``classify`` (:mod:`rnn_zoo.cli.sentiment`)."""

import argparse
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

    cases = [c for c in verify.CASES if args.family in (None, c.family)]
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

    from rnn_zoo.tasks import sentiment
    from rnn_zoo.training.checkpoints import CheckpointDirectory

    print(f"\n== A zoo BiLSTM sentiment classifier (rnn_zoo.tasks.sentiment.TUNED) on Rotten Tomatoes "
          f"snippets (about a minute), saved in {DEMO_SENTIMENT}, then two texts ==")
    out = pathlib.Path(DEMO_SENTIMENT)
    marker = CheckpointDirectory(out).marker() if out.is_dir() else None
    if marker is not None and marker.get("kind") == "SentimentClassifier":
        shutil.rmtree(out)                     # the previous demo's checkpoints, nothing else
    tuned = [f"--{name.replace('_', '-')}{'' if value is True else '=' + str(value)}"
             for name, value in {**sentiment.TUNED, **sentiment.TUNED_FIT}.items()]
    status = main(["train", "sentiment", "--data", "rotten_tomatoes", *tuned, "--epochs", "3",
                   "--out", str(out), "--verbose", "2"])
    status = status or main(["classify", str(out), *DEMO_TEXTS])
    if not status:
        program = sys.argv[0] if os.path.basename(sys.argv[0]) == "rnn-zoo" else "rnn-zoo"
        print(f"\nTry your own: {program} classify {DEMO_SENTIMENT} \"An utterly boring film\"")
    return status


def main(argv=None):
    parser = argparse.ArgumentParser(prog="rnn-zoo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check every zoo cell against Keras's built-ins")
    verify.add_argument("--family", choices=["SimpleRNN", "SimplifiedGRU", "GRU",
                                             "GRU(reset_after)", "LSTM"],
                        help="only this family (default: all)")
    verify.set_defaults(run=_verify)
    demo = commands.add_parser(
        "demo", help="a short tour: the two-step RNN, a cell, the proof, a character LM, a "
                     f"sentiment classifier (saved in {DEMO_SENTIMENT})")
    demo.set_defaults(run=_demo)
    train = commands.add_parser("train", help="train a model (`rnn-zoo train lm|sentiment ...`)")
    what = train.add_subparsers(dest="what", required=True)
    cli_lm.add_commands(commands, what)
    cli_sentiment.add_commands(commands, what)
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("always", CheckpointWarning)
        warnings.showwarning = _show_warning
        try:
            return args.run(args)
        except UsageError as error:
            getattr(args, "parser", parser).error(str(error))
        except TrainingDiverged as error:
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


if __name__ == "__main__":
    sys.exit(main())
