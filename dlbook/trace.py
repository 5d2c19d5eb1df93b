"""Traces of tiny networks: every number of a forward pass, a backward pass and an update.

Taught in docs/training/backpropagation/ and drawn by the scenes in animations/. Each
trace is computed with dlbook.autograd's ``Value`` engine, the engine that chapter
builds, so the numbers on screen come from the code the reader studies. A trace is a
frozen dataclass of plain floats, and ``steps()`` spells the computation out in words,
one caption per step. Each caption is keyed by the quantity it arrives at (``"h1"``,
``"delta"``, ``"grad_w5"``, ``"w5_new"``, ...): ``keyed_steps()`` lists ``Step(key, text)``
in order, and a scene asks for the captions it shows with ``step(key)`` or
``steps_for(*keys)``. tests/library/test_trace.py checks every number against plain PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from dlbook.autograd import Value, get_value_activation

__all__ = [
    "WIRING",
    "GradientDescentPoint",
    "GradientDescentTrace",
    "NetworkTrace",
    "PerceptronTrace",
    "Step",
    "format_number",
    "parabola",
    "trace_gradient_descent",
    "trace_parabola_descent",
    "trace_perceptron",
    "trace_two_layer",
]

# The 2-2-1 network of trace_two_layer: weight -> (the unit it reads, the unit it feeds)
WIRING: dict[str, tuple[str, str]] = {
    "w1": ("x1", "h1"), "w2": ("x2", "h1"),
    "w3": ("x1", "h2"), "w4": ("x2", "h2"),
    "w5": ("h1", "y_hat"), "w6": ("h2", "y_hat"),
}
_Number = TypeVar("_Number", float, Value)  # parabola works on both
_SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu"}


def format_number(value: float, *, digits: int = 4) -> str:
    """``value`` with ``digits`` significant digits, as captions and scenes print it.

    >>> format_number(-0.80900001), format_number(0.0024726), format_number(-0.0)
    ('-0.809', '0.002473', '0')
    """
    if not isinstance(digits, int) or isinstance(digits, bool) or digits < 1:
        raise ValueError(f"format_number expects digits to be an int >= 1, got {digits!r}")
    if not (isinstance(value, (int, float)) and math.isfinite(value)):
        raise ValueError(f"format_number expects a finite number, got {value!r}")
    s = f"{value:.{digits}g}"
    return "0" if s == "-0" else s


def _formatters(digits: int) -> tuple[Callable[[float], str], Callable[[float], str]]:
    """Two ways to print a number with ``digits`` significant digits in a caption:
    as a result (``-0.809``) and as an operand, negatives in parentheses (``(-0.809)``)."""
    def n(v: float) -> str:
        return format_number(v, digits=digits)

    return n, lambda v: f"({n(v)})" if n(v).startswith("-") else n(v)


def _check_finite(name: str, values: Sequence[float]) -> None:
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
        raise ValueError(f"{name} expects finite numbers, got {list(values)!r}")


# --- Captions, by key --------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One caption of a trace: ``text`` spells a computation out, ``key`` names the quantity
    it arrives at (``Step("delta", "δ = ŷ − y = 0.191 − 1 = -0.809")``)."""

    key: str
    text: str


class _Captioned:
    """What every trace can say: its captions in order, or the ones a scene asks for by key.

    A trace writes its captions once, in ``keyed_steps()``; the rest is read from there.
    """

    def keyed_steps(self, *, digits: int = 4) -> list[Step]:
        raise NotImplementedError(f"{type(self).__name__} must define keyed_steps()")

    def steps(self, *, digits: int = 4) -> list[str]:
        """The captions in order, one per step of the computation (the pages print these)."""
        return [s.text for s in self.keyed_steps(digits=digits)]

    def step_keys(self) -> list[str]:
        """The keys of the captions, in order: ``["h1", "h2", "y_hat", "delta", ...]``."""
        return [s.key for s in self.keyed_steps()]

    def step(self, key: str, *, digits: int = 4) -> str:
        """The caption keyed ``key``, e.g. ``step("grad_w5")`` is ``"∂L/∂w5 = δ·h1 = ..."``."""
        return self.steps_for(key, digits=digits)[0]

    def steps_for(self, *keys: str, digits: int = 4) -> list[str]:
        """The captions keyed ``keys``, in the order asked; an unknown key raises a KeyError
        that lists the keys this trace has."""
        by_key = {s.key: s.text for s in self.keyed_steps(digits=digits)}
        unknown = [k for k in keys if k not in by_key]
        if unknown:
            raise KeyError(f"{type(self).__name__} has no step {unknown[0]!r}; "
                           f"its steps are {', '.join(by_key)}")
        return [by_key[k] for k in keys]


# --- One neuron ----------------------------------------------------------------------


@dataclass(frozen=True)
class PerceptronTrace(_Captioned):
    """The forward pass of one neuron, ``z = w0 + Σ_i w_i x_i`` and ``ŷ = g(z)``.

    Its steps are keyed ``product1`` .. ``product<d>`` (``w_i·x_i``), ``z`` and ``y_hat``.
    """

    x: tuple[float, ...]  # inputs x_1..x_d
    w: tuple[float, ...]  # weights w_1..w_d
    w0: float  # bias
    products: tuple[float, ...]  # w_i · x_i, one per input
    z: float  # pre-activation
    y_hat: float  # g(z)
    activation: str  # the name of g

    def keyed_steps(self, *, digits: int = 4) -> list[Step]:
        """The forward pass in words, e.g. ``Step("z", "z = w0 + w1·x1 + w2·x2 = 1 + (-3) + (-4) = -6")``."""
        n, o = _formatters(digits)  # o(v) wraps a negative operand in parentheses
        pairs = enumerate(zip(self.w, self.x, self.products, strict=True), start=1)
        lines = [Step(f"product{i}", f"w{i}·x{i} = {o(w)}·{o(x)} = {n(p)}") for i, (w, x, p) in pairs]
        terms = " + ".join(f"w{i}·x{i}" for i in range(1, len(self.w) + 1))
        numbers = " + ".join(o(v) for v in (self.w0, *self.products))
        lines.append(Step("z", f"z = w0 + {terms} = {numbers} = {n(self.z)}"))
        if self.activation == "linear":
            lines.append(Step("y_hat", f"ŷ = z = {n(self.y_hat)}"))
        else:
            g = _SYMBOL[self.activation]
            lines.append(Step("y_hat", f"ŷ = {g}(z) = {g}({n(self.z)}) = {n(self.y_hat)}"))
        return lines


def trace_perceptron(w0: float = 1.0, w: Sequence[float] = (3.0, -2.0), x: Sequence[float] = (-1.0, 2.0), *,
                     activation: str = "sigmoid") -> PerceptronTrace:
    """Trace ``ŷ = g(w0 + Σ_i w_i x_i)``; ``w`` and ``x`` are d numbers each (lists or 1-d tensors).

    The defaults are the lecture's neuron, drawn by animations/perceptron.py:
    z = 1 + 3·(-1) + (-2)·2 = -6 and σ(-6) ≈ 0.0025.
    """
    w_, x_ = [float(v) for v in w], [float(v) for v in x]
    if len(w_) != len(x_) or not w_:
        raise ValueError(f"trace_perceptron expects w and x of the same length d >= 1, "
                         f"got {len(w_)} and {len(x_)}")
    _check_finite("trace_perceptron", [w0, *w_, *x_])
    g = get_value_activation(activation)
    products = [Value(w_i) * x_i for w_i, x_i in zip(w_, x_, strict=True)]  # w_i x_i
    z = sum(products, Value(float(w0)))  # z = w0 + Σ_i w_i x_i
    y_hat = g(z)
    return PerceptronTrace(x=tuple(x_), w=tuple(w_), w0=float(w0), products=tuple(p.data for p in products),
                           z=z.data, y_hat=y_hat.data, activation=activation)


# --- The 2-2-1 network, forward, backward and one step ------------------------------


@dataclass(frozen=True)
class NetworkTrace(_Captioned):
    """One training step of a 2-2-1 network, every value and gradient in it.

    Wiring (also in ``WIRING``): ``z1 = w1·x1 + w2·x2``, ``z2 = w3·x1 + w4·x2``,
    ``h_j = g(z_j)`` with g the hidden ``activation`` ("linear" gives h = z), and a
    linear output ``ŷ = w5·h1 + w6·h2``; no biases. The loss is ``L = ½ δ²`` with
    ``δ = ŷ − y``, so ∂L/∂ŷ = δ: the ½ cancels the 2 of the square. (The MSE of
    dlbook.losses, δ² for one sample, would double every gradient.) Then
    ∂L/∂w5 = δ·h1, ∂L/∂w6 = δ·h2, and through the hidden units ∂L/∂h1 = δ·w5,
    ∂L/∂z1 = ∂L/∂h1·g'(z1), ∂L/∂w1 = ∂L/∂z1·x1, ∂L/∂w2 = ∂L/∂z1·x2 (h2 alike,
    with w6, w3, w4). The update is ``w ← w − lr·∂L/∂w``, all weights at once.

    Its steps are keyed, in order: ``z1`` (not for a linear hidden layer), ``h1``, ``z2``,
    ``h2``, ``y_hat``, ``delta``, ``loss``; ``grad_y_hat``, ``grad_w5``, ``grad_w6``,
    ``grad_h1``, ``grad_z1`` (not if linear), ``grad_w1``, ``grad_w2``, the same for unit 2;
    ``w1_new`` .. ``w6_new``; and ``loss_new``, the forward pass with the new weights.
    """

    x: tuple[float, float]  # inputs (x1, x2)
    target: float  # y
    lr: float  # learning rate η
    activation: str  # hidden units' g
    weights: dict[str, float]  # "w1".."w6" before the step
    z1: float  # hidden pre-activations
    z2: float
    h1: float  # hidden activations g(z)
    h2: float
    y_hat: float  # prediction
    delta: float  # δ = ŷ − y
    loss: float  # ½ δ²
    grad_h1: float  # ∂L/∂h1 = δ·w5
    grad_h2: float  # ∂L/∂h2 = δ·w6
    dh1_dz1: float  # g'(z1), 1 for "linear"
    dh2_dz2: float  # g'(z2)
    grad_z1: float  # ∂L/∂z1 = ∂L/∂h1·g'(z1)
    grad_z2: float  # ∂L/∂z2 = ∂L/∂h2·g'(z2)
    grads: dict[str, float]  # ∂L/∂w_k for "w1".."w6"
    new_weights: dict[str, float]  # w_k − lr·∂L/∂w_k
    new_h1: float  # the forward pass again, with new_weights
    new_h2: float
    new_y_hat: float
    new_loss: float  # ½ (new ŷ − y)²

    def keyed_steps(self, *, digits: int = 4) -> list[Step]:
        """Forward, backward and update in words, e.g. ``"h1 = w1·x1 + w2·x2 = 0.11·2 + 0.21·3 = 0.85"``.

        With a linear hidden layer h = z, so the hidden units are called h1, h2 throughout;
        otherwise z1, z2 and h1 = g(z1), h2 = g(z2) each get a line.
        """
        n, o = _formatters(digits)  # o(v) wraps a negative operand in parentheses
        w, (x1, x2), y, linear = self.weights, self.x, self.target, self.activation == "linear"
        g = _SYMBOL.get(self.activation, "")
        hidden = [  # unit j, its weights from x1 and x2, its weight to ŷ, its numbers
            (1, "w1", "w2", "w5", self.z1, self.h1, self.grad_h1, self.dh1_dz1, self.grad_z1),
            (2, "w3", "w4", "w6", self.z2, self.h2, self.grad_h2, self.dh2_dz2, self.grad_z2),
        ]
        lines: list[tuple[str, str]] = []  # (key, caption)
        for j, a, b, _, z, h, *_grads in hidden:  # forward
            pre = f"h{j}" if linear else f"z{j}"
            lines.append((pre, f"{pre} = {a}·x1 + {b}·x2 = {o(w[a])}·{o(x1)} + {o(w[b])}·{o(x2)} = {n(z)}"))
            if not linear:
                lines.append((f"h{j}", f"h{j} = {g}(z{j}) = {g}({n(z)}) = {n(h)}"))
        d = self.delta
        lines += [
            ("y_hat", f"ŷ = w5·h1 + w6·h2 = {o(w['w5'])}·{o(self.h1)} + {o(w['w6'])}·{o(self.h2)} = "
                      f"{n(self.y_hat)}"),
            ("delta", f"δ = ŷ − y = {o(self.y_hat)} − {o(y)} = {n(d)}"),
            ("loss", f"L = ½·δ² = ½·{o(d)}² = {n(self.loss)}"),
            ("grad_y_hat", f"∂L/∂ŷ = δ = {n(d)}"),  # backward
            ("grad_w5", f"∂L/∂w5 = δ·h1 = {o(d)}·{o(self.h1)} = {n(self.grads['w5'])}"),
            ("grad_w6", f"∂L/∂w6 = δ·h2 = {o(d)}·{o(self.h2)} = {n(self.grads['w6'])}"),
        ]
        for j, a, b, w_out, _, _, grad_h, local, grad_z in hidden:
            lines.append((f"grad_h{j}", f"∂L/∂h{j} = δ·{w_out} = {o(d)}·{o(w[w_out])} = {n(grad_h)}"))
            pre = f"h{j}" if linear else f"z{j}"
            if not linear:
                lines.append((f"grad_z{j}",
                              f"∂L/∂z{j} = ∂L/∂h{j}·{g}'(z{j}) = {o(grad_h)}·{o(local)} = {n(grad_z)}"))
            for k, x_i, i in ((a, x1, 1), (b, x2, 2)):
                lines.append((f"grad_{k}",
                              f"∂L/∂{k} = ∂L/∂{pre}·x{i} = {o(grad_z)}·{o(x_i)} = {n(self.grads[k])}"))
        for k in WIRING:  # update
            lines.append((f"{k}_new", f"{k} ← {k} − η·∂L/∂{k} = {o(w[k])} − {o(self.lr)}·{o(self.grads[k])}"
                                      f" = {n(self.new_weights[k])}"))
        lines.append(("loss_new", f"with the new weights: h1 = {n(self.new_h1)}, h2 = {n(self.new_h2)}, "
                                  f"ŷ = {n(self.new_y_hat)}, L = {n(self.new_loss)} (was {n(self.loss)})"))
        return [Step(key, text) for key, text in lines]


def _two_layer_forward(x: tuple[float, float], w: dict[str, Value],
                       g: Callable[[Value], Value]) -> tuple[Value, Value, Value, Value, Value]:
    """``(z1, z2, h1, h2, y_hat)`` of the 2-2-1 network, as Values."""
    x1, x2 = x
    z1 = w["w1"] * x1 + w["w2"] * x2  # z1 = w1 x1 + w2 x2
    z2 = w["w3"] * x1 + w["w4"] * x2  # z2 = w3 x1 + w4 x2
    h1, h2 = g(z1), g(z2)
    y_hat = w["w5"] * h1 + w["w6"] * h2  # ŷ = w5 h1 + w6 h2
    return z1, z2, h1, h2, y_hat


def _local_derivative(g: Callable[[Value], Value], z: float) -> float:
    """g'(z), by the engine: one node through g, then backward."""
    v = Value(z)
    g(v).backward()
    return v.grad


def trace_two_layer(*, x: Sequence[float] = (2.0, 3.0),
                    w: Sequence[float] = (0.11, 0.21, 0.12, 0.08, 0.14, 0.15),
                    target: float = 1.0, lr: float = 0.05, activation: str = "linear") -> NetworkTrace:
    """Run one step of gradient descent on the 2-2-1 network of ``NetworkTrace`` and record it.

    ``x`` is (x1, x2), ``w`` is (w1, ..., w6) wired as in ``WIRING``. The defaults are
    the lecture's worked example; ``activation`` ("linear", "sigmoid", "tanh", "relu")
    is applied to the two hidden units only.
    """
    x_, w_ = tuple(float(v) for v in x), [float(v) for v in w]
    if len(x_) != 2 or len(w_) != 6:
        raise ValueError(f"trace_two_layer expects 2 inputs and 6 weights, got {len(x_)} and {len(w_)}")
    _check_finite("trace_two_layer", [*x_, *w_, target])
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"trace_two_layer expects a positive finite lr, got {lr!r}")
    g = get_value_activation(activation)
    weights = {name: Value(v, label=name) for name, v in zip(WIRING, w_, strict=True)}
    z1, z2, h1, h2, y_hat = _two_layer_forward((x_[0], x_[1]), weights, g)
    delta = y_hat - target  # δ = ŷ − y
    loss = 0.5 * delta**2  # L = ½ δ²
    loss.backward()  # fills every .grad below
    grads = {name: v.grad for name, v in weights.items()}
    new = {name: v.data - lr * v.grad for name, v in weights.items()}  # w ← w − η ∂L/∂w
    *_, new_h1, new_h2, new_y_hat = _two_layer_forward(
        (x_[0], x_[1]), {name: Value(v) for name, v in new.items()}, g)
    return NetworkTrace(
        x=(x_[0], x_[1]), target=float(target), lr=float(lr), activation=activation,
        weights={name: v.data for name, v in weights.items()},
        z1=z1.data, z2=z2.data, h1=h1.data, h2=h2.data, y_hat=y_hat.data, delta=delta.data, loss=loss.data,
        grad_h1=h1.grad, grad_h2=h2.grad, dh1_dz1=_local_derivative(g, z1.data),
        dh2_dz2=_local_derivative(g, z2.data), grad_z1=z1.grad, grad_z2=z2.grad,
        grads=grads, new_weights=new, new_h1=new_h1.data, new_h2=new_h2.data,
        new_y_hat=new_y_hat.data, new_loss=0.5 * (new_y_hat.data - target) ** 2,
    )


# --- Gradient descent on a curve ---------------------------------------------------------


@dataclass(frozen=True)
class GradientDescentPoint:
    """One point of a 1-D descent; the next point is at ``x − step``."""

    x: float
    fx: float  # f(x)
    slope: float  # f'(x)
    step: float  # lr · f'(x)


@dataclass(frozen=True)
class GradientDescentTrace(_Captioned):
    """The walk ``x_{k+1} = x_k − lr·f'(x_k)``: ``num_steps + 1`` points, from x0 to the last x.

    Its steps are the moves, keyed by where each lands: ``x1``, ``x2``, ..., ``x<num_steps>``.
    """

    lr: float
    points: tuple[GradientDescentPoint, ...]

    def keyed_steps(self, *, digits: int = 4) -> list[Step]:
        """One caption per move, keyed by where it lands, e.g. ``Step("x1", "x0 = 3: f = 9, f' = 6,
        step = 0.1·6 = 0.6, so x1 = 3 − 0.6 = 2.4")``."""
        n, o = _formatters(digits)  # o(v) wraps a negative operand in parentheses
        moves = enumerate(zip(self.points[:-1], self.points[1:], strict=True), start=1)
        return [Step(f"x{k}", f"x{k - 1} = {n(p.x)}: f = {n(p.fx)}, f' = {n(p.slope)}, step = {o(self.lr)}·"
                              f"{o(p.slope)} = {n(p.step)}, so x{k} = {o(p.x)} − {o(p.step)} = {n(nxt.x)}")
                for k, (p, nxt) in moves]


def trace_gradient_descent(f: Callable[[float], float], df: Callable[[float], float], x0: float,
                           lr: float, num_steps: int) -> GradientDescentTrace:
    """Walk downhill on ``f`` from ``x0``: ``num_steps`` moves of ``−lr·df(x)`` each."""
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"trace_gradient_descent expects a positive finite lr, got {lr!r}")
    if not isinstance(num_steps, int) or num_steps < 0:
        raise ValueError(f"trace_gradient_descent expects num_steps to be an int >= 0, got {num_steps!r}")
    points, x = [], float(x0)
    for k in range(num_steps + 1):
        fx, slope = float(f(x)), float(df(x))
        if not all(math.isfinite(v) for v in (x, fx, slope)):
            raise ValueError(f"gradient descent left the finite numbers at step {k} "
                             f"(x = {x}, f(x) = {fx}, f'(x) = {slope}); try a smaller lr")
        points.append(GradientDescentPoint(x=x, fx=fx, slope=slope, step=lr * slope))
        x = x - lr * slope  # x ← x − η f'(x)
    return GradientDescentTrace(lr=float(lr), points=tuple(points))


def parabola(x: _Number) -> _Number:
    """The bowl ``f(x) = x²`` that animations/gradient_descent.py walks down (floats or Values)."""
    return x * x


def trace_parabola_descent(*, x0: float = 3.0, lr: float = 0.1, num_steps: int = 4) -> GradientDescentTrace:
    """Gradient descent on ``parabola`` from ``x0``; the slope ``f'(x) = 2x`` is found by the
    autograd engine (one ``Value`` through f, then backward), not written by hand."""
    return trace_gradient_descent(parabola, lambda x: _local_derivative(parabola, x), x0, lr, num_steps)
