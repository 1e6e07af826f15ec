"""The ledger's high-water marks, kept outside the ledger file: the last receipt number, the last case number of
each day and the head of the audit chain, in a small file beside the ledger (`ledger.marks`), replaced atomically
and fsynced after every commit that issues a number.

A ledger behind its marks was restored from an older copy, lost the end of its WAL or was swapped for another
file: it must not issue numbers until it has pulled back what the city holds (the city keeps the same marks of
every device, so a copy restored together with this file is still found out at the next sync).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sync.protocol.audit_chain import GENESIS

log = logging.getLogger(__name__)

KEPT_DAYS = 120  # case numbers restart every day: the marks keep the last days' (older days are the city's)
VERSION = 1


@dataclass(frozen=True)
class Marks:
    """The numbers a ledger has issued: its last receipt, the last case number of each day, its audit head."""

    receipt_seq: int = 0
    case_seqs: dict[str, int] = field(default_factory=dict)  # ISO day -> last case sequence of that day
    audit_seq: int = 0
    audit_head: str = GENESIS

    def behind(self, known: Marks) -> tuple[str, ...]:
        """Where these numbers are behind numbers known to have been issued (empty: they are not). The audit chain
        is not a number handed to a citizen: see `audit_behind`."""
        problems = []
        if self.receipt_seq < known.receipt_seq:
            problems.append(f"receipt {self.receipt_seq} < {known.receipt_seq}")
        late = sorted(day for day, seq in known.case_seqs.items() if self.case_seqs.get(day, 0) < seq)
        if late:
            day = late[-1]
            problems.append(f"cases of {day} {self.case_seqs.get(day, 0)} < {known.case_seqs[day]}")
        return tuple(problems)

    def audit_behind(self, known: Marks) -> bool:
        """The audit chain lost rows known to have been written (or is another chain of the same length)."""
        if self.audit_seq < known.audit_seq:
            return True
        return bool(known.audit_seq) and self.audit_seq == known.audit_seq and self.audit_head != known.audit_head

    def merged(self, other: Marks) -> Marks:
        """The higher of both at every place (the audit head of the longer chain); only recent days are kept."""
        days = {
            d: max(self.case_seqs.get(d, 0), other.case_seqs.get(d, 0)) for d in {*self.case_seqs, *other.case_seqs}
        }
        audit = self if self.audit_seq >= other.audit_seq else other
        return Marks(max(self.receipt_seq, other.receipt_seq), _recent(days), audit.audit_seq, audit.audit_head)

    def with_audit(self, seq: int, head: str) -> Marks:
        """The same numbers with another audit head (after a gap in the chain was recorded in the chain)."""
        return Marks(self.receipt_seq, dict(self.case_seqs), seq, head)


def _recent(days: dict[str, int]) -> dict[str, int]:
    return dict(sorted(days.items())[-KEPT_DAYS:])


class MarksFile:
    """The marks beside a ledger; the file is the only copy (every raise reads it first, so another instance or a
    later start never writes lower marks over higher ones). Thread-safe: look-ups and intakes record their marks
    from different lanes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def read(self) -> Marks | None:
        """The marks as last written; None when there are none (a new ledger) or the file is unreadable (then the
        city is the only witness, and that is logged)."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            body = raw["marks"]
            if raw.get("version") != VERSION or raw.get("sha256") != _digest(body):
                raise ValueError("checksum or version does not match")
            marks = Marks(
                int(body["receipt_seq"]),
                {str(d): int(v) for d, v in body["case_seqs"].items()},
                int(body["audit_seq"]),
                str(body["audit_head"]),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning(
                "high-water marks %s unreadable (%s): only the city can tell a rolled-back ledger", self.path, exc
            )
            return None
        return marks

    def raise_to(self, marks: Marks) -> None:
        """Merge `marks` into what the file holds and write it durably (only ever upwards)."""
        with self._lock:
            current = self.read()
            merged = marks if current is None else current.merged(marks)
            if merged != current:
                self._write(merged)

    def replace(self, marks: Marks) -> None:
        """Write exactly `marks` (a rebuilt ledger's, or after a gap in the audit chain was recorded)."""
        with self._lock:
            self._write(marks)

    def _write(self, marks: Marks) -> None:
        body = {
            "receipt_seq": marks.receipt_seq,
            "case_seqs": _recent(marks.case_seqs),
            "audit_seq": marks.audit_seq,
            "audit_head": marks.audit_head,
        }
        text = json.dumps({"version": VERSION, "marks": body, "sha256": _digest(body)}, sort_keys=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        _sync_dir(self.path.parent)


def _digest(body: object) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()


def _sync_dir(folder: Path) -> None:
    """The rename itself reaches the disk (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
