"""The look-up audit trail is a hash chain: any edit, deletion or reordering is found, at its first row."""

from __future__ import annotations

import sqlite3
from uuid import uuid4

import pytest

from sync.ledger import Ledger, LookupAudit


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
