"""The corpora a language model trains on, as splits of tokenised sentences: the three that
:mod:`rnn_zoo.data.datasets` fetches (``shakespeare``, ``names``, ``ptb``) or any UTF-8 text
file, at the character or the word level (what ``rnn-zoo train lm --data`` reads)."""

import os

from rnn_zoo import checks
from rnn_zoo.data import datasets

CORPORA = ("shakespeare", "names", "ptb")
LEVELS = ("char", "word")


def load(data, level="char", max_chars=None):
    """``{"train", "valid", "test"}``: each a list of sentences (lists of string tokens:
    characters for ``level="char"``, whitespace-separated words for ``"word"``).

    ``shakespeare`` and a path (a UTF-8 text file) are one text: ``max_chars`` keeps its first
    N characters, then :func:`rnn_zoo.data.datasets.split_text` holds out its last 10 % for
    validation (no test split); a line is a sentence. ``names`` (split 80/10/10 by
    :func:`~rnn_zoo.data.datasets.split_items`, one name a sentence) and ``ptb`` (Mikolov's
    split, one line a sentence) come split; ``max_chars`` keeps the leading names/lines of about
    N characters of the training split and N // 10 of each held-out split.

    ``ValueError`` names the argument for an unknown corpus, a file that is not UTF-8 text, an
    empty text, or a damaged cache; ``OSError`` passes on what the file system says.
    """
    checks.choice("level", level, LEVELS)
    if max_chars is not None:
        max_chars = checks.positive_int("max_chars", max_chars)
    if data not in CORPORA and os.path.isdir(data):
        raise ValueError(f"`data` must be one of {', '.join(CORPORA)} or the path of a text "
                         f"file; received data={data!r}, a folder")
    if data not in CORPORA and not os.path.isfile(data):
        raise ValueError(f"`data` must be one of {', '.join(CORPORA)} or the path of a text "
                         f"file; received data={data!r} (no such file)")
    if data == "names" and level == "word":
        raise ValueError("`level` word does not fit `data` names (each name is one word); "
                         "use `level` char")
    if data in ("names", "ptb"):
        splits = _fetched(data, lambda: datasets.split_items(datasets.first_names())
                          if data == "names" else datasets.penn_treebank())
        if max_chars is not None:
            splits = {name: _limit(items, max_chars if name == "train" else max_chars // 10)
                      for name, items in splits.items()}
        lines = splits
    else:
        text = (_fetched(data, datasets.shakespeare) if data == "shakespeare" else
                _read_text(data))
        text = text.replace("\r\n", "\n")
        if max_chars is not None:
            text = text[:max_chars]
        if not text.strip():
            raise ValueError(f"`data` {data!r} holds no text")
        lines = {name: _lines(part) for name, part in datasets.split_text(text).items()}
    if level == "char":
        return {name: [list(line) for line in items] for name, items in lines.items()}
    return {name: [line.split() for line in items if line.split()]
            for name, items in lines.items()}


def _fetched(data, load):
    """``load()``, a damaged cache's ``ValueError`` saying which corpus it was for."""
    try:
        return load()
    except ValueError as error:
        raise ValueError(f"`data` {data}: {error}") from None


def _read_text(path):
    try:
        with open(path, encoding="utf-8", newline="") as file:
            text = file.read()
    except UnicodeDecodeError as error:
        raise ValueError(f"`data` {path!r} is not a UTF-8 text file ({error})") from None
    if "\x00" in text:
        raise ValueError(f"`data` {path!r} holds NUL bytes (the first at character "
                         f"{text.index(chr(0))}): it is not a text file")
    return text


def _limit(sentences, max_chars):
    """The leading ``sentences`` whose characters (one separator each) total <= ``max_chars``
    (at least one sentence)."""
    kept, total = [], 0
    for sentence in sentences:
        total += len(" ".join(sentence) if isinstance(sentence, list) else sentence) + 1
        if kept and total > max_chars:
            break
        kept.append(sentence)
    return kept


def _lines(text):
    """The lines of ``text`` (split at ``"\\n"`` only; a final newline ends the last line)."""
    if not text:
        return []
    lines = text.split("\n")
    return lines[:-1] if lines[-1] == "" else lines
