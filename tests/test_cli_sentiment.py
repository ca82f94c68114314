"""The sentiment commands of ``rnn-zoo``: ``train sentiment`` on a tiny IMDB-layout directory
made here (never the real corpora), then ``classify`` with its checkpoint; bad arguments exit
with argparse's status 2 and a message naming them."""

import contextlib
import io
import re

import numpy as np
import pytest

from rnn_zoo.cli import main as cli
from rnn_zoo.training.checkpoints import CheckpointDirectory
from rnn_zoo.tasks.sentiment import SentimentClassifier
from conftest import write_imdb
from test_sentiment import toy_corpus

TINY = ["--cell", "gru", "--units", "4", "--embedding-dim", "4", "--epochs", "1", "--seed", "0",
        "--verbose", "2"]


@pytest.fixture(scope="module")
def imdb(tmp_path_factory):
    """``{train,test}/{pos,neg}/*.txt`` of toy reviews: 120 for training, 40 for testing."""
    return write_imdb(tmp_path_factory.mktemp("aclImdb"),
                      {"train": toy_corpus(120, 0), "test": toy_corpus(40, 1)})


@pytest.fixture(scope="module")
def trained(imdb, tmp_path_factory):
    """The checkpoint directory, and what ``train sentiment`` printed."""
    out = tmp_path_factory.mktemp("runs") / "sentiment"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cli.main(["train", "sentiment", "--data", str(imdb), "--out", str(out),
                         *TINY]) == 0
    return out, printed.getvalue()


def test_train_checkpoints_and_prints_validation_and_test_accuracy(trained, imdb):
    out, printed = trained
    assert "109 train / 11 valid / 40 test texts" in printed     # 10 % of each class held out
    match = re.search(r"validation accuracy ([0-9.]+) .* test accuracy ([0-9.]+)", printed)
    assert match, printed
    model = SentimentClassifier.load(out)
    assert (model.cell, model.units, model.embedding_dim) == ("gru", 4, 4)
    test_texts, test_labels = toy_corpus(40, 1)
    assert float(match[2]) == pytest.approx(model.evaluate(test_texts, test_labels), abs=1e-4)


def test_a_recipe_fills_the_options_not_given_and_its_early_stopping(imdb, tmp_path, capsys):
    """--recipe tuned is rnn_zoo.tasks.sentiment.TUNED with TUNED_FIT, what is given overriding."""
    from rnn_zoo.tasks.sentiment import TUNED

    out = tmp_path / "recipe"
    assert cli.main(["train", "sentiment", "--data", str(imdb), "--out", str(out), "--recipe",
                     "tuned", "--units", "4", "--epochs", "1", "--verbose", "2"]) == 0
    config = SentimentClassifier.load(out).get_config()
    assert config["units"] == 4
    for name in ("cell", "bidirectional", "embedding_dim", "pooling", "min_count", "dropout"):
        assert config[name] == TUNED[name], name
    assert "the best epoch by validation accuracy" in capsys.readouterr().out


def test_classify_prints_the_models_probability_and_notes(trained, capsys):
    out, _ = trained
    texts = ["the movie was good", "the film was xyzzy and dull", "zzz qqq", "", "?!"]
    assert cli.main(["classify", str(out), *texts]) == 0
    printed = capsys.readouterr().out
    found = [float(p) for p in re.findall(r"P\(positive\) = ([0-9.]+)", printed)]
    expected = SentimentClassifier.load(out).predict(texts)
    np.testing.assert_allclose(found, expected, atol=1e-4)
    lines = printed.splitlines()
    assert lines[2] == "    note: 1 of 6 words outside the vocabulary, read as [UNK]: xyzzy"
    assert lines[4].startswith("    note: no word it knows, so P(positive) is the training")
    assert lines[6].startswith("    note: no words") and lines[8].startswith("    note: no words")
    for line, p in zip([l for l in lines if l.startswith("P(")], found):
        assert line.split()[3] == ("positive" if p > 0.5 else "negative")


def test_train_refuses_an_existing_checkpoint(trained, capsys):
    out, _ = trained
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "sentiment", "--data", "whatever", "--out", str(out)])
    assert exit_.value.code == 2 and "already holds a checkpoint" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == stamps


@pytest.fixture
def language_model_checkpoint(tmp_path):
    """A checkpoint directory of another class."""
    CheckpointDirectory(tmp_path / "lm").claim("RNNLanguageModel")
    return tmp_path / "lm"


@pytest.mark.parametrize("argv, message", [
    (["classify", "no/such/dir", "good"], "'no/such/dir' is not a checkpoint directory"),
    (["classify", "LM", "good"], "holds a RNNLanguageModel checkpoint, not a SentimentClassifier"),
    (["classify", "CK"], "give at least one TEXT, or --file with one text per line"),
    (["train", "sentiment", "--out", "X", "--data", "no/such/dir"],
     "--data must be rotten_tomatoes or an IMDB directory"),
    (["train", "sentiment", "--out", "X", "--units", "0"], "--units: must be a positive integer"),
    (["train", "sentiment", "--out", "X", "--cell", "rnn"], "--cell: invalid choice"),
    (["train", "sentiment", "--out", "X", "--embedding-dropout", "1"],
     "--embedding-dropout: must be in [0, 1)"),
    (["train", "sentiment", "--cell", "gru"], "the following arguments are required: --out"),
    (["train", "sentiment", "--out", "X", "--embeddings", "glove-6b-50d", "--embedding-dim",
      "64"], "`embedding_dim` must be 50"),
    (["train", "sentiment", "--out", "X", "--freeze-embeddings"], "needs pretrained `embeddings`"),
    (["train", "sentiment", "--out", "X", "--embeddings", "word2vec"], "--embeddings: invalid"),
])
def test_bad_arguments_exit_with_a_message(argv, message, trained, language_model_checkpoint,
                                           tmp_path, capsys):
    names = {"CK": str(trained[0]), "LM": str(language_model_checkpoint),
             "X": str(tmp_path / "out")}
    with pytest.raises(SystemExit) as exit_:
        cli.main([names.get(a, a) for a in argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_classify_reads_texts_from_a_file_or_standard_input(trained, tmp_path, capsys,
                                                            monkeypatch):
    """One text per line, blank lines left out: a text too long for an argument list (here
    20,000 words) goes in a file."""
    out, _ = trained
    long_text = " ".join(["good"] * 10_000 + ["dull"] * 10_000)
    texts = ["the movie was good", long_text, "the film was dull"]
    path = tmp_path / "texts.txt"
    path.write_text(f"{texts[0]}\n\n{texts[1]}\n   \n{texts[2]}\n", encoding="utf-8")
    expected = SentimentClassifier.load(out).predict(texts)
    assert cli.main(["classify", str(out), "--file", str(path)]) == 0
    found = [float(p) for p in re.findall(r"P\(positive\) = ([0-9.]+)", capsys.readouterr().out)]
    np.testing.assert_allclose(found, expected, atol=1e-4)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    assert cli.main(["classify", str(out), "an extra text", "--file", "-"]) == 0
    assert len(re.findall(r"P\(positive\) = ", capsys.readouterr().out)) == 4
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    with pytest.raises(SystemExit):
        cli.main(["classify", str(out), "--file", str(tmp_path / "latin1.txt")])
    assert "is not UTF-8 text" in capsys.readouterr().err
