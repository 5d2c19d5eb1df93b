"""dlbook.jacobian: the numerical Jacobian against torch.autograd.functional.jacobian."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch.autograd.functional import jacobian

from dlbook.jacobian import numerical_jacobian

D = torch.float64
g = torch.Generator().manual_seed(0)
W = torch.randn(3, 4, generator=g, dtype=D)
b = torch.randn(3, generator=g, dtype=D)


@pytest.mark.parametrize(
    "f",
    [
        lambda x: torch.tanh(W @ x + b),  # R^4 -> R^3
        lambda x: torch.softmax(x, dim=0),  # R^4 -> R^4
        lambda x: (x**2).sum(),  # R^4 -> R: the Jacobian is the gradient
        lambda x: torch.outer(x, x),  # R^4 -> R^(4x4): a higher-order Jacobian
    ],
)
def test_numerical_jacobian_matches_autograd(f: Callable[[torch.Tensor], torch.Tensor]) -> None:
    x = torch.randn(4, generator=torch.Generator().manual_seed(1), dtype=D)
    expected = jacobian(f, x)
    got = numerical_jacobian(f, x)
    assert got.shape == expected.shape
    torch.testing.assert_close(got, expected, atol=1e-8, rtol=1e-6)


def test_chain_rule_is_a_product_of_jacobians() -> None:
    x = torch.randn(4, generator=torch.Generator().manual_seed(2), dtype=D)
    inner = lambda x: W @ x + b  # noqa: E731
    outer = lambda u: torch.stack([u[0] * u[1], torch.sin(u[2]), u.sum()])  # noqa: E731
    J_composed = numerical_jacobian(lambda x: outer(inner(x)), x)
    torch.testing.assert_close(J_composed, numerical_jacobian(outer, inner(x)) @ numerical_jacobian(inner, x))
    torch.testing.assert_close(numerical_jacobian(inner, x), W)


def test_input_is_untouched_and_matrix_input_keeps_its_shape() -> None:
    X = torch.randn(2, 3, generator=torch.Generator().manual_seed(3), dtype=D)
    before = X.clone()
    J = numerical_jacobian(lambda X: X.sum(dim=1), X)
    assert J.shape == (2, 2, 3)
    assert torch.equal(X, before)
    torch.testing.assert_close(J, jacobian(lambda X: X.sum(dim=1), X))


def test_bad_input_fails_early() -> None:
    with pytest.raises(ValueError, match="floating-point"):
        numerical_jacobian(lambda x: x, torch.arange(3))
    with pytest.raises(ValueError, match="h > 0"):
        numerical_jacobian(lambda x: x, torch.zeros(3), h=0.0)
