"""Each clerk finds the window as they left it on this PC; another clerk gets the window fitted to the screen; a
layout that no longer fits the screen is not restored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QSize

from cityserver.embedded import EmbeddedServer
from desktop.bootstrap import Services
from desktop.main_window import MainWindow
from desktop.tasks import TaskRunner
from desktop.views.screen import room_of
from tests.conftest import SUPERVISOR, SUPERVISOR_PASSWORD, USER
from tests.desktop.conftest import Dialogs, make_services


def test_the_window_opens_as_its_clerk_left_it(
    qtbot: QtBot, services: Services, open_window: Callable[[], MainWindow]
) -> None:
    first = open_window()
    first.showNormal()
    first.resize(QSize(700, 520))
    first.counter_splitter.setSizes([230, 300, 170])
    qtbot.waitUntil(lambda: first.width() == 700)
    columns = first.counter_splitter.sizes()
    first.close()

    again = open_window()
    again.restore_layout()
    assert (again.width(), again.height()) == (700, 520)
    assert again.counter_splitter.sizes() == columns
    assert services.intake.clerk == USER


def test_another_clerk_gets_the_window_fitted_to_the_screen(
    qtbot: QtBot, city: EmbeddedServer, tmp_path: Path, open_window: Callable[[], MainWindow]
) -> None:
    first = open_window()
    first.showNormal()
    first.resize(QSize(700, 520))
    qtbot.waitUntil(lambda: first.width() == 700)
    first.close()
    made = make_services(city, tmp_path / "chief", SUPERVISOR, SUPERVISOR_PASSWORD)
    chief = next(made)
    runner = TaskRunner()
    window = MainWindow(chief, runner, confirm=Dialogs().confirm)
    qtbot.addWidget(window)
    window.restore_layout()
    room = room_of(window)
    assert room is not None and (window.width(), window.height()) != (700, 520)
    assert window.width() <= room.width() and window.height() <= room.height()
    qtbot.waitUntil(lambda: not runner.busy)
    runner.shutdown()
    next(made, None)  # closes the chief's ledger and client


def test_a_layout_larger_than_this_screen_is_not_restored(qtbot: QtBot, open_window: Callable[[], MainWindow]) -> None:
    first = open_window()
    room = room_of(first)
    assert room is not None
    first.showNormal()
    first.resize(QSize(room.width() + 300, room.height() + 200))  # as on the docking station's large screen
    qtbot.waitUntil(lambda: first.width() > room.width())
    first.close()
    again = open_window()
    again.restore_layout()
    assert again.width() <= room.width() and again.height() <= room.height()
