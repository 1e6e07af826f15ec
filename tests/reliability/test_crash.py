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
from tests.reliability.faultproxy import FaultPlan, FaultProxy
from tests.reliability.harness import Tally, tally

pytestmark = pytest.mark.integration

KILLS = int(os.environ.get("COUNTERDESK_CRASH_KILLS", "12"))
ROOT = Path(__file__).resolve().parents[2]


def start(db: Path, server: str, ids: Path, variant: str) -> subprocess.Popen[str]:
    args = [
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
        "--variant",
        variant,
    ]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.crash_worker", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )


# D2: the worker reaches the server through the fault proxy (503s, answers lost after the commit).
FAULTS = {"s503": 0.15, "lost_ack": 0.10, "reset": 0.03}


def crash_run(
    variant: str, kills_wanted: int, tmp_path: Path, city: EmbeddedServer, population: list[Resident], seed: int
) -> tuple[Tally, int]:
    rng = random.Random(seed)
    ids_file = tmp_path / "ids.txt"
    count = 40 * kills_wanted + 30  # enough work that every kill lands in the middle of it
    ids_file.write_text("\n".join(population[i % len(population)].national_id for i in range(count)))
    db = tmp_path / "ledger.db"
    acked: set[str] = set()
    kills = 0
    finished = False
    deadline = time.monotonic() + 120 + 6 * kills_wanted
    with FaultProxy(city.port, FaultPlan(FAULTS, seed=seed)) as proxy:
        while not finished and time.monotonic() < deadline:
            worker = start(db, proxy.url, ids_file, variant)
            if kills < kills_wanted:
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
    return tally(kills, db, city, acked=acked), len(acked)


def test_sigkill_anywhere_loses_and_duplicates_nothing(
    tmp_path: Path, city: EmbeddedServer, population: list[Resident]
) -> None:
    seed = int(os.environ.get("COUNTERDESK_CRASH_SEED", "20261122"))
    result, acked = crash_run("real", KILLS, tmp_path, city, population, seed)
    print(f"\n{result.line('crash')} acked={acked} seed={seed}")
    assert result.clean, result


@pytest.mark.parametrize("variant", ["newkey", "mark_first"])
def test_broken_clients_are_caught_by_the_crash_suite(
    tmp_path: Path, city: EmbeddedServer, population: list[Resident], variant: str
) -> None:
    result, _ = crash_run(variant, 4, tmp_path, city, population, seed=11)
    print(f"\nMUTANT crash {variant}: {result}")
    assert not result.clean, f"the crash suite did not notice the {variant} bug: {result}"
