"""The ledger's audit trail of personal-data look-ups: a hash chain (sync.protocol.audit_chain), one row per look-up or
refusal, written before any result is shown; its head is also kept in the high-water marks."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import insert, select

from forms.ids import mask_id
from sync.ledger.core import LedgerCore
from sync.ledger.highwater import Marks
from sync.ledger.records import LookupAudit
from sync.ledger.store.tables import LookupRow
from sync.protocol.audit_chain import FIELDS, GENESIS, first_bad, link


class Audit:
    def __init__(self, core: LedgerCore) -> None:
        self._core = core

    def record(self, entry: LookupAudit) -> None:
        """Write an audit row, chained to the one before. Raises StoreError if it cannot be written: the caller
        must then not show data (fail closed)."""
        self.record_many([entry])

    def record_many(self, entries: list[LookupAudit]) -> None:
        """Write several audit rows in one transaction (a batch look-up), chained in order."""
        core = self._core
        now = core.now().isoformat()
        with core.write() as s:
            last = s.execute(select(LookupRow.seq, LookupRow.row_hash).order_by(LookupRow.seq.desc()).limit(1)).first()
            seq, previous = (last[0], str(last[1])) if last and last[0] is not None else (0, GENESIS)
            rows = []
            for entry in entries:
                seq += 1
                event = {
                    "seq": seq,
                    "at": now,
                    "clerk": entry.clerk,
                    "device_id": core.device.device_id,
                    "case_uuid": str(entry.case_uuid),
                    "purpose": entry.purpose,
                    "kind": entry.kind,
                    "id_masked": mask_id(entry.national_id),
                    "id_digest": core.id_digest(entry.national_id),
                    "outcome": entry.outcome,
                    "server_lookup_id": str(entry.server_lookup_id) if entry.server_lookup_id else None,
                    "detail": entry.detail,
                }
                previous_hash, previous = previous, link(previous, event)
                rows.append({**event, "prev_hash": previous_hash, "row_hash": previous})
            s.execute(insert(LookupRow), rows)  # one executemany, not one ORM object per row
        core.marks.raise_to(Marks(audit_seq=seq, audit_head=previous))

    def head(self) -> tuple[int, str]:
        """(seq, hash) of the chain's last row; (0, GENESIS) for an empty chain."""
        with self._core.read() as s:
            last = s.execute(select(LookupRow.seq, LookupRow.row_hash).order_by(LookupRow.seq.desc()).limit(1)).first()
        return (int(last[0]), str(last[1])) if last and last[0] is not None else (0, GENESIS)

    def verify_chain(self) -> int | None:
        """The seq of the first audit row that was altered, removed or moved; None when the chain holds."""
        with self._core.read() as s:
            rows = s.execute(select(LookupRow).order_by(LookupRow.seq)).scalars().all()
            return first_bad({c: getattr(r, c) for c in (*FIELDS, "prev_hash", "row_hash")} for r in rows)

    def of_case(self, case_uuid: UUID) -> list[tuple[str, str, str]]:
        """(kind, outcome, masked ID) of each audited look-up of a case."""
        with self._core.read() as s:
            rows = s.execute(
                select(LookupRow.kind, LookupRow.outcome, LookupRow.id_masked)
                .where(LookupRow.case_uuid == str(case_uuid))
                .order_by(LookupRow.id)
            ).all()
        return [(k, o, m) for k, o, m in rows]
