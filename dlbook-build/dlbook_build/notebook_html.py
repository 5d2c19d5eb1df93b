"""mkdocs-jupyter's page HTML made to fit the site: no foreign scripts, no JupyterLab stylesheet.

mkdocs-jupyter renders a chapter with nbconvert's JupyterLab template, which brings along
595 KB of inline CSS, a clipboard widget with its script, MathJax 2 and mermaid from a CDN.
:func:`clean` keeps the cells and drops the rest:

- every ``<style>`` block (``docs/assets/stylesheets/notebook.css`` has the rules the pages use);
- scripts from other hosts or that load from them, and the clipboard widget: its button,
  its script and its hidden copy of each cell's code (which the search index would read
  twice); the theme's own copy button serves every code block;
- each code cell's ``div.highlight-ipynb > pre`` becomes the theme's ``div.highlight > pre >
  code``, so code cells share the syntax colours (light and dark) of every other code block;
- outputs are left out of the search index (``data-search-exclude``, which the theme's search
  reads and then removes): every page loads the index, and numbers printed by cells would
  only make it heavier;
- the text of each markdown cell between its headings is wrapped in ``div.dlbook-flow``, which
  ``notebook.css`` renders lazily (``content-visibility: auto``) like whole code cells. A chapter
  is ten to twenty thousand elements, two thirds of them inside markdown cells that begin with a
  heading; the headings themselves stay outside, because the theme's table of contents reads
  every heading's offset whenever the page's height changes.
"""

from __future__ import annotations

import re

_STYLE = re.compile(r"<style[^>]*>.*?</style>\s*", re.S)
_SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>\s*", re.S)
_REMOTE = re.compile(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}/")
_CLIPBOARD = re.compile(r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>\s*'
                        r'|<div class="clipboard-copy-txt"[^>]*>.*?</div>\s*', re.S)  # its button, its text
_OUTPUTS = '<div class="jp-Cell-outputWrapper">'
_CODE = re.compile(r'<div class="highlight-ipynb hl-([\w+-]+)"><pre>(.*?)</pre>', re.S)
_MARKDOWN = ('<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput" '
             'data-mime-type="text/markdown">')
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_HEADING = {"h1", "h2", "h3", "h4", "h5", "h6"}
FLOW = '<div class="dlbook-flow">'


def _keep_script(match: re.Match[str]) -> str:
    attrs, body = match.group(1), match.group(2)
    src = re.search(r"\bsrc=[\"']([^\"']*)[\"']", attrs)
    if src is not None and (not src.group(1) or _REMOTE.match(src.group(1))):
        return ""  # MathJax 2 from a CDN, an empty src
    if "text/x-mathjax-config" in attrs or _REMOTE.search(body):
        return ""  # MathJax's configuration, mermaid's loader
    if "ClipboardCopyElement" in body or "'clipboard-copy'" in body:
        return ""  # the clipboard widget, removed with its elements
    return match.group(0)


def _closing_div(html: str, start: int) -> int:
    """The index of the ``</div>`` that closes the ``<div>`` whose content begins at ``start``."""
    depth = 1
    for tag in re.finditer(r"<(/?)div\b[^>]*>", html[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return start + tag.start()
    raise ValueError(f"an unclosed <div> at character {start} of a notebook page")


def wrap_flow(content: str) -> str:
    """``content`` (a markdown cell's HTML) with each run of blocks between its top-level
    headings wrapped in ``div.dlbook-flow``; headings stay outside, blank runs unwrapped."""
    pieces: list[str] = []
    open_tags: list[str] = []
    run_start, heading_start = 0, -1
    for tag in _TAG.finditer(content):
        closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name in _VOID or self_closing:
            continue
        if not closing:
            if not open_tags and name in _HEADING:
                pieces.append(_wrapped(content[run_start:tag.start()]))
                heading_start = tag.start()
            open_tags.append(name)
            continue
        if not open_tags or open_tags.pop() != name:
            return content
        if not open_tags and name in _HEADING and heading_start >= 0:
            pieces.append(content[heading_start:tag.end()])
            run_start, heading_start = tag.end(), -1
    if open_tags or heading_start >= 0:
        return content
    pieces.append(_wrapped(content[run_start:]))
    return "".join(pieces)


def _wrapped(run: str) -> str:
    return f"{FLOW}{run}</div>" if run.strip() else run


def _wrap_markdown_cells(html: str) -> str:
    out, position = [], 0
    while (found := html.find(_MARKDOWN, position)) >= 0:
        start = found + len(_MARKDOWN)
        end = _closing_div(html, start)
        out += [html[position:start], wrap_flow(html[start:end])]
        position = end
    return "".join(out) + html[position:]


_CODE_BLOCK = re.compile(r"(<pre\b[^>]*>(?:<span></span>)?<code)(?![^>]*\btabindex=)")
_TABLE = re.compile(r"<table(?=[\s>])(?![^>]*\btabindex=)")


def focusable_scrollers(html: str) -> str:
    """Every code block's ``<code>`` and every table in the keyboard's tab order (any page).

    Both can be wider than a phone's screen and then scroll sideways, in a box that only the
    keyboard's focus lets a keyboard scroll (axe: scrollable-region-focusable).

    - The theme makes a code block focusable when it mounts it, if it is wider than its box;
      with ``content.lazy`` it mounts a block only when it scrolls into view, so a block further
      down would be out of reach until then. Once mounted, the theme keeps or drops the
      attribute itself.
    - The theme wraps each table in a sideways-scrolling box when its script starts and makes
      neither focusable; on a 412 px screen four tables of the chapters overflow (403 to 719 px
      wide). Which ones overflow depends on the screen, so every table gets a tab stop: once
      focused, the arrow keys scroll it.
    """
    return _TABLE.sub('<table tabindex="0"', _CODE_BLOCK.sub(r'\1 tabindex="0"', html))


_PRE_TEXT = re.compile(r"(<pre\b[^>]*>)(.*?)(</pre>)", re.S)
_PLAIN_TOKEN = re.compile(r'<span class="[nw]">([^<]*)</span>')


def plain_names(html: str) -> str:
    """Code blocks (``<pre>``) without the elements that change nothing: Pygments' names and
    whitespace.

    Pygments wraps every name (class ``n``) and run of whitespace (``w``) in a span; the theme
    colours names with ``--md-code-hl-name-color``, which is the code's own colour in both
    schemes, and whitespace not at all. Those spans were almost a third of the elements of
    mathematical-foundations' code (1,662 of 5,504) and their text reads the same without them.
    """
    return _PRE_TEXT.sub(lambda m: m.group(1) + _PLAIN_TOKEN.sub(r"\1", m.group(2)) + m.group(3),
                          html)


def clean(html: str) -> str:
    """A notebook page's HTML with only what the site needs (see the module's docstring)."""
    html = _STYLE.sub("", html)
    html = _SCRIPT.sub(_keep_script, html)
    html = _CLIPBOARD.sub("", html)
    html = html.replace(_OUTPUTS, _OUTPUTS[:-1] + ' data-search-exclude="outputs">')
    html = _wrap_markdown_cells(html)
    return _CODE.sub(r'<div class="language-\1 highlight"><pre><code>\2</code></pre>', html)
