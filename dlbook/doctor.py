"""`dlbook doctor`: what this machine has for dlbook, what is missing, and how to get it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # a version or path when ok, else how to get it
    needed_for: str


# (distribution, import name, what needs it, how to get it)
PACKAGES = [
    ("torch", "torch", "everything", "pip install torch"),
    ("numpy", "numpy", "everything", "pip install numpy"),
    ("matplotlib", "matplotlib", "figures", "pip install 'dlbook[plot]'"),
    ("mkdocs", "mkdocs", "building the site", "make serve (or pip install 'dlbook[site]')"),
    ("mkdocs-material", "material", "building the site", "pip install 'dlbook[site]'"),
    ("mkdocs-jupyter", "mkdocs_jupyter", "building the site", "pip install 'dlbook[site]'"),
    ("jupytext", "jupytext", "building the site", "pip install 'dlbook[site]'"),
    ("nbclient", "nbclient", "executing chapters", "pip install 'dlbook[site]'"),
    ("ipykernel", "ipykernel", "executing chapters", "pip install 'dlbook[site]'"),
    ("pytest", "pytest", "tests", "make test (or pip install 'dlbook[dev]')"),
    ("playwright", "playwright", "the browser test", "pip install 'dlbook[dev]'"),
]

# (command, what needs it, Debian package)
TOOLS = [
    ("chromium", "the browser test", "chromium"),
    ("git", "versioned builds", "git"),
]


def check_packages() -> list[Check]:
    checks = []
    for dist, module, needed_for, how in PACKAGES:
        if importlib.util.find_spec(module) is None:
            checks.append(Check(dist, False, how, needed_for))
            continue
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "installed"
        checks.append(Check(dist, True, version, needed_for))
    return checks


def check_tools() -> list[Check]:
    checks = []
    for command, needed_for, package in TOOLS:
        path = shutil.which(command)
        how = f"sudo apt-get install {package}"
        checks.append(Check(command, path is not None, path or how, needed_for))
    return checks


def check_animation_tools() -> list[Check]:
    """What rendering the Manim scenes needs: Manim, PyAV's H.264 encoder, Pango, LaTeX, dvisvgm.

    The site build runs these checks before it renders a scene and stops with their
    advice; `dlbook doctor` prints them with the rest.
    """
    needed_for = "animations"
    checks = []
    if importlib.util.find_spec("manim") is None:
        checks.append(Check("manim", False, "pip install 'dlbook[animations]'", needed_for))
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

    Our scenes typeset with ``animations.style``'s article template, so this is optional (not
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
    how = "sudo apt-get install texlive-latex-extra, or use animations.style's TeX template"
    return Check("standalone.cls", False, how, needed_for)


def check_gpu() -> Check:
    if importlib.util.find_spec("torch") is None:
        return Check("gpu", False, "torch is not installed", "fast training (optional)")
    import torch

    if torch.cuda.is_available():
        return Check("gpu", True, f"cuda: {torch.cuda.get_device_name(0)}", "fast training (optional)")
    if torch.backends.mps.is_available():
        return Check("gpu", True, "mps (Apple silicon)", "fast training (optional)")
    smi = shutil.which("nvidia-smi")
    hint = "a driver is present but torch is a CPU build" if smi else "none found; the CPU is used"
    return Check("gpu", False, hint, "fast training (optional)")


def report() -> list[Check]:
    return [*check_packages(), *check_tools(), *check_animation_tools(), check_standalone(), check_gpu()]


def main() -> int:
    """Print one line per check; exit 1 when something the site or tests need is missing."""
    print(f"dlbook doctor: Python {platform.python_version()} at {sys.executable}")
    required = {"everything", "building the site", "executing chapters", "animations"}
    missing_required = False
    for check in report():
        mark = "ok " if check.ok else "-- "
        print(f"  {mark}{check.name:<16} {check.detail:<48} ({check.needed_for})")
        missing_required |= not check.ok and check.needed_for in required
    if missing_required:
        print("Something the site needs is missing: `make serve` installs it all into .venv.")
    return 1 if missing_required else 0
