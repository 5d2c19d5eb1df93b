"""Show a frozen figure on a page with a collapsible "How this figure was made" box.

``explore(name)`` shows a figure whose ``data.json`` the page can redraw as an explorable:
sliders over a grid of curves, a next-character distribution at a chosen temperature,
heat maps over training frames (the kinds of :mod:`dlbook.figures.kinds`), a convolution's
windows or a choice of images (:mod:`dlbook.figures.kinds_conv`), a model's attention per
layer and head (:mod:`dlbook.figures.kinds_attention`).

In a chapter: ``from dlbook.figures import show; show("perceptron-boundary")``. The image
is embedded (a data URI), so the cell output also works in a downloaded notebook or Colab;
the files are read through :mod:`dlbook.figures.store` (a checkout, or the published book).
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlbook.figures import kinds, kinds_attention, kinds_conv
from dlbook.figures.store import figure_file, load_data, load_manifest

CHECKS = {**kinds.CHECKS, **kinds_conv.CHECKS, **kinds_attention.CHECKS}  # kind -> its check of data.json


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _provenance(name: str, m: dict[str, Any]) -> str:
    """The smoke-tier warning (if any) and the collapsible "How this figure was made" box."""
    smoke = ""
    if m.get("tier") == "smoke":
        smoke = (
            '<p class="dlbook-smoke"><strong>Smoke tier.</strong> This figure comes from the quick '
            "run used by the tests, not from the full training run; remake it with "
            f"<code>dlbook-build figures --only {html.escape(name)} --tier full</code>.</p>"
        )
    rows = [
        ("tier", m.get("tier", "?")),
        ("device", m.get("device", "?")),
        ("seed", m.get("seed", "?")),
        ("wall time", f"{m.get('wall_seconds', 0):.1f} s"),
        *((f"time ({k})", f"{v:.1f} s") for k, v in m.get("timings", {}).items()),
        *((f"final {k}", f"{v:.4g}") for k, v in m.get("metrics", {}).items()),
        ("config", ", ".join(f"{k}={v}" for k, v in m.get("config", {}).items())),
        ("versions", ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())),
        ("code hash", m.get("code_hash", "?")[:16]),
        ("remake with", f"<code>{html.escape(m.get('command', ''))}</code>"),
    ]
    cells = ((html.escape(str(k)), v if k == "remake with" else html.escape(str(v))) for k, v in rows)
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in cells)
    return (
        f"{smoke}"
        f'<details class="info dlbook-provenance"><summary>How this figure was made</summary>'
        f"<table>{table}</table></details>"
    )


@dataclass(frozen=True)
class FigureDisplay:
    name: str
    manifest: dict[str, Any]
    png: bytes

    def _repr_html_(self) -> str:
        caption = html.escape(self.manifest.get("caption", ""))
        return (
            f'<figure class="dlbook-figure" id="figure-{html.escape(self.name)}">'
            f'<img src="{_data_uri(self.png)}" alt="{caption}"><figcaption>{caption}</figcaption></figure>'
            f"{_provenance(self.name, self.manifest)}"
        )

    def __repr__(self) -> str:
        m = self.manifest
        return f"<figure {self.name!r}: {m.get('caption', '')} ({m.get('tier')} tier, {m.get('device')})>"


def show(name: str, *, root: Path | None = None) -> FigureDisplay:
    """The frozen figure ``name`` with its provenance, for display in a notebook cell."""
    manifest = load_manifest(name, root=root)
    return FigureDisplay(name=name, manifest=manifest, png=figure_file(name, "figure.png", root=root))


@dataclass(frozen=True)
class ExplorableDisplay:
    """A figure the reader can explore: the static image plus the data that explorable.js draws.

    The HTML holds the image (shown as is without scripts) and the figure's ``data.json`` in
    a ``<script type="application/json">``; docs/assets/javascripts/explorable.js (and
    explorable-kinds.js, explorable-conv.js and explorable-attention.js for the other kinds),
    loaded on every page,
    adds the controls and the chart and hides the image.
    """

    name: str
    manifest: dict[str, Any]
    png: bytes
    data: dict[str, Any]

    def _repr_html_(self) -> str:
        name = html.escape(self.name)
        caption = html.escape(self.manifest.get("caption", ""))
        # "</" cannot end the script element early when written as "<\/", which JSON reads back as "</"
        payload = json.dumps(self.data, separators=(",", ":")).replace("</", "<\\/")
        return (
            f'<figure class="dlbook-figure dlbook-explorable" id="figure-{name}" data-figure="{name}">'
            f'<img class="dlbook-explorable-fallback" src="{_data_uri(self.png)}" alt="{caption}">'
            f'<script type="application/json" class="dlbook-explorable-data">{payload}</script>'
            f"<figcaption>{caption}</figcaption></figure>"
            f"{_provenance(self.name, self.manifest)}"
        )

    def __repr__(self) -> str:
        m = self.manifest
        return f"<explorable figure {self.name!r}: {m.get('caption', '')} ({m.get('tier')} tier)>"


def explore(name: str, *, root: Path | None = None) -> ExplorableDisplay:
    """The frozen figure ``name`` as an explorable: controls over its ``data.json``.

    By default the data is a grid of curves: ``params`` (each ``{"name", "label", "values"}``),
    ``series`` (each ``{"key", "label"}``) and ``runs``, one dict of curves per combination of
    parameter values, the last parameter varying fastest. ``"kind": "sampling"``,
    ``"heatmap"`` (see :mod:`dlbook.figures.kinds`), ``"conv-window"`` or ``"image-picker"``
    (see :mod:`dlbook.figures.kinds_conv`), or ``"attention"`` (see
    :mod:`dlbook.figures.kinds_attention`) selects another layout. Without JavaScript the
    static image shows.
    """
    manifest = load_manifest(name, root=root)
    data = load_data(name, root=root)
    check_explorable(name, data)
    return ExplorableDisplay(name=name, manifest=manifest, png=figure_file(name, "figure.png", root=root),
                             data=data)


def check_explorable(name: str, data: dict[str, Any]) -> None:
    """Raise a ValueError naming what is missing unless explorable.js can draw ``data``.

    ``data["kind"]`` picks the layout ("curves" when absent, "sampling", "heatmap",
    "conv-window", "image-picker", "attention"); each is described and checked in
    :mod:`dlbook.figures.kinds`, :mod:`dlbook.figures.kinds_conv` or
    :mod:`dlbook.figures.kinds_attention`.
    """
    kind = data.get("kind", "curves") if isinstance(data, dict) else None
    if kind not in CHECKS:
        got = f"kind {kind!r}" if isinstance(data, dict) else type(data).__name__
        raise ValueError(f"explorable figure {name!r} expects a dict whose 'kind' is one of "
                         f"{sorted(CHECKS)} (absent: 'curves'), got {got}")
    CHECKS[kind](name, data)
