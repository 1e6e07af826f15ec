"""The office's books in the ledger (sync/ledger/books.py) on their own: voids, the signed day and what it locks,
corrections of a signed day, each record queued for the city with its own key. Expected values are the fixture's."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from sync.ledger import Ledger
from sync.ledger.books import Approval
from sync.protocol.errors import StoreError
from tests.conftest import NOW
from tests.sync.test_ledger import draft

CHIEF = Approval("chief-test", "approval-1")


def kinds(ledger: Ledger) -> list[str]:
    return [i.kind for i in ledger.outbox.due(100, None)]


def test_a_void_keeps_the_number_and_is_queued_once(ledger: Ledger) -> None:
    case = ledger.cases.accept(draft())
    record = ledger.books.void(case.case_uuid, " 民眾改申請其他項目 ", CHIEF)
    assert (record.reason, record.voided_by) == ("民眾改申請其他項目", "chief-test")
    assert ledger.books.void_of(case.case_uuid) == record
    assert ledger.cases.case(case.case_uuid).voided and ledger.cases.case(case.case_uuid).receipt_number
    assert kinds(ledger) == ["case", "void"]
    with pytest.raises(StoreError) as twice:
        ledger.books.void(case.case_uuid, "再作廢一次看看", CHIEF)
    assert twice.value.code == "void_twice"
    with pytest.raises(KeyError):
        ledger.books.void(uuid4(), "沒有這個案件", CHIEF)


def test_a_signed_day_is_locked_and_signed_once(ledger: Ledger) -> None:
    case = ledger.cases.accept(draft())
    assert not ledger.books.is_signed(NOW.date())
    close = ledger.books.sign_day(NOW.date(), '{"a": 1}', "f" * 64, {"cases": 1, "fees": 0}, CHIEF)
    assert ledger.books.is_signed(NOW.date()) and ledger.books.closed_days() == [NOW.date()]
    assert not ledger.books.is_signed(NOW.date() + timedelta(days=1))
    assert ledger.books.day_facts(NOW.date()).close == close
    with pytest.raises(StoreError) as again:
        ledger.books.sign_day(NOW.date(), "{}", "0" * 64, {}, CHIEF)
    assert again.value.code == "day_already_closed"
    with pytest.raises(StoreError) as void:
        ledger.books.void(case.case_uuid, "簽核後作廢", CHIEF)
    assert void.value.code == "day_closed"
    with pytest.raises(StoreError) as intake:
        ledger.cases.accept(draft())
    assert intake.value.code == "intake_day_closed"
    assert kinds(ledger) == ["case", "day_close"]


def test_a_correction_points_at_the_signed_day_and_is_made_today(ledger: Ledger) -> None:
    case = ledger.cases.accept(draft())
    with pytest.raises(StoreError) as open_day:
        ledger.books.correct(NOW.date(), case.case_uuid, "void", 0, "尚未日結", CHIEF)
    assert open_day.value.code == "day_not_closed"
    close = ledger.books.sign_day(NOW.date(), "{}", "0" * 64, {"cases": 1}, CHIEF)
    with pytest.raises(StoreError) as stranger:
        ledger.books.correct(NOW.date(), uuid4(), "void", 0, "不是這天的案件", CHIEF)
    assert stranger.value.code == "correction_case"
    record = ledger.books.correct(NOW.date(), case.case_uuid, "void", -100, "簽核後發現重複收件", CHIEF)
    assert (record.corrects_day, record.case_number, record.amount) == (NOW.date(), case.case_number, -100)
    assert ledger.cases.case(case.case_uuid).voided
    with pytest.raises(StoreError) as twice:
        ledger.books.correct(NOW.date(), case.case_uuid, "void", -100, "再更正一次看看", CHIEF)
    assert twice.value.code == "void_twice"
    assert [c.correction_uuid for c in ledger.books.day_facts(NOW.date()).corrections] == [record.correction_uuid]
    assert kinds(ledger) == ["case", "day_close", "correction"]
    assert close.close_uuid
