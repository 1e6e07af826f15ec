"""Rebuilding a damaged or lost ledger from the city (`counterdesk recover`, or the start screen; a supervisor).

The damaged files are moved aside untouched; a new ledger is made from what the city holds for the device (every
case it acknowledged, with statuses, verifications, voids, signed days and corrections) and from what can still be
read of the damaged file (above all what never reached the city); personal fields are sealed again; the counters
move past every number ever issued; the new ledger is checked and takes the device over at the city. The report
says what came from where and what is lost (numbers issued but held by neither).
"""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from forms.clock import taipei_now
from forms.errors import DomainError
from sync.city.client import CityClient
from sync.ledger import Device, Ledger, LookupAudit
from sync.ledger.highwater import Marks, MarksFile
from sync.ledger.numbering import city_marks
from sync.ledger.records import seq_of
from sync.ledger.restore import Restored
from sync.ledger.salvage import Salvaged, salvage
from sync.protocol import wire
from sync.protocol.errors import StoreError

log = logging.getLogger(__name__)

FAR_PAST = date(2000, 1, 1)


@dataclass
class Recovery:
    """What a rebuild did, for the supervisor and for support staff (also written beside the damaged files)."""

    aside: str  # where the damaged files are kept, untouched
    from_city: int = 0  # cases put back from the city
    from_file: int = 0  # cases put back from the damaged file (the city did not hold them)
    queued: int = 0  # of those, waiting to be sent to the city
    records: int = 0  # signed days and corrections put back
    audit_kept: int = 0  # audit rows kept from the damaged file (the intact beginning of its chain)
    lost: list[tuple[int, int]] = field(default_factory=list)  # receipt sequences issued, held by nobody
    clashes: list[str] = field(default_factory=list)  # numbers held twice (left at the city)
    unreadable: list[str] = field(default_factory=list)  # what could not be read in the damaged file
    check: str = ""  # the new ledger's full check

    def lines(self, device_id: str) -> list[str]:
        """The report in words (zh-TW), one fact a line."""
        out = [
            f"已自市府取回 {self.from_city} 件案件；自損毀檔案救回 {self.from_file} 件市府未持有的案件"
            f"（其中 {self.queued} 件待上傳）。",
            f"日結與更正紀錄 {self.records} 筆；稽核紀錄保留 {self.audit_kept} 筆。",
        ]
        for first, last in self.lost:
            out.append(f"遺失：收據 {device_id}-R{first:07d}–{device_id}-R{last:07d} 已發出，但市府與本機都沒有。")
        if self.clashes:
            out.append(
                f"號碼重複 {len(self.clashes)} 件（留在市府，本機案件列入需處理）：{'、'.join(self.clashes[:5])}"
            )
        if self.unreadable:
            out.append(f"損毀檔案中無法讀取 {len(self.unreadable)} 筆（詳見報告檔）。")
        out.append(f"新帳本檢查：{self.check}；損毀的檔案原樣保留於 {self.aside}")
        return out


def recover(
    path: Path, device: Device, master: bytes, client: CityClient, now: Callable[[], datetime] = taipei_now
) -> Recovery:
    """Rebuild the ledger at `path`. `client` is signed in as a supervisor of the device's office.

    Raises:
        SyncError: the city cannot be reached or refused (nothing was moved then).
        DomainError: recover_supervisor_only.
    """
    client.held_cases(1)  # the city answers, and the user is signed in, before anything is moved
    if client.role != "supervisor":
        raise DomainError("recover_supervisor_only")
    marks = MarksFile(path.with_suffix(".marks"))
    known = marks.read() or Marks()
    aside = _move_aside(path, now())
    report = Recovery(aside=str(aside))
    found = salvage(aside / path.name, master)
    report.unreadable = found.problems
    ledger = Ledger(path, device, master, now)  # a new file: no marks beside it yet, so nothing is noted twice
    try:
        report.audit_kept = ledger.restore.audit_prefix(found.audit)
        city = client.report_marks(ledger.numbering.report(takeover=True))
        restored = _from_city(ledger, client)
        report.from_city = restored.cases
        from_file = ledger.restore.salvaged(found.items, found.reasons)
        report.from_file = from_file.cases
        report.clashes = restored.clashes + from_file.clashes
        report.records = _records(ledger, client, found)
        _settings(ledger, found)
        there = city_marks(city)
        issued = known.merged(Marks(there.receipt_seq, there.case_seqs))
        ledger.restore.counters_past(issued)
        report.lost = ledger.restore.missing_receipts(issued.receipt_seq)
        ledger.core.marks.raise_to(Marks(issued.receipt_seq, issued.case_seqs))
        ledger.audit.record(
            LookupAudit(uuid.uuid4(), "ledger", "ledger-rebuilt", "", "counterdesk", "noted", detail=_summary(report))
        )
        again = client.report_marks(ledger.numbering.report(takeover=True))
        ledger.numbering.note_city(again)
        report.queued = ledger.outbox.counts()["pending"]
        report.check = _verified(ledger)
    finally:
        ledger.close()
    (aside / "recovery.json").write_text(json.dumps(asdict(report), ensure_ascii=False, indent=2), encoding="utf-8")
    log.info("ledger rebuilt: %s", _summary(report))
    return report


def _move_aside(path: Path, at: datetime) -> Path:
    """The damaged ledger, its WAL and index and its marks, moved as they are into a folder of their own."""
    aside = path.with_name(f"{path.stem}-damaged-{at:%Y%m%d-%H%M%S}")
    aside.mkdir()
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", path.with_suffix(".marks").name):
        source = path.with_name(name)
        if source.exists():
            shutil.move(source, aside / name)
    return aside


def _from_city(ledger: Ledger, client: CityClient) -> Restored:
    done = Restored()
    start = 1
    while True:
        page = client.held_cases(start)
        done.add(ledger.restore.held_cases(page.cases))
        if not page.more or not page.cases:
            return done
        start = seq_of(page.cases[-1].case.receipt_number) + 1


def _records(ledger: Ledger, client: CityClient, found: Salvaged) -> int:
    """The city's signed days and corrections, and the damaged file's the city lacks (with the signed reports
    only the file kept)."""
    there: list[wire.DayRecordIn] = []
    offset = 0
    while True:
        page = client.held_records(FAR_PAST, offset)
        there += page.records
        if not page.more or not page.records:
            break
        offset += len(page.records)
    held = {str(r.record_uuid) for r in there}
    mine = [
        i
        for i in found.items
        if i.kind in ("day_close", "correction") and i.key not in held and isinstance(i.payload, wire.DayRecordIn)
    ]
    states = {i.key: "pending" if i.state == "sent" else i.state for i in mine}
    records = there + [i.payload for i in mine if isinstance(i.payload, wire.DayRecordIn)]
    return ledger.restore.records(records, states, found.reports)


def _settings(ledger: Ledger, found: Salvaged) -> None:
    for key, value in found.settings.items():
        try:
            ledger.settings.set(key, value)
        except StoreError:  # an unknown or damaged setting is left at its default
            log.info("setting %s not kept", key)
    if found.catalog:
        ledger.settings.store_catalog_entries(found.catalog)


def _verified(ledger: Ledger) -> str:
    """The new ledger's full check, and every case and queued item read back (their sealed fields open)."""
    probe = ledger.check_integrity()
    if probe.state != "ok":
        return "；".join(probe.problems[:3])
    ledger.cases.recent(limit=10**9)
    ledger.outbox.due(10**9, None)
    return "正常"


def _summary(report: Recovery) -> str:
    lost = sum(last - first + 1 for first, last in report.lost)
    return (
        f"重建帳本：市府 {report.from_city} 件、損毀檔 {report.from_file} 件、紀錄 {report.records} 筆、"
        f"稽核保留 {report.audit_kept} 筆、遺失號碼 {lost} 個、重複 {len(report.clashes)} 件"
    )[:200]
