"""The outside review's write attacks, replayed against a real city server (SQLite and PostgreSQL): each is now
refused, and nothing of it is stored. Identity, office and authority come from the session and from approvals the
city issued or can verify, never from the payload."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select, update

from cityserver.app import add_user
from cityserver.db import ApprovalRow, CaseRow, DayRecordRow, EnrolmentRow, UserRow
from cityserver.devices import create_enrolment
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from forms.messages import reason_text
from sync.city.client import CityClient
from sync.city.enrolment import DeviceIdentity
from sync.city.push import push_pending
from sync.city.supervisor_keys import SupervisorKeys
from sync.ledger import Device, Ledger
from sync.ledger.secrets import MemorySecretStore
from sync.protocol import wire
from sync.services.approvals import Approver
from tests.conftest import OFFICE, PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD, USER, fixed_now
from tests.fakes.devices import TEST_DEVICE, Api, client_for, enrol, token_for
from tests.fakes.wire_cases import DAY, case_for, record_for
from tests.reliability.harness import make_cases

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx

OFFICE_B = "68000020"


@dataclass
class Offices:
    city: EmbeddedServer
    liaison_device: DeviceIdentity
    b_device: DeviceIdentity
    clerk: Api  # office A's clerk on D0001
    liaison: Api  # office A's village liaison on a laptop of their own
    clerk_b: Api  # office B's clerk on office B's PC
    local: list[str]  # national IDs of people of office A's district
    elsewhere: list[str]  # people registered in another city


@pytest.fixture
def offices(city: EmbeddedServer, population: list[Resident]) -> Offices:
    factory = city.app.state.session_factory
    add_user(factory, "liaison-a", "liaison-pw-1", OFFICE.code, "liaison")
    add_user(factory, "clerk-b", "clerk-b-pw-1", OFFICE_B, "clerk")
    add_user(factory, "chief-b", "chief-b-pw-1", OFFICE_B, "supervisor")
    liaison_device = enrol(city, OFFICE.code, "中山里筆電")
    b_device = enrol(city, OFFICE_B, "中壢區櫃台1")
    return Offices(
        city,
        liaison_device,
        b_device,
        Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD)),
        Api(city, token_for(city, liaison_device, "liaison-a", "liaison-pw-1")),
        Api(city, token_for(city, b_device, "clerk-b", "clerk-b-pw-1")),
        [r.national_id for r in population if r.district_code == OFFICE.code][:10],
        [r.national_id for r in population if r.city_code != OFFICE.city_code][:5],
    )


def approval(api: Api, purpose: str, subject: uuid.UUID, password: str = SUPERVISOR_PASSWORD, **more: object) -> str:
    """A supervisor of office A approves at the desk behind `api` (the city checks the password)."""
    body = {
        "supervisor": SUPERVISOR,
        "password": password,
        "case_uuid": str(subject),
        "reason": "主管核可測試",
        "purpose": purpose,
    }
    answer = api.post("/api/v1/approvals", {**body, **more})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["approval_id"])


def status_of(city: EmbeddedServer, case: wire.CaseIn) -> str | None:
    with city.app.state.session_factory() as s:
        return s.scalar(select(CaseRow.status).where(CaseRow.case_uuid == str(case.case_uuid)))


def records(city: EmbeddedServer) -> int:
    with city.app.state.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(DayRecordRow)) or 0)


def test_a_liaison_cannot_void_or_sign_off_with_approvals_it_made_up(offices: Offices) -> None:
    o = offices
    case = case_for(o.liaison_device, OFFICE.code, "SW-05", o.local[0], 1)
    assert o.liaison.push("cases", [case])[0]["status"] == "accepted"
    for made_up in ("not-an-approval", str(uuid.uuid4())):
        void = record_for(o.liaison_device, OFFICE.code, "void", made_up, case_uuid=case.case_uuid, by=SUPERVISOR)
        (result,) = o.liaison.push("records", [void])
        assert (result["status"], result["detail"]) == ("rejected", "approval_invalid")
    assert status_of(o.city, case) == "收件"
    # A day close with made-up figures: a negative total does not fit the schema at all (nothing is read of it)…
    bogus = record_for(o.liaison_device, OFFICE.code, "day_close", "not-an-approval", report_hash="0" * 64)
    raw = {"records": [{**bogus.model_dump(mode="json"), "figures": {"fee_total": -5}}]}
    refused = o.liaison.post("/api/v1/day-records:batch", raw)
    assert refused.status_code == 422 and wire.ErrorBody.model_validate(refused.json()).errors[0].loc[:3] == [
        "body",
        "records",
        0,
    ]
    # …and figures that do fit, with no approval the city issued, are refused per item.
    (result,) = o.liaison.push("records", [bogus.model_copy(update={"figures": {"cases": 1, "fees": 5}})])
    assert (result["status"], result["detail"]) == ("rejected", "approval_invalid")
    assert records(o.city) == 0
    # A real supervisor's approval for this void, at this device: accepted once, the case is 撤回.
    granted = approval(o.liaison, "void", case.case_uuid)
    void = record_for(o.liaison_device, OFFICE.code, "void", granted, case_uuid=case.case_uuid, by=SUPERVISOR)
    assert o.liaison.push("records", [void])[0]["status"] == "accepted"
    assert status_of(o.city, case) == "撤回"
    # The same approval again, for another record: spent.
    other = case_for(o.liaison_device, OFFICE.code, "SW-05", o.local[1], 2)
    o.liaison.push("cases", [other])
    again = record_for(o.liaison_device, OFFICE.code, "void", granted, case_uuid=other.case_uuid, by=SUPERVISOR)
    assert o.liaison.push("records", [again])[0]["detail"] in ("approval_mismatch", "approval_used")
    # A day close signed with an approval for another day, or claiming the supervisor's name for a clerk's approval.
    close_id = uuid.uuid4()
    day_ok = approval(o.liaison, "day_close", close_id, day=DAY.isoformat())
    wrong_day = record_for(
        o.liaison_device,
        OFFICE.code,
        "day_close",
        day_ok,
        record_uuid=close_id,
        business_date=DAY + timedelta(days=1),
        by=SUPERVISOR,
        report_hash="0" * 64,
        figures={"cases": 0},
    )
    assert o.liaison.push("records", [wrong_day])[0]["detail"] == "approval_mismatch"
    signed = wrong_day.model_copy(update={"business_date": DAY, "figures": {"cases": 2, "fees": 0}})
    assert o.liaison.push("records", [signed])[0]["status"] == "accepted"


def test_overrides_need_an_approval_the_city_issued_for_that_case_and_device(offices: Offices) -> None:
    o = offices
    rules = ["age_at_least"]

    def overridden(n: int, approval_id: str, subject: uuid.UUID | None = None) -> wire.CaseIn:
        override = wire.Override(
            approval_id=uuid.UUID(approval_id), supervisor=SUPERVISOR, reason="本人已遷入本市", rules=rules
        )
        case = case_for(TEST_DEVICE, OFFICE.code, "SW-05", o.local[n], n, override=override, decision="fail")
        return case.model_copy(update={"case_uuid": subject}) if subject else case

    (forged,) = o.clerk.push("cases", [overridden(1, str(uuid.uuid4()))])
    assert (forged["status"], forged["detail"]) == ("rejected", "approval_invalid")
    subject = uuid.uuid4()
    granted = approval(o.clerk, "override", subject, rules=rules)
    assert o.clerk.push("cases", [overridden(2, granted)])[0]["detail"] == "approval_mismatch"  # another case
    at_liaison = approval(o.liaison, "override", subject, rules=rules)
    assert o.clerk.push("cases", [overridden(3, at_liaison, subject)])[0]["detail"] == "approval_mismatch"  # device
    assert o.clerk.push("cases", [overridden(4, granted, subject)])[0]["status"] == "accepted"
    # Expired, and an approver who is no supervisor any more: refused.
    late_subject, demoted_subject = uuid.uuid4(), uuid.uuid4()
    late = approval(o.clerk, "override", late_subject, rules=rules)
    demoted = approval(o.clerk, "override", demoted_subject, rules=rules)
    with o.city.app.state.session_factory.begin() as s:
        s.execute(
            update(ApprovalRow)
            .where(ApprovalRow.approval_id == late)
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    assert o.clerk.push("cases", [overridden(5, late, late_subject)])[0]["detail"] == "approval_expired"
    with o.city.app.state.session_factory.begin() as s:
        s.execute(update(UserRow).where(UserRow.username == SUPERVISOR).values(role="clerk"))
    assert o.clerk.push("cases", [overridden(6, demoted, demoted_subject)])[0]["detail"] == "approval_role"


def test_an_offline_approval_is_verified_by_the_city_later(offices: Offices, tmp_path: Path) -> None:
    """The supervisor approved online at this device once (their key was bound); later, without the network,
    they approve a void by signing with that key here; the city checks it when the record arrives."""
    o = offices
    store = MemorySecretStore()
    client = client_for(o.city, TEST_DEVICE, USER, PASSWORD)
    approver = Approver(client, SupervisorKeys(store, TEST_DEVICE.device_id, fixed_now), fixed_now)
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-05", o.local[0], 1)
    o.clerk.push("cases", [case])
    approver.approve(SUPERVISOR, SUPERVISOR_PASSWORD, "void", uuid.uuid4(), "第一次連線核可")  # binds the key
    o.city.stop()
    offline = approver.approve(SUPERVISOR, SUPERVISOR_PASSWORD, "void", case.case_uuid, "民眾當場撤回申請")
    assert offline.proof is not None
    with pytest.raises(Exception) as wrong:  # noqa: PT011 (DomainError: the key does not open with it)
        approver.approve(SUPERVISOR, "wrong-password", "void", case.case_uuid, "民眾當場撤回申請")
    assert getattr(wrong.value, "code", "") == "supervisor_not_verified"
    o.city.start()

    def void(proof: wire.OfflineProof, subject: uuid.UUID = case.case_uuid) -> wire.DayRecordIn:
        return record_for(
            TEST_DEVICE, OFFICE.code, "void", offline.approval, case_uuid=subject, by=SUPERVISOR, approval_proof=proof
        )

    tampered = offline.proof.model_copy(update={"signed_at": offline.proof.signed_at + timedelta(seconds=1)})
    assert o.clerk.push("records", [void(tampered)])[0]["detail"] == "approval_invalid"
    other = case_for(TEST_DEVICE, OFFICE.code, "SW-05", o.local[1], 2)
    o.clerk.push("cases", [other])
    assert o.clerk.push("records", [void(offline.proof, other.case_uuid)])[0]["detail"] == "approval_invalid"
    from_liaison = o.liaison.push(
        "records", [void(offline.proof).model_copy(update={"device_id": o.liaison_device.device_id})]
    )
    assert from_liaison[0]["detail"] in ("approval_invalid", "unknown_case")  # bound to the device it was signed on
    assert o.clerk.push("records", [void(offline.proof)])[0]["status"] == "accepted"
    assert status_of(o.city, case) == "撤回"
    client.close()


def test_another_office_cannot_write_under_office_a(offices: Offices) -> None:
    o = offices
    mine = case_for(TEST_DEVICE, OFFICE.code, "SW-05", o.local[0], 1)
    assert o.clerk.push("cases", [mine])[0]["status"] == "accepted"
    attempts = {
        "not_your_office": case_for(TEST_DEVICE, OFFICE.code, "SW-05", o.local[1], 2),  # office A's device and number
        "not_your_device": case_for(TEST_DEVICE, OFFICE_B, "SW-05", o.local[1], 2),
        "case_number_prefix": case_for(
            o.b_device, OFFICE_B, "SW-05", o.local[1], 2, case_number=f"{OFFICE.code}-D0001-1151120-0002"
        ),
        "receipt_number_prefix": case_for(
            o.b_device, OFFICE_B, "SW-05", o.local[1], 2, receipt_number="D0001-R0000002"
        ),
    }
    for reason, case in attempts.items():
        assert o.clerk_b.push("cases", [case])[0]["detail"] == reason
    update_ = wire.CaseUpdateIn(
        update_uuid=uuid.uuid4(),
        case_uuid=mine.case_uuid,
        decision="fail",
        reason_codes=[],
        verified_at=mine.received_at,
    )
    assert o.clerk_b.push("updates", [update_])[0]["detail"] == "unknown_case"
    void = record_for(o.b_device, OFFICE_B, "void", str(uuid.uuid4()), case_uuid=mine.case_uuid)
    assert o.clerk_b.push("records", [void])[0]["detail"] == "unknown_case"
    step = {"step_uuid": str(uuid.uuid4()), "status": "駁回", "note": "另一區公所想駁回"}
    assert o.clerk_b.post(f"/api/v1/cases/{mine.case_uuid}/steps", step).status_code == 404
    assert o.clerk_b.post("/api/v1/digest", {"day": DAY.isoformat()}).json()["items"] == []  # its own device's only
    # Office A's next (predictable) number was not taken by anyone: A's case under it goes through, and its
    # genuine receipt verifies on the public page.
    from sync.protocol.receipt_signing import ReceiptSigner

    nxt = case_for(TEST_DEVICE, OFFICE.code, "SW-05", o.local[1], 2)
    assert o.clerk.push("cases", [nxt])[0]["status"] == "accepted"
    sig = ReceiptSigner(TEST_DEVICE.receipt).sign(nxt.case_number, nxt.receipt_number)
    page = requests.get(f"{o.city.url}/track/{nxt.case_number}", params={"sig": sig}, timeout=5)
    assert page.status_code == 200 and "已收件" in page.text
    assert status_of(o.city, mine) == "收件"


def test_numbers_the_city_holds_are_never_taken_twice(
    offices: Offices, client: CityClient, population: list[Resident], tmp_path: Path
) -> None:
    """A ledger restored from an older copy (or a copied profile) issues numbers again: the city refuses the
    second case under a number it holds, and the clerk sees why in 需處理."""
    original = Ledger(tmp_path / "ledger.db", Device(OFFICE, TEST_DEVICE.device_id), b"\x01" * 32, fixed_now)
    make_cases(original, [r.national_id for r in population[:3]])
    assert push_pending(original, client).accepted == 3
    restored = Ledger(tmp_path / "restored.db", Device(OFFICE, TEST_DEVICE.device_id), b"\x01" * 32, fixed_now)
    make_cases(restored, [r.national_id for r in population[3:7]])
    report = push_pending(restored, client)
    assert (report.accepted, report.rejected) == (1, 3)  # numbers 1-3 are held; 4 is new
    attention = restored.outbox.items(("attention",))
    assert {a.last_error for a in attention} == {"rejected: case_number_taken"}
    assert "案件編號" in reason_text(attention[0].last_error or "")
    with offices.city.app.state.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(CaseRow)) == 4
    original.close()
    restored.close()


def test_a_receipt_number_the_city_holds_is_refused_under_a_new_case_number(offices: Offices) -> None:
    """A ledger that issued a receipt number twice (under a fresh case number): the second case is refused with
    the reason in words, alone or in a batch with a good case, which still goes through; a replay of the first is
    a duplicate, not a clash with itself."""
    o = offices
    first = case_for(TEST_DEVICE, OFFICE.code, "SW-05", o.local[0], 1)
    assert o.clerk.push("cases", [first])[0]["status"] == "accepted"
    again = case_for(TEST_DEVICE, OFFICE.code, "SW-05", o.local[1], 2, receipt_number=first.receipt_number)
    assert o.clerk.push("cases", [again])[0] == {
        "case_uuid": str(again.case_uuid), "status": "rejected", "detail": "receipt_number_taken"
    }  # fmt: skip
    good = case_for(TEST_DEVICE, OFFICE.code, "SW-05", o.local[2], 3)
    also = case_for(TEST_DEVICE, OFFICE.code, "SW-05", o.local[1], 4, receipt_number=first.receipt_number)
    answers = o.clerk.push("cases", [good, also, first])
    assert [(a["status"], a.get("detail")) for a in answers] == [
        ("accepted", None), ("rejected", "receipt_number_taken"), ("duplicate", None)
    ]  # fmt: skip
    assert "收據號碼" in reason_text("rejected: receipt_number_taken")
    with o.city.app.state.session_factory() as s:
        held = s.scalars(select(CaseRow.case_number).where(CaseRow.receipt_number == first.receipt_number)).all()
    assert held == [first.case_number]


def test_a_revoked_device_can_do_nothing_more(offices: Offices) -> None:
    o = offices
    chief = client_for(o.city, TEST_DEVICE, SUPERVISOR, SUPERVISOR_PASSWORD)
    chief.devices()
    victim = CityClient(o.city.url, o.liaison_device, lambda: None, secrets=MemorySecretStore())
    from sync.city.client import Credentials

    victim.login(Credentials("liaison-a", "liaison-pw-1"))
    assert chief.revoke_device(o.liaison_device.device_id).revoked_at is not None
    refused = o.liaison.get("/api/v1/cases/count")  # its tokens are gone with it
    assert refused.status_code == 401 and refused.json()["code"] in ("auth_invalid", "device_revoked")
    key = {"key_id": o.liaison_device.receipt.key_id, "public_key": o.liaison_device.receipt.public_key}
    assert o.liaison.post("/api/v1/devices/keys", key).status_code == 401
    from sync.protocol.errors import SyncError

    with pytest.raises(SyncError) as refresh:
        victim._token = None
        victim._ensure_token()  # the refresh token was revoked with the device, and no log-in is possible
    assert refresh.value.code in ("device_revoked", "login_needed")
    with pytest.raises(SyncError) as login:
        victim.login(Credentials("liaison-a", "liaison-pw-1"))
    assert login.value.code == "device_revoked"
    listed = {d.device_id: d for d in chief.devices().devices}
    assert listed[o.liaison_device.device_id].revoked_by == SUPERVISOR
    # A supervisor of another office cannot see or revoke office A's devices.
    b_chief = client_for(o.city, o.b_device, "chief-b", "chief-b-pw-1")
    assert TEST_DEVICE.device_id not in {d.device_id for d in b_chief.devices().devices}
    with pytest.raises(SyncError):
        b_chief.revoke_device(TEST_DEVICE.device_id)
    for c in (chief, victim, b_chief):
        c.close()


def test_enrolment_codes_are_single_use_short_lived_and_throttled(offices: Offices) -> None:
    from sync.city import enrolment as device_enrolment

    o = offices
    factory = o.city.app.state.session_factory
    bare = CityClient(o.city.url, None, lambda: None)

    def present(code: str) -> requests.Response:
        identity, receipt = device_enrolment.new_keys()
        body = device_enrolment.enrol_request(code, identity, receipt, "test").model_dump(mode="json")
        return requests.post(f"{o.city.url}/api/v1/devices/enrol", json=body, timeout=5)

    expired = create_enrolment(factory, OFFICE.code, "old code", "chief").code
    with factory.begin() as s:
        s.execute(update(EnrolmentRow).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    assert present(expired).json()["code"] == "enrol_code_invalid"
    fresh = create_enrolment(factory, OFFICE.code, "new PC", "chief").code
    assert present(fresh).status_code == 200
    assert present(fresh).json()["code"] == "enrol_code_invalid"  # single use
    for _ in range(8):
        present("WXYZ-WXYZ-WXYZ")
    assert present(create_enrolment(factory, OFFICE.code, "after guessing", "chief").code).status_code == 429
    # A supervisor makes codes for their own office only.
    chief = Api(o.city, token_for(o.city, TEST_DEVICE, SUPERVISOR, SUPERVISOR_PASSWORD))
    assert chief.post("/api/v1/devices/enrolments", {"name": "PC", "office_code": OFFICE_B}).status_code == 404
    made = chief.post("/api/v1/devices/enrolments", {"name": "櫃台9"})
    assert made.status_code == 200 and made.json()["office_code"] == OFFICE.code
    bare.close()


def test_an_offline_override_binds_the_rules_it_overrides(offices: Offices) -> None:
    o = offices
    client = client_for(o.city, TEST_DEVICE, USER, PASSWORD)
    approver = Approver(client, SupervisorKeys(MemorySecretStore(), TEST_DEVICE.device_id, fixed_now), fixed_now)
    approver.approve(SUPERVISOR, SUPERVISOR_PASSWORD, "void", uuid.uuid4(), "第一次連線核可")  # binds the key
    o.city.stop()
    subject = uuid.uuid4()
    granted = approver.approve(
        SUPERVISOR, SUPERVISOR_PASSWORD, "override", subject, "本人已遷入本市", ("age_at_least",)
    )
    o.city.start()
    assert granted.proof is not None

    def case(rules: list[str]) -> wire.CaseIn:
        override = wire.Override(
            approval_id=uuid.UUID(granted.approval),
            supervisor=SUPERVISOR,
            reason="本人已遷入本市",
            rules=rules,
            proof=granted.proof,
        )
        made = case_for(TEST_DEVICE, OFFICE.code, "SW-05", o.local[0], 1, override=override, decision="fail")
        return made.model_copy(update={"case_uuid": subject})

    widened = o.clerk.push("cases", [case(["age_at_least", "registered_in_city"])])
    assert widened[0]["detail"] == "approval_invalid"  # more rules than the supervisor signed for
    assert o.clerk.push("cases", [case(["age_at_least"])])[0]["status"] == "accepted"
    client.close()


def test_closures_reach_their_area_only_and_only_a_supervisor_declares_them(offices: Offices) -> None:
    """Office A's own closure is not office B's; a city-wide one is both's; a clerk or a liaison cannot declare
    one; a body that names another office is not possible (the area comes from the session)."""
    o = offices
    chief = Api(o.city, token_for(o.city, TEST_DEVICE, SUPERVISOR, SUPERVISOR_PASSWORD))
    own = {
        "closure_uuid": str(uuid.uuid4()),
        "day": "2026-11-27",
        "scope": "office",
        "announcement": "颱風停止上班（本所）",
    }
    city_wide = {
        "closure_uuid": str(uuid.uuid4()),
        "day": "2026-11-30",
        "scope": "city",
        "announcement": "市府颱風停班公告",
    }
    for api in (o.clerk, o.liaison):
        assert api.post("/api/v1/closures", own).status_code in (403, 404)
    assert chief.post("/api/v1/closures", {**own, "area_code": OFFICE_B}).status_code == 422  # no such field
    assert chief.post("/api/v1/closures", own).status_code == 200
    assert chief.post("/api/v1/closures", city_wide).status_code == 200
    seen_a = [c["day"] for c in o.clerk.get("/api/v1/closures").json()["closures"]]
    seen_b = [c["day"] for c in o.clerk_b.get("/api/v1/closures").json()["closures"]]
    assert seen_a == ["2026-11-27", "2026-11-30"]
    assert seen_b == ["2026-11-30"]
    # The same declaration again is answered with what was stored; another for the same day and area is refused.
    assert chief.post("/api/v1/closures", own).json()["closure_uuid"] == own["closure_uuid"]
    other = {**own, "closure_uuid": str(uuid.uuid4())}
    assert chief.post("/api/v1/closures", other).status_code == 409
