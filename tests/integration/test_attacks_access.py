"""The outside review's access attacks, replayed against a real city server (SQLite and PostgreSQL): bulk
personal-data pulls, password guessing and oracles, refresh races, forged client addresses, stalled and
out-of-range requests. Each is refused or contained, and counted where the city's security staff can see it."""

from __future__ import annotations

import hashlib
import socket
import statistics
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from cityserver.app import add_user, create_app
from cityserver.context import Settings
from cityserver.db import CaseRow, LookupAuditRow, RefreshTokenRow, SecurityEventRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from sync.city.client import CityClient, Credentials
from sync.ledger.secrets import MemorySecretStore
from sync.protocol import wire
from tests.conftest import OFFICE, PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE, TEST_DEVICE_ID, Api, enrol, token_for
from tests.fakes.wire_cases import case_for

pytestmark = pytest.mark.integration


def events(city: EmbeddedServer, kind: str) -> int:
    with city.app.state.session_factory() as s:
        return int(s.scalar(select(func.count()).where(SecurityEventRow.kind == kind)) or 0)


def limit(city: EmbeddedServer, **changes: object) -> None:
    """Operator settings for this test's server (a city configures its own caps)."""
    server = city.app.state.server
    server.settings = replace(server.settings, **changes)


@pytest.mark.parametrize("hour", [0, 7, 8, 23])
def test_the_daily_look_up_cap_counts_from_taipei_midnight_at_any_hour(
    city: EmbeddedServer, population: list[Resident], monkeypatch: pytest.MonkeyPatch, hour: int
) -> None:
    """Found by running the suite after midnight in Taipei: SQLite compared UTC text with a Taipei midnight, so
    from 00:00 to 08:00 the caps counted nothing. Each hour on both sides of 08:00 (UTC midnight) counts."""
    from datetime import UTC, datetime

    import cityserver.lookups as lookups_module
    from forms.clock import TAIPEI

    clock = datetime(2026, 12, 3, hour, 30, tzinfo=TAIPEI).astimezone(UTC)
    monkeypatch.setattr(lookups_module, "now", lambda: clock)
    clerk = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    limit(city, lookups_warn_per_user_day=10, lookups_cap_per_user_day=2)

    def look(n: int) -> int:
        body = {"case_uuid": str(uuid.uuid4()), "purpose": "SW-05", "consent": True}
        return clerk.post("/api/v1/lookups/household", {**body, "national_id": population[n].national_id}).status_code

    assert [look(n) for n in range(3)] == [200, 200, 429]
    clock = datetime(2026, 12, 4, 0, 0, tzinfo=TAIPEI).astimezone(UTC)  # the next office day starts afresh
    assert look(3) == 200


def test_a_liaison_cannot_pull_the_registers_in_bulk(city: EmbeddedServer, population: list[Resident]) -> None:
    """The review's attack: 3,000 residents' registers in 6 requests. Now: not a liaison's call at all; a
    supervisor gets only people with a case of the service at their office (or on a list registered first),
    only the registers the service needs, within a daily cap; every person is audited either way."""
    add_user(city.app.state.session_factory, "liaison-a", "liaison-pw-1", OFFICE.code, "liaison")
    laptop = enrol(city, OFFICE.code, "liaison laptop")
    liaison = Api(city, token_for(city, laptop, "liaison-a", "liaison-pw-1"))
    people = [{"ref": str(uuid.uuid4()), "national_id": r.national_id} for r in population[:500]]
    pull = {"purpose": "SW-05", "basis": "office_cases", "kinds": ["household", "disability"], "people": people}
    refused = liaison.post("/api/v1/lookups:batch", pull)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    chief = Api(city, token_for(city, TEST_DEVICE, SUPERVISOR, SUPERVISOR_PASSWORD))
    # Only the registers the service needs (SW-05 reads household and disability, not tax).
    off_purpose = chief.post("/api/v1/lookups:batch", {**pull, "kinds": ["tax"]})
    assert off_purpose.status_code == 403 and off_purpose.json()["code"] == "lookup_not_for_purpose"
    # People without a case of the office: audited as denied, answered with nothing.
    answer = chief.post("/api/v1/lookups:batch", pull)
    assert answer.status_code == 200
    assert {a["error"] for a in answer.json()["answers"]} == {"not_a_beneficiary"}
    assert all(a["records"] == {} for a in answer.json()["answers"])
    with city.app.state.session_factory() as s:
        denied = s.scalar(select(func.count()).where(LookupAuditRow.result == "denied"))
    assert denied == 500 * 2 and events(city, "batch_denied") == 1
    # A case of the office makes its person a beneficiary; a registered list makes its people answerable.
    clerk = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    clerk.push("cases", [case_for(TEST_DEVICE, OFFICE.code, "SW-05", population[0].national_id, 1)])
    first = chief.post("/api/v1/lookups:batch", {**pull, "people": people[:2]}).json()["answers"]
    assert first[0]["error"] is None and first[0]["records"]["household"]["found"] is True
    assert first[1]["error"] == "not_a_beneficiary"
    listed = {
        "list_id": str(uuid.uuid4()),
        "purpose": "SW-05",
        "name": "社會局名冊",
        "national_ids": [population[1].national_id],
    }
    assert chief.post("/api/v1/review-lists", listed).json()["people"] == 1
    by_list = {**pull, "basis": "registered_list", "list_id": listed["list_id"], "people": people[1:3]}
    answers = chief.post("/api/v1/lookups:batch", by_list).json()["answers"]
    assert [a["error"] for a in answers] == [None, "not_a_beneficiary"]
    # The office's daily cap.
    limit(city, batch_people_per_office_day=600)
    capped = chief.post("/api/v1/lookups:batch", pull)
    assert capped.status_code == 429 and capped.json()["code"] == "batch_quota_exceeded"
    assert events(city, "batch_cap") == 1


def test_single_look_ups_serve_one_intake_within_a_daily_volume(
    city: EmbeddedServer, population: list[Resident]
) -> None:
    clerk = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))

    def look(kind: str, purpose: str = "SW-05", case: uuid.UUID | None = None, n: int = 0) -> requests.Response:
        body = {
            "case_uuid": str(case or uuid.uuid4()),
            "purpose": purpose,
            "consent": True,
            "national_id": population[n].national_id,
        }
        return clerk.post(f"/api/v1/lookups/{kind}", body)

    assert look("household").status_code == 200
    off = look("tax")  # 敬老愛心卡 needs no tax register
    assert off.status_code == 403 and off.json()["code"] == "lookup_not_for_purpose"
    assert events(city, "lookup_off_purpose") == 1
    # Looking up under a case another device holds.
    other = enrol(city, OFFICE.code, "counter 2")
    theirs = case_for(other, OFFICE.code, "SW-05", population[1].national_id, 1)
    Api(city, token_for(city, other, USER, PASSWORD)).push("cases", [theirs])
    stolen = look("household", case=theirs.case_uuid, n=5)
    assert stolen.status_code == 403 and stolen.json()["code"] == "lookup_case_not_yours"
    # Unusual volume is reported; past the cap, refused.
    limit(city, lookups_warn_per_user_day=4, lookups_cap_per_user_day=6)
    statuses = [look("household", n=n).status_code for n in range(10, 16)]
    assert statuses[:4] == [200] * 4 and statuses[-1] == 429
    assert events(city, "lookup_volume") == 1 and events(city, "lookup_cap") >= 1
    metrics_token = None
    add_user(city.app.state.session_factory, "it-admin", "admin-pw-1", OFFICE.code, "administrator")
    metrics_token = token_for(city, enrol(city, OFFICE.code, "IT"), "it-admin", "admin-pw-1")
    shown = {
        (m["name"], m["labels"].get("kind")): m["value"]
        for m in Api(city, metrics_token).get("/api/v1/metrics").json()["metrics"]
    }
    assert shown[("security_events_total", "lookup_cap")] >= 1


def _attempt(city: EmbeddedServer, username: str, password: str) -> requests.Response:
    """One log-in as the test device would send it (a fresh, signed nonce)."""
    nonce = requests.post(f"{city.url}/api/v1/auth/challenge", json={"device_id": TEST_DEVICE_ID}, timeout=5).json()[
        "nonce"
    ]
    body = {
        "username": username,
        "password": password,
        "device_id": TEST_DEVICE_ID,
        "nonce": nonce,
        "signature": TEST_DEVICE.sign(wire.auth_message("token", TEST_DEVICE_ID, username, nonce)),
    }
    return requests.post(f"{city.url}/api/v1/auth/token", json=body, timeout=10)


def test_password_guessing_is_throttled_and_tells_nothing(city: EmbeddedServer) -> None:
    # Unknown and known users: the same answer, after the same work (scrypt either way).
    known, unknown = [], []
    for n in range(4):
        for name, times in ((USER, known), (f"nobody-{n}", unknown)):
            start = time.perf_counter()
            answer = _attempt(city, name, "wrong-password")
            times.append(time.perf_counter() - start)
            assert (answer.status_code, answer.json()["code"]) == (401, "auth_failed")
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.33 < ratio < 3, ratio  # before: 5 ms against 94 ms (a user-name oracle)
    # The fifth failure locks the name for a while: even the right password is refused, and so is any name
    # guessed that often.
    assert _attempt(city, USER, "wrong-password").status_code == 401
    locked = _attempt(city, USER, PASSWORD)
    assert (
        locked.status_code == 429
        and locked.json()["code"] == "login_locked"
        and int(locked.headers["Retry-After"]) > 60
    )
    for _ in range(5):
        _attempt(city, "nobody-x", "guess")
    assert _attempt(city, "nobody-x", "guess").json()["code"] == "login_locked"
    assert events(city, "login_failed") >= 10 and events(city, "login_locked") >= 2


def test_approvals_are_no_password_oracle(city: EmbeddedServer) -> None:
    add_user(city.app.state.session_factory, "chief-b", "chief-b-pw-1", "68000020", "supervisor")
    clerk = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))

    def ask(supervisor: str, password: str) -> tuple[int, str]:
        body = {
            "supervisor": supervisor,
            "password": password,
            "case_uuid": str(uuid.uuid4()),
            "reason": "核可測試用",
            "purpose": "void",
        }
        answer = clerk.post("/api/v1/approvals", body)
        return answer.status_code, answer.text

    wrong = ask(SUPERVISOR, "wrong-password")
    clerk_right = ask(USER, PASSWORD)  # a clerk's right password
    other_office = ask("chief-b", "chief-b-pw-1")  # another office's supervisor, right password
    unknown = ask("nobody", "whatever")
    assert wrong == clerk_right == other_office == unknown and wrong[0] == 403
    assert ask(SUPERVISOR, SUPERVISOR_PASSWORD)[0] == 200


def test_a_refresh_token_raced_eight_times_leaves_at_most_one_session(city: EmbeddedServer) -> None:
    store = MemorySecretStore()
    client = CityClient(city.url, TEST_DEVICE, lambda: Credentials(USER, PASSWORD), secrets=store)
    client.login(Credentials(USER, PASSWORD))
    token = store.get(f"refresh-token:{TEST_DEVICE_ID}")
    assert token
    digest = hashlib.sha256(token.encode()).hexdigest()
    bodies = []
    for _ in range(8):  # each with its own signed nonce, as eight copies of the client would send
        nonce = requests.post(
            f"{city.url}/api/v1/auth/challenge", json={"device_id": TEST_DEVICE_ID}, timeout=5
        ).json()["nonce"]
        signature = TEST_DEVICE.sign(wire.auth_message("refresh", TEST_DEVICE_ID, digest, nonce))
        bodies.append({"refresh_token": token, "device_id": TEST_DEVICE_ID, "nonce": nonce, "signature": signature})
    barrier, answers = threading.Barrier(8), []

    def race(body: dict[str, str]) -> None:
        barrier.wait()
        answers.append(requests.post(f"{city.url}/api/v1/auth/refresh", json=body, timeout=15))

    threads = [threading.Thread(target=race, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(answers) == 8 and all(a.status_code in (200, 401) for a in answers)
    assert sum(a.status_code == 200 for a in answers) <= 1
    with city.app.state.session_factory() as s:
        live = s.scalar(
            select(func.count()).where(RefreshTokenRow.spent.is_(False), RefreshTokenRow.device_id == TEST_DEVICE_ID)
        )
    assert live <= 1 and events(city, "refresh_reused") >= 1
    client.close()


def test_out_of_range_and_malformed_input_is_a_clear_422(city: EmbeddedServer, population: list[Resident]) -> None:
    clerk = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    huge = clerk.get("/api/v1/status-changes", params={"since": 9223372036854775808})
    assert huge.status_code == 422
    person = population[0].national_id
    for year in (9999, 1):
        case = case_for(TEST_DEVICE, OFFICE.code, "SW-05", person, 1).model_dump(mode="json")
        case["received_at"] = f"{year:04d}-01-01T00:00:00+08:00"
        answer = clerk.post("/api/v1/cases:batch", {"cases": [case]})
        assert answer.status_code == 422, answer.text
        body = wire.ErrorBody.model_validate(answer.json())
        assert body.errors[0].loc[:4] == ["body", "cases", 0, "received_at"]
    for field_, value in (
        ("applicant_name", "王\x00明"),
        ("clerk", "x" * 201),
        ("fee", -1),
        ("national_id", "A12345678<"),
    ):
        case = case_for(TEST_DEVICE, OFFICE.code, "SW-05", person, 1).model_dump(mode="json")
        case[field_] = value
        answer = clerk.post("/api/v1/cases:batch", {"cases": [case]})
        assert answer.status_code == 422 and wire.ErrorBody.model_validate(answer.json()).code == "invalid_request"
    # A full-width or lower-case ID is the same person: stored as forms/ normalises it.
    full_width = person.lower().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    case = case_for(TEST_DEVICE, OFFICE.code, "SW-05", full_width, 1)
    assert clerk.push("cases", [case])[0]["status"] == "accepted"
    with city.app.state.session_factory() as s:
        assert s.scalar(select(CaseRow.national_id).where(CaseRow.case_uuid == str(case.case_uuid))) == person
    # The published schema says so: every 422 answer is an ErrorBody.
    spec = requests.get(f"{city.url}/openapi.json", timeout=5).json()
    refs = {
        op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
        for path in spec["paths"].values()
        for op in path.values()
        if "422" in op.get("responses", {})
    }
    assert refs == {"#/components/schemas/ErrorBody"}


def test_a_stalled_body_is_cut_off(city_template: Path, tmp_path: Path) -> None:
    """A client announces 1 MB and sends nothing: answered 408 and disconnected after the idle limit, not held."""
    import shutil

    db = tmp_path / "city.db"
    shutil.copy2(city_template, db)
    server = EmbeddedServer(create_app(f"sqlite:///{db}", settings=Settings(body_idle_s=1.0, max_body_bytes=2_000_000)))
    server.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(
                b"POST /api/v1/cases:batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000000\r\n\r\n"
            )
            start = time.monotonic()
            reply = sock.recv(4096)
            waited = time.monotonic() - start
            # Head and body may come in separate segments: read on until the server closes.
            while chunk := sock.recv(4096):
                reply += chunk
            assert reply.startswith(b"HTTP/1.1 408") and b"body_timeout" in reply
            assert waited < 5
        too_big = requests.post(f"{server.url}/api/v1/cases:batch", data=b"x" * 2_100_000, timeout=10)
        assert too_big.status_code == 413 and too_big.json()["code"] == "body_too_large"
    finally:
        server.stop()


def test_forwarded_addresses_are_believed_only_from_trusted_proxies(city_template: Path, tmp_path: Path) -> None:
    """Behind the city's reverse proxy the /track limit is per citizen; a client cannot name itself anyone else."""
    import shutil

    def page(server: EmbeddedServer, who: str) -> int:
        headers = {"X-Forwarded-For": who}
        return requests.get(
            f"{server.url}/track/68000010-D0001-1151120-0001", params={"sig": "x.y"}, headers=headers, timeout=5
        ).status_code

    settings = Settings(track_limit_per_minute=3)
    for trusted, expected in ((["127.0.0.1"], [404, 404, 404, 429, 404]), ([], [404, 404, 404, 429, 429])):
        db = tmp_path / f"city-{len(trusted)}.db"
        shutil.copy2(city_template, db)
        server = EmbeddedServer(create_app(f"sqlite:///{db}", settings=settings, trusted_proxies=trusted))
        server.start()
        try:
            seen = [page(server, "203.0.113.7") for _ in range(4)] + [page(server, "198.51.100.9")]
        finally:
            server.stop()
        assert seen == expected, (trusted, seen)
