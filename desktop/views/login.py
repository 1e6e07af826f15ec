"""The log-in screen (production mode): user name and password, signed in online or against the cached hash,
in the background; messages in Traditional Chinese; the password is dropped once signed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from desktop.tasks import TaskRunner
from desktop.views.errors import describe


class LoginDialog(QDialog):
    """`attempt(username, password)` runs on a worker and returns the signed-in services, or raises."""

    def __init__(
        self, runner: TaskRunner, attempt: Callable[[str, str], Any], username: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Counterdesk 登入")
        self._runner = runner
        self._attempt = attempt
        self.result_value: Any = None
        self.user_edit = QLineEdit(username)
        self.user_edit.setObjectName("login_user")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("login_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        self.message.setObjectName("login_message")
        self.message.setStyleSheet("color: #b3261e;")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登入")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("離開")
        self.buttons.accepted.connect(self.on_login)
        self.buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow("帳號", self.user_edit)
        layout.addRow("密碼", self.password_edit)
        layout.addRow(self.message)
        layout.addRow(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        # Focus where the clerk types next: the password when the user name is known.
        (self.password_edit if self.user_edit.text() else self.user_edit).setFocus()

    def on_login(self) -> None:
        username, password = self.user_edit.text().strip(), self.password_edit.text()
        if not username or not password:
            self.message.setText("請輸入帳號與密碼。")
            return
        self.buttons.setEnabled(False)
        self.message.setText("登入中…")
        self._runner.run("net", lambda: self._attempt(username, password), self._signed_in, self._failed, owner=self)

    def _signed_in(self, value: Any) -> None:
        self.result_value = value
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.password_edit.clear()
        self.password_edit.setFocus()
        self.message.setText(describe(exc, "無法登入"))
