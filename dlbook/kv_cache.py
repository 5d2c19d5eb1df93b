"""The key-value cache: generating with a decoder-only transformer one token per step.

Taught in docs/architectures/attention-and-transformers.py. A causal transformer writes a
text one token at a time, and every step is a forward pass over the whole text so far. But
with causal attention position i only ever reads positions j ≤ i, so the keys K and values V
that each layer computed for the old positions are exactly the same at the next step: only
the new token's row is new. ``KVCache`` keeps, for every layer, K and V of shape
(B, H, T, d_k) and appends the new rows at each step (``LayerCache.append``); a model that
takes it as its state (dlbook.gpt.GPT) then reads just the new token and attends from it to
the whole cache. A step costs one token through the model plus attention over T cached
positions, O(T·d), instead of re-reading the prefix, O(T·d² + T²·d).

``Recompute`` is the baseline without a cache (its state is the prefix of ids, re-read in
full every call), with nanoGPT's sliding window as an option; ``generate_ids`` samples token
ids from any ``model(idx, state) -> (logits, state)`` and returns the logits it sampled from,
which is how tests/library/test_kv_cache.py shows the two give the same tokens and logits and
benchmarks/kv_cache.py times them. Ref: Pope et al. 2022, "Efficiently scaling transformer
inference"; Radford et al. 2019 (GPT-2's ``past`` key-values).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dlbook.charlm import LanguageModel, _check_sampling, _evaluating, sample_next

__all__ = ["KVCache", "LayerCache", "Recompute", "generate_ids"]


class LayerCache:
    """One attention layer's cached keys ``K`` and values ``V``, each (B, H, T, d_k), or None when empty.

    ``append`` never writes into a tensor: it replaces ``K`` and ``V`` by their concatenation with
    the new rows, so a cache handed to a model earlier still holds what it held (and autograd
    sees ordinary ``torch.cat``). A server would preallocate (B, H, max_len, d_k) and write in place.
    """

    def __init__(self, K: Tensor | None = None, V: Tensor | None = None) -> None:
        if (K is None) != (V is None):
            raise ValueError("LayerCache expects both K and V, or neither")
        self.K, self.V = K, V

    @property
    def length(self) -> int:
        """T: the number of positions cached."""
        return 0 if self.K is None else self.K.shape[2]

    def append(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """Append the new ``k``, ``v`` (B, H, T_new, d_k); return all of K, V (B, H, T + T_new, d_k)."""
        if k.ndim != 4 or v.shape != k.shape:
            raise ValueError(f"LayerCache expects k and v of one shape (B, H, T_new, d_k), got "
                             f"{tuple(k.shape)} and {tuple(v.shape)}")
        if self.K is None or self.V is None:
            self.K, self.V = k, v
        else:
            B, H, _, d_k = self.K.shape
            if (k.shape[0], k.shape[1], k.shape[3]) != (B, H, d_k):
                raise ValueError(f"LayerCache holds K of shape (B, H, T, d_k) = {tuple(self.K.shape)}; "
                                 f"new keys must be ({B}, {H}, T_new, {d_k}), got {tuple(k.shape)}")
            # (B, H, T, d_k) and (B, H, T_new, d_k) -> (B, H, T + T_new, d_k)
            self.K = torch.cat([self.K, k], dim=2)
            self.V = torch.cat([self.V, v], dim=2)
        return self.K, self.V


class KVCache:
    """The state of a cached decoder: one ``LayerCache`` per layer, all of the same length.

    ``length`` is the number of positions read so far, which is also the position (offset) of
    the next token. ``copy`` gives new ``LayerCache`` objects over the same tensors, so a model
    can append to the copy and leave the cache it was given as it was.
    """

    def __init__(self, num_layers: int) -> None:
        if not isinstance(num_layers, int) or isinstance(num_layers, bool) or num_layers < 1:
            raise ValueError(f"KVCache expects num_layers to be a positive int, got {num_layers!r}")
        self.layers = [LayerCache() for _ in range(num_layers)]

    @property
    def length(self) -> int:
        """T: positions cached (equal in every layer, else the cache is broken and this raises)."""
        lengths = {layer.length for layer in self.layers}
        if len(lengths) != 1:
            raise ValueError(f"KVCache layers hold different lengths {sorted(lengths)}: a forward pass "
                             f"stopped half-way; start again from an earlier cache or None")
        return lengths.pop()

    @property
    def batch_size(self) -> int | None:
        """B of the cached tensors, or None while the cache is empty."""
        K = self.layers[0].K
        return None if K is None else K.shape[0]

    def copy(self) -> KVCache:
        new = KVCache(len(self.layers))
        new.layers = [LayerCache(layer.K, layer.V) for layer in self.layers]
        return new

    def __repr__(self) -> str:
        K = self.layers[0].K
        shape = "empty" if K is None else f"K, V of shape {tuple(K.shape)} per layer"
        return f"KVCache({len(self.layers)} layers, {shape})"


class Recompute(nn.Module):
    """Generation without a cache: ``model``'s state is replaced by the prefix of ids, re-read every call.

    ``forward(idx (B, T), prefix (B, P) or None) -> (logits (B, T, V), prefix + idx (B, P + T))``:
    it runs ``model(prefix + idx)`` from scratch and keeps the logits of the T new positions.
    With ``max_len`` (nanoGPT's sliding window) only the last ``max_len`` ids are read, so it
    writes past a model's block size, but then it no longer equals a cached model, whose
    positions would run out; without it, it equals the cached model step for step.
    """

    def __init__(self, model: nn.Module, *, max_len: int | None = None) -> None:
        super().__init__()
        if max_len is not None and (not isinstance(max_len, int) or isinstance(max_len, bool) or max_len < 1):
            raise ValueError(f"Recompute expects max_len to be None or a positive int, got {max_len!r}")
        self.model, self.max_len = model, max_len

    def forward(self, idx: Tensor, prefix: Tensor | None = None) -> tuple[Tensor, Tensor]:
        T = idx.shape[-1]
        prefix = idx if prefix is None else torch.cat([prefix, idx], dim=1)  # (B, P + T)
        window = prefix if self.max_len is None else prefix[:, -self.max_len:]  # (B, ≤ max_len)
        if window.shape[1] < T:
            raise ValueError(f"Recompute reads at most max_len = {self.max_len} ids, got {T} new ones")
        logits, _ = self.model(window)  # state None: everything computed again
        return logits[:, -T:], prefix  # (B, T, V): the new positions only


def generate_ids(model: LanguageModel, idx: Tensor, num_tokens: int, *, temperature: float = 1.0,
                 top_k: int | None = None, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """Sample ``num_tokens`` ids after the prompt ``idx`` (B, P): returns (ids (B, N), logits (B, N, V)).

    As ``dlbook.charlm.generate`` but on ids and batched: the model reads the prompt in one
    call, then one sampled id per row per call with its state carried, and ``logits[:, n]``
    are the scores the n-th id was drawn from (dlbook.charlm.sample_next: temperature, top_k,
    ``generator``; ``top_k=1`` is greedy). No gradients; an ``nn.Module`` runs in eval mode.
    """
    if idx.ndim != 2 or idx.shape[1] == 0 or idx.dtype != torch.long:
        raise ValueError(f"generate_ids expects a prompt idx as a (B, P) long tensor with P >= 1, got "
                         f"dtype {idx.dtype} and shape {tuple(idx.shape)}")
    if not isinstance(num_tokens, int) or isinstance(num_tokens, bool) or num_tokens < 1:
        raise ValueError(f"generate_ids expects num_tokens to be a positive int, got {num_tokens!r}")
    _check_sampling("generate_ids", temperature, top_k)
    ids, scores = [], []
    with _evaluating(model):
        x, state = idx, None
        for _ in range(num_tokens):
            logits, state = model(x, state)  # (B, T, V): T = P at the first step, then 1
            scores.append(logits[:, -1])  # (B, V): the scores of the next id
            x = sample_next(scores[-1], temperature=temperature, top_k=top_k, generator=generator)[:, None]
            ids.append(x)  # (B, 1), also the next input
    return torch.cat(ids, dim=1), torch.stack(scores, dim=1)  # (B, N), (B, N, V)
