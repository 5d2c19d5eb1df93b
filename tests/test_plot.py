"""Tests for dlbook.plot: lazy matplotlib import, timeline labels, order, layout and errors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dlbook.plot import Milestone, timeline  # noqa: E402

# Deliberately out of order, with two milestones in the same year.
MILESTONES = [
    Milestone(2017, "Transformer", "attention-only sequence model", "model"),
    Milestone(1958, "Perceptron", "Rosenblatt's learning machine", "model"),
    Milestone(2009, "ImageNet", "large labelled image data set", "data"),
    Milestone(2017, "PyTorch", "public release of the framework", "software"),
    Milestone(1943, "McCulloch-Pitts neuron", "threshold logic unit", "idea"),
    Milestone(2012, "AlexNet", "GPU-trained CNN wins ILSVRC", "model"),
]


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def test_import_does_not_import_matplotlib() -> None:
    code = "import dlbook.plot, sys; assert 'matplotlib' not in sys.modules, 'matplotlib loaded'"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_one_label_per_milestone_sorted_by_year() -> None:
    fig = timeline(MILESTONES, title="A test")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    # stable sort: the two 2017 milestones keep their input order
    assert texts == [
        "1943\nMcCulloch-Pitts neuron",
        "1958\nPerceptron",
        "2009\nImageNet",
        "2012\nAlexNet",
        "2017\nTransformer",
        "2017\nPyTorch",
    ]
    assert ax.get_title() == "A test"


def test_legend_has_one_entry_per_kind() -> None:
    fig = timeline(MILESTONES)
    legend = fig.axes[0].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["idea", "model", "data", "software"]


def test_labels_do_not_overlap() -> None:
    # a crowded decade: alternating sides alone cannot keep these labels apart
    crowded = [Milestone(2010 + i // 2, f"a fairly long label {i}", "", "model") for i in range(12)]
    fig = timeline(MILESTONES + crowded)
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in fig.axes[0].texts]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), f"labels overlap: {a} and {b}"


def test_draws_into_given_axes() -> None:
    fig, (left, right) = plt.subplots(1, 2)
    out = timeline(MILESTONES[:2], ax=right)
    assert out is fig
    assert len(right.texts) == 2 and len(left.texts) == 0


def test_empty_sequence_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least one Milestone, got an empty sequence"):
        timeline([])


@pytest.mark.parametrize("year", ["1958", 1958.0, True])
def test_non_int_year_is_rejected(year: object) -> None:
    bad = Milestone(year, "Perceptron", "detail", "model")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Milestone\.year to be an int, got .*'Perceptron'"):
        timeline([MILESTONES[0], bad])


def test_non_milestone_item_is_rejected() -> None:
    with pytest.raises(TypeError, match="expects Milestone items, got tuple"):
        timeline([(1958, "Perceptron", "detail", "model")])  # type: ignore[list-item]
