"""The cost of dlbook.train.fit: its overhead against a bare hand-written PyTorch loop, and the
speed-up of 2 processes over 1 under torchrun (DDP, gloo, on the CPU), measured in one run.

    python benchmarks/train.py            # prints the table; writes benchmarks/results/train.txt

Overhead: the same model, data, optimizer (torch.optim.Adam) and global batch, trained by
``fit`` and by the plain loop below, alternated ``--repeats`` times after one warm-up run of
each; the medians are compared (goal: fit at most 5 % slower). Both run on one thread, and
the ratio is taken on the process's CPU time as well as on wall time: CPU time is not
inflated when other programs share the cores, so it is the steadier of the two on a busy
machine. The bare loop does what any honest training loop does: a fresh shuffle per epoch,
forward, loss, backward, step, and the epoch's mean loss via ``loss.item()``.

Speed-up: ``fit`` under ``torchrun --nproc_per_node=N`` for N = 1 and 2, one thread per process,
the same global batch, timed inside the processes (from the first epoch to the last, after a
warm-up epoch) so that process start-up and the rendezvous are not counted. It is measured
for a small and a large global batch (``--ddp-batch-sizes``): every step exchanges the whole
gradient between the processes, a cost that does not shrink with the batch, so data
parallelism pays only once each process has enough examples per step to work on.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlbook.mlp import MLP
from dlbook.train import FitConfig, fit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "train.txt"
OVERHEAD_GOAL = 0.05


def problem(n: int, d: int, classes: int, seed: int = 0) -> tuple[Tensor, Tensor]:
    """A synthetic classification set: X (n, d) Gaussian, y (n,) from a random linear teacher."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    y = (X @ torch.randn(d, classes, generator=g)).argmax(dim=1)
    return X, y


def model(d: int, hidden: int, classes: int) -> MLP:
    return MLP([d, hidden, hidden, classes], activation="relu", generator=torch.Generator().manual_seed(0))


def bare_loop(net: nn.Module, X: Tensor, y: Tensor, *, num_epochs: int, batch_size: int, lr: float,
              seed: int) -> list[float]:
    """The hand-written loop fit is measured against."""
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(num_epochs):
        total = 0.0
        for idx in torch.randperm(len(X), generator=g).split(batch_size):
            loss = F.cross_entropy(net(X[idx]), y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        losses.append(total / len(X))
    return losses


Timing = tuple[float, float]  # (wall seconds, CPU seconds of this process)


def timed(run: Callable[[], object]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def time_overhead(args: argparse.Namespace) -> tuple[list[Timing], list[Timing]]:
    """(wall, CPU) seconds of every fit run and every bare run, after one warm-up run of each."""
    X, y = problem(args.n, args.d, args.classes)
    config = FitConfig(num_epochs=args.epochs, batch_size=args.batch_size, lr=1e-3, device="cpu")

    def with_fit() -> None:
        net = model(args.d, args.hidden, args.classes)
        fit(net, (X, y), loss_fn=F.cross_entropy, config=config,
            optimizer=torch.optim.Adam(net.parameters(), lr=1e-3))

    def by_hand() -> None:
        net = model(args.d, args.hidden, args.classes)
        bare_loop(net, X, y, num_epochs=args.epochs, batch_size=args.batch_size, lr=1e-3, seed=0)

    with_fit(), by_hand()  # warm-up: allocator, kernels, lazy imports
    fit_runs, bare_runs = [], []
    for _ in range(args.repeats):  # alternate, so that drift in the machine's speed hits both alike
        fit_runs.append(timed(with_fit))
        bare_runs.append(timed(by_hand))
    return fit_runs, bare_runs


DDP_SCRIPT = """
    import json, os, sys, time, torch, torch.nn.functional as F
    sys.path.insert(0, {bench!r})
    from train import model, problem
    from dlbook.train import Callback, FitConfig, fit

    n, d, hidden, classes, epochs, batch_size = {n}, {d}, {hidden}, {classes}, {epochs}, {batch_size}
    X, y = problem(n, d, classes)

    class Clock(Callback):  # epoch end times; epoch 1 is the warm-up
        def on_fit_start(self, model): self.ends = []
        def on_epoch_end(self, epoch, logs):
            self.ends.append(time.perf_counter())
            return False

    clock = Clock()
    net = model(d, hidden, classes)
    fit(net, (X, y), loss_fn=F.cross_entropy, callbacks=[clock],
        config=FitConfig(num_epochs=epochs + 1, batch_size=batch_size, lr=1e-3, device="cpu"))
    if os.environ["RANK"] == "0":
        print("EPOCHS_SECONDS", json.dumps((clock.ends[-1] - clock.ends[0]) / epochs))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def time_processes(args: argparse.Namespace, nproc: int, batch_size: int) -> float:
    """Seconds per epoch of fit under torchrun with ``nproc`` processes of one thread each."""
    with tempfile.TemporaryDirectory(prefix="dlbook-ddp-") as tmp:
        script = Path(tmp) / "ddp_bench.py"
        script.write_text(textwrap.dedent(DDP_SCRIPT.format(
            bench=str(ROOT / "benchmarks"), n=args.ddp_n, d=args.d, hidden=args.hidden, classes=args.classes,
            epochs=args.ddp_epochs, batch_size=batch_size)))
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={nproc}",
               "--master_addr=127.0.0.1", f"--master_port={free_port()}", str(script)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"torchrun with {nproc} processes failed:\n{proc.stdout}{proc.stderr}")
        line = next(line for line in proc.stdout.splitlines() if line.startswith("EPOCHS_SECONDS"))
        return float(json.loads(line.split(maxsplit=1)[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8192, help="training examples")
    parser.add_argument("--d", type=int, default=64, help="input features")
    parser.add_argument("--hidden", type=int, default=256, help="units per hidden layer")
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=256, help="the global batch")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--ddp-n", type=int, default=16384, help="training examples of the DDP runs")
    parser.add_argument("--ddp-batch-sizes", type=int, nargs="+", default=[256, 2048],
                        help="global batches of the DDP runs")
    parser.add_argument("--ddp-epochs", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="torch threads of the overhead runs")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    fit_runs, bare_runs = time_overhead(args)
    ddp = [(b, time_processes(args, 1, b), time_processes(args, 2, b)) for b in args.ddp_batch_sizes]
    steps = args.epochs * -(-args.n // args.batch_size)
    med = [[statistics.median(t[k] for t in runs) for k in (0, 1)] for runs in (bare_runs, fit_runs)]
    (bare_wall, bare_cpu), (fit_wall, fit_cpu) = med
    overhead_cpu, overhead_wall = fit_cpu / bare_cpu - 1, fit_wall / bare_wall - 1

    lines = [
        f"fit vs a bare PyTorch loop: MLP {args.d}-{args.hidden}-{args.hidden}-{args.classes}, "
        f"{args.n} examples, batch {args.batch_size}, {args.epochs} epochs ({steps} steps), "
        f"Adam, {args.threads} thread(s), median of {args.repeats} alternated runs after a warm-up",
        f"{'':12}{'wall s':>9}{'CPU s':>9}{'ms/step (CPU)':>15}",
        f"  bare loop {bare_wall:9.3f}{bare_cpu:9.3f}{1e3 * bare_cpu / steps:15.3f}",
        f"  fit       {fit_wall:9.3f}{fit_cpu:9.3f}{1e3 * fit_cpu / steps:15.3f}",
        f"  overhead  {100 * overhead_wall:+8.2f}%{100 * overhead_cpu:+8.2f}%   goal: at most "
        f"+{100 * OVERHEAD_GOAL:.0f} % (CPU time): {'met' if overhead_cpu <= OVERHEAD_GOAL else 'NOT met'}",
        "",
        f"fit under torchrun (DDP, gloo, CPU, 1 thread per process), {args.ddp_n} examples, "
        f"seconds per epoch after a warm-up epoch ({os.cpu_count()} CPU cores on this machine)",
        f"  {'global batch':>12} {'1 process':>11} {'2 processes':>12} {'speed-up':>9}",
        *(f"  {b:12d} {one:9.3f} s {two:10.3f} s {one / two:8.2f}x" for b, one, two in ddp),
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text + "\n")


if __name__ == "__main__":
    main()
