"""A traced self-attention step: every number of queries, keys, values, scores, weights and
outputs for three tokens, for the scene in animations/attention_and_transformers.py.

Taught in docs/architectures/attention-and-transformers.py. Each token x_i (a row of X) is
projected three ways, q_i = x_i W_Q, k_i = x_i W_K, v_i = x_i W_V; query i scores every key,

    s_ij = q_i · k_j / √d_k,    α_ij = exp(s_ij) / Σ_l exp(s_il),    o_i = Σ_j α_ij v_j,

so o_i is a weighted mean of the values, the weights saying how well each key matches the
query. The projections are plain matrix products and the attention itself runs
dlbook.attention.scaled_dot_product_attention in float64; tests/library/test_attention_trace.py
checks every number against torch.nn.functional.scaled_dot_product_attention. The sizes are
tiny (three tokens of two features) so that every number fits on screen. Captions are keyed
as in dlbook.trace.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from dlbook.attention import scaled_dot_product_attention
from dlbook.trace import Step, _Captioned, _formatters

__all__ = ["AttentionTrace", "trace_attention"]

Matrix = tuple[tuple[float, ...], ...]  # a small 2-d array of plain floats, row by row

TOKENS = ((1.0, 0.0), (0.0, 1.0), (1.0, 1.0))  # X: three tokens of two features
W_QUERY = ((0.0, 1.0), (1.0, 0.0))  # W_Q swaps the two features
W_KEY = ((1.0, 0.0), (0.0, 2.0))  # W_K doubles the second
W_VALUE = ((1.0, 2.0), (0.0, 1.0))  # W_V mixes them


@dataclass(frozen=True)
class AttentionTrace(_Captioned):
    """Self-attention of n tokens, one head, no mask: every row and matrix as plain floats.

    Tokens and positions are indexed from 1 in the keys and captions (q1, k2, s3_1, ...) and
    from 0 in the tuples (``Q[0]`` is q1). Its steps are keyed, in order: ``q1`` .. ``q<n>``,
    ``k1`` .. ``k<n>``, ``v1`` .. ``v<n>`` (the projections), then for each query i:
    ``score<i>_1`` .. ``score<i>_<n>``, ``weights<i>`` (the softmax of the row) and ``out<i>``.
    """

    X: Matrix  # (n, d) the tokens
    W_Q: Matrix  # (d, d_k) query projection, q_i = x_i W_Q
    W_K: Matrix  # (d, d_k) key projection
    W_V: Matrix  # (d, d_v) value projection
    Q: Matrix  # (n, d_k) queries
    K: Matrix  # (n, d_k) keys
    V: Matrix  # (n, d_v) values
    scores: Matrix  # (n, n) s_ij = q_i · k_j / √d_k
    weights: Matrix  # (n, n) α_ij, each row sums to 1
    output: Matrix  # (n, d_v) o_i = Σ_j α_ij v_j

    @property
    def num_tokens(self) -> int:
        return len(self.X)

    @property
    def d_k(self) -> int:
        return len(self.Q[0])

    @property
    def scale(self) -> float:
        """√d_k, what every dot product is divided by."""
        return math.sqrt(self.d_k)

    def keyed_steps(self, *, digits: int = 4) -> list[Step]:
        """The projections, then each query's scores, weights and output, e.g.
        ``Step("score3_2", "s3_2 = q3·k2/√2 = (1·0 + 1·2)/1.414 = 1.414")``."""
        n, o = _formatters(digits)

        def vec(row: Sequence[float]) -> str:
            return "(" + ", ".join(n(v) for v in row) + ")"

        lines = []
        for name, W, rows in (("q", "W_Q", self.Q), ("k", "W_K", self.K), ("v", "W_V", self.V)):
            lines += [Step(f"{name}{i}", f"{name}{i} = x{i}·{W} = {vec(x)}·{W} = {vec(r)}")
                      for i, (x, r) in enumerate(zip(self.X, rows, strict=True), start=1)]
        for i, (q, s_row, a_row, out) in enumerate(zip(self.Q, self.scores, self.weights, self.output,
                                                       strict=True), start=1):
            for j, (k, s) in enumerate(zip(self.K, s_row, strict=True), start=1):
                dot = " + ".join(f"{o(a)}·{o(b)}" for a, b in zip(q, k, strict=True))
                lines.append(Step(f"score{i}_{j}", f"s{i}_{j} = q{i}·k{j}/√{self.d_k} = ({dot})/"
                                                   f"{n(self.scale)} = {n(s)}"))
            scores = ", ".join(n(s) for s in s_row)
            lines.append(Step(f"weights{i}", f"α{i} = softmax({scores}) = {vec(a_row)}"))
            terms = " + ".join(f"{o(a)}·{vec(v)}" for a, v in zip(a_row, self.V, strict=True))
            lines.append(Step(f"out{i}", f"o{i} = {terms} = {vec(out)}"))
        return lines


def _matrix(name: str, values: Sequence[Sequence[float]] | Tensor) -> Tensor:
    """``values`` as a float64 matrix (R, C) of finite numbers, or a ValueError naming ``name``."""
    try:
        t = torch.as_tensor(values, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as err:
        raise ValueError(f"trace_attention expects {name} as a matrix of numbers (a list of equally long "
                         f"rows), got {values!r}") from err
    if t.ndim != 2 or 0 in t.shape:
        raise ValueError(f"trace_attention expects {name} as a non-empty matrix (rows of numbers), got "
                         f"shape {tuple(t.shape)}")
    if not torch.isfinite(t).all():
        raise ValueError(f"trace_attention expects {name} to hold finite numbers, got {t.tolist()!r}")
    return t


def _plain(t: Tensor) -> Matrix:
    return tuple(tuple(float(v) for v in row) for row in t.tolist())


def trace_attention(X: Sequence[Sequence[float]] | Tensor = TOKENS, *,
                    W_Q: Sequence[Sequence[float]] | Tensor = W_QUERY,
                    W_K: Sequence[Sequence[float]] | Tensor = W_KEY,
                    W_V: Sequence[Sequence[float]] | Tensor = W_VALUE) -> AttentionTrace:
    """Project the tokens ``X`` (n, d) to queries, keys and values and run one head of
    self-attention over them, recording every number.

    ``W_Q`` and ``W_K`` are (d, d_k), ``W_V`` is (d, d_v). The defaults are the scene's:
    three tokens (1, 0), (0, 1), (1, 1), where the third query matches the third key best.

    >>> t = trace_attention()
    >>> [round(a, 3) for a in t.weights[2]], [round(o, 3) for o in t.output[2]]
    ([0.14, 0.284, 0.576], [0.716, 2.292])
    """
    X_, Wq, Wk, Wv = (_matrix(name, v) for name, v in (("X", X), ("W_Q", W_Q), ("W_K", W_K), ("W_V", W_V)))
    d = X_.shape[1]
    shapes = {name: tuple(W.shape) for name, W in (("W_Q", Wq), ("W_K", Wk), ("W_V", Wv))}
    if any(s[0] != d for s in shapes.values()) or Wq.shape[1] != Wk.shape[1]:
        raise ValueError(f"trace_attention expects W_Q and W_K of shape (d, d_k) and W_V of shape (d, d_v) "
                         f"for tokens X of shape (n, d) = {tuple(X_.shape)}, got {shapes}")
    Q, K, V = X_ @ Wq, X_ @ Wk, X_ @ Wv  # (n, d_k), (n, d_k), (n, d_v): q_i = x_i W_Q, ...
    with torch.no_grad():
        out, weights = scaled_dot_product_attention(Q, K, V)  # (n, d_v), (n, n)
    scores = Q @ K.T / math.sqrt(Q.shape[1])  # (n, n): s_ij = q_i · k_j / √d_k, as it scored them
    return AttentionTrace(X=_plain(X_), W_Q=_plain(Wq), W_K=_plain(Wk), W_V=_plain(Wv), Q=_plain(Q),
                          K=_plain(K), V=_plain(V), scores=_plain(scores), weights=_plain(weights),
                          output=_plain(out))
