"""dlbook-build: the machinery that turns the repository into the book's site.

Readers never need it (they ``pip install dlbook``); ``make`` installs it beside the
library. Its steps (:mod:`dlbook_build.book`) are each a command (``dlbook-build``) and
are called by the thin MkDocs plugin (:mod:`dlbook_build.plugin`):

- :mod:`~dlbook_build.deps`, :mod:`~dlbook_build.cache`, :mod:`~dlbook_build.execute`:
  chapters keyed by the code they import, executed in a kernel, cached;
- :mod:`~dlbook_build.figures`: the registry and pipeline of trained figures;
- :mod:`~dlbook_build.animations`, :mod:`~dlbook_build.render_scene`: Manim scenes;
- :mod:`~dlbook_build.project`, :mod:`~dlbook_build.scaffold`: the book's layout, new chapters.
"""
