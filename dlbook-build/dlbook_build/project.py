"""The book's project folder: the one that holds ``mkdocs.yml``, found from the current folder.

Every step of the build (execute, stage, render scenes, make figures) works on the layout
under it, each part of a chapter found by the chapter's name:

    docs/<part>/<chapter>.py              the page (jupytext percent format)
    experiments/<part>/<chapter>.py       its trained figures (hyphens become underscores)
    animations/<chapter>.py               its Manim scenes (shared code in animations/common/)
    tests/chapters/test_<chapter>.py      its tests
    figures/<figure-name>/                the frozen figures (made by `dlbook-build figures`)
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT_ENV = "DLBOOK_PROJECT"  # the project folder, when the build runs from elsewhere


def project_root(start: Path | None = None) -> Path:
    """$DLBOOK_PROJECT, else the nearest folder at or above ``start`` (default: the current
    folder) that holds ``mkdocs.yml``."""
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    raise FileNotFoundError(
        f"no mkdocs.yml in {here} or above it: run dlbook-build inside the book's folder "
        f"(or set ${ROOT_ENV})"
    )


def module_name(chapter: str) -> str:
    """The Python module name of a chapter's experiments, scenes and tests: kebab-case to snake_case."""
    return chapter.replace("-", "_")
