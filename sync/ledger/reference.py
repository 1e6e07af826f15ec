"""The city's reference data in the ledger: the newer office calendar and amounts pulled from the city, the
closures (停止上班) of this office and its city, and the due dates those closures moved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import func, select

from sync.ledger.audit import Audit
from sync.ledger.core import LedgerCore
from sync.ledger.records import LookupAudit
from sync.ledger.store.tables import CaseRow, ClosureRow, ReferenceDocRow
from sync.protocol import wire


@dataclass(frozen=True)
class OpenCase:
    """A case still owed by a date, with what its due date is counted from."""

    case_uuid: UUID
    case_number: str
    service_code: str
    received: date
    due: date  # as it stands (moved by a closure, or as accepted)
    terms_json: str | None


@dataclass(frozen=True)
class DueChange:
    case_number: str
    service_code: str
    before: date
    after: date


class Reference:
    def __init__(self, core: LedgerCore, audit: Audit) -> None:
        self._core = core
        self._audit = audit

    def docs(self) -> dict[str, tuple[int, str]]:
        """kind → (version, text) of the documents pulled from the city."""
        with self._core.read() as s:
            return {r.kind: (r.version, r.text) for r in s.scalars(select(ReferenceDocRow))}

    def store_docs(self, docs: list[tuple[str, int, str]]) -> None:
        """(kind, version, text), all in one transaction: the calendar and the amounts are never half updated."""
        with self._core.write() as s:
            for kind, version, text in docs:
                s.merge(ReferenceDocRow(kind=kind, version=version, text=text))

    def closures(self) -> list[wire.Closure]:
        with self._core.read() as s:
            rows = s.scalars(select(ClosureRow).order_by(ClosureRow.day, ClosureRow.seq)).all()
            return [
                wire.Closure(
                    closure_uuid=UUID(r.closure_uuid),
                    day=date.fromisoformat(r.day),
                    scope=r.scope,
                    area_code=r.area_code,
                    announcement=r.announcement,
                    declared_by=r.declared_by,
                    declared_at=datetime.fromisoformat(r.declared_at),
                    seq=r.seq,
                )
                for r in rows
            ]

    def last_closure_seq(self) -> int:
        with self._core.read() as s:
            return int(s.scalar(select(func.max(ClosureRow.seq))) or 0)

    def store_closures(self, closures: list[wire.Closure]) -> list[wire.Closure]:
        """Keep the closures not yet held; returns those that are new."""
        new: list[wire.Closure] = []
        with self._core.write() as s:
            for c in closures:
                if s.get(ClosureRow, str(c.closure_uuid)) is not None:
                    continue
                s.add(
                    ClosureRow(
                        closure_uuid=str(c.closure_uuid),
                        seq=c.seq,
                        day=c.day.isoformat(),
                        scope=c.scope,
                        area_code=c.area_code,
                        announcement=c.announcement,
                        declared_by=c.declared_by,
                        declared_at=c.declared_at.isoformat(),
                    )
                )
                new.append(c)
        return new

    def open_cases(self, since: date) -> list[OpenCase]:
        """Cases whose due date is on or after `since` (only those a closure on that day can move)."""
        with self._core.read() as s:
            due = func.coalesce(CaseRow.due_revised, CaseRow.due_date)
            rows = s.execute(
                select(
                    CaseRow.case_uuid,
                    CaseRow.case_number,
                    CaseRow.service_code,
                    CaseRow.business_date,
                    due,
                    CaseRow.terms_json,
                ).where(
                    CaseRow.due_date.is_not(None), CaseRow.due_date != CaseRow.business_date, due >= since.isoformat()
                )
            ).all()
        return [
            OpenCase(UUID(u), n, code, date.fromisoformat(day), date.fromisoformat(d), terms)
            for u, n, code, day, d, terms in rows
        ]

    def revise_due(self, changes: list[tuple[UUID, DueChange]], why: str, by: str) -> None:
        """Move due dates (one transaction), each change in the audit chain with its reason."""
        if not changes:
            return
        with self._core.write() as s:
            for case_uuid, change in changes:
                row = s.get(CaseRow, str(case_uuid))
                if row is not None:
                    row.due_revised = change.after.isoformat()
        for case_uuid, change in changes:
            detail = f"{change.case_number}：處理期限 {change.before.isoformat()} → {change.after.isoformat()}（{why}）"
            self._audit.record(
                LookupAudit(case_uuid, change.service_code, "due-revised", "", by, "noted", detail=detail[:200])
            )

    @staticmethod
    def new_uuid() -> UUID:
        return uuid4()
