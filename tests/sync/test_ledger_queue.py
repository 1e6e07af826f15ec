"""The ledger's queue as a state machine, written out by hand on a real SQLite file: what each action does to an
outbox row in each state, what a case keeps of its draft, what a correction withdraws, and what the look-up audit
chains together. Expected values are the fixture's own facts, never read back from the code under test."""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from forms.catalog import load_catalog
from forms.ids import parse_id
from forms.types import Applicant, Decision, Outcome, RuleResult
from sync.ledger import CaseDraft, Ledger, LookupAudit
from sync.ledger.books import Approval
from sync.protocol import wire
from sync.protocol.errors import StoreError
from tests.conftest import NOW

CATALOG = load_catalog()
SW01 = CATALOG.get("SW-01")  # its fee is not published: nothing is collected
PERSON = Applicant(parse_id("H123456786"), "王小明", date(1950, 1, 2))


def draft(outcome: Outcome = Outcome.PASS, **over: Any) -> CaseDraft:
    base: dict[str, Any] = {
        "case_uuid": uuid4(),
        "service": SW01,
        "applicant": PERSON,
        "decision": Decision((RuleResult("age_at_least", outcome, "age_ok", {"min_age": 65}),)),
        "clerk": "clerk-test",
    }
    base.update(over)
    return CaseDraft(**base)


def outbox(ledger: Ledger) -> dict[str, dict[str, Any]]:
    """The outbox as stored, read with plain SQL: key -> its columns."""
    with sqlite3.connect(ledger.path) as conn:
        conn.row_factory = sqlite3.Row
        return {r["idempotency_key"]: dict(r) for r in conn.execute("SELECT * FROM outbox")}


def set_state(ledger: Ledger, key: str, state: str) -> None:
    with sqlite3.connect(ledger.path) as conn:
        conn.execute("UPDATE outbox SET state = ? WHERE idempotency_key = ?", (state, key))


def one_case_in(ledger: Ledger, state: str) -> str:
    key = str(ledger.cases.accept(draft()).case_uuid)
    set_state(ledger, key, state)
    return key


# -- what a case keeps ------------------------------------------------------------------------------------------


def test_a_case_keeps_everything_its_draft_said(ledger: Ledger) -> None:
    override = wire.Override(
        approval_id=UUID("00000000-0000-4000-8000-000000000001"),
        supervisor="supervisor-a",
        reason="申請人行動不便，主管同意先行受理",
        rules=["age_at_least"],
    )
    typed = {"phone": "0912-345-678", "note": "住址：桃園區中正里"}
    saved = ledger.cases.accept(
        draft(
            Outcome.FAIL,
            payment_method="transfer",
            fields=typed,
            due_date=date(2026, 12, 4),
            documents_owed=("戶口名簿影本", "印章"),
            override=override,
        )
    )
    assert (saved.fee, saved.payment_method, saved.clerk) == (0, "transfer", "clerk-test")
    assert (saved.fields, saved.due_date, saved.documents_owed) == (typed, date(2026, 12, 4), ("戶口名簿影本", "印章"))
    assert saved.override == override
    assert (saved.decision, saved.status) == (Outcome.FAIL, "已受理")
    # The sealed columns open as what was typed.
    details = ledger.cases.applicant_details(saved.case_uuid)
    assert (details.national_id, details.name, details.birth_date) == ("H123456786", "王小明", date(1950, 1, 2))
    assert details.fields == typed
    # What goes to the city says the same.
    (item,) = ledger.outbox.due(10, None)
    sent = wire.CaseIn.model_validate_json(item.payload)
    assert (item.key, item.kind, item.attempts) == (str(saved.case_uuid), "case", 0)
    assert (sent.national_id, sent.applicant_name, sent.birth_date) == ("H123456786", "王小明", date(1950, 1, 2))
    assert (sent.fee, sent.payment_method, sent.fields, sent.due_date) == (0, "transfer", typed, date(2026, 12, 4))
    assert (sent.documents_owed, sent.override, sent.supersedes) == (["戶口名簿影本", "印章"], override, None)
    assert outbox(ledger)[str(saved.case_uuid)]["case_uuid"] == str(saved.case_uuid)


def test_only_an_unknown_decision_waits_for_verification(ledger: Ledger) -> None:
    assert ledger.cases.accept(draft(Outcome.PASS)).status == "已受理"
    assert ledger.cases.accept(draft(Outcome.FAIL)).status == "已受理"
    assert ledger.cases.accept(draft(Outcome.UNKNOWN)).status == "待查驗"


def test_a_case_without_due_date_documents_or_override_stores_none(ledger: Ledger) -> None:
    saved = ledger.cases.accept(draft())
    assert (saved.due_date, saved.documents_owed, saved.override, saved.fields) == (None, (), None, {})


def test_the_log_names_the_case_and_never_the_person(ledger: Ledger, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="sync.ledger"):
        saved = ledger.cases.accept(draft(Outcome.UNKNOWN))
    lines = [r.getMessage() for r in caplog.records if r.name == "sync.ledger.cases"]
    assert lines == [f"case {saved.case_number} accepted (unknown, receipt {saved.receipt_number})"]
    assert "H123456786" not in caplog.text and "王小明" not in caplog.text


def test_no_case_is_taken_on_a_signed_day(ledger: Ledger) -> None:
    ledger.books.sign_day(NOW.date(), "{}", "0" * 64, {"cases": 0}, Approval("supervisor-a", "approval-1"))
    before = outbox(ledger)
    with pytest.raises(StoreError) as closed:
        ledger.cases.accept(draft())
    assert closed.value.code == "intake_day_closed"
    assert outbox(ledger) == before


# -- a correction replaces a set-aside case ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "after"),
    [("attention", "withdrawn"), ("pending", "withdrawn"), ("sent", "sent"), ("withdrawn", "withdrawn")],
)
def test_a_correction_withdraws_what_the_city_never_took(ledger: Ledger, state: str, after: str) -> None:
    old = one_case_in(ledger, state)
    bystander = one_case_in(ledger, state)  # another case in the same state is not touched
    fixed = ledger.cases.accept(draft(supersedes=UUID(old)))
    rows = outbox(ledger)
    assert rows[old]["state"] == after
    if after == "withdrawn" and state != "withdrawn":
        assert rows[old]["last_error"] == f"已更正，改以 {fixed.case_number} 送出"
    assert rows[bystander]["state"] == state
    assert rows[str(fixed.case_uuid)]["state"] == "pending"
    assert wire.CaseIn.model_validate_json(ledger.outbox.due(10, None)[-1].payload).supersedes == UUID(old)


# -- the server's answers ---------------------------------------------------------------------------------------


def test_answers_move_only_pending_items(ledger: Ledger) -> None:
    keys = {status: one_case_in(ledger, "pending") for status in ("accepted", "duplicate", "conflict", "rejected")}
    already = one_case_in(ledger, "attention")
    answers = [wire.CaseResult(case_uuid=UUID(k), status=s, detail=None) for s, k in keys.items()]
    answers.append(wire.CaseResult(case_uuid=UUID(already), status="accepted"))
    answers[2] = wire.CaseResult(case_uuid=UUID(keys["conflict"]), status="conflict", detail="content differs")
    ledger.outbox.mark_results(answers, clock_skew_s=-7)
    rows = outbox(ledger)
    for status in ("accepted", "duplicate"):
        assert rows[keys[status]]["state"] == "sent"
        assert rows[keys[status]]["sent_at"] == NOW.isoformat()
        assert rows[keys[status]]["last_error"] is None
        assert rows[keys[status]]["attempts"] == 1
    assert (rows[keys["conflict"]]["state"], rows[keys["conflict"]]["last_error"]) == (
        "attention",
        "conflict: content differs",
    )
    assert (rows[keys["rejected"]]["state"], rows[keys["rejected"]]["last_error"]) == ("attention", "rejected: ")
    assert rows[keys["conflict"]]["attempts"] == rows[keys["rejected"]]["attempts"] == 1
    assert (rows[already]["state"], rows[already]["sent_at"], rows[already]["attempts"]) == ("attention", None, 0)
    assert ledger.settings.clock_skew() == -7
    assert ledger.outbox.last_delivery() == NOW


def test_a_delivery_clears_the_last_error(ledger: Ledger) -> None:
    key = one_case_in(ledger, "pending")
    ledger.outbox.mark_retry([key], "network: timeout", NOW - timedelta(minutes=1))
    ledger.outbox.mark_results([wire.CaseResult(case_uuid=UUID(key), status="accepted")])
    row = outbox(ledger)[key]
    assert (row["state"], row["last_error"], row["attempts"]) == ("sent", None, 2)


def test_an_answer_for_more_than_500_items_marks_every_one(ledger: Ledger) -> None:
    """SQLite binds at most so many parameters: the answer is applied in slices, none left behind."""
    keys = [str(ledger.cases.accept(draft()).case_uuid) for _ in range(1_203)]
    ledger.outbox.mark_results([wire.CaseResult(case_uuid=UUID(k), status="duplicate") for k in keys])
    assert ledger.outbox.counts() == {"pending": 0, "sent": 1_203, "attention": 0, "withdrawn": 0}


# -- retries and the queue's order ------------------------------------------------------------------------------


def test_a_retry_is_recorded_on_pending_items_only(ledger: Ledger) -> None:
    pending, sent = one_case_in(ledger, "pending"), one_case_in(ledger, "sent")
    later = NOW + timedelta(minutes=5)
    ledger.outbox.mark_retry([pending, sent], "network: reset", later)
    rows = outbox(ledger)
    assert (rows[pending]["attempts"], rows[pending]["last_error"]) == (1, "network: reset")
    assert rows[pending]["next_attempt_at"] == later.isoformat()
    assert (rows[sent]["attempts"], rows[sent]["last_error"], rows[sent]["next_attempt_at"]) == (0, None, None)
    # Not due before its time; due at it; every item when no clock is given.
    assert [i.key for i in ledger.outbox.due(10, NOW)] == []
    assert [i.key for i in ledger.outbox.due(10, later)] == [pending]
    assert [i.key for i in ledger.outbox.due(10, None)] == [pending]


def test_the_queue_is_oldest_first_and_limited(ledger: Ledger) -> None:
    keys = [str(ledger.cases.accept(draft()).case_uuid) for _ in range(5)]
    assert [i.key for i in ledger.outbox.due(3, NOW)] == keys[:3]
    assert [i.key for i in ledger.outbox.due(10, NOW)] == keys
    assert [i.attempts for i in ledger.outbox.due(10, NOW)] == [0] * 5


def test_counts_and_backlog_of_an_empty_and_a_busy_queue(ledger: Ledger) -> None:
    assert ledger.outbox.counts() == {"pending": 0, "sent": 0, "attention": 0, "withdrawn": 0}
    assert (ledger.outbox.backlog().pending, ledger.outbox.backlog().oldest) == (0, None)
    for state in ("pending", "pending", "sent", "attention", "withdrawn"):
        one_case_in(ledger, state)
    assert ledger.outbox.counts() == {"pending": 2, "sent": 1, "attention": 1, "withdrawn": 1}
    assert (ledger.outbox.backlog().pending, ledger.outbox.backlog().oldest) == (2, NOW)


# -- what a person or the reconciliation does to an item: (action, state before) -> state after ------------------

TRANSITIONS: list[tuple[str, str, str]] = [
    ("resend", "sent", "pending"),
    ("resend", "pending", "pending"),
    ("resend", "attention", "attention"),
    ("resend", "withdrawn", "withdrawn"),
    ("set_aside", "sent", "attention"),
    ("set_aside", "pending", "pending"),
    ("set_aside", "withdrawn", "withdrawn"),
    ("requeue", "attention", "pending"),
    ("requeue", "sent", "sent"),
    ("requeue", "withdrawn", "withdrawn"),
    ("withdraw", "attention", "withdrawn"),
    ("withdraw", "pending", "withdrawn"),
    ("withdraw", "sent", "sent"),
]


def act(ledger: Ledger, action: str, key: str) -> None:
    if action == "resend":
        ledger.outbox.resend([key], "市府查無此案，重新送出")
    elif action == "set_aside":
        ledger.outbox.set_aside([key], "市府保存的內容不同")
    elif action == "requeue":
        ledger.outbox.requeue(key)
    else:
        ledger.outbox.withdraw(key, "申請人撤回", "supervisor-a")


@pytest.mark.parametrize(("action", "before", "after"), TRANSITIONS)
def test_each_action_moves_only_the_states_it_is_for(ledger: Ledger, action: str, before: str, after: str) -> None:
    key = one_case_in(ledger, before)
    other = one_case_in(ledger, before)
    with sqlite3.connect(ledger.path) as conn:
        conn.execute(
            "UPDATE outbox SET sent_at = ?, next_attempt_at = ?, last_error = 'earlier'",
            (NOW.isoformat(), (NOW + timedelta(hours=1)).isoformat()),
        )
    act(ledger, action, key)
    rows = outbox(ledger)
    assert rows[key]["state"] == after
    assert rows[other]["state"] == before  # only the item named
    moved = after != before
    expected_error = {
        "resend": "市府查無此案，重新送出",
        "set_aside": "市府保存的內容不同",
        "requeue": "earlier",
        "withdraw": "撤回（supervisor-a）：申請人撤回",
    }[action]
    assert rows[key]["last_error"] == (expected_error if moved else "earlier")
    if moved and action in ("resend", "requeue"):
        assert rows[key]["next_attempt_at"] is None  # sent again at once, not after the old back-off
    if moved and action == "resend":
        assert rows[key]["sent_at"] is None
    if not moved:
        assert rows[key]["next_attempt_at"] == (NOW + timedelta(hours=1)).isoformat()


def test_a_withdrawn_case_takes_its_queued_updates_with_it(ledger: Ledger) -> None:
    case = ledger.cases.accept(draft(Outcome.UNKNOWN))
    ledger.cases.record_verification(
        case.case_uuid, Decision((RuleResult("age_at_least", Outcome.PASS, "age_ok"),)), ()
    )
    other = ledger.cases.accept(draft(Outcome.UNKNOWN))
    ledger.cases.record_verification(
        other.case_uuid, Decision((RuleResult("age_at_least", Outcome.PASS, "age_ok"),)), ()
    )
    set_state(ledger, str(case.case_uuid), "attention")
    ledger.outbox.withdraw(str(case.case_uuid), "重複建檔", "supervisor-a")
    by_case: dict[tuple[str, str], str] = {(r["case_uuid"], r["kind"]): r["state"] for r in outbox(ledger).values()}
    assert by_case == {
        (str(case.case_uuid), "case"): "withdrawn",
        (str(case.case_uuid), "update"): "withdrawn",
        (str(other.case_uuid), "case"): "pending",
        (str(other.case_uuid), "update"): "pending",
    }


# -- a deferred look-up ran ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status"), [(Outcome.PASS, "已補查"), (Outcome.FAIL, "已補查"), (Outcome.UNKNOWN, "待查驗")]
)
def test_a_verification_updates_the_case_and_queues_one_update(ledger: Ledger, outcome: Outcome, status: str) -> None:
    case = ledger.cases.accept(draft(Outcome.UNKNOWN))
    decision = Decision((RuleResult("income_at_most", outcome, "income_ok", {"income": "20,000"}),))
    ledger.cases.record_verification(case.case_uuid, decision, ("財產證明",))
    after = ledger.cases.case(case.case_uuid)
    assert (after.decision, after.status, after.documents_owed) == (outcome, status, ("財產證明",))
    assert after.reasons == (RuleResult("income_at_most", outcome, "income_ok", {"income": "20,000"}),)
    updates = [i for i in ledger.outbox.due(10, None) if i.kind == "update"]
    assert len(updates) == 1
    change = wire.CaseUpdateIn.model_validate_json(updates[0].payload)
    assert (change.case_uuid, change.decision, change.documents_owed) == (case.case_uuid, outcome.value, ["財產證明"])
    assert change.reason_codes == ["income_ok"]
    assert change.verified_at == NOW
    assert updates[0].key == str(change.update_uuid) != str(case.case_uuid)
    row = outbox(ledger)[updates[0].key]
    assert (row["case_uuid"], row["state"], row["attempts"]) == (str(case.case_uuid), "pending", 0)
    if outcome is not Outcome.UNKNOWN:
        assert [p.case_uuid for p in ledger.cases.awaiting_verification()] == []


def test_a_verification_leaves_a_decided_case_alone(ledger: Ledger) -> None:
    case = ledger.cases.accept(draft(Outcome.PASS))
    ledger.cases.record_verification(
        case.case_uuid, Decision((RuleResult("age_at_least", Outcome.FAIL, "age_under"),)), ()
    )
    after = ledger.cases.case(case.case_uuid)
    assert (after.decision, after.status) == (Outcome.PASS, "已受理")


# -- the look-up audit ------------------------------------------------------------------------------------------


def test_look_ups_are_chained_across_calls_with_what_the_city_said(ledger: Ledger) -> None:
    case = uuid4()
    lookup_id = UUID("00000000-0000-4000-8000-00000000abcd")
    ledger.audit.record_many(
        [
            LookupAudit(case, "intake", "household", "H123456786", "clerk-test", "hit", lookup_id),
            LookupAudit(case, "intake", "tax", "H123456786", "clerk-test", "error", None, "timeout"),
        ]
    )
    ledger.audit.record(LookupAudit(case, "intake", "disability", "H123456786", "clerk-test", "miss"))
    with sqlite3.connect(ledger.path) as conn:
        conn.row_factory = sqlite3.Row
        rows = [dict(r) for r in conn.execute("SELECT * FROM lookups ORDER BY seq")]
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert [r["kind"] for r in rows] == ["household", "tax", "disability"]
    assert [r["outcome"] for r in rows] == ["hit", "error", "miss"]
    assert [r["server_lookup_id"] for r in rows] == [str(lookup_id), None, None]
    assert [r["detail"] for r in rows] == [None, "timeout", None]
    assert {r["id_masked"] for r in rows} == {"H12345****"} and {r["case_uuid"] for r in rows} == {str(case)}
    assert rows[0]["prev_hash"] == "0" * 64  # the chain's genesis
    assert rows[1]["prev_hash"] == rows[0]["row_hash"] and rows[2]["prev_hash"] == rows[1]["row_hash"]
    assert all("H123456786" not in json.dumps(r) for r in rows)  # a keyed digest, not the number
    assert ledger.audit.verify_chain() is None


def test_an_answer_for_an_item_no_longer_pending_changes_nothing(ledger: Ledger) -> None:
    """A late answer (a retry's duplicate after a person withdrew or set the item aside) does not move it."""
    withdrawn, sent = one_case_in(ledger, "withdrawn"), one_case_in(ledger, "sent")
    before = outbox(ledger)
    ledger.outbox.mark_results(
        [
            wire.CaseResult(case_uuid=UUID(withdrawn), status="rejected", detail="late"),
            wire.CaseResult(case_uuid=UUID(sent), status="conflict", detail="late"),
        ]
    )
    assert outbox(ledger) == before


def test_a_retry_is_recorded_on_the_named_items_only(ledger: Ledger) -> None:
    named, other = one_case_in(ledger, "pending"), one_case_in(ledger, "pending")
    ledger.outbox.mark_retry([named], "network: reset", NOW + timedelta(minutes=5))
    rows = outbox(ledger)
    assert rows[named]["attempts"] == 1
    assert (rows[other]["attempts"], rows[other]["last_error"], rows[other]["next_attempt_at"]) == (0, None, None)


def test_a_verification_changes_only_its_own_case(ledger: Ledger) -> None:
    first, second = ledger.cases.accept(draft(Outcome.UNKNOWN)), ledger.cases.accept(draft(Outcome.UNKNOWN))
    ledger.cases.record_verification(
        first.case_uuid, Decision((RuleResult("age_at_least", Outcome.PASS, "age_ok"),)), ()
    )
    assert ledger.cases.case(first.case_uuid).status == "已補查"
    assert ledger.cases.case(second.case_uuid).status == "待查驗"
    assert [p.case_uuid for p in ledger.cases.awaiting_verification()] == [second.case_uuid]


def test_withdrawing_a_case_withdraws_its_set_aside_updates_too(ledger: Ledger) -> None:
    case = ledger.cases.accept(draft(Outcome.UNKNOWN))
    ledger.cases.record_verification(
        case.case_uuid, Decision((RuleResult("age_at_least", Outcome.PASS, "age_ok"),)), ()
    )
    with sqlite3.connect(ledger.path) as conn:
        conn.execute("UPDATE outbox SET state = 'attention'")
    ledger.outbox.withdraw(str(case.case_uuid), "重複建檔", "supervisor-a")
    assert {r["kind"]: r["state"] for r in outbox(ledger).values()} == {"case": "withdrawn", "update": "withdrawn"}


# -- closed means closed ----------------------------------------------------------------------------------------


def test_only_cases_still_owed_by_a_date_are_on_the_due_lists(ledger: Ledger) -> None:
    """Six cases of the day: one owed by 11-27, one handed over on the spot (taken before terms were kept: due on
    its own day), one voided, one withdrawn, one decided by the city, one refused (no due date). Only the first is
    listed as due."""
    day = NOW.date()
    owed = ledger.cases.accept(draft(due_date=date(2026, 11, 27)))
    ledger.cases.accept(draft(due_date=day))  # on the spot
    voided = ledger.cases.accept(draft(due_date=date(2026, 11, 30)))
    ledger.books.void(voided.case_uuid, "重複受理", Approval("supervisor-a", "approval-9"))
    withdrawn = ledger.cases.accept(draft(due_date=date(2026, 12, 1)))
    ledger.outbox.withdraw(str(withdrawn.case_uuid), "民眾撤回申請", "supervisor-a")
    decided = ledger.cases.accept(draft(due_date=date(2026, 12, 2)))
    change = wire.StatusChange(seq=1, case_uuid=decided.case_uuid, case_number=decided.case_number, status="核准",
                               at=NOW)  # fmt: skip
    ledger.cases.apply_status_changes([change], 1)
    ledger.cases.accept(draft(Outcome.FAIL))  # refused: no due date
    listed = [(d.case_number, d.due_date) for d in ledger.books.day_facts(day).open_due]
    assert listed == [(owed.case_number, date(2026, 11, 27))]


def test_a_voided_or_withdrawn_case_is_no_duplicate(ledger: Ledger) -> None:
    kept = ledger.cases.accept(draft())
    voided = ledger.cases.accept(draft())
    ledger.books.void(voided.case_uuid, "重複受理", Approval("supervisor-a", "approval-7"))
    withdrawn = ledger.cases.accept(draft())
    ledger.outbox.withdraw(str(withdrawn.case_uuid), "民眾撤回申請", "supervisor-a")
    assert ledger.cases.same_service(PERSON.national_id.value, "SW-01") == [kept.case_number]
    assert ledger.cases.same_service(PERSON.national_id.value, "SW-05") == []


def test_a_case_keeps_the_terms_its_receipt_promised(ledger: Ledger) -> None:
    """The terms go into the case row and into its sealed upload, and come back whole."""
    from forms.terms import DUE, CaseTerms
    from forms.timelimits import TimeLimit

    terms = CaseTerms(DUE, TimeLimit(7, "days", basis="gov.tw"), date(2026, 11, 27), True, "", "另行通知", None, "",
                      ("戶口名簿",), ("照片",))  # fmt: skip
    case = ledger.cases.accept(draft(due_date=date(2026, 11, 27), documents_owed=("照片",), terms=terms))
    assert case.terms == terms and ledger.cases.case(case.case_uuid).terms == terms
    (item,) = [i for i in ledger.outbox.due(10, None) if i.key == str(case.case_uuid)]
    sent = wire.CaseIn.model_validate_json(item.payload)
    assert sent.terms is not None and sent.terms.to_domain() == terms
    plain = ledger.cases.accept(draft())
    assert plain.terms is None and ledger.cases.case(plain.case_uuid).terms is None
