"""Explorable figures' data out of the HTML into files (dlbook_build.page_data)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dlbook_build.page_data import INLINE_LIMIT, SITE_DIR, PageData

OPEN = '<script type="application/json" class="dlbook-explorable-data">'


def _figure(data: dict) -> str:
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")  # as explore() writes it
    return f'<figure class="dlbook-explorable">{OPEN}{payload}</script><figcaption>c</figcaption></figure>'


def test_large_data_becomes_a_file_that_reads_back_the_same(tmp_path: Path) -> None:
    big = {"kind": "curves", "label": "a </script> in a label", "runs": [[i * 0.5 for i in range(50)]] * 20}
    small = {"kind": "curves", "runs": [[1, 2]]}
    data = PageData()
    out = data.page(_figure(big) + _figure(small), to_site="../../")
    src = re.findall(r'class="dlbook-explorable-data" data-src="([^"]+)"></script>', out)
    assert len(src) == 1 and src[0].startswith(f"../../{SITE_DIR}/") and src[0].endswith(".json")
    assert OPEN + json.dumps(small, separators=(",", ":")) + "</script>" in out  # small: stays inline
    assert "a </script>" not in out
    data.write(tmp_path)
    file = tmp_path / src[0].removeprefix("../../")
    assert json.loads(file.read_text()) == big  # "<\/" was only the page's escape
    assert len(json.dumps(small)) <= INLINE_LIMIT < file.stat().st_size


def test_the_same_data_on_two_pages_is_one_file() -> None:
    big = {"runs": [list(range(1000))]}
    data = PageData()
    first = data.page(_figure(big), to_site="../")
    second = data.page(_figure(big), to_site="../../")
    name = lambda html: re.search(r'data-src="[./]*(assets/data/[0-9a-f]+\.json)"', html).group(1)  # noqa: E731
    assert name(first) == name(second) and len(data.files) == 1
    # mkdocs-jupyter writes the attributes in the other order
    turned = _figure(big).replace(OPEN, '<script class="dlbook-explorable-data" type="application/json">')
    assert name(data.page(turned, to_site="../")) == name(first)
    assert 'data-src="../assets/data/' in first and 'data-src="../../assets/data/' in second
