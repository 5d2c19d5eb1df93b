"""Likelihoods of the three distributions deep learning leans on, and their maximum-likelihood fits.

Taught in docs/foundations/mathematical-foundations/; the loss functions of
docs/neurons/loss-functions/ are these negative log-likelihoods, averaged over a batch.

- Bernoulli (a yes/no outcome): ``P(y) = p^y (1 − p)^(1 − y)`` for ``y ∈ {0, 1}``.
- Categorical (one of ``K`` classes): ``P(y = k) = π_k``.
- Gaussian (a real number): ``p(x) = exp(−(x − μ)² / 2σ²) / √(2πσ²)``.

Each ``*_log_likelihood`` returns the log-likelihood of a whole data set of independent
observations, the *sum* of the per-example log-probabilities; each ``*_mle`` returns the
parameters that maximise it, in closed form. The parameters may be one value for every
example or one per example (a model's prediction), as long as they broadcast. Checked
against ``torch.distributions`` in tests/library/test_probability.py. The per-example
log-probabilities they sum are dlbook.likelihood's, the ones the loss functions use.

Ref: R. A. Fisher, "On the mathematical foundations of theoretical statistics",
Philosophical Transactions of the Royal Society A 1922 (maximum likelihood).
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlbook.likelihood import bernoulli_log_prob, categorical_log_prob, gaussian_log_prob

__all__ = [
    "bernoulli_log_likelihood",
    "bernoulli_mle",
    "categorical_log_likelihood",
    "categorical_mle",
    "gaussian_log_likelihood",
    "gaussian_mle",
]


def _check_nonempty(name: str, y: Tensor) -> None:
    if y.numel() == 0:
        raise ValueError(f"{name} expects at least one observation, got an empty tensor")


def _check_binary(name: str, y: Tensor) -> None:
    _check_nonempty(name, y)
    if not bool(((y == 0) | (y == 1)).all()):
        raise ValueError(f"{name} expects observations y that are all 0 or 1, got {y.unique().tolist()[:6]}")


# --- Bernoulli -------------------------------------------------------------------------


def bernoulli_log_likelihood(y: Tensor, p: Tensor | float) -> Tensor:
    """``log L(p) = Σ_i [y_i log p_i + (1 − y_i) log(1 − p_i)]`` for outcomes ``y_i ∈ {0, 1}``.

    ``p`` is the probability of a 1: one number for all outcomes, or a tensor that
    broadcasts against ``y``. ``0 · log 0`` counts as 0, so ``p = 0`` or ``1`` is allowed
    wherever it agrees with the data (and gives ``-inf`` where it does not).
    """
    _check_binary("bernoulli_log_likelihood", y)
    if isinstance(p, Tensor) and p.is_floating_point():
        dtype = torch.promote_types(p.dtype, y.dtype) if y.is_floating_point() else p.dtype
    else:
        dtype = y.dtype if y.is_floating_point() else torch.get_default_dtype()
    p_t = torch.as_tensor(p, dtype=dtype, device=y.device)
    if not bool(((p_t >= 0) & (p_t <= 1)).all()):
        raise ValueError("bernoulli_log_likelihood expects probabilities p in [0, 1]")
    y_b, p_b = torch.broadcast_tensors(y.to(p_t.dtype), p_t)
    return bernoulli_log_prob(y_b, p=p_b).sum()  # Σ_i y_i log p_i + (1 − y_i) log(1 − p_i)


def bernoulli_mle(y: Tensor) -> Tensor:
    """The ``p`` that maximises ``bernoulli_log_likelihood(y, p)``: the fraction of ones, ``p̂ = ȳ``."""
    _check_binary("bernoulli_mle", y)
    return (y if y.is_floating_point() else y.to(torch.get_default_dtype())).mean()


# --- categorical -----------------------------------------------------------------------


def categorical_log_likelihood(y: Tensor, probs: Tensor) -> Tensor:
    """``log L(π) = Σ_i log π_{y_i}`` for class indices ``y`` (n,) in ``0..K−1``.

    ``probs`` is (K,), one distribution for every observation, or (n, K), one per
    observation (a classifier's softmax outputs); each row must sum to 1.
    """
    _check_nonempty("categorical_log_likelihood", y)
    if y.ndim != 1 or y.dtype not in (torch.int32, torch.int64):
        raise ValueError(f"categorical_log_likelihood expects integer class indices y of shape (n,), "
                         f"got shape {tuple(y.shape)} and dtype {y.dtype}")
    if probs.ndim not in (1, 2) or (probs.ndim == 2 and probs.shape[0] != y.shape[0]):
        raise ValueError(f"categorical_log_likelihood expects probs of shape (K,) or (n, K) with n = "
                         f"{y.shape[0]}, got {tuple(probs.shape)}")
    K = probs.shape[-1]
    if int(y.min()) < 0 or int(y.max()) >= K:
        raise ValueError(f"categorical_log_likelihood expects classes in 0..{K - 1}, got "
                         f"{int(y.min())}..{int(y.max())}")
    if not torch.allclose(probs.sum(dim=-1), torch.ones((), dtype=probs.dtype), atol=1e-5):
        raise ValueError("categorical_log_likelihood expects probabilities that sum to 1 over the classes")
    table = probs.expand(y.shape[0], K)  # (n, K)
    # log softmax(log π) = log π when π sums to 1: the per-example log-probability of dlbook.likelihood
    return categorical_log_prob(y.long(), logits=table.log()).sum()  # Σ_i log π_{y_i}


def categorical_mle(y: Tensor, num_classes: int) -> Tensor:
    """The ``π`` that maximises ``categorical_log_likelihood(y, π)``: the class frequencies, (K,)."""
    _check_nonempty("categorical_mle", y)
    if int(y.min()) < 0 or int(y.max()) >= num_classes:
        raise ValueError(f"categorical_mle expects classes in 0..{num_classes - 1}, got "
                         f"{int(y.min())}..{int(y.max())}")
    counts = torch.bincount(y, minlength=num_classes)  # (K,): n_k
    return counts.to(torch.get_default_dtype()) / y.numel()  # π̂_k = n_k / n


# --- Gaussian --------------------------------------------------------------------------


def gaussian_log_likelihood(x: Tensor, mu: Tensor | float, sigma: Tensor | float) -> Tensor:
    """``log L(μ, σ) = Σ_i [−½ log(2πσ²) − (x_i − μ)² / (2σ²)]`` for real observations ``x``.

    ``mu`` and ``sigma > 0`` are numbers or tensors that broadcast against ``x``.
    """
    _check_nonempty("gaussian_log_likelihood", x)
    if not x.is_floating_point():
        raise ValueError(f"gaussian_log_likelihood expects floating-point x, got {x.dtype}")
    mu_t = torch.as_tensor(mu, dtype=x.dtype, device=x.device)
    sigma_t = torch.as_tensor(sigma, dtype=x.dtype, device=x.device)
    if not bool((sigma_t > 0).all()):
        raise ValueError("gaussian_log_likelihood expects a standard deviation sigma > 0")
    x_b, mu_b = torch.broadcast_tensors(x, mu_t)
    # Σ_i [−½ log(2πσ²) − (x_i − μ)² / (2σ²)], each term from dlbook.likelihood
    return gaussian_log_prob(x_b, mu_b, sigma=sigma_t).sum()


def gaussian_mle(x: Tensor) -> tuple[Tensor, Tensor]:
    """The ``(μ, σ)`` that maximise ``gaussian_log_likelihood(x, μ, σ)``.

    ``μ̂`` is the sample mean and ``σ̂² = (1/n) Σ (x_i − μ̂)²`` divides by ``n``, not ``n − 1``:
    maximum likelihood gives the slightly biased estimate of the variance.
    """
    _check_nonempty("gaussian_mle", x)
    if not x.is_floating_point():
        raise ValueError(f"gaussian_mle expects floating-point x, got {x.dtype}")
    mu = x.mean()
    return mu, ((x - mu) ** 2).mean().sqrt()
