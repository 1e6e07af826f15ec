"""Chain the look-up audit rows with SHA-256 so tampering shows (existing rows are chained in their order).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.protocol.audit_chain import FIELDS, GENESIS, link

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lookups") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("row_hash", sa.String(64), nullable=True))
    conn = op.get_bind()
    columns = [c for c in FIELDS if c != "seq"]
    rows = conn.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM lookups ORDER BY id")).mappings().all()
    previous = GENESIS
    for seq, row in enumerate(rows, 1):
        event = {**{c: row[c] for c in columns}, "seq": seq}
        digest = link(previous, event)
        conn.execute(
            sa.text("UPDATE lookups SET seq = :seq, prev_hash = :prev, row_hash = :hash WHERE id = :id"),
            {"seq": seq, "prev": previous, "hash": digest, "id": row["id"]},
        )
        previous = digest
    with op.batch_alter_table("lookups") as batch:
        batch.create_unique_constraint("uq_lookups_seq", ["seq"])


def downgrade() -> None:
    with op.batch_alter_table("lookups") as batch:
        batch.drop_constraint("uq_lookups_seq", type_="unique")
        for column in ("row_hash", "prev_hash", "seq"):
            batch.drop_column(column)
