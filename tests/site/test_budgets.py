"""Every page of the built site within the book's weight budgets, measured as a phone loads it.

- at most 1 MB transferred per page before any video: the HTML, stylesheets, scripts, fonts,
  images (scrolled through, so lazy ones count) and data it fetches; text as a server gzips it;
- at most 150 KB of gzipped HTML per page;
- no script over 150 KB except the theme's own bundle;
- images as files, each with alt text, width and height, lazy below the first one.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import BuiltSite

pytestmark = pytest.mark.slow

PAGE_BUDGET = 1_000_000  # bytes on the wire per page, before video
HTML_BUDGET = 150_000  # gzipped bytes of one page's HTML
SCRIPT_BUDGET = 150_000  # bytes of any one script but the theme's bundle
THEME_BUNDLE = re.compile(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js$")
VIDEO = (".mp4", ".webm", ".vtt")  # a video and its captions load only when played
TEXT = {".html", ".css", ".js", ".json", ".svg", ".txt", ".xml"}  # what a server gzips
PHONE = {"width": 412, "height": 915}  # Lighthouse's mobile viewport


def site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix().removesuffix("index.html") for p in site.rglob("index.html"))


def wire_size(path: Path) -> int:
    """Bytes on the wire: gzipped for text, as stored for images, fonts and video."""
    data = path.read_bytes()
    return len(gzip.compress(data, 6)) if path.suffix in TEXT else len(data)


def local_file(site: Path, base_url: str, url: str) -> Path | None:
    if not url.startswith(base_url):
        return None
    rel = unquote(urlparse(url).path).lstrip("/")
    path = site / rel
    return path / "index.html" if path.is_dir() or rel.endswith("/") or rel == "" else path


# Sums the layout shifts of the page's load, as Lighthouse's Cumulative Layout Shift does
SHIFTS = """window.__dlbookShift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__dlbookShift += entry.value;
}).observe({type: "layout-shift", buffered: true});"""
SHIFT_BUDGET = 0.1  # "good" in Lighthouse and Core Web Vitals


@dataclass
class Weight:
    page: str
    files: dict[str, int] = field(default_factory=dict)  # site path -> bytes on the wire
    shift: float = 0.0  # layout shift while the page loads, before any scrolling (CLS)

    @property
    def total(self) -> int:
        return sum(self.files.values())


def page_weight(browser: object, site: Path, base_url: str, path: str) -> Weight:
    """What a phone fetches for ``path``: loaded, then scrolled to the end (lazy images)."""
    page = browser.new_page(viewport=PHONE)  # type: ignore[attr-defined]
    urls: list[str] = []
    page.on("requestfinished", lambda r: urls.append(r.url))
    page.add_init_script(SHIFTS)
    page.goto(base_url + path, wait_until="networkidle")
    page.wait_for_timeout(500)
    shift = page.evaluate("window.__dlbookShift")
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height + PHONE["height"], PHONE["height"]):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(30)
    page.wait_for_load_state("networkidle")
    page.close()
    weight = Weight(path, shift=shift)
    for url in urls:
        file = local_file(site, base_url, url)
        if file is None or not file.is_file() or file.name.endswith(VIDEO):
            continue
        weight.files[file.relative_to(site).as_posix()] = wire_size(file)
    return weight


def test_every_page_is_within_its_budgets(built_site: BuiltSite, base_url: str, browser: object) -> None:
    site = built_site.site
    problems: list[str] = []
    rows = []
    for path in site_pages(site):
        weight = page_weight(browser, site, base_url, path)
        html = wire_size(site / path / "index.html")
        rows.append(f"{path or '/':<48} {weight.total / 1e3:7.0f} KB  html {html / 1e3:5.0f} KB gz")
        if weight.total > PAGE_BUDGET:
            heavy = sorted(weight.files.items(), key=lambda kv: -kv[1])[:5]
            problems.append(f"{path}: {weight.total:,} bytes > {PAGE_BUDGET:,}; heaviest: {heavy}")
        if html > HTML_BUDGET:
            problems.append(f"{path}: {html:,} bytes of gzipped HTML > {HTML_BUDGET:,}")
        if weight.shift > SHIFT_BUDGET:
            problems.append(f"{path}: the page moved while loading: layout shift {weight.shift:.3f} "
                            f"> {SHIFT_BUDGET}")
        for name in weight.files:
            size = (site / name).stat().st_size
            if name.endswith(".js") and size > SCRIPT_BUDGET and not THEME_BUNDLE.search(name):
                problems.append(f"{path}: loads the script {name} of {size:,} bytes > {SCRIPT_BUDGET:,}")
    print("\n".join(rows))
    assert len(rows) >= 10
    assert not problems, "\n".join(problems)


def test_the_budget_counts_what_loads(built_site: BuiltSite, base_url: str, browser: object) -> None:
    """The measure itself: a chapter's weight includes its HTML, the theme and its lazy plots."""
    weight = page_weight(browser, built_site.site, base_url, "training/overfitting/")
    names = list(weight.files)
    assert "training/overfitting/index.html" in names
    assert any(THEME_BUNDLE.search(n) for n in names)
    images = [n for n in names if n.startswith("assets/images/")]
    html = (built_site.site / "training/overfitting/index.html").read_text()
    lazy = re.findall(r'<img [^>]*loading="lazy"', html)
    assert lazy and len(images) >= len(lazy), (images, len(lazy))


_IMG = re.compile(r"<img\b[^>]*>")


def test_images_are_files_with_alt_size_and_lazy_loading(built_site: BuiltSite) -> None:
    problems: list[str] = []
    for page in sorted(built_site.site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        name = page.relative_to(built_site.site).as_posix()
        if "data:image/" in html:
            problems.append(f"{name}: an image is still embedded as a data: URI")
        for n, tag in enumerate(_IMG.findall(html)):
            alt = re.search(r'\balt="([^"]*)"', tag)
            if alt is None or not alt[1].strip() or "No description" in alt[1]:
                problems.append(f"{name}: image without alt text: {tag[:120]}")
            if "assets/images/" in tag:
                if not (re.search(r'\bwidth="\d+"', tag) and re.search(r'\bheight="\d+"', tag)):
                    problems.append(f"{name}: image without width and height: {tag[:120]}")
                if n > 0 and 'loading="lazy"' not in tag:
                    problems.append(f"{name}: image {n + 1} is not lazy: {tag[:120]}")
    assert not problems, "\n".join(problems[:30])
