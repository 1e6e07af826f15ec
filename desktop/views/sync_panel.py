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

from desktop.desk import DeskModel
from desktop.operations import Change, Operations
from forms.errors import DomainError
from forms.followups import FollowUp
from forms.messages import reason_text, text
from forms.names import mask_name
from forms.rocdate import format_roc
from forms.types import Outcome
from sync.ledger import Ledger, OutboxView, SavedCase
from sync.protocol.errors import StoreError
from sync.services.desk import DeskState
from sync.services.intake import Reverification

STATE_NAMES = {"pending": "待上傳", "sent": "已送達", "attention": "需處理", "withdrawn": "已撤回"}
AskReason = Callable[[QWidget], "str | None"]
AskNote = Callable[[QWidget, str], "str | None"]  # (parent, what it is about) -> how it was handled


def ask_reason(parent: QWidget) -> str | None:
    text, ok = QInputDialog.getText(parent, "撤回案件", "撤回理由（會記錄在案）：")
    return text.strip() if ok and text.strip() else None


def note_dialog(parent: QWidget, about: str) -> QInputDialog:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("記錄處理結果")
    dialog.setLabelText(f"{about}\n如何處理（會記錄在案），例如「已電話通知申請人」：")
    dialog.setOkButtonText("記錄")
    dialog.setCancelButtonText("取消")
    return dialog


def ask_note(parent: QWidget, about: str) -> str | None:
    dialog = note_dialog(parent, about)
    if dialog.exec() != QInputDialog.DialogCode.Accepted:
        return None
    return dialog.textValue().strip() or None


class SyncPanel(QWidget):
    """Paints the desk's state (it never reads the ledger itself); its buttons are operations.

    Signals:
    sync_requested(): the clerk asked for 立即同步.
    correction_requested(str): the clerk will correct a set-aside case (its key) in the intake wizard.
    reprint_requested(SavedCase): a copy of this case's receipt, marked 補印.
    void_requested(SavedCase): void this case's receipt (a supervisor approves).
    """

    sync_requested = Signal()
    correction_requested = Signal(str)
    reprint_requested = Signal(object)
    void_requested = Signal(object)

    def __init__(
        self,
        ledger: Ledger,
        clerk: str,
        ops: Operations,
        desk: DeskModel,
        reason_dialog: AskReason | None = None,
        note_dialog: AskNote | None = None,
        parent: QWidget | None = None,
        service_name: Callable[[str], str] = str,
    ) -> None:
        super().__init__(parent)
        self._service_name = service_name  # cases are listed by the service's name, not its code
        self._ledger = ledger
        self._clerk = clerk
        self._ops = ops
        self._desk = desk
        self._ask_reason = reason_dialog or ask_reason
        self._ask_note = note_dialog or ask_note
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
        self.followup_table = QTableWidget(0, 5)
        self.followup_table.setObjectName("followup_table")
        self.followup_table.setAccessibleName("需處理：查驗後不符資格等待聯絡的案件")
        self.followup_table.setHorizontalHeaderLabels(["案件編號", "申請人", "項目", "原因", "下一步"])
        self.followup_table.horizontalHeader().setStretchLastSection(True)
        self.followup_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.followup_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.followup_table.setWordWrap(True)
        self.handled_button = QPushButton("記錄已處理…")
        self.handled_button.setObjectName("handled_button")
        self.handled_button.clicked.connect(self.on_handled_clicked)
        self.followup_void_button = QPushButton("退費並作廢收據…")
        self.followup_void_button.setObjectName("followup_void_button")
        self.followup_void_button.clicked.connect(self.on_followup_void_clicked)
        follow_head = QHBoxLayout()
        self.followup_label = QLabel("需處理的案件（聯絡申請人後記錄）：")
        follow_head.addWidget(self.followup_label, 1)
        follow_head.addWidget(self.handled_button)
        follow_head.addWidget(self.followup_void_button)
        self.followup_box = QWidget()
        follow_layout = QVBoxLayout(self.followup_box)
        follow_layout.setContentsMargins(0, 0, 0, 0)
        follow_layout.addLayout(follow_head)
        follow_layout.addWidget(self.followup_table)
        self.followup_step = QLabel("")  # the chosen row's next step in full (a table cell cuts it)
        self.followup_step.setObjectName("followup_step")
        self.followup_step.setWordWrap(True)
        self.followup_step.setStyleSheet("color: #7a1712; font-weight: bold;")
        follow_layout.addWidget(self.followup_step)
        self.followup_table.currentCellChanged.connect(lambda *_: self._show_step())
        layout.addWidget(self.followup_box)
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
        self._follow_ups: list[FollowUp] = []
        desk.loaded.connect(self.show_state)
        if desk.state is not None:
            self.show_state(desk.state)

    def refresh(self) -> None:
        """Read the desk again (off the GUI thread); the tables are painted when it arrives."""
        self._desk.reload()

    def show_state(self, state: DeskState) -> None:
        counts = state.counts
        self.counts_label.setText("　".join(f"{STATE_NAMES[k]} {counts.get(k, 0)} 件" for k in STATE_NAMES))
        last = state.last_delivery
        self.last_label.setText(f"最後送達：{format_roc(last.date())} {last:%H:%M}" if last else "最後送達：尚無")
        self._rows = state.queue
        self.table.setRowCount(len(self._rows))
        for r, row in enumerate(self._rows):
            error = reason_text(row.last_error or "")
            if row.state == "pending" and row.next_attempt_at:
                error += f"（下次嘗試 {row.next_attempt_at[11:16]}）"
            for c, value in enumerate(
                (row.case_number, self._service_name(row.service_code), row.id_masked, STATE_NAMES[row.state], error)
            ):
                item = QTableWidgetItem(value)
                if row.state == "attention":
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.show_follow_ups(state.follow_ups)
        self.show_cases(state.cases)

    def on_search_edit_return_pressed(self) -> None:
        self._desk.search(self.search_edit.text())

    def show_cases(self, cases: list[SavedCase]) -> None:
        recent = self._recent = cases
        self.cases_table.setRowCount(len(recent))
        for r, case in enumerate(recent):
            city = (case.server_status or "（尚未回報）") + (f"：{case.server_note}" if case.server_note else "")
            here = "已作廢" if case.voided else case.status
            for c, value in enumerate(
                (case.case_number, self._service_name(case.service_code), mask_name(case.applicant_name), here, city)
            ):
                self.cases_table.setItem(r, c, QTableWidgetItem(value))
        self.cases_table.resizeColumnsToContents()

    def show_follow_ups(self, follow_ups: list[FollowUp]) -> None:
        self._follow_ups = follow_ups
        self.followup_box.setVisible(bool(follow_ups))
        self.followup_table.setRowCount(len(follow_ups))
        for r, f in enumerate(follow_ups):
            why = "；".join(text(x.code, **x.params) for x in f.reasons) or "不符資格"
            code, params = f.next_step()
            for c, value in enumerate(
                (f.case_number, f.name_masked, self._service_name(f.service_code), why, text(code, **params))
            ):
                item = QTableWidgetItem(value)
                item.setForeground(Qt.GlobalColor.darkRed)
                item.setToolTip(value)
                self.followup_table.setItem(r, c, item)
        # The reason and the next step wrap in their columns instead of running off the page.
        self.followup_table.resizeColumnsToContents()
        self.followup_table.setColumnWidth(3, min(self.followup_table.columnWidth(3), 240))
        self.followup_table.resizeRowsToContents()
        self._show_step()

    def _show_step(self) -> None:
        chosen = self._chosen_follow_up()
        if chosen is None:
            self.followup_step.setText("請選擇一件，依下一步處理。" if self._follow_ups else "")
            return
        code, params = chosen.next_step()
        self.followup_step.setText(f"下一步（{chosen.case_number}）：{text(code, **params)}")

    def _chosen_follow_up(self) -> FollowUp | None:
        row = self.followup_table.currentRow()
        if 0 <= row < len(self._follow_ups):
            return self._follow_ups[row]
        return self._follow_ups[0] if len(self._follow_ups) == 1 else None

    def on_handled_clicked(self) -> None:
        chosen = self._chosen_follow_up()
        if chosen is None:
            return
        note = self._ask_note(self, f"案件 {chosen.case_number}（{chosen.name_masked}）")
        if note is None:
            return

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, DomainError | StoreError):
                raise exc
            self.followup_label.setText(text(exc.code, **exc.params))

        self._ops.run(
            "db",
            lambda: self._ledger.followups.handle(chosen.case_uuid, self._clerk, note),
            Change.FOLLOW_UPS,
            lambda _done: self.followup_label.setText("需處理的案件（聯絡申請人後記錄）："),
            failed,
            owner=self,
        )

    def on_followup_void_clicked(self) -> None:
        chosen = self._chosen_follow_up()
        if chosen is not None:
            self.void_requested.emit(self._ledger.cases.case(chosen.case_uuid))

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
            key = entry.key
            self._ops.run("db", lambda: self._ledger.outbox.requeue(key), Change.QUEUE | Change.TO_SEND, owner=self)

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
            key = entry.key
            self._ops.run(
                "db", lambda: self._ledger.outbox.withdraw(key, reason, self._clerk), Change.QUEUE, owner=self
            )
