"""What /track tells the citizen, worked out by hand on 2026's calendar (Fri 10-09 is a day off)."""

from __future__ import annotations

from datetime import date

from forms.calendar import load_calendar
from forms.progress import Entry, Progress, progress

CAL = load_calendar()
DUE = date(2026, 10, 8)  # Thu


def test_a_case_just_received() -> None:
    got = progress("收件", (Entry("收件", date(2026, 10, 1)),), DUE, date(2026, 10, 2), CAL)
    assert got == Progress("已收件，等待承辦", ((date(2026, 10, 1), "收件"),), 0, DUE, None)


def test_a_case_waiting_for_paper_says_what_and_by_when_and_moves_its_date() -> None:
    history = (
        Entry("已轉送", date(2026, 9, 30)),
        Entry("審核中", date(2026, 10, 1)),
        Entry("補件", date(2026, 10, 2), ("戶口名簿影本",), date(2026, 10, 14)),
    )
    got = progress("補件", history, DUE, date(2026, 10, 5), CAL)
    # Waiting since Fri 10-02: 3 days by Mon 10-05 → Thu 10-08 + 3 = Sun 10-11 → Mon 10-12.
    assert got == Progress(
        "需補件，請於期限內補齊下列文件",
        ((date(2026, 9, 30), "轉送戶籍地區公所辦理"), (date(2026, 10, 1), "審核中"), (date(2026, 10, 2), "通知補件")),
        1,
        date(2026, 10, 12),
        None,
        ("戶口名簿影本",),
        date(2026, 10, 14),
        True,
    )


def test_back_in_review_the_paper_is_no_longer_asked_for_but_the_days_still_count() -> None:
    history = (
        Entry("收件", date(2026, 9, 30)),
        Entry("補件", date(2026, 10, 1), ("照片",), date(2026, 10, 5)),
        Entry("審核中", date(2026, 10, 2)),  # one day waited: Thu 10-08 + 1 = Fri 10-09 (off) → Mon 10-12
    )
    got = progress("審核中", history, DUE, date(2026, 10, 13), CAL)
    assert (got.owed, got.owed_by, got.expected, got.late_by, got.moved, got.stage) == (
        (), None, date(2026, 10, 12), 1, True, 1
    )  # fmt: skip


def test_decided_cases_are_done_and_a_rejection_keeps_its_reason_off_the_page() -> None:
    history = (Entry("收件", date(2026, 10, 1)), Entry("駁回", date(2026, 10, 5)))
    got = progress("駁回", history, DUE, date(2026, 10, 20), CAL)
    assert (got.now, got.stage, got.expected, got.late_by) == ("未核准（駁回），詳見書面通知", 2, None, None)
    assert got.steps[-1] == (date(2026, 10, 5), "未核准（駁回），理由詳見書面通知")
    assert progress("撤回", (), DUE, date(2026, 10, 20), CAL).now == "已撤回（收據作廢）"
    assert progress("核准", (), None, date(2026, 10, 20), CAL).stage == 2


def test_a_status_without_words_is_shown_as_the_city_wrote_it() -> None:
    got = progress("結案歸檔", (Entry("結案歸檔", date(2026, 10, 1)),), None, date(2026, 10, 2), CAL)
    assert (got.now, got.steps, got.stage) == ("結案歸檔", ((date(2026, 10, 1), "結案歸檔"),), 0)


def test_what_is_owed_is_shown_only_while_the_case_waits_for_it() -> None:
    asked = Entry("補件", date(2026, 10, 2), ("照片",), date(2026, 10, 14))
    # The city's status moved on (a step this version has no history row for): nothing is asked any more.
    moved = progress("審核中", (Entry("收件", date(2026, 10, 1)), asked), DUE, date(2026, 10, 5), CAL)
    assert (moved.owed, moved.owed_by) == ((), None)
    # 補件 as the status, but the last step is not the 補件 (an older history): nothing to list either.
    older = progress("補件", (asked, Entry("審核中", date(2026, 10, 3))), DUE, date(2026, 10, 5), CAL)
    assert (older.owed, older.owed_by) == ((), None)
