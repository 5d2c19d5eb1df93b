"""The API reference: one page per public module of the library, made from its docstrings.

Nothing here is a hand-kept list. At every build:

- :func:`public_modules` reads the package folder: every ``dlbook/*.py`` not starting with
  ``_``, and every sub-package (``dlbook/figures/``). Each gets a generated page
  ``reference/<module>.md`` whose body is a mkdocstrings block (``::: dlbook.optim``), so
  the signatures, types and shapes come from the code and its docstrings; plus
  ``reference/index.md``, listing every module with the first line of its docstring.
- "Taught in": a module's page links the chapters whose code imports a name from it
  (:func:`library_uses`, following re-exports and ``dlbook._EXPORTS`` to where the name is
  defined), then the chapters that only run it through other modules (``Chapter.key.modules``,
  the import closure the chapter cache is keyed by).
- "Library used here": under each chapter's title, the dlbook names its code imports, each
  linked to its entry in the reference. Which anchor an entry has is read from the rendered
  reference pages (:meth:`Reference.fill`, once every page is rendered), so a link is made
  only to an id that exists; a name the reference does not show stays plain code.

The MkDocs plugin calls :meth:`Reference.add_pages` (``on_files``),
:meth:`Reference.placeholder` (``on_page_content``) and :meth:`Reference.fill` (``on_env``).
:class:`DocstringMarkdown` is a griffe extension (named in mkdocs.yml) that turns the
docstrings' doctest blocks and reST roles into Markdown before mkdocstrings renders them.

The package, by concept: :mod:`.modules` (the package's public modules, their members and
docstrings), :mod:`.uses` (what a chapter's code imports from the library, and which chapters
teach which module), :mod:`.pages` (the Markdown of the module pages and the index, the nav,
the "Library used here" HTML), :mod:`.docstrings` (docstrings as Markdown). This file holds
:class:`Reference`, the build's part, and re-exports the names the plugin, mkdocs.yml and the
tests use.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from dlbook_build.deps import resolve
from dlbook_build.reference.docstrings import docstring_markdown
from dlbook_build.reference.modules import (
    PACKAGE,
    REFERENCE_DIR,
    Members,
    docstring,
    module_members,
    page_of,
    page_uri,
    public_modules,
    shadowed_exports,
    summary,
)
from dlbook_build.reference.pages import (
    INDEX,
    expand_nav,
    html_ids,
    index_markdown,
    library_html,
    module_markdown,
    nav_order,
    nav_titles,
    notebook_title,
)
from dlbook_build.reference.uses import ChapterRef, Taught, Use, definition_chain, library_uses, taught_in

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

    from dlbook_build.book import Chapter

with suppress(ImportError):  # no griffe (mkdocstrings[python] not installed): no extension, no reference
    from dlbook_build.reference.docstrings import DocstringMarkdown

__all__ = [
    "INDEX",
    "MARKER",
    "PACKAGE",
    "REFERENCE_DIR",
    "ChapterRef",
    "DocstringMarkdown",
    "Members",
    "Reference",
    "Taught",
    "Use",
    "definition_chain",
    "docstring",
    "docstring_markdown",
    "expand_nav",
    "html_ids",
    "index_markdown",
    "library_html",
    "library_uses",
    "module_markdown",
    "module_members",
    "nav_order",
    "nav_titles",
    "notebook_title",
    "page_of",
    "page_uri",
    "public_modules",
    "shadowed_exports",
    "summary",
    "taught_in",
]

MARKER = "<!-- dlbook:library -->"  # where a chapter's "Library used here" line goes


# --- The build's part: pages, links ----------------------------------------------------------


class Reference:
    """The reference part of one build (on only when mkdocstrings is enabled and ``dlbook`` is
    one of the plugin's packages, so a throwaway test book gets none)."""

    def __init__(self, roots: Mapping[str, Path], package: str = PACKAGE) -> None:
        self.roots = dict(roots)
        self.package = package
        self.public: list[str] = []
        self.pages: dict[str, str] = {}  # module -> src_uri of its page
        self.uses: dict[str, list[Use]] = {}  # chapter src_uri -> the library names it imports

    @property
    def package_dir(self) -> Path | None:
        return self.roots.get(self.package)

    def enabled(self, config: MkDocsConfig) -> bool:
        package = self.package_dir
        return "mkdocstrings" in config.plugins and package is not None and package.is_dir()

    def add_pages(self, files: Files, config: MkDocsConfig, chapters: Mapping[str, Chapter]) -> Files:
        """``on_files``: add the generated pages (a file already in docs/ at a page's path wins)
        and put them in the nav under the entry of ``reference/index.md``."""
        from mkdocs.structure.files import File

        self.public, self.pages, self.uses = [], {}, {}
        package = self.package_dir
        if package is None or not self.enabled(config):
            return files
        self.public = public_modules(package, self.package)
        order = {uri: i for i, uri in enumerate(nav_order(config.nav))}
        titles = nav_titles(config.nav)
        refs = []
        for src_uri in sorted(chapters, key=lambda uri: (order.get(uri, len(order)), uri)):
            chapter = chapters[src_uri]
            sources = [c.source for c in chapter.notebook.cells if c.cell_type == "code"]
            uses = library_uses(sources, self.roots, self.public, self.package)
            self.uses[src_uri] = uses
            title = titles.get(src_uri) or notebook_title(chapter.notebook) or Path(src_uri).stem
            refs.append(ChapterRef(src_uri, title, uses, chapter.key.modules))
        taught = taught_in(refs, self.public)
        listing = []
        for module in self.public:
            path = resolve(module, self.roots)
            assert path is not None
            uri = page_uri(module)
            self.pages[module] = uri
            listing.append((module, summary(path)))
            if files.get_file_from_path(uri) is not None:
                continue
            if path.name == "__init__.py":  # a package: its page shows what it exports
                text = module_markdown(module, taught[module], extra=shadowed_exports(path, module))
            else:
                members = module_members(path, module)
                reexported = []
                for name in members.reexported:
                    target, attr = definition_chain(module, name, self.roots)[-1]
                    reexported.append((name, f"{target}.{attr}" if attr else target))
                text = module_markdown(module, taught[module], members=members.own, reexported=reexported)
            files.append(File.generated(config, uri, content=text))
        if files.get_file_from_path(INDEX) is None:
            intro = docstring(package / "__init__.py").split("\n\n")[0].replace("\n", " ")
            files.append(File.generated(config, INDEX, content=index_markdown(listing, intro=intro,
                                                                              package=self.package)))
        expand_nav(config.nav, [(module, uri) for module, uri in self.pages.items()])
        return files

    def placeholder(self, chapter: str) -> str:
        """``on_page_content``: where the chapter's "Library used here" line goes (filled by
        :meth:`fill` once the reference pages are rendered)."""
        return MARKER if self.uses.get(chapter) else ""

    def fill(self, files: Files) -> None:
        """``on_env`` (every page rendered): link each chapter's names to the ids the reference
        pages really have."""
        from mkdocs.utils import get_relative_url

        if not self.uses:
            return
        page_files = {module: files.get_file_from_path(uri) for module, uri in self.pages.items()}
        ids = {module: html_ids(f.page.content or "") for module, f in page_files.items()
               if f is not None and f.page is not None}
        for src_uri, uses in self.uses.items():
            file = files.get_file_from_path(src_uri)
            if file is None or file.page is None or not file.page.content or MARKER not in file.page.content:
                continue
            urls = {module: get_relative_url(f.url, file.page.url)
                    for module, f in page_files.items() if f is not None}
            file.page.content = file.page.content.replace(MARKER, library_html(uses, ids, urls), 1)
