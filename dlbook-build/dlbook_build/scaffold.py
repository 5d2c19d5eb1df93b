"""``dlbook-build chapter PART NAME``: a new chapter's four files, written from templates.

    docs/<part>/<name>.py                   the page: title, introduction, imports, a figure,
                                            an animation, Summary, Exercises with a solution
    experiments/<part>/<module>.py          its trained figures: one example, smoke and full
    animations/<module>.py                  its Manim scenes: one StepScene, numbers from dlbook
    tests/chapters/test_<module>.py         its tests: the page parses, the figures' smoke tier runs

``<module>`` is the kebab-case ``<name>`` in snake_case. The templates are in
``dlbook_build/templates/`` (``string.Template``: ``$title``, ``$name``, ``$module``,
``$part``, ``$figure``, ``$function``, ``$scene``). Nothing is overwritten: if any of the
files exists, nothing is written. The page is added to ``mkdocs.yml``'s nav after the
part's last entry when that is a plain text insertion that leaves the rest of the nav
as it was; otherwise the line to add is printed.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from dlbook_build.book import BuildError
from dlbook_build.project import module_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")  # kebab-case: recurrent-networks
PART = re.compile(r"[a-z][a-z0-9_]*")  # a folder under docs/ and the package experiments/<part>
NOT_PARTS = {"assets"}  # folders under docs/ that hold no chapters
RESERVED_NAMES = {"index", "common"}  # docs/<part>/index.md, animations/common/
MAX_PART, MAX_NAME, MAX_TITLE = 30, 40, 70  # the generated lines stay within ruff's 110 columns


class ScaffoldError(BuildError, ValueError):
    """A part, name or title the scaffold cannot use, or a chapter that exists already."""


@dataclass(frozen=True)
class Chapter:
    """Where a chapter's files go, and the names the templates need."""

    root: Path
    part: str
    name: str
    title: str

    @property
    def module(self) -> str:
        return module_name(self.name)

    @property
    def figure(self) -> str:
        return f"{self.name}-example"

    @property
    def scene(self) -> str:
        return "".join(word.capitalize() for word in self.name.split("-")) + "Example"

    @property
    def page(self) -> str:
        return f"{self.part}/{self.name}.py"  # relative to docs/, as in the nav

    def files(self) -> dict[str, Path]:
        """Template name -> the file it becomes."""
        r = self.root
        return {
            "chapter.py.tmpl": r / "docs" / self.part / f"{self.name}.py",
            "experiments.py.tmpl": r / "experiments" / self.part / f"{self.module}.py",
            "animations.py.tmpl": r / "animations" / f"{self.module}.py",
            "test_chapter.py.tmpl": r / "tests" / "chapters" / f"test_{self.module}.py",
        }

    def substitutions(self) -> dict[str, str]:
        return {
            "title": self.title,
            "name": self.name,
            "module": self.module,
            "part": self.part,
            "figure": self.figure,
            "function": f"{self.module}_example",
            "scene": self.scene,
        }


def default_title(name: str) -> str:
    """``recurrent-networks`` -> ``Recurrent networks``."""
    return name.replace("-", " ").capitalize()


def parts(root: Path) -> list[str]:
    """The parts a chapter can go into now: the folders under docs/ that hold chapters."""
    docs = root / "docs"
    if not docs.is_dir():
        return []
    return sorted(p.name for p in docs.iterdir()
                  if p.is_dir() and PART.fullmatch(p.name) and p.name not in NOT_PARTS)


def check(root: Path, part: str, name: str, title: str | None) -> Chapter:
    """The chapter, or a ScaffoldError that says what is wrong with ``part``, ``name`` or ``title``."""
    if not (root / "mkdocs.yml").is_file():
        raise ScaffoldError(f"{root} is not the book's folder (no mkdocs.yml in it)")
    existing = parts(root)
    if part not in existing and (not PART.fullmatch(part) or keyword.iskeyword(part) or part in NOT_PARTS
                                 or (root / "docs" / part).exists()):
        raise ScaffoldError(
            f"part {part!r}: give an existing folder under docs/ ({', '.join(existing) or 'none yet'}) "
            "or a new part's name in lower case (letters, digits and underscores, starting with a "
            "letter; it also names the package experiments/<part>)")
    if len(part) > MAX_PART:
        raise ScaffoldError(f"part {part!r}: at most {MAX_PART} characters")
    if not NAME.fullmatch(name) or len(name) > MAX_NAME:
        raise ScaffoldError(
            f"chapter name {name!r}: use lower-case kebab-case, words of letters and digits joined "
            f"by hyphens and starting with a letter, at most {MAX_NAME} characters, e.g. recurrent-networks")
    module = module_name(name)
    if keyword.iskeyword(module) or name in RESERVED_NAMES:
        raise ScaffoldError(f"chapter name {name!r} is taken by Python or by the book's layout; "
                            "choose another")
    others = sorted(p.relative_to(root).as_posix() for p in (root / "docs").glob(f"*/{name}.py")
                    if p.parent.name != part)
    if others:
        raise ScaffoldError(f"a chapter named {name!r} exists already: {', '.join(others)} (chapter names "
                            "are unique across parts: animations/ and tests/chapters/ are flat)")
    title = default_title(name) if title is None else title.strip()
    if not title or len(title) > MAX_TITLE or any(c in title for c in "\n\r\\") or '"""' in title:
        raise ScaffoldError(f"title {title!r}: one line of at most {MAX_TITLE} characters, with no "
                            "backslash or triple quotes")
    return Chapter(root=root, part=part, name=name, title=title)


def render(template: str, chapter: Chapter) -> str:
    return Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(chapter.substitutions())


def new_chapter(
    root: Path,
    part: str,
    name: str,
    *,
    title: str | None = None,
    edit_nav: bool = True,
    log: Callable[[str], None] = print,
) -> list[Path]:
    """Write the chapter ``name`` of ``part`` from the templates; return the files written.

    Raises a :class:`ScaffoldError` (a ``ValueError``) for a bad part, name or title, and
    when any of the chapter's files exists already (naming each), before writing anything.
    A new part gets ``experiments/<part>/__init__.py``. With ``edit_nav`` the page is added
    to ``mkdocs.yml``'s nav when that is safe; ``log`` reports the nav entry either way.
    """
    root = Path(root).resolve()
    chapter = check(root, part, name, title)
    files = chapter.files()
    taken = [path for path in files.values() if path.exists()]
    if taken:
        listed = ", ".join(str(p.relative_to(root)) for p in taken)
        raise ScaffoldError(f"chapter {part}/{name} not written: {listed} "
                            f"{'exists' if len(taken) == 1 else 'exist'} already (nothing "
                            "is overwritten; remove or rename it first)")
    texts = {path: render(template, chapter) for template, path in files.items()}  # all, before any write

    written: list[Path] = []
    packages = {
        root / "experiments" / "__init__.py": "The book's trained figures, one module per chapter.",
        root / "experiments" / part / "__init__.py": f"Experiments of the chapters in docs/{part}/.",
    }
    for init, doc in packages.items():
        if not init.exists():
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text(f'"""{doc}"""\n', encoding="utf-8")
            written.append(init)
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as f:  # "x": never clobber a file that appeared meanwhile
            f.write(text)
        written.append(path)

    entry = nav_line(chapter)
    if edit_nav and add_to_nav(root / "mkdocs.yml", chapter):
        log(f"mkdocs.yml: added `{entry.strip()}` to the nav, after the last page of {part}/")
    elif nav_has(root / "mkdocs.yml", chapter):
        log(f"mkdocs.yml: the nav lists {chapter.page} already")
    else:
        log(nav_hint(root / "mkdocs.yml", chapter))
    return written


# --- The nav of mkdocs.yml --------------------------------------------------------------

NAV_ITEM = re.compile(r"(?P<indent>\s*)- (?:(?P<title>[^\n]*?):\s+)?(?P<page>[\w./-]+\.(?:py|md))\s*(?:#.*)?")


def _yaml_title(title: str) -> str:
    """``title`` as a YAML key: plain when that reads back as itself, else double-quoted (JSON)."""
    plain = re.fullmatch(r"[A-Za-z0-9(][^:#\"'\[\]{}]*", title) and not title.endswith(" ")
    return title if plain else json.dumps(title, ensure_ascii=False)


def nav_line(chapter: Chapter, indent: str = "      ") -> str:
    return f"{indent}- {_yaml_title(chapter.title)}: {chapter.page}"


def _nav_block(lines: list[str]) -> tuple[int, int] | None:
    """The lines of the top-level ``nav:`` block, as (first item, end), or None."""
    start = next((i for i, line in enumerate(lines) if re.fullmatch(r"nav:\s*(#.*)?", line)), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t#"):
        end += 1
    return start + 1, end


def _load_nav(text: str) -> Any:
    """The nav of a mkdocs.yml text; its other tags (``!ENV``, ``!!python/name``) read as None."""
    import yaml

    Loader: Any = type("Loader", (yaml.SafeLoader,), {})  # a SafeLoader of our own, to add to
    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    return (yaml.load(text, Loader=Loader) or {}).get("nav")  # a SafeLoader: no arbitrary objects


def _without(nav: Any, item: dict[str, str]) -> Any:
    """``nav`` with every occurrence of ``item`` removed, at any depth."""
    if isinstance(nav, list):
        return [_without(x, item) for x in nav if x != item]
    if isinstance(nav, dict):
        return {k: _without(v, item) for k, v in nav.items()}
    return nav


def _pages(nav: Any) -> list[str]:
    if isinstance(nav, list):
        return [p for x in nav for p in _pages(x)]
    if isinstance(nav, dict):
        return [p for v in nav.values() for p in _pages(v)]
    return [nav] if isinstance(nav, str) else []


def nav_has(mkdocs_yml: Path, chapter: Chapter) -> bool:
    try:
        return chapter.page in _pages(_load_nav(mkdocs_yml.read_text(encoding="utf-8")))
    except Exception:  # an unreadable mkdocs.yml: the hint says what to add
        return False


def add_to_nav(mkdocs_yml: Path, chapter: Chapter) -> bool:
    """Insert the chapter's nav entry after the last entry of its part; True if mkdocs.yml changed.

    Only a plain insertion is made: a line like the part's last entry (same indentation),
    right after it, and only if the nav read back is the old nav plus exactly that entry,
    in the part's section. Anything else (no nav, no page of the part in it, the page
    listed already, YAML that reads differently) leaves the file as it was.
    """
    try:
        text = mkdocs_yml.read_bytes().decode("utf-8")  # as it is: line endings too
        old = _load_nav(text)
    except Exception:
        return False
    if not isinstance(old, list) or chapter.page in _pages(old):
        return False
    lines = text.splitlines(keepends=True)
    block = _nav_block([line.rstrip("\r\n") for line in lines])
    if block is None:
        return False
    last = None
    for i in range(*block):
        match = NAV_ITEM.fullmatch(lines[i].rstrip("\r\n"))
        if match and match["page"].startswith(f"{chapter.part}/"):
            last = (i, match["indent"])
    if last is None:
        return False
    i, indent = last
    newline = "\r\n" if lines[i].endswith("\r\n") else "\n"
    if not lines[i].endswith(("\n", "\r")):
        lines[i] += newline
    lines.insert(i + 1, nav_line(chapter, indent) + newline)
    new_text = "".join(lines)
    try:
        new = _load_nav(new_text)
    except Exception:
        return False
    item = {chapter.title: chapter.page}
    if _without(new, item) != old or _pages(new).count(chapter.page) != 1:
        return False
    mkdocs_yml.write_bytes(new_text.encode("utf-8"))
    return True


def nav_hint(mkdocs_yml: Path, chapter: Chapter) -> str:
    """What to add to the nav by hand."""
    try:
        pages = _pages(_load_nav(mkdocs_yml.read_text(encoding="utf-8")))
    except Exception:
        pages = []
    if any(p.startswith(f"{chapter.part}/") for p in pages):
        return (f"mkdocs.yml: add the chapter to the nav, in the section of {chapter.part}/ where it "
                f"belongs:\n{nav_line(chapter)}")
    section = chapter.part.replace("_", " ").capitalize()
    return (f"mkdocs.yml: the nav has no section for {chapter.part}/ yet; add one where the part belongs "
            f"(with docs/{chapter.part}/index.md first in it, if the part has an introduction):\n"
            f"  - {_yaml_title(section)}:\n{nav_line(chapter)}")
