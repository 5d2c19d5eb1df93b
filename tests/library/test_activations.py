"""dlbook.activations against PyTorch: values against torch's versions, derivatives against autograd."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

from dlbook.activations import (
    ACTIVATIONS,
    get_activation,
    leaky_relu,
    leaky_relu_grad,
    linear,
    linear_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_jacobian,
    softplus,
    softplus_grad,
    step,
    step_grad,
    tanh,
    tanh_grad,
)

EXTREMES = [-1e4, -1000.0, -710.0, -100.0, -20.0, -1e-12, 0.0, 1e-12, 20.0, 100.0, 710.0, 1000.0, 1e4]


def points(seed: int = 0, dtype: torch.dtype = torch.float64) -> Tensor:
    """Random points at several scales plus the extremes, shape (N,)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.cat([torch.randn(200, generator=g, dtype=torch.float64) * s for s in (0.1, 1.0, 10.0)])
    return torch.cat([x, torch.tensor(EXTREMES, dtype=torch.float64)]).to(dtype)


def away_from_kinks(seed: int = 1) -> Tensor:
    """Random float64 points, none closer than 1e-3 to 0, where relu and step bend."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(100, generator=g, dtype=torch.float64) * 3
    return torch.where(x.abs() < 1e-3, torch.full_like(x, 0.5), x)


# --- Values against torch ----------------------------------------------------

REFERENCES: dict[str, tuple[Callable[[Tensor], Tensor], Callable[[Tensor], Tensor]]] = {
    "sigmoid": (sigmoid, torch.sigmoid),
    "tanh": (tanh, torch.tanh),
    "relu": (relu, F.relu),
    "leaky_relu": (leaky_relu, F.leaky_relu),
    "leaky_relu 0.2": (lambda x: leaky_relu(x, negative_slope=0.2), lambda x: F.leaky_relu(x, 0.2)),
    "softplus": (softplus, F.softplus),
    "step": (step, lambda x: torch.heaviside(x, torch.ones_like(x))),
    "linear": (linear, lambda x: x.clone()),
}


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("name", list(REFERENCES))
def test_activation_matches_torch(name: str, dtype: torch.dtype) -> None:
    ours, reference = REFERENCES[name]
    x = points(dtype=dtype)
    y = ours(x)
    assert y.shape == x.shape and y.dtype == dtype
    assert torch.isfinite(y).all()
    torch.testing.assert_close(y, reference(x))


def test_sigmoid_and_tanh_saturate_without_nan_at_extremes() -> None:
    x = torch.tensor([-1000.0, 1000.0], dtype=torch.float64)
    assert sigmoid(x).tolist() == [0.0, 1.0]
    assert tanh(x).tolist() == [-1.0, 1.0]
    # the textbook formula 1 / (1 + e^{-x}) is the reason for the stable form
    assert not torch.isfinite(torch.exp(-x)).all()


def test_sigmoid_known_values() -> None:
    x = torch.tensor([0.0, -6.0, 2.0], dtype=torch.float64)
    expected = [0.5, 1 / (1 + math.exp(6)), 1 / (1 + math.exp(-2))]
    torch.testing.assert_close(sigmoid(x), torch.tensor(expected, dtype=torch.float64))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_matches_torch_including_huge_scores(dim: int, dtype: torch.dtype) -> None:
    g = torch.Generator().manual_seed(2)
    x = torch.randn(4, 5, 6, generator=g, dtype=torch.float64) * 3
    x[0] *= 1000  # scores around ±1e3: e^x alone would overflow
    x[1, 0, 0] = 1e4
    x[2] -= 5000
    x = x.to(dtype)
    s = softmax(x, dim=dim)
    assert torch.isfinite(s).all()
    torch.testing.assert_close(s, torch.softmax(x, dim=dim))
    torch.testing.assert_close(s.sum(dim=dim), torch.ones_like(s.sum(dim=dim)))


# --- Derivatives against autograd --------------------------------------------

DERIVATIVES: dict[str, tuple[Callable[[Tensor], Tensor], Callable[[Tensor], Tensor]]] = {
    "sigmoid": (torch.sigmoid, sigmoid_grad),
    "tanh": (torch.tanh, tanh_grad),
    "relu": (F.relu, relu_grad),
    "leaky_relu": (F.leaky_relu, leaky_relu_grad),
    "leaky_relu 0.3": (lambda x: F.leaky_relu(x, 0.3), lambda x: leaky_relu_grad(x, negative_slope=0.3)),
    "softplus": (F.softplus, softplus_grad),
    "linear": (lambda x: x * 1, linear_grad),
}


def autograd_derivative(f: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """f'(x) elementwise for an elementwise f, by autograd: the gradient of Σ f(x)."""
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x).sum(), x)
    return grad


@pytest.mark.parametrize("name", list(DERIVATIVES))
def test_derivative_matches_autograd_of_torch(name: str) -> None:
    torch_fn, ours = DERIVATIVES[name]
    x = away_from_kinks()
    torch.testing.assert_close(ours(x), autograd_derivative(torch_fn, x))


def test_kink_conventions_match_torch_at_zero() -> None:
    # at x = 0 the derivative does not exist; PyTorch picks the left-hand value, and so do we
    x = torch.zeros(3, dtype=torch.float64)
    torch.testing.assert_close(relu_grad(x), autograd_derivative(F.relu, x))
    torch.testing.assert_close(relu_grad(x), autograd_derivative(relu, x))
    torch.testing.assert_close(leaky_relu_grad(x), autograd_derivative(F.leaky_relu, x))
    torch.testing.assert_close(leaky_relu_grad(x), autograd_derivative(leaky_relu, x))
    assert relu_grad(x).tolist() == [0.0] * 3 and leaky_relu_grad(x).tolist() == [0.01] * 3


def test_step_derivative_is_zero() -> None:
    x = away_from_kinks()
    torch.testing.assert_close(step_grad(x), torch.zeros_like(x))


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if n != "step"])
def test_registry_derivative_matches_autograd_through_our_function(name: str) -> None:
    f, f_prime = ACTIVATIONS[name]
    x = torch.cat([away_from_kinks(), torch.tensor([-1000.0, 1000.0], dtype=torch.float64)])
    torch.testing.assert_close(f_prime(x), autograd_derivative(f, x))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus"])
def test_autograd_through_smooth_functions_is_exact_at_zero(name: str) -> None:
    # the stable forms split on the sign of x; the split must not bend the derivative at 0
    f, f_prime = ACTIVATIONS[name]
    x = torch.zeros(1, dtype=torch.float64)
    torch.testing.assert_close(autograd_derivative(f, x), f_prime(x))
    assert f_prime(x).item() == {"sigmoid": 0.25, "tanh": 1.0, "softplus": 0.5}[name]


GRADCHECKED: dict[str, Callable[[Tensor], Tensor]] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softplus": softplus,
    "relu": relu,
    "leaky_relu": lambda x: leaky_relu(x, negative_slope=0.1),
    "linear": linear,
    "softmax": lambda x: softmax(x, dim=-1),
}


@pytest.mark.parametrize("name", list(GRADCHECKED))
def test_gradcheck(name: str) -> None:
    x = away_from_kinks(3)[:12].reshape(3, 4).requires_grad_(True)  # no point near a kink
    assert torch.autograd.gradcheck(GRADCHECKED[name], (x,))


def test_softmax_jacobian_matches_autograd() -> None:
    g = torch.Generator().manual_seed(4)
    x = torch.randn(5, generator=g, dtype=torch.float64)
    J = softmax_jacobian(softmax(x))
    assert J.shape == (5, 5)
    expected = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, dim=0), x)
    torch.testing.assert_close(J, expected)
    torch.testing.assert_close(J, J.T)  # symmetric
    torch.testing.assert_close(J.sum(dim=0), torch.zeros(5, dtype=torch.float64))  # outputs sum to 1


# --- Errors and the registry -------------------------------------------------


def test_softmax_jacobian_rejects_a_batch() -> None:
    with pytest.raises(ValueError, match=r"expects s of shape \(n,\), got \(2, 3\)"):
        softmax_jacobian(torch.ones(2, 3))


def test_leaky_relu_rejects_negative_slope() -> None:
    with pytest.raises(ValueError, match="negative_slope >= 0"):
        leaky_relu(torch.ones(2), negative_slope=-0.1)
    with pytest.raises(ValueError, match="negative_slope >= 0"):
        leaky_relu_grad(torch.ones(2), negative_slope=-0.1)


def test_get_activation() -> None:
    assert get_activation("tanh") is tanh
    assert get_activation("softmax") is softmax
    assert get_activation(torch.sin) is torch.sin
    with pytest.raises(ValueError, match=r"unknown activation 'swish'.*sigmoid"):
        get_activation("swish")
