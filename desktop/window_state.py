"""Each clerk's window as they left it on this PC (size, place, toolbar, the counter's column widths), in the
platform's per-user configuration folder (an INI file through QSettings: %APPDATA% on Windows, ~/.config on Linux)
— never in the ledger, which holds the office's records, not anyone's layout. `keep_layouts_in` moves the file (the
demo and the tests keep theirs apart from the user's)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

from desktop.views.screen import room_of

ORGANISATION, APPLICATION = "Counterdesk", "counterdesk"


def _settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def keep_layouts_in(folder: Path) -> None:
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


def _group(user: str) -> str:
    return "window/" + user.encode().hex()  # a user name may hold characters QSettings reads as structure


def save_layout(window: QMainWindow, splitter: QSplitter, user: str) -> None:
    settings = _settings()
    settings.beginGroup(_group(user))
    settings.setValue("geometry", window.saveGeometry())
    settings.setValue("state", window.saveState())
    settings.setValue("columns", splitter.saveState())
    settings.endGroup()
    settings.sync()


def restore_layout(window: QMainWindow, splitter: QSplitter, user: str) -> bool:
    """The user's last layout, if there is one and it fits the screen the window is on now (a laptop taken from a
    docking station keeps the size it was fitted to). Returns whether it was restored."""
    settings = _settings()
    settings.beginGroup(_group(user))
    geometry, state, columns = (settings.value(key) for key in ("geometry", "state", "columns"))
    settings.endGroup()
    if not isinstance(geometry, QByteArray) or not window.restoreGeometry(geometry):
        return False
    room = room_of(window)
    if room is not None and (window.width() > room.width() or window.height() > room.height()):
        return False  # the caller fits it to this screen instead
    if isinstance(state, QByteArray):
        window.restoreState(state)
    if isinstance(columns, QByteArray):
        splitter.restoreState(columns)
    return True
