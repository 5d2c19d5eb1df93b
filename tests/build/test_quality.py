"""The package stays typed and lint-clean: mypy --strict and ruff over dlbook/, tests/, benchmarks/."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_mypy_strict_on_the_package() -> None:
    result = run("mypy", "dlbook")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff() -> None:
    result = run("ruff", "check", "--output-format", "concise", "dlbook", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr
