"""A ledger file that is not what the app wrote: every kind of damage is found, said in a coded error that names
where, and the damaged file is never written to again.

The damage is made the way disks make it: bytes of the closed file changed in place (a flipped bit, a page
overwritten, the file cut short), or rows changed behind the ledger's back with plain SQL.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from uuid import uuid4

import pytest

from sync.ledger import Device, Ledger, LookupAudit
from sync.ledger.store.integrity import probe
from sync.protocol.errors import StoreError
from tests.conftest import fixed_now
from tests.sync.test_ledger import draft

KEY = b"\x01" * 32


def made(path: Path, device: Device, cases: int = 3) -> list[str]:
    """A closed ledger with `cases` cases (the WAL checkpointed into the file); their receipt numbers."""
    ledger = Ledger(path, device, KEY, fixed_now)
    numbers = [ledger.cases.accept(draft()).receipt_number for _ in range(cases)]
    ledger.close()
    return numbers


def flip(path: Path, needle: bytes, index: int, bit: int, occurrence: int | None = 0) -> int:
    """Flip one bit of byte `index` of `needle` where it occurs in the file (the n-th place, or every place with
    None). Returns how many places were changed."""
    data = bytearray(path.read_bytes())
    places, start = [], 0
    while (at := data.find(needle, start)) != -1:
        places.append(at)
        start = at + 1
    assert places, f"{needle!r} not in the file"
    for at in places if occurrence is None else [places[occurrence]]:
        data[at + index] ^= 1 << bit
    path.write_bytes(bytes(data))
    return len(places) if occurrence is None else 1


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_sound_ledger_probes_ok_with_its_numbers(tmp_path: Path, device: Device) -> None:
    path = tmp_path / "ledger.db"
    made(path, device, 3)
    found = probe(path, full=True)
    assert (found.state, found.cases, found.receipts, found.chain) == ("ok", 3, 3, "ok")
    assert found.marks.receipt_seq == 3
    assert found.marks.case_seqs == {fixed_now().date().isoformat(): 3}
    assert probe(tmp_path / "none.db").state == "new"


def test_a_receipt_number_turned_into_a_control_character_is_named_and_stops_writes(
    tmp_path: Path, device: Device
) -> None:
    """The review's case: 'D' (0x44) → 0x04 in one receipt number, in the table and its index alike, so that
    SQLite's own checks see nothing wrong."""
    path = tmp_path / "ledger.db"
    numbers = made(path, device)
    flip(path, numbers[1].encode(), 0, 6, occurrence=None)
    assert probe(path).state == "ok"  # the structure is sound: only reading the value shows it
    ledger = Ledger(path, device, KEY, fixed_now)
    before = digest(path)
    with pytest.raises(StoreError) as read:
        ledger.cases.recent()
    assert read.value.code == "ledger_unreadable"
    assert read.value.params["where"] == "receipts row 2"
    with pytest.raises(StoreError) as write:
        ledger.cases.accept(draft())
    assert write.value.code == "ledger_damaged"
    ledger.close()
    assert digest(path) == before
    assert "receipts row 2: control character in a text value" in probe(path, full=True).problems


def test_a_digit_changed_in_the_table_only_is_found_by_the_full_check(tmp_path: Path, device: Device) -> None:
    """A flip that leaves a valid number ('2' → '3') is only seen where the table and its index disagree."""
    path = tmp_path / "ledger.db"
    numbers = made(path, device)
    flip(path, numbers[1].encode(), len(numbers[1]) - 1, 0, occurrence=0)  # '2' (0x32) → '3' (0x33)
    assert probe(path).state == "ok"
    full = probe(path, full=True)
    assert full.state == "damaged" and any("sqlite:" in p for p in full.problems), full.problems
    ledger = Ledger(path, device, KEY, fixed_now)
    assert ledger.check_integrity().state == "damaged"
    with pytest.raises(StoreError) as write:
        ledger.cases.accept(draft())
    assert write.value.code == "ledger_damaged"
    ledger.close()


@pytest.mark.parametrize("how", ["page-header", "cut-in-half"])
def test_a_ledger_whose_structure_is_broken_does_not_open_and_is_left_as_it_is(
    tmp_path: Path, device: Device, how: str
) -> None:
    path = tmp_path / "ledger.db"
    made(path, device, 40)
    data = bytearray(path.read_bytes())
    page = 4096
    if how == "page-header":
        data[2 * page : 2 * page + 12] = b"\xa5" * 12  # the b-tree header of the file's third page
    else:
        data = data[: len(data) // 2]
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(StoreError) as opened:
        Ledger(path, device, KEY, fixed_now)
    assert opened.value.code == "ledger_damaged"
    assert digest(path) == before
    assert not (tmp_path / "ledger.db-wal").exists() or (tmp_path / "ledger.db-wal").stat().st_size == 0


def test_text_that_is_not_utf8_is_a_coded_error_naming_the_case(tmp_path: Path, device: Device) -> None:
    path = tmp_path / "ledger.db"
    made(path, device)
    with sqlite3.connect(path) as conn:
        number = conn.execute("SELECT case_number FROM cases ORDER BY case_number LIMIT 1").fetchone()[0]
        conn.execute("UPDATE cases SET reasons_json = CAST(x'5b7b22ff' AS TEXT) WHERE case_number = ?", (number,))
    ledger = Ledger(path, device, KEY, fixed_now)
    with pytest.raises(StoreError) as read:
        ledger.cases.cases_on(fixed_now().date())
    assert read.value.code == "ledger_unreadable"
    assert read.value.params["where"].startswith("cases row ")
    ledger.close()


def test_json_that_does_not_parse_names_its_case(tmp_path: Path, device: Device) -> None:
    path = tmp_path / "ledger.db"
    made(path, device)
    with sqlite3.connect(path) as conn:
        number = conn.execute("SELECT case_number FROM cases ORDER BY case_number LIMIT 1").fetchone()[0]
        conn.execute("UPDATE cases SET reasons_json = '[{\"rule\": 1' WHERE case_number = ?", (number,))
    ledger = Ledger(path, device, KEY, fixed_now)
    with pytest.raises(StoreError) as read:
        ledger.cases.recent()
    assert read.value.params["where"] == f"cases {number}"
    with pytest.raises(StoreError) as write:
        ledger.cases.accept(draft())
    assert write.value.code == "ledger_damaged"
    ledger.close()


def test_a_sealed_value_that_does_not_open_names_its_row_and_stops_writes(tmp_path: Path, device: Device) -> None:
    path = tmp_path / "ledger.db"
    made(path, device)
    with sqlite3.connect(path) as conn:
        keys = [r[0] for r in conn.execute("SELECT case_uuid FROM cases ORDER BY case_number")]
        name = conn.execute("SELECT applicant_name FROM cases WHERE case_uuid = ?", (keys[0],)).fetchone()[0]
        conn.execute("UPDATE cases SET applicant_name = ? WHERE case_uuid = ?", (name, keys[1]))
    ledger = Ledger(path, device, KEY, fixed_now)
    with pytest.raises(StoreError) as read:
        ledger.cases.recent()
    assert (read.value.code, read.value.params["row"]) == ("store_sealed", keys[1])
    with pytest.raises(StoreError) as write:
        ledger.cases.accept(draft())
    assert write.value.code == "ledger_damaged"
    ledger.close()


@pytest.mark.parametrize(
    "change",
    ["DELETE FROM lookups WHERE seq = 2", "UPDATE lookups SET clerk = 'someone' WHERE seq = 4"],
    ids=["row-removed-in-the-middle", "last-row-edited"],
)
def test_an_audit_chain_changed_behind_the_ledger_is_broken_at_open(
    tmp_path: Path, device: Device, change: str
) -> None:
    path = tmp_path / "ledger.db"
    ledger = Ledger(path, device, KEY, fixed_now)
    for _ in range(4):
        ledger.audit.record(LookupAudit(uuid4(), "SW-01", "household", "H123456786", "clerk-test", "hit"))
    ledger.close()
    assert probe(path).chain == "ok"
    with sqlite3.connect(path) as conn:
        conn.execute(change)
    found = probe(path)
    assert (found.state, found.chain) == ("damaged", "broken")
    with pytest.raises(StoreError) as opened:
        Ledger(path, device, KEY, fixed_now)
    assert opened.value.code == "ledger_damaged"


@pytest.mark.parametrize(
    ("column", "value"),
    [("fee", 101), ("clerk", "clerk-tesu"), ("received_at", "2026-11-20T10:31:00+08:00"), ("payment_method", "card")],
)
def test_a_value_changed_where_nothing_else_looks_is_found_against_its_sealed_copy(
    tmp_path: Path, device: Device, column: str, value: object
) -> None:
    """A flip that SQLite cannot see (a column without an index, still valid text): the full check compares the
    row with the case as sealed into the outbox, names the row and the column, and stops writes."""
    path = tmp_path / "ledger.db"
    made(path, device)
    with sqlite3.connect(path) as conn:
        number = conn.execute("SELECT case_number FROM cases ORDER BY case_number LIMIT 1 OFFSET 1").fetchone()[0]
        conn.execute(f"UPDATE cases SET {column} = ? WHERE case_number = ?", (value, number))  # noqa: S608
    assert probe(path, full=True).state == "ok"  # nothing SQLite or the text check can see
    ledger = Ledger(path, device, KEY, fixed_now)
    found = ledger.check_integrity()
    assert (found.state, found.problems) == ("damaged", (f"cases {number}: {column}",))
    with pytest.raises(StoreError) as write:
        ledger.cases.accept(draft())
    assert write.value.code == "ledger_damaged"
    ledger.close()


def test_a_sound_ledger_passes_the_full_check_with_its_sealed_copies(tmp_path: Path, device: Device) -> None:
    path = tmp_path / "ledger.db"
    made(path, device, 5)
    ledger = Ledger(path, device, KEY, fixed_now)
    assert ledger.check_integrity().state == "ok"
    assert ledger.cases.accept(draft()).receipt_number.endswith("R0000006")
    ledger.close()


def _with_override_and_due_date(ledger: Ledger) -> str:
    """A case with every column the sealed copy is compared on (an override, a due date, the receipt's terms); its
    number."""
    from dataclasses import replace
    from datetime import date

    from forms.terms import DUE, CaseTerms
    from forms.timelimits import DEFAULT_LIMIT
    from sync.protocol import wire

    override = wire.Override(approval_id=uuid4(), supervisor="chief-test", reason="民眾急需，主管核可", rules=["age"])
    terms = CaseTerms(DUE, DEFAULT_LIMIT, date(2026, 12, 1), True, "", "", None, "", ("戶口名簿",), ())
    case = ledger.cases.accept(replace(draft(), override=override, due_date=date(2026, 12, 1), terms=terms))
    return case.case_number


@pytest.mark.parametrize(
    ("sql", "column"),
    [
        ("UPDATE cases SET case_number = case_number || '9' WHERE case_number = :n", "case_number"),
        ("UPDATE cases SET service_code = 'SW-02' WHERE case_number = :n", "service_code"),
        ("UPDATE cases SET catalog_version = catalog_version + 1 WHERE case_number = :n", "catalog_version"),
        ("UPDATE cases SET office_code = '68000020' WHERE case_number = :n", "office_code"),
        ("UPDATE cases SET device_id = 'D0002' WHERE case_number = :n", "device_id"),
        ("UPDATE cases SET due_date = '2026-12-02' WHERE case_number = :n", "due_date"),
        ("UPDATE cases SET id_digest = 'f' || substr(id_digest, 2) WHERE case_number = :n", "id_digest"),
        ("UPDATE cases SET id_masked = 'H12345****X' WHERE case_number = :n", "id_masked"),
        ("UPDATE cases SET override_json = NULL WHERE case_number = :n", "override_json"),
        ("UPDATE cases SET terms_json = NULL WHERE case_number = :n", "terms_json"),
        (
            "UPDATE receipts SET receipt_number = 'D0001-R0000009' WHERE case_uuid = "
            "(SELECT case_uuid FROM cases WHERE case_number = :n)",
            "receipt_number",
        ),
        (
            "UPDATE receipts SET seq = 9 WHERE case_uuid = (SELECT case_uuid FROM cases WHERE case_number = :n)",
            "receipt_seq",
        ),
    ],
)
def test_every_column_compared_with_the_sealed_copy_is_named(
    tmp_path: Path, device: Device, sql: str, column: str
) -> None:
    path = tmp_path / "ledger.db"
    ledger = Ledger(path, device, KEY, fixed_now)
    ledger.cases.accept(draft())
    number = _with_override_and_due_date(ledger)
    ledger.cases.accept(draft())
    assert ledger.check_integrity().state == "ok"
    with sqlite3.connect(path) as conn:  # behind the open ledger's back
        conn.execute(sql, {"n": number})
    problems = ledger.cases.verify_rows()
    assert len(problems) == 1 and problems[0].endswith(f": {column}"), problems
    ledger.close()


def test_several_columns_are_named_together_and_a_missing_receipt_is_a_gap_not_a_difference(
    tmp_path: Path, device: Device
) -> None:
    """Changed behind an open ledger: the first case without its sealed copy (skipped, the later rows still
    compared), the third's fee and clerk (named together), the fourth's receipt row gone (a gap, which the day close
    reports, not a difference)."""
    path = tmp_path / "ledger.db"
    ledger = Ledger(path, device, KEY, fixed_now)
    saved = [ledger.cases.accept(draft()) for _ in range(4)]
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM outbox WHERE idempotency_key = ?", (str(saved[0].case_uuid),))
        conn.execute("UPDATE cases SET fee = fee + 1, clerk = 'x' WHERE case_uuid = ?", (str(saved[2].case_uuid),))
        conn.execute("DELETE FROM receipts WHERE case_uuid = ?", (str(saved[3].case_uuid),))
    assert ledger.cases.verify_rows() == [f"cases {saved[2].case_number}: clerk, fee"]
    ledger.close()


def test_a_sealed_copy_that_does_not_fit_the_schema_names_its_outbox_row(tmp_path: Path, device: Device) -> None:
    path = tmp_path / "ledger.db"
    ledger = Ledger(path, device, KEY, fixed_now)
    case = ledger.cases.accept(draft())
    key = str(case.case_uuid)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE outbox SET payload_json = ? WHERE idempotency_key = ?",
            (ledger.core.seal('{"case_uuid": "x"}', "outbox.payload_json", key), key),
        )
    with pytest.raises(StoreError) as read:
        ledger.cases.verify_rows()
    assert (read.value.code, read.value.params["where"]) == ("ledger_unreadable", f"outbox {key}")
    ledger.close()


def test_a_receipt_number_of_another_shape_is_damage_named_in_the_log(
    tmp_path: Path, device: Device, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ledger.db"
    ledger = Ledger(path, device, KEY, fixed_now)
    case = ledger.cases.accept(draft())
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE receipts SET receipt_number = 'D0001-X0000001'")
    with pytest.raises(StoreError) as read:
        ledger.cases.recent()
    assert (read.value.code, read.value.params["where"]) == ("ledger_unreadable", f"cases {case.case_number}")
    assert "receipt number 'D0001-X0000001' is not one this ledger writes" in caplog.text
    ledger.close()


@pytest.mark.parametrize(
    ("standing", "damage", "code", "detail"),
    [
        (("receipt 3 < 7",), None, "ledger_behind", "receipt 3 < 7"),
        (("other_ledger",), None, "ledger_other", "other_ledger"),
        (("receipt 3 < 7", "cases of 2026-11-20 3 < 7"), None, "ledger_behind", "receipt 3 < 7"),
        ((), "cases 1: fee", "ledger_damaged", "cases 1: fee"),
    ],
)
def test_what_stops_numbers_being_issued_is_said_with_its_reason(
    ledger: Ledger, standing: tuple[str, ...], damage: str | None, code: str, detail: str
) -> None:
    ledger.core.standing, ledger.core.damage = standing, damage
    with pytest.raises(StoreError) as refused:
        ledger.check_may_issue()
    assert (refused.value.code, refused.value.params) == (code, {"detail": detail})
    ledger.core.standing, ledger.core.damage = (), None
    ledger.check_may_issue()


def test_a_sealed_value_that_does_not_open_is_logged_by_column_and_row_only(
    tmp_path: Path, device: Device, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ledger.db"
    ledger = Ledger(path, device, KEY, fixed_now)
    with pytest.raises(StoreError):
        ledger.core.open("v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "cases.applicant_name", "row-7")
    assert [r.getMessage() for r in caplog.records if r.name == "sync.ledger.core"] == [
        "a sealed value does not open: cases.applicant_name of row-7"
    ]
    ledger.close()


def test_accepting_raises_the_marks_for_its_receipt_and_its_day(tmp_path: Path, device: Device) -> None:
    from sync.ledger.highwater import MarksFile

    ledger = Ledger(tmp_path / "ledger.db", device, KEY, fixed_now)
    ledger.cases.accept(draft())
    ledger.cases.accept(draft())
    marks = MarksFile(tmp_path / "ledger.marks").read()
    assert marks is not None
    assert (marks.receipt_seq, marks.case_seqs) == (2, {fixed_now().date().isoformat(): 2})
    ledger.close()


def test_a_queue_time_that_is_not_a_time_names_where(ledger: Ledger) -> None:
    ledger.cases.accept(draft())
    with sqlite3.connect(ledger.path) as conn:
        conn.execute("UPDATE outbox SET created_at = 'yesterday'")
    with pytest.raises(StoreError) as read:
        ledger.outbox.backlog()
    assert (read.value.code, read.value.params["where"]) == ("ledger_unreadable", "outbox created_at")
