"""The explorable figure of docs/training/overfitting in headless Chromium: the sliders
redraw the curves and their labels, and without JavaScript the static image shows.

Uses the session's built site and Debian's chromium, like tests/test_browser.py.
"""

from __future__ import annotations

import re

import pytest
from rendering import explorable_data, render_all

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
    data = explorable_data(figure)
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


def test_the_data_comes_when_the_reader_nears_the_figure(base_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    """On the site the figure's data is a file of its own (dlbook_build.page_data), fetched
    when the figure comes within two screens, not with the page."""
    page = browser.new_page(viewport={"width": 412, "height": 823})
    fetched: list[str] = []
    page.on("request", lambda r: "/assets/data/" in r.url and fetched.append(r.url))
    page.goto(base_url + PAGE, wait_until="load")
    page.wait_for_timeout(1_000)
    figure = page.locator(FIGURE)
    source = figure.locator("script.dlbook-explorable-data")
    assert re.search(r"assets/data/[0-9a-f]+\.json$", source.get_attribute("data-src") or "")
    assert source.text_content() == ""  # nothing of it in the page
    assert not fetched and figure.get_attribute("data-explorable") == "waiting"
    figure.scroll_into_view_if_needed()
    page.wait_for_selector(f'{FIGURE}[data-explorable="ready"]', timeout=15_000)
    assert len(fetched) == 1, fetched
    page.close()
