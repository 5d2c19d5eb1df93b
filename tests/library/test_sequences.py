"""dlbook.sequences: each generated task's targets really are what its docstring promises."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

from dlbook.sequences import (
    BLANK,
    OMEGA_RANGE,
    START,
    copy_task,
    copy_task_baseline,
    reversal_task,
    running_sum,
    sine_sequences,
)

TASKS: dict[str, Callable[[int], tuple[Tensor, Tensor]]] = {
    "sine": lambda seed: sine_sequences(6, 13, noise=0.1, seed=seed),
    "running_sum": lambda seed: running_sum(6, 13, seed=seed),
    "copy": lambda seed: copy_task(6, 5, 7, 4, seed=seed),
    "reversal": lambda seed: reversal_task(6, 9, 5, seed=seed),
}


@pytest.mark.parametrize("name", TASKS)
def test_same_seed_repeats_and_other_seed_differs(name: str) -> None:
    X, Y = TASKS[name](3)
    X2, Y2 = TASKS[name](3)
    X3, Y3 = TASKS[name](4)
    assert torch.equal(X, X2) and torch.equal(Y, Y2)
    assert not torch.equal(X, X3) and not torch.equal(Y, Y3)


@pytest.mark.parametrize("name", TASKS)
def test_global_rng_untouched(name: str) -> None:
    before = torch.get_rng_state()
    TASKS[name](0)
    assert torch.equal(torch.get_rng_state(), before)


def test_sine_targets_are_the_next_clean_value() -> None:
    X, Y = sine_sequences(7, 25, seed=1)
    assert X.shape == Y.shape == (7, 25, 1) and X.dtype == Y.dtype == torch.float32
    torch.testing.assert_close(Y[:, :-1], X[:, 1:])  # y_t = x_{t+1}
    # each row is one sine: sin(ω t + φ) satisfies x_{t+1} + x_{t-1} = 2 cos(ω) x_t
    x = torch.cat([X, Y[:, -1:]], dim=1).squeeze(-1).double()  # (n, 26)
    two_cos = (x[:, 2:] + x[:, :-2]) / x[:, 1:-1]
    big = x[:, 1:-1].abs() > 0.3
    omega = torch.acos(two_cos.median(dim=1).values / 2)
    assert torch.all((omega > OMEGA_RANGE[0] - 1e-3) & (omega < OMEGA_RANGE[1] + 1e-3))
    torch.testing.assert_close(two_cos[big], (2 * torch.cos(omega))[:, None].expand_as(two_cos)[big],
                               atol=1e-3, rtol=0)
    assert x.abs().max() <= 1 + 1e-6 and x.abs().max() > 0.9


def test_sine_noise_only_touches_the_inputs() -> None:
    X0, Y0 = sine_sequences(5, 40, seed=2)
    X1, Y1 = sine_sequences(5, 40, noise=0.2, seed=2)
    torch.testing.assert_close(Y0, Y1)
    assert 0.1 < float((X1 - X0).std()) < 0.3


def test_running_sum_targets_are_the_cumulative_sums() -> None:
    X, Y = running_sum(9, 17, seed=5)
    assert X.shape == Y.shape == (9, 17, 1)
    assert X.min() >= -1 and X.max() <= 1 and X.std() > 0.4
    torch.testing.assert_close(Y[:, 0], X[:, 0])
    torch.testing.assert_close(Y[:, 1:] - Y[:, :-1], X[:, 1:], atol=1e-6, rtol=0)  # y_t − y_{t−1} = x_t
    for i in range(9):
        assert float(Y[i, -1]) == pytest.approx(sum(float(v) for v in X[i, :, 0]), abs=1e-5)


@pytest.mark.parametrize(("length", "delay", "num_symbols"), [(5, 7, 4), (1, 0, 1), (3, 30, 8)])
def test_copy_task_layout(length: int, delay: int, num_symbols: int) -> None:
    n = 11
    X, Y = copy_task(n, length, delay, num_symbols, seed=0)
    T = 2 * length + delay + 1
    assert X.shape == Y.shape == (n, T) and X.dtype == Y.dtype == torch.long
    symbols = X[:, :length]
    assert torch.all((symbols >= 1) & (symbols <= num_symbols))
    torch.testing.assert_close(Y[:, -length:], symbols)  # the target is the copy of the symbols
    cue = num_symbols + 1
    assert torch.all(X[:, length + delay] == cue) and int(X.eq(cue).sum()) == n  # one cue per row
    blank_x = torch.ones(T, dtype=torch.bool)
    blank_x[:length] = False
    blank_x[length + delay] = False
    assert torch.all(X[:, blank_x] == BLANK)
    assert torch.all(Y[:, : T - length] == BLANK)
    # nothing to copy is visible after the cue: the state has to carry it
    assert torch.all(X[:, length + delay + 1:] == BLANK)


def test_copy_task_uses_every_symbol() -> None:
    X, _ = copy_task(200, 10, 3, 6, seed=1)
    assert set(X[:, :10].unique().tolist()) == set(range(1, 7))


def test_copy_task_baseline_is_the_loss_of_knowing_only_the_layout() -> None:
    length, delay, K = 4, 6, 5
    X, Y = copy_task(50, length, delay, K, seed=2)
    logits = torch.full((*Y.shape, K + 2), -1e9)  # (n, T, K + 2)
    logits[:, : -length, BLANK] = 0  # certain of BLANK before the copy
    logits[:, -length:, 1: K + 1] = 0  # uniform over the K symbols during it
    loss = F.cross_entropy(logits.reshape(-1, K + 2), Y.reshape(-1))
    assert float(loss) == pytest.approx(copy_task_baseline(length, delay, K), rel=1e-6)
    T = 2 * length + delay + 1
    assert copy_task_baseline(length, delay, K) == pytest.approx(length * math.log(K) / T)


def test_reversal_targets_are_reversed_sources() -> None:
    src, tgt = reversal_task(8, 9, 5, seed=3)
    assert src.shape == tgt.shape == (8, 9) and src.dtype == tgt.dtype == torch.long
    assert torch.all((src >= 1) & (src <= 5)) and not torch.any(src == START)
    for i in range(8):
        assert tgt[i].tolist() == src[i].tolist()[::-1]
    assert not torch.equal(src, tgt)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sine_sequences(0, 5), "n to be an int >= 1, got 0"),
        (lambda: sine_sequences(3, 2.5), "length"),  # type: ignore[arg-type]
        (lambda: sine_sequences(3, 5, noise=-0.1), "noise >= 0"),
        (lambda: sine_sequences(3, 5, seed=-1), "seed to be an int >= 0"),
        (lambda: running_sum(3, 0), "length"),
        (lambda: running_sum(True, 4), "n"),  # type: ignore[arg-type]
        (lambda: copy_task(3, 0, 5, 4), "length"),
        (lambda: copy_task(3, 2, -1, 4), "delay to be an int >= 0, got -1"),
        (lambda: copy_task(3, 2, 5, 0), "num_symbols"),
        (lambda: copy_task_baseline(2, 5, 0), "num_symbols"),
        (lambda: reversal_task(3, 4, 0), "num_symbols"),
        (lambda: reversal_task(3, 4, 2, seed=1.5), "seed"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_raise_clear_errors(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
