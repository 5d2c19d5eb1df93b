"""Tests of the chapter "Backpropagation": docs/training/backpropagation.py.

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/ (test_backprop, test_initialization), against PyTorch.
Here: the numbers its initialisation section prints and the claims its prose makes of them,
computed by the page's own cells.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from chapter_checks import Chapter

CHAPTER = Chapter("training", "backpropagation")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_its_figures_are_its_own_and_run_at_the_smoke_tier(tmp_path: Path) -> None:
    CHAPTER.check_figures(tmp_path)


def test_its_scenes_exist_and_are_embedded() -> None:
    CHAPTER.check_scenes()


# -- initialisation: symmetry, Xavier and He ----------------------------------------------------

def test_equal_initial_weights_give_equal_gradients_and_stay_equal() -> None:
    """Zeros: nothing reaches the first layer; equal weights: identical rows for ever; random:
    eight different units and a better fit."""
    ns = CHAPTER.run("def train_from(").namespace
    results = {}
    for start in ("zeros", "equal", "random"):
        model, first_dW1, loss = ns["train_from"](start)
        W1 = model.layers[0].weight.detach()
        distinct = len(torch.unique(W1, dim=0))
        results[start] = (first_dW1, distinct, loss)
    zeros_grad, zeros_distinct, zeros_loss = results["zeros"]
    assert torch.count_nonzero(zeros_grad) == 0 and zeros_distinct == 1
    assert zeros_loss == pytest.approx(1.0, abs=1e-3)  # a constant output, 0, for targets ±1
    equal_grad, equal_distinct, equal_loss = results["equal"]
    assert torch.count_nonzero(equal_grad) > 0
    assert torch.equal(equal_grad, equal_grad[:1].expand_as(equal_grad)) and equal_distinct == 1
    _, random_distinct, random_loss = results["random"]
    assert random_distinct == 8 and random_loss < equal_loss < zeros_loss


def test_the_deep_stack_table_backs_the_prose() -> None:
    """ReLU + He stays of order one; ReLU + Xavier loses a factor √2 per layer (three orders of
    magnitude in 20 layers); tanh + Xavier shrinks far more slowly; the default rule leaves the
    deep layers almost constant over the examples."""
    ns = CHAPTER.run("stack_depth, stack_width = 20, 128").namespace
    scales, spread = ns["scales"], ns["spread"]
    assert all(0.5 < s < 3 for s in scales["ReLU, He"])
    assert scales["ReLU, He"][0] == pytest.approx(math.sqrt(2), rel=0.05)  # raw inputs: variance doubled
    assert scales["ReLU, Xavier"][0] == pytest.approx(1.0, rel=0.05)
    assert scales["tanh, default"][0] == pytest.approx(1 / math.sqrt(3), rel=0.05)
    per_layer = (scales["ReLU, Xavier"][-1] / scales["ReLU, Xavier"][0]) ** (1 / 19)
    assert per_layer == pytest.approx(1 / math.sqrt(2), rel=0.05)
    assert 1e-4 < scales["ReLU, Xavier"][-1] < 1e-2
    assert scales["ReLU, Xavier"][-1] < 0.1 * scales["tanh, Xavier"][-1] < scales["tanh, Xavier"][0]
    for label in ("tanh, default", "ReLU, default"):
        assert spread[label] < 1e-4 < 1e-2 * scales[label][-1]  # per unit: almost no variation left
    assert spread["ReLU, He"] > 0.1 and spread["tanh, Xavier"] > 0.1


def test_ours_and_torch_draw_the_same_initial_weights() -> None:
    ns = CHAPTER.run("for name, ours, theirs, variance in (").namespace
    torch.testing.assert_close(ns["W_ours"], ns["W_torch"], rtol=0, atol=0)
    assert ns["W_ours"].var().item() == pytest.approx(2 / 512, rel=0.02)  # the last one drawn: He


def test_a_zero_output_layer_is_harmless() -> None:
    """Exercise 7: W1 does not move in the first step, moves in the second, and the network
    ends as well trained as from random weights everywhere."""
    exercise = CHAPTER.run("def train_from(").then(CHAPTER.solution(7).code)
    ns = exercise.namespace
    lines = exercise.printed.splitlines()
    assert "W1 moved by 0.0000" in lines[0] and "W1 moved by 0.0000" not in lines[1]
    _, _, random_loss = ns["train_from"]("random")
    assert ns["loss"].item() == pytest.approx(random_loss, abs=0.01)


def test_the_chapter_ends_with_its_references() -> None:
    prose = CHAPTER.prose()
    references = prose[prose.index("## References"):]
    assert prose.index("## Exercises") < prose.index("## References")
    for needle in ("Rumelhart", "doi.org/10.1038/323533a0", "Glorot", "glorot10a", "He, X. Zhang",
                   "arxiv.org/abs/1502.01852"):
        assert needle in references
    text = " ".join(prose[:prose.index("## References")].split())  # every source is named where it is used
    for name in ("Rumelhart, Hinton and Williams", "Glorot and Bengio (2010)",
                 "He, Zhang, Ren and Sun (2015)", "LeCun, Bottou, Orr and Müller (1998)",
                 "Bengio, Simard and Frasconi (1994)",
                 "Ioffe and Szegedy 2015", "He et al. 2016", "Chen et al. 2016", "Baydin et al. 2018"):
        assert name in text, name
