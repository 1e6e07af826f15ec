"""What the city knows of each device's numbering: the highest case and receipt numbers it holds, the ledger file
the device writes with and its audit head; and, for a ledger that fell behind, the cases and book records the city
holds of that device, to pull back (ARCHITECTURE.md, trust model: "numbers are never issued twice").

Every answer is about the caller's own device only (the session says which); pulling cases back is a bulk read of
personal data, counted as a security event.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityserver.context import Db, now, security_event
from cityserver.db import CaseRow, CaseUpdateRow, DayRecordRow, DeviceLedgerRow, StatusEventRow
from cityserver.permissions import Allowed, Role
from sync.protocol import wire

log = logging.getLogger(__name__)

router = APIRouter()

_SEQ = re.compile(r"(\d+)$")
PAGE = 200


def _seq(number: str | None) -> int:
    """The running number at the end of a case or receipt number (0 for none)."""
    found = _SEQ.search(number or "")
    return int(found.group(1)) if found else 0


def held_numbers(db: Session, device_id: str) -> tuple[int, dict[date, int]]:
    """The highest receipt sequence, and the highest case sequence of each recent day, among the device's cases."""
    mine = CaseRow.device_id == device_id
    receipt = db.scalar(select(func.max(CaseRow.receipt_number)).where(mine))
    days = db.execute(
        select(CaseRow.business_date, func.max(CaseRow.case_number))
        .where(mine)
        .group_by(CaseRow.business_date)
        .order_by(CaseRow.business_date.desc())
        .limit(wire.MAX_MARK_DAYS)
    ).all()
    return _seq(receipt), {day: _seq(number) for day, number in days}


@router.post(f"{wire.API_PREFIX}/devices/me/marks", response_model=wire.CityMarks)
def device_marks(body: wire.DeviceMarks, access: Allowed, db: Db) -> wire.CityMarks:
    """A device reports what its ledger has issued and learns what the city holds of it. A ledger other than the
    one the city knows for the device (a copied profile) is told so and changes nothing here, unless a supervisor
    signed in for a rebuilt ledger takes the device over."""
    who = access.caller
    access.check(who.office_code)
    receipt_seq, case_seqs = held_numbers(db, who.device_id)
    row = db.get(DeviceLedgerRow, who.device_id)
    moment = now()
    known = row.ledger_id if row else None
    previous = (row.audit_seq, row.audit_head) if row else (0, wire.GENESIS_HEAD)
    ledger_id = str(body.ledger_id)

    def answer(verdict: Literal["current", "behind", "other_ledger"], current: str) -> wire.CityMarks:
        return wire.CityMarks(
            ledger_id=uuid.UUID(current),
            receipt_seq=receipt_seq,
            case_seqs=case_seqs,
            audit_seq=previous[0],
            audit_head=previous[1],
            verdict=verdict,
        )

    if row is None:
        row = DeviceLedgerRow(device_id=who.device_id, ledger_id=ledger_id, audit_head=wire.GENESIS_HEAD)
        db.add(row)
        security_event(db, "ledger_registered", username=who.username, device_id=who.device_id, routine=True)
    elif row.ledger_id != ledger_id:
        if not (body.takeover and who.role is Role.SUPERVISOR):
            security_event(
                db, "ledger_other", username=who.username, device_id=who.device_id, detail=f"{ledger_id} not {known}"
            )
            db.commit()
            return answer("other_ledger", row.ledger_id)
        security_event(db, "ledger_replaced", username=who.username, device_id=who.device_id, detail=f"{known}")
        row.ledger_id = ledger_id
    if body.audit_seq < previous[0] or (
        body.audit_seq == previous[0] and body.audit_head != previous[1] and previous[0]
    ):
        security_event(
            db,
            "audit_rollback",
            username=who.username,
            device_id=who.device_id,
            detail=f"reported {body.audit_seq}, anchored {previous[0]}",
        )
    row.audit_seq, row.audit_head, row.reported_at = body.audit_seq, body.audit_head, moment
    db.commit()
    behind = body.receipt_seq < receipt_seq or any(body.case_seqs.get(d, 0) < n for d, n in case_seqs.items())
    return answer("behind" if behind else "current", row.ledger_id)


FromReceipt = Annotated[int, Query(ge=1, le=9_999_999)]


@router.get(f"{wire.API_PREFIX}/devices/me/cases", response_model=wire.HeldCasesResponse)
def device_cases(access: Allowed, db: Db, from_receipt: FromReceipt = 1) -> wire.HeldCasesResponse:
    """The caller's device's cases from a receipt number on, in receipt order, with status, latest verification
    and void: what a ledger that fell behind pulls back (with the applicants' details it took itself)."""
    who = access.caller
    access.check(who.office_code)
    start = f"{who.device_id}-R{from_receipt:07d}"
    rows = db.scalars(
        select(CaseRow)
        .where(CaseRow.device_id == who.device_id, CaseRow.receipt_number >= start)
        .order_by(CaseRow.receipt_number)
        .limit(PAGE + 1)
    ).all()
    page = rows[:PAGE]
    keys = [r.case_uuid for r in page]
    notes = _latest_notes(db, keys)
    updates: dict[str, str] = {}
    for key, payload in db.execute(
        select(CaseUpdateRow.case_uuid, CaseUpdateRow.payload)
        .where(CaseUpdateRow.case_uuid.in_(keys))
        .order_by(CaseUpdateRow.received_at)
    ):
        updates[key] = payload  # the latest one wins
    voids = dict(
        db.execute(
            select(DayRecordRow.case_uuid, DayRecordRow.payload).where(
                DayRecordRow.case_uuid.in_(keys), DayRecordRow.kind == "void"
            )
        ).all()
    )
    held = [
        wire.HeldCase(
            case=wire.CaseIn.model_validate_json(r.payload),
            status=r.status,
            note=notes.get(r.case_uuid, ""),
            update=wire.CaseUpdateIn.model_validate_json(updates[r.case_uuid]) if r.case_uuid in updates else None,
            void=wire.DayRecordIn.model_validate_json(voids[r.case_uuid]) if r.case_uuid in voids else None,
        )
        for r in page
    ]
    if held:
        security_event(
            db,
            "device_cases_pulled",
            username=who.username,
            device_id=who.device_id,
            detail=f"{len(held)} cases from {start}",
            routine=True,
        )
        db.commit()
    return wire.HeldCasesResponse(cases=held, more=len(rows) > PAGE)


def _latest_notes(db: Session, keys: list[str]) -> dict[str, str]:
    notes: dict[str, str] = {}
    for key, note in db.execute(
        select(StatusEventRow.case_uuid, StatusEventRow.note)
        .where(StatusEventRow.case_uuid.in_(keys))
        .order_by(StatusEventRow.seq)
    ):
        notes[key] = note
    return notes


Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get(f"{wire.API_PREFIX}/devices/me/records", response_model=wire.HeldRecordsResponse)
def device_records(access: Allowed, db: Db, since: date, offset: Offset = 0) -> wire.HeldRecordsResponse:
    """The caller's device's signed day closes and corrections from a day on (voids come with their cases)."""
    who = access.caller
    access.check(who.office_code)
    rows = db.scalars(
        select(DayRecordRow)
        .where(
            DayRecordRow.device_id == who.device_id,
            DayRecordRow.kind.in_(("day_close", "correction")),
            DayRecordRow.business_date >= since,
        )
        .order_by(DayRecordRow.business_date, DayRecordRow.received_at, DayRecordRow.record_uuid)
        .offset(offset)
        .limit(wire.MAX_BATCH + 1)
    ).all()
    records = [wire.DayRecordIn.model_validate_json(r.payload) for r in rows[: wire.MAX_BATCH]]
    return wire.HeldRecordsResponse(records=records, more=len(rows) > wire.MAX_BATCH)
