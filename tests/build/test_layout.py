"""Every part of a chapter is found by the chapter's name, and nothing else lives beside them.

    docs/<part>/<name>.py                 the page
    experiments/<part>/<module>.py        its trained figures (module: the name in snake_case)
    animations/<module>.py                its scenes (shared scene code: animations/common/)
    tests/chapters/test_<module>.py       its tests

No list of names is kept anywhere: these checks read the folders.
"""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT


def pages() -> dict[str, Path]:
    """Chapter pages by (part, snake_case module)."""
    return {f"{p.parent.name}/{p.stem.replace('-', '_')}": p for p in (ROOT / "docs").glob("*/[!_]*.py")}


def test_every_experiments_module_belongs_to_a_page() -> None:
    found = {f"{p.parent.name}/{p.stem}" for p in (ROOT / "experiments").glob("*/[!_]*.py")}
    orphans = found - set(pages())
    assert not orphans, f"experiments without a page docs/<part>/<name>.py: {sorted(orphans)}"


def test_every_scene_module_belongs_to_a_page() -> None:
    modules = {key.split("/")[1] for key in pages()}
    scenes = {p.stem for p in (ROOT / "animations").glob("[!_]*.py")}
    orphans = scenes - modules
    assert not orphans, f"animations/ modules named for no chapter: {sorted(orphans)}"


def test_every_page_has_its_tests_and_every_test_its_page() -> None:
    modules = {key.split("/")[1] for key in pages()}
    tests = {p.stem.removeprefix("test_") for p in (ROOT / "tests/chapters").glob("test_*.py")}
    missing = sorted(modules - tests)
    assert not missing, f"chapters without tests/chapters/test_<name>.py: {missing}"
    assert tests - modules == set(), f"chapter tests named for no chapter: {sorted(tests - modules)}"


def test_chapter_names_are_unique_across_parts() -> None:
    """animations/ and tests/chapters/ are flat, so a name may be used by one part only."""
    modules = [key.split("/")[1] for key in pages()]
    assert len(modules) == len(set(modules)), sorted(modules)


def test_pytest_collects_every_test_folder() -> None:
    """No folder under tests/ matches a pattern pytest skips (its default skips any "build")."""
    import fnmatch
    import tomllib

    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    defaults = ["*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}"]
    skipped = options.get("norecursedirs", defaults)
    folders = [p for p in (ROOT / "tests").iterdir() if p.is_dir() and any(p.glob("test_*.py"))]
    assert {p.name for p in folders} >= {"library", "build", "site", "chapters"}
    hidden = [p.name for p in folders if any(fnmatch.fnmatch(p.name, pattern) for pattern in skipped)]
    assert not hidden, f"pytest would never run tests/{hidden}: they match norecursedirs {skipped}"
