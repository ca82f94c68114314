r"""Text to token ids, and the ``tf.data`` pipelines that train a language model (slide section 10).

The slides' recipe for an RNN LM's training set: tokenize, add ``<EOS>`` at the end of every
sentence, map rare words to ``<UNK>`` (their example keeps the 10,000 most common words). The
vocabularies here are Keras's own ``keras.layers.StringLookup`` layers:

* :func:`word_vocabulary` -- ``[<UNK>, </s>, words by decreasing count]``: ``<UNK>`` is the
  lookup's out-of-vocabulary id 0, so every word outside the vocabulary maps to it.
* :func:`char_vocabulary` -- the characters of a text (and the end token), with no ``<UNK>``:
  a character outside it is an error (:func:`encode_text` raises ``ValueError``).

Training pairs follow teacher forcing, ``x<t> = y<t-1>``: the input is the target shifted right
by one, so the network reads the true previous token at every step. Three layouts:

* :func:`sentence_batches` -- one sentence a row: ``x = [</s>, y<1>, ..., y<T>]`` (the end token
  of the sentence before serves as the start input ``x<1>``, which is never predicted) and
  ``y = [y<1>, ..., y<T>, </s>]``, padded to the longest row of the batch: ``x`` with the end
  token (harmless: padding only ever follows a sentence, and a left-to-right model cannot see
  it from an earlier step) and ``y`` with :data:`PAD` = -1, which the loss ignores.
* :func:`windows` -- a long stream of ids (a book, a corpus laid end to end) cut into windows
  of ``seq_length + 1`` tokens, each giving ``x = w[:-1]``, ``y = w[1:]``; shuffled.
* :func:`stateful_windows` -- the same stream as ``batch_size`` contiguous streams, one per
  row ("batch-major contiguous streams"): row ``i`` of batch ``k + 1`` continues row ``i`` of
  batch ``k``, so a stateful network that keeps its state from batch to batch reads each
  stream from start to end (truncated backpropagation through time, ``seq_length`` steps).
"""

from collections import Counter

import keras
import numpy as np

from rnn_zoo import checks
from rnn_zoo.backends import LazyTensorFlow
from rnn_zoo.checks import check_sentences

tf = LazyTensorFlow("rnn_zoo.data.text (StringLookup, tf.data pipelines)")

PAD = -1
"""The target id of padding: ``SparseCategoricalCrossentropy(ignore_class=PAD)`` skips it."""


def word_vocabulary(sentences, max_tokens=None, min_count=1, unk_token="<UNK>",
                    eos_token="</s>"):
    """A ``StringLookup`` over the words of ``sentences`` (lists of string tokens).

    Its vocabulary is ``[unk_token, eos_token]`` then the kept words, most frequent first (ties
    in order of first appearance). A word is kept if it occurs at least ``min_count`` times and,
    with ``max_tokens``, if it is among the ``max_tokens - 2`` most frequent (``max_tokens``
    counts the two special tokens, as Keras's own ``max_tokens`` counts its OOV token). Every
    other word maps to ``unk_token`` (id 0).
    """
    sentences = check_sentences("sentences", sentences)
    min_count = checks.positive_int("min_count", min_count)
    if max_tokens is not None and checks.positive_int("max_tokens", max_tokens) < 3:
        raise ValueError(f"`max_tokens` must be at least 3 (<UNK>, the end token and one word); "
                         f"received max_tokens={max_tokens}")
    counts = Counter(token for sentence in sentences for token in sentence)
    specials = {unk_token, eos_token}
    words = [word for word, count in counts.most_common()
             if count >= min_count and word not in specials]
    if max_tokens is not None:
        words = words[:max_tokens - 2]
    tf.require()
    return keras.layers.StringLookup(vocabulary=[eos_token] + words, oov_token=unk_token,
                                     num_oov_indices=1)


def char_vocabulary(text, eos_token="\n"):
    """A ``StringLookup`` over the distinct characters of ``text`` and ``eos_token``, sorted,
    with no out-of-vocabulary id (a character model has no ``<UNK>``)."""
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str; received a {type(text).__name__}")
    if not text:
        raise ValueError("`text` must hold at least one character; received text=''")
    if "\x00" in text:
        raise ValueError(f"`text` holds the NUL character '\\x00' (at position "
                         f"{text.index(chr(0))}), which a StringLookup cannot hold: is it binary?")
    tf.require()
    return keras.layers.StringLookup(vocabulary=sorted(set(text) | {eos_token}),
                                     num_oov_indices=0, oov_token="")


def encode_text(lookup, text):
    """The ids of the characters of ``text`` under a :func:`char_vocabulary`, as an int32 array;
    a character outside the vocabulary raises ``ValueError``."""
    unknown = sorted(set(text) - set(lookup.get_vocabulary()))
    if unknown:
        raise ValueError(f"`text` holds characters outside the vocabulary: {unknown!r:.200}")
    return lookup(tf.strings.unicode_split(text, "UTF-8")).numpy().astype(np.int32)


def encode_sentences(lookup, sentences, eos_token="</s>"):
    """The ids of every sentence followed by ``eos_token``, laid end to end as one int32 array:
    the long stream that :func:`windows` and :func:`stateful_windows` cut."""
    sentences = check_sentences("sentences", sentences)
    tokens = [token for sentence in sentences for token in [*sentence, eos_token]]
    return lookup(tf.constant(tokens, tf.string, [len(tokens)])).numpy().astype(np.int32)


def decode(lookup, ids):
    """The tokens of ``ids`` under ``lookup``, as a list of str."""
    vocabulary = lookup.get_vocabulary()
    return [vocabulary[i] for i in np.asarray(ids).ravel()]


def sentence_batches(lookup, sentences, batch_size, eos_token="</s>", shuffle=False, seed=None):
    """``(x, y)`` batches of whole sentences (see the module docstring): ``x`` starts with
    ``eos_token``, ``y`` ends with it; rows padded to the batch's longest, ``y`` with
    :data:`PAD`."""
    sentences = check_sentences("sentences", sentences)
    batch_size = checks.positive_int("batch_size", batch_size)
    ids = tf.cast(lookup(tf.ragged.constant(sentences, dtype=tf.string, ragged_rank=1)), tf.int32)
    eos = tf.cast(lookup(tf.constant(eos_token)), tf.int32)
    ends = tf.fill([len(sentences), 1], eos)
    data = tf.data.Dataset.from_tensor_slices(
        (tf.concat([ends, ids], axis=1), tf.concat([ids, ends], axis=1)))
    if shuffle:
        data = data.shuffle(len(sentences), seed=seed)
    return data.ragged_batch(batch_size).map(lambda x, y: (x.to_tensor(eos), y.to_tensor(PAD)))


def windows(ids, seq_length, batch_size, shuffle=True, seed=None, reshuffle_each_iteration=True):
    """Batches of ``(x, y)``, each of shape ``(batch_size, seq_length)``, from the stream
    ``ids``: non-overlapping windows of ``seq_length + 1`` ids, ``x = w[:-1]``, ``y = w[1:]``.
    An incomplete last window or batch is dropped. With ``shuffle``, each pass over the dataset
    draws a new order, unless ``reshuffle_each_iteration=False``: one order for every pass (for
    a run that makes one dataset per epoch, where a ``tf.distribute`` strategy's first look at
    a batch must not move the order on)."""
    ids, seq_length, batch_size = _stream(ids, seq_length, batch_size)
    data = tf.data.Dataset.from_tensor_slices(ids).batch(seq_length + 1, drop_remainder=True)
    if shuffle:
        data = data.shuffle(len(ids) // (seq_length + 1), seed=seed,
                            reshuffle_each_iteration=reshuffle_each_iteration)
    return data.map(lambda w: (w[:-1], w[1:])).batch(batch_size, drop_remainder=True)


def stateful_windows(ids, seq_length, batch_size):
    """Batches of ``(x, y)`` for stateful training: ``ids`` cut into ``batch_size`` contiguous
    streams of ``n = (len(ids) - 1) // batch_size`` ids (the rest dropped), stream ``i`` being
    row ``i``; batch ``k`` holds positions ``k * seq_length ... (k + 1) * seq_length - 1`` of
    every stream, and ``y`` is ``x`` one position later. Not shuffled: the order is the point."""
    ids, seq_length, batch_size = _stream(ids, seq_length, batch_size)
    n = (len(ids) - 1) // batch_size
    steps = n // seq_length
    if steps == 0:
        raise ValueError(
            f"`ids` is too short for {batch_size} streams of at least seq_length={seq_length} "
            f"steps; received {len(ids)} ids")

    def batches(stream):                      # (batch, n) -> (steps, batch, seq_length)
        stream = stream[:, :steps * seq_length].reshape(batch_size, steps, seq_length)
        return stream.transpose(1, 0, 2)

    x = batches(ids[:batch_size * n].reshape(batch_size, n))
    y = batches(ids[1:batch_size * n + 1].reshape(batch_size, n))
    return tf.data.Dataset.from_tensor_slices((x, y))


def _stream(ids, seq_length, batch_size):
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"`ids` must be a 1-D array of token ids; received shape {ids.shape} "
                         f"and dtype {ids.dtype}")
    seq_length = checks.positive_int("seq_length", seq_length)
    batch_size = checks.positive_int("batch_size", batch_size)
    if len(ids) < seq_length + 1:
        raise ValueError(f"`ids` must hold at least seq_length + 1 = {seq_length + 1} ids; "
                         f"received {len(ids)}")
    return ids.astype(np.int32), seq_length, batch_size
