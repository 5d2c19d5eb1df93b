"""Weight initialisation: Xavier/Glorot and He/Kaiming, and the signal scale they keep.

Taught in docs/training/backpropagation/. A weight matrix W of shape (fan_out, fan_in)
(one row per unit, as in ``nn.Linear`` and ``dlbook.mlp.Dense``) is filled with
zero-mean random numbers whose variance is chosen so that the pre-activations keep
their size from layer to layer:

- Xavier/Glorot: ``Var(W) = gain² · 2 / (fan_in + fan_out)``, a compromise between the
  forward pass (``1 / fan_in``) and the backward pass (``1 / fan_out``);
- He/Kaiming: ``Var(W) = 2 / fan``, with ``fan = fan_in`` by default; the 2 makes up
  for the half of its inputs that a ReLU sets to zero.

Each filler draws with the same call and the same generator as its ``torch.nn.init``
counterpart, so both give the very same numbers; tests/library/test_initialization.py
checks that, and the variances over many samples.
Refs: Glorot & Bengio 2010; He, Zhang, Ren & Sun 2015.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn

__all__ = [
    "SCHEMES",
    "fans",
    "he_normal_",
    "he_std",
    "he_uniform_",
    "init_mlp_",
    "preactivation_stds",
    "recommended_gain",
    "xavier_normal_",
    "xavier_std",
    "xavier_uniform_",
]

_GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2.0)}


def fans(shape: Sequence[int] | torch.Size) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape (out, in) or (out, in, *kernel).

    For a dense layer, fan_in = in and fan_out = out. For a convolution each output
    sees ``in · k`` inputs, k the number of kernel positions, so both fans are scaled by k.
    """
    shape = tuple(shape)
    if len(shape) < 2 or any(not isinstance(s, int) or s < 1 for s in shape):
        raise ValueError(f"fans expects a weight shape (out, in, *kernel) of positive ints, got {shape}")
    k = math.prod(shape[2:])  # kernel positions; 1 for a dense layer
    return shape[1] * k, shape[0] * k


def _check_gain(owner: str, gain: float) -> float:
    if not 0 < gain < math.inf:  # nan fails the comparison
        raise ValueError(f"{owner} expects 0 < gain < inf, got {gain!r}")
    return float(gain)


def recommended_gain(activation: str) -> float:
    """The gain for a layer followed by ``activation``: 1 (linear, sigmoid), 5/3 (tanh), √2 (ReLU).

    The same values as ``torch.nn.init.calculate_gain``.
    """
    if activation not in _GAINS:
        raise ValueError(f"recommended_gain expects one of {sorted(_GAINS)}, got {activation!r}")
    return _GAINS[activation]


def xavier_std(fan_in: int, fan_out: int, *, gain: float = 1.0) -> float:
    """Glorot and Bengio's standard deviation, ``gain · √(2 / (fan_in + fan_out))``."""
    for name, fan in (("fan_in", fan_in), ("fan_out", fan_out)):
        if not isinstance(fan, int) or fan < 1:
            raise ValueError(f"xavier_std expects {name} to be a positive int, got {fan!r}")
    return _check_gain("xavier_std", gain) * math.sqrt(2.0 / (fan_in + fan_out))  # σ² = 2 / (n_in + n_out)


def he_std(fan: int, *, gain: float = math.sqrt(2.0)) -> float:
    """He et al.'s standard deviation, ``gain / √fan``: √(2 / fan) with the default gain √2 (ReLU)."""
    if not isinstance(fan, int) or fan < 1:
        raise ValueError(f"he_std expects fan to be a positive int, got {fan!r}")
    return _check_gain("he_std", gain) / math.sqrt(fan)  # σ² = 2 / n for ReLU


def _fan(owner: str, W: Tensor, mode: str) -> int:
    fan_in, fan_out = fans(W.shape)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{owner} expects mode 'fan_in' or 'fan_out', got {mode!r}")
    return fan_in if mode == "fan_in" else fan_out


def xavier_normal_(W: Tensor, *, gain: float = 1.0, generator: torch.Generator | None = None) -> Tensor:
    """Fill ``W`` (out, in, *kernel) in place from N(0, σ²), σ = ``xavier_std``; returns ``W``."""
    std = xavier_std(*fans(W.shape), gain=gain)
    with torch.no_grad():
        return W.normal_(0.0, std, generator=generator)


def xavier_uniform_(W: Tensor, *, gain: float = 1.0, generator: torch.Generator | None = None) -> Tensor:
    """Fill ``W`` in place from U(−a, a) with a = √3 σ, which has the variance of ``xavier_std``."""
    bound = math.sqrt(3.0) * xavier_std(*fans(W.shape), gain=gain)  # Var U(−a, a) = a² / 3
    with torch.no_grad():
        return W.uniform_(-bound, bound, generator=generator)


def he_normal_(W: Tensor, *, mode: str = "fan_in", gain: float = math.sqrt(2.0),
               generator: torch.Generator | None = None) -> Tensor:
    """Fill ``W`` in place from N(0, σ²), σ = ``he_std`` of its fan_in (or fan_out); returns ``W``."""
    std = he_std(_fan("he_normal_", W, mode), gain=gain)
    with torch.no_grad():
        return W.normal_(0.0, std, generator=generator)


def he_uniform_(W: Tensor, *, mode: str = "fan_in", gain: float = math.sqrt(2.0),
                generator: torch.Generator | None = None) -> Tensor:
    """Fill ``W`` in place from U(−a, a) with a = √3 σ, σ = ``he_std``; returns ``W``."""
    bound = math.sqrt(3.0) * he_std(_fan("he_uniform_", W, mode), gain=gain)
    with torch.no_grad():
        return W.uniform_(-bound, bound, generator=generator)


Filler = Callable[..., Tensor]
SCHEMES: dict[str, Filler] = {
    "xavier_normal": xavier_normal_,
    "xavier_uniform": xavier_uniform_,
    "he_normal": he_normal_,
    "he_uniform": he_uniform_,
}


def _dense_parameters(owner: str, model: nn.Module) -> list[tuple[Tensor, Tensor]]:
    """``(weight, bias)`` of every module of ``model`` with a weight (out, in) and a bias."""
    pairs = []
    for module in model.modules():
        weight, bias = getattr(module, "weight", None), getattr(module, "bias", None)
        if isinstance(weight, Tensor) and weight.ndim == 2 and isinstance(bias, Tensor):
            pairs.append((weight, bias))
    if not pairs:
        raise ValueError(f"{owner} expects a model with dense layers (weight of shape (out, in) and a "
                         f"bias), got {type(model).__name__}")
    return pairs


def init_mlp_(model: nn.Module, scheme: str, *, generator: torch.Generator | None = None) -> nn.Module:
    """Re-initialise every dense layer of ``model`` in place: weights by ``scheme``, biases to zero.

    ``scheme`` is a key of ``SCHEMES``; the layers are filled in the order of
    ``model.modules()``, each from ``generator``. Works for ``dlbook.mlp.MLP`` and for
    stacks of ``nn.Linear``. Returns ``model``.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"init_mlp_ expects scheme to be one of {sorted(SCHEMES)}, got {scheme!r}")
    for weight, bias in _dense_parameters("init_mlp_", model):
        SCHEMES[scheme](weight, generator=generator)
        with torch.no_grad():
            bias.zero_()
    return model


def preactivation_stds(model: nn.Module, X: Tensor, *, per_unit: bool = False) -> list[float]:
    """The standard deviation of each layer's pre-activations ``Z = A Wᵀ + b``, first layer first.

    ``model`` is a ``dlbook.mlp.MLP`` (anything with ``layers`` whose items have ``affine``
    and ``activation``); ``X`` is a batch (B, d_in). By default the spread of all the
    entries of Z (B, n_l) together; with ``per_unit=True`` the spread of each unit over
    the batch, averaged over the units: how much a unit's input still depends on the
    example. Runs without building a graph.
    """
    layers = getattr(model, "layers", None)
    if layers is None or not all(hasattr(layer, "affine") and hasattr(layer, "activation")
                                 for layer in layers):
        raise ValueError(f"preactivation_stds expects a dlbook.mlp.MLP, got {type(model).__name__}")
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"preactivation_stds expects X of shape (B, d_in) with B >= 2, got {tuple(X.shape)}")
    stds = []
    A = X
    with torch.no_grad():
        for layer in layers:
            affine: Callable[[Tensor], Tensor] = layer.affine
            activation: Callable[[Tensor], Tensor] = layer.activation
            Z = affine(A)  # (B, n_l)
            stds.append((Z.std(dim=0).mean() if per_unit else Z.std()).item())
            A = activation(Z)  # (B, n_l)
    return stds
