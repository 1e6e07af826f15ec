"""受益人複查 (periodic re-verification): choose a service and a list of beneficiaries, run it in the background
with a progress bar, cancel and resume, see who changed, export CSV and PDF.

The work is sync.services.review.ReviewService's; this page collects choices and shows results."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.paperwork import REVIEW_COLUMNS, review_rows, write_review
from desktop.tasks import TaskRunner
from desktop.views.errors import describe
from desktop.views.screen import fit_to_screen
from forms.review import STILL_ELIGIBLE
from sync.ledger.reviews import ReviewLine, ReviewRun
from sync.services.review import ReviewProgress, suited

if TYPE_CHECKING:
    from desktop.bootstrap import Services

log = logging.getLogger(__name__)
ChooseFile = Callable[[QWidget], "Path | None"]
MAX_FILE_BYTES = 5_000_000
UNREADABLE = "無法讀取名單檔：請確認檔案存在，且以 UTF-8 編碼儲存（Excel 請另存為「CSV UTF-8」）。"


def choose_csv(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "選擇受益人名單", "", "CSV 檔 (*.csv *.txt)")
    return Path(name) if name else None


class ReviewPage(QWidget):
    """Signals:
    progressed(int, int): done and total, emitted from the worker thread (delivered on the GUI thread).
    """

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        choose_file: ChooseFile | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("review_page")
        self.setWindowTitle("受益人複查")
        self._services = services
        self._runner = runner
        self._choose_file = choose_file or choose_csv
        self._cancel = threading.Event()
        self.run: ReviewRun | None = None
        self.lines: list[ReviewLine] = []
        self.exported: tuple[Path, Path] | None = None
        self.running = False

        self.service_box = QComboBox()
        self.service_box.setObjectName("review_service")
        for service in services.catalog:
            if suited(service):
                self.service_box.addItem(f"{service.code}　{service.name_zh}", service.code)
        self.from_cases = QRadioButton("本機受益人案件（初審符合或市府核准）")
        self.from_cases.setChecked(True)
        self.from_file = QRadioButton("名單檔（CSV：身分證統一編號，可含姓名、出生日期）")
        self.start_button = QPushButton("開始複查")
        self.start_button.setObjectName("review_start")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("取消 (Esc)")
        self.cancel_button.setObjectName("review_cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button = QPushButton("繼續上次")
        self.resume_button.setObjectName("review_resume")
        self.resume_button.clicked.connect(self.resume)
        self.export_button = QPushButton("匯出 CSV 與 PDF")
        self.export_button.setObjectName("review_export")
        self.export_button.clicked.connect(self.export)
        self.progress = QProgressBar()
        self.progress.setObjectName("review_progress")
        self.progress.setFormat("%v / %m 人")
        self.status = QLabel("")
        self.status.setObjectName("review_status")
        self.status.setWordWrap(True)
        self.only_changes = QCheckBox("只顯示有變動或可另申請者")
        self.only_changes.setChecked(True)
        self.only_changes.toggled.connect(self.show_lines)
        self.table = QTableWidget(0, len(REVIEW_COLUMNS))
        self.table.setObjectName("review_table")
        self.table.setHorizontalHeaderLabels(list(REVIEW_COLUMNS))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

        choose = QHBoxLayout()
        choose.addWidget(QLabel("項目："))
        choose.addWidget(self.service_box, 1)
        sources = QVBoxLayout()
        sources.addWidget(self.from_cases)
        sources.addWidget(self.from_file)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.cancel_button, self.resume_button, self.export_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addLayout(sources)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.only_changes)
        layout.addWidget(self.table, 1)
        fit_to_screen(self, QSize(1100, 700))
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel)
        self._set_running(False)

    # -- starting --------------------------------------------------------------------------------------------

    def _set_running(self, running: bool) -> None:
        self.running = running
        for widget in (self.start_button, self.service_box, self.from_cases, self.from_file, self.export_button):
            widget.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        unfinished = self._services.ledger.reviews.unfinished()
        self.resume_button.setEnabled(not running and unfinished is not None)
        if not running and unfinished is not None and self.run is None:
            self.status.setText(
                f"上次的複查尚未完成（{unfinished.done:,} / {unfinished.total:,} 人，名單：{unfinished.source}），"
                "可按「繼續上次」。"
            )

    def start(self) -> None:
        reviews = self._services.reviews
        assert reviews is not None
        code = str(self.service_box.currentData())
        if self.from_file.isChecked():
            path = self._choose_file(self)
            if path is None:
                return
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    self.status.setText("名單檔過大（上限 5 MB），請分批處理。")
                    return
                content = path.read_bytes().decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                self.status.setText(
                    "無法讀取名單檔：請確認檔案存在，且以 UTF-8 編碼儲存（Excel 另存為「CSV UTF-8」）。"
                )
                return
            name = path.name

            def create() -> ReviewRun:
                return reviews.start_from_csv(code, name, content)

        else:

            def create() -> ReviewRun:
                return reviews.start_from_cases(code)

        self._set_running(True)
        self.status.setText("準備名單…")
        self._runner.run("db", create, self._go, self._failed, owner=self)

    def resume(self) -> None:
        unfinished = self._services.ledger.reviews.unfinished()
        if unfinished is None:
            return
        index = self.service_box.findData(unfinished.service_code)
        if index >= 0:
            self.service_box.setCurrentIndex(index)
        self._set_running(True)
        self._go(unfinished)

    def _go(self, run: ReviewRun) -> None:
        reviews = self._services.reviews
        assert reviews is not None
        self.run = run
        self._cancel.clear()
        self.progress.setRange(0, max(1, run.total))
        self.progress.setValue(run.done)
        self.status.setText(f"複查中…（名單：{run.source}，共 {run.total:,} 人）")
        self._runner.run(
            "net",
            lambda: reviews.run(run.run_id, progress=self._report, cancelled=self._cancel.is_set),
            self._finished,
            self._failed,
            owner=self,
        )

    def _report(self, p: ReviewProgress) -> None:
        self._runner.post(lambda: self.on_progressed(p.done, p.total), owner=self)  # from the worker thread

    def on_progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def cancel(self) -> None:
        if self.running:
            self._cancel.set()
            self.status.setText("取消中…（本批完成後停止，已完成的結果會保留）")

    # -- results ---------------------------------------------------------------------------------------------

    def _finished(self, run: ReviewRun) -> None:
        self.run = run
        self.lines = self._services.ledger.reviews.lines(run.run_id)
        changed = sum(line.change != STILL_ELIGIBLE for line in self.lines)
        if run.finished:
            self.status.setText(f"複查完成：{run.total:,} 人，資格變動 {changed:,} 人。")
        else:
            self.status.setText(
                f"已暫停：完成 {run.done:,} / {run.total:,} 人（資格變動 {changed:,} 人），可按「繼續上次」。"
            )
        self._set_running(False)
        self.show_lines()

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        if self.run is not None:
            self.run = self._services.ledger.reviews.run(self.run.run_id)
            self.lines = self._services.ledger.reviews.lines(self.run.run_id)
            self.show_lines()
        self.status.setText(describe(exc) + ("（已完成的結果已保留，可按「繼續上次」。）" if self.run else ""))

    def shown_lines(self) -> list[ReviewLine]:
        if not self.only_changes.isChecked():
            return self.lines
        return [line for line in self.lines if line.change != STILL_ELIGIBLE or line.benefits]

    def show_lines(self) -> None:
        lines = self.shown_lines()
        rows = review_rows(lines, self._services.catalog)
        self.table.setRowCount(len(rows))
        for r, (row, line) in enumerate(zip(rows, lines, strict=True)):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if line.change != STILL_ELIGIBLE:
                    item.setForeground(QColor("#b3261e"))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def export(self) -> None:
        if self.run is None or not self.lines:
            self.status.setText("尚無複查結果可匯出。")
            return
        run, lines, services = self.run, self.lines, self._services

        def done(paths: tuple[Path, Path]) -> None:
            self.exported = paths
            self.status.setText(f"已匯出：{paths[0].name}、{paths[1].name}（資料夾 {paths[0].parent}）")

        self._runner.run("db", lambda: write_review(run, lines, services), done, self._failed, owner=self)
