"""Comparing two models on the same test examples, taught in docs/training/overfitting/.

Two classifiers scored on one test set are not two independent samples: both see the same
digits, and most digits are easy for both. What tells them apart is the examples on which
they disagree. ``mcnemar_exact`` tests whether those disagreements lean one way more than
chance would allow; ``paired_bootstrap`` puts an interval around the difference of any
per-example score (correct or not, a loss) by resampling the examples, the same rows for
both models. Both take a seed or nothing random at all, never the global RNG.

Refs: Q. McNemar, "Note on the sampling error of the difference between correlated
proportions or percentages", Psychometrika 1947; B. Efron and R. Tibshirani, *An
Introduction to the Bootstrap*, 1993; T. Dietterich, "Approximate statistical tests for
comparing supervised classification learning algorithms", Neural Computation 1998.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

__all__ = [
    "BootstrapResult",
    "McNemarResult",
    "bootstrap_indices",
    "mcnemar_exact",
    "paired_bootstrap",
]


def _check_pair(name: str, a: Tensor, b: Tensor) -> None:
    if a.ndim != 1 or a.shape != b.shape or a.shape[0] == 0:
        raise ValueError(
            f"{name} expects two 1-D tensors of the same length n >= 1 (one entry per test "
            f"example), got {tuple(a.shape)} and {tuple(b.shape)}"
        )


@dataclass(frozen=True)
class McNemarResult:
    """What ``mcnemar_exact`` found."""

    only_a: int  # examples model A gets right and model B gets wrong
    only_b: int  # examples model B gets right and model A gets wrong
    p_value: float  # two-sided: chance of a split at least this uneven if neither model is better

    @property
    def discordant(self) -> int:
        """The examples on which the two models disagree, ``only_a + only_b``."""
        return self.only_a + self.only_b


def mcnemar_exact(correct_a: Tensor, correct_b: Tensor) -> McNemarResult:
    """McNemar's exact test of two classifiers' accuracies on the same ``n`` examples.

    ``correct_a`` and ``correct_b`` (n,) hold 1 (or True) where each model is right and 0
    where it is wrong. Examples both get right or both get wrong say nothing about which
    is better; of the ``m = only_a + only_b`` on which they disagree, each is equally
    likely to favour either model if neither is better, so ``only_a ~ Binomial(m, 1/2)``.
    The two-sided p-value doubles the smaller tail, ``min(1, 2 P(K ≤ min(only_a, only_b)))``
    with ``K ~ Binomial(m, 1/2)``, computed exactly; with no disagreement it is 1.

    >>> a = torch.tensor([1, 1, 1, 0, 1]); b = torch.tensor([1, 0, 0, 0, 1])
    >>> mcnemar_exact(a, b)  # two disagreements, both won by A: P = 2 · (1/2)² = 0.5
    McNemarResult(only_a=2, only_b=0, p_value=0.5)
    """
    _check_pair("mcnemar_exact", correct_a, correct_b)
    for t in (correct_a, correct_b):
        if not bool(((t == 0) | (t == 1)).all()):
            raise ValueError("mcnemar_exact expects 0/1 (or bool) correctness values")
    a, b = correct_a.bool(), correct_b.bool()
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    m, k = only_a + only_b, min(only_a, only_b)
    tail = sum(math.comb(m, i) for i in range(k + 1)) / 2**m  # P(K ≤ k), K ~ Bin(m, 1/2)
    return McNemarResult(only_a=only_a, only_b=only_b, p_value=min(1.0, 2 * tail))


@dataclass(frozen=True)
class BootstrapResult:
    """What ``paired_bootstrap`` found: a difference of means and an interval around it."""

    difference: float  # mean(a) − mean(b) on the examples as given
    low: float  # lower end of the percentile interval
    high: float  # upper end
    level: float  # the interval's coverage, e.g. 0.95
    num_resamples: int  # how many resampled test sets it was computed from


def bootstrap_indices(n: int, *, num_resamples: int, seed: int) -> Tensor:
    """(num_resamples, n) row indices, drawn uniformly with replacement from a generator seeded with ``seed``.

    Row ``r`` is the ``r``-th resampled test set. ``paired_bootstrap`` uses these very
    indices, so a caller can recompute its numbers by hand.
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"bootstrap_indices expects n >= 1, got {n!r}")
    if not isinstance(num_resamples, int) or num_resamples < 1:
        raise ValueError(f"bootstrap_indices expects num_resamples >= 1, got {num_resamples!r}")
    g = torch.Generator().manual_seed(seed)
    return torch.randint(n, (num_resamples, n), generator=g)  # (B, n)


def paired_bootstrap(
    scores_a: Tensor,
    scores_b: Tensor,
    *,
    num_resamples: int = 10_000,
    level: float = 0.95,
    seed: int = 0,
) -> BootstrapResult:
    """A percentile bootstrap interval for ``mean(scores_a) − mean(scores_b)`` on paired examples.

    ``scores_a`` and ``scores_b`` (n,) are one number per test example for each model, in
    the same order: 1/0 for right/wrong gives the accuracy difference, per-example losses
    the loss difference. Each resample draws ``n`` examples with replacement and keeps
    each example's *pair* of scores together, so the interval reflects how much the
    difference varies from one test set to another, with the models' agreement taken
    into account. The interval's ends are the ``(1 − level)/2`` and ``(1 + level)/2``
    quantiles of the resampled differences (linear interpolation, as ``torch.quantile``).
    """
    _check_pair("paired_bootstrap", scores_a, scores_b)
    if not 0 < level < 1:
        raise ValueError(f"paired_bootstrap expects 0 < level < 1, got {level!r}")
    d = scores_a.detach().double() - scores_b.detach().double()  # (n,) per-example difference
    idx = bootstrap_indices(d.shape[0], num_resamples=num_resamples, seed=seed)  # (B, n)
    diffs = d[idx].mean(dim=1)  # (B,): the difference on each resampled test set
    q = torch.tensor([(1 - level) / 2, (1 + level) / 2], dtype=torch.float64)
    low, high = torch.quantile(diffs, q).tolist()
    return BootstrapResult(difference=float(d.mean()), low=low, high=high, level=level,
                           num_resamples=num_resamples)
