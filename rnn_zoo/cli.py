"""The ``rnn-zoo`` command: ``rnn-zoo verify`` (the proof table) and ``rnn-zoo demo``."""

import argparse
import sys


def _verify(args):
    from rnn_zoo import verify

    cases = [c for c in verify.CASES if args.family in (None, c.family)]
    return 1 if verify.main(cases) else 0


def _demo(args):
    import numpy as np

    import rnn_zoo
    from rnn_zoo import two_step, verify

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
    return 1 if verify.main() else 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="rnn-zoo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check every zoo cell against Keras's built-ins")
    verify.add_argument("--family", choices=["SimpleRNN", "SimplifiedGRU", "GRU",
                                             "GRU(reset_after)", "LSTM"],
                        help="only this family (default: all)")
    verify.set_defaults(run=_verify)
    demo = commands.add_parser("demo", help="a short tour: the two-step RNN, a cell, the proof")
    demo.set_defaults(run=_demo)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
