"""dlbook.charlm: sampling against torch.topk/softmax, repeatable generation, nats per character."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

from dlbook.charlm import CharLM, CharLMConfig, generate, nats_per_char, next_char_probs, sample_next
from dlbook.optim import Adam
from dlbook.text import Vocabulary, char_windows

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/library/conftest.py


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _model(cell: str = "gru", V: int = 11, **options: Any) -> CharLM:
    config = CharLMConfig(vocab_size=V, embed_dim=5, hidden_size=13, cell=cell, **options)
    return CharLM(config, generator=_gen(0))


# --- next_char_probs and sample_next --------------------------------------------------------------


@pytest.mark.parametrize("temperature", [1.0, 0.5, 2.3])
@pytest.mark.parametrize("top_k", [None, 1, 3, 7])
def test_probs_are_softmax_over_top_k(temperature: float, top_k: int | None) -> None:
    logits = torch.randn(5, 7, 13, generator=_gen(1), dtype=torch.float64) * 3  # (..., V) any leading shape
    probs = next_char_probs(logits, temperature, top_k)
    k = top_k or 13
    values, indices = torch.topk(logits, k, dim=-1)  # (5, 7, k)
    expected = torch.zeros_like(logits).scatter(-1, indices, torch.softmax(values / temperature, dim=-1))
    torch.testing.assert_close(probs, expected)
    assert torch.all((probs > 0).sum(-1) == k)
    if top_k is None:
        torch.testing.assert_close(probs, F.softmax(logits / temperature, dim=-1))


def test_top_k_at_least_vocab_keeps_everything() -> None:
    logits = torch.randn(4, 9, generator=_gen(2))
    torch.testing.assert_close(next_char_probs(logits, 0.7, 9), next_char_probs(logits, 0.7))
    torch.testing.assert_close(next_char_probs(logits, 0.7, 50), next_char_probs(logits, 0.7))


@pytest.mark.parametrize("temperature", [1e-3, 1e-6, 1e-30])
def test_small_temperature_is_argmax(temperature: float) -> None:
    logits = torch.randn(6, 17, generator=_gen(3))
    probs = next_char_probs(logits, temperature)
    torch.testing.assert_close(probs, F.one_hot(logits.argmax(-1), 17).float())
    ids = sample_next(logits, temperature=temperature, generator=_gen(0))
    assert torch.equal(ids, logits.argmax(-1))


def test_high_temperature_flattens() -> None:
    logits = torch.randn(3, 8, generator=_gen(4))
    entropy = [-(p * p.log()).sum(-1) for p in (next_char_probs(logits, t) for t in (0.5, 1.0, 4.0))]
    assert torch.all(entropy[0] < entropy[1]) and torch.all(entropy[1] < entropy[2])
    assert torch.all(entropy[2] < math.log(8))


@pytest.mark.parametrize("temperature", [0, 0.0, -1.0, float("nan"), float("inf")])
def test_non_positive_temperature_is_a_clear_error(temperature: float) -> None:
    with pytest.raises(ValueError, match="temperature > 0"):
        next_char_probs(torch.zeros(2, 3), temperature)
    with pytest.raises(ValueError, match="temperature > 0"):
        sample_next(torch.zeros(2, 3), temperature=temperature)


@pytest.mark.parametrize("top_k", [0, -2, 2.5, True])
def test_bad_top_k_is_a_clear_error(top_k: Any) -> None:
    with pytest.raises(ValueError, match="top_k"):
        next_char_probs(torch.zeros(2, 3), 1.0, top_k)


def test_samples_follow_the_probabilities() -> None:
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0, 0.5]])
    n = 20_000
    ids = sample_next(logits.expand(n, 5), temperature=1.5, top_k=3, generator=_gen(5))  # (n,)
    assert ids.shape == (n,) and ids.dtype == torch.long
    freq = torch.bincount(ids, minlength=5).double() / n
    probs = next_char_probs(logits, 1.5, 3)[0].double()
    torch.testing.assert_close(freq, probs, atol=0.015, rtol=0)  # ~4 standard errors
    assert freq[3] == 0 and freq[2] == 0  # outside the top 3


def test_sample_next_is_seeded_and_leaves_global_rng_alone() -> None:
    logits = torch.randn(50, 6, generator=_gen(6))
    before = torch.get_rng_state()
    a = sample_next(logits, generator=_gen(7))
    b = sample_next(logits, generator=_gen(7))
    c = sample_next(logits, generator=_gen(8))
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.equal(a, b) and not torch.equal(a, c)
    with pytest.raises(ValueError, match=r"\(B, V\)"):
        sample_next(torch.zeros(2, 3, 4))


# --- generate --------------------------------------------------------------------------------------


class Counter:
    """A model without parameters whose state counts the characters read: it writes vocab[count % V]."""

    def __init__(self, V: int) -> None:
        self.V = V

    def __call__(self, idx: Tensor, state: Tensor | None) -> tuple[Tensor, Tensor]:
        B, T = idx.shape
        count = torch.zeros(B, dtype=torch.long) if state is None else state
        steps = count[:, None] + 1 + torch.arange(T)  # (B, T): characters read after each step
        return 10.0 * F.one_hot(steps % self.V, self.V).float(), count + T


def test_generate_reads_the_prompt_and_carries_the_state() -> None:
    vocab = Vocabulary("abcdefg")
    assert generate(Counter(7), vocab, "ab", 9, top_k=1) == "cdefgabcd"
    assert generate(Counter(7), vocab, "gggg", 3, temperature=0.01) == "efg"
    assert generate(Counter(7), vocab, "a", 0) == ""


def test_generate_repeats_with_a_seed_and_leaves_global_rng_alone() -> None:
    model = _model("lstm", V=6, dropout=0.3)
    vocab = Vocabulary("abcdef")
    before = torch.get_rng_state()
    a = generate(model, vocab, "abc", 40, temperature=1.3, generator=_gen(1))
    b = generate(model, vocab, "abc", 40, temperature=1.3, generator=_gen(1))
    c = generate(model, vocab, "abc", 40, temperature=1.3, generator=_gen(2))
    assert torch.equal(torch.get_rng_state(), before)
    assert a == b and a != c
    assert len(a) == 40 and set(a) <= set("abcdef")
    assert model.training  # back in the mode it came in
    model.eval()
    assert generate(model, vocab, "abc", 40, temperature=1.3, generator=_gen(1)) == a  # dropout was off
    assert not model.training


def test_generate_rejects_bad_prompts_and_lengths() -> None:
    vocab = Vocabulary("abc")
    with pytest.raises(ValueError, match=r"'z' at position 1"):
        generate(Counter(3), vocab, "az", 3)
    with pytest.raises(ValueError, match="non-empty prompt"):
        generate(Counter(3), vocab, "", 3)
    with pytest.raises(ValueError, match="num_chars"):
        generate(Counter(3), vocab, "a", -1)
    with pytest.raises(ValueError, match="temperature"):
        generate(Counter(3), vocab, "a", 3, temperature=0)


# --- CharLM ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["gru", "lstm", "rnn"])
def test_charlm_shapes_and_state_continuation(cell: str) -> None:
    model = _model(cell, num_layers=2).double()
    idx = torch.randint(0, 11, (3, 9), generator=_gen(9))
    logits, state = model(idx)
    assert logits.shape == (3, 9, 11)
    first, mid = model(idx[:, :4])
    rest, end = model(idx[:, 4:], mid)  # reading on from the carried state is reading it all at once
    torch.testing.assert_close(torch.cat([first, rest], dim=1), logits)
    for ours, whole in zip(end if cell == "lstm" else (end,), state if cell == "lstm" else (state,),
                           strict=True):
        assert ours.shape == (2, 3, 13)
        torch.testing.assert_close(ours, whole)


def test_charlm_init_is_seeded_and_leaves_global_rng_alone() -> None:
    before = torch.get_rng_state()
    a, b = _model(), _model()
    assert torch.equal(torch.get_rng_state(), before)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    other = CharLM(a.config, generator=_gen(1))
    assert not torch.equal(other.embed.weight, a.embed.weight)


def test_charlm_and_config_reject_bad_input() -> None:
    with pytest.raises(ValueError, match=r"\(B, T\) long tensor"):
        _model()(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"ids in \[0, 11\), got ids from 0 to 11"):
        _model()(torch.tensor([[0, 11]]))
    with pytest.raises(ValueError, match="cell in"):
        CharLMConfig(5, 4, 8, cell="transformer")
    with pytest.raises(ValueError, match="hidden_size"):
        CharLMConfig(5, 4, 0)
    with pytest.raises(ValueError, match="dropout"):
        CharLMConfig(5, 4, 8, dropout=1.0)


# --- nats_per_char and training --------------------------------------------------------------------


def test_nats_per_char_equals_cross_entropy_of_one_long_pass() -> None:
    model = _model("gru", V=11).double()
    ids = torch.randint(0, 11, (3 * 40 + 2,), generator=_gen(10))
    windowed = nats_per_char(model, ids, seq_len=7, batch_size=3)
    rows = ids[:120].view(3, 40)
    with torch.no_grad():
        logits, _ = model(rows)  # (3, 40, 11), one pass over each row
    expected = F.cross_entropy(logits.reshape(-1, 11), ids[1:121].view(3, 40).reshape(-1))
    assert windowed == pytest.approx(float(expected), rel=1e-9)
    assert nats_per_char(model, ids, seq_len=40, batch_size=3) == pytest.approx(windowed, rel=1e-9)
    with pytest.raises(ValueError, match="at least batch_size"):
        nats_per_char(model, ids[:3], seq_len=7, batch_size=3)
    with pytest.raises(ValueError, match="seq_len"):
        nats_per_char(model, ids, seq_len=0, batch_size=3)


def test_untrained_model_scores_about_ln_v() -> None:
    V = 40
    model = CharLM(CharLMConfig(V, 16, 64), generator=_gen(11))
    ids = torch.randint(0, V, (2000,), generator=_gen(12))
    nats = nats_per_char(model, ids, seq_len=50, batch_size=8)
    assert nats == pytest.approx(math.log(V), abs=0.1)
    assert model.training  # put back in training mode


def test_training_on_a_repetitive_text_drives_the_loss_far_below_ln_v() -> None:
    text = "the cat sat on the mat. " * 40
    vocab = Vocabulary.from_text(text)
    ids = vocab.encode(text)
    V = len(vocab)
    model = CharLM(CharLMConfig(V, 8, 32), generator=_gen(13))
    start = nats_per_char(model, ids, seq_len=24, batch_size=4)
    optimizer = Adam(model.parameters(), lr=1e-2)
    g = _gen(14)
    steps = 0
    while steps < 150:
        for x, y in char_windows(ids, 24, 8, generator=g):
            logits, _ = model(x)
            loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            steps += 1
    end = nats_per_char(model, ids, seq_len=24, batch_size=4)
    assert start == pytest.approx(math.log(V), abs=0.2)
    assert end < 0.1 * math.log(V)  # about 0.03 after these 150 steps
    assert generate(model, vocab, "the cat ", 16, top_k=1) == "sat on the mat. "
