"""The book's trained-figure experiments, one module per chapter: ``experiments/<part>/<chapter>.py``.

Each module registers the figures its chapter shows (``dlbook_build.figures.register``)
and trains them with ``dlbook``; ``dlbook-build figures`` makes and freezes them. Pages
never import from here: what a page needs lives in the library, with a test.
"""
