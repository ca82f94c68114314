r"""One-to-many (slide section 9): a sequence generated from a single vector.

A *vector-to-sequence decoder* is the RNN language model of :mod:`rnn_zoo.lm.rnn` whose initial
state is not zero but set by the vector it is conditioned on::

    a<0> = s(condition)                       every layer's state ([a<0>, c<0>] for an LSTM)
    e<t> = E[x<t>],  x<1> = </s>              the RNN LM's start input, then x<t> = y<t-1>
    a<t> = cell(e<t>, a<t-1>)                 the zoo layers of the RNN LM
    ŷ<t> = softmax(W_ya a<t> + b_y)           P(y<t> | condition, y<1>, ..., y<t-1>)

The condition enters only through ``a<0>``: it is not fed again at every step (the decoder
carries it in its state). Training is teacher forcing, as for the RNN LM (``x<t>`` is the
true ``y<t-1>``); generation feeds each chosen token back in.

Two models share this module's :class:`VectorToSequence`:

* :class:`ClassConditionedLM` -- the vector is a class (e.g. female / male first names): one
  learned state vector per class, ``a<0> = S[class]`` (an ``Embedding`` of the class for every
  layer and state, ``a0_<layer>`` and for an LSTM ``c0_<layer>``);
* :class:`rnn_zoo.tasks.seq2seq.EncoderDecoder` -- the vector is an encoder's final state
  (many-to-many with different lengths).

``conditioned_on(condition)`` returns a :class:`ConditionalLM`, the language model
``P(y | condition)``: an ordinary :class:`rnn_zoo.lm.interface.LanguageModel`, so
:func:`rnn_zoo.lm.sampling.generate` and :func:`rnn_zoo.lm.sampling.beam_search` serve it as they
serve every LM. It is a view of the decoder (an :class:`~rnn_zoo.lm.rnn.RNNLanguageModel`):
its ``start`` is the decoder's ``start`` from the condition's ``a<0>``, its ``advance`` the
decoder's, carrying ``a<t>`` (and ``c<t>``) from token to token -- O(1) a token, the prefix is
never re-read. ``generate`` samples it step by step in Python (its one-graph fast path is for
an ``RNNLanguageModel`` itself).
"""

import keras
import numpy as np
from keras import ops

from rnn_zoo import backends, checks
from rnn_zoo.checks import check_sentences, check_tokens
from rnn_zoo.lm.interface import LanguageModel
from rnn_zoo.lm.rnn import RNNLanguageModel
from rnn_zoo.data.text import PAD
from rnn_zoo.training import fit as training, saving


def state_names(cell):
    """The slide names of one layer's states: ``("a", "c")`` for an LSTM, else ``("a",)``."""
    return ("a", "c") if cell == "lstm" else ("a",)


class ConditionalLM(LanguageModel):
    """``P(y | condition)``: the decoder of ``model`` (a :class:`VectorToSequence`) read as a
    language model from the initial state that ``condition`` sets. Made by
    ``model.conditioned_on(condition)``; ``initial_states`` holds one list per decoder layer of
    its ``(1, units)`` state tensors, ``condition_ids`` the condition as the network reads it.

    :meth:`token_log_probs` runs the teacher-forced training network once over each sentence;
    :meth:`next_log_probs` reads the context step by step (:meth:`start`, :meth:`advance`);
    the two agree (``tests/test_conditioned.py``, ``tests/test_seq2seq.py``).
    """

    def __init__(self, model, condition, condition_ids, initial_states):
        self.model, self.condition = model, condition
        self.condition_ids, self.initial_states = condition_ids, initial_states
        self.unk_token, self.eos_token = model.decoder.unk_token, model.decoder.eos_token

    @property
    def vocabulary(self):
        return self.model.decoder.vocabulary

    def start(self, prompt=()):
        """The decoder's state after the start input ``</s>`` and ``prompt``, from ``a<0>``."""
        return self.model.decoder.start(prompt, initial_states=self.initial_states)

    def advance(self, state, token):
        return self.model.decoder.advance(state, token)

    def state_log_probs(self, state):
        return self.model.decoder.state_log_probs(state)

    def next_log_probs(self, context=()):
        """Step by step: ``a<0>``, the start input, then the context one token at a time."""
        return self.state_log_probs(self.start(check_tokens("context", context)))

    def token_log_probs(self, sentences):
        """The teacher-forced network, each sentence run once (``batch_size`` at a time)."""
        sentences = check_sentences("sentences", sentences)
        ids = np.repeat(self.condition_ids[None], len(sentences), axis=0)
        return self.model._token_log_probs(ids, sentences)

    def __repr__(self):
        return f"ConditionalLM({self.model!r}, condition={self.condition!r:.60})"


class VectorToSequence(saving.Checkpointable):
    """What a vector-to-sequence decoder shares (see the module docstring): the decoder, the
    training network, Keras ``fit`` with early stopping, teacher-forced scoring and
    :meth:`conditioned_on`.

    ``decoder`` is an :class:`~rnn_zoo.lm.rnn.RNNLanguageModel` (``vocabulary``, ``cell``,
    ``units``, ``layers``, ``embedding_dim``, ``dropout``, ``unk_token``, ``eos_token``,
    ``batch_size`` are its arguments) whose layers the decoder is; its own ``start()`` reads
    from ``a<0> = 0``. ``state_network`` maps a batch of encoded conditions to ``a<0>``;
    ``network``, ``[conditions, x] -> logits``, is the two joined: the model that :meth:`fit`
    trains. Conditions are strings (class labels, source texts). Subclasses define
    :meth:`_state_network`, :meth:`_check_condition` and :meth:`_encode`.
    """

    conditions_name, outputs_name = "conditions", "outputs"
    """What error messages call the conditions and the outputs (``"labels"``, ``"sources"``,
    ``"sentences"``, ``"targets"``)."""

    def __init__(self, vocabulary, cell, units, layers, embedding_dim, dropout, unk_token,
                 eos_token, batch_size):
        self.decoder = RNNLanguageModel(vocabulary, cell=cell, units=units, layers=layers,
                                        embedding_dim=embedding_dim, dropout=dropout,
                                        unk_token=unk_token, eos_token=eos_token,
                                        batch_size=batch_size)
        self.state_network = self._state_network()
        conditions = self.state_network.inputs[0]
        x = keras.Input(shape=(None,), dtype="int32", name="x")
        logits = self._decode(x, keras.tree.flatten(self.state_network(conditions)))
        self.network = keras.Model([conditions, x], logits, name=checks.snake_case(
            type(self).__name__))
        self._initial_states = backends.function(self.state_network, self.network.weights)
        self._network_log_probs = backends.function(self._log_softmax, self.network.weights)

    # ------------------------------------------------------------------- save and load
    def get_config(self):
        """The constructor's arguments, as JSON-serializable values."""
        raise NotImplementedError

    # ----------------------------------------------------------------- the two networks
    def _state_network(self):
        """A Keras model from a batch of encoded conditions to the decoder's ``a<0>``: for each
        layer its states in :func:`state_names` order, ``(batch, units)`` each."""
        raise NotImplementedError

    def _check_condition(self, condition, name):
        """Raise ``ValueError`` naming ``name`` if the model cannot read ``condition`` (a str)."""
        raise NotImplementedError

    def _encode(self, conditions):
        """Checked ``conditions`` as the array ``state_network`` reads, one row each."""
        raise NotImplementedError

    def _condition_ids(self, conditions, name=None):
        name = name or self.conditions_name
        conditions = checks.texts(name, conditions)
        for i, condition in enumerate(conditions):
            self._check_condition(condition, f"{name}[{i}]")
        return self._encode(conditions)

    def _decode(self, x, states):
        """The decoder's layers (those of ``decoder.network``, shared) run over the symbolic
        ids ``x``, each recurrent layer from its part of the flat list ``states``."""
        per_layer = len(state_names(self.decoder.cell))
        for layer in self.decoder.network.layers[1:]:             # after its input layer
            if isinstance(layer, keras.layers.RNN):
                x, states = layer(x, initial_state=states[:per_layer]), states[per_layer:]
            else:
                x = layer(x)
        return x

    def _states_by_layer(self, condition_ids):
        flat = keras.tree.flatten(self._initial_states(condition_ids))
        per_layer = len(state_names(self.decoder.cell))
        return [flat[i:i + per_layer] for i in range(0, len(flat), per_layer)]

    def initial_states(self, conditions):
        """``a<0>`` for each of ``conditions``: one list per decoder layer of its states
        (:func:`state_names` order), each a ``(len(conditions), units)`` tensor."""
        return self._states_by_layer(self._condition_ids(conditions))

    def conditioned_on(self, condition):
        """The language model ``P(y | condition)``: a :class:`ConditionalLM`."""
        if not isinstance(condition, str):
            raise TypeError(f"`condition` must be a str; received condition={condition!r:.80}")
        self._check_condition(condition, "condition")
        return self._views([condition])[0]

    def _views(self, conditions):
        """One :class:`ConditionalLM` per condition, their ``a<0>`` computed in one batch."""
        ids = self._condition_ids(conditions)
        states = self._states_by_layer(ids)
        return [ConditionalLM(self, condition, ids[i],
                              [[state[i:i + 1] for state in layer] for layer in states])
                for i, condition in enumerate(conditions)]

    # ------------------------------------------------------------------ teacher forcing
    def _token_lists(self, outputs):
        """The target sequences as lists of tokens (subclasses may accept other forms)."""
        return check_sentences(self.outputs_name, outputs)

    def _sentences(self, outputs):
        sentences = self._token_lists(outputs)
        if self.decoder.unk_token is None:             # no <UNK> to read unknown tokens as
            for i, sentence in enumerate(sentences):
                unknown = sorted(set(sentence).difference(self.decoder.token_index))
                if unknown:
                    raise ValueError(f"`{self.outputs_name}[{i}]` holds tokens outside the "
                                     f"decoder's vocabulary: {unknown!r:.120}")
        return sentences

    def _teacher_forcing(self, sentences):
        """``(x, y)`` id arrays: ``y`` each sentence's targets (tokens, then ``</s>``) padded
        with :data:`~rnn_zoo.data.text.PAD`, ``x = [</s>, y<1>, ..., y<T>]`` padded with ``</s>``."""
        decoder = self.decoder
        targets = [decoder.ids(decoder.targets(sentence)) for sentence in sentences]
        x = keras.utils.pad_sequences([np.r_[decoder.eos_id, y[:-1]] for y in targets],
                                      padding="post", value=decoder.eos_id)
        y = keras.utils.pad_sequences(targets, padding="post", value=PAD)
        return x.astype(np.int32), y.astype(np.int32)

    def _pairs(self, conditions, outputs):
        """Checked ``(condition ids, sentences)``, one condition per output."""
        sentences = self._sentences(outputs)
        ids = self._condition_ids(conditions)
        if len(ids) != len(sentences):
            raise ValueError(f"every output needs one condition; received {len(ids)} "
                             f"conditions and {len(sentences)} outputs")
        return ids, sentences

    def _dataset(self, conditions, outputs, batch_size, shuffle=False, seed=None):
        tf = backends.tensorflow(f"{type(self).__name__}'s training data (tf.data pipelines)")
        ids, sentences = self._pairs(conditions, outputs)
        x, y = self._teacher_forcing(sentences)
        data = tf.data.Dataset.from_tensor_slices(((ids, x), y))
        if shuffle:
            data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        return data.batch(batch_size)

    def fit(self, conditions, outputs, validation_data=None, epochs=100, batch_size=64,
            patience=3, learning_rate=1e-3, clipnorm=5.0, callbacks=(), seed=0,
            verbose="auto", checkpoints=None, resume=False):
        """Train ``network`` by teacher forcing with Keras ``fit``: ``outputs[i]`` is the target
        sequence for ``conditions[i]``; the loss is the decoder's (per-step cross entropy, the
        mean over the targets, padding ignored), Adam with ``clipnorm`` clipping, batches of
        ``batch_size`` reshuffled every epoch (``seed``). ``EarlyStopping`` watches
        ``val_loss`` (``validation_data = (conditions, outputs)``; ``loss`` without) with
        ``patience`` and restores the best epoch's weights; ``checkpoints`` and ``resume`` as
        for :meth:`rnn_zoo.lm.rnn.RNNLanguageModel.fit`. Returns the Keras ``History``."""
        batch_size = checks.positive_int("batch_size", batch_size)
        self._dataset(conditions, outputs, batch_size)        # every check before training
        validation, monitor = None, "loss"
        if validation_data is not None:
            validation, monitor = self._dataset(*validation_data, batch_size), "val_loss"

        def epoch_data(epoch):
            return self._dataset(conditions, outputs, batch_size, shuffle=True,
                                 seed=training.data_seed(seed, epoch))

        # The decoder's own compile-and-fit (masked cross entropy, Adam), on the joined network.
        return self.decoder.train_network(
            self.network, epoch_data, epochs, learning_rate, clipnorm, checkpoints=checkpoints,
            resume=resume, model=self, validation_data=validation, callbacks=callbacks,
            verbose=verbose, monitor=monitor, patience=checks.positive_int("patience", patience),
            restore_best=True)

    # -------------------------------------------------------------------------- scoring
    def _log_softmax(self, condition_ids, x):
        return ops.log_softmax(self.network([condition_ids, x], training=False), axis=-1)

    def _log_probs(self, condition_ids, sentences):
        result, size = [], self.decoder.batch_size
        for first in range(0, len(sentences), size):
            batch = sentences[first:first + size]
            x, _ = self._teacher_forcing(batch)
            log_probs = ops.convert_to_numpy(
                self._network_log_probs(condition_ids[first:first + size], x))
            result += [row[:len(sentence) + 1] for row, sentence in zip(log_probs, batch)]
        return [row.astype(np.float64) for row in result]

    def _token_log_probs(self, condition_ids, sentences):
        decoder = self.decoder
        rows = self._log_probs(condition_ids, sentences)
        return np.concatenate([row[np.arange(len(row)), decoder.ids(decoder.targets(sentence))]
                               for row, sentence in zip(rows, sentences)])

    def log_probs(self, conditions, outputs):
        """For each output, ``ln P(w | condition, y<1>, ..., y<t-1>)`` for every ``w`` of the
        vocabulary at every step: an array of shape ``(len(output) + 1, V)`` (its last row
        predicts ``</s>``), from the teacher-forced network (``batch_size`` rows at a time)."""
        return self._log_probs(*self._pairs(conditions, outputs))

    def token_log_probs(self, conditions, outputs):
        """``ln P(y<t> | condition, y<1>, ..., y<t-1>)`` for every target (each output's
        tokens, then ``</s>``) of every output, one after the other, as a float array."""
        return self._token_log_probs(*self._pairs(conditions, outputs))

    def count_params(self):
        return self.network.count_params()


class ClassConditionedLM(VectorToSequence):
    r"""A language model per class, all one network: the class sets the initial state
    (one-to-many, slide section 9; see the module docstring)::

        a<0> = S_a[class]   (and c<0> = S_c[class] for an LSTM), in every layer

    where ``S_a``, ``S_c`` are learned ``(len(classes), units)`` tables (``Embedding`` layers
    ``a0_<layer>``, ``c0_<layer>``); then the RNN LM of :mod:`rnn_zoo.lm.rnn`.

    ``classes`` are the distinct labels (str), in the order of the tables' rows. The other
    arguments are the decoder's (:class:`~rnn_zoo.lm.rnn.RNNLanguageModel`); the defaults make
    a character model (``unk_token=None``, end character ``"\n"``) over a
    :func:`rnn_zoo.data.text.char_vocabulary`. Outputs are sentences, lists of tokens
    (``list(name)`` for a character model): ``fit(labels, sentences)``;
    ``conditioned_on(label)`` is the language model of one class.
    """

    def __init__(self, vocabulary, classes, cell="lstm", units=128, layers=1,
                 embedding_dim=None, dropout=0.0, unk_token=None, eos_token="\n",
                 batch_size=64):
        classes = checks.texts("classes", classes)
        if len(set(classes)) != len(classes):
            raise ValueError(f"`classes` must be distinct labels; received classes={classes!r}")
        self.classes = classes
        self.class_index = {label: i for i, label in enumerate(classes)}
        super().__init__(vocabulary, cell, units, layers, embedding_dim, dropout, unk_token,
                         eos_token, batch_size)

    conditions_name, outputs_name = "labels", "sentences"

    def get_config(self):
        return {**self.decoder.get_config(), "classes": self.classes}

    def _state_network(self):
        labels = keras.Input(shape=(), dtype="int32", name="class")
        decoder = self.decoder
        states = [keras.layers.Embedding(len(self.classes), decoder.units,
                                         name=f"{name}0_{i}")(labels)
                  for i in range(decoder.layers) for name in state_names(decoder.cell)]
        return keras.Model(labels, states, name="initial_state")

    def _check_condition(self, label, name):
        if label not in self.class_index:
            raise ValueError(f"`{name}` must be one of the classes {self.classes}; received "
                             f"{name}={label!r:.80}")

    def _encode(self, labels):
        return np.array([self.class_index[label] for label in labels], np.int32)

    def __repr__(self):
        d = self.decoder
        return (f"ClassConditionedLM(classes={self.classes}, cell={d.cell!r}, units={d.units}, "
                f"layers={d.layers}, V={len(d.vocabulary)})")
