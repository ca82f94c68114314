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
# # 04 · Sampling novel sequences
#
# A trained language model gives a distribution over the next token; the slides (section 10) turn
# it into a generator: sample $\hat y^{\langle 1 \rangle}$ from the first distribution, feed it back
# in as the next input $x^{\langle 2 \rangle} = \hat y^{\langle 1 \rangle}$, sample
# $\hat y^{\langle 2 \rangle}$, and so on until `<EOS>` or a length limit. Character-level models
# (vocabulary = the characters, no `<UNK>`) generate the slides' Shakespeare lines. This notebook
# does it step by step, then with `rnn_zoo.lm.sampling.generate`, the one sampler every zoo model
# shares:
#
# 1. **A character model of first names**, an LSTM trained briefly on the 1990 US census names.
# 2. **One sampling step by hand**: from `next_log_probs` to a softmax, how the *temperature*
#    reshapes the distribution (plotted), the *top-k* and *top-p* cuts on that one distribution,
#    and the draw itself (the Gumbel-max trick).
# 3. **Novel names**: how many samples are new and how many copy a training name, and how the
#    temperature moves that.
# 4. **Reproducible and primed**: a seed fixes the output; a prompt primes the state.
# 5. **Never `<UNK>`**: a word model's samples, with the unknown token banned.
# 6. **Shakespeare** from a character LSTM trained briefly, at four temperatures side by side.
# 7. **O(n) generation**: carrying the state from token to token against re-running the network
#    over the whole text at every step, timed.
# 8. **Beam search** for the most likely sequence, against greedy decoding and sampling.
#
# **Running it.** The full run takes about 3 minutes on a 2-core CPU (174 s at a0af31f), most of it
# training the two character models (the names model for at most 40 epochs with early stopping,
# about a minute; the Shakespeare model for 500 batches of 64 × 100 characters, under one pass over
# the plays); the last cell prints the time it took. The test suite runs it with `RNN_ZOO_SMALL=1`:
# tiny models trained for a few batches, whose samples are noise, about a minute. Longer runs:
# `python bench/lm_results.py` trains a names model for 90 s and counts 1,000 samples;
# `python bench/shakespeare_char.py` trains character models on the plays for minutes each;
# `python bench/bench_sampling.py` measures sampling speed three ways.

# %%
import html
import math
import time

from rnn_zoo.notebook import char_label, setup, table

START, SMALL = setup()  # TF log level, seed 0, print options; prints the versions

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from IPython.display import HTML, display

from rnn_zoo.data import datasets, text
from rnn_zoo.lm.interface import LanguageModel
from rnn_zoo.lm.ngram import NGramLM
from rnn_zoo.lm.rnn import RNNLanguageModel
from rnn_zoo.lm.sampling import beam_search, generate, never_emitted, sampling_logits


# %% [markdown]
# ## 1. A character model of first names
#
# `datasets.first_names()`: 5,163 US first names, lower case. `split_items` deals them into
# train / valid / test (80 / 10 / 10, fixed by a seed). The vocabulary is the 26 letters and the
# end character `"\n"` (a name is a line), with no `<UNK>`; the model is an `RNNLanguageModel`:
# embedding → zoo LSTM → logits over the 27 characters, trained on whole names with Keras's
# `fit` (teacher forcing: $x^{\langle t \rangle} = y^{\langle t-1 \rangle}$, the first input the end
# character), stopping when the validation loss stops improving.

# %%
names = datasets.first_names("all")
split = datasets.split_items(names)
train_names = set(split["train"])
name_lookup = text.char_vocabulary("".join(names), eos_token="\n")
print(f"{len(names):,} names: {len(split['train']):,} train, {len(split['valid']):,} valid, "
      f"{len(split['test']):,} test; {name_lookup.vocabulary_size()} characters:",
      " ".join(char_label(c) for c in name_lookup.get_vocabulary()))
print("the first training names:", ", ".join(split["train"][:10]))

NAME_UNITS, NAME_EPOCHS = (32, 3) if SMALL else (128, 40)
names_lm = RNNLanguageModel(name_lookup, cell="lstm", units=NAME_UNITS, dropout=0.0 if SMALL else 0.2,
                            unk_token=None, eos_token="\n")
batches = {part: text.sentence_batches(name_lookup, [list(n) for n in split[part]], 64, eos_token="\n",
                                       shuffle=part == "train", seed=0)
           for part in ("train", "valid")}
t0 = time.perf_counter()
history = names_lm.fit(batches["train"], epochs=NAME_EPOCHS, learning_rate=3e-3,
                       validation_data=batches["valid"], verbose=0,
                       callbacks=[keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)])
losses, val_losses = history.history["loss"], history.history["val_loss"]
print(f"{names_lm!r}: {len(losses)} epochs in {time.perf_counter() - t0:.0f} s; loss {losses[0]:.3f} -> "
      f"{losses[-1]:.3f} nats/char, best validation loss {min(val_losses):.3f} (epoch "
      f"{int(np.argmin(val_losses)) + 1}, whose weights are kept)")

# %% [markdown]
# ## 2. One sampling step, by hand
#
# Every language model of the zoo answers `next_log_probs(context)`: $\ln P(w \mid \text{context})$
# for every token $w$ of its vocabulary. For the RNN it is the log-softmax of the network's
# logits $z$ at the last step, $P(w) = e^{z_w} / \sum_v e^{z_v}$. The names model, after "jo":

# %%
PREFIX = list("jo")
log_p = names_lm.next_log_probs(PREFIX)
ids = names_lm.ids(["\n"] + PREFIX)[None]                 # x<1> = the end character, then the prefix
logits = names_lm.network(ids, training=False)[0, -1].numpy().astype(np.float64)
softmax = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
print("max |softmax(logits) - exp(next_log_probs)| =", np.abs(softmax - np.exp(log_p)).max())
chars = names_lm.vocabulary
order = np.argsort(-log_p)
print("most likely after 'jo':", ", ".join(f"{char_label(chars[j])} {np.exp(log_p[j]):.3f}" for j in order[:8]))

# %% [markdown]
# **Temperature** $T$ divides the log-probabilities before the softmax: $p_w^{(T)} \propto
# p_w^{1/T}$. $T < 1$ sharpens the distribution (towards the argmax as $T \to 0$), $T > 1$
# flattens it (towards uniform). The entropy $H = -\sum_w p_w \log_2 p_w$ measures how many
# bits of choice are left.

# %%
banned = never_emitted(names_lm)   # nothing, for a model without <UNK>
TEMPERATURES = (0.5, 1.0, 2.0)
fig, ax = plt.subplots(figsize=(11, 3.5))
width = 0.8 / len(TEMPERATURES)
for i, temperature in enumerate(TEMPERATURES):
    p = tf.nn.softmax(sampling_logits(log_p, banned, temperature=temperature)).numpy()
    entropy = -np.sum(p[p > 0] * np.log2(p[p > 0]))
    ax.bar(np.arange(len(chars)) + (i - 1) * width, p[order], width,
           label=f"T = {temperature}: H = {entropy:.2f} bits")
ax.set_xticks(np.arange(len(chars)), [char_label(chars[j]) for j in order])
ax.set_ylabel("P(next character | jo)")
ax.set_title("Temperature reshapes the next-character distribution (sorted by P at T = 1)")
ax.legend()
plt.show()

# %% [markdown]
# **top-k** keeps only the $k$ most likely tokens; **top-p** (nucleus sampling) keeps the
# smallest set of the most likely tokens whose probability adds up to at least $p$, so it keeps
# few tokens where the model is sure and many where it is not. Both set the others to
# $-\infty$ and renormalise. `sampling_logits` applies them in the order ban → temperature →
# top-k → top-p; on the same distribution:

# %%
cuts = {"T = 1": {}, "top-k, k = 5": {"top_k": 5}, "top-p, p = 0.9": {"top_p": 0.9},
        "T = 0.5 and top-p 0.9": {"temperature": 0.5, "top_p": 0.9}}
kept = {name: tf.nn.softmax(sampling_logits(log_p, banned, **options)).numpy()
        for name, options in cuts.items()}
rows = [[char_label(chars[j])] + [f"{kept[name][j]:.3f}" if kept[name][j] > 0 else "-" for name in cuts]
        for j in order[:12]]
rows.append(["tokens kept"] + [str(int(np.sum(kept[name] > 0))) for name in cuts])
table(["next char"] + list(cuts), rows)

# %% [markdown]
# **The draw.** `generate` samples with the Gumbel-max trick: add independent Gumbel noise
# $g_w = -\ln(-\ln u_w)$, $u_w \sim U(0, 1)$, to the logits and take the argmax; that is an exact
# sample of their softmax. Checked here by counting 20,000 draws:

# %%
rng = np.random.default_rng(0)
z = sampling_logits(log_p, banned, top_p=0.9).numpy()
draws = np.argmax(z + rng.gumbel(size=(20_000, len(z))), axis=1)
frequency = np.bincount(draws, minlength=len(z)) / len(draws)
target = tf.nn.softmax(z).numpy()
print("character:  ", "  ".join(f"{char_label(chars[j]):>5}" for j in order[:8]))
print("softmax:    ", "  ".join(f"{target[j]:5.3f}" for j in order[:8]))
print("frequency:  ", "  ".join(f"{frequency[j]:5.3f}" for j in order[:8]))
print(f"largest |frequency - probability| over all characters: {np.abs(frequency - target).max():.4f}; "
      f"tokens cut by top-p drawn: {int(np.sum(frequency[target == 0] > 0))}")

# %% [markdown]
# ## 3. Novel names
#
# `generate(model)` repeats that step, feeding each sampled character back in, until the model
# samples the end character (not part of the output) or `max_tokens`. One seeded NumPy
# `Generator` gives a stream of independent samples. A good generator makes mostly *novel* names
# (not in its training set) that look like names; some novel ones are real names it never saw
# (in the valid or test split).

# %%
N_SAMPLES = 200 if SMALL else 1000
rng = np.random.default_rng(0)
t0 = time.perf_counter()
samples = ["".join(generate(names_lm, max_tokens=30, seed=rng)) for _ in range(N_SAMPLES)]
print(f"{N_SAMPLES:,} samples at T = 1 in {time.perf_counter() - t0:.1f} s; the first 20 (* = a training name):")
print(", ".join(s + "*" * (s in train_names) for s in samples[:20]))
novel = [s for s in samples if s not in train_names]
held_out = set(split["valid"]) | set(split["test"])
table(["", "count", "share"], [
    ["novel (not a training name)", len(novel), f"{len(novel) / N_SAMPLES:.1%}"],
    ["copies of a training name", N_SAMPLES - len(novel), f"{1 - len(novel) / N_SAMPLES:.1%}"],
    ["novel, and a real held-out name", sum(s in held_out for s in novel), ""],
    ["distinct samples", len(set(samples)), f"{len(set(samples)) / N_SAMPLES:.1%}"],
    ["empty samples", samples.count(""), ""],
])

# %% [markdown]
# The temperature trades novelty for likelihood: a low temperature stays on the most likely
# paths, which are the common names of the training set, repeated; a high one wanders off into
# unpronounceable strings.

# %%
rows = []
for temperature in (0.5, 1.0, 1.5):
    rng = np.random.default_rng(1)
    batch = ["".join(generate(names_lm, max_tokens=30, temperature=temperature, seed=rng))
             for _ in range(N_SAMPLES // 2)]
    rows.append([temperature, f"{np.mean([s not in train_names for s in batch]):.0%}",
                 f"{len(set(batch)) / len(batch):.0%}", f"{np.mean([len(s) for s in batch]):.1f}",
                 ", ".join(batch[:8])])
table(["T", "novel", "distinct", "mean length", "the first 8"], rows)

# %% [markdown]
# ## 4. Reproducible and primed
#
# **A seed** fixes the output: the same int gives the same sequence, on any run. (For an RNN LM
# `generate` runs the whole loop in one compiled graph by default, `in_graph=True`; the
# step-by-step Python loop, `in_graph=False`, samples from the same distribution at every step but
# draws different random numbers, so one seed gives a different sample on each path.)

# %%
for seed in (7, 7, 8):   # an int seeds one sample; a seeded Generator, a reproducible stream of them
    rng = np.random.default_rng(seed)
    print(f"generate(..., seed={seed}): {''.join(generate(names_lm, max_tokens=30, seed=seed))!r:14}  "
          f"a default_rng({seed}) stream:", ", ".join("".join(generate(names_lm, max_tokens=30, seed=rng))
                                                     for _ in range(6)))
for in_graph in (True, False):
    assert (generate(names_lm, max_tokens=30, seed=7, in_graph=in_graph)
            == generate(names_lm, max_tokens=30, seed=7, in_graph=in_graph))

# %% [markdown]
# **A prompt** primes the state: `generate(model, prompt)` first runs the prompt through the
# network (`model.start(prompt)`, the recurrent state $a^{\langle t \rangle}$ carried along it), then
# samples the continuation from there. The output is the continuation only. After "chr", the
# distribution of the next character is nothing like the one at the start of a name:

# %%
for prompt in ("", "chr", "max", "zo"):
    state = names_lm.start(list(prompt))
    p = np.exp(names_lm.state_log_probs(state))
    top = ", ".join(f"{char_label(chars[j])} {p[j]:.2f}" for j in np.argsort(-p)[:4])
    continuations = [prompt + "".join(generate(names_lm, list(prompt), max_tokens=30, seed=i))
                     for i in range(6)]
    print(f"prompt {prompt!r:6} next: {top:36} samples: {', '.join(continuations)}")

# %% [markdown]
# ## 5. Never `<UNK>`
#
# A word model's vocabulary has `<UNK>`, which stands for every rare word at once and is
# frequent, so a plain sampler would emit it often. `generate` never does: it sets its
# log-probability to $-\infty$ before sampling (`never_emitted(model)`), which renormalises the
# rest. The same `generate` serves any zoo model; here a Kneser-Ney trigram of the Penn Treebank
# (Wall Street Journal text, like the slides' news model), whose unknown token is `<unk>`. For
# each sampled sentence, the probability the model gave `<unk>` at each step is added up: that is
# how many `<unk>` an unbanned sampler would have produced there, on average.

# %%
ptb = [line.split() for line in datasets.penn_treebank()["train"]]
if SMALL:
    ptb = ptb[:3000]
news = NGramLM(ptb, n=3, smoothing="kneser-ney", unk_token="<unk>")
unk = news.index("<unk>")
print(f"{news!r}; <unk> is {sum(s.count('<unk>') for s in ptb) / sum(map(len, ptb)):.1%} of the training words")
rng = np.random.default_rng(0)
N_SENTENCES = 20 if SMALL else 100
sentences, expected_unk = [], 0.0
for _ in range(N_SENTENCES):
    sentence = generate(news, max_tokens=40, seed=rng)
    state = news.start()
    for word in sentence:                 # replay it: P(<unk>) at every step
        expected_unk += math.exp(news.state_log_probs(state)[unk])
        state = news.advance(state, word)
    sentences.append(sentence)
n_words = sum(map(len, sentences))
print(f"{N_SENTENCES} sampled sentences, {n_words:,} words: {sum(s.count('<unk>') for s in sentences)} <unk>; "
      f"an unbanned sampler would have drawn about {expected_unk:.0f} ({expected_unk / n_words:.1%})")
for sentence in sentences[:5]:
    print("  ", " ".join(sentence))

# %% [markdown]
# ## 6. Shakespeare
#
# A character model of the 38 plays (`datasets.shakespeare()`, 80 distinct characters, the last
# 10 % held out), trained briefly: windows of 100 characters, 64 a batch, Adam. Validation loss
# is measured on the held-out text in the same windows (the first 20 batches of it).

# %%
SHAKESPEARE_UNITS, SHAKESPEARE_STEPS = (32, 20) if SMALL else (256, 500)
plays = datasets.shakespeare()
parts = datasets.split_text(plays)
if SMALL:
    parts = {"train": parts["train"][:300_000], "valid": parts["valid"][:20_000]}
char_lookup = text.char_vocabulary(plays, eos_token="\n")
shakespeare_lm = RNNLanguageModel(char_lookup, cell="lstm", units=SHAKESPEARE_UNITS, embedding_dim=64,
                                  unk_token=None, eos_token="\n")
train_windows = text.windows(text.encode_text(char_lookup, parts["train"]), 100, 64, seed=0)
valid_windows = text.windows(text.encode_text(char_lookup, parts["valid"]), 100, 64, shuffle=False).take(20)
t0 = time.perf_counter()
history = shakespeare_lm.fit(train_windows.repeat().take(SHAKESPEARE_STEPS), learning_rate=2e-3, verbose=0)
seconds = time.perf_counter() - t0
valid_loss = shakespeare_lm.network.evaluate(valid_windows, verbose=0)
print(f"{shakespeare_lm!r}: {SHAKESPEARE_STEPS} batches ({SHAKESPEARE_STEPS * 6400:,} characters) in "
      f"{seconds:.0f} s; training loss {history.history['loss'][0]:.2f} nats/char (mean over the run), "
      f"validation {valid_loss:.2f}")

# %% [markdown]
# **From the zero state, or with the state carried.** Those validation windows each start from
# the zero state, so the model guesses the first characters of every window blind. A character
# n-gram never restarts from nothing (its context is the last $n-1$ characters), and the RNN need
# not either: `stream_perplexity` reads the held-out text as one stream, the state carried across
# windows and lines. The same model, the same 50,000 characters, two protocols:

# %%
held_out = parts["valid"][:50_000]
zero_state = shakespeare_lm.network.evaluate(
    text.windows(text.encode_text(char_lookup, held_out), 100, 64, shuffle=False), verbose=0)
carried = math.log(shakespeare_lm.stream_perplexity([list(line) for line in held_out.split("\n")]))
print(f"zero state per 100-character window: {zero_state:.3f} nats/char; state carried: {carried:.3f}")

# %% [markdown]
# Samples at four temperatures, side by side, each primed with a speaker line and run for a
# fixed number of characters (`stop_at_eos=False`: the line end is an ordinary character here).
# Low temperatures repeat the most frequent words and names; high ones invent spellings.

# %%
N_CHARS = 120 if SMALL else 400
PROMPT = "ROMEO:\n"
columns = {T: "".join(generate(shakespeare_lm, list(PROMPT), max_tokens=N_CHARS, temperature=T, seed=0,
                               stop_at_eos=False)) for T in (0.3, 0.7, 1.0, 1.5)}
cells = "".join(f"<th>T = {T}</th>" for T in columns)
body = "".join(f"<td style='vertical-align:top; text-align:left'><pre>{html.escape(PROMPT + s)}</pre></td>"
               for s in columns.values())
display(HTML(f"<table><tr>{cells}</tr><tr>{body}</tr></table>"))
words = {T: s.split() for T, s in columns.items()}
vocab = set(parts["train"].split())
for T, w in words.items():
    print(f"T = {T}: {len(w)} words, {np.mean([x in vocab for x in w]):.0%} of them seen in the training text")

# %% [markdown]
# ## 7. O(n) generation: carry the state, don't re-read the text
#
# An RNN's state $a^{\langle t \rangle}$ sums up everything read so far, so each new token costs
# one step: O(1) a token, O(n) a sequence. That is what `model.start` / `model.advance` do. A
# generator that forgets the state has to run the network over the whole text again for every new
# token, O(t) for token $t$ and O(n²) in all. The default `LanguageModel.start/advance` does
# exactly that (its "state" is the context, re-read by `next_log_probs`), so wrapping the LSTM in
# a model that keeps only the defaults gives the same sampler, reading the text again at each
# step. Both decode greedily here (`top_k=1`), so they must write the same characters; the
# compiled one-graph loop (`in_graph=True`) too.

# %%
class Rereading(LanguageModel):
    """``model`` behind the default one-token-at-a-time API: every step re-reads the context,
    running ``model.network`` over all of it (compiled once with ``tf.function``, as the
    one-step function is, so that only the amount of work differs)."""

    def __init__(self, model):
        self.model, self.unk_token, self.eos_token = model, model.unk_token, model.eos_token
        self._run = tf.function(lambda ids: tf.nn.log_softmax(model.network(ids, training=False)[0, -1]),
                                input_signature=[tf.TensorSpec([1, None], tf.int32)])

    @property
    def vocabulary(self):
        return self.model.vocabulary

    def next_log_probs(self, context=()):
        ids = self.model.ids([self.eos_token, *context])   # x<1> = the end token, then the context
        return self._run(ids[None]).numpy().astype(np.float64)


def timed(function):
    t0 = time.perf_counter()
    result = function()
    return time.perf_counter() - t0, result


rereading = Rereading(shakespeare_lm)
LENGTHS = (25, 50, 100) if SMALL else (25, 50, 100, 200)
greedy = dict(temperature=1.0, top_k=1, stop_at_eos=False)
generate(shakespeare_lm, list(PROMPT), max_tokens=LENGTHS[-1], in_graph=True, **greedy)   # compile once
generate(rereading, list(PROMPT), max_tokens=2, **greedy)                                 # trace once
timings = {"re-read the text at every step": [], "carry the state (Python loop)": []}
for n in LENGTHS:
    t_reread, reread = timed(lambda: generate(rereading, list(PROMPT), max_tokens=n, **greedy))
    t_state, carried = timed(lambda: generate(shakespeare_lm, list(PROMPT), max_tokens=n, in_graph=False,
                                              **greedy))
    assert reread == carried, (reread, carried)
    timings["re-read the text at every step"].append(t_reread)
    timings["carry the state (Python loop)"].append(t_state)
t_graph, in_graph = timed(lambda: generate(shakespeare_lm, list(PROMPT), max_tokens=LENGTHS[-1], in_graph=True,
                                           **greedy))
assert in_graph == carried
print(f"greedy continuation of {PROMPT!r} ({LENGTHS[-1]} characters), the same three ways:\n{''.join(carried)!r}\n")
rows = [[n, f"{a:.2f}", f"{b:.3f}", f"{a / b:.0f}x"] for n, a, b in zip(LENGTHS, *timings.values())]
table(["characters", "re-read (s)", "carry the state (s)", "ratio"], rows)
print(f"one compiled graph (in_graph=True), {LENGTHS[-1]} characters: {t_graph:.3f} s, "
      f"{timings['carry the state (Python loop)'][-1] / t_graph:.0f}x faster than the Python loop")

fig, ax = plt.subplots(figsize=(6, 3.5))
for label, seconds in timings.items():
    ax.loglog(LENGTHS, seconds, "o-", label=label)
ax.loglog(LENGTHS, [timings["re-read the text at every step"][0] * (n / LENGTHS[0]) ** 2 for n in LENGTHS],
          "k:", lw=0.8, label="∝ n²")
ax.set_xlabel("characters generated, n")
ax.set_ylabel("seconds")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The ratio grows with the length, as O(n²) against O(n) predicts (the prompt adds a constant, and
# at these short lengths per-call overheads still blur it). keras-io's character example
# re-reads a fixed 40-character window instead (O(n) again, but 40 steps for every character);
# `python bench/bench_sampling.py` times that against both of `generate`'s paths.
#
# ## 8. Beam search: the most likely sequence
#
# Sampling draws *a* sequence; sometimes the most likely one is wanted (a translation, a
# caption). Greedy decoding takes the argmax at every step, which need not give the most likely
# whole sequence: a likely first choice can lead into unlikely continuations. Beam search keeps the
# `beam_width` most likely partial sequences at every step. Each is ranked by its total
# $\ln P(\text{sequence}, \texttt{<EOS>})$; with width 1 it is greedy decoding.

# %%
def name_log_prob(name):
    return names_lm.sentence_log_prob(list(name))   # ln P(name, then the end character)


greedy_name = "".join(generate(names_lm, top_k=1, max_tokens=30))
beam_1 = beam_search(names_lm, beam_width=1, max_tokens=30)[0]
assert "".join(beam_1.tokens) == greedy_name
print(f"greedy: {greedy_name!r}, ln P = {name_log_prob(greedy_name):.3f} (beam width 1 finds the same)")
for width in (2, 5, 10):
    best = beam_search(names_lm, beam_width=width, max_tokens=30)[0]
    print(f"beam width {width:2}: {''.join(best.tokens)!r}, ln P = {best.log_prob:.3f}")
rng = np.random.default_rng(0)
sampled = ["".join(generate(names_lm, max_tokens=30, seed=rng)) for _ in range(200)]
best_sample = max(sampled, key=name_log_prob)
print(f"the most likely of 200 samples: {best_sample!r}, ln P = {name_log_prob(best_sample):.3f}; "
      f"their median ln P = {np.median([name_log_prob(s) for s in sampled]):.3f}")

hypotheses = beam_search(names_lm, beam_width=10, max_tokens=30)
table(["rank", "name", "ln P", "ln P per character", "a training name"],
      [[rank, "".join(h.tokens), f"{h.log_prob:.3f}", f"{h.log_prob / (len(h.tokens) + 1):.3f}",
        "yes" if "".join(h.tokens) in train_names else "no"] for rank, h in enumerate(hypotheses, 1)])

# %% [markdown]
# The most likely names are short ones: a total log-probability only falls with every
# character, so beam search favours short sequences (dividing by the length ranks per character
# instead). They are also the model's safest bets, which are often names of the training set:
# the most likely output is seldom the most interesting one, which is why generators sample.
# With a prompt, on the Shakespeare model, the most likely next line after a speaker's name
# against the greedy one and a sample:

# %%
line_prompt = list("ROMEO:\n")
beam_line = beam_search(shakespeare_lm, line_prompt, beam_width=3, max_tokens=60)
greedy_line = generate(shakespeare_lm, line_prompt, top_k=1, max_tokens=60)
sampled_line = generate(shakespeare_lm, line_prompt, max_tokens=60, seed=0)


def line_log_prob(tokens):
    """ln P(tokens, then the line end | the prompt)."""
    return (shakespeare_lm.sentence_log_prob(line_prompt + tokens)
            - shakespeare_lm.token_log_probs([line_prompt])[:len(line_prompt)].sum())


for label, tokens in [("beam search, width 3", beam_line[0].tokens), ("greedy", greedy_line),
                      ("a sample, T = 1", sampled_line)]:
    print(f"{label:21} ln P = {line_log_prob(tokens):8.3f}  {''.join(tokens)!r}")
if beam_line[0].finished:   # the beam's own score is the same ln P
    assert math.isclose(line_log_prob(beam_line[0].tokens), beam_line[0].log_prob, rel_tol=1e-4)

# %%
print(f"run time {time.perf_counter() - START:.0f} s ({time.process_time():.0f} s of CPU), small mode: {SMALL}")

# %% [markdown]
# ## Summary
#
# * **A character model of first names** (27 characters, no `<UNK>`): a zoo LSTM trained with
#   early stopping, 23 epochs, best validation loss 1.871 nats per character.
# * **One sampling step** (slide section 10): `next_log_probs` is the log-softmax of the
#   network's logits. A temperature $T$ turns $p_w$ into $p_w^{1/T}$, renormalised; top-$k$ keeps
#   the $k$ most likely tokens and top-$p$ the fewest that hold probability $p$; the Gumbel-max
#   draw is an exact sample (20,000 draws came within 0.0031 of the softmax).
# * **Novel names**: at $T = 1$, 75.5 % of 1,000 samples are not training names, and 24 of those
#   are real names of the held-out splits. The temperature trades novelty for likelihood: 33 %
#   novel at $T = 0.5$, 91 % at $T = 1.5$.
# * **Reproducible and primed**: an int seed fixes a sample, and a prompt primes the recurrent
#   state before the continuation is sampled.
# * **Never `<UNK>`**: `generate` bans the unknown token. 100 sentences sampled from a PTB
#   trigram hold no `<unk>`, where a sampler without the ban would have drawn about 92.
# * **Shakespeare** from a briefly trained character LSTM, at four temperatures: the share of
#   words seen in the training text falls from 90 % at $T = 0.3$ to 21 % at $T = 1.5$. Read as
#   one stream, the state carried, the model scores the held-out text at 1.864 nats/char against
#   1.887 from the zero state per window (`bench/shakespeare_char.py`'s 15-minute recipe reaches
#   1.516, and 1.424 mixed with a 7-gram: README).
# * **O(n) generation and beam search**: carrying the state beats re-reading the text (4 times as
#   fast at 200 characters, and the compiled loop 24 times as fast again); beam search finds
#   likelier, shorter names than greedy decoding (*shana*, $\ln P = -6.872$, against greedy
#   *marianne*, $-8.065$).

# %% [markdown]
# ## Exercises
#
# 1. **The knobs at their limits.** What does sampling become as $T \to 0$? As $T \to \infty$?
#    Which `top_k` is greedy decoding, and which `top_p` keeps every token? Predict, then check
#    with `sampling_logits` on the distribution after "jo" of section 2.
# 2. **By hand, then by the sampler.** For $P = (0.5, 0.25, 0.15, 0.1)$, compute the sampling
#    distribution at $T = 2$; with `temperature=2, top_k=2`; and with `temperature=0.5, top_p=0.7`
#    (the cuts come after the temperature). Check your three answers the way the second cell below
#    checks three others.
# 3. **Novelty against likelihood.** Before you run it: sampling 500 names at $T = 1$ with
#    `top_p=0.9` (section 3), will more or fewer of them be novel than at $T = 1$ without the cut?
#    More or fewer than at $T = 0.5$? Then run it and fill in one more row of the table.
# 4. **Dinosaurus Island's sampler.** Write the course's `sample(parameters, char_to_ix, seed)`: a
#    character RNN (`Wax`, `Waa`, `Wya`, `ba`, `by`, column vectors) that starts from
#    $x^{\langle 1 \rangle} = 0$ and $a^{\langle 0 \rangle} = 0$, draws each index from
#    $\hat y^{\langle t \rangle}$ with `np.random.default_rng(seed)`, feeds its one-hot vector back
#    in, and stops at the newline or after 50 characters (then appends the newline's index). Check
#    it with `check_function(sample, "sample")`. Then write `clip(gradients, max_value)`, which
#    clips every entry of every gradient to the interval from `-max_value` to `max_value`, and
#    check it with `check_function(clip, "clip")`.
# 5. **Per character.** Beam search ranks by the total $\ln P$, so it favours short names
#    (section 8). Which of the 10 names in the beam-search table wins if you rank them by $\ln P$
#    per character instead? What would go wrong if the search itself pruned by the per-character
#    score after every step?
# 6. **The cost of re-reading.** Extrapolate the two timing curves of section 7 to 1,000
#    characters. Then time the state-carrying loop at that length,
#    `generate(shakespeare_lm, list(PROMPT), max_tokens=1000, in_graph=False, **greedy)`, and
#    compare with your prediction.
#
# **Checking an answer.** `check_function(fn, "sample")` grades a sampler by its properties (any
# random generator may be used): a model sure of its next character must be followed exactly, a
# random model's first characters must follow its softmax, and every sample ends with the
# newline's index. Below, the reference `rnn_zoo.functional.sample` and a student's sampler that
# takes the most likely character instead of drawing one; then three sampling distributions
# computed by hand and compared with `sampling_logits`.

# %%
import numpy as np

import rnn_zoo.functional
from rnn_zoo.grading import check_function


def greedy_sample(parameters, char_to_ix, seed=0):
    """The course's sampler with a planted mistake: it takes the most likely character instead
    of drawing one, so every seed gives the same sequence."""
    Wax, Waa, Wya, ba, by = (parameters[k] for k in ("Wax", "Waa", "Wya", "ba", "by"))
    x, a = np.zeros((Wax.shape[1], 1)), np.zeros((Waa.shape[0], 1))   # x<1> = 0, a<0> = 0
    indices, idx = [], -1
    while idx != char_to_ix["\n"] and len(indices) < 50:
        a = np.tanh(Wax @ x + Waa @ a + ba)
        z = Wya @ a + by
        y = np.exp(z - z.max()) / np.sum(np.exp(z - z.max()))         # ŷ<t> = softmax(z)
        idx = int(np.argmax(y))                                        # the mistake: no draw
        indices.append(idx)
        x = np.zeros_like(x)
        x[idx] = 1                                                     # feed the sample back in
    if idx != char_to_ix["\n"]:
        indices.append(char_to_ix["\n"])
    return indices


print(check_function(rnn_zoo.functional.sample, "sample"), end="\n\n")
print(check_function(greedy_sample, "sample"))

# %%
import numpy as np
import tensorflow as tf

from rnn_zoo.lm.sampling import sampling_logits

p = np.array([0.5, 0.25, 0.15, 0.1])                   # P(next token) over four tokens
by_hand = {"temperature=0.5": p ** 2 / np.sum(p ** 2),  # p^(1/T), renormalised
           "top_k=2": np.array([0.5, 0.25, 0, 0]) / 0.75,
           "top_p=0.8": np.array([0.5, 0.25, 0.15, 0]) / 0.9}
options = {"temperature=0.5": {"temperature": 0.5}, "top_k=2": {"top_k": 2},
           "top_p=0.8": {"top_p": 0.8}}
no_ban = np.zeros(len(p), bool)
for name, expected in by_hand.items():
    sampled = tf.nn.softmax(sampling_logits(np.log(p), no_ban, **options[name])).numpy()
    print(f"{name:16} by hand {' '.join(f'{v:.4f}' for v in expected)}   "
          f"sampling_logits {' '.join(f'{v:.4f}' for v in sampled)}")
    np.testing.assert_allclose(sampled, expected, atol=1e-12)
