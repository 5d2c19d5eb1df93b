"""dlbook.calculus against PyTorch: matmul against `A @ B`, finite differences against autograd."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch
from torch import Tensor

from dlbook.calculus import matmul, numerical_derivative, numerical_gradient

# --- matmul ------------------------------------------------------------------


SHAPES = [(1, 1, 1), (2, 3, 2), (3, 1, 4), (1, 5, 1), (7, 4, 5), (6, 9, 3)]


@pytest.mark.parametrize("n, k, m", SHAPES)
def test_matmul_matches_torch(n: int, k: int, m: int) -> None:
    g = torch.Generator().manual_seed(n * 100 + k * 10 + m)
    A = torch.randn(n, k, generator=g, dtype=torch.float64)
    B = torch.randn(k, m, generator=g, dtype=torch.float64)
    C = matmul(A, B)
    assert C.shape == (n, m)
    assert C.dtype == torch.float64
    torch.testing.assert_close(C, A @ B)


def test_matmul_lecture_example() -> None:
    A = torch.tensor([[1, 2, 3], [4, 5, 6]])
    B = torch.tensor([[10, 11], [20, 21], [30, 31]])
    C = matmul(A, B)
    assert C.dtype == (A @ B).dtype  # integers in, integers out
    torch.testing.assert_close(C, A @ B)


def test_matmul_is_not_elementwise_and_not_commutative() -> None:
    g = torch.Generator().manual_seed(0)
    A = torch.randn(3, 3, generator=g, dtype=torch.float64)
    B = torch.randn(3, 3, generator=g, dtype=torch.float64)
    assert not torch.allclose(matmul(A, B), A * B)
    torch.testing.assert_close(matmul(B, A), B @ A)
    assert not torch.allclose(matmul(A, B), matmul(B, A))


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((2, 3), (2, 3)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 2, 2), (2, 2)), ((4, 1), (2, 4))],
)
def test_matmul_shape_errors_name_expected_and_got(
    shape_a: tuple[int, ...], shape_b: tuple[int, ...]
) -> None:
    A, B = torch.ones(shape_a), torch.ones(shape_b)
    with pytest.raises(ValueError) as info:
        matmul(A, B)
    message = str(info.value)
    assert "(n, k)" in message and "(k, m)" in message
    assert f"got {shape_a} and {shape_b}" in message


def test_matmul_error_message_example() -> None:
    with pytest.raises(ValueError, match=r"^matmul expects A of shape \(n, k\) and B of shape "
                       r"\(k, m\), got \(2, 3\) and \(2, 3\)$"):
        matmul(torch.ones(2, 3), torch.ones(2, 3))


# --- numerical_derivative ----------------------------------------------------

# f as a torch function of a float64 tensor; the points are inside every domain used
FUNCTIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "constant": lambda x: torch.full_like(x, 3.0),
    "cubic polynomial": lambda x: 2 * x**3 - 4 * x**2 + x - 7,
    "power 5": lambda x: x**5,
    "exp": torch.exp,
    "log": torch.log,
    "sin": torch.sin,
    "product x^2 sin x": lambda x: x**2 * torch.sin(x),
    "quotient exp / (1 + x^2)": lambda x: torch.exp(x) / (1 + x**2),
    "composition sin(x^2)": lambda x: torch.sin(x**2),
    "composition log(1 + exp(x))": lambda x: torch.log(1 + torch.exp(x)),
    "sigmoid(3x - 1)": lambda x: torch.sigmoid(3 * x - 1),
}
POINTS = [0.3, 0.9, 1.7, 2.5]


def autograd_derivative(f: Callable[[Tensor], Tensor], x0: float) -> float:
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = f(x)
    if not y.requires_grad:  # a constant does not depend on x
        return 0.0
    (dy_dx,) = torch.autograd.grad(y, x)
    return dy_dx.item()


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("x0", POINTS)
def test_numerical_derivative_matches_autograd_on_tensors(name: str, x0: float) -> None:
    f = FUNCTIONS[name]
    x = torch.tensor(x0, dtype=torch.float64)
    estimate = numerical_derivative(f, x)
    assert isinstance(estimate, Tensor)
    expected = autograd_derivative(f, x0)
    assert estimate.item() == pytest.approx(expected, rel=1e-7, abs=1e-8)


def test_numerical_derivative_on_python_floats() -> None:
    for x0 in POINTS:
        assert numerical_derivative(math.sin, x0) == pytest.approx(math.cos(x0), abs=1e-9)
        assert numerical_derivative(math.exp, x0) == pytest.approx(math.exp(x0), rel=1e-9)
        assert numerical_derivative(math.log, x0) == pytest.approx(1 / x0, rel=1e-8)
        assert numerical_derivative(lambda t: t**3, x0) == pytest.approx(3 * x0**2, rel=1e-9)


def test_numerical_derivative_is_elementwise_on_a_tensor_of_points() -> None:
    x = torch.linspace(-2.0, 2.0, 9, dtype=torch.float64)
    before = x.clone()
    torch.testing.assert_close(numerical_derivative(torch.sin, x), torch.cos(x))
    torch.testing.assert_close(x, before, rtol=0, atol=0)


def test_numerical_derivative_central_difference_beats_one_sided() -> None:
    # the central difference cancels the h² term; a forward difference would be off by ~h/2·f''
    h = 1e-3
    x0 = 1.0
    central = numerical_derivative(math.exp, x0, h=h)
    forward = (math.exp(x0 + h) - math.exp(x0)) / h
    assert abs(central - math.e) < 1e-6 < abs(forward - math.e)


def test_numerical_derivative_rejects_bad_step() -> None:
    with pytest.raises(ValueError, match="h > 0"):
        numerical_derivative(math.sin, 1.0, h=0.0)


# --- numerical_gradient ------------------------------------------------------

SCALAR_FIELDS: dict[str, Callable[[Tensor], Tensor]] = {
    "quadratic bowl": lambda x: (x**2 * torch.arange(1, x.numel() + 1, dtype=x.dtype)).sum(),
    "polynomial with cross terms": lambda x: x[0] ** 2 * x[1] - 3 * x[1] * x[2] + x[2] ** 3,
    "log-sum-exp": lambda x: torch.logsumexp(x, dim=0),
    "product of sin and exp": lambda x: torch.sin(x[0]) * torch.exp(x[1]) * x[2],
    "log of a sum of squares": lambda x: torch.log(1 + (x**2).sum()),
    "sigmoid of an affine map": lambda x: torch.sigmoid(
        torch.tensor([0.5, -1.0, 2.0], dtype=x.dtype) @ x + 0.3
    ),
}


@pytest.mark.parametrize("name", list(SCALAR_FIELDS))
def test_numerical_gradient_matches_autograd(name: str) -> None:
    f = SCALAR_FIELDS[name]
    g = torch.Generator().manual_seed(1)
    x = torch.randn(3, generator=g, dtype=torch.float64)
    before = x.clone()
    estimate = numerical_gradient(f, x)
    x_leaf = x.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(f(x_leaf), x_leaf)
    assert estimate.shape == x.shape and estimate.dtype == x.dtype
    torch.testing.assert_close(estimate, expected, rtol=1e-7, atol=1e-8)
    torch.testing.assert_close(x, before, rtol=0, atol=0)  # the caller's x is untouched


def test_numerical_gradient_never_writes_to_the_callers_x() -> None:
    # even a temporary nudge that is undone afterwards would show up inside f
    x = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64)
    before = x.clone()

    def f(t: Tensor) -> Tensor:
        assert torch.equal(x, before), "x was modified while f was being evaluated"
        return (t**3).sum()

    torch.testing.assert_close(numerical_gradient(f, x), 3 * before**2)


def test_numerical_gradient_keeps_the_shape_of_a_matrix_input() -> None:
    g = torch.Generator().manual_seed(2)
    W = torch.randn(2, 3, generator=g, dtype=torch.float64)
    X = torch.randn(4, 2, generator=g, dtype=torch.float64)

    def loss(W: Tensor) -> Tensor:
        return ((X @ W).tanh() ** 2).mean()

    estimate = numerical_gradient(loss, W)
    W_leaf = W.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(loss(W_leaf), W_leaf)
    assert estimate.shape == (2, 3)
    torch.testing.assert_close(estimate, expected, rtol=1e-7, atol=1e-9)


def test_numerical_gradient_on_a_non_contiguous_input() -> None:
    x = torch.arange(6, dtype=torch.float64).reshape(2, 3).t()  # (3, 2), not contiguous
    weights = torch.arange(1, 7, dtype=torch.float64).reshape(3, 2)
    estimate = numerical_gradient(lambda t: (weights * t**2).sum(), x)
    torch.testing.assert_close(estimate, 2 * weights * x)


def test_numerical_gradient_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="floating-point"):
        numerical_gradient(lambda t: t.sum(), torch.arange(3))
    with pytest.raises(ValueError, match="single number"):
        numerical_gradient(lambda t: t * 2, torch.zeros(3, dtype=torch.float64))
