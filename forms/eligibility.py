"""Eligibility: declarative rules (kind + parameters from the catalog) evaluated to pass / fail / unknown.

Each rule kind is a small function registered in RULE_KINDS; the catalog names kinds and gives parameters, so no
string of data is ever executed. Every rule returns a reason code and the facts it used (as message parameters).
A look-up that could not run makes its rules "unknown" — never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from forms.messages import text
from forms.names import same_name
from forms.rocdate import format_roc
from forms.types import Applicant, Decision, Facts, Office, Outcome, Rule, RuleResult


@dataclass(frozen=True)
class Context:
    """When and where the application is made, and the statutory amounts in force then."""

    today: date
    office: Office
    min_living_cost: int | None = None  # NT$ per person per month for the office's city this year
    fields: Mapping[str, str] = field(default_factory=dict)  # the service's extra fields, validated
    # 臺灣地區平均每人每月消費支出 (主計總處) in force this year; None when the city has not published it.
    avg_consumption: int | None = None


Evaluator = Callable[[dict[str, Any], Applicant, Facts, Context], RuleResult]


@dataclass(frozen=True)
class RuleKind:
    """How a rule kind is checked in the catalog and evaluated against facts."""

    params: dict[str, type | tuple[type, ...]]
    lookup: str | None  # the look-up kind whose facts it reads (None: typed fields or the date only)
    evaluate: Evaluator
    check: Callable[[dict[str, Any]], str | None] | None = None


def _record(rule: str, kind: str, facts: Facts) -> dict[str, Any] | RuleResult:
    """The facts of one look-up kind, or the result that ends the rule early (unavailable / no such person)."""
    record = facts.of(kind)
    if record is None:
        return RuleResult(rule, Outcome.UNKNOWN, f"{kind}_unavailable")
    if kind == "household" and not record.get("found"):
        return RuleResult(rule, Outcome.FAIL, "person_not_found")
    return record


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


# What a missing fact is called where a clerk or a citizen reads it (a notice must not show "owns_house").
FACT_LABELS = {
    "birth_date": "出生日期",
    "city_code": "戶籍所在縣市",
    "household_size": "戶內人數",
    "income_per_person_monthly": "家庭平均每人每月收入",
    "indigenous": "原住民身分註記",
    "members": "戶內成員",
    "needs": "證明註記事項",
    "owns_farmhouse": "自用農舍",
    "owns_house": "自有住宅",
    "name": "姓名",
    "category": "障礙類別",
}
LEVEL_NOT_STATED = "等級未載"  # a certificate whose record leaves the level blank still counts


def _missing(rule: str, fact: str) -> RuleResult:
    return RuleResult(rule, Outcome.UNKNOWN, "fact_missing", {"fact": FACT_LABELS[fact]})


def _ok(rule: str, passed: bool, yes: str, no: str, **params: Any) -> RuleResult:
    return RuleResult(rule, Outcome.PASS if passed else Outcome.FAIL, yes if passed else no, params)


# -- ages -------------------------------------------------------------------------------------------------------

AGE_METHODS = ("birthday_month", "birthday", "roc_year")


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


def age_on(birth: date, today: date, method: str) -> int:
    """Age in whole years under the method (the largest n with eligible_from(birth, n) <= today)."""
    age = today.year - birth.year
    return age if eligible_from(birth, age, method) <= today else age - 1


def _birth(rule: str, facts: Facts) -> date | RuleResult:
    record = _record(rule, "household", facts)
    if isinstance(record, RuleResult):
        return record
    return _as_date(record.get("birth_date")) or _missing(rule, "birth_date")


def _age_at_least(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    birth = _birth("age_at_least", facts)
    if isinstance(birth, RuleResult):
        return birth
    start = eligible_from(birth, int(p["years"]), str(p["method"]))
    return _ok(
        "age_at_least",
        ctx.today >= start,
        "age_ok",
        "age_under",
        min_age=p["years"],
        eligible_from=format_roc(start),
        age=age_on(birth, ctx.today, str(p["method"])),
    )


def _age_at_most(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    birth = _birth("age_at_most", facts)
    if isinstance(birth, RuleResult):
        return birth
    age = age_on(birth, ctx.today, str(p["method"]))
    return _ok("age_at_most", age <= int(p["years"]), "age_within", "age_over", max_age=p["years"], age=age)


def _check_age(p: dict[str, Any]) -> str | None:
    if p["method"] not in AGE_METHODS:
        return f"method must be one of {list(AGE_METHODS)}"
    if not 0 < p["years"] < 150:
        return "years must be between 1 and 149"
    return None


# -- household register -----------------------------------------------------------------------------------------


def _identity_matches(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "identity_matches"
    record = _record(rule, "household", facts)
    if isinstance(record, RuleResult):
        return record
    birth = _as_date(record.get("birth_date"))
    if birth is None:
        return _missing(rule, "birth_date")
    name = record.get("name")
    if not isinstance(name, str) or not name.strip():
        return _missing(rule, "name")
    if not same_name(name, a.name):
        return RuleResult(rule, Outcome.FAIL, "identity_name_mismatch")
    if birth != a.birth_date:
        return RuleResult(rule, Outcome.FAIL, "identity_birth_mismatch")
    return RuleResult(rule, Outcome.PASS, "identity_ok")


def _residence_in_city(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "residence_in_city"
    record = _record(rule, "household", facts)
    if isinstance(record, RuleResult):
        return record
    city_code = record.get("city_code")
    if not isinstance(city_code, str):
        return _missing(rule, "city_code")
    return _ok(
        rule,
        city_code == ctx.office.city_code,
        "residence_ok",
        "residence_elsewhere",
        city=ctx.office.city_name,
        actual=str(record.get("city_name") or city_code),
    )


def _sex_is(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    wanted = "男" if p["sex"] == "M" else "女"
    return _ok("sex_is", a.national_id.sex == p["sex"], "sex_ok", "sex_mismatch", sex=wanted)


def _member_under(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "household_has_member_under"
    record = _record(rule, "household", facts)
    if isinstance(record, RuleResult):
        return record
    members = record.get("members")
    if not isinstance(members, list):
        return _missing(rule, "members")
    births = [b for m in members if isinstance(m, dict) and (b := _as_date(m.get("birth_date"))) is not None]
    years = int(p["years"])
    young = [b for b in births if age_on(b, ctx.today, "birthday") < years]
    return _ok(rule, bool(young), "child_ok", "child_none", years=years, count=len(young))


def _lives_alone(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "lives_alone"
    record = _record(rule, "household", facts)
    if isinstance(record, RuleResult):
        return record
    size = record.get("household_size")
    if not isinstance(size, int):
        return _missing(rule, "household_size")
    return _ok(rule, size == 1, "alone_ok", "alone_not", size=size)


def _indigenous(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "indigenous"
    record = _record(rule, "household", facts)
    if isinstance(record, RuleResult):
        return record
    value = record.get("indigenous")
    if not isinstance(value, bool):
        return _missing(rule, "indigenous")
    return _ok(rule, value, "indigenous_ok", "indigenous_not")


# -- disability certificate -------------------------------------------------------------------------------------


def _disability(rule: str, facts: Facts) -> dict[str, Any] | RuleResult:
    record = _record(rule, "disability", facts)
    if isinstance(record, RuleResult):
        return record
    if not record.get("found"):
        return RuleResult(rule, Outcome.FAIL, "disability_none")
    return record


def _has_disability(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "has_disability"
    record = _disability(rule, facts)
    if isinstance(record, RuleResult):
        return record
    expires = _as_date(record.get("expires_on"))
    level = str(record.get("level") or LEVEL_NOT_STATED)
    if expires is not None and expires < ctx.today:
        return RuleResult(rule, Outcome.FAIL, "disability_expired", {"expires": format_roc(expires)})
    until = format_roc(expires) if expires else "無期限"
    return RuleResult(rule, Outcome.PASS, "disability_ok", {"level": level, "expires": until})


def _disability_record(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "disability_certificate_exists"
    record = _disability(rule, facts)
    if isinstance(record, RuleResult):
        return record
    level = str(record.get("level") or LEVEL_NOT_STATED)
    return RuleResult(rule, Outcome.PASS, "disability_record_ok", {"level": level})


def _disability_need(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "disability_need"
    record = _disability(rule, facts)
    if isinstance(record, RuleResult):
        return record
    needs = record.get("needs")
    if not isinstance(needs, list):
        return _missing(rule, "needs")
    return _ok(rule, p["need"] in needs, "need_ok", "need_missing", need=p["need"])


def _disability_category_in(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "disability_category_in"
    record = _disability(rule, facts)
    if isinstance(record, RuleResult):
        return record
    category = record.get("category")
    if not isinstance(category, str) or not category:
        return _missing(rule, "category")  # which category decides the rule: unknown, not a failure
    return _ok(
        rule,
        category in p["categories"],
        "category_ok",
        "category_other",
        category=category,
        allowed="、".join(p["categories"]),
    )


# -- welfare status, tax, military ------------------------------------------------------------------------------


def _welfare_status_in(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "welfare_status_in"
    record = _record(rule, "welfare", facts)
    if isinstance(record, RuleResult):
        return record
    status = str(record.get("status") or "一般")
    return _ok(
        rule, status in p["statuses"], "welfare_ok", "welfare_other", status=status, allowed="、".join(p["statuses"])
    )


def _tax(rule: str, facts: Facts) -> dict[str, Any] | RuleResult:
    record = _record(rule, "tax", facts)
    if isinstance(record, RuleResult):
        return record
    if not record.get("found"):
        return RuleResult(rule, Outcome.UNKNOWN, "tax_no_record")
    return record


def _income_cap(rule: str, base: int | None, unknown: str, p: dict[str, Any], facts: Facts, ctx: Context) -> RuleResult:
    """Income per person per month against `multiple` × a statutory amount (`base`; None: not published)."""
    record = _tax(rule, facts)
    if isinstance(record, RuleResult):
        return record
    income = record.get("income_per_person_monthly")
    if not isinstance(income, int):
        return _missing(rule, "income_per_person_monthly")
    if base is None:
        return RuleResult(rule, Outcome.UNKNOWN, unknown, {"year": ctx.today.year - 1911})
    multiple = float(p["multiple"])
    limit = int(base * multiple)
    ok, over = ("income_ok", "income_over") if rule == "income_at_most" else ("consumption_ok", "consumption_over")
    return _ok(rule, income <= limit, ok, over, income=f"{income:,}", limit=f"{limit:,}", multiple=f"{multiple:g}")


def _income_at_most(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    return _income_cap("income_at_most", ctx.min_living_cost, "threshold_unknown", p, facts, ctx)


def _income_vs_consumption(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    """The second income cap some subsidies allow (e.g. 租金補貼: ≤ 1.5 × 平均每人每月消費支出)."""
    return _income_cap("consumption_at_most", ctx.avg_consumption, "consumption_unknown", p, facts, ctx)


def _owns_house(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "owns_house"
    record = _tax(rule, facts)
    if isinstance(record, RuleResult):
        return record
    owns = record.get("owns_house")
    if not isinstance(owns, bool):
        return _missing(rule, "owns_house")
    if p["expected"]:
        return _ok(rule, owns, "house_owned_ok", "house_none")
    return _ok(rule, not owns, "house_none_ok", "house_owned")


def _owns_farmhouse(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "owns_farmhouse"
    record = _tax(rule, facts)
    if isinstance(record, RuleResult):
        return record
    owns = record.get("owns_farmhouse")
    if not isinstance(owns, bool):
        return _missing(rule, "owns_farmhouse")
    return _ok(
        rule, owns == p["expected"], "farmhouse_as_expected", "farmhouse_not_expected", state="有" if owns else "無"
    )


def _military_status_in(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "military_status_in"
    record = _record(rule, "military", facts)
    if isinstance(record, RuleResult):
        return record
    status = str(record.get("status") or "無兵役資料")
    return _ok(
        rule, status in p["statuses"], "military_ok", "military_other", status=status, allowed="、".join(p["statuses"])
    )


# -- typed fields and the calendar ------------------------------------------------------------------------------


def _field_within_days(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    rule = "field_within_days"
    when = _as_date(ctx.fields.get(str(p["field"]), ""))
    label = str(p["label"])
    if when is None:
        return RuleResult(rule, Outcome.UNKNOWN, "field_missing", {"label": label})
    if when > ctx.today:
        return RuleResult(rule, Outcome.FAIL, "event_in_future", {"label": label})
    days = int(p["days"])
    return _ok(
        rule,
        ctx.today - when <= timedelta(days=days),
        "event_recent",
        "event_too_old",
        label=label,
        days=days,
        date=format_roc(when),
    )


def _field_days_ahead(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    """A planned date typed by the clerk must lie between min_days and max_days ahead (e.g. 役男出境 3–30 days)."""
    rule = "field_days_ahead"
    when = _as_date(ctx.fields.get(str(p["field"]), ""))
    label = str(p["label"])
    if when is None:
        return RuleResult(rule, Outcome.UNKNOWN, "field_missing", {"label": label})
    ahead = (when - ctx.today).days
    low, high = int(p["min_days"]), int(p["max_days"])
    return _ok(
        rule, low <= ahead <= high, "ahead_ok", "ahead_outside", label=label, low=low, high=high, date=format_roc(when)
    )


def _field_in(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    """A choice the clerk made after seeing the paper (e.g. 醫師診斷證明 instead of a certificate in the register)."""
    rule = "field_in"
    value = str(ctx.fields.get(str(p["field"]), ""))
    label = str(p["label"])
    if not value:
        return RuleResult(rule, Outcome.UNKNOWN, "field_missing", {"label": label})
    return _ok(rule, value in p["values"], "field_in_ok", "field_in_other", label=label, value=value)


def _check_values(p: dict[str, Any]) -> str | None:
    values = p["values"]
    if not values or not all(isinstance(v, str) and v for v in values):
        return "values must be a non-empty list of strings"
    return None


def _check_month_day(p: dict[str, Any]) -> str | None:
    for key in ("start", "end"):
        try:
            date.fromisoformat(f"2000-{p[key]}")
        except ValueError:
            return f"{key} must be MM-DD"
    return None


def _date_in_window(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    """Seasonal windows (e.g. 11-01 to 03-31, across the new year)."""
    today = ctx.today.strftime("%m-%d")
    start, end = str(p["start"]), str(p["end"])
    inside = start <= today <= end if start <= end else (today >= start or today <= end)
    s_month, s_day = (int(x) for x in start.split("-"))
    e_month, e_day = (int(x) for x in end.split("-"))
    return _ok(
        "date_in_window",
        inside,
        "window_open",
        "window_closed",
        start=f"{s_month}月{s_day}日",
        end=f"{e_month}月{e_day}日",
    )


# -- combinators ------------------------------------------------------------------------------------------------


def _any_of(p: dict[str, Any], a: Applicant, facts: Facts, ctx: Context) -> RuleResult:
    results = [
        RULE_KINDS[o["kind"]].evaluate({k: v for k, v in o.items() if k != "kind"}, a, facts, ctx) for o in p["options"]
    ]
    for r in results:
        if r.outcome is Outcome.PASS:
            return RuleResult("any_of", Outcome.PASS, r.code, r.params)
    if any(r.outcome is Outcome.UNKNOWN for r in results):
        return RuleResult("any_of", Outcome.UNKNOWN, "any_of_unknown", {"label": p["label"]})
    # Each way in, with the applicant's own fact: 「未滿65歲（64歲），115年3月2日起符合；查無身心障礙證明」.
    why = "；".join(text(r.code, **r.params).rstrip("。") for r in results)
    return RuleResult("any_of", Outcome.FAIL, "any_of_failed", {"label": p["label"], "why": why})


def _check_any_of(p: dict[str, Any]) -> str | None:
    options = p["options"]
    if not options or not all(isinstance(o, dict) and o.get("kind") in RULE_KINDS for o in options):
        return "options must be a non-empty list of rules with a known kind"
    if any(o["kind"] == "any_of" for o in options):
        return "any_of cannot nest"
    for o in options:
        spec = RULE_KINDS[o["kind"]]
        params = {k: v for k, v in o.items() if k != "kind"}
        if set(params) != set(spec.params) or not all(isinstance(params[k], t) for k, t in spec.params.items()):
            return f"option {o['kind']!r} needs exactly {sorted(spec.params)}"
        if spec.check is not None and (problem := spec.check(params)):
            return problem
    return None


RULE_KINDS: dict[str, RuleKind] = {
    "identity_matches": RuleKind({}, "household", _identity_matches),
    "age_at_least": RuleKind({"years": int, "method": str}, "household", _age_at_least, _check_age),
    "age_at_most": RuleKind({"years": int, "method": str}, "household", _age_at_most, _check_age),
    "residence_in_city": RuleKind({}, "household", _residence_in_city),
    "sex_is": RuleKind({"sex": str}, None, _sex_is, lambda p: None if p["sex"] in ("M", "F") else "sex is M or F"),
    "household_has_member_under": RuleKind({"years": int}, "household", _member_under),
    "lives_alone": RuleKind({}, "household", _lives_alone),
    "indigenous": RuleKind({}, "household", _indigenous),
    "has_disability": RuleKind({}, "disability", _has_disability),
    "disability_certificate_exists": RuleKind({}, "disability", _disability_record),
    "disability_need": RuleKind({"need": str}, "disability", _disability_need),
    "disability_category_in": RuleKind({"categories": list}, "disability", _disability_category_in),
    "welfare_status_in": RuleKind({"statuses": list}, "welfare", _welfare_status_in),
    "income_at_most": RuleKind({"multiple": (int, float)}, "tax", _income_at_most),
    "consumption_at_most": RuleKind({"multiple": (int, float)}, "tax", _income_vs_consumption),
    "owns_house": RuleKind({"expected": bool}, "tax", _owns_house),
    "owns_farmhouse": RuleKind({"expected": bool}, "tax", _owns_farmhouse),
    "military_status_in": RuleKind({"statuses": list}, "military", _military_status_in),
    "field_within_days": RuleKind({"field": str, "days": int, "label": str}, None, _field_within_days),
    "field_days_ahead": RuleKind(
        {"field": str, "min_days": int, "max_days": int, "label": str}, None, _field_days_ahead
    ),
    "field_in": RuleKind({"field": str, "values": list, "label": str}, None, _field_in, _check_values),
    "date_in_window": RuleKind({"start": str, "end": str}, None, _date_in_window, _check_month_day),
    "any_of": RuleKind({"options": list, "label": str}, None, _any_of, _check_any_of),
}


FIELD_RULE_KINDS = frozenset({"field_within_days", "field_days_ahead", "field_in"})  # rules that read a typed field


def fields_of(rule: Rule) -> set[str]:
    """The typed fields a rule reads (an any_of reads those of its options)."""
    options = rule.params["options"] if rule.kind == "any_of" else [{"kind": rule.kind, **rule.params}]
    return {str(o["field"]) for o in options if o["kind"] in FIELD_RULE_KINDS}


def lookups_of(rule: Rule) -> set[str]:
    """The look-up kinds a rule reads (an any_of reads those of its options)."""
    if rule.kind == "any_of":
        return {k for o in rule.params["options"] if (k := RULE_KINDS[o["kind"]].lookup) is not None}
    kind = RULE_KINDS[rule.kind].lookup
    return {kind} if kind else set()


def decide(rules: tuple[Rule, ...], applicant: Applicant, facts: Facts, ctx: Context) -> Decision:
    """Evaluate every rule (never stopping at the first failure, so the clerk sees all reasons at once)."""
    return Decision(tuple(RULE_KINDS[r.kind].evaluate(r.params, applicant, facts, ctx) for r in rules))
