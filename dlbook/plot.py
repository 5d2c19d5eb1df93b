"""Plotting helpers shared by the book's figures, each written once and used by every chapter.

- ``timeline``: dated milestones on a line (docs/foundations/).
- ``learning_curves`` and ``learning_curves_legend``: training (dashed) and validation
  (solid) loss or metric per epoch (docs/training/).

Points and decision regions of a classifier are drawn by dlbook.regions. matplotlib (and
torch) are imported inside the functions that draw, never at module level, so
``import dlbook.plot`` stays cheap and works where matplotlib is not installed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.transforms import Bbox

    from dlbook.train import History

_LABEL_GAP_PX = 6.0  # horizontal air between two labels on the same level
_LEVEL_IN = 0.55  # height of one label level, in inches, when timeline makes its own figure
_DOT_STEP = 0.22  # levels between the dots of milestones that share a year


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
    coloured by its ``kind`` (milestones of the same year step their dots apart, towards
    their labels), and one label ``"{year}\\n{name}"`` on a stem above or
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
    for k in kinds:  # legend entries only: the dots are drawn once their labels' sides are known
        ax.scatter([], [], s=40, color=colour[k], label=k)
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

    # Dots on the line; milestones that share a year step apart towards their labels' sides,
    # so that each keeps a dot of its own colour.
    shared = Counter(m.year for m in items)
    placed: Counter[tuple[int, bool]] = Counter()
    for m, level in zip(items, levels, strict=True):
        up = level > 0
        placed[m.year, up] += 1
        y = 0.0 if shared[m.year] == 1 else _DOT_STEP * placed[m.year, up] * (1.0 if up else -1.0)
        ax.scatter([m.year], [y], s=40, color=colour[m.kind], zorder=4)

    top, bottom = max(max(levels), 1) + 0.9, min(min(levels), -1) - 0.9
    ax.set_ylim(bottom, top)
    if own:
        fig.set_size_inches(12.0, max(3.5, (top - bottom) * _LEVEL_IN + 1.4))
    return fig


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
