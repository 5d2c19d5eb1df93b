"""Downloaded notebooks run anywhere: each one from site/notebooks/, copied into an empty folder,
runs top to bottom in a fresh virtualenv holding only the dlbook wheel (and what it
depends on), its figures fetched from the built site served on loopback.

This is what a reader gets from "Download notebook" or Colab: no checkout, no build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, BuiltSite
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

pytestmark = pytest.mark.slow


def run(*cmd: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ROOT)
    (found,) = out.glob("dlbook-*.whl")
    return found


def test_the_wheel_holds_the_library_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    code = [n for n in names if n.endswith(".py")]
    assert code and all(n.startswith("dlbook/") for n in code), code
    assert not any(part in n for n in names for part in ("dlbook_build", "experiments/", "animations/",
                                                          "mkdocs", "tests/"))
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    required = [line.split(":", 1)[1].strip() for line in metadata.splitlines()
                if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert sorted(r.split(">")[0].split("=")[0].strip() for r in required) == ["numpy", "torch", "tqdm"]


@pytest.fixture(scope="module")
def fresh_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A new virtualenv with torch (the pinned CPU wheel), the dlbook wheel with its notebook
    extras, and a Jupyter kernel; returns (python, the folder holding its kernel spec)."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    lock = (ROOT / "requirements.lock").read_text()
    torch_spec = next(line.split(":", 1)[1].strip() for line in lock.splitlines()
                      if line.startswith("# torch:"))
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run(*pip, torch_spec)
    run(*pip, "-c", ROOT / "requirements.lock", f"dlbook[notebooks] @ {wheel.as_uri()}", "ipykernel")
    run(python, "-m", "ipykernel", "install", "--prefix", venv, "--name", "fresh-dlbook")
    return python, venv / "share" / "jupyter"


def notebooks() -> list[str]:
    return sorted(p.relative_to(ROOT / "docs").with_suffix(".ipynb").as_posix()
                  for p in (ROOT / "docs").glob("*/[!_]*.py"))


def test_every_chapter_has_a_published_notebook(built_site: BuiltSite) -> None:
    published = sorted(p.relative_to(built_site.site / "notebooks").as_posix()
                       for p in (built_site.site / "notebooks").rglob("*.ipynb"))
    assert published == notebooks()


@pytest.mark.parametrize("name", notebooks())
def test_a_downloaded_notebook_runs_top_to_bottom(
    name: str, built_site: BuiltSite, base_url: str, fresh_venv: tuple[Path, Path], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    python, jupyter_path = fresh_venv
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter_path))  # where the client finds the kernel spec
    work = tmp_path / "download"
    work.mkdir()
    target = work / Path(name).name
    shutil.copy(built_site.site / "notebooks" / name, target)
    nb = nbformat.read(target, as_version=4)
    setup = nb.cells[0]
    assert "dlbook-setup" in setup.metadata.get("tags", []), "the first cell is the set-up cell"
    assert "pip" in setup.source and 'find_spec("dlbook")' in setup.source
    keep = ("PATH", "HOME", "LANG", "PIP_FIND_LINKS", "PIP_CERT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env |= {"JUPYTER_PATH": str(jupyter_path), "DLBOOK_CACHE": str(tmp_path / "user-cache"),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline", "DLBOOK_DEVICE": "cpu",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    client = NotebookClient(nb, timeout=600, kernel_name="fresh-dlbook",
                            resources={"metadata": {"path": str(work)}})
    try:
        with client.setup_kernel(env=env, cwd=str(work), stderr=subprocess.DEVNULL):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
    except CellExecutionError as err:
        pytest.fail(f"{name}, cell {index}:\n{err}")
    if "use_published" in setup.source:  # the chapter shows frozen figures: they came over loopback
        assert any((tmp_path / "user-cache" / "figures").rglob("figure.png")), name
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
