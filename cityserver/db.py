"""cityserver's own database (SQLite by default, PostgreSQL for a real city): residents, users, enrolled devices,
tokens, cases, approvals and the server-side audit of every personal-data look-up and every security event."""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from cityserver.population import DEFAULT_SEED, DEFAULT_SIZE, LOOKUP_KINDS, generate
from forms.casesteps import FINAL

SETUP_LOCK = 0x43445343  # "CDSC": the PostgreSQL advisory lock migrating and seeding hold
CURSOR_LOCK = 0x43445351  # "CDSQ": held from numbering a row devices follow by cursor until its commit


class SchemaOutdated(Exception):
    """The database is not at the code's revision: it needs `counterdesk-server migrate` (or, for the sandbox,
    starting over), or a newer server migrated it."""


class Base(DeclarativeBase):
    pass


class MetaRow(Base):
    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))


class ResidentRow(Base):
    """One person in the central registers; `records` holds each look-up kind's answer as JSON."""

    __tablename__ = "residents"

    national_id: Mapped[str] = mapped_column(String(10), primary_key=True)
    city_code: Mapped[str] = mapped_column(String(8), index=True)
    records: Mapped[str] = mapped_column(Text)


class UserRow(Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(256))  # scrypt$n$r$p$salt$hash
    office_code: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))  # clerk / liaison / supervisor / administrator
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DeviceRow(Base):
    """An enrolled PC: the city assigned its id and bound its identity key; revoking it ends everything it holds."""

    __tablename__ = "devices"

    device_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(String(64), unique=True)  # Ed25519 identity key, base64url
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    enrolled_by: Mapped[str] = mapped_column(String(64))
    client_version: Mapped[str] = mapped_column(String(32), default="")
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)  # for a while


class DeviceLedgerRow(Base):
    """Which ledger file a device writes with, and the head of its audit chain as it last reported it: a copied,
    restored or rebuilt ledger is told from the one the city knows."""

    __tablename__ = "device_ledgers"

    device_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    ledger_id: Mapped[str] = mapped_column(String(36))
    audit_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    audit_head: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EnrolmentRow(Base):
    """A one-time enrolment code (only its hash is kept): short-lived, single use, for one named PC of an office."""

    __tablename__ = "enrolments"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    device_id: Mapped[str | None] = mapped_column(String(16), nullable=True)  # set when used


class EnrolmentReplacementRow(Base):
    """A one-time code that enrols a replacement for a device: the new PC takes that device id over (a table of its
    own, so that older databases simply get it)."""

    __tablename__ = "enrolment_replacements"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(16))


class ChallengeRow(Base):
    """A nonce a device must sign to log in or refresh (single use, short-lived)."""

    __tablename__ = "auth_challenges"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class TokenRow(Base):
    __tablename__ = "tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the bearer token
    username: Mapped[str] = mapped_column(ForeignKey("users.username"))
    device_id: Mapped[str] = mapped_column(String(32), index=True)
    family_id: Mapped[str] = mapped_column(String(36), index=True)  # the log-in this token descends from
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RefreshTokenRow(Base):
    """A refresh token, bound to one device, spent on use; presenting a spent one revokes its whole family."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"))
    device_id: Mapped[str] = mapped_column(String(32), index=True)
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    spent: Mapped[bool] = mapped_column(default=False)


class DeviceKeyRow(Base):
    """A device's receipt-signing public key as the city certified it. Receipts signed before it (or its device)
    was revoked still verify; anything the city received later does not."""

    __tablename__ = "device_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(32), index=True)
    office_code: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[str] = mapped_column(String(64))
    registered_by: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CaseRow(Base):
    __tablename__ = "cases"

    # The UNIQUE primary key is what makes a replay a duplicate, not a second case (no check-then-insert).
    case_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Numbers are unique per device (their prefix names office and device): a second case under a number the
    # city holds is refused, so nobody can take a citizen's receipt number first.
    case_number: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_number: Mapped[str] = mapped_column(String(64))
    service_code: Mapped[str] = mapped_column(String(32))
    national_id: Mapped[str] = mapped_column(String(10), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    office_code: Mapped[str] = mapped_column(String(32), index=True)
    device_id: Mapped[str] = mapped_column(String(32), index=True)
    business_date: Mapped[date] = mapped_column(Date, index=True)  # the office day the case was taken (UTC+8)
    pushed_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    status: Mapped[str] = mapped_column(String(16), default="收件")
    # The office that decides: the receiving one (跨區申辦), or the applicant's registered district (跨區收件).
    assigned_office: Mapped[str] = mapped_column(String(32), index=True)

    __table_args__ = (Index("ix_cases_device_receipt", "device_id", "receipt_number", unique=True),)


class StatusEventRow(Base):
    """Every status a case goes through, numbered: devices pull what is new since their cursor."""

    __tablename__ = "status_events"

    # 64-bit: devices ask "since" any cursor up to wire.MAX_CURSOR (a 32-bit column made PostgreSQL fail on large ones).
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.case_uuid"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseUpdateRow(Base):
    """A later verification of a case (its decision once the deferred look-ups ran); never overwrites the case."""

    __tablename__ = "case_updates"

    update_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.case_uuid"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseStepRow(Base):
    """A step the deciding office recorded (審核中 / 補件 / 核准 / 駁回), under the key its device chose: a retry is the
    same step, never a second one. Its status event (seq) is what devices and /track follow."""

    __tablename__ = "case_steps"

    step_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.case_uuid"), index=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    owed: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of document names (補件)
    owed_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    by: Mapped[str] = mapped_column(String(64))
    office_code: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseArrivalRow(Base):
    """The home office of a 跨區收件 case marked the paper sent on to it, under the key its device chose (a retry is
    the same marking)."""

    __tablename__ = "case_arrivals"

    arrival_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.case_uuid"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    received: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of document names
    missing: Mapped[str] = mapped_column(Text, default="[]")
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(64))
    office_code: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OfficeCloseRow(Base):
    """An office's day signed by one of its supervisors (once per office and day), with why each device that did
    not close its own day did not."""

    __tablename__ = "office_closes"
    __table_args__ = (UniqueConstraint("office_code", "day", name="uq_office_closes_office_day"),)

    close_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(32), index=True)
    day: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    explanations: Mapped[str] = mapped_column(Text, default="{}")  # JSON: device id → why
    report_hash: Mapped[str] = mapped_column(String(64))


CLOSED_STATUSES = FINAL


class RateHitRow(Base):
    """Requests counted per key (an address and what it asked for) and fixed window, shared by every worker and
    host: a limit holds for the city, not for one process."""

    __tablename__ = "rate_hits"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    slot: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )  # epoch s / window
    hits: Mapped[int] = mapped_column(Integer)


class DayRecordRow(Base):
    """A device's book record: a void, a signed day close, or a correction pointing at a signed day."""

    __tablename__ = "day_records"

    record_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    office_code: Mapped[str] = mapped_column(String(32), index=True)
    device_id: Mapped[str] = mapped_column(String(32), index=True)
    business_date: Mapped[date] = mapped_column(Date, index=True)
    case_uuid: Mapped[str | None] = mapped_column(String(36), index=True, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(64), default="")  # the supervisor the city verified
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # One signed close per device and day, one void per case: "kind|device|day" or "void|case".
    once_key: Mapped[str | None] = mapped_column(String(96), unique=True, nullable=True)


class ApprovalRow(Base):
    """A supervisor's approval the city issued after checking the password: bound to one action, its subject
    (the case, or a day close's record id), the day, the device; single use and short-lived."""

    __tablename__ = "approvals"

    approval_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    purpose: Mapped[str] = mapped_column(String(16))
    supervisor: Mapped[str] = mapped_column(String(64))
    clerk: Mapped[str] = mapped_column(String(64))
    office_code: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(16))
    case_uuid: Mapped[str] = mapped_column(String(36), index=True)  # the subject
    day: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    rules: Mapped[str] = mapped_column(Text)


class ApprovalUseRow(Base):
    """Which record used an approval (online or offline): the primary key makes every approval single use."""

    __tablename__ = "approval_uses"

    approval_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_uuid: Mapped[str] = mapped_column(String(36))
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SupervisorKeyRow(Base):
    """A supervisor's approval key on one device, registered when the city checked the supervisor's password."""

    __tablename__ = "supervisor_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    device_id: Mapped[str] = mapped_column(String(16), index=True)
    office_code: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LookupAuditRow(Base):
    __tablename__ = "lookup_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    lookup_id: Mapped[str] = mapped_column(String(36), unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    username: Mapped[str] = mapped_column(String(64))
    office_code: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(32))
    case_uuid: Mapped[str] = mapped_column(String(36), index=True)
    purpose: Mapped[str] = mapped_column(String(48))
    kind: Mapped[str] = mapped_column(String(16))
    id_masked: Mapped[str] = mapped_column(String(10))  # never the full number (RELIABILITY.md, audit)
    id_digest: Mapped[str] = mapped_column(String(64), index=True)
    result: Mapped[str] = mapped_column(String(16))  # hit / miss / denied

    __table_args__ = (
        Index("ix_lookup_audit_user_at", "username", "at"),
        Index("ix_lookup_audit_office_at", "office_code", "at"),
    )


class ReviewListRow(Base):
    """A re-verification list a supervisor registered (who, when, for which service, how many people)."""

    __tablename__ = "review_lists"

    list_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    people: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))  # of the sorted member digests: registering again must match


class ReviewMemberRow(Base):
    __tablename__ = "review_members"

    list_id: Mapped[str] = mapped_column(ForeignKey("review_lists.list_id"), primary_key=True)
    id_digest: Mapped[str] = mapped_column(String(64), primary_key=True)


class ClosureRow(Base):
    """A closure (停止上班) a supervisor declared from the city's announcement, for an office or the whole city."""

    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("day", "area_code", name="uq_closures_day_area"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # devices pull by it
    closure_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    scope: Mapped[str] = mapped_column(String(8))  # office / city
    area_code: Mapped[str] = mapped_column(String(8), index=True)
    announcement: Mapped[str] = mapped_column(String(200))
    declared_by: Mapped[str] = mapped_column(String(64))
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SecurityEventRow(Base):
    """Failed and refused log-ins, lock-outs, reused refresh tokens, revocations, unusual look-up volume: counted
    and kept, never silent. No password or token is ever written here."""

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    username: Mapped[str] = mapped_column(String(64), default="", index=True)
    address: Mapped[str] = mapped_column(String(64), default="", index=True)
    office_code: Mapped[str] = mapped_column(String(32), default="")
    device_id: Mapped[str] = mapped_column(String(16), default="")
    detail: Mapped[str] = mapped_column(String(200), default="")


def make_engine(url: str) -> Engine:
    # PostgreSQL: a pooled connection is checked before use, so a restarted (or failed-over) database costs one
    # reconnect, not a failed request per stale connection.
    postgres = url.startswith("postgresql")
    # connect_timeout: a database host that does not answer fails a request (and readiness) in seconds, not minutes.
    engine = create_engine(url, pool_pre_ping=postgres, connect_args={"connect_timeout": 5} if postgres else {})
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.execute("PRAGMA foreign_keys=ON")  # as PostgreSQL does
            cur.close()

    return engine


def take_setup_lock(conn: Connection | Session) -> None:
    """PostgreSQL: wait for, and hold until commit, the one lock that migrating and seeding take, so that several
    workers or hosts doing either at once do it one after the other. (SQLite has one writer anyway.)"""
    dialect = conn.dialect if isinstance(conn, Connection) else conn.get_bind().dialect
    if dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK})


def open_db(engine: Engine) -> sessionmaker[Session]:
    """Sessions on a database at the code's revision.

    Raises:
        SchemaOutdated: the database needs `counterdesk-server migrate` (or was migrated by a newer server).
    """
    from cityserver.schema import require_current

    require_current(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    if engine.dialect.name == "postgresql":
        event.listen(factory, "before_flush", _number_in_commit_order)
    return factory


# Rows that devices pull "since" a cursor. Numbered by a sequence, two transactions could commit out of order (11
# visible before 10): a device reading then moves its cursor past 10 and never sees it. So whoever numbers one
# holds CURSOR_LOCK until commit: numbers are handed out in commit order, and any snapshot holds a prefix.
# (SQLite has a single writer: its order is already the commit order.)
FOLLOWED_BY_CURSOR: tuple[type[Base], ...] = (StatusEventRow, ClosureRow)


def number_in_commit_order(session: Session) -> None:
    """Take CURSOR_LOCK (PostgreSQL) before inserting rows followed by cursor with Core statements, which the
    session's flush hook does not see; held until commit. Take it last: after the transaction's other writes."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CURSOR_LOCK})


def _number_in_commit_order(session: Session, _context: object, _instances: object) -> None:
    if any(isinstance(row, FOLLOWED_BY_CURSOR) for row in session.new):
        number_in_commit_order(session)


def shared_pepper(factory: sessionmaker[Session]) -> bytes:
    """The audit key kept in the database: made by whichever worker asks first, then the same for all of them and
    after every restart (one ID, one digest). An operator's secret file, when given, is used instead."""
    made = secrets.token_hex(32)
    with factory.begin() as session:
        session.execute(
            text("INSERT INTO meta (key, value) VALUES ('audit_pepper', :value) ON CONFLICT (key) DO NOTHING"),
            {"value": made},
        )
        stored = session.scalar(select(MetaRow.value).where(MetaRow.key == "audit_pepper"))
    assert stored is not None
    return bytes.fromhex(stored)


def seed_population(factory: sessionmaker[Session], seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> int:
    """Load the synthetic population of the sandbox registers unless one is there; returns how many were added.
    Only the sandbox and `counterdesk-server seed-sandbox` call it: a production database is never seeded."""
    with factory.begin() as session:
        take_setup_lock(session)
        if session.scalar(select(func.count()).select_from(ResidentRow)):
            return 0
        session.add_all(
            ResidentRow(
                national_id=r.national_id,
                city_code=r.city_code,
                records=json.dumps({k: r.record(k) for k in LOOKUP_KINDS}, ensure_ascii=False),
            )
            for r in generate(seed, size)
        )
    return size
