"""The real window, driven by keyboard with pytest-qt against a real cityserver on 127.0.0.1."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services, build_services
from desktop.main_window import MainWindow
from desktop.tasks import TaskRunner
from forms.rocdate import format_roc_compact
from sync.client import Credentials
from sync.secrets import MemorySecretStore
from tests.conftest import OFFICE, PASSWORD, USER


@pytest.fixture
def services(city: EmbeddedServer, tmp_path: Path) -> Iterator[Services]:
    s = build_services(
        tmp_path / "data", city.url, Credentials(USER, PASSWORD), OFFICE, "D01", MemorySecretStore(), practice=True
    )
    yield s
    s.client.close()
    s.ledger.close()


@pytest.fixture
def window(qtbot: QtBot, services: Services) -> Iterator[MainWindow]:
    runner = TaskRunner()
    confirmations: list[str] = []

    def confirm(_parent: QWidget, _title: str, question: str) -> bool:
        confirmations.append(question)
        return True

    w = MainWindow(services, runner, confirm=confirm)
    w.confirmations = confirmations  # type: ignore[attr-defined]
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: not runner.busy)
    yield w
    qtbot.waitUntil(lambda: not runner.busy)
    runner.shutdown()


def type_chinese(widget: QWidget, text: str) -> None:
    """Commit text as an input method does (qtbot.keyClicks cannot send non-ASCII keys)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def fill_by_keyboard(qtbot: QtBot, w: MainWindow, person: Resident, consent: bool = True) -> None:
    panel = w.intake
    panel.id_edit.setFocus()
    qtbot.keyClicks(panel.id_edit, person.national_id.lower())  # lower case is normalised
    qtbot.keyClick(panel.id_edit, Qt.Key.Key_Return)
    assert panel.name_edit.hasFocus()
    type_chinese(panel.name_edit, person.name)
    qtbot.keyClick(panel.name_edit, Qt.Key.Key_Return)
    assert panel.birth_edit.hasFocus()
    qtbot.keyClicks(panel.birth_edit, format_roc_compact(person.birth_date))
    qtbot.keyClick(panel.birth_edit, Qt.Key.Key_Return)
    assert panel.consent_box.hasFocus()
    if consent:
        qtbot.keyClick(panel.consent_box, Qt.Key.Key_Space)


def verify_and_accept(qtbot: QtBot, w: MainWindow, expect: str) -> Path:
    panel = w.intake
    qtbot.keyClick(panel.consent_box, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: panel.outcome_label.text() != "", timeout=10_000)
    assert expect in panel.outcome_label.text()
    assert panel.accept_button.isEnabled() and panel.accept_button.hasFocus()
    before = w.last_receipt
    qtbot.keyClick(panel.accept_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.last_receipt not in (None, before), timeout=10_000)
    assert w.last_receipt is not None
    return w.last_receipt


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_eligible_intake_by_keyboard(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident, tmp_path: Path
) -> None:
    assert "敬老愛心卡" in window.intake.service_label.text()
    fill_by_keyboard(qtbot, window, senior)
    receipt = verify_and_accept(qtbot, window, "符合資格")
    rules = [window.intake.rules_list.item(i).text() for i in range(window.intake.rules_list.count())]
    assert len(rules) == 3 and all(r.startswith("✔") for r in rules)
    (case,) = _all_cases(services)
    assert case.decision.value == "pass"
    assert receipt.exists() and case.case_number in pdf_text(receipt)
    assert senior.national_id[:6] + "****" in pdf_text(receipt)
    assert window.confirmations == []  # type: ignore[attr-defined]
    window.grab().save(str(tmp_path / "eligible.png"))


def _all_cases(services: Services) -> list:  # type: ignore[type-arg]
    with sqlite3.connect(services.ledger.path) as conn:
        days = [r[0] for r in conn.execute("SELECT DISTINCT business_date FROM cases")]
    from datetime import date

    return [c for d in days for c in services.ledger.cases_on(date.fromisoformat(d))]


def test_ineligible_intake_needs_confirmation_and_prints_the_reason(
    qtbot: QtBot, window: MainWindow, services: Services, senior_elsewhere: Resident
) -> None:
    fill_by_keyboard(qtbot, window, senior_elsewhere)
    receipt = verify_and_accept(qtbot, window, "不符資格")
    assert len(window.confirmations) == 1  # type: ignore[attr-defined]
    (case,) = _all_cases(services)
    assert case.decision.value == "fail"
    text = pdf_text(receipt)
    assert "戶籍不在桃園市" in text and senior_elsewhere.city_name in text


def test_invalid_id_gets_a_message_and_writes_nothing(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident
) -> None:
    wrong = senior.national_id[:9] + str((int(senior.national_id[9]) + 1) % 10)
    fill_by_keyboard(qtbot, window, Resident(**{**vars(senior), "national_id": wrong}))
    qtbot.keyClick(window.intake.consent_box, Qt.Key.Key_F5)
    assert "檢查碼不符" in window.intake.id_error.text()
    assert window.intake.id_edit.hasFocus()
    assert not window.intake.accept_button.isEnabled()
    with sqlite3.connect(services.ledger.path) as conn:
        for table in ("cases", "receipts", "outbox", "lookups"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_missing_consent_blocks_the_lookup(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident
) -> None:
    fill_by_keyboard(qtbot, window, senior, consent=False)
    qtbot.keyClick(window.intake.consent_box, Qt.Key.Key_F5)
    assert "同意" in window.intake.message_label.text()
    with sqlite3.connect(services.ledger.path) as conn:
        assert conn.execute("SELECT count(*) FROM lookups").fetchone()[0] == 0


def test_offline_intake_then_sync_now(
    qtbot: QtBot, window: MainWindow, services: Services, city: EmbeddedServer, senior: Resident
) -> None:
    city.stop()
    fill_by_keyboard(qtbot, window, senior)
    verify_and_accept(qtbot, window, "待查驗")
    qtbot.waitUntil(lambda: "離線" in window.online_label.text())
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert "待上傳 1 件" in window.outbox_label.text()
    city.start()
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "待上傳 0 件" in window.outbox_label.text(), timeout=10_000)
    assert "已連線" in window.online_label.text()
    with city.app.state.session_factory() as s:
        from cityserver.db import CaseRow

        assert s.query(CaseRow).count() == 1


def test_escape_clears_for_the_next_citizen(qtbot: QtBot, window: MainWindow, senior: Resident) -> None:
    fill_by_keyboard(qtbot, window, senior)
    qtbot.keyClick(window.intake.consent_box, Qt.Key.Key_Escape)
    panel = window.intake
    assert (panel.id_edit.text(), panel.name_edit.text(), panel.birth_edit.text()) == ("", "", "")
    assert not panel.consent_box.isChecked() and panel.id_edit.hasFocus()
