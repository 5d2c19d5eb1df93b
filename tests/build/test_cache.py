"""The chapter cache rules, each checked on a tiny throwaway book (tests/book_project.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from book_project import BETA, BookProject, chapter

from dlbook_build.cache import ExecutionCache


@pytest.fixture
def book(tmp_path: Path) -> BookProject:
    project = BookProject(tmp_path)
    first = project.build()
    assert first.returncode == 0, first.output
    assert first.counts == (2, 3, 0)
    return project


def executed_chapters(output: str) -> str:
    line = next((ln for ln in output.splitlines() if "executing" in ln and "chapter(s)" in ln), "")
    return line.rsplit(": ", 1)[-1] if line else ""


def test_cold_build_runs_cells_in_the_chapter_folder(book: BookProject) -> None:
    page = book.read("site/ch/alpha/index.html")
    assert "alpha 42" in page  # output of the executed cell
    assert "cwd ch" in page  # cells run with the chapter's folder as working directory


def test_rebuild_without_change_executes_nothing(book: BookProject) -> None:
    before = book.read("site/ch/alpha/index.html")
    again = book.build()
    assert again.returncode == 0, again.output
    assert again.counts == (0, 0, 2)
    assert book.read("site/ch/alpha/index.html") == before  # same page, byte for byte


def test_prose_edit_executes_nothing_but_shows_new_prose(book: BookProject) -> None:
    source = book.read("docs/ch/alpha.py").replace("Some prose.", "Freshly edited prose.")
    book.write("docs/ch/alpha.py", source)
    again = book.build()
    assert again.counts == (0, 0, 2)
    page = book.read("site/ch/alpha/index.html")
    assert "Freshly edited prose." in page
    assert "alpha 42" in page  # outputs come from the cache


def test_code_edit_reruns_only_that_chapter(book: BookProject) -> None:
    source = book.read("docs/ch/beta.py").replace("print('beta'", "print('BETA'")
    book.write("docs/ch/beta.py", source)
    again = book.build()
    assert again.counts == (1, 1, 1)
    assert executed_chapters(again.output) == "ch/beta.py"
    assert "BETA 7" in book.read("site/ch/beta/index.html")


def test_module_edit_reruns_exactly_its_importers(book: BookProject) -> None:
    book.write("minipkg/beta.py", "def value():\n    return 8\n")
    again = book.build()
    assert again.counts == (1, 1, 1)
    assert executed_chapters(again.output) == "ch/beta.py"
    assert "beta 8" in book.read("site/ch/beta/index.html")


def test_transitive_module_edit_reruns_the_chapter_that_reaches_it(book: BookProject) -> None:
    book.write("minipkg/shared.py", "BASE = 50\n")  # imported by alpha.py, not by the chapter
    again = book.build()
    assert again.counts == (1, 2, 1)
    assert executed_chapters(again.output) == "ch/alpha.py"
    assert "alpha 52" in book.read("site/ch/alpha/index.html")


def test_lock_file_and_tier_are_part_of_the_key(book: BookProject) -> None:
    book.write("lock.txt", "somepackage==2.0\n")
    assert book.build().counts == (2, 3, 0)
    env_build = subprocess.run(
        book.build_command(), cwd=book.root, env={**book.env(), "DLBOOK_TIER": "smoke"},
        capture_output=True, text=True, timeout=300,
    )
    assert "chapters executed: 2, cells executed: 3, chapters from cache: 0" in env_build.stderr


def test_dirty_build_keeps_the_cache(book: BookProject) -> None:
    assert book.build("--dirty").counts == (0, 0, 2)


def test_failing_cell_names_page_cell_and_traceback_and_caches_nothing(book: BookProject) -> None:
    book.write(
        "docs/ch/beta.py",
        chapter("Beta", "x = 1", "def boom():\n    return 1 / 0\n\nboom()"),
    )
    before = {p.name for p in (book.cache / "notebooks").iterdir()}
    failed = book.build()
    assert failed.returncode != 0
    assert "docs/ch/beta.py: code cell 2 failed" in failed.output
    assert "ZeroDivisionError" in failed.output
    assert "boom()" in failed.output  # the traceback shows the failing line
    assert {p.name for p in (book.cache / "notebooks").iterdir()} == before
    # the previous site is left as it was: the build stopped before touching it
    assert "beta 7" in book.read("site/ch/beta/index.html")


def test_timeout_fires_and_names_the_cell(book: BookProject) -> None:
    book.write(
        "docs/ch/beta.py",
        chapter("Beta", "print('quick')", "import time\ntime.sleep(60)", timeout=2),
    )
    start = time.monotonic()
    failed = book.build()
    assert time.monotonic() - start < 45
    assert failed.returncode != 0
    assert "docs/ch/beta.py: code cell 2 failed" in failed.output
    assert "2 s timeout" in failed.output


def test_killed_build_leaves_a_valid_cache(book: BookProject) -> None:
    book.write(
        "docs/ch/beta.py",
        chapter("Beta", "print('start')", "import time\ntime.sleep(30)", "print('end')"),
    )
    proc = subprocess.Popen(
        book.build_command(), cwd=book.root, env=book.env(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # wait until the kernel is running the chapter
        if "executing 1 chapter(s)" in line:
            break
    time.sleep(3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    for path in (book.cache / "notebooks").glob("*.ipynb"):
        nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
    # the two good runs are still there and still used
    book.write("docs/ch/beta.py", BETA)
    assert book.build().counts == (0, 0, 2)


def test_cache_info_and_clear(book: BookProject) -> None:
    env = {**book.env(), "DLBOOK_CACHE_DIR": str(book.cache)}
    cli = [sys.executable, "-m", "dlbook_build.cli", "cache"]
    info = subprocess.run([*cli, "info"], env=env, capture_output=True, text=True, check=True)
    assert "2 entries" in info.stdout
    assert "ch/alpha.py" in info.stdout and "ch/beta.py" in info.stdout
    cleared = subprocess.run([*cli, "clear"], env=env, capture_output=True, text=True, check=True)
    assert "removed" in cleared.stdout
    assert ExecutionCache(book.cache).entries() == []
    assert book.build().counts == (2, 3, 0)


def test_cache_entries_record_what_went_into_the_key(book: BookProject) -> None:
    entries = ExecutionCache(book.cache).entries()
    assert {e.source for e in entries} == {"ch/alpha.py", "ch/beta.py"}
    alpha = next(e for e in entries if e.source == "ch/alpha.py")
    meta = json.loads((book.cache / "notebooks" / f"{alpha.key}.ipynb").read_text())["metadata"]
    assert set(meta["dlbook"]["modules"]) == {"minipkg", "minipkg.alpha", "minipkg.shared"}
    assert meta["dlbook"]["parts"]["tier"] == "full"


LAZY = """\
\"\"\"A package that exports names lazily (PEP 562), as dlbook does.\"\"\"
import importlib

_EXPORTS = {exports}


def __getattr__(name):
    return getattr(importlib.import_module(_EXPORTS[name]), name)
"""


def test_a_new_export_reruns_no_chapter_and_a_changed_one_reruns_its_users(book: BookProject) -> None:
    """A package's lazy ``_EXPORTS`` table counts only for the entries a chapter goes through."""
    book.write("minipkg/__init__.py", LAZY.format(exports='{"value": "minipkg.alpha"}'))
    book.write("docs/ch/alpha.py", book.read("docs/ch/alpha.py").replace(
        "from minipkg.alpha import value", "from minipkg import value"))
    assert book.build().counts == (2, 3, 0)  # the __init__ changed, and alpha's code
    book.write("minipkg/__init__.py",
               LAZY.format(exports='{\n    "value": "minipkg.alpha",\n    "other": "minipkg.beta",\n}'))
    assert book.build().counts == (0, 0, 2)  # an export added: nothing re-runs
    moved = '{"value": "minipkg.beta", "other": "minipkg.beta"}'
    book.write("minipkg/__init__.py", LAZY.format(exports=moved))
    assert executed_chapters(book.build().output) == "ch/alpha.py"  # the export alpha uses moved
    book.append("minipkg/__init__.py", "VERSION = 2\n")
    assert book.build().counts == (2, 3, 0)  # the package's own code: every importer
