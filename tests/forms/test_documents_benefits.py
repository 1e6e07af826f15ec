"""Documents replaced by look-ups vs still owed, and the benefit finder's restraint."""

from __future__ import annotations

from datetime import date

import pytest

from forms.benefits import find_benefits
from forms.catalog import load_catalog
from forms.documents import check_documents, with_shown
from forms.eligibility import Context
from forms.ids import parse_id
from forms.types import Applicant, Facts, Office

CATALOG = load_catalog()
OFFICE = Office("68000010", "桃園市桃園區公所", "68000000", "桃園市")
APPLICANT = Applicant(parse_id("H123456786"), "王小明", date(1950, 1, 1))
HOUSEHOLD = {
    "found": True,
    "name": "王小明",
    "birth_date": "1950-01-01",
    "city_code": "68000000",
    "city_name": "桃園市",
    "household_size": 1,
    "indigenous": False,
    "members": [],
}
CARD = {"found": True, "level": "中度", "category": "失智症", "needs": ["行動不便"], "expires_on": "2030-01-01"}


def test_documents_replaced_only_by_look_ups_that_ran() -> None:
    service = CATALOG.get("SW-03")  # parking permit
    online = check_documents(service, Facts({"household": HOUSEHOLD, "disability": CARD}))
    assert {d.name for d in online.replaced} == {"身心障礙證明正反面影本", "親屬關係證明（戶口名簿）"}
    assert "駕照影本" in {d.name for d in online.owed}
    offline = check_documents(service, Facts({"household": None, "disability": None}))
    assert offline.replaced == () and len(offline.owed) == len(service.documents)


def test_a_certificate_the_register_does_not_hold_is_not_asked_for() -> None:
    check = check_documents(CATALOG.get("SW-05"), Facts({"household": HOUSEHOLD, "disability": {"found": False}}))
    assert [d.name for d in check.not_applicable] == ["身心障礙證明（愛心卡）"]
    assert "身心障礙證明（愛心卡）" not in {d.name for d in check.owed}


def test_benefit_finder_uses_only_facts_already_looked_up() -> None:
    ctx = Context(date(2026, 11, 20), OFFICE, 17_186)
    facts = Facts({"household": HOUSEHOLD, "disability": CARD})
    found = {b.service.code for b in find_benefits(CATALOG, CATALOG.get("SW-05"), APPLICANT, facts, ctx)}
    assert {
        "SW-03",
        "SW-04",
        "SW-27",
        "SW-28",
    } <= found  # parking (行動不便), bracelet (失智症), alone 65+, long-term care
    assert "SW-05" not in found  # not the service being applied for
    assert "SW-19" not in found  # needs tax facts, which were not looked up for this application
    assert not {"SW-01", "SW-13", "AG-36"} & found  # identity/residence only: not a "benefit"


def test_each_offer_says_why_and_unknown_rules_are_only_worth_asking() -> None:
    """Born 1950-01-01, on 2026-11-20: 76 years old; a 失智症 certificate noting 行動不便."""
    ctx = Context(date(2026, 11, 20), OFFICE, 17_186)
    facts = Facts({"household": HOUSEHOLD, "disability": CARD})
    offers = {b.service.code: b for b in find_benefits(CATALOG, CATALOG.get("SW-03"), APPLICANT, facts, ctx)}
    card = offers["SW-05"]
    assert card.standing == "符合"
    assert card.reasons == ("年滿65歲（76歲，104年1月1日起）。",)
    # Services whose rules the sources give only in part: never 符合, at most 可洽詢 (with the rule that passed).
    for code in ("SW-21", "SW-22", "SW-23", "SW-24"):
        assert offers[code].standing == "可洽詢", code
        assert offers[code].reasons and offers[code].reasons[0].startswith("領有身心障礙證明"), code
    standings = [b.standing for b in offers.values()]
    assert standings == sorted(standings, key=lambda x: x != "符合")  # 符合 first, then 可洽詢
    assert card.words() == "5. 敬老愛心卡（符合：年滿65歲（76歲，104年1月1日起））"


def test_a_household_with_a_baby_does_not_make_a_grandmother_a_parent() -> None:
    """育兒津貼 is for the parent of a child under 2: a 76-year-old whose household holds a baby is not offered it
    as 符合 (who the parent is cannot be looked up)."""
    ctx = Context(date(2026, 11, 20), OFFICE, 17_186)
    baby = {**HOUSEHOLD, "household_size": 2, "members": [{"birth_date": "2026-03-01"}]}
    offers = {
        b.service.code: b
        for b in find_benefits(CATALOG, CATALOG.get("SW-05"), APPLICANT, Facts({"household": baby}), ctx)
    }
    assert offers["SW-16"].standing == "可洽詢"
    assert offers["SW-16"].reasons == ("戶內有未滿 2 歲兒童 1 名。",)


def test_documents_shown_at_the_counter_are_no_longer_owed_and_ticks_can_be_undone() -> None:
    service = CATALOG.get("SW-05")  # 敬老愛心卡: ID card and photo on paper, household and disability looked up
    check = check_documents(service, Facts({"household": HOUSEHOLD, "disability": CARD}))
    card, photo = "身分證正本（驗畢發還）", "最近6個月2吋照片（或現場拍照）"
    assert [d.name for d in check.owed] == [card, photo]
    ticked = with_shown(check, {card})
    assert [d.name for d in ticked.shown] == [card] and [d.name for d in ticked.owed] == [photo]
    assert ticked.replaced == check.replaced  # what was looked up stays 免附 whatever is ticked
    both = with_shown(ticked, {card, photo})
    assert both.owed == () and [d.name for d in both.shown] == [card, photo]
    undone = with_shown(both, set())
    assert undone.shown == () and [d.name for d in undone.owed] == [card, photo]  # the catalog's order again
    with pytest.raises(ValueError):
        with_shown(check, {"戶口名簿或戶籍謄本"})  # looked up, not owed on paper: nothing to tick


def test_terms_keep_what_was_shown_apart_from_what_is_owed() -> None:
    from forms.calendar import OfficeCalendar
    from forms.terms import decide_terms
    from forms.types import Outcome

    service = CATALOG.get("SW-05")
    check = with_shown(
        check_documents(service, Facts({"household": HOUSEHOLD, "disability": CARD})), {"身分證正本（驗畢發還）"}
    )
    terms = decide_terms(
        service, Outcome.PASS, False, check, date(2026, 12, 3), OfficeCalendar(2026, 2027, frozenset(), frozenset())
    )
    assert terms.shown == ("身分證正本（驗畢發還）",)
    assert terms.owed == ("最近6個月2吋照片（或現場拍照）",)


def test_a_register_answer_without_a_found_flag_counts_as_found_and_a_household_not_found_is_owed() -> None:
    service = CATALOG.get("SW-05")  # 戶口名簿 replaced by household, 身心障礙證明 by disability
    unflagged = {k: v for k, v in HOUSEHOLD.items() if k != "found"}
    check = check_documents(service, Facts({"household": unflagged, "disability": CARD}))
    assert "戶口名簿或戶籍謄本" in {d.name for d in check.replaced}
    # Not in the household register: the citizen shows what they have, on paper (never "not applicable").
    absent = check_documents(service, Facts({"household": {"found": False}, "disability": CARD}))
    assert "戶口名簿或戶籍謄本" in [d.name for d in absent.owed]
    assert "戶口名簿或戶籍謄本" not in {d.name for d in absent.not_applicable}


def test_ticking_a_document_that_is_not_owed_names_it() -> None:
    check = check_documents(CATALOG.get("SW-05"), Facts({"household": HOUSEHOLD, "disability": CARD}))
    with pytest.raises(ValueError, match="戶口名簿或戶籍謄本"):
        with_shown(check, {"戶口名簿或戶籍謄本"})
