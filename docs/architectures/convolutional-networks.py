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
# # Convolutional networks
#
# Computer vision is where deep learning first clearly beat the methods that came before
# it. For decades, recognising objects in photographs meant designing features by hand:
# detectors of edges, corners and textures, tuned by experts, followed by a classifier.
# Such features are brittle. The same object looks different from another viewpoint,
# under other lighting, at another scale, partly hidden, or in front of clutter, and two
# members of one class (two chairs, two handwritten sevens) can differ more than members of
# different classes. A **convolutional network** learns its features from the images
# instead, and it builds one assumption about images into its structure: what a small
# patch looks like matters, and it matters in the same way wherever the patch sits.
#
# This chapter builds convolution and pooling from their definitions in `dlbook`, checks
# them against PyTorch, works through the lectures' examples, and trains a small
# LeNet-style network on handwritten digits to see what it learns. By the end you should be
# able to:
#
# - count the parameters a dense layer needs for an image, and say why that is wasteful;
# - compute a convolution by hand, and say why deep learning's "convolution" is
#   cross-correlation;
# - predict the output size of a convolution from its kernel, stride and padding;
# - compute max and average pooling, and say what pooling buys;
# - read the filters and feature maps of a trained network;
# - compute the receptive field of a stack of layers;
# - explain translation equivariance, and show on a task where it decides the outcome.

# %%
import inspect

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from dlbook import seed_everything
from dlbook.conv import (LECTURE_IMAGE, LECTURE_KERNEL, Conv2d, conv2d, conv2d_loops, conv_output_size,
                         convolve2d, im2col, window_products)
from dlbook.figures import explore, load_data, load_manifest, show
from dlbook.lenet import LeNet, LeNetConfig
from dlbook.mlp import Dense
from dlbook.pooling import LECTURE_POOL_INPUT, avg_pool2d, max_pool2d
from dlbook.receptive_field import receptive_fields, receptive_fields_of

seed_everything(0)

# %% [markdown]
# ## Why not a dense layer?
#
# A dense layer connects every input to every unit. For an image that means one weight per
# pixel per unit, and images have many pixels:

# %%
for name, (height, width, channels) in {"8×8 grey digit": (8, 8, 1),
                                        "224×224 colour photo": (224, 224, 3)}.items():
    inputs = height * width * channels
    layer = Dense(inputs, 100) if inputs < 10_000 else None
    weights = inputs * 100 + 100
    if layer is not None:
        assert weights == sum(p.numel() for p in layer.parameters())
    print(f"{name}: {inputs:,} inputs; a dense layer of 100 units needs {weights:,} parameters")
conv = Conv2d(3, 100, 3)
print(f"a convolutional layer of 100 filters of size 3×3 on a colour image: "
      f"{sum(p.numel() for p in conv.parameters()):,} parameters, whatever the image size")

# %% [markdown]
# Fifteen million parameters for the first layer alone is a lot to learn from a few
# thousand photographs, and the count is not the only problem. A dense layer **ignores
# space**: it treats pixel 1,000 and pixel 1,001 as unrelated inputs, so if the pixels of
# every image were shuffled in one fixed way it would learn exactly as well. What it learns
# about a cat's ear in the top-left corner it must learn again for an ear in the middle.
#
# Convolution replaces the dense layer with three ideas:
#
# - **local connections**: each unit looks only at a small patch of the image (a 3×3
#   window, say), since nearby pixels are what make up edges, corners and textures;
# - **shared weights**: the same small set of weights, the **kernel** or **filter**, is
#   used at every position, so a feature detector learned in one place works everywhere;
# - **several filters**: a layer has many kernels, each looking for its own pattern, and
#   each produces its own output image, a **feature map**.
#
# ## Convolution by hand
#
# Slide a 3×3 kernel over the image. At each position multiply the nine pixels under it
# by the nine kernel weights, add the products, and write the sum into the output. The
# lectures' example is a 5×5 binary image and an "x"-shaped kernel:

# %%
out = conv2d(LECTURE_IMAGE[None, None], LECTURE_KERNEL[None, None])[0, 0]  # (1, 1, 5, 5) -> (3, 3)
print("image:\n", LECTURE_IMAGE.int())
print("kernel:\n", LECTURE_KERNEL.int())
print("output:\n", out.int())

# %% [markdown]
# Here is the first output value worked out term by term. The kernel's window covers the
# top-left 3×3 block of the image; the products are the pixel times the weight, cell by
# cell:

# %%
first = window_products(LECTURE_IMAGE, LECTURE_KERNEL, 0, 0)
print("window:\n", first.window.int())
print("window ⊙ kernel:\n", first.products.int())
terms = " + ".join(f"{int(w)}·{int(k)}" for w, k in zip(first.window.flatten(), LECTURE_KERNEL.flatten(),
                                                       strict=True))
print(f"{terms} = {first.value:g}")

# %% [markdown]
# Only the four corners and the centre of the window count, because the kernel is zero
# elsewhere; four of those five pixels are 1, so the first value is 4. The output is
# smaller than the image: a 3×3 window fits in only three positions along each side of a
# 5×5 image. Point at any output cell below to see its window and its sum, computed in
# your browser:

# %%
explore("conv-worked-example")

# %% [markdown]
# The animation below slides the kernel over the image position by position and writes
# each sum into the output. Every number in it comes from `dlbook.conv`.
#
# {{ animation("ConvolutionSlide") }}
#
# `dlbook.conv` has two versions of this computation. `conv2d_loops` is the definition,
# one output position at a time, for reading:

# %%
print(inspect.getsource(conv2d_loops).split('"""')[2])

# %% [markdown]
# `conv2d` computes the same thing as one matrix product, which is how it is done for
# training. **im2col** copies every window into a column of a matrix, so that the
# convolution with all filters at all positions becomes (filters × window size) times
# (window size × positions). Both agree with PyTorch's `F.conv2d` on odd shapes, with
# several channels, a stride and padding:

# %%
x = torch.randn(2, 3, 7, 9, dtype=torch.float64)  # (N, C_in, H, W)
w = torch.randn(4, 3, 3, 2, dtype=torch.float64)  # (C_out, C_in, kH, kW)
b = torch.randn(4, dtype=torch.float64)
for version in (conv2d_loops, conv2d):
    torch.testing.assert_close(version(x, w, b, stride=2, padding=1), F.conv2d(x, w, b, stride=2, padding=1))
print("im2col columns:", tuple(im2col(x, (3, 2), stride=2, padding=1).shape),
      "-> output", tuple(conv2d(x, w, b, stride=2, padding=1).shape), "; both versions equal F.conv2d")

# %% [markdown]
# ### Deep learning's convolution is cross-correlation
#
# In mathematics and signal processing, convolution *flips* the kernel before sliding it:
# $(x * k)[i, j] = \sum_{u, v} x[i - u, j - v]\, k[u, v]$. What deep learning calls
# convolution, and what `F.conv2d` computes, slides the kernel without flipping it, which is
# **cross-correlation**. For a learned kernel the difference does not matter (the network
# would simply learn the flipped kernel), but it is worth knowing when reading papers. The
# lectures' kernels are symmetric, so flipping them changes nothing; an asymmetric kernel
# shows the difference. A single bright pixel makes it visible, because each operation
# stamps a copy of the kernel around it:

# %%
impulse = torch.zeros(1, 1, 5, 5)
impulse[0, 0, 2, 2] = 1.0
asymmetric = torch.tensor([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]])[None, None]
print("cross-correlation (conv2d) of a single bright pixel:\n",
      conv2d(impulse, asymmetric, padding=1)[0, 0, 1:4, 1:4].int())
print("convolution (convolve2d):\n", convolve2d(impulse, asymmetric, padding=1)[0, 0, 1:4, 1:4].int())
print("symmetric lecture kernel gives the same either way:",
      torch.equal(conv2d(LECTURE_IMAGE[None, None], LECTURE_KERNEL[None, None]),
                  convolve2d(LECTURE_IMAGE[None, None], LECTURE_KERNEL[None, None])))

# %% [markdown]
# Convolution stamps the kernel as it is; cross-correlation stamps it rotated by half a
# turn.
#
# ## Stride, padding, channels and the output size
#
# Three settings shape a convolutional layer's output.
#
# - **Padding** $p$ adds a border of zeros around the input, so the window can also sit
#   over the edge pixels. With $p = (k - 1)/2$ for an odd kernel size $k$ the output has
#   the input's size.
# - **Stride** $s$ moves the window $s$ pixels at a time, which shrinks the output by about
#   a factor $s$.
# - **Channels**: a colour image has three input channels, and a layer's output has one
#   channel per filter. Each filter spans all input channels: its kernel has shape
#   $C_\text{in} \times k \times k$, and it adds up the products over all of them.
#
# Along one axis of size $n$, the output size is
#
# $$
# n_\text{out} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1.
# $$

# %%
for n, k, s, p in [(5, 3, 1, 0), (5, 3, 1, 1), (8, 3, 2, 1), (224, 7, 2, 3), (28, 5, 1, 0)]:
    formula = conv_output_size(n, k, stride=s, padding=p)
    measured = conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p).shape[-1]
    print(f"n = {n:3}, k = {k}, s = {s}, p = {p}: output {formula:3} (measured {measured})")

# %% [markdown]
# The 224, 7, 2, 3 line is the first layer of many image classifiers: a 7×7 window with
# stride 2 halves a 224-pixel photograph to 112.
#
# ## Pooling
#
# A **pooling** layer summarises each small window of a feature map by one number, with no
# weights to learn. **Max pooling** keeps the largest value, **average pooling** the mean.
# With a 2×2 window and stride 2, each pooling halves the height and the width. The
# lectures' example pools a single 2×2 window:

# %%
print("max pool of\n", LECTURE_POOL_INPUT.int(), "\n=", max_pool2d(LECTURE_POOL_INPUT[None, None], 2).item())
feature_map = conv2d(LECTURE_IMAGE[None, None], LECTURE_KERNEL[None, None], padding=1)  # (1, 1, 5, 5)
print("a 5×5 feature map:\n", feature_map[0, 0].int())
print("2×2 max pooling, stride 2:\n", max_pool2d(feature_map, 2)[0, 0].int())
print("2×2 average pooling, stride 2:\n", avg_pool2d(feature_map, 2)[0, 0])

# %% [markdown]
# Pooling does two jobs. It shrinks the maps, so later layers see a larger part of the
# image for the same kernel size and cost less. And it makes the output less sensitive to
# exactly where a feature was found: if the strongest response moves by one pixel inside
# its window, the max does not change.
#
# {{ animation("MaxPooling") }}
#
# ## Filters on a photograph
#
# Before a network learns its filters, it helps to see what hand-made ones do. A **sharpen**
# kernel, $\begin{bmatrix}0&-1&0\\-1&5&-1\\0&-1&0\end{bmatrix}$, adds to each pixel the
# difference between it and its neighbours, which exaggerates edges. An **edge** kernel,
# $\begin{bmatrix}0&1&0\\1&-4&1\\0&1&0\end{bmatrix}$ (a discrete Laplacian), gives zero
# wherever the image is flat and responds only where the brightness changes. Pick a kernel
# to see its output on a photograph that ships with matplotlib:

# %%
explore("conv-photo-kernels")

# %% [markdown]
# ## What a trained network learns
#
# A convolutional network stacks these pieces: convolution, a nonlinearity, pooling, and
# again, then a dense layer or two to classify. Each stage sees a larger part of the image
# and combines the features of the stage before: in large networks trained on photographs,
# the first layer's filters respond to edges and colour blobs, the next to corners and
# textures, later ones to parts of objects and finally to whole objects. LeNet (LeCun et
# al. 1998) read handwritten digits this way; `dlbook.lenet.LeNet` is a small version of
# it for the 8×8 digits that ship with scikit-learn:

# %%
model = LeNet(LeNetConfig())
print(model)
for name, shape in model.feature_shapes:
    print(f"{name:8} {shape}")
print("parameters per layer:", model.parameter_counts(), "total", model.num_parameters())

# %% [markdown]
# The figure pipeline trains it with Adam on the 1000 training digits and freezes the
# result; the page reads what the run recorded. Its learning curves:

# %% alt="Line plot of LeNet's accuracy on the digits over 30 epochs, with a grey line at the final test accuracy. Training accuracy (dashed) climbs to the top of the chart, and validation accuracy rises quickly and levels off just below it, close to the test line."
lenet = load_data("lenet-digits")
epochs = range(1, len(lenet["curves"]["acc"]) + 1)
fig, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
ax.plot(epochs, lenet["curves"]["acc"], linestyle="--", label="training")
ax.plot(epochs, lenet["curves"]["val_acc"], label="validation")
ax.axhline(lenet["test_accuracy"], color="0.5", linewidth=1, label="test, after training")
ax.set_xlabel("epoch")
ax.set_ylabel("accuracy")
ax.set_ylim(0.5, 1.005)
ax.legend(frameon=False)
ax.grid(alpha=0.3)
plt.show()
metrics = load_manifest("lenet-digits")["metrics"]
print(f"{lenet['parameters']} parameters; test accuracy {metrics['test_accuracy']:.1%} "
      f"(validation {metrics['val_accuracy']:.1%}, training {metrics['train_accuracy']:.1%})")

# %% [markdown]
# The explorable shows the first layer's six 3×3 filters and the six feature maps they
# produce on one test digit, epoch by epoch (red and blue are positive and negative in
# the static figure; the explorable uses one colour scale for both). Move the slider and
# follow one filter: it starts as random numbers, and training reshapes it into a small
# pattern of positive and negative weights; its map shows where on the digit that
# pattern is found. On 8×8 digits a 3×3 filter covers a large part of a stroke, so these
# filters are cruder than the edge detectors of networks trained on large photographs.

# %%
explore("lenet-digits")

# %% [markdown]
# ## Receptive fields
#
# A unit in the first layer sees a 3×3 patch. A unit in the second layer sees a 3×3 patch
# of the first layer's maps, each of which saw a 3×3 patch of the image, so it sees a
# larger region of the input: its **receptive field**. Along one axis, layer $l$ with
# kernel $k_l$, stride $s_l$ and padding $p_l$ grows the field size $r$ and the distance
# $j$ between neighbouring units' fields as
#
# $$
# r_l = r_{l-1} + (k_l - 1)\, j_{l-1}, \qquad j_l = j_{l-1}\, s_l, \qquad r_0 = j_0 = 1.
# $$

# %%
for name, field in receptive_fields_of(model):
    print(f"{name:12} receptive field {field.size:2} pixels, jump {field.jump}, first pixel {field.start}")

# %% [markdown]
# Each unit of the last feature maps sees a 10×10 region: more than the whole 8×8 digit,
# with the padding. The formula can be checked without trusting it: the input pixels a
# unit can see are exactly those whose gradient can be non-zero. With positive weights
# (so that no contributions cancel) and a plain convolution stack:

# %%
stack = torch.nn.Sequential(Conv2d(1, 1, 3), Conv2d(1, 1, 3, stride=2), Conv2d(1, 1, 3))
for layer in stack:
    torch.nn.init.uniform_(layer.weight, 0.1, 1.0)
image = torch.rand(1, 1, 15, 15, requires_grad=True)
stack(image)[0, 0, 0, 0].backward()  # one output unit
rows = image.grad[0, 0].abs().sum(dim=1).nonzero().flatten()
field = receptive_fields([(3, 1, 0), (3, 2, 0), (3, 1, 0)])[-1]
print(f"closed form: {field.size} pixels starting at {field.start}; gradient reaches rows "
      f"{rows.min().item()} to {rows.max().item()}")

# %% [markdown]
# ## Translation equivariance
#
# Because the same kernel is used at every position, shifting the input shifts the output
# by the same amount: convolution is **translation equivariant**. (Up to the border, where
# padding takes the place of the pixels that moved out.)

# %%
x = torch.zeros(1, 1, 10, 10)
x[0, 0, 2:5, 2:5] = torch.rand(3, 3)
shifted = torch.roll(x, shifts=(3, 2), dims=(2, 3))
k = torch.randn(1, 1, 3, 3)
print("conv(shift(x)) == shift(conv(x)):",
      torch.allclose(conv2d(shifted, k, padding=1), torch.roll(conv2d(x, k, padding=1), (3, 2), (2, 3))))

# %% [markdown]
# Pooling then turns some of that equivariance into *invariance*: small shifts stop
# changing the output at all. A dense layer has neither property. The difference shows on
# a task made for it: 8×8 digits pasted at random positions on a larger blank canvas. A
# small CNN and a multilayer perceptron with about as many parameters train on the same
# canvases for the same number of epochs:

# %%
show("translation-canvas")

# %%
canvas = load_manifest("translation-canvas")["metrics"]
for net in ("cnn", "mlp"):
    print(f"{net.upper()}: {canvas[net + '_parameters']:,.0f} parameters, training accuracy "
          f"{canvas[net + '_train_accuracy']:.1%}, test accuracy {canvas[net + '_test_accuracy']:.1%}")

# %% [markdown]
# With the same budget of parameters, the CNN reads a digit wherever it lands, because
# each of its filters is tried at every position and the pooling layers pass on the
# strongest response wherever it was. The MLP must learn a separate detector for every
# place a stroke can fall; with so few parameters it cannot even fit its training
# canvases, let alone new ones. Equivariance is not free knowledge the network discovers:
# it is built into the architecture, and on data where position does not matter it is
# worth more than any amount of extra width.

# %% [markdown]
# ## Summary
#
# - A dense layer on an image needs one weight per pixel per unit and ignores which pixels
#   are neighbours; a convolutional layer uses small kernels shared across all positions,
#   so its parameter count does not depend on the image size.
# - A convolution slides a kernel over the input and writes one sum of products per
#   position; the lectures' 5×5 example gives `[[4, 3, 4], [2, 4, 3], [2, 3, 4]]`. Deep
#   learning's convolution is cross-correlation: the kernel is not flipped.
# - The output size along an axis is $\lfloor (n + 2p - k)/s \rfloor + 1$; each filter spans
#   all input channels and produces one output channel.
# - Max and average pooling summarise windows without weights; they shrink the maps and
#   make the output tolerant of small shifts.
# - A LeNet of 1590 parameters learns the 8×8 digits; its first-layer filters and their
#   feature maps can be read directly, and stacking layers grows the receptive field,
#   $r_l = r_{l-1} + (k_l - 1) j_{l-1}$.
# - Convolution is translation equivariant; on digits at random positions a small CNN beats
#   an MLP with as many parameters.
#
# ## Exercises
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 1 · Another output cell by hand</p>
#
# Compute the output cell in the middle of the worked example (row 1, column 1, counting
# from 0) by hand, then check it with `window_products`.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# The window is rows 1 to 3 and columns 1 to 3 of the image. The kernel keeps its corners
# and centre: $1 + 1 + 1 + 0 + 1 = 4$ (top-left, top-right, centre, bottom-left,
# bottom-right).
#
# ```python
# middle = window_products(LECTURE_IMAGE, LECTURE_KERNEL, 1, 1)
# print(middle.window.int(), middle.value)
# assert middle.value == 4.0
# ```
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 2 · Parameters and output shapes</p>
#
# A layer reads a 32×32 colour image (3 channels) with 16 filters of size 5×5, stride 1 and
# no padding, followed by 2×2 max pooling. Give the number of parameters and the output
# shape after each step, and check with `Conv2d` and `max_pool2d`.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Each filter has $3 \cdot 5 \cdot 5 = 75$ weights and a bias: $16 \cdot 76 = 1216$
# parameters. The output size is $(32 - 5)/1 + 1 = 28$, so the convolution gives
# $16 \times 28 \times 28$, and pooling halves it to $16 \times 14 \times 14$.
#
# ```python
# layer = Conv2d(3, 16, 5)
# maps = layer(torch.zeros(1, 3, 32, 32))
# pooled = max_pool2d(maps, 2)
# print(sum(p.numel() for p in layer.parameters()), tuple(maps.shape), tuple(pooled.shape))
# assert sum(p.numel() for p in layer.parameters()) == 1216
# assert maps.shape == (1, 16, 28, 28) and pooled.shape == (1, 16, 14, 14)
# ```
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 3 · A kernel that finds vertical edges</p>
#
# Design a 3×3 kernel that responds strongly to a vertical boundary between a dark left half
# and a bright right half, and gives zero on flat regions. Apply it with `conv2d` to a 6×6
# image with that boundary, and to the same image turned by a quarter turn.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# The weights must sum to zero (flat regions give zero) and weigh the right column against
# the left one, as in the Sobel kernel:
#
# ```python
# kernel = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])[None, None]
# step_image = torch.zeros(1, 1, 6, 6)
# step_image[..., 3:] = 1.0  # dark left half, bright right half
# print(conv2d(step_image, kernel)[0, 0])
# print(conv2d(step_image.transpose(2, 3), kernel)[0, 0])  # a horizontal boundary
# assert conv2d(step_image, kernel).abs().max() == 4.0
# assert conv2d(step_image.transpose(2, 3), kernel).abs().max() == 0.0
# ```
#
# The kernel fires (value 4) in the two columns of windows that straddle the boundary and
# gives zero elsewhere; on the turned image, whose boundary is horizontal, it gives zero
# everywhere. A second filter, the transposed kernel, would be needed for horizontal
# edges: this is why a layer has several filters.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 4 · How far does a deep stack see?</p>
#
# How many 3×3 convolutions with stride 1 must be stacked for a unit to see a 15×15 region?
# What if every second layer has stride 2? Use `receptive_fields`.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# With stride 1 every layer adds $k - 1 = 2$ pixels, so $L$ layers see $1 + 2L$: seven
# layers reach 15. With strides the jump doubles and later layers add more per layer:
#
# ```python
# plain = receptive_fields([(3, 1, 1)] * 7)
# strided = receptive_fields([(3, 1, 1), (3, 2, 1)] * 3)
# print([f.size for f in plain])
# print([f.size for f in strided])
# assert plain[-1].size == 15
# ```
#
# In the strided stack each stride-2 layer doubles the jump, so the layers after it add 4,
# then 8 pixels: the sizes run 3, 5, 9, 13, 21, 29, and the field passes 15 pixels after
# five layers instead of seven, at a quarter of the resolution.
#
# </details>
#
# ## References
#
# - K. Fukushima, "Neocognitron: a self-organizing neural network model for a mechanism of
#   pattern recognition unaffected by shift in position", *Biological Cybernetics* 36
#   (1980), [doi:10.1007/BF00344251](https://doi.org/10.1007/BF00344251).
# - Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning applied to
#   document recognition", *Proceedings of the IEEE* 86 (1998),
#   [doi:10.1109/5.726791](https://doi.org/10.1109/5.726791): LeNet-5.
# - A. Krizhevsky, I. Sutskever and G. E. Hinton, "ImageNet classification with deep
#   convolutional neural networks", NeurIPS 2012: AlexNet.
# - M. D. Zeiler and R. Fergus, "Visualizing and understanding convolutional networks",
#   ECCV 2014, [arXiv:1311.2901](https://arxiv.org/abs/1311.2901): what the layers learn.
# - V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning" (2016),
#   [arXiv:1603.07285](https://arxiv.org/abs/1603.07285): output sizes, stride and padding.
# - W. Luo, Y. Li, R. Urtasun and R. Zemel, "Understanding the effective receptive field in
#   deep convolutional neural networks", NeurIPS 2016,
#   [arXiv:1701.04128](https://arxiv.org/abs/1701.04128).
