"""PerceptronForward: one neuron computes z = w0 + w1·x1 + w2·x2, then ŷ = σ(z).

The lecture's neuron (the defaults of dlbook.trace.trace_perceptron): the two products
appear on their edges, gather in the sum to z, and the sigmoid squashes z to ŷ, shown
as a point on the sigmoid's own curve. Taught in docs/neurons/perceptron.py.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Axes,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    TransformFromCopy,
    VGroup,
)

from animations.common import style
from animations.common.base import Num, StepScene
from animations.common.objects import Neuron, WeightedEdge, label, tag
from dlbook.autograd import Value, get_value_activation
from dlbook.trace import PerceptronTrace, trace_perceptron


class PerceptronForward(StepScene):
    """The forward pass of one sigmoid neuron, one product at a time."""

    @staticmethod
    def trace() -> PerceptronTrace:
        return trace_perceptron()

    @classmethod
    def steps(cls) -> list[str]:
        t = cls.trace()
        products = [f"product{i}" for i in range(1, len(t.w) + 1)]
        return t.steps_for(*products, "z", "y_hat")  # w1·x1, w2·x2, z, ŷ: one caption per step

    @classmethod
    def expected_numbers(cls) -> dict[str, float]:
        t = cls.trace()
        inputs = {f"x{i}": v for i, v in enumerate(t.x, 1)}
        weights = {f"w{i}": v for i, v in enumerate(t.w, 1)}
        products = {f"product{i}": v for i, v in enumerate(t.products, 1)}
        return {**inputs, "w0": t.w0, **weights, **products, "z": t.z, "y_hat": t.y_hat}

    def construct(self) -> None:
        t = self.trace()
        d = len(t.w)

        # The neuron: inputs with their values, weighted edges into a sum, then g
        inputs = [Neuron(f"x{i}", name_side=LEFT) for i in range(1, d + 1)]
        VGroup(*inputs).arrange(DOWN, buff=1.6).move_to(np.array([-5.0, 0.0, 0.0]))
        total = Neuron("z", name_side=UP + RIGHT)
        total.shift(np.array([-1.0, 0.0, 0.0]) - total.circle.get_center())
        out = Neuron("y_hat", name_side=RIGHT)
        out.shift(np.array([1.6, 0.0, 0.0]) - out.circle.get_center())
        edges = [WeightedEdge(x, total) for x in inputs]
        to_out = WeightedEdge(total, out)
        g_text = "σ" if t.activation == "sigmoid" else t.activation  # the name of g as drawn
        g_name = label(g_text, color=style.INK)
        to_out.place(g_name, side=1)
        bias_arrow = Arrow(total.circle.get_top() + 1.4 * UP, total.circle.get_top(), buff=0.0,
                           color=style.MUTED, stroke_width=3, tip_length=0.18)
        bias = tag(self.formula("w₀ = ", Num("w0", t.w0, color=style.WEIGHT), font_size=style.SMALL_SIZE))
        bias.next_to(bias_arrow, UP, buff=0.08)
        x_values = [n.value_spot(self.number(n.key, v)) for n, v in zip(inputs, t.x, strict=True)]
        weights = [tag(self.formula(f"{style.symbol(f'w{i}')} = ", Num(f"w{i}", w, color=style.WEIGHT),
                                    font_size=style.SMALL_SIZE)) for i, w in enumerate(t.w, 1)]
        for i, (edge, w) in enumerate(zip(edges, weights, strict=True)):
            edge.place(w, at=0.45, side=1 if i < d / 2 else -1)

        # The sigmoid's own curve, drawn by the activation the trace used
        g = get_value_activation(t.activation)
        reach = abs(t.z) + 2.0  # the z-range shows the traced z with room to spare
        axes = Axes(x_range=[-reach, reach, reach], y_range=[0.0, 1.0, 1.0], x_length=3.4, y_length=2.4,
                    tips=False, axis_config={"color": style.MUTED, "stroke_width": 2})
        axes.move_to(np.array([5.0, 0.0, 0.0]))
        curve = axes.plot(lambda z: g(Value(z)).data, color=style.VALUE, stroke_width=3)
        axis_names = VGroup(label("z", font_size=style.SMALL_SIZE).next_to(axes.x_axis, DOWN, buff=0.1),
                            label(f"{g_text}(z)", font_size=style.SMALL_SIZE).next_to(axes, UP, buff=0.1))

        # Step 0: the first input times its weight
        self.begin_step(0)
        self.play(FadeIn(VGroup(*inputs, total, out, *edges, to_out, g_name, bias_arrow, bias, *weights,
                                *x_values)), run_time=style.SHORT)
        products = []
        for i in range(d):
            # Step i: w_i·x_i appears in the formula, then on its edge
            if i > 0:
                self.begin_step(i)
            w, x, p = f"w{i + 1}", f"x{i + 1}", f"product{i + 1}"
            formula = self.formula(f"{style.symbol(w)}·{style.symbol(x)} = ",
                                   Num(w, t.w[i], color=style.WEIGHT, operand=True), "·",
                                   Num(x, t.x[i], operand=True), " = ", Num(p, t.products[i]))
            self.show_formula(formula)
            product = tag(self.number(p, t.products[i], font_size=style.SMALL_SIZE))
            edges[i].place(product, at=0.45, side=-1 if i < d / 2 else 1)
            self.add(product[0])  # the patch first, so only the number flies
            self.play(TransformFromCopy(formula.slots[p], product[1]), run_time=style.MEDIUM)
            products.append(product)
            self.wait(style.READ)

        # Step d: the bias and the products gather in the sum z
        self.begin_step(d)
        terms = " + ".join(f"{style.symbol(f'w{i}')}·{style.symbol(f'x{i}')}" for i in range(1, d + 1))
        parts: list[str | Num] = [f"z = w₀ + {terms} = ", Num("w0", t.w0, color=style.WEIGHT)]
        for i, p in enumerate(t.products, 1):
            parts += [" + ", Num(f"product{i}", p, operand=True)]
        self.show_formula(self.formula(*parts, " = ", Num("z", t.z)))
        z_value = total.value_spot(self.number("z", t.z))
        self.play(*(p.animate.move_to(z_value).set_opacity(0) for p in products),
                  TransformFromCopy(bias[1].slots["w0"], z_value), run_time=style.MEDIUM)
        self.remove(*products)
        self.wait(style.READ)

        # Step d + 1: the sigmoid squashes z into ŷ, read off its curve
        self.begin_step(d + 1)
        self.show_formula(self.formula(f"ŷ = {g_text}(z) = {g_text}(", Num("z", t.z), ") = ",
                                       Num("y_hat", t.y_hat)))
        self.play(Create(axes), Create(curve), FadeIn(axis_names), run_time=style.MEDIUM)
        point = axes.c2p(t.z, t.y_hat)
        dot = Dot(point, color=style.VALUE, radius=0.07)
        drop = DashedLine(axes.c2p(t.z, 0.0), point, color=style.MUTED, stroke_width=2)
        y_value = out.value_spot(self.number("y_hat", t.y_hat))
        self.play(TransformFromCopy(z_value, dot), Create(drop), run_time=style.SHORT)
        self.play(TransformFromCopy(dot, y_value), run_time=style.MEDIUM)
        self.wait(style.READ)
