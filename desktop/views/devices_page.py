"""設備管理 (a supervisor's): the office's enrolled PCs with their state, a one-time enrolment code for a new PC,
and revoking a lost or stolen one at once. The city decides and records all of it; this page asks and shows."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.tasks import TaskRunner
from desktop.views.errors import describe
from desktop.views.screen import fit_to_screen
from forms.clock import TAIPEI
from forms.errors import DomainError
from forms.rocdate import format_roc
from sync.protocol import wire
from sync.protocol.errors import SyncError

if TYPE_CHECKING:
    from desktop.bootstrap import Services

log = logging.getLogger(__name__)
Confirm = Callable[[QWidget, str, str], bool]
COLUMNS = ("設備", "名稱", "登記時間", "最後連線", "狀態")


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(TAIPEI)
    return f"{format_roc(local.date())} {local:%H:%M}"


def state_of(device: wire.DeviceInfo) -> str:
    if device.revoked_at is not None:
        return f"已停用（{device.revoked_by or ''}，{_when(device.revoked_at)}）"
    return "使用中"


class DevicesPage(QWidget):
    def __init__(self, services: Services, runner: TaskRunner, confirm: Confirm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("devices_page")
        self.setWindowTitle(f"設備管理 — {services.device.office.name}")
        self._services = services
        self._runner = runner
        self._confirm = confirm
        self.devices: list[wire.DeviceInfo] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("devices_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("device_name")
        self.name_edit.setPlaceholderText("新電腦名稱，例：櫃台5、中山里筆電")
        self.name_edit.setMaxLength(64)
        self.name_edit.returnPressed.connect(self.make_code)
        self.code_button = QPushButton("產生登記碼")
        self.code_button.setObjectName("device_code_button")
        self.code_button.clicked.connect(self.make_code)
        self.code_label = QLabel("")
        self.code_label.setObjectName("device_code")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        big = QFont(self.code_label.font())
        big.setPointSizeF(big.pointSizeF() * 1.6)
        big.setBold(True)
        self.code_label.setFont(big)
        self.revoke_button = QPushButton("停用所選設備…")
        self.revoke_button.setObjectName("device_revoke_button")
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.replace_button = QPushButton("為所選設備產生替代電腦登記碼…")
        self.replace_button.setObjectName("device_replace_button")
        self.replace_button.clicked.connect(self.replace_selected)
        self.refresh_button = QPushButton("重新整理")
        self.refresh_button.clicked.connect(self.refresh)
        self.status = QLabel("")
        self.status.setObjectName("devices_status")
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        intro = QLabel(
            "本所已登記的電腦。遺失或遭竊的電腦請立即停用：其登入、權杖與金鑰即刻失效；停用前送達市府的收據仍可查驗。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.revoke_button)
        actions.addWidget(self.replace_button)
        actions.addWidget(self.refresh_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        new = QHBoxLayout()
        new.addWidget(QLabel("新增電腦："))
        new.addWidget(self.name_edit, 1)
        new.addWidget(self.code_button)
        layout.addLayout(new)
        layout.addWidget(self.code_label)
        layout.addWidget(self.status)
        fit_to_screen(self, QSize(760, 480))

    def _busy(self, busy: bool) -> None:
        for button in (self.code_button, self.revoke_button, self.replace_button, self.refresh_button):
            button.setEnabled(not busy)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if not isinstance(exc, SyncError | DomainError):
            log.exception("device management failed", exc_info=exc)
        self.status.setText(describe(exc))

    def refresh(self) -> None:
        self._busy(True)
        self.status.setText("讀取中…")
        self._runner.run("net", self._services.client.devices, self._show, self._failed, owner=self)

    def _show(self, answer: wire.DevicesResponse) -> None:
        self._busy(False)
        self.devices = list(answer.devices)
        self.table.setRowCount(len(self.devices))
        here = self._services.device.device_id
        for row, d in enumerate(self.devices):
            name = d.name + ("（本機）" if d.device_id == here else "")
            cells = (d.device_id, name, _when(d.enrolled_at), _when(d.last_seen_at), state_of(d))
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if d.revoked_at is not None:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        active = sum(d.revoked_at is None for d in self.devices)
        self.status.setText(f"共 {len(self.devices)} 台，使用中 {active} 台。")

    def make_code(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.status.setText("請先輸入新電腦的名稱（例：櫃台5）。")
            self.name_edit.setFocus()
            return
        self._busy(True)
        request = wire.EnrolmentRequest(name=name)
        self._runner.run(
            "net", lambda: self._services.client.create_enrolment(request), self._code_made, self._failed, owner=self
        )

    def replace_selected(self) -> None:
        """A code for the PC that takes a lost or broken one's place: same device id, its cases and numbering."""
        rows = {i.row() for i in self.table.selectedItems()}
        if len(rows) != 1:
            self.status.setText("請先在表格中選一台要被取代（遺失或損壞）的電腦。")
            return
        device = self.devices[rows.pop()]
        if device.device_id == self._services.device.device_id:
            self.status.setText("不能在這台電腦上為它自己產生替代登記碼。")
            return
        question = (
            f"為 {device.device_id}「{device.name}」產生替代電腦的登記碼？新電腦登記後接替此設備代號、案件與編號，"
            "舊電腦的金鑰、登入與權杖即刻失效（尚未上傳的案件隨舊電腦遺失）。"
        )
        if not self._confirm(self, "替代設備", question):
            return
        self._busy(True)
        request = wire.EnrolmentRequest(name=f"{device.name}（替代）"[:64], replaces=device.device_id)
        self._runner.run(
            "net", lambda: self._services.client.create_enrolment(request), self._code_made, self._failed, owner=self
        )

    def _code_made(self, made: wire.EnrolmentResponse) -> None:
        self._busy(False)
        self.code_label.setText(made.code)
        instead = f"，接替 {made.replaces}" if made.replaces else ""
        self.status.setText(
            f"「{made.name}」{instead}的一次性登記碼，請在該電腦首次啟動時輸入；"
            f"{_when(made.expires_at)} 前有效，限用一次。"
        )
        self.name_edit.clear()

    def revoke_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if len(rows) != 1:
            self.status.setText("請先在表格中選一台電腦。")
            return
        device = self.devices[rows.pop()]
        if device.revoked_at is not None:
            self.status.setText(f"{device.device_id} 已經停用。")
            return
        mine = "（這台電腦本身：停用後本機將無法再連線）" if device.device_id == self._services.device.device_id else ""
        question = f"停用 {device.device_id}「{device.name}」{mine}？其登入、權杖與金鑰會立即失效，無法復原。"
        if not self._confirm(self, "停用設備", question):
            return
        self._busy(True)
        self._runner.run(
            "net",
            lambda: self._services.client.revoke_device(device.device_id),
            self._revoked,
            self._failed,
            owner=self,
        )

    def _revoked(self, device: wire.DeviceInfo) -> None:
        self.status.setText(f"{device.device_id}「{device.name}」已停用。")
        self.refresh()
