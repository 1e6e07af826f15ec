"""Cases keep the service's extra fields, the due date, the paper still owed and any supervisor override.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("fields_json", sa.Text(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("due_date", sa.String(10), nullable=True))
        batch.add_column(sa.Column("documents_owed_json", sa.Text(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("override_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        for column in ("override_json", "documents_owed_json", "due_date", "fields_json"):
            batch.drop_column(column)
