"""The book's trained figures: a registry of experiments, a pipeline that freezes them with
a manifest of how they were made, and :func:`show` to put one on a page.

Made with ``dlbook figures``; see docs and ``dlbook/figures/pipeline.py`` for the layout.
"""

from dlbook.figures.registry import Context, FigureResult, FigureSpec, all_figures, register
from dlbook.figures.show import explore, show

__all__ = ["Context", "FigureResult", "FigureSpec", "all_figures", "explore", "register", "show"]
