"""Reading what is left of a damaged ledger: each row on its own, sealed values opened with the device's key, a case
whose outbox row is lost rebuilt from its own row, the audit chain's intact beginning, and every row that could not
be read named. The file itself is never written."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path
from uuid import uuid4

from sync.ledger import Device, Ledger, LookupAudit
from sync.ledger.salvage import salvage
from sync.protocol import wire
from tests.conftest import fixed_now
from tests.sync.test_ledger import draft

KEY = b"\x01" * 32


def made(path: Path, device: Device, cases: int = 3, lookups: int = 3) -> list[str]:
    ledger = Ledger(path, device, KEY, fixed_now)
    keys = [str(ledger.cases.accept(draft()).case_uuid) for _ in range(cases)]
    for _ in range(lookups):
        ledger.audit.record(LookupAudit(uuid4(), "SW-01", "household", "H123456786", "clerk-test", "hit"))
    ledger.close()
    return keys


def test_a_sound_file_gives_back_every_item_and_the_whole_chain(tmp_path: Path, device: Device) -> None:
    path = tmp_path / "ledger.db"
    keys = made(path, device)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    found = salvage(path, KEY)
    assert sorted(i.key for i in found.cases) == sorted(keys)
    assert all(isinstance(i.payload, wire.CaseIn) and i.state == "pending" for i in found.cases)
    assert [r["seq"] for r in found.audit] == [1, 2, 3] and found.problems == []
    assert set(found.reasons) == set(keys)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_lost_outbox_row_is_rebuilt_from_its_case_and_receipt(tmp_path: Path, device: Device) -> None:
    path = tmp_path / "ledger.db"
    keys = made(path, device)
    ledger = Ledger(path, device, KEY, fixed_now)
    original = {str(c.case_uuid): c for c in ledger.cases.recent()}
    ledger.close()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DELETE FROM outbox WHERE idempotency_key = ?", (keys[1],))
    found = salvage(path, KEY)
    rebuilt = next(i for i in found.cases if i.key == keys[1])
    assert isinstance(rebuilt.payload, wire.CaseIn)
    assert (rebuilt.payload.receipt_number, rebuilt.payload.applicant_name) == (
        original[keys[1]].receipt_number,
        "王小明",
    )


def test_what_does_not_open_or_read_is_named_and_the_rest_kept(tmp_path: Path, device: Device) -> None:
    path = tmp_path / "ledger.db"
    keys = made(path, device)
    with closing(sqlite3.connect(path)) as conn, conn:
        sealed = conn.execute("SELECT payload_json FROM outbox WHERE idempotency_key = ?", (keys[0],)).fetchone()[0]
        conn.execute("UPDATE outbox SET payload_json = ? WHERE idempotency_key = ?", (sealed, keys[2]))  # moved
        conn.execute("UPDATE lookups SET clerk = 'intruder' WHERE seq = 2")
        conn.execute("UPDATE cases SET applicant_name = CAST(x'ff' AS TEXT) WHERE case_uuid = ?", (keys[2],))
    found = salvage(path, KEY)
    assert sorted(i.key for i in found.cases) == sorted(keys[:2])  # the third opens nowhere: not guessed
    assert [r["seq"] for r in found.audit] == [1]  # the chain up to the edited row
    assert any(p.startswith(f"outbox {keys[2]}") for p in found.problems)
    assert any(p.startswith("cases row 3") for p in found.problems)


def test_with_another_key_nothing_opens(tmp_path: Path, device: Device) -> None:
    path = tmp_path / "ledger.db"
    made(path, device)
    found = salvage(path, b"\x09" * 32)
    assert found.cases == [] and len(found.problems) >= 3


def test_a_missing_file_gives_nothing(tmp_path: Path) -> None:
    assert salvage(tmp_path / "none.db", KEY).items == []
