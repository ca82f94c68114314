"""The language-model commands of ``rnn-zoo``: ``train lm``, ``sample`` and ``eval``
(registered by :func:`rnn_zoo.cli.main.main`)."""

import argparse
import contextlib
import json
import math
import os
from typing import NamedTuple

from rnn_zoo.cells.registry import NAMES as CELL_NAMES
from rnn_zoo.cli.common import (UsageError, add_verbose, positive_float, positive_int, probability,
                                rate, usage_error)

TRAINING_DEFAULTS = {"batch_size": 32, "seq_len": 100, "learning_rate": 1e-3, "clipnorm": 5.0,
                     "seed": None, "steps_per_epoch": None}
"""The training settings of ``train lm`` that ``--resume`` takes from the checkpoint's run when
they are not given (every checkpoint records them, with the data and model settings, so that
``--resume`` and ``eval`` rebuild the same splits)."""


def _load_corpus(data, level, max_chars):
    """:func:`rnn_zoo.lm.corpus.load`, its errors (a damaged or read-only cache too) as usage
    errors."""
    from rnn_zoo.lm import corpus

    try:
        return corpus.load(data, level, max_chars)
    except ValueError as error:
        raise usage_error(error) from None
    except OSError as error:
        raise UsageError(f"--data {data}: {error}") from None


def _check_known(model, sentences, what):
    try:
        model.check_known(sentences, what)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _windows(model, sentences, seq_len, batch_size, split, seed=None, shuffle=True,
             replicas=1):
    try:
        # One order per epoch's dataset: a tf.distribute strategy reads a batch before its
        # epoch, which must not move the order on.
        return model.windows(sentences, seq_len, batch_size, shuffle=shuffle, seed=seed,
                             reshuffle_each_iteration=False,
                             multiple_of=replicas)
    except ValueError as error:
        message = str(error).replace("`sentences` hold", f"the {split} split holds")
        raise UsageError(f"{message.replace('seq_length=', '--seq-len ')}; lower --seq-len or "
                         "raise --max-chars") from None


TF_CONFIG_FORMAT = ('TF_CONFIG=\'{"cluster": {"worker": ["host:port", ...]}, '
                    '"task": {"type": "worker", "index": i}}\'')


class Cluster(NamedTuple):
    """This process's place in a ``--strategy multi-worker`` run, from ``TF_CONFIG``."""

    index: int
    addresses: tuple

    @property
    def workers(self):
        return len(self.addresses)

    @property
    def chief(self):
        """Worker 0: the one that writes ``--out`` and prints the results."""
        return self.index == 0


def _cluster(strategy):
    """The :class:`Cluster` of ``--strategy multi-worker`` (read from ``TF_CONFIG``, checked here
    so that a missing or malformed one is a usage error, not a TensorFlow traceback); None for
    the other strategies."""
    if strategy != "multi-worker":
        return None
    import keras

    backend = keras.backend.backend()
    if backend not in ("tensorflow", "jax"):
        raise UsageError(f"--strategy multi-worker runs on the TensorFlow backend "
                         f"(tf.distribute.MultiWorkerMirroredStrategy) or on JAX "
                         f"(keras.distribution.DataParallel); Keras is running on "
                         f"{backend!r}: set KERAS_BACKEND=tensorflow or jax")
    expected = f"every worker sets {TF_CONFIG_FORMAT}"
    text = os.environ.get("TF_CONFIG")
    if not text:
        raise UsageError(f"--strategy multi-worker needs the cluster in TF_CONFIG: {expected}")
    try:
        config = json.loads(text)
        workers, task = config["cluster"]["worker"], config["task"]
        index = task["index"]
        valid = (isinstance(workers, list) and workers
                 and all(isinstance(w, str) and w.rpartition(":")[0] for w in workers)
                 and task["type"] == "worker" and type(index) is int
                 and 0 <= index < len(workers))
    except (ValueError, TypeError, KeyError):
        valid = False
    if not valid:
        raise UsageError(f"TF_CONFIG {text!r:.200} is not a cluster of workers: {expected}, "
                         "i from 0 to the number of workers - 1 (0 is the chief)")
    return Cluster(index, tuple(workers))


class _OneDevice:
    """``--strategy default``: no distribution, on any backend."""

    num_replicas_in_sync = 1

    def scope(self):
        return contextlib.nullcontext()


class _DataParallel:
    """``--strategy multi-worker`` on JAX: Keras's own ``keras.distribution.DataParallel`` over
    every process's devices, the processes joined by ``keras.distribution.initialize`` (JAX's
    coordinator at worker 0's address). Keras splits each global batch of a ``tf.data`` dataset
    evenly over the processes (``rebatch`` to the per-process batch, then ``shard``)."""

    def __init__(self, cluster):
        import keras

        keras.distribution.initialize(job_addresses=",".join(cluster.addresses),
                                      num_processes=cluster.workers, process_id=cluster.index)
        devices = keras.distribution.list_devices()
        self.distribution = keras.distribution.DataParallel(devices=devices)
        keras.distribution.set_distribution(self.distribution)
        self.num_replicas_in_sync = len(devices)

    def scope(self):
        return contextlib.nullcontext()


def _strategy(name, cluster=None):
    """The strategy of ``--strategy name``: none for ``default``, else ``tf.distribute``'s,
    created before any other TensorFlow op (``MultiWorkerMirroredStrategy`` needs that). On
    JAX, ``multi-worker`` is :class:`_DataParallel` (created before any JAX computation)."""
    import keras

    if name == "default":
        return _OneDevice()
    if name == "multi-worker" and keras.backend.backend() == "jax":
        return _DataParallel(cluster)
    if keras.backend.backend() != "tensorflow":
        raise UsageError(f"--strategy {name} runs on the TensorFlow backend only "
                         f"(tf.distribute); Keras is running on {keras.backend.backend()!r}: "
                         "set KERAS_BACKEND=tensorflow")
    import tensorflow as tf

    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return _multi_worker_strategy(tf)


def _multi_worker_strategy(tf):
    """``tf.distribute.MultiWorkerMirroredStrategy()``, the cluster from ``TF_CONFIG``, with the
    ``reduce`` that Keras 3's ``fit`` needs of it (keras-team/keras#20585: without it, ``fit``
    fails on more than one worker):

    * a nested structure is reduced one leaf at a time, as ``MirroredStrategy`` does (Keras
      reduces a whole ``(x, y)`` batch to build the model);
    * a scalar is reduced across the replicas alone, its ``axis`` ignored (Keras averages every
      replica's scalar logs, the loss, "along axis 0")."""

    class MultiWorkerMirroredStrategy(tf.distribute.MultiWorkerMirroredStrategy):
        def reduce(self, reduce_op, value, axis):
            reduce = super().reduce

            def leaf(value):
                scalar = self.experimental_local_results(value)[0].shape.rank == 0
                return reduce(reduce_op, value, None if scalar else axis)

            return tf.nest.map_structure(leaf, value)

    return MultiWorkerMirroredStrategy()


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


def _claim(args, cluster):
    """``--out`` claimed before any data is read; with ``--resume`` its newest checkpoint.

    In a multi-worker run only the chief claims and writes ``--out``: the other workers get
    ``None`` (they train without writing checkpoints) and, with ``--resume``, read the chief's
    newest checkpoint from their own ``--out`` (a shared folder, or a copy)."""
    from rnn_zoo.training.checkpoints import CheckpointDirectory

    out = CheckpointDirectory(args.out)
    chief = cluster is None or cluster.chief
    try:
        if chief:
            out.claim("RNNLanguageModel", resume=args.resume)
        latest = out.select("latest", kind="RNNLanguageModel") if args.resume else None
    except ValueError as error:
        where = ("" if chief else
                 f" (worker {cluster.index} resumes from the chief's checkpoint, read from its "
                 "own --out: a shared folder or a copy)")
        raise UsageError(f"{error}{where}") from None
    return out if chief else None, latest


def _run_settings(args, latest):
    """``{"settings": data and model settings, "training": training settings}``: given options
    win; on ``--resume`` the rest come from the checkpoint's run (a data or model option that
    differs is refused); then the defaults. A run without ``--seed`` draws one and records it,
    so that a resumed run repeats it."""
    import secrets

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
    training = {name: earlier.get(name, default) if getattr(args, name) is None
                else getattr(args, name) for name, default in TRAINING_DEFAULTS.items()}
    if training["seed"] is None:
        training["seed"] = secrets.randbelow(2 ** 31)
    return {"settings": settings, "training": training}


def _new_model(corpus, settings, latest):
    from rnn_zoo.lm.rnn import RNNLanguageModel

    if latest is not None:
        return RNNLanguageModel.from_checkpoint_config(latest.config)
    try:
        return RNNLanguageModel.for_corpus(
            corpus, settings["level"], settings["max_vocab"], cell=settings["cell"],
            units=settings["units"], layers=settings["layers"],
            embedding_dim=settings["embedding_dim"], dropout=settings["dropout"])
    except ValueError as error:
        raise usage_error(error) from None


def _train_lm(args):
    import keras

    from rnn_zoo.lm.rnn import RNNLanguageModel
    from rnn_zoo.training.fit import data_seed

    cluster = _cluster(args.strategy)
    out, latest = _claim(args, cluster)
    run = _run_settings(args, latest)
    settings, training = run["settings"], run["training"]
    strategy = _strategy(args.strategy, cluster)    # before any other TensorFlow op
    keras.utils.set_random_seed(training["seed"])
    corpus = _load_corpus(settings["data"], settings["level"], settings["max_chars"])
    with strategy.scope():
        model = _new_model(corpus, settings, latest)
    for split in ("train", "valid"):
        _check_known(model, corpus[split], f"the {split} split of --data {settings['data']!r}")
    replicas = strategy.num_replicas_in_sync
    batch_size, seq_len = training["batch_size"], training["seq_len"]
    if batch_size % replicas:
        raise UsageError(f"--batch-size {batch_size} must be a multiple of the "
                         f"{replicas} replicas of --strategy {args.strategy}")
    _windows(model, corpus["train"], seq_len, batch_size, "train", replicas=replicas)

    def train(epoch):
        """Epoch ``epoch``'s windows, shuffled from the run's seed and the epoch alone."""
        windows = _windows(model, corpus["train"], seq_len, batch_size, "train",
                           seed=data_seed(training["seed"], epoch), replicas=replicas)
        steps = training["steps_per_epoch"]
        return windows if steps is None else windows.take(steps)

    try:
        valid = _windows(model, corpus["valid"], seq_len, batch_size, "valid",
                         shuffle=False, replicas=replicas)
    except UsageError as error:       # too little held-out text for val_loss: train without it
        print(f"no val_loss during training: {error}")
        valid = None
    where = "" if cluster is None else f"; worker {cluster.index} of {cluster.workers}"
    print(f"{model!r}, {model.network.count_params():,} parameters; data {settings['data']!r} "
          f"({settings['level']} level): {sum(map(len, corpus['train'])):,} train / "
          f"{sum(map(len, corpus['valid'])):,} valid tokens (+ end tokens); strategy "
          f"{args.strategy} ({replicas} replica(s){where}); seed {training['seed']}")
    done = 0 if latest is None else latest.state["epoch"]
    if done >= args.epochs:
        print(f"{latest.path.parent} already holds {done} epoch(s), --epochs {args.epochs}: "
              "nothing to train")
        if out is None:
            return 0
        model = RNNLanguageModel.load(out.path)
    else:
        if latest is not None:
            print(f"resuming {latest.path} after epoch {done}: epochs {done + 1}..{args.epochs}, "
                  "with its optimizer state, data order and random state")
        with strategy.scope():
            model.fit(train, epochs=args.epochs, validation_data=valid,
                      learning_rate=training["learning_rate"], clipnorm=training["clipnorm"],
                      checkpoints=out, resume=latest or False, verbose=args.verbose,
                      run=run)
    if out is None:
        print(f"worker {cluster.index} done: the chief, worker 0, wrote --out and prints the "
              "results")
        return 0
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
        "lm", help="train an RNN language model, checkpoints in --out",
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
    lm.add_argument("--strategy", choices=["default", "mirrored", "multi-worker"],
                    default="default",
                    help="mirrored: tf.distribute.MirroredStrategy over every visible device; "
                         "multi-worker: tf.distribute.MultiWorkerMirroredStrategy (on JAX "
                         "keras.distribution.DataParallel) over the workers of TF_CONFIG, the "
                         "same command on each (worker 0, the chief, writes --out; --batch-size "
                         "is the global batch, split over them)")
    add_verbose(lm)
    lm.set_defaults(run=_train_lm, parser=lm)

    sample = commands.add_parser(
        "sample", help="sample from a trained language model",
        description="Sample novel text from a trained language model (or find the most likely "
                    "continuations with --beam), token by token from the prompt.")
    sample.add_argument("checkpoint", metavar="CHECKPOINT", help="a train lm --out directory")
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

    evaluate = commands.add_parser(
        "eval", help="perplexity of a trained language model",
        description="The perplexity of a trained language model on a split of its data (or of "
                    "--data).")
    evaluate.add_argument("checkpoint", metavar="CHECKPOINT")
    evaluate.add_argument("--data", help="as for train lm (default: the checkpoint's)")
    evaluate.add_argument("--max-chars", type=positive_int,
                          help="default: the checkpoint's, when --data is not given")
    evaluate.add_argument("--split", choices=["valid", "test"], default="valid")
    evaluate.set_defaults(run=_eval, parser=evaluate)
