"""Enrolled devices: one-time enrolment codes, the enrolment itself (the city assigns the device id and binds the
device's keys), the office's device list, revocation, and receipt-signing keys.

Revoking a device ends its tokens, refreshes, receipt keys and supervisors' approval keys at once. Receipts it
signed before (cases the city received before the revocation) still verify on /track; later ones do not.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from cityserver.auth import revoke_device_tokens
from cityserver.context import NO_SYNC, Db, State, address, aware, now, secret_hash, security_event
from cityserver.db import (
    DeviceKeyRow,
    DeviceLedgerRow,
    DeviceRow,
    EnrolmentReplacementRow,
    EnrolmentRow,
    SecurityEventRow,
    SupervisorKeyRow,
)
from cityserver.errors import ApiError
from cityserver.permissions import Allowed
from cityserver.population import office_of
from sync.protocol import signing, wire

router = APIRouter()

# Codes are read aloud and typed: no 0/O, 1/I/L.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31^12 ≈ 2^59


def normalise_code(typed: str) -> str:
    return re.sub(r"[\s\-]", "", typed).upper()


def new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def create_enrolment(
    factory: sessionmaker[Session],
    office_code: str,
    name: str,
    by: str,
    valid: timedelta = timedelta(hours=2),
    replaces: str | None = None,
) -> wire.EnrolmentResponse:
    """A one-time code for one named PC of an office (the administrator's command and the supervisor's page);
    with `replaces`, for the PC that takes that device of the office over.

    Raises:
        ApiError 404: `replaces` is not a device of that office.
    """
    code = new_code()
    moment = now()
    with factory.begin() as s:
        if replaces is not None:
            old = s.get(DeviceRow, replaces)
            if old is None or old.office_code != office_code:
                raise ApiError(404, "not_found", "no such device of this office")
            s.add(EnrolmentReplacementRow(code_hash=secret_hash(normalise_code(code)), device_id=replaces))
        s.add(
            EnrolmentRow(
                code_hash=secret_hash(normalise_code(code)),
                office_code=office_code,
                name=name,
                created_by=by,
                created_at=moment,
                expires_at=moment + valid,
            )
        )
        s.add(
            SecurityEventRow(
                at=moment,
                kind="enrolment_created",
                username=by,
                office_code=office_code,
                device_id=replaces or "",
                detail=(f"replaces {replaces}: " if replaces else "") + name[:180],
            )
        )
    return wire.EnrolmentResponse(
        code=code, name=name, office_code=office_code, expires_at=moment + valid, replaces=replaces
    )


def _next_device_id(db: Session) -> str:
    numbers = [int(d[1:]) for d in db.scalars(select(DeviceRow.device_id)) if d[1:].isdigit()]
    return f"D{(max(numbers) + 1) if numbers else 1:04d}"


def _info(row: DeviceRow) -> wire.DeviceInfo:
    return wire.DeviceInfo(
        device_id=row.device_id,
        name=row.name,
        office_code=row.office_code,
        enrolled_at=aware(row.enrolled_at),
        enrolled_by=row.enrolled_by,
        last_seen_at=aware(row.last_seen_at) if row.last_seen_at else None,
        client_version=row.client_version,
        revoked_at=aware(row.revoked_at) if row.revoked_at else None,
        revoked_by=row.revoked_by,
    )


def _enrol_failed(db: Session, where: str, code: str, detail: str) -> ApiError:
    security_event(db, "enrol_failed", address=where, detail=detail)
    db.commit()
    return ApiError(403, code, "enrolment refused")


@router.post(f"{wire.API_PREFIX}/devices/enrolments", response_model=wire.EnrolmentResponse, name="create_enrolment")
def create_enrolment_code(body: wire.EnrolmentRequest, access: Allowed, server: State) -> wire.EnrolmentResponse:
    """A supervisor makes a code for a PC of their own office; an administrator for any office."""
    office = body.office_code or access.caller.office_code
    access.check(office)
    return create_enrolment(
        server.factory,
        office,
        body.name,
        access.caller.username,
        timedelta(minutes=body.valid_minutes),
        replaces=body.replaces,
    )


@router.post(f"{wire.API_PREFIX}/devices/enrol", response_model=wire.EnrolResponse)
def device_enrol(body: wire.EnrolRequest, request: Request, db: Db, server: State, _: Allowed) -> wire.EnrolResponse:
    """A new PC with a one-time code: the city assigns its id and binds its identity and receipt keys."""
    where = address(request)
    settings = server.settings
    recent = db.scalar(
        select(SecurityEventRow.id)
        .where(
            SecurityEventRow.kind == "enrol_failed",
            SecurityEventRow.address == where,
            SecurityEventRow.at > now() - settings.login_window,
        )
        .offset(settings.enrol_failures_per_address - 1)
        .limit(1)
    )
    if recent is not None:
        raise ApiError(429, "enrol_locked", "too many wrong codes", {"Retry-After": "900"})
    message = wire.enrol_message(body.code, body.public_key, body.receipt_key.key_id)
    if not signing.verify(body.public_key, body.signature, message):
        raise _enrol_failed(db, where, "enrol_proof_invalid", "signature")
    if signing.key_id(body.receipt_key.public_key) != body.receipt_key.key_id:
        raise _enrol_failed(db, where, "enrol_proof_invalid", "receipt key id")
    code_hash = secret_hash(normalise_code(body.code))
    enrolment = db.get(EnrolmentRow, code_hash)
    if enrolment is None or enrolment.device_id is not None or aware(enrolment.expires_at) <= now():
        raise _enrol_failed(db, where, "enrol_code_invalid", "code")
    replacement = db.get(EnrolmentReplacementRow, code_hash)
    if replacement is not None:
        return _replace(db, body, enrolment, replacement.device_id, where)
    for _attempt in range(5):  # two PCs enrolling at once may pick the same next id: try the next one
        device_id = _next_device_id(db)
        taken = db.execute(
            update(EnrolmentRow)
            .where(EnrolmentRow.code_hash == code_hash, EnrolmentRow.device_id.is_(None))
            .values(device_id=device_id),
            execution_options=NO_SYNC,
        )
        if not taken.rowcount:  # type: ignore[attr-defined]
            db.rollback()
            raise _enrol_failed(db, where, "enrol_code_invalid", "used")
        moment = now()
        db.add(
            DeviceRow(
                device_id=device_id,
                office_code=enrolment.office_code,
                name=enrolment.name,
                public_key=body.public_key,
                enrolled_at=moment,
                enrolled_by=enrolment.created_by,
                client_version=body.client_version,
            )
        )
        db.add(_receipt_key(body, device_id, enrolment.office_code, enrolment.created_by, moment))
        security_event(
            db, "device_enrolled", address=where, office_code=enrolment.office_code, device_id=device_id, routine=True
        )
        try:
            db.commit()
        except IntegrityError as exc:
            db.rollback()
            if db.scalar(select(DeviceRow.device_id).where(DeviceRow.public_key == body.public_key)) or db.get(
                DeviceKeyRow, body.receipt_key.key_id
            ):
                raise ApiError(409, "key_in_use", "this key is already enrolled") from exc
            enrolment = db.get(EnrolmentRow, code_hash)
            assert enrolment is not None
            continue
        return _enrolled(device_id, enrolment.name, enrolment.office_code)
    raise ApiError(409, "enrol_busy", "try again")


def _receipt_key(body: wire.EnrolRequest, device_id: str, office: str, by: str, at: datetime) -> DeviceKeyRow:
    """The enrolling PC's receipt-signing key, certified for the device."""
    return DeviceKeyRow(
        key_id=body.receipt_key.key_id,
        device_id=device_id,
        office_code=office,
        public_key=body.receipt_key.public_key,
        registered_by=by,
        registered_at=at,
    )


def _enrolled(device_id: str, name: str, office_code: str) -> wire.EnrolResponse:
    office_name, city_code, city_name = office_of(office_code)
    return wire.EnrolResponse(
        device_id=device_id,
        name=name,
        office_code=office_code,
        office_name=office_name,
        city_code=city_code,
        city_name=city_name,
    )


def _replace(
    db: Session, body: wire.EnrolRequest, enrolment: EnrolmentRow, device_id: str, where: str
) -> wire.EnrolResponse:
    """The replacement PC takes the device over: its identity key in place of the old one, the old receipt keys,
    tokens and supervisors' keys revoked (receipts the city received before still verify), the device's ledger
    to be registered anew (the new PC pulls back its cases and goes on numbering past them)."""
    taken = db.execute(
        update(EnrolmentRow)
        .where(EnrolmentRow.code_hash == enrolment.code_hash, EnrolmentRow.device_id.is_(None))
        .values(device_id=device_id),
        execution_options=NO_SYNC,
    )
    device = db.get(DeviceRow, device_id)
    if not taken.rowcount or device is None:  # type: ignore[attr-defined]
        db.rollback()
        raise _enrol_failed(db, where, "enrol_code_invalid", "used")
    revoke(db, device, enrolment.created_by)
    moment = now()
    device.public_key = body.public_key
    device.enrolled_at, device.enrolled_by = moment, enrolment.created_by
    device.client_version, device.last_seen_at = body.client_version, None
    device.revoked_at = device.revoked_by = None  # the device id lives on; its old keys do not
    db.add(_receipt_key(body, device_id, device.office_code, enrolment.created_by, moment))
    ledger = db.get(DeviceLedgerRow, device_id)
    if ledger is not None:
        db.delete(ledger)
    security_event(
        db,
        "device_replaced",
        username=enrolment.created_by,
        address=where,
        office_code=device.office_code,
        device_id=device_id,
    )
    try:
        db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise ApiError(409, "key_in_use", "this key is already enrolled") from exc
    return _enrolled(device_id, device.name, device.office_code)


@router.get(f"{wire.API_PREFIX}/devices", response_model=wire.DevicesResponse)
def list_devices(access: Allowed, db: Db, office: wire.Code | None = None) -> wire.DevicesResponse:
    target = office or access.caller.office_code
    access.check(target)
    rows = db.scalars(select(DeviceRow).where(DeviceRow.office_code == target).order_by(DeviceRow.device_id)).all()
    return wire.DevicesResponse(devices=[_info(r) for r in rows])


def revoke(db: Session, device: DeviceRow, by: str) -> None:
    """Cut a device off: tokens, refreshes, receipt keys, supervisors' approval keys, at once (idempotent)."""
    moment = now()
    if device.revoked_at is None:
        device.revoked_at, device.revoked_by = moment, by
    revoke_device_tokens(db, device.device_id)
    db.execute(
        update(DeviceKeyRow)
        .where(DeviceKeyRow.device_id == device.device_id, DeviceKeyRow.revoked_at.is_(None))
        .values(revoked_at=moment),
        execution_options=NO_SYNC,
    )
    db.execute(
        update(SupervisorKeyRow)
        .where(SupervisorKeyRow.device_id == device.device_id, SupervisorKeyRow.revoked_at.is_(None))
        .values(revoked_at=moment),
        execution_options=NO_SYNC,
    )
    security_event(db, "device_revoked", username=by, office_code=device.office_code, device_id=device.device_id)


@router.post(f"{wire.API_PREFIX}/devices/{{device_id}}/revoke", response_model=wire.DeviceInfo)
def revoke_device(device_id: wire.DeviceId, access: Allowed, db: Db) -> wire.DeviceInfo:
    device = db.get(DeviceRow, device_id)
    if device is None:
        raise ApiError(404, "not_found", "no such device")
    access.check(device.office_code)
    revoke(db, device, access.caller.username)
    db.commit()
    return _info(device)


@router.post(f"{wire.API_PREFIX}/devices/keys", response_model=wire.DeviceKeyResponse)
def register_key(body: wire.ReceiptKey, access: Allowed, db: Db) -> wire.DeviceKeyResponse:
    """The calling device (re-)registers its receipt-signing key (idempotent); another key under the id, or the
    key under another device, is refused."""
    who = access.caller
    if signing.key_id(body.public_key) != body.key_id:
        raise ApiError(422, "key_id_mismatch", "key_id is not the public key's id")
    row = db.get(DeviceKeyRow, body.key_id)
    if row is None:
        row = DeviceKeyRow(
            key_id=body.key_id,
            device_id=who.device_id,
            office_code=who.office_code,
            public_key=body.public_key,
            registered_by=who.username,
            registered_at=now(),
        )
        db.add(row)
        db.commit()
    elif row.public_key != body.public_key or row.device_id != who.device_id:
        raise ApiError(409, "key_in_use", "another key is registered under this id")
    return wire.DeviceKeyResponse(key_id=row.key_id, device_id=row.device_id, revoked=row.revoked_at is not None)


@router.post(f"{wire.API_PREFIX}/devices/keys/{{key_id}}/revoke", response_model=wire.DeviceKeyResponse)
def revoke_key(key_id: wire.KeyId, access: Allowed, db: Db) -> wire.DeviceKeyResponse:
    """A supervisor revokes one receipt key (the device stays enrolled): receipts the city received before still
    verify."""
    row = db.get(DeviceKeyRow, key_id)
    if row is None:
        raise ApiError(404, "not_found", "no such key")
    access.check(row.office_code)
    if row.revoked_at is None:
        row.revoked_at = now()
        security_event(db, "key_revoked", username=access.caller.username, device_id=row.device_id, detail=key_id)
    db.commit()
    return wire.DeviceKeyResponse(key_id=row.key_id, device_id=row.device_id, revoked=True)
