"""animations/: every scene builds, draws dlbook's numbers, and keeps the step contract.

The scenes are found, not listed: every chapter module of animations/ (each ``*.py`` but
``__init__.py`` and ``_*``) is imported and each StepScene it defines is checked against
its own ``expected_numbers()``, so a new scene needs no edit here. Scenes run in manim's
dry-run mode, skipping animations (no frame drawn or written), so the whole file stays
fast; the render to MP4 is tested with the pipeline (tests/build/test_animations.py).
"""

from __future__ import annotations

import importlib
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from manim import tempconfig

from animations.backpropagation import BackwardPass
from animations.common.base import Num, StepScene
from animations.common.style import number_text, symbol
from animations.gradient_descent import GradientDescentStep
from animations.neural_networks import ForwardPass
from animations.perceptron import PerceptronForward
from dlbook.trace import (
    NetworkTrace,
    format_number,
    trace_parabola_descent,
    trace_perceptron,
    trace_two_layer,
)

ROOT = Path(__file__).resolve().parents[2]
CHAPTER_MODULES = sorted(p.stem for p in (ROOT / "animations").glob("*.py") if not p.stem.startswith("_"))


def scenes_in(module_name: str) -> list[type[StepScene]]:
    """The scenes a chapter module defines: its own StepScene subclasses, but ``_*``."""
    module = importlib.import_module(f"animations.{module_name}")
    return [obj for obj in vars(module).values() if isinstance(obj, type) and issubclass(obj, StepScene)
            and obj.__module__ == module.__name__ and not obj.__name__.startswith("_")]


ALL_SCENES = [cls for name in CHAPTER_MODULES for cls in scenes_in(name)]
SCENES = {cls.__name__: cls for cls in ALL_SCENES}


def dry_render(cls: type[StepScene], media_dir: Path) -> StepScene:
    """Run construct() through manim without drawing a frame or writing a video."""
    with tempconfig({"dry_run": True, "quality": "low_quality", "media_dir": str(media_dir),
                     "disable_caching": True, "verbosity": "WARNING", "progress_bar": "none"}):
        scene = cls(skip_animations=True)  # each play() jumps to its end
        scene.render()
    return scene


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Callable[[type[StepScene]], StepScene]:
    """Each scene dry-rendered once for the whole file, on first use (one failing render
    fails its own tests only)."""
    media, done = tmp_path_factory.mktemp("media"), {}

    def render(cls: type[StepScene]) -> StepScene:
        if cls not in done:
            done[cls] = dry_render(cls, media)
        return done[cls]

    return render


def assert_draws_expected_numbers(scene: StepScene) -> None:
    """The scene drew exactly the keys it expects, each as dlbook's value formatted."""
    name, expected = type(scene).__name__, type(scene).expected_numbers()
    assert scene.numbers.keys() == expected.keys(), (
        f"{name}: drawn but not expected {sorted(scene.numbers.keys() - expected.keys())}, "
        f"expected but not drawn {sorted(expected.keys() - scene.numbers.keys())}")
    for key, text in scene.numbers.items():
        digits = scene.number_digits[key]
        assert digits >= 3, f"{name} drew {key} with only {digits} significant digits"
        assert text == number_text(expected[key], digits=digits), f"{name} drew {key} = {text!r}"


# --- Finding the scenes ------------------------------------------------------------------------


def test_scenes_are_discovered() -> None:
    assert CHAPTER_MODULES and SCENES, "no chapter module or scene found in animations/"
    twice = [name for name, n in Counter(cls.__name__ for cls in ALL_SCENES).items() if n > 1]
    assert not twice, f"scenes of one name in two modules (pages embed by name): {twice}"


@pytest.mark.parametrize("module_name", CHAPTER_MODULES)
def test_every_chapter_module_has_a_step_scene(module_name: str) -> None:
    assert scenes_in(module_name), f"animations/{module_name}.py defines no StepScene"


# --- Each scene, against the numbers it states ---------------------------------------------------


@pytest.mark.parametrize("cls", ALL_SCENES, ids=lambda cls: cls.__name__)
def test_scene_states_its_numbers(cls: type[StepScene]) -> None:
    expected = cls.expected_numbers()
    assert expected, f"{cls.__name__}.expected_numbers() is empty"
    for key, value in expected.items():
        assert isinstance(key, str) and key, f"{cls.__name__}: a number keyed {key!r}"
        assert isinstance(value, float | int) and math.isfinite(value), f"{cls.__name__}: {key} = {value!r}"


@pytest.mark.parametrize("cls", ALL_SCENES, ids=lambda cls: cls.__name__)
def test_scene_draws_dlbooks_numbers(rendered: Callable[[type[StepScene]], StepScene],
                                     cls: type[StepScene]) -> None:
    assert_draws_expected_numbers(rendered(cls))


@pytest.mark.parametrize("cls", ALL_SCENES, ids=lambda cls: cls.__name__)
def test_scene_begins_every_step_once_in_order(rendered: Callable[[type[StepScene]], StepScene],
                                               cls: type[StepScene]) -> None:
    scene = rendered(cls)
    steps = cls.steps()
    assert steps and all(isinstance(s, str) and s.strip() for s in steps)
    assert [index for _, index in scene.step_log] == list(range(len(steps)))
    times = [time for time, _ in scene.step_log]
    assert times[0] == 0.0 and all(a < b for a, b in zip(times, times[1:], strict=False))
    assert times[-1] < scene.renderer.time  # the last step lasts a while too
    assert 8.0 <= scene.renderer.time <= 35.0, f"{cls.__name__} lasts {scene.renderer.time:.1f} s"


def test_captions_carry_the_trace_numbers_without_rendering() -> None:
    t = trace_two_layer()
    assert f"= {format_number(t.delta)}" in t.step("delta")
    backward = BackwardPass.steps()
    assert backward[0] == "; ".join(t.steps_for("y_hat", "delta", "loss"))
    assert backward[1] == f"{t.step('grad_w5')}; {t.step('grad_w6')}"
    assert backward[-1] == t.step("loss_new")
    assert ForwardPass.steps()[1:] == t.steps_for("h1", "h2", "y_hat")
    assert PerceptronForward.steps() == trace_perceptron().steps()
    assert GradientDescentStep.steps() == trace_parabola_descent().steps()


# --- Variants: a small subclass, and its numbers follow -------------------------------------------


def _sigmoid() -> NetworkTrace:
    return trace_two_layer(activation="sigmoid")


class _SigmoidForwardPass(ForwardPass):
    trace = staticmethod(_sigmoid)


class _SigmoidBackwardPass(BackwardPass):
    trace = staticmethod(_sigmoid)


@pytest.mark.parametrize("cls", [_SigmoidForwardPass, _SigmoidBackwardPass], ids=lambda cls: cls.__name__)
def test_a_variant_states_and_draws_its_own_numbers(tmp_path: Path, cls: type[StepScene]) -> None:
    assert "z1" in _sigmoid().step_keys()  # a hidden g: z and h get a caption each
    scene = dry_render(cls, tmp_path)
    assert_draws_expected_numbers(scene)
    assert len(scene.step_log) == len(cls.steps())


# --- The contract itself, on tiny scenes ---------------------------------------------------------


class _TwoSteps(StepScene):
    @classmethod
    def steps(cls) -> list[str]:
        return ["first", "second"]

    def construct(self) -> None:
        self.begin_step(0)
        self.wait(0.2)


class _OutOfOrder(_TwoSteps):
    def construct(self) -> None:
        self.begin_step(1)


class _RedrawnDifferently(_TwoSteps):
    def construct(self) -> None:
        self.begin_step(0)
        self.add(self.number("h1", 0.85))
        self.add(self.formula(symbol("h1") + " = ", Num("h1", 0.86)))


def test_a_step_never_begun_fails_the_render(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="began 1 of its 2 steps"):
        dry_render(_TwoSteps, tmp_path)


def test_steps_must_begin_in_order(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="expects step 0 next"):
        dry_render(_OutOfOrder, tmp_path)


def test_one_key_draws_one_text(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="drew 'h1' as '0.85' and as '0.86'"):
        dry_render(_RedrawnDifferently, tmp_path)


def test_steps_is_required() -> None:
    with pytest.raises(NotImplementedError, match="must define the classmethod steps"):
        StepScene.steps()


def test_expected_numbers_is_required() -> None:
    with pytest.raises(NotImplementedError, match="_TwoSteps must define the classmethod expected_numbers"):
        _TwoSteps.expected_numbers()
