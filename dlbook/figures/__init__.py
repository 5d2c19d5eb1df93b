"""The book's frozen trained figures, read-only: show one on a page, or load what it saved.

>>> from dlbook.figures import show, load_manifest
>>> show("perceptron-separable")                       # the image and how it was made
>>> load_manifest("perceptron-separable")["metrics"]   # the numbers it reached

Figures are made by the book's build (``dlbook-build figures``), never by this package;
see :mod:`dlbook.figures.store` for where they are read from (a checkout, or the
published book for a downloaded notebook).
"""

from dlbook.figures.display import explore, show
from dlbook.figures.store import (
    figure_file,
    figures_root,
    load_checkpoint,
    load_data,
    load_manifest,
    read_manifest,
    use_published,
)

__all__ = [
    "explore",
    "figure_file",
    "figures_root",
    "load_checkpoint",
    "load_data",
    "load_manifest",
    "read_manifest",
    "show",
    "use_published",
]
