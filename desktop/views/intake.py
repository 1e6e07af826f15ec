"""The intake panel: applicant fields, consent, look-up with result, accept → receipt."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.bootstrap import Services
from desktop.paperwork import write_receipt
from desktop.tasks import TaskRunner
from forms.errors import DomainError
from forms.messages import text
from forms.types import Outcome, ServiceType
from sync.errors import StoreError
from sync.intake import Verification
from sync.ledger import SavedCase

log = logging.getLogger(__name__)

OUTCOME_STYLE = {
    Outcome.PASS: ("✔", "#1b7f3b"),
    Outcome.FAIL: ("✘", "#b3261e"),
    Outcome.UNKNOWN: ("？", "#8a6d00"),
}


class IntakePanel(QWidget):
    """Signals:
    case_saved(SavedCase, Path): a case and its receipt PDF were written.
    network_state_changed(bool): a look-up reached (True) or missed (False) the city server.
    """

    case_saved = Signal(object, object)
    network_state_changed = Signal(bool)

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        confirm: Callable[[QWidget, str, str], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._confirm = confirm or ask_yes_no
        self._service: ServiceType | None = None
        self._verification: Verification | None = None
        self._generation = 0
        self._busy = False

        self.service_label = QLabel("請先在左側選擇申辦項目")
        self.service_label.setObjectName("service_label")
        self.service_label.setStyleSheet("font-size: 16px; font-weight: bold;")

        self.id_edit = QLineEdit(placeholderText="例：A123456789", maxLength=20)
        self.id_edit.setObjectName("id_edit")
        self.name_edit = QLineEdit(placeholderText="申請人姓名", maxLength=60)
        self.name_edit.setObjectName("name_edit")
        self.birth_edit = QLineEdit(placeholderText="民國年，例：050/03/15 或 0500315", maxLength=20)
        self.birth_edit.setObjectName("birth_edit")
        self.id_error, self.name_error, self.birth_error = (self._error_label() for _ in range(3))
        self.consent_box = QCheckBox("申請人同意本所查驗其戶籍等個人資料（免附書證謄本）")
        self.consent_box.setObjectName("consent_box")

        form = QFormLayout()
        form.addRow("身分證統一編號", self.id_edit)
        form.addRow("", self.id_error)
        form.addRow("姓名", self.name_edit)
        form.addRow("", self.name_error)
        form.addRow("出生日期", self.birth_edit)
        form.addRow("", self.birth_error)
        form.addRow("", self.consent_box)
        applicant_box = QGroupBox("申請人資料")
        applicant_box.setLayout(form)

        self.verify_button = QPushButton("查驗資格 (F5)")
        self.verify_button.setObjectName("verify_button")
        self.accept_button = QPushButton("受理並列印收據 (Ctrl+Enter)")
        self.accept_button.setObjectName("accept_button")
        self.clear_button = QPushButton("下一位 (Esc)")
        self.clear_button.setObjectName("clear_button")
        self.accept_button.setEnabled(False)
        buttons = QHBoxLayout()
        for b in (self.verify_button, self.accept_button, self.clear_button):
            buttons.addWidget(b)

        self.outcome_label = QLabel("")
        self.outcome_label.setObjectName("outcome_label")
        self.outcome_label.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.rules_list = QListWidget()
        self.rules_list.setObjectName("rules_list")
        self.rules_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        result_box = QGroupBox("資格查驗結果")
        result_layout = QVBoxLayout(result_box)
        result_layout.addWidget(self.outcome_label)
        result_layout.addWidget(self.rules_list)

        self.message_label = QLabel("")
        self.message_label.setObjectName("message_label")
        self.message_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.service_label)
        layout.addWidget(applicant_box)
        layout.addLayout(buttons)
        layout.addWidget(result_box, 1)
        layout.addWidget(self.message_label)

        # Enter walks the fields in the order the clerk reads them off the ID card.
        self.id_edit.returnPressed.connect(self.name_edit.setFocus)
        self.name_edit.returnPressed.connect(self.birth_edit.setFocus)
        self.birth_edit.returnPressed.connect(self.consent_box.setFocus)
        for edit in (self.id_edit, self.name_edit, self.birth_edit):
            edit.textEdited.connect(self._invalidate)
        self.consent_box.toggled.connect(self._invalidate)
        self.verify_button.clicked.connect(self.on_verify_clicked)
        self.accept_button.clicked.connect(self.on_accept_clicked)
        self.clear_button.clicked.connect(self.clear)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.on_verify_clicked)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.on_accept_clicked)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.on_accept_clicked)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.clear)
        self._set_form_enabled(False)

    @staticmethod
    def _error_label() -> QLabel:
        label = QLabel("")
        label.setStyleSheet("color: #b3261e;")
        label.setWordWrap(True)
        return label

    def _set_form_enabled(self, enabled: bool) -> None:
        for w in (self.id_edit, self.name_edit, self.birth_edit, self.consent_box, self.verify_button):
            w.setEnabled(enabled)

    # -- state ---------------------------------------------------------------------------------------------------

    def set_service(self, service: ServiceType) -> None:
        self._service = service
        fee = "免費" if service.fee == 0 else f"規費 {service.fee} 元"
        self.service_label.setText(
            f"{service.name_zh}（{service.code}・{service.category}・跨區{service.cross_district}・{fee}）"
        )
        self._set_form_enabled(True)
        self._invalidate()
        self.id_edit.setFocus()

    def clear(self) -> None:
        """Ready for the next citizen (the chosen service stays)."""
        self._generation += 1
        for edit in (self.id_edit, self.name_edit, self.birth_edit):
            edit.clear()
        self.consent_box.setChecked(False)
        self._invalidate()
        self.message_label.clear()
        self.id_edit.setFocus()

    def _invalidate(self, *_args: object) -> None:
        """Any edit after a look-up makes its result stale: the clerk must verify again before accepting."""
        self._verification = None
        self.accept_button.setEnabled(False)
        self.outcome_label.clear()
        self.rules_list.clear()
        for label in (self.id_error, self.name_error, self.birth_error):
            label.clear()

    # -- verify --------------------------------------------------------------------------------------------------

    def on_verify_clicked(self) -> None:
        if self._service is None or self._busy:
            return
        self._invalidate()
        form = self._services.intake.validate(self.id_edit.text(), self.name_edit.text(), self.birth_edit.text())
        errors = {"national_id": self.id_error, "name": self.name_error, "birth_date": self.birth_error}
        edits = {"national_id": self.id_edit, "name": self.name_edit, "birth_date": self.birth_edit}
        for key, problem in form.problems.items():
            errors[key].setText(text(problem.code, **problem.params))
        if form.problems:
            edits[next(iter(form.problems))].setFocus()
            return
        if not self.consent_box.isChecked():
            self.message_label.setText(text("consent_missing"))
            self.consent_box.setFocus()
            return
        assert form.applicant is not None
        service, applicant = self._service, form.applicant
        case_uuid = self._services.intake.new_case_uuid()
        self._generation += 1
        generation = self._generation
        self._set_busy(True, "查驗中…")
        self._runner.run(
            "net",
            lambda: self._services.intake.verify(case_uuid, service, applicant, consent=True),
            lambda v: self._show_verification(v, generation),
            lambda exc: self._show_failure(exc, generation),
        )

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        self.verify_button.setEnabled(not busy and self._service is not None)
        if busy:
            self.accept_button.setEnabled(False)
        self.message_label.setText(message)

    def _show_verification(self, verification: Verification, generation: int) -> None:
        if generation != self._generation:
            return  # the clerk moved on; drop the stale answer
        self._set_busy(False)
        self._verification = verification
        outcome = verification.decision.outcome
        mark, color = OUTCOME_STYLE[outcome]
        self.outcome_label.setText(f"{mark} {text(outcome.message_code)}")
        self.outcome_label.setStyleSheet(f"font-size: 18px; font-weight: bold; color: {color};")
        for result in verification.decision.results:
            rmark, rcolor = OUTCOME_STYLE[result.outcome]
            item = QListWidgetItem(f"{rmark} {text('rule_' + result.rule)}：{text(result.code, **result.params)}")
            item.setForeground(QColor(rcolor))
            item.setData(Qt.ItemDataRole.UserRole, result.outcome.value)
            self.rules_list.addItem(item)
        self.network_state_changed.emit(
            "net_unreachable" not in verification.errors and "net_timeout" not in verification.errors
        )
        hints = {
            Outcome.PASS: "符合資格：按 Ctrl+Enter 受理並列印收據。",
            Outcome.FAIL: "不符資格：如申請人仍要申請，可受理並於收據載明初審結果。",
            Outcome.UNKNOWN: "無法連線查驗：可先以「待查驗」受理，連線後自動補查。",
        }
        problems = "".join(text(code, status="?", detail="") for code in dict.fromkeys(verification.errors))
        self.message_label.setText(problems + hints[outcome])
        self.accept_button.setEnabled(True)
        self.accept_button.setFocus()

    def _show_failure(self, exc: BaseException, generation: int) -> None:
        if generation != self._generation:
            return
        self._set_busy(False)
        if isinstance(exc, DomainError | StoreError):
            self.message_label.setText(text(exc.code, **exc.params))
        else:
            log.exception("look-up failed", exc_info=exc)
            self.message_label.setText(f"發生未預期的錯誤：{type(exc).__name__}")

    # -- accept --------------------------------------------------------------------------------------------------

    def on_accept_clicked(self) -> None:
        verification = self._verification
        if verification is None or self._busy:
            return
        if verification.decision.outcome is Outcome.FAIL and not self._confirm(
            self, "確認受理", "初審結果為「不符資格」。申請人仍要提出申請嗎？收據將載明初審結果。"
        ):
            return
        services = self._services
        self._set_busy(True, "受理中…")
        generation = self._generation

        def work() -> tuple[SavedCase, Path]:
            case = services.intake.accept(verification)
            path = write_receipt(
                case, services.catalog, services.device, services.track_base, services.practice, services.receipts_dir
            )
            return case, path

        self.accept_button.setEnabled(False)
        self._runner.run("db", work, lambda r: self._accepted(*r), lambda e: self._show_failure(e, generation))

    def _accepted(self, case: SavedCase, path: Path) -> None:
        self._set_busy(False)
        self._verification = None
        self.accept_button.setEnabled(False)
        self.message_label.setText(f"已受理：案件編號 {case.case_number}，收據 {case.receipt_number}（{case.status}）")
        self.case_saved.emit(case, path)


def ask_yes_no(parent: QWidget, title: str, question: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
