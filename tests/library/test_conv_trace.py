"""dlbook.conv_trace: every traced number against torch.nn.functional, and the captions."""

from __future__ import annotations

import doctest

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

import dlbook.conv_trace
from dlbook.conv import LECTURE_IMAGE, LECTURE_KERNEL
from dlbook.conv_trace import POOL_EXAMPLE, trace_convolution, trace_max_pool
from dlbook.pooling import LECTURE_POOL_INPUT
from dlbook.trace import Step, format_number

F64 = torch.float64

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/library/conftest.py


def randn(*shape: int, seed: int) -> Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=F64)


def as_tensor(grid: tuple[tuple[float, ...], ...]) -> Tensor:
    return torch.tensor(grid, dtype=F64)


# --- Convolution ---------------------------------------------------------------------------------

CONV_CASES = [  # (image shape, kernel shape, stride, padding, seed)
    ((5, 5), (3, 3), 1, 0, 0),
    ((6, 7), (3, 2), 2, 1, 1),
    ((4, 4), (2, 2), 1, 2, 2),
    ((3, 5), (3, 3), 3, 1, 3),
]


@pytest.mark.parametrize("shape, kshape, stride, padding, seed", CONV_CASES)
def test_convolution_matches_torch(shape: tuple[int, int], kshape: tuple[int, int], stride: int,
                                   padding: int, seed: int) -> None:
    x, k = randn(*shape, seed=seed), randn(*kshape, seed=seed + 100)
    t = trace_convolution(x, k, stride=stride, padding=padding)
    expected = F.conv2d(x[None, None], k[None, None], stride=stride, padding=padding)[0, 0]  # (H_out, W_out)
    torch.testing.assert_close(as_tensor(t.output), expected, rtol=1e-12, atol=1e-12)
    assert (t.image_shape, t.kernel_shape, t.out_shape) == (shape, kshape, tuple(expected.shape))
    # the windows are F.unfold's columns, and each output cell is its window's products summed
    cols = F.unfold(x[None, None], kshape, padding=padding, stride=stride)[0]  # (kH·kW, H_out·W_out)
    Ho, Wo = t.out_shape
    for i in range(Ho):
        for j in range(Wo):
            window, products = as_tensor(t.windows[i][j]), as_tensor(t.products[i][j])
            torch.testing.assert_close(window.flatten(), cols[:, i * Wo + j], rtol=0, atol=0)
            torch.testing.assert_close(products, window * k, rtol=0, atol=0)
            assert products.sum().item() == pytest.approx(t.output[i][j], rel=1e-12, abs=1e-12)
            r, c = t.origin(i, j)  # the window's top-left cell, in the unpadded image
            if 0 <= r < shape[0] and 0 <= c < shape[1]:
                assert window[0, 0].item() == x[r, c].item()
    assert t.image == tuple(tuple(row) for row in x.tolist()) and (t.stride, t.padding) == (stride, padding)


def test_the_lecture_example() -> None:
    t = trace_convolution()
    assert t.image == tuple(tuple(row) for row in LECTURE_IMAGE.tolist())
    assert t.kernel == tuple(tuple(row) for row in LECTURE_KERNEL.tolist())
    assert t.output == ((4.0, 3.0, 4.0), (2.0, 4.0, 3.0), (2.0, 3.0, 4.0))
    assert t.products[0][0] == ((1.0, 0.0, 1.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))  # nine products, sum 4
    assert (t.stride, t.padding, t.origin(2, 1)) == (1, 0, (2, 1))


def test_convolution_steps_are_keyed_and_spell_out_the_numbers() -> None:
    t = trace_convolution()
    keyed = t.keyed_steps()
    assert all(isinstance(s, Step) for s in keyed) and [s.text for s in keyed] == t.steps()
    assert t.step_keys() == ["output_size", *(f"out_{i}_{j}" for i in range(3) for j in range(3)), "output"]
    assert t.step("output_size") == ("a 3x3 kernel on a 5x5 image, stride 1, padding 0: "
                                     "⌊(5 − 3)/1⌋ + 1 = 3 positions per axis, a 3x3 output")
    assert t.step("out_0_0") == "out[0, 0] = 1·1 + 1·0 + 1·1 + 0·0 + 1·1 + 1·0 + 0·1 + 0·0 + 1·1 = 4"
    assert t.step("out_1_0") == "out[1, 0] = 0·1 + 1·0 + 1·1 + 0·0 + 0·1 + 1·0 + 0·1 + 0·0 + 1·1 = 2"
    assert t.step("output") == "the 3x3 output, row by row: [4, 3, 4], [2, 4, 3], [2, 3, 4]"
    odd = trace_convolution(torch.ones(4, 6), torch.ones(3, 2), stride=2, padding=1)
    assert odd.step("output_size").endswith("⌊(4 + 2·1 − 3)/2⌋ + 1 = 2 rows and "
                                            "⌊(6 + 2·1 − 2)/2⌋ + 1 = 4 columns, a 2x4 output")


@pytest.mark.parametrize("digits", [3, 5])
def test_convolution_captions_carry_every_number(digits: int) -> None:
    x, k = randn(4, 5, seed=7), randn(2, 3, seed=8)
    t = trace_convolution(x, k, stride=1, padding=1)
    Ho, Wo = t.out_shape
    for i in range(Ho):
        for j in range(Wo):
            text = t.step(f"out_{i}_{j}", digits=digits)
            for row_x, row_k in zip(t.windows[i][j], t.kernel, strict=True):
                for a, b in zip(row_x, row_k, strict=True):
                    a_text, b_text = format_number(a, digits=digits), format_number(b, digits=digits)
                    term = "·".join(f"({v})" if v.startswith("-") else v  # a negative operand in brackets
                                    for v in (a_text, b_text))
                    assert term in text, f"{term} not in {text!r}"
            assert text.endswith(f"= {format_number(t.output[i][j], digits=digits)}"), text


# --- Max pooling --------------------------------------------------------------------------------

POOL_CASES = [  # (map shape, kernel_size, stride, seed)
    ((4, 4), 2, None, 0),
    ((5, 7), 2, 1, 1),
    ((6, 6), 3, None, 2),
    ((7, 5), 3, 2, 3),
]


@pytest.mark.parametrize("shape, k, stride, seed", POOL_CASES)
def test_max_pool_matches_torch(shape: tuple[int, int], k: int, stride: int | None, seed: int) -> None:
    x = randn(*shape, seed=seed)  # random: no ties, so torch's indices are the one winner
    t = trace_max_pool(x, kernel_size=k, stride=stride)
    out, indices = F.max_pool2d(x[None, None], k, stride=stride, return_indices=True)  # (1, 1, Ho, Wo)
    torch.testing.assert_close(as_tensor(t.output), out[0, 0], rtol=0, atol=0)
    Ho, Wo = t.out_shape
    W = shape[1]  # torch's indices count along the flattened map
    assert t.winners == tuple(tuple(divmod(int(indices[0, 0, i, j]), W) for j in range(Wo))
                              for i in range(Ho))
    s = k if stride is None else stride
    assert (t.kernel_size, t.stride) == (k, s)
    for i in range(Ho):
        for j in range(Wo):
            torch.testing.assert_close(as_tensor(t.windows[i][j]), x[s * i: s * i + k, s * j: s * j + k],
                                       rtol=0, atol=0)


def test_the_pool_example_holds_the_lecture_window() -> None:
    assert torch.equal(POOL_EXAMPLE[:2, :2], LECTURE_POOL_INPUT)
    lecture = trace_max_pool(LECTURE_POOL_INPUT)
    assert lecture.output == ((4.0,),) and lecture.winners == (((1, 1),),)
    t = trace_max_pool()
    assert t.output == ((4.0, 2.0), (5.0, 6.0))
    assert t.windows[0][0] == lecture.windows[0][0] == ((1.0, 3.0), (2.0, 4.0))
    # one winner per window, and the four winners in four different corners of their windows
    for i in range(2):
        for j in range(2):
            assert sum(v == t.output[i][j] for row in t.windows[i][j] for v in row) == 1
    corners = {(r - 2 * i, c - 2 * j) for i, row in enumerate(t.winners) for j, (r, c) in enumerate(row)}
    assert corners == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_a_tie_goes_to_the_first_in_reading_order() -> None:
    t = trace_max_pool(torch.tensor([[1.0, 2.0], [2.0, 0.0]]))
    assert t.output == ((2.0,),) and t.winners == (((0, 1),),)


def test_max_pool_steps_are_keyed_and_spell_out_the_numbers() -> None:
    t = trace_max_pool()
    assert t.step_keys() == ["output_size", "out_0_0", "out_0_1", "out_1_0", "out_1_1", "output"]
    assert t.step("output_size") == ("a 2x2 window in steps of 2 on the 4x4 map: "
                                     "⌊(4 − 2)/2⌋ + 1 = 2 positions per axis, a 2x2 output")
    assert t.step("out_0_0") == "out[0, 0] = max(1, 3, 2, 4) = 4, at x[1, 1]"
    assert t.step("out_1_1") == "out[1, 1] = max(2, 1, 6, 0) = 6, at x[3, 2]"
    assert t.step("output") == ("the 2x2 output, row by row: [4, 2], [5, 6]: "
                                "4 of the 16 values, the largest of each window")
    assert trace_max_pool(LECTURE_POOL_INPUT).step("out_0_0") == "out[0, 0] = max(1, 3, 2, 4) = 4, at x[1, 1]"


# --- Both ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, message", [
    (lambda: trace_convolution(torch.ones(1, 5, 5)),
     r"image as a non-empty 2-d tensor \(H, W\), got \(1, 5, 5\)"),
    (lambda: trace_convolution(kernel=[[1.0]]), "kernel as a non-empty 2-d tensor .* got list"),
    (lambda: trace_convolution(torch.tensor([[1.0, float("nan")]])), "image to hold finite numbers"),
    (lambda: trace_convolution(stride=0), "stride to be an int ≥ 1, got 0"),
    (lambda: trace_convolution(padding=-1), "padding to be an int ≥ 0, got -1"),
    (lambda: trace_convolution(torch.ones(2, 2)), "does not fit"),
    (lambda: trace_max_pool(torch.ones(3)), r"x as a non-empty 2-d tensor \(H, W\), got \(3,\)"),
    (lambda: trace_max_pool(kernel_size=0), "kernel_size to be an int ≥ 1, got 0"),
    (lambda: trace_max_pool(stride=True), "stride to be an int ≥ 1, got True"),
    (lambda: trace_max_pool(torch.ones(2, 3), kernel_size=3), "a 3x3 window does not fit the 2x3 map"),
])
def test_bad_input_fails_early_naming_what_was_expected(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match=message):
        call()


def test_no_global_state_is_touched_and_traces_are_frozen() -> None:
    before = torch.get_rng_state()
    t, m = trace_convolution(), trace_max_pool()
    assert torch.equal(before, torch.get_rng_state())
    assert t == trace_convolution() and m == trace_max_pool() and hash(t) == hash(trace_convolution())
    with pytest.raises(AttributeError):
        t.stride = 2  # type: ignore[misc]


def test_doctests() -> None:
    result = doctest.testmod(dlbook.conv_trace)
    assert result.attempted > 0 and result.failed == 0
