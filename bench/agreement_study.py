r"""The long-gap agreement study (slide section 5): held-out accuracy against the gap length.

"The cat, which already ate ..., was full" / "The cats, ..., were full": each (cell, gap, seed)
trains a fresh ``Embedding -> zoo RNN -> Dense(2)`` model of the same parameter budget for the
same number of steps on fresh sequences, and is tested on one held-out set per gap
(:mod:`rnn_zoo.studies.agreement`).  Prints the machine and the settings, one line per run as it goes,
then a Markdown table (mean accuracy over the seeds, and each seed's) and the wall time.

    python bench/agreement_study.py              # the full study: gaps 5-80, 3 cells, 3 seeds
    python bench/agreement_study.py --small      # a smoke run (about half a minute)
    python bench/agreement_study.py --carry-bias none    # Keras's gate initialisation

Run ``python bench/agreement_study.py --help`` for the options.
"""

import argparse
import os
import shlex
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


from machine import describe  # noqa: E402
from rnn_zoo.studies import agreement  # noqa: E402


def names(text):
    return tuple(v.strip() for v in text.split(",") if v.strip())


def integers(text):
    return tuple(int(v) for v in names(text))


def parse_args(argv=None):
    full = agreement.FULL
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true",
                        help=f"smoke run: defaults {agreement.SMALL}")
    parser.add_argument("--gaps", type=integers, help=f"comma-separated (default {full['gaps']})")
    parser.add_argument("--cells", type=names,
                        help=f"comma-separated, of {','.join(agreement.LAYERS)} (default: all)")
    parser.add_argument("--seeds", type=integers, help=f"comma-separated (default {full['seeds']})")
    parser.add_argument("--steps", type=int,
                        help=f"training steps per run (default {full['steps']})")
    parser.add_argument("--budget", type=int, default=agreement.BUDGET,
                        help="trainable parameters per model (default %(default)s)")
    parser.add_argument("--carry-bias", type=lambda t: None if t == "none" else float(t),
                        default=agreement.CARRY_BIAS,
                        help="GRU b_u = -value, LSTM b_f = +value at initialisation; 'none' keeps "
                             "Keras's (default %(default)s)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    print(f"{describe()} | command: `{command}`", flush=True)
    study = agreement.run_agreement_study(
        gaps=args.gaps, cells=args.cells, seeds=args.seeds, steps=args.steps, small=args.small,
        budget=args.budget, carry_bias=args.carry_bias, verbose=True,
    )
    settings = ", ".join(f"{k}={v}" for k, v in study.settings.items())
    print(f"\nSettings: {study.steps} training steps per run, seeds {list(study.seeds)}, "
          f"{settings}. Held-out accuracy (chance 0.50): mean over the seeds in bold, each "
          f"seed's in brackets.\n")
    print(study.markdown())
    print(f"\nWall time: {study.seconds / 60:.1f} min ({study.seconds:.0f} s)")


if __name__ == "__main__":
    main()
