"""Paper sent on with a 跨區收件 case, by hand: which documents travel, how markings add up, what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from forms.casesteps import APPROVED, RECEIVED, REVIEWING, Step, check_step
from forms.errors import ValidationError
from forms.transit import (
    ARRIVED,
    IN_TRANSIT,
    MISSING,
    Arrival,
    Paper,
    check_arrival,
    papers_after,
    papers_words,
    travelling,
    waiting,
)
from forms.types import Document

FORM = Document("申請書")
ID_CARD = Document("身分證正本（驗畢發還）", returned=True)
HOUSEHOLD = Document("戶口名簿", replaced_by="household")
BANKBOOK = Document("存摺封面")
DOCS = (FORM, ID_CARD, HOUSEHOLD, BANKBOOK)
MON, TUE, WED = date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9)


@pytest.mark.parametrize(
    ("shown", "sent"),
    [
        ((), ()),
        (("申請書",), ("申請書",)),
        (("存摺封面", "申請書"), ("申請書", "存摺封面")),  # in the catalog's order, not the ticks'
        (("身分證正本（驗畢發還）",), ()),  # handed back at the counter
        (("戶口名簿",), ()),  # a look-up's paper is never carried
        (("申請書", "身分證正本（驗畢發還）", "戶口名簿", "存摺封面"), ("申請書", "存摺封面")),
        (("醫師證明",), ()),  # not one of the service's documents
    ],
)
def test_what_travels_is_what_was_checked_less_what_is_handed_back(
    shown: tuple[str, ...], sent: tuple[str, ...]
) -> None:
    assert travelling(DOCS, shown) == sent


def test_markings_add_up_in_the_order_recorded() -> None:
    names = ("申請書", "存摺封面")
    assert papers_after(names, []) == (Paper("申請書"), Paper("存摺封面"))
    first = (Arrival(("申請書",), ("存摺封面",), "公文交換未附"), MON)
    assert papers_after(names, [first]) == (
        Paper("申請書", ARRIVED, MON),
        Paper("存摺封面", MISSING, MON, "公文交換未附"),
    )
    later = (Arrival(("存摺封面",)), WED)  # the missing one came after all
    assert papers_after(names, [first, later]) == (Paper("申請書", ARRIVED, MON), Paper("存摺封面", ARRIVED, WED))
    # One that arrived stays arrived, with the day it first did; a paper the case does not carry is ignored.
    again = (Arrival(("申請書", "醫師證明"), ()), TUE)
    lost = (Arrival((), ("申請書",), "找不到了"), WED)
    assert papers_after(names, [first, again, lost])[0] == Paper("申請書", ARRIVED, MON)
    # Missing twice: the later note is the one that counts.
    twice = [first, (Arrival((), ("存摺封面",), "再次電洽"), TUE)]
    assert papers_after(names, twice)[1] == Paper("存摺封面", MISSING, TUE, "再次電洽")


def test_waiting_and_words() -> None:
    papers = (Paper("申請書", ARRIVED, MON), Paper("存摺封面", MISSING, MON, "未附"), Paper("切結書"))
    assert waiting(papers) == ("存摺封面", "切結書")
    assert waiting(papers[:1]) == ()
    assert papers_words(papers) == "申請書 已到件、存摺封面 未到件、切結書 寄送中"
    assert papers_words(()) == ""
    assert IN_TRANSIT == "寄送中"


ON_THE_WAY = (Paper("申請書"), Paper("存摺封面", MISSING, MON, "未附"), Paper("切結書", ARRIVED, MON))


def test_a_marking_is_tidied() -> None:
    marked = check_arrival(ON_THE_WAY, Arrival((" 申請書 ", "申請書", ""), ("存摺封面",), "  公文交換未附  "))
    assert marked == Arrival(("申請書",), ("存摺封面",), "公文交換未附")
    assert check_arrival(ON_THE_WAY, Arrival(("存摺封面",))) == Arrival(("存摺封面",), (), "")
    # Marking again what already arrived is harmless (a second exchange brought a copy).
    assert check_arrival(ON_THE_WAY, Arrival(("切結書",))).received == ("切結書",)


@pytest.mark.parametrize(
    ("papers", "arrival", "code", "params"),
    [
        ((), Arrival(("申請書",)), "arrival_nothing", {}),
        (ON_THE_WAY, Arrival(), "arrival_empty", {}),
        (ON_THE_WAY, Arrival(("  ",), ("",)), "arrival_empty", {}),
        (ON_THE_WAY, Arrival(("醫師證明", "申請書", "戶口名簿")), "arrival_unknown", {"names": "醫師證明、戶口名簿"}),
        (ON_THE_WAY, Arrival(("申請書",), ("申請書",), "兩者皆勾"), "arrival_twice", {"names": "申請書"}),
        (ON_THE_WAY, Arrival((), ("切結書",), "找不到了喔"), "arrival_already", {"names": "切結書"}),
        (
            (*ON_THE_WAY, Paper("申請表", ARRIVED, MON)),
            Arrival((), ("切結書", "申請表"), "找不到了喔"),
            "arrival_already",
            {"names": "切結書、申請表"},
        ),
        (
            ON_THE_WAY,
            Arrival(("申請書", "存摺封面"), ("存摺封面", "申請書"), "兩者皆勾"),
            "arrival_twice",
            {"names": "存摺封面、申請書"},
        ),  # fmt: skip
        (ON_THE_WAY, Arrival((), ("申請書",), "未附"), "arrival_note_short", {"min": 5}),
        (ON_THE_WAY, Arrival((), ("申請書",), "   未附了   "), "arrival_note_short", {"min": 5}),
    ],
)
def test_a_marking_that_cannot_be_recorded(
    papers: tuple[Paper, ...], arrival: Arrival, code: str, params: dict[str, object]
) -> None:
    with pytest.raises(ValidationError) as refused:
        check_arrival(papers, arrival)
    assert (refused.value.code, refused.value.params) == (code, params)


def test_a_missing_paper_with_five_characters_of_why_is_recorded() -> None:
    assert check_arrival(ON_THE_WAY, Arrival((), ("申請書",), "公文未附上")).missing == ("申請書",)


def test_approval_waits_for_the_paper_but_other_steps_do_not() -> None:
    with pytest.raises(ValidationError) as refused:
        check_step(REVIEWING, Step(APPROVED, "資料齊全"), MON, waiting=("申請書", "存摺封面"))
    assert (refused.value.code, refused.value.params) == ("step_papers_waiting", {"names": "申請書、存摺封面"})
    assert check_step(RECEIVED, Step(REVIEWING, "開始審核"), MON, waiting=("申請書",)).status == REVIEWING
    assert check_step(REVIEWING, Step(APPROVED, "資料齊全"), MON).status == APPROVED
