"""animations/: every scene builds, draws dlbook's numbers, and keeps the step contract.

Scenes run in manim's dry-run mode, skipping animations (no frame drawn or written), so
the whole file stays fast;
the render to MP4 is tested with the pipeline (tests/test_animations.py).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from manim import tempconfig

from animations.base import Num, StepScene
from animations.style import number_text, symbol
from dlbook.trace import WIRING, trace_parabola_descent, trace_perceptron, trace_two_layer

ROOT = Path(__file__).resolve().parent.parent
INFRASTRUCTURE = {"base", "style", "objects"}
SCENE_MODULES = sorted(p.stem for p in (ROOT / "animations").glob("*.py")
                       if not p.name.startswith("_") and p.stem not in INFRASTRUCTURE)


def scenes_in(module_name: str) -> list[type[StepScene]]:
    module = importlib.import_module(f"animations.{module_name}")
    return [obj for obj in vars(module).values() if isinstance(obj, type) and issubclass(obj, StepScene)
            and obj.__module__ == module.__name__]


ALL_SCENES = {cls.__name__: cls for name in SCENE_MODULES for cls in scenes_in(name)}


def dry_render(cls: type[StepScene], media_dir: Path) -> StepScene:
    """Run construct() through manim without drawing a frame or writing a video."""
    with tempconfig({"dry_run": True, "quality": "low_quality", "media_dir": str(media_dir),
                     "disable_caching": True, "verbosity": "WARNING", "progress_bar": "none"}):
        scene = cls(skip_animations=True)  # each play() jumps to its end
        scene.render()
    return scene


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, StepScene]:
    media = tmp_path_factory.mktemp("media")
    return {name: dry_render(cls, media) for name, cls in ALL_SCENES.items()}


# --- What each scene must draw: the values dlbook computes, by key ------------------------------


def expected_numbers() -> dict[str, dict[str, float]]:
    p = trace_perceptron()
    t = trace_two_layer()
    forward = {"x1": t.x[0], "x2": t.x[1], **t.weights, "h1": t.h1, "h2": t.h2, "y_hat": t.y_hat}
    backward = {
        **forward, "y": t.target, "delta": t.delta, "loss": t.loss, "lr": t.lr,
        "grad_h1": t.grad_h1, "grad_h2": t.grad_h2, **{f"grad_{k}": t.grads[k] for k in WIRING},
        **{f"{k}_new": t.new_weights[k] for k in WIRING},
        "h1_new": t.new_h1, "h2_new": t.new_h2, "y_hat_new": t.new_y_hat, "loss_new": t.new_loss,
    }
    g = trace_parabola_descent()
    descent: dict[str, float] = {"lr": g.lr, f"x{len(g.points) - 1}": g.points[-1].x}
    for k, point in enumerate(g.points[:-1]):
        descent |= {f"x{k}": point.x, f"f{k}": point.fx, f"slope{k}": point.slope, f"step{k}": point.step}
    return {
        "PerceptronForward": {"x1": p.x[0], "x2": p.x[1], "w0": p.w0, "w1": p.w[0], "w2": p.w[1], "z": p.z,
                              "product1": p.products[0], "product2": p.products[1], "y_hat": p.y_hat},
        "ForwardPass": forward,
        "BackwardPass": backward,
        "GradientDescentStep": descent,
    }


def test_the_four_scenes_are_discovered() -> None:
    assert {"PerceptronForward", "ForwardPass", "BackwardPass", "GradientDescentStep"} <= ALL_SCENES.keys()
    assert ALL_SCENES.keys() == expected_numbers().keys(), "a new scene needs its numbers checked here"


@pytest.mark.parametrize("module_name", SCENE_MODULES)
def test_every_scene_module_has_a_step_scene(module_name: str) -> None:
    assert scenes_in(module_name), f"animations/{module_name}.py defines no StepScene"


@pytest.mark.parametrize("name", sorted(expected_numbers()))
def test_scene_draws_dlbooks_numbers(rendered: dict[str, StepScene], name: str) -> None:
    scene, expected = rendered[name], expected_numbers()[name]
    assert scene.numbers.keys() == expected.keys(), "drawn keys differ from the keys checked"
    for key, text in scene.numbers.items():
        digits = scene.number_digits[key]
        assert digits >= 3, f"{key} drawn with only {digits} significant digits"
        assert text == number_text(expected[key], digits=digits), f"{name} drew {key} = {text!r}"


@pytest.mark.parametrize("name", sorted(expected_numbers()))
def test_scene_begins_every_step_once_in_order(rendered: dict[str, StepScene], name: str) -> None:
    scene = rendered[name]
    steps = type(scene).steps()
    assert steps and all(isinstance(s, str) and s.strip() for s in steps)
    assert [index for _, index in scene.step_log] == list(range(len(steps)))
    times = [time for time, _ in scene.step_log]
    assert times[0] == 0.0 and all(a < b for a, b in zip(times, times[1:], strict=False))
    assert times[-1] < scene.renderer.time  # the last step lasts a while too
    assert 8.0 <= scene.renderer.time <= 35.0, f"{name} lasts {scene.renderer.time:.1f} s"


def test_steps_carry_the_trace_numbers_without_rendering() -> None:
    t = trace_two_layer()
    backward = ALL_SCENES["BackwardPass"].steps()
    assert any(f"= {number_text(t.delta).replace('−', '-')}" in s for s in backward)
    assert ALL_SCENES["PerceptronForward"].steps() == trace_perceptron().steps()
    assert ALL_SCENES["GradientDescentStep"].steps() == trace_parabola_descent().steps()


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
