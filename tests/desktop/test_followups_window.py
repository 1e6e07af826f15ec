"""A case taken offline that its later look-ups find not eligible cannot be missed: it is 需處理 in the status bar
and on the sync page with the next step, and in the day close until a clerk records how it was handled."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.main_window import MainWindow
from tests.desktop.conftest import Dialogs, accept, fill, settle, verify
from tests.desktop.test_dayclose_page import open_page
from tests.desktop.test_window import PHONE, choose


def test_a_failed_recheck_is_a_follow_up_until_handled(
    qtbot: QtBot,
    window: MainWindow,
    services: Services,
    city: EmbeddedServer,
    senior_elsewhere: Resident,
    dialogs: Dialogs,
) -> None:
    choose(qtbot, window, "SW-05")
    city.stop()
    fill(qtbot, window, senior_elsewhere, PHONE)  # registered in another city: SW-05 is for this city's residents
    verify(qtbot, window)
    case, _receipt = accept(qtbot, window)
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert "需處理" not in window.outbox_label.text()  # 待查驗 is not yet a problem
    city.start()
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.sync_panel.reverified.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: not window.runner.busy and services.ledger.outbox.counts()["pending"] == 0, timeout=10_000)

    assert "需處理 1 件" in window.outbox_label.text()
    panel = window.sync_panel
    assert panel.followup_box.isVisible() and panel.followup_table.rowCount() == 1
    row = [panel.followup_table.item(0, c).text() for c in range(5)]
    assert row[0] == case.case_number and senior_elsewhere.name not in " ".join(row)
    assert "戶籍不在桃園市" in row[3] and "聯絡申請人" in row[4]
    window.grab().save(str(services.data_dir / "followups.png"))

    page = open_page(qtbot, window)
    lines = [page.problems.item(i).text() for i in range(page.problems.count())]
    assert any("需處理" in line and case.case_number in line for line in lines)
    page.close()

    dialogs.note = "太短"  # refused: says too little; nothing changes
    panel.followup_table.setCurrentCell(0, 0)
    panel.handled_button.click()
    settle(qtbot, window)
    assert "請寫明如何處理" in panel.followup_label.text() and panel.followup_table.rowCount() == 1
    dialogs.note = "已電話通知申請人，請其向戶籍地區公所申請"
    panel.handled_button.click()
    settle(qtbot, window)
    assert panel.followup_table.rowCount() == 0 and not panel.followup_box.isVisible()
    assert "需處理" not in window.outbox_label.text()
    page.report = None  # the same page, its figures made again
    window.close_day()
    qtbot.waitUntil(lambda: page.report is not None and not window.runner.busy, timeout=10_000)
    assert page.report is not None and page.report.follow_ups == ()
    assert not any("需處理的案件" in page.problems.item(i).text() for i in range(page.problems.count()))
    page.close()
