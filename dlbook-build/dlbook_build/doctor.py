"""`dlbook-build doctor`: what this machine has for building the book, what is missing, and how to get it.

The library's own checks (torch, NumPy, the extras, a GPU) come from :mod:`dlbook.doctor`;
these add MkDocs, Jupyter, Manim and the system tools the build and its tests use, and the
node packages (package.json) of the accessibility test and the site benchmark.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from dlbook import doctor as library
from dlbook.doctor import Check, check_packages, print_checks

# (distribution, import name, what needs it, how to get it)
HOW = "make serve (or pip install -e ./dlbook-build)"
PACKAGES = [
    ("mkdocs", "mkdocs", "building the site", HOW),
    ("mkdocs-material", "material", "building the site", HOW),
    ("mkdocs-jupyter", "mkdocs_jupyter", "building the site", HOW),
    ("mkdocstrings", "mkdocstrings", "building the site", HOW),
    ("jupytext", "jupytext", "building the site", HOW),
    ("nbclient", "nbclient", "executing chapters", HOW),
    ("ipykernel", "ipykernel", "executing chapters", HOW),
    ("pytest", "pytest", "tests", "make test (or pip install -e './dlbook-build[dev]')"),
    ("playwright", "playwright", "the browser test", "pip install -e './dlbook-build[dev]'"),
]

# (command, what needs it, Debian package)
TOOLS = [
    ("chromium", "the browser test", "chromium"),
    ("git", "versioned builds", "git"),
]


def check_tools() -> list[Check]:
    checks = []
    for command, needed_for, package in TOOLS:
        path = shutil.which(command)
        how = f"sudo apt-get install {package}"
        checks.append(Check(command, path is not None, path or how, needed_for))
    return checks


# (npm package, its folder's node_modules/, what needs it, how to install it): package.json and
# benchmarks/package.json pin them
NODE_PACKAGES = [
    ("axe-core", ".", "the accessibility test", "make test (or: scripts/setup.sh node)"),
    ("lighthouse", "benchmarks", "benchmarks/site.py", "make bench (or: scripts/setup.sh node benchmarks)"),
]


def node_root() -> Path:
    """The checkout whose package.json names the node packages: this file's, else the current folder."""
    checkout = Path(__file__).resolve().parents[2]  # dlbook-build/dlbook_build/doctor.py
    return checkout if (checkout / "package.json").is_file() else Path.cwd()


def check_node(root: Path | None = None) -> list[Check]:
    """node and npm (Debian's nodejs and npm), then each of NODE_PACKAGES in root/node_modules."""
    root = node_root() if root is None else root
    needed_for = "the accessibility test, benchmarks/site.py"
    checks = []
    for command, package in (("node", "nodejs"), ("npm", "npm")):
        path = shutil.which(command)
        if path is None:
            checks.append(Check(command, False, f"sudo apt-get install {package}", needed_for))
            continue
        run = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
        version = run.stdout.strip().removeprefix("v")
        checks.append(Check(command, True, f"{version} at {path}" if version else path, needed_for))
    for package, folder, needs, how in NODE_PACKAGES:
        manifest = root / folder / "node_modules" / package / "package.json"
        try:
            version = json.loads(manifest.read_text())["version"]
        except (OSError, ValueError, KeyError):
            checks.append(Check(package, False, how, needs))
        else:
            checks.append(Check(package, True, f"{version} ({folder}/node_modules)", needs))
    return checks


def check_animation_tools() -> list[Check]:
    """What rendering the Manim scenes needs: Manim, PyAV's H.264 encoder, Pango, LaTeX, dvisvgm.

    The site build runs these checks before it renders a scene and stops with their
    advice; `dlbook-build doctor` prints them with the rest.
    """
    needed_for = "animations"
    checks = []
    if importlib.util.find_spec("manim") is None:
        checks.append(Check("manim", False, HOW, needed_for))
    else:
        checks.append(Check("manim", True, importlib.metadata.version("manim"), needed_for))
    try:
        import av

        av.codec.Codec("libx264", "w")
        checks.append(Check("h264 encoder", True, f"PyAV {av.__version__} (libx264)", needed_for))
    except ImportError:
        checks.append(Check("h264 encoder", False, "pip install av (Manim's own dependency)", needed_for))
    except Exception:  # av.codec raises UnknownCodecError, a ValueError, on builds without x264
        how = "a PyAV build with libx264: pip install --force-reinstall av"
        checks.append(Check("h264 encoder", False, how, needed_for))
    try:
        import manimpango

        checks.append(Check("pango", True, f"manimpango {manimpango.__version__}", needed_for))
    except ImportError as err:
        how = "sudo apt-get install libpango1.0-dev, then pip install --force-reinstall manimpango"
        checks.append(Check("pango", False, f"{how} ({err})", needed_for))
    for command, package in (("latex", "texlive-latex-base"), ("dvisvgm", "dvisvgm")):
        path = shutil.which(command)
        checks.append(Check(command, path is not None, path or f"sudo apt-get install {package}", needed_for))
    return checks


def check_standalone() -> Check:
    """Manim's default TeX template uses the ``standalone`` class, which texlive-latex-base lacks.

    Our scenes typeset with ``animations.common.style``'s article template, so this is optional (not
    one of the checks the build requires); a scene written with Manim's default ``MathTex``
    fails without it.
    """
    needed_for = "MathTex's default template (optional)"
    kpsewhich = shutil.which("kpsewhich")
    found = ""
    if kpsewhich is not None:
        run = subprocess.run([kpsewhich, "standalone.cls"], capture_output=True, text=True, check=False)
        found = run.stdout.strip()
    if found:
        return Check("standalone.cls", True, found, needed_for)
    how = "sudo apt-get install texlive-latex-extra, or use animations.common.style's TeX template"
    return Check("standalone.cls", False, how, needed_for)


def report() -> list[Check]:
    return [*library.report(), *check_packages(PACKAGES), *check_tools(), *check_node(),
            *check_animation_tools(), check_standalone()]


def main() -> int:
    """Print one line per check; exit 1 when something the site or tests need is missing."""
    print(f"dlbook-build doctor: Python {platform.python_version()} at {sys.executable}")
    required = {"everything", "building the site", "executing chapters", "animations"}
    if print_checks(report(), required):
        print("Something the site needs is missing: `make serve` installs it all into .venv.")
        return 1
    return 0
