"""Trained figures of docs/neurons/loss-functions: what the choice of loss does to training.

``pass-exam-bce-vs-mse`` trains the same logistic neuron on the "will I pass this
class?" data twice, from the same confidently wrong start, once with binary
cross-entropy and once with squared error on the probability. ``spirals-softmax``
trains a linear softmax classifier and an MLP with cross-entropy on three spirals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from dlbook.activations import sigmoid
from dlbook.datasets import PASS_BIAS, PASS_W_HOURS, PASS_W_LECTURES, pass_exam, spirals
from dlbook.losses import binary_cross_entropy_with_logits, cross_entropy, mse
from dlbook.metrics import accuracy, binary_accuracy
from dlbook.mlp import MLP, Dense
from dlbook.palette import class_color
from dlbook.regions import decision_regions
from dlbook_build.figures.registry import Context, FigureResult, register

if TYPE_CHECKING:
    from matplotlib.axes import Axes

LOSS_COLORS = {"bce": "#009E73", "mse": "#CC79A7"}  # Okabe-Ito green and purple: apart from the classes
LOSS_LABELS = {"bce": "binary cross-entropy", "mse": "squared error on p"}


# --- Binary cross-entropy against squared error ----------------------------------


def _bce_on_logits(z: Tensor, y: Tensor) -> Tensor:
    return binary_cross_entropy_with_logits(z, y)  # −mean[y log σ(z) + (1 − y) log(1 − σ(z))]


def _squared_error_on_probability(z: Tensor, y: Tensor) -> Tensor:
    return mse(sigmoid(z), y)  # mean (σ(z) − y)²


LOSSES = {"bce": _bce_on_logits, "mse": _squared_error_on_probability}


@dataclass(frozen=True)
class PassExamConfig:
    n: int = 400  # students in the training set
    num_epochs: int = 300  # full-batch gradient-descent steps
    lr: float = 0.5  # plain gradient descent, the same for both losses
    init_weight: float = -3.0  # both weights start here (on standardised inputs): confidently wrong
    target_accuracy: float = 0.8  # report the first epoch at which each run reaches this


def _train_logistic(kind: str, X: Tensor, y: Tensor, cfg: PassExamConfig, ctx: Context
                    ) -> tuple[Dense, list[float], list[float]]:
    """One sigmoid neuron on standardised X trained with ``kind`` ("bce" or "mse")."""
    model = Dense(2, 1).to(ctx.device)  # linear: outputs the logit z, σ is applied below
    with torch.no_grad():
        model.weight.fill_(cfg.init_weight)  # more hours or lectures ⇒ lower z: wrong way round
        model.bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    losses: list[float] = []
    accuracies: list[float] = []
    for _ in ctx.track(range(cfg.num_epochs), kind):
        z = model(X).squeeze(1)  # (n,) logits
        loss = LOSSES[kind](z, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        accuracies.append(binary_accuracy(z, y).item())  # the logits before this step's update
    return model, losses, accuracies


def _boundary_hours(model: Dense, mean: Tensor, std: Tensor, lectures: Tensor) -> Tensor:
    """Hours on the line z = 0 for each number of lectures, back in the raw units."""
    w = model.weight.detach()[0].cpu() / std  # z = w·(x − μ)/σ + b = (w/σ)·x + b − (w/σ)·μ
    b = model.bias.detach()[0].cpu() - (w * mean).sum()
    return -(b + w[1] * lectures) / w[0]


@register(
    "pass-exam-bce-vs-mse",
    smoke=PassExamConfig(n=100, num_epochs=40),
    full=PassExamConfig(),
    caption="One sigmoid neuron trained on the pass-exam data from the same confidently wrong "
            "start, with cross-entropy and with squared error: loss, accuracy, and the final "
            "decision boundaries next to the rule that generated the labels.",
)
def pass_exam_bce_vs_mse(cfg: PassExamConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    X_raw, y_long = pass_exam(cfg.n, seed=ctx.seed)  # (n, 2) hours, lectures; (n,) passed
    mean, std = X_raw.mean(dim=0), X_raw.std(dim=0)
    X = ((X_raw - mean) / std).to(ctx.device)  # (n, 2) standardised: one lr suits both features
    y = y_long.float().to(ctx.device)

    runs = {kind: _train_logistic(kind, X, y, cfg, ctx) for kind in ("bce", "mse")}

    fig, axd = plt.subplot_mosaic([["loss", "acc"], ["plane", "plane"]], figsize=(9, 7.5),
                                  height_ratios=[1, 1.15], layout="constrained")
    ax_loss, ax_acc, ax_plane = axd["loss"], axd["acc"], axd["plane"]
    epochs = range(1, cfg.num_epochs + 1)
    for kind, (_, losses, accuracies) in runs.items():
        color, label = LOSS_COLORS[kind], LOSS_LABELS[kind]
        ax_loss.plot(epochs, [v / losses[0] for v in losses], color=color, lw=2, label=label)
        ax_acc.plot(epochs, accuracies, color=color, lw=2, label=label)
    ax_loss.set(xlabel="epoch", ylabel="loss / first loss", yscale="log",
                title="Each model's own loss, relative to epoch 1")
    ax_acc.set(xlabel="epoch", ylabel="training accuracy", ylim=(0, 1), title="Training accuracy")
    ax_acc.axhline(cfg.target_accuracy, color="0.5", lw=1, ls=":")
    for ax in (ax_loss, ax_acc):
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right" if ax is ax_acc else "center right", frameon=False)

    # the plane: students, the rule's own line s = 0, and each model's line z = 0
    _students(ax_plane, X_raw, y_long)
    lectures = torch.linspace(-0.5, 12.5, 50)
    ax_plane.plot(-(PASS_BIAS + PASS_W_LECTURES * lectures) / PASS_W_HOURS, lectures, color="black",
                  ls="--", lw=1.5, label="generating rule: P(pass) = 0.5")
    for kind, (model, _, _) in runs.items():
        ax_plane.plot(_boundary_hours(model, mean, std, lectures), lectures, color=LOSS_COLORS[kind],
                      lw=2, label=f"trained with {LOSS_LABELS[kind]}")
    ax_plane.set(xlim=(-0.3, 10.3), ylim=(-0.5, 12.5), xlabel="hours studied",
                 ylabel="lectures attended", title="Decision boundaries after training")
    ax_plane.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)

    metrics: dict[str, float] = {}
    for kind, (_, losses, accuracies) in runs.items():
        reached = [i + 1 for i, acc in enumerate(accuracies) if acc >= cfg.target_accuracy]
        metrics[f"accuracy_{kind}"] = accuracies[-1]
        metrics[f"loss_{kind}"] = losses[-1]
        # num_epochs + 1 stands for "not within this run" (JSON has no nan)
        metrics[f"epochs_to_target_{kind}"] = float(reached[0] if reached else cfg.num_epochs + 1)
    return FigureResult(fig, metrics=metrics, state_dict=runs["bce"][0].state_dict())


def _students(ax: Axes, X: Tensor, y: Tensor) -> None:
    for label, (name, marker) in enumerate((("failed", "x"), ("passed", "o"))):
        ax.scatter(X[y == label, 0], X[y == label, 1], s=14, color=class_color(label), marker=marker,
                   alpha=0.7, label=name, linewidths=1 if marker == "x" else 0)


# --- Softmax and cross-entropy on three classes ---------------------------------


@dataclass(frozen=True)
class SpiralsConfig:
    n: int = 600  # training points, 200 per arm
    n_test: int = 600  # held-out points from another seed
    noise: float = 0.05  # Gaussian jitter around each arm
    hidden: int = 64  # units in each of the MLP's two hidden layers
    num_epochs: int = 1000  # full-batch Adam steps
    lr: float = 0.01  # Adam learning rate
    grid: int = 250  # points per axis of the plane the regions are drawn on


SPIRAL_LIMITS = (-1.25, 1.25)


@register(
    "spirals-softmax",
    smoke=SpiralsConfig(n=150, n_test=150, hidden=16, num_epochs=60, grid=60),
    full=SpiralsConfig(),
    caption="Softmax cross-entropy on three spirals: the training loss of a linear softmax "
            "classifier and of a two-hidden-layer MLP (top), and the regions each one assigns "
            "to the three classes.",
)
def spirals_softmax(cfg: SpiralsConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    X, y = spirals(cfg.n, classes=3, noise=cfg.noise, seed=ctx.seed)
    X_test, y_test = spirals(cfg.n_test, classes=3, noise=cfg.noise, seed=ctx.seed + 1)
    X, y, X_test, y_test = (t.to(ctx.device) for t in (X, y, X_test, y_test))
    models = {
        "linear softmax": MLP([2, 3]),  # logits = X Wᵀ + b: three straight-edged regions
        f"MLP 2-{cfg.hidden}-{cfg.hidden}-3": MLP([2, cfg.hidden, cfg.hidden, 3], activation="relu"),
    }
    curves: dict[str, list[float]] = {}
    metrics: dict[str, float] = {}
    for (name, model), key in zip(models.items(), ("linear", "mlp"), strict=True):
        model.to(ctx.device)
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
        curves[name] = []
        for _ in ctx.track(range(cfg.num_epochs), key):
            loss = cross_entropy(model(X), y)  # −mean log softmax(logits)[y]
            opt.zero_grad()
            loss.backward()
            opt.step()
            curves[name].append(loss.item())
        with torch.no_grad():
            metrics[f"loss_{key}"] = curves[name][-1]
            metrics[f"train_accuracy_{key}"] = accuracy(model(X), y).item()
            metrics[f"test_accuracy_{key}"] = accuracy(model(X_test), y_test).item()

    fig, axd = plt.subplot_mosaic([["loss", "loss"], ["linear", "mlp"]], figsize=(9, 8),
                                  height_ratios=[0.6, 1], layout="constrained")
    ax_loss = axd["loss"]
    for (name, losses), color in zip(curves.items(), ("0.45", "black"), strict=True):
        ax_loss.plot(range(1, len(losses) + 1), losses, color=color, lw=2, label=name)
    ax_loss.axhline(torch.log(torch.tensor(3.0)).item(), color="0.6", ls=":", lw=1,
                    label="log 3: uniform guess")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", yscale="log", title="Training loss")
    ax_loss.grid(True, alpha=0.3)
    ax_loss.legend(loc="center right", frameon=False)

    for (name, model), key in zip(models.items(), ("linear", "mlp"), strict=True):
        ax = axd[key]
        decision_regions(ax, model, X, y, xlim=SPIRAL_LIMITS, ylim=SPIRAL_LIMITS, steps=cfg.grid,
                         boundary=False, point_size=9, point_edge=0.3)
        acc = metrics[f"test_accuracy_{key}"]
        ax.set(xlim=SPIRAL_LIMITS, ylim=SPIRAL_LIMITS, aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
               title=f"{name}: test accuracy {acc:.0%}")
    axd["mlp"].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    mlp = models[f"MLP 2-{cfg.hidden}-{cfg.hidden}-3"]
    return FigureResult(fig, metrics=metrics, state_dict=mlp.state_dict())
