"""Render one Manim scene into a folder: MP4, poster, WebVTT captions and a JSON sidecar.

Run by the site build (dlbook_build/animations.py), one process per scene, as

    python -m dlbook_build.render_scene --module animations.neural_networks \\
        --scene ForwardPass --quality medium --out <empty folder>

from the project root, so that ``animations`` and ``dlbook`` import from there. The
folder receives ``<Scene>.mp4`` (H.264, yuv420p, moov atom first so playback starts
before the download ends), ``<Scene>.webp`` (a representative frame; lossy WebP is a
fifth of a PNG's size), ``<Scene>.vtt`` (one caption per step of ``Scene.steps()``,
timed by ``scene.step_log``) and ``<Scene>.json`` (duration, steps with their times,
quality, sizes). The caller renames the folder into the cache only once this process
has exited cleanly.

The functions above ``main`` import nothing heavy, so the tests can use them directly.
This file's source is part of every scene's cache key: an edit here re-renders them all.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

MAX_BYTES_PER_SECOND = 40_000  # the budget: 40 KB per second of video
CRF_LADDER = (23, 27, 31, 35, 39)  # x264 quality steps tried, best first, until a video fits
# x264's rate cap (VBV) while Manim encodes: the bitrate may not average above 85% of the
# budget over any 2 s, so a busy scene fits the first time instead of being encoded again
MAXRATE_KBIT = int(MAX_BYTES_PER_SECOND * 8 * 0.85 / 1000)


@dataclass(frozen=True)
class Quality:
    name: str
    width: int
    height: int
    fps: int


QUALITIES = {
    "low": Quality("low", 854, 480, 15),  # the tests
    "medium": Quality("medium", 1280, 720, 30),  # `make site`
}


# --- Captions ----------------------------------------------------------------------


def _timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def step_times(
    steps: Sequence[str], step_log: Sequence[tuple[float, int]], duration: float
) -> list[dict[str, Any]]:
    """The steps as shown: ``[{"index", "text", "start", "end"}]`` in order of time.

    Each logged step lasts from its start until the next one starts; the last lasts to
    ``duration``. A step whose time is zero long (two logged at the same instant) is left
    out. Bad logs fail here, naming what was expected.
    """
    if not math.isfinite(duration) or duration <= 0:
        raise ValueError(f"step_times expects a positive duration, got {duration!r}")
    previous = 0.0
    for start, index in step_log:
        if not isinstance(index, int) or not 0 <= index < len(steps):
            raise ValueError(
                f"step_log names step {index!r}, but steps() has {len(steps)} steps (0..{len(steps) - 1})"
            )
        if not math.isfinite(start) or start < previous - 1e-9 or start > duration + 1e-9:
            raise ValueError(
                f"step_log times must rise from 0 to the duration {duration:.3f} s, got {start!r} "
                f"after {previous!r}"
            )
        previous = start
    shown = []
    for i, (start, index) in enumerate(step_log):
        end = step_log[i + 1][0] if i + 1 < len(step_log) else duration
        start, end = max(0.0, float(start)), min(float(end), duration)
        if end - start < 1e-3:
            continue
        shown.append({"index": index, "text": steps[index], "start": round(start, 3),
                      "end": round(end, 3)})
    return shown


def webvtt(steps: Sequence[str], step_log: Sequence[tuple[float, int]], duration: float) -> str:
    """A WebVTT captions file with one cue per step, from ``steps()`` and ``step_log``."""
    lines = ["WEBVTT", ""]
    for n, cue in enumerate(step_times(steps, step_log, duration), start=1):
        text = " ".join(cue["text"].split())  # one line; a blank line would end the cue
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace("-->", "--&gt;")
        lines += [f"step-{n}", f"{_timestamp(cue['start'])} --> {_timestamp(cue['end'])}", text, ""]
    return "\n".join(lines)


# --- Video ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoInfo:
    codec: str
    pix_fmt: str
    width: int
    height: int
    duration: float  # seconds, from the container
    frames: int
    size: int  # bytes

    @property
    def bytes_per_second(self) -> float:
        return self.size / self.duration if self.duration > 0 else math.inf


def probe(path: Path) -> VideoInfo:
    """Codec, pixel format, size and duration of the first video stream of ``path``."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = (
            float(stream.duration * stream.time_base)
            if stream.duration is not None and stream.time_base is not None
            else float(container.duration or 0) / 1_000_000
        )
        return VideoInfo(
            codec=stream.codec_context.name,
            pix_fmt=str(stream.codec_context.pix_fmt),
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            duration=duration,
            frames=stream.frames,
            size=path.stat().st_size,
        )


def remux_faststart(src: Path, dst: Path) -> None:
    """Copy the H.264 stream of ``src`` into ``dst`` with the index (moov atom) first."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w", options={"movflags": "+faststart"}) as out:
        stream = inp.streams.video[0]
        target = out.add_stream_from_template(template=stream)
        for packet in inp.demux(stream):
            if packet.dts is None:
                continue
            packet.stream = target
            out.mux(packet)


def reencode(src: Path, dst: Path, *, crf: int, fps: int) -> None:
    """Encode ``src`` again as H.264 yuv420p at x264 quality ``crf`` (higher is smaller)."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w", options={"movflags": "+faststart"}) as out:
        video = inp.streams.video[0]
        options = {"crf": str(crf), "tune": "animation", "maxrate": f"{MAXRATE_KBIT}k",
                   "bufsize": f"{2 * MAXRATE_KBIT}k"}
        stream = out.add_stream("libx264", rate=Fraction(fps), options=options)
        stream.width = video.codec_context.width
        stream.height = video.codec_context.height
        stream.pix_fmt = "yuv420p"
        for frame in inp.decode(video):
            frame.pict_type = av.video.frame.PictureType.NONE
            out.mux(stream.encode(frame.reformat(format="yuv420p")))
        out.mux(stream.encode(None))


def fit_budget(
    raw: Path, dst: Path, *, fps: int, budget: float = MAX_BYTES_PER_SECOND
) -> tuple[VideoInfo, int | None]:
    """Write ``raw`` to ``dst`` as faststart H.264 within ``budget`` bytes per second.

    The stream is copied as Manim encoded it if it fits; otherwise it is encoded again
    at the first x264 quality of ``CRF_LADDER`` that fits. Returns the result's
    properties and the CRF used (None for a plain copy).
    """
    remux_faststart(raw, dst)
    info = probe(dst)
    if info.bytes_per_second <= budget and info.codec == "h264" and info.pix_fmt == "yuv420p":
        return info, None
    for crf in CRF_LADDER:
        reencode(raw, dst, crf=crf, fps=fps)
        info = probe(dst)
        if info.bytes_per_second <= budget:
            return info, crf
    raise RuntimeError(
        f"{dst.name}: {info.bytes_per_second / 1000:.1f} KB/s even at CRF {CRF_LADDER[-1]}; "
        f"the budget is {budget / 1000:.0f} KB/s: simplify the scene or shorten it"
    )


def write_poster(video: Path, dst: Path) -> None:
    """Save a representative frame of ``video`` as WebP: the last one that shows nearly as
    much as the fullest frame, so that a closing fade-out does not make an empty poster."""
    import av
    import numpy as np

    inks = []  # per frame, the share of pixels off the background colour
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            gray = frame.to_ndarray(format="gray")[::4, ::4].astype(np.int16)
            inks.append(float((np.abs(gray - gray[0, 0]) > 24).mean()))
    if not inks:
        raise RuntimeError(f"{video.name} has no frames")
    chosen = max(i for i, ink in enumerate(inks) if ink >= 0.8 * max(inks))
    with av.open(str(video)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i == chosen:
                frame.to_image().save(dst, format="WEBP", quality=85, method=6)
                return


# --- One scene -------------------------------------------------------------------------


def render(module_name: str, scene_name: str, quality: Quality, out: Path) -> dict[str, Any]:
    """Render ``module_name.scene_name`` into ``out`` and return its sidecar."""
    import importlib.metadata

    from manim import tempconfig

    start = time.perf_counter()
    module = importlib.import_module(module_name)
    cls = getattr(module, scene_name, None)
    if cls is None:
        raise SystemExit(f"{module_name} defines no scene {scene_name!r}")
    steps = list(cls.steps())
    media = out / "media"
    settings = {
        "pixel_width": quality.width,
        "pixel_height": quality.height,
        "frame_rate": quality.fps,
        "media_dir": str(media),
        "disable_caching": True,
        "write_to_movie": True,
        "save_last_frame": False,
        "progress_bar": "none",
        "verbosity": "WARNING",
        "video_encoder_options": {"crf": str(CRF_LADDER[0]), "tune": "animation",
                                  "maxrate": f"{MAXRATE_KBIT}k", "bufsize": f"{2 * MAXRATE_KBIT}k"},
    }
    with tempconfig(settings):
        scene = cls()
        scene.render()
    duration = float(scene.renderer.time)
    raw = Path(scene.renderer.file_writer.movie_file_path)
    step_log = [(float(t), int(i)) for t, i in getattr(scene, "step_log", [])]
    if not step_log:
        raise SystemExit(f"{scene_name} logged no steps: StepScene.step_log is empty after render()")

    files = {kind: f"{scene_name}.{ext}" for kind, ext in
             (("video", "mp4"), ("poster", "webp"), ("captions", "vtt"), ("sidecar", "json"))}
    info, crf = fit_budget(raw, out / files["video"], fps=quality.fps)
    write_poster(out / files["video"], out / files["poster"])
    (out / files["captions"]).write_text(webvtt(steps, step_log, duration), encoding="utf-8")
    shutil.rmtree(media)
    sidecar = {
        "scene": scene_name,
        "module": module_name,
        "quality": quality.name,
        "width": info.width,
        "height": info.height,
        "fps": quality.fps,
        "duration": round(duration, 3),
        "video_duration": round(info.duration, 3),
        "codec": info.codec,
        "pix_fmt": info.pix_fmt,
        "crf": crf if crf is not None else CRF_LADDER[0],
        "bytes_per_second": round(info.bytes_per_second),
        "steps": step_times(steps, step_log, duration),
        "all_steps": steps,
        "numbers": {str(k): str(v) for k, v in dict(getattr(scene, "numbers", {})).items()},
        "files": files,
        "sizes": {kind: (out / name).stat().st_size for kind, name in files.items() if kind != "sidecar"},
        "manim": importlib.metadata.version("manim"),
        "render_seconds": round(time.perf_counter() - start, 2),
    }
    (out / files["sidecar"]).write_text(json.dumps(sidecar, indent=1) + "\n", encoding="utf-8")
    return sidecar


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", required=True, help="e.g. animations.forward_pass")
    parser.add_argument("--scene", required=True, help="the scene's class name, e.g. ForwardPass")
    parser.add_argument("--quality", choices=sorted(QUALITIES), default="medium")
    parser.add_argument("--out", required=True, type=Path, help="an empty folder for the results")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    render(args.module, args.scene, QUALITIES[args.quality], args.out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
