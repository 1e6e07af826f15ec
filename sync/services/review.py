"""Periodic re-verification of a service's beneficiaries (複查): batch look-ups, eligibility decided again, the
changes listed. Runs in batches; each batch's audit rows and results are written before the next starts, so a
cancelled or interrupted run resumes where it stopped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from forms.benefits import candidates, find_benefits
from forms.catalog import Catalog
from forms.eligibility import FIELD_RULE_KINDS, Context, decide
from forms.errors import DomainError
from forms.ids import parse_id
from forms.messages import text
from forms.review import classify, parse_people_csv
from forms.types import Applicant, Facts, Outcome, ServiceType
from sync.city.client import CityClient
from sync.ledger import Ledger, LookupAudit
from sync.ledger.reviews import SOURCE_CASES, ReviewPending, ReviewResult, ReviewRun
from sync.protocol import wire

log = logging.getLogger(__name__)

BATCH = 500
UNKNOWN_BIRTH = date(1900, 1, 1)  # only when neither the list nor the register gives one: rules then say so


@dataclass(frozen=True)
class ReviewProgress:
    done: int
    total: int


def suited(service: ServiceType) -> bool:
    """A service can be re-checked in bulk when its rules read only registers (no details typed at the counter)."""
    return bool(service.lookups) and not any(r.kind in FIELD_RULE_KINDS for r in service.rules)


class ReviewService:
    def __init__(
        self,
        ledger: Ledger,
        client: CityClient,
        catalog: Catalog,
        context: Callable[[], Context],
        clerk: str,
        now: Callable[[], datetime],
    ) -> None:
        self._ledger = ledger
        self._client = client
        self._catalog = catalog
        self._context = context
        self._clerk = clerk
        self._now = now
        self.batch_size = BATCH
        self._pools: dict[str, list[ServiceType]] = {}

    def _service(self, code: str) -> ServiceType:
        service = self._catalog.get(code)
        if not suited(service):
            raise DomainError("review_service_unsuited")
        return service

    def start_from_cases(self, service_code: str) -> ReviewRun:
        """Everyone this device found eligible for the service (their latest case). Raises DomainError."""
        self._service(service_code)
        people = self._ledger.reviews.beneficiaries(service_code)
        if not people:
            raise DomainError("review_nothing_to_do")
        run_id = self._ledger.reviews.create(service_code, SOURCE_CASES, self._clerk, people)
        return self._ledger.reviews.run(run_id)

    def start_from_csv(self, service_code: str, file_name: str, content: str) -> ReviewRun:
        """A list of ID numbers (and optionally names and birth dates). A bad file changes nothing: raises
        ValidationError naming the rows."""
        self._service(service_code)
        people = parse_people_csv(content, self._now().date())
        run_id = self._ledger.reviews.create(service_code, file_name, self._clerk, people)
        return self._ledger.reviews.run(run_id)

    def run(
        self,
        run_id: UUID,
        progress: Callable[[ReviewProgress], None] = lambda _p: None,
        cancelled: Callable[[], bool] = lambda: False,
        batch: int | None = None,
    ) -> ReviewRun:
        """Check everyone still pending, a batch at a time. Stops between batches when cancelled, and at the first
        batch the city cannot answer (SyncError raised; what was done is kept)."""
        run = self._ledger.reviews.run(run_id)
        service = self._service(run.service_code)
        done = run.done
        progress(ReviewProgress(done, run.total))
        listed = run.source != SOURCE_CASES
        registered = False
        while not cancelled():
            pending = self._ledger.reviews.pending(run_id, min(batch or self.batch_size, wire.MAX_BATCH_PEOPLE))
            if not pending:
                break
            if listed and not registered:
                # The city answers a list only for the people registered on it, before any is looked up.
                self._client.register_review_list(
                    wire.ReviewListRequest(
                        list_id=run_id,
                        purpose=service.code,
                        name=run.source[:64] or "名單",
                        national_ids=self._ledger.reviews.ids(run_id),
                    )
                )
                registered = True
            answers = self._lookup(service, pending, run_id if listed else None)
            self._ledger.reviews.save_results(run_id, [self._judge(service, p, answers[p.ref]) for p in pending])
            done += len(pending)
            progress(ReviewProgress(done, run.total))
        return self._ledger.reviews.run(run_id)

    def _lookup(
        self, service: ServiceType, pending: list[ReviewPending], list_id: UUID | None
    ) -> dict[UUID, wire.BatchLookupAnswer]:
        """One batch request; every person's look-ups audited in the ledger (one transaction) before use."""
        request = wire.BatchLookupRequest(
            purpose=service.code,
            basis="office_cases" if list_id is None else "registered_list",
            list_id=list_id,
            kinds=list(service.lookups),
            people=[wire.BatchPerson(ref=p.ref, national_id=p.national_id) for p in pending],
        )
        answer = self._client.lookup_batch(request)
        by_ref = {a.ref: a for a in answer.answers}
        self._ledger.audit.record_many(
            [
                LookupAudit(
                    case_uuid=p.ref,
                    purpose=f"{service.code}:review",
                    kind=kind,
                    national_id=p.national_id,
                    clerk=self._clerk,
                    outcome=_outcome(by_ref[p.ref], kind),
                    detail=by_ref[p.ref].error,
                )
                for p in pending
                for kind in service.lookups
            ]
        )
        return by_ref

    def _pool(self, service: ServiceType) -> list[ServiceType]:
        """Other services to try for everyone of this run (computed once per service)."""
        if service.code not in self._pools:
            self._pools[service.code] = candidates(self._catalog, service, service.lookups)
        return self._pools[service.code]

    def _judge(self, service: ServiceType, person: ReviewPending, answer: wire.BatchLookupAnswer) -> ReviewResult:
        facts = Facts({k: r.model_dump(exclude={"kind"}) for k, r in answer.records.items()})
        household: dict[str, Any] = facts.of("household") or {}
        name = person.name or str(household.get("name") or "")
        birth = person.birth_date or _date(household.get("birth_date")) or UNKNOWN_BIRTH
        applicant = Applicant(parse_id(person.national_id), name, birth)
        ctx = self._context()
        decision = decide(service.rules, applicant, facts, ctx)
        pool = self._pool(service)
        # The change list names only services the person qualifies for (符合), not those merely worth asking about.
        found = find_benefits(self._catalog, service, applicant, facts, ctx, pool) if answer.error is None else []
        benefits = [b for b in found if b.eligible]
        reasons = tuple(
            dict.fromkeys(text(r.code, **r.params) for r in decision.results if r.outcome is not Outcome.PASS)
        )
        return ReviewResult(
            ref=person.ref,
            outcome=decision.outcome.value,
            change=classify(decision),
            reasons=reasons,
            benefits=tuple(b.service.code for b in benefits),
            name="" if person.name else name,
        )


def _outcome(answer: wire.BatchLookupAnswer, kind: str) -> str:
    if answer.error is not None:
        return "refused"
    record = answer.records.get(kind)  # type: ignore[call-overload]
    return "hit" if record is not None and getattr(record, "found", True) else "miss"


def _date(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None
