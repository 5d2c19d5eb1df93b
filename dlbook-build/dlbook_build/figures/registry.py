"""The registry of the book's trained figures: each one a named experiment with two tiers.

A figure is a function that trains something with dlbook and draws the result:

    @register("perceptron-boundary", smoke=BoundaryConfig(num_epochs=5), full=BoundaryConfig(num_epochs=50),
              caption="The perceptron's decision boundary, epoch by epoch.")
    def perceptron_boundary(cfg: BoundaryConfig, ctx: Context) -> FigureResult:
        ...

``smoke`` runs in seconds on a CPU (tests and CI); ``full`` is the quality the site
shows (minutes, on a GPU when there is one). A chapter's figures live in
``experiments/<part>/<chapter>.py`` (``docs/neurons/activation-functions.py`` has
``experiments/neurons/activation_functions.py``); :func:`all_figures` imports every such
module and returns the registry. They are found by listing the folder, not from a list
kept here, so adding a chapter's experiments changes no file that other figures' code
hashes cover.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import torch
    from matplotlib.figure import Figure

TIERS = ("smoke", "full")
EXPERIMENTS_ENV = "DLBOOK_EXPERIMENTS_DIR"  # another project's experiments/ (the tests' mini books)


def experiments_dir() -> Path:
    """The ``experiments/`` package of the book: $DLBOOK_EXPERIMENTS_DIR, else the one beside
    the current folder's ``mkdocs.yml`` (searched upwards)."""
    env = os.environ.get(EXPERIMENTS_ENV)
    if env:
        return Path(env).resolve()
    from dlbook_build.project import project_root

    return project_root() / "experiments"


def figure_modules(folder: Path | None = None) -> list[str]:
    """The modules that define figures: ``experiments/<part>/<chapter>.py``, by dotted name."""
    folder = folder or experiments_dir()
    return [f"{folder.name}.{p.parent.name}.{p.stem}" for p in sorted(folder.glob("[!_]*/[!_]*.py"))]


T = TypeVar("T")


@dataclass
class Context:
    """What a figure function gets besides its config: where to run and how to report progress."""

    device: torch.device
    seed: int
    tier: str
    progress: Callable[[Iterable[Any], str], Iterable[Any]] = field(
        default=lambda items, desc: items  # replaced by a progress bar in `dlbook-build figures`
    )

    def track(self, items: Iterable[T], desc: str = "") -> Iterator[T]:
        """Iterate over ``items`` with a progress bar when one is attached."""
        yield from self.progress(items, desc)


@dataclass
class FigureResult:
    """What a figure function returns: the drawing, the numbers it reached, optionally a model
    and the data behind the drawing (JSON-ready: dicts, lists, strings, numbers), which the
    pipeline stores as ``data.json`` for chapters and explorable figures to read."""

    figure: Figure
    metrics: dict[str, float]
    state_dict: dict[str, torch.Tensor] | None = None
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class FigureSpec:
    name: str
    make: Callable[[Any, Context], FigureResult]
    configs: dict[str, Any]  # tier -> config dataclass
    caption: str
    module: str  # the module that defines it: its code (and what it imports) keys the figure
    seed: int = 0


REGISTRY: dict[str, FigureSpec] = {}


def register(
    name: str, *, smoke: Any, full: Any, caption: str, seed: int = 0
) -> Callable[[Callable[[Any, Context], FigureResult]], Callable[[Any, Context], FigureResult]]:
    """Register a figure function under ``name`` with its two tier configs."""
    if not name or not name.replace("-", "").isalnum() or name != name.lower():
        raise ValueError(f"figure names are lower-case kebab-case, got {name!r}")

    def decorate(fn: Callable[[Any, Context], FigureResult]) -> Callable[[Any, Context], FigureResult]:
        if name in REGISTRY and REGISTRY[name].module != fn.__module__:
            raise ValueError(
                f"figure {name!r} is registered twice ({REGISTRY[name].module}, {fn.__module__})"
            )
        REGISTRY[name] = FigureSpec(
            name=name, make=fn, configs={"smoke": smoke, "full": full},
            caption=caption, module=fn.__module__, seed=seed,
        )
        return fn

    return decorate


def all_figures(folder: Path | None = None) -> dict[str, FigureSpec]:
    """Every registered figure, after importing the modules that define them.

    The project root (the folder above ``experiments/``) is put on ``sys.path`` for the
    import, as a build tool run in the project does.
    """
    folder = folder or experiments_dir()
    if str(folder.parent) not in sys.path:
        sys.path.insert(0, str(folder.parent))
    for module in figure_modules(folder):
        importlib.import_module(module)
    return dict(sorted(REGISTRY.items()))


def get(name: str) -> FigureSpec:
    figures = all_figures()
    if name not in figures:
        known = ", ".join(figures) or "none"
        raise KeyError(f"no figure named {name!r}; registered figures: {known}")
    return figures[name]
