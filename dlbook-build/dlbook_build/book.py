"""The book's build steps, each callable on its own: render scenes, make figures, execute, publish.

The MkDocs plugin (:mod:`dlbook_build.plugin`) only calls these, and the command line
runs each alone (``dlbook-build scenes|figures|execute|publish``), so the build does not
depend on MkDocs' plugin system:

1. :meth:`Book.render_scenes`: the Manim scenes whose key changed, each in its own process.
2. :meth:`Book.make_figures`: the trained figures whose code changed (skipped when nothing did).
3. :meth:`Book.execute`: every chapter keyed; stale ones executed, fresh ones from the
   cache; each staged as ``<cache>/pages/<chapter>.ipynb`` (outputs merged into the
   chapter's current prose). A failing cell stops here, before any site file is written.
4. :meth:`Book.publish`: into the site folder, the notebooks readers download (with a
   first cell that installs dlbook and names the published figures), the frozen figures
   they fetch, and the rendered animations.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jupytext
import nbformat

from dlbook.utils import atomic_write, device_kind
from dlbook_build.animations import SITE_DIR as ANIMATION_DIR
from dlbook_build.animations import AnimationCache, AnimationError, Rendered
from dlbook_build.animations import build as build_animations
from dlbook_build.cache import ChapterKey, ExecutionCache, chapter_key, merge_outputs
from dlbook_build.execute import ChapterError, execute_chapter

NOTEBOOK_DIR = "notebooks"  # where the site publishes each chapter as .ipynb
FIGURE_DIR = "figures"  # where the site publishes the frozen figures (fetched by notebooks)
TIERS = ("smoke", "full")
QUALITIES = ("low", "medium")


class BuildError(Exception):
    """A step of the build failed; the message names the page, scene or figure and why."""


@dataclass
class Settings:
    """What the build reads, normally from the ``dlbook`` plugin's block of ``mkdocs.yml``."""

    root: Path  # the project folder (where mkdocs.yml is)
    docs: Path  # docs_dir
    chapters: list[str] = field(default_factory=lambda: ["*/[!_]*.py"])  # globs under docs
    packages: list[str] = field(default_factory=lambda: ["dlbook"])  # folders whose code keys chapters
    lock_files: list[str] = field(default_factory=lambda: ["requirements.lock"])
    cache_dir: str = ".cache/dlbook"  # $DLBOOK_CACHE_DIR overrides
    figures_dir: str | None = None  # the frozen figures; off if unset
    tier: str = "full"  # $DLBOOK_TIER overrides
    timeout: int = 300  # seconds per cell; a chapter's header can change it
    jobs: int = 2  # chapters executed (and scenes rendered) at once
    animations_dir: str | None = None  # the Manim scenes' package; off if unset
    animation_quality: str = "medium"  # $DLBOOK_ANIMATION_QUALITY overrides
    animation_timeout: int = 600  # seconds per scene

    def __post_init__(self) -> None:
        self.tier = os.environ.get("DLBOOK_TIER") or self.tier
        if self.tier not in TIERS:
            raise BuildError(f"DLBOOK_TIER must be 'smoke' or 'full', got {self.tier!r}")
        self.animation_quality = os.environ.get("DLBOOK_ANIMATION_QUALITY") or self.animation_quality
        if self.animation_quality not in QUALITIES:
            raise BuildError(f"DLBOOK_ANIMATION_QUALITY must be 'low' (480p15) or 'medium' (720p30), "
                             f"got {self.animation_quality!r}")
        if self.animations_dir is not None and not (self.root / self.animations_dir).is_dir():
            raise BuildError(f"dlbook: animations_dir {self.animations_dir!r} is not a folder")

    @classmethod
    def from_mkdocs(cls, config_file: Path) -> Settings:
        """The settings of the ``dlbook`` plugin in ``config_file`` (a mkdocs.yml)."""
        from mkdocs.config import load_config

        config = load_config(str(config_file))
        plugin = config.plugins.get("dlbook")
        if plugin is None:
            raise BuildError(f"{config_file} does not enable the dlbook plugin")
        return cls.from_plugin(Path(config.config_file_path).resolve().parent, Path(config.docs_dir),
                               dict(plugin.config))

    @classmethod
    def from_plugin(cls, root: Path, docs: Path, options: dict[str, Any]) -> Settings:
        names = set(cls.__dataclass_fields__) - {"root", "docs"}
        return cls(root=root, docs=docs.resolve(), **{k: v for k, v in options.items() if k in names})

    @property
    def cache_root(self) -> Path:
        return self.root / (os.environ.get("DLBOOK_CACHE_DIR") or self.cache_dir)

    @property
    def roots(self) -> dict[str, Path]:
        """The packages whose code keys the chapters, by import name."""
        return {Path(p).name: self.root / p for p in self.packages}

    @property
    def figures(self) -> Path | None:
        return self.root / self.figures_dir if self.figures_dir else None

    @property
    def animations(self) -> Path | None:
        return self.root / self.animations_dir if self.animations_dir else None


@dataclass
class Chapter:
    src_uri: str  # path under docs/, e.g. "foundations/mathematical-foundations.py"
    path: Path
    notebook: nbformat.NotebookNode
    key: ChapterKey
    figures: dict[str, str] = field(default_factory=dict)  # figure name -> sha256 of its manifest
    staged: Path | None = None


@dataclass
class Executed:
    chapters: dict[str, Chapter]  # src_uri -> chapter, each staged
    executed: int  # chapters run now
    cells: int  # cells run now
    seconds: float

    def summary(self) -> str:
        return (f"dlbook: chapters executed: {self.executed}, cells executed: {self.cells}, "
                f"chapters from cache: {len(self.chapters) - self.executed} ({self.seconds:.1f} s)")


class Book:
    """The build of one book: its settings, its caches, and the four steps."""

    def __init__(self, settings: Settings, *, log: Callable[[str], None] = print) -> None:
        self.settings = settings
        self.log = log
        self.cache = ExecutionCache(settings.cache_root)
        self.device = device_kind()

    # -- 1. scenes --------------------------------------------------------------------------
    def render_scenes(self) -> dict[str, Rendered]:
        """Render the scenes whose key changed; the others come from the cache."""
        folder = self.settings.animations
        if folder is None:
            return {}
        start = time.perf_counter()
        roots = {**self.settings.roots, folder.name: folder}
        try:
            done = build_animations(
                folder, roots=roots, cache=AnimationCache(self.cache.root),
                quality=self.settings.animation_quality, jobs=self.settings.jobs,
                timeout=self.settings.animation_timeout, log=self.log,
            )
        except AnimationError as err:
            raise BuildError(f"dlbook: {err}") from err
        self.log(f"{done.summary(self.settings.animation_quality)} ({time.perf_counter() - start:.1f} s)")
        return done.scenes

    # -- 2. figures -------------------------------------------------------------------------
    def make_figures(self) -> None:
        """Remake stale figures before any chapter shows them; skip the check when nothing changed."""
        figures = self.settings.figures
        if figures is None:
            return
        experiments = self.settings.root / "experiments"
        folders = [*self.settings.roots.values(), experiments]
        sources = sorted(p for root in folders if root.is_dir() for p in root.rglob("*.py"))
        manifests = sorted(figures.glob("*/manifest.json")) if figures.is_dir() else []
        h = hashlib.sha256(self.settings.tier.encode())
        for path in [*sources, *manifests]:
            h.update(str(path).encode() + b"\0" + path.read_bytes())
        stamp = self.cache.root / "figures-checked"
        if stamp.is_file() and stamp.read_text() == h.hexdigest():
            return
        if not experiments.is_dir():
            atomic_write(stamp, h.hexdigest())
            return
        from dlbook_build.figures.pipeline import refresh

        try:
            done = refresh(tier=self.settings.tier, root=figures, bar=False, log=self.log,
                           experiments=experiments)
        except Exception as err:
            raise BuildError(f"dlbook: making a stale figure failed: {type(err).__name__}: {err}") from err
        if not any(what == "made" for _, what in done):
            atomic_write(stamp, h.hexdigest())
        else:  # the manifests changed: hash them again for the next build
            self.make_figures()

    # -- 3. chapters ------------------------------------------------------------------------
    def discover(self) -> list[Chapter]:
        s = self.settings
        paths = sorted({p for pattern in s.chapters for p in s.docs.glob(pattern)})
        locks = [s.root / p for p in s.lock_files]
        chapters = []
        for path in paths:
            src_uri = path.relative_to(s.docs).as_posix()
            try:
                nb = jupytext.read(path)
            except Exception as err:  # jupytext raises many kinds; all mean "not a notebook"
                raise BuildError(f"{src_uri}: not a readable jupytext notebook: {err}") from err
            for index, cell in enumerate(nb.cells):  # jupytext draws random ids; keep pages stable
                cell.id = f"cell-{index}"
            used = self._figures_used(nb)
            key = chapter_key(nb, roots=s.roots, lock_files=locks, tier=s.tier, device=self.device,
                              data_files=used)
            hashes = {p.parent.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in used}
            chapters.append(Chapter(src_uri=src_uri, path=path, notebook=nb, key=key, figures=hashes))
        return chapters

    def _figures_used(self, nb: nbformat.NotebookNode) -> list[Path]:
        """Manifests of the frozen figures whose names appear (quoted) in the code cells."""
        code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
        figures = self.settings.figures
        if figures is None or not figures.is_dir():
            return []
        return [
            folder / "manifest.json"
            for folder in sorted(figures.iterdir())
            if (folder / "manifest.json").is_file()
            and (f'"{folder.name}"' in code or f"'{folder.name}'" in code)
        ]

    def _run(self, chapter: Chapter) -> tuple[nbformat.NotebookNode, int]:
        s = self.settings
        nb = copy.deepcopy(chapter.notebook)
        timeout = int(nb.metadata.get("dlbook", {}).get("timeout", s.timeout))
        env = {
            "DLBOOK_TIER": s.tier,
            "PYTHONPATH": os.pathsep.join([str(s.root), *filter(None, [os.environ.get("PYTHONPATH")])]),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            **({"DLBOOK_FIGURES_DIR": str(s.figures)} if s.figures else {}),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        }
        run = execute_chapter(nb, page=f"docs/{chapter.src_uri}", cwd=chapter.path.parent,
                              timeout=timeout, env=env)
        self.cache.put(chapter.key, run.notebook, source=chapter.src_uri, cells=run.cells,
                       seconds=run.seconds)
        return run.notebook, run.cells

    def execute(self) -> Executed:
        """Execute the stale chapters (``jobs`` at a time), then stage every chapter."""
        start = time.perf_counter()
        chapters = self.discover()
        executed: dict[str, nbformat.NotebookNode] = {}
        stale = []
        for chapter in chapters:
            hit = self.cache.get(chapter.key.digest)
            if hit is None:
                stale.append(chapter)
            else:
                executed[chapter.src_uri] = hit
        errors: list[str] = []
        cells = 0
        if stale:
            names = ", ".join(ch.src_uri for ch in stale)
            self.log(f"dlbook: executing {len(stale)} chapter(s) [tier {self.settings.tier}, "
                     f"{self.device}]: {names}")
            with ThreadPoolExecutor(max_workers=max(1, self.settings.jobs)) as pool:
                futures = {ch.src_uri: pool.submit(self._run, ch) for ch in stale}
                for src_uri, future in futures.items():
                    try:
                        executed[src_uri], n = future.result()
                    except ChapterError as err:
                        errors.append(str(err))
                        continue
                    cells += n
        if errors:
            raise BuildError("dlbook: a chapter failed to execute\n\n" + "\n\n".join(errors))
        for chapter in chapters:
            merged = merge_outputs(chapter.notebook, executed[chapter.src_uri])
            staged = self.cache.root / "pages" / Path(chapter.src_uri).with_suffix(".ipynb")
            text = nbformat.writes(merged)
            if not staged.is_file() or staged.read_text(encoding="utf-8") != text:
                atomic_write(staged, text)
            chapter.staged = staged
        done = Executed(chapters={ch.src_uri: ch for ch in chapters}, executed=len(stale), cells=cells,
                        seconds=time.perf_counter() - start)
        self.log(done.summary())
        return done

    # -- 4. publish -------------------------------------------------------------------------
    def publish(self, site: Path, chapters: dict[str, Chapter], scenes: dict[str, Rendered], *,
                site_url: str | None, repo_url: str | None) -> None:
        """Write the downloadable notebooks, the frozen figures and the animations into ``site``."""
        figures_url = f"{site_url.rstrip('/')}/{FIGURE_DIR}/" if site_url else None
        install = install_spec(repo_url, commit(self.settings.root))
        for chapter in chapters.values():
            assert chapter.staged is not None, "publish() needs the chapters that execute() staged"
            nb = nbformat.reads(chapter.staged.read_text(encoding="utf-8"), as_version=4)
            nb.cells.insert(0, setup_cell(install, figures_url, chapter.figures))
            target = site / NOTEBOOK_DIR / Path(chapter.src_uri).with_suffix(".ipynb")
            atomic_write(target, nbformat.writes(nb))
        figures = self.settings.figures
        if figures is not None and figures.is_dir():
            for path in sorted(figures.glob("*/*")):
                if path.is_file():
                    atomic_write(site / FIGURE_DIR / path.parent.name / path.name, path.read_bytes())
        for item in scenes.values():
            for path in item.files():
                atomic_write(site / ANIMATION_DIR / path.name, path.read_bytes())


def commit(root: Path) -> str | None:
    """The commit the book is built from ($GITHUB_SHA in CI, else ``git rev-parse HEAD``)."""
    sha = os.environ.get("GITHUB_SHA")
    if sha:
        return sha
    try:
        run = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                             check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout.strip() or None if run.returncode == 0 else None


def install_spec(repo_url: str | None, sha: str | None) -> str:
    """What a downloaded notebook pip-installs: dlbook at the commit the site was built from."""
    if repo_url and sha:
        return f"dlbook[notebooks] @ git+{repo_url.rstrip('/')}.git@{sha}"
    return "dlbook[notebooks]"


def setup_cell(install: str, figures_url: str | None, figures: dict[str, str]) -> nbformat.NotebookNode:
    """The first cell of a downloaded notebook: install dlbook only where it is missing, and
    read the figures this chapter shows from the published book, checked by their sha256."""
    lines = [
        "# Set-up, added by the book's build. In the book's own environment it does nothing;",
        "# elsewhere (Colab, a fresh virtualenv) it installs dlbook at the commit this page was",
        "# built from, and lets the chapter fetch its trained figures from the published book.",
        "import importlib.util",
        "import subprocess",
        "import sys",
        "",
        'if importlib.util.find_spec("dlbook") is None:',
        f'    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", {json.dumps(install)}])',
    ]
    if figures_url and figures:
        table = ",\n".join(f"    {json.dumps(name)}: {json.dumps(digest)}"
                            for name, digest in sorted(figures.items()))
        lines += [
            "",
            "from dlbook.figures import use_published",
            "",
            "# each figure's manifest.json, by its sha256 (the manifest holds the other files' hashes)",
            f"use_published({json.dumps(figures_url)}, {{\n{table},\n}})",
        ]
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.id = "dlbook-setup"  # a fixed id: the same build gives the same notebook
    cell.metadata["tags"] = ["dlbook-setup"]
    return cell
