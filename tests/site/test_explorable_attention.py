"""The "attention" explorable kind in headless Chromium, on a small page made with
tests/explorable_harness.py: a synthetic figure rendered by dlbook.figures.explore from a real
(untrained) dlbook GPT's weights, served on loopback with the book's explorable.js,
explorable-attention.js and explorable.css.

Every share on screen is checked against the stored weights, which are the GPT's own rounded
to whole percentages (tests/library/test_explorable_attention.py checks that rounding).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from explorable_harness import open_page, serve, write_site

from dlbook.figures.kinds_attention import attention_data
from dlbook.gpt import GPT, GPTConfig
from dlbook.text import Vocabulary

pytestmark = pytest.mark.slow

FIGURE = "figure#figure-demo-attention"
PROMPTS = ["for i in x:\n    y", "The end."]
VOCAB = Vocabulary.from_text("".join(PROMPTS))


def weights(prompt: str) -> torch.Tensor:
    """(L, H, T, T) = (2, 3, T, T) attention weights of a small untrained GPT on ``prompt``."""
    gpt = GPT(GPTConfig(vocab_size=len(VOCAB), block_size=32, n_layer=2, n_head=3, n_embd=12),
              generator=torch.Generator().manual_seed(0)).eval()
    with torch.no_grad():
        _, _, w = gpt(VOCAB.encode(prompt)[None], return_attention=True)
    return w[:, 0]


DATA = attention_data(PROMPTS, [weights(p) for p in PROMPTS], labels=["a loop", "a sentence"])


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """index.html (every kind) and core-only.html (no explorable-attention.js) on loopback."""
    site = write_site(tmp_path_factory.mktemp("explorable-attention"), {"demo-attention": DATA},
                      {"index.html": ["explorable.js", "explorable-kinds.js", "explorable-conv.js",
                                      "explorable-attention.js"],
                       "core-only.html": ["explorable.js"]})
    with serve(site) as url:
        yield url


@pytest.fixture
def page(harness: str, browser: Any) -> Iterator[Any]:
    with open_page(browser, harness, [FIGURE]) as page:
        yield page


def visible(c: str) -> str:
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(c, c)


def shares(figure: Any) -> list[float]:
    return [float(w) for w in figure.locator(".dlbook-attn-token").evaluate_all(
        "bs => bs.map(b => b.dataset.weight)")]


def expected(prompt: int, layer: int, head: int, q: int) -> list[float]:
    row = DATA["weights"][prompt][layer][head][q]
    return [v / 100 for v in row] + [0.0] * (len(PROMPTS[prompt]) - len(row))


def token(figure: Any, j: int) -> Any:
    return figure.locator(f'.dlbook-attn-token[data-pos="{j}"]')


def summary(figure: Any) -> str:
    return figure.locator(".dlbook-attn-summary").inner_text()


def spelled(prompt: int, layer: int, head: int, q: int) -> str:
    """The summary line, from the stored weights: the three largest shares, ties by position."""
    text, w = PROMPTS[prompt], expected(prompt, layer, head, q)
    best = sorted(range(q + 1), key=lambda j: (-w[j], j))[:3]
    parts = ", ".join(f"{visible(text[j])} at {j + 1} ({round(100 * w[j])}%)" for j in best)
    return (f"Layer {layer + 1}, head {head + 1}: position {q + 1} ({visible(text[q])}) "
            f"attends most to {parts}.")


def test_the_last_character_is_chosen_first_and_the_shares_are_stored_ones(page: Any) -> None:
    figure = page.locator(FIGURE)
    assert not figure.locator("img.dlbook-explorable-fallback").is_visible()
    text = PROMPTS[0]
    chars = figure.locator(".dlbook-attn-char").all_inner_texts()
    assert chars == [visible(c) for c in text]
    last = len(text) - 1
    assert token(figure, last).get_attribute("aria-pressed") == "true"
    assert shares(figure) == expected(0, 0, 0, last)
    assert summary(figure) == spelled(0, 0, 0, last)
    assert figure.locator(".dlbook-attn-summary").get_attribute("aria-live") == "polite"
    # each button is named by its text: the character, its share, then its position (read, not shown)
    share = round(100 * expected(0, 0, 0, last)[2])
    name = re.compile(rf"^r {share}% ?, position 3$")  # Chromium puts a space between the flex items
    assert figure.get_by_role("button", name=name).count() == 1
    assert token(figure, last).evaluate("e => e.textContent").endswith(f", position {last + 1}")
    menus = {"layer": ["1", "2"], "head": ["1", "2", "3"], "prompt": ["a loop", "a sentence"]}
    for select, options in menus.items():
        assert figure.locator(f'select[data-control="{select}"] option').all_inner_texts() == options


def test_every_layer_head_and_position_shows_its_weights(page: Any) -> None:
    figure = page.locator(FIGURE)
    text = PROMPTS[0]
    for layer in range(2):
        figure.locator('select[data-control="layer"]').select_option(index=layer)
        for head in range(3):
            figure.locator('select[data-control="head"]').select_option(index=head)
            for q in (0, 4, len(text) - 1):
                token(figure, q).hover()
                assert shares(figure) == expected(0, layer, head, q)
                assert summary(figure) == spelled(0, layer, head, q)
                masked = figure.locator(".dlbook-attn-token.masked").evaluate_all(
                    "bs => bs.map(b => +b.dataset.pos)")
                assert masked == list(range(q + 1, len(text)))  # the causal mask: nothing after q
    # not by colour alone: the bar's height follows the share, and the chosen one is outlined and bold
    q = len(text) - 1
    token(figure, q).hover()
    w = expected(0, 1, 2, q)
    heights = figure.locator(".dlbook-attn-bar").evaluate_all(
        "bs => bs.map(b => b.getBoundingClientRect().height)")
    top = max(range(len(w)), key=lambda j: w[j])
    assert heights[top] == max(heights) > 0
    assert token(figure, q).evaluate("e => getComputedStyle(e).outlineWidth") == "3px"
    assert token(figure, q).evaluate("e => getComputedStyle(e).fontWeight") == "700"


def test_another_prompt_rebuilds_the_row(page: Any) -> None:
    figure = page.locator(FIGURE)
    figure.locator('select[data-control="prompt"]').select_option(index=1)
    text = PROMPTS[1]
    assert figure.locator(".dlbook-attn-char").all_inner_texts() == [visible(c) for c in text]
    assert shares(figure) == expected(1, 0, 0, len(text) - 1)
    token(figure, 2).click()
    assert summary(figure) == spelled(1, 0, 0, 2)
    assert figure.locator('.dlbook-attn-token[aria-pressed="true"]').count() == 1


def test_keyboard_moves_the_chosen_character(page: Any) -> None:
    figure = page.locator(FIGURE)
    text = PROMPTS[0]
    assert figure.locator('.dlbook-attn-token[tabindex="0"]').count() == 1  # one tab stop in the row
    token(figure, len(text) - 1).focus()
    steps = [("ArrowLeft", len(text) - 2), ("Home", 0), ("ArrowLeft", 0), ("ArrowRight", 1),
             ("ArrowDown", 2), ("End", len(text) - 1), ("ArrowRight", len(text) - 1)]
    for key, q in steps:
        page.keyboard.press(key)
        focused = token(figure, q)
        assert focused.evaluate("e => e === document.activeElement"), key
        assert focused.get_attribute("aria-pressed") == "true" and focused.get_attribute("tabindex") == "0"
        assert summary(figure) == spelled(0, 0, 0, q)
    assert figure.locator('.dlbook-attn-token[tabindex="0"]').count() == 1


def test_on_a_phone_the_row_wraps_and_a_tap_selects(harness: str, browser: Any) -> None:
    phone = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
    with open_page(browser, harness, [FIGURE], **phone) as page:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        figure = page.locator(FIGURE)
        for j in range(len(PROMPTS[0])):
            box = token(figure, j).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360
            assert box["width"] >= 28 and box["height"] >= 28  # big enough to tap
        token(figure, 3).tap()
        assert summary(figure) == spelled(0, 0, 0, 3)


def test_without_explorable_attention_js_the_image_stays(harness: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(harness + "core-only.html", wait_until="load")
    assert page.locator(f"{FIGURE} img.dlbook-explorable-fallback").is_visible()
    assert page.locator("button, select").count() == 0
    page.close()


def test_without_javascript_the_fallback_image_shows(harness: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(harness, wait_until="load")
    image = page.locator(f"{FIGURE} img.dlbook-explorable-fallback")
    assert image.is_visible()
    box = image.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    assert page.locator("button, select, .dlbook-attn-tokens").count() == 0
    context.close()
