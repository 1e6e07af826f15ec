"""One owner per key: every action and shortcut of the main window is walked, and a key sequence claimed twice
fails — Qt fires neither when two claim it (Ctrl+P did nothing anywhere, found at the counter). Ctrl+P then prints
from the intake page."""

from __future__ import annotations

from collections import defaultdict

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtWidgets import QWidget

from desktop.main_window import MainWindow


def claims(top: QWidget) -> dict[str, list[str]]:
    """Key sequence → who claims it, for the widgets of one top-level window."""
    found: dict[str, list[str]] = defaultdict(list)
    actions = {id(a): a for a in [*top.findChildren(QAction), *top.actions()]}  # an action may be in both
    for action in actions.values():
        for key in action.shortcuts():
            found[key.toString()].append(f"action {action.text()!r}")
    for shortcut in top.findChildren(QShortcut):
        if not shortcut.key().isEmpty():
            found[shortcut.key().toString()].append(f"shortcut of {type(shortcut.parent()).__name__}")
    return dict(found)


def test_no_key_is_claimed_twice_in_the_main_window(window: MainWindow) -> None:
    taken = claims(window)
    assert taken, "no shortcuts found"
    clashes = {key: who for key, who in taken.items() if len(who) > 1}
    assert clashes == {}
    for key in ("Ctrl+P", "Ctrl+Shift+P", "F9", "F8", "Ctrl+D", "Ctrl+F", "F5", "Ctrl+Return"):
        assert key in taken, key


def test_ctrl_p_on_the_intake_page_prints(qtbot: QtBot, window: MainWindow) -> None:
    """Ctrl+P typed in the intake form reaches the window's print action (before, two owners: nothing fired)."""
    fired: list[bool] = []
    window.print_action.triggered.disconnect()
    window.print_action.triggered.connect(lambda: fired.append(True))
    window.intake.form.id_edit.setFocus()
    qtbot.keyClick(window.intake.form.id_edit, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert fired == [True]
