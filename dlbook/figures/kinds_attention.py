"""The attention chapter's explorable kind: a model's attention weights, stored quantised.

Taught in docs/architectures/attention-and-transformers. :func:`dlbook.figures.explore`
dispatches on ``data["kind"]`` to the check here as to those of :mod:`dlbook.figures.kinds`;
docs/assets/javascripts/explorable-attention.js draws it.

- ``"attention"``: a few prompts, each read by a model with ``layers`` x ``heads`` attention
  heads; the reader picks a prompt, a layer and a head, and clicks (or tabs to) a character
  to see how much of that position's attention each character receives. The weights are
  stored as integers out of ``scale`` (percent by default), and only the keys a query may see
  under a causal mask, so a row i holds i + 1 numbers. See :func:`check_attention` and
  :func:`attention_data`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dlbook.figures.kinds_conv import _is_int

__all__ = ["CHECKS", "attention_data", "check_attention"]


def check_attention(name: str, data: dict[str, Any]) -> None:
    """Attention weights of a few prompts, per layer and head, quantised::

        {"kind": "attention",
         "prompts": [{"text": "for i in x:", "label": "a loop"}, ...],  # label optional
         "layers": 4, "heads": 4,                 # L and H
         "scale": 100,                            # weights are integers out of scale
         "causal": true,                          # row i holds keys 0..i (else all T keys)
         "weights": [...]}                        # prompts x L x H x T rows of integers in [0, scale]

    Prompt p's tokens are the characters of its text (T = len(text)); each row is one query
    position's weights over the keys it sees, summing to ``scale`` up to rounding.
    """
    prompts, weights = data.get("prompts"), data.get("weights")
    L, H, scale = data.get("layers"), data.get("heads"), data.get("scale", 100)
    if not (isinstance(prompts, list) and prompts and isinstance(weights, list)):
        raise ValueError(f"attention figure {name!r} expects a non-empty list 'prompts' and a list "
                         f"'weights', got keys {sorted(data)}")
    if not (_is_int(L, 1) and _is_int(H, 1) and _is_int(scale, 1)):
        raise ValueError(f"attention figure {name!r} expects 'layers', 'heads' and 'scale' as positive "
                         f"integers, got {L!r}, {H!r}, {scale!r}")
    causal = data.get("causal", True)
    if not isinstance(causal, bool):
        raise ValueError(f"attention figure {name!r} expects 'causal' true or false, got {causal!r}")
    if len(weights) != len(prompts):
        raise ValueError(f"attention figure {name!r} expects one entry of 'weights' per prompt "
                         f"({len(prompts)}), got {len(weights)}")
    for p, (prompt, w) in enumerate(zip(prompts, weights, strict=True)):
        if not (isinstance(prompt, dict) and isinstance(prompt.get("text"), str) and prompt["text"]
                and isinstance(prompt.get("label", ""), str)):
            raise ValueError(f"attention figure {name!r}: prompt {p} needs a non-empty string 'text' (and "
                             f"optionally a string 'label'), got {prompt!r:.80}")
        T = len(prompt["text"])
        if not (isinstance(w, list) and len(w) == L and all(isinstance(h, list) and len(h) == H for h in w)):
            raise ValueError(f"attention figure {name!r}: prompt {p} expects weights of {L} layers x {H} "
                             f"heads, got {w!r:.60}")
        for layer, heads in enumerate(w):
            for head, rows in enumerate(heads):
                where = f"prompt {p}, layer {layer + 1}, head {head + 1}"
                if not (isinstance(rows, list) and len(rows) == T):
                    raise ValueError(f"attention figure {name!r}: {where} expects {T} rows, one per "
                                     f"character of {prompt['text']!r:.40}, got {rows!r:.60}")
                for i, row in enumerate(rows):
                    n = i + 1 if causal else T
                    if not (isinstance(row, list) and len(row) == n
                            and all(_is_int(v, 0) and v <= scale for v in row)):
                        raise ValueError(f"attention figure {name!r}: {where}, row {i} expects {n} integers "
                                         f"in [0, {scale}], got {row!r:.60}")
                    if abs(sum(row) - scale) > n:  # each entry is off by at most ½ after rounding
                        raise ValueError(f"attention figure {name!r}: {where}, row {i} sums to {sum(row)}, "
                                         f"not {scale} (up to rounding)")


def attention_data(prompts: Sequence[str], weights: Sequence[Any], *, scale: int = 100, causal: bool = True,
                   labels: Sequence[str] | None = None) -> dict[str, Any]:
    """The data of an ``"attention"`` figure: ``weights[p]`` is prompt p's (L, H, T, T) tensor (or
    nested lists) of attention weights, T = len(prompts[p]); each kept as integers out of
    ``scale``, and only the causal part (keys 0..i of row i) when ``causal``.

    >>> d = attention_data(["ab"], [[[[[1.0, 0.0], [0.25, 0.75]]]]])
    >>> d["weights"], d["layers"], d["heads"]
    ([[[[[100], [25, 75]]]]], 1, 1)
    """
    if len(weights) != len(prompts):
        raise ValueError(f"attention_data expects one (L, H, T, T) tensor of weights per prompt "
                         f"({len(prompts)}), got {len(weights)}")
    stored = []
    for w in weights:
        w = w.tolist() if hasattr(w, "tolist") else w  # (L, H, T, T)
        stored.append([[[[round(float(v) * scale) for v in (row[: i + 1] if causal else row)]
                         for i, row in enumerate(matrix)] for matrix in layer] for layer in w])
    data: dict[str, Any] = {
        "kind": "attention",
        "prompts": [{"text": p} for p in prompts],
        "layers": len(stored[0]) if stored else 0, "heads": len(stored[0][0]) if stored and stored[0] else 0,
        "scale": scale, "causal": causal, "weights": stored,
    }
    for prompt, label in zip(data["prompts"], labels or [], strict=False):
        prompt["label"] = label
    check_attention("attention_data", data)
    return data


CHECKS: dict[str, Callable[[str, dict[str, Any]], None]] = {"attention": check_attention}
