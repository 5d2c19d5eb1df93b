"""dlbook.figures.kinds: the data layouts of explorable figures, and checks that refuse bad
data with a message naming what is missing or wrong (the browser side is tested in
tests/site/test_explorable_kinds.py)."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from dlbook.figures import explore
from dlbook.figures.display import check_explorable
from dlbook.figures.kinds import check_heatmap, check_sampling, heatmap_data, sampling_data


def sampling() -> dict[str, Any]:
    return sampling_data(["\n", " ", "a"], ["ab", "b"], [[0.1234, -1.0, 2.0], [0.0, 1.0, 3.0]],
                         top_k=[1, 2])


def heatmap() -> dict[str, Any]:
    values: list[Any] = [[[[0.5, 1.0, 2.0], [0.1, 0.2, 0.3]], [[1.0]]],  # frame 0: panels 2 x 3 and 1 x 1
                         [[[0.4, 1.5, 2.5], [0.1, None, 0.3]], [[2.0]]]]
    return heatmap_data([1, 10], ["RNN", "LSTM"], values, frame_label="epoch", scale="log")


def test_sampling_data_rounds_logits_and_passes_its_check() -> None:
    data = sampling()
    assert data["kind"] == "sampling" and data["chars"] == ["\n", " ", "a"]
    assert data["prompts"][0] == {"text": "ab", "logits": [0.123, -1.0, 2.0]}
    assert data["temperature"] == {"min": 0.1, "max": 2.0, "step": 0.05, "value": 1.0}
    assert data["top_k"] == [1, 2] and data["shown"] == 12
    check_explorable("demo", data)
    with pytest.raises(ValueError, match="one row of logits per prompt"):
        sampling_data(["a"], ["x", "y"], [[1.0]])


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.pop("chars"), r"non-empty lists 'chars' and 'prompts'.*got keys \['kind', 'prompts'"),
    (lambda d: d.update(chars=["a", "a", "b"]), "distinct non-empty strings, got duplicates"),
    (lambda d: d.update(chars=["a", "", "b"]), r"distinct non-empty strings, got \[''\]"),
    (lambda d: d["prompts"][1].pop("text"), "prompt 1 needs a string 'text'"),
    (lambda d: d["prompts"][1].update(label=3), "optionally a string 'label'"),
    (lambda d: d["prompts"][1]["logits"].pop(), r"prompt 1 \('b'\) expects 'logits', one finite number "
                                                r"per char \(3\), got 2 values"),
    (lambda d: d["prompts"][0]["logits"].__setitem__(0, float("nan")), "prompt 0 .* one finite number"),
    (lambda d: d["prompts"][0].update(logits="0.1"), "got str"),
    (lambda d: d["temperature"].pop("step"), r"'temperature' with numbers \['min', 'max', 'step', 'value'\]"),
    (lambda d: d["temperature"].update(value=3.0), "0 < temperature min <= value <= max"),
    (lambda d: d["temperature"].update(min=0.0), "0 < temperature min <= value <= max"),
    (lambda d: d.update(top_k=[0, 2]), r"'top_k' as a list of integers in \[1, 3\], got \[0, 2\]"),
    (lambda d: d.update(top_k=[4]), r"in \[1, 3\]"),
    (lambda d: d.update(shown=0), "'shown' as a positive integer, got 0"),
])
def test_bad_sampling_data_is_refused_with_what_is_wrong(edit: Any, message: str) -> None:
    data = copy.deepcopy(sampling())
    edit(data)
    with pytest.raises(ValueError, match=message) as err:
        check_explorable("next-char", data)
    assert "'next-char'" in str(err.value)  # the figure is named


def test_heatmap_data_keeps_significant_digits_and_passes_its_check() -> None:
    data = heatmap_data([1], ["A"], [[[[0.000123456, 12345.6]]]], x_label="t", value_label="norm")
    assert data["values"] == [[[[0.0001235, 12350.0]]]]
    assert data["panels"] == [{"title": "A"}] and data["scale"] == "linear"
    labelled = heatmap_data([1], ["A", "B"], [[[[1.0, 2.0]], [[3.0, 4.0]]]], rows=["r"], cols=["x", "y"])
    assert labelled["panels"][1] == {"title": "B", "rows": ["r"], "cols": ["x", "y"]}
    check_explorable("demo", heatmap())  # panels of different shapes, a null, a log scale
    with pytest.raises(ValueError, match=r"'cols' needs 2 labels, got \['x'\]"):
        heatmap_data([1], ["A"], [[[[1.0, 2.0]]]], cols=["x"])


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.pop("frames"), r"non-empty lists 'frames', 'panels' and a list 'values', got keys"),
    (lambda d: d.update(panels=[]), "non-empty lists 'frames', 'panels'"),
    (lambda d: d["values"].pop(), r"'values' as frames x panels \(2 x 2\) matrices, got 1 frames"),
    (lambda d: d["values"][1].pop(), r"frames x panels \(2 x 2\)"),
    (lambda d: d.update(scale="symlog"), "'scale' 'linear' or 'log', got 'symlog'"),
    (lambda d: d["values"][0].__setitem__(1, []), "panel 1 of frame 0 should be a non-empty matrix"),
    (lambda d: d["values"][1][0][1].pop(), r"frame 1, panel 0 should be 2 x 3 like frame 0"),
    (lambda d: d["values"][1][0].pop(), r"frame 1, panel 0 should be 2 x 3"),
    (lambda d: d["panels"][0].update(rows=["a"]), r"panel 0 has 2 x 3 values, so 'rows' needs 2 labels"),
    (lambda d: d["values"][1][0][0].__setitem__(2, 0.0), r"frame 1, panel 0, cell \(0, 2\) should be a "
                                                         r"positive number \(log scale\) or null, got 0.0"),
    (lambda d: d["values"][0][1][0].__setitem__(0, "1"), r"cell \(0, 0\) should be a positive number"),
    (lambda d: d.update(range=[1.0, 0.5]), r"'range' as \[lo, hi\] with lo < hi"),
    (lambda d: d.update(range=[0.0, 1.0]), r"lo > 0 on a log scale\), got \[0.0, 1.0\]"),
    (lambda d: d["panels"].__setitem__(0, "RNN"), "panel 0 should be a dict"),
])
def test_bad_heatmap_data_is_refused_with_what_is_wrong(edit: Any, message: str) -> None:
    data = copy.deepcopy(heatmap())
    edit(data)
    with pytest.raises(ValueError, match=message) as err:
        check_explorable("grads", data)
    assert "'grads'" in str(err.value)


def test_a_linear_heatmap_takes_zero_and_negative_values() -> None:
    data = heatmap()
    data.update(scale="linear", range=[-1.0, 3.0])
    data["values"][0][0][0][0] = -0.5
    check_heatmap("grads", data)
    check_sampling("demo", sampling())


def test_check_explorable_dispatches_on_kind() -> None:
    kinds = (r"'kind' is one of \['attention', 'conv-window', 'curves', 'heatmap', 'image-picker', "
             r"'sampling'\] \(absent: 'curves'\), got kind 'bars'")
    with pytest.raises(ValueError, match=kinds):
        check_explorable("demo", {"kind": "bars"})
    with pytest.raises(ValueError, match="non-empty lists 'params' and 'series'"):
        check_explorable("demo", {})  # no kind: a grid of curves, as before
    with pytest.raises(ValueError, match="non-empty lists 'params' and 'series'"):
        check_explorable("demo", {"kind": "curves", "runs": []})
    with pytest.raises(ValueError, match="got list"):
        check_explorable("demo", [])  # type: ignore[arg-type]


def freeze(root: Path, name: str, data: dict[str, Any]) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    files = {"figure.png": b"\x89PNG fake", "data.json": json.dumps(data).encode()}
    for file, content in files.items():
        (folder / file).write_bytes(content)
    hashes = {f: hashlib.sha256(c).hexdigest() for f, c in files.items()}
    manifest = {"name": name, "caption": "c", "files": hashes}
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_explore_embeds_each_kind_and_refuses_a_bad_one(tmp_path: Path) -> None:
    freeze(tmp_path, "next-char", sampling())
    freeze(tmp_path, "grads", heatmap())
    for name, data in (("next-char", sampling()), ("grads", heatmap())):
        page = explore(name, root=tmp_path)._repr_html_()
        start = page.index('class="dlbook-explorable-data">') + len('class="dlbook-explorable-data">')
        assert json.loads(page[start:page.index("</script>", start)]) == data
    bad = sampling()
    bad["prompts"][0]["logits"] = [1.0]
    freeze(tmp_path, "bad", bad)
    with pytest.raises(ValueError, match="sampling figure 'bad': prompt 0"):
        explore("bad", root=tmp_path)
