"""Personal fields are sealed at rest: wider columns, and the outbox names its case in the clear (its payload is
sealed). Existing plaintext values are sealed by the ledger when it opens (the key is not available here).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("national_id", type_=sa.Text(), existing_nullable=False)
        batch.alter_column("applicant_name", type_=sa.Text(), existing_nullable=False)
        batch.alter_column("birth_date", type_=sa.Text(), existing_nullable=False)
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("case_uuid", sa.String(36), nullable=True))
        batch.create_index("ix_outbox_case_uuid", ["case_uuid"])
    # Payloads are still plaintext here: both cases and updates name their case.
    op.execute("UPDATE outbox SET case_uuid = json_extract(payload_json, '$.case_uuid')")


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_case_uuid")
        batch.drop_column("case_uuid")
