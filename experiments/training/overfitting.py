"""Trained figures of docs/training/overfitting: four sweeps, each trained with ``dlbook.train.fit``.

- ``overfitting-capacity``: MLPs of growing width on 60 noisy two-moons points, from a
  network too small to bend its boundary to one that threads it around every point.
- ``overfitting-data-size``: one digits MLP trained on 50 to 1000 examples.
- ``overfitting-augmentation``: the digits MLP on 200 examples, with and without random
  shifts and rotations of the 8x8 images.
- ``regularization-grid``: a grid of weight decay × dropout on the same 200 digits; its
  ``data.json`` holds every run's curves, which the chapter explores with two sliders.

The digits figures share one split (``dlbook.splits.digit_splits``): 1000 training examples
(a sweep takes the first n), 400 for validation and the 397 left over for the test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlbook.augment import RandomShiftRotate, random_shift_rotate
from dlbook.datasets import moons
from dlbook.metrics import accuracy
from dlbook.mlp import MLP
from dlbook.optim import SGD
from dlbook.plot import learning_curves, learning_curves_legend
from dlbook.regions import decision_regions
from dlbook.regularization import DropoutMLP
from dlbook.splits import digit_splits
from dlbook.train import FitConfig, History, fit
from dlbook_build.figures.registry import Context, FigureResult, register

Pair = tuple[Tensor, Tensor]


def rounded(values: Sequence[float], digits: int = 4) -> list[float]:
    """Values to ``digits`` significant digits, to keep data.json small."""
    return [float(f"{v:.{digits}g}") for v in values]


def train_run(model: nn.Module, train: Pair, val: Pair, *, ctx: Context, num_epochs: int,
              batch_size: int, lr: float, momentum: float = 0.0, weight_decay: float = 0.0,
              adam: bool = False) -> History:
    """One training run of a sweep: ``fit`` with SGD (or Adam), logging accuracy and validation."""
    config = FitConfig(num_epochs=num_epochs, batch_size=batch_size, lr=lr, seed=ctx.seed,
                       device=str(ctx.device))
    optimizer = None if adam else SGD(model.parameters(), lr=lr, momentum=momentum,
                                      weight_decay=weight_decay)
    return fit(model, train, loss_fn=F.cross_entropy, config=config, optimizer=optimizer,
               val_data=val, metrics={"acc": accuracy})


# --- 1. Capacity: underfitting, a good fit and overfitting on the two moons -----------------------

@dataclass(frozen=True)
class CapacityConfig:
    n_train: int = 60  # noisy moons points to train on: few, so that a big network can memorize them
    n_val: int = 500  # fresh points from the same distribution, for validation
    noise: float = 0.3  # standard deviation of the jitter around each moon
    widths: tuple[int, ...] = (1, 2, 3, 4, 8, 16, 32, 64, 128)  # units in each of the two tanh layers
    num_epochs: int = 400  # full-batch Adam steps
    lr: float = 0.01
    grid: int = 150  # points per axis of the plane the decision regions are drawn on


MOONS_LIMITS = ((-2.0, 3.0), (-1.6, 2.1))


@register(
    "overfitting-capacity",
    smoke=CapacityConfig(widths=(1, 4, 32), num_epochs=30, n_val=100, grid=40),
    full=CapacityConfig(),
    caption="Two-layer tanh networks of growing width trained on 60 noisy two-moons points. Top: the "
            "decision regions of the narrowest, the best (lowest final validation loss) and the widest "
            "network, training points on top. Bottom: their training (dashed) and validation (solid) "
            "losses. Right: the final losses of every width.",
)
def overfitting_capacity(cfg: CapacityConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    train = moons(cfg.n_train, noise=cfg.noise, seed=ctx.seed)
    val = moons(cfg.n_val, noise=cfg.noise, seed=ctx.seed + 1)  # another draw: unseen points
    models: dict[int, MLP] = {}
    histories: dict[int, History] = {}
    for width in ctx.track(cfg.widths, "widths"):
        model = MLP([2, width, width, 2], activation="tanh",
                    generator=torch.Generator().manual_seed(ctx.seed))
        histories[width] = train_run(model, train, val, ctx=ctx, num_epochs=cfg.num_epochs,
                                     batch_size=cfg.n_train, lr=cfg.lr, adam=True)
        models[width] = model
    final_train = [histories[w].train_loss[-1] for w in cfg.widths]
    final_val = [histories[w].val_loss[-1] for w in cfg.widths]
    best = cfg.widths[min(range(len(cfg.widths)), key=final_val.__getitem__)]
    chosen = {"underfit": cfg.widths[0], "good fit": best, "overfit": cfg.widths[-1]}
    colors = {"underfit": "tab:blue", "good fit": "tab:green", "overfit": "tab:red"}

    fig = plt.figure(figsize=(16, 7.6))
    gs = fig.add_gridspec(2, 4, width_ratios=[1, 1, 1, 1.15], height_ratios=[1.15, 1])
    X_train, y_train = train
    curve_axes: list[Any] = []
    for col, (kind, width) in enumerate(chosen.items()):
        model = models[width].cpu().eval()
        ax = fig.add_subplot(gs[0, col])
        # P(class 1) = softmax(s)_1 over the plane, its 0.5 line, and the training points
        decision_regions(ax, model, X_train, y_train, fill="probability", xlim=MOONS_LIMITS[0],
                         ylim=MOONS_LIMITS[1], steps=cfg.grid, alpha=0.5, boundary_width=1.3,
                         point_size=18, point_edge=0.6, labels=None)
        h = histories[width]
        ax.set(xlim=MOONS_LIMITS[0], ylim=MOONS_LIMITS[1], aspect="equal", xticks=[], yticks=[],
               title=f"{kind}: width {width}\ntrain acc {h.metrics['acc'][-1]:.0%}, "
                     f"validation acc {h.metrics['val_acc'][-1]:.0%}")
        ax_c = fig.add_subplot(gs[1, col], sharey=curve_axes[0] if curve_axes else None)
        learning_curves(ax_c, h, color=colors[kind], label=f"width {width}")
        ax_c.set(xlabel="epoch", yscale="log")
        ax_c.grid(True, alpha=0.3)
        curve_axes.append(ax_c)
    curve_axes[0].set_ylabel("cross-entropy loss")
    learning_curves_legend(curve_axes[-1], fontsize=8, loc="lower left")

    ax_cap = fig.add_subplot(gs[:, 3])
    ax_cap.plot(cfg.widths, final_train, "o--", color="grey", label="final training loss")
    ax_cap.plot(cfg.widths, final_val, "o-", color="black", label="final validation loss")
    for kind, width in chosen.items():
        ax_cap.axvline(width, color=colors[kind], lw=6, alpha=0.25, label=kind)
    ax_cap.set(xscale="log", yscale="log", xlabel="hidden units per layer (capacity)",
               ylabel="cross-entropy loss after the last epoch", title="The capacity sweep")
    ax_cap.set_xticks(list(cfg.widths), [str(w) for w in cfg.widths])
    ax_cap.grid(True, which="major", alpha=0.3)
    ax_cap.legend(frameon=False, fontsize=8, loc="lower left")
    fig.tight_layout()

    data = {
        "widths": list(cfg.widths), "chosen": chosen,
        "train_loss": [rounded(histories[w].train_loss) for w in cfg.widths],
        "val_loss": [rounded(histories[w].val_loss) for w in cfg.widths],
        "train_acc": rounded([histories[w].metrics["acc"][-1] for w in cfg.widths]),
        "val_acc": rounded([histories[w].metrics["val_acc"][-1] for w in cfg.widths]),
    }
    metrics = {f"val_loss_width_{w}": v for w, v in zip(cfg.widths, final_val, strict=True)}
    return FigureResult(fig, metrics={"best_width": float(best), **metrics}, data=data)


# --- 2. More data: one network, training sets from 50 to 1000 digits ------------------------------

@dataclass(frozen=True)
class DataSizeConfig:
    sizes: tuple[int, ...] = (50, 100, 200, 400, 700, 1000)  # training examples: the first n of the pool
    hidden: int = 256  # units in each of the two ReLU layers
    num_epochs: int = 100
    batch_size: int = 32
    lr: float = 0.05  # SGD with momentum 0.9
    momentum: float = 0.9


@register(
    "overfitting-data-size",
    smoke=DataSizeConfig(sizes=(32, 64), hidden=32, num_epochs=3),
    full=DataSizeConfig(),
    caption="The same 64-256-256-10 network trained on the first n of 1000 training digits, "
            "validated on 400 others. Left: training (dashed) and validation (solid) losses. "
            "Right: the losses after the last epoch against n.",
)
def overfitting_data_size(cfg: DataSizeConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    (X, y), val, _ = digit_splits(ctx.seed)
    histories: dict[int, History] = {}
    for n in ctx.track(cfg.sizes, "sizes"):
        model = MLP([64, cfg.hidden, cfg.hidden, 10], generator=torch.Generator().manual_seed(ctx.seed))
        histories[n] = train_run(model, (X[:n], y[:n]), val, ctx=ctx, num_epochs=cfg.num_epochs,
                                 batch_size=min(cfg.batch_size, n), lr=cfg.lr, momentum=cfg.momentum)

    fig, (ax_c, ax_n) = plt.subplots(1, 2, figsize=(12, 4.6))
    cmap = plt.get_cmap("viridis")
    for i, n in enumerate(cfg.sizes):
        learning_curves(ax_c, histories[n], color=cmap(i / max(1, len(cfg.sizes) - 1)), label=f"n = {n}")
    ax_c.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title="Learning curves")
    ax_c.grid(True, alpha=0.3)
    learning_curves_legend(ax_c, fontsize=8, loc="lower left", ncol=2)
    final_train = [histories[n].train_loss[-1] for n in cfg.sizes]
    final_val = [histories[n].val_loss[-1] for n in cfg.sizes]
    val_acc = [histories[n].metrics["val_acc"][-1] for n in cfg.sizes]
    ax_n.plot(cfg.sizes, final_train, "o--", color="grey", label="training loss")
    ax_n.plot(cfg.sizes, final_val, "o-", color="black", label="validation loss")
    for n, v, a in zip(cfg.sizes, final_val, val_acc, strict=True):
        ax_n.annotate(f"{a:.1%}", (n, v), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    ax_n.set(xscale="log", yscale="log", xlabel="training examples n", ylabel="loss after the last epoch",
             title="Loss against data (labels: validation accuracy)")
    ax_n.set_xticks(list(cfg.sizes), [str(n) for n in cfg.sizes])
    ax_n.margins(y=0.12)
    ax_n.grid(True, which="major", alpha=0.3)
    ax_n.legend(frameon=False)
    fig.tight_layout()
    data = {
        "sizes": list(cfg.sizes),
        "train_loss": [rounded(histories[n].train_loss) for n in cfg.sizes],
        "val_loss": [rounded(histories[n].val_loss) for n in cfg.sizes],
        "val_acc": rounded(val_acc),
    }
    metrics = {f"val_acc_n_{n}": a for n, a in zip(cfg.sizes, val_acc, strict=True)}
    return FigureResult(fig, metrics=metrics, data=data)


# --- 3. Data augmentation: shifted and turned digits --------------------------------------------

@dataclass(frozen=True)
class AugmentConfig:
    n_train: int = 200  # the first 200 training digits
    hidden: int = 256
    num_epochs: int = 150
    batch_size: int = 32
    lr: float = 0.05  # SGD with momentum 0.9
    momentum: float = 0.9
    max_shift: int = 1  # whole pixels in each direction
    max_degrees: float = 15.0  # rotation angle drawn uniformly in ±max_degrees
    examples: int = 6  # augmented copies shown per digit


@register(
    "overfitting-augmentation",
    smoke=AugmentConfig(n_train=64, hidden=32, num_epochs=3, examples=3),
    full=AugmentConfig(),
    caption="Data augmentation on 200 training digits. Left: three training images (first column) "
            "and random shifted and rotated versions of them. Middle: training (dashed) and validation "
            "(solid) losses without and with augmentation. Right: accuracy after the last epoch on the "
            "validation digits as they are and on randomly shifted and rotated copies of them.",
)
def overfitting_augmentation(cfg: AugmentConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    (X, y), val, _ = digit_splits(ctx.seed)
    train = (X[:cfg.n_train], y[:cfg.n_train])
    settings = {  # name -> (max_shift, max_degrees)
        "none": (0, 0.0),
        f"shifts ±{cfg.max_shift} px": (cfg.max_shift, 0.0),
        f"rotations ±{cfg.max_degrees:g}°": (0, cfg.max_degrees),
        "both": (cfg.max_shift, cfg.max_degrees),
    }
    X_val, y_val = val
    g = torch.Generator().manual_seed(ctx.seed)
    X_moved = random_shift_rotate(X_val.view(-1, 8, 8), max_shift=cfg.max_shift, max_degrees=cfg.max_degrees,
                                  generator=g).view(X_val.shape)  # the validation digits, moved once
    histories: dict[str, History] = {}
    moved_acc: dict[str, float] = {}
    for name, (shift, degrees) in ctx.track(settings.items(), "settings"):
        mlp = MLP([64, cfg.hidden, cfg.hidden, 10], generator=torch.Generator().manual_seed(ctx.seed))
        model = mlp if name == "none" else nn.Sequential(
            RandomShiftRotate(side=8, max_shift=shift, max_degrees=degrees), mlp)
        histories[name] = train_run(model, train, val, ctx=ctx, num_epochs=cfg.num_epochs,
                                    batch_size=cfg.batch_size, lr=cfg.lr, momentum=cfg.momentum)
        model.eval()
        with torch.no_grad():
            moved_acc[name] = accuracy(model(X_moved.to(ctx.device)), y_val.to(ctx.device)).item()

    fig = plt.figure(figsize=(16, 4.8))
    gs = fig.add_gridspec(1, 3, width_ratios=[1.1, 1.3, 0.9])
    # 1. three digits and augmented copies of them, as one mosaic image
    picks = [int((y[:cfg.n_train] == d).nonzero()[0]) for d in (2, 4, 7)]
    originals = X[picks].view(-1, 8, 8)  # (3, 8, 8)
    copies = [random_shift_rotate(originals, max_shift=cfg.max_shift, max_degrees=cfg.max_degrees,
                                  generator=g) for _ in range(cfg.examples)]
    tiles = torch.stack([originals, *copies], dim=1)  # (3, 1 + examples, 8, 8)
    padded = F.pad(tiles, (1, 1, 1, 1), value=float("nan"))  # a 1-pixel gap around each tile
    mosaic = padded.permute(0, 2, 1, 3).reshape(3 * 10, (1 + cfg.examples) * 10)
    ax_img = fig.add_subplot(gs[0])
    ax_img.imshow(mosaic, cmap="Greys", vmin=0, vmax=1)
    ax_img.set(xticks=[], yticks=[], title="original | random shifts and rotations")
    ax_img.axvline(9.5, color="tab:orange", lw=2)
    # 2. learning curves and 3. final validation accuracy
    ax_c = fig.add_subplot(gs[1])
    colors = dict(zip(settings, ("black", "tab:blue", "tab:purple", "tab:orange"), strict=True))
    for name, history in histories.items():
        learning_curves(ax_c, history, color=colors[name], label=name)
    ax_c.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title="Learning curves")
    ax_c.grid(True, alpha=0.3)
    learning_curves_legend(ax_c, fontsize=8, loc="lower left", ncol=2)
    ax_a = fig.add_subplot(gs[2])
    val_acc = {name: h.metrics["val_acc"][-1] for name, h in histories.items()}
    width, legend = 0.4, []
    for offset, accs, hatch, label in ((-width / 2, val_acc, "", "validation digits as they are"),
                                       (width / 2, moved_acc, "//", "the same, shifted and rotated")):
        bars = ax_a.bar([i + offset for i in range(len(accs))], list(accs.values()), width=width,
                        color=[colors[k] for k in accs], hatch=hatch, edgecolor="white")
        ax_a.bar_label(bars, labels=[f"{a:.0%}" for a in accs.values()], fontsize=8)
        legend.append(Patch(facecolor="grey", edgecolor="white", hatch=hatch, label=label))
    low = math.floor(10 * min(*val_acc.values(), *moved_acc.values()) - 0.5) / 10
    ax_a.set(ylim=(max(0.0, low), 1.25), ylabel="accuracy", title="After the last epoch")
    ax_a.set_yticks([t / 10 for t in range(int(10 * max(0.0, low)), 11)])
    ax_a.set_xticks(range(len(val_acc)), list(val_acc), rotation=20)
    ax_a.legend(handles=legend, frameon=False, fontsize=8, loc="upper left")
    fig.tight_layout()
    data = {
        "settings": list(settings),
        "train_loss": [rounded(h.train_loss) for h in histories.values()],
        "val_loss": [rounded(h.val_loss) for h in histories.values()],
        "val_acc": rounded(list(val_acc.values())),
        "moved_val_acc": rounded(list(moved_acc.values())),
    }
    metrics = {**{f"val_acc {k}": a for k, a in val_acc.items()},
               **{f"moved_val_acc {k}": a for k, a in moved_acc.items()}}
    return FigureResult(fig, metrics=metrics, data=data)


# --- 4. Weight decay × dropout: the explorable grid ---------------------------------------------

@dataclass(frozen=True)
class GridConfig:
    n_train: int = 200
    hidden: int = 256
    weight_decays: tuple[float, ...] = (0.0, 1e-3, 3e-3, 1e-2, 3e-2)  # λ of SGD's L2 weight decay
    dropouts: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8)  # p of dropout after each hidden layer
    num_epochs: int = 150
    batch_size: int = 32
    lr: float = 0.05  # SGD with momentum 0.9
    momentum: float = 0.9


@register(
    "regularization-grid",
    smoke=GridConfig(n_train=64, hidden=32, weight_decays=(0.0, 1e-2), dropouts=(0.0, 0.5), num_epochs=3),
    full=GridConfig(),
    caption="A 64-256-256-10 network trained on 200 digits for every pair of weight decay λ (rows) "
            "and dropout p (columns): training (dashed) and validation (solid) loss per epoch, the "
            "lowest validation loss printed in each panel.",
)
def regularization_grid(cfg: GridConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    (X, y), val, _ = digit_splits(ctx.seed)
    train = (X[:cfg.n_train], y[:cfg.n_train])
    pairs = [(lam, p) for lam in cfg.weight_decays for p in cfg.dropouts]  # dropout varies fastest
    histories: list[History] = []
    for lam, p in ctx.track(pairs, "grid"):
        model = DropoutMLP([64, cfg.hidden, cfg.hidden, 10], p=p,
                           generator=torch.Generator().manual_seed(ctx.seed))
        histories.append(train_run(model, train, val, ctx=ctx, num_epochs=cfg.num_epochs,
                                   batch_size=cfg.batch_size, lr=cfg.lr, momentum=cfg.momentum,
                                   weight_decay=lam))

    rows, cols = len(cfg.weight_decays), len(cfg.dropouts)
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols + 0.6, 2.0 * rows + 0.6),
                             sharex=True, sharey=True, squeeze=False)
    lowest = [min(h.val_loss) for h in histories]
    best = min(range(len(pairs)), key=lowest.__getitem__)
    for k, ((lam, p), history) in enumerate(zip(pairs, histories, strict=True)):
        ax = axes[k // cols][k % cols]
        learning_curves(ax, history, color="tab:red" if k == best else "tab:blue")
        ax.text(0.04, 0.05, f"val min {lowest[k]:.3f}", transform=ax.transAxes, ha="left", va="bottom",
                fontsize=8, fontweight="bold" if k == best else "normal")
        ax.set(yscale="log")
        ax.grid(True, alpha=0.3)
        if k // cols == 0:
            ax.set_title(f"dropout p = {p:g}", fontsize=10)
        if k % cols == 0:
            ax.set_ylabel(f"λ = {lam:g}\nloss", fontsize=10)
        if k // cols == rows - 1:
            ax.set_xlabel("epoch")
    fig.tight_layout()
    data = {
        "params": [
            {"name": "weight_decay", "label": "weight decay λ", "values": list(cfg.weight_decays)},
            {"name": "dropout", "label": "dropout p", "values": list(cfg.dropouts)},
        ],
        "series": [{"key": "train", "label": "training loss"}, {"key": "val", "label": "validation loss"}],
        "x_label": "epoch", "y_label": "cross-entropy loss", "y_scale": "log",
        "runs": [{"train": rounded(h.train_loss), "val": rounded(h.val_loss),
                  "val_acc": rounded(h.metrics["val_acc"])[-1]} for h in histories],
    }
    lam_best, p_best = pairs[best]
    metrics = {"best_weight_decay": lam_best, "best_dropout": p_best, "best_val_loss": lowest[best],
               "unregularized_val_loss": lowest[0]}
    return FigureResult(fig, metrics=metrics, data=data)
