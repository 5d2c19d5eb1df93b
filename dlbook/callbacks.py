"""Callbacks for ``dlbook.train.fit``: hooks run at the start of training and after every epoch.

Taught in docs/training/overfitting (early stopping, keeping the best weights). A callback
sees each epoch's logs ("train_loss", "val_loss" and the metrics) and may ask ``fit`` to
stop. Under torchrun every process runs the callbacks on the same averaged logs, so they
all stop together; only rank 0 writes files.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import torch
import torch.distributed as dist
from torch import nn

from dlbook.utils import atomic_write

__all__ = ["Callback", "Checkpoint", "EarlyStopping", "rank"]


class Callback(Protocol):
    """Hooks ``fit`` calls; subclass it to inherit the do-nothing defaults."""

    def on_fit_start(self, model: nn.Module) -> None:
        """Called once before training with the model itself (never its DDP wrapper)."""

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> bool:
        """Called after every epoch with that epoch's logs; return True to stop training."""
        return False


class _Monitor(Callback):
    """Shared by the callbacks that follow one logged number and remember its best value."""

    def __init__(self, owner: str, monitor: str, mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"{owner} expects mode 'min' or 'max', got {mode!r}")
        self.owner, self.monitor, self.mode = owner, monitor, mode
        self.best, self.best_epoch = math.nan, 0

    def on_fit_start(self, model: nn.Module) -> None:
        self.best, self.best_epoch = (math.inf if self.mode == "min" else -math.inf), 0

    def _improved(self, epoch: int, logs: Mapping[str, float], min_delta: float = 0.0) -> bool:
        """Whether ``logs[monitor]`` beats the best so far by more than ``min_delta`` (then remember it)."""
        if self.monitor not in logs:
            raise KeyError(f"{self.owner} monitors {self.monitor!r}, but the logs only have {sorted(logs)}; "
                           "pass val_data to fit or monitor another key")
        value = logs[self.monitor]
        better = value < self.best - min_delta if self.mode == "min" else value > self.best + min_delta
        if better:
            self.best, self.best_epoch = value, epoch
        return better


class EarlyStopping(_Monitor):
    """Stop once ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs."""

    def __init__(self, *, monitor: str = "val_loss", patience: int = 3, min_delta: float = 0.0,
                 mode: str = "min") -> None:
        super().__init__("EarlyStopping", monitor, mode)
        if not isinstance(patience, int) or isinstance(patience, bool) or patience < 1:
            raise ValueError(f"EarlyStopping expects patience to be a positive int, got {patience!r}")
        if not min_delta >= 0:
            raise ValueError(f"EarlyStopping expects min_delta >= 0, got {min_delta!r}")
        self.patience, self.min_delta = patience, min_delta

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> bool:
        self._improved(epoch, logs, self.min_delta)
        return epoch - self.best_epoch >= self.patience  # epochs since the last improvement


class Checkpoint(_Monitor):
    """Save the model's ``state_dict`` to ``path`` whenever ``monitor`` improves (every epoch if None).

    The tensors are copied to the CPU and written atomically by rank 0 only, so the file always
    holds one whole checkpoint, loadable with ``torch.load(path, weights_only=True)``.
    """

    def __init__(self, path: str | os.PathLike[str], *, monitor: str | None = "val_loss",
                 mode: str = "min") -> None:
        super().__init__("Checkpoint", monitor or "", mode)
        self.path, self.every_epoch = Path(path), monitor is None
        self._model: nn.Module | None = None

    def on_fit_start(self, model: nn.Module) -> None:
        super().on_fit_start(model)
        self._model = model

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> bool:
        if self._model is None:
            raise RuntimeError("Checkpoint.on_fit_start was not called; pass it to fit(callbacks=...)")
        if (self.every_epoch or self._improved(epoch, logs)) and rank() == 0:
            state = {k: v.detach().cpu() for k, v in self._model.state_dict().items()}
            buffer = io.BytesIO()
            torch.save(state, buffer)
            atomic_write(self.path, buffer.getvalue())
        return False


def rank() -> int:
    """This process's rank under torch.distributed; 0 when training runs in one process."""
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0
