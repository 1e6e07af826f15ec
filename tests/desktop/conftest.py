"""The real window on a real cityserver, with a pinned office clock and scripted dialogs."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services, build_services
from desktop.main_window import MainWindow
from desktop.printer import render_to
from desktop.tasks import TaskRunner
from desktop.views.closure import ClosureAnswer
from desktop.window_state import keep_layouts_in
from forms.rocdate import format_roc_compact
from sync.city.client import Credentials
from sync.city.enrolment import Enrolment
from sync.ledger import SavedCase
from sync.ledger.secrets import MemorySecretStore
from tests.conftest import OFFICE, PASSWORD, USER, fixed_now
from tests.fakes.catalogs import FEE, paid_catalog
from tests.fakes.devices import TEST_DEVICE, TEST_DEVICE_ID


def make_services(city: EmbeddedServer, data: Path, username: str, password: str) -> Iterator[Services]:
    enrolled = Enrolment(city.url, TEST_DEVICE_ID, "test counter", OFFICE, fixed_now())
    s = build_services(
        data, enrolled, TEST_DEVICE, Credentials(username, password), MemorySecretStore(), practice=True, now=fixed_now
    )
    yield s
    s.client.close()
    s.ledger.close()


@pytest.fixture(autouse=True)
def own_layouts(tmp_path: Path) -> None:
    """Each test's windows remember their layout in the test's own folder, never in the user's."""
    keep_layouts_in(tmp_path / "layouts")


@pytest.fixture
def services(city: EmbeddedServer, tmp_path: Path) -> Iterator[Services]:
    """The window's services, signed in as the test clerk on the test device."""
    yield from make_services(city, tmp_path / "data", USER, PASSWORD)


class Dialogs:
    """Scripted answers for the confirmation and override dialogs, with a record of what was asked."""

    def __init__(self) -> None:
        self.questions: list[str] = []
        self.override: tuple[str, str, str] | None = None
        self.supervisor: tuple[str, str, str] | None = None
        self.closure: ClosureAnswer | None = None
        self.file: Path | None = None
        self.printed: list[Path] = []
        self.answer = True
        self.note: str | None = None

    def confirm(self, _parent: QWidget, _title: str, question: str) -> bool:
        self.questions.append(question)
        return self.answer

    def ask_override(self, _parent: QWidget, failed: list[str]) -> tuple[str, str, str] | None:
        self.questions.append("override: " + "；".join(failed))
        return self.override

    def ask_supervisor(
        self, _parent: QWidget, title: str, prompt: str, _with_reason: bool
    ) -> tuple[str, str, str] | None:
        self.questions.append(f"{title}: {prompt}")
        return self.supervisor

    def ask_closure(self, _parent: QWidget, today: date) -> ClosureAnswer | None:
        self.questions.append(f"closure on {today.isoformat()}")
        return self.closure

    def ask_note(self, _parent: QWidget, about: str) -> str | None:
        self.questions.append(f"note: {about}")
        return self.note

    def choose_file(self, _parent: QWidget) -> Path | None:
        self.questions.append("choose file")
        return self.file

    def print_pdf(self, _parent: QWidget, path: Path) -> bool:
        """As if the clerk chose a printer in Qt's print dialog: the real page rendering, into a PDF file."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        out = path.with_name(f"printed-{len(self.printed)}.pdf")
        printer.setOutputFileName(str(out))
        self.printed.append(out)
        return render_to(printer, path)


@pytest.fixture
def dialogs() -> Dialogs:
    return Dialogs()


@pytest.fixture
def open_window(qtbot: QtBot, services: Services, dialogs: Dialogs) -> Iterator[Callable[[], MainWindow]]:
    """Opens the real main window on `services` as they are when called (tests may adjust them first)."""
    made: list[MainWindow] = []

    def make() -> MainWindow:
        runner = TaskRunner()
        w = MainWindow(
            services,
            runner,
            confirm=dialogs.confirm,
            override_dialog=dialogs.ask_override,
            supervisor_dialog=dialogs.ask_supervisor,
            closure_dialog=dialogs.ask_closure,
            note_dialog=dialogs.ask_note,
            printer=dialogs.print_pdf,
            choose_file=dialogs.choose_file,
        )
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        qtbot.waitUntil(lambda: not runner.busy)
        made.append(w)
        return w

    yield make
    for w in made:
        qtbot.waitUntil(lambda w=w: not w.runner.busy)  # type: ignore[misc]
        w.runner.shutdown()


@pytest.fixture
def window(open_window: Callable[[], MainWindow]) -> MainWindow:
    return open_window()


def paid_window(
    services: Services,
    open_window: Callable[[], MainWindow],
    fee: int = FEE,
    waivers: tuple[tuple[str, str, str], ...] = (),
) -> MainWindow:
    """The window on a catalog where 敬老愛心卡 (SW-05) charges `fee` (with the 免徵 grounds `waivers`)."""
    catalog = paid_catalog(fee, waivers)
    services.catalog = catalog
    services.intake.catalog = catalog
    return open_window()


def type_text(qtbot: QtBot, widget: QWidget, value: str) -> None:
    """Type as a clerk: keys for ASCII, an input-method commit for Chinese (keyClicks cannot send non-ASCII)."""
    widget.setFocus()
    if value.isascii():
        qtbot.keyClicks(widget, value)
    else:
        event = QInputMethodEvent()
        event.setCommitString(value)
        QApplication.sendEvent(widget, event)


def fill(
    qtbot: QtBot, w: MainWindow, person: Resident, fields: dict[str, str], consent: bool = True, name: str | None = None
) -> None:
    """Fill the applicant page by keyboard, moving on with Enter as a clerk would."""
    form = w.intake.form
    type_text(qtbot, form.id_edit, person.national_id.lower())  # lower case is normalised
    qtbot.keyClick(form.id_edit, Qt.Key.Key_Return)
    assert form.name_edit.hasFocus()
    type_text(qtbot, form.name_edit, name or person.name)
    qtbot.keyClick(form.name_edit, Qt.Key.Key_Return)
    type_text(qtbot, form.birth_edit, format_roc_compact(person.birth_date))
    for key, value in fields.items():
        editor = form.editors[key]
        if isinstance(editor, QComboBox):
            editor.setFocus()
            editor.setCurrentIndex(editor.findData(value))
        else:
            assert isinstance(editor, QLineEdit)
            type_text(qtbot, editor, value)
    form.consent_box.setFocus()
    if consent:
        qtbot.keyClick(form.consent_box, Qt.Key.Key_Space)


def settle(qtbot: QtBot, w: MainWindow) -> None:
    """Wait for the window's operations (and the views' reads they trigger) to finish."""
    qtbot.waitUntil(lambda: not w.runner.busy, timeout=10_000)


def verify(qtbot: QtBot, w: MainWindow) -> None:
    qtbot.keyClick(w.intake.form.consent_box, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: w.intake.step == 1 or bool(w.intake.message_label.text()), timeout=10_000)
    qtbot.waitUntil(lambda: not w.runner.busy, timeout=10_000)


def accept(qtbot: QtBot, w: MainWindow) -> tuple[SavedCase, Path]:
    """From the result page: Enter to the documents page, Ctrl+Enter to accept; returns the saved case."""
    wizard = w.intake
    assert wizard.step == 1 and wizard.next_button.hasFocus()
    qtbot.keyClick(wizard.next_button, Qt.Key.Key_Return)
    assert wizard.step == 2 and wizard.owed_list.hasFocus()  # the documents are read first
    qtbot.keyClick(wizard.owed_list, Qt.Key.Key_Return)  # Enter alone accepts nothing
    assert wizard.step == 2
    saved: list[tuple[SavedCase, Path]] = []
    wizard.case_saved.connect(lambda case, path: saved.append((case, path)))
    qtbot.keyClick(wizard.owed_list, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(saved), timeout=10_000)
    assert wizard.step == 3
    return saved[0]


def table_count(services: Services, table: str) -> int:
    with sqlite3.connect(services.ledger.path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def today() -> date:
    return fixed_now().date()
