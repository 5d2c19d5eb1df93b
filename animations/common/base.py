"""StepScene: the base of every scene, the contract between a scene and the render pipeline.

A scene is a sequence of steps. ``steps()`` gives them in words (one sentence each, its
numbers taken from a dlbook trace) without rendering anything, so the pipeline can write
captions and a transcript; ``construct()`` calls ``begin_step(i)`` at the start of step i,
which logs the time it began. Every number on screen goes through ``number()`` (or a
``Num`` inside ``formula()``), which records the exact text drawn, and
``expected_numbers()`` says, from the same trace, which numbers the scene must draw and
their values, so a test can hold each drawn number against the value dlbook computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from manim import DOWN, LEFT, FadeOut, Scene, Text, VGroup, Write

from animations.common import style
from animations.common.objects import Formula


@dataclass(frozen=True)
class Num:
    """A number inside a formula: its key in ``StepScene.numbers`` and its value."""

    key: str
    value: float
    digits: int = 4
    color: str = style.VALUE
    operand: bool = False  # wrap a negative in parentheses, as in "(−0.809)·0.85"


class StepScene(Scene):
    """A manim Scene whose ``construct()`` is split into the steps that ``steps()`` lists.

    After ``render()``: ``step_log`` holds ``(time in seconds, step index)`` for every
    step, ``renderer.time`` is the duration, ``numbers`` maps each drawn number's key
    (``"h1"``, ``"grad_w5"``, ...) to its exact text and ``number_digits`` to the
    significant digits it was drawn with.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step_log: list[tuple[float, int]] = []
        self.numbers: dict[str, str] = {}
        self.number_digits: dict[str, int] = {}
        self.camera.background_color = style.BACKGROUND  # the video's own background
        self._formula: VGroup | None = None  # the formula lines now at the bottom

    @classmethod
    def steps(cls) -> list[str]:
        """The scene's steps in words, one sentence per step, numbers from dlbook."""
        raise NotImplementedError(f"{cls.__name__} must define the classmethod steps()")

    @classmethod
    def expected_numbers(cls) -> dict[str, float]:
        """Every number the scene draws, by key, with dlbook's value for it (from the trace
        the scene draws): the scene must draw exactly these keys, each as this value."""
        raise NotImplementedError(f"{cls.__name__} must define the classmethod expected_numbers(), "
                                  "the value of every number it draws, by key, from its trace")

    # --- Steps ---------------------------------------------------------------------------

    def begin_step(self, index: int) -> None:
        """Mark the start of step ``index``: steps begin in order 0, 1, 2, ..., each once."""
        total = len(self.steps())
        expected = len(self.step_log)
        if not isinstance(index, int) or isinstance(index, bool) or index != expected:
            raise RuntimeError(f"{type(self).__name__}.begin_step expects step {expected} next "
                               f"(steps begin in order, each once), got {index!r}")
        if index >= total:
            raise RuntimeError(f"{type(self).__name__}.begin_step({index}): steps() lists only {total} steps")
        self.step_log.append((self.renderer.time, index))

    def tear_down(self) -> None:
        """After ``construct()``: every step listed in ``steps()`` must have begun."""
        total, begun = len(self.steps()), len(self.step_log)
        if begun != total:
            raise RuntimeError(f"{type(self).__name__} began {begun} of its {total} steps; "
                               f"construct() must call begin_step(i) for i = 0..{total - 1}")
        super().tear_down()

    # --- Numbers -------------------------------------------------------------------------

    def _record(self, key: str, value: float, digits: int) -> str:
        """The text for ``value``, noted under ``key``; one key always draws one text."""
        if not isinstance(key, str) or not key:
            raise ValueError(f"a drawn number needs a non-empty string key, got {key!r}")
        text = style.number_text(value, digits=digits)
        if self.numbers.get(key, text) != text:
            raise ValueError(f"{type(self).__name__} drew {key!r} as {self.numbers[key]!r} and "
                             f"as {text!r}; give different numbers different keys")
        self.numbers[key] = text
        self.number_digits[key] = digits
        return text

    def number(self, key: str, value: float, *, digits: int = 4, color: str = style.VALUE,
               font_size: float = style.NUMBER_SIZE) -> Text:
        """The one way to draw a lone number: ``value`` to ``digits`` significant digits."""
        return Text(self._record(key, value, digits), font=style.FONT, font_size=font_size, color=color)

    def formula(self, *parts: str | Num, font_size: float = style.FORMULA_SIZE,
                color: str = style.INK) -> Formula:
        """One line of text, e.g. ``"h₁ = ", Num("w1", 0.11), "·", Num("x1", 2.0)``.

        Strings are drawn as given (symbols, never numbers); each ``Num`` is recorded like
        ``number()`` and coloured; ``formula.slots[key]`` is its glyphs, for animating.
        """
        pieces: list[tuple[str, str | None, str]] = []  # (text, key, colour)
        for part in parts:
            if isinstance(part, Num):
                text = self._record(part.key, part.value, part.digits)
                if part.operand and text.startswith(style.MINUS):
                    pieces += [("(", None, color), (text, part.key, part.color), (")", None, color)]
                else:
                    pieces.append((text, part.key, part.color))
            elif isinstance(part, str):
                pieces.append((part, None, color))
            else:
                raise TypeError(f"formula parts are str or Num, got {type(part).__name__}")
        return Formula(pieces, font_size=font_size, color=color)

    def show_formula(self, *lines: Formula) -> VGroup:
        """Write ``lines`` at the bottom of the frame while the ones shown before fade out."""
        group = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.2).to_edge(DOWN, buff=0.45)
        old = [FadeOut(self._formula)] if self._formula is not None else []
        self.play(*old, *(Write(line) for line in lines), run_time=style.WRITE)
        self._formula = group
        return group
