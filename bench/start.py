"""Cold start to the first painted main window (offscreen), against a bare PySide6 window; the import breakdown."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, emit, median


def probe(kind: str, data_dir: Path) -> tuple[float, float]:
    """Seconds to the first painted window, and to the full main window painted."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BENCH_T0": repr(time.time())}
    out = subprocess.run(
        [sys.executable, "-m", "bench.start_probe", kind, str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    first, ready = out.stdout.strip().splitlines()[-1].split()
    return float(first), float(ready)


def start_seconds(data_dir: Path, runs: int) -> tuple[list[tuple[float, float]], list[float]]:
    probe("app", data_dir)  # the first start makes the practice city's database: not a cold start of the app
    app, bare = [], []
    for _ in range(runs):
        bare.append(probe("bare", data_dir)[0])
        app.append(probe("app", data_dir))
    return app, bare


def import_breakdown(top: int = 10) -> list[tuple[str, float]]:
    """Where the window's import time goes: `python -X importtime`'s own time of every module, summed per
    top-level package (ms), heaviest first."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import desktop.main_window, desktop.bootstrap"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    totals: dict[str, float] = {}
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if m:
            package = m.group(2).split(".")[0]
            totals[package] = totals.get(package, 0.0) + int(m.group(1)) / 1000
    return sorted(totals.items(), key=lambda kv: -kv[1])[:top]


def run(work: Path, runs: int = 5) -> None:
    app, bare = start_seconds(work / "start", runs)
    first, ready = median([a for a, _ in app]) * 1000, median([r for _, r in app]) * 1000
    emit("start_to_first_paint", first, median(bare) * 1000, "ms", f"{runs} runs each, offscreen; the app's window")
    emit("start_to_ready", ready, median(bare) * 1000, "ms", "the full main window painted, services loaded")
    for name, ms in import_breakdown():
        print(f"IMPORT {name} self={ms:.0f}ms", flush=True)
