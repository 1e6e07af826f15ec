"""Finding a case by the applicant's name (a keyed hash: the name itself stays sealed) and listing recent cases
quickly in a large ledger.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Filled by the ledger when it opens (it holds the key); NULL until then.
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("name_digest", sa.String(64), nullable=True))
        batch.create_index("ix_cases_name_digest", ["name_digest"])
        batch.create_index("ix_cases_received_at", ["received_at"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_received_at")
        batch.drop_index("ix_cases_name_digest")
        batch.drop_column("name_digest")
