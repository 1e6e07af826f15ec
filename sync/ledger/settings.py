"""The device's settings in the ledger: what an office may change in the window (paper, printer), newer
catalog files pulled from the city, the last measured clock skew, the push's batch size and a supervisor's leave to
go on taking cases past the offline limit."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.ledger.audit import Audit
from sync.ledger.core import LedgerCore
from sync.ledger.records import LookupAudit
from sync.ledger.store.tables import CatalogEntryRow, CounterRow, SettingRow
from sync.protocol.errors import StoreError

PDF_PRINTER = "@pdf"  # the "printer" that keeps each print as a PDF file (a laptop without a printer; tests)


@dataclass(frozen=True)
class Setting:
    """One device setting, declared once: the window's settings menu, the store's check and the restore all read
    this. `choices` maps each allowed value to its label; without choices the value is a short line of text."""

    key: str
    label: str
    default: str
    choices: dict[str, str] = field(default_factory=dict)
    max_length: int = 120

    def valid(self, value: str) -> bool:
        if self.choices:
            return value in self.choices
        return len(value) <= self.max_length and not any(unicodedata.category(c).startswith("C") for c in value)


DEVICE_SETTINGS = {
    s.key: s
    for s in (
        Setting("receipt_layout", "收據紙張", "a4", {"a4": "A4（民眾收執聯＋存根聯）", "thermal80": "80 mm 熱感紙"}),
        # "" asks with the print dialog each time; a name prints there directly (Qt's name of the printer)
        Setting("printer", "印表機", ""),
        Setting("print_on_accept", "受理後直接列印收據", "1", {"1": "是", "0": "否"}),
    )
}


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
        return row.value if row else DEVICE_SETTINGS[key].default

    def set(self, key: str, value: str) -> None:
        """Raises StoreError(setting_invalid) for an unknown key or value."""
        setting = DEVICE_SETTINGS.get(key)
        if setting is None or not setting.valid(value):
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
