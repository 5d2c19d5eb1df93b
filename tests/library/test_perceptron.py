"""dlbook.perceptron: the learning rule step by step, convergence when separable, none on XOR,
and the convergence theorem's radius, augmented margin and mistake bound."""

from __future__ import annotations

import math
import re

import pytest
import torch

from dlbook.activations import step
from dlbook.datasets import blobs, tilted_blobs, xor
from dlbook.perceptron import (
    Perceptron,
    PerceptronHistory,
    augmented_margin,
    augmented_radius,
    mistake_bound,
    perceptron_output,
)

# --- One neuron's output -----------------------------------------------------


def test_lecture_example_against_torch() -> None:
    w = torch.tensor([3.0, -2.0], dtype=torch.float64)
    x = torch.tensor([-1.0, 2.0], dtype=torch.float64)
    z, y_hat = perceptron_output(1.0, w, x)
    assert z.shape == () and z.item() == 1 + 3 * -1 + -2 * 2 == -6
    torch.testing.assert_close(y_hat, torch.sigmoid(torch.tensor(-6.0, dtype=torch.float64)))
    assert y_hat.item() == pytest.approx(1 / (1 + math.exp(6)), rel=1e-12)


def test_perceptron_output_on_a_batch_and_with_step() -> None:
    w = torch.tensor([3.0, -2.0])
    X = torch.tensor([[-1.0, 2.0], [1.0, 1.0], [0.0, 0.5]])  # z = -6, 2, 0
    z, y_hat = perceptron_output(1.0, w, X, activation=step)
    torch.testing.assert_close(z, torch.tensor([-6.0, 2.0, 0.0]))
    torch.testing.assert_close(y_hat, torch.tensor([0.0, 1.0, 1.0]))


def test_perceptron_output_shape_error() -> None:
    message = "w of shape (d,) and x of shape (d,) or (n, d), got (2,) and (3,)"
    with pytest.raises(ValueError, match=re.escape(message)):
        perceptron_output(0.0, torch.ones(2), torch.ones(3))


# --- The learning rule -------------------------------------------------------


def test_single_update_follows_the_formula() -> None:
    model = Perceptron(3, dtype=torch.float64)
    w0 = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    b0 = torch.tensor(-0.25, dtype=torch.float64)
    model.w, model.b = w0.clone(), b0.clone()
    x = torch.tensor([1.0, 2.0, -0.5], dtype=torch.float64)  # z = 0.5 - 2 - 1 - 0.25 = -2.75 -> ŷ = 0
    lr = 0.1
    assert model.predict(x).item() == 0
    assert model.update(x, 1, lr=lr) is True
    # y − ŷ = 1: w ← w + η x, b ← b + η
    torch.testing.assert_close(model.w, torch.tensor([0.6, -0.8, 1.95], dtype=torch.float64))
    torch.testing.assert_close(model.b, torch.tensor(-0.15, dtype=torch.float64))
    # a sample it already gets right changes nothing
    w1, b1 = model.w.clone(), model.b.clone()
    assert model.update(x, 0, lr=lr) is False
    torch.testing.assert_close(model.w, w1)
    torch.testing.assert_close(model.b, b1)


def test_update_in_the_other_direction() -> None:
    model = Perceptron(2)  # w = 0, b = 0: z = 0 so ŷ = 1
    x = torch.tensor([2.0, -3.0])
    assert model.update(x, 0, lr=0.5) is True  # y − ŷ = −1
    torch.testing.assert_close(model.w, -0.5 * x)
    torch.testing.assert_close(model.b, torch.tensor(-0.5))


def test_fit_first_epoch_matches_a_loop_written_here() -> None:
    X, y = blobs(20, seed=3)
    model = Perceptron(2)
    history = model.fit(X, y, lr=0.5, num_epochs=1)
    w, b, mistakes = torch.zeros(2), torch.tensor(0.0), 0
    for x_i, y_i in zip(X, y, strict=True):
        y_hat = 1.0 if float(x_i @ w + b) >= 0 else 0.0
        w, b = w + 0.5 * (float(y_i) - y_hat) * x_i, b + 0.5 * (float(y_i) - y_hat)
        mistakes += y_hat != float(y_i)
    assert history.mistakes == [mistakes]
    torch.testing.assert_close(history.weights[0], w)
    torch.testing.assert_close(history.biases[0], b)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shuffle_seed", [None, 4])
def test_fit_makes_the_updates_of_update_called_in_turn(dtype: torch.dtype, shuffle_seed: int | None) -> None:
    """fit jumps from mistake to mistake; every epoch must equal visiting each sample with update."""
    X, y = tilted_blobs(60, std=1.5, margin=0.1, angle_deg=0.0, shift=(6.0, -5.0), seed=1)
    model = Perceptron(2, dtype=dtype)
    history = model.fit(X, y, lr=0.3, num_epochs=25, shuffle_seed=shuffle_seed)
    assert history.num_epochs == 25  # 25 epochs, all with mistakes, compared
    slow = Perceptron(2, dtype=dtype)
    g = None if shuffle_seed is None else torch.Generator().manual_seed(shuffle_seed)
    for epoch in range(history.num_epochs):
        order = torch.arange(60) if g is None else torch.randperm(60, generator=g)
        mistakes = sum(slow.update(X[i], y[i], lr=0.3) for i in order.tolist())
        assert mistakes == history.mistakes[epoch], epoch
        torch.testing.assert_close(slow.w, history.weights[epoch])
        torch.testing.assert_close(slow.b, history.biases[epoch])
        assert history.weights[epoch].dtype == dtype and history.biases[epoch].shape == ()
    torch.testing.assert_close(model.w, slow.w)
    torch.testing.assert_close(model.b, slow.b)


# --- Convergence, and its absence --------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shuffle_seed", [None, 7])
def test_converges_on_linearly_separable_data(seed: int, shuffle_seed: int | None) -> None:
    X, y = blobs(200, std=3.0, separable=True, margin=0.1, seed=seed)  # a thin gap
    model = Perceptron(2)
    history = model.fit(X, y, num_epochs=1000, shuffle_seed=shuffle_seed)
    assert isinstance(history, PerceptronHistory)
    assert history.converged
    assert history.mistakes[-1] == 0 and all(m > 0 for m in history.mistakes[:-1])
    assert history.num_epochs == len(history.weights) == len(history.biases) < 1000
    assert torch.equal(model.predict(X), y)
    torch.testing.assert_close(history.weights[-1], model.w)


def test_never_converges_on_xor() -> None:
    X, y = xor(4, noise=0.0)
    history = Perceptron(2).fit(X, y, num_epochs=50)
    assert not history.converged
    assert history.num_epochs == 50
    assert all(m > 0 for m in history.mistakes)


def test_never_converges_on_noisy_xor() -> None:
    X, y = xor(40, noise=0.1, seed=1)
    history = Perceptron(2).fit(X, y, num_epochs=30, shuffle_seed=0)
    assert not history.converged and min(history.mistakes) > 0


def test_history_keeps_copies_not_references() -> None:
    X, y = xor(8, noise=0.0)
    model = Perceptron(2)
    history = model.fit(X, y, num_epochs=5)
    stored = [w.clone() for w in history.weights]
    model.w += 100
    for a, b in zip(history.weights, stored, strict=True):
        torch.testing.assert_close(a, b)


def test_shuffle_seed_is_repeatable() -> None:
    X, y = blobs(100, std=2.0, separable=True, seed=5)
    a = Perceptron(2).fit(X, y, shuffle_seed=3)
    b = Perceptron(2).fit(X, y, shuffle_seed=3)
    assert a.mistakes == b.mistakes
    torch.testing.assert_close(a.weights[-1], b.weights[-1])


# --- The convergence theorem's quantities ------------------------------------


def test_augmented_radius_and_margin_by_hand() -> None:
    X = torch.tensor([[3.0, 4.0], [0.0, -1.0], [1.0, 1.0]])
    y = torch.tensor([1, 0, 1])
    assert augmented_radius(X) == pytest.approx(math.sqrt(9 + 16 + 1))  # ‖(3, 4, 1)‖
    # the line x₂ = 0 through the origin: (w, b) = (0, 1, 0) is already a unit vector
    assert augmented_margin(X, y, torch.tensor([0.0, 1.0]), 0.0) == pytest.approx(1.0)
    # the line x₂ = 1/2: plane distances 3.5, 1.5, 0.5, divided by ‖(0, 1, −1/2)‖ = √5/2
    gamma = augmented_margin(X, y, torch.tensor([0.0, 1.0]), -0.5)
    assert gamma == pytest.approx(0.5 / (math.sqrt(5) / 2))
    # (R/γ)² from the same two numbers
    assert mistake_bound(X, y, torch.tensor([0.0, 1.0]), -0.5) == pytest.approx(26 / gamma**2)


def test_augmented_margin_is_scale_free_and_signed() -> None:
    X, y = blobs(50, separable=True, margin=0.5, seed=2)
    w, b = torch.tensor([-1.0, 0.0]), 0.0  # blobs: class 1 to the left of x₁ = 0
    gamma = augmented_margin(X, y, w, b)
    assert gamma >= 0.25 - 1e-6  # every point at least margin/2 from the line
    assert augmented_margin(X, y, 7.0 * w, 7.0 * b) == pytest.approx(gamma)
    assert augmented_margin(X, y, -w, -b) < 0  # the same line with the classes swapped
    with pytest.raises(ValueError, match="separates the classes, but its margin is"):
        mistake_bound(X, y, -w, -b)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_augmented_margin_against_the_plane_distance(seed: int) -> None:
    """γ = (plane distance of the nearest point) · ‖w‖ / ‖(w, b)‖, in float64 by hand."""
    g = torch.Generator().manual_seed(seed)
    X, y = torch.randn(30, 3, generator=g, dtype=torch.float64), torch.randint(0, 2, (30,), generator=g)
    w, b = torch.randn(3, generator=g, dtype=torch.float64), 2.5
    plane = ((2 * y - 1) * (X @ w + b)).min() / w.norm()
    expected = plane * w.norm() / math.sqrt(float(w @ w) + b * b)
    assert augmented_margin(X, y, w, torch.tensor(b)) == pytest.approx(expected.item(), rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("lr", [1.0, 0.05])
def test_updates_never_exceed_the_bound(seed: int, lr: float) -> None:
    """Novikoff: from zero, at most (R/γ)² updates, for the data's own line and the learned one."""
    X, y = blobs(150, std=2.0, separable=True, margin=0.2, seed=seed)
    model = Perceptron(2)
    history = model.fit(X + torch.tensor([2.0, -1.0]), y, lr=lr, num_epochs=10_000, shuffle_seed=seed)
    assert history.converged
    updates = sum(history.mistakes)
    X_moved = X + torch.tensor([2.0, -1.0])
    w_star, b_star = torch.tensor([-1.0, 0.0]), 2.0  # x₁ = 2: the line blobs drew, moved with the data
    assert 0 < updates <= mistake_bound(X_moved, y, w_star, b_star)
    assert updates <= mistake_bound(X_moved, y, model.w, model.b)


# --- Bad input ---------------------------------------------------------------


def test_errors_name_what_was_expected() -> None:
    model = Perceptron(2)
    message = "Perceptron expects X of shape (n, 2) or (2,), got (3, 5, 5)"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        model.predict(torch.ones(3, 5, 5))
    message = "X of shape (n, d) and y of shape (n,), got (4, 2) and (3,)"
    with pytest.raises(ValueError, match=re.escape(message)):
        model.fit(torch.ones(4, 2), torch.ones(3))
    with pytest.raises(ValueError, match=r"labels y in \{0, 1\}"):
        model.fit(torch.ones(2, 2), torch.tensor([-1, 1]))
    with pytest.raises(ValueError, match="lr > 0"):
        model.fit(torch.ones(2, 2), torch.tensor([0, 1]), lr=0.0)
    with pytest.raises(ValueError, match="num_epochs >= 1"):
        model.fit(torch.ones(2, 2), torch.tensor([0, 1]), num_epochs=0)
    with pytest.raises(ValueError, match="num_features >= 1"):
        Perceptron(0)
    message = "expects X of shape (n, d) with n >= 1 and y of shape (n,), got (4, 2) and (3,)"
    with pytest.raises(ValueError, match=re.escape(message)):
        augmented_margin(torch.ones(4, 2), torch.ones(3), torch.ones(2), 0.0)
    with pytest.raises(ValueError, match=re.escape("expects w of shape (2,), got (3,)")):
        augmented_margin(torch.ones(4, 2), torch.ones(4), torch.ones(3), 0.0)
    with pytest.raises(ValueError, match=r"labels y in \{0, 1\}"):
        mistake_bound(torch.ones(2, 2), torch.tensor([-1, 1]), torch.ones(2), 0.0)
    with pytest.raises(ValueError, match="not all zero"):
        augmented_margin(torch.ones(2, 2), torch.tensor([0, 1]), torch.zeros(2), 0.0)
    with pytest.raises(ValueError, match=re.escape("augmented_radius expects X of shape (n, d) with n >= 1")):
        augmented_radius(torch.ones(3))
