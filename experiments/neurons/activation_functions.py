"""Trained figures of docs/neurons/activation-functions: one network, five activations; dying ReLUs.

``activations-spirals`` trains the same small MLP, from the same initial weights, on the
two-spirals data once per hidden activation (linear, sigmoid, tanh, ReLU, leaky ReLU)
and draws the loss curves, the accuracy curves and each network's decision regions.
``dead-relus`` trains a ReLU network with plain gradient descent at a sensible and at
two too-large learning rates and tracks the share of hidden units that have died
(output zero on every training input), layer by layer, alongside the loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from dlbook.datasets import spirals
from dlbook.losses import binary_cross_entropy_with_logits
from dlbook.metrics import binary_accuracy
from dlbook.mlp import MLP, dead_fraction
from dlbook.regions import decision_regions
from dlbook_build.figures.registry import Context, FigureResult, register


def _train_step(model: MLP, opt: torch.optim.Optimizer, X: Tensor, y: Tensor) -> float:
    """One full-batch step on the binary cross-entropy; returns the loss before the step."""
    loss = binary_cross_entropy_with_logits(model(X).squeeze(1), y)  # (B, 1) -> (B,)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


# --- The same network with five activations --------------------------------------


@dataclass(frozen=True)
class CompareConfig:
    n: int = 400  # training points, half per spiral arm
    noise: float = 0.05  # jitter added to the spirals
    hidden: int = 32  # units in each of the two hidden layers
    lr: float = 0.2  # learning rate of SGD
    momentum: float = 0.9  # SGD's momentum (explained in the optimization chapters)
    num_steps: int = 3000  # full-batch steps for every activation
    activations: tuple[str, ...] = ("linear", "sigmoid", "tanh", "relu", "leaky_relu")


ACT_COLORS = {"linear": "0.45", "sigmoid": "tab:purple", "tanh": "tab:green", "relu": "tab:red",
              "leaky_relu": "tab:orange"}
ACT_STYLES = {"leaky_relu": "--"}  # dashed, so it shows where it runs on top of relu


@register(
    "activations-spirals",
    smoke=CompareConfig(n=120, num_steps=60),
    full=CompareConfig(),
    caption="The same 2-32-32-1 network trained on two spirals with five hidden activations: "
            "linear never gets past a straight line, sigmoid sits on a plateau for a long "
            "time, tanh and the two ReLUs learn fast.",
)
def activations_spirals(cfg: CompareConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    X, y_long = spirals(cfg.n, noise=cfg.noise, seed=ctx.seed)
    X, y = X.to(ctx.device), y_long.float().to(ctx.device)  # (n, 2), (n,)
    sizes = [2, cfg.hidden, cfg.hidden, 1]

    models: dict[str, MLP] = {}
    losses: dict[str, list[float]] = {}
    accs: dict[str, list[float]] = {}
    for act in cfg.activations:
        # the same generator seed for every activation: identical initial weights
        g = torch.Generator().manual_seed(ctx.seed)
        model = MLP(sizes, activation=act, generator=g).to(ctx.device)
        opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
        losses[act], accs[act] = [], []
        for _ in ctx.track(range(cfg.num_steps), act):
            losses[act].append(_train_step(model, opt, X, y))
            accs[act].append(binary_accuracy(model(X), y).item())
        models[act] = model

    fig = plt.figure(figsize=(10, 6.6), layout="constrained")
    top, bottom = fig.subfigures(2, 1, squeeze=False, height_ratios=[1.25, 1])[:, 0]
    ax_loss, ax_acc = top.subplots(1, 2)
    steps = range(1, cfg.num_steps + 1)
    for act in cfg.activations:
        style = {"color": ACT_COLORS.get(act), "ls": ACT_STYLES.get(act, "-"), "lw": 1.6, "label": act}
        ax_loss.plot(steps, losses[act], **style)
        ax_acc.plot(steps, accs[act], **style)
    ax_loss.set_yscale("log")
    ax_loss.set(xlabel="step", ylabel="training loss (binary cross-entropy)", title="Loss")
    ax_acc.set(xlabel="step", ylabel="training accuracy", title="Accuracy", ylim=(0.4, 1.02))
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
    ax_acc.legend(loc="lower right", fontsize=8)

    axes = bottom.subplots(1, len(cfg.activations))
    for ax, act in zip(axes, cfg.activations, strict=True):
        decision_regions(ax, models[act], X, y_long, pad=0.15, square=True, boundary_color="0.25",
                         boundary_width=0.8, point_size=5, point_edge=0, labels=None)
        ax.set(xticks=[], yticks=[], aspect="equal")
        ax.set_title(f"{act}: {accs[act][-1]:.0%}", fontsize=10)
    bottom.suptitle("Decision regions after training (training accuracy)", fontsize=11)

    metrics = {f"accuracy_{act}": accs[act][-1] for act in cfg.activations}
    metrics |= {f"loss_{act}": losses[act][-1] for act in cfg.activations}
    state = {f"{act}.{k}": v for act, m in models.items() for k, v in m.state_dict().items()}
    return FigureResult(fig, metrics=metrics, state_dict=state)


# --- Dying ReLUs at a too-large learning rate -----------------------------------------


@dataclass(frozen=True)
class DeadConfig:
    n: int = 400  # training points of the two spirals
    noise: float = 0.05  # jitter added to the spirals
    hidden: int = 64  # units in each of the two hidden layers (128 hidden units in all)
    lrs: tuple[float, ...] = (0.5, 3.0, 5.0)  # plain gradient descent, one run per learning rate
    num_steps: int = 2000  # full-batch steps per run


LR_COLORS = ("tab:green", "tab:orange", "tab:red")


@register(
    "dead-relus",
    smoke=DeadConfig(n=120, num_steps=40),
    full=DeadConfig(),
    caption="A 2-64-64-1 ReLU network trained by gradient descent at three learning rates: with "
            "a too-large step, many hidden units die within a few steps (for good in the first "
            "layer) and at the largest rate the network ends up predicting a constant.",
)
def dead_relus(cfg: DeadConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    X, y_long = spirals(cfg.n, noise=cfg.noise, seed=ctx.seed)
    X, y = X.to(ctx.device), y_long.float().to(ctx.device)  # (n, 2), (n,)

    dead: dict[float, list[list[float]]] = {}  # dead[lr][t][layer]: after t steps
    losses: dict[float, list[float]] = {}
    accs: dict[float, float] = {}
    for lr in cfg.lrs:
        g = torch.Generator().manual_seed(ctx.seed)  # the same initial weights for every lr
        model = MLP([2, cfg.hidden, cfg.hidden, 1], activation="relu", generator=g).to(ctx.device)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        dead[lr], losses[lr] = [dead_fraction(model, X)], []
        for _ in ctx.track(range(cfg.num_steps), f"lr={lr}"):
            losses[lr].append(_train_step(model, opt, X, y))
            dead[lr].append(dead_fraction(model, X))
        accs[lr] = binary_accuracy(model(X), y).item()

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.9), layout="constrained")
    all_steps = torch.arange(cfg.num_steps + 1)
    for lr, color in zip(cfg.lrs, LR_COLORS, strict=False):
        per_layer = torch.tensor(dead[lr])  # (num_steps + 1, 2): layer 1, layer 2
        for i in range(2):
            axes[i].plot(all_steps, per_layer[:, i], color=color, lw=1.8, label=f"lr = {lr}")
        axes[2].plot(all_steps[1:], losses[lr], color=color, lw=1.4,
                     label=f"lr = {lr}: accuracy {accs[lr]:.0%}")
    titles = ("Dead units, hidden layer 1", "Dead units, hidden layer 2", "Training loss")
    for ax, title in zip(axes, titles, strict=True):
        ax.set_xscale("symlog", linthresh=10)  # linear up to step 10: the first steps do the damage
        ax.set_xlim(0, cfg.num_steps)
        ax.set(xlabel="step", title=title)
        ax.grid(alpha=0.3)
    for ax in axes[:2]:
        ax.set(ylabel=f"share of its {cfg.hidden} units", ylim=(0, 1))
    axes[0].legend(loc="upper left", fontsize=8)
    axes[2].set(yscale="log", ylabel="binary cross-entropy")
    axes[2].legend(loc="lower left", fontsize=8)

    metrics = {"dead_at_init": sum(dead[cfg.lrs[0]][0]) / 2}
    metrics |= {f"dead_lr{lr:g}": sum(dead[lr][-1]) / 2 for lr in cfg.lrs}
    metrics |= {f"accuracy_lr{lr:g}": accs[lr] for lr in cfg.lrs}
    return FigureResult(fig, metrics=metrics)
