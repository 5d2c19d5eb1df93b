"""dlbook.surfaces: the test surfaces, their grids, and optimizer paths against closed forms."""

from __future__ import annotations

import math

import pytest
import torch

from dlbook.optim import SGD, Adam
from dlbook.surfaces import line_data, line_loss, loss_grid, optimizer_path, quadratic, rosenbrock


def _grad(f, p: torch.Tensor) -> torch.Tensor:  # type: ignore[no-untyped-def]
    p = p.clone().requires_grad_(True)
    f(p).backward()
    assert p.grad is not None
    return p.grad


@pytest.mark.parametrize("angle", [0.0, 0.4, -1.1])
def test_quadratic_has_the_hessian_it_promises(angle: float) -> None:
    kappa = 7.0
    c, s = math.cos(angle), math.sin(angle)
    R = torch.tensor([[c, s], [-s, c]], dtype=torch.float64)  # p -> (u, v)
    H = R.T @ torch.diag(torch.tensor([1.0, kappa], dtype=torch.float64)) @ R
    p = torch.tensor([0.8, -1.3], dtype=torch.float64)
    torch.testing.assert_close(quadratic(p, condition=kappa, angle=angle), 0.5 * p @ H @ p)
    torch.testing.assert_close(_grad(lambda q: quadratic(q, condition=kappa, angle=angle), p), H @ p)
    eig = torch.linalg.eigvalsh(torch.autograd.functional.hessian(
        lambda q: quadratic(q, condition=kappa, angle=angle), p))
    torch.testing.assert_close(eig, torch.tensor([1.0, kappa], dtype=torch.float64))


def test_rosenbrock_value_gradient_and_minimum() -> None:
    p = torch.tensor([-1.2, 1.0], dtype=torch.float64)
    x, y = p.tolist()
    assert rosenbrock(p).item() == pytest.approx((1 - x) ** 2 + 100 * (y - x**2) ** 2)
    expected = torch.tensor([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], dtype=torch.float64)
    torch.testing.assert_close(_grad(rosenbrock, p), expected)
    assert rosenbrock(torch.tensor([2.0, 4.0]), a=2.0).item() == 0.0
    torch.testing.assert_close(_grad(rosenbrock, torch.tensor([1.0, 1.0])), torch.zeros(2))


def test_surfaces_work_on_batches_of_points() -> None:
    P = torch.randn(3, 4, 2, generator=torch.Generator().manual_seed(0))
    assert quadratic(P).shape == (3, 4)
    torch.testing.assert_close(rosenbrock(P)[1, 2], rosenbrock(P[1, 2]))


def test_plain_gradient_descent_follows_its_closed_form() -> None:
    # on ½(x² + κy²), x_t = (1 − η)^t x_0 and y_t = (1 − ηκ)^t y_0
    kappa, lr, steps = 10.0, 0.15, 12
    path = optimizer_path(lambda p: quadratic(p, condition=kappa), (2.0, 1.0),
                          lambda params: SGD(params, lr=lr), num_steps=steps)
    assert path.shape == (steps + 1, 2)
    t = torch.arange(steps + 1, dtype=torch.float64)
    expected = torch.stack([2.0 * (1 - lr) ** t, 1.0 * (1 - lr * kappa) ** t], dim=1)
    torch.testing.assert_close(path, expected)


def test_path_matches_torch_optim() -> None:
    ours = optimizer_path(rosenbrock, (-1.0, 1.5), lambda params: Adam(params, lr=0.05), num_steps=50)
    theirs = optimizer_path(rosenbrock, (-1.0, 1.5), lambda params: torch.optim.Adam(params, lr=0.05),
                            num_steps=50)
    torch.testing.assert_close(ours, theirs)
    assert rosenbrock(ours[-1]) < rosenbrock(ours[0])


def test_divergence_raises_and_names_the_step() -> None:
    with pytest.raises(FloatingPointError, match=r"at step \d+"):
        optimizer_path(rosenbrock, (-1.0, 1.5), lambda params: SGD(params, lr=0.1), num_steps=100)


def test_loss_grid_layout() -> None:
    xx, yy, zz = loss_grid(quadratic, xlim=(-1.0, 2.0), ylim=(0.0, 1.0), n=5)
    assert xx.shape == yy.shape == zz.shape == (5, 5)
    assert xx[0].tolist() == pytest.approx([-1.0, -0.25, 0.5, 1.25, 2.0])  # x along the columns
    assert yy[:, 0].tolist() == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    torch.testing.assert_close(zz[3, 1], quadratic(torch.stack([xx[3, 1], yy[3, 1]])))


def test_line_data_is_a_noisy_line_and_seeded() -> None:
    x, y = line_data(500, 0.0, seed=0)
    assert x.shape == y.shape == (500,) and x.dtype == torch.float32
    assert x.min() >= -0.5 and x.max() <= 1.5
    torch.testing.assert_close(y, 2 * x - 1)  # no noise: exactly the line
    x1, y1 = line_data(50, 0.5, seed=1)
    x2, y2 = line_data(50, 0.5, seed=1)
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    assert not torch.equal(line_data(50, 0.5, seed=2)[0], x1)
    residual = y1 - (2 * x1 - 1)
    assert 0.3 < residual.std().item() < 0.7


def test_line_loss_is_the_mse_with_its_closed_form_gradient_and_minimum() -> None:
    x, y = line_data(200, 0.5, seed=0)
    f = line_loss(x, y)
    p = torch.tensor([0.7, -0.2])
    torch.testing.assert_close(f(p), torch.nn.functional.mse_loss(0.7 * x - 0.2, y))
    r = 0.7 * x - 0.2 - y  # residuals
    torch.testing.assert_close(_grad(f, p), torch.stack([2 * (r * x).mean(), 2 * r.mean()]))
    assert f(torch.zeros(3, 4, 2)).shape == (3, 4)  # a batch of points, as loss_grid passes them
    A = torch.stack([x, torch.ones_like(x)], dim=1)
    best = torch.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1)  # least squares: ∇L = 0
    torch.testing.assert_close(_grad(f, best), torch.zeros(2), atol=1e-5, rtol=0)


def test_line_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="line_data expects n to be a positive int, got 0"):
        line_data(0, 0.5)
    with pytest.raises(ValueError, match="line_data expects noise >= 0, got -1"):
        line_data(5, -1)
    with pytest.raises(ValueError, match=r"line_loss expects x and y of shape \(n,\), got \(3,\) and \(4,\)"):
        line_loss(torch.zeros(3), torch.zeros(4))
    with pytest.raises(ValueError, match=r"line_loss expects points of shape \(\.\.\., 2\), got \(3,\)"):
        line_loss(torch.zeros(3), torch.zeros(3))(torch.zeros(3))


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\), got \(3,\)"):
        quadratic(torch.zeros(3))
    with pytest.raises(ValueError, match="1 <= condition < inf, got 0.5"):
        quadratic(torch.zeros(2), condition=0.5)
    with pytest.raises(ValueError, match="b > 0, got -1"):
        rosenbrock(torch.zeros(2), b=-1)
    with pytest.raises(ValueError, match=r"start point of shape \(2,\), got \(3,\)"):
        optimizer_path(quadratic, (0.0, 1.0, 2.0), lambda ps: SGD(ps, lr=0.1), num_steps=3)
    with pytest.raises(ValueError, match="num_steps to be an int >= 0, got -1"):
        optimizer_path(quadratic, (0.0, 1.0), lambda ps: SGD(ps, lr=0.1), num_steps=-1)
    with pytest.raises(ValueError, match="low < high"):
        loss_grid(quadratic, xlim=(1.0, 0.0), ylim=(0.0, 1.0))
    with pytest.raises(ValueError, match="one value per point"):
        loss_grid(lambda p: p.sum(), xlim=(0.0, 1.0), ylim=(0.0, 1.0), n=3)
