"""Learning-rate schedules as pure functions of the step number.

Taught in docs/training/gradient-descent/. Each schedule maps a step ``t = 0, 1, 2, ...``
to a learning rate, with no optimizer and no hidden counter, so a chapter can plot
``[cosine_lr(t, base_lr=0.1, total_steps=100) for t in range(100)]`` directly.
To drive a real optimizer, ``as_lr_lambda`` turns any of them into the factor
function that ``torch.optim.lr_scheduler.LambdaLR`` expects. tests/library/test_schedules.py
checks them against ``StepLR``, ``CosineAnnealingLR`` and ``LinearLR``.
Refs: Loshchilov & Hutter 2017 (SGDR, cosine), Goyal et al. 2017 (linear warm-up).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

__all__ = ["as_lr_lambda", "cosine_lr", "linear_warmup", "step_lr", "warmup_cosine"]

Schedule = Callable[[int], float]  # step t -> learning rate η_t


def _check_step(owner: str, step: object) -> int:
    if not isinstance(step, numbers.Integral) or isinstance(step, bool) or int(step) < 0:
        raise ValueError(f"{owner} expects step to be an int >= 0, got {step!r}")
    return int(step)


def _check_count(owner: str, name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{owner} expects {name} to be a positive int, got {value!r}")


def _check_base_lr(owner: str, base_lr: float) -> None:
    if not 0 <= base_lr < math.inf:  # nan fails the comparison
        raise ValueError(f"{owner} expects 0 <= base_lr < inf, got {base_lr!r}")


def _check_min_lr(owner: str, min_lr: float, base_lr: float) -> None:
    if not 0 <= min_lr <= base_lr:
        raise ValueError(f"{owner} expects 0 <= min_lr <= base_lr = {base_lr!r}, got {min_lr!r}")


def step_lr(step: int, *, base_lr: float, step_size: int, gamma: float) -> float:
    """Step decay: multiply the rate by ``gamma`` every ``step_size`` steps.

    ``η_t = η₀ γ^⌊t / step_size⌋``, the closed form of ``torch.optim.lr_scheduler.StepLR``.
    With ``step_size=30, gamma=0.1`` the rate drops tenfold at steps 30, 60, 90, ...
    """
    t = _check_step("step_lr", step)
    _check_base_lr("step_lr", base_lr)
    _check_count("step_lr", "step_size", step_size)
    if not gamma > 0:
        raise ValueError(f"step_lr expects gamma > 0, got {gamma!r}")
    # η_t = η₀ γ^⌊t / s⌋
    return base_lr * gamma ** (t // step_size)


def cosine_lr(step: int, *, base_lr: float, total_steps: int, min_lr: float = 0.0) -> float:
    """Cosine annealing from ``base_lr`` at step 0 down to ``min_lr`` at ``total_steps``.

    ``η_t = η_min + ½ (η₀ − η_min)(1 + cos(π t / T))``: flat at the start, steepest in
    the middle, flat again at the end. For ``t ≤ T`` this is
    ``CosineAnnealingLR(T_max=T, eta_min=min_lr)``; after ``T`` it stays at ``min_lr``
    (PyTorch's version would climb back up along the cosine).
    """
    t = _check_step("cosine_lr", step)
    _check_base_lr("cosine_lr", base_lr)
    _check_count("cosine_lr", "total_steps", total_steps)
    _check_min_lr("cosine_lr", min_lr, base_lr)
    t = min(t, total_steps)
    # η_t = η_min + ½ (η₀ − η_min)(1 + cos(π t / T))
    return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * t / total_steps))


def linear_warmup(step: int, *, base_lr: float, warmup_steps: int) -> float:
    """Linear warm-up: ``base_lr / W, 2 base_lr / W, ..., base_lr`` over the first W steps, then flat.

    ``η_t = η₀ min(1, (t + 1) / W)``. Counting from ``t + 1`` means no step is wasted
    at rate 0: the first update already moves, and step ``W − 1`` reaches ``base_lr``.
    Small early steps keep the first, noisy updates (and Adam's unsettled second-moment
    estimates) from throwing the weights far. Equals
    ``LinearLR(start_factor=1/W, end_factor=1, total_iters=W − 1)``.
    """
    t = _check_step("linear_warmup", step)
    _check_base_lr("linear_warmup", base_lr)
    _check_count("linear_warmup", "warmup_steps", warmup_steps)
    # η_t = η₀ min(1, (t + 1) / W)
    return base_lr * min(1.0, (t + 1) / warmup_steps)


def warmup_cosine(step: int, *, base_lr: float, warmup_steps: int, total_steps: int,
                  min_lr: float = 0.0) -> float:
    """Linear warm-up for ``warmup_steps`` steps, then cosine decay to ``min_lr`` at ``total_steps``.

    ``total_steps`` counts the whole run, warm-up included, so the cosine part lasts
    ``total_steps − warmup_steps`` steps and starts from ``base_lr`` at step
    ``warmup_steps``. ``warmup_steps=0`` gives plain ``cosine_lr``. The usual recipe for
    training transformers.
    """
    t = _check_step("warmup_cosine", step)
    if not isinstance(warmup_steps, int) or isinstance(warmup_steps, bool) or warmup_steps < 0:
        raise ValueError(f"warmup_cosine expects warmup_steps to be an int >= 0, got {warmup_steps!r}")
    _check_count("warmup_cosine", "total_steps", total_steps)
    _check_base_lr("warmup_cosine", base_lr)
    _check_min_lr("warmup_cosine", min_lr, base_lr)
    if warmup_steps >= total_steps:
        raise ValueError("warmup_cosine expects warmup_steps < total_steps, "
                         f"got warmup_steps={warmup_steps}, total_steps={total_steps}")
    if t < warmup_steps:
        return linear_warmup(t, base_lr=base_lr, warmup_steps=warmup_steps)
    # the cosine clock starts when warm-up ends: t' = t − W over T' = T − W steps
    return cosine_lr(t - warmup_steps, base_lr=base_lr, total_steps=total_steps - warmup_steps,
                     min_lr=min_lr)


def as_lr_lambda(schedule: Schedule, *, base_lr: float) -> Schedule:
    """Turn ``schedule`` (step -> rate) into the factor (step -> rate / base_lr) for ``LambdaLR``.

    ``LambdaLR`` sets each group's rate to its initial ``lr`` times the factor, so give
    the optimizer ``lr=base_lr`` and the rates follow ``schedule`` exactly; a group with
    another ``lr`` follows the same shape, scaled. Fix the options with a lambda or
    ``functools.partial``::

        schedule = partial(warmup_cosine, base_lr=0.1, warmup_steps=10, total_steps=100)
        scheduler = LambdaLR(optimizer, as_lr_lambda(schedule, base_lr=0.1))
    """
    if not callable(schedule):
        raise ValueError(f"as_lr_lambda expects a schedule step -> lr, got {schedule!r}")
    if not 0 < base_lr < math.inf:
        raise ValueError(f"as_lr_lambda expects 0 < base_lr < inf, got {base_lr!r}")

    def factor(step: int) -> float:
        return schedule(step) / base_lr

    return factor
