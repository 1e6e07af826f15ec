"""The city's reference data — the office calendar, the statutory amounts and the office directory — read and
validated whole.

The same text is shipped in resources/ and published by the city (versioned), so a new year needs no reinstall. A
document is taken only when every key of it is right; a bad one names its key (ReferenceError) and nothing of it is
used.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from typing import Any

from forms.calendar import OfficeCalendar
from forms.errors import DomainError
from forms.offices import OfficeContact, OfficeDirectory
from forms.thresholds import Thresholds

CALENDAR = "calendar"
THRESHOLDS = "thresholds"
OFFICES = "offices"
KINDS = (CALENDAR, THRESHOLDS, OFFICES)
FIRST_YEAR, LAST_YEAR = 2000, 2099  # office business (as the wire's dates)
MAX_AMOUNT = 1_000_000
_CITY = re.compile(r"^\d{8}$")
_YEAR = re.compile(r"^\d{4}$")
_OFFICE = re.compile(r"^\d{8}$")
# 0 + area code, a dash, the number in two groups; an extension after #. (Practice numbers put 0 after the area
# code, which no Taiwanese subscriber number has, so they never ring anyone.)
_PHONE = re.compile(r"^0\d{1,3}-\d{3,4}-\d{3,4}(#\d{1,6})?$")
MAX_SUPPLEMENT_DAYS = 120


class ReferenceError(DomainError):
    """A reference document (calendar or amounts) is not valid; `key` says where."""

    def __init__(self, kind: str, key: str, problem: str) -> None:
        super().__init__("reference_invalid", kind=kind, key=key, problem=problem)


def _load(kind: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceError(kind, "(file)", str(exc)) from exc


def _keys(kind: str, data: dict[str, Any], required: set[str], optional: frozenset[str] = frozenset()) -> None:
    for key in required - set(data):
        raise ReferenceError(kind, key, "missing")
    for key in set(data) - required - optional:
        raise ReferenceError(kind, key, "unknown key")


def _int(kind: str, key: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ReferenceError(kind, key, f"expected a whole number from {low} to {high}")
    return value


def _version(kind: str, data: dict[str, Any]) -> int:
    return _int(kind, "version", data["version"], 1, 1_000_000)


def _days(kind: str, key: str, value: Any, first: int, last: int) -> frozenset[date]:
    if not isinstance(value, list):
        raise ReferenceError(kind, key, "expected a list of dates")
    days: list[date] = []
    for i, raw in enumerate(value):
        try:
            day = date.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            day = None
        if day is None:
            raise ReferenceError(kind, f"{key}[{i}]", f"{raw!r} is not a date (YYYY-MM-DD)")
        if not first <= day.year <= last:
            raise ReferenceError(kind, f"{key}[{i}]", f"{day} is outside {first}–{last}")
        days.append(day)
    if len(set(days)) != len(days):
        raise ReferenceError(kind, key, "a date is listed twice")
    return frozenset(days)


def parse_calendar(text: str) -> OfficeCalendar:
    """An office calendar: its years, the weekdays off (holidays and 補假) and the weekend days of work (補班).

    Raises:
        ReferenceError: not TOML, a key missing or unknown, a year or date out of range, a date twice, a day off on
            a weekend (weekends are off anyway: a typo), a make-up workday on a weekday, a day both off and worked.
    """
    data = _load(CALENDAR, text)
    _keys(CALENDAR, data, {"version", "first_year", "last_year", "days_off", "make_up_workdays"})
    version = _version(CALENDAR, data)
    first = _int(CALENDAR, "first_year", data["first_year"], FIRST_YEAR, LAST_YEAR)
    last = _int(CALENDAR, "last_year", data["last_year"], first, LAST_YEAR)
    off = _days(CALENDAR, "days_off", data["days_off"], first, last)
    worked = _days(CALENDAR, "make_up_workdays", data["make_up_workdays"], first, last)
    for day in sorted(off):
        if day.weekday() >= 5:
            raise ReferenceError(CALENDAR, "days_off", f"{day} is a weekend day")
    for day in sorted(worked):
        if day.weekday() < 5:
            raise ReferenceError(CALENDAR, "make_up_workdays", f"{day} is a weekday")
    return OfficeCalendar(first, last, off, worked, version=version)


def parse_thresholds(text: str) -> Thresholds:
    """最低生活費 by city (8-digit code) and year, and 平均每人每月消費支出 by year, in NT$ per person per month.

    Raises:
        ReferenceError: not TOML, a key missing or unknown, a city code or year malformed, an amount out of range.
    """
    data = _load(THRESHOLDS, text)
    _keys(THRESHOLDS, data, {"version", "min_living_cost"}, frozenset({"avg_consumption"}))
    version = _version(THRESHOLDS, data)
    living: dict[tuple[str, int], int] = {}
    table = data["min_living_cost"]
    if not isinstance(table, dict):
        raise ReferenceError(THRESHOLDS, "min_living_cost", "expected a table of cities")
    for city, years in table.items():
        if not _CITY.match(city) or not isinstance(years, dict):
            raise ReferenceError(THRESHOLDS, f"min_living_cost.{city}", "expected an 8-digit city code and its years")
        for year, amount in years.items():
            key = f"min_living_cost.{city}.{year}"
            if not _YEAR.match(year) or not FIRST_YEAR <= int(year) <= LAST_YEAR:
                raise ReferenceError(THRESHOLDS, key, "expected a year from 2000 to 2099")
            living[(city, int(year))] = _int(THRESHOLDS, key, amount, 1, MAX_AMOUNT)
    consumption: dict[int, int] = {}
    spent = data.get("avg_consumption", {})
    if not isinstance(spent, dict):
        raise ReferenceError(THRESHOLDS, "avg_consumption", "expected a table of years")
    for year, amount in spent.items():
        key = f"avg_consumption.{year}"
        if not _YEAR.match(year) or not FIRST_YEAR <= int(year) <= LAST_YEAR:
            raise ReferenceError(THRESHOLDS, key, "expected a year from 2000 to 2099")
        consumption[int(year)] = _int(THRESHOLDS, key, amount, 1, MAX_AMOUNT)
    return Thresholds(living, consumption, version=version)


def parse_offices(text: str) -> OfficeDirectory:
    """Each district office's phone and 補正期間 (working days), with the city's default period.

    Raises:
        ReferenceError: not TOML, a key missing or unknown, an office code or phone malformed, a period out of range.
    """
    data = _load(OFFICES, text)
    _keys(OFFICES, data, {"version", "offices"}, frozenset({"supplement_working_days"}))
    version = _version(OFFICES, data)
    default = data.get("supplement_working_days")
    if default is not None:
        default = _int(OFFICES, "supplement_working_days", default, 1, MAX_SUPPLEMENT_DAYS)
    table = data["offices"]
    if not isinstance(table, dict):
        raise ReferenceError(OFFICES, "offices", "expected a table of offices")
    offices: dict[str, OfficeContact] = {}
    for code, entry in table.items():
        key = f"offices.{code}"
        if not _OFFICE.match(code) or not isinstance(entry, dict):
            raise ReferenceError(OFFICES, key, "expected an 8-digit office code and its table")
        _keys(OFFICES, entry, {"phone"}, frozenset({"supplement_working_days", "name"}))
        name = entry.get("name", "")
        if not isinstance(name, str) or len(name) > 40 or any(ch.isspace() or ord(ch) < 32 for ch in name):
            raise ReferenceError(OFFICES, f"{key}.name", "expected the office's name, e.g. 桃園市中壢區公所")
        phone = entry["phone"]
        if not isinstance(phone, str) or not _PHONE.match(phone):
            raise ReferenceError(OFFICES, f"{key}.phone", "expected a phone as printed: 03-332-2101, 06-123-4567#12")
        days = entry.get("supplement_working_days")
        if days is not None:
            days = _int(OFFICES, f"{key}.supplement_working_days", days, 1, MAX_SUPPLEMENT_DAYS)
        offices[code] = OfficeContact(phone, days, name)
    return OfficeDirectory(offices, default, version=version)


def parse(kind: str, text: str) -> OfficeCalendar | Thresholds | OfficeDirectory:
    if kind == CALENDAR:
        return parse_calendar(text)
    if kind == THRESHOLDS:
        return parse_thresholds(text)
    if kind == OFFICES:
        return parse_offices(text)
    raise ReferenceError(kind, "kind", f"one of {list(KINDS)}")
