"""dlbook.splits: disjoint seeded splits, and the book's one split of the digits."""

from __future__ import annotations

import pytest
import torch

from dlbook.datasets import digits
from dlbook.splits import DIGITS_TRAIN, DIGITS_VAL, digit_splits, train_val_test_split


def test_train_val_test_split_is_a_seeded_disjoint_cut() -> None:
    X = torch.arange(20.0).unsqueeze(1)  # (20, 1): each row holds its own index
    y = torch.arange(20)
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = train_val_test_split(X, y, n_train=10, n_val=6, seed=1)
    assert (len(y_tr), len(y_va), len(y_te)) == (10, 6, 4)
    rows = torch.cat([y_tr, y_va, y_te])
    assert sorted(rows.tolist()) == list(range(20))  # disjoint, and every row is used
    assert torch.equal(torch.cat([X_tr, X_va, X_te]).squeeze(1).long(), rows)  # X and y stay paired
    again = train_val_test_split(X, y, n_train=10, n_val=6, seed=1)
    assert torch.equal(again[0][1], y_tr)
    assert not torch.equal(train_val_test_split(X, y, n_train=10, n_val=6, seed=2)[0][1], y_tr)


def test_train_val_test_split_names_bad_sizes() -> None:
    X, y = torch.zeros(10, 2), torch.zeros(10)
    with pytest.raises(ValueError, match="asked for 8 \\+ 3 \\+ 1 = 12 rows, but the data has 10"):
        train_val_test_split(X, y, n_train=8, n_val=3, n_test=1)
    with pytest.raises(ValueError, match="n_val to be a positive int, got 0"):
        train_val_test_split(X, y, n_train=8, n_val=0)
    with pytest.raises(ValueError, match="as many rows, got 10 and 9"):
        train_val_test_split(X, y[:9], n_train=5, n_val=2)


def test_digit_splits_are_1000_400_397_scaled_and_disjoint() -> None:
    pytest.importorskip("sklearn")
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = digit_splits(seed=0)
    assert (len(X_tr), len(X_va), len(X_te)) == (DIGITS_TRAIN, DIGITS_VAL, 1797 - DIGITS_TRAIN - DIGITS_VAL)
    assert X_tr.shape == (1000, 64) and X_tr.dtype == torch.float32 and y_tr.dtype == torch.long
    X_all = torch.cat([X_tr, X_va, X_te])
    assert X_all.min() == 0 and X_all.max() == 1  # grey levels 0-16 scaled to [0, 1]
    X, y = digits()
    # the three parts hold every digit exactly once: compare as sorted rows
    ours = sorted(map(tuple, torch.cat([X_all * 16, torch.cat([y_tr, y_va, y_te]).unsqueeze(1)], 1).tolist()))
    theirs = sorted(map(tuple, torch.cat([X, y.unsqueeze(1).float()], 1).tolist()))
    assert ours == theirs
    assert torch.equal(digit_splits(seed=0)[1][1], y_va)
    assert not torch.equal(digit_splits(seed=1)[1][1], y_va)
