"""The process-wide switches a library function may touch, read in one place for the tests of
dlbook.utils and of fit, which check that they are left as they were found."""

from __future__ import annotations

import os

import torch


def process_switches() -> dict[str, object]:
    """The process-wide switches fit (through dlbook.utils.repeatable) may touch, by name."""
    return {"deterministic": torch.are_deterministic_algorithms_enabled(),
            "warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
            "cudnn.deterministic": torch.backends.cudnn.deterministic,
            "cudnn.benchmark": torch.backends.cudnn.benchmark,
            "threads": torch.get_num_threads(),
            "CUBLAS_WORKSPACE_CONFIG": os.environ.get("CUBLAS_WORKSPACE_CONFIG")}
