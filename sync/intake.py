"""One intake from typed fields to a saved case: validate, look up (audited), decide, accept.

The window, the demo and the tests all go through this, so no rule lives in a widget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from forms.clock import taipei_now
from forms.eligibility import Context, decide
from forms.errors import ValidationError
from forms.types import Applicant, Decision, Facts, ServiceType
from forms.validation import ApplicantForm, validate_applicant
from sync.ledger import CaseDraft, Device, Ledger, SavedCase
from sync.lookups import LookupService


@dataclass(frozen=True)
class Verification:
    """The look-ups' facts and the decision drawn from them, for one applicant and case."""

    case_uuid: UUID
    service: ServiceType
    applicant: Applicant
    facts: Facts
    decision: Decision
    errors: tuple[str, ...]  # message codes of look-ups that could not run (offline, auth, server)

    @property
    def offline(self) -> bool:
        return bool(self.errors)


class IntakeService:
    """Validate → look up → decide → accept, for one device and clerk."""

    def __init__(
        self,
        ledger: Ledger,
        lookups: LookupService,
        device: Device,
        clerk: str,
        now: Callable[[], datetime] = taipei_now,
    ) -> None:
        self._ledger = ledger
        self._lookups = lookups
        self._device = device
        self.clerk = clerk
        self._now = now

    def validate(self, raw_id: str, raw_name: str, raw_birth: str) -> ApplicantForm:
        return validate_applicant(raw_id, raw_name, raw_birth, self._now().date())

    @staticmethod
    def new_case_uuid() -> UUID:
        return uuid4()

    def verify(self, case_uuid: UUID, service: ServiceType, applicant: Applicant, consent: bool) -> Verification:
        """Run the service's look-ups (each audited) and evaluate its rules.

        Raises:
            ValidationError: consent_missing.
            StoreError: an audit row could not be written (the facts are then not used).
        """
        if not consent:
            # Audited refusal, no network call.
            self._lookups.household(case_uuid, service.code, applicant.national_id, False, self.clerk)
        found: dict[str, dict[str, object] | None] = {}
        errors: list[str] = []
        for kind in service.lookups:
            if kind != "household":
                raise ValidationError("service_unknown", service=f"{service.code}:{kind}")
            result = self._lookups.household(case_uuid, service.code, applicant.national_id, True, self.clerk)
            found[kind] = result.facts
            if result.error_code:
                errors.append(result.error_code)
        facts = Facts(found)
        ctx = Context(today=self._now().date(), office=self._device.office)
        return Verification(
            case_uuid, service, applicant, facts, decide(service.rules, applicant, facts, ctx), tuple(errors)
        )

    def accept(self, verification: Verification, payment_method: str = "cash") -> SavedCase:
        """Save the case with its receipt and outbox row (one transaction)."""
        draft = CaseDraft(
            case_uuid=verification.case_uuid,
            service=verification.service,
            applicant=verification.applicant,
            decision=verification.decision,
            clerk=self.clerk,
            payment_method=payment_method,
        )
        return self._ledger.accept(draft)
