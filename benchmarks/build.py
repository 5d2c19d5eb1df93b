"""Build timings: the dlbook cache next to mkdocs-jupyter's own `execute: true`, in one run.

    python benchmarks/build.py            # or: make bench

Copies the book into a temporary folder and, for each pipeline, times four builds in a row:
a cold build, a rebuild with no change, a rebuild after a prose-only edit, and a rebuild
after an edit to a dlbook module that a chapter imports. It prints seconds and code cells
executed for each, and whether the page could be stale afterwards (an imported module
changed but nothing was re-executed).

The dlbook pipeline also renders the Manim scenes of animations/ (at
$DLBOOK_ANIMATION_QUALITY, default medium as in `make site`): the cold build reports the
render time of each scene, the rebuilds how many scenes were rendered and how many came
from the cache, and a last rebuild after an edit to one scene must render only that one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import jupytext
import yaml

ROOT = Path(__file__).resolve().parent.parent
COPIED = ["docs", "dlbook", "experiments", "animations", "figures", "overrides", "mkdocs.yml",
          "requirements.lock", "pyproject.toml"]
PROSE_CHAPTER = "docs/foundations/what-is-deep-learning.py"
EDITED_MODULE = "dlbook/calculus.py"  # imported by the mathematical-foundations chapter
SUMMARY = re.compile(r"chapters executed: (\d+), cells executed: (\d+), chapters from cache: (\d+)")
SCENES = re.compile(r"animations rendered: (\d+)(?: \(([^)]*)\))?, from cache: (\d+) \[([^\]]*)\]")
EDITED_SCENE = "animations/perceptron.py"


@dataclass
class Step:
    name: str
    seconds: float
    cells: int
    stale: bool
    scenes: str = ""  # "rendered N, cached M" (dlbook pipeline only)


def scene_counts(output: str) -> tuple[str, str]:
    """("rendered N, cached M", per-scene render times) from the dlbook build log."""
    match = SCENES.search(output)
    if match is None:
        return "", ""
    return f"scenes rendered {match[1]}, cached {match[3]} [{match[4]}]", match[2] or ""


def code_cells(path: Path) -> int:
    return sum(cell.cell_type == "code" for cell in jupytext.read(path).cells)


class _EnvLoader(yaml.SafeLoader):
    """Reads mkdocs.yml's ``!ENV [NAME, default]`` tags as the variable or its default."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    if not isinstance(node, yaml.SequenceNode):  # !ENV NAME
        return os.environ.get(str(loader.construct_scalar(node)))  # type: ignore[arg-type]
    *names, default = loader.construct_sequence(node)  # !ENV [NAME, ..., default]
    return next((os.environ[str(n)] for n in names if str(n) in os.environ), default)


_EnvLoader.add_constructor("!ENV", _env)


def jupyter_only_config(project: Path) -> Path:
    """mkdocs.yml without the dlbook plugin, mkdocs-jupyter executing the chapters itself."""
    text = (project / "mkdocs.yml").read_text()
    config = yaml.load(text, Loader=_EnvLoader)  # a SafeLoader that knows !ENV
    plugins = []
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "dlbook" in plugin:
            continue
        if isinstance(plugin, dict) and "mkdocs-jupyter" in plugin:
            plugin = {"mkdocs-jupyter": {"execute": True, "include": ["*/docs/*/[!_]*.py"],
                                         "ignore": ["*.md", "*/_*.py"], "allow_errors": False,
                                         "cache_dir": str(project / ".cache/mkdocs-jupyter")}}
        plugins.append(plugin)
    config["plugins"] = plugins
    path = project / "mkdocs-jupyter-only.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def build(project: Path, config: Path, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(project / "site")],
        cwd=project, env=env, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        sys.exit(f"build failed ({config.name}):\n{output}")
    return seconds, output


def ours_cells(output: str) -> int:
    match = SUMMARY.search(output)
    assert match, output
    return int(match[2])


def theirs_cells(output: str, project: Path) -> int:
    ran = re.findall(r"Converting notebook \(execute=True\): (\S+)", output)
    return sum(code_cells(Path(p)) for p in ran)


def run_pipeline(name: str, project: Path, config: Path, count) -> list[Step]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(project),
           "DLBOOK_CACHE_DIR": str(project / ".cache/dlbook")}
    steps = []

    def step(label: str, module_edited: bool = False) -> None:
        seconds, output = build(project, config, env)
        cells = count(output)
        scenes, per_scene = scene_counts(output)
        steps.append(Step(label, seconds, cells, stale=module_edited and cells == 0, scenes=scenes))
        print(f"  {name:<15} {label:<22} {seconds:6.1f} s  {cells:4d} cells  {scenes}", flush=True)
        if per_scene:
            print(f"  {'':<15} {'':<22} render time per scene: {per_scene}", flush=True)

    step("cold build")
    step("no-change rebuild")
    chapter = project / PROSE_CHAPTER
    chapter.write_text(chapter.read_text().replace("# # ", "# # (edited) ", 1))
    step("prose-edit rebuild")
    module = project / EDITED_MODULE
    module.write_text(module.read_text() + "\n# an edit that changes the module's source\n")
    step("dlbook-edit rebuild", module_edited=True)
    scene = project / EDITED_SCENE
    if name == "dlbook cache" and scene.is_file():  # after the side-by-side steps: ours only
        scene.write_text(scene.read_text() + "\n# an edit to one scene\n")
        step("scene-edit rebuild")
    return steps


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory(prefix="dlbook-bench-") as tmp:
        for name in ("dlbook cache", "mkdocs-jupyter"):
            project = Path(tmp) / name.replace(" ", "-")
            project.mkdir()
            for item in COPIED:
                src = ROOT / item
                (shutil.copytree if src.is_dir() else shutil.copy2)(src, project / item)
            if name == "dlbook cache":
                results[name] = run_pipeline(name, project, project / "mkdocs.yml", ours_cells)
            else:
                config = jupyter_only_config(project)
                results[name] = run_pipeline(
                    name, project, config, lambda out, p=project: theirs_cells(out, p)
                )

    ours, theirs = results["dlbook cache"], results["mkdocs-jupyter"]
    print("\nside by side (same chapters, same machine, one run)")
    print(f"{'build':<22} | {'dlbook cache':>22} | {'mkdocs-jupyter execute':>24} | speed-up")
    print("-" * 86)
    for a, b in zip(ours, theirs, strict=False):
        cell = lambda s: f"{s.seconds:6.1f} s {s.cells:4d} cells" + (" STALE" if s.stale else "")  # noqa: E731
        print(f"{a.name:<22} | {cell(a):>22} | {cell(b):>24} | {b.seconds / a.seconds:5.1f}x")
    print("\nanimations (dlbook cache only; mkdocs-jupyter has no animation pipeline, so the")
    print("dlbook cold build above also includes rendering every scene)")
    for a in ours:
        print(f"{a.name:<22} | {a.seconds:6.1f} s | {a.scenes or 'no animations_dir'}")
    print("\nSTALE: a dlbook module the chapter imports changed, but no cell was re-executed,")
    print("so the page shows outputs of the old code.")


if __name__ == "__main__":
    main()
