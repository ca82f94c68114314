r"""Penn Treebank word-level language models, side by side (a report, not a test), as Markdown.

1. The modified-Kneser-Ney 5-gram (:mod:`rnn_zoo.lm.ngram`).
2. The fixed-window neural LM (:mod:`rnn_zoo.lm.window`): the previous 4 words.
3. Zaremba et al. 2014's "small" LSTM with the zoo's ``LSTMCell``: 2 layers x 200 units,
   embeddings of 200, no dropout, weights uniform in [-0.1, 0.1] (biases 0, forget bias 0, as
   TensorFlow's reproduction), 20 streams x 20 steps of truncated BPTT (stateful), plain SGD at
   learning rate 1 on the loss summed over the 20 steps, gradients clipped to global norm 5,
   the rate halved after every epoch from the 5th, 13 epochs.

   Keras's loss is the mean over the 20 x 20 targets, 20x smaller than the summed loss they
   differentiate, so the same updates are SGD(learning_rate=20 * rate,
   global_clipnorm=5 / 20) on the mean: ``clip(20 g, 5) = 20 clip(g, 0.25)``.

Perplexities count every word and one ``</s>`` per sentence (82,430 test targets). The LSTM is
scored both ways: the paper's protocol (:meth:`~rnn_zoo.lm.rnn.RNNLanguageModel.stream_perplexity`,
the state carried across sentences) and each sentence from the zero state
(:meth:`~rnn_zoo.lm.interface.LanguageModel.perplexity`, as the n-gram and window models are scored).

4. The LSTM + the 5-gram (:class:`rnn_zoo.lm.mixture.Mixture`), Mikolov et al. 2011's
   interpolation: the weight fitted by EM on the validation text (the LSTM's stream scores, the
   5-gram's sentence by sentence), then the test text scored the same way.

    python bench/ptb_word.py --save DIR        # about 45 min on a 2-core CPU
    python bench/ptb_word.py --load DIR --skip-window   # the table again from the saved LSTM
    python bench/ptb_word.py --epochs 1 --max-tokens 50000   # a smoke run
"""

import argparse
import math
import os
import shlex
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from machine import describe  # noqa: E402
from rnn_zoo.data import datasets, text  # noqa: E402
from rnn_zoo.lm.mixture import Mixture  # noqa: E402
from rnn_zoo.lm.ngram import NGramLM  # noqa: E402
from rnn_zoo.lm.rnn import RNNLanguageModel  # noqa: E402
from rnn_zoo.lm.window import WindowLanguageModel  # noqa: E402

UNK = "<unk>"
INIT_SCALE = 0.1
BATCH, STEPS = 20, 20
LEARNING_RATE, MAX_EPOCH, DECAY = 1.0, 4, 0.5


def zaremba_rate(epoch):
    """The paper's per-sum learning rate in (0-based) ``epoch``, as a per-mean Keras rate."""
    return STEPS * LEARNING_RATE * DECAY ** max(epoch + 1 - MAX_EPOCH, 0)


def zaremba_init(model, seed):
    """Every weight uniform in [-0.1, 0.1], the LSTM biases 0 (TensorFlow's reproduction)."""
    rng = np.random.default_rng(seed)
    for weight in model.network.weights:
        is_lstm_bias = weight.path.startswith("rnn_") and weight.path.endswith("bias")
        value = (np.zeros(weight.shape) if is_lstm_bias
                 else rng.uniform(-INIT_SCALE, INIT_SCALE, weight.shape))
        weight.assign(value.astype(weight.dtype))


class _Timer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.start
        print(f"  epoch {epoch + 1}: lr {float(self.model.optimizer.learning_rate) / STEPS:.4g}, "
              f"train ppl {math.exp(logs['loss']):.1f}, valid ppl "
              f"{math.exp(logs['val_loss']):.1f}, {seconds / 60:.1f} min", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=13)
    parser.add_argument("--window-epochs", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=None,
                        help="train on the first sentences holding about this many tokens")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", default=None, help="directory to save the LSTM into")
    parser.add_argument("--load", default=None,
                        help="a directory --save wrote: score that LSTM instead of training one")
    parser.add_argument("--skip-window", action="store_true", help="no fixed-window model")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    print(f"{describe()}\n\n    python bench/ptb_word.py {shlex.join(sys.argv[1:])}\n")

    ptb = {split: [line.split() for line in lines]
           for split, lines in datasets.penn_treebank().items()}
    train = ptb["train"]
    if args.max_tokens:
        ends = np.cumsum([len(s) + 1 for s in train])
        train = train[:int(np.searchsorted(ends, args.max_tokens)) + 1]
    lookup = text.word_vocabulary(ptb["train"], unk_token=UNK)
    vocabulary = lookup.get_vocabulary()
    print(f"vocabulary {len(vocabulary):,}; {sum(len(s) + 1 for s in train):,} training and "
          f"{sum(len(s) + 1 for s in ptb['test']):,} test targets\n")
    rows = []

    t0 = time.perf_counter()
    ngram = NGramLM(train, n=5, smoothing="modified-kneser-ney", unk_token=UNK,
                    vocabulary=vocabulary[2:])    # the LSTM's vocabulary, in its order
    assert ngram.vocabulary == vocabulary
    rows.append(("modified Kneser-Ney 5-gram", ngram.perplexity(ptb["test"]), "-",
                 time.perf_counter() - t0, "-"))

    if args.load:
        lstm, train_s = RNNLanguageModel.load(args.load), None
        assert lstm.vocabulary == vocabulary
        print(f"Zaremba small LSTM loaded from {args.load}", flush=True)
    else:
        lstm = RNNLanguageModel(vocabulary, cell="lstm", units=200, layers=2, unk_token=UNK)
        zaremba_init(lstm, args.seed)
        stream = {split: text.encode_sentences(lookup, sentences)
                  for split, sentences in (("train", train), ("valid", ptb["valid"]))}
        start = np.array([lstm.eos_id], np.int32)   # the stream starts after an end token
        data = {split: text.stateful_windows(np.r_[start, ids], STEPS, BATCH)
                for split, ids in stream.items()}
        optimizer = keras.optimizers.SGD(zaremba_rate(0), global_clipnorm=5.0 / STEPS)
        print(f"Zaremba small LSTM: {lstm.network.count_params():,} parameters", flush=True)
        t0 = time.perf_counter()
        lstm.fit(data["train"], epochs=args.epochs, validation_data=data["valid"],
                 stateful=True, optimizer=optimizer, verbose=0,
                 callbacks=[keras.callbacks.LearningRateScheduler(zaremba_rate), _Timer()])
        train_s = time.perf_counter() - t0
        if args.save:
            lstm.save(args.save)
    rows.append(("zoo LSTM, Zaremba et al. small (2 x 200), state carried across sentences",
                 lstm.stream_perplexity(ptb["test"]), lstm.stream_perplexity(ptb["valid"]),
                 "-" if train_s is None else train_s, lstm.network.count_params()))
    rows.append(("the same LSTM, every sentence from the zero state",
                 lstm.perplexity(ptb["test"]), "-", "-", "-"))
    mixture = Mixture([ngram, lstm]).fit_weights(ptb["valid"], stream=True)
    rows.append((f"mixture, weights fitted on validation: {mixture!r}",
                 mixture.stream_perplexity(ptb["test"]), mixture.validation_perplexity, "-", "-"))

    if not args.skip_window:
        t0 = time.perf_counter()
        window = WindowLanguageModel(vocabulary, window=4, embedding_dim=100, hidden_units=200,
                                     unk_token=UNK)
        stop = keras.callbacks.EarlyStopping(patience=0, restore_best_weights=True)
        window.fit(train, epochs=args.window_epochs, batch_size=512, learning_rate=2e-3,
                   validation_sentences=ptb["valid"], callbacks=[stop], verbose=2)
        rows.insert(1, ("fixed-window MLP (4 words, 100-d embeddings, 200 tanh)",
                        window.perplexity(ptb["test"]), "-", time.perf_counter() - t0,
                        window.network.count_params()))

    if train_s is not None:
        words = args.epochs * sum(len(s) + 1 for s in train)
        print(f"\nLSTM training: {train_s / 60:.1f} min for {args.epochs} epochs, "
              f"{words / train_s:,.0f} words/s\n")
    print("| model | test perplexity | valid perplexity | time (s) | parameters |")
    print("|---|---:|---:|---:|---:|")
    for name, test, valid, seconds, params in rows:
        cells = [f"{test:.2f}"] + [f"{v:.2f}" if isinstance(v, float) else v for v in [valid]]
        cells += [f"{seconds:.0f}" if isinstance(seconds, float) else seconds,
                  f"{params:,}" if isinstance(params, int) else params]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("| Mikolov et al. 2011, KN 5-gram (reference) | 141.2 | - | - | - |")
    print("| Zaremba et al. 2014, small, paper Table 1 (reference) | 114.5 | 120.7 | - | - |")


if __name__ == "__main__":
    main()
