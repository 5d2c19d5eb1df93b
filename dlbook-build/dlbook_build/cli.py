"""The ``dlbook-build`` command: each step of the book's build on its own, and the caches.

    dlbook-build scenes                  render the Manim scenes whose code changed
    dlbook-build figures [--only NAME]   train and freeze the figures whose code changed
    dlbook-build execute                 run the chapters whose code changed (cached), stage them
    dlbook-build publish --site DIR      write notebooks, figures and animations into a built site
    dlbook-build chapter PART NAME       scaffold a new chapter (page, experiments, scenes, tests)
    dlbook-build cache info|clear        list or empty the chapter cache
    dlbook-build doctor                  what this machine has for the build, and what it lacks

Run inside the book's folder (or below it): the settings come from ``mkdocs.yml``.
``mkdocs build`` runs scenes, figures, execute and publish through the plugin.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path

from dlbook.figures.store import FIGURES_ENV
from dlbook_build.project import project_root


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from dlbook_build.book import Settings

    return Settings.from_mkdocs(project_root() / "mkdocs.yml")


def _book(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from dlbook_build.book import Book

    return Book(_settings(args))


def _cache_root(args: argparse.Namespace) -> Path:
    if args.cache_dir or os.environ.get("DLBOOK_CACHE_DIR"):
        return Path(args.cache_dir or os.environ["DLBOOK_CACHE_DIR"])
    return Path(_settings(args).cache_root)


def _cache_info(args: argparse.Namespace) -> int:
    from dlbook_build.cache import ExecutionCache

    cache = ExecutionCache(_cache_root(args))
    entries = cache.entries()
    total = sum(e.size for e in entries)
    print(f"chapter cache: {cache.root} ({len(entries)} entries, {total / 1e6:.2f} MB)")
    for e in entries:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.created))
        print(f"  {e.key[:12]}  {e.source:<48} {e.cells:>3} cells  {e.seconds:7.1f} s  {when}")
    return 0


def _cache_clear(args: argparse.Namespace) -> int:
    from dlbook_build.cache import ExecutionCache

    cache = ExecutionCache(_cache_root(args))
    removed = cache.clear()
    print(f"chapter cache: removed {removed} file(s) from {cache.root}")
    return 0


def _figures(args: argparse.Namespace) -> int:
    from dlbook_build.figures.pipeline import refresh

    root = project_root()
    try:
        refresh(tier=args.tier, device=args.device, only=args.only or None, force=args.force,
                root=Path(os.environ.get(FIGURES_ENV) or root / "figures"), experiments=root / "experiments")
    except KeyError as err:
        print(f"dlbook-build figures: {err.args[0]}")
        return 2
    return 0


def _scenes(args: argparse.Namespace) -> int:
    _book(args).render_scenes()
    return 0


def _execute(args: argparse.Namespace) -> int:
    _book(args).execute()
    return 0


def _publish(args: argparse.Namespace) -> int:
    from mkdocs.config import load_config

    config = load_config(str(project_root() / "mkdocs.yml"))
    book = _book(args)
    scenes = book.render_scenes()
    chapters = book.execute().chapters
    book.publish(Path(args.site), chapters, scenes, site_url=config.site_url, repo_url=config.repo_url)
    print(f"published {len(chapters)} notebooks, the figures and {len(scenes)} animations into {args.site}")
    return 0


def _chapter(args: argparse.Namespace) -> int:
    from dlbook_build.scaffold import new_chapter

    for path in new_chapter(project_root(), args.part, args.name, title=args.title):
        print(f"  wrote {path}")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from dlbook_build.doctor import main as doctor

    return doctor()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dlbook-build", description="Build steps of the dlbook textbook.")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("doctor", help="report what is installed and what is missing").set_defaults(func=_doctor)

    figures = sub.add_parser("figures", help="train and draw the figures that are stale")
    figures.add_argument("--tier", choices=["smoke", "full"], help="default: $DLBOOK_TIER or full")
    figures.add_argument("--only", action="append", metavar="NAME", help="only this figure (repeatable)")
    figures.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto")
    figures.add_argument("--force", action="store_true", help="remake even fresh figures")
    figures.set_defaults(func=_figures)

    sub.add_parser("scenes", help="render the animations that are stale").set_defaults(func=_scenes)
    sub.add_parser("execute", help="execute the chapters that are stale and stage them").set_defaults(
        func=_execute)
    publish = sub.add_parser("publish", help="write notebooks, figures and animations into a site folder")
    publish.add_argument("--site", required=True, help="the built site's folder (mkdocs' site_dir)")
    publish.set_defaults(func=_publish)

    chapter = sub.add_parser("chapter", help="scaffold a new chapter from the templates")
    chapter.add_argument("part", help="the part's folder under docs/, e.g. training")
    chapter.add_argument("name", help="the chapter's kebab-case name, e.g. recurrent-networks")
    chapter.add_argument("--title", help="the chapter's title (default: from the name)")
    chapter.set_defaults(func=_chapter)

    cache = sub.add_parser("cache", help="show or clear the chapter execution cache")
    cache.add_argument("--cache-dir", help="cache folder (default: $DLBOOK_CACHE_DIR or mkdocs.yml's)")
    cache_sub = cache.add_subparsers(dest="action", required=True)
    cache_sub.add_parser("info", help="list cached chapter runs").set_defaults(func=_cache_info)
    cache_sub.add_parser("clear", help="delete every cached run").set_defaults(func=_cache_clear)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from dlbook_build.book import BuildError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (BuildError, FileNotFoundError) as err:
        print(f"dlbook-build {args.command}: {err}")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
