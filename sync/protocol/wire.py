"""The wire schema shared by the desktop client and cityserver (pydantic v2).

The client validates every server answer with these models (bad input from the network), and the server
validates every request with the same definitions. Imports neither requests nor keyring.

Every string has a length limit and refuses control characters; every number and date has a range. Whatever a
peer sends outside them is a 422 with a reason, never a server error.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from forms.cashcount import FIGURE_KEYS
from forms.ids import normalise_id
from forms.officeday import DeviceClose, OfficeCase, OfficeDevice, OfficeFacts
from forms.payment import WAIVED
from forms.reasons import REASON_MIN
from forms.terms import PROMISES, CaseTerms
from forms.timelimits import PUBLISHED, SECTION_51, UNITS, TimeLimit

API_PREFIX = "/api/v1"
API_VERSION = "v1"
SERVICE_NAME = "counterdesk-cityserver"
MAX_BATCH = 500

# No C0/C1 control characters in a line of text; a paragraph may hold tabs and line breaks.
LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
PARAGRAPH_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"

Code = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_\-]+$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=LINE_PATTERN)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=LINE_PATTERN)]
Reason = Annotated[str, StringConstraints(min_length=REASON_MIN, max_length=500, pattern=PARAGRAPH_PATTERN)]
Note = Annotated[str, StringConstraints(max_length=500, pattern=PARAGRAPH_PATTERN)]
FieldText = Annotated[str, StringConstraints(max_length=200, pattern=LINE_PATTERN)]
DocName = Annotated[str, StringConstraints(max_length=100, pattern=LINE_PATTERN)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Token = Annotated[str, StringConstraints(min_length=16, max_length=200, pattern=r"^[A-Za-z0-9_\-]+$")]
# Ed25519 material, raw and base64url without padding: a public key is 43 characters, a signature 86.
PublicKey = Annotated[str, StringConstraints(min_length=43, max_length=44, pattern=r"^[A-Za-z0-9_\-]+=?$")]
Signature = Annotated[str, StringConstraints(min_length=86, max_length=88, pattern=r"^[A-Za-z0-9_\-]+={0,2}$")]
KeyId = Annotated[str, StringConstraints(min_length=8, max_length=32, pattern=r"^[0-9a-f]+$")]
Sha256 = Annotated[str, StringConstraints(min_length=64, max_length=64, pattern=r"^[0-9a-f]+$")]
Count = Annotated[int, Field(ge=0, le=1_000_000_000)]
Money = Annotated[int, Field(ge=-10_000_000, le=10_000_000)]  # NT$, a refund is negative


def _id_shape(value: str) -> str:
    """The national ID as forms/ normalises it (full-width folded, upper case, no spaces); its checksum is checked
    where the number is used, so a bad case is refused on its own, not with the whole request."""
    folded = normalise_id(value)
    if len(folded) != 10 or not folded.isascii() or not folded.isalnum():
        raise ValueError("national_id must be 10 letters and digits")
    return folded


NationalIdText = Annotated[
    str, StringConstraints(min_length=10, max_length=20, pattern=LINE_PATTERN), AfterValidator(_id_shape)
]


def _office_moment(value: datetime) -> datetime:
    """Times of office business: 2000–2099 (a year 0001 or 9999 is a broken clock or a forgery)."""
    if not (datetime(2000, 1, 1, tzinfo=value.tzinfo) <= value < datetime(2100, 1, 1, tzinfo=value.tzinfo)):
        raise ValueError("time out of range (2000–2099)")
    return value


def _office_day(value: date) -> date:
    if not (date(2000, 1, 1) <= value < date(2100, 1, 1)):
        raise ValueError("date out of range (2000–2099)")
    return value


def _birth_day(value: date) -> date:
    """Birth dates reach back before the Republic (民前) but not before anyone living."""
    if not (date(1850, 1, 1) <= value < date(2100, 1, 1)):
        raise ValueError("birth date out of range (1850–2099)")
    return value


Moment = Annotated[AwareDatetime, AfterValidator(_office_moment)]
OfficeDay = Annotated[date, AfterValidator(_office_day)]
BirthDay = Annotated[date, AfterValidator(_birth_day)]

# Fields added after version 1 that hash as absent while empty, so a payload queued by an older client keeps the
# content hash the city stored for it (a replay stays a duplicate, never a conflict).
LATE_OPTIONAL = frozenset({"proof", "approval_proof", "terms", "waiver"})


class WireModel(BaseModel):
    """Strict about shape: unknown fields are refused so a drifted peer is noticed, not half-understood."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Health(WireModel):
    status: Literal["ok"]
    service: Literal["counterdesk-cityserver"]
    api_version: Literal["v1"]
    server_time: datetime
    # The client versions the city requires and offers ("" = none), and where the newest installer is.
    minimum_version: Annotated[str, StringConstraints(max_length=32)] = ""
    latest_version: Annotated[str, StringConstraints(max_length=32)] = ""
    installer_url: Annotated[str, StringConstraints(max_length=500)] = ""


class ErrorItem(WireModel):
    loc: list[str | int] = Field(max_length=10)
    msg: str
    type: str


class ErrorBody(WireModel):
    """Every error the city server answers: a code the app translates, a detail for the log, and for a request
    that does not fit the schema, where it does not (loc: ["body", "cases", 3, "fee"])."""

    code: str
    detail: str
    errors: list[ErrorItem] = Field(default_factory=list, max_length=50)


# -- devices and log-in ---------------------------------------------------------------------------------------

DeviceId = Annotated[str, StringConstraints(min_length=2, max_length=16, pattern=r"^[A-Z][A-Z0-9]+$")]
Role = Literal["clerk", "liaison", "supervisor", "administrator"]
EnrolmentCode = Annotated[str, StringConstraints(min_length=8, max_length=20, pattern=r"^[A-Za-z0-9\- ]+$")]


class ReceiptKey(WireModel):
    """A device's receipt-signing public key (Ed25519, raw, base64url), registered with the city."""

    key_id: KeyId
    public_key: PublicKey


class EnrolmentRequest(WireModel):
    """A supervisor (their own office) or an administrator (any office) makes a one-time code for a named PC."""

    name: Name  # e.g. 櫃台3、里幹事筆電-中山里
    office_code: Code | None = None  # administrators name the office; supervisors' codes are for their own
    valid_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    # A replacement for a lost or broken PC: the new one takes this device id over (its old keys are revoked) and
    # continues its cases and numbering.
    replaces: Annotated[str, StringConstraints(min_length=2, max_length=16, pattern=r"^[A-Z][A-Z0-9]+$")] | None = None


class EnrolmentResponse(WireModel):
    code: str  # typed by hand at the new PC, once
    name: str
    office_code: Code
    expires_at: datetime
    replaces: str | None = None


class EnrolRequest(WireModel):
    """A new PC presents its one-time code and its own public keys; `signature` (by the identity key over the
    code and the keys) shows it holds the private key."""

    code: EnrolmentCode
    public_key: PublicKey  # the device identity key: every log-in and refresh is signed with it
    receipt_key: ReceiptKey
    signature: Signature
    client_version: Annotated[str, StringConstraints(max_length=32, pattern=LINE_PATTERN)] = ""


class EnrolResponse(WireModel):
    device_id: DeviceId  # assigned by the city, unique in the city
    name: str
    office_code: Code
    office_name: str
    city_code: Code
    city_name: str


class DeviceInfo(WireModel):
    device_id: DeviceId
    name: str
    office_code: Code
    enrolled_at: datetime
    enrolled_by: str
    last_seen_at: datetime | None = None
    client_version: str = ""
    revoked_at: datetime | None = None
    revoked_by: str | None = None


class DevicesResponse(WireModel):
    devices: list[DeviceInfo]


class ChallengeRequest(WireModel):
    device_id: DeviceId


class ChallengeResponse(WireModel):
    """A single-use nonce the device signs to prove it holds its key (log-in and refresh)."""

    nonce: Token
    expires_in: int = Field(gt=0)


class TokenRequest(WireModel):
    username: ShortText
    password: Password
    device_id: DeviceId
    nonce: Token
    signature: Signature  # the device key over auth_message("token", device, username, nonce)


class TokenResponse(WireModel):
    """A short-lived access token (kept in memory) and a device-bound refresh token (kept in the OS keyring)."""

    access_token: Token
    token_type: Literal["bearer"]
    expires_in: int = Field(gt=0)
    refresh_token: Token
    office_code: Code
    role: Role


class RefreshRequest(WireModel):
    """Trade a refresh token for new tokens; the old refresh token is spent (rotation)."""

    refresh_token: Token
    device_id: DeviceId
    nonce: Token
    signature: Signature  # the device key over auth_message("refresh", device, sha256(refresh token), nonce)


def auth_message(action: Literal["token", "refresh"], device_id: str, subject: str, nonce: str) -> bytes:
    """What a device signs to log in or refresh: bound to the action, the device, the user (or the refresh token's
    hash) and the server's nonce, so a signature is good for one request only."""
    return f"counterdesk-auth-v1|{action}|{device_id}|{subject}|{nonce}".encode()


def enrol_message(code: str, public_key: str, receipt_key_id: str) -> bytes:
    return (
        f"counterdesk-enrol-v1|{code.upper().replace('-', '').replace(' ', '')}|{public_key}|{receipt_key_id}".encode()
    )


# -- look-ups -------------------------------------------------------------------------------------------------


class LookupRequest(WireModel):
    """A personal-data look-up: always tied to an intake (the case being taken), the service it is for (which
    decides which registers may be asked) and the applicant's consent."""

    case_uuid: UUID
    purpose: Code  # the service code the look-up is for
    consent: Literal[True]
    national_id: NationalIdText


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
LookupKind = Literal["household", "tax", "disability", "welfare", "military"]


class LookupResponse(WireModel):
    lookup_id: UUID
    kind: LookupKind
    record: LookupRecord
    server_time: datetime


MAX_BATCH_PEOPLE = 500
MAX_REVIEW_LIST = 20_000


class BatchPerson(WireModel):
    ref: UUID  # the re-verification item: what the audit rows are tied to
    national_id: NationalIdText


class ReviewListRequest(WireModel):
    """A supervisor registers the list of a re-verification run (e.g. from the social-affairs register's CSV)
    before any of it is looked up: the city then answers only for the people on it, and keeps who listed them."""

    list_id: UUID  # chosen by the device (its review run), so registering again is harmless
    purpose: Code  # the service whose beneficiaries are re-checked
    name: Name  # the file or list name, for the audit
    national_ids: list[NationalIdText] = Field(min_length=1, max_length=MAX_REVIEW_LIST)


class ReviewListResponse(WireModel):
    list_id: UUID
    people: int


class BatchLookupRequest(WireModel):
    """Periodic re-verification of existing beneficiaries (the office's statutory review, not a new application):
    the same look-ups for many people at once, each person audited. `basis` says who may be on it: people with a
    case of the service at the caller's office, or the people of a list registered beforehand."""

    purpose: Code  # the service whose beneficiaries are re-checked
    basis: Literal["office_cases", "registered_list"]
    list_id: UUID | None = None  # with basis registered_list
    kinds: list[LookupKind] = Field(min_length=1, max_length=5)
    people: list[BatchPerson] = Field(min_length=1, max_length=MAX_BATCH_PEOPLE)


class BatchLookupAnswer(WireModel):
    ref: UUID
    records: dict[LookupKind, LookupRecord] = Field(default_factory=dict)
    error: Code | None = None  # e.g. id_checksum, not_a_beneficiary: this person was not looked up


class BatchLookupResponse(WireModel):
    answers: list[BatchLookupAnswer]
    server_time: datetime


# -- approvals ------------------------------------------------------------------------------------------------

ApprovalPurpose = Literal["override", "void", "day_close", "correction"]


class SupervisorKey(WireModel):
    """A supervisor's approval key for this device (Ed25519): its private half stays on the device, sealed by the
    supervisor's password, so approvals given without the network can be checked by the city later."""

    key_id: KeyId
    public_key: PublicKey


class OfflineProof(WireModel):
    """A supervisor's approval given without the network: signed on the device with the supervisor's key."""

    key_id: KeyId
    signed_at: Moment
    signature: Signature


def approval_message(
    purpose: str,
    subject: UUID,
    day: date | None,
    device_id: str,
    supervisor: str,
    approval_id: UUID | str,
    signed_at: datetime,
    rules: tuple[str, ...] | list[str] = (),
) -> bytes:
    """What an offline approval signs: the action, the case (or day close) it is for, the day, the device, the
    supervisor, the approval's own id (one use) and, for an override, the rules it overrides."""
    return "|".join(
        (
            "counterdesk-approval-v1",
            purpose,
            str(subject),
            day.isoformat() if day else "",
            device_id,
            supervisor,
            str(approval_id),
            signed_at.isoformat(),
            ",".join(sorted(rules)),
        )
    ).encode("utf-8")


class ApprovalRequest(WireModel):
    """A supervisor approves at a device (credentials checked by the server). The approval is bound to the action,
    its subject (the case, or the day close's own id), the day for a day close, and the device."""

    supervisor: ShortText
    password: Password
    case_uuid: UUID  # the subject: the case (override, void, correction) or the day close's record id
    reason: Reason
    rules: list[Code] = Field(default_factory=list, max_length=30)  # an override names the failed rules
    purpose: ApprovalPurpose = "override"
    day: OfficeDay | None = None  # a day close: the day it signs
    offline_key: SupervisorKey | None = None  # registers the supervisor's approval key for this device too


class ApprovalResponse(WireModel):
    approval_id: UUID
    supervisor: ShortText
    expires_at: datetime | None = None


class SupervisorKeyResponse(WireModel):
    key_id: KeyId
    supervisor: ShortText
    device_id: DeviceId


class Override(WireModel):
    """A supervisor's approval to accept despite failed rules, with the written reason. `approval_id` is the
    city's (given online) or, with `proof`, the one the supervisor signed on the device."""

    approval_id: UUID
    supervisor: ShortText
    reason: Reason
    rules: list[Code] = Field(min_length=1, max_length=30)
    proof: OfflineProof | None = None


# -- cases ----------------------------------------------------------------------------------------------------


_TERMS_AS_THEY_ARE = ("due_date", "due_covered", "handed_over", "due_note", "fee", "fee_note")  # same on both sides


class Terms(WireModel):
    """What the receipt promised (forms.terms.CaseTerms), sealed with the case so that every reprint, here or on
    a rebuilt ledger, prints what the original printed."""

    promise: Literal[PROMISES]  # type: ignore[valid-type]
    limit_value: int = Field(ge=0, le=10_000)
    limit_unit: Literal[UNITS]  # type: ignore[valid-type]
    limit_source: Literal[PUBLISHED, SECTION_51]  # type: ignore[valid-type]
    limit_basis: Note
    due_date: OfficeDay | None = None
    due_covered: bool = True
    handed_over: Note = ""
    due_note: Note = ""
    fee: int | None = Field(default=None, ge=0, le=1_000_000)
    fee_note: Note = ""
    exempt: list[DocName] = Field(default_factory=list, max_length=30)
    owed: list[DocName] = Field(default_factory=list, max_length=30)
    shown: list[DocName] = Field(default_factory=list, max_length=30)
    waiver: Note | None = None  # 免徵: the ground in words; the fee above is the published one, not collected

    @model_validator(mode="after")
    def _paper_said_once(self) -> Terms:
        # A document is 免附, 已驗 or 待補: a receipt listing one twice would contradict itself.
        named = self.exempt + self.owed + self.shown
        if len(set(named)) != len(named):
            raise ValueError("a document is listed twice in the receipt's terms")
        return self

    @classmethod
    def of(cls, terms: CaseTerms) -> Terms:
        limit = terms.limit
        return cls(
            promise=terms.promise,
            limit_value=limit.value,
            limit_unit=limit.unit,
            limit_source=limit.source,
            limit_basis=limit.basis,
            exempt=list(terms.exempt),
            owed=list(terms.owed),
            shown=list(terms.shown),
            waiver=terms.waiver or None,
            **{name: getattr(terms, name) for name in _TERMS_AS_THEY_ARE},
        )

    def to_domain(self) -> CaseTerms:
        return CaseTerms(
            promise=self.promise,
            limit=TimeLimit(self.limit_value, self.limit_unit, self.limit_source, self.limit_basis),
            exempt=tuple(self.exempt),
            owed=tuple(self.owed),
            shown=tuple(self.shown),
            waiver=self.waiver or "",
            **{name: getattr(self, name) for name in _TERMS_AS_THEY_ARE},
        )


class CaseIn(WireModel):
    """One case as pushed from a device. case_uuid is the idempotency key."""

    case_uuid: UUID
    case_number: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9\-]+$")]
    receipt_number: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9\-]+$")]
    service_code: Code
    catalog_version: int = Field(ge=1, le=1_000_000)
    national_id: NationalIdText
    applicant_name: Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=LINE_PATTERN)]
    birth_date: BirthDay
    office_code: Code
    device_id: Code
    clerk: ShortText
    received_at: Moment
    fee: int = Field(ge=0, le=1_000_000)
    payment_method: Code
    decision: Literal["pass", "fail", "unknown"]
    reason_codes: list[Code] = Field(max_length=50)
    fields: dict[Code, FieldText] = Field(default_factory=dict, max_length=30)
    due_date: OfficeDay | None = None
    documents_owed: list[DocName] = Field(default_factory=list, max_length=30)
    override: Override | None = None
    supersedes: UUID | None = None  # the case this one corrects (it was set aside by the city)
    terms: Terms | None = None  # absent from cases queued before the terms were kept

    @model_validator(mode="after")
    def _terms_agree(self) -> CaseIn:
        # The receipt's terms and the case cannot say two things: the same due date, fee collected and paper owed;
        # a fee is waived (on a published fee) exactly when the case records it so.
        t = self.terms
        if t is not None and (
            t.due_date != self.due_date
            or t.to_domain().collected != self.fee
            or t.owed != self.documents_owed
            or bool(t.waiver) != (self.payment_method == WAIVED)
            or (bool(t.waiver) and not t.fee)
        ):
            raise ValueError("the receipt's terms contradict the case (due date, fee or documents owed)")
        return self

    def content_hash(self) -> str:
        return content_hash(self)


def _without_late_empties(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_late_empties(v) for k, v in value.items() if not (k in LATE_OPTIONAL and v is None)}
    if isinstance(value, list):
        return [_without_late_empties(v) for v in value]
    return value


def content_hash(model: BaseModel) -> str:
    """SHA-256 of the canonical JSON: the same on both sides, so a replay is told from a conflict."""
    dumped = _without_late_empties(model.model_dump(mode="json"))
    canonical = json.dumps(dumped, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class CaseUpdateIn(WireModel):
    """A later verification of a case taken offline (待查驗): the look-ups ran, the decision is now known.
    update_uuid is its own idempotency key; the case itself is never rewritten."""

    update_uuid: UUID
    case_uuid: UUID
    decision: Literal["pass", "fail", "unknown"]
    reason_codes: list[Code] = Field(max_length=50)
    documents_owed: list[DocName] = Field(default_factory=list, max_length=30)
    verified_at: Moment

    def content_hash(self) -> str:
        return content_hash(self)


class CaseUpdatesBatchRequest(WireModel):
    updates: list[CaseUpdateIn] = Field(min_length=1, max_length=MAX_BATCH)


class CasesBatchRequest(WireModel):
    cases: list[CaseIn] = Field(min_length=1, max_length=MAX_BATCH)


DayRecordKind = Literal["void", "day_close", "correction"]
# The totals a signed day close reports (forms.dayclose.figures); the city refuses others.
DAY_FIGURES = (
    "cases",
    "voided",
    "fees",
    "cash_expected",
    "cash_counted",
    "pending_sync",
    "gaps",
    "only_server",
    "only_device",
    "differing",
    "corrections",
    *FIGURE_KEYS,  # cash by note and coin (forms.cashcount)
)


class DayRecordIn(WireModel):
    """A record of the office's books: a receipt voided, a day signed off, or a later correction that points at a
    signed day. record_uuid is its idempotency key; it never rewrites a case. `approval` is the supervisor's
    approval id (the city's, or with `approval_proof` the one signed on the device)."""

    record_uuid: UUID
    kind: DayRecordKind
    device_id: Code
    office_code: Code
    business_date: OfficeDay  # the day the record belongs to (a void: the case's day; a correction: made that day)
    case_uuid: UUID | None = None  # the voided / corrected case
    refers_to: UUID | None = None  # a correction: the close_uuid of the signed day it corrects
    by: ShortText  # the supervisor who approved
    approval: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=LINE_PATTERN)]
    reason: Note = ""
    amount: Money = 0  # NT$: a correction's refund (negative) or charge
    at: Moment
    figures: dict[Code, Count] = Field(default_factory=dict, max_length=40)  # a day close's totals
    report_hash: Sha256 | None = None
    approval_proof: OfflineProof | None = None

    def content_hash(self) -> str:
        return content_hash(self)


class DayRecordsBatchRequest(WireModel):
    records: list[DayRecordIn] = Field(min_length=1, max_length=MAX_BATCH)


ItemStatus = Literal["accepted", "duplicate", "conflict", "rejected"]


class CaseResult(WireModel):
    """The server's answer for one item; `case_uuid` is the item's idempotency key (an update's update_uuid).
    A rejection's `detail` starts with its reason code (e.g. case_number_taken)."""

    case_uuid: UUID
    status: ItemStatus
    detail: str | None = None


class CasesBatchResponse(WireModel):
    results: list[CaseResult]
    server_time: datetime


class OpenCasesRequest(WireModel):
    """Which cases of a service does this person already have open? Tied to the case being taken (audited)."""

    case_uuid: UUID
    national_id: NationalIdText
    service_code: Code


class OpenCasesResponse(WireModel):
    case_numbers: list[str]


class DigestRequest(WireModel):
    """What does the server hold of this device's cases for one office day?"""

    day: OfficeDay


class DigestItem(WireModel):
    case_uuid: UUID
    content_hash: Sha256


class DigestResponse(WireModel):
    day: date
    items: list[DigestItem]


class CaseCount(WireModel):
    count: int = Field(ge=0)


CaseStatus = Literal["收件", "已轉送", "審核中", "補件", "核准", "駁回", "撤回"]
MAX_CURSOR = 2**62  # status cursors are 64-bit on every database


class StatusChange(WireModel):
    seq: int = Field(ge=1)
    case_uuid: UUID
    case_number: str
    status: CaseStatus
    note: Annotated[str, StringConstraints(max_length=200)] = ""
    at: datetime
    owed: list[DocName] = Field(default_factory=list, max_length=30)  # 補件: what is to be brought …
    owed_by: OfficeDay | None = None  # … and by when


class StatusChangesResponse(WireModel):
    changes: list[StatusChange] = Field(max_length=500)
    cursor: int = Field(ge=0)  # ask again with since=cursor


class CaseStepIn(WireModel):
    """The deciding office records a step (審核中 / 補件 / 核准 / 駁回; forms.casesteps says what may follow what).
    step_uuid is the idempotency key: a retry is the same step."""

    step_uuid: UUID
    status: Literal["審核中", "補件", "核准", "駁回"]
    note: Annotated[str, StringConstraints(max_length=200, pattern=PARAGRAPH_PATTERN)] = ""
    owed: list[DocName] = Field(default_factory=list, max_length=30)
    owed_by: OfficeDay | None = None


class ArrivalIn(WireModel):
    """The home office of a 跨區收件 case marks the paper sent on to it (forms.transit): arrival_uuid is the key."""

    arrival_uuid: UUID
    received: list[DocName] = Field(default_factory=list, max_length=30)
    missing: list[DocName] = Field(default_factory=list, max_length=30)
    note: Note = ""


class PaperLine(WireModel):
    """One paper travelling with a case, and where it is (寄送中 / 已到件 / 未到件)."""

    name: DocName
    state: Literal["寄送中", "已到件", "未到件"]
    on: OfficeDay | None = None
    note: Note = ""


class PapersResponse(WireModel):
    case_uuid: UUID
    papers: list[PaperLine] = Field(max_length=30)


class StepMark(WireModel):
    """One step of a case's history, as an office day (收件 / 已轉送 at intake, then the deciding office's)."""

    status: CaseStatus
    on: OfficeDay
    by: Annotated[str, StringConstraints(max_length=200, pattern=LINE_PATTERN)] = ""


class QueueCase(WireModel):
    """An open case the caller's office decides (its own, or one another office received for it)."""

    case_uuid: UUID
    case_number: str
    service_code: Code
    id_masked: str
    received_by: Code  # the office that took it (another one: 跨區收件)
    clerk: ShortText  # who took it
    received_on: OfficeDay
    status: CaseStatus
    due_date: OfficeDay | None = None
    owed: list[DocName] = Field(default_factory=list, max_length=30)  # paper owed at intake, or asked for by 補件
    owed_by: OfficeDay | None = None
    holder: ShortText  # who has it now: the last step's author, else the clerk who took it
    history: list[StepMark] = Field(default_factory=list, max_length=1000)
    papers: list[PaperLine] = Field(default_factory=list, max_length=30)  # sent on by the receiving office


class QueueResponse(WireModel):
    cases: list[QueueCase] = Field(max_length=5000)


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


class ReferenceDoc(WireModel):
    """One reference document the city publishes (forms.reference): the office calendar, the amounts or the office
    directory."""

    kind: Literal["calendar", "thresholds", "offices"]
    version: int = Field(ge=1, le=1_000_000)
    text: Annotated[str, StringConstraints(max_length=200_000)]


class ReferenceResponse(WireModel):
    docs: list[ReferenceDoc] = Field(max_length=10)


ClosureScope = Literal["office", "city"]


class ClosureIn(WireModel):
    """A supervisor declares a closure (停止上班, e.g. a typhoon) from the city's announcement."""

    closure_uuid: UUID
    day: OfficeDay
    scope: ClosureScope  # the supervisor's office only, or the whole city
    announcement: Annotated[str, StringConstraints(min_length=4, max_length=200, pattern=LINE_PATTERN)]


class Closure(ClosureIn):
    """A closure as the city holds it: where it applies, who declared it and when."""

    area_code: Code  # the office's code (scope office) or the city's (scope city)
    declared_by: ShortText
    declared_at: Moment
    seq: int = Field(ge=1)


class ClosuresResponse(WireModel):
    closures: list[Closure] = Field(max_length=5_000)


DeviceKeyRequest = ReceiptKey  # a device (re-)registers its receipt-signing key


class DeviceKeyResponse(WireModel):
    key_id: str
    device_id: Code
    revoked: bool


class Metric(WireModel):
    name: str
    labels: dict[str, str] = Field(default_factory=dict)
    value: float


class MetricsResponse(WireModel):
    metrics: list[Metric]


# -- a device's high-water marks, and what the city holds of a device ------------------------------------------

MAX_MARK_DAYS = 400  # the case counters of the last days (older days' numbers are never issued again)
GENESIS_HEAD = "0" * 64  # the audit chain's head before its first row (sync.protocol.audit_chain.GENESIS)


class DeviceMarks(WireModel):
    """What a device's ledger has issued and which ledger file it is (a copied or a rebuilt ledger has another
    id). `takeover`: a rebuilt ledger replaces the one the city knows for the device (a supervisor is signed in)."""

    ledger_id: UUID
    receipt_seq: Count
    case_seqs: dict[OfficeDay, Count] = Field(default_factory=dict, max_length=MAX_MARK_DAYS)
    audit_seq: Count
    audit_head: Sha256
    takeover: bool = False


class CityMarks(WireModel):
    """What the city holds of the caller's device: the highest numbers among the cases it stored, the audit head
    the device reported the time before, and whether the reporting ledger is behind them or another ledger than the
    one the city knows for the device."""

    ledger_id: UUID | None
    receipt_seq: Count
    case_seqs: dict[OfficeDay, Count] = Field(default_factory=dict, max_length=MAX_MARK_DAYS)
    audit_seq: Count
    audit_head: Sha256
    verdict: Literal["current", "behind", "other_ledger"]


class HeldCase(WireModel):
    """A case the city holds of the caller's device, as it was pushed, with what happened to it since."""

    case: CaseIn
    status: CaseStatus
    note: Annotated[str, StringConstraints(max_length=200)] = ""
    update: CaseUpdateIn | None = None  # the latest verification of a case taken while look-ups could not run
    void: DayRecordIn | None = None


class HeldCasesResponse(WireModel):
    cases: list[HeldCase] = Field(max_length=MAX_BATCH)
    more: bool  # ask again from the receipt after the last one


class HeldRecordsResponse(WireModel):
    """The device's signed day closes and corrections the city holds, from a day on."""

    records: list[DayRecordIn] = Field(max_length=MAX_BATCH)
    more: bool  # ask again with offset + len(records)


# -- the office's day (forms.officeday) --------------------------------------------------------------------------


class OfficeDeviceLine(WireModel):
    device_id: DeviceId
    name: Annotated[str, StringConstraints(max_length=64)]
    last_seen_at: datetime | None = None
    revoked: bool = False


class OfficeCaseLine(WireModel):
    """A case of one of the office's devices that day, as the city holds it (no name, no ID)."""

    device_id: DeviceId
    case_number: str
    receipt_number: str
    clerk: ShortText
    service_code: Code
    fee: int = Field(ge=0, le=1_000_000)
    payment_method: Code
    voided: bool


class DeviceCloseLine(WireModel):
    device_id: DeviceId
    by: ShortText
    at: datetime
    figures: dict[Code, Count] = Field(default_factory=dict, max_length=40)


class OfficeClose(WireModel):
    """The office's day as a supervisor signed it."""

    close_uuid: UUID
    office_code: Code
    day: OfficeDay
    by: ShortText
    at: datetime
    explanations: dict[DeviceId, Note] = Field(default_factory=dict, max_length=200)
    report_hash: Sha256


class OfficeDayResponse(WireModel):
    office_code: Code
    day: OfficeDay
    devices: list[OfficeDeviceLine] = Field(max_length=500)
    cases: list[OfficeCaseLine] = Field(max_length=50_000)
    closes: list[DeviceCloseLine] = Field(max_length=500)
    corrections: Count = 0
    close: OfficeClose | None = None  # signed already

    def facts(self) -> OfficeFacts:
        """As forms.officeday takes them (the same on the city and on the supervisor's PC)."""
        return OfficeFacts(
            self.office_code,
            self.day,
            tuple(OfficeDevice(d.device_id, d.name, d.last_seen_at, d.revoked) for d in self.devices),
            tuple(
                OfficeCase(
                    c.device_id,
                    c.case_number,
                    c.receipt_number,
                    c.clerk,
                    c.service_code,
                    c.fee,
                    c.payment_method,
                    c.voided,
                )  # fmt: skip
                for c in self.cases
            ),
            tuple(DeviceClose(c.device_id, c.by, c.at, dict(c.figures)) for c in self.closes),
            self.corrections,
        )


class OfficeCloseIn(WireModel):
    """A supervisor signs the office's day: why each device that did not close did not; close_uuid is the key."""

    close_uuid: UUID
    day: OfficeDay
    explanations: dict[DeviceId, Note] = Field(default_factory=dict, max_length=200)
    report_hash: Sha256


class MonthlyResponse(WireModel):
    """The cases an office received or decides in a month, and those still open from before (月報)."""

    office_code: Code
    first: OfficeDay
    last: OfficeDay
    cases: list[QueueCase] = Field(max_length=100_000)
