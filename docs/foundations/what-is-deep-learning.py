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
# # What is deep learning?
#
# A phone that turns your voice into a text message, a camera app that finds the faces
# in a photo, a program that writes a paragraph or paints a picture from a one-line
# description: all of these run on deep learning. This chapter explains what the term
# means, where it sits inside artificial intelligence and machine learning, why it took
# off when it did, and which kinds of networks the rest of the book will build.
#
# By the end of the chapter you should be able to:
#
# - say how artificial intelligence, machine learning and deep learning are related;
# - explain what it means for a network to *learn its own features*, and why features
#   designed by hand break when the picture changes a little;
# - tell structured from unstructured data and write both down as tensors;
# - tell supervised from unsupervised learning, and run a clustering, a dimensionality
#   reduction and a density model on real digits;
# - name what a vision model is asked for: a class, boxes, a label per pixel or a number;
# - name the main milestones of the field and the three forces behind its recent success;
# - match the main network architectures to the problems they are used for, and to the
#   applications that made them famous.

# %% [markdown]
# ## Running the code in this book
#
# Each chapter starts the same way: it imports what it needs, seeds every random number
# generator so that the run can be repeated exactly, and picks a device to compute on.
# Both helpers come from `dlbook`, the small package that ships with the book.
# `seed_everything` seeds Python, NumPy and PyTorch in one call; `get_device` returns a
# GPU when PyTorch can see one and the CPU otherwise.

# %%
import time
from collections import Counter

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.colors import ListedColormap
from matplotlib.patches import Circle, Rectangle

from dlbook import get_device, seed_everything
from dlbook.datasets import digits
from dlbook.metrics import accuracy
from dlbook.mlp import MLP
from dlbook.palette import class_color
from dlbook.plot import Milestone, timeline
from dlbook.splits import digit_splits
from dlbook.unsupervised import kmeans, pca

seed_everything(0)
device = get_device()
print("computing on:", device)

# %% [markdown]
# The basic object of deep learning is the **tensor**: a grid of numbers with any number
# of axes. A single number has no axes, a list of numbers has one, a table has two, a
# colour image has three (channels, height, width). PyTorch tensors behave much like
# NumPy arrays, with two extra talents that the whole book relies on: they can live on a
# GPU, and they can record the operations applied to them so that derivatives come
# for free (the backpropagation chapter explains how).

# %%
X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device=device)
print(X)
print("shape:", tuple(X.shape), "| axes:", X.ndim, "| dtype:", X.dtype)
print("sum of each column:", X.sum(dim=0))

# %% [markdown]
# ## Three nested fields
#
# **Artificial intelligence** (AI) is the oldest and broadest of the three terms. It
# names a goal rather than a method: getting computers to do things that we would call
# intelligent if a person did them, such as planning a route, playing chess, proving a
# theorem or recognising an object. Many classic AI systems learn nothing: a classic
# chess program scores positions with a formula tuned by hand, and an *expert system*
# chained together if-then rules collected by interviewing specialists.
#
# **Machine learning** (ML) is the part of AI in which a program's behaviour is not
# written down by hand but *fitted to examples*. The programmer chooses a family of
# models $f(\mathbf{x}; \theta)$ with adjustable parameters $\theta$, a measure of how
# wrong a prediction is (a *loss* $\ell$), and a procedure that adjusts $\theta$ to make
# the average loss over $n$ training examples small:
#
# $$
# \theta^\star = \arg\min_{\theta} \; \frac{1}{n} \sum_{i=1}^{n}
# \ell\big(f(\mathbf{x}_i; \theta),\, y_i\big).
# $$
#
# When the examples come with the answers $y_i$ we want, this is **supervised**
# learning; when there are only inputs and the aim is to discover structure in them
# (groups, a compact description, a way to generate more), it is **unsupervised**.
# A later section runs one of each on real handwritten digits.
#
# **Deep learning** (DL) is the part of machine learning in which the model is a
# *neural network* made of many stacked layers. Each layer is a simple function, a
# weighted sum followed by a nonlinearity, and the network is their composition:
#
# $$
# \hat{y} = f_L\big(\cdots f_2\big(f_1(\mathbf{x})\big)\cdots\big), \qquad
# f_\ell(\mathbf{h}) = \sigma\big(W_\ell\, \mathbf{h} + \mathbf{b}_\ell\big).
# $$
#
# "Deep" refers to the number $L$ of layers. There is no official threshold (today's
# large models have dozens to hundreds of layers), and what matters more than the count
# is what the layers learn to do, the subject of the next section.
#
# So deep learning $\subset$ machine learning $\subset$ artificial intelligence. The
# sharpest way to see the difference is to ask *who decides what* in each approach. A
# system first has to decide what to look at (which measurements or *features* of the
# input matter) and then what to do with them (the mapping from features to an answer):
#
# | approach | who chooses the features | who chooses the mapping |
# | --- | --- | --- |
# | rule-based AI | people | people |
# | classical machine learning | people | learned from data |
# | deep learning | learned from data | learned from data |
#
# You will also hear the phrase **generative AI**. It is not a fourth layer of the
# nesting but a description of what a model produces: a generative model learns the
# distribution its training data came from, so that it can produce *new* samples, such
# as sentences, images, sounds or molecules, that look as if they came from the same
# source. Almost all of today's generative AI is built with deep learning; the last
# chapters of this book build several generative models from scratch.
#
# ### Rules written by people, rules learned from data
#
# Here is the difference in a few lines of code. Converting a temperature from Celsius
# to Fahrenheit is a rule somebody worked out long ago: multiply by $9/5$ and add $32$.
# A traditional program simply types that rule in. A learning program is given only
# example pairs (here with a little measurement noise, as real data would have) and has
# to recover the rule itself. We fit the two parameters $w$ and $b$ of
# $\hat{y} = w x + b$ by least squares, one of the oldest and simplest ways to learn.

# %%
def fahrenheit_by_rule(celsius: torch.Tensor) -> torch.Tensor:
    return celsius * 9 / 5 + 32  # the rule, typed in by a person


celsius = torch.linspace(-20.0, 40.0, steps=12)
y = fahrenheit_by_rule(celsius) + 0.5 * torch.randn(12)  # measured, slightly noisy

X = torch.stack([celsius, torch.ones_like(celsius)], dim=1)  # (12, 2): columns x and 1
w, b = torch.linalg.lstsq(X, y.unsqueeze(1)).solution.squeeze(1)  # minimise Σ (w x + b - y)²
print(f"learned rule: F = {w:.3f} * C + {b:.3f}")
print(f"typed rule:   F = {9 / 5:.3f} * C + {32:.3f}")

# %% [markdown]
# As the output shows, the learned parameters land close to the true ones without
# anyone telling the program the formula. That is machine learning in miniature. It is
# not yet *deep* learning: we chose the input feature (the temperature itself) and the
# shape of the model (a straight line). For temperatures this is fine. For a photograph
# it is hopeless, because nobody knows which formula of the pixel values says "cat".

# %% [markdown]
# ## Learning features instead of designing them
#
# For decades, computer vision worked in two stages. First, engineers designed
# **hand-crafted features**: programs that measure local gradients, corners, colour
# histograms or texture statistics, refined over years of research into descriptors
# with names such as SIFT and HOG. Second, a classical learning algorithm, often a
# support vector machine, was trained on those measurements. The learning happened
# only in the second stage; whether the system could succeed at all was settled by the
# quality of the first.
#
# A deep network merges the two stages. Its first layer sees raw pixels, and training
# shapes its weights into whatever detectors help reduce the loss. When researchers
# visualised what trained convolutional networks respond to (Zeiler and Fergus, 2014,
# is the classic study), they found a **hierarchy**: the first layer reacts to edges
# and colour blobs at various orientations; the next layers combine those into
# corners, textures and simple motifs; deeper layers respond to object parts such as
# eyes, wheels or petals; and the last layers to whole objects. Nobody programmed that
# ladder of abstractions. It emerged because it is a good way to solve the task.
#
# To see what the lowest rung looks like, here is a hand-written edge detector. We draw
# a ring on a $28 \times 28$ canvas (a stand-in for a handwritten zero) and slide a
# $3 \times 3$ *Sobel* filter over it. The filter subtracts the pixels on the left of
# each position from those on the right, so it responds strongly where brightness
# changes from left to right, that is, at vertical edges.

# %% alt="Left, a white ring on a black square canvas; right, the vertical-edge filter's output on it. The output forms paired red and blue arcs along the ring's left and right flanks and fades to nothing where the ring runs horizontally, at top and bottom."
def ring(size: int = 28, radius: float = 8.0, width: float = 2.0) -> torch.Tensor:
    """A bright ring on a dark background, shape (size, size), values in [0, 1]."""
    coords = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
    r = torch.sqrt(coords[None, :] ** 2 + coords[:, None] ** 2)  # distance from the centre
    return torch.exp(-(((r - radius) / width) ** 2))


image = ring()
sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
# conv2d wants a batch and channel axis: (B, C, H, W) for images, (C_out, C_in, kH, kW) for filters
edges = F.conv2d(image[None, None], sobel_x[None, None], padding=1)[0, 0]  # (28, 28)

fig, axes = plt.subplots(1, 2, figsize=(7.0, 3.4), layout="constrained")
axes[0].imshow(image, cmap="gray")
axes[0].set_title("input: a ring of pixels")
shown = axes[1].imshow(edges, cmap="RdBu_r", vmin=-edges.abs().max(), vmax=edges.abs().max())
axes[1].set_title("response of the vertical-edge filter")
for a in axes:
    a.set_xticks([])
    a.set_yticks([])
fig.colorbar(shown, ax=axes[1], shrink=0.8)
plt.show()

# %% [markdown]
# The filter lights up (red and blue, for the two directions of change) on the left and
# right sides of the ring and stays near zero at the top and bottom, where the edge runs
# horizontally. A classical pipeline would have a person choose this filter and a
# dozen others. In a convolutional network the nine numbers of each filter are
# parameters, learned from data along with everything else; trained networks turn out
# to rediscover filters much like this one in their first layer, and then build on them.
#
# ### Why designed features break
#
# A feature designed by hand encodes what its designer expected the input to look like.
# But one and the same object reaches the camera as endlessly many different pictures:
#
# - **viewpoint**: turn a mug or look at it from above, and its outline changes;
# - **lighting**: a shadow or a brighter lamp changes every pixel value, not the mug;
# - **scale**: the mug fills the frame when it is close and a few pixels when it is far;
# - **deformation**: a cat curls up or stretches out; handwriting slants and loops;
# - **occlusion**: part of the object hides behind something else;
# - **background clutter**: the object blends into a busy scene of similar colours;
# - **intra-class variation**: chairs come in thousands of designs, and no two people
#   write a 7 alike.
#
# A good recogniser answers the same across all of these changes, yet tells apart
# objects that differ only slightly. How badly the most naive measurement fails at
# this is easy to check on real data. The 1797 handwritten digits that ship with
# scikit-learn are $8 \times 8$ grey images; the crudest possible comparison of two of
# them is their distance in pixel space, $\lVert \mathbf{x} - \mathbf{x}' \rVert$. The next
# cell moves every digit one pixel to the right (a tiny change of viewpoint) and asks
# how far that carries it, compared with the nearest digit of a *different* class.

# %% alt="Three 8 by 8 pixel images, each titled with its pixel distance: a handwritten 0, the same 0 shifted one pixel to the right, and the nearest digit of another class. In pixel space that other digit is closer to the 0 than its own shifted copy is."
images, labels = digits(as_images=True)  # (1797, 8, 8) grey levels 0..16, (1797,) digits 0..9
images = images / 16  # grey levels scaled to [0, 1]
flat = images.flatten(start_dim=1)  # (1797, 64): one row of pixels per digit

shifted = torch.zeros_like(images)
shifted[:, :, 1:] = images[:, :, :-1]  # every digit moved one pixel to the right
to_own_shift = (shifted - images).flatten(start_dim=1).norm(dim=1)  # (1797,)

distances = torch.cdist(flat, flat)  # (1797, 1797): pixel distance of every pair
other_class = labels[:, None] != labels[None, :]
to_other_class = distances.masked_fill(~other_class, float("inf")).min(dim=1).values  # (1797,)

print(f"median distance from a digit to its own shifted copy:       {to_own_shift.median():.2f}")
print(f"median distance from a digit to the nearest other-class one: {to_other_class.median():.2f}")
closer = (to_other_class < to_own_shift).float().mean()
print(f"digits nearer to another class than to their own shifted copy: {closer:.1%}")

i = 0  # the first digit of the data set, and its two comparisons
j = distances[i].masked_fill(~other_class[i], float("inf")).argmin()
fig, axes = plt.subplots(1, 3, figsize=(7.0, 2.7), layout="constrained")
panels = [(images[i], f"a {labels[i].item()}"),
          (shifted[i], f"the same, one pixel right\ndistance {to_own_shift[i]:.2f}"),
          (images[j], f"nearest other digit, a {labels[j].item()}\ndistance {distances[i, j]:.2f}")]
for a, (picture, title) in zip(axes, panels, strict=True):
    a.imshow(picture, cmap="gray_r", vmin=0, vmax=1)
    a.set_title(title, fontsize=9)
    a.set_xticks([])
    a.set_yticks([])
plt.show()

# %% [markdown]
# For every single digit, the one-pixel nudge moves it farther, in pixel distance, than
# the nearest digit of another class. To a rule that compares raw pixels, such as
# matching a new image against stored examples, a 0 moved by one pixel looks less like
# that very 0 than the 9 beside it in the figure does. Designed descriptors such as SIFT and HOG were engineered, over years,
# to tolerate exactly such nuisances: they compare gradients rather than brightness
# (lighting), pool them over small cells (small shifts), and normalise them (contrast).
# Each new kind of variation needed new engineering, and the result was still fixed:
# the descriptor could not adapt to the task.
#
# ### Features a network learns
#
# A network learns its features from the task instead. To see what that produces,
# the next cell trains a small multilayer perceptron on 1000 of the digits: 64 pixels
# go in, a first layer of 16 units computes 16 weighted sums of them (each followed by
# a ReLU), and a second layer turns those 16 numbers into 10 scores, one per digit.
# The training loop is the subject of later chapters; here it is enough that it runs
# for a few seconds and then scores the 400 held-out digits that it never saw. The
# split is the book's shared `digit_splits`.

# %%
(X_train, y_train), (X_val, y_val), _ = digit_splits()  # (1000, 64) and (400, 64), pixels in [0, 1]
model = MLP([64, 16, 10], generator=torch.Generator().manual_seed(0))  # 64 pixels -> 16 units -> 10 scores
W_init = model.layers[0].weight.detach().clone()  # (16, 64): one row of weights per first-layer unit

# weight_decay pulls every weight a little towards zero at each step (the overfitting chapter explains it)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9, weight_decay=1e-2)
for step in range(500):  # gradient descent on the whole training set at once
    optimizer.zero_grad()
    loss = F.cross_entropy(model(X_train), y_train)
    loss.backward()
    optimizer.step()

val_shifted = torch.zeros_like(X_val.view(-1, 8, 8))
val_shifted[:, :, 1:] = X_val.view(-1, 8, 8)[:, :, :-1]  # the held-out digits, one pixel right
with torch.no_grad():
    acc_val = accuracy(model(X_val), y_val).item()
    acc_shifted = accuracy(model(val_shifted.flatten(start_dim=1)), y_val).item()
print(f"training loss after 500 steps: {loss.item():.3f}")
print(f"accuracy on the 400 held-out digits:             {acc_val:.1%}")
print(f"accuracy on the same digits, one pixel right:     {acc_shifted:.1%}")

# %% [markdown]
# Each first-layer unit has 64 weights, one per pixel, so its weights can be drawn as
# an $8 \times 8$ picture: red where a bright pixel raises the unit's sum, blue where it
# lowers it. The top row shows the 16 units as they started (random numbers), the bottom
# row the same units after training.

# %% alt="Two rows of 16 small 8 by 8 weight maps in red and blue, one per first-layer unit, before and after training. Before, every map is strong random speckle; after, the borders are pale and each map shows a smooth patch of red beside blue, like part of a stroke."
W_trained = model.layers[0].weight.detach()  # (16, 64)
fig, axes = plt.subplots(2, 16, figsize=(12.0, 1.9), layout="constrained")
for row, (W, name) in enumerate([(W_init, "before training"), (W_trained, "after training")]):
    for unit in range(16):
        a = axes[row, unit]
        w = W[unit].view(8, 8)  # the unit's 64 weights, laid out like the pixels they multiply
        a.imshow(w, cmap="RdBu_r", vmin=-w.abs().max(), vmax=w.abs().max())
        a.set_xticks([])
        a.set_yticks([])
    axes[row, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
plt.show()

rarely_inked = (X_train > 0).float().mean(dim=0) < 0.05  # (64,): pixels inked in < 5% of training digits
print(f"pixels inked in fewer than 5% of the training digits: {rarely_inked.sum().item()}")
print(f"mean |weight| on those pixels, before and after training: "
      f"{W_init[:, rarely_inked].abs().mean():.3f} -> {W_trained[:, rarely_inked].abs().mean():.3f}")
print(f"mean |weight| on the other pixels after training:          "
      f"{W_trained[:, ~rarely_inked].abs().mean():.3f}")

# %% [markdown]
# Nobody told the units what to look for, yet the random speckle has turned into
# structure. The pixels near the border, which are dark in almost every digit, now
# carry almost no weight (the printout compares them with the rest): the data gives
# them almost no gradient, and weight decay has pulled their random starting values
# to zero. Each unit has become a detector of a stroke pattern: a patch of red where
# ink raises its sum next to blue where ink lowers it, a bar in one unit, part of a
# loop in another. These 16 responses are the vocabulary from which the second layer
# assembles its ten digit scores. On $8 \times 8$ images there is room for little more than this one rung of
# the ladder; convolutional networks on large photographs stack many of them, which is
# where the edges, textures, parts and objects described above appear.
#
# Learning the features did not, however, make the network immune to the one-pixel
# nudge: its accuracy on the shifted held-out digits, printed above, falls far below
# its accuracy on the digits as they are. The network learned what it was shown, and
# it was never shown a shifted digit. Two remedies come later in the book: *data
# augmentation* trains on shifted and rotated copies, and *convolutional networks*
# apply the same small detectors at every position of the image.
#
# This is what **end-to-end learning** means: a single model maps raw input to the final
# answer, and one loss at the very end trains every part of it at once, where older
# systems chained separately designed and tuned stages. The price is that end-to-end
# models need a lot of data and computation, and the features they learn are harder to
# interpret than ones a person designed.

# %% [markdown]
# ## Structured and unstructured data
#
# Deep learning is driven by data, so it helps to distinguish two broad kinds.
#
# **Structured data** is already organised into named fields: a spreadsheet or a
# database table in which each row is one example and each column one attribute with a
# clear meaning (a price, an age, a count). **Unstructured data** has no such schema:
# images, audio recordings, free text and video. The information is there, but it is
# spread across thousands of raw values (pixels, samples, characters) none of which
# means much on its own. Classical machine learning is often excellent on structured
# data; deep learning made its name on unstructured data, because that is where learned
# features beat hand-designed ones.
#
# Both kinds end up as tensors. A small table of houses becomes a two-axis tensor of
# shape `(rows, columns)`:

# %%
columns = ["floor area (m²)", "rooms", "age (years)"]
houses = torch.tensor(
    [
        [72.0, 3.0, 15.0],
        [120.0, 5.0, 2.0],
        [45.0, 2.0, 40.0],
        [98.0, 4.0, 8.0],
    ]
)
print("columns:", columns)
print("table shape (examples, features):", tuple(houses.shape))
print("mean of each column:", houses.mean(dim=0))

# %% [markdown]
# The ring we drew earlier is a tiny grayscale image. Images get one axis per channel,
# row and column, and a collection of images handed to a network together (a **batch**)
# gets one more axis in front. Here is a batch of three rings of different sizes. Text can be turned into numbers too; the crudest way is
# to take each character's code point, which gives a sequence whose length depends on
# the sentence.

# %%
image_chw = image[None]  # add a channel axis: (C, H, W)
batch = torch.stack([ring(radius=r)[None] for r in (5.0, 8.0, 11.0)])  # (B, C, H, W)
print("one grayscale image (C, H, W):", tuple(image_chw.shape))
print("a batch of images (B, C, H, W):", tuple(batch.shape))
print("numbers in the batch:", batch.numel())

sentence = "deep learning"
codes = torch.tensor([ord(ch) for ch in sentence])
print(f"{sentence!r} as character codes:", codes.tolist(), "shape:", tuple(codes.shape))

# %% [markdown]
# Notice the contrast. In the house table, the second column *means* "number of rooms"
# in every row. In the image, pixel `(14, 20)` means nothing by itself: the same object can land
# on different pixels in different photos, and what identifies it is the pattern formed
# by many neighbouring pixels together. Architectures for unstructured data are built
# around exactly this: convolutional networks share one filter across all positions of
# an image, and recurrent networks and transformers read sequences of any length.

# %% [markdown]
# ## Learning with and without labels
#
# The digit classifier above was trained with **supervised** learning: every training
# image came with its label, and the loss measured how far the network's ten scores
# were from it. Supervised problems differ in what the label is, and in vision four
# kinds of answer cover most of them:
#
# - **classification**: one label for the whole image ("is there a ring?", "which digit?");
# - **object detection**: a box around every object of interest, each with its class;
# - **segmentation**: a class for every pixel, which outlines objects exactly;
# - **regression**: one or more real numbers, such as an object's size, a person's age
#   or the angle of a steering wheel.
#
# The next cell draws a small scene, a ring and a square, and writes down the answer to
# each task as a tensor. The shapes are the point: a network for each task must output
# a tensor of the same layout, and its loss compares the two.

# %% alt="Four copies of a scene with a ring and a square, each marked with one task's answer. Classification answers yes, a ring is present; detection boxes the ring in orange and the square in green; segmentation colours every pixel of each; regression marks the ring's radius."
H = W = 32
rows, cols = torch.meshgrid(torch.arange(H), torch.arange(W), indexing="ij")  # (H, W) each
from_centre = ((rows - 10) ** 2 + (cols - 10) ** 2).float().sqrt()  # distance from the pixel (10, 10)
ring_mask = (from_centre - 6).abs() < 1.5  # (H, W) bool: a ring of radius 6 around (10, 10)
square_mask = (rows >= 16) & (rows < 28) & (cols >= 17) & (cols < 29)  # (H, W) bool: a 12 x 12 square
scene = (ring_mask | square_mask).float()  # the input image


def box(mask: torch.Tensor) -> torch.Tensor:
    """The smallest box around the True pixels of mask, as (x_min, y_min, x_max, y_max)."""
    r, c = mask.nonzero(as_tuple=True)
    return torch.stack([c.min(), r.min(), c.max(), r.max()])


contains_ring = ring_mask.any().long()  # classification: 1 = "yes, there is a ring"
boxes = torch.stack([box(ring_mask), box(square_mask)])  # detection: (objects, 4) boxes ...
box_classes = torch.tensor([1, 2])  # ... and one class per box: 1 = ring, 2 = square
segmentation = torch.zeros(H, W, dtype=torch.long)  # segmentation: a class per pixel, 0 = background
segmentation[ring_mask] = 1
segmentation[square_mask] = 2
radius = from_centre[ring_mask].mean()  # regression: the ring's radius in pixels, a real number

for task, target in [("classification", contains_ring), ("detection boxes", boxes),
                     ("detection classes", box_classes), ("segmentation", segmentation),
                     ("regression", radius)]:
    print(f"{task:<18} target shape {str(tuple(target.shape)):<9} dtype {target.dtype}")
print("boxes (x_min, y_min, x_max, y_max):", boxes.tolist())
print(f"ring radius: {radius:.2f} pixels")

fig, axes = plt.subplots(1, 4, figsize=(11.0, 3.1), layout="constrained")
for a in axes:
    a.imshow(scene, cmap="gray_r", vmin=0, vmax=2)  # the scene in light grey under every answer
    a.set_xticks([])
    a.set_yticks([])
axes[0].set_title(f"classification: ring? {'yes' if contains_ring else 'no'}", fontsize=10)
for (x0, y0, x1, y1), k in zip(boxes.tolist(), box_classes.tolist(), strict=True):
    axes[1].add_patch(Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0 + 1, y1 - y0 + 1, fill=False,
                                edgecolor=class_color(k), linewidth=2))
axes[1].set_title("detection: boxes and classes", fontsize=10)
axes[2].imshow(segmentation, cmap=ListedColormap(["white", class_color(1), class_color(2)]))
axes[2].set_title("segmentation: a class per pixel", fontsize=10)
axes[3].add_patch(Circle((10, 10), radius.item(), fill=False, edgecolor=class_color(1), linestyle="--"))
axes[3].plot([10, 10 + radius.item()], [10, 10], color=class_color(1))
axes[3].set_title(f"regression: radius = {radius:.2f} px", fontsize=10)
plt.show()

# %% [markdown]
# The answers grow richer from left to right: one number, a short list of boxes, a
# whole image of class indices. Their networks grow with them: a classifier ends in
# one score per class, a segmentation network in one score per class *for every
# pixel*, shape $(K, H, W)$, and a detector in a variable-length list of boxes, each
# with class scores. Regression swaps the class scores for a real-valued output and the
# loss for one that measures distance, such as the squared error.
#
# **Unsupervised** learning gets the inputs alone. Three goals come up again and again:
#
# - **clustering**: sort the inputs into groups of similar ones;
# - **dimensionality reduction**: describe every input with a few numbers that keep
#   most of what tells inputs apart;
# - **density estimation**: learn the probability distribution the inputs come from, so
#   that a new input can be scored as typical or strange. Closely related, but not the
#   same, is **sampling**: producing new inputs that look like draws from that
#   distribution, which is what generative models do.
#
# Below, each runs on the 1797 digits with their labels hidden. The labels come back
# only afterwards, to judge what the method found.
#
# ### Clustering with k-means
#
# The k-means algorithm keeps $k$ centre points. It gives each input to its nearest
# centre, moves every centre to the mean of the inputs it was given, and repeats until
# no input changes group. No step can raise the sum of squared distances from the
# inputs to their centres, so it always stops, but where it stops depends on the
# starting centres, so `dlbook.unsupervised.kmeans` makes ten runs from random starts
# and keeps the best. We ask for ten groups.

# %% alt="Ten blurry 8 by 8 images, the centres of the ten k-means clusters, each titled with the digit most common in it. Each centre looks like a smudged average of the digit that leads its cluster."
clusters = kmeans(flat, 10, seed=0)  # flat: (1797, 64) pixels; the labels are not passed in
print(f"best run: {clusters.num_iters} assignment steps, sum of squared distances {clusters.inertia:.1f}")

majority = []
for c in range(10):
    members = labels[clusters.labels == c]  # the hidden labels of the digits in cluster c
    counts = torch.bincount(members, minlength=10)
    top2 = counts.topk(2)  # the two most common labels in the cluster, and how often they occur
    majority.append(top2.indices[0].item())
    print(f"cluster {c}: {len(members):4d} digits, " + ", then ".join(
        f"{n / len(members):3.0%} {k}s" for n, k in zip(top2.values.tolist(), top2.indices.tolist(), strict=True)))
agree = (torch.tensor(majority)[clusters.labels] == labels).float().mean()
print(f"digits whose label is their cluster's most common one: {agree:.1%}")

fig, axes = plt.subplots(1, 10, figsize=(10.0, 1.6), layout="constrained")
for c, a in enumerate(axes):
    a.imshow(clusters.centroids[c].view(8, 8), cmap="gray_r")
    a.set_title(f"cluster {c}\nmostly {majority[c]}", fontsize=8)
    a.set_xticks([])
    a.set_yticks([])
plt.show()

# %% [markdown]
# The centres, drawn as images, are recognisable digits: each is the average of the
# digits in its group. Although k-means never saw a label, every digit from 0 to 9
# leads one of the ten clusters, and most clusters are nearly pure: in pixel space the
# digits mostly fall into groups by what they depict. The printout also shows where
# that fails. A few clusters are mixtures, led by a digit that makes up only about half
# of them, with the runner-up printed beside it: digits whose ink lands on many of the
# same pixels, such as 1s and 8s, end up in one group.
#
# ### Dimensionality reduction with PCA
#
# Each digit is 64 numbers. **Principal component analysis** (PCA) looks for the
# directions in that 64-dimensional space along which the digits vary most, and
# describes each digit by its coordinates along the first few. It needs only the
# singular value decomposition of the centred data (see `dlbook.unsupervised.pca`).
# With two coordinates per digit, the digits can be drawn on a page (600 of them, so
# that the plot stays legible).

# %% alt="Scatter of 600 digits, each drawn as its own numeral at its coordinates along the first two principal directions. Digits of one kind gather together: 0s along the bottom, 4s on the right, 3s and 9s on the left, 1s and 7s at the top, while 2s, 5s and 8s mix in the middle."
digits_pca = pca(flat, 10)  # the 10 directions of largest variance
share = digits_pca.explained_variance_ratio  # (10,)
print(f"share of the variance along the first 2 directions: {share[:2].sum():.1%}")
print(f"share of the variance along the first 10:           {share.sum():.1%}")
Z = digits_pca.transform(flat)[:, :2]  # (1797, 2): two numbers per digit

shown = torch.randperm(len(flat), generator=torch.Generator().manual_seed(0))[:600]
fig, ax = plt.subplots(figsize=(6.0, 5.0), layout="constrained")
for i in shown.tolist():  # each digit drawn as its own label, at its two coordinates
    ax.text(Z[i, 0].item(), Z[i, 1].item(), str(labels[i].item()), fontsize=8, ha="center", va="center")
ax.set_xlim(Z[:, 0].min().item() - 0.3, Z[:, 0].max().item() + 0.3)
ax.set_ylim(Z[:, 1].min().item() - 0.3, Z[:, 1].max().item() + 0.3)
ax.set_xlabel("first principal direction")
ax.set_ylabel("second principal direction")
ax.set_title("600 digits placed by PCA, which never saw their labels", fontsize=10)
plt.show()

# %% [markdown]
# Two numbers per digit keep less than a third of the variance, yet digits of the
# same kind already gather in the same region of the plot: the 0s at the bottom, the
# 4s on the right, the 3s on the left. PCA had no labels; it found directions of large
# variation, and much of the variation between digit images is the difference between
# one digit and another. Other digits still mix, the 5s and 8s in the middle and the
# 9s among the 3s, where two numbers are not enough; ten directions keep most of the
# variance. Describing each input by a few learned numbers is also the idea behind
# autoencoders, which a later chapter builds.
#
# ### Density estimation and sampling
#
# A density model assigns every possible input a probability density: high for inputs
# like the training data, low for the rest. The simplest one for vectors is a
# **Gaussian**, the bell curve in many dimensions, described by a mean vector and a
# covariance matrix that records which pixels tend to be inked together. Fitting it is
# a matter of computing the mean and covariance of the 1000 training digits (the
# [mathematical foundations](mathematical-foundations.py) chapter shows why these are
# the best-fitting values). A few pixels are dark in every training digit and so never
# vary (the cell counts them); a small constant added to the covariance's diagonal
# keeps the density finite there.
# Below, the model scores held-out digits, the same digits with their pixels scrambled
# into a random order (same grey values, no strokes), and random noise; the score is
# the logarithm of the density, so higher means more typical.

# %% alt="A row of 16 grey 8 by 8 images sampled from the Gaussian fitted to the digits. The ink sits roughly where digits usually have it, but each sample is a noisy blotch and few read clearly as a digit."
mean = X_train.mean(dim=0)  # (64,)
covariance = torch.cov(X_train.T, correction=0) + 0.01 * torch.eye(64)  # (64, 64), plus a small ridge
density = torch.distributions.MultivariateNormal(mean, covariance_matrix=covariance)
print("pixels that never vary in the training digits:", (X_train.std(dim=0) == 0).sum().item())

g = torch.Generator().manual_seed(0)
scrambled = X_val[:, torch.randperm(64, generator=g)]  # the held-out digits, pixels in a random order
noise = torch.rand(len(X_val), 64, generator=g)  # uniform noise, as many images
for name, inputs in [("held-out digits", X_val), ("the same, pixels scrambled", scrambled),
                     ("uniform noise", noise)]:
    print(f"{name:<28} mean log-density {density.log_prob(inputs).mean():8.1f}")
above = (density.log_prob(X_val) > density.log_prob(scrambled).max()).float().mean()
print(f"held-out digits that score above every scrambled one: {above:.1%}")

samples = density.sample((16,)).clamp(0, 1)  # (16, 64): new "digits" drawn from the model
fig, axes = plt.subplots(1, 16, figsize=(11.0, 1.0), layout="constrained")
for a, sample in zip(axes, samples, strict=True):
    a.imshow(sample.view(8, 8), cmap="gray_r", vmin=0, vmax=1)
    a.set_xticks([])
    a.set_yticks([])
plt.show()

# %% [markdown]
# As a judge of what a digit looks like, the Gaussian does well: every held-out digit
# scores higher than the best of the scrambled images, so the model has learned which
# pixel patterns are typical, enough to flag a strange input. As a generator it is
# poor: the sixteen samples above are smudges with the rough layout of a digit but
# none of its strokes, because a single Gaussian can only express which pixels tend to
# be bright together. Scoring inputs and producing them are different skills. The
# generative networks of the last chapters (variational autoencoders, GANs and
# diffusion models) are built to sample well, and GANs do it without ever writing down
# a density.

# %% [markdown]
# ## A short history
#
# The ideas behind deep learning are much older than the name. Here is a hand-picked
# list of milestones, written as data: each entry is a `Milestone` with a year, a short
# name, a one-line description and a *kind* (an idea, a model, a data set, hardware or
# software).

# %%
milestones = [
    Milestone(1943, "McCulloch–Pitts neuron", "a neuron modelled as a binary threshold unit", "idea"),
    Milestone(1949, "Hebbian learning", "Hebb: connections that fire together strengthen", "idea"),
    Milestone(1958, "Perceptron", "Rosenblatt's trainable linear classifier", "model"),
    Milestone(1969, "Perceptrons (book)", "Minsky & Papert analyse single-layer limits", "idea"),
    Milestone(1986, "Backpropagation", "Rumelhart, Hinton & Williams train hidden layers", "idea"),
    Milestone(1989, "CNN reads zip codes", "LeCun et al. train a convolutional net by backprop", "model"),
    Milestone(1997, "LSTM", "Hochreiter & Schmidhuber's gated recurrent memory", "model"),
    Milestone(1998, "LeNet-5", "LeCun et al.'s CNN for document recognition", "model"),
    Milestone(2007, "CUDA", "NVIDIA opens its GPUs to general-purpose code", "hardware"),
    Milestone(2009, "ImageNet", "Deng et al.'s millions of labelled images", "data"),
    Milestone(2012, "AlexNet", "a GPU-trained CNN wins the ImageNet challenge", "model"),
    Milestone(2014, "GANs", "Goodfellow et al.'s generator-discriminator game", "model"),
    Milestone(2015, "TensorFlow", "Google open-sources its framework", "software"),
    Milestone(2015, "ResNet", "He et al.'s residual connections train very deep nets", "model"),
    Milestone(2017, "PyTorch", "first public release of the framework", "software"),
    Milestone(2017, "Transformer", "Vaswani et al.'s attention-only sequence model", "model"),
    Milestone(2018, "BERT", "a pretrained transformer fine-tuned for many tasks", "model"),
    Milestone(2020, "GPT-3", "a very large language model that learns from prompts", "model"),
    Milestone(2020, "DDPM", "Ho et al.'s denoising diffusion image generator", "model"),
    Milestone(2022, "ChatGPT", "a chat assistant brings language models to the public", "model"),
]

for m in sorted(milestones, key=lambda m: m.year):
    print(f"{m.year}  {m.kind:<9} {m.name:<24} {m.detail}")

# %% [markdown]
# `dlbook.plot.timeline` turns such a list into a figure: a dot for each milestone on a
# time axis, coloured by kind, with labels staggered above and below the line so that
# they never overlap. Where two milestones share a year (2015, 2017 and 2020 have two
# each), their dots step apart along the year's vertical, each towards its own label, so
# every milestone keeps a dot in its own colour.

# %% alt="Timeline of milestones from 1943 to 2022 as dots on a horizontal axis, coloured by kind (idea, model, hardware, data, software) and labelled with year and name. A few sit in the 1940s to 1960s, a handful between 1986 and 1998, and the dots crowd together from 2007 on, from CUDA to ChatGPT."
fig = timeline(milestones, title="Milestones of neural networks and deep learning")
plt.show()

# %% [markdown]
# The figure makes the rhythm of the field visible: a cluster of ideas in the 1940s and
# 1950s, a long gap, a revival in the late 1980s and 1990s, and then a crowd of
# milestones after 2010. Counting the entries per decade says the same thing in
# numbers (bear in mind that the list is our own selection, so the counts describe it
# rather than the whole field):

# %%
per_decade = Counter(10 * (m.year // 10) for m in milestones)
for decade in range(1940, 2030, 10):
    print(f"{decade}s  {'#' * per_decade[decade]:<10} {per_decade[decade]}")

# %% [markdown]
# ### From the first neuron to the first winter
#
# In 1943 the neurophysiologist Warren McCulloch and the logician Walter Pitts described
# an idealised neuron: it adds up its binary inputs and fires if the sum reaches a
# threshold. They showed that networks of such units can implement the expressions of
# propositional logic, but their neurons had fixed connections and learned nothing. In 1949 the
# psychologist Donald Hebb proposed how brains might learn: a connection between two
# neurons strengthens when they are active together. Frank Rosenblatt combined the two
# threads in the **perceptron**, described in a 1957 report and published in 1958, and
# built as a machine (the Mark I Perceptron) that learned to tell simple images apart
# by adjusting its weights from its mistakes.
#
# Enthusiasm ran high until 1969, when Marvin Minsky and Seymour Papert published
# *Perceptrons*, a careful mathematical analysis of what single-layer perceptrons can
# compute. Such a network can only separate classes with a straight line (a flat plane
# in higher dimensions), so it cannot even learn the exclusive-or (XOR) of two inputs.
# Networks with hidden layers do not have this limit, but nobody yet had a practical way
# to train them. Interest and funding for neural networks fell sharply in the 1970s,
# part of a broader slump in AI research later called the first **AI winter**.
#
# ### Backpropagation, convolution and memory
#
# The missing training method was **backpropagation**: an efficient way to apply the
# chain rule of calculus through every layer of a network, so that each weight learns
# how it should change to reduce the loss. The mathematics had appeared before (Seppo
# Linnainmaa's reverse-mode differentiation in 1970, Paul Werbos's thesis in 1974), but
# the 1986 paper by David Rumelhart, Geoffrey Hinton and Ronald Williams showed
# convincingly that it teaches hidden layers useful internal representations, and it
# brought neural networks back into the mainstream.
#
# Two lasting architectures followed. Yann LeCun and colleagues trained a
# **convolutional network** with backpropagation to read handwritten zip codes in 1989,
# building on Kunihiko Fukushima's neocognitron of 1980; the 1998 paper that presented
# its descendant LeNet-5 also described a deployed system that read bank cheques. In 1997 Sepp Hochreiter and
# Jürgen Schmidhuber introduced the **long short-term memory** (LSTM), a recurrent
# network with gates that let it carry information across long sequences. Even so,
# through the 2000s other methods such as support vector machines usually won in
# practice: computers were slow, labelled data sets were small, and deep networks were
# hard to train.
#
# ### The deep learning era
#
# Three things changed around 2010. In 2009 Fei-Fei Li's group released **ImageNet**,
# millions of labelled photographs across thousands of categories, and from 2010 a
# yearly competition was run on a subset of it. Graphics cards, built to draw video
# games, turned out to be very fast at the matrix arithmetic neural networks need, and
# NVIDIA's CUDA platform (2007) made them programmable for such work. In 2012 Alex
# Krizhevsky, Ilya Sutskever and Geoffrey Hinton put the two together: **AlexNet**, a
# convolutional network trained on two consumer GPUs, won the ImageNet challenge by a
# margin that startled the field. Within a few years nearly every leading entry was a
# deep network.
#
# The years since have brought a stream of ideas that later chapters build:
# generative adversarial networks (2014); residual connections (2015), which made
# networks with more than a hundred layers trainable; the **transformer** (2017), built
# on attention, which now underlies most language models; large models pretrained on
# broad data, such as BERT (2018) and GPT-3 (2020); diffusion models, proposed in 2015
# and made competitive with GANs by denoising diffusion (DDPM, 2020), which generate
# images by learning to undo a gradual noising process; and ChatGPT
# (2022), which brought language models to a mass audience. In 2024 the Nobel Prize in
# Physics went to John Hopfield and Geoffrey Hinton for their foundational work on
# neural networks.

# %% [markdown]
# ## Why now?
#
# Neural networks are older than the personal computer, so why did they start to
# dominate only in the 2010s? Three forces arrived together.
#
# 1. **Data.** Deep networks have millions to billions of parameters, and fitting that
#    many numbers without memorising the training set takes a great many examples. The
#    web, phones and sensors now produce images, text and audio on a scale unknown in
#    1990, and projects such as ImageNet turned part of it into labelled training sets.
# 2. **Hardware.** Training is dominated by large matrix products, whose many
#    multiply-adds are independent of one another and can run at the same time. GPUs
#    have thousands of simple cores built for exactly this; accelerators such as
#    Google's TPUs go further, and cloud services rent them by the hour.
# 3. **Software and shared models.** Open-source frameworks such as TensorFlow and
#    PyTorch compute derivatives automatically and run the same code on a CPU or a GPU.
#    Researchers also share **pretrained models**: instead of starting from random
#    weights, you can fine-tune a network already trained on a huge data set, a
#    practice called *transfer learning*.
#
# The hardware point is easy to feel on any computer. Below, the same matrix product is
# computed twice: once as a Python loop that works out one entry at a time, and once as
# a single call to `torch.matmul`, which hands the whole job to an optimised routine
# that uses vector instructions and every available core (on a GPU, thousands of them).

# %%
n = 64
A, B = torch.randn(n, n), torch.randn(n, n)


def matmul_by_loops(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    rows, inner, cols = A.shape[0], A.shape[1], B.shape[1]
    a, b = A.tolist(), B.tolist()
    out = [[sum(a[i][k] * b[k][j] for k in range(inner)) for j in range(cols)] for i in range(rows)]
    return torch.tensor(out)


start = time.perf_counter()
C_loops = matmul_by_loops(A, B)
t_loops = time.perf_counter() - start

repeats = 1000
start = time.perf_counter()
for _ in range(repeats):
    C_fast = torch.matmul(A, B)
t_fast = (time.perf_counter() - start) / repeats

print("same result:", torch.allclose(C_loops, C_fast, atol=1e-4))
print(f"Python loops: {t_loops * 1e3:9.3f} ms")
print(f"torch.matmul: {t_fast * 1e3:9.3f} ms   ({t_loops / t_fast:,.0f} times faster)")

# %% [markdown]
# The exact ratio depends on the machine the site was built on, but it is large. Be
# careful what it measures, though: most of the loop's time goes to the Python
# interpreter handling one number at a time, not to the arithmetic itself; the same loop
# written in C would close much of the gap. What the comparison does show is the
# lesson that matters: arithmetic organised as large array operations, handed to a
# tuned routine that uses vector instructions and many cores, is what made deep learning
# practical, and hardware built for exactly that (GPUs) widened the gap further.

# %% [markdown]
# ## A map of the architectures
#
# An **architecture** is the wiring pattern of a network: which layers it has, how they
# connect, and so what structure in the data it can exploit. The table lists the main
# families, the data each was designed for, typical tasks, and the chapter of this book
# where you will build it.
#
# | architecture | designed for | typical tasks | where in this book |
# | --- | --- | --- | --- |
# | multilayer perceptron (MLP) | fixed-length vectors, such as a row of a table | regression, classification | the perceptron; neural networks and the forward pass |
# | convolutional network (CNN) | grids: images, spectrograms, signals | image classification, object detection, segmentation | convolutional networks |
# | recurrent network (RNN, LSTM, GRU) | sequences read one step at a time | time series, speech recognition, language modelling | RNNs and LSTMs |
# | transformer | sequences or sets of tokens, related by attention | translation, text generation, speech, vision | attention and transformers |
# | autoencoder, variational autoencoder (VAE) | compressing inputs to a small code and back | denoising, anomaly detection, generation | autoencoders; VAEs |
# | generative adversarial network (GAN) | producing realistic samples | image synthesis, super-resolution, image-to-image translation | GANs |
# | diffusion model | generating by repeated denoising | text-to-image, audio and video generation | diffusion models |
# | graph neural network (GNN) | graphs of nodes and edges | molecules, social and road networks, recommendation | mentioned only |
#
# Classification, detection and segmentation are the vision tasks met earlier in this
# chapter. **Translation** and **speech recognition** map one sequence to another, and
# **generation** produces new images, text or audio. The families are building blocks,
# not rivals: a text-to-image system may pair a transformer that reads the prompt with
# a diffusion model whose denoiser is a convolutional network. Newer families, such as
# state-space models for very long sequences, are beyond the scope of this book.
#
# All of these networks are trained the same way, so the book builds the shared
# machinery first: the perceptron, activation functions and the forward pass assemble a
# network; loss functions, backpropagation and gradient descent train it; the chapter
# on overfitting keeps it honest on unseen data. Then come the architectures themselves.
#
# ## Applications, and the architectures behind them
#
# The families of the map earned their place through applications. The table pairs
# some landmark systems, by the year of their publication, with the row of the map
# that made them work.
#
# | application | landmark systems (year) | architecture |
# | --- | --- | --- |
# | speech recognition | deep networks replace Gaussian mixtures as the acoustic model of speech recognisers (Hinton et al., 2012); deep LSTM recognisers (Graves, Mohamed and Hinton, 2013); Whisper (Radford et al., 2022) | MLP, then RNN/LSTM, then transformer |
# | semantic segmentation | fully convolutional networks (Long, Shelhamer and Darrell, 2015); U-Net for biomedical images (Ronneberger, Fischer and Brox, 2015) | CNN |
# | face verification | FaceNet (Schroff, Kalenichenko and Philbin, 2015) | CNN |
# | chest X-ray diagnosis | CheXNet (Rajpurkar et al., 2017) | CNN (a 121-layer DenseNet) |
# | machine translation | sequence-to-sequence learning (Sutskever, Vinyals and Le, 2014); attention (Bahdanau, Cho and Bengio, 2015); Google's neural translation system (Wu et al., 2016); the transformer (Vaswani et al., 2017) | RNN/LSTM, then transformer |
# | image captioning | Show and Tell (Vinyals et al., 2015); image regions aligned with words (Karpathy and Fei-Fei, 2015) | CNN encoder, RNN/LSTM decoder |
# | visual question answering | the VQA data set and its baselines (Antol et al., 2015) | CNN for the image, RNN/LSTM for the question |
# | image synthesis | StackGAN, text to image (Zhang et al., 2017); progressively grown GANs (Karras et al., 2018); diffusion text-to-image models such as Stable Diffusion (Rombach et al., 2022) | GAN, then diffusion model |
#
# A sentence on each, because the way they work matters more than the names:
#
# - **Speech recognition** turns a recording, a sequence of short frames of sound, into
#   words. The first deep systems kept the older pipeline and let a deep network
#   classify each frame; recurrent networks then read the frames in order, and many of
#   today's systems, such as Whisper, are transformers trained on hundreds of thousands
#   of hours of transcribed audio.
# - **Semantic segmentation** labels every pixel (road, pedestrian, sky), the
#   segmentation task of this chapter. A *fully convolutional* network keeps a spatial
#   map all the way through and ends in class scores for every pixel; U-Net added skip
#   connections that carry fine detail from the early layers to the output.
# - **Face verification** asks whether two photos show the same person. FaceNet maps
#   each face to 128 numbers, trained so that photos of one person land close together
#   and photos of different people far apart; verification is then a distance and a
#   threshold, and the same numbers serve for recognition and clustering of faces.
# - **Chest X-ray diagnosis**: CheXNet, a 121-layer convolutional network trained on
#   over 100,000 labelled chest X-rays, detected pneumonia and in its authors'
#   comparison scored a higher F1 than the average of four radiologists, a claim that
#   later work has examined critically.
# - **Machine translation** maps a sentence to a sentence of another length. An encoder
#   reads the source into vectors and a decoder writes the translation word by word;
#   attention lets the decoder look back at the relevant source words, and the
#   transformer kept only the attention.
# - **Image captioning** writes a sentence about a photo: a CNN encodes the image and
#   a recurrent decoder generates the words, as in translation with an image as the
#   source language.
# - **Visual question answering** answers a free-form question about an image ("what
#   colour is the umbrella?") by combining a CNN's description of the image with a
#   recurrent network's reading of the question.
# - **Image synthesis**: StackGAN drew images from text descriptions in two stages, a
#   rough low-resolution picture that a second GAN refined; progressive GANs started
#   training at $4 \times 4$ pixels and added layers until they produced $1024 \times
#   1024$ faces. Diffusion models have since taken over text-to-image generation.

# %% [markdown]
# ## Summary
#
# - Artificial intelligence is the goal of making machines behave intelligently;
#   machine learning reaches it by fitting a model's parameters to examples; deep
#   learning does so with many-layered neural networks. Each is a subset of the one
#   before.
# - What sets deep learning apart is that the network learns its own features, from
#   edges up to whole objects, and is trained end to end from raw input to final
#   answer, instead of relying on features designed by people.
# - Features fixed in advance break under changes of viewpoint, lighting, scale,
#   deformation, occlusion, clutter and intra-class variation: a one-pixel shift moved
#   every one of 1797 digits farther from itself, in pixels, than the nearest digit of
#   another class. A small network trained on the digits turned random first-layer
#   weights into stroke detectors, but it learned no tolerance to shifts it never saw.
# - Structured data comes in tables with meaningful columns; unstructured data (images,
#   audio, text) has meaning only in patterns of many raw values. Both are stored as
#   tensors, and images in a batch have the shape $(B, C, H, W)$.
# - Supervised learning fits inputs to given answers; in vision the answer is a class
#   (classification), boxes with classes (detection), a class per pixel (segmentation)
#   or real numbers (regression). Unsupervised learning finds structure in the inputs
#   alone: groups (k-means), a few coordinates that keep most of the variation (PCA), or
#   a probability density, which can judge inputs well and still sample them poorly.
# - The field's core ideas date back to the 1940s–1980s; it took off after 2010 when
#   large data sets, parallel hardware (GPUs) and open-source software with shared
#   pretrained models came together.
# - The main architectures (MLPs, CNNs, RNNs, transformers, autoencoders and VAEs, GANs,
#   diffusion models, GNNs) each suit a kind of data and task, and all are trained with
#   the same loss, backpropagation and gradient-descent machinery. CNNs carried the
#   vision applications (segmentation, face verification, X-ray diagnosis), recurrent
#   networks and then transformers the sequence ones (speech, translation), and GANs and
#   then diffusion models image synthesis.

# %% [markdown]
# ## Exercises
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 1 · Where does it sit?</p>
#
# For each system, decide whether it is rule-based AI, classical machine learning or
# deep learning, and say who chose the features.
#
# 1. A thermostat that switches the heating on below 19 °C.
# 2. A spam filter that counts how often a list of 500 chosen words occurs in an email
#    and feeds the counts to a logistic regression fitted on labelled emails.
# 3. A network that reads chest X-ray images pixel by pixel and outputs the
#    probability of pneumonia.
# 4. A 1990s chess engine that searches ahead and scores positions with a formula
#    whose weights were set by hand.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# 1. Rule-based (and barely AI at all): a person wrote both the feature (the
#    temperature) and the rule.
# 2. Classical machine learning: people chose the features (the word list); the
#    weights that combine them were learned from data.
# 3. Deep learning: the network starts from raw pixels and learns both the features and
#    the mapping, end to end.
# 4. Rule-based AI: search is a classic AI technique, but nothing here is learned, since
#    both the features and their weights in the evaluation formula came from people.
#    (Later engines, such as AlphaZero, learned their evaluation with deep networks.)
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 2 · Extend the timeline</p>
#
# Add at least three milestones to the list in this chapter, for example Fukushima's
# neocognitron (1980), Hopfield networks (1982) and AlphaGo's victory over Lee Sedol
# (2016), each with a kind of your choice. Draw the timeline again and recount the
# milestones per decade. Check that the labels still do not overlap.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Build a new list rather than editing the old one, so the chapter's figure is
# unchanged, then reuse the same two cells:
#
# ```python
# extra = [
#     Milestone(1980, "Neocognitron", "Fukushima's layered visual pattern recogniser", "model"),
#     Milestone(1982, "Hopfield network", "a recurrent network that stores memories", "model"),
#     Milestone(2016, "AlphaGo", "deep networks plus search beat a Go champion", "model"),
# ]
# more = milestones + extra
# timeline(more, title="Milestones, extended")
# plt.show()
#
# per_decade = Counter(10 * (m.year // 10) for m in more)
# print(sorted(per_decade.items()))
# ```
#
# `timeline` sorts the milestones itself, so the order of the list does not matter.
# The new 2016 entry lands in the crowded 2010s, and the layout moves labels to
# further levels above or below the line until each one fits, so the figure grows
# taller instead of letting labels collide.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 3 · A filter for horizontal edges</p>
#
# The Sobel filter in this chapter detects *vertical* edges. Write a filter that detects
# *horizontal* edges, apply it to the ring with `F.conv2d`, and plot the response. Where
# on the ring is it strongest, and why? Then apply your filter to a new image of your
# own: a filled square.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Transposing the filter turns a left-to-right difference into a top-to-bottom one:
#
# ```python
# sobel_y = sobel_x.T  # [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
# edges_y = F.conv2d(image[None, None], sobel_y[None, None], padding=1)[0, 0]
#
# square = torch.zeros(28, 28)
# square[8:20, 8:20] = 1.0
# square_edges = F.conv2d(square[None, None], sobel_y[None, None], padding=1)[0, 0]
#
# fig, axes = plt.subplots(1, 2, figsize=(7, 3.4))
# axes[0].imshow(edges_y, cmap="RdBu_r")
# axes[1].imshow(square_edges, cmap="RdBu_r")
# plt.show()
# ```
#
# The response is strongest at the top and bottom of the ring, where brightness
# changes from one row to the next, and near zero at its left and right sides. On the
# square, only the top and bottom sides light up, with opposite signs: one is a
# dark-to-bright change going down, the other bright-to-dark.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 4 · Shapes of a batch</p>
#
# A batch holds $B$ colour (RGB) images, each $H$ pixels high and $W$ pixels wide.
# What is the shape of the batch tensor, and how many numbers does it hold? A
# multilayer perceptron expects each example as one flat vector: what shape does the
# batch have after flattening each image? Check your answers in code for
# $B = 32$, $H = W = 64$.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# With a channel axis of size $3$ for red, green and blue, the batch has shape
# $(B, 3, H, W)$ and holds $3BHW$ numbers. Flattening every axis except the batch axis
# gives shape $(B, 3HW)$: each image becomes one row of $3HW$ numbers, and the spatial
# arrangement of the pixels is lost, which is one reason convolutional networks,
# which keep it, do better on images.
#
# ```python
# B, H, W = 32, 64, 64
# batch = torch.zeros(B, 3, H, W)
# print(batch.shape, batch.numel(), 3 * B * H * W)
# print(batch.flatten(start_dim=1).shape)  # (B, 3 * H * W)
# ```
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 5 · Choose an architecture</p>
#
# Using the map of architectures, pick a family for each task and give a one-line
# reason: (a) predicting a house's price from the table of its attributes;
# (b) finding every pedestrian in a dash-cam video frame; (c) transcribing a voice
# message; (d) predicting whether a molecule is toxic from its atoms and bonds;
# (e) producing new, realistic photographs of faces.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# (a) An MLP: each house is a fixed-length vector of meaningful columns, with no spatial
# or temporal structure to exploit (classical methods such as gradient-boosted trees
# are strong competitors here). (b) A CNN-based object detector: the input is an image,
# and the same pedestrian can appear anywhere in it. (c) A transformer, or historically
# an RNN/LSTM: the audio is a sequence and the output is a sequence of words.
# (d) A graph neural network: a molecule is naturally a graph with atoms as nodes and
# bonds as edges. (e) A diffusion model or a GAN, both generative families; diffusion
# models are the usual choice today, while GANs produced the first strikingly realistic
# faces.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 6 · Show the network shifted digits</p>
#
# The network of this chapter fails on held-out digits moved one pixel to the right.
# Train the same network, with the same loop, on the 1000 training digits together
# with copies of them moved one pixel right and one pixel left (3000 images). Compare
# its accuracy on the held-out digits as they are and moved one pixel right with the
# numbers printed in the chapter. What did the extra images teach it, and what did
# they cost?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# def shift(X, dx):
#     """Move every 8 x 8 digit in X (n, 64) by dx pixels to the right (left if dx < 0)."""
#     img, out = X.view(-1, 8, 8), torch.zeros(len(X), 8, 8)
#     if dx > 0:
#         out[:, :, dx:] = img[:, :, :-dx]
#     else:
#         out[:, :, :dx] = img[:, :, -dx:]
#     return out.flatten(start_dim=1)
#
# X_aug = torch.cat([X_train, shift(X_train, 1), shift(X_train, -1)])  # (3000, 64)
# y_aug = y_train.repeat(3)  # the labels do not change when a digit moves
# model = MLP([64, 16, 10], generator=torch.Generator().manual_seed(0))
# optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9, weight_decay=1e-2)
# for step in range(500):
#     optimizer.zero_grad()
#     F.cross_entropy(model(X_aug), y_aug).backward()
#     optimizer.step()
# with torch.no_grad():
#     print(accuracy(model(X_val), y_val), accuracy(model(shift(X_val, 1)), y_val))
# ```
#
# The accuracy on the shifted digits climbs from well under half to nearly the
# accuracy on the unshifted ones: the network now tolerates a shift because it has
# seen shifted digits, which is the whole idea of *data augmentation*. The accuracy on
# the unshifted digits drops a little, because the same 16 units must now cover three
# positions of every digit; a wider layer, or a convolutional network that reuses one
# detector at every position, pays less for the same tolerance.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 7 · A density model as a classifier</p>
#
# Fit one Gaussian to the training digits of each class (ten means and ten
# covariances, with the same small ridge as in the chapter), and classify each
# held-out digit as the class whose Gaussian gives it the highest log-density. What
# accuracy do you get? Why is this a sensible rule when the ten classes are about
# equally common?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# scores = []
# for k in range(10):
#     X_k = X_train[y_train == k]  # the training digits of class k
#     cov_k = torch.cov(X_k.T, correction=0) + 0.01 * torch.eye(64)
#     density_k = torch.distributions.MultivariateNormal(X_k.mean(dim=0), covariance_matrix=cov_k)
#     scores.append(density_k.log_prob(X_val))  # (400,)
# y_hat = torch.stack(scores, dim=1)  # (400, 10): one log-density per class
# print(accuracy(y_hat, y_val))
# ```
#
# On these small, centred digits the rule does very well, better than the chapter's
# small network. By Bayes' rule $P(k \mid \mathbf{x}) \propto p(\mathbf{x} \mid k)\, P(k)$,
# and with equal class frequencies $P(k)$ the class of highest posterior probability
# is the class of highest density $p(\mathbf{x} \mid k)$. A model of each class's
# inputs, a *generative* classifier, can therefore classify; it needs many parameters
# per class (a $64 \times 64$ covariance each here) and grows hard to fit as inputs get
# larger, which is one reason large-scale classifiers model $P(k \mid \mathbf{x})$
# directly.
#
# </details>
#
# ## References
#
# History:
#
# - W. S. McCulloch and W. Pitts, "A logical calculus of the ideas immanent in nervous
#   activity", *Bull. Math. Biophys.* 5 (1943).
#   [doi:10.1007/BF02478259](https://doi.org/10.1007/BF02478259)
# - D. O. Hebb, *The Organization of Behavior*, Wiley (1949).
# - F. Rosenblatt, "The perceptron: a probabilistic model for information storage and
#   organization in the brain", *Psychological Review* 65 (1958).
#   [doi:10.1037/h0042519](https://doi.org/10.1037/h0042519)
# - M. Minsky and S. Papert, *Perceptrons: An Introduction to Computational Geometry*,
#   MIT Press (1969).
# - S. Linnainmaa, "Taylor expansion of the accumulated rounding error", *BIT* 16
#   (1976), the journal version of his 1970 master's thesis on reverse-mode
#   differentiation. [doi:10.1007/BF01931367](https://doi.org/10.1007/BF01931367)
# - P. J. Werbos, *Beyond Regression: New Tools for Prediction and Analysis in the
#   Behavioral Sciences*, PhD thesis, Harvard University (1974).
# - K. Fukushima, "Neocognitron: a self-organizing neural network model for a mechanism
#   of pattern recognition unaffected by shift in position", *Biological Cybernetics* 36
#   (1980). [doi:10.1007/BF00344251](https://doi.org/10.1007/BF00344251)
# - D. E. Rumelhart, G. E. Hinton and R. J. Williams, "Learning representations by
#   back-propagating errors", *Nature* 323 (1986).
#   [doi:10.1038/323533a0](https://doi.org/10.1038/323533a0)
# - Y. LeCun et al., "Backpropagation applied to handwritten zip code recognition",
#   *Neural Computation* 1 (1989).
#   [doi:10.1162/neco.1989.1.4.541](https://doi.org/10.1162/neco.1989.1.4.541)
# - S. Hochreiter and J. Schmidhuber, "Long short-term memory", *Neural Computation* 9
#   (1997). [doi:10.1162/neco.1997.9.8.1735](https://doi.org/10.1162/neco.1997.9.8.1735)
# - Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning applied to
#   document recognition", *Proceedings of the IEEE* 86 (1998).
#   [doi:10.1109/5.726791](https://doi.org/10.1109/5.726791)
# - J. Deng et al., "ImageNet: a large-scale hierarchical image database", CVPR 2009.
#   [doi:10.1109/CVPR.2009.5206848](https://doi.org/10.1109/CVPR.2009.5206848)
# - A. Krizhevsky, I. Sutskever and G. E. Hinton, "ImageNet classification with deep
#   convolutional neural networks", NeurIPS 2012 (reprinted in *Communications of the
#   ACM* 60, 2017). [doi:10.1145/3065386](https://doi.org/10.1145/3065386)
# - I. Goodfellow et al., "Generative adversarial nets", NeurIPS 2014.
#   [arXiv:1406.2661](https://arxiv.org/abs/1406.2661)
# - K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image recognition",
#   CVPR 2016 (arXiv 2015). [arXiv:1512.03385](https://arxiv.org/abs/1512.03385)
# - M. Abadi et al., "TensorFlow: large-scale machine learning on heterogeneous
#   distributed systems", white paper (2015, arXiv 2016).
#   [arXiv:1603.04467](https://arxiv.org/abs/1603.04467)
# - A. Paszke et al., "PyTorch: an imperative style, high-performance deep learning
#   library", NeurIPS 2019 (the framework itself was released in 2017).
#   [arXiv:1912.01703](https://arxiv.org/abs/1912.01703)
# - A. Vaswani et al., "Attention is all you need", NeurIPS 2017.
#   [arXiv:1706.03762](https://arxiv.org/abs/1706.03762)
# - J. Devlin, M.-W. Chang, K. Lee and K. Toutanova, "BERT: pre-training of deep
#   bidirectional transformers for language understanding", NAACL 2019 (arXiv 2018).
#   [arXiv:1810.04805](https://arxiv.org/abs/1810.04805)
# - T. Brown et al., "Language models are few-shot learners", NeurIPS 2020 (GPT-3).
#   [arXiv:2005.14165](https://arxiv.org/abs/2005.14165)
# - J. Sohl-Dickstein, E. Weiss, N. Maheswaranathan and S. Ganguli, "Deep unsupervised
#   learning using nonequilibrium thermodynamics", ICML 2015.
#   [arXiv:1503.03585](https://arxiv.org/abs/1503.03585)
# - J. Ho, A. Jain and P. Abbeel, "Denoising diffusion probabilistic models", NeurIPS
#   2020. [arXiv:2006.11239](https://arxiv.org/abs/2006.11239)
# - L. Ouyang et al., "Training language models to follow instructions with human
#   feedback", NeurIPS 2022 (the method behind ChatGPT).
#   [arXiv:2203.02155](https://arxiv.org/abs/2203.02155)
# - The Nobel Prize in Physics 2024, awarded to J. J. Hopfield and G. E. Hinton.
#   [nobelprize.org](https://www.nobelprize.org/prizes/physics/2024/summary/)
#
# Features, learned and designed:
#
# - D. G. Lowe, "Distinctive image features from scale-invariant keypoints",
#   *International Journal of Computer Vision* 60 (2004) (SIFT).
#   [doi:10.1023/B:VISI.0000029664.99615.94](https://doi.org/10.1023/B:VISI.0000029664.99615.94)
# - N. Dalal and B. Triggs, "Histograms of oriented gradients for human detection",
#   CVPR 2005 (HOG). [doi:10.1109/CVPR.2005.177](https://doi.org/10.1109/CVPR.2005.177)
# - M. D. Zeiler and R. Fergus, "Visualizing and understanding convolutional networks",
#   ECCV 2014. [arXiv:1311.2901](https://arxiv.org/abs/1311.2901)
# - E. Alpaydin and C. Kaynak, "Optical recognition of handwritten digits", UCI Machine
#   Learning Repository (1998): scikit-learn ships its 1797 test digits.
#   [archive.ics.uci.edu](https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits)
#
# Unsupervised learning:
#
# - S. P. Lloyd, "Least squares quantization in PCM", *IEEE Transactions on Information
#   Theory* 28 (1982; a Bell Labs report of 1957): the k-means algorithm.
#   [doi:10.1109/TIT.1982.1056489](https://doi.org/10.1109/TIT.1982.1056489)
# - K. Pearson, "On lines and planes of closest fit to systems of points in space",
#   *Philosophical Magazine* 2 (1901): principal components.
#   [doi:10.1080/14786440109462720](https://doi.org/10.1080/14786440109462720)
# - H. Hotelling, "Analysis of a complex of statistical variables into principal
#   components", *Journal of Educational Psychology* 24 (1933).
#   [doi:10.1037/h0071325](https://doi.org/10.1037/h0071325)
#
# Applications:
#
# - G. Hinton et al., "Deep neural networks for acoustic modeling in speech recognition:
#   the shared views of four research groups", *IEEE Signal Processing Magazine* 29
#   (2012). [doi:10.1109/MSP.2012.2205597](https://doi.org/10.1109/MSP.2012.2205597)
# - A. Graves, A. Mohamed and G. Hinton, "Speech recognition with deep recurrent neural
#   networks", ICASSP 2013. [arXiv:1303.5778](https://arxiv.org/abs/1303.5778)
# - A. Radford et al., "Robust speech recognition via large-scale weak supervision"
#   (Whisper), arXiv 2022, ICML 2023. [arXiv:2212.04356](https://arxiv.org/abs/2212.04356)
# - J. Long, E. Shelhamer and T. Darrell, "Fully convolutional networks for semantic
#   segmentation", CVPR 2015. [arXiv:1411.4038](https://arxiv.org/abs/1411.4038)
# - O. Ronneberger, P. Fischer and T. Brox, "U-Net: convolutional networks for biomedical
#   image segmentation", MICCAI 2015. [arXiv:1505.04597](https://arxiv.org/abs/1505.04597)
# - F. Schroff, D. Kalenichenko and J. Philbin, "FaceNet: a unified embedding for face
#   recognition and clustering", CVPR 2015.
#   [arXiv:1503.03832](https://arxiv.org/abs/1503.03832)
# - P. Rajpurkar et al., "CheXNet: radiologist-level pneumonia detection on chest X-rays
#   with deep learning", arXiv 2017. [arXiv:1711.05225](https://arxiv.org/abs/1711.05225)
# - L. Oakden-Rayner, "Exploring large-scale public medical image datasets", *Academic
#   Radiology* 27 (2020): a critical look at the labels of the X-ray data CheXNet used.
#   [doi:10.1016/j.acra.2019.10.006](https://doi.org/10.1016/j.acra.2019.10.006)
# - I. Sutskever, O. Vinyals and Q. V. Le, "Sequence to sequence learning with neural
#   networks", NeurIPS 2014. [arXiv:1409.3215](https://arxiv.org/abs/1409.3215)
# - D. Bahdanau, K. Cho and Y. Bengio, ICLR 2015: the paper that added attention to neural
#   machine translation. [arXiv:1409.0473](https://arxiv.org/abs/1409.0473)
# - Y. Wu et al., "Google's neural machine translation system: bridging the gap between
#   human and machine translation", arXiv 2016.
#   [arXiv:1609.08144](https://arxiv.org/abs/1609.08144)
# - O. Vinyals, A. Toshev, S. Bengio and D. Erhan, "Show and tell: a neural image caption
#   generator", CVPR 2015. [arXiv:1411.4555](https://arxiv.org/abs/1411.4555)
# - A. Karpathy and L. Fei-Fei, "Deep visual-semantic alignments for generating image
#   descriptions", CVPR 2015. [arXiv:1412.2306](https://arxiv.org/abs/1412.2306)
# - S. Antol et al., "VQA: visual question answering", ICCV 2015.
#   [arXiv:1505.00468](https://arxiv.org/abs/1505.00468)
# - H. Zhang et al., "StackGAN: text to photo-realistic image synthesis with stacked
#   generative adversarial networks", ICCV 2017.
#   [arXiv:1612.03242](https://arxiv.org/abs/1612.03242)
# - T. Karras, T. Aila, S. Laine and J. Lehtinen, "Progressive growing of GANs for
#   improved quality, stability, and variation", ICLR 2018 (arXiv 2017).
#   [arXiv:1710.10196](https://arxiv.org/abs/1710.10196)
# - R. Rombach, A. Blattmann, D. Lorenz, P. Esser and B. Ommer, "High-resolution image
#   synthesis with latent diffusion models", CVPR 2022 (Stable Diffusion).
#   [arXiv:2112.10752](https://arxiv.org/abs/2112.10752)
