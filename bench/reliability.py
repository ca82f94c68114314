r"""Reliability against bad and edge inputs (a report, not a test): the outside trial
``shared/trials/reliability-2026-12-02.md`` replayed against the library as it is now.

Every bad or edge input of the trial's parts A (Python API), B (CLI) and C (faults: kills,
damaged checkpoints and caches, ``--out`` folders) is a case of ``tests/reliability_cases.py``
(its "reference" rows and part D are not inputs). Each case runs offline on small data made
here, the CLI in this process, and is classified as the trial classified it:

* **clear error** -- the expected error: a ValueError/TypeError naming the argument (API), or
  exit status 2 with a usage message naming the problem and no traceback (CLI);
* **handled correctly** -- the correct result, checked (greedy text where the trial got
  ``<UNK>``, a fallback to the previous checkpoint, a finite perplexity, ...);
* **wrong result** -- no error, but a wrong answer, or a bad input silently accepted;
* **unclear error or traceback** -- another error than the one expected, or a CLI traceback;
* **data lost** -- a user's file or a good checkpoint changed.

A case whose outcome is neither a clear error nor handled correctly is listed below the
tables, with what happened: those are the library's open reliability bugs. The same catalogue
runs as ``tests/test_reliability.py``. About a minute on 2 CPU cores::

    TF_CPP_MIN_LOG_LEVEL=3 python bench/reliability.py            # every case
    TF_CPP_MIN_LOG_LEVEL=3 python bench/reliability.py --part C   # the faults only
"""

import argparse
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import reliability_cases as catalogue  # noqa: E402
from machine import describe  # noqa: E402

COLUMNS = (("clear error", "clear error"), ("handled", "handled correctly"),
           ("wrong result", "wrong result"), ("unclear", "unclear error or traceback"),
           ("data lost", "data lost"))


def table(outcomes):
    """A Markdown table: per part and in total, how many cases of each kind."""
    header = ["part", "tried", *(label for _, label in COLUMNS)]
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    rows = [(catalogue.PARTS[part], [o for c, o in outcomes if c.part == part])
            for part in catalogue.PARTS]
    rows = [(name, kinds) for name, kinds in rows if kinds]
    rows.append(("**total**", [o for _, o in outcomes]))
    for name, part in rows:
        counts = [sum(o.kind == kind for o in part) for kind, _ in COLUMNS]
        cells = [str(len(part)), *map(str, counts)]
        if name == "**total**":
            cells = [f"**{cell}**" for cell in cells]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", action="append", choices=sorted(catalogue.PARTS),
                        help="only this part (repeatable; default: all)")
    parser.add_argument("--case", action="append", metavar="ID",
                        help="only this case (a trial id such as A54 or C10.2; repeatable)")
    parser.add_argument("--each", action="store_true", help="print every case's outcome")
    args = parser.parse_args(argv)
    cases = [c for c in catalogue.CASES if (not args.part or c.part in args.part)
             and (not args.case or c.id in args.case)]
    if not cases:
        parser.error("no case matches --part/--case")

    command = shlex.join(["TF_CPP_MIN_LOG_LEVEL=3", "python", "bench/reliability.py",
                          *(sys.argv[1:] if argv is None else argv)])
    print(f"{describe()}\nCommand: `{command}` (rerun it from the repository root)\n",
          flush=True)
    start = time.perf_counter()
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="rnn_zoo_reliability_") as root:
        shared = catalogue.Shared(Path(root) / "shared")
        for i, case in enumerate(cases):
            outcome = catalogue.run_case(case, shared, Path(root) / "cases" / f"{i:03d}")
            outcomes.append((case, outcome))
            if args.each:
                print(f"{case.id:7} {outcome.kind:13} {outcome.seconds:5.1f} s  "
                      f"{case.description[:70]}", flush=True)
    seconds = time.perf_counter() - start

    print(f"\n{len(cases)} bad or edge inputs of the trial (parts A-C, reference rows and part D "
          f"left out), replayed in {seconds:.0f} s:\n")
    print(table(outcomes))
    failed = [(c, o) for c, o in outcomes if o.kind not in ("clear error", "handled")]
    if failed:
        print(f"\nNeither a clear error nor the correct result ({len(failed)}):")
        for case, outcome in failed:
            detail = " ".join(outcome.detail.split())
            print(f"* {case.id} {case.description}\n  -> {outcome.kind}: {detail[:700]}")
    else:
        print("\nEvery case gave a clear error or the correct result.")
    print(f"\nRerun: `{command}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
