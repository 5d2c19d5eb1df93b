"""The explorable figure of docs/training/overfitting in headless Chromium: the sliders
redraw the curves and their labels, and without JavaScript the static image shows.

Uses the session's built site and Debian's chromium, like tests/test_browser.py.
"""

from __future__ import annotations

import json
import re

import pytest
from rendering import render_all

pytestmark = pytest.mark.slow

PAGE = "training/overfitting/"
FIGURE = "figure.dlbook-explorable#figure-regularization-grid"
def _state(figure) -> tuple[str, str, list[str], str]:  # type: ignore[no-untyped-def]
    """The path data of the two curves, the slider labels and the summary line."""
    return (
        figure.locator('path[data-series="train"]').get_attribute("d"),
        figure.locator('path[data-series="val"]').get_attribute("d"),
        figure.locator("output.dlbook-explorable-value").all_inner_texts(),
        figure.locator(".dlbook-explorable-summary").inner_text(),
    )


def test_sliders_redraw_curves_and_labels(base_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url + PAGE, wait_until="networkidle")
    render_all(page)  # as a reader who scrolled to the figure has it
    page.wait_for_selector(f'{FIGURE}[data-explorable="ready"]', timeout=15_000)
    figure = page.locator(FIGURE)
    data = json.loads(figure.locator("script.dlbook-explorable-data").text_content())
    decays, drops = (p["values"] for p in data["params"])
    assert not figure.locator("img.dlbook-explorable-fallback").is_visible()  # replaced by the chart
    sliders = figure.locator('input[type="range"]')
    assert sliders.count() == 2
    assert figure.locator("svg.dlbook-explorable-chart").is_visible()

    train0, val0, labels0, summary0 = _state(figure)
    assert labels0 == [f"{decays[0]:g}", f"{drops[0]:g}"]
    assert val0.count("L") == len(data["runs"][0]["val"]) - 1  # one point per epoch

    sliders.nth(0).fill("2")  # weight decay: third value
    train1, val1, labels1, summary1 = _state(figure)
    assert (train1, val1) != (train0, val0) and summary1 != summary0
    assert labels1 == [f"{decays[2]:g}", f"{drops[0]:g}"]

    sliders.nth(1).focus()
    page.keyboard.press("ArrowRight")  # dropout: second value
    train2, val2, labels2, _ = _state(figure)
    assert (train2, val2) != (train1, val1)
    assert labels2 == [f"{decays[2]:g}", f"{drops[1]:g}"]

    sliders.nth(0).fill("0")
    sliders.nth(1).fill("0")
    assert _state(figure)[:3] == (train0, val0, labels0)  # back to the first run, same drawing
    page.close()
    assert not errors, errors


def test_without_javascript_the_fallback_image_shows(base_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + PAGE, wait_until="load")
    figure = page.locator(FIGURE)
    image = figure.locator("img.dlbook-explorable-fallback")
    assert image.is_visible()
    box = image.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    assert re.search(r"assets/images/[0-9a-f]+\.(webp|png)$", image.get_attribute("src"))  # a file, not data:
    assert figure.locator('input[type="range"]').count() == 0
    context.close()
