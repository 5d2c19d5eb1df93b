"""Show a frozen figure on a page with a collapsible "How this figure was made" box.

In a chapter: ``from dlbook.figures import show; show("perceptron-boundary")``. The image
is embedded (a data URI), so the cell output also works in a downloaded notebook or Colab.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlbook.figures.pipeline import figures_root, read_manifest


@dataclass(frozen=True)
class FigureDisplay:
    name: str
    manifest: dict[str, Any]
    png: bytes

    def _repr_html_(self) -> str:
        m = self.manifest
        src = "data:image/png;base64," + base64.b64encode(self.png).decode()
        caption = html.escape(m.get("caption", ""))
        smoke = ""
        if m.get("tier") == "smoke":
            smoke = (
                '<p class="dlbook-smoke"><strong>Smoke tier.</strong> This figure comes from the quick '
                "run used by the tests, not from the full training run; remake it with "
                f"<code>dlbook figures --only {html.escape(self.name)} --tier full</code>.</p>"
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
            f'<figure class="dlbook-figure" id="figure-{html.escape(self.name)}">'
            f'<img src="{src}" alt="{caption}"><figcaption>{caption}</figcaption></figure>'
            f"{smoke}"
            f'<details class="info dlbook-provenance"><summary>How this figure was made</summary>'
            f"<table>{table}</table></details>"
        )

    def __repr__(self) -> str:
        m = self.manifest
        return f"<figure {self.name!r}: {m.get('caption', '')} ({m.get('tier')} tier, {m.get('device')})>"


def show(name: str, *, root: Path | None = None) -> FigureDisplay:
    """The frozen figure ``name`` with its provenance, for display in a notebook cell."""
    root = root or figures_root()
    manifest = read_manifest(name, root)
    if manifest is None:
        raise FileNotFoundError(
            f"figure {name!r} has not been made yet (no {root / name / 'manifest.json'}); "
            f"run `dlbook figures --only {name}`"
        )
    return FigureDisplay(name=name, manifest=manifest, png=(root / name / "figure.png").read_bytes())
