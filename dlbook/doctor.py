"""`dlbook`: what this machine has for the dlbook library, what is missing, and how to get it.

Only what a reader or practitioner needs (torch, NumPy, the plotting and data extras, a
GPU); the book's build checks its own tools with ``dlbook-build doctor``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
import shutil
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # a version or path when ok, else how to get it
    needed_for: str


# (distribution, import name, what needs it, how to get it)
PACKAGES = [
    ("torch", "torch", "everything", "pip install torch"),
    ("numpy", "numpy", "everything", "pip install numpy"),
    ("tqdm", "tqdm", "everything", "pip install tqdm"),
    ("matplotlib", "matplotlib", "plots (dlbook.plot)", "pip install 'dlbook[plot]'"),
    ("scikit-learn", "sklearn", "the digits data set", "pip install 'dlbook[data]'"),
    ("pooch", "pooch", "figures outside a checkout", "pip install 'dlbook[notebooks]'"),
]


def check_packages(packages: list[tuple[str, str, str, str]] | None = None) -> list[Check]:
    """One check per ``(distribution, import name, what needs it, how to get it)``."""
    checks = []
    for dist, module, needed_for, how in PACKAGES if packages is None else packages:
        if importlib.util.find_spec(module) is None:
            checks.append(Check(dist, False, how, needed_for))
            continue
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "installed"
        checks.append(Check(dist, True, version, needed_for))
    return checks


def check_gpu() -> Check:
    if importlib.util.find_spec("torch") is None:
        return Check("gpu", False, "torch is not installed", "fast training (optional)")
    import torch

    if torch.cuda.is_available():
        return Check("gpu", True, f"cuda: {torch.cuda.get_device_name(0)}", "fast training (optional)")
    if torch.backends.mps.is_available():
        return Check("gpu", True, "mps (Apple silicon)", "fast training (optional)")
    smi = shutil.which("nvidia-smi")
    hint = "a driver is present but torch is a CPU build" if smi else "none found; the CPU is used"
    return Check("gpu", False, hint, "fast training (optional)")


def report() -> list[Check]:
    return [*check_packages(), check_gpu()]


def print_checks(checks: list[Check], required: set[str]) -> bool:
    """Print one line per check; True when one of ``required`` is missing."""
    missing = False
    for check in checks:
        mark = "ok " if check.ok else "-- "
        print(f"  {mark}{check.name:<16} {check.detail:<48} ({check.needed_for})")
        missing |= not check.ok and check.needed_for in required
    return missing


def main() -> int:
    """Print one line per check; exit 1 when something every use needs is missing."""
    print(f"dlbook: Python {platform.python_version()} at {sys.executable}")
    if print_checks(report(), {"everything"}):
        print("Something dlbook needs is missing: pip install dlbook")
        return 1
    return 0
