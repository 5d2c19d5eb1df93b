"""The bibliography page: every work the chapters cite, made from their "References" sections.

Each chapter (``docs/<part>/<chapter>.py``) ends with a section ``## References``: a bullet
list, one work an item, such as ``A. Author and B. Author, "Title", *Venue* 12 (1999):
a note. [doi:10.x/y](https://doi.org/10.x/y)``. At every build the plugin's ``on_files``
calls :func:`add_page`, which

1. reads each chapter's items (:func:`references`; an item may span several lines),
2. merges the items that cite the same work from several chapters (:func:`merge`): the same
   link, or the same first author and title,
3. sorts the works by first author's surname, then year, and
4. writes ``bibliography.md`` (:func:`bibliography_markdown`), each work followed by
   "Cited in:" and links to its chapters, and gives it a nav entry after the chapters.

Nothing is kept by hand, so the page cannot drift from the chapters. A chapter without a
References section simply cites nothing.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dlbook_build.reference.pages import nav_order, nav_titles, notebook_title

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

    from dlbook_build.book import Chapter

PAGE = "bibliography.md"
TITLE = "Bibliography"

_SECTION = re.compile(r"^##\s+References\s*$", re.I)
_HEADING = re.compile(r"^#{1,2}\s")  # a heading that ends the section
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]*(?:\([^)\s]*\)[^)\s]*)*)\)")  # [text](url), parens allowed
_TITLE = re.compile(r'"[^"]+"|“[^”]+”|\*[^*]+\*')  # the first quoted or italic span
_YEAR = re.compile(r"\b((?:1[7-9]|20)\d\d)\b")  # 1700-2099: not "LNCS 1524"
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.)(?:-?[A-Z][a-z]?\.)*$")  # "J.", "Ya.", "K.-R."


# --- 1. A chapter's items ----------------------------------------------------------------------


def references(nb: Any) -> list[str]:
    """The items of the ``## References`` section of a notebook (jupytext or nbformat), each
    joined onto one line. The section runs to the next heading of level 1 or 2 or to the next
    code cell; [] when the chapter has none."""
    items: list[str] = []
    inside = False  # in the section
    open_ = False  # the last item may still go on
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            if inside:
                break
            continue
        for line in cell.source.splitlines():
            if not inside:
                inside = bool(_SECTION.match(line.strip()))
                continue
            if _HEADING.match(line):
                return items
            bullet = _BULLET.match(line)
            if not line.strip():
                continue  # a blank line: an indented paragraph after it is still the item's
            if bullet:
                items.append(bullet.group(1).strip())
                open_ = True
            elif open_ and line[:1].isspace():
                items[-1] += " " + line.strip()  # a continuation line of the item
            else:
                open_ = False  # a paragraph of the section ("History:") ends the item
    return [" ".join(item.split()) for item in items]


# --- 2. One item, read --------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One item of one chapter's list, read: who, what, when, where it links."""

    chapter: str  # src_uri of the citing chapter
    text: str  # the item as written
    core: str  # authors, title, venue and year, without the chapter's note or links
    title: str  # the quoted or italic title ("" if the item has none)
    surname: str  # the first author's surname
    year: int  # the first year after the title (9999 if none)
    links: tuple[tuple[str, str], ...]  # (text, url) of each Markdown link


def _norm(text: str) -> str:
    """Lowercase letters and digits only, accents dropped (``"BackProp"`` ~ ``"backprop"``)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain.casefold()).split())


def _norm_url(url: str) -> str:
    """A URL as a merge key: DOIs ignore case, ``%28`` is ``(``, no trailing slash."""
    url = url.strip().replace("%28", "(").replace("%29", ")").rstrip("/")
    url = re.sub(r"^https?://(www\.)?", "", url, flags=re.I)
    return url.casefold() if url.casefold().startswith(("doi.org/", "dx.doi.org/")) else url


def parse_item(text: str, chapter: str = "") -> Item:
    """Read one item: the links are taken out, then the core runs from the start to the first
    year after the title (to the closing parenthesis if the year is inside one)."""
    links = tuple((m.group(1), m.group(2)) for m in _LINK.finditer(text))
    plain = " ".join(_LINK.sub("", text).split())
    title = _TITLE.search(plain)
    start = title.end() if title else 0
    year = _YEAR.search(plain, start)
    end = len(plain)
    if year is not None:
        end = year.end()
        if plain.count("(", start, year.start()) > plain.count(")", start, year.start()):
            close = plain.find(")", end)
            end = close + 1 if close >= 0 else end
    core = plain[:end].rstrip(" ,.:;")
    authors = plain[: title.start()] if title else plain.split(",")[0]
    first = re.split(r",|\band\b|\bet al\b", authors)[0].strip()
    words = first.split()
    names = [w for w in words if not _INITIALS.match(w)] or words or [""]
    if names[0] == "The" and len(names) > 1:  # "The Nobel Prize in Physics 2024" files under N
        names = names[1:]
    return Item(chapter=chapter, text=text, core=core,
                title=title.group(0)[1:-1] if title else "", surname=" ".join(names),
                year=int(year.group(1)) if year else 9999, links=links)


def cited(notebooks: Mapping[str, Any]) -> list[Item]:
    """Every item of every chapter (``{src_uri: notebook}``, in reading order), read."""
    return [parse_item(text, uri) for uri, nb in notebooks.items() for text in references(nb)]


# --- 3. Works cited by several chapters, merged and sorted -------------------------------------


@dataclass
class Entry:
    """One work of the bibliography and the items (one or more chapters) that cite it."""

    items: list[Item] = field(default_factory=list)

    @property
    def main(self) -> Item:
        """The item whose wording the page shows: one with a DOI, else a link, else the longest."""
        return max(self.items, key=lambda it: (any("doi.org/" in u for _, u in it.links),
                                               bool(it.links), len(it.core)))

    @property
    def chapters(self) -> list[str]:
        """The citing chapters, each once, in the order they were read."""
        return list(dict.fromkeys(it.chapter for it in self.items))

    def sort_key(self) -> tuple[str, int, str]:
        main = self.main
        return (_norm(main.surname), main.year, _norm(main.core))


def _keys(item: Item) -> list[str]:
    """What identifies the work: each link, and the first author with the title (or the core)."""
    keys = [f"url:{_norm_url(url)}" for _, url in item.links]
    keys.append(f"work:{_norm(item.surname)}|{_norm(item.title or item.core)}")
    return keys


def merge(items: Iterable[Item]) -> list[Entry]:
    """Group the items that cite the same work (a shared link, or the same first author and
    title, directly or through another item), sorted by first author's surname, then year."""
    items = list(items)
    entries: list[Entry] = []
    owner: dict[str, Entry] = {}  # key -> the entry that holds it
    for item in items:
        found = list({id(e): e for k in _keys(item) if (e := owner.get(k)) is not None}.values())
        entry = found[0] if found else Entry()
        if not found:
            entries.append(entry)
        for other in found[1:]:  # this item joins two works read as different until now
            entry.items += other.items
            entries = [e for e in entries if e is not other]
        entry.items.append(item)
        for it in entry.items:
            for key in _keys(it):
                owner[key] = entry
    position = {id(item): i for i, item in enumerate(items)}
    for entry in entries:  # each work's chapters in reading order
        entry.items.sort(key=lambda it: position[id(it)])
    return sorted(entries, key=Entry.sort_key)


# --- 4. The page ---------------------------------------------------------------------------------


def _md_link(title: str, target: str) -> str:
    text = re.sub(r"([\[\]\\`*_])", r"\\\1", title)
    return f"[{text}]({target})"


def entry_markdown(entry: Entry, titles: Mapping[str, str], *, page: str = PAGE) -> str:
    """One list item: the work (the main item's core and links, plus any other link the other
    chapters give under another name), then "Cited in:" and the chapters, linked relative to ``page``."""
    main = entry.main
    links: dict[str, tuple[str, str]] = {}  # normalised url -> (text, url)
    for item in [main, *entry.items]:
        for text, url in item.links:
            shown = {t for t, _ in links.values()}
            if _norm_url(url) not in links and (item is main or text not in shown):
                links[_norm_url(url)] = (text, url)
    work = main.core + "." + "".join(f" [{t}]({u})" for t, u in links.values())
    here = posixpath.dirname(page) or "."
    cited = ", ".join(_md_link(titles.get(ch, posixpath.basename(ch)), posixpath.relpath(ch, here))
                      for ch in entry.chapters)
    return f"- {work}  \n  Cited in: {cited}"


def bibliography_markdown(entries: Sequence[Entry], titles: Mapping[str, str], *,
                          page: str = PAGE) -> str:
    """The page: a title, one sentence on where it comes from, then every work."""
    lines = ["---", f"title: {TITLE}", "---", "", f"# {TITLE}", "",
             f"The {len(entries)} works the chapters cite, gathered from the References section at "
             "the end of each chapter when the book is built, sorted by first author; under each, "
             "the chapters that cite it.", ""]
    lines += [entry_markdown(entry, titles, page=page) for entry in entries]
    return "\n".join(lines) + "\n"


def add_page(files: Files, config: MkDocsConfig, chapters: Mapping[str, Chapter]) -> Files:
    """``on_files``: add ``bibliography.md`` (a file already in docs/ at that path wins) and a
    top-level nav entry right after the last one that holds a chapter. Nothing when no chapter
    has references."""
    from mkdocs.structure.files import File

    order = {uri: i for i, uri in enumerate(nav_order(config.nav))}
    titles = nav_titles(config.nav)
    notebooks = {uri: chapters[uri].notebook
                 for uri in sorted(chapters, key=lambda uri: (order.get(uri, len(order)), uri))}
    for uri, nb in notebooks.items():
        titles.setdefault(uri, notebook_title(nb) or posixpath.basename(uri))
    items = cited(notebooks)
    if not items:
        return files
    if files.get_file_from_path(PAGE) is None:
        files.append(File.generated(config, PAGE, content=bibliography_markdown(merge(items), titles)))
    nav = config.nav
    if nav is not None and PAGE not in order:  # under `mkdocs serve` the entry stays from the last build
        holds = [i for i, entry in enumerate(nav) if set(nav_order([entry])) & set(chapters)]
        nav.insert(holds[-1] + 1 if holds else len(nav), {TITLE: PAGE})
    return files
