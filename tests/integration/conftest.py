"""The sync suite runs against cityserver on SQLite and on PostgreSQL."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityserver.app import create_app
from cityserver.embedded import EmbeddedServer
from tests.conftest import prepare_city
from tests.fakes.postgres import PrivatePostgres

_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PrivatePostgres]:
    # Not under pytest's temporary root: that is private to root, and the server runs as the postgres user.
    root = Path(tempfile.mkdtemp(prefix="counterdesk-pg-"))
    server = PrivatePostgres(root)
    server.start()
    server.sql("CREATE DATABASE city_template")
    prepare_city(server.url("city_template"))  # a template database must have no connections left: it has none
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def city(request: pytest.FixtureRequest, city_template: Path, tmp_path: Path) -> Iterator[EmbeddedServer]:
    """A real cityserver over HTTP on 127.0.0.1, on its own fresh database of either kind."""
    if request.param == "sqlite":
        db = tmp_path / "city.db"
        shutil.copy2(city_template, db)
        url = f"sqlite:///{db}"
    else:
        pg: PrivatePostgres = request.getfixturevalue("postgres")
        name = f"city_{next(_names)}"
        pg.sql(f"CREATE DATABASE {name} TEMPLATE city_template")
        url = pg.url(name)
    app = create_app(url)
    server = EmbeddedServer(app)
    server.start()
    yield server
    server.stop()
    app.state.engine.dispose()
