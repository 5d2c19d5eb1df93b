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
  only make it heavier.
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


def clean(html: str) -> str:
    """A notebook page's HTML with only what the site needs (see the module's docstring)."""
    html = _STYLE.sub("", html)
    html = _SCRIPT.sub(_keep_script, html)
    html = _CLIPBOARD.sub("", html)
    html = html.replace(_OUTPUTS, _OUTPUTS[:-1] + ' data-search-exclude="outputs">')
    return _CODE.sub(r'<div class="language-\1 highlight"><pre><code>\2</code></pre>', html)
