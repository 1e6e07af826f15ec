"""`make bench` / `python -m bench [name ...]`: every benchmark, one BENCH line each (median, baseline measured
in the same run, ratio). Fixtures (ledgers of 2,000 / 10,000 / 1,000,000 cases, populated city databases) are
made on the first run and cached in .bench-cache/."""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import dayclose, million, push, receipt, review, rss, start, storm, ui_stall
from bench.common import CACHE

BENCHMARKS: dict[str, Callable[[Path], None]] = {
    "start": start.run,
    "receipt": receipt.run,
    "push": push.run,
    "review": review.run,
    "million": million.run,
    "dayclose": dayclose.run,
    "rss": rss.run,
    "ui_stall": ui_stall.run,
    "storm": storm.run,
}


def machine() -> str:
    mem = next(
        (
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return f"{platform.platform()}, {os.cpu_count()} CPUs, {mem} GiB, Python {platform.python_version()}"


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    print(f"# machine: {machine()}", flush=True)
    CACHE.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="work-", dir=CACHE))
    began = time.perf_counter()
    try:
        for name in names or list(BENCHMARKS):
            t = time.perf_counter()
            BENCHMARKS[name](work / name)
            print(f"# {name}: {time.perf_counter() - t:.0f} s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"# all: {time.perf_counter() - began:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
