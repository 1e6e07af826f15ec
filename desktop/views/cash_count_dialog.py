"""點鈔: one clerk's cash counted by note and coin. One box per denomination (2,000 元 down to 1 元), the total kept
in sight as it is typed; the count is read by forms.cashcount (which refuses what is not a number of pieces).

Finished by keyboard: Tab / Enter move down the boxes, Ctrl+Enter records, Esc cancels."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.views.dialog_parts import problem_label, submit_buttons
from desktop.views.screen import fit_dialog
from forms.cashcount import DENOMINATIONS, Pieces, kind, read_pieces, total
from forms.errors import ValidationError
from forms.messages import text

# (parent, clerk, expected NT$, the count so far) -> the count, or None when cancelled
AskPieces = Callable[[QWidget, str, int, Pieces], "Pieces | None"]


class CashCountDialog(QDialog):
    def __init__(self, parent: QWidget | None, clerk: str, expected: int, known: Pieces = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"依面額點收：{clerk}")
        self.expected = expected
        self.answer: Pieces | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{clerk}　應收現金 {expected:,} 元；請輸入各面額的張（枚）數。"))
        grid = QGridLayout()
        had = dict(known)
        self.boxes: dict[int, QLineEdit] = {}
        for row, denomination in enumerate(DENOMINATIONS):
            box = QLineEdit(str(had[denomination]) if denomination in had else "")
            box.setObjectName(f"pieces_{denomination}")
            box.setAccessibleName(f"{denomination} 元{kind(denomination)}張（枚）數")
            box.setAlignment(Qt.AlignmentFlag.AlignRight)
            box.setMaxLength(6)
            box.textChanged.connect(self.show_total)
            box.returnPressed.connect(self.focusNextChild)
            label = QLabel(f"{denomination:,} 元（{kind(denomination)}）")
            label.setBuddy(box)
            grid.addWidget(label, row, 0)
            grid.addWidget(box, row, 1)
            self.boxes[denomination] = box
        layout.addLayout(grid)
        self.total = QLabel("")
        self.total.setObjectName("pieces_total")
        self.total.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.total)
        self.problem = problem_label("pieces_problem")
        layout.addWidget(self.problem)
        layout.addWidget(submit_buttons(self, "記錄點收", self.submit))
        self.boxes[DENOMINATIONS[0]].setFocus()
        self.show_total()
        fit_dialog(self, 380)

    def typed(self) -> dict[int, str]:
        return {d: box.text() for d, box in self.boxes.items()}

    def show_total(self) -> None:
        try:
            count = read_pieces(self.typed())
        except ValidationError as exc:
            self.total.setText("合計：—")
            self.problem.setText(text(exc.code, **exc.params))
            return
        self.problem.clear()
        diff = total(count) - self.expected
        self.total.setText(f"合計 {total(count):,} 元" + (f"（差額 {diff:+,} 元）" if diff else "（與應收相符）"))

    def submit(self) -> None:
        try:
            self.answer = read_pieces(self.typed())
        except ValidationError as exc:
            self.problem.setText(text(exc.code, **exc.params))
            wrong = self.boxes.get(int(exc.params.get("denomination", DENOMINATIONS[0])))
            if wrong is not None:
                wrong.setFocus()
            return
        self.accept()


def ask_pieces(parent: QWidget, clerk: str, expected: int, known: Pieces) -> Pieces | None:
    dialog = CashCountDialog(parent, clerk, expected, known)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.answer
    finally:
        dialog.deleteLater()  # one per question: none pile up under the page
