"""The permission matrix: every endpoint × role (anonymous, clerk, liaison, supervisor, administrator) × office
relation (none, own office, a case forwarded to it, another office), written out here by hand and checked cell by
cell with real requests against a real city server (SQLite and PostgreSQL). The server's route table is walked:
an endpoint without a row here fails the suite.

A request is "refused" when the answer is the permission refusal itself (401 without a valid session, 403
forbidden, or 404 / a per-item rejection for a resource of an office the caller may not act on); any other answer
(including a business refusal such as a wrong supervisor password) means the table let the caller through.
"""

from __future__ import annotations

import itertools
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from cityserver.app import add_user
from cityserver.embedded import EmbeddedServer
from cityserver.permissions import PERMISSIONS, routes
from cityserver.population import Resident
from sync.city.client import CityClient, Credentials
from sync.city.enrolment import DeviceIdentity
from sync.protocol import wire
from tests.conftest import OFFICE, PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD, USER
from tests.fakes.devices import enrol
from tests.fakes.wire_cases import case_for

pytestmark = pytest.mark.integration

OTHER_OFFICE = "68000020"  # 桃園市中壢區公所
ROLES = ("anonymous", "clerk", "liaison", "supervisor", "administrator")
DEVICE_USERS = {"clerk": "none", "liaison": "none", "supervisor": "none"}
OWN_DEVICE = {"clerk": "own", "liaison": "own", "supervisor": "own"}
EVERYONE = {role: "none" for role in ROLES}

# The matrix as the city's policy says it, written independently of cityserver/permissions.py.
EXPECTED: dict[str, dict[str, str]] = {
    "health": EVERYONE,
    "health_live": EVERYONE,
    "health_ready": EVERYONE,
    "prometheus": EVERYONE,  # by address: loopback here
    "openapi": EVERYONE,
    "track_form": EVERYONE,
    "track": EVERYONE,
    "auth_challenge": EVERYONE,
    "auth_token": EVERYONE,
    "auth_refresh": EVERYONE,
    "device_enrol": EVERYONE,
    "lookup": DEVICE_USERS,
    "open_cases": DEVICE_USERS,
    "approve": DEVICE_USERS,
    "cases_batch": OWN_DEVICE,
    "case_updates_batch": OWN_DEVICE,
    "day_records_batch": OWN_DEVICE,
    "digest": OWN_DEVICE,
    "case_count": OWN_DEVICE,
    "register_key": OWN_DEVICE,
    "device_marks": OWN_DEVICE,
    "device_cases": OWN_DEVICE,
    "device_records": OWN_DEVICE,
    "register_supervisor_key": {"supervisor": "own"},
    "status_changes": {"clerk": "own forwarded", "liaison": "own forwarded", "supervisor": "own forwarded"},
    "catalog_delta": {"clerk": "none", "liaison": "none", "supervisor": "none", "administrator": "none"},
    "reference_data": {"clerk": "none", "liaison": "none", "supervisor": "none", "administrator": "none"},
    # Closures: every device user of an office reads its own and its city's; only its supervisors declare one.
    "list_closures": {"clerk": "none", "liaison": "none", "supervisor": "none"},
    "declare_closure": {"supervisor": "own"},
    "record_step": {"clerk": "own forwarded", "supervisor": "own forwarded"},
    "record_arrival": {"clerk": "forwarded", "supervisor": "forwarded"},
    "forwarded": {"clerk": "own", "supervisor": "own"},
    "case_queue": {"clerk": "own", "supervisor": "own"},
    "office_day_facts": {"supervisor": "own"},
    "monthly": {"supervisor": "own"},
    "sign_office_day": {"supervisor": "own"},
    "lookup_batch": {"supervisor": "none"},
    "review_list": {"supervisor": "none"},
    "create_enrolment": {"supervisor": "own", "administrator": "own other"},
    "list_devices": {"supervisor": "own", "administrator": "own other"},
    "revoke_device": {"supervisor": "own", "administrator": "own other"},
    "revoke_key": {"supervisor": "own", "administrator": "own other"},
    "metrics": {"administrator": "none"},
}
# Which relations each endpoint's probe can set up (endpoints of no office are probed once, as "none").
RELATIONS = {
    "cases_batch": ("own", "other"),
    "case_updates_batch": ("own", "forwarded", "other"),
    "day_records_batch": ("own", "other"),
    "digest": ("own",),
    "case_count": ("own",),
    "register_key": ("own",),
    "device_marks": ("own",),
    "device_cases": ("own",),
    "device_records": ("own",),
    "register_supervisor_key": ("own",),
    "declare_closure": ("own",),  # always the caller's own office (or its city): the session says which
    "status_changes": ("own", "forwarded", "other"),
    "record_step": ("own", "forwarded", "other"),
    "record_arrival": ("own", "forwarded", "other"),
    "forwarded": ("own",),
    "case_queue": ("own",),
    "office_day_facts": ("own",),
    "monthly": ("own",),
    "sign_office_day": ("own",),
    "create_enrolment": ("own", "other"),
    "list_devices": ("own", "other"),
    "revoke_device": ("own", "other"),
    "revoke_key": ("own", "other"),
}
RELATION_REFUSALS = {"not_your_office", "not_your_device", "unknown_case"}


@dataclass
class World:
    """Two offices, users of every role, a device each, and cases of every relation to office A."""

    url: str
    tokens: dict[str, str | None]
    devices: dict[str, DeviceIdentity]
    other_device: DeviceIdentity
    cases: dict[str, wire.CaseIn]  # own / forwarded / other, as office A sees them
    spare: dict[str, DeviceIdentity]  # a spare device of office A ("own") and of office B ("other")
    people: list[str]
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(100))

    def call(self, role: str, method: str, path: str, body: Any = None, params: Any = None) -> requests.Response:
        token = self.tokens.get(role)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.request(method, self.url + path, json=body, params=params, headers=headers, timeout=10)


def _refused(response: requests.Response) -> bool:
    try:
        code = response.json().get("code") if "json" in response.headers.get("content-type", "") else None
    except ValueError:
        code = None
    if response.status_code == 401 and code in ("auth_missing", "auth_invalid"):
        return True
    if response.status_code == 403 and code == "forbidden":
        return True
    return response.status_code == 404 and code == "not_found"


def _item_allowed(response: requests.Response) -> bool:
    if _refused(response):
        return False
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    return not (result["status"] == "rejected" and result["detail"].split(":")[0] in RELATION_REFUSALS)


def _push(url: str, device: DeviceIdentity, user: tuple[str, str], case: wire.CaseIn) -> None:
    client = CityClient(url, device, lambda: Credentials(*user))
    assert client.push_cases(wire.CasesBatchRequest(cases=[case])).results[0].status == "accepted"
    client.close()


@pytest.fixture
def world(city: EmbeddedServer, population: list[Resident]) -> World:
    factory = city.app.state.session_factory
    add_user(factory, "matrix-liaison", "liaison-pw-1", OFFICE.code, "liaison")
    add_user(factory, "matrix-admin", "admin-pw-1", OFFICE.code, "administrator")
    add_user(factory, "clerk-b", "clerk-b-pw-1", OTHER_OFFICE, "clerk")
    users = {
        "clerk": (USER, PASSWORD),
        "liaison": ("matrix-liaison", "liaison-pw-1"),
        "supervisor": (SUPERVISOR, SUPERVISOR_PASSWORD),
        "administrator": ("matrix-admin", "admin-pw-1"),
    }
    devices = {role: enrol(city, OFFICE.code, f"matrix {role}") for role in users}
    tokens: dict[str, str | None] = {"anonymous": None}
    for role, user in users.items():
        client = CityClient(city.url, devices[role], lambda u=user: Credentials(*u))  # type: ignore[misc]
        tokens[role] = client._ensure_token()
        client.close()
    other = enrol(city, OTHER_OFFICE, "office B counter")
    home = next(r for r in population if r.district_code == OFFICE.code)
    elsewhere = next(r for r in population if r.city_code != OFFICE.city_code)
    own = case_for(devices["clerk"], OFFICE.code, "SW-05", home.national_id, 1)
    forwarded = case_for(other, OTHER_OFFICE, "SW-14", home.national_id, 1)  # 跨區收件: decided by A
    foreign = case_for(other, OTHER_OFFICE, "SW-05", elsewhere.national_id, 2)
    _push(city.url, devices["clerk"], users["clerk"], own)
    for case in (forwarded, foreign):
        _push(city.url, other, ("clerk-b", "clerk-b-pw-1"), case)
    spare = {"own": enrol(city, OFFICE.code, "spare A"), "other": enrol(city, OTHER_OFFICE, "spare B")}
    return World(
        city.url,
        tokens,
        devices,
        other,
        {"own": own, "forwarded": forwarded, "other": foreign},
        spare,
        [r.national_id for r in population[:5]],
    )


Probe = Callable[[World, str, str], bool]


def _public(method: str, path: str, body: Any = None) -> Probe:
    return lambda w, role, _rel: not _refused(w.call(role, method, path, body))


def _new_case(w: World, role: str, relation: str) -> bool:
    n = next(w.numbers)
    device = w.devices.get(role, w.devices["clerk"])
    case = (
        case_for(device, OFFICE.code, "SW-05", w.people[0], n)
        if relation == "own"
        else case_for(w.other_device, OTHER_OFFICE, "SW-05", w.people[0], n)
    )
    return _item_allowed(w.call(role, "POST", "/api/v1/cases:batch", {"cases": [case.model_dump(mode="json")]}))


def _update(w: World, role: str, relation: str) -> bool:
    update = wire.CaseUpdateIn(
        update_uuid=uuid.uuid4(),
        case_uuid=w.cases[relation].case_uuid,
        decision="pass",
        reason_codes=[],
        verified_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
    )
    return _item_allowed(
        w.call(role, "POST", "/api/v1/case-updates:batch", {"updates": [update.model_dump(mode="json")]})
    )


def _record(w: World, role: str, relation: str) -> bool:
    device = w.devices.get(role, w.devices["clerk"]) if relation == "own" else w.other_device
    office = OFFICE.code if relation == "own" else OTHER_OFFICE
    record = wire.DayRecordIn(
        record_uuid=uuid.uuid4(),
        kind="correction",
        device_id=device.device_id,
        office_code=office,
        business_date=datetime(2026, 11, 20).date(),
        by=SUPERVISOR,
        approval=str(uuid.uuid4()),
        at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
    )
    return _item_allowed(
        w.call(role, "POST", "/api/v1/day-records:batch", {"records": [record.model_dump(mode="json")]})
    )


def _status_changes(w: World, role: str, relation: str) -> bool:
    response = w.call(role, "GET", "/api/v1/status-changes", params={"since": 0})
    if _refused(response):
        return False
    return w.cases[relation].case_number in {c["case_number"] for c in response.json()["changes"]}


def _record_step(w: World, role: str, relation: str) -> bool:
    # 補件 may follow 收件 and 補件 alike, so every probe can record one on the same case.
    path = f"/api/v1/cases/{w.cases[relation].case_uuid}/steps"
    owed_by = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    step = {"step_uuid": str(uuid.uuid4()), "status": "補件", "owed": ["照片"], "owed_by": owed_by}
    response = w.call(role, "POST", path, step)
    return not _refused(response) and response.status_code == 200


def _sign_office_day(w: World, role: str) -> bool:
    # A day of its own each probe (a signed day cannot be signed again), with nothing to explain.
    day = f"2025-{secrets.randbelow(12) + 1:02d}-{secrets.randbelow(28) + 1:02d}"
    body = {"close_uuid": str(uuid.uuid4()), "day": day, "report_hash": "0" * 64}
    response = w.call(role, "POST", "/api/v1/office-days", body)
    return not _refused(response) and response.status_code in (200, 409)


def _case_queue(w: World, role: str, _relation: str) -> bool:
    response = w.call(role, "GET", "/api/v1/queue")
    return not _refused(response) and w.cases["own"].case_number in {c["case_number"] for c in response.json()["cases"]}


def _register_key(w: World, role: str, _relation: str) -> bool:
    device = w.devices.get(role, w.devices["clerk"])
    body = {"key_id": device.receipt.key_id, "public_key": device.receipt.public_key}
    return not _refused(w.call(role, "POST", "/api/v1/devices/keys", body))


def _supervisor_key(w: World, role: str, _relation: str) -> bool:
    from sync.protocol.signing import SigningKey

    key = SigningKey.generate()
    return not _refused(
        w.call(role, "POST", "/api/v1/supervisor-keys", {"key_id": key.key_id, "public_key": key.public_key})
    )


def _office(relation: str) -> str:
    return OFFICE.code if relation == "own" else OTHER_OFFICE


PROBES: dict[str, Probe] = {
    "health": _public("GET", "/api/v1/health"),
    "health_live": _public("GET", "/api/v1/health/live"),
    "health_ready": _public("GET", "/api/v1/health/ready"),
    "prometheus": _public("GET", "/internal/metrics"),
    "openapi": _public("GET", "/openapi.json"),
    "track_form": _public("GET", "/track"),
    "track": _public("GET", "/track/68000010-D0001-1151120-0001?sig=x.y"),
    "auth_challenge": _public("POST", "/api/v1/auth/challenge", {"device_id": "D0001"}),
    "auth_token": _public(
        "POST",
        "/api/v1/auth/token",
        {"username": USER, "password": "x", "device_id": "D0001", "nonce": "n" * 32, "signature": "A" * 86},
    ),
    "auth_refresh": _public(
        "POST",
        "/api/v1/auth/refresh",
        {"refresh_token": "r" * 32, "device_id": "D0001", "nonce": "n" * 32, "signature": "A" * 86},
    ),
    "device_enrol": _public(
        "POST",
        "/api/v1/devices/enrol",
        {
            "code": "AAAA-BBBB-CCCC",
            "public_key": "A" * 43,
            "receipt_key": {"key_id": "0" * 12, "public_key": "A" * 43},
            "signature": "A" * 86,
        },
    ),
    "lookup": lambda w, role, _r: (
        not _refused(
            w.call(
                role,
                "POST",
                "/api/v1/lookups/household",
                {"case_uuid": str(uuid.uuid4()), "purpose": "SW-05", "consent": True, "national_id": w.people[1]},
            )
        )
    ),
    "open_cases": lambda w, role, _r: (
        not _refused(
            w.call(
                role,
                "POST",
                "/api/v1/cases:open",
                {"case_uuid": str(uuid.uuid4()), "national_id": w.people[1], "service_code": "SW-05"},
            )
        )
    ),
    "approve": lambda w, role, _r: (
        not _refused(
            w.call(
                role,
                "POST",
                "/api/v1/approvals",
                {
                    "supervisor": SUPERVISOR,
                    "password": "not-the-password",
                    "case_uuid": str(uuid.uuid4()),
                    "reason": "matrix probe",
                    "purpose": "void",
                },
            )
        )
    ),
    "cases_batch": _new_case,
    "case_updates_batch": _update,
    "day_records_batch": _record,
    "digest": lambda w, role, _r: not _refused(w.call(role, "POST", "/api/v1/digest", {"day": "2026-11-20"})),
    "case_count": lambda w, role, _r: not _refused(w.call(role, "GET", "/api/v1/cases/count")),
    "register_key": _register_key,
    "device_marks": lambda w, role, _r: (
        not _refused(
            w.call(
                role,
                "POST",
                "/api/v1/devices/me/marks",
                {"ledger_id": str(uuid.uuid4()), "receipt_seq": 0, "audit_seq": 0, "audit_head": "0" * 64},
            )
        )
    ),
    "device_cases": lambda w, role, _r: not _refused(w.call(role, "GET", "/api/v1/devices/me/cases")),
    "device_records": lambda w, role, _r: (
        not _refused(w.call(role, "GET", "/api/v1/devices/me/records", params={"since": "2026-11-01"}))
    ),
    "register_supervisor_key": _supervisor_key,
    "status_changes": _status_changes,
    "catalog_delta": lambda w, role, _r: not _refused(w.call(role, "GET", "/api/v1/catalog", params={"since": 0})),
    "reference_data": lambda w, role, _r: not _refused(w.call(role, "GET", "/api/v1/reference")),
    "list_closures": lambda w, role, _r: not _refused(w.call(role, "GET", "/api/v1/closures", params={"since": 0})),
    "declare_closure": lambda w, role, _r: (
        not _refused(
            w.call(
                role,
                "POST",
                "/api/v1/closures",
                {
                    "closure_uuid": str(uuid.uuid4()),
                    "day": f"2026-{secrets.randbelow(12) + 1:02d}-{secrets.randbelow(28) + 1:02d}",
                    "scope": "office",
                    "announcement": "matrix probe",
                },
            )
        )
    ),
    "record_step": _record_step,
    # The probe's case sent no paper: an allowed caller gets the rule's 422, a refused one the 404.
    "record_arrival": lambda w, role, relation: (
        not _refused(
            w.call(
                role,
                "POST",
                f"/api/v1/cases/{w.cases[relation].case_uuid}/arrivals",
                {"arrival_uuid": str(uuid.uuid4()), "received": ["申請書"]},
            )
        )
    ),  # fmt: skip
    "case_queue": _case_queue,
    "office_day_facts": lambda w, role, _r: not _refused(w.call(role, "GET", "/api/v1/office-days/2026-11-20")),
    "sign_office_day": lambda w, role, _r: _sign_office_day(w, role),
    "monthly": lambda w, role, _r: not _refused(w.call(role, "GET", "/api/v1/monthly/2026-11-01/2026-11-30")),
    "forwarded": lambda w, role, _r: not _refused(w.call(role, "GET", "/api/v1/forwarded")),
    "lookup_batch": lambda w, role, _r: (
        not _refused(
            w.call(
                role,
                "POST",
                "/api/v1/lookups:batch",
                {
                    "purpose": "SW-05",
                    "basis": "office_cases",
                    "kinds": ["household"],
                    "people": [{"ref": str(uuid.uuid4()), "national_id": w.people[2]}],
                },
            )
        )
    ),
    "review_list": lambda w, role, _r: (
        not _refused(
            w.call(
                role,
                "POST",
                "/api/v1/review-lists",
                {"list_id": str(uuid.uuid4()), "purpose": "SW-05", "name": "matrix", "national_ids": [w.people[3]]},
            )
        )
    ),
    "create_enrolment": lambda w, role, rel: (
        not _refused(w.call(role, "POST", "/api/v1/devices/enrolments", {"name": "probe", "office_code": _office(rel)}))
    ),
    "list_devices": lambda w, role, rel: (
        not _refused(w.call(role, "GET", "/api/v1/devices", params={"office": _office(rel)}))
    ),
    "revoke_device": lambda w, role, rel: (
        not _refused(w.call(role, "POST", f"/api/v1/devices/{w.spare[rel].device_id}/revoke"))
    ),
    "revoke_key": lambda w, role, rel: (
        not _refused(w.call(role, "POST", f"/api/v1/devices/keys/{w.spare[rel].receipt.key_id}/revoke"))
    ),
    "metrics": lambda w, role, _r: not _refused(w.call(role, "GET", "/api/v1/metrics")),
}


def test_every_route_has_a_row_and_a_probe(city: EmbeddedServer) -> None:
    served = {getattr(r, "name", "") for r in routes(city.app)}
    assert served == set(EXPECTED) == set(PROBES), (served ^ set(EXPECTED)) | (served ^ set(PROBES))
    assert set(PERMISSIONS) == served  # the server's table has a row for each route and no stale ones


def test_every_cell_of_the_permission_matrix(world: World, summary: Callable[[str], None]) -> None:
    wrong = []
    cells = 0
    for name, probe in PROBES.items():
        for relation in RELATIONS.get(name, ("none",)):
            for role in ROLES:
                expected = relation in EXPECTED[name].get(role, "").split()
                actual = probe(world, role, relation)
                cells += 1
                if actual != expected:
                    wrong.append(f"{name} × {role} × {relation}: expected {'allow' if expected else 'deny'}")
    summary(f"PERMISSIONS cells={cells} wrong={len(wrong)}")
    assert not wrong, "\n".join(wrong)
