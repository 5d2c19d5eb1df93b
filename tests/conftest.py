"""Shared test fixtures: the whole book built once per session from a cold cache."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # helpers such as book_project

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BuiltSite:
    site: Path
    cache: Path
    output: str


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """`mkdocs build --strict` of the real book into a temporary folder, cold cache;
    animations at the test tier, 480p15."""
    tmp = tmp_path_factory.mktemp("book")
    site, cache = tmp / "site", tmp / "cache"
    env = {**os.environ, "DLBOOK_CACHE_DIR": str(cache), "NO_MKDOCS_2_WARNING": "1",
           "DLBOOK_ANIMATION_QUALITY": "low"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{output}"
    return BuiltSite(site=site, cache=cache, output=output)
