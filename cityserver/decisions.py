"""The deciding office's back office: its queue of open cases (its own and those other offices received for it), and
the steps it records on them (審核中 / 補件 / 核准 / 駁回), each once under its key, checked against forms.casesteps,
and numbered as a status event that the receiving office's devices and /track follow."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import date

from fastapi import APIRouter
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityserver.context import Db, State, aware, now, office_day_of
from cityserver.db import CLOSED_STATUSES, CaseArrivalRow, CaseRow, CaseStepRow, StatusEventRow
from cityserver.errors import ApiError
from cityserver.permissions import Allowed
from forms.casesteps import SUPPLEMENT, Step, check_step
from forms.catalog import Catalog
from forms.clock import TAIPEI
from forms.errors import CatalogError, ValidationError
from forms.ids import mask_id
from forms.transit import Arrival, Paper, check_arrival, papers_after, travelling, waiting
from sync.protocol import wire

log = logging.getLogger(__name__)
router = APIRouter()
QUEUE_LIMIT = 5000


def _change(case: CaseRow, event: StatusEventRow, step: CaseStepRow | None) -> wire.StatusChange:
    return wire.StatusChange(
        seq=event.seq,
        case_uuid=uuid.UUID(case.case_uuid),
        case_number=case.case_number,
        status=event.status,
        note=event.note,
        at=aware(event.at),
        owed=json.loads(step.owed) if step is not None else [],
        owed_by=step.owed_by if step is not None else None,
    )


def _again(db: Session, case: CaseRow, body: wire.CaseStepIn, digest: str) -> wire.StatusChange | None:
    """The step already recorded under this key: the same step again (answered as it was), or other content."""
    held = db.get(CaseStepRow, str(body.step_uuid))
    if held is None:
        return None
    if held.case_uuid != case.case_uuid or held.content_hash != digest:
        raise ApiError(409, "step_conflict", "another step was recorded under this key")
    event = db.scalars(select(StatusEventRow).where(StatusEventRow.seq == held.seq)).one()
    return _change(case, event, held)


# -- paper sent on with a 跨區收件 case ---------------------------------------------------------------------------


def _travelling(catalog: Catalog, case: CaseRow) -> tuple[str, ...]:
    """The paper the receiving office checked and sent on (none for a case decided where it was taken)."""
    if case.assigned_office in (None, case.office_code):
        return ()
    shown = (json.loads(case.payload).get("terms") or {}).get("shown") or []
    try:
        service = catalog.get(case.service_code)
    except CatalogError:
        return ()  # a service the city no longer lists: nothing it can say travels
    return travelling(service.documents, shown)


def _arrivals(db: Session, keys: list[str]) -> dict[str, list[CaseArrivalRow]]:
    found: dict[str, list[CaseArrivalRow]] = {key: [] for key in keys}
    for start in range(0, len(keys), 500):  # bounded IN lists
        rows = db.scalars(
            select(CaseArrivalRow)
            .where(CaseArrivalRow.case_uuid.in_(keys[start : start + 500]))
            .order_by(CaseArrivalRow.at, CaseArrivalRow.arrival_uuid)
        ).all()
        for row in rows:
            found[row.case_uuid].append(row)
    return found


def _papers(names: tuple[str, ...], rows: list[CaseArrivalRow]) -> tuple[Paper, ...]:
    marks = [
        (
            Arrival(tuple(json.loads(r.received)), tuple(json.loads(r.missing)), r.note),
            aware(r.at).astimezone(TAIPEI).date(),
        )
        for r in rows
    ]
    return papers_after(names, marks)


def _paper_lines(papers: tuple[Paper, ...]) -> list[wire.PaperLine]:
    return [wire.PaperLine(name=p.name, state=p.state, on=p.on, note=p.note) for p in papers]


def _papers_of(db: Session, catalog: Catalog, case: CaseRow) -> tuple[Paper, ...]:
    names = _travelling(catalog, case)
    return _papers(names, _arrivals(db, [case.case_uuid])[case.case_uuid]) if names else ()


@router.post(f"{wire.API_PREFIX}/cases/{{case_uuid}}/arrivals", response_model=wire.PapersResponse)
def record_arrival(
    case_uuid: uuid.UUID, body: wire.ArrivalIn, access: Allowed, db: Db, server: State
) -> wire.PapersResponse:
    """The home office marks the paper another office sent on with a 跨區收件 case (已到件 / 未到件). A retry under
    the same arrival_uuid answers the papers as they are; other content under the key is refused."""
    case = db.get(CaseRow, str(case_uuid))
    if case is None:
        raise ApiError(404, "not_found", "no such case for this office")
    access.check(case.office_code, case.assigned_office)  # only the office the case was forwarded to
    digest = wire.content_hash(body)
    held = db.get(CaseArrivalRow, str(body.arrival_uuid))
    if held is not None:
        if held.case_uuid != case.case_uuid or held.content_hash != digest:
            raise ApiError(409, "arrival_conflict", "another marking was recorded under this key")
        return wire.PapersResponse(case_uuid=case_uuid, papers=_paper_lines(_papers_of(db, server.catalog, case)))
    try:
        marked = check_arrival(
            _papers_of(db, server.catalog, case), Arrival(tuple(body.received), tuple(body.missing), body.note)
        )
    except ValidationError as exc:
        raise ApiError(422, "arrival_invalid", exc.code) from exc
    db.add(
        CaseArrivalRow(
            arrival_uuid=str(body.arrival_uuid),
            case_uuid=case.case_uuid,
            content_hash=digest,
            received=json.dumps(list(marked.received), ensure_ascii=False),
            missing=json.dumps(list(marked.missing), ensure_ascii=False),
            note=marked.note,
            by=access.caller.username,
            office_code=access.caller.office_code,
            at=now(),
        )
    )
    try:
        db.commit()
    except IntegrityError:  # the same key recorded by a concurrent retry
        db.rollback()
        held = db.get(CaseArrivalRow, str(body.arrival_uuid))
        if held is None or held.case_uuid != case.case_uuid or held.content_hash != digest:
            raise ApiError(409, "arrival_conflict", "another marking was recorded under this key") from None
    log.info("case %s: paper marked by %s", case.case_number, access.caller.username)
    return wire.PapersResponse(case_uuid=case_uuid, papers=_paper_lines(_papers_of(db, server.catalog, case)))


# -- steps ---------------------------------------------------------------------------------------------------------


@router.post(f"{wire.API_PREFIX}/cases/{{case_uuid}}/steps", response_model=wire.StatusChange)
def record_step(
    case_uuid: uuid.UUID, body: wire.CaseStepIn, access: Allowed, db: Db, server: State
) -> wire.StatusChange:
    """The deciding office records a step; no other office may (it cannot even see the case). A retry under the
    same step_uuid answers the step recorded; a step that no longer follows the case's status is refused."""
    case = db.get(CaseRow, str(case_uuid))
    if case is None:
        raise ApiError(404, "not_found", "no such case for this office")
    access.check(case.office_code, case.assigned_office)  # the receiving office of a forwarded case may not
    digest = wire.content_hash(body)
    if (same := _again(db, case, body, digest)) is not None:
        return same
    today = now().astimezone(TAIPEI).date()
    try:
        asked = Step(body.status, body.note, tuple(body.owed), body.owed_by)
        step = check_step(case.status, asked, today, waiting(_papers_of(db, server.catalog, case)))
    except ValidationError as exc:
        raise ApiError(409 if exc.code == "step_case_closed" else 422, "step_invalid", exc.code) from exc
    moment = now()
    moved = db.execute(
        update(CaseRow)
        .where(CaseRow.case_uuid == case.case_uuid, CaseRow.status == case.status)
        .values(status=step.status)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        raise ApiError(409, "step_case_changed", "the case moved on meanwhile")
    event = StatusEventRow(case_uuid=case.case_uuid, status=step.status, note=step.note[:200], at=moment)
    db.add(event)
    db.flush()
    row = CaseStepRow(
        step_uuid=str(body.step_uuid),
        case_uuid=case.case_uuid,
        seq=event.seq,
        status=step.status,
        content_hash=digest,
        owed=json.dumps(list(step.owed), ensure_ascii=False),
        owed_by=step.owed_by,
        by=access.caller.username,
        office_code=access.caller.office_code,
        at=moment,
    )
    db.add(row)
    try:
        db.commit()
    except IntegrityError:  # the same key recorded by a concurrent retry
        db.rollback()
        db.refresh(case)
        if (same := _again(db, case, body, digest)) is not None:
            return same
        raise
    log.info("case %s: %s by %s", case.case_number, step.status, access.caller.username)
    return _change(case, event, row)


def _histories(db: Session, keys: list[str]) -> dict[str, list[tuple[StatusEventRow, CaseStepRow | None]]]:
    """Each case's status events in order, with the recorded step behind each (None: intake's own)."""
    found: dict[str, list[tuple[StatusEventRow, CaseStepRow | None]]] = {key: [] for key in keys}
    for start in range(0, len(keys), 500):  # bounded IN lists
        rows = db.execute(
            select(StatusEventRow, CaseStepRow)
            .outerjoin(CaseStepRow, CaseStepRow.seq == StatusEventRow.seq)
            .where(StatusEventRow.case_uuid.in_(keys[start : start + 500]))
            .order_by(StatusEventRow.seq)
        ).all()
        for event, step in rows:
            found[event.case_uuid].append((event, step))
    return found


def _queue_case(
    case: CaseRow, history: list[tuple[StatusEventRow, CaseStepRow | None]], papers: tuple[Paper, ...] = ()
) -> wire.QueueCase:
    payload = json.loads(case.payload)
    taken_by = payload.get("clerk") or case.pushed_by
    steps = [step for _, step in history if step is not None]
    last = steps[-1] if steps else None
    supplement = last is not None and last.status == SUPPLEMENT and case.status == SUPPLEMENT
    due = payload.get("due_date")
    return wire.QueueCase(
        case_uuid=uuid.UUID(case.case_uuid),
        case_number=case.case_number,
        service_code=case.service_code,
        id_masked=mask_id(case.national_id),
        received_by=case.office_code,
        clerk=taken_by,
        received_on=case.business_date,
        status=case.status,
        due_date=date.fromisoformat(due) if due else None,
        owed=json.loads(last.owed) if supplement and last is not None else payload.get("documents_owed", []),
        owed_by=last.owed_by if supplement and last is not None else None,
        holder=last.by if last is not None else taken_by,
        history=[
            wire.StepMark(
                status=event.status,
                on=aware(event.at).astimezone(TAIPEI).date(),
                by=step.by if step is not None else taken_by,
            )
            for event, step in history
        ],
        papers=_paper_lines(papers),
    )


@router.get(f"{wire.API_PREFIX}/queue", response_model=wire.QueueResponse)
def case_queue(access: Allowed, db: Db, server: State) -> wire.QueueResponse:
    """The open cases the caller's office decides, oldest due first (those without a due date last)."""
    office = access.caller.office_code
    cases = db.scalars(
        select(CaseRow)
        .where(CaseRow.assigned_office == office, CaseRow.status.not_in(CLOSED_STATUSES))
        .order_by(CaseRow.business_date, CaseRow.case_number)
        .limit(QUEUE_LIMIT)
    ).all()
    histories = _histories(db, [c.case_uuid for c in cases])
    arrivals = _arrivals(db, [c.case_uuid for c in cases if c.office_code != office])
    queue = [
        _queue_case(c, histories[c.case_uuid], _papers(_travelling(server.catalog, c), arrivals.get(c.case_uuid, [])))
        for c in cases
    ]
    queue.sort(key=lambda q: (q.due_date is None, q.due_date or date.max, q.case_number))
    return wire.QueueResponse(cases=queue)


@router.get(f"{wire.API_PREFIX}/monthly/{{first}}/{{last}}", response_model=wire.MonthlyResponse)
def monthly(first: date, last: date, access: Allowed, db: Db) -> wire.MonthlyResponse:
    """月報: the cases the caller's office received or decides with a business day in [first, last], and its
    cases still open from before (they may be late)."""
    first, last = office_day_of(first), office_day_of(last)
    if last < first or (last - first).days > 366:
        raise ApiError(422, "invalid_request", "a period of at most a year")
    office = access.caller.office_code
    mine = or_(CaseRow.office_code == office, CaseRow.assigned_office == office)
    inside = and_(CaseRow.business_date >= first, CaseRow.business_date <= last)
    still_open = and_(CaseRow.business_date < first, CaseRow.status.not_in(CLOSED_STATUSES))
    cases = db.scalars(
        select(CaseRow).where(mine, or_(inside, still_open)).order_by(CaseRow.business_date).limit(100_000)
    ).all()
    histories = _histories(db, [c.case_uuid for c in cases])
    return wire.MonthlyResponse(
        office_code=office, first=first, last=last, cases=[_queue_case(c, histories[c.case_uuid]) for c in cases]
    )
