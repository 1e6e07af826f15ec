"""How the real client reads every kind of answer to a push, from a scripted HTTP server on loopback that logs it
in like the city and then answers the push exactly as a table row says (status, headers, body bytes): which
SyncError each answer becomes, with which code and details, and that a good answer is believed only for the cases
that were sent. The table is written by hand from the city's error contract (wire.ErrorBody) and RFC 9110."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID

import pytest

from sync.city.client import CityClient, Credentials
from sync.protocol import wire
from sync.protocol.errors import SyncError, SyncErrorKind
from tests.conftest import OFFICE, PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE
from tests.fakes.wire_cases import case_for

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx

CASE = case_for(TEST_DEVICE, OFFICE.code, "SW-05", "A123456789", 1)
OTHER = UUID("00000000-0000-4000-8000-000000000099")
JSON = {"Content-Type": "application/json"}
TOKEN = {
    "access_token": "a" * 32, "token_type": "bearer", "expires_in": 600, "refresh_token": "r" * 32,
    "office_code": OFFICE.code, "role": "clerk",
}  # fmt: skip


def error(code: str, detail: str = "說明", **more: Any) -> bytes:
    return json.dumps({"code": code, "detail": detail, **more}).encode()


def results(*pairs: tuple[UUID, str]) -> bytes:
    answer = {"results": [{"case_uuid": str(u), "status": s} for u, s in pairs], "server_time": "2026-11-20T02:00:00Z"}
    return json.dumps(answer).encode()


class Scripted(BaseHTTPRequestHandler):
    """Logs in like the city; answers the push with `self.server.push` (status, headers, body)."""

    server: Any

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.paths.append(self.path)
        if self.path.endswith("/auth/challenge"):
            status, headers, body = 200, JSON, json.dumps({"nonce": "n" * 32, "expires_in": 60}).encode()
        elif self.path.endswith("/auth/token"):
            status, headers, body = 200, JSON, json.dumps(TOKEN).encode()
        else:
            status, headers, body = self.server.push
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def city() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    server.paths = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def push(city: ThreadingHTTPServer, status: int, headers: dict[str, str], body: bytes) -> wire.CasesBatchResponse:
    city.push = (status, headers, body)  # type: ignore[attr-defined]
    client = CityClient(f"http://127.0.0.1:{city.server_address[1]}", TEST_DEVICE, lambda: Credentials(USER, PASSWORD))
    try:
        return client.push_cases(wire.CasesBatchRequest(cases=[CASE]))
    finally:
        client.close()


ROWS = [
    # status, headers, body → kind, code, details the error carries
    (500, JSON, error("internal", "boom"), SyncErrorKind.SERVER, "server_error", {"status": 500}),
    (503, {}, b"", SyncErrorKind.SERVER, "server_error", {"status": 503}),
    (429, JSON, error("slow_down"), SyncErrorKind.SERVER, "server_error", {"status": 429}),
    (429, {**JSON, "Retry-After": "600"}, error("login_locked", "鎖定"), SyncErrorKind.REJECTED, "login_locked",
     {"minutes": 10, "detail": "鎖定"}),
    (429, JSON, error("lookup_quota_exceeded"), SyncErrorKind.REJECTED, "lookup_quota_exceeded", {"minutes": 1}),
    (403, JSON, error("device_other_office", "別的區公所"), SyncErrorKind.REJECTED, "device_other_office",
     {"status": 403, "detail": "別的區公所"}),
    (403, JSON, error("no_such_code"), SyncErrorKind.REJECTED, "request_rejected", {"status": 403, "detail": "說明"}),
    (404, {}, b"", SyncErrorKind.REJECTED, "request_rejected", {"status": 404, "detail": "HTTP 404"}),
    (409, {"Content-Type": "text/html"}, b"<p>busy</p>", SyncErrorKind.REJECTED, "request_rejected",
     {"detail": "HTTP 409"}),
    (422, JSON, error("invalid_request", "欄位錯誤", errors=[
        {"loc": ["body", "cases", 0, "fee"], "msg": "too large", "type": "x"},
        {"loc": ["body", "cases", 0, "clerk"], "msg": "second problem of the same item", "type": "x"},
        {"loc": ["body", "cases", 3], "msg": "missing", "type": "x"},
        {"loc": ["query", "x", 1], "msg": "not an item", "type": "x"},
    ]), SyncErrorKind.REJECTED, "request_rejected",
     {"status": 422, "detail": "欄位錯誤", "items": {0: "fee: too large", 3: "cases: missing"}}),
    (401, JSON, error("device_revoked"), SyncErrorKind.AUTH, "device_revoked", {}),
    (401, JSON, error("whatever"), SyncErrorKind.AUTH, "auth_failed", {}),
    (200, {"Content-Type": "text/html"}, b"<html>Wi-Fi login</html>", SyncErrorKind.BAD_RESPONSE,
     "server_bad_response", {}),
    (200, JSON, b"{not json", SyncErrorKind.BAD_RESPONSE, "server_bad_response", {}),
    (200, JSON, b'{"results": "all fine"}', SyncErrorKind.BAD_RESPONSE, "server_bad_response", {}),
    (201, JSON, results((CASE.case_uuid, "accepted")), SyncErrorKind.BAD_RESPONSE, "server_bad_response", {}),
    (200, JSON, results((CASE.case_uuid, "accepted"), (OTHER, "accepted")), SyncErrorKind.BAD_RESPONSE,
     "server_bad_response", {}),
    (200, JSON, results((CASE.case_uuid, "delivered")), SyncErrorKind.BAD_RESPONSE, "server_bad_response", {}),
]  # fmt: skip


@pytest.mark.parametrize(("status", "headers", "body", "kind", "code", "details"), ROWS)
def test_each_answer_becomes_its_error(
    city: ThreadingHTTPServer,
    status: int,
    headers: dict[str, str],
    body: bytes,
    kind: SyncErrorKind,
    code: str,
    details: dict[str, object],
) -> None:
    with pytest.raises(SyncError) as caught:
        push(city, status, headers, body)
    assert (caught.value.kind, caught.value.code) == (kind, code)
    for name, value in details.items():
        assert caught.value.params.get(name) == value, name


def test_a_401_logs_in_once_more_and_then_gives_up(city: ThreadingHTTPServer) -> None:
    with pytest.raises(SyncError):
        push(city, 401, JSON, error("auth_failed"))
    pushes = [p for p in city.paths if p.endswith("/cases:batch")]  # type: ignore[attr-defined]
    assert len(pushes) == 2 and city.paths.count("/api/v1/auth/token") == 2  # type: ignore[attr-defined]


def test_a_good_answer_may_cover_fewer_cases_than_were_sent(city: ThreadingHTTPServer) -> None:
    assert push(city, 200, JSON, results()).results == []
    answer = push(city, 200, JSON, results((CASE.case_uuid, "duplicate")))
    assert [(r.case_uuid, r.status) for r in answer.results] == [(CASE.case_uuid, "duplicate")]
