"""Classification accuracy, written once for every chapter, figure and scene.

Taught in docs/neurons/ (a classifier is right or wrong row by row) and used by ``fit``
as a metric (``metrics={"acc": accuracy}``). Two forms, for the two ways a model scores
its classes:

- ``accuracy(y_hat, y)``: one score per class, ``y_hat`` of shape (B, K); the prediction
  is the class with the highest score (the first one on a tie, as ``argmax`` does).
- ``binary_accuracy(logits, y)``: one logit ``z`` per row, shape (B,) or (B, 1); the
  prediction is class 1 where ``z ≥ 0``, that is where ``p = σ(z) ≥ 1/2``: the book's
  ``step`` (dlbook.activations), the rule of ``Perceptron.predict``.

Both return the fraction of rows predicted right as a 0-d float tensor, so they work
inside ``fit`` and a caller takes ``.item()`` for a number.
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlbook.activations import step

__all__ = ["accuracy", "binary_accuracy"]


def accuracy(y_hat: Tensor, y: Tensor) -> Tensor:
    """The fraction of rows whose highest score is the true class: (B, K), (B,) -> ().

    A metric for ``fit``: ``metrics={"acc": accuracy}`` logs "acc" and "val_acc".
    """
    if y_hat.ndim != 2 or y.shape != y_hat.shape[:1]:
        raise ValueError(f"accuracy expects scores (B, K) and labels (B,), got {tuple(y_hat.shape)} "
                         f"and {tuple(y.shape)}")
    # ŷ_b = argmax_k y_hat[b, k];  accuracy = (1/B) Σ_b [ŷ_b = y_b]
    return (y_hat.argmax(dim=1) == y).float().mean()


def binary_accuracy(logits: Tensor, y: Tensor) -> Tensor:
    """The fraction of rows where ``step(z)`` is the label: logits (B,) or (B, 1), labels 0/1 -> ().

    ``y`` holds 0 and 1 (any dtype: long, float or bool), shape (B,) or (B, 1). Logits of
    0 count as class 1, since ``σ(0) = 1/2`` and the book's step is 1 at 0. For
    probabilities ``p`` pass ``logit(p)``, or compare ``p >= 0.5`` yourself.
    """
    B = logits.shape[0] if logits.ndim else -1
    if logits.ndim not in (1, 2) or logits.shape[1:] not in ((), (1,)) or y.shape not in ((B,), (B, 1)):
        raise ValueError(f"binary_accuracy expects logits (B,) or (B, 1) and labels (B,) or (B, 1), "
                         f"got {tuple(logits.shape)} and {tuple(y.shape)}")
    y = y.reshape(-1)  # (B,)
    if not ((y == 0) | (y == 1)).all():
        raise ValueError(f"binary_accuracy expects labels 0 and 1, got the values "
                         f"{torch.unique(y).tolist()}")
    y_hat = step(logits.detach().reshape(-1))  # (B,): 1 where z ≥ 0, else 0
    # accuracy = (1/B) Σ_b [ŷ_b = y_b]
    return (y_hat.long() == y.long()).float().mean()
