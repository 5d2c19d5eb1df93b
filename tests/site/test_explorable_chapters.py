"""The explorables of the Architectures chapters, on the built site, in headless Chromium.

tests/site/test_explorable_kinds.py and test_explorable_conv.py check each kind in depth
on a small harness page; here each explorable that a chapter really shows must be drawn
from its frozen data and answer the reader, and the pages must raise no script errors.
"""

from __future__ import annotations

from typing import Any

import pytest
from rendering import explorable_data, render_all

pytestmark = pytest.mark.slow

CNN, RNN = "architectures/convolutional-networks/", "architectures/recurrent-networks/"
ATTENTION = "architectures/attention-and-transformers/"


def _open(browser: Any, url: str) -> tuple[Any, list[str]]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="networkidle")
    render_all(page)  # as a reader who scrolled to the figures has them
    return page, errors


def _ready(page: Any, name: str) -> Any:
    selector = f"figure.dlbook-explorable#figure-{name}"
    page.wait_for_selector(f'{selector}[data-explorable="ready"]', timeout=15_000)
    figure = page.locator(selector)
    assert not figure.locator("img.dlbook-explorable-fallback").is_visible(), f"{name}: image not replaced"
    return figure


def test_convolution_explorables_answer(built_site: Any, base_url: str, browser: Any) -> None:
    page, errors = _open(browser, base_url + CNN)

    worked = _ready(page, "conv-worked-example")
    worked.locator('.dlbook-conv-output button[data-row="1"][data-col="1"]').hover()
    worked.locator('.dlbook-conv-output button[data-row="0"][data-col="0"]').hover()
    assert worked.locator(".dlbook-conv-sum").inner_text().endswith("= 4")
    assert worked.locator(".dlbook-conv-input .dlbook-conv-cell.in-window").count() == 9

    photo = _ready(page, "conv-photo-kernels")
    shown = photo.locator("img:visible").last.get_attribute("src")
    photo.locator('input[type="radio"]').nth(2).check()
    assert photo.locator("img:visible").last.get_attribute("src") != shown

    lenet = _ready(page, "lenet-digits")
    before = lenet.locator(".dlbook-explorable-summary").inner_text()
    lenet.locator('input[type="range"]').focus()
    page.keyboard.press("End")
    assert lenet.locator(".dlbook-explorable-summary").inner_text() != before
    page.close()
    assert not errors, errors


def test_recurrent_explorables_answer(built_site: Any, base_url: str, browser: Any) -> None:
    page, errors = _open(browser, base_url + RNN)

    flow = _ready(page, "rnn-gradient-flow")
    assert flow.locator("svg.dlbook-heatmap text.title").count() >= 1
    before = flow.locator(".dlbook-explorable-summary").inner_text()
    flow.locator('input[type="range"]').focus()
    page.keyboard.press("End")
    assert flow.locator(".dlbook-explorable-summary").inner_text() != before

    sampler = _ready(page, "char-lm")
    data = explorable_data(sampler)
    assert sampler.locator("g.dlbook-sampling-row").count() == min(data.get("shown", 12), len(data["chars"]))
    probs = sampler.locator("g.dlbook-sampling-row text.prob").all_text_contents()
    sampler.locator('input[type="range"]').fill(str(data["temperature"]["max"]))
    sampler.locator('input[type="range"]').dispatch_event("input")
    assert sampler.locator("g.dlbook-sampling-row text.prob").all_text_contents() != probs
    page.close()
    assert not errors, errors


def test_attention_explorables_answer(built_site: Any, base_url: str, browser: Any) -> None:
    page, errors = _open(browser, base_url + ATTENTION)

    reversal = _ready(page, "attention-reversal")
    before = reversal.locator(".dlbook-explorable-summary").inner_text()
    reversal.locator('input[type="range"]').focus()
    page.keyboard.press("End")
    assert reversal.locator(".dlbook-explorable-summary").inner_text() != before

    sampler = _ready(page, "char-gpt")
    probs = sampler.locator("g.dlbook-sampling-row text.prob").all_text_contents()
    sampler.locator('select[data-control="top-k"]').select_option(index=1)  # top-1: greedy
    assert sampler.locator("g.dlbook-sampling-row text.prob").all_text_contents() != probs

    heads = _ready(page, "char-gpt-attention")
    data = explorable_data(heads)
    text = data["prompts"][0]["text"]
    assert heads.locator(".dlbook-attn-token").count() == len(text)
    heads.locator('.dlbook-attn-token[data-pos="5"]').click()
    weights = heads.locator(".dlbook-attn-token").evaluate_all("bs => bs.map(b => +b.dataset.weight)")
    assert weights[:6] == [v / data["scale"] for v in data["weights"][0][0][0][5]] and not any(weights[6:])
    heads.locator('select[data-control="head"]').select_option(index=data["heads"] - 1)
    summary = heads.locator(".dlbook-attn-summary").inner_text()
    assert summary.startswith(f"Layer 1, head {data['heads']}: position 6")
    page.close()
    assert not errors, errors
