"""The log-in screen (production mode): user name and password, signed in online or against the cached hash,
in the background; messages in Traditional Chinese; the password is dropped once signed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton, QWidget

from desktop.tasks import TaskRunner
from desktop.views.errors import describe


class LoginDialog(QDialog):
    """`attempt(username, password)` runs on a worker and returns the signed-in services, or raises.
    `rebuild(username, password)`, when given, rebuilds a damaged ledger from the city (a supervisor's account) and
    returns the report's lines; its button shows only when signing in failed on a damaged ledger."""

    def __init__(
        self,
        runner: TaskRunner,
        attempt: Callable[[str, str], Any],
        username: str = "",
        parent: QWidget | None = None,
        rebuild: Callable[[str, str], list[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._rebuild = rebuild
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
        self.setMinimumWidth(440)  # long messages (a damaged ledger) wrap to a readable width
        layout = QFormLayout(self)
        layout.addRow("帳號", self.user_edit)
        layout.addRow("密碼", self.password_edit)
        self.rebuild_button = QPushButton("以上方主管帳號自市府重建帳本…")
        self.rebuild_button.setObjectName("login_rebuild")
        self.rebuild_button.setVisible(False)
        self.rebuild_button.clicked.connect(self.on_rebuild)
        layout.addRow(self.message)
        layout.addRow(self.rebuild_button)
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
        from desktop.launch import REBUILD_CODES

        self.buttons.setEnabled(True)
        self.password_edit.clear()
        self.password_edit.setFocus()
        self.message.setText(describe(exc, "無法登入"))
        self.rebuild_button.setVisible(self._rebuild is not None and getattr(exc, "code", None) in REBUILD_CODES)
        self._fit()  # the whole message in sight, at any scale

    def _fit(self) -> None:
        """Grow to show the whole (wrapped) message: a form layout does not ask a wrapped label for its height."""
        needed = self.message.heightForWidth(max(self.message.width(), 1))
        self.message.setMinimumHeight(max(needed, 0))
        self.adjustSize()

    def on_rebuild(self) -> None:
        rebuild = self._rebuild
        username, password = self.user_edit.text().strip(), self.password_edit.text()
        if rebuild is None or not username or not password:
            self.message.setText("請輸入主管帳號與密碼，再按重建。")
            return
        self.buttons.setEnabled(False)
        self.rebuild_button.setEnabled(False)
        self.message.setText("正在自市府重建帳本…")
        self._runner.run("net", lambda: rebuild(username, password), self._rebuilt, self._rebuild_failed, owner=self)

    def _rebuilt(self, lines: list[str]) -> None:
        self.buttons.setEnabled(True)
        self.rebuild_button.setVisible(False)
        self.password_edit.clear()
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText("帳本已重建：\n" + "\n".join(lines) + "\n請再登入。")
        self._fit()

    def _rebuild_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.rebuild_button.setEnabled(True)
        self.message.setText("重建帳本失敗：" + describe(exc))
        self._fit()
