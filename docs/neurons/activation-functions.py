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
# # Activation functions
#
# A neuron computes a weighted sum $z = b + \mathbf{w}^\top\mathbf{x}$ and then applies
# a fixed function $g$ to it. [The perceptron](perceptron.py) used a hard step for $g$
# and could only draw straight lines. This chapter is about the choice of $g$, the
# **activation function**. The choice looks like a detail, but it decides whether
# stacking layers gains anything at all, how fast a network trains, and whether parts
# of it quietly stop learning.
#
# By the end of the chapter you should be able to:
#
# - write down the common activations (step, linear, sigmoid, tanh, ReLU, leaky ReLU,
#   softmax) and their derivatives, and check the derivatives against autograd;
# - prove, in code, that layers without a non-linearity collapse into a single layer;
# - explain saturation and vanishing gradients, and measure them;
# - recognise dead ReLU units and count them;
# - use softmax to turn a vector of scores into class probabilities;
# - pick sensible activations for the hidden and output layers of a network.

# %%
import matplotlib.pyplot as plt
import torch

from dlbook import seed_everything
from dlbook.activations import (
    ACTIVATIONS,
    leaky_relu,
    leaky_relu_grad,
    relu,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_jacobian,
    step,
    tanh_grad,
)
from dlbook.datasets import spirals
from dlbook.figures import show
from dlbook.figures import load_manifest
from dlbook.losses import binary_cross_entropy_with_logits
from dlbook.mlp import MLP, Dense, dead_fraction

seed_everything(0)

# %% [markdown]
# ## The usual suspects
#
# An activation is applied **elementwise**: a layer with 64 units computes 64 scores
# $z_1, \dots, z_{64}$ and passes each through the same $g$ on its own. (Softmax, at the
# end of the list, is the exception.) Here are the functions this chapter covers, with
# their derivatives, which training needs.
#
# | name | $g(z)$ | $g'(z)$ | range |
# | --- | --- | --- | --- |
# | step | $1$ if $z \ge 0$, else $0$ | $0$ (undefined at $0$) | $\{0, 1\}$ |
# | linear (identity) | $z$ | $1$ | $\mathbb{R}$ |
# | sigmoid | $\sigma(z) = \dfrac{1}{1 + e^{-z}}$ | $\sigma(z)\big(1 - \sigma(z)\big)$ | $(0, 1)$ |
# | tanh | $\tanh z = \dfrac{e^{z} - e^{-z}}{e^{z} + e^{-z}}$ | $1 - \tanh^2 z$ | $(-1, 1)$ |
# | softplus | $\log(1 + e^{z})$ | $\sigma(z)$ | $(0, \infty)$ |
# | ReLU | $\max(0, z)$ | $1$ if $z > 0$, else $0$ | $[0, \infty)$ |
# | leaky ReLU | $z$ if $z > 0$, else $\alpha z$ | $1$ if $z > 0$, else $\alpha$ | $\mathbb{R}$ |
#
# A few remarks before the pictures:
#
# - The **sigmoid** squashes any score into $(0, 1)$, which makes it the natural output
#   for a probability. Its derivative is largest at $z = 0$, where it equals $1/4$.
# - **tanh** is a rescaled sigmoid, $\tanh z = 2\sigma(2z) - 1$: the same S shape, but
#   stretched to the range $(-1, 1)$ and centred on zero, with slope $1$ at the origin,
#   four times the sigmoid's.
# - The **ReLU** (rectified linear unit) lets positive scores through unchanged and zeroes
#   the rest. It is trivial to compute and its slope is $1$ wherever the unit is active.
#   Nair and Hinton (2010) and Glorot, Bordes and Bengio (2011) showed that it trains
#   deep networks better than the sigmoid and tanh, and it has been the default since.
#   At the kink $z = 0$ the derivative is undefined; libraries use $0$ there, and so does
#   `dlbook`.
# - The **leaky ReLU** (Maas, Hannun and Ng, 2013) gives negative scores a small slope
#   $\alpha$ (PyTorch's default is $0.01$) instead of a flat zero. We plot it with
#   $\alpha = 0.1$ so the slope is visible.
# - **softplus** is a smooth cousin of the ReLU; its derivative is exactly the sigmoid.
#
# Every function below comes from `dlbook.activations`, where each one is written out
# from its formula. The dictionary `ACTIVATIONS` maps each name to the pair
# (function, derivative), so one loop draws them all. The last panel previews softmax,
# which the chapter returns to at the end.

# %% alt="Grid of eight line plots over z from -5 to 5: step, linear, sigmoid, tanh, softplus, ReLU and leaky ReLU (alpha 0.1), each with its derivative dashed, plus softmax of (z, 0). The step's derivative is flat zero, the sigmoid's and tanh's are bumps centred on 0, ReLU's jumps from 0 to 1, and the two softmax outputs cross at 0.5 at z = 0."
z = torch.linspace(-5, 5, 1001)
panels = {name: pair for name, pair in ACTIVATIONS.items() if name != "leaky_relu"}
panels["leaky_relu (α = 0.1)"] = (
    lambda t: leaky_relu(t, negative_slope=0.1),
    lambda t: leaky_relu_grad(t, negative_slope=0.1),
)

fig, axes = plt.subplots(2, 4, figsize=(11, 5.2), layout="constrained", sharex=True)
for ax, (name, (f, f_grad)) in zip(axes.flat, panels.items()):
    ax.plot(z, f(z), lw=2, label="$g(z)$")
    ax.plot(z, f_grad(z), lw=1.6, ls="--", label="$g'(z)$")
    ax.set_title(name)
    ax.axhline(0, color="0.7", lw=0.8)
    ax.axvline(0, color="0.7", lw=0.8)
    ax.set_ylim(-1.6, 2.6)
    ax.grid(alpha=0.3)
two_scores = softmax(torch.stack([z, torch.zeros_like(z)], dim=1), dim=1)  # (1001, 2)
axes.flat[-1].plot(z, two_scores[:, 0], lw=2, label="$s_1$")
axes.flat[-1].plot(z, two_scores[:, 1], lw=2, label="$s_2$")
axes.flat[-1].set_title("softmax of $(z, 0)$")
axes.flat[-1].set_ylim(-0.1, 1.1)
axes.flat[-1].grid(alpha=0.3)
axes.flat[-1].legend(fontsize=8)
axes.flat[0].legend(fontsize=8, loc="upper left")
for ax in axes[1]:
    ax.set_xlabel("$z$")
plt.show()

# %% [markdown]
# The dashed curves tell the training story. The step function's derivative is zero
# everywhere it exists, so gradients carry no information through it: a gradient method
# cannot train a network of step units, and Rosenblatt's rule, which needs a target for
# each unit, has none for a hidden one (the credit-assignment problem that the chain
# rule of backpropagation answers). The sigmoid's and tanh's
# derivatives are bumps that fade to nothing on both sides. The ReLU's derivative is a
# step: a full $1$ for active units, nothing for inactive ones.
#
# ## Derivatives, checked against autograd
#
# Each `*_grad` function in `dlbook.activations` implements the formula from the table.
# PyTorch's autograd can differentiate the functions themselves, so we can check every
# formula at a thousand points in one cell. Because each output depends only on its own
# input, the gradient of the *sum* of the outputs is exactly the vector of elementwise
# derivatives.

# %%
z64 = torch.linspace(-6, 6, 1201, dtype=torch.float64, requires_grad=True)
for name, (f, f_grad) in ACTIVATIONS.items():
    out = f(z64)
    if not out.requires_grad:  # the step function: a comparison, with no slope to follow
        print(f"{name:<11} nothing for autograd to differentiate (requires_grad={out.requires_grad})")
        continue
    (auto,) = torch.autograd.grad(out.sum(), z64)
    torch.testing.assert_close(f_grad(z64.detach()), auto)
    gap = (f_grad(z64.detach()) - auto).abs().max().item()
    print(f"{name:<11} max |formula - autograd| = {gap:.1e}")

# %% [markdown]
# Every derivative formula agrees with autograd to rounding error, as the output shows,
# and `assert_close` would have stopped the chapter otherwise. The step function is the
# odd one out: its output is built from a comparison, so autograd records no operation
# to differentiate at all.
#
# ## Why non-linearity matters
#
# Suppose we leave the activation out, that is, use the linear one. A layer then computes
# $\mathbf{h} = W_1\mathbf{x} + \mathbf{b}_1$, and a second layer on top computes
#
# $$W_2\mathbf{h} + \mathbf{b}_2 = W_2(W_1\mathbf{x} + \mathbf{b}_1) + \mathbf{b}_2
#   = \underbrace{W_2 W_1}_{W}\,\mathbf{x} + \underbrace{W_2\mathbf{b}_1 + \mathbf{b}_2}_{\mathbf{b}} ,$$
#
# which is again a single linear layer. By induction, any stack of linear layers, however
# deep and wide, computes the same kind of function as one layer. Let us verify this with
# two `Dense` layers from `dlbook.mlp` (each stores its weight as a matrix of shape
# (out, in) and computes $XW^\top + \mathbf{b}$ for a batch $X$).

# %%
layer1 = Dense(3, 5, activation="linear")
layer2 = Dense(5, 2, activation="linear")

single = Dense(3, 2, activation="linear")
with torch.no_grad():
    single.weight.copy_(layer2.weight @ layer1.weight)  # W = W2 W1: (2, 5) @ (5, 3) -> (2, 3)
    single.bias.copy_(layer2.weight @ layer1.bias + layer2.bias)  # b = W2 b1 + b2: (2,)

X = torch.randn(8, 3)
torch.testing.assert_close(layer2(layer1(X)), single(X))
print("two linear layers == one linear layer: outputs agree for all", X.shape[0], "inputs")
print("W:", tuple(single.weight.shape), " b:", tuple(single.bias.shape))

# %% [markdown]
# Put a ReLU between the two layers and no such $W$ and $\mathbf{b}$ exist. A linear
# function must satisfy $f(\mathbf{u} + \mathbf{v}) - f(\mathbf{0}) = \big(f(\mathbf{u}) -
# f(\mathbf{0})\big) + \big(f(\mathbf{v}) - f(\mathbf{0})\big)$ for all inputs; the next
# cell tests that identity on random inputs for both versions of the network.

# %%
def additivity_gap(f, U: torch.Tensor, V: torch.Tensor) -> float:
    """Largest violation of f(u + v) − f(0) = (f(u) − f(0)) + (f(v) − f(0)) over the rows."""
    zero = torch.zeros(1, U.shape[1])
    lhs = f(U + V) - f(zero)
    rhs = (f(U) - f(zero)) + (f(V) - f(zero))
    return (lhs - rhs).abs().max().item()


U, V = torch.randn(100, 3), torch.randn(100, 3)
with torch.no_grad():
    gap_linear = additivity_gap(lambda t: layer2(layer1(t)), U, V)
    gap_relu = additivity_gap(lambda t: layer2(relu(layer1(t))), U, V)
print(f"linear in between: gap = {gap_linear:.1e}")
print(f"ReLU in between:   gap = {gap_relu:.3f}")

# %% [markdown]
# The linear stack passes the test up to rounding; the ReLU network fails it clearly.
# Linearity has a geometric consequence for classification: a linear network's decision
# boundary is a straight line (a hyperplane), exactly like a single perceptron's. The
# non-linearity is what lets a network bend its boundary.
#
# ## The same network, five activations
#
# How much does the choice matter in practice? The trained figure below takes one small
# network, with two inputs, two hidden layers of 32 units and one output, and trains it
# on the two-spirals data set from `dlbook.datasets` five times. The five runs start from
# identical initial weights and use the same optimizer and number of steps (gradient
# descent with momentum on the full data set at every step, PyTorch's `torch.optim.SGD`);
# only the hidden activation changes.

# %%
show("activations-spirals")

# %% [markdown]
# The final training losses and accuracies, read from the figure's manifest:

# %%
manifest = load_manifest("activations-spirals")
assert manifest is not None
for act in manifest["config"]["activations"]:
    print(f"{act:<11} final loss {manifest['metrics'][f'loss_{act}']:.3f}   "
          f"accuracy {manifest['metrics'][f'accuracy_{act}']:.1%}")

# %% [markdown]
# Three lessons stand out.
#
# - **Linear fails, as predicted.** Two hidden layers of 32 units without a non-linearity
#   are one linear layer in disguise, and its boundary is a straight line through the
#   spirals, close to a coin flip on this data.
# - **Sigmoid is slow.** The sigmoid network sits on a plateau for a long time before it
#   finds its way, and ends behind the others. Two properties of the sigmoid combine
#   here. Its derivative is at most $1/4$: each layer multiplies the error signal by
#   $W^\top \operatorname{diag}(\sigma'(\mathbf{z}))$, so unless the weights make up for it
#   the signal shrinks layer by layer (the backpropagation chapter shows that weights
#   can also amplify it). And its outputs are all positive, never
#   centred on zero. A unit in the next layer whose inputs are all positive gets
#   gradients of the same sign for all of its incoming weights on any one example, so
#   those weights can only all grow or all shrink together, and reaching a mix of signs
#   takes a slow zig-zag (an argument from LeCun, Bottou, Orr and Müller, 1998).
# - **tanh and the ReLUs are fast.** tanh has slope $1$ at the origin and zero-centred
#   outputs; the ReLUs pass gradients through active units undiminished. The leaky ReLU
#   behaves almost exactly like the ReLU here: with a slope of only $0.01$ on the
#   negative side it is nearly the same function.
#
# ## Saturation and vanishing gradients
#
# A sigmoid or tanh unit whose score $|z|$ is large sits on a flat part of its curve:
# it is **saturated**. Its output barely changes when its weights change, so the
# gradient that reaches those weights is tiny. The derivative falls off exponentially
# fast:

# %%
for z_val in [0.0, 2.0, 5.0, 10.0, 20.0]:
    t = torch.tensor(z_val, dtype=torch.float64)
    print(f"z = {z_val:4.0f}:  sigmoid'(z) = {sigmoid_grad(t).item():.2e}"
          f"   tanh'(z) = {tanh_grad(t).item():.2e}")
t20 = torch.tensor(20.0, dtype=torch.float64)
print(f"tanh(20) == 1 in float64: {torch.tanh(t20).item() == 1.0};  "
      f"tanh'(20) as 1 / cosh(20)^2 = {(1 / torch.cosh(t20) ** 2).item():.2e}")

# %% [markdown]
# The zero printed for $\tanh'(20)$ is rounding, not the true value: $\tanh 20$ is so
# close to 1 that it rounds to exactly 1 in float64, and $1 - \tanh^2 z$ cancels to zero.
# The equivalent form $1/\cosh^2 z$ avoids the cancellation and gives the tiny but
# positive value in the last line.
#
# Saturation hurts most when the unit is confidently *wrong*. Take one sigmoid neuron
# $\hat{y} = \sigma(wx)$ with input $x = 1$ and target $y = 1$, and measure its error
# with the squared difference $(\hat{y} - y)^2$. As $w$ becomes more negative the neuron
# becomes more certain of the wrong answer, and its gradient, the signal that should
# correct it, gets *smaller*:

# %%
for w_val in [0.0, -2.0, -5.0, -10.0]:
    w = torch.tensor(w_val, dtype=torch.float64, requires_grad=True)
    y_hat = sigmoid(w * 1.0)
    loss = (y_hat - 1.0) ** 2
    (dw,) = torch.autograd.grad(loss, w)
    print(f"w = {w_val:5.1f}:  y_hat = {y_hat.item():.5f}  loss = {loss.item():.4f}"
          f"  dloss/dw = {dw.item():.2e}")

# %% [markdown]
# The worse the prediction, the weaker the push to fix it. (For an output neuron, the
# [loss functions](loss-functions.py) chapter shows how the cross-entropy loss cancels
# this effect. Hidden units have no such remedy.)
#
# In a deep network the problem compounds. By the chain rule the gradient at an early
# layer is a product of one factor per later layer, the layer's weight matrix times its
# activation's slopes, and each sigmoid's slope is at most $1/4$. The next cell builds a
# network of eight hidden layers of 32 units with each activation, computes the loss on
# the spirals data, runs one backward pass and prints the size of the gradient of every
# layer's weights, from the first layer (next to the input) to the last.

# %%
X_sp, y_sp = spirals(400, noise=0.05, seed=0)
for act in ["sigmoid", "tanh", "relu"]:
    g = torch.Generator().manual_seed(0)
    deep = MLP([2] + [32] * 8 + [1], activation=act, generator=g)
    binary_cross_entropy_with_logits(deep(X_sp).squeeze(1), y_sp.float()).backward()
    norms = [layer.weight.grad.norm().item() for layer in deep.layers]
    print(f"{act:<8}", " ".join(f"{n:.0e}" for n in norms),
          f"  first/last = {norms[0] / norms[-1]:.0e}")

# %% [markdown]
# With sigmoids the gradient shrinks layer after layer on its way back, and the first
# layer receives a signal many orders of magnitude weaker than the last, as the ratio in
# the output shows: the early layers barely learn. This is the **vanishing gradient
# problem** (analysed by Hochreiter in 1991 and by Bengio, Simard and Frasconi in 1994,
# and measured layer by layer in sigmoid and tanh networks by Glorot and Bengio in 2010),
# and it is a main reason deep networks were so hard to train before ReLUs became the
# default. tanh fares much better near the origin, where its slope is 1. The
# ReLU network also loses some signal here; that comes from the scale of the default
# initialisation rather than from the activation, a topic for the chapters on training
# deep networks.
#
# ## Dead ReLUs
#
# The ReLU solves saturation on the positive side but has its own failure. A ReLU unit
# whose score is negative for *every* training input outputs zero on all of them. Its
# derivative is then zero everywhere it is used, so its incoming weights and bias receive
# no gradient and never change: the unit is **dead**. In the first hidden layer, whose
# inputs are fixed data, a dead unit stays dead for good. (A unit in a later layer can
# in principle come back if the layers below it change what it sees.)
#
# `dead_fraction` from `dlbook.mlp` computes, for each hidden layer, the share of
# units whose pre-activation never rises above zero on a data set. Let us count them in a
# freshly initialised network and again after a bad initialisation that shifts every
# hidden bias down by one.

# %%
g = torch.Generator().manual_seed(0)
net = MLP([2, 64, 64, 1], activation="relu", generator=g)
print("fresh network, dead share per layer:", [f"{d:.0%}" for d in dead_fraction(net, X_sp)])

with torch.no_grad():
    for layer in net.layers[:-1]:
        layer.bias -= 1.0  # a bad initialisation: every hidden unit starts biased towards "off"
print("biases shifted by -1:               ", [f"{d:.0%}" for d in dead_fraction(net, X_sp)])

binary_cross_entropy_with_logits(net(X_sp).squeeze(1), y_sp.float()).backward()
for i, layer in enumerate(net.layers, start=1):
    print(f"layer {i}: gradient norm of the weights = {layer.weight.grad.norm().item():.3g}, "
          f"of the bias = {layer.bias.grad.norm().item():.3g}")

# %% [markdown]
# Even the fresh network has some dead units, as the first line shows: with this data
# confined to a small square, some of the randomly placed ReLU boundaries miss it
# entirely. After the bad shift, most of the first layer is dead and the whole second
# layer is. The second layer then outputs zeros for every input, so the network's output
# no longer depends on its input at all. Every weight matrix receives exactly zero
# gradient; the only parameter left with something to learn is the output bias, which
# can at best learn the share of each class.
#
# The other classic way to kill ReLUs is a learning rate that is too large. One big
# update can push a unit's bias or weights so far that its score becomes negative on all
# inputs, and then it never recovers. The trained figure below runs plain gradient
# descent on the same network at three learning rates and tracks the dead units in each
# hidden layer.

# %%
show("dead-relus")

# %% [markdown]
# At the moderate learning rate the dead share barely moves and the loss falls, apart
# from a few spikes. At the larger rates, dead units pile up. In the second layer most
# units die within the first handful of steps; they come and go as the first layer
# changes what they see, but at the largest rate every one of them ends up dead, the
# output becomes a constant and the loss freezes at the value of a coin flip. In the
# first layer the curves only ever climb, since a unit that dies there can never come
# back, and at the middle rate most of the layer is lost over the course of training.
#
# The usual defences are a smaller learning rate (or an optimizer that adapts it), an
# initialisation scaled for ReLUs (He, Zhang, Ren and Sun, 2015), and activations that
# never go completely flat: the leaky ReLU and smooth relatives such as ELU (Clevert,
# Unterthiner and Hochreiter, 2016), GELU (Hendrycks and Gimpel, 2016) and SiLU (Elfwing,
# Uchibe and Doya, 2018) keep a non-zero gradient for negative scores, so a unit that
# lands there can still be pulled back.
#
# ## Softmax: scores to probabilities
#
# For a classifier with $C$ classes, the last layer produces a vector of $C$ unbounded
# scores $\mathbf{z}$, often called **logits**. Softmax turns them into a probability
# distribution over the classes:
#
# $$\operatorname{softmax}(\mathbf{z})_i = \frac{e^{z_i}}{\sum_{j=1}^{C} e^{z_j}} .$$
#
# Every output is positive, the outputs sum to one, and larger scores get larger
# probabilities. (The name and the reading of the outputs as class probabilities go back
# to Bridle, 1990.) Unlike the other activations, softmax is not elementwise: each output
# depends on all the scores, through the sum in the denominator.

# %%
logits = torch.tensor([2.0, 1.0, 0.1])
s = softmax(logits)
print("softmax:", s, " sum:", s.sum().item())
print("adding 100 to every score changes nothing:", torch.allclose(softmax(logits + 100), s))
big = torch.tensor([1000.0, 999.0, 0.0])
print("huge scores are fine:", softmax(big))
print("the naive formula on them:", torch.exp(big) / torch.exp(big).sum())

z2 = torch.tensor(1.3)
print("two classes: softmax((z, 0))[0] =", softmax(torch.stack([z2, torch.tensor(0.0)]))[0].item())
print("            sigmoid(z)         =", sigmoid(z2).item())

# %% [markdown]
# The output shows three useful properties. Adding the same constant to every score
# leaves softmax unchanged (the factor $e^{c}$ cancels), which `dlbook.activations.softmax`
# uses to subtract the largest score before exponentiating, so that huge scores cannot
# overflow the way the naive formula does. And with two classes, softmax is the sigmoid
# of the difference of the two scores, so the sigmoid output of a binary classifier is
# the two-class special case.
#
# Because softmax mixes its inputs, its derivative is a matrix, the **Jacobian**
# $J_{ij} = \partial s_i / \partial z_j$. Differentiating the quotient gives
#
# $$\frac{\partial s_i}{\partial z_j} = s_i\,(\delta_{ij} - s_j), \qquad
#   J = \operatorname{diag}(\mathbf{s}) - \mathbf{s}\mathbf{s}^\top ,$$
#
# where $\delta_{ij}$ is 1 when $i = j$ and 0 otherwise. `softmax_jacobian` builds this
# matrix from the output $\mathbf{s}$, and autograd can compute it directly:

# %%
J = softmax_jacobian(s)
J_auto = torch.autograd.functional.jacobian(lambda v: softmax(v), logits)
torch.testing.assert_close(J, J_auto)
print(J)
print("row sums:   ", J.sum(dim=1))  # row i: how s_i responds to raising every score
print("column sums:", J.sum(dim=0))  # column j: how the total Σ_i s_i responds to z_j

# %% [markdown]
# The two agree, and both the rows and the columns sum to zero, up to rounding, for two
# different reasons. Column $j$ adds up how every output responds to a change in $z_j$,
# that is, how the total $\sum_i s_i$ responds; the total is always 1, so raising one
# score can only move probability from one class to another, never create any. Row $i$
# adds up how $s_i$ responds to every score, which is how $s_i$ changes when all the
# scores are raised together; that leaves softmax unchanged, as the shift test above
# showed, so each row sums to zero too (exercise 5 writes this as $J\mathbf{1} = \mathbf{0}$).
# $J$ is symmetric, so here the two facts happen to coincide. In
# practice a network's softmax output is almost always fed straight into the
# cross-entropy loss, and the two are computed together in a simpler and more stable
# way, as the [loss functions](loss-functions.py) chapter shows.
#
# ## How to choose
#
# A short practical guide:
#
# | where | use | why |
# | --- | --- | --- |
# | hidden layers, by default | ReLU | cheap, no saturation for active units, trains fast |
# | hidden layers, if many units die | leaky ReLU (or ELU, GELU, SiLU) | a small slope for negative scores keeps gradients alive |
# | hidden layers of transformers | GELU or SiLU | smooth ReLU-like curves, the standard in modern language and vision models |
# | recurrent networks, gates | tanh for states, sigmoid for gates | bounded values keep repeated updates stable; a gate is a fraction in $(0, 1)$ |
# | output, regression | linear | the target can be any real number |
# | output, two classes or several yes/no labels | sigmoid (one per label) | a probability per label |
# | output, one of $C$ classes | softmax | a probability distribution over the classes |
# | anywhere you want to learn | not step | zero gradient everywhere |
#
# Avoid sigmoid and tanh in the hidden layers of deep feed-forward networks unless you
# have a reason, because of saturation; and never use a linear activation between
# hidden layers, because the layers collapse into one. When in doubt, start with ReLU
# and a moderate learning rate, watch for dead units, and switch to a leaky variant if
# they pile up. The next chapter, [neural networks and the forward pass](neural-networks.py),
# puts these pieces together into complete networks.
#
# ## Summary
#
# - An activation $g$ is applied to each unit's score $z$. The common choices are step,
#   linear, sigmoid, tanh, softplus, ReLU and leaky ReLU (elementwise) and softmax
#   (over a vector of scores).
# - Their derivatives have simple closed forms, $\sigma' = \sigma(1 - \sigma)$,
#   $\tanh' = 1 - \tanh^2$, ReLU$' = [z > 0]$, and `dlbook`'s implementations agree with
#   autograd. The step function has no useful gradient.
# - Without a non-linearity, stacked layers collapse into one linear layer,
#   $W = W_2W_1$ and $\mathbf{b} = W_2\mathbf{b}_1 + \mathbf{b}_2$, and can only draw
#   straight boundaries.
# - Sigmoid and tanh saturate: for large $|z|$ their derivatives vanish, and in deep
#   stacks of sigmoids the gradient shrinks layer after layer.
# - ReLU units die when their score is negative on all inputs, after a bad
#   initialisation or a too-large learning rate; they then receive no gradient.
# - Softmax turns scores into probabilities, is unchanged by adding a constant to all
#   scores, reduces to the sigmoid for two classes, and has the Jacobian
#   $\operatorname{diag}(\mathbf{s}) - \mathbf{s}\mathbf{s}^\top$.
# - Default choices: ReLU (or a leaky variant) in hidden layers; linear, sigmoid or
#   softmax at the output depending on the task.
#
# ## Exercises
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 1 · tanh from the sigmoid</p>
#
# Show that $\tanh z = 2\sigma(2z) - 1$, and use it with the chain rule to derive
# $\tanh' z = 1 - \tanh^2 z$ from $\sigma' = \sigma(1 - \sigma)$. Check both identities
# numerically on 1001 points between $-5$ and $5$ with `torch.testing.assert_close`.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Multiply the top and bottom of $\tanh z = (e^z - e^{-z})/(e^z + e^{-z})$ by $e^{-z}$:
# $\tanh z = (1 - e^{-2z})/(1 + e^{-2z}) = 2/(1 + e^{-2z}) - 1 = 2\sigma(2z) - 1$.
# Differentiating, $\tanh' z = 4\sigma'(2z) = 4\sigma(2z)(1 - \sigma(2z))$. With
# $\sigma(2z) = (1 + \tanh z)/2$ this is $(1 + \tanh z)(1 - \tanh z) = 1 - \tanh^2 z$.
#
# ```python
# z = torch.linspace(-5, 5, 1001, dtype=torch.float64)
# torch.testing.assert_close(torch.tanh(z), 2 * torch.sigmoid(2 * z) - 1)
# s2 = torch.sigmoid(2 * z)
# torch.testing.assert_close(4 * s2 * (1 - s2), 1 - torch.tanh(z) ** 2)
# ```
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 2 · Write your own activation: ELU</p>
#
# The exponential linear unit is $\operatorname{elu}(z) = z$ for $z > 0$ and
# $\alpha(e^{z} - 1)$ otherwise. Implement `elu(z, alpha=1.0)` and `elu_grad(z, alpha=1.0)`
# with `torch.where`, check the function against `torch.nn.functional.elu` and the
# derivative against autograd, and plot both next to the ReLU. What does ELU do
# differently for negative scores?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# import torch.nn.functional as F
#
# def elu(z, alpha=1.0):
#     return torch.where(z > 0, z, alpha * torch.expm1(z))  # expm1(z) = e^z − 1, accurate near 0
#
# def elu_grad(z, alpha=1.0):
#     return torch.where(z > 0, torch.ones_like(z), alpha * torch.exp(z))
#
# z = torch.linspace(-5, 5, 1001, dtype=torch.float64, requires_grad=True)
# torch.testing.assert_close(elu(z), F.elu(z))
# (auto,) = torch.autograd.grad(elu(z).sum(), z)
# torch.testing.assert_close(elu_grad(z.detach()), auto)
# ```
#
# For negative scores ELU curves smoothly down towards $-\alpha$ instead of staying at
# zero, so its gradient $\alpha e^{z}$ is small but never exactly zero: an ELU unit cannot
# die the way a ReLU can. Its outputs can also be negative, which keeps the average
# activation closer to zero, one of tanh's advantages.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 3 · Three linear layers</p>
#
# Extend the collapse experiment to three linear `Dense` layers of shapes $4 \to 6$,
# $6 \to 5$ and $5 \to 2$. Write the equivalent single $W$ and $\mathbf{b}$ as formulas,
# compute them, and check with `torch.testing.assert_close`. How many parameters do the
# three layers have, and how many does the equivalent single layer have?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Applying the two-layer result twice gives $W = W_3W_2W_1$ and
# $\mathbf{b} = W_3(W_2\mathbf{b}_1 + \mathbf{b}_2) + \mathbf{b}_3$.
#
# ```python
# l1, l2, l3 = Dense(4, 6), Dense(6, 5), Dense(5, 2)
# W = l3.weight @ l2.weight @ l1.weight  # (2, 4)
# b = l3.weight @ (l2.weight @ l1.bias + l2.bias) + l3.bias  # (2,)
# X = torch.randn(10, 4)
# torch.testing.assert_close(l3(l2(l1(X))), X @ W.T + b)
# print(sum(p.numel() for l in (l1, l2, l3) for p in l.parameters()), W.numel() + b.numel())
# ```
#
# The stack has $24 + 6 + 30 + 5 + 10 + 2 = 77$ parameters, the single layer
# $8 + 2 = 10$. The extra parameters buy nothing: the set of functions is the same.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 4 · A leaky ReLU cannot die</p>
#
# Repeat the bad-initialisation experiment of the dead-ReLU section (biases shifted down by
# one) with `activation="leaky_relu"`. Count the units whose score is never positive,
# then run one backward pass and print the gradient norm of each layer's weights.
# Compare with the ReLU network. Why does the count of "never positive" units no longer
# mean "dead"?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# g = torch.Generator().manual_seed(0)
# leaky = MLP([2, 64, 64, 1], activation="leaky_relu", generator=g)
# with torch.no_grad():
#     for layer in leaky.layers[:-1]:
#         layer.bias -= 1.0
# print(dead_fraction(leaky, X_sp))  # the same units are never positive
# binary_cross_entropy_with_logits(leaky(X_sp).squeeze(1), y_sp.float()).backward()
# for layer in leaky.layers:
#     print(layer.weight.grad.norm().item())  # small, but no longer zero
# ```
#
# With the same generator seed the initial weights match the ReLU run, so the same units
# have negative scores everywhere. But on the negative side the leaky ReLU still has
# slope $0.01$, so gradients flow through those units, weakened but not blocked, and
# every layer's weights get a non-zero gradient. Training can move these units back.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 5 · Inside the softmax Jacobian</p>
#
# For $\mathbf{s} = \operatorname{softmax}(\mathbf{z})$ show that (a) the Jacobian
# $J = \operatorname{diag}(\mathbf{s}) - \mathbf{s}\mathbf{s}^\top$ is symmetric,
# (b) $J\mathbf{1} = \mathbf{0}$, and (c) $J$ is therefore singular. Explain (b) in terms
# of what happens to $\mathbf{s}$ when the same constant is added to every score, and
# check all three in code for a random $\mathbf{z}$ of length 5.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# (a) A diagonal matrix and an outer product $\mathbf{s}\mathbf{s}^\top$ are both symmetric.
# (b) $J\mathbf{1} = \mathbf{s} - \mathbf{s}(\mathbf{s}^\top\mathbf{1}) = \mathbf{s} - \mathbf{s} = \mathbf{0}$
# because the entries of $\mathbf{s}$ sum to one. (c) A matrix that sends a non-zero
# vector to zero is singular. In words: $J\mathbf{1}$ is the change in $\mathbf{s}$ when
# every score is nudged up by the same amount, and we saw that such a shift leaves
# softmax unchanged.
#
# ```python
# z = torch.randn(5, dtype=torch.float64)
# J = softmax_jacobian(softmax(z))
# torch.testing.assert_close(J, J.T)
# torch.testing.assert_close(J @ torch.ones(5, dtype=torch.float64), torch.zeros(5, dtype=torch.float64))
# print(torch.linalg.matrix_rank(J))  # 4, one less than the size
# ```
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 6 · Pick the activations</p>
#
# Choose the hidden and output activations for: (a) predicting tomorrow's temperature
# from today's weather measurements; (b) tagging a photo with any of 20 labels ("beach",
# "dog", "sunset", ...) that apply; (c) recognising which of the 10 digits a handwritten
# image shows; (d) a 50-layer feed-forward network whose ReLU version loses many units
# during training.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# (a) ReLU hidden layers and a linear output, since a temperature is any real number.
# (b) ReLU hidden layers and 20 sigmoid outputs, one independent probability per label;
# softmax would wrongly force the labels to compete for a total of one. (c) ReLU hidden
# layers and a 10-way softmax output: exactly one digit is correct. (d) Try a lower
# learning rate first, then a leaky ReLU (or ELU/GELU) in the hidden layers; avoid
# sigmoid or tanh there, since fifty saturating layers would make the gradients vanish.
#
# </details>
#
# ## References
#
# - J. S. Bridle, "Probabilistic interpretation of feedforward classification network
#   outputs, with relationships to statistical pattern recognition", in *Neurocomputing*,
#   NATO ASI Series F 68 (1990): the softmax.
#   [doi:10.1007/978-3-642-76153-9_28](https://doi.org/10.1007/978-3-642-76153-9_28)
# - S. Hochreiter, "Untersuchungen zu dynamischen neuronalen Netzen", diploma thesis,
#   Technische Universität München (1991): the first analysis of vanishing gradients.
#   [pdf](https://people.idsia.ch/~juergen/SeppHochreiter1991ThesisAdvisorSchmidhuber.pdf)
# - Y. Bengio, P. Simard and P. Frasconi, "Learning long-term dependencies with gradient
#   descent is difficult", *IEEE Transactions on Neural Networks* 5 (1994): gradients that
#   vanish or explode through many steps.
#   [doi:10.1109/72.279181](https://doi.org/10.1109/72.279181)
# - Y. LeCun, L. Bottou, G. B. Orr and K.-R. Müller, "Efficient backprop", in *Neural
#   Networks: Tricks of the Trade*, Springer LNCS 1524 (1998): zero-centred activations and
#   the zig-zag of same-signed updates.
#   [doi:10.1007/3-540-49430-8_2](https://doi.org/10.1007/3-540-49430-8_2)
# - X. Glorot and Y. Bengio, "Understanding the difficulty of training deep feedforward
#   neural networks", AISTATS 2010: saturation and shrinking gradients in sigmoid and tanh
#   networks, and the initialisation named after Glorot.
#   [PMLR 9](https://proceedings.mlr.press/v9/glorot10a.html)
# - V. Nair and G. E. Hinton, "Rectified linear units improve restricted Boltzmann
#   machines", ICML 2010: the ReLU in a trained network.
#   [pdf](https://www.cs.toronto.edu/~fritz/absps/reluICML.pdf)
# - X. Glorot, A. Bordes and Y. Bengio, "Deep sparse rectifier neural networks", AISTATS
#   2011: ReLUs train deep networks better than sigmoid and tanh.
#   [PMLR 15](https://proceedings.mlr.press/v15/glorot11a.html)
# - A. L. Maas, A. Y. Hannun and A. Y. Ng, "Rectifier nonlinearities improve neural
#   network acoustic models", ICML 2013 workshop: the leaky ReLU.
#   [pdf](https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf)
# - K. He, X. Zhang, S. Ren and J. Sun, "Delving deep into rectifiers: surpassing
#   human-level performance on ImageNet classification", ICCV 2015: an initialisation
#   scaled for ReLUs. [arXiv:1502.01852](https://arxiv.org/abs/1502.01852)
# - D.-A. Clevert, T. Unterthiner and S. Hochreiter, "Fast and accurate deep network
#   learning by exponential linear units (ELUs)", ICLR 2016: the ELU.
#   [arXiv:1511.07289](https://arxiv.org/abs/1511.07289)
# - D. Hendrycks and K. Gimpel, "Gaussian error linear units (GELUs)" (2016): the GELU.
#   [arXiv:1606.08415](https://arxiv.org/abs/1606.08415)
# - S. Elfwing, E. Uchibe and K. Doya, "Sigmoid-weighted linear units for neural network
#   function approximation in reinforcement learning", *Neural Networks* 107 (2018): the
#   SiLU. [doi:10.1016/j.neunet.2017.12.012](https://doi.org/10.1016/j.neunet.2017.12.012)
