"""Dense layers and the multilayer perceptron (MLP) built by stacking them.

Taught in docs/neurons/neural-networks/. A dense (fully connected) layer computes
``g(X Wᵀ + b)``: every output unit is a perceptron-like neuron with a smooth
activation ``g``. Stacking layers gives an MLP; with a non-linear ``g`` between them
it can draw curved decision boundaries that no single neuron can (XOR, moons).
``dead_fraction`` counts the ReLU units of an MLP that have died, as taught in
docs/neurons/activation-functions/. tests/library/test_mlp.py checks ``Dense``
against ``nn.Linear`` and trains an MLP on XOR.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from dlbook.activations import Activation, get_activation

__all__ = ["MLP", "Dense", "dead_fraction"]


def _activation_name(activation: str | Activation) -> str:
    if isinstance(activation, str):
        return activation
    return getattr(activation, "__name__", type(activation).__name__)


class Dense(nn.Module):
    """A fully connected layer ``Y = g(X Wᵀ + b)``.

    Shapes: ``X`` (B, in_features) -> ``Y`` (B, out_features); ``weight`` W is
    (out_features, in_features), one row per output unit, and ``bias`` b is
    (out_features,). ``activation`` is a name from dlbook.activations.ACTIVATIONS
    (or "softmax") or any elementwise callable; the default "linear" leaves Z as is.

    Initialisation matches ``nn.Linear``: every entry of W and b is drawn from
    U(−1/√in_features, 1/√in_features), W first, from ``generator`` if given, else from
    the global RNG (so ``torch.manual_seed(s)`` fixes it too).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        activation: str | Activation = "linear",
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Dense expects {name} to be a positive int, got {value!r}")
        self.in_features = in_features
        self.out_features = out_features
        self.activation_name = _activation_name(activation)
        self.activation = get_activation(activation)  # fails here on an unknown name
        bound = 1 / math.sqrt(in_features)  # keeps the variance of X Wᵀ near that of X
        self.weight = nn.Parameter(
            torch.empty(out_features, in_features).uniform_(-bound, bound, generator=generator)
        )
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound, generator=generator))

    def _check_X(self, X: Tensor) -> None:
        if X.ndim != 2 or X.shape[1] != self.in_features:
            raise ValueError(
                f"Dense({self.in_features} -> {self.out_features}) expects X of shape "
                f"(B, {self.in_features}), got {tuple(X.shape)}"
            )

    def affine(self, X: Tensor) -> Tensor:
        """The pre-activation ``Z = X Wᵀ + b``, shape (B, out_features)."""
        self._check_X(X)
        # Z_bj = Σ_i X_bi W_ji + b_j: (B, in) @ (in, out) -> (B, out), b broadcast over rows
        return X @ self.weight.T + self.bias

    def forward(self, X: Tensor) -> Tensor:
        """``Y = g(X Wᵀ + b)``, shape (B, out_features)."""
        return self.activation(self.affine(X))

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, " \
               f"activation={self.activation_name}"


class MLP(nn.Module):
    """A stack of ``Dense`` layers: ``sizes = [d_in, h_1, ..., h_k, d_out]``.

    ``MLP([2, 4, 1], activation="tanh", output_activation="sigmoid")`` is
    2 inputs -> 4 tanh units -> 1 sigmoid output: ``len(sizes) − 1`` layers, the
    hidden ones with ``activation`` and the last with ``output_activation``
    ("linear" by default, giving raw scores for the losses that take logits).
    The layers are in ``model.layers``; ``generator`` seeds their initialisation.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        *,
        activation: str | Activation = "relu",
        output_activation: str | Activation = "linear",
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP expects sizes [d_in, ..., d_out] with at least 2 entries, got {sizes}")
        n_layers = len(sizes) - 1
        self.sizes = sizes
        self.layers = nn.ModuleList(
            Dense(
                sizes[i],
                sizes[i + 1],
                activation=output_activation if i == n_layers - 1 else activation,
                generator=generator,
            )
            for i in range(n_layers)
        )

    def forward(self, X: Tensor) -> Tensor:
        """``ŷ = f_L(... f_2(f_1(X)))``: (B, sizes[0]) -> (B, sizes[-1])."""
        for layer in self.layers:
            X = layer(X)
        return X

    def forward_with_shapes(self, X: Tensor) -> tuple[Tensor, list[tuple[str, tuple[int, ...]]]]:
        """The forward pass, also returning ``(step name, shape)`` for every step.

        Each layer contributes two steps, its affine map and its activation, so a
        chapter can print how (B, d_in) becomes (B, d_out) one operation at a time.
        """
        steps: list[tuple[str, tuple[int, ...]]] = [("X", tuple(X.shape))]
        for i, layer in enumerate(self.layers, start=1):
            assert isinstance(layer, Dense)
            Z = layer.affine(X)  # (B, out)
            steps.append((f"layer {i}: Z = X @ W.T + b", tuple(Z.shape)))
            X = layer.activation(Z)  # (B, out)
            steps.append((f"layer {i}: {layer.activation_name}(Z)", tuple(X.shape)))
        return X, steps


def dead_fraction(model: MLP, X: Tensor) -> list[float]:
    """For each hidden layer, the share of units whose pre-activation is ≤ 0 on every row of ``X``.

    ``X`` is (B, d_in); the result has one number in [0, 1] per hidden layer (every layer
    but the last). Such a ReLU unit outputs 0 on all of the data and, since ReLU's
    derivative is 0 there, its own weights and bias receive no gradient. In the first
    layer, whose inputs never change, that makes it dead for good; a unit of a later
    layer can come back if the layers below it change what it sees.
    """
    fractions = []
    h = X  # (B, d_in)
    with torch.no_grad():
        for layer in list(model.layers)[:-1]:  # the hidden layers
            if not isinstance(layer, Dense):
                raise TypeError(f"dead_fraction expects an MLP of Dense layers, got {type(layer).__name__}")
            Z = layer.affine(h)  # (B, units)
            # dead_j = [max_b Z_bj ≤ 0]: never positive on any input
            fractions.append(float((Z.amax(dim=0) <= 0).float().mean()))
            h = layer.activation(Z)  # (B, units)
    return fractions
