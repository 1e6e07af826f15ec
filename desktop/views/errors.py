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
