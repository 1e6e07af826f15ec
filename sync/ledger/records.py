"""What the ledger hands out and takes in: plain domain values, never ORM rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from forms.terms import CaseTerms
from forms.types import Applicant, Decision, Office, Outcome, RuleResult, ServiceType
from sync.protocol import wire

STATUS_ACCEPTED = "已受理"
STATUS_PENDING_VERIFICATION = "待查驗"
STATUS_VERIFIED = "已補查"
RECORD_NAMES = {"day_close": "日結簽核", "correction": "更正登錄", "void": "收據作廢"}


@dataclass(frozen=True)
class Device:
    """Where and by whom cases are taken."""

    office: Office
    device_id: str  # assigned by the city at enrolment, e.g. D0007; part of every case and receipt number


@dataclass(frozen=True)
class CaseDraft:
    """A case the clerk is about to accept."""

    case_uuid: UUID
    service: ServiceType
    applicant: Applicant
    decision: Decision
    clerk: str
    payment_method: str = "cash"
    fields: dict[str, str] = field(default_factory=dict)
    due_date: date | None = None
    documents_owed: tuple[str, ...] = ()
    override: wire.Override | None = None
    supersedes: UUID | None = None  # a set-aside case this one corrects
    terms: CaseTerms | None = None  # what the receipt promises (forms.terms), decided at acceptance


@dataclass(frozen=True)
class SavedCase:
    """A case as the ledger holds it (what receipts and lists are made from)."""

    case_uuid: UUID
    case_number: str
    receipt_number: str
    service_code: str
    id_masked: str
    applicant_name: str
    received_at: datetime
    business_date: date
    clerk: str
    fee: int
    payment_method: str
    decision: Outcome
    reasons: tuple[RuleResult, ...]
    status: str
    sync_state: str
    fields: dict[str, str]
    due_date: date | None
    documents_owed: tuple[str, ...]
    override: wire.Override | None
    server_status: str | None = None
    server_note: str | None = None
    voided: bool = False  # the receipt was voided (or voided by a correction of its signed day)
    terms: CaseTerms | None = None  # None for cases taken before the terms were kept


@dataclass(frozen=True)
class LookupAudit:
    """One personal-data look-up (or refused / failed attempt) for the audit trail."""

    case_uuid: UUID
    purpose: str
    kind: str
    national_id: str
    clerk: str
    outcome: str  # hit / miss / error / refused
    server_lookup_id: UUID | None = None
    detail: str | None = None


@dataclass(frozen=True)
class OutboxItem:
    key: str
    payload: str
    attempts: int
    kind: str = "case"  # case / update


@dataclass(frozen=True)
class PendingCase:
    """A case waiting for its deferred look-ups."""

    case_uuid: UUID
    case_number: str
    service_code: str
    national_id: str
    name: str
    birth_date: date
    fields: dict[str, str]


@dataclass(frozen=True)
class OutboxView:
    """One queue entry as the sync page shows it."""

    key: str
    case_number: str
    service_code: str
    id_masked: str
    state: str  # pending / sent / attention / withdrawn
    attempts: int
    last_error: str | None
    next_attempt_at: str | None
    kind: str = "case"  # case / update / void / day_close / correction


_TAIL = re.compile(r"(\d+)$")


def seq_of(number: str) -> int:
    """The running number at the end of a case or receipt number."""
    found = _TAIL.search(number)
    if found is None:
        raise ValueError(f"no running number in {number!r}")
    return int(found.group(1))
