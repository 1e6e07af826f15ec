"""Crash suite: the client process is killed with SIGKILL at random moments during intake commits and pushes,
restarted, and finally allowed to finish. Every acknowledged case is in the ledger, the server holds each case
exactly once, and receipt numbers have no gap."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from tests.conftest import PASSWORD, USER
from tests.reliability.harness import tally

pytestmark = pytest.mark.integration

KILLS = int(os.environ.get("COUNTERDESK_CRASH_KILLS", "12"))
ROOT = Path(__file__).resolve().parents[2]


def start(db: Path, server: str, ids: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.crash_worker",
            "--db",
            str(db),
            "--server",
            server,
            "--ids",
            str(ids),
            "--user",
            USER,
            "--password",
            PASSWORD,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )


def test_sigkill_anywhere_loses_and_duplicates_nothing(
    tmp_path: Path, city: EmbeddedServer, population: list[Resident]
) -> None:
    seed = int(os.environ.get("COUNTERDESK_CRASH_SEED", "20261122"))
    rng = random.Random(seed)
    ids_file = tmp_path / "ids.txt"
    count = 40 * KILLS + 30  # enough work that every kill lands in the middle of it
    ids_file.write_text("\n".join(population[i % len(population)].national_id for i in range(count)))
    db = tmp_path / "ledger.db"
    acked: set[str] = set()
    kills = 0
    finished = False
    deadline = time.monotonic() + 120 + 6 * KILLS
    while not finished and time.monotonic() < deadline:
        worker = start(db, city.url, ids_file)
        if kills < KILLS:
            # Past the start-up (imports, migration), into the commits and pushes.
            time.sleep(rng.uniform(0.8, 1.5))
            os.killpg(worker.pid, signal.SIGKILL)
            kills += 1
        out, _ = worker.communicate(timeout=max(60.0, deadline - time.monotonic()))
        for line in out.splitlines():
            if line.startswith("ACK "):
                acked.add(line[4:])
            finished = finished or line == "DONE"
    assert finished, f"the worker never finished after {kills} kills (seed {seed})"
    result = tally(kills, db, city, acked=acked)
    print(f"\n{result.line('crash')} acked={len(acked)} seed={seed}")
    assert result.clean, result
