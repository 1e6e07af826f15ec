"""Bring a ledger file to the code's schema with Alembic: copy the file first, refuse a newer database."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from sync.protocol.errors import StoreError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"
# The newest revision, written here so that opening an up-to-date ledger needs no Alembic (a third of a second
# at every start); a test checks it against the revision files.
HEAD = "0012"


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    return cfg


def head_revision() -> str:
    """The newest revision according to the revision files themselves."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _current(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except OperationalError:  # a new file: no version table yet
        return None


def upgrade(engine: Engine, db_path: Path) -> str | None:
    """Upgrade to head. Returns the path of the backup copy made, if any.

    Raises:
        StoreError: db_too_new when the file was written by a newer app.
    """
    if _current(engine) == HEAD:
        return None
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = _config()
    script = ScriptDirectory.from_config(cfg)
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    head = script.get_current_head()
    if current == head:
        return None
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise StoreError("db_too_new", revision=current)
    backup: str | None = None
    if current is not None:
        stamp = datetime.now().strftime("%Y%m%d%H%M%S")
        target = db_path.with_name(f"{db_path.stem}_r{current}_{stamp}{db_path.suffix}")
        # SQLite's online backup copies a consistent database whatever is still in the WAL file.
        raw = engine.raw_connection()
        try:
            with sqlite3.connect(target) as copy:
                raw.driver_connection.backup(copy)  # type: ignore[union-attr]
            copy.close()
        finally:
            raw.close()
        backup = str(target)
        log.info("ledger backed up to %s before upgrading from %s", target.name, current)
    with engine.connect() as conn:
        # SQLite rebuilds a table to change it (batch mode): foreign keys must be off for that, and can only be
        # switched outside a transaction; they are checked, and switched back on, before the connection is reused.
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        dbapi.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError("store_failed", detail=f"foreign keys broken by the upgrade: {broken[:3]}")
        finally:
            dbapi.execute("PRAGMA foreign_keys=ON")
    return backup
