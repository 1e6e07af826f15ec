"""The ledger's promises made deterministic: a case, its receipt and its outbox row are kept together or not at all
whichever of the three writes fails, numbers burnt by a failure are not skipped, and a sealed value opens only in
the row and column it was sealed for."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy import event

from sync.ledger import Ledger
from sync.ledger.store.tables import CaseRow, CounterRow, OutboxRow, ReceiptRow
from sync.protocol.errors import StoreError
from tests.sync.test_ledger import draft, rows


class Refused(Exception):
    pass


@pytest.fixture
def failing_insert() -> Iterator[list[type]]:
    """Make inserts of the listed table classes fail (as a full disk or a constraint would), for one test."""
    tables: list[type] = []

    def refuse(_mapper: object, _connection: object, target: object) -> None:
        if type(target) in tables:
            raise Refused(type(target).__name__)

    listened = (CaseRow, ReceiptRow, OutboxRow, CounterRow)
    for table in listened:
        event.listen(table, "before_insert", refuse)
    yield tables
    for table in listened:
        event.remove(table, "before_insert", refuse)


@pytest.mark.parametrize("table", [CaseRow, ReceiptRow, OutboxRow, CounterRow], ids=lambda t: t.__tablename__)
def test_a_failed_write_keeps_nothing_of_the_case(ledger: Ledger, failing_insert: list[type], table: type) -> None:
    ledger.cases.accept(draft())  # the counters exist now: a second case updates them, a first one inserts them
    before = {t: rows(ledger.path, t) for t in ("cases", "receipts", "outbox", "counters")}
    fresh = Ledger(ledger.path.with_name("fresh.db"), ledger.device, b"\x02" * 32)
    fresh_before = {t: rows(fresh.path, t) for t in before}
    failing_insert.append(table)
    try:
        with pytest.raises((Refused, StoreError)):
            (fresh if table is CounterRow else ledger).cases.accept(draft())
    finally:
        failing_insert.clear()
    assert {t: rows(ledger.path, t) for t in before} == before
    assert {t: rows(fresh.path, t) for t in before} == fresh_before
    # The next case takes the next number: the failed attempt burnt none.
    assert ledger.cases.accept(draft()).receipt_number.endswith("R0000002")
    assert fresh.cases.accept(draft()).receipt_number.endswith("R0000001")
    fresh.close()


def test_a_sealed_value_does_not_open_in_another_row(ledger: Ledger) -> None:
    first, second = ledger.cases.accept(draft()), ledger.cases.accept(draft())
    with sqlite3.connect(ledger.path) as conn:
        sealed = dict(conn.execute("SELECT case_uuid, applicant_name FROM cases").fetchall())
        conn.execute(
            "UPDATE cases SET applicant_name = ? WHERE case_uuid = ?",
            (sealed[str(second.case_uuid)], str(first.case_uuid)),
        )
    with pytest.raises(StoreError) as moved:
        ledger.cases.case(first.case_uuid)
    assert moved.value.code == "store_sealed" and moved.value.params["column"] == "cases.applicant_name"
    assert ledger.cases.case(second.case_uuid).applicant_name == "王小明"  # the row it belongs to still opens


def test_a_sealed_value_does_not_open_in_another_column(ledger: Ledger) -> None:
    case = ledger.cases.accept(draft())
    with sqlite3.connect(ledger.path) as conn:
        (name,) = conn.execute("SELECT applicant_name FROM cases").fetchone()
        conn.execute("UPDATE cases SET fields_json = ? WHERE case_uuid = ?", (name, str(case.case_uuid)))
    with pytest.raises(StoreError) as moved:
        ledger.cases.case(case.case_uuid)
    assert moved.value.params["column"] == "cases.fields_json"


def test_a_sealed_value_does_not_open_with_another_devices_key(ledger: Ledger) -> None:
    case = ledger.cases.accept(draft())
    ledger.close()
    other = Ledger(ledger.path, ledger.device, b"\x03" * 32)
    with pytest.raises(StoreError):
        other.cases.case(case.case_uuid)
    other.close()


@pytest.mark.parametrize("damaged", ["v1:@@@@", "v1:", "v1:AAAA"], ids=["not base64", "empty", "too short"])
def test_a_damaged_sealed_value_is_a_store_error_not_a_crash(ledger: Ledger, damaged: str) -> None:
    case = ledger.cases.accept(draft())
    with sqlite3.connect(ledger.path) as conn:
        conn.execute("UPDATE cases SET applicant_name = ? WHERE case_uuid = ?", (damaged, str(case.case_uuid)))
    with pytest.raises(StoreError) as err:
        ledger.cases.case(case.case_uuid)
    assert err.value.code == "store_sealed" and err.value.params["column"] == "cases.applicant_name"
