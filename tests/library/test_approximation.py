"""dlbook.approximation: the hinge network is numpy's linear interpolation, and its error falls like 1/k²."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

from dlbook.approximation import hinge_network, hinge_weights, uniform_knots
from dlbook.mlp import MLP


def test_uniform_knots() -> None:
    expected = torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0], dtype=torch.float64)
    torch.testing.assert_close(uniform_knots(-1.0, 1.0, 4), expected)
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="uniform_knots expects k"):
            uniform_knots(0.0, 1.0, bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="uniform_knots expects a < b"):
        uniform_knots(1.0, 1.0, 3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_network_is_numpys_linear_interpolation(seed: int) -> None:
    """Uneven knots, random values: the ReLU network equals np.interp everywhere on [x_0, x_k]."""
    g = torch.Generator().manual_seed(seed)
    knots = torch.sort(10 * torch.rand(9, generator=g, dtype=torch.float64)).values
    values = torch.randn(9, generator=g, dtype=torch.float64)
    model = hinge_network(knots, values)
    x = torch.linspace(knots[0].item(), knots[-1].item(), 2001, dtype=torch.float64)
    with torch.no_grad():
        y_hat = model(x[:, None]).squeeze(1)  # (B,)
    expected = np.interp(x.numpy(), knots.numpy(), values.numpy())
    np.testing.assert_allclose(y_hat.numpy(), expected, rtol=0, atol=1e-12)
    with torch.no_grad():  # exact at the knots
        torch.testing.assert_close(model(knots[:, None]).squeeze(1), values)


def test_the_weights_are_the_slope_changes() -> None:
    knots = torch.tensor([0.0, 1.0, 3.0, 4.0], dtype=torch.float64)
    values = torch.tensor([0.0, 2.0, 2.0, -1.0], dtype=torch.float64)  # slopes 2, 0, −3
    w = hinge_weights(knots, values)
    torch.testing.assert_close(w.W1, torch.ones(3, 1, dtype=torch.float64))
    torch.testing.assert_close(w.b1, torch.tensor([0.0, -1.0, -3.0], dtype=torch.float64))
    torch.testing.assert_close(w.knots, knots[:-1])
    torch.testing.assert_close(w.W2, torch.tensor([[2.0, -2.0, -3.0]], dtype=torch.float64))
    torch.testing.assert_close(w.b2, torch.tensor([0.0], dtype=torch.float64))


def test_it_is_an_mlp_with_k_relu_units_and_leaves_the_global_rng_alone() -> None:
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    model = hinge_network(uniform_knots(0.0, 1.0, 5), torch.sin)
    assert isinstance(model, MLP) and model.sizes == [1, 5, 1]
    assert model.layers[0].activation_name == "relu" and model.layers[1].activation_name == "linear"
    assert model.layers[0].weight.dtype == torch.float64
    torch.testing.assert_close(torch.rand(3), before)


def test_the_sine_error_falls_like_one_over_k_squared() -> None:
    """Max error on [−π, π] stays within h² max|f''| / 8 = π²/(2k²); doubling k divides it by nearly 4."""
    x = torch.linspace(-math.pi, math.pi, 20001, dtype=torch.float64)
    errors = []
    for k in (4, 8, 16, 32, 64):
        model = hinge_network(uniform_knots(-math.pi, math.pi, k), torch.sin)
        with torch.no_grad():
            error = (model(x[:, None]).squeeze(1) - torch.sin(x)).abs().max().item()
        assert error <= math.pi**2 / (2 * k**2)
        errors.append(error)
    ratios = [a / b for a, b in zip(errors, errors[1:], strict=False)]
    # the ratio climbs towards 4 as the pieces shrink and sin looks more like a parabola on each
    assert all(2.9 < r < 4.0 for r in ratios) and ratios == sorted(ratios), ratios
    assert ratios[-1] > 3.95


@pytest.mark.parametrize("k", [1, 3, 10])
def test_the_error_for_x_squared_is_exactly_h_squared_over_four(k: int) -> None:
    """For f = x² the chord lies above the parabola by (x − x_i)(x_{i+1} − x), at most h²/4."""
    x = torch.linspace(0, 1, 100 * k + 1, dtype=torch.float64)  # contains every midpoint
    model = hinge_network(uniform_knots(0.0, 1.0, k), lambda t: t**2)
    with torch.no_grad():
        gap = model(x[:, None]).squeeze(1) - x**2
    assert gap.min().item() >= -1e-12
    assert gap.max().item() == pytest.approx(1 / (4 * k**2), rel=1e-9)


def test_hinge_weights_refuses_bad_knots() -> None:
    with pytest.raises(ValueError, match="strictly increasing"):
        hinge_weights(torch.tensor([0.0, 2.0, 1.0]), torch.zeros(3))
    with pytest.raises(ValueError, match=re.escape("of shape (k + 1,) with k ≥ 1, got (1,)")):
        hinge_weights(torch.tensor([0.0]), torch.zeros(1))
    with pytest.raises(ValueError, match=re.escape("values of the knots' shape (3,), got (2,)")):
        hinge_weights(torch.tensor([0.0, 1.0, 2.0]), torch.zeros(2))
