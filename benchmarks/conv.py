"""dlbook's conv2d against F.conv2d on the convolutional-networks chapter's shapes, in one run.

    python benchmarks/conv.py            # prints the table; writes benchmarks/results/conv.txt

The chapter's LeNet reads batches of 8x8 digits: its first conv maps 1 channel to 6 on 8x8
maps, its second 6 to 16 on 4x4 maps, both with 3x3 kernels and padding 1. For each shape
the three implementations run alternated, ``--repeats`` times after a warm-up each, and the
medians are compared: ``F.conv2d`` (PyTorch's own kernel), ``dlbook.conv.conv2d`` (im2col:
a strided view, a copy into columns and one matrix product) and, on the chapter's small
shapes only, ``dlbook.conv.conv2d_loops`` (one product per output position). Each is timed
forward alone and forward + backward (the gradients of input, weight and bias, as in
training). One thread; times are the process's CPU time, which other programs on a shared
machine inflate less than wall time. The outputs are checked equal before anything is timed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from dlbook.conv import conv2d, conv2d_loops

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "conv.txt"


@dataclass(frozen=True)
class Shape:
    name: str
    N: int  # batch
    C_in: int
    C_out: int
    size: int  # H = W
    k: int = 3
    padding: int = 1
    loops: bool = True  # also time conv2d_loops (slow: only on small shapes)

    def __str__(self) -> str:
        return (f"{self.name}: N={self.N}, {self.C_in}->{self.C_out}, {self.size}x{self.size}, "
                f"k{self.k} p{self.padding}")


SHAPES = [
    Shape("conv1", 256, 1, 6, 8),
    Shape("conv2", 256, 6, 16, 4),
    Shape("larger", 64, 16, 32, 16, loops=False),  # beyond the chapter: where the gap grows
]
ConvFn = Callable[..., Tensor]
IMPLEMENTATIONS: dict[str, ConvFn] = {"F.conv2d": F.conv2d, "conv2d": conv2d, "conv2d_loops": conv2d_loops}


def inputs(shape: Shape) -> tuple[Tensor, Tensor, Tensor]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(shape.N, shape.C_in, shape.size, shape.size, generator=g, requires_grad=True)
    w = torch.randn(shape.C_out, shape.C_in, shape.k, shape.k, generator=g, requires_grad=True)
    b = torch.randn(shape.C_out, generator=g, requires_grad=True)
    return x, w, b


def step(fn: ConvFn, shape: Shape, x: Tensor, w: Tensor, b: Tensor, backward: bool) -> Callable[[], None]:
    def run() -> None:
        if backward:
            fn(x, w, b, padding=shape.padding).sum().backward()
            x.grad = w.grad = b.grad = None
        else:
            with torch.no_grad():
                fn(x, w, b, padding=shape.padding)

    return run


def cpu_ms(run: Callable[[], None]) -> float:
    start = time.process_time()
    run()
    return 1e3 * (time.process_time() - start)


def time_shape(shape: Shape, repeats: int) -> dict[tuple[str, bool], float]:
    """Median CPU milliseconds per call for each (implementation, with backward)."""
    x, w, b = inputs(shape)
    names = [n for n in IMPLEMENTATIONS if shape.loops or n != "conv2d_loops"]
    ref = F.conv2d(x, w, b, padding=shape.padding)
    for n in names:  # float32 sums in another order: equal to rounding
        out = IMPLEMENTATIONS[n](x, w, b, padding=shape.padding)
        torch.testing.assert_close(out, ref, rtol=1e-4, atol=1e-4)
    runs = {(n, bw): step(IMPLEMENTATIONS[n], shape, x, w, b, bw) for n in names for bw in (False, True)}
    for run in runs.values():  # warm-up: allocator, lazy initialisation
        run()
    times: dict[tuple[str, bool], list[float]] = {key: [] for key in runs}
    for _ in range(repeats):  # alternated, so a busy spell of the machine hits them all alike
        for key, run in runs.items():
            times[key].append(cpu_ms(run))
    return {key: statistics.median(t) for key, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    lines = [
        f"dlbook.conv against F.conv2d, float32, {args.threads} thread(s), median CPU ms per call of "
        f"{args.repeats} alternated runs after a warm-up; ratio = time / F.conv2d's time",
        f"  {'shape':<44}{'pass':<14}{'F.conv2d':>9}{'conv2d':>9}{'ratio':>7}{'loops':>9}{'ratio':>8}",
    ]
    for shape in SHAPES:
        medians = time_shape(shape, args.repeats)
        for backward in (False, True):
            ref, im2col = medians[("F.conv2d", backward)], medians[("conv2d", backward)]
            row = (f"  {str(shape):<44}{'fwd + bwd' if backward else 'forward':<14}"
                   f"{ref:9.3f}{im2col:9.3f}{im2col / ref:6.1f}x")
            if shape.loops:
                loops = medians[("conv2d_loops", backward)]
                row += f"{loops:9.2f}{loops / ref:7.0f}x"
            lines.append(row)
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text + "\n")


if __name__ == "__main__":
    main()
