"""Manim scenes of dlbook, drawn from dlbook's own traces; see animations/README.md.

One module per chapter, named for it (``animations/backpropagation.py`` holds the scenes
of ``docs/training/backpropagation.py``); shared code lives in ``animations/common/``.
"""
