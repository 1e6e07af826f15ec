"""Rule kinds evaluated on facts: each gives pass / fail / unknown with its reason; offline is never a guess."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from forms.catalog import load_catalog
from forms.eligibility import Context, age_on, decide, eligible_from
from forms.ids import parse_id
from forms.messages import text
from forms.types import Applicant, Facts, Office, Outcome, Rule
from tests.fakes.records import household_record

OFFICE = Office("68000010", "桃園市桃園區公所", "68000000", "桃園市")
CATALOG = load_catalog()
CARD = CATALOG.get("SW-05")  # 敬老愛心卡: identity, residence, any_of(65 by birthday month, disability)
BIRTH = date(1961, 11, 30)
APPLICANT = Applicant(parse_id("H123456786"), "王小明", BIRTH)
NO_DISABILITY = {"found": False}


def household(**over: Any) -> dict[str, Any]:
    return household_record(BIRTH, **over)


def facts(hh: dict[str, Any] | None = None, **other: Any) -> Facts:
    return Facts({"household": household() if hh is None else hh, **other})


def run(rules: tuple[Rule, ...], f: Facts, today: date, **ctx: Any) -> tuple[Outcome, dict[str, str]]:
    decision = decide(rules, APPLICANT, f, Context(today, OFFICE, **ctx))
    for r in decision.results:
        assert text(r.code, **r.params)  # every reason has text with its parameters
    return decision.outcome, {r.rule: r.code for r in decision.results}


def rule(kind: str, **params: Any) -> tuple[Rule, ...]:
    return (Rule(kind, params),)


def test_senior_card_from_the_first_day_of_the_birthday_month() -> None:
    # Born 30 Nov 1961: turns 65 on 30 Nov 2026 but may apply from 1 Nov 2026 (「當月滿65歲即可辦理」).
    assert run(CARD.rules, facts(disability=NO_DISABILITY), date(2026, 11, 1))[0] is Outcome.PASS
    outcome, codes = run(CARD.rules, facts(disability=NO_DISABILITY), date(2026, 10, 31))
    assert outcome is Outcome.FAIL and codes["any_of"] == "any_of_failed"


def test_senior_card_for_a_younger_card_holder() -> None:
    valid = {"found": True, "level": "中度", "category": "肢體障礙", "needs": [], "expires_on": "2030-01-01"}
    outcome, codes = run(CARD.rules, facts(disability=valid), date(2026, 1, 5))
    assert outcome is Outcome.PASS and codes["any_of"] == "disability_ok"


def test_registered_in_another_city_fails_with_the_city_named() -> None:
    decision = decide(
        CARD.rules,
        APPLICANT,
        facts(household(city_code="67000000", city_name="臺南市"), disability=NO_DISABILITY),
        Context(date(2026, 12, 1), OFFICE),
    )
    failed = [r for r in decision.results if r.outcome is Outcome.FAIL]
    assert [(r.code, r.params["actual"]) for r in failed] == [("residence_elsewhere", "臺南市")]


def test_all_failures_reported_together() -> None:
    outcome, codes = run(
        CARD.rules, facts(household(city_code="67000000", name="王大明"), disability=NO_DISABILITY), date(2020, 1, 1)
    )
    assert outcome is Outcome.FAIL
    assert codes == {
        "identity_matches": "identity_name_mismatch",
        "residence_in_city": "residence_elsewhere",
        "any_of": "any_of_failed",
    }


def test_birth_date_typed_differently_from_the_register() -> None:
    _, codes = run(CARD.rules, facts(household(birth_date="1961-11-29"), disability=NO_DISABILITY), date(2026, 12, 1))
    assert codes["identity_matches"] == "identity_birth_mismatch"


def test_name_comparison_ignores_width_and_spacing() -> None:
    assert (
        run(CARD.rules, facts(household(name="王 小明"), disability=NO_DISABILITY), date(2026, 12, 1))[0]
        is Outcome.PASS
    )


def test_person_not_in_register() -> None:
    outcome, codes = run(CARD.rules[:2], facts({"found": False}), date(2026, 12, 1))
    assert outcome is Outcome.FAIL and set(codes.values()) == {"person_not_found"}


def test_offline_is_unknown_not_a_guess() -> None:
    outcome, codes = run(CARD.rules, Facts({"household": None, "disability": None}), date(2026, 12, 1))
    assert outcome is Outcome.UNKNOWN
    assert codes == {
        "identity_matches": "household_unavailable",
        "residence_in_city": "household_unavailable",
        "any_of": "any_of_unknown",
    }


def test_missing_fact_is_unknown() -> None:
    outcome, codes = run(
        rule("age_at_least", years=65, method="birthday"), facts(household(birth_date=None)), date(2026, 12, 1)
    )
    assert outcome is Outcome.UNKNOWN and codes["age_at_least"] == "fact_missing"


@pytest.mark.parametrize(
    ("birth", "method", "years", "expected"),
    [
        (date(1961, 11, 30), "birthday_month", 65, date(2026, 11, 1)),
        (date(1961, 11, 30), "birthday", 65, date(2026, 11, 30)),
        (date(1960, 2, 29), "birthday", 65, date(2025, 3, 1)),
        (date(2007, 12, 31), "roc_year", 19, date(2026, 1, 1)),
    ],
)
def test_age_methods(birth: date, method: str, years: int, expected: date) -> None:
    assert eligible_from(birth, years, method) == expected
    assert age_on(birth, expected, method) == years
    assert age_on(birth, date.fromordinal(expected.toordinal() - 1), method) == years - 1


def test_military_age_is_roc_year_arithmetic() -> None:
    # 役男 age = current ROC year - birth ROC year, whatever the birthday: born 31 Dec 1990 is 36 all of 2026.
    rules = (
        Rule("age_at_least", {"years": 19, "method": "roc_year"}),
        Rule("age_at_most", {"years": 36, "method": "roc_year"}),
    )
    assert run(rules, facts(household(birth_date="1990-12-31")), date(2026, 1, 2))[0] is Outcome.PASS
    assert run(rules, facts(household(birth_date="1989-12-31")), date(2026, 1, 2))[1]["age_at_most"] == "age_over"
    assert run(rules, facts(household(birth_date="2008-01-01")), date(2026, 12, 31))[1]["age_at_least"] == "age_under"


def test_disability_rules() -> None:
    card = {"found": True, "level": "重度", "category": "失智症", "needs": ["行動不便"], "expires_on": "2026-06-30"}
    today = date(2026, 11, 20)
    assert run(rule("has_disability"), facts(disability=card), today)[1]["has_disability"] == "disability_expired"
    assert run(rule("disability_certificate_exists"), facts(disability=card), today)[0] is Outcome.PASS
    assert run(rule("disability_need", need="行動不便"), facts(disability=card), today)[0] is Outcome.PASS
    assert run(rule("disability_need", need="必要陪伴者"), facts(disability=card), today)[0] is Outcome.FAIL
    assert run(rule("disability_category_in", categories=["失智症"]), facts(disability=card), today)[0] is Outcome.PASS
    assert (
        run(rule("has_disability"), facts(disability={"found": False}), today)[1]["has_disability"] == "disability_none"
    )
    assert run(rule("has_disability"), facts(disability=None), today)[1]["has_disability"] == "disability_unavailable"


def test_income_compares_with_the_living_cost_of_the_year() -> None:
    tax = {"found": True, "income_per_person_monthly": 40_000, "owns_house": False, "owns_farmhouse": False}
    r = rule("income_at_most", multiple=2.5)
    today = date(2026, 11, 20)
    assert run(r, facts(tax=tax), today, min_living_cost=17_186)[0] is Outcome.PASS  # 42,965
    assert (
        run(r, facts(tax={**tax, "income_per_person_monthly": 43_000}), today, min_living_cost=17_186)[0]
        is Outcome.FAIL
    )
    assert run(r, facts(tax=tax), today)[1]["income_at_most"] == "threshold_unknown"
    assert run(r, facts(tax={"found": False}), today, min_living_cost=17_186)[0] is Outcome.UNKNOWN


def test_household_rules() -> None:
    today = date(2026, 11, 20)
    baby = household(members=[{"birth_date": "2025-03-01"}, {"birth_date": "1990-01-01"}])
    assert run(rule("household_has_member_under", years=2), facts(baby), today)[0] is Outcome.PASS
    assert (
        run(
            rule("household_has_member_under", years=2), facts(household(members=[{"birth_date": "2024-11-19"}])), today
        )[0]
        is Outcome.FAIL
    )
    assert run(rule("lives_alone"), facts(household(household_size=1)), today)[0] is Outcome.PASS
    assert run(rule("indigenous"), facts(household(indigenous=True)), today)[0] is Outcome.PASS
    assert run(rule("sex_is", sex="F"), facts(), today)[1]["sex_is"] == "sex_mismatch"  # H1…: male


def test_field_and_calendar_rules() -> None:
    today = date(2026, 11, 20)
    within = rule("field_within_days", field="event_date", days=90, label="事件發生日")
    assert run(within, facts(), today, fields={"event_date": "2026-09-01"})[0] is Outcome.PASS
    assert run(within, facts(), today, fields={"event_date": "2026-08-01"})[1]["field_within_days"] == "event_too_old"
    assert run(within, facts(), today, fields={"event_date": "2026-11-21"})[1]["field_within_days"] == "event_in_future"
    ahead = rule("field_days_ahead", field="departure_date", min_days=3, max_days=30, label="預定出境日")
    assert run(ahead, facts(), today, fields={"departure_date": "2026-11-23"})[0] is Outcome.PASS
    assert run(ahead, facts(), today, fields={"departure_date": "2026-11-22"})[0] is Outcome.FAIL
    assert run(ahead, facts(), today, fields={"departure_date": "2026-12-21"})[0] is Outcome.FAIL
    window = rule("date_in_window", start="11-01", end="03-31")  # across the new year
    assert run(window, facts(), date(2027, 1, 15))[0] is Outcome.PASS
    assert run(window, facts(), date(2026, 10, 31))[0] is Outcome.FAIL


def test_every_catalog_rule_has_text_for_each_outcome_it_can_give() -> None:
    for service in CATALOG:
        for r in service.rules:
            assert text("rule_" + r.kind)
