"""Who may call what: ONE table of endpoint × role × office relation, enforced by ONE dependency (`permit`).

Identity and authority come from the authenticated session only: the user's current role and office, and the
enrolled, unrevoked device the token was issued to. Nothing in a request body can change them.

Relations say whose resource an endpoint acts on: `none` (no office's), `own` (the caller's office), `forwarded`
(a case another office received for the caller's office to decide) or `other` (another office's). A role may
act on the relations listed for it; any other relation is answered 404, as if the resource did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select, update
from starlette.routing import BaseRoute

from cityserver.context import NO_SYNC, Db, aware, now, secret_hash
from cityserver.db import DeviceRow, TokenRow, UserRow
from cityserver.errors import ApiError
from sync.protocol import version


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    CLERK = "clerk"
    LIAISON = "liaison"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


class Relation(StrEnum):
    NONE = "none"
    OWN = "own"
    FORWARDED = "forwarded"
    OTHER = "other"


@dataclass(frozen=True)
class Rule:
    """For each role allowed at all, the office relations it may act on."""

    allow: Mapping[Role, frozenset[Relation]]

    @property
    def public(self) -> bool:
        return Role.ANONYMOUS in self.allow


def rule(**roles: str) -> Rule:
    """rule(clerk="none", supervisor="own forwarded") — a role not named is refused."""
    return Rule({Role(name): frozenset(Relation(r) for r in relations.split()) for name, relations in roles.items()})


PUBLIC = rule(**{r.value: "none" for r in Role})
DEVICE_USERS = rule(clerk="none", liaison="none", supervisor="none")
OWN_DEVICE_USERS = rule(clerk="own", liaison="own", supervisor="own")

PERMISSIONS: dict[str, Rule] = {
    # Anyone: health, the API description, the public progress page, and the steps that lead to a session
    # (each proves something else: a one-time code, a signature by an enrolled device's key, a password).
    "health": PUBLIC,
    "health_live": PUBLIC,
    "health_ready": PUBLIC,
    "prometheus": PUBLIC,  # by address instead (Settings.metrics_from)
    "openapi": PUBLIC,
    "track_form": PUBLIC,
    "track": PUBLIC,
    "auth_challenge": PUBLIC,
    "auth_token": PUBLIC,
    "auth_refresh": PUBLIC,
    "device_enrol": PUBLIC,
    # Intake at a counter or in a village hall.
    "lookup": DEVICE_USERS,
    "open_cases": DEVICE_USERS,
    "approve": DEVICE_USERS,  # asked from a clerk's desk; the approver's own role is checked inside
    "cases_batch": OWN_DEVICE_USERS,
    "case_updates_batch": OWN_DEVICE_USERS,
    "day_records_batch": OWN_DEVICE_USERS,  # each record carries a supervisor's approval, checked per record
    "digest": OWN_DEVICE_USERS,
    "case_count": OWN_DEVICE_USERS,
    "register_key": OWN_DEVICE_USERS,
    # A device's own numbering, and the cases it took, pulled back by a ledger that fell behind.
    "device_marks": OWN_DEVICE_USERS,
    "device_cases": OWN_DEVICE_USERS,
    "device_records": OWN_DEVICE_USERS,
    "register_supervisor_key": rule(supervisor="own"),  # a supervisor signed in on the device, for that device
    "status_changes": rule(clerk="own forwarded", liaison="own forwarded", supervisor="own forwarded"),
    "catalog_delta": rule(clerk="none", liaison="none", supervisor="none", administrator="none"),
    "reference_data": rule(clerk="none", liaison="none", supervisor="none", administrator="none"),
    # Closures of the caller's office and city; declared by a supervisor of the office (for it or the city).
    "list_closures": rule(clerk="none", liaison="none", supervisor="none"),
    "declare_closure": rule(supervisor="own"),
    # The deciding office's back office: not village liaison officers.
    "record_step": rule(clerk="own forwarded", supervisor="own forwarded"),
    "record_arrival": rule(clerk="forwarded", supervisor="forwarded"),  # paper another office sent on
    "forwarded": rule(clerk="own", supervisor="own"),
    "case_queue": rule(clerk="own", supervisor="own"),
    # The office's 日結 across its devices: its supervisors.
    "office_day_facts": rule(supervisor="own"),
    "monthly": rule(supervisor="own"),
    "sign_office_day": rule(supervisor="own"),
    # Supervisors of the office; the city's administrators for any office.
    "lookup_batch": rule(supervisor="none"),
    "review_list": rule(supervisor="none"),
    "create_enrolment": rule(supervisor="own", administrator="own other"),
    "list_devices": rule(supervisor="own", administrator="own other"),
    "revoke_device": rule(supervisor="own", administrator="own other"),
    "revoke_key": rule(supervisor="own", administrator="own other"),
    "metrics": rule(administrator="none"),
}


@dataclass(frozen=True)
class Caller:
    """Who is calling, from the session: user, current role and office, and the enrolled device."""

    username: str
    role: Role
    office_code: str
    device_id: str


ANONYMOUS = Caller("", Role.ANONYMOUS, "", "")
_SEEN_EVERY = timedelta(minutes=5)  # how stale a device's last_seen_at may get (one write per 5 minutes)


@dataclass(frozen=True)
class Access:
    """The caller and what the table allows them on this endpoint."""

    caller: Caller
    route: str
    rule: Rule

    def relation(self, office: str, assigned: str | None = None) -> Relation:
        """The caller's relation to a resource of `office` (and, for a case, the office deciding it)."""
        mine = self.caller.office_code
        if office == mine and (assigned is None or assigned == mine):
            return Relation.OWN
        if assigned == mine:
            return Relation.FORWARDED
        return Relation.OTHER

    def allows(self, relation: Relation) -> bool:
        return relation in self.rule.allow.get(self.caller.role, frozenset())

    def check(self, office: str, assigned: str | None = None) -> Relation:
        """Raises ApiError 404 when the caller may not act on a resource of that office (it stays invisible)."""
        relation = self.relation(office, assigned)
        if not self.allows(relation):
            raise ApiError(404, "not_found", "no such resource for the caller")
        return relation


def authenticate(db: Db, authorization: str | None) -> Caller:
    """The caller behind a bearer token: the token unexpired, its device enrolled and not revoked (401 otherwise)."""
    if not authorization or not authorization.startswith("Bearer "):
        raise ApiError(401, "auth_missing", "missing bearer token")
    found = db.execute(
        select(
            TokenRow.expires_at,
            TokenRow.device_id,
            UserRow.username,
            UserRow.role,
            UserRow.office_code,
            DeviceRow.revoked_at,
            DeviceRow.disabled_at,
            UserRow.disabled_at.label("user_disabled_at"),
            DeviceRow.office_code.label("device_office"),
            DeviceRow.last_seen_at,
        )
        .join(UserRow, UserRow.username == TokenRow.username)
        .join(DeviceRow, DeviceRow.device_id == TokenRow.device_id)
        .where(TokenRow.token_hash == secret_hash(authorization.removeprefix("Bearer ")))
    ).first()
    moment = now()
    if found is None or aware(found.expires_at) <= moment:
        raise ApiError(401, "auth_invalid", "invalid or expired token")
    if found.revoked_at is not None:
        raise ApiError(401, "device_revoked", "this device was revoked")
    if found.disabled_at is not None or found.user_disabled_at is not None:
        # Disabling ends the sessions too; this is the second lock on the door.
        raise ApiError(401, "auth_invalid", "invalid or expired token")
    if found.last_seen_at is None or aware(found.last_seen_at) < moment - _SEEN_EVERY:
        db.execute(
            update(DeviceRow).where(DeviceRow.device_id == found.device_id).values(last_seen_at=moment),
            execution_options=NO_SYNC,
        )
        db.commit()
    # A user acts for the office of the device they are signed in on (log-in refuses other offices' devices,
    # except to the city's administrators).
    return Caller(found.username, Role(found.role), found.device_office, found.device_id)


_bearer = HTTPBearer(auto_error=False, description="An access token from /auth/token or /auth/refresh")


def permit(
    request: Request, db: Db, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None
) -> Access:
    """The one dependency every endpoint runs: finds the endpoint's row in PERMISSIONS, authenticates unless it is
    public, and refuses a role the row does not name (403)."""
    route = request.scope.get("route")
    name = getattr(route, "name", "")
    table_rule = PERMISSIONS.get(name)
    if table_rule is None:  # create_app checks every route at start; this is a second lock on the door
        raise ApiError(403, "forbidden", "endpoint not in the permission table")
    if name not in VERSIONLESS:
        check_client_version(request)
    if table_rule.public:
        return Access(ANONYMOUS, name, table_rule)
    caller = authenticate(db, f"Bearer {credentials.credentials}" if credentials else None)
    if caller.role not in table_rule.allow:
        raise ApiError(403, "forbidden", f"{caller.role} may not use {name}")
    return Access(caller, name, table_rule)


Allowed = Annotated[Access, Depends(permit)]

# What a client of any version may reach: where it learns that it must update, and the public pages.
VERSIONLESS = frozenset({"health", "health_live", "health_ready", "prometheus", "openapi", "track_form", "track"})


def client_version(request: Request) -> str:
    """The version the client says it is ("" when it says nothing readable)."""
    said = request.headers.get(version.VERSION_HEADER, "")
    return said.strip() if version.parse(said) is not None else ""


def check_client_version(request: Request) -> None:
    """Refuse (426) a client older than the city's minimum, saying which version is needed and where it is."""
    settings = request.app.state.server.settings
    if version.older_than(client_version(request), settings.min_client_version):
        headers = {version.MINIMUM_HEADER: settings.min_client_version}
        if settings.latest_version:
            headers[version.LATEST_HEADER] = settings.latest_version
        if settings.installer_url:
            headers[version.INSTALLER_HEADER] = settings.installer_url
        raise ApiError(426, "client_outdated", f"this server requires version {settings.min_client_version}", headers)


def routes(app: FastAPI) -> Iterator[BaseRoute]:
    """Every route the app answers, through included routers."""

    def walk(items: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
        for route in items:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                yield from walk(inner.routes)
            else:
                yield route

    return walk(app.routes)


def check_routes(app: FastAPI) -> None:
    """Every route of the app has a row in the table (a new endpoint without one stops the server from starting)."""
    missing = sorted({getattr(r, "name", repr(r)) for r in routes(app)} - set(PERMISSIONS))
    if missing:
        raise RuntimeError(f"endpoints without a permission rule: {', '.join(missing)}")
