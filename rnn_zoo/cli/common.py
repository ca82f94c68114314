"""What the ``rnn-zoo`` commands share: :class:`UsageError` and the argparse types and options."""

import argparse
import math
import re


class UsageError(ValueError):
    """A bad command-line argument (``main`` reports it as an argparse error, exit status 2)."""


def usage_error(error, prefix=""):
    """A library ``ValueError`` as a :class:`UsageError`: the arguments it names (```max_vocab```,
    ``max_vocab=2``) become the options that set them (``--max-vocab``, ``--max-vocab 2``)."""
    message = str(error)
    for name in set(re.findall(r"`(\w+)`", message)):
        option = "--" + name.replace("_", "-")
        message = message.replace(f"`{name}`", option).replace(f"{name}=", f"{option} ")
    return UsageError(prefix + message)


def number(convert, accept, expected):
    """An argparse ``type``: ``convert(text)``, refused unless ``accept(value)``."""
    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not accept(value):
            raise argparse.ArgumentTypeError(f"must be {expected}; received {text!r}")
        return value

    return parse


positive_int = number(int, lambda v: v > 0, "a positive integer")
positive_float = number(float, lambda v: 0 < v < math.inf, "a finite number > 0")
probability = number(float, lambda v: 0 < v <= 1, "in (0, 1]")
rate = number(float, lambda v: 0 <= v < 1, "in [0, 1)")


def add_verbose(parser):
    """``--verbose``: Keras ``fit``'s verbosity."""
    parser.add_argument("--verbose", choices=["auto", 0, 1, 2], default="auto",
                        type=lambda v: v if v == "auto" else int(v) if v in "012" else v,
                        help="Keras's fit verbosity (default: auto, the progress bar)")
