"""What the ledger knows of an office day, as plain values: its cases with their receipts, sync states and voids,
the corrections made that day, the cases still open with a due date, the signed close. The day close (forms.dayclose)
is computed from them; the ledger (sync.ledger.books) reads them out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID


@dataclass(frozen=True)
class VoidRecord:
    case_uuid: UUID
    void_uuid: UUID
    voided_at: datetime
    voided_by: str
    approval: str
    reason: str


@dataclass(frozen=True)
class DayCase:
    """What the day close needs of one case (no personal data)."""

    case_uuid: str
    case_number: str
    service_code: str
    clerk: str
    fee: int
    payment_method: str
    received_at: datetime
    receipt_seq: int | None
    receipt_number: str | None
    sync_state: str  # pending / sent / attention / withdrawn
    content_hash: str | None
    void: VoidRecord | None


@dataclass(frozen=True)
class CorrectionRecord:
    correction_uuid: UUID
    corrects_day: date
    case_number: str | None
    kind: str  # void / refund / note
    amount: int
    reason: str
    made_by: str
    made_at: datetime


@dataclass(frozen=True)
class OpenDue:
    """A case the city has not finished, with its statutory due date."""

    case_number: str
    service_code: str
    clerk: str
    due_date: date


@dataclass(frozen=True)
class CloseRecord:
    close_uuid: UUID
    business_date: date
    closed_at: datetime
    closed_by: str
    approval: str
    report_hash: str
    report_json: str


@dataclass(frozen=True)
class DayFacts:
    """Everything the ledger knows that the day close is computed from."""

    day: date
    cases: tuple[DayCase, ...]
    previous_receipt_seq: int | None  # the last receipt number issued before this day (a gap at the start shows)
    corrections: tuple[CorrectionRecord, ...]  # made on this day, of earlier signed days
    open_due: tuple[OpenDue, ...]
    audit_break: int | None
    close: CloseRecord | None
    last_receipt_seq: int | None  # the last one issued on this day, from the ledger's counter (a missing last
    # receipt shows on its own day)
    receipt_prefix: str  # this device's receipt numbers start with it (e.g. "D0007-")
    follow_ups: tuple[str, ...] = ()  # case numbers still in 需處理 (any day): listed until handled
