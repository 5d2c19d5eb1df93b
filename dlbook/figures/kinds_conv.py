"""The explorable kinds of the convolution chapter: their ``data.json`` layouts and checks.

Taught in docs/architectures/convolutional-networks. :func:`dlbook.figures.explore` dispatches
on ``data["kind"]`` to the checks here as to those of :mod:`dlbook.figures.kinds`;
docs/assets/javascripts/explorable-conv.js draws both kinds.

- ``"conv-window"``: an input, a kernel and their output, cross-correlated in the browser as
  :func:`dlbook.conv.conv2d` does; pointing at an output cell shows its input window and its
  sum of products. See :func:`check_conv_window` and :func:`conv_window_data`.
- ``"image-picker"``: a few labelled images (PNG data URIs), one shown at a time, each with
  the kernel that made it. See :func:`check_image_picker` and :func:`image_picker_data`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeGuard

from dlbook.figures.kinds import _is_number

__all__ = ["CHECKS", "check_conv_window", "check_image_picker", "conv_window_data", "image_picker_data"]

PNG_URI = "data:image/png;base64,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GRID_LABELS = ("input", "kernel", "output")


def _is_int(v: object, minimum: int) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool) and v >= minimum


def _matrix_shape(m: object) -> tuple[int, int] | None:
    """(R, C) if ``m`` is a non-empty list of equally long non-empty lists of finite numbers."""
    if not (isinstance(m, list) and m and all(isinstance(r, list) for r in m)):
        return None
    C = len(m[0])
    if not C or any(len(r) != C or not all(map(_is_number, r)) for r in m):
        return None
    return len(m), C


def _matrix(values: Any) -> list[list[float]]:
    """A nested list of floats from a 2-D tensor, array or nested sequence."""
    rows = values.tolist() if hasattr(values, "tolist") else values
    return [[float(v) for v in row] for row in rows]


# --- "conv-window": the sum of products behind each output cell -------------------------------

def check_conv_window(name: str, data: dict[str, Any]) -> None:
    """An input cross-correlated with a kernel, one output cell's window at a time::

        {"kind": "conv-window",
         "input": [[1, 1, 1, 0, 0], ...],         # H x W numbers
         "kernel": [[1, 0, 1], ...],              # kH x kW numbers
         "stride": 1,                             # an integer >= 1
         "padding": 0,                            # an integer >= 0: zeros around the input
         "labels": {"input": "image x", "kernel": "kernel w", "output": "output y"}}  # optional

    The browser computes out[i][j] = Σ_u Σ_v x_pad[s·i + u][s·j + v] · w[u][v] (no kernel
    flip, as :func:`dlbook.conv.conv2d`), with H_out = ⌊(H + 2p − kH)/s⌋ + 1 (and W_out alike).
    """
    def shape(key: str) -> tuple[int, int]:
        rc = _matrix_shape(data.get(key))
        if rc is None:
            raise ValueError(f"conv-window figure {name!r} expects {key!r} as a non-empty matrix (a list of "
                             f"equally long lists of finite numbers), got {data.get(key)!r:.60}")
        return rc

    (H, W), (kh, kw) = shape("input"), shape("kernel")
    stride, padding = data.get("stride"), data.get("padding")
    if not (_is_int(stride, 1) and _is_int(padding, 0)):
        raise ValueError(f"conv-window figure {name!r} expects 'stride' an integer >= 1 and 'padding' an "
                         f"integer >= 0, got stride {stride!r}, padding {padding!r}")
    if H + 2 * padding < kh or W + 2 * padding < kw:
        raise ValueError(f"conv-window figure {name!r}: the {kh}x{kw} kernel does not fit the {H}x{W} input "
                         f"padded by {padding}, which is {H + 2 * padding}x{W + 2 * padding}")
    labels = data.get("labels", {})
    if not (isinstance(labels, dict) and set(labels) <= set(GRID_LABELS)
            and all(isinstance(v, str) for v in labels.values())):
        raise ValueError(f"conv-window figure {name!r} expects 'labels' as a dict of strings with keys "
                         f"among {list(GRID_LABELS)}, got {labels!r:.80}")


def conv_window_data(input: Any, kernel: Any, *, stride: int = 1, padding: int = 0,
                     labels: dict[str, str] | None = None) -> dict[str, Any]:
    """The data of a ``"conv-window"`` figure: ``input`` (H, W) and ``kernel`` (kH, kW) as nested
    lists of floats (tensors are read with ``.tolist()``), checked.

    >>> d = conv_window_data([[1, 0, 2], [0, 1, 0], [3, 0, 1]], [[1, 0], [0, 1]])
    >>> d["kernel"], d["stride"], d["padding"]
    ([[1.0, 0.0], [0.0, 1.0]], 1, 0)
    """
    data: dict[str, Any] = {"kind": "conv-window", "input": _matrix(input), "kernel": _matrix(kernel),
                            "stride": stride, "padding": padding}
    if labels:
        data["labels"] = dict(labels)
    check_conv_window("conv_window_data", data)
    return data


# --- "image-picker": one of a few labelled images, with the kernel behind it -------------------

def check_image_picker(name: str, data: dict[str, Any]) -> None:
    """A few images, one shown at a time, picked with radio buttons::

        {"kind": "image-picker",
         "images": [{"label": "sharpen",                       # distinct, non-empty
                     "src": "data:image/png;base64,iVBOR...",  # a PNG, embedded
                     "alt": "The photograph, sharpened",       # non-empty: what the image shows
                     "kernel": [[0, -1, 0], ...]}, ...],       # optional: kH x kW numbers
         "initial": 0,                                         # optional: the index shown first
         "legend": "Kernel"}                                   # optional: the radio group's name
    """
    images = data.get("images")
    if not (isinstance(images, list) and images):
        raise ValueError(f"image-picker figure {name!r} expects a non-empty list 'images', got keys "
                         f"{sorted(data)}")
    labels: list[str] = []
    for i, item in enumerate(images):
        if not (isinstance(item, dict) and isinstance(item.get("label"), str) and item["label"]
                and isinstance(item.get("alt"), str) and item["alt"]):
            raise ValueError(f"image-picker figure {name!r}: image {i} needs a non-empty string 'label' and "
                             f"'alt' (what the image shows), got {item!r:.80}")
        label, src = item["label"], item.get("src")
        if label in labels:
            raise ValueError(f"image-picker figure {name!r}: the labels should be distinct, image {i} "
                             f"repeats {label!r}")
        labels.append(label)
        png = b""
        if isinstance(src, str) and src.startswith(PNG_URI):
            try:
                png = base64.b64decode(src[len(PNG_URI):], validate=True)
            except binascii.Error:
                png = b""
        if not png.startswith(PNG_SIGNATURE):
            raise ValueError(f"image-picker figure {name!r}: image {i} ({label!r}) expects 'src' as a "
                             f"{PNG_URI}... URI of a PNG, got {src!r:.60}")
        if "kernel" in item and _matrix_shape(item["kernel"]) is None:
            raise ValueError(f"image-picker figure {name!r}: image {i} ({label!r}) expects 'kernel' as a "
                             f"non-empty matrix of finite numbers, got {item['kernel']!r:.60}")
    initial = data.get("initial", 0)
    if not (_is_int(initial, 0) and initial < len(images)):
        raise ValueError(f"image-picker figure {name!r} expects 'initial' as an index in [0, {len(images)}), "
                         f"got {initial!r}")
    legend = data.get("legend", "Image")
    if not (isinstance(legend, str) and legend):
        raise ValueError(f"image-picker figure {name!r} expects 'legend' as a non-empty string, "
                         f"got {legend!r}")


def image_picker_data(items: Sequence[tuple[str, bytes, str, Any]], *, initial: int = 0,
                      legend: str = "Image") -> dict[str, Any]:
    """The data of an ``"image-picker"`` figure from ``(label, png_bytes, alt, kernel)`` tuples;
    ``kernel`` (kH, kW) may be None. The PNGs are embedded as base64 data URIs, so keep them
    small (a 160 px grayscale image is a few tens of kB).

    >>> import io; from PIL import Image; png = io.BytesIO(); Image.new("L", (4, 4)).save(png, "PNG")
    >>> d = image_picker_data([("identity", png.getvalue(), "A black square", [[1]])])
    >>> d["images"][0]["src"][:30], d["images"][0]["kernel"], d["initial"]
    ('data:image/png;base64,iVBORw0K', [[1.0]], 0)
    """
    images: list[dict[str, Any]] = []
    for label, png, alt, kernel in items:
        if not isinstance(png, bytes) or not png.startswith(PNG_SIGNATURE):
            raise ValueError(f"image_picker_data expects the PNG file's bytes for {label!r}, got "
                             f"{png[:12] if isinstance(png, bytes) else type(png).__name__!r}")
        item: dict[str, Any] = {"label": label, "src": PNG_URI + base64.b64encode(png).decode(), "alt": alt}
        if kernel is not None:
            item["kernel"] = _matrix(kernel)
        images.append(item)
    data: dict[str, Any] = {"kind": "image-picker", "images": images, "initial": initial, "legend": legend}
    check_image_picker("image_picker_data", data)
    return data


CHECKS: dict[str, Callable[[str, dict[str, Any]], None]] = {
    "conv-window": check_conv_window, "image-picker": check_image_picker,
}
