"""Positional encodings: telling attention where each token stands.

Taught in docs/architectures/attention-and-transformers.py. Attention treats its keys as a
set: permute the tokens and every output is permuted alike. A transformer therefore adds a
vector that depends on the position to each token's embedding. ``sinusoidal_encoding`` is
the fixed one of Vaswani et al. 2017,

    PE[t, 2i] = sin(t / 10000^{2i/d}),    PE[t, 2i + 1] = cos(t / 10000^{2i/d}),

sines and cosines of geometrically spaced wavelengths from 2π to 10000·2π, so that
PE[t + k] is a fixed linear function (a rotation of each (sin, cos) pair) of PE[t].
``LearnedPositions`` learns one vector per position instead, as GPT-2 does (Radford et al.
2019). Both modules add their vectors to embeddings (B, T, d) and take an ``offset``: the
position of the first of the T tokens, which is the cache length when generating with a
key-value cache (dlbook.kv_cache). Both know ``max_len`` positions and refuse more.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["LearnedPositions", "SinusoidalPositions", "sinusoidal_encoding"]


def _check_positive(owner: str, name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{owner} expects {name} to be a positive int, got {value!r}")


def sinusoidal_encoding(T: int, d: int, *, offset: int = 0, base: float = 10000.0,
                        dtype: torch.dtype | None = None, device: torch.device | str | None = None) -> Tensor:
    """The (T, d) sinusoidal encodings of positions offset, ..., offset + T − 1 (Vaswani et al. 2017).

    Column 2i is sin(t / base^{2i/d}) and column 2i + 1 is cos(t / base^{2i/d}); for an odd d
    the last column is a sine without its cosine. Computed in float64, returned in ``dtype``
    (torch's default dtype if None).
    """
    _check_positive("sinusoidal_encoding", "T", T)
    _check_positive("sinusoidal_encoding", "d", d)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise ValueError(f"sinusoidal_encoding expects offset to be an int >= 0, got {offset!r}")
    t = torch.arange(offset, offset + T, dtype=torch.float64, device=device)[:, None]  # (T, 1)
    two_i = torch.arange(0, d, 2, dtype=torch.float64, device=device)  # (⌈d/2⌉,): 0, 2, 4, ...
    angle = t / base ** (two_i / d)  # (T, ⌈d/2⌉): t / base^{2i/d}
    pe = torch.empty(T, d, dtype=torch.float64, device=device)
    pe[:, 0::2] = torch.sin(angle)  # even columns: ⌈d/2⌉ of them
    pe[:, 1::2] = torch.cos(angle[:, : d // 2])  # odd columns: ⌊d/2⌋, one fewer when d is odd
    return pe.to(dtype or torch.get_default_dtype())


class _Positions(nn.Module):
    """What both encodings share: the checks and ``x + P[offset : offset + T]``."""

    def __init__(self, d_model: int, max_len: int) -> None:
        super().__init__()
        _check_positive(type(self).__name__, "d_model", d_model)
        _check_positive(type(self).__name__, "max_len", max_len)
        self.d_model, self.max_len = d_model, max_len

    def positions(self, T: int, offset: int, like: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor, *, offset: int = 0) -> Tensor:
        """``x`` (B, T, d) embeddings of positions offset..offset + T − 1 -> x + P (B, T, d)."""
        name, d = type(self).__name__, self.d_model
        if x.ndim != 3 or x.shape[2] != d:
            raise ValueError(f"{name} expects x of shape (B, T, {d}), got {tuple(x.shape)}")
        T = x.shape[1]
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ValueError(f"{name} expects offset to be an int >= 0, got {offset!r}")
        if offset + T > self.max_len:
            raise ValueError(f"{name} knows max_len = {self.max_len} positions, got T = {T} tokens at "
                             f"offset {offset} (positions up to {offset + T - 1})")
        return x + self.positions(T, offset, x)  # (B, T, d) + (T, d), broadcast over B

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, max_len={self.max_len}"


class SinusoidalPositions(_Positions):
    """Adds ``sinusoidal_encoding`` to (B, T, d) embeddings; no parameters.

    The table is computed on the fly in float64 for the T positions needed and cast to x's
    dtype, so it is exact in any dtype and costs nothing in the state dict.
    """

    def __init__(self, d_model: int, max_len: int, *, base: float = 10000.0) -> None:
        super().__init__(d_model, max_len)
        self.base = base

    def positions(self, T: int, offset: int, like: Tensor) -> Tensor:
        return sinusoidal_encoding(T, self.d_model, offset=offset, base=self.base, dtype=like.dtype,
                                   device=like.device)  # (T, d)


class LearnedPositions(_Positions):
    """Adds a learned vector per position, ``weight`` (max_len, d), to (B, T, d) embeddings.

    Initialised N(0, std²) (GPT-2's 0.02) from ``generator`` if given, else from the global RNG.
    """

    def __init__(self, d_model: int, max_len: int, *, std: float = 0.02,
                 generator: torch.Generator | None = None) -> None:
        super().__init__(d_model, max_len)
        self.weight = nn.Parameter(torch.empty(max_len, d_model).normal_(0.0, std, generator=generator))

    def positions(self, T: int, offset: int, like: Tensor) -> Tensor:
        return self.weight[offset: offset + T]  # (T, d): rows offset..offset + T − 1
