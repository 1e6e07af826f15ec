"""The city's reference documents are validated whole: the shipped ones load, each kind of mistake names its key,
and a calendar that reaches a new year makes that year's due dates exact."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from forms.messages import text
from forms.reference import ReferenceError, parse_calendar, parse_thresholds
from forms.timelimits import DAYS, TimeLimit, due_date

ROOT = Path(__file__).resolve().parents[2] / "resources"
CALENDAR = (ROOT / "calendar" / "tw_office_calendar.toml").read_text(encoding="utf-8")
THRESHOLDS = (ROOT / "thresholds.toml").read_text(encoding="utf-8")


def test_the_shipped_documents_load() -> None:
    cal = parse_calendar(CALENDAR)
    assert (cal.version, cal.first_year, cal.last_year) == (1, 2025, 2027)
    assert date(2026, 2, 16) in cal.days_off and date(2025, 2, 8) in cal.make_up_workdays
    amounts = parse_thresholds(THRESHOLDS)
    assert amounts.version == 1 and amounts.living_cost("68000000", 2026) == 17186
    assert amounts.consumption(2026) is None  # no figure was verified: none is shipped


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("version = 1", "", "version"),
        ("version = 1", "version = 0", "version"),
        ("version = 1", 'version = 1\ncolour = "red"', "colour"),
        ("last_year = 2027", "last_year = 2024", "last_year"),  # before first_year
        ('"2026-02-16"', '"2026-02-30"', "days_off[16]"),  # 2025 holds 15 days off: 2026-02-16 is the 17th
        ('"2026-02-16"', '"2029-02-16"', "days_off[16]"),  # outside the years
        ('"2026-02-16"', '"2026-02-14"', "days_off"),  # a Saturday: weekends are off anyway
        ('"2026-02-16"', '"2026-01-01"', "days_off"),  # twice
        ('make_up_workdays = ["2025-02-08"]', 'make_up_workdays = ["2025-02-10"]', "make_up_workdays"),  # a Monday
        ('make_up_workdays = ["2025-02-08"]', "make_up_workdays = 5", "make_up_workdays"),
        ("first_year = 2025", "first_year = [", "(file)"),
    ],
)
def test_a_bad_calendar_names_its_key(old: str, new: str, key: str) -> None:
    assert old in CALENDAR
    with pytest.raises(ReferenceError) as err:
        parse_calendar(CALENDAR.replace(old, new, 1))
    assert err.value.params["key"] == key
    said = text(err.value.code, **err.value.params)
    assert key in said and "未採用" in said


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("2026 = 17186", "2026 = -1", "min_living_cost.68000000.2026"),
        ("2026 = 17186", "2026 = true", "min_living_cost.68000000.2026"),
        ("2026 = 17186", "26 = 17186", "min_living_cost.68000000.26"),
        ("[min_living_cost.68000000]", "[min_living_cost.6800]", "min_living_cost.6800"),
        ("[avg_consumption]", "[avg_consumption]\n2026 = 0", "avg_consumption.2026"),
        ("[avg_consumption]", "[avg_consumptions]", "avg_consumptions"),
    ],
)
def test_bad_amounts_name_their_key(old: str, new: str, key: str) -> None:
    assert old in THRESHOLDS
    with pytest.raises(ReferenceError) as err:
        parse_thresholds(THRESHOLDS.replace(old, new, 1))
    assert err.value.params["key"] == key


def test_a_calendar_for_a_new_year_makes_its_due_dates_exact() -> None:
    """Past 2027 a due date is counted with weekends only and marked; once the city publishes 2028 (here with
    2028-01-03 as a made-up day off) it is exact: 3 days from Thu 2027-12-30 end Sun 01-02 → Mon 01-03 off → Tue."""
    old = parse_calendar(CALENDAR)
    guessed = due_date(old, date(2027, 12, 30), TimeLimit(3, DAYS))
    assert (guessed.day, guessed.covered) == (date(2028, 1, 3), False)
    newer = parse_calendar(
        CALENDAR.replace("version = 1", "version = 2")
        .replace("last_year = 2027", "last_year = 2028")
        .replace('"2027-12-31",', '"2027-12-31", "2028-01-03",')
    )
    exact = due_date(newer, date(2027, 12, 30), TimeLimit(3, DAYS))
    assert (exact.day, exact.covered) == (date(2028, 1, 4), True)
