"""Log-likelihoods of the three distributions behind the common losses.

Taught in docs/neurons/loss-functions/. A network that predicts ``y`` can be read as
outputting the parameters of a distribution over ``y``; training by maximum likelihood
minimises the mean negative log-probability of the observed targets, and each choice of
distribution gives one of the familiar losses:

- Gaussian, mean ŷ, fixed σ: −log p(y) = (y − ŷ)²/(2σ²) + log σ + ½ log 2π, so the
  mean is MSE/(2σ²) plus a constant;
- Bernoulli, P(y = 1) = p = σ(z): −log p(y) = −[y log p + (1 − y) log(1 − p)], the
  binary cross-entropy;
- categorical, P(y = k) = softmax(z)_k: −log p(y) = −log softmax(z)_y, the cross-entropy.

Every function returns per-example log-probabilities (not their mean), written from the
probability formulas; tests/library/test_likelihood.py checks them against
``torch.distributions`` and the equivalences against ``dlbook.losses``.
Ref: Fisher 1922; Goodfellow, Bengio & Courville 2016, sections 5.5 and 6.2.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from dlbook.activations import softplus
from dlbook.losses import log_softmax

__all__ = ["bernoulli_log_prob", "categorical_log_prob", "gaussian_log_prob"]

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)  # ½ log 2π, the Gaussian's constant


def _check_same_shape(name: str, a: str, x: Tensor, b: str, y: Tensor) -> None:
    # (n, 1) against (n,) would broadcast to (n, n), as in dlbook.losses.mse
    if x.shape != y.shape:
        raise ValueError(
            f"{name} expects {a} and {b} of the same shape, got {tuple(x.shape)} and {tuple(y.shape)}"
        )


def gaussian_log_prob(y: Tensor, mean: Tensor, *, sigma: float | Tensor = 1.0) -> Tensor:
    """``log N(y; mean, σ²)`` for every entry: ``−(y − mean)²/(2σ²) − log σ − ½ log 2π``.

    ``y`` and ``mean`` have the same shape, which the result has too. ``sigma`` is the
    noise's standard deviation, a positive number or a tensor that broadcasts against
    ``y``. With σ fixed, only the first term depends on the model, so maximising the mean
    log-probability is minimising the mean squared error.
    """
    _check_same_shape("gaussian_log_prob", "y", y, "mean", mean)
    sigma_t = torch.as_tensor(sigma, dtype=mean.dtype, device=mean.device)
    if not bool((sigma_t > 0).all()):  # nan fails too
        raise ValueError(f"gaussian_log_prob expects sigma > 0, got {sigma!r}")
    # log N = −(y − μ)²/(2σ²) − log σ − ½ log 2π
    return -((y - mean) ** 2) / (2 * sigma_t**2) - torch.log(sigma_t) - HALF_LOG_2PI


def _check_binary(name: str, y: Tensor) -> None:
    if not bool(((y == 0) | (y == 1)).all()):
        raise ValueError(f"{name} expects labels y in {{0, 1}}: a Bernoulli variable takes no other value")


def bernoulli_log_prob(y: Tensor, *, p: Tensor | None = None, logits: Tensor | None = None) -> Tensor:
    """``log P(y)`` for ``y ~ Bernoulli(p)``: ``y log p + (1 − y) log(1 − p)``, per entry.

    Give exactly one of ``p`` (probabilities of 1) or ``logits`` (``p = σ(z)``), of the
    same shape as the 0/1 labels ``y``. On probabilities, ``0 · log 0`` counts as 0
    (``torch.special.xlogy``), so a certain and correct prediction has log-probability 0.
    On logits it uses log σ(z) = −softplus(−z) and log(1 − σ(z)) = −softplus(z), which
    give ``y z − softplus(z)`` and stay finite for any z.
    """
    if (p is None) == (logits is None):
        raise ValueError("bernoulli_log_prob expects exactly one of p or logits")
    _check_binary("bernoulli_log_prob", y)
    if logits is not None:
        _check_same_shape("bernoulli_log_prob", "y", y, "logits", logits)
        y = y.to(logits.dtype)
        # y log σ(z) + (1 − y) log(1 − σ(z)) = y z − log(1 + e^z)
        return y * logits - softplus(logits)
    assert p is not None
    _check_same_shape("bernoulli_log_prob", "y", y, "p", p)
    if not bool(((p >= 0) & (p <= 1)).all()):  # nan fails both comparisons
        raise ValueError("bernoulli_log_prob expects probabilities p in [0, 1]; for raw scores pass logits=")
    y = y.to(p.dtype)
    # y log p + (1 − y) log(1 − p), with 0 · log 0 = 0
    return torch.special.xlogy(y, p) + torch.special.xlogy(1 - y, 1 - p)


def categorical_log_prob(targets: Tensor, *, logits: Tensor) -> Tensor:
    """``log P(y = targets_b)`` under ``softmax(logits_b)``: ``log softmax(z_b)_{y_b}``, shape (B,).

    Shapes: ``logits`` (B, C) raw scores, ``targets`` (B,) class indices of dtype long in
    [0, C). Built on ``dlbook.losses.log_softmax``, so large logits stay finite.
    """
    if logits.ndim != 2:
        raise ValueError(f"categorical_log_prob expects logits of shape (B, C), got {tuple(logits.shape)}")
    B, C = logits.shape
    if targets.shape != (B,) or targets.dtype != torch.long:
        raise ValueError(f"categorical_log_prob expects targets of shape ({B},) and dtype torch.long, "
                         f"got {tuple(targets.shape)} and {targets.dtype}")
    if B and (int(targets.min()) < 0 or int(targets.max()) >= C):
        raise ValueError(f"categorical_log_prob expects targets in [0, {C}), got values in "
                         f"[{int(targets.min())}, {int(targets.max())}]")
    log_p = log_softmax(logits, dim=1)  # (B, C)
    return log_p[torch.arange(B), targets]  # (B,) log-probability of each observed class
