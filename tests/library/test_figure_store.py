"""dlbook.figures.store: frozen figures read from a folder, or fetched from the published book
(served here on loopback) and checked against their sha256; clear errors when neither works."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import torch

from dlbook.figures import store
from dlbook.figures.store import load_checkpoint, load_data, load_manifest, use_published


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def freeze(root: Path, name: str) -> str:
    """A figure folder as the build writes it; returns the sha256 of its manifest."""
    import io

    folder = root / name
    folder.mkdir(parents=True)
    buffer = io.BytesIO()
    torch.save({"weight": torch.arange(3.0)}, buffer)
    files = {"figure.png": b"\x89PNG fake", "data.json": b'{"runs": [1, 2]}\n',
             "checkpoint.pt": buffer.getvalue()}
    for file, data in files.items():
        (folder / file).write_bytes(data)
    manifest = json.dumps({"name": name, "tier": "full", "metrics": {"acc": 0.9},
                           "files": {f: sha(d) for f, d in files.items()}}).encode()
    (folder / "manifest.json").write_bytes(manifest)
    return sha(manifest)


@pytest.fixture
def published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path, str]]:
    """A 'published book' on loopback serving figures/<name>/, an empty local folder, a cache."""
    site = tmp_path / "site"
    digest = freeze(site / "figures", "demo")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv(store.FIGURES_ENV, str(tmp_path / "empty"))  # no local figures
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(store, "_published", None)
    yield f"http://127.0.0.1:{server.server_address[1]}/figures/", site, digest
    server.shutdown()


def test_local_folder_is_read_and_checked(tmp_path: Path) -> None:
    freeze(tmp_path, "demo")
    assert load_manifest("demo", root=tmp_path)["metrics"] == {"acc": 0.9}
    assert load_data("demo", root=tmp_path) == {"runs": [1, 2]}
    torch.testing.assert_close(load_checkpoint("demo", root=tmp_path)["weight"], torch.arange(3.0))
    (tmp_path / "demo/data.json").write_bytes(b'{"runs": [1, 3]}\n')
    with pytest.raises(ValueError, match="data.json of figure 'demo' does not match"):
        load_data("demo", root=tmp_path)


def test_figures_are_fetched_checked_and_cached(published: tuple[str, Path, str], tmp_path: Path) -> None:
    url, site, digest = published
    use_published(url, {"demo": digest})
    assert load_manifest("demo")["metrics"] == {"acc": 0.9}
    assert load_data("demo") == {"runs": [1, 2]}
    torch.testing.assert_close(load_checkpoint("demo")["weight"], torch.arange(3.0))
    assert (tmp_path / "cache/figures/demo/data.json").is_file()
    (site / "figures/demo/data.json").unlink()  # the cached copy is used from now on
    assert load_data("demo") == {"runs": [1, 2]}


def test_a_tampered_manifest_is_refused(published: tuple[str, Path, str]) -> None:
    url, site, digest = published
    use_published(url, {"demo": "0" * 64})
    with pytest.raises(ValueError, match="does not match its recorded sha256"):
        load_manifest("demo")


def test_a_tampered_file_is_refused(published: tuple[str, Path, str]) -> None:
    url, site, digest = published
    use_published(url, {"demo": digest})
    (site / "figures/demo/figure.png").write_bytes(b"something else")
    with pytest.raises(ValueError, match="does not match its recorded sha256"):
        store.figure_file("demo", "figure.png")


def test_no_checkout_no_network_names_the_figure_the_places_and_the_remedy(
    published: tuple[str, Path, str], tmp_path: Path
) -> None:
    url, site, digest = published
    with pytest.raises(FileNotFoundError) as err:  # nothing published named
        load_manifest("demo")
    message = str(err.value)
    assert "figure 'demo'" in message and str(tmp_path / "empty" / "demo") in message
    assert "use_published" in message and "dlbook-build figures --only demo" in message
    use_published("http://127.0.0.1:9/figures/", {"demo": digest})  # a port nothing listens on
    unreachable = r"127\.0\.0\.1:9/figures/demo/manifest\.json could not be fetched"
    with pytest.raises(FileNotFoundError, match=unreachable):
        load_manifest("demo")
    use_published(url, {})
    with pytest.raises(FileNotFoundError, match="carries no hash for 'demo'"):
        load_manifest("demo")
