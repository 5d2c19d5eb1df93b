"""Plotting helpers shared by the book's figures, each written once and used by every chapter.

- ``timeline``: dated milestones on a line (docs/foundations/).
- ``scatter_classes`` and ``decision_regions``: a 2-D classification problem, its points
  coloured by class and the plane shaded by what a model predicts (docs/neurons/ on).
- ``learning_curves`` and ``learning_curves_legend``: training (dashed) and validation
  (solid) loss or metric per epoch (docs/training/).

Classes always take their colours from dlbook.palette, so class 1 looks the same in every
chapter. matplotlib (and torch) are imported inside the functions that draw, never at
module level, so ``import dlbook.plot`` stays cheap and works where matplotlib is not installed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from dlbook.palette import CLASS_COLORS, class_color

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.collections import PathCollection
    from matplotlib.colors import Colormap
    from matplotlib.contour import QuadContourSet
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.transforms import Bbox
    from torch import Tensor

    from dlbook.train import History

_LABEL_GAP_PX = 6.0  # horizontal air between two labels on the same level
_LEVEL_IN = 0.55  # height of one label level, in inches, when timeline makes its own figure


@dataclass(frozen=True)
class Milestone:
    """One dated event on a timeline.

    ``name`` is the short label drawn on the figure, ``detail`` a longer sentence
    for tables and captions, ``kind`` a short category ("idea", "model", "data",
    "hardware", "software") that picks the colour.
    """

    year: int
    name: str
    detail: str
    kind: str


def _check(milestones: Sequence[Milestone]) -> list[Milestone]:
    """The milestones sorted by year (stable), after checking them; raises on bad input."""
    if len(milestones) == 0:
        raise ValueError("timeline expects at least one Milestone, got an empty sequence")
    for m in milestones:
        if not isinstance(m, Milestone):
            raise TypeError(f"timeline expects Milestone items, got {type(m).__name__}: {m!r}")
        if not isinstance(m.year, int) or isinstance(m.year, bool):
            raise ValueError(
                f"timeline expects Milestone.year to be an int, got {m.year!r} "
                f"({type(m.year).__name__}) for {m.name!r}"
            )
    return sorted(milestones, key=lambda m: m.year)


def _level_order(i: int, max_level: int) -> list[int]:
    """Levels to try for the i-th label: 1 and -1 first (alternating sides), then 2, -2, ..."""
    side = 1 if i % 2 == 0 else -1
    return [s * k for k in range(1, max_level + 1) for s in (side, -side)]


def _fit_xlim(ax: Axes, first: float, last: float, left: Bbox, right: Bbox) -> None:
    """Widen the x range just enough that the first and last labels (centred) fit inside.

    With ``W`` the axes width and ``h`` a label's half width plus a margin (pixels), the
    left pad ``p`` must satisfy ``p / T * W = h`` where ``T`` is the whole span in years,
    so ``T = (last - first) / (1 - (h_left + h_right) / W)``.
    """
    width = ax.get_window_extent().width
    h_left, h_right = left.width / 2 + _LABEL_GAP_PX, right.width / 2 + _LABEL_GAP_PX
    span = max(last - first, 1.0) / max(1.0 - (h_left + h_right) / width, 0.2)
    ax.set_xlim(first - span * h_left / width, last + span * h_right / width)


def timeline(
    milestones: Sequence[Milestone], *, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """Draw ``milestones`` as a horizontal timeline and return the figure.

    Years run along the x axis. Each milestone gets a dot on the centre line,
    coloured by its ``kind``, and one label ``"{year}\\n{name}"`` on a stem above or
    below the line. Labels are placed in year order on the first free level,
    alternating sides, so that no two labels overlap. Without ``ax`` a new figure
    is made, tall enough for the levels needed; with ``ax`` the timeline is drawn
    into it. Raises ``ValueError`` for an empty sequence or a non-int year, and
    ``TypeError`` for an item that is not a ``Milestone``.
    """
    items = _check(milestones)
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure
    from matplotlib.ticker import MultipleLocator

    own = ax is None
    if ax is None:
        _, ax = plt.subplots(figsize=(12.0, 5.0), layout="constrained")
    owner = ax.figure
    fig = owner if isinstance(owner, Figure) else owner.figure  # a SubFigure's root figure
    if not isinstance(fig, Figure):
        raise ValueError("timeline expects an ax that belongs to a figure")

    # Colour by kind: a fixed palette, kinds in order of first appearance.
    palette = plt.get_cmap("tab10").colors  # type: ignore[attr-defined]
    kinds = list(dict.fromkeys(m.kind for m in items))
    colour = {k: palette[i % len(palette)] for i, k in enumerate(kinds)}

    # Everything that sets the axes' width comes first, so label extents are final.
    first, last = items[0].year, items[-1].year
    ax.set_xlim(first - 1.0, last + 1.0)  # provisional: fixed once label widths are known
    ax.yaxis.set_visible(False)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.xaxis.set_major_locator(MultipleLocator(10))
    ax.grid(axis="x", color="0.9", zorder=0)
    ax.set_xlabel("year")
    ax.axhline(0.0, color="0.3", linewidth=1.5, zorder=1)
    for k in kinds:
        years = [m.year for m in items if m.kind == k]
        ax.scatter(years, [0.0] * len(years), s=40, color=colour[k], zorder=4, label=k)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(kinds),
              frameon=False, fontsize=9)
    if title is not None:
        ax.set_title(title, pad=26.0)  # points: room for the legend row under the title
    fig.draw_without_rendering()
    labels = [
        ax.text(m.year, 0.0, f"{m.year}\n{m.name}", ha="center", fontsize=9, linespacing=1.15,
                zorder=3, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
        for m in items
    ]
    _fit_xlim(ax, first, last, labels[0].get_window_extent(), labels[-1].get_window_extent())

    # Place labels greedily: on each level, remember where its last label ended (pixels).
    right_edge: dict[int, float] = {}
    levels: list[int] = []
    for i, (m, label) in enumerate(zip(items, labels, strict=True)):
        box: Bbox = label.get_window_extent()
        level = next(
            lv for lv in _level_order(i, len(items))
            if box.x0 > right_edge.get(lv, float("-inf")) + _LABEL_GAP_PX
        )
        right_edge[level] = box.x1
        levels.append(level)
        label.set_y(float(level))
        label.set_verticalalignment("bottom" if level > 0 else "top")
        # the stem, under the label: the label's white box hides stems that pass behind it
        ax.plot([m.year, m.year], [0.0, level], color=colour[m.kind], linewidth=1.0, zorder=2)

    top, bottom = max(max(levels), 1) + 0.9, min(min(levels), -1) - 0.9
    ax.set_ylim(bottom, top)
    if own:
        fig.set_size_inches(12.0, max(3.5, (top - bottom) * _LEVEL_IN + 1.4))
    return fig


# --- Classes in the plane: points and decision regions -------------------------------

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


# --- Learning curves -------------------------------------------------------------------

_TRAIN_STYLE: dict[str, Any] = {"ls": "--", "lw": 1.3}  # training curves dashed
_VAL_STYLE: dict[str, Any] = {"ls": "-", "lw": 1.8}  # validation curves solid


def learning_curves(ax: Axes, history: History | Mapping[str, Sequence[float]], *, metric: str = "loss",
                    color: Any = None, label: str | None = None) -> list[Line2D]:
    """Draw one run's training (dashed) and validation (solid) curve of ``metric`` per epoch.

    ``history`` is a ``dlbook.train.History`` or a mapping with fit's log names:
    ``"train_loss"`` and ``"val_loss"`` for ``metric="loss"``, ``"acc"`` and ``"val_acc"``
    for ``metric="acc"``. Either curve may be missing, not both. Both share ``color``
    (default: the axes' next colour); ``label`` names the run in the legend, on the
    validation curve when there is one. Epochs run from 1. Returns the lines drawn.
    """
    if isinstance(history, Mapping):
        logs: Mapping[str, Sequence[float]] = history
    else:  # a History: its losses and its metrics, under fit's log names
        logs = {"train_loss": history.train_loss, "val_loss": history.val_loss, **history.metrics}
    keys = ("train_loss", "val_loss") if metric == "loss" else (metric, f"val_{metric}")
    series = [(logs.get(key) or [], style)
              for key, style in zip(keys, (_TRAIN_STYLE, _VAL_STYLE), strict=True)]
    if not any(values for values, _ in series):
        raise ValueError(f"learning_curves found no {keys[0]!r} or {keys[1]!r} to draw, got the keys "
                         f"{sorted(logs)}")
    lines: list[Line2D] = []
    last = max(i for i, (values, _) in enumerate(series) if values)  # the curve that carries the label
    for i, (values, style) in enumerate(series):
        if values:
            (line,) = ax.plot(range(1, len(values) + 1), list(values), color=color,
                              label=label if i == last else None, **style)
            color = line.get_color()  # the validation curve takes the training curve's colour
            lines.append(line)
    return lines


def learning_curves_legend(ax: Axes, **legend_kw: Any) -> None:
    """A legend of the runs drawn by ``learning_curves``, plus one grey entry per line style."""
    handles, labels = ax.get_legend_handles_labels()
    handles += [ax.plot([], [], color="grey", **_TRAIN_STYLE)[0],
                ax.plot([], [], color="grey", **_VAL_STYLE)[0]]
    labels += ["training (dashed)", "validation (solid)"]
    ax.legend(handles, labels, **{"frameon": False, **legend_kw})
