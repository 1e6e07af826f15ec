"""The city's reference data for devices: the office calendar and the statutory amounts (versioned documents,
validated whole before they are published), and the closures (停止上班) supervisors declare from the city's
announcements, pulled by every device of the office or city they apply to."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityserver.context import Db, State, aware, now, security_event
from cityserver.db import ClosureRow
from cityserver.errors import ApiError
from cityserver.permissions import Allowed
from cityserver.population import office_of  # the city's register: which city an office is in
from forms.calendar import OfficeCalendar, load_calendar
from forms.offices import NO_DIRECTORY, OfficeDirectory
from forms.reference import CALENDAR, OFFICES, THRESHOLDS, parse, parse_calendar, parse_offices
from forms.resources import resource_path
from sync.protocol import wire

log = logging.getLogger(__name__)

router = APIRouter()
FILES = {
    CALENDAR: ("calendar", "tw_office_calendar.toml"),
    THRESHOLDS: ("thresholds.toml",),
    OFFICES: ("offices.toml",),
}


def load_reference(folder: Path | None = None) -> list[wire.ReferenceDoc]:
    """The documents as published, each validated whole (a bad file stops the server starting, never a device)."""
    docs = []
    for kind, parts in FILES.items():
        path = folder.joinpath(*parts) if folder else resource_path(*parts)
        text = path.read_text(encoding="utf-8")
        version = parse(kind, text).version
        docs.append(wire.ReferenceDoc(kind=kind, version=version, text=text))
    return docs


def published_offices(docs: list[wire.ReferenceDoc]) -> OfficeDirectory:
    """The office directory among the published documents (none published: no phones, no 補正期間)."""
    doc = next((d for d in docs if d.kind == OFFICES), None)
    return parse_offices(doc.text) if doc is not None else NO_DIRECTORY


def office_calendar(db: Session, docs: list[wire.ReferenceDoc], office: str) -> OfficeCalendar:
    """The published calendar with the closures declared for the office or its city."""
    doc = next((d for d in docs if d.kind == CALENDAR), None)
    calendar = parse_calendar(doc.text) if doc is not None else load_calendar()
    days = db.scalars(
        select(ClosureRow.day).where(or_(ClosureRow.area_code == office, ClosureRow.area_code == office_of(office)[1]))
    )
    return calendar.with_closures(days)


@router.get(f"{wire.API_PREFIX}/reference", response_model=wire.ReferenceResponse)
def reference_data(_: Allowed, server: State) -> wire.ReferenceResponse:
    """Every reference document with its version; a device takes those newer than its own."""
    return wire.ReferenceResponse(docs=server.reference)


def _closure(row: ClosureRow) -> wire.Closure:
    return wire.Closure(
        closure_uuid=uuid.UUID(row.closure_uuid),
        day=row.day,
        scope=row.scope,
        area_code=row.area_code,
        announcement=row.announcement,
        declared_by=row.declared_by,
        declared_at=aware(row.declared_at),
        seq=row.seq,
    )


@router.get(f"{wire.API_PREFIX}/closures", response_model=wire.ClosuresResponse)
def list_closures(
    access: Allowed, db: Db, since: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0
) -> wire.ClosuresResponse:
    """The closures that apply to the caller's office: its own and its city's, newer than `since`."""
    office = access.caller.office_code
    rows = db.scalars(
        select(ClosureRow)
        .where(
            ClosureRow.seq > since, or_(ClosureRow.area_code == office, ClosureRow.area_code == office_of(office)[1])
        )
        .order_by(ClosureRow.seq)
        .limit(5_000)
    )
    return wire.ClosuresResponse(closures=[_closure(r) for r in rows])


@router.post(f"{wire.API_PREFIX}/closures", response_model=wire.Closure)
def declare_closure(body: wire.ClosureIn, access: Allowed, db: Db) -> wire.Closure:
    """A supervisor of the office declares a closure for it or for the whole city (as the city announced). The same
    closure_uuid again is answered with what was stored; another declaration for the same day and area is refused."""
    who = access.caller
    access.check(who.office_code)
    known = db.scalar(select(ClosureRow).where(ClosureRow.closure_uuid == str(body.closure_uuid)))
    if known is not None:
        return _closure(known)
    moment = now()
    area = who.office_code if body.scope == "office" else office_of(who.office_code)[1]
    row = ClosureRow(
        closure_uuid=str(body.closure_uuid),
        day=body.day,
        scope=body.scope,
        area_code=area,
        announcement=body.announcement,
        declared_by=who.username,
        declared_at=moment,
    )
    db.add(row)
    security_event(
        db, "closure_declared", username=who.username, office_code=who.office_code, device_id=who.device_id,
        detail=f"{body.day.isoformat()} {body.scope} {area}", routine=True,
    )  # fmt: skip
    try:
        db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise ApiError(409, "closure_exists", "a closure of that day and area is already declared") from exc
    return _closure(row)
