"""The "conv-window" and "image-picker" explorable kinds in headless Chromium, on a small page
made with tests/explorable_harness.py: synthetic figures rendered by dlbook.figures.explore,
served on loopback with the book's explorable.js, explorable-conv.js and explorable.css.

The numbers on screen are checked against dlbook.conv's: every output cell shows
conv2d's value, every window and sum of products is window_products' (computed here).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from explorable_harness import open_page, png, serve, write_site

from dlbook.conv import LECTURE_IMAGE, LECTURE_KERNEL, conv2d, window_products
from dlbook.figures.kinds_conv import conv_window_data, image_picker_data

pytestmark = pytest.mark.slow

LECTURE, STRIDED, PICKER = ("figure#figure-demo-conv", "figure#figure-demo-conv-strided",
                            "figure#figure-demo-picker")
ALL = (LECTURE, STRIDED, PICKER)

# --- Synthetic figures ------------------------------------------------------------------------

KERNEL = torch.tensor([[0.5, -1, 0], [2, 0.25, 1], [0, -2, 1]], dtype=torch.float64)  # (3, 3)


def _strided_input() -> torch.Tensor:
    """(4, 5) integers in [-3, 3]: with padding 1 and stride 2, a 2 x 3 output."""
    g = torch.Generator().manual_seed(11)
    return torch.randint(-3, 4, (4, 5), generator=g).double()


KERNELS = {"identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]], "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]}
IMAGES = [("identity", png((160, 160), "#c03030"), "A red square", KERNELS["identity"]),
          ("sharpen", png((160, 120), "#30a030"), "A green rectangle", KERNELS["sharpen"]),
          ("original", png((120, 160), "#3030c0"), "A blue rectangle", None)]


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """index.html (all kinds) and core-only.html (no explorable-conv.js) on loopback."""
    site = write_site(tmp_path_factory.mktemp("explorable-conv"), {
        "demo-conv": conv_window_data(LECTURE_IMAGE, LECTURE_KERNEL),
        "demo-conv-strided": conv_window_data(_strided_input(), KERNEL, stride=2, padding=1,
                                              labels={"input": "x", "kernel": "w", "output": "y"}),
        "demo-picker": image_picker_data(IMAGES, initial=1, legend="Kernel"),
    }, {"index.html": ["explorable.js", "explorable-kinds.js", "explorable-conv.js"],
        "core-only.html": ["explorable.js"]})
    with serve(site) as url:
        yield url


@pytest.fixture
def page(harness: str, browser: Any) -> Iterator[Any]:
    with open_page(browser, harness, ALL) as page:
        yield page


# --- What the page should show, from dlbook.conv ----------------------------------------------

def num(v: float) -> str:
    """A number as explorable-conv.js writes it: 4, 0.25, −1 (a true minus)."""
    text = str(int(v)) if v == int(v) else f"{v:.4g}"
    return text.replace("-", "−")


def spelled(x: torch.Tensor, w: torch.Tensor, i: int, j: int, stride: int = 1, padding: int = 0) -> str:
    """Output cell (i, j) as the page spells it: "1·1 + 1·0 + ... = 4", from window_products."""
    win = window_products(x, w, i, j, stride=stride, padding=padding)
    factor = lambda v: f"({num(v)})" if v < 0 else num(v)
    terms = [f"{factor(a)}·{factor(b)}" for a, b in zip(win.window.flatten().tolist(), w.flatten().tolist(),
                                                         strict=True)]
    return " + ".join(terms) + " = " + num(win.value)


def output_values(figure: Any) -> list[list[float]]:
    buttons = figure.locator(".dlbook-conv-output button.dlbook-conv-cell")
    cells = buttons.evaluate_all("bs => bs.map(b => [+b.dataset.row, +b.dataset.col, +b.dataset.value, "
                                 "b.textContent])")
    rows = 1 + max(r for r, _, _, _ in cells)
    grid: list[list[float]] = [[] for _ in range(rows)]
    for r, _, value, text in cells:
        assert text == num(value)  # the text shown is the value, written as the book writes it
        grid[r].append(value)
    return grid


def window(figure: Any) -> list[tuple[int, int]]:
    """The (row, column) of the input cells highlighted as the window (padded coordinates)."""
    cells = figure.locator(".dlbook-conv-input .dlbook-conv-cell.in-window")
    return [tuple(rc) for rc in cells.evaluate_all("cs => cs.map(c => [+c.dataset.row, +c.dataset.col])")]


def cell(figure: Any, i: int, j: int) -> Any:
    return figure.locator(f'.dlbook-conv-output button[data-row="{i}"][data-col="{j}"]')


def summary(figure: Any) -> str:
    return figure.locator(".dlbook-conv-sum").inner_text()


# --- "conv-window" ----------------------------------------------------------------------------

def test_lecture_example_output_and_the_window_of_cell_0_0(page: Any) -> None:
    figure = page.locator(LECTURE)
    assert not figure.locator("img.dlbook-explorable-fallback").is_visible()
    assert figure.locator(".dlbook-conv-title").all_inner_texts() == ["Input", "Kernel", "Output"]
    assert figure.locator(".dlbook-conv-input .dlbook-conv-cell").count() == 25
    assert figure.locator(".dlbook-conv-kernel .dlbook-conv-cell").count() == 9
    want = conv2d(LECTURE_IMAGE[None, None], LECTURE_KERNEL[None, None])[0, 0].tolist()
    assert output_values(figure) == want == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    label = figure.locator(".dlbook-conv-input").get_attribute("aria-label")
    assert label == "Input, 5 by 5: 1 1 1 0 0; 0 1 1 1 0; 0 0 1 1 1; 0 0 1 1 0; 0 1 1 0 0"

    cell(figure, 1, 1).hover()  # away from (0, 0), then back: hovering selects
    assert window(figure) == [(r, c) for r in range(1, 4) for c in range(1, 4)]
    cell(figure, 0, 0).hover()
    assert window(figure) == [(r, c) for r in range(3) for c in range(3)]
    text = summary(figure)
    assert text == "Row 1, column 1: 1·1 + 1·0 + 1·1 + 0·0 + 1·1 + 1·0 + 0·1 + 0·0 + 1·1 = 4"
    assert text.endswith(spelled(LECTURE_IMAGE, LECTURE_KERNEL, 0, 0))
    assert figure.locator(".dlbook-conv-sum").get_attribute("aria-live") == "polite"
    assert cell(figure, 0, 0).get_attribute("aria-pressed") == "true"
    assert figure.locator('.dlbook-conv-output [aria-pressed="true"]').count() == 1

    # not by colour alone: the window is framed by a 3px border, the chosen cell outlined 3px
    frame = figure.locator(".dlbook-conv-window")
    assert frame.evaluate("e => getComputedStyle(e).borderTopWidth") == "3px"
    assert cell(figure, 0, 0).evaluate("e => getComputedStyle(e).outlineWidth") == "3px"
    assert figure.locator(".in-window").first.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    box, first, last = (frame.bounding_box(), figure.locator(".in-window").first.bounding_box(),
                        figure.locator(".in-window").last.bounding_box())
    assert box["x"] == pytest.approx(first["x"], abs=1) and box["y"] == pytest.approx(first["y"], abs=1)
    assert box["x"] + box["width"] == pytest.approx(last["x"] + last["width"], abs=1)
    assert box["y"] + box["height"] == pytest.approx(last["y"] + last["height"], abs=1)
    # class-0 blue on the light page, sky blue on mkdocs-material's dark (slate) one
    border = "e => getComputedStyle(e).borderTopColor"
    assert frame.evaluate(border) == "rgb(0, 114, 178)"
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    assert frame.evaluate(border) == "rgb(86, 180, 233)"


def test_every_cell_sum_and_window_match_dlbook(page: Any) -> None:
    for selector, x, w, s, p in ((LECTURE, LECTURE_IMAGE.double(), LECTURE_KERNEL.double(), 1, 0),
                                 (STRIDED, _strided_input(), KERNEL, 2, 1)):
        figure = page.locator(selector)
        want = conv2d(x[None, None], w[None, None], stride=s, padding=p)[0, 0]
        assert output_values(figure) == want.tolist()
        Ho, Wo = want.shape
        for i in range(Ho):
            for j in range(Wo):
                cell(figure, i, j).hover()
                assert window(figure) == [(s * i + u, s * j + v) for u in range(3) for v in range(3)]
                assert summary(figure).endswith(": " + spelled(x, w, i, j, stride=s, padding=p))
                assert float(cell(figure, i, j).get_attribute("data-value")) == want[i, j].item()


def test_padding_stride_and_labels(page: Any) -> None:
    figure = page.locator(STRIDED)
    assert figure.locator(".dlbook-conv-title").all_inner_texts() == ["x", "w", "y"]
    assert figure.locator(".dlbook-conv-input .dlbook-conv-cell").count() == 6 * 7  # (4 + 2) x (5 + 2)
    assert figure.locator(".dlbook-conv-input .dlbook-conv-cell.pad").count() == 6 * 7 - 4 * 5
    assert figure.locator(".dlbook-conv-output button").count() == 2 * 3
    assert "padding" in figure.locator(".dlbook-conv-input").get_attribute("aria-label")
    assert "stride 2" in figure.locator(".dlbook-conv-hint").inner_text()
    kernel = figure.locator(".dlbook-conv-kernel .dlbook-conv-cell").all_inner_texts()
    assert kernel == ["0.5", "−1", "0", "2", "0.25", "1", "0", "−2", "1"]
    cell(figure, 1, 2).click()
    assert summary(figure).startswith("Row 2, column 3: ")
    assert "·(−1)" in summary(figure)  # a negative factor is bracketed


def test_keyboard_moves_the_selection(page: Any) -> None:
    figure = page.locator(LECTURE)
    assert figure.locator('.dlbook-conv-output button[tabindex="0"]').count() == 1  # one tab stop
    page.keyboard.press("Tab")  # the first focusable thing on the page: output cell (0, 0)
    assert cell(figure, 0, 0).evaluate("e => e === document.activeElement")
    steps = [("ArrowRight", (0, 1)), ("ArrowDown", (1, 1)), ("ArrowDown", (2, 1)), ("ArrowDown", (2, 1)),
             ("End", (2, 2)), ("ArrowRight", (2, 2)), ("Home", (2, 0)), ("ArrowUp", (1, 0))]
    for key, (i, j) in steps:
        page.keyboard.press(key)
        focused = cell(figure, i, j)
        assert focused.evaluate("e => e === document.activeElement"), key
        assert focused.get_attribute("aria-pressed") == "true" and focused.get_attribute("tabindex") == "0"
        assert window(figure)[0] == (i, j)
        assert summary(figure) == (f"Row {i + 1}, column {j + 1}: "
                                   + spelled(LECTURE_IMAGE, LECTURE_KERNEL, i, j))
    assert figure.locator('.dlbook-conv-output button[tabindex="0"]').count() == 1
    assert figure.locator('.dlbook-conv-output [aria-pressed="true"]').count() == 1


def test_on_a_phone_the_grids_fit_and_a_tap_selects(harness: str, browser: Any) -> None:
    phone = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
    with open_page(browser, harness, ALL, **phone) as page:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        figure = page.locator(LECTURE)
        for grid in figure.locator(".dlbook-conv-grid").all():
            box = grid.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        button = cell(figure, 2, 1).bounding_box()
        assert button["width"] >= 28 and button["height"] >= 28  # big enough to tap
        cell(figure, 2, 1).tap()
        assert summary(figure).endswith(spelled(LECTURE_IMAGE, LECTURE_KERNEL, 2, 1))
        assert window(figure)[0] == (2, 1)
        picker = page.locator(PICKER)
        image = picker.locator("img.dlbook-picker-image:visible")
        assert image.bounding_box()["x"] + image.bounding_box()["width"] <= 360
        picker.get_by_role("radio", name="original").tap()
        assert image.get_attribute("data-label") == "original"


# --- "image-picker" ---------------------------------------------------------------------------

def visible(figure: Any) -> tuple[str, str, str]:
    images = figure.locator("img.dlbook-picker-image:visible")
    assert images.count() == 1
    return images.get_attribute("data-label"), images.get_attribute("src"), images.get_attribute("alt")


def test_picker_switches_the_image_its_label_and_kernel(page: Any) -> None:
    figure = page.locator(PICKER)
    srcs = {item["label"]: item["src"] for item in image_picker_data(IMAGES)["images"]}
    assert not figure.locator("img.dlbook-explorable-fallback").is_visible()
    assert figure.locator("legend").inner_text() == "Kernel"
    radios = figure.get_by_role("radio")
    assert radios.count() == 3
    label = figure.locator(".dlbook-picker-label")
    assert label.get_attribute("aria-live") == "polite"

    def shows(name: str, alt: str) -> None:
        assert visible(figure) == (name, srcs[name], alt)
        assert figure.get_by_role("radio", name=name, exact=True).is_checked()
        kernel = figure.locator(".dlbook-picker-kernel:visible .dlbook-conv-cell")
        if name in KERNELS:
            want = [num(v) for row in KERNELS[name] for v in row]
            assert kernel.all_inner_texts() == want
            assert label.inner_text() == f"Showing: {name}, kernel " + "; ".join(
                " ".join(num(v) for v in row) for row in KERNELS[name]) + "."
        else:
            assert kernel.count() == 0 and label.inner_text() == f"Showing: {name}."

    shows("sharpen", "A green rectangle")  # "initial": 1
    figure.get_by_role("radio", name="identity", exact=True).check()
    shows("identity", "A red square")
    figure.get_by_role("radio", name="original", exact=True).click()
    shows("original", "A blue rectangle")

    figure.get_by_role("radio", name="original", exact=True).focus()
    page.keyboard.press("ArrowLeft")  # radios: arrow keys move the choice
    shows("sharpen", "A green rectangle")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # wraps round to the first
    shows("identity", "A red square")
    assert re.fullmatch(r"data:image/png;base64,[A-Za-z0-9+/=]+", visible(figure)[1])


# --- A missing script, no JavaScript ----------------------------------------------------------

def test_without_explorable_conv_js_the_images_stay(harness: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(harness + "core-only.html", wait_until="load")
    for figure in ALL:
        assert page.locator(f"{figure} img.dlbook-explorable-fallback").is_visible()
    assert page.locator("button, fieldset").count() == 0
    page.close()


def test_without_javascript_the_fallback_images_show(harness: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(harness, wait_until="load")
    for figure in ALL:
        image = page.locator(f"{figure} img.dlbook-explorable-fallback")
        assert image.is_visible()
        box = image.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
    assert page.locator("button, fieldset, .dlbook-conv-grid, img.dlbook-picker-image").count() == 0
    context.close()
