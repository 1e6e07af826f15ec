"""What the ledger's mixins (daybook, reviewbook) use of the Ledger they are mixed into, declared once."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from sync.ledger import Device


class LedgerParts:
    """Provided by sync.ledger.Ledger: the device, sessions, the clock, one write transaction, sealing, the audit
    chain check. Declared for the type checker only: at run time Ledger's own members are the only ones."""

    device: Device
    _sessions: sessionmaker[Session]
    _now: Callable[[], datetime]

    if TYPE_CHECKING:

        def _write(self) -> AbstractContextManager[Session]: ...

        def _read(self) -> AbstractContextManager[Session]: ...

        def _decoding(self, table: str, key: object) -> AbstractContextManager[None]: ...

        def _seal(self, value: str, column: str, key: UUID | str) -> str: ...

        def _open(self, value: str, column: str, key: UUID | str) -> str: ...

        def verify_audit_chain(self) -> int | None: ...
