"""The case ledger (sync/ledger/facade.py) and the values it hands out (records.py); storage in store/."""

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
