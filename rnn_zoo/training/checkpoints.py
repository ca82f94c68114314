"""The one checkpoint directory format of the zoo: atomic, verified, and never losing the last good
state (what Keras's ``BackupAndRestore(double_checkpoint=True)`` and Orbax's ``CheckpointManager``
promise).

A checkpoint directory (``--out``) holds a marker and numbered checkpoints::

    OUT/rnn_zoo.json            {"format": "rnn_zoo-checkpoints", "version": 1, "kind": <class>}
    OUT/ckpt-000007/config.json     the model's class and constructor arguments (vocabulary too)
                    arrays.npz      the network's weights, the optimizer's variables and every
                                    seed generator's state, in the network's own order
                    state.json      the epoch, the data seed, the run's settings, the metrics
                    manifest.json   written last: the format version and every file's sha256

Every file is written into a temporary folder beside the others, flushed with ``fsync``, and the
folder is renamed into place (atomic on POSIX): a kill at any moment leaves the earlier
checkpoints whole. A checkpoint counts only if its manifest is there and every file matches its
sha256, so a torn or edited one is found out and the one before it is used, with a warning.
The two newest good checkpoints are kept, and the best (lowest monitored metric) besides.
"""

import hashlib
import json
import os
import pathlib
import shutil
import tempfile
import warnings

FORMAT, VERSION = "rnn_zoo-checkpoints", 1
MARKER = "rnn_zoo.json"
FILES = ("config.json", "arrays.npz", "state.json")
MANIFEST = "manifest.json"
PREFIX, TEMPORARY = "ckpt-", ".tmp-"
KEEP = 2


class CheckpointWarning(UserWarning):
    """A checkpoint was skipped (damaged or edited) and an older one used instead."""


def sha256(path):
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _serial(path):
    """``ckpt-000007`` -> 7."""
    return int(pathlib.Path(path).name[len(PREFIX):])


def best_of(good):
    """The checkpoint with the best (lowest) monitored metric; the newest of equals."""
    return min(good, key=lambda c: (c.metric, -c.serial))


def _fsync(path):
    """Flush a file's or a folder's entry to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path, data):
    """Write ``data`` (bytes) to ``path`` atomically: a temporary file in the same folder,
    ``fsync``, then ``os.replace``."""
    path = pathlib.Path(path)
    fd, temporary = tempfile.mkstemp(prefix=TEMPORARY, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise
    _fsync(path.parent)


def _read_json(path, what):
    try:
        value = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{what} {str(path)!r} is unreadable ({type(error).__name__}: {error})")
    if not isinstance(value, dict):
        raise ValueError(f"{what} {str(path)!r} does not hold a JSON object")
    return value


def _check_finite(path):
    """``ValueError`` if an array of the ``.npz`` at ``path`` is unreadable or not finite."""
    import numpy as np

    try:
        with np.load(path) as data:
            arrays = dict(data)
    except (OSError, EOFError, ValueError) as error:
        raise ValueError(f"{path} is unreadable ({type(error).__name__}: {error})") from None
    for name, values in arrays.items():
        if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
            raise ValueError(f"{path} holds NaN or infinite values (in {name})")


class Checkpoint:
    """One verified checkpoint: its ``config``, ``state`` and the path of its ``arrays``."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        manifest = _read_json(self.path / MANIFEST, "manifest")
        if (manifest.get("format"), manifest.get("version")) != (FORMAT, VERSION):
            raise ValueError(f"{self.path} is format {manifest.get('format')!r} version "
                             f"{manifest.get('version')!r}; this rnn_zoo reads {FORMAT!r} "
                             f"version {VERSION}")
        files = manifest.get("files", {})
        for name in FILES:
            if name not in files:
                raise ValueError(f"{self.path}'s manifest lists no {name}")
            if not (self.path / name).is_file():
                raise ValueError(f"{self.path / name} is missing")
            if sha256(self.path / name) != files[name]:
                raise ValueError(f"{self.path / name} does not match the sha256 in its manifest "
                                 "(damaged or edited)")
        _check_finite(self.path / "arrays.npz")
        self.manifest = manifest
        self.config = _read_json(self.path / "config.json", "config")
        self.state = _read_json(self.path / "state.json", "state")
        self.kind = self.config.get("class")
        self.serial = _serial(self.path)

    @property
    def arrays(self):
        return self.path / "arrays.npz"

    @property
    def metric(self):
        """The monitored metric (lower is better), ``inf`` when none was recorded."""
        value = self.state.get("monitor_value")
        return float("inf") if value is None else float(value)

    def __repr__(self):
        return f"Checkpoint({str(self.path)!r}, epoch={self.state.get('epoch')})"


class CheckpointDirectory:
    """``OUT``: the checkpoints of one model, of class ``kind``."""

    def __init__(self, directory):
        self.path = pathlib.Path(directory)

    # ------------------------------------------------------------------------ what is there
    def marker(self):
        """The marker's contents, or None when the folder is not a checkpoint directory."""
        if not (self.path / MARKER).is_file():
            return None
        marker = _read_json(self.path / MARKER, "checkpoint marker")
        if marker.get("format") != FORMAT:
            return None
        return marker

    def serials(self):
        if not self.path.is_dir():
            return []
        return sorted((_serial(p) for p in self.path.iterdir()
                       if p.is_dir() and p.name.startswith(PREFIX) and p.name[len(PREFIX):].isdigit()),
                      reverse=True)

    def checkpoints(self):
        """``(good, damaged)``: the verified checkpoints, newest first, and ``(path, reason)``
        for every one that fails its manifest."""
        good, damaged = [], []
        for serial in self.serials():
            path = self.path / f"{PREFIX}{serial:06d}"
            try:
                good.append(Checkpoint(path))
            except ValueError as error:
                damaged.append((path, str(error)))
        return good, damaged

    def select(self, which="latest", kind=None):
        """The newest good checkpoint (``which="latest"``, what ``--resume`` continues) or the
        one with the best monitored metric (``"best"``, what inference loads). Warns
        (:class:`CheckpointWarning`) about every damaged checkpoint newer than the one chosen;
        ``ValueError`` when there is none, or when ``kind`` (a class name) differs."""
        marker = self.marker()
        if marker is None:
            raise ValueError(f"{str(self.path)!r} is not a checkpoint directory of rnn_zoo "
                             f"(no {MARKER}; train into it first)")
        if kind is not None and marker.get("kind") != kind:
            raise ValueError(f"{str(self.path)!r} holds a {marker.get('kind')} checkpoint, "
                             f"not a {kind}")
        good, damaged = self.checkpoints()
        if not good:
            reasons = "; ".join(reason for _, reason in damaged) or "none was written yet"
            raise ValueError(f"{str(self.path)!r} holds no usable checkpoint ({reasons})")
        chosen = good[0] if which == "latest" else best_of(good)
        for path, reason in damaged:
            if _serial(path) > chosen.serial:
                warnings.warn(f"skipped {path.name}: {reason}; using {chosen.path.name} "
                              f"(epoch {chosen.state.get('epoch')})", CheckpointWarning,
                              stacklevel=2)
        return chosen

    # ------------------------------------------------------------------------------ writing
    def claim(self, kind, resume=False):
        """Make ``OUT`` this model's checkpoint directory, or refuse without touching a byte:

        * a new or empty folder is used (the marker is written), and so is one that holds
          only the marker of a run killed before its first checkpoint;
        * a folder holding this tool's checkpoints is refused unless ``resume`` (of the same
          ``kind``);
        * anything else (a file, a folder with other files) is refused.
        """
        what = f"--out {str(self.path)!r}"
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"{what} is a file, not a folder; choose a new or empty folder")
        marker = self.marker() if self.path.is_dir() else None
        if marker is not None and not self.serials():       # killed before its first epoch
            if resume:
                raise ValueError(f"--resume: {what} holds no checkpoint yet (its run stopped "
                                 "before the first epoch ended); start it again without --resume")
            self._remove_temporaries()
            self._write_marker(kind)
            return
        if marker is not None:
            if marker.get("kind") != kind:
                raise ValueError(f"{what} holds a {marker.get('kind')} checkpoint, not a {kind}; "
                                 "choose another --out")
            if not resume:
                raise ValueError(f"{what} already holds a checkpoint: pass --resume to continue "
                                 "it, or choose another --out")
            return
        if resume:
            raise ValueError(f"--resume: {what} holds no rnn_zoo checkpoint")
        if self.path.is_dir() and any(self.path.iterdir()):
            raise ValueError(f"{what} is a folder with other files in it; rnn_zoo writes only "
                             "into a new or empty folder (nothing was changed)")
        self.path.mkdir(parents=True, exist_ok=True)
        self._write_marker(kind)

    def _write_marker(self, kind):
        write_file(self.path / MARKER, json.dumps(
            {"format": FORMAT, "version": VERSION, "kind": kind}, indent=1).encode())

    def write(self, config, state, write_arrays):
        """A new checkpoint, newest of all: ``config`` and ``state`` (JSON objects) and the
        arrays that ``write_arrays(path)`` saves. Atomic; then prunes to the two newest and the
        best. Returns the :class:`Checkpoint`."""
        self._remove_temporaries()
        serial = max(self.serials(), default=0) + 1
        temporary = pathlib.Path(tempfile.mkdtemp(prefix=TEMPORARY, dir=self.path))
        try:
            (temporary / "config.json").write_text(json.dumps(config, indent=1))
            (temporary / "state.json").write_text(json.dumps(state, indent=1))
            write_arrays(temporary / "arrays.npz")
            _check_finite(temporary / "arrays.npz")        # never write an unusable one
            for name in FILES:
                _fsync(temporary / name)
            manifest = {"format": FORMAT, "version": VERSION, "kind": config.get("class"),
                        "files": {name: sha256(temporary / name) for name in FILES}}
            (temporary / MANIFEST).write_text(json.dumps(manifest, indent=1))
            _fsync(temporary / MANIFEST)
            _fsync(temporary)
            final = self.path / f"{PREFIX}{serial:06d}"
            os.rename(temporary, final)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        _fsync(self.path)
        return self._prune(serial)

    def _prune(self, newest):
        """Keep the two newest good checkpoints and the best; remove the rest, and the damaged
        ones older than ``newest`` (the serial just written). Returns that checkpoint."""
        good, damaged = self.checkpoints()
        keep = {c.serial for c in good[:KEEP]} | {best_of(good).serial}
        for checkpoint in good:
            if checkpoint.serial not in keep:
                shutil.rmtree(checkpoint.path)
        for path, _ in damaged:
            if _serial(path) < newest:
                shutil.rmtree(path)
        return next(c for c in good if c.serial == newest)

    def _remove_temporaries(self):
        """Folders and files that a killed writer left half-written."""
        for path in self.path.glob(TEMPORARY + "*"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
