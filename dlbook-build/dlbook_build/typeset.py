"""Math typeset while the site is built: KaTeX's HTML on the page, no typesetter in the browser.

Markdown pages and the markdown cells of chapters reach :func:`Typesetter.page` in one form:

- Markdown pages: ``pymdownx.arithmatex`` (``generic: true``) wraps each formula as
  ``<span class="arithmatex">\\(...\\)</span>`` or ``<div class="arithmatex">\\[...\\]</div>``;
- notebook pages: nbconvert's markdown renderer writes ``$...$`` and ``$$...$$`` as text;
  :func:`mark_notebook_math` makes it write the same ``arithmatex`` elements instead,
  so that math is found by the parser that knows where it starts, not by a guess on text.

Each formula is rendered by KaTeX's own ``katex.min.js`` (vendored in ``vendor/``, run
in-process by mini-racer's V8) into HTML plus MathML for screen readers. The page then
needs only KaTeX's stylesheet and the font files its formulas use (``docs/assets/vendor/katex``).
A formula KaTeX cannot parse stops the build with the page and the formula. Renders are
kept in ``<cache>/typeset/`` keyed by KaTeX's version and the formula, so a rebuild with no
new formula runs no JavaScript at all.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

from dlbook.utils import atomic_write

VENDOR = Path(__file__).parent / "vendor"
KATEX_VERSION = (VENDOR / "KATEX-VERSION").read_text().strip()
STYLESHEET = "assets/vendor/katex/katex.min.css"  # under docs/, served by the site

# <span class="arithmatex">\(x\)</span>, <div class="arithmatex">\[x\]</div>
_MATH = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
_DELIMITERS = {"\\(": ("\\)", False), "\\[": ("\\]", True)}


class TypesetError(Exception):
    """KaTeX could not typeset a formula; the message names the page and the formula."""


class Typesetter:
    """Turns every formula of a page into KaTeX's HTML, with a cache of past renders."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = cache_dir / "typeset" / f"katex-{KATEX_VERSION}.json"
        try:
            self.known: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}
        self._on_disk = set(self.known)
        self.used: dict[str, str] = {}  # this build's renders: what the cache keeps
        self.rendered = 0  # formulas KaTeX ran on in this build (not from the cache)
        self._engine: Any = None

    def render(self, tex: str, *, display: bool) -> str:
        """KaTeX's HTML for one formula (raises ValueError with KaTeX's message)."""
        key = hashlib.sha256(f"{int(display)}\0{tex}".encode()).hexdigest()
        out = self.known.get(key)
        if out is None:
            out = self._katex(tex, display)
            self.known[key] = out
            self.rendered += 1
        self.used[key] = out
        return out

    def page(self, text: str, page: str) -> tuple[str, int]:
        """``text`` (a page's HTML) with its formulas typeset, and how many there were."""
        count = 0

        def typeset(match: re.Match[str]) -> str:
            nonlocal count
            tag, body = match.group(1), html.unescape(match.group(2)).strip()
            opening = body[:2]
            if opening not in _DELIMITERS or not body.endswith(_DELIMITERS[opening][0]):
                raise TypesetError(f"{page}: a math element without \\( \\) or \\[ \\] around it: "
                                   f"{body[:80]!r}")
            display = _DELIMITERS[opening][1]
            tex = body[2:-2].strip()
            try:
                out = self.render(tex, display=display)
            except ValueError as err:
                raise TypesetError(f"{page}: KaTeX cannot typeset {tex!r}: {err}") from None
            count += 1
            if display:  # a formula wider than a phone scrolls: keyboard users can focus and scroll it
                out = out.replace('class="katex-display">', 'class="katex-display" tabindex="0">', 1)
            return f'<{tag} class="arithmatex">{out}</{tag}>'

        return _MATH.sub(typeset, text), count

    def save(self) -> None:
        """Keep this build's renders (and only those) for the next build."""
        # `known` grows with every new render, so the build's formulas are compared with what
        # is on disk (a key is the formula itself, so the same keys mean the same renders)
        if self.used.keys() != self._on_disk or not self.path.exists():
            atomic_write(self.path, json.dumps(self.used, sort_keys=True, ensure_ascii=False))
            self.known = dict(self.used)
            self._on_disk = set(self.used)

    def _katex(self, tex: str, display: bool) -> str:
        if self._engine is None:
            from py_mini_racer import MiniRacer  # V8; imported only when a formula is new

            self._engine = MiniRacer()
            self._engine.eval((VENDOR / "katex.min.js").read_text(encoding="utf-8"))
        options = {"displayMode": display, "throwOnError": True, "output": "htmlAndMathml",
                   "strict": "ignore", "macros": {}}
        try:
            return str(self._engine.call("katex.renderToString", tex, options))
        except Exception as err:  # mini-racer's JSEvalException carries KaTeX's ParseError
            message = str(err).splitlines()[0]
            raise ValueError(message.split("ParseError: ", 1)[-1]) from None


def mark_notebook_math() -> None:
    """Make nbconvert's markdown renderer (used by mkdocs-jupyter) write math as ``arithmatex``
    elements, like Markdown pages, instead of bare ``$...$`` text.

    A class-level change to ``IPythonRenderer``, made once by the dlbook plugin when MkDocs
    loads it: it affects only the site build's process, where mkdocs-jupyter renders pages.
    """
    from nbconvert.filters.markdown_mistune import IPythonRenderer

    if getattr(IPythonRenderer, "_dlbook_math", False):
        return
    esc = IPythonRenderer.escape_html

    def inline_math(self: Any, body: str) -> str:
        return f'<span class="arithmatex">\\({esc(self, body)}\\)</span>'

    def block_math(self: Any, body: str) -> str:
        return f'<span class="arithmatex">\\[{esc(self, body)}\\]</span>'

    def latex_environment(self: Any, name: str, body: str) -> str:
        env = f"\\begin{{{name}}}{body}\\end{{{name}}}"
        return f'<span class="arithmatex">\\[{esc(self, env)}\\]</span>'

    IPythonRenderer.inline_math = inline_math  # type: ignore[method-assign]
    IPythonRenderer.block_math = block_math  # type: ignore[method-assign]
    IPythonRenderer.latex_environment = latex_environment  # type: ignore[method-assign]
    IPythonRenderer._dlbook_math = True  # type: ignore[attr-defined]
