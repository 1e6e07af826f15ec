"""Prometheus metrics of the city server, for every worker at once: request latency by route, look-ups by office
and user and result, batch sizes, registers that did not answer, batches waiting at the write gate.

`counterdesk-server serve` points PROMETHEUS_MULTIPROC_DIR at a fresh folder before its workers start, so each
worker writes its counts there and whichever answers a scrape reports the sum (prometheus_client's multiprocess
mode). Without the variable (the sandbox, the tests) the counts are this process's own.

Labels are bounded: a route's template (never its path), an office code, a user name, a register kind.
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_SECONDS = Histogram(
    "counterdesk_request_seconds",
    "Time to answer a request, by route template, method and status",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
LOOKUPS = Counter(
    "counterdesk_lookups_total",
    "Personal-data look-ups, by office, user, register and result",
    ["office", "user", "kind", "result"],
)
BATCH_ITEMS = Histogram(
    "counterdesk_batch_items",
    "Items per pushed batch, by kind",
    ["kind"],
    buckets=(1, 5, 10, 25, 50, 100, 200, 300, 500),
)
REGISTER_UNAVAILABLE = Counter(
    "counterdesk_register_unavailable_total", "Look-ups a register did not answer, by register and why", ["kind", "why"]
)
WRITE_WAITING = Gauge(
    "counterdesk_write_gate_waiting", "Batches waiting for a slot at the write gate", multiprocess_mode="livesum"
)
WRITE_REFUSED = Counter("counterdesk_write_gate_refused_total", "Batches told to come back later (503)")


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route, method, str(status)).observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The text a Prometheus scrape reads: every worker's counts in multiprocess mode, else this process's."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def fresh_folder(folder: Path) -> None:
    """Empty the folder of a previous run's counts (the library needs it wiped before the workers start)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.db"):
        old.unlink()
