"""dlbook.losses against torch.nn.functional: values and gradients, down to overflowing logits."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

from dlbook.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    log_softmax,
    mse,
    naive_cross_entropy,
)

DTYPES = [torch.float64, torch.float32]


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def grads(loss: Callable[..., Tensor], *inputs: Tensor) -> tuple[Tensor, ...]:
    """Gradients of ``loss(*inputs)`` with respect to every floating-point input."""
    leaves = [t.detach().clone().requires_grad_(t.is_floating_point()) for t in inputs]
    wrt = [t for t in leaves if t.requires_grad]
    return torch.autograd.grad(loss(*leaves), wrt)


# --- mse -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7,), (5, 1), (4, 3)])
def test_mse_matches_F(shape: tuple[int, ...], dtype: torch.dtype) -> None:
    g = gen(0)
    y_hat, y = (torch.randn(shape, generator=g, dtype=dtype) for _ in range(2))
    torch.testing.assert_close(mse(y_hat, y), F.mse_loss(y_hat, y))
    for ours, theirs in zip(grads(mse, y_hat, y), grads(F.mse_loss, y_hat, y), strict=True):
        torch.testing.assert_close(ours, theirs)


def test_mse_by_hand() -> None:
    y_hat = torch.tensor([1.0, 2.0, 4.0])
    y = torch.tensor([1.0, 0.0, 1.0])
    assert mse(y_hat, y).item() == pytest.approx((0 + 4 + 9) / 3)


def test_mse_refuses_to_broadcast_a_column_against_a_vector() -> None:
    message = "mse expects y_hat and y of the same shape, got (3, 1) and (3,)"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        mse(torch.zeros(3, 1), torch.zeros(3))


# --- binary cross-entropy ----------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_matches_F(dtype: torch.dtype) -> None:
    g = gen(1)
    p = torch.rand(50, generator=g, dtype=dtype) * 0.98 + 0.01  # away from 0 and 1
    y = torch.randint(0, 2, (50,), generator=g).to(dtype)
    torch.testing.assert_close(binary_cross_entropy(p, y), F.binary_cross_entropy(p, y))
    (ours,) = grads(lambda p: binary_cross_entropy(p, y), p)
    (theirs,) = grads(lambda p: F.binary_cross_entropy(p, y), p)
    torch.testing.assert_close(ours, theirs)


def test_binary_cross_entropy_by_hand_and_clipped() -> None:
    p = torch.tensor([0.9, 0.2], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0], dtype=torch.float64)
    expected = -(math.log(0.9) + math.log(0.8)) / 2  # the second term uses log(1 − p)
    assert binary_cross_entropy(p, y).item() == pytest.approx(expected, rel=1e-12)
    # a certain, wrong answer costs a lot, but a finite amount
    certain_wrong = binary_cross_entropy(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 0.0]))
    assert torch.isfinite(certain_wrong) and certain_wrong > 10


def test_binary_cross_entropy_rejects_non_probabilities() -> None:
    with pytest.raises(ValueError, match=r"p in \[0, 1\].*with_logits"):
        binary_cross_entropy(torch.tensor([0.5, 1.5]), torch.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="same shape"):
        binary_cross_entropy(torch.full((4, 1), 0.5), torch.ones(4))
    with pytest.raises(ValueError, match="eps"):
        binary_cross_entropy(torch.full((4,), 0.5), torch.ones(4), eps=0.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [1.0, 10.0, 1e3, 1e4])
def test_binary_cross_entropy_with_logits_matches_F(scale: float, dtype: torch.dtype) -> None:
    g = gen(2)
    z = (torch.randn(64, generator=g, dtype=torch.float64) * scale).to(dtype)
    y = torch.randint(0, 2, (64,), generator=g).to(dtype)
    loss = binary_cross_entropy_with_logits(z, y)
    assert torch.isfinite(loss)
    torch.testing.assert_close(loss, F.binary_cross_entropy_with_logits(z, y))
    (ours,) = grads(lambda z: binary_cross_entropy_with_logits(z, y), z)
    (theirs,) = grads(lambda z: F.binary_cross_entropy_with_logits(z, y), z)
    torch.testing.assert_close(ours, theirs)


def test_binary_cross_entropy_with_logits_gradient_at_zero_logits() -> None:
    # a zero-initialised model starts exactly at z = 0, where dL/dz_i = (σ(0) − y_i) / n
    z = torch.zeros(4, dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 1.0, 1.0], dtype=torch.float64)
    (ours,) = grads(lambda z: binary_cross_entropy_with_logits(z, y), z)
    torch.testing.assert_close(ours, (0.5 - y) / 4)


def test_binary_cross_entropy_with_logits_equals_sigmoid_then_bce() -> None:
    g = gen(3)
    z = torch.randn(20, generator=g, dtype=torch.float64)
    y = torch.randint(0, 2, (20,), generator=g).double()
    on_probabilities = binary_cross_entropy(torch.sigmoid(z), y)
    torch.testing.assert_close(binary_cross_entropy_with_logits(z, y), on_probabilities)


# --- log_softmax and cross-entropy -------------------------------------------


def logits(scale: float, dtype: torch.dtype, seed: int = 4) -> tuple[Tensor, Tensor]:
    """(8, 5) random logits times ``scale`` and (8,) class targets."""
    g = gen(seed)
    z = (torch.randn(8, 5, generator=g, dtype=torch.float64) * scale).to(dtype)
    targets = torch.randint(0, 5, (8,), generator=g)
    return z, targets


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [1.0, 1e3, 1e4])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_log_softmax_matches_F(dim: int, scale: float, dtype: torch.dtype) -> None:
    z, _ = logits(scale, dtype)
    out = log_softmax(z, dim=dim)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out, F.log_softmax(z, dim=dim))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [1.0, 10.0, 1e3, 1e4])
def test_cross_entropy_matches_F(scale: float, dtype: torch.dtype) -> None:
    z, targets = logits(scale, dtype)
    loss = cross_entropy(z, targets)
    assert torch.isfinite(loss)
    torch.testing.assert_close(loss, F.cross_entropy(z, targets))
    (ours,) = grads(lambda z: cross_entropy(z, targets), z)
    (theirs,) = grads(lambda z: F.cross_entropy(z, targets), z)
    torch.testing.assert_close(ours, theirs)


def test_cross_entropy_gradient_is_softmax_minus_one_hot() -> None:
    z, targets = logits(1.0, torch.float64)
    (ours,) = grads(lambda z: cross_entropy(z, targets), z)
    expected = (torch.softmax(z, dim=1) - F.one_hot(targets, 5)) / z.shape[0]
    torch.testing.assert_close(ours, expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_naive_cross_entropy_agrees_on_small_logits(dtype: torch.dtype) -> None:
    z, targets = logits(1.0, dtype)
    torch.testing.assert_close(naive_cross_entropy(z, targets), F.cross_entropy(z, targets))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [1e3, 1e4])
def test_naive_cross_entropy_breaks_where_the_stable_one_does_not(scale: float, dtype: torch.dtype) -> None:
    z, targets = logits(scale, dtype)
    assert not torch.isfinite(naive_cross_entropy(z, targets))  # inf or nan
    assert torch.isfinite(cross_entropy(z, targets))


def test_naive_cross_entropy_overflows_on_one_large_logit() -> None:
    z = torch.tensor([[1000.0, 0.0, -1000.0]], dtype=torch.float64)
    assert math.isnan(naive_cross_entropy(z, torch.tensor([0])).item())  # e^1000 / e^1000 = inf / inf
    assert cross_entropy(z, torch.tensor([0])).item() == pytest.approx(0.0)
    assert cross_entropy(z, torch.tensor([2])).item() == pytest.approx(2000.0)


@pytest.mark.parametrize("loss", [cross_entropy, naive_cross_entropy])
def test_cross_entropy_shape_errors(loss: Callable[[Tensor, Tensor], Tensor]) -> None:
    name = loss.__name__
    with pytest.raises(ValueError, match=rf"^{name} expects logits of shape \(B, C\), got \(5,\)$"):
        loss(torch.zeros(5), torch.tensor([1]))
    with pytest.raises(ValueError, match=r"targets of shape \(B,\) = \(4,\), got \(4, 1\)"):
        loss(torch.zeros(4, 3), torch.zeros(4, 1, dtype=torch.long))
    with pytest.raises(ValueError, match="torch.long"):
        loss(torch.zeros(4, 3), torch.zeros(4))
    with pytest.raises(ValueError, match=r"targets in \[0, 3\), got values in \[0, 3\]"):
        loss(torch.zeros(2, 3), torch.tensor([0, 3]))
