"""Images out of the page's HTML into files: light pages that load their pictures lazily.

mkdocs-jupyter writes every plot of a chapter as a base64 ``data:`` URI inside the HTML, and
so do the frozen figures that ``show()``/``explore()`` display: a page's HTML then carries
every picture, and nothing can load late. :meth:`Images.page` moves each one into
``assets/images/<hash>.<ext>`` of the site, in the smaller of lossless WebP and optimised PNG,
and gives its ``<img>`` the file's ``width`` and ``height`` (no layout shift),
``decoding="async"`` and ``loading="lazy"``, except for a first image that comes before the
page's first ``<h2>``, in the opening a reader sees at once. (A chapter's first plot sits
screens down: loaded at once, it took bandwidth from the text and fonts of the first screen in
Lighthouse's simulation of a phone on slow 4G.) Data URIs inside
an explorable's JSON (the image picker's photographs) become file URLs the same way.

Every image must say what it shows. A plot from a code cell takes its alt text from the
cell's metadata (``# %% alt="..."`` in the chapter, or a list with one text per image); a
pipeline figure's is its caption. An image without alt text stops the build, naming the page
and the cell. In dark mode the site shows plots with their lightness inverted
(``notebook.css``); a cell whose images are photographs says ``photo=true`` and keeps them.
Downloaded notebooks are published from the notebooks, not from this HTML, so they keep
their images embedded.

Conversions are cached in ``<cache>/images/`` by the source's hash: a rebuild encodes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

from dlbook.utils import atomic_write

SITE_DIR = "assets/images"
NO_ALT = "No description has been provided for this image"  # what nbconvert writes
_IMG = re.compile(r"<img\b[^>]*>", re.S)
_ATTR = re.compile(r'([\w:-]+)(?:\s*=\s*("[^"]*"|\'[^\']*\'|[^\s"\'>]+))?')
_DATA_URI = re.compile(r"data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=]+)")
_CELL_IMAGE = re.compile(r'<div class="jp-RenderedImage\b[^"]*"[^>]*>\s*(<img\b[^>]*>)', re.S)


class ImageError(Exception):
    """An image the page cannot ship: no alt text, or unreadable data."""


@dataclass(frozen=True)
class Stored:
    name: str  # file name under SITE_DIR
    width: int
    height: int


def encode(data: bytes) -> tuple[bytes, str, int, int]:
    """The smallest lossless encoding of an image: (bytes, extension, width, height).

    PNG sources are tried as lossless WebP and as optimised PNG; other formats are kept.
    """
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        im.load()
        width, height = im.size
        if im.format != "PNG":
            return data, (im.format or "png").lower().replace("jpeg", "jpg"), width, height
        candidates = [(data, "png")]
        for fmt, ext, options in (("WEBP", "webp", {"lossless": True, "method": 4, "quality": 100}),
                                  ("PNG", "png", {"optimize": True})):
            out = io.BytesIO()
            im.save(out, fmt, **options)
            candidates.append((out.getvalue(), ext))
    best, ext = min(candidates, key=lambda c: len(c[0]))
    return best, ext, width, height


class Images:
    """The site's image files, made once per distinct picture and cached across builds."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache = cache_dir / "images"
        self.files: dict[str, bytes] = {}  # this build's files: name -> bytes (written by write())
        self.bytes_in = 0  # base64-decoded sizes met on pages, and what they became
        self.bytes_out = 0

    def store(self, data: bytes) -> Stored:
        digest = hashlib.sha256(data).hexdigest()[:20]
        hits = sorted(self.cache.glob(f"{digest}-*x*.*"))
        if hits:
            path = hits[0]
            size = path.stem.split("-", 1)[1]
            width, height = (int(v) for v in size.split("x"))
            out = path.read_bytes()
        else:
            out, ext, width, height = encode(data)
            path = atomic_write(self.cache / f"{digest}-{width}x{height}.{ext}", out)
        name = f"{digest}.{path.suffix.lstrip('.')}"
        if name not in self.files:
            self.bytes_in += len(data)
            self.bytes_out += len(out)
        self.files[name] = out
        return Stored(name, width, height)

    def page(self, text: str, *, page: str, to_site: str, cells: list[CellImage] | None = None) -> str:
        """``text`` with every embedded image moved to a file.

        ``to_site`` is the relative URL from the page to the site's root (``../../``);
        ``cells`` describe the page's code-cell images, in order (a notebook page).
        """
        if cells is not None:
            text = self._cell_images(text, page, cells)
        first = True
        opening = text.find("<h2")  # the first image before it is loaded at once
        opening = len(text) if opening < 0 else opening

        def fix_img(match: re.Match[str]) -> str:
            nonlocal first
            attrs = _attributes(match.group(0))
            alt = attrs.get("alt")
            if alt is None or not alt.strip() or alt == NO_ALT:
                src = attrs.get("src", "")
                raise ImageError(f"{page}: an image has no alt text (src {src[:60]!r}); give the "
                                 'cell that makes it `# %% alt="..."`, or the Markdown image its text')
            src = attrs.get("src", "")
            uri = _DATA_URI.fullmatch(src)
            if uri is not None:
                stored = self._put(uri.group(2), page)
                attrs["src"] = f"{to_site}{SITE_DIR}/{stored.name}"
                attrs.setdefault("width", str(stored.width))
                attrs.setdefault("height", str(stored.height))
                classes = attrs.get("class", "").split()
                attrs["class"] = " ".join([*classes, "dlbook-plot"])
            attrs.setdefault("decoding", "async")
            if not first or match.start() > opening:
                attrs.setdefault("loading", "lazy")
            first = False
            return "<img " + " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items()) + ">"

        text = _IMG.sub(fix_img, text)
        # what is left are data URIs in scripts' JSON (an explorable's pictures)
        return _DATA_URI.sub(lambda m: f"{to_site}{SITE_DIR}/{self._put(m.group(2), page).name}", text)

    def write(self, site: Path) -> None:
        for name, data in self.files.items():
            target = site / SITE_DIR / name
            if not target.exists() or target.stat().st_size != len(data):
                atomic_write(target, data)

    def _put(self, b64: str, page: str) -> Stored:
        try:
            return self.store(base64.b64decode(b64, validate=True))
        except (ValueError, OSError) as err:
            raise ImageError(f"{page}: an embedded image cannot be read: {err}") from None

    @staticmethod
    def _cell_images(text: str, page: str, cells: list[CellImage]) -> str:
        """Give the n-th code-cell image (nbconvert's ``jp-RenderedImage``) the n-th alt text."""
        found = _CELL_IMAGE.findall(text)
        if len(found) != len(cells):
            raise ImageError(f"{page}: {len(found)} plot(s) on the page but {len(cells)} image output(s) "
                             "in the notebook")
        it = iter(cells)

        def give(match: re.Match[str]) -> str:
            cell = next(it)
            tag = match.group(1)
            attrs = _attributes(tag)
            if cell.alt is not None:  # else left for fix_img to report
                attrs["alt"] = cell.alt
            if cell.photo:
                attrs["class"] = " ".join([*attrs.get("class", "").split(), "dlbook-photo"])
            new = "<img " + " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items()) + ">"
            return match.group(0).replace(tag, new)

        return _CELL_IMAGE.sub(give, text)


def _attributes(tag: str) -> dict[str, str]:
    body = tag[len("<img"):].rstrip(">").rstrip("/")
    return {m.group(1): html.unescape((m.group(2) or '""').strip("\"'")) for m in _ATTR.finditer(body)}


@dataclass(frozen=True)
class CellImage:
    alt: str | None  # None: the cell gives none (a problem)
    photo: bool = False  # a photograph: not inverted in dark mode


def cell_images(notebook: dict[str, object]) -> tuple[list[CellImage], list[str]]:
    """Each image output of a notebook, in page order, with its alt text; and the problems found.

    A code cell's ``metadata["alt"]`` is a string (every image of the cell) or a list with one
    string per image; ``metadata["photo"]`` true marks its images as photographs. A problem
    names the cell (its number and first line).
    """
    found: list[CellImage] = []
    problems: list[str] = []
    cells = notebook.get("cells", [])
    assert isinstance(cells, list)
    for number, cell in enumerate(cells, 1):
        if cell.get("cell_type") != "code":
            continue
        images = sum(1 for o in cell.get("outputs", []) if _is_image(o))
        given = cell.get("metadata", {}).get("alt")
        first_line = "".join(cell.get("source", "")).strip().splitlines()[:1]
        where = f"cell {number} ({first_line[0][:60] if first_line else 'empty'!r})"
        if images == 0:
            if given is not None:
                problems.append(f"{where} has alt text but shows no image")
            continue
        texts = [given] * images if isinstance(given, str) else list(given or [])
        if given is None:
            problems.append(f'{where} shows {images} image(s) without alt text: add `# %% alt="..."`')
            texts = [None] * images
        elif len(texts) != images:
            problems.append(f"{where} shows {images} image(s) but has {len(texts)} alt text(s)")
            texts = (texts + [None] * images)[:images]
        photo = bool(cell.get("metadata", {}).get("photo", False))
        found.extend(CellImage(alt, photo) for alt in texts)
    return found, problems


def _is_image(output: dict[str, object]) -> bool:
    """Whether nbconvert shows this output as an ``<img>`` (HTML wins over images, as in its
    display priority)."""
    data = output.get("data")
    if not isinstance(data, dict) or "text/html" in data or "text/markdown" in data:
        return False
    return "image/png" in data or "image/jpeg" in data
