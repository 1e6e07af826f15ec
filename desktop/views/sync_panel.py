"""The sync page: queue counts, progress of a push, last delivery, and the 需處理 list (cases the city set aside)
with resend and withdraw. Every queue entry is in exactly one visible state, with its last error."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from forms.messages import reason_text, text
from forms.names import mask_name
from forms.rocdate import format_roc
from forms.types import Outcome
from sync.ledger import Ledger, OutboxView, SavedCase
from sync.services.intake import Reverification

STATE_NAMES = {"pending": "待上傳", "sent": "已送達", "attention": "需處理", "withdrawn": "已撤回"}
AskReason = Callable[[QWidget], "str | None"]


def ask_reason(parent: QWidget) -> str | None:
    text, ok = QInputDialog.getText(parent, "撤回案件", "撤回理由（會記錄在案）：")
    return text.strip() if ok and text.strip() else None


class SyncPanel(QWidget):
    """Signals:
    sync_requested(): the clerk asked for 立即同步.
    queue_changed(): an entry was resent or withdrawn.
    correction_requested(str): the clerk will correct a set-aside case (its key) in the intake wizard.
    reprint_requested(SavedCase): a copy of this case's receipt, marked 補印.
    void_requested(SavedCase): void this case's receipt (a supervisor approves).
    """

    sync_requested = Signal()
    queue_changed = Signal()
    correction_requested = Signal(str)
    reprint_requested = Signal(object)
    void_requested = Signal(object)

    def __init__(
        self, ledger: Ledger, clerk: str, reason_dialog: AskReason | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ledger = ledger
        self._clerk = clerk
        self._ask_reason = reason_dialog or ask_reason
        self.counts_label = QLabel("")
        self.counts_label.setObjectName("counts_label")
        self.last_label = QLabel("")
        self.last_label.setObjectName("last_label")
        self.progress = QProgressBar()
        self.progress.setObjectName("sync_progress")
        self.progress.setFormat("上傳中… %v / %m")
        self.progress.setVisible(False)
        sync_button = QPushButton("立即同步 (F9)")
        sync_button.clicked.connect(self.sync_requested.emit)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("attention_table")
        self.table.setAccessibleName("需處理：送不出或需人工核對的案件")
        self.table.setHorizontalHeaderLabels(["案件編號", "項目", "身分證", "狀態", "伺服器說明／最後錯誤"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.resend_button = QPushButton("重新送出")
        self.resend_button.setObjectName("resend_button")
        self.resend_button.clicked.connect(self.on_resend_clicked)
        self.correct_button = QPushButton("更正後重送…")
        self.correct_button.setObjectName("correct_button")
        self.correct_button.clicked.connect(self.on_correct_clicked)
        self.withdraw_button = QPushButton("撤回…")
        self.withdraw_button.setObjectName("withdraw_button")
        self.withdraw_button.clicked.connect(self.on_withdraw_clicked)
        top = QHBoxLayout()
        top.addWidget(self.counts_label, 1)
        top.addWidget(self.last_label)
        top.addWidget(sync_button)
        actions = QHBoxLayout()
        actions.addWidget(QLabel("需處理與待上傳的案件（已送達者不列出）："), 1)
        actions.addWidget(self.resend_button)
        actions.addWidget(self.correct_button)
        actions.addWidget(self.withdraw_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("case_search")
        self.search_edit.setAccessibleName("搜尋案件（案件編號、姓名或身分證統一編號）")
        self.search_edit.setPlaceholderText("查詢案件：身分證統一編號、姓名或案件編號，按 Enter（清空則列出近期案件）")
        self.search_edit.returnPressed.connect(self.on_search_edit_return_pressed)
        cases_head = QHBoxLayout()
        cases_head.addWidget(QLabel("案件與市府辦理狀態："))
        cases_head.addWidget(self.search_edit, 1)
        layout.addLayout(cases_head)
        self.cases_table = QTableWidget(0, 5)
        self.cases_table.setObjectName("cases_table")
        self.cases_table.setAccessibleName("最近案件")
        self.cases_table.setHorizontalHeaderLabels(["案件編號", "項目", "申請人", "本機", "市府狀態"])
        self.cases_table.horizontalHeader().setStretchLastSection(True)
        self.cases_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.cases_table, 1)
        self.reprint_button = QPushButton("補印收據")
        self.reprint_button.setObjectName("reprint_button")
        self.reprint_button.clicked.connect(self.on_reprint_clicked)
        self.void_button = QPushButton("作廢收據…")
        self.void_button.setObjectName("void_button")
        self.void_button.clicked.connect(self.on_void_clicked)
        case_actions = QHBoxLayout()
        case_actions.addWidget(self.reprint_button)
        case_actions.addWidget(self.void_button)
        case_actions.addStretch(1)
        layout.addLayout(case_actions)
        self.reverified = QLabel("")
        self.reverified.setObjectName("reverified_label")
        self.reverified.setWordWrap(True)
        self.reverified.setVisible(False)
        layout.addWidget(self.reverified)
        self._rows: list[OutboxView] = []
        self._recent: list[SavedCase] = []
        self.refresh()

    def refresh(self) -> None:
        counts = self._ledger.outbox.counts()
        self.counts_label.setText("　".join(f"{STATE_NAMES[k]} {counts.get(k, 0)} 件" for k in STATE_NAMES))
        last = self._ledger.outbox.last_delivery()
        self.last_label.setText(f"最後送達：{format_roc(last.date())} {last:%H:%M}" if last else "最後送達：尚無")
        self._rows = self._ledger.outbox.items(("attention", "pending"))
        self.table.setRowCount(len(self._rows))
        for r, row in enumerate(self._rows):
            error = reason_text(row.last_error or "")
            if row.state == "pending" and row.next_attempt_at:
                error += f"（下次嘗試 {row.next_attempt_at[11:16]}）"
            for c, value in enumerate(
                (row.case_number, row.service_code, row.id_masked, STATE_NAMES[row.state], error)
            ):
                item = QTableWidgetItem(value)
                if row.state == "attention":
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        query = self.search_edit.text().strip()
        self.show_cases(self._ledger.cases.search(query) if query else self._ledger.cases.recent(30))

    def on_search_edit_return_pressed(self) -> None:
        self.refresh()

    def show_cases(self, cases: list[SavedCase]) -> None:
        recent = self._recent = cases
        self.cases_table.setRowCount(len(recent))
        for r, case in enumerate(recent):
            city = (case.server_status or "（尚未回報）") + (f"：{case.server_note}" if case.server_note else "")
            here = "已作廢" if case.voided else case.status
            for c, value in enumerate(
                (case.case_number, case.service_code, mask_name(case.applicant_name), here, city)
            ):
                self.cases_table.setItem(r, c, QTableWidgetItem(value))
        self.cases_table.resizeColumnsToContents()

    def show_reverified(self, changes: list[Reverification]) -> None:
        """The outcome of deferred look-ups: each case taken offline with what it turned out to be."""
        lines = [
            f"{c.case_number}　{c.service_name}：{text(c.decision.outcome.message_code)}"
            + "".join(f"（{text(r.code, **r.params)}）" for r in c.decision.results if r.outcome is Outcome.FAIL)
            for c in changes
        ]
        self.reverified.setText("連線後補查結果：\n" + "\n".join(lines))
        self.reverified.setVisible(True)

    def set_progress(self, done: int | None, total: int = 0) -> None:
        """Show a push in progress (done of total answered); None hides the bar."""
        self.progress.setVisible(done is not None)
        if done is not None:
            self.progress.setRange(0, max(1, total))
            self.progress.setValue(done)

    def _selected(self) -> OutboxView | None:
        row = self.table.currentRow()
        return self._rows[row] if 0 <= row < len(self._rows) and self._rows[row].state == "attention" else None

    def on_resend_clicked(self) -> None:
        entry = self._selected()
        if entry is not None:
            self._ledger.outbox.requeue(entry.key)
            self.refresh()
            self.queue_changed.emit()

    def _chosen_case(self) -> SavedCase | None:
        row = self.cases_table.currentRow()
        return self._recent[row] if 0 <= row < len(self._recent) else None

    def on_reprint_clicked(self) -> None:
        if (case := self._chosen_case()) is not None:
            self.reprint_requested.emit(case)

    def on_void_clicked(self) -> None:
        if (case := self._chosen_case()) is not None and not case.voided:
            self.void_requested.emit(case)

    def on_correct_clicked(self) -> None:
        entry = self._selected()
        if entry is not None:
            self.correction_requested.emit(entry.key)

    def on_withdraw_clicked(self) -> None:
        entry = self._selected()
        if entry is None:
            return
        reason = self._ask_reason(self)
        if reason:
            self._ledger.outbox.withdraw(entry.key, reason, self._clerk)
            self.refresh()
            self.queue_changed.emit()
