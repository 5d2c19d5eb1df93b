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


def test_the_capacity_sweep_backs_the_prose() -> None:
    """The validation loss is high for the two narrowest networks, lowest at widths 3 and 4,
    and from there climbs with every step up in width; the training loss falls all the way."""
    from dlbook.figures import load_data

    capacity = load_data("overfitting-capacity")
    widths = capacity["widths"]
    final_val = [curve[-1] for curve in capacity["val_loss"]]
    final_train = [curve[-1] for curve in capacity["train_loss"]]
    best = min(range(len(widths)), key=final_val.__getitem__)
    assert widths[best] in (3, 4)
    assert abs(final_val[widths.index(3)] - final_val[widths.index(4)]) < 0.01
    assert min(final_val[:2]) > final_val[best] + 0.1
    rising = final_val[widths.index(4):]
    assert all(a < b for a, b in zip(rising, rising[1:], strict=False))
    assert all(a > b for a, b in zip(final_train, final_train[1:], strict=False))


def test_the_chapter_ends_with_its_references() -> None:
    prose = CHAPTER.prose()
    assert prose.index("## Exercises") < prose.index("## References")
    text, references = prose[:prose.index("## References")], prose[prose.index("## References"):]
    text = " ".join(text.split())
    for name, link in (("Srivastava et al. 2014", "jmlr.org/papers/v15/srivastava14a"),
                       ("Krogh and Hertz (1992)", "proceedings.neurips.cc"),
                       ("Loshchilov and Hutter 2019", "arxiv.org/abs/1711.05101"),
                       ("McNemar 1947", "10.1007/BF02295996"),
                       ("Efron's, 1979", "10.1214/aos/1176344552"),
                       ("Prechelt (1998)", "10.1007/3-540-49430-8_3")):
        assert name in text and link in references, name
