"""A scalar autograd engine: every number remembers how it was made, so gradients flow back.

Taught in docs/training/backpropagation/. In the spirit of A. Karpathy's micrograd:
each ``Value`` holds one float, the ``Value`` objects it was computed from and the name
of the operation. Each operation defines its backward right under its forward: a
closure that multiplies the output's gradient by the local derivative and adds the
result to each input's ``grad`` (the chain rule, ∂L/∂a = ∂L/∂out · ∂out/∂a).
``backward()`` visits the graph from the output back to the inputs in topological
order. tests/library/test_autograd.py builds random expressions both here and with
``torch.autograd`` in float64 and compares every value and every gradient.

>>> a, b = Value(2.0), Value(-3.0)
>>> L = a * b + a  # a is used twice: its gradient is the sum over both uses
>>> L.backward()
>>> a.grad, b.grad  # ∂L/∂a = b + 1, ∂L/∂b = a
(-2.0, 2.0)
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Sequence

__all__ = ["MLP", "Layer", "Module", "Neuron", "Value", "get_value_activation"]


class Value:
    """One scalar node of a computation graph: ``data``, ``grad`` = ∂(output)/∂(this node).

    ``children`` are the inputs of the operation that produced this node (empty for a
    leaf such as a weight or an input), ``op`` names that operation ("+", "*", "**2",
    "tanh", ...). ``label`` is an optional name ("w1", "h1") for printing and drawing.
    Values compare by identity, so they can be kept in sets and dicts.
    """

    def __init__(self, data: float, children: tuple[Value, ...] = (), op: str = "", *,
                 label: str = "") -> None:
        if not isinstance(data, numbers.Real):
            raise TypeError(f"Value expects a real Python number, got {type(data).__name__}; "
                            "convert a 0-d tensor with float(t)")
        self.data: float = float(data)
        self.grad: float = 0.0  # ∂(output)/∂(this node), filled in by output.backward()
        self.children: tuple[Value, ...] = children
        self.op: str = op
        self.label: str = label
        self._backward: Callable[[], None] = lambda: None  # a leaf passes nothing on

    # --- Basic operations: forward, then backward right below ----------------

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            # ∂(a + b)/∂a = 1, ∂(a + b)/∂b = 1: the gradient is copied to both inputs
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            # ∂(a b)/∂a = b, ∂(a b)/∂b = a: each input gets the other one's value
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent: float) -> Value:
        if isinstance(exponent, Value) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"Value ** n expects a constant int or float n, got {type(exponent).__name__}")
        n = float(exponent)
        if self.data < 0 and not n.is_integer():
            raise ValueError(f"Value ** {n:g} of a negative number ({self.data:g}) is not real")
        out = Value(self.data**n, (self,), f"**{n:g}")

        def _backward() -> None:
            # ∂aⁿ/∂a = n aⁿ⁻¹
            self.grad += n * self.data ** (n - 1) * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward() -> None:
            # ∂eᵃ/∂a = eᵃ, the output itself
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"Value.log expects a positive number, got {self.data:g}")
        out = Value(math.log(self.data), (self,), "log")

        def _backward() -> None:
            # ∂ ln a/∂a = 1/a
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward() -> None:
            # ∂ tanh a/∂a = 1 − tanh² a
            self.grad += (1 - out.data**2) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        # σ(a) = 1/(1 + e⁻ᵃ), written with e^{−|a|} ≤ 1 so that no exponent overflows
        e = math.exp(-abs(self.data))
        out = Value(1 / (1 + e) if self.data >= 0 else e / (1 + e), (self,), "sigmoid")

        def _backward() -> None:
            # ∂σ(a)/∂a = σ(a) (1 − σ(a))
            self.grad += out.data * (1 - out.data) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward() -> None:
            # ∂ max(a, 0)/∂a = 1 if a > 0 else 0 (0 at the kink, as in PyTorch)
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad

        out._backward = _backward
        return out

    # --- Derived operations: built from the basic ones, so no backward of their own

    def __neg__(self) -> Value:  # −a = a · (−1)
        return self * -1

    def __sub__(self, other: Value | float) -> Value:  # a − b = a + (−b)
        return self + (-other)

    def __truediv__(self, other: Value | float) -> Value:  # a / b = a · b⁻¹
        return self * other**-1

    def __radd__(self, other: float) -> Value:  # 2 + a
        return self + other

    def __rmul__(self, other: float) -> Value:  # 2 · a
        return self * other

    def __rsub__(self, other: float) -> Value:  # 2 − a = 2 + (−a)
        return other + (-self)

    def __rtruediv__(self, other: float) -> Value:  # 2 / a = 2 · a⁻¹
        return other * self**-1

    # --- The backward pass -----------------------------------------------------

    def topological_order(self) -> list[Value]:
        """Every node of the graph that ends here, each listed after all of its children.

        An iterative depth-first search (so deep graphs do not hit Python's recursion
        limit): a node is appended only once everything it was computed from has been.
        """
        order: list[Value] = []
        visited: set[Value] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))  # comes back here after all the children
                stack.extend((child, False) for child in reversed(node.children))
        return order

    def backward(self) -> None:
        """Fill in ``grad`` = ∂self/∂node for every node of the graph, by the chain rule.

        Starts from ∂self/∂self = 1 and calls each node's backward closure from the
        output towards the inputs, so a node passes its gradient on only after every
        use of it has added its share. As in PyTorch, leaves *accumulate* across calls
        (``Module.zero_grad()`` resets them between steps); inner nodes start afresh.
        """
        order = self.topological_order()
        for node in order:
            if node.children:
                node.grad = 0.0
        self.grad += 1.0  # ∂self/∂self = 1
        for node in reversed(order):
            node._backward()

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g}{op})"


# --- A tiny neural-network library on Values -------------------------------------

_VALUE_ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "linear": lambda v: v, "sigmoid": Value.sigmoid, "tanh": Value.tanh, "relu": Value.relu,
}


def get_value_activation(name: str) -> Callable[[Value], Value]:
    """The activation ``name`` ("linear", "sigmoid", "tanh" or "relu") as a Value -> Value."""
    if name not in _VALUE_ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of: {', '.join(_VALUE_ACTIVATIONS)}")
    return _VALUE_ACTIVATIONS[name]


class Module:
    """Base class with PyTorch's names: ``parameters()`` and ``zero_grad()``."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """One unit ``g(Σ_i w_i x_i + b)``; ``w``, ``b`` drawn from U(−1/√n_in, 1/√n_in) by ``rng``
    (default: the global ``random``, which ``dlbook.seed_everything`` seeds)."""

    def __init__(self, n_in: int, *, activation: str = "tanh", rng: random.Random | None = None) -> None:
        if not isinstance(n_in, int) or n_in < 1:
            raise ValueError(f"Neuron expects n_in to be a positive int, got {n_in!r}")
        uniform = rng.uniform if rng is not None else random.uniform
        bound = 1 / math.sqrt(n_in)
        self.w = [Value(uniform(-bound, bound)) for _ in range(n_in)]
        self.b = Value(uniform(-bound, bound))
        self.activation = get_value_activation(activation)

    def __call__(self, x: Sequence[Value | float]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"Neuron expects {len(self.w)} inputs, got {len(x)}")
        z = sum((w_i * x_i for w_i, x_i in zip(self.w, x, strict=True)), self.b)  # z = Σ_i w_i x_i + b
        return self.activation(z)

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]


class Layer(Module):
    """``n_out`` neurons reading the same ``n_in`` inputs: n_in Values in, n_out out."""

    def __init__(self, n_in: int, n_out: int, *, activation: str = "tanh",
                 rng: random.Random | None = None) -> None:
        if not isinstance(n_out, int) or n_out < 1:
            raise ValueError(f"Layer expects n_out to be a positive int, got {n_out!r}")
        self.neurons = [Neuron(n_in, activation=activation, rng=rng) for _ in range(n_out)]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        return [neuron(x) for neuron in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]


class MLP(Module):
    """Layers of sizes ``[d_in, h_1, ..., d_out]`` as in ``dlbook.mlp.MLP``: d_in numbers in,
    a list of d_out Values out; hidden layers use ``activation``, the last ``output_activation``."""

    def __init__(self, sizes: Sequence[int], *, activation: str = "tanh",
                 output_activation: str = "linear", rng: random.Random | None = None) -> None:
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP expects sizes [d_in, ..., d_out] with at least 2 entries, got {sizes}")
        last = len(sizes) - 2
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=output_activation if i == last else activation, rng=rng)
            for i in range(len(sizes) - 1)
        ]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        out = self.layers[0](x)
        for layer in self.layers[1:]:
            out = layer(out)
        return out

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]
