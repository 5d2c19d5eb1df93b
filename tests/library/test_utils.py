"""dlbook.utils: seeding, scoped global state, device choice, atomic writes; and the lazy package import."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from process_state import process_switches

from dlbook.utils import (
    atomic_write,
    device_kind,
    get_device,
    repeatable,
    restoring_global_state,
    seed_everything,
)


@pytest.fixture(autouse=True)
def process_left_alone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """seed_everything sets process-wide switches on purpose: keep them from leaking into later tests."""
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)  # monkeypatch puts the real value back
    with restoring_global_state():
        yield


def draw() -> tuple[float, float, list[float]]:
    return random.random(), float(np.random.rand()), torch.randn(3).tolist()


def set_switches(on: bool, *, warn_only: bool = False) -> dict[str, object]:
    """All switches one way (on: deterministic, 2 threads, a cuBLAS setting) or the other."""
    torch.use_deterministic_algorithms(on, warn_only=warn_only)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = on, not on
    torch.set_num_threads(2 if on else 1)
    if on:
        os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":16:8"
    else:
        os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)
    return process_switches()


def test_seed_everything_repeats_every_generator() -> None:
    seed_everything(123)
    first = draw()
    seed_everything(123)
    second = draw()
    assert first == second
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


def test_seed_everything_sets_the_switches_it_names() -> None:
    set_switches(False)
    seed_everything(0, deterministic=False)
    assert process_switches() == set_switches(False)  # seeds only
    seed_everything(0)
    assert process_switches() == {"deterministic": True, "warn_only": True, "cudnn.deterministic": False,
                                  "cudnn.benchmark": False, "threads": 1,
                                  "CUBLAS_WORKSPACE_CONFIG": ":4096:8"}
    os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":16:8"
    seed_everything(0)
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":16:8"  # a setting of the caller's is kept


@pytest.mark.parametrize(("on", "warn_only"), [(False, False), (True, False), (True, True)])
@pytest.mark.parametrize("raises", [False, True])
def test_restoring_global_state_puts_every_switch_and_generator_back(on: bool, warn_only: bool,
                                                                     raises: bool) -> None:
    switches = set_switches(on, warn_only=warn_only)
    seed_everything(1, deterministic=False)
    expected = draw()  # what the caller draws next without the block
    seed_everything(1, deterministic=False)
    try:
        with restoring_global_state():
            set_switches(not on, warn_only=not warn_only)
            seed_everything(2)
            draw()
            if raises:
                raise KeyError("the block fails")
    except KeyError:
        assert raises
    assert process_switches() == switches
    assert draw() == expected


def test_repeatable_seeds_the_block_and_then_leaves_the_process_alone() -> None:
    switches = set_switches(False)
    seed_everything(1, deterministic=False)
    expected = draw()
    seed_everything(1, deterministic=False)
    with repeatable(5):
        inside = process_switches()
        first = draw()
    with repeatable(5):
        assert draw() == first  # the same seed, the same numbers, whatever came before
    assert inside == {**switches, "deterministic": True, "warn_only": True, "cudnn.benchmark": False,
                      "CUBLAS_WORKSPACE_CONFIG": ":4096:8"}
    seed_everything(5, deterministic=False)
    assert draw() == first  # seeded as seed_everything seeds
    seed_everything(1, deterministic=False)
    with pytest.raises(ZeroDivisionError), repeatable(5, device="cpu"):
        draw()
        _ = 1 / 0
    assert process_switches() == switches
    assert draw() == expected  # the caller's generators neither reseeded nor advanced


def test_repeatable_rejects_bad_seeds() -> None:
    with pytest.raises(ValueError, match="repeatable expects a non-negative int seed"), repeatable(-1):
        pass


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
        "import sys, dlbook, dlbook.utils; dlbook.utils.device_kind();"
        "heavy = [m for m in ('torch', 'matplotlib', 'manim') if m in sys.modules];"
        "assert not heavy, heavy; print(dlbook.__version__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_the_library_imports_none_of_the_build() -> None:
    """Every dlbook module, and every name dlbook exports, loads without MkDocs, Jupyter, Manim or
    the book's build (dlbook_build), which a practitioner's `pip install dlbook` does not bring."""
    code = (
        "import importlib, pkgutil, sys, dlbook\n"
        "for m in pkgutil.walk_packages(dlbook.__path__, 'dlbook.'): importlib.import_module(m.name)\n"
        "[getattr(dlbook, name) for name in dlbook.__all__]\n"
        "build = ('mkdocs', 'nbformat', 'nbclient', 'jupytext', 'manim', 'dlbook_build', 'experiments',"
        " 'animations', 'pooch')\n"
        "found = sorted(m for m in sys.modules if m.split('.')[0] in build)\n"
        "assert not found, found\n"
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
