"""dlbook.figures.kinds_attention: the data of the "attention" explorable, quantised from a real
model's weights, and the check that refuses bad data with a message naming what is wrong (the
browser side is tested in tests/site/test_explorable_attention.py)."""

from __future__ import annotations

import copy
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
import torch

from dlbook.figures import explore
from dlbook.figures.display import check_explorable
from dlbook.figures.kinds_attention import attention_data, check_attention
from dlbook.gpt import GPT, GPTConfig
from dlbook.text import Vocabulary

PROMPTS = ["abc ab", "ba\nc"]
VOCAB = Vocabulary.from_text("abc \n")


def gpt_weights(prompt: str) -> torch.Tensor:
    """A small untrained GPT's attention weights on ``prompt``: (L, H, T, T) = (2, 3, T, T)."""
    gpt = GPT(GPTConfig(vocab_size=len(VOCAB), block_size=8, n_layer=2, n_head=3, n_embd=12),
              generator=torch.Generator().manual_seed(0)).eval()
    with torch.no_grad():
        _, _, weights = gpt(VOCAB.encode(prompt)[None], return_attention=True)
    return weights[:, 0]


def data() -> dict[str, Any]:
    return attention_data(PROMPTS, [gpt_weights(p) for p in PROMPTS], labels=["first"])


def test_attention_data_keeps_the_causal_part_as_percentages() -> None:
    d = data()
    assert d["kind"] == "attention"
    assert (d["layers"], d["heads"], d["scale"], d["causal"]) == (2, 3, 100, True)
    assert d["prompts"] == [{"text": "abc ab", "label": "first"}, {"text": "ba\nc"}]
    assert json.loads(json.dumps(d)) == d  # plain JSON: lists of ints
    for p, prompt in enumerate(PROMPTS):
        w = gpt_weights(prompt)
        for layer in range(2):
            for head in range(3):
                rows = d["weights"][p][layer][head]
                assert [len(r) for r in rows] == list(range(1, len(prompt) + 1))  # row i: keys 0..i
                for i, row in enumerate(rows):
                    assert row == [round(100 * float(v)) for v in w[layer, head, i, : i + 1]]
                    assert abs(sum(row) - 100) <= i + 1
    assert d["weights"][0][0][0][0] == [100]  # the first position can only look at itself
    check_explorable("char-gpt-attention", d)


def test_full_rows_when_not_causal_and_another_scale() -> None:
    w = torch.softmax(torch.randn(1, 1, 3, 3, generator=torch.Generator().manual_seed(1)), dim=-1)
    d = attention_data(["xyz"], [w], scale=255, causal=False)
    assert [len(r) for r in d["weights"][0][0][0]] == [3, 3, 3]
    assert d["weights"][0][0][0][1] == [round(255 * float(v)) for v in w[0, 0, 1]]
    with pytest.raises(ValueError, match=r"one \(L, H, T, T\) tensor of weights per prompt \(2\), got 1"):
        attention_data(["a", "b"], [w])


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.pop("prompts"), r"a non-empty list 'prompts' and a list 'weights'"),
    (lambda d: d.update(weights="none"), r"a non-empty list 'prompts' and a list 'weights'"),
    (lambda d: d.update(layers=0), r"'layers', 'heads' and 'scale' as positive integers, got 0, 3, 100"),
    (lambda d: d.update(heads=True), r"as positive integers, got 2, True, 100"),
    (lambda d: d.update(causal="yes"), r"'causal' true or false, got 'yes'"),
    (lambda d: d["weights"].pop(), r"one entry of 'weights' per prompt \(2\), got 1"),
    (lambda d: d["prompts"][1].update(text=""), r"prompt 1 needs a non-empty string 'text'"),
    (lambda d: d["prompts"][0].update(label=3), r"prompt 0 needs a non-empty string 'text' \(and optionally"),
    (lambda d: d["weights"][0].pop(), r"prompt 0 expects weights of 2 layers x 3 heads"),
    (lambda d: d["weights"][1][1][2].pop(), r"prompt 1, layer 2, head 3 expects 4 rows, one per character"),
    (lambda d: d["weights"][0][0][1][2].append(0), r"prompt 0, layer 1, head 2, row 2 expects 3 integers "
                                                   r"in \[0, 100\]"),
    (lambda d: d["weights"][0][0][0][1].__setitem__(0, 50.5), r"row 1 expects 2 integers"),
    (lambda d: d["weights"][0][0][0][1].__setitem__(0, 101), r"row 1 expects 2 integers in \[0, 100\]"),
    (lambda d: d["weights"][0][1][0].__setitem__(3, [100, 50, 0, 0]), r"prompt 0, layer 2, head 1, row 3 "
                                                                      r"sums to 150, not 100"),
])
def test_bad_attention_data_is_refused_with_what_is_wrong(edit: Any, message: str) -> None:
    d = copy.deepcopy(data())
    edit(d)
    with pytest.raises(ValueError, match=message) as err:
        check_attention("char-gpt-attention", d)
    assert "attention figure 'char-gpt-attention'" in str(err.value)


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (4, 3), 128).save(buffer, "PNG")
    return buffer.getvalue()


def test_explore_embeds_the_data_beside_the_fallback_image(tmp_path: Path) -> None:
    folder = tmp_path / "char-gpt-attention"
    folder.mkdir()
    files = {"figure.png": png(), "data.json": json.dumps(data()).encode()}
    for file, content in files.items():
        (folder / file).write_bytes(content)
    manifest = {"name": "char-gpt-attention", "caption": "c",
                "files": {f: hashlib.sha256(c).hexdigest() for f, c in files.items()}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    page = explore("char-gpt-attention", root=tmp_path)._repr_html_()
    start = page.index('class="dlbook-explorable-data">') + len('class="dlbook-explorable-data">')
    assert json.loads(page[start:page.index("</script>", start)]) == data()
    assert 'class="dlbook-explorable-fallback"' in page
