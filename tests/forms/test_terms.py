"""What paper promises, decided from the case: a table of service × decision × override → promise and due date,
and the words printed. Expected dates by hand (received Fri 2026-11-20; the DGPA calendar)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from forms.calendar import load_calendar
from forms.catalog import load_catalog
from forms.documents import DocumentCheck
from forms.terms import (
    DUE,
    ON_THE_SPOT,
    PENDING,
    REFUSED,
    CaseTerms,
    decide_terms,
    fee_words,
    promise_words,
    terms_of_earlier_case,
)
from forms.timelimits import DEFAULT_LIMIT, TimeLimit
from forms.types import Document, FeeWaiver, Outcome

CATALOG = load_catalog()
CAL = load_calendar()
RECEIVED = date(2026, 11, 20)
P, F, U = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN


@pytest.mark.parametrize(
    ("code", "outcome", "overridden", "promise", "due"),
    [
        ("SW-05", P, False, ON_THE_SPOT, None),  # 敬老卡, passed: handed over
        ("SW-05", F, False, REFUSED, None),  # failed, taken at the applicant's request: nothing promised
        ("SW-05", F, True, DUE, date(2027, 1, 20)),  # let through: owed within §51 (11-21 … 2027-01-20, a Wed)
        ("SW-05", U, False, PENDING, date(2027, 1, 20)),  # 待查驗: the office still owes an answer
        ("SW-17", P, False, DUE, date(2026, 11, 27)),  # 7 days: Fri 11-27
        ("SW-17", F, False, REFUSED, None),
        ("SW-17", F, True, DUE, date(2026, 11, 27)),
        ("SW-18", P, False, DUE, date(2026, 11, 30)),  # 10 days: 11-30, a Monday
        ("SW-14", P, False, DUE, date(2027, 1, 20)),  # no published limit: §51
        ("SW-01", P, False, ON_THE_SPOT, None),  # the 鑑定表 is handed over
    ],
)
def test_the_promise_follows_the_case(
    code: str, outcome: Outcome, overridden: bool, promise: str, due: date | None
) -> None:
    terms = decide_terms(CATALOG.get(code), outcome, overridden, DocumentCheck((), ()), RECEIVED, CAL)
    assert (terms.promise, terms.due_date, terms.due_covered) == (promise, due, True)


def test_exempt_and_owed_are_what_the_look_ups_found() -> None:
    found, owed, none = Document("戶口名簿", "household"), Document("照片"), Document("身障證明", "disability")
    terms = decide_terms(CATALOG.get("SW-05"), P, False, DocumentCheck((found,), (owed,), (none,)), RECEIVED, CAL)
    assert (terms.exempt, terms.owed) == (("戶口名簿",), ("照片",))


def terms(**over: object) -> CaseTerms:
    base = CaseTerms(DUE, TimeLimit(7, "days"), date(2026, 11, 27), True, "", "", 0, "", (), ())
    return CaseTerms(**{**base.__dict__, **over})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("over", "said"),
    [
        ({}, "115年11月27日（處理期限 7 日，補正期間不計）"),
        ({"promise": ON_THE_SPOT, "due_date": None}, "當場核發"),
        ({"promise": ON_THE_SPOT, "due_date": None, "handed_over": "鑑定表"}, "當場發給鑑定表"),
        ({"promise": REFUSED, "due_date": None}, "不符資格，申請人仍要求受理（不預定完成日期，審核結果另行通知）"),
        ({"promise": PENDING, "limit": DEFAULT_LIMIT},
         "待查驗，查驗後通知；處理期限 2 個月，依行政程序法第51條，補正期間不計"),
        ({"due_covered": False, "due_date": date(2028, 2, 21), "limit": DEFAULT_LIMIT},
         "約 117年2月21日（行事曆未涵蓋，遇假日順延；處理期限 2 個月，依行政程序法第51條，補正期間不計）"),
        ({"limit": TimeLimit(15, "working_days"), "due_date": None}, "處理期限 15 個工作天，補正期間不計"),
        ({"due_note": "證明另行寄送"}, "115年11月27日（處理期限 7 日，補正期間不計）；證明另行寄送"),
    ],
)  # fmt: skip
def test_the_promise_in_words(over: dict[str, object], said: str) -> None:
    assert promise_words(terms(**over)) == said


@pytest.mark.parametrize(
    ("fee", "note", "payment", "said"),
    [
        (None, "", "", "依機關公告"),
        (None, "依長照等級", "", "依機關公告（依長照等級）"),
        (0, "", "", "免費"),
        (0, "保費另計", "", "免費（保費另計）"),
        (1200, "", "轉帳", "新臺幣 1,200 元（轉帳）"),
        (80, "初次申請免費", "現金", "新臺幣 80 元（現金）"),  # a fee collected is stated as collected
    ],
)
def test_one_wording_of_a_fee(fee: int | None, note: str, payment: str, said: str) -> None:
    assert fee_words(fee, note, payment) == said


def test_a_waived_fee_is_said_with_its_ground_and_nothing_is_collected() -> None:
    ground = FeeWaiver("low_income", "低收入戶", "規費減免規定第3條")
    card = replace(CATALOG.get("SW-05"), fee=100, fee_waivers=(ground,))
    got = decide_terms(card, P, False, DocumentCheck((), ()), RECEIVED, CAL, ground)
    assert (got.fee, got.waiver, got.collected) == (100, "低收入戶，規費減免規定第3條", 0)
    assert fee_words(got.fee, got.fee_note, "免徵", got.waiver) == "新臺幣 100 元，免徵（低收入戶，規費減免規定第3條）"
    paid = decide_terms(card, P, False, DocumentCheck((), ()), RECEIVED, CAL)
    assert (paid.waiver, paid.collected) == ("", 100)
    free = decide_terms(CATALOG.get("SW-05"), P, False, DocumentCheck((), ()), RECEIVED, CAL, ground)
    assert (free.waiver, free.collected) == ("", 0)  # nothing published to waive


def test_a_case_taken_before_terms_were_kept_is_decided_from_itself() -> None:
    card = CATALOG.get("SW-05")
    old = terms_of_earlier_case(card, F, True, None, ("身心障礙證明（愛心卡）",), 80)
    assert (old.promise, old.limit, old.fee, old.owed) == (DUE, DEFAULT_LIMIT, 80, ("身心障礙證明（愛心卡）",))
    assert "身心障礙證明（愛心卡）" not in old.exempt and "戶口名簿或戶籍謄本" in old.exempt
    unpublished = terms_of_earlier_case(CATALOG.get("SW-01"), P, False, None, (), 0)
    assert (unpublished.promise, unpublished.fee) == (ON_THE_SPOT, None)


def test_the_whole_terms_of_a_case_as_stored() -> None:
    """Every field, by hand: 身障鑑定 passed, its photo shown (the 鑑定表 handed over, its note, no published fee)."""
    check = DocumentCheck((Document("身分證或戶口名簿影本", "household"),), (), shown=(Document("近3個月1吋照片"),))
    got = decide_terms(CATALOG.get("SW-01"), P, False, check, RECEIVED, CAL)
    assert got == CaseTerms(
        promise=ON_THE_SPOT,
        limit=CATALOG.get("SW-01").time_limit,
        due_date=None,
        due_covered=True,
        handed_over="鑑定表",
        due_note="身心障礙證明由市府社會局於完成鑑定及需求評估後核發（需求評估以15個工作天為限）",
        fee=None,
        fee_note="",
        exempt=("身分證或戶口名簿影本",),
        owed=(),
        shown=("近3個月1吋照片",),
    )
    paid = decide_terms(CATALOG.get("SW-03"), F, True, DocumentCheck((), ()), RECEIVED, CAL)
    assert (paid.limit, paid.fee, paid.fee_note) == (DEFAULT_LIMIT, 0, "郵寄領證需附28元回郵")


def test_a_due_date_past_the_calendar_is_marked() -> None:
    """Received Mon 2027-12-20 under §51: ends Sun 2028-02-20, counted with weekends only: Mon 02-21, not covered."""
    got = decide_terms(CATALOG.get("SW-14"), P, False, DocumentCheck((), ()), date(2027, 12, 20), CAL)
    assert (got.due_date, got.due_covered) == (date(2028, 2, 21), False)


def test_words_with_their_defaults() -> None:
    from forms.terms import limit_words

    assert (fee_words(None), fee_words(0), fee_words(1), fee_words(1200)) == (
        "依機關公告",
        "免費",
        "新臺幣 1 元",
        "新臺幣 1,200 元",
    )
    assert limit_words(TimeLimit(0, "on_the_spot")) == "當場辦理"


def test_an_earlier_case_handed_over_on_the_spot_is_owed_nothing() -> None:
    old = terms_of_earlier_case(CATALOG.get("SW-05"), P, False, RECEIVED, (), 0)  # its due date was its own day
    assert (old.promise, old.due_date) == (ON_THE_SPOT, None)


def test_what_waits_for_paper_is_not_handed_over_on_the_spot() -> None:
    """敬老愛心卡 passed but its photo is still to be brought: not 當場核發 but owed within §51's two months (the
    clock waits for the paper); the same case with the photo shown is handed over on the spot."""
    card = CATALOG.get("SW-05")
    photo = Document("最近6個月2吋照片（或現場拍照）")
    waiting = decide_terms(card, P, False, DocumentCheck((), (photo,)), RECEIVED, CAL)
    # Two months from 2026-11-20: the period ends 2027-01-20 (a Wednesday, a working day).
    assert (waiting.promise, waiting.limit, waiting.due_date) == (DUE, DEFAULT_LIMIT, date(2027, 1, 20))
    assert (
        promise_words(waiting)
        == "待補文件補齊後辦理，最遲 116年1月20日（處理期限 2 個月，依行政程序法第51條，補正期間不計）"
    )
    shown = decide_terms(card, P, False, DocumentCheck((), (), shown=(photo,)), RECEIVED, CAL)
    assert (shown.promise, shown.due_date, promise_words(shown)) == (ON_THE_SPOT, None, "當場核發")


def test_a_waiver_at_the_edges_of_a_fee() -> None:
    """NT$1 is a fee that can be waived; NT$0 is free whatever ground is named."""
    ground = FeeWaiver("low_income", "低收入戶", "規費減免規定")
    assert fee_words(1, waiver="低收入戶") == "新臺幣 1 元，免徵（低收入戶）"
    assert fee_words(0, waiver="低收入戶") == "免費" and fee_words(None, waiver="低收入戶") == "依機關公告"
    one = replace(CATALOG.get("SW-05"), fee=1, fee_waivers=(ground,))
    got = decide_terms(one, P, False, DocumentCheck((), ()), RECEIVED, CAL, ground)
    assert (got.waiver, got.collected) == ("低收入戶，規費減免規定", 0)
