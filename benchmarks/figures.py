"""Figure timings: every figure at the smoke tier on the CPU (target: under 2 minutes in all),
next to the full-tier times recorded in the committed manifests.

    python benchmarks/figures.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from dlbook.figures import read_manifest
from dlbook_build.figures import all_figures
from dlbook_build.figures.pipeline import make

SMOKE_BUDGET_S = 120.0


def main() -> None:
    figures = all_figures()
    rows = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dlbook-figures-") as tmp:
        for name, spec in figures.items():
            t0 = time.perf_counter()
            manifest = make(spec, tier="smoke", device="cpu", root=Path(tmp))
            smoke = time.perf_counter() - t0
            committed = read_manifest(name) or {}
            rows.append((name, smoke, manifest["metrics"], committed))
    total = time.perf_counter() - start

    print(f"{'figure':<28} {'smoke (cpu, now)':>17}   committed tier, device and wall time")
    print("-" * 100)
    for name, smoke, _metrics, committed in rows:
        tier, device = committed.get("tier", "-"), committed.get("device", "-")
        made = f"{tier}, {device}, {committed.get('wall_seconds', 0):.1f} s"
        print(f"{name:<28} {smoke:15.1f} s   {made}")
    verdict = "within" if total <= SMOKE_BUDGET_S else "OVER"
    print("-" * 100)
    print(f"smoke tier, all {len(rows)} figures on the CPU: {total:.1f} s "
          f"({verdict} the {SMOKE_BUDGET_S:.0f} s budget)")


if __name__ == "__main__":
    main()
