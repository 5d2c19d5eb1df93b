"""dlbook-build chapter: a new chapter's page, experiments, scene and tests, from the templates.

Each test scaffolds into a throwaway book (a ``mkdocs.yml`` and ``docs/<part>/``), never
into the repository. The generated modules are linted as if they sat in the repository
(ruff reads them from stdin under their path here, so this project's settings apply),
the generated test is run in the throwaway book, and the generated scene is dry-rendered
against the real ``animations.common`` with the checks of tests/build/test_scenes.py.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
import yaml

import dlbook
import dlbook_build
from dlbook_build import cli
from dlbook_build.scaffold import ScaffoldError, new_chapter

ROOT = Path(__file__).resolve().parents[2]

MKDOCS_YML = """\
site_name: mini
site_url: !ENV [DLBOOK_SITE_URL, "http://127.0.0.1:8000/"]
nav:
  - Home: index.md
  - Learning:
      - training/index.md
      - Backpropagation: training/backpropagation.py
      - "Gradient descent: the steps": training/gradient-descent.py  # a comment

  - Neurons:
      - neurons/perceptron.py
"""


class Loader(yaml.SafeLoader):
    """Reads mkdocs.yml with its !ENV tags (as None)."""


Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def nav(root: Path) -> list:
    return yaml.load((root / "mkdocs.yml").read_text(), Loader=Loader)["nav"]


def make_book(root: Path) -> Path:
    for part in ("training", "neurons"):
        (root / "docs" / part).mkdir(parents=True)
    (root / "docs" / "assets").mkdir()
    (root / "docs" / "training" / "index.md").write_text("# Learning\n")
    (root / "mkdocs.yml").write_text(MKDOCS_YML)
    return root


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return make_book(tmp_path / "book")


def chapter_files(root: Path, part: str, name: str) -> dict[str, Path]:
    module = name.replace("-", "_")
    return {
        "page": root / "docs" / part / f"{name}.py",
        "experiments": root / "experiments" / part / f"{module}.py",
        "scene": root / "animations" / f"{module}.py",
        "test": root / "tests" / "chapters" / f"test_{module}.py",
    }


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """One chapter scaffolded once for the slower checks (ruff, the generated test, the scene)."""
    root = make_book(tmp_path_factory.mktemp("scaffolded") / "book")
    return root, new_chapter(root, "training", "recurrent-networks", log=lambda line: None)


# --- The files --------------------------------------------------------------------------


def test_writes_the_four_files_with_the_chapters_names(book: Path) -> None:
    lines: list[str] = []
    written = new_chapter(book, "training", "recurrent-networks", log=lines.append)
    files = chapter_files(book, "training", "recurrent-networks")
    packages = [book / "experiments" / "__init__.py", book / "experiments" / "training" / "__init__.py"]
    assert sorted(written) == sorted([*files.values(), *packages])
    assert all(path.is_file() and path.read_text().strip() for path in written)
    assert '@register(\n    "recurrent-networks-example"' in files["experiments"].read_text()
    assert "class RecurrentNetworksExample(StepScene):" in files["scene"].read_text()
    assert 'show("recurrent-networks-example")' in files["page"].read_text()
    assert '{{ animation("RecurrentNetworksExample") }}' in files["page"].read_text()
    assert "# # Recurrent networks\n" in files["page"].read_text()  # the title, from the name


def test_title_is_used(book: Path) -> None:
    new_chapter(book, "training", "rnn", title="Recurrent networks: memory", log=lambda line: None)
    assert "# # Recurrent networks: memory\n" in (book / "docs" / "training" / "rnn.py").read_text()


def test_refuses_to_overwrite_and_names_the_file(book: Path) -> None:
    new_chapter(book, "training", "recurrent-networks", log=lambda line: None)
    page = book / "docs" / "training" / "recurrent-networks.py"
    page.write_text("# my edits\n")
    with pytest.raises(ScaffoldError, match=r"docs/training/recurrent-networks\.py.*exist already"):
        new_chapter(book, "training", "recurrent-networks", log=lambda line: None)
    assert page.read_text() == "# my edits\n"


def test_one_existing_file_stops_everything(book: Path) -> None:
    scene = book / "animations" / "attention.py"
    scene.parent.mkdir()
    scene.write_text("# someone's scene\n")
    with pytest.raises(ScaffoldError, match=r"animations/attention\.py exists already.*nothing is over"):
        new_chapter(book, "training", "attention", log=lambda line: None)
    assert scene.read_text() == "# someone's scene\n"
    assert not (book / "docs" / "training" / "attention.py").exists()
    assert not (book / "experiments").exists()
    assert (book / "mkdocs.yml").read_text() == MKDOCS_YML


@pytest.mark.parametrize("name", ["Recurrent", "recurrent_networks", "recurrent networks", "recurrent--nets",
                                  "-rnn", "rnn-", "2-layers", "", "rnn.py", "a" * 41])
def test_rejects_names_that_are_not_kebab_case(book: Path, name: str) -> None:
    with pytest.raises(ScaffoldError, match="lower-case kebab-case"):
        new_chapter(book, "training", name, log=lambda line: None)
    assert not (book / "experiments").exists()


@pytest.mark.parametrize("name", ["index", "common", "import", "lambda"])
def test_rejects_names_taken_by_python_or_the_layout(book: Path, name: str) -> None:
    with pytest.raises(ScaffoldError, match="taken by Python or by the book's layout"):
        new_chapter(book, "training", name, log=lambda line: None)


@pytest.mark.parametrize("part", ["Training", "new-part", "assets", "../training", "", "class", "docs/x"])
def test_rejects_parts_that_are_not_folders_or_new_lower_case_names(book: Path, part: str) -> None:
    with pytest.raises(ScaffoldError, match=r"give an existing folder under docs/ \(neurons, training\)"):
        new_chapter(book, part, "recurrent-networks", log=lambda line: None)


@pytest.mark.parametrize("title", ["two\nlines", "a \\ backslash", 'three """ quotes', "   ", "t" * 71])
def test_rejects_titles_that_would_break_the_files(book: Path, title: str) -> None:
    with pytest.raises(ScaffoldError, match="title"):
        new_chapter(book, "training", "rnn", title=title, log=lambda line: None)


def test_chapter_names_are_unique_across_parts(book: Path) -> None:
    new_chapter(book, "neurons", "attention", log=lambda line: None)
    with pytest.raises(ScaffoldError, match=r"exists already: docs/neurons/attention\.py"):
        new_chapter(book, "training", "attention", log=lambda line: None)


def test_not_a_book(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="no mkdocs.yml"):
        new_chapter(tmp_path, "training", "rnn", log=lambda line: None)


def test_a_new_part_gets_its_experiments_package_and_a_nav_hint(book: Path) -> None:
    lines: list[str] = []
    written = new_chapter(book, "sequences", "recurrent-networks", log=lines.append)
    init = book / "experiments" / "sequences" / "__init__.py"
    assert init in written and "docs/sequences/" in init.read_text()
    assert (book / "docs" / "sequences" / "recurrent-networks.py").is_file()
    assert (book / "mkdocs.yml").read_text() == MKDOCS_YML  # a new section is the author's to place
    hint = "\n".join(lines)
    assert "no section for sequences/ yet" in hint
    assert "  - Sequences:\n      - Recurrent networks: sequences/recurrent-networks.py" in hint
    # the part exists now: a second chapter goes into it without a package of its own
    again = new_chapter(book, "sequences", "attention", log=lambda line: None)
    assert init not in again and init.read_text().startswith('"""Experiments of the chapters')


# --- The nav of mkdocs.yml --------------------------------------------------------------


def test_nav_entry_goes_after_the_parts_last_page(book: Path) -> None:
    lines: list[str] = []
    old = nav(book)
    new_chapter(book, "training", "recurrent-networks", title="Recurrent networks: memory", log=lines.append)
    text = (book / "mkdocs.yml").read_text()
    expected = MKDOCS_YML.replace(
        "training/gradient-descent.py  # a comment\n",
        'training/gradient-descent.py  # a comment\n      - "Recurrent networks: memory": '
        "training/recurrent-networks.py\n")
    assert text == expected
    learning = old[1]["Learning"] + [{"Recurrent networks: memory": "training/recurrent-networks.py"}]
    assert nav(book) == [old[0], {"Learning": learning}, old[2]]
    assert any("added" in line and "training/recurrent-networks.py" in line for line in lines)


def test_nav_entry_in_a_copy_of_the_books_own_mkdocs_yml(book: Path) -> None:
    shutil.copy(ROOT / "mkdocs.yml", book / "mkdocs.yml")
    old = nav(book)
    new_chapter(book, "training", "recurrent-networks", log=lambda line: None)
    entry = {"Recurrent networks": "training/recurrent-networks.py"}

    def add(items: list) -> list:  # the entry after the last item that holds a training/ page
        pages = [i for i, item in enumerate(items) if "training/" in json.dumps(item)]
        if not pages:
            return items
        last = pages[-1]
        if isinstance(items[last], dict) and isinstance(next(iter(items[last].values())), list):
            (key, inner), = items[last].items()
            return [*items[:last], {key: add(inner)}, *items[last + 1:]]
        return [*items[:last + 1], entry, *items[last + 1:]]

    assert nav(book) == add(old)
    before = (ROOT / "mkdocs.yml").read_text().splitlines()
    after = (book / "mkdocs.yml").read_text().splitlines()
    assert len(after) == len(before) + 1 and [line for line in after if line not in before] == [
        next(line for line in after if "training/recurrent-networks.py" in line)]


def test_nav_entry_for_a_part_listed_by_bare_paths(book: Path) -> None:
    new_chapter(book, "neurons", "activation-functions", log=lambda line: None)
    assert nav(book)[2] == {"Neurons": ["neurons/perceptron.py",
                                        {"Activation functions": "neurons/activation-functions.py"}]}


def test_nav_is_left_alone_when_the_part_has_no_entry_or_when_asked(book: Path) -> None:
    (book / "docs" / "vision").mkdir()
    lines: list[str] = []
    new_chapter(book, "vision", "convolutions", log=lines.append)
    new_chapter(book, "training", "rnn", edit_nav=False, log=lines.append)
    assert (book / "mkdocs.yml").read_text() == MKDOCS_YML
    assert "      - Convolutions: vision/convolutions.py" in lines[0]
    assert "add the chapter to the nav" in lines[1] and "      - Rnn: training/rnn.py" in lines[1]


def test_nav_with_crlf_line_endings(book: Path) -> None:
    (book / "mkdocs.yml").write_bytes(MKDOCS_YML.replace("\n", "\r\n").encode())
    new_chapter(book, "neurons", "attention", log=lambda line: None)
    data = (book / "mkdocs.yml").read_bytes()
    assert b"      - neurons/perceptron.py\r\n      - Attention: neurons/attention.py\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")


# --- What is in them ----------------------------------------------------------------------


def test_page_parses_with_title_figure_summary_and_exercises(scaffolded: tuple[Path, list[Path]]) -> None:
    root, _ = scaffolded
    notebook = jupytext.read(root / "docs" / "training" / "recurrent-networks.py")
    cells = notebook.cells
    assert notebook.metadata["jupytext"]["text_representation"]["format_name"] == "percent"
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# Recurrent networks\n")
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "## Summary" in prose and "## Exercises" in prose
    assert prose.index("## Summary") < prose.index("## Exercises")
    assert '<div class="admonition question">' in prose
    assert '<details class="success">\n<summary>Solution</summary>' in prose and "</details>" in prose
    code = [c.source for c in cells if c.cell_type == "code"]
    assert 'show("recurrent-networks-example")' in code
    imported = set()
    for source in code:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
    assert imported == {"dlbook"}


def ruff(source: str, path: Path) -> subprocess.CompletedProcess[str]:
    """``ruff check`` of ``source`` as if it were the repository's file ``path``."""
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise",
                           "--stdin-filename", str(path), "-"],
                          input=source, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("part", "name", "title"), [
    ("training", "recurrent-networks", None),
    ("p" * 30, "n" * 20 + "-" + "m" * 19, "A title of seventy characters: " + "t" * 39),  # the longest
])
def test_generated_modules_pass_ruff(tmp_path: Path, part: str, name: str, title: str | None) -> None:
    root = make_book(tmp_path / "book")
    new_chapter(root, part, name, title=title, log=lambda line: None)
    for key, path in chapter_files(root, part, name).items():
        if key == "page":  # docs/ is not linted; it must still be valid Python
            ast.parse(path.read_text())
            continue
        result = ruff(path.read_text(), ROOT / path.relative_to(root))
        assert result.returncode == 0, f"ruff on the generated {key} module:\n{result.stdout}{result.stderr}"


def project_env() -> dict[str, str]:
    """The environment of a process run in the throwaway book: dlbook and dlbook_build importable."""
    paths = [str(Path(dlbook.__file__).parents[1]), str(Path(dlbook_build.__file__).parents[1])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")]),
            "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}


def test_experiments_module_imports_and_registers_its_figure(scaffolded: tuple[Path, list[Path]]) -> None:
    root, _ = scaffolded
    script = (
        "import json, math\n"
        "from pathlib import Path\n"
        "from dlbook_build.figures.registry import all_figures\n"
        "figures = all_figures(Path('experiments').resolve())\n"
        "spec = figures['recurrent-networks-example']\n"
        "print(json.dumps({'names': sorted(figures), 'module': spec.module, 'tiers': sorted(spec.configs),\n"
        "                  'caption': spec.caption}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, env=project_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["names"] == ["recurrent-networks-example"]
    assert found["module"] == "experiments.training.recurrent_networks"
    assert found["tiers"] == ["full", "smoke"] and found["caption"]


def test_generated_test_passes(scaffolded: tuple[Path, list[Path]]) -> None:
    root, _ = scaffolded
    test = root / "tests" / "chapters" / "test_recurrent_networks.py"
    # what the book's own tests folder and scene package provide around a chapter's test
    for shared in ("tests/conftest.py", "tests/chapter_checks.py", "animations/__init__.py"):
        shutil.copy(ROOT / shared, root / shared)
    shutil.copytree(ROOT / "animations" / "common", root / "animations" / "common", dirs_exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
                          cwd=root, env=project_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 passed" in proc.stdout


def test_generated_scene_keeps_the_scene_contract(scaffolded: tuple[Path, list[Path]],
                                                  tmp_path: Path) -> None:
    """Dry-rendered as a module of the real animations package: steps, numbers, length."""
    from manim import tempconfig

    from animations.common.base import StepScene
    from animations.common.style import number_text

    root, _ = scaffolded
    name = "animations._scaffolded_recurrent_networks"
    spec = importlib.util.spec_from_file_location(name, root / "animations" / "recurrent_networks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        cls = module.RecurrentNetworksExample
        assert issubclass(cls, StepScene)
        with tempconfig({"dry_run": True, "quality": "low_quality", "media_dir": str(tmp_path),
                         "disable_caching": True, "verbosity": "WARNING", "progress_bar": "none"}):
            scene = cls(skip_animations=True)
            scene.render()
    finally:
        del sys.modules[name]
    steps, expected = cls.steps(), cls.expected_numbers()
    assert len(steps) == 1 and all(isinstance(s, str) and s.strip() for s in steps)
    assert [index for _, index in scene.step_log] == list(range(len(steps)))
    assert expected and all(math.isfinite(v) for v in expected.values())
    assert scene.numbers.keys() == expected.keys()
    for key, text in scene.numbers.items():
        assert text == number_text(expected[key], digits=scene.number_digits[key])
    assert 8.0 <= scene.renderer.time <= 35.0, f"the scene lasts {scene.renderer.time:.1f} s"


# --- The command and the make target ------------------------------------------------------------


def test_cli_writes_the_chapter_and_reports_a_refusal(book: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DLBOOK_PROJECT", str(book))
    assert cli.main(["chapter", "training", "recurrent-networks", "--title", "Recurrent networks"]) == 0
    out = capsys.readouterr().out
    for path in chapter_files(book, "training", "recurrent-networks").values():
        assert f"wrote {path}" in out
    assert "mkdocs.yml: added" in out
    assert cli.main(["chapter", "training", "recurrent-networks"]) == 1
    assert "dlbook-build chapter: chapter training/recurrent-networks not written" in capsys.readouterr().out
    assert cli.main(["chapter", "training", "Recurrent"]) == 1
    assert "lower-case kebab-case" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_chapter_target() -> None:
    dry = subprocess.run(["make", "-n", "chapter", "PART=training", "NAME=recurrent-networks",
                          "TITLE=Recurrent networks"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    command = '.venv/bin/dlbook-build chapter training recurrent-networks --title "Recurrent networks"'
    assert command in dry.stdout
    plain = subprocess.run(["make", "-n", "chapter", "PART=training", "NAME=rnn"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert ".venv/bin/dlbook-build chapter training rnn\n" in plain.stdout
    usage = subprocess.run(["make", "chapter", "PART=training"], cwd=ROOT, capture_output=True, text=True,
                           timeout=60)
    assert usage.returncode != 0 and "usage: make chapter PART=" in usage.stderr
    helped = subprocess.run(["make", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "make chapter" in helped.stdout
