"""Shared test fixtures: the whole book built once per session from a cold cache."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # helpers such as book_project

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BuiltSite:
    site: Path
    cache: Path
    output: str
    url: str  # the site_url it was built for: http://127.0.0.1:<port>/, where base_url serves it


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """`mkdocs build --strict` of the real book into a temporary folder, cold cache;
    animations at the test tier, 480p15; built for the loopback address it is served at,
    so its downloadable notebooks fetch their figures from that server."""
    tmp = tmp_path_factory.mktemp("book")
    site, cache = tmp / "site", tmp / "cache"
    url = f"http://127.0.0.1:{free_port()}/"
    env = {**os.environ, "DLBOOK_CACHE_DIR": str(cache), "NO_MKDOCS_2_WARNING": "1",
           "DLBOOK_ANIMATION_QUALITY": "low", "DLBOOK_SITE_URL": url}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{output}"
    return BuiltSite(site=site, cache=cache, output=output, url=url)


# --- The built site in a browser (tests/test_browser.py and the other browser tests) --------

# Flags for Chromium on a machine with no network: no background requests, no updater.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",  # the animation test plays videos
]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def base_url(built_site: BuiltSite) -> Iterator[str]:
    """The built site served on a free localhost port."""
    handler = partial(QuietHandler, directory=str(built_site.site))
    server = ThreadingHTTPServer(("127.0.0.1", urlparse(built_site.url).port or 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (nothing is downloaded)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("the browser tests need Debian's chromium: `make test` installs it "
                    "(or: sudo apt-get install chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
