"""Every interactive widget of the main window can be told apart by a screen reader: it has an accessible name, or
(a button) a text of its own. Qt's own inner parts (scroll-bar corners, headers, a toolbar's overflow arrow) are
left to Qt."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from desktop.main_window import MainWindow

KINDS = (QAbstractButton, QAbstractItemView, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit)


def _qt_own(widget: QWidget) -> bool:
    """Parts Qt builds inside its own widgets (named qt_*, headers, a combo's popup list, a line edit's clear
    button), which its accessibility layer names itself."""
    parent = widget.parentWidget()
    grandparent = parent.parentWidget() if parent is not None else None
    return (
        widget.objectName().startswith("qt_")
        or isinstance(widget, QHeaderView)
        or isinstance(parent, QComboBox | QLineEdit)
        or isinstance(grandparent, QComboBox)  # a combo's popup list, inside its container frame
    )


def unnamed(top: QWidget) -> list[str]:
    found = []
    for kind in KINDS:
        for widget in top.findChildren(kind):
            if _qt_own(widget) or widget.accessibleName():
                continue
            if isinstance(widget, QAbstractButton) and widget.text().strip():
                continue
            found.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return sorted(set(found))


def test_every_interactive_widget_of_the_window_is_named(window: MainWindow) -> None:
    window.intake.set_service(window.services.catalog.get("SW-03"))  # a service with choices and optional fields
    assert unnamed(window) == []
