"""First start of a PC in production: the city server's address and the one-time enrolment code a supervisor (or
the city's IT staff) made for this PC. The enrolment runs in the background; messages in Traditional Chinese."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from desktop.tasks import TaskRunner
from desktop.views.errors import describe


class EnrolDialog(QDialog):
    """`attempt(server, code)` runs on a worker and returns (Enrolment, DeviceIdentity), or raises."""

    def __init__(
        self,
        runner: TaskRunner,
        attempt: Callable[[str, str], Any],
        server: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Counterdesk 設備登記")
        self._runner = runner
        self._attempt = attempt
        self.result_value: Any = None
        intro = QLabel(
            "這台電腦尚未向市府登記。請輸入市府伺服器網址，以及主管或資訊人員提供的一次性登記碼"
            "（例：ABCD-EFGH-JKMN，限用一次，逾時失效）。"
        )
        intro.setWordWrap(True)
        self.server_edit = QLineEdit(server)
        self.server_edit.setObjectName("enrol_server")
        self.server_edit.setPlaceholderText("https://city.example.gov.tw")
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("enrol_code")
        self.code_edit.setMaxLength(20)
        self.message = QLabel("")
        self.message.setObjectName("enrol_message")
        self.message.setStyleSheet("color: #b3261e;")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登記")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("離開")
        self.buttons.accepted.connect(self.on_enrol)
        self.buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow(intro)
        layout.addRow("市府伺服器", self.server_edit)
        layout.addRow("登記碼", self.code_edit)
        layout.addRow(self.message)
        layout.addRow(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        (self.code_edit if self.server_edit.text() else self.server_edit).setFocus()

    def on_enrol(self) -> None:
        server, code = self.server_edit.text().strip(), self.code_edit.text().strip()
        if not server or not code:
            self.message.setText("請輸入市府伺服器網址與登記碼。")
            return
        self.buttons.setEnabled(False)
        self.message.setText("登記中…")
        self._runner.run("net", lambda: self._attempt(server, code), self._enrolled, self._failed, owner=self)

    def _enrolled(self, value: Any) -> None:
        self.result_value = value
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.code_edit.setFocus()
        self.message.setText(describe(exc, "無法登記"))
