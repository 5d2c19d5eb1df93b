"""dlbook.datasets: shapes, dtypes, balance, seeding, and the geometry each dataset promises."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import pytest
import torch
from torch import Tensor

from dlbook import datasets
from dlbook.datasets import blobs, circles, digits, moons, pass_exam, spirals, tilted_blobs, xor
from dlbook.perceptron import Perceptron

Maker = Callable[..., tuple[Tensor, Tensor]]

# name -> (generator, number of classes)
GENERATED: dict[str, tuple[Maker, int]] = {
    "blobs": (blobs, 2),
    "blobs 3 centers": (lambda n, **kw: blobs(n, centers=3, **kw), 3),
    "blobs separable": (lambda n, **kw: blobs(n, separable=True, **kw), 2),
    "xor": (xor, 2),
    "moons": (moons, 2),
    "circles": (circles, 2),
    "spirals": (spirals, 2),
    "spirals 3 classes": (lambda n, **kw: spirals(n, classes=3, **kw), 3),
}


def least_squares_accuracy(X: Tensor, y: Tensor) -> float:
    """Training accuracy of the best linear classifier in the least-squares sense.

    One-hot targets regressed on [X, 1]; the predicted class is the largest output.
    """
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1).double()  # (n, d + 1)
    T = torch.nn.functional.one_hot(y).double()  # (n, K)
    W = torch.linalg.lstsq(A, T).solution  # (d + 1, K)
    return ((A @ W).argmax(dim=1) == y).double().mean().item()


# --- Common promises ---------------------------------------------------------


@pytest.mark.parametrize("n", [1, 7, 100])
@pytest.mark.parametrize("name", list(GENERATED))
def test_shapes_dtypes_and_balance(name: str, n: int) -> None:
    make, classes = GENERATED[name]
    X, y = make(n)
    assert X.shape == (n, 2) and X.dtype == torch.float32
    assert y.shape == (n,) and y.dtype == torch.long
    assert torch.isfinite(X).all()
    counts = torch.bincount(y, minlength=classes)
    assert len(counts) == classes and counts.sum() == n
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", [*GENERATED, "pass_exam"])
def test_same_seed_same_data_other_seed_other_data(name: str) -> None:
    make = pass_exam if name == "pass_exam" else GENERATED[name][0]
    X1, y1 = make(50, seed=3)
    X2, y2 = make(50, seed=3)
    X3, _ = make(50, seed=4)
    assert torch.equal(X1, X2) and torch.equal(y1, y2)
    assert not torch.equal(X1, X3)


def test_the_global_rng_is_left_alone() -> None:
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    moons(20, seed=9)
    torch.testing.assert_close(torch.rand(3), expected)


@pytest.mark.parametrize("name", list(GENERATED))
def test_rows_are_shuffled(name: str) -> None:
    # generated in the order 0, 1, ..., K − 1, 0, 1, ...; a mini-batch should not see that pattern
    make, classes = GENERATED[name]
    _, y = make(100)
    assert not torch.equal(y, torch.arange(100) % classes)
    assert not torch.equal(y, torch.sort(y).values)


@pytest.mark.parametrize("maker", [blobs, xor, moons, circles, spirals, pass_exam])
def test_bad_arguments(maker: Maker) -> None:
    with pytest.raises(ValueError, match="n to be a positive int"):
        maker(0)
    with pytest.raises(ValueError, match="non-negative int seed"):
        maker(10, seed=-1)


def test_specific_bad_arguments() -> None:
    with pytest.raises(ValueError, match="noise >= 0"):
        xor(10, noise=-0.1)
    with pytest.raises(ValueError, match="factor < 1"):
        circles(10, factor=1.5)
    with pytest.raises(ValueError, match="classes >= 2"):
        spirals(10, classes=1)
    with pytest.raises(ValueError, match="centers >= 2"):
        blobs(10, centers=1)
    with pytest.raises(ValueError, match="margin > 0"):
        blobs(10, separable=True, margin=0.0)
    with pytest.raises(ValueError, match="could not place"):
        blobs(10, separable=True, margin=100.0)


# --- Geometry: which datasets a line can split -------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_separable_blobs_are_split_by_a_line_with_the_margin(seed: int) -> None:
    X, y = blobs(300, std=3.0, separable=True, margin=0.5, seed=seed)
    # the centers are (±2.5, 0): the bisector is x₁ = 0 and no point comes within margin/2 of it
    side = torch.where(y == 0, X[:, 0], -X[:, 0])
    assert side.min() >= 0.25
    model = Perceptron(2)
    assert model.fit(X, y, num_epochs=1000).converged
    assert torch.equal(model.predict(X), y)


TILT = {"std": 1.2, "margin": 0.5, "angle_deg": 35.0, "shift": (3.0, 4.0)}  # docs/neurons/perceptron's data


@pytest.mark.parametrize("seed", [0, 3])
def test_tilted_blobs_are_separable_blobs_turned_and_moved(seed: int) -> None:
    X, y = tilted_blobs(200, seed=seed, **TILT)  # type: ignore[arg-type]
    X0, y0 = blobs(200, std=1.2, separable=True, margin=0.5, seed=seed)
    assert X.shape == (200, 2) and X.dtype == torch.float32 and y.dtype == torch.long
    assert torch.equal(y, y0)
    a = math.radians(35.0)
    R = torch.tensor([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    torch.testing.assert_close((X - torch.tensor([3.0, 4.0])) @ R, X0)  # undo: x ↦ Rᵀ (x − shift)
    # the gap survives: no point within margin/2 of the turned and moved bisector
    normal = R[:, 0]  # where the direction x₁ went
    side = (X - torch.tensor([3.0, 4.0])) @ normal
    assert torch.where(y == 0, side, -side).min() >= 0.25 - 1e-5
    model = Perceptron(2)
    assert model.fit(X, y, num_epochs=1000).converged


def test_tilted_blobs_takes_the_shift_as_any_pair_and_refuses_others() -> None:
    X, _ = tilted_blobs(20, std=1.0, margin=0.5, angle_deg=10.0, shift=(1.0, 2.0))
    X_list, _ = tilted_blobs(20, std=1.0, margin=0.5, angle_deg=10.0, shift=[1, 2])  # as JSON gives it
    assert torch.equal(X, X_list)
    with pytest.raises(ValueError, match=r"shift as a pair \(dx₁, dx₂\), got \(1.0, 2.0, 3.0\)"):
        tilted_blobs(20, std=1.0, margin=0.5, angle_deg=10.0, shift=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="blobs expects std > 0"):
        tilted_blobs(20, std=0.0, margin=0.5, angle_deg=10.0, shift=(1.0, 2.0))


def nearest_center_accuracy(X: Tensor, y: Tensor, k: int) -> float:
    """Accuracy of "the class of the closest blob center", a linear rule:

    argmin_k |x − c_k|² = argmax_k (c_k · x − |c_k|²/2), one affine score per class.
    """
    angles = 2 * torch.pi * torch.arange(k) / k
    C = datasets.BLOB_RADIUS * torch.stack([angles.cos(), angles.sin()], dim=1)  # (k, 2)
    return (torch.cdist(X, C).argmin(dim=1) == y).float().mean().item()


@pytest.mark.parametrize("centers", [2, 3, 5])
def test_separable_blobs_are_labelled_perfectly_by_a_linear_rule(centers: int) -> None:
    X, y = blobs(300, centers=centers, std=1.5, separable=True, seed=0)
    assert nearest_center_accuracy(X, y, centers) == 1.0


@pytest.mark.parametrize("centers", [2, 3])
def test_overlapping_blobs_are_not_separable_without_the_flag(centers: int) -> None:
    X, y = blobs(400, centers=centers, std=3.0, seed=0)
    assert nearest_center_accuracy(X, y, centers) < 1.0
    assert least_squares_accuracy(X, y) < 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_xor_is_not_linearly_separable(seed: int) -> None:
    X, y = xor(400, seed=seed)
    assert least_squares_accuracy(X, y) < 0.8


@pytest.mark.parametrize("maker", [moons, circles, spirals])
def test_curved_datasets_beat_a_line(maker: Maker) -> None:
    X, y = maker(400)
    assert least_squares_accuracy(X, y) < 0.95


def test_xor_without_noise_is_the_truth_table() -> None:
    X, y = xor(4, noise=0.0)
    rows = sorted(zip(X.long().tolist(), y.tolist(), strict=True))
    assert rows == [([0, 0], 0), ([0, 1], 1), ([1, 0], 1), ([1, 1], 0)]


def test_moons_lie_on_their_two_arcs() -> None:
    X, y = moons(200, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    torch.testing.assert_close(upper.norm(dim=1), torch.ones(100))  # centred at (0, 0)
    assert upper[:, 1].min() >= 0
    torch.testing.assert_close((lower - torch.tensor([1.0, 0.5])).norm(dim=1), torch.ones(100))
    assert lower[:, 1].max() <= 0.5


@pytest.mark.parametrize("classes", [2, 3])
def test_spiral_arms_are_rotated_copies(classes: int) -> None:
    X, y = spirals(300, classes=classes, noise=0.0)
    r = X.norm(dim=1).double()
    theta = torch.atan2(X[:, 1], X[:, 0]).double()
    # θ − 2π·turns·r should be the arm's offset 2πk/K, up to whole turns
    offset = theta - 2 * torch.pi * datasets.SPIRAL_TURNS * r - 2 * torch.pi * y / classes
    wrapped = torch.remainder(offset + torch.pi, 2 * torch.pi) - torch.pi  # into [−π, π)
    assert wrapped.abs().max() < 1e-4


def test_circles_radii() -> None:
    X, y = circles(200, noise=0.0, factor=0.3)
    radius = X.norm(dim=1)
    torch.testing.assert_close(radius[y == 0], torch.ones(100))
    torch.testing.assert_close(radius[y == 1], torch.full((100,), 0.3))


# --- pass_exam ---------------------------------------------------------------


def test_pass_exam_columns() -> None:
    X, y = pass_exam(500)
    assert X.shape == (500, 2) and X.dtype == torch.float32 and y.dtype == torch.long
    hours, lectures = X[:, 0], X[:, 1]
    assert hours.min() >= 0 and hours.max() <= 10
    assert torch.equal(lectures, lectures.round()) and lectures.min() >= 0 and lectures.max() <= 12
    assert set(y.tolist()) == {0, 1}


def test_pass_exam_follows_its_documented_rule() -> None:
    X, y = pass_exam(4000, seed=1)
    score = datasets.PASS_BIAS + datasets.PASS_W_HOURS * X[:, 0] + datasets.PASS_W_LECTURES * X[:, 1]
    p = torch.sigmoid(score)
    assert 0.3 < y.float().mean().item() < 0.7  # about half pass
    assert abs(y.float().mean().item() - p.mean().item()) < 0.03  # as often as the rule says
    correlation = torch.corrcoef(torch.stack([p, y.float()]))[0, 1].item()
    assert correlation > 0.5
    assert ((score > 0).long() == y).float().mean().item() > 0.75
    # both features matter, in the documented direction
    assert torch.corrcoef(torch.stack([X[:, 0], y.float()]))[0, 1] > 0.2
    assert torch.corrcoef(torch.stack([X[:, 1], y.float()]))[0, 1] > 0.2


# --- digits ------------------------------------------------------------------


def test_digits() -> None:
    pytest.importorskip("sklearn")
    X, y = digits()
    assert X.shape == (1797, 64) and X.dtype == torch.float32
    assert y.shape == (1797,) and y.dtype == torch.long
    assert X.min() >= 0 and X.max() <= 16 and X.max() == 16
    assert torch.equal(torch.unique(y), torch.arange(10))
    images, y2 = digits(as_images=True)
    assert images.shape == (1797, 8, 8)
    assert torch.equal(images.reshape(1797, 64), X) and torch.equal(y, y2)


def test_digits_without_scikit_learn_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"pip install scikit-learn.*dlbook\[data\]"):
        digits()
