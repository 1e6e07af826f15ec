"""The office's 日結 at a real city (SQLite and PostgreSQL): two counters of 桃園區 take cases on one day; one signs its
day, the other does not. The supervisor sees both devices as the city holds them; the office's day cannot be
signed until the open device is explained; then it is signed once (a replay answers the same, a second sign-off is
refused); a clerk may not see or sign it, nor may another office's supervisor see this one's."""

from __future__ import annotations

import uuid

import pytest

from cityserver.app import add_user
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from tests.conftest import OFFICE, PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE, Api, enrol, token_for
from tests.fakes.wire_cases import DAY, case_for, record_for

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx
PATH = f"/api/v1/office-days/{DAY.isoformat()}"


@pytest.fixture
def office(city: EmbeddedServer, population: list[Resident]) -> tuple[Api, str, str]:
    """The supervisor's session, and the two counters' device ids: the first signed its day (2 cases, one of them
    voided), the second took one case and did not close."""
    people = [r for r in population if r.district_code == OFFICE.code]
    first = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    cases = [case_for(TEST_DEVICE, OFFICE.code, "SW-05", people[n].national_id, n + 1, fee=80,
                      payment_method="cash") for n in range(2)]  # fmt: skip
    assert {a["status"] for a in first.push("cases", cases)} == {"accepted"}
    second_device = enrol(city, OFFICE.code, "櫃台2")
    add_user(city.app.state.session_factory, "clerk-two", "clerk-two-pw", OFFICE.code, "clerk")
    second = Api(city, token_for(city, second_device, "clerk-two", "clerk-two-pw"))
    other_case = case_for(second_device, OFFICE.code, "SW-17", people[2].national_id, 1)
    assert second.push("cases", [other_case])[0]["status"] == "accepted"
    for kind, subject in (("void", cases[1].case_uuid), ("day_close", None)):
        record_id = uuid.uuid4()
        body = {"supervisor": SUPERVISOR, "password": SUPERVISOR_PASSWORD, "reason": "日結與作廢核准",
                "purpose": kind, "day": DAY.isoformat(), "case_uuid": str(subject or record_id)}  # fmt: skip
        granted = first.post("/api/v1/approvals", body)
        assert granted.status_code == 200, granted.text
        more = {"case_uuid": subject, "reason": "民眾當場撤回"} if kind == "void" else {
            "report_hash": "1" * 64, "figures": {"cases": 1, "voided": 1, "fees": 80, "cash_expected": 80,
                                                 "cash_counted": 80}}  # fmt: skip
        record = record_for(TEST_DEVICE, OFFICE.code, kind, granted.json()["approval_id"], record_uuid=record_id,
                            by=SUPERVISOR, **more)  # fmt: skip
        (result,) = first.push("records", [record])
        assert result["status"] == "accepted", result
    chief = Api(city, token_for(city, TEST_DEVICE, SUPERVISOR, SUPERVISOR_PASSWORD))
    return chief, TEST_DEVICE.device_id, second_device.device_id


def test_a_device_that_never_closed_blocks_the_office_sign_off_until_explained(
    office: tuple[Api, str, str],
) -> None:
    chief, signed, unsigned = office
    facts = chief.get(PATH).json()
    assert sorted(d["device_id"] for d in facts["devices"]) == sorted([signed, unsigned])
    assert sorted((c["device_id"], c["fee"], c["voided"]) for c in facts["cases"]) == sorted(
        [(signed, 80, False), (signed, 80, True), (unsigned, 0, False)]
    )
    assert [(c["device_id"], c["by"], c["figures"]["cases"]) for c in facts["closes"]] == [(signed, SUPERVISOR, 1)]
    assert facts["close"] is None

    key = uuid.uuid4()
    body = {"close_uuid": str(key), "day": DAY.isoformat(), "report_hash": "2" * 64}
    blocked = chief.post("/api/v1/office-days", body)
    assert (blocked.status_code, blocked.json()["code"]) == (409, "office_day_blocked")
    assert unsigned in blocked.json()["detail"]
    too_short = chief.post("/api/v1/office-days", {**body, "explanations": {unsigned: "當機"}})
    assert too_short.status_code == 409  # two characters explain nothing

    why = {unsigned: "櫃台2 當機，案件已上傳，明日補日結"}
    signed_off = chief.post("/api/v1/office-days", {**body, "explanations": why})
    assert signed_off.status_code == 200, signed_off.text
    close = signed_off.json()
    assert (close["by"], close["explanations"], close["report_hash"]) == (SUPERVISOR, why, "2" * 64)
    again = chief.post("/api/v1/office-days", {**body, "explanations": why})  # the answer was lost: same key
    assert again.status_code == 200 and again.json() == close
    second = chief.post("/api/v1/office-days", {**body, "close_uuid": str(uuid.uuid4()), "explanations": why})
    assert (second.status_code, second.json()["code"]) == (409, "office_day_closed")
    assert chief.get(PATH).json()["close"] == close


def test_only_the_offices_own_supervisors_see_and_sign_its_day(
    city: EmbeddedServer, office: tuple[Api, str, str]
) -> None:
    clerk = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    assert clerk.get(PATH).status_code == 403
    body = {"close_uuid": str(uuid.uuid4()), "day": DAY.isoformat(), "report_hash": "3" * 64}
    assert clerk.post("/api/v1/office-days", body).status_code == 403
    add_user(city.app.state.session_factory, "other-chief", "other-chief-pw", "68000020", "supervisor")
    other = Api(city, token_for(city, enrol(city, "68000020"), "other-chief", "other-chief-pw"))
    theirs = other.get(PATH).json()
    assert theirs["office_code"] == "68000020" and theirs["cases"] == [] and theirs["closes"] == []
    assert other.get("/api/v1/office-days/1800-01-01").status_code == 422
