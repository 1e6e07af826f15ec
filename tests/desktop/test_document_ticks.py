"""Document ticks on the documents page: a paper document shown at the counter is 已驗 by one key, and the receipt,
the 一次告知單 and the case's record follow the ticks (read back from the PDFs with pdftotext)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from cityserver.population import Resident
from desktop.main_window import MainWindow
from sync.ledger import SavedCase
from tests.desktop.conftest import fill, verify
from tests.desktop.test_window import PHONE, choose

CARD, PHOTO = "身分證正本（驗畢發還）", "最近6個月2吋照片（或現場拍照）"  # SW-05's paper, from its catalog entry


def layout_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def row(text: str, label: str) -> str:
    return next((line for line in text.splitlines() if line.strip().startswith(label)), "")


def test_a_document_ticked_as_shown_is_printed_as_checked_and_left_off_the_notice(
    qtbot: QtBot, window: MainWindow, senior: Resident
) -> None:
    choose(qtbot, window, "SW-05")
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    wizard = window.intake
    qtbot.keyClick(wizard.next_button, Qt.Key.Key_Return)
    assert wizard.step == 2 and wizard.owed_list.hasFocus()
    paper = [wizard.owed_list.item(i).text() for i in range(wizard.owed_list.count())]
    assert paper == [f"☐ 待補　{CARD}", f"☐ 待補　{PHOTO}"]
    wizard.owed_list.setCurrentRow(0)
    qtbot.keyClick(wizard.owed_list, Qt.Key.Key_Space)  # the ID card was shown and handed back
    qtbot.keyClick(wizard.owed_list, Qt.Key.Key_Down)
    qtbot.keyClick(wizard.owed_list, Qt.Key.Key_Space)  # the photo too … then not after all: 2 is 待補
    qtbot.keyClick(wizard.owed_list, Qt.Key.Key_2)
    paper = [wizard.owed_list.item(i).text() for i in range(wizard.owed_list.count())]
    assert paper == [f"☑ 已驗　{CARD}", f"☐ 待補　{PHOTO}"]
    assert wizard.notice_button.isEnabled()

    notices: list[Path] = []
    wizard.notice_written.connect(notices.append)
    qtbot.keyClick(
        wizard.owed_list, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: bool(notices), timeout=10_000)
    notice = layout_text(notices[0])
    assert PHOTO in notice and CARD not in notice
    # Told on Fri 115-11-20: 7 working days (the sandbox directory's period) end Tue 115-12-01; the office's phone
    # from the same directory.
    assert "補正期限：請於 115年12月1日前補正（7 個工作天內）" in notice
    assert "洽詢：桃園市桃園區公所 電話 03-0001-0101" in " ".join(notice.split())

    saved: list[tuple[SavedCase, Path]] = []
    wizard.case_saved.connect(lambda case, path: saved.append((case, path)))
    qtbot.keyClick(wizard.owed_list, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(saved), timeout=10_000)
    [(case, receipt)] = saved
    assert case.documents_owed == (PHOTO,)
    assert case.terms is not None and case.terms.shown == (CARD,) and case.terms.owed == (PHOTO,)
    text = layout_text(receipt)
    assert CARD in row(text, "已驗文件") and PHOTO not in row(text, "已驗文件")
    assert PHOTO in row(text, "待補文件") and CARD not in row(text, "待補文件")


def test_ticks_never_carry_over_to_the_next_citizen(qtbot: QtBot, window: MainWindow, senior: Resident) -> None:
    choose(qtbot, window, "SW-05")
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    wizard = window.intake
    qtbot.keyClick(wizard.next_button, Qt.Key.Key_Return)
    wizard.owed_list.setCurrentRow(0)
    qtbot.keyClick(wizard.owed_list, Qt.Key.Key_1)
    assert wizard.owed_list.item(0).text().startswith("☑")
    qtbot.keyClick(wizard.owed_list, Qt.Key.Key_Escape)  # back to the result, then a new citizen
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    qtbot.keyClick(wizard.next_button, Qt.Key.Key_Return)
    assert all(wizard.owed_list.item(i).text().startswith("☐") for i in range(wizard.owed_list.count()))
