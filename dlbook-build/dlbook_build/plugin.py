"""The ``dlbook`` MkDocs plugin: a thin caller of the build's own steps (:mod:`dlbook_build.book`).

Order of events in one build (``mkdocs build`` and every ``mkdocs serve`` rebuild):

1. ``on_pre_build``: :meth:`Book.render_scenes`, :meth:`Book.make_figures`,
   :meth:`Book.execute` (each also runnable as ``dlbook-build scenes|figures|execute``).
   A failing cell stops the build here, before the site folder is touched.
2. ``on_files``: each chapter's file now reads from its staged notebook, and
   mkdocs-jupyter (listed after this plugin, ``execute: false``) renders exactly those;
   the API reference pages (:mod:`dlbook_build.reference`, one per library module) and the
   bibliography (:mod:`dlbook_build.bibliography`, from the chapters' References) are added.
3. ``on_page_content``: the JupyterLab CSS that mkdocs-jupyter inlines into every page
   is dropped (``docs/assets/stylesheets/notebook.css`` holds the few rules the pages use),
   requests to outside hosts are dropped, and the "Download notebook" / "Open in Colab"
   buttons and the "Library used here" line are added (``on_env`` fills in its links to
   the reference). On every page (Markdown or notebook) a paragraph
   ``{{ animation("Name") }}`` becomes the scene's figure.
4. ``on_post_page``: every formula typeset by KaTeX (:mod:`dlbook_build.typeset`; the page
   then links KaTeX's stylesheet) and every embedded image moved to a file with its size
   and alt text (:mod:`dlbook_build.images`), after the search index has read the page.
5. ``on_post_build``: the image files, the typesetting cache, then :meth:`Book.publish`:
   the notebooks (with outputs and a set-up cell), the frozen figures and the animations.

Only the MkDocs-specific parts live here (file routing, page HTML), so a move to another
site generator reuses every step.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from dlbook_build.animations import AnimationError, Rendered
from dlbook_build.animations import embed as embed_animations
from dlbook_build.bibliography import add_page as add_bibliography
from dlbook_build.book import NOTEBOOK_DIR, Book, BuildError, Chapter, Settings
from dlbook_build.images import ImageError, Images, cell_images
from dlbook_build.notebook_html import clean as clean_notebook
from dlbook_build.notebook_html import focusable_scrollers, plain_names
from dlbook_build.page_data import PageData
from dlbook_build.reference import Reference  # the API reference (reference/)
from dlbook_build.site_assets import (
    combine,
    drop_unused_mkdocstrings_css,
    in_docs,
    scripts_after_first_frame,
    theme_stylesheets,
)
from dlbook_build.typeset import STYLESHEET as KATEX_CSS
from dlbook_build.typeset import TypesetError, Typesetter, mark_notebook_math

log = logging.getLogger("mkdocs.plugins.dlbook")

_SOURCE_LINK = re.compile(r'(<a\s[^>]*?href=")(?![a-z][\w+.-]*:|/|#)([^"#?]+\.(?:py|md|ipynb))(#[^"]*)?"')


class DlbookPluginConfig(base.Config):
    chapters = c.ListOfItems(c.Type(str), default=["*/[!_]*.py"])  # globs under docs_dir
    packages = c.ListOfItems(c.Type(str), default=["dlbook"])  # folders whose code keys the cache
    lock_files = c.ListOfItems(c.Type(str), default=["requirements.lock"])
    cache_dir = c.Type(str, default=".cache/dlbook")  # $DLBOOK_CACHE_DIR overrides
    figures_dir = c.Optional(c.Type(str))  # frozen trained figures (`dlbook-build figures`); off if unset
    tier = c.Choice(("smoke", "full"), default="full")  # $DLBOOK_TIER overrides
    timeout = c.Type(int, default=300)  # seconds per cell; a chapter's header can change it
    jobs = c.Type(int, default=2)  # chapters executed (and scenes rendered) at once
    animations_dir = c.Optional(c.Type(str))  # the Manim scenes' package; off if unset
    animation_quality = c.Choice(("low", "medium"), default="medium")  # $DLBOOK_ANIMATION_QUALITY overrides
    animation_timeout = c.Type(int, default=600)  # seconds per scene


class DlbookPlugin(BasePlugin[DlbookPluginConfig]):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        root = Path(config.config_file_path).resolve().parent
        try:
            settings = Settings.from_plugin(root, Path(config.docs_dir), dict(self.config))
        except BuildError as err:
            raise PluginError(str(err)) from err
        self.book = Book(settings, log=log.info)
        self.chapters: dict[str, Chapter] = {}
        self.animations: dict[str, Rendered] = {}
        self.typesetter = Typesetter(settings.cache_root)
        self.images = Images(settings.cache_root)
        self.page_data = PageData()  # explorable figures' data, as files
        mark_notebook_math()  # notebook math reaches on_post_page as Markdown pages' does
        self.repo = _github_repo(config.repo_url)
        self.reference = Reference(settings.roots)  # API reference: pages, chapter links
        return config

    # -- 1. the build's steps ---------------------------------------------------------------
    def on_pre_build(self, config: MkDocsConfig) -> None:
        docs = Path(config.docs_dir)  # the site's stylesheets and scripts, one file per kind
        styles = [*theme_stylesheets(config.theme.dirs),
                  *in_docs(docs, [str(e) for e in config.extra_css], ".css"),
                  *in_docs(docs, [KATEX_CSS], ".css")]
        self.combined = [c for c in (combine(styles, ".css"),
                                     combine(in_docs(docs, [str(e) for e in config.extra_javascript],
                                                     ".js"), ".js"))
                         if c is not None]
        try:
            self.animations = self.book.render_scenes()
            self.book.make_figures()
            self.chapters = self.book.execute().chapters
        except BuildError as err:
            raise PluginError(str(err)) from err

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
        # the API reference's generated pages (reference/*.md) and their nav entries
        files = self.reference.add_pages(files, config, self.chapters)
        # the bibliography (bibliography.md), made from every chapter's References section
        return add_bibliography(files, config, self.chapters)

    on_files = CombinedEvent(_before_jupyter, _after_jupyter)

    # -- 3. no JupyterLab CSS, no remote requests, notebook buttons --------------------------
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
        html = clean_notebook(html)  # no JupyterLab CSS, no foreign scripts, the theme's code blocks
        html = self._rewrite_links(html, page, files)
        # the buttons go right under the chapter's title (or on top if it has none)
        head, h1, rest = html.partition("</h1>")
        actions = self._actions(chapter, page) + self.reference.placeholder(chapter.src_uri)
        html = head + h1 + actions + rest if h1 else actions + html
        return html

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

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> Any:
        # every page is rendered: link each chapter's "Library used here" names to the reference
        self.reference.fill(files)
        return env

    # -- 4. math typeset, images as files ------------------------------------------------------
    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str | None:
        name = f"docs/{page.file.src_uri}"
        cells = None
        chapter = self.chapters.get(page.file.src_uri)
        if chapter is not None and chapter.staged is not None:
            cells, problems = cell_images(json.loads(chapter.staged.read_text(encoding="utf-8")))
            if problems:
                raise PluginError(f"dlbook: {chapter.src_uri}: " + "; ".join(problems))
        try:
            output, formulas = self.typesetter.page(output, name)
            to_site = get_relative_url("x", page.url)[:-1]
            output = self.images.page(output, page=name, cells=cells, to_site=to_site)
            output = self.page_data.page(output, to_site=to_site)  # after images: their URLs in it
        except (TypesetError, ImageError) as err:
            raise PluginError(f"dlbook: {err}") from err
        output = plain_names(focusable_scrollers(output))
        for combined in self.combined:
            output = combined.page(output)
        output = scripts_after_first_frame(drop_unused_mkdocstrings_css(output))
        if formulas and not any(KATEX_CSS in c.members for c in self.combined):
            href = get_relative_url(KATEX_CSS, page.url)  # KaTeX's stylesheet, on its own
            output = output.replace("</head>", f'<link rel="stylesheet" href="{href}">\n</head>', 1)
        return output

    def on_post_template(self, output_content: str, template_name: str, config: MkDocsConfig) -> str | None:
        if template_name == "404.html":  # the one page the theme renders without a page object
            for combined in self.combined:
                output_content = combined.page(output_content)
            output_content = scripts_after_first_frame(drop_unused_mkdocstrings_css(output_content))
        return output_content

    # -- 5. write shared files -----------------------------------------------------------
    def on_post_build(self, config: MkDocsConfig) -> None:
        site = Path(config.site_dir)
        self.images.write(site)
        self.page_data.write(site)
        for combined in self.combined:
            combined.write(site)
        self.typesetter.save()
        log.info(f"dlbook: {len(self.typesetter.used)} formula(s) typeset, {self.typesetter.rendered} "
                 f"new; {len(self.images.files)} image(s) as files, "
                 f"{self.images.bytes_in / 1e3:.0f} KB -> {self.images.bytes_out / 1e3:.0f} KB; "
                 f"{len(self.page_data.files)} explorable data file(s)")
        self.book.publish(site, self.chapters, self.animations, site_url=config.site_url,
                          repo_url=config.repo_url)

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        s = self.book.settings
        watched = [*s.roots.values(), *(s.root / p for p in s.lock_files), s.root / "experiments"]
        if s.animations is not None:  # an edited scene re-renders only that scene
            watched.append(s.animations)
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
