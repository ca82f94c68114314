"""Every zoo cell and layer equals its Keras built-in twin: outputs, states and gradients.

The cases (sizes, return_sequences, go_backwards, bias, unroll, initial states, three mask
patterns, stateful batches, Bidirectional, stacked cells; both conversion directions; GRU with
``reset_after`` both ways) live in :data:`rnn_zoo.proof.verify.CASES`, shared with ``rnn-zoo verify``.
On TensorFlow every case runs; the JAX and PyTorch runs (``tests/test_backends.py``) take
:data:`~rnn_zoo.proof.verify.COVERING_CASES`, every family both ways and every setting.
"""

import numpy as np
import pytest

from rnn_zoo import backends
from rnn_zoo.proof import verify

CASES = verify.CASES if backends.name() == "tensorflow" else verify.COVERING_CASES


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
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


@pytest.mark.parametrize("cases", ["CASES", "COVERING_CASES"])
def test_cases_cover_every_family_direction_and_setting(cases):
    cases = getattr(verify, cases)
    assert set(cases) <= set(verify.CASES)
    names = {(c.family, c.direction) for c in cases}
    assert len(names) == 9  # 5 families x 2 directions, less SimplifiedGRU from_keras
    for field in ("go_backwards", "initial_state", "stateful", "unroll"):
        assert any(getattr(c, field) for c in cases), field
    assert any(not c.use_bias for c in cases) and any(not c.return_sequences for c in cases)
    assert {c.mask for c in cases} >= set(verify.MASKS)
    assert {c.wrapper for c in cases} >= {"bidirectional", "stacked"}


def test_verify_cli_exits_zero_and_prints_the_table(capsys):
    from rnn_zoo.cli import main as cli

    quick = ["--quick"] if CASES is verify.COVERING_CASES else []
    assert cli.main(["verify", "--family", "LSTM", *quick]) == 0
    printed = capsys.readouterr().out
    rows = [line for line in printed.splitlines() if line.startswith("LSTM ")]
    assert len(rows) == len([c for c in CASES if c.family == "LSTM"])
    assert all(row.endswith("pass") for row in rows)
    assert np.isfinite([float(v) for v in rows[0].split()[-4:-1]]).all()
