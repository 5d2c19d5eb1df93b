"""dlbook.kv_cache: generating with the key-value cache gives exactly the tokens and logits of
recomputing the whole prefix every step (float64, odd sizes: n_embd 12, 3 heads, 2 layers,
vocab 7, block_size 17), and a cache that would outgrow block_size is a clear error."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from dlbook.attention import MultiHeadAttention
from dlbook.charlm import generate
from dlbook.gpt import GPT, GPTConfig
from dlbook.kv_cache import KVCache, LayerCache, Recompute, generate_ids
from dlbook.text import Vocabulary

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/library/conftest.py

DTYPE = torch.float64
V, BLOCK, B, P = 7, 17, 3, 4  # P: prompt length; P + 13 new ids fill block_size exactly


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def model(**options: Any) -> GPT:
    config = GPTConfig(**{"vocab_size": V, "block_size": BLOCK, "n_layer": 2, "n_head": 3, "n_embd": 12,
                          **options})
    return GPT(config, generator=gen(0)).to(DTYPE)


def prompt(B: int = B) -> torch.Tensor:
    return torch.randint(0, V, (B, P), generator=gen(1))


@pytest.mark.parametrize("positions", ["learned", "sinusoidal"])
@pytest.mark.parametrize("sampling", [{"top_k": 1}, {"temperature": 1.3}, {"temperature": 0.7, "top_k": 3}])
def test_cached_generation_equals_recomputing_the_prefix(positions: str, sampling: dict[str, Any]) -> None:
    gpt = model(positions=positions, dropout=0.2)  # generate_ids runs it in eval mode: dropout off
    n = BLOCK - P + 1  # the last id is sampled from position block_size − 1
    cached, cached_logits = generate_ids(gpt, prompt(), n, generator=gen(2), **sampling)
    again, logits = generate_ids(Recompute(gpt), prompt(), n, generator=gen(2), **sampling)
    assert cached.shape == (B, n) and cached_logits.shape == (B, n, V)
    assert torch.equal(cached, again)
    torch.testing.assert_close(cached_logits, logits)
    # and both are the logits of one pass over the whole text
    assert gpt.training  # generate_ids put it back in training mode
    text = torch.cat([prompt(), cached[:, :-1]], dim=1)  # (B, block_size)
    with torch.no_grad():
        full, _ = gpt.eval()(text)
    torch.testing.assert_close(cached_logits, full[:, P - 1:])


def test_generation_past_block_size_is_a_clear_error_or_a_sliding_window() -> None:
    gpt = model()
    with pytest.raises(ValueError, match=r"GPT has block_size = 17 positions; the cache holds 17 and idx "
                                         r"adds 1 \(for longer texts use dlbook.kv_cache.Recompute"):
        generate_ids(gpt, prompt(), BLOCK - P + 2)
    with pytest.raises(ValueError, match="block_size = 17 positions"):
        generate_ids(Recompute(gpt), prompt(), BLOCK - P + 2)  # no window: the same limit
    window = Recompute(gpt, max_len=BLOCK)
    ids, logits = generate_ids(window, prompt(), 30, top_k=1)
    text = torch.cat([prompt(), ids], dim=1)
    gpt.eval()
    with torch.no_grad():
        for step in (0, 13, 29):  # the id at `step` is scored from the last block_size ids before it
            end = P + step
            expected, _ = gpt(text[:, max(0, end - BLOCK): end])
            torch.testing.assert_close(logits[:, step], expected[:, -1])


def test_charlm_generate_with_and_without_cache_writes_the_same_text() -> None:
    gpt = model()
    vocab = Vocabulary("abcdefg")
    cached = generate(gpt, vocab, "bad", 14, temperature=1.1, generator=gen(3))
    assert cached == generate(Recompute(gpt), vocab, "bad", 14, temperature=1.1, generator=gen(3))


def test_forward_leaves_the_given_cache_as_it_was_and_returns_per_step_attention() -> None:
    gpt = model().eval()
    idx = prompt()
    full, _, attention = gpt(idx, return_attention=True)  # (L, B, H, P, P)
    first, cache = gpt(idx[:, :3])
    K_before = cache.layers[0].K
    last, grown, step_attention = gpt(idx[:, 3:], cache, return_attention=True)
    assert cache.length == 3 and cache.layers[0].K is K_before  # untouched: a branch can restart from it
    assert grown.length == P and step_attention.shape == (2, B, 3, 1, P)
    torch.testing.assert_close(torch.cat([first, last], dim=1), full)
    torch.testing.assert_close(step_attention, attention[:, :, :, -1:])
    branch = idx.clone()
    branch[:, 3] = (branch[:, 3] + 1) % V
    other, _ = gpt(branch[:, 3:], cache)  # the same cache, another continuation
    torch.testing.assert_close(other, gpt(branch)[0][:, -1:])


def test_mha_with_a_layer_cache_one_token_at_a_time_equals_causal_self_attention() -> None:
    mha = MultiHeadAttention(12, 4, generator=gen(4)).to(DTYPE)
    x = torch.randn(2, 7, 12, generator=gen(5), dtype=DTYPE)
    expected, weights = mha(x, x, x, causal=True, average_weights=False)
    cache = LayerCache()
    steps = [mha(x[:, t: t + 1], x[:, t: t + 1], x[:, t: t + 1], causal=True, cache=cache,
                 average_weights=False) for t in range(7)]
    torch.testing.assert_close(torch.cat([out for out, _ in steps], dim=1), expected)
    assert cache.length == 7 and cache.K is not None and cache.K.shape == (2, 4, 7, 3)
    for t, (_, w) in enumerate(steps):
        assert w is not None and w.shape == (2, 4, 1, t + 1)
        torch.testing.assert_close(w[:, :, 0], weights[:, :, t, : t + 1])
    # two tokens per call (T_q = 2 < T_k): the causal mask is aligned lower right
    cache = LayerCache()
    pairs = [mha(x[:, t: t + 2], x[:, t: t + 2], x[:, t: t + 2], causal=True, cache=cache)[0]
             for t in (0, 2, 4)]
    torch.testing.assert_close(torch.cat(pairs, dim=1), expected[:, :6])


def test_caches_reject_mismatched_rows_and_report_broken_state() -> None:
    cache = LayerCache()
    assert cache.length == 0
    K, V_ = cache.append(torch.zeros(2, 3, 4, 5), torch.ones(2, 3, 4, 5))
    assert K.shape == (2, 3, 4, 5) and cache.length == 4
    with pytest.raises(ValueError, match=r"new keys must be \(2, 3, T_new, 5\), got \(1, 3, 1, 5\)"):
        cache.append(torch.zeros(1, 3, 1, 5), torch.zeros(1, 3, 1, 5))
    with pytest.raises(ValueError, match=r"k and v of one shape \(B, H, T_new, d_k\)"):
        cache.append(torch.zeros(2, 3, 1, 5), torch.zeros(2, 3, 2, 5))
    with pytest.raises(ValueError, match="both K and V, or neither"):
        LayerCache(torch.zeros(1, 1, 1, 1))
    kv = KVCache(2)
    assert kv.length == 0 and kv.batch_size is None and "empty" in repr(kv)
    kv.layers[0] = cache
    with pytest.raises(ValueError, match=r"layers hold different lengths \[0, 4\]"):
        kv.length
    with pytest.raises(ValueError, match="num_layers to be a positive int"):
        KVCache(0)


def test_generate_ids_and_recompute_reject_bad_input() -> None:
    gpt = model()
    with pytest.raises(ValueError, match=r"\(B, P\) long tensor with P >= 1"):
        generate_ids(gpt, torch.zeros(2, 0, dtype=torch.long), 3)
    with pytest.raises(ValueError, match="num_tokens to be a positive int, got 0"):
        generate_ids(gpt, prompt(), 0)
    with pytest.raises(ValueError, match="temperature > 0"):
        generate_ids(gpt, prompt(), 2, temperature=0.0)
    with pytest.raises(ValueError, match="max_len to be None or a positive int"):
        Recompute(gpt, max_len=0)
    with pytest.raises(ValueError, match=r"max_len = 3 ids, got 4 new ones"):
        Recompute(gpt, max_len=3)(prompt())
