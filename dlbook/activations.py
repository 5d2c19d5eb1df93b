"""Activation functions and their derivatives, each written out from its formula.

Taught in docs/neurons/activation-functions/. Every function here uses only
``torch.exp``, ``torch.log1p``, ``torch.where`` and arithmetic, so the formula in
the comment is the code below it; tests/library/test_activations.py checks each one against
PyTorch's built-in version and each derivative against ``torch.autograd``.

The derivatives (``*_grad``) take the same input ``x`` as the function and return
``f'(x)`` elementwise, with the shape of ``x``. ``ACTIVATIONS`` maps a name to the
pair ``(f, f')`` for plotting and for building layers by name (see dlbook.mlp).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "get_activation",
    "leaky_relu",
    "leaky_relu_grad",
    "linear",
    "linear_grad",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_jacobian",
    "softplus",
    "softplus_grad",
    "step",
    "step_grad",
    "tanh",
    "tanh_grad",
]

Activation = Callable[[Tensor], Tensor]  # a tensor in, a tensor of the same shape out


def _neg_abs(x: Tensor) -> Tensor:
    """−|x|, with the derivative at 0 taken from the right (−1) instead of abs()'s 0.

    Both stable forms below split on the sign of x; with this choice autograd gives
    the true derivative at x = 0 (σ'(0) = 1/4, softplus'(0) = 1/2) rather than a
    one-sided half of it.
    """
    return torch.where(x >= 0, -x, x)


# --- Step and linear: the two ends of the spectrum ----------------------------


def step(x: Tensor) -> Tensor:
    """Heaviside step: 1 where ``x ≥ 0``, else 0 (same dtype as ``x``).

    The perceptron's original activation. Its derivative is 0 wherever it exists,
    which is why gradient descent cannot train a network built from it.
    """
    return (x >= 0).to(x.dtype)  # H(x) = 1 if x ≥ 0 else 0


def step_grad(x: Tensor) -> Tensor:
    """Derivative of ``step``: 0 everywhere (undefined at 0, reported as 0)."""
    return torch.zeros_like(x)


def linear(x: Tensor) -> Tensor:
    """The identity ``f(x) = x``: "no activation", used on regression outputs."""
    return x


def linear_grad(x: Tensor) -> Tensor:
    """Derivative of ``linear``: 1 everywhere."""
    return torch.ones_like(x)


# --- Sigmoid, tanh and softplus: smooth squashing -------------------------------


def sigmoid(x: Tensor) -> Tensor:
    """The logistic sigmoid ``σ(x) = 1 / (1 + e^{−x})``, squashing ℝ into (0, 1).

    Computed without overflow for any ``x``: with ``e = e^{−|x|} ≤ 1``,
    σ(x) = 1 / (1 + e) for x ≥ 0 and σ(x) = e / (1 + e) for x < 0 (multiply the
    top and bottom of the definition by e^{x}). The textbook form would evaluate
    ``exp(1000) = inf`` for x = −1000; this one never leaves [0, 1].
    """
    e = torch.exp(_neg_abs(x))  # e^{−|x|} ∈ (0, 1]
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x: Tensor) -> Tensor:
    """Derivative of the sigmoid: ``σ'(x) = σ(x) (1 − σ(x))``, largest (1/4) at 0."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent ``tanh(x) = (e^x − e^{−x}) / (e^x + e^{−x})``, onto (−1, 1).

    Evaluated through the identity ``tanh(x) = 2σ(2x) − 1`` (divide the definition's
    top and bottom by e^{x}), so it inherits the sigmoid's stability: the definition
    itself gives inf / inf = nan once |x| passes ~355 in float64.
    """
    return 2 * sigmoid(2 * x) - 1


def tanh_grad(x: Tensor) -> Tensor:
    """Derivative of tanh: ``tanh'(x) = 1 − tanh²(x)``, equal to 1 at 0."""
    return 1 - tanh(x) ** 2


def softplus(x: Tensor) -> Tensor:
    """Softplus ``log(1 + e^x)``, a smooth ReLU; its derivative is the sigmoid.

    Stable form: log(1 + e^x) = max(x, 0) + log(1 + e^{−|x|}), whose exponent is
    never positive. dlbook.losses builds the binary cross-entropy on logits from it.
    """
    relu_part = torch.where(x >= 0, x, torch.zeros_like(x))  # max(x, 0)
    return relu_part + torch.log1p(torch.exp(_neg_abs(x)))


def softplus_grad(x: Tensor) -> Tensor:
    """Derivative of softplus: ``σ(x)``."""
    return sigmoid(x)


# --- ReLU and leaky ReLU: piecewise linear ------------------------------------


def relu(x: Tensor) -> Tensor:
    """Rectified linear unit ``max(0, x)``."""
    return torch.where(x > 0, x, torch.zeros_like(x))


def relu_grad(x: Tensor) -> Tensor:
    """Derivative of ReLU: 1 for ``x > 0``, 0 for ``x < 0``; at the kink 0 (as PyTorch)."""
    return (x > 0).to(x.dtype)


def _check_slope(name: str, negative_slope: float) -> None:
    if not negative_slope >= 0:
        raise ValueError(f"{name} expects negative_slope >= 0, got {negative_slope!r}")


def leaky_relu(x: Tensor, *, negative_slope: float = 0.01) -> Tensor:
    """Leaky ReLU: ``x`` for ``x > 0``, ``negative_slope · x`` otherwise.

    The small slope keeps a non-zero gradient for negative inputs, so a unit that
    lands there can still recover.
    """
    _check_slope("leaky_relu", negative_slope)
    return torch.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(x: Tensor, *, negative_slope: float = 0.01) -> Tensor:
    """Derivative of leaky ReLU: 1 for ``x > 0``, ``negative_slope`` otherwise."""
    _check_slope("leaky_relu_grad", negative_slope)
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope))


# --- Softmax: a vector of scores to a probability distribution ------------------


def softmax(x: Tensor, *, dim: int = -1) -> Tensor:
    """Softmax along ``dim``: ``softmax(x)_i = e^{x_i} / Σ_j e^{x_j}``.

    Shape: that of ``x``; the entries along ``dim`` are positive and sum to 1.
    Subtracting the maximum first changes nothing mathematically (the factor e^{−m}
    cancels) but keeps every exponent ≤ 0, so large scores cannot overflow.
    """
    shifted = x - x.amax(dim=dim, keepdim=True)  # x_i − max_j x_j ≤ 0
    e = torch.exp(shifted)
    return e / e.sum(dim=dim, keepdim=True)


def softmax_jacobian(s: Tensor) -> Tensor:
    """The Jacobian of softmax, from its output ``s = softmax(x)`` of shape (n,).

    ∂s_i/∂x_j = s_i (δ_ij − s_j), i.e. ``J = diag(s) − s sᵀ``, shape (n, n). Each
    output depends on every input, which is why softmax has no elementwise derivative.
    """
    if s.ndim != 1:
        raise ValueError(f"softmax_jacobian expects s of shape (n,), got {tuple(s.shape)}")
    return torch.diag(s) - torch.outer(s, s)  # (n, n)


# --- By name -------------------------------------------------------------------

# name -> (f, f'); the elementwise activations, so each pair can be plotted on one axis
ACTIVATIONS: dict[str, tuple[Activation, Activation]] = {
    "step": (step, step_grad),
    "linear": (linear, linear_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "softplus": (softplus, softplus_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
}


def get_activation(activation: str | Activation) -> Activation:
    """The function for a name in ``ACTIVATIONS`` (or ``"softmax"``, over the last axis).

    A callable is returned unchanged, so layers accept either ``"tanh"`` or ``torch.tanh``.
    """
    if callable(activation):
        return activation
    if activation == "softmax":
        return softmax
    if activation not in ACTIVATIONS:
        known = ", ".join([*ACTIVATIONS, "softmax"])
        raise ValueError(f"unknown activation {activation!r}; expected a callable or one of: {known}")
    return ACTIVATIONS[activation][0]
