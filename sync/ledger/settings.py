"""The device's settings in the ledger: what an office may change in the window (the receipt layout), newer
catalog files pulled from the city, the last measured clock skew, the push's batch size and a supervisor's leave to
go on taking cases past the offline limit."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.ledger.audit import Audit
from sync.ledger.core import LedgerCore
from sync.ledger.records import LookupAudit
from sync.ledger.store.tables import CatalogEntryRow, CounterRow, SettingRow
from sync.protocol.errors import StoreError

SETTING_KEYS = {"receipt_layout": ("a4", "thermal80")}


def write_clock_skew(s: Session, seconds: int) -> None:
    """Record the skew in the caller's transaction (the push writes it with a batch's answer)."""
    row = s.get(CounterRow, "clock_skew_s") or CounterRow(name="clock_skew_s", value=0)
    row.value = seconds
    s.merge(row)


class Settings:
    def __init__(self, core: LedgerCore, audit: Audit) -> None:
        self._core = core
        self._audit = audit

    def get(self, key: str) -> str:
        """A device setting (the first allowed value when never set)."""
        with self._core.read() as s:
            row = s.get(SettingRow, key)
        return row.value if row else SETTING_KEYS[key][0]

    def set(self, key: str, value: str) -> None:
        """Raises StoreError(setting_invalid) for an unknown key or value."""
        if value not in SETTING_KEYS.get(key, ()):
            raise StoreError("setting_invalid", key=key)
        with self._core.write() as s:
            s.merge(SettingRow(key=key, value=value))

    def catalog_entries(self) -> list[tuple[str, str]]:
        """(file name, text) of catalog files pulled from the city."""
        with self._core.read() as s:
            return [(r.file_name, r.text) for r in s.scalars(select(CatalogEntryRow).order_by(CatalogEntryRow.code))]

    def store_catalog_entries(self, entries: list[tuple[str, int, str, str]]) -> None:
        """(code, version, file name, text), all in one transaction: a catalog is never half updated."""
        with self._core.write() as s:
            for code, version, file_name, text_ in entries:
                s.merge(CatalogEntryRow(code=code, version=version, file_name=file_name, text=text_))

    def record_clock_skew(self, seconds: int) -> None:
        """Server time minus device time, as last measured (cases keep both times; a large skew is flagged)."""
        with self._core.write() as s:
            write_clock_skew(s, seconds)

    def clock_skew(self) -> int | None:
        with self._core.read() as s:
            row = s.get(CounterRow, "clock_skew_s")
            return None if row is None else row.value

    def record_backlog_override(self, supervisor: str, reason: str, until: datetime) -> None:
        """A supervisor lets intake go on past the offline limit: recorded in the tamper-evident audit chain, with
        its expiry, in one transaction."""
        self._audit.record(
            LookupAudit(uuid4(), "backlog", "backlog-override", "", supervisor, "granted", detail=reason[:200])
        )
        with self._core.write() as s:
            row = s.get(CounterRow, "backlog_override_until") or CounterRow(name="backlog_override_until", value=0)
            row.value = int(until.timestamp())
            s.merge(row)

    def backlog_override_until(self) -> datetime | None:
        with self._core.read() as s:
            row = s.get(CounterRow, "backlog_override_until")
        return datetime.fromtimestamp(row.value, tz=self._core.now().tzinfo) if row else None
