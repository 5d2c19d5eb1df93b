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
# # Overfitting and regularization
#
# Driving the training loss down is the part of deep learning that the previous chapters
# made routine: backpropagation delivers the gradients and an optimizer follows them.
# But a low training loss is not what we are after. A network is useful only if it does
# well on inputs it was never shown, and a network with enough weights can drive its
# training loss to almost nothing by memorizing the training set, noise and all, while
# getting worse on everything else. (Large networks can even fit training labels that were
# assigned at random, as Zhang et al. (2017) showed.) That failure is called
# **overfitting**, and most of the practical craft of training is about spotting it and
# holding it back.
#
# This chapter trains many small networks, on noisy two-moons points and on scikit-learn's
# 8x8 handwritten digits (a part of the optical digits collected by Alpaydin and Kaynak,
# 1998), and reads off what happens. Every curve comes from a trained
# sweep made by the book's figure pipeline, and the regularizers are the library's own
# from-scratch versions, checked against PyTorch. By the end you should be able to:
#
# - say what the training, validation and test sets are each for, and why the test set
#   is looked at only once;
# - compare two models on the same test set with a paired test, which looks at the
#   examples on which they disagree;
# - tell underfitting, a good fit and overfitting apart from learning curves;
# - stop training early at the epoch the validation loss prefers;
# - explain why more data and data augmentation shrink the gap between training and
#   validation loss;
# - write weight decay and (inverted) dropout from scratch and choose their strength with
#   the validation set.

# %%
import inspect
import math
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from dlbook import seed_everything
from dlbook.augment import random_shift_rotate
from dlbook.compare import mcnemar_exact, paired_bootstrap
from dlbook.figures import explore, show
from dlbook.figures import load_data
from dlbook.optim import SGD
from dlbook.regularization import DropoutMLP, dropout, l2_penalty
from dlbook.splits import digit_splits, train_val_test_split
from dlbook.train import Callback, Checkpoint, EarlyStopping, FitConfig, History, accuracy, fit

seed_everything(0)
torch.set_num_threads(1)  # networks this small train faster on one CPU thread

# %% [markdown]
# ## Three sets of data
#
# ### What each set is for
#
# The question we care about is how well a model does on new data from the same source.
# We cannot measure that on the examples the weights were fitted to: those are exactly
# the ones the model has been pushed to get right. So the available data is cut, once and
# at random, into three disjoint parts:
#
# - the **training set** is what the optimizer sees; the weights are fitted to it;
# - the **validation set** is used to make choices: how big the network is, how long to
#   train, how strong the regularization is. Each choice is the one with the best
#   validation score;
# - the **test set** is kept locked away until every choice has been made, and is then
#   used once, to report how well the final model does.
#
# The validation set needs a partner because choosing is itself a kind of fitting. Try
# twenty settings and keep the one that scores best on the validation set, and part of
# its advantage is luck: it happened to suit those particular validation examples. Its
# validation score is therefore a little optimistic. The test set has influenced nothing,
# so its score carries no such bias; and if we went back and changed the model after
# seeing it, it would lose that property.
#
# The library's `train_val_test_split` shuffles the rows once with a seed and cuts them.
# For the digits, the book keeps 1000 examples for training (most experiments use only
# the first few hundred of them, to make overfitting easy to see), 400 for validation and
# the rest for the test:

# %%
(X_pool, y_pool), (X_val, y_val), (X_test, y_test) = digit_splits(seed=0)
for name, labels in (("train", y_pool), ("validation", y_val), ("test", y_test)):
    counts = torch.bincount(labels, minlength=10).tolist()
    print(f"{name:>10}: {len(labels):4d} digits, per class {counts}")
print(f"pixel values from {X_pool.min().item():g} to {X_pool.max().item():g}, shape {tuple(X_pool.shape)}")

# %% [markdown]
# The classes come out close to balanced without any extra effort, because the digits
# themselves are balanced and the shuffle is uniform. (With rare classes one would split
# each class separately, a *stratified* split.) `digit_splits` is the call every digits
# experiment in this chapter uses, so they all share the same validation and test
# examples. Here is the function that does the cutting:

# %%
print(inspect.getsource(train_val_test_split))

# %% [markdown]
# ## Underfitting, a good fit and overfitting
#
# ### One sweep of model capacity
#
# The **capacity** of a model is, loosely, how rich a set of functions it can represent.
# For a multilayer perceptron the simplest knob is its width. The figure below trains
# two-layer tanh networks of widths from 1 to 128 on the same 60 noisy two-moons points,
# each for the same number of full-batch Adam steps, and validates them on 500 fresh
# points from the same distribution. The top row shows the decision regions of three of
# them, the row below their learning curves: the loss on the training set (dashed) and on
# the validation set (solid), epoch by epoch.

# %%
show("overfitting-capacity")

# %% [markdown]
# The three regimes are easy to tell apart:
#
# - **Underfitting** (left). The narrowest network cannot bend its boundary enough to
#   follow the moons. Its training loss stays high, and its validation loss is about as
#   high: the model is too simple for the data, and more epochs would not help.
# - **A good fit** (middle). The boundary follows the two arcs and ignores the
#   individual points that the noise pushed across. The two losses stay close together.
# - **Overfitting** (right). The widest network carves out little islands and inlets
#   around single training points. Its training loss heads for zero, while its validation
#   loss, after an early low point, climbs steadily: every epoch spent memorizing the 60
#   points makes it worse on new ones.
#
# The difference between the validation and the training loss is the **generalization
# gap**. The numbers behind the figure are stored with it (its `data.json`), so we can
# list the gap for every width:

# %%
capacity = load_data("overfitting-capacity")
print(f"{'width':>5}  {'train loss':>10}  {'val loss':>8}  {'gap':>6}  {'train acc':>9}  {'val acc':>7}")
for k, width in enumerate(capacity["widths"]):
    train_loss, val_loss = capacity["train_loss"][k][-1], capacity["val_loss"][k][-1]
    print(f"{width:5d}  {train_loss:10.4f}  {val_loss:8.3f}  {val_loss - train_loss:6.3f}  "
          f"{capacity['train_acc'][k]:9.1%}  {capacity['val_acc'][k]:7.1%}")
print("chosen for the figure:", capacity["chosen"])

# %% [markdown]
# Read down the columns. The training loss falls with every step up in width, all the
# way. The validation loss is high for the two narrowest networks, reaches its lowest at
# widths 3 and 4, and from there climbs steadily, so the gap widens with the width. The
# best width for *this* amount of data and *this* training budget sits in between, and the
# only way to find it is to measure on data the network did not train on. Note also that
# the accuracies tell a blunter story than the losses: the cross-entropy punishes a wrong
# answer given with high confidence, and overconfidence is exactly what memorization
# produces.
#
# ## Reading the learning curves
#
# ### The signature of overfitting
#
# A common shortcut says a model overfits whenever its training loss is below its
# validation loss. That cannot be the test, because it is true of almost every model,
# including the well-fitted one above: the weights were chosen to do well on the training
# examples, so some gap is expected. What signals overfitting is the *shape* of the
# curves over time:
#
# | what the curves do | diagnosis | what to try |
# | --- | --- | --- |
# | both high, close together, flat | underfitting | bigger model, longer training, higher lr |
# | both fall and level off, small steady gap | good fit | little (more data, then a bigger model) |
# | training falls on, validation turns up | overfitting | stop early, more data, augment, regularize |
#
# The point where the validation loss bottoms out is worth locating. For the widest
# network of the sweep:

# %%
k = capacity["widths"].index(capacity["chosen"]["overfit"])
train_curve, val_curve = capacity["train_loss"][k], capacity["val_loss"][k]
best = min(range(len(val_curve)), key=val_curve.__getitem__)
print(f"width {capacity['widths'][k]}: lowest validation loss {val_curve[best]:.3f} at epoch {best + 1}")
print(f"  at that epoch the training loss was {train_curve[best]:.4f}")
print(f"  after epoch {len(val_curve)}: training loss {train_curve[-1]:.4f}, "
      f"validation loss {val_curve[-1]:.3f}")

# %% [markdown]
# After that epoch the training loss keeps shrinking, and every bit of that progress is
# bought with a worse validation loss.
#
# ### Loss and accuracy do not always agree
#
# On the digits, overfitting shows up first in the loss. Let us train a 64-256-256-10
# ReLU network on 200 training digits with SGD and momentum, with no regularization at
# all, and record the validation accuracy along with the loss:

# %% alt="Two panels over 150 epochs of training without regularization, with a dotted line at the epoch of the lowest validation loss. On a log scale the training loss keeps falling while the validation loss soon flattens and creeps up; training accuracy climbs to the top while validation accuracy levels off below it."
X_train, y_train = X_pool[:200], y_pool[:200]


def digits_model(p: float = 0.0) -> DropoutMLP:
    """The chapter's digits network: 64 pixels -> 256 -> 256 -> 10 scores, dropout p between layers."""
    return DropoutMLP([64, 256, 256, 10], p=p, generator=torch.Generator().manual_seed(0))


def train_digits(model: torch.nn.Module, num_epochs: int, *, weight_decay: float = 0.0,
                 callbacks: tuple[Callback, ...] = ()) -> History:
    """Train on the 200 digits with SGD (momentum 0.9), validating on the validation set."""
    optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=weight_decay)
    return fit(model, (X_train, y_train), loss_fn=F.cross_entropy, optimizer=optimizer,
               config=FitConfig(num_epochs=num_epochs, batch_size=32, seed=0, device="cpu"),
               val_data=(X_val, y_val), metrics={"acc": accuracy}, callbacks=callbacks)


history = train_digits(digits_model(), num_epochs=150)
best = min(range(len(history.val_loss)), key=history.val_loss.__getitem__)
epochs = range(1, history.epochs_run + 1)
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 3.8))
ax_loss.plot(epochs, history.train_loss, "--", label="training")
ax_loss.plot(epochs, history.val_loss, label="validation")
ax_loss.axvline(best + 1, color="grey", lw=1, ls=":")
ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title="Loss")
ax_acc.plot(epochs, history.metrics["acc"], "--", label="training")
ax_acc.plot(epochs, history.metrics["val_acc"], label="validation")
ax_acc.axvline(best + 1, color="grey", lw=1, ls=":")
ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy", ylim=(0.5, 1.01))
for ax in (ax_loss, ax_acc):
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False)
fig.tight_layout()
plt.show()
first_perfect = history.metrics["acc"].index(1.0)  # the first epoch with every training digit right
print(f"training accuracy first 100% after epoch {first_perfect + 1}: training loss "
      f"{history.train_loss[first_perfect]:.4f}, after epoch {history.epochs_run}: {history.train_loss[-1]:.4f}")
print(f"lowest validation loss {history.val_loss[best]:.3f} at epoch {best + 1} "
      f"(validation accuracy {history.metrics['val_acc'][best]:.1%})")
print(f"after epoch {history.epochs_run}: validation loss {history.val_loss[-1]:.3f}, "
      f"validation accuracy {history.metrics['val_acc'][-1]:.1%}, "
      f"training accuracy {history.metrics['acc'][-1]:.1%}")

# %% [markdown]
# The training accuracy reaches 100% after 18 epochs, and the training loss keeps falling
# after that, by almost two orders of magnitude by epoch 150. The validation loss turns
# upward (dotted line: its minimum) while the validation accuracy hardly moves: the
# network keeps most of its answers but grows ever more sure of them, including of its
# wrong ones. Which curve to watch depends on what is wanted. If the model's probabilities
# are used (to rank, to abstain when unsure, to combine with other models), the loss is
# what matters; if only the top answer counts, accuracy may be the better guide. The
# experiments below track the loss.
#
# ## Early stopping
#
# ### Stop where the validation loss is lowest
#
# The most direct cure for a validation loss that rises with training is to stop
# training when it rises. **Early stopping** checks the validation loss after every epoch
# and ends training once it has failed to improve for `patience` epochs in a row; the
# weights worth keeping are those of the best epoch, not of the last one, so a
# `Checkpoint` callback saves them whenever the validation loss reaches a new low.
# (Prechelt (1998) compares several such stopping rules.) Both callbacks come with
# `dlbook.train.fit`:

# %%
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "best.pt"
    model = digits_model()
    stopper = EarlyStopping(monitor="val_loss", patience=10)
    saver = Checkpoint(path, monitor="val_loss")
    stopped = train_digits(model, num_epochs=150, callbacks=(stopper, saver))
    model.load_state_dict(torch.load(path, weights_only=True))  # back to the best epoch

model.eval()
with torch.no_grad():
    val_loss_kept = F.cross_entropy(model(X_val), y_val).item()
print(f"stopped early: {stopped.stopped_early}, after {stopped.epochs_run} of 150 epochs")
print(f"best epoch {saver.best_epoch}: validation loss {saver.best:.3f} (reloaded: {val_loss_kept:.3f})")
print(f"epochs of training saved: {150 - stopped.epochs_run}")

# %% [markdown]
# Training stopped `patience` epochs after the best one, and reloading the checkpoint
# gives back exactly the validation loss recorded there. Early stopping treats the number
# of epochs as one more setting chosen on the validation set, chosen as training goes,
# for free. Two cautions. A validation curve is noisy, so a patience of one or two epochs
# stops at the first wobble; a few more epochs of patience cost little. And because the
# stopping point was picked on the validation set, its validation loss is slightly
# optimistic, one more reason to keep a separate test set.
#
# ## More data
#
# ### The same network, more examples
#
# Memorizing is easy when there is little to memorize. With more examples, a network
# of fixed size can no longer store each one separately and has to capture what they
# share. The next sweep trains the digits network on the first 50, 100, ..., 1000
# digits of the training pool, with the validation set unchanged:

# %%
show("overfitting-data-size")

# %%
sizes = load_data("overfitting-data-size")
print(f"{'n':>5}  {'train loss':>10}  {'val loss':>8}  {'lowest val':>10}  {'val acc':>7}")
for k, n in enumerate(sizes["sizes"]):
    train_loss, val_loss = sizes["train_loss"][k], sizes["val_loss"][k]
    print(f"{n:5d}  {train_loss[-1]:10.4f}  {val_loss[-1]:8.3f}  {min(val_loss):10.3f}  "
          f"{sizes['val_acc'][k]:7.1%}")

# %% [markdown]
# Each step up in data lowers the validation loss and raises the validation accuracy,
# with diminishing returns per example added. (For the small sets the network also sees
# fewer mini-batches per epoch; every run here gets the same number of epochs.) More
# data is the most reliable regularizer there is. It is also often the most expensive
# one, which is why the rest of this chapter is about getting some of its benefit
# without collecting anything new.
#
# ## Data augmentation
#
# ### New examples from old ones
#
# Many changes to an input leave its label alone. A digit moved by a pixel, or tilted by a
# few degrees, is still the same digit. **Data augmentation** applies such changes at
# random every time an example is used, so that the network sees a slightly different
# version of each training image in every epoch and cannot simply memorize the pixels.
# Distorted copies of this kind have long been used to train digit recognizers (Simard,
# Steinkraus and Platt 2003). `dlbook.augment.random_shift_rotate` turns each 8x8 image by
# an angle drawn uniformly within a limit and shifts it by a whole number of pixels:

# %% alt="Grid of 8 by 8 digit images in four rows (a 6, two 5s and a 7): the original in the first column, then five randomly shifted and rotated copies. Each copy is moved by up to a pixel and tilted slightly, yet still clearly shows the same digit."
g = torch.Generator().manual_seed(0)
images = X_train[:4].view(4, 8, 8)  # (4, 8, 8)
copies = [random_shift_rotate(images, max_shift=1, max_degrees=15.0, generator=g) for _ in range(5)]
fig, axes = plt.subplots(4, 6, figsize=(6, 4.2))
for row in range(4):
    for col, picture in enumerate([images, *copies]):
        axes[row, col].imshow(picture[row], cmap="Greys", vmin=0, vmax=1)
        axes[row, col].set(xticks=[], yticks=[])
    axes[row, 0].set_ylabel(f"label {y_train[row].item()}")
axes[0, 0].set_title("original", fontsize=9)
fig.tight_layout()
plt.show()

# %% [markdown]
# In the training runs below, the augmentation is a first layer of the model,
# `RandomShiftRotate`, which, like dropout, acts only in training mode; during evaluation
# it passes the real images through untouched. The sweep compares no augmentation, shifts
# only, rotations only and both, on the same 200 training digits. Besides the usual
# validation set, each trained network is also scored on a copy of the validation digits
# in which every image has been shifted and rotated once, at random:

# %%
show("overfitting-augmentation")

# %%
augmentation = load_data("overfitting-augmentation")
print(f"{'augmentation':>16}  {'train loss':>10}  {'lowest val loss':>15}  "
      f"{'val acc':>7}  {'moved val acc':>13}")
for k, setting in enumerate(augmentation["settings"]):
    train_loss, val_loss = augmentation["train_loss"][k], augmentation["val_loss"][k]
    print(f"{setting:>16}  {train_loss[-1]:10.4f}  {min(val_loss):15.3f}  "
          f"{augmentation['val_acc'][k]:7.1%}  {augmentation['moved_val_acc'][k]:13.1%}")

# %% [markdown]
# Two things stand out. With augmentation the training loss stays above that of the
# plain network, by more than an order of magnitude once shifts are involved: it can no
# longer memorize images it never sees twice in the same form.
# But on the validation digits as they are, augmentation does not pay here; compare the
# validation columns with the first row. We have not tested why, but the data suggests a
# likely reason. Scikit-learn's digits were normalised when the set was made, so the
# validation digits may rarely sit a whole pixel off from where the training digits
# sit; and on an 8x8 grid one pixel is an eighth of the image, while an MLP treats every
# pixel position as a separate input and has no notion that a shifted stroke is the same
# stroke. If so, the shifted training images teach it about variation the validation set
# does not contain, and cost it some of the capacity it needs for the variation that is
# there. (A check you can run: measure how far the validation digits' centres of mass lie
# from the training digits' mean.)
#
# The last column turns the picture around. On digits that *have* been moved, the plain
# network falls apart, losing more than half of its accuracy, while the networks trained
# with shifts lose only a few points. That is what augmentation buys: invariance to the
# transformations it applies. It pays when the data the model will meet varies in those
# ways (photographs taken from slightly different angles, handwriting not centred in its
# box), and it hurts when it invents variation the data never has, or transformations
# that change the label: rotate a 6 by half a turn and it becomes a 9. Like every other
# regularizer, an augmentation is a choice to check on the validation set.
#
# ## Weight decay
#
# ### A penalty on large weights
#
# The remaining two regularizers change the training rather than the data. **Weight
# decay** adds to the loss a penalty that grows with the size of the weights,
#
# $$L_\lambda(\mathbf{w}) = L(\mathbf{w}) + \frac{\lambda}{2}\,\lVert \mathbf{w} \rVert^2 ,$$
#
# where $\lambda \ge 0$ sets its strength. Its gradient adds $\lambda \mathbf{w}$ to
# $\nabla L$, so a plain gradient step becomes
#
# $$\mathbf{w} \leftarrow \mathbf{w} - \eta\left(\nabla L + \lambda \mathbf{w}\right)
# = (1 - \eta\lambda)\,\mathbf{w} - \eta \nabla L :$$
#
# every step first shrinks every weight by the factor $1 - \eta\lambda$, hence the name
# (Krogh and Hertz (1992) analysed why this helps a network generalize).
# Weights only stay large where the data keeps pushing them there. A network with small
# weights computes a smoother function, which cannot bend around single points as
# sharply. Here are the library's penalty and, for optimizers that do not just follow the
# gradient, the shrink applied directly:

# %%
print(inspect.getsource(l2_penalty))

# %% [markdown]
# For plain SGD the two forms are the same update; `torch.optim.SGD(weight_decay=λ)`
# applies it for us. We can check on a few steps that minimizing the penalized loss gives
# exactly the weights of PyTorch's built-in decay:

# %%
torch.manual_seed(0)
ours, theirs = torch.nn.Linear(64, 10), torch.nn.Linear(64, 10)
theirs.load_state_dict(ours.state_dict())
opt_ours = torch.optim.SGD(ours.parameters(), lr=0.1)
opt_theirs = torch.optim.SGD(theirs.parameters(), lr=0.1, weight_decay=0.01)
for _ in range(5):
    opt_ours.zero_grad()
    (F.cross_entropy(ours(X_train), y_train) + l2_penalty(ours.parameters(), 0.01)).backward()
    opt_ours.step()
    opt_theirs.zero_grad()
    F.cross_entropy(theirs(X_train), y_train).backward()
    opt_theirs.step()
print("largest difference after 5 steps:",
      max((a - b).abs().max().item() for a, b in zip(ours.parameters(), theirs.parameters(), strict=True)))

# %% [markdown]
# With adaptive optimizers such as Adam the two forms part ways: a penalty's gradient
# gets divided by Adam's running scale like every other gradient, so weights with large
# gradients are barely decayed. AdamW (Loshchilov and Hutter 2019) applies the shrink
# $(1-\eta\lambda)\mathbf{w}$ directly instead, *decoupled* from the gradient, and is
# usually the better choice (the library's `decay_weights_` does that step by hand;
# tests/library/test_regularization.py checks it against `torch.optim.AdamW`). Our sweeps
# use SGD with momentum, where the textbook form applies.
#
# ### The weight-decay sweep
#
# The chapter's last sweep is a grid: the 200-digit network trained with every pairing of
# five weight decays and five dropout rates. Its first column, without dropout, is a
# sweep of weight decay alone:

# %% alt="Log-scale plot of training (dashed) and validation (solid) cross-entropy loss over 150 epochs for weight decays from 0 to 0.03. Larger decays hold the training loss higher; validation loss stays low and similar for small decays but sits highest at 0.03."
grid = load_data("regularization-grid")
decays, drops = grid["params"][0]["values"], grid["params"][1]["values"]


def run(lam: float, p: float) -> dict:
    """The grid's run for weight decay lam and dropout p (dropout varies fastest)."""
    return grid["runs"][decays.index(lam) * len(drops) + drops.index(p)]


def plot_sweep(runs: dict[str, dict], cmap: str, title: str) -> None:
    """Validation (solid) and training (dashed) loss of each labelled run, then its final numbers."""
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    colors = plt.get_cmap(cmap)(torch.linspace(0, 0.9, len(runs)).tolist())
    for (label, r), color in zip(runs.items(), colors, strict=True):
        ax.plot(range(1, len(r["val"]) + 1), r["val"], color=color, label=label)
        ax.plot(range(1, len(r["train"]) + 1), r["train"], color=color, ls="--", lw=1)
    ax.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title=title)
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    plt.show()
    for label, r in runs.items():
        print(f"{label:<12} training loss {r['train'][-1]:.4f}   lowest validation loss {min(r['val']):.3f}"
              f"   last {r['val'][-1]:.3f}   validation accuracy {r['val_acc']:.1%}")


plot_sweep({f"λ = {lam:g}": run(lam, 0.0) for lam in decays}, "viridis",
           "Weight decay, no dropout (dashed: training)")

# %% [markdown]
# Weight decay holds the training loss up: the network is no longer allowed to shrink it
# to nothing by growing its weights. A moderate $\lambda$ lowers the validation loss a
# little and slows its climb in the late epochs. Too much, and the penalty outweighs the
# data: the network cannot fit even the training set, and both losses stay high. That is
# underfitting again, now caused by the regularizer. Like width and training time,
# $\lambda$ is chosen on the validation set.
#
# ## Dropout
#
# ### Training with random units switched off
#
# **Dropout** (Hinton et al. 2012; Srivastava et al. 2014) makes the network itself
# noisy while it trains. At every training step each
# hidden unit is switched off (its output set to zero) with probability $p$,
# independently, so each step trains a different random sub-network. No unit can rely on
# a particular partner being present, which discourages the fragile, finely tuned
# combinations that memorization builds. At evaluation time all units are on.
#
# Switching units off makes the next layer's input smaller on average, by a factor of
# $1 - p$. Rather than correcting for that at evaluation time, the **inverted** form used
# by PyTorch scales the surviving units up by $1/(1-p)$ during training, so that each
# unit's expected value is unchanged and evaluation needs no change at all:

# %%
print(inspect.getsource(dropout))

# %%
x = torch.ones(12)
torch.manual_seed(1)
print("dropout(x, 0.5)  :", dropout(x, 0.5).tolist())
torch.manual_seed(1)
print("F.dropout(x, 0.5):", F.dropout(x, 0.5).tolist())
torch.manual_seed(2)
print("mean over a million units:", dropout(torch.ones(1_000_000), 0.5).mean().item())

# %% [markdown]
# After the same seed both draw the same mask, and the mean stays near one. In a model,
# `Dropout` follows `model.train()` and `model.eval()`; `fit` switches the model to
# evaluation mode for the validation pass, so the validation loss is that of the whole
# network. The *training* loss that `fit` logs, however, is measured on the noisy,
# thinned networks, so with dropout it overstates the real training loss. The dropout
# sweep, the grid's first row, without weight decay:

# %% alt="Log-scale plot of training (dashed, dropout on) and validation (solid) loss over 150 epochs for dropout rates from 0 to 0.8. Higher rates keep the noisy training loss higher; validation loss stays low for rates up to 0.6, while at 0.8 both losses stay high."
plot_sweep({f"p = {p:g}": run(0.0, p) for p in drops}, "plasma",
           "Dropout, no weight decay (dashed: training, with dropout on)")

# %% [markdown]
# The pattern matches weight decay's: a moderate rate improves the validation loss over
# no dropout at all, and a large one leaves too few units working at each step for the
# network to learn well, so both losses stay high.
#
# ## Exploring the grid
#
# Weight decay and dropout can be combined, and the best amount of one depends on the
# other. Move the sliders to pick a pair from the grid; the chart shows that run's
# training (dashed) and validation (solid) loss, on the same axes for every pair so that
# runs can be compared. (Without JavaScript the page shows every run of the grid at once.)

# %%
explore("regularization-grid")

# %% [markdown]
# The whole grid at a glance, as the lowest validation loss each run reached:

# %% alt="Heat map of the lowest validation loss for each pairing of weight decay (rows, 0 to 0.03) and dropout rate (columns, 0 to 0.8), with the value printed in each cell. The smallest losses sit at small decay and moderate dropout; losses rise with heavy weight decay, and dropout 0.8 is worst in every row."
lowest = torch.tensor([[min(run(lam, p)["val"]) for p in drops] for lam in decays])  # (λ, p)
fig, ax = plt.subplots(figsize=(6, 4.4))
image = ax.imshow(lowest.log10(), cmap="viridis_r")
for i in range(len(decays)):
    for j in range(len(drops)):
        ax.text(j, i, f"{lowest[i, j].item():.3f}", ha="center", va="center", fontsize=8,
                color="white" if lowest[i, j] > lowest.median() else "black")
ax.set_xticks(range(len(drops)), [f"{p:g}" for p in drops])
ax.set_yticks(range(len(decays)), [f"{lam:g}" for lam in decays])
ax.set(xlabel="dropout p", ylabel="weight decay λ", title="Lowest validation loss")
fig.colorbar(image, ax=ax, label="log₁₀ of the loss")
plt.show()
i, j = divmod(int(lowest.argmin()), len(drops))
best_lam, best_p = decays[i], drops[j]
print(f"best pair: λ = {best_lam:g}, p = {best_p:g}, lowest validation loss {lowest[i, j].item():.3f}; "
      f"with neither: {lowest[0, 0].item():.3f}")

# %% [markdown]
# ## The test set, once
#
# Every decision is now made on the validation set: the network, the pair $(\lambda, p)$
# and, from that run's validation curve, the number of epochs. Only now do we evaluate on
# the test set. For comparison, the unregularized network is also trained for the epochs
# its own validation curve preferred. Besides the averages we keep, for every test digit,
# whether each network got it right and what loss it paid on it:

# %%
results, correct, losses = {}, {}, {}
for label, lam, p in (("no regularization", 0.0, 0.0), ("chosen on validation", best_lam, best_p)):
    val_curve = run(lam, p)["val"]
    num_epochs = min(range(len(val_curve)), key=val_curve.__getitem__) + 1
    model = digits_model(p)
    train_digits(model, num_epochs=num_epochs, weight_decay=lam)
    model.eval()
    with torch.no_grad():
        y_hat = model(X_test)  # (n, 10)
    correct[label] = (y_hat.argmax(dim=1) == y_test).long()  # (n,): 1 where the digit is right
    losses[label] = F.cross_entropy(y_hat, y_test, reduction="none")  # (n,): loss per digit
    results[label] = (num_epochs, losses[label].mean().item(), accuracy(y_hat, y_test).item())
    print(f"{label:>20} (λ = {lam:g}, p = {p:g}, {num_epochs:3d} epochs): "
          f"test loss {results[label][1]:.3f}, test accuracy {results[label][2]:.1%}")
a = results["chosen on validation"][2]
se = math.sqrt(a * (1 - a) / len(y_test))  # standard error of an accuracy a on n examples
print(f"standard error of a test accuracy near {a:.1%} on {len(y_test)} digits: ±{se:.1%}")

# %% [markdown]
# The first number to report is the chosen network's test accuracy. Measured on a few
# hundred digits, it is an estimate with sampling noise of its own; its standard error,
# $\sqrt{a(1-a)/n}$ for accuracy $a$ on $n$ examples, printed under it, is about how far
# it would typically move on another sample of digits from the same source.
#
# The second question is whether the regularizers helped, and here that standard error
# is the wrong yardstick. Both networks were tested on the *same* digits, and on most of
# them they agree: both right, or both wrong. Those digits carry no information about
# which network is better. Only the digits where they disagree do, and **McNemar's
# test** (McNemar 1947; Dietterich 1998 recommends it for comparing two classifiers on
# one test set) looks at just those: if neither network were better, each disagreement would
# be equally likely to go either way, like a fair coin, and the test asks how unusual
# the observed split would be under that assumption. A **paired bootstrap** (the
# bootstrap is Efron's, 1979) gives the
# same kind of answer as an interval: it redraws the test set many times with
# replacement, keeps each digit's pair of results together, and records the difference
# each time; it works for the loss as well as for the accuracy. Both live in
# `dlbook.compare`:

# %%
chosen, plain = "chosen on validation", "no regularization"
test = mcnemar_exact(correct[chosen], correct[plain])
print(f"digits both get right: {int((correct[chosen] & correct[plain]).sum())} of {len(y_test)}")
print(f"digits only the chosen network gets right: {test.only_a}; "
      f"only the unregularized one: {test.only_b}")
print(f"McNemar's exact test: p = {test.p_value:.2f}")
for name, scores, fmt in (("accuracy", correct, "+.1%"), ("test loss", losses, "+.3f")):
    diff = paired_bootstrap(scores[chosen], scores[plain], num_resamples=10_000, seed=0)
    print(f"{name}, chosen minus unregularized: {diff.difference:{fmt}}; 95% paired bootstrap "
          f"interval [{diff.low:{fmt}}, {diff.high:{fmt}}], contains 0: {diff.low <= 0 <= diff.high}")

# %% [markdown]
# Read the output line by line. The two networks disagree on only a handful of digits,
# and those disagreements split almost evenly between them; a split this even is what
# two equally good networks would produce, which is what the large p-value says. The
# bootstrap intervals agree: both the accuracy difference and the loss difference could
# be zero or of either sign. The loss is worth a separate look, because it points the
# *other* way from the validation set: the regularized network, chosen for its lower
# validation loss, has a slightly *higher* test loss than the unregularized one. The
# paired interval shows that this reversal, too, is within what a different draw of test
# digits could produce.
#
# So what does the test set say? That the chosen network classifies new digits with the
# accuracy printed above, give or take its standard error. It does not confirm that
# weight decay and dropout improved on the plain network: on this test set the two
# cannot be told apart, in accuracy or in loss. The validation set preferred the
# regularized pair by a visible margin, but that margin was measured on 400 digits and
# won a contest among 25 pairs, so part of it may be luck, and checking such a claim is
# what a test set is for. (These results are also for one training run of each network;
# a different initialization or batch order would give slightly different networks, one
# more source of variation, which a careful comparison averages over by repeating the
# training with several seeds.) What we must not do is go back now and pick whichever
# network looks better on the test set: it would become a second validation set and
# lose its one job.
#
# ## Summary
#
# - The data is split once into a **training** set (fits the weights), a **validation**
#   set (makes choices) and a **test** set (reports the final result, once).
# - **Underfitting**: training and validation loss both high; the model is too weak or
#   undertrained. **Overfitting**: training loss keeps falling while validation loss
#   turns up; the model memorizes. Training loss below validation loss alone is normal.
# - Capacity trades one for the other, and the best size depends on how much data there
#   is; the validation set is how we find it.
# - **Early stopping** keeps the weights of the epoch with the lowest validation loss.
# - **More data** narrows the gap most reliably; **augmentation** creates new examples
#   from transformations that keep the label and makes the model invariant to them, which
#   pays only when the real data varies in those ways.
# - **Weight decay** adds $\frac{\lambda}{2}\lVert\mathbf{w}\rVert^2$ to the loss, which
#   shrinks the weights by $1-\eta\lambda$ per SGD step; with Adam, use the decoupled
#   form (AdamW).
# - **Dropout** zeroes hidden units with probability $p$ while training and scales the
#   rest by $1/(1-p)$; the network is used whole at evaluation.
# - Every regularizer has a strength, and too much of it brings back underfitting.
# - Two models scored on the same test examples are compared **paired**: McNemar's exact
#   test on the examples where they disagree, or a paired bootstrap interval for the
#   difference in accuracy or loss. Here the test set could not tell the regularized
#   network from the plain one, in either.
#
# ## Exercises

# %% [markdown]
# <div class="admonition question">
# <p class="admonition-title">Exercise 1 · Patience</p>
#
# Rerun the early-stopping cell with `patience` set to 1, 3, 10 and 30. For each, print
# the epoch training stopped at, the best epoch and its validation loss. What goes wrong
# with a very small patience, and what does a large one cost?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# for patience in (1, 3, 10, 30):
#     with tempfile.TemporaryDirectory() as folder:
#         saver = Checkpoint(Path(folder) / "best.pt")
#         h = train_digits(digits_model(), num_epochs=150,
#                          callbacks=(EarlyStopping(patience=patience), saver))
#     print(f"patience {patience:2d}: stopped after {h.epochs_run:3d} epochs, "
#           f"best epoch {saver.best_epoch:3d}, validation loss {saver.best:.3f}")
# ```
#
# With a patience of one, the first epoch whose validation loss is a hair worse than the
# one before ends training, often long before the real minimum: mini-batch noise makes the
# curve wobble. Larger patience survives the wobbles and finds a lower minimum; past that,
# it only costs the extra epochs run after the best one (the checkpoint still returns
# the best weights).
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 2 · Is the gap the whole story?</p>
#
# Using `load_data("overfitting-capacity")`, find for every width the epoch with the
# lowest validation loss and that loss. If every network were stopped early at its best
# epoch, would the widest network still be the worst one? What does that say about big
# networks and early stopping?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# capacity = load_data("overfitting-capacity")
# for width, val in zip(capacity["widths"], capacity["val_loss"]):
#     best = min(range(len(val)), key=val.__getitem__)
#     print(f"width {width:3d}: lowest validation loss {val[best]:.3f} at epoch {best + 1}")
# ```
#
# The wide networks reach their lowest validation loss early, and that lowest value is
# close to the best of the narrow ones: most of the damage in the figure is done by the
# epochs after it. Stopped early, a big network loses little against a well-sized one,
# and it spares us the search for the right size. That is one reason large networks with
# early stopping and other regularizers are the usual practice, rather than small
# networks trained to the end.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 3 · Dropout by hand</p>
#
# Without calling `dropout`, write the forward pass of a layer $\mathbf{h} =
# \text{ReLU}(X W^\top + \mathbf{b})$ followed by inverted dropout with $p = 0.3$, using
# `torch.rand` to draw the mask. Check that its output averages to the dropout-free output
# over many draws, and that in evaluation mode you return the plain output.
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# def layer(X, W, b, p=0.3, training=True):
#     h = torch.relu(X @ W.T + b)
#     if not training:
#         return h
#     keep = (torch.rand_like(h) >= p).float()  # each unit kept with probability 1 - p
#     return h * keep / (1 - p)
#
# torch.manual_seed(0)
# X, W, b = torch.randn(4, 5), torch.randn(3, 5), torch.randn(3)
# mean = torch.stack([layer(X, W, b) for _ in range(20_000)]).mean(0)
# print((mean - layer(X, W, b, training=False)).abs().max())  # small: sampling noise only
# ```
#
# The scale $1/(1-p)$ is what makes the average come out right; without it the average
# would be $(1-p)$ times too small and the evaluation-time network would see larger
# inputs than it was trained on.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 4 · Too much augmentation</p>
#
# Train the chapter's digits network on the 200 training digits with
# `nn.Sequential(RandomShiftRotate(max_shift=1, max_degrees=d), digits_model())` for
# $d$ = 15, 45 and 90 (import `RandomShiftRotate` from `dlbook.augment` and `nn` from
# `torch`), and compare the lowest validation loss. Which digits would you expect to
# suffer first as $d$ grows?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# from torch import nn
# from dlbook.augment import RandomShiftRotate
#
# for d in (15, 45, 90):
#     model = nn.Sequential(RandomShiftRotate(max_shift=1, max_degrees=d), digits_model())
#     h = train_digits(model, num_epochs=150)
#     print(f"±{d}°: lowest validation loss {min(h.val_loss):.3f}")
# ```
#
# Large rotations produce training images that no longer look like the validation
# digits (which are upright), and some look like other classes: a 6 and a 9 are half a
# turn apart, and a tilted 1 or 7 drifts toward the other. The validation loss gets worse
# as $d$ grows past what real handwriting varies by. Augmentation should imitate the
# variation of the real data, not exceed it.
#
# </details>
#
# <div class="admonition question">
# <p class="admonition-title">Exercise 5 · Decaying the biases</p>
#
# The sweeps decay every parameter, biases included. Write a training step that applies
# `l2_penalty` only to the weight matrices (parameters with two dimensions) of
# `digits_model()`. Why is decaying biases usually considered unnecessary?
#
# </div>
#
# <details class="success">
# <summary>Solution</summary>
#
# ```python
# model = digits_model()
# weights = [w for w in model.parameters() if w.ndim == 2]
# optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9)
# for X, y in zip(X_train.split(32), y_train.split(32)):
#     loss = F.cross_entropy(model(X), y) + l2_penalty(weights, 1e-3)
#     optimizer.zero_grad()
#     loss.backward()
#     optimizer.step()
# ```
#
# (The same split with `torch.optim.SGD` uses two parameter groups, one with
# `weight_decay` and one without.) A bias only shifts a unit's output; it does not
# multiply an input, so a large bias does not make the function more sensitive to
# small changes of the input, which is what weight decay is meant to prevent. There are
# also few biases compared with weights, so they add little capacity.
#
# </details>
#
# ## References
#
# - C. Zhang, S. Bengio, M. Hardt, B. Recht and O. Vinyals, "Understanding deep learning
#   requires rethinking generalization", ICLR 2017: networks memorize even random labels.
#   [arXiv:1611.03530](https://arxiv.org/abs/1611.03530)
# - E. Alpaydin and C. Kaynak, "Optical recognition of handwritten digits", UCI Machine
#   Learning Repository (1998): the digits data set.
#   [doi:10.24432/C50P49](https://doi.org/10.24432/C50P49)
# - L. Prechelt, "Early stopping — but when?", in *Neural Networks: Tricks of the Trade*,
#   Springer (1998): stopping rules. [doi:10.1007/3-540-49430-8_3](https://doi.org/10.1007/3-540-49430-8_3)
# - P. Y. Simard, D. Steinkraus and J. C. Platt, "Best practices for convolutional neural
#   networks applied to visual document analysis", ICDAR 2003: distorted training digits.
#   [doi:10.1109/ICDAR.2003.1227801](https://doi.org/10.1109/ICDAR.2003.1227801)
# - A. Krogh and J. A. Hertz, "A simple weight decay can improve generalization",
#   *Advances in Neural Information Processing Systems* 4 (NIPS 1991, published 1992):
#   weight decay. [proceedings.neurips.cc](https://proceedings.neurips.cc/paper/1991/hash/8eefcfdf5990e441f0fb6f3fad709e21-Abstract.html)
# - I. Loshchilov and F. Hutter, "Decoupled weight decay regularization", ICLR 2019: AdamW.
#   [arXiv:1711.05101](https://arxiv.org/abs/1711.05101)
# - G. E. Hinton, N. Srivastava, A. Krizhevsky, I. Sutskever and R. R. Salakhutdinov,
#   "Improving neural networks by preventing co-adaptation of feature detectors" (2012):
#   dropout. [arXiv:1207.0580](https://arxiv.org/abs/1207.0580)
# - N. Srivastava, G. Hinton, A. Krizhevsky, I. Sutskever and R. Salakhutdinov, "Dropout: a
#   simple way to prevent neural networks from overfitting", *Journal of Machine Learning
#   Research* 15 (2014): dropout. [jmlr.org/papers/v15/srivastava14a](https://jmlr.org/papers/v15/srivastava14a.html)
# - Q. McNemar, "Note on the sampling error of the difference between correlated
#   proportions or percentages", *Psychometrika* 12 (1947): McNemar's test.
#   [doi:10.1007/BF02295996](https://doi.org/10.1007/BF02295996)
# - T. G. Dietterich, "Approximate statistical tests for comparing supervised
#   classification learning algorithms", *Neural Computation* 10 (1998): McNemar's test
#   for two classifiers. [doi:10.1162/089976698300017197](https://doi.org/10.1162/089976698300017197)
# - B. Efron, "Bootstrap methods: another look at the jackknife", *Annals of Statistics* 7
#   (1979): the bootstrap. [doi:10.1214/aos/1176344552](https://doi.org/10.1214/aos/1176344552)
