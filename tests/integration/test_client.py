"""The city-server client's handling of things that are not a good answer from our server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from uuid import uuid4

import pytest
from sqlalchemy import delete

from cityserver.db import TokenRow
from cityserver.embedded import EmbeddedServer
from sync.city.client import CityClient, Credentials
from sync.protocol import wire
from sync.protocol.errors import SyncError, SyncErrorKind
from tests.conftest import PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE

pytestmark = pytest.mark.integration


class Portal(BaseHTTPRequestHandler):
    """A captive portal / proxy: answers every request with 200 and an HTML page."""

    def _answer(self) -> None:
        body = b"<html><body>Welcome to Village Hall Wi-Fi. Please log in.</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer  # noqa: N815

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def portal() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def lookup() -> wire.LookupRequest:
    return wire.LookupRequest(case_uuid=uuid4(), purpose="SW-05", consent=True, national_id="A123456789")


def test_html_200_from_a_captive_portal_is_not_success(portal: str) -> None:
    client = CityClient(portal, TEST_DEVICE, lambda: Credentials(USER, PASSWORD))
    with pytest.raises(SyncError) as err:
        client.health()
    assert err.value.kind is SyncErrorKind.BAD_RESPONSE
    with pytest.raises(SyncError) as err:
        client.lookup("household", lookup())
    assert err.value.kind is SyncErrorKind.BAD_RESPONSE
    client.close()


def test_nothing_listening_is_a_network_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connection refused
        client = CityClient(f"http://127.0.0.1:{port}", TEST_DEVICE, lambda: Credentials(USER, PASSWORD))
        with pytest.raises(SyncError) as err:
            client.health()
    assert err.value.kind is SyncErrorKind.NETWORK and err.value.kind.transient
    client.close()


def test_expired_token_is_renewed_once_and_the_request_repeated(client: CityClient, city: EmbeddedServer) -> None:
    logins: list[int] = []
    client._credentials = lambda: (logins.append(1), Credentials(USER, PASSWORD))[1]
    client.lookup("household", lookup())
    with city.app.state.session_factory.begin() as s:
        s.execute(delete(TokenRow))  # the server forgets every token (expiry, restart)
    answer = client.lookup("household", lookup())
    assert answer.kind == "household"
    assert len(logins) == 2


def test_server_validation_error_is_rejected_with_detail(client: CityClient) -> None:
    request = wire.LookupRequest(case_uuid=uuid4(), purpose="NOPE-99", consent=True, national_id="A123456789")
    with pytest.raises(SyncError) as err:
        client.lookup("household", request)
    assert err.value.kind is SyncErrorKind.REJECTED
    assert "NOPE-99" in err.value.params["detail"]


def test_environment_cannot_swap_the_trust_store(monkeypatch: pytest.MonkeyPatch, city: EmbeddedServer) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/attacker-ca.pem")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # a proxy from the environment is not used either
    client = CityClient(city.url, TEST_DEVICE, lambda: Credentials(USER, PASSWORD))
    assert client.health().status == "ok"
    client.close()
