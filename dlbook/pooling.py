"""Max and average pooling: each window of each channel summarised by one number.

Taught in docs/architectures/convolutional-networks/. Pooling slides a kH x kW window over
every channel on its own (no weights, channels unchanged) in steps of ``stride``, which
defaults to the window size so that windows tile the image, and keeps the window's
maximum or mean. ``max_pool2d`` and ``avg_pool2d`` work on all windows at once (the strided
view of dlbook.conv.sliding_windows); ``pool2d_loops`` visits one output position at a
time, to be read. Padding is as in torch: max pooling pads with −∞ (padding never wins),
average pooling with zeros that count in the mean (``count_include_pad=True``), and neither
pads by more than half the window. tests/library/test_pooling.py checks them against
``F.max_pool2d`` and ``F.avg_pool2d``, values and gradients, in float64.

>>> max_pool2d(LECTURE_POOL_INPUT[None, None], 2)
tensor([[[[4.]]]])
"""

from __future__ import annotations

import math
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlbook.conv import Pair, check_images, conv_output_shape, pair, sliding_windows

__all__ = ["LECTURE_POOL_INPUT", "AvgPool2d", "MaxPool2d", "avg_pool2d", "max_pool2d", "pool2d_loops"]

LECTURE_POOL_INPUT = torch.tensor([[1.0, 3.0],
                                   [2.0, 4.0]])  # (2, 2): the lectures' max-pooling example

PoolMode = Literal["max", "avg"]


def _geometry(x: Tensor, kernel_size: Pair, stride: Pair | None, padding: Pair, owner: str
              ) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """Checked (kernel, stride, padding) pairs; the stride defaults to the kernel."""
    check_images(x, owner)
    k = pair(kernel_size, "kernel_size", owner)
    s = k if stride is None else pair(stride, "stride", owner)
    p = pair(padding, "padding", owner, minimum=0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"{owner} expects padding at most half the {k[0]}x{k[1]} window, "
                         f"({k[0] // 2}, {k[1] // 2}), got {p}")
    conv_output_shape((x.shape[2], x.shape[3]), k, stride=s, padding=p, owner=owner)
    return k, s, p


def max_pool2d(x: Tensor, kernel_size: Pair, *, stride: Pair | None = None, padding: Pair = 0) -> Tensor:
    """The maximum of each window: (N, C, H, W) -> (N, C, H_out, W_out), as ``F.max_pool2d``.

    The gradient goes to the one input that won its window (the others had no effect).
    """
    k, s, p = _geometry(x, kernel_size, stride, padding, "max_pool2d")
    windows = sliding_windows(x, k, stride=s, padding=p, pad_value=-math.inf)  # (N, C, Ho, Wo, kH, kW)
    # m[n, c, i, j] = max_{u,v} x_pad[n, c, s_h·i + u, s_w·j + v]
    return windows.flatten(-2).max(dim=-1).values  # (N, C, Ho, Wo)


def avg_pool2d(x: Tensor, kernel_size: Pair, *, stride: Pair | None = None, padding: Pair = 0) -> Tensor:
    """The mean of each window: (N, C, H, W) -> (N, C, H_out, W_out), as ``F.avg_pool2d``.

    Every input of a window gets 1/(kH·kW) of the window's gradient.
    """
    k, s, p = _geometry(x, kernel_size, stride, padding, "avg_pool2d")
    windows = sliding_windows(x, k, stride=s, padding=p)  # (N, C, Ho, Wo, kH, kW), zeros in the padding
    return windows.mean(dim=(-2, -1))  # a[n, c, i, j] = 1/(kH·kW) Σ_{u,v} x_pad[n, c, s_h·i + u, s_w·j + v]


def pool2d_loops(x: Tensor, kernel_size: Pair, *, mode: PoolMode = "max", stride: Pair | None = None,
                 padding: Pair = 0) -> Tensor:
    """Max (``mode="max"``) or average pooling written out, one output position (i, j) at a time."""
    if mode not in ("max", "avg"):
        raise ValueError(f"pool2d_loops expects mode 'max' or 'avg', got {mode!r}")
    (kh, kw), (sh, sw), (ph, pw) = _geometry(x, kernel_size, stride, padding, "pool2d_loops")
    Ho, Wo = conv_output_shape((x.shape[2], x.shape[3]), (kh, kw), stride=(sh, sw), padding=(ph, pw))
    x = F.pad(x, (pw, pw, ph, ph), value=-math.inf if mode == "max" else 0.0)  # (N, C, H + 2p_h, W + 2p_w)
    out = x.new_zeros(x.shape[0], x.shape[1], Ho, Wo)
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, sh * i: sh * i + kh, sw * j: sw * j + kw]  # (N, C, kH, kW)
            # max_{u,v} or 1/(kH·kW) Σ_{u,v} of x_pad[n, c, s_h·i + u, s_w·j + v], for all n, c
            out[:, :, i, j] = window.amax(dim=(2, 3)) if mode == "max" else window.mean(dim=(2, 3))
    return out


class _Pool2d(nn.Module):
    """Pooling as a layer, for nn.Sequential and for dlbook.receptive_field."""

    def __init__(self, kernel_size: Pair, *, stride: Pair | None = None, padding: Pair = 0) -> None:
        super().__init__()
        name = type(self).__name__
        self.kernel_size = pair(kernel_size, "kernel_size", name)
        self.stride = self.kernel_size if stride is None else pair(stride, "stride", name)
        self.padding = pair(padding, "padding", name, minimum=0)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """``max_pool2d`` as a layer: (N, C, H, W) -> (N, C, H_out, W_out).

    >>> MaxPool2d(2)(torch.arange(16.0).view(1, 1, 4, 4))
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """

    def forward(self, x: Tensor) -> Tensor:
        return max_pool2d(x, self.kernel_size, stride=self.stride, padding=self.padding)


class AvgPool2d(_Pool2d):
    """``avg_pool2d`` as a layer: (N, C, H, W) -> (N, C, H_out, W_out)."""

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool2d(x, self.kernel_size, stride=self.stride, padding=self.padding)
