"""The look-up audit trail is a hash chain: any edit, deletion or reordering is found, at its first row."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from uuid import uuid4

import pytest

from sync.ledger import Device, Ledger, LookupAudit
from tests.conftest import OFFICE


@pytest.fixture
def audited(ledger: Ledger) -> Ledger:
    case = uuid4()
    for kind, outcome in [
        ("household", "hit"),
        ("disability", "miss"),
        ("tax", "hit"),
        ("welfare", "hit"),
        ("military", "error"),
    ]:
        ledger.audit.record(LookupAudit(case, "SW-19", kind, "H123456786", "clerk-test", outcome))
    assert ledger.audit.verify_chain() is None
    return ledger


def sql(ledger: Ledger, statement: str) -> None:
    with sqlite3.connect(ledger.path) as conn:
        conn.execute(statement)


def test_edited_row_is_found(audited: Ledger) -> None:
    sql(audited, "UPDATE lookups SET outcome = 'miss' WHERE seq = 3")
    assert audited.audit.verify_chain() == 3


def test_deleted_row_is_found(audited: Ledger) -> None:
    sql(audited, "DELETE FROM lookups WHERE seq = 2")
    assert audited.audit.verify_chain() == 2


def test_reordered_rows_are_found(audited: Ledger) -> None:
    sql(audited, "UPDATE lookups SET seq = 99 WHERE seq = 4")
    sql(audited, "UPDATE lookups SET seq = 4 WHERE seq = 5")
    sql(audited, "UPDATE lookups SET seq = 5 WHERE seq = 99")
    assert audited.audit.verify_chain() == 4


def test_rewritten_hash_without_the_rest_is_found(audited: Ledger) -> None:
    # A forger who fixes one row's own hash still breaks the next row's link.
    with sqlite3.connect(audited.path) as conn:
        conn.execute("UPDATE lookups SET detail = 'forged', row_hash = ? WHERE seq = 2", ("f" * 64,))
    assert audited.audit.verify_chain() == 2


def test_chain_continues_across_reopening(audited: Ledger) -> None:
    audited.close()
    again = Ledger(audited.path, audited.device, b"\x01" * 32)
    again.audit.record(LookupAudit(uuid4(), "SW-05", "household", "A123456789", "clerk-test", "hit"))
    assert again.audit.verify_chain() is None
    again.close()


def test_the_head_is_the_last_rows_seq_and_hash_and_the_marks_keep_it(tmp_path: Path) -> None:
    """The head the marks file and the city are told: (0, genesis) for an empty chain; else the highest seq's."""
    from sync.ledger.highwater import MarksFile
    from sync.protocol.audit_chain import GENESIS

    ledger = Ledger(tmp_path / "ledger.db", Device(OFFICE, "D0001"), b"\x01" * 32)
    assert ledger.audit.head() == (0, GENESIS)
    for _ in range(3):
        ledger.audit.record(LookupAudit(uuid4(), "SW-05", "household", "A123456789", "clerk-test", "hit"))
    with sqlite3.connect(ledger.path) as conn:
        rows = conn.execute("SELECT seq, row_hash FROM lookups ORDER BY seq").fetchall()
    assert ledger.audit.head() == rows[-1] and rows[-1][0] == 3 and rows[-1][1] != rows[-2][1]
    marks = MarksFile(tmp_path / "ledger.marks").read()
    assert marks is not None and (marks.audit_seq, marks.audit_head) == rows[-1]
    ledger.close()
