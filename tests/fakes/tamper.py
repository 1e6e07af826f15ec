"""Damage a queued case on disk as a bug or a broken disk might (the payload is sealed, so go through the key)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from sync.ledger import Ledger


def rewrite_first_payload(ledger: Ledger, change: Callable[[dict[str, Any]], None]) -> None:
    with sqlite3.connect(ledger.path) as conn:
        key, sealed = conn.execute("SELECT idempotency_key, payload_json FROM outbox ORDER BY id LIMIT 1").fetchone()
        payload = json.loads(ledger.core.open(sealed, "outbox.payload_json", key))
        change(payload)
        resealed = ledger.core.seal(json.dumps(payload, ensure_ascii=False), "outbox.payload_json", key)
        conn.execute("UPDATE outbox SET payload_json = ? WHERE idempotency_key = ?", (resealed, key))


def break_checksum(payload: dict[str, Any]) -> None:
    """An ID the server must reject: the check digit moved by one."""
    nid = payload["national_id"]
    payload["national_id"] = nid[:9] + str((int(nid[9]) + 1) % 10)
