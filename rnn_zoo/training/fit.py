"""The one training loop of the zoo's models: Keras's ``fit``, one call per epoch, with a checkpoint
after every epoch (:mod:`rnn_zoo.training.checkpoints`) and everything a resumed run needs to
end with the weights of the run that was never interrupted:

* the data of epoch ``e`` comes from ``data(e)``, so its order depends on the epoch alone;
* the network's weights, the optimizer's variables and every seed generator's state are saved
  and restored (:mod:`rnn_zoo.training.arrays`), and so is the loop's own state (early
  stopping's best value and patience count, the history).

A NaN or infinite loss, or one a thousand times the run's first, stops training at once: the weights go back to the start of that epoch,
no checkpoint is written, and :class:`TrainingDiverged` says which checkpoint is kept. Ctrl-C
raises :class:`TrainingInterrupted` (a ``KeyboardInterrupt``) once the checkpoints are safe.
"""

import math

import keras
import numpy as np

from rnn_zoo import checks
from rnn_zoo.training import arrays
from rnn_zoo.training.checkpoints import Checkpoint, CheckpointDirectory, best_of
from rnn_zoo.training.errors import TrainingDiverged, TrainingInterrupted


DIVERGENCE = 1e3
"""A loss this many times the run's first one (or than 1, if that is larger) counts as
diverged, however finite."""


class _DivergenceGuard(keras.callbacks.Callback):
    """Stops ``fit`` at the first batch whose loss is NaN or infinite (as Keras's
    ``TerminateOnNaN``, but remembering where), or above :data:`DIVERGENCE` times the run's
    first batch loss ``loop["first_loss"]`` (recorded here, kept in the checkpoints) or 1."""

    def __init__(self, loop):
        super().__init__()
        self.loop, self.where = loop, None

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss, first = float(loss), self.loop.get("first_loss")
        if first is None and math.isfinite(loss):
            self.loop["first_loss"] = first = loss
        if not math.isfinite(loss):
            self.where = f"batch {batch + 1}: loss {loss}"
        elif loss > DIVERGENCE * max(first, 1.0):
            self.where = (f"batch {batch + 1}: loss {loss:.4g}, over {DIVERGENCE:g} times the "
                          f"run's first, {first:.4g}")
        if self.where:
            self.model.stop_training = True


class _Progress(keras.callbacks.ProgbarLogger):
    """Keras's progress bar, counting the run's epochs ("Epoch 3/6"), not one ``fit`` call's."""

    def __init__(self, epochs):
        super().__init__()
        self.total = epochs

    def set_params(self, params):
        super().set_params({**params, "epochs": self.total})


class _OncePerRun(keras.callbacks.Callback):
    """A caller's callback seeing the run's per-epoch ``fit`` calls as one ``fit``: its
    ``on_train_begin`` runs before the first epoch and ``on_train_end`` (:meth:`end`) after the
    last, so that ``EarlyStopping``, ``ReduceLROnPlateau`` or a timer keep their state across
    epochs; ``params["epochs"]`` is the run's. Every other hook is passed on as it comes."""

    def __init__(self, callback, epochs):
        super().__init__()
        self.callback, self.epochs, self.began = callback, epochs, False

    def set_model(self, model):
        super().set_model(model)
        self.callback.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        self.callback.set_params({**params, "epochs": self.epochs})

    def on_train_begin(self, logs=None):
        if not self.began:
            self.began = True
            self.callback.on_train_begin(logs)

    def on_train_end(self, logs=None):
        """Not at the end of each epoch's ``fit``: :meth:`end` runs it once."""

    def end(self, logs=None):
        if self.began:
            self.callback.on_train_end(logs)


def _pass_on(hook):
    return lambda self, *args, **kwargs: getattr(self.callback, hook)(*args, **kwargs)


for _hook in [name for name in vars(keras.callbacks.Callback)
              if name.startswith("on_") and name not in ("on_train_begin", "on_train_end")]:
    setattr(_OncePerRun, _hook, _pass_on(_hook))


def learning_rate(value, name="learning_rate"):
    """A learning rate: a finite number > 0 (as the CLI checks it), or a Keras schedule."""
    if isinstance(value, keras.optimizers.schedules.LearningRateSchedule):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"`{name}` must be a finite number > 0 or a "
                        f"keras.optimizers.schedules.LearningRateSchedule; received {name}={value!r}")
    if not 0 < value < math.inf:
        raise ValueError(f"`{name}` must be a finite number > 0; received {name}={value!r}")
    return float(value)


def data_seed(seed, epoch):
    """The shuffle seed of epoch ``epoch`` of a run seeded ``seed``."""
    return int(np.random.SeedSequence([seed, epoch]).generate_state(1)[0] >> 1)


def fit(model, network, data, epochs, *, validation_data=None, checkpoints=None, resume=False,
        monitor="val_loss", patience=None, restore_best=False, callbacks=(), verbose="auto",
        run=None):
    """Train ``network`` (compiled, with its optimizer) for ``model`` (a zoo model whose
    ``checkpoint_config()`` describes it) up to epoch ``epochs``.

    ``data`` is a dataset or a function ``epoch -> dataset`` (what makes a resumed run equal
    the uninterrupted one). ``checkpoints`` is a claimed
    :class:`~rnn_zoo.training.checkpoints.CheckpointDirectory` (or None): a checkpoint after
    every epoch, and with ``resume`` training continues from its newest (or from ``resume``
    itself, a :class:`~rnn_zoo.training.checkpoints.Checkpoint` the caller has chosen already:
    it is not looked up, nor warned about, twice). ``monitor`` (a
    ``fit`` log, lower is better; ``"val_accuracy"`` and ``"accuracy"`` higher) decides the best
    epoch; ``patience`` stops after that many epochs without improvement; ``restore_best``
    ends with the best epoch's weights (written as the final checkpoint). ``run`` is saved in
    every checkpoint's state (the settings a CLI needs to resume). Returns a
    ``keras.callbacks.History`` of every epoch, the resumed ones included.
    """
    epochs = checks.positive_int("epochs", epochs)
    if patience is not None:
        patience = checks.positive_int("patience", patience)
    higher_is_better = monitor.endswith("accuracy")
    loop = {"epoch": 0, "best": None, "best_epoch": None, "wait": 0, "history": {},
            "stopped": False}
    latest = resume_point(checkpoints, model, resume)
    if latest is not None:
        arrays.load(latest.arrays, network, network.optimizer, where=str(latest.path))
        loop = latest.state["loop"]
    best_weights = None
    if latest is not None and restore_best and loop["best"] is not None:
        best_weights = arrays.weights(best_of(checkpoints.checkpoints()[0]).arrays)
    guard = _DivergenceGuard(loop)
    progress = [] if verbose == 0 else [_Progress(epochs)]
    callbacks = [_OncePerRun(callback, epochs) for callback in callbacks]
    history = keras.callbacks.History()
    last = None
    try:
        while loop["epoch"] < epochs and not loop["stopped"]:
            epoch = loop["epoch"]
            start_weights = network.get_weights()
            train = data(epoch) if callable(data) else data
            logs = network.fit(train, validation_data=validation_data, initial_epoch=epoch,
                               epochs=epoch + 1, callbacks=[guard, *progress, *callbacks],
                               shuffle=False,
                               verbose=verbose).history
            logs = {name: float(values[-1]) for name, values in logs.items() if values}
            bad = guard.where or next((f"{name} {value}" for name, value in logs.items()
                                       if not math.isfinite(value)), None)
            if bad:
                network.set_weights(start_weights)
                kept = (f"the checkpoint of epoch {epoch} in {checkpoints.path} is kept"
                        if checkpoints is not None and epoch else
                        f"the weights are those from before epoch {epoch + 1}")
                raise TrainingDiverged(
                    f"training diverged in epoch {epoch + 1} ({bad}); {kept}. Lower the "
                    "learning rate or clip the gradients harder.")
            for name, value in logs.items():
                loop["history"].setdefault(name, []).append(value)
            value = logs.get(monitor, logs.get(monitor.removeprefix("val_")))
            score = -value if higher_is_better else value
            loop["epoch"] = epoch + 1
            if loop["best"] is None or score < loop["best"]:
                loop["best"], loop["best_epoch"], loop["wait"] = score, epoch + 1, 0
                if restore_best:
                    best_weights = network.get_weights()
            else:
                loop["wait"] += 1
                loop["stopped"] = patience is not None and loop["wait"] >= patience
            loop["stopped"] = loop["stopped"] or network.stop_training    # by a callback
            if checkpoints is not None:
                last = _save(checkpoints, model, network, loop, score, run)
    except KeyboardInterrupt as interrupt:
        if checkpoints is None:
            raise
        good, _ = checkpoints.checkpoints()
        where = (f"the checkpoint of epoch {good[0].state['epoch']} in {checkpoints.path} is "
                 "kept" if good else f"no epoch had finished; {checkpoints.path} holds no "
                 "checkpoint yet")
        raise TrainingInterrupted(f"interrupted: {where}; resume with --resume") from interrupt
    for callback in callbacks:
        callback.end({name: values[-1] for name, values in loop["history"].items()})
    if restore_best and best_weights is not None and loop["best_epoch"] != loop["epoch"]:
        network.set_weights(best_weights)
        if checkpoints is not None and last is not None:
            _save(checkpoints, model, network, {**loop, "restored_best": True}, loop["best"], run)
    for name, values in loop["history"].items():
        history.history[name] = list(values)
    history.epoch = list(range(len(next(iter(loop["history"].values()), []))))
    return history


def _save(checkpoints, model, network, loop, score, run):
    state = {"epoch": loop["epoch"], "batches_in_epoch": 0, "monitor_value": score,
             "loop": loop, "run": run}
    return checkpoints.write(model.checkpoint_config(), state,
                             lambda path: arrays.save(path, network, network.optimizer))


def resume_point(checkpoints, model, resume):
    """The checkpoint a run continues from: ``resume`` itself when it is a
    :class:`~rnn_zoo.training.checkpoints.Checkpoint`, the newest good one of ``checkpoints``
    when it is True, None when it is False."""
    if isinstance(resume, Checkpoint):
        return resume
    if not checks.boolean("resume", resume):
        return None
    if checkpoints is None:
        raise ValueError("`resume=True` needs `checkpoints`, the directory to continue")
    return checkpoints.select("latest", kind=type(model).__name__)


def checkpoint_directory(directory, model, resume=False):
    """``directory`` (a path or a :class:`CheckpointDirectory`) claimed for ``model``: a new or
    empty folder, or with ``resume`` (True or a checkpoint) one holding its checkpoints."""
    if isinstance(directory, CheckpointDirectory):
        return directory
    checkpoints = CheckpointDirectory(directory)
    checkpoints.claim(type(model).__name__,
                      resume=isinstance(resume, Checkpoint) or checks.boolean("resume", resume))
    return checkpoints
