"""Domain value types shared by every layer: services, applicants, look-up facts, decisions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from forms.fields import FieldSpec
from forms.ids import NationalId
from forms.timelimits import TimeLimit


class Outcome(Enum):
    """Result of one eligibility rule, and of a whole decision."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"

    @property
    def message_code(self) -> str:
        return f"outcome_{self.value}"


@dataclass(frozen=True)
class Rule:
    """One declarative eligibility rule from the catalog: a kind and its parameters (no code in data)."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    """A paper document normally required, and the look-up that replaces it (None: paper still needed)."""

    name: str
    replaced_by: str | None = None
    returned: bool = False  # shown and handed back at the counter (an ID card, a seal): never travels on paper


@dataclass(frozen=True)
class FeeWaiver:
    """A ground on which the published fee is not collected (免徵), as the city's rules allow it for a service."""

    code: str
    label: str  # what the receipt and the day close say, e.g. 低收入戶
    basis: str  # where the rule is published

    def words(self) -> str:
        return f"{self.label}，{self.basis}" if self.basis else self.label


@dataclass(frozen=True)
class Beneficiary:
    """A service that someone may apply for on another's behalf (SW-03: a spouse for the disabled person): when
    the relation field is not `self`, the look-ups named are about the person in `id_field`, not the applicant."""

    id_field: str
    relation_field: str
    self: str
    lookups: tuple[str, ...]

    def subject_of(self, kind: str, fields: Mapping[str, str]) -> str | None:
        """The ID the look-up of `kind` is about when it is not the applicant's (None: the applicant)."""
        if kind not in self.lookups or fields.get(self.relation_field, self.self) == self.self:
            return None
        return fields.get(self.id_field) or None


@dataclass(frozen=True)
class ServiceType:
    """One service the counter can take, as loaded from its catalog file.

    A fact the sources do not give is None and named in `unknown`; screens and paper then say 依機關公告.
    """

    code: str
    number: int  # the seed list's item number (附錄一)
    name_zh: str
    name_en: str
    category: str  # 社政 / 民政 / 人文 / 農經 / 工務
    cross_district: str  # "申辦" (completed here) or "收件" (received here, forwarded)
    fee: int | None  # NT$
    fee_note: str
    time_limit: TimeLimit  # §51's two months where none is published (see forms.timelimits)
    decides: str
    lookups: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    documents: tuple[Document, ...]
    keywords: tuple[str, ...]
    rules: tuple[Rule, ...]
    unknown: tuple[str, ...]
    sources: tuple[str, ...]
    catalog_version: int
    source_file: str
    handed_over: str = ""  # what the counter hands over on the spot when it is not the result (SW-01: 鑑定表)
    due_note: str = ""  # citizen-facing words printed after the promise
    beneficiary: Beneficiary | None = None  # applied for on another's behalf (see Beneficiary)
    fee_waivers: tuple[FeeWaiver, ...] = ()  # grounds for 免徵 the rules allow (only with a published fee)

    def matches(self, query: str) -> bool:
        """Type-ahead match on code, names, category and keywords (case-insensitive substring)."""
        q = query.strip().lower()
        if not q:
            return True
        haystack = (self.code, self.name_zh, self.name_en, self.category, f"跨區{self.cross_district}", *self.keywords)
        return any(q in h.lower() for h in haystack)


@dataclass(frozen=True)
class Applicant:
    """What the clerk typed, already validated."""

    national_id: NationalId
    name: str
    birth_date: date


@dataclass(frozen=True)
class Office:
    """The district office (and city) a counter belongs to."""

    code: str  # 8-digit district code, e.g. 68000010
    name: str  # e.g. 桃園市桃園區公所
    city_code: str  # e.g. 68000000
    city_name: str  # e.g. 桃園市


@dataclass(frozen=True)
class Facts:
    """What the look-ups returned, per look-up kind. A kind mapped to None could not be looked up (offline)."""

    lookups: dict[str, dict[str, Any] | None]

    def of(self, kind: str) -> dict[str, Any] | None:
        return self.lookups.get(kind)


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome with the reason code and the facts used (as message parameters)."""

    rule: str
    outcome: Outcome
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """All rules' results and the overall outcome: any fail → fail; else any unknown → unknown; else pass."""

    results: tuple[RuleResult, ...]

    @property
    def outcome(self) -> Outcome:
        outcomes = {r.outcome for r in self.results}
        if Outcome.FAIL in outcomes:
            return Outcome.FAIL
        if Outcome.UNKNOWN in outcomes:
            return Outcome.UNKNOWN
        return Outcome.PASS

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.results)
