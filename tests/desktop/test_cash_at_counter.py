"""Cash at the counter: the amount to collect, the cash tendered and the change, shown as the clerk types; cash that
does not cover the fee saves nothing; another payment method asks for no cash."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from cityserver.db import CaseRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.main_window import MainWindow
from tests.desktop.conftest import fill, paid_window, pdf_text, table_count, type_text, verify
from tests.desktop.test_window import PHONE, choose
from tests.fakes.catalogs import LOW_INCOME

FEE = 150


def to_documents(qtbot: QtBot, w: MainWindow, person: Resident) -> None:
    choose(qtbot, w, "SW-05")
    fill(qtbot, w, person, PHONE)
    verify(qtbot, w)
    qtbot.keyClick(w.intake.next_button, Qt.Key.Key_Return)
    assert w.intake.step == 2


@pytest.fixture
def paid(qtbot: QtBot, services: Services, open_window: Callable[[], MainWindow], senior: Resident) -> MainWindow:
    """A window charging FEE for 敬老愛心卡, on the documents page of an eligible senior's intake."""
    w = paid_window(services, open_window, FEE)
    to_documents(qtbot, w, senior)
    return w


def test_cash_tendered_shows_the_change_and_short_cash_saves_nothing(
    qtbot: QtBot, services: Services, paid: MainWindow
) -> None:
    w, wizard = paid, paid.intake
    assert wizard.fee_label.text() == "新臺幣 150 元（現金）" and wizard.tendered_edit.isVisibleTo(w)
    type_text(qtbot, wizard.tendered_edit, "100")
    assert "不足" in wizard.change_label.text() and "150" in wizard.change_label.text()
    cases = table_count(services, "cases")
    qtbot.keyClick(wizard.tendered_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(200)
    assert wizard.step == 2 and table_count(services, "cases") == cases  # nothing saved
    assert "不足" in wizard.message_label.text() and wizard.tendered_edit.hasFocus()
    wizard.tendered_edit.clear()
    type_text(qtbot, wizard.tendered_edit, "500")
    assert wizard.change_label.text() == "找零 350 元"
    qtbot.keyClick(wizard.tendered_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: wizard.step == 3, timeout=10_000)
    assert "應收 新臺幣 150 元（現金）" in wizard.done_label.text() and "找零 350 元" in wizard.done_label.text()


def test_a_card_payment_asks_for_no_cash(qtbot: QtBot, paid: MainWindow) -> None:
    w, wizard = paid, paid.intake
    wizard.payment_combo.setCurrentIndex(wizard.payment_combo.findData("card"))
    assert wizard.fee_label.text() == "新臺幣 150 元（信用卡／行動支付）"
    assert not wizard.tendered_edit.isVisibleTo(w) and not wizard.change_label.isVisibleTo(w)
    qtbot.keyClick(wizard.owed_list, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: wizard.step == 3, timeout=10_000)
    assert "應收 新臺幣 150 元（信用卡／行動支付）" in wizard.done_label.text()


def test_a_free_service_shows_no_cash_rows(qtbot: QtBot, window: MainWindow, senior: Resident) -> None:
    to_documents(qtbot, window, senior)
    assert not window.intake.tendered_edit.isVisibleTo(window)
    assert "應收" not in window.intake.done_label.text()


def test_a_fee_waived_on_a_ground_the_rules_allow_collects_nothing_and_says_why(
    qtbot: QtBot,
    services: Services,
    open_window: Callable[[], MainWindow],
    senior: Resident,
    city: EmbeddedServer,
) -> None:
    w = paid_window(services, open_window, FEE, (LOW_INCOME,))
    to_documents(qtbot, w, senior)
    wizard = w.intake
    combo = wizard.payment_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["現金", "信用卡／行動支付", "轉帳", "免徵：低收入戶"]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_End)  # the last choice, by keyboard
    ground = f"{LOW_INCOME[1]}，{LOW_INCOME[2]}"
    assert wizard.fee_label.text() == f"新臺幣 {FEE} 元，免徵（{ground}）"
    assert not wizard.tendered_edit.isVisibleTo(w)  # no cash to count
    qtbot.keyClick(combo, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: wizard.step == 3, timeout=10_000)
    assert f"規費免徵（{ground}）" in wizard.done_label.text() and "應收" not in wizard.done_label.text()
    qtbot.waitUntil(lambda: w.last_receipt is not None, timeout=10_000)
    assert w.last_receipt is not None
    assert f"新臺幣{FEE}元，免徵（{LOW_INCOME[1]}" in "".join(pdf_text(w.last_receipt).split())

    (case,) = services.ledger.cases.recent()
    assert (case.fee, case.payment_method) == (0, "waived")
    w.sync_now()
    qtbot.waitUntil(lambda: services.ledger.outbox.counts()["pending"] == 0 and not w.runner.busy, timeout=10_000)
    with city.app.state.session_factory() as s:
        held = json.loads(s.query(CaseRow).one().payload)
    assert (held["fee"], held["payment_method"], held["terms"]["fee"]) == (0, "waived", FEE)
    assert held["terms"]["waiver"] == ground

    # The day close: nothing to collect in cash, the waiver counted for the clerk.
    report = services.books.prepare(services.today())
    assert report.fee_total == 0 and report.cash_expected == 0
    assert [(k.cases, k.waived) for k in report.clerks] == [(1, 1)]


def test_the_next_citizen_starts_without_the_last_waiver(
    qtbot: QtBot, services: Services, open_window: Callable[[], MainWindow], senior: Resident
) -> None:
    w = paid_window(services, open_window, FEE, (LOW_INCOME,))
    to_documents(qtbot, w, senior)
    combo = w.intake.payment_combo
    combo.setCurrentIndex(combo.findData(f"waived:{LOW_INCOME[0]}"))
    qtbot.keyClick(combo, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.intake.step == 3, timeout=10_000)
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    to_documents(qtbot, w, senior)
    assert w.intake.payment_combo.currentData() == "cash"
    assert w.intake.fee_label.text() == f"新臺幣 {FEE} 元（現金）"
