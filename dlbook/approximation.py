"""Piecewise-linear interpolation written as a one-hidden-layer ReLU network.

Taught in docs/neurons/neural-networks/, where it shows (rather than states) that one
hidden layer can approximate a continuous function of one variable as closely as we like.
Between knots x_0 < x_1 < … < x_k with values v_0, …, v_k the interpolant is a line of
slope s_i = (v_{i+1} − v_i)/(x_{i+1} − x_i) on [x_i, x_{i+1}]. On [x_0, x_k] it equals

    g(x) = v_0 + s_0 ReLU(x − x_0) + Σ_{i=1}^{k−1} (s_i − s_{i−1}) ReLU(x − x_i),

a sum of k hinges: each ReLU(x − x_i) is flat left of x_i and bends the line there by the
change of slope. That is a network with k hidden ReLU units, hidden weights 1, hidden
biases −x_i, output weights (s_0, s_1 − s_0, …) and output bias v_0.
tests/library/test_approximation.py checks it against ``numpy.interp``.
Refs: Cybenko 1989; Hornik 1991; Leshno, Lin, Pinkus & Schocken 1993; Arora et al. 2018.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from dlbook.mlp import MLP, Dense

__all__ = ["HingeWeights", "hinge_network", "hinge_weights", "uniform_knots"]


@dataclass(frozen=True)
class HingeWeights:
    """The weights of a 1 → k → 1 ReLU network, shaped like ``Dense``'s (out, in) matrices."""

    W1: Tensor  # (k, 1): every hidden weight is 1
    b1: Tensor  # (k,): −x_i, so hidden unit i computes ReLU(x − x_i) and bends at knot x_i
    W2: Tensor  # (1, k): the change of slope at each knot, s_0 first (slope 0 to the left of x_0)
    b2: Tensor  # (1,): v_0, the value at the first knot

    @property
    def knots(self) -> Tensor:
        """The k points where the hidden units bend, x_0, …, x_{k−1}: shape (k,)."""
        return -self.b1


def uniform_knots(a: float, b: float, k: int, *, dtype: torch.dtype = torch.float64) -> Tensor:
    """k + 1 evenly spaced knots from ``a`` to ``b`` (k pieces of width (b − a)/k): shape (k + 1,)."""
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"uniform_knots expects k, the number of pieces, to be a positive int, got {k!r}")
    if not a < b:
        raise ValueError(f"uniform_knots expects a < b, got a = {a!r} and b = {b!r}")
    return torch.linspace(a, b, k + 1, dtype=dtype)


def hinge_weights(knots: Tensor, values: Tensor) -> HingeWeights:
    """The network that interpolates ``values`` at ``knots`` linearly, one hinge per piece.

    ``knots`` (k + 1,) strictly increasing and ``values`` (k + 1,) of the same shape give
    k hidden units. The network equals the interpolant on [knots[0], knots[-1]]; to the
    left of knots[0] it is constant and to the right it continues the last piece's line.
    """
    if knots.ndim != 1 or knots.shape[0] < 2:
        raise ValueError(
            f"hinge_weights expects knots of shape (k + 1,) with k ≥ 1, got {tuple(knots.shape)}"
        )
    if values.shape != knots.shape:
        raise ValueError(f"hinge_weights expects values of the knots' shape {tuple(knots.shape)}, "
                         f"got {tuple(values.shape)}")
    if not bool((knots[1:] > knots[:-1]).all()):
        raise ValueError("hinge_weights expects strictly increasing knots")
    values = values.to(knots.dtype)
    slopes = (values[1:] - values[:-1]) / (knots[1:] - knots[:-1])  # (k,) s_i on [x_i, x_{i+1}]
    # c_0 = s_0 and c_i = s_i − s_{i−1}: how much the line turns at x_i
    turns = torch.cat([slopes[:1], slopes[1:] - slopes[:-1]])  # (k,)
    k = slopes.shape[0]
    return HingeWeights(
        W1=torch.ones(k, 1, dtype=knots.dtype),
        b1=-knots[:-1].clone(),
        W2=turns[None, :],  # (1, k)
        b2=values[:1].clone(),
    )


def hinge_network(knots: Tensor, values: Tensor | Callable[[Tensor], Tensor]) -> MLP:
    """``MLP([1, k, 1], activation="relu")`` carrying ``hinge_weights(knots, values)``.

    ``values`` is either the (k + 1,) values at the knots or a function, evaluated at the
    knots. The network takes inputs of shape (B, 1) and has the knots' dtype.
    """
    if callable(values):
        values = values(knots)
    w = hinge_weights(knots, values)
    # its own generator for the throw-away initial weights, so the global RNG is left alone
    model = MLP([1, w.W1.shape[0], 1], activation="relu", generator=torch.Generator()).to(knots.dtype)
    hidden, output = model.layers
    assert isinstance(hidden, Dense) and isinstance(output, Dense)
    with torch.no_grad():
        hidden.weight.copy_(w.W1)
        hidden.bias.copy_(w.b1)
        output.weight.copy_(w.W2)
        output.bias.copy_(w.b2)
    return model
