"""Every tutorial notebook runs to the end, and its stored .ipynb is its .py's full run.

The notebooks are jupytext ``.py`` files under ``notebooks/``; ``notebooks/run.py`` executes
them.  Here they run in small mode (``RNN_ZOO_SMALL=1``), a few seconds each.
"""

import importlib.util
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("notebooks_run", ROOT / "notebooks" / "run.py")
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)

NOTEBOOKS = run.sources()


def errors(notebook):
    return [
        f"cell {i}: {output.ename}: {output.evalue}"
        for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"
        for output in cell.outputs if output.output_type == "error"
    ]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no jupytext .py notebooks found under notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_small_mode(path):
    notebook = run.execute(path, small=True)
    assert errors(notebook) == []
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.execution_count is not None for cell in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_ipynb_is_the_executed_py(path):
    """The committed .ipynb has the .py's cells, every code cell run, none failed."""
    stored = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    source = jupytext.read(path)
    assert [(c.cell_type, c.source) for c in stored.cells] == \
           [(c.cell_type, c.source) for c in source.cells], \
           f"{path.name} changed since its .ipynb was written: run python notebooks/run.py --write"
    code = [cell for cell in stored.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code), "the .ipynb was not executed"
    assert errors(stored) == []


def test_execute_sets_small_mode_and_working_directory(tmp_path):
    source = tmp_path / "probe.py"
    source.write_text(
        "# %%\n"
        "import os, pathlib\n"
        f"assert pathlib.Path.cwd() == pathlib.Path({str(tmp_path.resolve())!r}), pathlib.Path.cwd()\n"
        "print(os.environ.get('RNN_ZOO_SMALL'))\n"
    )
    assert run.execute(source, small=True).cells[0].outputs[0].text == "1\n"
    assert run.execute(source, small=False).cells[0].outputs[0].text == "None\n"


def test_execute_raises_on_a_failing_cell(tmp_path):
    source = tmp_path / "broken.py"
    source.write_text("# %%\nprint('fine')\n\n# %%\nraise RuntimeError('boom')\n")
    with pytest.raises(CellExecutionError, match="boom"):
        run.execute(source)
    assert run.main([str(source)]) == 1
