"""Render every lazily rendered piece of a page before a browser test reads it.

A chapter's code cells and runs of text (div.dlbook-flow) have ``content-visibility: auto``
(docs/assets/stylesheets/notebook.css): the browser renders them when they come near the
screen. A test that reads the whole page at once (axe-core's colours and geometry, the fonts
that formulas fetch, the text of an explorable further down) first makes all of them render,
as a reader who scrolled through would have them, and passes by each explorable figure whose
data is a file (fetched when it nears the screen) until it has its data.
"""

from __future__ import annotations

from typing import Any

PIECES = ".jupyter-wrapper .jp-Notebook > .jp-CodeCell, .jupyter-wrapper .dlbook-flow"

RENDER_ALL = """async (pieces) => {
  const style = document.createElement("style");
  style.textContent = pieces + " { content-visibility: visible !important; }";
  document.head.append(style);
  await document.fonts.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  // an explorable whose data is a file fetches it when it comes near the screen: pass by each
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const x = scrollX, y = scrollY;
  for (const figure of document.querySelectorAll("figure.dlbook-explorable")) {
    if (figure.dataset.explorable !== "waiting") continue;
    figure.scrollIntoView({block: "center"});
    await frames();
  }
  scrollTo(x, y);
  const waiting = 'figure.dlbook-explorable[data-explorable="waiting"]';
  for (let i = 0; i < 200 && document.querySelector(waiting); i++) await new Promise(r => setTimeout(r, 50));
  await document.fonts.ready;
}"""


EXPLORABLE_DATA = """(script) => script.dataset.src
  ? fetch(script.dataset.src).then(response => response.json())
  : JSON.parse(script.textContent)"""


def explorable_data(figure: Any) -> Any:
    """The data of an explorable figure (a Playwright locator): in the page, or the file the
    build moved it to (``data-src``, dlbook_build/page_data.py)."""
    return figure.locator("script.dlbook-explorable-data").evaluate(EXPLORABLE_DATA)


def render_all(page: Any) -> None:
    """Every piece of ``page`` (a Playwright page) rendered, its fonts loaded, two frames painted."""
    page.evaluate(RENDER_ALL, PIECES)
