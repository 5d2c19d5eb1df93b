"""Tests of the chapter "Overfitting and regularization": docs/training/overfitting.py.

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/, against PyTorch.
"""

from __future__ import annotations

from pathlib import Path

from chapter_checks import Chapter

CHAPTER = Chapter("training", "overfitting")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_its_figures_are_its_own_and_run_at_the_smoke_tier(tmp_path: Path) -> None:
    CHAPTER.check_figures(tmp_path)


def test_the_test_set_comparison_is_paired() -> None:
    """Issue 14, item 8: two models on the same test digits are compared with a paired test
    (dlbook.compare), not with the standard error of a single accuracy, and the test loss is
    compared as well as the accuracy."""
    code = "\n".join(CHAPTER.cells("code"))
    section = code[code.index("results, correct, losses = {}, {}, {}"):]
    assert "mcnemar_exact(correct[chosen], correct[plain])" in section
    assert "paired_bootstrap(scores[chosen], scores[plain]" in section
    assert '("test loss", losses' in section
    assert "difference / se" not in code  # the old unpaired yardstick is gone
