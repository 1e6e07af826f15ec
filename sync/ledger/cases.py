"""The cases of the ledger: accepting one (case, receipt and outbox row in ONE transaction, numbered without
gaps), reading them back, finding them, the deferred verification of cases taken offline, the city's statuses."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from forms.casesteps import step_words
from forms.errors import DomainError
from forms.followups import follow_up_after_recheck
from forms.ids import mask_id, parse_id
from forms.rocdate import format_roc_compact
from forms.types import Decision, Outcome, RuleResult
from sync.ledger.books import closed_row
from sync.ledger.core import LedgerCore
from sync.ledger.highwater import Marks
from sync.ledger.records import (
    STATUS_ACCEPTED,
    STATUS_PENDING_VERIFICATION,
    STATUS_VERIFIED,
    CaseDraft,
    PendingCase,
    SavedCase,
    seq_of,
)
from sync.ledger.store.integrity import CASE_COUNTER, LAST_RECEIPT, RECEIPT_COUNTER
from sync.ledger.store.tables import (
    CaseRow,
    CorrectionRow,
    CounterRow,
    FollowUpRow,
    OutboxRow,
    ReceiptRow,
    VoidRow,
)
from sync.protocol import wire
from sync.protocol.errors import StoreError

log = logging.getLogger(__name__)

RECEIPT_NUMBER = re.compile(r"[A-Za-z0-9]{1,16}-R[0-9]{7}")  # what `accept` writes: <device>-R<seq>


def reasons_json(decision: Decision) -> str:
    return json.dumps(
        [{"rule": r.rule, "outcome": r.outcome.value, "code": r.code, "params": r.params} for r in decision.results],
        ensure_ascii=False,
    )


def _reasons_from_json(raw: str) -> tuple[RuleResult, ...]:
    return tuple(RuleResult(d["rule"], Outcome(d["outcome"]), d["code"], d["params"]) for d in json.loads(raw))


class Cases:
    def __init__(self, core: LedgerCore) -> None:
        self._core = core

    def accept(self, draft: CaseDraft) -> SavedCase:
        """Save the case, its receipt and its outbox row in one transaction and return what was saved; then raise
        the high-water marks past its numbers.

        Raises:
            StoreError: intake_day_closed, ledger_damaged / ledger_behind / ledger_other (no number may be issued
                now), store_failed.
        """
        self._core.check_may_issue()
        now = self._core.now()
        day = now.date()
        decision = draft.decision.outcome
        status = STATUS_PENDING_VERIFICATION if decision is Outcome.UNKNOWN else STATUS_ACCEPTED
        nid = draft.applicant.national_id
        # What is collected at the counter: nothing when the fee is not published (the receipt says 依機關公告) or
        # is waived (the terms say on what ground).
        fee = draft.terms.collected if draft.terms is not None else draft.service.fee or 0
        with self._core.write() as s:
            if closed_row(s, self._core.device, day) is not None:  # the database refuses it too; this says why in words
                raise StoreError("intake_day_closed")
            case_seq = self._core.next(s, f"{CASE_COUNTER}{day.isoformat()}")
            receipt_seq = self._core.next(s, RECEIPT_COUNTER)
            # The day's last receipt number, kept with it: the day close finds a missing last receipt on its day.
            s.merge(CounterRow(name=f"{LAST_RECEIPT}{day.isoformat()}", value=receipt_seq))
            dev = self._core.device
            case_number = f"{dev.office.code}-{dev.device_id}-{format_roc_compact(day)}-{case_seq:04d}"
            receipt_number = f"{dev.device_id}-R{receipt_seq:07d}"
            wire_case = wire.CaseIn(
                case_uuid=draft.case_uuid,
                case_number=case_number,
                receipt_number=receipt_number,
                service_code=draft.service.code,
                catalog_version=draft.service.catalog_version,
                national_id=nid.value,
                applicant_name=draft.applicant.name,
                birth_date=draft.applicant.birth_date,
                office_code=dev.office.code,
                device_id=dev.device_id,
                clerk=draft.clerk,
                received_at=now,
                fee=fee,
                payment_method=draft.payment_method,
                decision=decision.value,
                reason_codes=list(draft.decision.reason_codes),
                fields=draft.fields,
                due_date=draft.due_date,
                documents_owed=list(draft.documents_owed),
                override=draft.override,
                supersedes=draft.supersedes,
                terms=wire.Terms.of(draft.terms) if draft.terms else None,
            )
            s.add(
                CaseRow(
                    case_uuid=str(draft.case_uuid),
                    case_number=case_number,
                    service_code=draft.service.code,
                    catalog_version=draft.service.catalog_version,
                    national_id=self._core.seal(nid.value, "cases.national_id", draft.case_uuid),
                    id_masked=nid.masked(),
                    id_digest=self._core.id_digest(nid.value),
                    applicant_name=self._core.seal(draft.applicant.name, "cases.applicant_name", draft.case_uuid),
                    name_digest=self._core.name_digest(draft.applicant.name),
                    birth_date=self._core.seal(
                        draft.applicant.birth_date.isoformat(), "cases.birth_date", draft.case_uuid
                    ),
                    office_code=dev.office.code,
                    device_id=dev.device_id,
                    clerk=draft.clerk,
                    received_at=now.isoformat(),
                    business_date=day.isoformat(),
                    fee=fee,
                    payment_method=draft.payment_method,
                    decision=decision.value,
                    reasons_json=reasons_json(draft.decision),
                    status=status,
                    fields_json=self._core.seal(
                        json.dumps(draft.fields, ensure_ascii=False), "cases.fields_json", draft.case_uuid
                    ),
                    due_date=draft.due_date.isoformat() if draft.due_date else None,
                    documents_owed_json=json.dumps(list(draft.documents_owed), ensure_ascii=False),
                    override_json=draft.override.model_dump_json() if draft.override else None,
                    terms_json=wire_case.terms.model_dump_json() if wire_case.terms else None,
                )
            )
            s.flush()  # the receipt's foreign key needs the case row first
            s.add(
                ReceiptRow(
                    seq=receipt_seq,
                    receipt_number=receipt_number,
                    case_uuid=str(draft.case_uuid),
                    issued_at=now.isoformat(),
                    business_date=day.isoformat(),
                )
            )
            s.add(
                OutboxRow(
                    idempotency_key=str(draft.case_uuid),
                    kind="case",
                    case_uuid=str(draft.case_uuid),
                    payload_json=self._core.seal(wire_case.model_dump_json(), "outbox.payload_json", draft.case_uuid),
                    created_at=now.isoformat(),
                    state="pending",
                    attempts=0,
                )
            )
            if draft.supersedes is not None:
                # The corrected case replaces a set-aside one, in the same transaction: never both, never neither.
                # Its later updates go with it: the city never had the case, they would only be refused.
                s.execute(
                    update(OutboxRow)
                    .where(OutboxRow.case_uuid == str(draft.supersedes), OutboxRow.state.in_(("attention", "pending")))
                    .values(state="withdrawn", last_error=f"已更正，改以 {case_number} 送出")
                )
        self._core.marks.raise_to(Marks(receipt_seq, {day.isoformat(): case_seq}))
        log.info("case %s accepted (%s, receipt %s)", case_number, decision.value, receipt_number)
        return self.case(draft.case_uuid)

    def case(self, case_uuid: UUID) -> SavedCase:
        with self._core.read() as s:
            row = s.get(CaseRow, str(case_uuid))
            if row is None:
                raise KeyError(str(case_uuid))
            return self._to_saved(s, row)

    def some(self, keys: Sequence[str]) -> list[SavedCase]:
        """The cases of these UUIDs that exist, in the order given."""
        with self._core.read() as s:
            rows = {r.case_uuid: r for r in s.scalars(select(CaseRow).where(CaseRow.case_uuid.in_(keys)))}
            return self._to_saved_many(s, [rows[k] for k in keys if k in rows])

    def cases_on(self, day: date) -> list[SavedCase]:
        with self._core.read() as s:
            rows = s.scalars(
                select(CaseRow).where(CaseRow.business_date == day.isoformat()).order_by(CaseRow.case_number)
            ).all()
            return self._to_saved_many(s, rows)

    def recent(self, limit: int = 50) -> list[SavedCase]:
        with self._core.read() as s:
            rows = s.scalars(select(CaseRow).order_by(CaseRow.received_at.desc()).limit(limit)).all()
            return self._to_saved_many(s, rows)

    def search(self, query: str, limit: int = 50) -> list[SavedCase]:
        """Cases by ID number, case number (or its start) or the applicant's full name; newest first."""
        q = query.strip()
        if not q:
            return []
        try:
            condition = CaseRow.id_digest == self._core.id_digest(parse_id(q).value)
        except DomainError:
            if q[:1].isdigit():
                condition = (CaseRow.case_number >= q) & (CaseRow.case_number < q + "\uffff")
            else:
                condition = CaseRow.name_digest == self._core.name_digest(q)
        with self._core.read() as s:
            order = (CaseRow.received_at.desc(), CaseRow.case_number.desc())
            rows = s.scalars(select(CaseRow).where(condition).order_by(*order).limit(limit)).all()
            return self._to_saved_many(s, rows)

    def same_service(self, national_id: str, service_code: str) -> list[str]:
        """Case numbers of this person's earlier cases of the same service on this device (duplicate warning); a
        voided or withdrawn case is no duplicate (the city leaves out what it closed, 撤回 included)."""
        with self._core.read() as s:
            voided = select(VoidRow.case_uuid)
            corrected = select(CorrectionRow.case_uuid).where(
                CorrectionRow.kind == "void", CorrectionRow.case_uuid.is_not(None)
            )
            withdrawn = select(OutboxRow.case_uuid).where(
                OutboxRow.kind == "case", OutboxRow.state == "withdrawn", OutboxRow.case_uuid.is_not(None)
            )
            rows = s.scalars(
                select(CaseRow.case_number)
                .where(
                    CaseRow.id_digest == self._core.id_digest(national_id),
                    CaseRow.service_code == service_code,
                    CaseRow.case_uuid.not_in(voided),
                    CaseRow.case_uuid.not_in(corrected),
                    CaseRow.case_uuid.not_in(withdrawn),
                )
                .order_by(CaseRow.case_number)
            ).all()
        return list(rows)

    def count(self) -> int:
        with self._core.read() as s:
            return int(s.scalar(select(func.count()).select_from(CaseRow)) or 0)

    def awaiting_verification(self) -> list[PendingCase]:
        """Cases taken while a look-up could not run (待查驗), with what is needed to run it now."""
        with self._core.read() as s:
            # Only cases still on their way to the city: one it set aside or a person withdrew needs no update.
            rows = s.scalars(
                select(CaseRow)
                .join(OutboxRow, (OutboxRow.case_uuid == CaseRow.case_uuid) & (OutboxRow.kind == "case"))
                .where(CaseRow.status == STATUS_PENDING_VERIFICATION, OutboxRow.state.in_(("pending", "sent")))
                .order_by(CaseRow.case_number)
            ).all()
            return [self._pending(r) for r in rows]

    def applicant_details(self, case_uuid: UUID) -> PendingCase:
        """What was typed for a case (opened from its sealed columns), to correct it and send it again."""
        with self._core.read() as s:
            row = s.get(CaseRow, str(case_uuid))
            if row is None:
                raise KeyError(str(case_uuid))
            return self._pending(row)

    def _pending(self, r: CaseRow) -> PendingCase:
        with self._core.decoding("cases", r.case_number):
            return PendingCase(
                UUID(r.case_uuid),
                r.case_number,
                r.service_code,
                self._core.open(r.national_id, "cases.national_id", r.case_uuid),
                self._core.open(r.applicant_name, "cases.applicant_name", r.case_uuid),
                date.fromisoformat(self._core.open(r.birth_date, "cases.birth_date", r.case_uuid)),
                json.loads(self._core.open(r.fields_json, "cases.fields_json", r.case_uuid)),
            )

    def verify_rows(self) -> list[str]:
        """Every case row and its receipt against the case as it was sealed into the outbox (an authenticated
        copy): finds what a flipped bit changed in a column nothing else checks (a fee, a clerk, a date). Returns
        the rows that differ, named with their columns."""
        core = self._core
        problems: list[str] = []
        with core.read() as s:
            rows = s.execute(
                select(CaseRow, ReceiptRow.seq, ReceiptRow.receipt_number, OutboxRow.payload_json)
                .outerjoin(ReceiptRow, ReceiptRow.case_uuid == CaseRow.case_uuid)
                .outerjoin(OutboxRow, OutboxRow.idempotency_key == CaseRow.case_uuid)
            ).all()
            for row, seq, number, payload in rows:
                if not payload:
                    continue  # a case from before the outbox kept what it sent (revision 0001)
                with core.decoding("outbox", row.case_uuid):
                    sent = wire.CaseIn.model_validate_json(core.open(payload, "outbox.payload_json", row.case_uuid))
                    differ = [name for name, same in _agreement(core, row, seq, number, sent) if not same]
                if differ:
                    problems.append(f"cases {row.case_number}: {', '.join(differ)}")
        return problems

    def record_verification(self, case_uuid: UUID, decision: Decision, documents_owed: tuple[str, ...]) -> None:
        """The deferred look-ups ran: keep the new decision on the case and queue an update for the city, in one
        transaction. The case as first sent stays as it was on the server; the update says what changed."""
        now = self._core.now()
        outcome = decision.outcome
        change = wire.CaseUpdateIn(
            update_uuid=uuid4(),
            case_uuid=case_uuid,
            decision=outcome.value,
            reason_codes=list(decision.reason_codes),
            documents_owed=list(documents_owed),
            verified_at=now,
        )
        with self._core.write() as s:
            changed = s.execute(
                update(CaseRow)
                .where(CaseRow.case_uuid == str(case_uuid), CaseRow.status == STATUS_PENDING_VERIFICATION)
                .values(
                    decision=outcome.value,
                    reasons_json=reasons_json(decision),
                    status=STATUS_PENDING_VERIFICATION if outcome is Outcome.UNKNOWN else STATUS_VERIFIED,
                    documents_owed_json=json.dumps(list(documents_owed), ensure_ascii=False),
                )
            )
            kind = follow_up_after_recheck(outcome)
            if kind and changed.rowcount:  # type: ignore[attr-defined]
                s.merge(FollowUpRow(case_uuid=str(case_uuid), kind=kind, opened_at=now.isoformat()))
            s.add(
                OutboxRow(
                    idempotency_key=str(change.update_uuid),
                    kind="update",
                    case_uuid=str(case_uuid),
                    payload_json=self._core.seal(change.model_dump_json(), "outbox.payload_json", change.update_uuid),
                    created_at=now.isoformat(),
                    state="pending",
                    attempts=0,
                )
            )

    def record_reprint(self, case_uuid: UUID) -> int:
        """Count a reprint of a case's receipt (the copy is marked 補印); returns which reprint this is."""
        with self._core.write() as s:
            if s.get(CaseRow, str(case_uuid)) is None:
                raise KeyError(str(case_uuid))
            name = f"reprint:{case_uuid}"
            row = s.get(CounterRow, name) or CounterRow(name=name, value=0)
            row.value += 1
            s.merge(row)
            return row.value

    def status_cursor(self) -> int:
        with self._core.read() as s:
            row = s.get(CounterRow, "status_cursor")
            return 0 if row is None else row.value

    def apply_status_changes(self, changes: list[wire.StatusChange], cursor: int) -> int:
        """Record the city's statuses and the new cursor in one transaction (a crash repeats the pull, no harm).
        Returns how many of this ledger's cases changed."""
        changed = 0
        with self._core.write() as s:
            for change in changes:
                result = s.execute(
                    update(CaseRow)
                    .where(CaseRow.case_uuid == str(change.case_uuid))
                    .values(
                        server_status=change.status,
                        server_note=step_words(change.note, change.owed, change.owed_by)[:200],
                    )
                )
                changed += result.rowcount or 0  # type: ignore[attr-defined]
            row = s.get(CounterRow, "status_cursor") or CounterRow(name="status_cursor", value=0)
            row.value = max(row.value, cursor)
            s.merge(row)
        return changed

    def _to_saved(self, s: Session, row: CaseRow) -> SavedCase:
        return self._to_saved_many(s, [row])[0]

    def _to_saved_many(self, s: Session, rows: Sequence[CaseRow]) -> list[SavedCase]:
        """Cases with their receipt, queue state and void, read with one query each for the whole list."""
        keys = [r.case_uuid for r in rows]
        receipts: dict[str, str] = {
            k: v
            for k, v in s.execute(
                select(ReceiptRow.case_uuid, ReceiptRow.receipt_number).where(ReceiptRow.case_uuid.in_(keys))
            )
        }
        states: dict[str, str] = {
            k: v
            for k, v in s.execute(
                select(OutboxRow.idempotency_key, OutboxRow.state).where(OutboxRow.idempotency_key.in_(keys))
            )
        }
        voided = set(s.scalars(select(VoidRow.case_uuid).where(VoidRow.case_uuid.in_(keys)))) | set(
            s.scalars(
                select(CorrectionRow.case_uuid).where(CorrectionRow.case_uuid.in_(keys), CorrectionRow.kind == "void")
            )
        )
        return [self._saved(r, receipts.get(r.case_uuid), states.get(r.case_uuid), r.case_uuid in voided) for r in rows]

    def _saved(self, row: CaseRow, receipt: str | None, state: str | None, voided: bool) -> SavedCase:
        with self._core.decoding("cases", row.case_number):
            if receipt is not None and not RECEIPT_NUMBER.fullmatch(receipt):
                raise ValueError(f"receipt number {receipt!r} is not one this ledger writes")
            return self._saved_case(row, receipt, state, voided)

    def _saved_case(self, row: CaseRow, receipt: str | None, state: str | None, voided: bool) -> SavedCase:
        received = datetime.fromisoformat(row.received_at)
        return SavedCase(
            case_uuid=UUID(row.case_uuid),
            case_number=row.case_number,
            receipt_number=receipt or "",
            service_code=row.service_code,
            id_masked=row.id_masked,
            applicant_name=self._core.open(row.applicant_name, "cases.applicant_name", row.case_uuid),
            received_at=received,
            business_date=date.fromisoformat(row.business_date),
            clerk=row.clerk,
            fee=row.fee,
            payment_method=row.payment_method,
            decision=Outcome(row.decision),
            reasons=_reasons_from_json(row.reasons_json),
            status=row.status,
            sync_state=state or "sent",
            fields=json.loads(self._core.open(row.fields_json, "cases.fields_json", row.case_uuid)),
            due_date=date.fromisoformat(row.due_date) if row.due_date else None,
            documents_owed=tuple(json.loads(row.documents_owed_json)),
            override=wire.Override.model_validate_json(row.override_json) if row.override_json else None,
            server_status=row.server_status,
            server_note=row.server_note,
            voided=voided,
            terms=wire.Terms.model_validate_json(row.terms_json).to_domain() if row.terms_json else None,
        )


def _agreement(
    core: LedgerCore, row: CaseRow, seq: int | None, number: str | None, sent: wire.CaseIn
) -> list[tuple[str, bool]]:
    """Each column that never changes after intake, and whether the row still says what was sealed."""
    received = sent.received_at
    return [
        ("case_number", row.case_number == sent.case_number),
        # A receipt row that is missing is a gap the day close reports itself; one that is there must agree.
        ("receipt_number", number is None or number == sent.receipt_number),
        ("receipt_seq", seq is None or seq == seq_of(sent.receipt_number)),
        ("service_code", row.service_code == sent.service_code),
        ("catalog_version", row.catalog_version == sent.catalog_version),
        ("office_code", row.office_code == sent.office_code),
        ("device_id", row.device_id == sent.device_id),
        ("clerk", row.clerk == sent.clerk),
        ("received_at", datetime.fromisoformat(row.received_at) == received),
        ("fee", row.fee == sent.fee),
        ("payment_method", row.payment_method == sent.payment_method),
        ("due_date", row.due_date == (sent.due_date.isoformat() if sent.due_date else None)),
        ("id_digest", row.id_digest == core.id_digest(sent.national_id)),
        ("id_masked", row.id_masked == mask_id(sent.national_id)),
        ("override_json", row.override_json == (sent.override.model_dump_json() if sent.override else None)),
        ("terms_json", row.terms_json == (sent.terms.model_dump_json() if sent.terms else None)),
    ]
