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
# # 03 · Language models: counts, a fixed window, an RNN
#
# A language model gives $p(x^{\langle t+1 \rangle} = w_j \mid x^{\langle t \rangle}, \dots, x^{\langle 1 \rangle})$
# for every word $w_j$ of its vocabulary, and so the probability of a whole sentence,
#
# $$P(y^{\langle 1 \rangle}, \dots, y^{\langle T \rangle}) = P(y^{\langle 1 \rangle})\,
#   P(y^{\langle 2 \rangle} \mid y^{\langle 1 \rangle}) \cdots
#   P(y^{\langle T \rangle} \mid y^{\langle 1 \rangle}, \dots, y^{\langle T-1 \rangle}).$$
#
# The slides (section 10) build three of them, each answering the problems of the one before. This
# notebook builds all three on the Penn Treebank (Mikolov's language-model split, 10,000 words) and
# measures what the slides argue:
#
# 1. **The slides' tokenisation recipe**: `<EOS>`, `<UNK>` and a 10,000-word vocabulary, with
#    Keras's `StringLookup`.
# 2. **n-gram counts**, $P(w \mid h) = c(h\,w) / c(h)$, and the slides' two arguments against
#    them measured and plotted: *sparsity* (how many test n-grams were never seen) and *storage*
#    (how many distinct n-grams must be kept) as $n$ grows.
# 3. **Smoothing**: add-$k$ against Kneser-Ney, perplexity by order.
# 4. **The fixed-window neural LM**: 4 words in, a hidden layer, a softmax over the vocabulary.
# 5. **The RNN LM** with the zoo's LSTM: teacher forcing ($x^{\langle t \rangle} = y^{\langle t-1 \rangle}$)
#    on one sentence, stateful training over contiguous streams with `tf.data`, and perplexity
#    measured two ways.
# 6. **The three side by side**: one perplexity table.
# 7. **Sentence probabilities** factor by factor, the slides' *pear / pair* pair, and why a
#    closed vocabulary cannot compare them fairly while a character model can.
#
# **Running it.** The full run trains each neural model for one epoch over the whole training set
# (about 930,000 words); it takes about 6 minutes on a 2-core CPU (332 s at a0af31f), and the
# last cell
# prints the time it took. One epoch is a *short* training: the definitive figures (Zaremba et al.'s
# "small" LSTM trained for 13 epochs, against the Kneser-Ney 5-gram and the window model) come from
# `python bench/ptb_word.py` (35 to 40 minutes). The test suite runs this notebook with
# `RNN_ZOO_SMALL=1`: 1,500 training sentences, a few hundred for validation and test, and smaller
# networks, about a minute; its numbers only show that the code runs.
#
# **Perplexity** is $\exp\big(-\frac{1}{N}\sum \ln P(y^{\langle t \rangle} \mid \dots)\big)$ over
# every predicted token, each sentence's words and its one end token `</s>` (the slides'
# `<EOS>`); a start marker is context only and never counted (`rnn_zoo.lm.interface`). Lower is better; a
# model that guessed uniformly among $V$ words would score $V$.

# %%
import math
import re
import time
from collections import Counter

from rnn_zoo.notebook import setup, table

START, SMALL = setup()  # TF log level, seed 0, print options; prints the versions

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from rnn_zoo.data import datasets, text
from rnn_zoo.lm.ngram import NGramLM, sparsity_and_storage
from rnn_zoo.lm.rnn import RNNLanguageModel
from rnn_zoo.lm.window import WindowLanguageModel

UNK, EOS = "<unk>", "</s>"   # the PTB writes its unknown word <unk>; </s> is the slides' <EOS>


def n_targets(sentences):
    """The tokens a model predicts in ``sentences``: every word and one end token a sentence."""
    return sum(len(sentence) + 1 for sentence in sentences)


ptb = {split: [line.split() for line in lines] for split, lines in datasets.penn_treebank().items()}
if SMALL:
    ptb = {"train": ptb["train"][:1500], "valid": ptb["valid"][:200], "test": ptb["test"][:300]}
train, valid, test = ptb["train"], ptb["valid"], ptb["test"]
for split, sentences in ptb.items():
    print(f"{split:5}: {len(sentences):6,} sentences, {n_targets(sentences):7,} targets (words + </s>)")

# %% [markdown]
# ## 1. The slides' tokenisation recipe
#
# "Training set: a large corpus of English text. Tokenize; add `<EOS>` at the end of every
# sentence; map rare words to `<UNK>`" (the slides keep the 10,000 most common words). The Penn
# Treebank comes tokenised already, the way Mikolov et al. prepared it: lower case, numbers as
# `N`, punctuation dropped, one sentence a line, and every word outside its 10,000-word vocabulary
# already written `<unk>`:

# %%
for sentence in train[:3]:
    print(" ".join(sentence))
print(f"\n{sum(s.count(UNK) for s in train) / sum(map(len, train)):.1%} of the training words are <unk>")

# %% [markdown]
# The vocabulary is a Keras `StringLookup`: `rnn_zoo.data.text.word_vocabulary` counts the training
# words and keeps `<unk>` (the lookup's out-of-vocabulary id 0, so every word outside the
# vocabulary maps to it), the end token `</s>`, and the most frequent words, 10,000 tokens in all.
# A new sentence is tokenised the PTB's way (lower case, numbers to `N`, punctuation dropped),
# gets its `</s>`, and goes through the lookup: the slides' own two sentences, where the words the
# PTB never saw become `<unk>`, as "Mau" does on the slide.

# %%
lookup = text.word_vocabulary(train, max_tokens=10_000, unk_token=UNK, eos_token=EOS)
vocabulary = [str(token) for token in lookup.get_vocabulary()]
V = len(vocabulary)
print(f"vocabulary: {V:,} tokens; the first 12: {vocabulary[:12]}")


def tokenize(sentence):
    """The PTB's preprocessing for a new sentence: lower case, numbers as N, no punctuation."""
    words = re.findall(r"[a-z0-9'&$-]+", sentence.lower())
    return ["N" if re.fullmatch(r"\d[\d,.]*", word) else word for word in words]


SLIDE_SENTENCES = ["Cats average 15 hours of sleep a day.", "The Egyptian Mau is a breed of cat."]
for raw in SLIDE_SENTENCES:
    tokens = tokenize(raw) + [EOS]
    ids = lookup(tf.constant(tokens)).numpy()
    print(f"\n{raw!r}\n  tokens: {' '.join(tokens)}\n  ids:    {ids.tolist()}\n"
          f"  read:   {' '.join(text.decode(lookup, ids))}")

# %% [markdown]
# How many running words a vocabulary of each size leaves as `<unk>` (the test set's words; the
# PTB's own `<unk>` always counts, so even the full vocabulary leaves some):

# %%
test_words = Counter(word for sentence in test for word in sentence)
rows = []
for size in (1_000, 2_000, 5_000, 10_000):
    kept = set(text.word_vocabulary(train, max_tokens=size, unk_token=UNK).get_vocabulary()[1:])
    unknown = sum(count for word, count in test_words.items() if word not in kept)
    rows.append([f"{size:,}", f"{unknown / sum(test_words.values()):.1%}"])
table(["max_tokens (with <unk>, </s>)", "test words read as <unk>"], rows)

# %% [markdown]
# ## 2. n-gram counts, their sparsity and their storage
#
# The slides' n-gram model predicts a word from the $n-1$ words before it by counting:
#
# $$P(w \mid \text{students opened their}) = \frac{c(\text{students opened their } w)}{c(\text{students opened their})}$$
#
# ("students opened their" seen 1,000 times, "… books" 400 times: 0.4). Counting the training
# 4-grams by hand with a `Counter` and asking `NGramLM(n=4, smoothing="add-k", k=0)` (add-$k$
# with $k = 0$ is the unsmoothed count ratio) give the same numbers. A sentence is read as
# `<s> <s> <s> y1 … yT </s>`: the start padding `<s>` is context only.
# First the slides' own context, then the most frequent 3-word context of the training set:

# %%
def padded(sentence, n):
    return ["<s>"] * (n - 1) + sentence + [EOS]


fourgrams = Counter(tuple(s[i:i + 4]) for s in (padded(s, 4) for s in train) for i in range(len(s) - 3))
contexts = Counter()
for gram, count in fourgrams.items():
    contexts[gram[:3]] += count
unsmoothed = NGramLM(train, n=4, smoothing="add-k", k=0, unk_token=UNK, eos_token=EOS)

slide_context = ("students", "opened", "their")
print(f"c({' '.join(slide_context)}) = {contexts[slide_context]}")
with np.errstate(invalid="ignore"):
    print("P(books | students opened their) =", math.exp(unsmoothed.log_prob("books", list(slide_context))),
          "  <- an unseen context: 0/0, no distribution at all")

context = next(c for c, _ in contexts.most_common() if "<s>" not in c)
print(f"\nthe most frequent context without <s>: c({' '.join(context)}) = {contexts[context]:,}")
followers = sorted(((count, gram[3]) for gram, count in fourgrams.items() if gram[:3] == context),
                   reverse=True)
log_probs = unsmoothed.next_log_probs(list(context))
for count, word in followers[:6]:
    print(f"  P({word!r:14} | {' '.join(context)}) = {count:5,} / {contexts[context]:,} = "
          f"{count / contexts[context]:.4f}   NGramLM: {math.exp(log_probs[unsmoothed.index(word)]):.4f}")
print(f"  ... {len(followers):,} distinct next words seen; the other "
      f"{len(unsmoothed.vocabulary) - len(followers):,} of the "
      f"vocabulary get probability {math.exp(log_probs.min()):.0f}")

# %% [markdown]
# Those zeros are the slides' first argument, **sparsity**: an n-gram never seen in training gets
# probability 0 (and one zero makes a whole sentence impossible), and a context never seen gives
# no distribution at all. The second is **storage**: the model must keep every distinct n-gram it
# saw, and there are up to $V^n$ of them. `sparsity_and_storage` measures both on the PTB: for each
# $n$, the share of the test set's n-grams that training never saw, the share whose
# $(n-1)$-word context it never saw, and how many distinct n-grams the training set holds.

# %%
MAX_N = 6
stats = sparsity_and_storage(train, test, max_n=MAX_N)
table(["n", "test n-grams unseen in training", "test contexts unseen", "distinct n-grams stored",
       "possible (V^n)"],
      [[s.n, f"{s.unseen_ngrams:.1%}", f"{s.unseen_contexts:.1%}", f"{s.stored_ngrams:,}",
        f"{float(V) ** s.n:.1e}"] for s in stats])

orders = [s.n for s in stats]
fig, (ax, ax_storage) = plt.subplots(1, 2, figsize=(12, 3.8))
ax.plot(orders, [100 * s.unseen_ngrams for s in stats], "o-", label="test n-gram never seen (P = 0)")
ax.plot(orders, [100 * s.unseen_contexts for s in stats], "s--", label="its context never seen (0/0)")
ax.set_xlabel("n")
ax.set_ylabel("% of the test set's n-grams")
ax.set_ylim(0, 100)
ax.set_title("Sparsity: the longer the n-gram, the likelier it is new")
ax.legend()
ax_storage.plot(orders, [s.stored_ngrams for s in stats], "o-", label="distinct n-grams in training")
ax_storage.axhline(n_targets(train), color="grey", lw=0.8, label="n-gram occurrences in training")
ax_storage.set_ylim(bottom=0)
ax_storage.set_xlabel("n")
ax_storage.set_ylabel("distinct n-grams")
ax_storage.set_title("Storage: what an n-gram model must keep (possible: $V^n$)")
ax_storage.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# Storage grows with $n$ until nearly every n-gram of the training set is distinct: the table then
# holds almost as many entries as the corpus has words, and each stored n-gram was seen about
# once, so its count says little. The possible $V^n$ (the last column) explodes far faster, so the share
# of unseen test n-grams climbs towards 100 %: no corpus can cover them, and $n$ rarely goes
# beyond 5.
#
# ## 3. Smoothing: add-k against Kneser-Ney
#
# Smoothing moves probability mass to the unseen. **add-$k$** pretends every n-gram was seen $k$
# more times, $P(w \mid h) = (c(h\,w) + k) / (c(h) + kV)$; **Kneser-Ney** subtracts a discount $D$
# from every seen count and hands the mass down to a shorter context, whose counts are
# *continuation* counts (in how many contexts a word appears, not how often);
# **modified Kneser-Ney** uses three discounts by count (`rnn_zoo/ngram.py` has the formulas).
# Test perplexity by order:

# %%
SMOOTHINGS = {"add-1 (Laplace)": dict(smoothing="add-k", k=1.0),
              "add-0.01": dict(smoothing="add-k", k=0.01),
              "Kneser-Ney, D = 0.75": dict(smoothing="kneser-ney"),
              "modified Kneser-Ney": dict(smoothing="modified-kneser-ney")}
NGRAM_ORDERS = (1, 2, 3, 4, 5)
perplexities = {}
for name, options in SMOOTHINGS.items():
    for n in NGRAM_ORDERS:
        try:
            model = NGramLM(train, n=n, unk_token=UNK, eos_token=EOS, **options)
            perplexities[name, n] = model.perplexity(test)
        except ValueError as error:  # modified KN needs enough counts of counts
            print(f"{name}, n = {n}: {str(error)[:120]}...")
            perplexities[name, n] = math.nan
with np.errstate(divide="ignore"):
    unsmoothed_2 = NGramLM(train, n=2, smoothing="add-k", k=0, unk_token=UNK, eos_token=EOS)
    print(f"unsmoothed (k = 0) bigram test perplexity: {unsmoothed_2.perplexity(test)} "
          f"(one unseen bigram is enough)")
best = min(perplexities, key=lambda key: np.nan_to_num(perplexities[key], nan=np.inf))
print(f"lowest test perplexity: {best[0]}, n = {best[1]}: {perplexities[best]:.1f}")
table(["smoothing"] + [f"n = {n}" for n in NGRAM_ORDERS],
      [[name] + [f"{perplexities[name, n]:.1f}" for n in NGRAM_ORDERS] for name in SMOOTHINGS])

fig, ax = plt.subplots(figsize=(7, 3.5))
for name in SMOOTHINGS:
    ax.semilogy(NGRAM_ORDERS, [perplexities[name, n] for n in NGRAM_ORDERS], "o-", label=name)
ax.set_xlabel("n")
ax.set_ylabel("test perplexity")
ax.set_xticks(NGRAM_ORDERS)
ax.legend()
plt.show()

# %% [markdown]
# add-$k$ gets *worse* as $n$ grows: it gives every one of the $V$ possible next words the same
# $k$, and for a longer context, seen only a few times, those $kV$ pseudo-counts swamp the real
# ones. Kneser-Ney improves with $n$ and then levels off, because a rare context falls back on a
# shorter one instead of on the uniform distribution. The 5-gram with modified Kneser-Ney is the
# classic baseline on this corpus (Mikolov et al. 2011); `python bench/bench_ngram.py` compares
# ours with their figure and times it. It is the n-gram model of the comparison below (plain
# Kneser-Ney where the corpus is too small to estimate the modified discounts).

# %%
t0 = time.perf_counter()
try:
    ngram = NGramLM(train, n=5, smoothing="modified-kneser-ney", unk_token=UNK, eos_token=EOS)
    ngram_name = "modified Kneser-Ney 5-gram"
except ValueError:
    ngram = NGramLM(train, n=5, smoothing="kneser-ney", unk_token=UNK, eos_token=EOS)
    ngram_name = "Kneser-Ney 5-gram"
ngram_seconds = time.perf_counter() - t0
print(ngram, f"fitted in {ngram_seconds:.1f} s; it keeps the counts of "
      f"{sum(s.stored_ngrams for s in stats[:5]):,} distinct n-grams of orders 1 to 5")

# %% [markdown]
# ## 4. The fixed-window neural language model
#
# The slides' answer to sparsity: embed the previous 4 words, concatenate, one hidden layer, a
# softmax over the vocabulary,
#
# $$e = [e^{\langle t-4 \rangle}, \dots, e^{\langle t-1 \rangle}], \qquad h = \tanh(W e + b_1), \qquad
#   \hat y^{\langle t \rangle} = \mathrm{softmax}(U h + b_2).$$
#
# Similar words get similar embeddings, so a 4-gram never seen still gets a sensible
# distribution, and the model's size grows only linearly with the window. Each target is one
# training example: the window before it (padded with `</s>`, the previous sentence's end) and
# the word to predict.

# %%
WINDOW, EMBEDDING, HIDDEN = 4, (32 if SMALL else 64), (64 if SMALL else 128)
window_lm = WindowLanguageModel(vocabulary, window=WINDOW, embedding_dim=EMBEDDING, hidden_units=HIDDEN,
                                unk_token=UNK, eos_token=EOS)
example_contexts, example_targets = window_lm.examples(train[:1])
print("examples of the first training sentence:")
for context_ids, target in list(zip(example_contexts, example_targets))[:6]:
    print(f"  {' '.join(text.decode(lookup, context_ids)):48} -> {vocabulary[target]}")

params = window_lm.network.count_params()
print(f"\n{window_lm!r}: {params:,} parameters")
for window in (2, 4, 8, 16):   # embeddings + W + U: linear in the window
    count = V * EMBEDDING + (window * EMBEDDING + 1) * HIDDEN + (HIDDEN + 1) * V
    print(f"  window {window:2}: {count:,} parameters" + ("  (this model)" if window == WINDOW else ""))
assert V * EMBEDDING + (WINDOW * EMBEDDING + 1) * HIDDEN + (HIDDEN + 1) * V == params

# %% [markdown]
# Training: Keras's `fit` on the shuffled examples, Adam, cross entropy; one epoch.

# %%
WINDOW_EPOCHS = 1
t0 = time.perf_counter()
history = window_lm.fit(train, epochs=WINDOW_EPOCHS, batch_size=256, learning_rate=2e-3,
                        validation_sentences=valid, verbose=0)
window_seconds = time.perf_counter() - t0
for epoch, (loss, val_loss) in enumerate(zip(history.history["loss"], history.history["val_loss"]), 1):
    print(f"epoch {epoch}: train perplexity {math.exp(loss):.1f}, valid perplexity {math.exp(val_loss):.1f}")
print(f"{n_targets(train):,} examples an epoch, {window_seconds:.0f} s")

# %% [markdown]
# ## 5. The RNN language model
#
# The window model still sees exactly 4 words. An RNN LM reads the whole sentence so far: at step
# $t$ its input is the previous word, $x^{\langle t \rangle} = y^{\langle t-1 \rangle}$ (*teacher
# forcing*: in training it reads the true previous word, not its own guess), and it predicts
# $y^{\langle t \rangle}$:
#
# $$a^{\langle t \rangle} = \mathrm{LSTM}(E\,x^{\langle t \rangle}, a^{\langle t-1 \rangle}), \qquad
#   \hat y^{\langle t \rangle} = \mathrm{softmax}(W_{ya} a^{\langle t \rangle} + b_y), \qquad
#   \mathcal L = \sum_t -\ln \hat y^{\langle t \rangle}[y^{\langle t \rangle}].$$
#
# `RNNLanguageModel` is `Embedding → rnn_zoo.LSTM → Dense(V)`. Its first input $x^{\langle 1 \rangle}$
# is `</s>` (the end of the sentence before), which is never predicted. On one of the slides'
# sentences, as `text.sentence_batches` lays it out:

# %%
UNITS = 64 if SMALL else 128
lstm = RNNLanguageModel(vocabulary, cell="lstm", units=UNITS, unk_token=UNK, eos_token=EOS)
print(f"{lstm!r}: {lstm.network.count_params():,} parameters")

sentence = tokenize(SLIDE_SENTENCES[1])
x, y = next(iter(text.sentence_batches(lookup, [sentence], batch_size=1, eos_token=EOS)))
x_tokens, y_tokens = [str(t) for t in text.decode(lookup, x)], [str(t) for t in text.decode(lookup, y)]
table(["t"] + [str(t) for t in range(1, len(x_tokens) + 1)],
      [["x<t> (input)"] + x_tokens, ["y<t> (target)"] + y_tokens])
assert x_tokens[1:] == y_tokens[:-1]   # x<t> = y<t-1>
print("x<t> = y<t-1> for t = 2 ..", len(x_tokens))

# %% [markdown]
# **Stateful training over streams.** Sentence by sentence, the network would always start from
# the zero state and never learn to use the sentences before. Instead, the whole training set is
# laid end to end as one stream of ids (`text.encode_sentences`: each sentence followed by `</s>`)
# and cut into `BATCH` contiguous streams, one per row (`text.stateful_windows`): row $i$ of batch
# $k+1$ continues row $i$ of batch $k$. With `fit(..., stateful=True)` the LSTM keeps each row's
# state from batch to batch, so it reads each stream from start to end while the gradient flows
# back only `SEQ` steps (truncated backpropagation through time).

# %%
BATCH, SEQ = (16, 20) if SMALL else (32, 35)
start = np.array([lstm.eos_id], np.int32)   # the stream begins after an end token
streams = {split: np.r_[start, text.encode_sentences(lookup, ptb[split], eos_token=EOS)]
           for split in ("train", "valid")}
train_data = text.stateful_windows(streams["train"], SEQ, BATCH)
valid_data = text.stateful_windows(streams["valid"], SEQ, BATCH)
batches = iter(train_data)
(x0, y0), (x1, _) = next(batches), next(batches)
print(f"{len(train_data)} batches of x, y {tuple(x0.shape)}; {len(valid_data)} validation batches")
print("row 1, batch 1, last 6 inputs :", " ".join(text.decode(lookup, x0[1, -6:])))
print("row 1, batch 2, first 6 inputs:", " ".join(text.decode(lookup, x1[1, :6])))
print("row 1, batch 1, targets = inputs one later:", " ".join(text.decode(lookup, y0[1, -6:])))
assert np.array_equal(x0[:, 1:], y0[:, :-1])

# %%
LSTM_EPOCHS = 1
t0 = time.perf_counter()
history = lstm.fit(train_data, epochs=LSTM_EPOCHS, validation_data=valid_data, stateful=True,
                   learning_rate=2e-3, verbose=0)
lstm_seconds = time.perf_counter() - t0
for epoch, (loss, val_loss) in enumerate(zip(history.history["loss"], history.history["val_loss"]), 1):
    print(f"epoch {epoch}: train perplexity {math.exp(loss):.1f}, valid perplexity {math.exp(val_loss):.1f}")
print(f"{len(streams['train']) - 1:,} tokens an epoch, {lstm_seconds:.0f} s")

# %% [markdown]
# **Two perplexities.** `perplexity(sentences)` scores every sentence from the zero state, as the
# n-gram and window models are scored: neither sees the sentence before. `stream_perplexity`
# reads the test set as one stream and carries the state across sentence boundaries, the protocol
# of Mikolov et al. and Zaremba et al. on the PTB (and the way this LSTM was trained). The two
# count exactly the same targets; they differ in what the model may know when a sentence starts.

# %%
lstm_sentence_ppl = lstm.perplexity(test)
lstm_stream_ppl = lstm.stream_perplexity(test)
print(f"LSTM test perplexity, each sentence from the zero state: {lstm_sentence_ppl:.1f}")
print(f"LSTM test perplexity, state carried across sentences:    {lstm_stream_ppl:.1f}")

# %% [markdown]
# ## 6. The three side by side
#
# Test perplexity, all three trained on the same sentences and scored on the same targets.
# "Size" is what each model keeps: stored n-grams for the count model (each with its
# probability), weights for the neural ones.

# %%
ngram_ppl = ngram.perplexity(test)
# WindowLanguageModel.token_log_probs scores all its windows in one batch, a (targets, V) array of
# floats (3.3 GB for the PTB test set); 500 sentences at a time give the same numbers.
window_scores = np.concatenate([window_lm.token_log_probs(test[i:i + 500]) for i in range(0, len(test), 500)])
window_ppl = float(np.exp(-window_scores.mean()))
results = [
    [ngram_name, f"{ngram_ppl:.1f}", f"{sum(s.stored_ngrams for s in stats[:5]):,} n-grams",
     f"{ngram_seconds:.0f} s (counting)"],
    [f"fixed window, {WINDOW} words ({EMBEDDING}-d embeddings, {HIDDEN} tanh)", f"{window_ppl:.1f}",
     f"{window_lm.network.count_params():,} weights", f"{window_seconds:.0f} s, {WINDOW_EPOCHS} epoch"],
    [f"zoo LSTM {UNITS}, each sentence from the zero state", f"{lstm_sentence_ppl:.1f}",
     f"{lstm.network.count_params():,} weights", f"{lstm_seconds:.0f} s, {LSTM_EPOCHS} epoch"],
    ["the same LSTM, state carried across sentences", f"{lstm_stream_ppl:.1f}", "", ""],
]
table(["model", "test perplexity", "size", "training"], results)
ranking = sorted([(ngram_ppl, "n-gram"), (window_ppl, "window"), (lstm_sentence_ppl, "LSTM")])
print("from best to worst (sentence by sentence):",
      " < ".join(f"{name} ({ppl:.1f})" for ppl, name in ranking))

# %% [markdown]
# After one epoch the neural models are far from converged, and a well-smoothed 5-gram is a
# strong baseline on a corpus this size; the ranking above is this notebook's short training, not
# the verdict. The LSTM needs many epochs (with a learning-rate schedule) to pass the 5-gram:
# `python bench/ptb_word.py` trains Zaremba et al.'s 2 × 200 LSTM for 13 epochs and prints the
# same table with the paper's reference figures beside it.
#
# ### Mixing the LSTM with the 5-gram
#
# The two kinds of model fail in different places: the 5-gram knows exact phrases it has counted,
# the LSTM generalises across similar words and remembers beyond five. Mikolov et al. (2011)
# interpolated them, $P(w \mid h) = \lambda\,P_{\text{5-gram}}(w \mid h) + (1-\lambda)\,P_{\text{LSTM}}(w \mid h)$,
# and `Mixture` does that for any models of the shared interface. The weight is fitted on the
# **validation** sentences by EM (`fit_weights`; each model scores them once, and each EM step
# moves $\lambda$ to the share of the tokens that each model explains), never on the test set.
# With `stream=True` the LSTM reads the sentences as one stream (its state carried), the 5-gram
# sentence by sentence. A mixture needs one vocabulary in one order, so the 5-gram is refit on
# the LSTM's vocabulary (the same words; `ngram` above ordered them by its own counts).

# %%
from rnn_zoo.lm.mixture import Mixture

kn_for_mixing = NGramLM(train, n=5, smoothing=ngram.smoothing, unk_token=UNK, eos_token=EOS,
                        vocabulary=lstm.vocabulary[2:])
assert kn_for_mixing.vocabulary == lstm.vocabulary
mixture = Mixture([kn_for_mixing, lstm]).fit_weights(valid, stream=True)
print(repr(mixture))
print("EM on the validation sentences:",
      " -> ".join(f"λ = {step.weights[0]:.3f} ({math.exp(-step.log_likelihood):.1f})"
                  for step in mixture.em_history[:: max(1, len(mixture.em_history) // 5)]))
mixture_ppl = mixture.stream_perplexity(test)
table(["model (test, state carried where there is one)", "perplexity"],
      [[ngram_name, f"{kn_for_mixing.perplexity(test):.1f}"],
       [f"zoo LSTM {UNITS}", f"{lstm_stream_ppl:.1f}"],
       [f"mixture, λ = {mixture.weights[0]:.2f} on the 5-gram", f"{mixture_ppl:.1f}"]])

# %% [markdown]
# Where the LSTM is confident and right it lifts the 5-gram's probability, and where it is lost
# the 5-gram carries the token, so a mixture can beat both of its parts even when one of them is
# much weaker (here after one epoch of the LSTM: compare the three rows). With the full training of `bench/ptb_word.py` (13 epochs of Zaremba et al.'s LSTM)
# the same mixture is the best model of this notebook; its numbers are in the README
# ("Penn Treebank, word level").
#
# ## 7. Sentence probabilities
#
# $P(\text{sentence})$ is the product of the model's next-word probabilities,
# $P(y^{\langle 1 \rangle})\,P(y^{\langle 2 \rangle} \mid y^{\langle 1 \rangle}) \cdots P(\texttt{</s>} \mid y^{\langle 1 \rangle}, \dots)$,
# here factor by factor for the slide's sentence under the three models (`token_log_probs`;
# each sentence from the zero state). "Mau" is not in the vocabulary, so every model scores the
# token `<unk>` in its place.

# %%
MODELS = {"n-gram": ngram, "window": window_lm, "LSTM": lstm}


def factor_table(sentence):
    """P(y<t> | y<1..t-1>) for each target of ``sentence`` under every model, then the product."""
    factors = {name: np.exp(model.token_log_probs([sentence])) for name, model in MODELS.items()}
    targets = lstm.targets(sentence)
    written = sentence + [EOS]
    rows = [[t, written[t - 1], targets[t - 1]] + [f"{factors[name][t - 1]:.2e}" for name in MODELS]
            for t in range(1, len(targets) + 1)]
    rows.append(["", "**P(sentence)**", ""] + [f"**{np.prod(factors[name]):.2e}**" for name in MODELS])
    table(["t", "y<t>", "read as", *(f"P under the {name}" for name in MODELS)], rows)
    return {name: float(np.sum(np.log(f))) for name, f in factors.items()}


slide_sentence = tokenize(SLIDE_SENTENCES[1])
scores = factor_table(slide_sentence)
for name, model in MODELS.items():
    assert math.isclose(scores[name], model.sentence_log_prob(slide_sentence), rel_tol=1e-6)

# %% [markdown]
# ### Pear or pair: what a closed vocabulary cannot say
#
# The slides' speech-recognition example: "The apple and pair salad" ($3.2 \times 10^{-13}$ on the
# slide) against "The apple and pear salad" ($5.7 \times 10^{-10}$): a good language model picks the
# right spelling. Under the PTB vocabulary it cannot even ask the question:

# %%
PAIR = ["the apple and pair salad", "the apple and pear salad"]
train_counts = Counter(word for sentence in train for word in sentence)
for word in ("apple", "pair", "pear", "salad"):
    print(f"{word!r:8} seen {train_counts[word]:3} times in training -> read as {lstm.targets([word])[0]!r}")
print()
pair_scores = {}
for sentence in PAIR:
    tokens = sentence.split()
    pair_scores[sentence] = {name: model.sentence_log_prob(tokens) / math.log(10)
                             for name, model in MODELS.items()}
    print(f"{sentence!r:28} read as {' '.join(lstm.targets(tokens))!r}")
unk_share = train_counts[UNK] / sum(train_counts.values())
p_unk = math.exp(ngram.log_prob(UNK, ["the", "apple", "and"]))
p_pair = math.exp(ngram.log_prob("pair", ["the", "apple", "and"]))
print(f"\nn-gram: P(<unk> | the apple and) = {p_unk:.2e}, P(pair | the apple and) = {p_pair:.2e}; "
      f"<unk> is {unk_share:.1%} of the training words")
table(["sentence"] + [f"log10 P, {name}" for name in MODELS],
      [[s] + [f"{pair_scores[s][name]:.2f}" for name in MODELS] for s in PAIR])

# %% [markdown]
# The comparison is unfair, whichever way it comes out. "pear" (and "salad") never occur in the
# PTB, so they are read as `<unk>`, and $P(\texttt{<unk>} \mid \dots)$ is the probability of *some*
# word outside the vocabulary: one of thousands of rare words together, a token as frequent as a
# common word. "pair" is a real but rare word of the vocabulary, with a small probability of its
# own. So the model compares "a rare word, *pair*" against "any unknown word at all", not "pair"
# against "pear"; the true $P(\text{pear} \mid \dots)$ would be $P(\texttt{<unk>} \mid \dots)$ times
# the share of the unknown mass that "pear" takes, which a closed-vocabulary model does not
# have. A pair of sentences is compared fairly only when both have the same words unknown.
#
# **A character model has no such problem**: its vocabulary is the characters, so any word,
# "pear" included, is spelled out from characters it knows, nothing is read as unknown, and the
# two sentences are scored on equal terms. Here a character-level Kneser-Ney 7-gram fitted on
# Shakespeare's plays (one line a sentence, the line end its end token; a 700,000-character slice
# in small mode), factor by factor where the two sentences differ:

# %%
corpus = datasets.split_text(datasets.shakespeare())["train"]
if SMALL:
    corpus = corpus[:700_000]
chars = sorted(set(corpus) | {"\n"})
char_model = NGramLM([list(line) for line in corpus.split("\n")], n=7, smoothing="kneser-ney",
                     vocabulary=chars, eos_token="\n")
assert all(char in chars for sentence in PAIR for char in sentence)   # no character is unknown
words = Counter(re.findall(r"[a-z']+", corpus.lower()))
print(f"{len(corpus):,} characters, {len(chars)} distinct; "
      f"'pair' {words['pair']} times, 'pear' {words['pear']} times")
char_factors = {s: np.exp(char_model.token_log_probs([list(s)])) for s in PAIR}
char_log10 = {s: float(np.log10(f).sum()) for s, f in char_factors.items()}
for s in PAIR:
    print(f"log10 P({s!r} + line end) = {char_log10[s]:.2f}")
more, less = sorted(PAIR, key=lambda s: -char_log10[s])
print(f"the character 7-gram finds {more!r} {10 ** (char_log10[more] - char_log10[less]):.3g}x as probable "
      f"as {less!r}")
rows = []
for t, (a, b) in enumerate(zip(PAIR[0] + "\n", PAIR[1] + "\n"), start=1):
    pa, pb = char_factors[PAIR[0]][t - 1], char_factors[PAIR[1]][t - 1]
    if pa != pb:
        rows.append([t, repr(a), f"{pa:.3g}", repr(b), f"{pb:.3g}"])
table(["t", "pair sentence", "P", "pear sentence", "P"], rows)

# %% [markdown]
# Every factor not shown is the same for both sentences (the model sees 6 characters back). Both
# spellings are now honest probabilities, but a 7-gram of characters cannot see "apple" from
# "salad", so it prefers whichever spelling its counts favour; only a model that carries context
# further can learn the semantics the slide's example is about. `python bench/shakespeare_char.py`
# scores this pair under character n-grams and under zoo SimpleRNN, GRU and LSTM character models
# trained on the same plays, and `python bench/lm_results.py` under word 5-grams on the PTB and on
# Shakespeare's words (a vocabulary with both "pear" and "pair").

# %%
print(f"run time {time.perf_counter() - START:.0f} s ({time.process_time():.0f} s of CPU), small mode: {SMALL}")

# %% [markdown]
# ## Summary
#
# * **The slides' recipe** (slide section 10) on the Penn Treebank: tokenised text, `</s>` at the
#   end of every sentence, rare words as `<unk>` (5.1 % of the training words), a 10,000-token
#   `StringLookup`. A smaller vocabulary reads more test words as unknown: 26.5 % with 1,000
#   tokens, 6.1 % with 10,000.
# * **n-gram counts**, $P(w \mid h) = c(h\,w) / c(h)$, and the slides' two arguments against them,
#   measured. The slides' own context "students opened their" never occurs in the PTB (0/0: no
#   distribution at all); 76 % of the test set's 4-grams never occur in training; and the table
#   of distinct n-grams grows until it holds about as many entries as the corpus has words.
# * **Smoothing**: add-$k$ gets worse as $n$ grows, Kneser-Ney improves and levels off; the
#   modified Kneser-Ney 5-gram has the lowest test perplexity, 141.2.
# * **The fixed-window neural LM** (4 words, embeddings, one tanh layer, a softmax) has no
#   sparsity problem and grows only linearly with its window; after one epoch its test
#   perplexity is 173.3.
# * **The RNN LM**, a zoo LSTM, learns by teacher forcing,
#   $x^{\langle t \rangle} = y^{\langle t-1 \rangle}$, statefully over contiguous streams
#   (truncated BPTT). After one epoch it scores 338.8 sentence by sentence and 296.5 with the state
#   carried across sentences. One epoch is a short training: the ranking 5-gram < window < LSTM is
#   this run's, not a verdict (`bench/ptb_word.py` trains for 13 epochs).
# * **A mixture** of the 5-gram and the LSTM, $\lambda = 0.83$ on the 5-gram fitted by EM on the
#   validation sentences, scores 137.2 on the test set: better than either part, even after one
#   epoch of the LSTM. With the fully trained LSTM of `bench/ptb_word.py` (116.1 alone) the same
#   mixture reaches 96.0 (README).
# * **Sentence probabilities** are products of next-word factors. The slides' *pear / pair*
#   sentences cannot be compared fairly with a closed vocabulary, where "pear" is `<unk>`; a
#   character 7-gram scores both spellings on equal terms.

# %% [markdown]
# ## Exercises
#
# 1. **Predict the perplexity.** What is the perplexity of a model that gives each of its
#    $V = 10{,}000$ tokens the same probability? Of a model that gives one single test token
#    probability 0 (compare with the unsmoothed bigram of section 3)? Of one that predicts every
#    test token with probability 1/2?
# 2. **Count by hand, then go one word further.** For the four sentences of the cell below,
#    compute $P(\text{books} \mid \text{their})$ by hand, unsmoothed and with add-1 ($k = 1$). Then
#    write `add_k_trigram(corpus, k)` (each sentence read as `<s> <s> y1 … yT </s>`) and check it
#    against `NGramLM(corpus, n=3, smoothing="add-k", k=k)` the way the cell checks the bigram: the
#    largest difference over every context and every word must be float rounding.
# 3. **A smaller vocabulary.** Fit section 3's Kneser-Ney trigram again with `min_count=20`
#    (words seen fewer than 20 times in training become `<unk>`). Predict first: does the test
#    perplexity go up or down? Is the new model a better language model? Why do perplexities
#    compare models only over the same vocabulary?
# 4. **What the state carries.** Carrying the LSTM's state across sentence boundaries lowered its
#    test perplexity from 338.8 to 296.5. What can the state know at the start of a PTB sentence
#    (consecutive sentences come from the same article)? How would you give the n-gram model and
#    the window model the same advantage, and what would it cost each of them?
# 5. **The price of a long context.** With the sizes of section 4 ($V = 10{,}000$, embeddings of
#    $d = 64$, $h = 128$ hidden units), how many parameters does a window model that reads the
#    last 100 words need? How many does the RNN LM of section 5 need to condition on 100 words,
#    and what does it give up in exchange?
# 6. **A sentence, factor by factor.** For the add-$k$ bigram of the cell below, compute
#    $\ln P(\text{the students opened their books})$ from `model.token_log_probs([sentence])` and
#    check with `assert` that the sum of the factors is `model.sentence_log_prob(sentence)` and
#    that $\exp$ of minus their mean is `model.perplexity([sentence])`. With $k = 0$, write a
#    sentence of the corpus's words that gets probability 0, and say which bigram is to blame.
#
# **Checking an answer.** Where an exercise asks for code, compare your function with the zoo's
# on every input it can take, or `assert` a value you can compute by hand. Below, a student's
# add-$k$ bigram against `NGramLM`, once with $V$ counting the words, `<UNK>` and `</s>` (the
# zoo's vocabulary) and once with a planted mistake, $V$ counting the words only; then a
# perplexity checked against a value known in closed form.

# %%
import math
from collections import Counter

import numpy as np

from rnn_zoo.lm.ngram import NGramLM

corpus = [s.split() for s in ["the students opened their books", "the students opened their exams",
                              "the students closed their books", "the teacher opened the door"]]


def add_k_bigram(corpus, k, specials=2):
    """P(w2 | w1) = (c(w1 w2) + k) / (c(w1) + k V), each sentence read as <s> y1 ... yT </s>, and V
    counting the words plus <UNK> and </s>; specials=0 plants a mistake: V counts the words only."""
    padded = [["<s>", *sentence, "</s>"] for sentence in corpus]
    pairs = Counter(pair for s in padded for pair in zip(s, s[1:]))
    contexts = Counter(w1 for s in padded for w1 in s[:-1])
    V = len({word for sentence in corpus for word in sentence}) + specials
    return lambda w2, w1: (pairs[w1, w2] + k) / (contexts[w1] + k * V)


k = 0.5
model = NGramLM(corpus, n=2, smoothing="add-k", k=k)    # the zoo's add-k bigram
for label, p in [("V with <UNK> and </s>", add_k_bigram(corpus, k)),
                 ("V of the words only", add_k_bigram(corpus, k, specials=0))]:
    worst = max(abs(p(w2, w1) - math.exp(model.log_prob(w2, [] if w1 == "<s>" else [w1])))
                for w1 in ["<s>", *model.vocabulary] for w2 in model.vocabulary)
    print(f"{label:22} P(books | their) = {p('books', 'their'):.4f}, NGramLM "
          f"{math.exp(model.log_prob('books', ['their'])):.4f}; largest difference {worst:.1e}")

factors = np.array([0.5, 0.25, 0.125, 0.5])             # P(y<t> | y<1..t-1>) of one sentence
perplexity = math.exp(-np.mean(np.log(factors)))
print(f"perplexity of the factors {factors.tolist()}: {perplexity:.4f} = 2 ** 1.75")
assert math.isclose(perplexity, 2 ** 1.75)
