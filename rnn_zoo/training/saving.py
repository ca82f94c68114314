"""Saving and loading any zoo model through the checkpoint format of
:mod:`rnn_zoo.training.checkpoints`: ``save(model, directory)`` writes a checkpoint (the newest),
``load(directory, cls)`` rebuilds the model from its newest good one.

A model takes part by defining ``checkpoint_config()`` (a JSON object with its ``"class"``
name and whatever its class's ``from_checkpoint_config`` needs: constructor arguments,
vocabulary) and a ``network`` (the Keras model whose weights are saved)."""

import pathlib

from rnn_zoo.training import arrays
from rnn_zoo.training.checkpoints import CheckpointDirectory


def save(model, directory):
    """Write ``model`` as the newest checkpoint of ``directory``: a new or empty folder, or one
    holding checkpoints of the same class (the two newest are kept). Any other folder is
    refused, untouched."""
    checkpoints = CheckpointDirectory(directory)
    kind = type(model).__name__
    marker = checkpoints.marker() if checkpoints.path.is_dir() else None
    checkpoints.claim(kind, resume=marker is not None and marker.get("kind") == kind)
    state = {"epoch": None, "batches_in_epoch": 0, "monitor_value": None, "loop": None,
             "run": None}
    return checkpoints.write(model.checkpoint_config(), state,
                             lambda path: arrays.save(path, model.network))


class Checkpointable:
    """``save``/``load`` for a model whose ``get_config()`` is its constructor's arguments and
    whose ``network`` holds its weights; a class that needs more (a vocabulary built by
    ``adapt``) overrides ``checkpoint_config`` and ``from_checkpoint_config``."""

    def checkpoint_config(self):
        """What a checkpoint records to rebuild the model: its class and constructor arguments."""
        return {"class": type(self).__name__, "config": self.get_config()}

    @classmethod
    def from_checkpoint_config(cls, saved):
        return cls(**saved["config"])

    def save(self, directory):
        """Save the model as a checkpoint in ``directory`` (:mod:`rnn_zoo.training.checkpoints`:
        a new or empty folder, or one holding this class's checkpoints); :meth:`load` reads it."""
        return save(self, directory)

    @classmethod
    def load(cls, directory):
        """The model of the newest good checkpoint in ``directory`` (:meth:`save`, or training
        with ``checkpoints=``, wrote it)."""
        return load(directory, cls)


def load(directory, cls, which="latest"):
    """The ``cls`` model saved in ``directory`` (its newest good checkpoint; ``which="best"``:
    the one with the best monitored metric). ``ValueError`` for a folder that holds no such
    checkpoint, one of another class, or weights that are damaged or not finite."""
    checkpoints = CheckpointDirectory(pathlib.Path(directory))
    checkpoint = checkpoints.select(which, kind=cls.__name__)
    model = cls.from_checkpoint_config(checkpoint.config)
    arrays.load(checkpoint.arrays, model.network, where=str(checkpoint.path))
    model.loaded_from = checkpoint
    return model
