"""Every link in the built site leads somewhere: files exist and #fragments name an id.

`mkdocs build --strict` checks links in Markdown pages only; this also covers the
notebook pages, whose HTML mkdocs-jupyter writes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import BuiltSite
from htmlscan import local_target, scan

pytestmark = pytest.mark.slow


def test_every_internal_link_resolves(built_site: BuiltSite) -> None:
    site = built_site.site.resolve()
    # the 404 page links site-absolute, under the path of site_url (see mkdocs.yml)
    prefix = urlparse(built_site.url).path

    @cache
    def ids(path: Path) -> frozenset[str]:
        return frozenset(scan(path).ids)

    broken = []
    pages = sorted(site.rglob("*.html"))
    checked = 0
    for page in pages:
        for url in scan(page).links:
            target = local_target(site, page, url, prefix=prefix)
            if target is None:
                continue
            path, fragment = target
            checked += 1
            where = f"{page.relative_to(site)}: {url}"
            if not path.exists():
                broken.append(f"{where} (no file {path})")
            elif fragment and path.suffix == ".html" and fragment not in ids(path):
                broken.append(f"{where} (no id {fragment!r})")
    assert checked > 100, f"only {checked} links checked: is the site empty?"
    assert not broken, "broken links:\n" + "\n".join(broken)
