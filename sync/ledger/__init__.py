"""The case ledger (sync/ledger/facade.py) and the values it hands out (records.py); storage in store/.

Loaded on first use (PEP 562): importing a light part (private_files, secrets) must not load SQLAlchemy, so the
production log-in dialog is on screen before the ledger's modules are."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.ledger.facade import Ledger
    from sync.ledger.records import (
        RECORD_NAMES,
        STATUS_ACCEPTED,
        STATUS_PENDING_VERIFICATION,
        STATUS_VERIFIED,
        CaseDraft,
        Device,
        LookupAudit,
        OutboxItem,
        OutboxView,
        PendingCase,
        SavedCase,
    )

__all__ = [
    "RECORD_NAMES",
    "STATUS_ACCEPTED",
    "STATUS_PENDING_VERIFICATION",
    "STATUS_VERIFIED",
    "CaseDraft",
    "Device",
    "Ledger",
    "LookupAudit",
    "OutboxItem",
    "OutboxView",
    "PendingCase",
    "SavedCase",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'sync.ledger' has no attribute {name!r}")
    module = import_module("sync.ledger.facade" if name == "Ledger" else "sync.ledger.records")
    return getattr(module, name)
