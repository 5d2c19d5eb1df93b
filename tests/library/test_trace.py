"""dlbook.trace: every traced number against plain PyTorch, and the lecture's published figures."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest
import torch

import dlbook.autograd
from dlbook.backprop import mlp_forward_backward
from dlbook.trace import (
    WIRING,
    NetworkTrace,
    Step,
    format_number,
    parabola,
    trace_gradient_descent,
    trace_parabola_descent,
    trace_perceptron,
    trace_two_layer,
)

F64 = torch.float64
LECTURE_W = (0.11, 0.21, 0.12, 0.08, 0.14, 0.15)
TORCH_ACTIVATIONS = {"linear": lambda t: t, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


def torch_step(*, x: tuple[float, float] = (2.0, 3.0), w: tuple[float, ...] = LECTURE_W, target: float = 1.0,
               lr: float = 0.05, activation: str = "linear") -> dict[str, object]:
    """The 2-2-1 step of NetworkTrace's docstring in plain torch autograd and torch.optim.SGD."""
    g = TORCH_ACTIVATIONS[activation]
    weights = [torch.tensor(v, dtype=F64, requires_grad=True) for v in w]
    w1, w2, w3, w4, w5, w6 = weights
    x1, x2 = (torch.tensor(v, dtype=F64) for v in x)

    def forward() -> tuple[torch.Tensor, ...]:
        z1, z2 = w1 * x1 + w2 * x2, w3 * x1 + w4 * x2
        h1, h2 = g(z1), g(z2)
        return z1, z2, h1, h2, w5 * h1 + w6 * h2

    z1, z2, h1, h2, y_hat = forward()
    for t in (z1, z2, h1, h2):
        t.retain_grad()
    loss = 0.5 * (y_hat - target) ** 2
    loss.backward()
    out: dict[str, object] = {
        "z1": z1.item(), "z2": z2.item(), "h1": h1.item(), "h2": h2.item(), "y_hat": y_hat.item(),
        "delta": (y_hat - target).item(), "loss": loss.item(),
        "grad_z1": z1.grad.item(), "grad_z2": z2.grad.item(),  # type: ignore[union-attr]
        "grad_h1": h1.grad.item(), "grad_h2": h2.grad.item(),  # type: ignore[union-attr]
        "grads": {f"w{i}": t.grad.item() for i, t in enumerate(weights, 1)},  # type: ignore[union-attr]
    }
    torch.optim.SGD(weights, lr=lr).step()  # an update written by someone else
    with torch.no_grad():
        *_, new_h1, new_h2, new_y_hat = forward()
    out |= {"new_weights": {f"w{i}": t.item() for i, t in enumerate(weights, 1)},
            "new_h1": new_h1.item(), "new_h2": new_h2.item(), "new_y_hat": new_y_hat.item(),
            "new_loss": 0.5 * (new_y_hat.item() - target) ** 2}
    return out


def assert_trace_matches(trace: NetworkTrace, expected: dict[str, object]) -> None:
    for name, value in expected.items():
        ours = getattr(trace, name)
        if isinstance(value, dict):
            assert ours.keys() == value.keys(), name
            for k in value:
                assert ours[k] == pytest.approx(value[k], rel=1e-12, abs=1e-15), f"{name}[{k}]"
        else:
            assert ours == pytest.approx(value, rel=1e-12, abs=1e-15), name


# --- The lecture's 2-2-1 network ---------------------------------------------------------


def test_two_layer_trace_matches_torch_autograd_and_sgd() -> None:
    assert_trace_matches(trace_two_layer(), torch_step())


def test_two_layer_trace_reproduces_the_lectures_figures() -> None:
    t = trace_two_layer()
    assert (round(t.h1, 2), round(t.h2, 2)) == (0.85, 0.48)
    assert round(t.y_hat, 3) == 0.191
    assert round(t.delta, 3) == -0.809
    new = [round(t.new_weights[k], 4) for k in WIRING]
    assert new == [0.1213, 0.2270, 0.1321, 0.0982, 0.1744, 0.1694]
    assert round(t.new_y_hat, 3) == 0.256
    assert abs(t.new_y_hat - t.target) < abs(t.y_hat - t.target) and t.new_loss < t.loss


def test_inputs_and_weights_are_recorded_as_given() -> None:
    t = trace_two_layer()
    assert t.x == (2.0, 3.0) and t.target == 1.0 and t.lr == 0.05 and t.activation == "linear"
    assert t.weights == dict(zip(WIRING, LECTURE_W, strict=True))
    assert (t.z1, t.z2) == (t.h1, t.h2) and t.dh1_dz1 == t.dh2_dz2 == 1.0  # linear: h = z


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_two_layer_trace_with_hidden_activations(activation: str) -> None:
    kwargs = {"x": (0.5, -1.5), "w": (0.3, -0.2, -0.4, 0.7, 0.9, -0.6), "target": 0.25, "lr": 0.3}
    trace = trace_two_layer(activation=activation, **kwargs)  # type: ignore[arg-type]
    assert_trace_matches(trace, torch_step(activation=activation, **kwargs))  # type: ignore[arg-type]


def test_gradients_follow_the_documented_chain_rule() -> None:
    t = trace_two_layer(activation="tanh", w=(0.5, -0.3, 0.2, 0.4, -0.7, 0.8))
    d, (x1, x2), g = t.delta, t.x, t.grads
    assert t.grad_h1 == pytest.approx(d * t.weights["w5"]) and t.grad_h2 == pytest.approx(d * t.weights["w6"])
    assert t.dh1_dz1 == pytest.approx(1 - math.tanh(t.z1) ** 2)
    assert t.grad_z1 == pytest.approx(t.grad_h1 * t.dh1_dz1)
    assert (g["w5"], g["w6"]) == pytest.approx((d * t.h1, d * t.h2))
    assert (g["w1"], g["w2"], g["w3"], g["w4"]) == pytest.approx(
        (t.grad_z1 * x1, t.grad_z1 * x2, t.grad_z2 * x1, t.grad_z2 * x2))
    # each weight's gradient is (gradient at the unit it feeds) × (value of the unit it reads)
    values = {"x1": x1, "x2": x2, "h1": t.h1, "h2": t.h2}
    grad_at = {"h1": t.grad_z1, "h2": t.grad_z2, "y_hat": d}
    for k, (src, dst) in WIRING.items():
        assert g[k] == pytest.approx(grad_at[dst] * values[src])


def test_trace_agrees_with_the_matrix_backprop_of_dlbook_backprop() -> None:
    t = trace_two_layer()
    X = torch.tensor([t.x], dtype=F64)
    w = [t.weights[k] for k in WIRING]
    W1 = torch.tensor([[w[0], w[1]], [w[2], w[3]]], dtype=F64)  # rows: h1, h2
    W2 = torch.tensor([[w[4], w[5]]], dtype=F64)
    params = [(W1, torch.zeros(2, dtype=F64)), (W2, torch.zeros(1, dtype=F64))]
    loss, grads = mlp_forward_backward(params, X, torch.tensor([[t.target]], dtype=F64),
                                       activations=["linear", "linear"])
    assert loss.item() == pytest.approx(2 * t.loss)  # mse is δ², the trace's loss ½ δ²
    (dW1, _), (dW2, _) = grads
    manual = [*dW1.flatten().tolist(), *dW2.flatten().tolist()]
    assert manual == pytest.approx([2 * t.grads[k] for k in WIRING])


def test_the_trace_is_computed_by_the_autograd_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dlbook.autograd.Value, "backward", lambda self: None)  # break the engine
    t = trace_two_layer()
    assert all(g == 0.0 for g in t.grads.values())  # so its gradients came from Value.backward


def test_steps_spell_out_the_numbers() -> None:
    steps = trace_two_layer().steps()
    for line in [
        "h1 = w1·x1 + w2·x2 = 0.11·2 + 0.21·3 = 0.85",
        "h2 = w3·x1 + w4·x2 = 0.12·2 + 0.08·3 = 0.48",
        "ŷ = w5·h1 + w6·h2 = 0.14·0.85 + 0.15·0.48 = 0.191",
        "δ = ŷ − y = 0.191 − 1 = -0.809",
        "∂L/∂w1 = ∂L/∂h1·x1 = (-0.1133)·2 = -0.2265",
        "w5 ← w5 − η·∂L/∂w5 = 0.14 − 0.05·(-0.6876) = 0.1744",
    ]:
        assert line in steps
    assert len(steps) == 2 + 3 + 3 + 2 * 3 + 6 + 1
    assert steps[-1].startswith("with the new weights: h1 = 0.9236, h2 = 0.5589, ŷ = 0.2557")
    tanh_steps = trace_two_layer(activation="tanh").steps(digits=3)
    assert "h1 = tanh(z1) = tanh(0.85) = 0.691" in tanh_steps
    assert any(s.startswith("∂L/∂z1 = ∂L/∂h1·tanh'(z1) = ") for s in tanh_steps)


def test_steps_are_keyed_by_the_quantity_they_compute() -> None:
    t = trace_two_layer()
    keyed = t.keyed_steps()
    assert all(isinstance(s, Step) for s in keyed) and [s.text for s in keyed] == t.steps()
    assert t.step_keys() == [
        "h1", "h2", "y_hat", "delta", "loss",
        "grad_y_hat", "grad_w5", "grad_w6",
        "grad_h1", "grad_w1", "grad_w2", "grad_h2", "grad_w3", "grad_w4",
        "w1_new", "w2_new", "w3_new", "w4_new", "w5_new", "w6_new", "loss_new",
    ]
    assert t.step("delta") == "δ = ŷ − y = 0.191 − 1 = -0.809"
    assert t.step("grad_w5") == "∂L/∂w5 = δ·h1 = (-0.809)·0.85 = -0.6876"
    assert t.step("w5_new") == "w5 ← w5 − η·∂L/∂w5 = 0.14 − 0.05·(-0.6876) = 0.1744"
    assert t.steps_for("grad_w6", "grad_w5") == [t.step("grad_w6"), t.step("grad_w5")]  # in the order asked
    assert t.step("h1", digits=2) == "h1 = w1·x1 + w2·x2 = 0.11·2 + 0.21·3 = 0.85"
    tanh = trace_two_layer(activation="tanh")
    assert tanh.step_keys()[:4] == ["z1", "h1", "z2", "h2"]
    assert tanh.step("grad_z1").startswith("∂L/∂z1 = ∂L/∂h1·tanh'(z1) = ")
    for trace in (t, tanh, trace_perceptron(), trace_parabola_descent()):
        keys = trace.step_keys()
        assert len(keys) == len(set(keys)), f"{type(trace).__name__} repeats a key"


def test_an_unknown_step_key_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="NetworkTrace has no step 'z1'; its steps are h1, h2, y_hat, delta"):
        trace_two_layer().step("z1")  # a linear hidden layer: h = z, no z1 line
    with pytest.raises(KeyError, match="no step 'x9'; its steps are x1, x2, x3, x4"):
        trace_parabola_descent().steps_for("x1", "x9")


def test_traces_are_frozen() -> None:
    t = trace_two_layer()
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.y_hat = 0.0  # type: ignore[misc]


def test_two_layer_bad_input() -> None:
    with pytest.raises(ValueError, match="2 inputs and 6 weights, got 3 and 6"):
        trace_two_layer(x=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="positive finite lr, got 0"):
        trace_two_layer(lr=0)
    with pytest.raises(ValueError, match="finite numbers"):
        trace_two_layer(target=math.nan)
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        trace_two_layer(activation="softmax")


# --- One neuron --------------------------------------------------------------------------


def test_perceptron_trace_of_the_lecture_example() -> None:
    t = trace_perceptron(1.0, [3.0, -2.0], [-1.0, 2.0])
    assert t.products == (-3.0, -4.0) and t.z == -6.0
    assert t.y_hat == pytest.approx(torch.sigmoid(torch.tensor(-6.0, dtype=F64)).item(), rel=1e-12)
    assert round(t.y_hat, 4) == 0.0025
    assert t.steps() == ["w1·x1 = 3·(-1) = -3", "w2·x2 = (-2)·2 = -4",
                         "z = w0 + w1·x1 + w2·x2 = 1 + (-3) + (-4) = -6", "ŷ = σ(z) = σ(-6) = 0.002473"]
    assert t.step_keys() == ["product1", "product2", "z", "y_hat"]
    assert t.step("z") == "z = w0 + w1·x1 + w2·x2 = 1 + (-3) + (-4) = -6"


def test_perceptron_defaults_are_the_lecture_example() -> None:
    assert trace_perceptron() == trace_perceptron(1.0, [3.0, -2.0], [-1.0, 2.0], activation="sigmoid")


def test_perceptron_trace_takes_tensors_and_other_activations() -> None:
    w, x = torch.tensor([0.5, -1.0, 2.0]), torch.tensor([1.0, 2.0, 0.25])
    t = trace_perceptron(0.1, w, x, activation="tanh")  # type: ignore[arg-type]
    assert t.z == pytest.approx(0.1 + 0.5 - 2.0 + 0.5)
    assert t.y_hat == pytest.approx(math.tanh(t.z))
    assert trace_perceptron(0.0, [2.0], [3.0], activation="linear").steps()[-1] == "ŷ = z = 6"
    with pytest.raises(ValueError, match="same length d >= 1, got 2 and 3"):
        trace_perceptron(0.0, [1.0, 2.0], [1.0, 2.0, 3.0])


# --- Gradient descent on a curve --------------------------------------------------------------


def test_gradient_descent_on_a_parabola() -> None:
    lr, x0 = 0.1, 3.0
    trace = trace_gradient_descent(lambda x: x * x, lambda x: 2 * x, x0, lr, 5)
    assert len(trace.points) == 6
    for k, p in enumerate(trace.points):
        assert p.x == pytest.approx(x0 * (1 - 2 * lr) ** k)  # x_k = x0 (1 − 2η)^k for f = x²
        assert (p.fx, p.slope, p.step) == pytest.approx((p.x**2, 2 * p.x, lr * 2 * p.x))
    for p, nxt in zip(trace.points, trace.points[1:], strict=False):
        assert nxt.x == pytest.approx(p.x - p.step) and nxt.fx < p.fx
    steps = trace.steps()
    assert len(steps) == 5
    assert steps[0] == "x0 = 3: f = 9, f' = 6, step = 0.1·6 = 0.6, so x1 = 3 − 0.6 = 2.4"
    assert trace.step_keys() == ["x1", "x2", "x3", "x4", "x5"]  # each move, keyed by where it lands
    assert trace.step("x1") == steps[0]


def test_gradient_descent_bad_input() -> None:
    f, df = (lambda x: x * x), (lambda x: 2 * x)
    with pytest.raises(ValueError, match="positive finite lr"):
        trace_gradient_descent(f, df, 1.0, -0.1, 3)
    with pytest.raises(ValueError, match=re.escape("num_steps to be an int >= 0, got -1")):
        trace_gradient_descent(f, df, 1.0, 0.1, -1)
    with pytest.raises(ValueError, match="try a smaller lr"):
        trace_gradient_descent(f, df, 1.0, 1e6, 100)  # |1 − 2η| ≫ 1: overflows to inf


def test_parabola_descent_matches_torch_autograd() -> None:
    trace = trace_parabola_descent(x0=-2.5, lr=0.3, num_steps=6)
    x = torch.tensor(-2.5, dtype=F64, requires_grad=True)
    for p in trace.points:
        fx = x**2
        fx.backward()  # torch's own slope of x²
        assert (p.x, p.fx, p.slope) == pytest.approx((x.item(), fx.item(), x.grad.item()), rel=1e-12)  # type: ignore[union-attr]
        assert p.step == pytest.approx(0.3 * x.grad.item(), rel=1e-12)  # type: ignore[union-attr]
        with torch.no_grad():
            x -= 0.3 * x.grad  # type: ignore[operator]
        x.grad = None
    assert parabola(3.0) == 9.0 and parabola(dlbook.autograd.Value(3.0)).data == 9.0
    default = trace_parabola_descent()
    assert (default.points[0].x, default.lr, len(default.points)) == (3.0, 0.1, 5)
    assert default.steps()[0] == "x0 = 3: f = 9, f' = 6, step = 0.1·6 = 0.6, so x1 = 3 − 0.6 = 2.4"


def test_format_number() -> None:
    assert format_number(-0.8090000000000001) == "-0.809"
    assert format_number(0.17440000000000003) == "0.1744"
    assert format_number(-6.0) == "-6" and format_number(-1e-9, digits=2) == "-1e-09"
    assert format_number(-0.0001, digits=1) == "-0.0001" and format_number(-0.0) == "0"
    assert format_number(0.0024726, digits=2) == "0.0025"
    with pytest.raises(ValueError, match="digits to be an int >= 1, got 0"):
        format_number(1.0, digits=0)
    with pytest.raises(ValueError, match="finite number, got nan"):
        format_number(math.nan)
