"""Tests of the chapter "Convolutional networks".

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/, against PyTorch. Add here tests of what the chapter
claims in its text.

    page      docs/architectures/convolutional-networks.py
    figures   experiments/architectures/convolutional_networks.py
    scenes    animations/convolutional_networks.py
"""

from __future__ import annotations

from pathlib import Path

import pytest
from chapter_checks import Chapter

CHAPTER = Chapter("architectures", "convolutional-networks")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_its_figures_are_its_own_and_run_at_the_smoke_tier(tmp_path: Path) -> None:
    CHAPTER.check_figures(tmp_path)


def test_its_scenes_exist_and_are_embedded() -> None:
    CHAPTER.check_scenes()


# -- claims of the text ---------------------------------------------------------------------------

def test_the_lecture_examples_are_computed_on_the_page() -> None:
    out = CHAPTER.run("out = conv2d(LECTURE_IMAGE", "first = window_products", 'print("max pool of').printed
    assert "[[4, 3, 4],\n        [2, 4, 3],\n        [2, 3, 4]]" in out
    assert "1·1 + 1·0 + 1·1 + 0·0 + 1·1 + 1·0 + 0·1 + 0·0 + 1·1 = 4" in out
    assert "= 4.0" in out  # the max pool of [[1, 3], [2, 4]]
    assert "`[[4, 3, 4], [2, 4, 3], [2, 3, 4]]`" in CHAPTER.prose()


def test_cross_correlation_stamps_the_kernel_turned_half_a_turn() -> None:
    out = CHAPTER.run("impulse = torch.zeros").printed
    assert "[[9, 8, 7],\n        [6, 5, 4],\n        [3, 2, 1]]" in out
    assert "[[1, 2, 3],\n        [4, 5, 6],\n        [7, 8, 9]]" in out
    assert "gives the same either way: True" in out


def test_receptive_field_formula_matches_the_gradient_and_translation_equivariance_holds() -> None:
    out = CHAPTER.run("stack = torch.nn.Sequential", "shifted = torch.roll").printed
    assert "closed form: 9 pixels starting at 0; gradient reaches rows 0 to 8" in out
    assert "conv(shift(x)) == shift(conv(x)): True" in out


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_exercise_solutions_run_and_hold(number: int) -> None:
    CHAPTER.imports().then(CHAPTER.solution(number).code)  # each solution asserts its own claims


def test_the_cnn_beats_an_mlp_of_the_same_size_on_shifted_digits() -> None:
    from dlbook.figures import load_manifest

    m = load_manifest("translation-canvas")
    if m["tier"] != "full":
        pytest.skip("translation-canvas is frozen at the smoke tier")
    metrics = m["metrics"]
    assert abs(metrics["cnn_parameters"] / metrics["mlp_parameters"] - 1) < 0.05  # "about as many"
    assert metrics["cnn_test_accuracy"] > metrics["mlp_test_accuracy"] + 0.2  # "clearly beats"
    assert load_manifest("lenet-digits")["metrics"]["test_accuracy"] > 0.9
