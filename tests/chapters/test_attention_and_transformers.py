"""Tests of the chapter "Attention and transformers".

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/ (test_attention, test_positional, test_transformer,
test_gpt, test_kv_cache, test_attention_trace), against PyTorch. Here: what the chapter
claims in its text.

    page      docs/architectures/attention-and-transformers.py
    figures   experiments/architectures/attention_and_transformers.py
    scenes    animations/attention_and_transformers.py
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import torch
from chapter_checks import Chapter

CHAPTER = Chapter("architectures", "attention-and-transformers")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_its_figures_are_its_own_and_run_at_the_smoke_tier(tmp_path: Path) -> None:
    CHAPTER.check_figures(tmp_path)


def test_its_scenes_exist_and_are_embedded() -> None:
    CHAPTER.check_scenes()


def full_tier(name: str) -> dict:
    from dlbook.figures import load_manifest

    manifest = load_manifest(name)
    if manifest["tier"] != "full":
        pytest.skip(f"{name} is frozen at the smoke tier")
    return manifest


# -- claims of the text ---------------------------------------------------------------------------

def test_the_soft_look_up_picks_a_matching_key_and_blends_between_keys() -> None:
    printed = CHAPTER.run("soft look-up of").output_of("soft look-up of")
    assert "of 2.2: no such key" in printed
    weights = {float(q): [float(w) for w in ws.split(", ")]
               for q, ws in re.findall(r"soft look-up of ([\d.]+): weights \[([^\]]+)\]", printed)}
    assert weights[2.0][1] > 0.95  # "nearly all of its value"
    assert weights[2.5][1] == pytest.approx(weights[2.5][2]) == pytest.approx(0.5, abs=0.01)  # a blend


def test_kernel_regression_bandwidths_behave_as_the_prose_says() -> None:
    printed = CHAPTER.run("def truth").output_of("def truth")
    rows = {float(h): (float(err), float(top)) for h, err, top in
            re.findall(r"h = ([\d.]+): mean squared error against the true curve ([\d.]+); "
                       r"largest weight per query, on average ([\d.]+)", printed)}
    (small, middle, large) = sorted(rows)
    assert rows[middle][0] < min(rows[small][0], rows[large][0])  # the middle error is the lowest
    assert rows[small][1] > 0.5  # "most of its weight on its nearest point"
    assert rows[large][1] < 2 / 40  # "nearly the same weights": close to uniform over 40 points


def test_the_tiny_example_matches_the_trace_and_the_third_key_wins() -> None:
    namespace = CHAPTER.run("trace_attention()", "Q, K, V = ").namespace
    t = namespace["t"]
    torch.testing.assert_close(namespace["weights"], torch.tensor(t.weights, dtype=torch.float64))
    assert max(range(3), key=lambda j: t.weights[2][j]) == 2  # "agrees most with the third key"
    assert t.Q[2] == (1.0, 1.0)


def test_scaling_keeps_the_variance_at_one_and_the_softmax_alive() -> None:
    cell = next(c for c in CHAPTER.cells("code") if "widths = [4, 16" in c)
    namespace = CHAPTER.imports().then(cell.split("fig, axes")[0]).namespace  # the numbers, not the plot
    widths, rows = namespace["widths"], namespace["rows"]
    for d_k, (var, _, _), (var_scaled, _, _) in zip(widths, rows["unscaled"], rows["scaled"], strict=True):
        assert var == pytest.approx(d_k, rel=0.1)
        assert var_scaled == pytest.approx(1.0, rel=0.1)
    top, jac = [r[1] for r in rows["unscaled"]], [r[2] for r in rows["unscaled"]]
    assert top == sorted(top) and top[-1] > 0.9  # "almost all its weight on one key"
    assert jac == sorted(jac, reverse=True) and jac[-1] < jac[0] / 4  # "shrinks towards zero"
    for i in (1, 2):  # "with it, all three columns stay put"
        values = [r[i] for r in rows["scaled"]]
        assert max(values) - min(values) < 0.05
    assert all(2 / 16 < r[1] < 6 / 16 for r in rows["scaled"])  # "a few times 1/16, far from 1"


def test_masks_zero_the_forbidden_weights() -> None:
    run = CHAPTER.run("causal_mask(5)", "key_padding_mask=padding")
    assert "outputs 1-4 unchanged when the last token changes: True" in run.printed
    weights = run.namespace["weights"]  # the padding cell's
    assert torch.all(weights[1, :, 3:] == 0) and torch.all(weights[0] > 0)


def test_attention_without_positions_cannot_tell_the_sentences_apart() -> None:
    printed = CHAPTER.run("perm = torch.tensor", "with positions added").printed
    assert "same summary for 'dog bites man' and 'man bites dog'? True" in printed
    assert "with positions added, same summary? False" in printed


def test_two_thirds_of_a_block_is_the_feed_forward_network() -> None:
    namespace = CHAPTER.run("inspect.getsource(TransformerBlock.forward)").namespace
    block = namespace["ours"]
    ffn = sum(p.numel() for p in block.mlp.parameters())
    total = sum(p.numel() for p in block.parameters())
    assert ffn / total == pytest.approx(2 / 3, abs=0.03)


@pytest.mark.slow
def test_reversal_needs_positions_and_draws_an_anti_diagonal() -> None:
    m = full_tier("attention-reversal")["metrics"]
    assert m["accuracy, learned positions"] > 0.99
    assert m["anti-diagonal weight, learned positions"] > 0.9  # "almost all of the weight"
    chance = 1 / load_json("attention-reversal")["num_symbols"]
    assert chance < m["accuracy, no positions"] < 0.5  # "beats chance only a little"
    assert m["anti-diagonal weight, no positions"] < 0.3  # "its weights stay spread out"
    printed = CHAPTER.run("rev, rev_data = ", "first_half = ").output_of("first_half = ")
    steps = [int(s) for s in re.search(r"weight > 0.5: \[([^\]]+)\]", printed)[1].split(", ")]
    assert len(set(steps)) > 1  # "the rows do not all lock in together"


def load_json(name: str) -> dict:
    from dlbook.figures import load_data

    return load_data(name)


@pytest.mark.slow
def test_the_gru_wins_at_equal_time_on_the_cpu_as_the_prose_says() -> None:
    manifest = full_tier("char-gpt")
    if manifest["device_type"] != "cpu":
        pytest.fail("char-gpt was made on a GPU: the prose says the GRU wins on the CPU; rewrite it")
    data = load_json("char-gpt")
    gpt, gru = data["curves"]["GPT"], data["curves"]["GRU"]
    assert data["chars_per_step"]["GPT"] == data["chars_per_step"]["GRU"]  # "both read 2,048 per step"
    assert abs(gpt["seconds"][-1] - gru["seconds"][-1]) < 0.05 * gru["seconds"][-1]  # equal time
    assert gru["val"][-1] < gpt["val"][-1] - 0.1  # "by a wide margin"
    assert gru["step"][-1] > 1.3 * gpt["step"][-1]  # "the GRU takes more steps"
    gru_then = [v for s, v in zip(gru["step"], gru["val"], strict=True) if s <= gpt["step"][-1]][-1]
    assert gru_then < gpt["val"][-1]  # "even step for step the GRU learns faster"
    namespace = CHAPTER.run("lm = load_data", "curves, budget = ", "def second_half_gain").namespace
    gain = namespace["second_half_gain"]
    assert gain(gpt) > 2 * gain(gru)  # "still falling steeply, while the GRU's is levelling off"
    assert gpt["val"][-1] < math.log(len(data["vocab"])) - 2.0  # "has learned a good deal"


@pytest.mark.slow
def test_the_stored_scores_are_the_models_and_top_1_is_greedy() -> None:
    full_tier("char-gpt")
    printed = CHAPTER.run("lm = load_data", "stored = next(").output_of("stored = next(")
    diff = float(re.search(r"stored and live scores: ([\d.]+)", printed)[1])
    assert diff <= 0.001  # the three decimals kept
    assert re.search(r"top-k\s+1: '.' 100\.0%", printed)


@pytest.mark.slow
def test_some_heads_watch_the_previous_character_or_one_position() -> None:
    full_tier("char-gpt")
    printed = CHAPTER.run("lm = load_data", "return_attention=True").output_of("return_attention=True")
    found = re.search(r"head \d+ \((\d+)% of its weight\); for comparison, a uniform causal head "
                      r"gives (\d+)%", printed)
    assert int(found[1]) > 3 * int(found[2])
    stripe = re.search(r"at position \d+ (\d+)% of the weight of every later query", printed)
    assert int(stripe[1]) > 30


@pytest.mark.slow
def test_attention_time_grows_with_the_square_of_the_length() -> None:
    printed = CHAPTER.run("def cpu_seconds", "lengths, times").output_of("lengths, times")
    ratio = int(re.search(r"the length took (\d+)x the time", printed)[1])
    assert ratio > 16  # 8x the length: T² predicts 64x; timing noise is allowed for


@pytest.mark.slow
def test_the_cache_writes_the_same_tokens_and_gains_with_length() -> None:
    printed = CHAPTER.run("lm = load_data", "def cpu_seconds", "big = GPT(").output_of("big = GPT(")
    speed_ups = [float(x) for x in re.findall(r"([\d.]+)x faster with the cache", printed)]
    assert len(speed_ups) == 3 and speed_ups[-1] > 1.5 and speed_ups[-1] > speed_ups[0]


def test_exercise_1_sharper_without_the_square_root() -> None:
    solution, code = CHAPTER.solution(1)
    namespace = CHAPTER.imports().then(code).namespace
    unscaled, scaled = namespace["unscaled"], namespace["scaled"]
    assert unscaled.max() > scaled.max()
    for value in (*unscaled.tolist(), *scaled.tolist()):
        assert f"{value:.3f}".rstrip("0") in solution


def test_exercise_2_parameter_count() -> None:
    solution, code = CHAPTER.solution(2)
    printed = CHAPTER.imports().then(code).printed
    total, share = re.search(r"([\d,]+) parameters, ([\d.]+)% of them in the blocks", printed).groups()
    assert f"This prints {total} parameters, {share}% of them in the blocks." in solution


def test_exercise_3_only_later_logits_change() -> None:
    _, code = CHAPTER.solution(3)
    printed = CHAPTER.imports().then(code).printed
    assert "positions 1-7 unchanged: True | positions 8-12 unchanged: False" in printed


def test_exercise_4_attention_equals_the_feed_forward_network_at_4d() -> None:
    solution, code = CHAPTER.solution(4)
    printed = CHAPTER.imports().then(code).printed
    ratios = dict(re.findall(r"(\d+) attention / feed-forward = ([\d.]+)", printed))
    assert ratios["384"] == "1.00" and "At $T = 384$ they are equal" in solution
    assert float(ratios["64"]) == pytest.approx(1 / 6, abs=0.005) and "a sixth" in solution
    assert 2 < float(ratios["1024"]) < 3 and "well over twice" in solution


def test_exercise_5_cold_sampling_is_greedy() -> None:
    _, code = CHAPTER.solution(5)
    namespace = CHAPTER.imports().then(code).namespace  # asserts the two are equal
    assert namespace["greedy"].tolist() == [1.0, 0.0, 0.0, 0.0]
