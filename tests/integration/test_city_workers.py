"""What only a city of several processes shows (two servers of two workers each, behind nginx, on PostgreSQL):
one audit key for all of them, a request followed by its id through the JSON logs, a worker that dies replaced.
The whole sync suite also runs on this city (modules with ON_WORKERS)."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from cityserver.db import LookupAuditRow
from cityserver.population import Resident
from tests.conftest import OFFICE, PASSWORD, USER
from tests.fakes.cluster import Cluster
from tests.fakes.devices import TEST_DEVICE, Api, token_for

pytestmark = pytest.mark.integration


@pytest.fixture
def town(cluster: Cluster) -> Iterator[Cluster]:
    cluster.reset()
    yield cluster


def test_one_id_gets_one_digest_whichever_worker_audits_it(town: Cluster, population: list[Resident]) -> None:
    """Before the key was shared, each worker drew its own at start: one person, up to four digests."""
    clerk = Api(town.url, token_for(town.url, TEST_DEVICE, USER, PASSWORD))
    person = next(r for r in population if r.district_code == OFFICE.code)
    for _ in range(24):
        body = {"case_uuid": str(uuid.uuid4()), "purpose": "SW-05", "consent": True, "national_id": person.national_id}
        assert clerk.post("/api/v1/lookups/household", body).status_code == 200
    with town.app.state.session_factory() as s:
        digests = set(s.scalars(select(LookupAuditRow.id_digest)).all())
    assert len(digests) == 1
    assert town.proxy.upstreams_used() == {s.address for s in town.servers}


def test_a_request_is_followed_by_its_id_through_the_json_logs(town: Cluster, population: list[Resident]) -> None:
    clerk = Api(town.url, token_for(town.url, TEST_DEVICE, USER, PASSWORD))
    person = population[3]
    mine = f"test-{uuid.uuid4().hex[:12]}"
    body = {"case_uuid": str(uuid.uuid4()), "purpose": "SW-05", "consent": True, "national_id": person.national_id}
    answer = requests.post(
        town.url + "/api/v1/lookups/household", json=body, headers={**clerk.headers, "X-Request-Id": mine}, timeout=10
    )
    assert answer.headers["X-Request-Id"] == mine
    forged = requests.get(town.url + "/api/v1/health", headers={"X-Request-Id": 'a" <b>'}, timeout=10)
    assert forged.headers["X-Request-Id"] != 'a" <b>' and len(forged.headers["X-Request-Id"]) == 32
    deadline = time.monotonic() + 5
    found: list[dict[str, object]] = []
    while not found and time.monotonic() < deadline:
        lines = [line for s in town.servers for line in s.log.read_text(encoding="utf-8").splitlines()]
        entries = [json.loads(line) for line in lines if line.startswith("{")]
        found = [e for e in entries if e.get("request_id") == mine]
        time.sleep(0.1)
    access = [e for e in found if e["logger"] == "cityserver.access"]
    assert [(e["route"], e["status"]) for e in access] == [("/api/v1/lookups/{kind}", 200)]
    assert all(person.national_id not in line for s in town.servers for line in s.log.read_text(encoding="utf-8"))


def test_a_worker_that_dies_is_replaced_and_the_city_keeps_answering(town: Cluster) -> None:
    server = town.servers[0]
    before = server.worker_pids()
    assert len(before) == 2
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    answers = [requests.get(town.url + "/api/v1/health", timeout=10).status_code for _ in range(20)]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (len(server.worker_pids()) < 2 or victim in server.worker_pids()):
        time.sleep(0.2)
    after = server.worker_pids()
    assert victim not in after and len(after) == 2
    assert answers.count(200) == 20  # nginx sends the other host's workers what the dead one cannot take


def test_readiness_follows_the_database_and_liveness_does_not(town: Cluster, postgres: object) -> None:
    """PostgreSQL stopped: /health/ready answers 503 (send this server nothing), /health/live still 200; started
    again: ready again, the pools reconnect by themselves."""
    from tests.fakes.postgres import PrivatePostgres

    assert isinstance(postgres, PrivatePostgres)
    server = town.servers[0]
    ready = requests.get(server.url + "/api/v1/health/ready", timeout=10)
    assert ready.status_code == 200 and ready.json() == {
        "status": "ready",
        "database": "ok",
        "registers": dict.fromkeys(("household", "tax", "disability", "welfare", "military"), "closed"),
    }
    postgres.stop()
    try:
        down = requests.get(server.url + "/api/v1/health/ready", timeout=30)
        assert down.status_code == 503 and down.json()["database"] == "error"
        assert requests.get(server.url + "/api/v1/health/live", timeout=10).status_code == 200
    finally:
        postgres.restart()
    deadline = time.monotonic() + 20
    while requests.get(server.url + "/api/v1/health/ready", timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "not ready again after the database came back"
        time.sleep(0.2)


def _sample(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples with these labels in a Prometheus text exposition."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, value = line.rsplit(" ", 1)
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


def test_metrics_count_every_worker_of_every_host(town: Cluster, population: list[Resident]) -> None:
    clerk = Api(town.url, token_for(town.url, TEST_DEVICE, USER, PASSWORD))
    before = sum(
        _sample(requests.get(s.url + "/internal/metrics", timeout=10).text, "counterdesk_lookups_total", user=USER)
        for s in town.servers
    )
    for n in range(16):
        body = {"case_uuid": str(uuid.uuid4()), "purpose": "SW-05", "consent": True}
        assert clerk.post("/api/v1/lookups/household", {**body, "national_id": population[n].national_id}).ok
    scraped = [requests.get(s.url + "/internal/metrics", timeout=10) for s in town.servers]
    assert all(r.status_code == 200 and r.headers["content-type"].startswith("text/plain") for r in scraped)
    looked = sum(_sample(r.text, "counterdesk_lookups_total", user=USER, office=OFFICE.code) for r in scraped)
    assert looked - before == 16  # each host's scrape sums its two workers; the two hosts make the city
    routes = sum(
        _sample(r.text, "counterdesk_request_seconds_count", route="/api/v1/lookups/{kind}", status="200")
        for r in scraped
    )
    assert routes >= 16
    assert all(population[0].national_id not in r.text for r in scraped)
