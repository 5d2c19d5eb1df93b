"""Manim scenes of dlbook, drawn from dlbook's own traces; see animations/README.md.

Infrastructure: ``base`` (StepScene, the contract with the render pipeline), ``style``
(palette, font, sizes), ``objects`` (neurons, edges, formulas, networks). Every other
module whose name does not start with ``_`` holds scenes.
"""
