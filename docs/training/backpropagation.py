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
# # Backpropagation
#
# A network learns by nudging each of its weights in the direction that lowers the loss.
# To do that it needs one number per weight: the partial derivative of the loss with
# respect to that weight. A small network has thousands of weights and a large one has
# billions, and the loss depends on all of them through a long chain of layers. The
# algorithm that delivers every one of these derivatives in a single sweep, at a cost
# comparable to running the network forward, is **backpropagation**.
#
# Backpropagation is nothing more than [the chain rule](../foundations/mathematical-foundations.py),
# applied in a clever order and with careful bookkeeping. The bookkeeping, known in
# numerical analysis as reverse-mode differentiation, is older than neural networks
# (Baydin et al. 2018 survey its history); the 1986 paper of Rumelhart, Hinton and
# Williams showed that it trains networks with hidden layers to find useful internal
# representations of their own, and made it the standard way to train them. This
# chapter builds it up in three stages: on a handful of scalar operations, on a tiny
# network that we also work through by hand, and on a whole multilayer perceptron in
# matrix form. Along the way every gradient is checked against PyTorch. By the end you should be able to:
#
# - draw the computational graph of an expression and name each node's local derivative;
# - explain backpropagation as messages passed from the loss back to the inputs;
# - derive the gradients of a small network by hand and confirm them in code;
# - write the backward pass of a dense layer in matrix form, with the shape of every term;
# - check any gradient with finite differences and read the relative error;
# - explain why a backward pass costs at most about two forward passes, and why gradients
#   can vanish or explode in deep networks;
# - explain why hidden units that start with equal weights stay equal, and choose the
#   scale of random initial weights (Xavier or He) from a layer's widths and activation.

# %%
import inspect
import math
import time

import matplotlib.pyplot as plt
import torch

from dlbook import seed_everything
from dlbook.activations import sigmoid_grad
from dlbook.autograd import Value
from dlbook.backprop import (
    activation_backward,
    activations_from_mlp,
    linear_backward,
    mlp_backward,
    mlp_forward,
    mlp_forward_backward,
    mse_backward,
    params_from_mlp,
    sgd_step,
)
from dlbook.calculus import numerical_gradient
from dlbook.datasets import moons
from dlbook.figures import show
from dlbook.figures import load_manifest
from dlbook.initialization import he_normal_, he_std, init_mlp_, preactivation_stds, xavier_normal_, xavier_std
from dlbook.losses import mse
from dlbook.metrics import binary_accuracy
from dlbook.mlp import MLP
from dlbook.trace import WIRING, trace_two_layer

seed_everything(0)
torch.set_num_threads(1)  # networks this small run faster on one CPU thread

# %% [markdown]
# ## Computational graphs
#
# ### Every number remembers where it came from
#
# Any computation a network performs, however large, is a sequence of small steps: a
# multiplication here, an addition there, a tanh at the end of a layer. Writing each
# step as a node and drawing an arrow from each input of the step to its output gives a
# **computational graph**. The inputs and the weights sit at the leaves; the loss sits at
# the root.
#
# The book's library contains a tiny engine that records this graph as it computes. Its
# class `dlbook.autograd.Value` wraps one float. Every arithmetic operation on `Value`s
# returns a new `Value` that remembers its inputs (its `children`) and the name of the
# operation (`op`). Here is one neuron with a tanh activation, one input and a squared
# error against a target of one:
#
# $$z = w x + b, \qquad a = \tanh(z), \qquad L = (a - y)^2 .$$

# %%
w = Value(0.6, label="w")
x = Value(2.0, label="x")
b = Value(-0.5, label="b")
y = 1.0  # the target, a plain constant

wx = w * x
wx.label = "wx"
z = wx + b
z.label = "z"
a = z.tanh()
a.label = "a"
e = a - y  # a − y is a + (−y): the engine adds a constant leaf for −y
e.label = "e"
e.children[1].label = "−y"
L = e**2
L.label = "L"

for node in L.topological_order():
    inputs = ", ".join(child.label for child in node.children) or "(leaf)"
    print(f"{node.label:>3} = {node.op or 'input':<5} of {inputs:<7}  data = {node.data:.4f}")

# %% [markdown]
# `topological_order()` lists the nodes so that each comes after everything it was
# computed from: that is the order of the *forward pass*. Reading the list from the
# bottom up gives the order of the backward pass.
#
# ### Local derivatives
#
# Each node is simple on its own, so it is easy to say how its output reacts to each of
# its inputs. These **local derivatives** are the ones from any calculus table:
#
# | operation | output | $\partial\,\text{out}/\partial p$ | $\partial\,\text{out}/\partial q$ |
# | --- | --- | --- | --- |
# | addition | $p + q$ | $1$ | $1$ |
# | multiplication | $p \, q$ | $q$ | $p$ |
# | square | $p^2$ | $2p$ | |
# | tanh | $\tanh p$ | $1 - \tanh^2 p$ | |
#
# In the engine, each operation stores a small backward function right next to its
# forward computation. Given the gradient arriving at the node's output, it multiplies
# by the local derivative and adds the result to each input's `grad`. So if we hand a
# node an incoming gradient of exactly one and run its backward function alone, each
# input receives precisely its local derivative. The helper below does that (it reaches
# for the engine's internal `_backward`, which is fine for a look under the hood) and
# restores everything afterwards:

# %%
def local_derivatives(node: Value) -> list[float]:
    """∂node/∂child for each child, read off the node's own backward function."""
    saved = [(v, v.grad) for v in (node, *node.children)]
    for child in node.children:
        child.grad = 0.0
    node.grad = 1.0  # an incoming gradient of 1 ...
    node._backward()  # ... so each child receives exactly its local derivative
    local = [child.grad for child in node.children]
    for v, grad in saved:
        v.grad = grad
    return local


for node in L.topological_order():
    if node.children:
        parts = ", ".join(f"∂{node.label}/∂{c.label} = {d:.4f}"
                          for c, d in zip(node.children, local_derivatives(node), strict=True))
        print(f"{node.label:>3} ({node.op}):  {parts}")

# %% [markdown]
# Check one line against the table: the multiplication node `wx` reports the value of
# `x` as its derivative with respect to `w`, and the value of `w` as its derivative with
# respect to `x`. No node knows anything about the rest of the graph. That locality is
# what makes the method scale.
#
# ## The chain rule as messages passed backward
#
# How does the loss react to the weight $w$? The chain rule says: multiply the local
# derivatives along the path from $w$ to $L$,
#
# $$\frac{\partial L}{\partial w}
#   = \frac{\partial L}{\partial e}\,\frac{\partial e}{\partial a}\,
#     \frac{\partial a}{\partial z}\,\frac{\partial z}{\partial (wx)}\,
#     \frac{\partial (wx)}{\partial w} .$$
#
# Backpropagation evaluates this product from the left. It starts at the root with
# $\partial L / \partial L = 1$ and walks the graph in reverse topological order. Every
# node, once it knows the gradient of the loss with respect to its own output, sends a
# **message** to each of its inputs: that gradient times the local derivative for that
# input. An input adds up the messages it receives. The running product is shared: the
# gradient at $z$ is computed once and then reused for $w$, $x$ and $b$ alike.
#
# `L.backward()` does exactly this. The cell below runs it and then prints the messages
# that travelled along each arrow, computed from the gradients and local derivatives
# the nodes now hold.

# %%
L.backward()

for node in reversed(L.topological_order()):
    for child, local in zip(node.children, local_derivatives(node), strict=True):
        message = node.grad * local
        print(f"{node.label:>2} -> {child.label:<3} "
              f"message = {node.grad:7.4f} × {local:7.4f} = {message:7.4f}")

print()
for leaf in (w, x, b):
    print(f"∂L/∂{leaf.label} = {leaf.grad:.6f}")

# %% [markdown]
# A picture makes the flow easier to follow. In the drawing below the forward pass runs
# from left to right; each box shows a node's value (black) and, after the backward pass,
# its gradient $\partial L/\partial\,\text{node}$ (red). The blue number on each arrow is
# the local derivative that the message is multiplied by on its way back.

# %% alt="Computational graph of one neuron, left to right: w times x, plus b, through tanh, plus -y, squared into the loss L. Each box shows its value and, in red, its gradient, starting from 1 at L, and blue numbers on the arrows give the local derivatives."
def draw_graph(root: Value, ax: plt.Axes) -> None:
    """Columns by depth (leaves just left of their first use); values, gradients, local derivatives."""
    order = root.topological_order()
    depth: dict[Value, int] = {}
    for node in order:  # inner nodes: one column right of their deepest input
        if node.children:
            depth[node] = 1 + max(depth.get(c, 0) for c in node.children)
    for node in reversed(order):  # leaves: one column left of the node that uses them
        if not node.children:
            depth[node] = min(depth[p] for p in order if node in p.children) - 1
    columns: dict[int, list[Value]] = {}
    for node in order:
        columns.setdefault(depth[node], []).append(node)
    pos = {n: (col, (len(nodes) - 1) / 2 - i) for col, nodes in columns.items()
           for i, n in enumerate(nodes)}
    style = {"ha": "center", "va": "center", "fontsize": 8, "family": "monospace"}
    boxes = {}
    for node, (px, py) in pos.items():
        lines = [f"{node.label} ({node.op})" if node.op else node.label, f"{node.data:.3g}",
                 f"grad {node.grad:.3g}"]
        width = max(len(line) for line in lines)
        boxes[node] = ax.text(px, py, f"{lines[0]:^{width}}\n{lines[1]:^{width}}\n{'':^{width}}", **style,
                              bbox={"boxstyle": "round", "fc": "white", "ec": "0.3"})
        ax.text(px, py, f"\n\n{lines[2]:^{width}}", color="tab:red", **style)  # over the blank line
    for node in order:
        for child, local in zip(node.children, local_derivatives(node), strict=True):
            # from the right edge of the input's box to the left edge of the node's box
            ax.annotate("", xy=(0, 0.5), xycoords=boxes[node], xytext=(1, 0.5), textcoords=boxes[child],
                        arrowprops={"arrowstyle": "->", "color": "0.5", "shrinkA": 5, "shrinkB": 5})
            (x0, y0), (x1, y1) = pos[child], pos[node]
            lift = 0.13 if y0 == y1 else 0.0  # keep the label off a horizontal arrow
            ax.text((x0 + x1) / 2 + 0.05, (y0 + y1) / 2 + lift, f"{local:.3g}", color="tab:blue",
                    ha="center", va="center", fontsize=9)
    ax.set(xlim=(-0.45, max(columns) + 0.45), ylim=(-0.8, 0.8))
    ax.axis("off")


fig, ax = plt.subplots(figsize=(10, 3.2))
draw_graph(L, ax)
ax.set_title("One neuron as a computational graph: values forward, gradients backward")
plt.show()

# %% [markdown]
# Follow one path: the gradient at $z$ equals the gradient at $a$ times the blue local
# derivative on the arrow between them, and the gradient at $w$ equals the one at `wx`
# times the value of $x$. Every gradient in the picture is the product of the local
# derivatives along its path to $L$.
#
# ### Fan-out: when a value is used twice
#
# In a network the same value often feeds several operations: an input feeds every
# neuron of the first layer, a hidden unit feeds every neuron of the next. A nudge to
# such a value changes the loss along *every* path it takes, and the effects add up
# (this is the multivariable chain rule). So a node that sends its value to several
# places receives several messages on the way back, and its gradient is their **sum**.
# That is why the engine writes `+=` into `grad` instead of `=`. In
# $f = p\,q + p$ the value $p$ is used twice, and $\partial f/\partial p = q + 1$:

# %%
p, q = Value(2.0, label="p"), Value(-3.0, label="q")
f = p * q + p
f.backward()
print(f"∂f/∂p = {p.grad}  (q + 1 = {q.data + 1})")
print(f"∂f/∂q = {q.grad}  (p = {p.data})")

# %% [markdown]
# ## A worked example: one step for a 2-2-1 network
#
# Now a real, if tiny, network. It has two inputs, two hidden units and one output, all
# linear (no activation function) and without biases, so that every step can be
# followed with pen and paper. The weights are numbered from the input side: $w_1, w_2$
# lead into the first hidden unit, $w_3, w_4$ into the second, and $w_5, w_6$ from the
# hidden units to the output.
#
# $$h_1 = w_1 x_1 + w_2 x_2, \qquad h_2 = w_3 x_1 + w_4 x_2, \qquad
#   \hat{y} = w_5 h_1 + w_6 h_2 .$$
#
# We train on a single example with inputs $x_1 = 2$, $x_2 = 3$ and target $y = 1$,
# starting from $w_1, \dots, w_6 = 0.11, 0.21, 0.12, 0.08, 0.14, 0.15$, with learning rate
# $\eta = 0.05$. The loss is half the squared error; the factor $\tfrac12$ is there only
# to cancel the 2 that differentiating the square brings down:
#
# $$L = \tfrac12 (\hat{y} - y)^2, \qquad \delta = \hat{y} - y, \qquad
#   \frac{\partial L}{\partial \hat{y}} = \delta .$$
#
# ### The derivation
#
# **Output weights.** $\hat{y}$ depends on $w_5$ only through the product $w_5 h_1$, so
# its local derivative is $h_1$, and the chain rule gives
#
# $$\frac{\partial L}{\partial w_5} = \frac{\partial L}{\partial \hat{y}}
#   \frac{\partial \hat{y}}{\partial w_5} = \delta\, h_1, \qquad
#   \frac{\partial L}{\partial w_6} = \delta\, h_2 .$$
#
# **Hidden units.** The message that reaches $h_1$ is $\delta$ times the local
# derivative $\partial \hat{y} / \partial h_1 = w_5$; similarly for $h_2$ with $w_6$:
#
# $$\frac{\partial L}{\partial h_1} = \delta\, w_5, \qquad
#   \frac{\partial L}{\partial h_2} = \delta\, w_6 .$$
#
# **Input weights.** $h_1 = w_1 x_1 + w_2 x_2$ has local derivatives $x_1$ and $x_2$ with
# respect to its weights, so
#
# $$\frac{\partial L}{\partial w_1} = \delta\, w_5\, x_1, \quad
#   \frac{\partial L}{\partial w_2} = \delta\, w_5\, x_2, \quad
#   \frac{\partial L}{\partial w_3} = \delta\, w_6\, x_1, \quad
#   \frac{\partial L}{\partial w_4} = \delta\, w_6\, x_2 .$$
#
# **The update.** Every weight then takes one step of gradient descent, scaled by the
# learning rate, and all six use the gradients computed from the *old* weights:
#
# $$w_k \leftarrow w_k - \eta\, \frac{\partial L}{\partial w_k}, \qquad k = 1, \dots, 6 .$$
#
# The learning rate belongs in every one of these updates. Without it, each weight would
# move by the full gradient, a step size chosen by accident rather than by us.
#
# ### The numbers
#
# `dlbook.trace.trace_two_layer` runs exactly this step, records every intermediate
# number, and spells the computation out line by line. Its defaults are the values
# above. First the forward pass and the error:

# %%
trace = trace_two_layer(x=(2.0, 3.0), w=(0.11, 0.21, 0.12, 0.08, 0.14, 0.15), target=1.0, lr=0.05)
lines = trace.steps()
for line in lines[:5]:
    print(line)

# %% [markdown]
# The animation runs these lines on a drawing of the network: each hidden unit adds up
# the inputs weighted by the edges that reach it, and the output does the same with the
# two hidden values.
#
# {{ animation("ForwardPass") }}
#
# The prediction is far below the target, so $\delta$ is negative: the loss would fall if
# $\hat{y}$ went up. Next the backward pass, from the output weights down to the input
# weights:

# %%
for line in lines[5:14]:
    print(line)

# %% [markdown]
# All six gradients are negative, so every weight is about to increase. This makes
# sense: all inputs and weights are positive, so raising any weight raises $\hat{y}$,
# which is what the error asks for. Finally the update and a second forward pass with
# the new weights.
#
# The second animation plays the whole step on the same drawing, from right to left:
# $\delta$ leaves the output, each weight's gradient is the message at its head times the
# value at its tail, the messages reach the hidden units and go on to the first layer's
# weights, and finally all six weights move against their gradients.
#
# {{ animation("BackwardPass") }}
#
# The lines of the update and the second forward pass:

# %%
for line in lines[14:]:
    print(line)
print(f"distance to the target: {abs(trace.y_hat - trace.target):.4f} before, "
      f"{abs(trace.new_y_hat - trace.target):.4f} after one step")

# %% [markdown]
# One step moved the prediction part of the way towards the target, and the loss fell.
# A single step does not go all the way: the gradient only describes the loss near the
# current weights, and the learning rate keeps each step short enough for that local
# picture to stay valid. Repeating the step closes the gap further (Exercise 3).
#
# ### Three computations that must agree
#
# We now compute the six gradients in three independent ways: (1) by evaluating the
# hand-derived formulas above on plain Python floats; (2) by building the network from
# `Value`s and calling `backward()`; (3) with PyTorch's `torch.autograd` in float64.

# %%
x1, x2, target, lr = 2.0, 3.0, 1.0, 0.05
w_init = dict(zip(WIRING, (0.11, 0.21, 0.12, 0.08, 0.14, 0.15), strict=True))

# (1) by hand: the formulas of the derivation
h1 = w_init["w1"] * x1 + w_init["w2"] * x2
h2 = w_init["w3"] * x1 + w_init["w4"] * x2
delta = w_init["w5"] * h1 + w_init["w6"] * h2 - target
by_hand = {"w1": delta * w_init["w5"] * x1, "w2": delta * w_init["w5"] * x2,
           "w3": delta * w_init["w6"] * x1, "w4": delta * w_init["w6"] * x2,
           "w5": delta * h1, "w6": delta * h2}

# (2) the Value engine
wv = {k: Value(v, label=k) for k, v in w_init.items()}
y_hat_v = wv["w5"] * (wv["w1"] * x1 + wv["w2"] * x2) + wv["w6"] * (wv["w3"] * x1 + wv["w4"] * x2)
loss_v = 0.5 * (y_hat_v - target) ** 2
loss_v.backward()
by_engine = {k: v.grad for k, v in wv.items()}

# (3) torch.autograd
wt = torch.tensor(list(w_init.values()), dtype=torch.float64, requires_grad=True)
y_hat_t = wt[4] * (wt[0] * x1 + wt[1] * x2) + wt[5] * (wt[2] * x1 + wt[3] * x2)
loss_t = 0.5 * (y_hat_t - target) ** 2
loss_t.backward()
by_torch = dict(zip(WIRING, wt.grad.tolist(), strict=True))

print(f"{'':>4} {'by hand':>12} {'Value':>12} {'torch':>12}")
for k in WIRING:
    print(f"{k:>4} {by_hand[k]:12.8f} {by_engine[k]:12.8f} {by_torch[k]:12.8f}")

for k in WIRING:
    assert math.isclose(by_hand[k], by_engine[k], rel_tol=1e-12)
    assert math.isclose(by_hand[k], by_torch[k], rel_tol=1e-12)
    assert math.isclose(by_hand[k], trace.grads[k], rel_tol=1e-12)
print("all three agree, and match the trace")

# %% [markdown]
# The update must agree too. PyTorch's own optimiser `torch.optim.SGD` applies
# $w \leftarrow w - \eta\, \partial L/\partial w$; we let it take the step and compare the
# new weights and the new prediction with the trace:

# %%
opt = torch.optim.SGD([wt], lr=lr)
opt.step()
with torch.no_grad():
    new_y_hat_t = wt[4] * (wt[0] * x1 + wt[1] * x2) + wt[5] * (wt[2] * x1 + wt[3] * x2)
new_weights = torch.tensor([trace.new_weights[k] for k in WIRING], dtype=torch.float64)
torch.testing.assert_close(wt.detach(), new_weights)
torch.testing.assert_close(new_y_hat_t.item(), trace.new_y_hat)
print("new weights:", {k: round(v, 4) for k, v in zip(WIRING, wt.tolist(), strict=True)})
print(f"new prediction: {new_y_hat_t.item():.4f} (was {trace.y_hat:.4f}, target {target})")

# %% [markdown]
# ## Backpropagation in matrix form
#
# Writing one line per weight does not scale. A real network groups the weights of each
# layer into a matrix, and the backward pass becomes a few matrix products per layer,
# mirroring the forward pass of [neural networks and the forward pass](../neurons/neural-networks.py).
#
# ### The formulas
#
# Layer $l$ of an MLP receives the activations $A^{(l-1)}$ of the previous layer (with
# $A^{(0)} = X$, a batch of $B$ examples) and computes
#
# $$Z^{(l)} = A^{(l-1)} W^{(l)\top} + \mathbf{b}^{(l)}, \qquad A^{(l)} = g_l\big(Z^{(l)}\big),$$
#
# with $W^{(l)}$ of shape $(n_l, n_{l-1})$, one row per unit, $\mathbf{b}^{(l)}$ of shape
# $(n_l,)$, and $Z^{(l)}, A^{(l)}$ of shape $(B, n_l)$. Write
# $\delta^{(l)} = \partial L / \partial Z^{(l)}$ for the gradient that arrives at the
# pre-activations of layer $l$; it has the shape of $Z^{(l)}$. The backward pass starts from
# $\partial L/\partial \hat{Y}$, the gradient with respect to the output of the last layer,
# which the loss provides, and repeats four formulas from the last layer down to the first:
#
# $$\begin{aligned}
# \delta^{(l)} &= \frac{\partial L}{\partial A^{(l)}} \odot g_l'\big(Z^{(l)}\big)
#   && (B, n_l) \\
# \frac{\partial L}{\partial W^{(l)}} &= \big(\delta^{(l)}\big)^{\top} A^{(l-1)}
#   && (n_l, B)\,(B, n_{l-1}) \to (n_l, n_{l-1}) \\
# \frac{\partial L}{\partial \mathbf{b}^{(l)}} &= \textstyle\sum_{\text{rows}} \delta^{(l)}
#   && (n_l,) \\
# \frac{\partial L}{\partial A^{(l-1)}} &= \delta^{(l)}\, W^{(l)}
#   && (B, n_l)\,(n_l, n_{l-1}) \to (B, n_{l-1})
# \end{aligned}$$
#
# Each formula is the chain rule written for a whole matrix at once. In index form,
# $Z_{bj} = \sum_i A_{bi} W_{ji} + b_j$, so $W_{ji}$ influences column $j$ of $Z$ in every
# example $b$ with local derivative $A_{bi}$. Summing the messages over the examples gives
# $\partial L/\partial W_{ji} = \sum_b \delta_{bj} A_{bi}$, which is entry $(j, i)$ of
# $(\delta^{(l)})^\top A^{(l-1)}$. The bias is added to every row, so its messages are
# summed over the rows. And each input $A_{bi}$ feeds every unit $j$ of the layer: fan-out
# again, hence the sum $\sum_j \delta_{bj} W_{ji}$ in the last formula.
#
# There is a reliable trick for remembering these: a gradient always has the shape of
# the thing it is a gradient of, and there is usually only one way to multiply the
# available matrices to get that shape. The activation step is elementwise ($\odot$)
# because each $A_{bj}$ depends on $Z_{bj}$ alone.
#
# The library's `linear_backward` is these formulas, line for line:

# %%
print(inspect.getsource(linear_backward))

# %% [markdown]
# `mlp_backward` loops over the layers from last to first, calling `activation_backward`
# (the $\odot\, g'$ step) and then `linear_backward` for each, and
# `mlp_forward_backward` wraps the forward pass, the mean squared error loss of
# [loss functions](../neurons/loss-functions.py) and its derivative
# $\partial L/\partial \hat{Y} = 2(\hat{Y} - Y)/N$, where $N$ counts all entries of $\hat{Y}$.
#
# ### The 2-2-1 example once more
#
# The worked example is a two-layer MLP with $W^{(1)} = \begin{bmatrix} w_1 & w_2 \\ w_3 & w_4 \end{bmatrix}$,
# $W^{(2)} = \begin{bmatrix} w_5 & w_6 \end{bmatrix}$ and zero biases. The matrix code
# must reproduce the hand-derived gradients, up to one detail: its loss is the plain mean
# squared error $(\hat{y} - y)^2$ without the $\tfrac12$, so every gradient comes out doubled.

# %%
W1 = torch.tensor([[0.11, 0.21], [0.12, 0.08]], dtype=torch.float64)  # (2 hidden, 2 inputs)
W2 = torch.tensor([[0.14, 0.15]], dtype=torch.float64)  # (1 output, 2 hidden)
params = [(W1, torch.zeros(2, dtype=torch.float64)), (W2, torch.zeros(1, dtype=torch.float64))]
X = torch.tensor([[2.0, 3.0]], dtype=torch.float64)  # (B=1, 2)
Y = torch.tensor([[1.0]], dtype=torch.float64)  # (B=1, 1)

loss, grads = mlp_forward_backward(params, X, Y, activations=["linear", "linear"])
(dW1, _), (dW2, _) = grads
print("½ ∂L/∂W1 =\n", dW1 / 2)
print("½ ∂L/∂W2 =", dW2 / 2)
g = trace.grads  # the per-weight gradients of the derivation, laid out like W1 and W2
f64 = torch.float64
torch.testing.assert_close(dW1 / 2, torch.tensor([[g["w1"], g["w2"]], [g["w3"], g["w4"]]], dtype=f64))
torch.testing.assert_close(dW2 / 2, torch.tensor([[g["w5"], g["w6"]]], dtype=f64))
print("matches the per-weight derivation")

# %% [markdown]
# With one example, $(\delta^{(1)})^\top A^{(0)}$ is an *outer product*: a column of two
# hidden-unit messages times a row of two inputs, which lays out all four first-layer
# gradients in one matrix.
#
# ### A bigger network, checked against autograd
#
# Now a network where nothing is small enough to do by hand: three layers with tanh
# hidden units and a batch of eight examples, in float64. We compute the gradients once
# with the hand-written matrix backward and once with `torch.autograd` on the very same
# model, and print the largest absolute difference for every weight matrix and bias.

# %%
gen = torch.Generator().manual_seed(0)
model = MLP([4, 16, 8, 3], activation="tanh", generator=gen).double()
X = torch.randn(8, 4, generator=gen, dtype=torch.float64)  # (B, d_in)
Y = torch.randn(8, 3, generator=gen, dtype=torch.float64)  # (B, d_out)

params = params_from_mlp(model)
activations = activations_from_mlp(model)
loss_ours, grads_ours = mlp_forward_backward(params, X, Y, activations=activations)

model.zero_grad()
loss_torch = mse(model(X), Y)
loss_torch.backward()

print("activations:", activations)
print(f"loss: ours {loss_ours.item():.10f}, torch {loss_torch.item():.10f}")
for i, (layer, (dW, db)) in enumerate(zip(model.layers, grads_ours, strict=True), start=1):
    err_W = (dW - layer.weight.grad).abs().max().item()
    err_b = (db - layer.bias.grad).abs().max().item()
    print(f"layer {i}: dW {tuple(dW.shape)} max |diff| = {err_W:.1e}   "
          f"db {tuple(db.shape)} max |diff| = {err_b:.1e}")
    torch.testing.assert_close(dW, layer.weight.grad)
    torch.testing.assert_close(db, layer.bias.grad)

# %% [markdown]
# The differences sit at the level of float64 rounding: two different programs, the same
# gradients. PyTorch's autograd does internally what we wrote by hand, with one backward
# formula stored per operation, exactly like the `Value` engine but for tensors.
#
# ### Training with hand-written gradients
#
# Gradients that agree are only half the proof; they should also train a network. The
# figure below comes from a training run of a 2-16-16-1 tanh network on the two-moons
# data, with targets $\pm 1$ and the mean squared error, that uses nothing but
# `mlp_forward_backward` for the gradients and `sgd_step` for the update
# $W \leftarrow W - \eta\, \partial L / \partial W$. Beside it, an identical copy of the
# network, starting from the same weights, was trained with `torch.autograd` and
# `torch.optim.SGD` at the same learning rate, in ordinary float32. Both take full-batch
# steps: every step uses the gradient on all the training points, so `torch.optim.SGD`,
# despite its name, does plain gradient descent here (nothing about it is stochastic;
# the randomness of mini-batches is the subject of the next chapter).

# %%
show("backprop-moons")

# %%
manifest = load_manifest("backprop-moons")
metrics = manifest["metrics"]
print(f"gradient-descent steps: {manifest['config']['num_epochs']}, learning rate {manifest['config']['lr']}")
print(f"largest difference between the two loss curves: {metrics['max_loss_difference']:.1e}")
print(f"largest difference between the final weights:   {metrics['max_parameter_difference']:.1e}")
print(f"training accuracy of the hand-trained network:   {metrics['accuracy']:.1%}")

# %% [markdown]
# The two curves cannot be told apart: over all the steps the two trainings never drift
# further apart than float32 rounding, as the printed differences show. Our backward
# pass is not an approximation of what PyTorch does; it is the same computation. And it
# learns: the network bends its decision boundary around both moons.
#
# ## Gradient checking
#
# A hand-written backward pass can be wrong in ways that do not crash. A wrong shape is
# caught at once by the matrix product, but a missing factor, a forgotten $g'$ or a sum
# where a mean was meant still produces numbers of the right shape, and training with
# them may even seem to work. The safeguard is to compare with **finite differences**,
# which need nothing but the forward pass. For every parameter $\theta_i$,
#
# $$\frac{\partial L}{\partial \theta_i} \approx
#   \frac{L(\boldsymbol\theta + h\,\mathbf{e}_i) - L(\boldsymbol\theta - h\,\mathbf{e}_i)}{2h},$$
#
# the central difference from [mathematical foundations](../foundations/mathematical-foundations.py),
# whose error shrinks like $h^2$. Since gradients can be large or tiny, we compare them
# with a **relative error** that does not care about their overall scale:
#
# $$\text{rel.\ error}(\mathbf{g}_{\text{bp}}, \mathbf{g}_{\text{num}}) =
#   \frac{\lVert \mathbf{g}_{\text{bp}} - \mathbf{g}_{\text{num}} \rVert}
#        {\max\big(\lVert \mathbf{g}_{\text{bp}} \rVert, \lVert \mathbf{g}_{\text{num}} \rVert\big)} ,$$
#
# where $\mathbf{g}_{\text{bp}}$ comes from backpropagation and $\mathbf{g}_{\text{num}}$
# from finite differences.
#
# To let `numerical_gradient` nudge every parameter, we lay them all out in one flat
# vector and write the loss as a function of that vector:

# %%
shapes = [(W.shape, b.shape) for W, b in params]


def unflatten(theta: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Cut a flat parameter vector back into [(W_1, b_1), ...] with the shapes of `params`."""
    out, start = [], 0
    for shape_W, shape_b in shapes:
        W = theta[start:start + shape_W.numel()].view(shape_W)
        start += shape_W.numel()
        b = theta[start:start + shape_b.numel()].view(shape_b)
        start += shape_b.numel()
        out.append((W, b))
    return out


def loss_of(theta: torch.Tensor, X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    y_hat, _ = mlp_forward(unflatten(theta), X, activations=activations)
    return mse(y_hat, Y)


def flat(pairs: list[tuple[torch.Tensor, torch.Tensor]]) -> torch.Tensor:
    return torch.cat([t.flatten() for pair in pairs for t in pair])


def rel_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).norm() / torch.maximum(a.norm(), b.norm())).item()


theta = flat(params)
g_backprop = flat(grads_ours)
g_numerical = numerical_gradient(lambda t: loss_of(t, X, Y), theta)
print(f"{theta.numel()} parameters, {2 * theta.numel()} forward passes for the numerical gradient")
print(f"relative error, float64, h = 1e-5: {rel_error(g_backprop, g_numerical):.1e}")

# %% [markdown]
# An error ten orders of magnitude below one means the backward pass is right. It is
# not zero because the central difference is itself only an approximation, with an
# error of order $h^2$ and a rounding error that grows as $h$ shrinks (the precision
# table below shows both); a wrong backward pass gives an error of order one. For
# contrast, here is a classic silent bug: the derivative of the *mean* squared error
# written as if the loss were a *sum*, forgetting to divide by the number of entries $N$.
# The gradient check flags it at once:

# %%
y_hat, caches = mlp_forward(params, X, activations=activations)
dY_buggy = 2 * (y_hat - Y)  # should be 2 (ŷ − y) / N
g_buggy = flat(mlp_backward(dY_buggy, caches))
print(f"N = {Y.numel()} entries; relative error of the buggy gradient: {rel_error(g_buggy, g_numerical):.2f}")

# %% [markdown]
# Such a bug points every gradient in the right direction but makes it $N$ times too
# long, which acts like a hidden change of the learning rate. Nothing would crash; only
# the check tells.
#
# ### Precision matters
#
# Networks are usually trained in float32, which keeps only about seven significant
# digits. Finite differences subtract two nearly equal losses, so in float32 they lose
# most of those digits. The next cell repeats the check in both precisions for several
# step sizes $h$:

# %%
print(f"{'h':>7} {'float64':>10} {'float32':>10}")
for h in (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6):
    row = []
    for dtype in (torch.float64, torch.float32):
        t, Xd, Yd = theta.to(dtype), X.to(dtype), Y.to(dtype)
        _, grads_d = mlp_forward_backward(unflatten(t), Xd, Yd, activations=activations)
        g_num = numerical_gradient(lambda t_, Xd=Xd, Yd=Yd: loss_of(t_, Xd, Yd), t, h=h)
        row.append(rel_error(flat(grads_d), g_num))
    print(f"{h:>7.0e} {row[0]:>10.1e} {row[1]:>10.1e}")

# %% [markdown]
# In float64 the error first shrinks with $h$ and then levels off or creeps back up as
# rounding takes over; in float32 the best achievable agreement is far worse, and small
# steps are useless. The rule of thumb: run gradient checks in float64, on small inputs
# (the check costs two forward passes *per parameter*), and expect a relative error many
# orders of magnitude below one. PyTorch packages the same idea as
# `torch.autograd.gradcheck`, which the library's tests run on every hand-written
# backward function.
#
# ## What the backward pass costs
#
# Finite differences need two forward passes per parameter. Backpropagation delivers all
# the gradients for a small constant multiple of one forward pass. We can see why by
# counting. In a dense layer with $n_{\text{in}}$ inputs, $n_{\text{out}}$ units and a
# batch of $B$, the forward product $A W^\top$ costs $B\, n_{\text{in}}\, n_{\text{out}}$
# multiply-adds. The backward pass needs two products of exactly the same size,
# $\delta^\top A$ for the weights and $\delta W$ for the inputs. The elementwise steps
# (activations, biases) are cheap by comparison. The first layer can even skip
# $\partial L/\partial X$, since nobody updates the data. Here is the count for a
# moderately sized MLP:

# %%
sizes, batch_size = [512, 1024, 1024, 10], 256
layers = list(zip(sizes[:-1], sizes[1:], strict=True))
forward_macs = sum(batch_size * n_in * n_out for n_in, n_out in layers)
weight_macs = sum(batch_size * n_in * n_out for n_in, n_out in layers)  # δᵀ A per layer
input_macs = sum(batch_size * n_in * n_out for n_in, n_out in layers[1:])  # δ W, not for X
num_params = sum(n_in * n_out + n_out for n_in, n_out in layers)

print(f"forward:  {forward_macs / 1e6:8.1f} M multiply-adds")
print(f"backward: {(weight_macs + input_macs) / 1e6:8.1f} M multiply-adds "
      f"(ratio {(weight_macs + input_macs) / forward_macs:.2f})")
print(f"finite differences: {2 * num_params:,} forward passes for {num_params:,} parameters")

# %% [markdown]
# Now let us time it on this machine's CPU with the library's hand-written forward and
# backward. Timings wobble, so both are repeated and the medians kept, and PyTorch is
# asked to use a single CPU thread, which makes the measurement less sensitive to
# whatever else the machine is doing. The ratio printed comes from this run and will
# differ from one computer to the next.

# %%
gen = torch.Generator().manual_seed(0)
big = MLP(sizes, activation="relu", generator=gen)
big_params, big_activations = params_from_mlp(big), activations_from_mlp(big)
X_big = torch.randn(batch_size, sizes[0], generator=gen)
Y_big = torch.randn(batch_size, sizes[-1], generator=gen)


threads = torch.get_num_threads()
torch.set_num_threads(1)  # one thread: other programs on the machine disturb the timing less
forward_times, backward_times = [], []
for repeat in range(26):  # forward and backward alternate, so both see the same machine load
    start = time.perf_counter()
    y_hat_big, caches_big = mlp_forward(big_params, X_big, activations=big_activations)
    middle = time.perf_counter()
    mlp_backward(mse_backward(y_hat_big, Y_big), caches_big)
    end = time.perf_counter()
    if repeat > 0:  # the first round warms up
        forward_times.append(middle - start)
        backward_times.append(end - middle)
torch.set_num_threads(threads)
t_forward = sorted(forward_times)[len(forward_times) // 2]  # medians
t_backward = sorted(backward_times)[len(backward_times) // 2]
print(f"forward  {1000 * t_forward:6.1f} ms")
print(f"backward {1000 * t_backward:6.1f} ms   (backward / forward = {t_backward / t_forward:.2f})")

# %% [markdown]
# Compare the measured ratio with the count. They need not match exactly: the library's
# `linear_backward` also computes $\partial L/\partial X$ for the first layer, which the
# count leaves out; the backward products involve transposed matrices, which the
# hardware may handle at a different speed; and timings on a shared machine wobble. But
# both tell the same story. For the matrix products, one backward pass costs at most
# twice the forward pass, since each forward product has two backward products of the
# same size. A full training step therefore costs about as much as three forward passes,
# and it delivers *all* the gradients at once, where finite differences would need the
# number of forward passes printed above. That gap is what makes training large networks
# possible.
#
# The price is memory. Each layer's backward needs its input $A^{(l-1)}$ and its
# pre-activation $Z^{(l)}$ (or output $A^{(l)}$), so the forward pass must keep them in its
# caches until the backward pass has used them. For large models this stored record, not
# the arithmetic, is often what limits the batch size.
#
# ## A first look at vanishing and exploding gradients
#
# Look again at the recursion of the matrix form. On its way from the loss to layer $l$,
# the message is multiplied, once per layer, by a weight matrix and by the derivatives
# $g'(Z)$ of an activation:
#
# $$\delta^{(l-1)} = \big(\delta^{(l)} W^{(l)}\big) \odot g'_{l-1}\big(Z^{(l-1)}\big).$$
#
# In a deep network that is a long product. If each factor shrinks the message a little,
# the early layers receive almost nothing and barely learn: the gradient **vanishes**. If
# each factor enlarges it, the gradient **explodes**, and a single update can throw the
# weights far away. (Bengio, Simard and Frasconi (1994) analysed both for recurrent
# networks, where the chain runs over time steps.) The sigmoid is a prime suspect for
# the first problem, because its derivative is never large:

# %%
z = torch.linspace(-10, 10, 2001)
print(f"largest value of σ'(z) on [-10, 10]: {sigmoid_grad(z).max().item():.4f}")

# %% [markdown]
# To see the effect, we build a deep MLP of 20 layers of 64 units, push one random batch
# through it, and record the size $\lVert \delta^{(l)} \rVert$ of the message arriving at
# each layer. The loop is `mlp_backward` written out, so that we can look at the messages
# on their way. The left panel compares three activations with the library's default
# initialisation; the right one keeps ReLU and draws the weights from
# $\mathcal{N}(0, \text{gain}^2 / n_{\text{in}})$ with three different gains.

# %% alt="Two log-scale plots of the gradient size at each of 20 layers, layer 1 nearest the input. With default initialisation, sigmoid, tanh and ReLU all shrink towards the input, sigmoid by far the most; for ReLU with scaled weights, gain 1 shrinks, gain sqrt 2 stays level and gain 2 grows."
depth, width = 20, 64
gen = torch.Generator().manual_seed(0)
X_deep = torch.randn(128, width, generator=gen)
Y_deep = torch.randn(128, width, generator=gen)


def message_norms(activation: str, gain: float | None = None) -> list[float]:
    """‖∂L/∂Z‖ at each layer of a deep MLP, first layer first; gain rescales a Gaussian init."""
    g = torch.Generator().manual_seed(1)
    deep = MLP([width] * (depth + 1), activation=activation, generator=g)
    deep_params = params_from_mlp(deep)
    if gain is not None:  # W ~ N(0, gain² / n_in), b = 0, written into the model in place
        for W, b in deep_params:
            W.copy_(torch.randn(W.shape, generator=g) * gain / math.sqrt(W.shape[1]))
            b.zero_()
    y_hat, caches = mlp_forward(deep_params, X_deep, activations=activations_from_mlp(deep))
    dA, norms = mse_backward(y_hat, Y_deep), []
    for linear_cache, activation_cache in reversed(caches):  # last layer first
        dZ = activation_backward(dA, activation_cache)  # δ = ∂L/∂A ⊙ g'(Z)
        norms.append(dZ.norm().item())
        dA, _, _ = linear_backward(dZ, linear_cache)  # the message for the layer below
    return norms[::-1]


layer_numbers = range(1, depth + 1)
fig, (ax_act, ax_init) = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for name, color in (("sigmoid", "tab:purple"), ("tanh", "tab:green"), ("relu", "tab:orange")):
    norms = message_norms(name)
    ax_act.semilogy(layer_numbers, norms, "o-", ms=3, color=color, label=name)
    print(f"{'default init, ' + name:<22}: layer 1 / layer {depth} = {norms[0] / norms[-1]:.1e}")
for gain, name, color in ((1.0, "1", "tab:blue"), (math.sqrt(2), "√2", "black"), (2.0, "2", "tab:red")):
    norms = message_norms("relu", gain)
    ax_init.semilogy(layer_numbers, norms, "o-", ms=3, color=color, label=f"gain {name}")
    print(f"{'ReLU, gain ' + name:<22}: layer 1 / layer {depth} = {norms[0] / norms[-1]:.1e}")
ax_act.set(title="Default initialisation", xlabel="layer $l$ (1 = nearest the input)",
           ylabel=r"$\Vert \partial L / \partial Z^{(l)} \Vert$")
ax_init.set(title=r"ReLU, $W \sim \mathcal{N}(0, \mathrm{gain}^2 / n_{\mathrm{in}})$", xlabel="layer $l$")
for ax in (ax_act, ax_init):
    ax.set_xticks([1, 5, 10, 15, 20])
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(frameon=False)
fig.tight_layout()
plt.show()

# %% [markdown]
# Read each curve from right to left, the direction the messages travel. With the
# default initialisation every activation loses signal on the way down, and the sigmoid
# loses the most: the printed ratios span many orders of magnitude. A
# layer whose gradient is that small hardly moves during training, however long we wait.
#
# The right panel shows that the activation is only half of the story; the scale of the
# weights is the other half. For ReLU, a gain of $\sqrt2$ keeps the message within a
# small factor of its size over all twenty layers (the printed ratio), a few per cent
# per layer. A gain of 1 makes it shrink layer after layer, and a gain of 2 makes it
# grow, each by a roughly constant factor per layer that compounds exponentially with
# depth. Choosing the gain so that the signal keeps its size is the idea behind the
# initialisation schemes of the next section.
#
# ## Where training starts: initialising the weights
#
# ### Why not all zeros?
#
# Gradient descent needs a starting point, and zero looks like the most neutral one.
# It is the one choice that cannot work, for a reason the matrix formulas make plain.
# Suppose the units of a hidden layer start alike: the same incoming weights, the same
# bias, and the same weights on the connections that leave them. Then they compute the
# same value for every example, and on the way back each receives the same message,
# because the column of $W^{(l+1)}$ that carries its message is the same for all of
# them. The rows of $\partial L/\partial W^{(l)} = (\delta^{(l)})^\top A^{(l-1)}$ that
# belong to these units are therefore equal, the update changes them by the same
# amount, and after the step they are alike again. By induction they stay alike for
# as long as we train: the layer has $n$ units but computes what a single unit computes.
# This is the **symmetry** problem, and the cure is to start every weight at a
# different random value, which *breaks the symmetry*.
#
# All zeros is the extreme case. A tanh or ReLU unit with zero weights and bias outputs
# 0 whatever the input, so the gradient of each weight that leaves it, the message
# times that output, is 0; and the message it passes down, $\delta W$, is 0 because $W$
# is. Only the output bias can learn.
#
# The cell trains a 2-8-1 tanh network on the two moons with the chapter's own
# hand-written backward pass (`mlp_forward_backward` and `sgd_step`, the mean squared
# error against targets $\pm 1$, 300 full-batch steps) from three starts: all weights
# zero, all weights equal to 0.5, and the library's random initialisation. It prints the
# first-layer gradient of the first three hidden units at step 0, then how many
# *different* hidden units the trained first layer has:

# %%
X_moons, y_moons = moons(200, noise=0.15, seed=0)
Y_moons = 2 * y_moons.float().unsqueeze(1) - 1  # (200, 1): targets −1 and +1


def train_from(start: str, num_steps: int = 300, lr: float = 0.2) -> tuple[MLP, torch.Tensor, float]:
    """A 2-8-1 tanh MLP trained by full-batch gradient descent from `start`, and ∂L/∂W1 at step 0."""
    model = MLP([2, 8, 1], activation="tanh", generator=torch.Generator().manual_seed(0))
    params = params_from_mlp(model)  # [(W1, b1), (W2, b2)], sharing the model's storage
    if start != "random":
        for W, b in params:
            W.fill_(0.0 if start == "zeros" else 0.5)  # every weight the same number
            b.zero_()
    for step in range(num_steps):
        loss, grads = mlp_forward_backward(params, X_moons, Y_moons, activations=["tanh", "linear"])
        if step == 0:
            first_dW1 = grads[0][0].clone()  # (8, 2): one row per hidden unit
        sgd_step(params, grads, lr=lr)
    return model, first_dW1, loss.item()


for start in ("zeros", "equal", "random"):
    model, first_dW1, loss = train_from(start)
    W1 = model.layers[0].weight.detach()  # (8, 2)
    with torch.no_grad():
        acc = binary_accuracy(model(X_moons), y_moons).item()
    rows = "  ".join(f"({g1:+.3f}, {g2:+.3f})" for g1, g2 in first_dW1[:3].tolist())
    print(f"{start:>6}: ∂L/∂W1 at step 0, units 1-3: {rows}")
    print(f"{'':>8}after 300 steps: distinct hidden units {len(torch.unique(W1, dim=0))} of 8, "
          f"loss {loss:.3f}, training accuracy {acc:.1%}")

# %% [markdown]
# From zeros, nothing reaches the first layer: its gradient is exactly zero, it is still
# zero after training, and the network outputs the same number for every point, which
# gets half of them right. From equal weights the gradient is not zero, but its rows are
# identical, and after 300 steps the eight hidden units are still one unit copied eight
# times. A network with one tanh unit can only separate the moons by a straight line,
# like a single neuron, and its accuracy shows it. From random weights the
# units differ from the first step on and the network bends its boundary around both
# moons. Note that the biases were zero in all three runs: biases do not need to be
# random, as long as the weights are.
#
# ### How large? Keeping the signal's size
#
# Random, then, but drawn at which scale? The gain experiment of the previous section
# showed what is at stake, and one line of algebra gives the answer. A unit of a layer
# computes $z = \sum_{i=1}^{n_{\text{in}}} w_i a_i$ (plus a bias, zero at the start). Let
# the weights be independent, with mean 0 and variance $\sigma^2$, and independent of
# the inputs $a_i$. Then the terms have mean zero and are uncorrelated, so their
# variances add:
#
# $$\operatorname{Var}(z) = n_{\text{in}}\, \sigma^2\, \mathbb{E}\big[a^2\big].$$
#
# - Around zero, tanh is close to the identity, so $\mathbb{E}[a^2]$ is about the
#   variance of the previous layer's $z$, and that variance is passed on unchanged when
#   $n_{\text{in}} \sigma^2 = 1$, that is $\sigma^2 = 1/n_{\text{in}}$, the scale that
#   LeCun, Bottou, Orr and Müller (1998) recommend.
# - The backward message $\delta^{(l)} W^{(l)}$ sums over the $n_{\text{out}}$ units of
#   the layer, so by the same argument it keeps its size when $\sigma^2 = 1/n_{\text{out}}$.
# - **Xavier** (or **Glorot**) initialisation, proposed by Glorot and Bengio (2010),
#   cannot satisfy both unless the two widths are equal, and takes the compromise
#   $\sigma^2 = 2/(n_{\text{in}} + n_{\text{out}})$.
# - A ReLU sets the negative half of a symmetric $z$ to zero, so
#   $\mathbb{E}[\operatorname{relu}(z)^2] = \tfrac12 \operatorname{Var}(z)$: every layer
#   halves the signal's second moment unless $n_{\text{in}}\sigma^2 = 2$. That is **He**
#   (or **Kaiming**) initialisation, from He, Zhang, Ren and Sun (2015):
#   $\sigma^2 = 2/n_{\text{in}}$.
#
# In the language of the gain experiment, $W \sim \mathcal{N}(0, \text{gain}^2/n_{\text{in}})$,
# He's rule is exactly the gain $\sqrt2$ that kept the ReLU messages at their size, and
# Xavier's rule, for layers of equal width, is the gain 1 that let them shrink. The
# library's default (the same as `nn.Linear`'s) draws from
# $U(-1/\sqrt{n_{\text{in}}}, 1/\sqrt{n_{\text{in}}})$, whose variance is $1/(3 n_{\text{in}})$:
# a gain of $1/\sqrt3 \approx 0.58$, smaller than both. The book's module
# `dlbook.initialization` writes both rules out:

# %%
print(inspect.getsource(xavier_std))
print(inspect.getsource(he_std))

# %% [markdown]
# `xavier_normal_` and `he_normal_` fill a weight matrix of shape
# $(n_{\text{out}}, n_{\text{in}})$ from $\mathcal{N}(0, \sigma^2)$ with these standard
# deviations. They make the same call as PyTorch's `torch.nn.init.xavier_normal_` and
# `kaiming_normal_`, so with the same generator they draw the very same numbers; and over
# the 131,072 entries of a 256 × 512 matrix the sample variance lands close to the formula:

# %%
for name, ours, theirs, variance in (
    ("Xavier", xavier_normal_, torch.nn.init.xavier_normal_, 2 / (512 + 256)),
    ("He", he_normal_, lambda W, generator: torch.nn.init.kaiming_normal_(W, nonlinearity="relu",
                                                                          generator=generator), 2 / 512),
):
    W_ours = ours(torch.empty(256, 512), generator=torch.Generator().manual_seed(0))  # (n_out, n_in)
    W_torch = theirs(torch.empty(256, 512), generator=torch.Generator().manual_seed(0))
    print(f"{name:<6}: formula σ² = {variance:.6f}, sample variance {W_ours.var().item():.6f} "
          f"(torch.nn.init: {W_torch.var().item():.6f}), largest difference {(W_ours - W_torch).abs().max():.1e}")

# %% [markdown]
# ### Through a deep stack
#
# Now the forward signal itself. We push a batch of 256 standard-normal inputs through
# 20 layers of 128 units, with zero biases, and print the standard deviation of each
# layer's pre-activations $Z^{(l)}$, the numbers the activation function receives
# (`preactivation_stds`). Five combinations: tanh and ReLU with the library's default
# initialisation, tanh and ReLU with Xavier's, and ReLU with He's.

# %% alt="Log-scale plot of the standard deviation of the pre-activations at each of 20 layers of 128 units, for five pairings of activation and initialisation. ReLU with He stays level; tanh with Xavier sinks slowly; ReLU with Xavier falls steadily by orders of magnitude; both defaults drop within a few layers and level off."
stack_depth, stack_width = 20, 128
X_stack = torch.randn(256, stack_width, generator=torch.Generator().manual_seed(0))
cases = {"tanh, default": ("tanh", None), "tanh, Xavier": ("tanh", "xavier_normal"),
         "ReLU, default": ("relu", None), "ReLU, Xavier": ("relu", "xavier_normal"),
         "ReLU, He": ("relu", "he_normal")}
scales, spread = {}, {}
for label, (activation, scheme) in cases.items():
    g = torch.Generator().manual_seed(1)
    stack = MLP([stack_width] * (stack_depth + 1), activation=activation, generator=g)
    if scheme is not None:
        init_mlp_(stack, scheme, generator=g)  # weights by the scheme, biases zero
    scales[label] = preactivation_stds(stack, X_stack)  # spread of all of Z, layer by layer
    spread[label] = preactivation_stds(stack, X_stack, per_unit=True)[-1]  # layer 20, unit by unit

shown = (1, 2, 3, 5, 10, 15, 20)
print("layer " + "".join(f"{label:>15}" for label in cases))
for layer in shown:
    print(f"{layer:>5} " + "".join(f"{scales[label][layer - 1]:>15.3g}" for label in cases))
print("layer 20, the spread of each unit over the examples, averaged over the units:")
print("      " + "".join(f"{spread[label]:>15.1e}" for label in cases))

fig, ax = plt.subplots(figsize=(6.5, 3.6))
styles = {"tanh, default": ("tab:green", ":"), "tanh, Xavier": ("tab:green", "-"),
          "ReLU, default": ("tab:orange", ":"), "ReLU, Xavier": ("tab:orange", "--"),
          "ReLU, He": ("black", "-")}
for label, (color, ls) in styles.items():
    ax.semilogy(range(1, stack_depth + 1), scales[label], marker="o", ms=3, color=color, ls=ls, label=label)
ax.set(xlabel="layer $l$", ylabel=r"standard deviation of $Z^{(l)}$", xticks=[1, 5, 10, 15, 20],
       title="The forward signal through 20 layers of 128 units")
ax.grid(True, which="major", alpha=0.3)
ax.legend(frameon=False, fontsize=8, ncol=2)
plt.show()

# %% [markdown]
# The first row shows the input side: with Xavier's and the default rule the first layer
# preserves (or, for the default, shrinks by $\sqrt3$) the unit variance of the inputs,
# while He's rule doubles the variance, a standard deviation of about $\sqrt2$, because
# the raw inputs have not been through a ReLU. From there the columns part ways.
#
# - **ReLU with He** stays of order one all the way down. It wanders a little, because
#   each layer multiplies the variance by a random factor close to one rather than by
#   exactly one, but there is no trend. (Part of that spread is shared by all the
#   examples, as the last line shows: deep ReLU stacks also make different inputs look
#   more alike, a subtler effect than the one studied here.)
# - **ReLU with Xavier** loses half the variance at every layer, a factor $1/\sqrt2$ in
#   the standard deviation, which after twenty layers is the three orders of magnitude the
#   table shows.
# - **tanh with Xavier** shrinks too, but far more slowly: tanh is the identity only near
#   zero, and larger inputs come out a little smaller, so a slight loss per layer adds up.
# - With the **default** rule both activations shrink fast for a few layers and then level
#   off. What is left at that level is mostly the biases, which the default rule draws at
#   random with about that spread. The last lines of the output show it: measured unit by
#   unit, across the examples, the deep layers' inputs hardly vary at all, so these
#   networks compute nearly the same output for every input. The information about $X$
#   has been washed out before training starts.
#
# Both rules are statements about the *start* of training: they give gradient descent a
# network in which the signal reaches the last layer and the messages reach the first.
# Training then moves the weights wherever the loss takes them. For very deep networks
# an initialisation alone is not enough, and later chapters add the other standard
# remedies: normalisation layers that re-centre and rescale the activations during
# training (Ioffe and Szegedy 2015), and residual connections that give the gradient a
# shortcut around each layer (He et al. 2016).
# All of them are easier to understand once you can see the backward pass as a chain of
# matrix products, which is what this chapter was about.
#
# ## Summary
#
# - A computation is a graph of small operations. Each node knows only its local
#   derivatives; the chain rule multiplies them along every path from a weight to the loss.
# - Backpropagation walks the graph backwards from $\partial L/\partial L = 1$. Each node
#   passes its gradient times its local derivative to each input; a value used several
#   times adds up the messages it receives.
# - On the 2-2-1 example, the hand derivation, the `Value` engine and `torch.autograd` give
#   the same six gradients, and one step $w \leftarrow w - \eta\,\partial L/\partial w$
#   moves the prediction towards the target.
# - In matrix form, with $Z = A W^\top + \mathbf{b}$: $\delta = \partial L/\partial A \odot g'(Z)$,
#   $\partial L/\partial W = \delta^\top A_{\text{prev}}$,
#   $\partial L/\partial \mathbf{b} = \sum_{\text{rows}} \delta$,
#   $\partial L/\partial A_{\text{prev}} = \delta W$. A gradient has the shape of what it differentiates.
# - Gradient checking compares backprop with central differences through a relative error;
#   do it in float64, where a correct backward agrees to many digits.
# - The backward pass costs at most about two forward passes of arithmetic, however many
#   parameters there are, but it needs the forward pass's intermediate values in memory.
# - Messages are multiplied by a weight matrix and an activation derivative at every layer,
#   so in deep networks they can vanish or explode; the activation and the scale of the
#   initial weights decide which.
# - Hidden units that start alike get identical gradients and stay alike, so initial
#   weights must be random (zero biases are fine). Their scale should keep the signal's
#   variance: Xavier/Glorot, $\sigma^2 = 2/(n_{\text{in}} + n_{\text{out}})$, for tanh
#   and linear layers; He/Kaiming, $\sigma^2 = 2/n_{\text{in}}$, for ReLU, the gain
#   $\sqrt2$ of the vanishing-gradient experiment.
#
# ## Exercises
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 1 · A new operation for free</p>
#
# The softplus function is $\operatorname{softplus}(u) = \ln(1 + e^{u})$. Write it as a
# Python function of a `Value` using only `exp`, `+` and `log`, so that it needs no backward
# function of its own. Check at several points that the gradient `backward()` produces
# equals the sigmoid $\sigma(u)$, which is the derivative of softplus, and that it matches
# `torch.autograd` on `torch.nn.functional.softplus`.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Each of the three operations carries its own backward function, so the composition is
# differentiated by the chain rule automatically:
#
# ```python
# import torch.nn.functional as F
#
# def softplus(u):
#     return (u.exp() + 1).log()  # ln(1 + e^u)
#
# for point in (-3.0, -0.5, 0.0, 1.2, 4.0):
#     u = Value(point)
#     softplus(u).backward()
#     t = torch.tensor(point, dtype=torch.float64, requires_grad=True)
#     F.softplus(t).backward()
#     sig = 1 / (1 + math.exp(-point))
#     assert math.isclose(u.grad, sig, rel_tol=1e-12) and math.isclose(u.grad, t.grad.item(), rel_tol=1e-12)
#     print(point, u.grad)
# ```
#
# For large $u$ this version overflows in `exp`; a robust library version would use
# $\operatorname{softplus}(u) = \max(u, 0) + \ln(1 + e^{-|u|})$.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 2 · Sigmoid hidden units</p>
#
# Redo the 2-2-1 example with sigmoid hidden units, $h_j = \sigma(z_j)$, keeping the
# output linear. Which formulas of the derivation change, and how? Compute the six
# gradients with `trace_two_layer(activation="sigmoid")` and confirm them with
# `torch.autograd`.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# The output-weight gradients keep their form, $\delta h_1$ and $\delta h_2$ (with the new
# $h_j$). The messages to the first layer pick up one extra local derivative,
# $\sigma'(z_j) = h_j (1 - h_j)$, so for example
# $\partial L/\partial w_1 = \delta\, w_5\, h_1 (1 - h_1)\, x_1$.
#
# ```python
# t = trace_two_layer(activation="sigmoid")
# print("\n".join(t.steps()))
#
# w_ = torch.tensor([0.11, 0.21, 0.12, 0.08, 0.14, 0.15], dtype=torch.float64, requires_grad=True)
# h1 = torch.sigmoid(w_[0] * 2 + w_[1] * 3)
# h2 = torch.sigmoid(w_[2] * 2 + w_[3] * 3)
# loss = 0.5 * (w_[4] * h1 + w_[5] * h2 - 1.0) ** 2
# loss.backward()
# torch.testing.assert_close(w_.grad, torch.tensor([t.grads[k] for k in WIRING], dtype=torch.float64))
# ```
#
# Because $\sigma' \le \tfrac14$, the first-layer gradients are much smaller than in the
# linear network: the same shrinking that causes vanishing gradients in deep sigmoid
# networks, here after a single layer.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 3 · More steps, and a learning rate too large</p>
#
# Repeat the step of the worked example 30 times, feeding `trace.new_weights` back into
# `trace_two_layer`, and plot the prediction after each step for learning rates 0.05,
# 0.1 and 0.2. Which one overshoots the target? Then try 0.3, 0.5 and 0.7: what happens
# as the learning rate keeps growing?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
# for ax, rates in zip(axes, [(0.05, 0.1, 0.2), (0.3, 0.5, 0.7)], strict=True):
#     for lr in rates:
#         weights, predictions = (0.11, 0.21, 0.12, 0.08, 0.14, 0.15), []
#         try:
#             for _ in range(30):
#                 t = trace_two_layer(w=weights, lr=lr)
#                 predictions.append(t.new_y_hat)
#                 weights = tuple(t.new_weights[k] for k in WIRING)
#         except (OverflowError, ValueError):  # the numbers outgrew the floats
#             pass
#         ax.plot(range(1, len(predictions) + 1), predictions, "o-", ms=3, label=f"lr = {lr}")
#     ax.axhline(1.0, color="black", ls="--", label="target")
#     ax.set(xlabel="step", ylim=(-0.2, 2.2))
#     ax.legend()
# axes[0].set_ylabel("prediction")
# plt.show()
# ```
#
# The smallest learning rate creeps up to the target, and 0.1 gets there faster without
# overshooting. At 0.2 the prediction jumps slightly past the target and settles after a
# few small oscillations. Pushing further makes the steps too long for the curvature of
# the loss: the prediction bounces back and forth around the target without settling,
# then jumps around erratically, and for a large enough learning rate it grows
# without bound until the numbers overflow (the loop catches the error that follows and
# plots the steps before it). Each gradient here contains
# other weights as factors, so a step that makes the weights larger also makes the next
# gradient larger, which is why the breakdown is so abrupt. Choosing the learning rate
# is a subject of the coming chapter on gradient descent.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 4 · A layer with the other weight convention</p>
#
# Some texts store a layer's weights as $V$ of shape $(n_{\text{in}}, n_{\text{out}})$ and
# write $Z = XV + \mathbf{b}$. Derive $\partial L/\partial V$, $\partial L/\partial \mathbf{b}$ and
# $\partial L/\partial X$ from $\delta = \partial L/\partial Z$, using the shape trick. Write
# `linear_backward_v(dZ, X, V)` and check it against `torch.autograd` on random float64
# tensors, and with a gradient check using `numerical_gradient`.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# $\partial L/\partial V$ must have shape $(n_{\text{in}}, n_{\text{out}})$, and the only product
# of $X$ $(B, n_{\text{in}})$ and $\delta$ $(B, n_{\text{out}})$ with that shape is $X^\top \delta$.
# Likewise $\partial L/\partial X = \delta V^\top$ and $\partial L/\partial \mathbf{b}$ is the column
# sum of $\delta$.
#
# ```python
# def linear_backward_v(dZ, X, V):
#     return dZ @ V.T, X.T @ dZ, dZ.sum(dim=0)  # dX (B, in), dV (in, out), db (out,)
#
# g = torch.Generator().manual_seed(0)
# X = torch.randn(5, 3, generator=g, dtype=torch.float64, requires_grad=True)
# V = torch.randn(3, 4, generator=g, dtype=torch.float64, requires_grad=True)
# b = torch.randn(4, generator=g, dtype=torch.float64, requires_grad=True)
# Z = X @ V + b
# loss = (Z**2).sum()  # any scalar loss; here ∂L/∂Z = 2Z
# loss.backward()
# dX, dV, db = linear_backward_v(2 * Z.detach(), X.detach(), V.detach())
# torch.testing.assert_close(dX, X.grad)
# torch.testing.assert_close(dV, V.grad)
# torch.testing.assert_close(db, b.grad)
#
# g_num = numerical_gradient(lambda V_: ((X.detach() @ V_ + b.detach()) ** 2).sum(), V.detach())
# torch.testing.assert_close(dV, g_num)
# ```
#
# The two conventions are transposes of each other: $V = W^\top$, and indeed
# $X^\top \delta = (\delta^\top X)^\top$.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 5 · What the forward pass must remember</p>
#
# For the MLP of the timing section (layer sizes 512, 1024, 1024, 10) and a batch of $B$
# examples, how many numbers does the forward pass have to keep for the backward pass
# (take the input and the output of every layer's linear step and activation)? How does
# this grow with $B$ and with depth, compared with the number of parameters? What could
# you do if it did not fit in memory?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Each layer keeps its input $A^{(l-1)}$, of $B\,n_{l-1}$ numbers, and its $Z^{(l)}$ and
# $A^{(l)}$, of $B\,n_l$ numbers each, so the total is a fixed number of values per example
# and per unit, proportional to $B$ times the sum of the layer widths. (In the library,
# `ActivationCache` keeps both $Z$ and $A$; the next layer's `LinearCache` points at the
# same $A$ tensor, so it is not stored twice.) The parameters, about
# $\sum_l n_{l-1} n_l$, do not depend on $B$ at all. So memory for activations grows
# linearly with the batch size and with depth, and for large batches it dominates.
# Remedies: a smaller batch; storing less and recomputing the rest during the backward
# pass (*gradient checkpointing*, Chen et al. 2016, which trades compute for memory); or
# storing the activations in a lower precision.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 6 · The right gain for tanh</p>
#
# Use `message_norms` from the vanishing-gradient section to find a gain for the tanh
# network that keeps $\lVert \partial L/\partial Z^{(l)} \rVert$ roughly constant across the
# twenty layers. Try gains between 0.5 and 3 and, for each, print the ratio between the
# message at layer 1 and at layer 20. Why does tanh want a gain near 1 while ReLU wants
# $\sqrt{2}$?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# for gain in (0.5, 0.8, 1.0, 1.2, 5 / 3, 2.0, 3.0):
#     norms = message_norms("tanh", gain)
#     print(f"gain {gain:.2f}: layer 1 / layer 20 = {norms[0] / norms[-1]:.2e}")
# ```
#
# The printed ratios pass through one for a gain between 1.2 and 5/3; well below 1 the
# messages shrink with depth, and well above they grow on the way back. Near zero, tanh
# behaves like the identity, with slope 1, so weights that preserve the size of the
# signal, a gain near 1, are about right; a little more makes up for the saturation away
# from zero. (PyTorch suggests $5/3$ for tanh, a choice aimed at the forward
# activations; here it lets the backward messages grow somewhat.) ReLU zeroes about half
# of its inputs, halving the variance at each layer, which a gain of $\sqrt2$ on the
# standard deviation compensates.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 7 · Which zeros are harmless?</p>
#
# Zero biases did no harm in the symmetry experiment. Are zero *weights* always fatal?
# Train the experiment's 2-8-1 network with its random first layer but an output layer
# $W^{(2)}$ of zeros. Print how far $W^{(1)}$ has moved after the first and after the
# second step, and the accuracy after 300 steps. Explain what you see with the
# backward-pass formulas.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# model = MLP([2, 8, 1], activation="tanh", generator=torch.Generator().manual_seed(0))
# params = params_from_mlp(model)  # [(W1, b1), (W2, b2)]
# params[1][0].zero_()  # W2 = 0; W1 keeps its random values
# W1_start = params[0][0].clone()
# for step in range(1, 301):
#     loss, grads = mlp_forward_backward(params, X_moons, Y_moons, activations=["tanh", "linear"])
#     sgd_step(params, grads, lr=0.2)
#     if step <= 2:
#         print(f"after step {step}: W1 moved by {(params[0][0] - W1_start).abs().max():.4f}, "
#               f"W2 = {[round(w, 3) for w in params[1][0].flatten().tolist()]}")
# with torch.no_grad():
#     print(f"after 300 steps: loss {loss.item():.3f}, accuracy {binary_accuracy(model(X_moons), y_moons):.1%}")
# ```
#
# In the first step the message to the hidden layer is $\delta^{(2)} W^{(2)} = 0$, so
# $W^{(1)}$ does not move. But the output weights receive
# $\partial L/\partial W^{(2)} = (\delta^{(2)})^\top A^{(1)}$, and because the hidden units
# already differ, so do the entries of that gradient. After one step $W^{(2)}$ is no longer
# zero, and from the second step on the messages reach the first layer, different for
# every unit. The network ends as well trained as the one started from random weights
# everywhere. What must not be equal is the units *within* a layer that is followed by
# more layers; once the hidden units differ, a zero output layer breaks no rule. (Large
# networks sometimes start the last layer of a block at zero on purpose, so that the
# block begins as a shortcut that changes nothing.)
#
# </details>
#
# ## References
#
# - D. E. Rumelhart, G. E. Hinton and R. J. Williams, "Learning representations by
#   back-propagating errors", *Nature* 323 (1986): backpropagation trains hidden layers.
#   [doi:10.1038/323533a0](https://doi.org/10.1038/323533a0)
# - A. G. Baydin, B. A. Pearlmutter, A. A. Radul and J. M. Siskind, "Automatic
#   differentiation in machine learning: a survey", *Journal of Machine Learning
#   Research* 18 (2018): reverse mode and its history.
#   [arXiv:1502.05767](https://arxiv.org/abs/1502.05767)
# - Y. LeCun, L. Bottou, G. B. Orr and K.-R. Müller, "Efficient BackProp", in *Neural
#   Networks: Tricks of the Trade*, Springer (1998): practical backpropagation, weights
#   scaled by $1/\sqrt{n_{\text{in}}}$. [doi:10.1007/3-540-49430-8_2](https://doi.org/10.1007/3-540-49430-8_2)
# - Y. Bengio, P. Simard and P. Frasconi, "Learning long-term dependencies with gradient
#   descent is difficult", *IEEE Transactions on Neural Networks* 5 (1994): vanishing and
#   exploding gradients. [doi:10.1109/72.279181](https://doi.org/10.1109/72.279181)
# - X. Glorot and Y. Bengio, "Understanding the difficulty of training deep feedforward
#   neural networks", AISTATS 2010: Xavier initialisation.
#   [proceedings.mlr.press/v9/glorot10a](https://proceedings.mlr.press/v9/glorot10a.html)
# - K. He, X. Zhang, S. Ren and J. Sun, "Delving deep into rectifiers: surpassing
#   human-level performance on ImageNet classification", ICCV 2015: He initialisation.
#   [arXiv:1502.01852](https://arxiv.org/abs/1502.01852)
# - T. Chen, B. Xu, C. Zhang and C. Guestrin, "Training deep nets with sublinear memory
#   cost" (2016): gradient checkpointing (Exercise 5).
#   [arXiv:1604.06174](https://arxiv.org/abs/1604.06174)
# - S. Ioffe and C. Szegedy, "Batch normalization: accelerating deep network training by
#   reducing internal covariate shift", ICML 2015: normalisation layers.
#   [arXiv:1502.03167](https://arxiv.org/abs/1502.03167)
# - K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image recognition",
#   CVPR 2016: residual connections. [arXiv:1512.03385](https://arxiv.org/abs/1512.03385)
