"""Images out of the HTML into files (dlbook_build.images), with size, lazy loading and alt text."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from dlbook_build.images import NO_ALT, SITE_DIR, CellImage, ImageError, Images, cell_images, encode


def plot_png(width: int = 120, height: int = 80) -> bytes:
    """A white canvas with a diagonal line: what a plot compresses like."""
    im = Image.new("RGB", (width, height), "white")
    for x in range(width):
        im.putpixel((x, x * height // width), (31, 119, 180))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def test_encode_keeps_pixels_and_picks_the_smaller_file() -> None:
    png = plot_png()
    data, ext, width, height = encode(png)
    assert (width, height) == (120, 80) and ext in ("webp", "png") and len(data) <= len(png)
    with Image.open(io.BytesIO(data)) as a, Image.open(io.BytesIO(png)) as b:
        assert a.convert("RGB").tobytes() == b.convert("RGB").tobytes()  # lossless


def test_a_page_gets_files_with_size_lazy_loading_and_async_decoding(tmp_path: Path) -> None:
    images = Images(tmp_path / "cache")
    one, two = plot_png(), plot_png(64, 64)
    html = (f'<p><img alt="first plot" src="{uri(one)}"></p><img src="{uri(two)}" alt="second">'
            f'<script type="application/json">{{"src":"{uri(two)}"}}</script>')
    out = images.page(html, page="docs/a/b.py", to_site="../../")
    assert "data:image" not in out
    tags = out.split("<img ")[1:]
    assert 'width="120" height="80"' in tags[0] and 'loading="lazy"' not in tags[0]
    assert 'width="64" height="64"' in tags[1] and 'loading="lazy"' in tags[1]
    assert all('decoding="async"' in t and "dlbook-plot" in t for t in tags)
    src = tags[1].split('src="')[1].split('"')[0]
    assert src.startswith(f"../../{SITE_DIR}/") and f'"src":"{src}"' in out  # JSON too, same file
    # a page whose first image comes after its first section heading loads every image lazily
    later = images.page(f'<h1>T</h1><p>opening</p><h2 id="s">S</h2><img alt="a plot" src="{uri(one)}">',
                        page="docs/a/c.py", to_site="../../")
    assert 'loading="lazy"' in later
    images.write(tmp_path / "site")
    assert sorted(p.name for p in (tmp_path / "site" / SITE_DIR).iterdir()) == sorted(images.files)
    # a second build reads the encoded files from the cache
    again = Images(tmp_path / "cache")
    assert again.page(html, page="docs/a/b.py", to_site="../../") == out


@pytest.mark.parametrize(
    "tag", ['<img src="x.png">', '<img alt="" src="x.png">', f'<img alt="{NO_ALT}" src="x.png">'])
def test_an_image_without_alt_text_stops_the_build(tmp_path: Path, tag: str) -> None:
    with pytest.raises(ImageError, match=r"docs/a\.md: an image has no alt text"):
        Images(tmp_path).page(f"<p>{tag}</p>", page="docs/a.md", to_site="")


def notebook(*cells: dict) -> dict:
    return {"cells": list(cells)}


def code(source: str, images: int, alt: object = None, html: bool = False) -> dict:
    outputs = [{"output_type": "display_data", "data": {"image/png": "iVBOR", "text/plain": "<Figure>"}}
               for _ in range(images)]
    if html:
        outputs.append({"output_type": "execute_result",
                        "data": {"text/html": "<figure/>", "image/png": "x"}})
    return {"cell_type": "code", "source": source, "outputs": outputs,
            "metadata": {} if alt is None else {"alt": alt}}


def test_cell_images_follow_the_cells_in_order() -> None:
    photo = code("three()", 2, "both")
    photo["metadata"]["photo"] = True
    nb = notebook(code("plot()", 1, "one"), {"cell_type": "markdown", "source": "x", "metadata": {}},
                  code("show('fig')", 0, html=True), code("two()", 2, ["a", "b"]), photo)
    images, problems = cell_images(nb)
    assert [i.alt for i in images] == ["one", "a", "b", "both", "both"] and problems == []
    assert [i.photo for i in images] == [False, False, False, True, True]


def test_cell_images_name_the_cells_that_lack_alt_text() -> None:
    nb = notebook(code("fig, ax = plt.subplots()", 1), code("x = 1", 0, "stray"),
                  code("two()", 2, ["only one"]))
    images, problems = cell_images(nb)
    assert [i.alt for i in images] == [None, "only one", None]
    assert "cell 1 ('fig, ax = plt.subplots()') shows 1 image(s) without alt text" in problems[0]
    assert "cell 2" in problems[1] and "shows no image" in problems[1]
    assert "cell 3" in problems[2] and "2 image(s) but has 1 alt text(s)" in problems[2]


def test_notebook_images_take_their_cells_alt_text(tmp_path: Path) -> None:
    png = plot_png()
    cell = (f'<div class="jp-RenderedImage jp-OutputArea-output" tabindex="0">\n'
            f'<img alt="{NO_ALT}" src="{uri(png)}">\n</div>')
    cells = [CellImage("A sigmoid"), CellImage('A "photo"', photo=True)]
    out = Images(tmp_path).page(cell + cell, page="p", to_site="", cells=cells)
    assert 'alt="A sigmoid"' in out and 'alt="A &quot;photo&quot;"' in out
    assert out.count("dlbook-photo") == 1 and out.count("dlbook-plot") == 2
    with pytest.raises(ImageError, match="2 plot"):
        Images(tmp_path).page(cell + cell, page="p", to_site="", cells=[CellImage("only one")])
