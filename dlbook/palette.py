"""The book's one class palette, used by every figure and every scene.

Classes are told apart by the Okabe-Ito colours (Okabe & Ito 2008, "Color Universal
Design"), chosen so that readers with any common form of colour-blindness can still tell
them apart. The first two are a blue and a vermillion, far apart in hue and in lightness,
so a binary task reads the same in greyscale; each has a contrast of at least 3:1 (the
WCAG minimum for graphics) against both the light page (#ffffff) and the dark one
(#1e2129, mkdocs-material's slate), so a figure reads in light and in dark mode.

Plain hex strings, no matplotlib: scenes (Manim) and figures (matplotlib) import the same
values. Class 0 is always ``CLASS_COLORS[0]``, in every chapter.
"""

from __future__ import annotations

__all__ = ["CLASS_COLORS", "NEUTRAL", "class_color", "contrast_ratio"]

# Okabe-Ito, reordered: the first two are the binary pair.
CLASS_COLORS: tuple[str, ...] = (
    "#0072B2",  # class 0: blue
    "#D55E00",  # class 1: vermillion
    "#009E73",  # class 2: bluish green
    "#CC79A7",  # class 3: reddish purple
    "#E69F00",  # class 4: orange
    "#56B4E9",  # class 5: sky blue
    "#999999",  # class 6: grey
)
NEUTRAL = "#7f7f7f"  # boundaries, reference lines: mid grey reads on white and on slate


def class_color(k: int) -> str:
    """The colour of class ``k`` (0-based); refuses a class the palette has no colour for."""
    if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < len(CLASS_COLORS):
        raise ValueError(f"class_color expects a class index in [0, {len(CLASS_COLORS)}), got {k!r}")
    return CLASS_COLORS[k]


def _luminance(color: str) -> float:
    """Relative luminance of ``#rrggbb`` (WCAG 2.1)."""
    if len(color) != 7 or not color.startswith("#"):
        raise ValueError(f"expected a colour as '#rrggbb', got {color!r}")
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, from 1 (same) to 21 (black on white)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
