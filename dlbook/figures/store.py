"""Where a chapter's frozen figures are read from: a checkout, a folder, or the published book.

The book's trained figures are made by the build (``dlbook-build figures``) and frozen in
``figures/<name>/`` with a ``manifest.json`` that records the sha256 of every file. This
module only *reads* them, in this order:

1. ``root=`` given to the call, else ``$DLBOOK_FIGURES_DIR``;
2. ``figures/`` beside the ``dlbook`` sources (a repository checkout, an editable install);
3. the published book, when :func:`use_published` has named it (a downloaded notebook's
   first cell does): each file is fetched once with pooch, checked against its sha256
   (the manifest's against the hash the notebook carries, every other file's against the
   manifest) and kept in the user's cache folder (``$DLBOOK_CACHE`` overrides it).

Every read checks the bytes against the manifest, so a figure can never be half-read or
silently swapped. Without a checkout and without a network the error names the figure,
the places it looked and how to get it.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Any

__all__ = [
    "FIGURES_ENV",
    "figures_root",
    "figure_file",
    "load_checkpoint",
    "load_data",
    "load_manifest",
    "read_manifest",
    "use_published",
]

FIGURES_ENV = "DLBOOK_FIGURES_DIR"  # a folder of figures/<name>/ to read instead
CACHE_ENV = "DLBOOK_CACHE"  # where fetched figures are kept (default: the user's cache folder)
CHECKOUT = Path(__file__).resolve().parents[2] / "figures"  # figures/ beside dlbook/ in a checkout


@dataclass(frozen=True)
class Published:
    """The published book's figures: a base URL and the sha256 of each figure's manifest."""

    url: str
    manifests: Mapping[str, str] = field(default_factory=dict)  # figure name -> sha256 of manifest.json


_published: Published | None = None


def use_published(url: str, manifests: Mapping[str, str]) -> None:
    """Read figures that are not on this machine from the published book at ``url``.

    ``manifests`` maps each figure's name to the sha256 of its ``manifest.json``; the
    notebooks that the site publishes call this in their first cell with the hashes of
    the figures they show. A figure missing here cannot be fetched (its bytes could not
    be checked).
    """
    global _published
    if not url.endswith("/"):
        url += "/"
    _published = Published(url=url, manifests=dict(manifests))


def figures_root() -> Path:
    """The local folder of figures: $DLBOOK_FIGURES_DIR, else ``figures/`` of the checkout."""
    env = os.environ.get(FIGURES_ENV)
    return Path(env) if env else CHECKOUT


def _sha256(data: bytes) -> str:
    return sha256(data).hexdigest()


def _cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env) / "figures"
    import pooch

    return Path(pooch.os_cache("dlbook")) / "figures"


def _fetch(name: str, file: str, known_hash: str) -> Path:
    """``<published url>/<name>/<file>`` in the local cache, downloaded if needed, checked."""
    assert _published is not None
    try:
        import pooch
    except ImportError as err:
        raise FileNotFoundError(
            f"figure {name!r} is not on this machine, and fetching it from {_published.url} needs "
            "pooch: pip install 'dlbook[notebooks]'"
        ) from err
    url = f"{_published.url}{name}/{file}"
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")  # no "Downloading ..." line in the reader's notebook
    try:
        path = pooch.retrieve(url, known_hash=f"sha256:{known_hash}", fname=file,
                              path=_cache_dir() / name, progressbar=False)
    except ValueError as err:  # pooch's hash mismatch
        raise ValueError(f"figure {name!r}: {url} does not match its recorded sha256 ({err})") from err
    except Exception as err:  # no network, a 404, a refused connection: all mean "not fetched"
        raise FileNotFoundError(_not_found(name, file, fetch=f"{url} could not be fetched "
                                                               f"({type(err).__name__}: {err})")) from err
    finally:
        logger.setLevel(level)
    return Path(path)


def _not_found(name: str, file: str, *, root: Path | None = None, fetch: str = "") -> str:
    looked = [str((root or figures_root()) / name / file)]
    if fetch:
        looked.append(fetch)
    elif _published is None:
        looked.append("the published book was not named (a notebook from the site calls "
                      "dlbook.figures.use_published in its first cell)")
    elif name not in _published.manifests:
        looked.append(f"{_published.url}: this notebook carries no hash for {name!r}")
    return (f"figure {name!r} is not available: looked in " + "; ".join(looked) + ". Run the notebook "
            f"downloaded from the book's site (with a network), or make the figure in a checkout "
            f"of the book with `dlbook-build figures --only {name}`")


def _local(name: str, root: Path | None) -> Path | None:
    """The figure's folder on this machine, if its manifest is there."""
    folder = (root or figures_root()) / name
    return folder if (folder / "manifest.json").is_file() else None


def read_manifest(name: str, root: Path | None = None) -> dict[str, Any] | None:
    """The manifest of figure ``name`` in the local folder, or None if it is missing or unreadable."""
    path = (root or figures_root()) / name / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def load_manifest(name: str, *, root: Path | None = None) -> dict[str, Any]:
    """How figure ``name`` was made (tier, config, metrics, file hashes), from wherever it is."""
    if _local(name, root) is not None or root is not None or _published is None:
        manifest = read_manifest(name, root)
        if manifest is None:
            raise FileNotFoundError(_not_found(name, "manifest.json", root=root))
        return manifest
    if name not in _published.manifests:
        raise FileNotFoundError(_not_found(name, "manifest.json", root=root))
    path = _fetch(name, "manifest.json", _published.manifests[name])
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def figure_file(name: str, file: str, *, root: Path | None = None) -> bytes:
    """The bytes of ``<name>/<file>`` after checking them against the manifest's sha256."""
    manifest = load_manifest(name, root=root)
    digest = manifest.get("files", {}).get(file)
    if digest is None:
        raise FileNotFoundError(f"figure {name!r} has no {file} (its manifest lists "
                                f"{sorted(manifest.get('files', {}))})")
    folder = _local(name, root)
    if folder is None and root is None and _published is not None:
        data = _fetch(name, file, digest).read_bytes()
    else:
        path = (root or figures_root()) / name / file
        if not path.is_file():
            raise FileNotFoundError(_not_found(name, file, root=root))
        data = path.read_bytes()
    if _sha256(data) != digest:
        raise ValueError(
            f"{file} of figure {name!r} does not match its manifest's sha256; "
            f"remake it with `dlbook-build figures --only {name} --force`"
        )
    return data


def load_data(name: str, *, root: Path | None = None) -> dict[str, Any]:
    """The data a figure saved (its ``data.json``), checked against the manifest."""
    loaded: dict[str, Any] = json.loads(figure_file(name, "data.json", root=root))
    return loaded


def load_checkpoint(name: str, *, root: Path | None = None) -> dict[str, Any]:
    """The state dict a figure saved (its ``checkpoint.pt``), checked, loaded with weights only."""
    import torch

    state: dict[str, Any] = torch.load(io.BytesIO(figure_file(name, "checkpoint.pt", root=root)),
                                       weights_only=True)
    return state
