"""Trained figure of docs/training/backpropagation: a network trained by hand-written backprop.

``backprop-moons`` trains one tanh MLP on the two-moons data twice from the same
initialisation: once with the gradients of dlbook.backprop (``mlp_forward_backward``,
no autograd) and ``sgd_step``, once with ``torch.autograd`` and ``torch.optim.SGD``.
Both minimise the mean squared error to targets ±1 with full-batch gradient descent.
The two loss curves lie on top of each other, and the hand-trained network draws a
curved decision boundary between the moons.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch

from dlbook.backprop import activations_from_mlp, mlp_forward_backward, params_from_mlp, sgd_step
from dlbook.datasets import moons
from dlbook.losses import mse
from dlbook.metrics import binary_accuracy
from dlbook.mlp import MLP
from dlbook.regions import decision_regions
from dlbook_build.figures.registry import Context, FigureResult, register

LIMITS = ((-1.6, 2.6), (-1.1, 1.6))  # (x1, x2) ranges of the plane the regions are drawn on


@dataclass(frozen=True)
class MoonsConfig:
    n: int = 300  # training points, half per moon
    noise: float = 0.15  # standard deviation of the Gaussian jitter around each moon
    hidden: int = 16  # units in each of the two tanh hidden layers
    num_epochs: int = 4000  # full-batch gradient-descent steps
    lr: float = 0.05  # learning rate of both; larger ones make the loss spike, and rounding differences grow
    grid: int = 200  # points per axis of the plane the regions are drawn on


@register(
    "backprop-moons",
    smoke=MoonsConfig(n=80, num_epochs=150, grid=60),
    full=MoonsConfig(),
    caption="A 2-16-16-1 tanh network trained on the two moons with hand-written backpropagation "
            "and, from the same start, with torch.autograd: the two loss curves coincide (left); "
            "the decision regions of the hand-trained network (right).",
)
def backprop_moons(cfg: MoonsConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    X, y = moons(cfg.n, noise=cfg.noise, seed=ctx.seed)
    X = X.to(ctx.device)  # (n, 2)
    Y = (2.0 * y.float() - 1.0).unsqueeze(1).to(ctx.device)  # (n, 1): −1 upper moon, +1 lower moon
    generator = torch.Generator().manual_seed(ctx.seed)
    model = MLP([2, cfg.hidden, cfg.hidden, 1], activation="tanh", generator=generator).to(ctx.device)
    twin = copy.deepcopy(model)  # the same initial weights, trained by autograd

    params, activations = params_from_mlp(model), activations_from_mlp(model)  # share model's storage
    opt = torch.optim.SGD(twin.parameters(), lr=cfg.lr)
    losses_manual: list[float] = []
    losses_autograd: list[float] = []
    for _ in ctx.track(range(cfg.num_epochs), "epochs"):
        # 1. by hand: forward, backward and update with dlbook.backprop
        loss, grads = mlp_forward_backward(params, X, Y, activations=activations)
        sgd_step(params, grads, lr=cfg.lr)  # W ← W − η ∂L/∂W, in model's own tensors
        losses_manual.append(loss.item())
        # 2. the same step with torch.autograd
        loss_twin = mse(twin(X), Y)
        opt.zero_grad()
        loss_twin.backward()
        opt.step()
        losses_autograd.append(loss_twin.item())

    with torch.no_grad():
        accuracy = binary_accuracy(model(X), y.to(ctx.device)).item()  # score ≥ 0: the lower moon
        param_diff = max((p - q).abs().max().item() for p, q in
                         zip(model.parameters(), twin.parameters(), strict=True))
    loss_diff = max(abs(a - b) for a, b in zip(losses_manual, losses_autograd, strict=True))

    fig, (ax_loss, ax_map) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [1, 1.2]})
    # 1. the two loss curves, drawn so that both stay visible where they coincide
    epochs = range(1, cfg.num_epochs + 1)
    ax_loss.plot(epochs, losses_manual, color="tab:orange", lw=4, alpha=0.6, label="hand-written backprop")
    ax_loss.plot(epochs, losses_autograd, color="black", lw=1.2, ls="--", label="torch.autograd")
    ax_loss.set(xlabel="epoch", ylabel="mean squared error", yscale="log",
                title="Training loss, same start, two gradients")
    ax_loss.text(0.97, 0.72, f"largest difference\nbetween the curves: {loss_diff:.1e}",
                 transform=ax_loss.transAxes, ha="right", va="top", fontsize=9)
    ax_loss.grid(True, which="major", alpha=0.3)
    ax_loss.legend(frameon=False)

    # 2. the network's score over the plane (a colour scale symmetric about 0, in steps of 0.5),
    # its zero line as the boundary, and the data
    image = decision_regions(ax_map, model, X, y, fill="score", xlim=LIMITS[0], ylim=LIMITS[1],
                             steps=cfg.grid, labels="label {k}")
    bound = float(image.levels[-1])
    ax_map.set(xlim=LIMITS[0], ylim=LIMITS[1], xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
               title=f"Hand-trained network: accuracy {accuracy:.0%}")
    fig.colorbar(image, ax=ax_map, label="network output", fraction=0.035, pad=0.04, shrink=0.8,
                 ticks=torch.arange(-bound, bound + 0.25, 0.5).tolist())
    ax_map.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    fig.tight_layout()
    return FigureResult(
        fig,
        metrics={"accuracy": accuracy, "loss": losses_manual[-1], "max_loss_difference": loss_diff,
                 "max_parameter_difference": param_diff},
        state_dict=model.state_dict(),
    )
