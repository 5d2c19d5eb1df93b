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
"""

from __future__ import annotations

import ast
import html
import posixpath
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlbook_build.deps import lazy_exports, resolve

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

    from dlbook_build.book import Chapter

PACKAGE = "dlbook"  # the library the reference documents
REFERENCE_DIR = "reference"  # its pages' folder under docs/
INDEX = f"{REFERENCE_DIR}/index.md"
MARKER = "<!-- dlbook:library -->"  # where a chapter's "Library used here" line goes


# --- The package's public modules ------------------------------------------------------------


def public_modules(package_dir: Path, package: str = PACKAGE) -> list[str]:
    """Every public module of the package, by dotted name, sorted.

    A module is ``<package>/<name>.py`` and a sub-package ``<package>/<name>/__init__.py``, with
    ``name`` not starting with ``_``. A sub-package's own modules are documented on its page
    (what its ``__init__`` exports), so they get no page of their own.
    """
    found = [
        f"{package}.{path.stem}"
        for path in package_dir.glob("*.py")
        if not path.name.startswith("_")
    ]
    found += [
        f"{package}.{path.parent.name}"
        for path in package_dir.glob("*/__init__.py")
        if not path.parent.name.startswith(("_", "."))
    ]
    return sorted(found)


def page_uri(module: str) -> str:
    """Where the page of ``module`` goes under docs/: ``dlbook.optim`` -> ``reference/optim.md``."""
    _, _, rest = module.partition(".")
    return f"{REFERENCE_DIR}/{(rest or module).replace('.', '/')}.md"


def page_of(module: str, public: Collection[str]) -> str | None:
    """The public module whose page documents ``module``: itself, or the public package it is in."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in public:
            return candidate
    return None


def docstring(path: Path) -> str:
    """The module docstring of the file at ``path`` ("" when it has none or does not parse)."""
    try:
        return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except SyntaxError:
        return ""


def summary(path: Path) -> str:
    """The first line of a module's docstring: its one-line summary."""
    lines = [line.strip() for line in docstring(path).splitlines() if line.strip()]
    return lines[0] if lines else ""


def shadowed_exports(init: Path, module: str) -> list[str]:
    """Names a package exports that share their name with one of its submodules, as the dotted
    path of what they are (``dlbook.figures.show.show``, the function ``show`` of the submodule
    ``show``).

    mkdocstrings (griffe) sees the submodule under that name, not the function, so the package's
    page would leave the function out; the page documents these names with blocks of their own.
    """
    try:
        tree = ast.parse(init.read_text(encoding="utf-8"))
    except SyntaxError:
        return []
    exported = _all_names(tree)
    found = []
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        base = _absolute(node.module, node.level, module=module, is_package=True)
        for alias in node.names:
            bound = alias.asname or alias.name
            if base is None or alias.name == "*" or bound.startswith("_"):
                continue
            if exported is not None and bound not in exported:
                continue
            if (init.parent / f"{bound}.py").is_file() or (init.parent / bound / "__init__.py").is_file():
                found.append(f"{base}.{alias.name}")
    return found


@dataclass(frozen=True)
class Members:
    """What a plain module's page shows: the public names it defines, and those it re-exports."""

    own: list[str]  # defined here and public (listed in ``__all__`` when it has one), source order
    reexported: list[str]  # listed in ``__all__`` but imported from elsewhere


def module_members(path: Path, module: str) -> Members:
    """The members of the module at ``path``: re-exports are documented where they are defined (the
    page only links them), so ``dlbook.train`` does not repeat ``dlbook.callbacks``."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return Members([], [])
    exported = _all_names(tree)
    defined, imported = _bindings(path, module)
    own: list[str] = []
    for node in tree.body:
        for name in _defined_by(node):
            if name in defined and not name.startswith("_") and name not in own and (
                exported is None or name in exported
            ):
                own.append(name)
    reexported = [] if exported is None else [
        name for name in sorted(exported) if name in imported and name not in defined
    ]
    return Members(own, reexported)


def _defined_by(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    if isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    alias = getattr(ast, "TypeAlias", None)  # `type X = ...`, Python 3.12+
    if alias is not None and isinstance(node, alias):
        return [node.name.id]
    return []


def _all_names(tree: ast.Module) -> set[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value:
                try:
                    return {str(name) for name in ast.literal_eval(node.value)}
                except ValueError:
                    return None
    return None


def _absolute(name: str | None, level: int, *, module: str, is_package: bool) -> str | None:
    """``from <level dots><name> import ...`` in ``module``, as an absolute module name."""
    if level == 0:
        return name
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if level - 1 > len(parts):
        return None
    parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, *([name] if name else [])]) or None


# --- What a chapter's code imports from the library -----------------------------------------


@dataclass(frozen=True)
class Use:
    """One library name a chapter imports, and where the reference may document it."""

    name: str  # as the chapter imports it: "SGD"; a module's dotted name for a module
    path: str  # where it is defined: "dlbook.optim.SGD", or "dlbook.optim" for a module
    candidates: tuple[tuple[str, str], ...]  # (page module, anchor id), best first; id "" = page top

    @property
    def home(self) -> str | None:
        """The module whose page documents it (None: no public module does)."""
        return self.candidates[0][0] if self.candidates else None


def _bindings(path: Path, module: str) -> tuple[set[str], dict[str, tuple[str, str]]]:
    """Names a module defines at top level, and names it imports: ``name -> (module, name)``."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, OSError):
        return set(), {}
    defined: set[str] = set()
    imported: dict[str, tuple[str, str]] = {}
    is_package = path.name == "__init__.py"
    for node in tree.body:
        defined.update(_defined_by(node))
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:  # "import x.y as z": z is the module x.y
                    imported[alias.asname] = (alias.name, "")
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, module=module, is_package=is_package)
            if base is None:
                continue
            for alias in node.names:
                if alias.name != "*":
                    imported[alias.asname or alias.name] = (base, alias.name)
    return defined, imported


def definition_chain(module: str, name: str, roots: dict[str, Path]) -> list[tuple[str, str]]:
    """The hops from ``from module import name`` to where ``name`` is defined, first to last.

    Each hop is ``(module, name)``; a hop ``(module, "")`` means the name is a module. Re-exports
    (``from dlbook.metrics import accuracy`` in dlbook.train) and a package's lazy
    ``_EXPORTS`` table (``from dlbook import fit``) are followed; the chain stops at a module
    that defines the name, or where it cannot be followed (outside the tracked packages).
    """
    chain = [(module, name)]
    while len(chain) < 20:
        current, attr = chain[-1]
        if not attr:
            break
        path = resolve(current, roots)
        if path is None:
            break
        defined, imported = _bindings(path, current)
        if attr in defined:
            break
        if attr in imported:
            target, target_name = imported[attr]
            if (target, target_name) in chain:
                break
            chain.append((target, target_name))
            continue
        if path.name == "__init__.py":
            lazy = lazy_exports(path.read_text(encoding="utf-8")).get(attr)
            if lazy is not None:
                chain.append((lazy, attr))
                continue
            if resolve(f"{current}.{attr}", roots) is not None:  # a submodule
                chain.append((f"{current}.{attr}", ""))
        break
    return chain


def _candidates(chain: Sequence[tuple[str, str]], public: Collection[str]) -> tuple[tuple[str, str], ...]:
    """Where the reference may show the end of ``chain``: deepest hop first, and for a name defined
    in a package's submodule also under the package's own path (how its page shows exports)."""
    found: list[tuple[str, str]] = []
    for module, name in reversed(chain):
        page = page_of(module, public)
        if page is None:
            continue
        if not name:
            options = [(page, "" if module == page else module)]
        else:
            options = [(page, f"{module}.{name}")]
            if module != page:
                options.append((page, f"{page}.{name}"))
        found.extend(o for o in options if o not in found)
    return tuple(found)


def library_uses(sources: Iterable[str], roots: dict[str, Path], public: Collection[str],
                 package: str = PACKAGE) -> list[Use]:
    """The library names that ``sources`` (a chapter's code cells) import, in order of first import.

    ``from dlbook.x import A, B`` gives A and B; ``from dlbook import fit`` gives ``fit`` of
    dlbook.train (through ``dlbook._EXPORTS``); ``import dlbook.optim`` and
    ``from dlbook import figures`` give the module. ``import dlbook`` alone names nothing.
    """
    uses: dict[str, Use] = {}
    for source in sources:
        lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            wanted: list[tuple[str, str, str]] = []  # (shown name, module, attribute)
            if isinstance(node, ast.Import):
                wanted = [(a.name, a.name, "") for a in node.names
                          if a.name.startswith(f"{package}.")]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
                node.module == package or node.module.startswith(f"{package}.")
            ):
                wanted = [(a.name, node.module, a.name) for a in node.names if a.name != "*"]
            for shown, module, attr in wanted:
                chain = definition_chain(module, attr, roots)
                last_module, last_name = chain[-1]
                path = f"{last_module}.{last_name}" if last_name else last_module
                if path not in uses:
                    uses[path] = Use(name=shown, path=path, candidates=_candidates(chain, public))
    return list(uses.values())


# --- Which chapters teach which module ------------------------------------------------------


@dataclass
class ChapterRef:
    """What the reference needs of one chapter."""

    src_uri: str  # "training/gradient-descent.py"
    title: str
    uses: list[Use] = field(default_factory=list)  # the library names its code imports
    modules: Collection[str] = ()  # every library module it runs (Chapter.key.modules)


@dataclass(frozen=True)
class Taught:
    """The chapters of one module, in book order."""

    direct: list[ChapterRef]  # its code imports a name from the module
    indirect: list[ChapterRef]  # it only runs the module through others


def taught_in(chapters: Sequence[ChapterRef], public: Collection[str]) -> dict[str, Taught]:
    """For every public module, the chapters that teach it (import from it) and those that
    only run it (through other modules), each list in the order of ``chapters``."""
    direct: dict[str, list[ChapterRef]] = {m: [] for m in public}
    indirect: dict[str, list[ChapterRef]] = {m: [] for m in public}
    for chapter in chapters:
        homes = {home for use in chapter.uses if (home := use.home) is not None}
        runs = {page for m in chapter.modules if (page := page_of(m, public)) is not None}
        for module in sorted(homes):
            direct[module].append(chapter)
        for module in sorted(runs - homes):
            indirect[module].append(chapter)
    return {m: Taught(direct[m], indirect[m]) for m in public}


# --- The pages -------------------------------------------------------------------------------


def _md_link(title: str, target: str) -> str:
    text = re.sub(r"([\[\]\\`*_])", r"\\\1", title)
    return f"[{text}]({target})"


def module_markdown(module: str, taught: Taught, *, members: Sequence[str] | None = None,
                    reexported: Sequence[tuple[str, str]] = (), extra: Sequence[str] = ()) -> str:
    """The page of ``module``: its name, the chapters that teach it, then its mkdocstrings block
    (options in mkdocs.yml) and one block per export in ``extra`` (see :func:`shadowed_exports`).

    ``members`` (None: mkdocstrings' choice) limits the block to those names; ``reexported``
    (``(name, where it is defined)``) are listed with links to their entries instead.
    """
    here = posixpath.dirname(page_uri(module))

    def links(chapters: list[ChapterRef]) -> str:
        return ", ".join(_md_link(ch.title, posixpath.relpath(ch.src_uri, here)) for ch in chapters)

    lines = ["---", f"title: {module}", "---", "", f"# {module}", ""]
    if taught.direct:
        lines.append(f"**Taught in:** {links(taught.direct)}")
    else:
        lines.append("**Taught in:** no chapter imports from this module yet.")
    if taught.indirect:
        lines += ["", f"**Also runs in:** {links(taught.indirect)} (through other modules)"]
    if reexported:
        refs = ", ".join(f'<autoref identifier="{html.escape(path)}" optional>'
                         f"<code>{html.escape(name)}</code></autoref>" for name, path in reexported)
        lines += ["", f"**Re-exported here:** {refs} (documented where they are defined)"]
    lines += ["", f"::: {module}"]
    if members is not None:
        lines += ["    options:", f"      members: [{', '.join(members)}]"]
    lines.append("")
    for path in extra:
        lines += [f"::: {path}", "    options:", "      show_root_heading: true",
                  "      show_root_full_path: false", ""]
    return "\n".join(lines)


def index_markdown(modules: Sequence[tuple[str, str]], *, intro: str = "",
                   package: str = PACKAGE) -> str:
    """The reference's front page: every module (``(name, one-line summary)``) linked to its page."""
    lines = ["---", "title: API reference", "---", "", "# API reference", ""]
    if intro:
        lines += [intro, ""]
    lines += [
        f"One page per public module of `{package}`, made from the code's docstrings when the book "
        "is built: each entry shows its signature with types, what it does and the shapes it "
        "expects, and each page names the chapters that teach it. Names listed in "
        f"`{package}.__all__` can also be imported from `{package}` itself "
        f"(`from {package} import fit`).",
        "",
    ]
    for module, line in modules:
        target = posixpath.relpath(page_uri(module), REFERENCE_DIR)
        lines.append(f"- [`{module}`]({target}): {line}" if line else f"- [`{module}`]({target})")
    return "\n".join(lines) + "\n"


def expand_nav(nav: list[Any] | None, entries: Sequence[tuple[str, str]]) -> bool:
    """Give the nav entry of ``reference/index.md`` the module pages (``(title, uri)``) as its section.

    ``- API reference: reference/index.md`` becomes a section whose index page is that file,
    followed by one entry per module. Running it again replaces the generated entries (so a
    rebuild under ``mkdocs serve`` does not add them twice). False when the nav has no such entry.
    """
    generated = {uri for _, uri in entries}
    for items in _nav_lists(nav):
        for i, item in enumerate(items):
            if not isinstance(item, dict) or len(item) != 1:
                continue
            (title, value), = item.items()
            if value == INDEX:
                items[i] = {title: [INDEX, *({t: u} for t, u in entries)]}
                return True
            if isinstance(value, list) and value and value[0] == INDEX:
                kept = [v for v in value[1:] if not (isinstance(v, dict) and set(v.values()) <= generated)]
                items[i] = {title: [INDEX, *kept, *({t: u} for t, u in entries)]}
                return True
    return False


def _nav_lists(nav: Any) -> Iterable[list[Any]]:
    if isinstance(nav, list):
        yield nav
        for item in nav:
            if isinstance(item, dict):
                for value in item.values():
                    yield from _nav_lists(value)


def nav_titles(nav: Any) -> dict[str, str]:
    """``{src_uri: title}`` of the pages the nav names with a title, in nav order."""
    titles: dict[str, str] = {}
    for items in _nav_lists(nav):
        for item in items:
            if isinstance(item, dict):
                for title, value in item.items():
                    if isinstance(value, str):
                        titles.setdefault(value, str(title))
    return titles


def nav_order(nav: Any) -> list[str]:
    """Every page the nav names, in the order a reader meets them."""
    order: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            order.append(value)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(nav)
    return order


def notebook_title(nb: Any) -> str | None:
    """The first level-1 Markdown heading of a notebook, if any."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


# --- A chapter's "Library used here" line ----------------------------------------------------


def library_html(uses: Sequence[Use], ids: Mapping[str, Collection[str]], urls: Mapping[str, str]) -> str:
    """The "Library used here" line: each name linked to the first of its candidates whose id is on
    that page (``ids``: page module -> the ids its HTML has; ``urls``: page module -> the page's
    URL relative to the chapter). A name with no such id is shown unlinked."""
    if not uses:
        return ""
    items = []
    for use in uses:
        code = f"<code>{html.escape(use.name)}</code>"
        for page, anchor in use.candidates:
            if page in urls and (not anchor or anchor in ids.get(page, ())):
                href = urls[page] + (f"#{anchor}" if anchor else "")
                items.append(f'<a href="{html.escape(href)}" title="{html.escape(use.path)}">{code}</a>')
                break
        else:
            items.append(f'<span title="{html.escape(use.path)}">{code}</span>')
    return ('<p class="dlbook-library"><strong>Library used here:</strong> '
            + ", ".join(items) + "</p>\n")


_ID = re.compile(r"""\sid=["']([^"']+)["']""")


def html_ids(text: str) -> set[str]:
    """The ids of the elements in a page's HTML."""
    return {html.unescape(m) for m in _ID.findall(text)}


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


# --- Docstrings as Markdown ------------------------------------------------------------------

_ROLE = re.compile(r":(?:mod|func|class|meth|attr|data|obj|exc|const):`(~?)!?([^`]+)`")
_SECTION = re.compile(r"^\s*Examples?:\s*$", re.M)


def docstring_markdown(text: str) -> str:
    """A docstring made ready for Markdown: reST roles (``:mod:`x```) become code spans and doctest
    blocks (``>>>`` lines and their output, up to a blank line) become ``pycon`` code blocks,
    which Markdown would otherwise read as nested quotes. Fenced blocks and docstrings with a
    Google "Examples:" section (which mkdocstrings renders itself) keep their doctests."""
    text = _ROLE.sub(lambda m: f"`{m.group(2).rpartition('.')[2] if m.group(1) else m.group(2)}`", text)
    if ">>>" not in text or _SECTION.search(text):
        return text
    out: list[str] = []
    fence: str | None = None
    block: list[str] = []
    indent = ""

    def close() -> None:
        if block:
            out.extend([f"{indent}```pycon", *block, f"{indent}```"])
            block.clear()

    for line in text.splitlines():
        stripped = line.lstrip()
        if block:
            if stripped:
                block.append(line)
                continue
            close()
        if fence is None and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None and (stripped.startswith(">>> ") or stripped == ">>>"):
            indent = line[: len(line) - len(stripped)]
            if out and out[-1].strip():
                out.append("")
            block.append(line)
            continue
        out.append(line)
    close()
    return "\n".join(out)


try:
    import griffe
except ImportError:  # mkdocstrings[python] not installed: the reference is off anyway
    griffe = None  # type: ignore[assignment]

if griffe is not None:

    class DocstringMarkdown(griffe.Extension):
        """Griffe extension (mkdocs.yml: mkdocstrings' ``extensions``) applying
        :func:`docstring_markdown` to every docstring it loads."""

        def on_object(self, *, obj: Any, **kwargs: Any) -> None:
            if obj.docstring is not None:
                obj.docstring.value = docstring_markdown(obj.docstring.value)
