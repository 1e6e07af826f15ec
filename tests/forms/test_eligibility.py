"""Senior-card rules: age from the birthday month, registration in the city, identity match, offline unknown."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from forms.catalog import load_catalog
from forms.eligibility import Context, decide, eligible_from
from forms.ids import parse_id
from forms.types import Applicant, Facts, Office, Outcome

OFFICE = Office("68000010", "桃園市桃園區公所", "68000000", "桃園市")
SENIOR = load_catalog().get("SW-01")
BIRTH = date(1961, 11, 30)
APPLICANT = Applicant(parse_id("H123456786"), "王小明", BIRTH)


def household(**over: Any) -> Facts:
    record = {
        "found": True,
        "name": "王小明",
        "birth_date": BIRTH.isoformat(),
        "city_code": "68000000",
        "city_name": "桃園市",
    }
    record.update(over)
    return Facts({"household": record})


def run(facts: Facts, today: date, applicant: Applicant = APPLICANT) -> tuple[Outcome, dict[str, str]]:
    decision = decide(SENIOR.rules, applicant, facts, Context(today, OFFICE))
    return decision.outcome, {r.rule: r.code for r in decision.results}


def test_eligible_from_the_first_day_of_the_birthday_month() -> None:
    # Born 30 Nov 1961: turns 65 on 30 Nov 2026 but may apply from 1 Nov 2026 (「當月滿65歲即可辦理」).
    assert run(household(), date(2026, 11, 1))[0] is Outcome.PASS
    outcome, codes = run(household(), date(2026, 10, 31))
    assert outcome is Outcome.FAIL
    assert codes["age_at_least"] == "age_under"


def test_registered_in_another_city_fails_with_the_city_named() -> None:
    decision = decide(
        SENIOR.rules, APPLICANT, household(city_code="67000000", city_name="臺南市"), Context(date(2026, 12, 1), OFFICE)
    )
    assert decision.outcome is Outcome.FAIL
    failed = [r for r in decision.results if r.outcome is Outcome.FAIL]
    assert [(r.code, r.params["actual"]) for r in failed] == [("residence_elsewhere", "臺南市")]


def test_all_failures_reported_together() -> None:
    outcome, codes = run(household(city_code="67000000", name="王大明"), date(2020, 1, 1))
    assert outcome is Outcome.FAIL
    assert codes == {
        "identity_matches": "identity_name_mismatch",
        "age_at_least": "age_under",
        "residence_in_city": "residence_elsewhere",
    }


def test_birth_date_typed_differently_from_the_register() -> None:
    outcome, codes = run(household(birth_date="1961-11-29"), date(2026, 12, 1))
    assert outcome is Outcome.FAIL
    assert codes["identity_matches"] == "identity_birth_mismatch"


def test_name_comparison_ignores_width_and_spacing() -> None:
    assert run(household(name="王 小明"), date(2026, 12, 1))[0] is Outcome.PASS


def test_person_not_in_register() -> None:
    outcome, codes = run(Facts({"household": {"found": False}}), date(2026, 12, 1))
    assert outcome is Outcome.FAIL
    assert set(codes.values()) == {"person_not_found"}


def test_offline_is_unknown_not_a_guess() -> None:
    outcome, codes = run(Facts({"household": None}), date(2026, 12, 1))
    assert outcome is Outcome.UNKNOWN
    assert set(codes.values()) == {"household_unavailable"}


def test_missing_fact_is_unknown() -> None:
    outcome, codes = run(household(birth_date=None), date(2026, 12, 1))
    assert outcome is Outcome.UNKNOWN
    assert codes["age_at_least"] == "fact_missing"


@pytest.mark.parametrize(
    ("birth", "method", "expected"),
    [
        (date(1961, 11, 30), "birthday_month", date(2026, 11, 1)),
        (date(1961, 11, 30), "birthday", date(2026, 11, 30)),
        (date(1960, 2, 29), "birthday", date(2025, 3, 1)),
        (date(2007, 12, 31), "roc_year", date(2026, 1, 1)),
    ],
)
def test_age_methods(birth: date, method: str, expected: date) -> None:
    assert eligible_from(birth, 65 if method != "roc_year" else 19, method) == expected
