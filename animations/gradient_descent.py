"""GradientDescentStep: a point walks down a loss curve, each step η·f′(x) long.

The walk of dlbook.trace.trace_parabola_descent on f(x) = x²: at each point the slope
appears as a tangent, the step η·f′(x) as an arrow against it, and the point drops onto
the curve where the arrow ends. The steps shrink as the slope flattens, with η fixed.
Taught in docs/foundations/mathematical-foundations.py (a first look at gradient descent).
"""

from __future__ import annotations

import numpy as np
from manim import (
    RIGHT,
    UP,
    Arrow,
    Axes,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    Line,
    VGroup,
)

from animations.common import style
from animations.common.base import Num, StepScene
from animations.common.objects import label, tag
from dlbook.trace import GradientDescentTrace, parabola, trace_parabola_descent


class GradientDescentStep(StepScene):
    """Steps of x ← x − η·f′(x) on a parabola, the step size shown as η × slope."""

    @staticmethod
    def trace() -> GradientDescentTrace:
        return trace_parabola_descent()

    @classmethod
    def steps(cls) -> list[str]:
        t = cls.trace()
        landings = [f"x{k}" for k in range(1, len(t.points))]  # each move's caption, keyed by where it lands
        return t.steps_for(*landings)

    @classmethod
    def expected_numbers(cls) -> dict[str, float]:
        t = cls.trace()
        numbers: dict[str, float] = {"lr": t.lr, f"x{len(t.points) - 1}": t.points[-1].x}  # the last landing
        for k, p in enumerate(t.points[:-1]):  # each move starts at x_k
            numbers |= {f"x{k}": p.x, f"f{k}": p.fx, f"slope{k}": p.slope, f"step{k}": p.step}
        return numbers

    def construct(self) -> None:
        t = self.trace()
        points = t.points
        reach = 1.12 * max(abs(p.x) for p in points)  # the x-range holds the walk, with a margin
        side = 1.0 if points[0].x >= 0 else -1.0  # the side of the minimum the walk starts on
        low, high = sorted((-0.3 * reach * side, reach * side))  # the minimum and a bit of the far side

        # The loss curve f and the point at x0
        top = max(parabola(low), parabola(high))
        axes = Axes(x_range=[low, high, high - low], y_range=[0.0, top, top],
                    x_length=9.0, y_length=4.4, tips=False,
                    axis_config={"color": style.MUTED, "stroke_width": 2, "include_ticks": False})
        axes.move_to(0.75 * UP)
        curve = axes.plot(parabola, color=style.MUTED, stroke_width=3)
        names = VGroup(label("x", font_size=style.SMALL_SIZE).next_to(axes.x_axis, RIGHT, buff=0.15),
                       label("f(x) = x²", font_size=style.SMALL_SIZE).next_to(axes.y_axis, UP, buff=0.12))
        dot = Dot(axes.c2p(points[0].x, points[0].fx), color=style.VALUE, radius=0.09)

        for k, (p, nxt) in enumerate(zip(points[:-1], points[1:], strict=True)):
            # Step k: the slope at x_k, the step η·f′(x_k) against it, the point lands at x_{k+1}
            self.begin_step(k)
            if k == 0:
                self.play(Create(axes), Create(curve), FadeIn(names), FadeIn(dot), run_time=style.SHORT)
            x, x_next = style.symbol(f"x{k}"), style.symbol(f"x{k + 1}")
            size = style.FORMULA_SIZE - 4
            slope = self.formula(f"{x} = ", Num(f"x{k}", p.x), f",  f({x}) = ", Num(f"f{k}", p.fx),
                                 f",  f′({x}) = 2·{x} = ", Num(f"slope{k}", p.slope, color=style.GRADIENT),
                                 font_size=size)
            step = self.formula("step = η·f′ = ", Num("lr", t.lr, color=style.WEIGHT), "·",
                                Num(f"slope{k}", p.slope, color=style.GRADIENT, operand=True), " = ",
                                Num(f"step{k}", p.step), f",  {x_next} = ", Num(f"x{k}", p.x), " − ",
                                Num(f"step{k}", p.step, operand=True), " = ", Num(f"x{k + 1}", nxt.x),
                                font_size=size)
            self.show_formula(slope, step)
            direction = axes.c2p(p.x + 1.0, p.fx + p.slope) - axes.c2p(p.x, p.fx)  # the tangent, drawn
            reach_out = 0.9 * direction / float(np.linalg.norm(direction))  # 0.9 units either side
            tangent = Line(dot.get_center() - reach_out, dot.get_center() + reach_out, color=style.GRADIENT,
                           stroke_width=4)
            self.play(Create(tangent), run_time=style.SHORT)
            arrow = Arrow(axes.c2p(p.x, p.fx), axes.c2p(nxt.x, p.fx), buff=0.0, color=style.VALUE,
                          stroke_width=4, tip_length=0.16, max_tip_length_to_length_ratio=0.4)
            step_size = tag(self.number(f"step{k}", p.step)).next_to(arrow, UP, buff=0.1)
            self.play(GrowArrow(arrow), FadeIn(step_size), run_time=style.SHORT)
            self.play(dot.animate.move_to(axes.c2p(nxt.x, nxt.fx)), FadeOut(tangent), run_time=style.SHORT)
            self.play(arrow.animate.set_opacity(0.35), FadeOut(step_size), run_time=style.SHORT / 2)
            self.wait(style.READ)
