"""Cases, their later verifications, and the devices' book records (voids, day closes, corrections), each bound
to the caller: a device writes only under its own office and device id, only numbers of its own prefix, only
once per number; updates and voids only of its office's cases; supervisors' approvals checked by the city.

Every item is answered on its own (accepted, duplicate, conflict, rejected with a reason code), so one bad item
never blocks the queue, and a replay under the same key is a duplicate, never a second case.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import Update, func, insert, or_, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityserver import approvals, telemetry
from cityserver.approvals import Claim
from cityserver.context import Db, ServerState, State, aware, now, security_event
from cityserver.db import (
    CaseRow,
    CaseStepRow,
    CaseUpdateRow,
    DayRecordRow,
    ResidentRow,
    StatusEventRow,
    number_in_commit_order,
)
from cityserver.permissions import Access, Allowed, Caller, Relation
from forms.cashcount import from_figures, total
from forms.clock import TAIPEI
from forms.errors import DomainError
from forms.ids import mask_id, parse_id
from sync.protocol import wire

log = logging.getLogger(__name__)

router = APIRouter()

Row = CaseRow | CaseUpdateRow | DayRecordRow
Guard = Callable[[Session], str | None]  # a reason code to refuse the item, checked inside its transaction


class _Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _rejected(key: uuid.UUID, code: str, detail: str = "") -> wire.CaseResult:
    return wire.CaseResult(case_uuid=key, status="rejected", detail=f"{code}: {detail}" if detail else code)


@dataclass
class Item:
    """An item ready to store: its row, what goes with it, and the checks that need the transaction."""

    key: uuid.UUID
    row: Row
    with_it: list[StatusEventRow] = field(default_factory=list)
    then: Update | None = None
    guard: Guard | None = None
    claim: Claim | None = None


def _insert_once(server: ServerState, who: Caller, item: Item) -> wire.CaseResult:
    """Insert an item under its idempotency key, with what goes with it, in one transaction. The primary key
    decides (no check-then-insert): a replay with the same content is a duplicate, other content under the same
    key a conflict that never overwrites. A new item then passes its guard and spends its approval there."""
    try:
        with server.factory.begin() as s:
            s.add(item.row)
            s.flush()
            if item.guard is not None and (problem := item.guard(s)):
                raise _Refused(problem)
            if item.claim is not None:
                if problem := approvals.check(s, who, item.claim):
                    raise _Refused(problem)
                approvals.use(s, item.claim, str(item.key))
            s.add_all(item.with_it)
            if item.then is not None:
                s.execute(item.then)
        return wire.CaseResult(case_uuid=item.key, status="accepted")
    except _Refused as refused:
        return _rejected(item.key, refused.code)
    except IntegrityError:
        with server.factory() as s:
            existing = s.get(type(item.row), str(item.key))
            held = existing.content_hash if isinstance(existing, Row) else None
            if existing is None:
                # Not a replay: another request took a number, a close or an approval at the same moment.
                problem = item.guard(s) if item.guard is not None else None
                if problem is None and item.claim is not None:
                    problem = approvals.check(s, who, item.claim)
                if problem is None:
                    raise  # a server fault: answered 500, the client retries later
                return _rejected(item.key, problem)
        if held == item.row.content_hash:
            return wire.CaseResult(case_uuid=item.key, status="duplicate")
        return wire.CaseResult(case_uuid=item.key, status="conflict", detail="different content for this key")


# -- cases ------------------------------------------------------------------------------------------------------


def _binding(case: wire.CaseIn, who: Caller) -> str | None:
    """A case must be written by the device it names, under numbers of that device's prefix."""
    if case.office_code != who.office_code:
        return "not_your_office"
    if case.device_id != who.device_id:
        return "not_your_device"
    if not case.case_number.startswith(f"{who.office_code}-{who.device_id}-"):
        return "case_number_prefix"
    if not case.receipt_number.startswith(f"{who.device_id}-R"):
        return "receipt_number_prefix"
    return None


def _numbers_taken(s: Session, who: Caller, case: wire.CaseIn) -> str | None:
    """A number the city already holds under another case (a reused or predicted number)."""
    key = str(case.case_uuid)
    if s.scalar(select(CaseRow.case_uuid).where(CaseRow.case_number == case.case_number, CaseRow.case_uuid != key)):
        return "case_number_taken"
    held = select(CaseRow.case_uuid).where(
        CaseRow.device_id == who.device_id, CaseRow.receipt_number == case.receipt_number, CaseRow.case_uuid != key
    )
    if s.scalar(held):
        return "receipt_number_taken"
    return None


def _route(server: ServerState, case: wire.CaseIn, national_id: str) -> tuple[str, str, str]:
    """跨區收件 goes to the applicant's registered district office; 跨區申辦 stays where it was received."""
    if server.catalog.get(case.service_code).cross_district != "收件":
        return case.office_code, "收件", ""
    with server.factory() as s:
        resident = s.get(ResidentRow, national_id)
    home = json.loads(resident.records)["household"] if resident else None
    if not home or home.get("district_code") in (None, case.office_code):
        return case.office_code, "收件", ""
    return str(home["district_code"]), "已轉送", f"轉{home['city_name']}{home['district_name']}公所辦理"


def _override_claim(case: wire.CaseIn) -> Claim | None:
    o = case.override
    if o is None:
        return None
    return Claim("override", case.case_uuid, None, o.supervisor, str(o.approval_id), o.proof, tuple(o.rules))


def _prepare_case(server: ServerState, who: Caller, case: wire.CaseIn) -> Item | wire.CaseResult:
    if problem := _binding(case, who):
        return _rejected(case.case_uuid, problem)
    try:
        national_id = parse_id(case.national_id).value
        server.catalog.get(case.service_code)
    except DomainError as exc:
        return _rejected(case.case_uuid, exc.code)
    assigned, status, note = _route(server, case, national_id)
    row = CaseRow(
        assigned_office=assigned,
        status=status,
        case_uuid=str(case.case_uuid),
        case_number=case.case_number,
        receipt_number=case.receipt_number,
        content_hash=case.content_hash(),
        service_code=case.service_code,
        national_id=national_id,
        payload=case.model_dump_json(),
        office_code=case.office_code,
        device_id=case.device_id,
        pushed_by=who.username,
        business_date=case.received_at.astimezone(TAIPEI).date(),
    )
    event = StatusEventRow(case_uuid=str(case.case_uuid), status=status, note=note, at=now())
    return Item(
        case.case_uuid,
        row,
        [event],
        guard=lambda s, c=case: _numbers_taken(s, who, c),  # type: ignore[misc]
        claim=_override_claim(case),
    )


def _values(row: object) -> dict[str, object]:
    """A new ORM row's set columns, for a Core insert (what is unset gets the column's default)."""
    state = sa_inspect(row)
    return {a.key: value for a in state.mapper.column_attrs if (value := getattr(row, a.key)) is not None}


def _store_cases(server: ServerState, who: Caller, items: list[Item]) -> list[wire.CaseResult]:
    """New cases in one transaction (one durable commit for the batch) when none is a replay and none needs an
    approval or holds a taken number; otherwise each on its own, so each gets its exact answer."""
    keys = [i.key for i in items]
    simple = len(set(keys)) == len(keys) and all(i.claim is None for i in items)
    if simple:
        with server.factory() as s:
            numbers = [i.row.case_number for i in items if isinstance(i.row, CaseRow)]
            receipts = [i.row.receipt_number for i in items if isinstance(i.row, CaseRow)]
            clash = s.scalar(
                select(func.count())
                .select_from(CaseRow)
                .where(
                    or_(
                        CaseRow.case_uuid.in_([str(k) for k in keys]),
                        CaseRow.case_number.in_(numbers),
                        (CaseRow.device_id == who.device_id) & CaseRow.receipt_number.in_(receipts),
                    )
                )
            )
        if not clash:
            try:
                # Core executemany, not the ORM's unit of work: a batch of 200 spent 1.5 of its 2.9 s in flush.
                with server.factory.begin() as s:
                    s.execute(insert(CaseRow), [_values(i.row) for i in items])
                    number_in_commit_order(s)
                    s.execute(insert(StatusEventRow), [_values(e) for i in items for e in i.with_it])
                return [wire.CaseResult(case_uuid=k, status="accepted") for k in keys]
            except IntegrityError:
                pass  # a concurrent request took a key or a number: answer each on its own
    return [_insert_once(server, who, i) for i in items]


@router.post(f"{wire.API_PREFIX}/cases:batch", response_model=wire.CasesBatchResponse)
def cases_batch(body: wire.CasesBatchRequest, access: Allowed, server: State) -> wire.CasesBatchResponse:
    who = access.caller
    telemetry.BATCH_ITEMS.labels("cases").observe(len(body.cases))
    prepared = [_prepare_case(server, who, case) for case in body.cases]
    good = [p for p in prepared if isinstance(p, Item)]
    stored = iter(_store_cases(server, who, good) if good else [])
    results = [p if isinstance(p, wire.CaseResult) else next(stored) for p in prepared]
    counts = {s: sum(r.status == s for r in results) for s in ("accepted", "duplicate", "conflict", "rejected")}
    log.info("batch from %s/%s: %s", who.office_code, who.device_id, json.dumps(counts))
    _flag_future(server, who, body.cases, results)
    return wire.CasesBatchResponse(results=results, server_time=now())


FUTURE_TOLERANCE = timedelta(minutes=5)  # as Anki: a clock five minutes off is a clock to fix


def _flag_future(server: ServerState, who: Caller, cases: list[wire.CaseIn], results: list[wire.CaseResult]) -> None:
    """A case stored with a time still to come at the city was taken on a clock that runs fast: it is kept (the
    citizen holds its receipt) and flagged where the city's staff count such things, with how far ahead it was."""
    accepted = {r.case_uuid for r in results if r.status == "accepted"}
    moment = now()
    ahead = [(c, c.received_at - moment) for c in cases if c.case_uuid in accepted]
    ahead = [(c, d) for c, d in ahead if d > FUTURE_TOLERANCE]
    if not ahead:
        return
    with server.factory.begin() as s:
        for case, by in ahead:
            security_event(
                s,
                "case_time_ahead",
                username=who.username,
                office_code=who.office_code,
                device_id=who.device_id,
                detail=f"{case.case_number} {round(by.total_seconds() / 60)} min ahead",
            )


def _own_case(s: Session, access: Access, case_uuid: uuid.UUID) -> CaseRow | None:
    """The case if the caller may act on it here (its office's; the table decides about forwarded ones)."""
    case = s.get(CaseRow, str(case_uuid))
    if case is None or not access.allows(access.relation(case.office_code)):
        return None
    return case


@router.post(f"{wire.API_PREFIX}/case-updates:batch", response_model=wire.CasesBatchResponse)
def case_updates_batch(body: wire.CaseUpdatesBatchRequest, access: Allowed, server: State) -> wire.CasesBatchResponse:
    telemetry.BATCH_ITEMS.labels("updates").observe(len(body.updates))
    results = []
    for update_ in body.updates:
        with server.factory() as s:
            case = _own_case(s, access, update_.case_uuid)
        if case is None:
            results.append(_rejected(update_.update_uuid, "unknown_case"))
            continue
        row = CaseUpdateRow(
            update_uuid=str(update_.update_uuid),
            case_uuid=str(update_.case_uuid),
            content_hash=update_.content_hash(),
            payload=update_.model_dump_json(),
        )
        results.append(_insert_once(server, access.caller, Item(update_.update_uuid, row)))
    return wire.CasesBatchResponse(results=results, server_time=now())


# -- book records -------------------------------------------------------------------------------------------------


def _figures_problem(s: Session, who: Caller, record: wire.DayRecordIn) -> str | None:
    """A signed day's figures: only the known totals, and they account for every case the city holds of that
    device and day (valid, voided, or acknowledged as held by the city only)."""
    figures = record.figures
    if set(figures) - set(wire.DAY_FIGURES) or "cases" not in figures:
        return "day_close_figures"
    if total(from_figures(figures)) > figures.get("cash_counted", 0):
        return "day_close_figures"  # more notes and coins than the cash it signs for
    held = s.scalar(
        select(func.count())
        .select_from(CaseRow)
        .where(CaseRow.device_id == who.device_id, CaseRow.business_date == record.business_date)
    )
    accounted = figures["cases"] + figures.get("voided", 0) + figures.get("only_server", 0)
    if accounted < int(held or 0):
        return "day_close_figures"
    return None


def _prepare_record(server: ServerState, access: Access, record: wire.DayRecordIn) -> Item | wire.CaseResult:
    who = access.caller
    key = record.record_uuid
    if record.office_code != who.office_code or record.device_id != who.device_id:
        return _rejected(key, "not_your_device")
    events: list[StatusEventRow] = []
    then: Update | None = None
    if record.kind == "day_close":
        if record.case_uuid is not None or record.report_hash is None:
            return _rejected(key, "day_close_invalid")
        subject = key
        once = f"close|{who.device_id}|{record.business_date.isoformat()}"
    else:
        if record.case_uuid is None:
            if record.kind == "void":
                return _rejected(key, "void_without_case")
            subject, once = key, None
        else:
            with server.factory() as s:
                case = s.get(CaseRow, str(record.case_uuid))
            if case is None or case.device_id != who.device_id or case.office_code != who.office_code:
                return _rejected(key, "unknown_case")
            fee = int(json.loads(case.payload).get("fee", 0))
            if record.kind == "correction" and record.amount < -fee:
                return _rejected(key, "refund_exceeds_fee")
            if record.kind == "void" and record.business_date != case.business_date:
                return _rejected(key, "void_wrong_day")
            subject = record.case_uuid
            withdraws = record.kind == "void" or record.amount < 0
            once = f"void|{case.case_uuid}" if withdraws else None
            if withdraws and case.status != "撤回":
                events.append(
                    StatusEventRow(
                        case_uuid=case.case_uuid, status="撤回", note=f"收據作廢：{record.reason}"[:200], at=now()
                    )
                )
                then = update(CaseRow).where(CaseRow.case_uuid == case.case_uuid).values(status="撤回")
    row = DayRecordRow(
        record_uuid=str(key),
        kind=record.kind,
        office_code=record.office_code,
        device_id=record.device_id,
        business_date=record.business_date,
        case_uuid=str(record.case_uuid) if record.case_uuid else None,
        content_hash=record.content_hash(),
        payload=record.model_dump_json(),
        approved_by=record.by,
        once_key=once,
    )

    def guard(s: Session) -> str | None:
        if once and s.scalar(
            select(DayRecordRow.record_uuid).where(DayRecordRow.once_key == once, DayRecordRow.record_uuid != str(key))
        ):
            return "day_already_closed" if record.kind == "day_close" else "void_twice"
        return _figures_problem(s, who, record) if record.kind == "day_close" else None

    claim = Claim(
        record.kind,
        subject,
        record.business_date if record.kind == "day_close" else None,
        record.by,
        record.approval,
        record.approval_proof,
    )
    return Item(key, row, events, then=then, guard=guard, claim=claim)


@router.post(f"{wire.API_PREFIX}/day-records:batch", response_model=wire.CasesBatchResponse)
def day_records_batch(body: wire.DayRecordsBatchRequest, access: Allowed, server: State) -> wire.CasesBatchResponse:
    """A void or correction of a case marks the city's case 撤回 in the same transaction (once: a replay is a
    duplicate and changes nothing). Each record's supervisor approval is checked and spent here."""
    telemetry.BATCH_ITEMS.labels("records").observe(len(body.records))
    results = []
    for record in body.records:
        prepared = _prepare_record(server, access, record)
        results.append(
            prepared if isinstance(prepared, wire.CaseResult) else _insert_once(server, access.caller, prepared)
        )
    return wire.CasesBatchResponse(results=results, server_time=now())


# -- what devices read back ----------------------------------------------------------------------------------------


@router.post(f"{wire.API_PREFIX}/digest", response_model=wire.DigestResponse)
def digest(body: wire.DigestRequest, access: Allowed, db: Db) -> wire.DigestResponse:
    """Every case the server holds from the caller's device for a day, with its content hash: the device
    compares, and re-sends what a server restored from backup has lost."""
    rows = db.execute(
        select(CaseRow.case_uuid, CaseRow.content_hash).where(
            CaseRow.device_id == access.caller.device_id, CaseRow.business_date == body.day
        )
    ).all()
    items = [wire.DigestItem(case_uuid=uuid.UUID(u), content_hash=h) for u, h in rows]
    return wire.DigestResponse(day=body.day, items=items)


@router.get(f"{wire.API_PREFIX}/cases/count", response_model=wire.CaseCount)
def case_count(access: Allowed, db: Db) -> wire.CaseCount:
    """How many cases the server holds for the caller's device."""
    count = db.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.device_id == access.caller.device_id))
    return wire.CaseCount(count=int(count or 0))


Cursor = Annotated[int, Query(ge=0, le=wire.MAX_CURSOR)]


@router.get(f"{wire.API_PREFIX}/status-changes", response_model=wire.StatusChangesResponse)
def status_changes(access: Allowed, db: Db, since: Cursor = 0) -> wire.StatusChangesResponse:
    """Status steps of the cases the caller's office took or must decide, after the caller's cursor."""
    office = access.caller.office_code
    visible = [CaseRow.office_code == office] if access.allows(Relation.OWN) else []
    if access.allows(Relation.FORWARDED):
        visible.append(CaseRow.assigned_office == office)
    rows = db.execute(
        select(StatusEventRow, CaseRow.case_number, CaseStepRow.owed, CaseStepRow.owed_by)
        .join(CaseRow, CaseRow.case_uuid == StatusEventRow.case_uuid)
        .outerjoin(CaseStepRow, CaseStepRow.seq == StatusEventRow.seq)  # what a 補件 asks for
        .where(StatusEventRow.seq > since)
        .where(or_(*visible))
        .order_by(StatusEventRow.seq)
        .limit(500)
    ).all()
    changes = [
        wire.StatusChange(
            seq=e.seq,
            case_uuid=uuid.UUID(e.case_uuid),
            case_number=number,
            status=e.status,
            note=e.note,
            at=aware(e.at),
            owed=json.loads(owed) if owed else [],
            owed_by=owed_by,
        )
        for e, number, owed, owed_by in rows
    ]
    return wire.StatusChangesResponse(changes=changes, cursor=changes[-1].seq if changes else since)


@router.get(f"{wire.API_PREFIX}/forwarded", response_model=wire.ForwardedResponse)
def forwarded(access: Allowed, db: Db) -> wire.ForwardedResponse:
    """The queue of cases other offices received for this one (跨區收件 → 戶籍地區公所)."""
    office = access.caller.office_code
    rows = db.scalars(
        select(CaseRow)
        .where(CaseRow.assigned_office == office, CaseRow.office_code != office)
        .order_by(CaseRow.case_number)
    ).all()
    return wire.ForwardedResponse(
        cases=[
            wire.ForwardedCase(
                case_number=r.case_number,
                service_code=r.service_code,
                id_masked=mask_id(r.national_id),
                received_by=r.office_code,
                status=r.status,
            )
            for r in rows
        ]
    )
