"""Windows that fit the screen they open on (a counter PC is often 1366×768, at 125 % or 150 %), and the check that
finds what does not fit (the demo's screenshots and the window tests use it)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QScrollArea,
    QWidget,
)

PREFERRED = QSize(1280, 800)  # the main window where the screen has room for it
FRAME = QSize(40, 80)  # what a title bar, a task bar and the frame take around it


def room_of(widget: QWidget) -> QRect | None:
    screen = widget.screen() or QApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else None


def fit_to_screen(widget: QWidget, preferred: QSize = PREFERRED) -> None:
    """The preferred size where the screen has room; otherwise the screen's whole room, maximised."""
    room = room_of(widget)
    if room is not None and (
        room.width() < preferred.width() + FRAME.width() or room.height() < preferred.height() + FRAME.height()
    ):
        widget.resize(room.size())
        widget.setWindowState(widget.windowState() | Qt.WindowState.WindowMaximized)
    else:
        widget.resize(preferred)


def fit_dialog(dialog: QWidget, width: int) -> None:
    """A dialog as wide as its text wants to wrap readably, never wider or taller than the screen's room."""
    room = room_of(dialog)
    if room is None:
        dialog.setMinimumWidth(width)
        return
    dialog.setMinimumWidth(min(width, room.width() - FRAME.width()))
    dialog.setMaximumSize(room.size() - FRAME)


def scrolling(content: QWidget, name: str) -> QScrollArea:
    """`content` in a frameless scroll area that widens it to the area (it scrolls up and down only, as long as
    the content wraps: cut_off reports sideways scrolling)."""
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area


def fit_rows(view: QListWidget, least: int = 1) -> None:
    """A short list as tall as its rows (at least `least`), so the page below it stays in sight on a short
    screen; the page's own scroll area takes care of a long one."""
    rows = max(view.count(), least)
    height = sum(view.sizeHintForRow(i) for i in range(view.count())) or view.fontMetrics().height() * rows
    view.setFixedHeight(height + 2 * view.frameWidth() + 4)


CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QLabel)


def cut_off(top: QWidget) -> list[str]:
    """What a person would not see whole in `top` as it is laid out now: the window larger than the screen's
    room, a visible control partly outside the window (scroll areas excepted: scrolling reaches their content),
    or a control squeezed below the size its own text needs, or a page that must be scrolled sideways.
    Empty: everything fits."""
    problems = []
    room = room_of(top)
    if room is not None and (top.width() > room.width() or top.height() > room.height()):
        problems.append(f"window {top.width()}×{top.height()} > screen {room.width()}×{room.height()}")
    for area in top.findChildren(QScrollArea):
        if area.isVisibleTo(top) and area.horizontalScrollBar().isVisible():
            problems.append(f"{area.objectName() or 'scroll area'}: content wider than the window (sideways scrolling)")
    inside = top.rect()
    for child in top.findChildren(QWidget):
        if not child.isVisibleTo(top) or _scrolled(child, top) or not isinstance(child, CONTROLS):
            continue
        name = child.objectName() or child.accessibleName() or _words(child) or type(child).__name__
        where = QRect(child.mapTo(top, child.rect().topLeft()), child.size())
        if not inside.contains(where):
            problems.append(f"{name}: outside the window ({where.x()},{where.y()} {where.width()}×{where.height()})")
        elif _squeezed(child):
            problems.append(f"{name}: squeezed to {child.width()}×{child.height()}")
    return problems


def _scrolled(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and area.viewport() is parent:
            return True
        parent = area
    return False


def _squeezed(widget: QWidget) -> bool:
    need = widget.minimumSizeHint()
    if isinstance(widget, QLabel) and not widget.text():
        return False  # nothing to read yet
    if isinstance(widget, QLabel) and widget.wordWrap():
        return widget.height() < min(need.height(), widget.fontMetrics().height())
    return widget.width() < need.width() - 1 or widget.height() < need.height() - 1


def _words(widget: QWidget) -> str:
    words = widget.text() if isinstance(widget, QLabel | QAbstractButton) else ""
    return words[:20]
