"""Every page of the built site in headless Chromium: no console errors, no request
leaving the site, no math typesetter loaded, every formula typeset by the build (KaTeX) and
readable in light and dark mode, and search that finds "gradient".

Uses Debian's `chromium` (installed by `make test`) through Playwright; nothing is downloaded.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from conftest import BuiltSite
from rendering import PIECES, render_all

pytestmark = pytest.mark.slow

TYPESETTERS = ("mathjax", "katex.min.js", "katex.js", "auto-render", "tex-chtml", "tex-svg", "tex-mml")

# Math left as TeX in the article's text (outside code and outside typeset formulas)
LEFTOVER_TEX = r"""() => {
  const root = document.querySelector("article");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => n.parentElement.closest("pre, code, .katex, script, style, .md-search")
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const found = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const m = n.textContent.match(/\\\(|\\\[|\$\$|\$[^$\s][^$]*\\[a-zA-Z]+[^$]*\$/);
    if (m) found.push(n.textContent.trim().slice(0, 80));
  }
  return found;
}"""

# Each formula visible, in the text's own colour: [formulas, KaTeX errors, invisible, off-colour]
FORMULAS = r"""() => {
  const all = [...document.querySelectorAll("article .katex")];
  const text = getComputedStyle(document.querySelector("article p") || document.body).color;
  const invisible = all.filter((k) => {
    const html = k.querySelector(".katex-html");
    const box = html && html.getBoundingClientRect();
    return !box || box.width === 0 || box.height === 0;
  }).length;
  const offColour = all.filter((k) => getComputedStyle(k).color !== text
    && !k.closest("a, .admonition-title, summary, h1, h2, h3, h4, th, .md-typeset mark, figcaption")).length;
  return [all.length, document.querySelectorAll(".katex-error").length, invisible, offColour];
}"""


def site_pages(site: Path) -> list[str]:
    pages = [p.relative_to(site).as_posix() for p in site.rglob("index.html")]
    return sorted(p.removesuffix("index.html") for p in pages)


def has_formulas(site: Path, path: str) -> bool:
    return 'class="katex"' in (site / path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_is_clean_offline_and_typeset(built_site: BuiltSite, base_url: str, browser,
                                                 scheme: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    pages = site_pages(built_site.site)
    assert len(pages) >= 4, pages
    problems: list[str] = []
    typeset_pages = 0
    for path in pages:
        page = browser.new_page(color_scheme=scheme)
        errors: list[str] = []
        outside: list[str] = []
        loaded: list[str] = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.on("requestfailed", lambda r, errors=errors: errors.append(f"failed: {r.url}"))
        page.on("request", lambda r, outside=outside: r.url.startswith(base_url)
                or r.url.startswith("data:") or outside.append(r.url))
        page.on("request", lambda r, loaded=loaded: loaded.append(r.url))
        page.goto(base_url + path, wait_until="networkidle")
        expected = "slate" if scheme == "dark" else "default"
        page.wait_for_load_state("load")
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function("s => document.body.dataset.mdColorScheme === s", arg=expected,
                                   timeout=10_000)
        render_all(page)  # formulas fetch their fonts when they are rendered
        actual = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        if actual != expected:
            problems.append(f"{path}: colour scheme {actual!r}, expected {expected!r}")
        typesetters = [u for u in loaded if any(t in u.lower() for t in TYPESETTERS)]
        if typesetters or page.evaluate("() => Boolean(window.MathJax || window.katex)"):
            problems.append(f"{path}: loads a math typesetter: {typesetters}")
        leftover = page.evaluate(LEFTOVER_TEX)
        if leftover:
            problems.append(f"{path}: TeX not typeset: {leftover[:3]}")
        formulas, errors_tex, invisible, off_colour = page.evaluate(FORMULAS)
        if has_formulas(built_site.site, path):
            typeset_pages += 1
            if not formulas:
                problems.append(f"{path}: formulas in the HTML but none on the page")
            if not page.evaluate("document.fonts.check('16px KaTeX_Main')"):
                problems.append(f"{path}: KaTeX's fonts are not loaded")
        if errors_tex or invisible or off_colour:
            problems.append(f"{path}: {errors_tex} KaTeX error(s), {invisible} formula(s) without a box, "
                            f"{off_colour} not in the text's colour ({scheme})")
        problems += [f"{path}: console: {e}" for e in errors]
        problems += [f"{path}: request left the site: {u}" for u in outside]
        page.close()
    assert typeset_pages >= 10, f"only {typeset_pages} pages have typeset math"
    assert not problems, "\n".join(problems)


def test_chapters_typeset_math_in_notebook_cells(built_site: BuiltSite, base_url: str, browser) -> None:
    page = browser.new_page()
    page.goto(base_url + "foundations/mathematical-foundations/", wait_until="networkidle")
    render_all(page)
    count = page.evaluate("document.querySelectorAll('.jp-RenderedMarkdown .katex').length")
    display = page.evaluate("document.querySelectorAll('.jp-RenderedMarkdown .katex-display').length")
    mathml = page.evaluate("document.querySelectorAll('.jp-RenderedMarkdown .katex-mathml math').length")
    fonts = page.evaluate("performance.getEntriesByType('resource').map(r => r.name)"
                          ".filter(n => n.endsWith('.woff2')).length")
    page.close()
    assert count >= 10, f"only {count} formulas typeset inside notebook markdown cells"
    assert display >= 1 and mathml == count  # display formulas, and MathML for screen readers
    assert 0 < fonts < 20, f"{fonts} KaTeX font files fetched: only the faces in use should load"


# A chapter's lazily rendered pieces (notebook.css): [pieces, skipped now, pieces holding a heading]
PIECES_NOW = """(selector) => {
  const pieces = [...document.querySelectorAll(selector)];
  return [pieces.length,
          pieces.filter(p => p.firstElementChild &&
                             !p.firstElementChild.checkVisibility({contentVisibilityAuto: true})).length,
          pieces.filter(p => p.querySelector('h1, h2, h3, h4, h5, h6') &&
                             !p.querySelector('details h1, details h2, details h3, details h4')).length];
}"""


def test_a_chapter_renders_near_the_screen_and_keeps_its_anchors(base_url: str, browser) -> None:
    """Text and code far from the screen are skipped; a link to a late heading still lands on it."""
    page = browser.new_page(viewport={"width": 412, "height": 823}, is_mobile=True)
    page.goto(base_url + "foundations/mathematical-foundations/#probability", wait_until="load")
    page.wait_for_timeout(500)
    pieces, skipped, with_headings = page.evaluate(PIECES_NOW, PIECES)
    top = page.evaluate("document.getElementById('probability').getBoundingClientRect().top")
    header = page.evaluate("document.querySelector('.md-header').getBoundingClientRect().height")
    page.close()
    assert pieces >= 40, f"only {pieces} pieces: the build no longer wraps the text between headings"
    assert with_headings == 0, f"{with_headings} pieces hold a heading (the TOC reads their offsets)"
    assert skipped >= pieces // 2, f"only {skipped} of {pieces} pieces skipped: rendering is not lazy"
    assert header - 5 <= top <= header + 120, (
        f"the heading the URL points to is at {top:.0f} px, not just under the header")


def test_a_page_without_math_loads_no_katex(built_site: BuiltSite, base_url: str, browser) -> None:
    pages = [p for p in site_pages(built_site.site) if not has_formulas(built_site.site, p)]
    assert pages, "every page has math"
    page = browser.new_page()
    loaded: list[str] = []
    page.on("request", lambda r: loaded.append(r.url))
    page.goto(base_url + pages[0], wait_until="networkidle")
    page.close()
    assert not [u for u in loaded if "katex" in u.lower()], loaded


def test_search_finds_gradient(base_url: str, browser) -> None:
    """The index (about 1 MB) is fetched when the reader turns to search, not with every page."""
    page = browser.new_page()
    index: list[str] = []
    page.on("request", lambda r: r.url.endswith("search/search_index.json") and index.append(r.url))
    page.goto(base_url, wait_until="networkidle")
    page.wait_for_timeout(500)
    assert not index, "the search index was fetched before anyone searched"
    page.click(".md-search__input")
    page.keyboard.type("gradient")
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    results = page.locator(".md-search-result__item").count()
    titles = page.locator(".md-search-result__item").all_inner_texts()
    page.close()
    assert len(index) == 1, index
    assert results > 0
    assert any("gradient" in t.lower() for t in titles), titles


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_plots_follow_the_colour_scheme(base_url: str, browser, scheme: str) -> None:
    """Plots are drawn on white: the dark scheme shows them inverted, the light one as they are."""
    page = browser.new_page(color_scheme=scheme)
    page.goto(base_url + "neurons/activation-functions/", wait_until="networkidle")
    filters = page.evaluate("[...document.querySelectorAll('article img.dlbook-plot')]"
                            ".map(i => getComputedStyle(i).filter)")
    page.close()
    assert len(filters) >= 3, filters  # the cell's plot and the trained figures
    if scheme == "dark":
        assert all(f.startswith("invert(") and "hue-rotate(180deg)" in f for f in filters), filters
    else:
        assert set(filters) == {"none"}, filters


# The body's colour scheme when the article's first paragraph is inserted by the parser
SCHEME_AT_ARTICLE = """() => {
  window.__schemeAtArticle = null;
  new MutationObserver((records, observer) => {
    if (document.querySelector("article p")) {
      window.__schemeAtArticle = document.body.dataset.mdColorScheme;
      observer.disconnect();
    }
  }).observe(document, {childList: true, subtree: true});
}"""

PALETTE = """() => [document.body.dataset.mdColorScheme,
  document.querySelector('meta[name=color-scheme]').content,
  [...document.querySelectorAll('form[data-dlbook-palette] label')].filter(l => !l.hidden).length,
  document.documentElement.classList.contains('js')]"""


def test_the_colour_scheme_is_set_before_the_text_and_switches(base_url: str, browser) -> None:
    """Dark readers get the dark scheme before any text is parsed (partials/javascripts/palette.html,
    not the theme's bundle at the end of the page); the toggle switches it and is remembered; with
    no choice made, the scheme follows the system's."""
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(f"({SCHEME_AT_ARTICLE})()")
    url = base_url + "neurons/perceptron/"
    page.goto(url, wait_until="load")
    assert page.evaluate("window.__schemeAtArticle") == "slate", (
        "the article was parsed before the scheme was set")
    assert page.evaluate(PALETTE) == ["slate", "dark", 1, True]
    page.emulate_media(color_scheme="light")  # no choice made yet: the page follows the system
    page.wait_for_function("document.body.dataset.mdColorScheme === 'default'", timeout=5_000)
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'", timeout=5_000)

    page.click("form[data-dlbook-palette] label:not([hidden])")  # the reader picks light
    assert page.evaluate(PALETTE) == ["default", "light", 1, True]
    page.wait_for_function("!document.body.hasAttribute('data-md-color-switching')", timeout=5_000)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    page.reload(wait_until="load")  # the choice outlives the page and the system's preference
    assert page.evaluate("window.__schemeAtArticle") == "default"
    page.focus("#__palette_0")
    page.keyboard.press("Enter")  # the theme's keyboard behaviour: Enter moves to the next option
    assert page.evaluate(PALETTE)[0] == "slate"
    assert page.evaluate("document.activeElement.id") == "__palette_1"
    theme_color = page.evaluate("document.querySelector('meta[name=theme-color]').content")
    context.close()
    assert theme_color.startswith("#") and len(theme_color) == 7, theme_color
    assert not errors, errors


def test_scripts_wait_for_the_first_paint_and_the_theme_for_the_reader(base_url: str, browser) -> None:
    """The site's script is requested after the first paint; the theme's bundle when the reader
    first scrolls, taps or types (dlbook_build.site_assets.scripts_after_first_frame), and then
    starts as it would have on DOMContentLoaded."""
    page = browser.new_page(viewport={"width": 412, "height": 823})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url + "neurons/neural-networks/", wait_until="load")
    page.wait_for_timeout(1_000)
    paint = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
    loaded = dict(page.evaluate("performance.getEntriesByType('resource')"
                                ".filter(e => e.initiatorType === 'script' || e.name.endsWith('.js'))"
                                ".map(e => [e.name.split('/').pop(), e.startTime])"))
    site = [name for name in loaded if name.startswith("dlbook.")]
    assert site, loaded
    assert all(loaded[name] >= paint for name in site), (paint, loaded)
    assert not [name for name in loaded if name.startswith("bundle.")], loaded  # nobody has interacted
    assert page.evaluate("typeof window.document$") == "undefined"
    # the site's own scripts did not wait: the animation's step list follows its video
    assert page.locator("figure.dlbook-animation[data-steps='ready']").count() >= 1
    # a reader scrolls to the first code block: the theme starts and gives it its copy button
    page.locator("pre > code").first.scroll_into_view_if_needed()
    page.mouse.wheel(0, 40)
    page.wait_for_function("() => window.document$ !== undefined", timeout=15_000)
    page.wait_for_selector("nav.md-code__nav button", state="attached", timeout=15_000)
    page.close()
    # an address with an anchor starts the theme at once (it opens the <details> around a target)
    page = browser.new_page(viewport={"width": 412, "height": 823})
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url + "neurons/neural-networks/#animation-forwardpass", wait_until="load")
    page.wait_for_function("() => window.document$ !== undefined", timeout=15_000)
    page.close()
    assert not errors, errors
