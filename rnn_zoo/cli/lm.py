"""The language-model commands of ``rnn-zoo``: ``train lm``, ``sample`` and ``eval``
(registered by :func:`rnn_zoo.cli.main.main`)."""

import argparse
import math
import os

from rnn_zoo.cells.registry import NAMES as CELL_NAMES
from rnn_zoo.cli.common import (UsageError, add_verbose, positive_float, positive_int, probability,
                         rate)

CORPORA = ("shakespeare", "names", "ptb")
TRAINING_DEFAULTS = {"batch_size": 32, "seq_len": 100, "learning_rate": 1e-3, "clipnorm": 5.0,
                     "seed": None, "steps_per_epoch": None}
"""The training settings of ``train lm`` that ``--resume`` takes from the checkpoint's run when
they are not given (every checkpoint records them, with the data and model settings, so that
``--resume`` and ``eval`` rebuild the same splits)."""


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


def _load_corpus(data, level, max_chars):
    """``{"train", "valid", "test"}``: each a list of sentences (lists of string tokens:
    characters for ``level="char"``, whitespace-separated words for ``"word"``).

    ``shakespeare`` and a PATH (a UTF-8 text file) are one text: ``--max-chars`` keeps its first
    N characters, then :func:`rnn_zoo.data.datasets.split_text` holds out its last 10 % for
    validation (no test split); a line is a sentence. ``names`` (split 80/10/10 by
    :func:`~rnn_zoo.data.datasets.split_items`, one name a sentence) and ``ptb`` (Mikolov's split, one
    line a sentence) come split; ``--max-chars`` keeps the leading names/lines of about N
    characters of the training split and N // 10 of each held-out split.
    """
    from rnn_zoo.data import datasets

    if data in ("shakespeare", "names", "ptb"):
        pass
    elif not os.path.isfile(data):
        raise UsageError(f"--data must be one of {', '.join(CORPORA)} or the path of a text "
                         f"file; received --data {data!r} (no such file)")
    if data == "names" and level == "word":
        raise UsageError("--level word does not fit --data names (each name is one word); "
                         "use --level char")
    if data in ("names", "ptb"):
        try:
            splits = (datasets.split_items(datasets.first_names()) if data == "names" else
                      datasets.penn_treebank())
        except (ValueError, OSError) as error:     # a damaged cache, a read-only one
            raise UsageError(f"--data {data}: {error}") from None
        if max_chars is not None:
            splits = {name: _limit(items, max_chars if name == "train" else max_chars // 10)
                      for name, items in splits.items()}
        lines = splits
    else:
        if data == "shakespeare":
            try:
                text = datasets.shakespeare()
            except (ValueError, OSError) as error:
                raise UsageError(f"--data {data}: {error}") from None
        else:
            try:
                with open(data, encoding="utf-8", newline="") as file:
                    text = file.read()
            except UnicodeDecodeError as error:
                raise UsageError(f"--data {data!r} is not a UTF-8 text file ({error})")
            if "\x00" in text:
                raise UsageError(f"--data {data!r} holds NUL bytes (the first at character "
                                 f"{text.index(chr(0))}): it is not a text file")
        text = text.replace("\r\n", "\n")
        if max_chars is not None:
            text = text[:max_chars]
        if not text.strip():
            raise UsageError(f"--data {data!r} holds no text")
        splits = datasets.split_text(text)
        lines = {name: _lines(part) for name, part in splits.items()}
    if level == "char":
        return {name: [list(line) for line in items] for name, items in lines.items()}
    return {name: [line.split() for line in items if line.split()]
            for name, items in lines.items()}


def _lines(text):
    """The lines of ``text`` (split at ``"\\n"`` only; a final newline ends the last line)."""
    if not text:
        return []
    lines = text.split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def _stream(model, sentences):
    """Every sentence's ids then the end token's, laid end to end (the windows' stream)."""
    import numpy as np

    eos = [model.eos_token]
    return np.concatenate([model.ids([*sentence, *eos]) for sentence in sentences]
                          or [np.zeros(0, np.int32)])


def _check_known(model, sentences, option):
    """A character model has no ``<UNK>``: every character must be in its vocabulary."""
    if model.unk_token is not None:
        return
    unknown = sorted({token for sentence in sentences for token in sentence}
                     - set(model.token_index))
    if unknown:
        raise UsageError(f"{option} holds characters outside the model's vocabulary: "
                         f"{unknown!r:.200}")


def _windows(model, sentences, seq_len, batch_size, split, seed=None, shuffle=True,
             replicas=1):
    """Batches of ``seq_len``-token windows; a split too small for ``batch_size`` windows gets
    smaller batches, a multiple of ``replicas`` (a MirroredStrategy splits every batch evenly:
    uneven per-replica batches fail in TensorFlow's AddN)."""
    from rnn_zoo.data import text

    ids = _stream(model, sentences)
    windows = (len(ids) - 1) // (seq_len + 1) if len(ids) else 0
    batch_size = min(batch_size, windows) // replicas * replicas
    if batch_size == 0:
        raise UsageError(f"the {split} split holds {len(ids)} tokens, too few for "
                         f"{max(replicas, 1)} window(s) of --seq-len {seq_len} (+1); lower "
                         f"--seq-len or raise --max-chars")
    return text.windows(ids, seq_len, batch_size, shuffle=shuffle, seed=seed)


def _strategy(name):
    import tensorflow as tf

    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def _score(model, sentences, split):
    """``(perplexity, nats per token, number of predicted tokens)`` of ``sentences``."""
    import numpy as np

    if not sentences:
        raise UsageError(f"the {split} split is empty (text data has no test split: use "
                         f"--split valid; or raise --max-chars)")
    scores = model.token_log_probs(sentences)
    nats = float(-scores.mean())
    return float(np.exp(nats)), nats, int(scores.size)


def _print_score(model, sentences, split):
    perplexity, nats, n = _score(model, sentences, split)
    unit = "line" if model.unk_token is None else "sentence"
    print(f"{split}: perplexity {perplexity:.4f}, {nats:.4f} nats/token "
          f"({nats / math.log(2):.4f} bits/token) over {n} tokens "
          f"({len(sentences)} {unit}s, each ending with its end token)")
    return perplexity


def _train_lm(args):
    import secrets

    import keras

    from rnn_zoo.data import text
    from rnn_zoo.lm.rnn import RNNLanguageModel
    from rnn_zoo.training import fit as training
    from rnn_zoo.training.checkpoints import CheckpointDirectory

    out = CheckpointDirectory(args.out)
    try:
        out.claim("RNNLanguageModel", resume=args.resume)       # before any data is read
        latest = out.select("latest", kind="RNNLanguageModel") if args.resume else None
    except ValueError as error:
        raise UsageError(str(error)) from None
    settings = {"data": args.data, "level": args.level, "max_chars": args.max_chars,
                "cell": args.cell, "units": args.units, "layers": args.layers,
                "embedding_dim": args.embedding_dim, "dropout": args.dropout,
                "max_vocab": args.max_vocab}
    earlier = {}
    if latest is not None:
        run = latest.state["run"]
        for name, value in settings.items():
            if value is not None and value != run["settings"][name]:
                raise UsageError(
                    f"--{name.replace('_', '-')} {value} differs from the checkpoint's "
                    f"{run['settings'][name]!r}: a resumed run keeps its data and model")
        settings, earlier = run["settings"], run["training"]
    defaults = {"data": "shakespeare", "cell": "lstm", "units": 128, "layers": 1,
                "dropout": 0.0}
    settings = {name: defaults.get(name) if value is None else value
                for name, value in settings.items()}
    if settings["level"] is None:
        settings["level"] = "word" if settings["data"] == "ptb" else "char"
    # Training settings: given ones win; on --resume the rest come from the checkpoint's run.
    training_settings = {name: earlier.get(name, default) if getattr(args, name) is None
                         else getattr(args, name) for name, default in TRAINING_DEFAULTS.items()}
    if training_settings["seed"] is None:     # drawn once and recorded: a resume repeats it
        training_settings["seed"] = secrets.randbelow(2 ** 31)
    seed = training_settings["seed"]
    keras.utils.set_random_seed(seed)

    corpus = _load_corpus(settings["data"], settings["level"], settings["max_chars"])
    strategy = _strategy(args.strategy)
    with strategy.scope():
        if latest is not None:
            model = RNNLanguageModel.from_checkpoint_config(latest.config)
        elif settings["level"] == "char":
            chars = "".join("".join(s) for part in corpus.values() for s in part)
            model = RNNLanguageModel(text.char_vocabulary(chars or "\n"), cell=settings["cell"],
                                     units=settings["units"], layers=settings["layers"],
                                     embedding_dim=settings["embedding_dim"],
                                     dropout=settings["dropout"], unk_token=None,
                                     eos_token="\n")
        else:
            if settings["max_vocab"] is not None and settings["max_vocab"] < 3:
                raise UsageError(f"--max-vocab must be at least 3 (<UNK>, </s> and one word); "
                                 f"received --max-vocab {settings['max_vocab']}")
            if not corpus["train"]:
                raise UsageError("the train split holds no words; raise --max-chars")
            lookup = text.word_vocabulary(corpus["train"], max_tokens=settings["max_vocab"])
            model = RNNLanguageModel(lookup, cell=settings["cell"], units=settings["units"],
                                     layers=settings["layers"],
                                     embedding_dim=settings["embedding_dim"],
                                     dropout=settings["dropout"])
    for split in ("train", "valid"):
        _check_known(model, corpus[split], f"the {split} split of --data {settings['data']!r}")
    replicas = strategy.num_replicas_in_sync
    batch_size, seq_len = training_settings["batch_size"], training_settings["seq_len"]
    if batch_size % replicas:
        raise UsageError(f"--batch-size {batch_size} must be a multiple of the "
                         f"{replicas} replicas of --strategy {args.strategy}")
    _windows(model, corpus["train"], seq_len, batch_size, "train", replicas=replicas)

    def train(epoch):
        """Epoch ``epoch``'s windows, shuffled from the run's seed and the epoch alone."""
        windows = _windows(model, corpus["train"], seq_len, batch_size, "train",
                           seed=training.data_seed(seed, epoch), replicas=replicas)
        steps = training_settings["steps_per_epoch"]
        return windows if steps is None else windows.take(steps)

    try:
        valid = _windows(model, corpus["valid"], seq_len, batch_size, "valid",
                         shuffle=False, replicas=replicas)
    except UsageError as error:       # too little held-out text for val_loss: train without it
        print(f"no val_loss during training: {error}")
        valid = None

    print(f"{model!r}, {model.network.count_params():,} parameters; data {settings['data']!r} "
          f"({settings['level']} level): {sum(map(len, corpus['train'])):,} train / "
          f"{sum(map(len, corpus['valid'])):,} valid tokens (+ end tokens); strategy "
          f"{args.strategy} ({strategy.num_replicas_in_sync} replica(s)); seed {seed}")
    done = 0 if latest is None else latest.state["epoch"]
    if done >= args.epochs:
        print(f"{out.path} already holds {done} epoch(s), --epochs {args.epochs}: nothing to "
              "train")
        model = RNNLanguageModel.load(out.path)
    else:
        if latest is not None:
            print(f"resuming {latest.path} after epoch {done}: epochs {done + 1}..{args.epochs}, "
                  "with its optimizer state, data order and random state")
        with strategy.scope():
            model.fit(train, epochs=args.epochs, validation_data=valid,
                      learning_rate=training_settings["learning_rate"],
                      clipnorm=training_settings["clipnorm"], checkpoints=out,
                      resume=latest is not None, verbose=args.verbose,
                      run={"settings": settings, "training": training_settings})
    _print_score(model, corpus["valid"], "valid")
    print(f"checkpoint: {out.path}")
    return 0


def _load_model(checkpoint):
    from rnn_zoo.lm.rnn import RNNLanguageModel

    try:
        return RNNLanguageModel.load(checkpoint)
    except ValueError as error:
        raise UsageError(f"CHECKPOINT {checkpoint!r}: {error}") from None


def _sample(args):
    import numpy as np

    from rnn_zoo.lm import sampling

    if args.max_tokens > sampling.MAX_TOKENS:
        raise UsageError(f"--max-tokens must be at most {sampling.MAX_TOKENS} (2**31 - 1); "
                         f"received {args.max_tokens}")
    model = _load_model(args.checkpoint)
    char = model.unk_token is None
    prompt = list(args.prompt) if char else args.prompt.split()
    _check_known(model, [prompt], "--prompt")
    join = "".join if char else " ".join
    lead = args.prompt if char or not prompt else args.prompt + " "
    if args.beam is not None:
        given = [name for name in ("temperature", "top_k", "top_p", "seed", "num_samples")
                 if getattr(args, name) is not None]
        if given:
            raise UsageError(f"--beam is a deterministic search: --{given[0].replace('_', '-')} "
                             f"does not apply to it")
        for hypothesis in sampling.beam_search(model, prompt, beam_width=args.beam,
                                               max_tokens=args.max_tokens):
            end = "" if hypothesis.finished else " ..."
            print(f"{hypothesis.log_prob:9.3f}  {lead}{join(hypothesis.tokens)}{end}")
        return 0
    rng = np.random.default_rng(args.seed)
    for _ in range(args.num_samples or 1):
        tokens = sampling.generate(
            model, prompt, max_tokens=args.max_tokens,
            temperature=1.0 if args.temperature is None else args.temperature,
            top_k=args.top_k, top_p=args.top_p, seed=rng, stop_at_eos=args.stop_at_eos)
        print(lead + join(tokens))
    return 0


def _eval(args):
    model = _load_model(args.checkpoint)
    saved = model.loaded_from.state.get("run") or {"settings": {}}
    data = args.data or saved["settings"].get("data")
    if data is None:
        raise UsageError("--data is needed: the checkpoint does not record its data")
    max_chars = args.max_chars
    if max_chars is None and args.data is None:
        max_chars = saved["settings"].get("max_chars")
    level = "char" if model.unk_token is None else "word"
    corpus = _load_corpus(data, level, max_chars)
    _check_known(model, corpus[args.split], f"the {args.split} split of --data {data!r}")
    _print_score(model, corpus[args.split], args.split)
    return 0


def add_commands(commands, train):
    """Register ``train lm`` (on ``train``, the ``rnn-zoo train`` sub-commands), ``sample``
    and ``eval`` (on ``commands``)."""
    lm = train.add_parser(
        "lm", help="train an RNN language model with Keras's fit, checkpointing into --out",
        description="Train an RNNLanguageModel (rnn_zoo.lm.rnn) on windows of --seq-len "
                    "tokens, with Keras's progress bar; checkpoint into --out after every "
                    "epoch; print the validation perplexity at the end. On --resume the data "
                    "and model settings come from the checkpoint.")
    lm.add_argument("--data", help="shakespeare, names, ptb, or the path of a UTF-8 text file "
                                   "(default: shakespeare)")
    lm.add_argument("--level", choices=["char", "word"],
                    help="tokens: characters (a line is a sentence, ends with '\\n') or "
                         "whitespace-separated words (default: word for ptb, else char)")
    lm.add_argument("--cell", choices=CELL_NAMES, help="default: lstm")
    lm.add_argument("--units", type=positive_int, help="default: 128")
    lm.add_argument("--layers", type=positive_int, help="default: 1")
    lm.add_argument("--embedding-dim", type=positive_int, help="default: --units")
    lm.add_argument("--dropout", type=rate, help="default: 0")
    lm.add_argument("--max-vocab", type=positive_int,
                    help="word level: keep the most frequent words (counting <UNK> and </s>)")
    lm.add_argument("--max-chars", type=positive_int,
                    help="limit the corpus to about this many characters (quick runs)")
    lm.add_argument("--epochs", type=positive_int, default=1,
                    help="total epochs (with --resume: train until this many; default: 1)")
    lm.add_argument("--steps-per-epoch", type=positive_int,
                    help="at most this many batches an epoch (default: all)")
    lm.add_argument("--batch-size", type=positive_int, help="default: 32")
    lm.add_argument("--seq-len", type=positive_int,
                    help="tokens per training window (default: 100)")
    lm.add_argument("--learning-rate", type=positive_float, help="Adam's (default: 1e-3)")
    lm.add_argument("--clipnorm", type=positive_float, help="default: 5")
    lm.add_argument("--seed", type=int, help="seed Keras, NumPy and the window shuffle")
    lm.epilog = ("On --resume, --batch-size, --seq-len, --learning-rate, --clipnorm, --seed and "
                 "--steps-per-epoch default to the checkpoint's run.")
    lm.add_argument("--out", required=True, help="checkpoint directory")
    lm.add_argument("--resume", action="store_true",
                    help="continue the checkpoint in --out up to --epochs epochs")
    lm.add_argument("--strategy", choices=["default", "mirrored"], default="default",
                    help="mirrored: tf.distribute.MirroredStrategy over every visible device")
    add_verbose(lm)
    lm.set_defaults(run=_train_lm, parser=lm)

    sample = commands.add_parser("sample", help="sample from a trained language model")
    sample.add_argument("checkpoint", metavar="CHECKPOINT", help="a `train lm --out` directory")
    sample.add_argument("--prompt", default="", help="text to continue (default: none)")
    sample.add_argument("--temperature", type=positive_float, help="default: 1")
    sample.add_argument("--top-k", type=positive_int)
    sample.add_argument("--top-p", type=probability)
    sample.add_argument("--seed", type=int, help="the same seed gives the same samples")
    sample.add_argument("--max-tokens", type=positive_int, default=200, help="default: 200")
    sample.add_argument("--num-samples", "-n", type=positive_int, help="default: 1")
    sample.add_argument("--stop-at-eos", action=argparse.BooleanOptionalAction, default=True,
                        help="stop at the end token (a newline for a character model)")
    sample.add_argument("--beam", type=positive_int, metavar="W",
                        help="beam search of width W instead of sampling")
    sample.set_defaults(run=_sample, parser=sample)

    evaluate = commands.add_parser("eval", help="perplexity of a trained language model")
    evaluate.add_argument("checkpoint", metavar="CHECKPOINT")
    evaluate.add_argument("--data", help="as for train lm (default: the checkpoint's)")
    evaluate.add_argument("--max-chars", type=positive_int,
                          help="default: the checkpoint's, when --data is not given")
    evaluate.add_argument("--split", choices=["valid", "test"], default="valid")
    evaluate.set_defaults(run=_eval, parser=evaluate)
