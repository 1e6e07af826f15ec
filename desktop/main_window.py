"""The single main window: services on the left, intake in the middle, the last receipt on the right."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.bootstrap import PRACTICE_UNLOCK, Services
from desktop.desk import DeskModel
from desktop.operations import Change, Operations
from desktop.paperwork import (
    LAYOUT_NAMES,
    PAYMENT_NAMES,
    audit_text,
    service_name,
    write_correction_slip,
    write_reprint,
    write_void_slip,
)
from desktop.printer import PrintPdf, print_direct, print_pdf, printer_names
from desktop.tasks import TaskRunner
from desktop.views.arrival_dialog import AskArrival
from desktop.views.cases_page import CasesPage
from desktop.views.closure import REFERENCE_NAMES, AskClosure, ask_closure, closure_text
from desktop.views.dayclose_page import DayClosePage
from desktop.views.devices_page import DevicesPage
from desktop.views.errors import describe
from desktop.views.idle_lock import IdleLock
from desktop.views.intake import AskOverride, Confirm, IntakeWizard, ask_yes_no
from desktop.views.officeday_page import OfficeDayPage
from desktop.views.pdf_preview import pdf_preview
from desktop.views.review_page import ChooseFile, ReviewPage
from desktop.views.screen import fit_to_screen, scrolling
from desktop.views.service_list import ServiceList
from desktop.views.step_dialog import AskStep
from desktop.views.supervisor import AskSupervisor, ask_supervisor
from desktop.views.sync_panel import AskNote, AskReason, SyncPanel
from desktop.window_state import restore_layout, save_layout
from forms.backlog import SKEW_WARN_S
from forms.catalog import Catalog
from forms.messages import text
from forms.names import mask_name
from forms.rocdate import format_roc
from forms.roles import may
from forms.types import Outcome
from sync.city.catalog_sync import pull_catalog
from sync.city.catchup import CatchUp, check_numbers_quietly, numbers_text
from sync.city.pull import pull_statuses
from sync.city.push import PushReport, push_pending
from sync.city.reconcile import Reconciliation, reconcile
from sync.ledger import PendingCase, SavedCase
from sync.ledger.settings import DEVICE_SETTINGS, PDF_PRINTER
from sync.protocol import wire
from sync.protocol.errors import SyncError, SyncErrorKind
from sync.protocol.version import update_notice
from sync.services.closures import ClosureOutcome
from sync.services.decisions import QueueSummary, summary
from sync.services.desk import DeskState, read_desk
from sync.services.intake import Reverification

log = logging.getLogger(__name__)

HEALTH_INTERVAL_MS = 30_000


def void_prompt(case: SavedCase, service: str, closed: bool) -> str:
    """What the supervisor approves, in words a person checks against the receipt in hand: who, what, how much."""
    when = f"{format_roc(case.received_at.date())} {case.received_at:%H:%M}"
    method = PAYMENT_NAMES.get(case.payment_method, case.payment_method)
    money = f"規費 {case.fee:,} 元（{method}）需退還" if case.fee else "未收規費"
    lines = [
        f"作廢收據 {case.receipt_number}",
        f"申請人 {mask_name(case.applicant_name)}（{case.id_masked}）　{service}",
        f"受理 {when}　承辦 {case.clerk}　{money}",
        f"案件 {case.case_number}",
    ]
    if closed:
        lines.append("該營業日已日結簽核：將以「更正登錄」作廢並退費，連結原日結。")
    return "\n".join(lines)


class MainWindow(QMainWindow):
    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        confirm: Confirm | None = None,
        override_dialog: AskOverride | None = None,
        reason_dialog: AskReason | None = None,
        note_dialog: AskNote | None = None,
        supervisor_dialog: AskSupervisor | None = None,
        closure_dialog: AskClosure | None = None,
        printer: PrintPdf | None = None,
        choose_file: ChooseFile | None = None,
        step_dialog: AskStep | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.runner = runner
        self._confirm = confirm or ask_yes_no
        self._ask_supervisor = supervisor_dialog or ask_supervisor
        self._ask_closure = closure_dialog or ask_closure
        self._print = printer or print_pdf
        self.dayclose_page: DayClosePage | None = None
        self.review_page: ReviewPage | None = None
        self.devices_page: DevicesPage | None = None
        self.cases_page: CasesPage | None = None
        self.officeday_page: OfficeDayPage | None = None
        self._ask_step = step_dialog
        self._ask_arrival: AskArrival | None = None  # the real 到件登錄 dialog unless a test or the demo answers
        self._choose_file = choose_file
        self.shown_pdf: Path | None = None  # what the preview shows (and Ctrl+P prints)
        self.last_printed: str | None = None  # the printer or PDF file the last print went to
        self.setWindowTitle(f"Counterdesk 臨櫃服務 — {services.device.office.name}")
        fit_to_screen(self)
        self.last_receipt: Path | None = None
        self.last_dayclose: Path | None = None
        self.last_notice: Path | None = None
        self._syncing = False
        self._push_again = False
        self._verifying = False
        self._key_registered = False
        # Every change goes through an operation; what it changed refreshes the views that show it.
        self.ops = Operations(runner, self)
        self._run = self.ops.for_owner(self)
        self.ops.did_change.connect(self._changed)
        self.desk = DeskModel(
            self.ops, lambda query: read_desk(services.ledger, services.intake.backlog_state(), query), self
        )
        self.desk.loaded.connect(self._show_desk)
        self.desk.failed.connect(lambda exc: self.statusBar().showMessage(describe(exc), 30_000))

        self.service_list = ServiceList(services.catalog)
        self.intake = IntakeWizard(services, self.ops, confirm, override_dialog)
        self.pdf_doc, self.pdf_view = pdf_preview(self, "receipt_view", "收據預覽", multi_page=False)
        preview = QWidget()
        preview_layout = QVBoxLayout(preview)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.addWidget(QLabel("收據預覽"))
        preview_layout.addWidget(self.pdf_view, 1)

        splitter = QSplitter()
        self.counter_splitter = splitter
        splitter.addWidget(self.service_list)
        splitter.addWidget(self.intake)
        splitter.addWidget(preview)
        # Shares of the window's width (it was fitted to the screen above): on a 1366-px screen at 150 % the intake
        # keeps half, the service names stay readable.
        width = self.width()
        splitter.setSizes([max(220, width * 22 // 100), width * 50 // 100, width * 28 // 100])
        self.service_list.setMinimumWidth(220)
        for index, stretch in enumerate((0, 1, 0)):
            splitter.setStretchFactor(index, stretch)

        central = QWidget()
        layout = QVBoxLayout(central)
        if services.practice:
            banner = QLabel("練習模式：使用模擬市府伺服器與虛構民眾資料，所開收據非正式收據。")
            banner.setObjectName("practice_banner")
            banner.setWordWrap(True)
            banner.setStyleSheet("background: #ffe08a; color: #4a3800; padding: 6px; font-weight: bold;")
            layout.addWidget(banner)
        # Two pages in the window, never a dock that grows it: the counter (F8 leaves it) and the sync page.
        self.pages = QStackedWidget()
        self.pages.setObjectName("main_pages")
        self.pages.addWidget(splitter)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.sync_panel = SyncPanel(
            services.ledger,
            services.intake.clerk,
            self.ops,
            self.desk,
            reason_dialog,
            note_dialog,
            service_name=lambda code: service_name(self.services.catalog, code),
        )
        self.sync_panel.sync_requested.connect(self.sync_now)
        self.sync_panel.correction_requested.connect(self.on_sync_panel_correction_requested)
        self.sync_panel.reprint_requested.connect(self.on_sync_panel_reprint_requested)
        self.sync_panel.void_requested.connect(self.on_sync_panel_void_requested)
        self.sync_page = scrolling(self.sync_panel, "sync_page")
        self.pages.addWidget(self.sync_page)
        self.offline_banner = QLabel("離線作業中：案件先存於本機，連線後自動上傳；查驗結果將以「待查驗」處理。")
        self.offline_banner.setObjectName("offline_banner")
        self.offline_banner.setWordWrap(True)
        self.offline_banner.setStyleSheet("background: #f9d7d5; color: #7a1712; padding: 6px; font-weight: bold;")
        self.offline_banner.setVisible(False)
        layout.insertWidget(0, self.offline_banner)
        self.sync_action = self._action("立即同步 (F9)", "F9", self.sync_now)
        self.sync_page_action = self._action("同步狀態 (F8)", "F8", self.toggle_sync_page)
        self.sync_page_action.setCheckable(True)
        self.dayclose_action = self._action("日結 (Ctrl+D)", "Ctrl+D", self.close_day)
        self.dayclose_action.setEnabled(may(services.role, "day_close"))
        self.print_action = self._action("列印收據 (Ctrl+P)", "Ctrl+P", self.print_preview)
        self.review_action = self._action("受益人複查 (Ctrl+R)", "Ctrl+R", self.open_review)
        self.review_action.setEnabled(may(services.role, "review"))
        self.devices_action = self._action("設備管理 (Ctrl+E)", "Ctrl+E", self.open_devices)
        self.devices_action.setEnabled(may(services.role, "manage_devices"))
        self.officeday_action = self._action("本所日結 (Ctrl+Shift+D)", "Ctrl+Shift+D", self.open_office_day)
        self.officeday_action.setEnabled(may(services.role, "day_close"))
        self.cases_action = self._action("案件處理 (Ctrl+K)", "Ctrl+K", self.open_cases)
        self.cases_action.setEnabled(may(services.role, "decide"))
        self.search_action = self._action("搜尋項目", "Ctrl+F", self.service_list.search_edit.setFocus)
        toolbar = self.addToolBar("main")
        toolbar.setObjectName("main_toolbar")
        toolbar.addAction(self.sync_action)
        toolbar.addAction(self.sync_page_action)
        toolbar.addAction(self.dayclose_action)
        toolbar.addAction(self.officeday_action)
        toolbar.addAction(self.print_action)
        toolbar.addAction(self.review_action)
        toolbar.addAction(self.cases_action)
        toolbar.addAction(self.devices_action)
        self.addAction(self.search_action)
        settings = self.menuBar().addMenu("設定")
        self.layout_actions = self._choice_menu(settings, "receipt_layout", self.set_receipt_layout)
        self.printer_menu = settings.addMenu("印表機")
        self.printer_menu.aboutToShow.connect(self._fill_printer_menu)
        self._fill_printer_menu()
        self.print_on_accept_action = QAction(DEVICE_SETTINGS["print_on_accept"].label, self, checkable=True)
        self.print_on_accept_action.setChecked(services.ledger.settings.get("print_on_accept") == "1")
        self.print_on_accept_action.toggled.connect(lambda on: self.set_setting("print_on_accept", "1" if on else "0"))
        settings.addAction(self.print_on_accept_action)
        self.closure_action = QAction("停止上班登錄（颱風等）…", self)
        self.closure_action.triggered.connect(self.declare_closure)
        self.closure_action.setEnabled(may(services.role, "declare_closure"))
        settings.addAction(self.closure_action)
        self.settings_action = QAction("本機設定（字級、閒置鎖定）…", self)
        self.settings_action.triggered.connect(self.edit_settings)
        self.settings_action.setEnabled(services.role == "supervisor")  # a clerk cannot lengthen the idle lock
        settings.addAction(self.settings_action)

        self.online_label = QLabel("連線狀態：檢查中…")
        self.online_label.setObjectName("online_label")
        self.outbox_label = QLabel("")
        self.outbox_label.setObjectName("outbox_label")
        self.warning_label = QLabel("")
        self.warning_label.setObjectName("warning_label")
        self.warning_label.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.warning_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.warning_label)
        self.update_label = QLabel("")  # its own: the outbox warnings above are rewritten at every refresh
        self.update_label.setObjectName("update_label")
        self.update_label.setStyleSheet("color: #8a4b00;")
        self.update_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.update_label)
        self.print_label = QLabel("")
        self.print_label.setObjectName("print_label")
        self.print_label.setWordWrap(True)
        self.print_label.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.print_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.print_label, 1)
        self.audit_label = QLabel("")
        self.audit_label.setObjectName("audit_label")
        self.audit_label.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.audit_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.audit_label)
        self.overdue_label = QLabel("")
        self.overdue_label.setObjectName("overdue_label")
        self.overdue_label.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.overdue_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.overdue_label)
        self.statusBar().addPermanentWidget(self.online_label)
        self.statusBar().addPermanentWidget(self.outbox_label)

        self.service_list.service_chosen.connect(self.intake.set_service)
        self.intake.case_saved.connect(self.on_intake_case_saved)
        self.intake.notice_written.connect(self.on_intake_notice_written)
        self.intake.citizen_started.connect(self.clear_preview)
        self.intake.network_state_changed.connect(self.set_online)
        self._push_timer = QTimer(self)
        self._push_timer.setInterval(150)
        self._health_timer = QTimer(self)
        self._health_timer.setInterval(HEALTH_INTERVAL_MS)
        self._health_timer.timeout.connect(self.check_health)
        self._health_timer.start()
        hint = f"練習模式：解鎖密碼為「{PRACTICE_UNLOCK}」" if services.practice else ""
        self.idle_lock = IdleLock(self, services.idle_lock_s, services.unlock, hint)
        self.idle_lock.locked.connect(self.check_ledger)  # the full check runs while nobody is working
        self.desk.reload()
        self.check_health()
        if services.role == "supervisor" and services.decisions is not None:
            # 逾期預警 on start: a supervisor sees late cases before the first citizen (quiet when offline).
            decisions = services.decisions
            self._run("net", lambda: summary(decisions.queue()), self.show_overdue, lambda _exc: None)
        self._run("db", services.ledger.audit.verify_chain, self._audit_checked, self._sync_failed)
        # Before the first case: is this ledger level with what the city holds of the device?
        self._run(
            "net",
            lambda: check_numbers_quietly(services.ledger, services.client),
            self._numbers_checked,
            self._sync_failed,
            Change.LEDGER | Change.CASES,
        )
        self.service_list.search_edit.setFocus()

    def _numbers_checked(self, found: CatchUp | None) -> None:
        if found is not None and (message := numbers_text(found)):
            self.statusBar().showMessage(message, 30_000)

    def _changed(self, changes: Change) -> None:
        """An operation changed something: what waits for the city goes now (the views refresh themselves)."""
        if changes & Change.TO_SEND:
            self.sync_now()

    def _choice_menu(self, parent: QMenu, key: str, choose: Callable[[str], None]) -> dict[str, QAction]:
        """A submenu of one declared setting's choices, the current one checked."""
        setting = DEVICE_SETTINGS[key]
        menu = parent.addMenu(setting.label)
        current = self.services.ledger.settings.get(key)
        group = QActionGroup(menu)
        actions: dict[str, QAction] = {}
        for value, label in setting.choices.items():
            action = QAction(label, menu, checkable=True)
            action.setChecked(current == value)
            action.triggered.connect(lambda _checked=False, v=value: choose(v))
            group.addAction(action)
            menu.addAction(action)
            actions[value] = action
        return actions

    def _fill_printer_menu(self) -> None:
        """The printers this PC knows now (one may have been added since), plus asking each time and PDF files."""
        menu, current = self.printer_menu, self.services.ledger.settings.get("printer")
        menu.clear()
        group = QActionGroup(menu)
        choices = [("", "每次詢問（開啟列印對話框）"), *((n, n) for n in printer_names())]
        choices.append((PDF_PRINTER, "存為 PDF 檔（不送印表機）"))
        for value, label in choices:
            action = QAction(label, menu, checkable=True)
            action.setChecked(current == value)
            action.triggered.connect(lambda _checked=False, v=value: self.set_printer(v))
            group.addAction(action)
            menu.addAction(action)

    def _action(self, label: str, keys: str, slot: Callable[[], object]) -> QAction:
        action = QAction(label, self)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        return action

    # -- status --------------------------------------------------------------------------------------------------

    def set_online(self, online: bool) -> None:
        self.online_label.setText("● 已連線市府伺服器" if online else "○ 離線作業中")
        self.online_label.setStyleSheet(f"color: {'#1b7f3b' if online else '#b3261e'};")
        self.offline_banner.setVisible(not online)

    def _show_desk(self, state: DeskState) -> None:
        attention = f"，需處理 {state.attention} 件" if state.attention else ""
        self.outbox_label.setText(f"待上傳 {state.counts['pending']} 件{attention}")
        self.show_warnings(state)

    def show_warnings(self, state: DeskState) -> None:
        """Backlog, ledger and clock problems stay in sight in the status bar until they are gone."""
        warnings = []
        if state.backlog.code:
            warnings.append(text(state.backlog.code, **state.backlog.params))
        if state.damage is not None:
            warnings.append(text("ledger_unreadable", where=state.damage))
        elif state.standing:
            other = state.standing[0] == "other_ledger"
            warnings.append(text("ledger_other") if other else text("ledger_behind", detail=state.standing[0]))
        skew = state.clock_skew_s
        if skew is not None and abs(skew) > SKEW_WARN_S:
            warnings.append(text("clock_skew", minutes=round(abs(skew) / 60)))
        self.warning_label.setText("⚠ " + " ".join(warnings) if warnings else "")
        self.warning_label.setVisible(bool(warnings))

    def on_sync_panel_reprint_requested(self, case: SavedCase) -> None:
        def done(path: Path) -> None:
            self.last_receipt = path
            self.show_pdf(path)
            self.statusBar().showMessage(f"已補印：{path.name}", 10_000)

        self._run("db", lambda: write_reprint(case, self.services), done, self._sync_failed)

    def on_sync_panel_correction_requested(self, key: str) -> None:
        def done(details: PendingCase) -> None:
            service = self.services.catalog.get(details.service_code)
            self.service_list.choose(service.code)
            self.intake.correct(service, details)

        self._run("db", lambda: self.services.ledger.cases.applicant_details(UUID(key)), done, self._sync_failed)

    def toggle_sync_page(self) -> None:
        self.show_sync_page(not self.sync_page_shown)

    @property
    def sync_page_shown(self) -> bool:
        return self.pages.currentWidget() is self.sync_page

    def show_sync_page(self, shown: bool) -> None:
        """F8: the sync page instead of the counter, and back (the intake keeps what was typed)."""
        self.pages.setCurrentIndex(self.pages.indexOf(self.sync_page) if shown else 0)
        self.sync_page_action.setChecked(shown)
        if shown:
            self.desk.reload()  # the server's notes may have changed since
            self.sync_panel.setFocus()
        else:
            self.intake.setFocus()

    def check_health(self) -> None:
        def ok(health: wire.Health) -> None:
            self.set_online(True)
            notice = update_notice(health.minimum_version, health.latest_version)
            if notice is not None:  # the city told every app which release is current
                self.update_label.setText(text(notice[0], **notice[1]))
                self.update_label.setVisible(True)

        def failed(exc: BaseException) -> None:
            self.set_online(False)

        self._run("net", self.services.client.health, ok, failed)

    def check_ledger(self) -> None:
        """The ledger's full check (SQLite's integrity check, the whole audit chain, every value): damage found
        stops writes and stays in sight."""
        self._run("db", self.services.ledger.check_integrity, lambda _found: None, self._sync_failed, Change.LEDGER)

    def _audit_checked(self, first_bad: int | None) -> None:
        """A broken audit chain stays in sight (not a dialog the clerk clicks away)."""
        if first_bad is not None:
            self.audit_label.setText(f"⚠ 查驗稽核軌跡{audit_text(first_bad)}")
            self.audit_label.setVisible(True)

    # -- intake --------------------------------------------------------------------------------------------------

    def on_intake_case_saved(self, case: SavedCase, path: Path) -> None:
        self.last_receipt = path
        self.show_pdf(path)
        self.statusBar().showMessage(f"收據已存檔：{path.name}", 10_000)
        self._print_automatically(path)

    def on_intake_notice_written(self, path: Path) -> None:
        self.last_notice = path
        self.show_pdf(path)
        self.statusBar().showMessage(f"一次告知單已產生：{path.name}", 10_000)
        self._print_automatically(path)

    # -- sync ----------------------------------------------------------------------------------------------------

    def sync_now(self) -> None:
        if self._syncing:
            self._push_again = True  # what was queued meanwhile goes right after this push
            return
        self._syncing, self._push_again = True, False
        self.sync_action.setEnabled(False)
        services = self.services
        progress = [0, 0]  # answered, queued: written by the worker, read by the timer
        self.sync_panel.set_progress(0, 0)
        self._push_timer.timeout.connect(lambda: self.sync_panel.set_progress(progress[0], progress[1]))
        self._push_timer.start()

        def push() -> PushReport:
            progress[1] = services.ledger.outbox.counts()["pending"]
            numbers = check_numbers_quietly(services.ledger, services.client)
            report = push_pending(
                services.ledger, services.client, ignore_schedule=True, progress=lambda n: progress.__setitem__(0, n)
            )
            report.numbers = numbers
            return report

        # A push cut off half-way has still delivered part of the queue: the desk is read again either way.
        sent = Change.QUEUE | Change.CASES | Change.LEDGER
        self._run("net", push, self._synced, self._push_failed, sent, changes_on_failure=sent)

    def _push_done(self) -> None:
        self._push_timer.stop()
        try:
            self._push_timer.timeout.disconnect()
        except (RuntimeError, TypeError):
            pass
        self.sync_panel.set_progress(None)
        self._syncing = False
        self.sync_action.setEnabled(True)
        if self._push_again:
            self.sync_now()  # at once: the window is never idle between the two pushes

    def _push_failed(self, exc: BaseException) -> None:
        self._push_done()
        self._sync_failed(exc)

    def _synced(self, report: PushReport) -> None:
        self._push_done()
        if report.numbers is not None and (message := numbers_text(report.numbers)):
            self.statusBar().showMessage(message, 30_000)
        if report.error_code:
            self.set_online(report.error_code not in ("net_unreachable", "net_timeout"))
            self.statusBar().showMessage(text(report.error_code, status="?"), 10_000)
        else:
            self.set_online(True)
            if not self._key_registered:
                self._run("net", self.services.register_signing_key, self._key_done, lambda _exc: None)
            self.verify_deferred()
            self.pull_statuses()
            self.pull_catalog()
            self.pull_reference()
            self.reconcile_today()
            if report.delivered or report.conflict or report.rejected:
                self.statusBar().showMessage(
                    f"同步完成：送達 {report.delivered} 件，需處理 {report.conflict + report.rejected} 件", 10_000
                )

    def _key_done(self, registered: bool) -> None:
        self._key_registered = registered

    def pull_catalog(self) -> None:
        """Newer catalog entries from the city, validated whole, then used for the next intakes."""
        services = self.services
        current = services.catalog

        def done(updated: Catalog) -> None:
            if updated is current:
                return
            changed = [s.name_zh for s in updated if s not in current.services]
            services.catalog = services.intake.catalog = updated
            self.service_list.set_catalog(updated)
            self.statusBar().showMessage(f"申辦項目資料已更新：{'、'.join(changed)[:60]}", 15_000)

        self._run(
            "net",
            lambda: pull_catalog(services.ledger, services.client, current),
            done,
            lambda exc: log.warning("catalog update not applied: %s", exc),
        )

    def pull_reference(self) -> None:
        """The city's newer calendar and amounts, then the closures declared since: due dates counted again."""
        closures = self.services.closures
        if closures is None:
            return

        def done(result: tuple[list[str], ClosureOutcome]) -> None:
            kinds, closed = result
            said = [REFERENCE_NAMES[k] for k in kinds] + ([closure_text(closed)] if closed.closures else [])
            if said:
                self.statusBar().showMessage("市府資料已更新：" + "；".join(said), 30_000)

        self._run("net", closures.refresh, done, lambda exc: log.warning("reference data not applied: %s", exc))

    def edit_settings(self) -> None:
        """本機設定 (supervisors): the user's settings file, checked and written by desktop.config."""
        from desktop import config
        from desktop.views.settings_dialog import SettingsDialog

        if self.services.role != "supervisor":
            return
        try:
            current = config.load()
        except config.ConfigError as exc:
            self.statusBar().showMessage(text(exc.code, **exc.params), 30_000)
            return
        dialog = SettingsDialog(self, current, config.save_user)
        if dialog.exec() == SettingsDialog.DialogCode.Accepted and dialog.saved is not None:
            self.statusBar().showMessage(f"本機設定已儲存至 {dialog.saved}，下次開啟程式時生效。", 15_000)

    def declare_closure(self) -> None:
        """A supervisor enters a closure the city announced; the moved due dates are listed."""
        services = self.services
        if services.closures is None or not may(services.role, "declare_closure"):
            return
        answer = self._ask_closure(self, services.today())
        if answer is None:
            return
        closures = services.closures

        def done(outcome: ClosureOutcome) -> None:
            moved = [f"{c.case_number}：{format_roc(c.before)} → {format_roc(c.after)}" for c in outcome.moved]
            listed = "\n".join(moved[:20]) + (f"\n…另 {len(moved) - 20} 件" if len(moved) > 20 else "")
            self._confirm(self, "停止上班已登錄", closure_text(outcome) + ("\n\n" + listed if moved else ""))

        def failed(exc: BaseException) -> None:
            self._confirm(self, "停止上班未登錄", describe(exc))

        self._run("net", lambda: closures.declare(answer.day, answer.scope, answer.announcement), done, failed)

    def pull_statuses(self) -> None:
        """The city's status steps for this office's cases (已轉送 / 審核中 / 補件 / 核准 / 駁回)."""
        services = self.services
        self._run(
            "net",
            lambda: pull_statuses(services.ledger, services.client),
            lambda _changed: None,
            lambda exc: log.info("status pull skipped: %s", exc),
            Change.STATUSES,
        )

    def reconcile_today(self) -> None:
        """Once the queue is empty, ask the server what it holds of today's cases; what it lost goes back in the
        queue and is sent again, what differs is set aside."""
        services = self.services

        def work() -> Reconciliation | None:
            if services.ledger.outbox.counts()["pending"]:
                return None  # the next push comes first
            return reconcile(services.ledger, services.client, services.today())

        def done(result: Reconciliation | None) -> None:
            if result is not None and (result.resent or result.differing):
                self.statusBar().showMessage(
                    f"對帳：伺服器缺 {len(result.resent)} 件已重新上傳；內容不符 {len(result.differing)} 件列入需處理",
                    15_000,
                )

        def changed(result: Reconciliation | None) -> Change:
            if result is None or not (result.resent or result.differing):
                return Change.NONE
            return Change.QUEUE | (Change.TO_SEND if result.resent else Change.NONE)

        self._run("net", work, done, lambda exc: log.info("reconciliation skipped: %s", exc), changed)

    def verify_deferred(self) -> None:
        """Back online: run the look-ups of cases taken offline, decide again, and list what changed."""
        if self._verifying:
            return
        self._verifying = True

        def done(changes: list[Reverification]) -> None:
            self._verifying = False
            if changes:
                self.sync_panel.show_reverified(changes)
                passed = sum(c.decision.outcome is Outcome.PASS for c in changes)
                failed_ = sum(c.decision.outcome is Outcome.FAIL for c in changes)
                more = f"；不符資格 {failed_} 件列入需處理，請聯絡申請人" if failed_ else ""
                self.statusBar().showMessage(f"已補查 {len(changes)} 件待查驗案件：符合 {passed} 件{more}", 30_000)
                self.show_sync_page(True)

        def failed(exc: BaseException) -> None:
            self._verifying = False
            self._sync_failed(exc)

        def changed(changes: list[Reverification]) -> Change:
            # The updates go to the city at once; a failed re-check opens a follow-up.
            return Change.CASES | Change.FOLLOW_UPS | Change.TO_SEND if changes else Change.NONE

        self._run("net", self.services.intake.verify_deferred, done, failed, changed)

    def _sync_failed(self, exc: BaseException) -> None:
        """A look-up of the city or a read of the ledger failed: said in the status bar, the code in the log."""
        if isinstance(exc, SyncError):
            self.set_online(exc.kind not in (SyncErrorKind.NETWORK, SyncErrorKind.TIMEOUT))
            self.statusBar().showMessage(text(exc.code, **exc.params), 10_000)
        else:
            log.exception("sync failed", exc_info=exc)
            self.statusBar().showMessage(f"同步發生未預期的錯誤：{type(exc).__name__}", 10_000)

    # -- day close -----------------------------------------------------------------------------------------------

    def _page(self, action: str, whose: str, name: str, make: Callable[[], QWidget], refresh: bool = True) -> None:
        """One of the pages beside the counter: said whose task it is when the role may not (the server enforces
        roles too), made once, then shown, raised and (most) read again."""
        if not may(self.services.role, action):
            self.statusBar().showMessage(f"{whose}登入後執行。", 10_000)
            return
        page = getattr(self, name)
        if page is None:
            page = make()
            setattr(self, name, page)
        page.show()
        page.raise_()
        if refresh:
            page.refresh()

    def _page_args(self) -> tuple[Services, TaskRunner, Confirm]:
        return self.services, self.runner, self._confirm

    def close_day(self) -> None:
        """Open the supervisor's day-close page (figures, cash, discrepancies, preview, print, sign-off)."""

        def make() -> DayClosePage:
            page = DayClosePage(self.services, self.runner, self._ask_supervisor, self._print)
            page.signed.connect(self.on_dayclose_page_signed)
            return page

        self._page("day_close", "日結簽核須由主管", "dayclose_page", make)

    def open_review(self) -> None:
        """The supervisor's batch re-verification of a service's beneficiaries."""
        make = partial(ReviewPage, self.services, self.runner, self._choose_file)
        self._page("review", "受益人複查須由主管", "review_page", make, refresh=False)

    def open_devices(self) -> None:
        """The supervisor's device page: the office's PCs, codes for new ones, revoking lost ones."""
        self._page("manage_devices", "設備管理須由主管", "devices_page", partial(DevicesPage, *self._page_args()))

    def open_cases(self) -> None:
        """案件處理: the office's open cases (its own and 跨區收件 for it), most urgent first, and their steps."""

        def make() -> CasesPage:
            page = CasesPage(self.services, self.runner, self._ask_step, arrival_dialog=self._ask_arrival)
            page.loaded.connect(self.show_overdue)
            return page

        self._page("decide", "案件處理須由本所承辦人或主管", "cases_page", make)

    def open_office_day(self) -> None:
        """本所日結: every device of the office today, as the city holds it, and the office's sign-off."""
        self._page("day_close", "本所日結須由主管", "officeday_page", partial(OfficeDayPage, *self._page_args()))

    def show_overdue(self, found: QueueSummary) -> None:
        """Late cases stay in sight in the status bar until the queue says otherwise."""
        if found.needs_attention:
            self.overdue_label.setText(
                f"⚠ 逾期 {found.overdue} 件、2 個工作天內到期 {found.due_soon} 件（Ctrl+K 案件處理）"
            )
        self.overdue_label.setVisible(found.needs_attention)

    def on_dayclose_page_signed(self, _record: object, path: Path) -> None:
        self.last_dayclose = path
        self.statusBar().showMessage(f"日結已簽核：{path.name}", 15_000)
        self.ops.announce(Change.DAY | Change.TO_SEND)

    # -- receipts: print, layout, void ---------------------------------------------------------------------------

    def show_pdf(self, path: Path) -> None:
        self.shown_pdf = path
        self.pdf_doc.load(str(path))

    def clear_preview(self) -> None:
        """The next citizen is served: the last one's receipt leaves the screen (and Ctrl+P no longer prints it; a
        copy is 補印 from the sync page)."""
        self.shown_pdf = None
        self.pdf_doc.close()
        self.print_label.setVisible(False)  # its advice was about that receipt

    def print_preview(self) -> None:
        """Ctrl+P: print what the preview shows (the last receipt, notice or copy) on the chosen printer, or
        through Qt's print dialog when none is chosen."""
        shown = self.shown_pdf
        if shown is None:
            self.statusBar().showMessage("目前沒有可列印的收據。", 10_000)
            return
        self.print_paper(shown, automatic=False)

    def print_paper(self, path: Path, automatic: bool) -> None:
        """Send a receipt, notice or slip to the printer of the settings, off the GUI thread. `automatic` (after
        accepting) never opens a dialog: without a chosen printer the clerk is told how to print."""
        printer = self.services.ledger.settings.get("printer")
        if not printer:
            if automatic:
                # In the print label, not a passing status message: the sync that follows accepting must not
                # replace how to print before the clerk has read it (seen in CI).
                self.print_label.setText(f"{path.name} 已存檔；未設定印表機（設定→印表機），按 Ctrl+P 列印。")
                self.print_label.setVisible(True)
            elif self._print(self, path):
                self.print_label.setVisible(False)
                self.statusBar().showMessage(f"已送出列印：{path.name}", 10_000)
            return

        def done(where: str) -> None:
            self.last_printed = where
            self.print_label.setVisible(False)
            self.statusBar().showMessage(f"已列印：{path.name}（{Path(where).name}）", 15_000)

        def failed(exc: BaseException) -> None:
            # Stays in sight until a print succeeds: a passing status message (a sync) must not hide it.
            log.warning("printing %s failed: %s", path.name, getattr(exc, "code", type(exc).__name__))
            self.print_label.setText("⚠ " + describe(exc))
            self.print_label.setVisible(True)

        folder = self.services.data_dir / "printed"
        self._run("print", lambda: print_direct(path, printer, folder), done, failed)

    def _print_automatically(self, path: Path) -> None:
        if self.services.ledger.settings.get("print_on_accept") == "1":
            self.print_paper(path, automatic=True)

    def set_setting(self, key: str, value: str, said: str = "") -> None:
        """Store one declared setting (validated and audited by the ledger) on the database lane."""
        self._run(
            "db",
            lambda: self.services.ledger.settings.set(key, value),
            lambda _none: self.statusBar().showMessage(said, 10_000) if said else None,
            lambda exc: self.statusBar().showMessage(describe(exc), 15_000),
        )

    def set_printer(self, value: str) -> None:
        shown = {"": "每次詢問", PDF_PRINTER: "存為 PDF 檔"}.get(value, value)
        self.set_setting("printer", value, f"印表機：{shown}")

    def set_receipt_layout(self, value: str) -> None:
        self.layout_actions[value].setChecked(True)
        self.set_setting("receipt_layout", value, f"收據紙張：{LAYOUT_NAMES[value]}（下一張收據起適用）")

    def on_sync_panel_void_requested(self, case: SavedCase) -> None:
        """Void a receipt: a supervisor approves with credentials and a reason; a void slip prints. A receipt of a
        signed day is voided by a correction entry instead (linked to that day's close, fee refunded)."""
        services, books = self.services, self.services.books
        assert books is not None
        # The desk's read says which days are signed; a day signed since is refused by the books themselves.
        closed = self.desk.state is not None and case.business_date in self.desk.state.closed_days
        prompt = void_prompt(case, service_name(services.catalog, case.service_code), closed)
        answer = self._ask_supervisor(self, "收據作廢", prompt, True)
        if answer is None:
            return
        supervisor, password, reason = answer

        def work() -> Path:
            if closed:
                books.correct_void(case.business_date, case.case_uuid, reason, supervisor, password)
                return write_correction_slip(case, services)
            record = books.void(case.case_uuid, reason, supervisor, password)
            return write_void_slip(services.ledger.cases.case(case.case_uuid), record, services)

        def done(path: Path) -> None:
            self.last_receipt = path
            self.show_pdf(path)
            self.statusBar().showMessage(f"收據 {case.receipt_number} 已作廢：{path.name}", 15_000)
            self._print_automatically(path)

        def failed(exc: BaseException) -> None:
            self.statusBar().showMessage(describe(exc), 15_000)

        voided = Change.CASES | Change.FOLLOW_UPS | Change.DAY | Change.TO_SEND
        self._run("net", work, done, failed, voided)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.idle_lock.is_locked:
            self.idle_lock.setGeometry(self.rect())

    def restore_layout(self) -> None:
        """The signed-in clerk's window as they left it on this PC; otherwise fitted to the screen."""
        if not restore_layout(self, self.counter_splitter, self.services.intake.clerk):
            fit_to_screen(self)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        save_layout(self, self.counter_splitter, self.services.intake.clerk)
        for page in (self.dayclose_page, self.review_page, self.devices_page, self.cases_page, self.officeday_page):
            if page is not None:
                page.close()
        self.idle_lock.stop()
        self._health_timer.stop()
        super().closeEvent(event)
