"""dlbook.bptt: clipping against torch, ‖∂L/∂h_t‖ against a hand-unrolled torch cell, truncation."""

from __future__ import annotations

import re
from typing import Any

import pytest
import torch
from torch import Tensor, nn

from dlbook.bptt import bptt_windows, clip_grad_norm, detach_state, hidden_grad_norms, truncated_bptt
from dlbook.recurrent import GRU, LSTM, RNN

DTYPE = torch.float64


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape: int, seed: int, grad: bool = False) -> Tensor:
    return torch.randn(*shape, generator=gen(seed), dtype=DTYPE).requires_grad_(grad)


# --- detach_state --------------------------------------------------------------


def test_detach_state_keeps_values_and_drops_history() -> None:
    h = randn(2, 3, seed=0, grad=True) * 2  # not a leaf: it has a grad_fn
    c = randn(2, 3, seed=1, grad=True) + 1
    dh = detach_state(h)
    assert torch.equal(dh, h) and dh.grad_fn is None and not dh.requires_grad
    dh2, dc = detach_state((h, c))
    assert torch.equal(dc, c) and dc.grad_fn is None and dh2.grad_fn is None
    assert detach_state(None) is None


# --- clip_grad_norm against torch.nn.utils.clip_grad_norm_ ---------------------


def params_with_grads(seed: int, dtype: torch.dtype = DTYPE) -> list[Tensor]:
    """Parameters of several shapes with gradients, one without a gradient (frozen)."""
    shapes = [(5, 3), (5,), (), (2, 3, 4)]
    params = [torch.randn(s, generator=gen(seed + i), dtype=dtype).requires_grad_()
              for i, s in enumerate(shapes)]
    for i, p in enumerate(params[:-1]):
        p.grad = torch.randn(p.shape, generator=gen(seed + 10 + i), dtype=dtype)
    return params  # params[-1].grad is None


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("fraction", [0.1, 0.999, 2.0], ids=["clips", "clips_barely", "no_clip"])
def test_clip_grad_norm_matches_torch(fraction: float, dtype: torch.dtype) -> None:
    ours, theirs = params_with_grads(0, dtype), params_with_grads(0, dtype)
    before = [p.grad.clone() for p in ours if p.grad is not None]
    norm = torch.sqrt(sum((g.double() ** 2).sum() for g in before))  # ‖g‖ over every entry
    max_norm = fraction * float(norm)
    total = clip_grad_norm(ours, max_norm)
    total_ref = torch.nn.utils.clip_grad_norm_(theirs, max_norm)
    assert isinstance(total, float)
    torch.testing.assert_close(torch.tensor(total, dtype=dtype), total_ref)
    for p, q in zip(ours, theirs, strict=True):
        torch.testing.assert_close(p.grad, q.grad)
    after = torch.sqrt(sum((p.grad.double() ** 2).sum() for p in ours if p.grad is not None))
    if fraction < 1:
        torch.testing.assert_close(float(after), max_norm, rtol=1e-5, atol=0)  # the norm is now max_norm
    else:
        for p, g in zip(ours, before, strict=False):
            assert torch.equal(p.grad, g)  # untouched
    assert ours[-1].grad is None


def test_clip_grad_norm_keeps_the_direction_and_takes_one_tensor() -> None:
    p = torch.zeros(4, dtype=DTYPE, requires_grad=True)
    p.grad = torch.tensor([3.0, 0.0, 4.0, 0.0], dtype=DTYPE)  # ‖g‖ = 5
    assert clip_grad_norm(p, 1.0) == pytest.approx(5.0)
    torch.testing.assert_close(p.grad, torch.tensor([0.6, 0.0, 0.8, 0.0], dtype=DTYPE), rtol=1e-5, atol=0)
    assert clip_grad_norm([torch.zeros(2, requires_grad=True)], 1.0) == 0.0  # no gradients at all
    with pytest.raises(ValueError, match="max_norm >= 0, got -1.0"):
        clip_grad_norm(p, -1.0)


# --- hidden_grad_norms -----------------------------------------------------------


TWINS: dict[str, tuple[type[Any], type[nn.Module], type[nn.Module]]] = {
    "rnn": (RNN, nn.RNN, nn.RNNCell), "lstm": (LSTM, nn.LSTM, nn.LSTMCell), "gru": (GRU, nn.GRU, nn.GRUCell),
}


def loss_fn(output: Tensor, state: Any) -> Tensor:
    """Depends on every output and on the final state, with unequal weights."""
    h = state[0] if isinstance(state, tuple) else state
    w = torch.linspace(-1, 2, output.shape[1], dtype=output.dtype)[None, :, None]
    return (w * output).sum() + (h[-1] ** 2).sum()


def hand_unrolled_norms(kind: str, layer: nn.Module, x: Tensor) -> Tensor:
    """‖∂L/∂h_t‖ from torch's own cell, stepped by hand, each h_t keeping its ``.grad``."""
    cell = TWINS[kind][2](layer.input_size, layer.hidden_size).to(DTYPE)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(layer.cells[0], name))
    B, T, _ = x.shape
    h = torch.zeros(B, layer.hidden_size, dtype=DTYPE)
    c = torch.zeros_like(h)
    hs = []
    for t in range(T):
        if kind == "lstm":
            h, c = cell(x[:, t], (h, c))
        else:
            h = cell(x[:, t], h)
        h.retain_grad()
        hs.append(h)
    state = (h[None], c[None]) if kind == "lstm" else h[None]
    loss_fn(torch.stack(hs, dim=1), state).backward()
    return torch.stack([h.grad.norm() for h in hs])


@pytest.mark.parametrize("B", [1, 3])
@pytest.mark.parametrize("kind", list(TWINS))
def test_hidden_grad_norms_match_a_hand_unrolled_torch_cell(kind: str, B: int) -> None:
    layer = TWINS[kind][0](3, 5, generator=gen(0)).to(DTYPE)
    x = randn(B, 9, 3, seed=1)
    norms = hidden_grad_norms(layer, x, loss_fn)
    assert norms.shape == (9,)
    torch.testing.assert_close(norms, hand_unrolled_norms(kind, layer, x))
    assert all(p.grad is None for p in layer.parameters())  # parameters' grads left alone


def test_hidden_grad_norms_last_step_is_the_direct_gradient() -> None:
    layer = RNN(3, 5, num_layers=2, generator=gen(2)).to(DTYPE)
    w = randn(2, 6, 5, seed=3)
    norms = hidden_grad_norms(layer, randn(2, 6, 3, seed=4), lambda output, state: (w * output).sum())
    # h_T feeds only output[:, T-1] (no later step), so ∂L/∂h_T = w[:, T-1] exactly
    torch.testing.assert_close(norms[-1], w[:, -1].norm())
    # a loss that ignores the last two steps sends them no gradient at all
    norms = hidden_grad_norms(layer, randn(2, 6, 3, seed=4), lambda output, state: output[:, :4].sum())
    assert norms[4:].tolist() == [0.0, 0.0] and (norms[:4] > 0).all()


def test_gradient_vanishes_geometrically_through_a_small_weight_tanh_rnn() -> None:
    layer = RNN(2, 4, generator=gen(5)).to(DTYPE)
    W_hh = layer.cells[0].weight_hh
    with torch.no_grad():
        W_hh.mul_(0.5 / torch.linalg.matrix_norm(W_hh, ord=2))  # spectral norm ‖W_hh‖₂ = 0.5
    T = 12
    norms = hidden_grad_norms(layer, randn(1, T, 2, seed=6), lambda output, state: output[:, -1].sum())
    # ∂L/∂h_t = ∂L/∂h_{t+1} · diag(1 − h_{t+1}²) W_hh, and |tanh'| ≤ 1: each step back loses ≥ half
    assert (norms > 0).all()
    assert (norms[:-1] <= 0.5 * norms[1:] * (1 + 1e-12)).all()
    assert norms[0] < 0.5 ** (T - 1) * norms[-1] * (1 + 1e-9) and norms[0] < 1e-3 * norms[-1]


def test_gradient_explodes_through_a_relu_rnn_with_large_recurrent_weights() -> None:
    layer = RNN(2, 3, nonlinearity="relu", generator=gen(7)).to(DTYPE)
    cell = layer.cells[0]
    with torch.no_grad():  # every pre-activation positive, so relu' = 1 and ∂h_{t+1}/∂h_t = W_hh = 1.5 I
        cell.weight_hh.copy_(1.5 * torch.eye(3))
        cell.weight_ih.abs_()
        cell.bias_ih.abs_()
        cell.bias_hh.abs_()
    norms = hidden_grad_norms(layer, randn(1, 8, 2, seed=8).abs(), lambda output, state: output[:, -1].sum())
    torch.testing.assert_close(norms[:-1], 1.5 * norms[1:])  # grows ×1.5 per step back
    torch.testing.assert_close(norms[0], 1.5**7 * 3**0.5 * torch.ones((), dtype=DTYPE))


# --- truncated BPTT ------------------------------------------------------------


def test_bptt_windows() -> None:
    assert bptt_windows(7, 3) == [(0, 3), (3, 6), (6, 7)]
    assert bptt_windows(6, 3) == [(0, 3), (3, 6)]
    assert bptt_windows(2, 5) == [(0, 2)]
    with pytest.raises(ValueError, match="k to be a positive int, got 0"):
        bptt_windows(5, 0)


@pytest.mark.parametrize("kind", list(TWINS))
def test_truncated_bptt_carries_the_state_of_the_full_forward_pass(kind: str) -> None:
    layer = TWINS[kind][0](3, 5, num_layers=2, generator=gen(9)).to(DTYPE)
    x = randn(2, 10, 3, seed=10)
    chunks = list(truncated_bptt(layer, x, 3))
    assert [(c.start, c.stop) for c in chunks] == [(0, 3), (3, 6), (6, 9), (9, 10)]
    out, state = layer(x)
    torch.testing.assert_close(torch.cat([c.output for c in chunks], dim=1), out)
    for a, b in zip(detach_state(chunks[-1].state), detach_state(state), strict=True):
        torch.testing.assert_close(a, b)


def test_truncated_bptt_gradients_stop_at_the_window_start() -> None:
    rnn = RNN(3, 5, generator=gen(11)).to(DTYPE)
    x, h0 = randn(2, 12, 3, seed=12, grad=True), randn(1, 2, 5, seed=13, grad=True)
    chunks = list(truncated_bptt(rnn, x, 4, h0))
    chunks[1].output.sum().backward()  # the loss of window [4, 8)
    assert x.grad is not None and h0.grad is None  # h_0 is behind the detach at step 4
    assert (x.grad[:, :4] == 0).all() and (x.grad[:, 8:] == 0).all()
    assert (x.grad[:, 4:8].abs().sum(dim=(0, 2)) > 0).all()
    # the same loss without truncation does reach x_1 and h_0: the zeros above are the detach's doing
    x2, h2 = x.detach().clone().requires_grad_(), h0.detach().clone().requires_grad_()
    rnn(x2, h2)[0][:, 4:8].sum().backward()
    assert x2.grad is not None and h2.grad is not None
    assert (x2.grad[:, 0].abs() > 0).all() and (h2.grad.abs() > 0).all()
    # and the first window's loss does reach h_0
    chunks[0].output.sum().backward()
    assert h0.grad is not None and (h0.grad.abs() > 0).all()


def test_truncated_bptt_gradient_equals_a_fresh_forward_from_the_detached_state() -> None:
    lstm = LSTM(3, 4, generator=gen(14)).to(DTYPE)
    x = randn(2, 9, 3, seed=15)
    chunks = list(truncated_bptt(lstm, x, 4))
    grads = torch.autograd.grad(chunks[1].output.pow(2).sum(), list(lstm.parameters()))
    _, state = lstm(x[:, :4])
    out, _ = lstm(x[:, 4:8], detach_state(state))
    grads_ref = torch.autograd.grad(out.pow(2).sum(), list(lstm.parameters()))
    for g, g_ref in zip(grads, grads_ref, strict=True):
        torch.testing.assert_close(g, g_ref)


def test_truncated_bptt_runs_a_model_on_token_ids() -> None:
    embed, gru = nn.Embedding(6, 3).to(DTYPE), GRU(3, 4, generator=gen(16)).to(DTYPE)

    def model(idx: Tensor, state: Tensor | None) -> tuple[Tensor, Tensor]:
        return gru(embed(idx), state)

    ids = torch.randint(0, 6, (2, 11), generator=gen(17))
    chunks = list(truncated_bptt(model, ids, 5))
    assert [c.output.shape for c in chunks] == [(2, 5, 4), (2, 5, 4), (2, 1, 4)]
    torch.testing.assert_close(chunks[-1].state, model(ids, None)[1])
    with pytest.raises(ValueError, match=re.escape("expects x of shape (B, T, ...), got (11,)")):
        next(truncated_bptt(model, ids[0], 5))
