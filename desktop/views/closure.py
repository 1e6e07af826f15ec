"""停止上班登錄: a supervisor enters a closure the city announced (a typhoon day): the day, for this office or the
whole city, and the announcement it comes from. Parsing and rules live in forms/ and sync/; this only asks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from desktop.views.screen import fit_dialog
from forms.errors import ValidationError
from forms.messages import text
from forms.rocdate import format_roc, format_roc_slash, parse_date
from sync.services.closures import ClosureOutcome

SCOPES = {"office": "本所", "city": "全市（依市府公告）"}
REFERENCE_NAMES = {"calendar": "辦公日曆", "thresholds": "最低生活費等標準"}


@dataclass(frozen=True)
class ClosureAnswer:
    day: date
    scope: str
    announcement: str


# (parent, today) -> the closure to declare, or None
AskClosure = Callable[[QWidget, date], "ClosureAnswer | None"]


class ClosureDialog(QDialog):
    def __init__(self, parent: QWidget | None, today: date) -> None:
        super().__init__(parent)
        self.setWindowTitle("停止上班登錄")
        layout = QFormLayout(self)
        intro = QLabel(
            "依市府公告登錄停止上班日（如颱風）。登錄後各設備之未結案件處理期限將依行政程序法第48條重新計算。"
        )
        intro.setWordWrap(True)
        layout.addRow(intro)
        self.day_edit = QLineEdit(format_roc_slash(today))
        self.day_edit.setAccessibleName("停止上班日")
        self.scope = QComboBox()
        self.scope.setAccessibleName("範圍")
        for key, label in SCOPES.items():
            self.scope.addItem(label, key)
        self.announcement = QLineEdit()
        self.announcement.setAccessibleName("公告依據")
        self.announcement.setPlaceholderText("例：桃園市政府 115年8月1日 颱風停止上班公告")
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b3261e;")
        layout.addRow("停止上班日", self.day_edit)
        layout.addRow("範圍", self.scope)
        layout.addRow("公告依據", self.announcement)
        layout.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)
        self.answer: ClosureAnswer | None = None
        fit_dialog(self, 480)  # the announcement line shows its example whole

    def submit(self) -> None:
        try:
            day = parse_date(self.day_edit.text())
        except ValidationError as exc:
            self.problem.setText(text(exc.code, **exc.params))
            self.day_edit.setFocus()
            return
        self.answer = ClosureAnswer(day, str(self.scope.currentData()), self.announcement.text().strip())
        self.accept()


def ask_closure(parent: QWidget, today: date) -> ClosureAnswer | None:
    dialog = ClosureDialog(parent, today)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.answer


def closure_text(outcome: ClosureOutcome) -> str:
    """停止上班 115年8月1日（全市）：3 件處理期限順延."""
    days = "、".join(f"{format_roc(c.day)}（{'全市' if c.scope == 'city' else '本所'}）" for c in outcome.closures)
    return f"停止上班 {days}：{len(outcome.moved)} 件未結案件處理期限順延"
