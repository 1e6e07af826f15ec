"""Receipt-number gaps in the day close, at the edges: the day's last receipt missing (it was reported only on the
next day, after the day was signed), a device's very first receipt, a day's first receipt, and ledgers from before
the per-day counter. Expected numbers are written out by hand from the days' facts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from cityserver.population import Resident
from forms.clock import TAIPEI
from forms.dayclose import compute
from sync.ledger import Device, Ledger
from tests.conftest import OFFICE
from tests.fakes.clock import Clock
from tests.reliability.harness import make_cases

DAY1, DAY2 = date(2026, 11, 20), date(2026, 11, 23)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 20, 9, 0, tzinfo=TAIPEI))


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock) -> Iterator[Ledger]:
    led = Ledger(tmp_path / "ledger.db", Device(OFFICE, "D0042"), b"\x05" * 32, clock)
    yield led
    led.close()


def remove_receipt(ledger: Ledger, seq: int) -> None:
    """A receipt row removed behind the app's back (a damaged or edited file)."""
    with sqlite3.connect(ledger.path) as conn:
        conn.execute("DELETE FROM receipts WHERE seq = ?", (seq,))


def gaps(ledger: Ledger, day: date) -> tuple[str, ...]:
    return compute(ledger.books.day_facts(day), None, day).gaps


@pytest.fixture
def ids(population: list[Resident]) -> list[str]:
    return [r.national_id for r in population[:6]]


def two_days(ledger: Ledger, clock: Clock, ids: list[str]) -> None:
    """Day 1: receipts 1-3; day 2 (the next working day): receipts 4-6."""
    make_cases(ledger, ids[:3])
    clock.at = datetime.combine(DAY2, datetime.min.time(), tzinfo=TAIPEI) + timedelta(hours=9)
    make_cases(ledger, ids[3:])


def test_a_clean_run_of_days_has_no_gaps(ledger: Ledger, clock: Clock, ids: list[str]) -> None:
    two_days(ledger, clock, ids)
    assert gaps(ledger, DAY1) == () and gaps(ledger, DAY2) == ()


def test_the_last_receipt_of_a_day_missing_is_reported_on_that_day(
    ledger: Ledger, clock: Clock, ids: list[str]
) -> None:
    make_cases(ledger, ids[:3])
    remove_receipt(ledger, 3)
    assert gaps(ledger, DAY1) == ("D0042-R0000003",)  # the same day, before it is signed
    clock.at = datetime.combine(DAY2, datetime.min.time(), tzinfo=TAIPEI) + timedelta(hours=9)
    make_cases(ledger, ids[3:])
    assert gaps(ledger, DAY2) == ()  # and not again on the next day


def test_a_devices_first_receipt_missing_is_reported(ledger: Ledger, ids: list[str]) -> None:
    make_cases(ledger, ids[:2])
    remove_receipt(ledger, 1)
    assert gaps(ledger, DAY1) == ("D0042-R0000001",)


def test_a_days_first_receipt_missing_is_reported_on_that_day_only(
    ledger: Ledger, clock: Clock, ids: list[str]
) -> None:
    two_days(ledger, clock, ids)
    remove_receipt(ledger, 4)
    assert gaps(ledger, DAY1) == ()
    assert gaps(ledger, DAY2) == ("D0042-R0000004",)


def test_every_receipt_of_a_day_missing_is_reported(ledger: Ledger, clock: Clock, ids: list[str]) -> None:
    two_days(ledger, clock, ids)
    for seq in (4, 5, 6):
        remove_receipt(ledger, seq)
    assert gaps(ledger, DAY2) == ("D0042-R0000004", "D0042-R0000005", "D0042-R0000006")


def test_a_ledger_from_before_the_day_counter_still_finds_inner_gaps(
    ledger: Ledger, clock: Clock, ids: list[str]
) -> None:
    two_days(ledger, clock, ids)
    with sqlite3.connect(ledger.path) as conn:
        conn.execute("DELETE FROM counters WHERE name LIKE 'receipt_last:%'")
    remove_receipt(ledger, 5)
    assert gaps(ledger, DAY2) == ("D0042-R0000005",)
    assert gaps(ledger, DAY1) == ()
