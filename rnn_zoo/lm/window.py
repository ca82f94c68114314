r"""The fixed-window neural language model of slide section 10.

The slides' model predicts a word from the ``n`` words before it (their example: 4)::

    e = [e<t-n>, ..., e<t-1>]        the previous n tokens' embeddings, concatenated
    h = tanh(W e + b_1)              one hidden layer
    ŷ = softmax(U h + b_2)           P(y<t> = w | y<t-n>, ..., y<t-1>)

Unlike the n-gram model it has no sparsity problem (similar words get similar embeddings) and
its size grows only linearly with ``n``, but it still sees a fixed window. A window that reaches
back before the sentence's start is padded with the end token ``</s>`` (the previous sentence's
end, as the RNN LM's start input in :mod:`rnn_zoo.lm.rnn`): context only, never predicted.
"""

import keras
import numpy as np
from keras import ops

from rnn_zoo import backends, checks
from rnn_zoo.checks import check_sentences, check_tokens
from rnn_zoo.lm.rnn import KerasLanguageModel
from rnn_zoo.training import fit as training


class WindowLanguageModel(KerasLanguageModel):
    """A fixed-window neural LM: ``Embedding(V, embedding_dim)`` of the previous ``window``
    tokens -> concatenated -> ``Dense(hidden_units, tanh)`` (``W``) -> ``Dense(V)`` logits
    (``U``). See :class:`~rnn_zoo.lm.rnn.KerasLanguageModel` for ``vocabulary``, ``unk_token``
    and ``eos_token``, and for :meth:`save` and :meth:`load`."""

    def __init__(self, vocabulary, window=4, embedding_dim=32, hidden_units=64,
                 unk_token="<UNK>", eos_token="</s>"):
        super().__init__(vocabulary, unk_token=unk_token, eos_token=eos_token)
        self.window = checks.positive_int("window", window)
        self.embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
        self.hidden_units = checks.positive_int("hidden_units", hidden_units)
        contexts = keras.Input(shape=(self.window,), dtype="int32", name="contexts")
        e = keras.layers.Embedding(len(self.vocabulary), self.embedding_dim,
                                   name="embedding")(contexts)
        e = keras.layers.Flatten(name="concatenate")(e)
        h = keras.layers.Dense(self.hidden_units, activation="tanh", name="W")(e)
        logits = keras.layers.Dense(len(self.vocabulary), name="U")(h)
        self.network = keras.Model(contexts, logits, name="window_language_model")
        self._log_probs = backends.function(
            lambda x: ops.log_softmax(self.network(x, training=False), axis=-1),
            self.network.weights)

    def get_config(self):
        return {**super().get_config(), "window": self.window,
                "embedding_dim": self.embedding_dim, "hidden_units": self.hidden_units}

    def examples(self, sentences):
        """``(contexts, targets)``: every target of every sentence (:meth:`targets`), one a row,
        with the ids of the ``window`` tokens before it, padded with ``</s>``; int32 arrays of
        shapes ``(N, window)`` and ``(N,)``."""
        contexts, targets = [], []
        for sentence in check_sentences("sentences", sentences):
            ids = np.r_[[self.eos_id] * self.window, self.ids(self.targets(sentence))]
            contexts.append(np.lib.stride_tricks.sliding_window_view(ids[:-1], self.window))
            targets.append(ids[self.window:])
        return np.concatenate(contexts).astype(np.int32), np.concatenate(targets)

    def fit(self, sentences, epochs=1, batch_size=32, validation_sentences=None,
            learning_rate=1e-3, clipnorm=5.0, callbacks=(), verbose="auto", seed=0,
            checkpoints=None, resume=False):
        """Train on ``sentences`` (lists of tokens) through :func:`rnn_zoo.training.fit.fit`:
        every target is one example (:meth:`examples`), shuffled anew each epoch (from ``seed``
        and the epoch), the loss its cross entropy. Each call compiles a fresh Adam optimizer;
        ``checkpoints`` and ``resume`` as for :meth:`RNNLanguageModel.fit`. Returns the Keras
        ``History``."""
        tf = backends.tensorflow("WindowLanguageModel.fit (tf.data pipelines)")
        x, y = self.examples(sentences)
        batch_size = checks.positive_int("batch_size", batch_size)
        validation = None
        if validation_sentences is not None:
            validation = tf.data.Dataset.from_tensor_slices(
                self.examples(validation_sentences)).batch(batch_size)

        def epoch_data(epoch):
            return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(
                len(y), seed=training.data_seed(seed, epoch)).batch(batch_size)

        return self.train_network(self.network, epoch_data, epochs, learning_rate, clipnorm,
                                  checkpoints=checkpoints, resume=resume,
                                  validation_data=validation, callbacks=callbacks,
                                  verbose=verbose)

    def next_log_probs(self, context=()):
        ids = np.r_[[self.eos_id] * self.window, self.ids(check_tokens("context", context))]
        log_probs = self._log_probs(ids[None, -self.window:].astype(np.int32))
        return ops.convert_to_numpy(log_probs)[0].astype(np.float64)

    def token_log_probs(self, sentences, batch_size=1024):
        """Every window scored, ``batch_size`` windows at a time (a batch holds a
        ``(batch_size, V)`` array of log-probabilities)."""
        contexts, targets = self.examples(sentences)
        batch_size = checks.positive_int("batch_size", batch_size)
        scores = [np.zeros(0)]
        for first in range(0, len(targets), batch_size):
            rows = slice(first, first + batch_size)
            log_probs = ops.convert_to_numpy(self._log_probs(contexts[rows]))
            scores.append(np.take_along_axis(log_probs, targets[rows, None], axis=1)[:, 0])
        return np.concatenate(scores).astype(np.float64)

    def __repr__(self):
        return (f"WindowLanguageModel(window={self.window}, embedding_dim={self.embedding_dim}, "
                f"hidden_units={self.hidden_units}, V={len(self.vocabulary)})")
