r"""Many-to-one sentiment classification (slides sections 1, 8, 9): "There is nothing to like in
this movie." -> 0.

A :class:`SentimentClassifier` reads a text with any zoo cell and keeps its last output, or
pools all of them::

    text -> TextVectorization -> ids -> Embedding(mask_zero=True) [-> SpatialDropout1D]
         -> zoo RNN (stacked, optionally Bidirectional, input dropout)
         -> last output | masked max over time
         [-> concatenated with a binary bag of unigrams and hashed bigrams of the ids]
         -> Dropout -> Dense(1, sigmoid) = P(label 1)

and is trained with Keras ``fit`` (progress bar, ``EarlyStopping`` on the validation loss or
accuracy with ``restore_best_weights=True``, ``ModelCheckpoint`` of the best epoch). With
``bag_of_words=True`` it is a hybrid, no longer an RNN alone: the output layer is a logistic
regression on the RNN's features *and* on n-gram indicators (:class:`BagOfNgrams`). With
``embeddings="glove-6b-50d"`` the embedding starts from the pretrained GloVe 6B 50-d vectors
(:func:`embedding_matrix`), fine-tuned or, with ``freeze_embeddings=True``, kept fixed. Two
baselines: :class:`BagOfWords` (logistic regression on binary unigram + bigram features: Keras
``TextVectorization(output_mode="multi_hot", ngrams=2)`` -> ``Dense(1, sigmoid)``, with an
L2 penalty given as ``l2`` or as scikit-learn's ``C``, and with ``naive_bayes=True`` Wang &
Manning's NB-LR on naive-Bayes-scaled features, :func:`log_count_ratio`) and
:class:`Majority` (always the most frequent training label). :class:`Ensemble` averages the
probabilities of trained models (an RNN and NB-LR, say). :meth:`SentimentClassifier.save`
and :meth:`~SentimentClassifier.load` keep a classifier (arguments, vocabulary, prior,
weights) in the checkpoint format of :mod:`rnn_zoo.training.checkpoints`.

Defined behaviour at the edges (tested in ``tests/test_sentiment.py``):

* **Tokens.** ``TextVectorization``'s default standardization (lower case, punctuation
  stripped) and whitespace split (:func:`tokenize`). Id 0 is padding (masked), id 1 is
  ``[UNK]`` (any word outside the vocabulary: the ``max_tokens - 2`` most frequent training
  words seen at least ``min_count`` times), words from id 2 on;
  :meth:`SentimentClassifier.unknown_words` lists the words of a text read as ``[UNK]``.
* **Padding.** Batches are padded with id 0 to their longest text; the embedding's mask makes
  the RNN and the max pooling skip padding wherever it is (pre or post, any amount), and
  :class:`BagOfNgrams` ignores id 0, so a text's prediction does not depend on the batch it is
  in. ``network`` (the model on ids) can be fed pre-padded ids.
* **Long texts.** Nothing is truncated: a text longer than every training text is read in
  full (the RNN runs as many steps as the text has tokens; the mask handles the rest).
* **No known word.** An empty text, one with only punctuation, or one whose every word is
  outside the vocabulary (all ``[UNK]``) carries no evidence the model was trained on. With
  ``no_known_words="prior"`` (the default) :meth:`SentimentClassifier.predict` returns the
  training set's rate of label 1 for it (the prior, what :class:`Majority` knows; 0.5 after
  ``adapt`` without labels); with
  ``"raise"`` it raises ``ValueError`` listing the offending positions.
* **Bad arguments.** ``texts`` must be a list (or tuple / 1-D array) of ``str`` -- a bare
  string raises ``TypeError`` (it would be read character by character); ``labels`` must hold
  one 0 or 1 per text, anything else raises ``ValueError`` naming the value and its position.
"""

import inspect
import math
import time

import keras
import numpy as np
from keras import ops

from rnn_zoo import checks
from rnn_zoo.backends import LazyTensorFlow
from rnn_zoo.cells.registry import recurrent_stack
from rnn_zoo.data import datasets
from rnn_zoo.tasks.pretraining import pretrain_language_model
from rnn_zoo.tasks.text_model import TextModel
from rnn_zoo.training import fit as training

tf = LazyTensorFlow("rnn_zoo.tasks.sentiment (TextVectorization, tf.data pipelines)")

NO_KNOWN_WORDS = ("prior", "raise")
POOLINGS = ("last", "max")
MONITORS = ("loss", "accuracy")
BIGRAM_BUCKETS = 2 ** 17
TUNED = {"cell": "lstm", "bidirectional": True, "units": 32, "embedding_dim": 32,
         "dropout": 0.5, "min_count": 2, "embedding_dropout": 0.3, "pooling": "max",
         "learning_rate": 3e-3}
"""The zoo BiLSTM chosen on the Rotten Tomatoes *validation* split (bench/sentiment.py lists
the trials): ``SentimentClassifier(**TUNED)``, trained with ``fit(..., **TUNED_FIT)``. Validation
accuracy 0.785, test 0.766: as accurate as the untuned BiLSTM with 8x fewer parameters."""
TUNED_HYBRID = {**TUNED, "embedding_dim": 64, "pooling": "last", "bag_of_words": True}
"""The same choice for the hybrid (``bag_of_words=True``), the best trial on validation (0.800);
test 0.763."""
TUNED_FIT = {"monitor": "accuracy", "patience": 2}
TUNED_GLOVE = {**TUNED, "embedding_dim": 50, "embeddings": "glove-6b-50d"}
"""``TUNED`` with its ``Embedding`` started from GloVe 6B 50-d and fine-tuned (issue 12's
pretrained-vector lever; ``bench/sentiment.py --results`` measures it over three seeds)."""
PAD_ID, UNK_ID = 0, 1
PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
"""What ``TextVectorization``'s default standardization strips (after lower-casing)."""
CONFIG_NAMES = ("cell", "units", "embedding_dim", "layers", "bidirectional", "dropout",
                "max_tokens", "min_count", "embedding_dropout", "pooling",
                "bag_of_words", "learning_rate", "builtin", "no_known_words", "embeddings",
                "freeze_embeddings", "seed")
EMBEDDINGS = {"glove-6b-50d": 50}
"""The pretrained word vectors ``SentimentClassifier(embeddings=...)`` can start from, and
their size: ``"glove-6b-50d"`` is :func:`rnn_zoo.data.datasets.glove_6b_50d`."""
DEFAULT_EMBEDDING_DIM = 128


def load_splits(data="rotten_tomatoes"):
    """``{"train", "valid", "test"}``, each ``(texts, labels)``: ``rotten_tomatoes`` (its fixed
    80/10/10 split) or the path of an IMDB directory
    (:func:`rnn_zoo.data.datasets.imdb_directory`; 10 % of its training reviews, stratified,
    held out for validation)."""
    if data == "rotten_tomatoes":
        return datasets.rotten_tomatoes()
    imdb = datasets.imdb_directory(data)
    texts, labels = imdb["train"]
    parts = datasets.split_items(list(zip(texts, labels)), valid=0.1, test=0.0,
                                 stratify=list(labels))

    def unzip(pairs):
        return [text for text, _ in pairs], np.array([label for _, label in pairs], "int32")

    return {"train": unzip(parts["train"]), "valid": unzip(parts["valid"]), "test": imdb["test"]}


# --- argument checks --------------------------------------------------------------------------

def check_labels(labels, n, name="labels"):
    """``labels`` as an int32 array of 0/1, one per text; anything else raises ``ValueError``."""
    array = np.asarray(labels)
    if array.ndim == 2 and array.shape[1:] == (1,):
        array = array[:, 0]
    if array.ndim != 1 or len(array) != n:
        raise ValueError(f"`{name}` must hold one label per text ({n}); received shape "
                         f"{array.shape}")
    if array.dtype.kind not in "biuf":
        raise ValueError(f"`{name}` must be 0 or 1 (1 = positive); received dtype {array.dtype}"
                         f" (first value {array.flat[0]!r:.40})")
    bad = np.flatnonzero((array != 0) & (array != 1))
    if len(bad):
        raise ValueError(f"`{name}` must be 0 or 1 (1 = positive); received {name}[{bad[0]}]="
                         f"{array[bad[0]]!r} ({len(bad)} bad label(s))")
    return array.astype("int32")


def tokenize(texts):
    """The tokens ``SentimentClassifier`` reads in each of ``texts`` (a list of lists of str):
    ``TextVectorization``'s default standardization (lower case, :data:`PUNCTUATION`
    stripped), then a whitespace split."""
    texts = tf.strings.regex_replace(tf.strings.lower(tf.constant(texts)), PUNCTUATION, "")
    return [[token.decode() for token in row] for row in tf.strings.split(texts).to_list()]


def accuracy(probabilities, labels):
    """Fraction of ``probabilities > 0.5`` equal to ``labels``."""
    labels = check_labels(labels, len(probabilities))
    return float(np.mean((np.asarray(probabilities) > 0.5) == labels))


def _number(name, value, positive):
    """``value`` as a float: finite and ``> 0`` (``positive``) or ``>= 0``."""
    if positive:
        return checks.number(name, value, "a finite number > 0", lambda v: 0 < v < math.inf)
    return checks.number(name, value, "a finite number >= 0", lambda v: 0 <= v < math.inf)


def _call_repr(obj, arguments):
    """``Class(name=value, ...)`` for the ``arguments`` that differ from the constructor's
    defaults."""
    defaults = {name: parameter.default
                for name, parameter in inspect.signature(type(obj)).parameters.items()}
    shown = [f"{name}={value!r}" for name, value in arguments.items()
             if name not in defaults or defaults[name] != value]
    return f"{type(obj).__name__}({', '.join(shown)})"


def log_count_ratio(positive_counts, negative_counts, alpha=1.0):
    """Wang & Manning's (2012) log-count ratio of each feature (NB-LR, NBSVM):
    ``r = log(p / ||p||₁) - log(q / ||q||₁)``, ``p = alpha + positive_counts``,
    ``q = alpha + negative_counts``, where ``positive_counts[j]`` is the sum of binary feature
    ``j`` over the texts labelled 1 (``negative_counts``: labelled 0). Returns float32; ``r_j > 0``
    for a feature more frequent (relative to its class's total) in positive texts."""
    p = alpha + np.asarray(positive_counts, "float64")
    q = alpha + np.asarray(negative_counts, "float64")
    if p.shape != q.shape or p.ndim != 1:
        raise ValueError(f"`positive_counts` and `negative_counts` must be 1-D and of the same "
                         f"length; received shapes {p.shape} and {q.shape}")
    return (np.log(p / p.sum()) - np.log(q / q.sum())).astype("float32")


def embedding_matrix(vocabulary, words, vectors, seed=0):
    """An ``Embedding`` matrix for a classifier's ``vocabulary`` from pretrained word vectors:
    ``(matrix, coverage)``.

    ``vocabulary`` is the classifier's list of ids (``TextVectorization.get_vocabulary()``):
    ``""`` (padding, id 0), ``"[UNK]"`` (id 1), then the words. ``words[i]`` has the vector
    ``vectors[i]`` (``vectors`` of shape ``(len(words), dim)``; a word listed twice keeps its
    first vector). Row 0 is zeros (padding is masked anyway); a vocabulary word found in
    ``words`` gets its vector; ``[UNK]`` and every word not found get a random vector, normal
    with mean 0 and each dimension's standard deviation over ``vectors`` (seeded by ``seed``),
    so they start on the scale of the real ones. ``coverage`` is the fraction of the
    vocabulary's words (padding and ``[UNK]`` not counted) that were found. ``matrix`` is
    float32, ``(len(vocabulary), dim)``."""
    vocabulary = list(vocabulary)
    if vocabulary[:2] != ["", "[UNK]"]:
        raise ValueError(f"`vocabulary` must start with the padding '' and '[UNK]' (ids 0 and 1, "
                         f"as TextVectorization.get_vocabulary() gives them); received "
                         f"{vocabulary[:3]!r}")
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or len(vectors) != len(words):
        raise ValueError(f"`vectors` must have shape (len(words), dim) = ({len(words)}, dim); "
                         f"received shape {vectors.shape}")
    index = {}
    for i, word in enumerate(words):
        index.setdefault(word, i)
    std = vectors.std(axis=0, dtype="float64")
    matrix = np.random.default_rng(seed).normal(0.0, std, (len(vocabulary), vectors.shape[1]))
    matrix = matrix.astype("float32")
    matrix[PAD_ID] = 0.0
    found = [(row, index[word]) for row, word in enumerate(vocabulary[UNK_ID + 1:], UNK_ID + 1)
             if word in index]
    if found:
        rows, sources = zip(*found)
        matrix[list(rows)] = vectors[list(sources)]
    return matrix, len(found) / max(len(vocabulary) - UNK_ID - 1, 1)


# --- baselines --------------------------------------------------------------------------------

class Majority:
    """Always predicts the training set's rate of label 1 (its most frequent class wins)."""

    def fit(self, texts, labels):
        self.prior = float(np.mean(check_labels(labels, len(checks.texts("texts", texts)))))
        return self

    def predict(self, texts):
        return np.full(len(checks.texts("texts", texts)), self.prior, dtype="float32")

    def count_params(self):
        return 0


class BagOfWords:
    """Logistic regression on binary unigram + bigram features ("bag of words"): Keras
    ``TextVectorization(output_mode="multi_hot", ngrams=2)`` -> ``Dense(1, sigmoid)``, trained
    with Adam and early stopping on the validation loss (restoring the best epoch).

    **Penalty.** ``l2`` adds ``l2 * ||w||²`` (the weights, not the bias) to Keras's mean loss;
    ``C`` says the same in scikit-learn's terms, the inverse strength of a penalty
    ``||w||² / 2`` on the *summed* loss, i.e. ``l2 = 1 / (2 * C * N)`` for ``N`` training
    texts (:meth:`l2_for`; ``l2=5e-5`` is ``C=1`` for the 10,248 Rotten Tomatoes training
    snippets). Give one of them or neither (no penalty, the default: with Adam every step
    decays the weights of rare n-grams, and on Rotten Tomatoes ``l2=5e-5`` scored 0.770 test
    accuracy against 0.784 without).

    **NB-LR.** ``naive_bayes=True`` is Wang & Manning's (2012) naive-Bayes-weighted logistic
    regression: each binary feature ``x_j`` is scaled by its log-count ratio
    ``r = log(p / ||p||₁) - log(q / ||q||₁)``, with ``p = α + Σ_{label 1} x`` and
    ``q = α + Σ_{label 0} x`` summed over the training texts (``α = 1``,
    :func:`log_count_ratio`), and the logistic regression reads ``x ∘ r``. ``r`` is computed
    once, after the vocabulary is built, and kept fixed (a non-trainable :class:`FixedScale`
    layer named ``log_count_ratio``, also in ``log_count_ratio_``). The model's coefficient
    of feature ``j`` is then ``w_j * r_j``, so the same penalty on ``w_j`` costs less for an
    n-gram that the counts already call positive or negative (``|r_j|`` large) than for a
    neutral one: a naive-Bayes prior on which n-grams matter.
    """

    def __init__(self, max_tokens=None, l2=None, learning_rate=1e-2, seed=0, *, C=None,
                 naive_bayes=False):
        if l2 is not None and C is not None:
            raise ValueError(f"give `l2` or `C` (the same penalty: l2 = 1 / (2 * C * N) for N "
                             f"training texts), not both; received l2={l2!r}, C={C!r}")
        self.l2 = None if l2 is None else _number("l2", l2, positive=False)
        self.C = None if C is None else _number("C", C, positive=True)
        self.naive_bayes = checks.boolean("naive_bayes", naive_bayes)
        self.max_tokens, self.seed = max_tokens, seed
        self.learning_rate = training.learning_rate(learning_rate)

    def __repr__(self):
        return _call_repr(self, {"max_tokens": self.max_tokens, "l2": self.l2,
                                 "learning_rate": self.learning_rate, "seed": self.seed,
                                 "C": self.C, "naive_bayes": self.naive_bayes})

    def l2_for(self, n_train):
        """The ``l2`` factor a fit on ``n_train`` texts uses: ``l2``, ``1 / (2 * C * n_train)``,
        or 0 (no penalty)."""
        if self.C is not None:
            return 1.0 / (2.0 * self.C * checks.positive_int("n_train", n_train))
        return self.l2 or 0.0

    def fit(self, texts, labels, validation_data=None, epochs=30, batch_size=32, patience=2,
            verbose=1):
        """Build the n-gram vocabulary from ``texts`` (and with ``naive_bayes`` the log-count
        ratio from ``texts`` and ``labels``), then train a fresh logistic regression; sets
        ``penalty`` (the ``l2`` factor used), ``history`` and ``train_seconds``."""
        texts = checks.texts("texts", texts)
        labels = check_labels(labels, len(texts))
        keras.utils.set_random_seed(self.seed)
        tf.require()
        self.vectorizer = keras.layers.TextVectorization(
            max_tokens=self.max_tokens, output_mode="multi_hot", ngrams=2)
        self.vectorizer.adapt(tf.constant(texts))
        self.penalty = self.l2_for(len(texts))
        size = self.vectorizer.vocabulary_size()
        features = keras.Input(shape=(size,))
        x = features
        self.log_count_ratio_ = None
        if self.naive_bayes:
            positive, negative = self._feature_counts(texts, labels)
            self.log_count_ratio_ = log_count_ratio(positive, negative)
            scale = FixedScale(size, name="log_count_ratio")
            x = scale(x)
            scale.scale.assign(self.log_count_ratio_)
        output = keras.layers.Dense(
            1, activation="sigmoid", name="output",
            kernel_regularizer=keras.regularizers.L2(self.penalty) if self.penalty else None)(x)
        self.model = keras.Model(features, output,
                                 name="nb_logistic_regression" if self.naive_bayes
                                 else "logistic_regression")
        self.model.compile(optimizer=keras.optimizers.Adam(self.learning_rate),
                           loss="binary_crossentropy", metrics=["accuracy"])
        train = self._dataset(texts, labels, batch_size, shuffle=True)
        validation = None
        if validation_data is not None:
            vt, vl = validation_data
            vt = checks.texts("validation texts", vt)
            validation = self._dataset(vt, check_labels(vl, len(vt), "validation labels"), 1024)
        callbacks = [keras.callbacks.EarlyStopping(
            monitor="val_loss" if validation else "loss", patience=patience,
            restore_best_weights=True)]
        start = time.perf_counter()
        self.history = self.model.fit(train, epochs=epochs, validation_data=validation,
                                      callbacks=callbacks, shuffle=False, verbose=verbose)
        self.train_seconds = time.perf_counter() - start
        return self

    def _feature_counts(self, texts, labels):
        """``(Σ_{label 1} x, Σ_{label 0} x)``: in how many texts of each class each feature
        occurs (float64), summed batch by batch."""
        positive = np.zeros(self.vectorizer.vocabulary_size())
        negative = np.zeros_like(positive)
        for x, y in self._dataset(texts, labels, batch_size=256):
            x, y = x.numpy(), y.numpy().astype("float64")
            positive += y @ x
            negative += (1.0 - y) @ x
        return positive, negative

    def _dataset(self, texts, labels=None, batch_size=1024, shuffle=False):
        """Batches of multi-hot features, made batch by batch (the full matrix, texts x
        n-grams, would not fit in memory)."""
        data = tf.data.Dataset.from_tensor_slices(texts if labels is None else (texts, labels))
        if shuffle:
            data = data.shuffle(len(texts), seed=self.seed, reshuffle_each_iteration=True)
        data = data.batch(batch_size)
        if labels is None:
            return data.map(lambda x: tf.cast(self.vectorizer(x), tf.float32))
        return data.map(lambda x, y: (tf.cast(self.vectorizer(x), tf.float32), y))

    def predict(self, texts, batch_size=1024):
        data = self._dataset(checks.texts("texts", texts), batch_size=batch_size)
        return self.model.predict(data, verbose=0)[:, 0]

    def count_params(self):
        return self.model.count_params()


@keras.saving.register_keras_serializable(package="rnn_zoo")
class FixedScale(keras.layers.Layer):
    """``inputs * scale`` along the last axis, ``scale`` a non-trainable weight of ``size``
    values (ones until assigned, ``layer.scale.assign(values)``): training never changes it.
    :class:`BagOfWords` uses it for NB-LR's log-count ratio."""

    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.size = checks.positive_int("size", size)
        self.scale = self.add_weight(shape=(self.size,), initializer="ones", trainable=False,
                                     name="scale")

    def call(self, inputs):
        return inputs * ops.cast(self.scale, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "size": self.size}


# --- the RNN classifier -----------------------------------------------------------------------

@keras.saving.register_keras_serializable(package="rnn_zoo")
class MaskedGlobalMaxPooling1D(keras.layers.Layer):
    """The maximum over time of ``(batch, time, features)``, skipping masked (padding) steps;
    ``keras.layers.GlobalMaxPooling1D`` ignores the mask. A row with no step gives zeros."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        mask = ops.cast(mask, "bool")[:, :, None]
        dtype = keras.backend.standardize_dtype(inputs.dtype)
        lowest = ops.full_like(inputs, float(np.finfo(dtype).min))
        pooled = ops.max(ops.where(mask, inputs, lowest), axis=1)
        return ops.where(ops.any(mask, axis=1), pooled, ops.zeros_like(pooled))

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


@keras.saving.register_keras_serializable(package="rnn_zoo")
class BagOfNgrams(keras.layers.Layer):
    """A binary bag of unigrams and hashed bigrams computed from token ids: ``(batch, time)``
    ids (0 = padding, ignored) -> ``(batch, vocabulary_size - 1 + buckets)`` of 0/1: one column
    per id from 1 (``[UNK]`` and the words), then ``buckets`` columns for the bigrams of
    adjacent ids ``(a, b)``, hashed as ``(a * vocabulary_size + b) mod buckets``."""

    def __init__(self, vocabulary_size, buckets=BIGRAM_BUCKETS, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size = checks.positive_int("vocabulary_size", vocabulary_size)
        self.buckets = checks.positive_int("buckets", buckets)
        self.encode = keras.layers.CategoryEncoding(self.vocabulary_size + self.buckets,
                                                    output_mode="multi_hot")

    def call(self, ids):
        ids = ops.cast(ids, "int64")
        word = ids != PAD_ID
        pair = ops.logical_and(word[:, :-1], word[:, 1:])
        pairs = ids[:, :-1] * self.vocabulary_size + ids[:, 1:]
        bigrams = self.vocabulary_size + pairs % self.buckets
        tokens = ops.concatenate([ids, ops.where(pair, bigrams, PAD_ID)], axis=1)
        return self.encode(tokens)[:, PAD_ID + 1:]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.vocabulary_size - 1 + self.buckets)

    def get_config(self):
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size,
                "buckets": self.buckets}


class SentimentClassifier(TextModel):
    """A many-to-one RNN text classifier on any zoo cell (see the module docstring).

    Arguments: ``cell`` -- ``"simple_rnn"``, ``"simplified_gru"``, ``"gru"`` or ``"lstm"``;
    ``units`` per direction; ``layers`` stacked recurrent layers (all but the last return
    sequences); ``bidirectional`` wraps each in ``keras.layers.Bidirectional`` (outputs
    concatenated, slide 8); ``dropout`` is the RNN's input dropout and a ``Dropout`` on the
    RNN's features before the output layer; ``max_tokens`` the vocabulary size (with padding
    and ``[UNK]``); ``min_count`` drops words seen fewer times in training from it;
    ``embedding_dropout`` a ``SpatialDropout1D`` on the embeddings (it zeroes whole embedding
    dimensions for a whole text); ``pooling`` what the output layer reads of the last recurrent
    layer: ``"last"`` its last output (the slides' many-to-one; for a bidirectional layer the
    forward direction's last and the backward direction's first) or ``"max"`` the maximum of
    its outputs over the text's steps (:class:`MaskedGlobalMaxPooling1D`); ``bag_of_words=True``
    makes a hybrid whose output layer also reads :class:`BagOfNgrams` of the ids (a logistic
    regression on n-grams and the RNN's features at once); ``learning_rate`` Adam's;
    ``builtin=True`` uses Keras's own ``SimpleRNN``/``GRU``/``LSTM`` instead of the zoo's (the
    baseline with the same settings); ``no_known_words`` see the module docstring.

    Pretrained embeddings: ``embeddings="glove-6b-50d"`` starts the ``Embedding`` from the GloVe
    6B 50-d vectors (:func:`rnn_zoo.data.datasets.glove_6b_50d`, :func:`embedding_matrix`):
    :meth:`adapt` (and so :meth:`fit` on an unbuilt classifier) sets each vocabulary word's row
    to its GloVe vector, a random one of GloVe's scale for words GloVe lacks, and records the
    fraction of words found in ``embedding_coverage``. ``embedding_dim`` is then the vectors'
    size: leave it ``None`` (it becomes 50) or give 50; any other value raises ``ValueError``.
    Without ``embeddings``, ``embedding_dim=None`` means 128. ``freeze_embeddings=True`` keeps
    the pretrained rows fixed during training (the ``Embedding`` layer is not trainable, in a
    loaded classifier too); it needs ``embeddings`` (a frozen *random* embedding is almost
    certainly a mistake) and raises ``ValueError`` without. A loaded checkpoint has its
    embedding in its weights: loading reads no GloVe file.

    ``network`` is the Keras model from token ids (``(batch, time)`` int, 0 = padding) to
    ``P(label 1)``; ``vectorizer`` the ``TextVectorization`` from text to ids.
    """

    def __init__(self, cell="lstm", units=64, embedding_dim=None, layers=1, bidirectional=False,
                 dropout=0.0, max_tokens=20000, min_count=1, embedding_dropout=0.0,
                 pooling="last", bag_of_words=False, learning_rate=1e-3, builtin=False,
                 no_known_words="prior", embeddings=None, freeze_embeddings=False, seed=0):
        if embeddings is not None:
            checks.choice("embeddings", embeddings, (None, *EMBEDDINGS))
        self.embeddings = embeddings
        self.freeze_embeddings = checks.boolean("freeze_embeddings", freeze_embeddings)
        if freeze_embeddings and embeddings is None:
            raise ValueError("`freeze_embeddings=True` needs pretrained `embeddings` (a frozen "
                             "random embedding would never learn); received embeddings=None")
        size = EMBEDDINGS.get(embeddings)
        if embedding_dim is None:
            embedding_dim = size or DEFAULT_EMBEDDING_DIM
        elif size is not None and checks.positive_int("embedding_dim", embedding_dim) != size:
            raise ValueError(f"`embedding_dim` must be {size} (the size of the {embeddings} "
                             f"vectors) or None with embeddings={embeddings!r}; received "
                             f"embedding_dim={embedding_dim!r}")
        super().__init__(cell, units, embedding_dim, layers, bidirectional, dropout, max_tokens,
                         learning_rate, builtin, seed, "[UNK]")
        self.embedding_coverage = None
        self.min_count = checks.positive_int("min_count", min_count)
        self.embedding_dropout = checks.rate("embedding_dropout", embedding_dropout)
        self.pooling = checks.choice("pooling", pooling, POOLINGS)
        self.bag_of_words = checks.boolean("bag_of_words", bag_of_words)
        self.no_known_words = checks.choice("no_known_words", no_known_words, NO_KNOWN_WORDS)
        self.vectorizer = None
        self.prior = None

    config_names = CONFIG_NAMES
    noun, fit_call = "classifier", "`fit(texts, labels)` (or `adapt(texts)`)"

    def __repr__(self):
        return _call_repr(self, self.get_config())

    def vocabulary_state(self):
        """The vocabulary (without padding and ``[UNK]``) and the prior; with pretrained
        ``embeddings`` also ``embedding_coverage``."""
        state = {"vocabulary": [str(w) for w in self.vectorizer.get_vocabulary()[UNK_ID + 1:]],
                 "prior": self.prior}
        if self.embeddings is not None:
            state["embedding_coverage"] = self.embedding_coverage
        return state

    def _restore(self, saved):
        prior = saved.get("prior")
        if isinstance(prior, bool) or not isinstance(prior, (int, float)) or not 0 <= prior <= 1:
            raise ValueError(f"the checkpoint's prior must be a probability in [0, 1]; "
                             f"received prior={prior!r}")
        self._build(saved["vocabulary"])
        self.prior = float(prior)
        self.embedding_coverage = saved.get("embedding_coverage")

    # building -----------------------------------------------------------------------------

    def adapt(self, texts, labels=None):
        """Build the vocabulary from ``texts`` and a fresh network; ``labels`` set the prior.

        The vocabulary holds the ``max_tokens - 2`` most frequent words of ``texts`` that occur
        at least ``min_count`` times. With pretrained ``embeddings`` the ``Embedding`` starts
        from them (:func:`embedding_matrix`, seeded by ``seed``) and ``embedding_coverage`` is
        the fraction of the vocabulary's words they hold."""
        texts = checks.texts("texts", texts)
        self.prior = 0.5 if labels is None else float(np.mean(check_labels(labels, len(texts))))
        keras.utils.set_random_seed(self.seed)
        tf.require()
        vectorizer = keras.layers.TextVectorization(max_tokens=self.max_tokens, ragged=True)
        vectorizer.adapt(tf.constant(texts))
        vocabulary = vectorizer.get_vocabulary()[UNK_ID + 1:]       # most frequent first
        if self.min_count > 1:
            counts = np.bincount(vectorizer(tf.constant(texts)).flat_values.numpy(),
                                 minlength=len(vocabulary) + UNK_ID + 1)[UNK_ID + 1:]
            vocabulary = vocabulary[:int(np.sum(counts >= self.min_count))]
        if not vocabulary:
            raise ValueError(f"`texts` hold no word to build a vocabulary from (min_count="
                             f"{self.min_count}); received texts={texts!r:.80}")
        self._build(vocabulary)
        if self.embeddings is not None:
            words, vectors = datasets.glove_6b_50d()
            matrix, self.embedding_coverage = embedding_matrix(
                self.vectorizer.get_vocabulary(), words, vectors, seed=self.seed)
            self.network.get_layer("embedding").embeddings.assign(matrix)
        return self

    def _build(self, vocabulary):
        """The vectorizer over ``vocabulary`` (words, without padding and ``[UNK]``) and a fresh
        network."""
        tf.require()
        self.vectorizer = keras.layers.TextVectorization(ragged=True)
        self.vectorizer.set_vocabulary([str(word) for word in vocabulary])
        self.network = self.build_network(self.vectorizer.vocabulary_size())

    def build_network(self, vocabulary_size):
        """The model on ids: Embedding(mask_zero; not trainable with ``freeze_embeddings``)
        [-> SpatialDropout1D] -> recurrent layers [-> masked max over time] -> Dropout
        [-> concatenated with BagOfNgrams] -> Dense."""
        ids = keras.Input(shape=(None,), dtype="int32", name="ids")
        x = recurrent_stack(ids, vocabulary_size=vocabulary_size, embedding_dim=self.embedding_dim,
                            cell=self.cell, units=self.units, layers=self.layers,
                            bidirectional=self.bidirectional,
                            return_sequences=self.pooling != "last", input_dropout=self.dropout,
                            embedding_dropout=self.embedding_dropout, builtin=self.builtin,
                            seed=self.seed)
        if self.pooling == "max":
            x = MaskedGlobalMaxPooling1D(name="max_pooling")(x)
        x = keras.layers.Dropout(self.dropout, seed=self.seed, name="dropout")(x)
        if self.bag_of_words:
            bag = BagOfNgrams(vocabulary_size, name="bag_of_words")(ids)
            x = keras.layers.Concatenate(name="state_and_bag")([x, bag])
        output = keras.layers.Dense(1, activation="sigmoid", name="output")(x)
        network = keras.Model(ids, output, name=f"sentiment_{self.cell}")
        if self.freeze_embeddings:
            network.get_layer("embedding").trainable = False
        return network

    def encode(self, texts):
        """Token ids of ``texts`` as a ``tf.RaggedTensor`` (one row per text, no padding)."""
        self._check_built()
        return tf.cast(self.vectorizer(tf.constant(checks.texts("texts", texts))), tf.int32)

    def _dataset(self, ids, labels=None, batch_size=32, shuffle_seed=None):
        data = tf.data.Dataset.from_tensor_slices(ids if labels is None else (ids, labels))
        if shuffle_seed is not None:
            data = data.shuffle(len(labels), seed=shuffle_seed)
        data = data.ragged_batch(batch_size)
        if labels is None:
            return data.map(lambda x: x.to_tensor(PAD_ID))
        return data.map(lambda x, y: (x.to_tensor(PAD_ID), y))

    # training and prediction --------------------------------------------------------------

    def fit(self, texts, labels, validation_data=None, epochs=10, batch_size=32, patience=1,
            monitor="loss", checkpoints=None, resume=False, verbose=1):
        """Adapt the vocabulary to ``texts`` (unless already built), then train through
        :func:`rnn_zoo.training.fit.fit` with a fresh Adam optimizer (``learning_rate``): early
        stopping on the validation ``monitor`` (``"loss"`` or ``"accuracy"``; the training one
        without validation data) after ``patience`` epochs without improvement, ending with the
        best epoch's weights. The texts are shuffled anew each epoch, from ``seed`` and the
        epoch. ``checkpoints``: a directory (new, or empty; with ``resume`` one holding this
        classifier's checkpoints, which training continues) that gets a checkpoint after every
        epoch and the best epoch's at the end. Returns the Keras ``History``."""
        texts = checks.texts("texts", texts)
        labels = check_labels(labels, len(texts))
        checks.choice("monitor", monitor, MONITORS)
        batch_size = checks.positive_int("batch_size", batch_size)
        if validation_data is not None:                 # every check before any change
            vt, vl = validation_data
            vt = checks.texts("validation texts", vt)
            vl = check_labels(vl, len(vt), "validation labels")
        checkpoints, resume = self._resume_or_adapt(checkpoints, resume,
                                                    lambda: self.adapt(texts))
        if not resume:
            self.prior = float(np.mean(labels))
        ids = self.encode(texts)
        validation = None
        if validation_data is not None:
            validation, monitor = self._dataset(self.encode(vt), vl, 256), f"val_{monitor}"

        def epoch_data(epoch):
            return self._dataset(ids, labels, batch_size,
                                 shuffle_seed=training.data_seed(self.seed, epoch))

        return self._train(epoch_data, validation, epochs, patience, monitor, verbose,
                           checkpoints, resume, "binary_crossentropy", ["accuracy"])

    def pretrain(self, texts, validation_texts=None, epochs=5, batch_size=32, patience=1,
                 verbose=1):
        """Language-model pretraining before :meth:`fit`: the embedding and recurrent layers
        learn to predict each next word of ``texts`` (and, bidirectional, each previous one),
        building the vocabulary from ``texts`` first if there is none; ``fit`` then starts
        from them. See :func:`rnn_zoo.tasks.pretraining.pretrain_language_model`, which this
        calls; returns its ``History``."""
        return pretrain_language_model(self, texts, validation_texts, epochs, batch_size,
                                       patience, verbose)

    def unknown_words(self, texts):
        """Per text, the list of its tokens outside the vocabulary (each read as ``[UNK]``)."""
        self._check_built()
        vocabulary = set(self.vectorizer.get_vocabulary())
        return [[token for token in row if token not in vocabulary]
                for row in tokenize(checks.texts("texts", texts))]

    def known_words(self, texts):
        """Per text, how many of its tokens are in the vocabulary (not ``[UNK]``)."""
        ids = self.encode(texts)
        return tf.reduce_sum(tf.cast(ids > UNK_ID, tf.int32), axis=1).numpy()

    def predict(self, texts, batch_size=256):
        """``P(label 1)`` for each text, a float32 array; see the module docstring for texts
        with no known word."""
        texts = checks.texts("texts", texts)
        ids = self.encode(texts)
        empty = tf.reduce_sum(tf.cast(ids > UNK_ID, tf.int32), axis=1).numpy() == 0
        if empty.any() and self.no_known_words == "raise":
            where = np.flatnonzero(empty)
            raise ValueError(f"`texts` must each hold a word of the vocabulary; received "
                             f"texts[{where[0]}]={texts[where[0]]!r:.80} and {len(where) - 1} "
                             f"other(s) with none (no_known_words='raise')")
        out = np.full(len(texts), self.prior, "float32")
        keep = np.flatnonzero(~empty)
        if len(keep):
            kept = tf.gather(ids, keep)
            out[keep] = self.network.predict(self._dataset(kept, batch_size=batch_size),
                                             verbose=0)[:, 0]
        return out

    def evaluate(self, texts, labels):
        """Accuracy of :meth:`predict` on ``texts``."""
        return accuracy(self.predict(texts), labels)

    def count_params(self):
        self._check_built()
        return self.network.count_params()


# --- ensembles ----------------------------------------------------------------------------------

class Ensemble:
    """The weighted average of already-trained models' probabilities: ``predict(texts)`` is
    ``Σ weights[i] * models[i].predict(texts)``. Nothing is trained here; a model is anything
    with ``predict(texts)`` returning one ``P(label 1)`` per text (:class:`BagOfWords`,
    :class:`SentimentClassifier`, another ``Ensemble``). ``weights`` (default: equal) are
    numbers >= 0 that sum to 1. Its ``repr`` lists the weighted members, ``Ensemble(0.7 ×
    SentimentClassifier(...), 0.3 × BagOfWords(...))``: a result reported for it says it is
    an ensemble."""

    def __init__(self, models, weights=None):
        if isinstance(models, (str, bytes)) or not hasattr(models, "__iter__"):
            raise TypeError(f"`models` must be a list of models with predict(texts); received "
                            f"models={models!r:.80}")
        self.models = list(models)
        if not self.models:
            raise ValueError("`models` must hold at least one model; received an empty list")
        for i, model in enumerate(self.models):
            if not callable(getattr(model, "predict", None)):
                raise TypeError(f"`models[{i}]` must have a predict(texts) method; received "
                                f"{model!r:.80} of type {type(model).__name__}")
        if weights is None:
            weights = [1.0 / len(self.models)] * len(self.models)
        if isinstance(weights, (str, bytes)) or not hasattr(weights, "__iter__"):
            raise TypeError(f"`weights` must be a list of numbers, one per model; received "
                            f"weights={weights!r}")
        weights = list(weights)
        if len(weights) != len(self.models):
            raise ValueError(f"`weights` must hold one weight per model ({len(self.models)}); "
                             f"received {len(weights)}: weights={weights!r}")
        self.weights = [_number(f"weights[{i}]", w, positive=False) for i, w in enumerate(weights)]
        if abs(sum(self.weights) - 1.0) > 1e-6:
            raise ValueError(f"`weights` must sum to 1; received weights={weights!r} (sum "
                             f"{sum(self.weights):g})")

    def __repr__(self):
        def name(model):
            own = type(model).__repr__ is not object.__repr__
            return repr(model) if own else type(model).__name__
        return ("Ensemble(" + ", ".join(f"{w:g} × {name(m)}"
                                        for w, m in zip(self.weights, self.models)) + ")")

    def predict(self, texts):
        """The weighted average of the models' ``predict(texts)``, a float32 array."""
        texts = checks.texts("texts", texts)
        total = np.zeros(len(texts))
        for i, (weight, model) in enumerate(zip(self.weights, self.models)):
            out = np.asarray(model.predict(texts), "float64").reshape(-1)
            if out.shape != (len(texts),):
                raise ValueError(f"`models[{i}]`.predict must give one probability per text "
                                 f"({len(texts)}); received shape {out.shape}")
            total += weight * out
        return total.astype("float32")

    def evaluate(self, texts, labels):
        """Accuracy of :meth:`predict` on ``texts``."""
        return accuracy(self.predict(texts), labels)
