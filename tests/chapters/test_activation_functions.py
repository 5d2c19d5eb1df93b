"""Tests of the chapter "Activation functions": docs/neurons/activation-functions.py.

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/, against PyTorch. Here the page's own code is run where
its prose makes claims about what it prints (exercise 3's count, the rounding behind
tanh'(20) = 0, the softmax Jacobian's row and column sums), and the page ends with its
references.
"""

from __future__ import annotations

import re
from pathlib import Path

from chapter_checks import Chapter

CHAPTER = Chapter("neurons", "activation-functions")


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_its_figures_are_its_own_and_run_at_the_smoke_tier(tmp_path: Path) -> None:
    CHAPTER.check_figures(tmp_path)


def test_exercise_3_counts_the_parameters_its_code_prints() -> None:
    """The solution's prose states the parameter counts that its own code prints."""
    solution = CHAPTER.solution(3)
    stack, single = (int(n) for n in CHAPTER.imports().then(solution.code).printed.split())
    stated = re.search(r"= (\d+)\$ parameters, the single layer\s+\$[^$]*= (\d+)\$", solution.prose)
    assert stated, "the solution no longer states the two counts"
    assert (int(stated[1]), int(stated[2])) == (stack, single) == (77, 10)


def test_the_zero_for_tanh_prime_at_20_is_rounding() -> None:
    out = CHAPTER.run().output_of("t20 = torch.tensor(20.0")
    assert re.search(r"z =\s+20:.*tanh'\(z\) = 0\.00e\+00", out)
    assert "tanh(20) == 1 in float64: True" in out
    true_value = float(re.search(r"1 / cosh\(20\)\^2 = (\S+)", out)[1])  # type: ignore[index]
    assert 1e-17 < true_value < 2e-17


def test_the_softmax_jacobian_rows_and_columns_sum_to_zero() -> None:
    """Rows: the shift invariance; columns: the outputs sum to one. Both printed, both ≈ 0."""
    out = CHAPTER.run().output_of("J = softmax_jacobian(s)")
    for kind in ("row sums", "column sums"):
        line = next(line for line in out.splitlines() if line.startswith(kind))
        values = [float(v) for v in re.findall(r"-?\d\.\d+e[-+]\d+", line)]
        assert len(values) == 3 and max(map(abs, values)) < 1e-6, line
    text = " ".join(CHAPTER.prose().split())
    assert "how $s_i$ changes when all the scores are raised together" in text
    assert "the total is always 1" in text


def test_full_batch_training_is_not_called_stochastic() -> None:
    for sentence in re.split(r"(?<=[.;])\s", " ".join(CHAPTER.prose().split())):
        assert not ("full" in sentence and "stochastic" in sentence), sentence


def test_it_ends_with_references_to_the_work_it_cites() -> None:
    text = CHAPTER.prose()
    body, refs = text[: text.rindex("## References")], text[text.rindex("## References"):]
    assert "\n## " not in refs[2:], "References must be the last section"
    items = re.split(r"\n- ", refs)[1:]
    assert len(items) >= 10
    for item in items:
        assert re.search(r"\b(19|20)\d\d\b", item), f"no year: {item}"
        assert re.search(r"\]\(https://[^)\s]+\)", item), f"no link: {item}"
    cited = {  # as the prose names them: as the references list them
        "Bridle": "J. S. Bridle", "Hochreiter in 1991": "S. Hochreiter", "Bengio, Simard": "Y. Bengio",
        "LeCun": "Y. LeCun", "Glorot and Bengio": "X. Glorot and Y. Bengio", "Nair": "V. Nair",
        "Glorot, Bordes": "X. Glorot, A. Bordes", "Maas": "A. L. Maas", "He, Zhang": "K. He",
        "Clevert": "D.-A. Clevert", "Hendrycks": "D. Hendrycks", "Elfwing": "S. Elfwing",
    }
    flat = " ".join(body.split())
    for in_text, in_refs in cited.items():
        assert in_text in flat and in_refs in refs, in_text
