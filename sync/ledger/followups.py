"""需處理 follow-ups of cases in the ledger (forms.followups says which and what next): open ones, and how each was
handled — by whom, when, in the clerk's words (sealed: they may name the applicant)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select

from forms.followups import FollowUp, checked_note
from forms.names import mask_name
from forms.types import Outcome
from sync.ledger.cases import Cases
from sync.ledger.core import LedgerCore
from sync.ledger.store.tables import FollowUpRow
from sync.protocol.errors import StoreError


class FollowUps:
    def __init__(self, core: LedgerCore, cases: Cases) -> None:
        self._core = core
        self._cases = cases

    def open(self) -> list[FollowUp]:
        """Unhandled follow-ups, oldest first. A voided receipt or a withdrawn case needs no more: it is done."""
        with self._core.read() as s:
            rows = s.scalars(
                select(FollowUpRow).where(FollowUpRow.handled_at.is_(None)).order_by(FollowUpRow.opened_at)
            ).all()
            opened = {r.case_uuid: (r.kind, datetime.fromisoformat(r.opened_at)) for r in rows}
        return [
            FollowUp(
                case_uuid=case.case_uuid,
                case_number=case.case_number,
                receipt_number=case.receipt_number,
                service_code=case.service_code,
                name_masked=mask_name(case.applicant_name),
                fee=case.fee,
                kind=opened[str(case.case_uuid)][0],
                opened_at=opened[str(case.case_uuid)][1],
                reasons=tuple(r for r in case.reasons if r.outcome is Outcome.FAIL),
            )
            for case in self._cases.some(list(opened))
            if not case.voided and case.sync_state != "withdrawn"
        ]

    def handle(self, case_uuid: UUID, clerk: str, note: str) -> None:
        """Record how a follow-up was handled. Raises ValidationError(follow_up_note) for a note that says too
        little, StoreError(follow_up_unknown) when the case has no open follow-up (handled meanwhile)."""
        words = checked_note(note)
        with self._core.write() as s:
            row = s.get(FollowUpRow, str(case_uuid))
            if row is None or row.handled_at is not None:
                raise StoreError("follow_up_unknown")
            row.handled_at = self._core.now().isoformat()
            row.handled_by = clerk
            row.note = self._core.seal(words, "follow_ups.note", case_uuid)

    def handled_note(self, case_uuid: UUID) -> str | None:
        with self._core.read() as s:
            row = s.get(FollowUpRow, str(case_uuid))
            if row is None or row.note is None:
                return None
            return self._core.open(row.note, "follow_ups.note", case_uuid)
