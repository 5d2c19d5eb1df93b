"""The perceptron: one neuron with a step activation, and Rosenblatt's learning rule.

Taught in docs/neurons/perceptron/. Ref: F. Rosenblatt, "The perceptron: a
probabilistic model for information storage and organization in the brain", 1958.
Written with plain tensors and no autograd: the rule nudges the weights by hand,
one sample at a time. ``augmented_margin`` and ``mistake_bound`` compute the two
quantities of the convergence theorem (Block 1962, Novikoff 1962) in the augmented space
x̃ = (x, 1), where the bias is one more weight. tests/library/test_perceptron.py checks
that the rule finds a separating line when one exists, keeps making mistakes on XOR,
where none does, and never makes more mistakes than the theorem allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

from dlbook.activations import Activation, sigmoid, step

__all__ = [
    "Perceptron",
    "PerceptronHistory",
    "augmented_margin",
    "augmented_radius",
    "mistake_bound",
    "perceptron_output",
]


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
        mistake: by the perceptron convergence theorem that epoch comes after at most
        ``mistake_bound(X, y, w, b)`` updates for any line ``(w, b)`` that separates the
        classes (see ``mistake_bound``).

        The updates are those of ``update`` applied to each sample in turn, but the loop
        runs in NumPy and jumps from one mistake to the next: one vectorised comparison
        finds the next sample the rule would change on, since the samples in between leave
        the weights alone. A thin margin can take hundreds of thousands of updates, and
        this keeps such runs to seconds. (Float rounding can differ from ``update`` in the
        last bit, which matters only for a point lying exactly on the line.)
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
        X_np = X.detach().cpu().numpy()  # (n, d) in the model's dtype
        y_np = (y == 1).detach().cpu().numpy()  # (n,) bool: class 1
        w, b = self.w.numpy().copy(), self.b.numpy().copy()  # (d,), 0-d
        history = PerceptronHistory()
        for _ in range(num_epochs):
            order = (torch.arange(n) if g is None else torch.randperm(n, generator=g)).numpy()
            X_o, y_o = X_np[order], y_np[order]  # (n, d), (n,): this epoch's visiting order
            mistakes, start = 0, 0
            while start < n:
                wrong = (X_o[start:] @ w + b >= 0) != y_o[start:]  # ŷ ≠ y for the samples left
                k = int(wrong.argmax())  # the first of them: the next update
                if not wrong[k]:
                    break
                error = 1.0 if y_o[start + k] else -1.0  # y − ŷ
                w = w + (lr * error) * X_o[start + k]  # w ← w + η (y − ŷ) x
                b = b + lr * error  # b ← b + η (y − ŷ)
                mistakes += 1
                start += k + 1
            history.mistakes.append(mistakes)
            history.weights.append(torch.from_numpy(np.array(w, dtype=X_np.dtype)))
            history.biases.append(torch.from_numpy(np.array(b, dtype=X_np.dtype)))
            if mistakes == 0:
                history.converged = True
                break
        self.w, self.b = history.weights[-1].clone(), history.biases[-1].clone()
        return history

    def __repr__(self) -> str:
        return f"Perceptron(w={self.w.tolist()}, b={self.b.item():.4g})"


def _check_data(name: str, X: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """X (n, d) and y (n,) in {0, 1}, as float64 ``X`` and labels as signs ``s = 2y − 1``."""
    if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] == 0:
        raise ValueError(
            f"{name} expects X of shape (n, d) with n >= 1 and y of shape (n,), "
            f"got {tuple(X.shape)} and {tuple(y.shape)}"
        )
    if not bool(((y == 0) | (y == 1)).all()):
        raise ValueError(f"{name} expects labels y in {{0, 1}}")
    return X.detach().double(), 2 * y.detach().double() - 1


def augmented_radius(X: Tensor) -> float:
    """``R = max_i ‖x̃_i‖`` with ``x̃_i = (x_i, 1)``: the length of the longest input, bias slot included.

    ``X`` is (n, d). Since the appended 1 counts, ``R² = 1 + max_i ‖x_i‖²``: data far from
    the origin have a large ``R`` even when the clouds themselves are small.
    """
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"augmented_radius expects X of shape (n, d) with n >= 1, got {tuple(X.shape)}")
    return math.sqrt(1.0 + float(X.detach().double().pow(2).sum(dim=1).max()))


def augmented_margin(X: Tensor, y: Tensor, w: Tensor, b: float | Tensor) -> float:
    """The margin ``γ = min_i s_i u·x̃_i`` of the unit vector ``u = (w, b) / ‖(w, b)‖``.

    ``X`` (n, d) and ``y`` (n,) in {0, 1} are the data, ``w`` (d,) and ``b`` a line
    ``xᵀw + b = 0`` with class 1 on the side where ``z > 0``; ``x̃_i = (x_i, 1)`` and
    ``s_i = 2y_i − 1 ∈ {−1, +1}``. This is the margin in the perceptron convergence
    theorem. It is positive exactly when the line puts every point strictly on its own
    side, and it is smaller than the distance of the nearest point to the line in the
    input space, ``min_i s_i (x_iᵀw + b) / ‖w‖``, by the factor ``‖w‖ / ‖(w, b)‖``: a
    line far from the origin needs a large ``b``, and its augmented margin is small.

    >>> X, y = torch.tensor([[0.0, 1.0], [0.0, -1.0]]), torch.tensor([1, 0])
    >>> augmented_margin(X, y, torch.tensor([0.0, 1.0]), 0.0)  # the line x₂ = 0, through 0
    1.0
    """
    X64, s = _check_data("augmented_margin", X, y)
    if w.shape != (X.shape[1],):
        raise ValueError(f"augmented_margin expects w of shape ({X.shape[1]},), got {tuple(w.shape)}")
    w64, b64 = w.detach().double(), float(b)
    norm = math.sqrt(float(w64 @ w64) + b64**2)  # ‖(w, b)‖
    if norm == 0:
        raise ValueError("augmented_margin expects (w, b) not all zero")
    return float((s * (X64 @ w64 + b64)).min()) / norm  # min_i s_i (wᵀx_i + b) / ‖(w, b)‖


def mistake_bound(X: Tensor, y: Tensor, w: Tensor, b: float | Tensor) -> float:
    """Novikoff's bound ``(R / γ)²`` on the updates ``Perceptron.fit`` makes on ``X``, ``y``.

    If the unit vector ``u = (w, b) / ‖(w, b)‖`` separates the data with augmented margin
    ``γ = augmented_margin(X, y, w, b) > 0``, and ``R = augmented_radius(X)``, the rule
    started from zero makes at most ``(R / γ)²`` mistakes, in any visiting order and for
    any learning rate. Each mistake raises ``u·(w, b)`` by at least ``ηγ`` and
    ``‖(w, b)‖²`` by at most ``η²R²``; after ``k`` mistakes, Cauchy–Schwarz gives
    ``kηγ ≤ η R √k``. Any separating line gives a valid bound, the one with the
    largest margin the smallest. Raises ``ValueError`` if ``(w, b)`` does not separate.
    """
    gamma = augmented_margin(X, y, w, b)
    if not gamma > 0:
        raise ValueError(
            f"mistake_bound expects a line that separates the classes, but its margin is {gamma:.3g}"
        )
    return (augmented_radius(X) / gamma) ** 2  # (R / γ)²
