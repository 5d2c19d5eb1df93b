"""The kinds of explorable figure: what each one's ``data.json`` holds, and a check of it.

:func:`dlbook.figures.explore` shows a figure's data as an explorable; the ``"kind"`` key
of the data picks how docs/assets/javascripts/explorable.js (and explorable-kinds.js)
draws it. Each kind has a check here that raises a ValueError naming what is missing or
wrong, so a bad figure fails when the page is built rather than in a reader's browser.

- ``"curves"`` (the default when ``"kind"`` is absent): sliders over a grid of runs, each
  run a few learning curves; see :func:`check_curves`.
- ``"sampling"``: the next-character distribution softmax(logits / T) of a few stored
  prompts, a temperature slider and an optional top-k choice; see :func:`check_sampling`
  and :func:`sampling_data`. Taught in docs/architectures/recurrent-networks.
- ``"heatmap"``: a slider over frames (epochs, checkpoints), each frame one or more panels
  of a matrix drawn as a heat map; see :func:`check_heatmap` and :func:`heatmap_data`.

The convolution chapter's kinds, ``"conv-window"`` and ``"image-picker"``, are in
:mod:`dlbook.figures.kinds_conv`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["CHECKS", "check_curves", "check_heatmap", "check_sampling", "heatmap_data", "sampling_data"]


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def check_curves(name: str, data: dict[str, Any]) -> None:
    """A grid of curves: ``params`` (each ``{"name", "label", "values"}``), ``series`` (each
    ``{"key", "label"}``) and ``runs``, one dict of curves per combination of parameter
    values, the last parameter varying fastest; optional ``x_label``, ``y_label``,
    ``y_scale`` ("log")."""
    params, series, runs = data.get("params"), data.get("series"), data.get("runs")
    if not (isinstance(params, list) and params and isinstance(series, list) and series
            and isinstance(runs, list)):
        raise ValueError(f"explorable figure {name!r} expects data with non-empty lists 'params' and "
                         f"'series' and a list 'runs', got keys {sorted(data)}")
    expected = math.prod(len(p.get("values", [])) for p in params)
    if len(runs) != expected:
        raise ValueError(f"explorable figure {name!r} expects one run per combination of "
                         f"{[p.get('name') for p in params]}: {expected} runs, got {len(runs)}")
    keys = [s.get("key") for s in series]
    for i, run in enumerate(runs):
        missing = [k for k in keys if not isinstance(run.get(k), list) or not run[k]]
        if missing:
            raise ValueError(f"explorable figure {name!r}: run {i} has no curve for {missing}")


# --- "sampling": the next-character distribution at a chosen temperature ------------------

def check_sampling(name: str, data: dict[str, Any]) -> None:
    """The next-token distribution of a few prompts at a temperature the reader picks::

        {"kind": "sampling",
         "chars": ["\\n", " ", "a", ...],          # the vocabulary, V distinct non-empty strings
         "prompts": [{"text": "def f", "logits": [...V numbers...]}, ...],
         "temperature": {"min": 0.1, "max": 2.0, "step": 0.05, "value": 1.0},
         "top_k": [1, 5, 10],                     # optional: choices besides "all", each in [1, V]
         "shown": 12}                             # optional: bars drawn, the most likely first

    The browser draws p = softmax(logits / T) exactly; top-k keeps the k largest logits (ties:
    the lower index first) and renormalises, as :func:`dlbook.charlm.next_char_probs` does. The
    bars are ordered by logit, so they stay in place as T changes. A prompt may carry a
    ``"label"`` for its menu entry.
    """
    chars, prompts, temp = data.get("chars"), data.get("prompts"), data.get("temperature")
    if not (isinstance(chars, list) and chars and isinstance(prompts, list) and prompts
            and isinstance(temp, dict)):
        raise ValueError(f"sampling figure {name!r} expects non-empty lists 'chars' and 'prompts' and a "
                         f"dict 'temperature', got keys {sorted(data)}")
    bad = [c for c in chars if not isinstance(c, str) or not c]
    if bad or len(set(chars)) != len(chars):
        raise ValueError(f"sampling figure {name!r} expects 'chars' to be distinct non-empty strings, "
                         f"got {bad[:3] or 'duplicates'}")
    V = len(chars)
    for i, prompt in enumerate(prompts):
        if not (isinstance(prompt, dict) and isinstance(prompt.get("text"), str)
                and isinstance(prompt.get("label", ""), str)):
            raise ValueError(f"sampling figure {name!r}: prompt {i} needs a string 'text' (and "
                             f"optionally a string 'label'), got {prompt!r:.80}")
        logits = prompt.get("logits")
        if not isinstance(logits, list) or len(logits) != V or not all(map(_is_number, logits)):
            got = f"{len(logits)} values" if isinstance(logits, list) else type(logits).__name__
            raise ValueError(f"sampling figure {name!r}: prompt {i} ({prompt['text']!r:.40}) expects "
                             f"'logits', one finite number per char ({V}), got {got}")
    keys = ("min", "max", "step", "value")
    if not all(_is_number(temp.get(k)) for k in keys):
        raise ValueError(f"sampling figure {name!r} expects 'temperature' with numbers {list(keys)}, "
                         f"got {temp}")
    if not (0 < temp["min"] <= temp["value"] <= temp["max"] and temp["step"] > 0):
        raise ValueError(f"sampling figure {name!r} expects 0 < temperature min <= value <= max and "
                         f"step > 0, got {temp}")
    top_k = data.get("top_k", [])
    if not (isinstance(top_k, list) and all(isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= V
                                            for k in top_k)):
        raise ValueError(f"sampling figure {name!r} expects 'top_k' as a list of integers in [1, {V}], "
                         f"got {top_k!r}")
    shown = data.get("shown", 12)
    if not (isinstance(shown, int) and not isinstance(shown, bool) and shown >= 1):
        raise ValueError(f"sampling figure {name!r} expects 'shown' as a positive integer, got {shown!r}")


def sampling_data(chars: Sequence[str], prompts: Sequence[str], logits: Sequence[Sequence[float]], *,
                  temperature: float = 1.0, t_min: float = 0.1, t_max: float = 2.0, t_step: float = 0.05,
                  top_k: Sequence[int] = (), shown: int = 12, decimals: int = 3) -> dict[str, Any]:
    """The data of a ``"sampling"`` figure, logits rounded to ``decimals`` to keep the page light.

    ``logits`` holds one row of V numbers per prompt (a tensor's ``.tolist()``), V = len(chars).

    >>> d = sampling_data(["a", "b"], ["x"], [[0.12345, -1.0]])
    >>> d["prompts"], d["temperature"]["value"]
    ([{'text': 'x', 'logits': [0.123, -1.0]}], 1.0)
    """
    if len(logits) != len(prompts):
        raise ValueError(f"sampling_data expects one row of logits per prompt ({len(prompts)}), "
                         f"got {len(logits)}")
    data: dict[str, Any] = {
        "kind": "sampling",
        "chars": list(chars),
        "prompts": [{"text": p, "logits": [round(float(v), decimals) for v in row]}
                    for p, row in zip(prompts, logits, strict=True)],
        "temperature": {"min": t_min, "max": t_max, "step": t_step, "value": temperature},
        "shown": shown,
    }
    if top_k:
        data["top_k"] = list(top_k)
    check_sampling("sampling_data", data)
    return data


# --- "heatmap": frames of matrices, one or more panels side by side -----------------------

def check_heatmap(name: str, data: dict[str, Any]) -> None:
    """Frames (F) of panels (P) of matrices (rows R_p x cols C_p) drawn as heat maps::

        {"kind": "heatmap",
         "frames": [1, 5, 10],                    # F labels: the slider's stops
         "frame_label": "epoch",                  # optional: the slider's name
         "panels": [{"title": "tanh RNN",         # P panels, side by side
                     "rows": ["seq 1", ...],      # optional: R_p row labels
                     "cols": [1, 2, ...]}, ...],  # optional: C_p column labels
         "values": [...],                         # F x P x R_p x C_p numbers (null: no value)
         "scale": "linear" | "log",               # optional, "linear" by default
         "range": [lo, hi],                       # optional: colour range, else all frames' min, max
         "x_label": "time step t", "y_label": "sequence", "value_label": "‖∂L/∂h_t‖"}  # optional

    Every frame's matrix for panel p has the shape of frame 0's; one colour scale is shared
    by all frames and panels, so colours compare across the slider. A log scale needs the
    numbers (and ``range``) positive.
    """
    frames, panels, values = data.get("frames"), data.get("panels"), data.get("values")
    if not (isinstance(frames, list) and frames and isinstance(panels, list) and panels
            and isinstance(values, list)):
        raise ValueError(f"heatmap figure {name!r} expects non-empty lists 'frames', 'panels' and a list "
                         f"'values', got keys {sorted(data)}")
    F, P = len(frames), len(panels)
    if len(values) != F or any(not isinstance(v, list) or len(v) != P for v in values):
        raise ValueError(f"heatmap figure {name!r} expects 'values' as frames x panels ({F} x {P}) "
                         f"matrices, got {len(values)} frames")
    scale = data.get("scale", "linear")
    if scale not in ("linear", "log"):
        raise ValueError(f"heatmap figure {name!r} expects 'scale' 'linear' or 'log', got {scale!r}")
    for p, panel in enumerate(panels):
        if not isinstance(panel, dict):
            raise ValueError(f"heatmap figure {name!r}: panel {p} should be a dict, got {panel!r:.60}")
        first = values[0][p]
        R = len(first) if isinstance(first, list) else 0
        C = len(first[0]) if R and isinstance(first[0], list) else 0
        if not (R and C):
            raise ValueError(f"heatmap figure {name!r}: panel {p} of frame 0 should be a non-empty "
                             f"matrix (a list of rows), got {first!r:.60}")
        for key, n in (("rows", R), ("cols", C)):
            if key in panel and (not isinstance(panel[key], list) or len(panel[key]) != n):
                raise ValueError(f"heatmap figure {name!r}: panel {p} has {R} x {C} values, so "
                                 f"{key!r} needs {n} labels, got {panel[key]!r:.60}")
        for f in range(F):
            m = values[f][p]
            if not (isinstance(m, list) and len(m) == R and all(isinstance(r, list) and len(r) == C
                                                                for r in m)):
                raise ValueError(f"heatmap figure {name!r}: frame {f}, panel {p} should be {R} x {C} "
                                 f"like frame 0, got {m!r:.60}")
            for r, row in enumerate(m):
                for c, v in enumerate(row):
                    if v is not None and not (_is_number(v) and (scale == "linear" or v > 0)):
                        need = "a positive number (log scale)" if scale == "log" else "a finite number"
                        raise ValueError(f"heatmap figure {name!r}: frame {f}, panel {p}, cell ({r}, {c}) "
                                         f"should be {need} or null, got {v!r}")
    lo_hi = data.get("range")
    if lo_hi is not None and not (isinstance(lo_hi, list) and len(lo_hi) == 2 and all(map(_is_number, lo_hi))
                                  and lo_hi[0] < lo_hi[1] and (scale == "linear" or lo_hi[0] > 0)):
        raise ValueError(f"heatmap figure {name!r} expects 'range' as [lo, hi] with lo < hi "
                         f"(and lo > 0 on a log scale), got {lo_hi!r}")


def heatmap_data(frames: Sequence[Any], panels: Sequence[str],
                 values: Sequence[Sequence[Sequence[Sequence[float | None]]]], *,
                 frame_label: str = "frame", x_label: str = "", y_label: str = "", value_label: str = "",
                 scale: str = "linear", rows: Sequence[Any] | None = None, cols: Sequence[Any] | None = None,
                 digits: int = 4) -> dict[str, Any]:
    """The data of a ``"heatmap"`` figure; values (frames x panels x rows x cols, e.g. a tensor's
    ``.tolist()``) kept to ``digits`` significant digits, ``rows``/``cols`` labels shared by
    all panels.

    >>> d = heatmap_data([1, 2], ["RNN"], [[[[0.123456, 2.0]]], [[[0.5, 1.0]]]], scale="log")
    >>> d["values"][0], d["panels"]
    ([[[0.1235, 2.0]]], [{'title': 'RNN'}])
    """
    def keep(v: float | None) -> float | None:
        return None if v is None else float(f"{float(v):.{digits}g}")

    meta: list[dict[str, Any]] = []
    for title in panels:
        panel: dict[str, Any] = {"title": title}
        if rows is not None:
            panel["rows"] = list(rows)
        if cols is not None:
            panel["cols"] = list(cols)
        meta.append(panel)
    data: dict[str, Any] = {
        "kind": "heatmap", "frames": list(frames), "frame_label": frame_label, "panels": meta,
        "values": [[[[keep(v) for v in row] for row in m] for m in frame] for frame in values],
        "scale": scale, "x_label": x_label, "y_label": y_label, "value_label": value_label,
    }
    check_heatmap("heatmap_data", data)
    return data


CHECKS: dict[str, Callable[[str, dict[str, Any]], None]] = {
    "curves": check_curves, "sampling": check_sampling, "heatmap": check_heatmap,
}
