"""cityserver's own database (SQLite by default, PostgreSQL for a real city): residents, users, tokens,
cases and the server-side audit of every personal-data look-up."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from cityserver.population import DEFAULT_SEED, DEFAULT_SIZE, LOOKUP_KINDS, generate


class Base(DeclarativeBase):
    pass


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
    role: Mapped[str] = mapped_column(String(16))


class TokenRow(Base):
    __tablename__ = "tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the bearer token
    username: Mapped[str] = mapped_column(ForeignKey("users.username"))
    device_id: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RefreshTokenRow(Base):
    """A refresh token, bound to one device, spent on use (a replayed old token is refused)."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"))
    device_id: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    spent: Mapped[bool] = mapped_column(default=False)


class DeviceKeyRow(Base):
    """A device's receipt-signing public key as the city certified it; revoked keys verify nothing."""

    __tablename__ = "device_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(32))
    office_code: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[str] = mapped_column(String(64))
    registered_by: Mapped[str] = mapped_column(String(64))
    revoked: Mapped[bool] = mapped_column(default=False)


class CaseRow(Base):
    __tablename__ = "cases"

    # The UNIQUE primary key is what makes a replay a duplicate, not a second case (no check-then-insert).
    case_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_number: Mapped[str] = mapped_column(String(64), index=True)
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


class StatusEventRow(Base):
    """Every status a case goes through, numbered: devices pull what is new since their cursor."""

    __tablename__ = "status_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
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


CLOSED_STATUSES = ("核准", "駁回", "撤回")


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
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ApprovalRow(Base):
    """A supervisor's override approval: who approved what for which case, and why."""

    __tablename__ = "approvals"

    approval_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    supervisor: Mapped[str] = mapped_column(String(64))
    clerk: Mapped[str] = mapped_column(String(64))
    case_uuid: Mapped[str] = mapped_column(String(36), index=True)
    reason: Mapped[str] = mapped_column(Text)
    rules: Mapped[str] = mapped_column(Text)


class LookupAuditRow(Base):
    __tablename__ = "lookup_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    lookup_id: Mapped[str] = mapped_column(String(36), unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    username: Mapped[str] = mapped_column(String(64))
    office_code: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(32))
    case_uuid: Mapped[str] = mapped_column(String(36), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    id_masked: Mapped[str] = mapped_column(String(10))  # never the full number (RELIABILITY.md, audit)
    id_digest: Mapped[str] = mapped_column(String(64), index=True)
    result: Mapped[str] = mapped_column(String(16))  # hit / miss


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
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


def init_db(engine: Engine, seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> sessionmaker[Session]:
    """Create the tables and load the synthetic population once (an existing population is kept)."""
    Base.metadata.create_all(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory.begin() as session:
        if session.scalar(select(func.count()).select_from(ResidentRow)) == 0:
            session.add_all(
                ResidentRow(
                    national_id=r.national_id,
                    city_code=r.city_code,
                    records=json.dumps({k: r.record(k) for k in LOOKUP_KINDS}, ensure_ascii=False),
                )
                for r in generate(seed, size)
            )
    return factory
