"""dlbook.probability: log-likelihoods against torch.distributions, and the fits are the maxima."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from dlbook.probability import (
    bernoulli_log_likelihood,
    bernoulli_mle,
    categorical_log_likelihood,
    categorical_mle,
    gaussian_log_likelihood,
    gaussian_mle,
)

D = torch.float64


def _g(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bernoulli_matches_torch_distributions(seed: int) -> None:
    y = (torch.rand(50, generator=_g(seed), dtype=D) < 0.3).to(D)
    for p in (0.3, torch.rand(50, generator=_g(seed + 10), dtype=D)):
        expected = torch.distributions.Bernoulli(probs=torch.as_tensor(p, dtype=D)).log_prob(y).sum()
        torch.testing.assert_close(bernoulli_log_likelihood(y, p), expected)


def test_bernoulli_edge_probabilities_and_integer_outcomes() -> None:
    y = torch.tensor([1, 1, 1])
    assert bernoulli_log_likelihood(y, 1.0).item() == 0.0  # 0 · log 0 counts as 0
    assert bernoulli_log_likelihood(torch.tensor([1, 0]), 1.0).item() == float("-inf")


def test_bernoulli_with_sigmoid_probabilities_is_minus_n_times_bce() -> None:
    z = torch.randn(40, generator=_g(3), dtype=D)
    y = (torch.rand(40, generator=_g(4), dtype=D) < 0.5).to(D)
    nll = -bernoulli_log_likelihood(y, torch.sigmoid(z)) / 40
    torch.testing.assert_close(nll, F.binary_cross_entropy_with_logits(z, y))


def test_bernoulli_mle_is_the_fraction_of_ones_and_the_maximum() -> None:
    y = torch.tensor([1, 0, 0, 1, 1, 0, 1, 1, 0, 1])
    p_hat = bernoulli_mle(y)
    assert p_hat.item() == pytest.approx(0.6)
    grid = torch.linspace(0.01, 0.99, 99, dtype=D)
    values = torch.stack([bernoulli_log_likelihood(y, p) for p in grid])
    assert grid[values.argmax()].item() == pytest.approx(0.6)
    p = bernoulli_mle(y.to(D)).clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(bernoulli_log_likelihood(y, p), p)
    assert abs(grad.item()) < 1e-9  # the derivative vanishes at the maximum


def test_categorical_matches_torch_distributions_and_cross_entropy() -> None:
    y = torch.randint(0, 4, (30,), generator=_g(5))
    probs = torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=D)
    expected = torch.distributions.Categorical(probs=probs).log_prob(y).sum()
    torch.testing.assert_close(categorical_log_likelihood(y, probs), expected)
    logits = torch.randn(30, 4, generator=_g(6), dtype=D)
    per_example = torch.softmax(logits, dim=1)
    torch.testing.assert_close(-categorical_log_likelihood(y, per_example) / 30, F.cross_entropy(logits, y))


def test_categorical_mle_is_the_frequencies_and_beats_other_distributions() -> None:
    y = torch.tensor([0, 2, 2, 1, 2, 0, 2, 3])
    pi_hat = categorical_mle(y, 5)
    torch.testing.assert_close(pi_hat, torch.tensor([2, 1, 4, 1, 0]) / 8.0)
    best = categorical_log_likelihood(y, pi_hat)
    for seed in range(20):
        other = torch.softmax(torch.randn(5, generator=_g(seed)), dim=0)
        assert categorical_log_likelihood(y, other) < best


@pytest.mark.parametrize("seed", [0, 1])
def test_gaussian_matches_torch_distributions(seed: int) -> None:
    x = 2.0 + 3.0 * torch.randn(60, generator=_g(seed), dtype=D)
    for mu, sigma in ((1.5, 2.5), (torch.randn(60, generator=_g(seed + 1), dtype=D), 0.7)):
        normal = torch.distributions.Normal(torch.as_tensor(mu, dtype=D), torch.as_tensor(sigma, dtype=D))
        torch.testing.assert_close(gaussian_log_likelihood(x, mu, sigma), normal.log_prob(x).sum())


def test_gaussian_mle_zeroes_the_gradient_and_divides_by_n() -> None:
    x = 2.0 + 3.0 * torch.randn(200, generator=_g(7), dtype=D)
    mu_hat, sigma_hat = gaussian_mle(x)
    torch.testing.assert_close(mu_hat, x.mean())
    torch.testing.assert_close(sigma_hat, x.std(correction=0))
    params = torch.stack([mu_hat, sigma_hat]).clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(gaussian_log_likelihood(x, params[0], params[1]), params)
    torch.testing.assert_close(grad, torch.zeros(2, dtype=D), atol=1e-9, rtol=0)
    # with a fixed sigma, -log L is the squared error up to a constant: its argmin over mu is the mean
    torch.testing.assert_close(
        -gaussian_log_likelihood(x, 0.0, 1.0) - (-gaussian_log_likelihood(x, 1.0, 1.0)),
        0.5 * ((x**2).sum() - ((x - 1.0) ** 2).sum()),
    )


def test_bad_input_fails_early() -> None:
    with pytest.raises(ValueError, match="all 0 or 1"):
        bernoulli_log_likelihood(torch.tensor([0.0, 2.0]), 0.5)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        bernoulli_log_likelihood(torch.tensor([0.0, 1.0]), 1.5)
    with pytest.raises(ValueError, match="sum to 1"):
        categorical_log_likelihood(torch.tensor([0, 1]), torch.tensor([0.5, 0.6]))
    with pytest.raises(ValueError, match="classes in 0..1"):
        categorical_log_likelihood(torch.tensor([0, 2]), torch.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match="sigma > 0"):
        gaussian_log_likelihood(torch.zeros(3), 0.0, 0.0)
    with pytest.raises(ValueError, match="at least one observation"):
        gaussian_mle(torch.zeros(0))
