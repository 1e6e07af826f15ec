"""One intake from typed fields to a saved case: validate, look up (audited), decide, check documents and
duplicates, offer other benefits, accept (with a supervisor's override where rules failed).

The window, the demo and the tests all go through this, so no rule lives in a widget.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from forms.backlog import OVERRIDE_HOURS, SKEW_WARN_S, BacklogPolicy, BacklogState, assess, check_intake_allowed
from forms.benefits import Benefit, find_benefits
from forms.calendar import OfficeCalendar
from forms.catalog import Catalog
from forms.clock import city_today, taipei_now
from forms.documents import DocumentCheck, check_documents
from forms.eligibility import Context, decide
from forms.errors import DomainError, ValidationError
from forms.ids import parse_id
from forms.offices import OfficeDirectory
from forms.payment import Payment, settle
from forms.reasons import checked_reason
from forms.rocdate import format_roc
from forms.terms import CaseTerms, decide_terms
from forms.thresholds import Thresholds
from forms.timelimits import DueDate
from forms.types import Applicant, Decision, Facts, Outcome, ServiceType
from forms.validation import ApplicantForm, validate_applicant
from sync.city.client import CityClient
from sync.city.lookups import LookupService
from sync.city.supervisor_keys import SupervisorKeys
from sync.ledger import CaseDraft, Device, Ledger, LookupAudit, SavedCase
from sync.ledger.secrets import MemorySecretStore
from sync.protocol import wire
from sync.protocol.errors import StoreError, SyncError
from sync.services.approvals import Approver

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """The clerk cancelled the look-ups; nothing was decided."""


@dataclass(frozen=True)
class Verification:
    """The look-ups' facts and what follows from them, for one applicant and case."""

    case_uuid: UUID
    service: ServiceType
    applicant: Applicant
    fields: dict[str, str]
    facts: Facts
    decision: Decision
    errors: tuple[str, ...]  # message codes of look-ups that could not run (offline, auth, server)
    documents: DocumentCheck
    duplicates: tuple[str, ...]  # case numbers of this person's earlier cases of the same service
    benefits: tuple[Benefit, ...]
    override: wire.Override | None = None

    @property
    def offline(self) -> bool:
        return bool(self.errors)

    @property
    def failed_rules(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.decision.results if r.outcome is Outcome.FAIL)


@dataclass(frozen=True)
class Reverification:
    """What a deferred verification found, for the list shown to the liaison officer."""

    case_number: str
    service_name: str
    decision: Decision


class IntakeService:
    """Validate → look up → decide → accept, for one device and clerk."""

    def __init__(
        self,
        ledger: Ledger,
        lookups: LookupService,
        client: CityClient,
        device: Device,
        clerk: str,
        catalog: Catalog,
        calendar: OfficeCalendar,
        thresholds: Thresholds,
        now: Callable[[], datetime] = taipei_now,
        backlog_policy: BacklogPolicy | None = None,
        approver: Approver | None = None,
        offices: OfficeDirectory | None = None,
    ) -> None:
        self._ledger = ledger
        self._lookups = lookups
        self._client = client
        self._device = device
        self.clerk = clerk
        self.catalog = catalog
        self.calendar = calendar
        self._thresholds = thresholds
        self.offices = offices or OfficeDirectory()  # the city's directory: phones, 補正期間
        self._now = now
        self.backlog_policy = backlog_policy or BacklogPolicy()
        # Checks a supervisor's name and password without the network (set by the composition root).
        self.verify_supervisor: Callable[[str, str], bool] = lambda _user, _password: False
        # Supervisors' approvals (online, or signed with their key here); keys kept in memory unless the
        # composition root gives the keyring-backed one.
        self.approver = approver or Approver(client, SupervisorKeys(MemorySecretStore(), device.device_id, now), now)

    def supplement_due(self) -> DueDate | None:
        """By when what a 一次告知單 given now lists is to be brought (this office's 補正期間 on the office calendar;
        None when the city sets no period)."""
        return self.offices.supplement_due(self._device.office.code, self.calendar, self._now().date())

    def use_reference(self, calendar: OfficeCalendar, thresholds: Thresholds) -> None:
        """The calendar (with closures) and amounts the next intakes use, as the city published them."""
        self.calendar = calendar
        self._thresholds = thresholds

    @property
    def thresholds(self) -> Thresholds:
        return self._thresholds

    def validate(
        self, service: ServiceType, raw_id: str, raw_name: str, raw_birth: str, raw_fields: dict[str, str] | None = None
    ) -> ApplicantForm:
        return validate_applicant(
            raw_id, raw_name, raw_birth, self._now().date(), service.fields, raw_fields, service.beneficiary
        )

    @staticmethod
    def new_case_uuid() -> UUID:
        return uuid4()

    def context(self, fields: dict[str, str]) -> Context:
        today = self._now().date()
        office = self._device.office
        return Context(
            today,
            office,
            self._thresholds.living_cost(office.city_code, today.year),
            fields,
            self._thresholds.consumption(today.year),
        )

    def verify(
        self,
        case_uuid: UUID,
        service: ServiceType,
        applicant: Applicant,
        fields: dict[str, str],
        consent: bool,
        progress: Callable[[int, int], None] = lambda done, total: None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> Verification:
        """Run the service's look-ups (each audited), then decide and gather what the clerk needs to see.

        Raises:
            ValidationError: consent_missing (audited refusal, no network call).
            Cancelled: the clerk cancelled between look-ups.
            StoreError: an audit row could not be written (the facts are then not used); the ledger may not issue
                numbers now (damaged, behind, another ledger).
        """
        # A case that could not be saved is not looked up: no personal data is queried for nothing.
        self.check_may_take()
        nid = applicant.national_id
        if not consent:
            self._lookups.run(service.lookups[0], case_uuid, service.code, nid, False, self.clerk)
        found: dict[str, dict[str, object] | None] = {}
        errors: list[str] = []
        total = len(service.lookups)
        progress(0, total)
        for i, kind in enumerate(service.lookups):
            if cancelled():
                raise Cancelled()
            # Applying for another person: the look-ups about that person are of that person's ID.
            other = service.beneficiary.subject_of(kind, fields) if service.beneficiary else None
            subject = parse_id(other) if other else nid
            result = self._lookups.run(kind, case_uuid, service.code, subject, True, self.clerk)
            found[kind] = result.facts
            if result.error_code and result.error_code not in errors:
                errors.append(result.error_code)
            progress(i + 1, total)
        facts = Facts(found)
        ctx = self.context(fields)
        return Verification(
            case_uuid=case_uuid,
            service=service,
            applicant=applicant,
            fields=fields,
            facts=facts,
            decision=decide(service.rules, applicant, facts, ctx),
            errors=tuple(errors),
            documents=check_documents(service, facts),
            duplicates=self._duplicates(case_uuid, service, applicant, online=not errors),
            benefits=tuple(find_benefits(self.catalog, service, applicant, facts, ctx)),
        )

    def _duplicates(self, case_uuid: UUID, service: ServiceType, applicant: Applicant, online: bool) -> tuple[str, ...]:
        numbers = set(self._ledger.cases.same_service(applicant.national_id.value, service.code))
        if online:
            try:
                answer = self._client.open_cases(
                    wire.OpenCasesRequest(
                        case_uuid=case_uuid, national_id=applicant.national_id.value, service_code=service.code
                    )
                )
                numbers.update(answer.case_numbers)
                outcome, detail = ("hit" if answer.case_numbers else "miss"), None
            except SyncError as exc:  # the local ledger still answers; the server's view is a bonus
                log.info("server duplicate check unavailable: %s", exc.code)
                outcome, detail = "error", exc.code
            self._ledger.audit.record(
                LookupAudit(
                    case_uuid, service.code, "cases", applicant.national_id.value, self.clerk, outcome, detail=detail
                )
            )
        return tuple(sorted(numbers))

    def approve_override(self, verification: Verification, supervisor: str, password: str, reason: str) -> Verification:
        """A supervisor approves accepting despite failed rules; the approval and reason go with the case. Online
        the city checks and issues it; offline the supervisor signs it on this device (checked by the city later).

        Raises:
            ValidationError: override_nothing (no failed rule) or override_reason_short.
            DomainError: supervisor_not_verified, supervisor_locked, login_locked.
        """
        rules = tuple(sorted(verification.failed_rules))
        if not rules:
            raise ValidationError("override_nothing")
        reason = checked_reason(reason)
        approval = self.approver.approve(supervisor, password, "override", verification.case_uuid, reason, rules)
        override = wire.Override(
            approval_id=UUID(approval.approval),
            supervisor=approval.supervisor,
            reason=reason,
            rules=list(rules),
            proof=approval.proof,
        )
        return replace(verification, override=override)

    def verify_deferred(self, cancelled: Callable[[], bool] = lambda: False) -> list[Reverification]:
        """Run the look-ups of cases taken offline (待查驗) now, decide again and record the outcome (with an update
        queued for the city). Stops at the first case whose look-ups still cannot run: the network is not back."""
        changes: list[Reverification] = []
        for pending in self._ledger.cases.awaiting_verification():
            if cancelled():
                break
            service = self.catalog.get(pending.service_code)
            applicant = Applicant(parse_id(pending.national_id), pending.name, pending.birth_date)
            # The stored fields are already clean; validating them again turns dates back into what rules read.
            fields = validate_applicant(
                pending.national_id,
                pending.name,
                pending.birth_date.isoformat(),
                self._now().date(),
                service.fields,
                pending.fields,
            ).fields
            v = self.verify(pending.case_uuid, service, applicant, fields, consent=True)
            if v.decision.outcome is Outcome.UNKNOWN and v.errors:
                break
            self._ledger.cases.record_verification(
                pending.case_uuid, v.decision, tuple(d.name for d in v.documents.owed)
            )
            changes.append(Reverification(pending.case_number, service.name_zh, v.decision))
        return changes

    def terms(self, verification: Verification, payment: Payment | None = None) -> CaseTerms:
        """What the receipt will promise if the case is accepted now (forms.terms decides; stored with the case)."""
        return decide_terms(
            verification.service,
            verification.decision.outcome,
            verification.override is not None,
            verification.documents,
            self._now().date(),
            self.calendar,
            payment.waiver if payment is not None else None,
        )

    def override_backlog(self, supervisor: str, password: str, reason: str) -> datetime:
        """A supervisor lets intake go on while the device cannot sync (checked offline, against the supervisor's
        cached log-in on this device). Returns until when. Raises DomainError (not a supervisor here, short reason)."""
        reason = checked_reason(reason)
        if not self.verify_supervisor(supervisor, password):
            raise DomainError("supervisor_not_verified")
        until = self._now() + timedelta(hours=OVERRIDE_HOURS)
        self._ledger.settings.record_backlog_override(supervisor, reason.strip(), until)
        return until

    def check_may_take(self) -> None:
        """Raises when no case can be taken now: the ledger may not issue numbers (StoreError), or today is signed
        off here (StoreError intake_day_closed; DomainError intake_day_closed_clock when this clock, as last
        measured against the city, is on another day than the city: the clock is the cause, not the close)."""
        self._ledger.check_may_issue()
        today = self._now().date()
        if not self._ledger.books.is_signed(today):
            return
        skew = self._ledger.settings.clock_skew()
        city_day = city_today(self._now(), skew)
        if skew is not None and city_day is not None and city_day != today:
            raise DomainError(
                "intake_day_closed_clock",
                day=format_roc(today),
                city_day=format_roc(city_day),
                minutes=round(abs(skew) / 60),
            )
        raise StoreError("intake_day_closed")

    def backlog_state(self) -> BacklogState:
        return assess(self._ledger.outbox.backlog(), self._now(), self.backlog_policy)

    def accept(
        self,
        verification: Verification,
        payment_method: str = "cash",
        supersedes: UUID | None = None,
        waiver: str | None = None,
    ) -> SavedCase:
        """Save the case with its receipt and outbox row (one transaction). `waiver`: the ground's code when the
        method is forms.payment.WAIVED.

        Raises:
            DomainError: backlog_blocked when the device has been offline past the policy's limit.
            ValidationError: payment_unknown, waiver_unknown (nothing is saved).
        """
        payment = settle(verification.service, payment_method, waiver)
        check_intake_allowed(
            self._ledger.outbox.backlog(),
            self._now(),
            self.backlog_policy,
            self._ledger.settings.backlog_override_until(),
        )
        self.check_may_take()
        terms = self.terms(verification, payment)
        if not terms.due_covered:
            log.warning(
                "office calendar does not reach the due date of a %s case: counted with weekends only",
                verification.service.code,
            )
        # A failed rule stays failed in the record; an override says who accepted it anyway, and why.
        draft = CaseDraft(
            case_uuid=verification.case_uuid,
            service=verification.service,
            applicant=verification.applicant,
            decision=verification.decision,
            clerk=self.clerk,
            payment_method=payment.method,
            fields=verification.fields,
            due_date=terms.due_date,
            documents_owed=terms.owed,
            override=verification.override,
            supersedes=supersedes,
            terms=terms,
        )
        saved = self._ledger.cases.accept(draft)
        skew = self._ledger.settings.clock_skew()
        if skew is not None and abs(skew) > SKEW_WARN_S:
            # The case keeps this clock's time; the audit trail says by how much the clock was off when it was taken.
            way = "慢" if skew > 0 else "快"
            detail = f"{saved.case_number}：本機時鐘與市府相差約 {round(abs(skew) / 60)} 分鐘（{way}）"
            self._ledger.audit.record(
                LookupAudit(
                    saved.case_uuid, verification.service.code, "clock-skew", "", self.clerk, "noted", detail=detail
                )
            )
        return saved
