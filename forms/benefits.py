"""福利好幫手: other services the applicant appears to qualify for, from the facts already looked up.

Only services whose look-ups are all among those already made (for this application, with consent) are tried, and
none that needs fields the clerk has not typed: no extra personal data is fetched for "proactive service".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from forms.eligibility import FIELD_RULE_KINDS, Context, decide
from forms.types import Applicant, Decision, Facts, Outcome, ServiceType

# Rules every register entry meets, or that depend on the calendar rather than the person: a service whose rules
# are only these is open to everyone and is not offered as a benefit.
FORMAL_RULES = frozenset({"identity_matches", "residence_in_city", "date_in_window"})


@dataclass(frozen=True)
class Benefit:
    service: ServiceType
    decision: Decision


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
    """`pool`: candidates() computed once for many people with the same look-ups (batch re-verification)."""
    available = {kind for kind, record in facts.lookups.items() if record is not None}
    found: list[Benefit] = []
    for service in pool if pool is not None else candidates(services, current, available):
        if not set(service.lookups) <= available:
            continue
        decision = decide(service.rules, applicant, facts, ctx)
        if decision.outcome is Outcome.PASS:
            found.append(Benefit(service, decision))
    return found
