"""Whether the ledger may issue numbers, decided from hand-made answers of the city: level, behind by a receipt or
by a day's case number, another ledger; the marks file raised by what the city holds; a chain cut short noted once."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from uuid import UUID, uuid4

import pytest

from sync.ledger import Ledger, LookupAudit
from sync.ledger.highwater import MarksFile
from sync.protocol import wire
from sync.protocol.audit_chain import GENESIS
from sync.protocol.errors import StoreError
from tests.sync.test_ledger import draft

DAY = date(2026, 11, 20)


def city(receipt: int, cases: int, verdict: str = "current", audit: int = 0, head: str = GENESIS) -> wire.CityMarks:
    return wire.CityMarks(
        ledger_id=uuid4(),
        receipt_seq=receipt,
        case_seqs={DAY: cases} if cases else {},
        audit_seq=audit,
        audit_head=head,
        verdict=verdict,  # type: ignore[arg-type]
    )


def test_the_report_says_what_was_issued_and_which_ledger(ledger: Ledger) -> None:
    for _ in range(2):
        ledger.cases.accept(draft())
    ledger.audit.record(LookupAudit(uuid4(), "SW-01", "household", "H123456786", "clerk-test", "hit"))
    report = ledger.numbering.report()
    assert (report.ledger_id, report.receipt_seq, report.case_seqs) == (UUID(ledger.ledger_id), 2, {DAY: 2})
    assert (report.audit_seq, report.audit_head, report.takeover) == (1, ledger.audit.head()[1], False)
    assert ledger.numbering.report(takeover=True).takeover


@pytest.mark.parametrize(
    ("answer", "standing"),
    [
        (city(2, 2), ()),
        (city(1, 1), ()),  # the city lags behind (pushes still queued): nothing wrong here
        (city(5, 2, "behind"), ("receipt 2 < 5",)),
        (city(2, 4, "behind"), ("cases of 2026-11-20 2 < 4",)),
        (city(9, 9, "other_ledger"), ("other_ledger",)),
    ],
)
def test_the_citys_answer_decides_whether_numbers_may_be_issued(
    ledger: Ledger, answer: wire.CityMarks, standing: tuple[str, ...]
) -> None:
    for _ in range(2):
        ledger.cases.accept(draft())
    assert ledger.numbering.note_city(answer) == standing
    if standing:
        with pytest.raises(StoreError):
            ledger.cases.accept(draft())
    else:
        ledger.cases.accept(draft())


def test_what_the_city_holds_raises_the_marks_file_and_a_recheck_clears_the_standing(ledger: Ledger) -> None:
    ledger.cases.accept(draft())
    ledger.numbering.note_city(city(4, 4, "behind"))
    marks = MarksFile(ledger.path.with_suffix(".marks")).read()
    assert marks is not None and (marks.receipt_seq, marks.case_seqs) == (4, {DAY.isoformat(): 4})
    assert ledger.restore.counters_past(ledger.numbering.known()) == (2, 4)
    assert ledger.numbering.recheck() == ()
    assert ledger.cases.accept(draft()).receipt_number.endswith("R0000005")


def test_another_ledger_stays_refused_until_the_city_says_otherwise(ledger: Ledger) -> None:
    ledger.numbering.note_city(city(0, 0, "other_ledger"))
    assert ledger.numbering.recheck() == ("other_ledger",)  # moving counters does not make it the device's
    assert ledger.numbering.note_city(city(0, 0)) == ()


def test_a_chain_cut_short_is_noted_once_in_the_chain_itself(ledger: Ledger) -> None:
    ledger.audit.record(LookupAudit(uuid4(), "SW-01", "household", "H123456786", "clerk-test", "hit"))
    assert ledger.numbering.note_city(city(0, 0, audit=4, head="a" * 64)) == ()
    with closing(sqlite3.connect(ledger.path)) as conn:
        gaps = conn.execute("SELECT seq, detail FROM lookups WHERE kind = 'chain-gap'").fetchall()
    assert gaps == [(2, f"稽核紀錄第 2–4 筆遺失（原鏈頭 {'a' * 16}）")]
    assert ledger.audit.verify_chain() is None
    ledger.numbering.note_city(city(0, 0, audit=2, head=ledger.audit.head()[1]))
    with closing(sqlite3.connect(ledger.path)) as conn:
        assert conn.execute("SELECT count(*) FROM lookups WHERE kind = 'chain-gap'").fetchone()[0] == 1
