"""The reference's Markdown and HTML: module pages and the index, the nav, "Library used here".

Pure text-making: :func:`module_markdown` and :func:`index_markdown` write the generated pages,
:func:`expand_nav` gives them their nav entries, and :func:`library_html` writes a chapter's
"Library used here" line from the ids the rendered reference pages have (:func:`html_ids`).
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from dlbook_build.reference.modules import PACKAGE, REFERENCE_DIR, page_uri
from dlbook_build.reference.uses import ChapterRef, Taught, Use

INDEX = f"{REFERENCE_DIR}/index.md"


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
    """The "Library used here" box (folded): each name linked to the first of its candidates whose id is on
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
    # folded: on a phone the list would push the chapter's first paragraph off the screen
    return (f'<details class="note dlbook-library"><summary>Library used here: {len(items)} '
            f'name{"s" if len(items) != 1 else ""} from dlbook</summary>\n<p>'
            + ", ".join(items) + "</p>\n</details>\n")


_ID = re.compile(r"""\sid=["']([^"']+)["']""")


def html_ids(text: str) -> set[str]:
    """The ids of the elements in a page's HTML."""
    return {html.unescape(m) for m in _ID.findall(text)}

