"""Tests of the chapter "Neural networks and the forward pass": docs/neurons/neural-networks.py.

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/, against PyTorch. The numbers the page's own code
prints for the hinge section (universal approximation by construction) and its linear-layer
fit are checked here against what its prose says, and the page ends with its references.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
from chapter_checks import Chapter

CHAPTER = Chapter("neurons", "neural-networks")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_its_figures_are_its_own_and_run_at_the_smoke_tier(tmp_path: Path) -> None:
    CHAPTER.check_figures(tmp_path)


def test_its_scenes_exist_and_are_embedded() -> None:
    CHAPTER.check_scenes()


# --- Code the page runs: its numbers against its prose ---------------------------------


def test_no_single_linear_layer_reproduces_the_tanh_network() -> None:
    """The least-squares fit is exact for the linear stack and misses the tanh one clearly."""
    out = CHAPTER.run().output_of("torch.linalg.lstsq")
    misses = dict(re.findall(r"for the (\w+) network misses by up to (\S+)", out))
    assert float(misses["linear"]) < 1e-5
    assert float(misses["tanh"]) > 0.1


def test_the_hinge_network_is_linear_interpolation_with_the_printed_weights() -> None:
    page = CHAPTER.run()  # the hinge section ends the page: every cell runs, once for all these tests
    namespace, printed = page.namespace, page.output_of("weights = hinge_weights(")
    assert float(re.search(r"largest difference (\S+)", printed)[1]) < 1e-12  # type: ignore[index]
    w = namespace["weights"]
    knots = namespace["knots"]
    torch.testing.assert_close(w.knots, knots[:-1])
    slopes = torch.diff(torch.sin(knots)) / torch.diff(knots)
    torch.testing.assert_close(w.W2[0], torch.cat([slopes[:1], torch.diff(slopes)]))


def test_the_error_table_falls_like_one_over_k_squared_under_its_bound() -> None:
    rows = [line.split() for line in CHAPTER.run().output_of("def max_error(").splitlines()[1:]]
    ks = [int(r[0]) for r in rows]
    errors, bounds = [float(r[1]) for r in rows], [float(r[2]) for r in rows]
    assert ks == [5, 10, 20, 40, 80, 160]
    assert all(e <= b for e, b in zip(errors, bounds, strict=True))
    ratios = [a / b for a, b in zip(errors, errors[1:], strict=False)]
    assert all(3.5 < r < 4.2 for r in ratios), ratios  # "divides the largest error by close to 4"
    assert errors[-1] / bounds[-1] > 0.99  # "sit just under it"


def test_the_trained_network_is_described_as_printed() -> None:
    """Twelve of sixteen hinges inside, seven opening left, three near −2.5, worse than by hand."""
    page = CHAPTER.run()
    namespace, printed = page.namespace, page.output_of("trained_16 = MLP(")
    stats = {name: (float(mse_), float(mx)) for name, mse_, mx in re.findall(
        r"(hand-placed|trained)\s+mean squared error (\S+)\s+max error (\S+)", printed)}
    assert stats["trained"][0] > stats["hand-placed"][0] and stats["trained"][1] > stats["hand-placed"][1]
    assert stats["trained"][1] < 0.1  # close: a good fit, if not the best
    inside = namespace["hinges"][namespace["inside"]]
    assert int(namespace["inside"].sum()) == 12
    assert int((namespace["w_in"][namespace["inside"]] < 0).sum()) == 7
    assert int(((inside + 2.5).abs() < 0.1).sum()) == 3
    text = CHAPTER.prose()
    assert "Twelve of its sixteen units bend inside" in text and "seven of them opening to the left" in text
    assert "three of them crowd together near $x = -2.5$" in text


def test_exercise_solutions_print_what_their_prose_says() -> None:
    """Exercise 7: the error is exactly 1/(4k²); exercise 8: the two networks part at −2 and −3."""
    printed = [CHAPTER.imports().then(CHAPTER.solution(n).code).printed for n in (7, 8)]
    rows = [line.split() for line in printed[0].splitlines() if re.match(r"\d+ \d", line)]
    assert [int(r[0]) for r in rows] == [1, 2, 4, 8]
    for k, error, expected in (r[:3] for r in rows):
        exact = 1 / (4 * int(k) ** 2)
        assert float(error) == pytest.approx(exact, rel=1e-9) and float(expected) == pytest.approx(exact)
    table = [[float(v) for v in re.findall(r"-?\d+\.", line)] for line in printed[1].splitlines()]
    assert len(table) == 7
    for x, absolute, hinges, two in table:
        assert two == absolute
        assert hinges == (1.0 if x < -1 else absolute)


def test_it_ends_with_references_to_the_work_it_cites() -> None:
    text = CHAPTER.prose()
    body, refs = text[: text.rindex("## References")], text[text.rindex("## References"):]
    assert "\n## " not in refs[2:], "References must be the last section"
    items = re.split(r"\n- ", refs)[1:]
    assert len(items) >= 8
    for item in items:
        assert re.search(r"\b(19|20)\d\d\b", item), f"no year: {item}"
        assert re.search(r"\]\(https://[^)\s]+\)", item), f"no link: {item}"
    for name in ["Minsky", "Rumelhart", "Cybenko", "Hornik", "Leshno", "Telgarsky", "Arora"]:
        assert name in body and name in refs, name
