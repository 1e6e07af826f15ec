"""The city's back-off advice read off the wire: `Retry-After` exactly as the fault proxy sends it, through the real
client, and what the push then does with the queue on the injected clock. The expected seconds are worked out by
hand from RFC 9110 §10.2.3 (delay-seconds, or an HTTP-date measured against the answer's Date), capped at an hour."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from sync.city.client import CityClient, Credentials
from sync.city.push import push_pending
from sync.ledger import Device, Ledger
from sync.protocol.errors import SyncError, SyncErrorKind
from tests.conftest import NOW, OFFICE, PASSWORD, USER, fixed_now
from tests.fakes.devices import TEST_DEVICE, TEST_DEVICE_ID
from tests.reliability.faultproxy import FaultPlan, FaultProxy
from tests.reliability.harness import make_cases

pytestmark = pytest.mark.integration

DATE = "Date: Mon, 30 Nov 2026 10:00:00 GMT\r\n"
HEADERS = [
    ("Retry-After: 120\r\n", 120.0),
    ("Retry-After: 0\r\n", 0.0),
    ("Retry-After:    45   \r\n", 45.0),
    ("Retry-After: 3600\r\n", 3600.0),
    ("Retry-After: 3601\r\n", 3600.0),
    ("Retry-After: 99999999999999999999999999\r\n", 3600.0),
    ("Retry-After: -5\r\n", None),
    ("Retry-After: 1.5\r\n", None),
    ("Retry-After: 1e3\r\n", None),
    ("Retry-After: ١٢٠\r\n", None),
    ("Retry-After: soon\r\n", None),
    ("", None),
    (DATE + "Retry-After: Mon, 30 Nov 2026 10:02:00 GMT\r\n", 120.0),
    (DATE + "Retry-After: Mon, 30 Nov 2026 09:00:00 GMT\r\n", 0.0),
    (DATE + "Retry-After: Tue, 01 Dec 2026 10:00:00 GMT\r\n", 3600.0),
    (DATE + "Retry-After: Mon, 30 Nov 99999 10:00:00 GMT\r\n", None),
    ("Retry-After: Mon, 30 Nov 2026 10:02:00 GMT\r\n", None),  # no Date to measure it against
    ("Date: yesterday\r\nRetry-After: Mon, 30 Nov 2026 10:02:00 GMT\r\n", None),
]


def client_for(proxy: FaultProxy) -> CityClient:
    return CityClient(proxy.url, TEST_DEVICE, lambda: Credentials(USER, PASSWORD), timeout=(1.0, 2.0))


@pytest.mark.parametrize(("headers", "seconds"), HEADERS)
def test_retry_after_is_read_as_the_rfc_says(city: EmbeddedServer, headers: str, seconds: float | None) -> None:
    with FaultProxy(city.port, FaultPlan({"s503_retry": 1.0}, retry_headers=headers)) as proxy:
        client = client_for(proxy)
        with pytest.raises(SyncError) as caught:
            client.login(Credentials(USER, PASSWORD))
        client.close()
    assert caught.value.kind is SyncErrorKind.SERVER and caught.value.code == "server_error"
    assert caught.value.retry_after == seconds


def test_the_push_waits_as_long_as_the_city_asked(
    tmp_path: Path, city: EmbeddedServer, population: list[Resident]
) -> None:
    """503 with Retry-After 900: the queue is not tried before 15 minutes (our own back-off would be ≤ 5 s); a
    Retry-After of years is held to an hour, not a crash and not a dead queue."""
    ledger = Ledger(tmp_path / "retry.db", Device(OFFICE, TEST_DEVICE_ID), b"\x01" * 32, fixed_now)
    make_cases(ledger, [population[0].national_id])

    def push_at(at: datetime, plan: FaultPlan) -> int:
        with FaultProxy(city.port, plan) as proxy:
            client = client_for(proxy)
            push_pending(ledger, client, now=lambda: at, rng=random.Random(3))
            client.close()
            return sum(proxy.paths.values())

    busy = FaultPlan({"s503_retry": 1.0}, retry_headers="Retry-After: 900\r\n")
    assert push_at(NOW, busy) == 1
    (item,) = ledger.outbox.items(("pending",))
    assert item.next_attempt_at == (NOW + timedelta(seconds=900)).isoformat()
    assert push_at(NOW + timedelta(seconds=899), FaultPlan({})) == 0  # not due: nothing leaves the laptop

    forever = FaultPlan({"s503_retry": 1.0}, retry_headers="Retry-After: 315360000000\r\n")
    later = NOW + timedelta(seconds=900)
    assert push_at(later, forever) == 1
    (item,) = ledger.outbox.items(("pending",))
    assert item.next_attempt_at == (later + timedelta(hours=1)).isoformat()

    assert push_at(later + timedelta(hours=1), FaultPlan({})) >= 1
    assert ledger.outbox.counts()["sent"] == 1
    ledger.close()
