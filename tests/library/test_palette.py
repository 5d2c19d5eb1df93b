"""dlbook.palette: the class colours read on the light and the dark page, and bad classes are refused."""

from __future__ import annotations

import re

import pytest

from dlbook.palette import CLASS_COLORS, NEUTRAL, class_color, contrast_ratio

LIGHT, DARK = "#ffffff", "#1e2129"  # the page backgrounds: mkdocs-material's default and slate


@pytest.mark.parametrize("k", range(4))
@pytest.mark.parametrize("page", [LIGHT, DARK])
def test_the_first_four_classes_have_graphics_contrast_on_both_pages(k: int, page: str) -> None:
    assert contrast_ratio(class_color(k), page) >= 3.0  # WCAG 2.1 minimum for graphics


@pytest.mark.parametrize("page", [LIGHT, DARK])
def test_neutral_reads_on_both_pages(page: str) -> None:
    assert contrast_ratio(NEUTRAL, page) >= 3.0


def test_the_binary_pair_is_okabe_itos_blue_and_vermillion() -> None:
    assert CLASS_COLORS[:2] == ("#0072B2", "#D55E00")
    assert [class_color(k) for k in range(len(CLASS_COLORS))] == list(CLASS_COLORS)


def test_colours_are_distinct_hex_strings() -> None:
    assert len({c.lower() for c in CLASS_COLORS}) == len(CLASS_COLORS)
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in (*CLASS_COLORS, NEUTRAL))


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)  # order does not matter
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    # WCAG's worked value: #767676 is the lightest grey with 4.5:1 on white
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("k", [-1, len(CLASS_COLORS), 1.0, True, "1", None])
def test_class_color_refuses_what_is_not_a_class_index(k: object) -> None:
    with pytest.raises(ValueError, match=rf"class_color expects a class index in \[0, {len(CLASS_COLORS)}\), "
                                         rf"got {re.escape(repr(k))}"):
        class_color(k)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["red", "#fff", "0072B2", "#0072B2ff"])
def test_contrast_ratio_refuses_colours_not_written_as_rrggbb(bad: str) -> None:
    with pytest.raises(ValueError, match=r"expected a colour as '#rrggbb'"):
        contrast_ratio(bad, "#ffffff")
