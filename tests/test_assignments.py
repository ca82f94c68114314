"""The course assignments (``assignments/``): built with otter-grader, graded with ``otter run``.

Every assignment is built once per session (``assignments/build.py``, without otter's own
solution run), then every submission below is graded once, two at a time, by otter's
``otter run`` code path in a subprocess (``otter.run.main``: results.json, plus the executed
notebook for the checks on cells):

* each solution (the autograder notebook) scores full marks, every cell within the time budget,
  and prints what its "Expected output" cells say;
* each student notebook runs top to bottom (its only errors are the stubs'
  ``NotImplementedError``) and scores 0 on every question, with the grader's message;
* each planted mistake (a string replaced in the solution's code) zeroes exactly its own
  question, with the catalogue key, or a phrase of the message, in otter's output; the others
  keep full marks.  Several questions of one assignment are planted in one submission.
"""

import ast
import concurrent.futures
import datetime
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("assignments_build", ROOT / "assignments" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

MASTERS = build.masters()
NAMES = [path.stem for path in MASTERS]
CELL_BUDGET = 30.0  # seconds: nbconvert's old default per-cell timeout, the budget of a graded cell
WORKERS = 2         # otter runs at a time

# A planted mistake: (replacements in the solution's code, what otter's output for the question
# must contain).  The expected text is a catalogue key wherever the grader names one.
PLANTED = {
    "a1_vanilla_rnn": [
        {
            "q1": ([("np.max(z, axis=0, keepdims=True)", "np.max(z, axis=1, keepdims=True)"),
                    ("np.sum(e, axis=0, keepdims=True)", "np.sum(e, axis=1, keepdims=True)")],
                   "softmax_axis"),
            "q2": ([("np.tanh(Waa @ a_prev + Wax @ xt + ba)", "np.tanh(Waa @ a_prev + Wax @ xt)")],
                   "missing_bias"),
            "q3": ([("rnn_cell_forward(x[:, :, t], a_next, parameters)",
                     "rnn_cell_forward(x[:, :, t], a0, parameters)")], "state_not_updated"),
            "q4": ([("np.tanh(h0 @ Wh + X1 @ Wx + b)", "np.tanh(X1 @ Wx + b)")],
                   "recurrent_term_missing"),
        },
        {
            "q2": ([("np.tanh(Waa @ a_prev + Wax @ xt + ba)", "np.tanh(Waa.T @ a_prev + Wax @ xt + ba)")],
                   "transposed_weights"),
        },
    ],
    "a2_gated_cells": [
        {
            "q1": ([("c = update_gate * candidate + (1 - update_gate) * c_prev",
                     "c = (1 - update_gate) * candidate + update_gate * c_prev")],
                   "update_gate_inverted"),
            "q2": ([("a = output_gate * ops.tanh(c)", "a = output_gate * c")], "missing_cell_tanh"),
            "q3": ([('sign = {"u": -1.0', 'sign = {"u": 1.0')], "wrong sign"),
        },
        {
            "q1": ([("ops.concatenate([c_prev, x], axis=-1)", "ops.concatenate([x, c_prev], axis=-1)"),
                    ("ops.concatenate([relevance_gate * c_prev, x], axis=-1)",
                     "ops.concatenate([x, relevance_gate * c_prev], axis=-1)")], "concat_order"),
            "q2": ([("c = update_gate * candidate + forget_gate * c_prev",
                     "c = update_gate * candidate + (1 - update_gate) * c_prev")],
                   "forget_gate_coupled"),
        },
        {
            "q1": ([("update_gate = ops.sigmoid(ops.matmul(c_prev_x, ops.transpose(self.W_u)) + self.b_u)",
                     "update_gate = ops.sigmoid(ops.matmul(c_prev_x, ops.transpose(self.W_r)) + self.b_r)"),
                    ("relevance_gate = ops.sigmoid(ops.matmul(c_prev_x, ops.transpose(self.W_r)) + self.b_r)",
                     "relevance_gate = ops.sigmoid(ops.matmul(c_prev_x, ops.transpose(self.W_u)) + self.b_u)")],
                   "gates_swapped"),
            "q2": ([("candidate = ops.tanh(ops.matmul(a_prev_x", "candidate = ops.sigmoid(ops.matmul(a_prev_x")],
                   "wrong_activation"),
        },
    ],
    "a3_bptt": [
        {
            "q1": ([("ds = (1 - a_next ** 2) * da_next", "ds = da_next")], "dxt"),
            "q2": ([("rnn_cell_backward(da[:, :, t] + da_prevt, step_caches[t])",
                     "rnn_cell_backward(da[:, :, t], step_caches[t])")], "bptt_term_missing"),
            "q3": ([("x[i] = saved - eps\n", "x[i] = saved\n"),
                    ("(plus - minus) / (2 * eps)", "(plus - minus) / eps")], "one-sided"),
            "q4": ([("np.clip(value, -max_value, max_value)", "np.clip(value, 0, max_value)")],
                   "max_value"),
        },
    ],
    "a4_names": [
        {
            "q1": ([("idx = int(rng.choice(vocab_size, p=y.ravel()))", "idx = int(np.argmax(y))")],
                   "softmax"),
            "q2": ([("np.max(z, axis=-1, keepdims=True)", "np.max(z, axis=0, keepdims=True)"),
                    ("np.sum(e, axis=-1, keepdims=True)", "np.sum(e, axis=0, keepdims=True)")],
                   "softmax_axis"),
            "q3": ([("    if temperature == 0:\n        return np.argmax(logits, axis=-1)\n", "")],
                   "argmax"),
            "q4": ([("recurrent(units, return_sequences=True)", "recurrent(units)")],
                   "return_sequences"),
        },
    ],
    "a5_sentiment": [
        {
            "q1": ([("a[:, np.arange(a.shape[1]), lengths - 1]", "a[:, :, -1]")], "padding"),
            "q2": ([(' @ last_states(a, lengths) + parameters["by"])', " @ last_states(a, lengths))")],
                   "missing_bias"),
            "q3": ([("rnn_zoo.LSTM(units),", "rnn_zoo.LSTM(units, return_sequences=True),")],
                   "return_sequences=False"),
        },
    ],
}
CATALOGUE_KEYS_PLANTED = {
    "missing_bias", "update_gate_inverted", "concat_order", "gates_swapped", "transposed_weights",
    "state_not_updated", "wrong_activation", "missing_cell_tanh", "forget_gate_coupled",
    "softmax_axis", "bptt_term_missing", "recurrent_term_missing",
}

# Runs in a subprocess: otter run's code path (results.json in OUT), plus the executed notebook.
GRADE = """
import sys
import nbformat
from otter.run import main
submission, autograder, out = sys.argv[1:]
results = main(submission, autograder=autograder, output_dir=out, no_logo=True)
for cell in results.notebook.cells:
    cell.pop("id", None)  # otter's added cells carry ids; the notebook is nbformat 4.4
nbformat.write(results.notebook, out + "/executed.ipynb")
"""


def plant(notebook, replacements):
    """A copy of ``notebook`` with each ``(old, new)`` replaced in its code; each ``old`` must
    occur exactly once in the code cells."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for old, new in replacements:
        hits = [c for c in notebook.cells if c.cell_type == "code" and old in c.source]
        assert len(hits) == 1 and hits[0].source.count(old) == 1, f"{old!r} is not unique in the solution"
        hits[0].source = hits[0].source.replace(old, new)
    return notebook


def grade(submission, autograder, out):
    """Grade one submission; ``(results.json, executed notebook, seconds)``."""
    out.mkdir(parents=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", GRADE, str(submission), str(autograder), str(out)],
                         capture_output=True, text=True, env=env, cwd=out, timeout=600)
    seconds = time.perf_counter() - start
    assert run.returncode == 0, f"otter run crashed on {submission}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    results = json.loads((out / "results.json").read_text())
    return results, nbformat.read(out / "executed.ipynb", as_version=4), seconds


def question_results(results):
    """``{question: (score, max_score, output)}`` from a results.json."""
    return {t["name"]: (t["score"], t["max_score"], t["output"])
            for t in results["tests"] if "max_score" in t and t["name"] != "Public Tests"}


def cell_seconds(notebook):
    """``[(seconds, source)]`` for every executed code cell (nbclient's timing metadata)."""
    timed = []
    for cell in notebook.cells:
        execution = cell.metadata.get("execution", {})
        if cell.cell_type == "code" and "iopub.execute_input" in execution and "shell.execute_reply" in execution:
            start, end = (datetime.datetime.fromisoformat(execution[k].replace("Z", "+00:00"))
                          for k in ("iopub.execute_input", "shell.execute_reply"))
            timed.append(((end - start).total_seconds(), cell.source))
    return timed


def errors(notebook):
    return [(output.ename, output.evalue, cell.source[:80])
            for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if output.output_type == "error"]


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Every assignment built once: ``{name: {"student", "autograder", "zip"}}``."""
    out = tmp_path_factory.mktemp("assignments")
    return {source.stem: build.build(source, out, run_tests=False) for source in MASTERS}


@pytest.fixture(scope="session")
def graded(built, tmp_path_factory):
    """Every submission graded: ``{(name, kind): (results, executed notebook, seconds)}`` with
    kind ``"solution"``, ``"student"`` or ``"planted-<i>"``."""
    root = tmp_path_factory.mktemp("graded")
    jobs = {}
    for name, paths in built.items():
        jobs[(name, "solution")] = paths["autograder"]
        jobs[(name, "student")] = paths["student"]
        solution = nbformat.read(paths["autograder"], as_version=4)
        for i, questions in enumerate(PLANTED.get(name, [])):
            replacements = [r for planted, _ in questions.values() for r in planted]
            submission = root / f"{name}-planted-{i}" / f"{name}.ipynb"
            submission.parent.mkdir()
            nbformat.write(plant(solution, replacements), submission)
            jobs[(name, f"planted-{i}")] = submission
    # the slowest (Keras) assignments first, so that the two workers finish together
    order = sorted(jobs, key=lambda job: job[0] not in ("a2_gated_cells", "a4_names", "a5_sentiment"))
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        futures = {job: pool.submit(grade, jobs[job], built[job[0]]["zip"],
                                    root / "out" / f"{job[0]}-{job[1]}") for job in order}
        return {job: future.result() for job, future in futures.items()}


def test_there_are_four_assignments_or_more():
    assert len(NAMES) >= 4, NAMES
    assert {"a1_vanilla_rnn", "a2_gated_cells", "a3_bptt", "a4_names"} <= set(NAMES)


# ------------------------------------------------------------------------ the build
def test_build_is_deterministic_and_follows_the_master(built, tmp_path):
    """Building again gives the same notebooks, and they hold the master's cells in order."""
    for source in MASTERS:
        again = build.build(source, tmp_path, run_tests=False)
        for kind in ("student", "autograder"):
            assert again[kind].read_bytes() == built[source.stem][kind].read_bytes(), \
                f"{source.stem}: two builds of the {kind} notebook differ"

        master = [c for c in jupytext.read(source).cells if c.cell_type != "raw"]
        autograder = nbformat.read(built[source.stem]["autograder"], as_version=4).cells
        sources = [(c.cell_type, c.source) for c in autograder]
        tests = {c.source for c in master if c.cell_type == "code" and c.source.lstrip().startswith(("def test_", '"""'))}
        kept = [(c.cell_type, c.source) for c in master if c.source not in tests]
        position = 0
        for cell in kept:  # every kept master cell, in order (otter adds init and check cells)
            assert cell in sources[position:], f"{source.stem}: cell not in the autograder notebook:\n{cell[1][:200]}"
            position = sources.index(cell, position) + 1


@pytest.mark.parametrize("name", NAMES)
def test_student_version_has_stubs_not_solutions(built, name):
    student = nbformat.read(built[name]["student"], as_version=4)
    autograder = nbformat.read(built[name]["autograder"], as_version=4)
    code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
    assert "BEGIN SOLUTION" not in code and "END SOLUTION" not in code
    solutions = [c for c in autograder.cells if "otter_assign_solution_cell" in c.metadata.get("tags", [])]
    assert solutions, "no solution cells"
    for cell in solutions:
        body = cell.source.split("# BEGIN SOLUTION NO PROMPT\n")[1].split("# END SOLUTION")[0]
        for line in body.strip().splitlines():
            if len(line.strip()) > 25:  # a line of the solution (short ones like `return h0, h1` may recur)
                assert line.strip() not in code, f"{name}: the student notebook shows the solution line {line.strip()!r}"
    assert code.count("raise NotImplementedError(") == len(solutions)
    # hidden tests only in the autograder
    public = student.metadata["otter"]["tests"]
    hidden = autograder.metadata["otter"]["tests"]
    assert set(public) == set(hidden)
    for question in hidden:
        assert "hidden=True" in hidden[question] and "hidden=True" not in public[question], question


def test_numpy_assignments_import_no_tensorflow(built):
    """a1 and a3 are NumPy only: nothing they import (cells and tests) loads TensorFlow or Keras."""
    for name in ("a1_vanilla_rnn", "a3_bptt"):
        notebook = nbformat.read(built[name]["autograder"], as_version=4)
        sources = [c.source for c in notebook.cells if c.cell_type == "code"]
        sources += list(notebook.metadata["otter"]["tests"].values())
        modules = set()
        for source in sources:
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Import):
                    modules |= {alias.name for alias in node.names}
                elif isinstance(node, ast.ImportFrom):
                    modules.add(node.module)
        modules -= {"otter", "otter.test_files"}
        probe = "import sys\n" + "".join(f"import {m}\n" for m in sorted(modules)) + \
                "bad = sorted(m for m in ('tensorflow', 'keras', 'jax', 'torch') if m in sys.modules)\n" \
                "assert not bad, bad\n"
        run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
        assert run.returncode == 0, f"{name} imports {sorted(modules)}: {run.stderr[-500:]}"


def test_slide_batches_are_the_slides():
    """a1 writes the slide's X0_BATCH / X1_BATCH out (NumPy only); they are rnn_zoo.cells.two_step's."""
    from rnn_zoo.cells import two_step

    namespace = {}
    text = (ROOT / "assignments" / "a1_vanilla_rnn.py").read_text()
    for line in text.splitlines():
        if line.startswith(("X0_BATCH = ", "X1_BATCH = ")):
            exec(line.replace("np.array(", "list(").replace(", dtype=float", ""), namespace)
    assert namespace["X0_BATCH"] == two_step.X0_BATCH and namespace["X1_BATCH"] == two_step.X1_BATCH


# ------------------------------------------------------------------------ grading
@pytest.mark.parametrize("name", NAMES)
def test_solution_scores_full_marks(graded, name):
    results, executed, seconds = graded[(name, "solution")]
    questions = question_results(results)
    assert questions, "no graded questions"
    for question, (score, possible, output) in questions.items():
        assert score == possible > 0, f"{name} {question}: {score}/{possible}\n{output}"
    assert errors(executed) == []


@pytest.mark.parametrize("name", NAMES)
def test_every_graded_cell_is_within_the_budget(graded, name):
    results, executed, seconds = graded[(name, "solution")]
    timed = cell_seconds(executed)
    assert timed, "no cell timing recorded"
    slowest = max(timed)
    assert slowest[0] < CELL_BUDGET, f"{name}: a cell took {slowest[0]:.1f} s:\n{slowest[1][:300]}"


@pytest.mark.parametrize("name", NAMES)
def test_expected_outputs_are_what_the_solution_prints(graded, name):
    results, executed, seconds = graded[(name, "solution")]
    pairs = build.expected_outputs(executed)
    assert pairs, f"{name} has no Expected output cells"
    for expected, printed in pairs:
        assert expected == printed, (f"{name}: an Expected output block is stale (run python "
                                     f"assignments/build.py --write-expected {name})")


@pytest.mark.parametrize("name", NAMES)
def test_student_version_runs_and_scores_zero(graded, name):
    results, executed, seconds = graded[(name, "student")]
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") is not None for c in code), "a cell did not run"
    assert {ename for ename, _, _ in errors(executed)} <= {"NotImplementedError"}, errors(executed)
    questions = question_results(results)
    assert questions
    for question, (score, possible, output) in questions.items():
        assert score == 0 < possible, f"{name} {question}: {score}/{possible}"
        assert "NotImplementedError" in output, output


def test_planted_mistakes_cover_the_catalogue():
    from rnn_zoo.grading import CATALOGUE

    planted = {expected for submissions in PLANTED.values() for questions in submissions
               for _, expected in questions.values()}
    assert CATALOGUE_KEYS_PLANTED <= planted
    assert CATALOGUE_KEYS_PLANTED <= set(CATALOGUE)


@pytest.mark.parametrize("name, index", [(n, i) for n in PLANTED for i in range(len(PLANTED[n]))])
def test_planted_mistakes_lose_exactly_their_questions(graded, name, index):
    results, executed, seconds = graded[(name, f"planted-{index}")]
    planted = PLANTED[name][index]
    questions = question_results(results)
    for question, (score, possible, output) in questions.items():
        if question in planted:
            assert score == 0, f"{name} {question}: the planted mistake scored {score}/{possible}"
            expected = planted[question][1]
            assert expected in output, f"{name} {question}: {expected!r} not in otter's output:\n{output}"
        else:
            assert score == possible, f"{name} {question} lost points to another question's mistake:\n{output}"


def test_grading_times(graded, record_property):
    """Not a limit: the seconds each otter run took here (two at a time), for the README."""
    for (name, kind), (_, _, seconds) in sorted(graded.items()):
        record_property(f"{name}-{kind}", round(seconds, 1))
        print(f"{name:16} {kind:10} {seconds:5.1f} s")


# the cells each assignment skips under grading (otter_ignore), and what their small run prints
IGNORED = {"a4_names": ("1 epochs in", "T = 1.5:"), "a5_sentiment": ("1 epochs in", "P(positive) =")}


@pytest.mark.parametrize("name", sorted(IGNORED))
def test_cells_skipped_under_grading_run_too(built, monkeypatch, name):
    """The cells the autograder skips (otter_ignore: data, training, sampling) run too, in small
    mode (RNN_ZOO_SMALL=1: a few hundred examples, one epoch), after the solution's cells."""
    from nbclient import NotebookClient

    notebook = nbformat.read(built[name]["autograder"], as_version=4)
    ignored = [c for c in notebook.cells if "otter_ignore" in c.metadata.get("tags", [])]
    assert len(ignored) == 2
    monkeypatch.setenv("RNN_ZOO_SMALL", "1")  # the kernel inherits it
    NotebookClient(notebook, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(built[name]["autograder"].parent)}}).execute()
    printed = "".join(build.stdout_of(c) for c in ignored)
    assert all(text in printed for text in IGNORED[name]), printed
