"""What can still be read of a damaged ledger file, row by row, over a read-only connection: one damaged page costs
the rows on it, never the rest. Sealed values are opened with the device's key; anything that does not decode or
does not open is named, not guessed.

What matters most is what the city never received: the outbox's payloads (each is the whole case or record as it
would have been sent), or, where an outbox row is lost, the case rebuilt from its own row and receipt.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sync.ledger.crypto import CipherError, FieldCipher, derive
from sync.ledger.store.integrity import DamagedValue, connect_read_only
from sync.protocol import wire
from sync.protocol.audit_chain import FIELDS, GENESIS, link

log = logging.getLogger(__name__)

MAX_PROBED_ROWIDS = 2_000_000  # when a table's own index is damaged, rows are looked for one by one up to this


@dataclass(frozen=True)
class SalvagedItem:
    """An outbox row that reads and opens: what was (or was to be) sent, and where it stood."""

    key: str
    kind: str
    state: str  # pending / sent / attention / withdrawn
    payload: wire.CaseIn | wire.CaseUpdateIn | wire.DayRecordIn
    last_error: str | None = None


@dataclass
class Salvaged:
    items: list[SalvagedItem] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # case_uuid -> the rules' words (reasons_json)
    reports: dict[str, str] = field(default_factory=dict)  # close_uuid -> the signed report (report_json)
    audit: list[dict[str, Any]] = field(default_factory=list)  # the audit chain's longest intact beginning
    settings: dict[str, str] = field(default_factory=dict)
    catalog: list[tuple[str, int, str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be read, table and row

    @property
    def cases(self) -> list[SalvagedItem]:
        return [i for i in self.items if i.kind == "case"]


_MODELS: dict[str, type[wire.CaseIn] | type[wire.CaseUpdateIn] | type[wire.DayRecordIn]] = {
    "case": wire.CaseIn,
    "update": wire.CaseUpdateIn,
    "void": wire.DayRecordIn,
    "day_close": wire.DayRecordIn,
    "correction": wire.DayRecordIn,
}


def salvage(path: Path, master: bytes) -> Salvaged:
    """Everything readable of the ledger at `path` (which is never written to)."""
    found = Salvaged()
    if not path.exists():
        return found
    cipher = FieldCipher(derive(master, "counterdesk field-seal v1"))
    try:
        conn = connect_read_only(path)
    except sqlite3.Error as exc:
        found.problems.append(f"file: {exc}")
        return found
    with closing(conn):
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except (sqlite3.Error, DamagedValue) as exc:
            found.problems.append(f"schema: {exc}")
            return found
        seen_cases = set()
        for row in _rows(conn, "outbox", tables, found.problems):
            item = _item(row, cipher, found.problems)
            if item is not None:
                found.items.append(item)
                if item.kind == "case":
                    seen_cases.add(item.key)
        receipts = {r["case_uuid"]: r["receipt_number"] for r in _rows(conn, "receipts", tables, found.problems)}
        for row in _rows(conn, "cases", tables, found.problems):
            found.reasons[row["case_uuid"]] = row.get("reasons_json") or "[]"
            if row["case_uuid"] not in seen_cases:
                rebuilt = _rebuilt(row, receipts.get(row["case_uuid"]), cipher, found.problems)
                if rebuilt is not None:
                    found.items.append(SalvagedItem(str(rebuilt.case_uuid), "case", "pending", rebuilt))
        for row in _rows(conn, "day_closes", tables, found.problems):
            if row.get("close_uuid") and row.get("report_json"):
                found.reports[row["close_uuid"]] = row["report_json"]
        found.audit = _audit_prefix(list(_rows(conn, "lookups", tables, found.problems)))
        found.settings = {r["key"]: r["value"] for r in _rows(conn, "settings", tables, found.problems)}
        found.catalog = [
            (r["code"], int(r["version"]), r["file_name"], r["text"])
            for r in _rows(conn, "catalog_entries", tables, found.problems)
        ]
    log.info("salvaged %d item(s) from %s; %d problem(s)", len(found.items), path.name, len(found.problems))
    return found


def _rows(conn: sqlite3.Connection, table: str, tables: set[str], problems: list[str]) -> Iterator[dict[str, Any]]:
    """Each readable row of a table as a dict, in rowid order; each unreadable one named in `problems`."""
    if table not in tables:
        return
    try:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    except (sqlite3.Error, DamagedValue) as exc:
        problems.append(f"{table}: {exc}")
        return
    try:
        rowids = [r[0] for r in conn.execute(f"SELECT rowid FROM {table} ORDER BY rowid")]  # noqa: S608
    except (sqlite3.Error, DamagedValue) as exc:
        problems.append(f"{table}: {exc}; looking for its rows one by one")
        rowids = list(range(1, _highest_rowid(conn, table) + 1))
    query = f"SELECT {', '.join(columns)} FROM {table} WHERE rowid = ?"  # noqa: S608
    for rowid in rowids:
        try:
            row = conn.execute(query, (rowid,)).fetchone()
        except (sqlite3.Error, DamagedValue) as exc:
            problems.append(f"{table} row {rowid}: {exc}")
            continue
        if row is not None:
            yield dict(zip(columns, row, strict=True))


def _highest_rowid(conn: sqlite3.Connection, table: str) -> int:
    try:
        top = conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0]  # noqa: S608
        return min(int(top or 0), MAX_PROBED_ROWIDS)
    except (sqlite3.Error, DamagedValue):
        return 10_000


def _item(row: dict[str, Any], cipher: FieldCipher, problems: list[str]) -> SalvagedItem | None:
    key, kind = str(row.get("idempotency_key")), str(row.get("kind"))
    model = _MODELS.get(kind)
    if model is None:
        problems.append(f"outbox {key}: unknown kind {kind[:20]!r}")
        return None
    try:
        payload = model.model_validate_json(cipher.open(str(row["payload_json"]), f"outbox.payload_json:{key}"))
    except (CipherError, ValidationError, ValueError, KeyError) as exc:
        problems.append(f"outbox {key}: {type(exc).__name__}")
        return None
    return SalvagedItem(key, kind, str(row.get("state") or "pending"), payload, row.get("last_error"))


def _rebuilt(row: dict[str, Any], receipt: str | None, cipher: FieldCipher, problems: list[str]) -> wire.CaseIn | None:
    """A case whose outbox row is lost, as it would have been sent, from its own row and its receipt."""
    key = str(row.get("case_uuid"))

    def opened(column: str) -> str:
        return cipher.open(str(row[column]), f"cases.{column}:{key}")

    try:
        if receipt is None:
            raise ValueError("no receipt")
        return wire.CaseIn(
            case_uuid=key,
            case_number=row["case_number"],
            receipt_number=receipt,
            service_code=row["service_code"],
            catalog_version=row["catalog_version"],
            national_id=opened("national_id"),
            applicant_name=opened("applicant_name"),
            birth_date=date.fromisoformat(opened("birth_date")),
            office_code=row["office_code"],
            device_id=row["device_id"],
            clerk=row["clerk"],
            received_at=datetime.fromisoformat(row["received_at"]),
            fee=row["fee"],
            payment_method=row["payment_method"],
            decision=row["decision"],
            reason_codes=[r["code"] for r in json.loads(row.get("reasons_json") or "[]")],
            fields=json.loads(opened("fields_json")),
            due_date=date.fromisoformat(row["due_date"]) if row.get("due_date") else None,
            documents_owed=json.loads(row.get("documents_owed_json") or "[]"),
            override=wire.Override.model_validate_json(row["override_json"]) if row.get("override_json") else None,
        )
    except (CipherError, ValidationError, ValueError, KeyError, TypeError) as exc:
        problems.append(f"cases {row.get('case_number', key)}: {type(exc).__name__}")
        return None


def _audit_prefix(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chain's rows from the first on, as long as every link holds (the rest is told as a gap)."""
    prefix, previous = [], GENESIS
    for n, row in enumerate(sorted(rows, key=lambda r: r.get("seq") or 0), start=1):
        if row.get("seq") != n or row.get("prev_hash") != previous or link(previous, row) != row.get("row_hash"):
            break
        prefix.append({c: row[c] for c in (*FIELDS, "prev_hash", "row_hash")})
        previous = str(row["row_hash"])
    return prefix
