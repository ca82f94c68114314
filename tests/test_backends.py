"""The zoo on JAX and PyTorch, with TensorFlow not installed: the equivalence suite (every
family both ways, outputs, states and gradients against **that backend's** built-ins), the
layers, ``scan_rnn``, the two-step RNN, the gate recorder, three optimizer steps against the
built-in's, the grader of students' cells, an RNN LM scoring and sampling, and the TensorFlow-only parts' errors -- each
backend in its own process (Keras picks its backend once per process), TensorFlow hidden by
``tests/without_tensorflow.py``."""

import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

TESTS = pathlib.Path(__file__).resolve().parent
FILES = ["test_equivalence.py", "test_layers.py", "test_scan.py", "test_two_step.py",
         "test_gates.py", "test_optimizer_step.py", "test_grading.py", "test_without_tensorflow.py"]


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_the_zoo_passes_on_another_backend_without_tensorflow(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed (pip install \"rnn_zoo[{backend}]\")")
    env = {**os.environ, "KERAS_BACKEND": backend,
           # XLA's CPU compile dominates JAX's small cases; its cheapest optimisation level
           # halves the run (the numbers are checked to the same tolerance).
           "XLA_FLAGS": "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true",
           "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "without_tensorflow", "-q", "-p", "no:cacheprovider",
         *[str(TESTS / f) for f in FILES]],
        cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=600)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    passed = int(re.search(r"(\d+) passed", summary)[1])
    skipped = re.search(r"(\d+) skipped", summary)
    assert "failed" not in summary and "error" not in summary, summary
    assert passed >= 100, summary  # the run really ran the suite
    # Only tests that need TensorFlow itself (StringLookup, tf.data) may be skipped.
    assert (int(skipped[1]) if skipped else 0) <= 5, summary
