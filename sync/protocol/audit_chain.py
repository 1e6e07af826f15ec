"""The look-up audit trail as a hash chain: h_i = SHA-256(h_{i-1} || canonical(event_i)).

An edited, deleted or reordered row breaks every link after it, so the verifier names the first bad row.
(Cutting rows off the end is only visible against a chain head anchored elsewhere, e.g. on the server.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64
FIELDS = (
    "seq",
    "at",
    "clerk",
    "device_id",
    "case_uuid",
    "purpose",
    "kind",
    "id_masked",
    "id_digest",
    "outcome",
    "server_lookup_id",
    "detail",
)


def canonical(event: Mapping[str, Any]) -> bytes:
    return json.dumps(
        {k: event.get(k) for k in FIELDS}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def link(previous: str, event: Mapping[str, Any]) -> str:
    return hashlib.sha256(previous.encode("ascii") + canonical(event)).hexdigest()


def first_bad(rows: Iterable[Mapping[str, Any]]) -> int | None:
    """The seq of the first row whose link does not hold (or that breaks the 1, 2, 3… numbering); None if intact."""
    previous, expected_seq = GENESIS, 1
    for row in rows:
        if row["seq"] != expected_seq or row["prev_hash"] != previous or link(previous, row) != row["row_hash"]:
            return int(row["seq"]) if row["seq"] == expected_seq else expected_seq
        previous, expected_seq = row["row_hash"], expected_seq + 1
    return None
