"""Every page of the built site in headless Chromium: no console errors, no request
leaving the site, math typeset by MathJax, and search that finds "gradient".

Uses Debian's `chromium` (installed by `make test`) through Playwright; nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BuiltSite

pytestmark = pytest.mark.slow


def site_pages(site: Path) -> list[str]:
    pages = [p.relative_to(site).as_posix() for p in site.rglob("index.html")]
    return sorted(p.removesuffix("index.html") for p in pages)


def test_every_page_is_clean_offline_and_typeset(built_site: BuiltSite, base_url: str, browser) -> None:
    pages = site_pages(built_site.site)
    assert len(pages) >= 4, pages
    problems: list[str] = []
    for path in pages:
        page = browser.new_page()
        errors: list[str] = []
        outside: list[str] = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.on("requestfailed", lambda r, errors=errors: errors.append(f"failed: {r.url}"))
        page.on("request", lambda r, outside=outside: r.url.startswith(base_url)
                or r.url.startswith("data:") or outside.append(r.url))
        page.goto(base_url + path, wait_until="networkidle")
        has_math = page.evaluate(
            "() => document.querySelectorAll('.arithmatex, .jp-RenderedMarkdown').length > 0 &&"
            " /\\$|\\\\\\(|\\\\\\[/.test(document.querySelector('article').innerText)"
        )
        if has_math:
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            typeset = page.evaluate(
                "() => MathJax.startup.promise.then(() => document.querySelectorAll('mjx-container').length)"
            )
            merrors = page.evaluate("() => document.querySelectorAll('mjx-merror').length")
            if not typeset:
                problems.append(f"{path}: math on the page but nothing typeset")
            if merrors:
                problems.append(f"{path}: {merrors} TeX error(s)")
        problems += [f"{path}: console: {e}" for e in errors]
        problems += [f"{path}: request left the site: {u}" for u in outside]
        page.close()
    assert not problems, "\n".join(problems)


def test_chapters_typeset_math_in_notebook_cells(built_site: BuiltSite, base_url: str, browser) -> None:
    page = browser.new_page()
    page.goto(base_url + "foundations/mathematical-foundations/", wait_until="networkidle")
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    count = page.evaluate(
        "() => MathJax.startup.promise.then(() =>"
        " document.querySelectorAll('.jp-RenderedMarkdown mjx-container').length)"
    )
    page.close()
    assert count >= 10, f"only {count} formulas typeset inside notebook markdown cells"


def test_search_finds_gradient(base_url: str, browser) -> None:
    page = browser.new_page()
    page.goto(base_url, wait_until="networkidle")
    page.click(".md-search__input")
    page.keyboard.type("gradient")
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    results = page.locator(".md-search-result__item").count()
    titles = page.locator(".md-search-result__item").all_inner_texts()
    page.close()
    assert results > 0
    assert any("gradient" in t.lower() for t in titles), titles
