"""The "sampling" and "heatmap" explorable kinds (and the default "curves") in headless
Chromium, on a small page made here rather than in the built site: synthetic figures
frozen in a temporary folder, rendered by dlbook.figures.explore, served on loopback with
the book's explorable.js, explorable-kinds.js and explorable.css (tests/explorable_harness.py).

The numbers on screen are checked against Python's: the bars are softmax(logits / T) of
the stored logits, the heat map's cells carry the stored values.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch
from explorable_harness import open_page, serve, write_site

from dlbook.figures.kinds import heatmap_data, sampling_data

pytestmark = pytest.mark.slow

SAMPLING, HEATMAP, CURVES = ("figure#figure-demo-sampling", "figure#figure-demo-heatmap",
                             "figure#figure-demo-curves")

# --- Synthetic figures, frozen as the build freezes them -------------------------------------

CHARS = ["\n", " ", *"abcdefghijklmnopqrstuvwxyz():="]  # V = 32
PROMPTS = ["def f", "import os\nprint", "x = y"]


def _logits() -> list[list[float]]:
    """(3, V) distinct logits; prompt 0 favours " ", prompt 1 "\\n"."""
    g = torch.Generator().manual_seed(12)
    logits = 2 * torch.randn(len(PROMPTS), len(CHARS), generator=g, dtype=torch.float64)
    logits[0, 1], logits[1, 0] = 6.0, 5.5
    return logits.tolist()


def _frames() -> list[list[list[list[float | None]]]]:
    """(F=3, P=2, R=2, C=12) positive values; frame 2 holds the overall min and max."""
    g = torch.Generator().manual_seed(3)
    values = torch.rand(3, 2, 2, 12, generator=g, dtype=torch.float64) * 0.5 + 0.01
    values[2, 0, 0, 0], values[2, 1, 1, 11] = 0.001, 0.9
    nested: list[Any] = values.tolist()
    nested[1][1][0][5] = None  # a cell with no value
    return nested


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A loopback server with index.html (all kinds) and core-only.html (no explorable-kinds.js)."""
    site = write_site(tmp_path_factory.mktemp("explorable"), {
        "demo-sampling": sampling_data(CHARS, PROMPTS, _logits(), top_k=[1, 3, 10]),
        "demo-heatmap": heatmap_data(
            [1, 5, 20], ["tanh RNN", "LSTM"], _frames(), frame_label="epoch", x_label="t",
            y_label="sequence", value_label="‖∂L/∂h_t‖", scale="log", rows=["short", "long"]),
        "demo-curves": {
            "params": [{"name": "lr", "label": "learning rate", "values": [0.1, 1.0]}],
            "series": [{"key": "train", "label": "train"}, {"key": "val", "label": "validation"}],
            "runs": [{"train": [1.0, 0.5, 0.3], "val": [1.1, 0.7, 0.6]},
                     {"train": [1.0, 0.2, 0.1], "val": [1.2, 0.9, 1.0]}],
            "x_label": "epoch", "y_label": "loss"},
    }, {"index.html": ["explorable.js", "explorable-kinds.js"], "core-only.html": ["explorable.js"]})
    with serve(site) as url:
        yield url


@pytest.fixture
def page(harness: str, browser: Any) -> Iterator[Any]:
    """index.html with every figure drawn; fails the test on any console error."""
    with open_page(browser, harness, (SAMPLING, HEATMAP, CURVES)) as page:
        yield page


# --- "sampling" ------------------------------------------------------------------------------

def expected(prompt: int, T: float, top_k: int = 0, shown: int = 12) -> list[tuple[str, float]]:
    """(char, p) of the ``shown`` largest logits of the stored data, p = softmax(logits / T)."""
    logits = torch.tensor(sampling_data(CHARS, PROMPTS, _logits())["prompts"][prompt]["logits"],
                          dtype=torch.float64)
    order = torch.argsort(logits, descending=True, stable=True)
    z = logits / T
    if top_k:
        z[order[top_k:]] = -torch.inf  # only the k largest logits keep their probability
    p = torch.softmax(z, 0)
    order = order[:shown]
    return [(CHARS[i], p[i].item()) for i in order.tolist()]


WIDTHS = "rs => rs.map(r => r.getAttribute('width'))"


def bars(figure: Any) -> tuple[list[str], list[float], list[str], list[str], list[float]]:
    """Each row's character, its data-p, its shown label and probability text, its bar width."""
    rows = figure.locator("g.dlbook-sampling-row")
    return (
        [rows.nth(i).get_attribute("data-char") for i in range(rows.count())],
        [float(rows.nth(i).get_attribute("data-p")) for i in range(rows.count())],
        figure.locator("g.dlbook-sampling-row text.char").all_text_contents(),
        figure.locator("g.dlbook-sampling-row text.prob").all_text_contents(),
        [float(w) for w in figure.locator("rect.bar").evaluate_all(WIDTHS)],
    )


def assert_shows(figure: Any, want: list[tuple[str, float]]) -> None:
    chars, ps, _, texts, widths = bars(figure)
    assert chars == [c for c, _ in want]
    for (c, p), shown, text, width in zip(want, ps, texts, widths, strict=True):
        assert shown == pytest.approx(p, rel=1e-9, abs=1e-12), c
        assert abs(float(text) - p) <= 0.0005 + 1e-9 and text == f"{float(text):.3f}", (c, text, p)
        assert width == pytest.approx(p * widths[0] / want[0][1], abs=0.02)  # bars proportional to p


def test_sampling_bars_are_softmax_of_logits_over_temperature(page: Any) -> None:
    figure = page.locator(SAMPLING)
    assert not figure.locator("img.dlbook-explorable-fallback").is_visible()
    assert figure.locator("svg.dlbook-sampling-chart").is_visible()
    assert figure.locator("g.dlbook-sampling-row").count() == 12
    assert_shows(figure, expected(0, 1.0))
    _, _, labels, _, widths1 = bars(figure)
    assert labels[0] == "␣"  # the space, made visible
    summary1 = figure.locator(".dlbook-explorable-summary").inner_text()
    assert figure.locator(".dlbook-explorable-summary").get_attribute("aria-live") == "polite"

    temperature = page.get_by_role("slider", name="Temperature T", exact=True)  # the control is labelled
    temperature.fill("0.5")
    assert_shows(figure, expected(0, 0.5))
    widths05 = bars(figure)[4]
    assert widths05[0] > widths1[0] and widths05[-1] < widths1[-1]  # colder: sharper
    assert figure.locator("output.dlbook-explorable-value").inner_text() == "0.50"
    assert "T = 0.50" in figure.locator(".dlbook-explorable-summary").inner_text() != summary1

    temperature.focus()
    page.keyboard.press("ArrowRight")  # keyboard: one step of 0.05
    assert figure.locator("output.dlbook-explorable-value").inner_text() == "0.55"
    assert_shows(figure, expected(0, 0.55))
    temperature.fill("2")
    assert_shows(figure, expected(0, 2.0))


def test_sampling_prompt_and_top_k_change_the_bars(page: Any) -> None:
    figure = page.locator(SAMPLING)
    before = bars(figure)
    page.get_by_role("combobox", name="Prompt", exact=True).select_option("1")
    assert_shows(figure, expected(1, 1.0))
    assert bars(figure)[0] != before[0] and bars(figure)[2][0] == "↵"  # the newline, made visible
    assert "print" in figure.locator(".dlbook-sampling-prompt").inner_text()

    page.get_by_role("combobox", name="Top-k", exact=True).select_option("3")
    assert_shows(figure, expected(1, 1.0, top_k=3))
    _, ps, _, texts, _ = bars(figure)
    assert sum(ps[:3]) == pytest.approx(1.0) and set(texts[3:]) == {"0.000"}
    assert figure.locator("g.dlbook-sampling-row.cut").count() == 9
    page.get_by_role("combobox", name="Top-k", exact=True).select_option("0")  # "all"
    assert_shows(figure, expected(1, 1.0))


# --- "heatmap" -------------------------------------------------------------------------------

def cells(figure: Any) -> tuple[list[str], list[str]]:
    rects = figure.locator("svg.dlbook-heatmap rect.cell")
    return (rects.evaluate_all("rs => rs.map(r => r.getAttribute('fill'))"),
            rects.evaluate_all("rs => rs.map(r => r.querySelector('title').textContent)"))


def test_heatmap_slider_recolours_cells_titles_and_summary(page: Any) -> None:
    figure = page.locator(HEATMAP)
    values = _frames()
    assert not figure.locator("img.dlbook-explorable-fallback").is_visible()
    assert figure.locator("svg.dlbook-heatmap").count() == 2
    assert figure.locator("svg.dlbook-heatmap").first.is_visible()
    assert figure.locator("svg.dlbook-heatmap rect.cell").count() == 2 * 2 * 12
    assert "‖∂L/∂h_t‖" in figure.locator("svg.dlbook-colorbar").text_content()
    assert figure.locator("svg.dlbook-heatmap text.title").all_text_contents() == ["tanh RNN", "LSTM"]

    def check_titles(frame: int, titles: list[str]) -> None:
        flat = [v for panel in values[frame] for row in panel for v in row]
        assert len(titles) == len(flat)
        for v, title in zip(flat, titles, strict=True):
            if v is None:
                assert title.endswith(": no value")
            else:
                assert float(title.rsplit(": ", 1)[1]) == pytest.approx(v, rel=5e-3), title

    fills0, titles0 = cells(figure)
    check_titles(0, titles0)
    assert titles0[0] == "tanh RNN, sequence short, t 1: " + titles0[0].rsplit(": ", 1)[1]
    summary = figure.locator(".dlbook-explorable-summary")
    assert summary.get_attribute("aria-live") == "polite"
    summary0 = summary.inner_text()
    assert summary0.startswith("epoch 1: tanh RNN from ")

    slider = page.get_by_role("slider", name="epoch", exact=True)
    slider.focus()
    page.keyboard.press("ArrowRight")  # keyboard: frame 1 (epoch 5), with a missing cell
    fills1, titles1 = cells(figure)
    check_titles(1, titles1)
    assert fills1 != fills0 and titles1 != titles0
    assert summary.inner_text().startswith("epoch 5:") and summary.inner_text() != summary0
    assert figure.locator("rect.cell.missing").count() == 1
    assert figure.locator("output.dlbook-explorable-value").inner_text() == "5"

    slider.fill("2")  # frame 2 holds the overall min and max: the ends of viridis
    fills2, titles2 = cells(figure)
    check_titles(2, titles2)
    assert fills2[0] == "#440154" and fills2[-1] == "#fde725"
    assert figure.locator("rect.cell.missing").count() == 0
    assert "0.001 (sequence short, t 1)" in summary.inner_text()
    slider.fill("0")
    assert cells(figure) == (fills0, titles0)


# --- The default kind, a missing script, no JavaScript -----------------------------------------

def test_curves_are_still_drawn(page: Any) -> None:
    figure = page.locator(CURVES)
    assert not figure.locator("img.dlbook-explorable-fallback").is_visible()
    path = figure.locator('path[data-series="val"]')
    first = path.get_attribute("d")
    assert first.count("L") == 2
    figure.locator('input[type="range"]').fill("1")
    assert path.get_attribute("d") != first


def test_a_kind_without_its_script_keeps_its_image(harness: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(harness + "core-only.html", wait_until="load")
    page.wait_for_selector(f'{CURVES}[data-explorable="ready"]', timeout=10_000)
    for figure in (SAMPLING, HEATMAP):
        assert page.locator(f"{figure} img.dlbook-explorable-fallback").is_visible()
        assert page.locator(f"{figure} input, {figure} select").count() == 0
    page.close()


def test_without_javascript_the_fallback_images_show(harness: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(harness, wait_until="load")
    for figure in (SAMPLING, HEATMAP, CURVES):
        image = page.locator(f"{figure} img.dlbook-explorable-fallback")
        assert image.is_visible()
        box = image.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
    assert page.locator("input, select, svg").count() == 0
    context.close()
