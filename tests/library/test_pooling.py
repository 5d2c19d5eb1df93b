"""dlbook.pooling against F.max_pool2d and F.avg_pool2d: both forms, values and gradients, float64."""

from __future__ import annotations

import doctest
import itertools
from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

import dlbook.pooling
from dlbook.conv import Pair
from dlbook.pooling import (
    LECTURE_POOL_INPUT,
    AvgPool2d,
    MaxPool2d,
    avg_pool2d,
    max_pool2d,
    pool2d_loops,
)

DTYPE = torch.float64


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/library/conftest.py


def randn(*shape: int, seed: int, grad: bool = False) -> Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=DTYPE).requires_grad_(grad)


PoolFn = Callable[..., Tensor]
# name -> (ours, torch's); random float64 inputs have no ties, so max's gradient has one winner
FORMS: dict[str, tuple[PoolFn, PoolFn]] = {
    "max": (max_pool2d, F.max_pool2d),
    "avg": (avg_pool2d, F.avg_pool2d),
    "max_loops": (lambda x, k, **kw: pool2d_loops(x, k, mode="max", **kw), F.max_pool2d),
    "avg_loops": (lambda x, k, **kw: pool2d_loops(x, k, mode="avg", **kw), F.avg_pool2d),
}
KERNELS: list[Pair] = [1, 2, 3, (3, 2)]
STRIDES: list[Pair | None] = [None, 1, 2, (2, 1)]
PADDINGS: list[Pair] = [0, 1, (1, 0)]
SHAPES = [(1, 1, 7, 5), (3, 2, 9, 11), (1, 3, 9, 11), (3, 1, 7, 5)]


def half(p: Pair) -> tuple[int, int]:
    return p if isinstance(p, tuple) else (p, p)


# torch pads a window by at most half of it: keep the cases where that holds
CASES = [(SHAPES[n % len(SHAPES)], k, s, p)
         for n, (k, s, p) in enumerate(itertools.product(KERNELS, STRIDES, PADDINGS))
         if all(pp <= kk // 2 for pp, kk in zip(half(p), half(k), strict=True))]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-k{c[1]}-s{c[2]}-p{c[3]}" for c in CASES])
@pytest.mark.parametrize("form", FORMS)
def test_values_and_gradients_match_torch(form: str, case: tuple[tuple[int, ...], Pair, Pair | None, Pair]
                                          ) -> None:
    shape, k, s, p = case
    ours_fn, torch_fn = FORMS[form]
    x = randn(*shape, seed=1, grad=True)
    out = ours_fn(x, k, stride=s, padding=p)
    ref = torch_fn(x, k, stride=s, padding=p)
    torch.testing.assert_close(out, ref)
    g = randn(*ref.shape, seed=2)
    (ours,) = torch.autograd.grad((g * out).sum(), x)
    (theirs,) = torch.autograd.grad((g * ref).sum(), x)
    torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("k", "s", "p"), [(2, None, 0), (3, 2, 1), ((3, 2), 1, (1, 0))])
def test_gradcheck(form: str, k: Pair, s: Pair | None, p: Pair) -> None:
    x = randn(2, 2, 5, 4, seed=3, grad=True)
    assert torch.autograd.gradcheck(lambda x: FORMS[form][0](x, k, stride=s, padding=p), (x,))


def test_stride_defaults_to_the_window_so_windows_tile() -> None:
    x = torch.arange(36.0).view(1, 1, 6, 6)
    assert max_pool2d(x, 2).shape == (1, 1, 3, 3)
    assert max_pool2d(x, 2).flatten().tolist() == [7, 9, 11, 19, 21, 23, 31, 33, 35]
    assert avg_pool2d(x, 3).flatten().tolist() == [7, 10, 25, 28]
    assert max_pool2d(x, 2, stride=1).shape == (1, 1, 5, 5)


def test_max_gradient_goes_to_the_winner_and_avg_shares_it() -> None:
    x = LECTURE_POOL_INPUT[None, None].clone().requires_grad_(True)
    max_pool2d(x, 2).sum().backward()
    assert x.grad is not None and x.grad[0, 0].tolist() == [[0, 0], [0, 1]]
    x.grad = None
    avg_pool2d(x, 2).sum().backward()
    assert x.grad is not None and x.grad[0, 0].tolist() == [[0.25, 0.25], [0.25, 0.25]]


def test_channels_are_pooled_separately() -> None:
    x = randn(2, 3, 6, 4, seed=4)
    for c in range(3):
        torch.testing.assert_close(max_pool2d(x, 2)[:, c], max_pool2d(x[:, c: c + 1], 2)[:, 0])


# --- The lectures' worked example ---------------------------------------------------


@pytest.mark.parametrize("form", ["max", "max_loops"])
def test_lecture_example_gives_4(form: str) -> None:
    assert LECTURE_POOL_INPUT.tolist() == [[1, 3], [2, 4]]
    out = FORMS[form][0](LECTURE_POOL_INPUT[None, None], 2)
    assert out.shape == (1, 1, 1, 1)
    assert out.item() == 4  # what the lectures say
    assert MaxPool2d(2)(LECTURE_POOL_INPUT[None, None]).item() == 4
    assert AvgPool2d(2)(LECTURE_POOL_INPUT[None, None]).item() == 2.5  # (1 + 3 + 2 + 4)/4


# --- Errors and layers -------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_bad_inputs_are_named(form: str) -> None:
    fn = FORMS[form][0]
    with pytest.raises(ValueError, match=r"expects x of shape \(N, C_in, H, W\), got \(2, 2\)"):
        fn(LECTURE_POOL_INPUT, 2)
    with pytest.raises(ValueError, match=r"padding at most half the 2x2 window, \(1, 1\), got \(2, 2\)"):
        fn(torch.zeros(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(ValueError, match=r"the 3x3 kernel does not fit the 2x2 input padded by \(0, 0\)"):
        fn(torch.zeros(1, 1, 2, 2), 3)
    with pytest.raises(ValueError, match=r"expects stride to be an int ≥ 1 or a pair of them, got 0"):
        fn(torch.zeros(1, 1, 4, 4), 2, stride=0)


def test_loops_reject_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="pool2d_loops expects mode 'max' or 'avg', got 'min'"):
        pool2d_loops(torch.zeros(1, 1, 4, 4), 2, mode="min")  # type: ignore[arg-type]


def test_layers_match_torch_layers() -> None:
    x = randn(3, 2, 9, 11, seed=5)
    torch.testing.assert_close(MaxPool2d(3, stride=2, padding=1)(x), torch.nn.MaxPool2d(3, 2, 1)(x))
    torch.testing.assert_close(AvgPool2d((3, 2))(x), torch.nn.AvgPool2d((3, 2))(x))
    assert repr(MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    with pytest.raises(ValueError, match=r"MaxPool2d expects kernel_size to be an int ≥ 1 .*got 0"):
        MaxPool2d(0)


def test_doctests() -> None:
    assert doctest.testmod(dlbook.pooling).failed == 0
