"""Every page of the built site through axe-core, in the light and in the dark colour scheme.

axe-core (pinned in package.json, installed into node_modules/ by `make test`) runs its default
rule set: WCAG 2 A and AA and its best practices, as it ships them. A page fails on any
violation; the message names the page, the scheme, the rule, its impact and help text, and
the first few elements it flagged. Uses Debian's `chromium` through Playwright, like
test_browser.py; nothing is downloaded.

The core, :func:`audit`, takes a Playwright browser and a served site, so it can also be run
by hand against a site built elsewhere (see its docstring).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, BuiltSite
from rendering import render_all

pytestmark = pytest.mark.slow

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# colour scheme Chromium reports (prefers-color-scheme) -> mkdocs-material's palette scheme,
# which a first visit takes from that media query (mkdocs.yml's theme.palette)
SCHEMES = {"light": "default", "dark": "slate"}

# Rules switched off, each with the reason. Only for a known false positive of axe itself,
# never to make a real problem pass.
DISABLED_RULES: dict[str, str] = {}

# Narrower than switching a rule off: elements a rule flags wrongly, as (rule, CSS selector
# the flagged element matches, reason). A flagged element that does not match still fails.
FALSE_POSITIVES: list[tuple[str, str, str]] = [
    ("empty-table-header", "th:has(.katex)",
     "a header cell holding a formula: KaTeX draws it as aria-hidden HTML and gives screen "
     "readers a visually hidden MathML twin, so axe's has-visible-text check finds neither, "
     "though sighted readers see the formula and screen readers read the MathML"),
]

NODES_SHOWN = 3  # flagged elements listed per rule and page
SNIPPET = 160  # characters of each element's HTML


def site_pages(site: Path) -> list[str]:
    """Every page of the built site, as a path below its root (as test_browser.py lists them)."""
    pages = [p.relative_to(site).as_posix() for p in site.rglob("index.html")]
    return sorted(p.removesuffix("index.html") for p in pages)


# Lighthouse's emulated phone (mobile defaults): the screen a lazy page is audited on
PHONE = {"width": 412, "height": 823}


def axe_script() -> Path:
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: `make test` installs it "
                    "(or run `npm ci` in the checkout)")
    return AXE


# Settled: fonts loaded (colour contrast is measured on the text as drawn), then two frames,
# so what JavaScript draws after load (explorable figures, the theme's code-block buttons) is
# in the DOM.
SETTLE = """async () => {
  await document.fonts.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""

RUN_AXE = """async ([disabled, exempt]) => {
  const rules = Object.fromEntries(disabled.map(id => [id, {enabled: false}]));
  const result = await axe.run(document, {resultTypes: ["violations"], rules});
  const exempted = (id, target) => exempt.some(([rule, selector]) => rule === id &&
    target.length === 1 && document.querySelector(target[0])?.matches(selector));
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.filter(n => !exempted(v.id, n.target))
                  .map(n => ({target: n.target.map(String).join(" "), html: n.html})),
  })).filter(v => v.nodes.length);
}"""


def check_page(browser: Any, url: str, scheme: str, axe: Path = AXE, *,
               lazy: bool = False) -> list[dict[str, Any]]:
    """axe-core's violations on one page in one colour scheme ("light" or "dark").

    Every lazily rendered piece is drawn first, as for a reader who scrolled through; with
    ``lazy``, the page is left as it loaded on a phone's screen, as Lighthouse audits it.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if lazy else {}
    page = browser.new_page(color_scheme=scheme, **phone)  # a fresh context: no stored palette
    try:
        page.goto(url, wait_until="networkidle")
        expected = SCHEMES[scheme]
        # the palette script in the header sets the scheme that matches the media query
        # (overrides/partials/javascripts/palette.html); if it never does, the assertion
        # below says what the page has instead
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function("s => document.body.dataset.mdColorScheme === s", arg=expected,
                                   timeout=10_000)
        palette = page.get_attribute("body", "data-md-color-scheme")
        assert palette == expected, (
            f"{url}: prefers-color-scheme {scheme} gave the palette {palette!r}, not "
            f"{expected!r}: the {scheme} scheme would not be what is tested"
        )
        if not lazy:
            render_all(page)  # axe reads colours and geometry: every lazily rendered piece drawn
        page.evaluate(SETTLE)
        page.add_script_tag(path=str(axe))
        exempt = [[rule, selector] for rule, selector, _ in FALSE_POSITIVES]
        return page.evaluate(RUN_AXE, [sorted(DISABLED_RULES), exempt])
    finally:
        page.close()


def describe(path: str, scheme: str, violations: list[dict[str, Any]]) -> list[str]:
    """Readable lines: one per rule, then its first few flagged elements."""
    lines = []
    for v in violations:
        nodes = v["nodes"]
        lines.append(f"/{path} ({scheme}): {v['id']} [{v['impact']}] {v['help']} "
                     f"- {len(nodes)} element(s), {v['helpUrl']}")
        for node in nodes[:NODES_SHOWN]:
            html = " ".join(node["html"].split())
            html = html if len(html) <= SNIPPET else html[:SNIPPET - 3] + "..."
            lines.append(f"    {node['target']}\n        {html}")
        if len(nodes) > NODES_SHOWN:
            lines.append(f"    ... and {len(nodes) - NODES_SHOWN} more")
    return lines


def audit(browser: Any, base_url: str, pages: list[str], scheme: str) -> list[str]:
    """The readable violations of every page, in one scheme; empty when all pass.

    By hand, against a site served at http://127.0.0.1:8000/ (say by `python -m http.server`)::

        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            print("\\n".join(audit(browser, "http://127.0.0.1:8000/", site_pages(site), "dark")))
    """
    axe = axe_script()
    problems: list[str] = []
    for path in pages:
        problems += describe(path, scheme, check_page(browser, base_url + path, scheme, axe))
    return problems


@pytest.fixture(scope="session")
def axe_js() -> Path:
    """node_modules' axe-core; session-scoped so that, when it is missing, the test fails
    before the session's fixtures build the site."""
    return axe_script()


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_every_page_passes_axe(axe_js: Path, built_site: BuiltSite, base_url: str, browser: Any,
                               scheme: str) -> None:
    pages = site_pages(built_site.site)
    assert len(pages) >= 4, pages
    problems = audit(browser, base_url, pages, scheme)
    assert not problems, (f"axe-core {scheme} scheme: accessibility violations on the built site\n"
                          + "\n".join(problems))


def test_chapters_left_lazy_pass_axe(axe_js: Path, built_site: BuiltSite, base_url: str,
                                     browser: Any) -> None:
    """axe-core as Lighthouse runs it: on a phone's screen, the pieces far from it not drawn.

    A skipped piece keeps a guessed height while the boxes of its content reach past it; unless
    the piece's overflow is hidden (notebook.css), axe placed that content over the next pieces
    and the footer, and reported contrast and target-size failures that no reader sees."""
    pages = [p for p in site_pages(built_site.site)
             if 'class="dlbook-flow"' in (built_site.site / p / "index.html").read_text(encoding="utf-8")]
    assert len(pages) >= 3, pages
    problems: list[str] = []
    for path in pages:
        problems += describe(path, "light, lazy", check_page(browser, base_url + path, "light",
                                                             axe_js, lazy=True))
    assert not problems, "axe-core on chapters as loaded (pieces skipped)\n" + "\n".join(problems)
