"""Start-up: a window at once, then the full window in its place once the services are built; a failure to
build them is said in the window, in Traditional Chinese."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QApplication

from desktop.bootstrap import Services
from desktop.launch import Launch
from desktop.main_window import MainWindow
from forms.errors import DomainError


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
