# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · Architectures: taggers, deep and bidirectional RNNs, encoder-decoders, one-to-many
#
# The slides (section 9) sort recurrent networks by how many inputs $T_x$ they read and how many
# outputs $T_y$ they write, and (section 8) make them deeper and let them look both ways. This
# notebook builds a real model with the zoo's cells for three of those patterns (many-to-many with
# equal and with different lengths, one-to-many), trains each briefly on CPU, and measures it:
#
# 1. **The design patterns** as a table: lengths, the slides' examples, where each lives in
#    `rnn_zoo`.
# 2. **Many-to-many, equal lengths: a tagger.** The slides' named-entity example; the *Teddy bears*
#    / *Teddy Roosevelt* pair, on which a left-to-right tagger cannot be right and a bidirectional
#    one can; then a real task, restoring the capital letters of Shakespeare, unidirectional against
#    bidirectional against a tagger without context.
# 3. **Deep and bidirectional**: `layers=2`, `bidirectional=True`, their parameter counts by
#    formula, and the zoo's bidirectional tagger against its Keras built-in twin.
# 4. **Many-to-many, different lengths: an encoder-decoder** that rewrites dates written thirteen
#    ways as ISO dates; teacher forcing on one example; greedy decoding against beam search.
# 5. **One-to-many**: first names generated from a class (female / male) that sets the initial
#    state $a^{\langle 0 \rangle}$.
# 6. **What the gates do**: the update and relevance gates of a trained GRU, and the three gates
#    of a trained LSTM, drawn over a line of Shakespeare.
#
# **Running it.** The full run takes about 5 minutes on an idle 2-core CPU with no GPU (the last
# cell prints the time it took). Every model is trained for a few epochs on part of its data, so
# the numbers here are those of short trainings; the definitive figures come from the benchmarks
# named in each section (`bench/tagging.py`, `bench/seq2seq.py`, `bench/conditioned_names.py`).
# The test suite runs this notebook with `RNN_ZOO_SMALL=1`: smaller subsets, smaller networks
# and two to four epochs, about a minute of CPU time; its numbers only show that the code runs.
#
# **Notation** (as on the slides): $x^{\langle t \rangle}$ is the input at step $t$,
# $\hat y^{\langle t \rangle}$ the output, $a^{\langle t \rangle}$ the hidden state, $T_x$ and
# $T_y$ the input and output lengths.

# %%
import datetime
import time
from collections import Counter

from rnn_zoo.notebook import char_label, setup, show_figure, table

START, SMALL = setup(precision=3)  # TF log level, seed 0, print options; prints the versions

import keras
import numpy as np
import tensorflow as tf
from IPython.display import Markdown, display

from rnn_zoo.data import datasets, text
from rnn_zoo.studies import gates
from rnn_zoo.lm.conditioned import ClassConditionedLM
from rnn_zoo.lm.sampling import beam_search, generate
from rnn_zoo.tasks.seq2seq import DATE_FORMATS, EncoderDecoder, date_examples, exact_match, format_date
from rnn_zoo.tasks.tagging import (UNK_ID, MostFrequentTag, Tagger, capitals, non_initial_words,
                             shakespeare_capitals, tag_scores, tokenize)

# Tagger.predict runs batches of different lengths, and Keras warns each time it retraces.
tf.get_logger().setLevel("ERROR")


# %% [markdown]
# ## 1. The design patterns (slide section 9)
#
# | pattern | lengths | the slides' examples | in `rnn_zoo` |
# |---|---|---|---|
# | one-to-one | $T_x = T_y = 1$ | a standard network: no recurrence | — (a `keras.layers.Dense` stack) |
# | one-to-many | $T_x = 1$ (or 0), $T_y \ge 1$ | music generation, image captioning, vector-to-sequence | `conditioned.ClassConditionedLM` (section 5); sampling any language model with `sampling.generate` |
# | many-to-one | $T_x \ge 1$, $T_y = 1$ | sentiment classification, sequence-to-vector: ignore every output but the last | `sentiment.SentimentClassifier`; `agreement` (*was* / *were*) |
# | many-to-many, equal lengths | $T_x = T_y$ | named-entity recognition, part-of-speech tagging | `tagging.Tagger` (section 2); an RNN language model trained by teacher forcing (`rnn_lm`) |
# | many-to-many, different lengths | $T_x \ne T_y$ | machine translation: a sequence-to-vector encoder, then a vector-to-sequence decoder | `seq2seq.EncoderDecoder` (section 4) |
#
# The one-to-many and the encoder-decoder models share one decoder
# (`conditioned.VectorToSequence`): an RNN language model whose initial state
# $a^{\langle 0 \rangle}$ is set by a vector, a class's learned vector or an encoder's final state.
# Both are therefore ordinary language models once conditioned, and the one sampler and beam search
# of `rnn_zoo.lm.sampling` serve them.

# %% [markdown]
# ## 2. Many-to-many with equal lengths: a tagger (slide sections 1, 8, 9)
#
# One output per input: $\hat y^{\langle t \rangle}$ is the probability that token $t$ is part of a
# name. The slides' example:

# %%
slide_tokens, slide_tags = capitals("Harry Potter and Hermione Granger invented a new spell")
table(["x⟨t⟩", *slide_tokens], [["y⟨t⟩", *slide_tags]])
print("tags from capitals():", " ".join(map(str, slide_tags)))

# %% [markdown]
# These tags are exactly the capital letters of the sentence (`rnn_zoo.tasks.tagging.capitals`
# reads them off the text), which is the idea of the real task below. A `Tagger` is
#
#     tokens -> StringLookup -> Embedding(mask_zero=True) -> zoo RNN, every output kept
#            (or keras.layers.Bidirectional of it) -> Dense(1, sigmoid) at every step
#
# ### 2.1 Why a left-to-right tagger cannot know: *Teddy*
#
# "He said, 'Teddy bears are on sale!'" and "He said, 'Teddy Roosevelt was a great President!'":
# *Teddy* is a name only in the second, and nothing before it tells which. A unidirectional RNN
# computes $\hat y^{\langle t \rangle}$ from $x^{\langle 1 \rangle}, \dots, x^{\langle t \rangle}$
# only, so at *teddy* it must give both sentences the same probability, whatever it learned. A
# bidirectional RNN predicts from $[\overrightarrow{a}^{\langle t \rangle}, \overleftarrow{a}^{\langle t \rangle}]$,
# and the backward RNN has read the rest of the sentence.
#
# A small made-up corpus teaches both taggers the rule: random words, then *teddy*, then a surname
# (*roosevelt*, *kennedy*: *teddy* and the surname are tagged 1) or a thing (*bears*, *toys*: all 0),
# then random words.

# %%
rng = np.random.default_rng(0)
FILLER = ["he", "said", ",", "'", "the", "old", "man", "saw", "a", "new", "day", "and", "she",
          "told", "me", "that", "was", "great", "are", "on", "sale", "!", "president"]
SURNAMES, THINGS = ["roosevelt", "kennedy"], ["bears", "toys"]


def teddy_corpus(n):
    sentences, tags = [], []
    for _ in range(n):
        left = list(rng.choice(FILLER, rng.integers(1, 6)))
        name = bool(rng.integers(2))
        right = list(rng.choice(FILLER, rng.integers(0, 5)))
        sentences.append(left + ["teddy", str(rng.choice(SURNAMES if name else THINGS))] + right)
        tags.append([0] * len(left) + [int(name)] * 2 + [0] * len(right))
    return sentences, tags


teddy_train, teddy_valid = teddy_corpus(300), teddy_corpus(60)
print("three training sentences:")
for sentence, tags in zip(*(part[:3] for part in teddy_train)):
    print("  ", " ".join(f"{w}/{t}" for w, t in zip(sentence, tags)))

slide_pair = {"bears": "He said, 'Teddy bears are on sale!'",
              "roosevelt": "He said, 'Teddy Roosevelt was a great President!'"}
pair_tokens = {key: [t.lower() for t in tokenize(line)] for key, line in slide_pair.items()}

teddy_taggers = {}
for bidirectional in (False, True):
    name = "bidirectional" if bidirectional else "unidirectional"
    tagger = Tagger("gru", units=8, embedding_dim=8, bidirectional=bidirectional,
                    learning_rate=3e-2, seed=0)
    tagger.fit(*teddy_train, validation_data=teddy_valid, epochs=3 if SMALL else 6,
               batch_size=16, patience=2, verbose=0)
    teddy_taggers[name] = tagger

for key, tokens in pair_tokens.items():
    display(Markdown(f"P(tag 1) at every token of *{slide_pair[key]}*"))
    table(["tagger", *tokens],
          [[name, *(f"{p:.2f}" for p in tagger.predict([tokens])[0])]
           for name, tagger in teddy_taggers.items()])

teddy_at = pair_tokens["bears"].index("teddy")
for name, tagger in teddy_taggers.items():
    p_bears, p_roosevelt = (tagger.predict([pair_tokens[k]])[0][teddy_at] for k in pair_tokens)
    print(f"{name:14}: P(teddy is a name) = {p_bears:.3f} before 'bears', {p_roosevelt:.3f} "
          f"before 'roosevelt' (difference {abs(p_roosevelt - p_bears):.1e})")

# %% [markdown]
# The unidirectional tagger gives *teddy*, and every token before it, exactly the same
# probability in both sentences (the difference printed is 0, or float rounding): it has not read
# the word that decides. It learns *roosevelt* and *bears* well enough, since those words and their
# left context are enough there. The bidirectional tagger separates the two *teddy*s.
#
# ### 2.2 A real task: restoring the capitals of Shakespeare
#
# `shakespeare_capitals()` turns every line spoken in 38 plays into the slides' kind of data: the
# lower-cased tokens, tagged 1 where the original word started with a capital. Scores count only
# the *non-initial words* of each line (in verse the first word of a line is capitalised whatever
# it is; punctuation is never scored). A capital there is a name or a title (*Romeo*, *Lord
# Capulet*), *I* and *O*, a sentence start after `.` `?` `!`, or a word whose case depends on
# its neighbours: *my lord* but *Lord Hastings*, *the king* but *King Richard*. The split is by
# play, so most names in the held-out plays are new. Here a subset of the training lines (every
# $k$-th line; in small mode of the validation and test lines too) keeps the training short.

# %%
TRAIN_LINES, VALID_LINES, TEST_LINES, TAG_EPOCHS = (3000, 1000, 1500, 2) if SMALL else \
    (20000, 9192, 9681, 3)


def every_kth(split, n):
    """``n`` lines of a split, spread over it (every k-th line)."""
    sentences, tags = split
    k = max(1, len(sentences) // n)
    return sentences[::k][:n], tags[::k][:n]


capital_data = shakespeare_capitals()
train_x, train_y = every_kth(capital_data["train"], TRAIN_LINES)
valid_x, valid_y = every_kth(capital_data["valid"], VALID_LINES)
test_x, test_y = every_kth(capital_data["test"], TEST_LINES)
scored = non_initial_words(test_x)
for split, (xs, ys) in {"train": (train_x, train_y), "valid": (valid_x, valid_y),
                        "test": (test_x, test_y)}.items():
    where = non_initial_words(xs)
    n_scored = sum(w.sum() for w in where)
    n_capital = sum(y[w].sum() for y, w in zip(ys, where))
    print(f"{split:5}: {len(xs):6,} of {len(capital_data[split][0]):6,} lines, "
          f"{sum(map(len, xs)):7,} tokens, {n_scored:7,} non-initial words, "
          f"{n_capital / n_scored:.1%} of them capitalised")

line = test_x[0]
print("\nfirst test line:", " ".join(f"{w}/{t}" for w, t in zip(line, test_y[0])))
print("scored (non-initial words):", [w for w, s in zip(line, scored[0]) if s])

# %% [markdown]
# Three models, all on the same training lines:
#
# * **the baseline without context** (`MostFrequentTag`): each word's rate of capitals in
#   training, wherever it stands; a word never seen gets the overall rate, so it is never
#   capitalised;
# * a **unidirectional** zoo GRU tagger (32 units, embedding 32), which sees the words to the left;
# * a **bidirectional** one (32 units per direction), which sees the whole line.
#
# Adam (learning rate 3e-3), batches of 64, at most `TAG_EPOCHS` epochs with early stopping on the
# validation loss (best epoch restored). Besides all scored words, the table scores two groups:
# words of *mixed case* (capitalised in 10 to 90 % of their non-initial training occurrences:
# *lord*, *king*, *will*, the words whose case their neighbours decide) and words outside the
# taggers' vocabulary (`<UNK>`, mostly names of the held-out plays' characters).

# %%
baseline = MostFrequentTag().fit(train_x, train_y, non_initial_words(train_x))
predictions = {"most frequent tag (no context)": baseline.predict(test_x)}
models = {"most frequent tag (no context)": baseline}
histories = {}
for bidirectional in (False, True):
    name = f"zoo GRU, {'bidirectional' if bidirectional else 'unidirectional'}"
    tagger = Tagger("gru", units=32, embedding_dim=32, bidirectional=bidirectional,
                    learning_rate=3e-3, seed=0)
    history = tagger.fit(train_x, train_y, validation_data=(valid_x, valid_y),
                         epochs=TAG_EPOCHS, batch_size=64, patience=1, verbose=0)
    models[name], histories[name] = tagger, history.history
    predictions[name] = tagger.predict(test_x)
    print(f"{name}: {len(history.history['loss'])} epochs in {tagger.train_seconds:.0f} s; "
          "loss / val_loss per epoch: " + ", ".join(
              f"{a:.4f} / {b:.4f}" for a, b in zip(history.history["loss"],
                                                     history.history["val_loss"])))
uni = models["zoo GRU, unidirectional"]
bi = models["zoo GRU, bidirectional"]

# %%
unknown = [row.numpy() == UNK_ID for row in uni.encode(test_x)]   # both taggers: one vocabulary
mixed = [np.array([0.1 <= baseline.rates.get(t, 0.0) <= 0.9 for t in tokens], bool)
         for tokens in test_x]
groups = {"all": scored,
          "mixed case": [w & m & ~u for w, m, u in zip(scored, mixed, unknown)],
          "<UNK>": [w & u for w, u in zip(scored, unknown)]}
results = {name: {group: tag_scores(p, test_y, where) for group, where in groups.items()}
           for name, p in predictions.items()}
counts = {group: results[next(iter(results))][group]["tokens"] for group in groups}
display(Markdown(f"Test: {len(test_x):,} lines; {counts['all']:,} non-initial words scored, "
                 f"{counts['mixed case']:,} of mixed case, {counts['<UNK>']:,} `<UNK>` to the "
                 "taggers. F1, precision and recall are those of *capitalised*."))
table(["model", "parameters", "F1", "precision", "recall", "accuracy", "F1, mixed case",
       "F1, `<UNK>`"],
      [[name, f"{models[name].count_params():,}", f"{r['all']['f1']:.3f}",
        f"{r['all']['precision']:.3f}", f"{r['all']['recall']:.3f}",
        f"{r['all']['accuracy']:.4f}", f"{r['mixed case']['f1']:.3f}",
        f"{r['<UNK>']['f1']:.3f}"] for name, r in results.items()])

gaps = {group: results["zoo GRU, bidirectional"][group]["f1"]
        - results["zoo GRU, unidirectional"][group]["f1"] for group in groups}
print("F1, bidirectional minus unidirectional: "
      + ", ".join(f"{group} {gap:+.3f}" for group, gap in gaps.items()))

# %% [markdown]
# (The baseline's "parameters" are the words whose rate it stores.) Test lines on which the two
# taggers disagree about a scored word: the original capitals, then each tagger's.

# %%
def recapitalise(tokens, tags):
    """The tokens joined by spaces, those tagged 1 with a capital first letter."""
    return " ".join(t.capitalize() if tag else t for t, tag in zip(tokens, tags))


p_uni, p_bi = predictions["zoo GRU, unidirectional"], predictions["zoo GRU, bidirectional"]
differ = [i for i, (a, b, w) in enumerate(zip(p_uni, p_bi, scored))
          if np.any(((a > 0.5) != (b > 0.5)) & w) and len(test_x[i]) <= 12]
print(f"{len(differ)} short test lines (at most 12 tokens) where they disagree; the first 6:\n")
for i in differ[:6]:
    print(f"original:       {recapitalise(test_x[i], test_y[i])}\n"
          f"unidirectional: {recapitalise(test_x[i], p_uni[i] > 0.5)}\n"
          f"bidirectional:  {recapitalise(test_x[i], p_bi[i] > 0.5)}\n")

# %% [markdown]
# How much the right-hand context helps is the F1 gap between the two taggers, printed above
# for all scored words and for the two groups: the mixed-case words are those whose case a
# neighbour decides, and a word outside the vocabulary can only be tagged from its context, which
# the baseline does not have (it never capitalises an unknown word). These are short
# trainings on part of the data, one seed: `python bench/tagging.py` (about 2 minutes) trains
# both taggers on 20,000 lines for 3 epochs and reports the same table and more example lines.
#
# ## 3. Deep and bidirectional RNNs (slide section 8)
#
# A deep RNN feeds the output sequence of one recurrent layer to the next,
# $a^{[l]\langle t \rangle} = f\big(W^{[l]} [a^{[l]\langle t-1 \rangle}, a^{[l-1]\langle t \rangle}] + b^{[l]}\big)$;
# a bidirectional layer runs one RNN forwards and one backwards and concatenates their outputs,
# $[\overrightarrow{a}^{\langle t \rangle}, \overleftarrow{a}^{\langle t \rangle}]$, so the next
# layer reads twice as many features. In `Tagger` these are `layers=2` and `bidirectional=True`.
# A GRU layer of $n_a$ units over $n_x$ inputs has three gate blocks ($\Gamma_u$, $\Gamma_r$,
# $\tilde c$), each with $W_{?x}$ ($n_a \times n_x$), $W_{?a}$ ($n_a \times n_a$) and $b_?$:
# $3\,(n_a n_x + n_a^2 + n_a)$ parameters. The counts below are Keras's, the formula beside them.

# %%
def gru_parameters(n_x, n_a):
    return 3 * (n_a * n_x + n_a * n_a + n_a)


UNITS, EMBEDDING = 32, 32
vocabulary_size = uni.vocabulary.vocabulary_size()
rows = []
for layers in (1, 2):
    for bidirectional in (False, True):
        network = Tagger("gru", units=UNITS, embedding_dim=EMBEDDING, layers=layers,
                         bidirectional=bidirectional).build_network(vocabulary_size)
        recurrent = [layer for layer in network.layers
                     if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))]
        directions = 2 if bidirectional else 1
        expected = [directions * gru_parameters(EMBEDDING if i == 0 else directions * UNITS,
                                                UNITS) for i in range(layers)]
        actual = [layer.count_params() for layer in recurrent]
        assert actual == expected, (actual, expected)
        formula = " + ".join(
            f"{directions} × 3({UNITS}·{EMBEDDING if i == 0 else directions * UNITS} + "
            f"{UNITS}² + {UNITS})" for i in range(layers))
        rows.append([layers, "yes" if bidirectional else "no",
                     " + ".join(f"{n:,}" for n in actual), formula,
                     f"{network.get_layer('tag').count_params():,}",
                     f"{network.count_params():,}"])
display(Markdown(f"GRU taggers, {UNITS} units per direction, embedding {EMBEDDING}, vocabulary "
                 f"{vocabulary_size:,} (embedding: {vocabulary_size * EMBEDDING:,} parameters):"))
table(["layers", "bidirectional", "recurrent parameters, per layer", "formula",
       "output layer", "total"], rows)

# %% [markdown]
# Most of a small tagger's parameters are its embedding. Going bidirectional doubles the
# recurrent parameters of a layer *and* the input of the layer above it.
#
# **The zoo bidirectional tagger equals its built-in twin.** `Tagger.builtin_twin()` replaces
# every recurrent layer by `rnn_zoo.to_keras` of it (`keras.layers.GRU` / `keras.layers.LSTM` with
# the same weights, the update gate's sign flipped for the GRU as notebook 01 explains) and
# shares the other layers. On the trained bidirectional GRU tagger of section 2, over a padded
# batch of test lines (padding masked in both directions), and on a freshly initialised
# two-layer bidirectional LSTM tagger:

# %%
def twin_difference(tagger, sentences):
    """Max |P_zoo - P_builtin| over the real tokens of a padded batch, and the twin."""
    twin = tagger.builtin_twin()
    ids = tagger.encode(sentences).to_tensor(0)
    zoo_p, twin_p = tagger.network(ids).numpy()[..., 0], twin(ids).numpy()[..., 0]
    real = ids.numpy() != 0
    return float(np.abs(zoo_p - twin_p)[real].max()), twin


batch = test_x[:256]
deep_lstm = Tagger("lstm", units=UNITS, embedding_dim=EMBEDDING, layers=2, bidirectional=True,
                   seed=0).adapt(train_x)
for name, tagger in (("trained bidirectional GRU tagger", bi),
                     ("untrained 2-layer bidirectional LSTM tagger", deep_lstm)):
    difference, twin = twin_difference(tagger, batch)
    inner = [f"{type(layer).__name__}({type(layer.forward_layer).__name__}, "
             f"{type(layer.backward_layer).__name__})"
             for layer in twin.layers if isinstance(layer, keras.layers.Bidirectional)]
    print(f"{name}: twin holds {', '.join(inner)}")
    print(f"   {len(batch)} lines, {sum(map(len, batch)):,} tokens: "
          f"max |P(zoo) - P(built-in)| = {difference:.1e}")
    assert difference < 1e-5

# %% [markdown]
# ## 4. Many-to-many with different lengths: an encoder-decoder (slide section 9)
#
# Translation reads a sentence and writes one of another length. The same shape, small enough to
# train here: dates written in many ways, rewritten as ISO dates. `date_examples` deals every day
# from 1950 to 2049 to one split (so no test date was seen in training) and writes each in one of
# thirteen formats, drawn at random. One date in each format, and how often each occurs in this
# notebook's training set:

# %%
N_TRAIN, N_VALID, N_TEST = (2000, 200, 100) if SMALL else (10000, 500, 500)
S2S_UNITS, S2S_EPOCHS = (64, 4) if SMALL else (128, 8)

dates = date_examples(n_train=N_TRAIN, n_valid=N_VALID, n_test=N_TEST, seed=0)
train, valid, test = dates["train"], dates["valid"], dates["test"]
format_counts = Counter(train.formats)
day = datetime.date(2021, 3, 3)
table(["format", str(day), "training examples"],
      [[f"`{f}`", format_date(day, f), format_counts[f]] for f in DATE_FORMATS])
print(f"{len(train.sources):,} training, {len(valid.sources):,} validation, "
      f"{len(test.sources):,} test dates; the first training pairs:")
for source, target in zip(train.sources[:4], train.targets[:4]):
    print(f"   {source!r:32} -> {target!r}")
print("source lengths from", min(map(len, train.sources)), "to", max(map(len, train.sources)),
      "characters; every target has", len(train.targets[0]))

# %% [markdown]
# **The model** (`EncoderDecoder`): a character-level zoo GRU encoder reads the source, and its
# final state $h^{\langle T_x \rangle}$ is the decoder's initial state $a^{\langle 0 \rangle}$; the
# decoder, a character-level GRU language model, writes the target one character at a time. The
# whole source reaches the decoder through that one vector (there is no attention).
#
# **Teacher forcing.** In training the decoder does not read its own guesses: at step $t$ it reads
# the *true* previous character $y^{\langle t-1 \rangle}$ and is scored on predicting
# $y^{\langle t \rangle}$, with the end token `⏎` (the model's `eos_token`, a newline) both as its
# first input $y^{\langle 0 \rangle}$ and as the last character to predict. For one target:

# %%
example = train.targets[0]
decoder_input = ["\n", *example]           # y<0> = </s>, then y<1> ... y<T-1>
decoder_target = [*example, "\n"]          # y<1> ... y<T>, then </s>
table(["t", *range(1, len(decoder_target) + 1)],
      [["decoder input y⟨t−1⟩", *map(char_label, decoder_input)],
       ["target y⟨t⟩", *map(char_label, decoder_target)]])

# %%
keras.utils.set_random_seed(0)
seq2seq = EncoderDecoder("".join(train.sources), "".join(train.targets), cell="gru",
                         units=S2S_UNITS, embedding_dim=32)
print(seq2seq, f"{seq2seq.count_params():,} parameters")
start = time.perf_counter()
history = seq2seq.fit(train.sources, train.targets, validation_data=(valid.sources, valid.targets),
                      epochs=S2S_EPOCHS, batch_size=64, patience=2, learning_rate=3e-3, verbose=0)
print(f"{len(history.history['loss'])} epochs in {time.perf_counter() - start:.0f} s; "
      "loss / val_loss per epoch (nats per character): " + ", ".join(
          f"{a:.3f} / {b:.3f}" for a, b in zip(history.history["loss"],
                                                history.history["val_loss"])))

# %% [markdown]
# The trained model on one test date, teacher-forced: at every step the probability it gives the
# true next character after reading the true characters before it. Decoding has no true
# characters to read: it feeds back its own choices, and one wrong character changes every
# later input.

# %%
source, target = test.sources[0], test.targets[0]
log_probs = seq2seq.log_probs([source], [target])[0]           # (len(target) + 1, V)
decoder = seq2seq.decoder
p_true = np.exp([log_probs[t, decoder.token_index[c]] for t, c in enumerate([*target, "\n"])])
print(f"source {source!r} -> target {target!r}")
table(["t", *range(1, len(target) + 2)],
      [["input y⟨t−1⟩", *map(char_label, ["\n", *target])],
       ["target y⟨t⟩", *map(char_label, [*target, "\n"])],
       ["P(target | source, true inputs)", *(f"{p:.2f}" for p in p_true)]])
print("greedy decoding:", seq2seq.greedy([source], max_length=12))

# %% [markdown]
# **Greedy decoding against beam search.** Greedy takes the most likely character at every step;
# beam search (width 3) keeps the three most likely prefixes and returns the most likely complete
# output (ranked by total log-probability). A baseline copies the source unchanged (right only for
# sources already in ISO form).

# %%
start = time.perf_counter()
greedy = seq2seq.greedy(test.sources, max_length=12)
greedy_s = time.perf_counter() - start
start = time.perf_counter()
beams = seq2seq.beam_search(test.sources, beam_width=3, max_length=12)
beam_s = time.perf_counter() - start
beam = ["".join(hypotheses[0].tokens) for hypotheses in beams]
table([f"decoding ({len(test.sources)} test dates)", "exact match", "time (s)"],
      [["copy the source (baseline)", f"{exact_match(test.sources, test.targets):.3f}", "—"],
       ["greedy", f"{exact_match(greedy, test.targets):.3f}", f"{greedy_s:.0f}"],
       ["beam search, width 3", f"{exact_match(beam, test.targets):.3f}", f"{beam_s:.0f}"]])
print(f"greedy and beam search differ on {sum(g != b for g, b in zip(greedy, beam))} test dates")

by_format = {f: [i for i, g in enumerate(test.formats) if g == f] for f in DATE_FORMATS}


def greedy_exact_match(rows):
    if not rows:
        return "—"
    return f"{exact_match([greedy[i] for i in rows], [test.targets[i] for i in rows]):.2f}"


table(["format", "test dates", "greedy exact match"],
      [[f"`{f}`", len(rows), greedy_exact_match(rows)] for f, rows in by_format.items()])
errors = [(s, g, b, t) for s, g, b, t in zip(test.sources, greedy, beam, test.targets) if g != t]
print(f"{len(errors)} greedy errors; the first 8 (source -> greedy, beam; expected):")
for s, g, b, t in errors[:8]:
    print(f"   {s!r:30} -> {g!r}, {b!r}; expected {t!r}")

# %% [markdown]
# Read the errors by field: a wrong year, month or day tells which part of the source the single
# state vector did not carry through. `python bench/seq2seq.py` (about 5 minutes) trains the same
# model on 20,000 dates and reports exact match for greedy and beam search overall and per format.
#
# ## 5. One-to-many: names from a class (slide section 9)
#
# One input, a whole sequence out. `ClassConditionedLM` is a character-level LSTM language model
# whose initial state is set by the class: a learned vector per class,
# $[a^{\langle 0 \rangle}, c^{\langle 0 \rangle}] = S[\text{class}]$, then
# $x^{\langle 1 \rangle}$ = the start token and $x^{\langle t \rangle} = \hat y^{\langle t-1 \rangle}$.
# The class enters only through $a^{\langle 0 \rangle}$ and $c^{\langle 0 \rangle}$: it is not fed
# again at later steps, so the LSTM must carry it. Trained on the US census first-name lists,
# female and male, by teacher forcing.

# %%
CLASSES = ["female", "male"]
NAME_UNITS, NAME_EPOCHS, N_SAMPLES = (64, 4, 60) if SMALL else (128, 20, 300)

name_lists = {label: datasets.first_names(label) for label in CLASSES}
name_splits = {label: datasets.split_items(names, seed=0) for label, names in name_lists.items()}


def pairs(split):
    labels = [label for label in CLASSES for _ in name_splits[label][split]]
    return labels, [list(name) for label in CLASSES for name in name_splits[label][split]]


for label in CLASSES:
    print(f"{label}: {len(name_lists[label]):,} names, {len(name_splits[label]['train']):,} for "
          f"training; the most frequent: {', '.join(name_lists[label][:8])}")
keras.utils.set_random_seed(0)
characters = text.char_vocabulary("".join(sum(name_lists.values(), [])), eos_token="\n")
names_lm = ClassConditionedLM(characters, CLASSES, cell="lstm", units=NAME_UNITS, dropout=0.2)
print(names_lm, f"{names_lm.count_params():,} parameters; class tables:",
      [(layer.name, tuple(layer.embeddings.shape)) for layer in names_lm.state_network.layers
       if isinstance(layer, keras.layers.Embedding)])

start = time.perf_counter()
history = names_lm.fit(*pairs("train"), validation_data=pairs("valid"), epochs=NAME_EPOCHS,
                       batch_size=64, patience=3, learning_rate=3e-3, verbose=0)
losses = history.history
print(f"{len(losses['loss'])} epochs in {time.perf_counter() - start:.0f} s; loss "
      f"{losses['loss'][0]:.3f} -> {losses['loss'][-1]:.3f}, best validation "
      f"{min(losses['val_loss']):.3f} nats per character")

(a0, c0), = names_lm.initial_states(CLASSES)     # one layer: its [a<0>, c<0>], one row per class
for label, a_row in zip(CLASSES, a0.numpy()):
    print(f"a<0> for {label:6}: {a_row[:6]} ... ({a_row.size} values)")

# %% [markdown]
# `names_lm.conditioned_on(label)` is the language model $P(\text{name} \mid \text{class})$, an
# ordinary `LanguageModel`, so `rnn_zoo.lm.sampling.generate` samples it (temperature 1) and
# `beam_search` finds its most likely names. As a crude check that the class is honoured: the
# share of names ending in *a*, in the samples and in the lists.

# %%
def ending_in_a(names):
    return f"{np.mean([name.endswith('a') for name in names]):.0%}"


sample_rng = np.random.default_rng(0)
samples, rows = {}, []
for label in CLASSES:
    view = names_lm.conditioned_on(label)
    samples[label] = ["".join(generate(view, max_tokens=30, seed=sample_rng))
                      for _ in range(N_SAMPLES)]
    seen = set(name_splits[label]["train"])
    best = ", ".join("".join(h.tokens) for h in beam_search(view, beam_width=5, max_tokens=15))
    print(f"{label} samples: {', '.join(samples[label][:12])}")
    print(f"{label} beam search, 5 most likely: {best}\n")
    rows.append([label, ending_in_a(samples[label]), ending_in_a(name_lists[label]),
                 f"{np.mean([s in seen for s in samples[label]]):.0%}",
                 len(set(samples[label]))])
table(["class", f"samples ending in a ({N_SAMPLES})", "list ending in a",
       "samples that copy a training name", "distinct samples"], rows)

# %% [markdown]
# The same network and weights produce both columns; only $a^{\langle 0 \rangle}$ and
# $c^{\langle 0 \rangle}$ differ. `python bench/conditioned_names.py` (about 3 minutes) trains
# longer, draws 500 samples per class and also counts names that land on the other class's list.
#
# ## 6. What the gates do over a real line (slides sections 6 and 7)
#
# `rnn_zoo.studies.gates.model_gates` runs a zoo layer inside a trained model over one input, step by
# step, through the cell's own `gate_activations` and `step`, and records every gate;
# `plot_gates` draws each gate as a heatmap, units down, tokens across, from 0 (dark) to 1
# (yellow). First the forward GRU of section 2's bidirectional tagger:
#
# $$\Gamma_u = \sigma(W_u [c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_u), \quad
#   \Gamma_r = \sigma(W_r [c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_r), \quad
#   c^{\langle t \rangle} = \Gamma_u \odot \tilde c^{\langle t \rangle} + (1 - \Gamma_u) \odot c^{\langle t-1 \rangle}$$
#
# A unit with $\Gamma_u \approx 0$ keeps its memory ($c^{\langle t \rangle} \approx c^{\langle t-1 \rangle}$),
# one with $\Gamma_u \approx 1$ replaces it by the candidate. The line: the first test line of 8 to
# 14 tokens with a capitalised mixed-case word that does not start a sentence.

# %%
def capital_in_context(tokens, tags, mixed_case, where):
    """A capitalised mixed-case word that does not follow '.', '?' or '!'."""
    after_stop = np.array([t > 0 and tokens[t - 1] in ".?!" for t in range(len(tokens))])
    return np.any(tags.astype(bool) & mixed_case & where & ~after_stop)


gate_line = next(i for i, row in enumerate(zip(test_x, test_y, mixed, scored))
                 if 8 <= len(row[0]) <= 14 and capital_in_context(*row))
gate_tokens = test_x[gate_line]
print("line:", recapitalise(gate_tokens, test_y[gate_line]))
print("bidirectional tagger:", recapitalise(gate_tokens, p_bi[gate_line] > 0.5))
gate_ids = bi.encode([gate_tokens]).to_tensor()
forward_gru = bi.network.get_layer("bidirectional_0").forward_layer
gru_gates = gates.model_gates(bi.network, forward_gru, gate_ids)
show_figure(gates.plot_gates(gru_gates, gate_tokens,
                             title="forward GRU of the bidirectional tagger"))


def describe_gates(recorded, keep="Γ_u", keep_closed=True):
    """Print, from the recorded arrays, what the heatmaps show."""
    for name, values in recorded.items():
        if name.startswith("Γ"):
            print(f"{name}: mean {values.mean():.2f}; per token, the spread over the units "
                  f"(mean std) {values.std(axis=1).mean():.2f}, per unit, the spread over the "
                  f"tokens {values.std(axis=0).mean():.2f}")
    gate = recorded[keep]
    later = gate[1:]                            # at t = 1, c<0> = 0: nothing to keep yet
    steady = np.flatnonzero((later < 0.1).all(axis=0) if keep_closed else (later > 0.9).all(axis=0))
    c = recorded["c"]
    moves = np.abs(np.diff(c, axis=0))          # |c<t> - c<t-1>|, t >= 2
    print(f"units whose {keep} stays {'below 0.1' if keep_closed else 'above 0.9'} at every "
          f"token after the first: {len(steady)} of {c.shape[1]}", end="")
    if len(steady):
        print(f"; their c moves by at most {moves[:, steady].max():.3f} from token to token "
              f"(the other units: up to {np.delete(moves, steady, axis=1).max():.3f})")
    else:
        print()
    mean = gate.mean(axis=0)
    print(f"units whose mean {keep} over the line is below 0.5: {np.sum(mean < 0.5)}, above 0.5: "
          f"{np.sum(mean >= 0.5)}")
    by_token = gate.mean(axis=1)
    order = np.argsort(by_token)
    print(f"mean {keep} over the units, per token: lowest at "
          + ", ".join(f"'{gate_tokens[t]}' ({by_token[t]:.2f})" for t in order[:3])
          + "; highest at " + ", ".join(f"'{gate_tokens[t]}' ({by_token[t]:.2f})"
                                        for t in order[::-1][:3]))


describe_gates(gru_gates)
rebuilt = gru_gates["Γ_u"] * gru_gates["c~"] + (1 - gru_gates["Γ_u"]) * np.vstack(
    [np.zeros((1, UNITS)), gru_gates["c"][:-1]])
print(f"c<t> rebuilt from the recorded Γ_u and c~: max |difference| "
      f"{np.abs(rebuilt - gru_gates['c']).max():.1e}")

# %% [markdown]
# Then the LSTM, $c^{\langle t \rangle} = \Gamma_u \odot \tilde c^{\langle t \rangle} + \Gamma_f \odot c^{\langle t-1 \rangle}$,
# $a^{\langle t \rangle} = \Gamma_o \odot \tanh(c^{\langle t \rangle})$: a unidirectional zoo LSTM
# tagger trained briefly on the same lines, with the same settings, over the same line. Here a
# unit keeps its memory where $\Gamma_f \approx 1$ and $\Gamma_u \approx 0$.

# %%
lstm_tagger = Tagger("lstm", units=32, embedding_dim=32, bidirectional=False,
                     learning_rate=3e-3, seed=0)
lstm_tagger.fit(train_x, train_y, validation_data=(valid_x, valid_y), epochs=TAG_EPOCHS,
                batch_size=64, patience=1, verbose=0)
lstm_scores = lstm_tagger.evaluate(test_x, test_y, scored)
print(f"unidirectional LSTM tagger: F1 {lstm_scores['f1']:.3f} on the test words scored above "
      f"(trained {lstm_tagger.train_seconds:.0f} s)")
lstm_gates = gates.model_gates(lstm_tagger.network, "lstm_0",
                               lstm_tagger.encode([gate_tokens]).to_tensor())
show_figure(gates.plot_gates(lstm_gates, gate_tokens, title="unidirectional LSTM tagger"))
describe_gates(lstm_gates, keep="Γ_f", keep_closed=False)
rebuilt = lstm_gates["Γ_u"] * lstm_gates["c~"] + lstm_gates["Γ_f"] * np.vstack(
    [np.zeros((1, UNITS)), lstm_gates["c"][:-1]])
print(f"c<t> rebuilt from the recorded Γ_u, Γ_f and c~: max |difference| "
      f"{np.abs(rebuilt - lstm_gates['c']).max():.1e}")

# %% [markdown]
# **Reading the plots.** What they show for certain: each gate is a number between 0 and 1 per
# unit and per token, and the rebuilt $c^{\langle t \rangle}$ above shows they are the gates the
# layer really used. The printed spreads say how much the gates move along the line and how much
# the units differ from one another. Units whose $\Gamma_u$ (GRU) stays near 0, or whose
# $\Gamma_f$ (LSTM) stays near 1, at every token after the first (at the first, $c^{\langle 0 \rangle} = 0$
# and there is nothing to keep), are the long rows of one colour: the count above
# says how many there are on this line (possibly none), and how little their memory $c$ changed;
# the counts by mean gate say on which side of 0.5 the units sit on average. Where many units
# change together, a whole column lights up or darkens; the tokens with the highest and lowest
# mean gate are printed.
#
# What the plots do *not* show: what a unit "means". One line, one training run and one seed
# cannot tell whether a unit tracks names, punctuation or the position in the line; claims of
# that kind need many lines and a test (for example, the gates averaged over all capitalised
# words against all others).

# %% [markdown]
# ## The numbers at a glance

# %%
teddy_p = [teddy_taggers["bidirectional"].predict([pair_tokens[k]])[0][teddy_at]
           for k in pair_tokens]
summary = [
    ("Teddy, bidirectional tagger: P(name) before bears / roosevelt",
     "{:.2f} / {:.2f}".format(*teddy_p)),
    *((f"capitals, F1 ({name})", f"{r['all']['f1']:.3f}") for name, r in results.items()),
    ("dates, greedy exact match", f"{exact_match(greedy, test.targets):.3f}"),
    ("dates, beam search exact match", f"{exact_match(beam, test.targets):.3f}"),
    *((f"names ending in a, {label} samples", ending_in_a(samples[label])) for label in CLASSES),
]
width = max(len(name) for name, _ in summary)
for name, value in summary:
    print(f"{name:<{width}}  {value}")
print(f"\nsmall mode: {SMALL}; run time {time.perf_counter() - START:.0f} s")

# %% [markdown]
# ## Summary
#
# * **The design patterns** (slide section 9): one-to-one, one-to-many, many-to-one, and
#   many-to-many with equal or with different lengths, each with its place in `rnn_zoo`. The
#   one-to-many model and the encoder-decoder share one decoder, a language model whose initial
#   state is set by a vector.
# * **A tagger** (many-to-many, equal lengths). On the slides' *Teddy* pair (slide section 8) a
#   unidirectional tagger must give *teddy* the same probability in both sentences (0.424 in
#   both), while a bidirectional one separates them (0.001 before *bears*, 1.000 before
#   *Roosevelt*).
# * **Restoring Shakespeare's capitals**: F1 0.738 for the baseline without context, 0.797 for a
#   unidirectional and 0.819 for a bidirectional zoo GRU tagger. The words to the right help most
#   on words of mixed case (F1 +0.131).
# * **Deep and bidirectional** (slide section 8): a GRU layer has $3(n_a n_x + n_a^2 + n_a)$
#   parameters; going bidirectional doubles them and doubles the input of the layer above. The
#   zoo taggers equal their built-in Keras twins to $3.0 \times 10^{-7}$.
# * **An encoder-decoder** (many-to-many, different lengths) rewrites dates written in 13 formats
#   as ISO dates. Trained by teacher forcing, it reaches an exact match of 0.998 with greedy
#   decoding and 1.000 with beam search (copying the source: 0.072); the one greedy error is in
#   the month and the day (`2020-05-01` read as `2020-07-30`), and beam search gets it right.
# * **One-to-many**: a class sets $a^{\langle 0 \rangle}$ and $c^{\langle 0 \rangle}$ of a
#   character LSTM. 39 % of its female samples end in *a* (41 % of the list), against 2 % of its
#   male samples (1 %).
# * **The gates** of a trained GRU and a trained LSTM (slide sections 6 and 7) are recorded over
#   one line and rebuild $c^{\langle t \rangle}$; one line and one seed cannot say what a unit
#   means.

# %% [markdown]
# ## Exercises
#
# 1. **Predict, then check.** In section 2.1, which tokens of the two *Teddy* sentences must get
#    identical probabilities from the unidirectional tagger, whatever it learned? Could more
#    training or more data fix *teddy*? What is the smallest change to the model that could?
# 2. **Count the parameters.** Write `lstm_parameters(n_x, n_a)`, and the count of Keras's
#    default GRU, `reset_after=True`, which keeps a second bias row. Check each against
#    `count_params()` of `rnn_zoo.LSTM` and `rnn_zoo.GRU(reset_after=True)` the way the first cell
#    below checks the slides' GRU. Then predict the recurrent parameters of a 2-layer
#    bidirectional LSTM tagger with 32 units and embeddings of 32 before you build
#    `Tagger("lstm", units=32, embedding_dim=32, layers=2, bidirectional=True)`.
# 3. **Greedy or beam?** Greedy decoding and beam search differ on only 1 of the 500 test dates.
#    What does that say about the decoder's next-character distributions? Predict how the gap
#    between them changes if you train for 2 epochs instead of 8 (`S2S_EPOCHS`), then try it.
# 4. **One vector for the whole source.** The encoder hands the decoder a single state vector.
#    Which formats are hardest in the per-format table of section 4? Why might even
#    `{yyyy}-{mm}-{dd}`, whose source is already the answer, not be easy for this model?
#    What would attention change?
# 5. **The class must be carried.** In section 5 the class enters only through
#    $a^{\langle 0 \rangle}$ and $c^{\langle 0 \rangle}$. Predict how the share of names ending in
#    *a* changes for each class if you sample at `temperature=1.5`, then try it.
# 6. **The GRU step in the course's conventions.** Write `gru_cell_forward(xt, a_prev, parameters)`
#    for the slides' GRU: `Wu, bu, Wr, br, Wc, bc, Wy, by`, the gates acting on
#    $[a^{\langle t-1 \rangle}; x^{\langle t \rangle}]$ and the candidate on
#    $[\Gamma_r * a^{\langle t-1 \rangle}; x^{\langle t \rangle}]$, returning
#    `a_next, yt_pred, cache` with `cache = (a_next, a_prev, ut, rt, cct, xt, parameters)`. Check
#    it with `check_function(gru_cell_forward, "gru_cell_forward")`, then write
#    `gru_forward(x, a0, parameters)` and check it with
#    `check_function(gru_forward, "gru_forward")`.
#
# **Checking an answer.** A parameter count is checked against Keras's own `count_params()`; a
# NumPy step against the grader, which names the known mistake that gives your numbers. Below, the
# slides' GRU count for a zoo layer, alone and bidirectional; then a student's `gru_cell_forward`
# that applies $\Gamma_r$ after the recurrent matmul, as Keras's default `reset_after=True` does.

# %%
import keras

import rnn_zoo


def gru_parameters(n_x, n_a):
    """Three blocks (Γ_u, Γ_r, c~), each W_?x (n_a × n_x), W_?a (n_a × n_a) and b_? (n_a)."""
    return 3 * (n_a * n_x + n_a * n_a + n_a)


n_x, n_a = 32, 16
layers = {"rnn_zoo.GRU": (rnn_zoo.GRU(n_a), gru_parameters(n_x, n_a)),
          "Bidirectional(rnn_zoo.GRU)": (keras.layers.Bidirectional(rnn_zoo.GRU(n_a)),
                                         2 * gru_parameters(n_x, n_a))}
for name, (layer, formula) in layers.items():
    layer.build((None, None, n_x))
    print(f"{name:27} n_x={n_x}, n_a={n_a}: Keras counts {layer.count_params():,}, "
          f"the formula gives {formula:,}")
    assert layer.count_params() == formula

# %%
import numpy as np

from rnn_zoo.functional import sigmoid, softmax
from rnn_zoo.grading import check_function


def gru_cell_forward(xt, a_prev, parameters):
    """The slides' GRU step in the course's conventions, with a planted mistake: Γ_r multiplies
    W_ca a<t-1> after the matmul instead of a<t-1> inside [Γ_r * a<t-1>; x<t>]."""
    p, n_a = parameters, a_prev.shape[0]
    concat = np.concatenate([a_prev, xt], axis=0)                # [a<t-1>; x<t>]
    ut = sigmoid(p["Wu"] @ concat + p["bu"])                     # Γ_u
    rt = sigmoid(p["Wr"] @ concat + p["br"])                     # Γ_r
    W_ca, W_cx = p["Wc"][:, :n_a], p["Wc"][:, n_a:]
    cct = np.tanh(W_cx @ xt + p["bc"] + rt * (W_ca @ a_prev))    # the mistake
    a_next = ut * cct + (1 - ut) * a_prev                        # a<t> = c<t>
    yt_pred = softmax(p["Wy"] @ a_next + p["by"])
    return a_next, yt_pred, (a_next, a_prev, ut, rt, cct, xt, parameters)


print(check_function(gru_cell_forward, "gru_cell_forward"))
