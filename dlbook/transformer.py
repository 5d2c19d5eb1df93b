"""The transformer block: attention and a feed-forward network, each in a pre-norm residual branch.

Taught in docs/architectures/attention-and-transformers.py. A block lets every position read
the others (dlbook.attention.MultiHeadAttention) and then transforms each position on its own
(``FeedForward``, W_2 GELU(W_1 x + b_1) + b_2, 4× wider inside). Each sits in a residual branch
behind a layer norm, the pre-norm arrangement (Xiong et al. 2020) that GPT-2 uses and that
trains without a learning-rate warm-up as delicate as the original post-norm one needs:

    x ← x + Dropout(MHA(LN_1(x)))        x ← x + Dropout(FFN(LN_2(x)))

``TransformerEncoder`` stacks blocks with an optional final layer norm and returns every
layer's per-head attention weights on request. ``copy_from_torch`` loads
``nn.TransformerEncoderLayer(norm_first=True, activation="gelu")`` (and ``nn.TransformerEncoder``
of them); tests/library/test_transformer.py then checks outputs and gradients against torch.
Refs: Vaswani et al. 2017; Xiong et al. 2020; Hendrycks & Gimpel 2016 (GELU).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast, overload

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlbook.attention import MultiHeadAttention, linear
from dlbook.regularization import Dropout

if TYPE_CHECKING:
    from dlbook.kv_cache import LayerCache

__all__ = ["FeedForward", "TransformerBlock", "TransformerEncoder"]


class FeedForward(nn.Module):
    """FFN(x) = W_2 Dropout(GELU(W_1 x + b_1)) + b_2, applied to every position alone: (..., d) -> (..., d).

    ``d_ff`` defaults to 4·d_model; GELU(x) = x Φ(x) with Φ the standard normal CDF (exact, as
    torch's ``activation="gelu"``; GPT-2 used its tanh approximation).
    """

    def __init__(self, d_model: int, d_ff: int | None = None, *, bias: bool = True, dropout: float = 0.0,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        d_ff = 4 * d_model if d_ff is None else d_ff
        for name, value in (("d_model", d_model), ("d_ff", d_ff)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"FeedForward expects {name} to be a positive int, got {value!r}")
        self.W_1 = linear(d_model, d_ff, bias=bias, generator=generator)
        self.W_2 = linear(d_ff, d_model, bias=bias, generator=generator)
        self.drop = Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        return self.W_2(self.drop(F.gelu(self.W_1(x))))  # (..., d) -> (..., d_ff) -> (..., d)


class TransformerBlock(nn.Module):
    """A pre-norm block: x + Dropout(MHA(LN_1(x))), then x + Dropout(FFN(LN_2(x))); (B, T, d) -> (B, T, d).

    ``forward(x, *, mask, causal, key_padding_mask, need_weights, cache)`` returns
    ``(x, weights)`` with the per-head attention weights (B, H, T, T_k) when ``need_weights``,
    else None; the masks and ``cache`` go to ``MultiHeadAttention`` as they are.
    """

    def __init__(self, d_model: int, n_heads: int, *, d_ff: int | None = None, dropout: float = 0.0,
                 bias: bool = True, fused_qkv: bool = False, layer_norm_eps: float = 1e-5,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.attn = MultiHeadAttention(d_model, n_heads, bias=bias, dropout=dropout, fused_qkv=fused_qkv,
                                       generator=generator)
        self.ln_2 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.mlp = FeedForward(d_model, d_ff, bias=bias, dropout=dropout, generator=generator)
        self.drop = Dropout(dropout)  # on each residual branch

    def forward(self, x: Tensor, *, mask: Tensor | None = None, causal: bool = False,
                key_padding_mask: Tensor | None = None, need_weights: bool = False,
                cache: LayerCache | None = None) -> tuple[Tensor, Tensor | None]:
        h = self.ln_1(x)  # (B, T, d)
        a, weights = self.attn(h, h, h, mask=mask, causal=causal, key_padding_mask=key_padding_mask,
                               need_weights=need_weights, average_weights=False, cache=cache)
        x = x + self.drop(a)  # x + Dropout(MHA(LN_1(x)))
        x = x + self.drop(self.mlp(self.ln_2(x)))  # x + Dropout(FFN(LN_2(x)))
        return x, weights

    @torch.no_grad()
    def copy_from_torch(self, layer: nn.TransformerEncoderLayer) -> TransformerBlock:
        """Load an ``nn.TransformerEncoderLayer(norm_first=True, activation="gelu")`` of the same sizes.

        torch's names -> ours: norm1 -> ln_1, self_attn -> attn, norm2 -> ln_2,
        linear1 -> mlp.W_1, linear2 -> mlp.W_2.
        """
        if not isinstance(layer, nn.TransformerEncoderLayer):
            raise ValueError(f"copy_from_torch expects a torch.nn.TransformerEncoderLayer, got "
                             f"{type(layer).__name__}")
        gelu = layer.activation is F.gelu or (isinstance(layer.activation, nn.GELU)
                                              and layer.activation.approximate == "none")
        if not layer.norm_first or not gelu:
            raise ValueError(f"copy_from_torch expects a pre-norm layer with exact GELU "
                             f"(norm_first=True, activation='gelu'), got norm_first={layer.norm_first} "
                             f"and activation {layer.activation}")
        if layer.linear1.weight.shape != self.mlp.W_1.weight.shape or layer.norm1.eps != self.ln_1.eps:
            raise ValueError(f"copy_from_torch: (d_ff, d_model) or layer_norm_eps differ, block has "
                             f"{tuple(self.mlp.W_1.weight.shape)}, eps {self.ln_1.eps}, torch's "
                             f"{tuple(layer.linear1.weight.shape)}, eps {layer.norm1.eps}")
        self.attn.copy_from_torch(layer.self_attn)
        pairs = ((self.ln_1, layer.norm1), (self.ln_2, layer.norm2),
                 (self.mlp.W_1, layer.linear1), (self.mlp.W_2, layer.linear2))
        for ours, theirs in pairs:
            ours.load_state_dict(theirs.state_dict())
        return self


class TransformerEncoder(nn.Module):
    """``num_layers`` ``TransformerBlock``s and an optional final layer norm: (B, T, d) -> (B, T, d).

    ``forward(x, *, mask, causal, key_padding_mask, return_attention=False)``; with
    ``return_attention=True`` it returns ``(x, weights)``, ``weights`` (L, B, H, T, T) of every
    layer and head. Pre-norm stacks need the final norm (their residual stream is never
    normalised otherwise); ``final_norm=False`` matches ``nn.TransformerEncoder(norm=None)``.
    """

    def __init__(self, d_model: int, n_heads: int, num_layers: int, *, d_ff: int | None = None,
                 dropout: float = 0.0, bias: bool = True, final_norm: bool = True,
                 layer_norm_eps: float = 1e-5, generator: torch.Generator | None = None) -> None:
        super().__init__()
        if not isinstance(num_layers, int) or isinstance(num_layers, bool) or num_layers < 1:
            raise ValueError(f"TransformerEncoder expects num_layers to be a positive int, got "
                             f"{num_layers!r}")
        self.layers = nn.ModuleList(
            TransformerBlock(d_model, n_heads, d_ff=d_ff, dropout=dropout, bias=bias,
                             layer_norm_eps=layer_norm_eps, generator=generator)
            for _ in range(num_layers))
        self.norm = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias) if final_norm else None

    @overload
    def forward(self, x: Tensor, *, mask: Tensor | None = None, causal: bool = False,
                key_padding_mask: Tensor | None = None, return_attention: Literal[False] = False
                ) -> Tensor: ...

    @overload
    def forward(self, x: Tensor, *, mask: Tensor | None = None, causal: bool = False,
                key_padding_mask: Tensor | None = None, return_attention: Literal[True]
                ) -> tuple[Tensor, Tensor]: ...

    def forward(self, x: Tensor, *, mask: Tensor | None = None, causal: bool = False,
                key_padding_mask: Tensor | None = None, return_attention: bool = False
                ) -> Tensor | tuple[Tensor, Tensor]:
        weights: list[Tensor] = []
        for block in self.layers:
            x, w = block(x, mask=mask, causal=causal, key_padding_mask=key_padding_mask,
                         need_weights=return_attention)
            if w is not None:
                weights.append(w)  # (B, H, T, T)
        if self.norm is not None:
            x = self.norm(x)
        return (x, torch.stack(weights)) if return_attention else x  # weights (L, B, H, T, T)

    @torch.no_grad()
    def copy_from_torch(self, encoder: nn.TransformerEncoder) -> TransformerEncoder:
        """Load an ``nn.TransformerEncoder`` of as many pre-norm GELU layers, and its final norm if any."""
        if not isinstance(encoder, nn.TransformerEncoder):
            raise ValueError(f"copy_from_torch expects a torch.nn.TransformerEncoder, got "
                             f"{type(encoder).__name__}")
        if len(encoder.layers) != len(self.layers) or (encoder.norm is None) != (self.norm is None):
            raise ValueError(f"copy_from_torch: layers or final norm differ, ours has {len(self.layers)} "
                             f"layers and final_norm={self.norm is not None}, torch's "
                             f"{len(encoder.layers)} and norm={encoder.norm is not None}")
        for ours, theirs in zip(self.layers, encoder.layers, strict=True):
            cast(TransformerBlock, ours).copy_from_torch(theirs)
        if self.norm is not None and encoder.norm is not None:
            self.norm.load_state_dict(encoder.norm.state_dict())
        return self
