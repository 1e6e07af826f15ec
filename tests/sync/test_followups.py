"""需處理 follow-ups on a real ledger file: an offline case found not eligible later stays open, in the day close
too, until a clerk records how it was handled or the receipt is voided. Expected words are the issue's."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date
from uuid import UUID

import pytest

from forms.dayclose import compute
from forms.errors import ValidationError
from forms.messages import text
from forms.types import Decision, Outcome, RuleResult
from sync.ledger import Ledger
from sync.ledger.books import Approval
from sync.protocol.errors import StoreError
from tests.sync.test_ledger_queue import SW01, draft

NOT_HERE = Decision((RuleResult("residence_in_city", Outcome.FAIL, "residence_other", {"city": "桃園市"}),))
HERE = Decision((RuleResult("residence_in_city", Outcome.PASS, "residence_ok", {"city": "桃園市"}),))


def offline_case(ledger: Ledger, fee: int = 0) -> UUID:
    service = replace(SW01, fee=fee) if fee else SW01
    return ledger.cases.accept(draft(Outcome.UNKNOWN, service=service)).case_uuid


def test_a_failed_recheck_opens_one_follow_up_and_a_pass_none(ledger: Ledger) -> None:
    failing, passing, still = (offline_case(ledger) for _ in range(3))
    numbers = {c.case_number for c in ledger.cases.recent()}
    for key, decision in ((failing, NOT_HERE), (passing, HERE)):
        ledger.cases.record_verification(key, decision, ())
    ledger.cases.record_verification(
        still, Decision((RuleResult("residence_in_city", Outcome.UNKNOWN, "lookup_unavailable"),)), ()
    )
    [item] = ledger.followups.open()
    assert item.case_uuid == failing and item.case_number in numbers
    assert item.kind == "recheck_failed" and item.fee == 0
    assert [r.code for r in item.reasons] == ["residence_other"]
    assert item.name_masked == "王○明"  # the fixture's 王小明, masked
    code, params = item.next_step()
    assert "聯絡申請人" in text(code, **params) and "退費" not in text(code, **params)
    # The same re-check recorded twice (a retried sync) does not open a second one.
    ledger.cases.record_verification(failing, NOT_HERE, ())
    assert len(ledger.followups.open()) == 1


def test_a_fee_taken_says_refund_and_void(ledger: Ledger) -> None:
    key = offline_case(ledger, fee=120)
    ledger.cases.record_verification(key, NOT_HERE, ())
    [item] = ledger.followups.open()
    code, params = item.next_step()
    words = text(code, **params)
    assert "120 元" in words and "退費" in words and "作廢收據" in words


def test_handled_with_a_note_closes_it_and_the_note_is_sealed(ledger: Ledger) -> None:
    key = offline_case(ledger)
    ledger.cases.record_verification(key, NOT_HERE, ())
    with pytest.raises(ValidationError):
        ledger.followups.handle(key, "clerk-a", " 好 ")
    assert len(ledger.followups.open()) == 1  # a refused note changes nothing
    ledger.followups.handle(key, "clerk-a", "已電話通知王先生，申請人撤回申請")
    assert ledger.followups.open() == []
    assert ledger.followups.handled_note(key) == "已電話通知王先生，申請人撤回申請"
    with sqlite3.connect(ledger.path) as conn:
        stored, by = conn.execute("SELECT note, handled_by FROM follow_ups").fetchone()
    assert "王先生" not in stored and by == "clerk-a"
    with pytest.raises(StoreError) as err:  # handled twice (another clerk meanwhile)
        ledger.followups.handle(key, "clerk-b", "已電話通知申請人")
    assert err.value.code == "follow_up_unknown"


def test_a_voided_receipt_needs_no_more_follow_up(ledger: Ledger) -> None:
    key = offline_case(ledger)
    ledger.cases.record_verification(key, NOT_HERE, ())
    ledger.books.void(key, "查驗不符，申請人同意撤回", Approval("supervisor-a", "approval-3"))
    assert ledger.followups.open() == []


def test_open_follow_ups_are_a_day_close_problem_that_needs_a_note(ledger: Ledger) -> None:
    key = offline_case(ledger)
    ledger.cases.record_verification(key, NOT_HERE, ())
    number = ledger.cases.case(key).case_number
    facts = ledger.books.day_facts(ledger.cases.case(key).business_date)
    facts = replace(facts, follow_ups=(number,))
    report = compute(facts, {}, date.max)
    [problem] = [p for p in report.problems() if p.code == "dc_follow_up"]
    assert problem.needs_note and number in text(problem.code, **problem.params)
