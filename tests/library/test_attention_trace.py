"""dlbook.attention_trace: every traced number against torch's own attention, and the captions."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
import torch.nn.functional as F

import dlbook.attention_trace
from dlbook.attention_trace import AttentionTrace, trace_attention
from dlbook.trace import Step, format_number

F64 = torch.float64
ODD: list[dict[str, Any]] = [  # other sizes: 4 tokens of 3 features, d_k 2, d_v 1; 1 token; negatives
    {"X": [[0.5, -1.0, 2.0], [1.5, 0.0, -0.5], [0.0, 0.25, 1.0], [-2.0, 1.0, 0.5]],
     "W_Q": [[1.0, -0.5], [0.25, 2.0], [0.0, 1.0]], "W_K": [[0.5, 0.5], [-1.0, 0.0], [2.0, -0.25]],
     "W_V": [[1.0], [-2.0], [0.5]]},
    {"X": [[0.3, -0.7]], "W_Q": [[1.0, 2.0], [3.0, 4.0]], "W_K": [[0.5, 0.0], [0.0, 0.5]],
     "W_V": [[1.0, -1.0, 0.5], [2.0, 0.0, 1.0]]},
]


def torch_reference(p: dict[str, Any]) -> dict[str, torch.Tensor]:
    """Projections by matmul, scores by hand, weights by softmax, output by torch's fused attention."""
    X, Wq, Wk, Wv = (torch.tensor(p[k], dtype=F64) for k in ("X", "W_Q", "W_K", "W_V"))
    Q, K, V = X @ Wq, X @ Wk, X @ Wv
    scores = Q @ K.T / math.sqrt(Q.shape[1])
    return {"Q": Q, "K": K, "V": V, "scores": scores, "weights": torch.softmax(scores, dim=-1),
            "output": F.scaled_dot_product_attention(Q[None], K[None], V[None])[0]}


def as_tensor(m: tuple[tuple[float, ...], ...]) -> torch.Tensor:
    return torch.tensor(m, dtype=F64)


@pytest.mark.parametrize("p", [{"X": dlbook.attention_trace.TOKENS, "W_Q": dlbook.attention_trace.W_QUERY,
                                "W_K": dlbook.attention_trace.W_KEY, "W_V": dlbook.attention_trace.W_VALUE},
                               *ODD], ids=["default", "n4", "n1"])
def test_every_number_matches_torch(p: dict[str, Any]) -> None:
    t = trace_attention(p["X"], W_Q=p["W_Q"], W_K=p["W_K"], W_V=p["W_V"])
    for name, expected in torch_reference(p).items():
        torch.testing.assert_close(as_tensor(getattr(t, name)), expected, rtol=1e-12, atol=1e-14,
                                   msg=name)
    n = len(p["X"])
    assert t.num_tokens == n and t.d_k == len(p["W_Q"][0]) and t.scale == math.sqrt(t.d_k)
    for row in t.weights:
        assert sum(row) == pytest.approx(1.0, rel=1e-14) and all(a > 0 for a in row)


def test_defaults_are_the_scenes_example() -> None:
    t = trace_attention()
    assert t.X == ((1.0, 0.0), (0.0, 1.0), (1.0, 1.0))
    assert [format_number(a) for a in t.weights[2]] == ["0.14", "0.284", "0.576"]
    assert [format_number(o) for o in t.output[2]] == ["0.716", "2.292"]
    # the point of the scene: the third query matches the third key best, the first key least
    assert t.weights[2][2] > t.weights[2][1] > t.weights[2][0]


def test_the_attention_runs_dlbooks_function(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, ...]] = []
    real = dlbook.attention_trace.scaled_dot_product_attention

    def spy(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, **kwargs: Any) -> Any:
        calls.append(tuple(q.shape))
        return real(q, k, v, **kwargs)

    monkeypatch.setattr(dlbook.attention_trace, "scaled_dot_product_attention", spy)
    trace_attention()
    assert calls == [(3, 2)]


def test_no_global_state_is_touched_and_tensors_work_too() -> None:
    before = torch.get_rng_state()
    t = trace_attention()
    assert torch.equal(before, torch.get_rng_state())
    assert isinstance(t, AttentionTrace)
    again = trace_attention(torch.tensor(t.X), W_Q=torch.tensor(t.W_Q), W_K=torch.tensor(t.W_K),
                            W_V=torch.tensor(t.W_V))
    assert again == t


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"X": [[1.0, 2.0], [3.0]]}, "X as a matrix"),
    ({"X": [1.0, 2.0]}, "non-empty matrix"),
    ({"X": [[1.0, math.nan]]}, "finite"),
    ({"W_Q": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]}, "W_Q and W_K of shape"),
    ({"W_V": [[1.0, 0.0]]}, r"\(d, d_v\)"),
])
def test_bad_input_names_what_was_expected(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        trace_attention(**kwargs)


def test_steps_are_keyed_and_spell_out_the_numbers() -> None:
    t = trace_attention()
    keyed = t.keyed_steps()
    assert all(isinstance(s, Step) for s in keyed) and [s.text for s in keyed] == t.steps()
    projections = [f"{name}{i}" for name in "qkv" for i in (1, 2, 3)]
    per_query = [key for i in (1, 2, 3) for key in (f"score{i}_1", f"score{i}_2", f"score{i}_3",
                                                     f"weights{i}", f"out{i}")]
    assert t.step_keys() == projections + per_query
    assert t.step("q3") == "q3 = x3·W_Q = (1, 1)·W_Q = (1, 1)"
    assert t.step("k2") == "k2 = x2·W_K = (0, 1)·W_K = (0, 2)"
    assert t.step("score3_3") == "s3_3 = q3·k3/√2 = (1·1 + 1·2)/1.414 = 2.121"
    assert t.step("weights3") == "α3 = softmax(0.7071, 1.414, 2.121) = (0.14, 0.284, 0.576)"
    assert t.step("out3") == "o3 = 0.14·(1, 2) + 0.284·(0, 1) + 0.576·(1, 3) = (0.716, 2.292)"


@pytest.mark.parametrize("digits", [3, 4, 6])
def test_captions_carry_every_number_formatted(digits: int) -> None:
    p = ODD[0]
    t = trace_attention(p["X"], W_Q=p["W_Q"], W_K=p["W_K"], W_V=p["W_V"])

    def has(key: str, *values: float) -> None:
        text = t.step(key, digits=digits)
        for v in values:
            assert format_number(v, digits=digits) in text, f"{key}: {v} not in {text!r}"

    for i in range(t.num_tokens):
        has(f"q{i + 1}", *t.X[i], *t.Q[i])
        has(f"v{i + 1}", *t.X[i], *t.V[i])
        for j in range(t.num_tokens):
            has(f"score{i + 1}_{j + 1}", *t.Q[i], *t.K[j], t.scale, t.scores[i][j])
        has(f"weights{i + 1}", *t.scores[i], *t.weights[i])
        has(f"out{i + 1}", *t.weights[i], *(v for row in t.V for v in row), *t.output[i])
