"""What the push does with each answer, on a real ledger with a scripted city (a decision test; the network path is
covered by the fault-proxy suites): every per-item answer drives its queue state, server back-off advice and our
own back-off are observed on the injected clock, and nothing is touched when no one can log in."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from forms.clock import TAIPEI
from sync.city.push import BACKOFF_BASE_S, BACKOFF_CAP_S, backoff, push_pending
from sync.ledger import Ledger
from sync.protocol import wire
from sync.protocol.errors import SyncError, SyncErrorKind
from tests.sync.test_ledger import draft

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=TAIPEI)


class City:
    """Answers each case as `answer(index)` says, or raises what `fail` gives for a call; counts calls."""

    def __init__(
        self,
        answer: Callable[[int], str] = lambda _n: "accepted",
        fail: Callable[[int], SyncError | None] = lambda _n: None,
        server_time: datetime = T0,
    ) -> None:
        self.answer, self.fail, self.server_time = answer, fail, server_time
        self.calls = 0
        self.seen: list[str] = []

    def push_cases(self, batch: wire.CasesBatchRequest) -> wire.CasesBatchResponse:
        self.calls += 1
        if (error := self.fail(self.calls)) is not None:
            raise error
        results = []
        for case in batch.cases:
            status = self.answer(len(self.seen))
            self.seen.append(str(case.case_uuid))
            detail = None if status in ("accepted", "duplicate") else f"{status}_reason"
            results.append(wire.CaseResult(case_uuid=case.case_uuid, status=status, detail=detail))  # type: ignore[arg-type]
        return wire.CasesBatchResponse(results=results, server_time=self.server_time)


def states(ledger: Ledger) -> list[tuple[str, str | None]]:
    return [(i.state, i.last_error) for i in ledger.outbox.items(("pending", "attention"))] + [
        ("sent", None) for _ in range(ledger.outbox.counts()["sent"])
    ]


def test_each_per_item_answer_drives_its_queue_state(ledger: Ledger) -> None:
    keys = [str(ledger.cases.accept(draft()).case_uuid) for _ in range(4)]
    answers = ["accepted", "duplicate", "conflict", "rejected"]
    city = City(answer=lambda n: answers[n])
    report = push_pending(ledger, city, now=lambda: T0, ignore_schedule=True)  # type: ignore[arg-type]
    assert (report.accepted, report.duplicate, report.conflict, report.rejected) == (1, 1, 1, 1)
    assert report.statuses == dict(zip(keys, answers, strict=True))
    by_key = {i.key: (i.state, i.last_error) for i in ledger.outbox.items(("pending", "attention"))}
    assert by_key == {
        keys[2]: ("attention", "conflict: conflict_reason"),
        keys[3]: ("attention", "rejected: rejected_reason"),
    }
    assert ledger.outbox.counts() == {"pending": 0, "sent": 2, "attention": 2, "withdrawn": 0}
    # Delivered and set-aside items are not sent again.
    assert push_pending(ledger, city, now=lambda: T0, ignore_schedule=True).delivered == 0  # type: ignore[arg-type]
    assert city.calls == 1


def test_the_servers_clock_is_measured_against_ours(ledger: Ledger) -> None:
    ledger.cases.accept(draft())
    city = City(server_time=T0 - timedelta(hours=2))
    report = push_pending(ledger, city, now=lambda: T0, ignore_schedule=True)  # type: ignore[arg-type]
    assert report.clock_skew_s == -7200 and ledger.settings.clock_skew() == -7200


def test_retry_after_is_waited_for_on_the_clock(ledger: Ledger) -> None:
    ledger.cases.accept(draft())
    city = City(
        fail=lambda n: SyncError(SyncErrorKind.SERVER, "server_error", retry_after=600, status=503) if n == 1 else None
    )
    report = push_pending(ledger, city, now=lambda: T0, rng=random.Random(1))  # type: ignore[arg-type]
    assert report.error_code == "server_error" and city.calls == 1
    (item,) = ledger.outbox.items(("pending",))
    assert item.attempts == 1 and item.next_attempt_at == (T0 + timedelta(seconds=600)).isoformat()
    push_pending(ledger, city, now=lambda: T0 + timedelta(seconds=599))  # type: ignore[arg-type]
    assert city.calls == 1  # not due yet: nothing was sent
    assert push_pending(ledger, city, now=lambda: T0 + timedelta(seconds=600)).accepted == 1  # type: ignore[arg-type]
    assert city.calls == 2


def test_our_own_back_off_grows_with_each_failure_and_is_capped(ledger: Ledger) -> None:
    ledger.cases.accept(draft())
    city = City(fail=lambda _n: SyncError(SyncErrorKind.NETWORK, "net_unreachable"))
    waits = []
    now = T0
    for _ in range(9):
        push_pending(ledger, city, now=lambda at=now: at, rng=random.Random(7))  # type: ignore[arg-type, misc]
        (item,) = ledger.outbox.items(("pending",))
        due = datetime.fromisoformat(item.next_attempt_at or "")
        waits.append((due - now).total_seconds())
        now = due
    ceilings = [min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**n) for n in range(9)]
    assert all(c / 2 <= w <= c for w, c in zip(waits, ceilings, strict=True)), waits
    assert waits[-1] <= BACKOFF_CAP_S and city.calls == 9


def test_backoff_is_between_half_and_all_of_its_ceiling() -> None:
    rng = random.Random(3)
    for attempts, ceiling in ((1, 5), (2, 10), (3, 20), (7, 300), (30, 300)):
        waits = [backoff(attempts, rng).total_seconds() for _ in range(200)]
        assert min(waits) >= ceiling / 2 and max(waits) <= ceiling


def test_a_log_in_problem_leaves_the_queue_untouched(ledger: Ledger) -> None:
    ledger.cases.accept(draft())
    city = City(fail=lambda _n: SyncError(SyncErrorKind.AUTH, "login_needed"))
    report = push_pending(ledger, city, now=lambda: T0)  # type: ignore[arg-type]
    (item,) = ledger.outbox.items(("pending",))
    assert report.error_code == "login_needed"
    assert (item.attempts, item.next_attempt_at, item.last_error) == (0, None, None)


@pytest.mark.parametrize("kind", [SyncErrorKind.BAD_RESPONSE, SyncErrorKind.TIMEOUT, SyncErrorKind.SERVER])
def test_transient_failures_keep_the_items_pending_for_a_later_try(ledger: Ledger, kind: SyncErrorKind) -> None:
    ledger.cases.accept(draft())
    city = City(fail=lambda _n: SyncError(kind, "x"))
    push_pending(ledger, city, now=lambda: T0, rng=random.Random(2))  # type: ignore[arg-type]
    (item,) = ledger.outbox.items(("pending",))
    assert item.state == "pending" and item.attempts == 1 and item.last_error == "x"
    assert ledger.outbox.counts()["attention"] == 0


def test_items_the_city_names_as_unfit_are_set_aside_and_the_rest_sent(ledger: Ledger) -> None:
    keys = [str(ledger.cases.accept(draft()).case_uuid) for _ in range(3)]

    def refuse_second(n: int) -> SyncError | None:
        return SyncError(SyncErrorKind.REJECTED, "request_rejected", items={1: "fee: too large"}) if n == 1 else None

    city = City(fail=refuse_second)
    report = push_pending(ledger, city, now=lambda: T0, ignore_schedule=True)  # type: ignore[arg-type]
    assert report.statuses == {keys[1]: "rejected", keys[0]: "accepted", keys[2]: "accepted"}
    (aside,) = ledger.outbox.items(("attention",))
    assert aside.key == keys[1] and aside.last_error == "rejected: invalid: fee: too large"


def test_an_answer_for_none_of_the_items_stops_the_loop(ledger: Ledger) -> None:
    ledger.cases.accept(draft())

    class Stranger(City):
        def push_cases(self, batch: wire.CasesBatchRequest) -> wire.CasesBatchResponse:
            self.calls += 1
            return wire.CasesBatchResponse(results=[], server_time=T0)

    city = Stranger()
    report = push_pending(ledger, city, now=lambda: T0, ignore_schedule=True)  # type: ignore[arg-type]
    assert city.calls == 1 and ledger.outbox.counts()["pending"] == 1
    assert (report.delivered, report.statuses, report.clock_skew_s) == (0, {}, 0)
