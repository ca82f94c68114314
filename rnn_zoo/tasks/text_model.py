"""What the many-to-one and many-to-many text models share (:class:`TextModel`): the recurrent
settings and their checks, the network's recurrent part (:func:`rnn_zoo.cells.registry.recurrent_stack`),
training through :func:`rnn_zoo.training.fit.fit` with early stopping on the best epoch, and
saving in :mod:`rnn_zoo.training`'s checkpoint format.

A subclass builds its vocabulary and ``network`` and defines ``vocabulary_state()`` (what a
checkpoint needs beside the constructor arguments) and ``_restore(saved)`` (rebuild from it)."""

import time

import keras

from rnn_zoo import checks
from rnn_zoo.cells.registry import layer_class
from rnn_zoo.proof.convert import builtin_network
from rnn_zoo.training import fit as training, saving

CONFIG_NAMES = ("cell", "units", "embedding_dim", "layers", "bidirectional", "dropout",
                "max_tokens", "learning_rate", "builtin", "seed")


class TextModel(saving.Checkpointable):
    """A text model on one zoo cell: ``cell`` (a name of :data:`rnn_zoo.cells.registry.NAMES`),
    ``units`` per direction, ``layers`` stacked, each ``bidirectional`` or not, ``dropout``,
    a vocabulary of at most ``max_tokens`` (padding and the unknown token included), Adam's
    ``learning_rate``, Keras's own layers when ``builtin``, and a ``seed`` for everything
    random."""

    noun = "model"
    """What error messages call it ("the classifier", "the tagger")."""
    fit_call = "`fit(...)`"

    def __init__(self, cell, units, embedding_dim, layers, bidirectional, dropout, max_tokens,
                 learning_rate, builtin, seed, unk_token):
        self.layer_class = layer_class(cell, builtin)
        self.cell, self.builtin = cell, builtin
        self.units = checks.positive_int("units", units)
        self.embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
        self.layers = checks.positive_int("layers", layers)
        self.bidirectional = checks.boolean("bidirectional", bidirectional)
        self.dropout = checks.rate("dropout", dropout)
        self.max_tokens = checks.positive_int("max_tokens", max_tokens)
        if self.max_tokens < 3:
            raise ValueError(f"`max_tokens` must be at least 3 (padding, {unk_token} and a word); "
                             f"received max_tokens={max_tokens}")
        self.learning_rate = training.learning_rate(learning_rate)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise TypeError(f"`seed` must be a non-negative integer; received seed={seed!r}")
        self.seed = seed
        self.network = None

    config_names = CONFIG_NAMES

    def get_config(self):
        """The constructor's arguments (what a checkpoint records)."""
        return {name: getattr(self, name) for name in self.config_names}

    def builtin_twin(self):
        """The same network with every recurrent layer replaced by ``rnn_zoo.to_keras`` of it
        (:func:`rnn_zoo.proof.convert.builtin_network`); the other layers are shared, not
        copied."""
        self._check_built()
        twin = builtin_network(self.network)
        twin.name = f"{self.network.name}_builtin"
        return twin

    def _check_built(self):
        if self.network is None:
            raise ValueError(f"the {self.noun} has no vocabulary or network yet; call "
                             f"{self.fit_call} first")

    def count_params(self):
        self._check_built()
        return self.network.count_params()

    # ---------------------------------------------------------------------------- training
    def _resume_or_adapt(self, checkpoints, resume, adapt):
        """With ``resume`` (True: the newest checkpoint in ``checkpoints``; or a checkpoint),
        that checkpoint's vocabulary, unless the model holds it already (its weights are
        restored by the training loop); else ``adapt()`` unless already built. Returns
        ``checkpoints`` claimed for this model (or None) and the checkpoint to resume from (or
        False), what :meth:`_train` takes."""
        if checkpoints is not None:
            checkpoints = training.checkpoint_directory(checkpoints, self, resume)
        saved = training.resume_point(checkpoints, self, resume)
        if saved is None:
            if self.network is None:
                adapt()
            return checkpoints, False
        if self.network is None or self.checkpoint_config() != saved.config:
            self._restore(saved.config)
        return checkpoints, saved

    def _train(self, epoch_data, validation, epochs, patience, monitor, verbose, checkpoints,
               resume, loss, metrics=()):
        """Compile a fresh Adam and train with early stopping on ``monitor`` (``patience``),
        ending with the best epoch's weights; sets ``history`` and ``train_seconds``.
        ``checkpoints`` and ``resume`` are what :meth:`_resume_or_adapt` returned."""
        self.network.compile(optimizer=keras.optimizers.Adam(self.learning_rate), loss=loss,
                             metrics=list(metrics), jit_compile=False)
        start = time.perf_counter()
        self.history = training.fit(self, self.network, epoch_data, epochs,
                                    validation_data=validation, checkpoints=checkpoints,
                                    resume=resume, monitor=monitor,
                                    patience=checks.positive_int("patience", patience),
                                    restore_best=True, verbose=verbose)
        self.train_seconds = time.perf_counter() - start
        return self.history

    # ------------------------------------------------------------------------ save and load
    def checkpoint_config(self):
        self._check_built()
        return {"class": type(self).__name__, "config": self.get_config(),
                **self.vocabulary_state()}

    @classmethod
    def from_checkpoint_config(cls, saved):
        model = cls(**saved["config"])
        model._restore(saved)
        return model
