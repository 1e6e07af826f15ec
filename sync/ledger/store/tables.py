"""ORM tables of the local ledger (named *Row). Repository functions in sync.ledger turn them into domain types."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class CaseRow(Base):
    """One application taken at this device."""

    __tablename__ = "cases"

    case_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)  # idempotency key towards the city
    case_number: Mapped[str] = mapped_column(String(64), unique=True)
    service_code: Mapped[str] = mapped_column(String(32))
    catalog_version: Mapped[int] = mapped_column(Integer)
    # Sealed at rest (sync/crypto.py): national_id, applicant_name, birth_date, fields_json.
    national_id: Mapped[str] = mapped_column(Text)
    id_masked: Mapped[str] = mapped_column(String(10))
    id_digest: Mapped[str] = mapped_column(String(64), index=True)
    applicant_name: Mapped[str] = mapped_column(Text)
    birth_date: Mapped[str] = mapped_column(Text)  # ISO date, sealed
    office_code: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(32))
    clerk: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[str] = mapped_column(String(40), index=True)  # ISO datetime with offset
    business_date: Mapped[str] = mapped_column(String(10), index=True)  # local office day (ISO date)
    fee: Mapped[int] = mapped_column(Integer)
    payment_method: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(8))  # pass / fail / unknown
    reasons_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # 已受理 / 待查驗
    # Revision 0002: the service's extra fields, due date, paper still owed, supervisor override.
    fields_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    due_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    documents_owed_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    override_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Revision 0005: the city's status of the case, pulled back (收件 / 已轉送 / 審核中 / 補件 / 核准 / 駁回).
    server_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    server_note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Revision 0009: a keyed hash of the normalised name, to find cases by name while the name stays sealed.
    name_digest: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # Revision 0010: what the receipt promised (wire.Terms as JSON), the same as sealed into the outbox.
    terms_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Revision 0011: the due date as moved by a declared closure (due_date stays what was accepted and sealed).
    due_revised: Mapped[str | None] = mapped_column(String(10), nullable=True)


class ReceiptRow(Base):
    """A receipt: numbers are gapless per device (a void keeps its number)."""

    __tablename__ = "receipts"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    receipt_number: Mapped[str] = mapped_column(String(64), unique=True)
    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.case_uuid"), unique=True)
    issued_at: Mapped[str] = mapped_column(String(40))
    business_date: Mapped[str] = mapped_column(String(10), index=True)


class OutboxRow(Base):
    """What still has to reach the city. Written in the same transaction as the case."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    payload_json: Mapped[str] = mapped_column(Text)  # sealed: it carries the applicant's details
    case_uuid: Mapped[str | None] = mapped_column(String(36), index=True, nullable=True)  # revision 0004
    created_at: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16), index=True)  # pending / sent / attention
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class LookupRow(Base):
    """The audit trail of personal-data look-ups: who, when, whose (masked + keyed hash), which case, why."""

    __tablename__ = "lookups"
    __table_args__ = (UniqueConstraint("seq", name="uq_lookups_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40))
    clerk: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str] = mapped_column(String(32))
    case_uuid: Mapped[str] = mapped_column(String(36), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    id_masked: Mapped[str] = mapped_column(String(10))
    id_digest: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # hit / miss / error / refused
    server_lookup_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Revision 0003: the hash chain (sync/protocol/audit_chain.py).
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    row_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class CounterRow(Base):
    """Named sequences (case numbers per day, receipt numbers per device), advanced inside the writing transaction."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class CatalogEntryRow(Base):
    """A newer catalog file pulled from the city (revision 0006); overlays the shipped catalog at start."""

    __tablename__ = "catalog_entries"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)


class DayCloseRow(Base):
    """A business day signed off; its cases are then immutable."""

    __tablename__ = "day_closes"
    __table_args__ = (UniqueConstraint("business_date", "device_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    business_date: Mapped[str] = mapped_column(String(10))
    device_id: Mapped[str] = mapped_column(String(32))
    closed_at: Mapped[str] = mapped_column(String(40))
    closed_by: Mapped[str] = mapped_column(String(64))
    case_count: Mapped[int] = mapped_column(Integer)
    fee_total: Mapped[int] = mapped_column(Integer)
    first_receipt: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_receipt: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pending_sync: Mapped[int] = mapped_column(Integer)
    # Revision 0007: the signed report (canonical JSON and its SHA-256), the supervisor's approval, a sync key.
    close_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    approval: Mapped[str | None] = mapped_column(String(64), nullable=True)
    report_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    report_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class VoidRow(Base):
    """A receipt voided with a supervisor's approval (revision 0007). The case and its number stay."""

    __tablename__ = "voids"

    case_uuid: Mapped[str] = mapped_column(ForeignKey("cases.case_uuid"), primary_key=True)
    void_uuid: Mapped[str] = mapped_column(String(36), unique=True)  # idempotency key towards the city
    voided_at: Mapped[str] = mapped_column(String(40))
    voided_by: Mapped[str] = mapped_column(String(64))
    approval: Mapped[str] = mapped_column(String(64))  # the city's approval id, or "offline"
    reason: Mapped[str] = mapped_column(String(500))


class CorrectionRow(Base):
    """A correction of a signed day, recorded on the day it is made and pointing at the signed close (0007)."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    correction_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    close_id: Mapped[int] = mapped_column(ForeignKey("day_closes.id"))
    case_uuid: Mapped[str | None] = mapped_column(ForeignKey("cases.case_uuid"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # void / refund / note
    amount: Mapped[int] = mapped_column(Integer)  # NT$ paid back (negative) or taken (positive); 0 for a note
    reason: Mapped[str] = mapped_column(String(500))
    made_by: Mapped[str] = mapped_column(String(64))
    approval: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[str] = mapped_column(String(40))
    business_date: Mapped[str] = mapped_column(String(10), index=True)  # the day it was made


class ReferenceDocRow(Base):
    """A reference document pulled from the city (revision 0011): the office calendar or the amounts."""

    __tablename__ = "reference_docs"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class ClosureRow(Base):
    """A closure (停止上班) of this office or its city, as the city holds it (revision 0011)."""

    __tablename__ = "closures"

    closure_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    day: Mapped[str] = mapped_column(String(10))
    scope: Mapped[str] = mapped_column(String(8))
    area_code: Mapped[str] = mapped_column(String(8))
    announcement: Mapped[str] = mapped_column(String(200))
    declared_by: Mapped[str] = mapped_column(String(64))
    declared_at: Mapped[str] = mapped_column(String(40))


class SettingRow(Base):
    """Device settings an office may change in the window (revision 0007), e.g. the receipt layout."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class ReviewRunRow(Base):
    """A periodic re-verification of one service's beneficiaries (revision 0008)."""

    __tablename__ = "review_runs"

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(100))  # 本機案件 or the CSV file's name
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(64))
    finished_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class ReviewItemRow(Base):
    """One person of a re-verification run; sealed like a case. `ref` ties the audit rows to it."""

    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("run_id", "seq"), Index("ix_review_items_run_state", "run_id", "state", "seq"))

    ref: Mapped[str] = mapped_column(String(36), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("review_runs.run_id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    national_id: Mapped[str] = mapped_column(Text)  # sealed
    name: Mapped[str] = mapped_column(Text)  # sealed ("" sealed when the source gave none)
    birth_date: Mapped[str] = mapped_column(Text)  # sealed ISO date or ""
    id_masked: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(64))  # the case number, or the CSV row
    state: Mapped[str] = mapped_column(String(8))  # pending / done
    outcome: Mapped[str | None] = mapped_column(String(8), nullable=True)
    change: Mapped[str | None] = mapped_column(String(24), nullable=True)
    reasons_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    benefits_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class FollowUpRow(Base):
    """Something a case needs after it was taken (revision 0012): open while handled_at is NULL."""

    __tablename__ = "follow_ups"

    case_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    opened_at: Mapped[str] = mapped_column(String(40))
    handled_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    handled_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # sealed
