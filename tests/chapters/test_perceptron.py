"""Tests of the chapter "The perceptron": docs/neurons/perceptron.py.

Its page, figures and scenes are checked by tests/chapter_checks.py; the library code it
teaches is tested in tests/library/, against PyTorch. The convergence theorem's numbers
are checked here, with the page's own ``generating_line``: the rule's updates stay within
Novikoff's (R/γ)² when γ is the augmented margin, on several seeds, angles and shifts,
and the input-plane margin the page once used is shown to give no bound (issue 14).
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
import torch
from chapter_checks import Chapter

from dlbook.datasets import tilted_blobs
from dlbook.perceptron import Perceptron, augmented_margin, augmented_radius, mistake_bound

CHAPTER = Chapter("neurons", "perceptron")
STD, MARGIN, N = 1.0, 0.5, 100  # the referee's clouds: 100 points, a gap of 0.5


def test_page_parses_and_imports_only_the_library() -> None:
    CHAPTER.check_page()


def test_its_figures_are_its_own_and_run_at_the_smoke_tier(tmp_path: Path) -> None:
    CHAPTER.check_figures(tmp_path)


def test_its_scenes_exist_and_are_embedded() -> None:
    CHAPTER.check_scenes()


# --- The convergence theorem ---------------------------------------------------------


@cache
def generating_line() -> Callable[[float, tuple[float, float]], tuple[torch.Tensor, float]]:
    """The page's own ``generating_line``, taken from its code cell (not a copy of it)."""
    source = next(s for s in CHAPTER.cells("code") if "def generating_line(" in s)
    tree = ast.parse(source)
    func = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "generating_line")
    namespace: dict[str, object] = {"math": math, "torch": torch}
    exec(compile(ast.Module(body=[func], type_ignores=[]), CHAPTER.page.name, "exec"), namespace)  # noqa: S102
    return namespace["generating_line"]  # type: ignore[return-value]


@cache
def run(
    angle_deg: float, shift: tuple[float, float], seed: int
) -> tuple[torch.Tensor, torch.Tensor, Perceptron, int]:
    """``tilted_blobs`` at these settings and the rule run on them to convergence: X, y, model, updates."""
    X, y = tilted_blobs(N, std=STD, margin=MARGIN, angle_deg=angle_deg, shift=shift, seed=seed)
    model = Perceptron(2)
    history = model.fit(X, y, num_epochs=200_000, shuffle_seed=seed)
    assert history.converged, (angle_deg, shift, seed)
    return X, y, model, sum(history.mistakes)


CASES = [  # (angle_deg, shift, seed): near the origin, the chapter's shift, other angles, far away
    (35.0, (0.0, 0.0), 0),
    (35.0, (3.0, 4.0), 1),
    (120.0, (-10.0, 5.0), 3),
    (35.0, (30.0, 40.0), 0),
    (35.0, (30.0, 40.0), 2),  # the referee's example in issue 14
    (200.0, (-25.0, 15.0), 4),
]


@pytest.mark.parametrize(("angle_deg", "shift", "seed"), CASES)
def test_the_generating_line_separates_with_half_the_gap(
    angle_deg: float, shift: tuple[float, float], seed: int
) -> None:
    """The page's line: every point on its own side, at least margin/2 away in the plane."""
    X, y = tilted_blobs(N, std=STD, margin=MARGIN, angle_deg=angle_deg, shift=shift, seed=seed)
    w, b = generating_line()(angle_deg, shift)
    assert w.norm().item() == pytest.approx(1.0)
    distance = (2 * y - 1) * (X @ w + b)  # (n,): signed distance, positive on the point's own side
    assert distance.min().item() >= MARGIN / 2 - 1e-4


@pytest.mark.parametrize(("angle_deg", "shift", "seed"), CASES)
def test_updates_stay_within_novikoffs_bound(angle_deg: float, shift: tuple[float, float], seed: int) -> None:
    """updates ≤ (R/γ)², γ the augmented margin of the generating line, and of the final line too."""
    X, y, model, updates = run(angle_deg, shift, seed)
    w, b = generating_line()(angle_deg, shift)
    gamma, R = augmented_margin(X, y, w, b), augmented_radius(X)
    # γ is the plane distance scaled by ‖w‖/‖(w, b)‖ = 1/√(1 + b²) for this unit-length w
    plane = ((2 * y - 1) * (X @ w + b)).min().item()
    assert gamma == pytest.approx(plane / math.sqrt(1 + b * b), rel=1e-5)
    assert 0 < updates <= mistake_bound(X, y, w, b) == pytest.approx((R / gamma) ** 2)
    # the rule's own final line separates the data, so it gives a (looser) bound as well
    assert updates <= mistake_bound(X, y, model.w, model.b)


def test_the_plane_margin_gives_no_bound_on_the_referees_example() -> None:
    """Issue 14: γ measured in the plane with R including the appended 1 is broken by the run."""
    X, y, _, updates = run(35.0, (30.0, 40.0), 2)
    w, b = generating_line()(35.0, (30.0, 40.0))
    plane = ((2 * y - 1) * (X @ w + b)).min().item()
    assert updates > 10 * (augmented_radius(X) / plane) ** 2  # exceeded more than tenfold
    assert updates <= mistake_bound(X, y, w, b)  # while the theorem's bound holds


def test_the_page_states_the_theorem_in_the_augmented_space() -> None:
    prose = CHAPTER.prose()
    theorem = prose[prose.index("**Theorem.**"):prose.index("The proof fits")]
    assert r"unit vector $\mathbf{u}$ of the augmented space" in theorem
    assert re.search(r"\\gamma = \\min_i \\, s_i\\,\\mathbf\{u\}\^\\top\\tilde\{\\mathbf\{x\}\}_i", theorem)
    assert r"R = \max_i \lVert\tilde{\mathbf{x}}_i\rVert" in theorem


def test_it_ends_with_references_to_the_work_it_cites() -> None:
    prose = CHAPTER.prose()
    body, refs = prose[: prose.rindex("## References")], prose[prose.rindex("## References"):]
    assert "\n## " not in refs[2:], "References must be the last section"
    items = re.split(r"\n- ", refs)[1:]
    for item in items:
        assert re.search(r"\b(19|20)\d\d\b", item), f"no year: {item}"
    # a report, a symposium paper and a thesis have no link; everything else does
    unlinked = [item for item in items if not re.search(r"\]\(https://[^)\s]+\)", item)]
    assert len(unlinked) <= 3 and all(re.search(r"Report|Symposium|thesis", i) for i in unlinked), unlinked
    flat = " ".join(body.split())
    for name in ["McCulloch", "Hebb", "Rosenblatt", "Block", "Novikoff", "Minsky", "Linnainmaa",
                 "Werbos", "Rumelhart", "Gallant"]:
        assert name in flat and name in refs, name
