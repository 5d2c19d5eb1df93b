"""The code stays typed and lint-clean: mypy --strict over the library and the build, ruff over
every Python folder of the repository."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_mypy_strict_on_the_library_and_the_build() -> None:
    result = run("mypy", "dlbook", "dlbook-build/dlbook_build")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff() -> None:
    result = run("ruff", "check", "--output-format", "concise", "dlbook", "dlbook-build", "experiments",
                 "animations", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr
