"""Tests of the chapter "Mathematical foundations": docs/foundations/mathematical-foundations.py.

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/, against PyTorch.
"""

from __future__ import annotations

from chapter_checks import Chapter

CHAPTER = Chapter("foundations", "mathematical-foundations")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_it_shows_no_trained_figure() -> None:
    assert CHAPTER.figures_shown() == set()
