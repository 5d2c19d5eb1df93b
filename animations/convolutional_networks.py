"""Scenes of the chapter Convolutional networks: a kernel sliding over an image, and max pooling.

``ConvolutionSlide`` works the lectures' example out: the 3x3 kernel's window slides over
the 5x5 binary image one position at a time (stride 1, no padding); at the first position
the nine products of window and kernel are shown and summed, then the other eight
positions fill the 3x3 output. ``MaxPooling`` keeps the largest value of each 2x2 window:
the lectures' [[1, 3], [2, 4]] gives 4, then the same window is the top-left one of a 4x4
map that pools to 2x2, each window's winner lit. Every number comes from
dlbook.conv_trace (computed with dlbook.conv and dlbook.pooling), never from a literal here.
Taught in docs/architectures/convolutional-networks.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import (
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    Rectangle,
    Square,
    Text,
    TransformFromCopy,
    VGroup,
)

from animations.common import style
from animations.common.base import Num, StepScene
from animations.common.objects import Formula, label
from dlbook.conv_trace import ConvTrace, MaxPoolTrace, trace_convolution, trace_max_pool
from dlbook.pooling import LECTURE_POOL_INPUT

TOP = 2.4  # y of the grids' top edge
TITLE_GAP = 0.2  # between a grid and its name above it
CELL_FILL = 0.22  # opacity of a cell that holds a 1 (image, kernel) or a window's winner


def caption(t: ConvTrace | MaxPoolTrace, *keys: str) -> str:
    """One step's caption: the trace's captions keyed ``keys``, joined."""
    return "; ".join(t.steps_for(*keys))


def cells(rows: int, cols: int) -> list[tuple[int, int]]:
    """The (row, column) pairs of a rows x cols grid, in reading order."""
    return [(r, c) for r in range(rows) for c in range(cols)]


class Grid(VGroup):
    """``rows`` x ``cols`` squares of side ``size``, the top-left one's corner at ``corner``.

    Draws no number: a scene makes its numbers (``StepScene.number``) and puts them in
    ``square(r, c)``.
    """

    def __init__(self, rows: int, cols: int, *, size: float, corner: np.ndarray,
                 color: str = style.MUTED) -> None:
        self.size, self.corner = size, np.asarray(corner, dtype=float)
        self.squares = [[Square(side_length=size, color=color, stroke_width=2) for _ in range(cols)]
                        for _ in range(rows)]
        for r, row in enumerate(self.squares):
            for c, square in enumerate(row):
                square.move_to(self.point(r + 0.5, c + 0.5))
        super().__init__(*(square for row in self.squares for square in row))

    def point(self, r: float, c: float) -> np.ndarray:
        """The point ``r`` cells down and ``c`` cells across from the top-left corner."""
        return self.corner + np.array([c * self.size, -r * self.size, 0.0])

    def square(self, r: int, c: int) -> Square:
        return self.squares[r][c]

    def block(self, r: int, c: int, height: int, width: int, *, color: str = style.WEIGHT) -> Rectangle:
        """An outline around the ``height`` x ``width`` block whose top-left cell is (r, c)."""
        outline = Rectangle(width=width * self.size, height=height * self.size, color=color,
                            stroke_width=style.HIGHLIGHT_WIDTH)
        return outline.move_to(self.point(r + height / 2, c + width / 2))

    def title(self, name: str) -> Text:
        """``name`` above the grid, its last glyph on the line ``TITLE_GAP`` above the grid, so that
        names side by side share a baseline whatever their descenders (each ends on a letter that
        sits on the baseline: x, k, t, d)."""
        text = label(name, font_size=style.LABEL_SIZE).next_to(self, UP, buff=TITLE_GAP)
        return text.shift((self.get_top()[1] + TITLE_GAP - text[-1].get_bottom()[1]) * UP)


# --- A kernel sliding over an image ----------------------------------------------------------


class ConvolutionSlide(StepScene):
    """The lectures' 3x3 kernel slides over their 5x5 image, writing each sum of products."""

    cell = 0.62  # side of a grid cell
    image_left = -5.95  # x of the image's left edge
    output_left = 3.45  # x of the output's left edge

    @staticmethod
    def trace() -> ConvTrace:
        return trace_convolution()  # dlbook.conv.LECTURE_IMAGE and LECTURE_KERNEL, stride 1, no padding

    @classmethod
    def steps(cls) -> list[str]:
        t = cls.trace()
        Ho, Wo = t.out_shape
        rest = [[f"out_{i}_{j}" for j in range(Wo) if (i, j) != (0, 0)] for i in range(Ho)]
        return [
            t.step("output_size"),  # the image, the kernel, and how many positions it takes
            t.step("out_0_0"),  # the first position: nine products, summed
            *(caption(t, *keys) for keys in rest),  # the other positions, row by row
            t.step("output"),
        ]

    @classmethod
    def expected_numbers(cls) -> dict[str, float]:
        t = cls.trace()
        (H, W), (kh, kw), (Ho, Wo) = t.image_shape, t.kernel_shape, t.out_shape
        return {
            **{f"x_{r}_{c}": t.image[r][c] for r, c in cells(H, W)},
            **{f"k_{u}_{v}": t.kernel[u][v] for u, v in cells(kh, kw)},
            **{f"prod_{u}_{v}": t.products[0][0][u][v] for u, v in cells(kh, kw)},  # the first position's
            **{f"out_{i}_{j}": t.output[i][j] for i, j in cells(Ho, Wo)},
            "image_size": H, "kernel_size": kh, "stride": t.stride, "out_size": Ho,
        }

    # --- Drawing ------------------------------------------------------------------------------

    def grid(self, values: tuple[tuple[float, ...], ...], key: str, corner: np.ndarray, *,
             color: str, tint: str | None = None) -> tuple[Grid, list[list[Text]]]:
        """A grid with its numbers (keyed ``{key}_{r}_{c}``), cells holding a non-zero tinted."""
        grid = Grid(len(values), len(values[0]), size=self.cell, corner=corner)
        numbers = [[self.number(f"{key}_{r}_{c}", v, color=color).move_to(grid.square(r, c))
                    for c, v in enumerate(row)] for r, row in enumerate(values)]
        if tint is not None:
            for r, row in enumerate(values):
                for c, v in enumerate(row):
                    if v != 0:
                        grid.square(r, c).set_fill(tint, opacity=CELL_FILL)
        return grid, numbers

    def construct(self) -> None:
        t = self.trace()
        if t.padding:
            raise ValueError(f"{type(self).__name__} draws the image without its padding, so it expects a "
                             f"trace with padding 0, got {t.padding}")
        (H, _), (kh, kw), (Ho, Wo) = t.image_shape, t.kernel_shape, t.out_shape
        image, x = self.grid(t.image, "x", np.array([self.image_left, TOP, 0.0]), color=style.INK,
                             tint=style.MUTED)
        kernel, k = self.grid(t.kernel, "k", np.array([-kw * self.cell / 2, TOP, 0.0]), color=style.WEIGHT,
                              tint=style.WEIGHT)
        output = Grid(Ho, Wo, size=self.cell, corner=np.array([self.output_left, TOP, 0.0]))
        names = VGroup(image.title("image x"), kernel.title("kernel k"), output.title("output"))

        # Step 0: the image, the kernel, and the number of positions the kernel takes
        self.begin_step(0)
        self.play(FadeIn(image), FadeIn(kernel), FadeIn(output), FadeIn(names),
                  *(FadeIn(n) for row in (*x, *k) for n in row), run_time=style.SHORT)
        self.show_formula(self.formula("output size = ⌊(n − k)/s⌋ + 1 = ⌊(", Num("image_size", H), " − ",
                                       Num("kernel_size", kh, color=style.WEIGHT), ")/",
                                       Num("stride", t.stride), "⌋ + 1 = ", Num("out_size", Ho)))
        self.wait(style.READ)

        # Step 1: at the first position, the window times the kernel, cell by cell, then summed
        self.begin_step(1)
        window = image.block(0, 0, kh, kw)  # where the kernel lies
        target = output.block(0, 0, 1, 1)  # and the output cell it writes
        self.play(Create(window), Create(target), run_time=style.SHORT)
        below = np.array([-kw * self.cell / 2, TOP - (kh + 1) * self.cell, 0.0])  # a cell under the kernel
        products = Grid(kh, kw, size=self.cell, corner=below)
        products_name = label("window ⊙ kernel", font_size=style.SMALL_SIZE).next_to(products, UP, buff=0.12)
        p = [[self.number(f"prod_{u}_{v}", t.products[0][0][u][v]).move_to(products.square(u, v))
              for v in range(kw)] for u in range(kh)]
        self.play(FadeIn(products), FadeIn(products_name), run_time=style.SHORT)
        self.play(*(TransformFromCopy(VGroup(x[u][v], k[u][v]), p[u][v]) for u, v in cells(kh, kw)),
                  run_time=style.MEDIUM)
        terms: list[str | Num] = []
        for u, v in cells(kh, kw):
            terms += [" + "] if terms else []
            terms.append(Num(f"prod_{u}_{v}", t.products[0][0][u][v]))
        total = self.formula("out[0, 0] = ", *terms, " = ", Num("out_0_0", t.output[0][0]))
        self.show_formula(total)
        first = self.number("out_0_0", t.output[0][0]).move_to(output.square(0, 0))
        self.play(TransformFromCopy(total.slots["out_0_0"], first), run_time=style.MEDIUM)
        self.wait(style.READ)

        # Steps 2..: the window slides on, one output cell per position, row by row
        rule = ("out[i, j] = Σ x[i + u, j + v]·k[u, v]" if t.stride == 1
                else "out[i, j] = Σ x[s·i + u, s·j + v]·k[u, v]")
        for i in range(Ho):
            self.begin_step(2 + i)
            if i == 0:
                self.play(FadeOut(products), FadeOut(products_name), *(FadeOut(n) for row in p for n in row),
                          run_time=style.SHORT)
                self.show_formula(self.formula(rule, color=style.MUTED))
            for j in range(Wo):
                if (i, j) == (0, 0):
                    continue
                r, c = t.origin(i, j)
                self.play(window.animate.move_to(image.block(r, c, kh, kw)),
                          target.animate.move_to(output.square(i, j)), run_time=0.4)
                value = self.number(f"out_{i}_{j}", t.output[i][j]).move_to(output.square(i, j))
                self.play(FadeIn(value, target_position=window), run_time=0.5)
            self.wait(style.READ / 2)

        # Last step: the whole output
        self.begin_step(2 + Ho)
        self.play(FadeOut(window), FadeOut(target), Indicate(output, color=style.VALUE, scale_factor=1.05),
                  run_time=style.MEDIUM)
        self.wait(2 * style.READ)


# --- Max pooling ---------------------------------------------------------------------------------


class MaxPooling(StepScene):
    """2x2 max pooling: the lectures' window, then a 4x4 map pooled to 2x2, each winner lit."""

    cell = 0.85  # side of a grid cell
    map_corner = np.array([-5.0, TOP, 0.0])  # the map's top-left corner
    output_corner = np.array([2.9, TOP - 0.85, 0.0])  # the output's

    @staticmethod
    def lecture() -> MaxPoolTrace:
        return trace_max_pool(LECTURE_POOL_INPUT)  # [[1, 3], [2, 4]] -> 4

    @staticmethod
    def trace() -> MaxPoolTrace:
        return trace_max_pool()  # dlbook.conv_trace.POOL_EXAMPLE, whose top-left window is the lecture's

    @classmethod
    def steps(cls) -> list[str]:
        t = cls.trace()
        Ho, Wo = t.out_shape
        return [
            cls.lecture().step("out_0_0"),  # the lectures' window and its maximum
            t.step("output_size"),  # the window is one of the map's
            caption(t, *(f"out_{i}_{j}" for i, j in cells(Ho, Wo)[1:])),  # the other windows
            t.step("output"),
        ]

    @classmethod
    def expected_numbers(cls) -> dict[str, float]:
        t, lec = cls.trace(), cls.lecture()
        (H, W), (Ho, Wo), k = t.in_shape, t.out_shape, lec.kernel_size
        return {
            **{f"lecture_x_{r}_{c}": lec.x[r][c] for r, c in cells(k, k)},
            "lecture_out": lec.output[0][0],
            **{f"x_{r}_{c}": t.x[r][c] for r, c in cells(H, W)},
            **{f"out_{i}_{j}": t.output[i][j] for i, j in cells(Ho, Wo)},
            "map_size": H, "kernel_size": t.kernel_size, "stride": t.stride, "out_size": Ho,
            "in_count": H * W, "out_count": Ho * Wo,
        }

    def max_formula(self, window: tuple[tuple[float, ...], ...], keys: list[str], out_key: str,
                    value: float, where: str) -> Formula:
        """``out[0, 1] = max(0, 2, 1, 1) = 2``."""
        parts: list[str | Num] = []
        for key, v in zip(keys, (v for row in window for v in row), strict=True):
            parts += [", "] if parts else []
            parts.append(Num(key, v, color=style.INK))
        return self.formula(f"{where} = max(", *parts, ") = ", Num(out_key, value))

    def win(self, square: Square, number: Text) -> list[Any]:
        """The animations that light a window's winner."""
        return [square.animate.set_fill(style.VALUE, opacity=CELL_FILL),
                number.animate.set_color(style.VALUE)]

    def construct(self) -> None:
        t, lec = self.trace(), self.lecture()
        (H, W), (Ho, Wo), k, s = t.in_shape, t.out_shape, t.kernel_size, t.stride
        fmap = Grid(H, W, size=self.cell, corner=self.map_corner)
        output = Grid(Ho, Wo, size=self.cell, corner=self.output_corner)
        x = [[self.number(f"x_{r}_{c}", t.x[r][c], color=style.INK).move_to(fmap.square(r, c))
              for c in range(W)] for r in range(H)]
        outs = [[self.number(f"out_{i}_{j}", t.output[i][j], color=style.VALUE).move_to(output.square(i, j))
                 for j in range(Wo)] for i in range(Ho)]

        # Step 0: the lectures' 2x2 window; its largest value is the output
        self.begin_step(0)
        lk = lec.kernel_size
        corner = [fmap.square(r, c) for r, c in cells(lk, lk)]
        lx = [self.number(f"lecture_x_{r}_{c}", lec.x[r][c], color=style.INK).move_to(fmap.square(r, c))
              for r, c in cells(lk, lk)]
        window = fmap.block(0, 0, lk, lk)
        out_name = output.title("max pooled")
        self.play(*(FadeIn(m) for m in (*corner, *lx)), FadeIn(output.square(0, 0)), FadeIn(out_name),
                  run_time=style.SHORT)
        self.play(Create(window), run_time=style.SHORT)
        first = self.max_formula(lec.windows[0][0], [f"lecture_x_{r}_{c}" for r, c in cells(lk, lk)],
                                 "lecture_out", lec.output[0][0], "out")
        self.show_formula(first)
        wr, wc = lec.winners[0][0]
        self.play(*self.win(fmap.square(wr, wc), lx[wr * lk + wc]), run_time=style.SHORT)
        lecture_out = self.number("lecture_out", lec.output[0][0], color=style.VALUE)
        lecture_out.move_to(output.square(0, 0))
        self.play(TransformFromCopy(first.slots["lecture_out"], lecture_out), run_time=style.MEDIUM)
        self.wait(style.READ)

        # Step 1: the same window is the top-left one of a 4x4 map; windows of 2 in steps of 2 tile it
        self.begin_step(1)
        self.remove(*lx, lecture_out)  # the lecture's numbers become the map's: the same text, the same place
        self.add(*(x[r][c] for r, c in cells(lk, lk)), outs[0][0])
        x[wr][wc].set_color(style.VALUE)  # the lecture's winner stays lit
        rest = [(r, c) for r, c in cells(H, W) if r >= lk or c >= lk]
        tiles = VGroup(*(fmap.block(s * i, s * j, k, k, color=style.MUTED).set_stroke(width=4)
                         for i, j in cells(Ho, Wo)))
        arrow = Arrow(np.array([fmap.get_right()[0], output.get_center()[1], 0.0]), output.get_left(),
                      buff=0.3, color=style.MUTED, stroke_width=3, max_tip_length_to_length_ratio=0.08)
        pool_name = label("max pool", font_size=style.SMALL_SIZE).next_to(arrow, UP, buff=0.12)
        names = VGroup(fmap.title("feature map x"), arrow, pool_name)
        self.play(*(FadeIn(fmap.square(r, c)) for r, c in rest), *(FadeIn(x[r][c]) for r, c in rest),
                  *(FadeIn(output.square(i, j)) for i, j in cells(Ho, Wo)[1:]), FadeIn(names),
                  run_time=style.SHORT)
        self.bring_to_front(window)
        self.play(Create(tiles), run_time=style.SHORT)
        self.bring_to_front(window)
        self.show_formula(self.formula("output size = ⌊(n − k)/s⌋ + 1 = ⌊(", Num("map_size", H), " − ",
                                       Num("kernel_size", k), ")/", Num("stride", s), "⌋ + 1 = ",
                                       Num("out_size", Ho)))
        self.wait(style.READ)

        # Step 2: the other windows, each winner lit and carried to the output
        self.begin_step(2)
        for i, j in cells(Ho, Wo)[1:]:
            self.play(window.animate.move_to(fmap.block(s * i, s * j, k, k)), run_time=0.5)
            keys = [f"x_{s * i + u}_{s * j + v}" for u, v in cells(k, k)]
            line = self.max_formula(t.windows[i][j], keys, f"out_{i}_{j}", t.output[i][j], f"out[{i}, {j}]")
            self.show_formula(line)
            r, c = t.winners[i][j]
            self.play(*self.win(fmap.square(r, c), x[r][c]), run_time=0.4)
            self.play(TransformFromCopy(line.slots[f"out_{i}_{j}"], outs[i][j]), run_time=0.8)
            self.wait(0.4)
        self.wait(style.READ / 2)

        # Step 3: the winners alone carry on; the map is a quarter of its size
        self.begin_step(3)
        winners = {t.winners[i][j] for i, j in cells(Ho, Wo)}
        losers = [x[r][c] for r, c in cells(H, W) if (r, c) not in winners]
        self.play(FadeOut(window), *(n.animate.set_opacity(0.3) for n in losers), run_time=style.MEDIUM)
        self.show_formula(self.formula(Num("in_count", H * W), " values → ", Num("out_count", Ho * Wo),
                                       ", the largest of each window"))
        self.wait(2 * style.READ)

