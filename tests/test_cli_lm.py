"""The language-model commands of ``rnn-zoo``: ``train lm`` (checkpoints, --resume,
--strategy mirrored), ``sample`` and ``eval``, run in-process through ``cli.main`` on a tiny
text file; bad arguments exit with argparse's status 2 or raise ValueError naming them."""

import contextlib
import io
import math
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from rnn_zoo.cli import main as cli
from rnn_zoo.lm.rnn import RNNLanguageModel
from rnn_zoo.training.checkpoints import CheckpointDirectory

TEXT = ("To be, or not to be, that is the question:\n"
        "Whether tis nobler in the mind to suffer\n"
        "The slings and arrows of outrageous fortune,\n"
        "Or to take arms against a sea of troubles\n"
        "And by opposing end them. To die, to sleep.\n") * 6
TINY = ["--cell", "gru", "--units", "8", "--seq-len", "16", "--batch-size", "8",
        "--steps-per-epoch", "3", "--seed", "0", "--verbose", "2"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "play.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "ck"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cli.main(["train", "lm", "--data", str(corpus), "--epochs", "1",
                         "--out", str(out), *TINY]) == 0
    (out.parent / "train.log").write_text(printed.getvalue())
    return out


def _perplexity(output):
    match = re.search(r"valid: perplexity ([0-9.e+naif]+), ([0-9.e+naif]+) nats/token", output)
    assert match, output
    return float(match[1]), float(match[2])


def latest(directory):
    return CheckpointDirectory(directory).select("latest")


def test_train_writes_a_loadable_checkpoint(trained, corpus):
    checkpoint = latest(trained)
    assert checkpoint.state["epoch"] == 1
    assert checkpoint.state["run"]["settings"]["data"] == str(corpus)
    model = RNNLanguageModel.load(trained)
    assert model.cell == "gru" and model.units == 8 and model.unk_token is None
    assert set(model.vocabulary) == set(TEXT)


def test_train_prints_validation_perplexity(trained):
    printed = (trained.parent / "train.log").read_text()
    assert "val_loss" in printed          # Keras's per-epoch line (verbose=2)
    perplexity, nats = _perplexity(printed)
    assert math.isfinite(perplexity) and perplexity == pytest.approx(math.exp(nats), rel=1e-3)


def test_resume_continues_from_the_checkpoint(trained, tmp_path, capsys):
    out = tmp_path / "ck"
    shutil.copytree(trained, out)
    before = RNNLanguageModel.load(out).network.get_weights()
    assert cli.main(["train", "lm", "--out", str(out), "--resume", "--epochs", "2"]) == 0
    printed = capsys.readouterr().out
    assert "resuming" in printed and "after epoch 1" in printed
    assert latest(out).state["epoch"] == 2
    after = RNNLanguageModel.load(out).network.get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(before, after))
    # The data, model and training settings came from the checkpoint.
    run = latest(out).state["run"]
    assert run["training"]["seq_len"] == 16 and run["settings"]["cell"] == "gru"
    # Nothing left to do at --epochs 2; a changed model setting is refused.
    assert cli.main(["train", "lm", "--out", str(out), "--resume", "--epochs", "2"]) == 0
    assert "nothing to train" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "lm", "--out", str(out), "--resume", "--cell", "lstm"])
    assert exit_.value.code == 2
    assert "--cell lstm differs" in capsys.readouterr().err


def test_sample_is_reproducible_and_uses_the_vocabulary(trained, capsys):
    def sample(*extra):
        assert cli.main(["sample", str(trained), "--prompt", "To be", "--max-tokens", "30",
                         "-n", "3", *extra]) == 0
        return capsys.readouterr().out

    options = ["--seed", "7", "--temperature", "1.5", "--top-k", "20", "--top-p", "0.99",
               "--no-stop-at-eos"]
    first = sample(*options)
    assert first == sample(*options)
    samples = first.split("To be")[1:]
    assert len(samples) == 3 and len(set(samples)) > 1          # -n 3 draws go on the stream
    assert set("".join(samples)) <= set(TEXT)
    assert cli.main(["sample", str(trained), "--prompt", "To", "--beam", "2",
                     "--max-tokens", "5"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 2 and all(float(row.split()[0]) < 0 for row in rows)


def test_eval_prints_a_finite_perplexity(trained, corpus, capsys):
    assert cli.main(["eval", str(trained)]) == 0
    perplexity, nats = _perplexity(capsys.readouterr().out)
    assert math.isfinite(perplexity) and 1 < perplexity < 2 * len(set(TEXT))
    assert cli.main(["eval", str(trained), "--data", str(corpus)]) == 0
    assert _perplexity(capsys.readouterr().out) == (perplexity, nats)


@pytest.mark.parametrize("argv, message", [
    (["train", "lm", "--out", "X", "--units", "0"], "--units: must be a positive integer"),
    (["train", "lm", "--out", "X", "--cell", "rnn"], "--cell: invalid choice"),
    (["train", "lm", "--out", "X", "--dropout", "1"], "--dropout: must be in [0, 1)"),
    (["train", "lm", "--units", "4"], "--out"),
    (["train", "lm", "--out", "X", "--data", "no/such/file.txt"], "--data must be one of"),
    (["train", "lm", "--out", "X", "--data", "names", "--level", "word"], "--level word"),
    (["train", "lm", "--out", "X", "--resume"], "--resume"),
    (["sample", "CK", "--top-p", "0"], "--top-p: must be"),
    (["sample", "CK", "--temperature", "-1"], "--temperature: must be"),
    (["sample", "no/such/dir"], "CHECKPOINT"),
    (["eval", "CK", "--split", "train"], "--split: invalid choice"),
])
def test_bad_arguments_exit_with_a_message(argv, message, tmp_path, trained, capsys):
    argv = [str(trained) if a == "CK" else str(tmp_path / "out") if a == "X" else a
            for a in argv]
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("extra, message", [
    (["--prompt", "Zq"], "--prompt holds characters outside"),
    (["--beam", "2", "--seed", "1"], "--seed does not apply"),
])
def test_bad_sampling_combinations(extra, message, trained, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["sample", str(trained), *extra])
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_existing_checkpoint_is_not_overwritten(trained, capsys):
    stamps = {p: p.stat().st_mtime_ns for p in trained.rglob("*")}
    with pytest.raises(SystemExit):
        cli.main(["train", "lm", "--out", str(trained), "--data", "whatever"])
    assert "already holds a checkpoint" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in trained.rglob("*")} == stamps


MIRRORED = """
import sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from rnn_zoo.cli import main as cli
sys.exit(cli.main(sys.argv[1:]))
"""


def test_mirrored_strategy_on_two_logical_cpus(corpus, tmp_path):
    out = tmp_path / "mirrored"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-c", MIRRORED, "train", "lm", "--data", str(corpus),
                           "--out", str(out), "--strategy", "mirrored", *TINY],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "mirrored (2 replica(s))" in done.stdout
    assert math.isfinite(_perplexity(done.stdout)[0])
    assert latest(out).state["epoch"] == 1
    RNNLanguageModel.load(out)
