"""The city server's schema under Alembic, on SQLite and PostgreSQL: a database made by the code before Alembic
(tests/fixtures/city-schema2.*.sql, two rows in every table) is upgraded keeping every row; a new one is built to
the models exactly; the server never migrates or seeds on its own and refuses a database it cannot serve."""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, func, select, text
from sqlalchemy.engine import Engine

from cityserver.app import create_app
from cityserver.db import Base, ResidentRow, SchemaOutdated, make_engine, open_db, seed_population
from cityserver.schema import HEAD, current_revision, head_revision, migrate
from tests.fakes.postgres import PrivatePostgres

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Facts of the fixture (tests/fixtures/make_schema2.py): 24 tables of two rows, the meta row, 40 residents.
SCHEMA2_TABLES = 26
_names = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Callable[[str], None]]]:
    """A URL of an empty database, and how to load a schema-2 dump of its kind into it."""
    if request.param == "sqlite":
        path = tmp_path / "city.db"

        def load(_: str) -> None:
            with sqlite3.connect(path) as conn:
                conn.executescript((FIXTURES / "city-schema2.sqlite.sql").read_text(encoding="utf-8"))
            conn.close()

        yield f"sqlite:///{path}", load
    else:
        pg: PrivatePostgres = request.getfixturevalue("postgres")
        name = f"migr_{next(_names)}"
        pg.sql(f"CREATE DATABASE {name}")

        def load_pg(_: str) -> None:
            pg.run_file(name, FIXTURES / "city-schema2.pg.sql")

        yield pg.url(name), load_pg


def every_row(engine: Engine, columns: dict[str, set[str]] | None = None) -> dict[str, list[tuple[str, ...]]]:
    """Each table's rows as text, sorted: what an upgrade must keep (`columns`: only these of each table, those
    the database had before; columns added since are the migrations' own)."""
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {
            name: sorted(
                tuple(f"{k}={v}" for k, v in row._mapping.items() if columns is None or k in columns[name])
                for row in conn.execute(select(table))
            )
            for name, table in meta.tables.items()
            if name != "alembic_version"
        }


def columns_of(engine: Engine) -> dict[str, set[str]]:
    meta = MetaData()
    meta.reflect(engine)
    return {name: {c.name for c in table.columns} for name, table in meta.tables.items()}


def drift(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def test_head_constant_is_the_newest_revision_file() -> None:
    assert HEAD == head_revision()


def test_a_database_made_before_alembic_is_upgraded_keeping_every_row(empty_db: tuple[str, Callable]) -> None:
    url, load = empty_db
    load(url)
    engine = make_engine(url)
    before = every_row(engine)
    had = columns_of(engine)
    assert len(before) == SCHEMA2_TABLES and all(
        len(rows) == 2 for n, rows in before.items() if n not in ("meta", "residents")
    )
    assert len(before["residents"]) == 40
    with pytest.raises(SchemaOutdated):
        open_db(engine)  # the server does not serve it before `migrate`
    assert migrate(engine) == ("0001", HEAD)
    after = every_row(engine, had)
    assert {name: after[name] for name in before} == before
    assert current_revision(engine) == HEAD
    assert drift(engine) == []
    assert migrate(engine) == (HEAD, HEAD)  # a second run changes nothing
    app = create_app(url)  # and the server serves it: its new table works
    assert app.state.server.track_limiter.allow("192.0.2.1")
    app.state.engine.dispose()
    engine.dispose()


def test_a_new_database_is_built_to_the_models_and_never_seeded_by_the_server(empty_db: tuple[str, Callable]) -> None:
    url, _ = empty_db
    engine = make_engine(url)
    assert migrate(engine) == (None, HEAD)
    assert drift(engine) == []
    app = create_app(url)
    factory = app.state.session_factory
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(ResidentRow)) == 0  # production: no synthetic people
    assert seed_population(factory, size=25) == 25
    assert seed_population(factory, size=25) == 0  # an existing population is kept
    app.state.engine.dispose()
    engine.dispose()


def test_the_audit_key_kept_in_the_database_is_one_for_every_app_and_restart(empty_db: tuple[str, Callable]) -> None:
    url, _ = empty_db
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    peppers = []
    for _ in range(3):  # three workers, or three restarts
        app = create_app(url)
        peppers.append(app.state.server.pepper)
        app.state.engine.dispose()
    assert len(set(peppers)) == 1 and len(peppers[0]) == 32
    given = create_app(url, audit_pepper=b"k" * 32)  # the operator's secret file wins
    assert given.state.server.pepper == b"k" * 32
    given.state.engine.dispose()


def test_a_database_older_than_the_baseline_or_newer_than_the_server_is_refused(
    empty_db: tuple[str, Callable],
) -> None:
    url, load = empty_db
    load(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value = '1' WHERE key = 'schema_version'"))
    with pytest.raises(SchemaOutdated, match="predates"):
        migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value = '2' WHERE key = 'schema_version'"))
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaOutdated, match="newer"):
        migrate(engine)
    with pytest.raises(SchemaOutdated):
        open_db(engine)
    engine.dispose()


def test_several_workers_migrating_at_once_migrate_once(postgres: PrivatePostgres) -> None:
    """Every host's deploy script may run `migrate` at the same moment: one upgrades, the others find it done."""
    name = f"migr_{next(_names)}"
    postgres.sql(f"CREATE DATABASE {name}")
    url = postgres.url(name)
    answers: list[object] = []

    def run() -> None:
        engine = make_engine(url)
        try:
            answers.append(migrate(engine))
        except Exception as exc:  # noqa: BLE001 - the test reports whatever a worker met
            answers.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(map(str, answers)) == sorted([str((None, HEAD))] + [str((HEAD, HEAD))] * 3), answers


def test_serve_refuses_an_unmigrated_database_and_names_the_command(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'city.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "cityserver", "--db", db, "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "counterdesk-server migrate" in done.stderr


def test_a_password_on_the_command_line_is_refused(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cityserver", "--db", "postgresql+psycopg://city:s3cret@127.0.0.1/city", "migrate"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "COUNTERDESK_DB_URL_FILE" in done.stderr
    assert "s3cret" not in done.stderr + done.stdout
