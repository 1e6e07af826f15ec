"""Whether this ledger may issue numbers: what it has issued (its counters and audit head) against its high-water
marks file and against what the city holds of the device. A ledger behind either must not issue a case or receipt
number until it has pulled back what the city holds and moved its counters past every number ever issued.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from uuid import UUID

from sqlalchemy import select

from sync.ledger.audit import Audit
from sync.ledger.core import LedgerCore
from sync.ledger.highwater import Marks
from sync.ledger.records import LookupAudit
from sync.ledger.store.integrity import CASE_COUNTER, RECEIPT_COUNTER
from sync.ledger.store.tables import CounterRow
from sync.protocol import wire

log = logging.getLogger(__name__)

OTHER_LEDGER = "other_ledger"  # the standing of a ledger the city does not know as this device's


def city_marks(city: wire.CityMarks) -> Marks:
    """The city's answer as marks (its audit head is the one the device reported the time before)."""
    return Marks(
        city.receipt_seq, {d.isoformat(): n for d, n in city.case_seqs.items()}, city.audit_seq, city.audit_head
    )


class Numbering:
    def __init__(self, core: LedgerCore, audit: Audit) -> None:
        self._core = core
        self._audit = audit

    @property
    def standing(self) -> tuple[str, ...]:
        """Why no number may be issued now (empty: numbers may be issued)."""
        return self._core.standing

    def issued(self) -> Marks:
        """What this ledger has issued: its receipt counter, each day's case counter, its audit head."""
        with self._core.read() as s:
            rows = s.execute(
                select(CounterRow.name, CounterRow.value).where(
                    (CounterRow.name == RECEIPT_COUNTER) | CounterRow.name.startswith(CASE_COUNTER)
                )
            ).all()
        counters = dict(rows)
        days = {n[len(CASE_COUNTER) :]: int(v) for n, v in counters.items() if n.startswith(CASE_COUNTER)}
        seq, head = self._audit.head()
        return Marks(int(counters.get(RECEIPT_COUNTER, 0)), days, seq, head)

    def known(self) -> Marks:
        """The highest marks known outside the ledger (the marks file, raised by every city answer)."""
        return self._core.marks.read() or Marks()

    def check_at_open(self) -> tuple[str, ...]:
        """Compare with the marks file (written after every number issued): a ledger restored from an older copy,
        cut short by a lost WAL or swapped for another file is behind it."""
        issued = self.issued()
        known = self._core.marks.read()
        if known is not None:
            self._note_audit_gap(issued, known)
            self._core.standing = issued.behind(known)
            if self._core.standing:
                log.warning("ledger %s is behind its marks: %s", self._core.path.name, "; ".join(self._core.standing))
        self._core.marks.raise_to(self.issued())
        return self._core.standing

    def report(self, takeover: bool = False) -> wire.DeviceMarks:
        """What the city is told at each sync."""
        issued = self.issued()
        recent = dict(sorted(issued.case_seqs.items())[-wire.MAX_MARK_DAYS :])
        return wire.DeviceMarks(
            ledger_id=UUID(self._core.ledger_id),
            receipt_seq=issued.receipt_seq,
            case_seqs={date.fromisoformat(d): n for d, n in recent.items()},
            audit_seq=issued.audit_seq,
            audit_head=issued.audit_head,
            takeover=takeover,
        )

    def note_city(self, city: wire.CityMarks) -> tuple[str, ...]:
        """Take in what the city holds of this device: its numbers raise the marks file; a ledger behind them, or
        not the one the city knows for the device, may not issue numbers. Returns the new standing."""
        if city.verdict == "other_ledger":
            log.warning("the city knows another ledger (%s) for device %s", city.ledger_id, self._core.device.device_id)
            self._core.standing = (OTHER_LEDGER,)
            return self._core.standing
        there = city_marks(city)
        self._core.marks.raise_to(Marks(there.receipt_seq, there.case_seqs))
        issued = self.issued()
        self._note_audit_gap(issued, there)
        self._core.standing = issued.behind(self.known())
        return self._core.standing

    def recheck(self) -> tuple[str, ...]:
        """After pulling back and moving the counters: is the ledger still behind what is known?"""
        if self._core.standing != (OTHER_LEDGER,):
            self._core.standing = self.issued().behind(self.known())
        return self._core.standing

    def _note_audit_gap(self, issued: Marks, known: Marks) -> None:
        """Audit rows known to have been written are gone (a restored or cut-short ledger): say so in the chain
        itself, once, with the head that was lost, and go on from the new head."""
        if not issued.audit_behind(known):
            return
        detail = f"稽核紀錄第 {issued.audit_seq + 1}–{known.audit_seq} 筆遺失（原鏈頭 {known.audit_head[:16]}）"
        log.warning("audit chain behind its marks: %s", detail)
        self._audit.record(LookupAudit(uuid.uuid4(), "ledger", "chain-gap", "", "counterdesk", "noted", detail=detail))
        seq, head = self._audit.head()
        mine = self._core.marks.read() or Marks()
        self._core.marks.replace(mine.with_audit(seq, head).merged(Marks(issued.receipt_seq, issued.case_seqs)))
