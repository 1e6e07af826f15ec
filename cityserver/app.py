"""The reference city server's HTTP API (FastAPI): the app factory that puts the parts together.

Parts: auth (log-in, refresh), devices (enrolment, revocation, keys), approvals, lookups, cases (cases, updates,
book records, what devices read back), track (the public progress page). Every route runs the one permission
dependency; a route without a row in the permission table stops the server from starting.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from cityserver import (
    approvals,
    auth,
    cases,
    decisions,
    devices,
    lookups,
    marks,
    officedays,
    reference,
    telemetry,
    track,
)
from cityserver.context import ServerState, Settings, State, address, now
from cityserver.db import DeviceRow, SecurityEventRow, UserRow, make_engine, open_db, shared_pepper
from cityserver.errors import ERROR_RESPONSES, ApiError, install
from cityserver.limits import BodyGuard, RateLimit, WriteGate, networks
from cityserver.observe import RequestLog, configure_logging
from cityserver.permissions import PERMISSIONS, Allowed, check_routes, permit, routes
from cityserver.reference import load_reference
from cityserver.registers import Faults, Policy, sandbox_registers
from forms.catalog import load_catalog
from forms.resources import resource_path
from sync.protocol import wire
from sync.protocol.passwords import hash_password

log = logging.getLogger(__name__)

ROLES = ("clerk", "liaison", "supervisor", "administrator")

general = APIRouter()


@general.get(f"{wire.API_PREFIX}/health", response_model=wire.Health)
def health(_: Allowed, server: State) -> wire.Health:
    settings = server.settings
    return wire.Health(
        status="ok",
        service=wire.SERVICE_NAME,
        api_version=wire.API_VERSION,
        server_time=now(),
        minimum_version=settings.min_client_version,
        latest_version=settings.latest_version,
        installer_url=settings.installer_url,
    )


class Liveness(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "degraded", "unavailable"]
    database: Literal["ok", "error"]
    registers: dict[str, str]  # kind -> closed / half-open / open (its breaker)


@general.get(f"{wire.API_PREFIX}/health/live", response_model=Liveness)
def health_live(_: Allowed) -> Liveness:
    """The process answers (for systemd's watchdog or a load balancer's restart policy): nothing else is asked."""
    return Liveness(status="ok")


@general.get(f"{wire.API_PREFIX}/health/ready", response_model=Readiness, responses={503: {"model": Readiness}})
def health_ready(_: Allowed, server: State) -> JSONResponse:
    """Whether to send this server work: 503 when its database does not answer; "degraded" (still 200: counters
    work, look-ups wait as 待查驗) when a register's breaker is open."""
    try:
        with server.factory() as s:
            s.execute(text("SELECT 1"))
        database: Literal["ok", "error"] = "ok"
    except SQLAlchemyError:
        log.warning("readiness: the database does not answer", exc_info=True)
        database = "error"
    registers = {kind: r.state for kind, r in server.registers.items()}
    status: Literal["ready", "degraded", "unavailable"] = (
        "unavailable"
        if database == "error"
        else "degraded"
        if any(v != "closed" for v in registers.values())
        else "ready"
    )
    body = Readiness(status=status, database=database, registers=registers)
    return JSONResponse(body.model_dump(), status_code=503 if database == "error" else 200)


@general.get("/internal/metrics", response_class=PlainTextResponse, include_in_schema=False)  # operators only
def prometheus(request: Request, _: Allowed, server: State) -> Response:
    """Every worker's counts for Prometheus, to the addresses the operator allowed (a scraper has no device)."""
    allowed = networks(server.settings.metrics_from.split(","))
    where = address(request)
    try:
        permitted = any(ipaddress.ip_address(where) in net for net in allowed)
    except ValueError:
        permitted = False
    if not permitted:
        raise ApiError(403, "forbidden", "metrics are not served to this address")
    body, kind = telemetry.exposition()
    return Response(body, media_type=kind)


@general.get(f"{wire.API_PREFIX}/catalog", response_model=wire.CatalogDelta)
def catalog_delta(_: Allowed, server: State, since: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> wire.CatalogDelta:
    """Services whose catalog version is newer than the device's (`since`)."""
    entries = [
        wire.CatalogEntry(
            code=s.code,
            version=s.catalog_version,
            file_name=s.source_file,
            text=(server.catalog_dir / s.source_file).read_text(encoding="utf-8"),
        )
        for s in server.catalog
        if s.catalog_version > since
    ]
    return wire.CatalogDelta(entries=entries, version=max(s.catalog_version for s in server.catalog))


@general.get(f"{wire.API_PREFIX}/metrics", response_model=wire.MetricsResponse)
def metrics(_: Allowed, server: State) -> wire.MetricsResponse:
    """Counts the city's security staff watch: security events by kind (failed log-ins, lock-outs, reused refresh
    tokens, refused or unusual look-ups, revocations) and devices by state."""
    return wire.MetricsResponse(metrics=metrics_of(server.factory))


def add_user(factory: sessionmaker[Session], username: str, password: str, office_code: str, role: str) -> None:
    """Create or reset a user (the sandbox re-keys its practice account at every start)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role}")
    with factory.begin() as session:
        session.merge(
            UserRow(username=username, password_hash=hash_password(password), office_code=office_code, role=role)
        )


def create_app(
    db_url: str = "sqlite:///cityserver.db",
    *,
    audit_pepper: bytes | None = None,
    catalog_dir: Path | None = None,
    reference_dir: Path | None = None,
    settings: Settings | None = None,
    trusted_proxies: Iterable[str] = (),
) -> FastAPI:
    """Build the app on a database at the code's revision (`counterdesk-server migrate`; the sandbox's is made by
    cityserver.schema.prepare_sandbox). `audit_pepper`: the audit key, from the operator's secret file; without
    one, the key kept in the database (made once, the same for every worker). `catalog_dir`: the city's published
    catalog (the shipped one by default); devices pull what is newer than theirs. `reference_dir`: the city's
    published calendar and amounts (resources/ by default). `trusted_proxies`: addresses whose X-Forwarded-For is
    believed."""
    engine = make_engine(db_url)
    factory = open_db(engine)
    folder = catalog_dir or resource_path("catalog")
    base = settings or Settings()
    proxies = networks(trusted_proxies)
    if proxies:
        base = replace(base, trusted_proxies=proxies)
    server = ServerState(
        factory=factory,
        catalog=load_catalog(folder),
        catalog_dir=folder,
        pepper=audit_pepper or shared_pepper(factory),
        settings=base,
        track_limiter=RateLimit(factory, "track", limit=base.track_limit_per_minute, window=60.0),
        challenge_limiter=RateLimit(factory, "challenge", limit=base.challenges_per_minute, window=60.0),
        registers=sandbox_registers(
            factory,
            Faults(base.register_latency_ms, base.register_failure_rate),
            Policy(base.register_budget_s, base.register_retries, base.register_failures_to_open, base.register_open_s),
        ),
        reference=load_reference(reference_dir),
    )
    app = FastAPI(title="Counterdesk city server", version=wire.API_VERSION, docs_url=None, redoc_url=None)
    app.state.server = server
    app.state.session_factory = factory
    app.state.engine = engine
    install(app)
    routers = (
        general,
        auth.router,
        devices.router,
        approvals.router,
        lookups.router,
        cases.router,
        decisions.router,
        officedays.router,
        marks.router,
        reference.router,
    )
    for router in routers:
        app.include_router(router, dependencies=[Depends(permit)], responses=ERROR_RESPONSES)
    app.include_router(track.router, dependencies=[Depends(permit)], responses=track.RESPONSES)  # pages, not JSON
    check_routes(app)
    _public_operations_need_no_token(app)
    app.add_middleware(BodyGuard, max_bytes=base.max_body_bytes, idle_s=base.body_idle_s, total_s=base.body_total_s)
    app.add_middleware(WriteGate, concurrency=base.write_concurrency, max_wait_s=base.write_max_wait_s)
    app.add_middleware(
        RequestLog, observers=[telemetry.observe_request]
    )  # outermost: a request the guard refuses is logged too
    return app


def app_from_environment() -> FastAPI:
    """The app factory each worker calls (`counterdesk-server serve`, or uvicorn/gunicorn pointed at
    `cityserver.app:app_from_environment`): its configuration from the environment and the files it names."""
    from cityserver import config

    cfg = config.load()
    configure_logging(cfg.log_format)
    # A batch being checked holds the interpreter for long stretches; a counter's look-up on another thread of the
    # same worker waits for it at every database round trip. Switching every 1 ms instead of 5 shortens each wait.
    sys.setswitchinterval(cfg.switch_interval_ms / 1000)
    return create_app(
        cfg.db_url, audit_pepper=cfg.audit_pepper, settings=cfg.settings, trusted_proxies=cfg.trusted_proxies
    )


def _public_operations_need_no_token(app: FastAPI) -> None:
    """The description says what the permission table says: public operations take no bearer token."""
    public = {r.unique_id for r in routes(app) if isinstance(r, APIRoute) and PERMISSIONS[r.name].public}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            for item in schema.get("paths", {}).values():
                for operation in item.values():
                    if isinstance(operation, dict) and operation.get("operationId") in public:
                        operation["security"] = []
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def metrics_of(factory: sessionmaker[Session]) -> list[wire.Metric]:
    with factory() as s:
        events = s.execute(select(SecurityEventRow.kind, func.count()).group_by(SecurityEventRow.kind)).all()
        devices_by_state = s.execute(
            select(DeviceRow.revoked_at.is_(None), func.count()).group_by(DeviceRow.revoked_at.is_(None))
        ).all()
    out = [wire.Metric(name="security_events_total", labels={"kind": k}, value=float(n)) for k, n in events]
    out += [
        wire.Metric(name="devices", labels={"state": "active" if active else "revoked"}, value=float(n))
        for active, n in devices_by_state
    ]
    return out
