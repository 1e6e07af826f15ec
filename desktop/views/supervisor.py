"""The supervisor's credentials at a clerk's desk (override, void, day sign-off): name, password and, when the
action needs one, a written reason. The password goes to the check and is never stored."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

# (parent, title, what is being approved, ask for a reason) -> (supervisor, password, reason) or None
AskSupervisor = Callable[[QWidget, str, str, bool], "tuple[str, str, str] | None"]


def ask_supervisor(parent: QWidget, title: str, prompt: str, with_reason: bool = True) -> tuple[str, str, str] | None:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    layout = QFormLayout(dialog)
    message = QLabel(prompt)
    message.setWordWrap(True)
    layout.addRow(message)
    user, password, reason = QLineEdit(), QLineEdit(), QPlainTextEdit()
    password.setEchoMode(QLineEdit.EchoMode.Password)
    layout.addRow("主管帳號", user)
    layout.addRow("密碼", password)
    if with_reason:
        layout.addRow("理由", reason)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addRow(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return user.text(), password.text(), reason.toPlainText()
