"""Due dates by 行政程序法 §48 for each unit, §51's default, days off at the end, a 補班 Saturday, a typhoon closure
and a year past the shipped calendar. Every expected date is worked out by hand from the DGPA calendar
(TAIWAN_PRACTICE.md §4) and the weekday of the date, written beside it."""

from __future__ import annotations

from datetime import date

import pytest

from forms.calendar import load_calendar
from forms.catalog import load_catalog
from forms.timelimits import DAYS, DEFAULT_LIMIT, MONTHS, ON_THE_SPOT, WORKING_DAYS, TimeLimit, due_date

CAL = load_calendar()
TYPHOON = CAL.with_closures([date(2026, 11, 23)])  # a Monday declared 停止上班


@pytest.mark.parametrize(
    ("received", "limit", "due", "covered"),
    [
        # 10 working days from Fri 02-13 skip 春節 (02-16–02-20) and the 補假 of 02-27: Mon 03-09.
        (date(2026, 2, 13), TimeLimit(10, WORKING_DAYS), date(2026, 3, 9), True),
        # 10 days (日) from the same Friday end on Mon 02-23, a working day.
        (date(2026, 2, 13), TimeLimit(10, DAYS), date(2026, 2, 23), True),
        # 10 days from 02-06 end on 02-16 (除夕); 02-17–02-22 are off too: the next working day is Mon 02-23.
        (date(2026, 2, 6), TimeLimit(10, DAYS), date(2026, 2, 23), True),
        # 8 days from Fri 11-27 end on Sat 12-05: Monday 12-07.
        (date(2026, 11, 27), TimeLimit(8, DAYS), date(2026, 12, 7), True),
        # A day count that ends on a working day stays there: 7 days from Tue 12-01 is Tue 12-08.
        (date(2026, 12, 1), TimeLimit(7, DAYS), date(2026, 12, 8), True),
        # 2 months from 01-15: counting starts 01-16, ends the day before 03-16 = Sun 03-15: Mon 03-16.
        (date(2026, 1, 15), TimeLimit(2, MONTHS), date(2026, 3, 16), True),
        # Received on the last day of a month: counting starts 03-01, two whole months end Thu 04-30.
        (date(2026, 2, 28), TimeLimit(2, MONTHS), date(2026, 4, 30), True),
        # Counting starts 12-31; February 2027 has no 31st: its last day, Sun 02-28; 03-01 is the 補假 of 228:
        # Tue 2027-03-02.
        (date(2026, 12, 30), TimeLimit(2, MONTHS), date(2027, 3, 2), True),
        # Counting starts 01-31; March has a 31st: the day before it, Mon 03-30.
        (date(2026, 1, 30), TimeLimit(2, MONTHS), date(2026, 3, 30), True),
        # One month from Mon 2026-08-31: starts 09-01, the whole of September: Wed 09-30.
        (date(2026, 8, 31), TimeLimit(1, MONTHS), date(2026, 9, 30), True),
        # 2025-02-08 was a Saturday of work (補班): one working day after Fri 02-07 is that Saturday …
        (date(2025, 2, 7), TimeLimit(1, WORKING_DAYS), date(2025, 2, 8), True),
        # … and a day count ending on it stays there (10 days from 01-29).
        (date(2025, 1, 29), TimeLimit(10, DAYS), date(2025, 2, 8), True),
        # On the spot: the day itself.
        (date(2026, 6, 19), TimeLimit(0, ON_THE_SPOT), date(2026, 6, 19), True),
        # Past the calendar (it ends with 2027): 2 months from 2027-12-20 end Sun 2028-02-20 — counted with
        # weekends only, Mon 2028-02-21, and marked so.
        (date(2027, 12, 20), DEFAULT_LIMIT, date(2028, 2, 21), False),
        # 5 working days from Thu 2027-12-30: 12-31 is off (known), then Mon 2028-01-03 … Fri 01-07 (weekends only).
        (date(2027, 12, 30), TimeLimit(5, WORKING_DAYS), date(2028, 1, 7), False),
        # Received in a year the calendar does not hold at all.
        (date(2028, 3, 1), TimeLimit(3, DAYS), date(2028, 3, 6), False),  # Sat 03-04 → Mon 03-06
    ],
    ids=lambda v: str(v) if isinstance(v, date) else None,
)
def test_due_dates(received: date, limit: TimeLimit, due: date, covered: bool) -> None:
    got = due_date(CAL, received, limit)
    assert (got.day, got.covered) == (due, covered)


@pytest.mark.parametrize(
    ("received", "limit", "due"),
    [
        # Fri 11-20 + 1 working day: Mon 11-23 is closed by the typhoon: Tue 11-24.
        (date(2026, 11, 20), TimeLimit(1, WORKING_DAYS), date(2026, 11, 24)),
        # 10 days from 11-13 end on the closed Monday: Tue 11-24.
        (date(2026, 11, 13), TimeLimit(10, DAYS), date(2026, 11, 24)),
        # 1 month from 10-22: the day before 11-23 = Sun 11-22 → Mon 11-23 is closed → Tue 11-24.
        (date(2026, 10, 22), TimeLimit(1, MONTHS), date(2026, 11, 24)),
    ],
)
def test_a_typhoon_closure_moves_the_end(received: date, limit: TimeLimit, due: date) -> None:
    assert due_date(TYPHOON, received, limit).day == due
    assert due_date(CAL, received, limit).day < due


def test_section_51_for_every_service_with_no_published_limit() -> None:
    """2 months from 2026-11-20: counting starts 11-21, ends the day before 2027-01-21 = Wed 2027-01-20."""
    for service in load_catalog():
        if service.time_limit.by_default:
            assert due_date(CAL, date(2026, 11, 20), service.time_limit).day == date(2027, 1, 20), service.code
            assert service.time_limit.words() == "2 個月，依行政程序法第51條"


def test_a_negative_limit_or_an_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="^a limit is never negative$"):
        due_date(CAL, date(2026, 11, 20), TimeLimit(-1, DAYS))
    with pytest.raises(ValueError, match="^unknown unit 'weeks'$"):
        due_date(CAL, date(2026, 11, 20), TimeLimit(2, "weeks"))
