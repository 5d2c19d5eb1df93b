"""The chapter execution cache: what a chapter's outputs depend on, and where they are kept.

A chapter's key is a hash over exactly the things that can change its outputs:

    key = sha256(code cells, every tracked module they import (transitively),
                 the lock files, the execution tier and device kind, the Python version)

Prose is left out on purpose: editing a sentence re-renders the page but runs no
cell. Entries are executed notebooks stored as ``<root>/notebooks/<key>.ipynb``,
each written atomically, so a build killed at any moment leaves a valid cache.
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from dlbook.utils import atomic_write
from dlbook_build.deps import fingerprint


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ChapterKey:
    """The cache key of one chapter and the parts it was made from (shown by `dlbook cache info`)."""

    digest: str
    modules: dict[str, str] = field(default_factory=dict)  # module name -> sha256 of its source
    parts: dict[str, str] = field(default_factory=dict)  # everything else that went in


def code_sources(nb: nbformat.NotebookNode) -> list[str]:
    """The sources of a notebook's code cells, in order."""
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def chapter_key(
    nb: nbformat.NotebookNode,
    *,
    roots: dict[str, Path],
    lock_files: list[Path],
    tier: str,
    device: str,
    data_files: Sequence[Path] = (),
) -> ChapterKey:
    """Hash everything that can change the outputs of ``nb``'s code cells.

    ``data_files`` are files the cells read (a frozen figure's manifest, say): their bytes
    count like code.
    """
    sources = code_sources(nb)
    modules = fingerprint(sources, roots)
    locks = {str(p.name): _sha256(p.read_bytes()) if p.is_file() else "missing" for p in lock_files}
    data = {f"{p.parent.name}/{p.name}": _sha256(p.read_bytes()) if p.is_file() else "missing"
            for p in data_files}
    parts = {
        "code": _sha256(json.dumps(sources).encode()),
        "data": json.dumps(data, sort_keys=True),
        "locks": json.dumps(locks, sort_keys=True),
        "tier": tier,
        "device": device,
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
    }
    blob = json.dumps({"parts": parts, "modules": modules}, sort_keys=True).encode()
    return ChapterKey(digest=_sha256(blob), modules=modules, parts=parts)


@dataclass(frozen=True)
class Entry:
    """One cached chapter run, as listed by `dlbook cache info`."""

    key: str
    source: str  # chapter path relative to docs/
    cells: int
    seconds: float
    created: float
    size: int


class ExecutionCache:
    """Executed notebooks on disk, one file per key, under ``root/notebooks``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.notebooks = self.root / "notebooks"

    def path(self, key: str) -> Path:
        return self.notebooks / f"{key}.ipynb"

    def get(self, key: str) -> nbformat.NotebookNode | None:
        """The executed notebook stored under ``key``, or None. A corrupt entry counts as a miss."""
        path = self.path(key)
        try:
            return nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        except (OSError, ValueError):
            return None

    def put(
        self, key: ChapterKey, nb: nbformat.NotebookNode, *, source: str, cells: int, seconds: float
    ) -> Path:
        """Store an executed notebook (atomically), then drop older entries of the same chapter."""
        stored = nbformat.from_dict(nb)
        stored.metadata["dlbook"] = {
            **stored.metadata.get("dlbook", {}),
            "source": source,
            "key": key.digest,
            "modules": key.modules,
            "parts": key.parts,
            "cells": cells,
            "seconds": round(seconds, 3),
            "created": time.time(),
        }
        path = atomic_write(self.path(key.digest), nbformat.writes(stored))
        self.prune(source, keep=key.digest)
        return path

    def entries(self) -> list[Entry]:
        """Every readable entry, newest first."""
        found = []
        for path in self.notebooks.glob("*.ipynb"):
            try:
                meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]["dlbook"]
                found.append(
                    Entry(
                        key=path.stem,
                        source=str(meta["source"]),
                        cells=int(meta["cells"]),
                        seconds=float(meta["seconds"]),
                        created=float(meta["created"]),
                        size=path.stat().st_size,
                    )
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return sorted(found, key=lambda e: e.created, reverse=True)

    def prune(self, source: str, *, keep: str, limit: int = 3) -> None:
        """Keep the ``limit`` newest entries of chapter ``source`` (always ``keep``), delete the rest."""
        mine = [e for e in self.entries() if e.source == source and e.key != keep]
        for entry in mine[limit - 1 :]:
            self.path(entry.key).unlink(missing_ok=True)

    def clear(self) -> int:
        """Delete every entry (and leftover temporary files); return how many files went."""
        removed = 0
        if self.root.is_dir():
            for path in sorted(self.root.rglob("*"), reverse=True):
                if path.is_file():
                    path.unlink()
                    removed += 1
                elif path.is_dir():
                    path.rmdir()
        return removed

    def info(self) -> dict[str, Any]:
        entries = self.entries()
        return {
            "root": str(self.root),
            "entries": len(entries),
            "bytes": sum(e.size for e in entries),
            "chapters": sorted({e.source for e in entries}),
        }


def merge_outputs(source: nbformat.NotebookNode, executed: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The chapter as written now, with the outputs of its executed twin.

    The two share a key, so their code cells are identical and in the same order;
    only prose and cell metadata can differ, and those come from ``source``.
    """
    merged = copy.deepcopy(source)
    runs = [cell for cell in executed.cells if cell.cell_type == "code"]
    code = [cell for cell in merged.cells if cell.cell_type == "code"]
    if [cell.source for cell in runs] != [cell.source for cell in code]:
        raise ValueError("merge_outputs: the executed notebook has different code cells")
    for cell, run in zip(code, runs, strict=True):
        cell.outputs = run.outputs
        cell.execution_count = run.execution_count
    for name in ("kernelspec", "language_info"):
        if name in executed.metadata:
            merged.metadata[name] = executed.metadata[name]
    return merged
