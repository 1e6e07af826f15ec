"""Faulty network: the real client drains the queue through a fault-injecting proxy with nothing lost or
duplicated; each deliberately broken client is caught by the same checks (the tests have teeth)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from sync.city.client import Credentials
from sync.ledger import Device, Ledger
from tests.conftest import OFFICE, PASSWORD, USER, fixed_now
from tests.fakes.devices import TEST_DEVICE, TEST_DEVICE_ID
from tests.reliability.faultproxy import FaultPlan, FaultProxy
from tests.reliability.harness import VARIANTS, make_cases, make_client, revoke_tokens, sync_round, tally

pytestmark = pytest.mark.integration

# `make reliability` sets COUNTERDESK_RELIABILITY_SCALE=10 for the full run (≥ 1,000 batches).
SCALE = int(os.environ.get("COUNTERDESK_RELIABILITY_SCALE", "1"))
FAULTS = {
    "reset": 0.03,
    "lost_ack": 0.06,
    "truncate": 0.03,
    "delay": 0.01,
    "s503": 0.03,
    "s503_retry": 0.02,
    "html": 0.02,
}
BATCH = 2


def drain(variant: str, tmp_path: Path, city: EmbeddedServer, ids: list[str], seed: int) -> tuple[object, int]:
    ledger = Ledger(tmp_path / f"{variant}.db", Device(OFFICE, TEST_DEVICE_ID), b"\x01" * 32, fixed_now)
    make_cases(ledger, ids, poison=True)
    plan = FaultPlan(FAULTS, delay_s=0.5, seed=seed)
    with FaultProxy(city.port, plan) as proxy:
        client = make_client(variant, proxy.url, TEST_DEVICE, lambda: Credentials(USER, PASSWORD), timeout=(1.0, 0.3))
        rounds = stalled = 0
        pending = ledger.outbox.counts()["pending"]
        while pending and stalled < 60:  # a queue that stops moving for 60 rounds is stuck
            rounds += 1
            if rounds % 11 == 0:
                revoke_tokens(city)  # tokens expire mid-sync
            sync_round(variant, ledger, client, BATCH)
            now_pending = ledger.outbox.counts()["pending"]
            stalled = stalled + 1 if now_pending == pending else 0
            pending = now_pending
        client.close()
        batches = proxy.paths["/api/v1/cases:batch"]
    result = tally(batches, ledger.path, city, poisoned=1)
    ledger.close()
    return result, rounds


def test_real_client_drains_through_faults(tmp_path: Path, city: EmbeddedServer, population: list[Resident]) -> None:
    ids = [r.national_id for r in population[: 100 * SCALE]]
    result, rounds = drain("real", tmp_path, city, ids, seed=SCALE)
    print("\n" + result.line("network"))  # type: ignore[attr-defined]
    assert result.clean, result  # type: ignore[attr-defined]
    assert result.runs >= 50 * SCALE  # type: ignore[attr-defined]


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v != "real"])
def test_broken_clients_are_caught(
    tmp_path: Path, city: EmbeddedServer, population: list[Resident], variant: str
) -> None:
    ids = [r.national_id for r in population[:60]]
    result, _ = drain(variant, tmp_path, city, ids, seed=7)
    print(f"\nMUTANT {variant}: {result}")
    assert not result.clean, f"the checks did not notice the {variant} bug: {result}"  # type: ignore[attr-defined]


def test_server_restarts_in_the_middle_of_batches(
    tmp_path: Path, city: EmbeddedServer, population: list[Resident]
) -> None:
    """The city server is stopped and started again while batches are in flight: still exactly once."""
    import threading
    import time

    from sync.city.client import CityClient
    from sync.city.push import push_pending

    ledger = Ledger(tmp_path / "restart.db", Device(OFFICE, TEST_DEVICE_ID), b"\x01" * 32, fixed_now)
    make_cases(ledger, [population[i % len(population)].national_id for i in range(300 * SCALE)])
    client = CityClient(city.url, TEST_DEVICE, lambda: Credentials(USER, PASSWORD), timeout=(0.5, 1.0))
    done = threading.Event()

    def sync_until_drained() -> None:
        for _ in range(2_000):
            if not ledger.outbox.counts()["pending"]:
                break
            push_pending(ledger, client, batch_size=10, ignore_schedule=True)
        done.set()

    worker = threading.Thread(target=sync_until_drained)
    worker.start()
    restarts = 0
    while not done.is_set() and restarts < 5:
        time.sleep(0.15)
        city.stop()
        time.sleep(0.1)
        city.start()
        restarts += 1
    worker.join(120)
    client.close()
    result = tally(restarts, ledger.path, city)
    ledger.close()
    print("\n" + result.line("restart"))
    assert restarts >= 1 and result.clean, result
