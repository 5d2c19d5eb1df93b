"""dlbook.rnn_trace: every traced number against plain PyTorch autograd, and the captions."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest
import torch

import dlbook.rnn_trace
from dlbook.recurrent import RNNCell
from dlbook.rnn_trace import RNNTrace, trace_rnn
from dlbook.trace import Step, format_number

F64 = torch.float64
Params = dict[str, Any]  # trace_rnn's arguments
DEFAULT: Params = {"x": (1.0, 0.5, 0.5, -1.0), "w_xh": 0.5, "w_hh": 0.6, "b": 0.0, "w_hy": 2.0,
                   "target": -1.0, "h0": 0.0}
ODD: list[Params] = [  # other lengths, signs, a nonzero h_0 and bias
    {"x": (0.3, -1.7, 2.2), "w_xh": -0.8, "w_hh": 0.9, "b": 0.25, "w_hy": -1.3, "target": 0.4, "h0": 0.35},
    {"x": (2.0, -0.5, 1.5, 0.25, -1.0), "w_xh": 1.1, "w_hh": -0.7, "b": -0.1, "w_hy": 0.6, "target": 2.0,
     "h0": -0.6},
    {"x": (0.9,), "w_xh": 0.4, "w_hh": 0.5, "b": 0.2, "w_hy": 1.5, "target": 1.0, "h0": 0.8},
]


def grad(t: torch.Tensor) -> float:
    assert t.grad is not None
    return t.grad.item()


def torch_cell_reference(p: Params) -> dict[str, object]:
    """The trace's network as torch.nn.RNNCell (hidden size 1, weights copied, the bias split
    over b_ih and b_hh) and a readout, with retain_grad on every h_t."""
    cell = torch.nn.RNNCell(1, 1, dtype=F64)
    with torch.no_grad():
        cell.weight_ih.fill_(p["w_xh"])
        cell.weight_hh.fill_(p["w_hh"])
        cell.bias_ih.fill_(p["b"] - 0.125)  # b = b_ih + b_hh, however it is split
        cell.bias_hh.fill_(0.125)
    w_hy = torch.tensor(p["w_hy"], dtype=F64, requires_grad=True)
    h = torch.full((1, 1), p["h0"], dtype=F64)
    hs = []
    for x_t in p["x"]:
        h = cell(torch.full((1, 1), x_t, dtype=F64), h)
        h.retain_grad()
        hs.append(h)
    y_hat = w_hy * h.squeeze()
    y_hat.retain_grad()
    loss = 0.5 * (y_hat - p["target"]) ** 2
    loss.backward()
    return {
        "h": tuple(v.item() for v in hs), "y_hat": y_hat.item(), "loss": loss.item(),
        "grad_y_hat": grad(y_hat), "grad_h": tuple(grad(v) for v in hs),
        "grad_w_xh": grad(cell.weight_ih), "grad_w_hh": grad(cell.weight_hh),
        "grad_b": grad(cell.bias_ih), "grad_w_hy": grad(w_hy),
    }


def untied_reference(p: Params) -> dict[str, object]:
    """The same network unrolled by hand, with a copy of w_hh per step: the gradient of step
    t's copy is step t's part of ∂L/∂w_hh, and a_t keeps its own gradient."""
    T = len(p["x"])
    w_hh = [torch.tensor(p["w_hh"], dtype=F64, requires_grad=True) for _ in range(T)]
    h, pre, hs = torch.tensor(p["h0"], dtype=F64), [], []
    for x_t, w in zip(p["x"], w_hh, strict=True):
        a = p["w_xh"] * x_t + w * h + p["b"]
        a.retain_grad()
        h = torch.tanh(a)
        pre.append(a)
        hs.append(h)
    loss = 0.5 * (p["w_hy"] * h - p["target"]) ** 2
    loss.backward()
    return {"a": tuple(a.item() for a in pre), "grad_a": tuple(grad(a) for a in pre),
            "grad_w_hh_terms": tuple(grad(w) for w in w_hh)}


def assert_close(ours: object, theirs: object, name: str) -> None:
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), name
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert a == pytest.approx(b, rel=1e-12, abs=1e-14), f"{name}[{i}]"
    else:
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-14), name


@pytest.mark.parametrize("p", [DEFAULT, *ODD], ids=["default", "T3", "T5", "T1"])
def test_every_number_matches_torch_autograd(p: Params) -> None:
    t = trace_rnn(p["x"], **{k: v for k, v in p.items() if k != "x"})
    for reference in (torch_cell_reference(p), untied_reference(p)):
        for name, value in reference.items():
            assert_close(getattr(t, name), value, name)
    assert t.x == tuple(p["x"]) and t.h0 == p["h0"] and t.num_steps == len(p["x"])
    assert t.h_prev == (p["h0"], *t.h[:-1])


def test_defaults_are_the_scenes_network() -> None:
    t = trace_rnn()
    assert (t.x, t.w_xh, t.w_hh, t.b, t.w_hy, t.target, t.h0) == tuple(DEFAULT.values())
    assert [format_number(h) for h in t.h] == ["0.4621", "0.4833", "0.493", "-0.2014"]
    assert [format_number(g) for g in t.grad_h] == ["0.1436", "0.3123", "0.6875", "1.194"]
    # the point of the scene: ∂L/∂h_t shrinks at every step back, and so do w_hh's parts
    magnitudes = [abs(g) for g in t.grad_h]
    assert magnitudes == sorted(magnitudes) and magnitudes[-1] > 8 * magnitudes[0]
    assert list(t.grad_w_hh_terms) == sorted(t.grad_w_hh_terms) and t.grad_w_hh_terms[0] == 0.0  # h_0 = 0


@pytest.mark.parametrize("p", [DEFAULT, *ODD], ids=["default", "T3", "T5", "T1"])
def test_bptt_follows_the_documented_recurrence(p: Params) -> None:
    t = trace_rnn(p["x"], **{k: v for k, v in p.items() if k != "x"})
    T = t.num_steps
    assert len(t.a) == len(t.h) == len(t.grad_h) == len(t.local) == len(t.grad_a) == T
    assert len(t.factors) == T - 1
    for i in range(T):
        assert t.h[i] == pytest.approx(math.tanh(t.a[i]), rel=1e-14)  # h_t = tanh(a_t)
        assert t.local[i] == pytest.approx(1 - t.h[i] ** 2, rel=1e-14)  # tanh'(a_t) = 1 − h_t²
        assert t.grad_a[i] == pytest.approx(t.grad_h[i] * t.local[i], rel=1e-12)
    for i in range(T - 1):  # ∂L/∂h_t = ∂L/∂h_{t+1}·w_hh·(1 − h_{t+1}²)
        assert t.factors[i] == pytest.approx(t.w_hh * t.local[i + 1], rel=1e-14)
        assert t.grad_h[i] == pytest.approx(t.grad_h[i + 1] * t.factors[i], rel=1e-12)
    assert t.grad_h[-1] == pytest.approx(t.grad_y_hat * t.w_hy, rel=1e-12)
    assert t.grad_y_hat == pytest.approx(t.y_hat - t.target, rel=1e-12)
    assert t.grad_w_hh == pytest.approx(sum(t.grad_w_hh_terms), rel=1e-12, abs=1e-15)
    assert t.grad_w_xh == pytest.approx(sum(g * x for g, x in zip(t.grad_a, t.x, strict=True)), rel=1e-12)
    assert t.grad_b == pytest.approx(sum(t.grad_a), rel=1e-12)
    assert t.grad_w_hy == pytest.approx(t.grad_y_hat * t.h[-1], rel=1e-12)


def test_the_forward_pass_runs_dlbooks_rnn_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    cells: list[RNNCell] = []

    class Spy(RNNCell):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            cells.append(self)

    monkeypatch.setattr(dlbook.rnn_trace, "RNNCell", Spy)
    trace_rnn()
    assert len(cells) == 1 and cells[0].hidden_size == 1 and cells[0].input_size == 1


def test_no_global_state_is_touched_and_no_grad_does_not_matter() -> None:
    before = torch.get_rng_state()
    t = trace_rnn()
    assert torch.equal(before, torch.get_rng_state())
    with torch.no_grad():
        assert trace_rnn() == t
    assert trace_rnn(torch.tensor(DEFAULT["x"])) == t  # a 1-d tensor of inputs works too


def test_steps_are_keyed_and_spell_out_the_numbers() -> None:
    t = trace_rnn()
    keyed = t.keyed_steps()
    assert all(isinstance(s, Step) for s in keyed) and [s.text for s in keyed] == t.steps()
    assert t.step_keys() == [
        "a1", "h1", "a2", "h2", "a3", "h3", "a4", "h4", "y_hat", "loss", "grad_y_hat",
        "grad_h4", "grad_h3", "grad_h2", "grad_h1",
        "grad_w_hh_step1", "grad_w_hh_step2", "grad_w_hh_step3", "grad_w_hh_step4",
        "grad_w_hh", "grad_w_xh", "grad_b", "grad_w_hy",
    ]
    assert t.step("a1") == "a1 = w_xh·x1 + w_hh·h0 + b = 0.5·1 + 0.6·0 + 0 = 0.5"
    assert t.step("a4") == "a4 = w_xh·x4 + w_hh·h3 + b = 0.5·(-1) + 0.6·0.493 + 0 = -0.2042"
    assert t.step("h4") == "h4 = tanh(a4) = tanh(-0.2042) = -0.2014"
    assert t.step("y_hat") == "ŷ = w_hy·h4 = 2·(-0.2014) = -0.4029"
    assert t.step("loss") == "L = ½·(ŷ − y)² = ½·(-0.4029 − (-1))² = 0.1783"
    assert t.step("grad_h4") == "∂L/∂h4 = ∂L/∂ŷ·w_hy = 0.5971·2 = 1.194"
    assert t.step("grad_h3") == "∂L/∂h3 = ∂L/∂h4·w_hh·(1 − h4²) = 1.194·0.6·0.9594 = 0.6875"
    assert t.step("grad_w_hh_step2") == ("step 2's part of ∂L/∂w_hh = ∂L/∂h2·(1 − h2²)·h1 = "
                                         "0.3123·0.7664·0.4621 = 0.1106")
    assert t.step("grad_w_hh") == ("∂L/∂w_hh = the sum of the steps' parts = "
                                   "0 + 0.1106 + 0.2515 + 0.5649 = 0.927")
    assert t.steps_for("grad_h1", "h1") == [t.step("grad_h1"), t.step("h1")]  # in the order asked


@pytest.mark.parametrize("digits", [3, 4, 6])
def test_captions_carry_every_number_formatted(digits: int) -> None:
    t = trace_rnn(ODD[0]["x"], **{k: v for k, v in ODD[0].items() if k != "x"})

    def has(key: str, *values: float) -> None:
        text = t.step(key, digits=digits)
        for v in values:
            assert format_number(v, digits=digits) in text, f"{key}: {v} not in {text!r}"
        assert text.endswith(f"= {format_number(values[-1], digits=digits)}"), text

    for i in range(t.num_steps):
        has(f"a{i + 1}", t.w_xh, t.x[i], t.w_hh, t.h_prev[i], t.b, t.a[i])
        has(f"h{i + 1}", t.a[i], t.h[i])
        has(f"grad_w_hh_step{i + 1}", t.grad_h[i], t.local[i], t.h_prev[i], t.grad_w_hh_terms[i])
    for i in range(t.num_steps - 1):
        has(f"grad_h{i + 1}", t.grad_h[i + 1], t.w_hh, t.local[i + 1], t.grad_h[i])
    has("y_hat", t.w_hy, t.h[-1], t.y_hat)
    has("loss", t.y_hat, t.target, t.loss)
    has(f"grad_h{t.num_steps}", t.grad_y_hat, t.w_hy, t.grad_h[-1])
    has("grad_w_hh", *t.grad_w_hh_terms, t.grad_w_hh)
    has("grad_w_xh", *t.grad_a, *t.x, t.grad_w_xh)
    has("grad_b", *t.grad_a, t.grad_b)
    has("grad_w_hy", t.grad_y_hat, t.h[-1], t.grad_w_hy)


def test_an_unknown_step_key_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="RNNTrace has no step 'h5'; its steps are a1, h1, a2"):
        trace_rnn().step("h5")


def test_the_trace_is_frozen() -> None:
    t = trace_rnn()
    assert isinstance(t, RNNTrace)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.y_hat = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"x": ()}, "x to hold at least one step, got an empty sequence"),
    ({"x": torch.zeros(2, 4)},
     r"x as a 1-d sequence of numbers \(x_1..x_T\), got a tensor of shape \(2, 4\)"),
    ({"x": "1234"}, "x as a sequence of numbers, got str"),
    ({"x": 1.0}, "x as a sequence of numbers, got float"),
    ({"x": (1.0, float("nan"))}, "x to be finite numbers, got nan"),
    ({"x": (1.0, True)}, "x to be finite numbers, got True"),
    ({"w_hh": float("inf")}, "w_hh to be a finite number, got inf"),
    ({"target": None}, "target to be a finite number, got None"),
    ({"h0": "0"}, "h0 to be a finite number, got '0'"),
])
def test_bad_arguments_say_what_was_expected(kwargs: Params, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        trace_rnn(**kwargs)
