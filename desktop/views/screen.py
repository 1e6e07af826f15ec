"""Windows that fit the screen they open on (a counter PC is often 1366×768, at 125 % or 150 %)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QWidget

PREFERRED = QSize(1280, 800)  # the main window where the screen has room for it
FRAME = QSize(40, 80)  # what a title bar, a task bar and the frame take around it


def fit_to_screen(widget: QWidget, preferred: QSize = PREFERRED) -> None:
    """The preferred size where the screen has room; otherwise the screen's whole room, maximised."""
    screen = widget.screen() or QApplication.primaryScreen()
    room = screen.availableGeometry() if screen is not None else None
    if room is not None and (
        room.width() < preferred.width() + FRAME.width() or room.height() < preferred.height() + FRAME.height()
    ):
        widget.resize(room.size())
        widget.setWindowState(widget.windowState() | Qt.WindowState.WindowMaximized)
    else:
        widget.resize(preferred)
