"""What the city stores of each case it accepts, read back from its own database (SQLite and PostgreSQL), and the
exact answer to each case it cannot take. Expected values are facts of the fixture worked out by hand: the
business day in Taipei, the district a person is registered in, the catalog's 跨區收件 services."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from cityserver.db import ApprovalUseRow, CaseRow, StatusEventRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from sync import wire
from tests.conftest import OFFICE, PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE, Api, token_for
from tests.fakes.wire_cases import case_for

pytestmark = pytest.mark.integration


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


def test_an_approval_is_spent_by_the_case_that_used_it(
    city: EmbeddedServer, clerk: Api, population: list[Resident]
) -> None:
    subject = uuid.uuid4()
    answer = clerk.post("/api/v1/approvals", {"supervisor": SUPERVISOR, "password": SUPERVISOR_PASSWORD,
                        "case_uuid": str(subject), "reason": "主管核可測試", "purpose": "override",
                        "rules": ["age_at_least"]})  # fmt: skip
    assert answer.status_code == 200, answer.text
    approval_id = answer.json()["approval_id"]
    override = wire.Override(approval_id=uuid.UUID(approval_id), supervisor=SUPERVISOR, reason="本人已遷入本市",
                             rules=["age_at_least"])  # fmt: skip
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-05", population[0].national_id, 1, override=override,
                    decision="fail", case_uuid=subject)  # fmt: skip
    assert clerk.push("cases", [case])[0]["status"] == "accepted"
    with city.app.state.session_factory() as s:
        (use,) = s.scalars(select(ApprovalUseRow)).all()
    assert (use.approval_id, use.record_uuid) == (approval_id, str(subject))
