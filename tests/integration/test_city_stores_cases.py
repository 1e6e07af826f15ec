"""What the city stores of each case it accepts, read back from its own database (SQLite and PostgreSQL), and the
exact answer to each case it cannot take. Expected values are facts of the fixture worked out by hand: the
business day in Taipei, the district a person is registered in, the catalog's 跨區收件 services."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from cityserver.db import ApprovalUseRow, CaseRow, StatusEventRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from sync.protocol import wire
from tests.conftest import OFFICE, PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE, Api, token_for
from tests.fakes.wire_cases import DAY, case_for, record_for

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx


@pytest.fixture
def clerk(city: EmbeddedServer) -> Api:
    return Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))


def stored(city: EmbeddedServer, case_uuid: uuid.UUID) -> tuple[CaseRow, list[StatusEventRow]]:
    with city.app.state.session_factory() as s:
        row = s.get(CaseRow, str(case_uuid))
        events = s.scalars(select(StatusEventRow).where(StatusEventRow.case_uuid == str(case_uuid))).all()
        assert row is not None
        s.expunge_all()
        return row, list(events)


def test_a_case_is_stored_under_its_business_day_in_taipei(
    city: EmbeddedServer, clerk: Api, population: list[Resident]
) -> None:
    """16:30 UTC on 20 Nov is 00:30 on 21 Nov in Taipei: the case belongs to the 21st's day close."""
    person = next(r for r in population if r.district_code == OFFICE.code)
    late = case_for(TEST_DEVICE, OFFICE.code, "SW-05", person.national_id.lower(), 1,
                    received_at=datetime(2026, 11, 20, 16, 30, tzinfo=UTC))  # fmt: skip
    early = case_for(TEST_DEVICE, OFFICE.code, "SW-05", person.national_id, 2,
                     received_at=datetime(2026, 11, 20, 15, 59, tzinfo=UTC))  # fmt: skip
    assert [a["status"] for a in clerk.push("cases", [late, early])] == ["accepted", "accepted"]
    row, events = stored(city, late.case_uuid)
    assert (row.business_date, row.national_id, row.pushed_by) == (date(2026, 11, 21), person.national_id, USER)
    assert (row.status, row.assigned_office, row.office_code, row.device_id) == (
        "收件", OFFICE.code, OFFICE.code, TEST_DEVICE.device_id
    )  # fmt: skip
    assert [(e.status, e.note) for e in events] == [("收件", "")]
    assert stored(city, early.case_uuid)[0].business_date == date(2026, 11, 20)


def test_a_cross_district_intake_goes_to_the_persons_home_office(
    city: EmbeddedServer, clerk: Api, population: list[Resident]
) -> None:
    """SW-14 is 跨區收件: received here for someone of another district, it is forwarded there at once; for
    someone of this district, and for a 跨區申辦 service (SW-05), it stays."""
    home = next(r for r in population if r.city_code == OFFICE.city_code and r.district_code != OFFICE.code)
    local = next(r for r in population if r.district_code == OFFICE.code)
    away = case_for(TEST_DEVICE, OFFICE.code, "SW-14", home.national_id, 1)
    here = case_for(TEST_DEVICE, OFFICE.code, "SW-14", local.national_id, 2)
    stays = case_for(TEST_DEVICE, OFFICE.code, "SW-05", home.national_id, 3)
    assert {a["status"] for a in clerk.push("cases", [away, here, stays])} == {"accepted"}
    row, events = stored(city, away.case_uuid)
    assert (row.status, row.assigned_office, row.office_code) == ("已轉送", home.district_code, OFFICE.code)
    assert [(e.status, e.note) for e in events] == [("已轉送", f"轉{home.city_name}{home.district_name}公所辦理")]
    for case in (here, stays):
        row, events = stored(city, case.case_uuid)
        assert (row.status, row.assigned_office) == ("收件", OFFICE.code)
        assert [(e.status, e.note) for e in events] == [("收件", "")]


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"national_id": "A123456788"}, "id_checksum"),
        ({"national_id": "1234567890"}, "id_format"),
        ({"service_code": "ZZ-99"}, "service_unknown"),
        ({"office_code": "68000020"}, "not_your_office"),
        ({"device_id": "D9999"}, "not_your_device"),
    ],
    ids=["checksum", "no letter", "unknown service", "other office", "other device"],
)
def test_a_case_the_city_cannot_take_is_refused_with_its_reason(
    city: EmbeddedServer, clerk: Api, population: list[Resident], change: dict[str, str], detail: str
) -> None:
    good = case_for(TEST_DEVICE, OFFICE.code, "SW-05", population[0].national_id, 1)
    change = {"national_id": population[1].national_id, **change}
    bad = case_for(TEST_DEVICE, OFFICE.code, n=2, service="SW-05", **change)
    answers = clerk.push("cases", [bad, good])
    assert answers == [
        {"case_uuid": str(bad.case_uuid), "status": "rejected", "detail": detail},
        {"case_uuid": str(good.case_uuid), "status": "accepted", "detail": None},
    ]
    with city.app.state.session_factory() as s:
        assert s.get(CaseRow, str(bad.case_uuid)) is None


def test_other_content_under_a_known_key_is_a_conflict_with_its_reason(
    city: EmbeddedServer, clerk: Api, population: list[Resident]
) -> None:
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-05", population[0].national_id, 1)
    clerk.push("cases", [case])
    (answer,) = clerk.push("cases", [case.model_copy(update={"fee": 50})])
    assert answer == {"case_uuid": str(case.case_uuid), "status": "conflict",
                      "detail": "different content for this key"}  # fmt: skip
    assert stored(city, case.case_uuid)[0].content_hash == case.content_hash()


def overridden(clerk: Api, national_id: str, n: int, **changes: Any) -> wire.CaseIn:
    """A case whose failed rules a supervisor of the office approved at this desk (online, through the city)."""
    subject = uuid.uuid4()
    answer = clerk.post("/api/v1/approvals", {"supervisor": SUPERVISOR, "password": SUPERVISOR_PASSWORD,
                        "case_uuid": str(subject), "reason": "主管核可測試", "purpose": "override",
                        "rules": ["age_at_least"]})  # fmt: skip
    assert answer.status_code == 200, answer.text
    override = wire.Override(approval_id=uuid.UUID(answer.json()["approval_id"]), supervisor=SUPERVISOR,
                             reason="本人已遷入本市", rules=["age_at_least"])  # fmt: skip
    return case_for(TEST_DEVICE, OFFICE.code, "SW-05", national_id, n, override=override, decision="fail",
                    case_uuid=subject, **changes)  # fmt: skip


def uses(city: EmbeddedServer) -> list[tuple[str, str]]:
    with city.app.state.session_factory() as s:
        return [(u.approval_id, u.record_uuid) for u in s.scalars(select(ApprovalUseRow))]


def test_an_approval_is_spent_by_the_case_that_used_it(
    city: EmbeddedServer, clerk: Api, population: list[Resident]
) -> None:
    case = overridden(clerk, population[0].national_id, 1)
    assert clerk.push("cases", [case])[0]["status"] == "accepted"
    assert uses(city) == [(str(case.override.approval_id), str(case.case_uuid))]  # type: ignore[union-attr]


def test_an_approved_case_under_a_taken_number_is_refused_for_the_number(
    city: EmbeddedServer, clerk: Api, population: list[Resident]
) -> None:
    """The number is the reason (the approval was fine), and the approval is not spent by a refused case."""
    first = case_for(TEST_DEVICE, OFFICE.code, "SW-05", population[0].national_id, 1)
    assert clerk.push("cases", [first])[0]["status"] == "accepted"
    same_number = overridden(clerk, population[1].national_id, 1)
    same_receipt = overridden(clerk, population[1].national_id, 2, receipt_number=first.receipt_number)
    assert [(a["status"], a["detail"]) for a in clerk.push("cases", [same_number, same_receipt])] == [
        ("rejected", "case_number_taken"), ("rejected", "receipt_number_taken")
    ]  # fmt: skip
    assert uses(city) == []


def test_a_case_twice_in_one_batch_is_stored_once(city: EmbeddedServer, clerk: Api, population: list[Resident]) -> None:
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-05", population[0].national_id, 1)
    other = case_for(TEST_DEVICE, OFFICE.code, "SW-05", population[1].national_id, 2)
    answers = clerk.push("cases", [case, other, case])
    assert [(a["case_uuid"], a["status"]) for a in answers] == [
        (str(case.case_uuid), "accepted"), (str(other.case_uuid), "accepted"), (str(case.case_uuid), "duplicate")
    ]  # fmt: skip
    with city.app.state.session_factory() as s:
        assert len(s.scalars(select(CaseRow.case_uuid)).all()) == 2


# PostgreSQL only: SQLite lets one writer in at a time, so two requests can never spend one approval at once there.
@pytest.mark.parametrize("city", [pytest.param("postgresql", id="pg-race")], indirect=True)
def test_two_cases_spending_one_approval_at_the_same_moment(
    city: EmbeddedServer, clerk: Api, population: list[Resident], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another request spends the approval between this one's check and its commit (made to happen with a hook in
    the in-process server): the case is refused as approval_used with nothing of it stored, not a server error."""
    from cityserver import approvals

    real_check = approvals.check
    raced: list[str] = []

    def check_then_lose_the_race(db: Any, who: Any, claim: approvals.Claim) -> str | None:
        problem = real_check(db, who, claim)
        if not raced:
            raced.append(claim.approval)
            with city.app.state.session_factory.begin() as other:
                other.add(ApprovalUseRow(approval_id=claim.approval, record_uuid=str(uuid.uuid4()),
                                         used_at=datetime.now(UTC)))  # fmt: skip
        return problem

    monkeypatch.setattr(approvals, "check", check_then_lose_the_race)
    case = overridden(clerk, population[0].national_id, 1)
    subject, approval_id = case.case_uuid, str(case.override.approval_id)  # type: ignore[union-attr]
    assert clerk.push("cases", [case]) == [
        {"case_uuid": str(subject), "status": "rejected", "detail": "approval_used"}
    ]  # fmt: skip
    assert raced == [approval_id]
    with city.app.state.session_factory() as s:
        assert s.get(CaseRow, str(subject)) is None
        assert s.get(ApprovalUseRow, approval_id).record_uuid != str(subject)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("figures", "answer"),
    [
        ({"cases": 1}, ("rejected", "day_close_figures")),  # the city holds 2 of this device's day
        ({"cases": 0, "voided": 1}, ("rejected", "day_close_figures")),
        ({"voided": 2}, ("rejected", "day_close_figures")),  # no case count at all
        ({"cases": 2, "bonus": 1}, ("rejected", "day_close_figures")),  # a figure the city does not know
        ({"cases": 2}, ("accepted", None)),
        ({"cases": 1, "voided": 1}, ("accepted", None)),
        ({"cases": 0, "only_server": 2}, ("accepted", None)),
        ({"cases": 3, "fees": 160, "cash_expected": 80}, ("accepted", None)),  # more than held: cases still queued
        # Notes and coins: at most the cash the day signs for (2 × 500 + 3 × 50 = 1,150), a denomination in circulation.
        ({"cases": 2, "cash_counted": 1150, "cash_500": 2, "cash_50": 3}, ("accepted", None)),
        ({"cases": 2, "cash_counted": 1149, "cash_500": 2, "cash_50": 3}, ("rejected", "day_close_figures")),
        ({"cases": 2, "cash_500": 1}, ("rejected", "day_close_figures")),  # pieces but no cash counted
        ({"cases": 2, "cash_counted": 300, "cash_300": 1}, ("rejected", "day_close_figures")),  # no 300 元 note
    ],
)
def test_a_signed_day_must_account_for_every_case_the_city_holds(
    city: EmbeddedServer, clerk: Api, population: list[Resident], figures: dict[str, int], answer: tuple[str, Any]
) -> None:
    cases = [case_for(TEST_DEVICE, OFFICE.code, "SW-05", population[n].national_id, n + 1) for n in range(2)]
    assert {a["status"] for a in clerk.push("cases", cases)} == {"accepted"}
    close_id = uuid.uuid4()
    body = {"supervisor": SUPERVISOR, "password": SUPERVISOR_PASSWORD, "case_uuid": str(close_id),
            "reason": "本日日結簽核", "purpose": "day_close", "day": DAY.isoformat()}  # fmt: skip
    granted = clerk.post("/api/v1/approvals", body)
    assert granted.status_code == 200, granted.text
    close = record_for(TEST_DEVICE, OFFICE.code, "day_close", granted.json()["approval_id"], record_uuid=close_id,
                       by=SUPERVISOR, report_hash="0" * 64, figures=figures)  # fmt: skip
    (result,) = clerk.push("records", [close])
    assert (result["status"], result["detail"]) == answer
    assert len(uses(city)) == (1 if answer[0] == "accepted" else 0)  # a refused close does not spend the approval


def test_a_receipt_that_contradicts_its_case_is_refused_and_one_that_agrees_is_kept(
    city: EmbeddedServer, clerk: Api, population: list[Resident]
) -> None:
    """A mutant client's case whose receipt terms promise another due date than the case: refused as malformed
    (nothing stored); the same case with terms that agree is stored with them, and comes back with them."""
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-17", population[0].national_id, 1, due_date=date(2026, 11, 27))
    terms = {"promise": "due", "limit_value": 7, "limit_unit": "days", "limit_source": "published",
             "limit_basis": "gov.tw", "due_date": "2026-12-04", "fee": 0, "owed": []}  # fmt: skip
    raw = {"cases": [{**case.model_dump(mode="json"), "terms": terms}]}
    refused = clerk.post("/api/v1/cases:batch", raw)
    assert refused.status_code == 422
    with city.app.state.session_factory() as s:
        assert s.get(CaseRow, str(case.case_uuid)) is None
    raw["cases"][0]["terms"]["due_date"] = "2026-11-27"
    kept = clerk.post("/api/v1/cases:batch", raw)
    assert kept.status_code == 200 and kept.json()["results"][0]["status"] == "accepted"
    row, _ = stored(city, case.case_uuid)
    assert wire.CaseIn.model_validate_json(row.payload).terms == wire.Terms.model_validate(
        terms | {"due_date": "2026-11-27"}
    )


@pytest.mark.parametrize(
    ("fee", "method", "terms_fee", "waiver", "status"),
    [
        (0, "waived", 100, "低收入戶，規費減免規定", 200),  # waived on a published fee: kept
        (100, "waived", 100, "低收入戶，規費減免規定", 422),  # waived yet collected
        (0, "cash", 100, "低收入戶，規費減免規定", 422),  # a ground on the receipt, cash in the case
        (0, "waived", 100, None, 422),  # recorded as waived, the receipt names no ground
        (0, "waived", 0, "低收入戶，規費減免規定", 422),  # nothing to waive
        (0, "waived", None, "低收入戶，規費減免規定", 422),  # an unpublished fee cannot be waived
    ],
)
def test_a_waived_fee_must_be_said_the_same_by_the_case_and_its_receipt(
    city: EmbeddedServer,
    clerk: Api,
    population: list[Resident],
    fee: int,
    method: str,
    terms_fee: int | None,
    waiver: str | None,
    status: int,
) -> None:
    """A mutant client cannot record a fee as waived without the ground on the receipt, or the other way round."""
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-05", population[0].national_id, 1)
    terms = {"promise": "on_the_spot", "limit_value": 0, "limit_unit": "on_the_spot", "limit_source": "published",
             "limit_basis": "gov.tw", "fee": terms_fee, "waiver": waiver, "owed": []}  # fmt: skip
    raw = {"cases": [{**case.model_dump(mode="json"), "fee": fee, "payment_method": method, "terms": terms}]}
    answer = clerk.post("/api/v1/cases:batch", raw)
    assert answer.status_code == status, answer.text
    with city.app.state.session_factory() as s:
        held = s.get(CaseRow, str(case.case_uuid))
    assert (held is not None) == (status == 200)
