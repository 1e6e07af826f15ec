"""Office calendar 2025–2027 and due dates by 行政程序法 §48 (receipt day not counted, days off skipped)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from forms.calendar import OfficeCalendar, load_calendar
from forms.errors import DomainError


@pytest.fixture
def cal() -> OfficeCalendar:
    """Loaded in each test (a calendar read once at import would not be the one a mutation test changes)."""
    return load_calendar()


@pytest.mark.parametrize(("year", "workdays"), [(2025, 247), (2026, 245), (2027, 244)])
def test_workday_totals_match_the_published_calendar(cal: OfficeCalendar, year: int, workdays: int) -> None:
    days = (date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days))
    assert sum(cal.is_working_day(d) for d in days) == workdays


def test_the_2025_make_up_saturday_and_no_make_up_days_after(cal: OfficeCalendar) -> None:
    assert cal.is_working_day(date(2025, 2, 8))  # 補行上班
    assert not cal.is_working_day(date(2026, 2, 7))


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
def test_due_dates(cal: OfficeCalendar, received: date, days: int, due: date) -> None:
    assert cal.add_working_days(received, days) == due


def test_deadline_starting_on_a_day_off_counts_from_the_next_working_day(cal: OfficeCalendar) -> None:
    assert cal.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 23)


def test_typhoon_closure_moves_the_due_date(cal: OfficeCalendar) -> None:
    closed = cal.with_closures([date(2026, 11, 23)])
    assert closed.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 24)


def test_outside_the_published_years_is_an_error_not_a_guess(cal: OfficeCalendar) -> None:
    with pytest.raises(DomainError) as err:
        cal.add_working_days(date(2027, 12, 30), 5)
    assert (err.value.code, err.value.params) == ("calendar_out_of_range", {"year": 117})  # 2028 = 民國117年
    with pytest.raises(DomainError):
        cal.is_working_day(date(2024, 12, 31))
    assert cal.is_working_day(date(2025, 1, 2)) and cal.is_working_day(date(2027, 12, 30))  # the first and last years


def test_a_negative_number_of_days_is_a_programming_error(cal: OfficeCalendar) -> None:
    with pytest.raises(ValueError, match="^days must not be negative$"):
        cal.add_working_days(date(2026, 11, 20), -1)


def test_the_published_years_and_their_days_off_are_read(tmp_path: Path) -> None:
    path = tmp_path / "calendar.toml"
    path.write_text(
        "version = 1\nfirst_year = 2030\nlast_year = 2031\n"
        'days_off = ["2030-01-01"]\nmake_up_workdays = ["2030-01-05"]\n',
        encoding="utf-8",
    )
    made = load_calendar(path)
    assert (made.first_year, made.last_year) == (2030, 2031)
    assert made.days_off == {date(2030, 1, 1)} and made.make_up_workdays == {date(2030, 1, 5)}
    assert load_calendar().covers(date(2026, 1, 1)) and not load_calendar().covers(date(2030, 1, 1))
