"""The trained-figure pipeline: freshness of the committed figures, determinism, manifests."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import matplotlib
import pytest
import torch
from conftest import ROOT

from dlbook.figures import explore, figures_root, load_checkpoint, load_data, show
from dlbook_build.figures import FigureResult, FigureSpec, all_figures
from dlbook_build.figures.pipeline import code_hash, encode_data, make, status

matplotlib.use("Agg")


@dataclass(frozen=True)
class LineConfig:
    steps: int = 40
    lr: float = 0.1


def fit_line(cfg: LineConfig, ctx) -> FigureResult:  # type: ignore[no-untyped-def]
    """A tiny real training run: least squares by gradient descent, and its loss curve."""
    import matplotlib.pyplot as plt

    X = torch.linspace(-1, 1, 64, device=ctx.device).unsqueeze(1)
    y = 3 * X - 0.5 + 0.1 * torch.randn_like(X)
    model = torch.nn.Linear(1, 1).to(ctx.device)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    losses = []
    for _ in ctx.track(range(cfg.steps), "steps"):
        loss = torch.nn.functional.mse_loss(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot(losses)
    ax.set(xlabel="step", ylabel="MSE")
    return FigureResult(fig, {"loss": losses[-1]}, state_dict=model.state_dict())


SPEC = FigureSpec(
    name="test-line", make=fit_line, configs={"smoke": LineConfig(steps=20), "full": LineConfig()},
    caption="A line fitted by gradient descent.", module=__name__, seed=3,
)


def test_every_registered_figure_is_fresh() -> None:
    """Fails when a figure's code, config or files changed since it was made: run `make figures`."""
    figures = all_figures()
    stale = {name: status(spec) for name, spec in figures.items() if status(spec) != "fresh"}
    assert not stale, f"stale figures (remake with `make figures`): {stale}"
    for name in figures:
        manifest = json.loads((figures_root() / name / "manifest.json").read_text())
        assert manifest["code_hash"] == code_hash(figures[name], manifest["tier"])
        assert {"figure.png"} <= set(manifest["files"])


def test_same_seed_same_bytes_and_metrics(tmp_path: Path) -> None:
    first = make(SPEC, tier="smoke", device="cpu", root=tmp_path / "a")
    second = make(SPEC, tier="smoke", device="cpu", root=tmp_path / "b")
    assert first["metrics"] == second["metrics"]
    assert first["files"] == second["files"]
    png_a = (tmp_path / "a/test-line/figure.png").read_bytes()
    assert png_a == (tmp_path / "b/test-line/figure.png").read_bytes()
    other = make(replace(SPEC, seed=4), tier="smoke", device="cpu", root=tmp_path / "c")
    assert other["metrics"] != first["metrics"]  # the seed really matters


def test_manifest_records_how_the_figure_was_made(tmp_path: Path) -> None:
    manifest = make(SPEC, tier="smoke", device="cpu", root=tmp_path)
    on_disk = json.loads((tmp_path / "test-line/manifest.json").read_text())
    assert on_disk == manifest
    assert manifest["tier"] == "smoke" and manifest["seed"] == 3
    assert manifest["device_type"] == "cpu" and manifest["device"]
    assert manifest["versions"]["torch"] == torch.__version__
    assert manifest["config"] == {"steps": 20, "lr": 0.1}
    assert manifest["metrics"]["loss"] > 0
    assert set(manifest["files"]) == {"figure.png", "checkpoint.pt"}
    assert manifest["command"] == "dlbook-build figures --only test-line --tier smoke"
    assert any(key.startswith("smoke on ") for key in manifest["timings"])


def test_status_tracks_code_config_and_files(tmp_path: Path) -> None:
    assert status(SPEC, tmp_path) == "missing"
    make(SPEC, tier="smoke", device="cpu", root=tmp_path)
    assert status(SPEC, tmp_path) == "fresh"
    changed = replace(SPEC, configs={**SPEC.configs, "smoke": LineConfig(steps=21)})
    assert status(changed, tmp_path) == "stale"
    png = tmp_path / "test-line/figure.png"
    png.write_bytes(png.read_bytes() + b"\0")
    assert status(SPEC, tmp_path) == "corrupt"


def test_checkpoint_is_verified_then_loaded_weights_only(tmp_path: Path) -> None:
    make(SPEC, tier="smoke", device="cpu", root=tmp_path)
    state = load_checkpoint("test-line", root=tmp_path)
    model = torch.nn.Linear(1, 1)
    model.load_state_dict(state)
    assert set(state) == {"weight", "bias"}
    ckpt = tmp_path / "test-line/checkpoint.pt"
    ckpt.write_bytes(ckpt.read_bytes()[:-1] + b"x")
    with pytest.raises(ValueError, match="does not match its manifest"):
        load_checkpoint("test-line", root=tmp_path)


def test_show_embeds_the_image_and_the_provenance_box(tmp_path: Path) -> None:
    make(SPEC, tier="smoke", device="cpu", root=tmp_path)
    html = show("test-line", root=tmp_path)._repr_html_()
    assert 'src="data:image/png;base64,' in html
    assert "How this figure was made" in html
    assert "Smoke tier" in html  # a smoke-tier figure says so on the page
    assert "dlbook-build figures --only test-line --tier smoke" in html
    with pytest.raises(FileNotFoundError, match="dlbook-build figures --only nope"):
        show("nope", root=tmp_path)


def test_cli_remakes_only_what_is_stale(tmp_path: Path) -> None:
    figures = list(all_figures())
    if not figures:
        pytest.skip("no figure registered yet")
    name = figures[0]
    env = {"DLBOOK_FIGURES_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    cli = [sys.executable, "-m", "dlbook_build.cli", "figures"]
    cmd = [*cli, "--tier", "smoke", "--device", "cpu", "--only", name]
    first = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "figures: 1 made, 0 fresh" in first.stdout
    second = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "figures: 0 made, 1 fresh" in second.stdout
    unknown = subprocess.run([*cmd[:-1], "no-such-figure"], env=env, cwd=ROOT, capture_output=True,
                             text=True)
    assert unknown.returncode == 2 and "no-such-figure" in unknown.stdout


def grid_of_lines(cfg: LineConfig, ctx) -> FigureResult:  # type: ignore[no-untyped-def]
    """The line fit for two learning rates, returned with its curves as data: an explorable grid."""
    import matplotlib.pyplot as plt

    runs = []
    for lr in (cfg.lr, cfg.lr / 10):
        result = fit_line(replace(cfg, lr=lr), ctx)
        plt.close(result.figure)
        curve = [round(v, 4) for v in range(1, cfg.steps + 1)]
        runs.append({"train": curve, "val": [v * lr for v in curve]})
    fig, ax = plt.subplots()
    data = {"params": [{"name": "lr", "label": "learning rate", "values": [cfg.lr, cfg.lr / 10]}],
            "series": [{"key": "train", "label": "train"}, {"key": "val", "label": "val"}],
            "x_label": "step", "y_label": "loss", "runs": runs, "note": "</script><b>"}
    return FigureResult(fig, {"runs": 2.0}, data=data)


DATA_SPEC = replace(SPEC, name="test-grid", make=grid_of_lines)


def test_data_json_round_trip_and_corruption(tmp_path: Path) -> None:
    manifest = make(DATA_SPEC, tier="smoke", device="cpu", root=tmp_path)
    assert set(manifest["files"]) == {"figure.png", "data.json"}
    data = load_data("test-grid", root=tmp_path)
    assert data["params"][0]["values"] == [0.1, 0.01] and len(data["runs"]) == 2
    assert data["note"] == "</script><b>"
    assert status(DATA_SPEC, tmp_path) == "fresh"
    path = tmp_path / "test-grid/data.json"
    path.write_text(path.read_text().replace('"lr"', '"LR"'))
    assert status(DATA_SPEC, tmp_path) == "corrupt"
    with pytest.raises(ValueError, match="data.json of figure 'test-grid' does not match"):
        load_data("test-grid", root=tmp_path)
    with pytest.raises(FileNotFoundError, match="has no data.json"):
        make(SPEC, tier="smoke", device="cpu", root=tmp_path)
        load_data("test-line", root=tmp_path)


def test_a_figure_that_drops_its_data_leaves_no_stale_file(tmp_path: Path) -> None:
    make(DATA_SPEC, tier="smoke", device="cpu", root=tmp_path)
    make(replace(SPEC, name="test-grid"), tier="smoke", device="cpu", root=tmp_path)
    assert not (tmp_path / "test-grid/data.json").exists()


def test_encode_data_is_stable_and_refuses_non_json() -> None:
    assert encode_data({"b": [1.5], "a": "x"}) == b'{"a":"x","b":[1.5]}\n'
    with pytest.raises(ValueError, match="not plain JSON"):
        encode_data({"loss": [float("nan")]}, "bad")
    with pytest.raises(ValueError, match="not plain JSON"):
        encode_data({"tensor": torch.ones(2)}, "bad")


def test_explore_embeds_fallback_image_and_data(tmp_path: Path) -> None:
    make(DATA_SPEC, tier="smoke", device="cpu", root=tmp_path)
    page = explore("test-grid", root=tmp_path)._repr_html_()
    assert '<figure class="dlbook-figure dlbook-explorable"' in page
    assert '<img class="dlbook-explorable-fallback" src="data:image/png;base64,' in page
    start = page.index('<script type="application/json" class="dlbook-explorable-data">')
    body = page[page.index(">", start) + 1:page.index("</script>", start)]
    assert "</" not in body  # the data's own "</script>" cannot close the element early
    assert json.loads(body) == load_data("test-grid", root=tmp_path)
    assert "How this figure was made" in page
    with pytest.raises(FileNotFoundError, match="has no data.json"):
        make(SPEC, tier="smoke", device="cpu", root=tmp_path)
        explore("test-line", root=tmp_path)


def test_explore_refuses_data_that_is_not_a_grid(tmp_path: Path) -> None:
    def uneven(cfg: LineConfig, ctx) -> FigureResult:  # type: ignore[no-untyped-def]
        result = grid_of_lines(cfg, ctx)
        assert result.data is not None
        result.data["runs"] = result.data["runs"][:1]
        return result

    make(replace(DATA_SPEC, make=uneven), tier="smoke", device="cpu", root=tmp_path)
    with pytest.raises(ValueError, match="2 runs, got 1"):
        explore("test-grid", root=tmp_path)


@pytest.mark.slow
def test_every_figure_is_byte_identical_when_made_twice_on_the_cpu(tmp_path: Path) -> None:
    figures = all_figures()
    if not figures:
        pytest.skip("no figure registered yet")
    for name, spec in figures.items():
        first = make(spec, tier="smoke", device="cpu", root=tmp_path / "a")
        second = make(spec, tier="smoke", device="cpu", root=tmp_path / "b")
        assert first["metrics"] == second["metrics"], name
        png = f"{name}/figure.png"
        assert (tmp_path / "a" / png).read_bytes() == (tmp_path / "b" / png).read_bytes(), name
