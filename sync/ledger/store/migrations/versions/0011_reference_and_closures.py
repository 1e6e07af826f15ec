"""The city's reference data (office calendar, statutory amounts) and declared closures (停止上班) kept in the
ledger, and a case's due date as moved by a closure (the due date it was accepted with stays as sealed).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_docs",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_table(
        "closures",
        sa.Column("closure_uuid", sa.String(36), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False, unique=True),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("area_code", sa.String(8), nullable=False),
        sa.Column("announcement", sa.String(200), nullable=False),
        sa.Column("declared_by", sa.String(64), nullable=False),
        sa.Column("declared_at", sa.String(40), nullable=False),
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("due_revised", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("due_revised")
    op.drop_table("closures")
    op.drop_table("reference_docs")
