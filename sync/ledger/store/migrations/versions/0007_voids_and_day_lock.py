"""Voids, the signed day close with its report, linked corrections, device settings; a closed day is locked.

The lock is kept by the database itself (triggers), so no code path — present or future — can change the figures
of a day a supervisor has signed: corrections are new rows that point at the signed close.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CLOSED = "EXISTS (SELECT 1 FROM day_closes d WHERE d.business_date = {day})"
LOCKED = "SELECT RAISE(ABORT, 'day_closed')"

TRIGGERS = {
    "cases_closed_insert": f"BEFORE INSERT ON cases WHEN {CLOSED.format(day='NEW.business_date')}",
    "cases_closed_update": (
        "BEFORE UPDATE OF case_number, service_code, national_id, applicant_name, clerk, received_at, business_date, "
        f"fee, payment_method ON cases WHEN {CLOSED.format(day='OLD.business_date')}"
    ),
    "cases_closed_delete": f"BEFORE DELETE ON cases WHEN {CLOSED.format(day='OLD.business_date')}",
    "receipts_closed_insert": f"BEFORE INSERT ON receipts WHEN {CLOSED.format(day='NEW.business_date')}",
    "receipts_closed_update": f"BEFORE UPDATE ON receipts WHEN {CLOSED.format(day='OLD.business_date')}",
    "receipts_closed_delete": f"BEFORE DELETE ON receipts WHEN {CLOSED.format(day='OLD.business_date')}",
    "voids_closed_insert": (
        "BEFORE INSERT ON voids WHEN EXISTS (SELECT 1 FROM cases c JOIN day_closes d "
        "ON d.business_date = c.business_date WHERE c.case_uuid = NEW.case_uuid)"
    ),
    "voids_no_update": "BEFORE UPDATE ON voids",
    "voids_no_delete": "BEFORE DELETE ON voids",
    "day_closes_no_update": "BEFORE UPDATE ON day_closes",
    "day_closes_no_delete": "BEFORE DELETE ON day_closes",
    "corrections_no_update": "BEFORE UPDATE ON corrections",
    "corrections_no_delete": "BEFORE DELETE ON corrections",
}


def upgrade() -> None:
    op.create_table(
        "voids",
        sa.Column("case_uuid", sa.String(36), sa.ForeignKey("cases.case_uuid"), primary_key=True),
        sa.Column("void_uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("voided_at", sa.String(40), nullable=False),
        sa.Column("voided_by", sa.String(64), nullable=False),
        sa.Column("approval", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
    )
    with op.batch_alter_table("day_closes") as batch:
        batch.add_column(sa.Column("close_uuid", sa.String(36), nullable=True))
        batch.add_column(sa.Column("approval", sa.String(64), nullable=True))
        batch.add_column(sa.Column("report_json", sa.Text(), nullable=True))
        batch.add_column(sa.Column("report_hash", sa.String(64), nullable=True))
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("correction_uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("close_id", sa.Integer(), sa.ForeignKey("day_closes.id"), nullable=False),
        sa.Column("case_uuid", sa.String(36), sa.ForeignKey("cases.case_uuid"), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("made_by", sa.String(64), nullable=False),
        sa.Column("approval", sa.String(64), nullable=False),
        sa.Column("made_at", sa.String(40), nullable=False),
        sa.Column("business_date", sa.String(10), nullable=False, index=True),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    for name, when in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {LOCKED}; END")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("settings")
    op.drop_table("corrections")
    with op.batch_alter_table("day_closes") as batch:
        for column in ("report_hash", "report_json", "approval", "close_uuid"):
            batch.drop_column(column)
    op.drop_table("voids")
