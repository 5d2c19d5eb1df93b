"""Small helpers every chapter uses: repeatable seeding and device choice.

Taught in docs/foundations/ (first code cells); used by every training run.
"""

from __future__ import annotations

import os
import platform
import random
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

# torch and numpy are imported inside the functions that need them, so build tools
# can ask device_kind() without paying for `import torch`.

DEVICE_ENV = "DLBOOK_DEVICE"  # overrides the automatic choice: "cpu", "cuda", "cuda:1", "mps"
_KINDS = ("cpu", "cuda", "mps")


def seed_everything(seed: int, *, deterministic: bool = True) -> None:
    """Seed Python, NumPy and PyTorch so that a run can be repeated exactly.

    With ``deterministic=True`` PyTorch is also asked for deterministic kernels
    (``warn_only``, so ops without such a kernel still run). Code that wants a
    stream of its own can still use ``torch.Generator().manual_seed(seed)``.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed_everything expects a non-negative int seed, got {seed!r}")
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False
        # cuBLAS needs this set before its first call to be deterministic
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def _check_kind(name: str) -> str:
    kind = name.split(":", 1)[0]
    if kind not in _KINDS:
        raise ValueError(f"{DEVICE_ENV} expects one of cpu, cuda[:N], mps; got {name!r}")
    return kind


def get_device(preferred: str | None = None) -> torch.device:
    """The device to compute on: ``preferred``, else $DLBOOK_DEVICE, else cuda, mps, cpu.

    Asking for a device that is not present is an error rather than a silent
    fall-back, so a figure never claims hardware it did not run on.
    """
    import torch

    name = preferred or os.environ.get(DEVICE_ENV, "").strip() or None
    if name is None:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    kind = _check_kind(name)
    if kind == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device {name!r} was asked for, but torch sees no CUDA GPU")
    if kind == "mps" and not torch.backends.mps.is_available():
        raise RuntimeError(f"device {name!r} was asked for, but torch sees no MPS device")
    return torch.device(name)


def device_kind() -> str:
    """The kind of device ``get_device()`` would choose ("cpu", "cuda" or "mps").

    Answers without importing CUDA state, from $DLBOOK_DEVICE or from what the
    machine exposes, so build tools can use it cheaply (the chapter cache keys on it).
    """
    name = os.environ.get(DEVICE_ENV, "").strip()
    if name:
        return _check_kind(name)
    if Path("/dev/nvidiactl").exists() or Path("/proc/driver/nvidia/version").exists():
        return "cuda"
    if sys.platform == "darwin" and platform.machine() == "arm64":
        return "mps"
    return "cpu"


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same folder, are flushed to disk, and
    replace the target in one ``os.replace``; a process killed at any moment leaves
    the previous version (or nothing) in place.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
