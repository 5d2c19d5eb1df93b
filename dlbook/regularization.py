"""Regularization from scratch: inverted dropout, the L2 penalty and decoupled weight decay.

Taught in docs/training/overfitting/. Dropout zeroes each activation with probability
``p`` while training and scales the survivors by 1/(1 − p), so nothing changes at
evaluation time (the "inverted" form PyTorch uses). Weight decay pulls every weight
toward zero, either through the gradient of the penalty (λ/2)‖w‖², which plain SGD
turns into a shrink factor 1 − ηλ per step, or applied directly to the weights next to
an adaptive optimizer (AdamW). tests/library/test_regularization.py checks ``dropout`` against
``F.dropout`` mask for mask and both forms of decay against ``torch.optim``.
Refs: Srivastava et al. 2014 (dropout), Krogh & Hertz 1991 (weight decay),
Loshchilov & Hutter 2019 (decoupled weight decay).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import torch
from torch import Tensor, nn

from dlbook.activations import Activation
from dlbook.mlp import MLP

__all__ = ["Dropout", "DropoutMLP", "decay_weights_", "dropout", "l2_penalty"]


def _check_p(owner: str, p: object) -> float:
    if isinstance(p, numbers.Real) and not isinstance(p, bool) and 0 <= float(p) <= 1:
        return float(p)
    raise ValueError(f"{owner} expects a drop probability 0 <= p <= 1, got {p!r}")


def _check_decay(owner: str, weight_decay: object) -> float:
    if isinstance(weight_decay, numbers.Real) and not isinstance(weight_decay, bool) \
            and float(weight_decay) >= 0:
        return float(weight_decay)
    raise ValueError(f"{owner} expects weight_decay >= 0, got {weight_decay!r}")


def dropout(X: Tensor, p: float = 0.5, *, training: bool = True,
            generator: torch.Generator | None = None) -> Tensor:
    """Inverted dropout: zero each entry of ``X`` with probability ``p``, scale the rest by 1/(1 − p).

    Any shape; the output has the shape of ``X``. With ``training=False`` (or ``p=0``)
    ``X`` comes back unchanged. The mask is drawn with ``bernoulli_`` from ``generator``,
    or from the global RNG, where it is the very mask ``F.dropout`` draws after the same seed.
    """
    p = _check_p("dropout", p)
    if not training or p == 0:
        return X
    if p == 1:
        return X * 0.0  # every unit dropped (and 1/(1 − p) would divide by zero)
    keep = torch.empty_like(X).bernoulli_(1 - p, generator=generator)  # m_i ~ Bernoulli(1 − p)
    return X * (keep / (1 - p))  # x̃_i = m_i x_i / (1 − p), so E[x̃_i] = x_i


class Dropout(nn.Module):
    """``dropout`` as a layer: active in ``model.train()`` mode, the identity in ``model.eval()``."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = _check_p("Dropout", p)

    def forward(self, X: Tensor) -> Tensor:
        return dropout(X, self.p, training=self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class DropoutMLP(nn.Module):
    """An ``MLP`` with ``Dropout(p)`` after every hidden layer's activation.

    ``DropoutMLP([64, 128, 10], p=0.5)`` is 64 inputs -> 128 ReLU units -> dropout -> 10
    scores. The weights are those of ``MLP(sizes, ...)`` with the same ``generator``, so with
    ``p=0`` the two compute the same function. The underlying MLP is ``model.mlp``.
    """

    def __init__(self, sizes: Sequence[int], *, p: float, activation: str | Activation = "relu",
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.mlp = MLP(sizes, activation=activation, generator=generator)
        self.dropout = Dropout(p)

    def forward(self, X: Tensor) -> Tensor:
        """(B, sizes[0]) -> (B, sizes[-1]); dropout only between layers, never on the scores."""
        *hidden, last = self.mlp.layers
        for layer in hidden:
            X = self.dropout(layer(X))
        return last(X)


def l2_penalty(params: Iterable[Tensor], weight_decay: float) -> Tensor:
    """The L2 penalty (λ/2) Σ‖w‖² over ``params``, a scalar whose gradient is λw.

    Added to a loss and minimized by plain SGD, it is exactly ``SGD(weight_decay=λ)``.
    """
    lam = _check_decay("l2_penalty", weight_decay)
    squares = [p.pow(2).sum() for p in params]
    if not squares:
        raise ValueError("l2_penalty expects at least one parameter, got none")
    return lam / 2 * torch.stack(squares).sum()  # (λ/2) Σ_w w²


@torch.no_grad()
def decay_weights_(params: Iterable[Tensor], *, lr: float, weight_decay: float) -> None:
    """Decoupled weight decay, in place: w ← (1 − ηλ) w, independent of any gradient.

    Called right before ``Adam.step()`` it turns Adam into AdamW; before a plain SGD step it
    gives the same update as the L2 penalty, since then both shrink by 1 − ηλ.
    """
    lam = _check_decay("decay_weights_", weight_decay)
    if not (isinstance(lr, numbers.Real) and not isinstance(lr, bool) and lr >= 0):
        raise ValueError(f"decay_weights_ expects lr >= 0, got {lr!r}")
    for p in params:
        p.mul_(1 - lr * lam)  # w ← (1 − ηλ) w
