"""The reference city server's HTTP API (FastAPI): auth, household look-up, case batch push, health."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import Update, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from cityserver.db import (
    CLOSED_STATUSES,
    ApprovalRow,
    CaseRow,
    CaseUpdateRow,
    DayRecordRow,
    DeviceKeyRow,
    LookupAuditRow,
    RefreshTokenRow,
    ResidentRow,
    StatusEventRow,
    TokenRow,
    UserRow,
    init_db,
    make_engine,
)
from cityserver.population import not_found
from cityserver.track import RateLimit
from cityserver.track import answer as track_answer
from cityserver.track import form_page as track_form_page
from forms.catalog import Catalog, load_catalog
from forms.clock import TAIPEI
from forms.errors import DomainError
from forms.ids import id_digest, mask_id, parse_id
from forms.resources import resource_path
from sync import wire
from sync.passwords import hash_password, verify_password

log = logging.getLogger(__name__)

TOKEN_TTL = timedelta(minutes=30)
REFRESH_TTL = timedelta(days=30)


@dataclass(frozen=True)
class Caller:
    username: str
    office_code: str
    device_id: str


class RawBatch(BaseModel):
    """The batch envelope; each case is validated on its own so one bad case never sinks the batch."""

    model_config = ConfigDict(extra="forbid")
    cases: list[dict[str, Any]] = Field(min_length=1, max_length=wire.MAX_BATCH)


class RawRecords(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[dict[str, Any]] = Field(min_length=1, max_length=wire.MAX_BATCH)


class RawUpdates(BaseModel):
    model_config = ConfigDict(extra="forbid")
    updates: list[dict[str, Any]] = Field(min_length=1, max_length=wire.MAX_BATCH)


def _item_key(raw: dict[str, Any], field: str) -> uuid.UUID:
    """The idempotency key of an item that failed validation, so the client can tell which one (nil if unreadable)."""
    try:
        return uuid.UUID(str(raw.get(field)))
    except ValueError:
        return uuid.UUID(int=0)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def get_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        yield session


Db = Annotated[Session, Depends(get_session)]


def get_caller(db: Db, authorization: Annotated[str | None, Header()] = None) -> Caller:
    """The authenticated user behind a bearer token (401 otherwise)."""
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "missing bearer token")
    # One query for the token and its user (every request pays for it).
    found = db.execute(
        select(TokenRow.expires_at, TokenRow.device_id, UserRow.username, UserRow.office_code)
        .join(UserRow, UserRow.username == TokenRow.username)
        .where(TokenRow.token_hash == _token_hash(authorization.removeprefix("Bearer ")))
    ).first()
    if found is None or _aware(found.expires_at) <= _now():
        raise HTTPException(401, "invalid or expired token")
    return Caller(found.username, found.office_code, found.device_id)


Who = Annotated[Caller, Depends(get_caller)]


def add_user(factory: sessionmaker[Session], username: str, password: str, office_code: str, role: str) -> None:
    """Create or reset a user (the sandbox re-keys its practice account at every start)."""
    with factory.begin() as session:
        session.merge(
            UserRow(username=username, password_hash=hash_password(password), office_code=office_code, role=role)
        )


def create_app(
    db_url: str = "sqlite:///cityserver.db", *, audit_pepper: bytes | None = None, catalog_dir: Path | None = None
) -> FastAPI:
    """Build the app on a database (created and populated on first use). `catalog_dir`: the city's published
    catalog (the shipped one by default); devices pull what is newer than theirs."""
    engine = make_engine(db_url)
    factory = init_db(engine)
    folder = catalog_dir or resource_path("catalog")
    catalog: Catalog = load_catalog(folder)
    app_catalog_files = {s.code: folder / s.source_file for s in catalog}
    pepper = audit_pepper or secrets.token_bytes(32)

    app = FastAPI(title="Counterdesk city server", version=wire.API_VERSION, docs_url=None, redoc_url=None)
    app.state.session_factory = factory
    app.state.engine = engine

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        return JSONResponse(status_code=422, content={"code": "invalid_request", "detail": detail})

    def audit(
        db: Session,
        who: Caller,
        case_uuid: uuid.UUID,
        purpose: str,
        kind: str,
        national_id: str,
        result: str,
        lookup_id: uuid.UUID | None = None,
    ) -> None:
        """Write the server's audit row of a personal-data look-up: masked ID and keyed hash, never the number."""
        db.add(
            LookupAuditRow(
                lookup_id=str(lookup_id or uuid.uuid4()),
                at=_now(),
                username=who.username,
                office_code=who.office_code,
                device_id=who.device_id,
                case_uuid=str(case_uuid),
                purpose=purpose,
                kind=kind,
                id_masked=mask_id(national_id),
                id_digest=id_digest(national_id, pepper),
                result=result,
            )
        )
        db.commit()

    @app.get(f"{wire.API_PREFIX}/health", response_model=wire.Health)
    def health() -> wire.Health:
        return wire.Health(status="ok", service=wire.SERVICE_NAME, api_version=wire.API_VERSION, server_time=_now())

    @app.post(f"{wire.API_PREFIX}/auth/token", response_model=wire.TokenResponse)
    def token(body: wire.TokenRequest, db: Db) -> wire.TokenResponse:
        user = db.get(UserRow, body.username)
        if user is None or not verify_password(body.password, user.password_hash):
            raise HTTPException(401, "wrong user name or password")
        return issue(db, user, body.device_id)

    @app.post(f"{wire.API_PREFIX}/auth/refresh", response_model=wire.TokenResponse)
    def refresh(body: wire.RefreshRequest, db: Db) -> wire.TokenResponse:
        row = db.get(RefreshTokenRow, _token_hash(body.refresh_token))
        if row is None or row.spent or row.device_id != body.device_id or _aware(row.expires_at) <= _now():
            raise HTTPException(401, "refresh token not valid")
        row.spent = True  # rotation: the old token is spent before the new one exists
        user = db.get(UserRow, row.username)
        if user is None:
            raise HTTPException(401, "unknown user")
        return issue(db, user, body.device_id)

    def issue(db: Session, user: UserRow, device_id: str) -> wire.TokenResponse:
        access, refresh_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        db.execute(delete(TokenRow).where(TokenRow.expires_at <= _now()))
        db.add(
            TokenRow(
                token_hash=_token_hash(access),
                username=user.username,
                device_id=device_id,
                expires_at=_now() + TOKEN_TTL,
            )
        )
        db.add(
            RefreshTokenRow(
                token_hash=_token_hash(refresh_token),
                username=user.username,
                device_id=device_id,
                expires_at=_now() + REFRESH_TTL,
            )
        )
        db.commit()
        return wire.TokenResponse(
            access_token=access,
            token_type="bearer",
            expires_in=int(TOKEN_TTL.total_seconds()),
            refresh_token=refresh_token,
            office_code=user.office_code,
            role=user.role,
        )

    @app.post(f"{wire.API_PREFIX}/lookups/{{kind}}", response_model=wire.LookupResponse)
    def lookup(kind: str, body: wire.LookupRequest, who: Who, db: Db) -> wire.LookupResponse:
        if kind not in wire.LOOKUP_KINDS:
            raise HTTPException(404, f"unknown look-up kind {kind}")
        try:
            national_id = parse_id(body.national_id).value
        except DomainError as exc:
            raise HTTPException(422, f"national_id: {exc.code}") from exc
        try:
            catalog.get(body.purpose)
        except DomainError as exc:
            raise HTTPException(422, f"purpose: unknown service {body.purpose}") from exc
        resident = db.get(ResidentRow, national_id)
        lookup_id = uuid.uuid4()
        # Audit first: no committed audit row, no answer.
        audit(db, who, body.case_uuid, body.purpose, kind, national_id, "hit" if resident else "miss", lookup_id)
        raw = json.loads(resident.records)[kind] if resident else not_found(kind)
        record = TypeAdapter(wire.LookupRecord).validate_python(raw)
        return wire.LookupResponse(lookup_id=lookup_id, kind=kind, record=record, server_time=_now())

    @app.post(f"{wire.API_PREFIX}/lookups:batch", response_model=None)
    def lookup_batch(body: wire.BatchLookupRequest, who: Who, db: Db) -> Response:
        """Many people's look-ups in one request (periodic re-verification): one query, every person and kind
        audited in one transaction (one bulk insert) before anything is answered. The answer is written straight
        from the registers' stored JSON (valid when stored; the client validates what it receives)."""
        try:
            catalog.get(body.purpose)
        except DomainError as exc:
            raise HTTPException(422, f"purpose: unknown service {body.purpose}") from exc
        valid: dict[uuid.UUID, str] = {}
        errors: dict[uuid.UUID, str] = {}
        for person in body.people:
            try:
                valid[person.ref] = parse_id(person.national_id).value
            except DomainError as exc:
                errors[person.ref] = exc.code
        residents = {
            r.national_id: json.loads(r.records)
            for r in db.scalars(select(ResidentRow).where(ResidentRow.national_id.in_(set(valid.values()))))
        }
        now = _now()
        audit_rows = []
        for ref, nid in valid.items():
            masked, digest, result = mask_id(nid), id_digest(nid, pepper), "hit" if nid in residents else "miss"
            for kind in body.kinds:
                audit_rows.append(
                    {
                        "lookup_id": str(uuid.uuid4()),
                        "at": now,
                        "username": who.username,
                        "office_code": who.office_code,
                        "device_id": who.device_id,
                        "case_uuid": str(ref),
                        "purpose": f"{body.purpose}:review",
                        "kind": kind,
                        "id_masked": masked,
                        "id_digest": digest,
                        "result": result,
                    }
                )
        if audit_rows:
            db.execute(insert(LookupAuditRow), audit_rows)
        db.commit()
        answers: list[dict[str, Any]] = []
        for person in body.people:
            number = valid.get(person.ref)
            if number is None:
                answers.append({"ref": str(person.ref), "records": {}, "error": errors[person.ref]})
                continue
            found = residents.get(number)
            records = {k: found[k] if found else not_found(k) for k in body.kinds}
            answers.append({"ref": str(person.ref), "records": records, "error": None})
        content = {"answers": answers, "server_time": _now().isoformat()}
        return Response(json.dumps(content, ensure_ascii=False), media_type="application/json")

    @app.post(f"{wire.API_PREFIX}/approvals", response_model=wire.ApprovalResponse)
    def approve(body: wire.ApprovalRequest, who: Who, db: Db) -> wire.ApprovalResponse:
        """A supervisor's credentials approve an override typed at a clerk's desk; recorded with its reason."""
        supervisor = db.get(UserRow, body.supervisor)
        if supervisor is None or not verify_password(body.password, supervisor.password_hash):
            raise HTTPException(403, "supervisor credentials not accepted")
        if supervisor.role != "supervisor" or supervisor.office_code != who.office_code:
            raise HTTPException(403, "not a supervisor of this office")
        if body.purpose == "override" and not body.rules:
            raise HTTPException(422, "an override names the rules it overrides")
        approval_id = uuid.uuid4()
        db.add(
            ApprovalRow(
                approval_id=str(approval_id),
                at=_now(),
                supervisor=supervisor.username,
                clerk=who.username,
                case_uuid=str(body.case_uuid),
                reason=body.reason,
                rules=",".join(body.rules) if body.purpose == "override" else body.purpose,
            )
        )
        db.commit()
        return wire.ApprovalResponse(approval_id=approval_id, supervisor=supervisor.username)

    @app.post(f"{wire.API_PREFIX}/cases:open", response_model=wire.OpenCasesResponse)
    def open_cases(body: wire.OpenCasesRequest, who: Who, db: Db) -> wire.OpenCasesResponse:
        """Case numbers of this person's cases of a service that are not closed (duplicate warning); audited like
        any other personal-data look-up."""
        try:
            national_id = parse_id(body.national_id).value
        except DomainError as exc:
            raise HTTPException(422, f"national_id: {exc.code}") from exc
        audit(db, who, body.case_uuid, body.service_code, "cases", national_id, "hit")
        rows = db.scalars(
            select(CaseRow).where(
                CaseRow.service_code == body.service_code,
                CaseRow.national_id == national_id,
                CaseRow.status.not_in(CLOSED_STATUSES),
            )
        ).all()
        return wire.OpenCasesResponse(case_numbers=sorted(r.case_number for r in rows))

    def _check_case(case: wire.CaseIn) -> str | None:
        try:
            parse_id(case.national_id)
            catalog.get(case.service_code)
        except DomainError as exc:
            return exc.code
        return None

    def _prepare(raw: dict[str, Any], who: Caller) -> tuple[CaseRow, StatusEventRow] | wire.CaseResult:
        """A case's rows, or the answer that refuses it (one bad case never sinks the batch)."""
        try:
            case = wire.CaseIn.model_validate(raw)
        except ValidationError as exc:
            return wire.CaseResult(
                case_uuid=_item_key(raw, "case_uuid"), status="rejected", detail=str(exc.errors()[0]["msg"])
            )
        if problem := _check_case(case):
            return wire.CaseResult(case_uuid=case.case_uuid, status="rejected", detail=problem)
        assigned, status, note = _route(case)
        row = CaseRow(
            assigned_office=assigned,
            status=status,
            case_uuid=str(case.case_uuid),
            case_number=case.case_number,
            content_hash=case.content_hash(),
            service_code=case.service_code,
            national_id=case.national_id,
            payload=case.model_dump_json(),
            office_code=case.office_code,
            device_id=case.device_id,
            pushed_by=who.username,
            business_date=case.received_at.astimezone(TAIPEI).date(),
        )
        return row, StatusEventRow(case_uuid=str(case.case_uuid), status=status, note=note, at=_now())

    def _store_all(prepared: list[tuple[CaseRow, StatusEventRow]]) -> list[wire.CaseResult]:
        """New cases in one transaction (one durable commit for the batch). If any key is already there (a replay
        after a lost answer, or a conflict), nothing of that attempt is kept and each case is stored on its own,
        so each gets its exact answer."""
        keys = [uuid.UUID(row.case_uuid) for row, _ in prepared]
        if len(set(keys)) != len(keys):  # the same key twice in one batch: answer each on its own
            return [_insert_once(row, key, event) for (row, event), key in zip(prepared, keys, strict=True)]
        try:
            with factory.begin() as s:
                s.add_all(row for row, _ in prepared)
                s.flush()
                s.add_all(event for _, event in prepared)
            return [wire.CaseResult(case_uuid=k, status="accepted") for k in keys]
        except IntegrityError:
            return [_insert_once(row, key, event) for (row, event), key in zip(prepared, keys, strict=True)]

    def _route(case: wire.CaseIn) -> tuple[str, str, str]:
        """跨區收件 goes to the applicant's registered district office; 跨區申辦 stays where it was received."""
        if catalog.get(case.service_code).cross_district != "收件":
            return case.office_code, "收件", ""
        with factory() as s:
            resident = s.get(ResidentRow, case.national_id)
        home = json.loads(resident.records)["household"] if resident else None
        if not home or home.get("district_code") in (None, case.office_code):
            return case.office_code, "收件", ""
        return str(home["district_code"]), "已轉送", f"轉{home['city_name']}{home['district_name']}公所辦理"

    def _insert_once(
        row: CaseRow | CaseUpdateRow | DayRecordRow,
        key: uuid.UUID,
        *with_it: StatusEventRow,
        then: Update | None = None,
    ) -> wire.CaseResult:
        """Insert an item under its idempotency key (and what goes with it, in the same transaction). The primary
        key decides (no check-then-insert): a replay with the same content is a duplicate, other content under the
        same key is a conflict and never overwrites."""
        try:
            with factory.begin() as s:
                s.add(row)
                s.flush()
                s.add_all(with_it)
                if then is not None:
                    s.execute(then)
            return wire.CaseResult(case_uuid=key, status="accepted")
        except IntegrityError:
            with factory() as s:
                existing = s.get(type(row), str(key))
            if existing is None:
                raise  # not a replay: a server fault, answered 500 so the client retries later
            if getattr(existing, "content_hash", None) == row.content_hash:
                return wire.CaseResult(case_uuid=key, status="duplicate")
            return wire.CaseResult(case_uuid=key, status="conflict", detail="different content for this key")

    def _store_update(raw: dict[str, Any]) -> wire.CaseResult:
        try:
            update = wire.CaseUpdateIn.model_validate(raw)
        except ValidationError as exc:
            return wire.CaseResult(
                case_uuid=_item_key(raw, "update_uuid"), status="rejected", detail=str(exc.errors()[0]["msg"])
            )
        with factory() as s:
            if s.get(CaseRow, str(update.case_uuid)) is None:
                return wire.CaseResult(case_uuid=update.update_uuid, status="rejected", detail="unknown case")
        row = CaseUpdateRow(
            update_uuid=str(update.update_uuid),
            case_uuid=str(update.case_uuid),
            content_hash=update.content_hash(),
            payload=update.model_dump_json(),
        )
        return _insert_once(row, update.update_uuid)

    @app.post(f"{wire.API_PREFIX}/cases:batch", response_model=wire.CasesBatchResponse)
    def cases_batch(body: RawBatch, who: Who) -> wire.CasesBatchResponse:
        prepared = [_prepare(raw, who) for raw in body.cases]
        good = [p for p in prepared if not isinstance(p, wire.CaseResult)]
        stored = iter(_store_all(good) if good else [])
        results = [p if isinstance(p, wire.CaseResult) else next(stored) for p in prepared]
        log.info(
            "batch from %s/%s: %s",
            who.office_code,
            who.device_id,
            json.dumps(
                {s: sum(r.status == s for r in results) for s in ("accepted", "duplicate", "conflict", "rejected")}
            ),
        )
        return wire.CasesBatchResponse(results=results, server_time=_now())

    @app.post(f"{wire.API_PREFIX}/case-updates:batch", response_model=wire.CasesBatchResponse)
    def case_updates_batch(body: RawUpdates, who: Who) -> wire.CasesBatchResponse:
        return wire.CasesBatchResponse(results=[_store_update(raw) for raw in body.updates], server_time=_now())

    def _store_record(raw: dict[str, Any], who: Caller) -> wire.CaseResult:
        """A void or correction of a case marks the city's case 撤回 in the same transaction (once: a replay is a
        duplicate and changes nothing)."""
        try:
            record = wire.DayRecordIn.model_validate(raw)
        except ValidationError as exc:
            return wire.CaseResult(
                case_uuid=_item_key(raw, "record_uuid"), status="rejected", detail=str(exc.errors()[0]["msg"])
            )
        if record.office_code != who.office_code or record.device_id != who.device_id:
            return wire.CaseResult(case_uuid=record.record_uuid, status="rejected", detail="not this device's book")
        events: list[StatusEventRow] = []
        if record.case_uuid is not None:
            with factory() as s:
                case = s.get(CaseRow, str(record.case_uuid))
            if case is None or case.office_code != who.office_code:
                return wire.CaseResult(case_uuid=record.record_uuid, status="rejected", detail="unknown case")
            if (
                record.kind in ("void", "correction")
                and case.status != "撤回"
                and (record.kind == "void" or record.amount < 0)
            ):
                events.append(
                    StatusEventRow(
                        case_uuid=case.case_uuid, status="撤回", note=f"收據作廢：{record.reason}"[:200], at=_now()
                    )
                )
        row = DayRecordRow(
            record_uuid=str(record.record_uuid),
            kind=record.kind,
            office_code=record.office_code,
            device_id=record.device_id,
            business_date=record.business_date,
            case_uuid=str(record.case_uuid) if record.case_uuid else None,
            content_hash=record.content_hash(),
            payload=record.model_dump_json(),
        )
        withdraw = (
            update(CaseRow).where(CaseRow.case_uuid == events[0].case_uuid).values(status="撤回") if events else None
        )
        return _insert_once(row, record.record_uuid, *events, then=withdraw)

    @app.post(f"{wire.API_PREFIX}/day-records:batch", response_model=wire.CasesBatchResponse)
    def day_records_batch(body: RawRecords, who: Who) -> wire.CasesBatchResponse:
        return wire.CasesBatchResponse(results=[_store_record(raw, who) for raw in body.records], server_time=_now())

    @app.post(f"{wire.API_PREFIX}/digest", response_model=wire.DigestResponse)
    def digest(body: wire.DigestRequest, who: Who, db: Db) -> wire.DigestResponse:
        """Every case the server holds from the caller's device for a day, with its content hash: the device
        compares, and re-sends what a server restored from backup has lost."""
        rows = db.execute(
            select(CaseRow.case_uuid, CaseRow.content_hash).where(
                CaseRow.device_id == who.device_id, CaseRow.business_date == body.day
            )
        ).all()
        items = [wire.DigestItem(case_uuid=uuid.UUID(u), content_hash=h) for u, h in rows]
        return wire.DigestResponse(day=body.day, items=items)

    @app.get(f"{wire.API_PREFIX}/status-changes", response_model=wire.StatusChangesResponse)
    def status_changes(who: Who, db: Db, since: int = 0) -> wire.StatusChangesResponse:
        """Status steps of the cases the caller's office took or must decide, after the caller's cursor."""
        rows = db.execute(
            select(StatusEventRow, CaseRow.case_number)
            .join(CaseRow, CaseRow.case_uuid == StatusEventRow.case_uuid)
            .where(StatusEventRow.seq > since)
            .where(or_(CaseRow.office_code == who.office_code, CaseRow.assigned_office == who.office_code))
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
                at=_aware(e.at),
            )
            for e, number in rows
        ]
        return wire.StatusChangesResponse(changes=changes, cursor=changes[-1].seq if changes else since)

    @app.post(f"{wire.API_PREFIX}/cases/{{case_uuid}}/status", response_model=wire.StatusChange)
    def set_status(case_uuid: uuid.UUID, body: wire.StatusUpdateRequest, who: Who, db: Db) -> wire.StatusChange:
        """The deciding office records a step; no other office may (it cannot even see the case)."""
        case = db.get(CaseRow, str(case_uuid))
        if case is None or case.assigned_office != who.office_code:
            raise HTTPException(404, "no such case for this office")
        event = StatusEventRow(case_uuid=case.case_uuid, status=body.status, note=body.note, at=_now())
        case.status = body.status
        db.add(event)
        db.commit()
        return wire.StatusChange(
            seq=event.seq,
            case_uuid=case_uuid,
            case_number=case.case_number,
            status=event.status,
            note=event.note,
            at=_aware(event.at),
        )

    @app.get(f"{wire.API_PREFIX}/forwarded", response_model=wire.ForwardedResponse)
    def forwarded(who: Who, db: Db) -> wire.ForwardedResponse:
        """The queue of cases other offices received for this one (跨區收件 → 戶籍地區公所)."""
        rows = db.scalars(
            select(CaseRow)
            .where(CaseRow.assigned_office == who.office_code, CaseRow.office_code != who.office_code)
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

    @app.get(f"{wire.API_PREFIX}/catalog", response_model=wire.CatalogDelta)
    def catalog_delta(who: Who, since: int = 0) -> wire.CatalogDelta:
        """Services whose catalog version is newer than the device's (`since`)."""
        entries = [
            wire.CatalogEntry(
                code=s.code,
                version=s.catalog_version,
                file_name=s.source_file,
                text=app_catalog_files[s.code].read_text(encoding="utf-8"),
            )
            for s in catalog
            if s.catalog_version > since
        ]
        return wire.CatalogDelta(entries=entries, version=max(s.catalog_version for s in catalog))

    @app.post(f"{wire.API_PREFIX}/devices/keys", response_model=wire.DeviceKeyResponse)
    def register_key(body: wire.DeviceKeyRequest, who: Who, db: Db) -> wire.DeviceKeyResponse:
        """A device registers its receipt-signing key (idempotent); a different key under the same id is refused."""
        row = db.get(DeviceKeyRow, body.key_id)
        if row is None:
            row = DeviceKeyRow(
                key_id=body.key_id,
                device_id=who.device_id,
                office_code=who.office_code,
                public_key=body.public_key,
                registered_by=who.username,
            )
            db.add(row)
            db.commit()
        elif row.public_key != body.public_key or row.device_id != who.device_id:
            raise HTTPException(409, "another key is registered under this id")
        return wire.DeviceKeyResponse(key_id=row.key_id, device_id=row.device_id, revoked=row.revoked)

    @app.post(f"{wire.API_PREFIX}/devices/keys/{{key_id}}/revoke", response_model=wire.DeviceKeyResponse)
    def revoke_key(key_id: str, who: Who, db: Db) -> wire.DeviceKeyResponse:
        """A supervisor of the office cuts a lost or stolen device off: its receipts no longer verify."""
        row = db.get(DeviceKeyRow, key_id)
        user = db.get(UserRow, who.username)
        if row is None or row.office_code != who.office_code:
            raise HTTPException(404, "no such key for this office")
        if user is None or user.role != "supervisor":
            raise HTTPException(403, "supervisors only")
        row.revoked = True
        db.commit()
        return wire.DeviceKeyResponse(key_id=row.key_id, device_id=row.device_id, revoked=True)

    limiter = RateLimit()

    @app.get("/track", response_class=HTMLResponse)
    def track_form(request: Request, db: Db, case: str = "", code: str = "") -> HTMLResponse:
        """By hand: the case number and the short code printed on the receipt."""
        if not case:
            return track_form_page()
        return track_answer(db, catalog, limiter, request, case.strip()[:64], "", code or "-")

    @app.get("/track/{case_number}", response_class=HTMLResponse)
    def track(case_number: str, request: Request, db: Db, sig: str = "") -> HTMLResponse:
        return track_answer(db, catalog, limiter, request, case_number[:64], sig)

    @app.get(f"{wire.API_PREFIX}/cases/count")
    def case_count(who: Who, db: Db) -> dict[str, int]:
        """How many cases the server holds for the caller's device (the day-close comparison grows from this)."""
        count = db.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.device_id == who.device_id))
        return {"count": int(count or 0)}

    return app
