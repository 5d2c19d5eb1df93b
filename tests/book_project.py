"""A tiny throwaway book for testing the chapter cache: two chapters, one package, one lock file.

``alpha.py`` imports ``minipkg.alpha`` (which imports ``minipkg.shared``), ``beta.py``
imports ``minipkg.beta``; so an edit to ``beta`` must re-run only ``beta.py`` and an edit to
``shared`` only ``alpha.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

HEADER = """\
# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
{extra}# ---
"""

MKDOCS_YML = """\
site_name: mini
theme:
  name: material
  font: false
plugins:
  - search
  - dlbook:
      packages: [minipkg]
      lock_files: [lock.txt]
      timeout: {timeout}
  - mkdocs-jupyter:
      execute: false
nav:
  - index.md
  - ch/alpha.py
  - ch/beta.py
"""

SUMMARY = re.compile(
    r"chapters executed: (\d+), cells executed: (\d+), chapters from cache: (\d+)"
)


def chapter(title: str, *cells: str, timeout: int | None = None) -> str:
    extra = f"#   dlbook:\n#     timeout: {timeout}\n" if timeout else ""
    body = [HEADER.format(extra=extra), f"# %% [markdown]\n# # {title}\n#\n# Some prose.\n"]
    for cell in cells:
        body.append("# %%\n" + textwrap.dedent(cell).strip() + "\n")
    return "\n".join(body)


BETA = chapter("Beta", "import minipkg.beta\nprint('beta', minipkg.beta.value())")


@dataclass
class Build:
    returncode: int
    output: str

    @property
    def counts(self) -> tuple[int, int, int]:
        """(chapters executed, cells executed, chapters from cache) from the summary line."""
        match = SUMMARY.search(self.output)
        assert match, f"no dlbook summary line in the build output:\n{self.output}"
        return int(match[1]), int(match[2]), int(match[3])


class MiniProject:
    """A throwaway MkDocs project under ``root``: files written by the test, built in a subprocess."""

    root: Path
    extra_env: ClassVar[dict[str, str]] = {}  # set on top of the environment of every build

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def read(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def append(self, relative: str, text: str) -> None:
        self.write(relative, self.read(relative) + text)

    def build_command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "mkdocs", "build", "-f", str(self.root / "mkdocs.yml"),
                "-d", str(self.root / "site"), *args]

    def env(self) -> dict[str, str]:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DLBOOK_DEVICE": "cpu", **self.extra_env}
        env.pop("DLBOOK_CACHE_DIR", None)
        return env

    def build(self, *args: str) -> Build:
        proc = subprocess.run(
            self.build_command(*args), cwd=self.root, env=self.env(),
            capture_output=True, text=True, timeout=600,
        )
        return Build(proc.returncode, proc.stdout + proc.stderr)


class BookProject(MiniProject):
    def __init__(self, root: Path, *, timeout: int = 60) -> None:
        self.root = root
        self.cache = root / ".cache" / "dlbook"
        self.write("mkdocs.yml", MKDOCS_YML.format(timeout=timeout))
        self.write("lock.txt", "somepackage==1.0\n")
        self.write("docs/index.md", "# Mini book\n")
        self.write("minipkg/__init__.py", '"""A package whose modules load lazily."""\n')
        self.write("minipkg/shared.py", "BASE = 40\n")
        self.write("minipkg/alpha.py", "from .shared import BASE\n\n\ndef value():\n    return BASE + 2\n")
        self.write("minipkg/beta.py", "def value():\n    return 7\n")
        self.write(
            "docs/ch/alpha.py",
            chapter(
                "Alpha",
                "from minipkg.alpha import value\nprint('alpha', value())",
                "import os\nprint('cwd', os.path.basename(os.getcwd()))",
            ),
        )
        self.write("docs/ch/beta.py", BETA)
