"""Drawing objects the scenes share: a neuron, a weighted edge, a formula line, a network.

None of them draws a number by itself: numbers are made by ``StepScene.number`` or
``StepScene.formula`` (which record them) and handed in, so every number on screen is
one the tests can check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    BackgroundRectangle,
    Circle,
    Mobject,
    Text,
    VGroup,
    VMobject,
)

from animations.common import style

Point = np.ndarray  # a 3-d point of the scene


class Formula(Text):
    """One line of text built from pieces ``(text, key or None, colour)``.

    The glyphs of each keyed piece are kept in ``slots[key]`` (ligatures are off, so
    glyph i is character i), which lets a scene move a number from the network into
    the formula, or highlight it.
    """

    def __init__(self, pieces: Sequence[tuple[str, str | None, str]], *,
                 font_size: float = style.FORMULA_SIZE, color: str = style.INK) -> None:
        if not pieces:
            raise ValueError("Formula expects at least one piece")
        super().__init__("".join(text for text, _, _ in pieces), font=style.FONT, font_size=font_size,
                         color=color, disable_ligatures=True)
        self.slots: dict[str, VMobject] = {}
        start = 0
        for text, key, colour in pieces:
            glyphs = self[start:start + len(text)]
            glyphs.set_color(colour)
            if key is not None:
                self.slots[key] = glyphs
            start += len(text)


def label(name: str, *, color: str = style.MUTED, font_size: float = style.LABEL_SIZE) -> Text:
    """A name as drawn (``"w5"`` → w₅), see ``style.symbol``."""
    return Text(style.symbol(name), font=style.FONT, font_size=font_size, color=color)


def tag(mob: Mobject, *, buff: float = 0.06) -> VGroup:
    """``mob`` on a patch of background, so a label stays legible where it crosses a line."""
    patch = BackgroundRectangle(mob, color=style.BACKGROUND, fill_opacity=1.0, buff=buff)
    return VGroup(patch, mob)


class Neuron(VGroup):
    """A circle with its name beside it and a slot in the middle for its value."""

    def __init__(self, name: str, *, radius: float = 0.5, name_side: Point = UP,
                 color: str = style.INK) -> None:
        self.circle = Circle(radius=radius, color=color, stroke_width=3)
        self.title = label(name)
        self.title.next_to(self.circle, name_side, buff=0.15)
        super().__init__(self.circle, self.title)
        self.key = name

    @property
    def radius(self) -> float:
        return float(self.circle.width / 2)

    def value_spot(self, mob: Mobject) -> Mobject:
        """Move ``mob`` into the circle (shrunk a little if need be), or below it if it
        would have to shrink too far to stay legible; returns it."""
        room = 1.7 * self.radius
        if mob.width > room / 0.75:
            return self.beside(mob, DOWN)
        if mob.width > room:
            mob.scale_to_fit_width(room)
        return mob.move_to(self.circle.get_center())

    def beside(self, mob: Mobject, direction: Point = DOWN, *, buff: float = 0.15) -> Mobject:
        """Move ``mob`` next to the circle (a gradient below it, say); returns it."""
        return mob.next_to(self.circle, direction, buff=buff)


class WeightedEdge(VGroup):
    """An arrow from one neuron's circle to another's, with a spot for the weight's label."""

    def __init__(self, start: Neuron, end: Neuron, *, color: str = style.MUTED) -> None:
        a, b = start.circle.get_center(), end.circle.get_center()
        unit = (b - a) / np.linalg.norm(b - a)
        self.arrow = Arrow(a + unit * start.radius, b - unit * end.radius, buff=0.0, color=color,
                           stroke_width=3, tip_length=0.18, max_tip_length_to_length_ratio=0.12,
                           max_stroke_width_to_length_ratio=10)
        super().__init__(self.arrow)
        self.start, self.end = start, end

    def point_at(self, fraction: float) -> Point:
        """The point ``fraction`` of the way along the arrow (0 at its start)."""
        return np.asarray(self.arrow.point_from_proportion(fraction))

    def normal(self) -> Point:
        """The unit vector perpendicular to the edge that points upwards (or left if vertical)."""
        d = self.arrow.get_end() - self.arrow.get_start()
        n = np.array([-d[1], d[0], 0.0]) / np.linalg.norm(d)
        return n if (n[1], -n[0]) > (0.0, 0.0) else -n

    def place(self, mob: Mobject, *, at: float = 0.5, side: float = 1.0, buff: float = 0.08) -> Mobject:
        """Move ``mob`` beside the edge, ``at`` of the way along, above it (``side=1``) or
        below (``side=-1``), touching neither the line nor the other side; returns it."""
        n = self.normal() * side
        reach = (abs(n[0]) * mob.width + abs(n[1]) * mob.height) / 2  # half-extent along n
        return mob.move_to(self.point_at(at) + n * (reach + buff))


class Network(VGroup):
    """Neurons in columns and the edges of ``wiring`` (weight → (from, to)) between them.

    ``layers`` lists the neurons' names column by column, left to right; a column is
    spread evenly over ``height``, the columns evenly over ``width``, around ``center``.
    """

    def __init__(self, layers: Sequence[Sequence[str]], wiring: Mapping[str, tuple[str, str]], *,
                 width: float = 9.0, height: float = 3.2, center: Point | None = None,
                 radius: float = 0.5) -> None:
        if len(layers) < 2 or not all(layers):
            raise ValueError(f"Network expects at least two non-empty layers, got {layers!r}")
        center = np.zeros(3) if center is None else np.asarray(center, dtype=float)
        self.neurons: dict[str, Neuron] = {}
        for i, column in enumerate(layers):
            x = -width / 2 + width * i / (len(layers) - 1)
            for j, name in enumerate(column):
                y = height / 2 - height * j / (len(column) - 1) if len(column) > 1 else 0.0
                side = LEFT if i == 0 else RIGHT if i == len(layers) - 1 else UP
                neuron = Neuron(name, radius=radius, name_side=side)
                neuron.shift(center + np.array([x, y, 0.0]) - neuron.circle.get_center())
                self.neurons[name] = neuron
        unknown = {n for pair in wiring.values() for n in pair} - self.neurons.keys()
        if unknown:
            raise ValueError(f"Network wiring names neurons that no layer has: {sorted(unknown)}")
        self.edges = {w: WeightedEdge(self.neurons[a], self.neurons[b]) for w, (a, b) in wiring.items()}
        super().__init__(*self.edges.values(), *self.neurons.values())

    def into(self, name: str) -> list[WeightedEdge]:
        """The edges that end at neuron ``name``."""
        return [e for e in self.edges.values() if e.end is self.neurons[name]]
