"""dlbook.autograd against torch.autograd: the same expressions, the same values and gradients."""

from __future__ import annotations

import math
import random
import re
import sys
from collections.abc import Callable
from typing import Any

import pytest
import torch

from dlbook.autograd import MLP, Layer, Neuron, Value, get_value_activation

F64 = torch.float64


def leaf(x: float) -> tuple[Value, torch.Tensor]:
    """The same number as a Value and as a float64 leaf tensor that requires grad."""
    return Value(x), torch.tensor(x, dtype=F64, requires_grad=True)


def assert_same(out: Value, t_out: torch.Tensor, leaves: list[tuple[Value, torch.Tensor]]) -> None:
    """Same value at the output, same gradient at every leaf (None in torch counts as 0)."""
    assert out.data == pytest.approx(t_out.item(), rel=1e-12, abs=1e-12)
    out.backward()
    t_out.backward()
    for v, t in leaves:
        expected = 0.0 if t.grad is None else t.grad.item()
        assert v.grad == pytest.approx(expected, rel=1e-10, abs=1e-12)


# --- One operation at a time ----------------------------------------------------

# Each form is written once and applied to Values and to tensors alike.
UNARY: dict[str, Callable[[Any], Any]] = {
    "neg": lambda a: -a,
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "pow 2": lambda a: a**2,
    "pow 3": lambda a: a**3,
    "pow -1": lambda a: a**-1,
    "pow 0.5": lambda a: a**0.5,
    "pow -1.5": lambda a: a**-1.5,
    "radd": lambda a: 2.5 + a,
    "rsub": lambda a: 2.5 - a,
    "rmul": lambda a: -1.5 * a,
    "rtruediv": lambda a: 3.0 / a,
    "sub const": lambda a: a - 4.0,
    "div const": lambda a: a / 4.0,
}
BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b,
}


@pytest.mark.parametrize("x", [0.7, 2.3])
@pytest.mark.parametrize("name", UNARY)
def test_each_unary_op_against_torch(name: str, x: float) -> None:
    a, ta = leaf(x)
    assert_same(UNARY[name](a), UNARY[name](ta), [(a, ta)])


@pytest.mark.parametrize("x", [-0.7, -2.3])
@pytest.mark.parametrize("name", ["neg", "exp", "tanh", "sigmoid", "relu", "pow 2", "pow 3", "pow -1",
                                  "rsub", "rtruediv"])
def test_unary_ops_on_negative_numbers(name: str, x: float) -> None:
    a, ta = leaf(x)
    assert_same(UNARY[name](a), UNARY[name](ta), [(a, ta)])


@pytest.mark.parametrize("name", BINARY)
def test_each_binary_op_against_torch(name: str) -> None:
    (a, ta), (b, tb) = leaf(1.3), leaf(-0.6)
    assert_same(BINARY[name](a, b), BINARY[name](ta, tb), [(a, ta), (b, tb)])


def test_sigmoid_and_relu_at_the_extremes() -> None:
    for x in (-1000.0, 1000.0):  # the naive 1/(1 + e^{−x}) would overflow at −1000
        a, ta = leaf(x)
        assert_same(a.sigmoid(), ta.sigmoid(), [(a, ta)])
    a, ta = leaf(0.0)
    assert_same(a.relu(), ta.relu(), [(a, ta)])  # derivative 0 at the kink, as PyTorch


# --- Random expressions ------------------------------------------------------------

FORMS: list[Callable[[Any, Any], Any]] = [
    *BINARY.values(),
    *(lambda a, b, f=f: f(a) for f in UNARY.values()),
    lambda a, b: (a * a + 0.1).log(),  # log of something positive
    lambda a, b: (b * b + 0.5) ** -0.5,
    lambda a, b: a * b + a,  # a used twice within one step
]


def random_expression(seed: int, *, n_leaves: int = 3, n_ops: int = 14) -> tuple[Any, ...]:
    """Build one random expression twice, with Values and with tensors, reusing nodes freely."""
    rng = random.Random(seed)
    leaves = [leaf(rng.uniform(-2.0, 2.0)) for _ in range(n_leaves)]
    pool = list(leaves)
    for _ in range(n_ops):
        form = rng.choice(FORMS)
        (a, ta), (b, tb) = rng.choice(pool), rng.choice(pool)  # may pick the same node twice
        try:
            v = form(a, b)
        except (ValueError, ZeroDivisionError, OverflowError):  # outside the op's domain: skip
            continue
        if abs(v.data) < 1e3:
            pool.append((v, form(ta, tb)))
    # sum the last few nodes so that several branches (and reused nodes) meet at the output
    out, t_out = pool[-1]
    for v, t in pool[-4:-1]:
        out, t_out = out + v, t_out + t
    return out, t_out, leaves


@pytest.mark.parametrize("seed", range(40))
def test_random_expressions_match_torch(seed: int) -> None:
    out, t_out, leaves = random_expression(seed)
    assert_same(out, t_out, leaves)


def test_a_reused_node_accumulates_its_gradient() -> None:
    (a, ta), (b, tb) = leaf(1.5), leaf(-2.0)
    c, tc = a * b, ta * tb
    out, t_out = c * c + c + a, tc * tc + tc + ta  # c used three times, a twice
    assert_same(out, t_out, [(a, ta), (b, tb)])
    a2 = Value(3.0)
    (a2 + a2).backward()
    assert a2.grad == 2.0  # not 1: both uses of a2 count


# --- The backward pass itself ---------------------------------------------------------


def test_topological_order_puts_children_first() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    out = (c + a).tanh() * c
    order = out.topological_order()
    position = {id(v): i for i, v in enumerate(order)}
    assert len(order) == len(position) and order[-1] is out
    for v in order:
        assert all(position[id(child)] < position[id(v)] for child in v.children)


def test_deep_graph_needs_no_recursion() -> None:
    x = Value(0.5)
    out = x
    for _ in range(sys.getrecursionlimit() + 500):
        out = out * 1.0001 + 0.0
    out.backward()
    assert x.grad == pytest.approx(1.0001 ** (sys.getrecursionlimit() + 500))


def test_leaves_accumulate_across_calls_like_torch() -> None:
    (a, ta), (b, tb) = leaf(0.3), leaf(1.7)
    out, t_out = (a * b).tanh() + a, (ta * tb).tanh() + ta
    for _ in range(2):
        out.backward()
        t_out.backward(retain_graph=True)
    assert a.grad == pytest.approx(ta.grad.item()) and b.grad == pytest.approx(tb.grad.item())
    assert out.grad == 1.0  # inner nodes are not doubled


def test_repr_and_labels() -> None:
    assert repr(Value(2.0)) == "Value(data=2, grad=0)"
    w = Value(0.11, label="w1")
    out = w * 2
    out.backward()
    assert repr(w) == "Value(w1: data=0.11, grad=2)"
    assert repr(out) == "Value(data=0.22, grad=1, op='*')"
    assert (w**2).op == "**2" and w.exp().op == "exp" and out.children == (w, out.children[1])


def test_bad_input_fails_early() -> None:
    with pytest.raises(TypeError, match="real Python number, got str"):
        Value("1.0")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got Tensor"):
        Value(torch.tensor(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="constant int or float"):
        Value(2.0) ** Value(2.0)  # type: ignore[operator]
    with pytest.raises(ValueError, match="negative number"):
        Value(-4.0) ** 0.5
    with pytest.raises(ValueError, match="positive number, got 0"):
        Value(0.0).log()
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / Value(0.0)


# --- Neuron, Layer, MLP ------------------------------------------------------------------


def test_mlp_matches_the_same_network_in_torch() -> None:
    model = MLP([3, 4, 2], activation="tanh", output_activation="sigmoid", rng=random.Random(0))
    assert len(model.parameters()) == (3 + 1) * 4 + (4 + 1) * 2
    x = [0.5, -1.0, 2.0]
    out = model(x)
    loss = sum((o - t) ** 2 for o, t in zip(out, [1.0, 0.0], strict=True))
    assert isinstance(loss, Value)
    loss.backward()
    W1, W2 = ([[w.data for w in n.w] for n in layer.neurons] for layer in model.layers)
    b1, b2 = ([n.b.data for n in layer.neurons] for layer in model.layers)
    tensors = [torch.tensor(p, dtype=F64, requires_grad=True) for p in (W1, b1, W2, b2)]
    tW1, tb1, tW2, tb2 = tensors
    t_out = torch.sigmoid(torch.tanh(torch.tensor(x, dtype=F64) @ tW1.T + tb1) @ tW2.T + tb2)
    t_loss = ((t_out - torch.tensor([1.0, 0.0], dtype=F64)) ** 2).sum()
    t_loss.backward()
    assert loss.data == pytest.approx(t_loss.item(), rel=1e-12)
    grads = [p.grad for layer in model.layers for n in layer.neurons for p in n.parameters()]
    t_grads = torch.cat([torch.cat([tW.grad, tb.grad[:, None]], dim=1).flatten()  # type: ignore[index]
                         for tW, tb in ((tW1, tb1), (tW2, tb2))])
    assert torch.allclose(torch.tensor(grads, dtype=F64), t_grads, rtol=1e-10, atol=1e-12)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_mlp_learns_xor_with_gradient_descent() -> None:
    X, y = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0]
    model = MLP([2, 4, 1], activation="tanh", rng=random.Random(1))

    def loss_fn() -> Value:
        total = sum(((model(x)[0] - t) ** 2 for x, t in zip(X, y, strict=True)), Value(0.0))
        return total / len(X)

    first = loss_fn().data
    for _ in range(100):
        model.zero_grad()
        loss = loss_fn()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.3 * p.grad  # w ← w − η ∂L/∂w
    assert loss_fn().data < 0.05 < first


def test_modules_validate_their_sizes() -> None:
    with pytest.raises(ValueError, match="n_in to be a positive int, got 0"):
        Neuron(0)
    with pytest.raises(ValueError, match="n_out to be a positive int, got 0"):
        Layer(2, 0)
    with pytest.raises(ValueError, match="at least 2 entries, got \\[3\\]"):
        MLP([3])
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        Neuron(2)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=re.escape("unknown activation 'softmax'")):
        get_value_activation("softmax")
    assert math.isclose(get_value_activation("tanh")(Value(0.5)).data, math.tanh(0.5))
