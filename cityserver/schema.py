"""The city server's schema under Alembic: `counterdesk-server migrate` brings a database to the code's revision;
the server itself only checks it and refuses to serve another one. Seeding the sandbox population is a command of
its own (`seed-sandbox`), never part of starting a server.

A database made before Alembic (schema version 2, tables from `create_all`) is stamped at the baseline revision
and upgraded from there; an older one cannot be migrated.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from cityserver.db import SchemaOutdated, open_db, seed_population, take_setup_lock
from cityserver.population import DEFAULT_SEED, DEFAULT_SIZE

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"
# The newest revision, written here so that starting a worker needs no Alembic; a test checks it against the files.
HEAD = "0003"
BASELINE = "0001"
PRE_ALEMBIC_VERSION = "2"  # the meta table's schema_version of the databases the baseline describes


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


def current_revision(engine: Engine) -> str | None:
    """The database's Alembic revision; None for a new or a pre-Alembic database."""
    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def require_current(engine: Engine) -> None:
    """Raises SchemaOutdated unless the database is at HEAD (the server never migrates on its own)."""
    found = current_revision(engine)
    if found != HEAD:
        raise SchemaOutdated(f"database revision {found or 'none'}, this server needs {HEAD}")


def _pre_alembic_version(conn: Connection) -> str | None:
    tables = set(inspect(conn).get_table_names())
    if not tables & {"users", "cases", "residents"}:
        return None  # a new, empty database
    if "meta" not in tables:
        return "1"
    found = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
    return str(found) if found is not None else "1"


@contextmanager
def _exclusive(engine: Engine) -> Iterator[Connection]:
    """One connection in one transaction that no other migrate or seed runs beside (several workers or hosts
    starting at once). PostgreSQL: an advisory lock held until commit; SQLite: the write lock, taken at once."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            dbapi = conn.connection.driver_connection
            assert dbapi is not None
            dbapi.execute("PRAGMA foreign_keys=OFF")  # batch mode rebuilds tables; checked before commit
            try:
                with conn.begin():
                    yield conn
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise SchemaOutdated(f"foreign keys broken by the upgrade: {broken[:3]}")
            finally:
                dbapi.execute("PRAGMA foreign_keys=ON")
        else:
            with conn.begin():
                take_setup_lock(conn)
                yield conn


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Upgrade the database to HEAD in one transaction; returns (revision before, revision after).

    Raises:
        SchemaOutdated: a pre-Alembic database older than the baseline, or one a newer server migrated.
    """
    if current_revision(engine) == HEAD:
        return HEAD, HEAD  # nothing to do, and no Alembic to import
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = _config()
    script = ScriptDirectory.from_config(cfg)
    with _exclusive(engine) as conn:
        cfg.attributes["connection"] = conn
        before = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if _has_version(conn) else None
        if before is None:
            old = _pre_alembic_version(conn)
            if old is not None and old != PRE_ALEMBIC_VERSION:
                raise SchemaOutdated(f"database schema {old} predates the baseline ({PRE_ALEMBIC_VERSION})")
            if old is not None:
                command.stamp(cfg, BASELINE)
                before = BASELINE
                log.info("pre-Alembic database (schema %s) stamped at %s", old, BASELINE)
        known = {rev.revision for rev in script.walk_revisions()}
        if before is not None and before not in known:
            raise SchemaOutdated(f"database revision {before} is newer than this server ({HEAD})")
        command.upgrade(cfg, "head")
    log.info("database migrated from %s to %s", before or "nothing", HEAD)
    return before, HEAD


def _has_version(conn: Connection) -> bool:
    return "alembic_version" in inspect(conn).get_table_names()


def prepare_sandbox(engine: Engine, seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> sessionmaker[Session]:
    """The practice city and the tests: migrate, then seed the synthetic population if there is none."""
    migrate(engine)
    factory = open_db(engine)
    seed_population(factory, seed, size)
    return factory
