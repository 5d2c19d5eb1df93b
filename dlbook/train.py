"""A reusable training loop: ``fit(model, data)`` with callbacks, on one process or several.

Used by the chapters of docs/training/ once a model is worth training for more than a few
lines. ``fit`` runs epochs of mini-batch steps (forward, loss, backward, optional gradient
clipping, optimizer step), logs the mean training and validation loss of every epoch, and
asks its callbacks (dlbook.callbacks, re-exported here) after each epoch whether to stop.
Started by ``torchrun``, the same call trains with DistributedDataParallel: each process
takes its share of every global batch, DDP averages the gradients, and the logged
numbers are averaged over processes.
Ref: Li et al. 2020, "PyTorch Distributed: Experiences on Accelerating Data Parallel Training".
"""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler, TensorDataset
from tqdm import tqdm  # text bar: tqdm.auto wants ipywidgets in notebooks and warns without them

from dlbook.callbacks import Callback, Checkpoint, EarlyStopping, rank
from dlbook.metrics import accuracy  # re-exported: fit's usual metric, written in dlbook.metrics
from dlbook.optim import Adam
from dlbook.utils import get_device, repeatable

__all__ = ["Callback", "Checkpoint", "EarlyStopping", "FitConfig", "History", "accuracy", "epoch_order",
           "fit"]

Data = tuple[Tensor, Tensor] | Dataset[tuple[Tensor, Tensor]]  # (X, y) tensors, or a Dataset of pairs
LossFn = Callable[[Tensor, Tensor], Tensor]  # (y_hat, y) -> scalar loss, the mean over the batch
Metric = Callable[[Tensor, Tensor], Tensor | float]  # (y_hat, y) -> mean over the batch
_Pairs = Dataset[Any]  # what fit works on inside: a Dataset of (X_i, y_i)


@dataclass(frozen=True)
class FitConfig:
    num_epochs: int = 10  # passes over the training data
    batch_size: int = 32  # GLOBAL examples per step, split evenly over the processes under torchrun
    lr: float = 1e-3  # learning rate of the default optimizer (Adam); unused when one is passed
    device: str = "auto"  # "auto" (dlbook.utils.get_device()), "cpu", "cuda", "cuda:1" or "mps"
    seed: int = 0  # seeds the shuffling order and torch's global RNG (dropout, ...)
    grad_clip: float | None = None  # clip the gradients' global L2 norm to this; None: no clipping
    mixed_precision: bool = False  # CUDA only: autocast to bf16 (fp16 + loss scaling if no bf16)
    shuffle: bool = True  # a fresh order every epoch (seed + epoch); False: the data's own order
    progress: bool = False  # a tqdm bar over the epochs (rank 0 only)

    def __post_init__(self) -> None:
        for name in ("num_epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"FitConfig expects {name} to be a positive int, got {value!r}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ValueError(f"FitConfig expects a non-negative int seed, got {self.seed!r}")
        if not (isinstance(self.lr, int | float) and self.lr >= 0):  # nan fails too
            raise ValueError(f"FitConfig expects lr >= 0, got {self.lr!r}")
        clip = self.grad_clip
        if clip is not None and not (isinstance(clip, int | float) and clip > 0):
            raise ValueError(f"FitConfig expects grad_clip > 0 or None, got {self.grad_clip!r}")
        if str(self.device).split(":", 1)[0] not in ("auto", "cpu", "cuda", "mps"):
            raise ValueError(f"FitConfig expects device 'auto', 'cpu', 'cuda[:N]' or 'mps', "
                             f"got {self.device!r}")


@dataclass
class History:
    """What ``fit`` logged, one entry per epoch run (epoch 1 is the first)."""

    train_loss: list[float] = field(default_factory=list)  # mean loss over the epoch's training batches
    val_loss: list[float] = field(default_factory=list)  # after the epoch; empty without val_data
    metrics: dict[str, list[float]] = field(default_factory=dict)  # "acc" on train batches, "val_acc"
    epochs_run: int = 0
    stopped_early: bool = False  # a callback asked to stop before num_epochs


def _as_dataset(data: Data, what: str) -> _Pairs:
    """``(X, y)`` becomes a TensorDataset after checks on lengths and devices; a Dataset passes."""
    if isinstance(data, Dataset):
        if not hasattr(data, "__len__"):
            raise TypeError(f"fit expects {what} to have a length (define __len__)")
        return data
    if not (isinstance(data, tuple | list) and len(data) == 2 and all(isinstance(t, Tensor) for t in data)):
        raise TypeError(f"fit expects {what} as (X, y) tensors or a torch Dataset, got {type(data).__name__}")
    X, y = data
    if X.device != y.device:
        raise ValueError(f"fit expects X and y of {what} on one device, got X on {X.device} "
                         f"and y on {y.device}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"fit expects X and y of {what} with as many rows, got {X.shape[0]} "
                         f"and {y.shape[0]}")
    return TensorDataset(X, y)


def _check_devices(model: nn.Module, datasets: Sequence[_Pairs],
                   device: torch.device, asked: str) -> None:
    """Tensors on the CPU get moved to ``device``; tensors anywhere else must already be there."""
    tensors = [*model.parameters(), *model.buffers()]
    tensors += [t for d in datasets if isinstance(d, TensorDataset) for t in d.tensors]
    for t in tensors:
        if t.device.type != "cpu" and t.device != device:
            kind = "the model's parameters" if any(t is p for p in model.parameters()) else "the data"
            raise ValueError(f"{kind} are on {t.device} but training runs on {device} (device={asked!r}); "
                             f"move them with .to({str(device)!r}) or set "
                             f"FitConfig(device={str(t.device)!r})")


def epoch_order(n: int, *, world: int = 1, rank: int = 0, shuffle: bool = True, seed: int = 0,
                epoch: int = 0) -> Tensor:
    """The indices process ``rank`` of ``world`` visits in ``epoch``, as a (ceil(n / world),) tensor.

    The same order as ``list(DistributedSampler(...))`` with ``set_epoch(epoch)``: a permutation
    drawn from ``seed + epoch``, padded with its own head to a multiple of ``world``, then every
    ``world``-th index from ``rank``. Built as a tensor, without the sampler's Python list.
    """
    if shuffle:
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed + epoch))
    else:
        order = torch.arange(n)
    total = -(-n // world) * world  # n rounded up to a multiple of world
    if total > n:
        order = order.repeat(-(-total // n))[:total]  # pad with the head, as DistributedSampler does
    return order[rank:total:world]


def _batches(data: _Pairs, sampler: DistributedSampler[int], batch_size: int,
             device: torch.device) -> Iterator[tuple[Tensor, Tensor]]:
    """This process's batches, in the sampler's order, moved to ``device``."""
    if isinstance(data, TensorDataset) and len(data.tensors) == 2:  # fast path: index whole batches
        X, y = data.tensors
        order = epoch_order(len(X), world=sampler.num_replicas, rank=sampler.rank, shuffle=sampler.shuffle,
                            seed=sampler.seed, epoch=sampler.epoch)
        for idx in order.split(batch_size):
            yield X[idx].to(device), y[idx].to(device)
    else:
        for X, y in DataLoader(data, batch_size=batch_size, sampler=sampler):
            yield X.to(device), y.to(device)


def _run_epoch(model: nn.Module, batches: Iterator[tuple[Tensor, Tensor]], loss_fn: LossFn,
               metrics: Mapping[str, Metric], *, epoch: int, step: Callable[[Tensor], None] | None,
               autocast: Callable[[], contextlib.AbstractContextManager[object]],
               device: torch.device) -> list[float]:
    """Mean loss and metrics over one pass, weighted by batch size and averaged over processes.

    ``step`` (backward and update) is called with every batch's loss; None evaluates only.
    """
    sums, n = [0.0] * (1 + len(metrics)), 0  # Σ_b |b|·loss_b, Σ_b |b|·metric_b;  n = Σ_b |b|
    distributed = dist.is_available() and dist.is_initialized()
    for batch, (X, y) in enumerate(batches, start=1):
        with autocast():
            y_hat = model(X)
            loss = loss_fn(y_hat, y)
        if loss.ndim != 0:
            raise ValueError(f"fit expects loss_fn to return a scalar, got shape {tuple(loss.shape)}")
        value = checked = loss.item()
        if step is not None:  # training: stop on a non-finite loss (validation just logs it)
            if distributed:  # a sum over ranks, so that every rank sees it and all stop together
                dist.all_reduce(shared := torch.tensor([value], device=device))
                checked = shared.item()
            if not math.isfinite(checked):
                raise FloatingPointError(f"loss became {checked} at epoch {epoch}, batch {batch}")
            step(loss)
        sums[0] += value * len(X)
        with torch.no_grad():
            for i, metric in enumerate(metrics.values(), start=1):
                sums[i] += float(metric(y_hat.detach(), y)) * len(X)
        n += len(X)
    if distributed:
        total = torch.tensor([*sums, n], dtype=torch.float64, device=device)
        dist.all_reduce(total)
        *sums, n = total.tolist()
    return [s / n for s in sums]


def fit(model: nn.Module, train_data: Data, *, loss_fn: LossFn, config: FitConfig | None = None,
        optimizer: torch.optim.Optimizer | None = None, val_data: Data | None = None,
        metrics: Mapping[str, Metric] | None = None, callbacks: Sequence[Callback] = ()) -> History:
    """Train ``model`` in place on ``train_data`` and return the per-epoch ``History``.

    Data is ``(X, y)`` tensors (X: (N, ...), y: (N, ...)) or a Dataset of ``(X_i, y_i)`` pairs;
    ``loss_fn(y_hat, y)`` returns the batch mean. ``optimizer`` defaults to ``dlbook.optim.Adam``
    with ``config.lr``. A model or data on the CPU is moved to the training device; one already
    on another device must be on that device. ``metrics`` (name -> ``f(y_hat, y)``) are logged
    for the training batches as ``name`` and for ``val_data`` as ``val_name``. Under torchrun
    (WORLD_SIZE > 1) the model is wrapped in DDP and each process takes ``batch_size //
    world_size`` examples of every global batch; callers write the same code either way.

    Global state: ``fit`` leaves the process as it found it. It trains inside
    ``dlbook.utils.repeatable(config.seed, device=...)``, which seeds Python's ``random``, NumPy's
    global RNG, torch's CPU generator and the generator of the CUDA or MPS device it trains on with
    ``config.seed`` (dropout draws from these, and so may ``loss_fn``, the data and callbacks; the
    shuffling order has its own ``torch.Generator``, seeded with ``config.seed + epoch``), and turns
    on ``torch.use_deterministic_algorithms(True, warn_only=True)``, ``cudnn.benchmark = False``
    and ``CUBLAS_WORKSPACE_CONFIG=":4096:8"`` (if unset). When ``fit`` returns or raises, these
    switches, ``cudnn.deterministic`` and ``torch.get_num_threads()`` are put back, and every one of
    those generators is restored to its state before the call: neither reseeded nor advanced. So
    the same ``config`` gives the same history and weights whatever the caller drew before, and the
    caller draws the same numbers after ``fit`` as without it. Not put back: the generators of a
    CUDA device other than the training one that CUDA first creates during the call, and cuBLAS
    handles created during the call, which keep the workspace setting they were created with.
    ``fit`` initialises no weights: seed the model's construction yourself.
    """
    config, metrics = config or FitConfig(), dict(metrics or {})
    train = _as_dataset(train_data, "train_data")
    val = None if val_data is None else _as_dataset(val_data, "val_data")
    world = dist.get_world_size() if dist.is_available() and dist.is_initialized() else \
        int(os.environ.get("WORLD_SIZE", "1"))
    n_train = len(train)  # type: ignore[arg-type]
    if config.batch_size > n_train:
        raise ValueError(f"FitConfig.batch_size={config.batch_size} is larger than the training set "
                         f"({n_train} examples); use at most {n_train}")
    if config.batch_size % world:
        raise ValueError(f"FitConfig.batch_size={config.batch_size} is the global batch and must split "
                         f"evenly over {world} processes")
    device = get_device(None if config.device == "auto" else config.device)
    if device.type == "cuda" and device.index is None:  # each process on its own GPU
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", torch.cuda.current_device())))
    _check_devices(model, [train] if val is None else [train, val], device, config.device)
    created = world > 1 and not dist.is_initialized()
    if created:  # env:// reads RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT, as torchrun sets them
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    try:
        with repeatable(config.seed, device=device):  # seeded inside, the caller's state put back after
            return _fit(model, train, val, loss_fn, config, optimizer, metrics, callbacks, device, world)
    finally:
        if created:
            dist.destroy_process_group()


def _fit(model: nn.Module, train: _Pairs, val: _Pairs | None,
         loss_fn: LossFn, config: FitConfig, optimizer: torch.optim.Optimizer | None,
         metrics: dict[str, Metric], callbacks: Sequence[Callback], device: torch.device,
         world: int) -> History:
    this_rank, was_training = rank(), model.training
    model.to(device)
    net = model if world == 1 else DistributedDataParallel(model, device_ids=[device] if device.type == "cuda"
                                                           else None)
    optimizer = optimizer or Adam(model.parameters(), lr=config.lr)
    amp_dtype = None
    if config.mixed_precision and device.type == "cuda":
        amp_dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    elif config.mixed_precision:
        warnings.warn(f"mixed_precision is ignored on {device}: fit autocasts on CUDA only", stacklevel=3)
    # fp16 gradients underflow, so its loss is scaled: ∇(s·L) = s·∇L. Disabled, the scaler passes through.
    scaler = torch.amp.GradScaler("cuda", enabled=amp_dtype is torch.float16)

    def autocast() -> contextlib.AbstractContextManager[object]:
        return contextlib.nullcontext() if amp_dtype is None else torch.autocast("cuda", dtype=amp_dtype)

    def step(loss: Tensor) -> None:
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()  # under DDP, gradients arrive averaged: ḡ = (1/W) Σ_r g_r
        scaler.unscale_(optimizer)  # back to ∇L before clipping
        if config.grad_clip is not None:
            # g ← g · min(1, c / ‖g‖₂), ‖g‖₂ over all parameters together
            nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        scaler.step(optimizer)  # with fp16, skipped when the gradients hold inf or nan
        scaler.update()

    per_rank = config.batch_size // world
    sampler: DistributedSampler[int] = DistributedSampler(train, num_replicas=world, rank=this_rank,
                                                          shuffle=config.shuffle, seed=config.seed)
    val_sampler: DistributedSampler[int] | None = None
    if val is not None:  # every rank evaluates a 1/W share; DistributedSampler pads it with repeats
        val_sampler = DistributedSampler(val, num_replicas=world, rank=this_rank, shuffle=False)
    for cb in callbacks:
        cb.on_fit_start(model)
    logged = [*metrics, *([f"val_{k}" for k in metrics] if val is not None else [])]
    history = History(metrics={k: [] for k in logged})
    bar = tqdm(total=config.num_epochs, unit="epoch", disable=not config.progress or this_rank != 0)
    for epoch in range(1, config.num_epochs + 1):
        sampler.set_epoch(epoch)  # one replica or many, the order depends on (seed, epoch) alone
        net.train()
        means = _run_epoch(net, _batches(train, sampler, per_rank, device), loss_fn, metrics,
                           epoch=epoch, step=step, autocast=autocast, device=device)
        logs = {"train_loss": means[0], **dict(zip(metrics, means[1:], strict=True))}
        if val is not None and val_sampler is not None:
            model.eval()
            with torch.no_grad():  # the bare model: no DDP collectives while evaluating
                means = _run_epoch(model, _batches(val, val_sampler, per_rank, device), loss_fn, metrics,
                                   epoch=epoch, step=None, autocast=autocast, device=device)
            logs |= {"val_loss": means[0], **{f"val_{k}": m for k, m in zip(metrics, means[1:], strict=True)}}
        history.train_loss.append(logs["train_loss"])
        if "val_loss" in logs:
            history.val_loss.append(logs["val_loss"])
        for k, values in history.metrics.items():
            values.append(logs[k])
        history.epochs_run = epoch
        bar.set_postfix(logs, refresh=False)
        bar.update()
        stops = [cb.on_epoch_end(epoch, logs) for cb in callbacks]  # every callback sees every epoch
        if any(stops) and epoch < config.num_epochs:
            history.stopped_early = True
            break
    bar.close()
    model.train(was_training)
    return history
