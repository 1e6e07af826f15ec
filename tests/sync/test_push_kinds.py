"""The push's bookkeeping, each by hand on a real ledger with a scripted city: one kind per request in queue order,
damaged items set aside locally, the city's list of unfit items believed only when it names real ones, batch sizes
remembered, progress reported, log lines that say what happened, and one push at a time per ledger."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from typing import Any

import pytest

from forms.clock import TAIPEI
from forms.types import Decision, Outcome, RuleResult
from sync.city.push import MIN_BATCH, push_pending
from sync.ledger import Ledger
from sync.ledger.books import Approval
from sync.ledger.filelock import exclusive
from sync.protocol import wire
from sync.protocol.errors import SyncError, SyncErrorKind
from tests.sync.test_ledger import draft

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=TAIPEI)
VERIFIED = Decision((RuleResult("age_at_least", Outcome.PASS, "age_ok"),))


class City:
    """Accepts everything; records each request as (endpoint, keys); raises the scripted error for a call."""

    def __init__(self, errors: dict[int, SyncError] | None = None) -> None:
        self.requests: list[tuple[str, list[str]]] = []
        self.errors = errors or {}

    def _answer(self, endpoint: str, keys: list[Any]) -> wire.CasesBatchResponse:
        self.requests.append((endpoint, [str(k) for k in keys]))
        if (error := self.errors.get(len(self.requests))) is not None:
            raise error
        results = [wire.CaseResult(case_uuid=k, status="accepted") for k in keys]
        return wire.CasesBatchResponse(results=results, server_time=T0)

    def push_cases(self, batch: wire.CasesBatchRequest) -> wire.CasesBatchResponse:
        return self._answer("cases", [c.case_uuid for c in batch.cases])

    def push_updates(self, batch: wire.CaseUpdatesBatchRequest) -> wire.CasesBatchResponse:
        return self._answer("updates", [u.update_uuid for u in batch.updates])

    def push_records(self, batch: wire.DayRecordsBatchRequest) -> wire.CasesBatchResponse:
        return self._answer("records", [r.record_uuid for r in batch.records])


def push(ledger: Ledger, city: City, **kw: Any) -> Any:
    return push_pending(ledger, city, now=lambda: T0, ignore_schedule=True, **kw)  # type: ignore[arg-type]


def test_each_kind_goes_to_its_own_endpoint_in_queue_order(ledger: Ledger) -> None:
    first = ledger.cases.accept(draft(Outcome.UNKNOWN))
    ledger.cases.record_verification(first.case_uuid, VERIFIED, ())
    second = ledger.cases.accept(draft())
    ledger.books.void(second.case_uuid, "誤收", Approval("supervisor-a", "approval-1"))
    third = ledger.cases.accept(draft())
    city = City()
    report = push(ledger, city)
    assert [endpoint for endpoint, _ in city.requests] == ["cases", "updates", "cases", "records", "cases"]
    assert city.requests[0][1] == [str(first.case_uuid)]
    assert city.requests[2][1] == [str(second.case_uuid)] and city.requests[4][1] == [str(third.case_uuid)]
    assert report.accepted == 5 and ledger.outbox.counts()["pending"] == 0


def damage(ledger: Ledger, key: str, payload: str) -> None:
    """A payload the program can no longer read as its model (an older version's, or altered on disk)."""
    sealed = ledger.core.seal(payload, "outbox.payload_json", key)  # sealed as the ledger would: it opens, but is unfit
    with sqlite3.connect(ledger.path) as conn:
        conn.execute("UPDATE outbox SET payload_json = ? WHERE idempotency_key = ?", (sealed, key))


def test_an_item_that_no_longer_fits_its_model_is_set_aside_locally(ledger: Ledger) -> None:
    keys = [str(ledger.cases.accept(draft()).case_uuid) for _ in range(3)]
    damage(ledger, keys[1], '{"case_uuid": "not a uuid"}\nsecond line')
    later = ledger.cases.accept(draft(Outcome.UNKNOWN))
    ledger.cases.record_verification(later.case_uuid, VERIFIED, ())
    update_key = next(i.key for i in ledger.outbox.items(("pending",)) if i.kind == "update")
    damage(ledger, update_key, "[not json")
    city = City()
    report = push(ledger, city)
    aside = {i.key: i.last_error or "" for i in ledger.outbox.items(("attention",))}
    assert set(aside) == {keys[1], update_key}
    assert aside[keys[1]].startswith("rejected: local_invalid: ") and "second line" not in aside[keys[1]]
    assert aside[update_key] == "rejected: local_invalid: Expecting value: line 1 column 2 (char 1)"
    assert all(len(why) <= len("rejected: local_invalid: ") + 150 for why in aside.values())
    assert report.rejected == 2  # counted across both set-asides of the push
    assert report.statuses[keys[1]] == report.statuses[update_key] == "rejected"
    sent = [k for _, ks in city.requests for k in ks]
    assert keys[1] not in sent and update_key not in sent
    assert {keys[0], keys[2], str(later.case_uuid)} <= set(sent)


@pytest.mark.parametrize(
    ("named", "aside"),
    [({0: "fee: too large"}, [0]), ({2: "fee: too large"}, [2]), ({0: "a", 2: "b"}, [0, 2]),
     ({3: "x"}, []), ({-1: "x"}, [])],
    ids=["first", "last", "both ends", "past the end", "negative"],
)  # fmt: skip
def test_the_citys_list_of_unfit_items_is_believed_only_for_items_it_was_sent(
    ledger: Ledger, named: dict[int, str], aside: list[int]
) -> None:
    keys = [str(ledger.cases.accept(draft()).case_uuid) for _ in range(3)]
    city = City({1: SyncError(SyncErrorKind.REJECTED, "request_rejected", items=named)})
    report = push(ledger, city)
    assert sorted(i.key for i in ledger.outbox.items(("attention",))) == sorted(keys[n] for n in aside)
    if aside:
        assert report.error_code is None and report.accepted == 3 - len(aside)
    else:  # a list that names no item it was sent: the whole request failed, nothing is blamed
        assert report.error_code == "request_rejected" and ledger.outbox.counts()["pending"] == 3
        assert all(i.attempts == 1 for i in ledger.outbox.items(("pending",)))


def test_a_failure_that_is_not_a_rejection_blames_no_item(ledger: Ledger) -> None:
    ledger.cases.accept(draft())
    city = City({1: SyncError(SyncErrorKind.SERVER, "server_error", items={0: "x"})})
    assert push(ledger, city).error_code == "server_error"
    assert ledger.outbox.counts()["attention"] == 0


def test_the_default_batch_is_200(ledger: Ledger) -> None:
    for _ in range(450):
        ledger.cases.accept(draft())
    city = City()
    push(ledger, city)
    assert [len(keys) for _, keys in city.requests] == [200, 200, 50]


@pytest.mark.parametrize(
    ("kind", "size", "hint"),
    [
        (SyncErrorKind.TIMEOUT, 200, 100),
        (SyncErrorKind.TIMEOUT, 21, MIN_BATCH),
        (SyncErrorKind.TIMEOUT, MIN_BATCH, None),  # already the smallest: nothing to remember
        (SyncErrorKind.SERVER, 200, None),  # only a time-out says the link is slow
        (SyncErrorKind.NETWORK, 200, None),
    ],
)
def test_only_a_time_out_halves_the_batch(ledger: Ledger, kind: SyncErrorKind, size: int, hint: int | None) -> None:
    for _ in range(size):
        ledger.cases.accept(draft())
    push(ledger, City({1: SyncError(kind, "x")}), batch_size=size)
    assert ledger.outbox.push_batch_hint() == hint
    assert hint is None or isinstance(ledger.outbox.push_batch_hint(), int)


def test_a_halved_batch_grows_only_after_a_full_batch(ledger: Ledger) -> None:
    ledger.outbox.set_push_batch_hint(50)
    for _ in range(130):
        ledger.cases.accept(draft())
    city = City()
    push(ledger, city, batch_size=200)
    # 50 full → 100; 80 left, not a full 100: stays 100.
    assert [len(keys) for _, keys in city.requests] == [50, 80]
    assert ledger.outbox.push_batch_hint() == 100


def test_at_full_size_the_hint_is_left_alone(ledger: Ledger) -> None:
    for _ in range(40):
        ledger.cases.accept(draft())
    push(ledger, City(), batch_size=20)
    assert ledger.outbox.push_batch_hint() is None


def test_progress_counts_the_answers_so_far(ledger: Ledger) -> None:
    for _ in range(25):
        ledger.cases.accept(draft())
    told: list[int] = []
    push(ledger, City(), batch_size=10, progress=told.append)
    assert told == [10, 20, 25]


def test_the_log_says_why_the_push_stopped(ledger: Ledger, caplog: pytest.LogCaptureFixture) -> None:
    for _ in range(3):
        ledger.cases.accept(draft())
    with caplog.at_level(logging.INFO, logger="sync.city.push"):
        push(ledger, City({1: SyncError(SyncErrorKind.AUTH, "login_needed")}))
        push_pending(
            ledger,
            City({1: SyncError(SyncErrorKind.SERVER, "server_error", retry_after=120)}),  # type: ignore[arg-type]
            now=lambda: T0,
            ignore_schedule=True,
        )
    assert [r.getMessage() for r in caplog.records if r.name == "sync.city.push"] == [
        "push paused: log-in needed (3 items wait)",
        "push stopped: server_error (3 items wait, next try in 120 s)",
    ]


def test_one_push_at_a_time_per_ledger(ledger: Ledger, caplog: pytest.LogCaptureFixture) -> None:
    ledger.cases.accept(draft())
    city = City()
    with exclusive(ledger.path.with_name(ledger.path.name + ".sync-lock")) as mine:
        assert mine
        with caplog.at_level(logging.INFO, logger="sync.city.push"):
            report = push(ledger, city)
    assert report.error_code == "sync_busy" and city.requests == []
    assert [r.getMessage() for r in caplog.records if r.name == "sync.city.push"] == [
        "another sync of this ledger is running; this one stands down"
    ]
    assert push(ledger, city).accepted == 1  # released: the next push goes


@pytest.mark.parametrize(
    ("kind", "shown"),
    [("gift", "'gift'"), ("k" * 40, "'" + "k" * 40 + "'"), ("k" * 41, "'" + "k" * 40 + "'")],
    ids=["short", "40 characters", "41 characters: cut at 40"],
)
def test_an_item_of_a_kind_this_version_does_not_know_is_set_aside_not_sent(
    ledger: Ledger, kind: str, shown: str
) -> None:
    key = str(ledger.cases.accept(draft()).case_uuid)
    with sqlite3.connect(ledger.path) as conn:
        conn.execute("UPDATE outbox SET kind = ? WHERE idempotency_key = ?", (kind, key))
    city = City()
    report = push(ledger, city)
    assert city.requests == [] and report.rejected == 1
    (aside,) = ledger.outbox.items(("attention",))
    assert (aside.key, aside.last_error) == (key, f"rejected: local_invalid: unknown kind {shown}")
