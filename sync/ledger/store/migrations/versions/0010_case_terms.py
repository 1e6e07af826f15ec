"""What each receipt promised (the terms decided at acceptance), so that a reprint prints what the original did.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for cases taken before: their paper is printed as it was then, from the case and the catalog.
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("terms_json", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("terms_json")
