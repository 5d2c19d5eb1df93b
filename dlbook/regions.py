"""A 2-D classification problem drawn once for every chapter: its points coloured by class and
the plane shaded by what a model predicts, taught from docs/neurons/perceptron/ on.

- ``scatter_classes``: the points, one colour per class from dlbook.palette.
- ``decision_regions``: the plane on a grid, filled by predicted class, by probability
  (binary) or by raw score, with the boundary where the prediction changes.

Classes always take their colours from dlbook.palette, so class 1 looks the same in every
chapter. matplotlib and torch are imported inside the functions that draw, so
``import dlbook.regions`` stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from dlbook.palette import CLASS_COLORS, class_color

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.collections import PathCollection
    from matplotlib.colors import Colormap
    from matplotlib.contour import QuadContourSet
    from torch import Tensor

Fill = Literal["class", "probability", "score"]
_FILL_ALPHA = {"class": 0.25, "probability": 0.55, "score": 0.55}


def scatter_classes(ax: Axes, X: Tensor, y: Tensor, *, s: float = 14.0, labels: str | None = "class {k}",
                    edge_width: float = 0.5, zorder: float = 3.0) -> list[PathCollection]:
    """Scatter the rows of ``X`` (n, 2), each class ``k`` of ``y`` (n,) in ``class_color(k)``.

    Points get a thin white edge (``edge_width``, 0 for none) so overlapping ones stay
    apart. ``labels`` is a format string for each class's legend entry (``"label {k}"``),
    or None for no entries. Returns one collection per class, 0 to ``max(y)``.
    """
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != X.shape[:1]:
        raise ValueError(f"scatter_classes expects X (n, 2) and y (n,), got {tuple(X.shape)} "
                         f"and {tuple(y.shape)}")
    X, y = X.detach().cpu(), y.detach().cpu()
    num_classes = int(y.max()) + 1 if len(y) else 0
    return [ax.scatter(X[y == k, 0], X[y == k, 1], s=s, color=class_color(k), edgecolors="white",
                       linewidths=edge_width, zorder=zorder,
                       label=None if labels is None else labels.format(k=k))
            for k in range(num_classes)]


def _plane(X: Tensor, xlim: tuple[float, float] | None, ylim: tuple[float, float] | None, pad: float,
           square: bool, steps: int) -> tuple[Tensor, Tensor]:
    """The mesh ``xx, yy`` (steps, steps) over the limits, or the data's range widened by ``pad``."""
    import torch

    lo = [float(v) - pad for v in X.detach().amin(0)]  # [x₁ low, x₂ low]
    hi = [float(v) + pad for v in X.detach().amax(0)]
    if square:  # one range for both axes: the union of the two
        lo, hi = [min(lo)] * 2, [max(hi)] * 2
    x_range = xlim or (lo[0], hi[0])
    y_range = ylim or (lo[1], hi[1])
    xs = torch.linspace(*x_range, steps, device=X.device)
    ys = torch.linspace(*y_range, steps, device=X.device)
    xx, yy = torch.meshgrid(xs, ys, indexing="xy")  # (steps, steps) each, x along the columns
    return xx, yy


def _binary_logit(out: Tensor) -> Tensor | None:
    """The logit of class 1, (G,), if ``out`` scores two classes; None for more."""
    if out.ndim == 1:
        return out
    if out.ndim == 2 and out.shape[1] == 1:
        return out[:, 0]
    if out.ndim == 2 and out.shape[1] == 2:
        return out[:, 1] - out[:, 0]  # softmax(s)_1 = σ(s_1 − s_0)
    return None


def decision_regions(
    ax: Axes,
    model: Callable[[Tensor], Tensor],
    X: Tensor,
    y: Tensor | None = None,
    *,
    fill: Fill = "class",
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    pad: float = 0.5,
    square: bool = False,
    steps: int = 200,
    alpha: float | None = None,
    cmap: str | Colormap | None = None,
    levels: Sequence[float] | None = None,
    boundary: bool = True,
    boundary_color: str = "black",
    boundary_width: float = 1.5,
    point_size: float = 14.0,
    point_edge: float = 0.5,
    labels: str | None = "class {k}",
) -> QuadContourSet:
    """Shade the plane by what ``model`` predicts, draw its boundary, and scatter ``X`` by class ``y``.

    ``model`` maps points (G, 2) to binary logits (G,) or (G, 1), or to class scores
    (G, K); it is called once on a ``steps`` x ``steps`` grid, under ``torch.no_grad``,
    on the device of ``X``. The grid covers ``xlim`` x ``ylim``, by default the range of
    ``X`` widened by ``pad`` on every side (``square=True``: the same range on both axes).
    ``fill`` chooses what is shaded:

    - ``"class"``: the predicted class, in the palette's colours (binary: class 1
      where the logit z ≥ 0, the rule of dlbook.metrics.binary_accuracy; K classes: argmax);
    - ``"probability"``: P(class 1) = σ(z) in ``levels`` (default 0, 0.1, ..., 1) of
      ``cmap`` (default: class 0's colour, through white, to class 1's);
    - ``"score"``: z itself, on levels symmetric about 0 (default 12 bands out to the
      nearest 0.5 above max |z|), for models trained on targets ±1 rather than logits.

    Two-class scores (G, 2) count as binary, with z = s₁ − s₀. The boundary (z = 0,
    p = 1/2, or between argmax regions) is drawn where it crosses the plane. Returns the
    filled contour set, for ``fig.colorbar``; the axes' limits are set to the grid.
    """
    import torch

    if fill not in _FILL_ALPHA:
        raise ValueError(f"decision_regions expects fill 'class', 'probability' or 'score', got {fill!r}")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_regions expects X of shape (n, 2), got {tuple(X.shape)}")
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 2:
        raise ValueError(f"decision_regions expects steps to be an int >= 2, got {steps!r}")
    xx, yy = _plane(X, xlim, ylim, pad, square, steps)
    with torch.no_grad():
        out = model(torch.stack([xx.flatten(), yy.flatten()], dim=1))  # (steps², ...) on X's device
    if not (out.ndim in (1, 2) and out.shape[0] == steps * steps):
        raise ValueError(f"decision_regions expects the model to return logits (G,) or (G, 1) or class "
                         f"scores (G, K) for G = {steps * steps} points, got {tuple(out.shape)}")
    z = _binary_logit(out)
    if z is None and fill != "class":
        raise ValueError(f"decision_regions draws fill={fill!r} for two classes only, got scores for "
                         f"{out.shape[1]} classes; use fill='class'")

    alpha = _FILL_ALPHA[fill] if alpha is None else alpha
    xx, yy = xx.cpu(), yy.cpu()
    if z is None:  # K classes: the argmax, one band per class
        K = out.shape[1]
        if len(CLASS_COLORS) < K:
            raise ValueError(f"decision_regions has colours for {len(CLASS_COLORS)} classes, got {K}")
        field = out.argmax(dim=1).float().view(steps, steps).cpu()  # (steps, steps) class index
        regions = ax.contourf(xx, yy, field, levels=[k - 0.5 for k in range(K + 1)],
                              colors=CLASS_COLORS[:K], alpha=alpha)
        threshold: list[float] = [k + 0.5 for k in range(K - 1)]
    else:
        z = z.float().view(steps, steps).cpu()  # (steps, steps) logit of class 1
        if fill == "class":  # two bands split at z = 0, so the boundary is interpolated, not blocky
            field, threshold = z, [0.0]
            bands = [min(float(z.min()), 0.0) - 1.0, 0.0, max(float(z.max()), 0.0) + 1.0]
            regions = ax.contourf(xx, yy, field, levels=bands, colors=CLASS_COLORS[:2], alpha=alpha)
        else:
            if fill == "probability":
                field, threshold = torch.sigmoid(z), [0.5]  # p = σ(z)
                default = [i / 10 for i in range(11)]
            else:
                field, threshold = z, [0.0]
                bound = max(math.ceil(2 * float(z.abs().max())) / 2, 0.5)
                default = torch.linspace(-bound, bound, 13).tolist()
            regions = ax.contourf(xx, yy, field, levels=list(default if levels is None else levels),
                                  cmap=cmap or _class_cmap(), alpha=alpha)
    if boundary:
        crossed = [t for t in threshold if float(field.min()) < t < float(field.max())]
        if crossed:
            ax.contour(xx, yy, field, levels=crossed, colors=[boundary_color], linewidths=boundary_width)
    if y is not None:
        scatter_classes(ax, X, y, s=point_size, labels=labels, edge_width=point_edge)
    ax.set_xlim(float(xx[0, 0]), float(xx[0, -1]))
    ax.set_ylim(float(yy[0, 0]), float(yy[-1, 0]))
    return regions


def _class_cmap() -> Colormap:
    """A diverging colour map from class 0's colour, through white, to class 1's."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("dlbook_classes", [class_color(0), "#ffffff", class_color(1)])
