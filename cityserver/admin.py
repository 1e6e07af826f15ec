"""What the city's administrator does from the command line (counterdesk-server users / devices / …): list users
and devices (with each device's last contact and app version), disable and enable them, reset a password. Each
change ends the sessions it must end at once and is recorded as a security event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from cityserver.context import NO_SYNC, aware, now, security_event
from cityserver.db import DeviceRow, RefreshTokenRow, TokenRow, UserRow
from sync.protocol.passwords import hash_password


class NotFound(Exception):
    pass


@dataclass(frozen=True)
class UserLine:
    username: str
    office_code: str
    role: str
    disabled_at: datetime | None


@dataclass(frozen=True)
class DeviceLine:
    device_id: str
    office_code: str
    name: str
    client_version: str
    last_seen_at: datetime | None
    disabled_at: datetime | None
    revoked_at: datetime | None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "停用"  # revoked: final
        return "暫停" if self.disabled_at is not None else "使用中"


def users(factory: sessionmaker[Session], office: str | None = None) -> list[UserLine]:
    with factory() as s:
        query = select(UserRow).order_by(UserRow.office_code, UserRow.username)
        if office:
            query = query.where(UserRow.office_code == office)
        return [
            UserLine(u.username, u.office_code, u.role, aware(u.disabled_at) if u.disabled_at else None)
            for u in s.scalars(query)
        ]


def devices(factory: sessionmaker[Session], office: str | None = None) -> list[DeviceLine]:
    with factory() as s:
        query = select(DeviceRow).order_by(DeviceRow.device_id)
        if office:
            query = query.where(DeviceRow.office_code == office)
        return [
            DeviceLine(
                d.device_id,
                d.office_code,
                d.name,
                d.client_version,
                aware(d.last_seen_at) if d.last_seen_at else None,
                aware(d.disabled_at) if d.disabled_at else None,
                aware(d.revoked_at) if d.revoked_at else None,
            )
            for d in s.scalars(query)
        ]


def _end_sessions(s: Session, *, username: str | None = None, device_id: str | None = None) -> None:
    for table in (TokenRow, RefreshTokenRow):
        column = table.username if username is not None else table.device_id
        s.execute(delete(table).where(column == (username or device_id)), execution_options=NO_SYNC)


def set_user_disabled(factory: sessionmaker[Session], username: str, disabled: bool, by: str) -> None:
    with factory.begin() as s:
        user = s.get(UserRow, username, with_for_update=True)
        if user is None:
            raise NotFound(username)
        user.disabled_at = now() if disabled else None
        if disabled:
            _end_sessions(s, username=username)
        kind = "user_disabled" if disabled else "user_enabled"
        security_event(s, kind, username=username, office_code=user.office_code, detail=f"by {by}", routine=True)


def reset_password(factory: sessionmaker[Session], username: str, password: str, by: str) -> None:
    """A new password; every session of the user ends (whoever knew the old one is out)."""
    with factory.begin() as s:
        user = s.get(UserRow, username, with_for_update=True)
        if user is None:
            raise NotFound(username)
        user.password_hash = hash_password(password)
        _end_sessions(s, username=username)
        security_event(
            s, "password_reset", username=username, office_code=user.office_code, detail=f"by {by}", routine=True
        )


def set_device_disabled(factory: sessionmaker[Session], device_id: str, disabled: bool, by: str) -> None:
    """A device paused (a laptop away for repair, a counter closed for months): its sessions end, it cannot sign
    in until enabled again; its keys and numbers stay (revoke-device is the final step for a lost one)."""
    with factory.begin() as s:
        device = s.get(DeviceRow, device_id, with_for_update=True)
        if device is None:
            raise NotFound(device_id)
        device.disabled_at = now() if disabled else None
        if disabled:
            _end_sessions(s, device_id=device_id)
        kind = "device_disabled" if disabled else "device_enabled"
        security_event(s, kind, office_code=device.office_code, device_id=device_id, detail=f"by {by}", routine=True)
