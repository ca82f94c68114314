r"""Language-model pretraining of a text classifier (Dai & Le 2015, "Semi-supervised sequence
learning"): the slides' language model put to work before the classifier learns its labels.

:func:`pretrain_language_model` trains the classifier's own ``Embedding`` and recurrent layers
to predict each next word, ``P(x⟨t+1⟩ | x⟨1⟩ ... x⟨t⟩)``, on texts without labels; then
``fit`` starts from those weights (a fresh output layer) instead of random ones::

    forward:   x⟨1⟩ … x⟨n-1⟩ -> Embedding -> RNN_0 … RNN_{L-1} -> Dense(V) -> x⟨2⟩ … x⟨n⟩
    backward:  x⟨n⟩ … x⟨2⟩   -> Embedding -> RNN'_0            -> Dense(V) -> x⟨n-1⟩ … x⟨1⟩

A bidirectional classifier's backward direction reads the text from its end
(``go_backwards``): it is pretrained as a language model of the reversed text, predicting each
*previous* word, with the same ``Embedding`` shared by both directions, the two losses summed
(as ELMo's two language models are). Each LM's recurrent layers are fresh layers of the
classifier's cell, dropout and sizes, ending in their own softmax ``Dense``; after training
their weights are copied into the classifier's layers (same shapes), and the ``Embedding`` is
the classifier's own layer, trained in place (left as it is with ``freeze_embeddings``).

A stacked bidirectional classifier cannot be pretrained this way: its second layer reads
both directions of the first at once, which neither language model sees, so
``bidirectional=True`` with ``layers > 1`` raises ``ValueError``.

The texts are read as the classifier's vocabulary reads them (``[UNK]`` for the words it does
not hold, predicted like any word); a text with fewer than two tokens has nothing to predict
and is skipped. Training is Keras ``fit`` with Adam (the classifier's ``learning_rate``) and,
with ``validation_texts``, early stopping on their loss restoring the best epoch.
"""

import math

import keras

from rnn_zoo import checks
from rnn_zoo.backends import LazyTensorFlow

tf = LazyTensorFlow("rnn_zoo.tasks.pretraining (tf.data pipelines)")

DIRECTIONS = ("forward", "backward")


def pretrain_language_model(classifier, texts, validation_texts=None, epochs=5, batch_size=32,
                            patience=1, verbose=1):
    """Train ``classifier``'s embedding and recurrent layers as a language model on ``texts``
    (building its vocabulary from them first if it has none); see the module docstring.
    Returns the Keras ``History`` of the language models (its ``model``; losses in nats per
    predicted token, the directions' summed) with ``history.perplexity``, the best epoch's
    per-token perplexity on ``validation_texts`` (on ``texts`` without them)."""
    texts = checks.texts("texts", texts)
    epochs = checks.positive_int("epochs", epochs)
    batch_size = checks.positive_int("batch_size", batch_size)
    patience = checks.positive_int("patience", patience)
    if validation_texts is not None:
        validation_texts = checks.texts("validation_texts", validation_texts)
    if classifier.bidirectional and classifier.layers > 1:
        raise ValueError(f"a bidirectional classifier can be pretrained with one recurrent "
                         f"layer only (its second layer reads both directions of the first, "
                         f"which no language model sees); received layers={classifier.layers}")
    if classifier.network is None:
        classifier.adapt(texts)
    directions = DIRECTIONS if classifier.bidirectional else DIRECTIONS[:1]
    keras.utils.set_random_seed(classifier.seed)
    model, stacks = _language_models(classifier, directions)
    model.compile(optimizer=keras.optimizers.Adam(classifier.learning_rate),
                  loss={d: keras.losses.SparseCategoricalCrossentropy(from_logits=True)
                        for d in directions}, jit_compile=False)
    train = _next_word_data(classifier, texts, directions, batch_size, shuffle=True)
    validation = None
    if validation_texts is not None:
        validation = _next_word_data(classifier, validation_texts, directions, 256,
                                     name="validation_texts")
    callbacks = [keras.callbacks.EarlyStopping(
        monitor="val_loss" if validation is not None else "loss", patience=patience,
        restore_best_weights=True)]
    history = model.fit(train, epochs=epochs, validation_data=validation, callbacks=callbacks,
                        shuffle=False, verbose=verbose)
    for direction, layers in stacks.items():
        for i, layer in enumerate(layers):
            _classifier_layer(classifier, i, direction).set_weights(layer.get_weights())
    history.perplexity = perplexity(model, validation if validation is not None else train)
    return history


def perplexity(model, data):
    """``exp`` of the mean negative log-likelihood per predicted token (both directions) of
    the language models ``model`` on ``data`` (what :func:`_next_word_data` makes): every
    real token weighs the same, whatever batch it is in."""
    total = count = 0.0
    for inputs, targets, weights in data:
        logits = model(inputs)
        for direction in inputs:
            nll = keras.losses.sparse_categorical_crossentropy(
                targets[direction], logits[direction], from_logits=True)
            total += float(keras.ops.sum(nll * weights[direction]))
            count += float(keras.ops.sum(weights[direction]))
    return math.exp(total / count)


def _language_models(classifier, directions):
    """One Keras model, input and output per direction: the classifier's ``Embedding`` (shared)
    -> fresh recurrent layers like the classifier's -> ``Dense(V)`` logits. Returns it and,
    per direction, its recurrent layers."""
    embedding = classifier.network.get_layer("embedding")
    vocabulary_size = embedding.input_dim
    inputs, outputs, stacks = {}, {}, {}
    for direction in directions:
        ids = keras.Input(shape=(None,), dtype="int32", name=direction)
        x = embedding(ids)
        if classifier.embedding_dropout:
            x = keras.layers.SpatialDropout1D(classifier.embedding_dropout, seed=classifier.seed,
                                              name=f"{direction}_embedding_dropout")(x)
        stacks[direction] = []
        for i in range(classifier.layers):
            layer = classifier.layer_class(classifier.units, return_sequences=True,
                                           dropout=classifier.dropout, seed=classifier.seed + i,
                                           name=f"{direction}_{classifier.cell}_{i}")
            stacks[direction].append(layer)
            x = layer(x)
        inputs[direction] = ids
        outputs[direction] = keras.layers.Dense(vocabulary_size, name=f"{direction}_logits")(x)
    return keras.Model(inputs, outputs, name="pretraining_language_model"), stacks


def _classifier_layer(classifier, i, direction):
    """The classifier's recurrent layer ``i`` (one direction of it when bidirectional)."""
    if not classifier.bidirectional:
        return classifier.network.get_layer(f"{classifier.cell}_{i}")
    wrapper = classifier.network.get_layer(f"bidirectional_{i}")
    return wrapper.forward_layer if direction == "forward" else wrapper.backward_layer


def _next_word_data(classifier, texts, directions, batch_size, shuffle=False, name="texts"):
    """``(inputs, targets, weights)`` batches, each a dict by direction: the forward inputs
    are each text's ids but the last and the targets its ids but the first; the backward ones
    the same for the reversed ids. Padding (id 0) has weight 0."""
    rows = [row for row in classifier.encode(texts).to_list() if len(row) >= 2]
    if not rows:
        raise ValueError(f"`{name}` must hold a text of at least two tokens (a word to predict "
                         f"from another); received {name}={texts!r:.80}")
    ordered = {d: rows if d == "forward" else [row[::-1] for row in rows] for d in directions}
    ragged = {(d, part): tf.ragged.constant([row[:-1] if part == "inputs" else row[1:]
                                             for row in ordered[d]], dtype=tf.int32)
              for d in directions for part in ("inputs", "targets")}
    data = tf.data.Dataset.from_tensor_slices(
        {f"{d}_{part}": values for (d, part), values in ragged.items()})
    if shuffle:
        data = data.shuffle(len(rows), seed=classifier.seed, reshuffle_each_iteration=True)

    def split(batch):
        inputs = {d: batch[f"{d}_inputs"].to_tensor(0) for d in directions}
        targets = {d: batch[f"{d}_targets"].to_tensor(0) for d in directions}
        weights = {d: tf.cast(targets[d] > 0, tf.float32) for d in directions}
        return inputs, targets, weights

    return data.ragged_batch(batch_size).map(split)
