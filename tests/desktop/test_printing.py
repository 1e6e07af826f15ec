"""Printing from the keyboard: accepting a case prints its receipt on the printer chosen once in the settings.

The printer here is the PDF printer (Qt's own PDF output, as on a laptop without a printer): the real page
rendering, checked with poppler's tools, never with our code."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.main_window import MainWindow
from sync.ledger.settings import PDF_PRINTER
from sync.protocol.errors import StoreError
from tests.desktop.conftest import Dialogs, accept, fill, verify
from tests.desktop.test_window import PHONE, choose

A4_POINTS = (595, 842)  # ISO 216 A4, 210 × 297 mm in PostScript points (rounded)


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def ink(path: Path, tmp: Path) -> float:
    """The share of dark pixels on the first page as pdftoppm renders it (0 for a blank page)."""
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-f", "1", "-l", "1", str(path), str(tmp / "p")], check=True)
    image = next(tmp.glob("p*.pgm")).read_bytes()
    pixels = image.split(b"\n", 3)[3]  # P5 header: magic, size, maxval
    return sum(1 for b in pixels if b < 128) / len(pixels)


def printed(services: Services) -> list[Path]:
    return sorted((services.data_dir / "printed").glob("*.pdf"))


def test_the_accept_key_prints_the_receipt_on_the_chosen_printer(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident, dialogs: Dialogs, tmp_path: Path
) -> None:
    window.set_printer(PDF_PRINTER)
    choose(qtbot, window, "SW-05")
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    case, receipt = accept(qtbot, window)
    qtbot.waitUntil(lambda: bool(printed(services)), timeout=15_000)
    qtbot.waitUntil(lambda: not window.runner.busy)
    [paper] = printed(services)
    assert paper.stem == case.case_number and window.last_printed == str(paper)
    info, original = pdf_info(paper), pdf_info(receipt)
    assert info["Pages"] == original["Pages"]
    width, _, rest = info["Page size"].partition(" x ")
    assert (round(float(width)), round(float(rest.split()[0]))) == A4_POINTS
    assert ink(paper, tmp_path) > 0.005  # the page carries the receipt, not a blank sheet
    assert dialogs.printed == []  # no dialog was opened
    assert not window.print_label.isVisible()
    # Ctrl+P prints the same receipt again, as a second file: nothing is overwritten.
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(printed(services)) == 2, timeout=15_000)


def test_an_unavailable_printer_is_a_clear_message_and_the_receipt_is_kept(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident
) -> None:
    window.set_printer("櫃台2-不存在的印表機")
    choose(qtbot, window, "SW-05")
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    case, receipt = accept(qtbot, window)
    qtbot.waitUntil(lambda: window.print_label.isVisible(), timeout=15_000)
    qtbot.waitUntil(lambda: not window.runner.busy)  # the sync after accepting does not hide it
    message = window.print_label.text()
    assert window.print_label.isVisible() and "無法使用" in message
    assert "櫃台2-不存在的印表機" in message and receipt.name in message and "Ctrl+P" in message
    assert receipt.exists() and printed(services) == [] and window.last_printed is None
    assert services.ledger.cases.case(case.case_uuid).case_number == case.case_number


def test_without_a_chosen_printer_accepting_prints_nothing_and_says_how(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident, dialogs: Dialogs
) -> None:
    choose(qtbot, window, "SW-05")
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    accept(qtbot, window)
    qtbot.waitUntil(lambda: not window.runner.busy)  # the sync after accepting does not hide how to print
    assert dialogs.printed == [] and window.print_label.isVisible() and "Ctrl+P" in window.print_label.text()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # asks with the print dialog
    assert len(dialogs.printed) == 1
    assert not window.print_label.isVisible()


def test_printing_on_accept_can_be_turned_off(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident
) -> None:
    window.set_printer(PDF_PRINTER)
    window.print_on_accept_action.setChecked(False)
    qtbot.waitUntil(lambda: services.ledger.settings.get("print_on_accept") == "0")
    choose(qtbot, window, "SW-05")
    fill(qtbot, window, senior, PHONE)
    verify(qtbot, window)
    accept(qtbot, window)
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert printed(services) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("printer", "印表機\x00"),
        ("printer", "x" * 121),
        ("print_on_accept", "yes"),
        ("receipt_layout", "a5"),
        ("unknown", "1"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(services: Services, key: str, value: str) -> None:
    with pytest.raises(StoreError) as err:
        services.ledger.settings.set(key, value)
    assert err.value.code == "setting_invalid"
    assert services.ledger.settings.get("printer") == "" and services.ledger.settings.get("receipt_layout") == "a4"
