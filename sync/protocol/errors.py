"""Typed errors of the ledger and the city-server client: a kind, a message code and parameters."""

from __future__ import annotations

from enum import Enum
from typing import Any


class SyncErrorKind(Enum):
    NETWORK = "network"  # connection refused / reset / DNS: the server is not reachable
    TIMEOUT = "timeout"
    AUTH = "auth"  # 401: log in again
    SERVER = "server"  # 5xx, 429: try later
    BAD_RESPONSE = "bad_response"  # not our server's answer (captive portal, proxy page, drifted schema)
    REJECTED = "rejected"  # 4xx other than 401: the request itself is wrong

    @property
    def transient(self) -> bool:
        return self in {SyncErrorKind.NETWORK, SyncErrorKind.TIMEOUT, SyncErrorKind.SERVER, SyncErrorKind.BAD_RESPONSE}


class SyncError(Exception):
    """A failure talking to the city server. Callers never see requests' exceptions."""

    def __init__(self, kind: SyncErrorKind, code: str, retry_after: float | None = None, **params: Any) -> None:
        super().__init__(kind.value, code, params)
        self.kind = kind
        self.code = code
        self.retry_after = retry_after  # seconds the server asked us to wait (Retry-After), if it said
        self.params = params


class StoreError(Exception):
    """The local ledger cannot be written or opened (disk full, read-only, newer schema)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params
