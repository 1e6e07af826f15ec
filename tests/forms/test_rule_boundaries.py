"""Every rule kind at its limits, written out by hand: at the limit, just below, just above, and each input missing.
The expected outcome and reason of each row come from the rule's meaning (the catalog's sources), not from the
code under test."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from forms.eligibility import RULE_KINDS, Context
from forms.ids import parse_id
from forms.messages import text
from forms.types import Applicant, Facts, Office, Outcome

OFFICE = Office("68000010", "桃園市桃園區公所", "68000000", "桃園市")
P, F, U = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN
MAN = Applicant(parse_id("H123456786"), "王小明", date(1961, 11, 15))  # second digit 1: male


def hh(**over: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "found": True,
        "name": "王小明",
        "birth_date": "1961-11-15",
        "city_code": "68000000",
        "city_name": "桃園市",
        "household_size": 2,
        "indigenous": False,
        "members": [],
    }
    record.update(over)
    return record


def dis(**over: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "found": True,
        "level": "中度",
        "category": "肢體障礙",
        "needs": ["停車"],
        "expires_on": None,
    }
    record.update(over)
    return record


def tax(**over: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "found": True,
        "income_per_person_monthly": 22500,
        "owns_house": False,
        "owns_farmhouse": False,
    }
    record.update(over)
    return record


def drop(record: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != key}


# (kind, params, facts, today, extra context, expected outcome, expected code)
ROWS: list[tuple[str, dict[str, Any], dict[str, Any], str, dict[str, Any], Outcome, str]] = [
    # 65 from the first day of the birth month (born 15 Nov 1961)
    ("age_at_least", {"years": 65, "method": "birthday_month"}, {"household": hh()}, "2026-10-31", {}, F, "age_under"),
    ("age_at_least", {"years": 65, "method": "birthday_month"}, {"household": hh()}, "2026-11-01", {}, P, "age_ok"),
    ("age_at_least", {"years": 65, "method": "birthday_month"}, {"household": hh()}, "2026-11-02", {}, P, "age_ok"),
    # 65 on the birthday itself
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": hh()}, "2026-11-14", {}, F, "age_under"),
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": hh()}, "2026-11-15", {}, P, "age_ok"),
    # born 29 Feb: in a common year the birthday counts from 1 March
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": hh(birth_date="1960-02-29")}, "2025-02-28", {}, F, "age_under"),
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": hh(birth_date="1960-02-29")}, "2025-03-01", {}, P, "age_ok"),
    # ROC-year age (役男): from 1 January of the year
    ("age_at_least", {"years": 65, "method": "roc_year"}, {"household": hh()}, "2025-12-31", {}, F, "age_under"),
    ("age_at_least", {"years": 65, "method": "roc_year"}, {"household": hh()}, "2026-01-01", {}, P, "age_ok"),
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": None}, "2026-11-15", {}, U, "household_unavailable"),
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": {"found": False}}, "2026-11-15", {}, F, "person_not_found"),
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": drop(hh(), "birth_date")}, "2026-11-15", {}, U, "fact_missing"),
    ("age_at_least", {"years": 65, "method": "birthday"}, {"household": hh(birth_date="1961-13-45")}, "2026-11-15", {}, U, "fact_missing"),
    # at most 18 (born 20 Nov 2008): 18 on the birthday is still within, 19 is over
    ("age_at_most", {"years": 18, "method": "birthday"}, {"household": hh(birth_date="2008-11-20")}, "2026-11-19", {}, P, "age_within"),
    ("age_at_most", {"years": 18, "method": "birthday"}, {"household": hh(birth_date="2008-11-20")}, "2027-11-19", {}, P, "age_within"),
    ("age_at_most", {"years": 18, "method": "birthday"}, {"household": hh(birth_date="2008-11-20")}, "2027-11-20", {}, F, "age_over"),
    ("age_at_most", {"years": 18, "method": "roc_year"}, {"household": hh(birth_date="2008-11-20")}, "2026-12-31", {}, P, "age_within"),
    ("age_at_most", {"years": 18, "method": "roc_year"}, {"household": hh(birth_date="2008-11-20")}, "2027-01-01", {}, F, "age_over"),
    ("age_at_most", {"years": 18, "method": "birthday"}, {"household": None}, "2026-11-19", {}, U, "household_unavailable"),
    # identity: the register's name and birth date against what was typed
    ("identity_matches", {}, {"household": hh()}, "2026-11-20", {}, P, "identity_ok"),
    ("identity_matches", {}, {"household": hh(name="王 小明")}, "2026-11-20", {}, P, "identity_ok"),
    ("identity_matches", {}, {"household": hh(name="王小民")}, "2026-11-20", {}, F, "identity_name_mismatch"),
    ("identity_matches", {}, {"household": hh(birth_date="1961-11-16")}, "2026-11-20", {}, F, "identity_birth_mismatch"),
    ("identity_matches", {}, {"household": drop(hh(), "birth_date")}, "2026-11-20", {}, U, "fact_missing"),
    ("identity_matches", {}, {"household": {"found": False}}, "2026-11-20", {}, F, "person_not_found"),
    ("identity_matches", {}, {}, "2026-11-20", {}, U, "household_unavailable"),
    # residence in the office's city
    ("residence_in_city", {}, {"household": hh()}, "2026-11-20", {}, P, "residence_ok"),
    ("residence_in_city", {}, {"household": hh(city_code="67000000", city_name="臺南市")}, "2026-11-20", {}, F, "residence_elsewhere"),
    ("residence_in_city", {}, {"household": drop(hh(), "city_code")}, "2026-11-20", {}, U, "fact_missing"),
    # sex from the ID's second digit
    ("sex_is", {"sex": "M"}, {}, "2026-11-20", {}, P, "sex_ok"),
    ("sex_is", {"sex": "F"}, {}, "2026-11-20", {}, F, "sex_mismatch"),
    # a household member under 12 (by birthday): exactly 12 today is not under
    ("household_has_member_under", {"years": 12}, {"household": hh(members=[{"birth_date": "2014-11-20"}])}, "2026-11-20", {}, F, "child_none"),
    ("household_has_member_under", {"years": 12}, {"household": hh(members=[{"birth_date": "2014-11-21"}])}, "2026-11-20", {}, P, "child_ok"),
    ("household_has_member_under", {"years": 12}, {"household": hh(members=[])}, "2026-11-20", {}, F, "child_none"),
    ("household_has_member_under", {"years": 12}, {"household": drop(hh(), "members")}, "2026-11-20", {}, U, "fact_missing"),
    # living alone: a household of exactly one
    ("lives_alone", {}, {"household": hh(household_size=1)}, "2026-11-20", {}, P, "alone_ok"),
    ("lives_alone", {}, {"household": hh(household_size=2)}, "2026-11-20", {}, F, "alone_not"),
    ("lives_alone", {}, {"household": drop(hh(), "household_size")}, "2026-11-20", {}, U, "fact_missing"),
    ("indigenous", {}, {"household": hh(indigenous=True)}, "2026-11-20", {}, P, "indigenous_ok"),
    ("indigenous", {}, {"household": hh(indigenous=False)}, "2026-11-20", {}, F, "indigenous_not"),
    ("indigenous", {}, {"household": drop(hh(), "indigenous")}, "2026-11-20", {}, U, "fact_missing"),
    # a disability certificate valid on the day (expiring today is still valid)
    ("has_disability", {}, {"disability": dis(expires_on="2026-11-20")}, "2026-11-20", {}, P, "disability_ok"),
    ("has_disability", {}, {"disability": dis(expires_on="2026-11-19")}, "2026-11-20", {}, F, "disability_expired"),
    ("has_disability", {}, {"disability": dis(expires_on=None)}, "2026-11-20", {}, P, "disability_ok"),
    ("has_disability", {}, {"disability": {"found": False}}, "2026-11-20", {}, F, "disability_none"),
    ("has_disability", {}, {"disability": None}, "2026-11-20", {}, U, "disability_unavailable"),
    ("disability_certificate_exists", {}, {"disability": dis(expires_on="2000-01-01")}, "2026-11-20", {}, P, "disability_record_ok"),
    ("disability_certificate_exists", {}, {"disability": {"found": False}}, "2026-11-20", {}, F, "disability_none"),
    ("disability_need", {"need": "停車"}, {"disability": dis()}, "2026-11-20", {}, P, "need_ok"),
    ("disability_need", {"need": "輔具"}, {"disability": dis()}, "2026-11-20", {}, F, "need_missing"),
    ("disability_need", {"need": "停車"}, {"disability": drop(dis(), "needs")}, "2026-11-20", {}, U, "fact_missing"),
    ("disability_category_in", {"categories": ["肢體障礙"]}, {"disability": dis()}, "2026-11-20", {}, P, "category_ok"),
    ("disability_category_in", {"categories": ["視覺障礙"]}, {"disability": dis()}, "2026-11-20", {}, F, "category_other"),
    # welfare status (absent status counts as 一般)
    ("welfare_status_in", {"statuses": ["低收入戶"]}, {"welfare": {"status": "低收入戶"}}, "2026-11-20", {}, P, "welfare_ok"),
    ("welfare_status_in", {"statuses": ["低收入戶"]}, {"welfare": {"status": "中低收入戶"}}, "2026-11-20", {}, F, "welfare_other"),
    ("welfare_status_in", {"statuses": ["一般"]}, {"welfare": {}}, "2026-11-20", {}, P, "welfare_ok"),
    ("welfare_status_in", {"statuses": ["低收入戶"]}, {"welfare": None}, "2026-11-20", {}, U, "welfare_unavailable"),
    # income at most 1.5 × 15,000 = 22,500 a person a month
    ("income_at_most", {"multiple": 1.5}, {"tax": tax(income_per_person_monthly=22500)}, "2026-11-20", {"min_living_cost": 15000}, P, "income_ok"),
    ("income_at_most", {"multiple": 1.5}, {"tax": tax(income_per_person_monthly=22499)}, "2026-11-20", {"min_living_cost": 15000}, P, "income_ok"),
    ("income_at_most", {"multiple": 1.5}, {"tax": tax(income_per_person_monthly=22501)}, "2026-11-20", {"min_living_cost": 15000}, F, "income_over"),
    ("income_at_most", {"multiple": 1.5}, {"tax": tax(income_per_person_monthly=22500)}, "2026-11-20", {}, U, "threshold_unknown"),
    ("income_at_most", {"multiple": 1.5}, {"tax": drop(tax(), "income_per_person_monthly")}, "2026-11-20", {"min_living_cost": 15000}, U, "fact_missing"),
    ("income_at_most", {"multiple": 1.5}, {"tax": {"found": False}}, "2026-11-20", {"min_living_cost": 15000}, U, "tax_no_record"),
    ("income_at_most", {"multiple": 1.5}, {"tax": None}, "2026-11-20", {"min_living_cost": 15000}, U, "tax_unavailable"),
    ("owns_house", {"expected": False}, {"tax": tax(owns_house=False)}, "2026-11-20", {}, P, "house_none_ok"),
    ("owns_house", {"expected": False}, {"tax": tax(owns_house=True)}, "2026-11-20", {}, F, "house_owned"),
    ("owns_house", {"expected": True}, {"tax": tax(owns_house=True)}, "2026-11-20", {}, P, "house_owned_ok"),
    ("owns_house", {"expected": True}, {"tax": tax(owns_house=False)}, "2026-11-20", {}, F, "house_none"),
    ("owns_house", {"expected": True}, {"tax": drop(tax(), "owns_house")}, "2026-11-20", {}, U, "fact_missing"),
    ("owns_farmhouse", {"expected": False}, {"tax": tax(owns_farmhouse=False)}, "2026-11-20", {}, P, "farmhouse_as_expected"),
    ("owns_farmhouse", {"expected": False}, {"tax": tax(owns_farmhouse=True)}, "2026-11-20", {}, F, "farmhouse_not_expected"),
    ("owns_farmhouse", {"expected": True}, {"tax": tax(owns_farmhouse=True)}, "2026-11-20", {}, P, "farmhouse_as_expected"),
    ("owns_farmhouse", {"expected": False}, {"tax": drop(tax(), "owns_farmhouse")}, "2026-11-20", {}, U, "fact_missing"),
    ("military_status_in", {"statuses": ["未服役"]}, {"military": {"found": True, "status": "未服役"}}, "2026-11-20", {}, P, "military_ok"),
    ("military_status_in", {"statuses": ["未服役"]}, {"military": {"found": True, "status": "已退伍"}}, "2026-11-20", {}, F, "military_other"),
    ("military_status_in", {"statuses": ["未服役"]}, {"military": {"found": False, "status": None}}, "2026-11-20", {}, F, "military_other"),
    ("military_status_in", {"statuses": ["未服役"]}, {"military": None}, "2026-11-20", {}, U, "military_unavailable"),
    # an event within the last 30 days (30 days ago is still within; tomorrow is not an event yet)
    ("field_within_days", {"field": "event_date", "days": 30, "label": "死亡日期"}, {}, "2026-11-20", {"fields": {"event_date": "2026-10-21"}}, P, "event_recent"),
    ("field_within_days", {"field": "event_date", "days": 30, "label": "死亡日期"}, {}, "2026-11-20", {"fields": {"event_date": "2026-10-20"}}, F, "event_too_old"),
    ("field_within_days", {"field": "event_date", "days": 30, "label": "死亡日期"}, {}, "2026-11-20", {"fields": {"event_date": "2026-11-20"}}, P, "event_recent"),
    ("field_within_days", {"field": "event_date", "days": 30, "label": "死亡日期"}, {}, "2026-11-20", {"fields": {"event_date": "2026-11-21"}}, F, "event_in_future"),
    ("field_within_days", {"field": "event_date", "days": 30, "label": "死亡日期"}, {}, "2026-11-20", {}, U, "field_missing"),
    # a departure 3 to 30 days ahead
    ("field_days_ahead", {"field": "departure", "min_days": 3, "max_days": 30, "label": "出境日期"}, {}, "2026-11-20", {"fields": {"departure": "2026-11-22"}}, F, "ahead_outside"),
    ("field_days_ahead", {"field": "departure", "min_days": 3, "max_days": 30, "label": "出境日期"}, {}, "2026-11-20", {"fields": {"departure": "2026-11-23"}}, P, "ahead_ok"),
    ("field_days_ahead", {"field": "departure", "min_days": 3, "max_days": 30, "label": "出境日期"}, {}, "2026-11-20", {"fields": {"departure": "2026-12-20"}}, P, "ahead_ok"),
    ("field_days_ahead", {"field": "departure", "min_days": 3, "max_days": 30, "label": "出境日期"}, {}, "2026-11-20", {"fields": {"departure": "2026-12-21"}}, F, "ahead_outside"),
    ("field_days_ahead", {"field": "departure", "min_days": 3, "max_days": 30, "label": "出境日期"}, {}, "2026-11-20", {"fields": {"departure": "bad"}}, U, "field_missing"),
    # a seasonal window across the new year (11-01 to 03-31) and one within a year (06-01 to 06-30)
    ("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2026-10-31", {}, F, "window_closed"),
    ("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2026-11-01", {}, P, "window_open"),
    ("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2026-12-31", {}, P, "window_open"),
    ("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2027-01-01", {}, P, "window_open"),
    ("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2027-03-31", {}, P, "window_open"),
    ("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2027-04-01", {}, F, "window_closed"),
    ("date_in_window", {"start": "06-01", "end": "06-30"}, {}, "2026-05-31", {}, F, "window_closed"),
    ("date_in_window", {"start": "06-01", "end": "06-30"}, {}, "2026-06-01", {}, P, "window_open"),
    ("date_in_window", {"start": "06-01", "end": "06-30"}, {}, "2026-06-30", {}, P, "window_open"),
    ("date_in_window", {"start": "06-01", "end": "06-30"}, {}, "2026-07-01", {}, F, "window_closed"),
]  # fmt: skip

ANY_OF = {
    "label": "年滿65歲或領有身障證明",
    "options": [{"kind": "age_at_least", "years": 65, "method": "birthday"}, {"kind": "has_disability"}],
}
# any_of: a pass wins; otherwise an unknown makes it unknown; otherwise it fails
ANY_ROWS: list[tuple[dict[str, Any], str, Outcome, str]] = [
    ({"household": hh(), "disability": {"found": False}}, "2026-11-15", P, "age_ok"),
    ({"household": hh(), "disability": dis()}, "2026-01-01", P, "disability_ok"),
    ({"household": hh(), "disability": {"found": False}}, "2026-01-01", F, "any_of_failed"),
    ({"household": hh(), "disability": None}, "2026-01-01", U, "any_of_unknown"),
    ({"household": hh(), "disability": None}, "2026-11-15", P, "age_ok"),
    ({"household": None, "disability": dis()}, "2026-01-01", P, "disability_ok"),
]


def evaluate(kind: str, params: dict[str, Any], facts: dict[str, Any], today: str, extra: dict[str, Any]) -> Any:
    ctx = Context(date.fromisoformat(today), OFFICE, **extra)
    return RULE_KINDS[kind].evaluate(params, MAN, Facts(facts), ctx)


@pytest.mark.parametrize(
    ("kind", "params", "facts", "today", "extra", "outcome", "code"),
    ROWS,
    ids=[f"{r[0]}-{r[3]}-{r[6]}-{n}" for n, r in enumerate(ROWS)],
)
def test_rule_kind_at_its_limits(
    kind: str,
    params: dict[str, Any],
    facts: dict[str, Any],
    today: str,
    extra: dict[str, Any],
    outcome: Outcome,
    code: str,
) -> None:
    result = evaluate(kind, params, facts, today, extra)
    assert (result.outcome, result.code) == (outcome, code)
    assert text(result.code, **result.params)  # the reason reads as a sentence with its facts


@pytest.mark.parametrize(("facts", "today", "outcome", "code"), ANY_ROWS)
def test_any_of_combines_its_options(facts: dict[str, Any], today: str, outcome: Outcome, code: str) -> None:
    result = evaluate("any_of", ANY_OF, facts, today, {})
    assert (result.outcome, result.code) == (outcome, code)


def test_every_rule_kind_has_rows() -> None:
    assert {r[0] for r in ROWS} | {"any_of"} == set(RULE_KINDS)


def test_reasons_carry_the_facts_a_clerk_reads() -> None:
    """The numbers in a reason are the case's, written out (not only the outcome)."""
    over = evaluate(
        "income_at_most",
        {"multiple": 1.5},
        {"tax": tax(income_per_person_monthly=30000)},
        "2026-11-20",
        {"min_living_cost": 15000},
    )
    assert over.params == {"income": "30,000", "limit": "22,500", "multiple": "1.5"}
    young = evaluate("age_at_least", {"years": 65, "method": "birthday_month"}, {"household": hh()}, "2026-10-31", {})
    assert young.params == {"min_age": 65, "eligible_from": "115年11月1日"}
    expired = evaluate("has_disability", {}, {"disability": dis(expires_on="2026-11-19")}, "2026-11-20", {})
    assert expired.params == {"expires": "115年11月19日"}
    window = evaluate("date_in_window", {"start": "11-01", "end": "03-31"}, {}, "2026-10-31", {})
    assert window.params == {"start": "11月1日", "end": "3月31日"}
