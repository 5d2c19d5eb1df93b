"""Backpropagation through an MLP written out by hand, one layer at a time, in matrix form.

Taught in docs/training/backpropagation/. The convention is that of dlbook.mlp.Dense
and ``nn.Linear``: ``Z = X Wᵀ + b`` with X (B, in), W (out, in), b (out,), Z (B, out),
then ``A = g(Z)``. Each ``*_forward`` returns its output and a cache of what its
``*_backward`` needs; each ``*_backward`` takes the gradient of the loss with respect
to that output (``dZ`` stands for ∂L/∂Z and has the shape of Z) and returns the
gradients with respect to the inputs. No autograd is used: tests/library/test_backprop.py
compares every gradient with ``torch.autograd`` and runs ``gradcheck`` on each piece.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from dlbook.activations import relu, sigmoid, tanh
from dlbook.losses import mse
from dlbook.mlp import MLP, Dense

__all__ = [
    "ActivationCache",
    "LinearCache",
    "Params",
    "activation_backward",
    "activation_forward",
    "activations_from_mlp",
    "linear_backward",
    "linear_forward",
    "mlp_backward",
    "mlp_forward",
    "mlp_forward_backward",
    "mse_backward",
    "params_from_mlp",
    "sgd_step",
]

Params = list[tuple[Tensor, Tensor]]  # [(W_1, b_1), ..., (W_L, b_L)], W_l (out_l, in_l), b_l (out_l,)
ACTIVATION_NAMES = ("linear", "sigmoid", "tanh", "relu")


# --- One linear layer: Z = X Wᵀ + b ------------------------------------------------


@dataclass(frozen=True)
class LinearCache:
    """What ``linear_backward`` needs from the forward pass."""

    X: Tensor  # (B, in), the layer's input
    W: Tensor  # (out, in), its weights


def linear_forward(X: Tensor, W: Tensor, b: Tensor) -> tuple[Tensor, LinearCache]:
    """``Z = X Wᵀ + b``: X (B, in), W (out, in), b (out,) -> Z (B, out), and the cache."""
    if X.ndim != 2 or W.ndim != 2 or X.shape[1] != W.shape[1] or b.shape != (W.shape[0],):
        raise ValueError(
            "linear_forward expects X (B, in), W (out, in) and b (out,) with matching in/out, "
            f"got X {tuple(X.shape)}, W {tuple(W.shape)}, b {tuple(b.shape)}"
        )
    Z = X @ W.T + b  # Z_bj = Σ_i X_bi W_ji + b_j: (B, in) @ (in, out) -> (B, out)
    return Z, LinearCache(X=X, W=W)


def linear_backward(dZ: Tensor, cache: LinearCache) -> tuple[Tensor, Tensor, Tensor]:
    """From ``dZ`` = ∂L/∂Z (B, out) to ``(dX, dW, db)`` of shapes (B, in), (out, in), (out,)."""
    X, W = cache.X, cache.W
    if dZ.shape != (X.shape[0], W.shape[0]):
        raise ValueError(f"linear_backward expects dZ of shape (B, out) = {(X.shape[0], W.shape[0])}, "
                         f"got {tuple(dZ.shape)}")
    # ∂L/∂X = dZ W: (B, out) @ (out, in) -> (B, in); each input feeds every output unit
    dX = dZ @ W
    # ∂L/∂W = dZᵀ X: (out, B) @ (B, in) -> (out, in); the product also sums over the batch
    dW = dZ.T @ X
    # ∂L/∂b = Σ_b dZ_b: b was added to every row, so its gradient adds the rows up, (out,)
    db = dZ.sum(dim=0)
    return dX, dW, db


# --- Elementwise activations: A = g(Z) ------------------------------------------


@dataclass(frozen=True)
class ActivationCache:
    """What ``activation_backward`` needs: the activation's name, its input and output."""

    activation: str  # one of ACTIVATION_NAMES
    Z: Tensor  # (B, out), pre-activation
    A: Tensor  # (B, out), g(Z)


def _check_activation(name: str) -> None:
    if name not in ACTIVATION_NAMES:
        raise ValueError(f"unknown activation {name!r}; expected one of: {', '.join(ACTIVATION_NAMES)}")


def activation_forward(Z: Tensor, *, activation: str) -> tuple[Tensor, ActivationCache]:
    """``A = g(Z)`` for ``activation`` in ("linear", "sigmoid", "tanh", "relu"); shape of Z."""
    _check_activation(activation)
    forward = {"linear": lambda t: t, "sigmoid": sigmoid, "tanh": tanh, "relu": relu}[activation]
    A = forward(Z)
    return A, ActivationCache(activation=activation, Z=Z, A=A)


def activation_backward(dA: Tensor, cache: ActivationCache) -> Tensor:
    """``dZ = dA ⊙ g'(Z)``, elementwise (A_ij depends on Z_ij only); the shape of dA."""
    if dA.shape != cache.Z.shape:
        raise ValueError(f"activation_backward expects dA of shape {tuple(cache.Z.shape)}, "
                         f"got {tuple(dA.shape)}")
    A, Z = cache.A, cache.Z
    if cache.activation == "sigmoid":
        return dA * A * (1 - A)  # σ'(z) = σ(z) (1 − σ(z)) = A (1 − A)
    if cache.activation == "tanh":
        return dA * (1 - A**2)  # tanh'(z) = 1 − tanh²(z) = 1 − A²
    if cache.activation == "relu":
        return dA * (Z > 0).to(dA.dtype)  # relu'(z) = 1 if z > 0 else 0
    return dA  # linear: g'(z) = 1


# --- The loss ---------------------------------------------------------------------


def mse_backward(y_hat: Tensor, y: Tensor) -> Tensor:
    """∂L/∂ŷ for ``L = mse(ŷ, y) = (1/N) Σ (ŷ − y)²`` over all N entries: ``2 (ŷ − y) / N``."""
    if y_hat.shape != y.shape:
        raise ValueError(f"mse_backward expects y_hat and y of the same shape, "
                         f"got {tuple(y_hat.shape)} and {tuple(y.shape)}")
    return 2 * (y_hat - y) / y_hat.numel()


# --- A whole MLP --------------------------------------------------------------------


def _check_activations(params: Params, activations: Sequence[str]) -> None:
    if isinstance(activations, str):
        raise ValueError(f"expected one activation name per layer, e.g. [{activations!r}, 'linear'], "
                         f"got the single string {activations!r}")
    if len(activations) != len(params) or not params:
        raise ValueError(f"expected one activation per layer: {len(params)} layers, "
                         f"got {len(activations)} activations")
    for name in activations:
        _check_activation(name)


def mlp_forward(
    params: Params, X: Tensor, *, activations: Sequence[str]
) -> tuple[Tensor, list[tuple[LinearCache, ActivationCache]]]:
    """ŷ = g_L(... g_1(X W_1ᵀ + b_1) ...): X (B, d_in) -> ŷ (B, d_out), plus each layer's caches."""
    _check_activations(params, activations)
    caches = []
    A = X
    for (W, b), name in zip(params, activations, strict=True):
        Z, linear_cache = linear_forward(A, W, b)  # (B, out_l)
        A, activation_cache = activation_forward(Z, activation=name)  # (B, out_l)
        caches.append((linear_cache, activation_cache))
    return A, caches


def mlp_backward(dY: Tensor, caches: list[tuple[LinearCache, ActivationCache]]) -> Params:
    """From ``dY`` = ∂L/∂ŷ (B, d_out) back through every layer; ``[(dW_l, db_l)]`` in layer order."""
    grads: Params = []
    dA = dY
    for linear_cache, activation_cache in reversed(caches):  # last layer first
        dZ = activation_backward(dA, activation_cache)  # ∂L/∂Z_l = ∂L/∂A_l ⊙ g'(Z_l)
        dA, dW, db = linear_backward(dZ, linear_cache)  # dA is now ∂L/∂A_{l−1}
        grads.append((dW, db))
    return grads[::-1]


def mlp_forward_backward(
    params: Params, X: Tensor, y: Tensor, *, activations: Sequence[str]
) -> tuple[Tensor, Params]:
    """The MSE loss of an MLP and its gradients ``[(∂L/∂W_l, ∂L/∂b_l)]``, all by hand.

    Shapes: ``params`` as ``Params``; X (B, d_in); y (B, d_out), the shape of ŷ.
    ``activations`` names each layer's g, e.g. ``["tanh", "linear"]``. Runs under
    ``torch.no_grad()``: autograd plays no part in the result.
    """
    with torch.no_grad():
        y_hat, caches = mlp_forward(params, X, activations=activations)
        loss = mse(y_hat, y)  # L = (1/N) Σ (ŷ − y)²
        grads = mlp_backward(mse_backward(y_hat, y), caches)
    return loss, grads


def params_from_mlp(model: MLP) -> Params:
    """The ``(weight, bias)`` of each layer of a dlbook ``MLP``, detached but sharing storage.

    ``sgd_step`` on the result therefore trains ``model`` itself.
    """
    return [(layer.weight.detach(), layer.bias.detach()) for layer in _dense_layers(model)]


def activations_from_mlp(model: MLP) -> list[str]:
    """The activation name of each layer of a dlbook ``MLP``, for ``mlp_forward_backward``."""
    names = [layer.activation_name for layer in _dense_layers(model)]
    for name in names:
        _check_activation(name)
    return names


def _dense_layers(model: MLP) -> list[Dense]:
    layers = [layer for layer in model.layers if isinstance(layer, Dense)]
    if len(layers) != len(model.layers):
        raise ValueError("expected an MLP whose layers are all dlbook.mlp.Dense")
    return layers


# --- The update -----------------------------------------------------------------------


def sgd_step(params: Params, grads: Params, *, lr: float) -> None:
    """One step of gradient descent, in place: ``W ← W − η ∂L/∂W`` and ``b ← b − η ∂L/∂b``."""
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"sgd_step expects a positive finite lr, got {lr!r}")
    if len(params) != len(grads):
        raise ValueError(f"sgd_step expects one (dW, db) per layer: {len(params)} layers, {len(grads)} grads")
    for (W, b), (dW, db) in zip(params, grads, strict=True):  # check all before changing any
        if W.shape != dW.shape or b.shape != db.shape:
            raise ValueError(f"sgd_step expects grads shaped like params, got W {tuple(W.shape)} "
                             f"with dW {tuple(dW.shape)} and b {tuple(b.shape)} with db {tuple(db.shape)}")
    with torch.no_grad():
        for (W, b), (dW, db) in zip(params, grads, strict=True):
            W -= lr * dW
            b -= lr * db
