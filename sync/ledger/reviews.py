"""Re-verification runs in the ledger: who is to be re-checked, what came out, and where a run stopped.

People are sealed like cases; each result is written with its batch, so a cancelled or killed run resumes at the
first person not yet done.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import func, select, update

from forms.ids import mask_id
from forms.review import Person
from sync.ledger.core import LedgerCore
from sync.ledger.store.tables import CaseRow, CorrectionRow, ReviewItemRow, ReviewRunRow, VoidRow

ENDED = ("駁回", "撤回")
SOURCE_CASES = "本機受益人案件"  # a run over this device's own beneficiaries (the city checks they are the office's)


@dataclass(frozen=True)
class ReviewRun:
    run_id: UUID
    service_code: str
    source: str
    created_at: datetime
    done: int
    total: int

    @property
    def finished(self) -> bool:
        return self.done == self.total


@dataclass(frozen=True)
class ReviewPending:
    ref: UUID
    national_id: str
    name: str
    birth_date: date | None
    label: str


@dataclass(frozen=True)
class ReviewResult:
    ref: UUID
    outcome: str  # pass / fail / unknown
    change: str  # forms.review.CHANGES
    reasons: tuple[str, ...]  # message codes with params, as text-ready pairs
    benefits: tuple[str, ...]  # codes of other services the person now qualifies for
    name: str = ""  # the register's name, when the source gave none


@dataclass(frozen=True)
class ReviewLine:
    """One person in the change list (masked)."""

    label: str
    id_masked: str
    name: str
    outcome: str
    change: str
    reasons: tuple[str, ...]
    benefits: tuple[str, ...]


class Reviews:
    def __init__(self, core: LedgerCore) -> None:
        self._core = core

    def beneficiaries(self, service_code: str) -> list[Person]:
        """The people this device took cases for who were found eligible (or approved by the city), and not
        voided or refused since: one per person, their latest case."""
        voided = select(VoidRow.case_uuid)
        corrected = select(CorrectionRow.case_uuid).where(CorrectionRow.case_uuid.is_not(None))
        not_ended = CaseRow.server_status.is_(None) | CaseRow.server_status.not_in(ENDED)
        with self._core.read() as s:
            rows = s.scalars(
                select(CaseRow)
                .where(
                    CaseRow.service_code == service_code,
                    (CaseRow.server_status == "核准") | ((CaseRow.decision == "pass") & not_ended),
                    CaseRow.case_uuid.not_in(voided),
                    CaseRow.case_uuid.not_in(corrected),
                )
                .order_by(CaseRow.received_at)
            ).all()
            latest = {r.id_digest: r for r in rows}  # later cases replace earlier ones of the same person
            return [
                Person(
                    national_id=self._core.open(r.national_id, "cases.national_id", r.case_uuid),
                    name=self._core.open(r.applicant_name, "cases.applicant_name", r.case_uuid),
                    birth_date=date.fromisoformat(self._core.open(r.birth_date, "cases.birth_date", r.case_uuid)),
                    label=r.case_number,
                )
                for r in latest.values()
            ]

    def create(self, service_code: str, source: str, by: str, people: list[Person]) -> UUID:
        run_id = uuid4()
        with self._core.write() as s:
            s.add(
                ReviewRunRow(
                    run_id=str(run_id),
                    service_code=service_code,
                    source=source[:100],
                    created_at=self._core.now().isoformat(),
                    created_by=by,
                )
            )
            s.flush()
            rows = []
            for seq, p in enumerate(people, start=1):
                ref = str(uuid4())
                birth = p.birth_date.isoformat() if p.birth_date else ""
                rows.append(
                    ReviewItemRow(
                        ref=ref,
                        run_id=str(run_id),
                        seq=seq,
                        national_id=self._core.seal(p.national_id, "review_items.national_id", ref),
                        name=self._core.seal(p.name, "review_items.name", ref),
                        birth_date=self._core.seal(birth, "review_items.birth_date", ref),
                        id_masked=mask_id(p.national_id),
                        label=p.label[:64],
                        state="pending",
                    )
                )
            s.add_all(rows)
        return run_id

    def run(self, run_id: UUID) -> ReviewRun:
        with self._core.read() as s:
            row = s.get(ReviewRunRow, str(run_id))
            if row is None:
                raise KeyError(str(run_id))
            counts = dict(
                s.execute(
                    select(ReviewItemRow.state, func.count())
                    .where(ReviewItemRow.run_id == row.run_id)
                    .group_by(ReviewItemRow.state)
                ).all()
            )
        done = int(counts.get("done", 0))
        return ReviewRun(
            UUID(row.run_id),
            row.service_code,
            row.source,
            datetime.fromisoformat(row.created_at),
            done,
            done + int(counts.get("pending", 0)),
        )

    def unfinished(self) -> ReviewRun | None:
        """The latest run that still has people to check (to resume)."""
        with self._core.read() as s:
            run_id = s.scalar(
                select(ReviewRunRow.run_id)
                .where(ReviewRunRow.finished_at.is_(None))
                .order_by(ReviewRunRow.created_at.desc())
                .limit(1)
            )
        return self.run(UUID(run_id)) if run_id else None

    def pending(self, run_id: UUID, limit: int) -> list[ReviewPending]:
        with self._core.read() as s:
            rows = s.scalars(
                select(ReviewItemRow)
                .where(ReviewItemRow.run_id == str(run_id), ReviewItemRow.state == "pending")
                .order_by(ReviewItemRow.seq)
                .limit(limit)
            ).all()
            pending = []
            for r in rows:
                birth = self._core.open(r.birth_date, "review_items.birth_date", r.ref)
                pending.append(
                    ReviewPending(
                        UUID(r.ref),
                        self._core.open(r.national_id, "review_items.national_id", r.ref),
                        self._core.open(r.name, "review_items.name", r.ref),
                        date.fromisoformat(birth) if birth else None,
                        r.label,
                    )
                )
            return pending

    def save_results(self, run_id: UUID, results: list[ReviewResult]) -> None:
        """A batch of outcomes, in one transaction; the run is finished when nobody is left."""
        rows = []
        for r in results:
            values: dict[str, object] = {
                "ref": str(r.ref),
                "state": "done",
                "outcome": r.outcome,
                "change": r.change,
                "reasons_json": json.dumps(r.reasons, ensure_ascii=False),
                "benefits_json": json.dumps(r.benefits),
            }
            if r.name:
                values["name"] = self._core.seal(r.name, "review_items.name", r.ref)
            rows.append(values)
        with self._core.write() as s:
            # Bulk UPDATE by primary key: one executemany per set of columns (rows with a register name differ).
            for group in (
                [v for v in rows if "name" in v],
                [v for v in rows if "name" not in v],
            ):
                if group:
                    s.execute(update(ReviewItemRow), group)
            left = s.scalar(
                select(func.count()).where(ReviewItemRow.run_id == str(run_id), ReviewItemRow.state == "pending")
            )
            if not left:
                s.execute(
                    update(ReviewRunRow)
                    .where(ReviewRunRow.run_id == str(run_id))
                    .values(finished_at=self._core.now().isoformat())
                )

    def ids(self, run_id: UUID) -> list[str]:
        """Every ID number of a run (registered with the city as the run's list before it is looked up)."""
        with self._core.read() as s:
            rows = s.execute(
                select(ReviewItemRow.ref, ReviewItemRow.national_id)
                .where(ReviewItemRow.run_id == str(run_id))
                .order_by(ReviewItemRow.seq)
            ).all()
        return [self._core.open(sealed, "review_items.national_id", ref) for ref, sealed in rows]

    def lines(self, run_id: UUID) -> list[ReviewLine]:
        with self._core.read() as s:
            rows = s.scalars(
                select(ReviewItemRow)
                .where(ReviewItemRow.run_id == str(run_id), ReviewItemRow.state == "done")
                .order_by(ReviewItemRow.seq)
            ).all()
            return [
                ReviewLine(
                    r.label,
                    r.id_masked,
                    self._core.open(r.name, "review_items.name", r.ref),
                    r.outcome or "",
                    r.change or "",
                    tuple(json.loads(r.reasons_json or "[]")),
                    tuple(json.loads(r.benefits_json or "[]")),
                )
                for r in rows
            ]
