"""到件登錄: the paper another office sent on with a 跨區收件 case. Each paper not yet here is a tick (Space
toggles: ☑ 已到件); the others stay 寄送中, or — with 「未勾選者登錄為未到件」 and why — are marked 未到件 for the
receiving office to follow up. The rule is forms.transit's (asked through `check`); this only asks.

Finished by keyboard: Space ticks, Tab moves on, Ctrl+Enter records, Esc cancels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.views.dialog_parts import problem_label, submit_buttons
from desktop.views.screen import fit_dialog
from forms.errors import ValidationError
from forms.messages import text
from forms.transit import ARRIVED, Arrival, Paper


@dataclass(frozen=True)
class ArrivalRequest:
    about: str  # 案件編號 and service, as the page shows them
    papers: tuple[Paper, ...]
    check: Callable[[Arrival], Arrival] = lambda arrival: arrival


# (parent, request) -> the marking to record, or None
AskArrival = Callable[[QWidget, ArrivalRequest], "Arrival | None"]


class ArrivalDialog(QDialog):
    def __init__(self, parent: QWidget | None, request: ArrivalRequest) -> None:
        super().__init__(parent)
        self.request = request
        self.answer: Arrival | None = None
        self.setWindowTitle("到件登錄")
        layout = QVBoxLayout(self)
        about = QLabel(request.about)
        about.setWordWrap(True)
        layout.addWidget(about)
        here = [p for p in request.papers if p.state == ARRIVED]
        if here:
            done = QLabel("已到件：" + "、".join(p.name for p in here))
            done.setWordWrap(True)
            layout.addWidget(done)
        layout.addWidget(QLabel("收件公所寄送之文件（勾選已收到者，空白鍵切換）："))
        self.papers = QListWidget()
        self.papers.setObjectName("arrival_papers")
        self.papers.setAccessibleName("寄送之文件")
        for paper in request.papers:
            if paper.state == ARRIVED:
                continue
            item = QListWidgetItem(paper.name + (f"（未到件：{paper.note}）" if paper.note else ""))
            item.setData(Qt.ItemDataRole.UserRole, paper.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)  # most exchanges bring everything
            self.papers.addItem(item)
        self.papers.setCurrentRow(0)
        rows = max(self.papers.count(), 1)
        self.papers.setFixedHeight(self.papers.sizeHintForRow(0) * min(rows, 8) + 8)
        layout.addWidget(self.papers)
        self.missing = QCheckBox("未勾選者登錄為未到件")
        self.missing.setObjectName("arrival_missing")
        layout.addWidget(self.missing)
        self.note = QPlainTextEdit()
        self.note.setObjectName("arrival_note")
        self.note.setTabChangesFocus(True)
        self.note.setAccessibleName("未到件情形")
        self.note.setPlaceholderText("未到件情形（例如：本批公文交換未附，已電洽收件公所）")
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 3 + 12)
        layout.addWidget(self.note)
        self.problem = problem_label("arrival_problem")
        layout.addWidget(self.problem)
        layout.addWidget(submit_buttons(self, "記錄到件", self.submit))
        self.papers.setFocus()
        fit_dialog(self, 460)

    def marked(self) -> Arrival:
        received: list[str] = []
        other: list[str] = []
        for row in range(self.papers.count()):
            item = self.papers.item(row)
            name = str(item.data(Qt.ItemDataRole.UserRole))
            (received if item.checkState() == Qt.CheckState.Checked else other).append(name)
        missing = other if self.missing.isChecked() else []
        return Arrival(tuple(received), tuple(missing), self.note.toPlainText())

    def submit(self) -> None:
        try:
            self.answer = self.request.check(self.marked())
        except ValidationError as exc:
            self.problem.setText(text(exc.code, **exc.params))
            return
        self.accept()


def ask_arrival(parent: QWidget, request: ArrivalRequest) -> Arrival | None:
    dialog = ArrivalDialog(parent, request)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.answer
    finally:
        dialog.deleteLater()  # one per question: none pile up under the page
