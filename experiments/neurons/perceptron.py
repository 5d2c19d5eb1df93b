"""Trained figures of docs/neurons/perceptron: Rosenblatt's rule on separable blobs and on XOR.

``perceptron-separable`` trains a ``Perceptron`` on two linearly separable blobs that sit
away from the origin, so the bias has real work to do, and draws the boundary after
every epoch next to the mistakes made in each epoch. ``perceptron-xor`` runs the same
rule on the XOR data, where no line separates the classes: the mistakes never reach
zero and the final line is as wrong as the ones before it. The first figure's data come
from ``dlbook.datasets.tilted_blobs``, so the chapter trains on exactly the same points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import torch
from torch import Tensor

from dlbook.datasets import tilted_blobs, xor
from dlbook.metrics import binary_accuracy
from dlbook.perceptron import Perceptron, PerceptronHistory
from dlbook.regions import decision_regions
from dlbook_build.figures.registry import Context, FigureResult, register

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap

PAD, STEPS = 0.6, 300  # the plane drawn around the data: margin and grid points per axis


def _grid(X: Tensor, *, pad: float, steps: int) -> tuple[Tensor, Tensor, Tensor]:
    """A (steps, steps) mesh around the data: ``xx``, ``yy`` and the points as (steps², 2)."""
    lo, hi = X.amin(0) - pad, X.amax(0) + pad  # (2,), (2,)
    xx, yy = torch.meshgrid(
        torch.linspace(float(lo[0]), float(hi[0]), steps),
        torch.linspace(float(lo[1]), float(hi[1]), steps),
        indexing="xy",
    )
    return xx, yy, torch.stack([xx.flatten(), yy.flatten()], dim=1)


def _score(w: Tensor, b: Tensor, P: Tensor) -> Tensor:
    return P @ w + b  # z = x1 w1 + x2 w2 + b for every grid point


def _draw_run(
    ax: Axes, X: Tensor, y: Tensor, history: PerceptronHistory, *, faded: int | None, label_epochs: bool
) -> None:
    """Shade the final model's half-planes and draw the boundary after each epoch on top.

    ``faded`` keeps only the last that many epochs; ``label_epochs`` writes each
    earlier line's epoch number on it.
    """
    def final_score(P: Tensor) -> Tensor:
        return _score(history.weights[-1], history.biases[-1], P)

    # the final model's classes (ŷ = step(z)) and the points; its line is drawn last, on top
    decision_regions(ax, final_score, X, y, pad=PAD, steps=STEPS, alpha=0.12, boundary=False,
                     point_edge=0.4)
    xx, yy, P = _grid(X, pad=PAD, steps=STEPS)
    final = final_score(P).view_as(xx)
    epochs = range(len(history.weights))
    shown = list(epochs) if faded is None else list(epochs)[-faded:]
    cmap = _cmap()
    for rank, e in enumerate(shown[:-1]):
        z = _score(history.weights[e], history.biases[e], P).view_as(xx)
        if z.min() < 0 < z.max():  # the line crosses the plotted window
            lines = ax.contour(xx, yy, z, levels=[0.0], linewidths=1.2,
                               colors=[cmap(0.3 + 0.5 * rank / max(len(shown) - 1, 1))])
            if label_epochs:
                ax.clabel(lines, fmt={0.0: str(e + 1)}, fontsize=8, colors="0.15")
    if final.min() < 0 < final.max():
        ax.contour(xx, yy, final, levels=[0.0], colors=["black"], linewidths=2.2)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal", adjustable="box")


def _cmap() -> Colormap:
    import matplotlib

    return matplotlib.colormaps["Greys"]


def _legend_lines(ax: Axes, *, earlier: str, loc: Literal["below", "upper right"]) -> None:
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    handles += [Line2D([], [], color=_cmap()(0.5), lw=1.2), Line2D([], [], color="black", lw=2.2)]
    labels += [earlier, "final boundary"]
    if loc == "below":  # under the axes, out of the way of the lines and their numbers
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8)
    else:
        ax.legend(handles, labels, loc="upper right", fontsize=8, framealpha=0.9)


# --- Separable blobs: the rule converges -------------------------------------------


@dataclass(frozen=True)
class SeparableConfig:
    n: int = 200  # points, half per class
    std: float = 1.2  # spread of each blob
    margin: float = 0.5  # width of the empty strip between the classes
    angle_deg: float = 35.0  # rotation of the blobs about the origin
    shift: tuple[float, float] = (3.0, 4.0)  # then moved this far from the origin
    lr: float = 1.0  # η in w ← w + η (y − ŷ) x
    num_epochs: int = 100  # upper limit; fit stops at the first epoch without a mistake


@register(
    "perceptron-separable",
    smoke=SeparableConfig(n=60, num_epochs=10),
    full=SeparableConfig(),
    caption="Rosenblatt's rule on two separable blobs: the boundary after each epoch (grey, "
            "light to dark) settles on a line with no mistakes (black), and the mistakes per "
            "epoch fall to zero.",
)
def perceptron_separable(cfg: SeparableConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    X, y = tilted_blobs(cfg.n, std=cfg.std, margin=cfg.margin, angle_deg=cfg.angle_deg,
                        shift=cfg.shift, seed=ctx.seed)
    model = Perceptron(2)
    history = model.fit(X, y, lr=cfg.lr, num_epochs=cfg.num_epochs, shuffle_seed=ctx.seed)
    accuracy = binary_accuracy(model.decision(X), y).item()  # ŷ = step(z), as model.predict

    fig, (ax_data, ax_err) = plt.subplots(1, 2, figsize=(10, 4.2), width_ratios=[1.1, 1],
                                          layout="constrained")
    _draw_run(ax_data, X, y, history, faded=None, label_epochs=True)
    _legend_lines(ax_data, earlier="after epoch 1, 2, ... (numbered)", loc="below")
    ax_data.set_title(f"Decision boundary, epoch by epoch ({history.num_epochs} epochs)")

    epochs = torch.arange(1, history.num_epochs + 1)
    ax_err.bar(epochs, history.mistakes, color="tab:red", alpha=0.8)
    for e, m in zip(epochs.tolist(), history.mistakes, strict=True):
        ax_err.annotate(str(m), (e, m), ha="center", va="bottom", fontsize=8, xytext=(0, 2),
                        textcoords="offset points")
    ax_err.set_xticks(epochs.tolist())
    ax_err.set_xlabel("epoch (one pass over the data)")
    ax_err.set_ylabel("mistakes (= updates) in the epoch")
    ax_err.set_title(f"Mistakes per epoch, out of {cfg.n} points")
    ax_err.grid(axis="y", alpha=0.3)

    metrics = {
        "epochs": float(history.num_epochs),
        "converged": float(history.converged),
        "updates": float(sum(history.mistakes)),
        "accuracy": accuracy,
    }
    return FigureResult(fig, metrics=metrics, state_dict={"w": model.w, "b": model.b})


# --- XOR: the rule never settles -----------------------------------------------------


@dataclass(frozen=True)
class XorConfig:
    n: int = 200  # points, 50 near each corner of the unit square
    noise: float = 0.12  # standard deviation of the jitter around the corners
    lr: float = 1.0  # η in w ← w + η (y − ŷ) x
    num_epochs: int = 100  # every one of them runs: there is no mistake-free epoch to stop at
    last: int = 8  # how many of the last epochs' boundaries to draw


@register(
    "perceptron-xor",
    smoke=XorConfig(n=40, num_epochs=10, last=4),
    full=XorConfig(),
    caption="The same rule on XOR: the mistakes per epoch never reach zero, and the boundary "
            "keeps jumping (grey: the last epochs, black: the final one) without ever "
            "splitting the classes.",
)
def perceptron_xor(cfg: XorConfig, ctx: Context) -> FigureResult:
    import matplotlib.pyplot as plt

    X, y = xor(cfg.n, noise=cfg.noise, seed=ctx.seed)
    model = Perceptron(2)
    history = model.fit(X, y, lr=cfg.lr, num_epochs=cfg.num_epochs, shuffle_seed=ctx.seed)
    accuracy = binary_accuracy(model.decision(X), y).item()  # ŷ = step(z), as model.predict
    mistakes = torch.tensor(history.mistakes, dtype=torch.float32)  # (num_epochs,)

    fig, (ax_data, ax_err) = plt.subplots(1, 2, figsize=(10, 4.2), width_ratios=[1, 1.25],
                                          layout="constrained")
    _draw_run(ax_data, X, y, history, faded=cfg.last, label_epochs=False)
    _legend_lines(ax_data, earlier=f"after each of the {cfg.last - 1} epochs before", loc="upper right")
    ax_data.set_title(f"After {history.num_epochs} epochs: accuracy {accuracy:.0%}")

    epochs = torch.arange(1, history.num_epochs + 1)
    ax_err.plot(epochs, mistakes, color="tab:red", lw=1.2, marker="o", ms=2.5, label="mistakes in the epoch")
    ax_err.axhline(0, color="tab:green", ls="--", lw=1.2, label="zero: what convergence would look like")
    ax_err.axhline(cfg.n / 2, color="0.5", ls=":", lw=1.2, label="half the points: a coin flip")
    ax_err.set_ylim(-3, cfg.n * 0.75)
    ax_err.set_xlabel("epoch")
    ax_err.set_ylabel("mistakes (= updates) in the epoch")
    ax_err.set_title(f"Mistakes per epoch, out of {cfg.n} points (fewest: {int(mistakes.min())})")
    ax_err.grid(alpha=0.3)
    ax_err.legend(loc="upper right", fontsize=8, framealpha=0.9)

    metrics = {
        "converged": float(history.converged),
        "fewest_mistakes": float(mistakes.min()),
        "mean_mistakes": float(mistakes.mean()),
        "accuracy": accuracy,
    }
    return FigureResult(fig, metrics=metrics, state_dict={"w": model.w, "b": model.b})
