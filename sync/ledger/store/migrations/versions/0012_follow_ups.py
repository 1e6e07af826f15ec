"""Follow-ups (需處理) a case needs after it was taken: an offline case whose look-ups, run later, found the
applicant not eligible. Open until a clerk records how it was handled, or the receipt is voided.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("case_uuid", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("opened_at", sa.String(40), nullable=False),
        sa.Column("handled_at", sa.String(40), nullable=True),
        sa.Column("handled_by", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),  # sealed: a clerk's words may name the applicant
    )


def downgrade() -> None:
    op.drop_table("follow_ups")
