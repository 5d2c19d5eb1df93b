"""Read the links, loads and ids out of built HTML pages (for the link and offline checks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

# attributes whose URL the browser fetches when the page loads
LOADS = {("script", "src"), ("img", "src"), ("iframe", "src"), ("video", "src"),
         ("video", "poster"), ("source", "src"), ("track", "src"), ("audio", "src")}
LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "prefetch"}


@dataclass
class Page:
    links: list[str] = field(default_factory=list)  # every href/src (navigation and loads)
    loads: list[str] = field(default_factory=list)  # only what loads with the page
    ids: set[str] = field(default_factory=set)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v for k, v in attrs if v is not None}
        for key in ("id", "name"):
            if key in a:
                self.page.ids.add(a[key])
        for attr in ("href", "src", "poster"):
            if attr not in a:
                continue
            url = a[attr]
            self.page.links.append(url)
            rels = set(a.get("rel", "").split())
            if (tag, attr) in LOADS or (tag == "link" and rels & LOADING_RELS):
                self.page.loads.append(url)


def scan(path: Path) -> Page:
    scanner = _Scanner()
    scanner.feed(path.read_text(encoding="utf-8"))
    return scanner.page


def is_remote(url: str) -> bool:
    parsed = urlparse(url)
    return bool(parsed.netloc) or parsed.scheme not in ("", "data", "blob")


def local_target(site: Path, page: Path, url: str, *, prefix: str = "/") -> tuple[Path, str] | None:
    """The file (and fragment) a link on ``page`` points to; None for remote links.

    Site-absolute links (``/dlbook/assets/...`` on the 404 page) start with ``prefix``,
    the path of ``site_url``, which maps to the site folder itself.
    """
    parsed = urlparse(url)
    if parsed.scheme or parsed.netloc or url.startswith(("mailto:", "javascript:")):
        return None
    if not parsed.path:
        return page, unquote(parsed.fragment)
    path = parsed.path
    if path.startswith("/"):
        base, path = site, "/" + path.removeprefix(prefix.rstrip("/")).lstrip("/")
    else:
        base = page.parent
    target = (base / unquote(path.lstrip("/"))).resolve()
    if target.is_dir() or parsed.path.endswith("/"):
        target = target / "index.html"
    return target, unquote(parsed.fragment)
