"""The look shared by every scene: palette, font, sizes, number and symbol formatting.

The video carries its own background, so it has to read the same whether the page
around it is light or dark. A mid-dark slate (Tailwind's slate-800) does both: it is
neither the white nor the near-black of the site's two themes, so the player reads as
a framed picture on either, and light pastel inks on it keep a contrast ratio above 7:1
(WCAG AAA) at 480p. Forward values are sky blue and gradients orange, the pair that
stays apart for the common colour-vision deficiencies; new values after an update are
green, weights violet, the target and the error rose.

A flat background and few moving objects also keep the encoder's bitrate low: the
site's budget is 40 KB per second of video.
"""

from __future__ import annotations

from manim import TexTemplate

from dlbook.trace import format_number

# --- Palette -------------------------------------------------------------------------

BACKGROUND = "#1E293B"  # slate-800: the video's own background
INK = "#F1F5F9"  # slate-100: text, neuron outlines (contrast 13:1 on BACKGROUND)
MUTED = "#94A3B8"  # slate-400: edges, axes, names of things
VALUE = "#7DD3FC"  # sky-300: forward values (activations, predictions)
GRADIENT = "#FDBA74"  # orange-300: backward gradients ∂L/∂·
WEIGHT = "#C4B5FD"  # violet-300: weights and the learning rate
UPDATE = "#86EFAC"  # green-300: values after an update
TARGET = "#FDA4AF"  # rose-300: the target y and the error δ
HIGHLIGHT_WIDTH = 6  # stroke width of an edge or neuron being pointed at
# Classes of data points, if a scene ever colours them: dlbook.palette.CLASS_COLORS, as the figures do

# --- Type ------------------------------------------------------------------------------

FONT = "DejaVu Sans"  # has ŷ, δ, σ, η, ∂, ←, ·, −, subscript digits; installed with manim's deps
TITLE_SIZE = 34
FORMULA_SIZE = 30  # the equation of the current step
LABEL_SIZE = 28  # names of neurons, axis labels
NUMBER_SIZE = 26  # numbers inside neurons and on edges
SMALL_SIZE = 22  # weight labels on edges, table cells

# Scenes use Text (Pango, no TeX) for speed. Anyone adding MathTex must pass this template:
# texlive-latex-extra (standalone.cls, manim's default) is not installed, article is.
TEX_TEMPLATE = TexTemplate(documentclass=r"\documentclass[preview]{article}")

# --- Timing (seconds) ---------------------------------------------------------------------

SHORT = 0.7  # a label appearing, a flash along an edge
MEDIUM = 1.0  # a value travelling from a formula to its place
WRITE = 1.2  # a formula being written
READ = 1.3  # pause at the end of a step so the eye can read it

# --- Text ------------------------------------------------------------------------------

MINUS = "−"  # U+2212: drawn minus signs are the typographic minus, not the hyphen
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def number_text(value: float, *, digits: int = 4) -> str:
    """The exact text a scene draws for ``value``: dlbook's caption format with a real minus."""
    return format_number(value, digits=digits).replace("-", MINUS)


def symbol(name: str) -> str:
    """A name as drawn: trailing index digits become subscripts and ``y_hat`` becomes ŷ.

    >>> symbol("w5"), symbol("y_hat"), symbol("dL/dw1")
    ('w₅', 'ŷ', '∂L/∂w₁')
    """
    if name == "y_hat":
        return "ŷ"
    if name.startswith("dL/d"):
        return "∂L/∂" + symbol(name[4:])
    stem = name.rstrip("0123456789")
    return stem + name[len(stem):].translate(_SUBSCRIPTS)
