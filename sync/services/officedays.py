"""The office's 日結 as a supervisor's PC asks for it: the city's facts of the day across the office's devices,
computed with the supervisor's explanations (forms.officeday), and the sign-off sent to the city (which checks the
same rule with its own facts). Online only: the facts are the city's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from forms.dayclose import report_hash
from forms.errors import ValidationError
from forms.officeday import OfficeDay, blockers, compute, report_json
from sync.city.client import CityClient
from sync.protocol import wire


@dataclass(frozen=True)
class OfficeDayView:
    facts: wire.OfficeDayResponse
    day: OfficeDay

    @property
    def signed(self) -> wire.OfficeClose | None:
        return self.facts.close


class OfficeDays:
    def __init__(self, client: CityClient) -> None:
        self._client = client
        self._keys: dict[date, uuid.UUID] = {}  # a sign-off's key, kept until the city has it

    def read(self, day: date, explained: dict[str, str] | None = None) -> OfficeDayView:
        """The day as the city holds it. Raises SyncError when it cannot be asked."""
        facts = self._client.office_day(day)
        shown = facts.close.explanations if facts.close is not None else explained or {}
        return OfficeDayView(facts, compute(facts.facts(), dict(shown)))

    def again(self, view: OfficeDayView, explained: dict[str, str]) -> OfficeDayView:
        """The same facts with other explanations (nothing asked of the city)."""
        return OfficeDayView(view.facts, compute(view.facts.facts(), explained))

    def sign(self, view: OfficeDayView, explained: dict[str, str]) -> wire.OfficeClose:
        """Sign the office's day. Raises ValidationError (office_day_blocked: nothing sent) or SyncError."""
        day = compute(view.facts.facts(), explained)
        if blockers(day):
            raise ValidationError("office_day_blocked")
        why = {device: text.strip() for device, text in explained.items() if text.strip()}
        key = self._keys.setdefault(view.facts.day, uuid.uuid4())
        body = wire.OfficeCloseIn(
            close_uuid=key, day=view.facts.day, explanations=why, report_hash=report_hash(report_json(day, why))
        )
        close = self._client.sign_office_day(body)
        self._keys.pop(view.facts.day, None)
        return close
