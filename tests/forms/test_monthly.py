"""月報 by hand: October 2026 at one office (Fri 10-09 and Mon 10-26 are days off in the shipped calendar)."""

from __future__ import annotations

from datetime import date

from forms.calendar import load_calendar
from forms.monthly import LateCase, MonthCase, ServiceMonth, compute
from forms.overdue import Mark

CAL = load_calendar()
FIRST, LAST = date(2026, 10, 1), date(2026, 10, 31)


def case(
    n: int, service: str, received: date, due: date | None, status: str, *marks: Mark, fwd: bool = False
) -> MonthCase:
    return MonthCase(f"C{n}", service, received, due, status, (Mark("收件", received), *marks), f"holder{n}", fwd)


CASES = (
    # On time: decided Tue 10-06, due Thu 10-08; 5 days.
    case(1, "SW-17", date(2026, 10, 1), date(2026, 10, 8), "核准", Mark("核准", date(2026, 10, 6))),
    # Late by its date, but 5 days waited for paper (10-02 → 10-07) move Thu 10-08 to Tue 10-13: decided 10-12, on time.
    case(
        2,
        "SW-17",
        date(2026, 10, 1),
        date(2026, 10, 8),
        "核准",
        Mark("補件", date(2026, 10, 2)),
        Mark("審核中", date(2026, 10, 7)),
        Mark("核准", date(2026, 10, 12)),
    ),
    # Decided after its date: late; 20 days.
    case(3, "SW-17", date(2026, 10, 5), date(2026, 10, 19), "駁回", Mark("駁回", date(2026, 10, 25))),
    # Open and past its date at the month's end (due Fri 10-23: Mon 26 off, Tue 27 … Fri 30 = 4 working days late).
    case(4, "SW-05", date(2026, 10, 2), date(2026, 10, 23), "審核中", Mark("審核中", date(2026, 10, 5)), fwd=True),
    case(5, "SW-05", date(2026, 10, 20), None, "撤回", Mark("撤回", date(2026, 10, 20))),
    # Received in September: not this month's, but still late and listed.
    case(6, "SW-05", date(2026, 9, 1), date(2026, 9, 30), "收件"),
)


def test_per_service_decided_on_time_median_supplements_and_voids() -> None:
    report = compute("68000010", FIRST, LAST, CASES, date(2026, 11, 5), CAL)
    assert report.services == (
        ServiceMonth("SW-05", 2, 0, 0, 0, None, 0, 1),
        ServiceMonth("SW-17", 3, 3, 2, 3, 11, 1, 0),  # days 5, 11, 20 → median 11
    )
    assert report.services[1].on_time_rate == 2 / 3 and report.services[0].on_time_rate is None
    assert (report.received, report.decided, report.forwarded) == (5, 3, 1)


def test_cases_open_past_their_date_with_who_holds_them() -> None:
    report = compute("68000010", FIRST, LAST, CASES, date(2026, 11, 5), CAL)
    # As of Sat 10-31. C6: due Wed 09-30; October's 22 weekdays less 10-09 and 10-26: 20.
    assert report.late == (
        LateCase("C6", "SW-05", "holder6", date(2026, 9, 30), 20),
        LateCase("C4", "SW-05", "holder4", date(2026, 10, 23), 4),
    )
