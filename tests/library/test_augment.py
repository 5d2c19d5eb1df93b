"""Shifts and rotations of small images, and the train/val/test split."""

from __future__ import annotations

import pytest
import torch

from dlbook.augment import RandomShiftRotate, affine, random_shift_rotate
from dlbook.splits import train_val_test_split


def _images(B: int = 3) -> torch.Tensor:
    return torch.arange(B * 64, dtype=torch.float32).view(B, 8, 8) + 1  # no zeros inside


def test_whole_pixel_shifts_move_pixels_exactly() -> None:
    X = _images(2)
    out = affine(X, degrees=torch.zeros(2), shift=torch.tensor([[1.0, 2.0], [-3.0, 0.0]]))
    expected = torch.zeros_like(X)
    expected[0, 2:, 1:] = X[0, :-2, :-1]  # right 1, down 2
    expected[1, :, :-3] = X[1, :, 3:]  # left 3
    torch.testing.assert_close(out, expected)


def test_quarter_turns_match_rot90_and_zero_is_the_identity() -> None:
    X = _images()
    turned = affine(X, degrees=torch.full((3,), 90.0), shift=torch.zeros(3, 2))
    torch.testing.assert_close(turned, torch.rot90(X, 1, dims=(-2, -1)), atol=1e-4, rtol=0)
    back = affine(X, degrees=torch.full((3,), -90.0), shift=torch.zeros(3, 2))
    torch.testing.assert_close(back, torch.rot90(X, -1, dims=(-2, -1)), atol=1e-4, rtol=0)
    torch.testing.assert_close(affine(X, degrees=torch.zeros(3), shift=torch.zeros(3, 2)), X)


def test_random_shift_rotate_is_seeded_and_changes_images() -> None:
    X = _images(4)
    a = random_shift_rotate(X, generator=torch.Generator().manual_seed(0))
    b = random_shift_rotate(X, generator=torch.Generator().manual_seed(0))
    c = random_shift_rotate(X, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and not torch.equal(a, c) and not torch.equal(a, X)
    assert torch.equal(random_shift_rotate(X, max_shift=0, max_degrees=0.0), X)


def test_random_shift_rotate_layer_works_only_in_training() -> None:
    layer = RandomShiftRotate(side=8)
    X = _images(5).view(5, 64)
    torch.manual_seed(0)
    moved = layer(X)
    assert moved.shape == X.shape and not torch.equal(moved, X)
    layer.eval()
    assert torch.equal(layer(X), X)
    with pytest.raises(ValueError, match=r"expects flat images of shape \(B, 64\), got \(5, 8, 8\)"):
        layer(X.view(5, 8, 8))


def test_bad_images_and_options_are_refused() -> None:
    with pytest.raises(ValueError, match=r"square float images of shape \(B, H, H\)"):
        affine(torch.zeros(2, 8, 6), degrees=torch.zeros(2), shift=torch.zeros(2, 2))
    with pytest.raises(ValueError, match=r"degrees of shape \(2,\) and shift of shape \(2, 2\)"):
        affine(torch.zeros(2, 8, 8), degrees=torch.zeros(3), shift=torch.zeros(2, 2))
    with pytest.raises(ValueError, match="max_shift to be an int >= 0, got -1"):
        random_shift_rotate(torch.zeros(1, 8, 8), max_shift=-1)


def test_split_is_disjoint_complete_and_seeded() -> None:
    X = torch.arange(100).float().unsqueeze(1)
    y = torch.arange(100)
    (Xa, ya), (Xb, yb), (Xc, yc) = train_val_test_split(X, y, n_train=60, n_val=25, seed=3)
    assert (len(ya), len(yb), len(yc)) == (60, 25, 15)
    assert torch.equal(Xa.squeeze(1).long(), ya)  # rows stay paired with their labels
    assert sorted(torch.cat([ya, yb, yc]).tolist()) == list(range(100))
    again = train_val_test_split(X, y, n_train=60, n_val=25, seed=3)
    assert torch.equal(again[0][1], ya)
    assert not torch.equal(train_val_test_split(X, y, n_train=60, n_val=25, seed=4)[0][1], ya)
    with pytest.raises(ValueError, match="asked for 60 \\+ 30 \\+ 20 = 110 rows, but the data has 100"):
        train_val_test_split(X, y, n_train=60, n_val=30, n_test=20)
    with pytest.raises(ValueError, match="n_test to be a positive int"):
        train_val_test_split(X, y, n_train=60, n_val=40)
