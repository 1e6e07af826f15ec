"""The supervisor's day-close page (日結): the figures, cash counted per clerk, the discrepancy list, the report's
preview and printing, and sign-off with the supervisor's credentials.

No rule lives here: figures and blockers come from forms.dayclose, the work from sync.services.closing.Books; this page
collects what the supervisor types and shows what comes back.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.paperwork import clerk_fees_text, money, problem_lines, service_name, status_text, write_dayclose
from desktop.printer import PrintPdf, print_pdf
from desktop.tasks import TaskRunner
from desktop.views.cash_count_dialog import AskPieces, ask_pieces
from desktop.views.errors import describe
from desktop.views.pdf_preview import pdf_preview
from desktop.views.screen import fit_to_screen
from desktop.views.supervisor import AskSupervisor, ask_supervisor
from forms.cashcount import Pieces, pieces_text, total
from forms.dayclose import CashLine, DayClose, cash_lines, sign_off_problems, signed_inputs, signed_pieces
from forms.dayfacts import CloseRecord
from forms.errors import DomainError
from forms.fields import validate_amount
from forms.messages import text
from forms.rocdate import format_roc
from sync.protocol.errors import StoreError, SyncError

if TYPE_CHECKING:
    from desktop.bootstrap import Services

log = logging.getLogger(__name__)
CASH_COLUMNS = ("承辦人", "應收現金", "實點現金", "差額", "面額明細", "差額說明")
COUNTED, DIFFERENCE, PIECES, EXPLANATION = 2, 3, 4, 5


class DayClosePage(QWidget):
    """Signals:
    signed(CloseRecord, Path): the day was signed off; the report PDF is at the path.
    """

    signed = Signal(object, object)

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        supervisor_dialog: AskSupervisor | None = None,
        printer: PrintPdf | None = None,
        parent: QWidget | None = None,
        pieces_dialog: AskPieces | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dayclose_page")
        self.setWindowTitle("日結（主管）")
        self._services = services
        self._runner = runner
        self._ask_supervisor = supervisor_dialog or ask_supervisor
        self._print = printer or print_pdf
        self._ask_pieces = pieces_dialog or ask_pieces
        self._pieces: dict[str, Pieces] = {}  # clerk -> the count by note and coin, when counted so
        self._cash_day: date | None = None  # the day the cash table was typed for
        self.report: DayClose | None = None
        self.report_path: Path | None = None
        self._filling = False

        self.title = QLabel("")
        self.title.setObjectName("dayclose_title")
        self.title.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.summary = QLabel("計算中…")
        self.summary.setObjectName("dayclose_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clerks = self._table("clerk_table", ("承辦人", "件數", "作廢", "規費", "應收現金"))
        self.services_table = self._table("service_table", ("申辦項目", "件數", "規費"))
        self.cash_table = self._table("cash_table", CASH_COLUMNS)
        self.cash_table.setEditTriggers(
            QTableWidget.EditTrigger.AllEditTriggers & ~QTableWidget.EditTrigger.CurrentChanged
        )
        self.cash_table.itemChanged.connect(self.on_cash_item_changed)
        self.cash_table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        self.problems = QListWidget()
        self.problems.setObjectName("problem_list")
        self.note = QPlainTextEdit()
        self.note.setObjectName("dayclose_note")
        self.note.setPlaceholderText("主管說明：有差異時請寫明處理情形（例如：網路中斷，已請承辦人明日補傳）")
        self.note.setMaximumHeight(70)
        self.note.setTabChangesFocus(True)  # Tab leaves the note for the buttons, as in every other field
        self.note.textChanged.connect(self.update_blockers)
        self.blockers = QLabel("")
        self.blockers.setObjectName("dayclose_blockers")
        self.blockers.setWordWrap(True)
        self.blockers.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.message = QLabel("")
        self.message.setObjectName("dayclose_message")
        self.message.setWordWrap(True)

        self.refresh_button = QPushButton("重新計算 (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        self.preview_button = QPushButton("預覽報表")
        self.preview_button.setObjectName("preview_button")
        self.preview_button.clicked.connect(self.preview)
        self.print_button = QPushButton("列印… (Ctrl+P)")
        self.print_button.setObjectName("print_button")
        self.print_button.clicked.connect(self.print_report)
        self.pieces_button = QPushButton("依面額點收… (Ctrl+M)")
        self.pieces_button.setObjectName("pieces_button")
        self.pieces_button.clicked.connect(self.count_pieces)
        self.sign_button = QPushButton("主管簽核日結…")
        self.sign_button.setObjectName("sign_button")
        self.sign_button.clicked.connect(self.sign)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_report)
        QShortcut(QKeySequence("Ctrl+M"), self, self.count_pieces)

        self.pdf_doc, self.pdf_view = pdf_preview(self, "dayclose_view", "日結報表預覽", multi_page=True)

        # The figures scroll; the buttons stay below them in sight whatever the screen (a 768-px counter PC).
        left = QWidget()
        figures = QVBoxLayout(left)
        figures.addWidget(self.title)
        figures.addWidget(self.summary)
        for caption, table in (
            ("各承辦人：", self.clerks),
            ("各申辦項目：", self.services_table),
            ("現金點收（請輸入實點金額或依面額點收；有差額須寫明原因）：", self.cash_table),
        ):
            figures.addWidget(QLabel(caption))
            table.setMinimumHeight(110)
            figures.addWidget(table, 1)
        figures.addWidget(self.pieces_button, 0, Qt.AlignmentFlag.AlignLeft)
        figures.addWidget(QLabel("差異與提醒："))
        self.problems.setMinimumHeight(90)
        figures.addWidget(self.problems, 1)
        figures.addWidget(self.note)
        figures.addWidget(self.blockers)
        figures.addWidget(self.message)
        scroll = QScrollArea()
        scroll.setObjectName("dayclose_scroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        buttons = QHBoxLayout()
        for button in (self.refresh_button, self.preview_button, self.print_button, self.sign_button):
            buttons.addWidget(button)
        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(self.pdf_view)
        splitter.setSizes([620, 480])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(1200, 820))

    @staticmethod
    def _table(name: str, headers: tuple[str, ...]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(list(headers))
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        return table

    # -- figures ---------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Compute the day again (asking the city for its digest) on the network lane."""
        books = self._services.books
        assert books is not None
        day = self._services.today()
        self.message.setText("計算中…（向市府伺服器比對本日案件）")
        self._runner.run("net", lambda: books.prepare(day), self.show_report, self.show_error, owner=self)

    def show_report(self, report: DayClose) -> None:
        self.report = report
        self.title.setText(f"{format_roc(report.day)} 日結　{status_text(report)}")
        self.summary.setText(
            f"有效案件 {report.cases:,} 件（作廢 {report.voided} 件）　規費 {report.fee_total:,} 元"
            + (f"（{money(report.fees)}）" if report.fees else "")
            + (f"　免徵 {report.waived} 件" if report.waived else "")
            + f"　應收現金 {report.cash_expected:,} 元\n"
            f"收據 {report.first_receipt or '—'} ～ {report.last_receipt or '—'}"
        )
        self._fill(
            self.clerks, [(k.clerk, k.cases, k.voided, clerk_fees_text(k), k.cash_expected) for k in report.clerks]
        )
        self._fill(
            self.services_table,
            [(service_name(self._services.catalog, s.code), s.cases, money(s.fees)) for s in report.services],
        )
        self._fill_cash(report)
        self.problems.clear()
        for problem, line in zip(report.problems(), problem_lines(report), strict=True):
            item = QListWidgetItem(("⚠ " if problem.needs_note else "・") + line)
            if problem.needs_note:
                item.setForeground(QColor("#b3261e"))
            self.problems.addItem(item)
        if not report.problems():
            self.problems.addItem("無差異。")
        signed = report.signed
        self.sign_button.setEnabled(not signed)
        self.cash_table.setEnabled(not signed)
        self.pieces_button.setEnabled(not signed and self.cash_table.rowCount() > 0)
        self.note.setReadOnly(signed)
        self.message.setText("本日已簽核，資料已鎖定；如需更正請以更正登錄處理。" if signed else "")
        self.update_blockers()
        self.preview()

    def _fill(self, table: QTableWidget, rows: list[tuple[object, ...]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(f"{value:,}" if isinstance(value, int) else str(value))
                if isinstance(value, int):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()

    def _fill_cash(self, report: DayClose) -> None:
        """One row per clerk with cash expected; the counted amount and the explanation are typed in (a signed day
        shows what was signed)."""
        if report.day != self._cash_day:  # another day: nothing typed for the last one carries over
            self._cash_day, self._pieces = report.day, {}
            self.cash_table.setRowCount(0)
        typed = {} if report.signed else self._typed()  # F5 keeps what was typed for a clerk still listed
        self._filling = True
        signed, note = signed_inputs(report)
        if report.signed:
            self.note.setPlainText(note)
            self._pieces = signed_pieces(report)
        lines = cash_lines(report, signed, self._pieces)
        self.cash_table.setRowCount(len(lines))
        for r, line in enumerate(lines):
            counted, explanation = typed.get(line.clerk, ("" if line.counted is None else str(line.counted), ""))
            explanation = explanation or line.explanation
            cells = (line.clerk, f"{line.expected:,}", counted, "", pieces_text(line.pieces), explanation)
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if c not in (COUNTED, EXPLANATION):
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.cash_table.setItem(r, c, item)
        self.cash_table.resizeColumnsToContents()
        self._filling = False

    def _typed(self) -> dict[str, tuple[str, str]]:
        """The table as typed: clerk -> (counted, explanation) text."""
        return {
            self._cell(r, 0).text(): (self._cell(r, COUNTED).text(), self._cell(r, EXPLANATION).text())
            for r in range(self.cash_table.rowCount())
        }

    def count_pieces(self) -> None:
        """Count the selected clerk's cash by note and coin (the first clerk when none is selected): the counted
        amount becomes the count's total."""
        if self.report is None or self.report.signed or self.cash_table.rowCount() == 0:
            return
        row = max(self.cash_table.currentRow(), 0)
        clerk = self._cell(row, 0).text()
        expected = next(line.expected for line in cash_lines(self.report, {}) if line.clerk == clerk)
        count = self._ask_pieces(self, clerk, expected, self._pieces.get(clerk, ()))
        if count is None:
            return
        self.set_pieces(clerk, count)

    def set_pieces(self, clerk: str, count: Pieces) -> None:
        """Record a clerk's count by note and coin; its total goes into 實點現金 (no count: back to an amount)."""
        row = next(r for r in range(self.cash_table.rowCount()) if self._cell(r, 0).text() == clerk)
        if count:
            self._pieces[clerk] = count
        else:
            self._pieces.pop(clerk, None)
        self._filling = True
        self._cell(row, PIECES).setText(pieces_text(count))
        self._filling = False
        self._cell(row, COUNTED).setText(str(total(count)) if count else "")  # updates the blockers
        self.cash_table.resizeColumnsToContents()

    def set_counted(self, clerk: str, amount: str, explanation: str = "") -> None:
        """Type a clerk's counted cash (and explanation) into the cash table, as the supervisor would."""
        for r in range(self.cash_table.rowCount()):
            if self._cell(r, 0).text() == clerk:
                self._cell(r, COUNTED).setText(amount)
                self._cell(r, EXPLANATION).setText(explanation)
                return
        raise KeyError(clerk)

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.cash_table.item(row, column)
        assert item is not None  # every cell is filled in _fill_cash
        return item

    def on_cash_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        self.update_blockers()

    def counted(self) -> tuple[tuple[CashLine, ...], list[str]]:
        """What the supervisor typed: the cash lines, and the problems with what was typed (bad amounts)."""
        if self.report is None:
            return (), []
        typed: dict[str, tuple[int | None, str]] = {}
        bad: list[str] = []
        self._filling = True
        for r in range(self.cash_table.rowCount()):
            clerk = self._cell(r, 0).text()
            raw = self._cell(r, COUNTED).text()
            explanation = self._cell(r, EXPLANATION).text()
            amount: int | None = None
            if raw.strip():
                try:
                    amount = int(validate_amount(raw))
                except DomainError as exc:
                    bad.append(f"{clerk}：{text(exc.code, **exc.params)}")
            typed[clerk] = (amount, explanation)
        lines = cash_lines(self.report, typed, self._pieces)
        for r, line in enumerate(lines):
            diff = self._cell(r, DIFFERENCE)
            diff.setText("" if line.difference is None else f"{line.difference:+,}")
            diff.setForeground(QColor("#b3261e") if line.difference else QColor("#1f2933"))
        self._filling = False
        return lines, bad

    def update_blockers(self) -> None:
        if self.report is None:
            return
        lines, bad = self.counted()
        problems = bad + [text(p.code, **p.params) for p in sign_off_problems(self.report, lines, self.note_text)]
        if self.report.signed:
            problems = []
        self.blockers.setText("\n".join(f"・{p}" for p in problems))
        if not problems and self.message.text().startswith("尚不能簽核"):
            self.message.clear()  # the refusal was answered

    @property
    def note_text(self) -> str:
        return self.note.toPlainText()

    # -- report ----------------------------------------------------------------------------------------------

    def preview(self) -> None:
        if self.report is None:
            return
        report, (lines, _bad), note = self.report, self.counted(), self.note_text
        services = self._services
        self._runner.run(
            "db", lambda: write_dayclose(report, lines, note, services), self._show_pdf, self.show_error, owner=self
        )

    def _show_pdf(self, path: Path) -> None:
        self.report_path = path
        self.pdf_doc.load(str(path))

    def print_report(self) -> None:
        if self.report_path is None:
            self.message.setText("請先預覽報表。")
            return
        printed = self._print(self, self.report_path)
        if printed:
            self.message.setText(f"已送出列印：{self.report_path.name}")

    # -- sign-off --------------------------------------------------------------------------------------------

    def sign(self) -> None:
        report = self.report
        if report is None:
            return
        lines, bad = self.counted()
        blockers = bad + [text(p.code, **p.params) for p in sign_off_problems(report, lines, self.note_text)]
        if blockers:
            self.message.setText("尚不能簽核：\n" + "\n".join(blockers))
            return
        answer = self._ask_supervisor(
            self, "主管簽核日結", f"簽核 {format_roc(report.day)} 日結：簽核後本日資料即鎖定，之後只能更正登錄。", False
        )
        if answer is None:
            return
        supervisor, password, _ = answer
        books, services, note = self._services.books, self._services, self.note_text
        assert books is not None

        def work() -> tuple[CloseRecord, Path]:
            record = books.sign(report, lines, note, supervisor, password)
            signed = books.prepare(report.day, ask_server=False)
            return record, write_dayclose(signed, lines, note, services)

        self.sign_button.setEnabled(False)
        self._runner.run("net", work, self._signed, self._sign_failed, owner=self)

    def _signed(self, result: tuple[CloseRecord, Path]) -> None:
        record, path = result
        self._show_pdf(path)
        self.message.setText(f"日結已簽核（{record.closed_by}），報表：{path.name}；簽核紀錄將同步至市府。")
        self.signed.emit(record, path)
        self.refresh()

    def _sign_failed(self, exc: BaseException) -> None:
        self.sign_button.setEnabled(True)
        self.show_error(exc)

    def show_error(self, exc: BaseException) -> None:
        if not isinstance(exc, DomainError | StoreError | SyncError):
            log.exception("day close failed", exc_info=exc)
        self.message.setText(describe(exc))
