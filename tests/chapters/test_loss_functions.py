"""Tests of the chapter "Loss functions": docs/neurons/loss-functions.py.

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/, against PyTorch. Here the page's own code is run and
its printed numbers are held against its prose: maximum likelihood as the recipe behind
the losses (each equivalence is asserted inside the page's cells), the likelihood that
underflows, the two new exercises, and the references at the end.
"""

from __future__ import annotations

import re
from pathlib import Path

from chapter_checks import Chapter

CHAPTER = Chapter("neurons", "loss-functions")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_its_figures_are_its_own_and_run_at_the_smoke_tier(tmp_path: Path) -> None:
    CHAPTER.check_figures(tmp_path)


# --- Code the page runs: its numbers against its prose ---------------------------------


def test_the_gaussian_nll_ranks_the_lines_as_mse_does_for_every_sigma() -> None:
    """Three columns agree (asserted in the cell) and line B is the more likely line at every σ."""
    rows = re.findall(r"^\s*(\d+)\s+line ([AB])\s+(\S+)\s+(\S+)\s+(\S+)$",
                      CHAPTER.run().output_of("nll_torch = -Normal("), re.M)
    assert len(rows) == 6
    nll = {(int(sigma), line): float(value) for sigma, line, value, *_ in rows}
    for sigma in (5, 10, 20):
        assert nll[(sigma, "B")] < nll[(sigma, "A")]
    assert all(a == b == c for *_, a, b, c in rows)  # printed to three decimals
    assert "for every $\\sigma$ line B is the more likely line" in " ".join(CHAPTER.prose().split())


def test_the_likelihood_as_a_product_underflows_as_the_prose_says() -> None:
    out = CHAPTER.run().output_of("log_p = bernoulli_log_prob(")
    nll, bce = re.search(r"Bernoulli NLL: (\S+)\s+BCE: (\S+)", out).groups()  # type: ignore[union-attr]
    assert nll == bce
    product = float(re.search(r"as a product:\s+(\S+)", out)[1])  # type: ignore[index]
    assert 1e-42 < product < 1e-40  # "around 10^{-41}"
    tiny = float(re.search(r"smallest normal float32: (\S+)\)", out)[1])  # type: ignore[index]
    assert product < tiny == float(f"{1.1754944e-38:.1e}")  # below the smallest normal float32
    assert re.search(r"2000 students: product 0\.0, sum of logs -\d+\.\d", out)
    text = " ".join(CHAPTER.prose().split())
    assert "around $10^{-41}$, below the smallest normal float32" in text
    assert "for 2000 students it is exactly 0 even in float64" in text


def test_the_categorical_nll_is_the_per_example_loss() -> None:
    out = CHAPTER.run().output_of("nll = -categorical_log_prob(")
    per_example = re.search(r"per-example loss:\s+(tensor\(.*\))", out)[1]  # type: ignore[index]
    assert re.search(r"categorical NLL:\s+" + re.escape(per_example), out)


def test_exercises_7_and_8_print_what_their_prose_says() -> None:
    # each on its own copy of the page's namespace; exercise 8's block asserts its identity itself
    printed = "".join(CHAPTER.run().then(CHAPTER.solution(n).code).printed for n in (7, 8))
    learned, rms_line_b, rms_noise = (float(v) for v in printed.split())
    assert round(learned, 1) == round(rms_line_b, 1) == 8.9  # "Both give σ ≈ 8.9"
    assert round(rms_noise, 1) == 8.7  # "about 8.7"


def test_it_ends_with_references_to_the_work_it_cites() -> None:
    text = CHAPTER.prose()
    body, refs = text[: text.rindex("## References")], text[text.rindex("## References"):]
    assert "\n## " not in refs[2:], "References must be the last section"
    items = re.split(r"\n- ", refs)[1:]
    assert len(items) >= 5
    for item in items:
        assert re.search(r"\b(19|20)\d\d\b", item), f"no year: {item}"
        assert re.search(r"\]\(https://[^)\s]+\)", item), f"no link: {item}"
    for name in ["Fisher", "Shannon", "Cox", "Bridle"]:
        assert name in body and name in refs, name
