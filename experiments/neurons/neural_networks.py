"""Trained figures of docs/neurons/neural-networks: a 2-2-1 MLP learns XOR.

Both figures train the same small network, ``MLP([2, 2, 1], activation="tanh")``, on
noisy XOR with binary cross-entropy, from several random initialisations (a network
this narrow sometimes stalls in a poor solution), and keep the run with the lowest
final loss. ``xor-mlp-regions`` draws the learned decision regions, ``xor-mlp-hidden``
what each hidden unit computes and the data as the output unit sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from dlbook.datasets import xor
from dlbook.losses import binary_cross_entropy_with_logits
from dlbook.metrics import binary_accuracy
from dlbook.mlp import MLP, Dense
from dlbook.regions import decision_regions, scatter_classes
from dlbook_build.figures.registry import Context, FigureResult, register

LIMITS = (-0.6, 1.6)  # both input axes: the four corners plus the noise around them


@dataclass(frozen=True)
class XorConfig:
    n: int = 200  # training points, 50 around each corner of the unit square
    noise: float = 0.15  # standard deviation of the Gaussian jitter around each corner
    hidden: int = 2  # hidden tanh units; 2 is the fewest that can solve XOR
    restarts: int = 6  # random initialisations tried; the lowest final loss is kept
    num_epochs: int = 400  # full-batch Adam steps per initialisation
    lr: float = 0.05  # Adam learning rate
    grid: int = 200  # points per axis of the plane the regions are drawn on


@dataclass
class XorRun:
    model: MLP
    losses: list[float]  # training loss after every epoch


def train_xor(cfg: XorConfig, ctx: Context) -> tuple[Tensor, Tensor, list[XorRun]]:
    """Train ``cfg.restarts`` networks on the same data; return X, y and every run."""
    X, y = xor(cfg.n, noise=cfg.noise, seed=ctx.seed)
    X, y = X.to(ctx.device), y.to(ctx.device)
    runs: list[XorRun] = []
    for restart in range(cfg.restarts):
        generator = torch.Generator().manual_seed(1000 * ctx.seed + restart)
        model = MLP([2, cfg.hidden, 1], activation="tanh", generator=generator).to(ctx.device)
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
        losses: list[float] = []
        for _ in ctx.track(range(cfg.num_epochs), f"restart {restart + 1}/{cfg.restarts}"):
            z = model(X).squeeze(1)  # (n,) logits
            loss = binary_cross_entropy_with_logits(z, y.float())
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs.append(XorRun(model=model, losses=losses))
    return X, y, runs


def _best(runs: list[XorRun]) -> XorRun:
    return min(runs, key=lambda run: run.losses[-1])


def _plane(cfg: XorConfig, device: torch.device) -> tuple[Tensor, Tensor, Tensor]:
    """A (grid, grid) mesh over the input plane and its points as a (grid², 2) batch."""
    ticks = torch.linspace(*LIMITS, cfg.grid, device=device)
    xx, yy = torch.meshgrid(ticks, ticks, indexing="xy")  # (grid, grid) each
    return xx, yy, torch.stack([xx.flatten(), yy.flatten()], dim=1)  # (grid², 2)


def _metrics(runs: list[XorRun], X: Tensor, y: Tensor) -> dict[str, float]:
    best = _best(runs)
    solved = sum(binary_accuracy(run.model(X), y).item() >= 0.95 for run in runs)
    corners = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], device=X.device)
    truth = torch.tensor([0, 1, 1, 0], device=X.device)
    return {
        "accuracy": binary_accuracy(best.model(X), y).item(),
        "loss": best.losses[-1],
        "corners_correct": len(corners) * binary_accuracy(best.model(corners), truth).item(),
        "restarts_solved": float(solved),
        "restarts": float(len(runs)),
    }


@register(
    "xor-mlp-regions",
    smoke=XorConfig(n=40, restarts=2, num_epochs=60, grid=60),
    full=XorConfig(),
    caption="A 2-2-1 tanh network trained on noisy XOR: the training loss of every "
            "initialisation (left) and the decision regions of the best one (right).",
)
def xor_mlp_regions(cfg: XorConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    X, y, runs = train_xor(cfg, ctx)
    best = _best(runs)

    fig, (ax_loss, ax_map) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [1.15, 1]})
    # 1. the loss of every restart; the stalled ones flatten out high above the best
    for run in runs:
        if run is not best:
            ax_loss.plot(run.losses, color="0.7", lw=1)
    ax_loss.plot([], [], color="0.7", lw=1, label="other initialisations")
    ax_loss.plot(best.losses, color="black", lw=2, label="kept (lowest final loss)")
    ax_loss.set(xlabel="epoch", ylabel="binary cross-entropy", yscale="log",
                title="Training loss from different random starts")
    ax_loss.grid(True, which="major", alpha=0.3)
    ax_loss.legend(loc="center right", frameon=False)

    # 2. P(label 1) over the plane, the 0.5 contour as the boundary, and the data
    image = decision_regions(ax_map, best.model, X, y, fill="probability", xlim=LIMITS, ylim=LIMITS,
                             steps=cfg.grid, labels="label {k}")
    ax_map.set(xlim=LIMITS, ylim=LIMITS, xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
               title="Learned decision regions")
    fig.colorbar(image, ax=ax_map, label="predicted P(label 1)", fraction=0.046, pad=0.04)
    ax_map.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    fig.tight_layout()
    return FigureResult(fig, metrics=_metrics(runs, X, y), state_dict=best.model.state_dict())


@register(
    "xor-mlp-hidden",
    smoke=XorConfig(n=40, restarts=2, num_epochs=60, grid=60),
    full=XorConfig(),
    caption="Inside the trained XOR network: each hidden tanh unit over the input plane, "
            "its zero line dashed (left, middle), and the data in hidden space, where the "
            "output unit's straight line separates the classes (right).",
)
def xor_mlp_hidden(cfg: XorConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    X, y, runs = train_xor(cfg, ctx)
    best = _best(runs)
    hidden, output = best.model.layers[0], best.model.layers[1]
    assert isinstance(hidden, Dense) and isinstance(output, Dense)
    xx, yy, points = _plane(cfg, ctx.device)
    with torch.no_grad():
        H_plane = hidden(points).cpu()  # (grid², hidden) tanh activations
        H = hidden(X)  # (n, hidden): the data as the output unit sees it
    shown = min(cfg.hidden, 2)  # the hidden-space panel can show two units

    fig, axes = plt.subplots(1, shown + 1, figsize=(3.5 * (shown + 1), 3.7), layout="constrained")
    # 1. each hidden unit is one tanh neuron: a soft step across its own straight line
    for j in range(shown):
        ax = axes[j]
        h = H_plane[:, j].reshape(xx.shape)
        image = ax.contourf(xx.cpu(), yy.cpu(), h, levels=torch.linspace(-1, 1, 11).tolist(),
                            cmap="PuOr_r", alpha=0.6)
        ax.contour(xx.cpu(), yy.cpu(), h, levels=[0.0], colors="black", linestyles="--", linewidths=1.2)
        scatter_classes(ax, X, y, labels="label {k}")
        ax.set(xlim=LIMITS, ylim=LIMITS, xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
               title=f"hidden unit {j + 1}: $h_{j + 1}$ = tanh($z_{j + 1}$)")
    fig.colorbar(image, ax=list(axes[:shown]), label="hidden activation", shrink=0.8,
                 ticks=[-1.0, -0.5, 0.0, 0.5, 1.0])

    # 2. the data in hidden space, with the output unit's line w·h + b = 0
    ax = axes[shown]
    scatter_classes(ax, H[:, :2], y, labels="label {k}")
    w = output.weight.detach()[0].cpu()  # (hidden,)
    b = output.bias.detach()[0].cpu()
    if cfg.hidden == 2:
        t = torch.linspace(-1.2, 1.2, 50)
        if abs(w[1].item()) >= abs(w[0].item()):  # h2 = −(w1 h1 + b) / w2
            ax.plot(t, -(w[0] * t + b) / w[1], color="black", lw=1.5, label="output unit: $z = 0$")
        else:  # h1 = −(w2 h2 + b) / w1
            ax.plot(-(w[1] * t + b) / w[0], t, color="black", lw=1.5, label="output unit: $z = 0$")
    ax.set(xlim=(-1.15, 1.15), ylim=(-1.15, 1.15), xlabel="$h_1$", ylabel="$h_2$", aspect="equal",
           title="the data in hidden space")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False, fontsize=9)
    return FigureResult(fig, metrics=_metrics(runs, X, y), state_dict=best.model.state_dict())
