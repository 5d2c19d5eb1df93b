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
# # Loss functions
#
# The [previous chapter](neural-networks.py) built networks that turn an input into a
# prediction. Before a network can learn anything, we have to say what a *good*
# prediction is, in a form a computer can optimise. That is the job of the **loss
# function**: it compares the network's predictions with the correct answers and
# condenses the comparison into one number, small when the network is right and large when
# it is wrong. Training then means adjusting the weights to make that number smaller.
#
# A loss does two jobs at once. It *scores* the model, which is what we read off a
# training curve. It also *steers* the model, because the optimiser only ever sees the
# loss's derivatives; two losses that agree on which model is best can still lead training
# there at very different speeds. This chapter covers the losses behind most of deep
# learning, derives all of them from one principle, maximum likelihood, and shows both
# jobs at work. By the end you should be able to:
#
# - write the empirical risk and explain each of its parts;
# - derive mean squared error, binary cross-entropy and cross-entropy as negative
#   log-likelihoods, and check each derivation against `torch.distributions`;
# - use mean squared error for regression and binary cross-entropy for yes/no questions;
# - explain, with a gradient computed in code, why probabilities are trained with
#   cross-entropy rather than squared error;
# - combine softmax with cross-entropy for several classes;
# - compute cross-entropy from logits without overflow, and recognise the naive form's
#   `inf` and `nan`.

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch.distributions import Bernoulli, Categorical, Normal

from dlbook import seed_everything
from dlbook.activations import sigmoid, softmax
from dlbook.datasets import PASS_BIAS, PASS_W_HOURS, PASS_W_LECTURES, pass_exam
from dlbook.figures import show
from dlbook.figures import load_manifest
from dlbook.likelihood import bernoulli_log_prob, categorical_log_prob, gaussian_log_prob
from dlbook.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    log_softmax,
    mse,
    naive_cross_entropy,
)

seed_everything(0)

# %% [markdown]
# ## From one mistake to one number
#
# Write the model as $f(\mathbf{x}; \theta)$, a function of the input $\mathbf{x}$ with
# adjustable parameters $\theta$ (all the weights and biases). For one example with
# correct answer $y$, a **per-example loss** $\mathcal{L}(f(\mathbf{x}; \theta), y)$ measures
# how far the prediction is from the answer. A dataset has many examples, so we average:
#
# $$J(\theta) = \frac{1}{n} \sum_{i=1}^{n} \mathcal{L}\big(f(\mathbf{x}_i; \theta),\, y_i\big).$$
#
# $J$ goes by several names: *empirical risk*, *cost*, *objective*, or simply *the loss*.
# "Empirical" is a reminder that we can only average over the examples we have; what we
# really care about is the average over all the inputs the model will ever meet, and the
# training set is our sample of those. Averaging rather than summing keeps the value
# comparable between datasets and batches of different sizes.
#
# Every loss in `dlbook.losses` returns this average. What remains is to choose
# $\mathcal{L}$, and for that there is one recipe behind almost every loss in common use.
#
# ## One recipe: maximum likelihood
#
# Stop reading the network's output as *the* answer and read it as a statement about how
# likely each possible answer is: the output fixes the parameters of a probability
# distribution $p(y \mid \mathbf{x}; \theta)$ over the target. A model is then good when
# the answers that were actually observed are probable under it. If the examples are drawn
# independently, the probability the model gives to the whole training set (for a
# real-valued target, the probability density), the **likelihood**, is a product,
#
# $$L(\theta) = \prod_{i=1}^{n} p(y_i \mid \mathbf{x}_i; \theta),$$
#
# and **maximum likelihood**, the method R. A. Fisher put at the centre of statistics in
# 1922, chooses the $\theta$ that makes it largest. A product of many numbers below one
# races towards zero (and soon underflows in floating point, as we will see), so we take
# its logarithm. The logarithm turns the product into a sum and, being increasing, does
# not move the maximum. Flipping the sign, to have something to minimise, and dividing by
# $n$ gives an empirical risk of exactly the form above,
#
# $$J(\theta) = -\frac{1}{n} \sum_{i=1}^{n} \log p(y_i \mid \mathbf{x}_i; \theta),$$
#
# the **negative log-likelihood** (NLL), whose per-example loss is
# $\mathcal{L} = -\log p(y_i \mid \mathbf{x}_i; \theta)$. Choosing a loss has become
# choosing a distribution for the target, and the three most common kinds of target give
# the three most common losses (in the first row $\sigma$ is the noise's standard
# deviation, in the second the sigmoid, as usual):
#
# | target | distribution of $y$ | the network outputs | $-\log p(y)$ | loss |
# | --- | --- | --- | --- | --- |
# | a real number | Gaussian, fixed spread $\sigma$ | the mean $\hat{y}$ | $\frac{(y - \hat{y})^2}{2\sigma^2} + \log \sigma + \frac12 \log 2\pi$ | mean squared error, scaled and shifted |
# | yes or no | Bernoulli | $p = \sigma(z)$, the probability of yes | $-y \log p - (1 - y) \log(1 - p)$ | binary cross-entropy |
# | one of $K$ classes | categorical | $\mathbf{p} = \operatorname{softmax}(\mathbf{z})$ | $-\log p_y$ | cross-entropy |
#
# The next sections take the rows in turn. Each derives its loss and checks the derivation
# against `torch.distributions`, PyTorch's library of probability distributions, whose
# `log_prob` method returns $\log p(y)$; `dlbook.likelihood` writes the same three
# log-probabilities out from their formulas.
#
# ## Mean squared error for regression
#
# When the target is a real number (a price, a temperature, a count), the natural way to
# measure a miss is the difference $\hat{y}_i - y_i$, called the *residual*. Squaring it
# makes every miss count positively and punishes large misses much more than small ones.
# Averaged over the data this is the **mean squared error**:
#
# $$\text{MSE} = \frac{1}{n} \sum_{i=1}^{n} \left(\hat{y}_i - y_i\right)^2 .$$
#
# A small example: an ice-cream stand records the hours of sunshine and the number of
# cones sold on 30 days. We compare two candidate straight lines by their MSE.

# %%
g = torch.Generator().manual_seed(0)
sunshine = 10 * torch.rand(30, generator=g)  # (n,) hours of sunshine per day
cones = 20 + 8 * sunshine + 10 * torch.randn(30, generator=g)  # (n,) cones sold

candidates = {"line A: 40 + 5x": (40.0, 5.0), "line B: 15 + 9x": (15.0, 9.0)}
for name, (intercept, slope) in candidates.items():
    y_hat = intercept + slope * sunshine
    print(f"{name}  MSE = {mse(y_hat, cones).item():7.2f}   "
          f"(torch: {F.mse_loss(y_hat, cones).item():7.2f})")

# %% alt="Two scatter plots of cones sold against hours of sunshine on 30 days, each with a candidate line and red residual segments, its MSE in the title. Line A (40 + 5x) is too flat and misses badly at both ends; line B (15 + 9x) follows the trend and has the much smaller MSE."
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
xs = torch.linspace(0, 10, 2)
for ax, (name, (intercept, slope)) in zip(axes, candidates.items(), strict=True):
    y_hat = intercept + slope * sunshine
    error = mse(y_hat, cones).item()
    ax.vlines(sunshine, cones, y_hat, color="tab:red", lw=1, alpha=0.7,
              label="residuals")
    ax.scatter(sunshine, cones, s=18, color="black", zorder=3, label="days")
    ax.plot(xs, intercept + slope * xs, color="tab:blue", lw=2,
            label=name.split(":")[0])
    ax.set(xlabel="hours of sunshine", title=f"{name}: MSE {error:.1f}")
    ax.legend(loc="upper left", frameon=False, fontsize=9)
axes[0].set_ylabel("cones sold")
fig.tight_layout()
plt.show()

# %% [markdown]
# Line B follows the trend and has the smaller error, as the printout shows; the red
# segments are the residuals whose squares are averaged. Searching for the line with the
# *smallest* MSE is what training does, and the gradient-descent chapters take that up.
#
# Two properties explain why MSE is the default for regression. First, the best
# *constant* prediction under MSE is the mean of the targets, which is easy to check
# numerically. Second, MSE is the maximum-likelihood loss when the targets scatter around
# the prediction with Gaussian noise, the first row of the table; a subsection below
# derives and checks it.

# %%
constants = torch.linspace(cones.min(), cones.max(), 2001)  # candidate predictions
errors = torch.stack([mse(torch.full_like(cones, c), cones) for c in constants])
print(f"best constant: {constants[errors.argmin()].item():.2f}")
print(f"mean of the targets: {cones.mean().item():.2f}")

# %% [markdown]
# One practical trap: a network's output for $n$ examples usually has shape $(n, 1)$,
# while the targets have shape $(n,)$. Subtracting the two *broadcasts* them into an
# $(n, n)$ table of every prediction minus every target, and the mean of that table is a
# meaningless number. `dlbook.losses.mse` refuses mismatched shapes instead:

# %%
y_hat_column = (15.0 + 9.0 * sunshine).unsqueeze(1)  # (n, 1): a network's shape
broadcast = ((y_hat_column - cones) ** 2).mean()  # (n, 1) - (n,) -> (n, n): wrong
correct = mse(y_hat_column.squeeze(1), cones)  # (n,) against (n,)
print(f"silently broadcast: {broadcast.item():.2f}   correct: {correct.item():.2f}")
try:
    mse(y_hat_column, cones)
except ValueError as err:
    print("ValueError:", err)

# %% [markdown]
# ### Mean squared error from a Gaussian likelihood
#
# Suppose each day's sales scatter around the line's prediction with Gaussian noise of
# standard deviation $\sigma$: $y_i = \hat{y}_i + \varepsilon_i$ with
# $\varepsilon_i \sim \mathcal{N}(0, \sigma^2)$. (Our data were made this way, around
# the line $20 + 8x$ with $\sigma = 10$.) The density of $y_i$ is
#
# $$p(y_i \mid \mathbf{x}_i) = \frac{1}{\sigma\sqrt{2\pi}}
#   \exp\!\left(-\frac{(y_i - \hat{y}_i)^2}{2\sigma^2}\right),
# \qquad
# -\log p(y_i \mid \mathbf{x}_i) = \frac{(y_i - \hat{y}_i)^2}{2\sigma^2} + \log\sigma + \tfrac12 \log 2\pi ,$$
#
# and averaging over the days gives
#
# $$J = \frac{\text{MSE}}{2\sigma^2} + \log\sigma + \tfrac12\log 2\pi .$$
#
# With $\sigma$ fixed, the negative log-likelihood is the MSE times a positive number plus
# a number that does not depend on the line, so the two losses rank every line alike and
# have the same minimiser. The cell computes the Gaussian NLL of both candidate lines three
# ways, for three values of $\sigma$: from `gaussian_log_prob`, from
# `torch.distributions.Normal`, and from the MSE with the formula above.

# %%
print(f"{'sigma':>5}  {'line':<7}{'NLL':>8}{'torch':>8}{'MSE/(2 sigma^2) + const':>25}")
for sigma in [5.0, 10.0, 20.0]:
    constant = math.log(sigma) + 0.5 * math.log(2 * math.pi)  # log σ + ½ log 2π
    for name, (intercept, slope) in candidates.items():
        y_hat = intercept + slope * sunshine  # (n,) the Gaussian's mean for each day
        nll = -gaussian_log_prob(cones, y_hat, sigma=sigma).mean()
        nll_torch = -Normal(y_hat, sigma).log_prob(cones).mean()
        from_mse = mse(y_hat, cones) / (2 * sigma**2) + constant
        torch.testing.assert_close(nll, nll_torch)
        torch.testing.assert_close(nll, from_mse)
        print(f"{sigma:5.0f}  {name[:6]:<7}{nll.item():8.3f}{nll_torch.item():8.3f}"
              f"{from_mse.item():25.3f}")

# %% [markdown]
# The three columns agree, and for every $\sigma$ line B is the more likely line, just as
# it had the smaller MSE. The value of $\sigma$ changes the numbers, not the ranking and not
# the best line, which is why MSE can leave $\sigma$ out altogether. (If $\sigma$ is learned
# as well, its best value turns out to be $\sqrt{\text{MSE}}$; see exercise 7.) A
# different noise model gives a different loss: Laplace noise, with density proportional
# to $e^{-|y - \hat{y}|/b}$, gives the mean absolute error (exercise 8).
#
# ## Binary cross-entropy: "will I pass this class?"
#
# Many questions have a yes/no answer. Our running example asks whether a student passes a
# course, given two numbers: the hours they studied and the number of lectures they
# attended. `dlbook.datasets.pass_exam` generates such students from a documented rule. Each
# student gets a score that grows with both inputs,
#
# $$s = \beta_0 + \beta_1 \cdot \text{hours} + \beta_2 \cdot \text{lectures},$$
#
# and then passes with probability $\sigma(s)$, where $\sigma$ is the sigmoid. The
# constants are stored in the module:

# %%
print(f"PASS_BIAS = {PASS_BIAS}, PASS_W_HOURS = {PASS_W_HOURS}, "
      f"PASS_W_LECTURES = {PASS_W_LECTURES}")

X_exam, y_exam = pass_exam(200, seed=0)  # (n, 2) hours, lectures; (n,) 1 = passed
hours, lectures = X_exam[:, 0], X_exam[:, 1]
score = PASS_BIAS + PASS_W_HOURS * hours + PASS_W_LECTURES * lectures  # (n,) s
p_rule = sigmoid(score)  # (n,) the rule's probability of passing

print(f"\n{'hours':>6} {'lectures':>9} {'score s':>8} {'P(pass)':>8} {'passed':>7}")
for i in range(8):
    print(f"{hours[i]:6.1f} {lectures[i]:9.0f} {score[i]:8.2f} "
          f"{p_rule[i]:8.2f} {y_exam[i]:7d}")
print(f"\nstudents: {len(y_exam)}, passed: {y_exam.float().mean().item():.0%}")

# %% [markdown]
# Notice that the label is *random* given the inputs: a student with a middling score can
# go either way, and even a strong one occasionally fails. No model can predict every label
# correctly here. The best any model can do is to output the right *probability*, and that
# is exactly what a sigmoid neuron outputs: $p = \sigma(z)$ with
# $z = \mathbf{w} \cdot \mathbf{x} + b$. Statisticians call this model logistic
# regression and have fitted it by maximum likelihood since the 1950s (Cox, 1958).
#
# How should we score a predicted probability $p_i$ against a label $y_i \in \{0, 1\}$? A
# good score rewards putting high probability on what actually happened. If the student
# passed, the model gave that outcome probability $p_i$; if they failed, it gave it
# $1 - p_i$. Taking the negative logarithm of the probability of what happened and averaging
# gives the **binary cross-entropy** (BCE):
#
# $$J = -\frac{1}{n} \sum_{i=1}^{n} \Big( y_i \log p_i + (1 - y_i) \log (1 - p_i) \Big).$$
#
# The parentheses matter. Both terms sit inside the sum, and the minus sign in front
# applies to both; for each example exactly one of them is non-zero, because either
# $y_i = 1$ or $1 - y_i = 1$. (One set of lecture notes behind this book prints the formula
# without them. Read literally, the minus sign then reaches only the first term, and so
# does the sum, which leaves the second term with no index to sum over; the sensible
# reading keeps both terms in the sum and flips the sign of the second, and that is the
# version we compute below.)
#
# This is the second row of the table. A yes/no label is a **Bernoulli** variable: it is 1
# with probability $p$ and 0 with probability $1 - p$, which one formula covers,
# $P(y) = p^{y} (1 - p)^{1 - y}$. Its logarithm is $y \log p + (1 - y)\log(1 - p)$, so the
# binary cross-entropy is exactly the Bernoulli negative log-likelihood, and minimising it
# is maximum likelihood.
#
# Each branch is easy to picture. For a student who passed, the loss is $-\log p$: zero when
# the model was certain and right, growing without bound as $p \to 0$. For a student who
# failed it is the mirror image, $-\log(1 - p)$.

# %% alt="Line plot of the binary cross-entropy of one example against the predicted probability p of label 1. For label 1, -log p falls from very high near p = 0 to zero at p = 1; for label 0, -log(1 - p) mirrors it, and the two curves cross at p = 0.5."
p_axis = torch.linspace(0.001, 0.999, 500)
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.plot(p_axis, -torch.log(p_axis), lw=2, label="label 1: $-\\log p$")
ax.plot(p_axis, -torch.log(1 - p_axis), lw=2, label="label 0: $-\\log(1 - p)$")
ax.set(xlabel="predicted probability $p$ of label 1", ylabel="loss", ylim=(0, 5),
       title="Binary cross-entropy for one example")
ax.grid(True, alpha=0.3)
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# Let us score three "models" on the 200 students: the generating rule itself, a coin flip
# that always says $p = 0.5$, and the rule with its sign flipped, which is confident and
# backwards. `binary_cross_entropy` is checked against PyTorch's version, and the formula
# with the misplaced parentheses is computed too, to see what it would report.

# %%
y = y_exam.float()
models = {
    "generating rule": p_rule,
    "coin flip": torch.full_like(y, 0.5),
    "backwards rule": sigmoid(-score),
}
print(f"{'model':<17}{'BCE':>7}{'torch':>7}{'accuracy':>10}{'no parentheses':>16}")
for name, p in models.items():
    bce = binary_cross_entropy(p, y).item()
    bce_torch = F.binary_cross_entropy(p, y).item()
    accuracy = ((p > 0.5).float() == y).float().mean().item()
    # the misprint, read sensibly: both terms averaged, the minus sign on the first only
    wrong = (-(y * torch.log(p)) + (1 - y) * torch.log(1 - p)).mean().item()
    print(f"{name:<17}{bce:7.3f}{bce_torch:7.3f}{accuracy:10.0%}{wrong:16.3f}")

# %% [markdown]
# The rule scores best and the backwards rule worst, with the coin flip in between at
# $\log 2$ (every example costs $-\log 0.5$). The last column shows why the parentheses are
# not a typographical detail: without them the "loss" of the backwards rule comes out
# *lower* than that of the true rule, so minimising it would teach a model to be confidently
# wrong about every student who failed.
#
# In practice the network outputs the logit $z$ and the sigmoid is folded into the loss.
# `binary_cross_entropy_with_logits(z, y)` computes the same number from $z$ directly, in a
# form that stays accurate for any $z$ (more on that at the end of the chapter):

# %%
from_logits = binary_cross_entropy_with_logits(score, y)  # the sigmoid is inside
torch.testing.assert_close(from_logits, binary_cross_entropy(p_rule, y))
reference = F.binary_cross_entropy_with_logits(score, y)
torch.testing.assert_close(from_logits, reference)
print(f"BCE from logits: {from_logits.item():.4f}")

# %% [markdown]
# The Bernoulli reading can be checked the same way as the Gaussian one. The cell computes
# the log-probability the generating rule gave each student's actual result, with
# `bernoulli_log_prob` and with `torch.distributions.Bernoulli`, and compares minus their
# mean with the binary cross-entropy. It also multiplies the probabilities together, to see
# why the likelihood is always handled through its logarithm.

# %%
log_p = bernoulli_log_prob(y, p=p_rule)  # (n,) log P(y_i) under the rule
torch.testing.assert_close(log_p, Bernoulli(probs=p_rule).log_prob(y))
torch.testing.assert_close(-log_p.mean(), binary_cross_entropy(p_rule, y))
print(f"Bernoulli NLL: {-log_p.mean().item():.4f}   BCE: {binary_cross_entropy(p_rule, y).item():.4f}")
print(f"likelihood of the 200 labels, as a product:    {log_p.exp().prod().item():.3e}"
      f"   (smallest normal float32: {torch.finfo(torch.float32).tiny:.1e})")
print(f"its logarithm, as a sum of log-probabilities:  {log_p.sum().item():.2f}")

X_many, y_many = pass_exam(2000, seed=0)  # ten times as many students
p_many = sigmoid(PASS_BIAS + PASS_W_HOURS * X_many[:, 0] + PASS_W_LECTURES * X_many[:, 1])
log_p_many = bernoulli_log_prob(y_many.double(), p=p_many.double())  # float64 this time
print(f"2000 students: product {log_p_many.exp().prod().item()}, "
      f"sum of logs {log_p_many.sum().item():.1f}")

# %% [markdown]
# The log-probabilities agree with PyTorch's and their negative mean is the BCE. The
# product for 200 students is already a number around $10^{-41}$, below the smallest
# normal float32, where precision starts to drain away; for 2000 students it is exactly 0
# even in float64, while the sum of logarithms is an ordinary number.
# Every likelihood in practice is computed as a sum of log-probabilities.
#
# ## Why not squared error for probabilities?
#
# A probability is a number, so why not train it with MSE, $(p - y)^2$, like any other
# number? Both losses are smallest when $p = y$. The difference lies in the *steering*:
# what matters to gradient descent is how strongly each loss pushes on the logit $z$. With
# $p = \sigma(z)$ and $\sigma'(z) = p(1 - p)$, the chain rule gives
#
# $$\frac{\partial}{\partial z}\Big[-y \log p - (1 - y)\log(1 - p)\Big] = p - y,
# \qquad
# \frac{\partial}{\partial z}(p - y)^2 = 2(p - y)\,p\,(1 - p).$$
#
# The cross-entropy gradient is simply the error $p - y$. The squared-error gradient is the
# same error multiplied by $2p(1 - p)$, which is tiny whenever $p$ is close to 0 or 1. That
# includes the worst case of all: a prediction that is confident *and wrong*. Autograd
# confirms both formulas for a student who passed ($y = 1$) while the model's logit ranges
# from very wrong to very right:

# %%
z = torch.tensor([-10.0, -6.0, -3.0, 0.0, 3.0, 6.0], requires_grad=True)
y_one = torch.ones_like(z)
p = sigmoid(z)
bce_sum = F.binary_cross_entropy_with_logits(z, y_one, reduction="sum")
(grad_bce,) = torch.autograd.grad(bce_sum, z)
(grad_se,) = torch.autograd.grad(((p - y_one) ** 2).sum(), z)
with torch.no_grad():
    torch.testing.assert_close(grad_bce, p - 1)  # p − y
    # 2(p − y) p (1 − p)
    torch.testing.assert_close(grad_se, 2 * (p - 1) * p * (1 - p))

print(f"{'z':>6}{'p':>10}{'dBCE/dz':>11}{'dSE/dz':>12}")
rows = zip(z.tolist(), p.tolist(), grad_bce.tolist(), grad_se.tolist(), strict=True)
for zi, pi, gb, gs in rows:
    print(f"{zi:6.1f}{pi:10.5f}{gb:11.4f}{gs:12.6f}")

# %% [markdown]
# At the confidently wrong end of the table the cross-entropy still pushes with almost full
# force, while the squared error has all but stopped pushing, as the two gradient columns
# show. The squared error's push is strongest for predictions that are only mildly wrong
# and fades away for the ones that need correcting most. Plotted over a range of logits:

# %% alt="Line plot of the size of the loss gradient with respect to the logit z, for label 1, over z from -10 to 10. Cross-entropy pushes hardest across the shaded confident-and-wrong region, while squared error barely pushes there, peaks weakly just below z = 0 and fades again."
z_axis = torch.linspace(-10, 10, 400)
p_axis = sigmoid(z_axis)
fig, ax = plt.subplots(figsize=(6.5, 3.6))
ax.plot(z_axis, (p_axis - 1).abs(), lw=2, label="cross-entropy: $|p - y|$")
ax.plot(z_axis, (2 * (p_axis - 1) * p_axis * (1 - p_axis)).abs(), lw=2,
        label="squared error: $|2(p - y)\\,p(1 - p)|$")
ax.axvspan(-10, -4, color="tab:red", alpha=0.08, label="confident and wrong")
ax.set(xlabel="logit $z$ (label $y = 1$)",
       ylabel="size of $\\partial L / \\partial z$",
       title="How hard each loss pushes on the logit")
ax.grid(True, alpha=0.3)
ax.legend(frameon=False, fontsize=9)
plt.show()

# %% [markdown]
# To see the consequence in an actual training run, the figure pipeline trains the same
# sigmoid neuron on 400 students twice, with plain gradient descent and the same learning
# rate, once on each loss. Both runs start from the same deliberately bad weights that make
# the model confident that *more* study means *less* chance of passing. (The inputs are
# standardised, shifted and scaled to mean 0 and standard deviation 1, so that one learning
# rate suits both features; the boundaries are drawn back in the original units.)

# %%
show("pass-exam-bce-vs-mse")

# %%
exam = load_manifest("pass-exam-bce-vs-mse")["metrics"]
print("first epoch with 80% training accuracy:")
print(f"  cross-entropy {exam['epochs_to_target_bce']:.0f}, "
      f"squared error {exam['epochs_to_target_mse']:.0f}")
print("final training accuracy:")
print(f"  cross-entropy {exam['accuracy_bce']:.1%}, "
      f"squared error {exam['accuracy_mse']:.1%}")

# %% [markdown]
# Both models end up close to the generating rule (bottom panel) with similar accuracy; the
# destination is the same. The journey is not: cross-entropy escapes the bad start quickly,
# while squared error crawls along for many times as long (compare the epoch counts above),
# exactly because its gradient vanishes for confident mistakes. On a larger network, such a slow phase can
# easily look like a model that does not learn at all. Neither final accuracy gets near
# 100%, and none could: the labels are random draws, and the rule itself makes mistakes
# on them.
#
# ## Several classes: softmax and cross-entropy
#
# With $K$ classes, the network's last layer outputs $K$ raw scores, the **logits**
# $\mathbf{z} = (z_1, \dots, z_K)$. The softmax turns them into a probability distribution,
#
# $$p_k = \operatorname{softmax}(\mathbf{z})_k = \frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}},$$
#
# This is the third row of the table: the label is a **categorical** variable, equal to
# $k$ with probability $p_k$, and the loss is again the negative log-probability of what
# actually happened, here the true class $y$:
#
# $$\mathcal{L}(\mathbf{z}, y) = -\log p_y = -z_y + \log \sum_{j=1}^{K} e^{z_j}.$$
#
# Writing the target as a one-hot vector $\mathbf{t}$ (a 1 at position $y$, 0 elsewhere)
# gives the equivalent form $-\sum_k t_k \log p_k$. Information theory, founded by
# Shannon in 1948, calls this the *cross-entropy* of the predicted distribution $\mathbf{p}$ relative to the target
# distribution $\mathbf{t}$; for a fixed $\mathbf{t}$ it is smallest when
# $\mathbf{p} = \mathbf{t}$, which is where the loss gets its name. Binary cross-entropy is
# the case $K = 2$. (The name softmax, and the reading of its outputs as class
# probabilities trained by this likelihood, go back to Bridle, 1990.) A model that
# knows nothing and spreads its bets evenly pays $\log K$ per example. The next cell scores a small batch of three examples over three classes and
# compares our `cross_entropy` with the per-example formula, with PyTorch, and with the
# categorical log-probabilities of `torch.distributions.Categorical`:

# %%
logits = torch.tensor([[2.0, 0.5, -1.0],
                       [0.1, 0.2, 0.3],
                       [-1.0, 3.0, 0.0]], requires_grad=True)  # (B, C) = (3, 3)
targets = torch.tensor([0, 2, 0])  # (B,) the true classes
probs = softmax(logits, dim=1)  # (B, C), each row sums to 1
per_example = -torch.log(probs[torch.arange(3), targets])  # (B,) −log p_y
print("p of the true class:", probs[torch.arange(3), targets].detach())
print("per-example loss:   ", per_example.detach())
print(f"mean: {per_example.mean().item():.4f}   "
      f"dlbook: {cross_entropy(logits, targets).item():.4f}   "
      f"torch: {F.cross_entropy(logits, targets).item():.4f}")
nll = -categorical_log_prob(targets, logits=logits)  # (B,) −log P(y_b)
torch.testing.assert_close(nll, -Categorical(logits=logits).log_prob(targets))
torch.testing.assert_close(nll, per_example)
print("categorical NLL:    ", nll.detach())

# %% [markdown]
# The first example is right and confident, so it costs little; the third puts little
# probability on its true class and dominates the average. The gradient of the
# softmax cross-entropy with respect to the logits has the same pleasant form as in the
# binary case: predicted probabilities minus the one-hot target, divided by the batch size
# because of the average.

# %%
(grad_logits,) = torch.autograd.grad(cross_entropy(logits, targets), logits)
one_hot = F.one_hot(targets, num_classes=3).float()
torch.testing.assert_close(grad_logits, (probs.detach() - one_hot) / 3)
print(grad_logits)

# %% [markdown]
# Every row of the gradient sums to zero, because both the predicted probabilities and
# the one-hot target sum to one. The reason behind it: adding the same number to all
# logits of an example leaves its softmax, and so its loss, unchanged, so the gradient can
# have no component along that direction. A gradient step raises the true class's logit
# by exactly as much in total as it lowers the others. The figure pipeline uses this loss to train two
# classifiers on three interleaved spirals: a linear softmax classifier, which is a single
# dense layer followed by softmax, and an MLP with two hidden layers of ReLU units.

# %%
show("spirals-softmax")

# %%
spiral = load_manifest("spirals-softmax")["metrics"]
log3 = torch.log(torch.tensor(3.0)).item()
print(f"final loss:    linear {spiral['loss_linear']:.3f}, "
      f"MLP {spiral['loss_mlp']:.3f}   (uniform guess: log 3 = {log3:.3f})")
print(f"test accuracy: linear {spiral['test_accuracy_linear']:.1%}, "
      f"MLP {spiral['test_accuracy_mlp']:.1%}")

# %% [markdown]
# The loss is the same for both models; what differs is what the model can express. A
# linear softmax classifier can only cut the plane into convex regions with straight
# edges, so its loss barely drops below the uniform guess and its accuracy stays near
# chance. The MLP bends its regions along the arms and drives the loss down. The loss
# tells training *what* to aim for; the architecture decides what it *can* reach.
#
# ## Computing cross-entropy without overflow
#
# The formula "softmax, then log" is correct mathematics and poor numerics. Floating-point
# numbers have a largest value, and $e^{z}$ exceeds it quickly:

# %%
print("largest float32:", torch.finfo(torch.float32).max)
print("exp(88), exp(89) in float32:", torch.exp(torch.tensor([88.0, 89.0])))

# %% [markdown]
# Logits far beyond that are rare in a healthy network, but they do occur: early in
# training with a large learning rate, or in a model that has become very confident.
# `naive_cross_entropy` applies the textbook recipe literally. Here it is on three examples
# whose logits are large, larger still, and very negative:

# %%
big = torch.tensor([[1000.0, 0.0, -1000.0],
                    [500.0, 501.0, -200.0],
                    [-800.0, -801.0, -802.0]])  # (B, C)
big_targets = torch.tensor([1, 1, 0])
e = torch.exp(big)  # (B, C): inf for large logits, 0 for very negative ones
print("naive softmax:\n", e / e.sum(dim=1, keepdim=True))
print("naive cross-entropy:", naive_cross_entropy(big, big_targets))

# %% [markdown]
# In the first two rows the largest logits overflow to $\infty$, and $\infty / \infty$ is
# `nan`; in the third every exponential underflows to 0, and $0 / 0$ is `nan` too. One `nan` in a loss spreads through every gradient and ruins the
# whole model in a single step.
#
# The fix is algebra. Subtracting any constant $m$ from every logit leaves the softmax
# unchanged, because $e^{-m}$ cancels between numerator and denominator. Taking
# $m = \max_j z_j$ makes every exponent at most zero, so nothing can overflow, and the
# largest term of the sum is $e^0 = 1$, so the sum cannot underflow to zero either:
#
# $$\log \sum_j e^{z_j} = m + \log \sum_j e^{z_j - m},
# \qquad
# \log p_k = z_k - m - \log \sum_j e^{z_j - m}.$$
#
# This is the *log-sum-exp trick*, and `log_softmax` is built on it. Computing $\log p_k$
# directly in this form, instead of computing $p_k$ and then its logarithm, also avoids
# taking the log of a probability that has rounded to zero. `cross_entropy` uses it:

# %%
print("log_softmax:\n", log_softmax(big, dim=1))
print("cross_entropy:        ", cross_entropy(big, big_targets))
print("torch cross_entropy:  ", F.cross_entropy(big, big_targets))
# float32 keeps about 7 significant digits: numbers near 800 are known to ~1e-4
torch.testing.assert_close(log_softmax(big, dim=1), F.log_softmax(big, dim=1),
                           atol=1e-4, rtol=0)
torch.testing.assert_close(cross_entropy(big, big_targets),
                           F.cross_entropy(big, big_targets))
print("dlbook and PyTorch agree to float32 precision")

# %% [markdown]
# Every value is finite and matches PyTorch. (The two implementations round the last
# digits of the third row slightly differently; at magnitudes near 800, float32 cannot
# resolve anything finer anyway.) This is why PyTorch's `cross_entropy` takes
# *logits* and not probabilities: it needs the raw scores to apply the trick, and a network
# should therefore end in a linear layer, with the softmax left to the loss.
#
# The same holds in the binary case. For a logit of 100 the sigmoid rounds to exactly 1 in
# float32, and $\log(1 - p)$ becomes $\log 0$. `binary_cross_entropy` clips $p$ away from 0
# and 1 to stay finite, but the clipped value is not the true loss; the logit form computes
# it exactly.

# %%
z_big = torch.tensor([100.0])
y_zero = torch.tensor([0.0])  # a confident prediction of 1, but the label is 0
p_big = sigmoid(z_big)
print("sigmoid(100) in float32:", p_big.item())
print("log(1 - p):", torch.log(1 - p_big).item())
clipped = binary_cross_entropy(p_big, y_zero)
exact = binary_cross_entropy_with_logits(z_big, y_zero)
reference = F.binary_cross_entropy_with_logits(z_big, y_zero)
print(f"BCE on the clipped probability: {clipped.item():.3f}")
print(f"BCE from the logit:             {exact.item():.3f}")
print(f"torch, from the logit:          {reference.item():.3f}")

# %% [markdown]
# ## Summary
#
# - A loss function turns predictions and targets into one number. Averaged over the
#   training set it is the empirical risk
#   $J(\theta) = \frac1n \sum_i \mathcal{L}(f(\mathbf{x}_i; \theta), y_i)$, which training minimises.
# - **Maximum likelihood** is the recipe behind the common losses: read the network's
#   output as the parameters of a distribution over the target and minimise the mean
#   negative log-probability of the observed targets. A Gaussian mean with fixed $\sigma$
#   gives MSE$/(2\sigma^2)$ plus a constant, a Bernoulli probability gives binary
#   cross-entropy, and a categorical distribution gives softmax cross-entropy. Likelihoods
#   are computed as sums of logarithms, since the product underflows.
# - **Mean squared error** suits real-valued targets; its best constant prediction is the
#   mean. Check that predictions and targets have the same shape.
# - **Binary cross-entropy**, $-\frac1n \sum_i \big( y_i \log p_i + (1 - y_i)\log(1 - p_i) \big)$,
#   scores predicted probabilities of yes/no outcomes; both terms belong inside the sum.
# - For a sigmoid output, cross-entropy's gradient with respect to the logit is $p - y$.
#   Squared error multiplies it by $2p(1 - p)$, which nearly vanishes for confident
#   mistakes, so training from a bad start is far slower.
# - **Softmax cross-entropy**, $-\log \operatorname{softmax}(\mathbf{z})_y$, handles $K$ classes;
#   its gradient is the predicted distribution minus the one-hot target, and a uniform
#   guess costs $\log K$.
# - Compute cross-entropy from **logits** with the log-sum-exp trick (`log_softmax`,
#   `cross_entropy`, `binary_cross_entropy_with_logits`). Softmax-then-log overflows into
#   `inf` and `nan` for large logits.
#
# ## Exercises
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 1 · Binary cross-entropy by hand</p>
#
# A model predicts $p = (0.9, 0.2, 0.6)$ for three students whose labels are
# $y = (1, 0, 0)$. Compute the binary cross-entropy by hand, term by term, then check it
# with `binary_cross_entropy` and `torch.nn.functional.binary_cross_entropy`. Which
# student contributes most, and why?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# The terms are $-\log 0.9$, $-\log 0.8$ and $-\log 0.4$, and $J$ is their mean.
#
# ```python
# p = torch.tensor([0.9, 0.2, 0.6])
# y = torch.tensor([1.0, 0.0, 0.0])
# terms = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
# print(terms, terms.mean(), binary_cross_entropy(p, y), F.binary_cross_entropy(p, y))
# ```
#
# The third student dominates: they failed, yet the model gave passing a probability above
# one half, so the probability of what happened was small and its negative log is large.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 2 · The cost of missing parentheses</p>
#
# Take the misprinted formula $-\frac1n \sum_i y_i \log p_i + (1 - y_i) \log(1 - p_i)$, read
# with the minus sign applying only to the first term. For a single student with $y = 0$,
# what value of $p$ minimises it? Confirm by minimising it with gradient descent on a
# logit $z$ starting at $z = 0$ (`lr=0.5`, 50 steps) and printing $\sigma(z)$ at the end.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# With $y = 0$ the misprint reduces to $\log(1 - p)$, which decreases towards $-\infty$ as
# $p \to 1$: it rewards predicting "pass" for a student who failed, the opposite of what
# we want. Since $\log(1 - \sigma(z)) = -\operatorname{softplus}(z)$, the code uses the
# softplus form; `torch.log(1 - sigmoid(z))` would hit $\log 0$ once $\sigma(z)$ rounds to 1.
#
# ```python
# z = torch.zeros(1, requires_grad=True)
# opt = torch.optim.SGD([z], lr=0.5)
# for _ in range(50):
#     wrong = -F.softplus(z).mean()  # the misprint for y = 0: log(1 − σ(z)), computed stably
#     opt.zero_grad()
#     wrong.backward()
#     opt.step()
# print(z.item(), sigmoid(z).item())  # z keeps growing, σ(z) is close to 1: confidently wrong
# ```
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 3 · Two classes, two ways</p>
#
# Show that a softmax over two logits $(z_0, z_1)$ gives class 1 the probability
# $\sigma(z_1 - z_0)$. Then verify in code that `cross_entropy` on the logits
# $[0, z]$ equals `binary_cross_entropy_with_logits` on $z$ for a random batch of $z$ and
# random labels.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# $\dfrac{e^{z_1}}{e^{z_0} + e^{z_1}} = \dfrac{1}{1 + e^{-(z_1 - z_0)}} = \sigma(z_1 - z_0)$, after
# dividing numerator and denominator by $e^{z_1}$.
#
# ```python
# g = torch.Generator().manual_seed(1)
# z = 3 * torch.randn(16, generator=g)
# labels = torch.randint(0, 2, (16,), generator=g)
# two_logits = torch.stack([torch.zeros_like(z), z], dim=1)  # (B, 2): class 0 fixed at 0
# torch.testing.assert_close(cross_entropy(two_logits, labels),
#                            binary_cross_entropy_with_logits(z, labels.float()))
# ```
#
# So binary cross-entropy is the two-class case of softmax cross-entropy, with one logit
# pinned to zero.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 4 · Where squared error pushes hardest</p>
#
# For $y = 1$ the squared-error gradient on the logit has size $2(1 - p)\,p\,(1 - p)$ with
# $p = \sigma(z)$. Find the logit where it is largest, first by evaluating it on a fine grid
# of $z$ and then with calculus. How large is the cross-entropy gradient there?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# z = torch.linspace(-10, 10, 200001, dtype=torch.float64)
# p = torch.sigmoid(z)
# push = 2 * (1 - p) * p * (1 - p)
# i = push.argmax()
# print(z[i].item(), p[i].item(), push[i].item(), (1 - p[i]).item())
# ```
#
# As a function of $p$ the size is $2p(1 - p)^2$, whose derivative $2(1 - p)(1 - 3p)$
# vanishes at $p = 1/3$, i.e. $z = \log(1/2) \approx -0.69$. The squared error pushes hardest
# on a mildly wrong prediction and much less on confidently wrong ones, while the
# cross-entropy push $1 - p$ keeps growing towards 1 as the prediction gets worse.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 5 · Squared or absolute error?</p>
#
# Add one outlier to the ice-cream data (a day with 500 cones). Over a grid of constant
# predictions $c$, find the constant with the smallest MSE and the one with the smallest
# *mean absolute error* $\frac1n \sum_i |y_i - c|$, before and after adding the outlier.
# Which loss is more robust, and which familiar statistics did you find?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# for data in (cones, torch.cat([cones, torch.tensor([500.0])])):
#     c = torch.linspace(0, 500, 50001)
#     sq = ((data[None, :] - c[:, None]) ** 2).mean(dim=1)
#     ab = (data[None, :] - c[:, None]).abs().mean(dim=1)
#     print(c[sq.argmin()].item(), data.mean().item(), c[ab.argmin()].item(), data.median().item())
# ```
#
# The MSE minimiser is the mean and the absolute-error minimiser is a median. One outlier
# drags the mean a long way but barely moves the median, so the absolute error is more
# robust to outliers; the price is a gradient whose size does not shrink near the optimum.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 6 · Your own log-sum-exp</p>
#
# Write `logsumexp(z)` for a tensor of shape $(B, C)$ that returns shape $(B,)$, using the
# max-shift trick. Test it against `torch.logsumexp(z, dim=1)` on ordinary logits and on
# logits around $\pm 1000$ in float32. What goes wrong if every entry of a row is
# $-\infty$ (a fully masked row), and how could you guard against it?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# def logsumexp(z):
#     m = z.amax(dim=1, keepdim=True)  # (B, 1)
#     return (m + torch.log(torch.exp(z - m).sum(dim=1, keepdim=True))).squeeze(1)  # (B,)
#
# for z in (torch.randn(4, 5), 1000 * torch.randn(4, 5)):
#     torch.testing.assert_close(logsumexp(z), torch.logsumexp(z, dim=1))
# ```
#
# For a row of $-\infty$ the maximum is $-\infty$ and $z - m$ is $-\infty - (-\infty)$, which is
# `nan`. One guard replaces an infinite maximum by 0 before subtracting
# (`m = torch.where(torch.isinf(m), torch.zeros_like(m), m)`), so the row's result is
# $\log 0 = -\infty$, the mathematically correct answer.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 7 · Learn the noise level too</p>
#
# In the Gaussian likelihood, treat $\sigma$ as a parameter as well. For line B of the
# ice-cream data, find the $\sigma$ that minimises the negative log-likelihood, first with
# calculus and then by gradient descent on $\log\sigma$ (which keeps $\sigma$ positive)
# with `gaussian_log_prob`. Compare the result with the $\sigma = 10$ used to generate
# the data.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# As a function of $\sigma$, $J = \text{MSE}/(2\sigma^2) + \log\sigma + \text{const}$ has
# derivative $-\text{MSE}/\sigma^3 + 1/\sigma$, which vanishes at $\sigma^2 = \text{MSE}$:
# the most likely noise level is the root mean squared error of the line.
#
# ```python
# y_hat = 15.0 + 9.0 * sunshine  # line B
# log_sigma = torch.zeros((), requires_grad=True)
# opt = torch.optim.Adam([log_sigma], lr=0.05)
# for _ in range(500):
#     nll = -gaussian_log_prob(cones, y_hat, sigma=log_sigma.exp()).mean()
#     opt.zero_grad()
#     nll.backward()
#     opt.step()
# print(log_sigma.exp().item(), mse(y_hat, cones).sqrt().item())
# print(((cones - 20 - 8 * sunshine) ** 2).mean().sqrt().item())  # the noise actually drawn
# ```
#
# Both give $\sigma \approx 8.9$, the root mean square of line B's residuals. It falls
# short of the true 10 because the 30 noise values drawn for these days happen to be
# small: the last line prints their root mean square, about 8.7.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 8 · Laplace noise gives absolute error</p>
#
# The Laplace distribution with centre $\hat{y}$ and scale $b$ has density
# $p(y) = \frac{1}{2b} e^{-|y - \hat{y}|/b}$. Write its negative log-likelihood, show
# that it is the mean absolute error over $b$ plus a constant, and check the identity with
# `torch.distributions.Laplace` for line B and $b = 5$. Which constant prediction does
# maximum likelihood choose under Laplace noise? (Compare exercise 5.)
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# $-\log p(y_i) = |y_i - \hat{y}_i|/b + \log 2b$, so the mean is $\text{MAE}/b + \log 2b$.
#
# ```python
# from torch.distributions import Laplace
#
# b = 5.0
# y_hat = 15.0 + 9.0 * sunshine
# nll = -Laplace(y_hat, b).log_prob(cones).mean()
# mae = (cones - y_hat).abs().mean()
# torch.testing.assert_close(nll, mae / b + math.log(2 * b))
# ```
#
# With $b$ fixed, maximum likelihood minimises the mean absolute error, whose best constant
# is a median (exercise 5): assuming Gaussian noise leads to the mean, assuming Laplace
# noise, with its heavier tails, to the median.
#
# </details>
#
# ## References
#
# - R. A. Fisher, "On the mathematical foundations of theoretical statistics",
#   *Philosophical Transactions of the Royal Society A* 222 (1922): maximum likelihood.
#   [doi:10.1098/rsta.1922.0009](https://doi.org/10.1098/rsta.1922.0009)
# - C. E. Shannon, "A mathematical theory of communication", *Bell System Technical
#   Journal* 27 (1948): entropy, and the information theory that cross-entropy is named
#   from. [doi:10.1002/j.1538-7305.1948.tb01338.x](https://doi.org/10.1002/j.1538-7305.1948.tb01338.x)
# - D. R. Cox, "The regression analysis of binary sequences", *Journal of the Royal
#   Statistical Society B* 20 (1958): logistic regression, a sigmoid neuron fitted by
#   maximum likelihood. [doi:10.1111/j.2517-6161.1958.tb00292.x](https://doi.org/10.1111/j.2517-6161.1958.tb00292.x)
# - J. S. Bridle, "Probabilistic interpretation of feedforward classification network
#   outputs, with relationships to statistical pattern recognition", in *Neurocomputing*,
#   NATO ASI Series F 68 (1990): the softmax output read as class probabilities.
#   [doi:10.1007/978-3-642-76153-9_28](https://doi.org/10.1007/978-3-642-76153-9_28)
# - I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press (2016),
#   sections 5.5 (maximum likelihood) and 6.2 (cost functions and output units).
#   [deeplearningbook.org](https://www.deeplearningbook.org/contents/mlp.html)
# - K. P. Murphy, *Probabilistic Machine Learning: An Introduction*, MIT Press (2022): the
#   Gaussian, Bernoulli and categorical distributions and their likelihoods.
#   [probml.github.io](https://probml.github.io/pml-book/book1.html)
