"""dlbook.gpt: shapes, causality, weight tying, the parameter count, dlbook.charlm's sampling, training."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
import torch.nn.functional as F

from dlbook.charlm import generate, next_char_probs
from dlbook.gpt import GPT, GPTConfig, parameter_count
from dlbook.kv_cache import KVCache, Recompute
from dlbook.optim import Adam
from dlbook.text import Vocabulary, char_windows

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/library/conftest.py

V, BLOCK = 7, 17  # odd sizes: n_embd 12, 3 heads, 2 layers


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def model(**options: Any) -> GPT:
    config = GPTConfig(**{"vocab_size": V, "block_size": BLOCK, "n_layer": 2, "n_head": 3, "n_embd": 12,
                          **options})
    return GPT(config, generator=gen(0)).double()


def ids(B: int, T: int, seed: int = 1) -> torch.Tensor:
    return torch.randint(0, V, (B, T), generator=gen(seed))


@pytest.mark.parametrize("positions", ["learned", "sinusoidal"])
def test_shapes_cache_and_attention(positions: str) -> None:
    gpt = model(positions=positions)
    idx = ids(3, 5)
    logits, cache, attention = gpt(idx, return_attention=True)
    assert logits.shape == (3, 5, V) and logits.dtype == torch.float64
    assert isinstance(cache, KVCache) and cache.length == 5 and cache.batch_size == 3
    assert all(layer.K is not None and layer.K.shape == (3, 3, 5, 4) for layer in cache.layers)
    assert attention.shape == (2, 3, 3, 5, 5)  # (L, B, H, T, T)
    torch.testing.assert_close(attention.sum(-1), torch.ones(2, 3, 3, 5, dtype=torch.float64))
    assert torch.all(attention.triu(diagonal=1) == 0)  # no position attends to a later one
    torch.testing.assert_close(gpt(idx)[0], logits)


@pytest.mark.parametrize("positions", ["learned", "sinusoidal"])
def test_changing_a_later_token_leaves_earlier_logits_alone(positions: str) -> None:
    gpt = model(positions=positions)
    idx = ids(2, 9)
    logits, _ = gpt(idx)
    for t in (0, 4, 8):
        changed = idx.clone()
        changed[:, t] = (changed[:, t] + 1) % V
        other, _ = gpt(changed)
        torch.testing.assert_close(other[:, :t], logits[:, :t], rtol=0, atol=0)
        assert not torch.allclose(other[:, t], logits[:, t])


def test_weight_tying_shares_one_matrix_and_both_uses_train_it() -> None:
    gpt = model()
    assert gpt.lm_head.weight is gpt.wte.weight
    logits, _ = gpt(ids(2, 4))
    logits.sum().backward()
    grad = gpt.wte.weight.grad
    assert grad is not None
    unused = sorted(set(range(V)) - set(ids(2, 4).flatten().tolist()))
    assert unused and torch.all(grad[unused] != 0)  # tokens not read still get the head's gradient


@pytest.mark.parametrize("options", [{}, {"bias": False}, {"positions": "sinusoidal"},
                                     {"n_embd": 16, "n_head": 4, "n_layer": 3, "vocab_size": 11}])
def test_parameter_count_formula(options: dict[str, Any]) -> None:
    gpt = model(**options)
    assert gpt.num_parameters() == parameter_count(gpt.config)
    positions = BLOCK * gpt.config.n_embd if gpt.config.positions == "learned" else 0
    assert gpt.num_parameters(non_embedding=True) == gpt.num_parameters() - positions


def test_init_is_seeded_gpt2_style_and_leaves_global_rng_alone() -> None:
    before = torch.get_rng_state()
    a, b = model(), model()
    assert torch.equal(torch.get_rng_state(), before)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    big = GPT(GPTConfig(V, BLOCK, n_layer=8, n_embd=64, n_head=4), generator=gen(1))
    block = big.blocks[0]
    assert float(block.attn.W_QKV.weight.detach().std()) == pytest.approx(0.02, rel=0.05)
    assert float(block.mlp.W_2.weight.detach().std()) == pytest.approx(0.02 / 4, rel=0.05)  # 1/√(2L)
    assert torch.all(block.attn.W_QKV.bias == 0)


def test_dropout_is_on_in_training_only() -> None:
    gpt = model(dropout=0.3)
    idx = ids(2, 6)
    torch.manual_seed(0)
    a, _ = gpt(idx)
    b, _ = gpt(idx)
    assert not torch.allclose(a, b)
    gpt.eval()
    torch.testing.assert_close(gpt(idx)[0], gpt(idx)[0])


def test_charlm_sampling_works_unchanged() -> None:
    gpt = model()
    vocab = Vocabulary("abcdefg")
    a = generate(gpt, vocab, "abc", 14, temperature=0.8, generator=gen(2))
    assert len(a) == 14 and set(a) <= set("abcdefg")
    assert generate(gpt, vocab, "abc", 14, temperature=0.8, generator=gen(2)) == a
    probs = next_char_probs(gpt(ids(1, 3))[0][:, -1], 1.0)
    torch.testing.assert_close(probs.sum(), torch.tensor(1.0, dtype=torch.float64))
    assert gpt.training  # generate put it back


def test_training_on_a_repetitive_text_drives_the_loss_far_below_ln_v() -> None:
    text = "hello world. " * 60
    vocab = Vocabulary.from_text(text)
    data = vocab.encode(text)
    n = len(vocab)
    gpt = GPT(GPTConfig(n, block_size=16, n_layer=2, n_head=2, n_embd=32), generator=gen(3))
    optimizer = Adam(gpt.parameters(), lr=1e-2)
    g, losses, late = gen(4), list[float](), list[float]()
    while len(losses) < 150:
        for x, y in char_windows(data, 16, 8, generator=g):
            logits, _ = gpt(x)
            loss = F.cross_entropy(logits.reshape(-1, n), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            # from position 4 on the context fixes the next character ("l" alone does not)
            late.append(F.cross_entropy(logits[:, 4:].reshape(-1, n), y[:, 4:].reshape(-1)).item())
    assert losses[0] == pytest.approx(math.log(n), abs=0.3)
    assert sum(losses[-10:]) / 10 < 0.1 * math.log(n)
    assert sum(late[-10:]) / 10 < 0.03 * math.log(n)  # about 0.02 nats after these 150 steps
    assert generate(gpt, vocab, "hello", 11, top_k=1) == " world. hel"  # 5 + 11 = 16 positions
    window = Recompute(gpt, max_len=16)  # past block_size: a sliding window instead of the cache
    assert generate(window, vocab, "hello", 21, top_k=1) == " world. hello world. "


def test_bad_configs_and_inputs_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="n_embd divisible by n_head, got n_embd=12, n_head=5"):
        GPTConfig(V, BLOCK, n_head=5, n_embd=12)
    with pytest.raises(ValueError, match="block_size to be a positive int, got 0"):
        GPTConfig(V, 0)
    with pytest.raises(ValueError, match="0 <= dropout < 1"):
        GPTConfig(V, BLOCK, dropout=1.5)
    with pytest.raises(ValueError, match="positions 'learned' or 'sinusoidal', got 'rotary'"):
        GPTConfig(V, BLOCK, positions="rotary")  # type: ignore[arg-type]
    gpt = model()
    with pytest.raises(ValueError, match=r"\(B, T\) long tensor with T >= 1, got dtype torch.float32"):
        gpt(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"ids in \[0, 7\), got ids from 0 to 7"):
        gpt(torch.tensor([[0, 7]]))
    with pytest.raises(ValueError, match=r"block_size = 17 positions; the cache holds 0 and idx adds 18"):
        gpt(ids(1, 18))
    with pytest.raises(ValueError, match="KVCache of 2 layers"):
        gpt(ids(1, 2), KVCache(3))
    _, cache = gpt(ids(2, 3))
    with pytest.raises(ValueError, match="idx of batch size 3 and a cache of batch size 2"):
        gpt(ids(3, 1), cache)
