"""RNNUnrolled: a recurrent network unrolled over four steps, then its gradient flowing back in time.

The 1-1-1 Elman network of dlbook.rnn_trace.trace_rnn, drawn as a row of copies of the
one cell, each reading x_t and the state h_{t−1} the previous copy left: h_t = tanh(w_xh·x_t
+ w_hh·h_{t−1} + b) with the same weights at every step, then ŷ = w_hy·h_4 and the loss.
Backpropagation through time carries ∂L/∂h_t back along the row, multiplied by
w_hh·(1 − h²) at every step, so the arrows (their width is |∂L/∂h_t|) thin out; the
gradient of the shared w_hh is one term per step, added up. Taught in
docs/architectures/recurrent-networks.py.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    UP,
    Arrow,
    FadeIn,
    FadeOut,
    GrowArrow,
    ShowPassingFlash,
    Text,
    TransformFromCopy,
    VGroup,
    Write,
)

from animations.common import style
from animations.common.base import Num, StepScene
from animations.common.objects import Formula, Neuron, WeightedEdge, tag
from dlbook.rnn_trace import RNNTrace, trace_rnn

CELL_Y = 0.7  # y of the row of cells
INPUT_Y = -1.15  # y of the inputs below them
ROW = (-4.1, 3.5)  # x of the first and the last cell
CELL_RADIUS = 0.72
BACK_OFFSET = 0.3  # the gradient's arrows run this far above the forward ones
LEGEND_SIZE = 24


def caption(t: RNNTrace, *keys: str) -> str:
    """One step's caption: the trace's captions keyed ``keys``, joined."""
    return "; ".join(t.steps_for(*keys))


class RNNUnrolled(StepScene):
    """The forward pass along the unrolled row, then ∂L/∂h_t shrinking on its way back."""

    @staticmethod
    def trace() -> RNNTrace:
        return trace_rnn()  # x = (1, 0.5, 0.5, −1), w_xh = 0.5, w_hh = 0.6, b = 0, w_hy = 2, y = −1

    @classmethod
    def steps(cls) -> list[str]:
        t = cls.trace()
        T = t.num_steps
        middle = [key for s in range(2, T) for key in (f"a{s}", f"h{s}")]  # h_2 .. h_{T−1}
        return [
            caption(t, "a1", "h1"),  # the first copy of the cell
            caption(t, *middle),  # the state carried forward
            caption(t, f"a{T}", f"h{T}", "y_hat"),  # the last step, and the output
            caption(t, "loss", "grad_y_hat", f"grad_h{T}"),  # the loss, the gradient at h_T
            caption(t, *(f"grad_h{s}" for s in range(T - 1, 0, -1))),  # back through time
            t.step("grad_w_hh"),  # the shared weight's gradient, one term per step
        ]

    @classmethod
    def expected_numbers(cls) -> dict[str, float]:
        t = cls.trace()
        T = t.num_steps
        return {
            "w_xh": t.w_xh, "w_hh": t.w_hh, "b": t.b, "w_hy": t.w_hy, "y": t.target, "h0": t.h0,
            **{f"x{s}": v for s, v in enumerate(t.x, 1)},
            **{f"a{s}": v for s, v in enumerate(t.a, 1)},
            **{f"h{s}": v for s, v in enumerate(t.h, 1)},
            "y_hat": t.y_hat, "loss": t.loss, "grad_y_hat": t.grad_y_hat,
            **{f"grad_h{s}": v for s, v in enumerate(t.grad_h, 1)},
            **{f"local{s}": t.local[s - 1] for s in range(2, T + 1)},  # 1 − h_s², on the way back
            **{f"grad_w_hh_step{s}": v for s, v in enumerate(t.grad_w_hh_terms, 1)},
            "grad_w_hh": t.grad_w_hh,
        }

    # --- Drawing ------------------------------------------------------------------------------

    def build(self, t: RNNTrace) -> VGroup:
        """The unrolled row: h_0, one cell per step with its input below, and ŷ at the end."""
        T = t.num_steps
        xs = np.linspace(*ROW, T)
        self.cells = [Neuron(f"h{s}", radius=CELL_RADIUS).move_to(np.array([x, CELL_Y, 0.0]))
                      for s, x in enumerate(xs, 1)]
        self.start = Neuron("h0", radius=0.4).move_to(np.array([-6.35, CELL_Y, 0.0]))
        self.output = Neuron("y_hat", radius=CELL_RADIUS).move_to(np.array([6.1, CELL_Y, 0.0]))
        self.inputs = [Neuron(f"x{s}", radius=0.38, name_side=LEFT).move_to(np.array([x, INPUT_Y, 0.0]))
                       for s, x in enumerate(xs, 1)]
        for neuron in (*self.cells, self.start, self.output, *self.inputs):  # the circle at x, not the group
            neuron.shift(neuron.get_center() - neuron.circle.get_center())
        chain = [self.start, *self.cells, self.output]
        self.forward = [WeightedEdge(a, b) for a, b in zip(chain[:-1], chain[1:], strict=True)]  # into h_1..ŷ
        self.reads = [WeightedEdge(x, cell) for x, cell in zip(self.inputs, self.cells, strict=True)]
        values = [self.number("h0", t.h0, font_size=style.SMALL_SIZE),
                  *(self.number(f"x{s}", v, font_size=style.SMALL_SIZE) for s, v in enumerate(t.x, 1))]
        for neuron, value in zip([self.start, *self.inputs], values, strict=True):
            neuron.value_spot(value)
        return VGroup(*self.forward, *self.reads, *chain, *self.inputs, *values)

    def legend(self, t: RNNTrace) -> VGroup:
        """The rule every copy of the cell follows, and the weights they share, at the top."""
        T = t.num_steps
        rule = self.formula(f"hₜ = tanh(w_xh·xₜ + w_hh·hₜ₋₁ + b),   ŷ = w_hy·{style.symbol(f'h{T}')},   "
                            "target y = ", Num("y", t.target, color=style.TARGET), font_size=LEGEND_SIZE + 2)
        weights = self.formula("the same weights at every step:  w_xh = ",
                               Num("w_xh", t.w_xh, color=style.WEIGHT),
                               ",  w_hh = ", Num("w_hh", t.w_hh, color=style.WEIGHT),
                               ",  b = ", Num("b", t.b, color=style.WEIGHT),
                               ",  w_hy = ", Num("w_hy", t.w_hy, color=style.WEIGHT),
                               font_size=LEGEND_SIZE, color=style.MUTED)
        return VGroup(rule, weights).arrange(DOWN, buff=0.18).to_edge(UP, buff=0.35)

    def back_arrow(self, t: RNNTrace, s: int) -> Arrow:
        """The gradient's arrow into cell s (from cell s + 1, or from ŷ), as wide as |∂L/∂h_s|."""
        src, dst = self.output if s == t.num_steps else self.cells[s], self.cells[s - 1]

        def chord(n: Neuron, side: float) -> np.ndarray:  # where the line y = CELL_Y + BACK_OFFSET meets n
            return n.circle.get_center() + np.array([side * math.sqrt(n.radius**2 - BACK_OFFSET**2),
                                                     BACK_OFFSET, 0.0])

        share = abs(t.grad_h[s - 1]) / max(abs(g) for g in t.grad_h)  # 1 for the largest gradient
        return Arrow(chord(src, -1.0), chord(dst, 1.0), buff=0.0,
                     color=style.GRADIENT, stroke_width=1.5 + 10 * share, tip_length=0.12 + 0.14 * share,
                     max_tip_length_to_length_ratio=0.5, max_stroke_width_to_length_ratio=40)

    def gradient_tag(self, t: RNNTrace, s: int) -> VGroup:
        """The value of ∂L/∂h_s above cell s, in the row that ``gradient_row`` names."""
        value = self.number(f"grad_h{s}", t.grad_h[s - 1], color=style.GRADIENT, font_size=style.SMALL_SIZE)
        return tag(value).next_to(self.cells[s - 1].title, UP, buff=0.15)

    def gradient_row(self, first: VGroup) -> Text:
        """The row's name, ∂L/∂hₜ, above h₀ and level with the gradient ``first`` drawn in it."""
        name = Text("∂L/∂hₜ", font=style.FONT, font_size=style.SMALL_SIZE, color=style.GRADIENT)
        return name.move_to(np.array([self.start.circle.get_center()[0], first.get_center()[1], 0.0]))

    def flash(self, edge: WeightedEdge) -> ShowPassingFlash:
        """A pulse of value running along a forward edge."""
        return ShowPassingFlash(edge.arrow.copy().set_stroke(style.VALUE, width=style.HIGHLIGHT_WIDTH),
                                time_width=0.6)

    def step_forward(self, t: RNNTrace, s: int, line: Formula) -> None:
        """h_{s−1} and x_s run into cell s, and h_s flies from the formula into it."""
        value = self.cells[s - 1].value_spot(self.number(f"h{s}", t.h[s - 1]))
        self.play(self.flash(self.forward[s - 1]), self.flash(self.reads[s - 1]),
                  TransformFromCopy(line.slots[f"h{s}"], value), run_time=style.MEDIUM)

    def cell_formula(self, t: RNNTrace, s: int) -> Formula:
        """``h₂ = tanh(0.5·0.5 + 0.6·0.4621 + 0) = tanh(0.5273) = 0.4833``."""
        prev = t.h_prev[s - 1]
        prev_num = Num("h0" if s == 1 else f"h{s - 1}", prev, operand=True)
        return self.formula(f"{style.symbol(f'h{s}')} = tanh(", Num("w_xh", t.w_xh, color=style.WEIGHT), "·",
                            Num(f"x{s}", t.x[s - 1], operand=True), " + ",
                            Num("w_hh", t.w_hh, color=style.WEIGHT), "·", prev_num, " + ",
                            Num("b", t.b, color=style.WEIGHT, operand=True), ") = tanh(",
                            Num(f"a{s}", t.a[s - 1]), ") = ", Num(f"h{s}", t.h[s - 1]),
                            font_size=style.FORMULA_SIZE - 4)

    def construct(self) -> None:
        t = self.trace()
        T = t.num_steps
        size = style.FORMULA_SIZE - 4

        # Step 0: one cell copied along the sequence; the first copy reads x_1 and h_0 = 0
        self.begin_step(0)
        self.play(FadeIn(self.build(t)), FadeIn(self.legend(t)), run_time=style.SHORT)
        first = self.cell_formula(t, 1)
        self.show_formula(first)
        self.step_forward(t, 1, first)
        self.wait(style.READ)

        # Step 1: the state is carried forward, each copy reading the last one's h
        self.begin_step(1)
        lines = [self.cell_formula(t, s) for s in range(2, T)]
        self.show_formula(*lines)
        for s, line in enumerate(lines, 2):
            self.step_forward(t, s, line)
        self.wait(style.READ)

        # Step 2: the last input, and the output read from the last state
        self.begin_step(2)
        last = self.cell_formula(t, T)
        output = self.formula(f"ŷ = w_hy·{style.symbol(f'h{T}')} = ", Num("w_hy", t.w_hy, color=style.WEIGHT),
                              "·", Num(f"h{T}", t.h[-1], operand=True), " = ", Num("y_hat", t.y_hat),
                              font_size=size)
        self.show_formula(last, output)
        self.step_forward(t, T, last)
        y_hat = self.output.value_spot(self.number("y_hat", t.y_hat))
        self.play(self.flash(self.forward[T]), TransformFromCopy(output.slots["y_hat"], y_hat),
                  run_time=style.MEDIUM)
        self.wait(style.READ)

        # Step 3: the loss, and its gradient at the last state, ∂L/∂h_T = (ŷ − y)·w_hy
        self.begin_step(3)
        loss = self.formula("L = ½·(ŷ − y)² = ½·(", Num("y_hat", t.y_hat), " − ",
                            Num("y", t.target, color=style.TARGET, operand=True), ")² = ",
                            Num("loss", t.loss, color=style.TARGET), font_size=size)
        into_last = self.formula(f"{style.symbol(f'dL/dh{T}')} = (ŷ − y)·w_hy = ",
                                 Num("grad_y_hat", t.grad_y_hat, color=style.GRADIENT, operand=True), "·",
                                 Num("w_hy", t.w_hy, color=style.WEIGHT, operand=True), " = ",
                                 Num(f"grad_h{T}", t.grad_h[-1], color=style.GRADIENT), font_size=size)
        self.show_formula(loss, into_last)
        loss_tag = tag(self.formula("L = ", Num("loss", t.loss, color=style.TARGET),
                                    font_size=style.SMALL_SIZE))
        self.output.beside(loss_tag, DOWN, buff=0.2)
        self.play(TransformFromCopy(loss.slots["loss"], loss_tag), run_time=style.SHORT)
        arrow, grad = self.back_arrow(t, T), self.gradient_tag(t, T)
        self.play(GrowArrow(arrow), FadeIn(grad, shift=0.2 * UP), FadeIn(self.gradient_row(grad)),
                  run_time=style.MEDIUM)
        self.wait(style.READ)

        # Step 4: back through time, ∂L/∂h_t = ∂L/∂h_{t+1}·w_hh·(1 − h_{t+1}²), thinner at every step
        self.begin_step(4)
        rule = self.formula("∂L/∂hₜ = ∂L/∂hₜ₊₁·w_hh·(1 − hₜ₊₁²)", font_size=size, color=style.MUTED)
        shown: Formula | None = None
        for s in range(T - 1, 0, -1):
            line = self.formula(f"{style.symbol(f'dL/dh{s}')} = ",
                                Num(f"grad_h{s + 1}", t.grad_h[s], color=style.GRADIENT, operand=True), "·",
                                Num("w_hh", t.w_hh, color=style.WEIGHT, operand=True), "·",
                                Num(f"local{s + 1}", t.local[s], operand=True), " = ",
                                Num(f"grad_h{s}", t.grad_h[s - 1], color=style.GRADIENT), font_size=size)
            if shown is None:
                self.show_formula(rule, line)
            else:  # the rule stays, the line below it changes
                line.move_to(shown, aligned_edge=LEFT)
                self.play(FadeOut(shown), Write(line), run_time=style.SHORT)
                self._formula = VGroup(rule, line)
            shown = line
            grad = self.gradient_tag(t, s)
            self.add(grad[0])  # the patch first, so only the number flies
            self.play(GrowArrow(self.back_arrow(t, s)), TransformFromCopy(line.slots[f"grad_h{s}"], grad[1]),
                      run_time=style.MEDIUM)
            self.wait(style.READ / 2)
        self.wait(style.READ / 2)

        # Step 5: w_hh is used at every step, so its gradient is a sum, one term per step
        self.begin_step(5)
        terms: list[str | Num] = []
        for s, v in enumerate(t.grad_w_hh_terms, 1):
            terms += [" + "] if s > 1 else []
            terms.append(Num(f"grad_w_hh_step{s}", v, color=style.GRADIENT, operand=True))
        general = self.formula("∂L/∂w_hh = Σₜ ∂L/∂hₜ·(1 − hₜ²)·hₜ₋₁", font_size=size, color=style.MUTED)
        total = self.formula("∂L/∂w_hh = ", *terms, " = ",
                             Num("grad_w_hh", t.grad_w_hh, color=style.GRADIENT), font_size=size)
        self.show_formula(general, total)
        parts = [tag(self.number(f"grad_w_hh_step{s}", v, color=style.GRADIENT, font_size=style.SMALL_SIZE))
                 for s, v in enumerate(t.grad_w_hh_terms, 1)]
        for edge, part in zip(self.forward[:T], parts, strict=True):  # under the edge where w_hh is used
            edge.place(part, side=-1, buff=0.12)
        self.play(*(TransformFromCopy(total.slots[f"grad_w_hh_step{s}"], part)
                    for s, part in enumerate(parts, 1)), run_time=style.MEDIUM)
        self.wait(2 * style.READ)
