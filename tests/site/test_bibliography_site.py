"""The built bibliography page (dlbook_build.bibliography): every work, linked to its chapters.

The page's links are also covered by test_links.py; the parsing and merging by
tests/build/test_bibliography.py.
"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, BuiltSite
from htmlscan import local_target

pytestmark = pytest.mark.slow


def test_bibliography_page_lists_the_works_and_links_every_chapter(built_site: BuiltSite) -> None:
    page = built_site.site / "bibliography/index.html"
    assert page.exists(), "no site/bibliography/index.html"
    html = page.read_text()
    article = html[html.index("<article"):html.index("</article>")]  # the page, not the nav
    assert article.count("Cited in:") >= 30
    chapters = {f"{p.relative_to(ROOT / 'docs').with_suffix('').as_posix()}/index.html"
                for p in (ROOT / "docs").glob("*/[!_]*.py")}
    linked = set()
    for url in re.findall(r'href="([^"]+)"', article):
        target = local_target(built_site.site.resolve(), page.resolve(), url)
        if target is not None and target[0].exists():
            linked.add(target[0].relative_to(built_site.site.resolve()).as_posix())
    assert chapters <= linked, f"chapters not cited in the bibliography: {sorted(chapters - linked)}"
    nav = (built_site.site / "index.html").read_text()
    assert re.search(r'href="(?:\./)?bibliography/"[^>]*>\s*(?:<[^>]+>\s*)*Bibliography', nav), "no nav entry"
