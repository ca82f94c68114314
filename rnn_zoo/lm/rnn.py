r"""RNN language models (slide section 10): Embedding -> zoo recurrent layers -> Dense logits.

The slides' RNN LM reads ``x<t> = y<t-1>`` (teacher forcing) and predicts ``y<t>``::

    e<t> = E[x<t>]                            the embedding of the previous token
    a<t> = cell(e<t>, a<t-1>)                 one or more zoo layers (SimpleRNN, GRU, LSTM)
    ŷ<t> = softmax(W_ya a<t> + b_y)           P(y<t> = w | y<1>, ..., y<t-1>)
    L = (1/N) Σ_t -ln ŷ<t>[y<t>]              per-step cross entropy, averaged over the N targets

**Start input.** A sentence is read after its start input ``x<1> = </s>``: the end token of the
sentence before, as makemore uses ``.`` for both ends. ``x<1>`` is context only, never predicted;
the targets are the sentence's tokens and one ``</s>`` (:mod:`rnn_zoo.lm.interface`'s convention). A
character model (``unk_token=None``) does the same with its end character (``"\n"``: a line).

**Training** is Keras's ``fit`` on the ``(x, y)`` batches of :mod:`rnn_zoo.data.text`: the loss is
``SparseCategoricalCrossentropy(from_logits=True, ignore_class=PAD)``, the mean over every
target that is not padding (so ``evaluate`` gives nats per token); Adam with ``clipnorm``
gradient clipping; Keras's progress bar; the loop, checkpoints, resuming and the NaN guard of
:mod:`rnn_zoo.training`. With ``stateful=True`` (batches from
:func:`rnn_zoo.data.text.stateful_windows`) each row's state is carried from one batch to the next
and reset at every epoch: truncated backpropagation through time over long text.

**Scoring and generation.** :meth:`RNNLanguageModel.token_log_probs` runs each sentence once
through the network; :meth:`~RNNLanguageModel.start`, :meth:`~RNNLanguageModel.advance` and
:meth:`~RNNLanguageModel.state_log_probs` carry the recurrent state ``a<t>`` (and ``c<t>``) from
token to token with a one-step compiled function (:func:`rnn_zoo.backends.function`) over the
zoo cells: O(1) per token.
"""

import math
import re
from typing import NamedTuple

import keras
import numpy as np
from keras import ops

from rnn_zoo import backends, checks
from rnn_zoo.cells.registry import NAMES as CELL_NAMES, recurrent_stack
from rnn_zoo.checks import check_sentences, check_tokens
from rnn_zoo.lm.interface import LanguageModel, logsumexp, perplexity_of
from rnn_zoo.data import text
from rnn_zoo.data.text import PAD
from rnn_zoo.training import fit as training, saving


class KerasLanguageModel(LanguageModel, saving.Checkpointable):
    """What the Keras language models share: the vocabulary, training through
    :func:`rnn_zoo.training.fit.fit`, and saving in :mod:`rnn_zoo.training`'s checkpoint format.

    ``vocabulary`` is a list of distinct string tokens or a ``keras.layers.StringLookup`` from
    :mod:`rnn_zoo.data.text` (its ``get_vocabulary()``); it must hold ``eos_token``, and
    ``unk_token`` unless that is ``None`` (a character model). Subclasses build ``self.network``,
    a Keras model from token ids to logits over the vocabulary, and define :meth:`get_config`.
    """

    def __init__(self, vocabulary, unk_token="<UNK>", eos_token="</s>"):
        if hasattr(vocabulary, "get_vocabulary"):
            vocabulary = vocabulary.get_vocabulary()
        if isinstance(vocabulary, str) or not hasattr(vocabulary, "__iter__"):
            raise TypeError(f"`vocabulary` must be a list of string tokens or a StringLookup; "
                            f"received vocabulary={vocabulary!r:.80}")
        vocabulary = [str(token) for token in vocabulary]
        if len(set(vocabulary)) != len(vocabulary):
            raise ValueError("`vocabulary` must hold distinct tokens; received duplicates")
        if eos_token not in vocabulary:
            raise ValueError(f"`eos_token` must be in the vocabulary; received "
                             f"eos_token={eos_token!r}")
        if unk_token is not None and unk_token not in vocabulary:
            raise ValueError(f"`unk_token` must be in the vocabulary or None; received "
                             f"unk_token={unk_token!r}")
        self._vocabulary, self.unk_token, self.eos_token = vocabulary, unk_token, eos_token
        self.eos_id = self.token_index[eos_token]

    @property
    def vocabulary(self):
        return self._vocabulary

    def get_config(self):
        """The constructor's arguments, as JSON-serializable values."""
        return {"vocabulary": self._vocabulary, "unk_token": self.unk_token,
                "eos_token": self.eos_token}

    def ids(self, tokens):
        """The vocabulary positions of ``tokens`` (``unk_token``'s for unknown ones), as int32."""
        return np.array([self.index(token) for token in tokens], np.int32)

    def train_network(self, network, data, epochs, learning_rate=1e-3, clipnorm=5.0,
                      optimizer=None, checkpoints=None, resume=False, run=None, model=None,
                      **fit_kwargs):
        """Compile ``network`` with ``optimizer`` (default: a fresh Adam with ``learning_rate``
        and ``clipnorm`` clipping) and the masked per-step cross entropy, then train it with
        :func:`rnn_zoo.training.fit.fit` (``checkpoints``: a directory to checkpoint into
        after every epoch, of ``model``, default this one; ``resume``: continue its newest
        checkpoint); returns the History."""
        model = self if model is None else model
        if optimizer is None:
            if clipnorm is not None and (isinstance(clipnorm, bool) or not isinstance(
                    clipnorm, (int, float)) or not 0 < clipnorm < math.inf):
                raise ValueError(f"`clipnorm` must be a finite number > 0 or None; received "
                                 f"clipnorm={clipnorm!r}")
            optimizer = keras.optimizers.Adam(training.learning_rate(learning_rate),
                                              clipnorm=clipnorm)
        elif not isinstance(optimizer, keras.optimizers.Optimizer):
            raise TypeError(f"`optimizer` must be a keras.optimizers.Optimizer or None; "
                            f"received {optimizer!r:.80}")
        if checkpoints is not None:
            checkpoints = training.checkpoint_directory(checkpoints, model, resume)
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=PAD)
        network.compile(optimizer=optimizer, loss=loss)
        try:
            return training.fit(model, network, data, epochs, checkpoints=checkpoints,
                                resume=resume, run=run, **fit_kwargs)
        except Exception as error:  # TensorFlow's InvalidArgumentError names the bad id
            if "is not in [0," not in str(error):
                raise
            found = re.search(r"indices\[[0-9,]+\] = -?[0-9]+ is not in \[0, [0-9]+\)", str(error))
            raise ValueError(f"`data` holds token ids outside the vocabulary (0 to "
                             f"{len(self.vocabulary) - 1}): {found[0] if found else error}; "
                             "encode the text with this model's vocabulary") from None


class RNNState(NamedTuple):
    """What :meth:`RNNLanguageModel.advance` carries: every layer's recurrent state after the
    tokens read so far, and ``ln P(next token | them)``."""

    states: list
    log_probs: np.ndarray


class RNNLanguageModel(KerasLanguageModel):
    """An RNN language model: ``Embedding(V, embedding_dim)`` -> ``layers`` zoo recurrent layers
    of ``units`` units (``cell``: ``"simple_rnn"``, ``"gru"`` or ``"lstm"``) -> ``Dense(V)``
    logits, with ``keras.layers.Dropout(dropout)`` on the embeddings and on every recurrent
    layer's output (between layers, not on the recurrent connections, as Zaremba et al. 2014).

    ``embedding_dim`` defaults to ``units``. See :class:`KerasLanguageModel` for
    ``vocabulary``, ``unk_token`` and ``eos_token``; for a character model pass
    ``unk_token=None`` and the end character as ``eos_token`` (e.g. ``"\n"``).
    ``batch_size`` is how many sentences :meth:`token_log_probs` runs at once.
    """

    def __init__(self, vocabulary, cell="lstm", units=128, layers=1, embedding_dim=None,
                 dropout=0.0, unk_token="<UNK>", eos_token="</s>", batch_size=64):
        super().__init__(vocabulary, unk_token=unk_token, eos_token=eos_token)
        self.cell = checks.choice("cell", cell, CELL_NAMES)
        self.units = checks.positive_int("units", units)
        self.layers = checks.positive_int("layers", layers)
        self.embedding_dim = checks.positive_int(
            "embedding_dim", units if embedding_dim is None else embedding_dim)
        self.dropout = checks.rate("dropout", dropout)
        self.batch_size = checks.positive_int("batch_size", batch_size)
        self.network = self._network()
        self._embedding = self.network.get_layer("embedding")
        self._cells = [self.network.get_layer(f"rnn_{i}").cell for i in range(self.layers)]
        self._logits = self.network.get_layer("logits")
        self._score = backends.function(self._score_batch, self.network.weights)
        self._step = backends.function(self.step, self.network.weights)

    def get_config(self):
        return {**super().get_config(), "cell": self.cell, "units": self.units,
                "layers": self.layers, "embedding_dim": self.embedding_dim,
                "dropout": self.dropout, "batch_size": self.batch_size}

    def _network(self, batch_size=None, stateful=False):
        """The Keras model ``(batch, time)`` ids -> ``(batch, time, V)`` logits; every layer is
        named, so the stateless and the stateful network share one weight layout."""
        ids = keras.Input(shape=(None,), batch_size=batch_size, dtype="int32", name="ids")
        x = recurrent_stack(ids, vocabulary_size=len(self.vocabulary),
                            embedding_dim=self.embedding_dim, cell=self.cell, units=self.units,
                            layers=self.layers, dropout_layers=self.dropout, mask_zero=False,
                            stateful=stateful, prefix="rnn")
        if self.dropout:
            x = keras.layers.Dropout(self.dropout, name=f"dropout_{self.layers}")(x)
        logits = keras.layers.Dense(len(self.vocabulary), name="logits")(x)
        return keras.Model(ids, logits, name=f"{self.cell}_language_model")

    # ----------------------------------------------------------------------------- training
    def fit(self, data, epochs=1, validation_data=None, learning_rate=1e-3, clipnorm=5.0,
            stateful=False, callbacks=(), optimizer=None, verbose="auto", checkpoints=None,
            resume=False, run=None):
        """Train on ``data``, a ``tf.data.Dataset`` of ``(x, y)`` id batches (or a function
        ``epoch -> dataset``: what makes a resumed run equal the uninterrupted one) from
        :mod:`rnn_zoo.data.text` (:func:`~rnn_zoo.data.text.sentence_batches`,
        :func:`~rnn_zoo.data.text.windows`; :func:`~rnn_zoo.data.text.stateful_windows` with
        ``stateful=True``), with Keras's ``fit``. Each call compiles a fresh Adam optimizer
        (``learning_rate``, ``clipnorm``), or the given Keras ``optimizer`` instead (e.g.
        Zaremba et al.'s SGD with ``global_clipnorm``; a learning-rate schedule goes in
        ``callbacks`` as ``keras.callbacks.LearningRateScheduler``).

        ``stateful=True`` trains a copy of the network whose layers keep their state between
        batches (reset at the start of every epoch and of every validation run, whose batches
        must have the same size), then copies its weights back.

        ``checkpoints`` (a directory: new, empty, or with ``resume`` holding this model's
        checkpoints) gets a checkpoint after every epoch; ``epochs`` counts from the start of the
        run, so a resumed run trains only the epochs that remain. ``run`` (a JSON object) is kept
        in every checkpoint. A NaN or infinite loss raises
        :class:`rnn_zoo.training.fit.TrainingDiverged`. Returns the Keras ``History``.
        """
        checks.boolean("stateful", stateful)
        network = self.network
        if stateful:
            spec = (data(0) if callable(data) else data).element_spec
            batch_size = spec[0].shape[0]
            if batch_size is None:
                raise ValueError("stateful training needs batches of one fixed size, such as "
                                 "rnn_zoo.data.text.stateful_windows gives; received batches of "
                                 f"shape {spec[0].shape}")
            network = self._network(batch_size, stateful=True)
            network.set_weights(self.network.get_weights())
            callbacks = [*callbacks, _ResetStates()]
        history = self.train_network(network, data, epochs, learning_rate, clipnorm, optimizer,
                                     checkpoints, resume, run, validation_data=validation_data,
                                     callbacks=callbacks, verbose=verbose)
        if stateful:
            self.network.set_weights(network.get_weights())
        return history

    # --------------------------------------------------------------------------------- data
    @classmethod
    def for_corpus(cls, corpus, level, max_vocab=None, **kwargs):
        """A model (``kwargs``: the constructor's other arguments) whose vocabulary fits
        ``corpus``, the splits of :func:`rnn_zoo.lm.corpus.load`: for ``level="char"`` every
        character of every split (no ``<UNK>``; the newline ends a line), for ``"word"`` the
        training split's most frequent words (at most ``max_vocab`` with ``<UNK>`` and
        ``</s>``)."""
        if checks.choice("level", level, ("char", "word")) == "char":
            chars = "".join("".join(s) for part in corpus.values() for s in part)
            return cls(text.char_vocabulary(chars or "\n"), unk_token=None, eos_token="\n",
                       **kwargs)
        if max_vocab is not None and checks.positive_int("max_vocab", max_vocab) < 3:
            raise ValueError(f"`max_vocab` must be at least 3 (<UNK>, </s> and one word); "
                             f"received max_vocab={max_vocab}")
        if not corpus["train"]:
            raise ValueError("the train split holds no words")
        return cls(text.word_vocabulary(corpus["train"], max_tokens=max_vocab), **kwargs)

    def check_known(self, sentences, what="`sentences`"):
        """A character model has no ``<UNK>``: ``ValueError`` (saying ``what`` they are) if
        ``sentences`` hold a character outside the vocabulary."""
        if self.unk_token is not None:
            return
        unknown = sorted({token for sentence in sentences for token in sentence}
                         - set(self.token_index))
        if unknown:
            raise ValueError(f"{what} holds characters outside the model's vocabulary: "
                             f"{unknown!r:.200}")

    def windows(self, sentences, seq_length, batch_size, shuffle=True, seed=None,
                multiple_of=1, reshuffle_each_iteration=True):
        """Batches of ``seq_length``-token windows (:func:`rnn_zoo.data.text.windows`) over
        ``sentences`` laid end to end, each followed by the end token. Too few windows for
        ``batch_size`` give smaller batches, a multiple of ``multiple_of`` (a
        ``MirroredStrategy`` splits each batch evenly over its replicas)."""
        sentences = check_sentences("sentences", sentences) if sentences else []
        ids = np.concatenate([self.ids([*s, self.eos_token]) for s in sentences]
                             or [np.zeros(0, np.int32)])
        seq_length = checks.positive_int("seq_length", seq_length)
        count = (len(ids) - 1) // (seq_length + 1) if len(ids) else 0
        batch = min(checks.positive_int("batch_size", batch_size), count)
        batch = batch // multiple_of * multiple_of
        if batch == 0:
            raise ValueError(f"`sentences` hold {len(ids)} tokens, too few for "
                             f"{max(multiple_of, 1)} window(s) of seq_length={seq_length} (+1)")
        return text.windows(ids, seq_length, batch, shuffle=shuffle, seed=seed,
                            reshuffle_each_iteration=reshuffle_each_iteration)

    # ------------------------------------------------------------------------------ scoring
    def _score_batch(self, x, y):
        """``ln ŷ<t>[y<t>]`` for every position of the batch ``x`` (``y`` padded with any id)."""
        log_probs = ops.log_softmax(self.network(x, training=False), axis=-1)
        return ops.take_along_axis(log_probs, ops.expand_dims(y, -1), axis=-1)[..., 0]

    def next_log_probs(self, context=()):
        ids = np.concatenate([[self.eos_id], self.ids(check_tokens("context", context))])
        logits = self.network(ids[None], training=False)[0, -1]
        return ops.convert_to_numpy(ops.log_softmax(logits)).astype(np.float64)

    def token_log_probs(self, sentences):
        """Each sentence run once through the network (``batch_size`` sentences at a time)."""
        targets = [self.ids(self.targets(s)) for s in check_sentences("sentences", sentences)]
        scores = []
        for first in range(0, len(targets), self.batch_size):
            batch = targets[first:first + self.batch_size]
            x = keras.utils.pad_sequences([np.r_[self.eos_id, y[:-1]] for y in batch],
                                          padding="post", value=self.eos_id)
            y = keras.utils.pad_sequences(batch, padding="post", value=0)
            log_probs = ops.convert_to_numpy(self._score(x, y))
            scores += [log_probs[i, :len(row)] for i, row in enumerate(batch)]
        return np.concatenate(scores).astype(np.float64)

    def stream_token_log_probs(self, sentences, seq_length=1000):
        """``ln P(y<t> | everything before it)`` for every target of ``sentences`` read as one
        stream, the recurrent state carried across sentence boundaries: the protocol of
        Mikolov et al. and Zaremba et al. on the Penn Treebank (every token and every ``</s>``
        predicted; only the first sentence starts from the zero state), and of a character
        model over a long text cut into lines. :meth:`token_log_probs` instead starts every
        sentence afresh.

        Runs a stateful copy of the network with batch size 1 over ``seq_length`` tokens at a
        time; the result does not depend on ``seq_length`` (a longer one makes fewer calls).
        """
        targets = np.concatenate(
            [self.ids(self.targets(s)) for s in check_sentences("sentences", sentences)]
            or [np.zeros(0, np.int32)])
        seq_length = checks.positive_int("seq_length", seq_length)
        inputs = np.r_[self.eos_id, targets[:-1]].astype(np.int32)
        network = self._network(1, stateful=True)
        network.set_weights(self.network.get_weights())
        predict, scores = backends.stateful_predict(network), []
        for first in range(0, len(targets), seq_length):
            chunk = slice(first, first + seq_length)
            logits = predict(inputs[None, chunk])[0].astype(np.float64)
            log_probs = logits - logsumexp(logits, axis=-1)[:, None]
            scores.append(log_probs[np.arange(len(logits)), targets[chunk]])
        return np.concatenate(scores or [np.zeros(0)])

    def stream_perplexity(self, sentences, seq_length=1000):
        """Perplexity of :meth:`stream_token_log_probs` (``sentences`` as one stream)."""
        return perplexity_of(self.stream_token_log_probs(sentences, seq_length))

    # ------------------------------------------------------------------ one token at a time
    def step(self, token_id, states):
        """One step of the network: ``x<t>`` (a batch of one token id) -> ``ln ŷ<t>``, new states (the
        function ``advance`` compiles and the sampler's one-graph loop runs)."""
        x = self._embedding(token_id)
        new_states = []
        for cell, state in zip(self._cells, states):
            x, state = cell(x, state, training=False)
            new_states.append(state)
        return ops.log_softmax(self._logits(x)[0]), new_states

    def _read(self, token_id, states):
        log_probs, states = self._step(ops.convert_to_tensor([token_id], "int32"), states)
        return RNNState(states, ops.convert_to_numpy(log_probs).astype(np.float64))

    def start(self, prompt=(), initial_states=None):
        """The state after the start input ``</s>`` and the ``prompt`` tokens, read from
        ``initial_states`` -- one list per layer of its ``(1, units)`` state tensors, ``[a<0>]``
        (``[a<0>, c<0>]`` for an LSTM) -- or, by default, from zeros. (:mod:`rnn_zoo.lm.conditioned`
        starts the decoder from the state that a class or an encoder sets.)"""
        prompt = check_tokens("prompt", prompt)
        if initial_states is None:
            initial_states = [[ops.convert_to_tensor(s) for s in cell.get_initial_state(1)]
                              for cell in self._cells]
        state = self._read(self.eos_id, initial_states)
        for token in prompt:
            state = self.advance(state, token)
        return state

    def advance(self, state, token):
        return self._read(self.index(token), state.states)

    def state_log_probs(self, state):
        return state.log_probs

    def __repr__(self):
        return (f"RNNLanguageModel(cell={self.cell!r}, units={self.units}, layers={self.layers}, "
                f"embedding_dim={self.embedding_dim}, V={len(self.vocabulary)})")


class _ResetStates(keras.callbacks.Callback):
    """Zero the stateful layers' states at the start of every epoch and validation run."""

    def _reset(self):
        for layer in self.model.layers:
            if getattr(layer, "stateful", False):
                layer.reset_state()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset()

    def on_test_begin(self, logs=None):
        self._reset()
