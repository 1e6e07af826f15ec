"""逾期預警: which open cases are late, which are due within two working days, and by how much, on the office calendar.

A case waiting for the citizen's paper (補件) is not the office's delay: the days from each 補件 until the next step
do not count (補正期間不計, 行政程序法 §51, TAIWAN_PRACTICE.md), so they move the due date on; a moved date that lands
on a day off moves to the next working day (§48 IV).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from forms.calendar import OfficeCalendar
from forms.casesteps import FINAL, SUPPLEMENT
from forms.errors import DomainError

OVERDUE = "overdue"  # past the due date
DUE_SOON = "due_soon"  # due today or within the next SOON working days
WAITING = "waiting"  # 補件: the clock waits for the citizen
ON_TIME = "on_time"
NO_DUE = "no_due"  # nothing owed by a date (on the spot, refused, or not yet known)
SOON = 2  # working days


@dataclass(frozen=True)
class Mark:
    """One step of a case's history: the status it moved to and the office day it happened."""

    status: str
    on: date


@dataclass(frozen=True)
class Urgency:
    kind: str
    due: date | None  # the due date with the 補件 days added
    working_days: int = 0  # late by (OVERDUE) or left (DUE_SOON, ON_TIME)


def _working(calendar: OfficeCalendar, d: date) -> bool:
    try:
        return calendar.is_working_day(d)
    except DomainError:  # past the published years: only weekends are known to be off
        return d.weekday() < 5 and d not in calendar.closures


def paused_days(history: Sequence[Mark], today: date) -> int:
    """Calendar days spent waiting for paper: from each 補件 to the step after it (to today while still waiting)."""
    total, since = 0, None
    for mark in history:
        if since is not None:
            total += max(0, (mark.on - since).days)
            since = None
        if mark.status == SUPPLEMENT:
            since = mark.on
    if since is not None:
        total += max(0, (today - since).days)
    return total


def moved_due(due: date, history: Sequence[Mark], today: date, calendar: OfficeCalendar) -> date:
    """The due date once the 補件 days are added (the same date when there were none)."""
    paused = paused_days(history, today)
    if not paused:
        return due
    day = due + timedelta(days=paused)
    while not _working(calendar, day):
        day += timedelta(days=1)
    return day


def _working_days_between(calendar: OfficeCalendar, after: date, until: date) -> int:
    """Working days d with after < d <= until."""
    count, day = 0, after + timedelta(days=1)
    while day <= until:
        count += _working(calendar, day)
        day += timedelta(days=1)
    return count


def urgency(status: str, due: date | None, history: Sequence[Mark], today: date, calendar: OfficeCalendar) -> Urgency:
    """How urgent an open case is today (a decided or withdrawn one has no due date any more)."""
    if due is None or status in FINAL:
        return Urgency(NO_DUE, None)
    moved = moved_due(due, history, today, calendar)
    if status == SUPPLEMENT:
        return Urgency(WAITING, moved)
    if moved < today:
        return Urgency(OVERDUE, moved, _working_days_between(calendar, moved, today))
    left = _working_days_between(calendar, today, moved)
    return Urgency(DUE_SOON if left <= SOON else ON_TIME, moved, left)
