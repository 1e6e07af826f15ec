"""Putting back what the city holds: where pulling back starts, which numbers nobody holds, counters moved past
what was issued, a number held here under another case left at the city, and a signed day left alone."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime
from uuid import uuid4

from forms.clock import TAIPEI
from sync.ledger import Ledger
from sync.ledger.books import Approval
from sync.ledger.highwater import Marks
from sync.ledger.records import seq_of
from sync.protocol import wire
from tests.conftest import NOW, OFFICE
from tests.sync.test_ledger import draft


def held(n: int, device: str = "D0001") -> wire.HeldCase:
    case = wire.CaseIn(
        case_uuid=uuid4(),
        case_number=f"{OFFICE.code}-{device}-1151120-{n:04d}",
        receipt_number=f"{device}-R{n:07d}",
        service_code="SW-01",
        catalog_version=1,
        national_id="H123456786",
        applicant_name=f"王{n}",
        birth_date=datetime(1950, 1, 2).date(),
        office_code=OFFICE.code,
        device_id=device,
        clerk="clerk-test",
        received_at=NOW,
        fee=0,
        payment_method="none",
        decision="pass",
        reason_codes=[],
    )
    return wire.HeldCase(case=case, status="審核中", note="複審")


def test_seq_of_reads_the_running_number() -> None:
    assert (seq_of("D0001-R0000042"), seq_of("68000010-D0001-1151120-0007")) == (42, 7)


def test_pulling_back_starts_at_the_first_gap_or_the_first_unconfirmed_receipt(ledger: Ledger) -> None:
    assert ledger.restore.first_to_compare() == 1
    for _ in range(4):
        ledger.cases.accept(draft())
    keys = [str(c.case_uuid) for c in sorted(ledger.cases.recent(), key=lambda c: c.receipt_number)]
    with closing(sqlite3.connect(ledger.path)) as conn, conn:
        conn.execute("UPDATE outbox SET state = 'sent'")
    assert ledger.restore.first_to_compare() == 5  # all held and confirmed: after the last
    with closing(sqlite3.connect(ledger.path)) as conn, conn:
        conn.execute("UPDATE outbox SET state = 'pending' WHERE idempotency_key = ?", (keys[2],))
    assert ledger.restore.first_to_compare() == 3  # a case the city has not confirmed may clash
    with closing(sqlite3.connect(ledger.path)) as conn, conn:
        conn.execute("DELETE FROM receipts WHERE seq = 2")
    assert ledger.restore.first_to_compare() == 2


def test_what_the_city_holds_is_put_back_delivered_and_counted(ledger: Ledger) -> None:
    done = ledger.restore.held_cases([held(1), held(2), held(3)])
    assert (done.cases, done.already, done.clashes, done.first_day) == (3, 0, [], NOW.date())
    again = ledger.restore.held_cases([held(4)])
    assert again.cases == 1
    cases = sorted(ledger.cases.recent(), key=lambda c: c.receipt_number)
    assert [(c.applicant_name, c.server_status, c.sync_state) for c in cases] == [
        (f"王{n}", "審核中", "sent") for n in range(1, 5)
    ]
    assert ledger.outbox.counts() == {"pending": 0, "sent": 4, "attention": 0, "withdrawn": 0}
    assert ledger.cases.accept(draft()).receipt_number == "D0001-R0000005"  # counters moved with them
    assert ledger.check_integrity().state == "ok"


def test_a_number_held_here_under_another_case_is_left_at_the_city(ledger: Ledger) -> None:
    mine = ledger.cases.accept(draft())
    done = ledger.restore.held_cases([held(1), held(2)])
    assert (done.cases, done.clashes) == (1, [f"{OFFICE.code}-D0001-1151120-0001"])
    assert ledger.cases.case(mine.case_uuid).receipt_number == "D0001-R0000001"  # ours stays as it was


def test_a_signed_day_takes_no_case_put_back(ledger: Ledger) -> None:
    ledger.books.sign_day(NOW.date(), "{}", "0" * 64, {"cases": 0}, Approval("chief", "a-1"))
    done = ledger.restore.held_cases([held(1)])
    assert (done.cases, done.signed) == (0, [f"{OFFICE.code}-D0001-1151120-0001"])


def test_missing_receipts_and_counters_past_what_was_issued(ledger: Ledger) -> None:
    ledger.restore.held_cases([held(1), held(2), held(5)])
    assert ledger.restore.missing_receipts(7) == [(3, 4), (6, 7)]
    assert ledger.restore.missing_receipts(2) == []
    lost = ledger.restore.counters_past(Marks(9, {"2026-11-20": 9}))
    assert lost == (6, 9)
    assert ledger.cases.accept(draft()).receipt_number == "D0001-R0000010"
    assert ledger.restore.counters_past(Marks(3, {})) == (0, 0)  # nothing known beyond what is here


def test_a_restored_void_and_verification_come_with_their_case(ledger: Ledger) -> None:
    h = held(1)
    at = datetime(2026, 11, 20, 11, 0, tzinfo=TAIPEI)
    update = wire.CaseUpdateIn(
        update_uuid=uuid4(), case_uuid=h.case.case_uuid, decision="fail", reason_codes=["x"], verified_at=at
    )
    void = wire.DayRecordIn(
        record_uuid=uuid4(),
        kind="void",
        device_id="D0001",
        office_code=OFFICE.code,
        business_date=NOW.date(),
        case_uuid=h.case.case_uuid,
        by="chief",
        approval="a-2",
        reason="民眾撤回申請",
        at=at,
    )
    h = h.model_copy(update={"update": update, "void": void, "status": "撤回"})
    ledger.restore.held_cases([h])
    case = ledger.cases.case(h.case.case_uuid)
    assert (case.decision.value, case.status, case.voided) == ("fail", "已補查", True)
    assert ledger.books.void_of(h.case.case_uuid) is not None
    assert ledger.outbox.counts()["sent"] == 3
