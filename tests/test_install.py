"""The package as others install it: an editable install that a folder named ``rnn_zoo`` in the
working directory does not shadow, the wheel and sdist that ``python -m build`` makes (and the
wheel installed and run on its own), and the ``rnn-zoo`` command's output: no TensorFlow log
lines unless ``rnn-zoo --verbose COMMAND`` asks for them, and a ``--help`` that imports no
backend and gives every command one plain line."""

import importlib.util
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

import rnn_zoo

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = pathlib.Path(rnn_zoo.__file__).resolve().parent
SUBCOMMANDS = {"verify", "demo", "train", "sample", "eval", "classify"}
NOT_SHIPPED = ("tests/", "notebooks/", "bench/", "assignments/")
# What TensorFlow's C++ side (absl) writes on stderr: "I0000 00:00:17... port.cc:153] oneDNN ...",
# "WARNING: All log messages before absl::InitializeLog() ...", "To enable the following
# instructions: AVX2 ..." (the second line of cpu_feature_guard's).
TF_LOG = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d|absl::|oneDNN|cpu_feature_guard|TensorFlow binary"
                    r"|To enable the following instructions|cuda|cuInit", re.M | re.I)


def _tf_lines(stderr):
    """TensorFlow's log lines in ``stderr``, each without its time stamp and thread id."""
    return {re.sub(r"^[IWEF]\d{4} [\d:.]+\s+\d+ ", "", line)
            for line in stderr.splitlines() if TF_LOG.search(line)}


def _env(**changes):
    """This process's environment for a child Python: ``None`` removes a variable.
    PYTHONSAFEPATH would keep the script's folder off sys.path (which the shadow test needs)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _command_lines(help_text):
    """``{command: help}`` from the COMMAND section of ``rnn-zoo --help``; a help wrapped onto
    a second line gets that line appended after a newline."""
    commands, last = {}, None
    for line in help_text.splitlines():
        if re.match(r"^ {4}\S", line):
            name, _, text = line.strip().partition(" ")
            commands[name], last = text.strip(), name
        elif last is not None and re.match(r"^ {6,}\S", line):
            commands[last] += "\n" + line.strip()
        else:
            last = None
    return commands


def test_a_clone_folder_named_rnn_zoo_does_not_shadow_the_package(tmp_path):
    # `git clone ... rnn_zoo` and a script beside it: with setuptools' default editable finder
    # the folder was imported as an empty namespace package ("cannot import name 'GRUCell'
    # from 'rnn_zoo' (unknown location)")
    clone = tmp_path / "rnn_zoo"
    clone.mkdir()
    (clone / "README.md").write_text("# rnn_zoo\n")
    script = tmp_path / "use_it.py"
    script.write_text("import rnn_zoo\nfrom rnn_zoo import GRUCell\nprint(rnn_zoo.__file__)\n")
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=_env(),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert pathlib.Path(run.stdout.strip().splitlines()[-1]).resolve() == PACKAGE / "__init__.py"


def _source_copy(destination):
    """The repository's files as git sees them (tracked and untracked, not ignored), copied:
    builds write build/ and *.egg-info there, not into the repository."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the repository's git checkout")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():                  # a tracked file deleted in the working tree is not
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def test_wheel_and_sdist_build_install_and_run(tmp_path):
    pytest.importorskip("build", reason="python -m build: pip install build (requirements.txt)")
    source = _source_copy(tmp_path / "source")
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--sdist",
                            "--outdir", str(dist), str(source)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,), (sdist,) = dist.glob("*.whl"), dist.glob("*.tar.gz")

    modules = {p.relative_to(source).as_posix() for p in (source / "rnn_zoo").rglob("*.py")}
    packages = {p.parent.relative_to(source).as_posix()
                for p in (source / "rnn_zoo").rglob("__init__.py")}
    assert {"rnn_zoo", "rnn_zoo/cells", "rnn_zoo/cli", "rnn_zoo/proof"} <= packages
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    assert {name.split("/")[0] for name in in_wheel} == {"rnn_zoo", wheel.name.split("-py")[0]
                                                         + ".dist-info"}
    assert {name for name in in_wheel if name.endswith(".py")} == modules
    assert {f"{package}/__init__.py" for package in packages} <= in_wheel
    assert not [name for name in in_wheel if name.startswith(NOT_SHIPPED)]
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in in_wheel if n.endswith("entry_points.txt"))).decode()
    assert "rnn-zoo = rnn_zoo.cli.main:main" in entry_points

    with tarfile.open(sdist) as archive:
        in_sdist = {name.partition("/")[2] for name in archive.getnames()}
    assert {"setup.cfg", "pyproject.toml", "README.md", "LICENSE", "PKG-INFO"} <= in_sdist
    assert modules <= in_sdist
    assert not [name for name in in_sdist if name.startswith(NOT_SHIPPED)]

    site = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                                "--quiet", "--target", str(site), str(wheel)],
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]

    # the installed wheel, not the repository: a neutral working directory, the wheel's folder
    # first on sys.path (NumPy, Keras and the backend come from this environment)
    neutral = tmp_path / "elsewhere"
    neutral.mkdir()
    env = _env(PYTHONPATH=str(site), TF_CPP_MIN_LOG_LEVEL="3")
    smoke = ("import json, numpy as np, rnn_zoo\n"
             "y = rnn_zoo.GRU(3)(np.ones((2, 4, 5), 'float32'))\n"
             "print(json.dumps({'file': rnn_zoo.__file__, 'shape': list(y.shape),\n"
             "                  'finite': bool(np.isfinite(np.asarray(y)).all())}))\n")
    run = subprocess.run([sys.executable, "-c", smoke], cwd=neutral, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert pathlib.Path(result["file"]).resolve().is_relative_to(site.resolve())
    assert result["shape"] == [2, 3] and result["finite"]

    script = site / "bin" / "rnn-zoo"
    assert script.is_file()
    command = [str(script)] if os.access(script, os.X_OK) else [sys.executable, str(script)]
    helped = subprocess.run(command + ["--help"], cwd=neutral, env=env, capture_output=True,
                            text=True, timeout=120)
    assert helped.returncode == 0, helped.stderr[-3000:]
    assert set(_command_lines(helped.stdout)) == SUBCOMMANDS, helped.stdout


def test_help_imports_no_backend_and_gives_each_command_one_plain_line():
    code = ("import json, sys\n"
            "from rnn_zoo.cli.main import main\n"
            "try:\n"
            "    main(['--help'])\n"
            "except SystemExit as stop:\n"
            "    assert stop.code == 0, stop.code\n"
            "print(json.dumps(sorted(m for m in ('keras', 'tensorflow', 'jax', 'torch')\n"
            "                        if m in sys.modules)))\n")
    run = subprocess.run([sys.executable, "-c", code], env=_env(COLUMNS="80"),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    help_text, _, loaded = run.stdout.rstrip().rpartition("\n")
    assert json.loads(loaded) == []
    commands = _command_lines(help_text)
    assert set(commands) == SUBCOMMANDS, help_text
    assert all(text and "\n" not in text for text in commands.values()), commands
    assert "--verbose" in help_text
    assert not re.search(r"`|:(mod|func|class|meth|attr):", help_text), help_text


def _cli(*args, **env):
    script = pathlib.Path(sys.executable).with_name("rnn-zoo")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "rnn_zoo.cli.main"]
    return subprocess.Popen(command + list(args), env=_env(**env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="needs TensorFlow")
def test_tensorflow_log_lines_only_with_verbose():
    # TF_CPP_MIN_LOG_LEVEL removed: what TensorFlow prints when nobody silences it. The three
    # processes run side by side (about 10 s each on a 2-core machine).
    env = {"TF_CPP_MIN_LOG_LEVEL": None, "KERAS_BACKEND": "tensorflow"}
    quiet = _cli("verify", "--family", "SimpleRNN", **env)
    verbose = _cli("--verbose", "verify", "--family", "SimpleRNN", **env)
    bare = subprocess.Popen([sys.executable, "-c", "import tensorflow"], env=_env(**env),
                            stderr=subprocess.PIPE, text=True)
    (quiet_out, quiet_err), (verbose_out, verbose_err) = quiet.communicate(300), verbose.communicate(300)
    bare_err = bare.communicate(300)[1]

    assert quiet.returncode == 0, quiet_err[-3000:]
    assert re.search(r"\b\d+ passed, 0 failed", quiet_out), quiet_out[-2000:]
    assert not _tf_lines(quiet_err), quiet_err

    assert verbose.returncode == 0, verbose_err[-3000:]
    assert re.search(r"\b\d+ passed, 0 failed", verbose_out), verbose_out[-2000:]
    # --verbose leaves TensorFlow alone: whatever a bare `import tensorflow` prints here
    # (absl/oneDNN/CPU-feature lines on a 2-core CPU machine with tensorflow-cpu 2.21), the
    # command prints too. Where TensorFlow prints nothing, this checks only that it succeeds.
    assert _tf_lines(bare_err) <= _tf_lines(verbose_err), (bare_err, verbose_err)
