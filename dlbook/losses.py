"""Loss functions: mean squared error and cross-entropy, in stable and naive forms.

Taught in docs/neurons/loss-functions/. A loss turns predictions and targets into
one number to minimise; every function here returns the mean over the batch, the
empirical risk ``J(W) = (1/n) Σ_i L(f(x_i; W), y_i)``. tests/library/test_losses.py checks
each against ``torch.nn.functional`` in value and gradient, including logits so large
that the naive formulas overflow, which is what ``naive_cross_entropy`` is kept for.
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlbook.activations import softplus

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "log_softmax",
    "mse",
    "naive_cross_entropy",
]


def _check_same_shape(name: str, a: str, x: Tensor, b: str, y: Tensor) -> None:
    # (n, 1) against (n,) would broadcast to (n, n) and silently give a wrong loss
    if x.shape != y.shape:
        raise ValueError(
            f"{name} expects {a} and {b} of the same shape, got {tuple(x.shape)} and {tuple(y.shape)}"
        )


def _check_class_targets(name: str, logits: Tensor, targets: Tensor) -> None:
    if logits.ndim != 2:
        raise ValueError(f"{name} expects logits of shape (B, C), got {tuple(logits.shape)}")
    B, C = logits.shape
    if targets.shape != (B,):
        raise ValueError(f"{name} expects targets of shape (B,) = ({B},), got {tuple(targets.shape)}")
    if targets.dtype != torch.long:
        raise ValueError(f"{name} expects targets as class indices of dtype torch.long, got {targets.dtype}")
    if B and (int(targets.min()) < 0 or int(targets.max()) >= C):
        raise ValueError(f"{name} expects targets in [0, {C}), got values in "
                         f"[{int(targets.min())}, {int(targets.max())}]")


# --- Regression ----------------------------------------------------------------


def mse(y_hat: Tensor, y: Tensor) -> Tensor:
    """Mean squared error ``(1/n) Σ_i (ŷ_i − y_i)²`` over every entry; a 0-d tensor.

    ``y_hat`` and ``y`` must have the same shape. A network's (n, 1) output against
    targets of shape (n,) is rejected rather than broadcast into an (n, n) table.
    """
    _check_same_shape("mse", "y_hat", y_hat, "y", y)
    return ((y_hat - y) ** 2).mean()


# --- Two classes -----------------------------------------------------------------


def binary_cross_entropy(p: Tensor, y: Tensor, *, eps: float = 1e-7) -> Tensor:
    """Binary cross-entropy on probabilities: ``−(1/n) Σ_i [y_i log p_i + (1 − y_i) log(1 − p_i)]``.

    ``p`` holds predicted probabilities of class 1 (a sigmoid's output), ``y`` the
    0/1 targets as floats, both of the same shape. ``p`` is clipped to
    ``[eps, 1 − eps]`` so a confident wrong answer costs a large finite amount instead
    of ``log 0 = −inf``. Prefer ``binary_cross_entropy_with_logits`` in training code.
    """
    _check_same_shape("binary_cross_entropy", "p", p, "y", y)
    if not 0 < eps < 0.5:
        raise ValueError(f"binary_cross_entropy expects 0 < eps < 0.5, got {eps!r}")
    if not bool(((p >= 0) & (p <= 1)).all()):  # nan fails both comparisons
        raise ValueError("binary_cross_entropy expects probabilities p in [0, 1]; "
                         "for raw scores use binary_cross_entropy_with_logits")
    p = p.clamp(eps, 1 - eps)
    # −[y log p + (1 − y) log(1 − p)], averaged
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def binary_cross_entropy_with_logits(z: Tensor, y: Tensor) -> Tensor:
    """Binary cross-entropy on logits ``z`` (scores before the sigmoid), stable for any ``z``.

    With p = σ(z): −log σ(z) = log(1 + e^{−z}) and −log(1 − σ(z)) = log(1 + e^{z}),
    so the per-sample loss −[y log p + (1 − y) log(1 − p)] simplifies to
    ``log(1 + e^z) − z y = max(z, 0) − z y + log(1 + e^{−|z|})``, the softplus form,
    which never exponentiates a positive number. Same shapes for ``z`` and ``y``.
    """
    _check_same_shape("binary_cross_entropy_with_logits", "z", z, "y", y)
    return (softplus(z) - z * y).mean()  # max(z, 0) − z y + log(1 + e^{−|z|})


# --- Many classes ----------------------------------------------------------------


def log_softmax(z: Tensor, *, dim: int = -1) -> Tensor:
    """``log softmax(z)`` along ``dim``, computed as ``z − logsumexp(z)`` without overflow.

    log(e^{z_i} / Σ_j e^{z_j}) = z_i − log Σ_j e^{z_j}, and with m = max_j z_j,
    log Σ_j e^{z_j} = m + log Σ_j e^{z_j − m}, where every exponent is ≤ 0 and the
    largest term is e^0 = 1, so the sum is in [1, C]. Shape: that of ``z``.
    """
    m = z.amax(dim=dim, keepdim=True)
    logsumexp = m + torch.log(torch.exp(z - m).sum(dim=dim, keepdim=True))
    return z - logsumexp


def cross_entropy(logits: Tensor, targets: Tensor) -> Tensor:
    """Cross-entropy of class-index targets: ``−(1/B) Σ_b log softmax(logits_b)[targets_b]``.

    Shapes: ``logits`` (B, C) raw scores, ``targets`` (B,) of dtype long with values
    in [0, C). Built on ``log_softmax``, so logits of any size stay finite.
    """
    _check_class_targets("cross_entropy", logits, targets)
    log_p = log_softmax(logits, dim=1)  # (B, C)
    picked = log_p[torch.arange(logits.shape[0]), targets]  # (B,) log-probability of the true class
    return -picked.mean()


def naive_cross_entropy(logits: Tensor, targets: Tensor) -> Tensor:
    """Cross-entropy the textbook way, softmax first and then log: do not train with this.

    Mathematically equal to ``cross_entropy``, but ``e^{1000}`` is inf, so large
    logits give inf / inf = nan; very negative ones give 0 / 0 or log 0 = −inf.
    Kept so the book can show the failure next to the stable version.
    """
    _check_class_targets("naive_cross_entropy", logits, targets)
    e = torch.exp(logits)  # (B, C), overflows for logits ≳ 89 (float32) or ≳ 710 (float64)
    probs = e / e.sum(dim=1, keepdim=True)  # softmax without the max shift
    picked = probs[torch.arange(logits.shape[0]), targets]  # (B,)
    return -torch.log(picked).mean()
