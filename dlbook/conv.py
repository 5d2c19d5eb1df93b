"""Two-dimensional convolution, written from its definition and as one matrix product (im2col).

Taught in docs/architectures/convolutional-networks/. A convolutional layer slides each of
its ``C_out`` filters (C_in, kH, kW) over the zero-padded input in steps of ``stride`` and
writes one weighted sum per position:

    out[n, o, i, j] = b_o + Σ_c Σ_u Σ_v w[o, c, u, v] · x_pad[n, c, s_h·i + u, s_w·j + v]

Deep learning calls this "convolution", but it is cross-correlation: the kernel is not
flipped. ``convolve2d`` is the convolution of mathematics and signal processing, which flips
it. ``conv2d_loops`` computes the sum above one output position at a time, to be read;
``conv2d`` gathers every window into the columns of a matrix (im2col) and does one matrix
product, to be trained. Both take batch-first tensors like ``F.conv2d``, and
tests/library/test_conv.py checks both against it (values and gradients, float64).
``LECTURE_IMAGE`` and ``LECTURE_KERNEL`` are the lectures' 5x5 worked example.

>>> conv2d(LECTURE_IMAGE[None, None], LECTURE_KERNEL[None, None])[0, 0]
tensor([[4., 3., 4.],
        [2., 4., 3.],
        [2., 3., 4.]])
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["LECTURE_IMAGE", "LECTURE_KERNEL", "Conv2d", "Pair", "Window", "conv2d", "conv2d_loops",
           "conv_output_shape", "conv_output_size", "convolve2d", "im2col", "pair", "sliding_windows",
           "window_products"]

Pair = int | tuple[int, int]  # one size for both axes, or (height, width)

# The lectures' worked example: a 5x5 binary image and a 3x3 kernel (an "x" shape).
LECTURE_IMAGE = torch.tensor([[1.0, 1, 1, 0, 0],
                              [0, 1, 1, 1, 0],
                              [0, 0, 1, 1, 1],
                              [0, 0, 1, 1, 0],
                              [0, 1, 1, 0, 0]])  # (5, 5)
LECTURE_KERNEL = torch.tensor([[1.0, 0, 1],
                               [0, 1, 0],
                               [1, 0, 1]])  # (3, 3)


def pair(value: Pair, name: str, owner: str, *, minimum: int = 1) -> tuple[int, int]:
    """``value`` as (height, width); ValueError unless both are ints ≥ ``minimum``."""
    hw = value if isinstance(value, tuple) else (value, value)
    if len(hw) != 2 or any(not isinstance(v, int) or isinstance(v, bool) or v < minimum for v in hw):
        raise ValueError(f"{owner} expects {name} to be an int ≥ {minimum} or a pair of them, got {value!r}")
    return hw[0], hw[1]


def conv_output_size(n: int, kernel_size: int, *, stride: int = 1, padding: int = 0) -> int:
    """The number of positions of a window of size k on n inputs padded by p, in steps of s.

    >>> conv_output_size(5, 3), conv_output_size(8, 3, padding=1), conv_output_size(7, 3, stride=2)
    (3, 8, 3)
    """
    k, s, p = kernel_size, stride, padding
    if n + 2 * p < k:
        raise ValueError(f"conv_output_size: a window of size k = {k} does not fit n = {n} inputs padded "
                         f"by p = {p} on each side (n + 2p = {n + 2 * p} < k)")
    return (n + 2 * p - k) // s + 1  # out = ⌊(n + 2p − k)/s⌋ + 1


def conv_output_shape(input_hw: tuple[int, int], kernel_size: Pair, *, stride: Pair = 1,
                      padding: Pair = 0, owner: str = "conv_output_shape") -> tuple[int, int]:
    """(H_out, W_out) for an (H, W) input; ValueError naming both shapes if the window does not fit."""
    (kh, kw), (sh, sw) = pair(kernel_size, "kernel_size", owner), pair(stride, "stride", owner)
    ph, pw = pair(padding, "padding", owner, minimum=0)
    H, W = input_hw
    if H + 2 * ph < kh or W + 2 * pw < kw:
        raise ValueError(f"{owner}: the {kh}x{kw} kernel does not fit the {H}x{W} input padded by "
                         f"({ph}, {pw}), which is {H + 2 * ph}x{W + 2 * pw}")
    return (conv_output_size(H, kh, stride=sh, padding=ph), conv_output_size(W, kw, stride=sw, padding=pw))


def check_images(x: Tensor, owner: str) -> None:
    """ValueError unless ``x`` is a batch of images (N, C, H, W)."""
    if x.ndim != 4:
        hint = "; add the batch axis with x.unsqueeze(0)" if x.ndim == 3 else ""
        raise ValueError(f"{owner} expects x of shape (N, C_in, H, W), got {tuple(x.shape)}{hint}")


def sliding_windows(x: Tensor, kernel_size: Pair, *, stride: Pair = 1, padding: Pair = 0,
                    pad_value: float = 0.0) -> Tensor:
    """Every kH x kW window of the padded ``x``: (N, C, H, W) -> (N, C, H_out, W_out, kH, kW).

    A strided view of the padded input (nothing is copied but the padding): window (i, j)
    starts at row s_h·i, column s_w·j. ``pad_value`` fills the border (−∞ for max pooling).
    """
    owner = "sliding_windows"
    check_images(x, owner)
    (kh, kw), (sh, sw) = pair(kernel_size, "kernel_size", owner), pair(stride, "stride", owner)
    ph, pw = pair(padding, "padding", owner, minimum=0)
    conv_output_shape((x.shape[2], x.shape[3]), (kh, kw), padding=(ph, pw), owner=owner)
    x = F.pad(x, (pw, pw, ph, ph), value=pad_value)  # (N, C, H + 2p_h, W + 2p_w)
    return x.unfold(2, kh, sh).unfold(3, kw, sw)  # (N, C, H_out, W_out, kH, kW)


def im2col(x: Tensor, kernel_size: Pair, *, stride: Pair = 1, padding: Pair = 0) -> Tensor:
    """The windows as the columns of a matrix: (N, C, H, W) -> (N, C·kH·kW, H_out·W_out).

    Column ``i·W_out + j`` holds window (i, j) read channel by channel, row by row: the
    layout of ``F.unfold``.
    """
    windows = sliding_windows(x, kernel_size, stride=stride, padding=padding)  # (N, C, Ho, Wo, kH, kW)
    N, C, Ho, Wo, kh, kw = windows.shape
    return windows.permute(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, Ho * Wo)  # (N, C·kH·kW, L)


def _check_conv(x: Tensor, weight: Tensor, bias: Tensor | None, owner: str) -> None:
    check_images(x, owner)
    if weight.ndim != 4:
        raise ValueError(f"{owner} expects weight of shape (C_out, C_in, kH, kW), got {tuple(weight.shape)}")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(f"{owner} expects x with C_in = {weight.shape[1]} channels for weight of shape "
                         f"{tuple(weight.shape)}, got x of shape {tuple(x.shape)}")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"{owner} expects bias of shape (C_out,) = ({weight.shape[0]},), "
                         f"got {tuple(bias.shape)}")
    if x.dtype != weight.dtype:
        raise ValueError(f"{owner} expects x and weight of one dtype, got {x.dtype} and {weight.dtype}")


def conv2d_loops(x: Tensor, weight: Tensor, bias: Tensor | None = None, *, stride: Pair = 1,
                 padding: Pair = 0) -> Tensor:
    """Cross-correlation from its definition, one output position (i, j) at a time.

    ``x`` (N, C_in, H, W), ``weight`` (C_out, C_in, kH, kW), ``bias`` (C_out,) or None ->
    (N, C_out, H_out, W_out). Slow (H_out·W_out small products), but each line is the formula.
    """
    owner = "conv2d_loops"
    _check_conv(x, weight, bias, owner)
    (sh, sw), (ph, pw) = pair(stride, "stride", owner), pair(padding, "padding", owner, minimum=0)
    N, C_out, (kh, kw) = x.shape[0], weight.shape[0], weight.shape[2:]
    Ho, Wo = conv_output_shape((x.shape[2], x.shape[3]), (kh, kw), stride=(sh, sw), padding=(ph, pw),
                               owner=owner)
    x = F.pad(x, (pw, pw, ph, ph))  # zeros around the image: (N, C_in, H + 2p_h, W + 2p_w)
    out = x.new_zeros(N, C_out, Ho, Wo)
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, sh * i: sh * i + kh, sw * j: sw * j + kw]  # (N, C_in, kH, kW)
            # out[n, o, i, j] = Σ_c Σ_u Σ_v w[o, c, u, v] · x_pad[n, c, s_h·i + u, s_w·j + v]
            out[:, :, i, j] = (window.unsqueeze(1) * weight).sum(dim=(2, 3, 4))  # (N, C_out)
    if bias is not None:
        out = out + bias.view(1, C_out, 1, 1)  # + b_o, the same for every position
    return out


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, *, stride: Pair = 1,
           padding: Pair = 0) -> Tensor:
    """Cross-correlation as one matrix product: ``W (C_out, C_in·kH·kW) @ im2col(x)``.

    ``x`` (N, C_in, H, W), ``weight`` (C_out, C_in, kH, kW), ``bias`` (C_out,) or None ->
    (N, C_out, H_out, W_out), the same numbers as ``F.conv2d(x, weight, bias, stride, padding)``.
    """
    _check_conv(x, weight, bias, "conv2d")
    N, C_out, (kh, kw) = x.shape[0], weight.shape[0], weight.shape[2:]
    Ho, Wo = conv_output_shape((x.shape[2], x.shape[3]), (kh, kw), stride=stride, padding=padding,
                               owner="conv2d")
    cols = im2col(x, (kh, kw), stride=stride, padding=padding)  # (N, C_in·kH·kW, L), L = Ho·Wo
    out = weight.reshape(C_out, -1) @ cols  # (C_out, C_in·kH·kW) @ (N, C_in·kH·kW, L) -> (N, C_out, L)
    if bias is not None:
        out = out + bias.view(1, C_out, 1)
    return out.view(N, C_out, Ho, Wo)


def convolve2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, *, stride: Pair = 1,
               padding: Pair = 0) -> Tensor:
    """True convolution: cross-correlation with the kernel turned 180° (flipped on both axes).

    (x ∗ w)[i, j] = Σ_u Σ_v x[i + u, j + v] · w[kH − 1 − u, kW − 1 − v]. Shapes as ``conv2d``.
    A learned filter would simply be learned flipped, which is why networks skip the flip.
    """
    return conv2d(x, weight.flip(-2, -1), bias, stride=stride, padding=padding)


class Window(NamedTuple):
    """One output cell of a single-channel cross-correlation, worked out."""

    window: Tensor  # (kH, kW) the input values under the kernel
    products: Tensor  # (kH, kW) window ⊙ kernel
    value: float  # Σ products, the output cell


def window_products(image: Tensor, kernel: Tensor, i: int, j: int, *, stride: int = 1,
                    padding: int = 0) -> Window:
    """Output cell (i, j) of ``image`` (H, W) cross-correlated with ``kernel`` (kH, kW), term by term.

    >>> window_products(LECTURE_IMAGE, LECTURE_KERNEL, 0, 0).value
    4.0
    """
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"window_products expects image (H, W) and kernel (kH, kW), got "
                         f"{tuple(image.shape)} and {tuple(kernel.shape)}")
    kh, kw = kernel.shape
    windows = sliding_windows(image[None, None], (kh, kw), stride=stride, padding=padding)
    Ho, Wo = windows.shape[2:4]
    if not (0 <= i < Ho and 0 <= j < Wo):
        raise ValueError(f"window_products expects 0 ≤ i < {Ho} and 0 ≤ j < {Wo}, got ({i}, {j})")
    window = windows[0, 0, i, j]  # (kH, kW)
    products = window * kernel  # (kH, kW)
    return Window(window, products, float(products.sum()))


class Conv2d(nn.Module):
    """A convolutional layer: ``C_out`` learned filters (C_in, kH, kW) and a bias each.

    ``forward(x (N, C_in, H, W)) -> (N, C_out, H_out, W_out)`` with ``conv2d`` (im2col).
    Initialised as ``nn.Conv2d``: every weight and bias drawn from U(−1/√fan_in, 1/√fan_in),
    fan_in = C_in·kH·kW, weight first, from ``generator`` if given (the global RNG untouched),
    else from the global RNG (so under one ``torch.manual_seed`` it draws torch's numbers).

    >>> layer = Conv2d(1, 6, 3, padding=1, generator=torch.Generator().manual_seed(0))
    >>> layer(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 6, 8, 8])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Pair, *, stride: Pair = 1,
                 padding: Pair = 0, bias: bool = True, generator: torch.Generator | None = None) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Conv2d expects {name} to be a positive int, got {value!r}")
        C_in, C_out = self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = pair(stride, "stride", "Conv2d")
        self.padding = pair(padding, "padding", "Conv2d", minimum=0)
        self.weight = nn.Parameter(torch.empty(C_out, C_in, *self.kernel_size))  # (C_out, C_in, kH, kW)
        self.bias = nn.Parameter(torch.empty(C_out)) if bias else None  # (C_out,)
        self.reset_parameters(generator)

    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        """Draw weight, then bias, from U(−1/√fan_in, 1/√fan_in), as ``nn.Conv2d`` does."""
        fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        # torch: kaiming_uniform_(a=√5), bound = gain·√(3/fan_in) with gain = √(2/(1 + 5)): 1/√fan_in
        bound = 1 / math.sqrt(fan_in)
        with torch.no_grad():
            for p in self.parameters():  # weight, bias
                p.uniform_(-bound, bound, generator=generator)

    def forward(self, x: Tensor) -> Tensor:
        return conv2d(x, self.weight, self.bias, stride=self.stride, padding=self.padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}"
                + ("" if self.bias is not None else ", bias=False"))
