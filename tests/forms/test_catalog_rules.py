"""The rules of particular services, as the sources give them (TAIWAN_PRACTICE.md §3 and seed 002), decided for
hand-made people: residence for every cross-district item, SW-02's age of majority, SW-03 on another's behalf,
SW-04's diagnosis route, SW-19's two income caps."""

from __future__ import annotations

from datetime import date
from typing import Any

from forms.catalog import load_catalog
from forms.eligibility import Context, decide
from forms.ids import parse_id
from forms.types import Applicant, Facts, Office, Outcome
from forms.validation import validate_applicant

CATALOG = load_catalog()
OFFICE = Office("68000010", "桃園市桃園區公所", "68000000", "桃園市")
TODAY = date(2026, 11, 20)
MAN = Applicant(parse_id("H123456786"), "王小明", date(1950, 1, 1))


def home(city: str = "68000000", birth: str = "1950-01-01", **over: Any) -> dict[str, Any]:
    record = {"found": True, "name": "王小明", "birth_date": birth, "city_code": city,
              "city_name": "桃園市" if city == "68000000" else "臺南市", "household_size": 1,
              "indigenous": False, "members": []}  # fmt: skip
    return {**record, **over}


def ctx(**over: Any) -> Context:
    return Context(TODAY, OFFICE, **{"min_living_cost": 17_186, **over})


def test_every_cross_district_item_is_for_residents_of_the_city() -> None:
    for service in CATALOG:
        assert any(r.kind == "residence_in_city" for r in service.rules), service.code


def test_a_resident_of_another_city_fails_residence_on_a_military_certificate() -> None:
    facts = Facts({"household": home(city="67000000"), "military": {"found": True, "status": "免役"}})
    decision = decide(CATALOG.get("CA-07").rules, MAN, facts, ctx())
    assert decision.outcome is Outcome.FAIL
    assert [r.rule for r in decision.results if r.outcome is Outcome.FAIL] == ["residence_in_city"]


def test_sw02_is_open_from_the_age_of_majority_18() -> None:
    """民法 §12 since 2023-01-01: born 2008-11-20 is 18 on 2026-11-20; born 2008-11-21 is not yet."""
    rule = next(r for r in CATALOG.get("SW-02").rules if r.kind == "age_at_least")
    assert rule.params["years"] == 18
    card = {"found": True, "level": "中度", "category": "肢體障礙", "needs": [], "expires_on": None}
    for birth, outcome in (("2008-11-20", Outcome.PASS), ("2008-11-21", Outcome.FAIL)):
        person = Applicant(MAN.national_id, "王小明", date.fromisoformat(birth))
        facts = Facts({"household": home(birth=birth), "disability": card})
        assert decide(CATALOG.get("SW-02").rules, person, facts, ctx()).outcome is outcome, birth


def test_sw04_takes_a_diagnosis_instead_of_a_certificate() -> None:
    """An elderly person at risk with no disability certificate, who brings a doctor's diagnosis: eligible."""
    service = CATALOG.get("SW-04")
    facts = Facts({"household": home(), "disability": {"found": False}})
    by_paper = decide(service.rules, MAN, facts, ctx(fields={"proof": "醫師診斷證明（3個月內）"}))
    assert by_paper.outcome is Outcome.PASS
    register_only = decide(service.rules, MAN, facts, ctx(fields={"proof": "身心障礙證明（系統查驗）"}))
    assert register_only.outcome is Outcome.FAIL


def test_sw03_on_behalf_needs_the_person_it_is_for() -> None:
    service = CATALOG.get("SW-03")
    base = {"phone": "0912345678", "plate": "ABC-1234", "vehicle_type": "自用小客車"}
    spouse = validate_applicant("H123456786", "王小明", "39/1/1", TODAY, service.fields,
                                {**base, "relation": "配偶"}, service.beneficiary)  # fmt: skip
    assert spouse.problems["holder_id"].code == "beneficiary_id_missing"
    same = validate_applicant("H123456786", "王小明", "39/1/1", TODAY, service.fields,
                              {**base, "relation": "配偶", "holder_id": "h123456786"}, service.beneficiary)  # fmt: skip
    assert same.problems["holder_id"].code == "beneficiary_is_applicant"
    fine = validate_applicant("H123456786", "王小明", "39/1/1", TODAY, service.fields,
                              {**base, "relation": "配偶", "holder_id": "A123456789"}, service.beneficiary)  # fmt: skip
    assert fine.problems == {}
    assert service.beneficiary is not None
    assert service.beneficiary.subject_of("disability", fine.fields) == "A123456789"
    assert service.beneficiary.subject_of("household", fine.fields) is None  # the applicant's own household
    himself = validate_applicant("H123456786", "王小明", "39/1/1", TODAY, service.fields,
                                 {**base, "relation": "本人"}, service.beneficiary)  # fmt: skip
    assert himself.problems == {} and service.beneficiary.subject_of("disability", himself.fields) is None


def test_sw19_has_two_income_caps() -> None:
    """2.5 × 17,186 = 42,965. Above it: eligible under 1.5 × consumption when that is higher, undecided (not
    refused) while the city has published no consumption figure."""
    service = CATALOG.get("SW-19")
    card = {"found": True, "level": "中度", "category": "肢體障礙", "needs": [], "expires_on": None}
    welfare = {"found": True, "status": "一般"}

    def facts(income: int) -> Facts:
        return Facts({"household": home(), "disability": card, "welfare": welfare,
                      "tax": {"found": True, "income_per_person_monthly": income, "owns_house": False,
                              "owns_farmhouse": False}})  # fmt: skip

    fields = {"phone": "0912345678", "monthly_rent": "8000", "rental_address": "桃園市桃園區中正路1號"}
    assert decide(service.rules, MAN, facts(42_965), ctx(fields=fields)).outcome is Outcome.PASS
    assert decide(service.rules, MAN, facts(42_966), ctx(fields=fields)).outcome is Outcome.UNKNOWN
    assert decide(service.rules, MAN, facts(42_966), ctx(fields=fields, avg_consumption=30_000)).outcome is (
        Outcome.PASS  # 1.5 × 30,000 = 45,000
    )
    assert decide(service.rules, MAN, facts(45_001), ctx(fields=fields, avg_consumption=30_000)).outcome is (
        Outcome.FAIL
    )


def test_an_invalid_relation_is_said_once_and_asks_for_no_other_id() -> None:
    service = CATALOG.get("SW-03")
    form = validate_applicant("H123456786", "王小明", "39/1/1", TODAY, service.fields,
                              {"phone": "0912345678", "plate": "ABC-1234", "vehicle_type": "自用小客車",
                               "relation": "鄰居"}, service.beneficiary)  # fmt: skip
    assert set(form.problems) == {"relation"}


def test_field_in_checks_its_values_and_reaches_fields_inside_any_of() -> None:
    from forms.eligibility import RULE_KINDS, fields_of
    from forms.types import Rule

    check = RULE_KINDS["field_in"].check
    assert check is not None
    for values in ([], [""], ["a", 1]):
        assert check({"field": "f", "values": values, "label": "x"}) == "values must be a non-empty list of strings"
    assert check({"field": "f", "values": ["a"], "label": "x"}) is None
    nested = Rule("any_of", {"label": "x", "options": [{"kind": "has_disability"},
                                                      {"kind": "field_in", "field": "proof", "values": ["a"],
                                                       "label": "y"}]})  # fmt: skip
    assert fields_of(nested) == {"proof"}
    assert fields_of(Rule("field_within_days", {"field": "event_date", "days": 90, "label": "z"})) == {"event_date"}
    assert fields_of(Rule("has_disability", {})) == set()
