"""The 2-2-1 network of dlbook.trace.trace_two_layer, laid out once for ForwardPass and BackwardPass.

Shared code, not a chapter module: it holds the layout, the drawing and the numbers both
scenes share, so each of them only says what happens step by step.
"""

from __future__ import annotations

import numpy as np
from manim import VGroup

from animations.common import style
from animations.common.base import Num, StepScene
from animations.common.objects import Formula, Network, tag
from dlbook.trace import WIRING, NetworkTrace, format_number, trace_two_layer

LAYERS = [["x1", "x2"], ["h1", "h2"], ["y_hat"]]


def forward_keys(t: NetworkTrace) -> list[list[str]]:
    """The keys of the trace's forward captions, one list per unit: h1 (after z1 unless the
    hidden layer is linear), h2 likewise, then ŷ."""
    hidden = [[f"h{j}"] if t.activation == "linear" else [f"z{j}", f"h{j}"] for j in (1, 2)]
    return [*hidden, ["y_hat"]]


def caption(t: NetworkTrace, *keys: str) -> str:
    """One caption of a scene's step: the trace's captions keyed ``keys``, joined."""
    return "; ".join(t.steps_for(*keys))


class TwoLayerScene(StepScene):
    """Draws the 2-2-1 network with its inputs and weights; subclasses animate it.

    Layout knobs (frame units) are class attributes, so a variant can move the network.
    """

    network_center = np.array([0.0, 0.55, 0.0])
    network_width = 9.0
    network_height = 4.0
    radius = 0.6

    @staticmethod
    def trace() -> NetworkTrace:
        return trace_two_layer()  # the lecture's network: x = (2, 3), w1..w6, y = 1, lr = 0.05

    @classmethod
    def intro(cls) -> str:
        """The first step in words: the inputs and the weights, from the trace."""
        t = cls.trace()
        weights = ", ".join(format_number(v) for v in t.weights.values())
        return (f"inputs x1 = {format_number(t.x[0])}, x2 = {format_number(t.x[1])}; "
                f"weights w1..w6 = {weights}; hidden units {t.activation}, output linear")

    @classmethod
    def network_numbers(cls) -> dict[str, float]:
        """The numbers ``build_network`` draws: the inputs and the weights."""
        t = cls.trace()
        return {"x1": t.x[0], "x2": t.x[1], **t.weights}

    def weight_label(self, k: str, value: float, *, key: str | None = None,
                     color: str = style.WEIGHT) -> VGroup:
        """``w₁ = 0.11`` on a background patch, the number recorded under ``key`` (default ``k``)."""
        return tag(self.formula(f"{style.symbol(k)} = ", Num(key or k, value, color=color),
                                font_size=style.SMALL_SIZE))

    def place_weight(self, k: str, mob: VGroup) -> VGroup:
        """Put a weight's label on its edge, on the side away from the other labels."""
        src, dst = WIRING[k]
        crossing = (src, dst) in {("x2", "h1"), ("x1", "h2")}
        at = 0.1 if crossing else 0.5  # the crossing pair: near the inputs, inside the X
        side = 1 if dst == "h1" or src == "h1" else -1
        self.net.edges[k].place(mob, at=at, side=side)
        return mob

    def build_network(self, t: NetworkTrace) -> VGroup:
        """The network with its input values and its weights, ready to fade in (in step 0)."""
        self.net = Network(LAYERS, WIRING, width=self.network_width, height=self.network_height,
                           center=self.network_center, radius=self.radius)
        self.x_values = [self.net.neurons[f"x{i}"].value_spot(self.number(f"x{i}", v))
                         for i, v in enumerate(t.x, 1)]
        self.weights = {k: self.place_weight(k, self.weight_label(k, v)) for k, v in t.weights.items()}
        return VGroup(self.net, *self.x_values, *self.weights.values())

    def hidden_formula(self, t: NetworkTrace, j: int) -> Formula:
        """``h₁ = w₁·x₁ + w₂·x₂ = 0.11·2 + 0.21·3 = 0.85``, with g(·) around it if not linear."""
        a, b = ("w1", "w2") if j == 1 else ("w3", "w4")
        z, h = (t.z1, t.h1) if j == 1 else (t.z2, t.h2)
        w = t.weights
        sum_parts: list[str | Num] = [Num(a, w[a], color=style.WEIGHT, operand=True), "·",
                                      Num("x1", t.x[0], operand=True), " + ",
                                      Num(b, w[b], color=style.WEIGHT, operand=True), "·",
                                      Num("x2", t.x[1], operand=True)]
        name = style.symbol(f"h{j}")
        symbols = f"{style.symbol(a)}·x₁ + {style.symbol(b)}·x₂"
        if t.activation == "linear":
            return self.formula(f"{name} = {symbols} = ", *sum_parts, " = ", Num(f"h{j}", h))
        g = "σ" if t.activation == "sigmoid" else t.activation
        return self.formula(f"{name} = {g}(", *sum_parts, ") = ", f"{g}(", Num(f"z{j}", z), ") = ",
                            Num(f"h{j}", h))

    def output_formula(self, t: NetworkTrace) -> Formula:
        """``ŷ = w₅·h₁ + w₆·h₂ = 0.14·0.85 + 0.15·0.48 = 0.191``."""
        w = t.weights
        return self.formula("ŷ = w₅·h₁ + w₆·h₂ = ", Num("w5", w["w5"], color=style.WEIGHT, operand=True), "·",
                            Num("h1", t.h1, operand=True), " + ",
                            Num("w6", w["w6"], color=style.WEIGHT, operand=True), "·",
                            Num("h2", t.h2, operand=True), " = ", Num("y_hat", t.y_hat))
