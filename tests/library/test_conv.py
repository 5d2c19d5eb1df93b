"""dlbook.conv against F.conv2d: both forms (loops, im2col), values and gradients, float64.

Odd shapes throughout (N = 1, 3; C_in = 1, 2, 3; C_out = 1, 4; 7x5 and 9x11 images;
kernels 1, 2, 3, (3, 2); strides 1, 2, 3, (2, 1); paddings 0, 1, 2, (1, 0)), so that a
transposed axis or an off-by-one window cannot pass. Also: the output-size formula, the
flip of true convolution, the lectures' worked example, errors, and the Conv2d layer.
"""

from __future__ import annotations

import doctest
import itertools
import math
from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

import dlbook.conv
from dlbook.conv import (
    LECTURE_IMAGE,
    LECTURE_KERNEL,
    Conv2d,
    Pair,
    conv2d,
    conv2d_loops,
    conv_output_shape,
    conv_output_size,
    convolve2d,
    im2col,
    window_products,
)

DTYPE = torch.float64


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/library/conftest.py

ConvFn = Callable[..., Tensor]
FORMS: dict[str, ConvFn] = {"im2col": conv2d, "loops": conv2d_loops}


def randn(*shape: int, seed: int, grad: bool = False) -> Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=DTYPE).requires_grad_(grad)


# Every kernel, stride and padding of the brief, with batch, channels and image size cycling
# through theirs: 64 cases, each against F.conv2d.
KERNELS: list[Pair] = [1, 2, 3, (3, 2)]
STRIDES: list[Pair] = [1, 2, 3, (2, 1)]
PADDINGS: list[Pair] = [0, 1, 2, (1, 0)]
SHAPES = [(1, 1, 4, 7, 5), (3, 2, 1, 9, 11), (1, 3, 4, 9, 11), (3, 1, 1, 7, 5), (3, 3, 4, 7, 5)]
CASES = [(SHAPES[n % len(SHAPES)], k, s, p, n % 3 != 0)
         for n, (k, s, p) in enumerate(itertools.product(KERNELS, STRIDES, PADDINGS))]


def case_id(case: tuple[tuple[int, ...], Pair, Pair, Pair, bool]) -> str:
    (N, C_in, C_out, H, W), k, s, p, bias = case
    return f"N{N}-C{C_in}to{C_out}-{H}x{W}-k{k}-s{s}-p{p}" + ("" if bias else "-nobias")


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
@pytest.mark.parametrize("form", FORMS)
def test_values_and_gradients_match_torch(form: str, case: tuple[tuple[int, ...], Pair, Pair, Pair, bool]
                                          ) -> None:
    (N, C_in, C_out, H, W), k, s, p, with_bias = case
    kh, kw = k if isinstance(k, tuple) else (k, k)
    x = randn(N, C_in, H, W, seed=1, grad=True)
    w = randn(C_out, C_in, kh, kw, seed=2, grad=True)
    b = randn(C_out, seed=3, grad=True) if with_bias else None
    out = FORMS[form](x, w, b, stride=s, padding=p)
    ref = F.conv2d(x, w, b, stride=s, padding=p)
    torch.testing.assert_close(out, ref)
    g = randn(*ref.shape, seed=4)  # a random weighting, so that every output's gradient matters
    leaves = [x, w] + ([b] if b is not None else [])
    ours = torch.autograd.grad((g * out).sum(), leaves)
    theirs = torch.autograd.grad((g * ref).sum(), leaves)
    for a, e in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, e)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("k", "s", "p"), [(3, 1, 1), ((3, 2), 2, 0), (2, (2, 1), (1, 0))])
def test_gradcheck(form: str, k: Pair, s: Pair, p: Pair) -> None:
    kh, kw = k if isinstance(k, tuple) else (k, k)
    x, w = randn(2, 2, 5, 4, seed=5, grad=True), randn(3, 2, kh, kw, seed=6, grad=True)
    b = randn(3, seed=7, grad=True)
    assert torch.autograd.gradcheck(lambda x, w, b: FORMS[form](x, w, b, stride=s, padding=p), (x, w, b))


@pytest.mark.parametrize(("k", "s", "p"), [(3, 1, 0), ((3, 2), 2, 1), (1, 3, 2), (2, (2, 1), (1, 0))])
def test_im2col_is_torch_unfold(k: Pair, s: Pair, p: Pair) -> None:
    x = randn(3, 2, 7, 5, seed=8)
    torch.testing.assert_close(im2col(x, k, stride=s, padding=p), F.unfold(x, k, stride=s, padding=p))


# --- The output size ------------------------------------------------------------


def test_output_size_formula_on_examples() -> None:
    # out = ⌊(n + 2p − k)/s⌋ + 1
    assert conv_output_size(5, 3) == 3  # the lectures' 5x5 image, 3x3 kernel
    assert conv_output_size(8, 3, padding=1) == 8  # "same" padding for odd k
    assert conv_output_size(8, 2, stride=2) == 4  # a 2x2 pool halves
    assert conv_output_size(7, 3, stride=2) == 3
    assert conv_output_size(7, 3, stride=3, padding=2) == 3  # ⌊(7 + 4 − 3)/3⌋ + 1
    assert conv_output_size(3, 3) == 1  # the window fits once


def test_output_size_agrees_with_torch_for_every_small_case() -> None:
    for n, k, s, p in itertools.product(range(1, 8), range(1, 5), range(1, 4), range(3)):
        if n + 2 * p < k or p > k // 2:  # torch also refuses padding beyond half the kernel
            continue
        x, w = torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1)
        expected = F.conv2d(x, w, stride=s, padding=(p, 0)).shape[2]
        assert conv_output_size(n, k, stride=s, padding=p) == expected, (n, k, s, p)


def test_output_size_fails_when_the_window_does_not_fit() -> None:
    with pytest.raises(ValueError, match=r"k = 5 does not fit n = 2 inputs padded by p = 1 .* = 4 < k"):
        conv_output_size(2, 5, padding=1)
    with pytest.raises(ValueError, match=r"the 3x4 kernel does not fit the 7x2 input padded by \(0, 0\), "
                                         r"which is 7x2"):
        conv_output_shape((7, 2), (3, 4))
    assert conv_output_shape((7, 2), (3, 4), padding=(0, 2), stride=(2, 1)) == (3, 3)


# --- Cross-correlation and true convolution ----------------------------------------

ASYMMETRIC = torch.tensor([[1.0, 2.0, 0.0],
                           [0.0, 0.0, 0.0],
                           [0.0, 0.0, -1.0]], dtype=DTYPE)  # no symmetry: a flip changes it


def test_an_impulse_returns_the_kernel_flipped_by_correlation_and_as_is_by_convolution() -> None:
    impulse = torch.zeros(1, 1, 5, 5, dtype=DTYPE)
    impulse[0, 0, 2, 2] = 1.0
    w = ASYMMETRIC[None, None]
    correlated = conv2d(impulse, w, padding=1)[0, 0, 1:4, 1:4]
    convolved = convolve2d(impulse, w, padding=1)[0, 0, 1:4, 1:4]
    torch.testing.assert_close(convolved, ASYMMETRIC)  # convolution with δ is the identity
    torch.testing.assert_close(correlated, ASYMMETRIC.flip(0, 1))  # deep learning's "convolution"
    assert not torch.equal(correlated, convolved)


def test_against_scipy_correlate2d_and_convolve2d() -> None:
    signal = pytest.importorskip("scipy.signal")
    image = randn(7, 9, seed=9)
    expected_corr = torch.from_numpy(signal.correlate2d(image.numpy(), ASYMMETRIC.numpy(), mode="valid"))
    expected_conv = torch.from_numpy(signal.convolve2d(image.numpy(), ASYMMETRIC.numpy(), mode="valid"))
    torch.testing.assert_close(conv2d(image[None, None], ASYMMETRIC[None, None])[0, 0], expected_corr)
    torch.testing.assert_close(convolve2d(image[None, None], ASYMMETRIC[None, None])[0, 0], expected_conv)


def test_symmetric_kernels_cannot_tell_them_apart() -> None:
    x = LECTURE_IMAGE[None, None]
    w = LECTURE_KERNEL[None, None]
    assert torch.equal(conv2d(x, w), convolve2d(x, w))


# --- The lectures' worked example ---------------------------------------------------

LECTURE_ANSWER = [[4.0, 3.0, 4.0],
                  [2.0, 4.0, 3.0],
                  [2.0, 3.0, 4.0]]  # what the lectures say the 5x5 image convolved with the kernel gives


@pytest.mark.parametrize("form", FORMS)
def test_lecture_example_gives_the_lectures_answer(form: str) -> None:
    assert LECTURE_IMAGE.shape == (5, 5) and LECTURE_KERNEL.shape == (3, 3)
    out = FORMS[form](LECTURE_IMAGE[None, None], LECTURE_KERNEL[None, None])[0, 0]
    assert out.tolist() == LECTURE_ANSWER
    torch.testing.assert_close(out, F.conv2d(LECTURE_IMAGE[None, None], LECTURE_KERNEL[None, None])[0, 0])


def test_first_value_cell_by_cell() -> None:
    cell = window_products(LECTURE_IMAGE, LECTURE_KERNEL, 0, 0)
    assert cell.window.tolist() == [[1, 1, 1], [0, 1, 1], [0, 0, 1]]
    assert cell.products.tolist() == [[1, 0, 1], [0, 1, 0], [0, 0, 1]]
    assert cell.value == 4.0
    # every cell of the answer, term by term
    grid = [[window_products(LECTURE_IMAGE, LECTURE_KERNEL, i, j).value for j in range(3)] for i in range(3)]
    assert grid == LECTURE_ANSWER


def test_window_products_with_stride_and_padding_agree_with_conv2d() -> None:
    image, kernel = randn(6, 5, seed=10), randn(3, 2, seed=11)
    out = conv2d(image[None, None], kernel[None, None], stride=2, padding=1)[0, 0]
    for i, j in itertools.product(range(out.shape[0]), range(out.shape[1])):
        cell = window_products(image, kernel, i, j, stride=2, padding=1)
        assert cell.value == pytest.approx(float(out[i, j]))
    with pytest.raises(ValueError, match=r"expects 0 ≤ i < 3 and 0 ≤ j < 3, got \(3, 0\)"):
        window_products(LECTURE_IMAGE, LECTURE_KERNEL, 3, 0)
    with pytest.raises(ValueError, match=r"image \(H, W\) and kernel \(kH, kW\), got \(1, 5, 5\) and "):
        window_products(LECTURE_IMAGE[None], LECTURE_KERNEL, 0, 0)


# --- Errors name what was expected and what came ---------------------------------------


@pytest.mark.parametrize("form", [*FORMS, "convolve2d"])
def test_bad_shapes_are_named(form: str) -> None:
    fn = {**FORMS, "convolve2d": convolve2d}[form]
    x, w = torch.zeros(1, 3, 5, 5), torch.zeros(4, 3, 3, 3)
    with pytest.raises(ValueError, match=r"expects x of shape \(N, C_in, H, W\), got \(3, 5, 5\); "
                                         r"add the batch axis"):
        fn(x[0], w)
    with pytest.raises(ValueError, match=r"expects weight of shape \(C_out, C_in, kH, kW\), got \(4, 3, 3\)"):
        fn(x, w[:, 0])
    with pytest.raises(ValueError, match=r"expects x with C_in = 2 channels for weight of shape "
                                         r"\(4, 2, 3, 3\), got x of shape \(1, 3, 5, 5\)"):
        fn(x, torch.zeros(4, 2, 3, 3))
    with pytest.raises(ValueError, match=r"expects bias of shape \(C_out,\) = \(4,\), got \(3,\)"):
        fn(x, w, torch.zeros(3))
    with pytest.raises(ValueError, match=r"the 8x3 kernel does not fit the 5x5 input padded by \(1, 1\), "
                                         r"which is 7x7"):
        fn(x, torch.zeros(4, 3, 8, 3), padding=1)
    with pytest.raises(ValueError, match=r"expects stride to be an int ≥ 1 or a pair of them, got 0"):
        fn(x, w, stride=0)
    with pytest.raises(ValueError, match=r"expects padding to be an int ≥ 0 or a pair of them, got \(1, -1"):
        fn(x, w, padding=(1, -1))
    with pytest.raises(ValueError, match=r"x and weight of one dtype, got torch.float32 and torch.float64"):
        fn(x, w.double())


# --- The Conv2d layer ----------------------------------------------------------------


def test_layer_is_initialised_like_torch_and_computes_like_it() -> None:
    with torch.random.fork_rng():
        torch.manual_seed(0)
        theirs = nn.Conv2d(3, 4, (3, 2), stride=2, padding=1)
        torch.manual_seed(0)
        ours = Conv2d(3, 4, (3, 2), stride=2, padding=1)
    torch.testing.assert_close(ours.weight, theirs.weight)
    assert ours.bias is not None
    torch.testing.assert_close(ours.bias, theirs.bias)
    x = torch.randn(2, 3, 9, 11)
    torch.testing.assert_close(ours(x), theirs(x))
    bound = 1 / math.sqrt(3 * 3 * 2)  # 1/√fan_in
    assert ours.weight.abs().max() <= bound and ours.bias.abs().max() <= bound
    assert ours.weight.std() > bound / 3  # spread over the range, not stuck near 0


def test_layer_draws_from_its_generator_only() -> None:
    state = torch.random.get_rng_state()
    a = Conv2d(2, 4, 3, generator=torch.Generator().manual_seed(5))
    b = Conv2d(2, 4, 3, generator=torch.Generator().manual_seed(5))
    assert torch.equal(torch.random.get_rng_state(), state)  # the global RNG was not touched
    assert torch.equal(a.weight, b.weight)
    assert Conv2d(2, 4, 3, bias=False, generator=torch.Generator()).bias is None
    assert "bias=False" in repr(Conv2d(2, 4, 3, bias=False, generator=torch.Generator()))


def test_layer_learns_a_kernel() -> None:
    """Regression onto a hidden bank of two 3x3x3 filters: SGD on our layer recovers them."""
    teacher_w, teacher_b = randn(2, 3, 3, 3, seed=12).float(), randn(2, seed=13).float()
    X = randn(32, 3, 7, 5, seed=14).float()
    y = F.conv2d(X, teacher_w, teacher_b, stride=1, padding=1)
    layer = Conv2d(3, 2, 3, padding=1, generator=torch.Generator().manual_seed(0))
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.05, momentum=0.9)
    first = F.mse_loss(layer(X), y).item()
    for _ in range(150):
        loss = F.mse_loss(layer(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 1e-4 * first
    torch.testing.assert_close(layer.weight, teacher_w, atol=1e-2, rtol=0)


def test_layer_rejects_bad_arguments_and_inputs() -> None:
    with pytest.raises(ValueError, match="Conv2d expects in_channels to be a positive int, got 0"):
        Conv2d(0, 4, 3)
    with pytest.raises(ValueError, match=r"Conv2d expects kernel_size to be an int ≥ 1 or a pair of them, "
                                         r"got \(3, 2, 1\)"):
        Conv2d(1, 4, (3, 2, 1))  # type: ignore[arg-type]
    layer = Conv2d(2, 4, 3, generator=torch.Generator())
    with pytest.raises(ValueError, match=r"expects x with C_in = 2 channels .* got x of shape \(1, 3, 5, 5"):
        layer(torch.zeros(1, 3, 5, 5))


def test_doctests() -> None:
    assert doctest.testmod(dlbook.conv).failed == 0
