"""Generated sequence tasks, one per input/output pattern of docs/architectures/recurrent-networks/.

Each task is small, exactly known and cheap to generate, so a page can train on it in
seconds and say precisely what a perfect model would output:

- ``sine_sequences``: continue a sine wave (many to one: predict the next value after the
  whole window; many to many: predict the next value at every step).
- ``running_sum``: output at every step the sum of the inputs so far (aligned many to many).
- ``copy_task``: see a few symbols, wait ``delay`` blank steps, then on a cue write the
  symbols back; plain RNNs fail once the delay is long, gated ones (LSTM, GRU) cope.
- ``reversal_task``: read a sequence, then write it backwards (encoder-decoder).

Every function takes a ``seed``, draws from its own ``torch.Generator`` (the global RNG is
untouched), returns the same tensors for the same seed and different ones for another.
Ref: Hochreiter & Schmidhuber 1997 and Arjovsky et al. 2016 (the copy task).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

__all__ = ["BLANK", "OMEGA_RANGE", "START", "copy_task", "copy_task_baseline", "reversal_task", "running_sum",
           "sine_sequences"]

BLANK = 0  # copy_task: the "nothing here" token, input while waiting and target while not copying
START = 0  # reversal_task: the token the decoder reads before its first output
OMEGA_RANGE = (0.15, 0.6)  # sine_sequences: angular frequencies ω, periods of about 10 to 42 steps


def _check_int(owner: str, name: str, value: object, minimum: int = 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{owner} expects {name} to be an int >= {minimum}, got {value!r}")
    return value


def _generator(owner: str, seed: object) -> torch.Generator:
    seed = _check_int(owner, "seed", seed, minimum=0)
    return torch.Generator().manual_seed(seed)


def sine_sequences(n: int, length: int, *, noise: float = 0.0, seed: int = 0) -> tuple[Tensor, Tensor]:
    """``n`` sine waves of ``length`` steps ``X`` and the next value at every step ``Y``.

    Wave i is x_t = sin(ω_i t + φ_i) (plus Gaussian noise of std ``noise``), with ω_i drawn
    from ``OMEGA_RANGE`` and φ_i from [0, 2π); ``Y[:, t]`` is the clean wave one step later,
    sin(ω_i (t + 1) + φ_i). Shapes ``X``, ``Y``: (n, length, 1) float32. Many to many uses
    all of ``Y``; many to one, predicting the value after the window, uses ``Y[:, -1]`` (n, 1).
    """
    _check_int("sine_sequences", "n", n)
    _check_int("sine_sequences", "length", length)
    if not (isinstance(noise, int | float) and not isinstance(noise, bool) and noise >= 0):
        raise ValueError(f"sine_sequences expects noise >= 0, got {noise!r}")
    g = _generator("sine_sequences", seed)
    lo, hi = OMEGA_RANGE
    omega = lo + (hi - lo) * torch.rand(n, 1, generator=g, dtype=torch.float64)  # (n, 1)
    phi = 2 * math.pi * torch.rand(n, 1, generator=g, dtype=torch.float64)  # (n, 1)
    t = torch.arange(length + 1, dtype=torch.float64)  # (length + 1,)
    wave = torch.sin(omega * t + phi)  # (n, length + 1): sin(ω t + φ)
    X = wave[:, :-1] + noise * torch.randn(n, length, generator=g, dtype=torch.float64)
    Y = wave[:, 1:]  # y_t = x_{t+1} without noise
    return X.float().unsqueeze(-1), Y.float().unsqueeze(-1)  # (n, length, 1) each


def running_sum(n: int, length: int, *, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Inputs ``X`` uniform in [−1, 1] and targets ``Y[:, t] = X[:, 0] + ... + X[:, t]``.

    Shapes ``X``, ``Y``: (n, length, 1) float32; one output per input step, aligned. The
    state only has to hold one number, the sum so far, which a linear recurrence can.
    """
    _check_int("running_sum", "n", n)
    _check_int("running_sum", "length", length)
    g = _generator("running_sum", seed)
    X = 2 * torch.rand(n, length, 1, generator=g) - 1  # (n, length, 1), U(−1, 1)
    Y = X.cumsum(dim=1)  # y_t = Σ_{s≤t} x_s
    return X, Y


def copy_task(n: int, length: int, delay: int, num_symbols: int, *, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Remember ``length`` symbols through ``delay`` blank steps and write them back on a cue.

    Tokens: ``BLANK`` = 0, the symbols 1..num_symbols, the cue num_symbols + 1 (so an
    embedding or one-hot input needs ``num_symbols + 2`` entries). Each of the ``n`` rows,
    T = 2·length + delay + 1 steps long, reads ::

        X: s_1 ... s_L | 0 × delay | cue | 0 × L
        Y: 0 ... 0     | 0 × delay |  0  | s_1 ... s_L

    ``X``, ``Y``: (n, T) long. The symbols are ``X[:, :length]`` and equal
    ``Y[:, -length:]``; score a model on ``Y[:, -length:]`` alone, or on all of ``Y`` as
    Arjovsky et al. do (see ``copy_task_baseline`` for the loss of a model that only learned
    the layout). To bridge the gap the state must carry the symbols for ``delay + 1 + L`` steps.
    """
    _check_int("copy_task", "n", n)
    _check_int("copy_task", "length", length)
    _check_int("copy_task", "delay", delay, minimum=0)
    _check_int("copy_task", "num_symbols", num_symbols)
    g = _generator("copy_task", seed)
    T = 2 * length + delay + 1
    symbols = torch.randint(1, num_symbols + 1, (n, length), generator=g)  # (n, L) in 1..K
    X = torch.full((n, T), BLANK, dtype=torch.long)  # (n, T)
    Y = torch.full((n, T), BLANK, dtype=torch.long)  # (n, T)
    X[:, :length] = symbols
    X[:, length + delay] = num_symbols + 1  # the cue: write the symbols back from the next step
    Y[:, -length:] = symbols
    return X, Y


def copy_task_baseline(length: int, delay: int, num_symbols: int) -> float:
    """Mean cross-entropy (nats per step over all of ``Y``) of the best memoryless copy model.

    A model that learned where the symbols go but not which they were outputs ``BLANK``
    with certainty before the copy part and a uniform guess over the K symbols in it:
    L · ln K nats over T = 2L + delay + 1 steps. A trained model that stays at this value
    has remembered nothing.
    """
    _check_int("copy_task_baseline", "length", length)
    _check_int("copy_task_baseline", "delay", delay, minimum=0)
    _check_int("copy_task_baseline", "num_symbols", num_symbols)
    return length * math.log(num_symbols) / (2 * length + delay + 1)


def reversal_task(n: int, length: int, num_symbols: int, *, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Sources of ``length`` random symbols and their reversals, for an encoder and a decoder.

    ``src``, ``tgt``: (n, length) long with symbols 1..num_symbols and
    ``tgt[:, t] = src[:, length − 1 − t]``. Token 0 (``START``) never occurs in them: it is
    the first thing the decoder reads, so with teacher forcing the decoder's input is
    ``torch.cat([torch.full((n, 1), START), tgt[:, :-1]], dim=1)``. An embedding needs
    ``num_symbols + 1`` entries. The encoder must pack the whole source into its state,
    and the first output needs the last input, so this is not an aligned task.
    """
    _check_int("reversal_task", "n", n)
    _check_int("reversal_task", "length", length)
    _check_int("reversal_task", "num_symbols", num_symbols)
    g = _generator("reversal_task", seed)
    src = torch.randint(1, num_symbols + 1, (n, length), generator=g)  # (n, L) in 1..K
    tgt = src.flip(dims=(1,))  # (n, L): y_t = x_{L−1−t}
    return src, tgt
