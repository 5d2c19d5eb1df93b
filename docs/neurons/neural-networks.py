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
# then supplied the smooth non-linearities that networks are built from. This chapter puts
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
# - explain how a hidden layer lets a network solve XOR.

# %%
import matplotlib.pyplot as plt
import torch
from torch import nn

from dlbook import seed_everything
from dlbook.datasets import xor
from dlbook.figures import show
from dlbook.figures import load_checkpoint, load_manifest
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

# %% [markdown]
# With the tanh in between, no single layer reproduces the network any more. That is the
# whole reason activation functions exist: they keep the layers from collapsing into one,
# so depth adds expressive power.
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
# straight line has all of one class on one side. A hidden layer fixes this by first
# drawing *two* lines and then combining their verdicts.
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
# raw score (a logit) whose sigmoid is the probability of label 1. The figure pipeline
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

# %%
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
