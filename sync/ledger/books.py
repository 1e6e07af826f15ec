"""The office's books in the ledger: voids, the signed day close, corrections of a signed day.

Every record here that the city must know of goes into the outbox in the same transaction, with its own
idempotency key. A signed day is locked by the database itself (revision 0007's triggers); later corrections
are new rows that point at the signed close.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import ValidationError
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from forms.dayfacts import CloseRecord, CorrectionRecord, DayCase, DayFacts, OpenDue, VoidRecord
from sync.ledger.audit import Audit
from sync.ledger.core import LedgerCore
from sync.ledger.records import Device
from sync.ledger.store.integrity import LAST_RECEIPT
from sync.ledger.store.tables import (
    CaseRow,
    CorrectionRow,
    CounterRow,
    DayCloseRow,
    OutboxRow,
    ReceiptRow,
    VoidRow,
)
from sync.protocol import wire
from sync.protocol.errors import StoreError

FINAL_STATUSES = ("核准", "駁回", "撤回")


@dataclass(frozen=True)
class Approval:
    """A supervisor's confirmation: by whom, the approval id (the city's; or, with `proof`, the one the supervisor
    signed on this device without the network)."""

    supervisor: str
    approval: str
    proof: wire.OfflineProof | None = None


class Books:
    def __init__(self, core: LedgerCore, audit: Audit) -> None:
        self._core = core
        self._audit = audit

    # -- voids -----------------------------------------------------------------------------------------------

    def void(self, case_uuid: UUID, reason: str, approval: Approval) -> VoidRecord:
        """Void a receipt (the case keeps its number; the city is told). Raises StoreError: void_twice,
        day_closed (a signed day is corrected with `correct`, not voided), or KeyError for an unknown case."""
        now = self._core.now()
        record = VoidRecord(case_uuid, uuid4(), now, approval.supervisor, approval.approval, reason.strip())
        with self._core.write() as s:
            case = s.get(CaseRow, str(case_uuid))
            if case is None:
                raise KeyError(str(case_uuid))
            if s.get(VoidRow, str(case_uuid)) is not None or self._corrected_void(s, str(case_uuid)):
                raise StoreError("void_twice")
            if closed_row(s, self._core.device, date.fromisoformat(case.business_date)) is not None:
                raise StoreError("day_closed")
            s.add(
                VoidRow(
                    case_uuid=str(case_uuid),
                    void_uuid=str(record.void_uuid),
                    voided_at=now.isoformat(),
                    voided_by=record.voided_by,
                    approval=record.approval,
                    reason=record.reason,
                )
            )
            self._queue_record(
                s,
                record.void_uuid,
                "void",
                date.fromisoformat(case.business_date),
                approval,
                now,
                case_uuid=case_uuid,
                reason=record.reason,
            )
        return record

    def void_of(self, case_uuid: UUID) -> VoidRecord | None:
        with self._core.read() as s:
            row = s.get(VoidRow, str(case_uuid))
        return _void(row) if row else None

    @staticmethod
    def _corrected_void(s: Session, case_uuid: str) -> bool:
        return (
            s.scalar(select(CorrectionRow.id).where(CorrectionRow.case_uuid == case_uuid, CorrectionRow.kind == "void"))
            is not None
        )

    # -- the day -------------------------------------------------------------------------------------------------

    def day_facts(self, day: date) -> DayFacts:
        """The day's cases, receipts, voids and sync states; corrections made that day; every unfinished case with
        a due date (the caller decides what is near)."""
        iso = day.isoformat()
        with self._core.read() as s:
            rows = s.execute(
                select(CaseRow, ReceiptRow.seq, ReceiptRow.receipt_number, OutboxRow.state, OutboxRow.payload_json)
                .outerjoin(ReceiptRow, ReceiptRow.case_uuid == CaseRow.case_uuid)
                .outerjoin(OutboxRow, OutboxRow.idempotency_key == CaseRow.case_uuid)
                .where(CaseRow.business_date == iso)
                .order_by(CaseRow.case_number)
            ).all()
            with self._core.decoding("voids", iso):
                voids = {
                    v.case_uuid: _void(v)
                    for v in s.scalars(
                        select(VoidRow)
                        .join(CaseRow, CaseRow.case_uuid == VoidRow.case_uuid)
                        .where(CaseRow.business_date == iso)
                    )
                }
            # Receipts issued before this day: the counters written with each receipt (exact, also when the last
            # receipt row of a day is gone), or the receipts present (ledgers from before those counters).
            previous = max(
                s.scalar(
                    select(func.max(CounterRow.value)).where(
                        CounterRow.name >= LAST_RECEIPT, CounterRow.name < f"{LAST_RECEIPT}{iso}"
                    )
                )
                or 0,
                s.scalar(select(func.max(ReceiptRow.seq)).where(ReceiptRow.business_date < iso)) or 0,
            )
            issued = s.get(CounterRow, f"{LAST_RECEIPT}{iso}")
            with self._core.decoding("day_closes", iso):
                corrections = self._corrections_made(s, iso)
                open_due = self._open_due(s)
                close_row = closed_row(s, self._core.device, day)
                close = _close(close_row) if close_row else None
        with self._core.decoding("cases", iso):
            cases = self._day_cases(rows, voids)
        return DayFacts(
            day=day,
            cases=cases,
            previous_receipt_seq=previous or None,
            last_receipt_seq=issued.value if issued is not None else None,
            receipt_prefix=f"{self._core.device.device_id}-",
            corrections=corrections,
            open_due=open_due,
            audit_break=self._audit.verify_chain(),
            close=close,
        )

    def _day_cases(
        self, rows: Sequence[Row[CaseRow, int, str, str, str]], voids: dict[str, VoidRecord]
    ) -> tuple[DayCase, ...]:
        return tuple(
            DayCase(
                case_uuid=row.case_uuid,
                case_number=row.case_number,
                service_code=row.service_code,
                clerk=row.clerk,
                fee=row.fee,
                payment_method=row.payment_method,
                received_at=datetime.fromisoformat(row.received_at),
                receipt_seq=seq,
                receipt_number=number,
                sync_state=state or "sent",
                content_hash=self._sent_hash(row.case_uuid, payload),
                void=voids.get(row.case_uuid),
            )
            for row, seq, number, state, payload in rows
        )

    def _sent_hash(self, key: str, payload: str | None) -> str | None:
        """The content hash of what was (or will be) sent; None for a payload an older version did not keep."""
        if not payload:
            return None
        try:
            return wire.CaseIn.model_validate_json(self._core.open(payload, "outbox.payload_json", key)).content_hash()
        except ValidationError:
            return None

    def _corrections_made(self, s: Session, iso: str) -> tuple[CorrectionRecord, ...]:
        rows = s.execute(
            select(CorrectionRow, DayCloseRow.business_date, CaseRow.case_number)
            .join(DayCloseRow, DayCloseRow.id == CorrectionRow.close_id)
            .outerjoin(CaseRow, CaseRow.case_uuid == CorrectionRow.case_uuid)
            .where(CorrectionRow.business_date == iso)
            .order_by(CorrectionRow.id)
        ).all()
        return tuple(
            CorrectionRecord(
                correction_uuid=UUID(c.correction_uuid),
                corrects_day=date.fromisoformat(closed_day),
                case_number=number,
                kind=c.kind,
                amount=c.amount,
                reason=c.reason,
                made_by=c.made_by,
                made_at=datetime.fromisoformat(c.made_at),
            )
            for c, closed_day, number in rows
        )

    @staticmethod
    def _open_due(s: Session) -> tuple[OpenDue, ...]:
        voided = select(VoidRow.case_uuid)
        corrected = select(CorrectionRow.case_uuid).where(CorrectionRow.kind == "void")
        withdrawn = select(OutboxRow.case_uuid).where(OutboxRow.kind == "case", OutboxRow.state == "withdrawn")
        # Closed means closed: decided by the city, voided, withdrawn, or handed over at the counter. A case taken
        # before terms were stored that was due on its own day was issued on the spot.
        # A due date a declared closure moved (due_revised) counts; the one accepted stays as sealed.
        due = func.coalesce(CaseRow.due_revised, CaseRow.due_date)
        rows = s.execute(
            select(CaseRow.case_number, CaseRow.service_code, CaseRow.clerk, due)
            .where(
                CaseRow.due_date.is_not(None),
                CaseRow.due_date != CaseRow.business_date,
                CaseRow.case_uuid.not_in(withdrawn.where(OutboxRow.case_uuid.is_not(None))),
                (CaseRow.server_status.is_(None)) | (CaseRow.server_status.not_in(FINAL_STATUSES)),
                CaseRow.case_uuid.not_in(voided),
                CaseRow.case_uuid.not_in(corrected.where(CorrectionRow.case_uuid.is_not(None))),
            )
            .order_by(due, CaseRow.case_number)
        ).all()
        return tuple(OpenDue(n, code, clerk, date.fromisoformat(due)) for n, code, clerk, due in rows if due)

    def sign_day(
        self,
        day: date,
        report_json: str,
        report_hash: str,
        figures: dict[str, int],
        approval: Approval,
        close_uuid: UUID | None = None,
    ) -> CloseRecord:
        """Sign the day off with its report: from now on the database refuses changes to that day's cases,
        receipts and voids. `close_uuid`: the id the supervisor's approval was bound to. Raises
        StoreError(day_already_closed)."""
        now = self._core.now()
        close_uuid = close_uuid or uuid4()
        with self._core.write() as s:
            if closed_row(s, self._core.device, day) is not None:
                raise StoreError("day_already_closed")
            s.add(
                DayCloseRow(
                    business_date=day.isoformat(),
                    device_id=self._core.device.device_id,
                    closed_at=now.isoformat(),
                    closed_by=approval.supervisor,
                    case_count=figures.get("cases", 0),
                    fee_total=figures.get("fees", 0),
                    first_receipt=None,
                    last_receipt=None,
                    pending_sync=figures.get("pending_sync", 0),
                    close_uuid=str(close_uuid),
                    approval=approval.approval,
                    report_json=report_json,
                    report_hash=report_hash,
                )
            )
            self._queue_record(s, close_uuid, "day_close", day, approval, now, figures=figures, report_hash=report_hash)
        return CloseRecord(close_uuid, day, now, approval.supervisor, approval.approval, report_hash, report_json)

    def is_signed(self, day: date) -> bool:
        """Whether this device's day is signed off (the database refuses its changes)."""
        with self._core.read() as s:
            return closed_row(s, self._core.device, day) is not None

    def closed_days(self) -> list[date]:
        with self._core.read() as s:
            days = s.scalars(
                select(DayCloseRow.business_date).where(DayCloseRow.device_id == self._core.device.device_id)
            ).all()
        return sorted(date.fromisoformat(d) for d in days)

    def correct(
        self, day: date, case_uuid: UUID | None, kind: str, amount: int, reason: str, approval: Approval
    ) -> CorrectionRecord:
        """A correction of a signed day: a new entry, made today, pointing at that day's close.

        Raises StoreError: day_not_closed (an open day is changed directly), void_twice, correction_case (the case
        is not of that day)."""
        now = self._core.now()
        record_uuid = uuid4()
        with self._core.write() as s:
            close = closed_row(s, self._core.device, day)
            if close is None or close.close_uuid is None:
                raise StoreError("day_not_closed")
            number: str | None = None
            if case_uuid is not None:
                case = s.get(CaseRow, str(case_uuid))
                if case is None or case.business_date != day.isoformat():
                    raise StoreError("correction_case")
                number = case.case_number
                voided = s.get(VoidRow, str(case_uuid)) is not None or self._corrected_void(s, str(case_uuid))
                if kind == "void" and voided:
                    raise StoreError("void_twice")
            s.add(
                CorrectionRow(
                    correction_uuid=str(record_uuid),
                    close_id=close.id,
                    case_uuid=str(case_uuid) if case_uuid else None,
                    kind=kind,
                    amount=amount,
                    reason=reason.strip(),
                    made_by=approval.supervisor,
                    approval=approval.approval,
                    made_at=now.isoformat(),
                    business_date=now.date().isoformat(),
                )
            )
            self._queue_record(
                s,
                record_uuid,
                "correction",
                now.date(),
                approval,
                now,
                case_uuid=case_uuid,
                refers_to=UUID(close.close_uuid),
                reason=reason.strip(),
                amount=amount,
            )
        return CorrectionRecord(record_uuid, day, number, kind, amount, reason.strip(), approval.supervisor, now)

    def _queue_record(
        self,
        s: Session,
        record_uuid: UUID,
        kind: wire.DayRecordKind,
        business_date: date,
        approval: Approval,
        at: datetime,
        case_uuid: UUID | None = None,
        **details: Any,
    ) -> None:
        """Queue a book record for the city in the caller's transaction (its UUID is the idempotency key)."""
        record = wire.DayRecordIn(
            record_uuid=record_uuid,
            kind=kind,
            device_id=self._core.device.device_id,
            office_code=self._core.device.office.code,
            business_date=business_date,
            case_uuid=case_uuid,
            by=approval.supervisor,
            approval=approval.approval,
            approval_proof=approval.proof,
            at=at,
            **details,
        )
        key = str(record_uuid)
        s.add(
            OutboxRow(
                idempotency_key=key,
                kind=kind,
                case_uuid=str(case_uuid) if case_uuid else None,
                payload_json=self._core.seal(record.model_dump_json(), "outbox.payload_json", key),
                created_at=at.isoformat(),
                state="pending",
                attempts=0,
            )
        )


def _void(row: VoidRow) -> VoidRecord:
    return VoidRecord(
        UUID(row.case_uuid),
        UUID(row.void_uuid),
        datetime.fromisoformat(row.voided_at),
        row.voided_by,
        row.approval,
        row.reason,
    )


def _close(row: DayCloseRow) -> CloseRecord:
    return CloseRecord(
        close_uuid=UUID(row.close_uuid) if row.close_uuid else UUID(int=0),
        business_date=date.fromisoformat(row.business_date),
        closed_at=datetime.fromisoformat(row.closed_at),
        closed_by=row.closed_by,
        approval=row.approval or "",
        report_hash=row.report_hash or "",
        report_json=row.report_json or json.dumps({}),
    )


def closed_row(s: Session, device: Device, day: date) -> DayCloseRow | None:
    """The device's signed close of a day, if the day is signed."""
    return s.scalar(
        select(DayCloseRow).where(
            DayCloseRow.business_date == day.isoformat(), DayCloseRow.device_id == device.device_id
        )
    )
