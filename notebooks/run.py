"""Execute the tutorial notebooks, kept as jupytext percent-format ``.py`` files.

Each ``notebooks/*.py`` beside this script (this script excepted) is the source of a notebook; the
``.ipynb`` beside it is generated from it, with the outputs of a full run, so that a reader sees
the results without running anything.  The pairing is set in ``notebooks/jupytext.toml``.

    python notebooks/run.py                  # execute every notebook; exit 1 if a cell fails
    python notebooks/run.py --write          # ... and store each executed .ipynb beside its .py
    python notebooks/run.py --small 01_cells_from_the_slides.py    # small mode, one notebook

A notebook runs in a fresh ``python3`` kernel, in ``notebooks/`` as its working directory, with
the repository root on ``PYTHONPATH``; ``--small`` sets ``RNN_ZOO_SMALL=1`` in the kernel's
environment (the fast mode the test suite uses).  ``tests/test_notebooks.py`` calls
:func:`execute`.
"""

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import zmq
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KERNEL = "python3"
CELL_TIMEOUT = 600  # seconds


def sources(names=()):
    """The notebooks' ``.py`` files: those named (paths, or names inside ``notebooks/``), or all."""
    if not names:
        return sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name)
    paths = []
    for name in names:
        path = Path(name)
        if not path.exists() and (HERE / name).exists():
            path = HERE / name
        if path.suffix != ".py" or not path.is_file():
            raise ValueError(f"expected a jupytext .py notebook; received {name!r} (no such .py file)")
        paths.append(path.resolve())
    return paths


def kernel_environment(small=False):
    """This process's environment, as the notebook's kernel should see it."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # plots go into the notebook
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silence the debugger's frozen-modules warning
    if small:
        env["RNN_ZOO_SMALL"] = "1"
    else:
        env.pop("RNN_ZOO_SMALL", None)
    return env


def execute(path, small=False, timeout=CELL_TIMEOUT):
    """Run the jupytext notebook at ``path``; return it (an ``nbformat`` notebook) with outputs.

    ``small=True`` sets ``RNN_ZOO_SMALL=1`` in the kernel's environment.  A cell that raises
    makes this raise ``nbclient.exceptions.CellExecutionError``.
    """
    path = Path(path).resolve()
    notebook = jupytext.read(path)
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=timeout,
        record_timing=False,  # no timestamps in the stored notebook
        coalesce_streams=True,  # one stdout output per cell, however the kernel flushed it
        resources={"metadata": {"path": str(path.parent)}},  # the kernel's working directory
    )
    # Encrypt the kernel's sockets where pyzmq can (else the kernel warns that it cannot).
    encryption = "auto" if zmq.has("curve") else "disabled"
    client.execute(env=kernel_environment(small), transport_encryption=encryption)
    return notebook


def stable_cell_ids(notebook):
    """Give every cell an id derived from its content, so regenerating changes no ids."""
    seen = set()
    for cell in notebook.cells:
        digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()
        cell_id, n = digest[:8], 1
        while cell_id in seen:
            cell_id, n = f"{digest[:8]}-{n}", n + 1
        seen.add(cell_id)
        cell["id"] = cell_id
    return notebook


def write(notebook, path):
    """Store an executed notebook as the ``.ipynb`` paired with ``path``; return its path."""
    target = Path(path).with_suffix(".ipynb")
    nbformat.validate(notebook)
    jupytext.write(stable_cell_ids(notebook), target, fmt="ipynb")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*",
                        help="jupytext .py files (default: every notebooks/*.py but this script)")
    parser.add_argument("--write", action="store_true",
                        help="store each executed notebook, outputs included, as the .ipynb beside it")
    parser.add_argument("--small", action="store_true",
                        help="set RNN_ZOO_SMALL=1 in the kernel (the test suite's fast mode)")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT,
                        help=f"seconds one cell may run (default {CELL_TIMEOUT})")
    args = parser.parse_args(argv)
    try:
        paths = sources(args.notebooks)
    except ValueError as error:
        parser.error(str(error))
    if args.write and args.small:
        parser.error("--write stores the outputs of a full run; drop --small")

    failed = []
    for path in paths:
        start = time.perf_counter()
        try:
            notebook = execute(path, small=args.small, timeout=args.timeout)
        except CellExecutionError as error:
            failed.append(path)
            print(f"FAILED {path.name} after {time.perf_counter() - start:.1f} s\n{error}", file=sys.stderr)
            continue
        note = f", wrote {os.path.relpath(write(notebook, path))}" if args.write else ""
        print(f"ok     {path.name} ({time.perf_counter() - start:.1f} s{note})")
    if not paths:
        print(f"no notebooks found in {HERE}", file=sys.stderr)
    return 1 if failed or not paths else 0


if __name__ == "__main__":
    sys.exit(main())
