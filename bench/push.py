"""Pushing queued cases to the city server (in its own process on 127.0.0.1): 10,000 cases through the outbox,
against the same bytes POSTed raw to a trivial endpoint of the same server stack, and against one request per
case. Then a single case's round trip: p50 and p99 of 1,000 sequential pushes."""

from __future__ import annotations

import inspect
import json
import statistics
import time
from pathlib import Path

import requests

from bench.common import city_process, client, emit, median
from bench.fixtures import ledger_with_cases, open_ledger, working_copy
from sync.city.client import CityClient
from sync.city.push import push_pending
from sync.ledger import Ledger
from sync.protocol import wire

CASES = 10_000
JSON = {"Content-Type": "application/json"}
BATCH = inspect.signature(push_pending).parameters["batch_size"].default


def batches_of(ledger_path: Path, size: int) -> list[bytes]:
    """The request bodies the push sends, as bytes (read from the queue, as push does)."""
    ledger = open_ledger(ledger_path)
    items = ledger.outbox.due(CASES, None)
    ledger.close()
    cases = [json.loads(i.payload) for i in items]
    return [json.dumps({"cases": cases[n : n + size]}, ensure_ascii=False).encode() for n in range(0, len(cases), size)]


def run(work: Path, runs: int = 3) -> None:
    source = ledger_with_cases(CASES, "push")
    rates, raw_rates = [], []
    for n in range(runs):
        with city_process(work / f"push-{n}") as url:
            ledger = open_ledger(working_copy(source, work / f"push-{n}" / "ledger.db"))
            c = client(url)
            c.health()
            start = time.perf_counter()
            report = push_pending(ledger, c, ignore_schedule=True)  # the app's own batch size
            elapsed = time.perf_counter() - start
            assert report.accepted == CASES, (report.accepted, report.rejected, report.error_code)
            rates.append(CASES / elapsed)
            bodies = batches_of(source, BATCH)
            with requests.Session() as raw:
                start = time.perf_counter()
                for body in bodies:
                    raw.post(
                        f"{url}/bench/sink", data=body, headers={"Content-Type": "application/json"}
                    ).raise_for_status()
                raw_rates.append(CASES / (time.perf_counter() - start))
            c.close()
            ledger.close()
    emit("push_10k_cases", median(rates), median(raw_rates), " cases/s", f"{runs} runs; baseline: same bytes, raw POST")
    per_case(work)
    round_trip(work)


def per_case(work: Path, sample: int = 1_000) -> None:
    """One request per case (batch of one) for `sample` cases, against the batched push's rate."""
    source = ledger_with_cases(CASES, "push")
    with city_process(work / "per-case") as url:
        ledger = open_ledger(working_copy(source, work / "per-case" / "ledger.db"))
        c = client(url)
        c.health()
        one_by_one = _rate(ledger, c, 1, sample)
        batched = _rate(ledger, c, BATCH, sample)
        c.close()
        ledger.close()
    emit("push_batched_vs_one_per_request", batched, one_by_one, " cases/s", f"{sample} cases each way")


def _rate(ledger: Ledger, c: CityClient, batch: int, sample: int) -> float:
    """Cases per second pushing `sample` cases in batches of `batch`."""
    answered = [0]
    start = time.perf_counter()
    push_pending(
        ledger,
        c,
        batch_size=batch,
        ignore_schedule=True,
        progress=lambda n: answered.__setitem__(0, n),
        cancelled=lambda: answered[0] >= sample,
    )
    return answered[0] / (time.perf_counter() - start)


def round_trip(work: Path, pushes: int = 1_000) -> None:
    """A single case's push: request, server write (durable), answer. Against the same bytes to the sink."""
    source = ledger_with_cases(CASES, "push")
    with city_process(work / "rtt") as url:
        ledger = open_ledger(working_copy(source, work / "rtt" / "ledger.db"))
        c = client(url)
        c.health()
        items = ledger.outbox.due(pushes, None)
        times = []
        for item in items:
            batch = wire.CasesBatchRequest(cases=[wire.CaseIn.model_validate_json(item.payload)])
            start = time.perf_counter()
            c.push_cases(batch)
            times.append(time.perf_counter() - start)
        raw_times = []
        with requests.Session() as raw:
            for item in items[:pushes]:
                body = b'{"cases":[' + item.payload.encode() + b"]}"
                start = time.perf_counter()
                raw.post(f"{url}/bench/sink", data=body, headers=JSON)
                raw_times.append(time.perf_counter() - start)
        c.close()
        ledger.close()
    p50, p99 = statistics.quantiles(times, n=100)[49] * 1000, statistics.quantiles(times, n=100)[98] * 1000
    r50, r99 = statistics.quantiles(raw_times, n=100)[49] * 1000, statistics.quantiles(raw_times, n=100)[98] * 1000
    emit("push_round_trip_p50", p50, r50, "ms", f"{pushes} sequential single-case pushes")
    emit("push_round_trip_p99", p99, r99, "ms")
