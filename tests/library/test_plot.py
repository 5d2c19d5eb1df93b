"""Tests for dlbook.plot: lazy import, the timeline and learning curves."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dlbook.plot import Milestone, learning_curves, learning_curves_legend, timeline  # noqa: E402
from dlbook.train import History  # noqa: E402

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


def test_every_milestone_has_its_own_dot_even_in_a_shared_year() -> None:
    same_year = [Milestone(2015, name, "", kind) for name, kind in
                 (("first", "model"), ("second", "data"), ("third", "idea"))]
    fig = timeline(MILESTONES + same_year)
    dots = [tuple(offset) for c in fig.axes[0].collections for offset in c.get_offsets()]
    assert len(dots) == len(MILESTONES) + 3  # one dot per milestone (legend proxies are empty)
    assert len(set(dots)) == len(dots), f"two dots at the same place: {sorted(dots)}"
    years = [m.year for m in MILESTONES + same_year]
    alone = {y for y in years if years.count(y) == 1}
    assert all(y == 0.0 for x, y in dots if x in alone)  # a year of its own keeps its dot on the line


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


# --- learning_curves ----------------------------------------------------------------------

HISTORY = History(train_loss=[1.0, 0.5, 0.25], val_loss=[1.2, 0.8, 0.9],
                  metrics={"acc": [0.5, 0.7, 0.9], "val_acc": [0.4, 0.6, 0.6]}, epochs_run=3)


def test_learning_curves_draw_training_dashed_and_validation_solid_in_one_colour() -> None:
    fig, ax = plt.subplots()
    train, val = learning_curves(ax, HISTORY, color="tab:green", label="run A")
    assert list(train.get_xdata()) == [1, 2, 3] and list(train.get_ydata()) == HISTORY.train_loss
    assert list(val.get_ydata()) == HISTORY.val_loss
    assert (train.get_linestyle(), val.get_linestyle()) == ("--", "-")
    assert train.get_color() == val.get_color() == "tab:green"
    assert val.get_label() == "run A" and train.get_label().startswith("_")  # one legend entry per run


def test_learning_curves_from_a_dict_a_metric_and_the_colour_cycle() -> None:
    fig, ax = plt.subplots()
    from_history = learning_curves(ax, HISTORY, metric="acc")
    from_dict = learning_curves(ax, {"acc": HISTORY.metrics["acc"], "val_acc": HISTORY.metrics["val_acc"]},
                                metric="acc")
    assert [list(line.get_ydata()) for line in from_history] == [list(line.get_ydata()) for line in from_dict]
    assert from_history[0].get_color() == from_history[1].get_color()  # val takes train's colour
    assert from_history[0].get_color() != from_dict[0].get_color()  # the next run, the next colour
    (only,) = learning_curves(ax, {"train_loss": [3.0, 2.0]}, label="no validation")
    assert only.get_label() == "no validation" and only.get_linestyle() == "--"


def test_learning_curves_legend_adds_the_two_line_styles() -> None:
    fig, ax = plt.subplots()
    learning_curves(ax, HISTORY, label="run A")
    learning_curves(ax, HISTORY, label="run B")
    learning_curves_legend(ax, loc="upper right")
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["run A", "run B", "training (dashed)",
                                                          "validation (solid)"]


def test_learning_curves_names_what_is_missing() -> None:
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"no 'f1' or 'val_f1' to draw, got the keys \['acc', 'train_loss', "
                                         r"'val_acc', 'val_loss'\]"):
        learning_curves(ax, HISTORY, metric="f1")
