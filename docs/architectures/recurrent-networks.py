# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Recurrent networks
#
# A sentence, a melody, a heartbeat and a stock price all arrive one piece at a time, and
# what a piece means depends on what came before it. The networks of the earlier chapters
# take one vector of a fixed size and answer once. They have nowhere to put "what came
# before", and no natural way to read an input of any length. A **recurrent network**
# fixes both with one idea: it reads a sequence one step at a time and carries a
# **hidden state**, a vector that it rewrites at every step from the new input and from
# its own previous value. The same weights are used at every step, so one small network
# handles sequences of any length.
#
# This chapter builds recurrent networks from their equations, in `dlbook`, and checks
# every piece against PyTorch's own `nn.RNN`, `nn.LSTM` and `nn.GRU`. It trains them only
# on data that is generated in code or ships with Python itself, so every figure can be
# rebuilt without a network connection. By the end you should be able to:
#
# - explain why a fixed-size input does not fit a sequence, and what the hidden state holds;
# - compute the forward pass of a small recurrent network by hand and in code;
# - unroll a recurrent network over time and backpropagate through the unrolled graph;
# - match a task to its input/output pattern: one to many, many to one, many to many;
# - show, with measurements, why gradients vanish in a plain RNN and how the gates of the
#   LSTM and GRU keep them alive;
# - train a character-level language model with truncated backpropagation through time,
#   score it in nats per character, and sample from it at different temperatures.

# %%
import inspect
import math
import time

import matplotlib.pyplot as plt
import torch

from dlbook import seed_everything
from dlbook.bptt import bptt_windows, clip_grad_norm, hidden_grad_norms
from dlbook.charlm import CharLM, CharLMConfig, generate, nats_per_char, next_char_probs
from dlbook.figures import explore, load_checkpoint, load_data, load_manifest, show
from dlbook.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell, copy_from_torch
from dlbook.rnn_trace import trace_rnn
from dlbook.sequences import copy_task
from dlbook.text import Vocabulary, python_docs_text, split_text

seed_everything(0)

# %% [markdown]
# ## Why order matters
#
# Take the simplest way to feed text to a network of the kind we already have: count how
# often each character occurs and pass the counts as one vector. Every text, long or short,
# becomes a vector of the same size. The price is that the order is gone.

# %%
vocab = Vocabulary.from_text("abcdefghijklmnopqrstuvwxyz ")
first, second = "dog bites man", "man bites dog"
counts = [torch.bincount(vocab.encode(s), minlength=len(vocab)) for s in (first, second)]
print(f"{first!r} and {second!r}: same character counts? {torch.equal(*counts)}")

# %% [markdown]
# The two sentences report different news, yet their count vectors are identical, so no
# network that reads only the counts can tell them apart. The other obvious fix is to
# reserve one input slot per position: a network that reads the first 100 characters. That
# keeps the order, but it cannot read the 101st character, it wastes slots on short inputs,
# and it must learn the same fact ("a space usually follows a full stop") separately for
# every one of its 100 positions, because a weight attached to position 7 knows nothing
# about position 8.
#
# A recurrent network takes the third way. It keeps a running summary of everything read so
# far and updates it with the same rule at every position. What it learns at position 7 it
# can use at position 8 and at position 10,000.
#
# ## The hidden state
#
# An Elman network, the plain recurrent network, has one equation at its heart. At time
# step $t$ it reads the input $\mathbf{x}_t \in \mathbb{R}^{I}$ and the previous state
# $\mathbf{h}_{t-1} \in \mathbb{R}^{H}$ and writes the new state
#
# $$
# \mathbf{h}_t = \tanh\big(W_{ih}\,\mathbf{x}_t + \mathbf{b}_{ih} + W_{hh}\,\mathbf{h}_{t-1} + \mathbf{b}_{hh}\big),
# $$
#
# starting from $\mathbf{h}_0 = \mathbf{0}$ unless told otherwise. $W_{ih}$ (size
# $H \times I$) weighs the new input, $W_{hh}$ ($H \times H$) weighs the memory, and the
# same two matrices are used at every step. An output, when the task wants one, is read off
# the state by an ordinary layer, $\hat{\mathbf{y}}_t = W_{hy}\,\mathbf{h}_t + \mathbf{b}_y$.
# PyTorch names the weights the same way, and `dlbook.recurrent.RNNCell` computes one step
# exactly as written:

# %%
print(inspect.getsource(RNNCell.recur))

# %% [markdown]
# ### A tiny example with every number
#
# The smallest recurrent network has one input, one hidden unit and one output, so every
# quantity is a single number. `trace_rnn` runs it over four inputs with $w_{xh} = 0.5$,
# $w_{hh} = 0.6$, $b = 0$ and the read-out $\hat{y} = w_{hy} h_4$ with $w_{hy} = 2$, and
# records each step:

# %%
t = trace_rnn()
print(f"inputs x = {t.x}, weights w_xh = {t.w_xh}, w_hh = {t.w_hh}, b = {t.b}, w_hy = {t.w_hy}, "
      f"target y = {t.target}")
print("\n".join(t.steps_for("a1", "h1", "a2", "h2", "a3", "h3", "a4", "h4", "y_hat", "loss")))

# %% [markdown]
# Read the states in order. The first input pushes $h$ up; the next two inputs are smaller,
# but $h$ keeps rising because part of the old state is fed back through $w_{hh}$. The last
# input is negative and large enough to flip the sign of the state. The prediction
# depends on all four inputs, through a chain of reuses of the same weight.
#
# The same numbers come out of PyTorch's `nn.RNNCell` with the same weights. Here the check
# is done on a bigger cell, with odd sizes, against our own cell:

# %%
theirs = torch.nn.RNNCell(3, 5).double()
ours = copy_from_torch(RNNCell(3, 5).double(), theirs)
x_step, h_prev = torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 5, dtype=torch.float64)
torch.testing.assert_close(ours(x_step, h_prev), theirs(x_step, h_prev))
print("dlbook.recurrent.RNNCell equals torch.nn.RNNCell:", tuple(ours(x_step, h_prev).shape))

# %% [markdown]
# ## Unrolling over time
#
# Drawn as a loop, a recurrent network is a single cell whose output feeds back into it.
# Drawn **unrolled**, it is a chain: one copy of the cell per time step, each passing its
# state to the next, all copies sharing one set of weights. The unrolled picture is an
# ordinary feed-forward network, as deep as the sequence is long, with tied weights. That is
# all we need to train it: backpropagation works on any computational graph, and this is
# one.
#
# A recurrent *layer* runs the cell along the sequence and collects the states. Inputs are
# laid out batch first, $(B, T, I)$, and the layer returns every state, $(B, T, H)$, plus
# the final one. Two speed-ups do not change the mathematics: the input part
# $W_{ih}\mathbf{x}_t + \mathbf{b}_{ih}$ does not depend on the state, so the layer
# computes it for all time steps in one matrix product before the loop; only the
# recurrence itself must run step by step. Several layers can be stacked, each reading the
# sequence of states of the one below. With weights copied from PyTorch, outputs,
# final states and gradients agree:

# %%
theirs = torch.nn.RNN(3, 5, num_layers=2, batch_first=True).double()
ours = copy_from_torch(RNN(3, 5, num_layers=2).double(), theirs)
x_seq = torch.randn(4, 7, 3, dtype=torch.float64, requires_grad=True)  # (B, T, I)
out_ours, h_ours = ours(x_seq)  # (B, T, H), (layers, B, H)
out_theirs, h_theirs = theirs(x_seq)
torch.testing.assert_close(out_ours, out_theirs)
torch.testing.assert_close(h_ours, h_theirs)
grad_ours, = torch.autograd.grad(out_ours.sum(), x_seq)
grad_theirs, = torch.autograd.grad(out_theirs.sum(), x_seq)
torch.testing.assert_close(grad_ours, grad_theirs)
print(f"input {tuple(x_seq.shape)} -> outputs {tuple(out_ours.shape)}, final state {tuple(h_ours.shape)}: "
      "values and input gradients equal torch.nn.RNN")

# %% [markdown]
# The animation below runs the tiny network of the example through its four steps, then
# sends the gradient back along the chain. Every number in it comes from `trace_rnn`, and
# its steps are listed under the video.
#
# {{ animation("RNNUnrolled") }}
#
# ## Backpropagation through time
#
# Training the unrolled chain with backpropagation has its own name, **backpropagation
# through time** (BPTT), but it is the algorithm of the
# [backpropagation chapter](../training/backpropagation.py) applied to a graph with one
# peculiarity: the same weight appears at every step. Two consequences follow.
#
# First, the gradient of a shared weight is the **sum of one term per step**. For the tiny
# network, with $a_t$ the pre-activation at step $t$,
#
# $$
# \frac{\partial L}{\partial w_{hh}} = \sum_{t=1}^{T} \frac{\partial L}{\partial a_t}\, h_{t-1}.
# $$
#
# Second, the gradient that reaches an early state has to pass back through every later
# step. Each step back multiplies it by the local derivative of one step,
#
# $$
# \frac{\partial L}{\partial h_t} = \frac{\partial L}{\partial h_{t+1}}\; w_{hh}\,\big(1 - h_{t+1}^2\big),
# $$
#
# and in a network with an $H$-dimensional state the factor becomes the matrix
# $W_{hh}^{\top}\operatorname{diag}\!\big(1 - \mathbf{h}_{t+1}^{2}\big)$. Here is the
# backward sweep of the tiny example:

# %%
print("\n".join(t.steps_for("grad_y_hat", "grad_h4", "grad_h3", "grad_h2", "grad_h1")))
print("factors per step back:", [round(f, 4) for f in t.factors])
print("\n".join(t.steps_for("grad_w_hh_step1", "grad_w_hh_step2", "grad_w_hh_step3", "grad_w_hh_step4",
                            "grad_w_hh")))

# %% [markdown]
# Each factor here is below one, so each step back shrinks the gradient, and the first
# input gets the smallest say in how $w_{hh}$ changes. Over four steps that is harmless;
# over a hundred it is the central difficulty of recurrent networks, which we measure
# below.
#
# ### Truncated backpropagation through time
#
# A text of half a million characters is one very long sequence. Backpropagating through
# all of it at once would keep half a million states in memory for one update. **Truncated
# BPTT** cuts the sequence into windows of $k$ steps. The state is carried from one window
# to the next, so the forward pass still sees the whole past, but the gradient is stopped
# at the window's start by `detach`: each update then costs $k$ steps of memory and time,
# at the price of not learning dependencies longer than a window directly.

# %%
print("windows of k = 4 over T = 10 steps:", bptt_windows(10, 4))
print(inspect.getsource(clip_grad_norm).split('"""')[0] + "...")

# %% [markdown]
# The second tool is **gradient clipping**. When the factors above are larger than one, the
# gradient can grow exponentially instead, and a single update can throw the weights far
# away. Clipping rescales the whole gradient whenever its norm exceeds a threshold,
# $\mathbf{g} \leftarrow \mathbf{g}\cdot\min\!\big(1, c / \lVert\mathbf{g}\rVert\big)$,
# which keeps its direction and bounds the step. `clip_grad_norm` is that formula; the
# tests check it against `torch.nn.utils.clip_grad_norm_`.
#
# ## Input and output patterns
#
# A recurrent layer produces a state at every step, and a task decides which inputs it
# feeds and which outputs it reads. Four patterns cover most uses:
#
# - **one to many**: a single input, a sequence out (a caption from an image, a melody from
#   a style); the input is given at the first step and the network keeps writing;
# - **many to one**: a sequence in, one answer after the last step (the sentiment of a
#   review, the next value of a series);
# - **aligned many to many**: one output per input step (a tag for every word, a running
#   total);
# - **encoder-decoder many to many**: read the whole input first, then write an output of
#   its own length (translation). One network, the *encoder*, packs the input into its
#   final state; a second, the *decoder*, starts from that state and writes.
#
# The figure below trains one small GRU network (the GRU is introduced later in this
# chapter; any recurrent layer would do) for each pattern on a generated task and shows one
# sequence it never saw in training: writing a sine wave from its frequency and phase;
# predicting the value after a window of a sine wave; the running sum of random numbers;
# and reversing a sequence of symbols.

# %%
show("rnn-patterns")

# %% [markdown]
# ## Vanishing and exploding gradients
#
# The backward sweep of the tiny example multiplied the gradient by a factor at every step.
# Multiply by a number below one fifty times and almost nothing is left; multiply by a
# number above one fifty times and the result is huge. For an $H$-dimensional state the
# factor is a matrix, and what matters is how it stretches vectors, but the rule of thumb
# stays: if $W_{hh}$ mostly shrinks vectors (or the tanh is saturated, so
# $1 - h^2 \approx 0$), gradients from the distant past **vanish**; if $W_{hh}$ stretches
# them, they **explode**.
#
# We can watch this directly. `hidden_grad_norms` runs a layer, takes a loss at the last
# step only, and returns $\lVert \partial L / \partial \mathbf{h}_t \rVert$ for every step.
# Here is an untrained tanh RNN of 32 units with its recurrent matrix scaled to three
# sizes, each a random orthogonal matrix times a gain:

# %% alt="Log-scale plot of the gradient size at each time step for a loss at step 60, with the recurrent matrix a random orthogonal one times 0.8, 1.0 or 1.2. Going back in time, gain 0.8 shrinks the gradient steadily by orders of magnitude, gain 1.0 keeps it roughly level, and gain 1.2 makes it grow."
def grad_profile(gain: float, steps: int = 60, hidden: int = 32) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    layer = RNN(1, hidden, generator=g).double()
    q, _ = torch.linalg.qr(torch.randn(hidden, hidden, generator=g, dtype=torch.float64))
    with torch.no_grad():
        layer.cells[0].weight_hh.copy_(gain * q)  # W_hh = gain · (an orthogonal matrix)
    x = 0.1 * torch.randn(1, steps, 1, generator=g, dtype=torch.float64)  # (B, T, I)
    return hidden_grad_norms(layer, x, lambda out, state: out[:, -1].sum())  # (T,)


profiles = {gain: grad_profile(gain) for gain in (0.8, 1.0, 1.2)}
for gain, norms in profiles.items():
    print(f"gain {gain}: |dL/dh_t| at t = 60: {norms[-1]:.3g}, t = 40: {norms[39]:.3g}, "
          f"t = 1: {norms[0]:.3g}")

fig, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
for gain, norms in profiles.items():
    ax.semilogy(range(1, len(norms) + 1), norms, label=f"$W_{{hh}}$ = {gain} × orthogonal")
ax.set_xlabel("time step t (the loss is at t = 60)")
ax.set_ylabel(r"$\|\partial L / \partial h_t\|$")
ax.legend(frameon=False)
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# The three curves start from the same gradient at the last step and part ways at once.
# At gain 0.8 every step back shrinks the gradient by roughly that factor, and after sixty
# steps almost nothing reaches the start: a learning signal that small is lost among the
# other terms of the sum. At gain 1.2 the gradient grows step by step instead, and the
# first input gets the loudest say of all. Only at gain 1.0 does the signal travel the
# whole way at about the same size. The inputs here are small, so the units stay in the
# nearly linear part of the tanh; in a trained network the factors $1 - h^2$ shrink the
# gradient further whenever units saturate. Training does not keep $W_{hh}$ at the
# knife-edge of gain 1 on its own, so a plain RNN in practice sees its long-range
# gradients either fade or blow up; clipping tames the second failure, not the first.
#
# ### A task that needs a long memory
#
# The **copy task** makes the problem concrete. The network sees a few symbols, then a
# stretch of blanks, then a cue, after which it must write the symbols back:

# %%
X_copy, Y_copy = copy_task(2, length=3, delay=5, num_symbols=4, seed=0)
print("input :", X_copy[0].tolist())
print("target:", Y_copy[0].tolist())

# %% [markdown]
# (0 is the blank, 1 to 4 are symbols, 5 is the cue.) Nothing in the blanks helps: the
# only way to answer is to hold the symbols in the state across the whole delay. The
# figure trains a plain tanh RNN, an LSTM and a GRU of the same size, for the same number
# of steps, at several delays, and scores each on fresh sequences:

# %%
show("copy-delay")

# %%
copy_run = load_manifest("copy-delay")
print(f"{copy_run['config']['hidden']} hidden units each, {copy_run['config']['steps']} Adam steps per run, "
      f"LSTM forget-gate bias starting at {copy_run['config']['forget_bias']}")
for name in ("tanh RNN", "LSTM", "GRU"):
    scores = ", ".join(f"{copy_run['metrics'][f'accuracy {name} delay {d}']:.0%}" for d in copy_run["config"]["delays"])
    print(f"{name:8} accuracy at delays {copy_run['config']['delays']}: {scores}")

# %% [markdown]
# With short delays all three cells copy perfectly. As the delay grows, the plain RNN
# falls towards guessing, while the LSTM and the GRU, with the same number of hidden units
# and the same training budget, still copy every symbol. (The LSTM starts with its
# forget-gate bias at 1, a common choice that we return to in exercise 3; the GRU needs
# no such help here.)

# %% [markdown]
# The heat map shows why. While each network trains on the copy task at a long delay,
# `hidden_grad_norms` records how much gradient from the copy part of the loss reaches each
# time step. Move the slider over the training steps.

# %%
explore("rnn-gradient-flow")

# %%
flow = load_manifest("rnn-gradient-flow")["metrics"]
for name in ("tanh RNN", "LSTM", "GRU"):
    print(f"{name:8}: copy accuracy {flow[name + ' accuracy']:.0%}; at the end of training, "
          f"|dL/dh_t| at the first step / at the last step = {flow[name + ' first/last step gradient ratio']:.2g}")

# %% [markdown]
# Read each panel along a row: the right end is the last step, where the loss is, and the
# left end is the start of the sequence, where the symbols were shown. For the plain RNN
# the colour fades from right to left by many orders of magnitude, so the steps that saw
# the symbols receive almost no gradient, and its weights never learn to store them. The
# gated cells keep the whole row at a similar level: their gradient reaches the first
# steps, and they learn the task.

# %% [markdown]
# ## Gated cells: the LSTM and the GRU
#
# The plain cell rewrites its whole state at every step through a squashing function, so
# information from far back survives only by passing through many such rewrites. The
# **long short-term memory** cell (LSTM, Hochreiter and Schmidhuber 1997) changes that. It
# keeps a second vector, the **cell state** $\mathbf{c}_t$, which is updated by
# *addition* rather than by rewriting, and three **gates**, each a vector of numbers
# between 0 and 1 computed by a sigmoid, decide what is forgotten, what is written and
# what is read out:
#
# $$
# \begin{aligned}
# \mathbf{i}_t &= \sigma(W_{ii}\mathbf{x}_t + \mathbf{b}_{ii} + W_{hi}\mathbf{h}_{t-1} + \mathbf{b}_{hi}) && \text{input gate: how much to write}\\
# \mathbf{f}_t &= \sigma(W_{if}\mathbf{x}_t + \mathbf{b}_{if} + W_{hf}\mathbf{h}_{t-1} + \mathbf{b}_{hf}) && \text{forget gate: how much to keep}\\
# \mathbf{g}_t &= \tanh(W_{ig}\mathbf{x}_t + \mathbf{b}_{ig} + W_{hg}\mathbf{h}_{t-1} + \mathbf{b}_{hg}) && \text{candidate: what to write}\\
# \mathbf{o}_t &= \sigma(W_{io}\mathbf{x}_t + \mathbf{b}_{io} + W_{ho}\mathbf{h}_{t-1} + \mathbf{b}_{ho}) && \text{output gate: how much to show}\\
# \mathbf{c}_t &= \mathbf{f}_t \odot \mathbf{c}_{t-1} + \mathbf{i}_t \odot \mathbf{g}_t\\
# \mathbf{h}_t &= \mathbf{o}_t \odot \tanh(\mathbf{c}_t)
# \end{aligned}
# $$
#
# The line that matters is $\mathbf{c}_t = \mathbf{f}_t \odot \mathbf{c}_{t-1} + \dots$
# Along the cell state the derivative of one step is just $\mathbf{f}_t$, with no weight
# matrix and no squashing: when the forget gate is open (near 1) the gradient passes back
# almost unchanged, for as many steps as the gate stays open. The network *learns* when to
# open it. Here is our cell, one equation per line:

# %%
print(inspect.getsource(LSTMCell.recur))

# %% [markdown]
# The **gated recurrent unit** (GRU, Cho et al. 2014) reaches a similar effect with one
# state and two gates. The reset gate $\mathbf{r}_t$ decides how much of the old state the
# candidate may look at, and the update gate $\mathbf{z}_t$ blends old state and candidate:
#
# $$
# \begin{aligned}
# \mathbf{r}_t &= \sigma(W_{ir}\mathbf{x}_t + \mathbf{b}_{ir} + W_{hr}\mathbf{h}_{t-1} + \mathbf{b}_{hr})\\
# \mathbf{z}_t &= \sigma(W_{iz}\mathbf{x}_t + \mathbf{b}_{iz} + W_{hz}\mathbf{h}_{t-1} + \mathbf{b}_{hz})\\
# \mathbf{n}_t &= \tanh\big(W_{in}\mathbf{x}_t + \mathbf{b}_{in} + \mathbf{r}_t \odot (W_{hn}\mathbf{h}_{t-1} + \mathbf{b}_{hn})\big)\\
# \mathbf{h}_t &= (1 - \mathbf{z}_t) \odot \mathbf{n}_t + \mathbf{z}_t \odot \mathbf{h}_{t-1}
# \end{aligned}
# $$
#
# When $\mathbf{z}_t$ is near 1 the state is copied forward untouched, and so is its
# gradient. These are PyTorch's conventions (the reset gate acts after $W_{hn}$ is applied,
# which differs slightly from the original paper), so the parameters copy over one to one:

# %%
print(inspect.getsource(GRUCell.recur))
for ours_cls, theirs_cls in ((LSTM, torch.nn.LSTM), (GRU, torch.nn.GRU)):
    theirs = theirs_cls(3, 5, num_layers=2, batch_first=True).double()
    ours = copy_from_torch(ours_cls(3, 5, num_layers=2).double(), theirs)
    out_ours, _ = ours(x_seq)
    out_theirs, _ = theirs(x_seq)
    torch.testing.assert_close(out_ours, out_theirs)
    n_params = sum(p.numel() for p in ours.parameters())
    print(f"{ours_cls.__name__}: outputs equal torch.nn.{theirs_cls.__name__}; {n_params} parameters")
n_rnn = sum(p.numel() for p in RNN(3, 5, num_layers=2).parameters())
print(f"RNN: {n_rnn} parameters (the LSTM has four sets of weights, the GRU three)")

# %% [markdown]
# The price of the gates is compute: an LSTM does four times the matrix work of a plain
# cell of the same width, a GRU three times. The gain is in the copy figure above, where
# the gated cells still remember after delays at which the plain cell has given up.
#
# ## A character-level language model
#
# A **language model** assigns a probability to every possible next piece of text given
# the text so far. At the level of characters it is a classifier with one class per
# character, applied at every position of a text, with the recurrent state carrying the
# context. Trained on enough text it learns spelling, punctuation, indentation and
# fragments of grammar, all from the single objective of predicting the next character.
#
# ### The corpus: Python's own documentation
#
# Every CPython installation ships the text of its interactive help in the module
# `pydoc_data.topics`, so this corpus is on every machine that runs the book. We split it
# into a training part and a validation part that do not overlap; the validation part is
# the last tenth of the text.

# %%
text = python_docs_text()
train_text, val_text = split_text(text, val_fraction=0.1)
lm_vocab = Vocabulary.from_text(train_text)
print(f"{len(text):,} characters; train {len(train_text):,}, validation {len(val_text):,}; "
      f"{len(lm_vocab)} distinct characters")
print(repr(train_text[1000:1200]))

# %% [markdown]
# The model is an embedding that turns each character id into a learned vector, a GRU
# layer, and a linear head that scores every character of the vocabulary, trained with the
# cross-entropy of the true next character. Its loss is measured in **nats per
# character**: the average of $-\ln p(\text{next character})$. A model that guesses
# uniformly among $V$ characters scores $\ln V$; every nat below that is structure learned
# from the text. (Divide by $\ln 2$ for bits per character.)
#
# Training follows the recipe of the earlier chapters with two changes for sequences. The
# text is cut into windows of a fixed length, each paired with the same window shifted by
# one character as its target; each **epoch** visits the windows in a freshly shuffled
# order, with the cut points moved by a random offset, so that the model does not see the
# same batches in the same order every time. Within a window, truncated BPTT bounds the
# cost, and gradients are clipped.

# %% alt="Line plot of the character model's loss in nats per character over 400 training steps, with a dashed line at the uniform guess. Training and validation losses fall together, far below the uniform guess, validation ending a little above training."
lm = load_data("char-lm")
curves = lm["curves"]
print(f"uniform guess: ln V = {math.log(len(lm_vocab)):.3f} nats per character")
print(f"after {curves['step'][-1]:,} steps ({curves['seconds'][-1]:.0f} s): "
      f"train {curves['train'][-1]:.3f}, validation {curves['val'][-1]:.3f} nats per character")

fig, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
ax.plot(curves["step"], curves["train"], label="training windows")
ax.plot(curves["step"], curves["val"], label="validation text")
ax.axhline(math.log(len(lm_vocab)), color="0.5", linestyle="--", linewidth=1, label=r"uniform guess, $\ln V$")
ax.set_xlabel("training step")
ax.set_ylabel("nats per character")
ax.legend(frameon=False)
ax.grid(alpha=0.3)
plt.show()
print("training:", lm["training"])

# %% [markdown]
# ### Sampling, and the temperature
#
# To write text, the model reads a prompt, turns the scores of the last position into
# probabilities, draws a character, feeds it back in, and repeats. The **temperature** $T$
# rescales the scores $z_i$ before the softmax,
#
# $$
# p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}},
# $$
#
# so $T < 1$ sharpens the distribution towards the most likely character and $T > 1$
# flattens it towards uniform. Restricting the draw to the $k$ most likely characters
# (**top-k**) cuts off the long tail of unlikely ones. The trained model's weights are
# frozen with its figure, and here it writes from the same prompt at three temperatures:

# %%
cfg = CharLMConfig(**lm["config"])
model = CharLM(cfg)
model.load_state_dict(load_checkpoint("char-lm"))
vocab_lm = Vocabulary(lm["vocab"])
prompt = "The return value is"
for temperature in (0.5, 1.0, 1.5):
    sample = generate(model, vocab_lm, prompt, 160, temperature=temperature,
                      generator=torch.Generator().manual_seed(1))
    print(f"--- temperature {temperature} ---\n{prompt}{sample}\n")

# %% [markdown]
# At low temperature the text is the most regular and the most repetitive: the model keeps
# choosing the safest continuation. At 1.0 it samples from what it learned, with its
# mistakes. At 1.5 the unlikely characters get enough probability to appear often, and
# spelling falls apart. The explorable below shows the distribution itself for a few
# prompts, computed in your browser from the model's stored scores: pick a prompt and move
# the temperature.

# %%
explore("char-lm")

# %% [markdown]
# The training run scored the model on the validation text as it went. Scoring it again
# here, on the whole held-out tenth of the corpus, from the frozen weights, gives the same
# number, which is the honest measure of what the model learned: it never trained on a
# character of this text.

# %%
val_ids = vocab_lm.encode(val_text)
val_nats = nats_per_char(model, val_ids, seq_len=lm["training"]["bptt"], batch_size=64)
print(f"validation loss on all {len(val_text):,} held-out characters: {val_nats:.3f} nats per character "
      f"({val_nats / math.log(2):.2f} bits; uniform guess: {math.log(len(vocab_lm)):.3f} nats)")

# %% [markdown]
# ## Summary
#
# - A recurrent network reads a sequence one step at a time and keeps a hidden state,
#   $\mathbf{h}_t = \tanh(W_{ih}\mathbf{x}_t + W_{hh}\mathbf{h}_{t-1} + \mathbf{b})$, with
#   the same weights at every step, so it handles sequences of any length and keeps their
#   order.
# - Unrolled over time it is a deep feed-forward network with tied weights; backpropagation
#   through time sums each shared weight's gradient over the steps, and truncated BPTT
#   bounds the cost by stopping the gradient every $k$ steps while the state carries on.
# - Tasks come in patterns (one to many, many to one, aligned and encoder-decoder many to
#   many), all built from the same layer by choosing which inputs to feed and which outputs
#   to read.
# - The gradient reaching step $t$ from a later loss is a product of one factor per step in
#   between; in a plain RNN it vanishes (or explodes) exponentially, which we measured, and
#   the plain RNN fails the copy task at long delays.
# - The LSTM's additive cell state and the GRU's update gate give the gradient a path whose
#   factor the network controls, and both solve the copy task where the plain cell fails.
# - A character-level GRU trained on Python's documentation learns enough to write
#   plausible text, scored in nats per character against $\ln V$; the temperature trades
#   safety against variety when sampling.
#
# ## Exercises
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 1 · The tiny example by hand</p>
#
# Using the weights of `trace_rnn()` ($w_{xh} = 0.5$, $w_{hh} = 0.6$, $b = 0$, $h_0 = 0$)
# and the inputs $1, 0.5, 0.5, -1$, compute $h_1$ and $h_2$ with a calculator. Then change
# $w_{hh}$ to $0$: what does $h_4$ depend on now, and what happens to
# $\partial L / \partial h_1$? Check with `trace_rnn(w_hh=0.0)`.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# $h_1 = \tanh(0.5 \cdot 1) = \tanh(0.5) \approx 0.4621$ and
# $h_2 = \tanh(0.5 \cdot 0.5 + 0.6 \cdot 0.4621) = \tanh(0.5273) \approx 0.4833$. With
# $w_{hh} = 0$ the state forgets everything at once: $h_4 = \tanh(0.5 \cdot x_4)$ depends
# on the last input only, and every factor $w_{hh}(1 - h^2)$ is zero, so no gradient
# reaches $h_1$, $h_2$ or $h_3$:
#
# ```python
# t0 = trace_rnn(w_hh=0.0)
# print([round(h, 4) for h in t0.h], [round(g, 4) for g in t0.grad_h])
# assert t0.grad_h[:3] == (0.0, 0.0, 0.0)
# ```
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 2 · Count the parameters</p>
#
# Give formulas for the number of parameters of one layer of an RNN, an LSTM and a GRU
# with input size $I$ and hidden size $H$ (both bias vectors included, as in PyTorch), and
# check them against `sum(p.numel() for p in layer.parameters())` for $I = 3$, $H = 5$.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# A plain cell has $W_{ih}$ ($H \times I$), $W_{hh}$ ($H \times H$) and two biases of $H$:
# $H(I + H + 2)$. The LSTM has four such sets (gates i, f, g, o), the GRU three (r, z, n):
#
# ```python
# I, H = 3, 5
# for layer_cls, gates in ((RNN, 1), (LSTM, 4), (GRU, 3)):
#     counted = sum(p.numel() for p in layer_cls(I, H).parameters())
#     assert counted == gates * H * (I + H + 2)
#     print(layer_cls.__name__, counted)
# ```
#
# This prints 50, 200 and 150.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 3 · A forget gate held open</p>
#
# Make an `LSTM(1, 8)` layer whose forget gates are nearly always open by setting the
# forget part of both biases to a large value (rows $H$ to $2H$ of `bias_ih` and
# `bias_hh`, in PyTorch's gate order i, f, g, o). Compare its gradient profile
# `hidden_grad_norms(...)` over 60 steps, loss at the last step, with the default
# initialisation. What does the forget gate do to the gradient?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# def lstm_profile(forget_bias):
#     g = torch.Generator().manual_seed(0)
#     layer = LSTM(1, 8, generator=g).double()
#     cell = layer.cells[0]
#     if forget_bias is not None:
#         with torch.no_grad():
#             cell.bias_ih[8:16] = forget_bias
#             cell.bias_hh[8:16] = 0.0
#     x = 0.1 * torch.randn(1, 60, 1, generator=g, dtype=torch.float64)
#     return hidden_grad_norms(layer, x, lambda out, state: out[:, -1].sum())
#
# for forget_bias in (None, 5.0):
#     norms = lstm_profile(forget_bias)
#     print(forget_bias, f"first/last = {norms[0] / norms[-1]:.3g}")
# ```
#
# With the default biases the forget gates sit near $\sigma(0) = 0.5$ and the gradient
# still shrinks step by step back. With a forget bias of 5 they sit near
# $\sigma(5) \approx 0.993$: the cell state is carried almost unchanged, and a far larger
# share of the gradient reaches the first step. This is why LSTM implementations often
# start with a positive forget-gate bias (Jozefowicz et al. 2015).
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 4 · Temperature and top-k by hand</p>
#
# For the scores $z = (2, 1, 0, -1)$ compute the probabilities at $T = 1$, $T = 0.5$ and
# $T = 2$, and at $T = 1$ with top-$k = 2$. Check with `next_char_probs`.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# z = torch.tensor([2.0, 1.0, 0.0, -1.0])
# for T in (1.0, 0.5, 2.0):
#     manual = torch.exp(z / T) / torch.exp(z / T).sum()
#     torch.testing.assert_close(next_char_probs(z, T), manual)
#     print(T, [round(p, 3) for p in manual.tolist()])
# top2 = next_char_probs(z, 1.0, top_k=2)
# print("top-2:", [round(p, 3) for p in top2.tolist()])  # e / (e + 1) and 1 / (e + 1), then zeros
# ```
#
# At $T = 1$: 0.644, 0.237, 0.087, 0.032. Halving $T$ doubles every score gap, so the
# first character takes 0.865; doubling $T$ halves the gaps and the distribution flattens
# to 0.455, 0.276, 0.167, 0.102. Top-2 renormalises the two largest: 0.731 and 0.269.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 5 · How long a memory does the language model use?</p>
#
# Feed the trained language model a validation passage twice: once whole, and once with
# its state reset every 10 characters (call `nats_per_char` with `seq_len=10` on windows
# that start from a zero state: for example, by scoring each window separately). How much
# worse is the loss without context beyond 10 characters?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# `nats_per_char` carries the state from window to window, so to cut the memory we score
# each window on its own, with a fresh state:
#
# ```python
# ids = vocab_lm.encode(val_text[:4_951])
# full = nats_per_char(model, ids, seq_len=200, batch_size=5)
# windows = ids[:4_950].view(-1, 11)  # 450 rows of 11 ids: 10 inputs and their next characters
# with torch.no_grad():
#     logits, _ = model(windows[:, :-1], None)  # every row starts from h_0 = 0
#     short = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
#                                               windows[:, 1:].reshape(-1)).item()
# print(f"with the whole past: {full:.3f}; with at most 10 characters: {short:.3f} nats per character")
# ```
#
# The loss with at most 10 characters of context is clearly higher: the model uses context
# from further back, such as the current word and the sentence it is in. (The comparison is
# not exact, since in the short windows the first characters have almost no context at
# all, which is part of the point.)
#
# </details>
#
# ## References
#
# - J. L. Elman, "Finding structure in time", *Cognitive Science* 14 (1990): the simple
#   recurrent network.
# - Y. Bengio, P. Simard and P. Frasconi, "Learning long-term dependencies with gradient
#   descent is difficult", *IEEE Transactions on Neural Networks* 5 (1994): vanishing
#   gradients in recurrent networks.
# - S. Hochreiter and J. Schmidhuber, "Long short-term memory", *Neural Computation* 9
#   (1997): the LSTM; the forget gate was added by F. Gers, J. Schmidhuber and F. Cummins
#   (2000).
# - K. Cho et al., "Learning phrase representations using RNN encoder-decoder for
#   statistical machine translation", EMNLP 2014: the GRU and the encoder-decoder.
# - R. Pascanu, T. Mikolov and Y. Bengio, "On the difficulty of training recurrent neural
#   networks", ICML 2013: gradient clipping.
# - A. Karpathy, "The unreasonable effectiveness of recurrent neural networks" (2015): a
#   character-level language model of this kind.
# - R. Jozefowicz, W. Zaremba and I. Sutskever, "An empirical exploration of recurrent
#   network architectures", ICML 2015: the forget-gate bias.
