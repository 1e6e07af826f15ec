"""Shared fixtures: a real cityserver on 127.0.0.1, a real SQLite ledger, an in-memory keyring."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

import shutil
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import keyring
import pytest

from cityserver.app import add_user, create_app
from cityserver.db import make_engine
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident, generate
from cityserver.schema import prepare_sandbox
from forms.calendar import load_calendar
from forms.catalog import load_catalog
from forms.clock import TAIPEI
from forms.thresholds import load_thresholds
from forms.types import Office
from sync.city.client import CityClient
from sync.city.lookups import LookupService
from sync.ledger import Device, Ledger
from sync.services.intake import IntakeService
from tests.fakes.devices import (
    TEST_DEVICE,
    TEST_DEVICE_ID,
    TEST_IDENTITY_KEY,
    TEST_RECEIPT_KEY,
    client_for,
    enrol,
)
from tests.fakes.keyring_backend import MemoryKeyring
from tests.fakes.oracle import turns

OFFICE = Office(code="68000010", name="桃園市桃園區公所", city_code="68000000", city_name="桃園市")
USER, PASSWORD = "clerk-test", "s3cret-test-pw"
SUPERVISOR, SUPERVISOR_PASSWORD = "chief-test", "chief-pw-123"
# Tests run on a fixed office day, so seasonal windows and yearly thresholds never depend on when CI runs.
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=TAIPEI)


def fixed_now() -> datetime:
    return NOW


_SUMMARY: list[str] = []


@pytest.fixture
def summary() -> Callable[[str], None]:
    """A line for the end of the test run's output (counts a run must report, e.g. FUZZ cases=…)."""
    return _SUMMARY.append


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _SUMMARY:
        terminalreporter.write_line(line)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def prepare_city(url: str) -> None:
    """A template city: the population, the test users, and the test device enrolled through the real HTTP path
    (the first device of a fresh city is D0001)."""
    engine = make_engine(url)
    factory = prepare_sandbox(engine)
    add_user(factory, USER, PASSWORD, OFFICE.code, "clerk")
    add_user(factory, SUPERVISOR, SUPERVISOR_PASSWORD, OFFICE.code, "supervisor")
    app = create_app(url)
    server = EmbeddedServer(app)
    server.start()
    try:
        enrolled = enrol(server, OFFICE.code, "test counter", (TEST_IDENTITY_KEY, TEST_RECEIPT_KEY))
    finally:
        server.stop()
        app.state.engine.dispose()
    assert enrolled.device_id == TEST_DEVICE_ID, enrolled.device_id
    engine.dispose()  # closing the last connection checkpoints the WAL into the file we copy


@pytest.fixture(scope="session")
def city_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A populated city database made once; each test gets its own copy."""
    path = tmp_path_factory.mktemp("city") / "city.db"
    prepare_city(f"sqlite:///{path}")
    return path


@pytest.fixture
def city(city_template: Path, tmp_path: Path) -> Iterator[EmbeddedServer]:
    """A real cityserver over HTTP on a free loopback port, on its own database copy."""
    db = tmp_path / "city.db"
    shutil.copy2(city_template, db)
    server = EmbeddedServer(create_app(f"sqlite:///{db}"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(city: EmbeddedServer) -> Iterator[CityClient]:
    c = client_for(city, TEST_DEVICE, USER, PASSWORD)
    yield c
    c.close()


@pytest.fixture
def device() -> Device:
    return Device(office=OFFICE, device_id=TEST_DEVICE_ID)


@pytest.fixture
def ledger(tmp_path: Path, device: Device) -> Iterator[Ledger]:
    led = Ledger(tmp_path / "ledger.db", device, b"\x01" * 32, fixed_now)
    yield led
    led.close()


def _today() -> date:
    return NOW.date()


@pytest.fixture(scope="session")
def population() -> list[Resident]:
    return list(generate())


@pytest.fixture
def intake(ledger: Ledger, client: CityClient, device: Device) -> IntakeService:
    return IntakeService(
        ledger,
        LookupService(ledger, client),
        client,
        device,
        USER,
        load_catalog(),
        load_calendar(),
        load_thresholds(),
        fixed_now,
    )


@pytest.fixture(scope="session")
def senior(population: list[Resident]) -> Resident:
    """Someone registered in the office's city who is 65 or older this month."""
    return next(
        r
        for r in population
        if r.city_code == OFFICE.city_code and turns(r.birth_date, 65, "birthday_month") <= _today()
    )


@pytest.fixture(scope="session")
def young(population: list[Resident]) -> Resident:
    """Someone registered in the office's city who is not yet 65 (and not a child)."""
    return next(
        r
        for r in population
        if r.city_code == OFFICE.city_code
        and turns(r.birth_date, 65, "birthday_month") > _today()
        and r.birth_date.year < 2000
    )


@pytest.fixture(scope="session")
def senior_elsewhere(population: list[Resident]) -> Resident:
    """65 or older, but registered in another city."""
    return next(
        r
        for r in population
        if r.city_code != OFFICE.city_code and turns(r.birth_date, 65, "birthday_month") <= _today()
    )
