"""Train, validation and test splits, taught in docs/training/overfitting/.

The training set fits the weights, the validation set chooses among models and settings
(size, epochs, weight decay), and the test set is looked at once, at the very end, to
report how well the chosen model does on data that influenced no decision.
``digit_splits`` is the one split of the 8x8 digits that every digits experiment and
page of the book shares.
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlbook.datasets import digits

__all__ = ["DIGITS_TRAIN", "DIGITS_VAL", "digit_splits", "train_val_test_split"]

Pair = tuple[Tensor, Tensor]
DIGITS_TRAIN, DIGITS_VAL = 1000, 400  # digit_splits: the rest of the 1797 digits (397) is the test set


def train_val_test_split(X: Tensor, y: Tensor, *, n_train: int, n_val: int, n_test: int | None = None,
                         seed: int = 0) -> tuple[Pair, Pair, Pair]:
    """Shuffle the rows of ``(X, y)`` once with ``seed`` and cut them into three disjoint pairs.

    Returns ``(X_train, y_train), (X_val, y_val), (X_test, y_test)`` with ``n_train``,
    ``n_val`` and ``n_test`` rows (``n_test=None``: every row left over). The shuffle uses
    its own generator, so the same seed gives the same split and the global RNG is untouched.
    """
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"train_val_test_split expects X and y with as many rows, got {X.shape[0]} "
                         f"and {y.shape[0]}")
    N = X.shape[0]
    rest = N - n_train - n_val
    n_test = rest if n_test is None else n_test
    for name, value in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"train_val_test_split expects {name} to be a positive int, got {value!r}")
    if n_train + n_val + n_test > N:
        raise ValueError(f"train_val_test_split asked for {n_train} + {n_val} + {n_test} = "
                         f"{n_train + n_val + n_test} rows, but the data has {N}")
    order = torch.randperm(N, generator=torch.Generator().manual_seed(seed)).to(X.device)
    cuts = order.split([n_train, n_val, n_test, N - n_train - n_val - n_test])
    train, val, test = ((X[idx], y[idx]) for idx in cuts[:3])
    return train, val, test


def digit_splits(seed: int = 0) -> tuple[Pair, Pair, Pair]:
    """The 1797 digits scaled to [0, 1], cut into 1000 train, 400 validation and 397 test examples.

    Each pair is ``(X, y)`` with ``X`` float32 (n, 64) and ``y`` long (n,); the shuffle is
    ``train_val_test_split``'s with ``seed``. Needs scikit-learn (see dlbook.datasets.digits).
    """
    X, y = digits()  # (1797, 64) grey levels 0..16, (1797,)
    return train_val_test_split(X / 16, y, n_train=DIGITS_TRAIN, n_val=DIGITS_VAL, seed=seed)
