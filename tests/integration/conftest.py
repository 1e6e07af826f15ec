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
from tests.fakes.cluster import Cluster
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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test of the suite runs on SQLite and PostgreSQL; those of a module with `ON_WORKERS = True` (it talks
    HTTP and reads the database, nothing in-process) also on the multi-process city behind nginx."""
    chosen = any(m.name == "parametrize" and m.args and m.args[0] == "city" for m in metafunc.definition.iter_markers())
    if "city" in metafunc.fixturenames and not chosen:
        kinds = ["sqlite", "postgresql"] + (["workers"] if getattr(metafunc.module, "ON_WORKERS", False) else [])
        metafunc.parametrize("city", kinds, indirect=True)


@pytest.fixture(scope="session")
def cluster(postgres: PrivatePostgres) -> Iterator[Cluster]:
    root = Path(tempfile.mkdtemp(prefix="counterdesk-cluster-"))
    made = Cluster(postgres, root)
    try:
        made.boot()
        yield made
        # Each test's requests went through nginx to both processes (round robin), not to one of them.
        assert made.proxy.upstreams_used() == {s.address for s in made.servers}, made.proxy.upstreams_used()
    finally:
        made.shutdown()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def city(request: pytest.FixtureRequest, city_template: Path, tmp_path: Path) -> Iterator[EmbeddedServer]:
    """A real cityserver over HTTP on 127.0.0.1, on its own fresh database of either kind (or the cluster)."""
    if request.param == "workers":
        workers: Cluster = request.getfixturevalue("cluster")
        workers.reset()
        yield workers  # type: ignore[misc]  # stands in for an EmbeddedServer: url, app, stop, start
        return
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
