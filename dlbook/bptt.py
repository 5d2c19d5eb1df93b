"""Backpropagation through time: gradient norms per step, clipping and truncation.

Taught in docs/architectures/recurrent-networks/. Unrolled over T steps, a recurrent
network is a T-layer deep network sharing one set of weights, so the gradient reaching
h_t is a product of T − t Jacobians ∂h_{s+1}/∂h_s = diag(f'(a_{s+1})) W_hh: it shrinks
(vanishes) or grows (explodes) geometrically. ``hidden_grad_norms`` measures ‖∂L/∂h_t‖
at every step; ``clip_grad_norm`` rescales exploding gradients (Pascanu et al. 2013);
``detach_state`` and ``truncated_bptt`` cut the graph every k steps so a long stream
trains in windows, carrying the state forward but not its gradient (Williams & Peng
1990). tests/library/test_bptt.py checks each against torch.

>>> from dlbook.recurrent import RNN
>>> rnn = RNN(2, 3, generator=torch.Generator().manual_seed(0))
>>> x = torch.randn(1, 20, 2, generator=torch.Generator().manual_seed(1))
>>> chunks = list(truncated_bptt(rnn, x, 8))
>>> [(c.start, c.stop) for c in chunks]
[(0, 8), (8, 16), (16, 20)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple, TypeVar, cast

import torch
from torch import Tensor, nn

from dlbook.recurrent_cells import check_positive

__all__ = ["Chunk", "bptt_windows", "clip_grad_norm", "detach_state", "hidden_grad_norms", "truncated_bptt"]

State = TypeVar("State", Tensor, tuple[Tensor, ...], tuple[Tensor, Tensor], None)


def detach_state(state: State) -> State:
    """Cut the graph behind a carried state: same values, no history (tensor, tuple or None)."""
    if state is None or isinstance(state, Tensor):
        return None if state is None else state.detach()
    return cast(State, tuple(s.detach() for s in state))


def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, *, eps: float = 1e-6) -> float:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    The norm is that of every gradient entry of every parameter seen as one vector,
    ‖g‖ = √(Σ_p Σ_i g_{p,i}²). If ‖g‖ > max_norm every gradient is multiplied by
    max_norm / (‖g‖ + eps), so the direction is kept; otherwise nothing changes. Returns
    ‖g‖ before clipping, as ``torch.nn.utils.clip_grad_norm_`` does (parameters
    without a gradient are skipped).
    """
    if max_norm < 0:
        raise ValueError(f"clip_grad_norm expects max_norm >= 0, got {max_norm!r}")
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    with torch.no_grad():
        total = torch.stack([(g.double() ** 2).sum() for g in grads]).sum().sqrt()  # ‖g‖ = √(Σ g²)
        scale = torch.clamp(max_norm / (total + eps), max=1.0)  # min(1, max_norm / (‖g‖ + ε))
        for g in grads:
            g.mul_(scale.to(g.dtype))  # g ← g · scale
    return float(total)


def hidden_grad_norms(layer: nn.Module, x: Tensor, loss_fn: Callable[[Tensor, Any], Tensor],
                      state: Any = None) -> Tensor:
    """‖∂L/∂h_t‖ for t = 1..T, shape (T,): how much gradient reaches each step's hidden state.

    ``layer`` is a dlbook.recurrent layer (RNN, LSTM, GRU), run as
    ``layer(x, state, return_states=True)``; ``loss_fn(output, state)`` returns the scalar
    L. ∂L/∂h_t is the *total* gradient of L with respect to the top layer's h_t (B, H):
    through the output at t and through every later step. Its norm is taken over the
    whole (B, H) tensor, i.e. over the batch too (for B = 1, the per-example norm).
    A step that L does not depend on gets 0. Parameters' ``.grad`` are left untouched.
    """
    with torch.enable_grad():
        output, final_state, hs = layer(x, state, return_states=True)
        loss = loss_fn(output, final_state)
        grads = torch.autograd.grad(loss, hs, allow_unused=True)
    return torch.stack([torch.zeros((), dtype=h.dtype, device=h.device) if g is None
                        else torch.linalg.vector_norm(g) for g, h in zip(grads, hs, strict=True)])


def bptt_windows(T: int, k: int) -> list[tuple[int, int]]:
    """The windows (start, stop) of truncated BPTT: [0, k), [k, 2k), ..., the last one shorter.

    >>> bptt_windows(7, 3)
    [(0, 3), (3, 6), (6, 7)]
    """
    check_positive("bptt_windows", "T", T)
    check_positive("bptt_windows", "k", k)
    return [(start, min(start + k, T)) for start in range(0, T, k)]


class Chunk(NamedTuple):
    """One window of truncated BPTT: ``output`` of ``x[:, start:stop]`` and the ``state`` after it."""

    start: int
    stop: int
    output: Any
    state: Any


def truncated_bptt(model: Callable[[Tensor, Any], tuple[Any, Any]], x: Tensor, k: int,
                   state: Any = None) -> Iterator[Chunk]:
    """Run ``model`` over a long sequence ``x`` (B, T, ...) in windows of k steps.

    Each window starts from the previous window's final state, *detached*: the values
    carry over, the gradient stops at the window's first step. So a backward pass from a
    window's loss costs k steps, not T. ``model(x_window, state) -> (output, state)``
    (an RNN/LSTM/GRU layer, or a character model on ids (B, T)). Typical loop::

        for chunk in truncated_bptt(model, X, k):
            loss = loss_fn(chunk.output, y[:, chunk.start:chunk.stop])
            optimizer.zero_grad(); loss.backward(); optimizer.step()

    The final ``chunk.state`` equals the state of one forward pass over all of x. The
    first window starts from ``state`` as given (a learned h_0 gets its gradient); a state
    carried over from an earlier call should be passed as ``detach_state(chunk.state)``.
    """
    if x.ndim < 2:
        raise ValueError(f"truncated_bptt expects x of shape (B, T, ...), got {tuple(x.shape)}")
    for start, stop in bptt_windows(x.shape[1], k):
        output, new_state = model(x[:, start:stop], state)
        yield Chunk(start, stop, output, new_state)
        state = detach_state(new_state)  # the next window's gradient stops here
