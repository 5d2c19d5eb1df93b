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

And what the chapters' own tests need to hold a page's prose against its code: ``prose()``,
``run(*markers)`` (the page's code cells run, their namespace and what each printed),
``imports()`` (its first cell alone) and ``solution(n)`` (an exercise's solution, prose and code).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import jupytext

ROOT = Path(__file__).resolve().parent.parent
FIGURE_USE = re.compile(
    r"""\b(?:show|explore|load_manifest|load_data|load_checkpoint)\(\s*["']([a-z0-9-]+)["']""")
SCENE_USE = re.compile(r"""\{\{\s*animation\(\s*["']([A-Za-z_]\w*)["']\s*\)\s*\}\}""")
SOLUTION_CODE = re.compile(r"```python\n(.*?)```", re.S)


@dataclass(frozen=True)
class PageRun:
    """Code of a page, run: the namespace it left and what each piece printed, in order."""

    namespace: dict[str, Any]
    sources: tuple[str, ...]  # the code run, cell by cell
    outputs: tuple[str, ...]  # what each of them printed
    filename: str  # the page, named in tracebacks

    @property
    def printed(self) -> str:
        """Everything this run printed."""
        return "".join(self.outputs)

    def output_of(self, marker: str) -> str:
        """What the one cell of this run that contains ``marker`` printed."""
        printed = [out for source, out in zip(self.sources, self.outputs, strict=True) if marker in source]
        assert len(printed) == 1, f"{len(printed)} cells of {self.filename} run here contain {marker!r}"
        return printed[0]

    def then(self, *sources: str) -> PageRun:
        """Run more code (an exercise's solution) on a copy of this namespace, as the page runs.

        Returns the run of ``sources`` alone; this run and its namespace are left as they were.
        Figures go to matplotlib's Agg backend and ``plt.show`` closes them; each source's
        printed output is captured; the global random state and the other process-wide switches
        that ``dlbook.utils.restoring_global_state`` knows are put back afterwards.
        """
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from dlbook.utils import restoring_global_state

        namespace, outputs = dict(self.namespace), []
        show, plt.show = plt.show, lambda *args, **kwargs: plt.close("all")
        try:
            with restoring_global_state(), warnings.catch_warnings():
                warnings.filterwarnings("ignore", "FigureCanvasAgg is non-interactive", UserWarning)
                for source in sources:
                    out = io.StringIO()
                    with contextlib.redirect_stdout(out):
                        exec(compile(source, self.filename, "exec"), namespace)  # noqa: S102 - the book's own code
                    plt.close("all")
                    outputs.append(out.getvalue())
        finally:
            plt.show = show
            plt.close("all")
        return PageRun(namespace, sources, tuple(outputs), self.filename)


class Solution(NamedTuple):
    """An exercise's solution as its page writes it: ``prose, code = chapter.solution(3)``."""

    prose: str  # from <summary>Solution</summary> up to </details>
    code: str  # its first python block


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

    # -- what the page says and what its code prints -------------------------------------------
    def prose(self) -> str:
        """The page's Markdown cells, one after another."""
        return "\n".join(self.cells("markdown"))

    @functools.cache  # noqa: B019 - a chapter is a constant; its page runs once per test session
    def run(self, *markers: str) -> PageRun:
        """The page's first code cell (its imports), then every code cell that contains one of
        ``markers`` (all of them when none is given), in page order, in a fresh namespace.

        Run once per chapter and markers, and shared: run exercises on it with ``then``, which
        copies the namespace, rather than changing ``namespace`` itself.
        """
        first, *rest = self.cells("code")
        chosen = [source for source in rest if not markers or any(m in source for m in markers)]
        missing = [m for m in markers if not any(m in source for source in chosen)]
        assert not missing, f"no code cell of {self.page} after the first contains {missing}"
        return PageRun({"__name__": "page"}, (), (), str(self.page)).then(first, *chosen)

    @functools.cache  # noqa: B019 - as run
    def imports(self) -> PageRun:
        """The page's first code cell alone, run once: where an exercise's solution runs on its own."""
        return PageRun({"__name__": "page"}, (), (), str(self.page)).then(self.cells("code")[0])

    def solution(self, exercise: int | str) -> Solution:
        """The solution of exercise ``exercise``: its number, or a piece of its title."""
        heading = f"Exercise {exercise} ·" if isinstance(exercise, int) else exercise
        prose = self.prose()
        assert heading in prose, f"{self.page} has no exercise {heading!r}"
        rest = prose[prose.index(heading):]
        solution = rest[rest.index("<summary>Solution</summary>"):rest.index("</details>")]
        code = SOLUTION_CODE.search(solution)
        assert code, f"no python block in the solution of {heading!r} in {self.page}"
        lines = code[1].splitlines()
        if all(line.startswith("#") for line in lines if line.strip()):  # still commented out, as in the .py
            return Solution(solution, "\n".join(line.removeprefix("# ").removeprefix("#") for line in lines))
        return Solution(solution, code[1])

    # -- the page ----------------------------------------------------------------------------
    def check_page(self) -> None:
        prose = self.prose()
        assert prose.startswith("# "), f"{self.page} must open with its title"
        assert "## Summary" in prose and "## Exercises" in prose, f"{self.page}: no Summary or Exercises"
        imported: set[str] = set()
        for source in self.cells("code"):
            lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
            tree = ast.parse("\n".join(lines))
            for statement in tree.body[:-1]:  # a notebook displays only a cell's last expression
                call = statement.value if isinstance(statement, ast.Expr) else None
                name = call.func.id if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) else ""
                assert name not in ("show", "explore"), (
                    f"{self.page}: {name}(...) is not the last statement of its cell, so the figure "
                    f"would not be displayed; end the cell there: {ast.unparse(statement)}")
            for node in ast.walk(tree):
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
