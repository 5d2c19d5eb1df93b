"""Attention: kernel regression, scaled dot-product attention and multi-head attention.

Taught in docs/architectures/attention-and-transformers.py. Attention is a soft look-up: a
query scores every key, the scores become weights by a softmax, and the output is the
weighted mean of the values. ``kernel_regression`` is its oldest form (Nadaraya 1964,
Watson 1964): a prediction at x is the mean of the training targets weighted by a Gaussian
kernel of the distance to each training input. ``scaled_dot_product_attention`` scores by
dot products, softmax(Q Kᵀ / √d_k + mask) V (Vaswani et al. 2017), and returns its weights
(a dot-product form of the additive attention of Bahdanau et al. 2015). ``MultiHeadAttention``
projects queries, keys and values into H heads of d_k = E / H features, attends in each, and
mixes the heads with W^O; ``copy_from_torch`` loads the weights of ``nn.MultiheadAttention``.

Masking conventions (tests/library/test_attention.py checks them against torch in float64):
``mask`` is boolean with True = "may attend", as the boolean ``attn_mask`` of
``F.scaled_dot_product_attention`` (``nn.MultiheadAttention``'s boolean ``attn_mask`` means
the opposite), or a float mask added to the scores (−∞ forbids); ``key_padding_mask`` (B, T_k)
has True = padding, ignored, as in ``nn.MultiheadAttention``; ``causal=True`` lets query i see
key j only if j ≤ i + T_k − T_q (the queries are the last T_q positions, which is what a
key-value cache needs; ``is_causal`` of torch aligns top-left instead, the same when T_q = T_k).
A query row whose every key is masked gets weights 0 and output 0, like
``F.scaled_dot_product_attention``, rather than softmax's 0/0 = NaN.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlbook.regularization import dropout as _dropout

if TYPE_CHECKING:
    from dlbook.kv_cache import LayerCache

__all__ = ["MultiHeadAttention", "causal_mask", "kernel_regression", "scaled_dot_product_attention"]


def linear(in_features: int, out_features: int, *, bias: bool = True,
           generator: torch.Generator | None = None) -> nn.Linear:
    """An ``nn.Linear`` initialised as torch does, U(−1/√in, 1/√in), but drawn from ``generator``."""
    with torch.random.fork_rng(devices=[]):  # torch's own init draws from the global RNG: undone on exit
        layer = nn.Linear(in_features, out_features, bias=bias)
    bound = 1 / math.sqrt(in_features)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        if layer.bias is not None:
            layer.bias.uniform_(-bound, bound, generator=generator)
    return layer


def causal_mask(T_q: int, T_k: int | None = None, *, device: torch.device | str | None = None) -> Tensor:
    """The (T_q, T_k) boolean mask, True where query i may attend key j: j ≤ i + T_k − T_q.

    The T_q queries are the last of the T_k positions (T_k defaults to T_q, the square lower
    triangle), so with a cache of T_k − T_q earlier positions the last query sees every key.
    """
    T_k = T_q if T_k is None else T_k
    return torch.ones(T_q, T_k, dtype=torch.bool, device=device).tril(diagonal=T_k - T_q)


def kernel_regression(x_query: Tensor, x_keys: Tensor, y_values: Tensor, bandwidth: float
                      ) -> tuple[Tensor, Tensor]:
    """Nadaraya-Watson regression with a Gaussian kernel: (predictions (Q,), weights (Q, N)).

    ``x_query`` (Q,), ``x_keys`` (N,), ``y_values`` (N,): ŷ(x) = Σ_j α_j(x) y_j with
    α_j(x) = K((x − x_j)/h) / Σ_l K((x − x_l)/h) and K(u) = exp(−u²/2). That is attention with
    score −(x − x_j)²/(2h²) for query x and key x_j: a softmax of scores, then a weighted mean.
    """
    if x_query.ndim != 1 or x_keys.ndim != 1 or y_values.shape != x_keys.shape:
        raise ValueError(f"kernel_regression expects x_query (Q,), x_keys (N,) and y_values (N,), got "
                         f"{tuple(x_query.shape)}, {tuple(x_keys.shape)} and {tuple(y_values.shape)}")
    if not (isinstance(bandwidth, int | float) and not isinstance(bandwidth, bool)
            and 0 < bandwidth < math.inf):
        raise ValueError(f"kernel_regression expects a finite bandwidth h > 0, got {bandwidth!r}")
    scores = -((x_query[:, None] - x_keys[None, :]) ** 2) / (2 * bandwidth**2)  # (Q, N): −(x − x_j)²/(2h²)
    weights = torch.softmax(scores, dim=-1)  # (Q, N): α_j(x), rows sum to 1
    return weights @ y_values, weights  # (Q,): ŷ(x) = Σ_j α_j(x) y_j


def _check_qkv(q: Tensor, k: Tensor, v: Tensor) -> None:
    shapes = f"q {tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}"
    if not (q.ndim == k.ndim == v.ndim >= 2) or not (q.shape[:-2] == k.shape[:-2] == v.shape[:-2]):
        raise ValueError("scaled_dot_product_attention expects q (..., T_q, d_k), k (..., T_k, d_k) and "
                         f"v (..., T_k, d_v) with the same leading dims, got {shapes}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError("scaled_dot_product_attention expects q and k to share d_k and k and v to "
                         f"share T_k: q (..., T_q, d_k), k (..., T_k, d_k), v (..., T_k, d_v), got {shapes}")


def _masked_scores(scores: Tensor, mask: Tensor | None, causal: bool, key_padding_mask: Tensor | None
                   ) -> Tensor:
    """Apply every mask to the scores (..., T_q, T_k): forbidden entries become −∞."""
    T_q, T_k = scores.shape[-2:]
    if mask is not None:
        try:
            fits = torch.broadcast_shapes(mask.shape, scores.shape) == scores.shape
        except RuntimeError:
            fits = False
        if not fits:
            raise ValueError(f"scaled_dot_product_attention expects a mask broadcastable to the scores' "
                             f"shape (..., T_q, T_k) = {tuple(scores.shape)}, got {tuple(mask.shape)}")
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, -math.inf)  # True = may attend
        elif mask.is_floating_point():
            scores = scores + mask.to(scores.dtype)  # additive: 0 keeps, −∞ forbids
        else:
            raise ValueError(f"scaled_dot_product_attention expects a bool mask (True = may attend) or a "
                             f"float mask (added to the scores), got dtype {mask.dtype}")
    if causal:
        scores = scores.masked_fill(~causal_mask(T_q, T_k, device=scores.device), -math.inf)
    if key_padding_mask is not None:
        B = scores.shape[0]
        if scores.ndim < 3 or key_padding_mask.dtype != torch.bool or key_padding_mask.shape != (B, T_k):
            raise ValueError(f"scaled_dot_product_attention expects key_padding_mask as a bool tensor of "
                             f"shape (B, T_k) = {(B, T_k)} (True = padding) for scores of shape "
                             f"(B, ..., T_q, T_k) = {tuple(scores.shape)}, got dtype "
                             f"{key_padding_mask.dtype} and shape {tuple(key_padding_mask.shape)}")
        pad = key_padding_mask.view(B, *[1] * (scores.ndim - 2), T_k)  # (B, T_k) -> (B, 1, ..., 1, T_k)
        scores = scores.masked_fill(pad, -math.inf)
    return scores


def scaled_dot_product_attention(q: Tensor, k: Tensor, v: Tensor, *, mask: Tensor | None = None,
                                 causal: bool = False, key_padding_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, training: bool = False,
                                 generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """softmax(Q Kᵀ / √d_k + mask) V: (output (..., T_q, d_v), weights (..., T_q, T_k)).

    ``q`` (..., T_q, d_k), ``k`` (..., T_k, d_k), ``v`` (..., T_k, d_v), any leading dims
    shared by the three. Masks as in the module docstring: ``mask`` bool (True = may attend)
    or float (added), broadcastable to (..., T_q, T_k); ``causal``; ``key_padding_mask``
    (B, T_k), True = ignore. Each row of ``weights`` sums to 1, with masked entries exactly 0;
    a row with every key masked is all 0, and so is its output. With ``training`` and
    ``dropout_p > 0`` the weights that multiply V are dropped out (dlbook.regularization.dropout,
    from ``generator``); the returned ``weights`` are the softmax before dropout.
    """
    _check_qkv(q, k, v)
    d_k = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (..., T_q, T_k): s_ij = q_i · k_j / √d_k
    scores = _masked_scores(scores, mask, causal, key_padding_mask)
    # every key masked: softmax(−∞, ..., −∞) = 0/0; give such a row weights 0 (and no NaN gradient)
    dead = scores.isneginf().all(dim=-1, keepdim=True)  # (..., T_q, 1)
    weights = torch.softmax(scores.masked_fill(dead, 0.0), dim=-1)  # α_ij = exp(s_ij) / Σ_l exp(s_il)
    weights = weights.masked_fill(dead, 0.0)
    dropped = _dropout(weights, dropout_p, training=training, generator=generator)
    return dropped @ v, weights  # (..., T_q, d_v): o_i = Σ_j α_ij v_j


class MultiHeadAttention(nn.Module):
    """MultiHead(Q, K, V) = Concat(head_1, ..., head_H) W^O, head_h = Attention(Q W^Q_h, K W^K_h, V W^V_h).

    Batch first: ``forward(query (B, T_q, E), key (B, T_k, E), value (B, T_k, E))`` ->
    ``(output (B, T_q, E), weights)``, with ``weights`` (B, T_q, T_k) averaged over heads, or
    (B, H, T_q, T_k) per head with ``average_weights=False``, or None with ``need_weights=False``.
    The projections W^Q, W^K, W^V (E -> E, head h takes features h·d_k to (h + 1)·d_k) are
    ``W_Q``, ``W_K``, ``W_V``, or with ``fused_qkv=True`` one ``W_QKV`` (E -> 3E, rows Q then K
    then V: torch's ``in_proj_weight``), one product for self-attention. ``dropout`` applies to
    the attention weights in training. ``mask`` is (T_q, T_k), (B, T_q, T_k) or
    (B, H, T_q, T_k), True = may attend (see the module docstring); a ``cache``
    (dlbook.kv_cache.LayerCache) gets the new keys and values appended and the queries attend
    to all of it. Initialised as ``nn.Linear`` (drawn from ``generator`` if given).
    """

    def __init__(self, embed_dim: int, num_heads: int, *, bias: bool = True, dropout: float = 0.0,
                 fused_qkv: bool = False, generator: torch.Generator | None = None) -> None:
        super().__init__()
        for name, value in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"MultiHeadAttention expects {name} to be a positive int, got {value!r}")
        if embed_dim % num_heads:
            raise ValueError(f"MultiHeadAttention expects embed_dim divisible by num_heads, got "
                             f"embed_dim={embed_dim}, num_heads={num_heads}")
        if not (isinstance(dropout, int | float) and not isinstance(dropout, bool) and 0 <= dropout < 1):
            raise ValueError(f"MultiHeadAttention expects 0 <= dropout < 1, got {dropout!r}")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.bias, self.dropout, self.fused_qkv = bias, float(dropout), fused_qkv
        E = embed_dim
        if fused_qkv:
            self.W_QKV = linear(E, 3 * E, bias=bias, generator=generator)
        else:
            self.W_Q = linear(E, E, bias=bias, generator=generator)
            self.W_K = linear(E, E, bias=bias, generator=generator)
            self.W_V = linear(E, E, bias=bias, generator=generator)
        self.W_O = linear(E, E, bias=bias, generator=generator)

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Q = query W^Qᵀ + b^Q, K = key W^Kᵀ + b^K, V = value W^Vᵀ + b^V, each (B, T, E)."""
        if not self.fused_qkv:
            return self.W_Q(query), self.W_K(key), self.W_V(value)
        E = self.embed_dim
        if query is key is value:  # self-attention: one product
            Q, K, V = self.W_QKV(query).split(E, dim=-1)  # (B, T, 3E) -> 3 × (B, T, E)
            return Q, K, V
        Ws = self.W_QKV.weight.split(E)  # 3 × (E, E): W^Q, W^K, W^V
        bs = (None,) * 3 if self.W_QKV.bias is None else self.W_QKV.bias.split(E)
        return F.linear(query, Ws[0], bs[0]), F.linear(key, Ws[1], bs[1]), F.linear(value, Ws[2], bs[2])

    def _check(self, query: Tensor, key: Tensor, value: Tensor) -> None:
        E = self.embed_dim
        for name, x in (("query", query), ("key", key), ("value", value)):
            if x.ndim != 3 or x.shape[2] != E or x.shape[0] != query.shape[0]:
                raise ValueError(f"MultiHeadAttention expects {name} of shape (B, T, {E}) (batch first, "
                                 f"B = {query.shape[0] if query.ndim else '?'}), got {tuple(x.shape)}")
        if key.shape[1] != value.shape[1]:
            raise ValueError(f"MultiHeadAttention expects key and value of one length T_k, got key "
                             f"{tuple(key.shape)} and value {tuple(value.shape)}")

    def _head_mask(self, mask: Tensor | None, B: int) -> Tensor | None:
        if mask is None or mask.ndim == 2 or mask.ndim == 4:
            return mask  # (T_q, T_k) broadcasts over B and H; (B, H, T_q, T_k) as it is
        if mask.ndim == 3 and mask.shape[0] == B:
            return mask[:, None]  # (B, T_q, T_k) -> (B, 1, T_q, T_k): the same for every head
        raise ValueError(f"MultiHeadAttention expects mask of shape (T_q, T_k), (B, T_q, T_k) or "
                         f"(B, H, T_q, T_k) with B = {B}, got {tuple(mask.shape)}")

    def forward(self, query: Tensor, key: Tensor, value: Tensor, *, mask: Tensor | None = None,
                causal: bool = False, key_padding_mask: Tensor | None = None, need_weights: bool = True,
                average_weights: bool = True, cache: LayerCache | None = None
                ) -> tuple[Tensor, Tensor | None]:
        self._check(query, key, value)
        B, T_q, E = query.shape
        T_k, H, d_k = key.shape[1], self.num_heads, self.head_dim
        Q, K, V = self._project(query, key, value)  # each (B, T, E)
        Q = Q.view(B, T_q, H, d_k).transpose(1, 2)  # (B, T_q, E) -> (B, T_q, H, d_k) -> (B, H, T_q, d_k)
        K = K.view(B, T_k, H, d_k).transpose(1, 2)  # (B, T_k, E) -> (B, H, T_k, d_k)
        V = V.view(B, T_k, H, d_k).transpose(1, 2)  # (B, T_k, E) -> (B, H, T_k, d_k)
        if cache is not None:
            K, V = cache.append(K, V)  # (B, H, T_cached + T_k, d_k)
        heads, weights = scaled_dot_product_attention(
            Q, K, V, mask=self._head_mask(mask, B), causal=causal, key_padding_mask=key_padding_mask,
            dropout_p=self.dropout, training=self.training)  # (B, H, T_q, d_k), (B, H, T_q, T_k)
        # (B, H, T_q, d_k) -> (B, T_q, H, d_k) -> (B, T_q, E): the heads side by side
        concat = heads.transpose(1, 2).reshape(B, T_q, E)
        output = self.W_O(concat)  # Concat(head_1, ..., head_H) W^O
        if not need_weights:
            return output, None
        return output, weights.mean(dim=1) if average_weights else weights  # (B, T_q, T_k) or per head

    @torch.no_grad()
    def copy_from_torch(self, mha: nn.MultiheadAttention) -> MultiHeadAttention:
        """Load the weights of ``mha`` (same embed_dim, num_heads, bias; batch first or not) and return self.

        torch keeps W^Q, W^K, W^V stacked in ``in_proj_weight`` (3E, E) and W^O in ``out_proj``.
        """
        if not isinstance(mha, nn.MultiheadAttention):
            raise ValueError(f"copy_from_torch expects a torch.nn.MultiheadAttention, got "
                             f"{type(mha).__name__}")
        if not mha._qkv_same_embed_dim or mha.bias_k is not None or mha.add_zero_attn:
            raise ValueError("copy_from_torch expects an nn.MultiheadAttention without kdim/vdim, "
                             "add_bias_kv or add_zero_attn")
        theirs = (mha.embed_dim, mha.num_heads, mha.in_proj_bias is not None)
        ours = (self.embed_dim, self.num_heads, self.bias)
        if theirs != ours:
            raise ValueError(f"copy_from_torch: (embed_dim, num_heads, bias) differ, MultiHeadAttention has "
                             f"{ours}, torch's {theirs}")
        assert mha.in_proj_weight is not None
        if self.fused_qkv:
            self.W_QKV.weight.copy_(mha.in_proj_weight)
        else:
            for W, w in zip((self.W_Q, self.W_K, self.W_V), mha.in_proj_weight.split(self.embed_dim),
                            strict=True):
                W.weight.copy_(w)
        self.W_O.weight.copy_(mha.out_proj.weight)
        if self.bias:
            if self.fused_qkv:
                self.W_QKV.bias.copy_(mha.in_proj_bias)
            else:
                for W, b in zip((self.W_Q, self.W_K, self.W_V), mha.in_proj_bias.split(self.embed_dim),
                                strict=True):
                    W.bias.copy_(b)
            self.W_O.bias.copy_(mha.out_proj.bias)
        return self

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, d_k={self.head_dim}"
                + ("" if self.bias else ", bias=False")
                + (f", dropout={self.dropout}" if self.dropout else ""))
