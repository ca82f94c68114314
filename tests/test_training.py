"""The training layer (rnn_zoo.training): a run killed at any moment and resumed ends with exactly
the weights, optimizer state and random state of the run that was never interrupted; checkpoint
directories are claimed safely, written atomically and verified; a diverging run stops and keeps
the last good checkpoint; Ctrl-C exits cleanly."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest

from rnn_zoo.training import arrays, saving
from rnn_zoo.training import fit as training
from rnn_zoo.training.checkpoints import CheckpointDirectory, CheckpointWarning
from rnn_zoo.training.errors import TrainingDiverged, TrainingInterrupted

TEXT = "".join(f"line {i}: to be or not to be, that is the question {i * 7 % 13}\n"
               for i in range(300))
RUN = ["train", "lm", "--cell", "gru", "--units", "8", "--embedding-dim", "4", "--seq-len",
       "16", "--batch-size", "8", "--steps-per-epoch", "6", "--seed", "5", "--dropout", "0.1",
       "--verbose", "0"]
EPOCHS = 4

# The CLI in a subprocess that kills itself at a chosen point: ``batch:N`` (SIGKILL at the N-th
# training batch of this process), ``int:N`` (Ctrl-C there: the KeyboardInterrupt that Python's
# SIGINT handler raises, raised at that point itself; a real SIGINT is handled at the next
# bytecode, which can fall inside a destructor that swallows it, so the test would be flaky),
# or ``fsync:N`` (SIGKILL at the N-th fsync of a checkpoint write: inside the write, before the
# rename, after it).
DRIVER = """
import os, signal, sys
how, _, n = os.environ.get("KILL_AT", "").partition(":")
n, calls = int(n or 0), [0]
def tick():
    calls[0] += 1
    if calls[0] == n and how == "int":
        raise KeyboardInterrupt
    if calls[0] == n:
        os.kill(os.getpid(), signal.SIGKILL)
from rnn_zoo.training import checkpoints, fit
if how == "fsync":
    original = checkpoints._fsync
    def _fsync(path):
        tick()
        original(path)
    checkpoints._fsync = _fsync
elif how in ("batch", "int"):
    original_end = fit._DivergenceGuard.on_train_batch_end
    def on_train_batch_end(self, batch, logs=None):
        original_end(self, batch, logs)
        tick()
    fit._DivergenceGuard.on_train_batch_end = on_train_batch_end
from rnn_zoo.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def cli(*argv, kill_at=None):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KILL_AT": kill_at or ""}
    return subprocess.run([sys.executable, "-c", DRIVER, *argv], capture_output=True, text=True,
                          env=env, timeout=300)


def final_arrays(out):
    checkpoint = CheckpointDirectory(out).select("latest")
    assert checkpoint.state["epoch"] == EPOCHS
    with np.load(checkpoint.arrays) as data:
        return dict(data)


def test_a_run_killed_and_resumed_again_and_again_ends_as_the_uninterrupted_one(tmp_path):
    """Ctrl-C mid-epoch, SIGKILL mid-epoch, SIGKILL inside a checkpoint write (its files half
    flushed; complete but not renamed; renamed but the folder not flushed), a damaged newest
    checkpoint: each time ``--resume`` carries on, and the last checkpoint equals the
    uninterrupted run's, array for array (weights, Adam's moments and step, the dropout seed
    generators)."""
    data = tmp_path / "text.txt"
    data.write_text(TEXT)
    run = [*RUN, "--data", str(data), "--epochs", str(EPOCHS)]
    done = cli(*run, "--out", str(tmp_path / "reference"))
    assert done.returncode == 0, done.stderr[-2000:]
    expected = final_arrays(tmp_path / "reference")

    out = str(tmp_path / "killed")
    resume = ["train", "lm", "--resume", "--epochs", str(EPOCHS), "--out", out, "--verbose", "0"]
    ctrl_c = cli(*run, "--out", out, kill_at="int:9")             # in epoch 2
    assert ctrl_c.returncode == 130, ctrl_c.stderr[-2000:]
    assert "interrupted: the checkpoint of epoch 1" in ctrl_c.stderr
    assert "resume with --resume" in ctrl_c.stderr and "Traceback" not in ctrl_c.stderr
    for kill_at, newest_epoch in [("batch:3", 1),      # SIGKILL in epoch 2
                                  ("fsync:2", 1),      # writing epoch 2's arrays
                                  ("fsync:5", 1),      # epoch 2's folder complete, not renamed
                                  ("fsync:6", 2)]:     # renamed, its parent not yet flushed
        killed = cli(*resume, kill_at=kill_at)
        assert killed.returncode == -signal.SIGKILL, (kill_at, killed.stderr[-2000:])
        good, damaged = CheckpointDirectory(out).checkpoints()
        assert good[0].state["epoch"] == newest_epoch and not damaged, kill_at
    # The newest checkpoint damaged on disk: found out by its manifest, the one before is used.
    newest = CheckpointDirectory(out).select("latest").arrays
    newest.write_bytes(newest.read_bytes()[:-100])
    last = cli(*resume)
    assert last.returncode == 0, last.stderr[-2000:]
    assert "warning: skipped ckpt-000002" in last.stderr and "does not match the sha256" in last.stderr
    assert "resuming" in last.stdout and "after epoch 1" in last.stdout
    received = final_arrays(out)
    assert received.keys() == expected.keys()
    for name in expected:
        np.testing.assert_array_equal(received[name], expected[name], err_msg=name)
    assert not list(tmp_path.glob("killed/.tmp-*"))                # half-written folders removed


# --------------------------------------------------------------------------- the directory
def write_arrays(path):
    np.savez(path, weight_0=np.arange(3.0))


def tree(path):
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def test_out_is_a_new_or_empty_folder_and_nothing_else_is_touched(tmp_path):
    CheckpointDirectory(tmp_path / "new").claim("M")                # created
    (tmp_path / "empty").mkdir()
    CheckpointDirectory(tmp_path / "empty").claim("M")
    user = tmp_path / "user"
    user.mkdir()
    (user / "config.json").write_text('{"model_type": "bert"}')
    (user / "model.weights.h5").write_bytes(b"someone else's weights")
    before = tree(user)
    with pytest.raises(ValueError, match="a folder with other files in it"):
        CheckpointDirectory(user).claim("M")
    with pytest.raises(ValueError, match="holds no rnn_zoo checkpoint"):
        CheckpointDirectory(user).claim("M", resume=True)
    assert tree(user) == before
    (tmp_path / "file.txt").write_text("data")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        CheckpointDirectory(tmp_path / "file.txt").claim("M")
    assert (tmp_path / "file.txt").read_text() == "data"
    killed = CheckpointDirectory(tmp_path / "killed")      # killed before its first checkpoint
    killed.claim("M")
    with pytest.raises(ValueError, match="holds no checkpoint yet .* without --resume"):
        killed.claim("M", resume=True)
    killed.claim("M")                                       # a fresh start there is fine
    ours = CheckpointDirectory(tmp_path / "new")
    ours.write({"class": "M"}, {"epoch": 1, "monitor_value": 1.0}, write_arrays)
    with pytest.raises(ValueError, match="already holds a checkpoint: pass --resume"):
        ours.claim("M")
    ours.claim("M", resume=True)
    with pytest.raises(ValueError, match="holds a M checkpoint, not a N"):
        ours.claim("N", resume=True)


def test_the_two_newest_and_the_best_checkpoints_are_kept(tmp_path):
    directory = CheckpointDirectory(tmp_path)
    directory.claim("M")
    for epoch, metric in enumerate([3.0, 1.0, 2.0, 2.5, 4.0], 1):
        directory.write({"class": "M"}, {"epoch": epoch, "monitor_value": metric},
                        write_arrays)
    good, damaged = directory.checkpoints()
    assert [c.state["epoch"] for c in good] == [5, 4, 2] and not damaged
    assert directory.select("best").state["epoch"] == 2
    assert directory.select("latest").state["epoch"] == 5


@pytest.mark.parametrize("damage", ["edited config", "truncated arrays", "no manifest",
                                    "half-written manifest"])
def test_a_damaged_or_edited_checkpoint_is_found_and_the_one_before_used(tmp_path, damage):
    directory = CheckpointDirectory(tmp_path)
    directory.claim("M")
    for epoch in (1, 2):
        directory.write({"class": "M", "vocabulary": ["good", "bad"]}, {"epoch": epoch},
                        write_arrays)
    newest = tmp_path / "ckpt-000002"
    if damage == "edited config":           # two vocabulary words swapped
        config = json.loads((newest / "config.json").read_text())
        config["vocabulary"].reverse()
        (newest / "config.json").write_text(json.dumps(config))
    elif damage == "truncated arrays":
        (newest / "arrays.npz").write_bytes(b"01234")
    elif damage == "no manifest":
        (newest / "manifest.json").unlink()
    else:
        (newest / "manifest.json").write_text('{"format": "rnn_zoo-chec')
    with pytest.warns(CheckpointWarning, match="skipped ckpt-000002: .*; using ckpt-000001"):
        assert directory.select("latest").state["epoch"] == 1
    shutil.rmtree(tmp_path / "ckpt-000001")
    with pytest.raises(ValueError, match="holds no usable checkpoint"):
        directory.select("latest")


# --------------------------------------------------------------- fitting, diverging, Ctrl-C
class Tiny:
    """The smallest model the training layer takes: a Dense regression."""

    def __init__(self):
        keras.utils.set_random_seed(0)
        self.network = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        self.network.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")

    def checkpoint_config(self):
        return {"class": "Tiny", "config": {}}

    @classmethod
    def from_checkpoint_config(cls, saved):
        return cls()


def regression(epoch, poison_epoch=None):
    import tensorflow as tf

    x = np.random.default_rng(epoch).normal(size=(32, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    if epoch == poison_epoch:
        x[5, 0] = np.nan
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(8)


def test_a_nan_loss_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    model = Tiny()
    checkpoints = training.checkpoint_directory(tmp_path, model)
    with pytest.raises(TrainingDiverged, match=r"diverged in epoch 3 \(batch 1: loss nan\); "
                                               r"the checkpoint of epoch 2 .* is kept"):
        training.fit(model, model.network, lambda e: regression(e, poison_epoch=2), 5,
                     checkpoints=checkpoints, verbose=0)
    good, _ = checkpoints.checkpoints()
    assert [c.state["epoch"] for c in good] == [2, 1]
    assert all(np.all(np.isfinite(w)) for w in model.network.get_weights())
    np.testing.assert_array_equal(model.network.get_weights()[0],
                                  arrays.weights(good[0].arrays)[0])


def test_a_finite_loss_a_thousand_times_the_first_is_divergence_too():
    """A learning rate of 1e30 gives losses of 1e31 that never overflow: still diverged."""
    class Model:
        stop_training = False

    loop = {}
    guard = training._DivergenceGuard(loop)
    guard.set_model(Model())
    for batch, loss in enumerate([2.5, 1.9, 1.7]):
        guard.on_train_batch_end(batch, {"loss": loss})
    assert guard.where is None and loop["first_loss"] == 2.5
    guard.on_train_batch_end(3, {"loss": 3e31})
    assert guard.model.stop_training and "over 1000 times the run's first, 2.5" in guard.where
    small = training._DivergenceGuard({"first_loss": 1e-6})       # 1 is the floor
    small.set_model(Model())
    small.on_train_batch_end(0, {"loss": 0.5})
    assert small.where is None


def test_a_checkpoint_with_nan_weights_is_never_written_nor_used(tmp_path):
    model = Tiny()
    saving.save(model, tmp_path)
    good = model.network.get_weights()
    model.network.layers[0].kernel.assign(np.full((3, 1), np.nan, "float32"))
    with pytest.raises(ValueError, match="holds NaN or infinite values"):
        saving.save(model, tmp_path)
    assert CheckpointDirectory(tmp_path).serials() == [1] and not list(tmp_path.glob(".tmp-*"))
    np.testing.assert_array_equal(saving.load(tmp_path, Tiny).network.get_weights()[0], good[0])
    # One saved so all the same (its manifest matching): skipped, with a warning.
    with np.load(tmp_path / "ckpt-000001" / "arrays.npz") as data:
        arrays = dict(data)
    arrays["weight_0"][0, 0] = np.nan
    shutil.copytree(tmp_path / "ckpt-000001", tmp_path / "ckpt-000002")
    np.savez(tmp_path / "ckpt-000002" / "arrays.npz", **arrays)
    manifest = json.loads((tmp_path / "ckpt-000002" / "manifest.json").read_text())
    manifest["files"]["arrays.npz"] = hashlib.sha256(
        (tmp_path / "ckpt-000002" / "arrays.npz").read_bytes()).hexdigest()
    (tmp_path / "ckpt-000002" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.warns(CheckpointWarning, match="skipped ckpt-000002: .*NaN or infinite"):
        loaded = saving.load(tmp_path, Tiny)
    np.testing.assert_array_equal(loaded.network.get_weights()[0], good[0])


def test_ctrl_c_keeps_the_checkpoints_and_says_how_to_resume(tmp_path):
    class CtrlC(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if self.params and batch == 2 and len(checkpoints.serials()) == 2:
                raise KeyboardInterrupt

    model = Tiny()
    checkpoints = training.checkpoint_directory(tmp_path, model)
    with pytest.raises(TrainingInterrupted, match="the checkpoint of epoch 2 .* is kept; "
                                                  "resume with --resume"):
        training.fit(model, model.network, regression, 5, checkpoints=checkpoints,
                     callbacks=[CtrlC()], verbose=0)
    assert checkpoints.select("latest").state["epoch"] == 2


def test_resumed_in_process_equals_uninterrupted_with_early_stopping_state(tmp_path):
    """The loop's own state (best value, patience count) is restored too."""
    reference = Tiny()
    training.fit(reference, reference.network, regression, 6, verbose=0, patience=2,
                 monitor="loss", restore_best=True)
    model = Tiny()
    checkpoints = training.checkpoint_directory(tmp_path, model)
    training.fit(model, model.network, regression, 3, checkpoints=checkpoints, verbose=0,
                 patience=2, monitor="loss", restore_best=True)
    resumed = Tiny()
    history = training.fit(resumed, resumed.network, regression, 6, checkpoints=checkpoints,
                           resume=True, verbose=0, patience=2, monitor="loss",
                           restore_best=True)
    assert len(history.history["loss"]) == 6
    for a, b in zip(resumed.network.get_weights(), reference.network.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("value, error", [(-0.1, ValueError), (0, ValueError),
                                          (float("nan"), ValueError), (float("inf"), ValueError),
                                          ("0.1", TypeError), (True, TypeError)])
def test_learning_rates_are_checked_as_the_cli_checks_them(value, error):
    from rnn_zoo.data import text
    from rnn_zoo.lm.rnn import RNNLanguageModel
    from rnn_zoo.tasks.sentiment import BagOfWords, SentimentClassifier
    from rnn_zoo.tasks.tagging import Tagger

    with pytest.raises(error, match="learning_rate"):
        SentimentClassifier(learning_rate=value)
    with pytest.raises(error, match="learning_rate"):
        Tagger(learning_rate=value)
    with pytest.raises(error, match="learning_rate"):
        BagOfWords(learning_rate=value)
    model = RNNLanguageModel(text.char_vocabulary("ab\n"), units=2, unk_token=None,
                             eos_token="\n")
    with pytest.raises(error, match="learning_rate"):
        model.fit(regression(0), learning_rate=value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert training.learning_rate(1e-3) == 1e-3


# ------------------------------------------------------------------ every model, one format
def test_every_model_saves_and_loads_through_the_checkpoint_format(tmp_path):
    """Each zoo model comes back with the same configuration and the same answers; loading one
    as another class is one clear ValueError."""
    from rnn_zoo.data import text
    from rnn_zoo.lm.conditioned import ClassConditionedLM
    from rnn_zoo.lm.rnn import RNNLanguageModel
    from rnn_zoo.lm.window import WindowLanguageModel
    from rnn_zoo.tasks.sentiment import SentimentClassifier
    from rnn_zoo.tasks.seq2seq import EncoderDecoder
    from rnn_zoo.tasks.tagging import Tagger

    keras.utils.set_random_seed(0)
    words = text.word_vocabulary([["the", "cat", "sat"], ["a", "dog", "ran"]])
    sentences = [["the", "dog", "sat"], ["a", "cat"]]
    names = ["anna", "bob", "eve"]
    models = {
        "rnn": (RNNLanguageModel(words, cell="lstm", units=4, layers=2, dropout=0.1),
                lambda m: m.token_log_probs(sentences)),
        "window": (WindowLanguageModel(words, window=2, embedding_dim=3, hidden_units=4),
                   lambda m: m.token_log_probs(sentences)),
        "sentiment": (SentimentClassifier("gru", units=3, embedding_dim=3, bidirectional=True)
                      .adapt(["a good film", "a bad film"], [1, 0]),
                      lambda m: m.predict(["a good one", "bad"])),
        "tagger": (Tagger("simplified_gru", units=3, embedding_dim=3).adapt(sentences),
                   lambda m: np.concatenate(m.predict(sentences))),
        "conditioned": (ClassConditionedLM(text.char_vocabulary("".join(names)), ["f", "m"],
                                           units=4),
                        lambda m: m.log_probs(["f", "m"], [list("anna"), list("bob")])),
        "seq2seq": (EncoderDecoder("0123456789/", "0123456789-", units=4, embedding_dim=3),
                    lambda m: m.greedy(["12/03", "01/01"], max_length=6)),
    }
    for name, (model, answer) in models.items():
        model.save(tmp_path / name)
        loaded = type(model).load(tmp_path / name)
        assert loaded.get_config() == model.get_config(), name
        expected, received = answer(model), answer(loaded)
        if isinstance(expected, list) and expected and isinstance(expected[0], str):
            assert received == expected, name
        else:
            pairs = zip(expected, received) if isinstance(expected, list) else [(expected,
                                                                                   received)]
            for e, r in pairs:
                np.testing.assert_array_equal(np.asarray(r), np.asarray(e), err_msg=name)
    with pytest.raises(ValueError, match="holds a SentimentClassifier checkpoint, not a Tagger"):
        Tagger.load(tmp_path / "sentiment")


def test_a_resumed_sentiment_classifier_equals_the_uninterrupted_one(tmp_path):
    """Dropout, per-epoch shuffles, Adam and early stopping, through SentimentClassifier.fit."""
    from rnn_zoo.tasks.sentiment import SentimentClassifier

    texts = [f"{word} film {i}" for i, word in enumerate(["good", "bad", "great", "awful"] * 8)]
    labels = [1, 0, 1, 0] * 8
    settings = dict(cell="lstm", units=3, embedding_dim=3, dropout=0.2, seed=4)
    fit = dict(validation_data=(texts[:8], labels[:8]), batch_size=8, patience=3, verbose=0)
    reference = SentimentClassifier(**settings)
    reference.fit(texts, labels, epochs=4, checkpoints=tmp_path / "reference", **fit)
    part = SentimentClassifier(**settings)
    part.fit(texts, labels, epochs=2, checkpoints=tmp_path / "part", **fit)
    resumed = SentimentClassifier(**settings)
    resumed.fit(texts, labels, epochs=4, checkpoints=tmp_path / "part", resume=True, **fit)
    for a, b in zip(resumed.network.get_weights(), reference.network.get_weights()):
        np.testing.assert_array_equal(a, b)
    with np.load(CheckpointDirectory(tmp_path / "part").select("latest").arrays) as a, \
            np.load(CheckpointDirectory(tmp_path / "reference").select("latest").arrays) as b:
        assert a.files == b.files
        for name in a.files:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_a_callers_callbacks_see_the_run_as_one_fit():
    """Keras's EarlyStopping keeps its patience across the per-epoch fit calls and restores
    the best epoch; on_train_begin/on_train_end run once; a callback that stops training
    stops the run."""
    model = Tiny()
    model.network.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    y = np.random.default_rng(1).normal(size=(32, 1)).astype("float32")   # noise: loss rises

    def data(epoch):
        import tensorflow as tf

        return tf.data.Dataset.from_tensor_slices((x, y)).batch(8)

    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)
    seen, weights = [], []

    def epoch_end(epoch, logs):
        seen.append(epoch)
        weights.append(model.network.get_weights())

    log = keras.callbacks.LambdaCallback(on_train_begin=lambda logs: seen.append("begin"),
                                         on_train_end=lambda logs: seen.append("end"),
                                         on_epoch_end=epoch_end)
    history = training.fit(model, model.network, data, 50, callbacks=[stop, log], verbose=0)
    epochs = len(history.history["loss"])
    assert epochs < 50 and stop.stopped_epoch == epochs - 1
    assert seen == ["begin", *range(epochs), "end"]
    best = int(np.argmin(history.history["loss"]))
    assert best < epochs - 1              # the weights went back to that epoch's
    for restored, kept in zip(model.network.get_weights(), weights[best]):
        np.testing.assert_array_equal(restored, kept)
