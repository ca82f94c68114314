r"""Many-to-many with different lengths (slide section 9): an encoder-decoder that rewrites dates
written many ways ("3 March 2021", "Mar 3, 21", "03/03/2021", "Wednesday, March 3rd 2021",
...) as ISO dates ("2021-03-03").

**The model** (:class:`EncoderDecoder`) is the slides' sequence-to-vector encoder followed by a
vector-to-sequence decoder, both character-level and built from zoo layers::

    e<t> = E_x[x<t>]                         the source characters (padding masked)
    h<t> = cell(e<t>, h<t-1>),  h<0> = 0     the encoder: zoo GRU / LSTM layers
    a<0> = h<T_x>                            its final state (every layer's, and c for an
                                             LSTM) is the decoder's initial state
    a<t> = cell(E_y[y<t-1>], a<t-1>)         the decoder of rnn_zoo.lm.conditioned: y<0> = </s>
    ŷ<t> = softmax(W_ya a<t> + b_y)          P(y<t> | source, y<1>, ..., y<t-1>)

so the whole source reaches the decoder only through that one state vector (no attention).
Training is teacher forcing: the decoder reads the target shifted right by the start token
``</s>`` and predicts the target followed by ``</s>`` (Keras ``fit``, early stopping on the
validation loss). Decoding runs the encoder once per source, then the decoder one step at a
time from ``a<0>``, carrying its state (``EncoderDecoder.conditioned_on(source)`` is the
language model ``P(y | source)``): :meth:`EncoderDecoder.greedy` takes the most likely
character at every step (:func:`rnn_zoo.lm.sampling.generate` with ``top_k=1``),
:meth:`EncoderDecoder.beam_search` keeps the ``beam_width`` most likely prefixes
(:func:`rnn_zoo.lm.sampling.beam_search`: ranked by total log-probability, end token included).

**Inputs the model cannot read** raise ``ValueError`` naming the source: an empty string, one
longer than ``max_source_length`` characters, one with characters outside the source vocabulary
(a ``keras.layers.StringLookup`` over the characters given at construction; nothing is lower-
cased or stripped). A bare string where a list is expected raises ``TypeError``.

**The data** (:func:`date_examples`) are made here, seeded. Every day from 1950-01-01 to
2049-12-31 goes to one split (train / valid / test: 80 / 10 / 10 % of the days, dealt by
:func:`rnn_zoo.data.datasets.split_items`), so the splits never share a date; each example writes
its day in one of :data:`DATE_FORMATS`, drawn uniformly. The formats, with two examples:

===================================  =========================  ============================
format                               2021-03-03                 2005-11-24
===================================  =========================  ============================
``{d} {Month} {yyyy}``               3 March 2021               24 November 2005
``{dd} {Mon} {yyyy}``                03 Mar 2021                24 Nov 2005
``{Mon} {d}, {yy}``                  Mar 3, 21                  Nov 24, 05
``{Month} {d}, {yyyy}``              March 3, 2021              November 24, 2005
``{Weekday}, {Month} {dth} {yyyy}``  Wednesday, March 3rd 2021  Thursday, November 24th 2005
``{Wkd} {d} {Mon} {yyyy}``           Wed 3 Mar 2021             Thu 24 Nov 2005
``{dth} of {Month} {yyyy}``          3rd of March 2021          24th of November 2005
``{month} {d} {yyyy}``               march 3 2021               november 24 2005
``{dd}/{mm}/{yyyy}``                 03/03/2021                 24/11/2005
``{d}/{m}/{yy}``                     3/3/21                     24/11/05
``{dd}.{mm}.{yyyy}``                 03.03.2021                 24.11.2005
``{yyyy}-{mm}-{dd}``                 2021-03-03                 2005-11-24
``{yyyy}{mm}{dd}``                   20210303                   20051124
===================================  =========================  ============================

Numeric dates put the day first (the US month-first order is left out: "03/04/2021" would be
ambiguous). A two-digit year ``yy`` is 19yy for 50-99 and 20yy for 00-49, which the date range
makes exact. Weekdays are the true ones (a distraction: the target does not need them).
"""

import datetime
from typing import NamedTuple

import keras
import numpy as np

from rnn_zoo import checks
from rnn_zoo.backends import LazyTensorFlow
from rnn_zoo.cells.registry import layer_class
from rnn_zoo.data import datasets, text
from rnn_zoo.lm import sampling
from rnn_zoo.lm.conditioned import VectorToSequence

tf = LazyTensorFlow("rnn_zoo.tasks.seq2seq (tf.strings)")

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FIRST_DAY, LAST_DAY = datetime.date(1950, 1, 1), datetime.date(2049, 12, 31)
DATE_FORMATS = (
    "{d} {Month} {yyyy}", "{dd} {Mon} {yyyy}", "{Mon} {d}, {yy}", "{Month} {d}, {yyyy}",
    "{Weekday}, {Month} {dth} {yyyy}", "{Wkd} {d} {Mon} {yyyy}", "{dth} of {Month} {yyyy}",
    "{month} {d} {yyyy}", "{dd}/{mm}/{yyyy}", "{d}/{m}/{yy}", "{dd}.{mm}.{yyyy}",
    "{yyyy}-{mm}-{dd}", "{yyyy}{mm}{dd}",
)
"""The ways a source writes a date: ``str.format`` templates over :func:`date_fields`."""


# ------------------------------------------------------------------------------- the data
def ordinal(n):
    """``1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st, 22nd, 23rd, ..., 31st``."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def date_fields(day):
    """The fields :data:`DATE_FORMATS` use, for a ``datetime.date``."""
    month, weekday = MONTHS[day.month - 1], WEEKDAYS[day.weekday()]
    return {"d": day.day, "dd": f"{day.day:02d}", "dth": ordinal(day.day), "m": day.month,
            "mm": f"{day.month:02d}", "Month": month, "Mon": month[:3], "month": month.lower(),
            "yyyy": f"{day.year:04d}", "yy": f"{day.year % 100:02d}", "Weekday": weekday,
            "Wkd": weekday[:3]}


def format_date(day, template):
    """``day`` (a ``datetime.date``) written with ``template``, one of :data:`DATE_FORMATS`."""
    if template not in DATE_FORMATS:
        raise ValueError(f"`template` must be one of DATE_FORMATS; received template="
                         f"{template!r:.80}")
    return template.format(**date_fields(day))


class DateSplit(NamedTuple):
    """One split of :func:`date_examples`: three lists, one item per example."""

    sources: list
    """The dates as written, e.g. ``"Mar 3, 21"``."""
    targets: list
    """The same dates in ISO form, ``"2021-03-03"``."""
    formats: list
    """The template of :data:`DATE_FORMATS` each source was written with."""


def date_examples(n_train=20000, n_valid=1000, n_test=1000, seed=0):
    """``{"train", "valid", "test"}``: :class:`DateSplit` of ``n_train`` / ``n_valid`` /
    ``n_test`` date-conversion examples, each a different day (see the module docstring).

    The days from :data:`FIRST_DAY` to :data:`LAST_DAY` (36,525) are dealt to the splits by
    ``datasets.split_items(days, valid=0.1, test=0.1, seed=seed)`` (29,221 / 3,652 / 3,652
    days); each split takes its first ``n`` days in that shuffled order, and writes each in a
    format drawn uniformly from :data:`DATE_FORMATS` (``numpy.random.default_rng([seed, k])``
    for the ``k``-th split, 0 = train). The same ``seed`` gives the same examples, and a split
    does not depend on the other splits' sizes (the test set stays put as ``n_train`` grows).
    """
    sizes = {"train": n_train, "valid": n_valid, "test": n_test}
    sizes = {split: checks.positive_int(f"n_{split}", n) for split, n in sizes.items()}
    days = [FIRST_DAY + datetime.timedelta(i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    dealt = datasets.split_items(days, valid=0.1, test=0.1, seed=seed)
    for split, n in sizes.items():
        if n > len(dealt[split]):
            raise ValueError(f"`n_{split}` must be at most {len(dealt[split])}, the days in the "
                             f"{split} split; received n_{split}={n}")
    examples = {}
    for k, (split, n) in enumerate(sizes.items()):
        chosen = dealt[split][:n]
        rng = np.random.default_rng([seed, k])
        formats = [DATE_FORMATS[i] for i in rng.integers(len(DATE_FORMATS), size=n)]
        examples[split] = DateSplit([format_date(day, f) for day, f in zip(chosen, formats)],
                                    [day.isoformat() for day in chosen], formats)
    return examples


def exact_match(predictions, targets):
    """The fraction of ``predictions`` equal to their target, whole string against whole
    string."""
    predictions, targets = list(predictions), list(targets)
    if len(predictions) != len(targets) or not targets:
        raise ValueError(f"`predictions` and `targets` must have the same, non-zero length; "
                         f"received {len(predictions)} and {len(targets)}")
    return float(np.mean([p == t for p, t in zip(predictions, targets)]))


# ------------------------------------------------------------------------------ the model
def _characters(name, value):
    if not isinstance(value, str):
        raise TypeError(f"`{name}` must be a str of characters; received {name}={value!r:.80}")
    if not value:
        raise ValueError(f"`{name}` must hold at least one character; received {name}=''")
    return value


class EncoderDecoder(VectorToSequence):
    r"""A character encoder-decoder (see the module docstring): an encoder of ``layers`` zoo
    layers (``cell``: ``"simple_rnn"``, ``"gru"`` or ``"lstm"``, ``units`` each) reads the
    source; its final states start a decoder with the same shape.

    Args:
        source_characters: the characters a source may hold, as a str (duplicates ignored,
            e.g. ``"".join(train_sources)``): the encoder's ``StringLookup`` vocabulary, after
            the padding id 0 (``mask_token=""``).
        target_characters: the characters a target may hold; with ``eos_token`` they are the
            decoder's vocabulary (:func:`rnn_zoo.data.text.char_vocabulary`).
        embedding_dim: the size of the source and target character embeddings.
        dropout: ``keras.layers.Dropout`` on the embeddings and between layers, encoder and
            decoder.
        max_source_length: the longest source it reads; a longer one raises ``ValueError``.
        eos_token: the decoder's end character (also its start input ``y<0>``).
        batch_size: how many examples :meth:`log_probs` runs at once.

    ``fit(sources, targets, validation_data=(sources, targets))`` trains it (see
    :meth:`~rnn_zoo.lm.conditioned.VectorToSequence.fit`); sources and targets are lists of str.
    """

    conditions_name, outputs_name = "sources", "targets"

    def __init__(self, source_characters, target_characters, cell="gru", units=128, layers=1,
                 embedding_dim=32, dropout=0.0, max_source_length=40, eos_token="\n",
                 batch_size=256):
        source_characters = sorted(set(_characters("source_characters", source_characters)))
        target_characters = _characters("target_characters", target_characters)
        self.source_characters = frozenset(source_characters)
        tf.require()
        self.source_lookup = keras.layers.StringLookup(
            vocabulary=source_characters, mask_token="", num_oov_indices=0)
        self.max_source_length = checks.positive_int("max_source_length", max_source_length)
        super().__init__(text.char_vocabulary(target_characters, eos_token), cell, units,
                         layers, embedding_dim, dropout, None, eos_token, batch_size)

    def get_config(self):
        decoder = self.decoder.get_config()
        eos = decoder["eos_token"]
        return {"source_characters": "".join(sorted(self.source_characters)),
                "target_characters": "".join(c for c in decoder["vocabulary"] if c != eos),
                **{name: decoder[name] for name in ("cell", "units", "layers", "embedding_dim",
                                                    "dropout", "eos_token", "batch_size")},
                "max_source_length": self.max_source_length}

    def _state_network(self):
        """The encoder: source ids -> every layer's final state."""
        decoder = self.decoder
        source = keras.Input(shape=(None,), dtype="int32", name="source")
        x = keras.layers.Embedding(self.source_lookup.vocabulary_size(), decoder.embedding_dim,
                                   mask_zero=True, name="source_embedding")(source)
        states = []
        for i in range(decoder.layers):
            if decoder.dropout:
                x = keras.layers.Dropout(decoder.dropout, name=f"encoder_dropout_{i}")(x)
            x, *layer_states = layer_class(decoder.cell)(
                decoder.units, return_sequences=i < decoder.layers - 1, return_state=True,
                name=f"encoder_{i}")(x)
            states += layer_states
        return keras.Model(source, states, name="encoder")

    def _check_condition(self, source, name):
        if not source:
            raise ValueError(f"`{name}` must hold at least one character; received {name}=''")
        if len(source) > self.max_source_length:
            raise ValueError(f"`{name}` must be at most max_source_length="
                             f"{self.max_source_length} characters long; received "
                             f"{len(source)} characters: {source!r:.80}")
        unknown = sorted(set(source) - self.source_characters)
        if unknown:
            raise ValueError(f"`{name}` holds characters outside the source vocabulary: "
                             f"{unknown!r:.120}; received {name}={source!r:.80}")

    def _encode(self, sources):
        """Source ids, padded with 0 to the longest source."""
        chars = tf.strings.unicode_split(tf.constant(sources), "UTF-8")
        return self.source_lookup(chars).to_tensor(0).numpy().astype(np.int32)

    def _token_lists(self, targets):
        return [list(target) for target in checks.texts("targets", targets)]

    # --------------------------------------------------------------------------- decoding
    def greedy(self, sources, max_length=40):
        """The greedy decoding of each source: at every step the most likely character, fed
        back in, until the end token or ``max_length`` characters. Returns a list of str."""
        max_length = checks.positive_int("max_length", max_length)
        return ["".join(sampling.generate(view, max_tokens=max_length, top_k=1))
                for view in self._views(sources)]

    def beam_search(self, sources, beam_width=3, max_length=40):
        """Beam search (:func:`rnn_zoo.lm.sampling.beam_search`) for each source: a list, per
        source, of at most ``beam_width`` :class:`~rnn_zoo.lm.sampling.Hypothesis` (``tokens``:
        characters), most likely first. ``beam_width=1`` is greedy decoding."""
        beam_width = checks.positive_int("beam_width", beam_width)
        max_length = checks.positive_int("max_length", max_length)
        return [sampling.beam_search(view, beam_width=beam_width, max_tokens=max_length)
                for view in self._views(sources)]

    def __repr__(self):
        d = self.decoder
        return (f"EncoderDecoder(cell={d.cell!r}, units={d.units}, layers={d.layers}, "
                f"sources: {self.source_lookup.vocabulary_size()} ids, targets: "
                f"{len(d.vocabulary)} characters)")
