"""福利好幫手: other services the applicant appears to qualify for, from the facts already looked up, each with why.

Only services whose look-ups are all among those already made (for this application, with consent) are tried, and
none that needs fields the clerk has not typed: no extra personal data is fetched for "proactive service". A
service is offered as 符合 only when every one of its rules could be decided from those facts and passed, and its
rules are all known; one whose rules the sources give only in part (`rules` under `unknown`) is at most 可洽詢.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from forms.eligibility import FIELD_RULE_KINDS, Context, decide
from forms.messages import text
from forms.types import Applicant, Decision, Facts, Outcome, ServiceType

# Rules every register entry meets, or that depend on the calendar rather than the person: a service whose rules
# are only these is open to everyone and is not offered as a benefit.
FORMAL_RULES = frozenset({"identity_matches", "residence_in_city", "date_in_window"})
ELIGIBLE = "符合"
ASK = "可洽詢"


@dataclass(frozen=True)
class Benefit:
    service: ServiceType
    decision: Decision
    standing: str = ELIGIBLE  # 符合, or 可洽詢 when the service's rules are not all known
    reasons: tuple[str, ...] = ()  # why, in words, from the rules that made the difference

    @property
    def eligible(self) -> bool:
        return self.standing == ELIGIBLE

    def words(self) -> str:
        """5. 敬老愛心卡（符合：年滿65歲（72歲，104年1月1日起））"""
        why = "；".join(r.rstrip("。") for r in self.reasons)
        said = f"{self.standing}：{why}" if why else self.standing
        return f"{self.service.number}. {self.service.name_zh}（{said}）"


def candidates(services: Iterable[ServiceType], current: ServiceType, kinds: Iterable[str]) -> list[ServiceType]:
    """The services worth trying with facts of these look-up kinds: a real condition beyond identity and
    residence (which every register entry meets; offering those would be noise), nothing to look up beyond
    `kinds`, and no field the clerk would have to type."""
    have = set(kinds)
    return [
        s
        for s in services
        if s.code != current.code
        and any(r.kind not in FORMAL_RULES for r in s.rules)
        and set(s.lookups) <= have
        and not any(r.kind in FIELD_RULE_KINDS for r in s.rules)
    ]


def find_benefits(
    services: Iterable[ServiceType],
    current: ServiceType,
    applicant: Applicant,
    facts: Facts,
    ctx: Context,
    pool: list[ServiceType] | None = None,
) -> list[Benefit]:
    """`pool`: candidates() computed once for many people with the same look-ups (batch re-verification). The
    offers come 符合 first, then 可洽詢, each in the catalog's order."""
    available = {kind for kind, record in facts.lookups.items() if record is not None}
    found: list[Benefit] = []
    for service in pool if pool is not None else candidates(services, current, available):
        if not set(service.lookups) <= available:
            continue
        decision = decide(service.rules, applicant, facts, ctx)
        if decision.outcome is not Outcome.PASS:
            continue  # failed, or not decidable from what is in hand: nothing to offer
        reasons = tuple(dict.fromkeys(text(r.code, **r.params) for r in decision.results if r.rule not in FORMAL_RULES))
        standing = ASK if "rules" in service.unknown else ELIGIBLE
        found.append(Benefit(service, decision, standing, reasons))
    return sorted(found, key=lambda b: (not b.eligible, b.service.number))
