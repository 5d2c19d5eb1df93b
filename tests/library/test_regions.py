"""Tests for dlbook.regions: a classifier's points and decision regions, in the book's palette."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import matplotlib
import numpy as np
import pytest
import torch
from torch import Tensor

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.contour import QuadContourSet  # noqa: E402

from dlbook.palette import class_color  # noqa: E402
from dlbook.regions import decision_regions, scatter_classes  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def test_import_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import dlbook.regions, sys; assert 'matplotlib' not in sys.modules, 'matplotlib loaded'"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


# --- decision_regions and scatter_classes ------------------------------------------------

# four points, classes split by the line x₁ = 1
X4 = torch.tensor([[0.0, 0.0], [0.5, 2.0], [1.5, 1.0], [2.0, 0.5]])
Y4 = torch.tensor([0, 0, 1, 1])


def logit(P: Tensor) -> Tensor:
    """z = x₁ − 1: class 1 right of the line x₁ = 1. (G, 2) -> (G,)"""
    return P[:, 0] - 1


def contour_lines(ax: plt.Axes) -> list[QuadContourSet]:
    return [c for c in ax.collections if isinstance(c, QuadContourSet) and not c.filled]


def boundary_x(ax: plt.Axes) -> Tensor:
    """The x₁ of every vertex of the (only) boundary line drawn."""
    (lines,) = contour_lines(ax)
    (segments,) = lines.allsegs  # one level
    return torch.cat([torch.as_tensor(seg[:, 0]) for seg in segments])


@pytest.mark.parametrize("output", ["(G,)", "(G, 1)", "(G, 2)"])
def test_binary_class_regions_boundary_and_points(output: str) -> None:
    models = {
        "(G,)": logit,
        "(G, 1)": lambda P: logit(P).unsqueeze(1),
        "(G, 2)": lambda P: torch.stack([torch.zeros(len(P)), logit(P)], dim=1),  # s₁ − s₀ = z
    }
    fig, ax = plt.subplots()
    regions = decision_regions(ax, models[output], X4, Y4, steps=50)
    assert regions.filled
    # two bands, class 0's colour below z = 0 and class 1's above, at the default alpha
    assert [tuple(c) for c in regions.get_facecolor()] == [to_rgba(class_color(k), 0.25) for k in (0, 1)]
    torch.testing.assert_close(boundary_x(ax), torch.full_like(boundary_x(ax), 1.0), atol=1e-6, rtol=0)
    points = ax.collections[2:]
    assert [tuple(p.get_facecolor()[0]) for p in points] == [to_rgba(class_color(k)) for k in (0, 1)]
    assert [p.get_label() for p in points] == ["class 0", "class 1"]
    assert [len(p.get_offsets()) for p in points] == [2, 2]


def test_the_grid_covers_the_data_with_padding_or_the_given_limits() -> None:
    fig, axes = plt.subplots(1, 3)
    decision_regions(axes[0], logit, X4, Y4, pad=0.5)
    assert axes[0].get_xlim() == pytest.approx((-0.5, 2.5))
    assert axes[0].get_ylim() == pytest.approx((-0.5, 2.5))
    decision_regions(axes[1], logit, X4 * torch.tensor([1.0, 0.5]), Y4, pad=0.1, square=True)
    assert axes[1].get_xlim() == axes[1].get_ylim() == pytest.approx((-0.1, 2.1))
    decision_regions(axes[2], logit, X4, Y4, xlim=(-3.0, 3.0), ylim=(0.0, 1.0))
    assert axes[2].get_xlim() == (-3.0, 3.0) and axes[2].get_ylim() == (0.0, 1.0)


def test_the_model_is_called_once_on_the_grid_without_gradients() -> None:
    calls: list[tuple[int, ...]] = []

    def model(P: Tensor) -> Tensor:
        calls.append(tuple(P.shape))
        assert not torch.is_grad_enabled() and P.dtype == X4.dtype
        return logit(P)

    fig, ax = plt.subplots()
    decision_regions(ax, model, X4, steps=17)
    assert calls == [(17 * 17, 2)]
    assert len(ax.collections) == 2  # regions and boundary; no points without y


def test_multiclass_regions_take_the_argmax_in_the_palette() -> None:
    X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 1.0]])
    y = torch.tensor([0, 1, 2, 2])
    centers = torch.tensor([0.0, 1.0, 2.5])

    def scores(P: Tensor) -> Tensor:  # the nearest center along x₁ wins: (G, 3)
        return -(P[:, :1] - centers) ** 2

    fig, ax = plt.subplots()
    regions = decision_regions(ax, scores, X, y, fill="class", boundary=False, labels="label {k}")
    assert list(regions.levels) == [-0.5, 0.5, 1.5, 2.5]
    assert [tuple(c) for c in regions.get_facecolor()] == [to_rgba(class_color(k), 0.25) for k in range(3)]
    assert contour_lines(ax) == []
    assert [p.get_label() for p in ax.collections[1:]] == ["label 0", "label 1", "label 2"]


def test_probability_fill_with_the_default_and_a_given_colour_map() -> None:
    fig, (left, right) = plt.subplots(1, 2)
    regions = decision_regions(left, logit, X4, Y4, fill="probability")
    assert regions.levels == pytest.approx([k / 10 for k in range(11)])
    assert regions.get_alpha() == 0.55
    # the default map runs from class 0's colour to class 1's
    assert regions.cmap(0.0) == to_rgba(class_color(0)) and regions.cmap(1.0) == to_rgba(class_color(1))
    torch.testing.assert_close(boundary_x(left), torch.full_like(boundary_x(left), 1.0), atol=1e-6, rtol=0)
    special = decision_regions(right, logit, X4, Y4, fill="probability", cmap="RdBu_r", levels=[0, 0.5, 1],
                               alpha=0.3, boundary_color="white", boundary_width=3.0)
    assert special.cmap.name == "RdBu_r" and list(special.levels) == [0, 0.5, 1]
    assert special.get_alpha() == 0.3
    (line,) = contour_lines(right)
    assert tuple(line.get_edgecolor()[0]) == to_rgba("white") and line.get_linewidth()[0] == 3.0
    fig.colorbar(special, ax=right)  # the returned set is what a colour bar needs
    levels = decision_regions(left, logit, X4, fill="probability", levels=np.linspace(0, 1, 5)).levels
    assert list(levels) == [0, 0.25, 0.5, 0.75, 1]  # levels as a NumPy array, as matplotlib takes them


def test_score_fill_is_symmetric_about_zero() -> None:
    fig, ax = plt.subplots()
    regions = decision_regions(ax, logit, X4, Y4, fill="score", pad=0.5)  # z from −1.5 to 1.5 on the grid
    assert regions.levels == pytest.approx(torch.linspace(-1.5, 1.5, 13).tolist())


def test_no_boundary_where_the_model_does_not_change_its_mind() -> None:
    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib would warn about a contour level it cannot find
        decision_regions(ax, lambda P: torch.ones(len(P)), X4, Y4)
    assert contour_lines(ax) == []


def test_decision_regions_names_bad_input() -> None:
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"fill='probability' for two classes only, got scores for 3"):
        decision_regions(ax, lambda P: torch.zeros(len(P), 3), X4, fill="probability")
    with pytest.raises(ValueError, match=r"logits \(G,\) or \(G, 1\) or class scores \(G, K\) "
                                         r"for G = 100 points, got \(100, 2, 1\)"):
        decision_regions(ax, lambda P: torch.zeros(len(P), 2, 1), X4, steps=10)
    with pytest.raises(ValueError, match=r"for G = 100 points, got \(4,\)"):
        decision_regions(ax, lambda P: torch.zeros(4), X4, steps=10)
    with pytest.raises(ValueError, match=r"X of shape \(n, 2\), got \(4, 3\)"):
        decision_regions(ax, logit, torch.zeros(4, 3))
    with pytest.raises(ValueError, match="steps to be an int >= 2, got 1"):
        decision_regions(ax, logit, X4, steps=1)
    with pytest.raises(ValueError, match="fill 'class', 'probability' or 'score', got 'odds'"):
        decision_regions(ax, logit, X4, fill="odds")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="colours for 7 classes, got 8"):
        decision_regions(ax, lambda P: torch.zeros(len(P), 8), X4)


def test_scatter_classes_colours_every_class_and_refuses_bad_shapes() -> None:
    fig, ax = plt.subplots()
    X = torch.randn(30, 2, generator=torch.Generator().manual_seed(0))
    y = torch.arange(30) % 4
    collections = scatter_classes(ax, X, y, labels=None, s=5, edge_width=0)
    assert [tuple(c.get_facecolor()[0]) for c in collections] == [to_rgba(class_color(k)) for k in range(4)]
    assert sum(len(c.get_offsets()) for c in collections) == 30
    assert all(c.get_label().startswith("_") for c in collections)  # no legend entries
    with pytest.raises(ValueError, match=r"X \(n, 2\) and y \(n,\), got \(30, 2\) and \(29,\)"):
        scatter_classes(ax, X, y[:29])
