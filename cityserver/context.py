"""What every request handler shares: the server's settings and state, a database session, the clock."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from cityserver.db import SecurityEventRow
from cityserver.errors import ApiError
from cityserver.limits import BODY_IDLE_S, BODY_TOTAL_S, MAX_BODY_BYTES, IpNetwork, RateLimit, client_address
from cityserver.registers import Guarded
from forms.catalog import Catalog
from sync.protocol import wire

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """The operator's knobs (command line or create_app arguments); defaults suit an office-sized city."""

    access_ttl: timedelta = timedelta(minutes=10)
    refresh_ttl: timedelta = timedelta(days=30)
    challenge_ttl: timedelta = timedelta(minutes=2)
    approval_ttl: timedelta = timedelta(hours=24)  # an online approval not used by then is refused
    # Log-in throttling: this many failures in the window lock the user name (or the address) for the window.
    login_failures_per_user: int = 5
    login_failures_per_address: int = 30
    login_window: timedelta = timedelta(minutes=15)
    # Enrolment codes typed at new PCs: failures per address before a pause.
    enrol_failures_per_address: int = 10
    # Look-ups: a day's single look-ups per user above `warn` are reported, above `cap` refused.
    lookups_warn_per_user_day: int = 600
    lookups_cap_per_user_day: int = 3_000
    # Batch re-verification: people per office per day.
    batch_people_per_office_day: int = 20_000
    trusted_proxies: tuple[IpNetwork, ...] = ()
    track_limit_per_minute: int = 30
    challenges_per_minute: int = 120  # per address: log-in nonces (an office behind one NAT address included)
    # Request bodies: cut off when no byte came for `body_idle_s`, or the whole took longer than `body_total_s`.
    body_idle_s: float = BODY_IDLE_S
    body_total_s: float = BODY_TOTAL_S
    max_body_bytes: int = MAX_BODY_BYTES
    # Client versions: below `min_client_version` every call but /health is refused (426, 「請更新」); the newest
    # release and where its installer is are told to every client. "" = no minimum / nothing to advertise.
    min_client_version: str = ""
    latest_version: str = ""
    installer_url: str = ""
    # The central registers: a look-up waits at most `register_budget_s` (one retry inside it), and after
    # `register_failures_to_open` failures in a row a register is not asked for `register_open_s` (503, so the
    # counter records 待查驗 at once). The sandbox registers' pretend latency and failure rate (tests, benchmarks).
    register_budget_s: float = 2.0
    register_retries: int = 1
    register_failures_to_open: int = 5
    register_open_s: float = 30.0
    register_latency_ms: float = 0.0
    register_failure_rate: float = 0.0
    # Batches processed at once per worker (the rest wait in the event loop), and the longest a batch may wait
    # before it is told to come back later (503 + Retry-After) instead.
    # How long the look-up audit and security events stay in the database before `retention` archives them (set
    # it to the legal period your city follows; five years by default).
    audit_retention_days: int = 1826
    # Who may read /internal/metrics (Prometheus): addresses or networks, comma separated (seen as the client
    # address, so behind a proxy as X-Forwarded-For from a trusted proxy says).
    metrics_from: str = "127.0.0.1/32,::1/128"
    write_concurrency: int = 2
    write_max_wait_s: float = 40.0  # under the app's 60 s read timeout for batches (sync.city.client)


@dataclass
class ServerState:
    factory: sessionmaker[Session]
    catalog: Catalog
    catalog_dir: Path
    pepper: bytes  # the audit key: ID digests in the audit are HMACs under it
    settings: Settings
    track_limiter: RateLimit
    challenge_limiter: RateLimit
    registers: dict[str, Guarded]
    reference: list[wire.ReferenceDoc] = field(default_factory=list)  # the calendar and amounts, as published


def office_day_of(day: date) -> date:
    """A day from a path, checked as the wire checks office days (an absurd year is a 422, not a failed answer)."""
    try:
        return TypeAdapter(wire.OfficeDay).validate_python(day)
    except ValidationError as exc:
        raise ApiError(422, "invalid_request", "not an office day") from exc


def now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def secret_hash(value: str) -> str:
    """How tokens, nonces and codes are kept: SHA-256, never the value (they are random, so no salt is needed)."""
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def state(request: Request) -> ServerState:
    value: ServerState = request.app.state.server
    return value


def get_session(request: Request) -> Iterator[Session]:
    with state(request).factory() as session:
        yield session


Db = Annotated[Session, Depends(get_session)]
State = Annotated[ServerState, Depends(state)]


def address(request: Request) -> str:
    return client_address(request, state(request).settings.trusted_proxies)


def security_event(
    db: Session,
    kind: str,
    *,
    username: str = "",
    address: str = "",
    office_code: str = "",
    device_id: str = "",
    detail: str = "",
    routine: bool = False,
) -> None:
    """Record (and log) something the city's security staff must be able to count: added to the caller's
    transaction, which commits it. `routine`: expected events (an enrolment, a registered list), logged as info."""
    db.add(
        SecurityEventRow(
            at=now(),
            kind=kind,
            username=username[:64],
            address=address[:64],
            office_code=office_code[:32],
            device_id=device_id[:16],
            detail=detail[:200],
        )
    )
    log.log(
        logging.INFO if routine else logging.WARNING,
        "security event %s user=%s address=%s device=%s %s",
        kind,
        username,
        address,
        device_id,
        detail,
    )


# For bulk UPDATE/DELETE through a session: do not evaluate the criteria against objects the session holds (rows
# SQLite handed back carry naive datetimes, which cannot be compared with aware ones; nothing reads them after).
NO_SYNC = {"synchronize_session": False}
