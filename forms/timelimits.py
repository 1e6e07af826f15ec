"""Processing time limits (處理期限) and their due dates, by 行政程序法 §48 and §51.

A limit has a unit: working days (工作天), calendar days (日/天), months (月), or on the spot (當場). Where an agency
has published none, §51 II sets two months; such a limit is marked so on every screen and sheet.

§48 (with 民法 §121): the day of receipt is not counted. A period of days ends after that many days. A period of
months that starts on the first of a month ends on the last day of its last month; otherwise on the day before the
corresponding day of the last month, or that month's last day where it has no corresponding day. When the last day
is a Sunday, a holiday or another day off, the period ends on the next working day (a Saturday: on Monday).
"""

from __future__ import annotations

import calendar as _monthcal
from dataclasses import dataclass
from datetime import date, timedelta

from forms.calendar import OfficeCalendar
from forms.errors import DomainError

WORKING_DAYS = "working_days"
DAYS = "days"
MONTHS = "months"
ON_THE_SPOT = "on_the_spot"
UNITS = (WORKING_DAYS, DAYS, MONTHS, ON_THE_SPOT)
UNIT_WORDS = {WORKING_DAYS: "個工作天", DAYS: "日", MONTHS: "個月", ON_THE_SPOT: "當場"}

PUBLISHED = "published"
SECTION_51 = "§51"
SECTION_51_BASIS = "行政程序法第51條第2項：未訂處理期間者，為二個月"


@dataclass(frozen=True)
class TimeLimit:
    """How long a service may take. `source` is `published` (the agency's own limit, cited in `basis`) or `§51`."""

    value: int
    unit: str
    source: str = PUBLISHED
    basis: str = ""

    @property
    def on_the_spot(self) -> bool:
        return self.unit == ON_THE_SPOT

    @property
    def by_default(self) -> bool:
        return self.source == SECTION_51

    def words(self) -> str:
        """10 日 / 15 個工作天 / 2 個月，依行政程序法第51條 / 當場."""
        if self.on_the_spot:
            return UNIT_WORDS[ON_THE_SPOT]
        base = f"{self.value} {UNIT_WORDS[self.unit]}"
        return f"{base}，依行政程序法第51條" if self.by_default else base


DEFAULT_LIMIT = TimeLimit(2, MONTHS, SECTION_51, SECTION_51_BASIS)


@dataclass(frozen=True)
class DueDate:
    """The last day of a limit. `covered` is False when the office calendar does not reach the dates the count
    needs: past its last year the day is counted with weekends only (行事曆未涵蓋) and must be counted again once
    the calendar is there — never dropped."""

    day: date
    covered: bool = True


def _add_months(start: date, months: int) -> date:
    """The last day of a period of `months` months whose first (counted) day is `start` (民法 §121)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    # From the 1st, the day before the 1st of the month after the last: the last day of the last month.
    if start.day > _monthcal.monthrange(year, month)[1]:
        return date(year, month, _monthcal.monthrange(year, month)[1])
    return date(year, month, start.day) - timedelta(days=1)


class _PastTheCalendar:
    """The calendar where it reaches; beyond it only what is known of any year: Saturdays and Sundays are off (and
    the closures declared). Nothing more is guessed."""

    def __init__(self, calendar: OfficeCalendar) -> None:
        self._calendar = calendar

    def is_working_day(self, d: date) -> bool:
        if self._calendar.covers(d):
            return self._calendar.is_working_day(d)
        return d.weekday() < 5 and d not in self._calendar.closures


def _next_working(cal: OfficeCalendar | _PastTheCalendar, day: date) -> date:
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    return day


def _count(cal: OfficeCalendar | _PastTheCalendar, received: date, limit: TimeLimit) -> date:
    if limit.unit == ON_THE_SPOT:
        return received
    if limit.unit == WORKING_DAYS:
        day, left = received, limit.value
        while left > 0:
            day += timedelta(days=1)
            if cal.is_working_day(day):
                left -= 1
        return day
    if limit.unit == DAYS:
        return _next_working(cal, received + timedelta(days=limit.value))
    if limit.unit == MONTHS:
        return _next_working(cal, _add_months(received + timedelta(days=1), limit.value))
    raise ValueError(f"unknown unit {limit.unit!r}")


def due_date(calendar: OfficeCalendar, received: date, limit: TimeLimit) -> DueDate:
    """The due date of a case received on `received` under `limit`; see the module's doc for the rules."""
    if limit.value < 0:
        raise ValueError("a limit is never negative")
    try:
        return DueDate(_count(calendar, received, limit))
    except DomainError as exc:  # the count reached a year the calendar does not hold
        if exc.code != "calendar_out_of_range":
            raise
        return DueDate(_count(_PastTheCalendar(calendar), received, limit), covered=False)
