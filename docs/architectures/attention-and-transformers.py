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
# # Attention and transformers
#
# A recurrent network reads a text the way a person reads aloud: one character after
# another, with everything it has seen squeezed into one state vector. To use a word from
# fifty steps back, that word has to survive fifty rewrites of the state. **Attention**
# takes a different route. At every position the network may look directly at every other
# position, decide which of them matter for the question at hand, and take a blend of what
# they hold. Nothing has to be carried along; it is all still there to be looked up.
#
# A **transformer** is a network built from that one operation, plus a small per-position
# network and a few pieces of plumbing. It drops recurrence entirely, so all positions are
# processed at once, which suits parallel hardware, and it is the architecture behind
# today's large language models and many vision models.
#
# This chapter builds attention from its oldest form upwards, writes every piece in
# `dlbook` and checks each against PyTorch's own version. It trains transformers on a
# generated task and on the same corpus as the recurrent chapter, and compares the two
# kinds of model honestly. By the end you should be able to:
#
# - explain attention as a soft look-up in a table of keys and values, and see kernel
#   regression as its simplest case;
# - compute queries, keys, values, scores, weights and outputs for a small example by hand;
# - say why the scores are divided by $\sqrt{d_k}$, with a measurement to back it;
# - build causal and padding masks, and split attention into several heads;
# - show that attention without positions cannot tell one order of tokens from another;
# - assemble a pre-norm transformer block and a decoder-only language model (a GPT);
# - sample from a language model with a temperature and top-$k$, and say what attention
#   costs in the length of the text and what a key-value cache saves.

# %%
import inspect
import math
import time

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from dlbook import seed_everything
from dlbook.attention import MultiHeadAttention, causal_mask, kernel_regression, scaled_dot_product_attention
from dlbook.attention_trace import trace_attention
from dlbook.charlm import generate, next_char_probs
from dlbook.figures import explore, load_checkpoint, load_data, load_manifest, show
from dlbook.gpt import GPT, GPTConfig, parameter_count
from dlbook.kv_cache import Recompute, generate_ids
from dlbook.positional import SinusoidalPositions, sinusoidal_encoding
from dlbook.text import Vocabulary
from dlbook.transformer import TransformerBlock

seed_everything(0)
torch.set_num_threads(1)  # the models here are small: one CPU thread runs them faster and times them steadily

# %% [markdown]
# ## A look-up that never fails
#
# A Python dictionary answers a query by finding the key that equals it and returning that
# key's value. Ask for a key it does not hold and it gives up. Now make the look-up soft:
# compare the query with *every* key, give each key a weight that grows with how well it
# matches, make the weights positive and sum to one, and return the weighted mean of the
# values,
#
# $$
# \operatorname{out}(q) = \sum_{j} \alpha_j(q)\, v_j,
# \qquad \alpha_j(q) = \frac{\exp\big(\operatorname{score}(q, k_j)\big)}{\sum_{l} \exp\big(\operatorname{score}(q, k_l)\big)}.
# $$
#
# The softmax turns any scores into such weights. A query that matches one key far better
# than the rest gets nearly all of its value, as the dictionary would give; a query between
# two keys gets a blend. That is **attention**, and everything else in this chapter is a
# choice of what the queries, keys, values and scores are.

# %%
keys = torch.tensor([1.0, 2.0, 3.0])
values = torch.tensor([10.0, 20.0, 30.0])
table = dict(zip(keys.tolist(), values.tolist(), strict=True))
print("hard look-up of 2.0:", table[2.0], "| of 2.2:", table.get(2.2, "no such key"))
for query in (2.0, 2.2, 2.5):
    out, weights = kernel_regression(torch.tensor([query]), keys, values, bandwidth=0.3)
    print(f"soft look-up of {query}: weights {[round(w, 3) for w in weights[0].tolist()]} -> {out.item():.2f}")

# %% [markdown]
# ### Kernel regression: attention before neural networks
#
# The soft look-up above scored each key by its distance from the query,
# $\operatorname{score}(x, x_j) = -(x - x_j)^2 / 2h^2$. With the training inputs as keys and
# the training targets as values, that is **Nadaraya-Watson kernel regression** (1964): the
# prediction at $x$ is the mean of the training targets, each weighted by a Gaussian bump
# centred on its input. The bandwidth $h$ sets how far each bump reaches. Here it is on a
# one-dimensional toy problem, noisy samples of a smooth curve, at three bandwidths:

# %% alt="Left: forty noisy training points around a smooth curve, and the kernel-regression predictions at three bandwidths; the smallest bandwidth follows the noise, the middle one follows the curve, the largest flattens it. Right: a heat map of the attention weights of every query point on every training point at the middle bandwidth, a bright band along the diagonal."
def truth(x: torch.Tensor) -> torch.Tensor:
    """The curve behind the data."""
    return torch.sin(x) + 0.3 * x


g = torch.Generator().manual_seed(0)
x_train = torch.sort(5 * torch.rand(40, generator=g)).values  # keys: the training inputs, sorted
y_train = truth(x_train) + 0.3 * torch.randn(40, generator=g)  # values: noisy targets
x_query = torch.linspace(0, 5, 200)  # queries: where we predict

fig, (ax, ax_w) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
ax.plot(x_train.numpy(), y_train.numpy(), "o", color="0.4", ms=4, label="training points")
for h in (0.05, 0.4, 2.0):
    y_hat, weights = kernel_regression(x_query, x_train, y_train, bandwidth=h)
    error = ((y_hat - truth(x_query)) ** 2).mean().item()
    print(f"bandwidth h = {h}: mean squared error against the true curve {error:.3f}; "
          f"largest weight per query, on average {weights.max(dim=1).values.mean().item():.2f}")
    ax.plot(x_query.numpy(), y_hat.numpy(), label=f"h = {h}")
ax.set(xlabel="x", ylabel="y")
ax.legend(frameon=False, fontsize=8)
_, weights = kernel_regression(x_query, x_train, y_train, bandwidth=0.4)  # (200 queries, 40 keys)
image = ax_w.imshow(weights.T.numpy(), aspect="auto", origin="lower", cmap="viridis", extent=(0, 5, 0.5, 40.5))
ax_w.set(xlabel="query x", ylabel="training point j (sorted by $x_j$)", title="weights α_j(x), h = 0.4")
fig.colorbar(image, ax=ax_w)
plt.show()

# %% [markdown]
# At the smallest bandwidth each query gives most of its weight to its nearest training
# point, so the prediction jumps from one noisy target to the next. At the largest, every query
# gets nearly the same weights, so the prediction flattens towards the mean of all the
# targets. The middle bandwidth averages a handful of neighbours, which cancels much of the
# noise and keeps the shape; its error against the true curve is the lowest of the three.
# The heat map shows those weights: every row of the picture (one training point) lights
# up for the queries near it.
#
# Kernel regression has one thing to tune, $h$, and the score it uses is fixed in advance.
# Attention in a neural network keeps the soft look-up and *learns* the comparison.
#
# ## Queries, keys and values
#
# In self-attention, every token of a sequence plays all three roles. Token $i$, a vector
# $\mathbf{x}_i$ of $d$ features, is mapped by three learned matrices to a **query**
# $\mathbf{q}_i = \mathbf{x}_i W_Q$ (what it is looking for), a **key**
# $\mathbf{k}_i = \mathbf{x}_i W_K$ (what it offers to be found by) and a **value**
# $\mathbf{v}_i = \mathbf{x}_i W_V$ (what it hands over when found). The score of query $i$
# for key $j$ is their dot product, divided by $\sqrt{d_k}$ for a reason we measure below.
# Stacking the rows into matrices $Q$, $K$ and $V$ gives every output in one line:
#
# $$
# \operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\Big(\frac{Q K^{\top}}{\sqrt{d_k}}\Big)\, V,
# $$
#
# with the softmax taken along each row. Row $i$ of the result is
# $\mathbf{o}_i = \sum_j \alpha_{ij} \mathbf{v}_j$: token $i$'s new vector is a blend of the
# values of all tokens, in proportions set by how well its query matches their keys.
#
# ### A tiny example with every number
#
# Three tokens of two features each, and three small projection matrices. `trace_attention`
# computes every quantity and spells it out:

# %%
t = trace_attention()
print("tokens X =", t.X)
print("W_Q =", t.W_Q, " W_K =", t.W_K, " W_V =", t.W_V)
print("\n".join(t.steps_for("q1", "q2", "q3", "k1", "k2", "k3", "v1", "v2", "v3")))
print("\n".join(t.steps_for("score3_1", "score3_2", "score3_3", "weights3", "out3")))

# %% [markdown]
# Follow the third token. Its query $(1, 1)$ agrees most with the third key, so the third
# value gets the largest weight, and its output is pulled towards that value. The other two
# rows work the same way; here all three are computed at once, in matrix form, and compared
# with PyTorch's own fused attention (which returns no weights, the reason `dlbook` has its
# own):

# %%
Q, K, V = (torch.tensor(m, dtype=torch.float64) for m in (t.Q, t.K, t.V))
out, weights = scaled_dot_product_attention(Q, K, V)  # (3, 2), (3, 3)
torch.testing.assert_close(out, F.scaled_dot_product_attention(Q[None], K[None], V[None])[0])
print("weights, one row per query:\n", weights.numpy().round(3))
print("outputs:\n", out.numpy().round(3))
print("each row of weights sums to", weights.sum(dim=1).tolist())

# %% [markdown]
# The animation below follows the third token through the three steps: one scaled dot
# product per key, the softmax of the three scores, and the weighted sum of the values. Its
# numbers come from the same trace, and its steps are listed under the video.
#
# {{ animation("AttentionStep") }}
#
# ## Why divide by √d
#
# Suppose the entries of a query and a key are independent, with mean 0 and variance 1, as
# they roughly are at initialisation. Their dot product is a sum of $d_k$ such products, so
# its variance is $d_k$: the wider the head, the larger the typical score. Large scores are
# a problem for the softmax. If one score exceeds the others by several units, its weight
# is close to 1 and the rest close to 0, and the softmax then barely responds when the
# scores change: its gradient, $\partial \alpha_i / \partial s_j = \alpha_i(\delta_{ij} - \alpha_j)$,
# vanishes as the weights approach 0 and 1. Learning stalls before it starts. Dividing by
# $\sqrt{d_k}$ brings the variance back to 1 whatever the width. Measured on random vectors,
# for rows of 16 keys:

# %% alt="Two panels against the head width d_k on a log axis. Left: the average largest weight of a softmax over 16 keys; without scaling it climbs towards 1 as d_k grows, with scaling it stays low and flat. Right: the size of the softmax's Jacobian; without scaling it collapses towards 0, with scaling it stays level."
g = torch.Generator().manual_seed(0)
widths = [4, 16, 64, 256, 1024]
rows = {"unscaled": [], "scaled": []}  # per width: (variance of q·k, mean largest weight, Jacobian norm)
for d_k in widths:
    q = torch.randn(2000, 1, d_k, generator=g)  # 2000 queries
    k = torch.randn(2000, 16, d_k, generator=g)  # 16 keys each
    dots = (q @ k.transpose(1, 2)).squeeze(1)  # (2000, 16): q·k_j
    for name, s in (("unscaled", dots), ("scaled", dots / math.sqrt(d_k))):
        a = torch.softmax(s, dim=-1)  # (2000, 16)
        jacobian = torch.diag_embed(a) - a[:, :, None] * a[:, None, :]  # ∂α_i/∂s_j = α_i(δ_ij − α_j)
        rows[name].append((s.var().item(), a.max(dim=-1).values.mean().item(),
                           jacobian.norm(dim=(1, 2)).mean().item()))
print(f"{'d_k':>5} | {'var(q·k)':>9} {'max weight':>10} {'|Jacobian|':>10} | "
      f"{'var(q·k/√d)':>11} {'max weight':>10} {'|Jacobian|':>10}")
for d_k, raw, scaled in zip(widths, rows["unscaled"], rows["scaled"], strict=True):
    print(f"{d_k:>5} | {raw[0]:>9.1f} {raw[1]:>10.3f} {raw[2]:>10.3f} | "
          f"{scaled[0]:>11.2f} {scaled[1]:>10.3f} {scaled[2]:>10.3f}")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
for name, style in (("unscaled", "o-"), ("scaled", "s--")):
    axes[0].semilogx(widths, [r[1] for r in rows[name]], style, label=f"{name} scores")
    axes[1].semilogx(widths, [r[2] for r in rows[name]], style, label=f"{name} scores")
axes[0].set(xlabel="$d_k$", ylabel="mean largest weight (of 16)", ylim=(0, 1.05))
axes[1].set(xlabel="$d_k$", ylabel="mean size of the softmax Jacobian", ylim=(0, None))
for ax in axes:
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# Without the division the variance of the scores grows in step with $d_k$, the softmax puts
# almost all its weight on one key for wide heads, and its Jacobian, the factor every
# gradient passes through, shrinks towards zero. With it, all three columns stay put. (A
# uniform softmax over 16 keys would give each key $1/16$; with scaling the largest weight is
# a few times that, far from 1, which leaves the model room to sharpen or flatten its
# pattern as it learns.)
#
# ## Masks
#
# Sometimes a query must not see some keys. Two cases come up constantly, and both are
# handled the same way: set the forbidden scores to $-\infty$ before the softmax, so their
# weights become exactly 0 and the rest still sum to 1.
#
# A **causal mask** lets position $i$ attend only to positions $j \le i$. A language model
# predicts each next token from the ones before it; with a causal mask one pass over a text
# makes all those predictions at once, and none of them can peek at the answer.

# %%
print(causal_mask(5).int())
q, k, v = torch.randn(3, 1, 5, 4, generator=torch.Generator().manual_seed(1))  # (B, T, d) each
out, weights = scaled_dot_product_attention(q, k, v, causal=True)
print("causal weights:\n", weights[0].numpy().round(2))
v_changed = v.clone()
v_changed[0, 4] += 10.0  # change the last token's value
out_changed, _ = scaled_dot_product_attention(q, k, v_changed, causal=True)
print("outputs 1-4 unchanged when the last token changes:", torch.equal(out[0, :4], out_changed[0, :4]))

# %% [markdown]
# A **padding mask** handles batches of sequences of different lengths. To stack them into
# one tensor the short ones are filled up with padding, and no real token should attend to
# the filler. Here the second sequence of a batch has three real tokens and two of padding:

# %%
q, k, v = torch.randn(3, 2, 5, 4, generator=torch.Generator().manual_seed(2))  # (B, T, d) each
padding = torch.tensor([[False] * 5, [False] * 3 + [True] * 2])  # (B, T): True = padding, ignore
_, weights = scaled_dot_product_attention(q, k, v, key_padding_mask=padding)
print("weights of the second sequence:\n", weights[1].numpy().round(2))

# %% [markdown]
# The last two columns are zero: every query, the padded positions' own included, ignores
# the padding. (Outputs at padded positions are computed anyway and simply never used.)
#
# ## Several heads
#
# One softmax produces one blend per query, so one head can follow one kind of
# relationship at a time: the previous word, say, or the subject of the sentence. A
# transformer runs several heads side by side. With $H$ heads and width $d_{\text{model}}$,
# each head gets its own projections to $d_k = d_{\text{model}}/H$ features, attends on its
# own, and the $H$ outputs are concatenated and mixed by one more matrix:
#
# $$
# \operatorname{MultiHead}(X) = \operatorname{Concat}(\text{head}_1, \dots, \text{head}_H)\, W_O,
# \qquad \text{head}_h = \operatorname{Attention}(X W_Q^{h}, X W_K^{h}, X W_V^{h}).
# $$
#
# Because each head is narrower, $H$ heads cost about as much as one head of full width.
# In code the heads are a reshape: the $d_{\text{model}}$ features of every query, key and
# value are split into $H$ groups, and the head index becomes a batch dimension.
# `MultiHeadAttention` loads the weights of PyTorch's `nn.MultiheadAttention` and gives the
# same outputs and the same head-averaged weights:

# %%
E, H = 8, 2
theirs = torch.nn.MultiheadAttention(E, H, batch_first=True).double()
ours = MultiHeadAttention(E, H).double().copy_from_torch(theirs)
x = torch.randn(3, 5, E, dtype=torch.float64)  # (B, T, E)
out_ours, w_ours = ours(x, x, x)
out_theirs, w_theirs = theirs(x, x, x)
torch.testing.assert_close(out_ours, out_theirs)
torch.testing.assert_close(w_ours, w_theirs)
_, per_head = ours(x, x, x, average_weights=False)
print(f"output {tuple(out_ours.shape)}, weights per head {tuple(per_head.shape)} (B, H, T, T); "
      f"equal to torch.nn.MultiheadAttention")
print(f"parameters: {sum(p.numel() for p in ours.parameters())} = 4·E² + 4·E = {4 * E * E + 4 * E}")

# %% [markdown]
# ## Where is each token? Positions
#
# Look again at the attention formula: nothing in it knows where a token sits. Each output
# is a weighted mean over a *set* of keys and values, and a set has no order. Shuffle the
# input tokens and every output is shuffled the same way, with the same values; attention is
# **permutation equivariant**. A whole transformer block inherits that, since its other
# parts act on each position alone:

# %%
block = TransformerBlock(16, 2, generator=torch.Generator().manual_seed(0)).eval()
x = torch.randn(1, 6, 16, generator=torch.Generator().manual_seed(3))  # (B, T, d)
perm = torch.tensor([3, 0, 5, 1, 4, 2])
with torch.no_grad():
    out, _ = block(x)
    out_shuffled, _ = block(x[:, perm])
torch.testing.assert_close(out_shuffled, out[:, perm])
print("block(shuffled tokens) equals block(tokens) shuffled the same way")

vocab = Vocabulary.from_text("abcdefghijklmnopqrstuvwxyz ")
embed = torch.nn.Embedding(len(vocab), 16)
with torch.no_grad():
    summaries = [block(embed(vocab.encode(s))[None])[0].mean(dim=1) for s in ("dog bites man", "man bites dog")]
print("same summary for 'dog bites man' and 'man bites dog'?", torch.allclose(*summaries, atol=1e-6))

# %% [markdown]
# The recurrent chapter opened with these two sentences to show that counting characters
# loses their order. Attention alone loses it just the same. The cure is to add to each
# token's vector a vector that depends on its **position**. The original transformer used
# fixed sines and cosines of geometrically spaced wavelengths,
#
# $$
# \mathrm{PE}_{t,\,2i} = \sin\!\big(t / 10000^{2i/d}\big), \qquad
# \mathrm{PE}_{t,\,2i+1} = \cos\!\big(t / 10000^{2i/d}\big),
# $$
#
# so the first columns change quickly from one position to the next and the last ones
# slowly, like the hands of a clock. GPT-2 instead learns one vector per position, which is
# simpler but only covers the lengths seen in training. Either way, the two sentences now
# differ:

# %% alt="Heat map of the sinusoidal position encodings of 64 positions (across) and 32 features (down): the first features oscillate quickly from one position to the next, later ones ever more slowly, and the last ones barely change."
positions = SinusoidalPositions(16, max_len=64)
with torch.no_grad():
    summaries = [block(positions(embed(vocab.encode(s))[None]))[0].mean(dim=1)
                 for s in ("dog bites man", "man bites dog")]
print("with positions added, same summary?", torch.allclose(*summaries, atol=1e-6))

fig, ax = plt.subplots(figsize=(6.5, 3), layout="constrained")
image = ax.imshow(sinusoidal_encoding(64, 32).T.numpy(), aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1)
ax.set(xlabel="position t", ylabel="feature (2i or 2i + 1)")
fig.colorbar(image, ax=ax)
plt.show()

# %% [markdown]
# ## The transformer block
#
# A transformer is a stack of identical blocks. Each block has two parts, each wrapped in a
# residual connection with a layer norm in front of it (the **pre-norm** arrangement of
# GPT-2 and most models since):
#
# $$
# \mathbf{x} \leftarrow \mathbf{x} + \operatorname{MultiHead}\big(\operatorname{LN}_1(\mathbf{x})\big),
# \qquad
# \mathbf{x} \leftarrow \mathbf{x} + \operatorname{FFN}\big(\operatorname{LN}_2(\mathbf{x})\big).
# $$
#
# Attention is where positions exchange information; the feed-forward network
# $\operatorname{FFN}(\mathbf{x}) = W_2\,\operatorname{GELU}(W_1 \mathbf{x} + \mathbf{b}_1) + \mathbf{b}_2$,
# four times wider inside, then transforms each position on its own. The residual
# connections make the block a small correction to a running **residual stream** rather
# than a replacement of it, which keeps gradients flowing through deep stacks, as in the
# residual networks of vision. The layer norms keep the scale of what enters each part
# under control. Our block, and the check against PyTorch's `nn.TransformerEncoderLayer`
# in its pre-norm form:

# %%
print(inspect.getsource(TransformerBlock.forward))
theirs = torch.nn.TransformerEncoderLayer(16, 2, dim_feedforward=64, dropout=0.0, activation="gelu",
                                          batch_first=True, norm_first=True).double().eval()
ours = TransformerBlock(16, 2).double().copy_from_torch(theirs).eval()
x = torch.randn(3, 7, 16, dtype=torch.float64)
torch.testing.assert_close(ours(x)[0], theirs(x))
d = 16
print(f"block output equals torch.nn.TransformerEncoderLayer; {sum(p.numel() for p in ours.parameters())} "
      f"parameters = 12·d² + 13·d = {12 * d * d + 13 * d} for d = {d}")

# %% [markdown]
# Two thirds of a block's parameters sit in the feed-forward network ($8d^2$ of the
# $12d^2$); attention's four projections hold the rest.
#
# ## Self-attention learns to reverse a sequence
#
# Time to train one. The task is the reversal of the recurrent chapter: read a sequence of
# $T$ symbols and write it backwards, so output position $i$ must copy input position
# $T + 1 - i$. The model is one transformer block with one head, between an embedding and a
# linear read-out, and it is trained twice on the same batches: once with learned positions
# added to the embeddings, once without any. The explorer shows both models' attention maps,
# averaged over a fixed set of sequences, at steps along the training; move the slider to
# watch them form. (Without scripts, the picture shows four of those steps and the accuracy
# of both models.)

# %%
explore("attention-reversal")

# %%
rev, rev_data = load_manifest("attention-reversal"), load_data("attention-reversal")
print(f"T = {rev_data['length']} symbols from {rev_data['num_symbols']} kinds; chance is "
      f"1/{rev_data['num_symbols']}; {rev['config']['steps']} training steps")
for name in ("learned positions", "no positions"):
    print(f"{name:>17}: accuracy {rev['metrics'][f'accuracy, {name}']:.1%}, mean weight on the "
          f"mirror position {rev['metrics'][f'anti-diagonal weight, {name}']:.2f}")
every = range(0, len(rev_data["frames"]), 5)  # every fifth recorded step
print("accuracy with positions at steps", [rev_data["frames"][i] for i in every], ":",
      [f"{rev_data['accuracy']['learned positions'][i]:.0%}" for i in every])

# %% [markdown]
# With positions, the attention map becomes an **anti-diagonal**: output position 1 looks
# at input position $T$, position 2 at position $T - 1$, and so on, with almost all of the
# weight on the one right key. That is a reversal written as a look-up: the query of
# position $i$ has learned to match the key of position $T + 1 - i$, and the value carries
# the symbol across. Without positions the model has nothing to tell the mirror position
# from any other; its weights stay spread out, and it cannot do better than guess the symbol
# that occurs most often in the sequence, which beats chance only a little.
#
# Along the slider, the first steps show a shapeless haze. Then the anti-diagonal appears,
# faintly, and sharpens until it holds nearly all of every row's weight, with the accuracy
# rising alongside. The rows do not all lock in together, as the step at which each output
# position first gives its mirror position half its weight shows:

# %%
frames, learned = rev_data["frames"], [torch.tensor(f[0]) for f in rev_data["values"]]  # (T, T) each
mirror = torch.stack([m.flip(-1).diagonal() for m in learned])  # (frames, T): weight on position T + 1 − i
first_half = [frames[int((mirror[:, i] > 0.5).nonzero()[0])] for i in range(mirror.shape[1])]
print("output position i:          ", list(range(1, mirror.shape[1] + 1)))
print("step where its weight > 0.5:", first_half)

# %% [markdown]
# ## A character-level GPT
#
# A **decoder-only transformer**, the design of the GPT models, is a language model built
# from these blocks. Each character id is looked up in an embedding table, a learned
# position vector is added, the sequence passes through a stack of blocks whose attention is
# causal, a final layer norm follows, and a linear head scores every character of the
# vocabulary as the next one. The head reuses the embedding table as its weight matrix
# (**weight tying**): a character is read and written with the same vector. Because of the
# causal mask, one pass over a window of $T$ characters makes $T$ predictions, each from the
# characters before it, so a training step learns from every position of every window.
#
# Our `GPT` has the same calling convention as the recurrent chapter's character model,
# `model(ids, state) -> (logits, state)`, so the same sampling and scoring code serves both.
# Its state is the key-value cache, which we come back to at the end of the chapter.
#
# The figure pipeline trained one on the recurrent chapter's corpus, Python's own help
# texts, with the same split into training and validation text. Its weights are frozen with
# the figure:

# %%
lm = load_data("char-gpt")
config = GPTConfig(**lm["config"])
gpt = GPT(config)
gpt.load_state_dict(load_checkpoint("char-gpt"))
gpt.eval()
chars = Vocabulary(lm["vocab"])
print(config)
print(f"{gpt.num_parameters():,} parameters, and from the formula {parameter_count(config):,}")

# %% [markdown]
# ### Against the GRU, at equal training time
#
# Is the transformer better than the recurrent network? On what budget, on which machine?
# A fair comparison gives both the same resources. The figure run trained the GPT and the
# recurrent chapter's GRU model (same architecture, same training recipe) one after the
# other on the same machine, each for the same **training time**, and scored both on the
# same held-out text at regular points along the way. On a CPU the clock counts the
# processor time the training itself used, so other programs running on the machine do not
# tilt the result, and it stops while a model is being scored. Both read the same number of
# characters per step.

# %% alt="Line plot of validation loss in nats per character against training time for the GPT and the GRU, with the same time budget for both, and a dashed line at the uniform guess."
curves, budget = lm["curves"], lm["training"]["seconds"]
print(f"budget: {budget:g} {lm['clock']} of training each, on {load_manifest('char-gpt')['device']}; "
      f"characters per step: GPT {lm['chars_per_step']['GPT']:,}, GRU {lm['chars_per_step']['GRU']:,}")
for name in ("GPT", "GRU"):
    c = curves[name]
    print(f"{name}: {lm['parameters'][name]:,} parameters, {c['step'][-1]:,} steps, "
          f"{c['step'][-1] * lm['chars_per_step'][name]:,} characters read; "
          f"validation loss {c['val'][-1]:.3f} nats per character")
ahead, behind = sorted(curves, key=lambda name: curves[name]["val"][-1])
print(f"at equal training time the {ahead} is ahead by "
      f"{curves[behind]['val'][-1] - curves[ahead]['val'][-1]:.3f} nats per character")

fig, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
for name, marker in (("GPT", "o-"), ("GRU", "s-")):
    ax.plot(curves[name]["seconds"], curves[name]["val"], marker, label=name)
ax.axhline(math.log(len(chars)), color="0.5", linestyle="--", linewidth=1, label=r"uniform guess, $\ln V$")
ax.set(xlabel=f"training time ({lm['clock']})", ylabel="validation nats per character")
ax.legend(frameon=False)
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# On the CPU that made this figure the GRU wins, and by a wide margin. Two things
# add up, and the printout below separates them. First, a GPT step costs more: four blocks
# of attention and feed-forward layers per character, with every attention matrix written
# out in full, against one recurrent layer of three matrix products, so in the same time the
# GRU takes more steps. Second, even step for step the GRU learns faster early on. A
# recurrent network is built to treat the last few characters as the most important ones,
# which for spelling is nearly the whole story; a transformer has to discover from data
# which positions matter, and in a few hundred steps it has not finished discovering.

# %%
steps_gpt = curves["GPT"]["step"][-1]
gru_at = [v for s, v in zip(curves["GRU"]["step"], curves["GRU"]["val"], strict=True) if s <= steps_gpt][-1]
gru_step = max(s for s in curves["GRU"]["step"] if s <= steps_gpt)
print(f"steps in the same time: GRU {curves['GRU']['step'][-1]:,}, GPT {steps_gpt:,} "
      f"({curves['GRU']['step'][-1] / steps_gpt:.1f}x as many for the GRU)")
print(f"step for step: GPT after {steps_gpt} steps {curves['GPT']['val'][-1]:.3f}, "
      f"GRU after {gru_step} steps {gru_at:.3f} nats per character")

def second_half_gain(c: dict) -> float:
    """How much the validation loss fell from the evaluation nearest half the budget to the end."""
    middle = min(range(len(c["seconds"])), key=lambda i: abs(c["seconds"][i] - budget / 2))
    return c["val"][middle] - c["val"][-1]


print(f"gained over the second half of the budget: GPT {second_half_gain(curves['GPT']):.3f}, "
      f"GRU {second_half_gain(curves['GRU']):.3f} nats per character")

# %% [markdown]
# The GPT's curve is still falling steeply when its time runs out, while the GRU's is
# levelling off. That is the usual picture: the transformer's advantages need more than a small
# processor and a budget this short. It computes all positions of a window at once, so a GPU, which
# does thousands of multiplications in parallel, speeds it up far more than it speeds up a
# recurrent network, which must take its steps one after the other. Its cost grows with the
# model in ways that keep paying off when data and compute grow, and it reaches any earlier
# character in one step instead of through a chain of state updates. None of that shows in a
# short run on a small CPU, and the honest result here is that the GRU is the better
# choice for it.
#
# The GPT has learned a good deal all the same: it writes words, spaces, quotes and
# indentation. Generation works as for the GRU, one character at a time, fed back in.
# The GPT knows only `block_size` positions (its configuration is printed above), so to
# write longer texts it is wrapped in `Recompute`, which re-reads at most the last
# `block_size` characters at every step (a sliding window). Here it writes from one prompt at a low and a normal temperature, and with top-$k$:

# %%
window = Recompute(gpt, max_len=config.block_size)  # reads at most block_size characters back
prompt = "The return value is"
for temperature, top_k in ((0.5, None), (1.0, None), (1.0, 5)):
    sample = generate(window, chars, prompt, 160, temperature=temperature, top_k=top_k,
                      generator=torch.Generator().manual_seed(1))
    print(f"--- temperature {temperature}, top-k {top_k or 'all'} ---\n{prompt}{sample}\n")
print("--- from the figure run, both models after the same training time, temperature "
      f"{lm['samples']['temperature']} ---")
for name in ("GPT", "GRU"):
    print(f"{name}: {lm['samples']['prompt']}{lm['samples'][name][:160]}\n")

# %% [markdown]
# ### Decoding: temperature and top-k
#
# Each sample above came from the same scores, reshaped before the draw. The temperature
# $T$ divides the scores, $p_i \propto e^{z_i/T}$, so $T < 1$ sharpens the distribution and
# $T > 1$ flattens it; **top-$k$** keeps only the $k$ likeliest characters and renormalises,
# which cuts off the long tail of unlikely ones that a temperature alone never removes.
# With $k = 1$ sampling becomes greedy decoding. The explorer applies both to the GPT's
# stored scores after a few prompts, in your browser, exactly as `next_char_probs` does:

# %%
explore("char-gpt")

# %% [markdown]
# The same computation in Python, for one of the explorer's prompts; the stored scores are
# the model's own, rounded to three decimals, and the probabilities below are what the
# explorer draws at these settings:

# %%
stored = next(p for p in lm["prompts"] if p["text"] == "for i in ")
z = torch.tensor(stored["logits"])  # (V,) the scores the explorer holds
with torch.no_grad():
    live = gpt(chars.encode(stored["text"])[None])[0][0, -1]  # the model's scores now
print(f"largest difference between stored and live scores: {(z - live).abs().max().item():.4f}")
for temperature, top_k in ((0.5, None), (1.0, None), (1.5, None), (1.0, 5), (1.0, 1)):
    p = next_char_probs(z, temperature, top_k=top_k)
    best = p.argsort(descending=True)[:5].tolist()
    shown = ", ".join(f"{chars.chars[i]!r} {p[i]:.1%}" for i in best)
    print(f"T = {temperature}, top-k {top_k or 'all':>3}: {shown}")

# %% [markdown]
# ### What the model attends to
#
# The trained GPT returns its attention weights on request: one matrix per layer and head.
# The explorer below holds them for three short prompts, stored as whole percentages. Pick a
# layer and a head, then point at (or tab to) a character: the characters it may look at
# are tinted, and get a bar, in proportion to the share of its attention they receive.
# Without scripts, the picture shows every map for the first prompt, each row a position and
# each column a position it may look at (the upper triangle is empty: the mask).

# %%
explore("char-gpt-attention")

# %% [markdown]
# Two patterns are easy to measure. Some heads give much of their weight to the character
# just before, and some fix on one earlier character for many positions in a row. For the
# first prompt, from the model itself:

# %%
line = load_data("char-gpt-attention")["prompts"][0]["text"]
with torch.no_grad():
    _, _, attention = gpt(chars.encode(line)[None], return_attention=True)  # (L, B, H, T, T)
attention = attention[:, 0]  # (L, H, T, T)
L, H, T = attention.shape[0], attention.shape[1], attention.shape[2]
previous = attention.diagonal(offset=-1, dim1=-2, dim2=-1).mean(-1)  # (L, H): weight on the character before
layer, head = divmod(int(previous.argmax()), H)
print(f"mean weight on the previous character, by layer (rows) and head (columns):\n{previous.numpy().round(2)}")
print(f"the most 'previous-character' head: layer {layer + 1}, head {head + 1} "
      f"({previous[layer, head]:.0%} of its weight); for comparison, a uniform causal head gives "
      f"{torch.tensor([1 / (i + 1) for i in range(1, T)]).mean():.0%}")
seen_by = torch.arange(T, 0, -1)  # key j is visible to the T − j queries from j on
received = (attention.sum(dim=-2) / seen_by)[..., : T - 8]  # (L, H, keys seen by at least 8 queries)
l_, rest = divmod(int(received.argmax()), H * received.shape[-1])
h_, j = divmod(rest, received.shape[-1])
print(f"the strongest stripe: layer {l_ + 1}, head {h_ + 1} gives the {line[j]!r} at position {j + 1} "
      f"{received[l_, h_, j]:.0%} of the weight of every later query, on average")

# %% [markdown]
# The first pattern, the simplest useful one for spelling, shows in a map as a bright line
# just below the diagonal; the second as a vertical stripe, a character that stays useful
# for a while, such as the end of the first line. Reading a head's map is a start, not an
# explanation: what a head *does* depends on the values it reads and on the layers around
# it. Still, the maps show something the GRU cannot offer, a direct view of which earlier
# positions fed each prediction.
#
# ## What attention costs, and the key-value cache
#
# Every query meets every key, so for $T$ positions a head computes a $T \times T$ matrix
# of scores: time and memory grow with $T^2$, while the feed-forward layers grow only with
# $T$. Doubling the length of the text quadruples the work of attention. Measured on one
# head-sized problem, timing the processor's work:

# %%
def cpu_seconds(fn, repeats: int = 3) -> float:
    """The median processor time of ``fn()`` over ``repeats`` runs (run it once before, to warm up)."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return sorted(times)[len(times) // 2]


g = torch.Generator().manual_seed(0)
lengths, times, previous_time = (256, 512, 1024, 2048), [], None
for T in lengths:
    q, k, v = torch.randn(3, 1, 4, T, 16, generator=g)  # (B, H, T, d_k) each
    scaled_dot_product_attention(q, k, v, causal=True)  # warm-up
    seconds = cpu_seconds(lambda: scaled_dot_product_attention(q, k, v, causal=True))
    growth = f", {seconds / previous_time:.1f}x the time of half the length" if previous_time else ""
    print(f"T = {T:>4}: {seconds * 1e3:7.1f} ms for 4 heads; the weights alone take "
          f"{4 * T * T * 4 / 2**20:6.1f} MiB{growth}")
    previous_time = seconds
    times.append(seconds)
print(f"{lengths[-1] // lengths[0]}x the length took {times[-1] / times[0]:.0f}x the time; "
      f"T² alone predicts {(lengths[-1] // lengths[0]) ** 2}x")

# %% [markdown]
# Each doubling of $T$ costs roughly four times as much, and more once the weights no
# longer fit in the processor's fast caches and have to travel to and from main memory.
# This is why a transformer has a fixed context length, and
# why much research has gone into cheaper forms of attention.
#
# Generation has a second, avoidable cost. To write one more token, a model without memory
# runs over the whole text so far again. But with a causal mask the keys and values of the
# old positions never change: position $j$ attends only to positions up to $j$, so adding a
# token later cannot alter anything computed for it. A **key-value cache** keeps each
# layer's keys and values and, at each step, computes them only for the new token, whose
# query then attends to the whole cache. Each step then costs one token's work instead of a
# pass over the prefix. `GPT` returns its cache as its state; `Recompute` is the baseline
# that re-reads everything. Both must write the same tokens; on an untrained model with a
# long context:

# %%
big = GPT(GPTConfig(vocab_size=len(chars), block_size=512, n_layer=2, n_head=4, n_embd=64),
          generator=torch.Generator().manual_seed(0)).eval()
start_ids = chars.encode("The ")[None]  # (1, 4)
for n in (64, 128, 256):
    with_cache = lambda: generate_ids(big, start_ids, n, top_k=1)  # noqa: E731 - greedy: no random draws
    without = lambda: generate_ids(Recompute(big), start_ids, n, top_k=1)  # noqa: E731
    assert torch.equal(with_cache()[0], without()[0]), "the cache changed the tokens"  # also the warm-up
    cached, recomputed = cpu_seconds(with_cache), cpu_seconds(without)
    print(f"{n:>3} new tokens: with the cache {n / cached:6.0f} tokens/s, re-reading the prefix "
          f"{n / recomputed:5.0f} tokens/s: {recomputed / cached:.1f}x faster with the cache")

# %% [markdown]
# The same tokens come out either way, and the cache's advantage grows with the length of
# the text, since re-reading costs more the longer the prefix is. The price is memory: two
# tensors per layer of (batch, heads, length, $d_k$), which for large models and long texts
# is what limits how many requests a server can handle at once.

# %% [markdown]
# ## Summary
#
# - Attention is a soft look-up: a query is compared with every key, the scores become
#   weights by a softmax, and the output is the weighted mean of the values. Kernel
#   regression is the case with a fixed, distance-based score.
# - In self-attention every token supplies a query, a key and a value through learned
#   projections, and $\operatorname{softmax}(QK^{\top}/\sqrt{d_k})\,V$ computes all outputs
#   at once. Dividing by $\sqrt{d_k}$ keeps the scores' variance at 1, which keeps the
#   softmax from saturating and its gradient from vanishing in wide heads.
# - Masks set forbidden scores to $-\infty$: the causal mask lets a language model make a
#   prediction at every position in one pass without seeing the future, the padding mask
#   lets sequences of different lengths share a batch.
# - Several narrow heads attend in several ways at about the cost of one wide head.
# - Attention treats its input as a set; position encodings, fixed sinusoids or learned
#   vectors, put the order back. Without them a transformer cannot even reverse a sequence.
# - A transformer block is attention and a per-position feed-forward network, each in a
#   pre-norm residual branch; a GPT stacks causal blocks between an embedding and a tied
#   read-out.
# - On a small CPU and a short budget, the recurrent chapter's GRU beat our GPT on the same
#   text; the transformer's strengths need parallel hardware and more compute.
# - Attention costs $O(T^2)$ in the length; generating with a key-value cache avoids
#   recomputing the keys and values of the prefix at every step.
#
# ## Exercises
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 1 · Without the square root</p>
#
# In the tiny example, compute the third token's weights from the unscaled scores
# $\mathbf{q}_3 \cdot \mathbf{k}_j$ and compare them with the scaled ones of the trace.
# Which distribution is sharper, and why?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# The unscaled scores are $1, 2, 3$; divided by $\sqrt{2}$ they shrink, and so do their
# differences, which is what the softmax responds to:
#
# ```python
# t = trace_attention()
# q3, K = torch.tensor(t.Q[2]), torch.tensor(t.K)
# unscaled = torch.softmax(K @ q3, dim=0)
# scaled = torch.softmax(K @ q3 / math.sqrt(2), dim=0)
# torch.testing.assert_close(scaled, torch.tensor(t.weights[2], dtype=torch.float32))
# print([round(a, 3) for a in unscaled.tolist()], [round(a, 3) for a in scaled.tolist()])
# ```
#
# Without the square root the weights are 0.09, 0.245 and 0.665; with it 0.14, 0.284 and
# 0.576. The unscaled distribution is sharper: larger gaps between scores push the softmax
# towards its largest entry. In two dimensions the difference is mild; in a head of 64 or
# more it is the saturation measured above.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 2 · Where the parameters are</p>
#
# Count the parameters of `GPTConfig(vocab_size=103, block_size=64, n_layer=4, n_head=4,
# n_embd=96)` by hand: the token embeddings (shared with the read-out), the learned
# positions, the blocks and the final layer norm. What share sits in the blocks? Check with
# `parameter_count` and with the model itself.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# A block has $4d^2 + 4d$ in attention, $8d^2 + 5d$ in the feed-forward network
# ($d \to 4d \to d$ with biases) and $4d$ in its two layer norms: $12d^2 + 13d$.
#
# ```python
# V, T, L, d = 103, 64, 4, 96
# block = 12 * d * d + 13 * d
# total = V * d + T * d + L * block + 2 * d  # embeddings, positions, blocks, final layer norm
# config = GPTConfig(vocab_size=V, block_size=T, n_layer=L, n_head=4, n_embd=d)
# assert total == parameter_count(config) == GPT(config).num_parameters()
# print(f"{total:,} parameters, {L * block / total:.1%} of them in the blocks")
# ```
#
# This prints 463,584 parameters, 96.5% of them in the blocks. With a small vocabulary the
# embeddings are a small part; in models with tens of thousands of tokens they are not.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 3 · The mask in a GPT</p>
#
# Take a small untrained `GPT`, run it on a sequence of ids, change the id at one position
# and run it again. Which logits change? What would a language model learn if it were
# trained without the causal mask?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# model = GPT(GPTConfig(vocab_size=10, block_size=16, n_layer=2, n_head=2, n_embd=8),
#             generator=torch.Generator().manual_seed(0))
# ids = torch.randint(0, 10, (1, 12), generator=torch.Generator().manual_seed(1))
# changed = ids.clone()
# changed[0, 7] = (changed[0, 7] + 1) % 10
# with torch.no_grad():
#     before, _ = model(ids)
#     after, _ = model(changed)
# print("positions 1-7 unchanged:", torch.equal(before[:, :7], after[:, :7]),
#       "| positions 8-12 unchanged:", torch.equal(before[:, 7:], after[:, 7:]))
# ```
#
# Only the logits from the changed position on differ. Without the mask, the prediction at
# position $t$ could read position $t + 1$, which is the very character it is asked for:
# training would find that shortcut, the loss would drop to almost nothing, and the model
# would be useless for generation, where the next character is not there to be read.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 4 · When attention dominates</p>
#
# In one layer of width $d$ over $T$ positions, count the multiply-adds of the attention
# scores $QK^{\top}$ and of the weighted sum $AV$, and of the feed-forward network. At which
# length does attention's $T^2$ part cost as much as the feed-forward network? Evaluate for
# the chapter's $d = 96$.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# $QK^{\top}$ and $AV$ take $T^2 d$ multiply-adds each, $2T^2 d$ together, whatever the
# number of heads. The feed-forward network takes $T \cdot d \cdot 4d$ twice, $8Td^2$. They
# are equal when $2T^2 d = 8Td^2$, at $T = 4d$:
#
# ```python
# d = 96
# for T in (64, 4 * d, 1024):
#     print(T, f"attention / feed-forward = {2 * T * T * d / (8 * T * d * d):.2f}")
# ```
#
# At $T = 384$ they are equal; at the chapter's $T = 64$ attention's share is a sixth of the
# feed-forward network's, and at $T = 1024$ it is well over twice as large.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 5 · Greedy decoding as a limit</p>
#
# Show with `next_char_probs` that a very low temperature and top-$k = 1$ give the same
# distribution (all the probability on the largest score), and say why a temperature of
# exactly 0 is refused.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# z = torch.tensor([2.0, 1.0, 0.5, -1.0])
# cold, greedy = next_char_probs(z, 0.02), next_char_probs(z, 1.0, top_k=1)
# torch.testing.assert_close(cold, greedy)
# print(cold.tolist(), greedy.tolist())
# ```
#
# At $T = 0.02$ every gap between scores is multiplied by 50, so the second character
# gets $e^{-50}$ times the first one's probability, which rounds to 0. At $T = 0$ the
# formula divides by zero, so `dlbook` refuses it and points to `top_k=1` for greedy
# decoding.
#
# </details>
#
# ## References
#
# - E. A. Nadaraya, "On estimating regression", *Theory of Probability and Its
#   Applications* 9 (1964): kernel regression, found at the same time by G. S. Watson,
#   "Smooth regression analysis", *Sankhyā A* 26 (1964).
#   [doi:10.1137/1109020](https://doi.org/10.1137/1109020)
# - D. Bahdanau, K. Cho and Y. Bengio, ICLR 2015: a translation network that learns where
#   in the source sentence to look while it writes each word, the first attention of this
#   kind. [arXiv:1409.0473](https://arxiv.org/abs/1409.0473)
# - A. Vaswani et al., "Attention is all you need", NeurIPS 2017: scaled dot-product and
#   multi-head attention, sinusoidal positions, the transformer.
#   [arXiv:1706.03762](https://arxiv.org/abs/1706.03762)
# - J. L. Ba, J. R. Kiros and G. E. Hinton, "Layer normalization" (2016).
#   [arXiv:1607.06450](https://arxiv.org/abs/1607.06450)
# - K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image recognition",
#   CVPR 2016 (arXiv 2015): residual connections.
#   [arXiv:1512.03385](https://arxiv.org/abs/1512.03385)
# - D. Hendrycks and K. Gimpel, "Gaussian error linear units (GELUs)" (2016).
#   [arXiv:1606.08415](https://arxiv.org/abs/1606.08415)
# - A. Radford et al., "Language models are unsupervised multitask learners", OpenAI
#   report (2019): GPT-2, a decoder-only language model with learned positions.
# - R. Xiong et al., "On layer normalization in the transformer architecture", ICML 2020:
#   the pre-norm block. [arXiv:2002.04745](https://arxiv.org/abs/2002.04745)
# - A. Fan, M. Lewis and Y. Dauphin, "Hierarchical neural story generation", ACL 2018:
#   top-k sampling. [arXiv:1805.04833](https://arxiv.org/abs/1805.04833)
# - R. Pope et al., "Efficiently scaling transformer inference", MLSys 2023 (arXiv 2022):
#   the key-value cache and its memory. [arXiv:2211.05102](https://arxiv.org/abs/2211.05102)
# - A. Karpathy, "nanoGPT" (2022): a compact GPT whose structure ours follows.
#   [github.com/karpathy/nanoGPT](https://github.com/karpathy/nanoGPT)
