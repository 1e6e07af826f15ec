"""`counterdesk recover` against a real city (SQLite and PostgreSQL): a ledger damaged in its structure, or lost
altogether, is rebuilt from what the city holds and what the damaged file still says; the damaged files are kept
untouched; what is lost is named; numbering goes on past every number issued."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from forms.errors import DomainError
from sync.city.catchup import check_numbers
from sync.city.client import CityClient
from sync.city.push import push_pending
from sync.ledger import Device, Ledger
from sync.ledger.store.integrity import probe
from sync.protocol.errors import StoreError
from sync.services.recover import recover
from tests.conftest import OFFICE, SUPERVISOR, SUPERVISOR_PASSWORD, fixed_now
from tests.fakes.devices import TEST_DEVICE, client_for
from tests.integration.test_ledger_rollback import city_numbers, ids
from tests.reliability.harness import make_cases

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx

KEY = b"\x01" * 32
DEVICE = Device(OFFICE, TEST_DEVICE.device_id)


def a_day_of_work(folder: Path, client: CityClient, population: list[Resident]) -> None:
    """Four cases delivered, two more taken offline (only this ledger has them)."""
    ledger = Ledger(folder / "ledger.db", DEVICE, KEY, fixed_now)
    make_cases(ledger, ids(population, 0, 4))
    assert check_numbers(ledger, client).verdict == "current"
    assert push_pending(ledger, client).accepted == 4
    make_cases(ledger, ids(population, 4, 2))
    ledger.close()


def break_an_index(path: Path) -> None:
    """Overwrite the root page of one index: SQLite's own check fails, the tables still read."""
    with closing(sqlite3.connect(path)) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_cases_received_at'").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    start = (root - 1) * size
    data[start : start + size] = b"\x0d" + b"\xff" * (size - 1)
    path.write_bytes(bytes(data))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def chief(city: EmbeddedServer) -> CityClient:
    return client_for(city, TEST_DEVICE, SUPERVISOR, SUPERVISOR_PASSWORD)


def test_a_damaged_ledger_is_rebuilt_from_the_city_and_its_own_readable_rows(
    city: EmbeddedServer, client: CityClient, chief: CityClient, population: list[Resident], tmp_path: Path
) -> None:
    a_day_of_work(tmp_path, client, population)
    path = tmp_path / "ledger.db"
    break_an_index(path)
    assert probe(path).state == "damaged"
    damaged = sha(path)
    with pytest.raises(StoreError) as refused:
        Ledger(path, DEVICE, KEY, fixed_now)
    assert refused.value.code == "ledger_damaged"

    report = recover(path, DEVICE, KEY, chief, fixed_now)
    assert (report.from_city, report.from_file, report.queued, report.lost, report.clashes) == (4, 2, 2, [], [])
    assert report.check == "正常"
    assert sha(Path(report.aside) / "ledger.db") == damaged  # kept aside as it was
    assert (Path(report.aside) / "recovery.json").exists()
    assert "已自市府取回 4 件案件；自損毀檔案救回 2 件市府未持有的案件（其中 2 件待上傳）。" in report.lines("D0001")

    ledger = Ledger(path, DEVICE, KEY, fixed_now)
    assert ledger.numbering.standing == ()
    names = [f"測試{n}" for n in range(4)] + [f"測試{n}" for n in range(2)]  # make_cases counts from 0 each call
    assert sorted(c.applicant_name for c in ledger.cases.recent()) == sorted(names)
    assert ledger.audit.verify_chain() is None
    make_cases(ledger, ids(population, 6, 1))
    assert ledger.cases.recent(1)[0].receipt_number == f"{DEVICE.device_id}-R0000007"
    assert push_pending(ledger, client).accepted == 3  # the two only the file had, and the new one
    assert city_numbers(city) == (7, 7, 7)
    ledger.close()


def test_a_lost_ledger_is_rebuilt_and_names_the_numbers_nobody_holds(
    city: EmbeddedServer, client: CityClient, chief: CityClient, population: list[Resident], tmp_path: Path
) -> None:
    a_day_of_work(tmp_path, client, population)
    for name in ("ledger.db", "ledger.db-wal", "ledger.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    fresh = Ledger(tmp_path / "ledger.db", DEVICE, KEY, fixed_now)  # what a start would make: it is behind
    assert fresh.numbering.standing[0] == "receipt 0 < 6"
    fresh.close()
    (tmp_path / "ledger.db").unlink()

    report = recover(tmp_path / "ledger.db", DEVICE, KEY, chief, fixed_now)
    assert (report.from_city, report.from_file, report.lost) == (4, 0, [(5, 6)])
    assert "遺失：收據 D0001-R0000005–D0001-R0000006 已發出，但市府與本機都沒有。" in report.lines("D0001")
    ledger = Ledger(tmp_path / "ledger.db", DEVICE, KEY, fixed_now)
    make_cases(ledger, ids(population, 6, 1))
    assert ledger.cases.recent(1)[0].receipt_number == f"{DEVICE.device_id}-R0000007"
    ledger.close()


def test_only_a_supervisor_rebuilds_and_a_refusal_moves_nothing(
    city: EmbeddedServer, client: CityClient, population: list[Resident], tmp_path: Path
) -> None:
    a_day_of_work(tmp_path, client, population)
    break_an_index(tmp_path / "ledger.db")
    before = sorted(p.name for p in tmp_path.glob("ledger*"))
    with pytest.raises(DomainError) as refused:
        recover(tmp_path / "ledger.db", DEVICE, KEY, client, fixed_now)
    assert refused.value.code == "recover_supervisor_only"
    assert sorted(p.name for p in tmp_path.glob("ledger*")) == before
