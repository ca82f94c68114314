"""Every zoo cell and layer equals its Keras built-in twin: outputs, states and gradients.

The cases (sizes, return_sequences, go_backwards, bias, unroll, initial states, three mask
patterns, stateful batches, Bidirectional, stacked cells; both conversion directions; GRU with
``reset_after`` both ways) live in :data:`rnn_zoo.proof.verify.CASES`, shared with ``rnn-zoo verify``.
"""

import numpy as np
import pytest

from rnn_zoo.proof import verify


@pytest.mark.parametrize("case", verify.CASES, ids=lambda c: c.name)
def test_zoo_equals_builtin(case):
    result = verify.run_case(case, seed=7)
    for what, (worst, ok) in result.items():
        assert ok, f"{what}: max |zoo - built-in| = {worst:.3g} exceeds atol=rtol={verify.ATOL}"


def test_harness_catches_a_swapped_gate(monkeypatch):
    """The harness is not blind: swap the u and r blocks in the zoo copy and it must fail."""
    convert = verify.rnn_zoo.from_keras

    def convert_and_swap(layer):
        zoo = convert(layer)
        kernel, u = zoo.cell.kernel.numpy(), zoo.cell.units
        kernel[:, :u], kernel[:, u : 2 * u] = kernel[:, u : 2 * u].copy(), kernel[:, :u].copy()
        zoo.cell.kernel.assign(kernel)
        return zoo

    monkeypatch.setattr(verify.rnn_zoo, "from_keras", convert_and_swap)
    result = verify.run_case(verify.Case("GRU", "from_keras"))
    assert not result["outputs"][1] and result["outputs"][0] > 1e-3


def test_cases_cover_every_family_direction_and_setting():
    names = {(c.family, c.direction) for c in verify.CASES}
    assert len(names) == 9  # 5 families x 2 directions, less SimplifiedGRU from_keras
    for field in ("go_backwards", "initial_state", "stateful", "unroll"):
        assert any(getattr(c, field) for c in verify.CASES), field
    assert {c.mask for c in verify.CASES} >= set(verify.MASKS)
    assert {c.wrapper for c in verify.CASES} >= {"bidirectional", "stacked"}


def test_verify_cli_exits_zero_and_prints_the_table(capsys):
    from rnn_zoo.cli import main as cli

    assert cli.main(["verify", "--family", "LSTM"]) == 0
    printed = capsys.readouterr().out
    rows = [line for line in printed.splitlines() if line.startswith("LSTM ")]
    assert len(rows) == len([c for c in verify.CASES if c.family == "LSTM"])
    assert all(row.endswith("pass") for row in rows)
    assert np.isfinite([float(v) for v in rows[0].split()[-4:-1]]).all()
