"""Tests of the chapter "Activation functions": docs/neurons/activation-functions.py.

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/, against PyTorch.
"""

from __future__ import annotations

from pathlib import Path

from chapter_checks import Chapter

CHAPTER = Chapter("neurons", "activation-functions")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_its_figures_are_its_own_and_run_at_the_smoke_tier(tmp_path: Path) -> None:
    CHAPTER.check_figures(tmp_path)


def test_exercise_3_counts_the_parameters_its_code_prints() -> None:
    """The solution's prose states the parameter counts that its own code prints."""
    import contextlib
    import io
    import re

    import torch

    from dlbook.mlp import Dense

    cell = next(s for s in CHAPTER.cells("markdown") if "Exercise 3 ·" in s)
    exercise = cell[cell.index("Exercise 3 ·"):]
    solution = exercise[exercise.index("<summary>Solution</summary>"):exercise.index("</details>")]
    code = re.search(r"```python\n(.*?)```", solution, re.S)
    assert code, "no code in the solution of exercise 3"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code[1], {"Dense": Dense, "torch": torch})  # noqa: S102 - the book's own code
    stack, single = (int(n) for n in out.getvalue().split())
    stated = re.search(r"= (\d+)\$ parameters, the single layer\s+\$[^$]*= (\d+)\$", solution)
    assert stated, "the solution no longer states the two counts"
    assert (int(stated[1]), int(stated[2])) == (stack, single) == (77, 10)
