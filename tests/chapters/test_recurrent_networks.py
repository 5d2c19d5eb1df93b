"""Tests of the chapter "Recurrent networks".

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/ (test_recurrent, test_bptt, test_text, test_sequences,
test_charlm, test_rnn_trace), against PyTorch. Here: what the chapter claims in its text.

    page      docs/architectures/recurrent-networks.py
    figures   experiments/architectures/recurrent_networks.py
    scenes    animations/recurrent_networks.py
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from chapter_checks import Chapter

CHAPTER = Chapter("architectures", "recurrent-networks")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_its_figures_are_its_own_and_run_at_the_smoke_tier(tmp_path: Path) -> None:
    CHAPTER.check_figures(tmp_path)


def test_its_scenes_exist_and_are_embedded() -> None:
    CHAPTER.check_scenes()


# -- claims of the text ---------------------------------------------------------------------------

def test_character_counts_lose_the_order() -> None:
    cell = next(c for c in CHAPTER.cells("code") if "dog bites man" in c)
    assert "same character counts? True" in CHAPTER.imports().then(cell).printed


def test_gradient_profiles_vanish_hold_and_explode_as_the_prose_says() -> None:
    """Gain 0.8: the first step gets a tiny fraction; gain 1.0: about the same size; 1.2: more."""
    cell = next(c for c in CHAPTER.cells("code") if "def grad_profile" in c)
    namespace = CHAPTER.imports().then(cell.split("fig, ax")[0]).namespace  # the numbers, not the plot
    profiles = namespace["profiles"]
    ratio = {gain: float(norms[0] / norms[-1]) for gain, norms in profiles.items()}
    assert ratio[0.8] < 1e-4
    assert 0.05 < ratio[1.0] < 20
    assert ratio[1.2] > 2


def test_exercise_1_solution_numbers() -> None:
    solution, code = CHAPTER.solution(1)
    namespace = CHAPTER.imports().then(code).namespace  # asserts that no gradient reaches h1..h3
    t = namespace["trace_rnn"]()
    for value in (t.h[0], t.h[1]):
        assert f"{value:.4f}" in solution


def test_exercise_2_parameter_counts() -> None:
    solution, code = CHAPTER.solution(2)
    counts = [int(line.split()[1]) for line in CHAPTER.imports().then(code).printed.splitlines()]
    assert counts == [50, 200, 150]
    assert "This prints 50, 200 and 150." in solution


def test_exercise_3_an_open_forget_gate_lets_more_gradient_through() -> None:
    _, code = CHAPTER.solution(3)
    namespace = CHAPTER.imports().then(code).namespace
    default, held_open = namespace["lstm_profile"](None), namespace["lstm_profile"](5.0)
    assert held_open[0] / held_open[-1] > 10 * (default[0] / default[-1])


def test_exercise_4_states_the_probabilities_its_code_computes() -> None:
    solution, code = CHAPTER.solution(4)
    CHAPTER.imports().then(code)  # asserts next_char_probs equals the formula
    z = torch.tensor([2.0, 1.0, 0.0, -1.0], dtype=torch.float64)
    for temperature in (1.0, 0.5, 2.0):
        p = torch.softmax(z / temperature, dim=0)
        shown = [f"{v:.3f}" for v in p.tolist()] if temperature != 0.5 else [f"{p[0]:.3f}"]
        for value in shown:
            assert value in solution, f"T = {temperature}: {value} not in the solution"
    top2 = math.e / (math.e + 1)
    assert f"{top2:.3f}" in solution and f"{1 - top2:.3f}" in solution


@pytest.mark.slow
def test_trained_language_model_beats_the_uniform_guess() -> None:
    from dlbook.figures import load_data, load_manifest

    manifest, data = load_manifest("char-lm"), load_data("char-lm")
    vocab_size = len(data["vocab"])
    if manifest["tier"] != "full":
        pytest.skip("char-lm is frozen at the smoke tier")
    assert data["curves"]["val"][-1] < math.log(vocab_size) - 2.0


@pytest.mark.slow
def test_the_plain_rnn_fails_the_long_copy_while_gated_cells_succeed() -> None:
    from dlbook.figures import load_manifest

    m = load_manifest("copy-delay")
    if m["tier"] != "full":
        pytest.skip("copy-delay is frozen at the smoke tier")
    delays, acc = m["config"]["delays"], m["metrics"]
    assert acc["accuracy tanh RNN delay 0"] > 0.95  # "with short delays all three copy"
    assert acc[f"accuracy tanh RNN delay {max(delays)}"] < 0.5  # "falls towards guessing"
    for name in ("LSTM", "GRU"):
        assert min(acc[f"accuracy {name} delay {d}"] for d in delays) > 0.95  # "still copy every symbol"


@pytest.mark.slow
def test_exercise_5_less_context_costs_nats() -> None:
    run = CHAPTER.run("text = python_docs_text()", "lm = load_data(\"char-lm\")", "cfg = CharLMConfig(")
    namespace = run.then(CHAPTER.solution(5).code).namespace
    assert namespace["short"] > namespace["full"] + 0.2  # "clearly higher"
