"""逾期預警 on the office calendar, worked out by hand on 2026's calendar: Fri 10-09 is a day off (國慶日 observed),
Sat/Sun are off, and a typhoon closure is added on Mon 10-12 where a case says so."""

from __future__ import annotations

from datetime import date

import pytest

from forms.calendar import load_calendar
from forms.overdue import DUE_SOON, NO_DUE, ON_TIME, OVERDUE, WAITING, Mark, Urgency, moved_due, paused_days, urgency

CAL = load_calendar()
TYPHOON = CAL.with_closures([date(2026, 10, 12)])
DUE = date(2026, 10, 8)  # a Thursday


@pytest.mark.parametrize(
    ("calendar", "today", "expected"),
    [
        # Late by the working days after the due date: Fri off, weekend off, Mon and Tue worked → 2.
        (CAL, date(2026, 10, 13), Urgency(OVERDUE, DUE, 2)),
        (TYPHOON, date(2026, 10, 13), Urgency(OVERDUE, DUE, 1)),  # Monday closed too
        (CAL, date(2026, 10, 10), Urgency(OVERDUE, DUE, 0)),  # late since Friday, no working day missed yet
        (CAL, DUE, Urgency(DUE_SOON, DUE, 0)),  # due today
        (CAL, date(2026, 10, 6), Urgency(DUE_SOON, DUE, 2)),  # Wed and Thu left
        (CAL, date(2026, 10, 5), Urgency(ON_TIME, DUE, 3)),
    ],
)
def test_late_and_due_soon_in_working_days(calendar: object, today: date, expected: Urgency) -> None:
    assert urgency("審核中", DUE, (), today, calendar) == expected  # type: ignore[arg-type]


def test_due_soon_across_a_holiday_and_a_typhoon() -> None:
    """From Wed 10-07 to a due date of Tue 10-13: Thu, (Fri off), Mon, Tue = 3 left; with Monday closed, 2."""
    due = date(2026, 10, 13)
    assert urgency("收件", due, (), date(2026, 10, 7), CAL) == Urgency(ON_TIME, due, 3)
    assert urgency("收件", due, (), date(2026, 10, 7), TYPHOON) == Urgency(DUE_SOON, due, 2)


def test_days_waiting_for_paper_do_not_count() -> None:
    history = (Mark("審核中", date(2026, 9, 29)), Mark("補件", date(2026, 9, 30)), Mark("審核中", date(2026, 10, 5)))
    assert paused_days(history, date(2026, 10, 13)) == 5
    assert moved_due(DUE, history, date(2026, 10, 13), CAL) == date(2026, 10, 13)  # Thu + 5 days = Tue
    one_day = (Mark("補件", date(2026, 9, 30)), Mark("審核中", date(2026, 10, 1)))
    assert moved_due(DUE, one_day, date(2026, 10, 13), CAL) == date(2026, 10, 12)  # Fri is off: on to Monday
    assert moved_due(DUE, one_day, date(2026, 10, 13), TYPHOON) == date(2026, 10, 13)  # and Monday closed too
    assert urgency("審核中", DUE, history, date(2026, 10, 13), CAL) == Urgency(DUE_SOON, date(2026, 10, 13), 0)


def test_a_case_waiting_for_paper_is_waiting_not_late() -> None:
    history = (Mark("補件", date(2026, 10, 1)),)
    assert paused_days(history, date(2026, 10, 20)) == 19  # still waiting: counted to today
    assert urgency("補件", DUE, history, date(2026, 10, 20), CAL).kind == WAITING


@pytest.mark.parametrize(("status", "due"), [("核准", DUE), ("駁回", DUE), ("撤回", DUE), ("收件", None)])
def test_decided_or_undated_cases_have_no_due_date(status: str, due: date | None) -> None:
    assert urgency(status, due, (), date(2026, 12, 1), CAL) == Urgency(NO_DUE, None)


def test_past_the_calendar_only_weekends_are_known() -> None:
    """2028 is not in the shipped calendar: Fri 2028-01-07 due, Tue 01-11 today → Mon, Tue late = 2."""
    assert urgency("收件", date(2028, 1, 7), (), date(2028, 1, 11), CAL) == Urgency(OVERDUE, date(2028, 1, 7), 2)


def test_every_wait_for_paper_adds_up() -> None:
    """Two 補件 periods: 10-01 → 10-03 (2 days) and 10-05 → 10-06 (1 day), then waiting again since 10-08 (2 by
    10-10): 5; a step on the same day as its 補件 adds nothing."""
    history = (
        Mark("補件", date(2026, 10, 1)), Mark("審核中", date(2026, 10, 3)),
        Mark("補件", date(2026, 10, 5)), Mark("審核中", date(2026, 10, 6)),
        Mark("補件", date(2026, 10, 8)),
    )  # fmt: skip
    assert paused_days(history, date(2026, 10, 10)) == 5
    assert paused_days((Mark("補件", date(2026, 10, 1)), Mark("審核中", date(2026, 10, 1))), date(2026, 10, 9)) == 0
    assert paused_days((Mark("補件", date(2026, 10, 9)),), date(2026, 10, 9)) == 0
