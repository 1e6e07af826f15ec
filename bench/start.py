"""Cold start to the first painted main window (offscreen), against a bare PySide6 window; the import breakdown."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.common import PASSWORD, ROOT, SUPERVISOR, SUPERVISOR_PASSWORD, USER, city_process, client, emit, median


def probe(kind: str, data_dir: Path, *more: str) -> tuple[float, float]:
    """Seconds to the first painted window, and to the full main window painted."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "BENCH_USER": USER,
        "BENCH_PASSWORD": PASSWORD,
        "BENCH_T0": repr(time.time()),
    }
    out = subprocess.run(
        [sys.executable, "-m", "bench.start_probe", kind, str(data_dir), *more],
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


def enrolled_pc(url: str, data_dir: Path) -> None:
    """A PC enrolled with the bench city the way IT staff do it (a supervisor's one-time code), its keys kept in
    DATA_DIR/keyring.json for the probe's in-memory keyring."""
    from desktop.bootstrap import enrol
    from sync.ledger.secrets import PracticeSecretStore
    from sync.protocol import wire

    chief = client(url, SUPERVISOR, SUPERVISOR_PASSWORD)
    code = chief.create_enrolment(wire.EnrolmentRequest(name="bench start")).code
    chief.close()
    enrol(data_dir, url, code, PracticeSecretStore(data_dir / "keyring.json"))


def production_seconds(work: Path, runs: int) -> tuple[list[float], list[float]]:
    """The production start against a city server in its own process: to the log-in dialog painted, and (an
    enrolled PC signing in online, nobody typing) to the main window painted."""
    with city_process(work / "city") as url:
        data_dir = work / "pc"
        enrolled_pc(url, data_dir)
        probe("production", data_dir, url)  # the first start makes the ledger and pulls the city's data
        login = [probe("login", data_dir, url)[0] for _ in range(runs)]
        return login, [probe("production", data_dir, url)[1] for _ in range(runs)]


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
    emit("start_to_ready", ready, median(bare) * 1000, "ms", "練習模式: the full main window painted, services loaded")
    login, production = production_seconds(work / "production", runs)
    emit("start_to_login_production", median(login) * 1000, median(bare) * 1000, "ms", "the log-in dialog painted")
    emit(
        "start_to_ready_production",
        median(production) * 1000,
        median(bare) * 1000,
        "ms",
        "enrolled PC: online sign-in (no typing) to a city server in its own process, main window painted",
    )
    for name, ms in import_breakdown():
        print(f"IMPORT {name} self={ms:.0f}ms", flush=True)
