"""The wire schema shared by the desktop client and cityserver (pydantic v2).

The client validates every server answer with these models (bad input from the network), and the server
validates every request with the same definitions. Imports neither requests nor keyring.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

API_PREFIX = "/api/v1"
API_VERSION = "v1"
SERVICE_NAME = "counterdesk-cityserver"
MAX_BATCH = 500

Code = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_\-]+$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class WireModel(BaseModel):
    """Strict about shape: unknown fields are refused so a drifted peer is noticed, not half-understood."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Health(WireModel):
    status: Literal["ok"]
    service: Literal["counterdesk-cityserver"]
    api_version: Literal["v1"]
    server_time: datetime


class TokenRequest(WireModel):
    username: ShortText
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    device_id: Code


class TokenResponse(WireModel):
    """A short-lived access token (kept in memory) and a device-bound refresh token (kept in the OS keyring)."""

    access_token: Annotated[str, StringConstraints(min_length=16, max_length=200)]
    token_type: Literal["bearer"]
    expires_in: int = Field(gt=0)
    refresh_token: Annotated[str, StringConstraints(min_length=16, max_length=200)]
    office_code: Code
    role: Literal["clerk", "liaison", "supervisor"]


class RefreshRequest(WireModel):
    """Trade a refresh token for new tokens; the old refresh token is spent (rotation)."""

    refresh_token: Annotated[str, StringConstraints(min_length=16, max_length=200)]
    device_id: Code


class LookupRequest(WireModel):
    """A personal-data look-up: always tied to a case and a purpose, and only with the applicant's consent."""

    case_uuid: UUID
    purpose: Code  # the service code the look-up is for
    consent: Literal[True]
    national_id: Annotated[str, StringConstraints(min_length=10, max_length=10)]


class Member(WireModel):
    birth_date: date


class HouseholdRecord(WireModel):
    """戶籍 facts. found=False: no such person; the other fields are then empty."""

    kind: Literal["household"]
    found: bool
    name: str | None = None
    birth_date: date | None = None
    sex: Literal["M", "F"] | None = None
    city_code: str | None = None
    city_name: str | None = None
    district_code: str | None = None
    district_name: str | None = None
    village: str | None = None
    registered_on: date | None = None
    household_size: int | None = None
    indigenous: bool | None = None
    members: list[Member] = Field(default_factory=list, max_length=30)


class TaxRecord(WireModel):
    """財稅 facts: household income per person per month and property (年度 = tax year)."""

    kind: Literal["tax"]
    found: bool
    year: int | None = None
    income_per_person_monthly: int | None = None
    movable_assets: int | None = None
    real_estate: int | None = None
    owns_house: bool | None = None
    owns_farmhouse: bool | None = None


class DisabilityRecord(WireModel):
    """身障證明 facts."""

    kind: Literal["disability"]
    found: bool
    level: str | None = None
    category: str | None = None
    needs: list[str] = Field(default_factory=list, max_length=10)
    expires_on: date | None = None


class WelfareRecord(WireModel):
    """低收／中低收 status."""

    kind: Literal["welfare"]
    status: Literal["低收入戶", "中低收入戶", "一般"]


class MilitaryRecord(WireModel):
    """役政 facts."""

    kind: Literal["military"]
    found: bool
    status: str | None = None


LookupRecord = Annotated[
    HouseholdRecord | TaxRecord | DisabilityRecord | WelfareRecord | MilitaryRecord, Field(discriminator="kind")
]
LOOKUP_KINDS = ("household", "tax", "disability", "welfare", "military")


class LookupResponse(WireModel):
    lookup_id: UUID
    kind: Literal["household", "tax", "disability", "welfare", "military"]
    record: LookupRecord
    server_time: datetime


LookupKind = Literal["household", "tax", "disability", "welfare", "military"]
MAX_BATCH_PEOPLE = 500


class BatchPerson(WireModel):
    ref: UUID  # the re-verification item: what the audit rows are tied to
    national_id: Annotated[str, StringConstraints(min_length=10, max_length=10)]


class BatchLookupRequest(WireModel):
    """Periodic re-verification of existing beneficiaries (the office's statutory review, not a new application):
    the same look-ups for many people at once, each person audited."""

    purpose: Code  # the service whose beneficiaries are re-checked
    basis: Literal["periodic_review"]
    kinds: list[LookupKind] = Field(min_length=1, max_length=5)
    people: list[BatchPerson] = Field(min_length=1, max_length=MAX_BATCH_PEOPLE)


class BatchLookupAnswer(WireModel):
    ref: UUID
    records: dict[LookupKind, LookupRecord] = Field(default_factory=dict)
    error: Code | None = None  # e.g. id_checksum: this person was not looked up


class BatchLookupResponse(WireModel):
    answers: list[BatchLookupAnswer]
    server_time: datetime


class Override(WireModel):
    """A supervisor's approval to accept despite failed rules, with the written reason."""

    approval_id: UUID
    supervisor: ShortText
    reason: Annotated[str, StringConstraints(min_length=5, max_length=500)]
    rules: list[Code] = Field(min_length=1, max_length=30)


class CaseIn(WireModel):
    """One case as pushed from a device. case_uuid is the idempotency key."""

    case_uuid: UUID
    case_number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    receipt_number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    service_code: Code
    catalog_version: int = Field(ge=1)
    national_id: Annotated[str, StringConstraints(min_length=10, max_length=10)]
    applicant_name: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    birth_date: date
    office_code: Code
    device_id: Code
    clerk: ShortText
    received_at: datetime
    fee: int = Field(ge=0)
    payment_method: Code
    decision: Literal["pass", "fail", "unknown"]
    reason_codes: list[Code] = Field(max_length=50)
    fields: dict[Code, Annotated[str, StringConstraints(max_length=200)]] = Field(default_factory=dict, max_length=30)
    due_date: date | None = None
    documents_owed: list[Annotated[str, StringConstraints(max_length=100)]] = Field(default_factory=list, max_length=30)
    override: Override | None = None
    supersedes: UUID | None = None  # the case this one corrects (it was set aside by the city)

    def content_hash(self) -> str:
        return content_hash(self)


def content_hash(model: BaseModel) -> str:
    """SHA-256 of the canonical JSON: the same on both sides, so a replay is told from a conflict."""
    canonical = json.dumps(model.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class CaseUpdateIn(WireModel):
    """A later verification of a case taken offline (待查驗): the look-ups ran, the decision is now known.
    update_uuid is its own idempotency key; the case itself is never rewritten."""

    update_uuid: UUID
    case_uuid: UUID
    decision: Literal["pass", "fail", "unknown"]
    reason_codes: list[Code] = Field(max_length=50)
    documents_owed: list[Annotated[str, StringConstraints(max_length=100)]] = Field(default_factory=list, max_length=30)
    verified_at: datetime

    def content_hash(self) -> str:
        return content_hash(self)


class CaseUpdatesBatchRequest(WireModel):
    updates: list[CaseUpdateIn] = Field(min_length=1, max_length=MAX_BATCH)


class CasesBatchRequest(WireModel):
    cases: list[CaseIn] = Field(min_length=1, max_length=MAX_BATCH)


DayRecordKind = Literal["void", "day_close", "correction"]


class DayRecordIn(WireModel):
    """A record of the office's books: a receipt voided, a day signed off, or a later correction that points at a
    signed day. record_uuid is its idempotency key; it never rewrites a case."""

    record_uuid: UUID
    kind: DayRecordKind
    device_id: ShortText
    office_code: Code
    business_date: date  # the day the record belongs to (a void: the case's day; a correction: the day it is made)
    case_uuid: UUID | None = None  # the voided / corrected case
    refers_to: UUID | None = None  # a correction: the close_uuid of the signed day it corrects
    by: ShortText  # the supervisor who approved
    approval: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    reason: Annotated[str, StringConstraints(max_length=500)] = ""
    amount: int = 0  # NT$: a correction's refund (negative) or charge
    at: datetime
    figures: dict[Code, int] = Field(default_factory=dict, max_length=40)  # a day close's totals
    report_hash: Annotated[str, StringConstraints(min_length=64, max_length=64)] | None = None

    def content_hash(self) -> str:
        return content_hash(self)


class DayRecordsBatchRequest(WireModel):
    records: list[DayRecordIn] = Field(min_length=1, max_length=MAX_BATCH)


ItemStatus = Literal["accepted", "duplicate", "conflict", "rejected"]


class CaseResult(WireModel):
    """The server's answer for one item; `case_uuid` is the item's idempotency key (an update's update_uuid)."""

    case_uuid: UUID
    status: ItemStatus
    detail: str | None = None


class CasesBatchResponse(WireModel):
    results: list[CaseResult]
    server_time: datetime


ApprovalPurpose = Literal["override", "void", "day_close", "correction"]


class ApprovalRequest(WireModel):
    """A supervisor approves an override at the clerk's desk (credentials checked by the server)."""

    supervisor: ShortText
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    case_uuid: UUID  # the case (override, void) or the day close the approval is for
    reason: Annotated[str, StringConstraints(min_length=5, max_length=500)]
    rules: list[Code] = Field(default_factory=list, max_length=30)  # an override names the failed rules
    purpose: ApprovalPurpose = "override"


class ApprovalResponse(WireModel):
    approval_id: UUID
    supervisor: ShortText


class OpenCasesRequest(WireModel):
    """Which cases of a service does this person already have open? Tied to the case being taken (audited)."""

    case_uuid: UUID
    national_id: Annotated[str, StringConstraints(min_length=10, max_length=10)]
    service_code: Code


class OpenCasesResponse(WireModel):
    case_numbers: list[str]


class DigestRequest(WireModel):
    """What does the server hold of this device's cases for one office day?"""

    day: date


class DigestItem(WireModel):
    case_uuid: UUID
    content_hash: Annotated[str, StringConstraints(min_length=64, max_length=64)]


class DigestResponse(WireModel):
    day: date
    items: list[DigestItem]


CaseStatus = Literal["收件", "已轉送", "審核中", "補件", "核准", "駁回", "撤回"]


class StatusChange(WireModel):
    seq: int = Field(ge=1)
    case_uuid: UUID
    case_number: str
    status: CaseStatus
    note: Annotated[str, StringConstraints(max_length=200)] = ""
    at: datetime


class StatusChangesResponse(WireModel):
    changes: list[StatusChange] = Field(max_length=500)
    cursor: int = Field(ge=0)  # ask again with since=cursor


class StatusUpdateRequest(WireModel):
    """The deciding office records a step (審核中 / 補件 / 核准 / 駁回)."""

    status: Literal["審核中", "補件", "核准", "駁回"]
    note: Annotated[str, StringConstraints(max_length=200)] = ""


class ForwardedCase(WireModel):
    case_number: str
    service_code: Code
    id_masked: str
    received_by: Code
    status: CaseStatus


class ForwardedResponse(WireModel):
    cases: list[ForwardedCase]


class CatalogEntry(WireModel):
    """One service's catalog file, as published by the city (validated again by the device before use)."""

    code: Code
    version: int = Field(ge=1)
    file_name: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_\-]+\.toml$")]
    text: Annotated[str, StringConstraints(max_length=100_000)]


class CatalogDelta(WireModel):
    entries: list[CatalogEntry] = Field(max_length=200)
    version: int = Field(ge=0)  # the highest catalog version the server has


class DeviceKeyRequest(WireModel):
    """A device's receipt-signing public key (Ed25519, raw, base64url), registered with the city."""

    key_id: Annotated[str, StringConstraints(min_length=8, max_length=32, pattern=r"^[0-9a-f]+$")]
    public_key: Annotated[str, StringConstraints(min_length=43, max_length=44)]


class DeviceKeyResponse(WireModel):
    key_id: str
    device_id: Code
    revoked: bool


class ErrorBody(WireModel):
    code: str
    detail: str
