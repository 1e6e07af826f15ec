"""One step on a case the office decides: for 駁回 the reason the applicant is told; for 補件 what is to be brought
(one per line) and by when; for 審核中 / 核准 an optional note. The rules are forms.casesteps' (asked through
`check`); this only asks, and keeps what was typed when something is missing.

Finished by keyboard: Tab leaves the text boxes, Ctrl+Enter submits from anywhere, Esc cancels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from desktop.views.dialog_parts import problem_label, submit_buttons
from desktop.views.screen import fit_dialog
from forms.casesteps import REJECTED, SUPPLEMENT, Step
from forms.errors import ValidationError
from forms.messages import text
from forms.rocdate import format_roc_slash, parse_date


@dataclass(frozen=True)
class StepRequest:
    """What the dialog is asked: the step, about which case, what to offer, and the rule to check with."""

    status: str
    about: str  # 案件編號 and service, as the page shows them
    owed: tuple[str, ...] = ()  # offered for a 補件: the paper still owed at intake
    owed_by: date | None = None  # offered for a 補件: this office's 補正期限 from today
    check: Callable[[Step], Step] = lambda step: step


# (parent, request) -> the step to record, or None
AskStep = Callable[[QWidget, StepRequest], "Step | None"]
NOTE_LABELS = {REJECTED: "駁回理由（告知申請人）", SUPPLEMENT: "說明（可不填）"}


class StepDialog(QDialog):
    def __init__(self, parent: QWidget | None, request: StepRequest) -> None:
        super().__init__(parent)
        self.request = request
        self.setWindowTitle(f"案件處理：{request.status}")
        layout = QFormLayout(self)
        about = QLabel(request.about)
        about.setWordWrap(True)
        layout.addRow(about)
        self.note = QPlainTextEdit()
        self.note.setObjectName("step_note")
        self.note.setTabChangesFocus(True)
        self.note.setAccessibleName(NOTE_LABELS.get(request.status, "備註（可不填）"))
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 3 + 12)
        self.owed = QPlainTextEdit("\n".join(request.owed))
        self.owed.setObjectName("step_owed")
        self.owed.setTabChangesFocus(True)
        self.owed.setAccessibleName("應補文件（每行一項）")
        self.owed.setFixedHeight(self.owed.fontMetrics().lineSpacing() * 4 + 12)
        self.owed_by = QLineEdit(format_roc_slash(request.owed_by) if request.owed_by else "")
        self.owed_by.setObjectName("step_owed_by")
        self.owed_by.setAccessibleName("補正期限")
        self.owed_by.setPlaceholderText("民國年，例：115/12/20")
        if request.status == SUPPLEMENT:
            layout.addRow("應補文件（每行一項）", self.owed)
            layout.addRow("補正期限", self.owed_by)
        layout.addRow(NOTE_LABELS.get(request.status, "備註（可不填）"), self.note)
        self.problem = problem_label("step_problem")
        layout.addRow(self.problem)
        layout.addRow(submit_buttons(self, f"記錄「{request.status}」", self.submit))
        (self.owed if request.status == SUPPLEMENT else self.note).setFocus()
        self.answer: Step | None = None
        fit_dialog(self, 460)

    def submit(self) -> None:
        owed_by: date | None = None
        if self.request.status == SUPPLEMENT and self.owed_by.text().strip():
            try:
                owed_by = parse_date(self.owed_by.text())
            except ValidationError as exc:
                self.problem.setText(text(exc.code, **exc.params))
                self.owed_by.setFocus()
                return
        owed = tuple(self.owed.toPlainText().splitlines()) if self.request.status == SUPPLEMENT else ()
        try:
            self.answer = self.request.check(Step(self.request.status, self.note.toPlainText(), owed, owed_by))
        except ValidationError as exc:
            self.problem.setText(text(exc.code, **exc.params))
            return
        self.accept()


def ask_step(parent: QWidget, request: StepRequest) -> Step | None:
    dialog = StepDialog(parent, request)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.answer
