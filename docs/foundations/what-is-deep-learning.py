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
# - explain what it means for a network to *learn its own features*;
# - tell structured from unstructured data and write both down as tensors;
# - name the main milestones of the field and the three forces behind its recent success;
# - match the main network architectures to the problems they are used for.

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

from dlbook import get_device, seed_everything
from dlbook.plot import Milestone, timeline

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

# %%
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
# `dlbook.plot.timeline` turns such a list into a figure: one dot per milestone on a
# time axis, coloured by kind, with labels staggered above and below the line so that
# they never overlap.

# %%
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
# **Classification** assigns one label to an input ("cat"); **object detection** also
# draws a box around each object; **segmentation** labels every pixel. **Translation**
# and **speech recognition** map one sequence to another, and **generation** produces
# new images, text or audio. The families are building blocks, not rivals: a
# text-to-image system may pair a transformer that reads the prompt with a diffusion
# model whose denoiser is a convolutional network. Newer families, such as state-space
# models for very long sequences, are beyond the scope of this book.
#
# All of these networks are trained the same way, so the book builds the shared
# machinery first: the perceptron, activation functions and the forward pass assemble a
# network; loss functions, backpropagation and gradient descent train it; the chapter
# on overfitting keeps it honest on unseen data. Then come the architectures themselves.

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
# - Structured data comes in tables with meaningful columns; unstructured data (images,
#   audio, text) has meaning only in patterns of many raw values. Both are stored as
#   tensors, and images in a batch have the shape $(B, C, H, W)$.
# - The field's core ideas date back to the 1940s–1980s; it took off after 2010 when
#   large data sets, parallel hardware (GPUs) and open-source software with shared
#   pretrained models came together.
# - The main architectures (MLPs, CNNs, RNNs, transformers, autoencoders and VAEs, GANs,
#   diffusion models, GNNs) each suit a kind of data and task, and all are trained with
#   the same loss, backpropagation and gradient-descent machinery.

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
