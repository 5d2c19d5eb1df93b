"""A small page of explorable figures, for the browser tests of their kinds.

Rather than build the whole site, a test freezes synthetic figures in a temporary folder as
the build freezes them (:func:`freeze`), renders them with dlbook.figures.explore, writes
pages that load the book's own scripts and stylesheet (:func:`write_site`), serves them on
loopback (:func:`serve`) and opens them in headless Chromium (:func:`open_page`), failing on
any console error. Used by tests/site/test_explorable_kinds.py and test_explorable_conv.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from dlbook.figures import explore

ASSETS = Path(__file__).resolve().parents[1] / "docs/assets"


def png(size: tuple[int, int] = (320, 160), colour: str = "#d0d0ff") -> bytes:
    """A plain PNG of ``size`` (width, height) filled with ``colour``."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def freeze(root: Path, name: str, data: dict[str, Any]) -> None:
    """figures/<name>/ with figure.png, data.json and a manifest holding their sha256."""
    folder = root / name
    folder.mkdir(parents=True)
    files = {"figure.png": png(), "data.json": json.dumps(data).encode()}
    for file, content in files.items():
        (folder / file).write_bytes(content)
    manifest = {"name": name, "caption": f"The {name} figure", "tier": "full",
                "files": {f: hashlib.sha256(c).hexdigest() for f, c in files.items()}}
    (folder / "manifest.json").write_text(json.dumps(manifest))


def page_html(figures: str, scripts: Sequence[str]) -> str:
    """An HTML page holding ``figures`` (explorables' HTML) that loads ``scripts`` in order."""
    tags = "".join(f'<script src="{s}"></script>' for s in scripts)
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>explorables</title>'
            '<link rel="icon" href="data:,">'  # no request for /favicon.ico, so no 404 in the console
            f'<link rel="stylesheet" href="explorable.css"></head><body>{figures}{tags}</body></html>')


def write_site(tmp: Path, figures: dict[str, dict[str, Any]], pages: dict[str, Sequence[str]]) -> Path:
    """Freeze ``figures`` (name -> data) under tmp/figures and write tmp/site: the book's
    explorable scripts and stylesheet, and one page per ``pages`` entry (file -> scripts),
    each holding every figure in order."""
    root, site = tmp / "figures", tmp / "site"
    site.mkdir()
    for name, data in figures.items():
        freeze(root, name, data)
    html = "".join(explore(name, root=root)._repr_html_() for name in figures)
    for asset in sorted((ASSETS / "javascripts").glob("explorable*.js")):
        shutil.copy(asset, site)
    shutil.copy(ASSETS / "stylesheets/explorable.css", site)
    for file, scripts in pages.items():
        (site / file).write_text(page_html(html, scripts), encoding="utf-8")
    return site


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """``site`` served on a free loopback port: yields its URL, ending in "/"."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@contextmanager
def open_page(browser: Any, url: str, ready: Sequence[str], **context: Any) -> Iterator[Any]:
    """``url`` in a new page once every figure selector in ``ready`` is drawn; fails on any
    console error. ``context`` (e.g. ``viewport``, ``has_touch``) makes a browser context."""
    owner = browser.new_context(**context) if context else browser
    page = owner.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    for figure in ready:
        page.wait_for_selector(f'{figure}[data-explorable="ready"]', timeout=10_000)
    yield page
    page.close()
    if context:
        owner.close()
    assert not errors, errors
