"""Start-up: a window at once, then the full window in its place once the services are built; a failure to
build them is said in the window, in Traditional Chinese."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QApplication

from cityserver.population import Resident
from desktop.bootstrap import Services, start_sandbox
from desktop.launch import Launch, practice, practice_rebuild
from desktop.main_window import MainWindow
from forms.errors import DomainError
from sync.city.push import push_pending
from tests.integration.test_recover import break_an_index
from tests.reliability.harness import make_cases


def test_the_startup_window_gives_way_to_the_main_window(qtbot: QtBot, services: Services) -> None:
    ready: list[MainWindow] = []
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    launch = Launch(app, lambda: services, on_ready=ready.append)
    qtbot.addWidget(launch.startup)
    assert launch.startup.isVisible()
    qtbot.waitUntil(lambda: bool(ready), timeout=15_000)
    window = ready[0]
    qtbot.addWidget(window)
    assert window.isVisible() and not launch.startup.isVisible()
    assert window.geometry() == launch.startup.geometry()
    qtbot.waitUntil(lambda: launch.runner is not None and not launch.runner.busy, timeout=10_000)
    assert launch.runner is not None
    launch.runner.shutdown()


def test_a_failed_start_is_said_in_the_window(qtbot: QtBot) -> None:
    def broken() -> Services:
        raise DomainError("db_too_new", revision="0099")

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    launch = Launch(app, broken)
    qtbot.addWidget(launch.startup)
    qtbot.waitUntil(lambda: "無法啟動" in launch.startup.label.text(), timeout=10_000)
    assert "較新版本" in launch.startup.label.text() and launch.window is None
    assert launch.runner is not None
    launch.runner.shutdown()


def test_a_damaged_practice_ledger_is_rebuilt_from_the_start_screen(
    qtbot: QtBot, tmp_path: Path, population: list[Resident]
) -> None:
    """The practice ledger's index page overwritten: the start screen says so and offers the rebuild; a supervisor
    rebuilds it from the sandbox city and the file's readable rows, and the window opens on the rebuilt ledger."""
    folder = tmp_path / "sandbox"
    services = start_sandbox(folder)
    make_cases(services.ledger, [r.national_id for r in population[:3]])
    push_pending(services.ledger, services.client)
    make_cases(services.ledger, [population[3].national_id])  # only this ledger has it
    services.close()
    break_an_index(folder / "ledger.db")

    ready: list[MainWindow] = []
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    launch = Launch(app, practice(folder), on_ready=ready.append, rebuild=practice_rebuild(folder))
    qtbot.addWidget(launch.startup)
    qtbot.waitUntil(lambda: launch.startup.rebuild_button.isVisible(), timeout=30_000)
    assert "本機帳本檔已損毀" in launch.startup.label.text()
    launch.startup.grab().save(str(Path(os.environ.get("COUNTERDESK_SHOTS", tmp_path)) / "startup-damaged.png"))
    launch.ask = lambda _parent: ("練習主管", "practice", "")  # type: ignore[method-assign]
    launch.startup.rebuild_button.click()
    qtbot.waitUntil(lambda: bool(ready), timeout=60_000)
    window = ready[0]
    qtbot.addWidget(window)
    assert launch.report[0] == "已自市府取回 3 件案件；自損毀檔案救回 1 件市府未持有的案件（其中 1 件待上傳）。"
    assert window.services.ledger.cases.count() == 4
    assert list(folder.glob("ledger-damaged-*/ledger.db"))
    qtbot.waitUntil(lambda: launch.runner is not None and not launch.runner.busy, timeout=10_000)
    assert launch.runner is not None
    launch.runner.shutdown()
    window.services.close()
