"""Recurrent layers: the cells of dlbook.recurrent_cells unrolled over a sequence, stacked.

Taught in docs/architectures/recurrent-networks/. ``RNN``, ``LSTM`` and ``GRU`` take a
batch-first sequence ``x`` (B, T, I) and an optional initial state shaped like torch's,
(num_layers, B, H) (for the LSTM a tuple (h, c) of those), and return
``(output (B, T, H), state)``: ``output[:, t]`` is the top layer's h_t and ``state`` the
last step's state of every layer. Layer l > 0 reads the hidden states of layer l − 1.
``return_states=True`` also returns the list h_1..h_T of top-layer hidden states that
are the very tensors in the graph, so ``torch.autograd.grad(loss, hs)`` gives the total
∂L/∂h_t (dlbook.bptt.hidden_grad_norms). ``copy_from_torch`` copies the weights of
``nn.RNN``/``nn.LSTM``/``nn.GRU`` or their cells; tests/library/test_recurrent.py then
checks outputs, states and every gradient against torch in float64.
The cells are re-exported here: ``from dlbook.recurrent import GRU, GRUCell``.
"""

from __future__ import annotations

from typing import Literal, TypeVar, cast, overload

import torch
from torch import Tensor, nn

from dlbook.recurrent_cells import GRUCell, LSTMCell, RNNCell, _Cell, check_positive

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNCell", "copy_from_torch"]


class _Unrolled(nn.Module):
    """What the layers share: a stack of cells, input checks and the loop over time."""

    n_state = 1  # tensors in one layer's state: h (RNN, GRU) or h and c (LSTM)

    def __init__(self, cell_type: type[_Cell], input_size: int, hidden_size: int, num_layers: int,
                 *, bias: bool, generator: torch.Generator | None, **cell_options: str) -> None:
        super().__init__()
        check_positive(type(self).__name__, "num_layers", num_layers)
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias = bias
        # layer 0 reads x_t (I features); layer l > 0 reads layer l − 1's h_t (H features)
        self.cells = nn.ModuleList(
            cell_type(input_size if layer == 0 else hidden_size, hidden_size, bias=bias,
                      generator=generator, **cell_options)
            for layer in range(num_layers)
        )

    def _step(self, cell: _Cell, gx: Tensor, s: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        """One time step of one layer: ``(h_{t-1},) -> (h_t,)``; the LSTM carries (h, c)."""
        return (cast(RNNCell | GRUCell, cell).recur(gx, s[0]),)

    def _check_x(self, x: Tensor) -> None:
        name, n_in = type(self).__name__, self.input_size
        if x.ndim != 3 or x.shape[2] != n_in:
            raise ValueError(f"{name} expects x of shape (B, T, {n_in}) (batch first), got {tuple(x.shape)}")
        if x.shape[1] == 0:
            raise ValueError(f"{name} expects a sequence of at least one step, got x of shape "
                             f"{tuple(x.shape)}")

    def _check_state(self, x: Tensor, h: Tensor, what: str) -> Tensor:
        expected = (self.num_layers, x.shape[0], self.hidden_size)
        if not isinstance(h, Tensor) or tuple(h.shape) != expected:
            given = tuple(h.shape) if isinstance(h, Tensor) else type(h).__name__
            raise ValueError(f"{type(self).__name__} expects {what} of shape (num_layers, B, H) = "
                             f"{expected}, got {given}")
        return h

    def _run(self, x: Tensor, state: tuple[Tensor, ...] | None
             ) -> tuple[Tensor, tuple[Tensor, ...], list[Tensor]]:
        """Unroll every layer over time; returns (output, final state parts, top layer's h_t list)."""
        B, T, _ = x.shape
        if state is None:  # h_0 (and c_0) = 0 in every layer
            state = tuple(x.new_zeros(self.num_layers, B, self.hidden_size) for _ in range(self.n_state))
        out, finals, hs = x, [], list[Tensor]()
        for layer, module in enumerate(self.cells):
            cell = cast(_Cell, module)
            s = tuple(part[layer] for part in state)  # this layer's h_0 (and c_0), each (B, H)
            gx = cell.input_projection(out)  # (B, T, G·H): W_ih x_t + b_ih for all t in one product
            # T views (B, G·H); their backward is one stack, where gx[:, t] would add a full
            # (B, T, G·H) tensor of zeros per step and cost T² work
            steps = gx.unbind(dim=1)
            hs = []
            for t in range(T):  # only the recurrence has to run step by step
                s = self._step(cell, steps[t], s)  # h_t = f(x_t, h_{t-1})
                hs.append(s[0])
            out = torch.stack(hs, dim=1)  # (B, T, H), the input of layer l + 1
            finals.append(s)
        final = tuple(torch.stack([f[k] for f in finals]) for k in range(self.n_state))  # (L, B, H)
        return out, final, hs

    def extra_repr(self) -> str:
        return (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}"
                + ("" if self.bias else ", bias=False"))


class _HiddenOnly(_Unrolled):
    """A layer whose state is the hidden state alone (RNN, GRU)."""

    @overload
    def forward(self, x: Tensor, state: Tensor | None = None, *,
                return_states: Literal[False] = False) -> tuple[Tensor, Tensor]: ...

    @overload
    def forward(self, x: Tensor, state: Tensor | None = None, *,
                return_states: Literal[True]) -> tuple[Tensor, Tensor, list[Tensor]]: ...

    def forward(self, x: Tensor, state: Tensor | None = None, *, return_states: bool = False
                ) -> tuple[Tensor, Tensor] | tuple[Tensor, Tensor, list[Tensor]]:
        """``x`` (B, T, I), ``state`` h_0 (L, B, H) or None -> (output (B, T, H), h_T (L, B, H))."""
        self._check_x(x)
        h0 = None if state is None else (self._check_state(x, state, "state"),)
        out, (h,), hs = self._run(x, h0)
        return (out, h, hs) if return_states else (out, h)


class RNN(_HiddenOnly):
    """Elman RNN layers: ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` in every layer.

    >>> rnn = RNN(3, 5, num_layers=2, generator=torch.Generator().manual_seed(0))
    >>> output, h = rnn(torch.zeros(4, 7, 3))
    >>> tuple(output.shape), tuple(h.shape)
    ((4, 7, 5), (2, 4, 5))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, *,
                 nonlinearity: str = "tanh", bias: bool = True,
                 generator: torch.Generator | None = None) -> None:
        super().__init__(RNNCell, input_size, hidden_size, num_layers, bias=bias, generator=generator,
                         nonlinearity=nonlinearity)
        self.nonlinearity = nonlinearity

    def extra_repr(self) -> str:
        return super().extra_repr() + ("" if self.nonlinearity == "tanh" else ", nonlinearity=relu")


class GRU(_HiddenOnly):
    """GRU layers (torch's formula, see dlbook.recurrent_cells.GRUCell); state h (L, B, H)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, *, bias: bool = True,
                 generator: torch.Generator | None = None) -> None:
        super().__init__(GRUCell, input_size, hidden_size, num_layers, bias=bias, generator=generator)


LSTMState = tuple[Tensor, Tensor]


class LSTM(_Unrolled):
    """LSTM layers; the state is a tuple (h, c), each (L, B, H), as in torch."""

    n_state = 2

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, *, bias: bool = True,
                 generator: torch.Generator | None = None) -> None:
        super().__init__(LSTMCell, input_size, hidden_size, num_layers, bias=bias, generator=generator)

    def _step(self, cell: _Cell, gx: Tensor, s: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        return cast(LSTMCell, cell).recur(gx, (s[0], s[1]))  # (h_t, c_t)

    @overload
    def forward(self, x: Tensor, state: LSTMState | None = None, *,
                return_states: Literal[False] = False) -> tuple[Tensor, LSTMState]: ...

    @overload
    def forward(self, x: Tensor, state: LSTMState | None = None, *,
                return_states: Literal[True]) -> tuple[Tensor, LSTMState, list[Tensor]]: ...

    def forward(self, x: Tensor, state: LSTMState | None = None, *, return_states: bool = False
                ) -> tuple[Tensor, LSTMState] | tuple[Tensor, LSTMState, list[Tensor]]:
        """``x`` (B, T, I), ``state`` (h_0, c_0) or None -> (output (B, T, H), (h_T, c_T))."""
        self._check_x(x)
        if state is not None:
            if not isinstance(state, tuple) or len(state) != 2:
                raise ValueError(f"LSTM expects state as a tuple (h, c) of (num_layers, B, H) tensors, "
                                 f"got {type(state).__name__}")
            state = (self._check_state(x, state[0], "h"), self._check_state(x, state[1], "c"))
        out, (h, c), hs = self._run(x, state)
        return (out, (h, c), hs) if return_states else (out, (h, c))


Recurrent = TypeVar("Recurrent", RNNCell, LSTMCell, GRUCell, RNN, LSTM, GRU)

_TWINS: list[tuple[type[nn.Module], type[nn.Module]]] = [
    (RNN, nn.RNN), (LSTM, nn.LSTM), (GRU, nn.GRU),
    (RNNCell, nn.RNNCell), (LSTMCell, nn.LSTMCell), (GRUCell, nn.GRUCell),
]


def copy_from_torch(ours: Recurrent, theirs: nn.Module) -> Recurrent:
    """Copy the weights of torch's twin of ``ours`` into ``ours`` (in place) and return it.

    ``theirs`` is an ``nn.RNN``/``nn.LSTM``/``nn.GRU`` (unidirectional, no projection; batch
    first or not, which does not change the weights) for a layer, ``nn.RNNCell``/... for a
    cell, of the same sizes, number of layers, bias and nonlinearity. torch names layer l's
    parameters ``weight_ih_l{l}``...; here they are ``cells[l].weight_ih``..., same layout.
    """
    twin = next(t for o, t in _TWINS if type(ours) is o)
    if type(theirs) is not twin:
        raise ValueError(f"copy_from_torch expects a torch.nn.{twin.__name__} for a "
                         f"{type(ours).__name__}, got {type(theirs).__name__}")
    if getattr(theirs, "bidirectional", False) or getattr(theirs, "proj_size", 0):
        raise ValueError("copy_from_torch expects a unidirectional torch layer without proj_size")
    for attr in ("input_size", "hidden_size", "num_layers", "bias", "nonlinearity"):
        if hasattr(ours, attr) and getattr(ours, attr) != getattr(theirs, attr):
            raise ValueError(f"copy_from_torch: {attr} differs, {type(ours).__name__} has "
                             f"{getattr(ours, attr)!r}, torch's {twin.__name__} {getattr(theirs, attr)!r}")
    is_layer = isinstance(ours, _Unrolled)
    cells = [cast(_Cell, c) for c in ours.cells] if isinstance(ours, _Unrolled) else [ours]
    with torch.no_grad():
        for layer, cell in enumerate(cells):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                mine = getattr(cell, name)
                if mine is not None:  # None when bias=False, in both
                    mine.copy_(getattr(theirs, f"{name}_l{layer}" if is_layer else name))
    return ours
