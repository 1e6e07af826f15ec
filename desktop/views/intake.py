"""The intake wizard, generated from the catalog for every service:
1 申請人 (fields, consent) → look-ups with progress and cancel → 2 查驗結果 (rules, duplicates, other benefits,
override) → 3 文件與規費 (replaced / owed documents, 一次告知單, payment) → 4 完成 (receipt).

Keyboard: F5 looks up, Enter goes on, Ctrl+Enter accepts, Esc goes back (or cancels the look-ups), Ctrl+N starts
the next citizen. Holds no rule: it calls sync.services.intake and shows what comes back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import logs
from desktop.bootstrap import Services
from desktop.operations import Change, Operations
from desktop.paperwork import PAYMENT_NAMES, write_notice, write_receipt
from desktop.views.fields_form import FieldsForm
from desktop.views.screen import fit_rows, scrolling
from desktop.views.supervisor import ask_supervisor
from desktop.views.ticks import HINT as TICK_HINT
from desktop.views.ticks import TickList
from forms.documents import with_shown
from forms.errors import DomainError, ValidationError
from forms.messages import text
from forms.names import PLACEHOLDER, PRIVATE_USE_FLAG, has_private_use
from forms.payment import METHODS, WAIVED, cash_to_collect, change_due, settle, takes_payment
from forms.rocdate import format_roc, format_roc_slash
from forms.terms import fee_words, promise_words
from forms.types import Outcome, ServiceType
from forms.validation import ApplicantForm
from sync.ledger import PendingCase, SavedCase
from sync.protocol.errors import StoreError, SyncError
from sync.services.intake import Cancelled, Verification

log = logging.getLogger(__name__)

OUTCOME_STYLE = {
    Outcome.PASS: ("✔", "#1b7f3b"),
    Outcome.FAIL: ("✘", "#b3261e"),
    Outcome.UNKNOWN: ("？", "#8a6d00"),
}


def _is_iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


STEP_TITLES = ("① 申請人資料", "② 查驗結果", "③ 文件與規費", "④ 完成")

Confirm = Callable[[QWidget, str, str], bool]
AskOverride = Callable[[QWidget, list[str]], "tuple[str, str, str] | None"]


def ask_yes_no(parent: QWidget, title: str, question: str) -> bool:
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title, question, yes | no, no) == yes


def ask_override(parent: QWidget, failed: list[str]) -> tuple[str, str, str] | None:
    """Ask a supervisor for name, password and a written reason (the password is never stored)."""
    return ask_supervisor(parent, "主管核准受理", "不符條件：\n" + "\n".join(failed))


def saved_changes(saved: tuple[SavedCase, Path]) -> Change:
    """A new case shows on the desk and, queued for the city, is pushed at once."""
    case, _path = saved
    return Change.CASES | (Change.TO_SEND if case.sync_state == "pending" else Change.NONE)


class IntakeWizard(QWidget):
    """Signals:
    case_saved(SavedCase, Path): a case and its receipt PDF were written.
    notice_written(Path): a 一次告知單 was written.
    network_state_changed(bool): a look-up reached (True) or missed (False) the city server.
    """

    case_saved = Signal(object, object)
    notice_written = Signal(object)
    network_state_changed = Signal(bool)
    citizen_started = Signal()  # the form was cleared for the next citizen: nothing of the last one stays shown

    def __init__(
        self,
        services: Services,
        ops: Operations,
        confirm: Confirm | None = None,
        override_dialog: AskOverride | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._ops = ops
        self._run = ops.for_owner(self)
        self._confirm = confirm or ask_yes_no
        self._ask_override = override_dialog or ask_override
        self._service: ServiceType | None = None
        self._shown: set[str] = set()  # paper documents ticked 已驗 on the documents page
        self.verification: Verification | None = None
        self._generation = 0
        self._busy = False
        self._cancel = threading.Event()
        self._progress = [0, 0]  # written by the worker, read by a timer on the GUI thread
        self._touched: set[str] = set()  # fields the clerk has left: live validation speaks only of these
        self._supersedes: UUID | None = None  # a set-aside case being corrected

        self.service_label = QLabel("請先在左側選擇申辦項目（Ctrl+F 搜尋）")
        self.service_label.setObjectName("service_label")
        self.service_label.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.service_label.setWordWrap(True)
        self.step_label = QLabel(STEP_TITLES[0])
        self.step_label.setObjectName("step_label")
        self.step_label.setStyleSheet("color: #555;")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_applicant_page())
        self.pages.addWidget(self._build_result_page())
        self.pages.addWidget(self._build_documents_page())
        self.pages.addWidget(self._build_done_page())
        self.message_label = QLabel("")
        self.message_label.setObjectName("message_label")
        self.message_label.setWordWrap(True)

        # The pages scroll inside the wizard: on a short screen (768 px at 150 %) a long form never pushes the
        # window past the screen; Tab scrolls to the field it lands on.
        scroll = scrolling(self.pages, "intake_scroll")
        self._scroll = scroll
        self.pages.currentChanged.connect(
            lambda _index: scroll.verticalScrollBar().setValue(0)
        )  # each page from its top
        layout = QVBoxLayout(self)
        layout.addWidget(self.service_label)
        layout.addWidget(self.step_label)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message_label)

        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(100)
        self._progress_timer.timeout.connect(self._show_progress)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.on_verify_clicked)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.on_accept_clicked)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.on_accept_clicked)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.on_escape)
        QShortcut(QKeySequence("Ctrl+N"), self, self.clear)
        QShortcut(QKeySequence("Ctrl+O"), self, self.on_override_clicked)
        QShortcut(QKeySequence("Ctrl+Shift+P"), self, self.on_notice_clicked)  # Ctrl+P is the window's print
        self._set_enabled(False)

    # -- pages -----------------------------------------------------------------------------------------------------

    def _build_applicant_page(self) -> QWidget:
        page = QWidget()
        self.form = FieldsForm()
        self.form.edited.connect(self._invalidate)
        self.form.field_left.connect(self._on_field_left)
        self.verify_button = QPushButton("查驗資格 (F5)")
        self.verify_button.setObjectName("verify_button")
        self.verify_button.clicked.connect(self.on_verify_clicked)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progress_bar")
        self.progress_bar.setFormat("查驗中… %v / %m")
        self.cancel_button = QPushButton("取消查驗 (Esc)")
        self.cancel_button.setObjectName("cancel_button")
        self.cancel_button.clicked.connect(self.on_cancel_clicked)
        for w in (self.progress_bar, self.cancel_button):
            w.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.verify_button)
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.cancel_button)
        box = QGroupBox("申請人資料")
        QVBoxLayout(box).addWidget(self.form)
        layout = QVBoxLayout(page)
        layout.addWidget(box)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _build_result_page(self) -> QWidget:
        page = QWidget()
        self.outcome_label = QLabel("")
        self.outcome_label.setObjectName("outcome_label")
        self.outcome_label.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.rules_list = QListWidget()
        self.rules_list.setObjectName("rules_list")
        self.rules_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.rules_list.setWordWrap(True)
        self.rules_list.setAccessibleName("查驗結果：各項資格條件")
        self.rules_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.duplicate_label = QLabel("")
        self.duplicate_label.setObjectName("duplicate_label")
        self.duplicate_label.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.duplicate_label.setWordWrap(True)
        self.benefits_list = QListWidget()
        self.benefits_list.setObjectName("benefits_list")
        self.benefits_list.setWordWrap(True)
        self.benefits_list.setAccessibleName("福利好幫手：另可申請的項目")
        self.benefits_list.setMaximumHeight(110)
        # Tab to the list and Enter (or a double click) opens that service's intake for the same applicant.
        self.benefits_list.itemActivated.connect(self.on_benefit_activated)
        self.next_button = QPushButton("下一步 (Enter)")  # the step line names the next page
        self.next_button.setObjectName("next_button")
        self.next_button.clicked.connect(self.on_next_clicked)
        self.next_button.setAutoDefault(True)  # Enter on a focused button presses it, outside dialogs too
        self.override_button = QPushButton("主管核准受理 (Ctrl+O)")
        self.override_button.setObjectName("override_button")
        self.override_button.clicked.connect(self.on_override_clicked)
        back = QPushButton("返回修改 (Esc)")
        back.clicked.connect(self.on_escape)
        row = QHBoxLayout()
        for b in (self.next_button, self.override_button, back):
            row.addWidget(b)
        layout = QVBoxLayout(page)
        layout.addWidget(self.outcome_label)
        layout.addWidget(self.rules_list, 1)
        layout.addWidget(self.duplicate_label)
        benefits_caption = QLabel("福利好幫手：依本次查驗資料另可申請（選取後按 Enter 開啟該項目，申請人資料帶入）")
        benefits_caption.setWordWrap(True)
        layout.addWidget(benefits_caption)
        layout.addWidget(self.benefits_list)
        layout.addLayout(row)
        return page

    def _build_documents_page(self) -> QWidget:
        page = QWidget()
        self.replaced_list = QListWidget()
        self.replaced_list.setAccessibleName("免附文件：已電子查驗")
        self.replaced_list.setObjectName("replaced_list")
        self.owed_list = TickList()
        self.owed_list.setAccessibleName("紙本文件：已驗或待補")
        self.owed_list.setObjectName("owed_list")
        self.owed_list.ticked.connect(self.on_document_ticked)
        self.replaced_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.notice_button = QPushButton("列印一次告知單 (Ctrl+Shift+P)")
        self.notice_button.setObjectName("notice_button")
        self.notice_button.clicked.connect(self.on_notice_clicked)
        self.fee_label = QLabel("")
        self.fee_label.setObjectName("fee_label")
        self.due_label = QLabel("")
        self.due_label.setObjectName("due_label")
        for words in (self.fee_label, self.due_label):  # a waiver's ground, a promise waiting for paper: long
            words.setWordWrap(True)
        self.payment_combo = QComboBox()
        self.payment_combo.setAccessibleName("付款方式")
        self.payment_combo.setObjectName("payment_combo")
        self._payment_choices(None)
        self.accept_button = QPushButton("受理並列印收據 (Ctrl+Enter)")
        self.accept_button.setObjectName("accept_button")
        self.accept_button.clicked.connect(self.on_accept_clicked)
        # Accepting takes a deliberate key (Ctrl+Enter): a second Enter after 「下一步」 must not save unread.
        self.accept_button.setAutoDefault(False)
        back = QPushButton("返回 (Esc)")
        back.clicked.connect(self.on_escape)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("規費", self.fee_label)
        form.addRow("繳費方式", self.payment_combo)
        self.tendered_edit = QLineEdit()
        self.tendered_edit.setObjectName("tendered_edit")
        self.tendered_edit.setAccessibleName("現金實收金額")
        self.tendered_edit.setPlaceholderText("收現金時輸入實收金額，例：1000（可不填）")
        self.tendered_edit.textEdited.connect(lambda _t: self._show_change())
        self.change_label = QLabel("")
        self.change_label.setObjectName("change_label")
        self.change_label.setWordWrap(True)
        self.payment_combo.currentIndexChanged.connect(lambda _i: self._show_fee())
        form.addRow("實收", self.tendered_edit)
        form.addRow("找零", self.change_label)
        self._fee_form = form
        form.addRow("預定完成", self.due_label)
        row = QHBoxLayout()
        row.addWidget(self.accept_button)
        row.addWidget(back)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("已由電子查驗取代，免附："))
        layout.addWidget(self.replaced_list)
        paper_caption = QLabel(f"紙本文件（{TICK_HINT}；待補者列入一次告知單）：")
        paper_caption.setWordWrap(True)
        layout.addWidget(paper_caption)
        layout.addWidget(self.owed_list)
        layout.addWidget(self.notice_button)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addStretch(1)  # compact at the top: the pages share the height of the tallest
        return page

    def _build_done_page(self) -> QWidget:
        page = QWidget()
        self.done_label = QLabel("")
        self.done_label.setObjectName("done_label")
        self.done_label.setStyleSheet("font-size: 16px;")
        self.done_label.setWordWrap(True)
        self.next_citizen_button = QPushButton("下一位 (Enter / Ctrl+N)")
        self.next_citizen_button.setObjectName("next_citizen_button")
        self.next_citizen_button.clicked.connect(self.clear)
        self.next_citizen_button.setAutoDefault(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.done_label)
        layout.addWidget(self.next_citizen_button)
        layout.addStretch(1)
        return page

    # -- state -----------------------------------------------------------------------------------------------------

    @property
    def step(self) -> int:
        return self.pages.currentIndex()

    def _go(self, step: int) -> None:
        self.pages.setCurrentIndex(step)
        self.step_label.setText("　→　".join(t if i != step else f"【{t}】" for i, t in enumerate(STEP_TITLES)))
        focus = {0: self.form.id_edit, 1: self.next_button, 2: self.owed_list, 3: self.next_citizen_button}
        focus[step].setFocus()
        self._scroll.ensureWidgetVisible(focus[step])  # on a short screen the field in use is in sight

    def _set_enabled(self, enabled: bool) -> None:
        self.pages.setEnabled(enabled)

    def set_service(self, service: ServiceType) -> None:
        self._service = service
        fee = f"規費：{fee_words(service.fee)}"
        kind = f"跨區{service.cross_district}"
        self.service_label.setText(
            f"{service.number}. {service.name_zh}（{service.code}・{service.category}・{kind}・{fee}）"
        )
        self._touched.clear()
        self.form.build(service)
        self._set_enabled(True)
        self._invalidate()
        self._go(0)

    def on_benefit_activated(self, item: QListWidgetItem) -> None:
        """Open the offered service's intake with the applicant's details carried over. The look-ups run again for
        that service, after the citizen consents to them (consent is per application)."""
        code = item.data(Qt.ItemDataRole.UserRole)
        v = self.verification
        if not code or v is None or self.step != 1 or self._busy:
            return
        service = self._services.catalog.get(str(code))
        if not self._confirm(
            self, "改申辦其他項目", f"改為受理「{service.name_zh}」？本案（{v.service.name_zh}）尚未受理，不會保存。"
        ):
            return
        self.set_service(service)
        self.form.consent_box.setChecked(False)
        self.message_label.setText(f"已帶入申請人資料。請確認民眾同意查驗「{service.name_zh}」所需資料後，按 F5 查驗。")
        self.form.consent_box.setFocus()

    def correct(self, service: ServiceType, details: PendingCase) -> None:
        """Open a set-aside case for correction: its details in the form; accepting sends a new case in its place."""
        self.set_service(service)
        self.form.set_value("national_id", details.national_id)
        self.form.set_value("name", details.name)
        self.form.set_value("birth_date", format_roc_slash(details.birth_date))
        for key, value in details.fields.items():
            if key in self.form.editors:
                self.form.set_value(key, format_roc_slash(date.fromisoformat(value)) if _is_iso_date(value) else value)
        self._supersedes = details.case_uuid
        self.message_label.setText(f"更正案件 {details.case_number}：修正資料並確認同意後，按 F5 重新查驗。")
        self.form.id_edit.setFocus()

    def clear(self) -> None:
        """Ready for the next citizen (the chosen service stays)."""
        if self._busy:
            return
        self._supersedes = None
        self._generation += 1
        self._touched.clear()
        self.form.clear()
        self._invalidate()
        self.message_label.clear()
        self._go(0)
        self.citizen_started.emit()

    def _invalidate(self) -> None:
        """Any edit after a look-up makes its result stale: the clerk must look up again before accepting."""
        self.verification = None
        self._shown.clear()
        self.outcome_label.clear()
        self.rules_list.clear()
        self.benefits_list.clear()
        self.duplicate_label.clear()
        if self.step != 0 and not self._busy:
            self._go(0)

    def _problems(self) -> tuple[ApplicantForm, dict[str, str]]:
        assert self._service is not None
        form = self._services.intake.validate(
            self._service,
            self.form.id_edit.text(),
            self.form.name_edit.text(),
            self.form.birth_edit.text(),
            self.form.values(),
        )
        return form, {k: text(p.code, **p.params) for k, p in form.problems.items()}

    def _on_field_left(self, key: str) -> None:
        """Live validation: when the clerk leaves a field, say at once what is wrong with it (and earlier ones)."""
        if self._service is None or self._busy or self.step != 0:
            return
        self._touched.add(key)
        _, messages = self._problems()
        self.form.show_errors({k: m for k, m in messages.items() if k in self._touched}, focus=False)

    def on_escape(self) -> None:
        if self._busy:
            self.on_cancel_clicked()
        elif self.step in (1, 2):
            self._go(self.step - 1)
        elif self.step == 3:
            self.clear()
        else:
            self.clear()

    # -- step 1: look up -------------------------------------------------------------------------------------------

    def on_verify_clicked(self) -> None:
        if self._service is None or self._busy or self.step != 0:
            return
        service = self._service
        form, messages = self._problems()
        self._touched.update(self.form.editors)
        self.form.show_errors(messages)
        if form.problems:
            self.message_label.setText(f"請修正 {len(form.problems)} 個欄位。")
            return
        if not self.form.consent_box.isChecked():
            self.message_label.setText(text("consent_missing"))
            self.form.consent_box.setFocus()
            return
        assert form.applicant is not None
        applicant, fields = form.applicant, form.fields
        case_uuid = self._services.intake.new_case_uuid()
        self._generation += 1
        generation = self._generation
        self._cancel.clear()
        self._progress[:] = [0, len(service.lookups)]
        self._set_busy(True)

        def progress(done: int, total: int) -> None:
            self._progress[:] = [done, total]

        def work() -> Verification:
            return self._services.intake.verify(
                case_uuid, service, applicant, fields, consent=True, progress=progress, cancelled=self._cancel.is_set
            )

        self._run("net", work, lambda v: self._show_verification(v, generation), lambda e: self._failed(e, generation))

    def on_cancel_clicked(self) -> None:
        if self._busy:
            self._cancel.set()
            self.message_label.setText("取消中…（進行中的查詢完成後停止）")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.verify_button.setEnabled(not busy)
        self.form.setEnabled(not busy)
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress_bar.setRange(0, max(1, self._progress[1]))
            self.progress_bar.setValue(0)
            self._progress_timer.start()
            self.cancel_button.setFocus()
        else:
            self._progress_timer.stop()

    def _show_progress(self) -> None:
        done, total = self._progress
        self.progress_bar.setRange(0, max(1, total))
        self.progress_bar.setValue(done)

    def _failed(self, exc: BaseException, generation: int) -> None:
        if generation != self._generation:
            return
        self._set_busy(False)
        if isinstance(exc, Cancelled):
            self.message_label.setText("已取消查驗，未做任何判定。")
            self.form.id_edit.setFocus()
        elif isinstance(exc, DomainError | StoreError | SyncError):
            self.message_label.setText(text(exc.code, **exc.params))
        else:
            log.error("intake step failed", exc_info=exc)
            self.message_label.setText(f"發生未預期的錯誤：{type(exc).__name__}（{logs.see_log()}）")

    # -- step 2: result --------------------------------------------------------------------------------------------

    def _show_verification(self, verification: Verification, generation: int) -> None:
        if generation != self._generation:
            return  # the clerk moved on; drop the stale answer
        self._set_busy(False)
        self.verification = verification
        self._render_decision(verification)
        self.network_state_changed.emit(not ({"net_unreachable", "net_timeout"} & set(verification.errors)))
        self._go(1)

    def _render_decision(self, v: Verification) -> None:
        outcome = v.decision.outcome
        mark, color = OUTCOME_STYLE[outcome]
        title = text(outcome.message_code)
        if v.override is not None:
            title += f"（已由{v.override.supervisor}核准受理）"
        self.outcome_label.setText(f"{mark} {title}")
        self.outcome_label.setStyleSheet(f"font-size: 18px; font-weight: bold; color: {color};")
        self.rules_list.clear()
        for r in v.decision.results:
            rmark, rcolor = OUTCOME_STYLE[r.outcome]
            item = QListWidgetItem(f"{rmark} {text('rule_' + r.rule)}：{text(r.code, **r.params)}")
            item.setForeground(QColor(rcolor))
            item.setData(Qt.ItemDataRole.UserRole, r.outcome.value)
            self.rules_list.addItem(item)
        if not v.decision.results:
            self.rules_list.addItem("本項目無可自動判定的資格條件，由承辦單位審查。")
        warnings = []
        if has_private_use(v.applicant.name):
            warnings.append(
                f"姓名{PRIVATE_USE_FLAG}：系統字型無法顯示戶政造字，收據以「{PLACEHOLDER}」列印，請手寫補正。"
            )
        if v.duplicates:
            warnings.append(f"注意：此申請人已有同項目案件（{'、'.join(v.duplicates)}），請確認是否重複申請。")
        self.duplicate_label.setText("\n".join(warnings))
        self.benefits_list.clear()
        for b in v.benefits:
            item = QListWidgetItem(b.words())
            item.setData(Qt.ItemDataRole.UserRole, b.service.code)
            self.benefits_list.addItem(item)
        if not v.benefits:
            self.benefits_list.addItem("（無）")
        problems = "".join(text(code, status="?", detail="") for code in v.errors)
        hints = {
            Outcome.PASS: "符合資格：按 Enter 確認文件與規費。",
            Outcome.FAIL: "不符資格：申請人仍要申請可繼續受理（收據載明初審結果），或請主管核准（Ctrl+O）。",
            Outcome.UNKNOWN: "部分資料無法查驗：可先以「待查驗」受理，連線後補查。",
        }
        self.message_label.setText(problems + hints[outcome])
        self.override_button.setEnabled(outcome is Outcome.FAIL and v.override is None)

    def on_override_clicked(self) -> None:
        v = self.verification
        if v is None or self.step != 1 or self._busy or not v.failed_rules:
            return
        reasons = [text(r.code, **r.params) for r in v.decision.results if r.outcome is Outcome.FAIL]
        answer = self._ask_override(self, reasons)
        if answer is None:
            return
        supervisor, password, reason = answer
        generation = self._generation
        self._busy = True

        def done(updated: Verification) -> None:
            self._busy = False
            if generation == self._generation:
                self.verification = updated
                self._render_decision(updated)
                self.message_label.setText(
                    f"主管 {updated.override.supervisor if updated.override else ''} 已核准受理。"
                )
                self.next_button.setFocus()

        def failed(exc: BaseException) -> None:
            self._busy = False
            if isinstance(exc, DomainError) or (isinstance(exc, SyncError) and exc.kind.name in ("AUTH", "REJECTED")):
                self.message_label.setText(text(exc.code, **exc.params) + "未核准。")
            else:
                self._failed(exc, generation)

        self._run("net", lambda: self._services.intake.approve_override(v, supervisor, password, reason), done, failed)

    def on_next_clicked(self) -> None:
        v = self.verification
        if v is None or self.step != 1 or self._busy:
            return
        if v.duplicates and not self._confirm(self, "可能重複申請", self.duplicate_label.text() + "\n仍要繼續受理嗎？"):
            return
        if (
            v.decision.outcome is Outcome.FAIL
            and v.override is None
            and not self._confirm(
                self, "確認受理", "初審結果為「不符資格」。申請人仍要提出申請嗎？收據將載明初審結果。"
            )
        ):
            return
        service = v.service
        self.replaced_list.clear()
        for d in v.documents.replaced:
            self.replaced_list.addItem(f"✔ {d.name}（{text('lookup_' + (d.replaced_by or ''))}電子查驗）")
        fit_rows(self.replaced_list)
        terms = self._services.intake.terms(self._show_paper())
        self.message_label.setText("紙本文件：空白鍵切換 已驗／待補，A＝全部已驗；Ctrl+Enter 受理並列印收據。")
        self._payment_choices(service)
        self.payment_combo.setEnabled(takes_payment(service))
        self.tendered_edit.clear()
        self._show_fee()
        self.due_label.setText(promise_words(terms))
        self._go(2)

    def _payment_choices(self, service: ServiceType | None) -> None:
        """The methods the counter takes and, for a service whose rules allow it, 免徵 on each ground. A method
        chosen for the last citizen stays; a waiver never carries over."""
        before = self.payment_combo.currentData()
        self.payment_combo.blockSignals(True)
        self.payment_combo.clear()
        for code in METHODS:
            self.payment_combo.addItem(PAYMENT_NAMES[code], code)
        for ground in service.fee_waivers if service is not None else ():
            self.payment_combo.addItem(f"免徵：{ground.label}", f"{WAIVED}:{ground.code}")
        self.payment_combo.setCurrentIndex(max(0, self.payment_combo.findData(before if before in METHODS else "cash")))
        self.payment_combo.blockSignals(False)

    def _chosen_payment(self) -> tuple[str, str | None]:
        """(method, waiver code) as chosen in the combo."""
        method, _, waiver = str(self.payment_combo.currentData()).partition(":")
        return method, waiver or None

    def _show_fee(self) -> None:
        """The fee as the receipt will state it for the method chosen (collected, or waived on its ground)."""
        v = self.verification
        if v is None:
            return
        method, waiver = self._chosen_payment()
        try:
            terms = self._services.intake.terms(v, settle(v.service, method, waiver))
        except ValidationError as exc:
            self.fee_label.setText(text(exc.code, **exc.params))
            return
        method_name = PAYMENT_NAMES.get(method, "") if takes_payment(v.service) and not terms.waiver else ""
        self.fee_label.setText(fee_words(terms.fee, terms.fee_note, method_name, terms.waiver))
        self._show_change()

    def _show_change(self) -> str | None:
        """Shows the change for the cash typed; returns what is wrong with it (None: nothing typed, or enough)."""
        v = self.verification
        fee = cash_to_collect(v.service, self._chosen_payment()[0]) if v is not None else None
        for widget in (self.tendered_edit, self.change_label):
            self._fee_form.setRowVisible(widget, fee is not None)
        if fee is None or not self.tendered_edit.text().strip():
            self.change_label.setText("")
            return None
        try:
            change = change_due(fee, self.tendered_edit.text())
        except ValidationError as exc:
            problem = text(exc.code, **exc.params)
            self.change_label.setText(problem)
            self.change_label.setStyleSheet("color: #b3261e; font-weight: bold;")
            return problem
        self.change_label.setStyleSheet("font-weight: bold;")
        self.change_label.setText(f"找零 {change:,} 元")
        return None

    def on_document_ticked(self, name: str, shown: bool) -> None:
        """Space / 1 / 2 on a paper document: 已驗 or 待補; the receipt and the 一次告知單 follow."""
        if self.verification is None or self.step != 2 or self._busy:
            return
        (self._shown.add if shown else self._shown.discard)(name)
        self._show_paper()

    def _show_paper(self) -> Verification:
        v = self.verification
        assert v is not None
        paper = {d.name for d in v.documents.owed + v.documents.shown}
        self._shown &= paper  # a tick of another look-up's paper does not carry over
        self.verification = v = replace(v, documents=with_shown(v.documents, self._shown))
        unknown = "（應備文件依機關公告，請依承辦單位說明）" if "documents" in v.service.unknown else ""
        self.owed_list.show_documents(
            tuple(d.name for d in v.documents.owed), tuple(d.name for d in v.documents.shown), unknown
        )
        fit_rows(self.owed_list)
        self.notice_button.setEnabled(bool(v.documents.owed))
        return v

    # -- step 3: documents, fee, accept ----------------------------------------------------------------------------

    def on_notice_clicked(self) -> None:
        v = self.verification
        if v is None or self.step != 2 or not v.documents.owed:
            return
        services = self._services
        self._run(
            "db",
            lambda: write_notice(v, services),
            self.notice_written.emit,
            lambda e: self._failed(e, self._generation),
        )

    def on_accept_clicked(self) -> None:
        v = self.verification
        if v is None or self.step != 2 or self._busy:
            return
        short = self._show_change()
        if short is not None:
            self.message_label.setText(short)  # money first: nothing is saved until the cash adds up
            self.tendered_edit.setFocus()
            return
        services = self._services
        payment, waiver = self._chosen_payment()
        self._busy = True
        self.accept_button.setEnabled(False)
        generation = self._generation

        supersedes = self._supersedes

        def work() -> tuple[SavedCase, Path]:
            case = services.intake.accept(v, payment, supersedes, waiver)
            return case, write_receipt(case, services)

        def failed(exc: BaseException) -> None:
            self._busy = False
            self.accept_button.setEnabled(True)
            self._failed(exc, generation)
            if isinstance(exc, DomainError) and exc.code == "backlog_blocked":
                self._ask_backlog_override(text(exc.code, **exc.params))

        self._run("db", work, lambda r: self._accepted(*r), failed, saved_changes)

    def _ask_backlog_override(self, why: str) -> None:
        """Offline past the limit: a supervisor may let intake go on (checked on this device, and recorded)."""
        answer = self._ask_override(self, [why])
        if answer is None:
            return
        supervisor, password, reason = answer

        def granted(_until: object) -> None:
            self.message_label.setText(f"主管 {supervisor} 已核准離線繼續受理。")
            self.on_accept_clicked()

        self._run(
            "db",
            lambda: self._services.intake.override_backlog(supervisor, password, reason),
            granted,
            lambda e: self._failed(e, self._generation),
            Change.LEDGER,
        )

    def _accepted(self, case: SavedCase, path: Path) -> None:
        self._busy = False
        self._supersedes = None
        self.accept_button.setEnabled(True)
        self.verification = None
        due = f"，預定完成 {format_roc(case.due_date)}" if case.due_date else ""
        collect = (
            f"\n應收 新臺幣 {case.fee:,} 元（{PAYMENT_NAMES.get(case.payment_method, case.payment_method)}）"
            if case.fee
            else ""
        )
        if case.terms is not None and case.terms.waiver:
            collect = f"\n規費免徵（{case.terms.waiver}），不收費"
        change = self.change_label.text() if collect and case.payment_method == "cash" else ""
        self.done_label.setText(
            f"已受理\n案件編號：{case.case_number}\n收據號碼：{case.receipt_number}{due}{collect}"
            + (f"　{change}" if change else "")
        )
        self.message_label.setText("收據已產生，請交付申請人。")
        self._go(3)
        self.case_saved.emit(case, path)
