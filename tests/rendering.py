"""Render every lazily rendered piece of a page before a browser test reads it.

A chapter's code cells and runs of text (div.dlbook-flow) have ``content-visibility: auto``
(docs/assets/stylesheets/notebook.css): the browser renders them when they come near the
screen. A test that reads the whole page at once (axe-core's colours and geometry, the fonts
that formulas fetch, the text of an explorable further down) first makes all of them render,
as a reader who scrolled through would have them.
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
  await document.fonts.ready;
}"""


def render_all(page: Any) -> None:
    """Every piece of ``page`` (a Playwright page) rendered, its fonts loaded, two frames painted."""
    page.evaluate(RENDER_ALL, PIECES)
