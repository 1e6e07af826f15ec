"""The office's 日結 from the city's facts, by hand: two counters and a village laptop of one office on one day."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from forms.officeday import (
    IDLE,
    OPEN,
    SIGNED,
    DeviceClose,
    OfficeCase,
    OfficeDevice,
    OfficeFacts,
    Totals,
    blockers,
    compute,
    report_json,
)

DAY = date(2026, 11, 20)
SEEN = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 09:00 in Taipei
YESTERDAY = datetime(2026, 11, 19, 1, 0, tzinfo=UTC)
D1 = OfficeDevice("D0001", "櫃台1", SEEN, False)
D2 = OfficeDevice("D0002", "櫃台2", SEEN, False)
D3 = OfficeDevice("D0003", "中山里筆電", YESTERDAY, False)
D4 = OfficeDevice("D0004", "舊電腦", YESTERDAY, True)  # revoked, took nothing: not listed


def case(device: str, n: int, clerk: str, service: str, fee: int, method: str, voided: bool = False) -> OfficeCase:
    return OfficeCase(
        device, f"68000010-{device}-1151120-{n:04d}", f"{device}-R{n:07d}", clerk, service, fee, method, voided
    )


CASES = (
    case("D0001", 1, "amy", "SW-05", 100, "cash"),
    case("D0001", 2, "amy", "SW-05", 100, "cash", voided=True),
    case("D0001", 4, "ben", "SW-17", 0, "none"),  # R0000003 never reached the city
    case("D0002", 1, "ben", "SW-05", 100, "card"),
    case("D0002", 2, "cat", "SW-05", 0, "waived"),
    case("D0003", 1, "dan", "SW-17", 0, "none"),
)
CLOSE_1 = DeviceClose("D0001", "chief", SEEN, {"cases": 2, "voided": 1, "cash_expected": 100, "cash_counted": 100})
FACTS = OfficeFacts("68000010", DAY, (D1, D2, D3, D4), CASES, (CLOSE_1,), corrections=1)


def test_every_device_with_its_state_cases_and_receipts() -> None:
    day = compute(FACTS)
    assert [(d.device.device_id, d.state, d.cases, d.voided, d.fees) for d in day.devices] == [
        ("D0001", SIGNED, 2, 1, {"cash": 100}),
        ("D0002", OPEN, 2, 0, {"card": 100}),
        ("D0003", OPEN, 1, 0, {}),
    ]
    d1 = day.devices[0]
    assert (d1.first_receipt, d1.last_receipt, d1.gaps) == ("D0001-R0000001", "D0001-R0000004", ("D0001-R0000003",))
    assert (day.cases, day.voided, day.fees, day.fee_total, day.corrections) == (
        5,
        1,
        {"card": 100, "cash": 100},
        200,
        1,
    )


def test_totals_per_clerk_and_service_across_devices() -> None:
    day = compute(FACTS)
    assert day.clerks == (
        Totals("amy", 1, 1, {"cash": 100}),
        Totals("ben", 2, 0, {"card": 100}),
        Totals("cat", 1, 0, {}, waived=1),
        Totals("dan", 1, 0, {}),
    )
    assert day.services == (Totals("SW-05", 3, 1, {"card": 100, "cash": 100}, waived=1), Totals("SW-17", 2, 0, {}))


def test_a_device_that_took_cases_and_did_not_close_blocks_until_explained() -> None:
    day = compute(FACTS)
    assert [(p.code, p.params["device"]) for p in blockers(day)] == [
        ("od_device_open", "D0002"),
        ("od_device_open", "D0003"),
    ]
    codes = [(p.code, p.params.get("device")) for p in day.problems if not p.needs_note]
    assert codes == [("od_receipt_gap", "D0001"), ("od_not_seen", "D0003")]
    explained = compute(FACTS, {"D0002": "櫃台2 當機，明日補日結", "D0003": "短"})  # 1 character is not a reason
    assert [p.params["device"] for p in blockers(explained)] == ["D0003"]
    all_explained = compute(FACTS, {"D0002": "櫃台2 當機，明日補日結", "D0003": "里幹事明日回所日結"})
    assert blockers(all_explained) == []


def test_a_signed_day_that_accounts_for_fewer_cases_than_the_city_holds() -> None:
    short = DeviceClose("D0002", "chief", SEEN, {"cases": 1, "pending_sync": 1, "cash_expected": 0, "cash_counted": 20})
    day = compute(OfficeFacts("68000010", DAY, (D2,), CASES, (short,)))
    assert [(p.code, p.params, p.needs_note) for p in day.problems] == [
        ("od_close_short", {"device": "D0002", "signed": 1, "held": 2}, True),
        ("od_pending", {"device": "D0002", "pending": 1}, False),
        ("od_cash_diff", {"device": "D0002", "diff": 20}, False),
    ]


def test_a_quiet_day_has_nothing_to_sign_against() -> None:
    day = compute(OfficeFacts("68000010", DAY, (D1, D3), (), ()))
    assert [d.state for d in day.devices] == [IDLE, IDLE] and day.problems == () and blockers(day) == []


def test_the_cash_counted_by_note_and_coin_across_the_office() -> None:
    first = DeviceClose("D0001", "chief", SEEN, {"cases": 2, "voided": 1, "cash_expected": 100, "cash_counted": 100,
                                                 "cash_50": 1, "cash_10": 5})  # fmt: skip
    second = DeviceClose("D0002", "chief", SEEN, {"cases": 2, "cash_expected": 0, "cash_counted": 0})
    day = compute(OfficeFacts("68000010", DAY, (D1, D2, D3), CASES, (first, second)))
    d1, d2, d3 = day.devices
    assert (d1.cash_counted, d1.pieces) == (100, ((50, 1), (10, 5)))
    assert (d2.cash_counted, d2.pieces) == (0, ())
    assert (d3.cash_counted, d3.pieces) == (None, ())  # not closed
    assert day.cash_counted == 100 and day.pieces == ((50, 1), (10, 5))
    devices = json.loads(report_json(day, {"D0003": "筆電未帶回，明日補結"}))["devices"]
    assert devices[0]["pieces"] == [[50, 1], [10, 5]] and devices[0]["cash_counted"] == 100
    assert "pieces" not in devices[1] and "cash_counted" not in devices[2]
