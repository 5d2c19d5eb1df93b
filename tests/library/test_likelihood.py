"""dlbook.likelihood against torch.distributions, and each loss of dlbook.losses as a negative
log-likelihood."""

from __future__ import annotations

import math
import re

import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Bernoulli, Categorical, Normal

from dlbook.likelihood import bernoulli_log_prob, categorical_log_prob, gaussian_log_prob
from dlbook.losses import binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, mse

DTYPES = [torch.float64, torch.float32]


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --- Gaussian ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sigma", [0.3, 1.0, 7.5])
def test_gaussian_matches_torch_distributions(sigma: float, dtype: torch.dtype) -> None:
    g = gen(0)
    mean, y = (3 * torch.randn(4, 5, generator=g, dtype=dtype) for _ in range(2))
    torch.testing.assert_close(gaussian_log_prob(y, mean, sigma=sigma), Normal(mean, sigma).log_prob(y))


def test_gaussian_per_entry_sigma_and_gaussian_nll_loss() -> None:
    g = gen(1)
    mean, y = (torch.randn(6, generator=g, dtype=torch.float64) for _ in range(2))
    sigma = 0.5 + torch.rand(6, generator=g, dtype=torch.float64)
    ours = gaussian_log_prob(y, mean, sigma=sigma)
    torch.testing.assert_close(ours, Normal(mean, sigma).log_prob(y))
    # torch's Gaussian NLL loss takes the variance and, with full=True, keeps the ½ log 2π
    torch.testing.assert_close(-ours.mean(), F.gaussian_nll_loss(mean, y, sigma**2, full=True))


@pytest.mark.parametrize("sigma", [0.5, 2.0])
def test_gaussian_nll_is_mse_over_two_sigma_squared_plus_a_constant(sigma: float) -> None:
    g = gen(2)
    y_hat, y = (torch.randn(50, generator=g, dtype=torch.float64) for _ in range(2))
    nll = -gaussian_log_prob(y, y_hat, sigma=sigma).mean()
    constant = math.log(sigma) + 0.5 * math.log(2 * math.pi)
    torch.testing.assert_close(nll, mse(y_hat, y) / (2 * sigma**2) + constant)
    # the same gradient with respect to the predictions, up to the factor 1/(2σ²)
    y_hat = y_hat.requires_grad_()
    (g_nll,) = torch.autograd.grad(-gaussian_log_prob(y, y_hat, sigma=sigma).mean(), y_hat)
    (g_mse,) = torch.autograd.grad(mse(y_hat, y), y_hat)
    torch.testing.assert_close(g_nll, g_mse / (2 * sigma**2))


def test_gaussian_refuses_bad_sigma_and_broadcasting() -> None:
    with pytest.raises(ValueError, match=r"^gaussian_log_prob expects sigma > 0, got 0\.0$"):
        gaussian_log_prob(torch.zeros(3), torch.zeros(3), sigma=0.0)
    message = "gaussian_log_prob expects y and mean of the same shape, got (3,) and (3, 1)"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        gaussian_log_prob(torch.zeros(3), torch.zeros(3, 1))


# --- Bernoulli -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_bernoulli_matches_torch_distributions(dtype: torch.dtype) -> None:
    g = gen(3)
    z = 4 * torch.randn(200, generator=g, dtype=dtype)
    y = torch.randint(0, 2, (200,), generator=g).to(dtype)
    p = torch.sigmoid(z)
    torch.testing.assert_close(bernoulli_log_prob(y, p=p), Bernoulli(probs=p).log_prob(y))
    torch.testing.assert_close(bernoulli_log_prob(y, logits=z), Bernoulli(logits=z).log_prob(y))


def test_bernoulli_nll_is_binary_cross_entropy() -> None:
    g = gen(4)
    z = 2 * torch.randn(100, generator=g, dtype=torch.float64)
    y = torch.randint(0, 2, (100,), generator=g).double()
    p = torch.sigmoid(z)
    torch.testing.assert_close(-bernoulli_log_prob(y, p=p).mean(), binary_cross_entropy(p, y))
    from_logits = -bernoulli_log_prob(y, logits=z).mean()
    torch.testing.assert_close(from_logits, binary_cross_entropy_with_logits(z, y))
    torch.testing.assert_close(-bernoulli_log_prob(y, p=p).mean(), F.binary_cross_entropy(p, y))


def test_bernoulli_by_hand_and_at_the_edges() -> None:
    y = torch.tensor([1.0, 0.0, 1.0, 0.0])
    p = torch.tensor([0.8, 0.8, 1.0, 0.0])  # the last two are certain and right
    expected = torch.tensor([math.log(0.8), math.log(0.2), 0.0, 0.0])
    torch.testing.assert_close(bernoulli_log_prob(y, p=p), expected)
    # logits far beyond float32's exp range stay finite and exact: log σ(−200) = −200 (to rounding)
    z = torch.tensor([200.0, -200.0])
    both_passed = torch.tensor([1.0, 1.0])
    torch.testing.assert_close(bernoulli_log_prob(both_passed, logits=z), torch.tensor([0.0, -200.0]))


def test_bernoulli_gradient_on_the_logit_is_y_minus_p() -> None:
    z = torch.linspace(-6, 6, 13, dtype=torch.float64, requires_grad=True)
    y = (torch.arange(13) % 2).double()
    (grad,) = torch.autograd.grad(bernoulli_log_prob(y, logits=z).sum(), z)
    torch.testing.assert_close(grad, y - torch.sigmoid(z.detach()))


def test_bernoulli_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="^bernoulli_log_prob expects exactly one of p or logits$"):
        bernoulli_log_prob(torch.zeros(2))
    with pytest.raises(ValueError, match="^bernoulli_log_prob expects exactly one of p or logits$"):
        bernoulli_log_prob(torch.zeros(2), p=torch.zeros(2), logits=torch.zeros(2))
    with pytest.raises(ValueError, match=r"expects labels y in \{0, 1\}"):
        bernoulli_log_prob(torch.tensor([0.5]), p=torch.tensor([0.5]))
    with pytest.raises(ValueError, match=r"expects probabilities p in \[0, 1\]"):
        bernoulli_log_prob(torch.tensor([1.0]), p=torch.tensor([1.5]))
    with pytest.raises(ValueError, match=re.escape("got (3,) and (3, 1)")):
        bernoulli_log_prob(torch.zeros(3), logits=torch.zeros(3, 1))


# --- Categorical ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_categorical_matches_torch_distributions(dtype: torch.dtype) -> None:
    g = gen(5)
    logits = 3 * torch.randn(8, 5, generator=g, dtype=dtype)
    targets = torch.randint(0, 5, (8,), generator=g)
    ours = categorical_log_prob(targets, logits=logits)
    assert ours.shape == (8,)
    torch.testing.assert_close(ours, Categorical(logits=logits).log_prob(targets))
    torch.testing.assert_close(-ours.mean(), cross_entropy(logits, targets))
    torch.testing.assert_close(-ours.mean(), F.cross_entropy(logits, targets))


def test_categorical_with_two_classes_is_bernoulli_on_the_logit_difference() -> None:
    g = gen(6)
    z = 3 * torch.randn(10, generator=g, dtype=torch.float64)
    y = torch.randint(0, 2, (10,), generator=g)
    two = torch.stack([torch.zeros_like(z), z], dim=1)  # (B, 2): class 0 pinned at 0
    torch.testing.assert_close(categorical_log_prob(y, logits=two), bernoulli_log_prob(y.double(), logits=z))


def test_categorical_stays_finite_for_huge_logits() -> None:
    logits = torch.tensor([[1000.0, 0.0, -1000.0], [-800.0, -801.0, -802.0]])
    out = categorical_log_prob(torch.tensor([1, 0]), logits=logits)
    assert torch.isfinite(out).all()
    reference = Categorical(logits=logits).log_prob(torch.tensor([1, 0]))
    torch.testing.assert_close(out, reference, atol=1e-4, rtol=0)


def test_categorical_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match=re.escape("expects logits of shape (B, C), got (3,)")):
        categorical_log_prob(torch.zeros(3, dtype=torch.long), logits=torch.zeros(3))
    with pytest.raises(ValueError, match=re.escape("expects targets of shape (2,) and dtype torch.long")):
        categorical_log_prob(torch.zeros(2), logits=torch.zeros(2, 3))
    with pytest.raises(ValueError, match=re.escape("expects targets in [0, 3), got values in [0, 3]")):
        categorical_log_prob(torch.tensor([0, 3]), logits=torch.zeros(2, 3))
