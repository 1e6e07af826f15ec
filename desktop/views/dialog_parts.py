"""What every Counterdesk dialog ends with: a red line for what is wrong, and OK / Cancel where Ctrl+Enter is OK
(Enter stays with the field, so a reason can have several lines and a typed figure is not sent by accident)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel


def problem_label(name: str) -> QLabel:
    """The line under the fields that says, in red, why the dialog cannot be finished yet."""
    problem = QLabel("")
    problem.setObjectName(name)
    problem.setWordWrap(True)
    problem.setStyleSheet("color: #b3261e;")
    return problem


def submit_buttons(dialog: QDialog, ok_text: str, submit: Callable[[], None]) -> QDialogButtonBox:
    """OK (named `ok_text`, also Ctrl+Enter) calls `submit`, which accepts when it may; Cancel (Esc) rejects."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(f"{ok_text} (Ctrl+Enter)")
    ok.setAutoDefault(False)
    buttons.accepted.connect(submit)
    buttons.rejected.connect(dialog.reject)
    for keys in ("Ctrl+Return", "Ctrl+Enter"):
        QShortcut(QKeySequence(keys), dialog).activated.connect(submit)
    return buttons
