"""dlbook.schedules against torch.optim.lr_scheduler over 100 steps, and warm-up values by hand."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, LinearLR, LRScheduler, SequentialLR

from dlbook.schedules import as_lr_lambda, cosine_lr, linear_warmup, step_lr, warmup_cosine

NUM_STEPS = 100


def torch_rates(make_scheduler: Callable[[torch.optim.Optimizer], LRScheduler], *, base_lr: float,
                num_steps: int = NUM_STEPS) -> list[float]:
    """The rate an optimizer uses at each of steps 0 .. num_steps − 1 under a torch scheduler."""
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=base_lr)
    scheduler = make_scheduler(opt)
    rates = []
    for _ in range(num_steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return rates


def assert_rates_close(ours: list[float], theirs: list[float]) -> None:
    torch.testing.assert_close(torch.tensor(ours, dtype=torch.float64),
                               torch.tensor(theirs, dtype=torch.float64), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("step_size", "gamma"), [(10, 0.5), (7, 0.1), (1, 0.97), (200, 0.1)])
def test_step_lr_matches_StepLR(step_size: int, gamma: float) -> None:
    theirs = torch_rates(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size, gamma), base_lr=0.3)
    ours = [step_lr(t, base_lr=0.3, step_size=step_size, gamma=gamma) for t in range(NUM_STEPS)]
    assert_rates_close(ours, theirs)


@pytest.mark.parametrize("min_lr", [0.0, 0.01])
@pytest.mark.parametrize("total_steps", [NUM_STEPS, 37])
def test_cosine_lr_matches_CosineAnnealingLR_up_to_total_steps(total_steps: int, min_lr: float) -> None:
    theirs = torch_rates(lambda opt: CosineAnnealingLR(opt, T_max=total_steps, eta_min=min_lr),
                         base_lr=0.1, num_steps=total_steps + 1)
    ours = [cosine_lr(t, base_lr=0.1, total_steps=total_steps, min_lr=min_lr) for t in range(total_steps + 1)]
    assert_rates_close(ours, theirs)
    assert ours[0] == 0.1 and ours[-1] == pytest.approx(min_lr, abs=1e-15)
    # past the end ours stays at min_lr, where torch's cosine would climb back up
    assert cosine_lr(total_steps + 5, base_lr=0.1, total_steps=total_steps, min_lr=min_lr) == ours[-1]


@pytest.mark.parametrize("warmup_steps", [1, 4, 10, 37])
def test_linear_warmup_matches_LinearLR(warmup_steps: int) -> None:
    W = warmup_steps
    theirs = torch_rates(lambda opt: LinearLR(opt, start_factor=1 / W, end_factor=1.0, total_iters=W - 1),
                         base_lr=0.2)
    ours = [linear_warmup(t, base_lr=0.2, warmup_steps=W) for t in range(NUM_STEPS)]
    assert_rates_close(ours, theirs)


def test_linear_warmup_values_by_hand() -> None:
    rates = [linear_warmup(t, base_lr=0.1, warmup_steps=4) for t in range(7)]
    assert rates == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1, 0.1, 0.1], rel=1e-12)


def test_warmup_cosine_values() -> None:
    options = dict(base_lr=0.1, warmup_steps=10, total_steps=NUM_STEPS, min_lr=1e-3)
    rates = [warmup_cosine(t, **options) for t in range(NUM_STEPS + 1)]  # type: ignore[arg-type]
    assert rates[:10] == pytest.approx([0.01 * (t + 1) for t in range(10)], rel=1e-12)  # the ramp
    assert rates[10] == 0.1  # the cosine starts from the top
    assert rates[55] == pytest.approx((0.1 + 1e-3) / 2, rel=1e-12)  # halfway down at its midpoint
    assert rates[NUM_STEPS] == pytest.approx(1e-3, rel=1e-12)
    assert all(a >= b for a, b in zip(rates[9:], rates[10:], strict=False))  # never rises after warm-up
    assert max(rates) == 0.1 and min(rates) > 0
    # no warm-up is plain cosine annealing
    for t in range(NUM_STEPS + 1):
        assert warmup_cosine(t, base_lr=0.1, warmup_steps=0, total_steps=NUM_STEPS) == \
            cosine_lr(t, base_lr=0.1, total_steps=NUM_STEPS)


def test_warmup_cosine_matches_LinearLR_then_CosineAnnealingLR() -> None:
    W, T = 10, NUM_STEPS

    def torch_warmup_cosine(opt: torch.optim.Optimizer) -> LRScheduler:
        warmup = LinearLR(opt, start_factor=1 / W, end_factor=1.0, total_iters=W - 1)
        cosine = CosineAnnealingLR(opt, T_max=T - W, eta_min=1e-3)
        return SequentialLR(opt, [warmup, cosine], milestones=[W])
    theirs = torch_rates(torch_warmup_cosine, base_lr=0.1)
    ours = [warmup_cosine(t, base_lr=0.1, warmup_steps=W, total_steps=T, min_lr=1e-3) for t in range(T)]
    assert_rates_close(ours, theirs)


@pytest.mark.parametrize("schedule", [
    partial(step_lr, base_lr=0.1, step_size=15, gamma=0.5),
    partial(cosine_lr, base_lr=0.1, total_steps=NUM_STEPS, min_lr=1e-3),
    partial(linear_warmup, base_lr=0.1, warmup_steps=20),
    partial(warmup_cosine, base_lr=0.1, warmup_steps=10, total_steps=NUM_STEPS),
], ids=["step_lr", "cosine_lr", "linear_warmup", "warmup_cosine"])
def test_as_lr_lambda_drives_an_optimizer(schedule: Callable[[int], float]) -> None:
    opt = torch.optim.SGD([{"params": [nn.Parameter(torch.zeros(1))]},
                           {"params": [nn.Parameter(torch.zeros(1))], "lr": 0.05}], lr=0.1)
    scheduler = LambdaLR(opt, as_lr_lambda(schedule, base_lr=0.1))
    for t in range(NUM_STEPS):
        assert opt.param_groups[0]["lr"] == pytest.approx(schedule(t), rel=1e-12, abs=1e-15)
        # a group with half the rate follows the same curve at half the height
        assert opt.param_groups[1]["lr"] == pytest.approx(schedule(t) / 2, rel=1e-12, abs=1e-15)
        opt.step()
        scheduler.step()


def test_step_may_be_a_numpy_integer() -> None:
    steps = np.arange(5)
    assert [cosine_lr(t, base_lr=1.0, total_steps=4) for t in steps] == \
        [cosine_lr(t, base_lr=1.0, total_steps=4) for t in range(5)]


@pytest.mark.parametrize(("call", "message"), [
    (lambda: step_lr(-1, base_lr=0.1, step_size=10, gamma=0.1),
     "step_lr expects step to be an int >= 0, got -1"),
    (lambda: step_lr(1.5, base_lr=0.1, step_size=10, gamma=0.1),  # type: ignore[arg-type]
     "step_lr expects step to be an int >= 0, got 1.5"),
    (lambda: step_lr(0, base_lr=0.1, step_size=0, gamma=0.1),
     "step_lr expects step_size to be a positive int, got 0"),
    (lambda: step_lr(0, base_lr=0.1, step_size=10, gamma=0.0), "step_lr expects gamma > 0, got 0.0"),
    (lambda: step_lr(0, base_lr=-0.1, step_size=10, gamma=0.1),
     "step_lr expects 0 <= base_lr < inf, got -0.1"),
    (lambda: cosine_lr(0, base_lr=0.1, total_steps=0),
     "cosine_lr expects total_steps to be a positive int, got 0"),
    (lambda: cosine_lr(0, base_lr=0.1, total_steps=10, min_lr=0.2),
     "cosine_lr expects 0 <= min_lr <= base_lr = 0.1, got 0.2"),
    (lambda: linear_warmup(0, base_lr=0.1, warmup_steps=0),
     "linear_warmup expects warmup_steps to be a positive int, got 0"),
    (lambda: warmup_cosine(0, base_lr=0.1, warmup_steps=10, total_steps=10),
     "warmup_cosine expects warmup_steps < total_steps, got warmup_steps=10, total_steps=10"),
    (lambda: warmup_cosine(0, base_lr=0.1, warmup_steps=-1, total_steps=10),
     "warmup_cosine expects warmup_steps to be an int >= 0, got -1"),
    (lambda: warmup_cosine(0, base_lr=0.1, warmup_steps=2, total_steps=10, min_lr=-1.0),
     "warmup_cosine expects 0 <= min_lr <= base_lr = 0.1, got -1.0"),
    (lambda: as_lr_lambda(partial(cosine_lr, base_lr=0.1, total_steps=10), base_lr=0.0),
     "as_lr_lambda expects 0 < base_lr < inf, got 0.0"),
])
def test_invalid_arguments_raise(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        call()


def test_rates_are_plain_floats_for_plotting() -> None:
    for rate in (step_lr(3, base_lr=1, step_size=2, gamma=0.5), cosine_lr(3, base_lr=1.0, total_steps=10),
                 linear_warmup(3, base_lr=1.0, warmup_steps=10),
                 warmup_cosine(30, base_lr=1.0, warmup_steps=10, total_steps=50)):
        assert isinstance(rate, float) and math.isfinite(rate)
