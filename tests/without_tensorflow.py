"""A pytest plugin (``-p without_tensorflow``) that makes TensorFlow look uninstalled, as in an
environment made with only ``rnn_zoo[jax]`` or ``rnn_zoo[torch]``: ``import tensorflow`` raises
``ModuleNotFoundError`` and ``importlib.util.find_spec("tensorflow")`` is None, because the
path finder no longer sees it. The other backends' test runs load it before Keras."""

import importlib.machinery
import sys

HIDDEN = {"tensorflow", "tensorflow_cpu", "tf_keras", "tensorboard"}


class _PathFinderWithoutTensorFlow(importlib.machinery.PathFinder):
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname.split(".")[0] in HIDDEN:
            return None
        return super().find_spec(fullname, path, target)


assert not any(name.split(".")[0] in HIDDEN for name in sys.modules), "TensorFlow is already imported"
sys.meta_path[:] = [_PathFinderWithoutTensorFlow if finder is importlib.machinery.PathFinder else finder
                    for finder in sys.meta_path]
