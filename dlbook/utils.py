"""Small helpers every chapter uses: repeatable seeding, scoped global state, device choice.

Taught in docs/foundations/ (first code cells); used by every training run.
"""

from __future__ import annotations

import os
import platform
import random
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

# torch and numpy are imported inside the functions that need them, so build tools
# can ask device_kind() without paying for `import torch`.

DEVICE_ENV = "DLBOOK_DEVICE"  # overrides the automatic choice: "cpu", "cuda", "cuda:1", "mps"
CUBLAS_ENV = "CUBLAS_WORKSPACE_CONFIG"  # cuBLAS's workspace setting; ":4096:8" makes it deterministic
_KINDS = ("cpu", "cuda", "mps")


def _check_seed(seed: object, who: str) -> int:
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"{who} expects a non-negative int seed, got {seed!r}")
    return seed


def _use_deterministic_kernels() -> None:
    """Deterministic kernels: the three process-wide switches ``seed_everything`` documents."""
    import torch

    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    # cuBLAS reads this when it creates a handle (its first call on a device) to be deterministic
    os.environ.setdefault(CUBLAS_ENV, ":4096:8")


def seed_everything(seed: int, *, deterministic: bool = True) -> None:
    """Seed Python, NumPy and PyTorch so that a run can be repeated exactly.

    It sets process-wide state, for the rest of the process, and nothing else:

    - ``random.seed(seed)``: Python's global ``random``;
    - ``np.random.seed(seed % 2**32)``: NumPy's global (legacy) RNG;
    - ``torch.manual_seed(seed)``: torch's CPU generator, that of every CUDA device (queued
      until CUDA starts, if it has not), and those of MPS and any other accelerator torch has;
    - with ``deterministic=True`` (the default) also
      ``torch.use_deterministic_algorithms(True, warn_only=True)`` (ops without a deterministic
      kernel still run, with a warning), ``torch.backends.cudnn.benchmark = False``, and the
      environment variable ``CUBLAS_WORKSPACE_CONFIG=":4096:8"`` unless it is already set.

    Thread counts and ``torch.backends.cudnn.deterministic`` are left alone. To seed one block of
    code and then put all this back, use ``repeatable(seed)``; code that wants a stream of its
    own can use ``torch.Generator().manual_seed(seed)``.
    """
    _check_seed(seed, "seed_everything")
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if deterministic:
        _use_deterministic_kernels()


@contextmanager
def restoring_global_state(*, devices: Iterable[str | torch.device] = ()) -> Iterator[None]:
    """Run a block, then put back every process-wide switch and global RNG it may have changed.

    Saved on entry and restored on exit, also when the block raises:

    - ``torch.are_deterministic_algorithms_enabled()`` and its ``warn_only`` flag;
    - ``torch.backends.cudnn.deterministic`` and ``torch.backends.cudnn.benchmark``;
    - ``torch.get_num_threads()``;
    - the environment variable ``CUBLAS_WORKSPACE_CONFIG`` (its value, or that it is unset);
    - the states of Python's ``random``, NumPy's global RNG and torch's CPU generator;
    - the generators of every CUDA device if CUDA has started, and those of the CUDA or MPS
      ``devices`` named (reading a CUDA generator starts CUDA, so name only devices in use).

    What it cannot put back: a CUDA generator first created inside the block (CUDA started
    there, on a device not named), a seed queued for CUDA before it starts (``torch.manual_seed``
    inside the block with CUDA not started), and cuBLAS handles created inside the block, which
    keep the ``CUBLAS_WORKSPACE_CONFIG`` they were created with.
    """
    import numpy as np
    import torch

    named = [torch.device(d) for d in devices]
    cuda = sorted({d.index if d.index is not None else torch.cuda.current_device()
                   for d in named if d.type == "cuda"})
    if torch.cuda.is_initialized():
        cuda = list(range(torch.cuda.device_count()))
    mps = any(d.type == "mps" for d in named)

    algorithms = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    cudnn = torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark
    threads = torch.get_num_threads()
    cublas = os.environ.get(CUBLAS_ENV)
    py_state, np_state, cpu_state = random.getstate(), np.random.get_state(), torch.get_rng_state()
    cuda_states = [torch.cuda.get_rng_state(i) for i in cuda]
    mps_state = torch.mps.get_rng_state() if mps else None
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(algorithms, warn_only=warn_only)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = cudnn
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        if cublas is None:
            os.environ.pop(CUBLAS_ENV, None)
        else:
            os.environ[CUBLAS_ENV] = cublas
        random.setstate(py_state)
        np.random.set_state(np_state)
        torch.set_rng_state(cpu_state)
        for i, state in zip(cuda, cuda_states, strict=True):
            torch.cuda.set_rng_state(state, i)
        if mps_state is not None:
            torch.mps.set_rng_state(mps_state)


@contextmanager
def repeatable(seed: int, *, device: str | torch.device | None = None) -> Iterator[None]:
    """Run a block seeded and with deterministic kernels, then leave the process as it was.

    Inside the block, Python's ``random``, NumPy's global RNG, torch's CPU generator and the
    generator of ``device`` (if it is a CUDA or MPS device; no other GPU's) are seeded with
    ``seed``, and the switches ``seed_everything(seed)`` turns on are on. On exit, also when
    the block raises, ``restoring_global_state`` puts back every switch and every generator's
    state, so code after the block draws the numbers it would have drawn without it.
    """
    _check_seed(seed, "repeatable")
    import numpy as np
    import torch

    at = None if device is None else torch.device(device)
    with restoring_global_state(devices=[] if at is None else [at]):
        random.seed(seed)
        np.random.seed(seed % 2**32)
        torch.default_generator.manual_seed(seed)
        if at is not None and at.type == "cuda":  # CUDA has started: restoring_global_state read it
            torch.cuda.default_generators[at.index if at.index is not None
                                          else torch.cuda.current_device()].manual_seed(seed)
        elif at is not None and at.type == "mps":
            torch.mps.manual_seed(seed)
        _use_deterministic_kernels()
        yield


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
