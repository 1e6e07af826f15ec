"""Supervisors' approvals (override, void, day sign-off, correction) the city can check.

Online, the city checks the supervisor's password and issues an approval bound to the action, its subject (the
case, or a day close's own record id), the day of a day close and the device; single use, short-lived. Offline,
the supervisor signs on the device with a key only their password unlocks there; the city registered that key
when it last checked the password at that device. Either way the approver's role is the one the city holds now,
never one a payload claims. Anything else is rejected and shows on the device for a person.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from sqlalchemy import update
from sqlalchemy.orm import Session

from cityserver.auth import check_password
from cityserver.context import NO_SYNC, Db, State, address, aware, now, security_event
from cityserver.db import ApprovalRow, ApprovalUseRow, SupervisorKeyRow, UserRow
from cityserver.errors import ApiError
from cityserver.permissions import Allowed, Caller, Role
from sync.protocol import signing, wire

router = APIRouter()


def _register_key(db: Session, supervisor: UserRow, who: Caller, key: wire.SupervisorKey) -> None:
    """Bind a supervisor's approval key to this device (the newest one replaces older ones there)."""
    if signing.key_id(key.public_key) != key.key_id:
        raise ApiError(422, "key_id_mismatch", "key_id is not the public key's id")
    existing = db.get(SupervisorKeyRow, key.key_id)
    if existing is not None:
        if (existing.username, existing.device_id, existing.public_key) != (
            supervisor.username,
            who.device_id,
            key.public_key,
        ):
            raise ApiError(409, "key_in_use", "this key is registered for someone else")
        return
    moment = now()
    db.execute(
        update(SupervisorKeyRow)
        .where(
            SupervisorKeyRow.username == supervisor.username,
            SupervisorKeyRow.device_id == who.device_id,
            SupervisorKeyRow.revoked_at.is_(None),
        )
        .values(revoked_at=moment),
        execution_options=NO_SYNC,
    )
    db.add(
        SupervisorKeyRow(
            key_id=key.key_id,
            username=supervisor.username,
            device_id=who.device_id,
            office_code=who.office_code,
            public_key=key.public_key,
            registered_at=moment,
        )
    )


@router.post(f"{wire.API_PREFIX}/approvals", response_model=wire.ApprovalResponse)
def approve(
    body: wire.ApprovalRequest, request: Request, access: Allowed, db: Db, server: State
) -> wire.ApprovalResponse:
    """A supervisor approves at a device. Every refusal of the supervisor (unknown name, wrong password, not a
    supervisor, another office's) is the same answer after the same work: no password oracle."""
    who = access.caller
    if body.purpose == "override" and not body.rules:
        raise ApiError(422, "override_rules_missing", "an override names the rules it overrides")
    if body.purpose == "day_close" and body.day is None:
        raise ApiError(422, "approval_day_missing", "a day close approval names its day")
    refused = ApiError(403, "approval_refused", "supervisor credentials not accepted for this office")
    where = address(request)
    try:
        supervisor = check_password(db, server.settings, body.supervisor, body.password, where, who.device_id)
    except ApiError as exc:
        if exc.status == 401:
            raise refused from None
        raise
    if supervisor.role != Role.SUPERVISOR or supervisor.office_code != who.office_code:
        security_event(db, "approval_refused", username=body.supervisor, address=where, device_id=who.device_id)
        db.commit()
        raise refused
    moment = now()
    approval_id = uuid.uuid4()
    expires = moment + server.settings.approval_ttl
    db.add(
        ApprovalRow(
            approval_id=str(approval_id),
            at=moment,
            expires_at=expires,
            purpose=body.purpose,
            supervisor=supervisor.username,
            clerk=who.username,
            office_code=who.office_code,
            device_id=who.device_id,
            case_uuid=str(body.case_uuid),
            day=body.day if body.purpose == "day_close" else None,
            reason=body.reason,
            rules=",".join(sorted(body.rules)) if body.purpose == "override" else "",
        )
    )
    if body.offline_key is not None:
        _register_key(db, supervisor, who, body.offline_key)
    db.commit()
    return wire.ApprovalResponse(approval_id=approval_id, supervisor=supervisor.username, expires_at=expires)


@router.post(f"{wire.API_PREFIX}/supervisor-keys", response_model=wire.SupervisorKeyResponse)
def register_supervisor_key(body: wire.SupervisorKey, access: Allowed, db: Db) -> wire.SupervisorKeyResponse:
    """A supervisor signed in on this device registers their approval key for it (the log-in checked them)."""
    who = access.caller
    user = db.get(UserRow, who.username)
    assert user is not None  # the session's user exists
    _register_key(db, user, who, body)
    db.commit()
    return wire.SupervisorKeyResponse(key_id=body.key_id, supervisor=who.username, device_id=who.device_id)


@dataclass(frozen=True)
class Claim:
    """What a record says was approved: checked against what the city issued or can verify."""

    purpose: wire.ApprovalPurpose
    subject: uuid.UUID
    day: date | None
    supervisor: str
    approval: str
    proof: wire.OfflineProof | None
    rules: tuple[str, ...] = ()


def check(db: Session, who: Caller, claim: Claim) -> str | None:
    """None when the approval holds for this record; otherwise the reason code. Reads only (use() spends it)."""
    try:
        approval_id = uuid.UUID(claim.approval)
    except ValueError:
        return "approval_invalid"
    if claim.proof is None:
        row = db.get(ApprovalRow, str(approval_id))
        if row is None:
            return "approval_invalid"
        bound = (row.purpose, row.case_uuid, row.device_id, row.office_code, row.supervisor) == (
            claim.purpose,
            str(claim.subject),
            who.device_id,
            who.office_code,
            claim.supervisor,
        )
        if not bound or (claim.purpose == "day_close" and row.day != claim.day):
            return "approval_mismatch"
        if claim.purpose == "override" and set(filter(None, row.rules.split(","))) != set(claim.rules):
            return "approval_mismatch"
        if aware(row.expires_at) < now():
            return "approval_expired"
    else:
        key = db.get(SupervisorKeyRow, claim.proof.key_id)
        if key is None or (key.username, key.device_id) != (claim.supervisor, who.device_id):
            return "approval_invalid"
        if key.revoked_at is not None:
            return "approval_key_revoked"
        message = wire.approval_message(
            claim.purpose,
            claim.subject,
            claim.day if claim.purpose == "day_close" else None,
            who.device_id,
            claim.supervisor,
            approval_id,
            claim.proof.signed_at,
            claim.rules,
        )
        if not signing.verify(key.public_key, claim.proof.signature, message):
            return "approval_invalid"
    user = db.get(UserRow, claim.supervisor)
    if user is None or user.role != Role.SUPERVISOR or user.office_code != who.office_code:
        return "approval_role"
    used = db.get(ApprovalUseRow, str(approval_id))
    if used is not None:
        return "approval_used"
    return None


def use(db: Session, claim: Claim, record_uuid: str) -> None:
    """Spend the approval in the caller's transaction (its primary key refuses a second use at commit)."""
    db.add(ApprovalUseRow(approval_id=str(uuid.UUID(claim.approval)), record_uuid=record_uuid, used_at=now()))
