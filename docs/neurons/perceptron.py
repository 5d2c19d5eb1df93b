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
# # The perceptron
#
# Every network in this book, from a three-neuron toy to a transformer, is assembled
# from one small part: a unit that weighs its inputs, adds them up and passes the total
# through a simple function. The oldest trainable version of that unit is the
# **perceptron**, which Frank Rosenblatt proposed in the late 1950s together with a rule
# for learning its weights from examples. It is worth studying closely for two reasons.
# Its forward pass is exactly the computation inside every neuron of a modern network,
# and its most famous failure, on a four-point problem called XOR, explains why modern
# networks have hidden layers at all.
#
# By the end of the chapter you should be able to:
#
# - compute a perceptron's output from its weights, bias and activation;
# - explain why its decision boundary is a straight line (a hyperplane in general) and draw it;
# - state Rosenblatt's learning rule and say when it is guaranteed to stop;
# - prove that no single perceptron computes XOR, and show how two layers of them can;
# - place the perceptron in the history of the field, from the Mark I machine to the
#   first AI winter and the return of neural networks.

# %%
import math

import matplotlib.pyplot as plt
import torch

from dlbook import seed_everything
from dlbook.activations import sigmoid, step
from dlbook.datasets import tilted_blobs, xor
from dlbook.figures import load_manifest, show
from dlbook.perceptron import (Perceptron, augmented_margin, augmented_radius, mistake_bound,
                               perceptron_output)

seed_everything(0)

# %% [markdown]
# ## One neuron: weighted sum, bias, activation
#
# A perceptron receives $d$ input numbers $\mathbf{x} = (x_1, \dots, x_d)$. It owns one
# **weight** $w_j$ per input and one extra number $w_0$, the **bias**. It computes its
# output in two steps. First a weighted sum, shifted by the bias:
#
# $$z = w_0 + \sum_{j=1}^{d} w_j x_j = w_0 + \mathbf{w}^\top \mathbf{x} .$$
#
# Then it passes this **pre-activation** $z$ through a fixed function $g$, the
# **activation function**:
#
# $$\hat{y} = g(z) = g\big(w_0 + \mathbf{w}^\top \mathbf{x}\big) .$$
#
# Each piece has a plain meaning. A weight says how much its input matters and in which
# direction: a large positive $w_j$ means "a large $x_j$ pushes the output up", a
# negative one pushes it down, and a weight of zero means the input is ignored. The bias
# sets how easily the unit fires at all, independently of the inputs: it is the value
# of $z$ when every input is zero. The activation turns the unbounded score $z$ into the
# kind of output we want. Rosenblatt used the **step function**, which answers with a
# hard yes or no, $g(z) = 1$ if $z \ge 0$ and $0$ otherwise. Networks trained by
# gradients need an activation with a useful slope instead. At the output of a
# classifier that is usually the **sigmoid** $\sigma(z) = 1 / (1 + e^{-z})$, which squashes
# any score into the interval $(0, 1)$ so that the output can be read as a probability;
# inside today's networks it is mostly the ReLU, $\max(0, z)$. The
# [activation functions](activation-functions.py) chapter compares the options.
#
# The analogy with a biological neuron, which inspired the design, goes this far: a
# nerve cell collects signals from many others through connections of varying strength
# and fires when the combined stimulation passes a threshold. The bias plays the role of
# that threshold (with the opposite sign). Beyond this picture, artificial neurons are
# simply a convenient family of functions, and we will treat them as such.
#
# ### A worked example
#
# Take a perceptron with two inputs, bias $w_0 = 1$ and weights
# $\mathbf{w} = (3, -2)$, and feed it the input $\mathbf{x} = (-1, 2)$. The function
# `perceptron_output` from `dlbook.perceptron` performs both steps and returns the score
# $z$ together with the output $\hat{y}$, using the sigmoid unless told otherwise.

# %%
w0 = 1.0
w = torch.tensor([3.0, -2.0])
x = torch.tensor([-1.0, 2.0])

z, y_hat = perceptron_output(w0, w, x)
terms = " + ".join(f"({w_j:g})*({x_j:g})" for w_j, x_j in zip(w.tolist(), x.tolist()))
print(f"z = {w0:g} + {terms} = {z.item():g}")
print(f"sigmoid(z) = {y_hat.item():.6f}   (to two significant digits: {y_hat.item():.2g})")
print(f"step(z)    = {perceptron_output(w0, w, x, activation=step)[1].item():g}")

# %% [markdown]
# The weighted sum comes out strongly negative, so the sigmoid output is tiny: the
# neuron is confident that this input belongs to class 0, and the step version says
# the same with a flat 0. (Round with care: to two significant digits the output is
# 0.0025, about a quarter of a percent, as printed; truncating it to 0.002 would
# understate it by a fifth.)
#
# The animation below plays this computation on a drawing of the neuron: each weight
# multiplies its input on the way in, the bias and the two products add up to $z$, and
# the sigmoid turns $z$ into $\hat{y}$. Every number in it comes from `dlbook`, and the
# steps are listed under the video.
#
# {{ animation("PerceptronForward") }}
#
# The same function accepts a whole batch of inputs as the rows of a matrix of shape
# $(n, d)$ and returns one score per row. That is how the next sections evaluate the
# neuron on many points at once.

# %%
X_few = torch.tensor([[-1.0, 2.0], [1.0, 0.0], [0.0, 0.5], [2.0, 1.0], [-2.0, -1.0]])  # (5, 2)
z_few, p_few = perceptron_output(w0, w, X_few)  # (5,), (5,)
for point, z_i, p_i in zip(X_few.tolist(), z_few.tolist(), p_few.tolist(), strict=True):
    print(f"x = {point!s:<12} z = {z_i:5.1f}   sigmoid(z) = {p_i:.4f}")

# %% [markdown]
# ## The decision boundary is a line
#
# To turn the output into a class label we threshold it: class 1 when $\hat{y} \ge 0.5$.
# Because the sigmoid is increasing and equals $0.5$ exactly at $z = 0$, this is the same
# as asking for the sign of $z$, and the step activation asks that question directly.
# So the whole input plane splits into two regions separated by the set of points where
# the score is zero:
#
# $$z = 1 + 3x_1 - 2x_2 = 0 \quad\Longleftrightarrow\quad x_2 = \tfrac{3}{2}x_1 + \tfrac{1}{2} .$$
#
# That set is a straight line. Two facts about it are worth remembering, and the
# plot below shows both.
#
# - The weight vector $\mathbf{w}$ is **perpendicular** to the boundary and points into
#   the half-plane where $z > 0$. Moving along the line leaves $z$ unchanged; moving
#   along $\mathbf{w}$ raises $z$ fastest (it is the gradient of $z$ with respect to
#   $\mathbf{x}$, in the language of [mathematical foundations](../foundations/mathematical-foundations.py)).
# - The score measures distance from the line: a point's signed distance to the
#   boundary is $z / \lVert \mathbf{w} \rVert$. Changing the bias slides the line
#   without turning it; changing $\mathbf{w}$ turns it.
#
# In $d$ dimensions the same algebra gives a flat $(d-1)$-dimensional **hyperplane**,
# but the story is identical: a perceptron can only cut its input space in two with one
# flat cut.

# %% alt="The line 1 + 3x1 - 2x2 = 0 cuts the plane into a blue class-0 half at upper left and an orange class-1 half at lower right, and a red weight vector w points across it into the orange half. Five points carry their scores z: negative on the blue side, zero on the line, positive on the orange side."
lim = (-3.0, 3.0)
grid = torch.linspace(*lim, 300)
xx, yy = torch.meshgrid(grid, grid, indexing="xy")  # (300, 300) each
zz, _ = perceptron_output(w0, w, torch.stack([xx.flatten(), yy.flatten()], dim=1))  # (90000,)

fig, ax = plt.subplots(figsize=(6.2, 5.2))
ax.contourf(xx, yy, (zz >= 0).view_as(xx).float(), levels=[-0.5, 0.5, 1.5],
            colors=["tab:blue", "tab:orange"], alpha=0.15)
ax.plot(grid, 1.5 * grid + 0.5, color="black", lw=2, label=r"$1 + 3x_1 - 2x_2 = 0$")
on_line = torch.tensor([-1.0, -1.0])  # a point on the boundary: 1 + 3(-1) - 2(-1) = 0
ax.annotate("", xy=(on_line + 0.35 * w).tolist(), xytext=on_line.tolist(),
            arrowprops={"arrowstyle": "->", "color": "tab:red", "lw": 2})
ax.text(*(on_line + 0.4 * w).tolist(), r"$\mathbf{w}$", color="tab:red", fontsize=13)
for (x1, x2), z_i in zip(X_few.tolist(), z_few.tolist(), strict=True):
    ax.scatter(x1, x2, color="black", zorder=3, s=25)
    ax.annotate(f"z = {z_i:g}", (x1, x2), xytext=(6, -12), textcoords="offset points", fontsize=9)
ax.text(-2.8, 2.6, "z < 0: class 0", color="tab:blue", fontsize=11)
ax.text(1.0, -2.7, "z > 0: class 1", color="tab:orange", fontsize=11)
ax.set(xlim=lim, ylim=lim, xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
       title="The perceptron's decision boundary")
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# The worked example sits deep in the blue half-plane, far from the line, which is why
# its sigmoid output was so close to zero. The point $(0, 0.5)$ lies exactly on the
# line, with a score of zero and a sigmoid output of one half: the neuron cannot make up
# its mind there.
#
# ## Learning the weights: Rosenblatt's rule
#
# So far the weights were given. The perceptron became famous because it could *find*
# them from labelled examples. Rosenblatt's procedure uses the step activation and
# labels $y \in \{0, 1\}$. It visits the training points one at a time and, for each, does
# the following:
#
# $$
# \hat{y} = \operatorname{step}\big(b + \mathbf{w}^\top\mathbf{x}\big), \qquad
# \mathbf{w} \leftarrow \mathbf{w} + \eta\,(y - \hat{y})\,\mathbf{x}, \qquad
# b \leftarrow b + \eta\,(y - \hat{y}) .
# $$
#
# Here we write $b$ for the bias $w_0$, as the library does, and $\eta > 0$ is the
# **learning rate**. The error $y - \hat{y}$ can only be $0$, $+1$ or $-1$, so the rule
# has three cases:
#
# - the prediction is right: nothing changes;
# - a class 1 point was called 0: add $\eta\mathbf{x}$ to the weights and $\eta$ to the bias;
# - a class 0 point was called 1: subtract them.
#
# Why does this help? After an update on a point that was wrongly called 0, its new score is
#
# $$z_{\text{new}} = (b + \eta) + (\mathbf{w} + \eta\mathbf{x})^\top\mathbf{x}
#   = z_{\text{old}} + \eta\big(1 + \lVert\mathbf{x}\rVert^2\big),$$
#
# strictly larger than before, so the point has moved towards the correct side (the
# other mistake case is the mirror image). One update need not fix the point, and it may
# disturb points that were already right, but each step pushes in the right direction
# for the example at hand. One full pass over the training data is an **epoch**.
#
# Let us watch a single update. We start from the worked example's weights and tell the
# perceptron that the input $(-1, 2)$ actually belongs to class 1.

# %%
model = Perceptron(2)
model.w = w.clone()
model.b = torch.tensor(w0)
lr = 1.0

z_before = model.decision(x).item()
was_mistake = model.update(x, 1, lr=lr)
z_after = model.decision(x).item()
print("before:", f"z = {z_before:g}")
print("mistake, so the rule updated:", was_mistake, "->", model)
print("after: ", f"z = {z_after:g}, predicted class {model.predict(x).item()}")
print("increase in z:", z_after - z_before)
print("lr * (1 + |x|^2):", lr * (1 + x.pow(2).sum().item()))

# %% [markdown]
# One update raised the score by exactly the amount the formula predicts, and here
# that was just enough: the point now lies on the boundary, where the step function
# answers 1.
#
# ### Running the rule on separable data
#
# A data set is **linearly separable** when some line (hyperplane) puts all points of
# one class on one side and all of the other class on the other side. For such data the
# rule comes with a guarantee, the **perceptron convergence theorem** (proved by Block
# and by Novikoff in 1962). It is easiest to state with the bias treated as one more
# weight. Give every input an extra coordinate that is always 1,
# $\tilde{\mathbf{x}} = (\mathbf{x}, 1)$, and put the line's numbers into one vector
# $\boldsymbol{\theta} = (\mathbf{w}, b)$; the score is then $z = \boldsymbol{\theta}^\top\tilde{\mathbf{x}}$
# and the rule adds $\pm\eta\,\tilde{\mathbf{x}}$ to $\boldsymbol{\theta}$ on each
# mistake. We call this the **augmented** space, and write the labels as signs,
# $s = 2y - 1 \in \{-1, +1\}$.
#
# **Theorem.** Suppose some unit vector $\mathbf{u}$ of the augmented space
# ($\lVert\mathbf{u}\rVert = 1$) puts every training point strictly on its own side,
# with margin
#
# $$\gamma = \min_i \, s_i\,\mathbf{u}^\top\tilde{\mathbf{x}}_i > 0, \qquad\text{and let}\qquad
# R = \max_i \lVert\tilde{\mathbf{x}}_i\rVert .$$
#
# Then the rule, started from zero weights, makes at most $(R/\gamma)^2$ mistakes in
# total, whatever the order in which it visits the points and whatever the learning
# rate. With finitely many mistakes there is a last one, and every epoch after it is
# error-free.
#
# The proof fits in a paragraph. A mistake on point $i$ means
# $s_i\boldsymbol{\theta}^\top\tilde{\mathbf{x}}_i \le 0$, and the update adds
# $\eta s_i\tilde{\mathbf{x}}_i$ to $\boldsymbol{\theta}$. This raises
# $\mathbf{u}^\top\boldsymbol{\theta}$ by $\eta s_i\mathbf{u}^\top\tilde{\mathbf{x}}_i \ge \eta\gamma$,
# and it raises $\lVert\boldsymbol{\theta}\rVert^2$ by
# $2\eta s_i\boldsymbol{\theta}^\top\tilde{\mathbf{x}}_i + \eta^2\lVert\tilde{\mathbf{x}}_i\rVert^2 \le \eta^2R^2$,
# because the first term is not positive. After $k$ mistakes, therefore,
# $\mathbf{u}^\top\boldsymbol{\theta} \ge k\eta\gamma$ while
# $\lVert\boldsymbol{\theta}\rVert \le \eta R\sqrt{k}$. The component of a vector along a
# unit vector cannot exceed its length, so $k\eta\gamma \le \eta R\sqrt{k}$, that is,
# $k \le (R/\gamma)^2$.
#
# Both $R$ and $\gamma$ live in the augmented space, bias included, and this matters as
# soon as the data sit away from the origin. Take $\mathbf{u}$ along a line's
# $(\mathbf{w}, b)$. Then $s_i\mathbf{u}^\top\tilde{\mathbf{x}}_i$ is not point $i$'s
# distance to the line in the plane, $s_i(\mathbf{w}^\top\mathbf{x}_i + b)/\lVert\mathbf{w}\rVert$,
# but that distance times $\lVert\mathbf{w}\rVert/\lVert(\mathbf{w}, b)\rVert =
# 1/\sqrt{1 + (b/\lVert\mathbf{w}\rVert)^2}$, and $|b|/\lVert\mathbf{w}\rVert$ is the
# distance from the origin to the line. A line far from the origin has a small augmented
# margin however wide the gap looks in the picture, and far-away points make $R$ large
# as well. A wide gap near the origin means fast learning; a thin gap, or data far from
# the origin, can mean a very long wait.
#
# `Perceptron.fit` runs the rule epoch after epoch and stops after the first epoch
# without a mistake. Our data are two clouds of points from `dlbook.datasets.blobs`,
# generated with a guaranteed gap between the classes and then turned and moved away
# from the origin by `tilted_blobs`, so that the bias has real work to do. We use the
# configuration of the chapter's first trained figure, so the run below is the one the
# figure draws.

# %%
cfg = load_manifest("perceptron-separable")["config"]  # the figure's settings, as a dict
X, y = tilted_blobs(cfg["n"], std=cfg["std"], margin=cfg["margin"], angle_deg=cfg["angle_deg"],
                    shift=cfg["shift"], seed=0)
print("X:", tuple(X.shape), " class counts:", torch.bincount(y).tolist())

model = Perceptron(2)
history = model.fit(X, y, lr=cfg["lr"], num_epochs=cfg["num_epochs"], shuffle_seed=0)
print("mistakes per epoch:", history.mistakes)
print("converged:", history.converged, " epochs:", history.num_epochs,
      " total updates:", sum(history.mistakes))
print("learned:", model)
print(f"training accuracy: {(model.predict(X) == y).float().mean().item():.1%}")

# %% [markdown]
# As the output shows, the number of mistakes falls from epoch to epoch until a whole
# pass goes by without one, at which point every training point is classified
# correctly. The figure draws the line after every epoch.

# %%
show("perceptron-separable")

# %% [markdown]
# The first line is poor, because the early updates are dominated by the first few
# points the rule happens to visit. Each later epoch makes fewer corrections, and the
# line swings into the gap between the clouds. The line after the last epoch with a
# mistake is already the final one; the error-free epoch after it only confirms it.
#
# Notice what the rule does *not* do. It stops at the first separating line it finds,
# not at the best one: the final boundary passes much closer to some points than it
# needs to. A classifier whose line sits in the middle of the gap would be more robust
# to new points. Methods that look for that line, and methods that learn from *how
# wrong* a prediction is rather than only from *whether* it is wrong, come up with loss
# functions and gradient descent later in the book.
#
# ### Checking the bound
#
# To evaluate the bound we need a separating line, and for these data we know one.
# `tilted_blobs` first draws class 1 to the left of the vertical line $x_1 = 0$ and
# class 0 to its right, no point closer to that line than half the requested gap, and
# then turns everything by the angle $\alpha$ and moves it by `shift`. The line turns and
# moves with the points: its normal becomes $\mathbf{w}^* = -(\cos\alpha, \sin\alpha)$,
# pointing towards class 1, and since it now passes through `shift` its bias is
# $b^* = -\mathbf{w}^{*\top}\,\text{shift}$. From any line, `augmented_radius` computes
# $R$, `augmented_margin` computes $\gamma$ for the unit vector along $(\mathbf{w}, b)$,
# and `mistake_bound` returns $(R/\gamma)^2$. The last printed line mixes the two spaces,
# the gap measured in the plane with $R$ measured with the appended 1, to show what
# that would give.

# %%
def generating_line(angle_deg: float, shift: tuple[float, float]) -> tuple[torch.Tensor, float]:
    """The line tilted_blobs draws its classes around: normal −(cos α, sin α), through shift."""
    a = math.radians(angle_deg)
    w_star = -torch.tensor([math.cos(a), math.sin(a)])  # (2,): points towards class 1
    return w_star, -(w_star @ torch.tensor(shift)).item()  # b* = −w*ᵀ shift


def check_bound(X: torch.Tensor, y: torch.Tensor, w_line: torch.Tensor, b_line: float,
                updates: int) -> None:
    """Print the theorem's numbers for the line (w_line, b_line) next to a run's updates."""
    s = 2 * y - 1  # labels as signs
    gap = ((s * (X @ w_line + b_line)).min() / w_line.norm()).item()  # nearest point, in the plane
    R, gamma = augmented_radius(X), augmented_margin(X, y, w_line, b_line)
    bound = mistake_bound(X, y, w_line, b_line)  # (R / γ)²
    print(f"nearest point's distance to the line, in the plane: {gap:.4f}")
    print(f"augmented margin gamma: {gamma:.5f}  (the plane distance times {gamma / gap:.4f})"
          f"   R: {R:.2f}")
    print(f"bound (R/gamma)^2: {bound:,.0f}   updates made: {updates:,}"
          f"   within the bound: {updates <= bound}")
    print(f"(R / plane distance)^2, which mixes the two spaces: {(R / gap) ** 2:,.0f}"
          f"   exceeded: {updates > (R / gap) ** 2}")


w_star, b_star = generating_line(cfg["angle_deg"], cfg["shift"])
print(f"generating line: w* = ({w_star[0]:.4f}, {w_star[1]:.4f}), b* = {b_star:.4f}")
check_bound(X, y, w_star, b_star, sum(history.mistakes))

# %% [markdown]
# The run stayed far inside its bound, as the output shows: the theorem covers the worst
# order of visits, and a real run is rarely that unlucky. The bound also depends on the
# line it is computed from. Every separating line gives a valid one, and the line with
# the widest augmented margin gives the smallest; the generating line is simply one we
# know without solving anything. Note the factor between the two margins, which is
# $1/\sqrt{1 + (b^*)^2}$ here because $\lVert\mathbf{w}^*\rVert = 1$.
#
# Now move two clouds of points, with the same half-unit gap, fifty units away from the
# origin, to `shift=(30, 40)`. Seen from the origin of the augmented space, both clouds
# lie in almost the same direction, and the gap between them is a sliver about
# $0.5/50 = 0.01$ radians wide, through which the separating plane, which must pass
# through the origin, has to squeeze. The rule needs many more updates here, so this
# cell takes a few seconds:

# %%
far_shift = (30.0, 40.0)
X_far, y_far = tilted_blobs(100, std=1.0, margin=0.5, angle_deg=35.0, shift=far_shift, seed=2)
model_far = Perceptron(2)
history_far = model_far.fit(X_far, y_far, num_epochs=100_000, shuffle_seed=0)
updates_far = sum(history_far.mistakes)
print(f"converged: {history_far.converged}, epochs: {history_far.num_epochs:,}, "
      f"updates: {updates_far:,}")
w_far, b_far = generating_line(35.0, far_shift)
print(f"generating line: w* = ({w_far[0]:.4f}, {w_far[1]:.4f}), b* = {b_far:.2f}")
check_bound(X_far, y_far, w_far, b_far, updates_far)
print(f"bound from the line the rule ended on: "
      f"{mistake_bound(X_far, y_far, model_far.w, model_far.b):,.0f}")

# %% [markdown]
# The far clouds cost the rule hundreds of thousands of updates, thousands of times more
# than the chapter's data. The theorem is not embarrassed: with the augmented margin,
# tiny because the line lies almost fifty units from the origin, the bound runs to tens
# of millions and holds. The mixed number, on the other hand, is broken by the run many
# times over, so it is not a bound at all. The plane distance ignores the bias, and a
# line almost fifty units from the origin needs a bias almost fifty times the length of
# its $\mathbf{w}$, which shrinks the augmented margin by about that factor (the one
# printed next to it). The last line shows that the line the rule ended on separates the
# data too, so it also gives a valid bound, only a looser one, since its augmented
# margin is smaller still.
#
# ## XOR: where one line is not enough
#
# The exclusive or of two bits is 1 when exactly one of them is 1:
#
# | $x_1$ | $x_2$ | $x_1 \oplus x_2$ |
# | --- | --- | --- |
# | 0 | 0 | 0 |
# | 0 | 1 | 1 |
# | 1 | 0 | 1 |
# | 1 | 1 | 0 |
#
# Drawn in the plane, the two points of class 1 sit on one diagonal of the unit square
# and the two of class 0 on the other. No line can separate them. Here is the argument.
# Suppose weights $w_1, w_2$ and a bias $b$ did the job with the step activation. The
# four rows would require
#
# $$b < 0, \qquad w_2 + b \ge 0, \qquad w_1 + b \ge 0, \qquad w_1 + w_2 + b < 0 .$$
#
# Adding the middle two gives $w_1 + w_2 + 2b \ge 0$, that is,
# $w_1 + w_2 + b \ge -b$. The first condition makes $-b$ positive, so
# $w_1 + w_2 + b > 0$, contradicting the last condition. No choice of numbers satisfies
# all four, so no perceptron computes XOR.
#
# A quick experiment agrees. We draw a hundred thousand random lines and score each on
# the four corners: the best ones get three right, never four.

# %%
X4, y4 = xor(4, noise=0.0)  # the truth table itself, rows in random order
print(torch.cat([X4, y4[:, None].float()], dim=1))

g = torch.Generator().manual_seed(0)
W = torch.randn(100_000, 2, generator=g)  # one random (w1, w2) per row
B = torch.randn(100_000, generator=g)  # and one bias each
correct = (step(X4 @ W.T + B) == y4[:, None]).sum(dim=0)  # (100000,): corners right per line
print("corners classified correctly, best line:", correct.max().item(), "of 4")
print("lines per score 0..4:", torch.bincount(correct, minlength=5).tolist())

# %% [markdown]
# What does the learning rule do when no separating line exists? The convergence
# theorem no longer applies, and in practice the rule never settles: every epoch finds
# mistakes, every mistake moves the line, and the line swings around forever. Here it is
# on noisy XOR data, with points scattered around the four corners, run for the number
# of epochs of the second trained figure.

# %%
xcfg = load_manifest("perceptron-xor")["config"]
X_xor, y_xor = xor(xcfg["n"], noise=xcfg["noise"], seed=0)
model_xor = Perceptron(2)
history_xor = model_xor.fit(X_xor, y_xor, lr=xcfg["lr"], num_epochs=xcfg["num_epochs"],
                            shuffle_seed=0)
mistakes = torch.tensor(history_xor.mistakes)
print("converged:", history_xor.converged, " epochs run:", history_xor.num_epochs)
print("mistakes per epoch: fewest", mistakes.min().item(), " most", mistakes.max().item(),
      f" mean {mistakes.float().mean().item():.1f} (out of {xcfg['n']})")
accuracy = (model_xor.predict(X_xor) == y_xor).float().mean().item()
print(f"accuracy of the final line: {accuracy:.1%}")

# %%
show("perceptron-xor")

# %% [markdown]
# Even the best epoch leaves a large share of the points misclassified, as the output
# shows, and the final line is simply wherever the last mistake left it. A line can at
# best get three of the four corners right, so about a quarter of the points must be
# wrong however the line is placed; the rule does not even find such a line reliably,
# because each mistake pulls it somewhere else.
#
# ### Two layers solve it
#
# XOR can be rewritten with operations that *are* linearly separable:
# $x_1 \oplus x_2$ is "$x_1$ OR $x_2$, AND NOT both", that is,
# $\text{AND}\big(\text{OR}(x_1, x_2),\, \text{NAND}(x_1, x_2)\big)$. Each of OR, NAND
# and AND is a single perceptron with hand-picked weights. Feeding the outputs of the
# first two into the third gives a network with a **hidden layer** of two units.

# %%
def neuron(bias: float, weights: list[float], inputs: torch.Tensor) -> torch.Tensor:
    """A step perceptron applied to a batch of inputs (n, d), returning (n,) zeros and ones."""
    return perceptron_output(bias, torch.tensor(weights), inputs, activation=step)[1]


corners = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
h_or = neuron(-0.5, [1.0, 1.0], corners)  # fires unless both inputs are 0
h_nand = neuron(1.5, [-1.0, -1.0], corners)  # fires unless both inputs are 1
H = torch.stack([h_or, h_nand], dim=1)  # (4, 2): the hidden layer's outputs
out = neuron(-1.5, [1.0, 1.0], H)  # AND of the two hidden units

print(" x1  x2 | OR NAND | out")
for (x1, x2), (h1, h2), o in zip(corners.tolist(), H.tolist(), out.tolist(), strict=True):
    print(f" {x1:2.0f}  {x2:2.0f} | {h1:2.0f} {h2:4.0f} | {o:3.0f}")

# %% [markdown]
# The hidden units transform the input: in the coordinates (OR, NAND), the four corners
# land on only three distinct points, and the two class 1 corners land on the *same*
# point, $(1, 1)$. The classes are now linearly separable, and the output neuron draws
# the line. That is the general idea of hidden layers: each layer re-describes the data
# so that the next one has an easier job.
#
# There is a catch. We chose these weights by hand. Rosenblatt's rule only knows how to
# adjust a unit whose desired output is given by the label, and nobody tells a hidden
# unit what its output should have been. Worse, the step function is flat everywhere
# except at the jump, so a small change in a hidden weight usually changes nothing at the
# output, and there is no slope to follow. Training hidden layers needed two changes:
# smooth activation functions, whose derivatives tell every weight which way to move,
# and an efficient way to compute those derivatives through many layers,
# **backpropagation**. The next chapters supply both, starting with
# [activation functions](activation-functions.py) and
# [neural networks and the forward pass](neural-networks.py), where a trained network
# solves XOR on its own.
#
# ## A short history
#
# **Before the machine.** The neuron as a threshold unit is older than the perceptron. In
# 1943 Warren McCulloch and Walter Pitts described idealised neurons with on/off inputs:
# a unit fires when enough of its excitatory inputs are on, unless an inhibitory input
# vetoes it, and networks of such units can compute any logical function. Their
# thresholds and connections were fixed by the designer; nothing was learned. In 1949 the
# psychologist Donald Hebb proposed that the connection between two nerve cells grows
# stronger when they are active together, an early idea of how experience could change
# the weights. What Rosenblatt added was a unit that learns its weights from labelled
# examples, with a rule for doing it.
#
# **The machine.** Rosenblatt, a psychologist at the Cornell Aeronautical Laboratory,
# described the perceptron in a 1957 technical report and in a 1958 paper in
# *Psychological Review*, "The perceptron: a probabilistic model for information storage
# and organization in the brain". He then had it built in hardware. The **Mark I
# Perceptron** looked at the world through a $20 \times 20$ grid of 400 photocells, wired
# to a layer of units through fixed random connections; only the weights into the final
# units were learned, and they were stored in motor-driven potentiometers that turned as
# the machine learned. It could learn to tell simple shapes and letters apart, and the
# press coverage predicted far more than that.
#
# **The critique.** In 1969 Marvin Minsky and Seymour Papert published *Perceptrons*, a
# careful mathematical study of what such machines can and cannot compute. They showed
# that perceptrons of the kind then studied cannot decide some simple global properties
# of an image, such as whether a figure is connected or whether the number of lit
# pixels is odd, unless their units see very large parts of the input at once. XOR is
# the two-pixel case of that odd-or-even question. The book did not claim that
# multilayer networks are useless, but nobody knew how to train them, and its analysis
# was widely read as closing the subject.
#
# **The winter.** Funding and interest moved away from neural networks for well over a
# decade. Together with broken promises elsewhere in AI and cuts to research budgets in
# the 1970s, this period became known as the **first AI winter**. Work on neural
# networks continued in a few places, but it was no longer the mainstream.
#
# **The thaw.** The way out was the one sketched above: networks with hidden layers
# and smooth activations, trained by computing the gradient of an error with the chain
# rule. The method had been found more than once (by Linnainmaa in 1970 for general
# computations and by Werbos in 1974 for networks), but it became widely known in 1986
# when Rumelhart, Hinton and Williams showed in *Nature* that backpropagation makes hidden
# units learn useful internal features. The single perceptron lives on as the neuron of
# every layer in a modern network.
#
# ## Summary
#
# - A perceptron computes a weighted sum plus a bias, $z = w_0 + \mathbf{w}^\top\mathbf{x}$,
#   and passes it through an activation, $\hat{y} = g(z)$: the step function in
#   Rosenblatt's version, the sigmoid in the smooth one.
# - For $w_0 = 1$, $\mathbf{w} = (3, -2)$ and $\mathbf{x} = (-1, 2)$ the score is
#   $z = -6$ and the sigmoid output is about $0.0025$.
# - The decision boundary $z = 0$ is a line (a hyperplane in higher dimensions). The
#   weight vector is perpendicular to it, the bias shifts it, and $z / \lVert\mathbf{w}\rVert$
#   is the signed distance to it.
# - Rosenblatt's rule, $\mathbf{w} \leftarrow \mathbf{w} + \eta (y - \hat{y})\mathbf{x}$ and
#   $b \leftarrow b + \eta (y - \hat{y})$, changes the weights only on mistakes. On
#   linearly separable data it makes at most $(R/\gamma)^2$ mistakes, with the radius $R$
#   and the margin $\gamma$ both measured on inputs with a 1 appended for the bias, which
#   makes data far from the origin slow to learn; on data such as XOR it never settles.
# - XOR is not linearly separable, but a network with a hidden layer of two perceptrons
#   computes it. Training such hidden layers needs activations with a useful slope and
#   backpropagation, whose popularisation in the mid-1980s revived research on neural
#   networks.
#
# ## Exercises
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 1 · Read the boundary</p>
#
# For the perceptron with $w_0 = 1$ and $\mathbf{w} = (3, -2)$: (a) where does its
# boundary cross the $x_1$ axis and the $x_2$ axis? (b) Without computing $z$, decide on
# which side of the line the point $(0, 3)$ lies, then check with `perceptron_output`.
# (c) Find weights for a perceptron with the same boundary but the classes swapped.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# (a) On the $x_1$ axis $x_2 = 0$, so $1 + 3x_1 = 0$ and $x_1 = -1/3$; on the $x_2$ axis
# $x_1 = 0$, so $1 - 2x_2 = 0$ and $x_2 = 1/2$. (b) Moving straight up from the line
# goes against the weight vector's second component ($w_2 = -2 < 0$), so $z$ falls: the
# point is on the class 0 side. (c) Multiply all three numbers by $-1$: the set where
# $z = 0$ is unchanged but every sign flips.
#
# ```python
# z, _ = perceptron_output(1.0, torch.tensor([3.0, -2.0]), torch.tensor([0.0, 3.0]))
# print(z)  # -5: class 0
# z_swapped, _ = perceptron_output(-1.0, torch.tensor([-3.0, 2.0]), torch.tensor([0.0, 3.0]))
# print(z_swapped)  # 5: the other class
# ```
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 2 · Does the learning rate matter?</p>
#
# Train two perceptrons on the separable data of this chapter, one with `lr=1.0` and
# one with `lr=0.1`, both from zero weights and with the same `shuffle_seed`. Compare
# their mistakes per epoch and their final weights. Explain what you see.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# a, b = Perceptron(2), Perceptron(2)
# ha = a.fit(X, y, lr=1.0, shuffle_seed=0)
# hb = b.fit(X, y, lr=0.1, shuffle_seed=0)
# print(ha.mistakes == hb.mistakes)           # True: the same mistakes in the same epochs
# torch.testing.assert_close(b.w, 0.1 * a.w)  # the weights are scaled copies
# ```
#
# Starting from zero, every update adds $\pm\eta$ times an input, so after any sequence of
# updates the weights and bias are $\eta$ times what they would be with $\eta = 1$.
# Scaling $(\mathbf{w}, b)$ by a positive number does not change the sign of $z$, so both
# runs make the same predictions, the same mistakes and the same updates. For the
# perceptron from a zero start the learning rate only sets the scale of the weights.
# (Up to rounding: in floating point the two runs could in principle differ on a point
# that lies exactly on a boundary.)
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 3 · A feature that makes XOR separable</p>
#
# Add a third input column $x_1 x_2$ to the XOR data and train a `Perceptron(3)` on it.
# Does it converge? Find by hand a weight vector and bias that solve the noise-free truth
# table with these three features.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# X3 = torch.cat([X_xor, (X_xor[:, 0] * X_xor[:, 1])[:, None]], dim=1)  # (n, 3)
# model3 = Perceptron(3)
# h3 = model3.fit(X3, y_xor, num_epochs=100, shuffle_seed=0)
# print(h3.converged, h3.mistakes, model3)
# ```
#
# It converges within a few epochs. By hand: $z = -0.5 + x_1 + x_2 - 2x_1x_2$ gives
# $-0.5, 0.5, 0.5, -0.5$ on the four corners, exactly the XOR pattern. In three
# dimensions the corners are separable by a plane. The catch is that *we* had to invent
# the product feature; a hidden layer learns such features from data.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 4 · The pocket algorithm</p>
#
# On XOR the rule's final line is essentially arbitrary. Gallant's *pocket* variant keeps
# a copy of the best weights seen so far (by training accuracy) "in its pocket" and
# returns those. Implement it with `Perceptron.update`, run it on `X_xor, y_xor` for 50
# epochs and compare its accuracy with that of the plain rule.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# def pocket(X, y, *, num_epochs, seed=0):
#     model = Perceptron(X.shape[1])
#     best_acc, best = -1.0, (model.w.clone(), model.b.clone())
#     g = torch.Generator().manual_seed(seed)
#     for _ in range(num_epochs):
#         for i in torch.randperm(len(X), generator=g).tolist():
#             if model.update(X[i], y[i]):  # the weights changed: score them
#                 acc = (model.predict(X) == y).float().mean().item()
#                 if acc > best_acc:
#                     best_acc, best = acc, (model.w.clone(), model.b.clone())
#     model.w, model.b = best
#     return model, best_acc
#
# model_p, acc_p = pocket(X_xor, y_xor, num_epochs=50)
# print(acc_p)
# ```
#
# The pocket weights reach close to the best a line can do on XOR, about three
# quarters of the points, and unlike the plain rule the answer does not depend on where
# the last mistake happened to leave the line. Scoring every update on the whole data
# set is expensive, which is one reason later methods minimise a smooth loss instead.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 5 · Narrow gaps take longer</p>
#
# The convergence theorem's bound grows as the augmented margin $\gamma$ shrinks. Does
# the number of updates the rule actually makes follow it? For `margin` in
# `[2.0, 1.0, 0.5, 0.25, 0.1]`, generate `tilted_blobs` with `std=1.2` (other arguments
# as in the chapter), train a perceptron and record the total number of updates and
# epochs, together with the bound `mistake_bound` gives for the generating line of the
# section "Checking the bound". Use several seeds per margin, since single runs are noisy.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# w_star, b_star = generating_line(35.0, (3.0, 4.0))
# for margin in [2.0, 1.0, 0.5, 0.25, 0.1]:
#     updates, epochs, bounds = [], [], []
#     for seed in range(5):
#         Xm, ym = tilted_blobs(200, std=1.2, margin=margin, angle_deg=35.0,
#                               shift=(3.0, 4.0), seed=seed)
#         h = Perceptron(2).fit(Xm, ym, num_epochs=10_000, shuffle_seed=seed)
#         updates.append(sum(h.mistakes))
#         epochs.append(h.num_epochs)
#         bounds.append(mistake_bound(Xm, ym, w_star, b_star))  # (R/gamma)^2, augmented
#         assert updates[-1] <= bounds[-1]
#     print(f"margin {margin:4}: mean updates {sum(updates) / 5:6.1f}, "
#           f"mean epochs {sum(epochs) / 5:5.1f}, bounds {min(bounds):,.0f} to {max(bounds):,.0f}")
# ```
#
# The mean number of updates grows as the requested gap narrows, but gently and with a
# lot of scatter from seed to seed, while the bounds climb much faster and stay tens to
# thousands of times above every count (the `assert` never fires). Two things blunt the
# effect on the count. Only the few points next to the gap feel the margin; most of each
# cloud sits far from the line. And asking for a narrower gap changes nothing when the
# random draw already left a wider one: `blobs` only redraws points that fall inside the
# gap, so several seeds produce the very same data, and the same count, at 0.25 and 0.1,
# and the smallest bound stops changing below 0.5. The bound covers the worst possible
# order of visits; the theorem promises that the count is finite, not that it comes
# close to the bound.
#
# </details>
#
# ## References
#
# - W. S. McCulloch and W. Pitts, "A logical calculus of the ideas immanent in nervous
#   activity", *Bulletin of Mathematical Biophysics*, vol. 5 (1943): threshold neurons that
#   compute logic. [doi:10.1007/BF02478259](https://doi.org/10.1007/BF02478259)
# - D. O. Hebb, *The Organization of Behavior*, Wiley (1949): connections that strengthen
#   with use. [doi:10.4324/9781410612403](https://doi.org/10.4324/9781410612403) (reprint)
# - F. Rosenblatt, "The perceptron: a perceiving and recognizing automaton", Report
#   85-460-1, Cornell Aeronautical Laboratory (1957): the first description.
# - F. Rosenblatt, "The perceptron: a probabilistic model for information storage and
#   organization in the brain", *Psychological Review* 65 (1958): the perceptron and its
#   learning rule. [doi:10.1037/h0042519](https://doi.org/10.1037/h0042519)
# - H. D. Block, "The perceptron: a model for brain functioning. I", *Reviews of Modern
#   Physics* 34 (1962): an analysis of the perceptron, with a proof of convergence.
#   [doi:10.1103/RevModPhys.34.123](https://doi.org/10.1103/RevModPhys.34.123)
# - A. B. J. Novikoff, "On convergence proofs on perceptrons", *Proceedings of the
#   Symposium on the Mathematical Theory of Automata*, Polytechnic Institute of Brooklyn
#   (1962): the $(R/\gamma)^2$ mistake bound.
# - M. Minsky and S. Papert, *Perceptrons: An Introduction to Computational Geometry*,
#   MIT Press (1969; expanded edition 1988): what perceptrons cannot compute.
#   [doi:10.7551/mitpress/11301.001.0001](https://doi.org/10.7551/mitpress/11301.001.0001)
# - S. Linnainmaa, "Taylor expansion of the accumulated rounding error", *BIT* 16 (1976):
#   reverse-mode differentiation, first described in his 1970 master's thesis.
#   [doi:10.1007/BF01931367](https://doi.org/10.1007/BF01931367)
# - P. J. Werbos, "Beyond regression: new tools for prediction and analysis in the
#   behavioral sciences", PhD thesis, Harvard University (1974): backpropagation for
#   networks.
# - D. E. Rumelhart, G. E. Hinton and R. J. Williams, "Learning representations by
#   back-propagating errors", *Nature* 323 (1986): hidden units that learn features.
#   [doi:10.1038/323533a0](https://doi.org/10.1038/323533a0)
# - S. I. Gallant, "Perceptron-based learning algorithms", *IEEE Transactions on Neural
#   Networks* 1 (1990): the pocket algorithm.
#   [doi:10.1109/72.80230](https://doi.org/10.1109/72.80230)
