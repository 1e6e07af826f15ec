"""Eligibility: declarative rules (kind + parameters from the catalog) evaluated to pass / fail / unknown.

Each rule kind is a small function registered in RULE_KINDS; the catalog names kinds and gives parameters,
so no string of data is ever executed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from forms.rocdate import format_roc
from forms.types import Applicant, Decision, Facts, Office, Outcome, Rule, RuleResult


@dataclass(frozen=True)
class Context:
    """When and where the application is made."""

    today: date
    office: Office


Evaluator = Callable[[dict[str, Any], Applicant, Facts, Context], RuleResult]


@dataclass(frozen=True)
class RuleKind:
    """How a rule kind is checked in the catalog and evaluated against facts."""

    params: dict[str, type]
    lookup: str | None  # the look-up kind whose facts it reads
    evaluate: Evaluator
    check: Callable[[dict[str, Any]], str | None] | None = None


def _household(kind: str, facts: Facts) -> dict[str, Any] | RuleResult:
    """The household facts, or the unknown/fail result that ends the rule early."""
    record = facts.of("household")
    if record is None:
        return RuleResult(kind, Outcome.UNKNOWN, "household_unavailable")
    if not record.get("found"):
        return RuleResult(kind, Outcome.FAIL, "person_not_found")
    return record


def _date_fact(kind: str, record: dict[str, Any], key: str) -> date | RuleResult:
    value = record.get(key)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return RuleResult(kind, Outcome.UNKNOWN, "fact_missing", {"fact": key})


def eligible_from(birth: date, years: int, method: str) -> date:
    """First day on which someone born on `birth` counts as `years` old under the rule's method.

    birthday_month: from the first day of the birth month (敬老卡「當月滿65歲即可辦理」);
    birthday: from the birthday itself (29 Feb → 1 Mar in common years);
    roc_year: from 1 January of the year in which the ROC-year difference reaches `years` (役男 age).
    """
    target_year = birth.year + years
    if method == "birthday_month":
        return date(target_year, birth.month, 1)
    if method == "roc_year":
        return date(target_year, 1, 1)
    try:
        return birth.replace(year=target_year)
    except ValueError:  # 29 February in a common year
        return date(target_year, 3, 1)


AGE_METHODS = ("birthday_month", "birthday", "roc_year")


def _age_at_least(params: dict[str, Any], applicant: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    kind = "age_at_least"
    record = _household(kind, facts)
    if isinstance(record, RuleResult):
        return record
    birth = _date_fact(kind, record, "birth_date")
    if isinstance(birth, RuleResult):
        return birth
    start = eligible_from(birth, int(params["years"]), str(params["method"]))
    info = {"min_age": params["years"], "eligible_from": format_roc(start), "birth_date": birth.isoformat()}
    if ctx.today >= start:
        return RuleResult(kind, Outcome.PASS, "age_ok", info)
    return RuleResult(kind, Outcome.FAIL, "age_under", info)


def _check_age(params: dict[str, Any]) -> str | None:
    if params["method"] not in AGE_METHODS:
        return f"method must be one of {list(AGE_METHODS)}"
    if not 0 < params["years"] < 150:
        return "years must be between 1 and 149"
    return None


def _residence_in_city(params: dict[str, Any], applicant: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    kind = "residence_in_city"
    record = _household(kind, facts)
    if isinstance(record, RuleResult):
        return record
    city_code = record.get("city_code")
    if not isinstance(city_code, str):
        return RuleResult(kind, Outcome.UNKNOWN, "fact_missing", {"fact": "city_code"})
    info = {"city": ctx.office.city_name, "actual": str(record.get("city_name", city_code))}
    if city_code == ctx.office.city_code:
        return RuleResult(kind, Outcome.PASS, "residence_ok", info)
    return RuleResult(kind, Outcome.FAIL, "residence_elsewhere", info)


def same_name(a: str, b: str) -> bool:
    """Names compare after NFKC folding and without spaces (full-width and spacing differences are not errors)."""

    def fold(s: str) -> str:
        return "".join(unicodedata.normalize("NFKC", s).split()).casefold()

    return fold(a) == fold(b)


def _identity_matches(params: dict[str, Any], applicant: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    kind = "identity_matches"
    record = _household(kind, facts)
    if isinstance(record, RuleResult):
        return record
    birth = _date_fact(kind, record, "birth_date")
    if isinstance(birth, RuleResult):
        return birth
    if not same_name(str(record.get("name", "")), applicant.name):
        return RuleResult(kind, Outcome.FAIL, "identity_name_mismatch")
    if birth != applicant.birth_date:
        return RuleResult(kind, Outcome.FAIL, "identity_birth_mismatch")
    return RuleResult(kind, Outcome.PASS, "identity_ok")


RULE_KINDS: dict[str, RuleKind] = {
    "identity_matches": RuleKind(params={}, lookup="household", evaluate=_identity_matches),
    "age_at_least": RuleKind(
        params={"years": int, "method": str}, lookup="household", evaluate=_age_at_least, check=_check_age
    ),
    "residence_in_city": RuleKind(params={}, lookup="household", evaluate=_residence_in_city),
}


def decide(rules: tuple[Rule, ...], applicant: Applicant, facts: Facts, ctx: Context) -> Decision:
    """Evaluate every rule (never stopping at the first failure, so the clerk sees all reasons at once)."""
    return Decision(tuple(RULE_KINDS[r.kind].evaluate(r.params, applicant, facts, ctx) for r in rules))
