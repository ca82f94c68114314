"""The package's layout shows its layers, and the rules between them hold: each subpackage
imports only the layers below it (read from the source, every ``import`` statement, including
those inside functions), the CLI has no import circle, and files saved before the subpackage
move still load."""

import ast
import pathlib

import numpy as np
import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "rnn_zoo"

# layer -> the layers it may import (``checks``, ``backends`` and ``functional`` are the foundation)
ALLOWED = {
    "checks": set(),
    "backends": set(),
    "functional": {"__init__"},  # only to_cell/from_cell, inside them: the bridge to the zoo cells
    "cells": {"checks"},
    "proof": {"__init__", "backends", "checks", "cells", "functional"},
    "studies": {"backends", "checks", "cells", "proof", "functional"},
    "data": {"backends", "checks"},
    "training": {"checks"},
    "lm": {"backends", "checks", "cells", "data", "training"},
    "tasks": {"backends", "checks", "cells", "proof", "data", "lm", "training"},
    "grading": {"backends", "functional"},
    "cli": {"__init__", "backends", "checks", "cells", "proof", "data", "lm", "tasks", "training"},
    "notebook": {"__init__", "backends", "checks", "cells", "proof", "studies", "data", "lm", "tasks"},
    "__init__": {"cells", "proof"},
}


def imports(path):
    """Every ``rnn_zoo.<layer>[.<module>...]`` name that ``path`` imports (``import rnn_zoo``
    is ``rnn_zoo.__init__``, the public exports)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "rnn_zoo":
            if node.module == "rnn_zoo":
                names += [f"rnn_zoo.{alias.name}" for alias in node.names]
            else:
                names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names += [alias.name if alias.name != "rnn_zoo" else "rnn_zoo.__init__"
                      for alias in node.names if alias.name.split(".")[0] == "rnn_zoo"]
    return names


def layer_of(path):
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def test_the_top_level_holds_only_the_layers():
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert modules | packages == set(ALLOWED)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_the_layers_below_its_own(path):
    layer = layer_of(path)
    for name in imports(path):
        target = name.split(".")[1]
        assert target == layer or target in ALLOWED[layer], (
            f"rnn_zoo/{path.relative_to(PACKAGE)} ({layer}) imports {name}; {layer} may import "
            f"{sorted(ALLOWED[layer])}")


def test_the_cli_has_no_import_circle():
    """``common`` is the CLI's base; the command modules import it, and only ``main`` imports them."""
    cli = PACKAGE / "cli"
    own = {p.stem: {n.split(".")[2] for n in imports(p) if n.startswith("rnn_zoo.cli.")}
           for p in cli.glob("*.py")}
    assert own["common"] == set()
    for command in set(own) - {"common", "main", "__init__"}:
        assert own[command] <= {"common"}, (command, own[command])
    assert own["__init__"] == set()


def test_a_keras_file_saved_before_the_subpackage_move_loads_with_the_same_outputs():
    """Saved at 412c0fa, when the layers lived in rnn_zoo.gru etc.: ``keras.models.load_model``
    finds them by their registered names (``rnn_zoo>GRU``)."""
    import keras

    import rnn_zoo  # noqa: F401  (registers the zoo's layers with Keras)

    data = PACKAGE.parent / "tests" / "data"
    model = keras.models.load_model(data / "zoo_layers_412c0fa.keras")
    expected = np.load(data / "zoo_layers_412c0fa.npz")
    np.testing.assert_allclose(np.asarray(model(expected["inputs"])), expected["outputs"], atol=1e-6)
    assert {type(layer).__module__ for layer in model.layers} >= {
        "rnn_zoo.cells.simple_rnn", "rnn_zoo.cells.gru"}
