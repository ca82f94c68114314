"""``rnn-zoo train lm --strategy multi-worker``: two worker processes on 127.0.0.1, the cluster in
``TF_CONFIG``, train as one worker does with the same global batch, seed and data; only the chief
(worker 0) writes ``--out``; a missing or malformed ``TF_CONFIG`` is a usage error.

Each epoch of the tiny corpus here is one global batch of all its windows. (Keras's ``fit`` under
a ``tf.distribute`` strategy reads one batch of the epoch's dataset before the epoch, to build the
model, then iterates it again; the CLI's windows keep one order per epoch's dataset,
``reshuffle_each_iteration=False``, so that first look does not change the order.)"""

import json
import os
import shutil
import socket
import subprocess
import sys

import numpy as np
import pytest

from rnn_zoo.cli import main as cli
from rnn_zoo.lm import corpus as lm_corpus
from test_cli_lm import TINY, _perplexity, corpus, latest  # noqa: F401  (corpus: a fixture)

TIMEOUT = 240                       # seconds a run may take before it counts as hung
RTOL = 1e-6
"""Measured: the two runs' losses agree to 7e-8 (relative), their weights to 3e-8; with half the
global batch on one side the losses differ by 5e-5 after one step, 1e-4 after two."""


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _train(runs, logs, backend="tensorflow"):
    """``rnn-zoo train lm ARGV`` for every ``(ARGV, TF_CONFIG or None)`` of ``runs``, all at
    once on Keras's ``backend``, each within :data:`TIMEOUT` (the i-th's output in
    ``logs/i.out`` and ``i.err``); returns their ``(exit status, stdout, stderr)``. Every
    process is killed if one hangs."""
    logs.mkdir()
    processes = []
    try:
        for i, (argv, tf_config) in enumerate(runs):
            env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "KERAS_BACKEND": backend}
            env.pop("TF_CONFIG", None)
            if tf_config is not None:
                env["TF_CONFIG"] = json.dumps(tf_config)
            with open(logs / f"{i}.out", "w") as out, open(logs / f"{i}.err", "w") as err:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "rnn_zoo.cli.main", "train", "lm", *argv],
                    stdout=out, stderr=err, env=env))
        for process in processes:
            process.wait(timeout=TIMEOUT)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return [(p.returncode, (logs / f"{i}.out").read_text(), (logs / f"{i}.err").read_text())
            for i, p in enumerate(processes)]


def _workers(argv, n=2):
    """``(argv(i), TF_CONFIG of worker i)`` of a cluster of ``n`` workers on free ports."""
    addresses = [f"127.0.0.1:{port}" for port in _free_ports(n)]
    return [([*argv(i), "--strategy", "multi-worker"],
             {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": i}})
            for i in range(n)]


def _succeeded(done):
    for i, (status, _, err) in enumerate(done):
        assert status == 0, f"run {i}: {err[-3000:]}"


def _one_batch(corpus):
    """``TINY``, but every training window of ``corpus`` in one global batch (the later options
    win): the same windows in every epoch, whatever their order."""
    splits = lm_corpus.load(str(corpus), "char", None)
    windows = (sum(len(s) + 1 for s in splits["train"]) - 1) // (16 + 1)    # TINY's --seq-len
    assert windows % 2 == 0                        # else the two workers would drop one
    return [*TINY, "--batch-size", str(windows), "--steps-per-epoch", "1"]


def _history(out):
    return latest(out).state["loop"]["history"]["loss"]


def test_two_workers_train_as_one(corpus, tmp_path):
    """Two workers for one epoch, then both resume for a second, against one worker training
    two epochs straight: the same losses, weights and validation perplexity."""
    data = ["--data", str(corpus), *_one_batch(corpus)]
    single = tmp_path / "single"
    outs = [tmp_path / "worker0", tmp_path / "worker1"]
    *done, (_, printed, _) = _train([
        *_workers(lambda i: [*data, "--epochs", "1", "--out", str(outs[i])]),
        ([*data, "--epochs", "2", "--out", str(single)], None)], tmp_path / "logs1")
    _succeeded(done)
    assert "multi-worker (2 replica(s); worker 0 of 2)" in done[0][1]
    assert "checkpoint:" in done[0][1] and "checkpoint:" not in done[1][1]
    assert not outs[1].exists()                      # only the chief writes --out
    assert latest(outs[0]).state["epoch"] == 1

    # Resuming: worker 1 reads the chief's checkpoint from its own --out (here a copy) and
    # leaves it as it was.
    shutil.copytree(outs[0], outs[1])
    stamps = {p: p.stat().st_mtime_ns for p in outs[1].rglob("*")}
    done = _train(_workers(lambda i: ["--out", str(outs[i]), "--resume", "--epochs", "2",
                                        "--verbose", "2"]),
                  tmp_path / "logs2")
    _succeeded(done)
    assert "resuming" in done[0][1] and "valid: perplexity" not in done[1][1]
    assert {p: p.stat().st_mtime_ns for p in outs[1].rglob("*")} == stamps
    assert latest(outs[0]).state["epoch"] == 2

    # The all-reduce sums in another order than one worker does: equal within RTOL.
    np.testing.assert_allclose(_history(outs[0]), _history(single), rtol=RTOL)
    many, one = (np.load(latest(out).arrays) for out in (outs[0], single))
    for name in one.files:
        if name.startswith("weight_"):
            np.testing.assert_allclose(many[name], one[name], rtol=RTOL, atol=1e-6,
                                       err_msg=name)
    assert _perplexity(done[0][1])[0] == pytest.approx(_perplexity(printed)[0], rel=RTOL)


def test_two_jax_processes_train_as_one(corpus, tmp_path):
    """On JAX: two processes under ``keras.distribution.DataParallel`` (the cluster from the
    same ``TF_CONFIG``), each fed its half of every global batch, against one process with the
    same global batch: the same losses and validation perplexity."""
    data = ["--data", str(corpus), *_one_batch(corpus), "--epochs", "2"]
    single = tmp_path / "single"
    outs = [tmp_path / "worker0", tmp_path / "worker1"]
    *done, (_, printed, _) = _train([
        *_workers(lambda i: [*data, "--out", str(outs[i])]),
        ([*data, "--out", str(single)], None)], tmp_path / "logs", backend="jax")
    _succeeded(done)
    assert "multi-worker (2 replica(s); worker 0 of 2)" in done[0][1]
    assert "checkpoint:" in done[0][1] and "checkpoint:" not in done[1][1]
    assert not outs[1].exists()                      # only the chief writes --out
    # Measured: the losses agree to 2e-7 (relative); with half the global batch on one side
    # they differ by 6e-5, so RTOL tells the two apart.
    np.testing.assert_allclose(_history(outs[0]), _history(single), rtol=RTOL)
    assert _perplexity(done[0][1])[0] == pytest.approx(_perplexity(printed)[0], rel=RTOL)


@pytest.mark.parametrize("tf_config, message", [
    (None, "--strategy multi-worker needs the cluster in TF_CONFIG"),
    ("{not json", "is not a cluster of workers"),
    ('{"cluster": {"worker": ["127.0.0.1:1"]}}', "is not a cluster of workers"),
    ('{"cluster": {"worker": ["127.0.0.1:1"]}, "task": {"type": "worker", "index": 1}}',
     "is not a cluster of workers"),
    ('{"cluster": {"ps": ["h:1"]}, "task": {"type": "ps", "index": 0}}',
     "is not a cluster of workers"),
])
def test_missing_or_malformed_tf_config_is_a_usage_error(tf_config, message, tmp_path,
                                                        monkeypatch, capsys):
    if tf_config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "lm", "--out", str(out), "--strategy", "multi-worker"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]                  # after argparse's usage lines
    assert last.startswith("rnn-zoo train lm: error: ") and message in last
    assert '"task": {"type": "worker", "index": i}' in last
    assert not out.exists()
