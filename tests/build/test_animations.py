"""The animation pipeline: scene discovery, cache keys, captions, the build, and the real scenes.

Most tests use a throwaway project (``AnimationProject``) with two tiny scenes of its own
and a stand-in ``StepScene``, so they do not wait for the book's scenes. The last tests
check every real scene in ``animations/`` as the built site (480p15) publishes it.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
from dataclasses import astuple
from pathlib import Path
from typing import ClassVar

import pytest
from book_project import HEADER, MiniProject
from conftest import ROOT, BuiltSite

from dlbook_build.animations import (
    EMBED,
    AnimationCache,
    AnimationError,
    Rendered,
    discover_scenes,
    embed,
    scene_key,
)
from dlbook_build.render_scene import MAX_BYTES_PER_SECOND, probe, step_times, webvtt

SUMMARY = re.compile(r"animations rendered: (\d+)(?: \(([^)]*)\))?, from cache: (\d+)")

MKDOCS_YML = """\
site_name: mini
theme:
  name: material
  font: false
plugins:
  - dlbook:
      packages: [minipkg]
      lock_files: []
      animations_dir: animations
  - mkdocs-jupyter:
      execute: false
nav:
  - index.md
  - ch/notes.py
"""

BASE = '''\
"""A stand-in for the book's StepScene: steps in words, a log of when each starts."""
from manim import Scene


class StepScene(Scene):
    STEPS: list[str] = []

    @classmethod
    def steps(cls) -> list[str]:
        return list(cls.STEPS)

    def setup(self) -> None:
        self.step_log: list[tuple[float, int]] = []
        self.numbers: dict[str, str] = {}

    def step(self, index: int) -> None:
        self.step_log.append((self.renderer.time, index))
'''

ALPHA = '''\
from manim import Dot, FadeIn, Square, Create
from minipkg.numbers import SIDE

from .common.base import StepScene


class Alpha(StepScene):
    STEPS = ["A dot appears.", "A square is drawn around it."]

    def construct(self) -> None:
        self.step(0)
        self.play(FadeIn(Dot()), run_time=0.5)
        self.step(1)
        self.play(Create(Square(side_length=SIDE)), run_time=0.5)
        self.numbers["side"] = str(SIDE)
'''

BETA = '''\
from manim import Circle, Create

from animations.common.base import StepScene


class Beta(StepScene):
    STEPS = ["A circle is drawn.", "It stays for a moment."]

    def construct(self) -> None:
        self.step(0)
        self.play(Create(Circle()), run_time=0.5)
        self.step(1)
        self.wait(0.4)


class _Helper:
    pass
'''


def notebook(markdown: str) -> str:
    return "\n".join([HEADER.format(extra=""), "# %% [markdown]\n" + textwrap.indent(markdown, "# "),
                      "# %%\nprint('hello')\n"])


class AnimationProject(MiniProject):
    """A book with one Markdown page, one notebook chapter and two scenes, Alpha and Beta."""

    extra_env: ClassVar[dict[str, str]] = {"DLBOOK_ANIMATION_QUALITY": "low"}

    def __init__(self, root: Path) -> None:
        self.root = root
        self.write("mkdocs.yml", MKDOCS_YML)
        self.write("docs/index.md", '# Mini\n\nAbove.\n\n{{ animation("Alpha") }}\n\nBelow.\n')
        self.write("docs/ch/notes.py", notebook('# Notes\n\n{{ animation("Beta") }}\n'))
        self.write("minipkg/__init__.py", "")
        self.write("minipkg/numbers.py", "SIDE = 1.5\n")
        self.write("minipkg/unused.py", "X = 1\n")
        self.write("animations/__init__.py", "")
        self.write("animations/common/__init__.py", "")
        self.write("animations/common/base.py", BASE)
        self.write("animations/common/style.py", "COLOR = 'white'\n")
        self.write("animations/alpha.py", ALPHA)
        self.write("animations/beta.py", BETA)

    def keys(self, *, quality: str = "low", manim: str = "0.22.0") -> dict[str, str]:
        folder = self.root / "animations"
        roots = {"minipkg": self.root / "minipkg", "animations": folder}
        return {
            name: scene_key(spec, roots=roots, quality=quality, manim=manim).digest
            for name, spec in discover_scenes(folder).items()
        }


def counts(output: str) -> tuple[list[str], int]:
    """(names of the scenes rendered, number from the cache) from the build's summary line."""
    match = SUMMARY.search(output)
    assert match, f"no animation summary line in the build output:\n{output}"
    rendered = [part.split()[0] for part in (match[2] or "").split(", ") if part]
    assert len(rendered) == int(match[1]), output
    return rendered, int(match[3])


# --- Discovery and keys ---------------------------------------------------------------


def test_discovery_finds_scenes_and_skips_helpers(tmp_path: Path) -> None:
    project = AnimationProject(tmp_path)
    project.append("animations/beta.py", "\n\nclass BetaSlow(Beta):\n    pass\n")
    # a shared intermediate class: its subclasses are scenes, it is not
    project.write("animations/common/shared.py",
                  "from .base import StepScene\n\n\nclass Two(StepScene):\n    pass\n")
    project.write("animations/gamma.py", "from .common.shared import Two\n\n\nclass Gamma(Two):\n    pass\n")
    scenes = discover_scenes(tmp_path / "animations")
    assert list(scenes) == ["Alpha", "Beta", "BetaSlow", "Gamma"]
    assert scenes["Alpha"].module == "animations.alpha"
    project.append("animations/alpha.py", "\n\nclass Beta(StepScene):\n    pass\n")
    with pytest.raises(AnimationError, match="two scenes are named 'Beta'"):
        discover_scenes(tmp_path / "animations")


def test_key_changes_exactly_when_its_inputs_change(tmp_path: Path) -> None:
    project = AnimationProject(tmp_path)
    before = project.keys()
    assert before == project.keys()  # stable

    # editing prose, an unused module, or another tree changes nothing
    project.write("docs/index.md", "# Mini, edited\n")
    project.append("minipkg/unused.py", "Y = 2\n")
    assert project.keys() == before

    # the scene's own source: only that scene
    project.append("animations/beta.py", "\n# edited\n")
    after = project.keys()
    assert after["Beta"] != before["Beta"] and after["Alpha"] == before["Alpha"]

    # a module the scene imports (minipkg.numbers, from Alpha only)
    before = after
    project.write("minipkg/numbers.py", "SIDE = 2.0\n")
    after = project.keys()
    assert after["Alpha"] != before["Alpha"] and after["Beta"] == before["Beta"]

    # shared scene code that no scene imports (style.py here): no scene
    before = after
    project.append("animations/common/style.py", "ACCENT = 'orange'\n")
    assert project.keys() == before

    # shared scene code that every scene imports (base.py): all scenes
    project.append("animations/common/base.py", "# edited\n")
    after = project.keys()
    assert all(after[n] != before[n] for n in before)

    # the Manim version and the quality
    assert all(project.keys(manim="0.23.0")[n] != after[n] for n in after)
    assert all(project.keys(quality="medium")[n] != after[n] for n in after)
    with pytest.raises(AnimationError, match="quality must be one of"):
        project.keys(quality="ultra")


# --- Captions --------------------------------------------------------------------------


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    """A strict reader for the WebVTT we write: header, then blocks of id, timing, text."""
    lines = text.split("\n")
    assert lines[0] == "WEBVTT", f"a WebVTT file starts with 'WEBVTT', got {lines[0]!r}"
    assert lines[1] == ""
    timing = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$")
    cues = []
    for block in "\n".join(lines[2:]).strip().split("\n\n"):
        if not block:
            continue
        ident, times, *body = block.split("\n")
        assert "-->" not in ident, block
        match = timing.match(times)
        assert match, f"bad cue timing {times!r}"
        g = [int(x) for x in match.groups()]
        start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
        end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
        assert body and all(body), f"cue {ident} has no text"
        cues.append((start, end, " ".join(body)))
    return cues


def check_cues(cues: list[tuple[float, float, str]], duration: float) -> None:
    assert cues, "no cues"
    for (s1, e1, _), (s2, _, _) in zip(cues, cues[1:], strict=False):
        assert s1 < e1 <= s2 + 1e-3, cues
    assert cues[0][0] >= 0 and cues[-1][1] <= duration + 1e-3, (cues, duration)


def test_webvtt_cues_follow_the_step_log() -> None:
    steps = ["First <b> & co.", "Second,\nover two lines", "Third"]
    text = webvtt(steps, [(0.0, 0), (1.5, 1), (1.5, 2), (3.25, 1)], duration=4.0)
    cues = parse_vtt(text)
    assert cues == [
        (0.0, 1.5, "First &lt;b&gt; &amp; co."),
        (1.5, 3.25, "Third"),  # step 1's first cue lasted no time: left out
        (3.25, 4.0, "Second, over two lines"),
    ]
    check_cues(cues, 4.0)
    assert step_times(steps, [(0.0, 0)], 61.5)[0]["end"] == 61.5
    assert "00:01:01.500" in webvtt(steps, [(0.0, 0)], 61.5)


@pytest.mark.parametrize(
    ("log", "duration", "message"),
    [([(0.0, 3)], 2.0, "names step 3"), ([(1.0, 0), (0.5, 1)], 2.0, "must rise"),
     ([(0.0, 0), (3.0, 1)], 2.0, "must rise"), ([(0.0, 0)], 0.0, "positive duration")],
)
def test_webvtt_rejects_bad_logs(log: list[tuple[float, int]], duration: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        webvtt(["a", "b"], log, duration)


# --- Embedding ---------------------------------------------------------------------------


def fake_rendered(name: str = "ForwardPass") -> Rendered:
    meta = {"scene": name, "width": 854, "height": 480, "duration": 12.0,
            "steps": [{"index": 0, "text": "Inputs <in>", "start": 0.0, "end": 12.0}],
            "files": {k: f"{name}.{e}" for k, e in
                      (("video", "mp4"), ("poster", "png"), ("captions", "vtt"), ("sidecar", "json"))}}
    return Rendered(Path("/nowhere"), meta)


@pytest.mark.parametrize("quote", ['"', "&quot;", "'", "&#39;"])
def test_embed_makes_a_figure_with_relative_urls(quote: str) -> None:
    html = f"<h1>T</h1>\n<p>{{{{ animation({quote}ForwardPass{quote}) }}}}</p>\n<p>after</p>"
    from mkdocs.utils import get_relative_url

    out, used = embed(html, {"ForwardPass": fake_rendered()}, page="docs/a/b.py",
                      url=lambda p: get_relative_url(p, "a/b/"))
    assert used == ["ForwardPass"]
    assert '<video class="dlbook-animation-video" controls preload="none"' in out
    # poster and captions are set by animations.js near the screen, not fetched with the page
    assert 'data-poster="../../assets/animations/ForwardPass.png"' in out and " poster=" not in out
    assert '<source src="../../assets/animations/ForwardPass.mp4" type="video/mp4">' in out
    assert 'src="../../assets/animations/ForwardPass.vtt">' in out and " default" not in out
    assert "<li " in out and "Inputs &lt;in&gt;" in out and "<p>after</p>" in out
    assert not EMBED.search(out)
    twice, _ = embed(html + html, {"ForwardPass": fake_rendered()}, page="docs/a/b.py", url=lambda p: p)
    assert 'id="animation-forwardpass"' in twice and 'id="animation-forwardpass-2"' in twice
    # without directory URLs the page is a/b.html: one level up
    out, _ = embed(html, {"ForwardPass": fake_rendered()}, page="docs/a/b.py",
                   url=lambda p: get_relative_url(p, "a/b.html"))
    assert 'src="../assets/animations/ForwardPass.mp4"' in out


def test_embed_unknown_name_names_the_page_and_the_scenes() -> None:
    with pytest.raises(AnimationError, match=r"docs/x\.md: no animation named 'Nope'.*ForwardPass"):
        embed('<p>{{ animation("Nope") }}</p>', {"ForwardPass": fake_rendered()}, page="docs/x.md",
              url=lambda p: p)
    # only a paragraph of its own is an embedding; code showing the syntax stays as it is
    text = '<p>Write <code>{{ animation("Nope") }}</code> on a line.</p>'
    assert embed(text, {}, page="docs/x.md", url=lambda p: p) == (text, [])


# --- Whole builds of the throwaway project ---------------------------------------------


@pytest.mark.slow
def test_build_renders_caches_and_rerenders_only_the_edited_scene(tmp_path: Path) -> None:
    project = AnimationProject(tmp_path)
    code, output = astuple(project.build())
    assert code == 0, output
    rendered, cached = counts(output)
    assert sorted(rendered) == ["Alpha", "Beta"] and cached == 0

    site = tmp_path / "site"
    for name in ("Alpha", "Beta"):
        for ext in ("mp4", "webp", "vtt", "json"):
            assert (site / "assets/animations" / f"{name}.{ext}").is_file(), (name, ext)
        meta = json.loads((site / "assets/animations" / f"{name}.json").read_text())
        assert (meta["quality"], meta["height"], meta["fps"]) == ("low", 480, 15)
        check_cues(parse_vtt((site / f"assets/animations/{name}.vtt").read_text()), meta["duration"])
    index = (site / "index.html").read_text()
    assert 'src="assets/animations/Alpha.mp4"' in index and "A square is drawn around it." in index
    chapter = (site / "ch/notes/index.html").read_text()
    assert 'src="../../assets/animations/Beta.mp4"' in chapter and "{{" not in chapter
    assert json.loads((site / "assets/animations/Alpha.json").read_text())["numbers"] == {"side": "1.5"}

    code, output = astuple(project.build())
    assert code == 0, output
    assert counts(output) == ([], 2)

    project.append("animations/beta.py", "\n# an edit to Beta only\n")
    code, output = astuple(project.build())
    assert code == 0, output
    assert counts(output) == (["Beta"], 1)

    # a scene that fails leaves the cache as it was and names itself
    entries = sorted(p.name for p in (tmp_path / ".cache/dlbook/animations").iterdir())
    project.write("animations/broken.py", "from .common.base import StepScene\n\n\nclass Broken(StepScene):\n"
                  "    def construct(self) -> None:\n        raise RuntimeError('drawn wrong')\n")
    code, output = astuple(project.build())
    assert code != 0 and "Broken (broken.py) failed to render" in output and "drawn wrong" in output
    assert sorted(p.name for p in (tmp_path / ".cache/dlbook/animations").iterdir()) == entries


@pytest.mark.slow
def test_unknown_scene_fails_the_build(tmp_path: Path) -> None:
    project = AnimationProject(tmp_path)
    project.write("docs/index.md", '# Mini\n\n{{ animation("Gamma") }}\n')
    code, output = astuple(project.build())
    assert code != 0
    assert "docs/index.md: no animation named 'Gamma'; the known scenes are: Alpha, Beta" in output


def test_cache_ignores_an_incomplete_entry(tmp_path: Path) -> None:
    AnimationProject(tmp_path)
    key = scene_key(discover_scenes(tmp_path / "animations")["Alpha"],
                    roots={"animations": tmp_path / "animations"}, quality="low", manim="x")
    cache = AnimationCache(tmp_path / "cache")
    folder = cache.folder("Alpha", key.digest)
    folder.mkdir(parents=True)
    (folder / "Alpha.json").write_text(json.dumps({"key": key.digest, "files": {"video": "Alpha.mp4"}}))
    assert cache.get("Alpha", key) is None  # the video is missing
    (folder / "Alpha.mp4").write_bytes(b"")
    assert cache.get("Alpha", key) is not None


# --- The book's own scenes, as the built site (480p15) publishes them -------------------


def book_scenes() -> list[str]:
    folder = ROOT / "animations"
    return list(discover_scenes(folder)) if (folder / "__init__.py").is_file() else []


@pytest.mark.slow
def test_every_real_scene_is_rendered_and_within_budget(built_site: BuiltSite) -> None:
    names = book_scenes()
    assert names, "no scenes found in animations/"
    rendered, cached = counts(built_site.output)
    assert sorted(rendered) == sorted(names) and cached == 0, built_site.output
    folder = built_site.site / "assets/animations"
    for name in names:
        meta = json.loads((folder / f"{name}.json").read_text())
        video = folder / f"{name}.mp4"
        info = probe(video)
        assert (info.codec, info.pix_fmt) == ("h264", "yuv420p"), (name, info)
        assert (info.width, info.height, meta["fps"]) == (854, 480, 15), (name, info)
        assert abs(info.duration - meta["duration"]) <= 2 / meta["fps"], (name, info, meta["duration"])
        assert video.stat().st_size / meta["duration"] <= MAX_BYTES_PER_SECOND, (name, info)
        data = video.read_bytes()
        assert 0 < data.find(b"moov") < data.find(b"mdat"), f"{name}.mp4 is not faststart"
        cues = parse_vtt((folder / f"{name}.vtt").read_text())
        check_cues(cues, meta["duration"])
        assert [c[2] for c in cues] == [html.escape(" ".join(s["text"].split()), quote=False)
                                        for s in meta["steps"]]
        assert (folder / f"{name}.webp").stat().st_size < 100_000


def test_missing_system_tools_name_the_package_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dlbook_build.doctor
    from dlbook_build import animations

    real_which = dlbook_build.doctor.shutil.which
    monkeypatch.setattr(dlbook_build.doctor.shutil, "which",
                        lambda cmd: None if cmd in ("latex", "dvisvgm") else real_which(cmd))
    missing = animations.missing_tools()
    assert any("sudo apt-get install texlive-latex-base" in m for m in missing), missing
    assert any("sudo apt-get install dvisvgm" in m for m in missing), missing

    AnimationProject(tmp_path)
    folder = tmp_path / "animations"
    with pytest.raises(AnimationError, match="texlive-latex-base"):
        animations.build(folder, roots={"animations": folder}, cache=AnimationCache(tmp_path / "c"),
                         quality="low", log=lambda _: None)


def test_doctor_reports_the_optional_standalone_class(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without kpsewhich (no TeX at all) the optional check fails with advice, and the build's
    own list of missing tools stays free of it."""
    import dlbook_build.doctor
    from dlbook_build import animations

    real_which = dlbook_build.doctor.shutil.which
    monkeypatch.setattr(dlbook_build.doctor.shutil, "which",
                        lambda cmd: None if cmd == "kpsewhich" else real_which(cmd))
    check = dlbook_build.doctor.check_standalone()
    assert not check.ok and "texlive-latex-extra" in check.detail
    assert check in dlbook_build.doctor.report()
    assert not any("standalone" in m for m in animations.missing_tools())


def test_a_video_over_budget_is_encoded_again_until_it_fits(tmp_path: Path) -> None:
    import av
    import numpy as np

    from dlbook_build.render_scene import fit_budget

    raw = tmp_path / "raw.mp4"
    rng = np.random.default_rng(0)
    with av.open(str(raw), "w") as out:  # 2 s of drifting texture, encoded near-losslessly
        stream = out.add_stream("libx264", rate=15, options={"crf": "5"})
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        texture = rng.integers(0, 256, (240, 400, 3), dtype=np.uint8)
        for i in range(30):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(texture[:, i:i + 320]), format="rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    copied, crf = fit_budget(raw, tmp_path / "copy.mp4", fps=15, budget=10**9)
    assert crf is None and copied.codec == "h264"
    budget = copied.bytes_per_second / 4
    fitted, crf = fit_budget(raw, tmp_path / "fit.mp4", fps=15, budget=budget)
    assert crf is not None and fitted.bytes_per_second <= budget, (crf, fitted)
    assert (fitted.codec, fitted.pix_fmt, fitted.frames) == ("h264", "yuv420p", 30)
    with pytest.raises(RuntimeError, match="the budget is"):
        fit_budget(raw, tmp_path / "never.mp4", fps=15, budget=1)
