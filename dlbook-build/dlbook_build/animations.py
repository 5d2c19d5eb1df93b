"""Manim animations in the site build: find the scenes, key them, render the stale ones, embed them.

The scenes live in ``animations/`` (a package at the project root), one module per
chapter, named for it (``animations/backpropagation.py`` holds the scenes of
``docs/training/backpropagation.py``). Shared code lives in ``animations/common/``;
which is which follows from where a file lives, not from a list of names. A scene is a
class of a chapter module that subclasses ``StepScene`` (directly or through another
scene).

A scene's cache key is a hash over what can change its video:

    key = sha256(scene name, the scene module and every tracked module it imports
                 (animations.* and dlbook.*, transitively, by the one rule of
                 dlbook_build.deps.fingerprint), the renderer (render_scene.py),
                 the Manim version, the quality tier)

Each scene renders in its own process (``python -m dlbook_build.render_scene``) into a
temporary folder that is renamed into ``<cache>/animations/<Scene>-<key>/`` only when
complete, so a render killed half-way leaves the cache as it was. A page embeds a scene
with a paragraph of its own, ``{{ animation("ForwardPass") }}``, which ``embed`` turns
into a ``<figure>``: the video with captions, its poster, and the steps as a transcript.
"""

from __future__ import annotations

import ast
import hashlib
import html
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlbook_build.deps import fingerprint
from dlbook_build.render_scene import QUALITIES

COMMON = "common"  # the sub-package of shared scene code (base, style, objects, ...)
SCENE_BASE = "StepScene"
RENDERER = Path(__file__).with_name("render_scene.py")
SITE_DIR = "assets/animations"  # where the site publishes the rendered files

# a paragraph that is exactly {{ animation("Name") }} (quotes may arrive as entities)
_Q = r"(?:\"|'|&quot;|&#34;|&#x27;|&#39;|“|”)"
EMBED = re.compile(
    r"<p>\s*\{\{\s*animation\(\s*" + _Q + r"([^\"'&<>]*?)" + _Q + r"\s*\)\s*\}\}\s*</p>"
)


class AnimationError(Exception):
    """A scene that cannot be found, keyed or rendered; the message says which and why."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Finding the scenes ----------------------------------------------------------------


@dataclass(frozen=True)
class SceneSpec:
    name: str  # the class name, e.g. "ForwardPass"
    module: str  # e.g. "animations.forward_pass"
    path: Path  # the scene module's file


def scene_modules(folder: Path) -> list[Path]:
    """The chapter modules of an animations package: its ``*.py`` but ``__init__`` and ``_*``."""
    return sorted(p for p in folder.glob("*.py") if not p.stem.startswith("_"))


def shared_modules(folder: Path) -> list[Path]:
    """The shared scene code of ``folder/common/`` (where scenes' base classes may live)."""
    return sorted((folder / COMMON).glob("*.py"))


def _base_names(node: ast.ClassDef) -> list[str]:
    names = []
    for base in node.bases:
        if isinstance(base, ast.Name):
            names.append(base.id)
        elif isinstance(base, ast.Attribute):
            names.append(base.attr)
    return names


def discover_scenes(folder: Path) -> dict[str, SceneSpec]:
    """Every scene in the scene modules of ``folder``, by class name, read without importing.

    A class is a scene if it is defined in a scene module, its name does not start with
    ``_``, and it subclasses ``StepScene``, directly or through other classes of the
    package (a shared ``TwoLayerScene(StepScene)`` in ``common/two_layer.py``, say). Two scenes
    with one name are an error (pages embed by name).
    """
    if not (folder / "__init__.py").is_file():
        raise AnimationError(f"{folder} must be a Python package (an __init__.py next to the scenes)")
    modules = scene_modules(folder)
    classes: list[tuple[str, list[str], Path]] = []
    for path in [*modules, *shared_modules(folder)]:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as err:
            raise AnimationError(f"{path}: not valid Python: {err}") from err
        classes += [(n.name, _base_names(n), path) for n in tree.body if isinstance(n, ast.ClassDef)]
    scene_names = {SCENE_BASE}
    changed = True
    while changed:  # a variant may subclass a scene defined further down or in another module
        changed = False
        for name, bases, _ in classes:
            if name not in scene_names and scene_names.intersection(bases):
                scene_names.add(name)
                changed = True
    found: dict[str, SceneSpec] = {}
    for name, _, path in classes:
        if name not in scene_names or name.startswith("_") or path not in modules:
            continue
        if name in found:
            raise AnimationError(
                f"two scenes are named {name!r}: in {found[name].path.name} and {path.name}; "
                "pages embed scenes by name, so rename one"
            )
        found[name] = SceneSpec(name=name, module=f"{folder.name}.{path.stem}", path=path)
    return dict(sorted(found.items()))


# --- Keys ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SceneKey:
    digest: str
    modules: dict[str, str] = field(default_factory=dict)  # module -> sha256 of its source
    parts: dict[str, str] = field(default_factory=dict)


def manim_version() -> str:
    try:
        return importlib.metadata.version("manim")
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def scene_key(scene: SceneSpec, *, roots: dict[str, Path], quality: str, manim: str) -> SceneKey:
    """Hash everything that can change the video of ``scene``.

    ``roots`` maps package names to folders whose modules count (``{"dlbook": ...,
    "animations": ...}``); the scene module is the start of the import walk, so what it
    imports (shared scene code, dlbook) counts, and nothing else.
    """
    if quality not in QUALITIES:
        raise AnimationError(f"quality must be one of {', '.join(QUALITIES)}, got {quality!r}")
    modules = fingerprint([f"import {scene.module}"], roots)
    if scene.module not in modules:
        raise AnimationError(f"{scene.module} is not under the tracked roots {sorted(roots)}")
    q = QUALITIES[quality]
    parts = {
        "scene": scene.name,
        "quality": f"{q.name} {q.width}x{q.height}@{q.fps}",
        "manim": manim,
        "renderer": _sha256(RENDERER.read_bytes()),
    }
    blob = json.dumps({"parts": parts, "modules": modules}, sort_keys=True).encode()
    return SceneKey(digest=_sha256(blob), modules=modules, parts=parts)


# --- The cache -------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """One scene's files in the cache and its sidecar."""

    folder: Path
    meta: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.meta["scene"])

    def files(self) -> list[Path]:
        return [self.folder / name for name in self.meta["files"].values()]


class AnimationCache:
    """Rendered scenes under ``root/animations/<Scene>-<key>/``, each folder complete or absent."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root) / "animations"

    def folder(self, scene: str, key: str) -> Path:
        return self.root / f"{scene}-{key[:20]}"

    def get(self, scene: str, key: SceneKey) -> Rendered | None:
        folder = self.folder(scene, key.digest)
        try:
            meta = json.loads((folder / f"{scene}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("key") != key.digest or not all((folder / n).is_file() for n in meta["files"].values()):
            return None
        return Rendered(folder, meta)

    def put(self, scene: str, key: SceneKey, tmp: Path) -> Rendered:
        """Move a finished render from ``tmp`` into place (one rename), then prune old ones."""
        sidecar = tmp / f"{scene}.json"
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        meta.update(key=key.digest, modules=key.modules, parts=key.parts)
        sidecar.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        target = self.folder(scene, key.digest)
        done = self.get(scene, key)
        if done is not None:  # another build rendered the same scene meanwhile: keep that
            return done
        if target.exists():  # an entry that does not read back (its sidecar lost, say)
            shutil.rmtree(target)
        try:
            os.replace(tmp, target)
        except OSError:  # lost a race with another build; fine if that one is complete
            done = self.get(scene, key)
            if done is None:
                raise
            return done
        self.prune(scene, keep=target)
        return Rendered(target, meta)

    def tmp(self, scene: str) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        for old in self.root.glob(f".tmp-{scene}-*"):  # left by a killed build
            if time.time() - old.stat().st_mtime > 3600:
                shutil.rmtree(old, ignore_errors=True)
        folder = self.root / f".tmp-{scene}-{os.getpid()}-{time.monotonic_ns()}"
        folder.mkdir()
        return folder

    def prune(self, scene: str, *, keep: Path, limit: int = 3) -> None:
        """Keep the ``limit`` newest renders of ``scene`` (always ``keep``)."""
        others = [p for p in self.root.glob(f"{scene}-*") if p != keep and p.is_dir()
                  and p.name.count("-") == scene.count("-") + 1]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[limit - 1:]:
            shutil.rmtree(old, ignore_errors=True)


# --- Rendering -------------------------------------------------------------------------


def missing_tools() -> list[str]:
    """What rendering needs and this machine lacks, each with what to install."""
    from dlbook_build.doctor import check_animation_tools

    return [f"{c.name} ({c.detail})" for c in check_animation_tools() if not c.ok]


def render_scene(
    scene: SceneSpec, key: SceneKey, *, quality: str, cache: AnimationCache, cwd: Path,
    timeout: float = 600,
) -> tuple[Rendered, float]:
    """Render one scene in a subprocess into the cache; return it and the seconds taken."""
    tmp = cache.tmp(scene.name)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(cwd), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [sys.executable, "-m", "dlbook_build.render_scene", "--module", scene.module,
               "--scene", scene.name, "--quality", quality, "--out", str(tmp)]
    start = time.perf_counter()
    try:
        proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-40:])
            raise AnimationError(f"{scene.name} ({scene.path.name}) failed to render:\n{tail}")
        return cache.put(scene.name, key, tmp), time.perf_counter() - start
    except subprocess.TimeoutExpired as err:
        raise AnimationError(f"{scene.name} ({scene.path.name}) took longer than {timeout:.0f} s") from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class Build:
    scenes: dict[str, Rendered]
    rendered: dict[str, float]  # scene -> seconds, for those rendered now
    cached: list[str]

    def summary(self, quality: str) -> str:
        q = QUALITIES[quality]
        done = ", ".join(f"{name} {s:.1f} s" for name, s in self.rendered.items())
        return (
            f"dlbook: animations rendered: {len(self.rendered)}{f' ({done})' if done else ''}, "
            f"from cache: {len(self.cached)} [{q.name} {q.width}x{q.height}@{q.fps}]"
        )


def build(
    folder: Path, *, roots: dict[str, Path], cache: AnimationCache, quality: str, jobs: int = 2,
    timeout: float = 600, log: Callable[[str], None] = print,
) -> Build:
    """Render the stale scenes of ``folder`` (``jobs`` at a time) and collect all of them."""
    scenes = discover_scenes(folder)
    manim = manim_version()
    keys = {name: scene_key(s, roots=roots, quality=quality, manim=manim)
            for name, s in scenes.items()}
    found: dict[str, Rendered] = {}
    stale = []
    for name in scenes:
        hit = cache.get(name, keys[name])
        if hit is None:
            stale.append(name)
        else:
            found[name] = hit
    rendered: dict[str, float] = {}
    if stale:
        missing = missing_tools()
        if missing:
            raise AnimationError(
                "rendering animations needs what this machine lacks:\n  " + "\n  ".join(missing)
            )
        log(f"dlbook: rendering {len(stale)} animation(s) [{quality}]: {', '.join(stale)}")
        errors = []
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {
                name: pool.submit(render_scene, scenes[name], keys[name], quality=quality,
                                  cache=cache, cwd=folder.parent, timeout=timeout)
                for name in stale
            }
            for name, future in futures.items():
                try:
                    found[name], rendered[name] = future.result()
                except AnimationError as err:
                    errors.append(str(err))
        if errors:
            raise AnimationError("\n\n".join(errors))
    return Build(scenes=dict(sorted(found.items())), rendered=rendered,
                 cached=[n for n in scenes if n not in rendered])


# --- Embedding -------------------------------------------------------------------------


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


def figure_html(item: Rendered, *, url: Callable[[str], str], copy: int = 1) -> str:
    """The ``<figure>`` that shows one scene: video (with captions) or, for readers who ask
    for reduced motion, the poster; and the steps as a transcript under it.

    The video's poster (``data-poster``) and its captions are set by ``animations.js`` when
    the figure comes near the screen: as attributes they were fetched with the page, screens
    before a reader reaches the video. Without scripts the poster shows as an image above it.

    ``url`` turns a path under the site root into a URL relative to the page; ``copy``
    numbers a second (third, ...) embedding of one scene on a page, to keep ids unique.
    """
    meta = item.meta
    name = html.escape(item.name)
    files = {kind: url(f"{SITE_DIR}/{file}") for kind, file in meta["files"].items()}
    w, h = int(meta["width"]), int(meta["height"])
    anchor = f"animation-{re.sub(r'[^a-z0-9]+', '-', item.name.lower()).strip('-')}"
    anchor += f"-{copy}" if copy > 1 else ""
    items = "\n".join(
        f'<li data-start="{s["start"]}" data-end="{s["end"]}">'
        f'<span class="dlbook-animation-time">{_clock(s["start"])}</span> {html.escape(s["text"])}</li>'
        for s in meta["steps"]
    )
    return (
        f'<figure class="dlbook-animation" id="{anchor}" data-scene="{name}">\n'
        f'<video class="dlbook-animation-video" controls preload="none" playsinline '
        f'data-poster="{files["poster"]}" width="{w}" height="{h}" style="max-width:100%;height:auto" '
        f'aria-label="Animation: {name}" aria-describedby="{anchor}-steps">\n'
        f'<source src="{files["video"]}" type="video/mp4">\n'
        f'<track kind="captions" srclang="en" label="English" src="{files["captions"]}">\n'
        f"</video>\n"
        f'<img class="dlbook-animation-poster" src="{files["poster"]}" width="{w}" height="{h}" '
        f'style="max-width:100%;height:auto" loading="lazy" '
        f'alt="The animation {name}, at its last step; the steps are listed below.">\n'
        f'<figcaption class="dlbook-animation-transcript">\n'
        f'<span class="dlbook-animation-title">Animation, {_clock(float(meta["duration"]))}: '
        f"what happens, step by step</span>\n"
        f'<ol id="{anchor}-steps">\n{items}\n</ol>\n'
        f"</figcaption>\n</figure>"
    )


def embed(
    page_html: str, scenes: dict[str, Rendered], *, page: str, url: Callable[[str], str]
) -> tuple[str, list[str]]:
    """Replace each ``{{ animation("Name") }}`` paragraph of a page; return the HTML and
    the scenes used. An unknown name fails, naming the page and the known scenes."""
    used: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = html.unescape(match.group(1)).strip()
        if name not in scenes:
            known = ", ".join(scenes) or "none (is animations_dir set in mkdocs.yml?)"
            raise AnimationError(f"{page}: no animation named {name!r}; the known scenes are: {known}")
        used.append(name)
        return figure_html(scenes[name], url=url, copy=used.count(name))

    return EMBED.sub(replace, page_html), used
