"""Taiwan's office calendar (行政機關辦公日曆表) and due dates by 行政程序法 §48.

A due date N working days after receipt: the receipt day itself is not counted (§48 II), and counting only
working days means a deadline never lands on a day off (§48 IV). Extra closures (typhoon days) can be added.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
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
    version: int = 0  # of the city's published calendar (forms.reference); 0 = unversioned

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
        return replace(self, closures=self.closures | frozenset(closures))


def load_calendar(path: Path | None = None) -> OfficeCalendar:
    """The shipped calendar (validated as the city's is: forms.reference)."""
    from forms.reference import parse_calendar

    return parse_calendar((path or resource_path("calendar", "tw_office_calendar.toml")).read_text(encoding="utf-8"))
