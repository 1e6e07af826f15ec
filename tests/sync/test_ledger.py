"""The ledger on a real SQLite file: durability settings, one transaction per case, gapless numbers, migrations."""

from __future__ import annotations

import importlib
import shutil
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import sync.ledger.cases as ledger_module
from forms.catalog import load_catalog
from forms.dayclose import compute
from forms.ids import parse_id
from forms.types import Applicant, Decision, Outcome, RuleResult
from sync.ledger import CaseDraft, Device, Ledger
from sync.ledger.store import migrate
from sync.ledger.store.migrate import head_revision
from sync.ledger.store.tables import Base
from sync.protocol.errors import StoreError

SERVICE = load_catalog().get("SW-01")


def draft(outcome: Outcome = Outcome.PASS) -> CaseDraft:
    return CaseDraft(
        case_uuid=uuid4(),
        service=SERVICE,
        applicant=Applicant(parse_id("H123456786"), "王小明", date(1950, 1, 2)),
        decision=Decision((RuleResult("age_at_least", outcome, "age_ok", {"min_age": 65}),)),
        clerk="clerk-test",
    )


def rows(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_durability_pragmas(ledger: Ledger) -> None:
    with ledger.core.engine.connect() as conn:  # reading back what the app's own connections run with
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_file_is_private_to_the_user(ledger: Ledger) -> None:
    assert ledger.path.stat().st_mode & 0o077 == 0


def test_accept_writes_case_receipt_and_outbox(ledger: Ledger) -> None:
    saved = ledger.cases.accept(draft())
    assert saved.case_number.startswith(f"68000010-{ledger.device.device_id}-")
    assert saved.receipt_number == f"{ledger.device.device_id}-R0000001"
    assert saved.id_masked == "H12345****"
    assert saved.sync_state == "pending"
    assert saved.reasons[0].params == {"min_age": 65}
    for table in ("cases", "receipts", "outbox"):
        assert rows(ledger.path, table) == 1
    assert ledger.outbox.counts()["pending"] == 1


def test_unknown_decision_is_pending_verification(ledger: Ledger) -> None:
    assert ledger.cases.accept(draft(Outcome.UNKNOWN)).status == "待查驗"


def test_numbers_are_gapless_and_unique(ledger: Ledger) -> None:
    saved = [ledger.cases.accept(draft()) for _ in range(25)]
    assert [s.receipt_number for s in saved] == [f"{ledger.device.device_id}-R{i:07d}" for i in range(1, 26)]
    assert len({s.case_number for s in saved}) == 25
    day = saved[0].business_date
    summary = compute(ledger.books.day_facts(day), None, day)
    assert summary.gaps == ()
    assert (summary.first_receipt, summary.last_receipt) == (
        f"{ledger.device.device_id}-R0000001",
        f"{ledger.device.device_id}-R0000025",
    )


def test_failure_inside_the_transaction_leaves_nothing(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """D4: inject a failure after the case row is written; neither case, receipt, outbox nor counters survive."""
    ledger.cases.accept(draft())

    def broken_receipt(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error (injected)")

    monkeypatch.setattr(ledger_module, "ReceiptRow", broken_receipt)
    with pytest.raises(sqlite3.OperationalError):
        ledger.cases.accept(draft())
    for table in ("cases", "receipts", "outbox"):
        assert rows(ledger.path, table) == 1
    monkeypatch.undo()
    assert (
        ledger.cases.accept(draft()).receipt_number == f"{ledger.device.device_id}-R0000002"
    )  # the failed attempt burned no number


def test_baseline_migration_matches_the_tables(ledger: Ledger) -> None:
    with ledger.core.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_database_from_a_newer_app_is_refused(tmp_path: Path, device: Device) -> None:
    path = tmp_path / "ledger.db"
    Ledger(path, device, b"k" * 32).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError) as err:
        Ledger(path, device, b"k" * 32)
    assert err.value.code == "db_too_new"


def test_reopening_keeps_rows_and_makes_no_backup(tmp_path: Path, device: Device) -> None:
    path = tmp_path / "ledger.db"
    first = Ledger(path, device, b"k" * 32)
    first.cases.accept(draft())
    first.close()
    again = Ledger(path, device, b"k" * 32)
    assert again.backup_path is None
    assert again.outbox.counts()["pending"] == 1
    again.close()


def test_lookup_audit_never_holds_the_full_id(ledger: Ledger) -> None:
    from sync.ledger import LookupAudit

    case = uuid4()
    ledger.audit.record(LookupAudit(case, "SW-01", "household", "H123456786", "clerk-test", "hit"))
    assert ledger.audit.of_case(case) == [("household", "hit", "H12345****")]
    with sqlite3.connect(ledger.path) as conn:
        dump = "\n".join(conn.iterdump())
    assert "H12345****" in dump
    assert "H123456786" not in dump


def test_walking_skeleton_database_migrates_to_head_keeping_every_row(tmp_path: Path, device: Device) -> None:
    """tests/data/ledger_r0001.db was made by the walking skeleton's schema (revision 0001) with three cases."""
    path = tmp_path / "ledger.db"
    shutil.copy2(Path(__file__).resolve().parents[1] / "data" / "ledger_r0001.db", path)
    ledger = Ledger(path, device, b"k" * 32)
    # A copy was taken before upgrading; once the clear text was sealed, the copy (which holds it) is gone.
    assert ledger.backup_path is None and list(tmp_path.glob("ledger_r0001_*")) == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 3
        sealed = conn.execute("SELECT national_id, applicant_name, fields_json FROM cases").fetchall()
        assert all(v.startswith("v1:") for row in sealed for v in row)  # the skeleton's plaintext is sealed now
    assert [c.fields for c in ledger.cases.cases_on(date(2026, 11, 21))] == [{}, {}, {}]
    assert len(ledger.cases.search("王小明")) == 3  # name hashes filled in on opening (the migration has no key)
    assert [c.applicant_name for c in ledger.cases.cases_on(date(2026, 11, 21))] == ["王小明"] * 3
    assert ledger.outbox.counts() == {"pending": 1, "sent": 2, "attention": 0, "withdrawn": 0}
    assert ledger.cases.accept(draft()).receipt_number == f"{device.device_id}-R0000004"  # the sequence goes on, no gap
    summary = compute(ledger.books.day_facts(date(2026, 11, 21)), None, date(2026, 11, 21))
    assert summary.cases == 3 and summary.gaps == ()
    ledger.close()
    for name in tmp_path.iterdir():
        assert b"A123456789" not in name.read_bytes(), name  # the skeleton's full ID is nowhere in the clear


def test_search_by_id_name_or_case_number(ledger: Ledger) -> None:
    saved = [ledger.cases.accept(draft()) for _ in range(3)]
    other = replace(draft(), applicant=Applicant(parse_id("A123456789"), "林𡒄", date(1960, 5, 6)))
    lin = ledger.cases.accept(other)
    assert [c.case_number for c in ledger.cases.search("h123456786")] == [s.case_number for s in reversed(saved)]
    assert [c.case_number for c in ledger.cases.search(" 林 𡒄 ")] == [lin.case_number]  # spacing does not matter
    assert [c.case_number for c in ledger.cases.search(saved[1].case_number)] == [saved[1].case_number]
    assert len(ledger.cases.search(saved[0].case_number[:-4])) == 4  # the start of a number: that day's cases
    assert ledger.cases.search("陳大文") == [] and ledger.cases.search("  ") == []
    with sqlite3.connect(ledger.path) as conn:  # the name is found by a keyed hash; it is never stored in clear
        assert not conn.execute("SELECT count(*) FROM cases WHERE applicant_name LIKE '%林%'").fetchone()[0]


def test_head_constant_matches_the_revision_files() -> None:
    """Opening an up-to-date ledger compares with migrate.HEAD without loading Alembic: it must be the newest."""
    assert migrate.HEAD == head_revision()


def test_the_signed_day_lock_survives_every_migration(ledger: Ledger) -> None:
    """Revision 0007's triggers keep a signed day unchangeable; a later migration that rebuilds a table (SQLite's
    batch mode) would drop them silently. At head they must all be there."""
    lock = importlib.import_module("sync.ledger.store.migrations.versions.0007_voids_and_day_lock")
    with sqlite3.connect(ledger.path) as conn:
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert set(lock.TRIGGERS) <= present
