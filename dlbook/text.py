"""Characters as numbers: a corpus, a vocabulary and training windows, taught in
docs/architectures/recurrent-networks/.

A character-level language model reads text one character at a time and predicts the
next. This module turns text into what it trains on: ``python_docs_text`` is a corpus
every CPython install carries (the help texts of ``pydoc``, about 465,000 characters of
English prose and Python code), ``split_text`` cuts it into a training and a validation
part, ``Vocabulary`` maps characters to ids and back, and ``char_windows`` cuts an id
stream into shuffled ``(x, y)`` windows where ``y`` is ``x`` shifted by one character.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import torch
from torch import Tensor

__all__ = ["Vocabulary", "char_windows", "python_docs_text", "split_text"]


def python_docs_text() -> str:
    """The help topics of CPython's ``pydoc_data.topics``, sorted by name, joined with blank lines.

    About 465,000 characters (Python 3.11) of prose and code with ~100 distinct
    characters; the same Python version always gives the same text. Raises
    ``ModuleNotFoundError`` naming the module where a Python was built without it.
    """
    try:
        topics_module = importlib.import_module("pydoc_data.topics")
    except ImportError as err:
        raise ModuleNotFoundError(
            "python_docs_text reads CPython's pydoc_data.topics module, which this Python "
            "does not have (some minimal or embedded builds leave it out)",
            name="pydoc_data.topics",
        ) from err
    topics: dict[str, str] = topics_module.topics
    return "\n\n".join(topics[key] for key in sorted(topics))


def split_text(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    """Cut ``text`` into ``(train, val)``: the first 1 − val_fraction of it, then the rest.

    The two parts are contiguous and do not overlap, ``train + val == text``; a
    contiguous cut (rather than shuffled lines) keeps the validation text unseen, so its
    loss measures how well the model does on text it never read.

    >>> split_text("abcdefghij", 0.2)
    ('abcdefgh', 'ij')
    """
    if not (isinstance(val_fraction, int | float) and not isinstance(val_fraction, bool)
            and 0 < val_fraction < 1):
        raise ValueError(f"split_text expects 0 < val_fraction < 1, got {val_fraction!r}")
    n_train = round(len(text) * (1 - val_fraction))
    if n_train < 1 or n_train >= len(text):
        raise ValueError(f"split_text cannot cut {len(text)} characters with val_fraction={val_fraction} "
                         f"into two non-empty parts")
    return text[:n_train], text[n_train:]


@dataclass(frozen=True)
class Vocabulary:
    """The characters a model knows, id ``i`` standing for ``chars[i]``.

    Build one with ``Vocabulary.from_text(train_text)``; ``encode`` maps a string to a
    (N,) long tensor of ids and ``decode`` maps ids back. A character the vocabulary
    does not hold is an error that names it and its position.

    >>> vocab = Vocabulary.from_text("hello")
    >>> vocab.chars, len(vocab)
    ('ehlo', 4)
    >>> vocab.encode("hole").tolist()
    [1, 3, 2, 0]
    >>> vocab.decode([1, 0, 2, 2, 3])
    'hello'
    """

    chars: str  # the distinct characters, sorted by code point; id i is chars[i]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars):
            raise ValueError(f"Vocabulary expects distinct characters, got {self.chars!r}")
        if not self.chars:
            raise ValueError("Vocabulary expects at least one character, got an empty string")
        object.__setattr__(self, "_index", {ch: i for i, ch in enumerate(self.chars)})

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """The vocabulary of every distinct character in ``text``, sorted."""
        return cls("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> Tensor:
        """``text`` as a (len(text),) long tensor of ids; unknown characters raise ValueError."""
        try:
            ids = [self._index[ch] for ch in text]
        except KeyError:
            pos, ch = next((i, c) for i, c in enumerate(text) if c not in self._index)
            raise ValueError(f"Vocabulary.encode: character {ch!r} at position {pos} is not in the "
                             f"vocabulary of {len(self)} characters") from None
        return torch.tensor(ids, dtype=torch.long)

    def decode(self, ids: Tensor | Iterable[int]) -> str:
        """The string of ids ``ids``, a 1-D tensor or any iterable of ints in [0, len(vocab))."""
        if isinstance(ids, Tensor) and (ids.ndim != 1 or ids.is_floating_point() or ids.is_complex()):
            raise ValueError(f"Vocabulary.decode expects a 1-D integer tensor, got dtype {ids.dtype} "
                             f"and shape {tuple(ids.shape)}")
        values: Iterable[int] = ids.tolist() if isinstance(ids, Tensor) else ids
        out = []
        for pos, i in enumerate(values):
            if not 0 <= i < len(self.chars):
                raise ValueError(f"Vocabulary.decode: id {i} at position {pos} is outside "
                                 f"[0, {len(self.chars)})")
            out.append(self.chars[i])
        return "".join(out)


def char_windows(ids: Tensor, seq_len: int, batch_size: int, *,
                 generator: torch.Generator) -> Iterator[tuple[Tensor, Tensor]]:
    """One pass over the id stream ``ids`` (N,) in shuffled batches of windows ``(x, y)``.

    ``x`` and ``y`` are (B, seq_len) long tensors with ``y[b, t] = ids[s_b + t + 1]`` when
    ``x[b, t] = ids[s_b + t]``: at every position the target is the next character.
    The window starts ``s_b`` are ``offset + k · seq_len``, a grid of windows that do not
    overlap, shifted by an offset drawn in [0, seq_len) so that each pass cuts the text at
    other places; the windows come in an order drawn from ``generator`` (the global RNG is
    untouched). Every batch has ``batch_size`` windows except perhaps the last.
    """
    if ids.ndim != 1 or ids.dtype != torch.long:
        raise ValueError(f"char_windows expects ids as a 1-D long tensor, got dtype {ids.dtype} "
                         f"and shape {tuple(ids.shape)}")
    for name, value in (("seq_len", seq_len), ("batch_size", batch_size)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"char_windows expects {name} to be a positive int, got {value!r}")
    n_ids = ids.shape[0]
    if n_ids < seq_len + 1:
        raise ValueError(f"char_windows needs at least seq_len + 1 = {seq_len + 1} ids, got {n_ids}")
    offset = int(torch.randint(0, min(seq_len, n_ids - seq_len), (), generator=generator))
    n_windows = (n_ids - 1 - offset) // seq_len  # each window needs seq_len + 1 ids
    starts = offset + seq_len * torch.randperm(n_windows, generator=generator)  # (W,) shuffled
    steps = torch.arange(seq_len + 1)  # (T + 1,)
    for batch in starts.split(batch_size):
        chunk = ids[(batch[:, None] + steps).to(ids.device)]  # (B, T + 1)
        yield chunk[:, :-1], chunk[:, 1:]  # x (B, T), y (B, T)
