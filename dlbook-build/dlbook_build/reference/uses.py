"""What a chapter's code imports from the library, and which chapters teach which module.

:func:`library_uses` lists the dlbook names a chapter's code cells import, following re-exports
and ``dlbook._EXPORTS`` to where each is defined (:func:`definition_chain`), with the reference
entries that may show it; :func:`taught_in` turns the chapters' uses into every module's
"Taught in" and "Also runs in" lists.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dlbook_build.deps import lazy_exports, resolve
from dlbook_build.reference.modules import PACKAGE, _bindings, page_of

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
