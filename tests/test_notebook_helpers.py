"""rnn_zoo.notebook, the tutorial notebooks' shared first cell: its tables, source blocks,
figures, checks and setup, without running a notebook."""

import inspect
import os
import re
import subprocess
import sys
import textwrap

import IPython.display
import keras
import numpy as np
import pytest

from rnn_zoo import notebook


@pytest.fixture
def displayed(monkeypatch):
    """What the helpers pass to ``IPython.display.display``, in order (nothing is shown)."""
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objects: shown.extend(objects))
    return shown


@pytest.fixture
def restore_print_options():
    options = np.get_printoptions()
    yield
    np.set_printoptions(**options)


def test_a_table_escapes_angle_brackets_and_pipes_but_not_inside_code_spans():
    markdown = notebook.markdown_table(["token", "F1, `<UNK>`"],
                                       [["<unk>", 0.5], ["a|b", "`x|y`"], [3, "</s>"]])
    assert markdown.splitlines() == [
        "| token | F1, `<UNK>` |",
        "|---|---|",
        "| &lt;unk&gt; | 0.5 |",
        "| a\\|b | `x\\|y` |",
        "| 3 | &lt;/s&gt; |",
    ]


def test_table_displays_the_markdown_table(displayed):
    notebook.table(["x⟨t⟩", "the"], [["y⟨t⟩", 0]])
    assert len(displayed) == 1 and isinstance(displayed[0], IPython.display.Markdown)
    assert displayed[0].data == "| x⟨t⟩ | the |\n|---|---|\n| y⟨t⟩ | 0 |"


def test_show_source_displays_the_dedented_source_of_every_function(displayed):
    def inner(x):
        return x + 1  # a nested function: its source is indented in this file

    notebook.show_source(inner, notebook.char_label)
    (block,) = displayed
    assert isinstance(block, IPython.display.Markdown)
    assert block.data.startswith("```python\ndef inner(x):\n    return x + 1")
    assert block.data.endswith("```")
    assert textwrap.dedent(inspect.getsource(inner)) in block.data
    assert inspect.getsource(notebook.char_label) in block.data


def test_show_figure_displays_a_png(displayed):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    figure.add_subplot().plot([0, 1], [1, 0])
    notebook.show_figure(figure)
    (image,) = displayed
    assert isinstance(image, IPython.display.Image) and image.data.startswith(b"\x89PNG")


def test_char_label():
    assert [notebook.char_label(c) for c in ["\n", " ", "a", "<"]] == ["⏎", "␣", "a", "<"]


def test_check_records_the_largest_difference_and_prints_it(capsys):
    notebook.RESULTS.clear()
    notebook.check("one array", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 4e-6]))
    notebook.check("two arrays", [np.zeros(2), np.ones((1, 3))], (np.zeros(2), np.ones((1, 3))))
    assert notebook.RESULTS["one array"] == pytest.approx(4e-6)
    assert notebook.RESULTS["two arrays"] == 0.0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{'one array':<58} max |diff| = 4.00e-06"
    assert lines[1].endswith("max |diff| = 0.00e+00")


@pytest.mark.parametrize("actual, expected, match", [
    (np.array([1.0, 2.0]), np.array([1.0, 2.1]), "Not equal to tolerance"),
    (np.zeros(3), np.zeros((1, 3)), r"\(3,\)"),
    ([np.zeros(2), np.zeros(2)], [np.zeros(2)], "2, 1"),
])
def test_check_raises_on_a_mismatch_and_records_nothing(actual, expected, match):
    notebook.RESULTS.clear()
    with pytest.raises(AssertionError, match=match):
        notebook.check("the mismatch", actual, expected)
    assert "the mismatch" not in notebook.RESULTS


def test_check_takes_its_tolerance():
    notebook.check("loose", np.array([1.0]), np.array([1.01]), atol=0.02)
    with pytest.raises(AssertionError):
        notebook.check("exact", np.array([1.0]), np.array([1.0 + 1e-9]), atol=0, rtol=0)


def test_setup_seeds_so_that_two_runs_draw_the_same_numbers(restore_print_options):
    notebook.setup(seed=3)
    first = (keras.random.normal((4,)).numpy(), np.random.rand(4))
    notebook.setup(seed=3)
    second = (keras.random.normal((4,)).numpy(), np.random.rand(4))
    notebook.setup(seed=4)
    other = np.random.rand(4)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[1], other)


def test_setup_prints_the_versions_line_and_returns_start_and_small_mode(
        monkeypatch, capsys, restore_print_options):
    import tensorflow as tf

    versions = f"TensorFlow {tf.__version__}, Keras {keras.__version__}"
    monkeypatch.delenv("RNN_ZOO_SMALL", raising=False)
    notebook.RESULTS["left over"] = 1.0
    start, small = notebook.setup()
    assert small is False and notebook.small_mode() is False
    assert notebook.RESULTS == {}
    assert isinstance(start, float)
    monkeypatch.setenv("RNN_ZOO_SMALL", "1")
    assert notebook.setup(precision=3, note="T = 6")[1] is True
    assert capsys.readouterr().out == (f"{versions}, small mode: False\n"
                                       f"{versions}, small mode: True, T = 6\n")
    assert np.get_printoptions()["precision"] == 3 and np.get_printoptions()["suppress"]
    assert np.get_printoptions()["linewidth"] == 110


def test_setup_sets_tensorflows_log_level_only_when_unset(monkeypatch, restore_print_options):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    notebook.setup()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "2"
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    notebook.setup()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"


def test_importing_it_loads_no_heavy_module_and_import_rnn_zoo_does_not_load_it():
    """A notebook imports this module before TensorFlow, which :func:`setup` loads after setting
    the log level."""
    code = ("import sys, rnn_zoo\n"
            "assert 'rnn_zoo.notebook' not in sys.modules\n"
            "import rnn_zoo.notebook\n"
            "print(sorted(m for m in ('tensorflow', 'keras', 'IPython', 'matplotlib')"
            " if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.dirname(notebook.__file__)), check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"


def test_every_notebook_starts_with_setup():
    """Each notebook's first code cell calls :func:`setup` before it imports Keras or TensorFlow."""
    from pathlib import Path

    sources = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("0*.py"))
    assert sources
    for path in sources:
        first = path.read_text().split("\n# %%\n")[1]
        setup = re.search(r"^START, SMALL = setup\(", first, re.M)
        heavy = re.search(r"^import (keras|tensorflow)", first, re.M)
        assert setup and heavy and setup.start() < heavy.start(), path.name
