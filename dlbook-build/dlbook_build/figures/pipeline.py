"""Make, freeze and check the book's trained figures, each with a manifest of how it was made.

Artifacts live in ``figures/<name>/`` at the repository root and are committed (like
Quarto's ``freeze``), so building the site never trains unless a figure is stale:

    figures/<name>/figure.png      the image (metadata stripped: same seed, same bytes)
    figures/<name>/checkpoint.pt   the trained weights, when the figure returns them
    figures/<name>/data.json       the numbers behind the drawing, when the figure returns them
                                   (read by chapters and by explorable figures in the browser)
    figures/<name>/manifest.json   tier, code hash, seed, device, versions, wall time,
                                   metrics, and the sha256 of every file above

A figure is *fresh* when its manifest's code hash equals the hash of the current code
(the experiment module in ``experiments/<part>/<chapter>.py`` and every dlbook or
experiments module it imports, plus the tier's config) and
every file matches its recorded sha256. Each file is written atomically and the manifest
last, so a run killed half-way leaves a figure that reads as stale, never as fresh.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import dlbook
from dlbook.figures.store import figures_root, read_manifest
from dlbook.utils import atomic_write
from dlbook_build.deps import fingerprint
from dlbook_build.figures.registry import Context, FigureSpec

PACKAGE = Path(dlbook.__file__).resolve().parent  # the dlbook/ folder
PNG_DPI = 150


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _config_dict(config: Any) -> dict[str, Any]:
    if is_dataclass(config) and not isinstance(config, type):
        return asdict(config)
    return {"value": repr(config)}


def code_hash(spec: FigureSpec, tier: str) -> str:
    """Hash of the code and config that make ``spec`` at ``tier``: the experiment module and
    every dlbook or experiments module it imports (:func:`dlbook_build.deps.fingerprint`;
    the build's own machinery is not among them), the tier's config and the seed."""
    h = hashlib.sha256(f"{spec.name}\n{tier}\n{spec.seed}\n".encode())
    h.update(json.dumps(_config_dict(spec.configs[tier]), sort_keys=True, default=repr).encode())
    folder = Path(sys.modules[spec.module].__file__ or "").resolve().parents[1]  # experiments/<part>/x.py
    roots = {"dlbook": PACKAGE, folder.name: folder}
    for name, digest in fingerprint([f"import {spec.module}"], roots).items():
        h.update(f"{name}\0{digest}\n".encode())
    return h.hexdigest()


def device_name(device: Any) -> str:
    """A readable name for the hardware behind ``device`` (the GPU model, or the CPU model)."""
    import torch

    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return f"Apple MPS ({platform.machine()})"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "cpu"


def status(spec: FigureSpec, root: Path | None = None) -> str:
    """"fresh", "stale" (code changed), "corrupt" (a file does not match) or "missing"."""
    root = root or figures_root()
    manifest = read_manifest(spec.name, root)
    if manifest is None:
        return "missing"
    tier = manifest.get("tier")
    if tier not in spec.configs or manifest.get("code_hash") != code_hash(spec, tier):
        return "stale"
    for file, digest in manifest.get("files", {}).items():
        path = root / spec.name / file
        if not path.is_file() or _sha256(path.read_bytes()) != digest:
            return "corrupt"
    return "fresh"


def render_png(figure: Any) -> bytes:
    """PNG bytes of a matplotlib figure with no varying metadata (same figure, same bytes)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PNG_DPI, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def make(
    spec: FigureSpec,
    *,
    tier: str,
    device: Any,
    root: Path | None = None,
    progress: Callable[[Iterable[Any], str], Iterable[Any]] | None = None,
) -> dict[str, Any]:
    """Train and draw ``spec`` at ``tier`` on ``device``; write its artifacts and return the manifest."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import torch

    from dlbook.utils import seed_everything

    if tier not in spec.configs:
        raise ValueError(f"tier must be one of {sorted(spec.configs)}, got {tier!r}")
    root = root or figures_root()
    device = torch.device(device)
    seed_everything(spec.seed)
    ctx = Context(device=device, seed=spec.seed, tier=tier)
    if progress is not None:
        ctx.progress = progress
    # On the CPU a figure is made on one thread: a sum split over threads rounds differently
    # with their number, so this gives the same bytes on any machine; the book's networks
    # are small enough that extra threads cost more in synchronisation than they save.
    threads = torch.get_num_threads()
    if device.type == "cpu":
        torch.set_num_threads(1)
    try:
        start = time.perf_counter()
        result = spec.make(spec.configs[tier], ctx)
        wall = time.perf_counter() - start
    finally:
        torch.set_num_threads(threads)

    files = {"figure.png": render_png(result.figure)}
    plt.close(result.figure)
    if result.state_dict is not None:
        buffer = io.BytesIO()
        torch.save({k: v.detach().cpu() for k, v in result.state_dict.items()}, buffer)
        files["checkpoint.pt"] = buffer.getvalue()
    if result.data is not None:
        files["data.json"] = encode_data(result.data, spec.name)

    previous = read_manifest(spec.name, root) or {}
    timings = dict(previous.get("timings", {}))
    timings[f"{tier} on {device_name(device)}"] = round(wall, 2)
    manifest = {
        "name": spec.name,
        "caption": spec.caption,
        "tier": tier,
        "code_hash": code_hash(spec, tier),
        "config": _config_dict(spec.configs[tier]),
        "seed": spec.seed,
        "device": device_name(device),
        "device_type": device.type,
        "versions": {
            "dlbook": dlbook.__version__,
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "wall_seconds": round(wall, 2),
        "timings": timings,
        "metrics": {k: float(v) for k, v in result.metrics.items()},
        "files": {name: _sha256(data) for name, data in files.items()},
        "command": f"dlbook-build figures --only {spec.name} --tier {tier}",
    }
    folder = root / spec.name
    for name, data in files.items():
        atomic_write(folder / name, data)
    for optional in ("checkpoint.pt", "data.json"):  # left over from an earlier version of the figure
        if optional not in files and (folder / optional).exists():
            (folder / optional).unlink()
    atomic_write(folder / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def encode_data(data: dict[str, Any], name: str = "?") -> bytes:
    """``data`` as compact, key-sorted JSON bytes (same data, same bytes); NaN and inf are refused."""
    if not isinstance(data, dict):
        raise TypeError(f"figure {name!r} returned data of type {type(data).__name__}; expected a dict")
    try:
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as err:
        raise ValueError(f"figure {name!r} returned data that is not plain JSON "
                         f"(dicts, lists, str, finite numbers): {err}") from err
    return (text + "\n").encode()


def refresh(
    *,
    tier: str | None = None,
    device: str | None = None,
    only: list[str] | None = None,
    force: bool = False,
    root: Path | None = None,
    experiments: Path | None = None,
    bar: bool = True,
    log: Callable[[str], None] = print,
) -> list[tuple[str, str]]:
    """Remake the figures that are not fresh (all of ``only``, with ``force``); return (name, what happened).

    ``tier`` defaults to $DLBOOK_TIER or "full"; ``device`` to the best one present;
    ``experiments`` to the book's ``experiments/`` folder.
    """
    from dlbook.utils import get_device
    from dlbook_build.figures.registry import all_figures

    tier = tier or os.environ.get("DLBOOK_TIER") or "full"
    figures = all_figures(experiments)
    unknown = sorted(set(only or []) - set(figures))
    if unknown:
        raise KeyError(f"unknown figure(s) {unknown}; registered: {', '.join(figures) or 'none'}")
    chosen = [figures[name] for name in (only or figures)]
    start = time.perf_counter()
    done: list[tuple[str, str]] = []
    for spec in chosen:
        state = status(spec, root)
        if state == "fresh" and not force:
            done.append((spec.name, "fresh"))
            continue
        progress = None
        if bar and sys.stderr.isatty():  # no bars in a log: one "made" line per figure
            from tqdm.auto import tqdm

            def progress(items: Iterable[Any], desc: str, name: str = spec.name) -> Iterable[Any]:
                return tqdm(items, desc=f"{name} {desc}".strip(), leave=False, dynamic_ncols=True)

        target = get_device(device if device not in (None, "auto") else None)
        manifest = make(spec, tier=tier, device=target, root=root, progress=progress)
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in manifest["metrics"].items())
        log(f"  made {spec.name} ({state}) [{tier}, {manifest['device']}] "
            f"in {manifest['wall_seconds']:.1f} s: {metrics}")
        done.append((spec.name, "made"))
    made = sum(what == "made" for _, what in done)
    log(f"figures: {made} made, {len(done) - made} fresh ({time.perf_counter() - start:.1f} s)")
    return done
