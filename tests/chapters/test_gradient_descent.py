"""Tests of the chapter "Gradient descent and optimizers": docs/training/gradient-descent.py.

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/, against PyTorch. Here: the numbers of its section on
non-convex losses and the claims its prose makes of them, computed by the page's own cells.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from chapter_checks import Chapter

CHAPTER = Chapter("training", "gradient-descent")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_its_figures_are_its_own_and_run_at_the_smoke_tier(tmp_path: Path) -> None:
    CHAPTER.check_figures(tmp_path)


def test_its_scenes_exist_and_are_embedded() -> None:
    CHAPTER.check_scenes()


NON_CONVEX = ("def descend(", "def wavy(", "def saddle(", "def plateau(")


# -- beyond the bowl ----------------------------------------------------------------------------

def test_shuffled_hidden_units_are_a_second_minimum_with_a_ridge_between() -> None:
    ns = CHAPTER.run("perm = torch.randperm(16").namespace
    loss = ns["binary_cross_entropy_with_logits"]
    X, Y = ns["X_moons"], ns["Y_moons"]
    with torch.no_grad():
        trained, shuffled, halfway = (loss(m(X), Y).item() for m in (ns["net"], ns["twin"], ns["halfway"]))
    assert shuffled == pytest.approx(trained, rel=1e-5)
    assert halfway > 15 * trained  # "about twenty times higher"


def test_many_minima_and_what_momentum_changes() -> None:
    ns = CHAPTER.run(*NON_CONVEX).namespace
    ends, minima, wavy = ns["ends"], ns["minima"], ns["wavy"]
    assert len(minima) == 6
    gd_f, momentum_f = wavy(ends["gradient descent"]), wavy(ends["momentum"])
    lowest = wavy(minima).min()
    in_lowest = int((gd_f < lowest + 1e-6).sum())
    assert 0.2 < in_lowest / 201 < 0.33  # "about a quarter of the starts"
    assert int((momentum_f < lowest + 1e-6).sum()) == in_lowest
    assert momentum_f.mean() < gd_f.mean()
    assert int((momentum_f < gd_f - 1e-6).sum()) == 18 and int((momentum_f > gd_f + 1e-6).sum()) == 4


def test_the_saddle_holds_exact_starts_and_releases_perturbed_ones() -> None:
    ns = CHAPTER.run(*NON_CONVEX).namespace
    saddle, walks = ns["saddle"], ns["walks"]

    def escape(name: str) -> int | None:
        below = (saddle(walks[name]) < -0.2).nonzero()
        return below[0].item() if len(below) else None

    assert escape("GD, y0 = 0") is None and escape("momentum, y0 = 0") is None
    assert saddle(walks["GD, y0 = 0"][-1]).item() == pytest.approx(0.0, abs=1e-12)  # stuck at the saddle
    steps = [escape(f"GD, y0 = {y0}") for y0 in ("1e-3", "1e-6", "1e-9")]
    assert steps == [74, 146, 218]
    spacing = math.log(1000) / math.log(1.1)  # steps per factor 1000 near the saddle
    assert all(abs((b - a) - spacing) < 1 for a, b in zip(steps, steps[1:], strict=False))
    assert escape("momentum, y0 = 1e-6") < steps[1]
    assert escape("noisy GD, y0 = 0") is not None


def test_the_plateau_and_who_crosses_it_first() -> None:
    ns = CHAPTER.run(*NON_CONVEX).namespace
    w0 = ns["w0"]
    assert ns["plateau"](w0).item() / abs(ns["plateau_grad"](w0).item()) == pytest.approx(200, rel=0.05)
    first = {name: (losses < 0.1).nonzero()[0].item() for name, losses in ns["plateau_losses"].items()}
    assert first["gradient descent"] > 4 * first["momentum"]  # "through five times faster"
    assert first["Adam"] < first["gradient descent"] / 3


def test_saddle_escape_exercise_matches_its_prediction() -> None:
    ns = CHAPTER.run(*NON_CONVEX).namespace
    for lr in (0.02, 0.05, 0.1, 0.2):
        values = ns["saddle"](ns["descend"](ns["saddle_grad"], (1.0, 1e-6), lr=lr, num_steps=2000))
        measured = (values < -0.2).nonzero()[0].item()
        predicted = math.log(1e6) / math.log(1 + lr)
        assert 0 <= measured - predicted < 6


def test_the_chapter_ends_with_its_references() -> None:
    prose = CHAPTER.prose()
    assert prose.index("## Exercises") < prose.index("## References")
    text, references = prose[:prose.index("## References")], prose[prose.index("## References"):]
    text = " ".join(text.split())
    for name, link in (("Robbins and Monro (1951)", "10.1214/aoms/1177729586"),
                       ("Polyak (1964)", "10.1016/0041-5553(64)90137-5"),
                       ("Nesterov 1983", "Soviet Mathematics Doklady"),
                       ("Kingma and Ba 2015", "arxiv.org/abs/1412.6980"),
                       ("Hinton in a 2012", "lecture_slides_lec6.pdf"),
                       ("Dauphin et al. (2014)", "arxiv.org/abs/1406.2572"),
                       ("Goyal et al. 2017", "arxiv.org/abs/1706.02677")):
        assert name in text and link in references, name
