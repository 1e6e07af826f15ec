"""The supervisor's credentials at a clerk's desk (override, void, day sign-off): name, password and, when the
action needs one, a written reason. The password goes to the check and is never stored.

Finished by keyboard: Enter moves from name to password (to the reason, or submits), Tab leaves the reason box,
Ctrl+Enter submits from anywhere. A reason that says too little is said in the dialog, which stays open with what
was typed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from desktop.views.dialog_parts import problem_label, submit_buttons
from desktop.views.screen import fit_dialog
from forms.errors import ValidationError
from forms.messages import text
from forms.reasons import checked_reason

# (parent, title, what is being approved, ask for a reason) -> (supervisor, password, reason) or None
AskSupervisor = Callable[[QWidget, str, str, bool], "tuple[str, str, str] | None"]


class SupervisorDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, prompt: str, with_reason: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.with_reason = with_reason
        layout = QFormLayout(self)
        message = QLabel(prompt)
        message.setObjectName("supervisor_prompt")
        message.setWordWrap(True)
        layout.addRow(message)
        self.user, self.password, self.reason = QLineEdit(), QLineEdit(), QPlainTextEdit()
        self.user.setAccessibleName("主管帳號")
        self.password.setAccessibleName("主管密碼")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason.setAccessibleName("理由")
        self.reason.setTabChangesFocus(True)  # Tab leaves the box; a reason needs no tab characters
        self.reason.setPlaceholderText("寫明理由（Ctrl+Enter 送出）")
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 4)
        layout.addRow("主管帳號", self.user)
        layout.addRow("密碼", self.password)
        if with_reason:
            layout.addRow("理由", self.reason)
        self.problem = problem_label("supervisor_problem")
        layout.addRow(self.problem)
        layout.addRow(submit_buttons(self, "確認", self.submit))
        self.user.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.reason.setFocus if with_reason else self.submit)
        self.answer: tuple[str, str, str] | None = None
        fit_dialog(self, 460)

    def submit(self) -> None:
        """Accept only with a name, a password and (when asked) a reason that says enough; otherwise say what is
        missing and keep everything typed."""
        if not self.user.text().strip():
            return self._missing("請輸入主管帳號。", self.user)
        if not self.password.text():
            return self._missing("請輸入密碼。", self.password)
        reason = self.reason.toPlainText()
        if self.with_reason:
            try:
                reason = checked_reason(reason)
            except ValidationError as exc:
                return self._missing(text(exc.code, **exc.params), self.reason)
        self.answer = (self.user.text().strip(), self.password.text(), reason)
        self.accept()

    def _missing(self, words: str, field: QWidget) -> None:
        self.problem.setText(words)
        field.setFocus()


def ask_supervisor(parent: QWidget, title: str, prompt: str, with_reason: bool = True) -> tuple[str, str, str] | None:
    dialog = SupervisorDialog(parent, title, prompt, with_reason)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.answer
