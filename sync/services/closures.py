"""Closures (停止上班, e.g. a typhoon day): a supervisor declares one from the city's announcement (online: the
city holds it for every device of the office or city); every device pulls them, counts its open cases' due dates
again with the closed day off (§48), and lists what moved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from forms.calendar import OfficeCalendar
from forms.catalog import Catalog
from forms.errors import DomainError
from forms.reasons import checked_reason
from forms.reference import CALENDAR
from forms.rocdate import format_roc
from forms.terms import DUE, owed_limit
from forms.timelimits import TimeLimit, due_date
from sync.city.client import CityClient
from sync.city.reference_sync import ReferenceData, pull_closures, pull_reference
from sync.ledger import Ledger
from sync.ledger.reference import DueChange, OpenCase
from sync.protocol import wire
from sync.services.closing import Books
from sync.services.intake import IntakeService


@dataclass(frozen=True)
class ClosureOutcome:
    closures: tuple[wire.Closure, ...]  # new to this device
    moved: tuple[DueChange, ...]  # due dates counted again


class Closures:
    def __init__(
        self,
        ledger: Ledger,
        client: CityClient,
        intake: IntakeService,
        books: Books | None,
        catalog: Callable[[], Catalog],
        user: str,
    ) -> None:
        self._ledger = ledger
        self._client = client
        self._intake = intake
        self._books = books
        self._catalog = catalog
        self._user = user

    def declare(self, day: date, scope: str, announcement: str) -> ClosureOutcome:
        """A supervisor of this office declares a closure for the office or the whole city (online only: every
        device must learn it from the city).

        Raises:
            ValidationError: the announcement is too short (reason_short).
            SyncError: the city could not be reached, or refused (not a supervisor; that day already declared).
        """
        said = checked_reason(announcement)
        declared = self._client.declare_closure(
            wire.ClosureIn(closure_uuid=self._ledger.reference.new_uuid(), day=day, scope=scope, announcement=said)
        )
        return self.apply(self._ledger.reference.store_closures([declared]))

    def refresh(self) -> tuple[list[str], ClosureOutcome]:
        """At sync: the city's newer calendar, amounts and office directory (kinds that changed), then the closures
        declared since; every open due date counted again where either moved it. Raises SyncError / ReferenceError
        (nothing kept)."""
        current = ReferenceData(self._intake.calendar, self._intake.thresholds, self._intake.offices)
        data, kinds = pull_reference(self._ledger, self._client, current)
        if kinds:
            self._intake.use_reference(self._intake.calendar, data.thresholds)
            self._intake.offices = data.offices
            if CALENDAR in kinds:
                self.use_calendar(data.calendar)
        return kinds, self.pull()

    def pull(self) -> ClosureOutcome:
        """The closures declared since the last pull, applied. Raises SyncError when the city cannot be asked."""
        return self.apply(pull_closures(self._ledger, self._client))

    def apply(self, new: list[wire.Closure]) -> ClosureOutcome:
        """Count due dates again with the new closed days; the intakes and the day close use them from now on."""
        if not new:
            return ClosureOutcome((), ())
        calendar = self._intake.calendar.with_closures(c.day for c in new)
        self._use(calendar)
        why = "、".join(f"{format_roc(c.day)}停止上班：{c.announcement}" for c in new)
        return ClosureOutcome(tuple(new), self._recount(calendar, min(c.day for c in new), why))

    def use_calendar(self, calendar: OfficeCalendar) -> tuple[DueChange, ...]:
        """A calendar the city published (e.g. reaching a new year): used from now on, with the closures held, and
        every open due date counted again (those counted past the old calendar become exact)."""
        calendar = calendar.with_closures(c.day for c in self._ledger.reference.closures())
        self._use(calendar)
        return self._recount(calendar, date.min, f"市府辦公日曆第{calendar.version}版")

    def _use(self, calendar: OfficeCalendar) -> None:
        self._intake.use_reference(calendar, self._intake.thresholds)
        if self._books is not None:
            self._books.calendar = calendar

    def _recount(self, calendar: OfficeCalendar, since: date, why: str) -> tuple[DueChange, ...]:
        changes = []
        for case in self._ledger.reference.open_cases(since):
            limit = self._limit(case)
            if limit is None:
                continue
            try:
                after = due_date(calendar, case.received, limit).day
            except DomainError:
                continue
            if after != case.due:
                changes.append((case.case_uuid, DueChange(case.case_number, case.service_code, case.due, after)))
        self._ledger.reference.revise_due(changes, why, self._user)
        return tuple(change for _, change in changes)

    def _limit(self, case: OpenCase) -> TimeLimit | None:
        """The limit the case's due date was counted with: its stored terms, or (an earlier case) the catalog's."""
        if case.terms_json is not None:
            return wire.Terms.model_validate_json(case.terms_json).to_domain().limit
        try:
            service = self._catalog().get(case.service_code)
        except DomainError:
            return None
        return owed_limit(service.time_limit, DUE)
