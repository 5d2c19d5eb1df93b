"""The ``dlbook`` command: ``doctor``, ``figures``, ``cache info`` and ``cache clear``."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path


def _cache_root(args: argparse.Namespace) -> Path:
    return Path(args.cache_dir or os.environ.get("DLBOOK_CACHE_DIR") or ".cache/dlbook")


def _cache_info(args: argparse.Namespace) -> int:
    from dlbook.book.cache import ExecutionCache

    cache = ExecutionCache(_cache_root(args))
    entries = cache.entries()
    total = sum(e.size for e in entries)
    print(f"chapter cache: {cache.root} ({len(entries)} entries, {total / 1e6:.2f} MB)")
    for e in entries:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.created))
        print(f"  {e.key[:12]}  {e.source:<48} {e.cells:>3} cells  {e.seconds:7.1f} s  {when}")
    return 0


def _cache_clear(args: argparse.Namespace) -> int:
    from dlbook.book.cache import ExecutionCache

    cache = ExecutionCache(_cache_root(args))
    removed = cache.clear()
    print(f"chapter cache: removed {removed} file(s) from {cache.root}")
    return 0


def _figures(args: argparse.Namespace) -> int:
    from dlbook.figures.pipeline import refresh

    try:
        refresh(tier=args.tier, device=args.device, only=args.only or None, force=args.force)
    except KeyError as err:
        print(f"dlbook figures: {err.args[0]}")
        return 2
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from dlbook.doctor import main as doctor

    return doctor()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dlbook", description="Tools for the dlbook textbook.")
    sub = parser.add_subparsers(dest="command", required=True)

    doctor = sub.add_parser("doctor", help="report what is installed and what is missing")
    doctor.set_defaults(func=_doctor)

    figures = sub.add_parser("figures", help="train and draw the figures that are stale")
    figures.add_argument("--tier", choices=["smoke", "full"], help="default: $DLBOOK_TIER or full")
    figures.add_argument("--only", action="append", metavar="NAME", help="only this figure (repeatable)")
    figures.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto")
    figures.add_argument("--force", action="store_true", help="remake even fresh figures")
    figures.set_defaults(func=_figures)

    cache = sub.add_parser("cache", help="show or clear the chapter execution cache")
    cache.add_argument("--cache-dir", help="cache folder (default: $DLBOOK_CACHE_DIR or .cache/dlbook)")
    cache_sub = cache.add_subparsers(dest="action", required=True)
    cache_sub.add_parser("info", help="list cached chapter runs").set_defaults(func=_cache_info)
    cache_sub.add_parser("clear", help="delete every cached run").set_defaults(func=_cache_clear)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
