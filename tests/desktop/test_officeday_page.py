"""本所日結 in the window, against a real city: a second counter of this office (桃園區) took two cases today (one
paid in cash) and did not close; this PC took none. The supervisor opens Ctrl+Shift+D, sees both devices as the city
holds them, cannot sign until the open counter is explained, explains it by typing in its row, signs, and gets the
report with 核章 boxes; the city holds the office's sign-off with the reason."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import Qt

from cityserver.app import add_user
from cityserver.db import OfficeCloseRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.main_window import MainWindow
from desktop.views.officeday_page import WHY
from tests.conftest import OFFICE, SUPERVISOR, SUPERVISOR_PASSWORD
from tests.desktop.conftest import Dialogs, make_services, type_text
from tests.fakes.devices import Api, enrol, token_for
from tests.fakes.wire_cases import case_for


@pytest.fixture
def services(city: EmbeddedServer, tmp_path: Path) -> Iterator[Services]:
    """This PC, signed in as the office's supervisor (the office's day is theirs to sign)."""
    yield from make_services(city, tmp_path / "data", SUPERVISOR, SUPERVISOR_PASSWORD)


def test_the_office_day_is_signed_once_every_device_is_closed_or_explained(
    qtbot: QtBot,
    services: Services,
    open_window: Callable[[], MainWindow],
    dialogs: Dialogs,
    city: EmbeddedServer,
    population: list[Resident],
    tmp_path: Path,
) -> None:
    people = [r for r in population if r.district_code == OFFICE.code]
    add_user(city.app.state.session_factory, "clerk-two", "clerk-two-pw", OFFICE.code, "clerk")
    counter = enrol(city, OFFICE.code, "櫃台2")
    api = Api(city, token_for(city, counter, "clerk-two", "clerk-two-pw"))
    cases = [
        case_for(
            counter, OFFICE.code, "SW-05", people[0].national_id, 1, clerk="王承辦", fee=80, payment_method="cash"
        ),
        case_for(counter, OFFICE.code, "SW-17", people[1].national_id, 2, clerk="王承辦"),
        # Due Wed 11-18: by Fri 11-20 (the fixture's day) late by two working days, and listed in the day close.
        case_for(counter, OFFICE.code, "SW-17", people[2].national_id, 3, clerk="王承辦", due_date=date(2026, 11, 18)),
    ]
    assert {a["status"] for a in api.push("cases", cases)} == {"accepted"}

    w = open_window()
    qtbot.keyClick(w, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    page = w.officeday_page
    assert page is not None
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.view is not None and page.devices.rowCount() == 2, timeout=10_000)
    rows = {page.devices.item(r, 0).text(): [page.devices.item(r, c).text() for c in range(1, 7)] for r in range(2)}
    assert rows[f"{counter.device_id} 櫃台2"] == [
        "未日結", "3", "0", "現金 80", f"{counter.device_id}-R0000001 ～ {counter.device_id}-R0000003", "無"
    ]  # fmt: skip
    assert rows[f"{services.device.device_id} test counter"][0] == "今日無收件"
    assert page.summary.text().startswith("有效案件 3 件（作廢 0 件）　規費 80 元（現金 80）")
    assert page.summary.text().endswith("逾期未結 1 件")
    assert page.clerks.item(0, 0).text() == "王承辦" and page.clerks.item(0, 1).text() == "3"
    assert "櫃台2" in page.blockers.text() and not page.sign_button.isEnabled()

    row = next(r for r in range(2) if page.devices.item(r, 0).text().startswith(counter.device_id))
    page.devices.setCurrentCell(row, WHY)
    page.devices.editItem(page.devices.item(row, WHY))
    editor = page.devices.focusWidget()
    assert editor is not None
    type_text(qtbot, editor, "櫃台2 當機，案件已上傳，明日補日結")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.sign_button.isEnabled(), timeout=5_000)
    assert page.blockers.text() == ""

    page.sign_button.click()
    qtbot.waitUntil(lambda: "已簽核" in page.message.text(), timeout=10_000)
    assert any("簽核" in q and "本所日結" in q for q in dialogs.questions)
    with city.app.state.session_factory() as s:
        (close,) = s.scalars(select(OfficeCloseRow)).all()
        assert (close.office_code, close.by) == (OFFICE.code, SUPERVISOR)
        assert json.loads(close.explanations) == {counter.device_id: "櫃台2 當機，案件已上傳，明日補日結"}
    assert page.report_path is not None and page.report_path.exists()
    paper = subprocess.run(["pdftotext", "-layout", str(page.report_path), "-"], capture_output=True, text=True).stdout
    assert "本所日結報表" in paper and "已簽核" in paper and "櫃台2" in paper
    assert "逾期未結案件（全所）" in paper and cases[2].case_number in paper
    assert all(f"{role}　核章" in paper or f"{role} 核章" in paper for role in ("承辦人", "主管", "出納"))
    assert people[0].national_id not in paper and people[0].name not in paper
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(page.report_path), str(tmp_path / "officeday")], check=True)
    qtbot.waitUntil(lambda: not page.sign_button.isEnabled() and "已簽核" in page.title.text(), timeout=10_000)
