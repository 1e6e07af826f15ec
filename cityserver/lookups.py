"""Personal-data look-ups with a purpose: one person for the intake a case is being taken for (only the registers
that service needs), or many for a supervisor's re-verification of their office's beneficiaries or of a list
registered beforehand. Every person is audited before anything is answered; volume is counted per user and
office, reported when unusual and refused above the cap."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import UTC, datetime, time
from typing import Any, NoReturn

from fastapi import APIRouter, Response
from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityserver import telemetry
from cityserver.context import Db, ServerState, State, now, security_event
from cityserver.db import (
    CLOSED_STATUSES,
    CaseRow,
    LookupAuditRow,
    ReviewListRow,
    ReviewMemberRow,
)
from cityserver.errors import ApiError
from cityserver.permissions import Allowed, Caller
from cityserver.population import not_found
from cityserver.registers import RegisterUnavailable
from forms.clock import TAIPEI
from forms.errors import DomainError
from forms.ids import id_digest, mask_id, parse_id
from forms.types import ServiceType
from sync.protocol import wire

log = logging.getLogger(__name__)

router = APIRouter()


def _service(server: ServerState, code: str) -> ServiceType:
    try:
        return server.catalog.get(code)
    except DomainError as exc:
        raise ApiError(422, "purpose_unknown", f"unknown service {code}") from exc


def _national_id(raw: str) -> str:
    try:
        return parse_id(raw).value
    except DomainError as exc:
        raise ApiError(422, exc.code, "national_id is not a valid number") from exc


def _report(db: Session, who: Caller, kind: str, detail: str, routine: bool = False) -> None:
    """A security event of the caller (user, office, device), in the request's transaction."""
    security_event(
        db,
        kind,
        username=who.username,
        office_code=who.office_code,
        device_id=who.device_id,
        detail=detail,
        routine=routine,
    )


def _start_of_day() -> datetime:
    """Midnight of the office day (Taipei), in UTC: SQLite keeps the audit's times as UTC text without a zone and
    compares text, so a Taipei midnight would be read as 8 hours later (the daily caps did nothing from 00:00 to
    08:00 Taipei time on SQLite)."""
    return datetime.combine(now().astimezone(TAIPEI).date(), time(0), tzinfo=TAIPEI).astimezone(UTC)


def _audit_row(
    server: ServerState, who: Caller, case: uuid.UUID, purpose: str, kind: str, nid: str, result: str
) -> dict[str, Any]:
    return {
        "lookup_id": str(uuid.uuid4()),
        "at": now(),
        "username": who.username,
        "office_code": who.office_code,
        "device_id": who.device_id,
        "case_uuid": str(case),
        "purpose": purpose[:48],
        "kind": kind,
        "id_masked": mask_id(nid),
        "id_digest": id_digest(nid, server.pepper),
        "result": result,
    }


def _count_single(db: Session, server: ServerState, who: Caller) -> None:
    """A user's look-ups today: reported once past the warning level, refused past the cap (audited)."""
    settings = server.settings
    today = db.scalar(
        select(func.count())
        .select_from(LookupAuditRow)
        .where(LookupAuditRow.username == who.username, LookupAuditRow.at >= _start_of_day())
    )
    count = int(today or 0)
    if count >= settings.lookups_cap_per_user_day:
        _report(db, who, "lookup_cap", f"{count} look-ups today")
        db.commit()
        raise ApiError(429, "lookup_quota_exceeded", "daily look-up limit reached", {"Retry-After": "3600"})
    if count == settings.lookups_warn_per_user_day:
        _report(db, who, "lookup_volume", f"{count} look-ups today")


def _case_of_another(db: Session, who: Caller, case_uuid: uuid.UUID) -> bool:
    """A look-up names an intake: a case the city already holds under that id must be the caller's device's."""
    owner = db.scalar(select(CaseRow.device_id).where(CaseRow.case_uuid == str(case_uuid)))
    return owner is not None and owner != who.device_id


@router.post(f"{wire.API_PREFIX}/lookups/{{kind}}", response_model=wire.LookupResponse)
def lookup(
    kind: wire.LookupKind, body: wire.LookupRequest, access: Allowed, db: Db, server: State
) -> wire.LookupResponse:
    who = access.caller
    service = _service(server, body.purpose)
    national_id = _national_id(body.national_id)
    if kind not in service.lookups:
        _report(db, who, "lookup_off_purpose", f"{kind} for {service.code}")
        db.commit()
        raise ApiError(403, "lookup_not_for_purpose", f"{service.code} does not need the {kind} register")
    if _case_of_another(db, who, body.case_uuid):
        raise ApiError(403, "lookup_case_not_yours", "that case belongs to another device")
    _count_single(db, server, who)
    try:
        found = server.registers[kind].find([national_id]).get(national_id)
    except RegisterUnavailable as exc:
        _unavailable(db, server, who, body.purpose, [kind], [(body.case_uuid, national_id)], exc)
    # Audit first: no committed audit row, no answer.
    row = _audit_row(server, who, body.case_uuid, body.purpose, kind, national_id, "hit" if found else "miss")
    db.execute(insert(LookupAuditRow), [row])
    db.commit()
    _counted([row])
    raw = found if found is not None else not_found(kind)
    return wire.LookupResponse(lookup_id=uuid.UUID(row["lookup_id"]), kind=kind, record=raw, server_time=now())


def _counted(rows: list[dict[str, Any]]) -> None:
    """The metrics' share of what the audit recorded (after the commit: a refused look-up is not counted)."""
    counts: dict[tuple[str, str, str, str], int] = {}
    for r in rows:
        key = (r["office_code"], r["username"], r["kind"], r["result"])
        counts[key] = counts.get(key, 0) + 1
    for labels, n in counts.items():
        telemetry.LOOKUPS.labels(*labels).inc(n)


def _unavailable(
    db: Session,
    server: ServerState,
    who: Caller,
    purpose: str,
    kinds: list[str],
    people: list[tuple[uuid.UUID, str]],
    exc: RegisterUnavailable,
) -> NoReturn:
    """The register was asked (or would have been) and gave nothing: audited as such, then 503 — the counter
    records 待查驗 and the look-up runs again later."""
    rows = [_audit_row(server, who, ref, purpose, k, nid, "unavailable") for ref, nid in people for k in kinds]
    db.execute(insert(LookupAuditRow), rows)
    db.commit()
    _counted(rows)
    telemetry.REGISTER_UNAVAILABLE.labels(exc.kind, exc.why).inc()
    log.warning("register %s unavailable (%s) for %s/%s", exc.kind, exc.why, who.office_code, who.device_id)
    raise ApiError(503, "register_unavailable", f"the {exc.kind} register does not answer", {"Retry-After": "30"})


@router.post(f"{wire.API_PREFIX}/cases:open", response_model=wire.OpenCasesResponse)
def open_cases(body: wire.OpenCasesRequest, access: Allowed, db: Db, server: State) -> wire.OpenCasesResponse:
    """Case numbers of this person's cases of a service that are not closed (duplicate warning); audited like
    any other personal-data look-up, counted with them."""
    who = access.caller
    _service(server, body.service_code)
    national_id = _national_id(body.national_id)
    _count_single(db, server, who)
    db.execute(
        insert(LookupAuditRow),
        [_audit_row(server, who, body.case_uuid, body.service_code, "cases", national_id, "hit")],
    )
    db.commit()
    rows = db.scalars(
        select(CaseRow.case_number).where(
            CaseRow.service_code == body.service_code,
            CaseRow.national_id == national_id,
            CaseRow.status.not_in(CLOSED_STATUSES),
        )
    ).all()
    return wire.OpenCasesResponse(case_numbers=sorted(rows))


def _members_digest(digests: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(digests)).encode()).hexdigest()


@router.post(f"{wire.API_PREFIX}/review-lists", response_model=wire.ReviewListResponse, name="review_list")
def register_review_list(
    body: wire.ReviewListRequest, access: Allowed, db: Db, server: State
) -> wire.ReviewListResponse:
    """A supervisor registers a re-verification list before it is looked up (idempotent under its id)."""
    who = access.caller
    _service(server, body.purpose)
    digests: list[str] = []
    for raw in body.national_ids:
        try:
            digests.append(id_digest(parse_id(raw).value, server.pepper))
        except DomainError:
            continue  # a bad number is answered with its error when looked up; it is not on the list
    unique = sorted(set(digests))
    digest = _members_digest(unique)
    existing = db.get(ReviewListRow, str(body.list_id))
    if existing is not None:
        if (existing.office_code, existing.purpose, existing.digest) != (who.office_code, body.purpose, digest):
            raise ApiError(409, "review_list_conflict", "another list is registered under this id")
        return wire.ReviewListResponse(list_id=body.list_id, people=existing.people)
    db.add(
        ReviewListRow(
            list_id=str(body.list_id),
            office_code=who.office_code,
            purpose=body.purpose,
            name=body.name,
            created_by=who.username,
            created_at=now(),
            people=len(unique),
            digest=digest,
        )
    )
    db.flush()
    if unique:
        db.execute(insert(ReviewMemberRow), [{"list_id": str(body.list_id), "id_digest": d} for d in unique])
    _report(db, who, "review_list", f"{body.purpose}: {len(unique)} people", routine=True)
    try:
        db.commit()
    except IntegrityError as exc:  # the same id registered at the same moment by another request
        db.rollback()
        raise ApiError(409, "review_list_conflict", "registered concurrently; try again") from exc
    return wire.ReviewListResponse(list_id=body.list_id, people=len(unique))


def _batch_used_today(db: Session, who: Caller) -> int:
    used = db.scalar(
        select(func.count(func.distinct(LookupAuditRow.case_uuid))).where(
            LookupAuditRow.office_code == who.office_code,
            LookupAuditRow.at >= _start_of_day(),
            LookupAuditRow.purpose.like("%:review"),
        )
    )
    return int(used or 0)


@router.post(f"{wire.API_PREFIX}/lookups:batch", response_model=wire.BatchLookupResponse)
def lookup_batch(body: wire.BatchLookupRequest, access: Allowed, db: Db, server: State) -> Response:
    """Many people's look-ups in one request (a supervisor's periodic re-verification). Only people with a case
    of that service at the caller's office, or on a list the office registered; only the registers the service
    needs; at most the office's daily cap. Every person and register is audited in one transaction (one bulk
    insert) before anything is answered; the answer is written from the registers' stored JSON."""
    who = access.caller
    service = _service(server, body.purpose)
    if not set(body.kinds) <= set(service.lookups):
        raise ApiError(403, "lookup_not_for_purpose", f"{service.code} does not need all of {body.kinds}")
    if len(body.people) + _batch_used_today(db, who) > server.settings.batch_people_per_office_day:
        _report(db, who, "batch_cap", f"{len(body.people)} more people refused")
        db.commit()
        raise ApiError(
            429, "batch_quota_exceeded", "the office's daily re-verification limit is reached", {"Retry-After": "3600"}
        )
    listed: set[str] | None = None
    if body.basis == "registered_list":
        registered = db.get(ReviewListRow, str(body.list_id)) if body.list_id else None
        if registered is None or registered.office_code != who.office_code or registered.purpose != body.purpose:
            raise ApiError(404, "review_list_unknown", "register the list first")
        listed = set(db.scalars(select(ReviewMemberRow.id_digest).where(ReviewMemberRow.list_id == registered.list_id)))
    valid: dict[uuid.UUID, str] = {}
    errors: dict[uuid.UUID, str] = {}
    for person in body.people:
        try:
            valid[person.ref] = parse_id(person.national_id).value
        except DomainError as exc:
            errors[person.ref] = exc.code
    digests = {ref: id_digest(nid, server.pepper) for ref, nid in valid.items()}
    if listed is not None:
        allowed = {ref for ref, d in digests.items() if d in listed}
    else:
        beneficiaries = set(
            db.scalars(
                select(CaseRow.national_id).where(
                    CaseRow.service_code == service.code,
                    CaseRow.national_id.in_(set(valid.values())),
                    or_(CaseRow.office_code == who.office_code, CaseRow.assigned_office == who.office_code),
                )
            )
        )
        allowed = {ref for ref, nid in valid.items() if nid in beneficiaries}
    purpose = f"{body.purpose}:review"
    asked = sorted({valid[ref] for ref in allowed})
    people = [(ref, valid[ref]) for ref in sorted(allowed)]
    found: dict[str, dict[str, Any]] = {}
    for kind in body.kinds:
        try:
            found[kind] = server.registers[kind].find(asked, server.settings.register_budget_s * 5) if asked else {}
        except RegisterUnavailable as exc:
            _unavailable(db, server, who, purpose, list(body.kinds), people, exc)
    rows = []
    for ref, nid in valid.items():
        for kind in body.kinds:
            result = ("hit" if nid in found[kind] else "miss") if ref in allowed else "denied"
            rows.append(_audit_row(server, who, ref, purpose, kind, nid, result))
    if rows:
        db.execute(insert(LookupAuditRow), rows)
    denied = len(valid) - len(allowed)
    if denied:
        _report(db, who, "batch_denied", f"{denied} people not on the basis {body.basis}")
    db.commit()
    _counted(rows)
    answers: list[dict[str, Any]] = []
    for person in body.people:
        if person.ref in errors:
            answers.append({"ref": str(person.ref), "records": {}, "error": errors[person.ref]})
        elif person.ref not in allowed:
            answers.append({"ref": str(person.ref), "records": {}, "error": "not_a_beneficiary"})
        else:
            nid = valid[person.ref]
            records = {k: found[k].get(nid) or not_found(k) for k in body.kinds}
            answers.append({"ref": str(person.ref), "records": records, "error": None})
    content = {"answers": answers, "server_time": now().isoformat()}
    return Response(json.dumps(content, ensure_ascii=False), media_type="application/json")
