"""The package's public modules, their members and docstrings, read from the source with ``ast``.

Which modules get a page (:func:`public_modules`), where each page goes (:func:`page_uri`), a
module's one-line summary, and the names its page shows (:func:`module_members`,
:func:`shadowed_exports`). Nothing is imported: a module that does not parse has no members.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "dlbook"  # the library the reference documents
REFERENCE_DIR = "reference"  # its pages' folder under docs/


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
