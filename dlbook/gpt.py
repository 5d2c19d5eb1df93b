"""GPT: a decoder-only transformer language model, taught in docs/architectures/attention-and-transformers.py.

Token embeddings plus positions (dlbook.positional), n_layer causal pre-norm blocks
(dlbook.transformer.TransformerBlock), a final layer norm and a linear head whose weight is
the token embedding matrix (weight tying, so a token is read and written with one vector).
``GPT.forward(idx, state)`` has the form ``model(idx, state) -> (logits, state)`` of
dlbook.charlm, so ``generate``, ``next_char_probs`` and ``nats_per_char`` work with it
unchanged: the state is the key-value cache (dlbook.kv_cache.KVCache), and a call with a
cache reads only the new tokens, at positions after the cached ones. The structure follows
nanoGPT (Karpathy 2022) and GPT-2 (Radford et al. 2019): pre-norm blocks (Xiong et al. 2020),
GELU, N(0, 0.02) initialisation with the residual projections scaled by 1/√(2·n_layer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, overload

import torch
from torch import Tensor, nn

from dlbook.kv_cache import KVCache
from dlbook.positional import LearnedPositions, SinusoidalPositions
from dlbook.regularization import Dropout
from dlbook.transformer import TransformerBlock

__all__ = ["GPT", "GPTConfig", "parameter_count"]

Positions = Literal["learned", "sinusoidal"]


@dataclass
class GPTConfig:
    vocab_size: int  # V: tokens the model reads and predicts
    block_size: int  # longest context: positions 0..block_size − 1, cache included
    n_layer: int = 4  # L: transformer blocks
    n_head: int = 4  # H: attention heads per block
    n_embd: int = 64  # d_model: width of the residual stream, a multiple of n_head (d_k = n_embd / n_head)
    dropout: float = 0.0  # on embeddings, attention weights and residual branches, in training
    bias: bool = True  # biases in the linear layers and layer norms (GPT-2 has them)
    positions: Positions = "learned"  # "learned" (GPT-2) or "sinusoidal" (Vaswani et al. 2017)

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"GPTConfig expects {name} to be a positive int, got {value!r}")
        if self.n_embd % self.n_head:
            raise ValueError(f"GPTConfig expects n_embd divisible by n_head, got n_embd={self.n_embd}, "
                             f"n_head={self.n_head}")
        if not (isinstance(self.dropout, int | float) and not isinstance(self.dropout, bool)
                and 0 <= self.dropout < 1):
            raise ValueError(f"GPTConfig expects 0 <= dropout < 1, got {self.dropout!r}")
        if self.positions not in ("learned", "sinusoidal"):
            raise ValueError(f"GPTConfig expects positions 'learned' or 'sinusoidal', got {self.positions!r}")


def parameter_count(config: GPTConfig) -> int:
    """The number of parameters of ``GPT(config)``, from the formula (the head is tied: counted once).

    Per block, with d = n_embd and β = 1 with biases, else 0: W^Q, W^K, W^V, W^O are 4d² (+ 4βd),
    the feed-forward W_1, W_2 are 8d² (+ 5βd), two layer norms 2d (+ 2βd): 12d² + 2d + 11βd.
    Add V·d token embeddings, block_size·d learned positions and the final norm's d (+ βd).
    """
    d, beta = config.n_embd, int(config.bias)
    block = 12 * d * d + 2 * d + 11 * beta * d
    positions = config.block_size * d if config.positions == "learned" else 0
    return config.vocab_size * d + positions + config.n_layer * block + d + beta * d


class GPT(nn.Module):
    """Decoder-only transformer: ``forward(idx (B, T), state=None) -> (logits (B, T, V), KVCache)``.

    ``logits[:, t]`` scores the token after ``idx[:, t]`` given everything before it. ``state``
    is the ``KVCache`` a previous call returned (None to start): the T new tokens sit at
    positions cache.length..cache.length + T − 1, and the cache given is left as it was (the
    returned one is new). Positions run out at ``config.block_size``, cache included: beyond it
    the call raises (for longer texts wrap the model in ``dlbook.kv_cache.Recompute`` with
    ``max_len=block_size``, a sliding window). ``return_attention=True`` adds the attention
    weights of every layer and head, (L, B, H, T, T_cache + T). Initialisation is drawn from
    ``generator`` if given, else from the global RNG.
    """

    def __init__(self, config: GPTConfig, *, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.config = config
        V, d, L = config.vocab_size, config.n_embd, config.n_layer
        with torch.random.fork_rng(devices=[]):  # torch's own init draws from the global RNG: undone on exit
            self.wte = nn.Embedding(V, d)  # token embeddings (V, d), drawn again in _init_weights
            self.lm_head = nn.Linear(d, V, bias=False)
        self.positions: LearnedPositions | SinusoidalPositions = (
            LearnedPositions(d, config.block_size, generator=generator) if config.positions == "learned"
            else SinusoidalPositions(d, config.block_size))
        # Vaswani et al. §3.4: token vectors × √d_model, so that unit-amplitude sines do not drown them
        self.embed_scale = math.sqrt(d) if config.positions == "sinusoidal" else 1.0
        self.drop = Dropout(config.dropout)
        self.blocks = nn.ModuleList(
            TransformerBlock(d, config.n_head, dropout=config.dropout, bias=config.bias, fused_qkv=True,
                             generator=generator)
            for _ in range(L))
        self.ln_f = nn.LayerNorm(d, bias=config.bias)
        self.lm_head.weight = self.wte.weight  # weight tying: logits_v = h · e_v, one (V, d) matrix
        self._init_weights(generator)

    @torch.no_grad()
    def _init_weights(self, generator: torch.Generator | None) -> None:
        """GPT-2's: every weight N(0, 0.02²), biases 0, W^O and W_2 (which add to the residual
        stream, once per branch, 2L times) N(0, (0.02/√(2L))²) so the stream's variance stays put.
        With sinusoidal positions the token embeddings are N(0, 1/d_model) instead: times √d_model
        they have unit scale, like the sines."""
        embed_std = 0.02 if self.embed_scale == 1.0 else 1 / math.sqrt(self.config.n_embd)
        self.wte.weight.normal_(0.0, embed_std, generator=generator)
        residual_std = 0.02 / math.sqrt(2 * self.config.n_layer)
        for block in self.blocks:
            assert isinstance(block, TransformerBlock)
            for layer in (block.attn.W_QKV, block.attn.W_O, block.mlp.W_1, block.mlp.W_2):
                std = residual_std if layer in (block.attn.W_O, block.mlp.W_2) else 0.02
                layer.weight.normal_(0.0, std, generator=generator)
                if layer.bias is not None:
                    layer.bias.zero_()

    def _check(self, idx: Tensor, state: object) -> KVCache:
        if idx.ndim != 2 or idx.dtype != torch.long or idx.shape[1] == 0:
            raise ValueError(f"GPT expects idx as a (B, T) long tensor with T >= 1, got dtype {idx.dtype} "
                             f"and shape {tuple(idx.shape)}")
        V = self.config.vocab_size
        if not (int(idx.min()) >= 0 and int(idx.max()) < V):
            raise ValueError(f"GPT expects ids in [0, {V}), got ids from {int(idx.min())} to "
                             f"{int(idx.max())}")
        L = self.config.n_layer
        if state is None:
            return KVCache(L)
        if not isinstance(state, KVCache) or len(state.layers) != L:
            raise ValueError(f"GPT expects state None or the KVCache of {L} layers a previous call returned, "
                             f"got {state!r}")
        if state.batch_size not in (None, idx.shape[0]):
            raise ValueError(f"GPT got idx of batch size {idx.shape[0]} and a cache of batch size "
                             f"{state.batch_size}")
        return state.copy()  # appended to below; the caller's cache stays as it was

    @overload
    def forward(self, idx: Tensor, state: KVCache | None = None, *,
                return_attention: Literal[False] = False) -> tuple[Tensor, KVCache]: ...

    @overload
    def forward(self, idx: Tensor, state: KVCache | None = None, *,
                return_attention: Literal[True]) -> tuple[Tensor, KVCache, Tensor]: ...

    def forward(self, idx: Tensor, state: KVCache | None = None, *, return_attention: bool = False
                ) -> tuple[Tensor, KVCache] | tuple[Tensor, KVCache, Tensor]:
        cache = self._check(idx, state)
        B, T = idx.shape
        offset = cache.length  # positions already read: the new tokens start there
        if offset + T > self.config.block_size:
            raise ValueError(f"GPT has block_size = {self.config.block_size} positions; the cache holds "
                             f"{offset} and idx adds {T} (for longer texts use "
                             f"dlbook.kv_cache.Recompute(model, max_len=block_size), a sliding window)")
        tokens = self.wte(idx) * self.embed_scale  # (B, T) -> (B, T, d)
        x = self.drop(self.positions(tokens, offset=offset))  # (B, T, d): token + position
        weights = []
        for block, layer_cache in zip(self.blocks, cache.layers, strict=True):
            x, w = block(x, causal=True, need_weights=return_attention, cache=layer_cache)
            if w is not None:
                weights.append(w)  # (B, H, T, offset + T)
        logits = self.lm_head(self.ln_f(x))  # (B, T, d) -> (B, T, V)
        if return_attention:
            return logits, cache, torch.stack(weights)  # (L, B, H, T, offset + T)
        return logits, cache

    def num_parameters(self, *, non_embedding: bool = False) -> int:
        """Parameters, the tied embedding counted once; ``non_embedding`` leaves out the learned positions."""
        n = sum(p.numel() for p in self.parameters())  # parameters() yields a shared tensor once
        if non_embedding and isinstance(self.positions, LearnedPositions):
            n -= self.positions.weight.numel()
        return n
