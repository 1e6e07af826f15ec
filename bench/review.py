"""Re-verification of 4,600 beneficiaries: the batch look-up endpoint against one look-up per request (each
audited, as at the counter)."""

from __future__ import annotations

import time
from datetime import datetime
from itertools import islice
from pathlib import Path
from uuid import uuid4

from bench.common import (
    DEVICE_ID,
    OFFICE,
    SECRET,
    SUPERVISOR,
    SUPERVISOR_PASSWORD,
    USER,
    city_process,
    client,
    emit,
    median,
)
from cityserver.population import generate
from forms.catalog import load_catalog
from forms.clock import TAIPEI
from forms.eligibility import Context
from forms.ids import parse_id
from sync.city.lookups import LookupService
from sync.ledger import Device, Ledger
from sync.services.review import ReviewService

PEOPLE = 4_600
SERVICE = "SW-21"  # household + disability registers
POPULATION = 5_000
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=TAIPEI)
TODAY = NOW.date()


def beneficiaries() -> str:
    people = islice(generate(size=POPULATION), PEOPLE)
    return "身分證統一編號\n" + "".join(f"{p.national_id}\n" for p in people)


def run(work: Path, runs: int = 3) -> None:
    catalog = load_catalog()
    listing = beneficiaries()
    batch_times, single_times = [], []
    with city_process(work / "review", size=POPULATION) as url:
        for n in range(runs):
            ledger = Ledger(work / "review" / f"ledger-{n}.db", Device(OFFICE, DEVICE_ID), SECRET)
            c = client(url, SUPERVISOR, SUPERVISOR_PASSWORD)  # re-verification is a supervisor's
            service = ReviewService(ledger, c, catalog, lambda: Context(TODAY, OFFICE), SUPERVISOR, lambda: NOW)
            start = time.perf_counter()
            review = service.start_from_csv(SERVICE, "list.csv", listing)
            done = service.run(review.run_id)
            batch_times.append(time.perf_counter() - start)
            assert done.finished and done.total == PEOPLE
            c.close()
            ledger.close()
        # One request per person and register, audited one by one (as the intake does): once, it is slow.
        ledger = Ledger(work / "review" / "ledger-single.db", Device(OFFICE, DEVICE_ID), SECRET)
        c = client(url)
        lookups = LookupService(ledger, c)
        kinds = catalog.get(SERVICE).lookups
        start = time.perf_counter()
        for line in listing.splitlines()[1:]:
            nid = parse_id(line)
            for kind in kinds:
                lookups.run(kind, uuid4(), SERVICE, nid, True, USER)
        single_times.append(time.perf_counter() - start)
        c.close()
        ledger.close()
    emit(
        "review_4600_beneficiaries",
        median(batch_times),
        median(single_times),
        "s",
        f"batch endpoint ({runs} runs) vs one look-up per request (1 run); ratio < 0.05 means ≥ 20× faster",
    )
