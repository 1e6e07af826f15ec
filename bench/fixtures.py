"""Ledgers with many cases for the benchmarks, made through the ledger's own API and cached in .bench-cache/
(keyed by the schema revision, so a new migration makes them again)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import cycle
from pathlib import Path
from uuid import uuid4

from bench.common import CACHE, DEVICE_ID, OFFICE, SECRET
from cityserver.population import generate
from forms.catalog import load_catalog
from forms.clock import TAIPEI
from forms.ids import parse_id
from forms.types import Applicant, Decision, Outcome, RuleResult
from sync.ledger import CaseDraft, Device, Ledger
from sync.ledger.store.migrate import head_revision

DAY_START = datetime(2026, 11, 20, 8, 0, tzinfo=TAIPEI)
DEVICE = Device(office=OFFICE, device_id=DEVICE_ID)


class Clock:
    def __init__(self, start: datetime, step: timedelta) -> None:
        self.at, self.step = start, step

    def __call__(self) -> datetime:
        return self.at

    def tick(self) -> None:
        self.at += self.step


def ledger_with_cases(n: int, label: str, step: timedelta = timedelta(seconds=12)) -> Path:
    """A ledger of `n` pending cases of 敬老愛心卡 taken on one office day from 08:00 (cached)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"ledger-{label}-{n}-{DEVICE_ID}-r{head_revision()}.db"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    clock = Clock(DAY_START, step)
    ledger = Ledger(tmp, DEVICE, SECRET, clock)
    service = load_catalog().get("SW-05")
    people = cycle(generate())
    clerks = cycle(["櫃台甲", "櫃台乙", "櫃台丙"])
    for _ in range(n):
        person = next(people)
        draft = CaseDraft(
            case_uuid=uuid4(),
            service=service,
            applicant=Applicant(parse_id(person.national_id), person.name, person.birth_date),
            decision=Decision((RuleResult("age_at_least", Outcome.PASS, "age_ok", {"min_age": 65}),)),
            clerk=next(clerks),
            fields={"phone": "0912345678"},
            due_date=DAY_START.date() + timedelta(days=3),
        )
        ledger.cases.accept(draft)
        clock.tick()
    ledger.close()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    tmp.replace(path)
    return path


def working_copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return target


def open_ledger(path: Path, now: Callable[[], datetime] | None = None) -> Ledger:
    return Ledger(path, DEVICE, SECRET, now or (lambda: DAY_START.replace(hour=17)))
