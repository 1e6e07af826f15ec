"""Drain the outbox to the city server in batches, with the case UUID as idempotency key.

Restartable at any instruction: an item leaves 'pending' only on the server's explicit per-item answer, so a
crash or a lost response means the same item (same key, same body) is sent again and answered 'duplicate'.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from forms.clock import taipei_now
from sync.city.client import CityClient
from sync.ledger import Ledger, OutboxItem
from sync.ledger.filelock import exclusive
from sync.protocol import wire
from sync.protocol.errors import SyncError, SyncErrorKind

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 5.0
MIN_BATCH = 10
BACKOFF_CAP_S = 300.0


@dataclass
class PushReport:
    accepted: int = 0
    duplicate: int = 0
    conflict: int = 0
    rejected: int = 0
    error_code: str | None = None
    statuses: dict[str, str] = field(default_factory=dict)
    clock_skew_s: int | None = None  # server time minus device time at the last answer
    numbers: Any = None  # what the check of the numbers before the push found (sync.city.catchup.CatchUp), if it ran

    @property
    def delivered(self) -> int:
        return self.accepted + self.duplicate


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """Exponential back-off with jitter, capped (RELIABILITY.md goal 4): the n-th failure waits between half and
    all of min(cap, base·2ⁿ⁻¹), so retries spread out but never come back at once."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, attempts - 1))
    return timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


RECORD_KINDS = ("void", "day_close", "correction")
_MODELS: dict[str, type[wire.WireModel]] = {
    "case": wire.CaseIn,
    "update": wire.CaseUpdateIn,
    **{kind: wire.DayRecordIn for kind in RECORD_KINDS},
}


def _parse(items: list[OutboxItem]) -> tuple[list[tuple[OutboxItem, Any]], list[tuple[OutboxItem, str]]]:
    """The items as wire models, and those that no longer fit the schema (written by an older version, or
    damaged on disk): those go to a person, they would only be refused again and again."""
    good: list[tuple[OutboxItem, Any]] = []
    bad: list[tuple[OutboxItem, str]] = []
    for item in items:
        model = _MODELS.get(item.kind)
        if model is None:  # a kind this version does not know: never guess what it is
            bad.append((item, f"local_invalid: unknown kind {item.kind[:40]!r}"))
            continue
        try:
            good.append((item, model.model_validate(json.loads(item.payload))))
        except (ValidationError, ValueError) as exc:
            bad.append((item, f"local_invalid: {str(exc).splitlines()[0][:150]}"))
    return good, bad


def _send(client: CityClient, kind: str, models: list[Any]) -> wire.CasesBatchResponse:
    if kind in RECORD_KINDS:
        return client.push_records(wire.DayRecordsBatchRequest(records=models))
    if kind == "update":
        return client.push_updates(wire.CaseUpdatesBatchRequest(updates=models))
    return client.push_cases(wire.CasesBatchRequest(cases=models))


def _set_aside(ledger: Ledger, report: PushReport, refused: list[tuple[OutboxItem, str]]) -> None:
    """Items the city can never take as they are: rejected, each with its reason, for a person (需處理)."""
    results = [wire.CaseResult(case_uuid=UUID(i.key), status="rejected", detail=why) for i, why in refused]
    ledger.outbox.mark_results(results)
    report.rejected += len(results)
    for r in results:
        report.statuses[str(r.case_uuid)] = "rejected"


def push_pending(
    ledger: Ledger,
    client: CityClient,
    batch_size: int = 200,  # about 400 KB a request: big enough to amortise, small enough for a village link
    now: Callable[[], datetime] = taipei_now,
    cancelled: Callable[[], bool] = lambda: False,
    rng: random.Random | None = None,
    ignore_schedule: bool = False,
    progress: Callable[[int], None] = lambda answered: None,
) -> PushReport:
    """Push every due pending case; stop at the first transport failure (and schedule a retry).

    `progress(n)` is told how many cases the server has answered so far (the window polls it for its bar).
    """
    with exclusive(ledger.path.with_name(ledger.path.name + ".sync-lock")) as mine:
        if not mine:
            log.info("another sync of this ledger is running; this one stands down")
            return PushReport(error_code="sync_busy")
        return _push(ledger, client, batch_size, now, cancelled, rng or random.Random(), ignore_schedule, progress)


def _push(
    ledger: Ledger,
    client: CityClient,
    batch_size: int,
    now: Callable[[], datetime],
    cancelled: Callable[[], bool],
    rng: random.Random,
    ignore_schedule: bool,
    progress: Callable[[int], None],
) -> PushReport:
    report = PushReport()
    largest = min(batch_size, wire.MAX_BATCH)
    # After a time-out the batch is halved (a slow village link cannot carry a large one in time) and grows back,
    # doubling, with each batch that gets through; the size is remembered in the ledger between pushes.
    size = min(largest, ledger.outbox.push_batch_hint() or largest)
    while not cancelled():
        due = ledger.outbox.due(size, None if ignore_schedule else now())
        if not due:
            break
        # Oldest first, one kind per request: a case always goes before the updates that follow it.
        items = due[: next((n for n, i in enumerate(due) if i.kind != due[0].kind), len(due))]
        parsed, broken = _parse(items)
        if broken:
            _set_aside(ledger, report, broken)
            continue
        try:
            answer = _send(client, items[0].kind, [model for _, model in parsed])
        except SyncError as exc:
            unfit = exc.params.get("items") if exc.kind is SyncErrorKind.REJECTED else None
            if unfit and all(0 <= n < len(items) for n in unfit):
                # The city says which items do not fit its schema: those go to a person, the rest go again.
                _set_aside(ledger, report, [(items[n], f"invalid: {why}") for n, why in sorted(unfit.items())])
                continue
            report.error_code = exc.code
            if exc.kind is SyncErrorKind.AUTH or exc.code == "client_outdated":
                # Not the cases' fault: they stay pending, untouched, until someone logs in again (or the app is
                # updated to a version the city accepts).
                why = "log-in needed" if exc.kind is SyncErrorKind.AUTH else "this version is too old for the city"
                log.info("push paused: %s (%d items wait)", why, len(items))
                break
            if exc.kind is SyncErrorKind.TIMEOUT and size > MIN_BATCH:
                ledger.outbox.set_push_batch_hint(max(MIN_BATCH, size // 2))
            delay = backoff(max(i.attempts for i in items) + 1, rng)
            if exc.retry_after is not None:
                delay = max(delay, timedelta(seconds=exc.retry_after))
            ledger.outbox.mark_retry([i.key for i in items], exc.code, now() + delay)
            log.info(
                "push stopped: %s (%d items wait, next try in %.0f s)", exc.code, len(items), delay.total_seconds()
            )
            break
        report.clock_skew_s = int((answer.server_time - now()).total_seconds())
        ledger.outbox.mark_results(answer.results, report.clock_skew_s)
        if size < largest and len(items) == size:
            size = min(largest, size * 2)
            ledger.outbox.set_push_batch_hint(size)
        for result in answer.results:
            setattr(report, result.status, getattr(report, result.status) + 1)
            report.statuses[str(result.case_uuid)] = result.status
        progress(len(report.statuses))
        answered = {str(r.case_uuid) for r in answer.results}
        if not answered & {i.key for i in items}:
            break  # the server answered none of them: do not spin
    return report
