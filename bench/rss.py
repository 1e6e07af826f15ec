"""Memory after 500 intakes in one process against after 10 (a leak shows as growth)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.common import ROOT, city_process, emit


def run(work: Path, first: int = 10, last: int = 500) -> None:
    folder = work / "rss"
    with city_process(folder) as url:
        out = subprocess.run(
            [sys.executable, "-m", "bench.rss_probe", url, str(folder), str(first), str(last)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
            timeout=600,
        )
    after_first, after_last = (float(v) for v in out.stdout.split())
    emit("rss_after_500_intakes", after_last, after_first, "MiB", f"baseline: after {first} intakes, same process")
