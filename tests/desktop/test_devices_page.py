"""設備管理 through the real window against a real cityserver: the office's PCs, a one-time code that enrols a new
PC, revoking it; a clerk is told it is a supervisor's task."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from cityserver.embedded import EmbeddedServer
from desktop.bootstrap import Services, enrol
from desktop.main_window import MainWindow
from sync.ledger.secrets import MemorySecretStore
from tests.conftest import SUPERVISOR, SUPERVISOR_PASSWORD
from tests.desktop.conftest import Dialogs, make_services, type_text
from tests.fakes.devices import TEST_DEVICE_ID


@pytest.fixture
def services(city: EmbeddedServer, tmp_path: Path) -> Iterator[Services]:
    """Device management is a supervisor's: the window signed in by the test supervisor."""
    yield from make_services(city, tmp_path / "data", SUPERVISOR, SUPERVISOR_PASSWORD)


def test_supervisor_enrols_a_new_pc_and_revokes_it(
    qtbot: QtBot, window: MainWindow, city: EmbeddedServer, dialogs: Dialogs, tmp_path: Path
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    page = window.devices_page
    assert page is not None
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: bool(page.devices), timeout=10_000)
    assert any(d.device_id == TEST_DEVICE_ID for d in page.devices)
    assert "（本機）" in page.table.item(0, 1).text()
    page.make_code()
    assert "名稱" in page.status.text()  # no name yet: nothing asked of the city
    type_text(qtbot, page.name_edit, "中山里筆電")
    qtbot.keyClick(page.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(page.code_label.text()) == 14, timeout=10_000)
    code = page.code_label.text()
    assert "限用一次" in page.status.text()
    enrolled, _identity = enrol(tmp_path / "laptop", city.url, code, MemorySecretStore())
    page.refresh()
    qtbot.waitUntil(lambda: any(d.device_id == enrolled.device_id for d in page.devices), timeout=10_000)
    row = next(n for n, d in enumerate(page.devices) if d.device_id == enrolled.device_id)
    assert page.table.item(row, 1).text() == "中山里筆電" and page.table.item(row, 4).text() == "使用中"
    page.table.selectRow(row)
    page.revoke_selected()
    assert any("停用" in q and enrolled.device_id in q for q in dialogs.questions)
    qtbot.waitUntil(
        lambda: any(d.device_id == enrolled.device_id and d.revoked_at for d in page.devices), timeout=10_000
    )
    row = next(n for n, d in enumerate(page.devices) if d.device_id == enrolled.device_id)
    assert page.table.item(row, 4).text().startswith("已停用") and SUPERVISOR in page.table.item(row, 4).text()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)
    # The lost laptop's replacement: a code for the PC that takes its device id over.
    page.table.selectRow(row)
    page.replace_selected()
    assert any("替代" in q and enrolled.device_id in q for q in dialogs.questions)
    qtbot.waitUntil(lambda: f"接替 {enrolled.device_id}" in page.status.text(), timeout=10_000)
    again, _identity = enrol(tmp_path / "replacement", city.url, page.code_label.text(), MemorySecretStore())
    assert again.device_id == enrolled.device_id
    page.refresh()
    qtbot.waitUntil(
        lambda: any(d.device_id == enrolled.device_id and d.revoked_at is None for d in page.devices), timeout=10_000
    )
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)
    page.grab().save(str(Path(os.environ.get("COUNTERDESK_SHOTS", tmp_path)) / "devices-page.png"))


def test_a_clerk_is_told_devices_are_a_supervisors_task(qtbot: QtBot, open_window: object, services: Services) -> None:
    services.role = "clerk"
    w = open_window()  # type: ignore[operator]
    assert not w.devices_action.isEnabled()
    w.open_devices()
    assert w.devices_page is None and "主管" in w.statusBar().currentMessage()
