"""Traced convolution and max pooling: every number of a kernel sliding over a small image
and of a pooling window tiling a feature map, for the scenes in
animations/convolutional_networks.py.

Taught in docs/architectures/convolutional-networks/. ``trace_convolution`` works the
lectures' 5x5 image and 3x3 kernel out position by position, each output cell the sum
of the window's products with the kernel,

    out[i, j] = Σ_u Σ_v x_pad[s·i + u, s·j + v] · k[u, v],

with the windows and products from dlbook.conv.window_products and the output from
dlbook.conv.conv2d. ``trace_max_pool`` keeps the largest value of each window and where
it sits, with the output from dlbook.pooling.max_pool2d; its default input,
``POOL_EXAMPLE``, is a 4x4 map whose top-left window is the lectures' [[1, 3], [2, 4]].
A trace is a frozen dataclass of plain floats, its captions keyed as in dlbook.trace;
tests/library/test_conv_trace.py checks every number against torch.nn.functional.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from dlbook.conv import LECTURE_IMAGE, LECTURE_KERNEL, conv2d, sliding_windows, window_products
from dlbook.pooling import max_pool2d
from dlbook.trace import Step, _Captioned, _formatters

__all__ = ["POOL_EXAMPLE", "ConvTrace", "MaxPoolTrace", "trace_convolution", "trace_max_pool"]

Grid = tuple[tuple[float, ...], ...]  # a small 2-d array of plain floats, row by row

# A 4x4 feature map for 2x2 max pooling: its top-left window is dlbook.pooling.LECTURE_POOL_INPUT,
# each window has one largest value, and the four winners sit in four different corners.
POOL_EXAMPLE = torch.tensor([[1.0, 3, 0, 2],
                             [2, 4, 1, 1],
                             [5, 0, 2, 1],
                             [1, 2, 6, 0]])  # (4, 4)


def _grid(t: Tensor) -> Grid:
    return tuple(tuple(float(v) for v in row) for row in t.tolist())


def _rows(grid: Grid, n: Callable[[float], str]) -> str:
    """``[4, 3, 4], [2, 4, 3], ...``: a grid's rows as a caption prints them."""
    return ", ".join("[" + ", ".join(n(v) for v in row) + "]" for row in grid)


def _output_size(in_hw: tuple[int, int], k_hw: tuple[int, int], s: int, p: int,
                 out_hw: tuple[int, int]) -> str:
    """out = ⌊(n + 2p − k)/s⌋ + 1 spelled out, once if both axes agree, else per axis."""
    def one(n: int, k: int, out: int) -> str:
        pad = f" + 2·{p}" if p else ""
        return f"⌊({n}{pad} − {k})/{s}⌋ + 1 = {out}"

    (H, W), (kh, kw), (Ho, Wo) = in_hw, k_hw, out_hw
    if (H, kh) == (W, kw):
        return f"{one(H, kh, Ho)} positions per axis, a {Ho}x{Wo} output"
    return f"{one(H, kh, Ho)} rows and {one(W, kw, Wo)} columns, a {Ho}x{Wo} output"


@dataclass(frozen=True)
class ConvTrace(_Captioned):
    """A single-channel cross-correlation (a conv layer's one filter, no bias), cell by cell.

    ``windows[i][j]`` is the (kH, kW) block of the zero-padded image under the kernel at
    output position (i, j), ``products[i][j]`` that block times the kernel, element by
    element, and ``output[i][j]`` their sum. Its steps are keyed ``output_size``,
    ``out_0_0``, ``out_0_1``, ... (row by row) and ``output``.
    """

    image: Grid  # x (H, W), before padding
    kernel: Grid  # k (kH, kW)
    stride: int  # s, the step between two positions, on both axes
    padding: int  # p, the zeros added on every side
    windows: tuple[tuple[Grid, ...], ...]  # (H_out, W_out) windows of (kH, kW)
    products: tuple[tuple[Grid, ...], ...]  # windows ⊙ kernel, (H_out, W_out) of (kH, kW)
    output: Grid  # out (H_out, W_out): the sum of each window's products

    @property
    def image_shape(self) -> tuple[int, int]:
        return len(self.image), len(self.image[0])

    @property
    def kernel_shape(self) -> tuple[int, int]:
        return len(self.kernel), len(self.kernel[0])

    @property
    def out_shape(self) -> tuple[int, int]:
        return len(self.output), len(self.output[0])

    def origin(self, i: int, j: int) -> tuple[int, int]:
        """The image's (row, column) under the kernel's top-left cell at output (i, j);
        negative or past the edge where that cell lies in the padding."""
        return self.stride * i - self.padding, self.stride * j - self.padding

    def keyed_steps(self, *, digits: int = 4) -> list[Step]:
        """The output's size, one caption per output cell, then the output, e.g.
        ``Step("out_0_0", "out[0, 0] = 1·1 + 1·0 + 1·1 + 0·0 + 1·1 + 1·0 + 0·1 + 0·0 + 1·1 = 4")``."""
        n, o = _formatters(digits)
        (H, W), (kh, kw), (Ho, Wo) = self.image_shape, self.kernel_shape, self.out_shape
        s, p = self.stride, self.padding
        lines = [Step("output_size", f"a {kh}x{kw} kernel on a {H}x{W} image, stride {s}, padding {p}: "
                                     + _output_size((H, W), (kh, kw), s, p, (Ho, Wo)))]
        for i in range(Ho):
            for j in range(Wo):
                terms = " + ".join(f"{o(x)}·{o(k)}" for x_row, k_row in zip(self.windows[i][j], self.kernel,
                                                                             strict=True)
                                   for x, k in zip(x_row, k_row, strict=True))
                lines.append(Step(f"out_{i}_{j}", f"out[{i}, {j}] = {terms} = {n(self.output[i][j])}"))
        lines.append(Step("output", f"the {Ho}x{Wo} output, row by row: {_rows(self.output, n)}"))
        return lines


@dataclass(frozen=True)
class MaxPoolTrace(_Captioned):
    """Max pooling of one channel, window by window, and which input won each window.

    ``winners[i][j]`` is the (row, column) of x holding window (i, j)'s maximum, the first
    in reading order if several tie. Its steps are keyed ``output_size``, ``out_0_0``,
    ``out_0_1``, ... (row by row) and ``output``.
    """

    x: Grid  # (H, W), the feature map
    kernel_size: int  # k: the windows are k x k
    stride: int  # s, the step between windows (k by default, so that they tile x)
    windows: tuple[tuple[Grid, ...], ...]  # (H_out, W_out) windows of (k, k)
    output: Grid  # (H_out, W_out): the maximum of each window
    winners: tuple[tuple[tuple[int, int], ...], ...]  # (H_out, W_out) positions in x

    @property
    def in_shape(self) -> tuple[int, int]:
        return len(self.x), len(self.x[0])

    @property
    def out_shape(self) -> tuple[int, int]:
        return len(self.output), len(self.output[0])

    def keyed_steps(self, *, digits: int = 4) -> list[Step]:
        """The output's size, one caption per window, then the output, e.g.
        ``Step("out_0_0", "out[0, 0] = max(1, 3, 2, 4) = 4, at x[1, 1]")``."""
        n, _ = _formatters(digits)
        (H, W), (Ho, Wo), k, s = self.in_shape, self.out_shape, self.kernel_size, self.stride
        lines = [Step("output_size", f"a {k}x{k} window in steps of {s} on the {H}x{W} map: "
                                     + _output_size((H, W), (k, k), s, 0, (Ho, Wo)))]
        for i in range(Ho):
            for j in range(Wo):
                values = ", ".join(n(v) for row in self.windows[i][j] for v in row)
                r, c = self.winners[i][j]
                lines.append(Step(f"out_{i}_{j}", f"out[{i}, {j}] = max({values}) = {n(self.output[i][j])}, "
                                                  f"at x[{r}, {c}]"))
        lines.append(Step("output", f"the {Ho}x{Wo} output, row by row: {_rows(self.output, n)}: "
                                    f"{Ho * Wo} of the {H * W} values, the largest of each window"))
        return lines


def _matrix(value: Tensor, name: str, owner: str) -> Tensor:
    """``value`` as a finite (H, W) float64 tensor; ValueError naming what was expected."""
    if not isinstance(value, Tensor) or value.ndim != 2 or value.numel() == 0:
        shape = tuple(value.shape) if isinstance(value, Tensor) else type(value).__name__
        raise ValueError(f"{owner} expects {name} as a non-empty 2-d tensor (H, W), got {shape}")
    if not torch.isfinite(value).all():
        raise ValueError(f"{owner} expects {name} to hold finite numbers, got {value.tolist()!r}")
    return value.double()


def trace_convolution(image: Tensor = LECTURE_IMAGE, kernel: Tensor = LECTURE_KERNEL, *, stride: int = 1,
                      padding: int = 0) -> ConvTrace:
    """Cross-correlate ``image`` (H, W) with ``kernel`` (kH, kW) and record every window, product
    and output cell. The defaults are the lectures' example.

    >>> t = trace_convolution()
    >>> t.output
    ((4.0, 3.0, 4.0), (2.0, 4.0, 3.0), (2.0, 3.0, 4.0))
    >>> t.products[0][0]
    ((1.0, 0.0, 1.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    """
    x, k = _matrix(image, "image", "trace_convolution"), _matrix(kernel, "kernel", "trace_convolution")
    for name, v, least in (("stride", stride, 1), ("padding", padding, 0)):
        if not isinstance(v, int) or isinstance(v, bool) or v < least:
            raise ValueError(f"trace_convolution expects {name} to be an int ≥ {least}, got {v!r}")
    out = conv2d(x[None, None], k[None, None], stride=stride, padding=padding)[0, 0]  # (H_out, W_out)
    Ho, Wo = out.shape
    cells = [[window_products(x, k, i, j, stride=stride, padding=padding) for j in range(Wo)]
             for i in range(Ho)]
    return ConvTrace(
        image=_grid(x), kernel=_grid(k), stride=stride, padding=padding,
        windows=tuple(tuple(_grid(c.window) for c in row) for row in cells),
        products=tuple(tuple(_grid(c.products) for c in row) for row in cells),
        output=_grid(out),
    )


def trace_max_pool(x: Tensor = POOL_EXAMPLE, *, kernel_size: int = 2,
                   stride: int | None = None) -> MaxPoolTrace:
    """Max-pool ``x`` (H, W) with k x k windows in steps of ``stride`` (default k) and record every
    window, its maximum and where that maximum sits. No padding: every window lies inside x.

    >>> t = trace_max_pool()
    >>> t.output, t.winners
    (((4.0, 2.0), (5.0, 6.0)), (((1, 1), (0, 3)), ((2, 0), (3, 2))))
    """
    x = _matrix(x, "x", "trace_max_pool")
    k = kernel_size
    s = k if stride is None else stride
    for name, v in (("kernel_size", k), ("stride", s)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(f"trace_max_pool expects {name} to be an int ≥ 1, got {v!r}")
    H, W = x.shape
    if k > H or k > W:
        raise ValueError(f"trace_max_pool: a {k}x{k} window does not fit the {H}x{W} map")
    out = max_pool2d(x[None, None], k, stride=s)[0, 0]  # (H_out, W_out)
    windows = sliding_windows(x[None, None], k, stride=s)[0, 0]  # (H_out, W_out, k, k)
    Ho, Wo = out.shape
    first = windows.flatten(-2).argmax(dim=-1)  # (H_out, W_out): the first maximum, in reading order
    winners = tuple(tuple((s * i + int(first[i, j]) // k, s * j + int(first[i, j]) % k) for j in range(Wo))
                    for i in range(Ho))
    return MaxPoolTrace(x=_grid(x), kernel_size=k, stride=s,
                        windows=tuple(tuple(_grid(windows[i, j]) for j in range(Wo)) for i in range(Ho)),
                        output=_grid(out), winners=winners)
