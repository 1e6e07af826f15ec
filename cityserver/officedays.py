"""The office's 日結 at the city: the facts of one office day across all its devices (each device's signed day,
the cases and voids the city holds of them), and the supervisor's sign-off of the office's day — refused while a
device that took cases has neither closed nor been explained (forms.officeday decides, here as on the PC)."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import date

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityserver.context import Db, aware, now, office_day_of
from cityserver.db import CaseRow, DayRecordRow, DeviceRow, OfficeCloseRow
from cityserver.errors import ApiError
from cityserver.permissions import Allowed
from forms.casesteps import WITHDRAWN
from forms.officeday import blockers, compute
from sync.protocol import wire

log = logging.getLogger(__name__)
router = APIRouter()


def _close(row: OfficeCloseRow) -> wire.OfficeClose:
    return wire.OfficeClose(
        close_uuid=uuid.UUID(row.close_uuid),
        office_code=row.office_code,
        day=row.day,
        by=row.by,
        at=aware(row.at),
        explanations=json.loads(row.explanations),
        report_hash=row.report_hash,
    )


def office_day(db: Session, office: str, day: date) -> wire.OfficeDayResponse:
    devices = db.scalars(select(DeviceRow).where(DeviceRow.office_code == office).order_by(DeviceRow.device_id))
    cases = db.scalars(
        select(CaseRow)
        .where(CaseRow.office_code == office, CaseRow.business_date == day)
        .order_by(CaseRow.device_id, CaseRow.receipt_number)
    ).all()
    records = db.scalars(
        select(DayRecordRow).where(DayRecordRow.office_code == office, DayRecordRow.business_date == day)
    ).all()
    voided = {r.case_uuid for r in records if r.kind == "void"}
    lines = []
    for c in cases:
        payload = json.loads(c.payload)
        lines.append(
            wire.OfficeCaseLine(
                device_id=c.device_id,
                case_number=c.case_number,
                receipt_number=c.receipt_number,
                clerk=payload.get("clerk") or c.pushed_by,
                service_code=c.service_code,
                fee=int(payload.get("fee", 0)),
                payment_method=payload.get("payment_method", "none"),
                voided=c.status == WITHDRAWN or c.case_uuid in voided,
            )
        )
    closes = []
    for r in records:
        if r.kind == "day_close":
            signed = wire.DayRecordIn.model_validate_json(r.payload)
            closes.append(
                wire.DeviceCloseLine(device_id=r.device_id, by=r.approved_by, at=signed.at, figures=signed.figures)
            )
    held = db.scalar(select(OfficeCloseRow).where(OfficeCloseRow.office_code == office, OfficeCloseRow.day == day))
    return wire.OfficeDayResponse(
        office_code=office,
        day=day,
        devices=[
            wire.OfficeDeviceLine(
                device_id=d.device_id,
                name=d.name,
                last_seen_at=aware(d.last_seen_at) if d.last_seen_at else None,
                revoked=d.revoked_at is not None,
            )
            for d in devices
        ],
        cases=lines,
        closes=closes,
        corrections=sum(r.kind == "correction" for r in records),
        close=_close(held) if held is not None else None,
    )


@router.get(f"{wire.API_PREFIX}/office-days/{{day}}", response_model=wire.OfficeDayResponse)
def office_day_facts(day: date, access: Allowed, db: Db) -> wire.OfficeDayResponse:
    """Every device of the caller's office on that day, as the city holds it."""
    return office_day(db, access.caller.office_code, office_day_of(day))


@router.post(f"{wire.API_PREFIX}/office-days", response_model=wire.OfficeClose)
def sign_office_day(body: wire.OfficeCloseIn, access: Allowed, db: Db) -> wire.OfficeClose:
    """A supervisor of the office signs its day. The same close_uuid again answers what was stored; a day with a
    device that took cases and neither closed nor was explained is refused, as is a second sign-off."""
    office = access.caller.office_code
    known = db.get(OfficeCloseRow, str(body.close_uuid))
    if known is not None:
        if known.office_code != office or known.day != body.day:
            raise ApiError(409, "office_day_conflict", "another office day was signed under this key")
        return _close(known)
    facts = office_day(db, office, body.day).facts()
    explained = {device: text for device, text in body.explanations.items()}
    open_devices = blockers(compute(facts, explained))
    if open_devices:
        detail = ",".join(str(p.params.get("device")) for p in open_devices)
        raise ApiError(409, "office_day_blocked", f"devices to close or explain: {detail}")
    row = OfficeCloseRow(
        close_uuid=str(body.close_uuid),
        office_code=office,
        day=body.day,
        by=access.caller.username,
        at=now(),
        explanations=json.dumps(explained, ensure_ascii=False, sort_keys=True),
        report_hash=body.report_hash,
    )
    db.add(row)
    try:
        db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise ApiError(409, "office_day_closed", "this office's day is signed already") from exc
    log.info("office %s day %s signed by %s", office, body.day, access.caller.username)
    return _close(row)
