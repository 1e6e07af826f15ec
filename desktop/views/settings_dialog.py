"""本機設定 (a supervisor's): the window's font size and the idle-lock minutes, kept in the user's settings file
(desktop/config.py checks and writes it; the machine file and the command line still win over it). Printer and
paper stay in the 設定 menu (they are the device's, in the ledger). Ctrl+Enter saves, Esc cancels."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from desktop.config import COMMAND_LINE, FONT_SIZES, IDLE_MINUTES, MACHINE, Config, ConfigError
from desktop.views.dialog_parts import problem_label, submit_buttons
from desktop.views.screen import fit_dialog
from forms.messages import text

WHERE = {MACHINE: "本機共用設定檔", COMMAND_LINE: "命令列"}


class SettingsDialog(QDialog):
    """`save(changes)` writes the user's file and returns it; a ConfigError is shown and nothing is written."""

    def __init__(self, parent: QWidget | None, current: Config, save: Callable[[Mapping[str, Any]], Path]) -> None:
        super().__init__(parent)
        self.setWindowTitle("本機設定")
        self._save = save
        self.saved: Path | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.font_size = self._spin("settings_font_size", FONT_SIZES, current.font_size, " 點")
        self.idle_minutes = self._spin("settings_idle_minutes", IDLE_MINUTES, current.idle_lock_minutes, " 分鐘")
        form.addRow("畫面字級", self.font_size)
        form.addRow("閒置鎖定", self.idle_minutes)
        layout.addLayout(form)
        overridden = [
            f"{label}由{WHERE[current.source(key)]}指定，此處變更不會生效"
            for key, label in (("font_size", "字級"), ("idle_lock_minutes", "閒置鎖定"))
            if current.source(key) in WHERE
        ]
        note = QLabel("；".join(overridden) + "。" if overridden else "變更於下次開啟程式時生效。")
        note.setObjectName("settings_note")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.problem = problem_label("settings_problem")
        layout.addWidget(self.problem)
        layout.addWidget(submit_buttons(self, "儲存", self.submit))
        fit_dialog(self, 460)
        self.font_size.setFocus()

    @staticmethod
    def _spin(name: str, bounds: tuple[int, int], value: int, suffix: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(*bounds)
        spin.setValue(value)
        spin.setSuffix(suffix)
        return spin

    def submit(self) -> None:
        try:
            self.saved = self._save(
                {"font_size": self.font_size.value(), "idle_lock_minutes": self.idle_minutes.value()}
            )
        except ConfigError as exc:
            self.problem.setText(text(exc.code, **exc.params))
            return
        except OSError as exc:
            self.problem.setText(f"無法寫入設定檔：{exc.strerror or exc}")
            return
        self.accept()
