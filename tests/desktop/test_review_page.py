"""受益人複查 through the real window against a real cityserver: progress, cancel while a batch is in flight,
resume, the change list, and the CSV and PDF it exports."""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.main_window import MainWindow
from desktop.views.review_page import ReviewPage
from sync.protocol import wire
from tests.conftest import SUPERVISOR, SUPERVISOR_PASSWORD
from tests.desktop.conftest import Dialogs, make_services
from tests.integration.test_review import SERVICE, csv_of, mixed

FULL_ID = re.compile(r"[A-Z][1289]\d{8}")


@pytest.fixture
def services(city: EmbeddedServer, tmp_path: Path) -> Iterator[Services]:
    """Re-verification is a supervisor's: the window signed in by the test supervisor."""
    yield from make_services(city, tmp_path / "data", SUPERVISOR, SUPERVISOR_PASSWORD)


def open_review(qtbot: QtBot, w: MainWindow) -> ReviewPage:
    qtbot.keyClick(w, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    page = w.review_page
    assert page is not None
    qtbot.addWidget(page)
    page.service_box.setCurrentIndex(page.service_box.findData(SERVICE))
    return page


def test_review_from_a_list_with_cancel_resume_and_export(
    qtbot: QtBot,
    window: MainWindow,
    services: Services,
    dialogs: Dialogs,
    population: list[Resident],
    tmp_path: Path,
) -> None:
    people = mixed(population)
    dialogs.file = tmp_path / "beneficiaries.csv"
    dialogs.file.write_text(csv_of(people), encoding="utf-8-sig")
    assert services.reviews is not None
    services.reviews.batch_size = 5
    # The first batch's answer waits until the supervisor has pressed Cancel: a cancel while a batch is in flight.
    client, in_flight, gate = services.client, threading.Event(), threading.Event()
    real = client.lookup_batch

    def held(request: wire.BatchLookupRequest) -> wire.BatchLookupResponse:
        answer = real(request)
        if not in_flight.is_set():
            in_flight.set()
            gate.wait(10)
        return answer

    client.lookup_batch = held  # type: ignore[method-assign]
    page = open_review(qtbot, window)
    page.from_file.setChecked(True)
    page.start_button.click()
    try:
        qtbot.waitUntil(in_flight.is_set, timeout=10_000)
        assert page.running and not page.start_button.isEnabled() and page.cancel_button.isEnabled()
        qtbot.keyClick(page, Qt.Key.Key_Escape)
        assert "取消中" in page.status.text()
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)
    assert page.run is not None and page.run.done == 5 and not page.run.finished
    assert "已暫停" in page.status.text() and page.progress.value() == 5
    assert page.resume_button.isEnabled()

    page.resume_button.click()
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)
    assert page.run.finished and page.progress.value() == len(people) == page.progress.maximum()
    assert "複查完成" in page.status.text()
    shown = [page.table.item(r, 3).text() for r in range(page.table.rowCount())]
    assert {"遷出本市或查無戶籍", "身障證明逾期", "不再符合資格"} <= set(shown)
    page.only_changes.setChecked(False)
    assert page.table.rowCount() == len(people)
    page.grab().save(str(tmp_path / "review-page.png"))

    page.export_button.click()
    qtbot.waitUntil(lambda: page.exported is not None, timeout=10_000)
    csv_path, pdf_path = page.exported  # type: ignore[misc]
    exported = csv_path.read_text(encoding="utf-8-sig")
    assert exported.splitlines()[0].startswith("來源,身分證統一編號") and len(exported.splitlines()) == len(people) + 1
    assert not FULL_ID.search(exported)
    report = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True)
    assert "受益人複查結果" in report.stdout and "資格變動名單" in report.stdout and not FULL_ID.search(report.stdout)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf_path), str(tmp_path / "review")], check=True)


def test_a_bad_list_is_refused_with_the_rows_named(
    qtbot: QtBot, window: MainWindow, services: Services, dialogs: Dialogs, population: list[Resident], tmp_path: Path
) -> None:
    good = population[0].national_id
    dialogs.file = tmp_path / "bad.csv"
    dialogs.file.write_text(f"身分證統一編號\n{good}\nX12345\n", encoding="utf-8")
    page = open_review(qtbot, window)
    page.from_file.setChecked(True)
    page.start_button.click()
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)
    assert "第 3 列" in page.status.text() and "整份未匯入" in page.status.text()
    assert services.ledger.reviews.unfinished() is None
    dialogs.file = tmp_path / "missing.csv"
    page.start_button.click()
    assert "無法讀取名單檔" in page.status.text()
    page.from_cases.setChecked(True)
    page.start_button.click()
    qtbot.waitUntil(lambda: not page.running, timeout=10_000)
    assert "本機沒有這個項目的受益人案件" in page.status.text()


def test_review_is_a_supervisors_task(services: Services, open_window: Callable[[], MainWindow]) -> None:
    services.role = "clerk"
    w = open_window()
    assert not w.review_action.isEnabled()
    w.open_review()
    assert w.review_page is None and "主管" in w.statusBar().currentMessage()
