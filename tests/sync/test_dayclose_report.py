"""One office day written out by hand, and the day close a supervisor signs for it: every total, line, gap,
discrepancy and blocker worked out on paper from the day's facts (not from the code under test)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest

from forms.clock import TAIPEI
from forms.dayclose import (
    CashLine,
    ClerkLine,
    Comparison,
    DueLine,
    Problem,
    ServiceLine,
    VoidLine,
    cash_lines,
    compute,
    figures,
    report_hash,
    report_json,
    sign_off_problems,
    signed_inputs,
    signed_pieces,
)
from forms.dayfacts import CloseRecord, CorrectionRecord, DayCase, DayFacts, OpenDue, VoidRecord
from sync.protocol import wire


def held(digest: wire.DigestResponse) -> dict[str, str]:
    """The city's digest as the day close takes it: case UUID -> content hash."""
    return {str(i.case_uuid): i.content_hash for i in digest.items}


DAY = date(2026, 11, 20)
NEAR = date(2026, 11, 23)  # due on or before this: near its due date
H_SAME, H_OTHER, H_LOCAL = "a" * 64, "b" * 64, "c" * 64


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 20, hour, minute, tzinfo=TAIPEI)


def uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def case(
    n: int, clerk: str, service: str, fee: int, method: str, when: datetime, seq: int, state: str, **kw: Any
) -> DayCase:
    return DayCase(
        case_uuid=uuid(n),
        case_number=f"68000010-D0007-1151120-{n:04d}",
        service_code=service,
        clerk=clerk,
        fee=fee,
        payment_method=method,
        received_at=when,
        receipt_seq=seq,
        receipt_number=f"D0007-R{seq:07d}",
        sync_state=state,
        content_hash=kw.get("content_hash", H_SAME),
        void=kw.get("void"),
    )


VOID = VoidRecord(UUID(uuid(4)), UUID(uuid(904)), at(11, 2), "supervisor-a", "approval-9", "誤收，申請人改日再來")
CORRECTION = CorrectionRecord(
    UUID(uuid(701)), date(2026, 11, 19), "68000010-D0007-1151119-0003", "refund", -100, "重複收費退還", "supervisor-a", at(16, 0)
)  # fmt: skip

# The day: receipts 41–49 (40 was the previous day's last; 49 the counter's last); 44 and 48 are missing.
C1 = case(1, "amy", "SW-01", 100, "cash", at(9, 5), 41, "sent")  # delivered, but the city does not hold it
C2 = case(2, "amy", "SW-02", 50, "transfer", at(9, 40), 42, "pending", content_hash=None)  # not sent yet
C3 = case(3, "ben", "SW-01", 100, "cash", at(10, 15), 43, "sent")  # the city holds other content
C4 = case(4, "ben", "SW-01", 100, "cash", at(10, 50), 45, "sent", void=VOID)  # voided
C5 = case(5, "amy", "SW-03", 0, "cash", at(11, 30), 46, "withdrawn")  # withdrawn before it reached the city
C6 = case(6, "ben", "SW-02", 30, "cash", at(14, 0), 47, "attention")  # set aside
C9 = case(9, "cat", "SW-01", 80, "transfer", at(15, 10), 49, "sent")
FACTS = DayFacts(
    day=DAY,
    cases=(C1, C2, C3, C4, C5, C6, C9),
    previous_receipt_seq=40,
    corrections=(CORRECTION,),
    open_due=(
        OpenDue("68000010-D0007-1151101-0001", "SW-01", "amy", date(2026, 11, 19)),  # overdue
        OpenDue("68000010-D0007-1151102-0002", "SW-02", "ben", DAY),  # due today: not overdue yet
        OpenDue("68000010-D0007-1151103-0003", "SW-01", "amy", NEAR),  # on the limit: near
        OpenDue("68000010-D0007-1151104-0004", "SW-01", "amy", date(2026, 11, 24)),  # beyond: not listed
    ),
    audit_break=17,
    close=None,
    last_receipt_seq=49,
    receipt_prefix="D0007-",
)
STRANGER = uuid(999)
DIGEST = wire.DigestResponse(
    day=DAY,
    items=[
        wire.DigestItem(case_uuid=UUID(uuid(2)), content_hash=H_LOCAL),  # the device has no hash yet: not compared
        wire.DigestItem(case_uuid=UUID(uuid(3)), content_hash=H_OTHER),
        wire.DigestItem(case_uuid=UUID(uuid(4)), content_hash=H_SAME),
        wire.DigestItem(case_uuid=UUID(uuid(9)), content_hash=H_SAME),
        wire.DigestItem(case_uuid=UUID(STRANGER), content_hash=H_SAME),
    ],
)
NUMBER = {c.case_uuid: c.case_number for c in FACTS.cases}


def test_the_days_totals() -> None:
    day = compute(FACTS, held(DIGEST), NEAR)
    assert (day.day, day.cases, day.voided) == (DAY, 5, 2)
    assert day.fees == {"cash": 230, "transfer": 130} and day.fee_total == 360 and day.cash_expected == 230
    assert day.per_hour == {9: 2, 10: 1, 14: 1, 15: 1}
    assert (day.audit_break, day.corrections, day.close, day.signed) == (17, (CORRECTION,), None, False)


def test_lines_per_clerk_and_per_service() -> None:
    day = compute(FACTS, held(DIGEST), NEAR)
    assert day.clerks == (
        ClerkLine("amy", 2, 1, {"cash": 100, "transfer": 50}, 100),
        ClerkLine("ben", 2, 1, {"cash": 130}, 130),
        ClerkLine("cat", 1, 0, {"transfer": 80}, 0),
    )
    assert day.services == (
        ServiceLine("SW-01", 3, {"cash": 200, "transfer": 80}),
        ServiceLine("SW-02", 2, {"cash": 30, "transfer": 50}),
    )


def test_fees_waived_are_counted_per_clerk_and_collect_nothing() -> None:
    """Two waived cases of amy's (one voided: not counted) and one of ben's: 免徵 1 and 1; no cash expected."""
    waived = (
        case(1, "amy", "SW-05", 0, "waived", at(9, 0), 41, "sent"),
        case(2, "amy", "SW-05", 0, "waived", at(9, 30), 42, "sent", void=VOID),
        case(3, "ben", "SW-05", 0, "waived", at(10, 0), 43, "sent"),
        case(4, "ben", "SW-05", 100, "cash", at(10, 30), 44, "sent"),
    )
    day = compute(replace(FACTS, cases=waived, last_receipt_seq=44), None, NEAR)
    assert [(k.clerk, k.cases, k.waived, k.cash_expected) for k in day.clerks] == [("amy", 1, 1, 0), ("ben", 2, 1, 100)]
    assert (day.waived, day.fees) == (2, {"cash": 100})


def test_receipts_gaps_and_voids() -> None:
    day = compute(FACTS, held(DIGEST), NEAR)
    assert (day.first_receipt, day.last_receipt) == ("D0007-R0000041", "D0007-R0000049")
    assert day.gaps == ("D0007-R0000044", "D0007-R0000048")
    assert day.voids == (
        VoidLine(C4.case_number, "D0007-R0000045", "ben", 100, "cash", "誤收，申請人改日再來", "supervisor-a", "11:02"),
        VoidLine(C5.case_number, "D0007-R0000046", "amy", 0, "cash", "撤回，未送市府", "", ""),
    )
    assert day.pending_sync == (C2.case_number, C6.case_number)


def test_receipts_are_ordered_by_number_not_by_time() -> None:
    late_low = case(11, "amy", "SW-01", 0, "cash", at(16, 0), 1, "sent")
    early_high = case(12, "amy", "SW-01", 0, "cash", at(8, 30), 2, "sent")
    facts = DayFacts(DAY, (early_high, late_low), None, (), (), None, None, 2, "D0007-")
    day = compute(facts, None, NEAR)
    assert (day.first_receipt, day.last_receipt, day.gaps) == ("D0007-R0000001", "D0007-R0000002", ())


def test_a_gap_is_named_with_the_devices_own_prefix() -> None:
    one = case(21, "amy", "SW-01", 0, "cash", at(9, 0), 1, "sent")
    three = case(23, "amy", "SW-01", 0, "cash", at(9, 30), 3, "sent")
    facts = DayFacts(DAY, (one, three), None, (), (), None, None, 3, "D0012-")
    assert compute(facts, None, NEAR).gaps == ("D0012-R0000002",)


def test_a_day_whose_only_receipt_is_missing_still_names_it() -> None:
    facts = DayFacts(DAY, (), 4, (), (), None, None, 5, "D0007-")
    assert compute(facts, None, NEAR).gaps == ("D0007-R0000005",)


@pytest.mark.parametrize("previous", [4, None], ids=["a later day", "a device's first day"])
def test_a_day_with_no_receipts_has_no_gap_and_no_range(previous: int | None) -> None:
    day = compute(DayFacts(DAY, (), previous, (), (), None, None, None, "D0007-"), None, NEAR)
    assert (day.first_receipt, day.last_receipt, day.gaps, day.cases, day.fees) == (None, None, (), 0, {})


def test_a_void_whose_receipt_row_is_gone_is_still_listed() -> None:
    """A damaged ledger: the case is there, its receipt row is not (the gap list names the number)."""
    voided = replace(
        case(61, "amy", "SW-01", 100, "cash", at(9, 0), 1, "sent", void=VOID), receipt_seq=None, receipt_number=None
    )
    withdrawn = replace(
        case(62, "amy", "SW-01", 0, "cash", at(9, 5), 2, "withdrawn"), receipt_seq=None, receipt_number=None
    )
    day = compute(DayFacts(DAY, (voided, withdrawn), None, (), (), None, None, 2, "D0007-"), None, NEAR)
    assert [(v.case_number, v.receipt_number) for v in day.voids] == [
        (voided.case_number, ""),
        (withdrawn.case_number, ""),
    ]
    assert day.gaps == ("D0007-R0000001", "D0007-R0000002")


def test_the_day_against_the_citys_digest() -> None:
    assert compute(FACTS, held(DIGEST), NEAR).comparison == Comparison(
        compared=True,
        held=5,
        only_server=(STRANGER,),
        only_device=(C1.case_number,),
        differing=(C3.case_number,),
        error=None,
    )


@pytest.mark.parametrize(("error", "shown"), [(None, "network_down"), ("server_error", "server_error")])
def test_a_day_the_city_could_not_be_asked_about(error: str | None, shown: str) -> None:
    day = compute(FACTS, None, NEAR, error)
    assert day.comparison == Comparison(compared=False, error=shown)
    assert Problem("dc_not_compared") in day.problems()


def test_cases_near_or_past_their_due_date() -> None:
    assert compute(FACTS, held(DIGEST), NEAR).due == (
        DueLine("68000010-D0007-1151101-0001", "SW-01", "amy", date(2026, 11, 19), True),
        DueLine("68000010-D0007-1151102-0002", "SW-02", "ben", DAY, False),
        DueLine("68000010-D0007-1151103-0003", "SW-01", "amy", NEAR, False),
    )


def test_the_discrepancy_list_in_the_order_a_supervisor_reads_it() -> None:
    assert compute(FACTS, held(DIGEST), NEAR).problems() == [
        Problem("dc_receipt_gap", {"numbers": "D0007-R0000044、D0007-R0000048"}),
        Problem("dc_audit_break", {"seq": 17}),
        Problem("dc_only_server", {"n": 1}),
        Problem("dc_only_device", {"numbers": C1.case_number}),
        Problem("dc_differing", {"numbers": C3.case_number}),
        Problem("dc_pending_sync", {"n": 2}),
        Problem("dc_void", {"receipt": "D0007-R0000045", "reason": "誤收，申請人改日再來"}, needs_note=False),
        Problem("dc_void", {"receipt": "D0007-R0000046", "reason": "撤回，未送市府"}, needs_note=False),
        Problem("dc_overdue", {"n": 1}, needs_note=False),
        Problem("dc_due_soon", {"n": 2}, needs_note=False),
    ]


def test_lists_in_a_problem_are_joined_with_the_ideographic_comma() -> None:
    sent = [case(50 + n, "amy", "SW-01", 0, "cash", at(9, n), n + 1, "sent") for n in range(4)]
    facts = DayFacts(DAY, tuple(sent), None, (), (), None, None, 4, "D0007-")
    digest = wire.DigestResponse(
        day=DAY, items=[wire.DigestItem(case_uuid=UUID(c.case_uuid), content_hash=H_OTHER) for c in sent[2:]]
    )
    found = {p.code: p.params for p in compute(facts, held(digest), NEAR).problems()}
    assert found["dc_only_device"] == {"numbers": f"{sent[0].case_number}、{sent[1].case_number}"}
    assert found["dc_differing"] == {"numbers": f"{sent[2].case_number}、{sent[3].case_number}"}


def test_when_every_due_case_is_overdue_none_is_due_soon() -> None:
    late = tuple(OpenDue(f"N-{n}", "SW-01", "amy", date(2026, 11, 10 + n)) for n in range(2))
    day = compute(DayFacts(DAY, (), None, (), late, None, None, None, "D0007-"), None, NEAR)
    codes = [p.code for p in day.problems()]
    assert "dc_overdue" in codes and "dc_due_soon" not in codes


def test_a_clean_day_has_no_problems() -> None:
    clean = case(31, "amy", "SW-01", 100, "cash", at(9, 0), 1, "sent")
    facts = DayFacts(DAY, (clean,), None, (), (), None, None, 1, "D0007-")
    digest = wire.DigestResponse(day=DAY, items=[wire.DigestItem(case_uuid=UUID(uuid(31)), content_hash=H_SAME)])
    day = compute(facts, held(digest), NEAR)
    assert day.problems() == []
    assert sign_off_problems(day, cash_lines(day, {"amy": (100, "")}), "") == []


# -- cash and signing -------------------------------------------------------------------------------------------


def test_cash_is_counted_per_clerk_who_took_cash() -> None:
    day = compute(FACTS, held(DIGEST), NEAR)
    lines = cash_lines(day, {"amy": (100, ""), "ben": (120, "少收十元，已補")})
    assert lines == (CashLine("amy", 100, 100, ""), CashLine("ben", 130, 120, "少收十元，已補"))  # cat took no cash
    assert [line.difference for line in lines] == [0, -10]
    assert cash_lines(day, {}) == (CashLine("amy", 100, None, ""), CashLine("ben", 130, None, ""))
    assert cash_lines(day, {})[0].difference is None


@pytest.mark.parametrize(
    ("counted", "note", "blockers"),
    [
        ({"amy": (100, ""), "ben": (130, "")}, "五個字說明", []),
        ({"amy": (100, "")}, "五個字說明", [Problem("dc_cash_missing", {"clerk": "ben"})]),
        ({"amy": (100, ""), "ben": (120, "少收")}, "五個字說明", [Problem("dc_cash_explain", {"clerk": "ben", "diff": -10})]),
        ({"amy": (100, ""), "ben": (120, "  已補收十元  ")}, "五個字說明", []),  # five characters once trimmed
        ({"amy": (100, ""), "ben": (120, "  補收四元  ")}, "五個字說明", [Problem("dc_cash_explain", {"clerk": "ben", "diff": -10})]),
        ({"amy": (101, "多收一元說明"), "ben": (130, "")}, "五個字說明", []),
        ({"amy": (100, ""), "ben": (130, "")}, "  四個字說  ", [Problem("dc_note_required", {"min": 5})]),
        ({"amy": (100, ""), "ben": (130, "")}, "", [Problem("dc_note_required", {"min": 5})]),
    ],
)  # fmt: skip
def test_what_stops_a_signature(counted: dict[str, tuple[int | None, str]], note: str, blockers: list[Problem]) -> None:
    day = compute(FACTS, held(DIGEST), NEAR)
    assert sign_off_problems(day, cash_lines(day, counted), note) == blockers


def test_a_day_with_only_voids_and_due_dates_needs_no_note() -> None:
    voided = case(41, "amy", "SW-01", 100, "cash", at(9, 0), 1, "sent", void=VOID)
    facts = DayFacts(DAY, (voided,), None, (), (OpenDue("N-1", "SW-01", "amy", DAY),), None, None, 1, "D0007-")
    digest = wire.DigestResponse(day=DAY, items=[wire.DigestItem(case_uuid=UUID(uuid(41)), content_hash=H_SAME)])
    day = compute(facts, held(digest), NEAR)
    assert [p.code for p in day.problems()] == ["dc_void", "dc_due_soon"]
    assert sign_off_problems(day, cash_lines(day, {}), "") == []


def test_a_signed_day_cannot_be_signed_again() -> None:
    close = CloseRecord(UUID(uuid(801)), DAY, at(18, 0), "supervisor-a", "approval-3", "d" * 64, "{}")
    day = compute(DayFacts(DAY, (), None, (), (), None, close, None, "D0007-"), None, NEAR)
    assert day.signed
    assert sign_off_problems(day, (), "五個字說明") == [Problem("day_already_closed")]


def test_the_figures_the_city_keeps() -> None:
    day = compute(FACTS, held(DIGEST), NEAR)
    cash = cash_lines(day, {"amy": (100, ""), "ben": (None, "")})
    assert figures(day, cash) == {
        "cases": 5,
        "voided": 2,
        "fees": 360,
        "cash_expected": 230,
        "cash_counted": 100,
        "pending_sync": 2,
        "gaps": 2,
        "only_server": 1,
        "only_device": 1,
        "differing": 1,
        "corrections": 1,
    }


# -- the signed report ------------------------------------------------------------------------------------------


def test_the_signed_report_says_everything_in_canonical_json() -> None:
    day = compute(FACTS, held(DIGEST), NEAR)
    cash = cash_lines(day, {"amy": (100, ""), "ben": (120, "少收十元，已補")})
    text = report_json(day, cash, "  兩張收據遺失，已報告課長。  ")
    assert json.loads(text) == {
        "day": "2026-11-20",
        "cases": 5,
        "voided": 2,
        "fees": {"cash": 230, "transfer": 130},
        "clerks": [
            {"clerk": "amy", "cases": 2, "voided": 1, "fees": {"cash": 100, "transfer": 50}, "cash_expected": 100,
             "waived": 0},
            {"clerk": "ben", "cases": 2, "voided": 1, "fees": {"cash": 130}, "cash_expected": 130, "waived": 0},
            {"clerk": "cat", "cases": 1, "voided": 0, "fees": {"transfer": 80}, "cash_expected": 0, "waived": 0},
        ],
        "services": [
            {"code": "SW-01", "cases": 3, "fees": {"cash": 200, "transfer": 80}},
            {"code": "SW-02", "cases": 2, "fees": {"cash": 30, "transfer": 50}},
        ],
        "receipts": ["D0007-R0000041", "D0007-R0000049"],
        "gaps": ["D0007-R0000044", "D0007-R0000048"],
        "voids": [
            {
                "case_number": C4.case_number,
                "receipt_number": "D0007-R0000045",
                "clerk": "ben",
                "fee": 100,
                "payment_method": "cash",
                "reason": "誤收，申請人改日再來",
                "by": "supervisor-a",
                "at": "11:02",
            },
            {
                "case_number": C5.case_number,
                "receipt_number": "D0007-R0000046",
                "clerk": "amy",
                "fee": 0,
                "payment_method": "cash",
                "reason": "撤回，未送市府",
                "by": "",
                "at": "",
            },
        ],
        "cash": [
            {"clerk": "amy", "expected": 100, "counted": 100, "explanation": "", "difference": 0},
            {"clerk": "ben", "expected": 130, "counted": 120, "explanation": "少收十元，已補", "difference": -10},
        ],
        "pending_sync": [C2.case_number, C6.case_number],
        "follow_ups": [],
        "comparison": {
            "compared": True,
            "held": 5,
            "only_server": [STRANGER],
            "only_device": [C1.case_number],
            "differing": [C3.case_number],
            "error": None,
        },
        "due": [
            {"case_number": "68000010-D0007-1151101-0001", "service_code": "SW-01", "clerk": "amy",
             "due_date": "2026-11-19", "overdue": True},
            {"case_number": "68000010-D0007-1151102-0002", "service_code": "SW-02", "clerk": "ben",
             "due_date": "2026-11-20", "overdue": False},
            {"case_number": "68000010-D0007-1151103-0003", "service_code": "SW-01", "clerk": "amy",
             "due_date": "2026-11-23", "overdue": False},
        ],
        "audit_break": 17,
        "corrections": [
            {
                "uuid": uuid(701),
                "corrects_day": "2026-11-19",
                "case_number": "68000010-D0007-1151119-0003",
                "kind": "refund",
                "amount": -100,
                "reason": "重複收費退還",
                "by": "supervisor-a",
            }
        ],
        "note": "兩張收據遺失，已報告課長。",
    }  # fmt: skip
    # Canonical: keys sorted, no spaces, the text itself (not escapes), so the same day always hashes the same.
    assert text.startswith('{"audit_break":17,"cases":5,"cash":[{"clerk":"amy","counted":100,')
    assert "誤收" in text and "\\u" not in text and ", " not in text and ": " not in text


def test_the_report_hash_is_sha256_of_its_utf8_text() -> None:
    # FIPS 180-2's "abc" vector; and one in Chinese, whose bytes depend on the encoding being UTF-8.
    assert report_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert report_hash("日結") != report_hash("日結".encode().decode("latin-1"))


def test_a_signed_day_is_shown_with_what_was_entered_when_it_was_signed() -> None:
    day = compute(FACTS, held(DIGEST), NEAR)
    cash = cash_lines(day, {"amy": (100, ""), "ben": (120, "少收十元，已補")})
    text = report_json(day, cash, "兩張收據遺失，已報告課長。")
    close = CloseRecord(UUID(uuid(801)), DAY, at(18, 0), "supervisor-a", "approval-3", report_hash(text), text)
    signed = compute(DayFacts(DAY, FACTS.cases, 40, (), (), None, close, 49, "D0007-"), held(DIGEST), NEAR)
    assert signed_inputs(signed) == ({"amy": (100, ""), "ben": (120, "少收十元，已補")}, "兩張收據遺失，已報告課長。")
    assert signed_inputs(day) == ({}, "")
    empty = CloseRecord(UUID(uuid(802)), DAY, at(18, 0), "supervisor-a", "approval-3", "e" * 64, "")
    assert signed_inputs(compute(DayFacts(DAY, (), None, (), (), None, empty, None, ""), None, NEAR)) == ({}, "")


# -- cash by note and coin ----------------------------------------------------------------------------------------


def test_a_count_by_note_and_coin_must_add_up_to_the_cash_signed_for() -> None:
    day = compute(FACTS, held(DIGEST), NEAR)
    ben = ((100, 1), (10, 3))  # 130 元, what ben took
    agreed = cash_lines(day, {"amy": (100, ""), "ben": (130, "")}, {"ben": ben})
    assert agreed[1] == CashLine("ben", 130, 130, "", ben)
    assert sign_off_problems(day, agreed, "五個字說明") == []
    slipped = cash_lines(day, {"amy": (100, ""), "ben": (140, "多收十元說明")}, {"ben": ben})
    assert sign_off_problems(day, slipped, "五個字說明") == [
        Problem("dc_cash_pieces", {"clerk": "ben", "pieces": 130, "counted": 140})
    ]


def test_the_count_travels_in_the_figures_and_the_signed_report() -> None:
    day = compute(FACTS, held(DIGEST), NEAR)
    pieces = {"amy": ((100, 1),), "ben": ((100, 1), (10, 2))}
    cash = cash_lines(day, {"amy": (100, ""), "ben": (120, "少收十元，已補")}, pieces)
    kept = figures(day, cash)
    assert (kept["cash_counted"], kept["cash_100"], kept["cash_10"]) == (220, 2, 2)
    assert not {k for k in kept if k.startswith("cash_")} - {"cash_expected", "cash_counted", "cash_100", "cash_10"}
    text = report_json(day, cash, "兩張收據遺失，已報告課長。")
    assert [c.get("pieces") for c in json.loads(text)["cash"]] == [[[100, 1]], [[100, 1], [10, 2]]]
    close = CloseRecord(UUID(uuid(803)), DAY, at(18, 0), "supervisor-a", "approval-3", report_hash(text), text)
    signed = compute(DayFacts(DAY, FACTS.cases, 40, (), (), None, close, 49, "D0007-"), held(DIGEST), NEAR)
    assert signed_pieces(signed) == pieces
    assert signed_pieces(day) == {}
    by_amount = report_json(day, cash_lines(day, {"amy": (100, ""), "ben": (130, "")}), "")
    assert all("pieces" not in c for c in json.loads(by_amount)["cash"])  # signs what it always signed
