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
# # Neural networks and the forward pass
#
# A single artificial neuron computes a weighted sum of its inputs, adds a bias and
# passes the result through an activation function. In [the perceptron](perceptron.py)
# chapter that was enough to separate two clouds of points with a straight line, and not
# enough for XOR, where no straight line will do. [Activation functions](activation-functions.py)
# then supplied the non-linearities, with slopes that training can use, that networks are
# built from. This chapter puts
# the pieces together: many neurons side by side make a *layer*, layers stacked one after
# another make a *network*, and running an input through all of them is the *forward pass*.
#
# The whole forward pass turns out to be a short chain of matrix products, and the best way
# to understand it is to follow the shapes of the tensors from one step to the next. By the
# end of the chapter you should be able to:
#
# - write a dense layer as $Z = XW^\top + \mathbf{b}$ and say what every axis means;
# - explain why stacking layers needs a non-linearity in between;
# - predict the shape of every intermediate tensor in a multilayer perceptron;
# - count the parameters of a network by hand and check the count in code;
# - explain how a hidden layer lets a network solve XOR;
# - build any continuous function of one variable, to any accuracy, as one hidden layer of
#   ReLU units, and say what the universal approximation theorem does and does not promise.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from dlbook import seed_everything
from dlbook.approximation import hinge_network, hinge_weights, uniform_knots
from dlbook.datasets import xor
from dlbook.figures import show
from dlbook.figures import load_checkpoint, load_manifest
from dlbook.losses import mse
from dlbook.mlp import MLP, Dense

seed_everything(0)

# %% [markdown]
# ## From one neuron to a layer
#
# ### One neuron, once more
#
# A neuron with $d$ inputs owns a weight vector $\mathbf{w} \in \mathbb{R}^d$ and a bias
# $b$. Given an input $\mathbf{x}$ it computes a *pre-activation* and then an *activation*:
#
# $$z = \mathbf{w} \cdot \mathbf{x} + b = \sum_{i=1}^{d} w_i x_i + b, \qquad a = g(z).$$
#
# The pre-activation $z$ is a single number that says how strongly the input matches the
# pattern stored in $\mathbf{w}$; the activation function $g$ (a sigmoid, a tanh, a ReLU)
# bends that number into the neuron's output.
#
# ### Many neurons looking at the same input
#
# One neuron detects one pattern. To detect several, we place several neurons side by side
# and give each of them the *same* input vector. Neuron $j$ keeps its own weights
# $\mathbf{w}_j$ and its own bias $b_j$. Writing the weight vectors as the rows of a matrix
#
# $$W = \begin{bmatrix} \mathbf{w}_1^\top \\ \vdots \\ \mathbf{w}_m^\top \end{bmatrix}
# \in \mathbb{R}^{m \times d}, \qquad \mathbf{b} = (b_1, \dots, b_m),$$
#
# all $m$ pre-activations come out of one matrix-vector product, $\mathbf{z} = W\mathbf{x} + \mathbf{b}$.
# Such a group of neurons is a **dense** (or *fully connected*) layer: every input is
# connected to every neuron.
#
# Networks process a *batch* of $B$ examples at once. Put the examples in the rows of a
# matrix $X$ of shape $(B, d)$, and the layer becomes
#
# $$Z = X W^\top + \mathbf{b}, \qquad Z_{bj} = \mathbf{x}_b \cdot \mathbf{w}_j + b_j,
# \qquad A = g(Z).$$
#
# Row $b$ of $Z$ belongs to example $b$, column $j$ to neuron $j$, and the bias vector is
# added to every row by broadcasting. The shape rule of the matrix product reads
# $(B, d) \times (d, m) \to (B, m)$: the layer turns $d$ features per example into $m$.
#
# `dlbook.mlp.Dense` is exactly this layer. The next cell builds one with 3 inputs and 4
# sigmoid neurons, feeds it a batch of 5 examples, and recomputes the output one neuron
# at a time to show that the matrix formula is nothing more than the four neurons
# working in parallel.

# %%
layer = Dense(3, 4, activation="sigmoid")
X = torch.randn(5, 3)  # (B, d) = 5 examples with 3 features each
print("W:", tuple(layer.weight.shape), " b:", tuple(layer.bias.shape))

A = layer(X)  # (5, 4): one row per example, one column per neuron
print("X:", tuple(X.shape), "-> A:", tuple(A.shape))

# the same numbers, neuron by neuron: a_j = sigmoid(w_j . x + b_j) for each example
W, b = layer.weight, layer.bias
by_neuron = torch.stack(
    [torch.sigmoid(X @ W[j] + b[j]) for j in range(layer.out_features)], dim=1
)
torch.testing.assert_close(A, by_neuron)
print("matrix form equals neuron-by-neuron form")

# %% [markdown]
# PyTorch's own dense layer, `torch.nn.Linear`, stores its weights the same way, one row
# per output neuron, so copying our parameters into it gives the same pre-activations:

# %%
linear = nn.Linear(3, 4)
with torch.no_grad():
    linear.weight.copy_(layer.weight)
    linear.bias.copy_(layer.bias)
torch.testing.assert_close(linear(X), layer.affine(X))
print("nn.Linear weight:", tuple(linear.weight.shape), "- same outputs")

# %% [markdown]
# A note on conventions. In [mathematical foundations](../foundations/mathematical-foundations.py)
# we stored one neuron per *column* and wrote $Z = XW + \mathbf{b}$. Storing one neuron per
# *row*, as PyTorch does, simply means the matrix in the product is the transpose. The
# numbers and the result are identical; only the bookkeeping differs, and you will meet
# both in other texts.
#
# ### Layers with several outputs
#
# Nothing above required the layer to sit in the middle of a network. A dense layer can
# also be the *output* layer, and then its $m$ neurons are the network's $m$ outputs. This
# is how one network answers several questions at once: predicting the price *and* the
# floor area of a flat needs two linear outputs, and choosing among $K$ classes needs $K$
# scores, one per class. For classes, the scores are usually passed through a softmax so
# that each row becomes a probability distribution (the
# [loss functions](loss-functions.py) chapter explains why that pairing works so well).

# %%
scores = Dense(4, 3, activation="softmax")  # 4 features -> 3 class probabilities
with torch.no_grad():
    P = scores(A)  # (5, 3)
print(P)
print("each row sums to:", P.sum(dim=1))

# %% [markdown]
# Each of the three output neurons is a separate neuron with its own weights; they share
# only their inputs. The softmax is the one activation that couples them, because it
# normalises each row as a whole.
#
# ## Stacking layers: depth
#
# The outputs of one layer are just numbers, so they can be the inputs of the next. A
# **multilayer perceptron** (MLP) chains $L$ dense layers:
#
# $$\mathbf{h}^{(0)} = \mathbf{x}, \qquad
# \mathbf{h}^{(\ell)} = g_\ell\!\left(W^{(\ell)} \mathbf{h}^{(\ell-1)} + \mathbf{b}^{(\ell)}\right)
# \quad (\ell = 1, \dots, L), \qquad \hat{\mathbf{y}} = \mathbf{h}^{(L)}.$$
#
# The layers between input and output are called **hidden** layers, because their values
# never appear in the data: the network invents them. Each hidden layer re-describes the
# example in new features, computed from the features of the layer below. In code,
# `MLP(sizes)` takes the list $[d_{\text{in}}, h_1, \dots, h_k, d_{\text{out}}]$ and builds one
# `Dense` layer for each consecutive pair of sizes.

# %%
model = MLP([2, 4, 3, 1], activation="tanh", output_activation="sigmoid")
print(model)

# %% [markdown]
# ### Why there must be a non-linearity in between
#
# Suppose we left out the activation functions. Two linear layers in a row compute
#
# $$W^{(2)}\left(W^{(1)}\mathbf{x} + \mathbf{b}^{(1)}\right) + \mathbf{b}^{(2)}
# = \underbrace{W^{(2)}W^{(1)}}_{W}\,\mathbf{x} + \underbrace{W^{(2)}\mathbf{b}^{(1)} + \mathbf{b}^{(2)}}_{\mathbf{b}},$$
#
# which is again a single linear layer. However many linear layers you stack, the result
# can only ever draw the same straight boundaries as one layer. The check below builds a
# two-layer network without activations and one merged layer from the formula, and feeds
# both the same batch:

# %%
deep_linear = MLP([3, 5, 2], activation="linear")
first, second = deep_linear.layers
merged = Dense(3, 2)
with torch.no_grad():
    # W = W2 W1: (2, 5) @ (5, 3) -> (2, 3)
    merged.weight.copy_(second.weight @ first.weight)
    merged.bias.copy_(second.weight @ first.bias + second.bias)  # b = W2 b1 + b2
torch.testing.assert_close(deep_linear(X), merged(X))
print("two linear layers == one linear layer")

with_tanh = MLP([3, 5, 2], activation="tanh")
with_tanh.load_state_dict(deep_linear.state_dict())  # same weights, tanh in between
gap = (with_tanh(X) - merged(X)).abs().max().item()
print(f"with tanh: largest difference from the merged layer = {gap:.3f}")

# the best any single linear layer can do: fit W and b to the network by least squares
X_many = torch.randn(1000, 3, generator=torch.Generator().manual_seed(1))  # (1000, 3)
design = torch.cat([X_many, torch.ones(1000, 1)], dim=1)  # (1000, 4): a column of 1s for b
with torch.no_grad():
    for name, net in [("linear", deep_linear), ("tanh", with_tanh)]:
        target = net(X_many)  # (1000, 2)
        Wb = torch.linalg.lstsq(design, target).solution  # (4, 2): W^T stacked on b
        miss = (design @ Wb - target).abs().max().item()
        print(f"best single linear layer for the {name} network misses by up to {miss:.1e}")

# %% [markdown]
# The merged layer no longer matches once the tanh sits in between, and no other linear
# layer does either: the one fitted by least squares to the tanh network on a thousand
# inputs still misses by about as much, while for the linear network the fit is exact up
# to rounding. That is the whole reason activation functions exist: they keep the layers
# from collapsing into one, so depth adds expressive power.
#
# ### How deep is "deep"?
#
# There is no agreed threshold. Even counting layers is a matter of convention: some
# authors count the input as a layer and some do not, and some count an activation as a
# layer of its own. A rule of thumb you may come across calls a network deep once it has
# more than three layers including input and output, but that is a convenient habit of
# speech, not a definition. A more useful way to think about it is that a network is deep
# when it computes its answer through *several* stages of learned features, each built on
# the one below, as opposed to a single hidden layer. Modern image and language models
# have dozens or hundreds of layers; everything that follows applies to them unchanged.
#
# ## The forward pass, shape by shape
#
# Computing $\hat{\mathbf{y}}$ from $\mathbf{x}$ by running through the layers in order is the
# **forward pass**. For a batch it is a strict alternation of two kinds of steps: an affine
# map $Z = XW^\top + \mathbf{b}$, which changes the number of features, and an activation,
# which keeps the shape and acts entry by entry. The batch axis is carried along untouched.
# `MLP.forward_with_shapes` runs the forward pass and records the shape after every step:

# %%
X_small = torch.randn(5, 2)  # (B, d_in) = 5 points in the plane
y_hat, steps = model.forward_with_shapes(X_small)
for name, shape in steps:
    print(f"{name:<28} {shape}")
torch.testing.assert_close(y_hat, model(X_small))  # same as the plain forward pass

# %% [markdown]
# Read the list from top to bottom: the second number in each shape is the width of the
# current representation, $2 \to 4 \to 3 \to 1$, while the first stays at the batch size.
#
# Shapes hide the arithmetic. On a network small enough to draw, two inputs, two hidden
# units and one output, with no activations, the forward pass can be watched number by
# number: each hidden unit adds up the inputs weighted by its incoming edges, then the
# output does the same with the hidden values. The same network is trained by hand in
# [backpropagation](../training/backpropagation.py).
#
# {{ animation("ForwardPass") }}
#
# ### A batch of images
#
# A dense layer wants every example as one flat vector. A greyscale image of
# $20 \times 20$ pixels is a small matrix, so before it enters an MLP we unroll it row by
# row into a vector with one entry per pixel. A batch of 32 such images is a tensor of shape
# $(32, 20, 20)$, and flattening each image turns it into a matrix with one row per image:

# %%
images = torch.rand(32, 20, 20)  # (B, H, W): 32 greyscale images of 20 x 20 pixels
X_images = images.reshape(images.shape[0], -1)  # (B, H*W): one row per image
print("images:", tuple(images.shape), "-> X:", tuple(X_images.shape))

# %% [markdown]
# Now the batch flows through an MLP with two hidden layers and 10 outputs, for example
# one score per digit class:

# %%
image_model = MLP([X_images.shape[1], 128, 64, 10], activation="relu")
scores_out, steps = image_model.forward_with_shapes(X_images)
for name, shape in steps:
    print(f"{name:<28} {shape}")

# %% [markdown]
# Forgetting to flatten is one of the most common first bugs. `Dense` checks its input and
# names the shape it expected:

# %%
try:
    image_model(images)
except ValueError as err:
    print("ValueError:", err)

# %% [markdown]
# ## Counting parameters
#
# A dense layer from $d$ inputs to $m$ neurons has one weight per connection and one bias
# per neuron, so it owns
#
# $$\underbrace{m \cdot d}_{\text{weights}} + \underbrace{m}_{\text{biases}} = m(d + 1)$$
#
# parameters. Summing over layers gives the size of the network. The next cell computes the
# count layer by layer from the formula and checks the total against PyTorch's own count of
# the entries in `parameters()`.

# %%
print(f"{'layer':<8}{'shape of W':>14}{'weights':>10}{'biases':>8}{'total':>9}")
total = 0
for i, layer_i in enumerate(image_model.layers, start=1):
    d, m = layer_i.in_features, layer_i.out_features
    n_weights, n_biases = m * d, m
    total += n_weights + n_biases
    row = f"{i:<8}{str((m, d)):>14}{n_weights:>10}{n_biases:>8}"
    print(f"{row}{n_weights + n_biases:>9}")
print(f"{'all':<8}{'':>14}{'':>10}{'':>8}{total:>9}")
print("PyTorch counts:", sum(p.numel() for p in image_model.parameters()))

share = sum(p.numel() for p in image_model.layers[0].parameters()) / total
print(f"share of the first layer: {share:.1%}")

# %% [markdown]
# The first layer holds by far the most parameters, as the last line shows: it connects
# every pixel to every neuron of the first hidden layer. This is typical of MLPs on images
# and is one of the reasons convolutional networks exist; they reuse a small set of weights
# at every position of the image instead.
#
# ## Solving XOR with one hidden layer
#
# XOR is the problem that defeated the single neuron in [the perceptron](perceptron.py)
# chapter: the points $(0, 0)$ and $(1, 1)$ have label 0, the points $(0, 1)$ and $(1, 0)$
# have label 1, and the two classes sit on opposite diagonals of the square, so no single
# straight line has all of one class on one side. (Minsky and Papert's 1969 analysis of
# what single-layer perceptrons cannot compute made such limits famous.) A hidden layer
# fixes this by first drawing *two* lines and then combining their verdicts.
#
# ### A network by hand
#
# XOR means "at least one input is on, but not both", in logic: (A OR B) AND NOT (A AND B).
# Each part is something one step-function neuron can do, because each is linearly
# separable:
#
# - hidden unit 1 computes OR: $h_1 = \text{step}(x_1 + x_2 - 0.5)$;
# - hidden unit 2 computes AND: $h_2 = \text{step}(x_1 + x_2 - 1.5)$;
# - the output fires when OR is on and AND is off: $\hat{y} = \text{step}(h_1 - h_2 - 0.5)$.
#
# We write these weights into a 2-2-1 `MLP` and run the four corners of the square through
# it:

# %%
xor_by_hand = MLP([2, 2, 1], activation="step", output_activation="step")
hidden, output = xor_by_hand.layers
with torch.no_grad():
    # both units add x1 + x2 and compare the sum with 0.5 (OR) or 1.5 (AND)
    hidden.weight.copy_(torch.tensor([[1.0, 1.0], [1.0, 1.0]]))
    hidden.bias.copy_(torch.tensor([-0.5, -1.5]))
    output.weight.copy_(torch.tensor([[1.0, -1.0]]))  # OR and not AND
    output.bias.copy_(torch.tensor([-0.5]))

corners, labels = xor(4, noise=0.0)  # the truth table itself, in shuffled order
order = torch.argsort(corners[:, 0] * 2 + corners[:, 1])
corners, labels = corners[order], labels[order]
H = hidden(corners)
print(" x1  x2 | h1 (OR)  h2 (AND) | y_hat  XOR")
Y_hat = xor_by_hand(corners)
for (x1, x2), (h1, h2), y_i, label in zip(corners, H, Y_hat, labels, strict=True):
    print(f"{x1:3.0f} {x2:3.0f} | {h1:6.0f} {h2:8.0f}  | {y_i[0]:4.0f} {label:5d}")

# %% [markdown]
# Every row matches. Look at the hidden columns: the hidden layer has *moved* the data.
# The two corners with label 1, $(0, 1)$ and $(1, 0)$, land on the same hidden point
# $(1, 0)$, while $(0, 0)$ and $(1, 1)$ land on $(0, 0)$ and $(1, 1)$. In these new
# coordinates one straight line separates the classes, and the output neuron draws exactly
# that line. This is the general pattern: hidden layers transform the data until a simple
# rule at the end can finish the job.
#
# ### A network that learns it
#
# Step functions have zero slope almost everywhere, so gradient descent gets no signal from
# them. To *learn* XOR we swap them for tanh in the hidden layer and let the output be a
# raw score (a logit) whose sigmoid is the probability of label 1. Training hidden layers
# by gradient descent, with the gradients computed by backpropagation, became widely
# known through Rumelhart, Hinton and Williams in 1986. The figure pipeline
# trains `MLP([2, 2, 1], activation="tanh")` on 200 noisy points around the four corners,
# minimising binary cross-entropy (defined in the [loss functions](loss-functions.py)
# chapter) with the Adam optimiser. Two hidden units are the fewest that can work, and so
# few units make the optimisation fragile, so the pipeline trains from several random
# initialisations and keeps the one with the lowest final loss.

# %%
show("xor-mlp-regions")

# %% [markdown]
# On the left, each curve is one initialisation. How many of them found a solution (at
# least 95% training accuracy) is recorded in the figure's manifest:

# %%
metrics = load_manifest("xor-mlp-regions")["metrics"]
solved, tried = metrics["restarts_solved"], metrics["restarts"]
print(f"initialisations that solved XOR: {solved:.0f} of {tried:.0f}")
print(f"training accuracy of the kept network: {metrics['accuracy']:.1%}")

# %% [markdown]
# The runs that flatten out high up are stuck: one hidden unit has settled on a line that
# serves one of the clusters, and the small gradients from the rest of the data are not
# enough to pull the network out. Wider networks, with more hidden units than strictly
# needed, get stuck far less often, which is one reason practitioners rarely use the
# smallest network that could in principle solve a task. On the right, the kept network
# has learned a band along the main diagonal for label 0 and the two outer corners for
# label 1, which is exactly the shape no single line can produce.
#
# What did the two hidden units learn? The next figure looks inside the same network.

# %%
show("xor-mlp-hidden")

# %% [markdown]
# Each hidden unit is an ordinary tanh neuron: its activation is a soft step across one
# straight line (dashed), close to $+1$ on one side and $-1$ on the other. Each unit has
# taken charge of one of the two label-1 corners and switches on only near it. The right
# panel plots every training point at its hidden coordinates $(h_1, h_2)$: both label-0
# clusters are squeezed into the corner where both units are off, the label-1 points sit
# on two arms where one unit is on, and the output unit's straight line separates them.
# The learned solution is not the OR/AND pair we wrote by hand, but it follows the same
# recipe: two lines in the input plane, then one line in hidden space.
#
# ### Loading the trained network
#
# The pipeline saved the kept network's weights as a checkpoint next to the figure.
# `load_checkpoint` verifies the file against the checksum in its manifest and returns a
# state dict, which loads into a fresh `MLP` of the same architecture. Here it is on the
# four noise-free corners:

# %%
trained = MLP([2, 2, 1], activation="tanh")
trained.load_state_dict(load_checkpoint("xor-mlp-regions"))
with torch.no_grad():
    p = torch.sigmoid(trained(corners)).squeeze(1)  # (4,) P(label 1)
print(" x1  x2 | P(label 1)  predicted  XOR")
for (x1, x2), p_i, label in zip(corners, p, labels, strict=True):
    print(f"{x1:3.0f} {x2:3.0f} | {p_i:10.3f} {int(p_i > 0.5):10d} {label:4d}")
print("hidden weights:\n", trained.layers[0].weight.data)
print("hidden biases:", trained.layers[0].bias.data)

# %% [markdown]
# The checkpoint reproduces the figure's network exactly, so the probabilities above come
# from the very weights drawn in the two figures. The printed hidden weights show each
# unit's line: the two rows point in roughly opposite directions, one unit for each of the
# label-1 corners.
#
# To see the full decision surface of the loaded network at a glance, here it is over the
# input plane, with each of the four corners marked by its XOR label (no training
# involved, only a forward pass over a grid of points):

# %% alt="Heat map of the loaded network's probability of label 1 over the input plane from -0.5 to 1.5, with the four XOR corners marked by their labels. A blue diagonal band through (0, 0) and (1, 1) predicts label 0, and the red regions on either side hold the label-1 corners (0, 1) and (1, 0)."
ticks = torch.linspace(-0.5, 1.5, 201)
xx, yy = torch.meshgrid(ticks, ticks, indexing="xy")  # (201, 201) each
grid = torch.stack([xx.flatten(), yy.flatten()], dim=1)  # (201², 2)
with torch.no_grad():
    surface = torch.sigmoid(trained(grid)).reshape(xx.shape)  # (201, 201)

fig, ax = plt.subplots(figsize=(4.6, 4))
image = ax.imshow(surface, origin="lower", extent=(-0.5, 1.5, -0.5, 1.5),
                  cmap="RdBu_r", vmin=0, vmax=1)
ax.scatter(corners[:, 0], corners[:, 1], s=260, color="white", edgecolors="black")
for (x1, x2), label in zip(corners, labels, strict=True):  # each corner's XOR label
    ax.annotate(f"{label}", (x1, x2), ha="center", va="center", fontweight="bold")
ax.set(xlabel="$x_1$", ylabel="$x_2$", title="Loaded network: P(label 1)")
fig.colorbar(image, ax=ax)
plt.show()

# %% [markdown]
# ## How much can one hidden layer do?
#
# XOR needed a hidden layer of two units. With more hidden units the set of functions a
# network can represent keeps growing, and there is no limit to it: Cybenko proved in 1989
# that one hidden layer of sigmoid units followed by a linear output can come within any
# tolerance of any continuous function on a bounded region, given enough units. Hornik
# (1991) showed that any bounded activation that is not constant works as well, and
# Leshno, Lin, Pinkus and Schocken (1993) that any activation will do as long as it is
# not a polynomial, so the ReLU qualifies. Results of this kind are known together as the
# **universal approximation theorem**. For networks with one input and ReLU units we need
# not take the theorem on trust: we can write the weights down.
#
# ### Curves made of hinges
#
# Take one hidden ReLU unit with a single input, input weight 1 and bias $-t$. It computes
# $\operatorname{ReLU}(x - t)$: zero up to $t$, then a line of slope 1. Call it a **hinge**
# at $t$. Multiplied by an output weight $c$ and added to a straight line, a hinge leaves
# the line alone to the left of $t$ and changes its slope by $c$ to the right of $t$. A sum
# of hinges is therefore a chain of straight pieces that bends only at the hinges: a
# continuous, piecewise-linear curve. (The same holds for ReLU networks of any depth and
# any number of inputs: they compute continuous piecewise-linear functions, as Arora, Basu,
# Mianjy and Mukherjee (2018) showed in general.)
#
# Every such chain can be built this way. To approximate a function $f$ on an interval
# $[a, b]$, choose $k + 1$ **knots** $a = x_0 < x_1 < \dots < x_k = b$ and join the points
# $(x_i, f(x_i))$ by straight pieces, which is linear interpolation. Piece $i$ has slope
# $s_i = \big(f(x_{i+1}) - f(x_i)\big) / (x_{i+1} - x_i)$, and on $[a, b]$ the whole chain is
#
# $$g(x) = f(x_0) + s_0\,\operatorname{ReLU}(x - x_0)
#   + \sum_{i=1}^{k-1} (s_i - s_{i-1})\,\operatorname{ReLU}(x - x_i).$$
#
# Read as a network, this is $k$ hidden ReLU units with input weight 1 and bias $-x_i$, then
# a linear output with weights $c_0 = s_0$ and $c_i = s_i - s_{i-1}$ (how far the chain
# turns at $x_i$) and bias $f(x_0)$. `dlbook.approximation.hinge_weights` computes these
# numbers and `hinge_network` loads them into an `MLP([1, k, 1], activation="relu")`.
# Here they are for the sine on $[-\pi, \pi]$ with $k = 5$ pieces, and a check of the
# network against NumPy's own linear interpolation:

# %%
k = 5
knots = uniform_knots(-math.pi, math.pi, k)  # (k + 1,) = x_0, ..., x_k, float64
weights = hinge_weights(knots, torch.sin(knots))
print(f"{'unit':>4} {'hinge at x_i':>13} {'bias -x_i':>10} {'output weight c_i':>18}")
for i in range(k):
    print(f"{i:4d} {weights.knots[i].item():13.4f} {weights.b1[i].item():10.4f} "
          f"{weights.W2[0, i].item():18.4f}")
print(f"output bias f(x_0) = sin(-pi) = {weights.b2.item():.1e}  (zero up to rounding)")

sine_net = hinge_network(knots, torch.sin)  # an MLP([1, 5, 1]) with exactly these weights
x_fine = torch.linspace(-math.pi, math.pi, 20001, dtype=torch.float64)  # (20001,)
with torch.no_grad():
    g_fine = sine_net(x_fine[:, None]).squeeze(1)  # (20001,) the network's output
dots = np.interp(x_fine.numpy(), knots.numpy(), torch.sin(knots).numpy())  # connect the dots
print(f"network vs np.interp: largest difference {np.abs(g_fine.numpy() - dots).max():.1e}")

# %% [markdown]
# The first output weight is the slope of the first piece; every later one is a change of
# slope, positive in the left half, where the sine curves upwards, and negative in the
# right half, where it curves downwards. The left panel below draws each hidden unit's
# contribution $c_i \operatorname{ReLU}(x - x_i)$ and their sum. The middle panel adds
# hinges, and the right one measures the largest error $\max_x |g(x) - \sin x|$ on a fine
# grid as the number of pieces doubles.

# %%
def max_error(num_pieces: int) -> float:
    """Largest |g(x) − sin x| over [−π, π] for the hinge network with num_pieces even pieces."""
    net = hinge_network(uniform_knots(-math.pi, math.pi, num_pieces), torch.sin)
    with torch.no_grad():
        return (net(x_fine[:, None]).squeeze(1) - torch.sin(x_fine)).abs().max().item()


pieces = [5, 10, 20, 40, 80, 160]
errors = [max_error(n) for n in pieces]
print(f"{'k':>4} {'max error':>10} {'pi^2/(2k^2)':>12} {'previous / this':>16}")
for i, (n, err) in enumerate(zip(pieces, errors, strict=True)):
    ratio = f"{errors[i - 1] / err:16.2f}" if i else ""
    print(f"{n:4d} {err:10.2e} {math.pi ** 2 / (2 * n ** 2):12.2e} {ratio}")

# %% [markdown]
# Each doubling of the width divides the largest error by close to 4, so the error falls
# like $1/k^2$. The third column explains why. On a piece of width $h$, a function with a
# second derivative differs from its chord by at most $h^2 \max|f''| / 8$ (the gap between a
# parabola and its chord is largest in the middle of the piece). For the sine,
# $\max|f''| = 1$ and $h = 2\pi/k$, so the bound is $\pi^2 / (2k^2)$, and the measured errors
# sit just under it: the narrower the pieces, the more the sine looks like a parabola on
# each of them.

# %% alt="Three panels on building the sine from ReLU hinges over -pi to pi: five dashed hinges summing to a chain of straight pieces, then networks with 5, 10 and 20 hinges hugging the sine ever more closely. The third, a log-log plot of the maximum error against the number of hidden units k, shows the error falling in a straight line along the bound pi^2 / (2k^2)."
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), layout="constrained")
xs, sin_xs = x_fine.numpy(), torch.sin(x_fine).numpy()  # (20001,) each, for plotting
ax = axes[0]
for i in range(k):
    part = weights.W2[0, i] * torch.relu(x_fine - weights.knots[i])  # c_i ReLU(x − x_i)
    ax.plot(xs, part.numpy(), lw=1, ls="--",
            label="$c_i\\,\\mathrm{ReLU}(x - x_i)$" if i == 0 else None)
ax.plot(xs, sin_xs, color="0.6", lw=3, alpha=0.6, label="$\\sin x$")
ax.plot(xs, g_fine.numpy(), color="black", lw=1.8, label="sum + bias")
ax.plot(knots.numpy(), torch.sin(knots).numpy(), "o", color="black", ms=4)
ax.set(ylim=(-3, 3), xlabel="$x$", title=f"{k} hinges and their sum")
ax.legend(fontsize=8, loc="lower left", frameon=False)
ax = axes[1]
ax.plot(xs, sin_xs, color="0.6", lw=3, alpha=0.6, label="$\\sin x$")
for n in [5, 10, 20]:
    with torch.no_grad():
        net = hinge_network(uniform_knots(-math.pi, math.pi, n), torch.sin)
        ax.plot(xs, net(x_fine[:, None]).squeeze(1).numpy(), lw=1.4, label=f"k = {n}")
ax.set(xlabel="$x$", title="More hinges, closer fit")
ax.legend(fontsize=8, frameon=False)
ax = axes[2]
ax.loglog(pieces, errors, "o-", label="max error")
ax.loglog(pieces, [math.pi ** 2 / (2 * n ** 2) for n in pieces], "k--", lw=1,
          label="$\\pi^2 / (2k^2)$")
ax.set(xlabel="hidden units $k$", ylabel="$\\max_x |g(x) - \\sin x|$",
       title="Error against width")
ax.grid(True, which="both", alpha=0.3)
ax.legend(fontsize=8, frameon=False)
plt.show()

# %% [markdown]
# Nothing in the construction needs the sine's smoothness; that only sets the *rate*. Any
# continuous $f$ on $[a, b]$ is uniformly continuous: for every tolerance $\varepsilon$ there is
# a width $h$ such that $f$ changes by less than $\varepsilon$ between any two points closer
# than $h$. Choose knots closer than $h$. On each piece the chain's value at $x$ is a
# weighted average of $f(x_i)$ and $f(x_{i+1})$, and both lie within $\varepsilon$ of
# $f(x)$, so $|g(x) - f(x)| < \varepsilon$ everywhere on $[a, b]$. That is the universal
# approximation theorem for one input and ReLU units, proved by building the network.
#
# The theorem promises existence and nothing more, and three things are left open. *How
# many units*: for the sine, a tolerance $\varepsilon$ needs about $\pi / \sqrt{2\varepsilon}$
# of them by the bound above, and a function that wiggles faster needs more. With $d$
# inputs the same gridding idea needs a number of cells that grows like $(1/h)^d$, which is
# hopeless for images, and depth can be much more economical: Telgarsky (2016) gives
# functions that a deep ReLU network computes with a few units per layer, but that a
# network with few layers can only approximate with exponentially many units. *Whether
# training finds the weights*: the theorem is silent, and the XOR runs above already showed
# gradient descent getting stuck. *How the network behaves between and beyond the training
# points*: that is generalisation, the subject of the [overfitting](../training/overfitting.py)
# chapter.
#
# ### Training finds hinges too
#
# We placed the knots by hand. Gradient descent can find weights of the same kind on its
# own. The next cell trains `MLP([1, 16, 1], activation="relu")` from random weights on 256
# evenly spaced samples of the sine, minimising the mean squared error with Adam for 2000
# full-batch steps (a few seconds), and compares it with the hand-placed network of 16
# hinges. A trained hidden unit computes $\operatorname{ReLU}(w_j x + b_j)$ with any
# $w_j$, so it is a hinge at $x = -b_j / w_j$, opening to the right when $w_j > 0$ and to the
# left when $w_j < 0$.

# %% alt="Line plot of a trained 16-unit ReLU network over the sine on -pi to pi, with thin red vertical lines where its units bend. The network's piecewise-linear curve almost covers the sine, and the bends are unevenly spaced, some nearly on top of each other."
g_train = torch.Generator().manual_seed(0)
X_sin = torch.linspace(-math.pi, math.pi, 256)[:, None]  # (256, 1) training inputs
y_sin = torch.sin(X_sin)  # (256, 1) targets
trained_16 = MLP([1, 16, 1], activation="relu", generator=g_train)
opt = torch.optim.Adam(trained_16.parameters(), lr=0.01)
for _ in range(2000):
    loss = mse(trained_16(X_sin), y_sin)
    opt.zero_grad()
    loss.backward()
    opt.step()

hand_16 = hinge_network(uniform_knots(-math.pi, math.pi, 16), torch.sin)
x_check = x_fine[:, None]  # (20001, 1)
with torch.no_grad():
    for name, net in [("hand-placed", hand_16), ("trained", trained_16)]:
        out = net(x_check.to(net.layers[0].weight.dtype)).double()  # (20001, 1)
        print(f"{name:<12} mean squared error {mse(out, torch.sin(x_check)).item():.1e}   "
              f"max error {(out - torch.sin(x_check)).abs().max().item():.3f}")
    w_in, b_in = trained_16.layers[0].weight.squeeze(1), trained_16.layers[0].bias  # (16,), (16,)
    hinges = -b_in / w_in  # unit j bends where w_j x + b_j = 0
    inside = hinges.abs() < math.pi
print(f"trained hinges inside [-pi, pi]: {int(inside.sum())} of 16, at")
print(torch.sort(hinges[inside]).values)
print(f"of those, opening to the left (w_j < 0): {int((w_in[inside] < 0).sum())}")

fig, ax = plt.subplots(figsize=(6.5, 3.4))
ax.plot(xs, sin_xs, color="0.6", lw=3, alpha=0.6, label="$\\sin x$")
with torch.no_grad():
    ax.plot(xs, trained_16(x_fine[:, None].float()).squeeze(1).numpy(), lw=1.6,
            label="trained, 16 units")
for t in hinges[inside]:
    ax.axvline(t.item(), color="tab:red", lw=0.8, alpha=0.6)
ax.plot([], [], color="tab:red", lw=0.8, label="its hinges $-b_j / w_j$")
ax.set(xlabel="$x$", xlim=(-math.pi, math.pi), title="A trained ReLU network and where it bends")
ax.legend(fontsize=8, frameon=False)
plt.show()

# %% [markdown]
# Training found a network of the same kind. Twelve of its sixteen units bend inside the
# interval, seven of them opening to the left, a direction our construction never needed;
# the other four bend outside it, so over the whole interval each of them is a straight
# line or zero. The fit is close but, by both measures printed above, worse than the
# hand-placed one: 2000 steps of Adam have not spread the hinges as well as we could by
# hand, and three of them crowd together near $x = -2.5$, where one would do. The hand
# construction proves that good weights exist; gradient descent finds good-enough ones
# without being told where the knots go, and in many dimensions, where no one could place
# them by hand, that is the only way to get them.

# %% [markdown]
# ## Summary
#
# - A **dense layer** is a group of neurons that share their inputs. With the examples of a
#   batch in the rows of $X$ and the neurons' weights in the rows of $W$, it computes
#   $Z = XW^\top + \mathbf{b}$ and then an elementwise activation: $(B, d) \to (B, m)$.
# - An output layer with several neurons gives several outputs at once; with a softmax,
#   each row becomes a distribution over classes.
# - A **multilayer perceptron** chains dense layers. Without non-linear activations between
#   them, any stack of linear layers collapses into one linear layer.
# - "Deep" has no sharp definition: it means several stages of learned features, not a
#   particular number of layers.
# - The **forward pass** alternates affine maps, which change the feature width, and
#   activations, which keep the shape; the batch axis rides along untouched. A batch of 32
#   images of $20 \times 20$ pixels enters an MLP as a $32 \times 400$ matrix.
# - A dense layer from $d$ to $m$ units has $m(d + 1)$ parameters; on images the first layer
#   usually dominates the count.
# - A hidden layer solves XOR by moving the data into a space where one line suffices. A
#   trained 2-2-1 network finds such a solution, but small networks can also get stuck.
# - One hidden layer of $k$ ReLU units can be any continuous piecewise-linear function
#   with $k$ pieces: each unit is a hinge, and its output weight is the change of slope
#   there. Connecting the dots of a continuous function this way approximates it as
#   closely as we like (the universal approximation theorem, here proved by construction);
#   for the sine the largest error falls like $1/k^2$. The theorem promises that the
#   weights exist, not how many units are needed in many dimensions nor that training finds
#   them, although training on the sine does find hinges of its own.
#
# ## Exercises
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 1 · Count before you compute</p>
#
# An MLP for $28 \times 28$ greyscale images has sizes $[784, 256, 128, 10]$. Work out its
# number of parameters by hand with $m(d + 1)$ per layer, then build it with `MLP` and
# check your answer. What fraction of the parameters sits in the first layer?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# By hand: $256 \cdot 785 + 128 \cdot 257 + 10 \cdot 129 = 200960 + 32896 + 1290 = 235146$.
#
# ```python
# model = MLP([784, 256, 128, 10])
# total = sum(p.numel() for p in model.parameters())
# first = sum(p.numel() for p in model.layers[0].parameters())
# print(total, first / total)  # 235146, about 85% in the first layer
# ```
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 2 · Colour images</p>
#
# A batch of 32 colour images has shape $(32, 3, 20, 20)$: batch, colour channel, height,
# width. Flatten it for an MLP with sizes $[d_{\text{in}}, 64, 10]$, choosing
# $d_{\text{in}}$ from the tensor itself, and print every shape with
# `forward_with_shapes`. How many more first-layer weights does colour cost compared with
# greyscale?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# images = torch.rand(32, 3, 20, 20)  # (B, C, H, W)
# X = images.reshape(images.shape[0], -1)  # (B, C*H*W) = (32, 1200)
# model = MLP([X.shape[1], 64, 10])
# _, steps = model.forward_with_shapes(X)
# for name, shape in steps:
#     print(name, shape)
# ```
#
# Each image now has $3 \cdot 400 = 1200$ features, so the first layer has three times as
# many weights: $64 \cdot 1200$ instead of $64 \cdot 400$. The biases do not change.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 3 · Merging a deeper linear network</p>
#
# Generalise the merging check of this chapter to three linear layers: build
# `MLP([4, 6, 5, 3], activation="linear")`, compute the single $W$ and $\mathbf{b}$ that
# reproduce it, and verify with `torch.testing.assert_close` on a random batch.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Merge from the input side: after two layers $W_{12} = W_2 W_1$, $\mathbf{b}_{12} = W_2\mathbf{b}_1 + \mathbf{b}_2$;
# then $W = W_3 W_{12}$ and $\mathbf{b} = W_3 \mathbf{b}_{12} + \mathbf{b}_3$.
#
# ```python
# net = MLP([4, 6, 5, 3], activation="linear")
# W, b = torch.eye(4), torch.zeros(4)
# for layer in net.layers:
#     W, b = layer.weight @ W, layer.weight @ b + layer.bias
# X = torch.randn(8, 4)
# torch.testing.assert_close(net(X), X @ W.T + b)
# ```
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 4 · Another XOR by hand</p>
#
# XOR can also be written as $(x_1 \text{ AND NOT } x_2) \text{ OR } (x_2 \text{ AND NOT } x_1)$.
# Choose weights and biases for a 2-2-1 step network that implements this form, load them
# into `MLP([2, 2, 1], activation="step", output_activation="step")`, and check the truth
# table. Where do the four corners land in hidden space now?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Unit 1 fires for $x_1 - x_2 - 0.5 \ge 0$, unit 2 for $x_2 - x_1 - 0.5 \ge 0$, and the output is
# their OR, $\text{step}(h_1 + h_2 - 0.5)$.
#
# ```python
# net = MLP([2, 2, 1], activation="step", output_activation="step")
# with torch.no_grad():
#     net.layers[0].weight.copy_(torch.tensor([[1.0, -1.0], [-1.0, 1.0]]))
#     net.layers[0].bias.copy_(torch.tensor([-0.5, -0.5]))
#     net.layers[1].weight.copy_(torch.tensor([[1.0, 1.0]]))
#     net.layers[1].bias.copy_(torch.tensor([-0.5]))
# X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
# print(net.layers[0](X), net(X).squeeze(1))  # outputs 0, 1, 1, 0
# ```
#
# $(0, 0)$ and $(1, 1)$ both land on the hidden point $(0, 0)$, while $(1, 0)$ lands on
# $(1, 0)$ and $(0, 1)$ on $(0, 1)$. This is very close to what the trained network found:
# one unit per label-1 corner.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 5 · Is one hidden unit enough?</p>
#
# Explain why a 2-1-1 network (one hidden unit, any monotonic activation such as tanh or
# sigmoid, sigmoid output) can never solve XOR, however it is trained. Then confirm it:
# train `MLP([2, 1, 1], activation="tanh")` on `xor(200, noise=0.15)` with
# `binary_cross_entropy_with_logits` and Adam (`lr=0.05`, 600 steps) from a few seeds and
# report the best training accuracy.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# The single hidden unit computes $h = g(\mathbf{w} \cdot \mathbf{x} + b)$, and the output
# is a monotonic function of $h$, hence of $\mathbf{w} \cdot \mathbf{x} + b$. Thresholding it
# at $0.5$ therefore amounts to thresholding $\mathbf{w} \cdot \mathbf{x} + b$ at some value:
# the boundary is still one straight line.
#
# ```python
# from dlbook.losses import binary_cross_entropy_with_logits
#
# X, y = xor(200, noise=0.15)
# for seed in range(5):
#     torch.manual_seed(seed)
#     net = MLP([2, 1, 1], activation="tanh")
#     opt = torch.optim.Adam(net.parameters(), lr=0.05)
#     for _ in range(600):
#         loss = binary_cross_entropy_with_logits(net(X).squeeze(1), y.float())
#         opt.zero_grad()
#         loss.backward()
#         opt.step()
#     print(seed, ((net(X).squeeze(1) > 0).long() == y).float().mean().item())
# ```
#
# No seed gets much beyond three quarters of the points right: a line can at best put
# three of the four clusters on their correct sides.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 6 · Wider is easier</p>
#
# The figure showed that a 2-2-1 network sometimes gets stuck on XOR. Repeat the training
# of Exercise 5 with `MLP([2, 8, 1], activation="tanh")` from ten seeds and count how many
# reach at least 95% training accuracy. Compare with the count for two hidden units.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Use the loop of Exercise 5 with `MLP([2, 8, 1], activation="tanh")` and `range(10)`, and
# count the seeds whose accuracy is at least 0.95. With eight hidden units there are many
# more ways to carve the plane into the right regions, and a stalled unit no longer blocks
# the others, so (nearly) every seed succeeds, while with two units a sizeable share of
# seeds stall as in the figure.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 7 · Hinges for a parabola</p>
#
# Build the hinge network for $f(x) = x^2$ on $[0, 1]$ with $k = 1, 2, 4, 8$ equal pieces and
# measure its largest error on a fine grid. Show that over a piece $[x_i, x_{i+1}]$ the
# chord lies above the parabola by $(x - x_i)(x_{i+1} - x)$, and deduce the largest error
# exactly. What are the output weights, and why are they all the same after the first?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# The chord from $(a, a^2)$ to $(b, b^2)$ is $(a + b)x - ab$, and
# $(a + b)x - ab - x^2 = (x - a)(b - x)$, which is largest in the middle of the piece, at
# $h^2/4$ for a width $h = 1/k$. So the largest error is $1/(4k^2)$.
#
# ```python
# x = torch.linspace(0, 1, 10001, dtype=torch.float64)  # contains every midpoint
# for k in [1, 2, 4, 8]:
#     net = hinge_network(uniform_knots(0.0, 1.0, k), lambda t: t**2)
#     with torch.no_grad():
#         error = (net(x[:, None]).squeeze(1) - x**2).abs().max().item()
#     print(k, error, 1 / (4 * k**2), net.layers[1].weight.data)
# ```
#
# The slope of piece $i$ is $x_i + x_{i+1} = (2i + 1)h$, so the first output weight is
# $h$ and every later one is a turn of $2h$: the parabola bends equally everywhere, since
# its second derivative is the constant 2.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 8 · Two ways to build |x|</p>
#
# Build $|x|$ on $[-1, 1]$ with `hinge_network` from the knots $(-1, 0, 1)$. Then set the
# weights of `MLP([1, 2, 1], activation="relu")` by hand so that it equals $|x|$ for every
# real $x$. Compare the two networks on $x = -3, -2, \dots, 3$ and explain where and why
# they differ.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# `hinge_network` gives $g(x) = 1 - \operatorname{ReLU}(x + 1) + 2\operatorname{ReLU}(x)$,
# which is $|x|$ on $[-1, 1]$ and also for $x > 1$, where it equals $x$. Left of $-1$ both
# hinges are off and $g$ stays at 1. Its hinges all open to the right, so it cannot bend
# left of its first knot. The exact network uses one hinge opening each way,
# $|x| = \operatorname{ReLU}(x) + \operatorname{ReLU}(-x)$:
#
# ```python
# net = hinge_network(torch.tensor([-1.0, 0.0, 1.0]), torch.abs)
# two = MLP([1, 2, 1], activation="relu")
# with torch.no_grad():
#     two.layers[0].weight.copy_(torch.tensor([[1.0], [-1.0]]))  # one hinge each way
#     two.layers[0].bias.zero_()
#     two.layers[1].weight.copy_(torch.tensor([[1.0, 1.0]]))
#     two.layers[1].bias.zero_()
#     x = torch.linspace(-3, 3, 7)[:, None]  # (7, 1)
#     print(torch.cat([x, x.abs(), net(x), two(x)], dim=1))  # |x|, hinges, two units
# ```
#
# The columns agree from $-1$ on; at $-2$ and $-3$ the hinge network says 1. Outside the
# knots a network only extrapolates its outermost pieces, which is one reason to be wary
# of any network's predictions far from its training data.
#
# </details>
#
# ## References
#
# - M. Minsky and S. Papert, *Perceptrons: An Introduction to Computational Geometry*,
#   MIT Press (1969; expanded edition 1988): what single-layer perceptrons cannot compute,
#   such as parity, of which XOR is the two-input case. [doi:10.7551/mitpress/11301.001.0001](https://doi.org/10.7551/mitpress/11301.001.0001)
# - D. E. Rumelhart, G. E. Hinton and R. J. Williams, "Learning representations by
#   back-propagating errors", *Nature* 323 (1986): multilayer networks whose hidden units
#   learn their own features. [doi:10.1038/323533a0](https://doi.org/10.1038/323533a0)
# - G. Cybenko, "Approximation by superpositions of a sigmoidal function", *Mathematics of
#   Control, Signals and Systems* 2 (1989): one hidden layer of sigmoids approximates any
#   continuous function. [doi:10.1007/BF02551274](https://doi.org/10.1007/BF02551274)
# - K. Hornik, "Approximation capabilities of multilayer feedforward networks", *Neural
#   Networks* 4 (1991): the same for any bounded, non-constant activation.
#   [doi:10.1016/0893-6080(91)90009-T](https://doi.org/10.1016/0893-6080%2891%2990009-T)
# - M. Leshno, V. Ya. Lin, A. Pinkus and S. Schocken, "Multilayer feedforward networks
#   with a nonpolynomial activation function can approximate any function", *Neural
#   Networks* 6 (1993): any activation that is not a polynomial, the ReLU included.
#   [doi:10.1016/S0893-6080(05)80131-5](https://doi.org/10.1016/S0893-6080%2805%2980131-5)
# - M. Telgarsky, "Benefits of depth in neural networks", COLT 2016: functions that deep
#   networks compute with few units and shallow ones only with exponentially many.
#   [arXiv:1602.04485](https://arxiv.org/abs/1602.04485)
# - R. Arora, A. Basu, P. Mianjy and A. Mukherjee, "Understanding deep neural networks
#   with rectified linear units", ICLR 2018: ReLU networks compute exactly the continuous
#   piecewise-linear functions. [arXiv:1611.01491](https://arxiv.org/abs/1611.01491)
# - I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press (2016),
#   chapter 6: feed-forward networks, XOR, and universal approximation and depth.
#   [deeplearningbook.org](https://www.deeplearningbook.org/contents/mlp.html)
