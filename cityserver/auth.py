"""Log-in, refresh and the passwords behind them.

A device proves possession of its enrolled key (a signed, single-use nonce) before any password is checked, so a
device id alone is worth nothing. Passwords are checked in constant work (a dummy hash for unknown names), with
throttling and temporary lock-out per user name and per address. Refresh tokens rotate; presenting a spent one
revokes the whole family it belongs to (someone copied it).
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import datetime

from fastapi import APIRouter, Request
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cityserver.context import NO_SYNC, Db, Settings, State, address, aware, now, secret_hash, security_event
from cityserver.db import ChallengeRow, DeviceRow, RefreshTokenRow, SecurityEventRow, TokenRow, UserRow
from cityserver.errors import ApiError
from cityserver.permissions import Allowed, Role, client_version
from sync.protocol import signing, wire
from sync.protocol.passwords import hash_password, verify_password

log = logging.getLogger(__name__)

router = APIRouter()

# Unknown user names are checked against this, so they cost the same scrypt work as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def _locked_for(db: Session, settings: Settings, field: str, value: str, limit: int) -> float | None:
    """Seconds until `value` (a user name or an address) may try again, or None when it is not locked."""
    if not value:
        return None
    since = now() - settings.login_window
    column = getattr(SecurityEventRow, field)
    failures = db.scalars(
        select(SecurityEventRow.at)
        .where(column == value, SecurityEventRow.kind == "login_failed", SecurityEventRow.at > since)
        .order_by(SecurityEventRow.at.desc())
        .limit(limit)
    ).all()
    if len(failures) < limit:
        return None
    unlock = aware(failures[-1]) + settings.login_window
    return max(1.0, (unlock - now()).total_seconds())


def check_password(db: Session, settings: Settings, username: str, password: str, where: str, device: str) -> UserRow:
    """The user with that name and password. Every failure looks the same and costs the same work; both the user
    name and the address are throttled (audited as security events).

    Raises:
        ApiError 429 login_locked (with Retry-After), 401 auth_failed.
    """
    wait = _locked_for(db, settings, "username", username, settings.login_failures_per_user) or _locked_for(
        db, settings, "address", where, settings.login_failures_per_address
    )
    if wait is not None:
        security_event(db, "login_locked", username=username, address=where, device_id=device)
        db.commit()
        raise ApiError(429, "login_locked", "too many failed attempts", {"Retry-After": str(int(wait) + 1)})
    user = db.get(UserRow, username)
    ok = verify_password(password, user.password_hash if user is not None else _DUMMY_HASH)
    if user is None or not ok:
        security_event(db, "login_failed", username=username, address=where, device_id=device)
        db.commit()
        raise ApiError(401, "auth_failed", "wrong user name or password")
    if user.disabled_at is not None:
        # Said only after the right password: a guesser learns nothing about which accounts exist or are paused.
        security_event(db, "disabled_user_login", username=username, address=where, device_id=device)
        db.commit()
        raise ApiError(401, "user_disabled", "this account is disabled")
    return user


def _take_nonce(db: Session, nonce: str, device_id: str) -> bool:
    """Spend a challenge (single use): True when it was this device's and unexpired. The first statement of the
    transaction is this write, so concurrent requests queue up behind it instead of reading stale rows."""
    result = db.execute(
        delete(ChallengeRow).where(
            ChallengeRow.nonce_hash == secret_hash(nonce),
            ChallengeRow.device_id == device_id,
            ChallengeRow.expires_at > now(),
        ),
        execution_options=NO_SYNC,
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _proven_device(db: Session, device_id: str, nonce: str, signature: str, message: bytes, where: str) -> DeviceRow:
    """The enrolled device that signed this request's nonce. Raises ApiError 401."""
    if not _take_nonce(db, nonce, device_id):
        db.commit()
        raise ApiError(401, "challenge_invalid", "unknown, used or expired challenge")
    # The device's row is locked for the rest of the transaction: its log-ins and refreshes run one after
    # another, so eight racing copies of one refresh token cannot deadlock on the family's rows (PostgreSQL).
    device = db.get(DeviceRow, device_id, with_for_update=True)
    if device is None or not signing.verify(device.public_key, signature, message):
        security_event(db, "device_proof_failed", address=where, device_id=device_id)
        db.commit()
        raise ApiError(401, "device_proof_invalid", "the device's signature does not verify")
    if device.revoked_at is not None:
        security_event(db, "revoked_device_login", address=where, device_id=device_id)
        db.commit()
        raise ApiError(401, "device_revoked", "this device was revoked")
    if device.disabled_at is not None:
        security_event(db, "disabled_device_login", address=where, device_id=device_id)
        db.commit()
        raise ApiError(401, "device_disabled", "this device is disabled for now")
    return device


def _issue(db: Session, settings: Settings, user: UserRow, device: DeviceRow, family: str) -> wire.TokenResponse:
    access, refresh_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    moment = now()
    db.execute(delete(TokenRow).where(TokenRow.expires_at <= moment), execution_options=NO_SYNC)
    db.execute(delete(RefreshTokenRow).where(RefreshTokenRow.expires_at <= moment), execution_options=NO_SYNC)
    db.add(
        TokenRow(
            token_hash=secret_hash(access),
            username=user.username,
            device_id=device.device_id,
            family_id=family,
            expires_at=moment + settings.access_ttl,
        )
    )
    db.add(
        RefreshTokenRow(
            token_hash=secret_hash(refresh_token),
            username=user.username,
            device_id=device.device_id,
            family_id=family,
            expires_at=moment + settings.refresh_ttl,
        )
    )
    db.commit()
    return wire.TokenResponse(
        access_token=access,
        token_type="bearer",
        expires_in=int(settings.access_ttl.total_seconds()),
        refresh_token=refresh_token,
        office_code=device.office_code,
        role=user.role,
    )


@router.post(f"{wire.API_PREFIX}/auth/challenge", response_model=wire.ChallengeResponse)
def auth_challenge(
    body: wire.ChallengeRequest, request: Request, db: Db, server: State, _: Allowed
) -> wire.ChallengeResponse:
    """A nonce for the device to sign. Answered alike for every device id: it says nothing about enrolment."""
    if not server.challenge_limiter.allow(address(request)):  # a flood of nonces is refused early
        raise ApiError(429, "too_many_requests", "too many challenges", {"Retry-After": "60"})
    nonce = secrets.token_urlsafe(24)
    moment = now()
    db.execute(delete(ChallengeRow).where(ChallengeRow.expires_at <= moment), execution_options=NO_SYNC)
    db.add(
        ChallengeRow(
            nonce_hash=secret_hash(nonce), device_id=body.device_id, expires_at=moment + server.settings.challenge_ttl
        )
    )
    db.commit()
    return wire.ChallengeResponse(nonce=nonce, expires_in=int(server.settings.challenge_ttl.total_seconds()))


@router.post(f"{wire.API_PREFIX}/auth/token", response_model=wire.TokenResponse)
def auth_token(body: wire.TokenRequest, request: Request, db: Db, server: State, _: Allowed) -> wire.TokenResponse:
    where = address(request)
    message = wire.auth_message("token", body.device_id, body.username, body.nonce)
    device = _proven_device(db, body.device_id, body.nonce, body.signature, message, where)
    user = check_password(db, server.settings, body.username, body.password, where, device.device_id)
    if user.office_code != device.office_code and user.role != Role.ADMINISTRATOR:
        security_event(db, "login_other_office", username=user.username, address=where, device_id=device.device_id)
        db.commit()
        raise ApiError(403, "device_other_office", "this device belongs to another office")
    device.client_version = client_version(request)  # which version each device last signed in with
    return _issue(db, server.settings, user, device, str(uuid.uuid4()))


@router.post(f"{wire.API_PREFIX}/auth/refresh", response_model=wire.TokenResponse)
def auth_refresh(body: wire.RefreshRequest, request: Request, db: Db, server: State, _: Allowed) -> wire.TokenResponse:
    where = address(request)
    token_hash = secret_hash(body.refresh_token)
    message = wire.auth_message("refresh", body.device_id, token_hash, body.nonce)
    device = _proven_device(db, body.device_id, body.nonce, body.signature, message, where)
    spent = db.execute(
        update(RefreshTokenRow)
        .where(
            RefreshTokenRow.token_hash == token_hash,
            RefreshTokenRow.device_id == device.device_id,
            RefreshTokenRow.spent.is_(False),
            RefreshTokenRow.expires_at > now(),
        )
        .values(spent=True),
        execution_options=NO_SYNC,
    )
    row = db.get(RefreshTokenRow, token_hash)
    if not spent.rowcount:  # type: ignore[attr-defined]
        if row is not None and row.spent:
            # A spent token came back: it was copied. Nobody keeps any token of that log-in.
            revoke_family(db, row.family_id)
            security_event(db, "refresh_reused", username=row.username, address=where, device_id=device.device_id)
            db.commit()
            raise ApiError(401, "refresh_reused", "refresh token already used; log in again")
        db.commit()
        raise ApiError(401, "refresh_invalid", "refresh token not valid")
    assert row is not None
    user = db.get(UserRow, row.username)
    if user is None or user.disabled_at is not None:
        db.commit()
        raise ApiError(401, "refresh_invalid", "unknown or disabled user")
    device.client_version = client_version(request)
    return _issue(db, server.settings, user, device, row.family_id)


def revoke_family(db: Session, family: str) -> None:
    db.execute(delete(TokenRow).where(TokenRow.family_id == family), execution_options=NO_SYNC)
    db.execute(delete(RefreshTokenRow).where(RefreshTokenRow.family_id == family), execution_options=NO_SYNC)


def revoke_device_tokens(db: Session, device_id: str) -> None:
    db.execute(delete(TokenRow).where(TokenRow.device_id == device_id), execution_options=NO_SYNC)
    db.execute(delete(RefreshTokenRow).where(RefreshTokenRow.device_id == device_id), execution_options=NO_SYNC)


def live_sessions(db: Session, device_id: str, at: datetime | None = None) -> int:
    """Unexpired access tokens of a device (tests and the device list)."""
    moment = at or now()
    return int(
        db.scalar(
            select(func.count())
            .select_from(TokenRow)
            .where(TokenRow.device_id == device_id, TokenRow.expires_at > moment)
        )
        or 0
    )
