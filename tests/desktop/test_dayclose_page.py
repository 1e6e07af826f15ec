"""Void, receipt paper and the supervisor's day close through the real window, against a real cityserver."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import Qt, QTimer

from cityserver.db import CaseRow, DayRecordRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.main_window import MainWindow
from desktop.officeday_paper import office_day_data
from desktop.views.cash_count_dialog import CashCountDialog
from desktop.views.dayclose_page import DayClosePage
from forms.officeday import compute
from printing.report import build_report_pdf
from sync.protocol import wire
from tests.conftest import OFFICE, SUPERVISOR, SUPERVISOR_PASSWORD, USER
from tests.desktop.conftest import Dialogs, accept, fill, paid_window, pdf_text, today, type_text, verify
from tests.desktop.test_window import PHONE, choose
from tests.fakes.catalogs import FEE
from tests.fakes.devices import Api, enrol, token_for

FULL_ID = re.compile(r"[A-Z][1289]\d{8}")


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def take(qtbot: QtBot, w: MainWindow, person: Resident) -> Path:
    choose(qtbot, w, "SW-05")
    fill(qtbot, w, person, PHONE)
    verify(qtbot, w)
    _case, path = accept(qtbot, w)
    qtbot.waitUntil(lambda: not w.runner.busy, timeout=10_000)
    qtbot.keyClick(w.intake.next_citizen_button, Qt.Key.Key_Return)  # ready for the next citizen
    return path


def open_page(qtbot: QtBot, w: MainWindow) -> DayClosePage:
    qtbot.keyClick(w, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    page = w.dayclose_page
    assert page is not None
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.report is not None and page.report_path is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not w.runner.busy, timeout=10_000)
    return page


def test_void_then_day_close_signed_by_a_supervisor(
    qtbot: QtBot,
    services: Services,
    open_window: Callable[[], MainWindow],
    dialogs: Dialogs,
    city: EmbeddedServer,
    senior: Resident,
    young: Resident,
    tmp_path: Path,
) -> None:
    w = paid_window(services, open_window)
    take(qtbot, w, senior)
    voided = take(qtbot, w, young)
    w.sync_now()
    qtbot.waitUntil(lambda: services.ledger.outbox.counts()["pending"] == 0 and not w.runner.busy, timeout=10_000)

    # Void the second receipt: the supervisor's credentials and reason, a void slip, the city told.
    panel = w.sync_panel
    panel.refresh()
    row = next(r for r in range(panel.cases_table.rowCount()) if panel.cases_table.item(r, 0).text() == voided.stem)
    panel.cases_table.selectRow(row)
    dialogs.supervisor = (SUPERVISOR, "wrong-password", "民眾當場改申請其他項目")
    panel.void_button.click()
    qtbot.waitUntil(lambda: "主管" in w.statusBar().currentMessage(), timeout=10_000)
    assert "無法確認主管身分" in w.statusBar().currentMessage()
    dialogs.supervisor = (SUPERVISOR, SUPERVISOR_PASSWORD, "民眾當場改申請其他項目")
    panel.void_button.click()
    qtbot.waitUntil(lambda: w.last_receipt is not None and "作廢" in w.last_receipt.name, timeout=10_000)
    slip = w.last_receipt
    assert slip is not None
    slip_text = pdf_text(slip)
    assert "收據作廢證明" in slip_text and "民眾當場改申請其他項目" in slip_text and not FULL_ID.search(slip_text)
    qtbot.waitUntil(lambda: services.ledger.outbox.counts()["pending"] == 0 and not w.runner.busy, timeout=10_000)
    with city.app.state.session_factory() as s:
        statuses = {r.case_number: r.status for r in s.query(CaseRow).all()}
    assert statuses[voided.stem] == "撤回"

    # The supervisor's page: figures, the void in the discrepancy list, cash to count.
    page = open_page(qtbot, w)
    report = page.report
    assert report is not None and report.cases == 1 and report.voided == 1 and report.fees == {"cash": FEE}
    assert page.cash_table.rowCount() == 1 and page.cash_table.item(0, 0).text() == USER
    lines = [page.problems.item(i).text() for i in range(page.problems.count())]
    assert any("作廢收據" in line and "民眾當場改申請其他項目" in line for line in lines)
    assert "實點現金" in page.blockers.text()

    # A shortfall without an explanation: refused, nothing signed.
    page.set_counted(USER, str(FEE - 10))
    assert "-10" in page.cash_table.item(0, 3).text() and "原因" in page.blockers.text()
    page.sign_button.click()
    assert "尚不能簽核" in page.message.text() and services.ledger.books.closed_days() == []
    page.set_counted(USER, "八十")  # bad input: a clear message, nothing accepted
    assert "整數" in page.blockers.text()
    page.set_counted(USER, str(FEE - 10), "找零給錯，已向民眾追回不成，自行補足")
    assert page.blockers.text() == ""
    page.grab().save(str(tmp_path / "dayclose-page.png"))

    # Sign-off with the supervisor's credentials locks the day; the report is printed through the print path.
    page.sign_button.click()
    qtbot.waitUntil(lambda: services.ledger.books.closed_days() == [today()] and not w.runner.busy, timeout=10_000)
    qtbot.waitUntil(lambda: page.report is not None and page.report.signed, timeout=10_000)
    assert not page.sign_button.isEnabled() and "已簽核" in page.title.text()
    assert any("主管簽核日結" in q for q in dialogs.questions)
    assert page.report_path is not None and "-draft" not in page.report_path.name
    text = run("pdftotext", "-layout", str(page.report_path), "-")
    assert "已簽核" in text and "找零給錯" in text and f"{services.device.device_id}-R0000002" in text
    assert not FULL_ID.search(text + run("pdfinfo", str(page.report_path)))
    qtbot.keyClick(page, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert dialogs.printed and "Pages:" in run("pdfinfo", str(dialogs.printed[-1]))
    page.grab().save(str(tmp_path / "dayclose-signed.png"))

    # After sign-off a void of that day becomes a correction linked to the signed close.
    panel.refresh()
    first = next(r for r in range(panel.cases_table.rowCount()) if panel.cases_table.item(r, 3).text() != "已作廢")
    panel.cases_table.selectRow(first)
    dialogs.supervisor = (SUPERVISOR, SUPERVISOR_PASSWORD, "重複收件，退還規費")
    panel.void_button.click()
    qtbot.waitUntil(lambda: bool(services.ledger.books.day_facts(today()).corrections), timeout=10_000)
    assert "更正登錄" in dialogs.questions[-1]
    (correction,) = services.ledger.books.day_facts(today()).corrections
    assert correction.kind == "void" and correction.amount == -FEE and correction.corrects_day == today()
    page.close()


def test_receipt_paper_is_a_setting(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident, young: Resident
) -> None:
    assert window.layout_actions["a4"].isChecked()
    a4 = take(qtbot, window, senior)
    window.layout_actions["thermal80"].trigger()
    qtbot.waitUntil(lambda: services.ledger.settings.get("receipt_layout") == "thermal80")
    strip = take(qtbot, window, young)
    widths = [float(re.search(r"Page size:\s+([\d.]+)", run("pdfinfo", str(p))).group(1)) for p in (a4, strip)]  # type: ignore[union-attr]
    assert [round(w / 72 * 25.4) for w in widths] == [210, 80]
    assert "驗證碼" in pdf_text(strip) and "存根聯" in pdf_text(strip)


def test_a_clerk_cannot_open_the_day_close(services: Services, open_window: Callable[[], MainWindow]) -> None:
    services.role = "clerk"
    w = open_window()
    w.close_day()
    assert w.dayclose_page is None and "主管" in w.statusBar().currentMessage()


def test_cash_counted_by_note_and_coin_reaches_the_report_the_city_and_the_office_day(
    qtbot: QtBot,
    services: Services,
    open_window: Callable[[], MainWindow],
    dialogs: Dialogs,
    city: EmbeddedServer,
    senior: Resident,
    young: Resident,
    tmp_path: Path,
) -> None:
    """Two cases at 350 元 in cash: the supervisor counts the drawer in the real 點鈔 dialog (Ctrl+M) as 500 × 1,
    100 × 2; a total typed over it that disagrees stops the signature; the signed report, the city's figures of the
    day and the office's day (for the cashier) all carry the count."""
    w = paid_window(services, open_window, fee=350)
    for person in (senior, young):
        take(qtbot, w, person)
    w.sync_now()
    qtbot.waitUntil(lambda: services.ledger.outbox.counts()["pending"] == 0 and not w.runner.busy, timeout=10_000)
    page = open_page(qtbot, w)
    assert page.cash_table.item(0, 1).text() == "700"

    seen: list[str] = []

    def count_in_the_dialog() -> None:
        (dialog,) = page.findChildren(CashCountDialog)
        try:
            type_text(qtbot, dialog.boxes[500], "1")
            type_text(qtbot, dialog.boxes[100], "三")  # not a number of pieces: said, and not recorded
            dialog.submit()
            seen.append(dialog.problem.text())
            dialog.boxes[100].clear()
            type_text(qtbot, dialog.boxes[100], "2")
            seen.append(dialog.total.text())
            dialog.activateWindow()  # shortcuts answer in the active window (the offscreen platform leaves it to us)
            qtbot.waitUntil(dialog.isActiveWindow, timeout=2_000)
            qtbot.keyClick(dialog.boxes[100], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        finally:
            if dialog.isVisible():  # a failed step must not leave the page waiting on the dialog
                seen.append("left open")
                dialog.reject()

    QTimer.singleShot(0, count_in_the_dialog)
    page.cash_table.setCurrentCell(0, 0)
    qtbot.keyClick(page, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert seen == ["100 元的張（枚）數請輸入 0 至 99999 的整數", "合計 700 元（與應收相符）"]
    assert page.cash_table.item(0, 2).text() == "700"
    assert page.cash_table.item(0, 4).text() == "500 元 × 1、100 元 × 2"
    assert page.blockers.text() == ""

    page.set_counted(USER, "600", "點錯一張百元鈔")  # a total typed over the count: they must agree
    assert "依面額點收合計 700 元，與實點現金 600 元不符" in page.blockers.text()
    page.sign_button.click()
    assert services.ledger.books.closed_days() == []
    page.set_counted(USER, "700")
    assert page.blockers.text() == ""
    dialogs.supervisor = (SUPERVISOR, SUPERVISOR_PASSWORD, "")
    page.sign_button.click()
    qtbot.waitUntil(lambda: services.ledger.books.closed_days() == [today()] and not w.runner.busy, timeout=10_000)
    qtbot.waitUntil(lambda: page.report is not None and page.report.signed and not w.runner.busy, timeout=10_000)
    assert page.cash_table.item(0, 4).text() == "500 元 × 1、100 元 × 2"  # shown as signed
    report = run("pdftotext", "-layout", str(page.report_path), "-")
    assert "面額：500 元 × 1、100 元 × 2" in report

    w.sync_now()
    qtbot.waitUntil(lambda: services.ledger.outbox.counts()["pending"] == 0 and not w.runner.busy, timeout=10_000)
    with city.app.state.session_factory() as s:
        (close,) = s.scalars(select(DayRecordRow).where(DayRecordRow.kind == "day_close")).all()
        figures = json.loads(close.payload)["figures"]
    assert (figures["cash_counted"], figures["cash_500"], figures["cash_100"]) == (700, 1, 2)

    chief = Api(city, token_for(city, enrol(city, OFFICE.code, "主管電腦"), SUPERVISOR, SUPERVISOR_PASSWORD))
    answer = chief.get(f"/api/v1/office-days/{today().isoformat()}")
    assert answer.status_code == 200, answer.text
    office_day = compute(wire.OfficeDayResponse.model_validate(answer.json()).facts())
    assert office_day.pieces == ((500, 1), (100, 2))
    paper = tmp_path / "office-day.pdf"
    paper.write_bytes(
        build_report_pdf(office_day_data(office_day, {}, None, services.catalog, OFFICE.name, practice=True))
    )
    office = run("pdftotext", "-layout", str(paper), "-")
    assert "現金面額（交出納點收）" in office and "實點 700 元（應收 700 元）" in office
    assert re.search(r"500 元\s+紙鈔\s+1\s+500 元", office) and re.search(r"100 元\s+紙鈔\s+2\s+200 元", office)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(paper), str(tmp_path / "office-day")], check=True)
    page.close()
