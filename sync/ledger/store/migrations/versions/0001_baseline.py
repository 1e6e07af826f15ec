"""Baseline ledger: cases, receipts, outbox, look-up audit, counters, day closes.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("case_uuid", sa.String(36), primary_key=True),
        sa.Column("case_number", sa.String(64), nullable=False, unique=True),
        sa.Column("service_code", sa.String(32), nullable=False),
        sa.Column("catalog_version", sa.Integer(), nullable=False),
        sa.Column("national_id", sa.String(10), nullable=False),
        sa.Column("id_masked", sa.String(10), nullable=False),
        sa.Column("id_digest", sa.String(64), nullable=False),
        sa.Column("applicant_name", sa.String(50), nullable=False),
        sa.Column("birth_date", sa.String(10), nullable=False),
        sa.Column("office_code", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("clerk", sa.String(64), nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("business_date", sa.String(10), nullable=False),
        sa.Column("fee", sa.Integer(), nullable=False),
        sa.Column("payment_method", sa.String(16), nullable=False),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("reasons_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_cases_id_digest", "cases", ["id_digest"])
    op.create_index("ix_cases_business_date", "cases", ["business_date"])
    op.create_table(
        "receipts",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("receipt_number", sa.String(64), nullable=False, unique=True),
        sa.Column("case_uuid", sa.String(36), sa.ForeignKey("cases.case_uuid"), nullable=False, unique=True),
        sa.Column("issued_at", sa.String(40), nullable=False),
        sa.Column("business_date", sa.String(10), nullable=False),
    )
    op.create_index("ix_receipts_business_date", "receipts", ["business_date"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.String(36), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.String(40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.String(40), nullable=True),
    )
    op.create_index("ix_outbox_state", "outbox", ["state"])
    op.create_table(
        "lookups",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("clerk", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("case_uuid", sa.String(36), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("id_masked", sa.String(10), nullable=False),
        sa.Column("id_digest", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("server_lookup_id", sa.String(36), nullable=True),
        sa.Column("detail", sa.String(200), nullable=True),
    )
    op.create_index("ix_lookups_case_uuid", "lookups", ["case_uuid"])
    op.create_table(
        "counters",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Integer(), nullable=False),
    )
    op.create_table(
        "day_closes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("business_date", sa.String(10), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("closed_at", sa.String(40), nullable=False),
        sa.Column("closed_by", sa.String(64), nullable=False),
        sa.Column("case_count", sa.Integer(), nullable=False),
        sa.Column("fee_total", sa.Integer(), nullable=False),
        sa.Column("first_receipt", sa.String(64), nullable=True),
        sa.Column("last_receipt", sa.String(64), nullable=True),
        sa.Column("pending_sync", sa.Integer(), nullable=False),
        sa.UniqueConstraint("business_date", "device_id"),
    )


def downgrade() -> None:
    for table in ("day_closes", "counters", "lookups", "outbox", "receipts", "cases"):
        op.drop_table(table)
