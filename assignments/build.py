"""Build the course assignments with otter-grader: student and autograder versions.

Each ``assignments/a<k>_<name>.py`` beside this script is the master of one assignment, a
jupytext percent-format notebook with otter-grader's markers (``# ASSIGNMENT CONFIG``,
``# BEGIN QUESTION``, ``# BEGIN SOLUTION``, ``# BEGIN TESTS`` ... as raw cells).  For each one this
script

1. converts the ``.py`` into ``<out>/<name>/master/<name>.ipynb`` (jupytext; python3 kernel; no
   cell ids and no jupytext metadata, so the same ``.py`` always gives the same notebooks),
2. runs ``otter assign`` on it, which writes ``<out>/<name>/student/<name>.ipynb`` (solutions
   replaced by stubs that raise ``NotImplementedError``, hidden tests removed) and
   ``<out>/<name>/autograder/`` (the solution notebook, all tests, and the autograder zip), and
   -- unless ``--no-run-tests`` -- grades the solution notebook with the autograder zip, failing
   unless it scores full marks,
3. renames the zip to ``<name>-autograder.zip`` (otter stamps it with the time).

    python assignments/build.py                       # every assignment, into assignments/dist/
    python assignments/build.py a1_vanilla_rnn        # one (a name or a path to its .py)
    python assignments/build.py --no-run-tests --out /tmp/dist
    python assignments/build.py --write-expected      # refresh the masters' "Expected output"

Every "**Expected output" markdown cell of a master holds, in a fenced block, what the code cell
just before it prints when the solution runs; ``--write-expected`` runs each solution notebook
(the otter_ignore cells skipped) and writes those blocks into the ``.py``, and
``tests/test_assignments.py`` checks that they are still what the graded solution prints.

``make assignments`` runs the first line.  Grading a submission: see ``assignments/README.md``.
"""

import argparse
import contextlib
import io
import re
import shutil
import sys
import time
from pathlib import Path

import jupytext
import nbformat

HERE = Path(__file__).resolve().parent
DIST = HERE / "dist"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def masters(names=()):
    """The masters' ``.py`` files: those named (names or paths), or every ``a<k>_*.py`` here."""
    found = sorted(HERE.glob("a[0-9]*_*.py"))
    if not names:
        return found
    by_name = {path.stem: path for path in found}
    chosen = []
    for name in names:
        path = Path(name)
        if path.suffix == ".py" and path.is_file():
            chosen.append(path.resolve())
        elif Path(name).stem in by_name:
            chosen.append(by_name[Path(name).stem])
        else:
            raise ValueError(f"no assignment {name!r}; expected one of {sorted(by_name)}")
    return chosen


def master_notebook(source):
    """The master ``.py`` as an nbformat notebook that ``otter assign`` accepts."""
    notebook = jupytext.read(source)
    notebook.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    notebook.nbformat, notebook.nbformat_minor = 4, 4  # no random cell ids: a deterministic build
    for cell in notebook.cells:
        cell.pop("id", None)
        if not cell.metadata.get("tags"):
            cell.metadata.pop("tags", None)
    return notebook


def build(source, out=DIST, run_tests=True, quiet=True):
    """Build one assignment; return ``{"student": path, "autograder": path, "zip": path}``."""
    from otter.assign import main as otter_assign

    source = Path(source).resolve()
    name = source.stem
    target = Path(out).resolve() / name
    shutil.rmtree(target, ignore_errors=True)
    master = target / "master" / f"{name}.ipynb"
    master.parent.mkdir(parents=True)
    nbformat.write(master_notebook(source), master)

    log = io.StringIO()
    with contextlib.redirect_stdout(log) if quiet else contextlib.nullcontext():
        try:
            otter_assign(str(master), str(target), no_run_tests=not run_tests)
        except Exception:
            sys.stdout.write(log.getvalue())
            raise

    stamped = list((target / "autograder").glob(f"{name}-autograder_*.zip"))
    if len(stamped) != 1:
        raise RuntimeError(f"otter assign wrote {len(stamped)} autograder zips for {name}")
    zip_path = stamped[0].rename(target / "autograder" / f"{name}-autograder.zip")
    return {
        "student": target / "student" / f"{name}.ipynb",
        "autograder": target / "autograder" / f"{name}.ipynb",
        "zip": zip_path,
    }


EXPECTED_HEADING = "**Expected output"
# in a master .py: the markdown lines "# **Expected output...", "# ```", the block, "# ```"
EXPECTED_BLOCK = re.compile(r"(^# \*\*Expected output[^\n]*\n(?:#[^\n]*\n)*?# ```\n)(.*?)(^# ```$)",
                            re.MULTILINE | re.DOTALL)


def stdout_of(cell):
    """What a code cell printed (its stdout streams), without the final newline."""
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout").rstrip("\n")


def expected_outputs(notebook):
    """``[(expected, printed)]``: for each "**Expected output" markdown cell, the text of its
    fenced block and what the code cell before it printed (``notebook`` has been executed)."""
    pairs, previous = [], None
    for cell in notebook.cells:
        if cell.cell_type == "code":
            previous = cell
        elif cell.cell_type == "markdown" and cell.source.startswith(EXPECTED_HEADING):
            block = cell.source.split("```")[1].strip("\n") if cell.source.count("```") >= 2 else None
            pairs.append((block, stdout_of(previous) if previous is not None else None))
    return pairs


def execute(notebook_path, timeout=600):
    """Run a built notebook in its folder, skipping the cells tagged ``otter_ignore`` (as the
    autograder does); return it with its outputs.  A failing cell raises."""
    from nbclient import NotebookClient

    notebook_path = Path(notebook_path)
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells = [c for c in notebook.cells if "otter_ignore" not in c.metadata.get("tags", [])]
    NotebookClient(notebook, kernel_name="python3", timeout=timeout,
                   resources={"metadata": {"path": str(notebook_path.parent)}}).execute()
    return notebook


def write_expected(source, executed):
    """Write what the executed solution printed into the master's "Expected output" blocks."""
    source = Path(source)
    printed = [p for _, p in expected_outputs(executed)]
    text = source.read_text()
    blocks = list(EXPECTED_BLOCK.finditer(text))
    if len(blocks) != len(printed):
        raise RuntimeError(f"{source.name}: {len(blocks)} expected-output blocks in the .py, "
                           f"{len(printed)} in the notebook")
    for match, output in reversed(list(zip(blocks, printed))):
        body = "".join(f"# {line}".rstrip() + "\n" for line in output.split("\n"))
        text = text[: match.start(2)] + body + text[match.end(2):]
    source.write_text(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="assignments to build (default: all)")
    parser.add_argument("--out", default=str(DIST), help="output folder (default: %(default)s)")
    parser.add_argument("--no-run-tests", action="store_true",
                        help="skip otter's check that each solution scores full marks")
    parser.add_argument("--write-expected", action="store_true",
                        help="run each solution and write its outputs into the master's "
                             "'Expected output' blocks")
    args = parser.parse_args(argv)
    for source in masters(args.names):
        start = time.perf_counter()
        if args.write_expected:
            paths = build(source, args.out, run_tests=False)
            write_expected(source, execute(paths["autograder"]))
            print(f"{source.stem}: expected outputs written ({time.perf_counter() - start:.1f} s)")
            continue
        paths = build(source, args.out, run_tests=not args.no_run_tests)
        checked = "" if args.no_run_tests else ", solution graded: full marks"
        print(f"{source.stem} ({time.perf_counter() - start:.1f} s{checked})")
        for kind in ("student", "autograder", "zip"):
            print(f"  {kind:<10} {paths[kind].relative_to(Path.cwd()) if paths[kind].is_relative_to(Path.cwd()) else paths[kind]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
