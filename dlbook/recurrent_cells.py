"""Recurrent cells, written from their equations: Elman RNN, LSTM and GRU.

Taught in docs/architectures/recurrent-networks/. A cell is one time step: it reads the
input ``x_t`` (B, I) and the previous hidden state ``h_{t-1}`` (B, H) and returns ``h_t``.
The parameters are named and laid out exactly like PyTorch's ``nn.RNNCell``,
``nn.LSTMCell`` and ``nn.GRUCell`` (gate rows stacked in torch's order: LSTM i, f, g, o;
GRU r, z, n), so weights copy across (dlbook.recurrent.copy_from_torch) and
tests/library/test_recurrent.py compares values and gradients with torch in float64.

Every cell splits its step into ``input_projection(x) = W_ih x + b_ih``, which does not
depend on h and so can be computed for a whole sequence in one matrix product, and
``recur(gx, state)``, the part that must run step by step. The layers of
dlbook.recurrent unroll them over time. Refs: Elman 1990; Hochreiter & Schmidhuber 1997
(LSTM, with the forget gate of Gers et al. 2000); Cho et al. 2014 (GRU).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["GRUCell", "LSTMCell", "RNNCell"]


def check_positive(owner: str, name: str, value: object) -> None:
    """Raise ValueError unless ``value`` is a positive int (bool excluded)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{owner} expects {name} to be a positive int, got {value!r}")


class _Cell(nn.Module):
    """What the three cells share: parameters, initialisation and input checks.

    ``weight_ih`` (G·H, I), ``weight_hh`` (G·H, H), ``bias_ih`` and ``bias_hh`` (G·H,), with
    G = ``num_gates`` blocks of H rows (1 for the RNN, 4 for the LSTM, 3 for the GRU).
    """

    num_gates = 1

    def __init__(self, input_size: int, hidden_size: int, *, bias: bool = True,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        name = type(self).__name__
        check_positive(name, "input_size", input_size)
        check_positive(name, "hidden_size", hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        G = self.num_gates * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(G, input_size))
        self.weight_hh = nn.Parameter(torch.empty(G, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(G)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(G)) if bias else None
        self.reset_parameters(generator)

    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        """Draw every parameter from U(−1/√H, 1/√H), in torch's order, as torch does.

        From ``generator`` if given, else from the global RNG: under one
        ``torch.manual_seed`` this gives the very numbers of the torch cell.
        """
        bound = 1 / math.sqrt(self.hidden_size)
        with torch.no_grad():
            for p in self.parameters():  # weight_ih, weight_hh, bias_ih, bias_hh
                p.uniform_(-bound, bound, generator=generator)

    def check_input(self, x: Tensor, h: Tensor | None, what: str = "h") -> None:
        """Raise a ValueError naming expected and given shapes unless x is (B, I), h is (B, H)."""
        name, n_in, H = type(self).__name__, self.input_size, self.hidden_size
        if x.ndim != 2 or x.shape[1] != n_in:
            raise ValueError(f"{name} expects x of shape (B, {n_in}), got {tuple(x.shape)}")
        if h is not None and tuple(h.shape) != (x.shape[0], H):
            raise ValueError(f"{name} expects {what} of shape (B, H) = ({x.shape[0]}, {H}), "
                             f"got {tuple(h.shape)}")

    def input_projection(self, x: Tensor) -> Tensor:
        """``W_ih x + b_ih`` for any leading dims: (..., I) -> (..., G·H)."""
        return F.linear(x, self.weight_ih, self.bias_ih)

    def hidden_projection(self, h: Tensor) -> Tensor:
        """``W_hh h + b_hh``: (B, H) -> (B, G·H)."""
        return F.linear(h, self.weight_hh, self.bias_hh)

    def zeros(self, x: Tensor) -> Tensor:
        """The default state h_0 = 0, shape (B, H), of x's dtype and device."""
        return x.new_zeros(x.shape[0], self.hidden_size)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(_Cell):
    """The Elman cell ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` (or relu).

    ``forward(x (B, I), h (B, H) | None) -> h_t (B, H)``; h = None means h_0 = 0.

    >>> cell = RNNCell(3, 5, generator=torch.Generator().manual_seed(0))
    >>> cell(torch.zeros(2, 3)).shape
    torch.Size([2, 5])
    """

    def __init__(self, input_size: int, hidden_size: int, *, nonlinearity: str = "tanh",
                 bias: bool = True, generator: torch.Generator | None = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell expects nonlinearity 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias=bias, generator=generator)
        self.nonlinearity = nonlinearity

    def recur(self, gx: Tensor, h: Tensor) -> Tensor:
        """One step from the input part ``gx = W_ih x_t + b_ih`` (B, H) and ``h_{t-1}`` (B, H)."""
        a = gx + self.hidden_projection(h)  # a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
        return torch.tanh(a) if self.nonlinearity == "tanh" else torch.relu(a)  # h_t = tanh(a_t)

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        self.check_input(x, h)
        return self.recur(self.input_projection(x), self.zeros(x) if h is None else h)

    def extra_repr(self) -> str:
        return super().extra_repr() + ("" if self.nonlinearity == "tanh" else ", nonlinearity=relu")


class LSTMCell(_Cell):
    """Long short-term memory: a cell state ``c`` updated additively, read through gates.

    ``forward(x (B, I), state (h, c) | None) -> (h_t, c_t)``, each (B, H); None means zeros.
    Gate rows of the weights are stacked i, f, g, o (input, forget, candidate, output).
    """

    num_gates = 4

    def recur(self, gx: Tensor, state: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        """One step from ``gx = W_ih x_t + b_ih`` (B, 4H) and ``(h_{t-1}, c_{t-1})``."""
        h, c = state
        gates = gx + self.hidden_projection(h)  # (B, 4H): W_i· x_t + b_i· + W_h· h_{t-1} + b_h·
        i, f, g, o = gates.chunk(4, dim=-1)  # 4 × (B, H)
        i = torch.sigmoid(i)  # i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)   input gate
        f = torch.sigmoid(f)  # f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)   forget gate
        g = torch.tanh(g)  # g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)   candidate
        o = torch.sigmoid(o)  # o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)   output gate
        c = f * c + i * g  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
        h = o * torch.tanh(c)  # h_t = o_t ⊙ tanh(c_t)
        return h, c

    def forward(self, x: Tensor, state: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        if state is None:
            self.check_input(x, None)
            return self.recur(self.input_projection(x), (self.zeros(x), self.zeros(x)))
        if not isinstance(state, tuple) or len(state) != 2:
            raise ValueError(f"LSTMCell expects state as a tuple (h, c), got {type(state).__name__}")
        self.check_input(x, state[0], "h")
        self.check_input(x, state[1], "c")
        return self.recur(self.input_projection(x), state)


class GRUCell(_Cell):
    """Gated recurrent unit, with torch's formula (the reset gate scales ``W_hn h + b_hn``).

    ``forward(x (B, I), h (B, H) | None) -> h_t (B, H)``. Gate rows are stacked r, z, n
    (reset, update, candidate).
    """

    num_gates = 3

    def recur(self, gx: Tensor, h: Tensor) -> Tensor:
        """One step from ``gx = W_ih x_t + b_ih`` (B, 3H) and ``h_{t-1}`` (B, H)."""
        x_r, x_z, x_n = gx.chunk(3, dim=-1)  # W_i· x_t + b_i·, 3 × (B, H)
        h_r, h_z, h_n = self.hidden_projection(h).chunk(3, dim=-1)  # W_h· h_{t-1} + b_h·
        r = torch.sigmoid(x_r + h_r)  # r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)   reset
        z = torch.sigmoid(x_z + h_z)  # z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)   update
        n = torch.tanh(x_n + r * h_n)  # n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
        return (1 - z) * n + z * h  # h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        self.check_input(x, h)
        return self.recur(self.input_projection(x), self.zeros(x) if h is None else h)
