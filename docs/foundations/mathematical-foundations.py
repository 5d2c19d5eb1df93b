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
# # Mathematical foundations
#
# Take away the vocabulary and a neural network is a function: numbers go in, numbers
# come out. Three kinds of mathematics do nearly all the work inside it. The first is
# *linear algebra*: inputs, weights and activations are stored as arrays, and a layer
# combines them mostly through one operation, the matrix product. The second is
# *calculus*: a network learns by adjusting its weights a little at a time, and the
# derivative is what tells it which way to adjust each one and by how much. The third
# is *probability*: a network's outputs are read as probabilities, and the losses it
# is trained with are, almost all of them, negative log-likelihoods.
#
# This chapter covers exactly that toolkit and nothing more: tensors and their shapes,
# elementwise operations and the matrix product, derivatives and their rules, the chain
# rule, the gradient and the Jacobian; then expectation and variance, the Bernoulli,
# categorical and Gaussian distributions, their likelihoods, and the principle of
# maximum likelihood. Every formula comes with code. A few pieces are written from
# scratch in the book's library (`dlbook.calculus`, `dlbook.jacobian`,
# `dlbook.probability`), and each one is checked against PyTorch's own version. When a
# twenty-line implementation and PyTorch agree to many digits, you can trust both the
# code and your understanding of the formula.

# %%
import inspect
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch.autograd.functional import jacobian

from dlbook import seed_everything
from dlbook.calculus import matmul, numerical_derivative, numerical_gradient
from dlbook.jacobian import numerical_jacobian
from dlbook.probability import (
    bernoulli_log_likelihood,
    bernoulli_mle,
    categorical_log_likelihood,
    categorical_mle,
    gaussian_log_likelihood,
    gaussian_mle,
)

seed_everything(0)

# %% [markdown]
# ## Tensors: scalars, vectors, matrices and beyond
#
# A *tensor* is a rectangular block of numbers. Two attributes describe its layout:
# `ndim`, the number of axes (how many indices you need to pick out one number), and
# `shape`, the length of each axis. The familiar objects of linear algebra are the first
# few cases:
#
# - a **scalar** has no axes: it is a single number $x$;
# - a **vector** has one axis, $\mathbf{x} \in \mathbb{R}^n$ with entries $x_1, \dots, x_n$;
# - a **matrix** has two axes, $W \in \mathbb{R}^{n \times m}$ with entry $W_{ij}$ in row $i$ and column $j$;
# - anything with three or more axes is simply called a tensor.

# %%
scalar = torch.tensor(3.5)
vector = torch.tensor([1.0, -2.0, 0.5])
matrix = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
cube = torch.arange(24.0).reshape(2, 3, 4)

for name, t in [("scalar", scalar), ("vector", vector), ("matrix", matrix), ("3-D", cube)]:
    print(f"{name:<7} ndim={t.ndim}  shape={tuple(t.shape)}")

# %% [markdown]
# A shape is read from the outermost axis inwards: `(2, 3)` is two rows of three
# entries each, and `matrix[1, 2]` is the entry in the second row and third column
# (Python counts from zero). Checking shapes is the single most useful debugging habit
# in deep learning; a large share of the bugs you will meet are a tensor with the right
# numbers laid out along the wrong axes.
#
# ### A batch of images
#
# A greyscale image is a matrix of pixel brightnesses. Networks rarely see one example
# at a time: they process a *batch* of examples together, which is both faster on
# parallel hardware and gives steadier learning signals. Stacking images into a batch
# adds axes. PyTorch's convention for images is $(B, C, H, W)$: batch size, colour
# channels, height and width. Here is a batch of 32 random greyscale images of
# $20 \times 20$ pixels.

# %%
images = torch.rand(32, 1, 20, 20)  # (B, C, H, W)
print("shape:", tuple(images.shape), " ndim:", images.ndim, " numbers:", images.numel())

# %% [markdown]
# ### Reshaping
#
# The simplest kind of layer, the fully connected layer of the next chapters, expects
# each example as one flat vector of features. `reshape` regroups the same numbers into
# a new shape without changing them or their order; the total count of numbers must
# stay the same. Passing `-1` for one axis asks PyTorch to work that length out. A small
# example first shows that the entries are laid out row by row:

# %%
t = torch.arange(6)
print(t.reshape(2, 3))
print(t.reshape(3, 2))

# %% [markdown]
# Flattening the batch keeps the batch axis and merges the other three, so every image
# becomes one row of $C \cdot H \cdot W$ pixel features:

# %%
batch_size = images.shape[0]
X = images.reshape(batch_size, -1)  # (B, C*H*W): one row of pixel features per image
print("X.shape:", tuple(X.shape))
print("row 0 is image 0, flattened:", torch.equal(X[0], images[0].flatten()))

# %% [markdown]
# The result is a matrix with one row per image, the layout a fully connected layer
# consumes. Later chapters on convolutional networks keep the $(B, C, H, W)$ layout
# instead, because flattening throws away which pixels are neighbours.
#
# ## Elementwise operations and the matrix product
#
# ### Elementwise operations
#
# The arithmetic operators `+`, `-`, `*` and `/` act *entry by entry* on tensors of the
# same shape: $(A \odot B)_{ij} = A_{ij} B_{ij}$ for the product, which is also called the
# Hadamard product. When the shapes differ but are compatible, PyTorch *broadcasts* the
# smaller tensor, for example adding a vector to every row of a matrix. That is exactly
# how a layer adds its bias to every example in a batch.

# %%
A = torch.tensor([[1, 2, 3], [4, 5, 6]])
print("A * A  (elementwise):\n", A * A)
bias = torch.tensor([10, 20, 30])
print("A + bias  (bias added to each row):\n", A + bias)

# %% [markdown]
# ### The dot product
#
# The dot product of two vectors of equal length multiplies matching entries and adds
# the results:
#
# $$\mathbf{u} \cdot \mathbf{v} = \sum_{i=1}^{n} u_i v_i .$$
#
# A single artificial neuron is built around it: the neuron scales each input by its
# own weight, adds everything up and shifts the total by a bias,
# $z = \mathbf{w} \cdot \mathbf{x} + b$. The dot product also has a geometric meaning
# that we will need for the gradient:
# $\mathbf{u} \cdot \mathbf{v} = \lVert \mathbf{u} \rVert \, \lVert \mathbf{v} \rVert \cos\theta$,
# where $\theta$ is the angle between the two vectors.

# %%
w = torch.tensor([0.5, -1.0, 2.0])
x = torch.tensor([3.0, 1.0, 0.25])
b = 0.1
print("sum of products + b:", (w * x).sum().item() + b)
print("torch.dot(w, x) + b:", torch.dot(w, x).item() + b)

# %% [markdown]
# ### The matrix product
#
# The product $C = AB$ of a matrix $A$ with a matrix $B$ is defined entry by entry:
#
# $$C_{ij} = \sum_{k} A_{ik} B_{kj} .$$
#
# In words, entry $(i, j)$ of the result is the dot product of **row $i$ of $A$** with
# **column $j$ of $B$**. For that dot product to make sense, a row of $A$ and a column of
# $B$ must have the same length, which gives the shape rule
#
# $$\underbrace{(n, k)}_{A} \times \underbrace{(k, m)}_{B} \;\to\; \underbrace{(n, m)}_{C} .$$
#
# The inner lengths must agree and disappear; the outer lengths survive. Here is the
# from-scratch version in `dlbook.calculus`, printed from the library's source file:

# %%
print(inspect.getsource(matmul))

# %% [markdown]
# Now a worked example. We multiply
#
# $$A = \begin{bmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \end{bmatrix}, \qquad
# B = \begin{bmatrix} 10 & 11 \\ 20 & 21 \\ 30 & 31 \end{bmatrix}$$
#
# once with our `matmul` and once with PyTorch's `@` operator, and let
# `torch.testing.assert_close` confirm that the two agree (it raises an error if any
# entry differs).

# %%
A = torch.tensor([[1, 2, 3], [4, 5, 6]])
B = torch.tensor([[10, 11], [20, 21], [30, 31]])
C_ours = matmul(A, B)
C_torch = A @ B
print("matmul(A, B) =\n", C_ours)
print("A @ B =\n", C_torch)
torch.testing.assert_close(C_ours, C_torch)
print("shapes:", tuple(A.shape), "x", tuple(B.shape), "->", tuple(C_ours.shape))

# %% [markdown]
# To see the definition at work, the next cell spells out every entry as its sum of
# products, taking the numbers from the tensors themselves:

# %%
n, m = C_ours.shape
for i in range(n):
    for j in range(m):
        terms = " + ".join(f"{A[i, k].item()}*{B[k, j].item()}" for k in range(A.shape[1]))
        print(f"C[{i},{j}] = {terms} = {C_ours[i, j].item()}")

# %% [markdown]
# A word of warning about a common slip, which also appears in one set of lecture notes
# this book draws on: the product of a $2 \times 3$ matrix and a $3 \times 2$ matrix is
# sometimes written down as a single number. It cannot be: by the shape rule the result
# is a $2 \times 2$ matrix, and the single number is only its top-left entry.

# %%
B2 = torch.tensor([[7, 8], [9, 10], [11, 12]])
C2 = A @ B2
print("A @ B2 =\n", C2)
print("shape:", tuple(C2.shape), " top-left entry only:", C2[0, 0].item())

# %% [markdown]
# When the inner lengths do not match, there is no product. Our `matmul` refuses early
# with a message that names the shapes it expected and the ones it got; PyTorch's `@`
# refuses too, in its own words. Multiplying $A$ by its *transpose* $A^\top$ (rows and
# columns swapped) fixes the shapes, and shows in passing that the order of the factors
# matters: $AB$ and $BA$ are in general different, here not even of the same shape.

# %%
try:
    matmul(A, A)
except ValueError as err:
    print("ValueError:", err)
try:
    A @ A
except RuntimeError as err:
    print("RuntimeError:", err)

print("A @ A.T:", tuple((A @ A.T).shape), "  A.T @ A:", tuple((A.T @ A).shape))
print("A @ B:  ", tuple((A @ B).shape), "  B @ A:  ", tuple((B @ A).shape))

# %% [markdown]
# ### Why networks are built from matrix products
#
# A layer of neurons computes one weighted sum per neuron, and a batch contains many
# examples. With the examples as the rows of $X$ (shape $(B, d_{\text{in}})$) and each
# neuron's weights as a column of $W$ (shape $(d_{\text{in}}, d_{\text{out}})$), *all* those
# weighted sums come out of a single matrix product:
#
# $$Z = XW + \mathbf{b}, \qquad Z_{ij} = \sum_{k} X_{ik} W_{kj} + b_j = \mathbf{x}_i \cdot \mathbf{w}_j + b_j .$$
#
# Using the flattened image batch from above and a layer with 10 neurons:

# %%
d_in, d_out = X.shape[1], 10
W = torch.randn(d_in, d_out) * 0.05  # (d_in, d_out): one column of weights per neuron
b = torch.zeros(d_out)  # (d_out,): one bias per neuron, broadcast over the batch
Z = X @ W + b  # (B, d_in) @ (d_in, d_out) -> (B, d_out)
print("X:", tuple(X.shape), " W:", tuple(W.shape), " Z:", tuple(Z.shape))
# entry (i, j) is neuron j's weighted sum for image i
print("Z[0, 3] equals x_0 . w_3 + b_3:", torch.isclose(Z[0, 3], X[0] @ W[:, 3] + b[3]).item())

# %% [markdown]
# ## Derivatives
#
# ### The derivative as a limit
#
# The derivative of a function $f$ at a point $x$ measures how strongly the output
# reacts to a tiny change of the input. It is defined as the limit of a ratio of
# changes:
#
# $$f'(x) = \frac{df}{dx}(x) = \lim_{h \to 0} \frac{f(x + h) - f(x)}{h} .$$
#
# Geometrically it is the slope of the tangent line to the graph at $x$. Practically it
# is a local prediction: for a small step $\Delta x$,
#
# $$f(x + \Delta x) \approx f(x) + f'(x)\, \Delta x .$$
#
# This is why training needs derivatives. The loss of a network is a function of each
# of its weights; the sign of the derivative says whether increasing a weight raises or
# lowers the loss, and its size says how sensitive the loss is to that weight.
#
# ### Finite differences
#
# The definition suggests a way to *estimate* a derivative: stop the limit at a small
# but finite $h$. The one-sided (forward) quotient above has an error proportional to
# $h$. A better recipe looks symmetrically on both sides of $x$:
#
# $$f'(x) \approx \frac{f(x + h) - f(x - h)}{2h} .$$
#
# Expanding $f(x \pm h)$ as Taylor series shows why: the terms in $f''(x)$ cancel, and
# the error shrinks like $h^2$ instead of $h$. This *central difference* is what
# `numerical_derivative` computes:

# %%
print(inspect.getsource(numerical_derivative))

# %% [markdown]
# How small should $h$ be? Let us measure. The derivative of $e^x$ is $e^x$ itself, so
# at $x = 1$ we know the exact answer and can compute the error of both recipes for a
# range of step sizes.

# %% alt="Log-log plot of the absolute error of forward and central differences against the step size h, which shrinks from 1e-1 to 1e-13. Both errors first fall, the central one faster, then bottom out (the central one lower) and climb again as rounding takes over."
x0 = 1.0
exact = math.exp(x0)
steps = [10.0**-p for p in range(1, 14)]
err_forward = [abs((math.exp(x0 + h) - math.exp(x0)) / h - exact) for h in steps]
err_central = [abs(numerical_derivative(math.exp, x0, h=h) - exact) for h in steps]

print(f"{'h':>8} {'forward error':>15} {'central error':>15}")
for h, ef, ec in zip(steps, err_forward, err_central, strict=True):
    print(f"{h:>8.0e} {ef:>15.2e} {ec:>15.2e}")
print("float64 machine epsilon:", torch.finfo(torch.float64).eps)

fig, ax = plt.subplots(figsize=(6, 3.6))
ax.loglog(steps, err_forward, "o-", label="forward difference")
ax.loglog(steps, err_central, "s-", label="central difference")
ax.set_xlabel("step size $h$")
ax.set_ylabel("absolute error")
ax.set_title("Error of finite differences for $(e^x)'$ at $x = 1$")
ax.invert_xaxis()
ax.grid(True, which="major", alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# Read the plot from left to right, as $h$ shrinks. At first both errors fall, the
# central one twice as steeply on these log axes (slope 2 against slope 1), exactly as the
# Taylor argument predicts. Then they turn around and grow again. The culprit is
# rounding: float64 keeps a fixed number of significant digits (its relative precision
# is the machine epsilon printed above), and subtracting two nearly equal values
# $f(x + h) - f(x - h)$ wipes out most of them before the division by $2h$ magnifies
# what is left. The best step balances the two effects, and the default $h = 10^{-5}$ of
# `numerical_derivative` sits near the bottom of the central curve.
#
# Precision matters even more in float32, the format networks are usually trained in.
# The same recipe with the same $h$ keeps far fewer correct digits there, which is why
# every numerical check in this book runs in float64:

# %%
for dtype in (torch.float32, torch.float64):
    estimate = numerical_derivative(torch.exp, torch.tensor(x0, dtype=dtype))
    print(f"{str(dtype):<14} estimate={estimate.item():.10f}  error={abs(estimate.item() - exact):.1e}")

# %% [markdown]
# ### Automatic differentiation
#
# Finite differences are an estimate. PyTorch offers something better: *automatic
# differentiation* (autograd). Mark a tensor with `requires_grad=True`, compute with it,
# and `torch.autograd.grad` returns the derivative of the result with respect to that
# tensor, exact up to rounding. Autograd records every operation on the way forward and
# then applies the chain rule (coming up below) backwards through the record; the
# backpropagation chapter builds that machinery by hand. The small helper below wraps it
# for functions of one number.

# %%
def autograd_derivative(f, x0: float) -> float:
    """f'(x0) by autograd, in float64."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = f(x)
    if not y.requires_grad:  # y never used x (a constant), so its derivative is zero
        return 0.0
    (dy_dx,) = torch.autograd.grad(y, x)
    return dy_dx.item()


print("autograd:          ", autograd_derivative(torch.exp, x0))
print("central difference:", numerical_derivative(math.exp, x0))
print("exact e^1:         ", exact)

# %% [markdown]
# ### The rules of differentiation
#
# Nobody differentiates from the limit definition every time. A handful of rules,
# each proved once from the definition, cover every function a network is made of:
#
# | rule | statement |
# | --- | --- |
# | constant | $\dfrac{d}{dx}\, c = 0$ |
# | constant multiple | $\dfrac{d}{dx}\, c f(x) = c f'(x)$ |
# | power | $\dfrac{d}{dx}\, x^n = n x^{n-1}$ |
# | sum | $\dfrac{d}{dx}\, \big(f(x) + g(x)\big) = f'(x) + g'(x)$ |
# | product | $\dfrac{d}{dx}\, f(x) g(x) = f'(x) g(x) + f(x) g'(x)$ |
# | quotient | $\dfrac{d}{dx}\, \dfrac{f(x)}{g(x)} = \dfrac{f'(x) g(x) - f(x) g'(x)}{g(x)^2}$ |
# | exponential | $\dfrac{d}{dx}\, e^x = e^x$ |
# | logarithm | $\dfrac{d}{dx}\, \ln x = \dfrac{1}{x}$ for $x > 0$ |
# | chain | $\dfrac{d}{dx}\, f\big(g(x)\big) = f'\big(g(x)\big)\, g'(x)$ |
#
# The next cell checks one example of each rule three ways: the derivative worked out
# by hand with the rule, the central difference, and autograd.

# %%
# (rule, f as text, f on tensors, f' worked out by hand with the rule)
RULES = [
    ("constant", "5", lambda x: torch.full_like(x, 5.0), lambda x: 0.0),
    ("const. multiple", "4 sin x", lambda x: 4 * torch.sin(x), lambda x: 4 * math.cos(x)),
    ("power", "x^5", lambda x: x**5, lambda x: 5 * x**4),
    ("sum", "x^2 + e^x", lambda x: x**2 + torch.exp(x), lambda x: 2 * x + math.exp(x)),
    ("product", "x^2 sin x", lambda x: x**2 * torch.sin(x),
     lambda x: 2 * x * math.sin(x) + x**2 * math.cos(x)),
    ("quotient", "sin x / (1 + x^2)", lambda x: torch.sin(x) / (1 + x**2),
     lambda x: (math.cos(x) * (1 + x**2) - math.sin(x) * 2 * x) / (1 + x**2) ** 2),
    ("exponential", "e^x", torch.exp, math.exp),
    ("logarithm", "ln x", torch.log, lambda x: 1 / x),
    ("chain", "ln(1 + x^2)", lambda x: torch.log(1 + x**2), lambda x: 2 * x / (1 + x**2)),
]

x0 = 0.7
print(f"derivatives at x = {x0}")
print(f"{'rule':<16}{'f(x)':<19}{'by hand':>14}{'finite diff.':>14}{'autograd':>14}{'max gap':>10}")
for rule, text, f, df in RULES:
    by_hand = df(x0)
    finite = numerical_derivative(f, torch.tensor(x0, dtype=torch.float64)).item()
    auto = autograd_derivative(f, x0)
    gap = max(abs(finite - by_hand), abs(auto - by_hand))
    print(f"{rule:<16}{text:<19}{by_hand:>14.9f}{finite:>14.9f}{auto:>14.9f}{gap:>10.1e}")

# %% [markdown]
# All three columns agree to every printed digit, and the last column shows how far
# apart they are at worst. You will seldom differentiate a network by hand, since
# autograd does it for you, but the rules are what autograd applies internally, and
# knowing them lets you sanity-check a result or spot a derivative that cannot be right.
#
# ## The chain rule
#
# Networks are *compositions*: each layer feeds the next. The chain rule says how to
# differentiate a function of a function. If $y = f(u)$ and $u = g(x)$, then
#
# $$\frac{dy}{dx} = \frac{dy}{du} \cdot \frac{du}{dx} = f'\big(g(x)\big)\, g'(x) .$$
#
# Rates of change multiply along the chain: if $u$ moves three times as fast as $x$, and
# $y$ moves twice as fast as $u$, then $y$ moves six times as fast as $x$.
#
# Take $y = \sin(x^2)$. The inner function is $u = x^2$ with $\frac{du}{dx} = 2x$; the
# outer is $y = \sin u$ with $\frac{dy}{du} = \cos u$. Multiplying the two local
# derivatives gives
#
# $$\frac{d}{dx} \sin(x^2) = \cos(x^2) \cdot 2x .$$

# %%
x0 = 1.2
u = x0**2
dy_du, du_dx = math.cos(u), 2 * x0
print(f"dy/du = cos(u) = {dy_du:.10f}")
print(f"du/dx = 2x     = {du_dx:.10f}")
print(f"product        = {dy_du * du_dx:.10f}")
print(f"finite diff.   = {numerical_derivative(lambda x: math.sin(x**2), x0):.10f}")
print(f"autograd       = {autograd_derivative(lambda x: torch.sin(x**2), x0):.10f}")

# %% [markdown]
# ### A neuron, differentiated
#
# Now a case that looks like deep learning. A single neuron with one input $x$, a
# weight $w$ and a bias $b$ computes an affine function and squashes it with the
# sigmoid $\sigma(z) = 1 / (1 + e^{-z})$:
#
# $$z = w x + b, \qquad \hat{y} = \sigma(z), \qquad L = (\hat{y} - y)^2 ,$$
#
# where $L$ is the squared error against a target $y$. Training asks how $L$ depends on
# the weight $w$. The chain rule answers by walking the computation backwards and
# multiplying one local derivative per step, using $\sigma'(z) = \sigma(z)\big(1 - \sigma(z)\big)$
# (Exercise 3 derives it):
#
# $$\frac{\partial L}{\partial w}
#   = \frac{\partial L}{\partial \hat{y}} \cdot \frac{\partial \hat{y}}{\partial z} \cdot \frac{\partial z}{\partial w}
#   = 2(\hat{y} - y) \cdot \sigma(z)\big(1 - \sigma(z)\big) \cdot x .$$
#
# (The curly $\partial$ marks a *partial* derivative: $L$ also depends on $b$, which
# is held fixed while we vary $w$. The next section makes this precise.)

# %%
x, y = 1.5, 1.0  # one input and its target
w0, b0 = 0.8, -0.5  # the neuron's current weight and bias


def loss(w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    y_hat = torch.sigmoid(w * x + b)  # ŷ = σ(wx + b)
    return (y_hat - y) ** 2  # L = (ŷ − y)²


# by hand: one local derivative per link of the chain
z = w0 * x + b0
y_hat = 1 / (1 + math.exp(-z))
dL_dyhat = 2 * (y_hat - y)
dyhat_dz = y_hat * (1 - y_hat)
dz_dw = x
print(f"dL/dy_hat = {dL_dyhat:.10f}")
print(f"dy_hat/dz = {dyhat_dz:.10f}")
print(f"dz/dw     = {dz_dw:.10f}")
print(f"dL/dw by the chain rule = {dL_dyhat * dyhat_dz * dz_dw:.10f}")

# numerically: vary w, hold b fixed
b_fixed = torch.tensor(b0, dtype=torch.float64)
dL_dw_finite = numerical_derivative(lambda w: loss(w, b_fixed), torch.tensor(w0, dtype=torch.float64))
print(f"dL/dw by finite diff.   = {dL_dw_finite.item():.10f}")

# autograd: one backward pass gives the derivatives for w and b together
w_t = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
b_t = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
dL_dw, dL_db = torch.autograd.grad(loss(w_t, b_t), (w_t, b_t))
print(f"dL/dw by autograd       = {dL_dw.item():.10f}")
print(f"dL/db by autograd       = {dL_db.item():.10f}   (by hand: {dL_dyhat * dyhat_dz:.10f})")

# %% [markdown]
# Notice that $\frac{\partial L}{\partial b}$ reuses the first two factors of the chain
# and only swaps the last one ($\frac{\partial z}{\partial b} = 1$ instead of $x$). A
# real network has millions of weights arranged in many layers, and the same
# observation scales up: compute the shared factors once, from the loss backwards, and
# hand them down to every weight. That bookkeeping is **backpropagation**, and a later
# chapter builds it step by step. Everything it does is the chain rule you just used.
#
# ## Partial derivatives and the gradient
#
# A loss depends on all the weights at once, so we need derivatives of functions of
# many variables, $f : \mathbb{R}^n \to \mathbb{R}$. The *partial derivative* with respect
# to $x_i$ varies that one input and holds all the others fixed:
#
# $$\frac{\partial f}{\partial x_i}(\mathbf{x}) = \lim_{h \to 0} \frac{f(\mathbf{x} + h\,\mathbf{e}_i) - f(\mathbf{x})}{h},$$
#
# where $\mathbf{e}_i$ is the vector with a 1 in position $i$ and 0 elsewhere. Collecting
# all partial derivatives in a vector gives the **gradient**,
#
# $$\nabla f(\mathbf{x}) = \left( \frac{\partial f}{\partial x_1}, \frac{\partial f}{\partial x_2}, \dots, \frac{\partial f}{\partial x_n} \right),$$
#
# which has the same shape as $\mathbf{x}$: one entry per input. `numerical_gradient`
# estimates it as the definition suggests, nudging one entry at a time, with the
# central difference of the previous section in place of the one-sided quotient:

# %%
print(inspect.getsource(numerical_gradient))

# %% [markdown]
# That costs two evaluations of $f$ per entry of $\mathbf{x}$. For a network with
# millions of weights this would mean millions of forward passes for a single gradient,
# whereas backpropagation delivers the whole gradient for roughly the cost of one
# forward and one backward pass. Numerical gradients are therefore used only to *check*
# hand-written derivatives on small cases ("gradient checking"), which is exactly how
# the tests of this book's library use them.
#
# As a running example take an elongated, slightly tilted bowl,
#
# $$f(x_1, x_2) = x_1^2 + 3 x_2^2 + x_1 x_2, \qquad
# \nabla f(x_1, x_2) = \big( 2x_1 + x_2,\; x_1 + 6x_2 \big),$$
#
# where each partial derivative treats the other variable as a constant (so the
# cross term $x_1 x_2$ contributes $x_2$ to the first entry and $x_1$ to the second). We
# evaluate the gradient at the point $\mathbf{p} = (2, 1)$ three ways.

# %%
def f(x: torch.Tensor) -> torch.Tensor:
    """The bowl f(x1, x2) for x of shape (..., 2); returns shape (...)."""
    x1, x2 = x[..., 0], x[..., 1]
    return x1**2 + 3 * x2**2 + x1 * x2


def grad_by_hand(x: torch.Tensor) -> torch.Tensor:
    x1, x2 = x[..., 0], x[..., 1]
    return torch.stack([2 * x1 + x2, x1 + 6 * x2], dim=-1)  # ∇f = (2x₁ + x₂, x₁ + 6x₂)


p = torch.tensor([2.0, 1.0], dtype=torch.float64)
p_leaf = p.clone().requires_grad_(True)
(grad_auto,) = torch.autograd.grad(f(p_leaf), p_leaf)
grad_p = grad_by_hand(p)
print("by hand:           ", grad_p)
print("numerical_gradient:", numerical_gradient(f, p))
print("autograd:          ", grad_auto)

# %% [markdown]
# ### Picturing the gradient
#
# The figure draws the bowl from above as a contour map (each curve joins points of
# equal height) and places the gradient as an arrow at every point of a coarse grid.
# The arrows for the whole grid come from a single autograd call: each grid point's
# value depends only on its own coordinates, so the gradient of the *sum* of all values
# with respect to the grid holds every point's own gradient.

# %% alt="Contour map of the tilted elliptical bowl f = x1^2 + 3 x2^2 + x1 x2, with small black gradient arrows that cross the contours at right angles and grow longer away from the minimum at the origin. At the point p = (2, 1) a red arrow points uphill and an orange one downhill, and the downhill arrow misses the dotted straight line to the minimum."
# fine grid for the contours, coarse grid for the arrows
side = torch.linspace(-3, 3, 201, dtype=torch.float64)
G1, G2 = torch.meshgrid(side, side, indexing="xy")
heights = f(torch.stack([G1, G2], dim=-1))  # (201, 201)

coarse = torch.linspace(-2.7, 2.7, 13, dtype=torch.float64)
A1, A2 = torch.meshgrid(coarse, coarse, indexing="xy")
arrow_points = torch.stack([A1, A2], dim=-1).requires_grad_(True)  # (13, 13, 2)
(arrow_grads,) = torch.autograd.grad(f(arrow_points).sum(), arrow_points)  # (13, 13, 2)

fig, ax = plt.subplots(figsize=(6.6, 6.2))
filled = ax.contourf(G1, G2, heights, levels=20, cmap="Blues", alpha=0.75)
ax.contour(G1, G2, heights, levels=20, colors="steelblue", linewidths=0.6)
fig.colorbar(filled, ax=ax, label="$f(x_1, x_2)$", shrink=0.8)
spacing = (coarse[1] - coarse[0]).item()
scale = arrow_grads.norm(dim=-1).max().item() / (0.95 * spacing)  # longest arrow ≈ one grid step
ax.quiver(A1, A2, arrow_grads[..., 0], arrow_grads[..., 1], color="0.1",
          angles="xy", scale_units="xy", scale=scale, width=0.0035)
# at p: the gradient (uphill) and its negative (downhill), drawn with length 1.2
direction = grad_p / grad_p.norm()
for sign, color, label in [(1, "tab:red", r"$\nabla f(\mathbf{p})$, uphill"),
                           (-1, "tab:orange", r"$-\nabla f(\mathbf{p})$, downhill")]:
    ax.annotate("", xy=(p + sign * 1.2 * direction).tolist(), xytext=p.tolist(),
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2.5, "mutation_scale": 18})
    ax.plot([], [], color=color, lw=2.5, label=label)  # legend entry for the arrow
ax.plot([p[0], 0], [p[1], 0], ":", color="0.3", lw=1.5, label="straight line to the minimum")
ax.plot(*p, "o", color="tab:red", markersize=7)
ax.plot(0, 0, "*", color="gold", markeredgecolor="black", markersize=15, label="minimum")
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.set_title(r"Gradient arrows on the bowl $f = x_1^2 + 3x_2^2 + x_1 x_2$")
ax.set_aspect("equal")
fig.legend(loc="lower center", ncol=2, frameon=False)
fig.subplots_adjust(bottom=0.16)
plt.show()

to_minimum = -p / p.norm()  # unit vector from p towards the minimum at the origin
miss = math.degrees(math.acos((-direction @ to_minimum).item()))
print(f"angle between the downhill direction at p and the direction to the minimum: {miss:.1f} degrees")

# %% [markdown]
# The black arrows are drawn to scale, so their length shows the size of the gradient;
# the two coloured arrows at $\mathbf{p}$ only show directions. Three things stand out.
# Every arrow crosses the contour lines at a right angle. The arrows point uphill and
# are longest where the contours are packed tightly, that is, where the surface is
# steepest. And because the bowl is elongated, the downhill direction
# $-\nabla f(\mathbf{p})$ does *not* aim at the minimum: it misses by the angle printed
# under the figure. Keep that picture in mind for the chapters on optimization.
#
# ### The direction of steepest ascent
#
# Standing at $\mathbf{x}$ and stepping in the direction of a unit vector $\mathbf{u}$,
# how fast does $f$ change? That rate is the *directional derivative*, the ordinary
# derivative of the one-variable function $t \mapsto f(\mathbf{x} + t\mathbf{u})$ at
# $t = 0$. The chain rule turns it into a dot product with the gradient, and the
# geometric form of the dot product finishes the argument:
#
# $$D_{\mathbf{u}} f(\mathbf{x}) = \frac{d}{dt} f(\mathbf{x} + t\mathbf{u}) \Big|_{t=0}
#   = \nabla f(\mathbf{x}) \cdot \mathbf{u}
#   = \lVert \nabla f(\mathbf{x}) \rVert \cos\theta ,$$
#
# where $\theta$ is the angle between $\mathbf{u}$ and the gradient. The cosine is
# largest at $\theta = 0$. So among all directions, **the gradient points where $f$
# increases fastest**, and the fastest rate is the gradient's length
# $\lVert \nabla f \rVert$. The opposite direction, $-\nabla f$, is the direction of
# steepest *descent*, and perpendicular directions (along a contour line) leave $f$
# unchanged to first order.
#
# We can test this claim without using the gradient at all. For 360 evenly spaced
# directions around $\mathbf{p}$, the next cell measures the directional derivative
# with `numerical_derivative` applied to $t \mapsto f(\mathbf{p} + t\mathbf{u})$, then
# finds the direction where it is largest.

# %%
angles = torch.arange(360, dtype=torch.float64) * (2 * math.pi / 360)  # one-degree steps
U = torch.stack([torch.cos(angles), torch.sin(angles)], dim=-1)  # (360, 2) unit vectors


def slope_along(u: torch.Tensor) -> torch.Tensor:
    """D_u f(p): the derivative of the one-variable function t ↦ f(p + t u) at t = 0."""
    return numerical_derivative(lambda t: f(p + t * u), torch.tensor(0.0, dtype=torch.float64))


D = torch.stack([slope_along(u) for u in U])  # (360,)

best = D.argmax()
grad_angle = math.degrees(math.atan2(grad_p[1].item(), grad_p[0].item()))
print(f"steepest direction found:  {math.degrees(angles[best].item()):7.2f} degrees")
print(f"direction of the gradient: {grad_angle:7.2f} degrees")
print(f"largest rate of increase:  {D.max().item():.6f}")
print(f"length of the gradient:    {grad_p.norm().item():.6f}")
print(f"largest rate of decrease:  {D.min().item():.6f}")
print(f"max |D_u f - grad f . u| over all 360 directions: {(D - U @ grad_p).abs().max().item():.1e}")

# %% alt="Line plot of the rate of change of f at p against the direction of the unit vector u, from 0 to 360 degrees. The finite-difference curve and the dot product coincide in one cosine wave, peaking in the gradient's direction and bottoming out, equally far below zero, opposite it."
fig, ax = plt.subplots(figsize=(6.4, 3.4))
degrees = torch.rad2deg(angles)
ax.plot(degrees, D, lw=2.5, label=r"$D_{\mathbf{u}} f(\mathbf{p})$, finite differences")
ax.plot(degrees, U @ grad_p, "k--", lw=1, label=r"$\nabla f(\mathbf{p}) \cdot \mathbf{u}$")
ax.axvline(grad_angle, color="tab:red", lw=1, label="direction of the gradient")
ax.axhline(0, color="0.6", lw=0.8)
ax.set_xlabel(r"direction of $\mathbf{u}$ (degrees)")
ax.set_ylabel("rate of change of $f$")
ax.set_xticks(range(0, 361, 45))
ax.set_xlim(0, 359)
ax.legend(loc="lower left", fontsize=8)
plt.show()

# %% [markdown]
# The measured curve is a cosine: it peaks in the direction of the gradient, where it
# reaches the gradient's length, bottoms out in the opposite direction, and crosses zero
# in the two directions along the contour line. The numerical search lands on the
# gradient's direction up to the one-degree spacing of the directions we tried.
#
# ### Downhill: a first look at gradient descent
#
# Training wants the loss to go *down*, so it steps against the gradient. With a small
# step size $\eta$ (the *learning rate*, `lr` in code) the update is
#
# $$\mathbf{x} \leftarrow \mathbf{x} - \eta\, \nabla f(\mathbf{x}) ,$$
#
# and the first-order approximation $f(\mathbf{x} - \eta \nabla f) \approx f(\mathbf{x}) - \eta \lVert \nabla f \rVert^2$
# promises a decrease whenever the gradient is not zero and $\eta$ is small enough. The
# next cell takes a single step from $\mathbf{p}$ with several learning rates and compares
# the new value of $f$ with that prediction.

# %%
print(f"f(p) = {f(p).item():.4f}")
print(f"{'lr':>6} {'f after the step':>17} {'first-order guess':>18}")
for lr in [0.001, 0.01, 0.05, 0.1, 0.5]:
    p_next = p - lr * grad_p  # one step against the gradient
    guess = f(p) - lr * grad_p.norm() ** 2  # f(p) − η‖∇f(p)‖²
    print(f"{lr:>6} {f(p_next).item():>17.4f} {guess.item():>18.4f}")

# %% [markdown]
# For the smallest learning rates the value falls by almost exactly the amount the
# first-order formula predicts. As `lr` grows, the formula becomes too optimistic,
# because it ignores how the bowl curves upwards, and the largest step in the table
# overshoots the valley so badly that $f$ ends up *higher* than where it started.
# Choosing the learning rate is a real trade-off. Repeating this step over and over is
# **gradient descent**, the engine of neural-network training, which gets its own
# chapter later in the book: there $\mathbf{x}$ becomes the network's weights,
# $f$ becomes the loss, and backpropagation supplies the gradient.
#
# ## Vector-valued functions and the Jacobian
#
# A layer does not produce one number but a vector of them: it maps $\mathbf{x} \in
# \mathbb{R}^n$ to $\mathbf{y} = \mathbf{f}(\mathbf{x}) \in \mathbb{R}^m$. Its derivative
# must then say how each of the $m$ outputs reacts to each of the $n$ inputs, which is
# $m \times n$ partial derivatives. Arranged as a matrix they form the **Jacobian**,
#
# $$J_{\mathbf{f}}(\mathbf{x}) = \begin{bmatrix}
#   \dfrac{\partial f_1}{\partial x_1} & \cdots & \dfrac{\partial f_1}{\partial x_n} \\
#   \vdots & \ddots & \vdots \\
#   \dfrac{\partial f_m}{\partial x_1} & \cdots & \dfrac{\partial f_m}{\partial x_n}
# \end{bmatrix}, \qquad \big(J_{\mathbf{f}}\big)_{ij} = \frac{\partial f_i}{\partial x_j} .$$
#
# Row $i$ is the gradient of the single output $f_i$, laid on its side; column $j$ says
# how all the outputs move when input $j$ is nudged. The gradient of a function with
# one output is the special case $m = 1$, a single row. The Jacobian plays the role the
# derivative played for one variable: for a small step $\boldsymbol{\Delta}$,
#
# $$\mathbf{f}(\mathbf{x} + \boldsymbol{\Delta}) \approx \mathbf{f}(\mathbf{x}) + J_{\mathbf{f}}(\mathbf{x})\, \boldsymbol{\Delta} ,$$
#
# the best *linear* approximation of $\mathbf{f}$ near $\mathbf{x}$. Two Jacobians turn up
# in every network. An affine map $\mathbf{f}(\mathbf{x}) = W\mathbf{x} + \mathbf{b}$ has
# $\partial f_i / \partial x_j = W_{ij}$, so its Jacobian is $W$ itself, the same at every
# point. (Here one input is a column vector and $W$ has one *row* per output, as
# PyTorch stores a layer's weights; the batch form $Z = XW + \mathbf{b}$ above stored
# one neuron per column. The two are transposes of each other.) An elementwise function such as $\tanh$ applied to a vector has output $i$
# depending on input $i$ only, so its Jacobian is diagonal, with the ordinary
# derivatives $\tanh'(x_i) = 1 - \tanh^2(x_i)$ on the diagonal.
#
# ### The chain rule for vectors
#
# For a composition $\mathbf{x} \mapsto \mathbf{g}(\mathbf{x}) \mapsto \mathbf{f}(\mathbf{g}(\mathbf{x}))$,
# with $\mathbf{g} : \mathbb{R}^n \to \mathbb{R}^k$ and $\mathbf{f} : \mathbb{R}^k \to \mathbb{R}^m$,
# a small step $\boldsymbol{\Delta}$ of the input moves $\mathbf{g}$ by about
# $J_{\mathbf{g}} \boldsymbol{\Delta}$, which in turn moves $\mathbf{f}$ by about
# $J_{\mathbf{f}} (J_{\mathbf{g}} \boldsymbol{\Delta})$. So the Jacobians multiply:
#
# $$J_{\mathbf{f} \circ \mathbf{g}}(\mathbf{x}) = J_{\mathbf{f}}\big(\mathbf{g}(\mathbf{x})\big)\; J_{\mathbf{g}}(\mathbf{x}),
#   \qquad (m \times k)(k \times n) \to (m \times n) .$$
#
# This is the chain rule of the one-variable case with numbers replaced by matrices,
# and the shape rule of the matrix product checks that the sizes fit. Entry by entry
# it reads $\partial f_i / \partial x_j = \sum_l (\partial f_i / \partial g_l)(\partial g_l / \partial x_j)$:
# input $j$ influences output $i$ through every intermediate value $g_l$, and the
# influences along the different paths add up.
#
# Here is a small example: a layer $\mathbf{g}(\mathbf{x}) = \tanh(W\mathbf{x} + \mathbf{b})$
# from $\mathbb{R}^2$ to $\mathbb{R}^3$, followed by $\mathbf{f}(\mathbf{h}) = (h_1 h_2,\; h_2 + h_3^2)$
# from $\mathbb{R}^3$ to $\mathbb{R}^2$. By hand, $J_{\mathbf{g}} = \operatorname{diag}(1 - \mathbf{h}^2)\, W$
# (the diagonal Jacobian of $\tanh$ times the Jacobian $W$ of the affine map, the chain
# rule once already), and
#
# $$J_{\mathbf{f}}(\mathbf{h}) = \begin{bmatrix} h_2 & h_1 & 0 \\ 0 & 1 & 2h_3 \end{bmatrix} .$$
#
# The next cell multiplies the two and compares the product with the Jacobian of the
# composition computed in two independent ways: by PyTorch's
# `torch.autograd.functional.jacobian`, and by central differences with
# `dlbook.jacobian.numerical_jacobian`, which nudges one input at a time and records
# the change of every output as a column.

# %%
W1 = torch.tensor([[1.0, -2.0], [0.5, 1.5], [-1.0, 0.3]], dtype=torch.float64)  # (3, 2)
b1 = torch.tensor([0.1, -0.2, 0.3], dtype=torch.float64)  # (3,)


def g(x: torch.Tensor) -> torch.Tensor:
    return torch.tanh(W1 @ x + b1)  # R² -> R³: a small layer


def f_out(h: torch.Tensor) -> torch.Tensor:
    return torch.stack([h[0] * h[1], h[1] + h[2] ** 2])  # R³ -> R²


x_point = torch.tensor([0.4, -0.7], dtype=torch.float64)
h = g(x_point)  # (3,)
h1, h2, h3 = h.tolist()
J_g = torch.diag(1 - h**2) @ W1  # (3, 2): diag(tanh') times W
J_f = torch.tensor([[h2, h1, 0.0], [0.0, 1.0, 2 * h3]], dtype=torch.float64)  # (2, 3)
J_chain = J_f @ J_g  # (2, 3) @ (3, 2) -> (2, 2): the chain rule

J_auto = jacobian(lambda x: f_out(g(x)), x_point)  # (2, 2), PyTorch
J_numerical = numerical_jacobian(lambda x: f_out(g(x)), x_point)  # (2, 2), finite differences
print("J_f @ J_g by hand:\n", J_chain)
print("torch.autograd.functional.jacobian:\n", J_auto)
print("numerical_jacobian:\n", J_numerical)
print(f"largest gap, by hand against autograd:            {(J_chain - J_auto).abs().max():.1e}")
print(f"largest gap, by hand against finite differences:  {(J_chain - J_numerical).abs().max():.1e}")
torch.testing.assert_close(jacobian(g, x_point), J_g)  # the layer's Jacobian alone agrees too

# %% [markdown]
# The three agree: autograd to rounding error, the finite differences to about ten
# decimal places. In a network the composition ends in a single
# number, the loss $L$, whose Jacobian is one row, the transposed gradient
# $\nabla L^\top$. By the chain rule the gradient with respect to the input is then a
# row vector multiplied by a chain of Jacobians,
# $\nabla_{\mathbf{x}} L^\top = \nabla_{\mathbf{y}} L^\top \, J_{\mathbf{f}} \, J_{\mathbf{g}}$.
# Multiplying from the left keeps every intermediate result a row vector, so the
# Jacobians of the layers never have to be formed in full, only their products with
# a vector. That order of work, from the loss back towards the input, is
# backpropagation again. The cell checks it on our example with the loss
# $L = \tfrac12 \lVert \mathbf{f}(\mathbf{g}(\mathbf{x})) \rVert^2$, for which
# $\nabla_{\mathbf{y}} L = \mathbf{y}$:

# %%
y_out = f_out(h)  # (2,)
grad_y = y_out  # ∇_y L for L = ½‖y‖²
grad_x_by_hand = (grad_y @ J_f) @ J_g  # (2,) @ (2, 3) -> (3,), then (3,) @ (3, 2) -> (2,)
x_leaf = x_point.clone().requires_grad_(True)
(grad_x_auto,) = torch.autograd.grad(0.5 * (f_out(g(x_leaf)) ** 2).sum(), x_leaf)
print("row vector times Jacobians:", grad_x_by_hand)
print("autograd:                  ", grad_x_auto)

# %% [markdown]
# ## Probability
#
# A classifier does not answer "cat", it answers "cat with probability 0.9"; a
# regression network's prediction is best read as the centre of a spread of plausible
# values; training data is a random sample from a larger world. Probability is the
# language for all three, and a handful of its ideas are enough for this book.
#
# ### Random variables, expectation and variance
#
# A **random variable** $X$ is a quantity whose value is left to chance, described by its
# **distribution**. For a *discrete* variable the distribution lists the probability
# $P(X = x)$ of every value, and these add up to 1. Two numbers summarise it. The
# **expectation** (or mean) is the probability-weighted average of the values,
#
# $$\mathbb{E}[X] = \sum_x x \, P(X = x),$$
#
# and the **variance** is the expected squared distance from it,
#
# $$\operatorname{Var}[X] = \mathbb{E}\big[(X - \mathbb{E}[X])^2\big] = \mathbb{E}[X^2] - \mathbb{E}[X]^2 ,$$
#
# whose square root, the **standard deviation**, is a typical size of the deviations.
# Take a fair die. The next cell computes both numbers from the definitions, and then
# estimates them from simulated rolls: the average of many independent draws of $X$
# approaches $\mathbb{E}[X]$ as the number of draws grows (the *law of large numbers*),
# which is why averages over data can stand in for expectations.

# %%
faces = torch.arange(1, 7, dtype=torch.float64)  # the values 1, ..., 6
p_face = torch.full((6,), 1 / 6, dtype=torch.float64)  # a fair die: P(X = x) = 1/6
mean_die = (faces * p_face).sum()  # E[X] = Σ x P(x)
var_die = ((faces - mean_die) ** 2 * p_face).sum()  # Var[X] = E[(X − E[X])²]
print(f"exact:  E[X] = {mean_die:.4f}   Var[X] = {var_die:.4f}   "
      f"(E[X²] − E[X]² = {(faces**2 * p_face).sum() - mean_die**2:.4f})")

g_die = torch.Generator().manual_seed(0)
for n in (10, 1_000, 100_000):
    die_rolls = torch.randint(1, 7, (n,), generator=g_die).double()  # n rolls of the die
    print(f"{n:>7} rolls: mean {die_rolls.mean():.4f}   variance {die_rolls.var(correction=0):.4f}")

# %% [markdown]
# With ten rolls the estimates are rough; with a hundred thousand they match the
# exact $3.5$ and $35/12$ to two or three decimals.
#
# A *continuous* variable, such as a height or a pixel's noise, takes values on a
# continuum, and any single value has probability zero. Its distribution is a
# **probability density** $p(x)$: the probability of an interval is the area under
# $p$ over it, the whole area is 1, and sums become integrals,
# $\mathbb{E}[X] = \int x\, p(x)\, dx$.
#
# ### Three distributions
#
# Almost every network in this book ends in one of three distributions, chosen to
# match the kind of target it predicts.
#
# | distribution | values | parameters | probability | mean | variance |
# | --- | --- | --- | --- | --- | --- |
# | Bernoulli | $y \in \{0, 1\}$ | $p = P(y = 1)$ | $p^y (1-p)^{1-y}$ | $p$ | $p(1-p)$ |
# | categorical | $y \in \{0, \dots, K-1\}$ | $\pi_0, \dots, \pi_{K-1}$, summing to 1 | $\pi_y$ | $\boldsymbol{\pi}$ (of the one-hot vector) | $\operatorname{diag}(\boldsymbol{\pi}) - \boldsymbol{\pi}\boldsymbol{\pi}^\top$ (a covariance matrix) |
# | Gaussian (normal) | $x \in \mathbb{R}$ | mean $\mu$, standard deviation $\sigma$ | $\dfrac{1}{\sqrt{2\pi\sigma^2}} e^{-(x-\mu)^2 / 2\sigma^2}$ | $\mu$ | $\sigma^2$ |
#
# The **Bernoulli** distribution describes one yes-or-no outcome, such as "this email is
# spam"; the compact formula $p^y (1-p)^{1-y}$ gives $p$ when $y = 1$ and $1 - p$ when
# $y = 0$. The **categorical** distribution describes one outcome out of $K$, such as
# "this digit is a 7", and is what a softmax layer outputs. Writing the outcome as a
# *one-hot* vector (a 1 in position $y$, zeros elsewhere), its mean is the vector of
# probabilities $\boldsymbol{\pi}$ itself, and its spread is a $K \times K$ covariance
# matrix rather than a single variance. The **Gaussian** describes a real number that
# scatters symmetrically around $\mu$, with spread $\sigma$; it is the usual model of
# measurement noise. The next cell checks each row of the table by sampling, and checks
# the Gaussian's normalisation, mean and variance by integrating its density
# numerically with the trapezoid rule.

# %% alt="Bar charts of a Bernoulli distribution with p = 0.3 (0.7 at y = 0, 0.3 at y = 1) and a categorical one over four classes (0.1, 0.2, 0.4, 0.3), beside a histogram of Gaussian samples. In the Gaussian panel, with mean 1 and standard deviation 0.5, the bell-shaped density curve traces the outline of the histogram."
g_dist = torch.Generator().manual_seed(1)
n = 100_000

p_coin = 0.3  # Bernoulli: P(y = 1)
coins = (torch.rand(n, generator=g_dist, dtype=torch.float64) < p_coin).double()  # n draws of 0 or 1
print(f"Bernoulli(p={p_coin}):  sample mean {coins.mean():.4f} (p = {p_coin}),  "
      f"sample variance {coins.var(correction=0):.4f} (p(1-p) = {p_coin * (1 - p_coin):.4f})")

pi = torch.tensor([0.1, 0.2, 0.4, 0.3], dtype=torch.float64)  # categorical over K = 4 classes
classes = torch.multinomial(pi, n, replacement=True, generator=g_dist)  # (n,) class indices
one_hot = F.one_hot(classes, num_classes=4).double()  # (n, 4)
print(f"categorical(pi={pi.tolist()}): mean of the one-hot vectors "
      f"{[round(v, 4) for v in one_hot.mean(dim=0).tolist()]}")
cov_gap = (torch.cov(one_hot.T, correction=0) - (torch.diag(pi) - torch.outer(pi, pi))).abs().max()
print(f"  largest gap between their covariance and diag(pi) - pi pi^T: {cov_gap:.4f}")

mu, sigma = 1.0, 0.5  # Gaussian: mean and standard deviation
grid = torch.linspace(mu - 10 * sigma, mu + 10 * sigma, 20_001, dtype=torch.float64)
density = torch.exp(-((grid - mu) ** 2) / (2 * sigma**2)) / math.sqrt(2 * math.pi * sigma**2)
area = torch.trapezoid(density, grid)  # ∫ p(x) dx
mean_int = torch.trapezoid(grid * density, grid)  # ∫ x p(x) dx
var_int = torch.trapezoid((grid - mean_int) ** 2 * density, grid)  # ∫ (x − E[X])² p(x) dx
draws = mu + sigma * torch.randn(n, generator=g_dist, dtype=torch.float64)
print(f"Gaussian(mu={mu}, sigma={sigma}): area {area:.6f}, mean {mean_int:.6f}, "
      f"variance {var_int:.6f} (sigma² = {sigma**2});  sample mean {draws.mean():.4f}, "
      f"sample variance {draws.var(correction=0):.4f}")

fig, axes = plt.subplots(1, 3, figsize=(10.0, 2.8), layout="constrained")
axes[0].bar([0, 1], [1 - p_coin, p_coin], color="tab:blue")
axes[0].set_xticks([0, 1])
axes[0].set_xlabel("$y$")
axes[0].set_title(f"Bernoulli, p = {p_coin}")
axes[0].set_ylabel("probability")
axes[1].bar(range(4), pi.tolist(), color="tab:blue")
axes[1].set_xticks(range(4))
axes[1].set_xlabel("$y$")
axes[1].set_title("categorical, K = 4")
axes[2].hist(draws, bins=80, density=True, color="0.8", label="histogram of the samples")
axes[2].plot(grid, density, color="tab:blue", label="the density formula")
axes[2].set_xlim(mu - 4 * sigma, mu + 4 * sigma)
axes[2].set_title(rf"Gaussian, $\mu$ = {mu}, $\sigma$ = {sigma}")
axes[2].set_xlabel("$x$")
axes[2].set_ylabel("density")
axes[2].legend(fontsize=8, loc="upper right")
plt.show()

# %% [markdown]
# Every sample estimate lands within a few thousandths of the formula in the table, and
# the integrals confirm that the Gaussian density has area 1, mean $\mu$ and variance
# $\sigma^2$. Note the difference in the vertical axes: the bars are probabilities, each
# at most 1, while the Gaussian curve is a density, whose *area* is a probability (its
# height can exceed 1 when $\sigma$ is small).
#
# ## Likelihood and maximum likelihood
#
# So far the parameters were given and we asked what data they produce. Learning asks
# the reverse: given data, which parameters explain it best? Suppose we observe
# $y_1, \dots, y_n$, independent draws from a distribution with parameters $\theta$.
# Independence means that their joint probability is the product of the single ones, and
# seen as a function of $\theta$ for the fixed data this product is the **likelihood**,
#
# $$\mathcal{L}(\theta) = \prod_{i=1}^{n} P(y_i ; \theta), \qquad
#   \log \mathcal{L}(\theta) = \sum_{i=1}^{n} \log P(y_i ; \theta) .$$
#
# The **maximum likelihood estimate** $\hat\theta$ is the $\theta$ that makes the observed
# data most probable. In practice one always works with the *log*-likelihood. The
# logarithm is increasing, so it has its maximum at the same $\theta$; it turns the
# product into a sum, which is easier to differentiate; and it avoids a numerical
# disaster, because a product of many probabilities quickly becomes too small for any
# floating-point format:

# %%
many = torch.full((2000,), 0.6)  # 2000 observations, each of probability 0.6, in float32
print("product of the probabilities:", many.prod().item())
print("sum of their logarithms:     ", many.log().sum().item())

# %% [markdown]
# The product underflows to exactly zero, so every parameter value would look equally
# (im)probable; the sum of logarithms is an ordinary number.
#
# ### A coin
#
# Ten tosses of a coin give seven heads ($y = 1$) and three tails. With $k$ heads in $n$
# tosses the Bernoulli log-likelihood is
#
# $$\log \mathcal{L}(p) = \sum_i \big[ y_i \log p + (1 - y_i) \log(1 - p) \big] = k \log p + (n - k) \log(1 - p) ,$$
#
# and setting its derivative $k/p - (n - k)/(1 - p)$ to zero gives $\hat p = k / n$: the
# maximum likelihood estimate is the fraction of heads, the answer intuition suggests.
# `dlbook.probability` has the log-likelihoods of this section and their maximisers in
# closed form; the cell evaluates the coin's log-likelihood on a grid of $p$, finds the
# top, and asks autograd for the slope there.

# %% alt="Line plot of the log-likelihood of 7 heads in 10 tosses against the coin's probability p of heads. The curve rises steeply from the left, has a single broad peak at p = 0.7, marked by a red line, and drops again towards p = 1."
tosses = torch.tensor([1, 0, 1, 1, 0, 1, 1, 0, 1, 1])  # 7 heads in 10 tosses
p_grid = torch.linspace(0.01, 0.99, 99, dtype=torch.float64)
log_lik = torch.stack([bernoulli_log_likelihood(tosses, p) for p in p_grid])
p_hat = bernoulli_mle(tosses.double())  # the fraction of heads
p_leaf = p_hat.clone().requires_grad_(True)
(slope,) = torch.autograd.grad(bernoulli_log_likelihood(tosses, p_leaf), p_leaf)
print(f"grid maximum at p = {p_grid[log_lik.argmax()]:.2f};  bernoulli_mle = {p_hat:.2f};  "
      f"slope of log L there = {slope:.1e}")
torch.testing.assert_close(  # the library's log-likelihood equals torch.distributions' one
    bernoulli_log_likelihood(tosses, 0.3), torch.distributions.Bernoulli(0.3).log_prob(tosses.float()).sum())

fig, ax = plt.subplots(figsize=(6.0, 3.0), layout="constrained")
ax.plot(p_grid, log_lik, color="tab:blue")
ax.axvline(p_hat.item(), color="tab:red", lw=1, label=r"$\hat p = k/n$")
ax.set_xlabel("$p$")
ax.set_ylabel(r"$\log \mathcal{L}(p)$")
ax.set_ylim(-25, 0)
ax.set_title("Log-likelihood of 7 heads in 10 tosses")
ax.legend()
plt.show()

# %% [markdown]
# The curve has a single peak, at $p = 0.7$, where its slope is zero up to rounding.
# The same reasoning, with the constraint that the probabilities add up to 1, gives
# the categorical estimate $\hat\pi_k = n_k / n$, the fraction of observations in class
# $k$; and for the Gaussian it gives the sample mean and the sample variance,
#
# $$\hat\mu = \frac{1}{n} \sum_i x_i, \qquad \hat\sigma^2 = \frac{1}{n} \sum_i (x_i - \hat\mu)^2 ,$$
#
# with $1/n$ rather than the $1/(n-1)$ of the unbiased estimate (Exercise 8 measures
# the difference). Formulas like these exist only for simple models. For a neural
# network there is no closed form, and the maximum is found the way this chapter has
# been preparing: by following the gradient. The next cell fits $\mu$ and $\sigma$ to
# 500 Gaussian samples both ways, by the formulas and by gradient descent on the
# negative log-likelihood (with $\sigma = e^{s}$, so that any real $s$ gives a valid
# positive $\sigma$). It also checks the categorical estimate on simulated rolls of a
# loaded die.

# %%
g_fit = torch.Generator().manual_seed(2)
data = 2.0 + 1.5 * torch.randn(500, generator=g_fit, dtype=torch.float64)  # drawn with mu = 2, sigma = 1.5
mu_hat, sigma_hat = gaussian_mle(data)

mu_t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)  # a poor first guess
s_t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)  # sigma = e^s = 1 to start
optimizer = torch.optim.Adam([mu_t, s_t], lr=0.05)
for step in range(500):
    optimizer.zero_grad()
    nll = -gaussian_log_likelihood(data, mu_t, s_t.exp()) / len(data)  # the mean negative log-likelihood
    nll.backward()
    optimizer.step()
print(f"closed form:      mu = {mu_hat:.4f}, sigma = {sigma_hat:.4f}")
print(f"gradient descent: mu = {mu_t.item():.4f}, sigma = {s_t.exp().item():.4f}")

loaded = torch.tensor([0.1, 0.1, 0.1, 0.1, 0.1, 0.5], dtype=torch.float64)  # a die that favours six
rolls = torch.multinomial(loaded, 600, replacement=True, generator=g_fit)  # faces 0..5 stand for 1..6
pi_hat = categorical_mle(rolls, 6)
print("categorical estimate from 600 rolls:", [round(v, 3) for v in pi_hat.tolist()])
print(f"log-likelihood of the rolls: estimate {categorical_log_likelihood(rolls, pi_hat):.1f}, "
      f"true die {categorical_log_likelihood(rolls, loaded):.1f}, "
      f"fair die {categorical_log_likelihood(rolls, torch.full((6,), 1 / 6, dtype=torch.float64)):.1f}")

# %% [markdown]
# Gradient descent finds the same $\hat\mu$ and $\hat\sigma$ as the formulas, to the
# printed digits. The categorical estimate is close to the true loaded die, and the log-likelihoods
# show the defining property of the estimate: it explains the observed rolls at least
# as well as any other distribution, even slightly better than the true one (it is
# fitted to these very rolls), and far better than a fair die.
#
# ### From likelihood to loss functions
#
# A network makes the idea conditional: instead of one $\theta$ for all data, it
# predicts the parameters of a distribution *for each input*, a probability
# $p_i = \sigma(z_i)$ for a yes-or-no label, class probabilities
# $\boldsymbol{\pi}_i = \operatorname{softmax}(\mathbf{z}_i)$, or a mean $\mu_i = \hat y_i$
# for a real target. Maximising the likelihood of the training labels is the same as
# minimising the mean negative log-likelihood, and for the three distributions that
# is, exactly, binary cross-entropy, cross-entropy, and (for a Gaussian with fixed
# $\sigma = 1$) half the squared error plus a constant:

# %%
g_loss = torch.Generator().manual_seed(3)
z = torch.randn(8, generator=g_loss, dtype=torch.float64)  # scores for 8 yes-or-no examples
y_bin = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
Z = torch.randn(8, 3, generator=g_loss, dtype=torch.float64)  # scores for 8 examples, 3 classes
y_cls = torch.tensor([0, 2, 1, 1, 0, 2, 2, 1])
y_hat = torch.randn(8, generator=g_loss, dtype=torch.float64)  # predictions of 8 real targets
y_real = torch.randn(8, generator=g_loss, dtype=torch.float64)

print(f"Bernoulli NLL  {-bernoulli_log_likelihood(y_bin, torch.sigmoid(z)) / 8:.6f}   "
      f"binary cross-entropy {F.binary_cross_entropy_with_logits(z, y_bin):.6f}")
print(f"categorical NLL {-categorical_log_likelihood(y_cls, torch.softmax(Z, dim=1)) / 8:.6f}   "
      f"cross-entropy {F.cross_entropy(Z, y_cls):.6f}")
print(f"Gaussian NLL   {-gaussian_log_likelihood(y_real, y_hat, 1.0) / 8:.6f}   "
      f"MSE / 2 + log(2 pi) / 2 {F.mse_loss(y_hat, y_real) / 2 + math.log(2 * math.pi) / 2:.6f}")

# %% [markdown]
# The pairs agree. The losses of the coming chapters are therefore not arbitrary
# recipes: each is the negative log-likelihood of the distribution that fits its
# target, and training a network by gradient descent on it is maximum likelihood
# estimation with the network as the model. The
# [loss functions](../neurons/loss-functions.py) chapter takes this idea as its
# starting point.

# %% [markdown]
# ## Summary
#
# - A tensor is a block of numbers described by its `shape` and `ndim`. Scalars,
#   vectors and matrices are tensors with 0, 1 and 2 axes; a batch of images is a 4-D
#   tensor of shape $(B, C, H, W)$, and `reshape` regroups it without changing the numbers.
# - Arithmetic operators act elementwise. The matrix product is different:
#   $C_{ij} = \sum_k A_{ik} B_{kj}$, each entry a dot product of a row with a column, with
#   the shape rule $(n, k) \times (k, m) \to (n, m)$. It is not commutative.
# - A layer applied to a batch is one matrix product plus a broadcast bias, $Z = XW + \mathbf{b}$.
# - The derivative $f'(x)$ is the limit of difference quotients. The central difference
#   estimates it with error $O(h^2)$ until float rounding takes over; use float64 for checks.
# - The differentiation rules (constant, power, sum, product, quotient, exponential,
#   logarithm, chain) agree with finite differences and with PyTorch's autograd.
# - The chain rule multiplies local derivatives along a composition; backpropagation is
#   the chain rule organised for a whole network.
# - The gradient $\nabla f$ collects the partial derivatives. It points in the direction of
#   steepest ascent, with rate $\lVert \nabla f \rVert$; gradient descent steps the other way.
# - A function from $\mathbb{R}^n$ to $\mathbb{R}^m$ has an $m \times n$ Jacobian of partial
#   derivatives; an affine map's Jacobian is its matrix, an elementwise function's is
#   diagonal. The chain rule multiplies Jacobians, $J_{f \circ g} = J_f J_g$, and
#   backpropagation evaluates that product from the loss's end, one row vector at a time.
# - The expectation is the probability-weighted mean and the variance the expected
#   squared deviation; averages of samples approach them. The Bernoulli (one yes/no),
#   categorical (one of $K$) and Gaussian (a real number) distributions cover the targets
#   of this book.
# - The likelihood is the probability of the observed data as a function of the
#   parameters; work with its logarithm. Maximising it gives the fraction of ones, the
#   class frequencies, and the sample mean and ($1/n$) variance; for a network the
#   maximum is found by gradient descent on the negative log-likelihood, which for the
#   three distributions is binary cross-entropy, cross-entropy and half the squared error
#   (plus a constant).
#
# ## Exercises
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 1 · Predict the shapes</p>
#
# A batch holds 16 colour images (3 channels) of $28 \times 28$ pixels. Write down, before
# running anything, the shape of (a) the batch as a tensor, (b) the batch flattened to
# one row per image, (c) the output of a layer with 10 neurons applied to (b). Then check
# your answers in code, and find out which of `X @ W` and `W @ X` is a valid product.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# The batch is $(B, C, H, W)$; flattening keeps $B$ and merges the rest into
# $C \cdot H \cdot W$ features; the layer maps those features to 10 outputs per image.
#
# ```python
# images = torch.rand(16, 3, 28, 28)          # (B, C, H, W)
# X = images.reshape(16, -1)                  # (B, C*H*W)
# W = torch.randn(X.shape[1], 10)             # (C*H*W, 10)
# print(images.shape, X.shape, (X @ W).shape) # (B, 10) at the end
# try:
#     W @ X
# except RuntimeError as err:
#     print("W @ X fails:", err)
# ```
#
# Only `X @ W` works: its inner lengths are both $C \cdot H \cdot W$. In `W @ X` the inner
# lengths are 10 and 16, which do not match.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 2 · A matrix product without loops</p>
#
# `dlbook.calculus.matmul` loops over the entries $(i, j)$. Write `matmul_broadcast(A, B)`
# that uses no Python loop: form all products $A_{ik} B_{kj}$ at once as a tensor of shape
# $(n, k, m)$ by broadcasting, then sum over the middle axis. Check it against `A @ B` on
# random float64 matrices and on the worked example of this chapter.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Inserting an axis of length 1 with `None` lets broadcasting pair every $A_{ik}$ with
# every $B_{kj}$:
#
# ```python
# def matmul_broadcast(A, B):
#     products = A[:, :, None] * B[None, :, :]  # (n, k, 1) * (1, k, m) -> (n, k, m)
#     return products.sum(dim=1)                # C_ij = Σ_k A_ik B_kj  -> (n, m)
#
# A = torch.randn(4, 5, dtype=torch.float64)
# B = torch.randn(5, 3, dtype=torch.float64)
# torch.testing.assert_close(matmul_broadcast(A, B), A @ B)
#
# A = torch.tensor([[1, 2, 3], [4, 5, 6]])
# B = torch.tensor([[10, 11], [20, 21], [30, 31]])
# torch.testing.assert_close(matmul_broadcast(A, B), matmul(A, B))
# ```
#
# This is fast for small matrices but builds an $n \times k \times m$ intermediate
# tensor, far more memory than the $n \times m$ result. Real libraries use blocked
# algorithms that never store all the products.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 3 · The derivative of the sigmoid</p>
#
# Show that the sigmoid $\sigma(z) = \dfrac{1}{1 + e^{-z}}$ satisfies
# $\sigma'(z) = \sigma(z)\big(1 - \sigma(z)\big)$. Then confirm it in code on 101 points
# between $-6$ and $6$, comparing with `numerical_derivative` (which accepts a whole
# tensor of points for an elementwise function) and with autograd.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Write $\sigma(z) = (1 + e^{-z})^{-1}$ and apply the chain rule twice: the outer power
# gives $-(1 + e^{-z})^{-2}$, the inner function $1 + e^{-z}$ has derivative $-e^{-z}$. So
#
# $$\sigma'(z) = \frac{e^{-z}}{(1 + e^{-z})^2}
#   = \frac{1}{1 + e^{-z}} \cdot \frac{e^{-z}}{1 + e^{-z}}
#   = \sigma(z)\big(1 - \sigma(z)\big),$$
#
# because $\frac{e^{-z}}{1 + e^{-z}} = 1 - \frac{1}{1 + e^{-z}}$.
#
# ```python
# z = torch.linspace(-6, 6, 101, dtype=torch.float64)
# by_hand = torch.sigmoid(z) * (1 - torch.sigmoid(z))
# torch.testing.assert_close(numerical_derivative(torch.sigmoid, z), by_hand)
#
# z_leaf = z.clone().requires_grad_(True)
# (auto,) = torch.autograd.grad(torch.sigmoid(z_leaf).sum(), z_leaf)
# torch.testing.assert_close(auto, by_hand)
# ```
#
# Summing before calling autograd works for the same reason as the gradient arrows in
# the figure: each output depends on its own input only.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 4 · A second derivative by finite differences</p>
#
# The second derivative can be estimated by
# $f''(x) \approx \dfrac{f(x + h) - 2 f(x) + f(x - h)}{h^2}$. Implement
# `numerical_second_derivative(f, x, h)`, test it on $f = \sin$ at $x = 1$ (where
# $f''(x) = -\sin x$) for $h = 10^{-1}, 10^{-2}, \dots, 10^{-7}$ in float64, and explain
# why the best $h$ is larger than for the first derivative.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# def numerical_second_derivative(f, x, h):
#     # f''(x) ≈ (f(x + h) − 2 f(x) + f(x − h)) / h²
#     return (f(x + h) - 2 * f(x) + f(x - h)) / h**2
#
# for p in range(1, 8):
#     h = 10.0**-p
#     estimate = numerical_second_derivative(math.sin, 1.0, h)
#     print(f"h=1e-{p}  error={abs(estimate + math.sin(1.0)):.1e}")
# ```
#
# The truncation error again shrinks like $h^2$, but the rounding error in the numerator
# is now divided by $h^2$ rather than $h$, so it grows much faster as $h$ shrinks. The
# balance point moves to a larger $h$, and the best accuracy you can reach is worse than
# for the first derivative. The printed errors show both effects.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 5 · The gradient of a squared error</p>
#
# For a linear neuron with weights $\mathbf{w} \in \mathbb{R}^n$, one input $\mathbf{x}$ and
# target $y$, the squared error is $L(\mathbf{w}) = (\mathbf{w} \cdot \mathbf{x} - y)^2$.
# Derive $\nabla L(\mathbf{w})$ with the chain rule. Check your formula against
# `numerical_gradient` and autograd for random float64 $\mathbf{w}, \mathbf{x}$ and $y$,
# then take one gradient-descent step with `lr = 0.01` and confirm that the loss went down.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# With $r = \mathbf{w} \cdot \mathbf{x} - y$ we have $L = r^2$, $\frac{dL}{dr} = 2r$ and
# $\frac{\partial r}{\partial w_i} = x_i$, so $\nabla L(\mathbf{w}) = 2(\mathbf{w} \cdot \mathbf{x} - y)\,\mathbf{x}$.
#
# ```python
# g = torch.Generator().manual_seed(0)
# w = torch.randn(5, generator=g, dtype=torch.float64)
# x = torch.randn(5, generator=g, dtype=torch.float64)
# y = torch.tensor(1.0, dtype=torch.float64)
#
# def L(w):
#     return (w @ x - y) ** 2
#
# by_hand = 2 * (w @ x - y) * x
# torch.testing.assert_close(numerical_gradient(L, w), by_hand)
# w_leaf = w.clone().requires_grad_(True)
# (auto,) = torch.autograd.grad(L(w_leaf), w_leaf)
# torch.testing.assert_close(auto, by_hand)
#
# lr = 0.01
# print(L(w).item(), "->", L(w - lr * by_hand).item())  # the loss decreases
# ```
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 6 · Round bowls and long bowls</p>
#
# In the contour figure the downhill direction at $\mathbf{p}$ misses the minimum. For
# the round bowl $f(x_1, x_2) = x_1^2 + x_2^2$, show that $-\nabla f(\mathbf{x})$ always
# points exactly at the minimum. Then redraw the figure for that function by changing
# `f` and `grad_by_hand`, and for a much longer bowl such as $x_1^2 + 20 x_2^2$. What would
# repeated small steps against the gradient do on the long bowl?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# For the round bowl $\nabla f(\mathbf{x}) = 2\mathbf{x}$, so $-\nabla f(\mathbf{x}) = -2\mathbf{x}$
# is parallel to the vector from $\mathbf{x}$ to the minimum at the origin. Changing the
# two functions (and the figure's title, which names the old bowl) and running the
# cells of the gradient section again redraws the figure:
#
# ```python
# def f(x):
#     return x[..., 0] ** 2 + 20 * x[..., 1] ** 2
#
# def grad_by_hand(x):
#     return torch.stack([2 * x[..., 0], 40 * x[..., 1]], dim=-1)
# ```
#
# On the long bowl the arrows point almost straight across the narrow valley rather
# than along it. Small steps against the gradient first rush down the steep walls and
# then creep slowly along the flat valley floor; with larger steps they bounce from wall
# to wall. This behaviour motivates the improved optimizers (momentum, Adam) of later
# chapters.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 7 · The Jacobian of a two-layer network</p>
#
# A network with one hidden layer computes
# $\mathbf{y} = V \tanh(W\mathbf{x} + \mathbf{b}) + \mathbf{c}$ with $W$ of shape $(4, 3)$ and $V$
# of shape $(2, 4)$. Write its Jacobian with respect to $\mathbf{x}$ as a product of three
# matrices, state the shape of each, and check your formula at a random point against
# `torch.autograd.functional.jacobian`. Then find the Jacobian with respect to the bias
# $\mathbf{c}$ without computing anything.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# With $\mathbf{z} = W\mathbf{x} + \mathbf{b}$ and $\mathbf{h} = \tanh(\mathbf{z})$, the chain
# rule gives $J = V \, \operatorname{diag}\big(1 - \tanh^2(\mathbf{z})\big)\, W$, of shapes
# $(2, 4)(4, 4)(4, 3) \to (2, 3)$: one row per output, one column per input.
#
# ```python
# g = torch.Generator().manual_seed(0)
# W, b = torch.randn(4, 3, generator=g, dtype=torch.float64), torch.randn(4, generator=g, dtype=torch.float64)
# V, c = torch.randn(2, 4, generator=g, dtype=torch.float64), torch.randn(2, generator=g, dtype=torch.float64)
# x = torch.randn(3, generator=g, dtype=torch.float64)
#
# def net(x):
#     return V @ torch.tanh(W @ x + b) + c
#
# z = W @ x + b
# J_by_hand = V @ torch.diag(1 - torch.tanh(z) ** 2) @ W  # (2, 3)
# torch.testing.assert_close(J_by_hand, jacobian(net, x))
# ```
#
# The output depends on $\mathbf{c}$ through $\mathbf{y} = (\dots) + \mathbf{c}$ alone, so
# $\partial y_i / \partial c_j$ is 1 when $i = j$ and 0 otherwise: the Jacobian with respect to
# $\mathbf{c}$ is the $2 \times 2$ identity matrix.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 8 · The maximum likelihood variance is biased</p>
#
# The maximum likelihood estimate of a Gaussian's variance divides by $n$. Draw 100,000
# data sets of $n = 5$ samples from a standard Gaussian ($\sigma^2 = 1$), compute
# $\hat\sigma^2$ for each with `gaussian_mle`, and average. Compare with $(n - 1)/n$.
# What happens for $n = 50$, and why does the bias matter little for training networks?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# g = torch.Generator().manual_seed(0)
# for n in (5, 50):
#     samples = torch.randn(100_000, n, generator=g, dtype=torch.float64)  # one data set per row
#     var_hat = samples.var(dim=1, correction=0)  # what gaussian_mle gives, squared, for every row at once
#     print(n, var_hat.mean().item(), (n - 1) / n)
# ```
#
# The average of $\hat\sigma^2$ sits at about $(n-1)/n$ times the true variance, so with
# five samples it is a fifth too small on average: the estimate measures the spread
# around the sample mean $\hat\mu$, which is fitted to the same data and so lies closer
# to the samples than the true mean does. Dividing by $n - 1$ instead removes the
# bias. For $n = 50$ the factor is $0.98$, and for the thousands of examples a network is
# trained on the difference is negligible.
#
# </details>
#
# ## References
#
# - I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press (2016),
#   chapters 2 (linear algebra), 3 (probability) and 4 (numerical computation).
#   [deeplearningbook.org](https://www.deeplearningbook.org/)
# - M. P. Deisenroth, A. A. Faisal and C. S. Ong, *Mathematics for Machine Learning*,
#   Cambridge University Press (2020): vector calculus, Jacobians and probability.
#   [mml-book.github.io](https://mml-book.github.io/)
# - C. M. Bishop, *Pattern Recognition and Machine Learning*, Springer (2006), chapters 1
#   and 2: probability distributions and maximum likelihood.
# - R. A. Fisher, "On the mathematical foundations of theoretical statistics",
#   *Philosophical Transactions of the Royal Society A* 222 (1922): maximum likelihood.
#   [doi:10.1098/rsta.1922.0009](https://doi.org/10.1098/rsta.1922.0009)
# - A. Griewank and A. Walther, *Evaluating Derivatives: Principles and Techniques of
#   Algorithmic Differentiation*, 2nd edition, SIAM (2008): the chain rule in reverse
#   order, which is backpropagation. [doi:10.1137/1.9780898717761](https://doi.org/10.1137/1.9780898717761)
# - A. G. Baydin, B. A. Pearlmutter, A. A. Radul and J. M. Siskind, "Automatic
#   differentiation in machine learning: a survey", *Journal of Machine Learning
#   Research* 18 (2018). [arXiv:1502.05767](https://arxiv.org/abs/1502.05767)
# - N. J. Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd edition, SIAM
#   (2002): rounding error, and why finite differences lose digits.
#   [doi:10.1137/1.9780898718027](https://doi.org/10.1137/1.9780898718027)
# - A. Paszke et al., "Automatic differentiation in PyTorch", NIPS Autodiff Workshop
#   (2017). [openreview.net](https://openreview.net/forum?id=BJJsrmfCZ)
