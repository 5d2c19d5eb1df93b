"""Trained figures of docs/training/gradient-descent: learning rates, noise, optimizers, batch sizes.

``lr-sweep`` trains one small ReLU network on the two moons with plain SGD at many
learning rates, through dlbook.train.fit, and keeps the runs that blow up (fit raises
FloatingPointError on a nan loss). ``gd-noise`` fits a line, a model with two
parameters, by full-batch, mini-batch and single-example gradient descent, so the
three paths can be drawn over the loss surface. ``optimizer-paths`` runs SGD, momentum,
RMSProp and Adam (dlbook.optim) on an ill-conditioned quadratic and on the loss of a
network with two weights. ``batch-size`` trains a digit classifier with four batch
sizes at one learning rate, then with the learning rate scaled with the batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch
from torch import Tensor

from dlbook.datasets import digits, moons
from dlbook.losses import binary_cross_entropy_with_logits, cross_entropy
from dlbook.mlp import MLP
from dlbook.optim import SGD, Adam, RMSProp
from dlbook.surfaces import line_data, line_loss, loss_grid, optimizer_path, quadratic
from dlbook.train import Callback, FitConfig, fit
from dlbook_build.figures.registry import Context, FigureResult, register

OPTIMIZER_COLORS = {"SGD": "tab:blue", "momentum": "tab:orange", "RMSProp": "tab:green", "Adam": "tab:red"}
DIVERGED_COLOR = "black"


class LossLog(Callback):
    """Remembers every epoch's mean training loss, so a run that fit aborts keeps its history."""

    def __init__(self) -> None:
        self.losses: list[float] = []

    def on_fit_start(self, model: torch.nn.Module) -> None:
        self.losses = []

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> bool:
        self.losses.append(logs["train_loss"])
        return False


# --- lr-sweep -------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepConfig:
    n: int = 200  # training points on the two moons
    noise: float = 0.15  # jitter of the moons
    hidden: int = 32  # units in each of the two ReLU hidden layers
    num_epochs: int = 100  # passes over the data per run
    batch_size: int = 20  # examples per SGD step
    lrs: tuple[float, ...] = (0.01, 0.0178, 0.0316, 0.0562, 0.1, 0.178, 0.316, 0.562, 1.0, 1.78,
                              3.16, 5.62, 10.0, 17.8, 31.6, 56.2, 100.0)  # four per decade
    curves: tuple[float, ...] = (0.01, 0.1, 1.0, 10.0, 56.2)  # the runs drawn epoch by epoch
    ylim: tuple[float, float] = (3e-3, 30.0)  # loss axis of the curves; higher peaks go in the legend


@register(
    "lr-sweep",
    smoke=SweepConfig(n=80, num_epochs=8, lrs=(0.01, 1.0, 31.6, 56.2), curves=(0.01, 1.0, 31.6)),
    full=SweepConfig(),
    caption="One 2-32-32-1 ReLU network on the two moons, trained by mini-batch SGD from the same "
            "start at many learning rates. Left: the training loss per epoch for a few of them; a cross "
            "marks a run whose loss became nan. Right: the loss on the whole training set after training.",
)
def lr_sweep(cfg: SweepConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    if not set(cfg.curves) <= set(cfg.lrs):
        raise ValueError(f"lr-sweep expects curves to be among lrs, got {cfg.curves} and {cfg.lrs}")
    X, y = moons(cfg.n, noise=cfg.noise, seed=ctx.seed)
    Y = y.float().unsqueeze(1)  # (n, 1): the targets 0 and 1
    histories: dict[float, list[float]] = {}
    diverged_at: dict[float, int] = {}  # lr -> the epoch whose loss became nan or inf
    final: dict[float, float] = {}  # lr -> loss on the whole training set after training
    for lr in ctx.track(cfg.lrs, "learning rates"):
        model = MLP([2, cfg.hidden, cfg.hidden, 1], generator=torch.Generator().manual_seed(ctx.seed))
        log = LossLog()
        config = FitConfig(num_epochs=cfg.num_epochs, batch_size=cfg.batch_size, seed=ctx.seed,
                           device=str(ctx.device))
        try:
            fit(model, (X, Y), loss_fn=binary_cross_entropy_with_logits, config=config,
                optimizer=SGD(model.parameters(), lr=lr), callbacks=[log])
        except FloatingPointError:
            diverged_at[lr] = len(log.losses) + 1
        else:
            with torch.no_grad():
                final[lr] = binary_cross_entropy_with_logits(model(X.to(ctx.device)), Y.to(ctx.device)).item()
        histories[lr] = log.losses

    fig, (ax_curves, ax_sweep) = plt.subplots(1, 2, figsize=(11, 4.2))
    # 1. the loss per epoch of the highlighted runs; a diverged run ends in a cross at the top
    colors = plt.get_cmap("viridis")(torch.linspace(0, 0.9, len(cfg.curves)).tolist())
    for lr, color in zip(cfg.curves, colors, strict=True):
        losses = histories[lr]
        label = f"lr = {lr:g}"
        if losses and max(losses) > cfg.ylim[1]:  # off the top: say how high it went
            label += f" (epoch {losses.index(max(losses)) + 1}: {max(losses):.0e})"
        if losses:  # a run that failed in its first epoch has no curve, only its cross
            ax_curves.plot(range(1, len(losses) + 1), losses, color=color, lw=1.6, label=label)
        if lr in diverged_at:
            ax_curves.plot([diverged_at[lr]], [1.0], marker="x", ms=11, mew=2.5, color=color, ls="none",
                           transform=ax_curves.get_xaxis_transform(), clip_on=False,
                           label=f"lr = {lr:g}: nan in epoch {diverged_at[lr]}")
    ax_curves.set(xlabel="epoch", ylabel="mean training loss (binary cross-entropy)", yscale="log",
                  ylim=cfg.ylim, title=f"Loss curves at {len(cfg.curves)} learning rates")
    ax_curves.grid(True, alpha=0.3)
    ax_curves.legend(frameon=False, fontsize=8, loc="lower left", ncol=2)

    # 2. final loss against the learning rate; diverged runs as crosses on the top edge
    ok = [lr for lr in cfg.lrs if lr in final]
    ax_sweep.plot(ok, [final[lr] for lr in ok], "o-", color="tab:blue", label="trained")
    if diverged_at:
        ax_sweep.plot(list(diverged_at), [1.0] * len(diverged_at), "x", ms=10, mew=2.5, color=DIVERGED_COLOR,
                      transform=ax_sweep.get_xaxis_transform(), clip_on=False, label="loss became nan")
    best = min(final, key=final.__getitem__) if final else math.nan
    if final:
        ax_sweep.plot([best], [final[best]], "*", ms=16, color="tab:orange", label=f"lowest: lr = {best:g}")
    ax_sweep.set(xscale="log", yscale="log", xlabel="learning rate", ylabel="training loss after training",
                 title=f"Sweep: {len(cfg.lrs)} rates, {cfg.num_epochs} epochs each")
    ax_sweep.grid(True, which="both", alpha=0.3)
    ax_sweep.legend(frameon=False, fontsize=8, loc="upper left")
    fig.tight_layout()
    metrics = {"best_lr": best, "best_loss": final.get(best, math.nan),
               "num_diverged": float(len(diverged_at)),
               "smallest_diverged_lr": min(diverged_at, default=math.inf)}
    metrics |= {f"final_loss_lr_{lr:g}": final[lr] for lr in cfg.curves if lr in final}
    metrics |= {f"diverged_epoch_lr_{lr:g}": float(e) for lr, e in diverged_at.items()}
    return FigureResult(fig, metrics=metrics)


# --- gd-noise -------------------------------------------------------------------------


@dataclass(frozen=True)
class NoiseConfig:
    n: int = 200  # points of the line-fitting problem
    noise: float = 0.5  # standard deviation of the noise around the line y = 2x − 1
    lr: float = 0.1  # one learning rate for all three
    num_steps: int = 100  # updates per run
    batch_sizes: tuple[int, ...] = (200, 20, 1)  # full batch, mini-batch, single example
    start: tuple[float, float] = (-1.0, 2.0)  # the initial (w, b)


@register(
    "gd-noise",
    smoke=NoiseConfig(num_steps=15),
    full=NoiseConfig(),
    caption="Fitting a line ŷ = w x + b by gradient descent with the same learning rate and number of "
            "steps, computing each gradient from all the data, from mini-batches or from single "
            "examples. Left: the paths over the contours of the full training loss. Right: that loss "
            "after every step.",
)
def gd_noise(cfg: NoiseConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    x, y = line_data(cfg.n, cfg.noise, ctx.seed)
    full_loss = line_loss(x, y)
    A = torch.stack([x, torch.ones_like(x)], dim=1)  # (n, 2): columns x and 1
    best = torch.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1)  # the least-squares (w, b)
    paths: dict[int, Tensor] = {}
    for B in ctx.track(cfg.batch_sizes, "batch sizes"):
        if not 1 <= B <= cfg.n:
            raise ValueError(f"gd-noise expects batch sizes between 1 and n = {cfg.n}, got {B}")
        g = torch.Generator().manual_seed(ctx.seed + 1)  # the same shuffles for every batch size
        p = torch.tensor(cfg.start, requires_grad=True)
        opt = SGD([p], lr=cfg.lr)
        points, order, pos = [p.detach().clone()], torch.randperm(cfg.n, generator=g), 0
        for _ in range(cfg.num_steps):
            if pos + B > cfg.n:  # a new epoch: reshuffle
                order, pos = torch.randperm(cfg.n, generator=g), 0
            idx = order[pos:pos + B]
            pos += B
            opt.zero_grad()
            line_loss(x[idx], y[idx])(p).backward()  # the gradient of the batch's loss only
            opt.step()
            points.append(p.detach().clone())
        paths[B] = torch.stack(points)  # (num_steps + 1, 2)

    fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.3), gridspec_kw={"width_ratios": [1.1, 1]})
    labels = {cfg.n: f"full batch (B = {cfg.n})", 1: "single example (B = 1)"}
    colors = plt.get_cmap("plasma")(torch.linspace(0, 0.75, len(cfg.batch_sizes)).tolist())
    xx, yy, zz = loss_grid(full_loss, xlim=(-1.5, 3.5), ylim=(-2.5, 2.5), n=200)
    ax_path.contour(xx, yy, zz, levels=torch.logspace(-0.6, 1.3, 14).tolist(), cmap="Greys", linewidths=0.8)
    minimum = full_loss(best).item()
    final: dict[int, float] = {}
    for B, color in zip(cfg.batch_sizes, colors, strict=True):
        label = labels.get(B, f"mini-batch (B = {B})")
        P = paths[B]
        ax_path.plot(P[:, 0], P[:, 1], "-", marker="o", ms=2, lw=1.1, color=color, label=label)
        losses = full_loss(P).tolist()
        final[B] = losses[-1]
        ax_loss.plot(range(cfg.num_steps + 1), losses, color=color, lw=1.4, label=label)
    ax_path.plot(*cfg.start, "s", color="black", ms=6, label="start")
    ax_path.plot(*best.tolist(), "*", color="gold", mec="black", ms=14, label="least-squares fit")
    ax_path.set(xlabel="slope $w$", ylabel="intercept $b$", aspect="equal",
                title="Paths over the loss surface")
    ax_path.legend(frameon=False, fontsize=8, loc="lower left")
    ax_loss.axhline(minimum, color="black", ls="--", lw=1, label="lowest possible loss")
    ax_loss.set(xlabel="step", ylabel="mean squared error on all the data", yscale="log",
                title=f"Training loss, lr = {cfg.lr:g}")
    ax_loss.grid(True, which="both", alpha=0.3)
    ax_loss.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    metrics = {"min_loss": minimum, "best_w": best[0].item(), "best_b": best[1].item()}
    metrics |= {f"final_loss_B{B}": v for B, v in final.items()}
    return FigureResult(fig, metrics=metrics)


# --- optimizer-paths ------------------------------------------------------------------


@dataclass(frozen=True)
class PathsConfig:
    condition: float = 25.0  # κ of the quadratic ½(x² + κ y²)
    quad_start: tuple[float, float] = (-5.0, 1.5)
    quad_steps: int = 60
    quad_lrs: tuple[float, float, float, float] = (0.075, 0.05, 0.1, 0.15)  # SGD, momentum, RMSProp, Adam
    quad_momentum: float = 0.6  # μ on the bowl
    net_n: int = 100  # training points of the two-weight network
    net_start: tuple[float, float] = (4.0, -0.3)  # initial (w1, w2)
    net_steps: int = 300
    net_lrs: tuple[float, float, float, float] = (0.1, 0.05, 0.02, 0.05)  # SGD, momentum, RMSProp, Adam
    net_momentum: float = 0.9  # μ on the network
    grid: int = 200  # points per axis of the contour grids


def tanh_pair_data(n: int, seed: int) -> tuple[Tensor, Tensor]:
    """``x`` uniform in [−2, 2] and ``y = 1.5 tanh(2x)`` plus noise of 0.1, float64, shapes (n,), (n,)."""
    g = torch.Generator().manual_seed(seed)
    x = 4 * torch.rand(n, generator=g, dtype=torch.float64) - 2
    return x, 1.5 * torch.tanh(2 * x) + 0.1 * torch.randn(n, generator=g, dtype=torch.float64)


def two_weight_net_loss(x: Tensor, y: Tensor) -> Callable[[Tensor], Tensor]:
    """The MSE of the network ``ŷ = w2 tanh(w1 x)`` as a surface over ``p = (w1, w2)``, (..., 2) -> (...)."""
    def f(p: Tensor) -> Tensor:
        w1, w2 = p[..., 0:1], p[..., 1:2]  # (..., 1) each, broadcast against x (n,)
        return ((w2 * torch.tanh(w1 * x) - y) ** 2).mean(dim=-1)
    return f


def _optimizers(lrs: tuple[float, float, float, float],
                momentum: float) -> dict[str, Callable[[list[Tensor]], torch.optim.Optimizer]]:
    lr_sgd, lr_momentum, lr_rmsprop, lr_adam = lrs
    return {
        "SGD": lambda ps: SGD(ps, lr=lr_sgd),
        "momentum": lambda ps: SGD(ps, lr=lr_momentum, momentum=momentum),
        "RMSProp": lambda ps: RMSProp(ps, lr=lr_rmsprop),
        "Adam": lambda ps: Adam(ps, lr=lr_adam),
    }


@register(
    "optimizer-paths",
    smoke=PathsConfig(quad_steps=20, net_steps=40, grid=60),
    full=PathsConfig(),
    caption="SGD, momentum, RMSProp and Adam, each from the same start with its own learning rate. "
            "Left: on the elongated bowl ½(x² + 25y²). Middle: on the loss of a network with two weights, "
            "ŷ = w₂ tanh(w₁x), fitted to noisy samples of 1.5 tanh(2x). Right: the network's loss per step.",
)
def optimizer_paths(cfg: PathsConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    def bowl(p: Tensor) -> Tensor:
        return quadratic(p, condition=cfg.condition)

    x, y = tanh_pair_data(cfg.net_n, ctx.seed)
    net = two_weight_net_loss(x, y)
    fig, (ax_q, ax_n, ax_l) = plt.subplots(1, 3, figsize=(15, 4.6),
                                           gridspec_kw={"width_ratios": [1.25, 1, 1]})
    metrics: dict[str, float] = {}
    # 1. the ill-conditioned quadratic
    xx, yy, zz = loss_grid(bowl, xlim=(-5.5, 1.5), ylim=(-2.0, 2.0), n=cfg.grid)
    ax_q.contour(xx, yy, zz, levels=torch.logspace(-2, 1.8, 16).tolist(), cmap="Greys", linewidths=0.8)
    for name, make in ctx.track(_optimizers(cfg.quad_lrs, cfg.quad_momentum).items(), "quadratic"):
        P = optimizer_path(bowl, cfg.quad_start, make, num_steps=cfg.quad_steps)
        label = name if name != "momentum" else f"momentum (μ = {cfg.quad_momentum:g})"
        ax_q.plot(P[:, 0], P[:, 1], "-o", ms=2, lw=1.1, color=OPTIMIZER_COLORS[name], label=label)
        metrics[f"quadratic_final_{name}"] = bowl(P[-1]).item()
    ax_q.plot(0, 0, "*", color="gold", mec="black", ms=14)
    ax_q.set(xlabel="$x$", ylabel="$y$", aspect="equal",
             title=f"Bowl with condition number {cfg.condition:g}, {cfg.quad_steps} steps")
    ax_q.legend(frameon=False, fontsize=8, loc="lower right")

    # 2. the two-weight network's loss, and 3. its value along each path
    xx, yy, zz = loss_grid(net, xlim=(-1.5, 5.0), ylim=(-1.5, 3.0), n=cfg.grid)
    ax_n.contourf(xx, yy, zz, levels=torch.logspace(-2, 1, 25).tolist(), norm=LogNorm(), cmap="Greys",
                  alpha=0.6, extend="both")
    for name, make in ctx.track(_optimizers(cfg.net_lrs, cfg.net_momentum).items(), "network"):
        P = optimizer_path(net, cfg.net_start, make, num_steps=cfg.net_steps)
        ax_n.plot(P[:, 0], P[:, 1], "-", lw=1.3, color=OPTIMIZER_COLORS[name], label=name)
        losses = net(P).tolist()
        label = name if name != "momentum" else f"momentum (μ = {cfg.net_momentum:g})"
        ax_l.plot(range(cfg.net_steps + 1), losses, lw=1.4, color=OPTIMIZER_COLORS[name], label=label)
        metrics[f"network_final_{name}"] = losses[-1]
    ax_n.plot(*cfg.net_start, "s", color="black", ms=6)
    ax_n.plot(*P[-1].tolist(), "*", color="gold", mec="black", ms=14)  # where the last path (Adam) ends
    ax_n.set(xlabel="$w_1$", ylabel="$w_2$", title="Network ŷ = w₂ tanh(w₁x)")
    ax_l.set(xlabel="step", ylabel="mean squared error", yscale="log",
             title="The network's loss along each path")
    ax_l.grid(True, which="both", alpha=0.3)
    ax_l.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return FigureResult(fig, metrics=metrics)


# --- batch-size -----------------------------------------------------------------------


@dataclass(frozen=True)
class BatchConfig:
    n: int = 1797  # digits used for training (all of them by default)
    hidden: int = 64  # ReLU units of the one hidden layer
    num_epochs: int = 30
    lr: float = 0.05  # the fixed learning rate of the first set of runs
    batch_sizes: tuple[int, ...] = (8, 32, 128, 512)
    base_batch: int = 32  # lr is right for this batch; the second set scales it by B / base_batch


@register(
    "batch-size",
    smoke=BatchConfig(n=300, num_epochs=3, batch_sizes=(32, 128)),
    full=BatchConfig(),
    caption="A 64-64-10 ReLU network trained on the 8×8 digits by SGD with four batch sizes. Left and "
            "middle: one learning rate for all, the loss against epochs and against update steps. Right: "
            "the learning rate grown in proportion to the batch size.",
)
def batch_size(cfg: BatchConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    X, y = digits()
    X, y = X[: cfg.n] / 16.0, y[: cfg.n]  # grey levels 0-16 scaled to [0, 1]

    def train(B: int, lr: float) -> list[float]:
        model = MLP([64, cfg.hidden, 10], generator=torch.Generator().manual_seed(ctx.seed))
        config = FitConfig(num_epochs=cfg.num_epochs, batch_size=B, seed=ctx.seed, device=str(ctx.device))
        return fit(model, (X, y), loss_fn=cross_entropy, config=config,
                   optimizer=SGD(model.parameters(), lr=lr)).train_loss

    fixed = {B: train(B, cfg.lr) for B in ctx.track(cfg.batch_sizes, "fixed lr")}
    scaled = {B: fixed[B] if cfg.base_batch == B else train(B, cfg.lr * B / cfg.base_batch)
              for B in ctx.track(cfg.batch_sizes, "scaled lr")}

    fig, (ax_e, ax_s, ax_x) = plt.subplots(1, 3, figsize=(15, 4.2), sharey=True)
    colors = plt.get_cmap("viridis")(torch.linspace(0, 0.85, len(cfg.batch_sizes)).tolist())
    epochs = range(1, cfg.num_epochs + 1)
    for B, color in zip(cfg.batch_sizes, colors, strict=True):
        steps_per_epoch = math.ceil(cfg.n / B)
        ax_e.plot(epochs, fixed[B], color=color, lw=1.6, label=f"B = {B}")
        ax_s.plot([e * steps_per_epoch for e in epochs], fixed[B], color=color, lw=1.6, label=f"B = {B}")
        scaled_lr = cfg.lr * B / cfg.base_batch
        ax_x.plot(epochs, scaled[B], color=color, lw=1.6, label=f"B = {B}, lr = {scaled_lr:g}")
    ax_e.set(xlabel="epoch", ylabel="mean training loss (cross-entropy)", yscale="log",
             title=f"Same lr = {cfg.lr:g}, per epoch")
    ax_s.set(xlabel="update steps", xscale="log", title=f"Same lr = {cfg.lr:g}, per step")
    ax_x.set(xlabel="epoch", title="lr in proportion to B, per epoch")
    for ax in (ax_e, ax_s, ax_x):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    metrics = {f"fixed_final_B{B}": v[-1] for B, v in fixed.items()}
    metrics |= {f"scaled_final_B{B}": v[-1] for B, v in scaled.items()}
    return FigureResult(fig, metrics=metrics)
