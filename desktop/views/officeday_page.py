"""本所日結 (a supervisor's): every device of the office on the day — signed, open or idle, its cases, voids, fees
and receipts as the city holds them — the totals per clerk and service across devices, the discrepancies, a reason
for each device that took cases and did not close, the report (PDF, with 核章 boxes), and the office's sign-off.
The rules are forms.officeday's, the facts and the sign-off the city's; this page asks and shows."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.officeday_paper import (
    CASH_COLUMNS,
    cash_rows,
    cash_summary,
    device_rows,
    problem_lines,
    totals_rows,
    write_office_day,
)
from desktop.paperwork import money, service_name
from desktop.tasks import TaskRunner
from desktop.views.errors import describe
from desktop.views.screen import fit_to_screen, scrolling
from forms.errors import DomainError
from forms.messages import text
from forms.officeday import OPEN, blockers
from forms.overdue import OVERDUE
from forms.rocdate import format_roc
from sync.protocol import wire
from sync.protocol.errors import SyncError
from sync.services.decisions import QueueLine
from sync.services.officedays import OfficeDays, OfficeDayView

if TYPE_CHECKING:
    from desktop.bootstrap import Services

log = logging.getLogger(__name__)
Confirm = Callable[[QWidget, str, str], bool]
DEVICE_COLUMNS = ("設備", "日結", "件數", "作廢", "規費", "收據號碼", "市府未收到之號碼", "未日結原因")
WHY = len(DEVICE_COLUMNS) - 1


class OfficeDayPage(QWidget):
    """Signals:
    signed(OfficeClose, Path): the office's day was signed; its report is at the path.
    """

    signed = Signal(object, object)

    def __init__(self, services: Services, runner: TaskRunner, confirm: Confirm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("officeday_page")
        self.setWindowTitle(f"本所日結 — {services.device.office.name}")
        self._services = services
        self._runner = runner
        self._confirm = confirm
        self._days = OfficeDays(services.client)
        self.view: OfficeDayView | None = None
        self.late: tuple[QueueLine, ...] = ()  # the office's open cases past their date
        self.report_path: Path | None = None
        self._filling = False
        self._said = ""  # what the sign-off did, kept over the refresh that follows it
        self.title = QLabel("")
        self.title.setObjectName("officeday_title")
        self.title.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.summary = QLabel("讀取中…")
        self.summary.setObjectName("officeday_summary")
        self.summary.setWordWrap(True)
        self.devices = self._table("officeday_devices", DEVICE_COLUMNS, "各設備")
        self.devices.setEditTriggers(
            QTableWidget.EditTrigger.AllEditTriggers & ~QTableWidget.EditTrigger.CurrentChanged
        )
        self.devices.itemChanged.connect(self._explained)
        self.clerks = self._table("officeday_clerks", ("承辦人", "件數", "作廢", "規費"), "各承辦人（全所）")
        self.service_totals = self._table(
            "officeday_services", ("申辦項目", "件數", "作廢", "規費"), "各申辦項目（全所）"
        )
        self.cash = self._table("officeday_cash", CASH_COLUMNS, "現金面額（交出納點收）")
        self.problems = QListWidget()
        self.problems.setObjectName("officeday_problems")
        self.problems.setAccessibleName("差異與提醒")
        self.blockers = QLabel("")
        self.blockers.setObjectName("officeday_blockers")
        self.blockers.setWordWrap(True)
        self.blockers.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.message = QLabel("")
        self.message.setObjectName("officeday_message")
        self.message.setWordWrap(True)
        self.refresh_button = QPushButton("重新整理 (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        self.preview_button = QPushButton("產生報表草稿")
        self.preview_button.setObjectName("officeday_preview")
        self.preview_button.clicked.connect(self.preview)
        self.sign_button = QPushButton("簽核本所日結…")
        self.sign_button.setObjectName("officeday_sign")
        self.sign_button.clicked.connect(self.sign)
        refresh = QShortcut(QKeySequence("F5"), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.activated.connect(self.refresh)
        # The figures scroll; the buttons stay below them in sight whatever the screen (a 768-px PC at 150 %).
        figures = QWidget()
        inner = QVBoxLayout(figures)
        inner.addWidget(self.title)
        inner.addWidget(self.summary)
        for caption, table in (
            ("各設備（未日結者請寫明原因）：", self.devices),
            ("各承辦人（全所）：", self.clerks),
            ("各申辦項目（全所）：", self.service_totals),
            ("現金面額（交出納點收）：", self.cash),
        ):
            inner.addWidget(QLabel(caption))
            table.setMinimumHeight(110)
            inner.addWidget(table, 1)
        inner.addWidget(QLabel("差異與提醒："))
        self.problems.setMinimumHeight(70)
        inner.addWidget(self.problems, 1)
        inner.addWidget(self.blockers)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolling(figures, "officeday_scroll"), 1)
        buttons = QHBoxLayout()
        for button in (self.refresh_button, self.preview_button, self.sign_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        fit_to_screen(self, QSize(1100, 720))

    @staticmethod
    def _table(name: str, columns: tuple[str, ...], label: str) -> QTableWidget:
        table = QTableWidget(0, len(columns))
        table.setObjectName(name)
        table.setAccessibleName(label)
        table.setHorizontalHeaderLabels(columns)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.verticalHeader().setVisible(False)
        return table

    # -- reading ---------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        self.message.setText("讀取中…")
        day = self._services.today()
        why = self.explained()
        decisions = self._services.decisions

        def work() -> tuple[OfficeDayView, tuple[QueueLine, ...] | None]:
            view = self._days.read(day, why)
            try:  # 逾期預警 in the day close: the office's open cases past their date
                late = tuple(q for q in decisions.queue() if q.urgency.kind == OVERDUE) if decisions else None
            except SyncError as exc:
                log.info("office day without the queue: %s", exc.code)
                late = None
            return view, late

        self._runner.run("net", work, lambda r: self._show(*r), self._failed, owner=self)

    def explained(self) -> dict[str, str]:
        """The reasons typed for devices that did not close (device id → why)."""
        found = {}
        view = self.view
        for row in range(self.devices.rowCount()):
            item = self.devices.item(row, WHY)
            if view is not None and item is not None and item.text().strip():
                found[view.day.devices[row].device.device_id] = item.text()
        return found

    def _show(self, view: OfficeDayView, late: tuple[QueueLine, ...] | None = None) -> None:
        self.refresh_button.setEnabled(True)
        typed = self.explained()
        self.view = view
        self.late = late or ()
        day = view.day
        catalog = self._services.catalog
        state = f"已簽核（{view.signed.by}）" if view.signed is not None else "尚未簽核"
        self.title.setText(f"{format_roc(day.day)} 本所日結　{state}")
        self.summary.setText(
            f"有效案件 {day.cases:,} 件（作廢 {day.voided} 件）　規費 {day.fee_total:,} 元"
            + (f"（{money(day.fees)}）" if day.fees else "")
            + f"　現金{cash_summary(day)}"
            + f"　更正 {day.corrections} 筆　設備 {len(day.devices)} 台"
            + ("　逾期未結：未能讀取" if late is None else f"　逾期未結 {len(self.late)} 件")
        )
        self._filling = True
        self.devices.setRowCount(len(day.devices))
        signed_why = view.signed.explanations if view.signed is not None else {}
        for row, cells in enumerate(device_rows(day)):
            d = day.devices[row]
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.devices.setItem(row, column, item)
            why = QTableWidgetItem(signed_why.get(d.device.device_id, typed.get(d.device.device_id, "")))
            if d.state != OPEN or view.signed is not None:
                why.setFlags(why.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.devices.setItem(row, WHY, why)
        self._filling = False
        self._fill(self.clerks, totals_rows(day.clerks))
        self._fill(self.service_totals, totals_rows(day.services, lambda code: service_name(catalog, code)))
        self._fill(self.cash, cash_rows(day) or (("各設備均未依面額點收", "", "", ""),))
        for table in (self.devices, self.clerks, self.service_totals, self.cash):
            table.resizeColumnsToContents()
        self._show_problems()
        self.message.setText(self._said)
        self._said = ""

    @staticmethod
    def _fill(table: QTableWidget, rows: tuple[tuple[str, ...], ...]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(value))

    def _explained(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != WHY or self.view is None:
            return
        self.view = self._days.again(self.view, self.explained())
        self._show_problems()

    def _show_problems(self) -> None:
        assert self.view is not None
        day = self.view.day
        self.problems.clear()
        for line in problem_lines(day) or ("無差異。",):
            self.problems.addItem(line)
        left = blockers(day) if self.view.signed is None else []
        self.blockers.setText("簽核前須處理：" + "；".join(text(p.code, **p.params) for p in left) if left else "")
        self.sign_button.setEnabled(self.view.signed is None and not left)

    # -- paper and sign-off --------------------------------------------------------------------------------

    def preview(self) -> None:
        view = self.view
        if view is None:
            return
        why = self.explained()
        self._runner.run(
            "db",
            lambda: write_office_day(view.day, why, view.signed, self._services, self.late),
            self._written,
            self._failed,
            owner=self,
        )

    def _written(self, path: Path) -> None:
        self.report_path = path
        self.message.setText(f"報表：{path}")

    def sign(self) -> None:
        view = self.view
        if view is None or view.signed is not None:
            return
        why = self.explained()
        if blockers(self._days.again(view, why).day):
            self._show_problems()
            return
        question = (
            f"以主管 {self._services.intake.clerk} 身分簽核 {format_roc(view.day.day)} 本所日結？簽核後不能重複簽核。"
        )
        if not self._confirm(self, "簽核本所日結", question):
            return
        self.sign_button.setEnabled(False)
        self.message.setText("簽核中…")

        def work() -> tuple[wire.OfficeClose, Path]:
            close = self._days.sign(view, why)
            day = self._days.again(view, close.explanations).day
            return close, write_office_day(day, dict(close.explanations), close, self._services, self.late)

        self._runner.run("net", work, lambda r: self._signed(*r), self._failed, owner=self)

    def _signed(self, close: wire.OfficeClose, path: Path) -> None:
        self.report_path = path
        self._said = f"本所日結已簽核（{close.by}）。報表：{path}"
        self.message.setText(self._said)
        self.signed.emit(close, path)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        if self.view is not None:
            self._show_problems()
        if not isinstance(exc, SyncError | DomainError):
            log.exception("office day failed", exc_info=exc)
        self.message.setText(describe(exc))
