"""How a citizen reaches each district office, and how long it gives to bring what a 一次告知單 lists: the city's
office directory (a reference document, forms.reference), printed on the notice and shown on /track."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from forms.calendar import OfficeCalendar
from forms.resources import resource_path
from forms.timelimits import WORKING_DAYS, DueDate, TimeLimit, due_date


@dataclass(frozen=True)
class OfficeContact:
    phone: str  # as printed: 03-332-2101 (or with an extension: #123)
    supplement_days: int | None = None  # 補正期間 in working days; None: the directory's default
    name: str = ""  # 桃園市中壢區公所


@dataclass(frozen=True)
class OfficeDirectory:
    offices: dict[str, OfficeContact] = field(default_factory=dict)
    supplement_days: int | None = None  # the city's default 補正期間 (working days); None: none set
    version: int = 0  # of the city's published directory; 0 = none

    def name(self, office_code: str) -> str:
        """The office's name, or its code when the directory does not list it."""
        entry = self.offices.get(office_code)
        return entry.name if entry is not None and entry.name else office_code

    def phone(self, office_code: str) -> str:
        """The office's phone, or "" when the directory does not list the office."""
        entry = self.offices.get(office_code)
        return entry.phone if entry is not None else ""

    def supplement_limit(self, office_code: str) -> TimeLimit | None:
        """The office's 補正期間, or None when neither the office nor the city sets one."""
        entry = self.offices.get(office_code)
        days = entry.supplement_days if entry is not None and entry.supplement_days is not None else None
        days = days if days is not None else self.supplement_days
        return TimeLimit(days, WORKING_DAYS) if days is not None else None

    def supplement_due(self, office_code: str, calendar: OfficeCalendar, told: date) -> DueDate | None:
        """The day by which what a notice given on `told` lists is to be brought (None: no period set)."""
        limit = self.supplement_limit(office_code)
        return due_date(calendar, told, limit) if limit is not None else None


def load_offices(path: Path | None = None) -> OfficeDirectory:
    """The shipped directory (validated as the city's is: forms.reference)."""
    from forms.reference import parse_offices

    return parse_offices((path or resource_path("offices.toml")).read_text(encoding="utf-8"))


NO_DIRECTORY = OfficeDirectory()  # before the city publishes one: no phone, 補正期限 依承辦人通知
