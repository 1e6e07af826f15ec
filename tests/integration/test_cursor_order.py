"""The status-change cursor on PostgreSQL with writers committing out of order: a device following
/status-changes never skips a change and never gets one twice. Numbers come from a sequence, so without care the
change numbered 11 can commit (and be read, moving the device's cursor to 11) before the one numbered 10 does."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cityserver.app import create_app
from cityserver.db import StatusEventRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from tests.conftest import OFFICE, PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE, Api, token_for
from tests.fakes.postgres import PrivatePostgres
from tests.fakes.wire_cases import case_for

pytestmark = pytest.mark.integration
_names = itertools.count(1)


@pytest.fixture
def pg_city(postgres: PrivatePostgres) -> Iterator[EmbeddedServer]:
    name = f"cursor_{next(_names)}"
    postgres.sql(f"CREATE DATABASE {name} TEMPLATE city_template")
    app = create_app(postgres.url(name))
    server = EmbeddedServer(app)
    server.start()
    yield server
    server.stop()
    app.state.engine.dispose()


def _a_case(city: EmbeddedServer, population: list[Resident]) -> tuple[Api, str]:
    clerk = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    person = next(r for r in population if r.district_code == OFFICE.code)
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-05", person.national_id, 1)
    assert clerk.push("cases", [case])[0]["status"] == "accepted"
    return clerk, str(case.case_uuid)


def _read(clerk: Api, since: int) -> tuple[list[int], int]:
    answer = clerk.get("/api/v1/status-changes", params={"since": since})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return [c["seq"] for c in body["changes"]], body["cursor"]


def _event(case_uuid: str, n: int) -> StatusEventRow:
    return StatusEventRow(case_uuid=case_uuid, status="審核中", note=f"w{n}", at=datetime.now(UTC))


def test_a_change_numbered_first_but_committed_last_is_not_skipped(
    pg_city: EmbeddedServer, population: list[Resident]
) -> None:
    clerk, case_uuid = _a_case(pg_city, population)
    seen, cursor = _read(clerk, 0)
    factory = pg_city.app.state.session_factory
    first = factory()
    first.add(_event(case_uuid, 1))
    first.flush()  # numbered, not committed
    second_done = threading.Event()

    def second_writer() -> None:
        with factory.begin() as s:
            s.add(_event(case_uuid, 2))
        second_done.set()

    writer = threading.Thread(target=second_writer)
    writer.start()
    time.sleep(0.5)  # the second writer has had every chance to commit ahead of the first
    got, cursor = _read(clerk, cursor)
    seen += got
    first.commit()
    first.close()
    writer.join(10)
    assert second_done.is_set()
    while got := _read(clerk, cursor)[0]:
        seen += got
        cursor = max(got)
    with factory() as s:
        every = sorted(s.scalars(StatusEventRow.__table__.select().with_only_columns(StatusEventRow.seq)).all())
    assert seen == every, f"the device saw {seen}, the city holds {every}"


def test_concurrent_writers_and_a_polling_device_see_every_change_once(
    pg_city: EmbeddedServer, population: list[Resident]
) -> None:
    clerk, case_uuid = _a_case(pg_city, population)
    factory = pg_city.app.state.session_factory
    stop = threading.Event()
    seen: list[int] = []
    rng = random.Random(17)
    pauses = [[rng.uniform(0, 0.02) for _ in range(15)] for _ in range(6)]

    def writer(n: int) -> None:
        for pause in pauses[n]:
            with factory.begin() as s:
                s.add(_event(case_uuid, n))
                s.flush()
                time.sleep(pause)  # work after numbering: commits land in another order than the numbers

    def device() -> None:
        cursor = 0
        while not stop.is_set():
            got, cursor = _read(clerk, cursor)
            seen.extend(got)

    reader = threading.Thread(target=device)
    reader.start()
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in writers:
        t.start()
    for t in writers:
        t.join(60)
    stop.set()
    reader.join(10)
    cursor = max(seen, default=0)
    while got := _read(clerk, cursor)[0]:
        seen += got
        cursor = max(got)
    with factory() as s:
        every = sorted(s.scalars(StatusEventRow.__table__.select().with_only_columns(StatusEventRow.seq)).all())
    assert len(every) == 1 + 6 * 15  # the case's 收件, then every writer's steps
    assert sorted(seen) == every and len(seen) == len(set(seen)), (
        f"skipped {sorted(set(every) - set(seen))}, twice {sorted(k for k in seen if seen.count(k) > 1)}"
    )


def test_a_batch_of_cases_waits_for_the_numbering_lock_before_it_commits(
    pg_city: EmbeddedServer, population: list[Resident]
) -> None:
    """The batch path stores its status changes with Core statements, which the session's flush hook does not see:
    it must take the numbering lock itself. Held elsewhere, the batch cannot commit until it is released."""
    from sqlalchemy import text

    from cityserver.db import CURSOR_LOCK

    clerk = Api(pg_city, token_for(pg_city, TEST_DEVICE, USER, PASSWORD))
    people = [r for r in population if r.district_code == OFFICE.code][:3]
    batch = [case_for(TEST_DEVICE, OFFICE.code, "SW-05", p.national_id, n + 1) for n, p in enumerate(people)]
    holder = pg_city.app.state.engine.connect()
    holder.begin()
    holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CURSOR_LOCK})
    answers: list[list[dict[str, object]]] = []
    pusher = threading.Thread(target=lambda: answers.append(clerk.push("cases", batch)))
    pusher.start()
    pusher.join(1.0)
    waited = pusher.is_alive()
    holder.rollback()
    holder.close()
    pusher.join(15)
    assert waited, "the batch committed while another transaction held the numbering lock"
    assert [a["status"] for a in answers[0]] == ["accepted"] * 3
