"""The site's own stylesheets and scripts, each kind served as one file.

mkdocs.yml lists the book's stylesheets (``extra_css``) and scripts (``extra_javascript``) one
concept per file, and the theme links each of them from every page. On a phone on a slow
connection each extra render-blocking stylesheet is one more request before the first paint
(Lighthouse's simulation counted a round trip for every one past the browser's six
connections). So the build serves each kind as one file: the listed files of ``docs/``, in
mkdocs.yml's order, each under a comment naming it, in ``assets/dlbook.<hash>.css`` and
``assets/dlbook.<hash>.js``. The hash is of the content, so a browser's cached copy is never
a stale one. Each page links the combined file where it linked the first of its members; the
members stay in the site as they are.

mkdocstrings' stylesheet (``assets/_mkdocstrings.css``, written by its own plugin) styles only
the API reference (``class="doc ..."``): pages without it no longer link it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

MKDOCSTRINGS_CSS = "assets/_mkdocstrings.css"


@dataclass(frozen=True)
class Combined:
    """One file that replaces ``members`` (site-relative paths, in order) on every page."""

    path: str  # site-relative, e.g. assets/dlbook.3f2a9c1e0b.css
    members: tuple[str, ...]
    text: str

    def tag(self, prefix: str) -> str:
        if self.path.endswith(".css"):
            return f'<link rel="stylesheet" href="{prefix}{self.path}">'
        return f'<script src="{prefix}{self.path}"></script>'

    def member_tag(self, member: str) -> re.Pattern[str]:
        """A member's tag as the theme writes it; group 1 is the prefix up to the site's root."""
        path = re.escape(member)
        if member.endswith(".css"):
            return re.compile(rf'<link rel="stylesheet" href="([^"]*?){path}">\s*')
        return re.compile(rf'<script src="([^"]*?){path}"></script>\s*')

    def page(self, html: str) -> str:
        """``html`` linking this file in place of its members (unchanged if it links none)."""
        first = self.member_tag(self.members[0]).search(html)
        if first is None:
            return html
        html = html[:first.start()] + self.tag(first.group(1)) + "\n" + html[first.end():]
        for member in self.members[1:]:
            html = self.member_tag(member).sub("", html, count=1)
        return html

    def write(self, site: Path) -> None:
        out = site / self.path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(self.text, encoding="utf-8")


def combine(docs_dir: Path, entries: list[str], suffix: str) -> Combined | None:
    """The files of ``entries`` that are in ``docs_dir`` and end with ``suffix`` (".css" or
    ".js"), as one; None when fewer than two would be combined."""
    members = [e for e in entries if e.endswith(suffix) and (docs_dir / e).is_file()]
    if len(members) < 2:
        return None
    parts = []
    for member in members:
        text = (docs_dir / member).read_text(encoding="utf-8").rstrip()
        # a script may end without a semicolon: the next one must not continue its statement
        parts.append(f"/* {member} */\n{text}\n" + (";\n" if suffix == ".js" else ""))
    text = "\n".join(parts)
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    return Combined(f"assets/dlbook.{digest}{suffix}", tuple(members), text)


def drop_unused_mkdocstrings_css(html: str) -> str:
    """``html`` without mkdocstrings' stylesheet when the page shows no API documentation."""
    if 'class="doc ' in html or 'class="doc"' in html:
        return html
    link = rf'<link rel="stylesheet" href="[^"]*?{re.escape(MKDOCSTRINGS_CSS)}">\s*'
    return re.sub(link, "", html, count=1)
