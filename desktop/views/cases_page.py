"""案件處理: the office's open cases after intake — its own and those other offices received for it (跨區收件) —
most urgent first, and the steps recorded on them (1 審核中, 2 補件…, 3 核准, 4 駁回…). The rules are
forms.casesteps' and forms.overdue's, the records the city's; this page asks and shows."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.monthly_paper import month_of, write_month
from desktop.paperwork import service_name
from desktop.tasks import TaskRunner
from desktop.views.arrival_dialog import ArrivalRequest, AskArrival, ask_arrival
from desktop.views.errors import describe
from desktop.views.screen import fit_to_screen
from desktop.views.step_dialog import AskStep, StepRequest, ask_step
from forms.casesteps import APPROVED, REJECTED, REVIEWING, STEPS, SUPPLEMENT
from forms.errors import DomainError
from forms.overdue import DUE_SOON, NO_DUE, ON_TIME, OVERDUE, WAITING
from forms.rocdate import format_roc
from forms.transit import Paper, papers_words, waiting
from sync.protocol import wire
from sync.protocol.errors import SyncError
from sync.services.decisions import QueueLine, QueueSummary, summary

if TYPE_CHECKING:
    from desktop.bootstrap import Services

log = logging.getLogger(__name__)
COLUMNS = ("期限", "預定完成", "案件編號", "申辦項目", "申請人", "收件單位", "經手人", "狀態", "待補文件", "隨案文件")
FILTERS = (("all", "全部"), ("forwarded", "跨區收件（他所代收）"), ("urgent", "逾期與即將到期"), ("waiting", "待補件"))
PAPERS = COLUMNS.index("隨案文件")
STEP_KEYS = dict(zip(STEPS, "1234", strict=True))  # 審核中 1, 補件 2, 核准 3, 駁回 4
URGENT_COLOUR = {OVERDUE: Qt.GlobalColor.darkRed, DUE_SOON: Qt.GlobalColor.darkYellow}


def urgency_text(line: QueueLine) -> str:
    u = line.urgency
    if u.kind == OVERDUE:
        return f"逾期 {u.working_days} 個工作天" if u.working_days else "逾期"
    if u.kind == DUE_SOON:
        return "今日到期" if u.working_days == 0 else f"{u.working_days} 個工作天內到期"
    if u.kind == WAITING:
        by = line.case.owed_by
        return f"待補件（至 {format_roc(by)}）" if by else "待補件"
    return {ON_TIME: "期限內", NO_DUE: "—"}.get(u.kind, u.kind)


def summary_text(s: QueueSummary, total: int) -> str:
    """逾期 2 件（王小明 1、林承辦 1）、2 個工作天內到期 1 件、待補件 3 件；跨區收件 4 件；共 12 件."""
    holders = "、".join(f"{who} {n}" for who, n in s.overdue_by_holder.items())
    late = f"逾期 {s.overdue} 件" + (f"（{holders}）" if holders else "")
    return f"{late}、2 個工作天內到期 {s.due_soon} 件、待補件 {s.waiting} 件；跨區收件 {s.forwarded} 件；共 {total} 件"


def _shown(line: QueueLine, kind: str) -> bool:
    if kind == "forwarded":
        return line.forwarded
    if kind == "urgent":
        return line.urgency.kind in (OVERDUE, DUE_SOON)
    if kind == "waiting":
        return line.urgency.kind == WAITING
    return True


class CasesPage(QWidget):
    """Signals:
    loaded(QueueSummary): the queue was read (the main window warns of overdue cases from it).
    """

    loaded = Signal(object)

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        step_dialog: AskStep | None = None,
        parent: QWidget | None = None,
        arrival_dialog: AskArrival | None = None,
    ) -> None:
        super().__init__(parent)
        assert services.decisions is not None
        self.setObjectName("cases_page")
        self.setWindowTitle(f"案件處理 — {services.device.office.name}")
        self._services = services
        self._decisions = services.decisions
        self._runner = runner
        self._ask_step = step_dialog or ask_step
        self._ask_arrival = arrival_dialog or ask_arrival
        self.lines: list[QueueLine] = []
        self.shown: list[QueueLine] = []
        self._said = ""  # what the last step did, kept over the refresh that follows it
        intro = QLabel(
            "本所待辦案件（含他所代收、轉本所辦理之跨區收件），逾期與即將到期者在前；補件期間不計入處理期限。"
            "選定案件後按 1 審核中、2 補件、3 核准、4 駁回、5 到件登錄（他所寄送之文件）；F5 重新整理。"
        )
        intro.setWordWrap(True)
        self.summary = QLabel("")
        self.summary.setObjectName("cases_summary")
        self.summary.setWordWrap(True)
        self.filter = QComboBox()
        self.filter.setObjectName("cases_filter")
        self.filter.setAccessibleName("顯示範圍")
        for key, label in FILTERS:
            self.filter.addItem(label, key)
        self.filter.currentIndexChanged.connect(lambda _i: self._fill())
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("cases_table")
        self.table.setAccessibleName("待辦案件")
        self.table.setAccessibleDescription("1 審核中、2 補件、3 核准、4 駁回、5 到件登錄")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the buttons
        self.table.itemSelectionChanged.connect(self._enable)
        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for status in STEPS:
            more = "…" if status in (SUPPLEMENT, REJECTED) else ""
            button = QPushButton(f"{status}{more} ({STEP_KEYS[status]})")
            button.setObjectName(f"step_{STEP_KEYS[status]}")
            button.clicked.connect(lambda _c=False, s=status: self.record(s))
            self.buttons[status] = button
            actions.addWidget(button)
            shortcut = QShortcut(QKeySequence(STEP_KEYS[status]), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=status: self.record(s))
        self.arrival_button = QPushButton("到件登錄… (5)")
        self.arrival_button.setObjectName("cases_arrival")
        self.arrival_button.setAccessibleDescription("登錄收件公所寄送之紙本文件是否已到")
        self.arrival_button.clicked.connect(self.mark_arrival)
        actions.addWidget(self.arrival_button)
        arrival_key = QShortcut(QKeySequence("5"), self)
        arrival_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        arrival_key.activated.connect(self.mark_arrival)
        self.refresh_button = QPushButton("重新整理 (F5)")
        self.refresh_button.setObjectName("cases_refresh")
        self.refresh_button.clicked.connect(self.refresh)
        refresh_key = QShortcut(QKeySequence("F5"), self)
        refresh_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh_key.activated.connect(self.refresh)
        actions.addStretch(1)
        self.month_button = QPushButton("本月月報")
        self.month_button.setObjectName("cases_month")
        self.month_button.setAccessibleDescription("本月各項目收件、期限內決定比率與逾期案件（PDF 與 CSV）")
        self.month_button.clicked.connect(self.write_month)
        self.month_button.setVisible(services.role == "supervisor")
        self.month_paths: tuple[Path, Path] | None = None
        actions.addWidget(self.month_button)
        actions.addWidget(self.refresh_button)
        self.detail = QLabel("")  # the selected case's whole line: the table scrolls sideways on a small screen
        self.detail.setObjectName("cases_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel("")
        self.status.setObjectName("cases_status")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("顯示："))
        top.addWidget(self.filter)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.summary)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        self._enable()
        fit_to_screen(self, QSize(1100, 560))

    # -- reading the queue ---------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        self.status.setText("讀取中…")
        self._runner.run("net", self._decisions.queue, self._show, self._failed, owner=self)

    def _show(self, lines: list[QueueLine]) -> None:
        self.refresh_button.setEnabled(True)
        self.lines = lines
        made = summary(lines)
        self.summary.setText(summary_text(made, len(lines)))
        self._fill()
        self.status.setText(self._said)
        self._said = ""
        self.loaded.emit(made)

    def _fill(self) -> None:
        kind = str(self.filter.currentData())
        chosen = self.selected()
        self.shown = [line for line in self.lines if _shown(line, kind)]
        catalog = self._services.catalog
        self.table.setRowCount(len(self.shown))
        for row, line in enumerate(self.shown):
            c = line.case
            cells = (
                urgency_text(line),
                format_roc(line.urgency.due) if line.urgency.due else "—",
                c.case_number,
                service_name(catalog, c.service_code),
                c.id_masked,
                line.received_by_name + ("（跨區收件）" if line.forwarded else ""),
                c.holder,
                c.status,
                "、".join(c.owed) or "—",
                papers_words(line.papers) or "—",
            )
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                colour = URGENT_COLOUR.get(line.urgency.kind)
                if colour is not None and column == 0:
                    item.setForeground(colour)
                if column == PAPERS and waiting(line.papers):
                    item.setForeground(Qt.GlobalColor.darkYellow)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        keep = next(
            (i for i, line in enumerate(self.shown) if chosen and line.case.case_uuid == chosen.case.case_uuid), 0
        )
        if self.shown:
            self.table.selectRow(keep)
        self._enable()

    def selected(self) -> QueueLine | None:
        rows = {i.row() for i in self.table.selectedItems()}
        return self.shown[rows.pop()] if len(rows) == 1 and self.shown else None

    def _enable(self) -> None:
        line = self.selected()
        for status, button in self.buttons.items():
            button.setEnabled(line is not None and status in line.steps)
        self.arrival_button.setEnabled(line is not None and bool(waiting(line.papers)))
        self.detail.setText(self._detail(line) if line is not None else "")

    def _detail(self, line: QueueLine) -> str:
        c = line.case
        words = [
            f"{c.case_number}　{service_name(self._services.catalog, c.service_code)}　{c.id_masked}",
            f"收件：{line.received_by_name}" + ("（跨區收件）" if line.forwarded else ""),
            f"承辦：{c.holder}",
            f"狀態：{c.status}",
        ]
        if c.owed:
            words.append("待補：" + "、".join(c.owed))
        if line.papers:
            words.append("隨案文件：" + papers_words(line.papers))
        return "　".join(words)

    # -- recording a step ----------------------------------------------------------------------------------------

    def record(self, status: str) -> None:
        line = self.selected()
        if line is None:
            self.status.setText("請先在表格中選一件案件。")
            return
        if status not in line.steps:
            self.status.setText(f"本案目前為「{line.case.status}」，不能改為「{status}」。")
            return
        c = line.case
        about = f"{c.case_number}　{service_name(self._services.catalog, c.service_code)}　{c.id_masked}"
        offered = self._decisions.supplement_by() if status == SUPPLEMENT else None
        request = StepRequest(status, about, tuple(c.owed), offered, lambda step: self._decisions.check(line, step))
        step = self._ask_step(self, request)
        if step is None:
            return
        for button in self.buttons.values():
            button.setEnabled(False)
        self.status.setText(f"記錄「{status}」中…")
        self._runner.run("net", lambda: self._decisions.record(line, step), self._recorded, self._failed, owner=self)

    def mark_arrival(self) -> None:
        """到件登錄 for the selected 跨區收件 case: which of the papers sent on are here."""
        line = self.selected()
        if line is None:
            self.status.setText("請先在表格中選一件案件。")
            return
        if not waiting(line.papers):
            self.status.setText("本案沒有待到件的隨案文件。" if not line.papers else "本案隨案文件均已到件。")
            return
        c = line.case
        about = (
            f"{c.case_number}　{service_name(self._services.catalog, c.service_code)}　收件：{line.received_by_name}"
        )
        request = ArrivalRequest(about, line.papers, lambda marked: self._decisions.check_arrival(line, marked))
        arrival = self._ask_arrival(self, request)
        if arrival is None:
            return
        self.arrival_button.setEnabled(False)
        self.status.setText("記錄到件中…")
        self._runner.run(
            "net", lambda: self._decisions.record_arrival(line, arrival), self._arrived, self._failed, owner=self
        )

    def _arrived(self, papers: tuple[Paper, ...]) -> None:
        self._said = f"已登錄到件：{papers_words(papers)}。"
        self.refresh()

    def write_month(self) -> None:
        """月報 of this month so far: per service, on-time rate, median days to decision, and late cases."""
        first, last = month_of(self._decisions.today())
        services = self._services
        self.status.setText("月報產生中…")
        self._runner.run(
            "net",
            lambda: write_month(self._decisions.month(first, last), services),
            self._month_written,
            self._failed,
            owner=self,
        )

    def _month_written(self, paths: tuple[Path, Path]) -> None:
        self.month_paths = paths
        self.status.setText(f"月報：{paths[0]}（試算表 {paths[1].name}）")

    def _recorded(self, change: wire.StatusChange) -> None:
        said = {REVIEWING: "已開始審核", APPROVED: "已核准", REJECTED: "已駁回", SUPPLEMENT: "已通知補件"}
        by = f"，補正期限 {format_roc(change.owed_by)}" if change.owed_by else ""
        self._said = f"{change.case_number} {said.get(change.status, change.status)}{by}。"
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self._enable()
        if not isinstance(exc, SyncError | DomainError):
            log.exception("case queue failed", exc_info=exc)
        self.status.setText(describe(exc))
