"""The perceptron: one neuron with a step activation, and Rosenblatt's learning rule.

Taught in docs/neurons/perceptron/. Ref: F. Rosenblatt, "The perceptron: a
probabilistic model for information storage and organization in the brain", 1958.
Written with plain tensors and no autograd: the rule nudges the weights by hand,
one sample at a time. tests/library/test_perceptron.py checks that it finds a separating
line when one exists, and keeps making mistakes on XOR, where none does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from dlbook.activations import Activation, sigmoid, step

__all__ = ["Perceptron", "PerceptronHistory", "perceptron_output"]


def perceptron_output(
    w0: float, w: Tensor, x: Tensor, *, activation: Activation = sigmoid
) -> tuple[Tensor, Tensor]:
    """One neuron's forward pass: ``z = w0 + xᵀw`` and ``ŷ = g(z)``; returns ``(z, y_hat)``.

    Shapes: ``w`` is (d,); ``x`` is one input (d,), giving 0-d ``z`` and ``y_hat``,
    or a batch (n, d), giving shape (n,). ``w0`` is the bias. ``g`` defaults to the
    sigmoid; pass ``activation=step`` for Rosenblatt's original neuron.
    """
    if w.ndim != 1 or x.ndim not in (1, 2) or x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"perceptron_output expects w of shape (d,) and x of shape (d,) or (n, d), "
            f"got {tuple(w.shape)} and {tuple(x.shape)}"
        )
    z = w0 + x @ w  # z = w0 + Σ_j x_j w_j
    return z, activation(z)


@dataclass
class PerceptronHistory:
    """What ``Perceptron.fit`` did, one entry per epoch run."""

    mistakes: list[int] = field(default_factory=list)  # misclassified samples in each epoch
    weights: list[Tensor] = field(default_factory=list)  # copy of w (d,) at the end of each epoch
    biases: list[Tensor] = field(default_factory=list)  # copy of b (0-d) at the end of each epoch
    converged: bool = False  # True when the last epoch made no mistake

    @property
    def num_epochs(self) -> int:
        """Epochs actually run (fewer than asked for when training converged early)."""
        return len(self.mistakes)


class Perceptron:
    """A linear threshold unit ``ŷ = step(xᵀw + b)`` for labels in {0, 1}.

    ``w`` (d,) and ``b`` (0-d) start at zero, the classic choice: the rule only
    ever adds multiples of inputs to them, so no random start is needed. Both are
    plain attributes and may be set by hand.

    >>> model = Perceptron(2)
    >>> model.predict(torch.tensor([[1.0, -1.0]]))  # z = 0 is on the boundary: class 1
    tensor([1])
    """

    def __init__(self, num_features: int, *, dtype: torch.dtype = torch.float32) -> None:
        if not isinstance(num_features, int) or num_features < 1:
            raise ValueError(f"Perceptron expects num_features >= 1, got {num_features!r}")
        self.w = torch.zeros(num_features, dtype=dtype)  # (d,)
        self.b = torch.zeros((), dtype=dtype)  # 0-d

    @property
    def num_features(self) -> int:
        return self.w.shape[0]

    def _check_X(self, X: Tensor) -> Tensor:
        d = self.num_features
        if X.ndim not in (1, 2) or X.shape[-1] != d:
            raise ValueError(f"Perceptron expects X of shape (n, {d}) or ({d},), got {tuple(X.shape)}")
        return X.to(self.w.dtype)

    def decision(self, X: Tensor) -> Tensor:
        """The score ``z = X w + b``: shape (n,) for X (n, d), 0-d for one input (d,).

        Its sign says which side of the line (hyperplane) ``xᵀw + b = 0`` a point is on.
        """
        return self._check_X(X) @ self.w + self.b  # (n, d) @ (d,) -> (n,)

    forward = decision

    def predict(self, X: Tensor) -> Tensor:
        """Class labels ``ŷ = step(z)`` in {0, 1} as a long tensor, 1 on the boundary."""
        return step(self.decision(X)).long()

    def update(self, x: Tensor, y: int | Tensor, *, lr: float = 1.0) -> bool:
        """One step of the rule on a single sample ``x`` (d,) with label ``y`` ∈ {0, 1}.

        ``w ← w + η (y − ŷ) x`` and ``b ← b + η (y − ŷ)``. When the prediction is
        right, y − ŷ = 0 and nothing changes; when it is wrong, the boundary moves
        towards classifying ``x`` correctly. Returns whether ``x`` was a mistake.
        """
        if x.ndim != 1:
            raise ValueError(f"Perceptron.update expects one sample x of shape (d,), got {tuple(x.shape)}")
        error = float(y) - float(self.predict(x))  # y − ŷ ∈ {−1, 0, 1}
        if error != 0:
            self.w = self.w + lr * error * self._check_X(x)  # w ← w + η (y − ŷ) x
            self.b = self.b + lr * error  # b ← b + η (y − ŷ)
        return error != 0

    def fit(
        self,
        X: Tensor,
        y: Tensor,
        *,
        lr: float = 1.0,
        num_epochs: int = 100,
        shuffle_seed: int | None = None,
    ) -> PerceptronHistory:
        """Run the rule over ``X`` (n, d) and ``y`` (n,) for up to ``num_epochs`` passes.

        Samples are visited in order, or in a fresh random order each epoch when
        ``shuffle_seed`` is given. Training stops after the first epoch without a
        mistake: by the perceptron convergence theorem that epoch comes after finitely
        many updates whenever the two classes can be split by a line with a margin.
        """
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ValueError(
                f"Perceptron.fit expects X of shape (n, d) and y of shape (n,), "
                f"got {tuple(X.shape)} and {tuple(y.shape)}"
            )
        X = self._check_X(X)
        if not bool(((y == 0) | (y == 1)).all()):
            raise ValueError("Perceptron.fit expects labels y in {0, 1}")
        if not lr > 0:
            raise ValueError(f"Perceptron.fit expects lr > 0, got {lr!r}")
        if not isinstance(num_epochs, int) or num_epochs < 1:
            raise ValueError(f"Perceptron.fit expects num_epochs >= 1, got {num_epochs!r}")
        g = None if shuffle_seed is None else torch.Generator().manual_seed(shuffle_seed)
        n = X.shape[0]
        history = PerceptronHistory()
        for _ in range(num_epochs):
            order = torch.arange(n) if g is None else torch.randperm(n, generator=g)
            mistakes = sum(self.update(X[i], y[i], lr=lr) for i in order.tolist())
            history.mistakes.append(mistakes)
            history.weights.append(self.w.clone())
            history.biases.append(self.b.clone())
            if mistakes == 0:
                history.converged = True
                break
        return history

    def __repr__(self) -> str:
        return f"Perceptron(w={self.w.tolist()}, b={self.b.item():.4g})"
