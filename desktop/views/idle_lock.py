"""The idle lock: after a while without keyboard or mouse, the window is covered until the clerk's password is
typed again (a counter is often left for a moment; citizens' data must not be)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget

ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}
COVER = "#2d3a4a"  # the lock's colour: nothing of the window shows through
BLOCKED = {QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride, QEvent.Type.Shortcut}


class IdleLock(QWidget):
    """An overlay over `window`. Signals: locked(), unlocked()."""

    locked = Signal()
    unlocked = Signal()

    def __init__(self, window: QWidget, idle_s: float, check: Callable[[str], bool], hint: str = "") -> None:
        super().__init__(window)
        self._window = window
        self._idle_s = idle_s
        self._check = check
        self._last = time.monotonic()
        self.setObjectName("idle_lock")
        # Opaque: a plain QWidget paints no style-sheet background unless told to; the palette covers the rest.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(COVER))
        self.setPalette(palette)
        self.setStyleSheet(
            f"#idle_lock {{ background: {COVER}; }} QLabel {{ color: white; font-size: 16px; }}"
            " QLineEdit { background: white; color: black; font-size: 16px; padding: 4px; }"
        )
        self.password = QLineEdit()
        self.password.setObjectName("unlock_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaximumWidth(320)
        self.password.returnPressed.connect(self.on_unlock)
        self.message = QLabel("")
        self.message.setObjectName("unlock_message")
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(QLabel("畫面已鎖定（閒置過久）。請輸入密碼繼續作業："))
        layout.addWidget(self.password)
        layout.addWidget(self.message)
        if hint:
            layout.addWidget(QLabel(hint))
        self.password.setAccessibleName("解鎖密碼")
        self.hide()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setInterval(max(50, int(min(idle_s, 5.0) * 1000 / 2)))
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    @property
    def is_locked(self) -> bool:
        return self.isVisible()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in ACTIVITY:
            self._last = time.monotonic()
        if self.is_locked and event.type() in BLOCKED:
            # While locked, keys reach only the password field: no shortcut may act behind the cover.
            inside = isinstance(watched, QWidget) and (watched is self or self.isAncestorOf(watched))
            return not inside or event.type() == QEvent.Type.Shortcut
        return False

    def _tick(self) -> None:
        if not self.is_locked and time.monotonic() - self._last >= self._idle_s:
            self.lock()

    def lock(self) -> None:
        self.setGeometry(self._window.rect())
        self.password.clear()
        self.message.clear()
        self.show()
        self.raise_()
        self.password.setFocus()
        self.locked.emit()

    def on_unlock(self) -> None:
        if self._check(self.password.text()):
            self.hide()
            self._last = time.monotonic()
            self.unlocked.emit()
        else:
            self.password.clear()
            self.message.setText("密碼不正確。")

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
