"""The deciding office's work after intake, as the window asks for it: the office's queue with how urgent each case
is (forms.overdue) and the steps recorded on it at the city (forms.casesteps decides what may follow what; the city
checks again). Online only: the queue and the steps are the city's."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from forms.calendar import OfficeCalendar
from forms.casesteps import Step, allowed_steps, check_step
from forms.clock import taipei_now
from forms.monthly import MonthCase, MonthReport
from forms.monthly import compute as compute_month
from forms.offices import OfficeDirectory
from forms.overdue import DUE_SOON, OVERDUE, WAITING, Mark, Urgency, urgency
from forms.transit import Arrival, Paper, check_arrival, waiting
from sync.city.client import CityClient
from sync.protocol import wire

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueLine:
    """One open case of the office's queue, with what the window shows of it."""

    case: wire.QueueCase
    urgency: Urgency
    forwarded: bool  # received by another office for this one to decide (跨區收件)
    received_by_name: str

    @property
    def steps(self) -> tuple[str, ...]:
        return allowed_steps(self.case.status)

    @property
    def papers(self) -> tuple[Paper, ...]:
        """The paper the receiving office sent on with it, and where each one is."""
        return tuple(Paper(p.name, p.state, p.on, p.note) for p in self.case.papers)


@dataclass(frozen=True)
class QueueSummary:
    overdue: int
    due_soon: int
    waiting: int
    forwarded: int
    overdue_by_holder: dict[str, int]

    @property
    def needs_attention(self) -> bool:
        return bool(self.overdue or self.due_soon)


def summary(lines: list[QueueLine]) -> QueueSummary:
    kinds = Counter(line.urgency.kind for line in lines)
    late = Counter(line.case.holder for line in lines if line.urgency.kind == OVERDUE)
    return QueueSummary(
        kinds[OVERDUE],
        kinds[DUE_SOON],
        kinds[WAITING],
        sum(line.forwarded for line in lines),
        dict(sorted(late.items())),
    )


class Decisions:
    def __init__(
        self,
        client: CityClient,
        office_code: str,
        calendar: Callable[[], OfficeCalendar],
        offices: Callable[[], OfficeDirectory],
        now: Callable[[], datetime] = taipei_now,
    ) -> None:
        self._client = client
        self._office = office_code
        self._calendar = calendar
        self._offices = offices
        self._now = now
        # A step's key, kept until the city has it: asking again after a lost answer records the same step once.
        self._keys: dict[tuple[UUID, Step], UUID] = {}
        self._arrival_keys: dict[tuple[UUID, Arrival], UUID] = {}

    def today(self) -> date:
        return self._now().date()

    def queue(self) -> list[QueueLine]:
        """The office's open cases, most urgent first. Raises SyncError when the city cannot be asked."""
        today, calendar, offices = self.today(), self._calendar(), self._offices()
        lines = []
        for case in self._client.queue().cases:
            history = [Mark(m.status, m.on) for m in case.history]
            lines.append(
                QueueLine(
                    case,
                    urgency(case.status, case.due_date, history, today, calendar),
                    case.received_by != self._office,
                    offices.name(case.received_by),
                )
            )
        order = {OVERDUE: 0, DUE_SOON: 1}
        lines.sort(key=lambda q: (order.get(q.urgency.kind, 2), q.urgency.due or date.max, q.case.case_number))
        return lines

    def month(self, first: date, last: date) -> MonthReport:
        """月報 for [first, last] from the city's cases. Raises SyncError when the city cannot be asked."""
        answer = self._client.monthly(first, last)
        cases = [
            MonthCase(
                c.case_number,
                c.service_code,
                c.received_on,
                c.due_date,
                c.status,
                tuple(Mark(m.status, m.on) for m in c.history),
                c.holder,
                c.received_by != self._office,
            )
            for c in answer.cases
        ]
        return compute_month(self._office, first, last, cases, self.today(), self._calendar())

    def supplement_by(self) -> date | None:
        """The 補正期限 this office gives from today (the directory's period), to offer for a 補件."""
        due = self._offices().supplement_due(self._office, self._calendar(), self.today())
        return due.day if due is not None else None

    def check(self, line: QueueLine, step: Step) -> Step:
        """The step tidied, or ValidationError saying what it lacks (before anything is sent)."""
        return check_step(line.case.status, step, self.today(), waiting(line.papers))

    def record(self, line: QueueLine, step: Step) -> wire.StatusChange:
        """Record the step at the city. Raises ValidationError (nothing sent) or SyncError (the key is kept, so
        asking again does not record it twice)."""
        step = self.check(line, step)
        key = self._keys.setdefault((line.case.case_uuid, step), uuid.uuid4())
        body = wire.CaseStepIn(
            step_uuid=key, status=step.status, note=step.note, owed=list(step.owed), owed_by=step.owed_by
        )
        change = self._client.record_step(line.case.case_uuid, body)
        self._keys.pop((line.case.case_uuid, step), None)
        log.info("case %s: recorded %s", line.case.case_number, step.status)
        return change

    def check_arrival(self, line: QueueLine, arrival: Arrival) -> Arrival:
        """The marking tidied, or ValidationError saying what is wrong (before anything is sent)."""
        return check_arrival(line.papers, arrival)

    def record_arrival(self, line: QueueLine, arrival: Arrival) -> tuple[Paper, ...]:
        """Mark the papers at the city; the papers as they now are. Raises ValidationError (nothing sent) or
        SyncError (the key is kept, so asking again marks them once)."""
        arrival = self.check_arrival(line, arrival)
        key = self._arrival_keys.setdefault((line.case.case_uuid, arrival), uuid.uuid4())
        body = wire.ArrivalIn(
            arrival_uuid=key, received=list(arrival.received), missing=list(arrival.missing), note=arrival.note
        )
        answer = self._client.record_arrival(line.case.case_uuid, body)
        self._arrival_keys.pop((line.case.case_uuid, arrival), None)
        log.info("case %s: paper marked", line.case.case_number)
        return tuple(Paper(p.name, p.state, p.on, p.note) for p in answer.papers)
