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
# # Gradient descent and optimizers
#
# [Backpropagation](backpropagation.py) hands us, for every weight, the slope of the loss
# along that weight. This chapter is about what to do with those slopes. The answer
# at the heart of almost all of deep learning is disarmingly simple: take a small step
# downhill, recompute the slopes, and repeat. Everything else, from mini-batches to
# momentum and Adam, refines how long each step is, in which direction exactly, and
# on how much data the slopes are measured.
#
# Those refinements matter a great deal in practice. The same network on the same data
# can train in seconds, crawl for hours or blow up in its first few steps depending on
# one number, the learning rate. We build the method up from a single parameter to a
# real network, train every variant in code, and look at what each one does to the path
# the weights take. By the end you should be able to:
#
# - write the gradient-descent update and the mini-batch SGD loop from scratch;
# - explain, with the curvature of the loss, why a learning rate can be too small or too
#   large, and read a learning-rate sweep;
# - say why full-batch gradients are exact while mini-batch and single-example gradients
#   are noisy, and how the noise shrinks with the batch size;
# - write the update rules of momentum, RMSProp and Adam and predict how each one moves
#   in a long, narrow valley;
# - recognise many minima, saddle points and plateaus on a non-convex loss, and say how
#   momentum, adaptive steps and noise help with each;
# - use a learning-rate schedule with warm-up, and choose a batch size and its learning
#   rate together.

# %%
import math
import time

import matplotlib.pyplot as plt
import torch
from matplotlib.collections import LineCollection
from torch.optim.lr_scheduler import LambdaLR

from dlbook import seed_everything
from dlbook.datasets import digits, moons
from dlbook.figures import show
from dlbook.figures import load_manifest
from dlbook.losses import binary_cross_entropy_with_logits, cross_entropy, mse
from dlbook.mlp import MLP
from dlbook.optim import SGD, Adam
from dlbook.schedules import as_lr_lambda, cosine_lr, linear_warmup, step_lr, warmup_cosine
from dlbook.surfaces import line_data, line_loss, loss_grid, optimizer_path, quadratic
from dlbook.trace import trace_gradient_descent
from dlbook.train import FitConfig, fit

seed_everything(0)
torch.set_num_threads(1)  # networks this small run faster on one CPU thread

# %% [markdown]
# ## The update rule
#
# ### Downhill, one step at a time
#
# Training means finding weights $\mathbf{W}$ that make the average loss over the
# training set small,
#
# $$J(\mathbf{W}) = \frac{1}{n}\sum_{i=1}^{n} L\big(f(\mathbf{x}^{(i)}; \mathbf{W}), y^{(i)}\big),
#   \qquad \mathbf{W}^* = \arg\min_{\mathbf{W}} J(\mathbf{W}).$$
#
# For a network there is no formula for $\mathbf{W}^*$. What we can compute cheaply is
# the gradient $\nabla J(\mathbf{W})$, the vector of all partial derivatives. It points in
# the direction in which $J$ rises fastest, so its negative is the direction of steepest
# descent. **Gradient descent**, an idea that goes back to Cauchy (1847), moves the
# weights a little way along it and starts again:
#
# $$\mathbf{W} \leftarrow \mathbf{W} - \eta\, \nabla J(\mathbf{W}).$$
#
# The positive number $\eta$ is the **learning rate**, or step size. Why does a small step
# help? To first order, $J(\mathbf{W} - \eta \mathbf{g}) \approx J(\mathbf{W}) - \eta\,
# \lVert \mathbf{g} \rVert^2$ for $\mathbf{g} = \nabla J(\mathbf{W})$: the loss falls by an
# amount proportional to the squared length of the gradient, as long as $\eta$ is small
# enough for the first-order picture to hold. When the gradient vanishes, the steps stop:
# gradient descent halts at points where the loss is flat, ideally a minimum.
#
# The smallest example has one parameter. On $f(x) = x^2$, with $f'(x) = 2x$, the rule
# reads $x \leftarrow x - 2\eta x$. The library's `trace_gradient_descent` records each
# step together with the numbers that produced it:

# %%
def f(x: float) -> float:
    return x**2


def df(x: float) -> float:
    return 2 * x


trace = trace_gradient_descent(f, df, x0=3.0, lr=0.1, num_steps=5)
print("\n".join(trace.steps()))

# %% [markdown]
# Every step multiplies $x$ by the same factor $1 - 2\eta$, so the walk is a geometric
# sequence towards the minimum at zero. The steps shrink by themselves because the
# slope shrinks near the bottom: no one has to tell gradient descent to slow down.
#
# The animation below draws the first steps of that walk on the curve. At every point the
# tangent shows the slope, and the arrow is the step itself: the learning rate times that
# slope, taken against it. Its numbers come from the library's tracing code too.
#
# {{ animation("GradientDescentStep") }}
#
# ## The learning rate
#
# ### Too small, about right, too large
#
# That factor $1 - 2\eta$ tells the whole story of the learning rate on this parabola.
# If it lies between 0 and 1 the walk creeps towards zero from one side; between $-1$
# and 0 it jumps across the minimum at every step but still closes in; below $-1$, that
# is for $\eta > 1$, every jump lands further out than the last and the walk runs off.
# The cell below walks the parabola with four learning rates, one from each regime.

# %% alt="Four panels of gradient descent on the parabola f(x) = x^2 from x = 3, with learning rates 0.02, 0.3, 0.9 and 1.05. The smallest creeps a little way down one side, 0.3 reaches the bottom in a few steps, 0.9 zigzags across the minimum while closing in, and 1.05 zigzags outwards and climbs off the chart."
rates = {"too small": 0.02, "about right": 0.3, "oscillating": 0.9, "too large": 1.05}
fig, axes = plt.subplots(1, 4, figsize=(14, 3.2), sharey=True)
xs = torch.linspace(-4.5, 4.5, 200)
for ax, (name, lr) in zip(axes, rates.items(), strict=True):
    points = trace_gradient_descent(f, df, x0=3.0, lr=lr, num_steps=10).points
    path_x = [p.x for p in points]
    ax.plot(xs, xs**2, color="lightgray")
    ax.plot(path_x, [f(x) for x in path_x], "o-", ms=4, color="tab:red", lw=1)
    ax.plot(path_x[0], f(path_x[0]), "s", color="black")
    ax.set(title=f"{name}: lr = {lr}", xlabel="$x$", ylim=(-0.5, 20), xlim=(-4.5, 4.5))
    print(f"lr = {lr:<5} factor 1 − 2·lr = {1 - 2 * lr:+.2f}   x after 10 steps: {path_x[-1]:+.4f}")
axes[0].set_ylabel("$f(x) = x^2$")
plt.tight_layout()
plt.show()

# %% [markdown]
# The parabola's second derivative is 2, and that number sets the limit. On any loss that
# is locally a bowl with curvature $\lambda$ (its second derivative, or an eigenvalue of
# the Hessian in many dimensions), one step multiplies the distance to the minimum along
# that direction by $1 - \eta\lambda$, so gradient descent is stable only for
#
# $$\eta < \frac{2}{\lambda_{\max}} .$$
#
# The steepest direction decides how large the step may be. We return to this when the
# loss is steep in one direction and flat in another.
#
# ### A learning-rate sweep on a real network
#
# A network's loss is no parabola, and its curvature changes as it trains, so no formula
# gives the right learning rate in advance. What practitioners do instead is a **sweep**:
# train the same model from the same initial weights with learning rates spaced evenly on
# a log scale and compare. The figure below shows one, for a small ReLU network
# on the two moons trained with mini-batch SGD through `dlbook.train.fit`. When a loss
# turns into `nan`, `fit` stops with a `FloatingPointError` that names the epoch and the
# batch; the figure's code catches it and marks the run with a cross.

# %%
show("lr-sweep")

# %%
sweep = load_manifest("lr-sweep")
sweep_metrics, sweep_config = sweep["metrics"], sweep["config"]
print(f"learning rates tried: {len(sweep_config['lrs'])}, from {min(sweep_config['lrs'])} "
      f"to {max(sweep_config['lrs'])}, {sweep_config['num_epochs']} epochs each")
print(f"lowest final loss {sweep_metrics['best_loss']:.4f} at lr = {sweep_metrics['best_lr']}")
for lr in sweep_config["curves"]:
    key = f"final_loss_lr_{lr:g}"
    if key in sweep_metrics:
        print(f"  lr = {lr:<6g} final training loss {sweep_metrics[key]:.4f}")
    else:
        print(f"  lr = {lr:<6g} loss became nan in epoch {sweep_metrics[f'diverged_epoch_lr_{lr:g}']:.0f}")

# %% [markdown]
# All three regimes of the parabola are there. The smallest rates lower the loss
# steadily but so slowly that the sweep's epochs run out long before the network has
# learned the moons. Over a broad middle range the final loss is low and roughly the same;
# towards the upper end of that range training is faster but visibly noisier, with
# occasional spikes it recovers from. Beyond it the first few steps are so large that
# the loss shoots up by many orders of magnitude. Some of those runs survive the blow-up
# but end with a network whose ReLUs are switched off for every input, so its loss stays
# high for good; in others the numbers overflow and the loss becomes `nan`.
#
# Two practical lessons follow. The useful range spans a factor of ten or more, so a
# coarse sweep with a few values per decade is enough to find it. And the best
# learning rate sits close to the edge of instability: a rule of thumb is to take a value
# somewhat below the point where training starts to become erratic.
#
# ## Stochastic gradient descent
#
# ### The algorithm as code
#
# The gradient of $J$ is an average over all $n$ training examples, so computing it
# exactly costs a full pass over the data for every single step. With millions of
# examples that is wasteful: a random handful of examples already tells us roughly which
# way is downhill. **Mini-batch stochastic gradient descent** (SGD) therefore estimates
# the gradient on a small batch of $B$ examples and steps with that estimate:
#
# 1. initialise the weights with small random numbers;
# 2. repeat until the loss stops improving:
#     1. draw a batch of $B$ examples;
#     2. average their gradients, $\mathbf{g} = \frac{1}{B}\sum_{k=1}^{B} \nabla L_k(\mathbf{W})$;
#     3. step, $\mathbf{W} \leftarrow \mathbf{W} - \eta\, \mathbf{g}$;
# 3. return the weights.
#
# In practice the batches are drawn by shuffling the training set once per **epoch**
# and cutting it into consecutive pieces, so every example is used once per epoch. Here
# is the algorithm as a function, with one line per step, for any PyTorch model:

# %%
def sgd_train(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, *, loss_fn, lr: float,
              batch_size: int, num_epochs: int, generator: torch.Generator) -> list[float]:
    """Mini-batch SGD written out; returns the loss of every batch."""
    params = list(model.parameters())
    losses = []
    for _ in range(num_epochs):
        order = torch.randperm(len(X), generator=generator)  # a fresh shuffle every epoch
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]  # 1. the next batch of B examples
            loss = loss_fn(model(X[idx]), y[idx])  # 2. their mean loss ...
            grads = torch.autograd.grad(loss, params)  # ... and its gradient (1/B) Σ_k ∇L_k
            with torch.no_grad():
                for p, g in zip(params, grads, strict=True):
                    p -= lr * g  # 3. W ← W − η g
            losses.append(loss.item())
    return losses


# %% [markdown]
# To check it, train two identical copies of a small network on the same batches, one
# with `sgd_train` and one with `torch.optim.SGD`, and compare the final weights:

# %%
X_line, y_line = line_data(200, 0.5, seed=0)  # y = 2x − 1 plus noise
X_col, y_col = X_line.unsqueeze(1), y_line.unsqueeze(1)  # (200, 1) each

ours = MLP([1, 8, 1], activation="tanh", generator=torch.Generator().manual_seed(0))
theirs = MLP([1, 8, 1], activation="tanh", generator=torch.Generator().manual_seed(0))
losses = sgd_train(ours, X_col, y_col, loss_fn=mse, lr=0.05, batch_size=20, num_epochs=5,
                   generator=torch.Generator().manual_seed(1))

opt = torch.optim.SGD(theirs.parameters(), lr=0.05)
g = torch.Generator().manual_seed(1)
for _ in range(5):
    order = torch.randperm(len(X_col), generator=g)
    for idx in order.split(20):
        opt.zero_grad()
        mse(theirs(X_col[idx]), y_col[idx]).backward()
        opt.step()

diff = max((p - q).abs().max().item() for p, q in zip(ours.parameters(), theirs.parameters(), strict=True))
print(f"{len(losses)} steps; loss of the first batch {losses[0]:.3f}, of the last {losses[-1]:.3f}")
print(f"largest difference between the two networks' weights: {diff:.1e}")
torch.testing.assert_close(list(ours.parameters()), list(theirs.parameters()))

# %% [markdown]
# The two networks agree up to float32 rounding: `torch.optim.SGD` without extras is
# exactly this loop. The library's `dlbook.optim.SGD` implements it, with the options introduced
# below, as a `torch.optim.Optimizer`, and `dlbook.train.fit` runs the loop around any
# optimizer.
#
# ### The noise in a mini-batch gradient
#
# Three choices of $B$ have names. With $B = n$ we are back to **full-batch** gradient
# descent: exact gradients, one step per epoch. With $B = 1$ we get **single-example**
# SGD, the original stochastic method: $n$ steps per epoch, each guided by one example.
# It goes back to the stochastic approximation of Robbins and Monro (1951), who showed
# that steps taken on noisy estimates still converge if the learning rate shrinks slowly
# enough.
# Anything in between is a **mini-batch**; values from a few dozen to a few thousand are
# typical.
#
# Since the batch is drawn at random, the batch gradient is a random vector. Its average
# over all possible batches is the full gradient, so it points the right way on average,
# but any one draw is off by some amount. Averaging $B$ independent examples divides the
# variance by $B$, so the typical error shrinks like $1/\sqrt{B}$ (a little faster still
# when $B$ approaches $n$, because drawing without replacement eventually uses the whole
# set). We can measure this on the line-fitting problem, whose two parameters are the
# slope $w$ and the intercept $b$: at a fixed point, draw many batches of each size and
# look at how far their gradients scatter around the full gradient.

# %% alt="Log-log plot of the typical error of a mini-batch gradient against the batch size B, from 1 to 128, with a dashed line at the length of the full gradient. The measured points follow the formula's curve, shrinking roughly like one over the square root of B, and only the smallest batch lies above the dashed line."
point = torch.tensor([-1.0, 2.0])  # a fixed (w, b)
residual = point[0] * X_line + point[1] - y_line  # (n,)
per_example = torch.stack([2 * residual * X_line, 2 * residual], dim=1)  # (n, 2): ∇ of each example's loss
full_grad = per_example.mean(dim=0)
n = len(X_line)
draws = 2000
g = torch.Generator().manual_seed(0)
batch_sizes = [1, 2, 4, 8, 16, 32, 64, 128, n]
spread = []
for B in batch_sizes:
    idx = torch.rand(draws, n, generator=g).argsort(dim=1)[:, :B]  # (draws, B): batches without replacement
    batch_grads = per_example[idx].mean(dim=1)  # (draws, 2)
    spread.append((batch_grads - full_grad).norm(dim=1).pow(2).mean().sqrt().item())

# theory: E‖g_B − ∇J‖² = (σ²/B)·(n − B)/(n − 1), σ² the per-example variance
sigma2 = (per_example - full_grad).pow(2).sum(dim=1).mean().item()
theory = [math.sqrt(sigma2 / B * (n - B) / (n - 1)) for B in batch_sizes]
print(f"length of the full gradient: {full_grad.norm():.2f}")
for B, s, t in zip(batch_sizes, spread, theory, strict=True):
    print(f"B = {B:>3}: typical error of the batch gradient {s:6.3f}   (formula {t:6.3f})")

fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.loglog(batch_sizes[:-1], spread[:-1], "o", label="measured over 2000 batches")
ax.loglog(batch_sizes[:-1], theory[:-1], "-", color="gray", label=r"$\sigma\sqrt{(n-B)/(B(n-1))}$")
ax.axhline(full_grad.norm().item(), ls="--", color="black", lw=1, label="length of the full gradient")
ax.set(xlabel="batch size $B$", ylabel="error of the batch gradient")
ax.legend(frameon=False, fontsize=8)
plt.show()

# %% [markdown]
# The measured scatter follows the formula, and with the full batch it is zero. Note the
# scale: at this point a single example's gradient is typically off by more than the
# length of the gradient itself, while a batch of a few dozen already points reliably
# downhill.
#
# What does the noise do to training? The next figure runs all three variants on the
# line with the same learning rate for the same number of steps and draws their paths
# over the contours of the full training loss.

# %%
show("gd-noise")

# %%
noise = load_manifest("gd-noise")["metrics"]
print(f"lowest possible loss (least squares): {noise['min_loss']:.4f}")
for B in load_manifest("gd-noise")["config"]["batch_sizes"]:
    final_loss = noise[f"final_loss_B{B}"]
    excess = final_loss - noise["min_loss"]
    print(f"B = {B:>3}: final loss {final_loss:.4f}, above the minimum by {excess:.1e}")

# %% [markdown]
# Full-batch descent follows a smooth curve at right angles to the contours. The
# mini-batch path wobbles around it but is hard to tell apart at this scale, and the
# single-example path zigzags visibly. Far from the minimum, all three still make similar
# progress per step, even though a single example's gradient misses the true one by more
# than the true one's own length (we measured that above). The reason is that the noise
# has mean zero: over $t$ steps the drift along the true gradient adds up like $t$,
# while the random kicks point every which way, partly cancel, and add up only like
# $\sqrt{t}$. Near the minimum the picture flips: the true gradient shrinks towards zero
# but the noise does not, so a noisy method never settles. It keeps bouncing around the
# minimum in a cloud whose size grows with the learning rate and shrinks with the batch
# size. That is why the single-example loss stays above the floor while the other two reach it.
#
# The noise is not only a nuisance. Each single-example step costs a tiny fraction of a
# full-batch step, so per pass over the data it makes far more progress; and in networks
# with many minima and flat regions, the jitter can help the weights leave places where
# exact gradient descent would linger. Mini-batches are the compromise used almost
# everywhere: they keep the noise moderate, and they are the natural unit of work for
# hardware that processes many examples in parallel.
#
# ## Momentum
#
# ### Long, narrow valleys
#
# The stability limit $\eta < 2/\lambda_{\max}$ has an unpleasant consequence. Suppose
# the loss is a bowl that is steep in one direction (curvature $\lambda_{\max}$) and
# shallow in another ($\lambda_{\min}$). The learning rate must respect the steep
# direction, so along the shallow one every step shrinks the distance only by the factor
# $1 - \eta\lambda_{\min}$, close to 1. The ratio $\kappa = \lambda_{\max}/\lambda_{\min}$,
# the **condition number**, measures how bad this is. With the best constant learning
# rate, $\eta = 2/(\lambda_{\min} + \lambda_{\max})$, the error shrinks per step by
# $(\kappa - 1)/(\kappa + 1)$. The cell computes how many steps that takes to cut the
# error a thousandfold:

# %%
def steps_to_shrink(rate: float, factor: float = 1e-3) -> int:
    """Steps until rate**steps <= factor."""
    return math.ceil(math.log(factor) / math.log(rate)) if rate > 0 else 1


for kappa in (1, 10, 100, 1000, 10000):
    gd_rate = (kappa - 1) / (kappa + 1)
    heavy_ball_rate = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    print(f"κ = {kappa:>5}: gradient descent {steps_to_shrink(gd_rate):>5} steps,"
          f"  with tuned momentum {steps_to_shrink(heavy_ball_rate):>4} steps")

# %% [markdown]
# The step count of gradient descent grows in proportion to $\kappa$, and the losses of
# real networks are badly conditioned. The second column anticipates the remedy below:
# momentum, tuned for the bowl, needs a number of steps that grows only like
# $\sqrt{\kappa}$.
#
# ### A ball rolling downhill
#
# Gradient descent forgets each gradient as soon as it has used it. In a narrow valley
# that is wasteful: the component across the valley flips sign at every step and should
# cancel out, while the component along the valley points the same way step after step
# and should add up. **Momentum**, the *heavy-ball method* of Polyak (1964), keeps a
# running sum of past gradients, a velocity $\mathbf{b}$, and steps along it:
#
# $$\mathbf{b}_t = \mu\, \mathbf{b}_{t-1} + \mathbf{g}_t, \qquad
#   \mathbf{W} \leftarrow \mathbf{W} - \eta\, \mathbf{b}_t .$$
#
# With $\mu = 0$ this is plain SGD. With $\mu$ close to 1 a constant gradient builds up
# to a velocity of $\mathbf{g}/(1-\mu)$, so along a consistent direction the effective
# learning rate grows by a factor $1/(1-\mu)$, an order of magnitude for the common
# $\mu = 0.9$, while oscillating components largely cancel. The picture is a heavy ball rolling in the
# valley: it gathers speed along the floor and its sideways swings die down. The
# **Nesterov** variant (Nesterov 1983, in the form Sutskever et al. 2013 brought to deep
# learning) evaluates the step as if it had already moved ahead by the velocity, which
# damps the overshoot a little more.
#
# `dlbook.optim.SGD` takes `momentum=` and `nesterov=` and follows PyTorch's conventions
# exactly, so both produce the same path on the bowl $\frac12(x^2 + 25 y^2)$:

# %%
def bowl(p: torch.Tensor) -> torch.Tensor:
    return quadratic(p, condition=25.0)


start = (-5.0, 1.5)
for nesterov in (False, True):
    settings = dict(lr=0.05, momentum=0.6, nesterov=nesterov)
    ours = optimizer_path(bowl, start, lambda ps, kw=settings: SGD(ps, **kw), num_steps=60)
    theirs = optimizer_path(bowl, start, lambda ps, kw=settings: torch.optim.SGD(ps, **kw), num_steps=60)
    torch.testing.assert_close(ours, theirs)
    print(f"nesterov={nesterov!s:<5}: loss after 60 steps {bowl(ours[-1]).item():.2e}, "
          "the same path as torch.optim.SGD")
plain = optimizer_path(bowl, start, lambda ps: SGD(ps, lr=0.075), num_steps=60)
print(f"plain SGD at lr 0.075 (close to the largest stable rate 2/25): {bowl(plain[-1]).item():.2e}")

# %% [markdown]
# ## Adaptive step sizes: RMSProp and Adam
#
# ### One learning rate per weight
#
# Momentum fights ill-conditioning by remembering. A second idea is to rescale: if one
# weight consistently sees large gradients and another small ones, give the first a
# smaller step and the second a larger one. **RMSProp**, proposed by Hinton in a 2012
# lecture course and never published as a paper, keeps, for every weight separately, a
# running average of its squared gradients and divides each step by its square root:
#
# $$\mathbf{v}_t = \alpha\, \mathbf{v}_{t-1} + (1 - \alpha)\, \mathbf{g}_t^2, \qquad
#   \mathbf{W} \leftarrow \mathbf{W} - \eta\, \frac{\mathbf{g}_t}{\sqrt{\mathbf{v}_t} + \epsilon},$$
#
# all operations taken entry by entry, with $\alpha$ around $0.99$ and a tiny $\epsilon$
# against division by zero. The ratio $\mathbf{g}_t/\sqrt{\mathbf{v}_t}$ is of order one
# whatever the scale of the gradient, so every weight moves by roughly $\eta$ per step:
# steep directions are tamed and flat ones sped up.
#
# **Adam** (Kingma and Ba 2015) combines both ideas. It keeps a running mean
# $\mathbf{m}$ of the gradient (the momentum) and a running mean $\mathbf{v}$ of its
# square (the scale):
#
# $$\mathbf{m}_t = \beta_1 \mathbf{m}_{t-1} + (1 - \beta_1)\, \mathbf{g}_t, \qquad
#   \mathbf{v}_t = \beta_2 \mathbf{v}_{t-1} + (1 - \beta_2)\, \mathbf{g}_t^2,$$
#
# $$\hat{\mathbf{m}}_t = \frac{\mathbf{m}_t}{1 - \beta_1^t}, \qquad
#   \hat{\mathbf{v}}_t = \frac{\mathbf{v}_t}{1 - \beta_2^t}, \qquad
#   \mathbf{W}
#    \leftarrow \mathbf{W} - \eta\, \frac{\hat{\mathbf{m}}_t}{\sqrt{\hat{\mathbf{v}}_t} + \epsilon}.$$
#
# The divisions by $1 - \beta^t$ are the **bias correction**. Both averages start at
# zero, so in the first steps they are pulled towards zero. The cell shows the effect
# for a gradient that is constantly 1, where the right answer for $\mathbf{m}$ and
# $\mathbf{v}$ is 1 at every step:

# %%
beta1, beta2 = 0.9, 0.999
m = v = 0.0
for t in range(1, 6):
    m = beta1 * m + (1 - beta1) * 1.0
    v = beta2 * v + (1 - beta2) * 1.0**2
    print(f"t = {t}: m = {m:.4f}, m̂ = {m / (1 - beta1**t):.4f};  v = {v:.5f}, v̂ = {v / (1 - beta2**t):.4f}")

# %% [markdown]
# Without the correction $\mathbf{v}$, with its slow decay, would stay far too small for
# hundreds of steps, and dividing by its square root would make the first steps huge.
# The library's `Adam` and `RMSProp` match their `torch.optim` counterparts (the
# library's tests compare them over a hundred steps); here is one more check on the bowl:

# %%
ours = optimizer_path(bowl, start, lambda ps: Adam(ps, lr=0.15), num_steps=60)
theirs = optimizer_path(bowl, start, lambda ps: torch.optim.Adam(ps, lr=0.15), num_steps=60)
torch.testing.assert_close(ours, theirs)
print(f"Adam and torch.optim.Adam agree over {len(ours) - 1} steps; largest difference "
      f"{(ours - theirs).abs().max().item():.1e}")

# %% [markdown]
# ### Four optimizers, two landscapes
#
# The figure puts the four methods side by side, each with a learning rate chosen for the
# problem. On the left is the narrow bowl from above. In the middle is the loss of a
# real, if tiny, network: one tanh unit with an input weight $w_1$ and an output weight
# $w_2$, $\hat y = w_2 \tanh(w_1 x)$, fitted by mean squared error to noisy samples of a
# tanh curve. Every optimizer starts at the black square, where $w_1$ is large so that
# the tanh is saturated for most inputs.

# %%
show("optimizer-paths")

# %%
paths = load_manifest("optimizer-paths")
paths_metrics, paths_config = paths["metrics"], paths["config"]
names = ("SGD", "momentum", "RMSProp", "Adam")
print(f"{'':<10}{'bowl, loss after ' + str(paths_config['quad_steps']) + ' steps':>32}"
      f"{'network, loss after ' + str(paths_config['net_steps']) + ' steps':>36}")
for name in names:
    print(f"{name:<10}{paths_metrics[f'quadratic_final_{name}']:>32.2e}"
          f"{paths_metrics[f'network_final_{name}']:>36.4f}")

# %% [markdown]
# On the bowl, plain SGD zigzags across the valley: its learning rate is already close to
# the limit set by the steep direction, and it still moves only slowly along the floor.
# Momentum swings across a few times, the swings die down, and it runs along the valley
# far faster. RMSProp equalises the two directions and heads almost straight for the
# valley floor, then along it. That is partly luck of the geometry: this valley is aligned
# with the coordinate axes, so per-weight scaling is exactly what it needs; tilt the
# valley and the advantage shrinks (exercise 3). Adam first curves like momentum and
# then keeps circling the minimum at a small distance. With a constant learning rate its
# normalised steps do not shrink to zero as the gradient does, which is one reason to
# lower the learning rate over time, the subject of the next section.
#
# On the network, SGD makes a quick first move in $w_2$, where the gradient is large,
# and then crawls along $w_1$, where the saturated tanh leaves only a tiny slope. The
# three other methods all escape the plateau: momentum by accumulating the small,
# consistent slope (overshooting in $w_2$ on the way), RMSProp and Adam by dividing it
# by its own small size. They reach the same minimum, and SGD gets there only far later.
# Plateaus like this one, where the loss is nearly flat in some directions, are common
# in deep networks, which goes some way to explain why Adam became the default first
# choice.
#
# ## Beyond the bowl: many minima, saddles and plateaus
#
# ### A network's loss is not a bowl
#
# Every surface so far was a bowl, and a bowl is **convex**: the straight segment between
# any two points of its graph never dips below the graph. On a convex loss every local
# minimum is a global one, and any path that keeps going downhill ends at the bottom.
# The loss of a network with a hidden layer is not convex, and the simplest reason is the
# symmetry met in [backpropagation](backpropagation.py) when we initialised the weights.
# Swap two hidden units, each with its incoming and its outgoing weights, and the
# network computes exactly the same function. So every minimum has copies, as many as
# there are orderings of the hidden units. The point halfway between two copies is, in
# general, a different and worse network; on a convex loss its loss could be at most the
# average of the two, which are equal. The cell trains a 2-16-1 tanh network on the two
# moons, shuffles its hidden units, and evaluates the network halfway between the two:

# %%
X_moons, y_moons = moons(200, noise=0.15, seed=0)
Y_moons = y_moons.float().unsqueeze(1)  # (200, 1): targets 0 and 1


def moons_net() -> MLP:
    return MLP([2, 16, 1], activation="tanh", generator=torch.Generator().manual_seed(0))


net = moons_net()
opt = Adam(net.parameters(), lr=0.05)
for _ in range(300):  # full-batch Adam steps
    opt.zero_grad()
    binary_cross_entropy_with_logits(net(X_moons), Y_moons).backward()
    opt.step()

perm = torch.randperm(16, generator=torch.Generator().manual_seed(1))  # a new order of the hidden units
twin, halfway = moons_net(), moons_net()
with torch.no_grad():
    (W1, b1), (W2, b2) = [(layer.weight, layer.bias) for layer in net.layers]  # (16, 2), (16,), (1, 16), (1,)
    for p, value in zip(twin.parameters(), (W1[perm], b1[perm], W2[:, perm], b2), strict=True):
        p.copy_(value)  # unit k of the twin is unit perm[k] of the trained network
    for p, p_net, p_twin in zip(halfway.parameters(), net.parameters(), twin.parameters(), strict=True):
        p.copy_((p_net + p_twin) / 2)
    for name, model in (("trained network", net), ("hidden units shuffled", twin), ("halfway between", halfway)):
        print(f"{name:<22} training loss {binary_cross_entropy_with_logits(model(X_moons), Y_moons).item():.4f}")
print(f"orderings of 16 hidden units: {math.factorial(16):.2e}")

# %% [markdown]
# The shuffled network has exactly the trained network's loss, and the one halfway
# between them has a loss about twenty times higher: between two equally good minima
# there is a ridge, which a convex function cannot have. Besides these copies, which are
# all equally good, a non-convex loss can have minima of different heights, flat
# stretches, and points where the gradient vanishes without any minimum. Three small
# examples show each in isolation. They are run with the update rules of this chapter,
# written as one short loop that works on tensors of any shape, so that a whole row of
# starting points can descend at once:

# %%
def descend(grad, x0, *, lr: float, momentum: float = 0.0, noise: float = 0.0, num_steps: int,
            seed: int = 0) -> torch.Tensor:
    """b ← μ b + ∇f(x) + noise, x ← x − η b from x0; every point visited, (num_steps + 1, *x0.shape)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.as_tensor(x0, dtype=torch.float64).clone()
    b = torch.zeros_like(x)
    path = [x.clone()]
    for _ in range(num_steps):
        kick = noise * torch.randn(x.shape, generator=g, dtype=x.dtype)  # stands in for mini-batch noise
        b = momentum * b + grad(x) + kick  # with μ = 0 this is plain gradient descent
        x = x - lr * b
        path.append(x.clone())
    return torch.stack(path)


# %% [markdown]
# ### Many minima: the start decides the end
#
# The first example is a function of one variable with several valleys of different
# depths,
#
# $$f(x) = \tfrac{1}{10}x^2 + \sin 2x + 0.3 \sin 5x .$$
#
# Gradient descent ($\eta = 0.02$, 300 steps) runs from 201 starting points spread evenly
# over $[-5, 5]$, and so does momentum ($\mu = 0.9$). The cell lists the minima they end
# in and from how many starts each is reached:

# %%
def wavy(x: torch.Tensor) -> torch.Tensor:
    return 0.1 * x**2 + torch.sin(2 * x) + 0.3 * torch.sin(5 * x)


def wavy_grad(x: torch.Tensor) -> torch.Tensor:
    return 0.2 * x + 2 * torch.cos(2 * x) + 1.5 * torch.cos(5 * x)


starts = torch.linspace(-5, 5, 201, dtype=torch.float64)  # (201,): one walk per entry
ends = {"gradient descent": descend(wavy_grad, starts, lr=0.02, num_steps=300)[-1],
        "momentum": descend(wavy_grad, starts, lr=0.02, momentum=0.9, num_steps=300)[-1]}
minima = torch.unique(torch.cat(list(ends.values())).round(decimals=2))
print(f"{'minimum at':>10} {'f':>7} {'starts ending there: GD':>25} {'momentum':>9}")
for m in minima:
    counts = [int((e.round(decimals=2) == m).sum()) for e in ends.values()]
    print(f"{m.item():>10.2f} {wavy(m).item():>7.3f} {counts[0]:>25} {counts[1]:>9}")
for name, e in ends.items():
    print(f"{name}: mean final f {wavy(e).mean().item():+.3f}, "
          f"lowest minimum reached from {int((wavy(e) < wavy(minima).min() + 1e-6).sum())} of 201 starts")
gd_f, momentum_f = wavy(ends["gradient descent"]), wavy(ends["momentum"])
print(f"momentum ends lower than GD from {int((momentum_f < gd_f - 1e-6).sum())} starts, "
      f"higher from {int((momentum_f > gd_f + 1e-6).sum())}, in the same minimum from the rest")
for x0 in (-2.5, 0.5):
    k = int(((starts - x0).abs()).argmin())
    print(f"from x0 = {x0}: GD stops at {ends['gradient descent'][k].item():.2f}, "
          f"momentum at {ends['momentum'][k].item():.2f}")

# %% [markdown]
# Six minima, and every one of them is the end point of some walk. Gradient descent goes
# to the bottom of whichever valley it starts in: the interval of starts that drain into
# a minimum is its **basin of attraction**, and only about a quarter of the starts lie in
# the basin of the lowest minimum. Momentum changes the map a little. A ball with speed
# can roll over a low ridge into the next valley: from 18 starts that took it to a deeper
# minimum than gradient descent found (the last two lines show two of them), so its
# average end is a little lower. But it is no search for the global minimum. From most
# starts it ends where gradient descent ends, it reaches the lowest minimum from no more
# starts than before, and from 4 starts the same speed carried it out of a valley into a
# worse one.
#
# ### Saddle points: a gradient of zero that is no minimum
#
# In more than one dimension a gradient can vanish at a point that is a minimum along
# some directions and a maximum along others, a **saddle point**. The second example is
#
# $$f(x, y) = x^2 + \tfrac14 y^4 - \tfrac12 y^2, \qquad
#   \nabla f = \big(2x,\; y^3 - y\big).$$
#
# At the origin the gradient is zero; the surface curves up along $x$ (second derivative
# 2) and down along $y$ (second derivative $-1$), so the origin is a saddle with $f = 0$.
# The two minima sit at $(0, \pm 1)$, with $f = -\tfrac14$. First a check that the loop
# above is the momentum update of this chapter: it walks the same path as the library's
# `SGD`. Then walks from $(1, y_0)$ for several tiny $y_0$, with and without momentum,
# and one with a small random kick added to every gradient, as a mini-batch would add:

# %%
def saddle(p: torch.Tensor) -> torch.Tensor:
    return p[..., 0] ** 2 + p[..., 1] ** 4 / 4 - p[..., 1] ** 2 / 2


def saddle_grad(p: torch.Tensor) -> torch.Tensor:
    return torch.stack([2 * p[..., 0], p[..., 1] ** 3 - p[..., 1]], dim=-1)


ours = descend(saddle_grad, (1.0, 1e-6), lr=0.1, momentum=0.9, num_steps=100)
theirs = optimizer_path(saddle, (1.0, 1e-6), lambda ps: SGD(ps, lr=0.1, momentum=0.9), num_steps=100)
torch.testing.assert_close(ours, theirs)
print("descend and dlbook.optim.SGD walk the same path\n")

walks = {
    "GD, y0 = 0": descend(saddle_grad, (1.0, 0.0), lr=0.1, num_steps=250),
    "GD, y0 = 1e-3": descend(saddle_grad, (1.0, 1e-3), lr=0.1, num_steps=250),
    "GD, y0 = 1e-6": descend(saddle_grad, (1.0, 1e-6), lr=0.1, num_steps=250),
    "GD, y0 = 1e-9": descend(saddle_grad, (1.0, 1e-9), lr=0.1, num_steps=250),
    "momentum, y0 = 0": descend(saddle_grad, (1.0, 0.0), lr=0.1, momentum=0.9, num_steps=250),
    "momentum, y0 = 1e-6": descend(saddle_grad, (1.0, 1e-6), lr=0.1, momentum=0.9, num_steps=250),
    "noisy GD, y0 = 0": descend(saddle_grad, (1.0, 0.0), lr=0.1, noise=0.01, num_steps=250),
}
print(f"{'walk (η = 0.1)':<20} {'end point':>18} {'f':>7} {'‖∇f‖':>7}  first step with f < −0.2")
for name, path in walks.items():
    values = saddle(path)
    below = (values < -0.2).nonzero()
    x_end, y_end = path[-1].tolist()
    print(f"{name:<20} ({x_end:+.0e}, {y_end:+.3f}) {values[-1].item():+7.3f} "
          f"{saddle_grad(path[-1]).norm().item():7.0e}  {below[0].item() if len(below) else 'never'}")
print(f"\nsteps per factor 1000 in y near the saddle, ln(1000) / ln(1 + η): {math.log(1000) / math.log(1.1):.1f}")

# %% [markdown]
# Started exactly on the line $y = 0$, gradient descent never learns that it is on a
# ridge: the $y$ component of the gradient is exactly zero there, so the walk slides
# along $x$ into the saddle and stays. Its final gradient is so small that any test of
# the form "stop when the gradient is tiny" would declare it converged, at a loss a
# quarter above the true minimum. Momentum does not help from there: it accumulates
# gradients, and along $y$ there are none.
#
# The slightest push off the line changes everything, but not at once. Near the saddle
# the curvature along $y$ is $-1$, so each step *multiplies* $y$ by $1 + \eta = 1.1$: a
# distance that shrinks by $1 - \eta\lambda$ on a bowl grows by the same rule when
# $\lambda$ is negative. A start a thousand times closer to the ridge therefore costs
# the same number of extra steps each time, about 72, the printed logarithm, which is
# the spacing of the escape times in the table. The walk lingers near the saddle, where
# the loss looks converged, for most of its time. Momentum shortens the lingering, since
# it compounds the growth along $y$, and noise removes the need for a push at all: the
# noisy walk left the exact ridge by itself, towards whichever minimum the kicks happened
# to favour.
#
# Starting *exactly* on such a ridge takes bad luck: Lee et al. (2016) proved that from a
# random start gradient descent almost surely does not converge to a saddle of this kind.
# The cost of saddles is time, and Jin et al. (2017) showed that occasional random kicks,
# much like the noise of mini-batches, are enough to escape them quickly.
#
# ### Plateaus: a slope too small to follow
#
# The third example is one sigmoid unit, $\hat y = \sigma(w)$, trained by squared error
# towards the target 1, $L(w) = (\sigma(w) - 1)^2$, from $w = -6$, where the sigmoid is
# saturated. Its gradient $2(\sigma(w) - 1)\,\sigma(w)(1 - \sigma(w))$ carries the factor
# $\sigma'(w)$, tiny there. The cell prints the loss and the gradient at the start and
# how many steps gradient descent ($\eta = 1$), momentum ($\mu = 0.9$) and Adam
# ($\eta = 0.1$) need to bring the loss below 0.1:

# %%
def plateau(w: torch.Tensor) -> torch.Tensor:
    return (torch.sigmoid(w) - 1) ** 2


def plateau_grad(w: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(w)
    return 2 * (s - 1) * s * (1 - s)  # 2 (σ − 1) σ'


w0 = torch.tensor(-6.0, dtype=torch.float64)
print(f"at w = {w0.item():g}: loss {plateau(w0).item():.4f}, gradient {plateau_grad(w0).item():.4f}")
adam_path = optimizer_path(lambda p: plateau(p[0]), (-6.0, 0.0), lambda ps: Adam(ps, lr=0.1), num_steps=300)
plateau_losses = {
    "gradient descent": plateau(descend(plateau_grad, w0, lr=1.0, num_steps=300)),
    "momentum": plateau(descend(plateau_grad, w0, lr=1.0, momentum=0.9, num_steps=300)),
    "Adam": plateau(adam_path[:, 0]),  # optimizer_path walks (w, unused)
}
for name, losses in plateau_losses.items():
    below = (losses < 0.1).nonzero()
    print(f"{name:<16}: loss below 0.1 after {below[0].item() if len(below) else 'more than 300'} steps, "
          f"{losses[-1].item():.1e} after 300")

# %% [markdown]
# The loss is almost at its maximum, yet the gradient is about two hundred times smaller,
# so each step of gradient descent moves $w$ by half a hundredth, and it spends around
# two hundred steps on the plateau before the slope steepens and it drops. A long flat
# stretch in a loss curve followed by a sudden fall is the signature of a plateau, and it
# is easily mistaken for convergence. Momentum piles up the small, steady gradient into a
# velocity about $1/(1-\mu) = 10$ times larger and is through five times faster; Adam
# divides the gradient by its own running size, so its steps are about $\eta$ long however
# flat the loss is. (For this particular plateau there is a better cure than any
# optimizer: the cross-entropy loss of [loss functions](../neurons/loss-functions.py)
# has the gradient $\sigma(w) - 1$ here, with no $\sigma'$ factor, so a saturated wrong
# answer gives a large gradient, not a small one.)
#
# The figure puts the three examples side by side: the one-dimensional function with each
# stretch of the curve coloured by the minimum that gradient descent reaches from there,
# the saddle with four of the walks, and the three plateau runs.

# %% alt="Left, a wavy curve with several minima, each stretch coloured by the minimum gradient descent reaches from it; middle, contours of a saddle at the origin with walks starting near (1, 0). The unperturbed walk stops at the saddle while nudged ones turn off to a minimum at y = 1 or -1; right, on a plateau from w = -6, momentum and Adam drop off it long before plain descent does."
fig, (ax_min, ax_saddle, ax_plateau) = plt.subplots(1, 3, figsize=(15, 4.2))

# 1. basins of attraction: colour each start by the minimum gradient descent ends in
basin_colors = plt.get_cmap("tab10")(range(len(minima)))
end_index = [int((minima - e).abs().argmin()) for e in ends["gradient descent"]]
curve = torch.stack([starts, wavy(starts)], dim=1)  # (201, 2): points of the curve
segments = torch.stack([curve[:-1], curve[1:]], dim=1)  # (200, 2, 2): one piece per start
ax_min.add_collection(LineCollection(segments.numpy(), colors=basin_colors[end_index[:-1]], linewidths=3))
ax_min.plot(minima, wavy(minima), "*", ms=12, color="black", label="minima")
ax_min.set(xlabel="$x$", ylabel="$f(x)$", title="Many minima: the start decides the end")
ax_min.legend(frameon=False, loc="upper center")

# 2. the saddle: contours of f and four walks from near (1, 0)
xx, yy, zz = loss_grid(saddle, xlim=(-1.2, 1.2), ylim=(-1.4, 1.4), n=120)
ax_saddle.contour(xx, yy, zz, levels=20, colors="lightgray", linewidths=0.8)
for name, color, lw in (("noisy GD, y0 = 0", "tab:red", 1), ("momentum, y0 = 1e-6", "tab:green", 1),
                        ("GD, y0 = 1e-6", "tab:orange", 1), ("GD, y0 = 0", "tab:blue", 3)):
    path = walks[name]  # the walk that stays on y = 0 is drawn last and thick, over the others
    ax_saddle.plot(path[:, 0], path[:, 1], "o-", ms=2, lw=lw, color=color, label=name)
ax_saddle.plot([0], [0], "X", ms=10, color="black", label="saddle")
ax_saddle.plot([0, 0], [1, -1], "*", ms=12, color="black", label="minima", ls="none")
ax_saddle.set(xlabel="$x$", ylabel="$y$", title=r"A saddle: $x^2 + y^4/4 - y^2/2$")
ax_saddle.legend(fontsize=7, loc="lower left", framealpha=0.9)

# 3. the plateau: loss against step for the three optimizers
for name, losses in plateau_losses.items():
    ax_plateau.plot(losses, label=name, lw=1.8)
ax_plateau.set(xlabel="step", ylabel=r"$(\sigma(w) - 1)^2$", title="A plateau: a saturated sigmoid from w = −6")
ax_plateau.legend(frameon=False)
fig.tight_layout()
plt.show()

# %% [markdown]
# ### Which obstacle matters in many dimensions?
#
# Pictures in one and two dimensions suggest that bad local minima are the main danger.
# In a network with thousands or millions of weights the balance is different. A point
# where the gradient vanishes is a minimum only if the loss curves upwards in *every*
# direction, that is, if every eigenvalue of the Hessian there is positive. A toy model
# shows how demanding that is: if the Hessian at such a point were a random symmetric
# matrix, how often would all its eigenvalues be positive?

# %%
g = torch.Generator().manual_seed(0)
for n in (1, 2, 3, 4, 5, 8):
    A = torch.randn(10_000, n, n, generator=g, dtype=torch.float64)
    H = (A + A.transpose(1, 2)) / 2  # (10000, n, n): random symmetric matrices
    all_positive = (torch.linalg.eigvalsh(H) > 0).all(dim=1).float().mean().item()
    print(f"n = {n}: all {n} eigenvalues positive in {all_positive:.2%} of 10,000 draws")

# %% [markdown]
# Already at eight dimensions not one draw in ten thousand is a minimum; the rest are
# saddles of some kind. Real Hessians are not random matrices, so this is an intuition,
# not a proof, but it agrees with what Dauphin et al. (2014) observed in real networks:
# the points where training slows down are mostly saddles and plateaus rather than bad
# local minima, and the local minima that training does find tend to have losses close to
# the best ones. That is why the tools of this chapter matter beyond their convex
# analysis: momentum and per-weight step sizes cross plateaus quickly, and the noise of
# mini-batches knocks the weights off the ridges that exact gradient descent could follow
# into a saddle.
#
# ## Learning-rate schedules and warm-up
#
# A constant learning rate is a compromise. Early on, large steps make fast progress;
# near the end, with noisy gradients, the same steps keep the weights bouncing in a
# cloud around the minimum. A **schedule** changes $\eta$ during training. The
# library's `dlbook.schedules` has the common ones as plain functions of the step
# number:
#
# - **step decay** divides the rate by a fixed factor every so many steps;
# - **cosine annealing** (Loshchilov and Hutter 2017) lowers it along half a cosine wave,
#   slowly at first and at the end, fastest in the middle;
# - **linear warm-up** raises it from near zero to its full value over the first steps,
#   and **warm-up with cosine** follows that with a cosine decay.

# %% alt="Line plot of the learning rate against the step over 300 steps for four schedules. Constant stays at 0.1; step decay starts at 0.1 and is multiplied by 0.3 at steps 100 and 200; cosine glides from 0.1 to 0; warm-up + cosine rises linearly to 0.1 by step 30, then glides down to 0."
total = 300
schedules = {
    "constant": [0.1] * total,
    "step decay": [step_lr(t, base_lr=0.1, step_size=100, gamma=0.3) for t in range(total)],
    "cosine": [cosine_lr(t, base_lr=0.1, total_steps=total) for t in range(total)],
    "warm-up + cosine": [warmup_cosine(t, base_lr=0.1, warmup_steps=30, total_steps=total)
                         for t in range(total)],
}
fig, ax = plt.subplots(figsize=(7, 3.2))
for name, lrs in schedules.items():
    ax.plot(lrs, label=name, lw=1.8)
ax.set(xlabel="step", ylabel="learning rate")
ax.legend(frameon=False)
plt.show()
print("the first warm-up rates:", [round(linear_warmup(t, base_lr=0.1, warmup_steps=30), 4)
                                   for t in range(4)])

# %% [markdown]
# A schedule drives a real optimizer through PyTorch's `LambdaLR`, which multiplies the
# optimizer's learning rate by a factor for each step; `as_lr_lambda` turns a schedule
# into that factor. On the line-fitting problem with single-example SGD, whose constant
# learning rate left it hovering above the floor, decaying the rate lets it settle:

# %% alt="Log-scale plot of the loss above the minimum over 600 steps of single-example SGD, for a constant, a step-decay and a cosine learning rate. All three fall and bounce noisily alike at first; later the decaying schedules settle well below the constant rate."
def train_line(schedule, *, num_steps: int = 600, lr: float = 0.1) -> list[float]:
    """Single-example SGD on the line from (w, b) = (−1, 2); the full loss after every step."""
    full_loss = line_loss(X_line, y_line)
    p = torch.tensor([-1.0, 2.0], requires_grad=True)
    opt = SGD([p], lr=lr)
    scheduler = LambdaLR(opt, as_lr_lambda(schedule, base_lr=lr))
    g = torch.Generator().manual_seed(0)
    losses = []
    for _ in range(num_steps):
        i = torch.randint(len(X_line), (1,), generator=g)
        opt.zero_grad()
        line_loss(X_line[i], y_line[i])(p).backward()
        opt.step()
        scheduler.step()  # η for the next step
        losses.append(full_loss(p).item())
    return losses


floor = noise["min_loss"]
runs = {
    "constant": train_line(lambda t: 0.1),
    "step decay": train_line(lambda t: step_lr(t, base_lr=0.1, step_size=200, gamma=0.3)),
    "cosine": train_line(lambda t: cosine_lr(t, base_lr=0.1, total_steps=600)),
}
fig, ax = plt.subplots(figsize=(7, 3.2))
for name, losses in runs.items():
    ax.plot([v - floor for v in losses], label=name, lw=1.2)
    tail = sum(losses[-100:]) / 100
    print(f"{name:<10}: mean excess loss over the last 100 steps {tail - floor:.1e}")
ax.set(xlabel="step", ylabel="loss above the minimum", yscale="log")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# All three start alike; as soon as the rate drops, the cloud around the minimum
# contracts and the loss falls closer to the floor. Decay trades speed for precision at
# the moment precision is what is missing.
#
# **Warm-up** addresses the opposite end of training. At the start the weights are
# random, the gradients can be large and erratic, and Adam's running averages are built
# on very few samples; a full-size step taken on that basis can throw the network into a
# bad region it never leaves, like the large learning rates of the sweep. Starting from a
# small rate and raising it over the first few hundred or thousand steps lets the
# network and the optimizer's statistics settle before the big steps begin. Warm-up was
# part of the recipe of the original transformer (Vaswani et al. 2017), and warm-up
# followed by a cosine decay is now a common way to train transformers; Goyal et al.
# (2017) used a warm-up to let very large batches start at the large learning rates of
# the linear scaling rule below.
#
# ## Batch size
#
# The batch size changes two things at once: how much work one step costs and how noisy
# the step is. The last figure trains a digit classifier, a 64-64-10 ReLU network on
# the 8×8 handwritten digits, with four batch sizes. In the first two panels they share
# one learning rate; in the third, the learning rate grows in proportion to the batch.

# %%
show("batch-size")

# %%
batch = load_manifest("batch-size")
batch_metrics, batch_config = batch["metrics"], batch["config"]
print(f"after {batch_config['num_epochs']} epochs, mean training loss of the last epoch:")
for B in batch_config["batch_sizes"]:
    scaled_lr = batch_config["lr"] * B / batch_config["base_batch"]
    print(f"  B = {B:>3}: same lr {batch_metrics[f'fixed_final_B{B}']:.3f}"
          f"   lr scaled to {scaled_lr:g}: {batch_metrics[f'scaled_final_B{B}']:.3f}")

# %% [markdown]
# With one learning rate, the small batches win by far when progress is counted per
# epoch, simply because they take many more steps per pass over the data. Counted per
# update step (middle panel) the order reverses, mildly: a larger batch gives a more
# accurate gradient, so each of its steps is worth somewhat more, but not four times as
# much for four times the data. The right panel shows the remedy: grow the learning rate
# in proportion to the batch size and all four curves collapse onto one. This
# **linear scaling rule** (Goyal et al. 2017) holds as long as the learning rate stays
# below the stability limit; for very large batches it breaks down and warm-up becomes
# necessary.
#
# Why use large batches at all, then? Because what we pay for is time, not epochs, and
# a batch of many examples takes little longer to process than a batch of a few on
# hardware that works in parallel. The cell times one epoch for each batch size on this
# machine, on one CPU thread (the numbers depend on the machine, and on a GPU the gap is
# much larger). Single timings wobble, so, as in the backpropagation chapter, each epoch
# runs once untimed to warm up and then five times, and we keep the median:

# %%
X_digits, y_digits = digits()
X_digits = X_digits / 16.0


def epoch_seconds(B: int) -> float:
    model = MLP([64, 64, 10], generator=torch.Generator().manual_seed(0))
    tic = time.perf_counter()
    fit(model, (X_digits, y_digits), loss_fn=cross_entropy, config=FitConfig(num_epochs=1, batch_size=B),
        optimizer=SGD(model.parameters(), lr=0.05))
    return time.perf_counter() - tic


for B in (8, 32, 128, 512):
    epoch_seconds(B)  # warm-up: first-call costs are not the batch size's
    seconds = sorted(epoch_seconds(B) for _ in range(5))[2]  # the median of 5
    steps = math.ceil(len(X_digits) / B)
    print(f"B = {B:>3}: {steps:>3} steps, one epoch in {seconds * 1000:6.1f} ms, "
          f"{seconds / steps * 1000:5.2f} ms per step")

# %% [markdown]
# A step on a large batch costs little more than a step on a small one until the
# hardware is saturated, so per second of training the larger batch with a scaled
# learning rate is usually the better deal. The limits are memory, since the activations
# of the whole batch must be kept for the backward pass, and the point where the
# gradient's noise is already negligible, beyond which larger batches only waste
# computation. A common way to work: pick the largest batch that fits and keeps the
# hardware busy, then tune the learning rate for it, scaling it with the batch size when
# the batch changes.
#
# ## Summary
#
# - Gradient descent repeats $\mathbf{W} \leftarrow \mathbf{W} - \eta \nabla J(\mathbf{W})$.
#   On a bowl with curvature $\lambda$ each step multiplies the error by $1 - \eta\lambda$,
#   so the learning rate must stay below $2/\lambda_{\max}$.
# - A learning rate too small wastes steps; one too large makes the loss oscillate, blow
#   up or turn into `nan`. A sweep over a log scale, a few values per decade, finds the
#   useful range, and the best values lie not far below the edge of instability.
# - Mini-batch SGD estimates the gradient from $B$ random examples. The estimate is right
#   on average, and its error shrinks like $1/\sqrt{B}$. Small batches take cheap, noisy
#   steps; near a minimum the noise keeps the weights moving in a cloud whose size grows
#   with $\eta$.
# - In an ill-conditioned valley the steep direction limits $\eta$ and the flat one is
#   crossed slowly. Momentum accumulates consistent gradients and cancels oscillating
#   ones; RMSProp divides each weight's step by the running RMS of its gradients; Adam does
#   both, with a bias correction for the first steps.
# - Schedules lower the learning rate over training so that noisy steps settle; warm-up
#   raises it gently at the start, before the optimizer's statistics are reliable.
# - Per epoch small batches learn faster; per step large ones do. Scaling the learning rate
#   with the batch size keeps training per epoch nearly unchanged, and large batches use
#   parallel hardware better.
# - A network's loss is not convex: shuffling hidden units gives equally good copies of
#   every minimum with a ridge between them, and there can be minima of different heights,
#   saddle points and plateaus. The start decides which minimum gradient descent reaches;
#   near a saddle each step multiplies the escape direction only by $1 + \eta|\lambda|$,
#   so walks linger there; momentum and adaptive steps cross plateaus faster, and
#   gradient noise pushes the weights off the ridges that lead into saddles.
#
# ## Exercises
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 1 · The edge of stability</p>
#
# On $f(x) = \frac{\lambda}{2} x^2$ with $\lambda = 4$, run `trace_gradient_descent` from
# $x_0 = 1$ for twenty steps with learning rates just below and just above $2/\lambda$.
# What happens exactly at $\eta = 2/\lambda$? Then on the bowl `quadratic(p, condition=25.0)`
# find the largest learning rate for which plain SGD still converges, first from the
# formula and then by trying values with `optimizer_path`.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# lam = 4.0
# for lr in (0.45, 0.5, 0.55):
#     points = trace_gradient_descent(lambda x: lam / 2 * x**2, lambda x: lam * x,
#                                     x0=1.0, lr=lr, num_steps=20).points
#     print(lr, [round(p.x, 3) for p in points[-3:]])
#
# for lr in (0.079, 0.08, 0.081):
#     try:
#         path = optimizer_path(lambda p: quadratic(p, condition=25.0), (1.0, 1.0),
#                               lambda ps: SGD(ps, lr=lr), num_steps=500)
#         print(lr, path[-1].tolist())
#     except FloatingPointError as err:
#         print(lr, err)
# ```
#
# The factor per step is $1 - \eta\lambda$. Below $2/\lambda$ its size is under one and
# the walk converges while flipping sides; above, it grows. At exactly $\eta = 2/\lambda$
# the factor is $-1$ and $x$ jumps between $+1$ and $-1$ forever. On the bowl the steep
# direction has curvature 25, so the limit is $\eta < 2/25$: at exactly that rate the $y$
# coordinate keeps flipping sign at constant size, just above it grows until the floats
# overflow (which takes many steps, so 500 steps may still end with huge finite numbers
# rather than the error).
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 2 · Noise floor and learning rate</p>
#
# With single-example SGD on the line (reuse `train_line` with a constant schedule),
# measure the mean excess loss over the last 200 of 1000 steps for learning rates 0.1,
# 0.05, 0.025 and 0.0125. How does the excess loss scale with the learning rate? Does the
# same happen with the full batch?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# for lr in (0.1, 0.05, 0.025, 0.0125):
#     losses = train_line(lambda t: lr, num_steps=1000, lr=lr)
#     print(lr, sum(losses[-200:]) / 200 - floor)
# ```
#
# The excess loss falls roughly in proportion to the learning rate (each halving cuts it
# by a factor between two and three). Near the minimum the weights fluctuate with a
# variance proportional to $\eta$: each step adds noise of size $\eta\sigma$, whose
# square is $\eta^2\sigma^2$, while the pull back towards the minimum per step is only
# proportional to $\eta$. The excess loss is proportional to that variance. With the full
# batch there is no noise, and the excess loss goes to zero for any stable learning rate;
# only the speed changes.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 3 · A tilted valley</p>
#
# Run RMSProp and Adam from the figure's settings (learning rates 0.1 and 0.15, 60 steps,
# start $(-5, 1.5)$) on `quadratic(p, condition=25.0, angle=a)` for $a = 0$ and
# $a = \pi/4$, and compare the final losses. Also run plain SGD at $\eta = 0.075$: does
# the angle matter to it? Explain.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# from dlbook.optim import RMSProp
#
# for a in (0.0, math.pi / 4):
#     surface = lambda p: quadratic(p, condition=25.0, angle=a)
#     for name, make in {"SGD": lambda ps: SGD(ps, lr=0.075),
#                        "RMSProp": lambda ps: RMSProp(ps, lr=0.1),
#                        "Adam": lambda ps: Adam(ps, lr=0.15)}.items():
#         path = optimizer_path(surface, (-5.0, 1.5), make, num_steps=60)
#         print(f"angle {a:.2f} {name:<8} {surface(path[-1]).item():.2e}")
# ```
#
# Gradient descent is unchanged by a rotation of the coordinates: the rotated problem is
# the same problem in other coordinates, and only the starting point's position relative
# to the valley changes the numbers. RMSProp and Adam scale each coordinate separately,
# which is the right correction when the steep and flat directions are the coordinate
# axes. At 45 degrees both coordinates mix the steep and the flat direction, their
# running RMS values are similar, and the per-coordinate scaling can no longer undo the
# ill-conditioning. In the printed losses the adaptive methods lose their advantage
# entirely and end far above plain SGD.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 4 · Momentum as an average</p>
#
# Show that with a constant gradient $\mathbf{g}$ the momentum buffer
# $\mathbf{b}_t = \mu \mathbf{b}_{t-1} + \mathbf{g}$ with $\mathbf{b}_1 = \mathbf{g}$ tends
# to $\mathbf{g}/(1-\mu)$. Check it numerically with `dlbook.optim.SGD` on the linear
# function $f(\mathbf{p}) = p_1 + p_2$, whose gradient is constant, by reading the
# optimizer's `state[p]["momentum_buffer"]` after 100 steps for $\mu = 0.5, 0.9, 0.99$.
# Why does the largest $\mu$ not match?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# Unrolling, $\mathbf{b}_t = (1 + \mu + \dots + \mu^{t-1})\,\mathbf{g} =
# \frac{1 - \mu^t}{1 - \mu}\,\mathbf{g}$, which tends to $\mathbf{g}/(1-\mu)$.
#
# ```python
# for mu in (0.5, 0.9, 0.99):
#     p = torch.zeros(2, requires_grad=True)
#     opt = SGD([p], lr=0.01, momentum=mu)
#     for _ in range(100):
#         opt.zero_grad()
#         p.sum().backward()
#         opt.step()
#     print(mu, opt.state[p]["momentum_buffer"].tolist(), 1 / (1 - mu), (1 - mu**100) / (1 - mu))
# ```
#
# For $\mu = 0.99$ the factor $\mu^{100} = 0.99^{100}$ is still close to $e^{-1}$, far
# from zero, so the buffer is still well short of its limit: the memory of momentum
# lasts roughly $1/(1-\mu)$ steps, as many as were taken here.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 5 · Adam on the learning-rate sweep</p>
#
# Repeat a small version of the learning-rate sweep with Adam instead of SGD: train the
# moons network of the figure (`MLP([2, 32, 32, 1])`, `moons(200, noise=0.15)`,
# `binary_cross_entropy_with_logits`, batch size 20) for 30 epochs with `fit` and the
# default optimizer for learning rates $10^{-4}$ to $1$, a few per decade. Where is the
# useful range now, and why is it so different from SGD's?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# from dlbook.datasets import moons
# from dlbook.losses import binary_cross_entropy_with_logits
#
# X, y = moons(200, noise=0.15, seed=0)
# Y = y.float().unsqueeze(1)
# for lr in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0):
#     model = MLP([2, 32, 32, 1], generator=torch.Generator().manual_seed(0))
#     try:
#         history = fit(model, (X, Y), loss_fn=binary_cross_entropy_with_logits,
#                       config=FitConfig(num_epochs=30, batch_size=20, lr=lr))
#         print(f"{lr:g}: {history.train_loss[-1]:.4f}")
#     except FloatingPointError as err:
#         print(f"{lr:g}: {err}")
# ```
#
# Adam's useful range sits lower than SGD's, by roughly a factor of ten here. Its step
# per weight is about $\eta$ whatever the size of the gradient, because the gradient is
# divided by its own running RMS; SGD's step is $\eta$ times the gradient, and the
# gradients of this network are small, so SGD needs a much larger $\eta$ for steps of the
# same size. This is why learning rates cannot be carried over from one optimizer to
# another, and why Adam's default of $10^{-3}$ is a reasonable first guess for many
# networks while SGD has no such default.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 6 · How long a saddle holds on</p>
#
# On the saddle $x^2 + \tfrac14 y^4 - \tfrac12 y^2$, start gradient descent at
# $(1, 10^{-6})$ with learning rates 0.02, 0.05, 0.1 and 0.2. Predict from the growth
# factor $1 + \eta$ per step how many steps $y$ needs to grow from $10^{-6}$ to about 1,
# then count with `descend` the steps until $f < -0.2$. Which learning rate escapes in the
# fewest steps, and why can that not be pushed arbitrarily far?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# for lr in (0.02, 0.05, 0.1, 0.2):
#     values = saddle(descend(saddle_grad, (1.0, 1e-6), lr=lr, num_steps=2000))
#     predicted = math.log(1e6) / math.log(1 + lr)
#     print(f"η = {lr}: predicted about {predicted:.0f} steps, measured {(values < -0.2).nonzero()[0].item()}")
# ```
#
# The prediction, $\ln(10^6)/\ln(1 + \eta)$, is within a few steps of the measured count;
# what it ignores is that the growth slows as $y$ approaches the minimum at 1. The larger
# the learning rate, the faster the escape, roughly in inverse proportion to $\eta$. But
# the same learning rate must keep the walk stable along $x$, where the curvature is 2:
# the limit $\eta < 2/\lambda_{\max} = 1$ of the first section still applies, and near the
# minima the curvature along $y$ is 2 as well. The escape from a saddle is fast only in
# the directions of strong negative curvature; along weakly curved directions it is slow
# for any stable learning rate, which is why saddles with flat directions slow down
# training so much.
#
# </details>
#
# ## References
#
# - A. Cauchy, "Méthode générale pour la résolution des systèmes d'équations simultanées",
#   *Comptes rendus de l'Académie des sciences* 25 (1847): gradient descent.
# - H. Robbins and S. Monro, "A stochastic approximation method", *Annals of Mathematical
#   Statistics* 22 (1951): stochastic approximation, the root of SGD.
#   [doi:10.1214/aoms/1177729586](https://doi.org/10.1214/aoms/1177729586)
# - B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
#   *USSR Computational Mathematics and Mathematical Physics* 4 (1964): the heavy-ball
#   method (momentum). [doi:10.1016/0041-5553(64)90137-5](https://doi.org/10.1016/0041-5553(64)90137-5)
# - Y. Nesterov, "A method for solving the convex programming problem with convergence
#   rate O(1/k²)", *Soviet Mathematics Doklady* 27 (1983): Nesterov momentum.
# - I. Sutskever, J. Martens, G. Dahl and G. Hinton, "On the importance of initialization
#   and momentum in deep learning", ICML 2013: momentum and Nesterov's variant for deep
#   networks. [proceedings.mlr.press/v28/sutskever13](https://proceedings.mlr.press/v28/sutskever13.html)
# - T. Tieleman and G. Hinton, "Lecture 6.5, rmsprop: divide the gradient by a running
#   average of its recent magnitude", *Neural Networks for Machine Learning*, Coursera
#   (2012): RMSProp. [lecture slides](https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf)
# - D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015: Adam.
#   [arXiv:1412.6980](https://arxiv.org/abs/1412.6980)
# - I. Loshchilov and F. Hutter, "SGDR: stochastic gradient descent with warm restarts",
#   ICLR 2017: cosine annealing. [arXiv:1608.03983](https://arxiv.org/abs/1608.03983)
# - P. Goyal et al., "Accurate, large minibatch SGD: training ImageNet in 1 hour" (2017):
#   the linear scaling rule and warm-up. [arXiv:1706.02677](https://arxiv.org/abs/1706.02677)
# - A. Vaswani et al., "Attention is all you need", NeurIPS 2017: the transformer, trained
#   with a warm-up. [arXiv:1706.03762](https://arxiv.org/abs/1706.03762)
# - Y. Dauphin et al., "Identifying and attacking the saddle point problem in
#   high-dimensional non-convex optimization", NeurIPS 2014: saddles rather than bad local
#   minima. [arXiv:1406.2572](https://arxiv.org/abs/1406.2572)
# - J. D. Lee, M. Simchowitz, M. I. Jordan and B. Recht, "Gradient descent only converges
#   to minimizers", COLT 2016: from a random start gradient descent avoids strict saddles.
#   [arXiv:1602.04915](https://arxiv.org/abs/1602.04915)
# - C. Jin, R. Ge, P. Netrapalli, S. M. Kakade and M. I. Jordan, "How to escape saddle
#   points efficiently", ICML 2017: random perturbations escape saddles quickly.
#   [arXiv:1703.00887](https://arxiv.org/abs/1703.00887)
