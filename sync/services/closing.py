"""Supervisor actions on the books: void a receipt, prepare and sign the day close, correct a signed day.

Each needs the supervisor's credentials. Online, the city checks them and issues an approval bound to the action;
without the network, the supervisor signs with their key on this device, which the city verifies later
(sync.services.approvals). A refusal by the city is final: it is never retried offline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from forms.calendar import OfficeCalendar
from forms.clock import city_today
from forms.dayclose import CashLine, DayClose, compute, figures, report_hash, report_json, sign_off_problems
from forms.dayfacts import CloseRecord, CorrectionRecord, VoidRecord
from forms.errors import DomainError
from forms.reasons import checked_reason
from forms.rocdate import format_roc
from sync.city.client import CityClient
from sync.ledger import Ledger
from sync.ledger.books import Approval
from sync.protocol import wire
from sync.protocol.errors import StoreError, SyncError
from sync.services.approvals import Approver

log = logging.getLogger(__name__)

NEAR_WORKING_DAYS = 2  # 逾期預警: unfinished cases due within this many working days


class Books:
    def __init__(
        self,
        ledger: Ledger,
        client: CityClient,
        calendar: OfficeCalendar,
        approver: Approver,
        now: Callable[[], datetime],
    ) -> None:
        self._ledger = ledger
        self._client = client
        self.calendar = calendar  # replaced when the city publishes a calendar or declares a closure
        self._approver = approver
        self._now = now

    def confirm_supervisor(
        self,
        supervisor: str,
        password: str,
        purpose: wire.ApprovalPurpose,
        subject: UUID,
        reason: str,
        day: date | None = None,
    ) -> Approval:
        """Raises DomainError(supervisor_not_verified, supervisor_locked, login_locked) or
        ValidationError(override_reason_short)."""
        reason = checked_reason(reason)
        return self._approver.approve(supervisor, password, purpose, subject, reason, day=day)

    # -- voids -----------------------------------------------------------------------------------------------

    def void(self, case_uuid: UUID, reason: str, supervisor: str, password: str) -> VoidRecord:
        """Void a receipt of an open day. Raises DomainError / ValidationError / StoreError (day_closed,
        void_twice)."""
        approval = self.confirm_supervisor(supervisor, password, "void", case_uuid, reason)
        return self._ledger.books.void(case_uuid, reason, approval)

    def correct_void(self, day: date, case_uuid: UUID, reason: str, supervisor: str, password: str) -> CorrectionRecord:
        """Void a receipt of a signed day: a correction made today that points at that day's close; the fee goes
        back to the citizen (a negative amount)."""
        approval = self.confirm_supervisor(supervisor, password, "correction", case_uuid, reason)
        fee = self._ledger.cases.case(case_uuid).fee
        return self._ledger.books.correct(day, case_uuid, "void", -fee, reason, approval)

    # -- the day close ---------------------------------------------------------------------------------------

    def prepare(self, day: date, ask_server: bool = True) -> DayClose:
        """The day's figures, compared with the city's digest when it can be asked (never raises for that)."""
        facts = self._ledger.books.day_facts(day)
        facts = replace(facts, follow_ups=tuple(f.case_number for f in self._ledger.followups.open()))
        digest: wire.DigestResponse | None = None
        error: str | None = None
        if ask_server:
            try:
                digest = self._client.digest(wire.DigestRequest(day=day))
            except SyncError as exc:
                error = exc.code
                log.info("day close of %s without the city's digest: %s", day, exc.code)
        held = {str(i.case_uuid): i.content_hash for i in digest.items} if digest is not None else None
        return compute(facts, held, self._near_limit(day), error)

    def _near_limit(self, day: date) -> date:
        try:
            return self.calendar.add_working_days(day, NEAR_WORKING_DAYS)
        except DomainError:  # a year the office calendar does not cover: count calendar days
            return day + timedelta(days=NEAR_WORKING_DAYS)

    def sign(
        self, report: DayClose, cash: tuple[CashLine, ...], note: str, supervisor: str, password: str
    ) -> CloseRecord:
        """Sign the day off. Raises DomainError with the first blocker (e.g. dc_cash_explain), or for the
        supervisor's credentials; StoreError(day_already_closed). A day that has not begun at the city (this
        clock runs ahead, as last measured) is refused: dc_day_not_begun."""
        skew = self._ledger.settings.clock_skew()
        city_day = city_today(self._now(), skew)
        if city_day is not None and skew is not None and report.day > city_day:
            raise DomainError(
                "dc_day_not_begun",
                day=format_roc(report.day),
                city_day=format_roc(city_day),
                minutes=round(abs(skew) / 60),
            )
        # The full check: a damaged file is never signed off (gaps and audit breaks are the report's own blockers).
        if self._ledger.check_integrity().file_damage:
            raise StoreError("ledger_damaged", detail=self._ledger.damage or "")
        blockers = sign_off_problems(report, cash, note)
        if blockers:
            raise DomainError(blockers[0].code, **blockers[0].params)
        text = report_json(report, cash, note)
        close_uuid = uuid4()  # the approval is bound to this close and its day
        approval = self.confirm_supervisor(
            supervisor, password, "day_close", close_uuid, f"日結簽核 {report.day}", day=report.day
        )
        return self._ledger.books.sign_day(
            report.day, text, report_hash(text), figures(report, cash), approval, close_uuid=close_uuid
        )
