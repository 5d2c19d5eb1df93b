"""An explorable figure's data out of the page's HTML into a file that loads when it is needed.

``explore()`` writes each figure's data (the runs behind its sliders, an attention map's
weights) as JSON inside the page, in ``<script type="application/json"
class="dlbook-explorable-data">``, so a downloaded notebook works on its own. On the site that
made a page's HTML heavy: the attention chapter's three figures were 84 KB of its 465 KB, 28 of
its 74 KB gzipped, all of it fetched before the first screen could be shown, although a reader
reaches the first figure only screens down. :meth:`PageData.page` moves every payload over
``INLINE_LIMIT`` bytes to ``assets/data/<hash>.json`` and leaves the element empty with
``data-src``, the file's URL from the page; ``explorable.js`` fetches it when the figure nears
the screen. The hash is of the content: a figure shown on two pages is one file, and a browser's
cached copy is never a stale one. Until the data comes, and if it never does (a page opened
from disk), the figure shows its image.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

SITE_DIR = "assets/data"  # under the site root
INLINE_LIMIT = 2_000  # bytes of JSON: smaller payloads stay in the page (a request costs more)

# explore() writes type before class; mkdocs-jupyter's HTML has them the other way round
_DATA = re.compile(r'<script (?=[^>]*\bclass="dlbook-explorable-data")'
                   r'(?=[^>]*\btype="application/json")[^>]*>(.*?)</script>', re.S)


class PageData:
    """The explorable data of every page of a build, as files of the site."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}  # name under SITE_DIR -> JSON

    def page(self, text: str, *, to_site: str) -> str:
        """``text`` with each large payload replaced by a ``data-src`` to its file.

        ``to_site`` is the relative URL from the page to the site's root (``../../``).
        """

        def move(match: re.Match[str]) -> str:
            payload = match.group(1).encode()
            if len(payload) <= INLINE_LIMIT:
                return match.group(0)
            name = f"{hashlib.sha256(payload).hexdigest()[:20]}.json"
            # in the page "</" is written "<\/" (JSON reads both the same); as a file it needs no escape
            self.files[name] = payload.replace(b"<\\/", b"</")
            src = html.escape(f"{to_site}{SITE_DIR}/{name}")
            return (f'<script type="application/json" class="dlbook-explorable-data" data-src="{src}">'
                    "</script>")

        return _DATA.sub(move, text)

    def write(self, site: Path) -> None:
        folder = site / SITE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        for name, payload in self.files.items():
            (folder / name).write_bytes(payload)
