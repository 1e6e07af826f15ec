"""Alembic environment for the city server's database: always run by cityserver.schema with a live connection."""

from __future__ import annotations

from alembic import context

from cityserver.db import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite rebuilds a table to alter it
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
