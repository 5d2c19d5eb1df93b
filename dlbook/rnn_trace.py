"""A traced Elman RNN: every number of a forward pass over a short sequence and of
backpropagation through time, for the scene in animations/recurrent_networks.py.

Taught in docs/architectures/recurrent-networks/. The network is the smallest one that
still recurs: one input, one hidden unit, one output, so each number is a scalar that
fits on screen. It reads x_1..x_T with the same three weights at every step,

    a_t = w_xh·x_t + w_hh·h_{t−1} + b,    h_t = tanh(a_t),    ŷ = w_hy·h_T,    L = ½ (ŷ − y)²,

and backpropagation through time carries ∂L/∂h_t back one step at a time,
∂L/∂h_t = ∂L/∂h_{t+1}·w_hh·(1 − h_{t+1}²), so it shrinks by the factor w_hh·(1 − h²) at
every step it goes back. The gradient of the shared weight w_hh is the sum of one term per
step, ∂L/∂a_t·h_{t−1}. The forward pass runs dlbook.recurrent.RNNCell (hidden size 1) and
the gradients come from autograd through it; tests/library/test_rnn_trace.py checks every
number against torch.nn.RNNCell. Captions are keyed as in dlbook.trace.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from dlbook.recurrent import RNNCell
from dlbook.trace import Step, _Captioned, _formatters

__all__ = ["RNNTrace", "trace_rnn"]


@dataclass(frozen=True)
class RNNTrace(_Captioned):
    """One forward pass and backpropagation through time of a 1-1-1 Elman RNN.

    Time runs t = 1..T and every per-step tuple is indexed from 0: ``h[t - 1]`` is h_t
    (``h_prev[t - 1]`` is h_{t−1}, so ``h_prev[0]`` is h_0). Its steps are keyed, in order:
    ``a1``, ``h1``, ..., ``a<T>``, ``h<T>``, ``y_hat``, ``loss``, ``grad_y_hat``,
    ``grad_h<T>`` down to ``grad_h1``, ``grad_w_hh_step1`` .. ``grad_w_hh_step<T>``,
    ``grad_w_hh``, ``grad_w_xh``, ``grad_b`` and ``grad_w_hy``.
    """

    x: tuple[float, ...]  # inputs x_1..x_T
    w_xh: float  # input → hidden weight
    w_hh: float  # hidden → hidden weight, the recurrent one
    b: float  # hidden bias
    w_hy: float  # hidden → output weight
    target: float  # y
    h0: float  # the state before the first input
    a: tuple[float, ...]  # pre-activations a_t = w_xh·x_t + w_hh·h_{t−1} + b
    h: tuple[float, ...]  # hidden states h_t = tanh(a_t)
    y_hat: float  # ŷ = w_hy·h_T
    loss: float  # L = ½ (ŷ − y)²
    grad_y_hat: float  # ∂L/∂ŷ = ŷ − y
    grad_h: tuple[float, ...]  # ∂L/∂h_t, the total derivative (through every later step)
    local: tuple[float, ...]  # tanh'(a_t) = 1 − h_t²
    grad_a: tuple[float, ...]  # ∂L/∂a_t = ∂L/∂h_t·(1 − h_t²)
    factors: tuple[float, ...]  # w_hh·(1 − h_{t+1}²) for t = 1..T−1: ∂L/∂h_t = ∂L/∂h_{t+1}·factor_t
    grad_w_hh_terms: tuple[float, ...]  # step t's part of ∂L/∂w_hh, ∂L/∂a_t·h_{t−1}
    grad_w_hh: float  # ∂L/∂w_hh = Σ_t ∂L/∂a_t·h_{t−1}
    grad_w_xh: float  # ∂L/∂w_xh = Σ_t ∂L/∂a_t·x_t
    grad_b: float  # ∂L/∂b = Σ_t ∂L/∂a_t
    grad_w_hy: float  # ∂L/∂w_hy = ∂L/∂ŷ·h_T

    @property
    def num_steps(self) -> int:
        """T, the length of the sequence."""
        return len(self.x)

    @property
    def h_prev(self) -> tuple[float, ...]:
        """h_0..h_{T−1}: the state each step reads."""
        return (self.h0, *self.h[:-1])

    def keyed_steps(self, *, digits: int = 4) -> list[Step]:
        """Forward, loss and BPTT in words, e.g. ``Step("grad_h3", "∂L/∂h3 = ∂L/∂h4·w_hh·(1 − h4²)
        = 1.194·0.6·0.9594 = 0.6875")``."""
        n, o = _formatters(digits)  # o(v) wraps a negative operand in parentheses
        T, lines = self.num_steps, []
        for t, (x, h_prev, a, h) in enumerate(zip(self.x, self.h_prev, self.a, self.h, strict=True), start=1):
            lines += [
                Step(f"a{t}", f"a{t} = w_xh·x{t} + w_hh·h{t - 1} + b = {o(self.w_xh)}·{o(x)} + "
                              f"{o(self.w_hh)}·{o(h_prev)} + {o(self.b)} = {n(a)}"),
                Step(f"h{t}", f"h{t} = tanh(a{t}) = tanh({n(a)}) = {n(h)}"),
            ]
        d = self.grad_y_hat
        lines += [
            Step("y_hat", f"ŷ = w_hy·h{T} = {o(self.w_hy)}·{o(self.h[-1])} = {n(self.y_hat)}"),
            Step("loss", f"L = ½·(ŷ − y)² = ½·({n(self.y_hat)} − {o(self.target)})² = {n(self.loss)}"),
            Step("grad_y_hat", f"∂L/∂ŷ = ŷ − y = {n(self.y_hat)} − {o(self.target)} = {n(d)}"),
            Step(f"grad_h{T}", f"∂L/∂h{T} = ∂L/∂ŷ·w_hy = {o(d)}·{o(self.w_hy)} = {n(self.grad_h[-1])}"),
        ]
        for t in range(T - 1, 0, -1):  # back through time: t = T−1, ..., 1
            lines.append(Step(f"grad_h{t}", f"∂L/∂h{t} = ∂L/∂h{t + 1}·w_hh·(1 − h{t + 1}²) = "
                                            f"{o(self.grad_h[t])}·{o(self.w_hh)}·{o(self.local[t])} = "
                                            f"{n(self.grad_h[t - 1])}"))
        for t in range(1, T + 1):
            lines.append(Step(f"grad_w_hh_step{t}",
                              f"step {t}'s part of ∂L/∂w_hh = ∂L/∂h{t}·(1 − h{t}²)·h{t - 1} = "
                              f"{o(self.grad_h[t - 1])}·{o(self.local[t - 1])}·{o(self.h_prev[t - 1])} = "
                              f"{n(self.grad_w_hh_terms[t - 1])}"))
        hh_terms = " + ".join(o(v) for v in self.grad_w_hh_terms)
        xh_terms = " + ".join(f"{o(g)}·{o(x)}" for g, x in zip(self.grad_a, self.x, strict=True))
        b_terms = " + ".join(o(g) for g in self.grad_a)
        lines += [
            Step("grad_w_hh", f"∂L/∂w_hh = the sum of the steps' parts = {hh_terms} = {n(self.grad_w_hh)}"),
            Step("grad_w_xh", f"∂L/∂w_xh = Σ_t ∂L/∂a_t·x_t = {xh_terms} = {n(self.grad_w_xh)}"),
            Step("grad_b", f"∂L/∂b = Σ_t ∂L/∂a_t = {b_terms} = {n(self.grad_b)}"),
            Step("grad_w_hy", f"∂L/∂w_hy = ∂L/∂ŷ·h{T} = {o(d)}·{o(self.h[-1])} = {n(self.grad_w_hy)}"),
        ]
        return lines


def _as_floats(name: str, values: Sequence[float] | torch.Tensor) -> list[float]:
    """``values`` (a sequence of numbers or a 1-d tensor) as finite floats, at least one."""
    if isinstance(values, torch.Tensor):
        if values.ndim != 1:
            raise ValueError(f"trace_rnn expects {name} as a 1-d sequence of numbers (x_1..x_T), "
                             f"got a tensor of shape {tuple(values.shape)}")
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ValueError(f"trace_rnn expects {name} as a sequence of numbers, got {type(values).__name__}")
    if not values:
        raise ValueError(f"trace_rnn expects {name} to hold at least one step, got an empty sequence")
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, (int, float))
           or not math.isfinite(v)]
    if bad:
        raise ValueError(f"trace_rnn expects {name} to be finite numbers, got {bad[0]!r} in {list(values)!r}")
    return [float(v) for v in values]


def _as_float(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"trace_rnn expects {name} to be a finite number, got {value!r}")
    return float(value)


def trace_rnn(x: Sequence[float] | torch.Tensor = (1.0, 0.5, 0.5, -1.0), *, w_xh: float = 0.5,
              w_hh: float = 0.6, b: float = 0.0, w_hy: float = 2.0, target: float = -1.0,
              h0: float = 0.0) -> RNNTrace:
    """Run the 1-1-1 Elman RNN of ``RNNTrace`` over ``x`` (x_1..x_T), then backpropagate
    through time, and record every number.

    The defaults are the scene's: four inputs, w_hh = 0.6, so ∂L/∂h_t roughly halves at
    each step back (1.194, 0.6875, 0.3123, 0.1436), and the last input, −1, flips h.

    >>> t = trace_rnn()
    >>> [round(h, 4) for h in t.h], round(t.y_hat, 4)
    ([0.4621, 0.4833, 0.493, -0.2014], -0.4029)
    >>> [round(g, 4) for g in t.grad_h]
    [0.1436, 0.3123, 0.6875, 1.1943]
    """
    xs = _as_floats("x", x)
    w_xh, w_hh, b, w_hy, target, h0 = (_as_float(name, v) for name, v in (
        ("w_xh", w_xh), ("w_hh", w_hh), ("b", b), ("w_hy", w_hy), ("target", target), ("h0", h0)))
    # the library's cell with hidden size 1; its parameters are replaced by the given weights,
    # drawn first from a generator of its own so that no global random state is touched
    cell = RNNCell(1, 1, generator=torch.Generator().manual_seed(0)).double()
    bias_ih, bias_hh = cell.bias_ih, cell.bias_hh
    assert bias_ih is not None and bias_hh is not None  # a cell made with bias=True
    with torch.no_grad():
        cell.weight_ih.fill_(w_xh)  # (1, 1)
        cell.weight_hh.fill_(w_hh)  # (1, 1)
        bias_ih.fill_(b)  # b_ih = b
        bias_hh.fill_(0.0)  # b_hh = 0: one bias is enough with one unit
    readout = torch.tensor(w_hy, dtype=torch.float64, requires_grad=True)
    with torch.enable_grad():  # a trace is autograd's numbers, even if called under no_grad
        h = torch.full((1, 1), h0, dtype=torch.float64)  # h_0, (B, H) = (1, 1)
        hs, pre = [], []
        for x_t in xs:
            x_in = torch.full((1, 1), x_t, dtype=torch.float64)  # (B, I) = (1, 1)
            with torch.no_grad():  # the pre-activation, for the record: a_t = w_xh x_t + b + w_hh h_{t−1}
                pre.append((cell.input_projection(x_in) + cell.hidden_projection(h)).item())
            h = cell(x_in, h)  # h_t = tanh(a_t), (1, 1)
            hs.append(h)
        y_hat = readout * h.squeeze()  # ŷ = w_hy·h_T
        loss = 0.5 * (y_hat - target) ** 2  # L = ½ (ŷ − y)²
        grads = torch.autograd.grad(loss, [y_hat, *hs, cell.weight_ih, cell.weight_hh, bias_ih, readout])
    g_y_hat, *g_hs, g_w_xh, g_w_hh, g_b, g_w_hy = (g.item() for g in grads)
    h_vals = [v.item() for v in hs]
    local = [1.0 - v * v for v in h_vals]  # tanh'(a_t) = 1 − h_t²
    grad_a = [g * d for g, d in zip(g_hs, local, strict=True)]  # ∂L/∂a_t = ∂L/∂h_t·(1 − h_t²)
    h_prev = [h0, *h_vals[:-1]]
    return RNNTrace(
        x=tuple(xs), w_xh=w_xh, w_hh=w_hh, b=b, w_hy=w_hy, target=target, h0=h0,
        a=tuple(pre), h=tuple(h_vals), y_hat=y_hat.item(), loss=loss.item(), grad_y_hat=g_y_hat,
        grad_h=tuple(g_hs), local=tuple(local), grad_a=tuple(grad_a),
        factors=tuple(w_hh * d for d in local[1:]),  # ∂h_{t+1}/∂h_t = w_hh·(1 − h_{t+1}²)
        grad_w_hh_terms=tuple(g * hp for g, hp in zip(grad_a, h_prev, strict=True)),  # ∂L/∂a_t·h_{t−1}
        grad_w_hh=g_w_hh, grad_w_xh=g_w_xh, grad_b=g_b, grad_w_hy=g_w_hy,
    )
