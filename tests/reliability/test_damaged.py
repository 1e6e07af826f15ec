"""The damaged-ledger corpus (issue 12): a day of work, then the ledger files damaged the ways disks, people and
backups damage them, then the app's own start-up path (open, check the numbers with the city, read, sync, the idle
check, a new intake), rebuilding from the city whenever the app says the ledger is damaged or another's.

Every case issued before the damage must end up intact in the ledger (as the city holds it, or as only the ledger
had it), or be named in what the app reported lost or doubly numbered; no number may be issued twice; every
failure on the way must be a coded error. One line: RELIABILITY damaged runs=… silent_loss=… reused_numbers=…
uncoded_errors=…. `make reliability` runs the full corpus (COUNTERDESK_DAMAGED_RUNS).
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import traceback
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from cityserver.app import create_app
from cityserver.db import CaseRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from forms.errors import DomainError
from sync.city.catchup import check_numbers
from sync.city.client import CityClient
from sync.city.push import push_pending
from sync.ledger import Device, Ledger
from sync.ledger.records import seq_of
from sync.protocol.errors import StoreError, SyncError
from sync.services.recover import recover
from tests.conftest import OFFICE, PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD, USER, fixed_now
from tests.fakes.devices import TEST_DEVICE, client_for
from tests.reliability.harness import make_cases

pytestmark = pytest.mark.integration

RUNS = int(os.environ.get("COUNTERDESK_DAMAGED_RUNS", "20"))
KEY = b"\x01" * 32
DEVICE = Device(OFFICE, TEST_DEVICE.device_id)
DAMAGED = ("ledger_damaged", "ledger_unreadable", "store_sealed")
FILES = ("ledger.db", "ledger.db-wal", "ledger.db-shm", "ledger.marks")


@dataclass(frozen=True)
class Issued:
    """A case as it was issued before the damage: its numbers, whether the city acknowledged it, and whether it
    was taken after the backup was made."""

    key: str
    case_number: str
    receipt_number: str
    acked: bool
    after_backup: bool = False


@dataclass
class Outcome:
    erased: list[str] = field(default_factory=list)  # gone from every copy by the restore itself (see below)
    silent_loss: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    uncoded: list[str] = field(default_factory=list)
    recoveries: int = 0
    reported_lost: int = 0


def _issued(path: Path, acked: set[str], backed_up: set[str] | None = None) -> list[Issued]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT c.case_uuid, c.case_number, r.receipt_number FROM cases c JOIN receipts r USING (case_uuid)"
        ).fetchall()
    return [Issued(k, n, r, k in acked, backed_up is not None and k not in backed_up) for k, n, r in rows]


def _sent(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {k for (k,) in conn.execute("SELECT idempotency_key FROM outbox WHERE state = 'sent'")}


def _copy(folder: Path, to: Path, names: tuple[str, ...] = FILES) -> None:
    to.mkdir(parents=True, exist_ok=True)
    for name in names:
        if (folder / name).exists():
            shutil.copy2(folder / name, to / name)


def a_day(folder: Path, clerk: CityClient, people: list[str]) -> tuple[list[Issued], Path]:
    """Four cases delivered and in the main file (a backup is taken then); three more delivered and three taken
    offline, still in the WAL when the files are copied as a crash leaves them. Returns what was issued and the
    backup's folder."""
    ledger = Ledger(folder / "ledger.db", DEVICE, KEY, fixed_now)
    make_cases(ledger, people[:4])
    check_numbers(ledger, clerk)
    push_pending(ledger, clerk)
    ledger.close()
    backup = folder.parent / "backup"
    _copy(folder, backup)
    with closing(sqlite3.connect(backup / "ledger.db")) as conn:
        backed_up = {k for (k,) in conn.execute("SELECT case_uuid FROM cases")}
    ledger = Ledger(folder / "ledger.db", DEVICE, KEY, fixed_now)
    make_cases(ledger, people[4:7])
    push_pending(ledger, clerk)
    make_cases(ledger, people[7:10])
    crash = folder.parent / "crash"
    _copy(folder, crash)  # the files as they are while the app runs: the last transactions only in the WAL
    acked = _sent(folder / "ledger.db")
    ledger.close()
    shutil.rmtree(folder)
    shutil.copytree(crash, folder)
    return _issued(crash / "ledger.db", acked, backed_up), backup


def _flip(path: Path, rng: random.Random, start: int = 0) -> None:
    data = bytearray(path.read_bytes())
    if len(data) <= start:
        return
    at = rng.randrange(start, len(data))
    data[at] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))


def _truncate(path: Path, rng: random.Random) -> None:
    if path.exists() and path.stat().st_size > 32:
        with path.open("r+b") as f:
            f.truncate(rng.randrange(32, path.stat().st_size))


def _zero_page(path: Path, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    pages = len(data) // 4096
    if pages > 1:
        page = rng.randrange(1, pages)
        data[page * 4096 : (page + 1) * 4096] = bytes(4096)
        path.write_bytes(bytes(data))


def _older_copy(folder: Path, backup: Path, with_marks: bool) -> None:
    for name in FILES[:3]:
        (folder / name).unlink(missing_ok=True)
    _copy(backup, folder, FILES if with_marks else FILES[:3])


def _shm_deleted(folder: Path, _backup: Path, _rng: random.Random) -> None:
    (folder / "ledger.db-shm").unlink(missing_ok=True)


def _wal_truncated_shm_deleted(folder: Path, backup: Path, rng: random.Random) -> None:
    _truncate(folder / "ledger.db-wal", rng)
    _shm_deleted(folder, backup, rng)


def _ledger_deleted(folder: Path, _backup: Path, _rng: random.Random) -> None:
    for name in FILES[:3]:
        (folder / name).unlink(missing_ok=True)


Damage = Callable[[Path, Path, random.Random], None]
KINDS: dict[str, Damage] = {
    "wal_truncated": lambda f, _b, rng: _truncate(f / "ledger.db-wal", rng),
    "shm_deleted": _shm_deleted,
    "wal_truncated_shm_deleted": _wal_truncated_shm_deleted,
    "wal_bit_flipped": lambda f, _b, rng: _flip(f / "ledger.db-wal", rng, 32),
    "main_bit_flipped": lambda f, _b, rng: _flip(f / "ledger.db", rng),
    "main_page_zeroed": lambda f, _b, rng: _zero_page(f / "ledger.db", rng),
    "older_copy": lambda f, b, _rng: _older_copy(f, b, with_marks=False),
    "older_copy_with_its_marks": lambda f, b, _rng: _older_copy(f, b, with_marks=True),
    "ledger_deleted": _ledger_deleted,
    "duplicated_device": lambda _f, _b, _rng: None,  # a second installation: see run_once
}


class Start:
    """The app's start-up and first minutes, rebuilding from the city whenever it says the ledger is damaged."""

    def __init__(self, path: Path, clerk: CityClient, chief: CityClient, outcome: Outcome) -> None:
        self.path, self.clerk, self.chief, self.outcome = path, clerk, chief, outcome
        self.lost: set[int] = set()
        self.clashes: set[str] = set()

    def rebuild(self) -> None:
        report = recover(self.path, DEVICE, KEY, self.chief, fixed_now)
        self.outcome.recoveries += 1
        for first, last in report.lost:
            self.lost.update(range(first, last + 1))
        self.clashes.update(report.clashes)

    def open(self) -> Ledger:
        try:
            return Ledger(self.path, DEVICE, KEY, fixed_now)
        except StoreError as exc:
            if exc.code != "ledger_damaged":
                raise
            self.rebuild()
            return Ledger(self.path, DEVICE, KEY, fixed_now)

    def work(self, new_person: str) -> None:
        """Raises StoreError(ledger_other) for a copied profile: that is a supervisor's decision."""
        for _attempt in range(3):
            ledger = self.open()
            try:
                found = check_numbers(ledger, self.clerk)
                if found.lost != (0, 0):
                    self.lost.update(range(found.lost[0], found.lost[1] + 1))
                self.clashes.update(found.restored.clashes)
                if found.standing == ("other_ledger",):
                    # The supervisor's reading: a ledger behind its own marks is this PC's lost ledger (rebuild it);
                    # one that is not is another installation with this device's id (enrol it anew instead).
                    if not ledger.numbering.issued().behind(ledger.numbering.known()):
                        raise StoreError("ledger_other")
                    raise StoreError("ledger_damaged")
                if found.standing:
                    raise StoreError("ledger_behind")
                ledger.cases.recent(10**6)  # what the window reads at once
                push_pending(ledger, self.clerk)
                if ledger.check_integrity().state != "ok":  # the full check, while nobody works
                    raise StoreError("ledger_damaged")
                make_cases(ledger, [new_person])
                push_pending(ledger, self.clerk)
                return
            except StoreError as exc:
                if exc.code not in DAMAGED:
                    raise
                ledger.close()
                self.rebuild()
            finally:
                ledger.close()
        raise AssertionError("still damaged after three rebuilds")


def _final(path: Path) -> dict[str, tuple[str, str]]:
    ledger = Ledger(path, DEVICE, KEY, fixed_now)
    try:
        assert ledger.check_integrity().state == "ok"
        return {str(c.case_uuid): (c.case_number, c.receipt_number) for c in ledger.cases.recent(10**6)}
    finally:
        ledger.close()


def _city(city: EmbeddedServer) -> list[tuple[str, str, str]]:
    with city.app.state.session_factory() as s:
        rows = s.execute(
            select(CaseRow.case_uuid, CaseRow.case_number, CaseRow.receipt_number).where(
                CaseRow.device_id == DEVICE.device_id
            )
        ).all()
    return [(k, n, r) for k, n, r in rows]


def run_once(kind: str, seed: int, template: Path, work: Path, people: list[str]) -> Outcome:
    outcome = Outcome()
    rng = random.Random(seed)
    shutil.copy2(template, work / "city.db")
    app = create_app(f"sqlite:///{work / 'city.db'}")
    city = EmbeddedServer(app)
    city.start()
    clerk = client_for(city, TEST_DEVICE, USER, PASSWORD)
    chief = client_for(city, TEST_DEVICE, SUPERVISOR, SUPERVISOR_PASSWORD)
    try:
        folder = work / "data"
        folder.mkdir()
        issued, backup = a_day(folder, clerk, people)
        target = folder
        if kind == "duplicated_device":
            target = work / "second"
            target.mkdir()
            twin = Ledger(target / "ledger.db", DEVICE, KEY, fixed_now)
            make_cases(twin, people[12:14])  # issued offline before it ever spoke to the city
            issued += _issued(target / "ledger.db", set())
            twin.close()
        else:
            KINDS[kind](folder, backup, rng)
        start = Start(target / "ledger.db", clerk, chief, outcome)
        try:
            start.work(people[11])
        except StoreError as exc:
            # A copied profile must stop issuing until a supervisor decides (rebuild here, or enrol it anew): the
            # corpus does not take the device over blindly, the other installation still has its own cases.
            if not (kind == "duplicated_device" and exc.code == "ledger_other"):
                outcome.uncoded.append(f"{kind}/{seed}: stopped with {exc.code}")  # coded, but the app got stuck
        except (SyncError, DomainError) as exc:
            outcome.uncoded.append(f"{kind}/{seed}: stopped with {exc.code}")
        except Exception:  # noqa: BLE001 - exactly what this corpus counts
            outcome.uncoded.append(f"{kind}/{seed}: {traceback.format_exc(limit=3)}")
        held = _final(target / "ledger.db")
        if kind == "duplicated_device":  # the first installation keeps its own file
            held.update(_final(folder / "ledger.db"))
        outcome.reported_lost = len(start.lost)
        erased = set()
        for case in issued:
            here = held.get(case.key)
            if here == (case.case_number, case.receipt_number):
                continue
            if kind == "older_copy_with_its_marks" and case.after_backup and not case.acked:
                # The whole folder went back to the backup: a case taken offline since exists in no copy, not even
                # in the marks; no program can know it was ever issued (see the closing note's residual risks).
                outcome.erased.append(f"{kind}/{seed}: {case.case_number}")
                erased |= {case.case_number, case.receipt_number}
                continue
            if seq_of(case.receipt_number) in start.lost and not case.acked:
                continue
            if case.case_number in start.clashes:
                continue
            outcome.silent_loss.append(f"{kind}/{seed}: {case.case_number} ({'acked' if case.acked else 'local'})")
        there = _city(city)
        for label, column in (("case", 1), ("receipt", 2)):
            twice = [n for n, c in Counter(row[column] for row in there).items() if c > 1]
            outcome.reused += [f"{kind}/{seed}: {label} {n} held twice" for n in twice]
        # Numbers issued by the app after the damage (the new intake, anything renumbered) must be new ones.
        before = ({c.receipt_number for c in issued} | {c.case_number for c in issued}) - erased
        known = {c.key for c in issued}
        for key, (number, receipt) in held.items():
            if key not in known:
                outcome.reused += [f"{kind}/{seed}: {v} issued again" for v in (number, receipt) if v in before]
    finally:
        clerk.close()
        chief.close()
        city.stop()
        app.state.engine.dispose()
    return outcome


def test_the_damaged_ledger_corpus(
    city_template: Path, tmp_path: Path, population: list[Resident], summary: Callable[[str], None]
) -> None:
    people = [r.national_id for r in population[:16]]
    kinds = list(KINDS)
    total = Outcome()
    for n in range(RUNS):
        kind = kinds[n % len(kinds)]
        work = tmp_path / f"run{n}"
        work.mkdir()
        got = run_once(kind, 1000 + n, city_template, work, people)
        total.erased += got.erased
        total.silent_loss += got.silent_loss
        total.reused += got.reused
        total.uncoded += got.uncoded
        total.recoveries += got.recoveries
        total.reported_lost += got.reported_lost
        shutil.rmtree(work, ignore_errors=True)
    line = (
        f"RELIABILITY damaged runs={RUNS} silent_loss={len(total.silent_loss)} reused_numbers={len(total.reused)} "
        f"uncoded_errors={len(total.uncoded)} rebuilt={total.recoveries} reported_lost={total.reported_lost} "
        f"erased_by_restore={len(total.erased)}"
    )
    summary(line)
    print(line)
    assert not (total.silent_loss or total.reused or total.uncoded), (total.silent_loss, total.reused, total.uncoded)
