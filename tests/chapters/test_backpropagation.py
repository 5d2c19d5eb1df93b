"""Tests of the chapter "Backpropagation": docs/training/backpropagation.py.

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/, against PyTorch.
"""

from __future__ import annotations

from pathlib import Path

from chapter_checks import Chapter

CHAPTER = Chapter("training", "backpropagation")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_its_figures_are_its_own_and_run_at_the_smoke_tier(tmp_path: Path) -> None:
    CHAPTER.check_figures(tmp_path)


def test_its_scenes_exist_and_are_embedded() -> None:
    CHAPTER.check_scenes()
