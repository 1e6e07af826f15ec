"""An oracle of eligibility written apart from forms/eligibility.py: what each rule kind means, read straight from a
synthetic resident's facts (not from the look-up records, not through decide()). Tests pick their citizens with
it, so the product's rules are checked against a second reading of the same catalog, not against themselves."""

from __future__ import annotations

from calendar import isleap
from datetime import date
from typing import Any

from cityserver.population import Resident
from forms.types import Office, Outcome, Rule, ServiceType

P, F, U = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN


def turns(birth: date, years: int, method: str) -> date:
    """The day from which one counts as `years` old: the birth month's first day, the birthday (29 Feb → 1 Mar in a
    common year), or 1 January of the year (ROC-year age)."""
    year = birth.year + years
    if method == "birthday_month":
        return date(year, birth.month, 1)
    if method == "roc_year":
        return date(year, 1, 1)
    if birth.month == 2 and birth.day == 29 and not isleap(year):
        return date(year, 3, 1)
    return date(year, birth.month, birth.day)


def _years_old(birth: date, today: date, method: str) -> int:
    n = 0
    while turns(birth, n + 1, method) <= today:
        n += 1
    return n


def _within(today: date, start: str, end: str) -> bool:
    day = (today.month, today.day)
    s = tuple(int(x) for x in start.split("-"))
    e = tuple(int(x) for x in end.split("-"))
    return s <= day <= e if s <= e else (day >= s or day <= e)


def expected(
    rule_kind: str,
    p: dict[str, Any],
    r: Resident,
    today: date,
    office: Office,
    living_cost: int | None,
    fields: dict[str, date | str],
) -> Outcome:
    """One rule's outcome for a resident, by the rule's meaning."""
    tax_found = bool(r.tax.get("found"))
    if rule_kind == "identity_matches":
        return P  # the tests type the resident's own name and birth date
    if rule_kind == "age_at_least":
        return P if turns(r.birth_date, p["years"], p["method"]) <= today else F
    if rule_kind == "age_at_most":
        return P if _years_old(r.birth_date, today, p["method"]) <= p["years"] else F
    if rule_kind == "residence_in_city":
        return P if r.city_code == office.city_code else F
    if rule_kind == "sex_is":
        return P if r.sex == p["sex"] else F
    if rule_kind == "household_has_member_under":
        return P if any(_years_old(b, today, "birthday") < p["years"] for b in r.members) else F
    if rule_kind == "lives_alone":
        return P if r.household_size == 1 else F
    if rule_kind == "indigenous":
        return P if r.indigenous else F
    if rule_kind in ("has_disability", "disability_certificate_exists", "disability_need", "disability_category_in"):
        d = r.disability
        if d is None:
            return F
        if rule_kind == "has_disability":
            expires = d.get("expires_on")
            return P if expires is None or date.fromisoformat(str(expires)) >= today else F
        if rule_kind == "disability_need":
            return P if p["need"] in d.get("needs", []) else F
        if rule_kind == "disability_category_in":
            return P if d.get("category") in p["categories"] else F
        return P
    if rule_kind == "welfare_status_in":
        return P if r.welfare in p["statuses"] else F
    if rule_kind == "income_at_most":
        if not tax_found or living_cost is None:
            return U
        return P if r.tax["income_per_person_monthly"] <= int(living_cost * float(p["multiple"])) else F
    if rule_kind == "consumption_at_most":
        # No 平均每人每月消費支出 is shipped (resources/thresholds.toml): never decidable here.
        return U
    if rule_kind == "field_in":
        chosen = fields.get(p["field"])
        if chosen is None:
            return U
        return P if chosen in p["values"] else F
    if rule_kind in ("owns_house", "owns_farmhouse"):
        if not tax_found:
            return U
        return P if bool(r.tax[rule_kind]) == bool(p["expected"]) else F
    if rule_kind == "military_status_in":
        return P if (r.military or "無兵役資料") in p["statuses"] else F
    if rule_kind == "field_within_days":
        when = fields.get(p["field"])
        if not isinstance(when, date):
            return U
        return P if when <= today and (today - when).days <= p["days"] else F
    if rule_kind == "field_days_ahead":
        when = fields.get(p["field"])
        if not isinstance(when, date):
            return U
        return P if p["min_days"] <= (when - today).days <= p["max_days"] else F
    if rule_kind == "date_in_window":
        return P if _within(today, p["start"], p["end"]) else F
    if rule_kind == "any_of":
        outcomes = [
            expected(o["kind"], {k: v for k, v in o.items() if k != "kind"}, r, today, office, living_cost, fields)
            for o in p["options"]
        ]
        return P if P in outcomes else (U if U in outcomes else F)
    raise KeyError(f"the oracle does not know rule kind {rule_kind}")


def outcome_of(
    rules: tuple[Rule, ...],
    r: Resident,
    today: date,
    office: Office,
    living_cost: int | None,
    fields: dict[str, date | str],
) -> Outcome:
    """All rules together: any fail fails; else any unknown is unknown; else it passes."""
    outcomes = {expected(rule.kind, dict(rule.params), r, today, office, living_cost, fields) for rule in rules}
    return F if F in outcomes else (U if U in outcomes else P)


def pick_by_facts(
    population: list[Resident],
    service: ServiceType,
    outcome: Outcome,
    today: date,
    office: Office,
    living_cost: int | None,
    fields: dict[str, date | str],
) -> Resident | None:
    """The first resident the oracle says gets `outcome` for the service (None if nobody)."""
    return next(
        (r for r in population if outcome_of(service.rules, r, today, office, living_cost, fields) is outcome), None
    )
