"""Periodic re-verification of beneficiaries: a run and its people, kept so a cancelled or interrupted run resumes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_runs",
        sa.Column("run_id", sa.String(36), primary_key=True),
        sa.Column("service_code", sa.String(32), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("finished_at", sa.String(40), nullable=True),
    )
    op.create_table(
        "review_items",
        sa.Column("ref", sa.String(36), primary_key=True),
        sa.Column("run_id", sa.String(36), sa.ForeignKey("review_runs.run_id"), nullable=False, index=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("national_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("birth_date", sa.Text(), nullable=False),
        sa.Column("id_masked", sa.String(10), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("outcome", sa.String(8), nullable=True),
        sa.Column("change", sa.String(24), nullable=True),
        sa.Column("reasons_json", sa.Text(), nullable=True),
        sa.Column("benefits_json", sa.Text(), nullable=True),
        sa.UniqueConstraint("run_id", "seq"),
    )
    op.create_index("ix_review_items_run_state", "review_items", ["run_id", "state", "seq"])


def downgrade() -> None:
    op.drop_table("review_items")
    op.drop_table("review_runs")
