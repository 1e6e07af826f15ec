"""月報 (the monthly inspection): per service, the cases an office received or decided in a month, how many were
decided and how many of those on time (the 補件 days not counted), the median days from receipt to decision, the
補件 requests and the voids; and the cases still open past their date, with who holds them. Pure: from the city's
cases with their step history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import median

from forms.calendar import OfficeCalendar
from forms.casesteps import APPROVED, REJECTED, SUPPLEMENT, WITHDRAWN
from forms.overdue import OVERDUE, Mark, moved_due, urgency

DECIDED = (APPROVED, REJECTED)


@dataclass(frozen=True)
class MonthCase:
    case_number: str
    service_code: str
    received_on: date
    due: date | None
    status: str
    history: tuple[Mark, ...]
    holder: str
    forwarded: bool  # received by another office for this one


@dataclass(frozen=True)
class ServiceMonth:
    code: str
    received: int
    decided: int
    on_time: int  # of those decided with a due date
    dated: int  # decided with a due date (the on-time rate's base)
    median_days: float | None  # receipt to decision, calendar days
    supplements: int  # 補件 requests
    voided: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.dated if self.dated else None


@dataclass(frozen=True)
class LateCase:
    case_number: str
    service_code: str
    holder: str
    due: date
    working_days: int


@dataclass(frozen=True)
class MonthReport:
    office_code: str
    first: date
    last: date
    services: tuple[ServiceMonth, ...]
    late: tuple[LateCase, ...]
    forwarded: int  # 跨區收件 received for this office in the month

    @property
    def received(self) -> int:
        return sum(s.received for s in self.services)

    @property
    def decided(self) -> int:
        return sum(s.decided for s in self.services)


def _decided_on(case: MonthCase) -> date | None:
    return next((m.on for m in reversed(case.history) if m.status in DECIDED), None)


def _service(code: str, cases: Sequence[MonthCase], calendar: OfficeCalendar) -> ServiceMonth:
    decided = [(c, d) for c in cases if (d := _decided_on(c)) is not None and c.status in DECIDED]
    dated = [(c, d) for c, d in decided if c.due is not None]
    on_time = sum(1 for c, d in dated if c.due is not None and d <= moved_due(c.due, c.history, d, calendar))
    days = [(d - c.received_on).days for c, d in decided]
    return ServiceMonth(
        code,
        len(cases),
        len(decided),
        on_time,
        len(dated),
        median(days) if days else None,
        sum(1 for c in cases for m in c.history if m.status == SUPPLEMENT),
        sum(1 for c in cases if c.status == WITHDRAWN),
    )


def compute(
    office_code: str,
    first: date,
    last: date,
    cases: Sequence[MonthCase],
    today: date,
    calendar: OfficeCalendar,
) -> MonthReport:
    """The month [first, last] as of `today` (the open cases' lateness is as of the month's end, or today if
    earlier)."""
    inside = [c for c in cases if first <= c.received_on <= last]
    services = tuple(
        _service(code, [c for c in inside if c.service_code == code], calendar)
        for code in sorted({c.service_code for c in inside})
    )
    as_of = min(today, last)
    late = []
    for c in cases:
        found = urgency(c.status, c.due, c.history, as_of, calendar)
        if found.kind == OVERDUE and found.due is not None:
            late.append(LateCase(c.case_number, c.service_code, c.holder, found.due, found.working_days))
    late.sort(key=lambda x: (-x.working_days, x.case_number))
    return MonthReport(office_code, first, last, services, tuple(late), sum(1 for c in inside if c.forwarded))
