"""Taiwan's office calendar (行政機關辦公日曆表) and due dates by 行政程序法 §48.

A due date N working days after receipt: the receipt day itself is not counted (§48 II), and counting only
working days means a deadline never lands on a day off (§48 IV). Extra closures (typhoon days) can be added.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from forms.errors import DomainError
from forms.resources import resource_path


@dataclass(frozen=True)
class OfficeCalendar:
    first_year: int
    last_year: int
    days_off: frozenset[date]
    make_up_workdays: frozenset[date]
    closures: frozenset[date] = field(default_factory=frozenset)  # typhoon days etc., added at run time

    def covers(self, d: date) -> bool:
        return self.first_year <= d.year <= self.last_year

    def is_working_day(self, d: date) -> bool:
        """Raises DomainError(calendar_out_of_range) outside the published years: never guess a year's holidays."""
        if not self.covers(d):
            raise DomainError("calendar_out_of_range", year=d.year - 1911)
        if d in self.closures or d in self.days_off:
            return False
        return d.weekday() < 5 or d in self.make_up_workdays

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start not counted); 0 gives `start` itself."""
        if days < 0:
            raise ValueError("days must not be negative")
        current, left = start, days
        while left > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                left -= 1
        return current

    def with_closures(self, closures: Iterable[date]) -> OfficeCalendar:
        return OfficeCalendar(
            self.first_year, self.last_year, self.days_off, self.make_up_workdays, self.closures | frozenset(closures)
        )


def load_calendar(path: Path | None = None) -> OfficeCalendar:
    data = tomllib.loads((path or resource_path("calendar", "tw_office_calendar.toml")).read_text(encoding="utf-8"))
    return OfficeCalendar(
        first_year=int(data["first_year"]),
        last_year=int(data["last_year"]),
        days_off=frozenset(date.fromisoformat(d) for d in data["days_off"]),
        make_up_workdays=frozenset(date.fromisoformat(d) for d in data["make_up_workdays"]),
    )
