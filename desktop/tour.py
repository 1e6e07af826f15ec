"""Screenshots of every page and dialog at the size of the screen this process runs on, each checked for what a
person would not see whole (desktop.views.screen.cut_off). `counterdesk demo --screen 1366x768 --scale 1.5` runs it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from cityserver.population import Resident
from desktop.main_window import MainWindow, void_prompt
from desktop.paperwork import service_name
from desktop.tasks import TaskRunner, wait_idle
from desktop.views.cash_count_dialog import CashCountDialog
from desktop.views.closure import ClosureDialog
from desktop.views.enrol import EnrolDialog
from desktop.views.login import LoginDialog
from desktop.views.screen import cut_off
from desktop.views.step_dialog import StepDialog, StepRequest
from desktop.views.supervisor import SupervisorDialog
from desktop.views.sync_panel import note_dialog
from forms.rocdate import format_roc_slash


@dataclass(frozen=True)
class Shot:
    name: str
    path: Path
    problems: list[str]  # empty: nothing cut off


def settle(seconds: float = 0.3) -> None:
    """Let layouts and Qt's PDF view (it renders in the background) finish before a screenshot."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)


def shoot(widget: QWidget, out: Path, name: str, suffix: str) -> Shot:
    settle()
    path = out / f"{name}-{suffix}.png"
    widget.grab().save(str(path))
    return Shot(name, path, cut_off(widget))


def tour(
    window: MainWindow, runner: TaskRunner, out: Path, suffix: str, person: Resident, fields: dict[str, str]
) -> Iterator[Shot]:
    """One intake of SW-03 (the form with the most fields) page by page, then every other page and dialog."""
    out.mkdir(parents=True, exist_ok=True)
    wizard, form = window.intake, window.intake.form
    window.show_sync_page(False)
    window.service_list.choose("SW-03")
    wizard.clear()
    form.id_edit.setText(person.national_id)
    form.name_edit.setText(person.name)
    form.birth_edit.setText(format_roc_slash(person.birth_date))
    for key, value in fields.items():
        form.set_value(key, value)
    form.consent_box.setChecked(True)
    yield shoot(window, out, "intake-applicant", suffix)
    wizard.on_verify_clicked()
    wait_idle(runner)
    yield shoot(window, out, "intake-result", suffix)
    wizard.on_next_clicked()
    yield shoot(window, out, "intake-documents", suffix)
    wizard.on_accept_clicked()
    wait_idle(runner)
    yield shoot(window, out, "intake-done", suffix)
    window.show_sync_page(True)
    yield shoot(window, out, "sync", suffix)
    window.show_sync_page(False)
    window.idle_lock.lock()
    yield shoot(window, out, "lock", suffix)
    window.idle_lock.hide()

    for name, open_page in (
        ("dayclose", window.close_day),
        ("review", window.open_review),
        ("devices", window.open_devices),
        ("cases", window.open_cases),
        ("officeday", window.open_office_day),
    ):
        open_page()
        wait_idle(runner)
        page = getattr(window, f"{name}_page")
        if page is not None:
            yield shoot(page, out, name, suffix)
            page.close()

    services = window.services
    case = services.ledger.cases.recent(1)[0]
    prompt = void_prompt(case, service_name(services.catalog, case.service_code), closed=False)
    dialogs: list[tuple[str, QWidget]] = [
        ("dialog-void", SupervisorDialog(window, "收據作廢", prompt, True)),
        (
            "dialog-override",
            SupervisorDialog(window, "主管核准受理", "不符條件：\n✘ 年滿65歲（64歲，115年3月2日起符合）"),
        ),
        ("dialog-closure", ClosureDialog(window, services.today())),
        (
            "dialog-step",
            StepDialog(
                window, StepRequest("補件", f"{case.case_number}　敬老愛心卡", ("最近6個月2吋照片",), services.today())
            ),
        ),
        ("dialog-note", note_dialog(window, f"案件 {case.case_number}（{case.id_masked}）")),
        ("dialog-pieces", CashCountDialog(window, "clerk01", 1_350, ((1000, 1), (100, 3), (50, 1)))),
        ("dialog-login", LoginDialog(runner, lambda _u, _p: None, "clerk01")),
        ("dialog-enrol", EnrolDialog(runner, lambda _s, _c: None, "https://city.example.gov.tw")),
    ]
    for name, dialog in dialogs:
        dialog.show()
        yield shoot(dialog, out, name, suffix)
        dialog.close()
        dialog.deleteLater()
