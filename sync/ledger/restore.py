"""Putting back into the ledger what the city holds of this device (cases as they were pushed, their latest
verification and void, signed day closes and corrections), and moving the counters past every number issued.

What comes back is written as delivered (the city has it), sealed like any case. A number the ledger already
holds under another case (a rolled-back ledger that issued it again) is left at the city and named: that local case
is refused by the city as a taken number and goes to a person, who re-issues it under a new number.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from forms.clock import TAIPEI
from forms.ids import mask_id
from sync.ledger.books import closed_row
from sync.ledger.core import LedgerCore
from sync.ledger.highwater import Marks
from sync.ledger.records import STATUS_ACCEPTED, STATUS_PENDING_VERIFICATION, STATUS_VERIFIED, seq_of
from sync.ledger.salvage import SalvagedItem
from sync.ledger.store.integrity import CASE_COUNTER, LAST_RECEIPT, RECEIPT_COUNTER
from sync.ledger.store.tables import (
    CaseRow,
    CorrectionRow,
    CounterRow,
    DayCloseRow,
    LookupRow,
    OutboxRow,
    ReceiptRow,
    VoidRow,
)
from sync.protocol import wire

log = logging.getLogger(__name__)


@dataclass
class Restored:
    """What a pull-back put into the ledger, and what it left at the city."""

    cases: int = 0  # put back
    already: int = 0  # the ledger held them
    clashes: list[str] = field(default_factory=list)  # numbers the ledger holds under another case
    signed: list[str] = field(default_factory=list)  # cases of a day signed here without them (left at the city)
    records: int = 0  # day closes and corrections put back
    first_day: date | None = None  # the earliest day a case was put back for

    def add(self, other: Restored) -> None:
        self.cases += other.cases
        self.already += other.already
        self.clashes += other.clashes
        self.signed += other.signed
        self.records += other.records
        if other.first_day and (self.first_day is None or other.first_day < self.first_day):
            self.first_day = other.first_day


class Restore:
    def __init__(self, core: LedgerCore) -> None:
        self._core = core

    def first_to_compare(self) -> int:
        """Where pulling back starts: the lowest receipt sequence the ledger does not hold, or the lowest one of a
        case the city has not confirmed (which may hold a number the city knows under another case)."""
        with self._core.read() as s:
            if s.get(ReceiptRow, 1) is None:
                return 1
            later = ReceiptRow.__table__.alias("later")
            gap = s.scalar(
                select(func.min(ReceiptRow.seq + 1)).where(
                    ~select(later.c.seq).where(later.c.seq == ReceiptRow.seq + 1).exists()
                )
            )
            unconfirmed = s.scalar(
                select(func.min(ReceiptRow.seq))
                .join(OutboxRow, OutboxRow.idempotency_key == ReceiptRow.case_uuid)
                .where(OutboxRow.state != "sent")
            )
        return min(int(gap or 1), int(unconfirmed or gap or 1))

    def held_cases(self, held: list[wire.HeldCase]) -> Restored:
        """One page of the city's cases, in one transaction."""
        core = self._core
        done = Restored()
        now = core.now().isoformat()
        with core.write() as s:
            for h in held:
                self._put_back(s, h, "sent", "[]", now, done)
        return done

    def _put_back(self, s: Session, h: wire.HeldCase, state: str, reasons: str, now: str, done: Restored) -> None:
        """One case, unless the ledger has it, holds its number under another case, or signed its day; counted."""
        core, c = self._core, h.case
        if s.get(CaseRow, str(c.case_uuid)) is not None:
            done.already += 1
            return
        seq = seq_of(c.receipt_number)
        received = c.received_at.astimezone(TAIPEI)
        day = received.date()
        taken = s.scalar(select(CaseRow.case_uuid).where(CaseRow.case_number == c.case_number))
        if taken is not None or s.get(ReceiptRow, seq) is not None:
            done.clashes.append(c.case_number)
            return
        if closed_row(s, core.device, day) is not None:
            done.signed.append(c.case_number)
            return
        self._case(s, h, received.isoformat(), now, state, reasons)
        core.raise_counter(s, RECEIPT_COUNTER, seq)
        core.raise_counter(s, f"{CASE_COUNTER}{day.isoformat()}", seq_of(c.case_number))
        core.raise_counter(s, f"{LAST_RECEIPT}{day.isoformat()}", seq)
        done.cases += 1
        done.first_day = day if done.first_day is None or day < done.first_day else done.first_day

    def _case(self, s: Session, h: wire.HeldCase, received: str, now: str, state: str, reasons: str) -> None:
        """A case with its receipt and outbox row (in `state`); its latest verification and void as delivered
        (`state` 'sent') or still to send."""
        core, c = self._core, h.case
        key = str(c.case_uuid)
        decision, owed, status = c.decision, list(c.documents_owed), STATUS_ACCEPTED
        if decision == "unknown":
            status = STATUS_PENDING_VERIFICATION
        if h.update is not None:
            decision, owed = h.update.decision, list(h.update.documents_owed)
            status = STATUS_PENDING_VERIFICATION if decision == "unknown" else STATUS_VERIFIED
        day = received[:10]
        s.add(
            CaseRow(
                case_uuid=key,
                case_number=c.case_number,
                service_code=c.service_code,
                catalog_version=c.catalog_version,
                national_id=core.seal(c.national_id, "cases.national_id", key),
                id_masked=mask_id(c.national_id),
                id_digest=core.id_digest(c.national_id),
                applicant_name=core.seal(c.applicant_name, "cases.applicant_name", key),
                name_digest=core.name_digest(c.applicant_name),
                birth_date=core.seal(c.birth_date.isoformat(), "cases.birth_date", key),
                office_code=c.office_code,
                device_id=c.device_id,
                clerk=c.clerk,
                received_at=received,
                business_date=day,
                fee=c.fee,
                payment_method=c.payment_method,
                decision=decision,
                # The rules' own words (with their figures) are not part of what the city keeps: only the decision.
                reasons_json=reasons,
                status=status,
                fields_json=core.seal(json.dumps(c.fields, ensure_ascii=False), "cases.fields_json", key),
                due_date=c.due_date.isoformat() if c.due_date else None,
                documents_owed_json=json.dumps(owed, ensure_ascii=False),
                override_json=c.override.model_dump_json() if c.override else None,
                terms_json=c.terms.model_dump_json() if c.terms else None,
                server_status=h.status if state == "sent" else None,
                server_note=(h.note or None) if state == "sent" else None,
            )
        )
        s.flush()
        s.add(
            ReceiptRow(
                seq=seq_of(c.receipt_number),
                receipt_number=c.receipt_number,
                case_uuid=key,
                issued_at=received,
                business_date=day,
            )
        )
        self._queued(s, key, "case", key, c.model_dump_json(), received, now, state)
        if h.update is not None:
            update_key = str(h.update.update_uuid)
            self._queued(s, update_key, "update", key, h.update.model_dump_json(), received, now, state)
        if h.void is not None:
            v = h.void
            s.add(
                VoidRow(
                    case_uuid=key,
                    void_uuid=str(v.record_uuid),
                    voided_at=v.at.astimezone(TAIPEI).isoformat(),
                    voided_by=v.by,
                    approval=v.approval,
                    reason=v.reason,
                )
            )
            self._queued(s, str(v.record_uuid), "void", key, v.model_dump_json(), received, now, state)

    def _queued(
        self,
        s: Session,
        key: str,
        kind: str,
        case_uuid: str | None,
        payload: str,
        at: str,
        now: str,
        state: str,
        last_error: str | None = None,
    ) -> None:
        """An outbox row: 'sent' for what the city already holds (never sent again), else waiting as it was."""
        s.add(
            OutboxRow(
                idempotency_key=key,
                kind=kind,
                case_uuid=case_uuid,
                payload_json=self._core.seal(payload, "outbox.payload_json", key),
                created_at=at,
                state=state,
                attempts=1 if state == "sent" else 0,
                sent_at=now if state == "sent" else None,
                last_error=last_error,
            )
        )

    def records(
        self,
        records: list[wire.DayRecordIn],
        states: dict[str, str] | None = None,
        reports: dict[str, str] | None = None,
    ) -> int:
        """Signed day closes and corrections the ledger lacks (after their cases), in one transaction: the city's
        as delivered; a damaged file's in the `states` they had, a close with its signed report from `reports`.
        Returns how many were put back."""
        states, reports = states or {}, reports or {}
        core = self._core
        now = core.now().isoformat()
        added = 0
        with core.write() as s:
            for r in sorted(records, key=lambda r: (r.kind != "day_close", r.at)):
                key = str(r.record_uuid)
                if s.scalar(select(OutboxRow.id).where(OutboxRow.idempotency_key == key)) is not None:
                    continue
                at = r.at.astimezone(TAIPEI).isoformat()
                if r.kind == "day_close":
                    if closed_row(s, core.device, r.business_date) is not None:
                        continue
                    s.add(
                        DayCloseRow(
                            business_date=r.business_date.isoformat(),
                            device_id=core.device.device_id,
                            closed_at=at,
                            closed_by=r.by,
                            case_count=r.figures.get("cases", 0),
                            fee_total=r.figures.get("fees", 0),
                            first_receipt=None,
                            last_receipt=None,
                            pending_sync=r.figures.get("pending_sync", 0),
                            close_uuid=key,
                            approval=r.approval,
                            report_json=reports.get(key),  # the city keeps the report's hash, not the report
                            report_hash=r.report_hash,
                        )
                    )
                else:
                    close = s.scalar(select(DayCloseRow).where(DayCloseRow.close_uuid == str(r.refers_to)))
                    case = s.get(CaseRow, str(r.case_uuid)) if r.case_uuid else None
                    if close is None or (r.case_uuid is not None and case is None):
                        log.warning("correction %s left at the city: its close or case is not here", key)
                        continue
                    s.add(
                        CorrectionRow(
                            correction_uuid=key,
                            close_id=close.id,
                            case_uuid=str(r.case_uuid) if r.case_uuid else None,
                            kind=_correction_kind(r, case.fee if case else 0),
                            amount=r.amount,
                            reason=r.reason,
                            made_by=r.by,
                            approval=r.approval,
                            made_at=at,
                            business_date=r.business_date.isoformat(),
                        )
                    )
                case_key = str(r.case_uuid) if r.case_uuid else None
                self._queued(s, key, r.kind, case_key, r.model_dump_json(), at, now, states.get(key, "sent"))
                added += 1
        return added

    def salvaged(self, items: list[SalvagedItem], reasons: dict[str, str]) -> Restored:
        """A damaged file's cases and their verifications and voids that the ledger lacks (the city's are in by
        now), in the state they had; one the city had confirmed but no longer holds goes back in the queue."""
        core = self._core
        done = Restored()
        now = core.now().isoformat()
        with core.write() as s:
            for item in items:
                if item.kind == "case" and isinstance(item.payload, wire.CaseIn):
                    state = "pending" if item.state == "sent" else item.state
                    held = wire.HeldCase(case=item.payload, status="收件")
                    self._put_back(s, held, state, reasons.get(item.key, "[]"), now, done)
            for item in items:
                if item.kind in ("update", "void") and not self._known(s, item.key):
                    self._salvaged_change(s, item, now)
        return done

    @staticmethod
    def _known(s: Session, key: str) -> bool:
        return s.scalar(select(OutboxRow.id).where(OutboxRow.idempotency_key == key)) is not None

    def _salvaged_change(self, s: Session, item: SalvagedItem, now: str) -> None:
        """A verification or void from a damaged file, for a case the ledger now holds."""
        state = "pending" if item.state == "sent" else item.state
        if isinstance(item.payload, wire.CaseUpdateIn):
            u = item.payload
            case = s.get(CaseRow, str(u.case_uuid))
            if case is None:
                return
            if case.status == STATUS_PENDING_VERIFICATION:
                case.decision = u.decision
                case.status = STATUS_PENDING_VERIFICATION if u.decision == "unknown" else STATUS_VERIFIED
                case.documents_owed_json = json.dumps(list(u.documents_owed), ensure_ascii=False)
            self._queued(s, item.key, "update", str(u.case_uuid), u.model_dump_json(), now, now, state)
        elif isinstance(item.payload, wire.DayRecordIn) and item.payload.case_uuid is not None:
            v = item.payload
            case_key = str(v.case_uuid)
            if s.get(CaseRow, case_key) is None or s.get(VoidRow, case_key) is not None:
                return
            s.add(
                VoidRow(
                    case_uuid=case_key,
                    void_uuid=item.key,
                    voided_at=v.at.astimezone(TAIPEI).isoformat(),
                    voided_by=v.by,
                    approval=v.approval,
                    reason=v.reason,
                )
            )
            self._queued(s, item.key, "void", case_key, v.model_dump_json(), now, now, state)

    def audit_prefix(self, rows: list[dict[str, object]]) -> int:
        """A damaged file's audit rows (the intact beginning of its chain) into an empty chain, as they were."""
        if not rows:
            return 0
        with self._core.write() as s:
            if s.scalar(select(func.count()).select_from(LookupRow)):
                raise ValueError("the audit chain is not empty")
            s.execute(insert(LookupRow), rows)
        return len(rows)

    def missing_receipts(self, upto: int) -> list[tuple[int, int]]:
        """Ranges of receipt sequences up to `upto` that no receipt in the ledger has (issued, then lost)."""
        with self._core.read() as s:
            query = select(ReceiptRow.seq).where(ReceiptRow.seq <= upto).order_by(ReceiptRow.seq)
            held = [int(n) for n in s.scalars(query)]
        gaps, expected = [], 1
        for seq in [*held, upto + 1]:
            if seq > expected:
                gaps.append((expected, seq - 1))
            expected = seq + 1
        return gaps

    def counters_past(self, known: Marks) -> tuple[int, int]:
        """Move every counter past the numbers known to have been issued. Returns the receipt sequences (first,
        last) that were issued but neither the ledger nor the city holds (lost before they reached the city);
        (0, 0) when none were."""
        core = self._core
        with core.write() as s:
            row = s.get(CounterRow, RECEIPT_COUNTER)
            mine = row.value if row else 0
            held = s.scalar(select(func.max(ReceiptRow.seq))) or 0
            core.raise_counter(s, RECEIPT_COUNTER, known.receipt_seq)
            for day, seq in known.case_seqs.items():
                core.raise_counter(s, f"{CASE_COUNTER}{day}", seq)
        top = max(mine, int(held))
        return (top + 1, known.receipt_seq) if known.receipt_seq > top else (0, 0)


def _correction_kind(record: wire.DayRecordIn, fee: int) -> str:
    """The ledger's kind of a correction, from what the city keeps of it (the wire does not carry the kind)."""
    if record.case_uuid is not None and record.amount == -fee and fee > 0:
        return "void"
    return "note" if record.amount == 0 else "refund"
