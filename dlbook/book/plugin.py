"""The ``dlbook`` MkDocs plugin: executes chapters through the cache, then hands them to mkdocs-jupyter.

Order of events in one build (``mkdocs build`` and every ``mkdocs serve`` rebuild):

0. ``on_pre_build`` first renders the Manim scenes of ``animations_dir`` whose cache key
   changed (dlbook/book/animations.py), each in its own process, ``jobs`` at a time.
1. ``on_pre_build``: every chapter (a jupytext ``.py`` under docs/) is keyed; stale
   ones are executed, fresh ones come from the cache. Outputs are merged into the
   chapter's *current* text and staged as ``<cache>/pages/<chapter>.ipynb``. A failing
   cell stops the build here, before the site folder is touched.
2. ``on_files``: each chapter's file now reads from its staged notebook, and
   mkdocs-jupyter (listed after this plugin, ``execute: false``) renders exactly those.
3. ``on_page_content``: the JupyterLab CSS that mkdocs-jupyter inlines into every page
   is moved to one shared file, requests to outside hosts are dropped, and the
   "Download notebook" / "Open in Colab" buttons are added. On every page (Markdown
   or notebook) a paragraph ``{{ animation("Name") }}`` becomes the scene's figure.
4. ``on_post_build``: the shared CSS, the notebooks (with outputs) and the rendered
   animations (under ``assets/animations/``) are written to the site.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import posixpath
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jupytext
import nbformat
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from dlbook.book.animations import SITE_DIR as ANIMATION_DIR
from dlbook.book.animations import AnimationCache, AnimationError, Rendered
from dlbook.book.animations import build as build_animations
from dlbook.book.animations import embed as embed_animations
from dlbook.book.cache import ChapterKey, ExecutionCache, chapter_key, merge_outputs
from dlbook.book.execute import ChapterError, Run, execute_chapter
from dlbook.utils import atomic_write, device_kind

log = logging.getLogger("mkdocs.plugins.dlbook")

NOTEBOOK_DIR = "notebooks"  # where the site publishes each chapter as .ipynb
CSS_DIR = "assets/jupyter"
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>\s*", re.S)
_SOURCE_LINK = re.compile(r'(<a\s[^>]*?href=")(?![a-z][\w+.-]*:|/|#)([^"#?]+\.(?:py|md|ipynb))(#[^"]*)?"')
_SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>\s*", re.S)
_REMOTE = re.compile(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}/")


def _local_script(match: re.Match[str]) -> str:
    """Drop the scripts mkdocs-jupyter adds that would load code from other hosts
    (MathJax 2 and mermaid from a CDN, an empty ``src``); we serve MathJax ourselves."""
    attrs, body = match.group(1), match.group(2)
    src = re.search(r"\bsrc=[\"']([^\"']*)[\"']", attrs)
    if src is not None and (not src.group(1) or _REMOTE.match(src.group(1))):
        return ""
    if "text/x-mathjax-config" in attrs or _REMOTE.search(body):
        return ""
    return match.group(0)


class DlbookPluginConfig(base.Config):
    chapters = c.ListOfItems(c.Type(str), default=["*/[!_]*.py"])  # globs under docs_dir
    packages = c.ListOfItems(c.Type(str), default=["dlbook"])  # folders whose code keys the cache
    lock_files = c.ListOfItems(c.Type(str), default=["requirements.lock"])
    cache_dir = c.Type(str, default=".cache/dlbook")  # $DLBOOK_CACHE_DIR overrides
    figures_dir = c.Optional(c.Type(str))  # frozen trained figures (`dlbook figures`); off if unset
    tier = c.Choice(("smoke", "full"), default="full")  # $DLBOOK_TIER overrides
    timeout = c.Type(int, default=300)  # seconds per cell; a chapter's header can change it
    jobs = c.Type(int, default=2)  # chapters executed (and scenes rendered) at once
    animations_dir = c.Optional(c.Type(str))  # the Manim scenes' package; off if unset
    animation_quality = c.Choice(("low", "medium"), default="medium")  # $DLBOOK_ANIMATION_QUALITY overrides
    animation_timeout = c.Type(int, default=600)  # seconds per scene


@dataclass
class Chapter:
    src_uri: str  # path under docs/, e.g. "foundations/mathematical-foundations.py"
    path: Path
    notebook: nbformat.NotebookNode
    key: ChapterKey
    staged: Path | None = None


class DlbookPlugin(BasePlugin[DlbookPluginConfig]):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.root = Path(config.config_file_path).resolve().parent
        self.docs = Path(config.docs_dir).resolve()
        cache_dir = os.environ.get("DLBOOK_CACHE_DIR") or self.config.cache_dir
        self.cache = ExecutionCache(self.root / cache_dir)
        self.tier = os.environ.get("DLBOOK_TIER") or self.config.tier
        if self.tier not in ("smoke", "full"):
            raise PluginError(f"DLBOOK_TIER must be 'smoke' or 'full', got {self.tier!r}")
        self.device = device_kind()
        self.roots = {Path(p).name: self.root / p for p in self.config.packages}
        self.figures = self.root / self.config.figures_dir if self.config.figures_dir else None
        self.chapters: dict[str, Chapter] = {}
        self.css: dict[str, str] = {}  # file name -> content
        self.repo = _github_repo(config.repo_url)
        self.animation_quality = os.environ.get("DLBOOK_ANIMATION_QUALITY") or self.config.animation_quality
        if self.animation_quality not in ("low", "medium"):
            raise PluginError(
                f"DLBOOK_ANIMATION_QUALITY must be 'low' (480p15) or 'medium' (720p30), "
                f"got {self.animation_quality!r}"
            )
        self.animations_dir = self.root / self.config.animations_dir if self.config.animations_dir else None
        if self.animations_dir is not None and not self.animations_dir.is_dir():
            raise PluginError(f"dlbook: animations_dir {self.config.animations_dir!r} is not a folder")
        self.animations: dict[str, Rendered] = {}
        return config

    # -- 1. execute ---------------------------------------------------------------------
    def discover(self) -> list[Chapter]:
        paths = sorted({p for pattern in self.config.chapters for p in self.docs.glob(pattern)})
        locks = [self.root / p for p in self.config.lock_files]
        chapters = []
        for path in paths:
            src_uri = path.relative_to(self.docs).as_posix()
            try:
                nb = jupytext.read(path)
            except Exception as err:  # jupytext raises many kinds; all mean "not a notebook"
                raise PluginError(f"{src_uri}: not a readable jupytext notebook: {err}") from err
            for index, cell in enumerate(nb.cells):  # jupytext draws random ids; keep pages stable
                cell.id = f"cell-{index}"
            key = chapter_key(
                nb, roots=self.roots, lock_files=locks, tier=self.tier, device=self.device,
                data_files=self._figures_used(nb),
            )
            chapters.append(Chapter(src_uri=src_uri, path=path, notebook=nb, key=key))
        return chapters

    def _figures_used(self, nb: nbformat.NotebookNode) -> list[Path]:
        """Manifests of the frozen figures whose names appear (quoted) in the code cells."""
        code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
        if self.figures is None or not self.figures.is_dir():
            return []
        return [
            folder / "manifest.json"
            for folder in sorted(self.figures.iterdir())
            if f'"{folder.name}"' in code or f"'{folder.name}'" in code
        ]

    def refresh_figures(self) -> None:
        """Remake stale figures before any chapter shows them; skip the check when nothing changed."""
        if self.figures is None:
            return
        sources = sorted(p for root in self.roots.values() for p in root.rglob("*.py"))
        manifests = sorted(self.figures.glob("*/manifest.json")) if self.figures.is_dir() else []
        h = hashlib.sha256(self.tier.encode())
        for path in [*sources, *manifests]:
            h.update(str(path).encode() + b"\0" + path.read_bytes())
        stamp = self.cache.root / "figures-checked"
        if stamp.is_file() and stamp.read_text() == h.hexdigest():
            return
        from dlbook.figures.pipeline import refresh

        try:
            done = refresh(tier=self.tier, root=self.figures, bar=False, log=log.info)
        except Exception as err:
            raise PluginError(f"dlbook: making a stale figure failed: {type(err).__name__}: {err}") from err
        if not any(what == "made" for _, what in done):
            atomic_write(stamp, h.hexdigest())
        else:  # the manifests changed: hash them again for the next build
            self.refresh_figures()

    def _run(self, chapter: Chapter) -> Run:
        nb = copy.deepcopy(chapter.notebook)
        timeout = int(nb.metadata.get("dlbook", {}).get("timeout", self.config.timeout))
        env = {
            "DLBOOK_TIER": self.tier,
            "PYTHONPATH": os.pathsep.join(
                [str(self.root), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            **({"DLBOOK_FIGURES_DIR": str(self.figures)} if self.figures else {}),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        }
        run = execute_chapter(
            nb, page=f"docs/{chapter.src_uri}", cwd=chapter.path.parent, timeout=timeout, env=env
        )
        self.cache.put(
            chapter.key, run.notebook, source=chapter.src_uri, cells=run.cells, seconds=run.seconds
        )
        return run

    def render_animations(self) -> None:
        """Render the scenes whose key changed; the others come from the cache."""
        if self.animations_dir is None:
            return
        start = time.perf_counter()
        roots = {**self.roots, self.animations_dir.name: self.animations_dir}
        try:
            done = build_animations(
                self.animations_dir, roots=roots, cache=AnimationCache(self.cache.root),
                quality=self.animation_quality, jobs=self.config.jobs,
                timeout=self.config.animation_timeout, log=log.info,
            )
        except AnimationError as err:
            raise PluginError(f"dlbook: {err}") from err
        self.animations = done.scenes
        log.info(f"{done.summary(self.animation_quality)} ({time.perf_counter() - start:.1f} s)")

    def on_pre_build(self, config: MkDocsConfig) -> None:
        self.render_animations()
        start = time.perf_counter()
        self.refresh_figures()
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
            log.info(f"dlbook: executing {len(stale)} chapter(s) [tier {self.tier}, {self.device}]: {names}")
            with ThreadPoolExecutor(max_workers=max(1, self.config.jobs)) as pool:
                futures = {ch.src_uri: pool.submit(self._run, ch) for ch in stale}
                for src_uri, future in futures.items():
                    try:
                        run = future.result()
                    except ChapterError as err:
                        errors.append(str(err))
                        continue
                    executed[src_uri] = run.notebook
                    cells += run.cells
        if errors:
            raise PluginError("dlbook: a chapter failed to execute\n\n" + "\n\n".join(errors))
        for chapter in chapters:
            merged = merge_outputs(chapter.notebook, executed[chapter.src_uri])
            staged = self.cache.root / "pages" / Path(chapter.src_uri).with_suffix(".ipynb")
            text = nbformat.writes(merged)
            if not staged.is_file() or staged.read_text(encoding="utf-8") != text:
                atomic_write(staged, text)
            chapter.staged = staged
        self.chapters = {ch.src_uri: ch for ch in chapters}
        log.info(
            f"dlbook: chapters executed: {len(stale)}, cells executed: {cells}, "
            f"chapters from cache: {len(chapters) - len(stale)} ({time.perf_counter() - start:.1f} s)"
        )

    # -- 2. hand the executed notebooks to mkdocs-jupyter ---------------------------------
    def _point_at_staged(self, files: Files) -> None:
        for file in files:
            chapter = self.chapters.get(file.src_uri)
            if chapter is not None:
                file.abs_src_path = str(chapter.staged)

    @event_priority(100)
    def _before_jupyter(self, files: Files, config: MkDocsConfig) -> Files:
        self._point_at_staged(files)
        jupyter = next(
            (p for name, p in config.plugins.items() if name.endswith("mkdocs-jupyter")), None
        )
        if jupyter is None:
            raise PluginError("dlbook: the mkdocs-jupyter plugin must be enabled in mkdocs.yml")
        # mkdocs-jupyter renders exactly our staged chapters and nothing else
        jupyter.config["include"] = [str(ch.staged) for ch in self.chapters.values()]
        jupyter.config["execute"] = False
        return files

    @event_priority(-100)
    def _after_jupyter(self, files: Files, config: MkDocsConfig) -> Files:
        # mkdocs-jupyter wraps each notebook in a new File object; point those too
        self._point_at_staged(files)
        return files

    on_files = CombinedEvent(_before_jupyter, _after_jupyter)

    # -- 3. shared CSS, no remote requests, notebook buttons -------------------------------
    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if "animation(" in html:
            try:
                html, _ = embed_animations(
                    html, self.animations, page=f"docs/{page.file.src_uri}",
                    url=lambda path: get_relative_url(path, page.url),
                )
            except AnimationError as err:
                raise PluginError(f"dlbook: {err}") from err
        chapter = self.chapters.get(page.file.src_uri)
        if chapter is None:
            return html
        css = "\n".join(m.group(1).strip() for m in _STYLE.finditer(html))
        html = _STYLE.sub("", html)
        html = _SCRIPT.sub(_local_script, html)
        html = self._rewrite_links(html, page, files)
        links = []
        if css:
            name = f"notebook-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
            self.css[name] = css
            href = get_relative_url(f"{CSS_DIR}/{name}", page.url)
            links.append(f'<link rel="stylesheet" href="{href}">')
        # the buttons go right under the chapter's title (or on top if it has none)
        head, h1, rest = html.partition("</h1>")
        actions = self._actions(chapter, page)
        html = head + h1 + actions + rest if h1 else actions + html
        return "\n".join(links) + html

    def _rewrite_links(self, html: str, page: Page, files: Files) -> str:
        """Point links to other pages' sources (``perceptron.py``, ``../index.md#x``) at their URLs.

        MkDocs does this for Markdown pages only; in notebook pages the links arrive as
        written. A link to a source that does not exist is a warning (an error with --strict).
        """

        def fix(match: re.Match[str]) -> str:
            target, fragment = match.group(2), match.group(3) or ""
            src = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), target))
            file = files.get_file_from_path(src)
            if file is None:
                log.warning(f"dlbook: {page.file.src_uri} links to {target!r}, which is not a page")
                return match.group(0)
            return f'{match.group(1)}{get_relative_url(file.url, page.url)}{fragment}"'

        return _SOURCE_LINK.sub(fix, html)

    def _actions(self, chapter: Chapter, page: Page) -> str:
        nb_path = Path(chapter.src_uri).with_suffix(".ipynb").as_posix()
        download = get_relative_url(f"{NOTEBOOK_DIR}/{nb_path}", page.url)
        buttons = [
            f'<a class="md-button dlbook-download" href="{download}" download>Download notebook</a>'
        ]
        if self.repo:
            colab = f"https://colab.research.google.com/github/{self.repo}/blob/{NOTEBOOK_DIR}/{nb_path}"
            buttons.append(
                f'<a class="md-button dlbook-colab" href="{colab}" rel="noopener">Open in Colab</a>'
            )
        return f'<div class="dlbook-actions">{" ".join(buttons)}</div>\n'

    # -- 4. write shared files -----------------------------------------------------------
    def on_post_build(self, config: MkDocsConfig) -> None:
        site = Path(config.site_dir)
        for name, css in self.css.items():
            atomic_write(site / CSS_DIR / name, css)
        for chapter in self.chapters.values():
            nb = nbformat.reads(chapter.staged.read_text(encoding="utf-8"), as_version=4)  # type: ignore[union-attr]
            nb.cells.insert(0, _install_cell(config.repo_url))
            target = site / NOTEBOOK_DIR / Path(chapter.src_uri).with_suffix(".ipynb")
            atomic_write(target, nbformat.writes(nb))
        for item in self.animations.values():
            for path in item.files():
                atomic_write(site / ANIMATION_DIR / path.name, path.read_bytes())

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        watched = [*self.roots.values(), *(self.root / p for p in self.config.lock_files)]
        if self.animations_dir is not None:  # an edited scene re-renders only that scene
            watched.append(self.animations_dir)
        for path in watched:
            if path.exists():
                server.watch(str(path))
        return server


def _github_repo(repo_url: str | None) -> str | None:
    """``owner/name`` from a GitHub ``repo_url``, for the Colab links."""
    if not repo_url:
        return None
    url = urlparse(repo_url)
    parts = url.path.strip("/").removesuffix(".git").split("/")
    return "/".join(parts[:2]) if url.netloc == "github.com" and len(parts) >= 2 else None


def _install_cell(repo_url: str | None) -> nbformat.NotebookNode:
    spec = f"dlbook @ git+{repo_url}" if repo_url else "dlbook"
    return nbformat.v4.new_code_cell(
        "# Outside the book's own environment (Colab, say), install dlbook first:\n"
        f'# %pip install -q "{spec}"'
    )
