"""Which of our own modules a chapter depends on, found by reading imports.

A chapter's cache key must change when any code it runs changes. Its code cells
are hashed directly; the library code it imports is found here by walking the
import statements (``import pkg.a``, ``from pkg import b``, ``from .c import d``)
of the cells and then of every module reached, transitively. Only modules that
live under the tracked package folders count: torch or numpy are covered by the
lock file instead. Importing ``pkg.a`` also runs ``pkg/__init__.py``, so parent
packages are always part of the closure. A package that exports names lazily
(PEP 562, a module-level ``_EXPORTS = {"name": "pkg.module"}`` table, as dlbook
does) is followed through that table: ``from dlbook import fit`` reaches
``dlbook.train``, and of the table itself only the entries used count
(:func:`fingerprint`, the one rule behind every key: chapters, figures and scenes).
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path


def imported_names(source: str, *, module: str = "", is_package: bool = False) -> set[str]:
    """Dotted names that ``source`` imports, with relative imports made absolute.

    ``from a import b`` yields both ``a`` and ``a.b`` since ``b`` may be a
    submodule; names that are not modules are dropped later by the resolver.
    Code that does not parse (an IPython magic, a half-typed cell) contributes
    nothing rather than failing the build here: the kernel reports it properly.
    """
    # IPython magics and shell escapes are not Python; blank them out first
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, module=module, is_package=is_package)
            if base is None:
                continue
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def _absolute(name: str | None, level: int, *, module: str, is_package: bool) -> str | None:
    if level == 0:
        return name
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]  # a plain module's relative imports start at its package
    if level - 1 > len(parts):
        return None
    parts = parts[: len(parts) - (level - 1)]
    if name:
        parts.append(name)
    return ".".join(parts) or None


def resolve(name: str, roots: dict[str, Path]) -> Path | None:
    """The source file of module ``name`` if it lives under a tracked package root.

    ``roots`` maps a top-level package name to its folder, e.g. ``{"dlbook": Path("dlbook")}``.
    """
    top, *rest = name.split(".")
    root = roots.get(top)
    if root is None:
        return None
    base = root.joinpath(*rest)
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _exports_node(tree: ast.Module) -> ast.Assign | ast.AnnAssign | None:
    """The module-level ``_EXPORTS = {...}`` statement of a package ``__init__``, if any."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target = node.target
        else:
            continue
        if isinstance(target, ast.Name) and target.id == "_EXPORTS":
            return node
    return None


def lazy_exports(init_source: str) -> dict[str, str]:
    """The ``_EXPORTS`` table (public name -> defining module) of a package's ``__init__``, if any."""
    try:
        node = _exports_node(ast.parse(init_source))
    except SyntaxError:
        return {}
    if node is None or node.value is None:
        return {}
    try:
        table = ast.literal_eval(node.value)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else {}


def _walk(
    sources: Iterable[str], roots: dict[str, Path]
) -> tuple[dict[str, Path], dict[str, dict[str, str]]]:
    """The closure of ``sources`` and, per package, the lazily exported names it went through."""
    found: dict[str, Path] = {}
    used: dict[str, dict[str, str]] = {}  # package -> {exported name: module}
    todo = [name for source in sources for name in imported_names(source)]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        path = resolve(name, roots)
        if path is None:
            parent, _, attr = name.rpartition(".")
            init = resolve(parent, roots) if parent else None
            if init is not None and init.name == "__init__.py":  # maybe a lazily exported name
                target = lazy_exports(init.read_text(encoding="utf-8")).get(attr)
                if target is not None:
                    used.setdefault(parent, {})[attr] = target
                    todo.append(target)
            continue
        found[name] = path
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parent packages
        todo.extend(
            imported_names(
                path.read_text(encoding="utf-8"),
                module=name,
                is_package=path.name == "__init__.py",
            )
        )
    return dict(sorted(found.items())), used


def module_closure(sources: Iterable[str], roots: dict[str, Path]) -> dict[str, Path]:
    """Every tracked module that running ``sources`` imports, directly or not.

    Returns ``{dotted module name: source path}``, sorted by name.
    """
    return _walk(sources, roots)[0]


def hashed_text(path: Path, used_exports: dict[str, str] | None = None) -> bytes:
    """What of a module's source counts for the code that imports it.

    All of it, except a package's lazy ``_EXPORTS`` table: of that, only the entries the
    importing code went through count. So adding an export to ``dlbook/__init__.py``
    changes no key, while editing the rest of the ``__init__`` (or repointing a used
    export) changes every key that reaches it.
    """
    source = path.read_bytes()
    if path.name != "__init__.py" or b"_EXPORTS" not in source:
        return source
    text = source.decode("utf-8")
    try:
        node = _exports_node(ast.parse(text))
    except SyntaxError:
        return source
    if node is None:
        return source
    lines = text.splitlines(keepends=True)
    end = node.end_lineno or node.lineno
    kept = "".join(lines[: node.lineno - 1] + lines[end:])
    table = json.dumps(dict(sorted((used_exports or {}).items())))
    return f"{kept}\n# _EXPORTS used: {table}\n".encode()


def fingerprint(sources: Iterable[str], roots: dict[str, Path]) -> dict[str, str]:
    """``{module: sha256}`` of every tracked module that ``sources`` reach: the one rule by which
    chapters, figures and scenes are keyed (see :func:`hashed_text` for package ``__init__``s)."""
    found, used = _walk(sources, roots)
    return {name: hashlib.sha256(hashed_text(path, used.get(name))).hexdigest()
            for name, path in found.items()}
