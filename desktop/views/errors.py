"""What a failed background task says to the person at the window: our typed errors in their Traditional Chinese
words; anything else as unexpected (and logged by the caller), never a traceback."""

from __future__ import annotations

from forms.errors import DomainError
from forms.messages import text
from sync.ledger.secrets import SecretUnavailable
from sync.protocol.errors import StoreError, SyncError


def describe(exc: BaseException, unexpected: str = "發生未預期的錯誤") -> str:
    if isinstance(exc, DomainError | StoreError | SyncError):
        return text(exc.code, **exc.params)
    if isinstance(exc, SecretUnavailable):
        return str(exc)
    return f"{unexpected}：{type(exc).__name__}"


_showing = False  # one crash dialog at a time: an error raised again while it is open is only logged


def show_crash_dialog(exc: BaseException) -> None:
    """The zh-TW dialog for an error nobody caught (installed as desktop.logs.show_crash by the app)."""
    global _showing
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop import logs

    if _showing or QApplication.instance() is None:
        return
    _showing = True
    try:
        file = logs.log_file()
        body = text("crash_shown", kind=type(exc).__name__, file=str(file) if file else "（未設定紀錄檔）")
        box = QMessageBox(QMessageBox.Icon.Critical, "Counterdesk：未預期的錯誤", body)
        box.setObjectName("crash_dialog")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the path can be copied
        box.exec()
    finally:
        _showing = False
