"""dlbook.utils: seeding, device choice, atomic writes; and the lazy package import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from dlbook.utils import atomic_write, device_kind, get_device, seed_everything


def draw() -> tuple[float, float, torch.Tensor]:
    import random

    return random.random(), float(np.random.rand()), torch.randn(3)


def test_seed_everything_repeats_every_generator() -> None:
    seed_everything(123)
    first = draw()
    seed_everything(123)
    second = draw()
    assert first[:2] == second[:2]
    torch.testing.assert_close(first[2], second[2])
    seed_everything(124)
    assert draw()[0] != first[0]


def test_seed_everything_matches_torch_manual_seed() -> None:
    seed_everything(7)
    a = torch.randn(4)
    b = torch.randn(4, generator=torch.Generator().manual_seed(7))
    torch.testing.assert_close(a, b)


@pytest.mark.parametrize("seed", [-1, 1.5, "3", True])
def test_seed_everything_rejects_bad_seeds(seed: object) -> None:
    with pytest.raises(ValueError, match="non-negative int"):
        seed_everything(seed)  # type: ignore[arg-type]


def test_get_device_prefers_env_and_refuses_absent_hardware(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLBOOK_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")
    assert device_kind() == "cpu"
    monkeypatch.setenv("DLBOOK_DEVICE", "tpu")
    with pytest.raises(ValueError, match="cpu, cuda"):
        get_device()
    if not torch.cuda.is_available():
        monkeypatch.setenv("DLBOOK_DEVICE", "cuda")
        with pytest.raises(RuntimeError, match="no CUDA GPU"):
            get_device()


def test_get_device_auto_matches_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DLBOOK_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else (
        "mps" if torch.backends.mps.is_available() else "cpu")
    assert get_device().type == expected


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "sub" / "file.txt"
    atomic_write(target, "first")
    assert target.read_text() == "first"

    def crash(src: str, dst: str) -> None:
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        atomic_write(target, "second, half written")
    assert target.read_text() == "first"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.txt"]  # no temp file left


def test_import_dlbook_is_light() -> None:
    code = (
        "import sys, dlbook; import dlbook.book.cache;"
        "heavy = [m for m in ('torch', 'matplotlib', 'manim') if m in sys.modules];"
        "assert not heavy, heavy; print(dlbook.__version__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_lazy_exports_resolve_and_unknown_names_fail() -> None:
    import dlbook

    assert dlbook.seed_everything is seed_everything
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        dlbook.nope  # noqa: B018
    for name in dlbook.__all__:
        assert getattr(dlbook, name) is not None, name
