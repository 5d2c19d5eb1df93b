"""Shared scene code: ``base`` (StepScene, the contract with the render pipeline), ``style``
(palette, font, sizes), ``objects`` (neurons, edges, formulas, networks) and
``two_layer`` (the 2-2-1 network that the forward and backward scenes share)."""
