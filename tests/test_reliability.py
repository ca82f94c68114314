"""The outside reliability trial (``shared/trials/reliability-2026-12-02.md``), every bad or edge
input of its parts A (Python API), B (CLI) and C (faults), replayed against the library as it
is now: each must give a clear error (the expected exception or usage error, naming the
problem, no traceback) or the correct result, and never change a user's bytes. The catalogue
is ``tests/reliability_cases.py``; ``bench/reliability.py`` prints the same as a table."""

from pathlib import Path

import pytest

from reliability_cases import CASES, PARTS, Shared, run_case, trial_ids

ROOT = Path(__file__).resolve().parents[1]
TRIAL = ROOT.parent / "shared" / "trials" / "reliability-2026-12-02.md"   # ../shared/trials


@pytest.fixture(scope="session")
def shared(tmp_path_factory):
    """The data, checkpoints and models the cases share (built when a case first needs them)."""
    return Shared(tmp_path_factory.mktemp("reliability_shared"))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_gives_a_clear_error_or_the_correct_result(case, shared, tmp_path):
    outcome = run_case(case, shared, tmp_path)
    assert outcome.kind == case.expect.kind, (
        f"{case.id} ({case.description}): expected {case.expect.kind} ({case.expect}); got "
        f"{outcome.kind}: {outcome.detail}")


def test_the_catalogue_covers_every_row_of_the_trial():
    counts = {part: sum(case.part == part for case in CASES) for part in PARTS}
    assert sum(counts.values()) >= 246, counts
    assert counts["A"] >= 138 and counts["B"] >= 58 and counts["C"] >= 50, counts
    if not TRIAL.is_file():
        pytest.skip(f"the trial's file is not here ({TRIAL})")
    rows = trial_ids(TRIAL)
    assert [len(ids) for ids in rows.values()] == [138, 58, 50], {
        part: len(ids) for part, ids in rows.items()}
    for part, ids in rows.items():
        ours = [case.trial_id for case in CASES if case.part == part]
        assert sorted(ids) == sorted(ours), (part, sorted(set(ids) ^ set(ours)))
