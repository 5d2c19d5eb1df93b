"""dlbook.text: the pydoc corpus, the train/validation cut, the vocabulary and the windows."""

from __future__ import annotations

import doctest
import sys

import pytest
import torch

import dlbook.text
from dlbook.text import Vocabulary, char_windows, python_docs_text, split_text


def test_doctests() -> None:
    result = doctest.testmod(dlbook.text)
    assert result.attempted > 0 and result.failed == 0


def test_python_docs_text_is_pydoc_topics_sorted_and_joined() -> None:
    from pydoc_data.topics import topics

    text = python_docs_text()
    assert 300_000 < len(text) < 700_000
    assert text == "\n\n".join(topics[k] for k in sorted(topics))
    assert text.startswith(topics[min(topics)])
    assert python_docs_text() == text  # the same text every call
    assert 60 < len(set(text)) < 300


def test_python_docs_text_names_the_missing_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pydoc_data.topics", None)  # None in sys.modules: import fails
    with pytest.raises(ModuleNotFoundError, match=r"pydoc_data\.topics"):
        python_docs_text()


@pytest.mark.parametrize("frac", [0.1, 0.25, 0.5, 0.013])
def test_split_text_is_contiguous_and_disjoint(frac: float) -> None:
    text = "".join(chr(65 + i % 26) + str(i) for i in range(997))
    train, val = split_text(text, frac)
    assert train + val == text
    assert len(val) == pytest.approx(frac * len(text), abs=1)
    assert train and val


@pytest.mark.parametrize("frac", [0, 1, -0.1, 1.5, float("nan"), True])
def test_split_text_rejects_bad_fractions(frac: float) -> None:
    with pytest.raises(ValueError, match="val_fraction"):
        split_text("abcdefghij", frac)


def test_split_text_rejects_text_too_short_for_two_parts() -> None:
    with pytest.raises(ValueError, match="two non-empty parts"):
        split_text("ab", 0.01)


def test_vocabulary_round_trip_on_the_corpus() -> None:
    text = python_docs_text()[:20_000]
    vocab = Vocabulary.from_text(text)
    ids = vocab.encode(text)
    assert ids.dtype == torch.long and ids.shape == (len(text),)
    assert int(ids.min()) >= 0 and int(ids.max()) == len(vocab) - 1
    assert vocab.decode(ids) == text
    assert vocab.chars == "".join(sorted(set(text)))
    assert [vocab.chars[i] for i in ids[:50].tolist()] == list(text[:50])


def test_vocabulary_decode_accepts_lists_and_rejects_bad_ids() -> None:
    vocab = Vocabulary.from_text("abc")
    assert vocab.decode([2, 1, 0]) == "cba"
    assert vocab.decode(torch.tensor([], dtype=torch.long)) == ""
    with pytest.raises(ValueError, match=r"id 3 at position 1"):
        vocab.decode([0, 3])
    with pytest.raises(ValueError, match=r"id -1 at position 0"):
        vocab.decode(torch.tensor([-1]))
    with pytest.raises(ValueError, match="1-D integer tensor"):
        vocab.decode(torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="1-D integer tensor"):
        vocab.decode(torch.zeros(2, 2, dtype=torch.long))


def test_unknown_character_names_the_character_and_its_position() -> None:
    vocab = Vocabulary.from_text("hello world")
    with pytest.raises(ValueError, match=r"'!' at position 5"):
        vocab.encode("hello!")
    with pytest.raises(ValueError, match=r"'H' at position 0"):
        vocab.encode("Hello")


def test_vocabulary_rejects_repeated_or_no_characters() -> None:
    with pytest.raises(ValueError, match="distinct"):
        Vocabulary("aba")
    with pytest.raises(ValueError, match="at least one"):
        Vocabulary.from_text("")


def _windows(ids: torch.Tensor, seq_len: int, batch_size: int, seed: int) -> list[tuple[torch.Tensor, ...]]:
    return list(char_windows(ids, seq_len, batch_size, generator=torch.Generator().manual_seed(seed)))


@pytest.mark.parametrize(("n_ids", "seq_len", "batch_size"), [(1000, 7, 5), (101, 10, 3), (11, 10, 4)])
def test_char_windows_shift_by_one_and_do_not_overlap(n_ids: int, seq_len: int, batch_size: int) -> None:
    ids = torch.arange(n_ids) * 3 + 1  # distinct values, so a window's start can be read from it
    batches = _windows(ids, seq_len, batch_size, seed=4)
    starts = []
    for x, y in batches:
        assert x.dtype == y.dtype == torch.long
        assert x.shape == y.shape and x.shape[1] == seq_len and 1 <= x.shape[0] <= batch_size
        s = (x[:, 0] - 1) // 3  # (B,) where each window starts in ids
        idx = s[:, None] + torch.arange(seq_len)
        torch.testing.assert_close(x, ids[idx])
        torch.testing.assert_close(y, ids[idx + 1])  # the target is the next character
        starts += s.tolist()
    assert all(x.shape[0] == batch_size for x, _ in batches[:-1])
    offset = min(starts)
    assert offset < seq_len
    assert sorted(starts) == list(range(offset, n_ids - seq_len, seq_len))[: len(starts)]
    assert len(starts) == (n_ids - 1 - offset) // seq_len  # the grid is used up
    assert max(starts) + seq_len + 1 <= n_ids


def test_char_windows_repeat_with_a_seed_and_shuffle() -> None:
    ids = torch.arange(5000)
    first = torch.cat([x for x, _ in _windows(ids, 20, 8, seed=0)])
    again = torch.cat([x for x, _ in _windows(ids, 20, 8, seed=0)])
    other = torch.cat([x for x, _ in _windows(ids, 20, 8, seed=1)])
    torch.testing.assert_close(first, again)
    assert first.shape != other.shape or not torch.equal(first, other)
    assert not torch.equal(first[:, 0], first[:, 0].sort().values)  # not in text order


def test_char_windows_do_not_touch_the_global_rng() -> None:
    before = torch.get_rng_state()
    _windows(torch.arange(300), 9, 4, seed=2)
    assert torch.equal(torch.get_rng_state(), before)


def test_char_windows_rejects_bad_arguments() -> None:
    g = torch.Generator()
    with pytest.raises(ValueError, match="1-D long tensor"):
        next(char_windows(torch.zeros(10), 3, 2, generator=g))
    with pytest.raises(ValueError, match="1-D long tensor"):
        next(char_windows(torch.zeros(2, 10, dtype=torch.long), 3, 2, generator=g))
    with pytest.raises(ValueError, match="seq_len"):
        next(char_windows(torch.arange(10), 0, 2, generator=g))
    with pytest.raises(ValueError, match="batch_size"):
        next(char_windows(torch.arange(10), 3, 2.0, generator=g))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least seq_len \\+ 1 = 11 ids, got 10"):
        next(char_windows(torch.arange(10), 10, 2, generator=g))
