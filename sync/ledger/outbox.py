"""The outbox: what still has to reach the city, in the order it was made. An item leaves `pending` only on the
city's explicit answer for it; one the city refuses, or that no longer fits, goes to a person (需處理)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update

from forms.backlog import Backlog
from sync.ledger.core import LedgerCore
from sync.ledger.records import RECORD_NAMES, OutboxItem, OutboxView
from sync.ledger.settings import write_clock_skew
from sync.ledger.store.tables import CaseRow, CounterRow, OutboxRow
from sync.protocol import wire


class Outbox:
    def __init__(self, core: LedgerCore) -> None:
        self._core = core

    def due(self, limit: int, now: datetime | None) -> list[OutboxItem]:
        """Pending items, oldest first; with `now`, only those whose next attempt is due by then."""
        query = select(OutboxRow).where(OutboxRow.state == "pending")
        if now is not None:
            moment = now.isoformat()
            query = query.where((OutboxRow.next_attempt_at.is_(None)) | (OutboxRow.next_attempt_at <= moment))
        with self._core.read() as s:
            rows = s.scalars(query.order_by(OutboxRow.id).limit(limit)).all()
            return [
                OutboxItem(
                    r.idempotency_key,
                    self._core.open(r.payload_json, "outbox.payload_json", r.idempotency_key),
                    r.attempts,
                    r.kind,
                )
                for r in rows
            ]

    def mark_results(self, results: list[wire.CaseResult], clock_skew_s: int | None = None) -> None:
        """Apply the server's per-item answers: accepted/duplicate are delivered; conflict/rejected need a person.
        All delivered items of a batch in one statement, and the clock skew measured with the answer, in one
        transaction (a batch's answer is one durable write, not one per case)."""
        now = self._core.now().isoformat()
        delivered = [str(r.case_uuid) for r in results if r.status in ("accepted", "duplicate")]
        with self._core.write() as s:
            if clock_skew_s is not None:
                write_clock_skew(s, clock_skew_s)
            for n in range(0, len(delivered), 500):  # SQLite's limit on bound parameters
                s.execute(
                    update(OutboxRow)
                    .where(OutboxRow.idempotency_key.in_(delivered[n : n + 500]), OutboxRow.state == "pending")
                    .values(state="sent", sent_at=now, last_error=None, attempts=OutboxRow.attempts + 1)
                )
            for r in results:
                if r.status in ("accepted", "duplicate"):
                    continue
                s.execute(
                    update(OutboxRow)
                    .where(OutboxRow.idempotency_key == str(r.case_uuid), OutboxRow.state == "pending")
                    .values(
                        state="attention", last_error=f"{r.status}: {r.detail or ''}", attempts=OutboxRow.attempts + 1
                    )
                )

    def mark_retry(self, keys: list[str], error: str, next_attempt_at: datetime) -> None:
        with self._core.write() as s:
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.idempotency_key.in_(keys), OutboxRow.state == "pending")
                .values(attempts=OutboxRow.attempts + 1, last_error=error, next_attempt_at=next_attempt_at.isoformat())
            )

    def resend(self, keys: list[str], reason: str) -> None:
        """Put delivered cases back in the queue (the server no longer holds them); same key, same body."""
        with self._core.write() as s:
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.idempotency_key.in_(keys), OutboxRow.state == "sent")
                .values(state="pending", sent_at=None, next_attempt_at=None, last_error=reason)
            )

    def set_aside(self, keys: list[str], reason: str) -> None:
        """A delivered case that the server holds with other content: a person must look (需處理)."""
        with self._core.write() as s:
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.idempotency_key.in_(keys), OutboxRow.state == "sent")
                .values(state="attention", last_error=reason)
            )

    def requeue(self, key: str) -> None:
        """A person sends a set-aside case again (e.g. after the city fixed its side); same key, same body."""
        with self._core.write() as s:
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.idempotency_key == key, OutboxRow.state == "attention")
                .values(state="pending", next_attempt_at=None)
            )

    def withdraw(self, key: str, reason: str, by: str) -> None:
        """A person withdraws a set-aside case: it stays in the ledger, with who and why, and is not sent."""
        with self._core.write() as s:
            # A withdrawn case takes its queued updates with it.
            case_uuid = s.scalar(select(OutboxRow.case_uuid).where(OutboxRow.idempotency_key == key))
            s.execute(
                update(OutboxRow)
                .where(
                    (OutboxRow.idempotency_key == key)
                    | ((OutboxRow.case_uuid == case_uuid) & OutboxRow.state.in_(("attention", "pending")))
                )
                .where(OutboxRow.state.in_(("attention", "pending")))
                .values(state="withdrawn", last_error=f"撤回（{by}）：{reason}")
            )

    def items(self, states: tuple[str, ...]) -> list[OutboxView]:
        """Queue entries in the given states, with what a person needs to act on them (no full ID)."""
        with self._core.read() as s:
            rows = s.execute(
                select(OutboxRow, CaseRow.case_number, CaseRow.service_code, CaseRow.id_masked)
                .outerjoin(CaseRow, CaseRow.case_uuid == OutboxRow.case_uuid)
                .where(OutboxRow.state.in_(states))
                .order_by(OutboxRow.id)
            ).all()
        return [
            OutboxView(
                o.idempotency_key,
                number or RECORD_NAMES.get(o.kind, o.kind),
                service or "",
                masked or "",
                o.state,
                o.attempts,
                o.last_error,
                o.next_attempt_at,
                o.kind,
            )
            for o, number, service, masked in rows
        ]

    def counts(self) -> dict[str, int]:
        with self._core.read() as s:
            rows = s.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state)).all()
        counts = {"pending": 0, "sent": 0, "attention": 0, "withdrawn": 0}
        counts.update({state: int(n) for state, n in rows})
        return counts

    def backlog(self) -> Backlog:
        """How much waits for the city, and since when."""
        with self._core.read() as s:
            count, oldest = s.execute(
                select(func.count(), func.min(OutboxRow.created_at)).where(OutboxRow.state == "pending")
            ).one()
        with self._core.decoding("outbox", "created_at"):
            return Backlog(int(count), datetime.fromisoformat(oldest) if oldest else None)

    def last_delivery(self) -> datetime | None:
        """When the server last confirmed a case (the "last successful sync" the liaison officer sees)."""
        with self._core.read() as s:
            value = s.scalar(select(func.max(OutboxRow.sent_at)))
        with self._core.decoding("outbox", "sent_at"):
            return datetime.fromisoformat(value) if value else None

    def sent_cases(self, day: date) -> dict[str, str]:
        """Cases of an office day the server confirmed: case UUID -> content hash of what was sent."""
        with self._core.read() as s:
            rows = s.execute(
                select(OutboxRow.idempotency_key, OutboxRow.payload_json)
                .join(CaseRow, CaseRow.case_uuid == OutboxRow.case_uuid)
                .where(OutboxRow.kind == "case", OutboxRow.state == "sent", CaseRow.business_date == day.isoformat())
            ).all()
        hashes = {}
        for key, payload in rows:
            with self._core.decoding("outbox", key):
                hashes[key] = wire.CaseIn.model_validate_json(
                    self._core.open(payload, "outbox.payload_json", key)
                ).content_hash()
        return hashes

    def push_batch_hint(self) -> int | None:
        """The batch size the last push settled on after time-outs (None: the default)."""
        with self._core.read() as s:
            row = s.get(CounterRow, "push_batch")
            return row.value if row else None

    def set_push_batch_hint(self, size: int) -> None:
        with self._core.write() as s:
            s.merge(CounterRow(name="push_batch", value=size))
