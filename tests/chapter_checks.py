"""What every chapter's own tests check, written once: tests/chapters/test_<chapter>.py calls these.

A chapter is found by its name: the page ``docs/<part>/<name>.py``, its experiments
``experiments/<part>/<module>.py`` and its scenes ``animations/<module>.py`` (``module`` is
the name in snake_case). The checks:

- the page parses, opens with its title, ends with a summary and exercises, and imports
  the library but never the build, the experiments or the scenes;
- the figures the page shows (``show``, ``explore``, ``load_*`` by name) are exactly the ones
  its experiments module registers, and each of them runs at the smoke tier with finite
  metrics;
- the scenes the page embeds exist, and the chapter's scene module (if any) is embedded.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
FIGURE_USE = re.compile(
    r"""\b(?:show|explore|load_manifest|load_data|load_checkpoint)\(\s*["']([a-z0-9-]+)["']""")
SCENE_USE = re.compile(r"""\{\{\s*animation\(\s*["']([A-Za-z_]\w*)["']\s*\)\s*\}\}""")


@dataclass(frozen=True)
class Chapter:
    part: str  # the folder under docs/, e.g. "neurons"
    name: str  # the kebab-case name, e.g. "activation-functions"
    root: Path = ROOT

    @property
    def module(self) -> str:
        return self.name.replace("-", "_")

    @property
    def page(self) -> Path:
        return self.root / "docs" / self.part / f"{self.name}.py"

    @property
    def experiments(self) -> Path:
        return self.root / "experiments" / self.part / f"{self.module}.py"

    @property
    def scenes(self) -> Path:
        return self.root / "animations" / f"{self.module}.py"

    def cells(self, kind: str) -> list[str]:
        return [cell.source for cell in jupytext.read(self.page).cells if cell.cell_type == kind]

    # -- the page ----------------------------------------------------------------------------
    def check_page(self) -> None:
        markdown = self.cells("markdown")
        assert markdown and markdown[0].startswith("# "), f"{self.page} must open with its title"
        prose = "\n".join(markdown)
        assert "## Summary" in prose and "## Exercises" in prose, f"{self.page}: no Summary or Exercises"
        imported: set[str] = set()
        for source in self.cells("code"):
            lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
            for node in ast.walk(ast.parse("\n".join(lines))):
                if isinstance(node, ast.Import):
                    imported |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module:
                    imported.add(node.module.split(".")[0])
        assert "dlbook" in imported, f"{self.page} imports nothing from dlbook"
        forbidden = imported & {"dlbook_build", "experiments", "animations"}
        assert not forbidden, f"{self.page} imports {sorted(forbidden)}: pages import only dlbook"

    # -- figures -----------------------------------------------------------------------------
    def figures_shown(self) -> set[str]:
        return {m for source in self.cells("code") for m in FIGURE_USE.findall(source)}

    def figures_registered(self) -> set[str]:
        from dlbook_build.figures.registry import all_figures

        module = f"experiments.{self.part}.{self.module}"
        figures = all_figures(self.root / "experiments")
        return {name for name, spec in figures.items() if spec.module == module}

    def check_figures(self, tmp_path: Path) -> None:
        import matplotlib

        matplotlib.use("Agg")
        from dlbook_build.figures.pipeline import make
        from dlbook_build.figures.registry import all_figures

        shown, registered = self.figures_shown(), self.figures_registered()
        assert shown == registered, (
            f"{self.page} shows {sorted(shown)}, {self.experiments} registers {sorted(registered)}: "
            "a chapter's figures live in its own experiments module")
        figures = all_figures(self.root / "experiments")
        for name in sorted(registered):
            manifest = make(figures[name], tier="smoke", device="cpu", root=tmp_path)
            assert manifest["metrics"], f"{name} reports no metrics"
            bad = {k: v for k, v in manifest["metrics"].items() if not math.isfinite(v)}
            assert not bad, f"{name}: metrics that are not finite: {bad}"
            assert (tmp_path / name / "figure.png").stat().st_size > 0

    # -- scenes ------------------------------------------------------------------------------
    def scenes_embedded(self) -> set[str]:
        return {m for source in self.cells("markdown") for m in SCENE_USE.findall(source)}

    def check_scenes(self) -> None:
        from dlbook_build.animations import discover_scenes

        scenes = discover_scenes(self.root / "animations")
        missing = self.scenes_embedded() - set(scenes)
        assert not missing, f"{self.page} embeds scenes that do not exist: {sorted(missing)}"
        own = {name for name, spec in scenes.items() if spec.path == self.scenes}
        unused = own - self.scenes_embedded()
        assert not unused, f"{self.scenes} defines scenes its page does not embed: {sorted(unused)}"
