"""dlbook.figures.kinds_conv: the data of the "conv-window" and "image-picker" explorables and
the checks that refuse bad data with a message naming what is wrong (the browser side is
tested in tests/site/test_explorable_conv.py)."""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
import torch

from dlbook.conv import LECTURE_IMAGE, LECTURE_KERNEL
from dlbook.figures import explore
from dlbook.figures.display import check_explorable
from dlbook.figures.kinds_conv import (
    check_conv_window,
    check_image_picker,
    conv_window_data,
    image_picker_data,
)


def png(size: tuple[int, int] = (4, 3)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", size, 128).save(buffer, "PNG")
    return buffer.getvalue()


def conv() -> dict[str, Any]:
    return conv_window_data(LECTURE_IMAGE, LECTURE_KERNEL)


def picker() -> dict[str, Any]:
    return image_picker_data([("identity", png(), "The photograph", [[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
                              ("edges", png((3, 3)), "Its edges", torch.tensor([[0, 1], [1, -4]])),
                              ("original", png(), "The photograph, untouched", None)], initial=2)


# --- "conv-window" ----------------------------------------------------------------------------

def test_conv_window_data_holds_the_lecture_example() -> None:
    data = conv()
    assert data == {"kind": "conv-window", "input": LECTURE_IMAGE.tolist(), "kernel": LECTURE_KERNEL.tolist(),
                    "stride": 1, "padding": 0}
    assert json.loads(json.dumps(data)) == data  # plain JSON: lists of floats, no tensors
    check_explorable("conv-worked-example", data)
    labelled = conv_window_data([[1, 2, 3]], [[1, -1]], stride=2, padding=1,
                                labels={"input": "x", "output": "y"})
    assert labelled["input"] == [[1.0, 2.0, 3.0]] and labelled["stride"] == 2 and labelled["padding"] == 1
    assert labelled["labels"] == {"input": "x", "output": "y"}
    with pytest.raises(ValueError, match=r"conv_window_data.*3x3 kernel does not fit the 2x2 input"):
        conv_window_data([[1, 2], [3, 4]], LECTURE_KERNEL)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.pop("input"), r"'input' as a non-empty matrix .*got None"),
    (lambda d: d.update(input=[]), r"'input' as a non-empty matrix"),
    (lambda d: d.update(input=[[]]), r"'input' as a non-empty matrix"),
    (lambda d: d["input"][2].pop(), r"'input' as a non-empty matrix \(a list of equally long lists"),
    (lambda d: d["kernel"][0].__setitem__(1, "0"), r"'kernel' as a non-empty matrix"),
    (lambda d: d["kernel"][0].__setitem__(1, float("inf")), r"'kernel' as a non-empty matrix"),
    (lambda d: d["kernel"][0].__setitem__(1, True), r"'kernel' as a non-empty matrix"),
    (lambda d: d.update(stride=0), r"'stride' an integer >= 1 .*got stride 0, padding 0"),
    (lambda d: d.update(stride=1.0), r"got stride 1.0"),
    (lambda d: d.update(padding=-1), r"'padding' an integer >= 0, got stride 1, padding -1"),
    (lambda d: d.update(kernel=[[1.0] * 6]), r"the 1x6 kernel does not fit the 5x5 input padded by 0, "
                                             r"which is 5x5"),
    (lambda d: d.update(labels={"bias": "b"}), r"'labels' as a dict of strings with keys among "
                                               r"\['input', 'kernel', 'output'\]"),
    (lambda d: d.update(labels={"input": 3}), r"'labels' as a dict of strings"),
])
def test_bad_conv_window_data_is_refused_with_what_is_wrong(edit: Any, message: str) -> None:
    data = copy.deepcopy(conv())
    edit(data)
    with pytest.raises(ValueError, match=message) as err:
        check_explorable("conv-worked-example", data)
    assert "conv-window figure 'conv-worked-example'" in str(err.value)


def test_padding_lets_a_large_kernel_fit() -> None:
    data = conv()
    data.update(kernel=[[1.0] * 6] * 6, padding=1)  # 5 + 2·1 = 7 >= 6
    check_conv_window("demo", data)


# --- "image-picker" ---------------------------------------------------------------------------

def test_image_picker_data_embeds_pngs_and_kernels() -> None:
    data = picker()
    assert data["kind"] == "image-picker" and data["initial"] == 2 and data["legend"] == "Image"
    images = data["images"]
    assert [i["label"] for i in images] == ["identity", "edges", "original"]
    assert images[1]["src"] == "data:image/png;base64," + base64.b64encode(png((3, 3))).decode()
    assert images[1]["kernel"] == [[0.0, 1.0], [1.0, -4.0]]  # a tensor, read as floats
    assert "kernel" not in images[2] and images[2]["alt"] == "The photograph, untouched"
    check_explorable("conv-photo-kernels", data)
    with pytest.raises(ValueError, match=r"image_picker_data expects the PNG file's bytes for 'x', "
                                         r"got b'GIF89a'"):
        image_picker_data([("x", b"GIF89a", "alt", None)])
    with pytest.raises(ValueError, match=r"'initial' as an index in \[0, 1\), got 1"):
        image_picker_data([("x", png(), "alt", None)], initial=1)


def jpeg_uri() -> str:
    return "data:image/jpeg;base64," + base64.b64encode(png()).decode()


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.pop("images"), r"a non-empty list 'images', got keys \['initial', 'kind', 'legend'\]"),
    (lambda d: d.update(images=[]), r"a non-empty list 'images'"),
    (lambda d: d["images"][1].pop("label"), r"image 1 needs a non-empty string 'label' and 'alt'"),
    (lambda d: d["images"][1].update(alt=""), r"image 1 needs a non-empty string 'label' and 'alt' \(what"),
    (lambda d: d["images"][2].update(label="identity"), r"labels should be distinct, image 2 repeats "
                                                        r"'identity'"),
    (lambda d: d["images"][0].update(src=jpeg_uri()), r"image 0 \('identity'\) expects 'src' as a "
                                                      r"data:image/png;base64,\.\.\. URI of a PNG"),
    (lambda d: d["images"][0].update(src="figure.png"), r"URI of a PNG, got 'figure.png'"),
    (lambda d: d["images"][0].update(src="data:image/png;base64,not base64!"), r"URI of a PNG"),
    (lambda d: d["images"][0].update(src="data:image/png;base64," + base64.b64encode(b"GIF89a").decode()),
     r"URI of a PNG"),
    (lambda d: d["images"][1].update(kernel=[[1, 2], [3]]), r"image 1 \('edges'\) expects 'kernel' as a "
                                                            r"non-empty matrix"),
    (lambda d: d["images"][1].update(kernel=None), r"'kernel' as a non-empty matrix of finite numbers, "
                                                   r"got None"),
    (lambda d: d.update(initial=3), r"'initial' as an index in \[0, 3\), got 3"),
    (lambda d: d.update(initial="edges"), r"'initial' as an index"),
    (lambda d: d.update(legend=""), r"'legend' as a non-empty string, got ''"),
])
def test_bad_image_picker_data_is_refused_with_what_is_wrong(edit: Any, message: str) -> None:
    data = copy.deepcopy(picker())
    edit(data)
    with pytest.raises(ValueError, match=message) as err:
        check_explorable("conv-photo-kernels", data)
    assert "image-picker figure 'conv-photo-kernels'" in str(err.value)


def test_the_optional_keys_may_be_left_out() -> None:
    data = picker()
    del data["initial"], data["legend"]
    check_image_picker("demo", data)


# --- explore() shows both kinds ---------------------------------------------------------------

def freeze(root: Path, name: str, data: dict[str, Any]) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    files = {"figure.png": png(), "data.json": json.dumps(data).encode()}
    for file, content in files.items():
        (folder / file).write_bytes(content)
    hashes = {f: hashlib.sha256(c).hexdigest() for f, c in files.items()}
    manifest = {"name": name, "caption": "c", "files": hashes}
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_explore_embeds_both_kinds_and_refuses_a_bad_one(tmp_path: Path) -> None:
    for name, data in (("conv-worked-example", conv()), ("conv-photo-kernels", picker())):
        freeze(tmp_path, name, data)
        page = explore(name, root=tmp_path)._repr_html_()
        start = page.index('class="dlbook-explorable-data">') + len('class="dlbook-explorable-data">')
        assert json.loads(page[start:page.index("</script>", start)]) == data
        assert 'class="dlbook-explorable-fallback"' in page  # the image readers without scripts see
    bad = conv()
    bad["stride"] = 0
    freeze(tmp_path, "bad", bad)
    with pytest.raises(ValueError, match="conv-window figure 'bad' expects 'stride'"):
        explore("bad", root=tmp_path)
