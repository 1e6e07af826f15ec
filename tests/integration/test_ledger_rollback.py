"""A ledger file that is older than the numbers it issued: restored from a backup or a VM snapshot, cut short by a
lost WAL, or copied to a second PC with the same device id. Against a real city on SQLite and PostgreSQL: the
ledger issues no number until it has pulled back what the city holds and moved past every number ever issued, and
the city never holds two cases under one number.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cityserver.db import CaseRow, SecurityEventRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from sync.city.catchup import check_numbers
from sync.city.client import CityClient
from sync.city.push import push_pending
from sync.ledger import Device, Ledger
from sync.protocol.errors import StoreError
from tests.conftest import OFFICE, SUPERVISOR, SUPERVISOR_PASSWORD, fixed_now
from tests.fakes.devices import TEST_DEVICE, client_for
from tests.reliability.harness import make_cases

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx

KEY = b"\x01" * 32
DEVICE = Device(OFFICE, TEST_DEVICE.device_id)


def ids(population: list[Resident], start: int, n: int) -> list[str]:
    return [r.national_id for r in population[start : start + n]]


def snapshot(folder: Path, to: Path, with_marks: bool) -> None:
    """What a backup holds: the closed ledger file, and the marks beside it if the whole folder was copied."""
    to.mkdir()
    shutil.copy2(folder / "ledger.db", to / "ledger.db")
    if with_marks:
        shutil.copy2(folder / "ledger.marks", to / "ledger.marks")


def put_back(backup: Path, folder: Path) -> None:
    """Restore the backup over the data folder: the ledger's WAL and index go, the marks only if backed up."""
    for name in ("ledger.db-wal", "ledger.db-shm"):
        (folder / name).unlink(missing_ok=True)
    for item in backup.iterdir():
        shutil.copy2(item, folder / item.name)


def city_numbers(city: EmbeddedServer) -> tuple[int, int, int]:
    """(cases, distinct case numbers, distinct receipt numbers) the city holds of the test device."""
    with city.app.state.session_factory() as s:
        mine = CaseRow.device_id == TEST_DEVICE.device_id
        return (
            s.scalar(select(func.count()).select_from(CaseRow).where(mine)) or 0,
            s.scalar(select(func.count(func.distinct(CaseRow.case_number))).where(mine)) or 0,
            s.scalar(select(func.count(func.distinct(CaseRow.receipt_number))).where(mine)) or 0,
        )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def supervisor(city: EmbeddedServer) -> Iterator[CityClient]:
    c = client_for(city, TEST_DEVICE, SUPERVISOR, SUPERVISOR_PASSWORD)
    yield c
    c.close()


@pytest.mark.parametrize("with_marks", [False, True], ids=["ledger-file-restored", "whole-folder-restored"])
def test_a_ledger_restored_from_an_older_copy_pulls_back_and_never_issues_a_number_twice(
    city: EmbeddedServer, client: CityClient, population: list[Resident], folder: Path, tmp_path: Path, with_marks: bool
) -> None:
    ledger = Ledger(folder / "ledger.db", DEVICE, KEY, fixed_now)
    make_cases(ledger, ids(population, 0, 3))
    assert push_pending(ledger, client).accepted == 3
    ledger.close()
    snapshot(folder, tmp_path / "backup", with_marks)
    ledger = Ledger(folder / "ledger.db", DEVICE, KEY, fixed_now)
    make_cases(ledger, ids(population, 3, 4))
    assert check_numbers(ledger, client).verdict == "current"
    assert push_pending(ledger, client).accepted == 4
    later = [c.case_number for c in ledger.cases.recent()]
    ledger.close()

    put_back(tmp_path / "backup", folder)
    restored = Ledger(folder / "ledger.db", DEVICE, KEY, fixed_now)
    assert restored.cases.count() == 3
    if not with_marks:  # the marks beside the file know better at once, before any network
        assert restored.numbering.standing[0] == "receipt 3 < 7"
        with pytest.raises(StoreError) as refused:
            make_cases(restored, ids(population, 7, 1))
        assert refused.value.code == "ledger_behind"
    caught = check_numbers(restored, client)
    assert (caught.verdict, caught.standing, caught.restored.cases, caught.lost) == ("behind", (), 4, (0, 0))
    assert sorted(c.case_number for c in restored.cases.recent()) == sorted(later)
    back = restored.cases.search(population[5].national_id)  # put back whole: the person's details open again
    assert [c.applicant_name for c in back] == ["測試2"]
    assert restored.outbox.counts() == {"pending": 0, "sent": 7, "attention": 0, "withdrawn": 0}

    make_cases(restored, ids(population, 7, 1))
    new = restored.cases.recent(1)[0]
    assert new.receipt_number == f"{DEVICE.device_id}-R0000008"
    assert new.case_number.endswith("-0008")
    assert push_pending(restored, client).accepted == 1
    assert city_numbers(city) == (8, 8, 8)
    restored.close()


def test_a_ledger_that_lost_the_end_of_its_wal_names_what_never_reached_the_city(
    city: EmbeddedServer, client: CityClient, population: list[Resident], folder: Path, tmp_path: Path
) -> None:
    """Five cases delivered, three more taken offline; then the WAL holding the three is lost. The marks file
    knows eight were issued: the three are reported lost (the citizens hold receipts the city never saw) and the
    next number is the ninth."""
    ledger = Ledger(folder / "ledger.db", DEVICE, KEY, fixed_now)
    make_cases(ledger, ids(population, 0, 5))
    assert push_pending(ledger, client).accepted == 5
    ledger.close()
    snapshot(folder, tmp_path / "before", with_marks=False)
    ledger = Ledger(folder / "ledger.db", DEVICE, KEY, fixed_now)
    make_cases(ledger, ids(population, 5, 3))  # offline: never pushed
    ledger.close()
    put_back(tmp_path / "before", folder)  # the file as it was before the lost WAL's transactions

    ledger = Ledger(folder / "ledger.db", DEVICE, KEY, fixed_now)
    assert ledger.numbering.standing[0] == "receipt 5 < 8"
    caught = check_numbers(ledger, client)
    assert (caught.restored.cases, caught.lost, caught.standing) == (0, (6, 8), ())
    lost = [d for k, o, d in _audit_rows(ledger) if k == "numbers-lost"]
    assert lost == [
        f"收據 {DEVICE.device_id}-R0000006–{DEVICE.device_id}-R0000008 已發出但未送達市府即遺失（帳本還原或損毀）"
    ]
    make_cases(ledger, ids(population, 8, 1))
    assert ledger.cases.recent(1)[0].receipt_number == f"{DEVICE.device_id}-R0000009"
    assert push_pending(ledger, client).accepted == 1
    assert city_numbers(city) == (6, 6, 6)
    ledger.close()


def test_a_second_installation_with_the_same_device_id_issues_nothing_until_a_supervisor_takes_over(
    city: EmbeddedServer,
    client: CityClient,
    supervisor: CityClient,
    population: list[Resident],
    tmp_path: Path,
) -> None:
    """A copied profile: the same device id and keys, another ledger file. The city tells it apart by the
    ledger's id; its copy issues nothing (and numbers it issued before are refused); a supervisor's rebuild takes
    the device over, and from then on the first installation is the one refused."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = Ledger(tmp_path / "a" / "ledger.db", DEVICE, KEY, fixed_now)
    make_cases(first, ids(population, 0, 2))
    assert check_numbers(first, client).verdict == "current"
    assert push_pending(first, client).accepted == 2

    copy = Ledger(tmp_path / "b" / "ledger.db", DEVICE, KEY, fixed_now)
    make_cases(copy, ids(population, 2, 1))  # taken before it ever spoke to the city: the number is refused
    caught = check_numbers(copy, client)
    assert (caught.verdict, caught.standing) == ("other_ledger", ("other_ledger",))
    with pytest.raises(StoreError) as refused:
        make_cases(copy, ids(population, 3, 1))
    assert refused.value.code == "ledger_other"
    report = push_pending(copy, client)
    assert (report.accepted, report.rejected) == (0, 1)
    assert city_numbers(city) == (2, 2, 2)

    # Taking the device over is a supervisor's: a clerk's session asking for it changes nothing at the city.
    assert check_numbers(copy, client, takeover=True).verdict == "other_ledger"
    assert check_numbers(first, client).verdict == "current"
    taken = check_numbers(copy, supervisor, takeover=True)
    assert (taken.verdict, taken.standing) == ("behind", ())
    assert taken.restored.clashes == [f"{OFFICE.code}-{DEVICE.device_id}-1151120-0001"]
    assert check_numbers(first, client).verdict == "other_ledger"
    with pytest.raises(StoreError):
        make_cases(first, ids(population, 4, 1))
    make_cases(copy, ids(population, 4, 1))
    assert copy.cases.recent(1)[0].receipt_number == f"{DEVICE.device_id}-R0000003"
    assert push_pending(copy, client).accepted == 1
    assert city_numbers(city) == (3, 3, 3)
    with city.app.state.session_factory() as s:
        kinds = s.scalars(select(SecurityEventRow.kind).where(SecurityEventRow.device_id == DEVICE.device_id)).all()
    assert {"ledger_registered", "ledger_other", "ledger_replaced"} <= set(kinds)
    first.close()
    copy.close()


def test_an_audit_chain_cut_short_is_noted_in_the_chain_and_by_the_city(
    city: EmbeddedServer, client: CityClient, folder: Path, tmp_path: Path
) -> None:
    from sync.ledger import LookupAudit

    ledger = Ledger(folder / "ledger.db", DEVICE, KEY, fixed_now)

    def looked_up(n: int) -> None:
        for _ in range(n):
            ledger.audit.record(LookupAudit(uuid.uuid4(), "SW-05", "household", "A123456789", "clerk-test", "hit"))

    looked_up(2)
    ledger.close()
    snapshot(folder, tmp_path / "backup", with_marks=True)
    ledger = Ledger(folder / "ledger.db", DEVICE, KEY, fixed_now)
    looked_up(3)
    assert check_numbers(ledger, client).verdict == "current"
    ledger.close()
    put_back(tmp_path / "backup", folder)

    ledger = Ledger(folder / "ledger.db", DEVICE, KEY, fixed_now)
    assert check_numbers(ledger, client).standing == ()  # not a number handed to anyone: intake goes on
    gaps = [d for k, _o, d in _audit_rows(ledger) if k == "chain-gap"]
    assert len(gaps) == 1 and gaps[0].startswith("稽核紀錄第 3–5 筆遺失")
    assert ledger.audit.verify_chain() is None
    check_numbers(ledger, client)  # a second sync notes nothing more
    assert [k for k, _o, _d in _audit_rows(ledger)].count("chain-gap") == 1
    with city.app.state.session_factory() as s:
        assert s.scalar(select(func.count()).where(SecurityEventRow.kind == "audit_rollback")) == 1
    ledger.close()


def _audit_rows(ledger: Ledger) -> list[tuple[str, str, str]]:
    import sqlite3

    with sqlite3.connect(ledger.path) as conn:
        return [(k, o, d or "") for k, o, d in conn.execute("SELECT kind, outcome, detail FROM lookups ORDER BY seq")]
