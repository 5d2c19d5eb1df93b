"""AttentionStep: one query reads three keys, softmax turns the scores into weights, and the
output is the weighted sum of the values.

The three tokens of dlbook.attention_trace.trace_attention, seen from the last one: its query
q₃ is compared with every key by a scaled dot product, s₃ⱼ = q₃·kⱼ/√d_k, the softmax of the
three scores gives the weights α₃ⱼ (drawn as bars), and the output o₃ = Σⱼ α₃ⱼ vⱼ mixes the
values in those proportions. Every number is read from the trace, by key. Taught in
docs/architectures/attention-and-transformers.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    GrowFromEdge,
    Indicate,
    Rectangle,
    SurroundingRectangle,
    Text,
    TransformFromCopy,
    VGroup,
)

from animations.common import style
from animations.common.base import Num, StepScene
from animations.common.objects import Formula
from dlbook.attention_trace import AttentionTrace, trace_attention

HEADER_Y = 2.35  # y of the column names
ROW_Y = (1.45, 0.55, -0.35)  # y of the rows j = 1, 2, 3
COLUMNS = {"key": -3.1, "score": -0.75, "weight": 1.35, "value": 5.0}  # x of each column's centre
QUERY_X = -5.85  # x of the query, left of the table
BAR_MAX = 2.3  # width of a bar of weight 1
BAR_HEIGHT = 0.36
OUTPUT_Y = -1.35  # y of the output, under the values
SIZE = style.NUMBER_SIZE - 2


def caption(t: AttentionTrace, *keys: str) -> str:
    """One step's caption: the trace's captions keyed ``keys``, joined."""
    return "; ".join(t.steps_for(*keys))


class AttentionStep(StepScene):
    """Scores from a query and three keys, softmax into weights, the weighted sum of the values."""

    query = 3  # which token's query is drawn, 1-based

    @staticmethod
    def trace() -> AttentionTrace:
        return trace_attention()  # tokens (1, 0), (0, 1), (1, 1); W_Q swaps, W_K doubles the 2nd feature

    @classmethod
    def steps(cls) -> list[str]:
        t, i = cls.trace(), cls.query
        n = t.num_tokens
        return [
            caption(t, f"q{i}", *(f"k{j}" for j in range(1, n + 1)), *(f"v{j}" for j in range(1, n + 1))),
            caption(t, *(f"score{i}_{j}" for j in range(1, n + 1))),  # one dot product per key
            t.step(f"weights{i}"),  # the softmax
            t.step(f"out{i}"),  # the weighted sum of the values
        ]

    @classmethod
    def expected_numbers(cls) -> dict[str, float]:
        t, i = cls.trace(), cls.query

        def components(name: str, row: Sequence[float]) -> dict[str, float]:
            return {f"{name}_{c}": v for c, v in enumerate(row, 1)}

        n = t.num_tokens
        return {
            **components(f"q{i}", t.Q[i - 1]),
            **{key: v for j in range(1, n + 1) for key, v in components(f"k{j}", t.K[j - 1]).items()},
            **{key: v for j in range(1, n + 1) for key, v in components(f"v{j}", t.V[j - 1]).items()},
            "scale": t.scale, "d_k": t.d_k,
            **{f"score{i}_{j}": t.scores[i - 1][j - 1] for j in range(1, n + 1)},
            **{f"weight{i}_{j}": t.weights[i - 1][j - 1] for j in range(1, n + 1)},
            **components(f"out{i}", t.output[i - 1]),
        }

    # --- Drawing ------------------------------------------------------------------------------

    def vector(self, name: str, row: Sequence[float], *, color: str = style.VALUE, operand: bool = False,
               font_size: float = SIZE) -> Formula:
        """``(1, 2)``: a row vector whose components are keyed ``{name}_1``, ``{name}_2``, ..."""
        parts: list[str | Num] = ["("]
        for c, v in enumerate(row, 1):
            parts += [", "] if c > 1 else []
            parts.append(Num(f"{name}_{c}", v, color=color, operand=operand))
        return self.formula(*parts, ")", font_size=font_size)

    def table(self, t: AttentionTrace) -> VGroup:
        """The query on the left, the column names, and each row's key and value."""
        n, i = t.num_tokens, self.query
        names = {"key": "key kⱼ", "score": f"score s{style.symbol(str(i))}ⱼ",
                 "weight": f"weight α{style.symbol(str(i))}ⱼ", "value": "value vⱼ"}
        headers = VGroup(*(Text(text, font=style.FONT, font_size=style.SMALL_SIZE, color=style.MUTED)
                           .move_to(np.array([COLUMNS[col], HEADER_Y, 0.0])) for col, text in names.items()))
        self.keys = [self.vector(f"k{j}", t.K[j - 1], color=style.WEIGHT).move_to(
            np.array([COLUMNS["key"], ROW_Y[j - 1], 0.0])) for j in range(1, n + 1)]
        self.values = [self.vector(f"v{j}", t.V[j - 1]).move_to(
            np.array([COLUMNS["value"], ROW_Y[j - 1], 0.0])) for j in range(1, n + 1)]
        row_names = VGroup(*(Text(f"j = {j}", font=style.FONT, font_size=style.SMALL_SIZE, color=style.MUTED)
                             .next_to(self.keys[j - 1], LEFT, buff=0.35) for j in range(1, n + 1)))
        self.query_vec = self.vector(f"q{i}", t.Q[i - 1], color=style.TARGET).move_to(
            np.array([QUERY_X, ROW_Y[1], 0.0]))
        query_name = Text(f"query q{style.symbol(str(i))}", font=style.FONT, font_size=style.SMALL_SIZE,
                          color=style.MUTED).next_to(self.query_vec, UP, buff=0.25)
        self.query_box = SurroundingRectangle(self.query_vec, color=style.TARGET, buff=0.15)
        return VGroup(headers, row_names, *self.keys, *self.values, self.query_vec, query_name,
                      self.query_box)

    def bar(self, weight: float, j: int) -> Rectangle:
        """A bar as long as the weight, its left end on the weight column's left edge."""
        left = COLUMNS["weight"] - BAR_MAX / 2
        bar = Rectangle(width=max(weight * BAR_MAX, 0.02), height=BAR_HEIGHT, stroke_width=0,
                        fill_color=style.VALUE, fill_opacity=0.45)
        return bar.move_to(np.array([left + bar.width / 2, ROW_Y[j - 1], 0.0]))

    def score_formula(self, t: AttentionTrace, j: int) -> Formula:
        """``s₃₂ = q₃·k₂/√2 = (1·0 + 1·2)/1.414 = 1.414``."""
        i = self.query
        parts: list[str | Num] = [f"s{style.symbol(str(i))}{style.symbol(str(j))} = "
                                  f"q{style.symbol(str(i))}·k{style.symbol(str(j))}/√",
                                  Num("d_k", t.d_k, color=style.MUTED), " = ("]
        for c, (q, k) in enumerate(zip(t.Q[i - 1], t.K[j - 1], strict=True), 1):
            parts += [" + "] if c > 1 else []
            parts += [Num(f"q{i}_{c}", q, color=style.TARGET, operand=True), "·",
                      Num(f"k{j}_{c}", k, color=style.WEIGHT, operand=True)]
        parts += [")/", Num("scale", t.scale, color=style.MUTED), " = ",
                  Num(f"score{i}_{j}", t.scores[i - 1][j - 1])]
        return self.formula(*parts, font_size=style.FORMULA_SIZE - 4)

    def construct(self) -> None:
        t, i = self.trace(), self.query
        n = t.num_tokens
        size = style.FORMULA_SIZE - 4

        # Step 0: the query of token i, and the key and value of every token
        self.begin_step(0)
        self.play(FadeIn(self.table(t)), run_time=style.SHORT)
        self.show_formula(self.formula("s = q·k/√d_k,   α = softmax(s),   o = Σⱼ αⱼ vⱼ", font_size=size,
                                       color=style.MUTED))
        self.wait(style.READ)

        # Step 1: one scaled dot product per key
        self.begin_step(1)
        scores = []
        for j in range(1, n + 1):
            line = self.score_formula(t, j)
            self.show_formula(line)
            score = self.number(f"score{i}_{j}", t.scores[i - 1][j - 1], font_size=SIZE).move_to(
                np.array([COLUMNS["score"], ROW_Y[j - 1], 0.0]))
            self.play(Indicate(self.keys[j - 1], color=style.WEIGHT, scale_factor=1.1),
                      TransformFromCopy(line.slots[f"score{i}_{j}"], score), run_time=style.MEDIUM)
            scores.append(score)
            self.wait(style.READ / 3)

        # Step 2: the softmax turns the scores into weights that sum to 1
        self.begin_step(2)
        parts: list[str | Num] = [f"α{style.symbol(str(i))} = softmax("]
        for j in range(1, n + 1):
            parts += [", "] if j > 1 else []
            parts.append(Num(f"score{i}_{j}", t.scores[i - 1][j - 1], operand=True))
        parts.append(") = (")
        for j in range(1, n + 1):
            parts += [", "] if j > 1 else []
            parts.append(Num(f"weight{i}_{j}", t.weights[i - 1][j - 1], color=style.UPDATE))
        softmax = self.formula(*parts, ")", font_size=size)
        self.show_formula(softmax)
        bars = [self.bar(t.weights[i - 1][j - 1], j) for j in range(1, n + 1)]
        weights = [self.number(f"weight{i}_{j}", t.weights[i - 1][j - 1], color=style.UPDATE, font_size=SIZE)
                   .next_to(bar, RIGHT, buff=0.12) for j, bar in enumerate(bars, 1)]
        self.play(*(GrowFromEdge(bar, LEFT) for bar in bars),
                  *(TransformFromCopy(softmax.slots[f"weight{i}_{j}"], w) for j, w in enumerate(weights, 1)),
                  run_time=style.MEDIUM)
        self.wait(style.READ)

        # Step 3: the output is the values mixed in the proportions of the weights
        self.begin_step(3)
        terms: list[str | Num] = [f"o{style.symbol(str(i))} = "]
        for j in range(1, n + 1):
            terms += [" + "] if j > 1 else []
            terms += [Num(f"weight{i}_{j}", t.weights[i - 1][j - 1], color=style.UPDATE), "·("]
            for c, v in enumerate(t.V[j - 1], 1):
                terms += [", "] if c > 1 else []
                terms.append(Num(f"v{j}_{c}", v))
            terms.append(")")
        terms.append(" = (")
        for c, v in enumerate(t.output[i - 1], 1):
            terms += [", "] if c > 1 else []
            terms.append(Num(f"out{i}_{c}", v, color=style.TARGET))
        total = self.formula(*terms, ")", font_size=size)
        self.show_formula(total)
        top = max(t.weights[i - 1])  # the heaviest value stays fully lit, the others fade in proportion
        self.play(*(self.values[j - 1].animate.set_opacity(0.35 + 0.65 * t.weights[i - 1][j - 1] / top)
                    for j in range(1, n + 1)), run_time=style.SHORT)
        out = self.vector(f"out{i}", t.output[i - 1], color=style.TARGET).move_to(
            np.array([COLUMNS["value"], OUTPUT_Y, 0.0]))
        out_name = Text(f"output o{style.symbol(str(i))}", font=style.FONT, font_size=style.SMALL_SIZE,
                        color=style.MUTED).next_to(out, LEFT, buff=0.3)
        self.play(TransformFromCopy(VGroup(*self.values), out), FadeIn(out_name), run_time=style.MEDIUM)
        self.play(Indicate(out, color=style.TARGET, scale_factor=1.1), run_time=style.SHORT)
        self.wait(2 * style.READ)
