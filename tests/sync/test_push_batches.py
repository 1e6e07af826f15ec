"""The push's batch size adapts to a slow link: halved after a time-out, doubled back with each batch that gets
through, remembered in the ledger. (A decision test with a scripted client; the network path itself is covered by
the fault-proxy suites in tests/reliability.)"""

from __future__ import annotations

from datetime import datetime

from forms.clock import TAIPEI
from sync.city.push import MIN_BATCH, push_pending
from sync.ledger import Ledger
from sync.protocol import wire
from sync.protocol.errors import SyncError, SyncErrorKind
from tests.sync.test_ledger import draft


class ScriptedClient:
    """Answers every case 'accepted', except that the listed calls time out."""

    def __init__(self, timeouts: set[int]) -> None:
        self.sizes: list[int] = []
        self.timeouts = timeouts

    def push_cases(self, batch: wire.CasesBatchRequest) -> wire.CasesBatchResponse:
        self.sizes.append(len(batch.cases))
        if len(self.sizes) in self.timeouts:
            raise SyncError(SyncErrorKind.TIMEOUT, "net_timeout")
        results = [wire.CaseResult(case_uuid=c.case_uuid, status="accepted") for c in batch.cases]
        return wire.CasesBatchResponse(results=results, server_time=datetime(2026, 11, 20, 10, 30, tzinfo=TAIPEI))


def test_batch_halves_after_a_timeout_and_grows_back(ledger: Ledger) -> None:
    for _ in range(200):
        ledger.cases.accept(draft())
    client = ScriptedClient(timeouts={1, 2})
    push_pending(ledger, client, batch_size=40, ignore_schedule=True)  # type: ignore[arg-type]
    assert client.sizes == [40] and ledger.outbox.push_batch_hint() == 20
    push_pending(ledger, client, batch_size=40, ignore_schedule=True)  # type: ignore[arg-type]
    assert client.sizes == [40, 20] and ledger.outbox.push_batch_hint() == MIN_BATCH
    report = push_pending(ledger, client, batch_size=40, ignore_schedule=True)  # type: ignore[arg-type]
    assert client.sizes[2:6] == [10, 20, 40, 40] and ledger.outbox.push_batch_hint() == 40
    assert report.accepted == 200 and ledger.outbox.counts()["pending"] == 0
