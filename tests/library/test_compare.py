"""dlbook.compare: McNemar's exact test and the paired bootstrap, against independent computations."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

from dlbook.compare import BootstrapResult, McNemarResult, bootstrap_indices, mcnemar_exact, paired_bootstrap


def _pairs(only_a: int, only_b: int, both: int = 5, neither: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """Correctness vectors with the given counts of each kind of example, in a scrambled order."""
    a = [1] * only_a + [0] * only_b + [1] * both + [0] * neither
    b = [0] * only_a + [1] * only_b + [1] * both + [0] * neither
    order = torch.randperm(len(a), generator=torch.Generator().manual_seed(only_a * 31 + only_b))
    return torch.tensor(a)[order], torch.tensor(b)[order]


# --- McNemar ------------------------------------------------------------------


def test_mcnemar_hand_checked_cases() -> None:
    # 3 disagreements, all won by A: P = 2 · (1/2)³ = 1/4
    assert mcnemar_exact(*_pairs(3, 0)) == McNemarResult(only_a=3, only_b=0, p_value=0.25)
    # 10 against 2: P(K ≤ 2) = (1 + 12 + 66) / 2¹² = 79/4096, doubled
    result = mcnemar_exact(*_pairs(2, 10))
    assert (result.only_a, result.only_b, result.discordant) == (2, 10, 12)
    assert result.p_value == pytest.approx(2 * 79 / 4096, rel=1e-15)
    # an even split, and no disagreement at all: no evidence either way
    assert mcnemar_exact(*_pairs(4, 4)).p_value == 1.0
    assert mcnemar_exact(*_pairs(0, 0)).p_value == 1.0


@pytest.mark.parametrize(("only_a", "only_b"), [(0, 1), (1, 5), (7, 3), (9, 9), (20, 8), (3, 40)])
def test_mcnemar_matches_scipy_binomtest(only_a: int, only_b: int) -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    expected = scipy_stats.binomtest(only_a, only_a + only_b, 0.5, alternative="two-sided").pvalue
    assert mcnemar_exact(*_pairs(only_a, only_b)).p_value == pytest.approx(expected, rel=1e-12)


def test_mcnemar_matches_a_sum_over_all_outcomes() -> None:
    """The p-value as the probability of every split at most as likely as the one seen."""
    only_a, only_b = 11, 4
    m = only_a + only_b
    pmf = [math.comb(m, k) / 2**m for k in range(m + 1)]
    expected = sum(p for p in pmf if p <= pmf[only_a] * (1 + 1e-12))
    assert mcnemar_exact(*_pairs(only_a, only_b)).p_value == pytest.approx(expected, rel=1e-12)


def test_mcnemar_is_symmetric_and_accepts_bools() -> None:
    a, b = _pairs(6, 2)
    forward, backward = mcnemar_exact(a, b), mcnemar_exact(b.bool(), a.bool())
    assert (backward.only_a, backward.only_b) == (forward.only_b, forward.only_a)
    assert backward.p_value == forward.p_value


# --- The paired bootstrap -------------------------------------------------------


def test_bootstrap_indices_are_seeded_and_in_range() -> None:
    idx = bootstrap_indices(7, num_resamples=50, seed=3)
    assert idx.shape == (50, 7) and idx.dtype == torch.int64
    assert int(idx.min()) >= 0 and int(idx.max()) <= 6
    assert torch.equal(idx, bootstrap_indices(7, num_resamples=50, seed=3))
    assert not torch.equal(idx, bootstrap_indices(7, num_resamples=50, seed=4))


def test_bootstrap_leaves_the_global_rng_alone() -> None:
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    paired_bootstrap(torch.rand(20, generator=torch.Generator().manual_seed(0)), torch.zeros(20),
                     num_resamples=100)
    torch.testing.assert_close(torch.rand(3), expected)


def test_bootstrap_matches_numpy_with_the_same_indices() -> None:
    g = torch.Generator().manual_seed(0)
    loss_a, loss_b = torch.rand(40, generator=g), torch.rand(40, generator=g)
    result = paired_bootstrap(loss_a, loss_b, num_resamples=500, level=0.9, seed=7)
    idx = bootstrap_indices(40, num_resamples=500, seed=7).numpy()
    a, b = loss_a.double().numpy(), loss_b.double().numpy()
    diffs = a[idx].mean(axis=1) - b[idx].mean(axis=1)  # resample each model's rows, then subtract
    low, high = np.quantile(diffs, [0.05, 0.95])  # numpy's default is linear interpolation too
    assert isinstance(result, BootstrapResult)
    assert result.difference == pytest.approx(a.mean() - b.mean(), abs=1e-15)
    assert result.low == pytest.approx(low, abs=1e-12)
    assert result.high == pytest.approx(high, abs=1e-12)
    assert (result.level, result.num_resamples) == (0.9, 500)


def test_bootstrap_hand_checked_cases() -> None:
    # identical models: every resampled difference is 0
    same = torch.tensor([1, 0, 1, 1])
    assert paired_bootstrap(same, same, num_resamples=200) == BootstrapResult(0.0, 0.0, 0.0, 0.95, 200)
    # A beats B by exactly 1 on every example: the difference is 1 on every resample
    result = paired_bootstrap(torch.arange(5.0) + 1, torch.arange(5.0), num_resamples=200)
    assert (result.difference, result.low, result.high) == pytest.approx((1.0, 1.0, 1.0))
    # one disagreement among two examples: resampled differences are 0, 1/2 or 1
    result = paired_bootstrap(torch.tensor([1, 1]), torch.tensor([1, 0]), num_resamples=2000)
    assert result.difference == 0.5 and result.low == 0.0 and result.high == 1.0


def test_pairing_narrows_the_interval() -> None:
    """Two models that agree on most examples differ far less than their accuracies' spread suggests."""
    g = torch.Generator().manual_seed(1)
    a = (torch.rand(400, generator=g) < 0.9).long()
    b = a.clone()
    b[:8] = 1 - b[:8]  # they disagree on 8 of 400 examples
    paired = paired_bootstrap(a, b, num_resamples=2000, seed=0)
    se_single = math.sqrt(0.9 * 0.1 / 400)  # standard error of one accuracy near 90%
    assert paired.high - paired.low < 2 * 1.96 * se_single  # the 95% interval of one accuracy


# --- Bad input ------------------------------------------------------------------


def test_errors_name_what_was_expected() -> None:
    message = "two 1-D tensors of the same length n >= 1 (one entry per test example), got (3,) and (4,)"
    with pytest.raises(ValueError, match=re.escape(message)):
        mcnemar_exact(torch.ones(3), torch.ones(4))
    with pytest.raises(ValueError, match=re.escape("got (2, 3) and (2, 3)")):
        paired_bootstrap(torch.ones(2, 3), torch.ones(2, 3))
    with pytest.raises(ValueError, match=re.escape("got (0,) and (0,)")):
        paired_bootstrap(torch.ones(0), torch.ones(0))
    with pytest.raises(ValueError, match="0/1"):
        mcnemar_exact(torch.tensor([0, 2]), torch.tensor([1, 1]))
    with pytest.raises(ValueError, match="0 < level < 1"):
        paired_bootstrap(torch.ones(3), torch.ones(3), level=95)
    with pytest.raises(ValueError, match="num_resamples >= 1"):
        paired_bootstrap(torch.ones(3), torch.ones(3), num_resamples=0)
