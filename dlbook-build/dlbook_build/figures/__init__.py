"""The book's trained figures: a registry of experiments (``experiments/<part>/<chapter>.py``)
and a pipeline that trains them and freezes each with a manifest of how it was made.

Reading a frozen figure is the library's job (:mod:`dlbook.figures`); making one is this one's.
"""

from dlbook_build.figures.registry import Context, FigureResult, FigureSpec, all_figures, register

__all__ = ["Context", "FigureResult", "FigureSpec", "all_figures", "register"]
