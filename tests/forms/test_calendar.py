"""Office calendar 2025–2027 and due dates by 行政程序法 §48 (receipt day not counted, days off skipped)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from forms.calendar import load_calendar
from forms.errors import DomainError

CAL = load_calendar()


@pytest.mark.parametrize(("year", "workdays"), [(2025, 247), (2026, 245), (2027, 244)])
def test_workday_totals_match_the_published_calendar(year: int, workdays: int) -> None:
    days = (date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days))
    assert sum(CAL.is_working_day(d) for d in days) == workdays


def test_the_2025_make_up_saturday_and_no_make_up_days_after() -> None:
    assert CAL.is_working_day(date(2025, 2, 8))  # 補行上班
    assert not CAL.is_working_day(date(2026, 2, 7))


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        (date(2026, 2, 13), 1, date(2026, 2, 23)),  # Lunar New Year 2/14–2/22
        (date(2026, 2, 26), 1, date(2026, 3, 2)),  # 2/27 補假, weekend
        (date(2026, 10, 8), 1, date(2026, 10, 12)),  # 10/9 補假 for National Day, weekend
        (date(2026, 10, 8), 5, date(2026, 10, 16)),
        (date(2025, 1, 24), 1, date(2025, 2, 3)),  # 2025 New Year 1/25–2/2
        (date(2025, 2, 7), 1, date(2025, 2, 8)),  # the make-up Saturday counts
        (date(2026, 11, 20), 0, date(2026, 11, 20)),  # same day
        (date(2026, 11, 20), 7, date(2026, 12, 1)),
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # 12/25 行憲紀念日
    ],
)
def test_due_dates(received: date, days: int, due: date) -> None:
    assert CAL.add_working_days(received, days) == due


def test_deadline_starting_on_a_day_off_counts_from_the_next_working_day() -> None:
    assert CAL.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 23)


def test_typhoon_closure_moves_the_due_date() -> None:
    closed = CAL.with_closures([date(2026, 11, 23)])
    assert closed.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 24)


def test_outside_the_published_years_is_an_error_not_a_guess() -> None:
    with pytest.raises(DomainError) as err:
        CAL.add_working_days(date(2027, 12, 30), 5)
    assert err.value.code == "calendar_out_of_range"
