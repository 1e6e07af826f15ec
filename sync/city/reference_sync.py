"""The city's calendar, amounts and office directory, pulled like the catalog: by version, validated whole, stored
in one transaction, used from then on; and the closures (停止上班) of this office and its city."""

from __future__ import annotations

from dataclasses import dataclass

from forms.calendar import OfficeCalendar
from forms.offices import NO_DIRECTORY, OfficeDirectory
from forms.reference import CALENDAR, OFFICES, THRESHOLDS, parse_calendar, parse_offices, parse_thresholds
from forms.thresholds import Thresholds
from sync.city.client import CityClient
from sync.ledger import Ledger
from sync.protocol import wire


@dataclass(frozen=True)
class ReferenceData:
    calendar: OfficeCalendar  # with the closures that apply to this office
    thresholds: Thresholds
    offices: OfficeDirectory = NO_DIRECTORY


def closure_days(ledger: Ledger) -> list[wire.Closure]:
    """The closures held, for this office or its city (the city only sends those)."""
    return ledger.reference.closures()


def stored_reference(
    ledger: Ledger, calendar: OfficeCalendar, thresholds: Thresholds, offices: OfficeDirectory = NO_DIRECTORY
) -> ReferenceData:
    """The shipped documents, or the newer ones this device pulled, with the closures it holds."""
    docs = ledger.reference.docs()
    if OFFICES in docs and docs[OFFICES][0] > offices.version:
        offices = parse_offices(docs[OFFICES][1])
    if CALENDAR in docs and docs[CALENDAR][0] > calendar.version:
        calendar = parse_calendar(docs[CALENDAR][1])
    if THRESHOLDS in docs and docs[THRESHOLDS][0] > thresholds.version:
        thresholds = parse_thresholds(docs[THRESHOLDS][1])
    return ReferenceData(calendar.with_closures(c.day for c in closure_days(ledger)), thresholds, offices)


def pull_reference(ledger: Ledger, client: CityClient, current: ReferenceData) -> tuple[ReferenceData, list[str]]:
    """Fetch the city's documents; keep those newer than `current`, all or nothing. Returns the data to use and the
    kinds that changed.

    Raises:
        SyncError: the city could not be asked. ReferenceError: a document is invalid — nothing is kept.
    """
    answer = client.reference_data()
    calendar, thresholds, offices = current.calendar, current.thresholds, current.offices
    newer: list[tuple[str, int, str]] = []
    for doc in answer.docs:
        if doc.kind == CALENDAR and doc.version > calendar.version:
            calendar = parse_calendar(doc.text).with_closures(current.calendar.closures)
            newer.append((doc.kind, doc.version, doc.text))
        elif doc.kind == THRESHOLDS and doc.version > thresholds.version:
            thresholds = parse_thresholds(doc.text)
            newer.append((doc.kind, doc.version, doc.text))
        elif doc.kind == OFFICES and doc.version > offices.version:
            offices = parse_offices(doc.text)
            newer.append((doc.kind, doc.version, doc.text))
    if not newer:
        return current, []
    ledger.reference.store_docs(newer)
    return ReferenceData(calendar, thresholds, offices), [kind for kind, _, _ in newer]


def pull_closures(ledger: Ledger, client: CityClient) -> list[wire.Closure]:
    """The closures declared since the last pull; returns those new to this device."""
    answer = client.closures(ledger.reference.last_closure_seq())
    return ledger.reference.store_closures(answer.closures)
