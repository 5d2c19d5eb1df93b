"""A character-level language model and how to sample from it, taught in
docs/architectures/recurrent-networks/.

``CharLM`` reads character ids, carries a recurrent state and scores every possible next
character: embedding -> recurrent layer(s) from dlbook.recurrent -> linear head. Sampling
(``next_char_probs``, ``sample_next``, ``generate``) only needs logits, so it works for any
model called as ``model(idx, state) -> (logits, state)``, the transformer of a later chapter
included. ``nats_per_char`` is the evaluation: the mean cross-entropy, in nats, of each
character of a held-out text given all the text before it (ln V for a uniform guess over V
characters; divide by ln 2 for bits per character). Ref: Karpathy 2015, "The unreasonable
effectiveness of recurrent neural networks"; Graves 2013.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import torch
from torch import Tensor, nn

from dlbook.losses import cross_entropy
from dlbook.mlp import Dense
from dlbook.recurrent import GRU, LSTM, RNN
from dlbook.regularization import Dropout
from dlbook.text import Vocabulary

__all__ = ["CharLM", "CharLMConfig", "generate", "nats_per_char", "next_char_probs", "sample_next"]

# model(idx (B, T), state) -> (logits (B, T, V), state)
LanguageModel = Callable[[Tensor, Any], tuple[Tensor, Any]]
Cell = Literal["gru", "lstm", "rnn"]
LAYERS: dict[str, type[nn.Module]] = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


@dataclass
class CharLMConfig:
    vocab_size: int  # V: characters the model reads and predicts
    embed_dim: int  # E: size of each character's learned vector
    hidden_size: int  # H: size of the recurrent state
    num_layers: int = 1  # recurrent layers stacked, each reading the outputs of the one below
    cell: Cell = "gru"  # the recurrent layer: "gru", "lstm" or "rnn" (plain tanh RNN)
    dropout: float = 0.0  # dropout on the embeddings and on the top layer's outputs, in training

    def __post_init__(self) -> None:
        for name in ("vocab_size", "embed_dim", "hidden_size", "num_layers"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"CharLMConfig expects {name} to be a positive int, got {value!r}")
        if self.cell not in LAYERS:
            raise ValueError(f"CharLMConfig expects cell in {sorted(LAYERS)}, got {self.cell!r}")
        if not (isinstance(self.dropout, int | float) and 0 <= self.dropout < 1):
            raise ValueError(f"CharLMConfig expects 0 <= dropout < 1, got {self.dropout!r}")


class CharLM(nn.Module):
    """Embedding -> ``config.cell`` layer(s) from dlbook.recurrent -> linear head, over characters.

    ``forward(idx (B, T), state=None) -> (logits (B, T, V), state)``: ``logits[:, t]`` scores
    the character after ``idx[:, t]`` given ``idx[:, :t + 1]`` and the incoming ``state``
    (zeros when None; the layer's own format, a tuple (h, c) for an LSTM). Feed the returned
    state back in to continue a text. Initialisation is drawn from ``generator`` if given
    (embeddings N(0, 1) as ``nn.Embedding``, the rest as torch's layers), else the global RNG.
    """

    def __init__(self, config: CharLMConfig, *, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.config = config
        V, E, H = config.vocab_size, config.embed_dim, config.hidden_size
        # from_pretrained skips nn.Embedding's own init, which would draw from the global RNG
        self.embed = nn.Embedding.from_pretrained(torch.randn(V, E, generator=generator), freeze=False)
        self.rnn = LAYERS[config.cell](E, H, config.num_layers, generator=generator)
        self.head = Dense(H, V, generator=generator)
        self.drop = Dropout(config.dropout)

    def forward(self, idx: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        if idx.ndim != 2 or idx.dtype != torch.long:
            raise ValueError(f"CharLM expects idx as a (B, T) long tensor, got dtype {idx.dtype} "
                             f"and shape {tuple(idx.shape)}")
        V = self.config.vocab_size
        if idx.numel() and not (int(idx.min()) >= 0 and int(idx.max()) < V):
            raise ValueError(f"CharLM expects ids in [0, {V}), got ids from {int(idx.min())} "
                             f"to {int(idx.max())}")
        B, T = idx.shape
        x = self.drop(self.embed(idx))  # (B, T, E)
        out, state = self.rnn(x, state)  # (B, T, H), state for the next call
        logits = self.head(self.drop(out).reshape(B * T, -1))  # (B·T, V)
        return logits.view(B, T, -1), state  # (B, T, V)


def _check_sampling(owner: str, temperature: float, top_k: int | None) -> None:
    if not (isinstance(temperature, int | float) and not isinstance(temperature, bool)
            and 0 < temperature < math.inf):
        raise ValueError(f"{owner} expects a finite temperature > 0, got {temperature!r} "
                         f"(for greedy decoding use a small temperature or top_k=1)")
    if top_k is not None and (not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1):
        raise ValueError(f"{owner} expects top_k to be None or a positive int, got {top_k!r}")


def next_char_probs(logits: Tensor, temperature: float = 1.0, top_k: int | None = None) -> Tensor:
    """The distribution to sample the next character from: softmax(logits / T) over the top k.

    ``logits`` (..., V) -> probabilities (..., V) summing to 1 over the last axis. Dividing by
    a temperature T < 1 sharpens the distribution (T -> 0: all mass on the largest logit),
    T > 1 flattens it. With ``top_k`` only the k largest logits per row keep their
    probability (ties broken as ``torch.topk`` does) and the rest get exactly 0;
    ``top_k >= V`` keeps every character, the same as ``top_k=None``.
    """
    _check_sampling("next_char_probs", temperature, top_k)
    # p_i = exp((z_i − max z)/T) / Σ_j exp((z_j − max z)/T); the shift keeps tiny T finite
    scaled = (logits - logits.amax(dim=-1, keepdim=True)) / temperature  # (..., V), all <= 0
    if top_k is not None and top_k < logits.shape[-1]:
        values, indices = torch.topk(scaled, top_k, dim=-1)  # (..., k) each
        scaled = torch.full_like(scaled, -math.inf).scatter(-1, indices, values)  # −∞ outside the top k
    return torch.softmax(scaled, dim=-1)


def sample_next(logits: Tensor, *, temperature: float = 1.0, top_k: int | None = None,
                generator: torch.Generator | None = None) -> Tensor:
    """One next-character id per row of ``logits`` (B, V), drawn from ``next_char_probs``: (B,) long.

    Draws from ``generator`` if given (the global RNG is then untouched), else from the
    global RNG; the draw happens on the generator's device and the ids come back on the
    device of ``logits``.
    """
    if logits.ndim != 2:
        raise ValueError(f"sample_next expects logits of shape (B, V), got {tuple(logits.shape)}")
    probs = next_char_probs(logits, temperature, top_k)  # (B, V)
    if generator is not None:
        probs = probs.to(generator.device)
    ids = torch.multinomial(probs, 1, generator=generator)  # (B, 1)
    return ids.squeeze(1).to(logits.device)  # (B,)


@contextmanager
def _evaluating(model: object) -> Iterator[None]:
    """No gradients and, for an ``nn.Module``, eval mode, put back as it was afterwards."""
    was_training = isinstance(model, nn.Module) and model.training
    if isinstance(model, nn.Module):
        model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        if isinstance(model, nn.Module):
            model.train(was_training)


def _device_of(model: object) -> torch.device:
    if isinstance(model, nn.Module):
        param = next(model.parameters(), None)
        if param is not None:
            return param.device
    return torch.device("cpu")


def generate(model: LanguageModel, vocab: Vocabulary, prompt: str, num_chars: int, *,
             temperature: float = 1.0, top_k: int | None = None,
             generator: torch.Generator | None = None) -> str:
    """The ``num_chars`` characters ``model`` writes after ``prompt`` (the prompt is not included).

    The model reads the whole prompt in one call, then one sampled character per call with
    its state carried: ``model(idx (1, T), state) -> (logits (1, T, V), state)``, any model of
    that form. An ``nn.Module`` runs in eval mode (dropout off) and is put back in the mode it
    was in. With a seeded ``generator`` the text repeats exactly and the global RNG is
    untouched. The prompt must be non-empty and use only characters of ``vocab``.
    """
    if not prompt:
        raise ValueError("generate expects a non-empty prompt: the model needs a character to start from")
    if not isinstance(num_chars, int) or isinstance(num_chars, bool) or num_chars < 0:
        raise ValueError(f"generate expects num_chars to be an int >= 0, got {num_chars!r}")
    _check_sampling("generate", temperature, top_k)
    idx = vocab.encode(prompt)[None].to(_device_of(model))  # (1, P)
    out: list[int] = []
    with _evaluating(model):
        state = None
        for _ in range(num_chars):
            logits, state = model(idx, state)  # (1, T, V)
            idx = sample_next(logits[:, -1], temperature=temperature, top_k=top_k,
                              generator=generator)[:, None]  # (1, 1): the next input
            out.append(int(idx))
    return vocab.decode(out)


def nats_per_char(model: LanguageModel, ids: Tensor, seq_len: int, batch_size: int) -> float:
    """Mean cross-entropy (nats per character) of ``model`` predicting each next id of ``ids``.

    The stream ``ids`` (N,) is cut into ``batch_size`` contiguous rows of
    n = (N − 1) // batch_size characters (the last few ids may be left out) and read
    ``seq_len`` columns at a time with the state carried from window to window, so each
    character is predicted from everything before it in its row, with no gradient. Returns
    −(1/(B·n)) Σ log p(next char); a uniform guess scores ln V.
    """
    if ids.ndim != 1 or ids.dtype != torch.long:
        raise ValueError(f"nats_per_char expects ids as a 1-D long tensor, got dtype {ids.dtype} "
                         f"and shape {tuple(ids.shape)}")
    for name, value in (("seq_len", seq_len), ("batch_size", batch_size)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"nats_per_char expects {name} to be a positive int, got {value!r}")
    n = (ids.shape[0] - 1) // batch_size
    if n < 1:
        raise ValueError(f"nats_per_char needs at least batch_size + 1 = {batch_size + 1} ids, "
                         f"got {ids.shape[0]}")
    ids = ids.to(_device_of(model))
    X = ids[: batch_size * n].view(batch_size, n)  # (B, n): row b is one stretch of the text
    Y = ids[1: batch_size * n + 1].view(batch_size, n)  # (B, n): the character after each
    total = 0.0
    with _evaluating(model):
        state = None
        for s in range(0, n, seq_len):
            logits, state = model(X[:, s: s + seq_len], state)  # (B, T, V)
            y = Y[:, s: s + seq_len].reshape(-1)  # (B·T,)
            total += float(cross_entropy(logits.reshape(y.shape[0], -1).double(), y)) * y.shape[0]
    return total / (batch_size * n)  # −(1/N) Σ log p(y | context), in nats
