"""The city publishes a new office calendar and new amounts; a device pulls them over HTTP, keeps them in its ledger
(all or nothing) and uses them after a restart; a document that does not validate changes nothing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from cityserver.app import create_app
from cityserver.embedded import EmbeddedServer
from forms.calendar import load_calendar
from forms.offices import load_offices
from forms.reference import ReferenceError
from forms.thresholds import load_thresholds
from forms.timelimits import DAYS, TimeLimit, due_date
from sync.city.reference_sync import ReferenceData, pull_reference, stored_reference
from sync.ledger import Device, Ledger
from sync.protocol import wire
from tests.conftest import OFFICE, PASSWORD, USER, fixed_now
from tests.fakes.devices import TEST_DEVICE, client_for

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def published(folder: Path) -> Path:
    """The city's folder: the calendar reaches 2028 (with 2028-01-03 off), 115年 has a consumption figure, and the
    office directory gives 桃園區公所 another phone and 10 working days to bring what is owed."""
    (folder / "calendar").mkdir(parents=True)
    cal = (RESOURCES / "calendar" / "tw_office_calendar.toml").read_text(encoding="utf-8")
    cal = cal.replace("version = 1", "version = 2").replace("last_year = 2027", "last_year = 2028")
    (folder / "calendar" / "tw_office_calendar.toml").write_text(
        cal.replace('"2027-12-31",', '"2027-12-31", "2028-01-03",'), encoding="utf-8"
    )
    amounts = (RESOURCES / "thresholds.toml").read_text(encoding="utf-8").replace("version = 1", "version = 3")
    (folder / "thresholds.toml").write_text(amounts.replace("[avg_consumption]", "[avg_consumption]\n2026 = 30000"),
                                            encoding="utf-8")  # fmt: skip
    offices = (RESOURCES / "offices.toml").read_text(encoding="utf-8").replace("version = 1", "version = 2")
    entry = 'phone = "03-0001-0101"\n'
    assert entry in offices
    (folder / "offices.toml").write_text(
        offices.replace(entry, 'phone = "03-0999-0001#12"\nsupplement_working_days = 10\n'), encoding="utf-8"
    )
    return folder


@pytest.fixture
def city(city_template: Path, tmp_path: Path) -> Iterator[EmbeddedServer]:
    db = tmp_path / "city.db"
    shutil.copy2(city_template, db)
    server = EmbeddedServer(create_app(f"sqlite:///{db}", reference_dir=published(tmp_path / "published")))
    server.start()
    yield server
    server.stop()


def shipped() -> ReferenceData:
    return ReferenceData(load_calendar(), load_thresholds(), load_offices())


def test_a_device_takes_the_citys_newer_documents_and_keeps_them(city: EmbeddedServer, tmp_path: Path) -> None:
    device = Device(OFFICE, TEST_DEVICE.device_id)
    client = client_for(city, TEST_DEVICE, USER, PASSWORD)
    ledger = Ledger(tmp_path / "ledger.db", device, b"\x01" * 32, fixed_now)
    data, kinds = pull_reference(ledger, client, shipped())
    assert sorted(kinds) == ["calendar", "offices", "thresholds"]
    assert (data.calendar.version, data.thresholds.version, data.offices.version) == (2, 3, 2)
    assert data.offices.phone(OFFICE.code) == "03-0999-0001#12"
    limit = data.offices.supplement_limit(OFFICE.code)
    assert limit is not None and limit.value == 10
    assert data.thresholds.consumption(2026) == 30000
    # 3 days from Thu 2027-12-30: Sun 01-02 → Mon 01-03 is off in the city's calendar → Tue 2028-01-04, exact.
    due = due_date(data.calendar, date(2027, 12, 30), TimeLimit(3, DAYS))
    assert (due.day, due.covered) == (date(2028, 1, 4), True)
    again, none = pull_reference(ledger, client, data)
    assert none == [] and again is data
    ledger.close()
    # After a restart the kept documents are used, not the shipped ones.
    reopened = Ledger(tmp_path / "ledger.db", device, b"\x01" * 32, fixed_now)
    kept = stored_reference(reopened, load_calendar(), load_thresholds(), load_offices())
    assert (kept.calendar.version, kept.thresholds.version, kept.calendar.last_year) == (2, 3, 2028)
    assert (kept.offices.version, kept.offices.phone(OFFICE.code)) == (2, "03-0999-0001#12")
    reopened.close()
    client.close()


def test_a_document_that_does_not_validate_changes_nothing(city: EmbeddedServer, tmp_path: Path) -> None:
    """A broken city answers a valid calendar and an amount table with a negative figure: neither is kept."""
    good = next(d for d in city.app.state.server.reference if d.kind == "calendar")
    bad = wire.ReferenceDoc(kind="thresholds", version=9, text="version = 9\n[min_living_cost.68000000]\n2026 = -5\n")
    city.app.state.server.reference = [good, bad]
    client = client_for(city, TEST_DEVICE, USER, PASSWORD)
    ledger = Ledger(tmp_path / "ledger.db", Device(OFFICE, TEST_DEVICE.device_id), b"\x01" * 32, fixed_now)
    with pytest.raises(ReferenceError) as err:
        pull_reference(ledger, client, shipped())
    assert err.value.params["key"] == "min_living_cost.68000000.2026"
    assert ledger.reference.docs() == {}
    kept = stored_reference(ledger, load_calendar(), load_thresholds())
    assert (kept.calendar.version, kept.thresholds.version) == (1, 1)
    ledger.close()
    client.close()
