"""A typhoon day declared by a supervisor against a real city server: stored by the city, held by the device, its
open cases' due dates counted again (§48) and listed; the day close then shows the moved dates; the next intake is
counted with the day off; a clerk cannot declare one. Dates by hand: the office day is Fri 2026-11-20."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from cityserver.db import ClosureRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.main_window import MainWindow
from desktop.views.closure import ClosureAnswer
from forms.rocdate import format_roc_slash
from sync.ledger import SavedCase
from sync.protocol.errors import SyncError
from tests.conftest import PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD, USER
from tests.desktop.conftest import Dialogs, make_services
from tests.fakes.people import sample_fields

pytestmark = pytest.mark.integration
TYPHOON = date(2026, 11, 27)  # the Friday on which an SW-17 case of 11-20 falls due (7 days)


@pytest.fixture
def services(city: EmbeddedServer, tmp_path: Path) -> Iterator[Services]:
    yield from make_services(city, tmp_path / "data", SUPERVISOR, SUPERVISOR_PASSWORD)


def take(services: Services, code: str, person: Resident) -> SavedCase:
    service = services.catalog.get(code)
    fields = sample_fields(service, services.today())
    form = services.intake.validate(
        service, person.national_id, person.name, format_roc_slash(person.birth_date), fields
    )
    assert form.applicant is not None, form.problems
    v = services.intake.verify(services.intake.new_case_uuid(), service, form.applicant, form.fields, consent=True)
    return services.intake.accept(v)


def test_a_typhoon_day_moves_the_due_dates_it_falls_on(
    services: Services, city: EmbeddedServer, population: list[Resident]
) -> None:
    local = [r for r in population if r.city_code == services.device.office.city_code and r.birth_date.year < 2000]
    relief = take(services, "SW-17", local[0])  # 7 days: Fri 11-27
    insurance = take(services, "SW-14", local[1])  # §51: two months, Wed 2027-01-20
    assert (relief.due_date, insurance.due_date) == (date(2026, 11, 27), date(2027, 1, 20))
    assert services.closures is not None
    outcome = services.closures.declare(TYPHOON, "city", "桃園市政府 颱風停止上班公告")
    # The city holds it, for the whole city.
    with city.app.state.session_factory() as s:
        (row,) = s.query(ClosureRow).all()
        assert (row.day, row.scope, row.area_code, row.declared_by) == (TYPHOON, "city", "68000000", SUPERVISOR)
    # Only the case due on the closed day moved: Fri 11-27 closed → Mon 11-30.
    assert [(c.case_number, c.before, c.after) for c in outcome.moved] == [
        (relief.case_number, date(2026, 11, 27), date(2026, 11, 30))
    ]
    facts = services.ledger.books.day_facts(services.today())
    due = {d.case_number: d.due_date for d in facts.open_due}
    assert due == {relief.case_number: date(2026, 11, 30), insurance.case_number: date(2027, 1, 20)}
    # The accepted due date stays as sealed; the full check still finds the ledger sound.
    assert services.ledger.cases.case(relief.case_uuid).due_date == date(2026, 11, 27)
    assert services.ledger.check_integrity().state != "damaged"
    # Each move is in the audit chain with its reason.
    with sqlite3.connect(services.data_dir / "ledger.db") as db:
        kinds = [k for (k,) in db.execute("SELECT kind FROM lookups")]
    assert kinds.count("due-revised") == 1
    # The next intake counts with the day off: 7 days from 11-20 would be 11-27, now closed.
    third = take(services, "SW-17", local[2])
    assert third.due_date == date(2026, 11, 30)
    # Pulling again brings nothing new and moves nothing twice.
    again = services.closures.pull()
    assert again.closures == () and again.moved == ()


def test_a_clerk_cannot_declare_a_closure_nor_the_same_day_twice(city: EmbeddedServer, tmp_path: Path) -> None:
    for clerk in make_services(city, tmp_path / "clerk", USER, PASSWORD):
        assert clerk.closures is not None
        with pytest.raises(SyncError):
            clerk.closures.declare(TYPHOON, "office", "颱風停止上班公告（測試）")
    for chief in make_services(city, tmp_path / "chief", SUPERVISOR, SUPERVISOR_PASSWORD):
        assert chief.closures is not None
        chief.closures.declare(TYPHOON, "office", "颱風停止上班公告（測試）")
        with pytest.raises(SyncError):
            chief.closures.declare(TYPHOON, "office", "再次登錄同一天（測試）")
    with city.app.state.session_factory() as s:
        assert s.query(ClosureRow).count() == 1


def test_a_new_calendar_from_the_city_counts_open_due_dates_again(
    services: Services, population: list[Resident]
) -> None:
    """The city publishes calendar version 2 with Wed 2027-01-20 as a day off: the §51 case due that day moves to
    Thu 01-21; the next intake uses the new calendar too."""
    from dataclasses import replace

    local = [r for r in population if r.city_code == services.device.office.city_code and r.birth_date.year < 2000]
    insurance = take(services, "SW-14", local[0])
    assert insurance.due_date == date(2027, 1, 20)
    published = services.intake.calendar
    newer = replace(published, days_off=published.days_off | {date(2027, 1, 20)}, version=2)
    assert services.closures is not None
    moved = services.closures.use_calendar(newer)
    assert [(c.case_number, c.after) for c in moved] == [(insurance.case_number, date(2027, 1, 21))]
    assert services.intake.calendar.version == 2
    assert take(services, "SW-14", local[1]).due_date == date(2027, 1, 21)


def test_a_supervisor_declares_a_closure_in_the_window_and_sees_what_moved(
    qtbot: QtBot, window: MainWindow, services: Services, dialogs: Dialogs, population: list[Resident]
) -> None:
    local = [r for r in population if r.city_code == services.device.office.city_code and r.birth_date.year < 2000]
    relief = take(services, "SW-17", local[0])
    assert window.closure_action.isEnabled()
    dialogs.closure = ClosureAnswer(TYPHOON, "office", "桃園市政府颱風停止上班公告")
    window.closure_action.trigger()
    qtbot.waitUntil(lambda: any("停止上班 115年11月27日" in q for q in dialogs.questions), timeout=10_000)
    said = next(q for q in dialogs.questions if "停止上班 115年11月27日" in q)
    assert "1 件未結案件處理期限順延" in said
    assert f"{relief.case_number}：115年11月27日 → 115年11月30日" in said


def test_at_sync_a_device_takes_a_closure_another_declared(city: EmbeddedServer, tmp_path: Path) -> None:
    """The supervisor's PC declares; another PC of the office learns it at its next sync (refresh): nothing newer
    in the calendar or amounts, one closure, applied to its intakes."""
    for chief in make_services(city, tmp_path / "chief", SUPERVISOR, SUPERVISOR_PASSWORD):
        assert chief.closures is not None
        chief.closures.declare(TYPHOON, "office", "颱風停止上班公告（測試）")
    for clerk in make_services(city, tmp_path / "clerk", USER, PASSWORD):
        assert clerk.closures is not None
        kinds, outcome = clerk.closures.refresh()
        assert kinds == [] and [c.day for c in outcome.closures] == [TYPHOON]
        assert not clerk.intake.calendar.is_working_day(TYPHOON)
        assert clerk.closures.refresh()[1].closures == ()
